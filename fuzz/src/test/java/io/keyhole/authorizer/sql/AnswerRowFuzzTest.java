package io.keyhole.authorizer.sql;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keyhole.AuthResponse;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL row mapping ({@link AnswerRow#read}): a row of any columns, labels, SQL types and
 * values, as a database or a query written by the operator returns it, is read as an answer
 * whose numbers are in range, or refused with {@link AnswerRow.BadValue}; nothing else escapes.
 * The row is a {@link ResultSet} that behaves as a JDBC driver does for each type.
 */
class AnswerRowFuzzTest {

    private static final String[] LABELS = {"status", "STATUS", "filename", "content_type", "content_disposition",
            "content_dispostion", "etag", "length", "upload_date", "error", "auth_value", "file_id", "Length"};
    private static final int[] TYPES = {Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.DECIMAL,
            Types.NUMERIC, Types.REAL, Types.FLOAT, Types.DOUBLE, Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR,
            Types.CLOB, Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE, Types.BLOB, Types.BOOLEAN,
            Types.OTHER};

    /** One column: its label, SQL type and value (null for SQL NULL). */
    private record Column(String label, int type, Object value) {
    }

    @FuzzTest
    void read(FuzzedDataProvider data) throws SQLException {
        List<Column> columns = new ArrayList<>();
        for (int i = data.consumeInt(0, 8); i > 0; i--) {
            String label = data.consumeBoolean() ? data.pickValue(LABELS) : data.consumeString(20);
            int type = data.pickValue(TYPES);
            columns.add(new Column(label, type, data.consumeInt(0, 9) == 0 ? null : value(type, data)));
        }
        AuthResponse answer;
        try {
            answer = AnswerRow.read(row(columns));
        } catch (AnswerRow.BadValue refused) {
            assertTrue(refused.getMessage().startsWith("column "), refused.getMessage());
            return;
        }
        if (answer.status() != null) {
            assertTrue(answer.status() >= 100 && answer.status() <= 599, "status " + answer.status());
        }
        if (answer.length() != null) {
            assertTrue(answer.length() >= 0);
        }
        if (answer.uploadDate() != null) {
            assertTrue(answer.uploadDate() >= 0 && answer.uploadDate() <= AnswerRow.MAX_UPLOAD_DATE);
        }
    }

    /** What a driver hands back for a column of this type. */
    private static Object value(int type, FuzzedDataProvider data) {
        return switch (type) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> BigDecimal.valueOf(data.consumeLong());
            case Types.DECIMAL, Types.NUMERIC -> {
                byte[] digits = data.consumeBytes(24);
                yield new BigDecimal(new BigInteger(digits.length == 0 ? new byte[] {0} : digits), data.consumeInt(-40, 40));
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
                double d = data.consumeRegularDouble();
                yield BigDecimal.valueOf(d);
            }
            case Types.TIMESTAMP, Types.DATE -> new Timestamp(data.consumeLong(-62_135_596_800_000L, 253_402_300_799_000L));
            case Types.TIMESTAMP_WITH_TIMEZONE -> OffsetDateTime.of(data.consumeInt(1, 9999), data.consumeInt(1, 12),
                    data.consumeInt(1, 28), data.consumeInt(0, 23), data.consumeInt(0, 59), data.consumeInt(0, 59),
                    data.consumeInt(0, 999_999_999), ZoneOffset.ofHours(data.consumeInt(-18, 18)));
            case Types.BOOLEAN -> data.consumeBoolean();
            case Types.BLOB, Types.OTHER -> data.consumeBytes(16);
            default -> data.consumeString(40);
        };
    }

    /** A one-row result set over {@code columns}, 1-based like JDBC. */
    private static ResultSet row(List<Column> columns) {
        ResultSetMetaData meta = (ResultSetMetaData) Proxy.newProxyInstance(AnswerRowFuzzTest.class.getClassLoader(),
                new Class<?>[] {ResultSetMetaData.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getColumnCount" -> columns.size();
                    case "getColumnLabel", "getColumnName" -> columns.get((int) args[0] - 1).label();
                    case "getColumnType" -> columns.get((int) args[0] - 1).type();
                    case "getColumnTypeName" -> "TYPE" + columns.get((int) args[0] - 1).type();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (ResultSet) Proxy.newProxyInstance(AnswerRowFuzzTest.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getMetaData")) {
                        return meta;
                    }
                    Column c = columns.get((int) args[0] - 1);
                    Object v = c.value();
                    return switch (method.getName()) {
                        case "getObject" -> args.length == 2 && v != null && !((Class<?>) args[1]).isInstance(v)
                                ? fail("cannot convert " + v.getClass().getSimpleName()) : v;
                        case "getString" -> v == null ? null : v instanceof BigDecimal b ? b.toPlainString()
                                : v instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                                : v.toString();
                        case "getBigDecimal" -> v == null ? null : v instanceof BigDecimal b ? b
                                : fail("not a number");
                        case "getTimestamp" -> v == null ? null : v instanceof Timestamp t ? t
                                : v instanceof OffsetDateTime o ? Timestamp.from(o.toInstant()) : fail("not a date");
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    /** A driver's refusal to convert: an SQLException, which the authorizer reports as a backend failure. */
    private static Object fail(String why) throws SQLException {
        throw new SQLException(why);
    }
}
