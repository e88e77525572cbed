package io.keyhole.tree;

import io.keyhole.Disposition;
import io.keyhole.http.ContentTypes;
import java.util.Objects;

/**
 * What the uploader says about a file: its original name, who uploads it, and optionally its
 * content type and disposition.
 *
 * <pre>{@code
 * Upload.of("Quarterly report.pdf").withUser("alice").withDisposition(Disposition.ATTACHMENT)
 * }</pre>
 *
 * @param filename    the original name, shown to users and part of the id; not empty
 * @param user        the uploading user (part of the id); empty when anonymous
 * @param contentType a media type such as {@code image/png}, or {@code null} to derive it from
 *                    the file name's extension
 * @param disposition inline or attachment
 */
public record Upload(String filename, String user, String contentType, Disposition disposition) {

    /** Longest content type accepted; the longest registered media types are about half of it. */
    static final int MAX_CONTENT_TYPE_LENGTH = 255;

    /**
     * Control characters (CR, LF, the other C0 and C1 controls, DEL, the Unicode line separators
     * and the bidirectional overrides that make {@code exe.pdf} read as {@code fdp.exe}) are dropped
     * from the name: it travels to the backend, into the database and into log lines.
     *
     * @throws IllegalArgumentException when the name is empty or the content type is not a media type
     */
    public Upload {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(disposition, "disposition");
        if (!filename.isEmpty()) {
            filename = withoutControls(filename);
            if (filename.isEmpty()) {
                filename = "file";
            }
        }
        if (filename.isEmpty()) {
            throw new IllegalArgumentException("filename is empty; pass the upload's original name (or \"file\")");
        }
        if (contentType != null) {
            String problem = contentTypeProblem(contentType);
            if (problem != null) {
                throw new IllegalArgumentException("content type '" + printable(contentType) + "' " + problem);
            }
        }
    }

    /** An upload by nobody in particular, inline, with the content type taken from the name. */
    public static Upload of(String filename) {
        return new Upload(filename, "", null, Disposition.INLINE);
    }

    public Upload withUser(String user) {
        return new Upload(filename, user, contentType, disposition);
    }

    /** @param contentType a media type, or {@code null} to derive it from the name */
    public Upload withContentType(String contentType) {
        return new Upload(filename, user, contentType, disposition);
    }

    public Upload withDisposition(Disposition disposition) {
        return new Upload(filename, user, contentType, disposition);
    }

    /** The content type given, or the one the name's extension suggests. */
    public String effectiveContentType() {
        return contentType != null ? contentType : ContentTypes.of(filename);
    }

    /** {@code name} without the characters that could forge a line or disguise the name. */
    static String withoutControls(String name) {
        if (name.chars().noneMatch(Upload::control)) {
            return name;
        }
        StringBuilder out = new StringBuilder(name.length());
        name.chars().filter(c -> !control(c)).forEach(c -> out.append((char) c));
        return out.toString();
    }

    private static boolean control(int c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029'
                || c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069' || c == '\u200e' || c == '\u200f';
    }

    /** A header value must survive the trip into Content-Type: no control characters, a type and a subtype. */
    private static String contentTypeProblem(String type) {
        if (type.length() > MAX_CONTENT_TYPE_LENGTH) {
            return "is longer than " + MAX_CONTENT_TYPE_LENGTH + " characters";
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                return "holds a control or non-ASCII character at index " + i;
            }
        }
        int slash = type.indexOf('/');
        if (slash <= 0 || slash == type.length() - 1 || type.startsWith(" ")) {
            return "is not a media type such as image/png";
        }
        return null;
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
