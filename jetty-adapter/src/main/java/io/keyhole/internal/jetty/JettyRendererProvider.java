package io.keyhole.internal.jetty;

import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.RendererProvider;
import jakarta.servlet.ServletContext;

/**
 * Offers {@link JettyRenderer} to {@code KeyholeFilter} on Jetty 12.0 and 12.1, in the ee10 and
 * ee11 servlet layers. Found by {@link java.util.ServiceLoader}.
 */
public final class JettyRendererProvider implements RendererProvider {

    @Override
    public String name() {
        return "jetty";
    }

    /**
     * By class names, so that this check links no Jetty class: the servlet context of an ee10 or
     * ee11 {@code ServletContextHandler}, or of a subclass's context such as a {@code WebAppContext}'s
     * (a WAR, {@code web.xml}, Spring Boot's embedded Jetty), whose class lives in another package.
     */
    @Override
    public boolean supports(ServletContext context) {
        return layer(context) != null;
    }

    /**
     * Links the renderer's Jetty classes now, so that a container that hides them from the
     * application is found at start rather than on the first large file.
     *
     * @throws IllegalStateException when they cannot be linked; {@code renderer=auto} streams instead
     */
    @Override
    public Renderer create(ServletContext context) {
        String ee = layer(context);
        if (ee == null) {
            throw new IllegalStateException(context.getClass().getName() + " is not a servlet context of Jetty's ee10 or"
                    + " ee11 layer");
        }
        ClassLoader loader = JettyRendererProvider.class.getClassLoader();
        try {
            Class.forName(FileBody.class.getName(), true, loader);
            Class.forName("org.eclipse.jetty." + ee + ".servlet.ServletContextRequest", true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("the jetty renderer cannot link Jetty's classes in "
                    + context.getServerInfo() + ": " + e, e);
        }
        return new JettyRenderer(ee.equals("ee11") ? Ee11::find : Ee10::find);
    }

    /** {@code ee10} or {@code ee11}, by the package of the context's class or a superclass; {@code null} for neither. */
    private static String layer(ServletContext context) {
        for (Class<?> c = context.getClass(); c != null; c = c.getSuperclass()) {
            for (String ee : new String[] {"ee10", "ee11"}) {
                if (c.getName().startsWith("org.eclipse.jetty." + ee + ".servlet.")) {
                    return ee;
                }
            }
        }
        return null;
    }
}
