package io.keyhole.authorizer.sql;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.Authorizer;
import io.keyhole.internal.sql.UnixSocketFactory;
import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
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

    /** The three configured statements. */
    private record Statements(SqlTemplate query, SqlTemplate insert, SqlTemplate delete) {
    }

    private final SqlTemplate template;
    private final SqlTemplate insert;
    private final SqlTemplate delete;
    private final ConnectionPool pool;
    private final NoRow noRow;
    private final int networkTimeoutMillis;
    private final int queryTimeoutSeconds;
    private final boolean setNetworkTimeoutPerUse;
    private final String backend;

    private SqlAuthorizer(Statements statements, ConnectionPool.ConnectionSource source, boolean setNetworkTimeoutPerUse,
                          NoRow noRow, int poolSize, Duration poolWait, Duration connectTimeout, Duration queryTimeout,
                          String backend) {
        this.template = statements.query();
        this.insert = statements.insert();
        this.delete = statements.delete();
        this.noRow = noRow;
        this.networkTimeoutMillis = millis(queryTimeout);
        // The client-side deadline (network timeout) is the one that counts; the server-side
        // one, a second later, stops a runaway query on the server after the client gave up.
        this.queryTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, (networkTimeoutMillis + 999L) / 1000 + 1);
        this.setNetworkTimeoutPerUse = setNetworkTimeoutPerUse;
        this.backend = backend;
        this.pool = new ConnectionPool(source, poolSize, poolWait.toMillis(),
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toSeconds())), backend);
    }

    /** A builder with the defaults: the default query, 404 for no row, 10 connections, 1 s waits, 5 s answers. */
    public static Builder builder() {
        return new Builder();
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
                return rs.next() ? AnswerRow.read(rs) : noRow.answer();
            }
        } finally {
            if (previousNetworkTimeout >= 0 && !isClosed(c)) {
                networkTimeout(c, previousNetworkTimeout);
            }
        }
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

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
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
        if (spec.startsWith("file:")) {
            Path file = Path.of(spec.substring("file:".length()));
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(key + ": cannot read the file " + file + ": " + e, e);
            }
        }
        if (spec.startsWith("env:")) {
            String name = spec.substring("env:".length());
            String value = System.getenv(name);
            if (value == null) {
                throw new IllegalArgumentException(key + ": the environment variable " + name + " is not set");
            }
            return value;
        }
        return spec;
    }

    /**
     * Builds a {@link SqlAuthorizer}. Each SQL setting may be made once; the transport and the two
     * timeouts, which a {@code KeyholeConfig} passes on from its own keys, may be set again.
     */
    public static final class Builder {

        private SqlDsn dsn;
        private String password;
        private DataSource dataSource;
        private String query = SqlTemplate.DEFAULT_QUERY;
        private String insertQuery = SqlTemplate.DEFAULT_INSERT_QUERY;
        private String deleteQuery = SqlTemplate.DEFAULT_DELETE_QUERY;
        private NoRow noRow = NoRow.NOT_FOUND;
        private int poolSize = 10;
        private Duration poolWait;
        private String transport = "mysql";
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration queryTimeout = Duration.ofSeconds(5);
        private final Set<String> made = new HashSet<>();

        private Builder() {
        }

        private void once(String key) {
            if (!made.add(key)) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }

        /**
         * {@code sql-dsn}: {@code host:port:user:password:database}, {@code localhost:/socket/path:user:password:database},
         * or a {@code jdbc:} URL.
         *
         * @throws IllegalArgumentException naming {@code sql-dsn} when it cannot be read
         */
        public Builder dsn(String dsn) {
            once("sql-dsn");
            this.dsn = SqlDsn.parse(dsn);
            return this;
        }

        /** {@code sql-password}: the database password, replacing the one in the DSN. */
        public Builder password(String password) {
            once("sql-password");
            this.password = Objects.requireNonNull(password, "sql-password");
            return this;
        }

        /**
         * Connections from your own {@link DataSource} instead of a DSN. Keyhole then keeps no
         * connections of its own (it returns each one after the query; use a pooling DataSource),
         * but still limits how many are in use at once ({@code sql-pool-size}).
         */
        public Builder dataSource(DataSource dataSource) {
            once("sql-data-source");
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** {@code sql-query}: see the README for placeholders; default {@value SqlTemplate#DEFAULT_QUERY}. */
        public Builder query(String query) {
            once("sql-query");
            Objects.requireNonNull(query, "sql-query");
            SqlTemplate.parse(query, true);
            this.query = query;
            return this;
        }

        /**
         * {@code sql-insert-query}: the statement run for an upload, after the file is stored; default
         * {@value SqlTemplate#DEFAULT_INSERT_QUERY}.
         */
        public Builder insertQuery(String query) {
            once("sql-insert-query");
            Objects.requireNonNull(query, "sql-insert-query");
            SqlTemplate.parse(SqlTemplate.Kind.INSERT, query, true);
            this.insertQuery = query;
            return this;
        }

        /**
         * {@code sql-delete-query}: the statement run for a delete, before the file is removed;
         * default {@value SqlTemplate#DEFAULT_DELETE_QUERY}.
         */
        public Builder deleteQuery(String query) {
            once("sql-delete-query");
            Objects.requireNonNull(query, "sql-delete-query");
            SqlTemplate.parse(SqlTemplate.Kind.DELETE, query, true);
            this.deleteQuery = query;
            return this;
        }

        /** {@code sql-no-row}: what no row means; default {@link NoRow#NOT_FOUND}. */
        public Builder noRow(NoRow noRow) {
            once("sql-no-row");
            this.noRow = Objects.requireNonNull(noRow, "sql-no-row");
            return this;
        }

        /** {@code sql-pool-size}: most connections in use at once, 1..1000, default 10. */
        public Builder poolSize(int size) {
            once("sql-pool-size");
            if (size < 1 || size > 1000) {
                throw new IllegalArgumentException("sql-pool-size must be 1..1000, was " + size);
            }
            this.poolSize = size;
            return this;
        }

        /** {@code sql-pool-wait}: how long a request may wait for a free connection; default the connect timeout. */
        public Builder poolWait(Duration wait) {
            once("sql-pool-wait");
            if (wait == null || wait.isNegative() || wait.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("sql-pool-wait must be 0ms..10m, was " + wait);
            }
            this.poolWait = wait;
            return this;
        }

        /** {@code transport-type}: {@code mysql} (default; MariaDB or MySQL) or {@code jdbc} (any JDBC URL). */
        public Builder transport(String transport) {
            String t = Objects.requireNonNull(transport, "transport-type").strip().toLowerCase(Locale.ROOT);
            if (!t.equals("mysql") && !t.equals("jdbc")) {
                throw new IllegalArgumentException("transport-type for request-type=sql must be mysql or jdbc; was '"
                        + transport + "'");
            }
            this.transport = t;
            return this;
        }

        /** {@code auth-connect-timeout}: bound for opening a connection, default 1 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("auth-connect-timeout", timeout);
            return this;
        }

        /** {@code auth-timeout}: bound for the query's answer, default 5 s. */
        public Builder queryTimeout(Duration timeout) {
            this.queryTimeout = positive("auth-timeout", timeout);
            return this;
        }

        private static Duration positive(String key, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
            }
            return d;
        }

        /** Query, insert and delete, lexed in the database's dialect. */
        private Statements statements(boolean mysqlDialect) {
            return new Statements(SqlTemplate.parse(SqlTemplate.Kind.QUERY, query, mysqlDialect),
                    SqlTemplate.parse(SqlTemplate.Kind.INSERT, insertQuery, mysqlDialect),
                    SqlTemplate.parse(SqlTemplate.Kind.DELETE, deleteQuery, mysqlDialect));
        }

        /**
         * Checks the settings together and builds the authoriser. Nothing is connected yet: a
         * database that is down at start-up only makes requests fail until it is up.
         *
         * @throws IllegalArgumentException naming the setting that is missing or inconsistent
         */
        public SqlAuthorizer build() {
            Duration wait = poolWait != null ? poolWait : connectTimeout;
            if (dataSource != null) {
                if (dsn != null || password != null) {
                    throw new IllegalArgumentException("give either a DataSource or sql-dsn/sql-password, not both");
                }
                Statements statements = statements(transport.equals("mysql"));
                ConnectionPool.ConnectionSource source = new ConnectionPool.ConnectionSource() {
                    @Override
                    public Connection open() throws SQLException {
                        return dataSource.getConnection();
                    }

                    @Override
                    public boolean keep() {
                        return false;
                    }
                };
                return new SqlAuthorizer(statements, source, true, noRow, poolSize, wait, connectTimeout, queryTimeout,
                        "DataSource " + dataSource.getClass().getName());
            }
            if (dsn == null) {
                throw new IllegalArgumentException("sql-dsn is required with request-type=sql: host:port:user:password:database"
                        + " or a jdbc: URL");
            }
            SqlDsn target = password != null ? dsn.withPassword(password) : dsn;
            if (transport.equals("jdbc") && !dsn.isUrl()) {
                throw new IllegalArgumentException("sql-dsn must be a jdbc: URL with transport-type=jdbc"
                        + " (the host:port:user:password:database form is for transport-type=mysql)");
            }
            if (transport.equals("mysql") && dsn.isUrl() && !dsn.isMariaDbUrl()) {
                throw new IllegalArgumentException("sql-dsn with transport-type=mysql must be a jdbc:mariadb: or jdbc:mysql:"
                        + " URL; for another database use transport-type=jdbc");
            }
            if (password != null && dsn.urlHasPassword()) {
                throw new IllegalArgumentException("sql-dsn's URL already holds a password; drop it there or drop"
                        + " sql-password");
            }
            boolean mysqlDialect = !dsn.isUrl() || dsn.isMariaDbUrl();
            Statements statements = statements(mysqlDialect);
            DriverSource source = DriverSource.of(target, millis(connectTimeout), millis(queryTimeout));
            return new SqlAuthorizer(statements, source, false, noRow, poolSize, wait, connectTimeout, queryTimeout,
                    target.describe());
        }
    }

    /** Opens connections through a JDBC driver, with the timeouts applied. */
    static final class DriverSource implements ConnectionPool.ConnectionSource {
        private final Driver driver;
        private final String url;
        private final Properties properties;
        private final int networkTimeoutMillis;

        private DriverSource(Driver driver, String url, Properties properties, int networkTimeoutMillis) {
            this.driver = driver;
            this.url = url;
            this.properties = properties;
            this.networkTimeoutMillis = networkTimeoutMillis;
        }

        static DriverSource of(SqlDsn dsn, int connectTimeoutMillis, int queryTimeoutMillis) {
            Properties p = new Properties();
            String url;
            Driver driver;
            if (dsn.isUrl()) {
                url = dsn.url();
                if (dsn.password() != null) {
                    p.setProperty("password", dsn.password());
                }
                if (dsn.isMariaDbUrl()) {
                    driver = new org.mariadb.jdbc.Driver();
                    if (!hasOption(url, "connectTimeout")) {
                        p.setProperty("connectTimeout", Integer.toString(connectTimeoutMillis));
                    }
                    if (url.regionMatches(true, 0, "jdbc:mysql:", 0, 11) && !hasOption(url, "permitMysqlScheme")) {
                        p.setProperty("permitMysqlScheme", "true");
                    }
                } else {
                    try {
                        driver = DriverManager.getDriver(url);
                    } catch (SQLException e) {
                        throw new IllegalArgumentException("sql-dsn: no JDBC driver on the class path accepts "
                                + dsn.describe() + "; add the database's driver jar", e);
                    }
                }
            } else {
                driver = new org.mariadb.jdbc.Driver();
                String host = dsn.host().indexOf(':') >= 0 ? "[" + dsn.host() + "]" : dsn.host();
                url = "jdbc:mariadb://" + (dsn.socket() != null ? "localhost" : host + ":" + dsn.port())
                        + "/" + dsn.database();
                p.setProperty("user", dsn.user());
                if (dsn.password() != null) {
                    p.setProperty("password", dsn.password());
                }
                p.setProperty("connectTimeout", Integer.toString(connectTimeoutMillis));
                // Bounds the handshake too; replaced by the query deadline once connected.
                p.setProperty("socketTimeout", Integer.toString(connectTimeoutMillis));
                // Values travel apart from the statement text, and TIMESTAMPs read as UTC instants.
                p.setProperty("useServerPrepStmts", "true");
                p.setProperty("connectionTimeZone", "UTC");
                p.setProperty("forceConnectionTimeZoneToSession", "true");
                if (dsn.socket() != null) {
                    p.setProperty("socketFactory", UnixSocketFactory.class.getName());
                    p.setProperty(UnixSocketFactory.PATH_OPTION, dsn.socket().toString());
                }
            }
            return new DriverSource(driver, url, p, queryTimeoutMillis);
        }

        private static boolean hasOption(String url, String option) {
            return url.toLowerCase(Locale.ROOT).contains(option.toLowerCase(Locale.ROOT) + "=");
        }

        @Override
        public Connection open() throws SQLException {
            Connection c = driver.connect(url, properties);
            if (c == null) {
                throw new SQLException("the JDBC driver " + driver.getClass().getName() + " does not accept the URL",
                        "08001");
            }
            try {
                networkTimeout(c, networkTimeoutMillis);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            return c;
        }

        @Override
        public boolean keep() {
            return true;
        }
    }
}
