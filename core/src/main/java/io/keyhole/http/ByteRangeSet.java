package io.keyhole.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The byte-range-set of a Range header (RFC 9110 §14.1.1 and §14.2), parsed but not yet applied
 * to a representation.
 */
final class ByteRangeSet {

    /** One range-spec. A suffix-range has {@code first == -1} and its length in {@code last}. */
    private record Spec(long first, long last) {
        boolean isSuffix() {
            return first < 0;
        }
    }

    private final List<Spec> specs;

    private ByteRangeSet(List<Spec> specs) {
        this.specs = specs;
    }

    /**
     * Parses a Range field value. Empty when the unit is not {@code bytes}, when the value does not
     * follow the grammar, or when it holds more than {@code maxSpecs} range-specs; in each case the
     * caller ignores the header. Numbers too large for a {@code long} count as {@link Long#MAX_VALUE},
     * which no representation reaches, so they behave like the huge numbers they are.
     */
    static Optional<ByteRangeSet> parse(String value, int maxSpecs) {
        String text = Ows.trim(value);
        int equals = text.indexOf('=');
        // ranges-specifier = range-unit "=" range-set; range units compare case-insensitively (§14.1)
        if (equals < 0 || !text.substring(0, equals).equalsIgnoreCase("bytes")) {
            return Optional.empty();
        }
        List<Spec> specs = new ArrayList<>();
        int start = equals + 1;
        while (start <= text.length()) {
            int comma = text.indexOf(',', start);
            int end = comma < 0 ? text.length() : comma;
            String element = Ows.trim(text, start, end);
            // 1#range-spec: empty list elements are allowed and mean nothing (§5.6.1)
            if (!element.isEmpty()) {
                Spec spec = spec(element);
                if (spec == null) {
                    return Optional.empty();
                }
                specs.add(spec);
                if (specs.size() > maxSpecs) {
                    return Optional.empty();
                }
            }
            start = end + 1;
        }
        return specs.isEmpty() ? Optional.empty() : Optional.of(new ByteRangeSet(List.copyOf(specs)));
    }

    /**
     * The satisfiable ranges for a representation of {@code length} bytes, in the requested order,
     * with last positions clamped to the end (§14.1.1). Empty when none is satisfiable.
     */
    List<ByteRange> satisfiable(long length) {
        List<ByteRange> ranges = new ArrayList<>(specs.size());
        for (Spec spec : specs) {
            if (spec.isSuffix()) {
                if (spec.last() > 0 && length > 0) {
                    ranges.add(new ByteRange(Math.max(0, length - spec.last()), length - 1));
                }
            } else if (spec.first() < length) {
                ranges.add(new ByteRange(spec.first(), Math.min(spec.last(), length - 1)));
            }
        }
        return ranges;
    }

    /**
     * When any two ranges overlap or touch, merges them all into ascending, disjoint ranges:
     * a client asking for the same bytes many times over gets each byte once (§14.3 allows a
     * server to coalesce). Otherwise the ranges stay as requested, order included.
     */
    static List<ByteRange> coalesce(List<ByteRange> ranges) {
        List<ByteRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(ByteRange::first));
        boolean adjoining = false;
        for (int i = 1; i < sorted.size() && !adjoining; i++) {
            adjoining = sorted.get(i).first() <= sorted.get(i - 1).last() + 1;
        }
        if (!adjoining) {
            return List.copyOf(ranges);
        }
        List<ByteRange> merged = new ArrayList<>();
        ByteRange current = sorted.get(0);
        for (ByteRange next : sorted.subList(1, sorted.size())) {
            if (next.first() <= current.last() + 1) {
                current = new ByteRange(current.first(), Math.max(current.last(), next.last()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return List.copyOf(merged);
    }

    /** int-range = first-pos "-" [ last-pos ]; suffix-range = "-" suffix-length; null when neither. */
    private static Spec spec(String element) {
        int dash = element.indexOf('-');
        if (dash == 0) {
            long suffixLength = digits(element, 1, element.length());
            return suffixLength < 0 ? null : new Spec(-1, suffixLength);
        }
        if (dash < 0) {
            return null;
        }
        long first = digits(element, 0, dash);
        long last = dash == element.length() - 1 ? Long.MAX_VALUE : digits(element, dash + 1, element.length());
        if (first < 0 || last < 0 || last < first) {
            // §14.1.1: a last-pos below its first-pos makes the range-spec invalid
            return null;
        }
        return new Spec(first, last);
    }

    /** The value of 1*DIGIT in {@code s[from, to)}, saturating at Long.MAX_VALUE; -1 when not digits. */
    private static long digits(String s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            int digit = c - '0';
            value = value > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : value * 10 + digit;
        }
        return value;
    }
}
