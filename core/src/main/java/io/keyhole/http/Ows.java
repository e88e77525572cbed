package io.keyhole.http;

/** Optional whitespace (RFC 9110 §5.6.3): spaces and horizontal tabs, and nothing else. */
final class Ows {

    private Ows() {
    }

    static boolean is(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code s} without leading and trailing OWS. */
    static String trim(String s) {
        return trim(s, 0, s.length());
    }

    /** {@code s[from, to)} without leading and trailing OWS. */
    static String trim(String s, int from, int to) {
        while (from < to && is(s.charAt(from))) {
            from++;
        }
        while (to > from && is(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }
}
