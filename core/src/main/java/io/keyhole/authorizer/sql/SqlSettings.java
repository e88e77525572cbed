package io.keyhole.authorizer.sql;

import io.keyhole.internal.sql.UnixSocketFactory;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The checked settings of a SQL backend: its statements, where connections come from, the pool's
 * size and the deadlines. A value; {@link #start()} builds the {@link SqlAuthorizer} with its
 * connection pool, which the caller closes. Made by {@link Builder}.
 */
public final class SqlSettings {

    private final Statements statements;
    private final ConnectionPool.ConnectionSource source;
    private final boolean setNetworkTimeoutPerUse;
    private final SqlAuthorizer.NoRow noRow;
    private final int poolSize;
    private final Duration poolWait;
    private final Duration connectTimeout;
    private final Duration queryTimeout;
    private final String backend;

    /**
     * @param setNetworkTimeoutPerUse whether each use sets the query deadline (connections of a DataSource)
     * @param backend                 where the queries go, for messages; never a password
     */
    SqlSettings(Statements statements, ConnectionPool.ConnectionSource source, boolean setNetworkTimeoutPerUse,
                SqlAuthorizer.NoRow noRow, int poolSize, Duration poolWait, Duration connectTimeout,
                Duration queryTimeout, String backend) {
        this.statements = statements;
        this.source = source;
        this.setNetworkTimeoutPerUse = setNetworkTimeoutPerUse;
        this.noRow = noRow;
        this.poolSize = poolSize;
        this.poolWait = poolWait;
        this.connectTimeout = connectTimeout;
        this.queryTimeout = queryTimeout;
        this.backend = backend;
    }

    Statements statements() {
        return statements;
    }

    ConnectionPool.ConnectionSource source() {
        return source;
    }

    boolean setNetworkTimeoutPerUse() {
        return setNetworkTimeoutPerUse;
    }

    SqlAuthorizer.NoRow noRow() {
        return noRow;
    }

    int poolSize() {
        return poolSize;
    }

    Duration poolWait() {
        return poolWait;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration queryTimeout() {
        return queryTimeout;
    }

    String backend() {
        return backend;
    }

    /** The three configured statements. */
    record Statements(SqlTemplate query, SqlTemplate insert, SqlTemplate delete) {
    }

    /** A builder with the defaults: the default query, 404 for no row, 10 connections, 1 s waits, 5 s answers. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds the authoriser and its (still empty) pool; the caller closes it. */
    public SqlAuthorizer start() {
        return new SqlAuthorizer(this);
    }

    /** Where the queries go, e.g. {@code sql over mysql://keyhole@db:3306/files}; never a password. */
    @Override
    public String toString() {
        return "sql over " + backend;
    }

    /**
     * Builds {@link SqlSettings} (and from them a {@link SqlAuthorizer}). Each SQL setting may be made once; the transport and the two
     * timeouts, which a {@code KeyholeConfig} passes on from its own keys, may be set again.
     */
    public static final class Builder {

        private SqlDsn dsn;
        private String password;
        private DataSource dataSource;
        private String query = SqlTemplate.DEFAULT_QUERY;
        private String insertQuery = SqlTemplate.DEFAULT_INSERT_QUERY;
        private String deleteQuery = SqlTemplate.DEFAULT_DELETE_QUERY;
        private SqlAuthorizer.NoRow noRow = SqlAuthorizer.NoRow.NOT_FOUND;
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

        /** {@code sql-no-row}: what no row means; default {@link SqlAuthorizer.NoRow#NOT_FOUND}. */
        public Builder noRow(SqlAuthorizer.NoRow noRow) {
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
         * Checks the settings and builds the authoriser at once: {@code settings().start()}.
         *
         * @throws IllegalArgumentException naming the setting that is missing or inconsistent
         */
        public SqlAuthorizer build() {
            return settings().start();
        }

        /**
         * Checks the settings together. Nothing is opened: {@link SqlSettings#start()} makes the
         * pool, and even then a database that is down only makes requests fail until it is up.
         *
         * @throws IllegalArgumentException naming the setting that is missing or inconsistent
         */
        public SqlSettings settings() {
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
                return new SqlSettings(statements, source, true, noRow, poolSize, wait, connectTimeout, queryTimeout,
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
            DriverSource source = DriverSource.of(target, SqlAuthorizer.millis(connectTimeout), SqlAuthorizer.millis(queryTimeout));
            return new SqlSettings(statements, source, false, noRow, poolSize, wait, connectTimeout, queryTimeout,
                    target.describe());
        }
    }

    /** Opens connections through a JDBC driver, with the timeouts applied. */
    static final class DriverSource implements ConnectionPool.ConnectionSource {
        static final String MARIADB_DRIVER = "org.mariadb.jdbc.Driver";
        static final String MISSING_DRIVER = "request-type=sql needs the MariaDB JDBC driver, which is not on the"
                + " class path: add the dependency org.mariadb.jdbc:mariadb-java-client (3.5 or later) to the"
                + " application, e.g. in Maven <dependency><groupId>org.mariadb.jdbc</groupId>"
                + "<artifactId>mariadb-java-client</artifactId><version>3.5.11</version></dependency>";

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
                    driver = mariaDbDriver();
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
                driver = mariaDbDriver();
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

        /**
         * The MariaDB driver, an optional dependency of Keyhole: only SQL backends need it, so
         * applications that ask a socket or HTTP backend do not carry it (nor its LGPL licence).
         *
         * @throws IllegalStateException naming the dependency to add when it is not on the class path
         */
        static Driver mariaDbDriver() {
            try {
                return (Driver) Class.forName(MARIADB_DRIVER, true, SqlSettings.class.getClassLoader())
                        .getConstructor().newInstance();
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException(MISSING_DRIVER, e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot start the MariaDB driver " + MARIADB_DRIVER + ": " + e, e);
            }
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
                SqlAuthorizer.networkTimeout(c, networkTimeoutMillis);
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
