package io.keyhole.storage;

import io.keyhole.internal.Logs;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frees a thread blocked in {@code open(2)}. Opening a FIFO for reading blocks until a writer
 * comes, and Java has no {@code O_NONBLOCK}: a FIFO swapped in at a file's name between the check
 * and the open would hold the request's thread forever. When the {@link io.keyhole.internal.Watchdog}
 * deadline fires, this opens the same name for reading and writing (Linux never blocks that
 * open of a FIFO, and it counts as a writer), which releases the reader, and closes it at once.
 *
 * <p>The attempt runs on a thread of its own, not on the watchdog's, whose other deadlines must
 * not wait for a file system. When the FIFO has been moved away from the name meanwhile, the
 * attempt cannot reach it: it is repeated once per bound until the open returns (one
 * {@code open} per bound costs nothing, and a FIFO that comes back is caught soon).
 */
final class OpenRescue implements Runnable {

    private static final System.Logger LOG = Logs.of(LocalStorage.class);
    /** Rescues started in this JVM: what a test of the race counts. */
    private static final AtomicLong STARTED = new AtomicLong();

    /** Opens the name for writing and closes it; must not create or truncate anything. */
    interface Release {
        void release() throws IOException;
    }

    private final Release release;
    /** With {@link #relativePath}, the name, for log lines: put together only when one is written. */
    private final Object base;
    private final String relativePath;
    private final long boundNanos;
    /** Guarded by {@code this}. */
    private boolean returned;

    /**
     * @param base         the directory, or the whole name when {@code relativePath} is {@code null}; for log lines
     * @param relativePath the name below {@code base}, or {@code null}
     */
    OpenRescue(Release release, Object base, String relativePath, long boundNanos) {
        this.release = release;
        this.base = base;
        this.relativePath = relativePath;
        this.boundNanos = boundNanos;
    }

    /** The deadline passed: start releasing. Runs on the watchdog's thread, so it only starts a thread. */
    @Override
    public void run() {
        STARTED.incrementAndGet();
        Thread thread = new Thread(this::releaseUntilReturned, "keyhole-open-rescue");
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        thread.start();
    }

    /** Rescues started in this JVM so far. */
    static long started() {
        return STARTED.get();
    }

    /** The guarded open returned (or failed): stop any releasing. */
    synchronized void returned() {
        returned = true;
        notifyAll();
    }

    private void releaseUntilReturned() {
        String what = relativePath == null ? String.valueOf(base) : base + "/" + relativePath;
        LOG.log(Level.WARNING, "opening {0} has not returned after {1} ms: something other than a regular file (a"
                + " FIFO?) took the file''s place; releasing the reader, and refusing the file",
                what, TimeUnit.NANOSECONDS.toMillis(boundNanos));
        for (long attempt = 1; ; attempt++) {
            try {
                release.release();
            } catch (IOException | RuntimeException e) {
                // E.g. the name is a regular file now, or is gone: the reader may still be released by a later attempt.
                LOG.log(Level.DEBUG, "releasing the reader of " + what + " failed", e);
            }
            synchronized (this) {
                try {
                    long until = System.nanoTime() + boundNanos;
                    for (long wait = boundNanos; !returned && wait > 0; wait = until - System.nanoTime()) {
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
            if (Long.bitCount(attempt) == 1) {
                // 1, 2, 4, 8... attempts: the operator hears of it without a line per bound.
                LOG.log(Level.WARNING, "opening {0} is still blocked after {1} attempts to release it: the FIFO has"
                        + " been moved away from that name; it is tried again every {2} ms, and whoever opens"
                        + " the FIFO for writing frees the thread", what, attempt,
                        TimeUnit.NANOSECONDS.toMillis(boundNanos));
            }
        }
    }
}
