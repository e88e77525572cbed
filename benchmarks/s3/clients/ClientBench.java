package io.keyhole.internal.s3;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocketFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One 4 KiB GET after another from 16 threads against S3Proxy, through one of three clients: the
 * download path of keyhole-s3 ({@code lean}: BucketReads), the JDK's java.net.http.HttpClient with
 * the same signed headers ({@code jdk}), or the AWS SDK's S3Client on url-connection ({@code sdk},
 * the download path before). Prints requests/s and the CPU per request of this JVM and of S3Proxy.
 * In the package of keyhole-s3 since BucketReads is package-private; run by clients.sh.
 *
 * <p>args: mode(lean|jdk|sdk) endpoint bucket idsFile s3proxyPid threads warmupSeconds measureSeconds
 */
public class ClientBench {
    interface Get { byte[] get(String key) throws Exception; }

    public static void main(String[] a) throws Exception {
        String mode = a[0]; URI ep = URI.create(a[1]); String bucket = a[2];
        List<String> ids = Files.readAllLines(Path.of(a[3]));
        String s3pid = a[4]; int threads = Integer.parseInt(a[5]);
        int warm = Integer.parseInt(a[6]), measure = Integer.parseInt(a[7]);
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench"));
        Get get;
        BucketReads[] lean = new BucketReads[1];
        switch (mode) {
            case "lean" -> {
                BucketReads r = new BucketReads(URI.create(ep + "/" + bucket + "/k"), "us-east-1", creds, Clock.systemUTC(),
                        (SSLSocketFactory) SSLSocketFactory.getDefault(), Duration.ofSeconds(2), Duration.ofSeconds(10));
                lean[0] = r;
                get = key -> { var ans = r.send("GET", key, null, null); try (InputStream in = ans.body()) { return in.readAllBytes(); } };
            }
            case "jdk" -> {
                HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                SigV4 signer = new SigV4("us-east-1", "s3");
                DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
                String host = ep.getHost() + ":" + ep.getPort();
                get = key -> {
                    String path = "/" + bucket + "/" + SigV4.encodePath(key);
                    String date = f.format(Clock.systemUTC().instant());
                    TreeMap<String, String> h = new TreeMap<>();
                    h.put("host", host); h.put("x-amz-content-sha256", SigV4.EMPTY_PAYLOAD); h.put("x-amz-date", date);
                    HttpRequest req = HttpRequest.newBuilder(URI.create(ep + path)).GET()
                            .header("X-Amz-Content-SHA256", SigV4.EMPTY_PAYLOAD).header("X-Amz-Date", date)
                            .header("Authorization", signer.authorization("bench", "bench", "GET", path, "", h, SigV4.EMPTY_PAYLOAD, date))
                            .timeout(Duration.ofSeconds(10)).build();
                    HttpResponse<InputStream> resp = c.send(req, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = resp.body()) { return in.readAllBytes(); }
                };
            }
            default -> {
                S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.builder().build()).endpointOverride(ep)
                        .region(Region.US_EAST_1).forcePathStyle(true).credentialsProvider(creds)
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
                get = key -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            }
        }
        AtomicLong count = new AtomicLong(); AtomicBoolean stop = new AtomicBoolean();
        Get g = get;
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                    String key = id.charAt(0) + "/" + id.charAt(1) + "/" + id.charAt(2) + "/" + id.charAt(3) + "/" + id;
                    try { if (g.get(key).length != 4096) throw new IllegalStateException("short"); count.incrementAndGet(); }
                    catch (Exception e) { e.printStackTrace(); stop.set(true); }
                }
            });
            th.setDaemon(true); th.start();
        }
        Thread.sleep(warm * 1000L);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = count.get(), cpu0 = os.getProcessCpuTime(), s0 = ticks(s3pid), t0 = System.nanoTime();
        Thread.sleep(measure * 1000L);
        long c1 = count.get(), cpu1 = os.getProcessCpuTime(), s1 = ticks(s3pid), t1 = System.nanoTime();
        stop.set(true);
        long n = c1 - c0;
        if (lean[0] != null) System.out.println("lean connections opened: " + lean[0].connectionsOpened() + " for " + c1 + " requests");
        System.out.printf("%s req/s %.0f clientCPUus/req %.0f s3proxyCPUus/req %.0f loadavg %s%n", mode,
                n / ((t1 - t0) / 1e9), (cpu1 - cpu0) / 1e3 / n, (s1 - s0) * 10_000.0 / n, Files.readString(Path.of("/proc/loadavg")).trim());
        System.exit(0);
    }

    static long ticks(String pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split(" ");
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
