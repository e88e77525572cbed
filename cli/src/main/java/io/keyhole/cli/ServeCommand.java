package io.keyhole.cli;

import io.keyhole.ConfigKey;
import io.keyhole.KeyholeConfig;
import io.keyhole.authorizer.Backend;
import io.keyhole.internal.Settings;
import io.keyhole.observe.KeyholeListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code keyhole serve --config FILE}: a standalone file server configured by a properties file
 * that holds {@value #LISTEN} and the keys of {@link ConfigKey}; with {@code media-url} and
 * friends, a cross-domain media host.
 */
final class ServeCommand {

    /** A key {@code serve} reads itself ({@link ServeSettings}); every other key goes to {@link KeyholeConfig.Builder#properties}. */
    static final String LISTEN = ServeSettings.LISTEN;

    private ServeCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = Args.parse("serve", argv, Set.of("config"), Set.of());
        Path file = Path.of(args.require("config"));
        Map<String, String> properties = read(file);

        ServeSettings serve;
        ServeLimits limits;
        try {
            serve = ServeSettings.take(properties);
            limits = ServeLimits.take(properties);
            rejectUnknownKeys(properties.keySet());
        } catch (IllegalArgumentException e) {
            throw new UsageException("serve: bad configuration in " + file + ": " + e.getMessage());
        }
        PrometheusMetrics metrics = new PrometheusMetrics();
        AuditFile audit = openAudit(serve, file);
        KeyholeListener listener = KeyholeListener.all(metrics, audit == null ? KeyholeListener.NONE : audit);
        KeyholeConfig config = configure(properties, listener, file);

        FileServer server = start(config, serve.listen(), limits, serve.shutdownTimeout(), file);
        warnAboutTheBackend(config, err);
        AdminServer admin = null;
        if (serve.adminListen() != null) {
            try {
                admin = AdminServer.start(serve.adminListen(), metrics, server.handler()::health);
            } catch (IOException e) {
                server.stop();
                throw new Failure("cannot listen on " + serve.adminListen().host() + ":" + serve.adminListen().port()
                        + " (" + ServeSettings.ADMIN_LISTEN + "): " + reason(e) + "; change it in " + file);
            }
        }
        AdminServer adminServer = admin;
        Shutdown.onStop("server", out, err, () -> {
            if (adminServer != null) {
                adminServer.close();
            }
            server.stop();
            if (audit != null) {
                audit.close();
            }
        });
        String unavailable = Signals.onHangup(() -> reload(file, serve, listener, audit, server, out, err));
        if (unavailable != null) {
            err.println("keyhole: warning: SIGHUP cannot reload the configuration in this JVM (" + unavailable
                    + "); restart to change it");
        }
        out.println(readyLine(config, server));
        if (admin != null) {
            out.println("keyhole: metrics and health at http://" + serve.adminListen().urlHost() + ":" + admin.port()
                    + "/metrics and /health");
        }
        out.flush();
        server.join();
        return 0;
    }

    /**
     * SIGHUP: reads {@code file} again and serves with what it says now — every engine key (keys,
     * backend, tree, mount, delivery, …); the audit file is reopened, for rotation. {@code listen},
     * {@code admin-listen}, {@code audit-log}, {@code shutdown-timeout} and the slow-client limits
     * keep their values until a restart. A file that no longer reads or checks is refused, and the running configuration stays.
     */
    static void reload(Path file, ServeSettings serve, KeyholeListener listener, AuditFile audit, FileServer server,
                       PrintStream out, PrintStream err) {
        try {
            Map<String, String> properties = read(file);
            ServeSettings now = ServeSettings.take(properties);
            ServeLimits.take(properties);
            rejectUnknownKeys(properties.keySet());
            KeyholeConfig config = configure(properties, listener, file);
            if (audit != null) {
                audit.reopen();
            }
            server.handler().reload(config, serve.shutdownTimeout());
            warnAboutTheBackend(config, err);
            String kept = now.equals(serve) ? "" : "; listen, admin-listen, audit-log and shutdown-timeout change"
                    + " only on a restart";
            out.println("keyhole: reloaded " + file + kept);
        } catch (Exception e) {
            err.println("keyhole: reload refused, still serving the previous configuration: " + e.getMessage());
        }
        out.flush();
        err.flush();
    }

    private static AuditFile openAudit(ServeSettings serve, Path file) throws Failure {
        if (serve.auditLog() == null) {
            return null;
        }
        try {
            return new AuditFile(serve.auditLog());
        } catch (IOException e) {
            throw new Failure("cannot open " + ServeSettings.AUDIT_LOG + " " + serve.auditLog() + ": " + describe(e)
                    + "; change it in " + file);
        }
    }

    /** The engine's configuration from {@code properties}, checked as far as can be before serving. */
    private static KeyholeConfig configure(Map<String, String> properties, KeyholeListener listener, Path file)
            throws UsageException {
        KeyholeConfig config;
        try {
            config = KeyholeConfig.builder().properties(properties).listener(listener).build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException("serve: bad configuration in " + file + ": " + e.getMessage());
        }
        if (config.media() == null) {
            Path root = config.tree().root();
            if (!Files.isDirectory(root)) {
                throw new UsageException("serve: bad configuration in " + file + ": fs-root " + root
                        + " is not a directory; create the tree with: keyhole init --root " + root
                        + " --depth " + config.tree().depth());
            }
        } else if (config.media().development()) {
            throw new UsageException("serve: bad configuration in " + file + ": media-url " + config.media().mediaUrl()
                    + " is a path (development mode, where the application serves media itself); a media host needs"
                    + " an absolute media-url such as https://media.example.org/media/");
        } else if (!Files.isDirectory(config.media().root().root())) {
            throw new UsageException("serve: bad configuration in " + file + ": media-root "
                    + config.media().root().root() + " is not a directory");
        }
        return config;
    }

    /**
     * A backend that starts after Keyhole is normal under systemd, but a socket path with a typo
     * looks the same until the first request fails: say so at start.
     */
    static void warnAboutTheBackend(KeyholeConfig config, PrintStream err) {
        if (config.backend() instanceof Backend.Json json && json.unixSocket() != null
                && !Files.exists(json.unixSocket())) {
            err.println("keyhole: warning: the backend socket " + json.unixSocket() + " does not exist (yet);"
                    + " requests are answered 503 until the backend listens there");
        }
    }

    /** The one line printed once the server accepts requests. */
    static String readyLine(KeyholeConfig config, FileServer server) {
        Path root = config.media() == null ? config.tree().root() : config.media().root().root();
        return "keyhole: serving " + root + " at " + server.uri()
                + " (" + config.describeBackend() + ", delivery " + config.delivery().key() + ")";
    }

    private static FileServer start(KeyholeConfig config, Listen listen, ServeLimits limits, Duration stopTimeout,
                                    Path file) throws Failure {
        try {
            return FileServer.start(config, listen, limits, stopTimeout);
        } catch (Exception e) {
            throw new Failure("cannot listen on " + listen.host() + ":" + listen.port() + ": " + reason(e)
                    + "; change '" + LISTEN + "' in " + file);
        }
    }

    /** Whether {@code e} failed to bind its address (port taken, or the host is not local). */
    static boolean bindFailed(Throwable e) {
        return bindException(e) != null;
    }

    /** The most telling message in {@code e}'s chain. */
    static String reason(Throwable e) {
        Throwable bind = bindException(e);
        Throwable t = bind != null ? bind : e;
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static BindException bindException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException b) {
                return b;
            }
        }
        return null;
    }

    private static Map<String, String> read(Path file) throws UsageException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("serve: cannot read --config " + file + ": " + describe(e));
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            map.put(name.trim(), properties.getProperty(name));
        }
        return map;
    }

    /** Refuses a key that is neither {@value #LISTEN} nor a {@link ConfigKey}, suggesting the nearest. */
    private static void rejectUnknownKeys(Set<String> keys) {
        Set<String> known = new TreeSet<>(ConfigKey.names());
        known.addAll(ServeSettings.KEYS);
        known.addAll(ServeLimits.KEYS);
        for (String key : keys) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + String.join(", ", known)
                        + Settings.didYouMean(key, known));
            }
        }
    }

    static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
