package io.keyhole.internal.jetty;

import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.RendererProvider;
import jakarta.servlet.ServletContext;

/** Offers {@link JettyRenderer} to {@code KeyholeFilter} on Jetty 12 (ee10). Found by {@link java.util.ServiceLoader}. */
public final class JettyRendererProvider implements RendererProvider {

    @Override
    public String name() {
        return "jetty";
    }

    /**
     * By class names, so that this check links no Jetty class: the servlet context of an ee10
     * {@code ServletContextHandler} or of a subclass's context, such as a {@code WebAppContext}'s
     * (a WAR, {@code web.xml}, Spring Boot's embedded Jetty), whose class lives in another package.
     */
    @Override
    public boolean supports(ServletContext context) {
        for (Class<?> c = context.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().startsWith("org.eclipse.jetty.ee10.servlet.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws IllegalStateException on Jetty 12.0 (Spring Boot 3.5's), whose buffer pool the
     *                               renderer cannot call: it is built against Jetty 12.1, and on 12.0
     *                               would fail on the first large file; {@code renderer=auto} streams instead
     */
    @Override
    public Renderer create(ServletContext context) {
        String pooled;
        try {
            pooled = Class.forName("org.eclipse.jetty.io.ByteBufferPool", false, JettyRendererProvider.class.getClassLoader())
                    .getMethod("acquire", int.class, boolean.class).getReturnType().getName();
        } catch (ReflectiveOperationException | LinkageError e) {
            pooled = e.toString();
        }
        if (!pooled.equals("org.eclipse.jetty.io.RetainableByteBuffer$Mutable")) {
            throw new IllegalStateException("the jetty renderer needs Jetty 12.1 or newer; " + context.getServerInfo()
                    + " is older");
        }
        return new JettyRenderer();
    }
}
