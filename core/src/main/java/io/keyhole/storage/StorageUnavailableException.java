package io.keyhole.storage;

import java.io.IOException;

/**
 * The storage could not be reached, or did not answer in time: a bucket that is down, refuses
 * connections, or hangs. Requests fail with 503, or 504 when {@link #timedOut()}, and never wait
 * longer than the storage's timeout.
 */
public class StorageUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    private final boolean timedOut;

    /**
     * @param message  what failed, with where and how long it took; never a secret
     * @param timedOut whether the storage did not answer within its timeout (504), rather than refusing (503)
     */
    public StorageUnavailableException(String message, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.timedOut = timedOut;
    }

    /** Whether the storage did not answer in time (504) rather than being unreachable (503). */
    public boolean timedOut() {
        return timedOut;
    }
}
