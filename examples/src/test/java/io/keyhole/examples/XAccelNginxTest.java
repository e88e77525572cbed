package io.keyhole.examples;

import static io.keyhole.examples.ExampleSupport.FILES_TSV;
import static io.keyhole.examples.ExampleSupport.JWT_KEY;
import static io.keyhole.examples.ExampleSupport.MODULE;
import static io.keyhole.examples.ExampleSupport.NOTES_ID;
import static io.keyhole.examples.ExampleSupport.OWNER;
import static io.keyhole.examples.ExampleSupport.REPORT_ID;
import static io.keyhole.examples.ExampleSupport.REPORT_NAME;
import static io.keyhole.examples.ExampleSupport.STRANGER;
import static io.keyhole.examples.ExampleSupport.bearer;
import static io.keyhole.examples.ExampleSupport.get;
import static io.keyhole.examples.ExampleSupport.sampleContent;
import static io.keyhole.examples.ExampleSupport.store;
import static io.keyhole.examples.ExampleSupport.uri;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.DeliveryMode;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.examples.backend.SampleBackend;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.testing.Nginx;
import io.keyhole.tree.HashedTree;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The X-Accel deployment end to end: a client talks to a real nginx configured from the shipped
 * {@code nginx/x-accel.conf}; nginx proxies to KeyholeFilter on Jetty (delivery
 * {@code x-accel-redirect}), which asks the sample backend over its Unix socket and answers with
 * headers only; nginx then sends the bytes from its internal location.
 */
class XAccelNginxTest {

    static final Path CONF = MODULE.resolve("nginx/x-accel.conf");
    static final String NOTES = "NOTES-OF-USER-1002";

    @TempDir
    static Path dir;

    static HashedTree tree;
    static byte[] report;
    static JsonSocketServer backend;
    static Server jetty;
    static Nginx nginx;

    @BeforeAll
    static void start() throws Exception {
        tree = new HashedTree(dir.resolve("files"), 4);
        report = sampleContent("x-accel");
        store(tree, REPORT_ID, report);
        store(tree, NOTES_ID, NOTES.getBytes(StandardCharsets.UTF_8));
        Path socket = dir.resolve("auth.sock");
        backend = SampleBackend.start(socket, FILES_TSV);

        KeyholeConfig config = KeyholeConfig.builder()
                .fsRoot(tree.root())
                .mount("/files/")
                .unixSocket(socket)
                .jwtKey(JWT_KEY)
                .jwtField("uid")
                .delivery(DeliveryMode.X_ACCEL_REDIRECT)
                .accelPrefix("/protected/")
                .build();
        ServletContextHandler app = new ServletContextHandler("/");
        app.addFilter(new FilterHolder(new KeyholeFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty = ExampleSupport.startJetty(app);

        String template = Files.readString(CONF, StandardCharsets.UTF_8);
        int appPort = uri(jetty, "/").getPort();
        nginx = Nginx.start(port -> fill(template, port, appPort, tree.root()));
    }

    /** The shipped configuration with its placeholders filled in; every placeholder must be used. */
    static String fill(String template, int port, int appPort, Path root) {
        for (String placeholder : new String[] {"@LISTEN@", "@APP@", "@FS_ROOT@"}) {
            assertTrue(template.contains(placeholder), "x-accel.conf uses " + placeholder);
        }
        String conf = template
                .replace("@LISTEN@", "127.0.0.1:" + port)
                .replace("@APP@", "127.0.0.1:" + appPort)
                .replace("@FS_ROOT@", root.toString());
        assertFalse(Pattern.compile("@[A-Z_]+@").matcher(conf).find(), "no placeholder is left");
        return conf;
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (jetty != null) {
            jetty.stop();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static URI viaNginx(String path) {
        return nginx.uri(path);
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void theOwnerGetsTheExactBytesFromNginx() throws Exception {
        HttpResponse<byte[]> response = get(viaNginx("/files/" + REPORT_ID), "Authorization", bearer(OWNER));

        assertEquals(200, response.statusCode(), nginx::errorLog);
        assertArrayEquals(report, response.body());
        assertEquals(String.valueOf(report.length), header(response, "Content-Length"));
        assertEquals("application/pdf", header(response, "Content-Type"), "the backend's type, not nginx's guess");
        assertEquals("private", header(response, "Cache-Control"), "Keyhole's default, kept by nginx");
        assertEquals("nosniff", header(response, "X-Content-Type-Options"), "set by x-accel.conf");
        assertNull(header(response, "X-Accel-Redirect"), "nginx consumes the header");
    }

    @Test
    void keyholesSecurityHeadersSurviveTheRedirect() throws Exception {
        // nginx drops headers it does not know across X-Accel-Redirect; x-accel.conf copies these back.
        HttpResponse<byte[]> direct = get(uri(jetty, "/files/" + NOTES_ID), "Authorization", bearer(STRANGER));
        HttpResponse<byte[]> response = get(viaNginx("/files/" + NOTES_ID), "Authorization", bearer(STRANGER));

        assertEquals(200, response.statusCode(), nginx::errorLog);
        assertEquals(NOTES, new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("sandbox", header(direct, "Content-Security-Policy"), "what Keyhole sends for plain text");
        assertEquals("sandbox", header(response, "Content-Security-Policy"), "Keyhole's policy, through nginx");
        assertEquals(1, response.headers().allValues("X-Content-Type-Options").size(), "once, not twice");
        assertEquals("nosniff", header(response, "X-Content-Type-Options"));
    }

    @Test
    void keyholeItselfSendsOnlyTheRedirectHeader() throws Exception {
        HttpResponse<byte[]> direct = get(uri(jetty, "/files/" + REPORT_ID), "Authorization", bearer(OWNER));

        assertEquals(200, direct.statusCode());
        assertEquals("/protected/3/f/2/a/" + REPORT_ID, header(direct, "X-Accel-Redirect"), "accel-prefix + tree path");
        assertEquals(0, direct.body().length, "the bytes must come from nginx");
        assertEquals("application/pdf", header(direct, "Content-Type"));
    }

    @Test
    void aNonAsciiFilenameSurvivesNginx() throws Exception {
        HttpResponse<byte[]> direct = get(uri(jetty, "/files/" + REPORT_ID), "Authorization", bearer(OWNER));
        HttpResponse<byte[]> proxied = get(viaNginx("/files/" + REPORT_ID), "Authorization", bearer(OWNER));

        String disposition = header(proxied, "Content-Disposition");
        assertEquals(header(direct, "Content-Disposition"), disposition, "nginx passes Keyhole's header unchanged");
        assertTrue(disposition.startsWith("attachment;"), disposition);

        // RFC 6266 §4.3: an ASCII filename= for old clients, filename*= (RFC 8187) with the real name.
        Matcher fallback = Pattern.compile("filename=\"([\\x20-\\x7e]+)\"").matcher(disposition);
        assertTrue(fallback.find(), "an ASCII filename= fallback: " + disposition);
        assertTrue(fallback.group(1).endsWith(".pdf"), fallback.group(1));
        Matcher extended = Pattern.compile("filename\\*=UTF-8''([^;\\s]+)").matcher(disposition);
        assertTrue(extended.find(), "a filename*= parameter: " + disposition);
        assertEquals(REPORT_NAME, URLDecoder.decode(extended.group(1).replace("+", "%2B"), StandardCharsets.UTF_8));
    }

    @Test
    void aRangeIsServedByNginx() throws Exception {
        HttpResponse<byte[]> response = get(viaNginx("/files/" + REPORT_ID),
                "Authorization", bearer(OWNER), "Range", "bytes=100-199");

        assertEquals(206, response.statusCode(), nginx::errorLog);
        assertArrayEquals(Arrays.copyOfRange(report, 100, 200), response.body());
        assertEquals("bytes 100-199/" + report.length, header(response, "Content-Range"));
    }

    @Test
    void aStrangerIsRefusedByKeyholeAndGetsNoBytes() throws Exception {
        // NOTES_ID exists on disk, but belongs to user 1002.
        HttpResponse<byte[]> response = get(viaNginx("/files/" + NOTES_ID), "Authorization", bearer(OWNER));

        assertAll(
                () -> assertEquals(403, response.statusCode()),
                () -> assertFalse(new String(response.body(), StandardCharsets.UTF_8).contains(NOTES),
                        "none of the file's bytes"),
                () -> assertEquals("no-store", header(response, "Cache-Control")));
    }

    @Test
    void withoutATokenNginxRelaysKeyholes401() throws Exception {
        HttpResponse<byte[]> response = get(viaNginx("/files/" + REPORT_ID));

        assertEquals(401, response.statusCode());
        assertFalse(new String(response.body(), StandardCharsets.ISO_8859_1).contains("%PDF"));
    }

    @Test
    void theInternalLocationCannotBeAskedForDirectly() throws Exception {
        HttpResponse<byte[]> response = get(viaNginx("/protected/" + tree.relativePathOf(FileId.parse(REPORT_ID))));

        assertEquals(404, response.statusCode());
        assertFalse(new String(response.body(), StandardCharsets.ISO_8859_1).contains("%PDF"));
    }
}
