package io.keyhole;

/** How the bytes of a granted file leave the server. */
public enum DeliveryMode {
    /** The JVM sends the bytes itself (zero-copy where the container allows). */
    STREAM("stream"),
    /** nginx sends them: Keyhole answers with {@code X-Accel-Redirect: <accel-prefix><path>}. */
    X_ACCEL_REDIRECT("x-accel-redirect"),
    /** Apache mod_xsendfile or lighttpd sends them: {@code X-Sendfile: <accel-prefix><path>}. */
    X_SENDFILE("x-sendfile");

    private final String key;

    DeliveryMode(String key) {
        this.key = key;
    }

    /** The configuration value, e.g. {@code x-accel-redirect}. */
    public String key() {
        return key;
    }

    /** Whether a front server, not the JVM, sends the bytes. */
    public boolean offloaded() {
        return this != STREAM;
    }
}
