package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.StoredMetadata;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import io.keyhole.tree.TreeCheck;
import io.keyhole.tree.TreeProblem;
import io.keyhole.tree.Upload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code keyhole init} and {@code keyhole fsck} against a bucket ({@link Store#create()},
 * {@link Store#check}, {@link Store#cleanup()} of the bucket), on S3Proxy.
 */
class BucketTreeTest {

    private static Storages.Started start(String bucket, String prefix, int depth, Clock clock, String claim) {
        Map<String, String> keys = S3Proxy.keys(S3Proxy.shared().endpoint(), bucket);
        keys.put("s3-prefix", prefix);
        keys.put("s3-claim", claim);
        KeyholeConfig.Builder b = KeyholeConfig.builder().storage(keys.remove("storage")).fsDepth(depth)
                .authorizer(q -> {
                    throw new IllegalStateException("nothing is asked here");
                });
        keys.forEach(b::storageOption);
        KeyholeConfig config = b.build();
        return Storages.start(config.storage(), config.tree(), new StorageProvider.Writes(clock, "node-t", 1 << 30));
    }

    private static Storages.Started start(String bucket, String prefix, Clock clock) {
        return start(bucket, prefix, 2, clock, "instance");
    }

    @Test
    void initMarksTheTreeOnceAndRefusesAnotherDepthOrAMissingBucket() throws Exception {
        S3Proxy.shared().createBucket("tree-init");
        try (Storages.Started s = start("tree-init", "files/", Clock.systemUTC())) {
            String first = s.store().create();
            assertTrue(first.startsWith("marked s3://tree-init/files/"), first);
            assertTrue(first.contains("depth 2"), first);
            String again = s.store().create();
            assertTrue(again.startsWith("found s3://tree-init/files/"), again);
        }
        try (S3Client s3 = S3Proxy.shared().client()) {
            assertEquals("keyhole hashed tree, depth 2\n",
                    s3.getObjectAsBytes(b -> b.bucket("tree-init").key("files/.keyhole-tree")).asUtf8String());
            // the probe of If-None-Match leaves nothing behind
            assertEquals(List.of("files/.keyhole-tree"),
                    s3.listObjectsV2(b -> b.bucket("tree-init")).contents().stream().map(o -> o.key()).toList());
        }
        try (Storages.Started deeper = start("tree-init", "files/", 3, Clock.systemUTC(), "instance")) {
            IOException e = assertThrows(IOException.class, deeper.store()::create);
            assertTrue(e.getMessage().contains("depth 2") && e.getMessage().contains("fs-depth"), e.getMessage());
        }
        try (Storages.Started missing = start("no-such-bucket", "", Clock.systemUTC())) {
            IOException e = assertThrows(IOException.class, missing.store()::create);
            assertTrue(e.getMessage().contains("there is no bucket no-such-bucket"), e.getMessage());
        }
    }

    @Test
    void initTellsWhetherTheStoreHonoursIfNoneMatch() throws Exception {
        S3Proxy.shared().createBucket("tree-claim");
        try (Storages.Started instance = start("tree-claim", "", 2, Clock.systemUTC(), "instance");
             Storages.Started conditional = start("tree-claim", "", 2, Clock.systemUTC(), "conditional")) {
            String line = instance.store().create();
            if (line.endsWith("conditional PUT honoured")) {
                assertTrue(conditional.store().create().endsWith("conditional PUT honoured"));
            } else {
                assertTrue(line.endsWith("conditional PUT ignored, s3-claim=instance"), line);
                IOException e = assertThrows(IOException.class, conditional.store()::create);
                assertTrue(e.getMessage().contains("set s3-claim=instance"), e.getMessage());
            }
        }
    }

    @Test
    void fsckListsStrangersMisplacedIdsAndAbandonedUploadsAndRepairAbortsOnlyTheUploads() throws Exception {
        S3Proxy.shared().createBucket("tree-fsck");
        // the bucket dates the upload by its own (the real) clock
        Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
        StoredMetadata kept;
        try (Storages.Started s = start("tree-fsck", "t/", now)) {
            s.store().create();
            kept = s.store().store(new ByteArrayInputStream("kept".getBytes(StandardCharsets.UTF_8)),
                    Upload.of("kept.txt").withUser("alice").withContentType("text/plain"));
        }
        FileId stray = FileId.parse("0123456789abcdef0123456789abcdef");
        String misplacedKey = "t/" + new HashedTree(Path.of(""), 3).relativePathOf(stray);
        String uploadId;
        try (S3Client s3 = S3Proxy.shared().client()) {
            s3.putObject(b -> b.bucket("tree-fsck").key("t/notes.txt"), RequestBody.fromString("x"));
            s3.putObject(b -> b.bucket("tree-fsck").key(misplacedKey), RequestBody.fromString("x"));
            s3.putObject(b -> b.bucket("tree-fsck").key("elsewhere/notes.txt"), RequestBody.fromString("x"));
            uploadId = s3.createMultipartUpload(b -> b.bucket("tree-fsck").key("t/0/1/0123456789abcdef0123456789abcdee"))
                    .uploadId();
        }
        try (Storages.Started fresh = start("tree-fsck", "t/", now)) {
            TreeCheck check = fresh.store().check(false);
            assertEquals(3, check.files(), check.toString());
            assertEquals(1, check.tempFilesInUse(), "an upload started just now is being written");
            // in the bucket's key order
            assertEquals(List.of("misplaced " + misplacedKey.substring(2) + " (belongs at 0/1/" + stray + ")",
                    "not-an-id notes.txt (nothing can ask for it)"),
                    check.problems().stream().map(TreeProblem::toString).toList());
            assertThrows(IOException.class, () -> fresh.store().check(true), "a bucket keeps no .meta files");
        }
        try (Storages.Started later = start("tree-fsck", "t/", Clock.offset(now, Duration.ofHours(25)))) {
            TreeCheck check = later.store().check(false);
            assertEquals(0, check.tempFilesInUse());
            assertEquals(List.of(TreeProblem.Kind.MISPLACED, TreeProblem.Kind.NOT_AN_ID, TreeProblem.Kind.INCOMPLETE_UPLOAD),
                    check.problems().stream().map(TreeProblem::kind).toList());
            assertTrue(check.problems().get(2).detail().contains(uploadId));
            List<TreeProblem> removed = later.store().cleanup();
            assertEquals(List.of(TreeProblem.Kind.INCOMPLETE_UPLOAD), removed.stream().map(TreeProblem::kind).toList());
            assertEquals(2, later.store().check(false).problems().size(), "only the upload was removed");
        }
        try (S3Client s3 = S3Proxy.shared().client()) {
            assertTrue(s3.listMultipartUploads(b -> b.bucket("tree-fsck")).uploads().isEmpty());
            assertEquals("kept", s3.getObjectAsBytes(b -> b.bucket("tree-fsck")
                    .key("t/" + new HashedTree(Path.of(""), 2).relativePathOf(kept.id()))).asUtf8String());
        }
    }
}
