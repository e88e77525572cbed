package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Garbage in, a sensible outcome out: no header value makes {@link Preconditions#evaluate} throw. */
class PreconditionsRobustnessTest {

    private static final String[] FIELDS =
            {"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range", "If-Range"};
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "get", "", "G\u00c9T"};
    /** Pieces that sit near the grammar, so the parsers get past their first check. */
    private static final String[] PIECES = {
            "bytes=", "BYTES=", "items=", "=", "-", "--", ",", ", ", ",,", ";", " ", "\t", "\r\n", "\u0000",
            "0", "1", "9", "499", "9999", "10000", "99999999999999999999999", "9223372036854775807",
            "9223372036854775808", "-1", "\"", "\"v2\"", "W/", "W/\"v2\"", "w/", "*", "\"a,b\"", "\u00e9", "\uD83D",
            "\uDE00", "\u20ac", "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994", "Sun", "Nov", "GMT", ":", "24:00:00", "29 Feb 1995"};

    @Test
    void neverThrowsAndAlwaysAnswersWithinTheRepresentation() {
        Random random = new Random(0x6b657968L);
        for (int round = 0; round < 5_000; round++) {
            Map<String, List<String>> fields = new HashMap<>();
            for (String field : FIELDS) {
                int lines = random.nextInt(4) == 0 ? random.nextInt(3) + 1 : 0;
                for (int i = 0; i < lines; i++) {
                    fields.computeIfAbsent(field.toLowerCase(Locale.ROOT), f -> new ArrayList<>())
                            .add(garbage(random));
                }
            }
            RequestHeaders headers = name -> fields.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            Representation representation = representation(random);
            String method = METHODS[random.nextInt(METHODS.length)];
            int maxRanges = 1 + random.nextInt(8);

            Outcome outcome;
            try {
                outcome = Preconditions.evaluate(method, headers, representation, maxRanges);
            } catch (RuntimeException e) {
                throw new AssertionError("threw on " + method + " " + fields + " for " + representation, e);
            }
            assertNotNull(outcome);
            if (outcome instanceof Outcome.Partial) {
                assertSensible((Outcome.Partial) outcome, method, representation, maxRanges, fields);
            }
        }
    }

    private static void assertSensible(Outcome.Partial partial, String method, Representation representation,
                                       int maxRanges, Map<String, List<String>> fields) {
        String context = method + " " + fields + " for " + representation;
        // §14.2: only GET gets ranges
        assertTrue(method.equals("GET"), context);
        List<ByteRange> ranges = partial.ranges();
        assertTrue(ranges.size() <= maxRanges, context);
        for (ByteRange range : ranges) {
            assertTrue(range.last() < representation.length(), context);
        }
        // §14.3: what is sent never covers a byte twice
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                ByteRange a = ranges.get(i);
                ByteRange b = ranges.get(j);
                if (a.first() <= b.last() + 1 && b.first() <= a.last() + 1) {
                    fail("overlapping or touching ranges " + ranges + " for " + context);
                }
            }
        }
    }

    private static String garbage(Random random) {
        StringBuilder value = new StringBuilder();
        int pieces = random.nextInt(8);
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(5) == 0) {
                value.append((char) random.nextInt(0x3000));
            } else {
                value.append(PIECES[random.nextInt(PIECES.length)]);
            }
        }
        return value.toString();
    }

    private static Representation representation(Random random) {
        long[] lengths = {0, 1, 2, 500, 10_000, Long.MAX_VALUE};
        Instant[] times = {null, Fixtures.T, Fixtures.T.plusMillis(500), Instant.EPOCH, Instant.MIN, Instant.MAX};
        EntityTag[] tags = {null, Fixtures.V2, new EntityTag("v2", true), EntityTag.strong(""), EntityTag.strong("a,b")};
        return new Representation(lengths[random.nextInt(lengths.length)], times[random.nextInt(times.length)],
                tags[random.nextInt(tags.length)]);
    }
}
