package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.StoredMetadata;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.Wire;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two Keyhole instances on one bucket, with one backend (a map both write to and read from, as a
 * shared database would be): what one stores the other serves, and many uploads through both at
 * once never share an id nor damage a file. S3Proxy's filesystem backend ignores
 * {@code If-None-Match}, so this holds by {@code s3-claim=instance}.
 */
class TwoNodesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 16;
    /** Small files: the test is about ids and integrity, not about throughput. */
    private static final int FILES = Integer.getInteger("keyhole.s3.uploads", 2000);

    /** The shared backend: what each upload recorded, by id. */
    private final Map<String, StoredMetadata> recorded = new ConcurrentHashMap<>();

    private final Authorizer backend = q -> {
        if (q.method().equals("POST")) {
            StoredMetadata previous = recorded.putIfAbsent(q.fileId().value(), q.stored());
            return previous == null ? AuthResponse.ofStatus(200) : AuthResponse.ofStatus(409);
        }
        StoredMetadata s = recorded.get(q.fileId().value());
        return s == null ? AuthResponse.ofStatus(404) : new AuthResponse(200, s.filename(), s.contentType(),
                s.disposition().wireValue(), s.etag(), s.size(), s.uploadDateSeconds(), null, null);
    };

    private KeyholeConfig node(String bucket, String instance) {
        return S3Proxy.configure(KeyholeConfig.builder(), S3Proxy.shared().endpoint(), bucket).fsDepth(2)
                .readOnly(false).instanceId(instance).renderer("stream")
                .uploadMatrix(AuthMatrix.parse("allow:allow:allow:deny")).authorizer(backend).build();
    }

    @Test
    void whatOneNodeStoresTheOtherServesWithTheSameBytesAndMetadata() throws Exception {
        S3Proxy.shared().createBucket("two-nodes");
        byte[] content = new byte[200_000];
        new Random(11).nextBytes(content);
        String boundary = "b0undary";
        byte[] form = multipart(boundary, "report.pdf", "application/pdf", content);
        try (JettyWithKeyhole a = JettyWithKeyhole.start(node("two-nodes", "node-a"));
             JettyWithKeyhole b = JettyWithKeyhole.start(node("two-nodes", "node-b"))) {
            HttpResponse<byte[]> up = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(a.url("/")))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(form)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(201, up.statusCode(), new String(up.body(), StandardCharsets.UTF_8));
            JsonNode stored = JSON.readTree(up.body());
            String id = stored.get("file_id").asText();

            HttpResponse<byte[]> down = Wire.send("GET", b.url("/" + id));
            assertEquals(200, down.statusCode());
            assertArrayEquals(content, down.body());
            assertEquals("application/pdf", Wire.header(down, "Content-Type"));
            assertEquals("inline; filename=\"report.pdf\"", Wire.header(down, "Content-Disposition"));
            assertEquals("\"" + stored.get("etag").asText() + "\"", Wire.header(down, "ETag"));
            assertEquals(Integer.toString(content.length), Wire.header(down, "Content-Length"));

            HttpResponse<byte[]> range = Wire.send("GET", a.url("/" + id), "Range", "bytes=100-199");
            assertEquals(206, range.statusCode());
            assertArrayEquals(java.util.Arrays.copyOfRange(content, 100, 200), range.body());
        }
    }

    @Test
    void sixteenThreadsThroughTwoNodesNeverShareAnIdNorDamageAFile() throws Exception {
        String bucket = "many-uploads";
        S3Proxy.shared().createBucket(bucket);
        Map<String, String> md5ById = new ConcurrentHashMap<>();
        try (Keyhole a = new Keyhole(node(bucket, "node")); Keyhole b = new Keyhole(node(bucket, "node"))) {
            // the same instance-id on both nodes, the same name and user for every file: only the claim keeps ids apart
            Map<String, Keyhole> storedBy = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    for (int i = thread; i < FILES; i += THREADS) {
                        byte[] bytes = new byte[64 + random.nextInt(512)];
                        random.nextBytes(bytes);
                        String text = HexFormat.of().formatHex(bytes);
                        Keyhole node = i % 2 == 0 ? a : b;
                        Delivery d = node.decide(upload("same.txt", text));
                        assertEquals(201, d.status(), ((Delivery.Reply) d).message());
                        String id = JSON.readTree(((Delivery.Reply) d).message()).get("file_id").asText();
                        String previous = md5ById.put(id, md5(text.getBytes(StandardCharsets.US_ASCII)));
                        storedBy.put(id, node);
                        assertEquals(null, previous, "two uploads got " + id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertEquals(FILES, md5ById.size());
            assertEquals(FILES, recorded.size());
            // every object intact: the MD5 the bucket computed of what it received (the ETag of a
            // single PUT) is the MD5 of what was sent, by id
            Map<String, String> inBucket = new HashMap<>();
            try (S3Client s3 = S3Proxy.shared().client()) {
                s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().forEach(o -> inBucket.put(
                        o.key().substring(o.key().lastIndexOf('/') + 1), o.eTag().replace("\"", "")));
            }
            assertEquals(md5ById, inBucket, "objects in the bucket and their MD5s");
            // and a tenth of them downloaded through the node that did not store them
            List<Future<?>> checked = new ArrayList<>();
            List<String> all = new ArrayList<>(md5ById.keySet());
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                checked.add(pool.submit(() -> {
                    for (int i = thread * 10; i < all.size(); i += THREADS * 10) {
                        String id = all.get(i);
                        Keyhole other = storedBy.get(id) == a ? b : a;
                        Delivery.Send send = (Delivery.Send) other.decide(TestRequest.get("/" + id));
                        assertEquals(md5ById.get(id), md5(body(send)), id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : checked) {
                f.get();
            }
            pool.shutdown();
        }
    }

    @Test
    void aBucketReplacesNoFileAndMakesNoPackMemberAndSaysWhichStorageDoes() throws Exception {
        String bucket = "no-replace";
        S3Proxy.shared().createBucket(bucket);
        try (Keyhole node = new Keyhole(node(bucket, "node"))) {
            Delivery stored = node.decide(upload("a.txt", "first"));
            assertEquals(201, stored.status());
            String id = JSON.readTree(((Delivery.Reply) stored).message()).get("file_id").asText();
            int asked = recorded.size();

            byte[] form = "d=second".getBytes(StandardCharsets.US_ASCII);
            Delivery put = node.decide(new TestRequest("PUT", "/" + id, null, List.of(
                    new NameValue("Content-Type", "application/x-www-form-urlencoded"),
                    new NameValue("Content-Length", Integer.toString(form.length))), List.of(), "",
                    new ByteArrayInputStream(form)));
            assertEquals(405, put.status(), ((Delivery.Reply) put).message());
            assertEquals("GET, HEAD, DELETE", put.header("Allow"));
            assertTrue(((Delivery.Reply) put).message().contains("storage=local"), ((Delivery.Reply) put).message());
            Delivery post = node.decide(new TestRequest("POST", "/" + id, null, List.of(), List.of(), "",
                    new ByteArrayInputStream(new byte[0])));
            assertEquals(405, post.status());
            assertEquals("GET, HEAD, DELETE", post.header("Allow"));

            byte[] member = ("pl=" + id + ".1&ext=txt&d=member").getBytes(StandardCharsets.US_ASCII);
            Delivery pack = node.decide(new TestRequest("POST", "/", null, List.of(
                    new NameValue("Content-Type", "application/x-www-form-urlencoded"),
                    new NameValue("Content-Length", Integer.toString(member.length))), List.of(), "",
                    new ByteArrayInputStream(member)));
            assertEquals(400, pack.status());
            assertTrue(((Delivery.Reply) pack).message().contains("pack members (fields pl and ext) needs storage=local"),
                    ((Delivery.Reply) pack).message());
            assertEquals(asked, recorded.size(), "the backend was asked nothing more");
            assertEquals("first", new String(body((Delivery.Send) node.decide(TestRequest.get("/" + id))),
                    StandardCharsets.US_ASCII));
        }
        try (S3Client s3 = S3Proxy.shared().client()) {
            assertEquals(1, s3.listObjectsV2(r -> r.bucket(bucket)).contents().stream()
                    .filter(o -> !o.key().endsWith("/")).count(), "the pack member's upload left nothing");
        }
    }

    private static byte[] body(Delivery.Send send) throws java.io.IOException {
        try (var file = send.file(); var in = java.nio.channels.Channels.newInputStream(file.range(0, file.size()))) {
            return in.readAllBytes();
        }
    }

    private static TestRequest upload(String name, String text) {
        byte[] body = ("n=" + name + "&d=" + URLEncoder.encode(text, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.US_ASCII);
        return new TestRequest("POST", "/", null, List.of(
                new NameValue("Content-Type", "application/x-www-form-urlencoded"),
                new NameValue("Content-Length", Integer.toString(body.length))), List.of(), "",
                new ByteArrayInputStream(body));
    }

    private static byte[] multipart(String boundary, String name, String type, byte[] content) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"d\"; filename=\"" + name
                + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        System.arraycopy(tail, 0, all, head.length + content.length, tail.length);
        return all;
    }

    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }
}
