package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * HTTP dates in all three formats: parsing never throws, a parsed date lies in the years an
 * IMF-fixdate can show and formats back to a text that parses to the same instant, and every
 * instant of those years survives formatting and parsing.
 */
class HttpDateFuzzTest {

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
    private static final long FIRST = -62_167_219_200L;
    private static final long LAST = 253_402_300_799L;

    @DictionaryEntries({"Sun, ", "Monday, ", "Thursday, ", " GMT", "Nov", "Feb", " 1994 ", "-94 ", "08:49:37", "29", "31", "Sun Nov  6 "})
    @FuzzTest
    void parse(FuzzedDataProvider data) {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(data.consumeLong(0, LAST - 200L * 366 * 86_400)), ZoneOffset.UTC);
        String text = data.consumeRemainingAsString();
        Optional<Instant> parsed = HttpDate.parse(text, clock);
        if (parsed.isEmpty()) {
            return;
        }
        Instant instant = parsed.get();
        assertTrue(instant.getEpochSecond() >= FIRST && instant.getEpochSecond() <= LAST, "year 0000..9999: " + instant);
        assertEquals(0, instant.getNano());
        String formatted = HttpDate.format(instant);
        assertEquals(Optional.of(instant), HttpDate.parse(formatted, clock));
    }

    @FuzzTest
    void format(FuzzedDataProvider data) {
        Instant instant = Instant.ofEpochSecond(data.consumeLong(FIRST, LAST), data.consumeInt(0, 999_999_999));
        String text = HttpDate.format(instant);
        assertEquals(29, text.length(), text);
        assertEquals(Optional.of(Instant.ofEpochSecond(instant.getEpochSecond())),
                HttpDate.parse(text, Clock.systemUTC()));
    }
}
