package io.keyhole.cli;

import io.keyhole.ConfigKey;
import io.keyhole.KeyholeConfig;
import io.keyhole.internal.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The key {@code serve} reads itself; every other key goes to {@link KeyholeConfig.Builder#properties}. */
    static final String LISTEN = "listen";

    private ServeCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Args args = Args.parse("serve", argv, Set.of("config"), Set.of());
        Path file = Path.of(args.require("config"));
        Map<String, String> properties = read(file);

        Listen listen;
        ServeLimits limits;
        KeyholeConfig config;
        try {
            String listenText = properties.remove(LISTEN);
            listen = listenText == null || listenText.isBlank() ? Listen.DEFAULT : Listen.parse(listenText);
            limits = ServeLimits.take(properties);
            rejectUnknownKeys(properties.keySet());
            config = KeyholeConfig.fromProperties(properties);
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

        FileServer server = start(config, listen, limits, file);
        Shutdown.onStop("server", out, err, server::stop);
        out.println(readyLine(config, server));
        out.flush();
        server.join();
        return 0;
    }

    /** The one line printed once the server accepts requests. */
    static String readyLine(KeyholeConfig config, FileServer server) {
        Path root = config.media() == null ? config.tree().root() : config.media().root().root();
        return "keyhole: serving " + root + " at " + server.uri()
                + " (" + config.describeBackend() + ", delivery " + config.delivery().key() + ")";
    }

    private static FileServer start(KeyholeConfig config, Listen listen, ServeLimits limits, Path file)
            throws Failure {
        try {
            return FileServer.start(config, listen, limits);
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
        known.add(LISTEN);
        known.addAll(ServeLimits.KEYS);
        for (String key : keys) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + key + "'; known keys: " + String.join(", ", known)
                        + Settings.didYouMean(key, known));
            }
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
