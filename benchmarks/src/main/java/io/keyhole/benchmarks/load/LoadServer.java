package io.keyhole.benchmarks.load;

import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Starts one server of the load harness ({@code benchmarks/load/run.sh}) on 127.0.0.1 and runs
 * until killed. Every server serves the same tree; Keyhole answers {@code /files/<id>}, the
 * containers' DefaultServlets and nginx answer {@code /<a>/<b>/<c>/<d>/<id>}.
 *
 * <pre>
 * LoadServer KIND PORT ROOT KEYFILE
 *   jetty-keyhole        KeyholeFilter on Jetty, renderer=auto (Jetty's core response)
 *   jetty-keyhole-stream KeyholeFilter on Jetty, renderer=stream
 *   jetty-default        Jetty's DefaultServlet on ROOT
 *   jetty-accel          KeyholeFilter on Jetty, delivery=x-accel-redirect, accel-prefix=/protected/
 *   jetty-trivial        a servlet that only sets X-Accel-Redirect from the id, no checks
 *   tomcat-keyhole       KeyholeFilter on Tomcat, renderer=auto (sendfile)
 *   tomcat-keyhole-stream KeyholeFilter on Tomcat, renderer=stream
 *   tomcat-default       Tomcat's DefaultServlet on ROOT
 *   jetty-s3             KeyholeFilter on Jetty streaming from a bucket: ROOT is s3:http://HOST:PORT/BUCKET
 *                        (path style, no credentials needed: S3Proxy with s3proxy.authorization=none)
 *   jetty-s3-redirect    the same with delivery=redirect
 * LoadServer token KEYFILE   prints a JWT (claim uid=bench, valid for a day)
 * </pre>
 *
 * <p>Keyhole checks a JWT (HS256 from KEYFILE, claim {@code uid}) and asks an in-process
 * authoriser that grants everything: the cost measured is Keyhole's own.
 */
public final class LoadServer {

    static final int DEPTH = 4;

    private LoadServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("token")) {
            System.out.println(token(Files.readAllBytes(Path.of(args[1]))));
            return;
        }
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: LoadServer KIND PORT ROOT KEYFILE | LoadServer token KEYFILE");
        }
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        Path root = Path.of(args[2].startsWith("s3:") ? "." : args[2]);
        byte[] key = Files.readAllBytes(Path.of(args[3]));
        AutoCloseable server = switch (kind) {
            case "jetty-keyhole" -> JettyServers.keyhole(port, keyhole(root, key, "auto", DeliveryMode.STREAM));
            case "jetty-keyhole-stream" -> JettyServers.keyhole(port, keyhole(root, key, "stream", DeliveryMode.STREAM));
            case "jetty-accel" -> JettyServers.keyhole(port, keyhole(root, key, "auto", DeliveryMode.X_ACCEL_REDIRECT));
            case "jetty-default" -> JettyServers.defaultServlet(port, root);
            case "jetty-trivial" -> JettyServers.trivialAccel(port);
            case "tomcat-keyhole" -> TomcatServers.keyhole(port, keyhole(root, key, "auto", DeliveryMode.STREAM));
            case "tomcat-keyhole-stream" -> TomcatServers.keyhole(port, keyhole(root, key, "stream", DeliveryMode.STREAM));
            case "tomcat-default" -> TomcatServers.defaultServlet(port, root);
            case "jetty-s3" -> JettyServers.keyhole(port, bucket(args[2], key, DeliveryMode.STREAM));
            case "jetty-s3-redirect" -> JettyServers.keyhole(port, bucket(args[2], key, DeliveryMode.REDIRECT));
            default -> throw new IllegalArgumentException("unknown server kind " + kind);
        };
        System.out.println("READY " + kind + " 127.0.0.1:" + port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        Thread.currentThread().join();
    }

    static KeyholeConfig keyhole(Path root, byte[] key, String renderer, DeliveryMode delivery) {
        AuthResponse grant = new AuthResponse(200, "file.bin", "application/octet-stream", null, null, null, null, null);
        KeyholeConfig.Builder b = KeyholeConfig.builder().fsRoot(root).fsDepth(DEPTH).mount("/files/")
                .jwtKey(key).jwtField("uid").authorizer(q -> grant).delivery(delivery);
        if (delivery.offloaded()) {
            b.accelPrefix("/protected/");
        } else {
            b.renderer(renderer);
        }
        return b.build();
    }

    /** Keyhole on the bucket {@code s3:http://host:port/bucket}, path style, any credentials. */
    static KeyholeConfig bucket(String spec, byte[] key, DeliveryMode delivery) {
        java.net.URI uri = java.net.URI.create(spec.substring("s3:".length()));
        AuthResponse grant = new AuthResponse(200, "file.bin", "application/octet-stream", null, null, null, null, null);
        return KeyholeConfig.builder().storage("s3").storageOption("s3-bucket", uri.getPath().substring(1))
                .storageOption("s3-endpoint", uri.getScheme() + "://" + uri.getAuthority())
                .storageOption("s3-region", "us-east-1").storageOption("s3-path-style", "yes")
                .storageOption("s3-access-key", "bench").storageOption("s3-secret-key", "bench")
                .storageTimeout(java.time.Duration.ofSeconds(30))
                .fsDepth(DEPTH).mount("/files/").jwtKey(key).jwtField("uid").authorizer(q -> grant)
                .delivery(delivery).renderer(delivery == DeliveryMode.STREAM ? "stream" : "auto").build();
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
