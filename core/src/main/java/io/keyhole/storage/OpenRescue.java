package io.keyhole.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Frees a thread blocked in {@code open(2)}. Opening a FIFO for reading blocks until a writer
 * comes, and Java has no {@code O_NONBLOCK}: a FIFO swapped in at a file's name between the check
 * and the open would hold the request's thread forever. When the {@link io.keyhole.internal.Watchdog}
 * deadline fires, this opens the same name for reading and writing (Linux never blocks that
 * open of a FIFO, and it counts as a writer), which releases the reader, and closes it at once.
 *
 * <p>The attempt runs on a thread of its own, not on the watchdog's, whose other deadlines must
 * not wait for a file system. When the FIFO has been moved away from the name meanwhile, the
 * attempt cannot reach it: it is repeated, less and less often, until the open returns.
 */
final class OpenRescue implements Runnable {

    private static final System.Logger LOG = System.getLogger(LocalStorage.class.getName());
    private static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** Opens the name for writing and closes it; must not create or truncate anything. */
    interface Release {
        void release() throws IOException;
    }

    private final Release release;
    private final String what;
    private final long boundNanos;
    /** Guarded by {@code this}. */
    private boolean returned;

    /** @param what the name, for log lines */
    OpenRescue(Release release, String what, long boundNanos) {
        this.release = release;
        this.what = what;
        this.boundNanos = boundNanos;
    }

    /** The deadline passed: start releasing. Runs on the watchdog's thread, so it only starts a thread. */
    @Override
    public void run() {
        Thread thread = new Thread(this::releaseUntilReturned, "keyhole-open-rescue");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        thread.start();
    }

    /** The guarded open returned (or failed): stop any releasing. */
    synchronized void returned() {
        returned = true;
        notifyAll();
    }

    private void releaseUntilReturned() {
        LOG.log(Level.WARNING, "opening {0} has not returned after {1} ms: something other than a regular file (a"
                + " FIFO?) took the file''s place; releasing the reader, and refusing the file",
                what, TimeUnit.NANOSECONDS.toMillis(boundNanos));
        long pause = boundNanos;
        for (int attempt = 1; ; attempt++) {
            try {
                release.release();
            } catch (IOException | RuntimeException e) {
                // E.g. the name is a regular file now, or is gone: the reader may still be released by a later attempt.
                LOG.log(Level.DEBUG, "releasing the reader of " + what + " failed", e);
            }
            synchronized (this) {
                try {
                    long until = System.nanoTime() + pause;
                    for (long wait = pause; !returned && wait > 0; wait = until - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.timedWait(this, wait);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (returned) {
                    return;
                }
            }
            LOG.log(Level.WARNING, "opening {0} is still blocked after {1} attempts to release it: the FIFO has"
                    + " been moved away from that name; whoever opens it for writing frees the thread", what, attempt);
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }
}
