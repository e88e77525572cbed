package io.keyhole.credential;

/**
 * Takes one part of a credential value (the nginx module's {@code cdn_auth_filter}): the value is
 * split on a one-byte delimiter and the {@code part}-th piece, counted from 1, becomes the auth
 * value. A value without that part has no auth value, which denies. Written
 * {@code <delimiter>:<part>} in text, e.g. {@code |:2} takes {@code bob} from {@code 17|bob|x}.
 *
 * @param delimiter a printable ASCII character
 * @param part      which piece, from 1
 */
public record AuthFilter(char delimiter, int part) {

    public AuthFilter {
        if (delimiter < 0x21 || delimiter > 0x7e) {
            throw new IllegalArgumentException("auth-filter's delimiter must be one printable ASCII character");
        }
        if (part < 1 || part > 64) {
            throw new IllegalArgumentException("auth-filter's part counts from 1 and goes to 64, was " + part);
        }
    }

    /**
     * Parses {@code <delimiter>:<part>}.
     *
     * @throws IllegalArgumentException naming the key when the text is not of that form
     */
    public static AuthFilter parse(String text) {
        String t = text.strip();
        if (t.length() < 3 || t.charAt(1) != ':') {
            throw new IllegalArgumentException("auth-filter must read <delimiter>:<part>, e.g. |:2 for the second"
                    + " part of a value split on |; was '" + text + "'");
        }
        int part;
        try {
            part = Integer.parseInt(t.substring(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("auth-filter's part must be a number from 1, was '" + t.substring(2) + "'", e);
        }
        return new AuthFilter(t.charAt(0), part);
    }

    /** The part of {@code value}, or {@code null} when it has none (or that part is empty). */
    public String apply(String value) {
        int start = 0;
        for (int i = 1; i < part; i++) {
            int next = value.indexOf(delimiter, start);
            if (next < 0) {
                return null;
            }
            start = next + 1;
        }
        int end = value.indexOf(delimiter, start);
        String piece = end < 0 ? value.substring(start) : value.substring(start, end);
        return piece.isEmpty() ? null : piece;
    }

    @Override
    public String toString() {
        return delimiter + ":" + part;
    }
}
