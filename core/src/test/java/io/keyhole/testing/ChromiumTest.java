package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The browser fixture itself, against the JDK's small HTTP server: navigation, script, network, cookies. */
class ChromiumTest {

    @Test
    void drivesARealBrowser() throws Exception {
        List<String> cookies = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String host = exchange.getRequestHeaders().getFirst("Host");
            String cookie = exchange.getRequestHeaders().getFirst("Cookie");
            if (!exchange.getRequestURI().getPath().equals("/favicon.ico")) {
                cookies.add(host.substring(0, host.indexOf(':')) + " " + (cookie == null ? "-" : cookie));
            }
            byte[] body;
            if (exchange.getRequestURI().getPath().equals("/moved")) {
                exchange.getResponseHeaders().add("Location", "/page");
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            body = ("<title>" + host.substring(0, host.indexOf('.')) + "</title>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.getResponseHeaders().add("Set-Cookie", "seen=" + host.substring(0, host.indexOf('.')));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        int port = server.getAddress().getPort();
        try (Chromium chromium = Chromium.start()) {
            Chromium.Tab tab = chromium.open();
            tab.navigate("http://one.localhost:" + port + "/moved");
            assertEquals("one", tab.evaluate("document.title").asText());
            assertEquals(6, tab.evaluate("new Promise(r => r(2 * 3))").asInt());
            List<Chromium.Exchange> exchanges = tab.exchanges();
            assertEquals(302, exchanges.get(0).status());
            assertEquals("/page", exchanges.get(0).location());
            assertEquals(200, exchanges.get(1).status());
            assertArrayEquals("<title>one</title>".getBytes(StandardCharsets.UTF_8), tab.body(exchanges.get(1).requestId()));

            tab.navigate("http://two.localhost:" + port + "/page");
            tab.navigate("http://one.localhost:" + port + "/page");
            // each *.localhost name is its own host: a cookie set by one never goes to the other
            assertEquals(List.of("one.localhost -", "one.localhost -", "two.localhost -", "one.localhost seen=one"),
                    cookies);
        } finally {
            server.stop(0);
        }
    }
}
