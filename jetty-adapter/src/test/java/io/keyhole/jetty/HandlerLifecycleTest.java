package io.keyhole.jetty;

import io.keyhole.KeyholeConfig;
import io.keyhole.testing.LifecycleCheck.Container;
import io.keyhole.testing.LifecycleCheck;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the server stops {@link KeyholeHandler}, which closes what its Keyhole started: after
 * Jetty stopped, no connection, thread, descriptor or mapping of Keyhole's is left (see
 * {@link LifecycleCheck} for what is counted and how).
 */
class HandlerLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void stoppingJettyClosesTheSqlPool() throws Exception {
        System.out.println(LifecycleCheck.sql("handler on Jetty, sql", dir, HandlerLifecycleTest::jetty));
    }

    @Test
    void stoppingJettyLeavesNothingOfTheUnixSocketTransport() throws Exception {
        System.out.println(LifecycleCheck.unixSocket("handler on Jetty, json over unix", dir, HandlerLifecycleTest::jetty));
    }

    private static Container jetty(Map<String, String> settings) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        KeyholeHandler handler = new KeyholeHandler(KeyholeConfig.fromProperties(settings));
        server.setHandler(handler);
        server.start();
        return new Running(server, handler, URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/files/"));
    }

    /** Holds the handler, so that only doStop() can close its Keyhole's pool (see {@link Container}). */
    private record Running(Server server, KeyholeHandler handler, URI mount) implements Container {
        @Override
        public void stop() throws Exception {
            server.stop();
        }
    }
}
