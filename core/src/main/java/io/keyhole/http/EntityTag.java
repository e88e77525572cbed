package io.keyhole.http;

import java.util.List;

/**
 * An entity tag (RFC 9110 §8.8.3): an opaque string, strong or weak ({@code W/} prefix).
 *
 * @param opaque the characters between the quotes
 * @param weak   whether the tag is weak
 */
public record EntityTag(String opaque, boolean weak) {

    /** Validates {@code opaque} against the etagc grammar (no DQUOTE, no CTLs, no spaces). */
    public EntityTag {
        throw new UnsupportedOperationException("pending");
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
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Parses the value of If-Match / If-None-Match other than {@code *}: a comma-separated list
     * of tags, empty elements allowed (RFC 9110 §5.6.1).
     *
     * @throws IllegalArgumentException when any element is malformed
     */
    public static List<EntityTag> parseList(String headerValue) {
        throw new UnsupportedOperationException("pending");
    }

    /** Strong comparison (RFC 9110 §8.8.3.2): both strong and equal opaque strings. */
    public boolean strongEquals(EntityTag other) {
        throw new UnsupportedOperationException("pending");
    }

    /** Weak comparison: equal opaque strings, either may be weak. */
    public boolean weakEquals(EntityTag other) {
        throw new UnsupportedOperationException("pending");
    }

    /** The header form: {@code "xyz"} or {@code W/"xyz"}. */
    @Override
    public String toString() {
        throw new UnsupportedOperationException("pending");
    }
}
