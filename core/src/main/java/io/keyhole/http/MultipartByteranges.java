package io.keyhole.http;

import java.util.List;

/**
 * The framing of a multipart/byteranges body (RFC 9110 §14.6): part headers, the closing
 * delimiter, and the exact total length, so a renderer can announce Content-Length before
 * streaming the parts.
 */
public final class MultipartByteranges {

    /**
     * @param boundary     the boundary, 1..70 characters of the RFC 2046 bchars set
     * @param contentType  the representation's media type, repeated in each part
     * @param ranges       the ranges, in sending order
     * @param complete     the representation's full length
     */
    public MultipartByteranges(String boundary, String contentType, List<ByteRange> ranges, long complete) {
        throw new UnsupportedOperationException("pending");
    }

    /** A fresh random boundary. */
    public static String newBoundary() {
        throw new UnsupportedOperationException("pending");
    }

    /** The Content-Type of the whole response: {@code multipart/byteranges; boundary=...}. */
    public String contentType() {
        throw new UnsupportedOperationException("pending");
    }

    public List<ByteRange> ranges() {
        throw new UnsupportedOperationException("pending");
    }

    /** The bytes to send before the data of part {@code index} (delimiter and part headers). */
    public byte[] partHeader(int index) {
        throw new UnsupportedOperationException("pending");
    }

    /** The closing delimiter, sent after the last part's data. */
    public byte[] closing() {
        throw new UnsupportedOperationException("pending");
    }

    /** The exact length of the whole body. */
    public long contentLength() {
        throw new UnsupportedOperationException("pending");
    }
}
