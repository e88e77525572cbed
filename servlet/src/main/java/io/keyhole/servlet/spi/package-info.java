/**
 * How a granted file leaves a servlet container. {@link io.keyhole.servlet.spi.StreamRenderer}
 * works everywhere; container adapters ({@code keyhole-jetty}, {@code keyhole-tomcat}) register a
 * {@link io.keyhole.servlet.spi.RendererProvider} with a zero-copy {@link io.keyhole.servlet.spi.Renderer},
 * which {@code KeyholeFilter} picks up by itself.
 */
package io.keyhole.servlet.spi;
