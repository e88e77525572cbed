package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.StreamContractTest;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.Wire;
import io.keyhole.tree.HashedTree;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The adapter contract with the tree in a bucket: the test tree copied into S3Proxy, Keyhole's
 * filter on Jetty streaming from it (the plain-filter suite, {@link StreamContractTest}, with
 * another storage). The same statuses, headers and bytes as from the local tree,
 * and on top what the bucket was asked, counted by a relay in front of S3Proxy: nothing for a
 * refused request, one request for a download.
 */
class BucketContractTest extends StreamContractTest {

    private CountingRelay relay;

    /** The bucket this suite copies the test tree into: one per suite, since S3Proxy is shared. */
    String bucket() {
        return "contract";
    }

    @Override
    protected KeyholeConfig.Builder storage(KeyholeConfig.Builder config, TestTree written) throws Exception {
        S3Proxy s3proxy = S3Proxy.shared();
        s3proxy.createBucket(bucket());
        HashedTree layout = new HashedTree(Path.of(""), 2);
        try (S3Client s3 = s3proxy.client()) {
            for (String id : List.of(TestTree.LARGE, TestTree.SMALL)) {
                s3.putObject(b -> b.bucket(bucket()).key(layout.relativePathOf(FileId.parse(id))),
                        RequestBody.fromBytes(written.content(id)));
            }
        }
        relay = new CountingRelay(s3proxy.port());
        return S3Proxy.configure(config, relay.endpoint(), bucket());
    }

    @AfterAll
    void closeRelay() throws Exception {
        relay.close();
    }

    @BeforeEach
    void forgetRequests() {
        relay.forget();
    }

    private String url(String id) {
        return "http://127.0.0.1:" + port() + "/app/files/" + id;
    }

    private HttpResponse<byte[]> get(String id, String... headers) throws Exception {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = "Bearer " + Tokens.valid("alice");
        return Wire.send("GET", url(id), all);
    }

    private List<String> asked() {
        return relay.seenIn(bucket()).stream().map(CountingRelay.Seen::toString).toList();
    }

    private String key(String id) {
        return "/" + bucket() + "/" + new HashedTree(Path.of(""), 2).relativePathOf(FileId.parse(id));
    }

    @Test
    void refusedRequestsAskNothingOfTheBucket() throws Exception {
        // no credential, a denial, a path that is no id: no existence oracle, not even a HEAD
        assertEquals(401, Wire.send("GET", url(TestTree.LARGE)).statusCode());
        assertEquals(401, Wire.send("GET", url(TestTree.LARGE), "Authorization", "Bearer " + Tokens.hs256(Tokens.OTHER_KEY, "alice", java.time.Instant.now().plusSeconds(60))).statusCode());
        assertEquals(403, get(DENIED).statusCode());
        assertEquals(404, get("not-an-id").statusCode());
        assertEquals(List.of(), relay.seen());
    }

    @Test
    void aDownloadIsOneGet() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals(List.of("GET " + key(TestTree.LARGE)), asked());
    }

    @Test
    void oneRangeIsOneRangedGet() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=-100");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(tree.large(), LARGE_SIZE - 100, LARGE_SIZE), r.body());
        assertEquals(List.of("GET " + key(TestTree.LARGE) + " Range: bytes=-100"), asked());
    }

    @Test
    void aHeadAndARevalidationAreOneHeadEach() throws Exception {
        assertEquals(200, Wire.send("HEAD", url(TestTree.LARGE), "Authorization", "Bearer " + Tokens.valid("alice"))
                .statusCode());
        assertEquals(304, get(TestTree.LARGE, "If-None-Match", TestTree.ETAG).statusCode());
        assertEquals(List.of("HEAD " + key(TestTree.LARGE), "HEAD " + key(TestTree.LARGE)), asked());
    }

    @Test
    void downloadsShareKeptAliveConnections() throws Exception {
        int before = relay.accepted();
        for (int i = 0; i < 30; i++) {
            HttpResponse<byte[]> r = get(TestTree.SMALL);
            assertEquals(200, r.statusCode());
            assertArrayEquals(tree.small(), r.body());
        }
        // with open-cache-valid the small object is kept after the first
        assertEquals(decisionsCached() ? 1 : 30, asked().size());
        // one after the other: at most one new connection, counted where the bucket accepts them
        assertTrue(relay.accepted() - before <= 1, (relay.accepted() - before) + " connections for 30 downloads");
    }

    @Test
    void aGrantedMissingObjectIsOneGetAnd404() throws Exception {
        assertEquals(404, get(MISSING).statusCode());
        assertEquals(List.of("GET " + key(MISSING)), asked());
    }
}
