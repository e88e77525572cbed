package io.keyhole.authorizer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes channels whose deadline has passed. A blocking channel operation cannot be given a
 * timeout, but closing the channel from another thread makes it fail at once with
 * {@link java.nio.channels.AsynchronousCloseException}: this is how every exchange's deadline is
 * enforced without a selector per exchange.
 *
 * <p>One daemon thread serves the whole JVM and ends after a minute without work, so a web
 * application that is undeployed leaves no thread behind for long.
 */
final class Watchdog {

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

    /** A deadline on one channel; {@link #cancel()} it when the guarded work finished in time. */
    static final class Deadline implements Runnable {
        private final Channel channel;
        private ScheduledFuture<?> future;
        private volatile boolean fired;

        private Deadline(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void run() {
            fired = true;
            try {
                channel.close();
            } catch (IOException e) {
                // The exchange fails either way; this only says the descriptor could not be released cleanly.
                LOG.log(Level.DEBUG, "closing a channel past its deadline failed", e);
            }
        }

        /** Whether the deadline passed and the channel was closed because of it. */
        boolean fired() {
            return fired;
        }

        /** Stops watching; the channel stays open unless the deadline has already fired. */
        void cancel() {
            future.cancel(false);
        }
    }

    /** Closes {@code channel} after {@code nanos} unless the returned deadline is cancelled first. */
    static Deadline close(Channel channel, long nanos) {
        Deadline deadline = new Deadline(channel);
        deadline.future = TIMER.schedule(deadline, nanos, TimeUnit.NANOSECONDS);
        return deadline;
    }
}
