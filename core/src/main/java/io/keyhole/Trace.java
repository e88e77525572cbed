package io.keyhole;

/**
 * What the steps of one request learn that its report needs: who asked (never the token),
 * about which file, and how long the backend took. Bound to the thread that decides the request:
 * {@link Keyhole#decide} runs on one thread from start to end, so the gate notes what it learns
 * here instead of handing it up through every step and every {@link Delivery}.
 */
final class Trace {

    private static final ThreadLocal<Trace> CURRENT = new ThreadLocal<>();

    private final Trace outer;
    String authValue;
    String fileId;
    long backendNanos;

    private Trace(Trace outer) {
        this.outer = outer;
    }

    /** Starts noting for the request this thread decides now; {@link #end()} stops. */
    static Trace begin() {
        Trace trace = new Trace(CURRENT.get());
        CURRENT.set(trace);
        return trace;
    }

    /**
     * Stops noting. Sets the outer trace, or none, rather than removing the thread's entry:
     * removing it and adding it again on the next request rehashes the thread's map each time, and
     * an entry holding {@code null} pins nothing (no class of ours stays reachable from the thread).
     */
    void end() {
        CURRENT.set(outer);
    }

    /** The request's caller and file as the backend was asked about them, and the time the answer took. */
    static void asked(AuthRequest question, long nanos) {
        Trace trace = CURRENT.get();
        if (trace != null) {
            trace.authValue = question.authValue();
            trace.fileId = question.fileId().toString();
            trace.backendNanos += nanos;
        }
    }

    /** The caller the credential names, known before any backend is asked. */
    static void caller(String authValue) {
        Trace trace = CURRENT.get();
        if (trace != null) {
            trace.authValue = authValue;
        }
    }
}
