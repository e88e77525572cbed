package io.keyhole.tomcat;

import io.keyhole.testing.LifecycleCheck.Container;
import io.keyhole.testing.LifecycleCheck;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping Tomcat stops {@link KeyholeValve}, which destroys its filter and so closes what
 * Keyhole started: after Tomcat stopped, no connection, thread, descriptor or mapping of
 * Keyhole's is left (see {@link LifecycleCheck} for what is counted and how).
 */
class ValveLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void stoppingTomcatClosesTheSqlPool() throws Exception {
        System.out.println(LifecycleCheck.sql("valve on Tomcat " + ServerInfo.getServerNumber() + ", sql", dir,
                settings -> tomcat(dir, settings)));
    }

    @Test
    void stoppingTomcatLeavesNothingOfTheUnixSocketTransport() throws Exception {
        System.out.println(LifecycleCheck.unixSocket("valve on Tomcat " + ServerInfo.getServerNumber() + ", json over unix",
                dir, settings -> tomcat(dir, settings)));
    }

    /** The valve configured as context.xml would: one property per attribute. */
    private static Container tomcat(Path dir, Map<String, String> settings) throws Exception {
        KeyholeValve valve = new KeyholeValve();
        settings.forEach(valve::setProperty);
        TomcatServer tomcat = new TomcatServer(Files.createTempDirectory(dir, "tomcat"))
                .start(context -> context.getPipeline().addValve(valve));
        return new Running(tomcat, valve, URI.create(tomcat.base() + "files/"));
    }

    /** Holds the valve, so that only stopping it can close its Keyhole's pool (see {@link Container}). */
    private record Running(TomcatServer tomcat, KeyholeValve valve, URI mount) implements Container {
        @Override
        public void stop() throws Exception {
            tomcat.close();
        }
    }
}
