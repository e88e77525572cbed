package io.keyhole.tomcat;

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
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyholeTomcatTest {

    @TempDir
    Path root;
    @TempDir
    Path base;

    @Test
    void servesAGrantedFileWithRangesOnTomcat() throws Exception {
        String id = "0123456789abcdef";
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(id));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "from tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/app", base.toString());
        // Tomcat runs filters only for requests mapped to some servlet, as every real app has
        Tomcat.addServlet(context, "fallback", new jakarta.servlet.http.HttpServlet() {
            @Override
            protected void service(jakarta.servlet.http.HttpServletRequest req,
                                   jakarta.servlet.http.HttpServletResponse resp) {
                resp.setStatus(404);
            }
        });
        context.addServletMapping("/", "fallback");
        KeyholeTomcat.mount(context, KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> AuthResponse.ofStatus(200)).build());
        tomcat.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/files/" + id);
            HttpResponse<String> full = client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, full.statusCode());
            assertEquals("from tomcat", full.body());
            HttpResponse<String> part = client.send(HttpRequest.newBuilder(uri).header("Range", "bytes=5-10").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(206, part.statusCode());
            assertEquals("tomcat", part.body());
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }
}
