package io.keyhole.benchmarks.load;

import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts one server of the load harness ({@code benchmarks/load/run.sh}) on 127.0.0.1 and runs
 * until killed. Every server serves the same tree; Keyhole answers {@code /files/<id>}, the
 * containers' DefaultServlets and nginx answer {@code /<a>/<b>/<c>/<d>/<id>}.
 *
 * <pre>
 * LoadServer KIND PORT ROOT KEYFILE [SOCKET CACHE_TTL]
 *   jetty-keyhole         KeyholeFilter in a plain ServletContextHandler, renderer=auto (Jetty's core response)
 *   jetty-keyhole-stream  the same, renderer=stream
 *   jetty-webapp          KeyholeFilter declared in a web.xml, deployed as a WebAppContext (as a WAR is)
 *   jetty-default         Jetty's DefaultServlet on ROOT
 *   jetty-accel           KeyholeFilter on Jetty, delivery=x-accel-redirect, accel-prefix=/protected/
 *   jetty-trivial         a servlet that only sets X-Accel-Redirect from the id, no checks
 *   tomcat-keyhole        KeyholeFilter on Tomcat, renderer=auto (sendfile)
 *   tomcat-keyhole-stream the same, renderer=stream
 *   tomcat-wrapped        the same behind a filter that wraps request and response in the servlet
 *                         API's standard wrappers, as Spring Security's chain does
 *   tomcat-war            KeyholeFilter declared in a web.xml, Keyhole and keyhole-tomcat in its WEB-INF/lib,
 *                         deployed as Tomcat deploys an unpacked WAR
 *   tomcat-valve          KeyholeValve on the context's pipeline (ahead of its filters and servlets)
 *   tomcat-default        Tomcat's DefaultServlet on ROOT (its resource cache on)
 *   jetty-s3              KeyholeFilter on Jetty streaming from a bucket: ROOT is s3:http://HOST:PORT/BUCKET
 *                         (renderer=stream, or the system property keyhole.bench.renderer)
 *                         (path style, no credentials needed: S3Proxy with s3proxy.authorization=none)
 *   jetty-s3-cached       the same keeping small objects in memory for 5 s (open-cache-valid)
 *   jetty-s3-redirect     the same with delivery=redirect
 * A Keyhole kind asks the JSON backend on SOCKET with the decision cache on for CACHE_TTL (e.g. 1h)
 * and files kept open for 5 s;
 * with the suffix -nocache it asks on every request, with -kept it asks on every request over
 * connections kept between questions (auth-keep-alive=64), with -inproc it asks an in-process
 * authoriser that grants everything (no SOCKET needed).
 *
 * LoadServer backend SOCKET              the JSON backend on a Unix socket: grants every question
 *                                        with metadata (name, type, upload date)
 * LoadServer properties ROOT KEYFILE SOCKET CACHE_TTL
 *                                        prints the Keyhole settings every socket-backed row shares
 *                                        (for keyhole serve's configuration file)
 * LoadServer token KEYFILE               prints a JWT (claim uid=bench, valid for a day)
 * </pre>
 *
 * <p>Keyhole checks a JWT (HS256 from KEYFILE, claim {@code uid}).
 */
public final class LoadServer {

    static final int DEPTH = 4;
    static final String MOUNT = "/files/";
    /** {@code open-cache-valid} of the rows with the decision cache on. */
    static final String OPEN_CACHE_VALID = "5s";
    /** What the backend and the in-process authoriser answer: a grant with the file's metadata. */
    static final AuthResponse GRANT = new AuthResponse(200, "file.bin", "application/octet-stream", null, null, null,
            1_700_000_000L, null);

    private LoadServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("token")) {
            System.out.println(token(Files.readAllBytes(Path.of(args[1]))));
            return;
        }
        if (args.length == 5 && args[0].equals("properties")) {
            settings(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), args[4])
                    .forEach((k, v) -> System.out.println(k + "=" + v));
            return;
        }
        AutoCloseable server;
        String started;
        if (args.length == 2 && args[0].equals("backend")) {
            JsonSocketServer backend = JsonSocketServer.start(Path.of(args[1]), q -> GRANT);
            server = backend;
            started = "READY backend " + backend.socket();
        } else if (args.length == 4 || args.length == 6) {
            server = start(args);
            started = "READY " + args[0] + " 127.0.0.1:" + args[1];
        } else {
            throw new IllegalArgumentException("usage: LoadServer KIND PORT ROOT KEYFILE [SOCKET CACHE_TTL]"
                    + " | LoadServer backend SOCKET | LoadServer properties ROOT KEYFILE SOCKET CACHE_TTL"
                    + " | LoadServer token KEYFILE");
        }
        System.out.println(started);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        Thread.currentThread().join();
    }

    private static AutoCloseable start(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        Path root = Path.of(args[2].startsWith("s3:") ? "." : args[2]);
        Path keyFile = Path.of(args[3]);
        byte[] key = Files.readAllBytes(keyFile);
        if (kind.startsWith("jetty-s3")) {
            return JettyServers.keyhole(port, bucket(args[2], key,
                    kind.equals("jetty-s3-redirect") ? DeliveryMode.REDIRECT : DeliveryMode.STREAM,
                    kind.equals("jetty-s3-cached")));
        }
        switch (kind) {
            case "jetty-default":
                return JettyServers.defaultServlet(port, root);
            case "jetty-trivial":
                return JettyServers.trivialAccel(port);
            case "tomcat-default":
                return TomcatServers.defaultServlet(port, root);
            default:
                break;
        }
        // a Keyhole row: base kind, then how it authorises
        String base = kind;
        Map<String, String> settings;
        boolean inProcess = false;
        if (kind.endsWith("-inproc")) {
            base = kind.substring(0, kind.length() - "-inproc".length());
            settings = settings(root, keyFile, null, "0");
            inProcess = true;
        } else {
            if (args.length != 6) {
                throw new IllegalArgumentException(kind + " asks the backend: give SOCKET and CACHE_TTL");
            }
            String ttl = args[5];
            boolean kept = kind.endsWith("-kept");
            if (kind.endsWith("-nocache") || kept) {
                base = kind.substring(0, kind.lastIndexOf('-'));
                ttl = "0";
            }
            settings = settings(root, keyFile, Path.of(args[4]), ttl);
            if (kept) {
                settings.put("auth-keep-alive", "64");
            }
        }
        if (base.endsWith("-stream")) {
            base = base.substring(0, base.length() - "-stream".length());
            settings.put("renderer", "stream");
        }
        if (base.equals("jetty-webapp") || base.equals("tomcat-war")) {
            if (inProcess) {
                throw new IllegalArgumentException("a web.xml names no in-process authoriser: " + kind);
            }
            return base.equals("jetty-webapp") ? JettyServers.webApp(port, settings) : TomcatServers.war(port, settings);
        }
        if (base.equals("jetty-accel")) {
            settings.put("delivery", "x-accel-redirect");
            settings.put("accel-prefix", "/protected/");
        }
        KeyholeConfig.Builder b = KeyholeConfig.builder().properties(settings);
        if (inProcess) {
            b.authorizer(q -> GRANT);
        }
        KeyholeConfig config = b.build();
        return switch (base) {
            case "jetty-keyhole", "jetty-accel" -> JettyServers.keyhole(port, config);
            case "tomcat-keyhole" -> TomcatServers.keyhole(port, config, false);
            case "tomcat-wrapped" -> TomcatServers.keyhole(port, config, true);
            case "tomcat-valve" -> TomcatServers.valve(port, config);
            default -> throw new IllegalArgumentException("unknown server kind " + kind);
        };
    }

    /**
     * The settings every Keyhole row shares, as configuration keys: the same map configures the
     * plain contexts (through the builder), the web application (as init-params) and
     * {@code keyhole serve} (as its properties file).
     *
     * @param socket the backend's socket, or {@code null} for none (an in-process authoriser)
     * @param cacheTtl {@code auth-cache-ttl}; {@code 0} leaves the decision cache off. Where it is
     *                 on, files are kept open for {@value #OPEN_CACHE_VALID} too ({@code open-cache-valid}:
     *                 Tomcat's resource cache, which its DefaultServlet row uses, looks again after 5 s)
     */
    static Map<String, String> settings(Path root, Path keyFile, Path socket, String cacheTtl) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fs-root", root.toAbsolutePath().toString());
        s.put("fs-depth", Integer.toString(DEPTH));
        s.put("mount", MOUNT);
        s.put("jwt-key", "file:" + keyFile.toAbsolutePath());
        s.put("jwt-field", "uid");
        if (socket != null) {
            s.put("unix-socket", socket.toAbsolutePath().toString());
        }
        if (!cacheTtl.equals("0")) {
            s.put("auth-cache-ttl", cacheTtl);
            s.put("open-cache-valid", OPEN_CACHE_VALID);
        }
        return s;
    }

    /**
     * Keyhole on the bucket {@code s3:http://host:port/bucket}, path style, any credentials;
     * {@code kept}: small objects kept for {@value #OPEN_CACHE_VALID} ({@code open-cache-valid}).
     */
    static KeyholeConfig bucket(String spec, byte[] key, DeliveryMode delivery, boolean kept) {
        java.net.URI uri = java.net.URI.create(spec.substring("s3:".length()));
        return KeyholeConfig.builder().storage("s3").storageOption("s3-bucket", uri.getPath().substring(1))
                .storageOption("s3-endpoint", uri.getScheme() + "://" + uri.getAuthority())
                .storageOption("s3-region", "us-east-1").storageOption("s3-path-style", "yes")
                .storageOption("s3-access-key", "bench").storageOption("s3-secret-key", "bench")
                .storageTimeout(java.time.Duration.ofSeconds(30))
                .openCacheValid(kept ? io.keyhole.internal.Settings.duration("open-cache-valid", OPEN_CACHE_VALID)
                        : java.time.Duration.ZERO)
                .fsDepth(DEPTH).mount(MOUNT).jwtKey(key).jwtField("uid").authorizer(q -> GRANT)
                .delivery(delivery).renderer(delivery == DeliveryMode.STREAM
                        ? System.getProperty("keyhole.bench.renderer", "stream") : "auto").build();
    }

    /** {@code a/b/c/d/abcd…}: where nginx finds an id below its internal location. */
    static String relativePath(String id) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < DEPTH; i++) {
            out.append(id.charAt(i)).append('/');
        }
        return out.append(id).toString();
    }

    /** An HS256 JWT with the claim {@code uid=bench}, valid for a day. */
    public static String token(byte[] key) {
        return Tokens.hs256(key, "bench", Instant.now().plusSeconds(86_400));
    }
}
