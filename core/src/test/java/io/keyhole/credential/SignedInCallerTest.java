package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.TestRequest;
import io.keyhole.tree.HashedTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A caller the application signed in: its value is the auth value; anonymous and claimless callers never pass as someone. */
class SignedInCallerTest {

    static final String ID = "abcdef0123456789";

    @TempDir
    Path root;
    final List<String> asked = new ArrayList<>();

    @BeforeEach
    void tree() throws Exception {
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "0123456789");
    }

    private Delivery decide(Credential caller) {
        try (Keyhole k = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).signedInCaller(r -> caller)
                .authorizer(q -> {
                    asked.add(String.valueOf(q.authValue()));
                    return AuthResponse.ofStatus("alice".equals(q.authValue()) ? 200 : 403);
                }).build())) {
            return k.decide(TestRequest.get("/" + ID));
        }
    }

    @Test
    void theSignedInValueIsTheAuthValue() {
        assertEquals(200, decide(new Credential.Valid("alice")).status());
        assertEquals(403, decide(new Credential.Valid("mallory")).status());
        assertEquals(List.of("alice", "mallory"), asked);
    }

    @Test
    void anAnonymousCallerIsRefusedUnderTheDefaultMatrixWithoutAsking() {
        Delivery d = decide(new Credential.Absent());
        assertEquals(403, d.status());
        assertTrue(asked.isEmpty());
    }

    @Test
    void aCallerWithoutItsValueIsRefusedWithoutAsking() {
        assertEquals(403, decide(new Credential.Invalid("claim uid is missing")).status());
        assertTrue(asked.isEmpty());
    }

    @Test
    void aJwtKeyAndASignedInCallerExcludeEachOther() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.builder()
                .fsRoot(root).authorizer(q -> AuthResponse.ofStatus(200)).signedInCaller(r -> new Credential.Absent())
                .jwtKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)).build());
        assertEquals("the caller is signed in by the application (given in code); drop jwt-key, jwt-key-file and jwt-jwks-url", e.getMessage());
    }
}
