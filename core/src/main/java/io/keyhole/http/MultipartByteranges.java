package io.keyhole.http;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;

/**
 * The framing of a multipart/byteranges body (RFC 9110 §14.6): part headers, the closing
 * delimiter, and the exact total length, so a renderer can announce Content-Length before
 * streaming the parts.
 *
 * <p>The body is {@code partHeader(0)}, the bytes of range 0, {@code partHeader(1)}, the bytes of
 * range 1, …, then {@code closing()}.
 */
public final class MultipartByteranges {

    private static final int MAX_BOUNDARY_LENGTH = 70;
    private static final int NEW_BOUNDARY_LENGTH = 32;
    private static final char[] BOUNDARY_ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    // Part of the body may be chosen by whoever uploaded the file; a boundary they can predict is
    // one they can forge inside a part, so it comes from a strong source.
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String boundary;
    private final List<ByteRange> ranges;
    private final byte[][] partHeaders;
    private final byte[] closing;
    private final long contentLength;

    /**
     * @param boundary     the boundary, 1..70 characters of the RFC 2046 bchars set
     * @param contentType  the representation's media type, repeated in each part
     * @param ranges       the ranges, in sending order
     * @param complete     the representation's full length
     * @throws IllegalArgumentException when the boundary is not valid, the content type holds
     *                                  control characters, fewer than two ranges are given, or a
     *                                  range ends beyond {@code complete}
     */
    public MultipartByteranges(String boundary, String contentType, List<ByteRange> ranges, long complete) {
        Objects.requireNonNull(boundary, "boundary");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(ranges, "ranges");
        checkBoundary(boundary);
        checkContentType(contentType);
        this.ranges = List.copyOf(ranges);
        if (this.ranges.size() < 2) {
            throw new IllegalArgumentException("multipart/byteranges needs at least 2 ranges, got " + this.ranges.size()
                    + "; send a single range with Content-Range instead");
        }
        for (ByteRange range : this.ranges) {
            if (range.last() >= complete) {
                throw new IllegalArgumentException("range " + range.first() + "-" + range.last()
                        + " ends beyond a representation of " + complete + " bytes");
            }
        }
        this.boundary = boundary;
        this.partHeaders = new byte[this.ranges.size()][];
        long length = 0;
        for (int i = 0; i < partHeaders.length; i++) {
            // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1), so only the
            // first part starts without one.
            String header = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
                    + "Content-Type: " + contentType + "\r\n"
                    + "Content-Range: " + this.ranges.get(i).contentRange(complete) + "\r\n"
                    + "\r\n";
            partHeaders[i] = header.getBytes(StandardCharsets.ISO_8859_1);
            length += partHeaders[i].length + this.ranges.get(i).length();
        }
        this.closing = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        this.contentLength = length + closing.length;
    }

    /** A fresh random boundary: 32 characters of {@code [0-9A-Za-z]}. */
    public static String newBoundary() {
        char[] chars = new char[NEW_BOUNDARY_LENGTH];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = BOUNDARY_ALPHABET[RANDOM.nextInt(BOUNDARY_ALPHABET.length)];
        }
        return new String(chars);
    }

    /** The Content-Type of the whole response: {@code multipart/byteranges; boundary=...}. */
    public String contentType() {
        boolean token = boundary.chars().allMatch(MultipartByteranges::isTchar);
        return "multipart/byteranges; boundary=" + (token ? boundary : '"' + boundary + '"');
    }

    /** The ranges, in sending order. */
    public List<ByteRange> ranges() {
        return ranges;
    }

    /** The bytes to send before the data of part {@code index} (delimiter and part headers). */
    public byte[] partHeader(int index) {
        Objects.checkIndex(index, partHeaders.length);
        return partHeaders[index].clone();
    }

    /** The closing delimiter, sent after the last part's data. */
    public byte[] closing() {
        return closing.clone();
    }

    /** The exact length of the whole body. */
    public long contentLength() {
        return contentLength;
    }

    /** RFC 2046 §5.1.1: 0*69bchars bcharsnospace. */
    private static void checkBoundary(String boundary) {
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_LENGTH) {
            throw new IllegalArgumentException("a boundary has 1.." + MAX_BOUNDARY_LENGTH + " characters, not "
                    + boundary.length());
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            if (!(isBcharNoSpace(c) || c == ' ')) {
                throw new IllegalArgumentException(String.format(
                        "a boundary may not contain U+%04X (at index %d)", (int) c, i));
            }
        }
        if (boundary.endsWith(" ")) {
            throw new IllegalArgumentException("a boundary may not end with a space");
        }
    }

    /** Anything that could end the header line, or not fit in an octet, is refused. */
    private static void checkContentType(String contentType) {
        if (contentType.isBlank()) {
            throw new IllegalArgumentException("the content type is blank");
        }
        for (int i = 0; i < contentType.length(); i++) {
            char c = contentType.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException(String.format(
                        "the content type may not contain U+%04X (at index %d)", (int) c, i));
            }
        }
    }

    private static boolean isBcharNoSpace(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || "'()+_,-./:=?".indexOf(c) >= 0;
    }

    /** RFC 9110 §5.6.2 tchar: what may stand unquoted as a parameter value. */
    private static boolean isTchar(int c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
