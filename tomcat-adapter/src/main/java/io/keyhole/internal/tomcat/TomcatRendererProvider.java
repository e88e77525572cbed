package io.keyhole.internal.tomcat;

import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.RendererProvider;
import jakarta.servlet.ServletContext;

/** Offers {@link SendfileRenderer} to {@code KeyholeFilter} on Tomcat 10.1 and 11. Found by {@link java.util.ServiceLoader}. */
public final class TomcatRendererProvider implements RendererProvider {

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public boolean supports(ServletContext context) {
        return context.getClass().getName().equals("org.apache.catalina.core.ApplicationContextFacade");
    }

    @Override
    public Renderer create(ServletContext context) {
        return new SendfileRenderer();
    }
}
