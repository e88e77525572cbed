package io.keyhole.http;

import java.util.ArrayList;
import java.util.List;

/** Reading parameters from a raw query string ({@code a=1&b=2}), without decoding them. */
public final class QueryString {

    private QueryString() {
    }

    /**
     * Every raw value of the parameter {@code name}, in order: {@code ""} for {@code name=} or a bare
     * {@code name}. Names are compared exactly, undecoded; values come back still percent-encoded,
     * for callers whose values are URL-safe by construction and who refuse anything else.
     *
     * @param rawQuery the query without {@code ?}, or {@code null}
     */
    public static List<String> values(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(1);
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                out.add(eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return out;
    }
}
