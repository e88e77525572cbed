package io.keyhole;

import java.util.Objects;

/**
 * One header or cookie: a name and its value, as sent to the authorisation backend
 * ({@code {"name": ..., "value": ...}}) and as carried by a {@link Delivery}.
 */
public record NameValue(String name, String value) {
    public NameValue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
