package io.keyhole;

import java.util.Objects;
import java.util.Optional;

/**
 * A validated file id: 1..128 lowercase hex digits, optionally followed by one suffix of
 * {@code .} and 1..16 lowercase letters or digits (a {@code .N} version counter or a pack
 * extension). A <em>pack member</em>, as the nginx module writes them, adds one more part to an
 * id whose suffix is a version: {@code <leader>.<ext>}, e.g. {@code 9f86….0.jpg}, where the
 * extension is 1..16 ASCII letters (either case) or digits. Never a path: the grammar leaves no
 * room for {@code /}, {@code \}, {@code ..}, NUL, percent signs, spaces or a leading dot.
 *
 * <pre>{@code
 * FileId.parse("9f86d081884c7d65");      // ok
 * FileId.parse("9f86d081884c7d65.2");    // ok, hex() is "9f86d081884c7d65"
 * FileId.parse("9f86d081884c7d65.2.jpg"); // a pack member; leader() is 9f86d081884c7d65.2
 * FileId.parse("../etc/passwd");         // IllegalArgumentException
 * }</pre>
 *
 * @param value the id as text
 */
public record FileId(String value) {

    /** Longest id accepted, suffix and pack extension included. */
    public static final int MAX_LENGTH = 128 + 1 + 16 + 1 + 16;

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

    /** Whether this is a pack member, {@code <hex>.<version>.<ext>}. */
    public boolean isPackMember() {
        return value.indexOf('.') != value.lastIndexOf('.');
    }

    /** The leader of a pack member ({@code <hex>.<version>}), or empty when this is no member. */
    public Optional<FileId> leader() {
        return isPackMember() ? Optional.of(new FileId(value.substring(0, value.lastIndexOf('.')))) : Optional.empty();
    }

    /** The extension of a pack member, as given (either case), or empty when this is no member. */
    public Optional<String> packExtension() {
        return isPackMember() ? Optional.of(value.substring(value.lastIndexOf('.') + 1)) : Optional.empty();
    }

    /**
     * The pack member {@code <this>.<ext>} of this leader.
     *
     * @throws IllegalArgumentException when this id has no numeric version to lead a pack, or the
     *                                  extension is not 1..16 ASCII letters or digits
     */
    public FileId member(String extension) {
        Objects.requireNonNull(extension, "extension");
        if (isPackMember() || suffix().isEmpty() || !suffix().get().chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("only an id with a version, <hex>.<N>, leads a pack; " + quote(value)
                    + " does not");
        }
        return new FileId(value + "." + extension);
    }

    @Override
    public String toString() {
        return value;
    }

    /** Equal when the texts are; written out because a record's generated equality goes through method handles. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FileId other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
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
        boolean version = true;
        while (i < length && isSuffixChar(text.charAt(i))) {
            version &= text.charAt(i) <= '9';
            i++;
        }
        int suffixLength = i - suffixStart;
        if (suffixLength == 0) {
            return "empty suffix after the dot";
        }
        if (suffixLength > MAX_SUFFIX_LENGTH) {
            return "suffix longer than " + MAX_SUFFIX_LENGTH + " characters";
        }
        if (i == length) {
            return null;
        }
        if (text.charAt(i) != '.' || !version) {
            return "character " + (i + 1) + " is not allowed in the suffix (lowercase letters and digits only;"
                    + " a pack extension follows a numeric version)";
        }
        int extensionStart = ++i;
        while (i < length && isExtensionChar(text.charAt(i))) {
            i++;
        }
        if (i < length) {
            return "character " + (i + 1) + " is not allowed in a pack extension (ASCII letters and digits only)";
        }
        int extensionLength = length - extensionStart;
        if (extensionLength == 0) {
            return "empty pack extension after the dot";
        }
        if (extensionLength > MAX_SUFFIX_LENGTH) {
            return "pack extension longer than " + MAX_SUFFIX_LENGTH + " characters";
        }
        return null;
    }

    private static boolean isExtensionChar(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
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
