package io.keyhole.spring.boot.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.FileId;
import io.keyhole.testing.Wire;
import io.keyhole.tree.HashedTree;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * A Spring Boot application started for a test on a free port of the loopback interface, on
 * the embedded container the test run chose ({@code keyhole.container}: the other one is not on
 * the class path). Only API that Boot 3.5 and 4.0 share is used, so the same test runs on both.
 */
final class BootApp implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final ConfigurableApplicationContext context;
    final String base;

    private BootApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    /** Starts {@code sources} with {@code properties} (besides the port and address). */
    static BootApp start(Map<String, String> properties, Class<?>... sources) {
        return new BootApp(builder(properties, sources).run());
    }

    static SpringApplicationBuilder builder(Map<String, String> properties, Class<?>... sources) {
        List<String> props = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "spring.main.banner-mode=off", "logging.level.root=WARN"));
        properties.forEach((k, v) -> props.add(k + "=" + v));
        return new SpringApplicationBuilder(sources).properties(props.toArray(String[]::new));
    }

    /** The container this run is meant to test: {@code tomcat} or {@code jetty}. */
    static String container() {
        return System.getProperty("keyhole-test.container", "tomcat");
    }

    HttpResponse<byte[]> get(String path, String... headers) throws IOException {
        return Wire.send("GET", base + path, headers);
    }

    JsonNode json(String path) throws IOException {
        HttpResponse<byte[]> r = get(path);
        assertEquals(200, r.statusCode(), () -> path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        return JSON.readTree(r.body());
    }

    /**
     * The count of a counter (or timer) from Actuator's metrics endpoint, 0 when it does not exist
     * yet. {@code tags} like {@code outcome:granted}.
     */
    double count(String meter, String... tags) throws IOException {
        StringBuilder path = new StringBuilder("/actuator/metrics/" + meter);
        for (int i = 0; i < tags.length; i++) {
            path.append(i == 0 ? '?' : '&').append("tag=").append(tags[i]);
        }
        HttpResponse<byte[]> r = get(path.toString());
        if (r.statusCode() == 404) {
            return 0;
        }
        assertEquals(200, r.statusCode(), () -> path + ": " + new String(r.body(), StandardCharsets.UTF_8));
        for (JsonNode m : JSON.readTree(r.body()).get("measurements")) {
            if (m.get("statistic").asText().equals("COUNT")) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError(meter + " has no COUNT");
    }

    /**
     * Waits until {@code value} equals {@code expected}: servers count a request after its
     * response has left, so the client may look first. Fails after 10 s with the last value.
     */
    static <T> void eventually(T expected, Supplier<T> value, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        T last = value.get();
        while (!expected.equals(last) && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
            last = value.get();
        }
        assertEquals(expected, last, what);
    }

    /** Throws unchecked, for use inside {@link #eventually}. */
    static <T> T unchecked(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    interface IoCall<T> {
        T call() throws IOException;
    }

    @Override
    public void close() {
        context.close();
        assertTrue(!context.isActive());
    }

    /**
     * A filter ahead of everything (Keyhole included) that records, after the chain returned, which
     * container served and how the body left: on Tomcat the sendfile file name Keyhole handed over,
     * on Jetty the bytes that went through the servlet output stream.
     */
    static FilterRegistrationBean<Filter> probe(BlockingQueue<Seen> seen) {
        FilterRegistrationBean<Filter> r = new FilterRegistrationBean<>((req, res, chain) -> {
            chain.doFilter(req, res);
            String server = req.getServletContext().getServerInfo();
            seen.add(new Seen(((jakarta.servlet.http.HttpServletRequest) req).getRequestURI(), server,
                    (String) req.getAttribute("org.apache.tomcat.sendfile.filename"),
                    server.toLowerCase(java.util.Locale.ROOT).contains("jetty") ? JettyProbe.servletStreamBytes(req) : -1));
        });
        r.setOrder(Ordered.HIGHEST_PRECEDENCE);
        r.addUrlPatterns("/files/*");
        return r;
    }

    static BlockingQueue<Seen> queue() {
        return new LinkedBlockingQueue<>();
    }

    /**
     * What {@link #probe} saw of the next request for the file {@code id}, skipping others: the
     * probe records after the response has left, so an earlier request's record may come late.
     */
    static Seen seen(BlockingQueue<Seen> seen, String id) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        for (Seen s; (s = seen.poll(Duration.between(Instant.now(), deadline).toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
            if (s.path().endsWith("/" + id)) {
                return s;
            }
        }
        throw new AssertionError("no request for " + id + " finished within 10 s");
    }

    /** What {@link #probe} saw of one request. */
    record Seen(String path, String server, String sendfile, long servletStreamBytes) {

        /**
         * That the body of {@code file} left by the container's zero-copy path: Tomcat was handed
         * the file for sendfile; Jetty's servlet output stream carried none of it (the body went
         * through Jetty's core response, as in keyhole-jetty's own tests).
         */
        void assertZeroCopy(Path file) throws IOException {
            if (container().equals("tomcat")) {
                assertEquals(file.toRealPath().toString(), sendfile, "Tomcat was handed the file for sendfile");
            } else {
                assertEquals(0, servletStreamBytes, "bytes through Jetty's servlet output stream in " + server);
            }
        }
    }

    /** Writes {@code size} random bytes as the file {@code id} of the tree of depth 2 at {@code root}; returns them. */
    static byte[] writeFile(Path root, String id, int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(id));
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return content;
    }
}
