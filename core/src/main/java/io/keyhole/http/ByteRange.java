package io.keyhole.http;

/**
 * One satisfiable byte range of a representation, both ends inclusive (RFC 9110 §14.1.2).
 *
 * @param first offset of the first byte
 * @param last  offset of the last byte, {@code >= first}
 */
public record ByteRange(long first, long last) {

    public ByteRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("not a byte range: " + first + "-" + last);
        }
    }

    /** How many bytes the range covers. */
    public long length() {
        return last - first + 1;
    }

    /** The Content-Range value for this range: {@code bytes first-last/complete}. */
    public String contentRange(long complete) {
        return "bytes " + first + "-" + last + "/" + complete;
    }
}
