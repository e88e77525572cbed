package io.keyhole.authorizer;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.Channel;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>One daemon thread serves the whole JVM. It ends when the last open transport that used it
 * is closed ({@link #retain()}, {@link #release()}), so a closed Keyhole leaves no thread behind;
 * and after a minute without work, for transports their owners never close. Deadlines already
 * set when it ends still fire.
 */
final class Watchdog {

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Guards {@link #users} and replacing {@link #timer}. */
    private static final Object LOCK = new Object();
    private static int users;
    /** The current timer; {@code null} until needed again after the last user left. */
    private static volatile ScheduledThreadPoolExecutor timer;

    private Watchdog() {
    }

    /** One more open transport relies on the thread: it stays (while it has work) until released. */
    static void retain() {
        synchronized (LOCK) {
            users++;
        }
    }

    /**
     * One open transport less. When it was the last, the thread ends as soon as the deadlines
     * still set have fired or been cancelled, instead of a minute later.
     */
    static void release() {
        synchronized (LOCK) {
            if (--users == 0 && timer != null) {
                ScheduledThreadPoolExecutor retired = timer;
                // First out of sight, so that whoever finds it shut down finds it gone too.
                timer = null;
                // shutdown, not shutdownNow: exchanges still running keep their deadlines.
                retired.shutdown();
            }
        }
    }

    /** How many open transports hold the thread now. */
    static int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor current = timer;
        if (current != null) {
            return current;
        }
        synchronized (LOCK) {
            if (timer == null) {
                timer = newTimer();
            }
            return timer;
        }
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "keyhole-deadline-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            // Not the creating request thread's loader: a web application's loader must not be pinned by us.
            thread.setContextClassLoader(null);
            return thread;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory);
        executor.setRemoveOnCancelPolicy(true);
        executor.setKeepAliveTime(60, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        return executor;
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
        while (true) {
            ScheduledThreadPoolExecutor current = timer();
            try {
                deadline.future = current.schedule(deadline, nanos, TimeUnit.NANOSECONDS);
                return deadline;
            } catch (RejectedExecutionException e) {
                // The last user left between timer() and schedule(): the next call starts a new timer.
                LOG.log(Level.TRACE, "deadline timer retired meanwhile; taking a new one");
            }
        }
    }
}
