package io.keyhole.authorizer.sql;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.internal.Logs;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A small, thread-free connection pool with the failure behaviour an authoriser needs.
 *
 * <ul>
 *   <li>At most {@code size} connections are in use at once; a request waits at most
 *       {@code wait} for one, then fails with {@code UNAVAILABLE}.</li>
 *   <li>Idle connections are reused newest first; one idle for longer than
 *       {@link #VALIDATE_AFTER_IDLE_NANOS} is pinged before use.</li>
 *   <li>When opening a connection fails, the database counts as down: for
 *       {@link #RETRY_AFTER_MILLIS} ms requests that need a new connection fail at once, then
 *       one request at a time tries again. A dead database therefore costs requests no waiting,
 *       and service resumes by itself when it is back.</li>
 *   <li>A connection that failed at the connection level is discarded together with every idle
 *       one, since they most likely broke at the same moment (a restart).</li>
 * </ul>
 *
 * <p>No thread is started: connecting and waiting happen on the requesting thread. With a
 * {@link ConnectionSource} that pools by itself ({@code pooled() == false} here), connections
 * are returned to it after each request and only the limit and the down-state apply.
 */
final class ConnectionPool implements AutoCloseable {

    /** How long a failed connection attempt makes later requests fail without trying. */
    static final long RETRY_AFTER_MILLIS = 500;
    static final long VALIDATE_AFTER_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Executor DIRECT = Runnable::run;
    private static final System.Logger LOG = Logs.of(ConnectionPool.class);

    /** Opens connections. */
    interface ConnectionSource {
        /** A new, ready connection; bounded by the source's own connect timeout. */
        Connection open() throws SQLException;

        /** Whether connections should be kept between requests (false when the source pools itself). */
        boolean keep();
    }

    /** A connection lent to one request. */
    static final class Lease {
        final Connection connection;
        /** Whether it had been used before (and so may have gone stale). */
        final boolean reused;
        final long openedAtNanos;

        Lease(Connection connection, boolean reused, long openedAtNanos) {
            this.connection = connection;
            this.reused = reused;
            this.openedAtNanos = openedAtNanos;
        }
    }

    private record Idle(Connection connection, long openedAtNanos, long idleSinceNanos) {
    }

    private final ConnectionSource source;
    private final int size;
    private final long waitNanos;
    private final int validateSeconds;
    private final String backend;
    private final Semaphore permits;
    private final Deque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long downSinceNanos;
    private volatile long retryAtNanos;
    private volatile String downReason;
    private volatile long evictedBeforeNanos = Long.MIN_VALUE;
    private volatile boolean closed;

    /**
     * @param size            most connections in use at once ({@code sql-pool-size})
     * @param waitMillis      how long a request may wait for a free connection ({@code sql-pool-wait})
     * @param validateSeconds bound for pinging a long-idle connection
     * @param backend         description for messages
     */
    ConnectionPool(ConnectionSource source, int size, long waitMillis, int validateSeconds, String backend) {
        this.source = source;
        this.size = size;
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        this.validateSeconds = Math.max(1, validateSeconds);
        this.backend = backend;
        this.permits = new Semaphore(size, true);
    }

    /**
     * Lends a connection.
     *
     * @param startNanos when the request started, for the elapsed time in messages
     * @throws AuthorizationException {@code UNAVAILABLE}: no connection free within the wait,
     *                                the database is down, or connecting failed
     */
    Lease borrow(long startNanos) throws AuthorizationException {
        if (closed) {
            throw unavailable(startNanos, "the authoriser has been closed", null);
        }
        try {
            if (!permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
                throw unavailable(startNanos, "no free database connection: all " + size + " are in use (sql-pool-size="
                        + size + "); waited " + TimeUnit.NANOSECONDS.toMillis(waitNanos)
                        + " ms (sql-pool-wait). Raise sql-pool-size or make the query faster", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(startNanos, "interrupted while waiting for a database connection", e);
        }
        try {
            Lease lease = idleConnection();
            if (lease == null) {
                lease = newConnection(startNanos);
            }
            return lease;
        } catch (AuthorizationException | RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** The most recently used idle connection that is still good, or null. */
    private Lease idleConnection() {
        Idle candidate;
        while ((candidate = idle.pollFirst()) != null) {
            if (candidate.openedAtNanos() <= evictedBeforeNanos) {
                discard(candidate.connection());
                continue;
            }
            if (System.nanoTime() - candidate.idleSinceNanos() > VALIDATE_AFTER_IDLE_NANOS && !valid(candidate.connection())) {
                discard(candidate.connection());
                continue;
            }
            return new Lease(candidate.connection(), true, candidate.openedAtNanos());
        }
        return null;
    }

    private boolean valid(Connection c) {
        try {
            return c.isValid(validateSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    private Lease newConnection(long startNanos) throws AuthorizationException {
        boolean probe = false;
        if (downReason != null) {
            long now = System.nanoTime();
            if (now - retryAtNanos < 0 || !(probe = probing.compareAndSet(false, true))) {
                throw unavailable(startNanos, "the database is unreachable (since "
                        + TimeUnit.NANOSECONDS.toMillis(now - downSinceNanos) + " ms; last error: " + downReason
                        + "); not retrying for " + RETRY_AFTER_MILLIS + " ms after a failure", null);
            }
        }
        long opened = System.nanoTime();
        try {
            Connection c = source.open();
            if (downReason != null) {
                LOG.log(Level.INFO, "database {0} is reachable again after {1} ms", backend,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - downSinceNanos));
                downReason = null;
            }
            return new Lease(c, false, opened);
        } catch (SQLException | RuntimeException e) {
            String reason = SqlFailures.describe(e);
            long now = System.nanoTime();
            if (downReason == null) {
                downSinceNanos = now;
                LOG.log(Level.WARNING, "cannot connect to database {0}: {1}", backend, reason);
            }
            retryAtNanos = now + TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MILLIS);
            downReason = reason;
            evictIdle();
            throw unavailable(startNanos, "cannot connect to the database: " + reason, e);
        } finally {
            if (probe) {
                probing.set(false);
            }
        }
    }

    /**
     * Takes a connection back.
     *
     * @param broken whether it failed at the connection level (it is closed, and every
     *               connection that was idle is discarded too)
     */
    void release(Lease lease, boolean broken) {
        try {
            if (broken) {
                abort(lease.connection);
                evictIdle();
            } else if (!source.keep() || closed) {
                discard(lease.connection);
            } else {
                idle.offerFirst(new Idle(lease.connection, lease.openedAtNanos, System.nanoTime()));
                if (closed) {
                    evictIdle();
                }
            }
        } finally {
            permits.release();
        }
    }

    /** Closes every idle connection and marks all opened until now as too old to reuse. */
    void evictIdle() {
        evictedBeforeNanos = System.nanoTime();
        Idle i;
        while ((i = idle.pollFirst()) != null) {
            abort(i.connection());
        }
    }

    private static void discard(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "closing a database connection failed: {0}", e.getMessage());
        }
    }

    /** Closes without talking to the server, which may not answer any more. */
    private static void abort(Connection c) {
        try {
            c.abort(DIRECT);
        } catch (SQLException | RuntimeException e) {
            discard(c);
        }
    }

    private AuthorizationException unavailable(long startNanos, String message, Throwable cause) {
        return new AuthorizationException(Kind.UNAVAILABLE, backend,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), message, cause);
    }

    @Override
    public void close() {
        closed = true;
        evictIdle();
    }
}
