package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.spi.StreamRenderer;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code renderer} key and how the filter picks its renderer. This module carries no
 * container adapter, so {@code auto} streams; the adapters' own tests show it picking them.
 */
class RendererSelectionTest {

    static final String ID = "abcdef0123456789abcdef0123456789";

    @TempDir
    Path root;

    static ServletContext container(String serverInfo) {
        return (ServletContext) Proxy.newProxyInstance(RendererSelectionTest.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (proxy, method, args) ->
                        method.getName().equals("getServerInfo") ? serverInfo : null);
    }

    @ParameterizedTest
    @CsvSource({"auto, auto", "stream, stream", "Jetty, jetty", "tomcat, tomcat"})
    void rendererKeyIsReadAsLowerCase(String text, String value) {
        KeyholeConfig config = KeyholeConfig.builder().properties(Map.of("fs-root", root.toString(),
                "unix-socket", "/run/none.sock", "renderer", text)).build();
        assertEquals(value, config.renderer());
    }

    @Test
    void rendererDefaultsToAuto() {
        assertEquals("auto", KeyholeConfig.builder().fsRoot(root).authorizer(q -> AuthResponse.ofStatus(403)).build()
                .renderer());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jetty 12 | renderer must be auto, stream, jetty or tomcat; was 'jetty 12'",
            "../x     | renderer must be auto, stream, jetty or tomcat; was '../x'"})
    void malformedRendererIsRefused(String text, String message) {
        KeyholeConfig.Builder b = KeyholeConfig.builder();
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> b.renderer(text)).getMessage());
    }

    @Test
    void rendererNeedsStreamDelivery() {
        KeyholeConfig.Builder b = KeyholeConfig.builder().fsRoot(root).authorizer(q -> AuthResponse.ofStatus(403))
                .delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/protected/").renderer("jetty");
        assertEquals("renderer=jetty needs delivery=stream; with delivery=x-accel-redirect the front server sends the bytes",
                assertThrows(IllegalArgumentException.class, b::build).getMessage());
    }

    @Test
    void autoWithoutAnAdapterStreams() {
        assertInstanceOf(StreamRenderer.class, Renderers.select("auto", container("jetty/12.1.14")));
        assertInstanceOf(StreamRenderer.class, Renderers.select("auto", null));
        assertInstanceOf(StreamRenderer.class, Renderers.select("stream", container("Apache Tomcat/11.0.25")));
    }

    @Test
    void aNamedRendererThatIsMissingIsAnError() {
        assertEquals("renderer=tomcat is not on the class path (found: none); add io.keyhole:keyhole-tomcat or use"
                        + " renderer=auto",
                assertThrows(IllegalStateException.class, () -> Renderers.select("tomcat", container("x"))).getMessage());
    }

    @Test
    void forcedStreamRendererServesTheFile() throws Exception {
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "streamed");
        try (JettyHarness jetty = JettyHarness.start(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> AuthResponse.ofStatus(200)).renderer("stream").build())) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + ID);
            assertEquals(200, r.status());
            assertArrayEquals("streamed".getBytes(StandardCharsets.UTF_8), r.body());
        }
    }

    @Test
    void aMissingRendererStopsTheFilterFromInitParams() {
        Exception e = assertThrows(Exception.class, () -> JettyHarness.start(Map.of("fs-root", root.toString(),
                "unix-socket", "/run/none.sock", "renderer", "jetty")).close());
        Throwable cause = e;
        while (cause != null && !(cause instanceof ServletException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null && cause.getMessage().endsWith(": renderer=jetty is not on the class path (found: none);"
                + " add io.keyhole:keyhole-jetty or use renderer=auto"), String.valueOf(e));
    }
}
