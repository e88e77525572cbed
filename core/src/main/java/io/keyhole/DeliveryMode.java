package io.keyhole;

/** How the bytes of a granted file leave the server. */
public enum DeliveryMode {
    /** The JVM sends the bytes itself (zero-copy where the container allows). */
    STREAM("stream"),
    /** nginx sends them: Keyhole answers with {@code X-Accel-Redirect: <accel-prefix><path>}. */
    X_ACCEL_REDIRECT("x-accel-redirect"),
    /** Apache mod_xsendfile or lighttpd sends them: {@code X-Sendfile: <accel-prefix><path>}. */
    X_SENDFILE("x-sendfile"),
    /**
     * The storage sends them: after the grant the client is redirected to a presigned URL of the
     * object, valid for {@code presign-ttl} (a bucket only).
     */
    REDIRECT("redirect");

    private final String key;

    DeliveryMode(String key) {
        this.key = key;
    }

    /** The configuration value, e.g. {@code x-accel-redirect}. */
    public String key() {
        return key;
    }

    /** Whether a front server, not the JVM, sends the bytes, named by a header of Keyhole's answer. */
    public boolean offloaded() {
        return this == X_ACCEL_REDIRECT || this == X_SENDFILE;
    }
}
