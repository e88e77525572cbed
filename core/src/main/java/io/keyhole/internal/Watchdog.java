package io.keyhole.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.Channel;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Deadlines for blocking calls that take no timeout. A blocking channel operation fails at once
 * with {@link java.nio.channels.AsynchronousCloseException} when another thread closes the
 * channel: this is how every authorisation exchange's deadline is enforced without a selector per
 * exchange ({@link #close}). An {@code open(2)} of a FIFO blocks until a writer comes, and nothing
 * can close what is not open yet: the storage's deadline instead runs an action that gives the
 * FIFO a writer ({@link #after}).
 *
 * <p>Each watchdog has one daemon thread, started when needed. Actions run on it one after the
 * other, so an action must not block: one that might hands its work to a thread of its own. The
 * {@linkplain #shared() shared} watchdog serves the transports of the whole JVM; its thread ends
 * when the last open transport is closed ({@link #retain()}, {@link #release()}), and after a
 * minute without work for transports their owners never close. A watchdog of one's own (a
 * started {@code Keyhole} has one for opening files) ends with {@link #shutdown()}. Deadlines
 * already set when the thread ends by release still fire.
 */
public final class Watchdog {

    private static final System.Logger LOG = Logs.of(Watchdog.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * How often the thread wakes while deadlines are being set. A deadline that would come first
     * in the queue wakes the thread to wait for it instead; with a tick always nearer, setting
     * and cancelling a deadline (twice per request: the file's open, the backend's exchange)
     * wakes no thread, which on a busy machine costs more than the rest of the deadline.
     */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Ticks in a row without a deadline set before the ticking stops (the next deadline restarts it). */
    private static final int IDLE_TICKS = 20;
    private static final Watchdog SHARED = new Watchdog("keyhole-deadline-");

    private final String threadPrefix;
    /** Guards {@link #users}, {@link #shut} and replacing {@link #timer}. */
    private final Object lock = new Object();
    private int users;
    private boolean shut;
    /** The current timer; {@code null} until needed again after the last user left. */
    private volatile ScheduledThreadPoolExecutor timer;
    /** The tick running, or {@code null}. */
    private final AtomicReference<Tick> tick = new AtomicReference<>();
    /** Whether a deadline was set since the last tick. */
    private volatile boolean setSinceTick;

    /** A watchdog of one's own, whose thread is named {@code threadPrefix} and a number; end it with {@link #shutdown()}. */
    public Watchdog(String threadPrefix) {
        this.threadPrefix = Objects.requireNonNull(threadPrefix, "threadPrefix");
    }

    /** The JVM-wide watchdog of the transports. */
    public static Watchdog shared() {
        return SHARED;
    }

    /**
     * Ends this watchdog's thread at once; deadlines not yet passed never fire, and setting one
     * afterwards fails. For a watchdog of one's own, by its owner.
     */
    public void shutdown() {
        synchronized (lock) {
            shut = true;
            if (timer != null) {
                timer.shutdownNow();
                timer = null;
            }
        }
    }

    /** One more user relies on the thread: it stays (while it has work) until released. */
    public void retain() {
        synchronized (lock) {
            users++;
        }
    }

    /**
     * One user less. When it was the last, the thread ends as soon as the deadlines
     * still set have fired or been cancelled, instead of a minute later.
     */
    public void release() {
        synchronized (lock) {
            if (--users == 0 && timer != null) {
                ScheduledThreadPoolExecutor retired = timer;
                // First out of sight, so that whoever finds it shut down finds it gone too.
                timer = null;
                Tick ticking = tick.get();
                if (ticking != null && ticking.on == retired && tick.compareAndSet(ticking, null)) {
                    // the thread must not wait for a tick to end
                    ticking.stop();
                }
                // shutdown, not shutdownNow: exchanges still running keep their deadlines.
                retired.shutdown();
            }
        }
    }

    /** How many users hold the thread now. */
    public int users() {
        synchronized (lock) {
            return users;
        }
    }

    private ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor current = timer;
        if (current != null) {
            return current;
        }
        synchronized (lock) {
            if (shut) {
                throw new IllegalStateException("the watchdog " + threadPrefix + " was shut down");
            }
            if (timer == null) {
                timer = newTimer();
            }
            return timer;
        }
    }

    private ScheduledThreadPoolExecutor newTimer() {
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, threadPrefix + THREADS.incrementAndGet());
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
    public Deadline close(Channel channel, long nanos) {
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
    public Deadline after(long nanos, Runnable action) {
        Deadline deadline = new Deadline(Objects.requireNonNull(action, "action"));
        while (true) {
            ScheduledThreadPoolExecutor current = timer();
            try {
                if (nanos > TICK_NANOS) {
                    keepTicking(current);
                }
                deadline.future = current.schedule(deadline, nanos, TimeUnit.NANOSECONDS);
                return deadline;
            } catch (RejectedExecutionException e) {
                // The last user left between timer() and schedule(): the next call starts a new timer
                // (or, after shutdown(), fails).
                LOG.log(Level.TRACE, "deadline timer retired meanwhile; taking a new one");
            }
        }
    }

    /** Starts a tick on {@code current} unless one runs there; a deadline set later than the tick wakes nothing. */
    private void keepTicking(ScheduledThreadPoolExecutor current) {
        setSinceTick = true;
        Tick ticking = tick.get();
        if (ticking != null && ticking.on == current) {
            return;
        }
        Tick next = new Tick(current);
        if (tick.compareAndSet(ticking, next)) {
            next.schedule();
        }
    }

    /**
     * A no-op kept nearer in the queue than any deadline, so that setting one never makes it the
     * queue's first and wakes the thread. Reschedules itself until deadlines stop coming.
     */
    private final class Tick implements Runnable {
        private final ScheduledThreadPoolExecutor on;
        /** Touched by the timer's thread only. */
        private int idle;
        private volatile ScheduledFuture<?> future;

        Tick(ScheduledThreadPoolExecutor on) {
            this.on = on;
        }

        void schedule() {
            try {
                future = on.schedule(this, TICK_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the timer was retired or shut down: deadlines go to the next one, which ticks afresh
                tick.compareAndSet(this, null);
            }
        }

        void stop() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public void run() {
            if (tick.get() != this) {
                return;
            }
            if (setSinceTick) {
                setSinceTick = false;
                idle = 0;
            } else if (++idle >= IDLE_TICKS) {
                tick.compareAndSet(this, null);
                return;
            }
            schedule();
        }
    }
}
