package io.keyhole.testing;

import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A listener that keeps every event, for tests. Answers are reported after the body is written,
 * which may be just after the client has read it: {@link #awaitAnswered} waits for them.
 */
public final class RecordingListener implements KeyholeListener {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<Answered> answered = new ArrayList<>();
    private final List<Asked> asked = new ArrayList<>();

    @Override
    public synchronized void answered(Answered event) {
        answered.add(event);
        notifyAll();
    }

    @Override
    public synchronized void asked(Asked event) {
        asked.add(event);
    }

    /** Forgets everything so far. */
    public synchronized void clear() {
        answered.clear();
        asked.clear();
    }

    public synchronized List<Asked> asked() {
        return List.copyOf(asked);
    }

    /**
     * Waits until {@code count} answers have been reported (at most 10 s) and returns them all.
     *
     * @throws AssertionError when fewer came
     */
    public synchronized List<Answered> awaitAnswered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (answered.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " answers reported, got " + answered.size() + ": " + answered);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return new ArrayList<>(answered);
    }

    /**
     * Waits until an answer that {@code wanted} matches has been reported (at most 10 s) and
     * returns it: for a test whose answer may arrive after one of the test before.
     *
     * @throws AssertionError when none came
     */
    public synchronized Answered awaitAnswered(Predicate<Answered> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            for (Answered a : answered) {
                if (wanted.test(a)) {
                    return a;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching answer reported: " + answered);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
