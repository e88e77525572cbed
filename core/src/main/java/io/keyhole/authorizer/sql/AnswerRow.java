package io.keyhole.authorizer.sql;

import io.keyhole.AuthResponse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * Reads one result row as an answer, by column label (case-insensitive), with the names of the
 * JSON answer: {@code status}, {@code filename}, {@code content_type}, {@code content_disposition}
 * (or the original module's {@code content_dispostion}), {@code etag}, {@code length},
 * {@code upload_date}, {@code error}, {@code auth_value} (which the default query's
 * {@code SELECT *} returns; an answer without status whose {@code auth_value} differs from the
 * request's counts as empty), and {@code cache_ttl} (seconds the decision may be remembered). Other columns are ignored; {@code NULL} means "not sent".
 *
 * <p>Numbers may be any numeric SQL type or text holding a whole number. {@code upload_date} may
 * also be a {@code DATETIME}/{@code TIMESTAMP}/{@code DATE}, taken as the instant the driver
 * reports (the DSN form sets the connection's time zone to UTC so that both agree). A value that
 * cannot be read, or a column that appears twice, makes the whole answer invalid.
 */
final class AnswerRow {

    /** Latest {@code upload_date} accepted: 9999-12-31T23:59:59Z, the last instant an HTTP date can show. */
    static final long MAX_UPLOAD_DATE = 253_402_300_799L;

    /** The row could not be read as an answer; the message names the column. */
    static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message);
        }
    }

    private AnswerRow() {
    }

    /** Reads the current row of {@code rs}. */
    static AuthResponse read(ResultSet rs) throws SQLException, BadValue {
        ResultSetMetaData meta = rs.getMetaData();
        int[] column = new int[Field.values().length];
        for (int i = 1, n = meta.getColumnCount(); i <= n; i++) {
            Field field = Field.of(meta.getColumnLabel(i));
            if (field == null) {
                continue;
            }
            if (column[field.ordinal()] != 0) {
                throw new BadValue("column " + field.label + " appears twice in the row; the answer is ambiguous");
            }
            column[field.ordinal()] = i;
        }
        String disposition = text(rs, column[Field.CONTENT_DISPOSITION.ordinal()]);
        if (disposition == null) {
            disposition = text(rs, column[Field.CONTENT_DISPOSTION.ordinal()]);
        }
        Long status = whole(rs, meta, column[Field.STATUS.ordinal()], Field.STATUS, 599, false);
        if (status != null && status < 100) {
            throw new BadValue("column status must be an HTTP status 100..599, was " + status);
        }
        return new AuthResponse(
                status == null ? null : status.intValue(),
                text(rs, column[Field.FILENAME.ordinal()]),
                text(rs, column[Field.CONTENT_TYPE.ordinal()]),
                disposition,
                text(rs, column[Field.ETAG.ordinal()]),
                whole(rs, meta, column[Field.LENGTH.ordinal()], Field.LENGTH, Long.MAX_VALUE, false),
                whole(rs, meta, column[Field.UPLOAD_DATE.ordinal()], Field.UPLOAD_DATE, MAX_UPLOAD_DATE, true),
                text(rs, column[Field.ERROR.ordinal()]),
                text(rs, column[Field.AUTH_VALUE.ordinal()]),
                whole(rs, meta, column[Field.CACHE_TTL.ordinal()], Field.CACHE_TTL, Long.MAX_VALUE, false));
    }

    private enum Field {
        STATUS, FILENAME, CONTENT_TYPE, CONTENT_DISPOSITION, CONTENT_DISPOSTION, ETAG, LENGTH, UPLOAD_DATE, ERROR, AUTH_VALUE, CACHE_TTL;

        final String label = name().toLowerCase(Locale.ROOT);

        static Field of(String label) {
            if (label == null) {
                return null;
            }
            for (Field f : values()) {
                if (f.label.equalsIgnoreCase(label)) {
                    return f;
                }
            }
            return null;
        }
    }

    private static String text(ResultSet rs, int column) throws SQLException {
        return column == 0 ? null : rs.getString(column);
    }

    /**
     * A whole number 0..max from a numeric column, text of digits, or (for dates) a date-time
     * column as Unix seconds. Fractions of a second in a date are dropped; other fractions are an error.
     */
    private static Long whole(ResultSet rs, ResultSetMetaData meta, int column, Field field, long max, boolean date)
            throws SQLException, BadValue {
        if (column == 0) {
            return null;
        }
        int type = meta.getColumnType(column);
        BigDecimal number;
        if (date && isDateType(type)) {
            Instant instant = instant(rs, column, type);
            if (instant == null) {
                return null;
            }
            number = BigDecimal.valueOf(instant.getEpochSecond());
        } else if (isNumberType(type)) {
            // getObject would follow the driver's idea of the Java type, which can be too narrow
            number = rs.getBigDecimal(column);
            if (number == null) {
                return null;
            }
        } else if (isTextType(type)) {
            String s = rs.getString(column);
            if (s == null) {
                return null;
            }
            s = s.strip();
            if (!s.matches("\\d{1,19}")) {
                throw new BadValue("column " + field.label + " must hold a whole number, was '" + shorten(s) + "'");
            }
            number = new BigDecimal(s);
        } else {
            if (rs.getObject(column) == null) {
                return null;
            }
            throw new BadValue("column " + field.label + " has SQL type " + meta.getColumnTypeName(column)
                    + ", which is not a number" + (date ? " or a date" : ""));
        }
        if (number.signum() < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new BadValue("column " + field.label + " must be 0.." + max + ", was " + number.toPlainString());
        }
        if (date) {
            number = number.setScale(0, RoundingMode.FLOOR);
        } else if (number.stripTrailingZeros().scale() > 0) {
            throw new BadValue("column " + field.label + " must be a whole number, was " + number.toPlainString());
        }
        return number.longValueExact();
    }

    private static boolean isDateType(int sqlType) {
        return sqlType == Types.TIMESTAMP || sqlType == Types.TIMESTAMP_WITH_TIMEZONE || sqlType == Types.DATE;
    }

    private static boolean isNumberType(int sqlType) {
        return switch (sqlType) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.DECIMAL, Types.NUMERIC,
                 Types.REAL, Types.FLOAT, Types.DOUBLE -> true;
            default -> false;
        };
    }

    private static boolean isTextType(int sqlType) {
        return switch (sqlType) {
            case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR,
                 Types.CLOB, Types.NCLOB -> true;
            default -> false;
        };
    }

    /** The instant a date-time column names, as the driver converts it; null for NULL. */
    private static Instant instant(ResultSet rs, int column, int sqlType) throws SQLException {
        if (sqlType == Types.TIMESTAMP_WITH_TIMEZONE) {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        }
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static String shorten(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "..." : s;
    }
}
