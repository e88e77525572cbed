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

    /** By the context's class name, so that this check links no Jetty class. */
    @Override
    public boolean supports(ServletContext context) {
        return context.getClass().getName().startsWith("org.eclipse.jetty.ee10.servlet.");
    }

    @Override
    public Renderer create(ServletContext context) {
        return new JettyRenderer();
    }
}
