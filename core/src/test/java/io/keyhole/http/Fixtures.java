package io.keyhole.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Shared pieces of the tables: header blocks, representations, outcomes written as status lines. */
final class Fixtures {

    /** RFC 9110's own example date, {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
    static final Instant T = Instant.parse("1994-11-06T08:49:37Z");
    static final EntityTag V2 = EntityTag.strong("v2");
    static final long LENGTH = 10_000;

    private Fixtures() {
    }

    /** The representations the tables name in their first columns. */
    static Representation representation(String name) {
        switch (name) {
            case "v2@T":
                return new Representation(LENGTH, T, V2);
            case "weak":
                return new Representation(LENGTH, T, new EntityTag("v2", true));
            case "bare":
                return new Representation(LENGTH, null, null);
            case "millis":
                return new Representation(LENGTH, T.plusMillis(500), V2);
            case "empty":
                return new Representation(0, T, V2);
            default:
                throw new IllegalArgumentException("no representation called " + name);
        }
    }

    /**
     * Header fields written {@code Name: value && Name: value}; a name given twice makes two
     * field lines. {@code (none)} or a blank cell means no fields.
     */
    static RequestHeaders headers(String block) {
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (block != null && !block.isBlank() && !block.equals("(none)")) {
            for (String line : block.split("&&")) {
                int colon = line.indexOf(':');
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                fields.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return name -> fields.getOrDefault(name, List.of());
    }

    /** The outcome as the status it becomes, ranges included: {@code 206 0-0,9999-9999}. */
    static String status(Outcome outcome) {
        if (outcome instanceof Outcome.Full) {
            return "200";
        }
        if (outcome instanceof Outcome.Partial) {
            return "206 " + ((Outcome.Partial) outcome).ranges().stream()
                    .map(r -> r.first() + "-" + r.last())
                    .collect(Collectors.joining(","));
        }
        if (outcome instanceof Outcome.NotModified) {
            return "304";
        }
        if (outcome instanceof Outcome.PreconditionFailed) {
            return "412";
        }
        if (outcome instanceof Outcome.RangeNotSatisfiable) {
            return "416";
        }
        throw new AssertionError("unknown outcome " + outcome);
    }
}
