package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.http.ContentDisposition;
import io.keyhole.testing.Nginx;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.Wire;
import io.keyhole.tree.HashedTree;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * The bytes of an object sent by someone else after Keyhole's grant: the bucket itself through a
 * presigned URL ({@code delivery=redirect}), or nginx from an internal location that proxies the
 * bucket ({@code delivery=x-accel-redirect}). Keyhole asks the bucket nothing in either mode.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BucketOffloadTest {

    private static final String BUCKET = "offload";
    private static final String ID = "abcdef0123456789abcdef0123456789";
    private static final String DENIED = "0000111122223333444455556666777f";
    private final byte[] content = new byte[100_000];
    private CountingRelay relay;

    private final Authorizer backend = q -> q.fileId().value().startsWith("0000") ? AuthResponse.ofStatus(403)
            : new AuthResponse(200, "Bericht März.pdf", "application/pdf", "attachment", "\"v7\"", null, 1_700_000_000L,
                    null, null);

    @BeforeAll
    void putObject() throws Exception {
        S3Proxy s3proxy = S3Proxy.shared();
        s3proxy.createBucket(BUCKET);
        new Random(5).nextBytes(content);
        try (S3Client s3 = s3proxy.client()) {
            // readable without a signature, for the nginx location that proxies the bucket
            s3.putObject(b -> b.bucket(BUCKET).key(key()).acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromBytes(content));
        }
        relay = new CountingRelay(s3proxy.port());
    }

    @AfterAll
    void closeRelay() throws Exception {
        relay.close();
    }

    private static String key() {
        return new HashedTree(Path.of(""), 2).relativePathOf(FileId.parse(ID));
    }

    @Test
    void redirectSendsTheClientToASignedUrlThatServesTheObjectAsTheBackendDescribesIt() throws Exception {
        KeyholeConfig config = S3Proxy.configure(KeyholeConfig.builder(), relay.endpoint(), BUCKET).fsDepth(2)
                .delivery(DeliveryMode.REDIRECT).presignTtl(Duration.ofSeconds(30)).authorizer(backend).build();
        try (Keyhole keyhole = new Keyhole(config)) {
            relay.forget();
            assertEquals(403, keyhole.decide(TestRequest.get("/" + DENIED)).status());
            Delivery d = keyhole.decide(TestRequest.get("/" + ID));
            assertEquals(302, d.status());
            assertEquals("no-store", d.header("Cache-Control"));
            assertEquals(List.of(), relay.seen(), "Keyhole asks the bucket nothing: signing is local");

            String location = ((Delivery.Redirect) d).location();
            assertTrue(location.contains("X-Amz-Expires=30"), location);
            HttpResponse<byte[]> r = Wire.send("GET", location);
            assertEquals(200, r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertArrayEquals(content, r.body());
            assertEquals("application/pdf", Wire.header(r, "Content-Type"));
            assertEquals(ContentDisposition.of(true, "Bericht März.pdf"), Wire.header(r, "Content-Disposition"));
            // the bucket answers ranges itself
            HttpResponse<byte[]> part = Wire.send("GET", location, "Range", "bytes=10-19");
            assertEquals(206, part.statusCode());
            assertArrayEquals(Arrays.copyOfRange(content, 10, 20), part.body());

            // a signature is bound to its object: another key with the same query fails
            String other = location.replace(key(), key().replace("abcdef", "abcdee"));
            assertEquals(403, Wire.send("GET", other).statusCode());
        }
    }

    @Test
    void xAccelRedirectHasNginxProxyTheBucket() throws Exception {
        Nginx.assumeInstalled();
        KeyholeConfig config = S3Proxy.configure(KeyholeConfig.builder(), relay.endpoint(), BUCKET).fsDepth(2)
                .mount("/files/").delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/bucket/")
                .authorizer(backend).build();
        int s3port = S3Proxy.shared().port();
        try (JettyWithKeyhole keyhole = JettyWithKeyhole.start(config);
             Nginx nginx = Nginx.start(port -> """
                     server {
                         listen 127.0.0.1:%d;
                         location /files/ {
                             proxy_pass http://127.0.0.1:%d;
                         }
                         location /bucket/ {
                             internal;
                             proxy_pass http://127.0.0.1:%d/%s/;
                             # Keyhole's type and disposition, not the bucket's; validators are the bucket's
                             proxy_hide_header Content-Type;
                             proxy_hide_header Content-Disposition;
                             proxy_hide_header x-amz-request-id;
                         }
                     }
                     """.formatted(port, keyhole.port(), s3port, BUCKET))) {
            relay.forget();
            HttpResponse<byte[]> r = Wire.send("GET", nginx.uri("/files/" + ID).toString());
            assertEquals(200, r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
            assertArrayEquals(content, r.body());
            assertEquals("application/pdf", Wire.header(r, "Content-Type"));
            assertEquals(ContentDisposition.of(true, "Bericht März.pdf"), Wire.header(r, "Content-Disposition"));
            // nginx keeps only type and disposition of Keyhole's answer; the validators come from the bucket,
            // which then also answers the client's conditionals that nginx passes on
            String etag = Wire.header(r, "ETag");
            assertTrue(etag != null && etag.startsWith("\""), etag);
            assertEquals(304, Wire.send("GET", nginx.uri("/files/" + ID).toString(), "If-None-Match", etag).statusCode());
            assertNull(Wire.header(r, "X-Accel-Redirect"));

            HttpResponse<byte[]> part = Wire.send("GET", nginx.uri("/files/" + ID).toString(), "Range", "bytes=-10");
            assertEquals(206, part.statusCode());
            assertArrayEquals(Arrays.copyOfRange(content, content.length - 10, content.length), part.body());

            assertEquals(403, Wire.send("GET", nginx.uri("/files/" + DENIED).toString()).statusCode());
            // the internal location is not reachable from outside
            assertEquals(404, Wire.send("GET", nginx.uri("/bucket/" + key()).toString()).statusCode());
            // Keyhole opened the object (HEAD: its size, date and 404) but never read a byte of it
            assertTrue(relay.seen().stream().allMatch(s -> s.method().equals("HEAD")), relay.seen().toString());
        }
    }
}
