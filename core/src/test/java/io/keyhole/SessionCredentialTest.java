package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyhole.credential.AuthFilter;
import io.keyhole.credential.TokenSource;
import io.keyhole.testing.TestRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code credential=session} and {@code auth-filter}: the module's session ids, sent to the backend unverified. */
class SessionCredentialTest {

    static final String ID = "0123456789abcdef";

    @TempDir
    Path root;
    final List<AuthRequest> asked = new CopyOnWriteArrayList<>();

    Keyhole keyhole(KeyholeConfig.Builder builder) {
        return new Keyhole(builder.fsRoot(root).fsDepth(2).mount("/files/").credential("session").authorizer(q -> {
            asked.add(q);
            return AuthResponse.ofStatus(403);
        }).build());
    }

    @Test
    void theCookieValueGoesToTheBackendAsItIs() {
        try (Keyhole k = keyhole(KeyholeConfig.builder().tokenSource(TokenSource.cookie("sessionid")))) {
            assertEquals(403, k.decide(TestRequest.get("/files/" + ID)
                    .withCookies(List.of(new NameValue("sessionid", "s3ss10n.Value")))).status());
            assertEquals("s3ss10n.Value", asked.get(0).authValue());
            Delivery none = k.decide(TestRequest.get("/files/" + ID));
            assertEquals(401, none.status());
            assertEquals(1, asked.size(), "no value, no question");
        }
    }

    @ParameterizedTest(name = "{0} part {1} of ''{2}'' → {3}")
    @CsvSource(delimiter = ';', nullValues = "null", value = {
            "|;1;17|bob|x;17",
            "|;2;17|bob|x;bob",
            "|;3;17|bob|x;x",
            "|;4;17|bob|x;null",
            "|;2;17||x;null",
            ".;1;nodelimiter;nodelimiter",
            ".;2;nodelimiter;null"})
    void theFilterTakesOnePart(char delimiter, int part, String value, String expected) {
        assertEquals(expected, new AuthFilter(delimiter, part).apply(value));
    }

    @Test
    void aMissingPartDenies() {
        try (Keyhole k = keyhole(KeyholeConfig.builder().authFilter(AuthFilter.parse(".:2")))) {
            assertEquals(403, k.decide(TestRequest.get("/files/" + ID, "Authorization: Bearer 12.alice")).status());
            assertEquals("alice", asked.get(0).authValue());
            Delivery d = k.decide(TestRequest.get("/files/" + ID, "Authorization: Bearer 12-alice"));
            assertEquals(401, d.status());
            assertEquals(1, asked.size());
            assertNull(d.header("Access-Control-Allow-Origin"));
        }
    }

    @Test
    void filterSyntax() {
        assertEquals(new AuthFilter('|', 2), AuthFilter.parse("|:2"));
        for (String bad : List.of("|", "|2", "||:2", "|:0", "|:x", " :1")) {
            assertThrows(IllegalArgumentException.class, () -> AuthFilter.parse(bad), bad);
        }
    }
}
