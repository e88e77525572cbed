package io.keyhole;

import java.util.Locale;

/** How a file is offered to the user: shown in the browser or saved as a download. */
public enum Disposition {
    INLINE("inline"),
    ATTACHMENT("attachment");

    private final String wire;

    Disposition(String wire) {
        this.wire = wire;
    }

    /** The value of the wire field {@code content_disposition}: {@code inline} or {@code attachment}. */
    public String wireValue() {
        return wire;
    }

    /**
     * Parses {@code inline} or {@code attachment}, in any case.
     *
     * @throws IllegalArgumentException for anything else, naming the two allowed values
     */
    public static Disposition parse(String text) {
        String lower = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (Disposition d : values()) {
            if (d.wire.equals(lower)) {
                return d;
            }
        }
        throw new IllegalArgumentException("disposition must be inline or attachment, was '" + text + "'");
    }

    @Override
    public String toString() {
        return wire;
    }
}
