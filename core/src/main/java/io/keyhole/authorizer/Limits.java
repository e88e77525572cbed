package io.keyhole.authorizer;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds every transport enforces, checked once when the transport is made.
 *
 * @param connectTimeout how long making a connection may take, positive
 * @param answerTimeout  how long sending the request and receiving the whole answer may take, positive
 * @param maxAnswerBytes the largest answer accepted, positive
 */
record Limits(Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes) {

    /** The largest answer every transport accepts unless told otherwise. */
    static final int DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;

    Limits {
        positive("connectTimeout", connectTimeout);
        positive("answerTimeout", answerTimeout);
        if (maxAnswerBytes <= 0) {
            throw new IllegalArgumentException("maxAnswerBytes must be positive, was " + maxAnswerBytes);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    long connectNanos() {
        return nanos(connectTimeout);
    }

    long answerNanos() {
        return nanos(answerTimeout);
    }

    private static long nanos(Duration d) {
        // Anything beyond ~292 years is as good as forever; halved so that adding to System.nanoTime() cannot overflow.
        return d.compareTo(Duration.ofDays(365L * 200)) > 0 ? Long.MAX_VALUE / 2 : d.toNanos();
    }

    static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
