package io.keyhole.http;

/**
 * Builds Content-Disposition values (RFC 6266) that every client reads right: an ASCII
 * {@code filename="..."} fallback and, when the name is not plain ASCII, an RFC 8187
 * {@code filename*=UTF-8''...}. CR, LF, other controls, quotes and backslashes never reach the
 * header.
 */
public final class ContentDisposition {

    private ContentDisposition() {
    }

    /**
     * @param attachment {@code true} for {@code attachment}, {@code false} for {@code inline}
     * @param filename   the name to present; may be any Unicode text, {@code null} for none
     */
    public static String of(boolean attachment, String filename) {
        throw new UnsupportedOperationException("pending");
    }
}
