package io.keyhole.examples;

import io.keyhole.FileId;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** What the example tests share: the shipped files, tokens, a tree, Jetty and an HTTP client. */
final class ExampleSupport {

    /** The module's directory (Surefire runs tests there, and says so in {@code basedir}). */
    static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();

    /** The sample backend's table shipped with the examples. */
    static final Path FILES_TSV = MODULE.resolve("backend/files.tsv");

    /** In the table: owned by user 1001, a PDF with a Czech name, served as an attachment. */
    static final String REPORT_ID = "3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7";
    static final String REPORT_NAME = "Zpráva č. 1.pdf";
    /** In the table: owned by user 1002, plain text, inline. */
    static final String NOTES_ID = "b07e5a19c3d4e5f60718293a4b5c6d7e";
    /** Not in the table. */
    static final String UNKNOWN_ID = "0123456789abcdef0123456789abcdef";

    static final String OWNER = "1001";
    static final String STRANGER = "1002";

    /** HS256 needs at least 256 bits of key. */
    static final byte[] JWT_KEY = "an example HMAC key, 32+ bytes long".getBytes(StandardCharsets.US_ASCII);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ExampleSupport() {
    }

    /** A JWT carrying {@code uid}, valid for five minutes. */
    static String token(String uid) {
        return Tokens.hs256(JWT_KEY, uid, Instant.now().plus(Duration.ofMinutes(5)));
    }

    /** Writes {@code content} where the tree keeps {@code id}. */
    static Path store(HashedTree tree, String id, byte[] content) throws IOException {
        Path file = tree.pathOf(FileId.parse(id));
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** Content that is easy to recognise and not plain text. */
    static byte[] sampleContent(String label) {
        byte[] head = ("%PDF-1.7 " + label + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] content = new byte[head.length + 3000];
        System.arraycopy(head, 0, content, 0, head.length);
        for (int i = head.length; i < content.length; i++) {
            content[i] = (byte) (i * 31 + 7);
        }
        return content;
    }

    /** Starts Jetty on a free loopback port. */
    static Server startJetty(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        return server;
    }

    static URI uri(Server server, String path) {
        return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
    }

    /** A GET with the given header name/value pairs. */
    static HttpResponse<byte[]> get(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String bearer(String uid) {
        return "Bearer " + token(uid);
    }
}
