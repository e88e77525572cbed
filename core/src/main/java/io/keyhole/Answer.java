package io.keyhole;

import io.keyhole.observe.Answered;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.observe.Outcome;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's {@link Delivery}, and the report of it that the adapter owes once it has written
 * it: {@link #sent} after the body went out, {@link #failed} when writing it failed. The first of
 * the two tells the configuration's {@link KeyholeListener} ({@link KeyholeListener#answered});
 * later calls do nothing, and for {@link Delivery.Pass} neither tells anything, as the request was
 * not Keyhole's. Thread-safe: the report may come from whichever thread completes the write.
 */
public final class Answer {

    private final Delivery delivery;
    private final GuardedListener listener;
    private final Instant time;
    private final String method;
    private final String operation;
    private final String fileId;
    private final String authValue;
    private final long backendNanos;
    private final AtomicBoolean reported = new AtomicBoolean();

    Answer(Delivery delivery, GuardedListener listener, Instant time, String method, String fileId, Trace trace) {
        this.delivery = delivery;
        this.listener = listener;
        this.time = time;
        this.method = method;
        this.operation = operation(method, fileId);
        this.fileId = trace.fileId != null ? trace.fileId : fileId;
        this.authValue = trace.authValue;
        this.backendNanos = trace.backendNanos;
    }

    /** What to write. */
    public Delivery delivery() {
        return delivery;
    }

    /**
     * The answer has been written, or handed to the container or a front server to write.
     *
     * @param bytes body bytes written: 0 for HEAD, a bodiless answer, or a body a front server sends
     */
    public void sent(long bytes) {
        report(outcome(delivery.status()), bytes);
    }

    /**
     * Writing the answer failed (the client went away, the file could not be read): an outcome
     * {@link Outcome#FAILED} with the status that was set.
     *
     * @param bytes body bytes known to have been written before the failure, 0 when unknown
     */
    public void failed(long bytes) {
        report(Outcome.FAILED, bytes);
    }

    private void report(Outcome outcome, long bytes) {
        if (delivery instanceof Delivery.Pass || listener.silent() || !reported.compareAndSet(false, true)) {
            return;
        }
        listener.answered(new Answered(time, method, operation, fileId, authValue, outcome, delivery.status(),
                bytes, backendNanos));
    }

    /** 304 is a success of its own; redirects send the browser for a credential, so they refuse. */
    static Outcome outcome(int status) {
        if (status == 304) {
            return Outcome.NOT_MODIFIED;
        }
        if (status >= 500) {
            return Outcome.FAILED;
        }
        return status < 300 ? Outcome.GRANTED : Outcome.DENIED;
    }

    private static String operation(String method, String fileId) {
        return switch (method) {
            case "GET", "HEAD" -> "download";
            case "POST" -> fileId == null ? "upload" : "replace";
            case "DELETE" -> "delete";
            default -> "other";
        };
    }
}
