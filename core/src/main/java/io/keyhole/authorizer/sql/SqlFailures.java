package io.keyhole.authorizer.sql;

import io.keyhole.AuthorizationException.Kind;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

/** What a failed query means for the client: which {@link Kind}, and whether the connection is spent. */
final class SqlFailures {

    /** MariaDB: max_statement_time exceeded. */
    private static final int ER_STATEMENT_TIMEOUT = 1969;
    /** MySQL: max_execution_time exceeded. */
    private static final int ER_QUERY_TIMEOUT = 3024;

    private SqlFailures() {
    }

    /** {@code TIMEOUT} for a deadline, {@code UNAVAILABLE} for a lost connection, else {@code BAD_ANSWER}. */
    static Kind kind(SQLException e) {
        if (isTimeout(e)) {
            return Kind.TIMEOUT;
        }
        if (isConnectionLoss(e)) {
            return Kind.UNAVAILABLE;
        }
        return Kind.BAD_ANSWER;
    }

    static boolean isTimeout(SQLException e) {
        if (e instanceof SQLTimeoutException || "70100".equals(e.getSQLState())
                || e.getErrorCode() == ER_STATEMENT_TIMEOUT || e.getErrorCode() == ER_QUERY_TIMEOUT) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.length() == 5) {
            // The state decides when there is one: mariadb-java-client raises a SQLTransientConnectionException
            // for any class it does not know, such as 45000 from a SIGNAL in a trigger, which is the query's
            // own refusal and must neither count as an outage nor be run again.
            return state.startsWith("08");
        }
        return e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException
                || e instanceof SQLRecoverableException;
    }

    /** The driver's message with SQL state and vendor code; drivers do not put passwords in these. */
    static String describe(Throwable e) {
        if (e instanceof SQLException s) {
            String message = s.getMessage() == null ? s.getClass().getSimpleName() : s.getMessage().strip();
            return message + " [SQLState " + s.getSQLState() + ", code " + s.getErrorCode() + "]";
        }
        return String.valueOf(e);
    }
}
