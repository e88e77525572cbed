package io.keyhole.cli;

import io.keyhole.KeyholeConfig;
import io.keyhole.testing.LifecycleCheck.Container;
import io.keyhole.testing.LifecycleCheck;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyhole serve} stops on SIGTERM by running {@link FileServer#stop()} from its shutdown
 * hook; here the same server, configured as {@code serve} configures it, is stopped in this JVM so
 * that what it leaves can be counted: no connection, thread (the server's own {@code keyhole-http}
 * pool included), descriptor or mapping of Keyhole's (see {@link LifecycleCheck}).
 * {@link ServeCommandTest} covers the signal itself in a child JVM.
 */
class ServeLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void stoppingTheServerClosesTheSqlPool() throws Exception {
        System.out.println(LifecycleCheck.sql("keyhole serve, sql", dir, ServeLifecycleTest::serve));
    }

    @Test
    void stoppingTheServerLeavesNothingOfTheUnixSocketTransport() throws Exception {
        System.out.println(LifecycleCheck.unixSocket("keyhole serve, json over unix", dir, ServeLifecycleTest::serve));
    }

    private static Container serve(Map<String, String> settings) throws Exception {
        FileServer server = FileServer.start(KeyholeConfig.fromProperties(settings), Listen.parse("127.0.0.1:0"));
        return new Running(server, server.uri());
    }

    /**
     * Holds the server, and through it the handler, which Jetty keeps once stopped (it was handed
     * an instance), so that only its stop can close its pool (see {@link Container}).
     */
    private record Running(FileServer server, URI mount) implements Container {
        @Override
        public void stop() throws Exception {
            server.stop();
        }
    }
}
