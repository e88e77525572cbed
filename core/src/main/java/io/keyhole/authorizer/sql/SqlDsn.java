package io.keyhole.authorizer.sql;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the database is: the nginx module's {@code host:port:user:password:database}, or a
 * {@code jdbc:} URL used as it is.
 *
 * <p>In the five-field form the password is everything between the third and the last colon,
 * so it may itself contain colons; host, port, user and database may not. An IPv6 host goes in
 * brackets ({@code [::1]:3306:...}). An empty port means 3306. When the host is
 * {@code localhost}, the port field may instead be the absolute path of the server's Unix
 * socket ({@code localhost:/run/mysqld/mysqld.sock:user:pw:db}).
 *
 * <p>{@link #toString()} never shows the password.
 *
 * @param host     host name or address (without brackets), {@code null} for a URL
 * @param port     TCP port, 0 for a socket or a URL
 * @param socket   Unix socket path, or {@code null}
 * @param user     user name, or {@code null} for a URL
 * @param password password, or {@code null}
 * @param database default database, may be empty
 * @param url      the {@code jdbc:} URL, or {@code null} for the five-field form
 */
record SqlDsn(String host, int port, Path socket, String user, String password, String database, String url) {

    static final int DEFAULT_PORT = 3306;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$.\\-]+");
    private static final Pattern URL_PASSWORD =
            Pattern.compile("(?i)((?:password|pwd)=)[^&;]*");
    private static final Pattern URL_USERINFO = Pattern.compile("//([^/@:]*):[^/@]*@");

    /**
     * Parses {@code text} (the value of {@code sql-dsn}).
     *
     * @throws IllegalArgumentException naming {@code sql-dsn} and what is wrong; it never quotes the password
     */
    static SqlDsn parse(String text) {
        Objects.requireNonNull(text, "sql-dsn");
        String dsn = text.strip();
        if (dsn.regionMatches(true, 0, "jdbc:", 0, 5)) {
            return new SqlDsn(null, 0, null, null, null, "", dsn);
        }
        String host;
        String rest;
        if (dsn.startsWith("[")) {
            int close = dsn.indexOf(']');
            if (close < 0 || close + 1 >= dsn.length() || dsn.charAt(close + 1) != ':') {
                throw bad("an IPv6 host must be written [address] and followed by ':'");
            }
            host = dsn.substring(1, close);
            rest = dsn.substring(close + 2);
        } else {
            int colon = dsn.indexOf(':');
            if (colon < 0) {
                throw bad("expected host:port:user:password:database or a jdbc: URL");
            }
            host = dsn.substring(0, colon);
            rest = dsn.substring(colon + 1);
        }
        // rest is port:user:password:database; the password takes whatever lies between user and database
        int first = rest.indexOf(':');
        int second = first < 0 ? -1 : rest.indexOf(':', first + 1);
        int last = rest.lastIndexOf(':');
        if (first < 0 || second < 0 || last <= second) {
            throw bad("expected 5 fields host:port:user:password:database (an empty password is written ::)");
        }
        String portField = rest.substring(0, first);
        String user = rest.substring(first + 1, second);
        String password = rest.substring(second + 1, last);
        String database = rest.substring(last + 1);
        if (host.isEmpty()) {
            throw bad("the host is empty");
        }
        if (user.isEmpty()) {
            throw bad("the user is empty");
        }
        if (!database.isEmpty() && !NAME.matcher(database).matches()) {
            throw bad("the database name '" + database + "' may hold only letters, digits and _ $ . -");
        }
        int port = 0;
        Path socket = null;
        if (portField.startsWith("/")) {
            if (!host.equalsIgnoreCase("localhost")) {
                throw bad("a socket path instead of the port needs the host localhost, was '" + host + "'");
            }
            socket = Path.of(portField);
        } else if (portField.isEmpty()) {
            port = DEFAULT_PORT;
        } else {
            try {
                port = Integer.parseInt(portField);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw bad("the port must be 1..65535 or, for localhost, a socket path starting with /; was '"
                        + portField + "'");
            }
        }
        return new SqlDsn(host.toLowerCase(Locale.ROOT), port, socket, user, password.isEmpty() ? null : password,
                database, null);
    }

    private static IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("sql-dsn: " + why);
    }

    /** The same place with another password ({@code sql-password} overrides the DSN's). */
    SqlDsn withPassword(String newPassword) {
        return new SqlDsn(host, port, socket, user, newPassword, database, url);
    }

    /** Whether this is a {@code jdbc:} URL. */
    boolean isUrl() {
        return url != null;
    }

    /** Whether a {@code jdbc:} URL names MariaDB or MySQL, whose driver Keyhole knows. */
    boolean isMariaDbUrl() {
        return url != null && (url.regionMatches(true, 0, "jdbc:mariadb:", 0, 13)
                || url.regionMatches(true, 0, "jdbc:mysql:", 0, 11));
    }

    /** Whether a {@code jdbc:} URL carries a password itself. */
    boolean urlHasPassword() {
        return url != null && (URL_PASSWORD.matcher(url).find() || URL_USERINFO.matcher(url).find());
    }

    /** A description for logs and messages: where, as whom, never the password. */
    String describe() {
        if (url != null) {
            String safe = URL_PASSWORD.matcher(url).replaceAll("$1***");
            return URL_USERINFO.matcher(safe).replaceAll("//$1:***@");
        }
        if (socket != null) {
            return "mysql://" + user + "@localhost/" + database + " (socket " + socket + ")";
        }
        return "mysql://" + user + "@" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}
