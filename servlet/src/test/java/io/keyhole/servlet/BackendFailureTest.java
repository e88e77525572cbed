package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend that is absent, hung or incoherent never yields a file, and never a hang: fail closed. */
class BackendFailureTest {

    static final String ID = "abcdef0123456789";

    @TempDir
    Path dir;

    @BeforeEach
    void file() throws Exception {
        Path file = new HashedTree(dir, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "secret bytes");
    }

    private JettyHarness keyhole(Path socket) throws Exception {
        return JettyHarness.start(Map.of(
                "fs-root", dir.toString(), "fs-depth", "2",
                "unix-socket", socket.toString(),
                "auth-connect-timeout", "300ms",
                "auth-timeout", "1500ms"));
    }

    @Test
    void absentSocketGives503() throws Exception {
        try (JettyHarness jetty = keyhole(dir.resolve("nobody-here.sock"))) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertEquals(503, r.status());
            assertEquals("no-store", r.header("Cache-Control"));
            assertFalse(r.text().contains("secret"));
        }
    }

    @Test
    void hungBackendGives504WithinTheDeadline() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("hang.sock"), q -> FakeBackend.HANG);
             JettyHarness jetty = keyhole(backend.socket())) {
            long start = System.nanoTime();
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/" + ID);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, r.status());
            assertFalse(r.text().contains("secret"));
            // the deadline is 1.5 s; a generous bound still proves the request did not hang
            assertTrue(tookMs >= 1_500 && tookMs < 15_000, "took " + tookMs + " ms");
        }
    }

    @Test
    void garbageAnswerGives502() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("garbage.sock"), q -> FakeBackend.GARBAGE);
             JettyHarness jetty = keyhole(backend.socket())) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertEquals(502, r.status());
            assertFalse(r.text().contains("secret"));
        }
    }

    @Test
    void backendClosingWithoutAnswerFailsClosed() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("close.sock"), q -> FakeBackend.CLOSE);
             JettyHarness jetty = keyhole(backend.socket())) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertTrue(r.status() == 502 || r.status() == 503, "status " + r.status());
            assertFalse(r.text().contains("secret"));
        }
    }

    @Test
    void seedStyleAnswerIsUnderstoodUnchanged() throws Exception {
        // exactly the seed's answer format, misspelt disposition key included
        String seedAnswer = """
                {"status": 200, "filename": "report.txt", "content_type": "text/plain",
                 "content_dispostion": "attachment", "etag": "00000000000000000000000000000000",
                 "length": 12, "upload_date": 1600000000}""";
        try (FakeBackend backend = FakeBackend.start(dir.resolve("seed.sock"), q -> seedAnswer);
             JettyHarness jetty = keyhole(backend.socket())) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertEquals(200, r.status());
            assertEquals("secret bytes", r.text());
            assertEquals("text/plain", r.header("Content-Type"));
            assertEquals("attachment; filename=\"report.txt\"", r.header("Content-Disposition"));
            assertEquals("Sun, 13 Sep 2020 12:26:40 GMT", r.header("Last-Modified"));
            assertFalse(r.header("ETag").contains("000000"), "the shared all-zero tag is never used");
            assertEquals("{\"uri\":\"/" + ID + "\"}", backend.requests().get(0).replaceAll("\\s", ""));
        }
    }
}
