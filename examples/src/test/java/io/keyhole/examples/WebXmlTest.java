package io.keyhole.examples;

import static io.keyhole.examples.ExampleSupport.FILES_TSV;
import static io.keyhole.examples.ExampleSupport.JWT_KEY;
import static io.keyhole.examples.ExampleSupport.MODULE;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.backend.JsonSocketServer;
import io.keyhole.examples.backend.SampleBackend;
import io.keyhole.tree.HashedTree;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code WEB-INF/web.xml}, deployed as a web application on Jetty 12 (ee10): the
 * container reads the descriptor, instantiates {@code KeyholeFilter} and hands it the
 * init-params. Only the three site-specific values are pointed at this test's directory.
 */
class WebXmlTest {

    static final Path WEB_XML = MODULE.resolve("src/main/webapp/WEB-INF/web.xml");

    @TempDir
    static Path dir;

    static byte[] report;
    static JsonSocketServer backend;
    static Server jetty;

    @BeforeAll
    static void deploy() throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("files"), 4);
        report = sampleContent("web.xml");
        store(tree, REPORT_ID, report);
        Path socket = dir.resolve("auth.sock");
        backend = SampleBackend.start(socket, FILES_TSV);
        Path keyFile = Files.write(dir.resolve("jwt.key"), JWT_KEY);

        String descriptor = Files.readString(WEB_XML, StandardCharsets.UTF_8);
        String site = replaceOnce(descriptor, "/var/lib/keyhole/files", tree.root().toString());
        site = replaceOnce(site, "/run/keyhole/auth.sock", socket.toString());
        site = replaceOnce(site, "file:/etc/keyhole/jwt.key", "file:" + keyFile);
        Path webapp = dir.resolve("webapp");
        Files.createDirectories(webapp.resolve("WEB-INF"));
        Files.writeString(webapp.resolve("WEB-INF/web.xml"), site, StandardCharsets.UTF_8);

        WebAppContext context = new WebAppContext();
        context.setContextPath("/app");
        context.setBaseResourceAsPath(webapp);
        // The filter's classes come from the test class path, as they would from WEB-INF/lib.
        context.setParentLoaderPriority(true);
        jetty = ExampleSupport.startJetty(context);
        assertTrue(context.isAvailable(), "the web application deployed");
    }

    private static String replaceOnce(String text, String placeholder, String value) {
        assertEquals(1, text.split(java.util.regex.Pattern.quote(placeholder), -1).length - 1,
                "web.xml names " + placeholder + " exactly once");
        return text.replace(placeholder, value);
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void theOwnerGetsTheFile() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/app/files/" + REPORT_ID), "Authorization", bearer(OWNER));

        assertEquals(200, response.statusCode());
        assertArrayEquals(report, response.body());
        assertEquals("application/pdf", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("private, max-age=300", response.headers().firstValue("Cache-Control").orElseThrow(),
                "cache-control init-param");
        assertTrue(response.headers().firstValue("Content-Disposition").orElseThrow().startsWith("attachment"));
    }

    @Test
    void withoutATokenTheAnswerIs401() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/app/files/" + REPORT_ID));

        assertEquals(401, response.statusCode());
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    }

    @Test
    void anotherUsersFileIs403() throws Exception {
        HttpResponse<byte[]> response = get(uri(jetty, "/app/files/" + NOTES_ID), "Authorization", bearer(OWNER));

        assertEquals(403, response.statusCode());
    }
}
