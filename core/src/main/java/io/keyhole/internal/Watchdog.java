package io.keyhole.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.Channel;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deadlines for blocking calls that take no timeout. A blocking channel operation fails at once
 * with {@link java.nio.channels.AsynchronousCloseException} when another thread closes the
 * channel: this is how every authorisation exchange's deadline is enforced without a selector per
 * exchange ({@link #close}). An {@code open(2)} of a FIFO blocks until a writer comes, and nothing
 * can close what is not open yet: the storage's deadline instead runs an action that gives the
 * FIFO a writer ({@link #after}).
 *
 * <p>One daemon thread serves the whole JVM and ends after a minute without work, so a web
 * application that is undeployed leaves no thread behind for long. Actions run on that thread,
 * one after the other, so an action must not block: one that might hands its work to a thread of
 * its own.
 */
public final class Watchdog {

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Watchdog() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "keyhole-deadline-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            // Not the creating request thread's loader: a web application's loader must not be pinned by us.
            thread.setContextClassLoader(null);
            return thread;
        };
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, factory);
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(60, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    /** A deadline on one blocking call; {@link #cancel()} it when the guarded work finished in time. */
    public static final class Deadline implements Runnable {
        private final Runnable action;
        private ScheduledFuture<?> future;
        private volatile boolean fired;

        private Deadline(Runnable action) {
            this.action = action;
        }

        @Override
        public void run() {
            fired = true;
            try {
                action.run();
            } catch (RuntimeException e) {
                // The one timer thread must survive whatever an action does, or no later deadline would fire.
                LOG.log(Level.WARNING, "a deadline's action failed", e);
            }
        }

        /** Whether the deadline passed and its action ran (or is running) because of it. */
        public boolean fired() {
            return fired;
        }

        /** Stops watching; the action does not run unless the deadline has already fired. */
        public void cancel() {
            future.cancel(false);
        }
    }

    /** Closes {@code channel} after {@code nanos} unless the returned deadline is cancelled first. */
    public static Deadline close(Channel channel, long nanos) {
        Objects.requireNonNull(channel, "channel");
        return after(nanos, () -> {
            try {
                channel.close();
            } catch (IOException e) {
                // The exchange fails either way; this only says the descriptor could not be released cleanly.
                LOG.log(Level.DEBUG, "closing a channel past its deadline failed", e);
            }
        });
    }

    /**
     * Runs {@code action} on the watchdog's thread after {@code nanos} unless the returned deadline
     * is cancelled first. The action must not block (see the class comment).
     */
    public static Deadline after(long nanos, Runnable action) {
        Deadline deadline = new Deadline(Objects.requireNonNull(action, "action"));
        deadline.future = TIMER.schedule(deadline, nanos, TimeUnit.NANOSECONDS);
        return deadline;
    }
}
