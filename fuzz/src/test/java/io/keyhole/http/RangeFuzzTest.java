package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code Range} with {@code If-Range} and the other conditionals, through
 * {@link Preconditions#evaluate}: whatever the headers, the answer never throws, every range lies
 * within the file, a request never gets more bytes than the file has, and at most
 * {@code maxRanges} ranges are honoured.
 */
class RangeFuzzTest {

    private static final EntityTag ETAG = EntityTag.strong("abc");
    private static final Instant MODIFIED = Instant.ofEpochSecond(1_700_000_000L);
    private static final String[] NAMES = {"Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since",
            "If-Unmodified-Since"};

    @DictionaryEntries({"bytes=", "-", ",", "0-", "W/\"abc\"", "\"abc\"", "Tue, 14 Nov 2023 22:13:20 GMT", "*", "9223372036854775807"})
    @FuzzTest
    void evaluate(FuzzedDataProvider data) {
        long length = data.consumeBoolean() ? data.consumeLong(0, 64) : data.consumeLong(0, Long.MAX_VALUE);
        int maxRanges = data.consumeInt(1, 32);
        String method = data.pickValue(new String[] {"GET", "HEAD", "POST"});
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int lines = data.consumeInt(0, 4);
        for (int i = 0; i < lines; i++) {
            headers.computeIfAbsent(data.pickValue(NAMES), k -> new ArrayList<>()).add(data.consumeString(200));
        }
        headers.computeIfAbsent("Range", k -> new ArrayList<>()).add(data.consumeRemainingAsString());

        Representation representation = new Representation(length, MODIFIED, ETAG);
        Outcome outcome = Preconditions.evaluate(method, name -> headers.getOrDefault(name, List.of()),
                representation, maxRanges);

        if (outcome instanceof Outcome.Partial partial) {
            assertEquals("GET", method, "only GET gets ranges");
            List<ByteRange> ranges = partial.ranges();
            assertTrue(ranges.size() <= maxRanges, "at most maxRanges ranges");
            long total = 0;
            for (ByteRange r : ranges) {
                assertTrue(r.first() >= 0 && r.last() < length && r.first() <= r.last(),
                        "a parsed range lies within the file: " + r + " of " + length);
                total += r.length();
            }
            assertTrue(total <= length, "no byte is sent twice: " + total + " bytes of " + length);
            if (ranges.size() > 1) {
                MultipartByteranges body = new MultipartByteranges("fuzz", "text/plain", ranges, length);
                long framed = body.closing().length;
                for (int i = 0; i < ranges.size(); i++) {
                    framed += body.partHeader(i).length;
                }
                assertEquals(framed + total, body.contentLength(), "the announced length is the body's");
                for (int i = 0; i < ranges.size(); i++) {
                    assertTrue(new String(body.partHeader(i), StandardCharsets.ISO_8859_1)
                            .contains(ranges.get(i).contentRange(length)));
                }
            }
        } else if (outcome instanceof Outcome.RangeNotSatisfiable) {
            assertEquals("GET", method);
            assertFalse(headers.get("Range").isEmpty());
        }
        assertNotEquals(null, outcome);
    }

    /** The parser alone: a set that parses is applied and coalesced without surprises, for any length. */
    @DictionaryEntries({"bytes=", "-", ",", "0-", " ,", "9223372036854775807", "99999999999999999999"})
    @FuzzTest
    void byteRangeSet(FuzzedDataProvider data) {
        long length = data.consumeLong(0, Long.MAX_VALUE);
        int maxSpecs = data.consumeInt(1, 64);
        String value = data.consumeRemainingAsString();
        ByteRangeSet.parse(value, maxSpecs).ifPresent(set -> {
            List<ByteRange> satisfiable = set.satisfiable(length);
            assertTrue(satisfiable.size() <= maxSpecs);
            List<ByteRange> merged = ByteRangeSet.coalesce(satisfiable);
            assertTrue(merged.size() <= satisfiable.size());
            for (ByteRange r : merged) {
                assertTrue(r.last() < length, r + " lies within " + length);
            }
        });
    }
}
