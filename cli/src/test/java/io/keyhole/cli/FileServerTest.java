package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which assembly {@code keyhole serve} runs: Jetty's core handler whenever Keyhole sends the bytes itself. */
class FileServerTest {

    @TempDir
    Path root;

    KeyholeConfig.Builder tree() {
        return KeyholeConfig.builder().fsRoot(root).unixSocket(root.resolve("a.sock"));
    }

    @Test
    void keyholeSendingTheBytesRunsOnTheCoreHandlerWithoutServlets() {
        assertEquals(true, FileServer.core(tree().build()));
        assertEquals(true, FileServer.core(tree().renderer("jetty").build()));
    }

    @Test
    void offloadedDeliveryStreamingAndMediaKeepTheFilter() {
        assertEquals(false, FileServer.core(tree().delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/p/").build()));
        assertEquals(false, FileServer.core(tree().renderer("stream").build()));
        assertEquals(false, FileServer.core(KeyholeConfig.builder().properties(java.util.Map.of(
                "media-url", "/media/", "media-root", root.toString())).build()));
    }
}
