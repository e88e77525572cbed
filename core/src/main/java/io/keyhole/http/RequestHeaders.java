package io.keyhole.http;

import java.util.List;

/** Read access to a request's header fields, by case-insensitive name. */
@FunctionalInterface
public interface RequestHeaders {

    /** Every value of the named field, in the order received; empty when absent. Never null. */
    List<String> values(String name);

    /** The first value of the named field, or {@code null} when absent. */
    default String first(String name) {
        List<String> all = values(name);
        return all.isEmpty() ? null : all.get(0);
    }
}
