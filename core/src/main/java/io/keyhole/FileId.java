package io.keyhole;

import java.util.Objects;
import java.util.Optional;

/**
 * A validated file id: 1..128 lowercase hex digits, optionally followed by one suffix of
 * {@code .} and 1..16 lowercase letters or digits (a {@code .N} version counter or a pack
 * extension). Never a path: the grammar leaves no room for {@code /}, {@code \}, {@code ..},
 * NUL, percent signs, spaces, upper case or a leading dot.
 *
 * <pre>{@code
 * FileId.parse("9f86d081884c7d65");      // ok
 * FileId.parse("9f86d081884c7d65.2");    // ok, hex() is "9f86d081884c7d65"
 * FileId.parse("../etc/passwd");         // IllegalArgumentException
 * }</pre>
 *
 * @param value the id as text
 */
public record FileId(String value) {

    /** Longest id accepted, suffix included. */
    public static final int MAX_LENGTH = 160;

    /** Most hex digits in an id. */
    public static final int MAX_HEX_LENGTH = 128;

    /** Most characters in the suffix after the dot. */
    public static final int MAX_SUFFIX_LENGTH = 16;

    /** How much of a rejected input a message may quote. */
    private static final int QUOTED_CHARS = 16;

    /** @throws IllegalArgumentException when {@code value} is not an id */
    public FileId {
        Objects.requireNonNull(value, "value");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("not a file id: " + quote(value) + ": " + problem);
        }
    }

    /**
     * Parses an id.
     *
     * @throws IllegalArgumentException with a message saying what is wrong; the message quotes
     *                                  at most the first few characters of the input
     */
    public static FileId parse(String text) {
        return new FileId(text);
    }

    /** Whether {@code text} is a valid id; never throws. */
    public static boolean isValid(String text) {
        return text != null && problem(text) == null;
    }

    /** The hex part, without the suffix. */
    public String hex() {
        int dot = value.indexOf('.');
        return dot < 0 ? value : value.substring(0, dot);
    }

    /** The suffix after the dot (a version counter or a pack extension), if there is one. */
    public Optional<String> suffix() {
        int dot = value.indexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(value.substring(dot + 1));
    }

    @Override
    public String toString() {
        return value;
    }

    /**
     * What is wrong with {@code text}, or {@code null} when it is an id. A hand-written scan
     * rather than a regex: it runs for every request and must not allocate.
     */
    private static String problem(String text) {
        int length = text.length();
        if (length == 0) {
            return "empty";
        }
        if (length > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters";
        }
        int i = 0;
        while (i < length && isHex(text.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return "must start with a lowercase hex digit";
        }
        if (i > MAX_HEX_LENGTH) {
            return "more than " + MAX_HEX_LENGTH + " hex digits";
        }
        if (i == length) {
            return null;
        }
        if (text.charAt(i) != '.') {
            return "character " + (i + 1) + " is not a lowercase hex digit";
        }
        int suffixStart = ++i;
        while (i < length && isSuffixChar(text.charAt(i))) {
            i++;
        }
        if (i < length) {
            return "character " + (i + 1) + " is not allowed in the suffix (lowercase letters and digits only)";
        }
        int suffixLength = length - suffixStart;
        if (suffixLength == 0) {
            return "empty suffix after the dot";
        }
        if (suffixLength > MAX_SUFFIX_LENGTH) {
            return "suffix longer than " + MAX_SUFFIX_LENGTH + " characters";
        }
        return null;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
    }

    private static boolean isSuffixChar(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z';
    }

    /** The start of {@code text}, quoted, with everything but printable ASCII escaped so logs stay one plain line. */
    private static String quote(String text) {
        StringBuilder out = new StringBuilder(QUOTED_CHARS + 8).append('\'');
        int shown = Math.min(text.length(), QUOTED_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('\'');
        if (text.length() > shown) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }
}
