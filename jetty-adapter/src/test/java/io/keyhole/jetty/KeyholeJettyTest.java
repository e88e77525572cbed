package io.keyhole.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.tree.HashedTree;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyholeJettyTest {

    @TempDir
    Path root;

    @Test
    void servesAGrantedFileAndLeavesOtherPathsAlone() throws Exception {
        String id = "0123456789abcdef";
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(id));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "from jetty");
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        KeyholeJetty.mount(context, KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> q.fileId().value().equals(id) ? AuthResponse.ofStatus(200) : AuthResponse.ofStatus(403))
                .build());
        server.setHandler(context);
        server.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + connector.getLocalPort() + "/app";
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create(base + "/files/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertEquals("from jetty", ok.body());
            HttpResponse<String> denied = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/files/fedcba9876543210")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, denied.statusCode());
        } finally {
            server.stop();
        }
    }
}
