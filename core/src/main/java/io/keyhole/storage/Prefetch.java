package io.keyhole.storage;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a request will most likely read, told to {@link Storage#open(String, Prefetch)} so that a
 * remote storage can fetch metadata and body in one round trip: a bucket answers a {@code GET}
 * with the object's size and date and starts the body in the same response. A guess, never a
 * promise: the caller may still read other ranges, or nothing, and a storage may ignore it (the
 * local tree does).
 */
public sealed interface Prefetch {

    /** Only size and date are wanted: a HEAD, a probable 304, several ranges, a front server that sends the bytes. */
    Prefetch METADATA = new Metadata();
    /** Probably the whole file: a plain GET. */
    Prefetch WHOLE = new Whole();

    /** Size and date only. */
    record Metadata() implements Prefetch {
    }

    /** The whole body. */
    record Whole() implements Prefetch {
    }

    /**
     * One byte range as the client wrote it, before the size is known: {@code 0-99}, {@code 100-}
     * or {@code -500} (RFC 9110 §14.1.2), which a bucket understands as it stands.
     *
     * @param spec the range without the {@code bytes=} unit
     */
    record Bytes(String spec) implements Prefetch {
        private static final Pattern SPEC = Pattern.compile("\\d{1,18}-\\d{0,18}|-\\d{1,18}");

        public Bytes {
            Objects.requireNonNull(spec, "spec");
            if (!SPEC.matcher(spec).matches()) {
                throw new IllegalArgumentException("not a single byte range: " + spec);
            }
        }
    }

    /**
     * The guess for a request: the metadata alone for HEAD, for a conditional GET that will
     * probably be answered 304, and for several ranges; the one range asked for; else the whole body.
     *
     * @param method      the request method
     * @param range       the {@code Range} header, or {@code null}
     * @param conditional whether the request carries {@code If-None-Match} or {@code If-Modified-Since}
     */
    static Prefetch guess(String method, String range, boolean conditional) {
        if (!method.equals("GET") || conditional) {
            return METADATA;
        }
        if (range == null) {
            return WHOLE;
        }
        String r = range.strip();
        if (r.regionMatches(true, 0, "bytes=", 0, 6)) {
            String spec = r.substring(6).strip();
            if (Bytes.SPEC.matcher(spec).matches()) {
                return new Bytes(spec);
            }
        }
        return METADATA;
    }
}
