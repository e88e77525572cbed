package io.keyhole.examples;

import io.keyhole.examples.spring.KeyholeConfiguration;
import io.keyhole.testing.LifecycleCheck.Container;
import io.keyhole.testing.LifecycleCheck;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The Spring example builds its filter with {@code new KeyholeFilter(config)}, so Spring never
 * closes it: the servlet container destroys it when Spring Boot stops the embedded server, which
 * happens when the application context closes. This checks that chain for real: closing the
 * context stops Jetty, Jetty destroys the filter registered through the example's
 * {@code FilterRegistrationBean}, and the filter closes Keyhole's connection pool (see
 * {@link LifecycleCheck} for what is counted).
 */
class SpringLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void closingTheContextClosesKeyholesPool() throws Exception {
        System.out.println(LifecycleCheck.sql("Spring example on Jetty, sql", dir, SpringLifecycleTest::application));
    }

    /** The example's configuration and an embedded server, in one context; closing it is the application's shutdown. */
    private static Container application(Map<String, String> settings) {
        Map<String, Object> properties = new HashMap<>();
        settings.forEach((key, value) -> properties.put(KeyholeConfiguration.PREFIX + key, value));
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("application", properties));
        context.register(KeyholeConfiguration.class, EmbeddedJetty.class);
        context.refresh();
        EmbeddedJetty jetty = context.getBean(EmbeddedJetty.class);
        return new Running(context, jetty, jetty.uri("/files/"));
    }

    /**
     * Holds the server, and through it the filter, which Jetty keeps once stopped (it was handed
     * an instance), so that only destroy() can close its pool (see {@link Container}).
     */
    private record Running(AnnotationConfigApplicationContext context, EmbeddedJetty jetty, URI mount)
            implements Container {
        @Override
        public void stop() {
            context.close();
        }
    }

    /**
     * The embedded server as Spring Boot runs it (its {@code WebServerStartStopLifecycle}, which
     * needs {@code spring-web}, not on this class path): every {@link ServletContextInitializer}
     * bean is applied to the servlet context, the server starts once the context is refreshed and
     * stops, first of all, when the context closes. Nothing here touches the filter itself.
     */
    static final class EmbeddedJetty implements SmartLifecycle {
        private final List<ServletContextInitializer> initializers;
        private Server server;
        private volatile boolean running;

        EmbeddedJetty(ObjectProvider<ServletContextInitializer> initializers) {
            this.initializers = initializers.orderedStream().collect(Collectors.toList());
        }

        @Override
        public void start() {
            ServletContextHandler servlets = new ServletContextHandler("/");
            servlets.addServletContainerInitializer((classes, servletContext) -> {
                for (ServletContextInitializer initializer : initializers) {
                    initializer.onStartup(servletContext);
                }
            });
            try {
                server = ExampleSupport.startJetty(servlets);
                running = true;
            } catch (Exception e) {
                throw new IllegalStateException("the embedded Jetty did not start: " + e.getMessage(), e);
            }
        }

        @Override
        public void stop() {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("the embedded Jetty did not stop: " + e.getMessage(), e);
            } finally {
                running = false;
            }
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        URI uri(String path) {
            return ExampleSupport.uri(server, path);
        }
    }
}
