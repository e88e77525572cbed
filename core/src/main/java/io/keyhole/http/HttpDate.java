package io.keyhole.http;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** HTTP-date (RFC 9110 §5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in. */
public final class HttpDate {

    private static final List<String> DAY_NAMES = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
    private static final List<String> LONG_DAY_NAMES =
            List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
    private static final List<String> MONTH_NAMES =
            List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

    private static final int IMF_FIXDATE_LENGTH = "Sun, 06 Nov 1994 08:49:37 GMT".length();
    private static final int ASCTIME_LENGTH = "Sun Nov  6 08:49:37 1994".length();
    /** What follows the day name in an RFC 850 date: {@code , 06-Nov-94 08:49:37 GMT}. */
    private static final int RFC850_TAIL_LENGTH = ", 06-Nov-94 08:49:37 GMT".length();

    private HttpDate() {
    }

    /**
     * Formats as IMF-fixdate, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}; fractions of a second
     * are dropped.
     *
     * @throws IllegalArgumentException when the instant lies outside the years 0000..9999, which
     *                                  the four-digit year cannot express
     */
    public static String format(Instant instant) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            throw new IllegalArgumentException("an HTTP-date holds the years 0000..9999, not " + instant);
        }
        StringBuilder out = new StringBuilder(IMF_FIXDATE_LENGTH);
        out.append(DAY_NAMES.get(t.getDayOfWeek().getValue() - 1)).append(", ");
        pad(out, t.getDayOfMonth(), 2).append(' ');
        out.append(MONTH_NAMES.get(t.getMonthValue() - 1)).append(' ');
        pad(out, t.getYear(), 4).append(' ');
        pad(out, t.getHour(), 2).append(':');
        pad(out, t.getMinute(), 2).append(':');
        pad(out, t.getSecond(), 2).append(" GMT");
        return out.toString();
    }

    /**
     * Parses any of the three formats; empty when the text is not a valid HTTP-date. Two-digit
     * RFC 850 years are read relative to the system clock's current year.
     */
    public static Optional<Instant> parse(String text) {
        return parse(text, Clock.systemUTC());
    }

    /**
     * Parses any of the three formats; empty when the text is not a valid HTTP-date. A two-digit
     * RFC 850 year that would lie more than 50 years after {@code clock}'s current year is taken
     * to be in the century before. Surrounding spaces and tabs are tolerated; the date itself must
     * follow the grammar exactly (it is case-sensitive). The day name is checked for spelling, not
     * against the date.
     */
    public static Optional<Instant> parse(String text, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        if (text == null) {
            return Optional.empty();
        }
        String s = Ows.trim(text);
        long seconds;
        int comma = s.indexOf(',');
        if (comma == 3) {
            seconds = imfFixdate(s);
        } else if (comma > 3) {
            seconds = rfc850(s, comma, clock);
        } else {
            seconds = asctime(s);
        }
        return seconds == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochSecond(seconds));
    }

    // The parsers below return epoch seconds, or Long.MIN_VALUE for "not this format".

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} */
    private static long imfFixdate(String s) {
        if (s.length() != IMF_FIXDATE_LENGTH
                || !DAY_NAMES.contains(s.substring(0, 3))
                || !s.startsWith(", ", 3) || s.charAt(7) != ' ' || s.charAt(11) != ' ' || s.charAt(16) != ' '
                || !s.startsWith(" GMT", 25)) {
            return Long.MIN_VALUE;
        }
        return epochSeconds(number(s, 12, 4), MONTH_NAMES.indexOf(s.substring(8, 11)) + 1, number(s, 5, 2), s, 17);
    }

    /** {@code Sunday, 06-Nov-94 08:49:37 GMT} */
    private static long rfc850(String s, int comma, Clock clock) {
        if (s.length() != comma + RFC850_TAIL_LENGTH
                || !LONG_DAY_NAMES.contains(s.substring(0, comma))) {
            return Long.MIN_VALUE;
        }
        int p = comma;
        if (!s.startsWith(", ", p) || s.charAt(p + 4) != '-' || s.charAt(p + 8) != '-' || s.charAt(p + 11) != ' '
                || !s.startsWith(" GMT", p + 20)) {
            return Long.MIN_VALUE;
        }
        int twoDigitYear = number(s, p + 9, 2);
        if (twoDigitYear < 0) {
            return Long.MIN_VALUE;
        }
        int year = fullYear(twoDigitYear, Year.now(clock).getValue());
        return epochSeconds(year, MONTH_NAMES.indexOf(s.substring(p + 5, p + 8)) + 1, number(s, p + 2, 2), s, p + 12);
    }

    /** {@code Sun Nov  6 08:49:37 1994} */
    private static long asctime(String s) {
        if (s.length() != ASCTIME_LENGTH
                || !DAY_NAMES.contains(s.substring(0, 3))
                || s.charAt(3) != ' ' || s.charAt(7) != ' ' || s.charAt(10) != ' ' || s.charAt(19) != ' ') {
            return Long.MIN_VALUE;
        }
        // date3 = month SP ( 2DIGIT / ( SP DIGIT ) )
        int day = s.charAt(8) == ' ' ? number(s, 9, 1) : number(s, 8, 2);
        return epochSeconds(number(s, 20, 4), MONTH_NAMES.indexOf(s.substring(4, 7)) + 1, day, s, 11);
    }

    /**
     * RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the most recent
     * past year with those digits.
     */
    static int fullYear(int twoDigitYear, int currentYear) {
        int year = currentYear - Math.floorMod(currentYear, 100) + twoDigitYear;
        if (year < currentYear) {
            year += 100;
        }
        if (year - currentYear > 50) {
            year -= 100;
        }
        return year;
    }

    /** Validates the fields and reads {@code HH:MM:SS} at {@code timeAt}. */
    private static long epochSeconds(int year, int month, int day, String s, int timeAt) {
        if (year < 0 || month < 1 || day < 1 || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        if (s.charAt(timeAt + 2) != ':' || s.charAt(timeAt + 5) != ':') {
            return Long.MIN_VALUE;
        }
        int hour = number(s, timeAt, 2);
        int minute = number(s, timeAt + 3, 2);
        int second = number(s, timeAt + 6, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return Long.MIN_VALUE;
        }
        // The grammar admits a leap second; an Instant has none, so it becomes the last second of its minute.
        second = Math.min(second, 59);
        return LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
    }

    /** The decimal number of exactly {@code count} ASCII digits at {@code from}, or -1. */
    private static int number(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        return out.append(digits);
    }
}
