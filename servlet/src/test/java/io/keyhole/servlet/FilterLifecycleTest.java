package io.keyhole.servlet;

import io.keyhole.testing.LifecycleCheck.Container;
import io.keyhole.testing.LifecycleCheck;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the filter built from init-params, it closes when the container destroys it: after Jetty
 * stopped, no connection, thread, descriptor or mapping of Keyhole's is left (see
 * {@link LifecycleCheck} for what is counted and how).
 */
class FilterLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void stoppingJettyClosesTheSqlPool() throws Exception {
        System.out.println(LifecycleCheck.sql("filter on Jetty, sql", dir, FilterLifecycleTest::jetty));
    }

    @Test
    void stoppingJettyLeavesNothingOfTheUnixSocketTransport() throws Exception {
        System.out.println(LifecycleCheck.unixSocket("filter on Jetty, json over unix", dir, FilterLifecycleTest::jetty));
    }

    @Test
    void stoppingJettyClosesTheHttpTransport() throws Exception {
        System.out.println(LifecycleCheck.http("filter on Jetty, json over http", dir, FilterLifecycleTest::jetty));
    }

    /** The filter configured by the container from init-params, as web.xml would have it. */
    private static Container jetty(Map<String, String> settings) throws Exception {
        KeyholeFilter filter = new KeyholeFilter();
        JettyHarness jetty = JettyHarness.start(filter, settings);
        return new Running(jetty, filter, URI.create("http://127.0.0.1:" + jetty.port() + "/files/"));
    }

    /** Holds the filter, so that only destroy() can close its pool (see {@link Container}). */
    private record Running(JettyHarness jetty, KeyholeFilter filter, URI mount) implements Container {
        @Override
        public void stop() throws Exception {
            jetty.close();
        }
    }
}
