package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The download path against S3Proxy, beyond the contract: what an object carries besides its
 * bytes stays in the bucket, bodies arrive in large reads into direct buffers too, and an
 * {@code https} endpoint is spoken to in TLS or not at all.
 */
class BucketDownloadsTest {

    private static final String BUCKET = "downloads";
    private static final String ID = TestTree.SMALL;

    private static Keyhole keyhole(URI endpoint) {
        return new Keyhole(S3Proxy.configure(KeyholeConfig.builder(), endpoint, BUCKET).fsDepth(2)
                .authorizer(TestTree.grant()).build());
    }

    private static byte[] put(Map<String, String> metadata) {
        S3Proxy s3proxy = S3Proxy.shared();
        s3proxy.createBucket(BUCKET);
        byte[] content = new byte[200_000];
        new java.util.Random(11).nextBytes(content);
        try (S3Client s3 = s3proxy.client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(new HashedTree(Path.of(""), 2).relativePathOf(FileId.parse(ID)))
                    .contentType("text/html").contentDisposition("attachment; filename=\"evil.html\"")
                    .cacheControl("public, max-age=31536000").metadata(metadata), RequestBody.fromBytes(content));
        }
        return content;
    }

    @Test
    void theObjectsOwnHeadersNeverReachTheAnswer() throws Exception {
        byte[] content = put(Map.of("evil", "<script>", "location", "https://attacker.example/"));
        try (Keyhole keyhole = keyhole(S3Proxy.shared().endpoint())) {
            Delivery.Send send = assertInstanceOf(Delivery.Send.class, keyhole.decide(TestRequest.get("/" + ID)));
            try {
                for (var h : send.headers()) {
                    String name = h.name().toLowerCase(Locale.ROOT);
                    assertTrue(!name.startsWith("x-amz") && !name.equals("location"), h.toString());
                    assertTrue(!h.value().contains("evil") && !h.value().contains("31536000"), h.toString());
                }
                assertNotEquals("text/html", send.header("Content-Type"));
                // the body, into a direct buffer as the zero-copy renderers use
                ByteBuffer all = ByteBuffer.allocate(content.length);
                ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);
                try (ReadableByteChannel in = send.file().range(0, send.file().size())) {
                    while (in.read(direct.clear()) >= 0) {
                        all.put(direct.flip());
                    }
                }
                assertArrayEquals(content, all.array());
            } finally {
                send.file().close();
            }
        }
    }

    @Test
    void anHttpsEndpointIsSpokenToInTlsNeverInPlainHttp() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    return in.readNBytes(4);
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            try (Keyhole keyhole = keyhole(URI.create("https://127.0.0.1:" + server.getLocalPort()))) {
                // no certificate this JVM trusts: the download fails, as unavailable storage
                assertEquals(503, keyhole.decide(TestRequest.get("/" + ID)).status());
            }
            byte[] hello = first.get(20, TimeUnit.SECONDS);
            // a TLS record of type handshake (22), not "GET "
            assertEquals(0x16, hello[0], "the first byte on the wire");
        }
    }
}
