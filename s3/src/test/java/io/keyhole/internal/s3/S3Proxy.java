package io.keyhole.internal.s3;

import io.keyhole.KeyholeConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy ({@code org.gaul:s3proxy}, its jar-with-dependencies
 * copied by the build) as a child process on 127.0.0.1, storing in a temporary directory. It
 * binds port 0 and logs the port it got. Starting takes seconds, so the tests share one
 * ({@link #shared()}, objects in memory) unless they stop it.
 *
 * <p>Two of its traps: with the SDK's default checksum settings PutObject answers 501 (so the
 * clients here and in {@link BucketSettings} compute checksums only when required), and its
 * filesystem backend ignores {@code If-None-Match} on PUT (so buckets here use {@code s3-claim=instance}).
 */
final class S3Proxy implements AutoCloseable {

    static final String IDENTITY = "keyhole-test";
    static final String CREDENTIAL = "keyhole-test-secret";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector.*\\{127\\.0\\.0\\.1:(\\d+)}");
    private static final long START_LIMIT_SECONDS = 120;
    private static S3Proxy shared;

    private final Path dir;
    private final Process process;
    private final int port;
    private final Deque<String> lastLines;

    private S3Proxy(Path dir, Process process, int port, Deque<String> lastLines) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.lastLines = lastLines;
    }

    /** The one S3Proxy of this test run, started on first use and stopped when the JVM ends. */
    static synchronized S3Proxy shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("keyhole-s3proxy");
                shared = start(dir, 0, "transient");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            S3Proxy started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteTree(started.dir);
            }));
        }
        return shared;
    }

    /**
     * Starts S3Proxy storing below {@code dir} on {@code port} (0: any free one).
     *
     * @throws IOException when it does not start within two minutes, with its last lines
     */
    static S3Proxy start(Path dir, int port) throws IOException {
        return start(dir, port, "filesystem");
    }

    /**
     * @param backend the jclouds provider: {@code filesystem} keeps the objects across a restart,
     *                {@code transient} keeps them in memory and answers faster
     */
    static S3Proxy start(Path dir, int port, String backend) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=%s
                s3proxy.credential=%s
                jclouds.provider=%s
                jclouds.filesystem.basedir=%s
                """.formatted(port, IDENTITY, CREDENTIAL, backend, data));
        String jar = System.getProperty("keyhole.s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no S3Proxy jar at keyhole.s3proxy.jar=" + jar + "; run the tests through Maven");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar,
                "--properties", conf.toString())
                .redirectErrorStream(true).start();
        Deque<String> last = new ArrayDeque<>();
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (last) {
                        last.addLast(line);
                        if (last.size() > 40) {
                            last.removeFirst();
                        }
                    }
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        bound.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            bound.completeExceptionally(new IOException("S3Proxy ended"));
        }, "s3proxy-log");
        reader.setDaemon(true);
        reader.start();
        try {
            return new S3Proxy(dir, process, bound.get(START_LIMIT_SECONDS, TimeUnit.SECONDS), last);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            String lines;
            synchronized (last) {
                lines = String.join("\n", last);
            }
            throw new IOException("S3Proxy did not start on port " + port + ": " + e + "\n" + lines, e);
        }
    }

    int port() {
        return port;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Starts it again on the same port and data, after {@link #close()}; retries while the port is still held. */
    S3Proxy restart() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return start(dir, port, "filesystem");
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** A client for setting up buckets and objects, with the checksum settings S3Proxy needs. */
    S3Client client() {
        return client(endpoint());
    }

    static S3Client client(URI endpoint) {
        return S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** Creates {@code bucket} (a fresh name per test class). */
    void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** The keys that point Keyhole at {@code bucket} of the S3 server at {@code endpoint}. */
    static Map<String, String> keys(URI endpoint, String bucket) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("storage", "s3");
        keys.put("s3-bucket", bucket);
        keys.put("s3-endpoint", endpoint.toString());
        keys.put("s3-region", "us-east-1");
        keys.put("s3-path-style", "yes");
        keys.put("s3-access-key", IDENTITY);
        keys.put("s3-secret-key", CREDENTIAL);
        keys.put("s3-claim", "instance");
        return keys;
    }

    /** Sets the keys of {@link #keys} on a builder. */
    static KeyholeConfig.Builder configure(KeyholeConfig.Builder builder, URI endpoint, String bucket) {
        Map<String, String> keys = keys(endpoint, bucket);
        builder.storage(keys.remove("storage"));
        keys.forEach(builder::storageOption);
        return builder;
    }

    /** Stops the process and waits for it; the data stay for {@link #restart()}. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Removes {@code dir} and what is below it. */
    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory; what is left is the system's to clean
        }
    }

    @Override
    public String toString() {
        synchronized (lastLines) {
            return "S3Proxy on " + port + " (last lines: " + String.join("\n", lastLines) + ")";
        }
    }
}
