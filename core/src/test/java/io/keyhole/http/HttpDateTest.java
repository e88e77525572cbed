package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDateTest {

    private static final Clock IN_2026 = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiterString = "|", textBlock = """
            # §5.6.7: IMF-fixdate, the only format a sender generates
            1994-11-06T08:49:37Z     | Sun, 06 Nov 1994 08:49:37 GMT
            1970-01-01T00:00:00Z     | Thu, 01 Jan 1970 00:00:00 GMT
            # fractions of a second have no place in an HTTP-date
            1994-11-06T08:49:37.999Z | Sun, 06 Nov 1994 08:49:37 GMT
            2000-02-29T23:59:59Z     | Tue, 29 Feb 2000 23:59:59 GMT
            0999-12-31T00:00:00Z     | Tue, 31 Dec 0999 00:00:00 GMT
            9999-12-31T23:59:59Z     | Fri, 31 Dec 9999 23:59:59 GMT
            """)
    void formatsImfFixdate(Instant instant, String expected) {
        assertEquals(expected, HttpDate.format(instant));
    }

    @Test
    void formatsTheSameInEveryLocale() {
        Locale before = Locale.getDefault();
        try {
            for (Locale locale : new Locale[] {Locale.GERMANY, Locale.forLanguageTag("ar-EG"), Locale.forLanguageTag("th-TH-u-nu-thai")}) {
                Locale.setDefault(locale);
                // §5.6.7: day and month names are fixed English abbreviations, digits are ASCII
                assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(Fixtures.T), locale.toString());
            }
        } finally {
            Locale.setDefault(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z"})
    void refusesYearsThatDoNotFitFourDigits(String instant) {
        assertThrows(IllegalArgumentException.class, () -> HttpDate.format(Instant.parse(instant)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiterString = "|", textBlock = """
            # rule                                                  | text                              | instant
            §5.6.7: IMF-fixdate                                     | Sun, 06 Nov 1994 08:49:37 GMT     | 1994-11-06T08:49:37Z
            §5.6.7: obsolete RFC 850 format                         | Sunday, 06-Nov-94 08:49:37 GMT    | 1994-11-06T08:49:37Z
            §5.6.7: ANSI C's asctime() format                       | Sun Nov  6 08:49:37 1994          | 1994-11-06T08:49:37Z
            §5.6.7: asctime day as 2DIGIT                           | Sun Nov 16 08:49:37 1994          | 1994-11-16T08:49:37Z
            §5.6.7: asctime day as 2DIGIT with a leading zero       | Sun Nov 06 08:49:37 1994          | 1994-11-06T08:49:37Z
            §5.6.7: every long day name                             | Wednesday, 09-Nov-94 08:49:37 GMT | 1994-11-09T08:49:37Z
            §5.6.7: 29 February of a leap year                      | Tue, 29 Feb 2000 12:00:00 GMT     | 2000-02-29T12:00:00Z
            §5.6.7: second 60 for a leap second, read as 59         | Sat, 31 Dec 2016 23:59:60 GMT     | 2016-12-31T23:59:59Z
            §5.6.7: the day name is not checked against the date    | Mon, 06 Nov 1994 08:49:37 GMT     | 1994-11-06T08:49:37Z
            §5.5: surrounding whitespace is not part of the value   | '  Sun, 06 Nov 1994 08:49:37 GMT\t' | 1994-11-06T08:49:37Z
            §5.6.7: year 0000 fits 4DIGIT                           | Sat, 01 Jan 0000 00:00:00 GMT     | 0000-01-01T00:00:00Z
            """)
    void parsesAllThreeFormats(String rule, String text, Instant expected) {
        assertEquals(Optional.of(expected), HttpDate.parse(text.replace("\\t", "\t"), IN_2026));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "|", textBlock = """
            # §5.6.7: a two-digit year more than 50 years in the future is the most recent past year
            # with the same last two digits; read in 2026
            Sunday, 06-Nov-94 08:49:37 GMT   | 1994-11-06T08:49:37Z
            Saturday, 01-Jan-77 00:00:00 GMT | 1977-01-01T00:00:00Z
            Wednesday, 01-Jan-76 00:00:00 GMT | 2076-01-01T00:00:00Z
            Thursday, 01-Jan-26 00:00:00 GMT | 2026-01-01T00:00:00Z
            Wednesday, 01-Jan-25 00:00:00 GMT | 2025-01-01T00:00:00Z
            Saturday, 01-Jan-00 00:00:00 GMT | 2000-01-01T00:00:00Z
            """)
    void readsTwoDigitYearsRelativeToTheClock(String text, Instant expected) {
        assertEquals(Optional.of(expected), HttpDate.parse(text, IN_2026));
    }

    @ParameterizedTest(name = "{0} in {1} → {2}")
    @CsvSource(textBlock = """
            # §5.6.7: up to 50 years ahead is the future, beyond that the most recent past;
            # two digits, current year, full year
            94, 2026, 1994
            76, 2026, 2076
            77, 2026, 1977
            26, 2026, 2026
            25, 2026, 2025
            50, 2000, 2050
            51, 2000, 1951
            00, 2099, 2100
            99, 2050, 2099
            00, 2050, 2100
            01, 2050, 2001
            48, 2099, 2148
            49, 2099, 2149
            50, 2099, 2050
            """)
    void windowsTwoDigitYears(int twoDigits, int currentYear, int expected) {
        assertEquals(expected, HttpDate.fullYear(twoDigits, currentYear));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "",
            "garbage",
            // §5.6.7: HTTP-date is case-sensitive
            "sun, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 gmt",
            "SUNDAY, 06-Nov-94 08:49:37 GMT",
            // §5.6.7: fixed-width fields
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun Nov 6 08:49:37 1994",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94",
            // §5.6.7: GMT and nothing else
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 06 Nov 1994 08:49:37",
            // §5.6.7: the date must exist
            "Thu, 31 Feb 1994 08:49:37 GMT",
            "Sun, 29 Feb 1995 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 32 Dec 1994 08:49:37 GMT",
            "Sun Nov  0 08:49:37 1994",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Funday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            // §13.1.3: an old extension some clients append makes the value invalid
            "Sat, 29 Oct 1994 19:43:31 GMT; length=34",
            // only OWS is trimmed; CR and LF are not whitespace here
            "Sun, 06 Nov 1994 08:49:37 GMT\r\n",
            // ASCII digits only
            "Sun, \u0660\u0666 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT"})
    void rejectsEverythingElse(String text) {
        assertEquals(Optional.empty(), HttpDate.parse(text, IN_2026));
    }

    @Test
    void nullIsNoDate() {
        assertEquals(Optional.empty(), HttpDate.parse(null));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1970-01-01T00:00:00Z", "1994-11-06T08:49:37.123456Z", "2038-01-19T03:14:08Z",
            "2024-02-29T00:00:01Z", "9999-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z"})
    void roundTrips(Instant instant) {
        assertEquals(Optional.of(instant.truncatedTo(ChronoUnit.SECONDS)), HttpDate.parse(HttpDate.format(instant)));
    }

    @Test
    void roundTripsEverySecondOfARandomSample() {
        Random random = new Random(20261122);
        for (int i = 0; i < 5_000; i++) {
            // any second from 0000-01-01 to 9999-12-31
            Instant instant = Instant.ofEpochSecond(-62_167_219_200L + Math.floorMod(random.nextLong(), 315_569_520_000L));
            assertEquals(Optional.of(instant), HttpDate.parse(HttpDate.format(instant)), instant.toString());
        }
    }

    @Test
    void neverThrowsOnGarbage() {
        Random random = new Random(7);
        String alphabet = "SunMonTueFriday,-: 0123456789GMTNovFebJan\t\r\n\"\u00e9\u0660";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            // Mutating a valid date probes the checks one field at a time.
            StringBuilder mutated = new StringBuilder("Sun, 06 Nov 1994 08:49:37 GMT");
            mutated.setCharAt(random.nextInt(mutated.length()), alphabet.charAt(random.nextInt(alphabet.length())));
            for (String candidate : new String[] {text.toString(), mutated.toString()}) {
                // whatever is accepted is a date that formats and reads back the same
                HttpDate.parse(candidate, IN_2026).ifPresent(date ->
                        assertEquals(Optional.of(date), HttpDate.parse(HttpDate.format(date)), candidate));
            }
        }
    }
}
