package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyhole.AuthResponse;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The filter mapped to {@code /*}, as a {@code web.xml} often has it, in the context {@code /app}
 * with the application's default servlet behind it: what lies outside the mount goes down the
 * chain, what the container maps below it (or to the mount without its slash) never does.
 */
class FilterOnEverythingTest {

    @TempDir
    static Path root;
    static Server server;
    static int port;
    static final List<String> reached = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        TestTree.create(root, 2_000);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .jwtKey(Tokens.KEY).jwtField("uid").authorizer(q -> AuthResponse.ofStatus(200)).build();
        context.addFilter(new FilterHolder(new KeyholeFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(AdapterContract.application(reached::add)), "/");
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @BeforeEach
    void forget() {
        reached.clear();
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        // outside the mount: the application's
        "/app/index.html,                                   200, application",
        "/app/filesx/" + TestTree.SMALL + ",                200, application",
        "/app/FILES/" + TestTree.SMALL + ",                 200, application",
        "/app/,                                             200, application",
        // the mount as Jetty maps it: Keyhole's
        "/app/files/" + TestTree.SMALL + ",                 200, keyhole",
        "/app/fil%65s/" + TestTree.SMALL + ",               200, keyhole",
        "/app/files;x/" + TestTree.SMALL + ",               200, keyhole",
        "/app/x/../files/" + TestTree.SMALL + ",            200, keyhole",
        "/app/files,                                        404, keyhole",
        "/app/files/,                                       404, keyhole",
        "/app/files/index.html,                             404, keyhole",
    })
    void routing(String target, int status, String who) throws IOException {
        RawHttp.Response r = RawHttp.request(port, "GET", target, "Authorization: Bearer " + Tokens.valid("alice"));
        assertEquals(status, r.status(), target + ": " + r.text());
        if (who.equals("application")) {
            assertEquals("application", r.text());
            assertEquals(List.of(target), reached);
        } else {
            assertEquals(List.of(), reached, target + " went past Keyhole");
        }
    }
}
