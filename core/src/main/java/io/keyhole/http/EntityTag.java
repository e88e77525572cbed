package io.keyhole.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An entity tag (RFC 9110 §8.8.3): an opaque string, strong or weak ({@code W/} prefix).
 *
 * @param opaque the characters between the quotes
 * @param weak   whether the tag is weak
 */
public record EntityTag(String opaque, boolean weak) {

    /** Validates {@code opaque} against the etagc grammar (no DQUOTE, no CTLs, no spaces). */
    public EntityTag {
        Objects.requireNonNull(opaque, "opaque");
        for (int i = 0; i < opaque.length(); i++) {
            char c = opaque.charAt(i);
            if (!isEtagc(c)) {
                throw new IllegalArgumentException("entity-tag may not contain " + describe(c)
                        + " (at index " + i + " of its opaque part)");
            }
        }
    }

    /** A strong tag. */
    public static EntityTag strong(String opaque) {
        return new EntityTag(opaque, false);
    }

    /**
     * Parses one tag: {@code "xyz"} or {@code W/"xyz"}.
     *
     * @throws IllegalArgumentException when the text is not an entity-tag
     */
    public static EntityTag parse(String text) {
        Objects.requireNonNull(text, "text");
        Cursor cursor = new Cursor(text);
        EntityTag tag = cursor.tag();
        if (cursor.pos != text.length()) {
            throw new IllegalArgumentException("not an entity-tag: unexpected " + describe(text.charAt(cursor.pos))
                    + " after the closing quote");
        }
        return tag;
    }

    /**
     * Parses the value of If-Match / If-None-Match other than {@code *}: a comma-separated list
     * of tags, empty elements allowed (RFC 9110 §5.6.1).
     *
     * @throws IllegalArgumentException when any element is malformed
     */
    public static List<EntityTag> parseList(String headerValue) {
        Objects.requireNonNull(headerValue, "headerValue");
        List<EntityTag> tags = new ArrayList<>();
        Cursor cursor = new Cursor(headerValue);
        while (true) {
            cursor.skipWhitespaceAndCommas();
            if (cursor.atEnd()) {
                return tags;
            }
            tags.add(cursor.tag());
            cursor.skipWhitespace();
            if (!cursor.atEnd() && headerValue.charAt(cursor.pos) != ',') {
                throw new IllegalArgumentException("not an entity-tag list: expected a comma at index " + cursor.pos
                        + ", found " + describe(headerValue.charAt(cursor.pos)));
            }
        }
    }

    /** Strong comparison (RFC 9110 §8.8.3.2): both strong and equal opaque strings. */
    public boolean strongEquals(EntityTag other) {
        return other != null && !weak && !other.weak && opaque.equals(other.opaque);
    }

    /** Weak comparison: equal opaque strings, either may be weak. */
    public boolean weakEquals(EntityTag other) {
        return other != null && opaque.equals(other.opaque);
    }

    /** The header form: {@code "xyz"} or {@code W/"xyz"}. */
    @Override
    public String toString() {
        return (weak ? "W/\"" : "\"") + opaque + '"';
    }

    /** etagc = %x21 / %x23-7E / obs-text; a char above 0xFF cannot travel in a header at all. */
    static boolean isEtagc(char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }

    private static String describe(char c) {
        if (c == '"') {
            return "a double quote";
        }
        if (c == ' ') {
            return "a space";
        }
        if (c < 0x20 || c == 0x7F) {
            return String.format("control character 0x%02X", (int) c);
        }
        return String.format("'%s' (U+%04X)", c, (int) c);
    }

    /** Reads tags from a header value, left to right. */
    private static final class Cursor {
        private final String text;
        private int pos;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return pos >= text.length();
        }

        void skipWhitespace() {
            while (!atEnd() && Ows.is(text.charAt(pos))) {
                pos++;
            }
        }

        void skipWhitespaceAndCommas() {
            while (!atEnd() && (Ows.is(text.charAt(pos)) || text.charAt(pos) == ',')) {
                pos++;
            }
        }

        EntityTag tag() {
            boolean weak = text.startsWith("W/", pos);
            if (weak) {
                pos += 2;
            }
            if (atEnd() || text.charAt(pos) != '"') {
                throw new IllegalArgumentException("not an entity-tag: expected "
                        + (weak ? "a double quote after W/" : "W/ or a double quote") + " at index " + pos
                        + (atEnd() ? ", found the end" : ", found " + describe(text.charAt(pos))));
            }
            int start = ++pos;
            while (!atEnd() && text.charAt(pos) != '"') {
                pos++;
            }
            if (atEnd()) {
                throw new IllegalArgumentException("not an entity-tag: no closing double quote after index " + (start - 1));
            }
            String opaque = text.substring(start, pos++);
            return new EntityTag(opaque, weak);
        }
    }
}
