package io.keyhole.examples;

import static io.keyhole.examples.ExampleSupport.FILES_TSV;
import static io.keyhole.examples.ExampleSupport.JWT_KEY;
import static io.keyhole.examples.ExampleSupport.NOTES_ID;
import static io.keyhole.examples.ExampleSupport.OWNER;
import static io.keyhole.examples.ExampleSupport.REPORT_ID;
import static io.keyhole.examples.ExampleSupport.bearer;
import static io.keyhole.examples.ExampleSupport.get;
import static io.keyhole.examples.ExampleSupport.sampleContent;
import static io.keyhole.examples.ExampleSupport.store;
import static io.keyhole.examples.ExampleSupport.uri;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.examples.backend.SampleBackend;
import io.keyhole.examples.spring.KeyholeConfiguration;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.tree.HashedTree;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * The Spring Boot registration: a Spring context built from {@link KeyholeConfiguration} and
 * {@code keyhole.*} properties, whose {@link FilterRegistrationBean} then registers the filter
 * in a real servlet container the way Spring Boot's embedded servers do (through
 * {@code ServletContextInitializer.onStartup} while the context starts).
 */
class SpringConfigurationTest {

    @TempDir
    static Path dir;

    static byte[] report;
    static JsonSocketServer backend;
    static AnnotationConfigApplicationContext spring;
    static Server jetty;

    @BeforeAll
    static void start() throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("files"), 4);
        report = sampleContent("spring");
        store(tree, REPORT_ID, report);
        Path socket = dir.resolve("auth.sock");
        backend = SampleBackend.start(socket, FILES_TSV);
        Path keyFile = Files.write(dir.resolve("jwt.key"), JWT_KEY);

        spring = context(Map.of(
                "keyhole.fs-root", tree.root().toString(),
                "keyhole.mount", "/files/",
                "keyhole.unix-socket", socket.toString(),
                "keyhole.jwt-key", "file:" + keyFile,
                "keyhole.jwt-field", "uid",
                "unrelated.setting", "ignored"));

        @SuppressWarnings("unchecked")
        FilterRegistrationBean<KeyholeFilter> registration = spring.getBean(FilterRegistrationBean.class);
        ServletContextHandler servlets = new ServletContextHandler("/");
        servlets.addServletContainerInitializer((classes, servletContext) -> registration.onStartup(servletContext));
        jetty = ExampleSupport.startJetty(servlets);
    }

    private static AnnotationConfigApplicationContext context(Map<String, Object> properties) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
        context.register(KeyholeConfiguration.class);
        context.refresh();
        return context;
    }

    @AfterAll
    static void stop() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        if (spring != null) {
            spring.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void theRegistrationCoversTheMountAheadOfSpringSecurity() {
        @SuppressWarnings("unchecked")
        FilterRegistrationBean<KeyholeFilter> registration = spring.getBean(FilterRegistrationBean.class);

        assertInstanceOf(KeyholeFilter.class, registration.getFilter());
        assertEquals("keyhole", registration.getFilterName());
        assertEquals(List.of("/files/*"), List.copyOf(registration.getUrlPatterns()));
        assertEquals(KeyholeConfiguration.ORDER, registration.getOrder());
        assertTrue(registration.getOrder() < -100, "Spring Security's filter chain runs at -100");
        assertEquals("/files/", spring.getBean(KeyholeConfig.class).mount());
    }

    @Test
    void theOwnerGetsTheFileThroughTheRegisteredFilter() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/files/" + REPORT_ID), "Authorization", bearer(OWNER));

        assertEquals(200, response.statusCode());
        assertArrayEquals(report, response.body());
        assertEquals("application/pdf", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("private", response.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void anotherUsersFileIs403() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/files/" + NOTES_ID), "Authorization", bearer(OWNER));

        assertEquals(403, response.statusCode());
    }

    @Test
    void requestsOutsideTheMountNeverReachTheFilter() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/elsewhere/" + REPORT_ID), "Authorization", bearer(OWNER));

        assertEquals(404, response.statusCode());
        assertTrue(new String(response.body(), StandardCharsets.ISO_8859_1).indexOf("%PDF") < 0);
    }

    @Test
    void aBadSettingStopsTheApplicationNamingTheKey() {
        BeanCreationException e = assertThrows(BeanCreationException.class, () -> context(Map.of(
                "keyhole.fs-root", dir.toString(),
                "keyhole.unix-socket", dir.resolve("auth.sock").toString(),
                "keyhole.delivery", "carrier-pigeon")).close());

        Throwable cause = e.getMostSpecificCause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("delivery"), cause.getMessage());
    }
}
