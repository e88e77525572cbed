package io.keyhole.authorizer.sql;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.StoredMetadata;
import io.keyhole.internal.Logs;
import io.keyhole.internal.Settings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Authorises by SQL: runs one configured query per request with the request's values bound as
 * parameters, and reads the first row as the answer (see the README's SQL section).
 *
 * <p>Uploads and deletes run a statement of their own, chosen by the request's method:
 * {@code POST} the insert query (which records the stored file's metadata), {@code DELETE} the
 * delete query; every other method the query. A statement that reports an update count rather
 * than rows answers by it: rows changed make a non-empty answer (for an upload, the metadata
 * just recorded; for a delete, the file id as its name, since the row's own values are gone),
 * no rows changed an empty one; the authorisation matrix then decides.
 *
 * <pre>{@code
 * Authorizer auth = SqlAuthorizer.builder()
 *         .dsn("db.internal:3306:keyhole:secret:files")
 *         .query("SELECT filename, content_type FROM cdn WHERE file_id = :file_id AND owner = :auth_value")
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe. Connections come from a bounded pool (or from a {@link DataSource} you hand
 * in); every wait is bounded: for a free connection ({@code sql-pool-wait}), for connecting
 * ({@code auth-connect-timeout}) and for the answer ({@code auth-timeout}). A database that is
 * unreachable gives {@code UNAVAILABLE} (503) at once, a query that takes too long
 * {@code TIMEOUT} (504), a row that cannot be read or a failing query {@code BAD_ANSWER} (502).
 * When the query returns several rows, the first one decides: give it an {@code ORDER BY} if that
 * matters. {@link #close()} closes the pooled connections.
 */
public final class SqlAuthorizer implements Authorizer, AutoCloseable {

    private static final System.Logger LOG = Logs.of(SqlAuthorizer.class);

    /** What a query that returns no row means ({@code sql-no-row}). */
    public enum NoRow {
        /** 404: the default, which does not tell a caller whether the file exists. */
        NOT_FOUND,
        /** 403. */
        FORBIDDEN,
        /** An empty answer (no status, no metadata), for rules that decide on emptiness. */
        EMPTY;

        AuthResponse answer() {
            return switch (this) {
                case NOT_FOUND -> AuthResponse.ofStatus(404);
                case FORBIDDEN -> AuthResponse.ofStatus(403);
                case EMPTY -> AuthResponse.EMPTY;
            };
        }

        /** Parses the text form: {@code 404}, {@code 403} or {@code empty}. */
        public static NoRow parse(String text) {
            return switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "404" -> NOT_FOUND;
                case "403" -> FORBIDDEN;
                case "empty" -> EMPTY;
                default -> throw new IllegalArgumentException("sql-no-row must be one of 404, 403, empty; was '"
                        + text + "'");
            };
        }
    }

    private static final Executor DIRECT = Runnable::run;

    private final SqlTemplate template;
    private final SqlTemplate insert;
    private final SqlTemplate delete;
    private final ConnectionPool pool;
    private final NoRow noRow;
    private final int networkTimeoutMillis;
    private final int queryTimeoutSeconds;
    private final boolean setNetworkTimeoutPerUse;
    private final String backend;

    SqlAuthorizer(SqlSettings settings) {
        this.template = settings.statements().query();
        this.insert = settings.statements().insert();
        this.delete = settings.statements().delete();
        this.noRow = settings.noRow();
        this.networkTimeoutMillis = millis(settings.queryTimeout());
        // The client-side deadline (network timeout) is the one that counts; the server-side
        // one, a second later, stops a runaway query on the server after the client gave up.
        this.queryTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, (networkTimeoutMillis + 999L) / 1000 + 1);
        this.setNetworkTimeoutPerUse = settings.setNetworkTimeoutPerUse();
        this.backend = settings.backend();
        this.pool = new ConnectionPool(settings.source(), settings.poolSize(), settings.poolWait().toMillis(),
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, settings.connectTimeout().toSeconds())), backend);
    }

    /** A builder with the defaults: the default query, 404 for no row, 10 connections, 1 s waits, 5 s answers. */
    public static SqlSettings.Builder builder() {
        return SqlSettings.builder();
    }

    @Override
    public AuthResponse authorize(AuthRequest request) throws AuthorizationException {
        long start = System.nanoTime();
        ConnectionPool.Lease lease = pool.borrow(start);
        try {
            return attempt(lease, request, start);
        } catch (StaleConnection stale) {
            // The database went away and came back (or not) since this connection was last used:
            // one more try on a fresh connection before telling the client.
            ConnectionPool.Lease fresh = pool.borrow(start);
            try {
                return attempt(fresh, request, start);
            } catch (StaleConnection again) {
                throw again.failure;
            }
        }
    }

    /** Signals that a reused connection turned out dead. */
    private static final class StaleConnection extends Exception {
        private static final long serialVersionUID = 1L;

        final AuthorizationException failure;

        StaleConnection(AuthorizationException failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private AuthResponse attempt(ConnectionPool.Lease lease, AuthRequest request, long start)
            throws AuthorizationException, StaleConnection {
        boolean broken = true;
        try {
            AuthResponse answer = query(lease.connection, request);
            broken = false;
            return answer;
        } catch (SQLException e) {
            Kind kind = SqlFailures.kind(e);
            // After a timeout the driver may be mid-answer; only a plain SQL error leaves it usable.
            broken = kind != Kind.BAD_ANSWER || isClosed(lease.connection);
            AuthorizationException failure = new AuthorizationException(kind, backend, elapsed(start),
                    (kind == Kind.TIMEOUT ? "no answer within auth-timeout (" + networkTimeoutMillis + " ms): "
                            : kind == Kind.UNAVAILABLE ? "lost the database connection: " : "the query failed: ")
                            + SqlFailures.describe(e), e);
            if (kind == Kind.UNAVAILABLE && lease.reused) {
                throw new StaleConnection(failure);
            }
            throw failure;
        } catch (AnswerRow.BadValue e) {
            broken = false;
            throw new AuthorizationException(Kind.BAD_ANSWER, backend, elapsed(start), e.getMessage());
        } finally {
            pool.release(lease, broken);
        }
    }

    /** The statement for the request's method. */
    private SqlTemplate statementFor(AuthRequest request) {
        return switch (request.method()) {
            case "POST" -> {
                if (request.stored() == null) {
                    throw new IllegalArgumentException("an upload (POST) question carries the stored file's metadata");
                }
                yield insert;
            }
            case "DELETE" -> delete;
            default -> template;
        };
    }

    private AuthResponse query(Connection c, AuthRequest request) throws SQLException, AnswerRow.BadValue {
        SqlTemplate statement = statementFor(request);
        int previousNetworkTimeout = -1;
        if (setNetworkTimeoutPerUse) {
            previousNetworkTimeout = networkTimeout(c, networkTimeoutMillis);
        }
        try (PreparedStatement ps = statement.escapeCall() ? c.prepareCall(statement.sql()) : c.prepareStatement(statement.sql())) {
            ps.setQueryTimeout(queryTimeoutSeconds);
            List<SqlTemplate.Param> params = statement.params();
            for (int i = 0; i < params.size(); i++) {
                bind(ps, i + 1, params.get(i), request);
            }
            boolean isResultSet = ps.execute();
            // A procedure may report row counts before its result set; a plain INSERT or DELETE only those.
            long changed = 0;
            while (!isResultSet) {
                int count = ps.getUpdateCount();
                if (count == -1) {
                    if (statement.kind() == SqlTemplate.Kind.QUERY) {
                        return noRow.answer();
                    }
                    return changed > 0 ? changedRows(request) : AuthResponse.EMPTY;
                }
                changed += count;
                isResultSet = ps.getMoreResults();
            }
            try (ResultSet rs = ps.getResultSet()) {
                return rs.next() ? exactly(AnswerRow.read(rs), request) : noRow.answer();
            }
        } finally {
            if (previousNetworkTimeout >= 0 && !isClosed(c)) {
                networkTimeout(c, previousNetworkTimeout);
            }
        }
    }

    /**
     * The row, if it is for the request's auth value exactly. A column compared with a collation
     * that ignores case or trailing spaces (MariaDB's and MySQL's default for {@code VARCHAR})
     * finds alice's row for {@code ALICE} and {@code "alice "}; the {@code auth_value} the row
     * returns tells, and such a row counts as none.
     */
    private AuthResponse exactly(AuthResponse row, AuthRequest request) {
        String asked = request.authValue();
        if (asked == null || row.authValue() == null || row.authValue().equals(asked)) {
            return row;
        }
        LOG.log(System.Logger.Level.WARNING, "the row found for {0} {1} has another auth_value than the request''s"
                + " (the column''s collation ignores case or trailing spaces; make it binary, see docs/sql.md);"
                + " counting it as no row", request.method(), request.fileId());
        return noRow.answer();
    }

    private static void bind(PreparedStatement ps, int index, SqlTemplate.Param param, AuthRequest request)
            throws SQLException {
        StoredMetadata stored = request.stored();
        if (param.metadata() && stored == null) {
            ps.setNull(index, param == SqlTemplate.Param.LENGTH || param == SqlTemplate.Param.UPLOAD_DATE
                    ? Types.BIGINT : Types.VARCHAR);
            return;
        }
        switch (param) {
            case LENGTH -> ps.setLong(index, stored.size());
            case UPLOAD_DATE -> ps.setLong(index, stored.uploadDateSeconds());
            default -> {
                String value = switch (param) {
                    case FILE_ID -> request.fileId().value();
                    case AUTH_VALUE -> request.authValue();
                    case URI -> request.uri();
                    case METHOD -> request.method();
                    case FILENAME -> stored.filename();
                    case CONTENT_TYPE -> stored.contentType();
                    case CONTENT_DISPOSITION -> stored.disposition().wireValue();
                    case ETAG -> stored.etag();
                    case LENGTH, UPLOAD_DATE -> throw new AssertionError(param);
                };
                if (value == null) {
                    ps.setNull(index, Types.VARCHAR);
                } else {
                    ps.setString(index, value);
                }
            }
        }
    }

    /** The answer of an insert or delete that changed rows: non-empty, so the matrix sees a known file. */
    private static AuthResponse changedRows(AuthRequest request) {
        StoredMetadata s = request.stored();
        if (s == null) {
            return new AuthResponse(null, request.fileId().value(), null, null, null, null, null, null);
        }
        return new AuthResponse(null, s.filename(), s.contentType(), s.disposition().wireValue(), s.etag(), s.size(),
                s.uploadDateSeconds(), null);
    }

    /** Sets the connection's network timeout; returns the old one, or -1 when the driver has none. */
    static int networkTimeout(Connection c, int millis) throws SQLException {
        try {
            int old = c.getNetworkTimeout();
            c.setNetworkTimeout(DIRECT, millis);
            return old;
        } catch (SQLFeatureNotSupportedException e) {
            return -1;
        }
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** Borrows a pooled connection and checks that the database answers on it. */
    @Override
    public boolean probe() throws AuthorizationException {
        pool.probe();
        return true;
    }

    /** Closes the idle connections; connections in use close when they come back. */
    @Override
    public void close() {
        pool.close();
    }

    /** Where the queries go, e.g. {@code sql over mysql://keyhole@db:3306/files}; never a password. */
    @Override
    public String toString() {
        return "sql over " + backend;
    }

    /**
     * Reads a secret given as text: {@code file:/path} (the file's content, surrounding
     * whitespace dropped), {@code env:NAME} (an environment variable), or the value itself.
     *
     * @param key the configuration key, for the message
     * @throws IllegalArgumentException naming the key when the file or variable cannot be read;
     *                                  the message never holds the secret
     */
    public static String readSecret(String key, String spec) {
        return Settings.secretText(key, spec);
    }
}
