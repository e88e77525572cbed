package io.keyhole;

import io.keyhole.authorizer.AuthMatrix;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Uploads ({@code POST}) and deletes ({@code DELETE}) over HTTP: whether they are accepted, how
 * large an upload may be, and what an answer without {@code status} means for each. A value;
 * the store that writes into the tree is made by {@link Keyhole} when uploads are accepted.
 *
 * @param readOnly     whether uploads and deletes are refused with 405 (the default)
 * @param maxSize      the largest file accepted, in bytes
 * @param uploadMatrix what an answer without status means for an upload
 * @param deleteMatrix what an answer without status means for a delete
 * @param instance     this instance's name, part of every new file id
 */
public record Uploads(boolean readOnly, long maxSize, AuthMatrix uploadMatrix, AuthMatrix deleteMatrix,
                      String instance) {

    /** {@code upload-max-size} when unset: 100 MiB. */
    public static final long DEFAULT_MAX_SIZE = 100L << 20;

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})([kmg]?)");

    public Uploads {
        Objects.requireNonNull(uploadMatrix, "uploadMatrix");
        Objects.requireNonNull(deleteMatrix, "deleteMatrix");
        Objects.requireNonNull(instance, "instance");
        if (maxSize < 1) {
            throw new IllegalArgumentException("upload-max-size must be at least 1 byte, was " + maxSize);
        }
    }

    /**
     * Parses a size the way nginx writes them: bytes, or a number with {@code k}, {@code m} or
     * {@code g} (binary multiples, any case), e.g. {@code 100m}.
     *
     * @param key the configuration key, for the message
     * @throws IllegalArgumentException naming the key when the text is no size, is 0, or overflows
     */
    static long parseSize(String key, String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(key + " must be a size in bytes, optionally with k, m or g"
                    + " (e.g. 512k, 100m, 2g); was '" + text + "'");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is too large: '" + text + "'");
        }
        if (n == 0) {
            throw new IllegalArgumentException(key + " must be at least 1 byte; was '" + text + "'");
        }
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(key + " is too large: '" + text + "'");
        }
        return n << shift;
    }
}
