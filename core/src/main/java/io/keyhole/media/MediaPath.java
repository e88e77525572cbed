package io.keyhole.media;

import io.keyhole.internal.Offload;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A file's path below the media root, validated: {@code /}-separated segments, e.g.
 * {@code docs/2026/report.pdf}. Never absolute, never empty, no empty, {@code .} or {@code ..}
 * segments, no segment starting with a dot (hidden files are not media), no control characters
 * and no backslashes. This string, decoded, is what a media token signs.
 *
 * @param value the decoded path, e.g. {@code docs/Résumé.pdf}
 */
public record MediaPath(String value) {

    /** Longest path accepted, in UTF-8 bytes. */
    public static final int MAX_BYTES = 1024;
    /** Longest segment accepted, in UTF-8 bytes (the common file-name limit). */
    public static final int MAX_SEGMENT_BYTES = 255;

    /** @throws IllegalArgumentException saying which rule {@code value} breaks */
    public MediaPath {
        Objects.requireNonNull(value, "value");
        String problem = problemOf(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid media path '" + printable(value) + "': " + problem);
        }
    }

    /** The path an application names, e.g. {@code docs/report.pdf}. Same as the constructor. */
    public static MediaPath of(String value) {
        return new MediaPath(value);
    }

    /** Whether {@code value} is a valid media path. */
    public static boolean isValid(String value) {
        return value != null && problemOf(value) == null;
    }

    /**
     * The path as a container hands it over below the media prefix: already percent-decoded
     * (once), so it is not decoded again; {@code 100%25.txt} names the file {@code 100%25.txt}.
     *
     * @return the path, or {@code null} when {@code decoded} is not a valid media path
     */
    public static MediaPath fromDecoded(String decoded) {
        return isValid(decoded) ? new MediaPath(decoded) : null;
    }

    /**
     * The path as it appears in a URL below the media prefix, percent-decoded segment by segment.
     * An encoded slash ({@code %2F}) is refused rather than read as a separator, as is any byte
     * sequence that is not UTF-8.
     *
     * @return the path, or {@code null} when the text is not a valid encoded media path
     */
    public static MediaPath fromUrl(String encoded) {
        if (encoded == null || encoded.isEmpty() || encoded.length() > 3 * MAX_BYTES) {
            return null;
        }
        StringBuilder decoded = new StringBuilder(encoded.length());
        for (String segment : encoded.split("/", -1)) {
            String d = decodeSegment(segment);
            if (d == null || d.indexOf('/') >= 0) {
                return null;
            }
            decoded.append(d).append('/');
        }
        String value = decoded.substring(0, decoded.length() - 1);
        return isValid(value) ? new MediaPath(value) : null;
    }

    /**
     * The path percent-encoded for a URL: every byte outside the RFC 3986 unreserved set
     * ({@code A-Z a-z 0-9 - . _ ~}) is escaped, segment by segment, so the result needs no
     * further encoding anywhere in a URL and decodes back to this path.
     */
    public String urlPath() {
        return Offload.percentEncodePath(value);
    }

    /** The last segment, e.g. {@code report.pdf}. */
    public String fileName() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    /**
     * Whether this path lies under {@code prefix}: a directory prefix ends with {@code /}
     * ({@code public/} covers {@code public/a.png}); anything else must match the whole path.
     */
    public boolean isUnder(String prefix) {
        return prefix.endsWith("/") ? value.startsWith(prefix) : value.equals(prefix);
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problemOf(String value) {
        if (value.isEmpty()) {
            return "it is empty";
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "it is longer than " + MAX_BYTES + " bytes";
        }
        if (value.startsWith("/")) {
            return "it must be relative to the media root (no leading /)";
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                return "it has an empty segment (// or a trailing /)";
            }
            if (segment.startsWith(".")) {
                return "segment '" + printable(segment) + "' starts with a dot ('.', '..' and hidden files are refused)";
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                return "a segment is longer than " + MAX_SEGMENT_BYTES + " bytes";
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (c < 0x20 || c == 0x7f || c == '\\') {
                    return "it contains a control character or a backslash";
                }
                if (Character.isSurrogate(c) && !validSurrogatePair(segment, i++)) {
                    return "it contains an unpaired surrogate";
                }
            }
        }
        return null;
    }

    private static boolean validSurrogatePair(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** Decodes one segment strictly; {@code null} for a bad escape, a raw byte outside visible ASCII, or bad UTF-8. */
    private static String decodeSegment(String segment) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    return null;
                }
                int hi = hexValue(segment.charAt(i + 1));
                int lo = hexValue(segment.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x20 && c < 0x7f) {
                bytes.write(c);
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The value of an ASCII hex digit, or -1. Not {@link Character#digit}, which also reads
     * full-width and other Unicode digits: {@code %\uFF14\uFF11} would decode to {@code A}, giving one
     * path a second, non-ASCII spelling in URLs.
     */
    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
            return (c | 0x20) - 'a' + 10;
        }
        return -1;
    }

    /** For messages: control characters shown as {@code ?}, long values cut. */
    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder out = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
        return out.toString();
    }
}
