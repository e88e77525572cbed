package io.keyhole.servlet.spi;

import jakarta.servlet.ServletContext;

/**
 * Offers a {@link Renderer} for one kind of container. {@code KeyholeFilter} finds providers with
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.keyhole.servlet.spi.RendererProvider}) and, with
 * {@code renderer=auto}, uses the first one that {@link #supports} the container it runs in;
 * {@code renderer=<name>} forces the provider of that {@link #name}.
 *
 * <p>Providers are created once per filter start and called from that thread only. Keep the
 * class free of direct references to container types, so that loading it in another container
 * cannot fail; {@link #create} may link them.
 */
public interface RendererProvider {

    /** The value of the {@code renderer} key that selects this provider, e.g. {@code jetty}. */
    String name();

    /** Whether the filter runs in this provider's container. Cheap; never throws. */
    boolean supports(ServletContext context);

    /**
     * The renderer for this container, called once at start-up after {@link #supports} said yes.
     *
     * @throws IllegalStateException when the container turns out not to be usable after all
     */
    Renderer create(ServletContext context);
}
