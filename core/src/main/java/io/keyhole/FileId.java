package io.keyhole;

/**
 * A validated file id: lowercase hex, optionally followed by one suffix of {@code .} and 1..16
 * lowercase letters or digits (a {@code .N} version counter or a pack extension). Never a path:
 * the grammar leaves no room for {@code /}, {@code \}, {@code ..}, NUL or percent signs.
 *
 * @param value the id as text
 */
public record FileId(String value) {

    /** Longest id accepted, suffix included. */
    public static final int MAX_LENGTH = 160;

    /** @throws IllegalArgumentException when {@code value} is not an id */
    public FileId {
        throw new UnsupportedOperationException("pending");
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
        throw new UnsupportedOperationException("pending");
    }

    /** The hex part, without the suffix. */
    public String hex() {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public String toString() {
        return value;
    }
}
