package io.keyhole.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Conditional requests and ranges, as a pure function (RFC 9110 §13.2.2 and §14).
 *
 * <p>Order: If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since
 * (GET and HEAD only); then Range (GET only), guarded by If-Range (strong comparison only).
 *
 * <p>Header values never make it throw: a malformed If-Match fails (412), a malformed
 * If-None-Match, date or Range is ignored, and a failed or malformed If-Range means the whole
 * representation is sent.
 */
public final class Preconditions {

    private static final Outcome FULL = new Outcome.Full();
    private static final Outcome NOT_MODIFIED = new Outcome.NotModified();
    private static final Outcome PRECONDITION_FAILED = new Outcome.PreconditionFailed();
    private static final Outcome RANGE_NOT_SATISFIABLE = new Outcome.RangeNotSatisfiable();

    private Preconditions() {
    }

    /**
     * Decides how to answer a GET or HEAD for {@code representation}.
     *
     * @param method         the request method
     * @param headers        the request's header fields
     * @param representation the selected representation
     * @param maxRanges      the most ranges one request may ask for; more → the Range header is
     *                       ignored and the whole representation is sent (RFC 9110 §14.2 allows it)
     * @throws IllegalArgumentException when {@code maxRanges} is below 1
     */
    public static Outcome evaluate(String method, RequestHeaders headers, Representation representation,
                                   int maxRanges) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(representation, "representation");
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be at least 1, was " + maxRanges);
        }
        // HTTP-dates have whole seconds; a file time with milliseconds would otherwise look newer
        // than the Last-Modified the client saw and break every date comparison.
        Instant lastModified = representation.lastModified() == null
                ? null : representation.lastModified().truncatedTo(ChronoUnit.SECONDS);
        boolean getOrHead = method.equals("GET") || method.equals("HEAD");

        // step 1, else step 2
        List<String> ifMatch = values(headers, "If-Match");
        if (!ifMatch.isEmpty()) {
            if (!ifMatchHolds(ifMatch, representation.etag())) {
                return PRECONDITION_FAILED;
            }
        } else {
            Instant date = singleDate(headers, "If-Unmodified-Since");
            if (date != null && lastModified != null && lastModified.isAfter(date)) {
                return PRECONDITION_FAILED;
            }
        }

        // step 3, else step 4
        Optional<Boolean> ifNoneMatch = ifNoneMatchHolds(values(headers, "If-None-Match"), representation.etag());
        if (ifNoneMatch.isPresent()) {
            if (!ifNoneMatch.get()) {
                return getOrHead ? NOT_MODIFIED : PRECONDITION_FAILED;
            }
        } else if (getOrHead) {
            Instant date = singleDate(headers, "If-Modified-Since");
            if (date != null && lastModified != null && !lastModified.isAfter(date)) {
                return NOT_MODIFIED;
            }
        }

        // step 5: range handling is defined for GET only; HEAD gets the headers of a 200 (§14.2)
        if (!method.equals("GET")) {
            return FULL;
        }
        return range(headers, representation, lastModified, maxRanges);
    }

    /** §13.1.1: {@code *} holds for any existing representation; else a strong match is needed. */
    private static boolean ifMatchHolds(List<String> lines, EntityTag current) {
        String value = Ows.trim(String.join(",", lines));
        if (value.equals("*")) {
            return true;
        }
        try {
            for (EntityTag tag : EntityTag.parseList(value)) {
                if (tag.strongEquals(current)) {
                    return true;
                }
            }
            return false;
        } catch (IllegalArgumentException malformed) {
            // A condition we cannot read cannot be shown to hold; failing is the safe side.
            return false;
        }
    }

    /**
     * §13.1.2: {@code *} fails for any existing representation; a list fails on a weak match.
     * Empty when the field is absent or malformed, which are treated alike.
     */
    private static Optional<Boolean> ifNoneMatchHolds(List<String> lines, EntityTag current) {
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        String value = Ows.trim(String.join(",", lines));
        if (value.equals("*")) {
            return Optional.of(false);
        }
        try {
            for (EntityTag tag : EntityTag.parseList(value)) {
                if (tag.weakEquals(current)) {
                    return Optional.of(false);
                }
            }
            return Optional.of(true);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** §13.1.3, §13.1.4: the date, or null when absent, not a valid HTTP-date, or sent more than once. */
    private static Instant singleDate(RequestHeaders headers, String name) {
        List<String> lines = values(headers, name);
        return lines.size() == 1 ? HttpDate.parse(lines.get(0)).orElse(null) : null;
    }

    private static Outcome range(RequestHeaders headers, Representation representation, Instant lastModified,
                                 int maxRanges) {
        List<String> range = values(headers, "Range");
        // Several Range lines do not form one valid ranges-specifier; the header is ignored.
        if (range.size() != 1) {
            return FULL;
        }
        List<String> ifRange = values(headers, "If-Range");
        if (!ifRange.isEmpty() && !ifRangeHolds(ifRange, representation.etag(), lastModified)) {
            return FULL;
        }
        Optional<ByteRangeSet> set = ByteRangeSet.parse(range.get(0), maxRanges);
        if (set.isEmpty()) {
            return FULL;
        }
        List<ByteRange> satisfiable = set.get().satisfiable(representation.length());
        if (satisfiable.isEmpty()) {
            return RANGE_NOT_SATISFIABLE;
        }
        return new Outcome.Partial(ByteRangeSet.coalesce(satisfiable));
    }

    /**
     * §13.1.5: an entity-tag must match strongly (so a weak one never does); an HTTP-date must
     * equal Last-Modified exactly. Anything else, including several values, does not hold.
     */
    private static boolean ifRangeHolds(List<String> lines, EntityTag current, Instant lastModified) {
        if (lines.size() != 1) {
            return false;
        }
        String value = Ows.trim(lines.get(0));
        // §13.1.5: a DQUOTE within the first three characters marks an entity-tag
        if (value.startsWith("\"") || value.startsWith("W/\"")) {
            try {
                return EntityTag.parse(value).strongEquals(current);
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }
        Optional<Instant> date = HttpDate.parse(value);
        return date.isPresent() && date.get().equals(lastModified);
    }

    /** The field's lines, without any nulls a careless adapter might hand over. */
    private static List<String> values(RequestHeaders headers, String name) {
        List<String> lines = headers.values(name);
        if (lines == null || lines.isEmpty()) {
            return List.of();
        }
        if (!hasNull(lines)) {
            return lines;
        }
        List<String> present = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (line != null) {
                present.add(line);
            }
        }
        return present;
    }

    /** Not {@code List.contains(null)}, which an immutable list answers with an exception. */
    private static boolean hasNull(List<String> lines) {
        for (String line : lines) {
            if (line == null) {
                return true;
            }
        }
        return false;
    }
}
