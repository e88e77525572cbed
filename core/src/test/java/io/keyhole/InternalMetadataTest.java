package io.keyhole;

import static io.keyhole.WritesTest.form;
import static io.keyhole.WritesTest.request;
import static io.keyhole.WritesTest.token;
import static io.keyhole.WritesTest.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.TestRequest;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.PackIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code request-type=internal}: the upload question recorded in {@code <file>.meta} beside the
 * file and read back as the answer; PUT, DELETE and pack members through the same gate; a tree
 * laid out by the nginx module served as it is.
 */
class InternalMetadataTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    HashedTree tree;
    Keyhole keyhole;
    byte[] content;

    @BeforeEach
    void start() throws IOException {
        tree = new HashedTree(root, 2);
        content = new byte[50_000];
        new Random(7).nextBytes(content);
        keyhole = new Keyhole(internal().build());
    }

    @AfterEach
    void stop() {
        keyhole.close();
    }

    KeyholeConfig.Builder internal() {
        return KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").readOnly(false)
                .requestType("internal").jwtKey(WritesTest.KEY).jwtField("uid").instanceId("test-1")
                .clock(Clock.fixed(WritesTest.NOW, ZoneOffset.UTC));
    }

    static TestRequest get(String id, String user, String... headerLines) {
        TestRequest r = TestRequest.get("/files/" + id, headerLines);
        return user == null ? r : r.withHeader("Authorization", "Bearer " + token(user));
    }

    static TestRequest delete(String id, String user) {
        return request("DELETE", "/files/" + id, user, null, null);
    }

    static TestRequest put(String id, String user, byte[] body) {
        return request("PUT", "/files/" + id, user, "multipart/form-data; boundary=" + WritesTest.BOUNDARY, body);
    }

    static byte[] body(Delivery d) throws IOException {
        Delivery.Send send = (Delivery.Send) d;
        try (var file = send.file(); InputStream in = Channels.newInputStream(file.range(0, file.size()))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    String uploadAs(String user, Object... fields) throws IOException {
        Delivery d = keyhole.decide(upload(user, form(fields)));
        assertEquals(201, d.status(), () -> String.valueOf(((Delivery.Reply) d).message()));
        return JSON.readTree(((Delivery.Reply) d).message()).get("file_id").asText();
    }

    @Test
    void theOwnerUploadsReadsReplacesAndDeletes() throws IOException {
        String id = uploadAs("alice", "n", "Report 1.pdf", "d", content);
        Path file = tree.pathOf(FileId.parse(id));
        Path meta = tree.metaPathOf(FileId.parse(id));
        assertEquals(file + ".meta", meta.toString());
        JsonNode recorded = JSON.readTree(Files.readString(meta));
        assertEquals("alice", recorded.get("auth_value").asText());
        assertEquals(id, recorded.get("file_id").asText());
        assertEquals("POST", recorded.get("http_method").asText());
        assertEquals("Report 1.pdf", recorded.get("filename").asText());
        assertEquals("application/x-test", recorded.get("content_type").asText(), "the file part's own type");
        assertEquals(content.length, recorded.get("length").asLong());

        // the owner reads: 200 with what was recorded, 206, 304
        Delivery ok = keyhole.decide(get(id, "alice"));
        assertEquals(200, ok.status());
        assertEquals("application/x-test", ok.header("Content-Type"));
        assertTrue(ok.header("Content-Disposition").contains("Report 1.pdf"), ok.header("Content-Disposition"));
        assertEquals('"' + recorded.get("etag").asText() + '"', ok.header("ETag"));
        assertArrayEquals(content, body(ok));
        Delivery part = keyhole.decide(get(id, "alice", "Range: bytes=10-19"));
        assertEquals(206, part.status());
        assertEquals("bytes 10-19/" + content.length, part.header("Content-Range"));
        ((Delivery.Send) part).file().close();
        assertEquals(304, keyhole.decide(get(id, "alice", "If-None-Match: " + ok.header("ETag"))).status());

        // another user, nobody
        Delivery bob = keyhole.decide(get(id, "bob"));
        assertEquals(403, bob.status());
        assertEquals("no-store", bob.header("Cache-Control"));
        assertEquals(401, keyhole.decide(get(id, null)).status());

        // bob may neither replace nor delete it
        byte[] other = "bob's bytes".getBytes(StandardCharsets.UTF_8);
        assertEquals(403, keyhole.decide(put(id, "bob", form("d", other))).status());
        assertEquals(403, keyhole.decide(delete(id, "bob")).status());
        assertTrue(Files.exists(file) && Files.exists(meta));

        // alice replaces it: new bytes, new metadata, same id
        byte[] replaced = "alice's second version".getBytes(StandardCharsets.UTF_8);
        Delivery put = keyhole.decide(put(id, "alice", form("n", "Report 2.txt", "d", replaced)));
        assertEquals(200, put.status(), () -> ((Delivery.Reply) put).message());
        assertEquals(id, JSON.readTree(((Delivery.Reply) put).message()).get("file_id").asText());
        assertArrayEquals(replaced, Files.readAllBytes(file));
        assertEquals("Report 2.txt", JSON.readTree(Files.readString(meta)).get("filename").asText());
        assertArrayEquals(replaced, body(keyhole.decide(get(id, "alice"))));

        // alice deletes it: file and metadata go; then it is not found for anyone
        assertEquals(204, keyhole.decide(delete(id, "alice")).status());
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(meta));
        assertEquals(404, keyhole.decide(get(id, "alice")).status());
        assertEquals(404, keyhole.decide(get(id, "bob")).status());
        assertEquals(404, keyhole.decide(put(id, "alice", form("d", replaced))).status());
        assertEquals(404, keyhole.decide(delete(id, "alice")).status());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aRefusedUploadLeavesNeitherFileNorMetadata() throws IOException {
        try (Keyhole strict = new Keyhole(internal().uploadMatrix(AuthMatrix.parse("deny:deny:deny:deny")).build())) {
            Delivery d = strict.decide(upload("alice", form("d", content)));
            assertEquals(403, d.status());
        }
        assertEquals(List.of(), leftovers());
    }

    @Test
    void packMembersAreStoredHexEncodedAndFallBackToTheirLeader() throws IOException {
        String leader = uploadAs("alice", "n", "photo.png", "d", content);
        // Keyhole's own ids have no version; a module leader does. Make one the module's way.
        FileId moduleLeader = FileId.parse(FileId.parse(leader).hex() + ".0");
        Files.copy(tree.pathOf(FileId.parse(leader)), tree.pathOf(moduleLeader));
        Files.copy(tree.metaPathOf(FileId.parse(leader)), tree.metaPathOf(moduleLeader));

        byte[] thumb = "a small variant".getBytes(StandardCharsets.UTF_8);
        Delivery made = keyhole.decide(upload("alice", form("d", thumb, "pl", moduleLeader.value(), "ext", "Thumb")));
        assertEquals(201, made.status(), () -> ((Delivery.Reply) made).message());
        String member = JSON.readTree(((Delivery.Reply) made).message()).get("file_id").asText();
        assertEquals(moduleLeader + ".Thumb", member);
        Path onDisk = tree.pathOf(FileId.parse(member));
        assertEquals(moduleLeader + ".5468756d62", onDisk.getFileName().toString(), "the extension in hex on disk");
        assertArrayEquals(thumb, Files.readAllBytes(onDisk));
        assertTrue(Files.exists(onDisk.resolveSibling(onDisk.getFileName() + ".meta")));
        assertArrayEquals(thumb, body(keyhole.decide(get(member, "alice"))));

        // a member that was never made is its leader
        assertArrayEquals(content, body(keyhole.decide(get(moduleLeader + ".large", "alice"))));
        assertEquals(403, keyhole.decide(get(moduleLeader + ".large", "bob")).status());

        // taken member → 409, nothing new kept; bob may not add to alice's pack; a member needs its leader
        assertEquals(409, keyhole.decide(upload("alice", form("pl", moduleLeader.value(), "ext", "Thumb", "d", thumb)))
                .status());
        assertEquals(403, keyhole.decide(upload("bob", form("pl", moduleLeader.value(), "ext", "x", "d", thumb)))
                .status());
        assertEquals(404, keyhole.decide(upload("alice", form("pl", "ab" + "0".repeat(30) + ".3", "ext", "x", "d", thumb)))
                .status());
        String disk = moduleLeader + ".5468756d62";
        assertEquals(List.of(leader, moduleLeader.value(), disk, disk + ".meta", moduleLeader + ".meta", leader + ".meta"),
                leftovers().stream().map(p -> p.getFileName().toString()).sorted().toList(),
                "leaders and member, each with its metadata, and nothing else");
    }

    @Test
    void aTreeWrittenByTheModuleIsServedAsItIs() throws IOException {
        FileId leader = FileId.parse("0123456789abcdef0123456789abcdef.0");
        FileId member = leader.member("jpg");
        Files.createDirectories(tree.pathOf(leader).getParent());
        Files.write(tree.pathOf(leader), content);
        byte[] small = "jpeg variant".getBytes(StandardCharsets.UTF_8);
        Path memberFile = tree.pathOf(leader).resolveSibling(leader + ".6a7067");
        Files.write(memberFile, small);
        assertEquals(memberFile, tree.pathOf(member));
        // the module's metadata: the upload question, no length or date
        String moduleMeta = "{\"http_method\":\"POST\",\"file_id\":\"" + leader + "\",\"filename\":\"photo.jpg\","
                + "\"content_type\":\"image/jpeg\",\"content_disposition\":\"inline\",\"etag\":\"" + leader
                + "\",\"auth_value\":\"alice\"}";
        Files.writeString(tree.metaPathOf(leader), moduleMeta);
        Files.writeString(tree.metaPathOf(member), moduleMeta.replace(leader.value(), member.value()));

        Delivery d = keyhole.decide(get(leader.value(), "alice"));
        assertEquals(200, d.status());
        assertEquals("image/jpeg", d.header("Content-Type"));
        assertEquals('"' + leader.value() + '"', d.header("ETag"));
        assertArrayEquals(content, body(d));
        assertArrayEquals(small, body(keyhole.decide(get(member.value(), "alice"))));
        assertArrayEquals(content, body(keyhole.decide(get(leader + ".webp", "alice"))));
        assertEquals(403, keyhole.decide(get(member.value(), "bob")).status());
        assertTrue(io.keyhole.tree.FileStore.builder(tree).build().check(true).isClean());
    }

    @Test
    void aMetadataFileIsNeverServedAsAFile() throws IOException {
        String id = uploadAs("alice", "d", content);
        assertEquals(404, keyhole.decide(get(id + ".meta", "alice")).status());
        try (Keyhole publicTree = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .requestType("none").downloadMatrix(AuthMatrix.parse("allow:allow:allow:allow")).build())) {
            assertEquals(404, publicTree.decide(get(id + ".meta", null)).status());
            assertEquals(200, publicTree.decide(get(id, null)).status());
        }
    }

    @Test
    void theCacheFollowsThisInstancesWrites() throws IOException {
        keyhole.close();
        keyhole = new Keyhole(internal().internalCacheSize(1 << 20).build());
        String id = uploadAs("alice", "n", "a.txt", "d", content);
        Path meta = tree.metaPathOf(FileId.parse(id));
        assertEquals(200, keyhole.decide(get(id, "alice")).status());
        // another process changes the metadata: this instance keeps what it wrote itself
        Files.writeString(meta, Files.readString(meta).replace("\"alice\"", "\"carol\""));
        assertEquals(200, keyhole.decide(get(id, "alice")).status());
        // its own replace and delete are seen at once
        Files.writeString(meta, Files.readString(meta).replace("\"carol\"", "\"alice\""));
        assertEquals(200, keyhole.decide(put(id, "alice", form("n", "b.txt", "d", content))).status());
        assertTrue(keyhole.decide(get(id, "alice")).header("Content-Disposition").contains("b.txt"));
        assertEquals(204, keyhole.decide(delete(id, "alice")).status());
        assertEquals(404, keyhole.decide(get(id, "alice")).status());
    }

    @Test
    void moduleClientsGetTheIdAsText() throws IOException {
        keyhole.close();
        keyhole = new Keyhole(internal().uploadAnswer("module").build());
        Delivery d = keyhole.decide(upload("alice", form("d", content)));
        assertEquals(200, d.status());
        assertEquals("text/plain;charset=utf-8", d.header("Content-Type"));
        assertNull(d.header("Location"));
        String id = ((Delivery.Reply) d).message();
        assertTrue(FileId.isValid(id), id);
        assertTrue(Files.exists(tree.metaPathOf(FileId.parse(id))));
        assertEquals(id + "\n", new String(((Delivery.Reply) d).body(), StandardCharsets.UTF_8));
    }

    @Test
    void noneLetsTheMatrixDecide() throws IOException {
        String id = uploadAs("alice", "d", content);
        try (Keyhole anyCredential = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .requestType("none").jwtKey(WritesTest.KEY).jwtField("uid")
                .downloadMatrix(AuthMatrix.parse("allow:allow:deny:deny"))
                .clock(Clock.fixed(WritesTest.NOW, ZoneOffset.UTC)).build())) {
            assertEquals(200, anyCredential.decide(get(id, "bob")).status());
            assertEquals(401, anyCredential.decide(get(id, null)).status());
            assertEquals(404, anyCredential.decide(get("ab" + "0".repeat(30), "bob")).status());
        }
    }

    @Test
    void configurationRefusesWhatDoesNotFit() {
        assertRefused("has no use for [unix-socket]", internal().unixSocket(root.resolve("x.sock")));
        assertRefused("drop transport-type", internal().transportType("unix"));
        assertRefused("internal-cache-size needs request-type=internal",
                KeyholeConfig.builder().fsRoot(root).unixSocket(root.resolve("x.sock")).internalCacheSize(10));
        assertRefused("need transport-type=redis", KeyholeConfig.builder().fsRoot(root).unixSocket(root.resolve("x"))
                .redisPort(7000));
        assertRefused("drop jwt-key", KeyholeConfig.builder().fsRoot(root).requestType("none").credential("session")
                .jwtKey(WritesTest.KEY));
    }

    static void assertRefused(String message, KeyholeConfig.Builder builder) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                builder::build);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** Every file in the tree but directories. */
    List<Path> leftovers() throws IOException {
        try (var all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void diskNamesRoundTrip() {
        FileId member = FileId.parse("0123456789abcdef0123456789abcdef.12.Jpg");
        assertEquals("0123456789abcdef0123456789abcdef.12.4a7067", PackIds.diskName(member));
        assertEquals(member, PackIds.idOfDiskName("0123456789abcdef0123456789abcdef.12.4a7067").orElseThrow());
        assertEquals(FileId.parse("abcd.1"), PackIds.idOfDiskName("abcd.1").orElseThrow());
        for (String notAnId : List.of("abcd.1.jpg", "abcd.1.4A7067", "abcd.1.4a706", "abcd.1.2d", "abcd.x.4a",
                "abcd.meta", "abcd.1.4a7067.meta")) {
            assertTrue(PackIds.idOfDiskName(notAnId).isEmpty(), notAnId);
        }
    }
}
