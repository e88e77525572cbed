package io.keyhole.servlet;

import io.keyhole.internal.Logs;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.RendererProvider;
import io.keyhole.servlet.spi.StreamRenderer;
import jakarta.servlet.ServletContext;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Picks the renderer for the {@code renderer} key: {@code stream}, {@code auto}, or a provider's name. */
final class Renderers {

    private static final System.Logger LOG = Logs.of(KeyholeFilter.class);

    private Renderers() {
    }

    /**
     * @param key     {@code auto}, {@code stream} or a provider's name
     * @param context the container the filter runs in; {@code null} when unknown (then
     *                {@code auto} streams)
     * @throws IllegalStateException when {@code key} names a provider that is not on the class
     *                               path or does not support this container
     */
    static Renderer select(String key, ServletContext context) {
        if (key.equals("stream")) {
            return new StreamRenderer();
        }
        List<RendererProvider> providers = providers();
        if (key.equals("auto")) {
            for (RendererProvider p : providers) {
                if (context != null && p.supports(context)) {
                    try {
                        return p.create(context);
                    } catch (RuntimeException | LinkageError e) {
                        // The container hides its classes from the application (e.g. a WAR in a
                        // stand-alone Jetty): streaming still works, just slower.
                        LOG.log(Level.WARNING, "renderer " + p.name() + " cannot run in " + context.getServerInfo()
                                + " (its classes are not visible to the application? In a WAR on a stand-alone"
                                + " Jetty, expose org.eclipse.jetty.ee10.servlet. (or ee11), org.eclipse.jetty.server. and"
                                + " org.eclipse.jetty.io. to the web application); streaming every file instead", e);
                        return new StreamRenderer();
                    }
                }
            }
            LOG.log(Level.INFO, "renderer=auto: no zero-copy renderer for {0} ({1}); streaming every file through"
                    + " the servlet output stream", context == null ? "an unknown container" : context.getServerInfo(),
                    providers.isEmpty() ? "no keyhole-jetty or keyhole-tomcat that Keyhole's class loader can use"
                            : "on the class path: " + String.join(", ", providers.stream().map(RendererProvider::name).toList())
                            + ", none for this container (" + (context == null ? "?" : context.getClass().getName()) + ")");
            return new StreamRenderer();
        }
        for (RendererProvider p : providers) {
            if (p.name().equals(key)) {
                if (context == null || !p.supports(context)) {
                    throw new IllegalStateException("renderer=" + key + " does not work in "
                            + (context == null ? "an unknown container" : context.getServerInfo())
                            + "; use renderer=auto or renderer=stream");
                }
                return p.create(context);
            }
        }
        throw new IllegalStateException("renderer=" + key + " is not on the class path (found: "
                + (providers.isEmpty() ? "none" : String.join(", ", providers.stream().map(RendererProvider::name).toList()))
                + "); add io.keyhole:keyhole-" + key + " or use renderer=auto");
    }

    /**
     * The renderer that sets the headers of every answer when a front server sends the files
     * ({@code X-Accel-Redirect}, {@code X-Sendfile}): the container's, which knows a cheaper way
     * than the servlet API, or the servlet API's in a container without a provider, or when the
     * provider's classes cannot be linked. Says nothing in the log: no file body goes through it,
     * so nothing is lost either way. (The {@code renderer} key cannot be set in these modes.)
     *
     * @param context the container the filter runs in; {@code null} when unknown
     */
    static Renderer forHeaders(ServletContext context) {
        if (context != null) {
            for (RendererProvider p : providers()) {
                if (p.supports(context)) {
                    try {
                        return p.create(context);
                    } catch (RuntimeException | LinkageError e) {
                        LOG.log(Level.DEBUG, "renderer " + p.name() + " cannot set headers in " + context.getServerInfo()
                                + "; the servlet API sets them", e);
                        break;
                    }
                }
            }
        }
        return new StreamRenderer();
    }

    private static List<RendererProvider> providers() {
        List<RendererProvider> found = new ArrayList<>();
        ServiceLoader<RendererProvider> loader = ServiceLoader.load(RendererProvider.class, KeyholeFilter.class.getClassLoader());
        for (var it = loader.iterator(); ; ) {
            try {
                if (!it.hasNext()) {
                    return found;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                String other = otherCopysProvider(e);
                if (other != null) {
                    LOG.log(Level.WARNING, "skipping renderer {0}: it belongs to another copy of Keyhole, on another"
                            + " class loader (keyhole-jetty or keyhole-tomcat in the container''s lib directory,"
                            + " Keyhole itself in the application''s WEB-INF/lib?); put the adapter beside"
                            + " keyhole-servlet, both in WEB-INF/lib or both in the container''s lib", other);
                } else {
                    LOG.log(Level.WARNING, "skipping a renderer that cannot be loaded", e);
                }
            }
        }
    }

    /**
     * The provider {@code e} refused because it implements another class loader's
     * {@link RendererProvider} (the JDK's "not a subtype"), or {@code null} for any other failure.
     */
    private static String otherCopysProvider(ServiceConfigurationError e) {
        String message = e.getMessage();
        String prefix = RendererProvider.class.getName() + ": ";
        String suffix = " not a subtype";
        if (message == null || !message.startsWith(prefix) || !message.endsWith(suffix)) {
            return null;
        }
        return message.substring(prefix.length(), message.length() - suffix.length());
    }
}
