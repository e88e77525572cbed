package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.observe.Outcome;
import io.keyhole.testing.RecordingListener;
import io.keyhole.testing.TestRequest;
import io.keyhole.tree.HashedTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The report an adapter gives once it has written an answer: once, guarded, and only for Keyhole's requests. */
class AnswerTest {

    static final String ID = "abcdef0123456789";

    @TempDir
    Path root;

    @BeforeEach
    void tree() throws Exception {
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "0123456789");
    }

    private Keyhole keyhole(KeyholeListener listener, Authorizer authorizer) {
        return new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").authorizer(authorizer)
                .listener(listener).build());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "200, GRANTED", "206, GRANTED", "201, GRANTED", "204, GRANTED",
        "304, NOT_MODIFIED",
        "302, DENIED", "401, DENIED", "403, DENIED", "404, DENIED", "412, DENIED", "416, DENIED",
        "500, FAILED", "502, FAILED", "503, FAILED", "504, FAILED", "508, FAILED",
    })
    void outcomeOfAStatus(int status, Outcome outcome) {
        assertEquals(outcome, Answer.outcome(status));
    }

    @Test
    void reportedOnceThoughToldTwice() throws Exception {
        RecordingListener events = new RecordingListener();
        Answer answer = keyhole(events, q -> AuthResponse.ofStatus(200)).answer(TestRequest.get("/files/" + ID));
        answer.sent(10);
        answer.failed(3);
        answer.sent(10);
        Answered a = events.awaitAnswered(1).get(0);
        assertEquals(List.of(a), events.awaitAnswered(1));
        assertEquals(new Answered(a.time(), "GET", "download", ID, null, Outcome.GRANTED, 200, 10, a.backendNanos()), a);
    }

    @Test
    void aRequestThatIsNotKeyholesIsNotReported() throws Exception {
        RecordingListener events = new RecordingListener();
        Keyhole k = keyhole(events, q -> AuthResponse.ofStatus(200));
        Answer outside = k.answer(TestRequest.get("/elsewhere"));
        assertInstanceOf(Delivery.Pass.class, outside.delivery());
        outside.sent(0);
        k.answer(TestRequest.get("/files/not-an-id")).sent(10);
        Answered a = events.awaitAnswered(1).get(0);
        assertEquals(404, a.status());
        assertEquals("not-an-id", a.fileId(), "the path as requested, for the audit");
        assertEquals(List.of(), events.asked(), "no id, no question");
        assertEquals(1, events.awaitAnswered(1).size());
    }

    @Test
    void aThrowingListenerChangesNoAnswerAndTheOthersAreStillTold() throws Exception {
        KeyholeListener throwing = new KeyholeListener() {
            @Override
            public void answered(Answered event) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void asked(Asked event) {
                throw new IllegalStateException("listener bug");
            }
        };
        RecordingListener events = new RecordingListener();
        Keyhole k = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> AuthResponse.ofStatus(200)).listener(throwing).build());
        Answer answer = k.answer(TestRequest.get("/files/" + ID));
        assertEquals(200, answer.delivery().status());
        answer.sent(10);
        // a second Keyhole shows that the failure was contained, not that the event vanished
        Answer other = keyhole(events, q -> AuthResponse.ofStatus(200)).answer(TestRequest.get("/files/" + ID));
        other.sent(10);
        assertEquals(1, events.awaitAnswered(1).size());
    }

    @Test
    void aBackendFailureIsAskedWithItsKindAndTimed() throws Exception {
        RecordingListener events = new RecordingListener();
        Answer answer = keyhole(events, q -> {
            throw new AuthorizationException(AuthorizationException.Kind.TIMEOUT, "test", 5, "too slow");
        }).answer(TestRequest.get("/files/" + ID));
        assertEquals(504, answer.delivery().status());
        answer.sent(0);
        Asked asked = events.asked().get(0);
        assertEquals("timeout", asked.result());
        Answered a = events.awaitAnswered(1).get(0);
        assertEquals(Outcome.FAILED, a.outcome());
        assertEquals(asked.nanos(), a.backendNanos());
        assertNull(a.authValue());
    }
}
