package io.keyhole.http;

import java.time.Instant;
import java.util.Optional;

/** HTTP-date (RFC 9110 §5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in. */
public final class HttpDate {

    private HttpDate() {
    }

    /** Formats as IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    public static String format(Instant instant) {
        throw new UnsupportedOperationException("pending");
    }

    /** Parses any of the three formats; empty when the text is not a valid HTTP-date. */
    public static Optional<Instant> parse(String text) {
        throw new UnsupportedOperationException("pending");
    }
}
