package io.keyhole.authorizer.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A configured query, translated once at start-up into JDBC's {@code ?} markers plus the list
 * of request values to bind to them, in order. Values are only ever bound, never written into
 * the text.
 *
 * <p>Placeholders are either named ({@code :file_id}, {@code :auth_value}, {@code :uri},
 * {@code :method}, and for the statement that records an upload also {@code :filename},
 * {@code :content_type}, {@code :content_disposition}, {@code :etag}, {@code :length},
 * {@code :upload_date}; each may appear any number of times) or positional, as the nginx module
 * wrote them ({@code %s}, or {@code ?}), with a meaning that depends on the statement (see
 * {@link Kind}). The module's quoted form {@code '%s'} counts as a positional placeholder and
 * loses its quotes; any other text inside string literals, quoted identifiers and comments is
 * left alone, so {@code ':x'} or {@code '50%s'} there are not placeholders.
 *
 * <p>The lexer knows the MySQL/MariaDB dialect (backslash escapes in strings, {@code "} strings,
 * {@code #} comments, {@code --} comments only when followed by a space) and standard SQL
 * ({@code "} identifiers, {@code --} comments, no backslash escapes).
 */
final class SqlTemplate {

    /** A request value that can be bound. */
    enum Param {
        FILE_ID, AUTH_VALUE, URI, METHOD,
        /** The uploaded file's metadata: only in the statement that records an upload. */
        FILENAME, CONTENT_TYPE, CONTENT_DISPOSITION, ETAG, LENGTH, UPLOAD_DATE;

        String placeholder() {
            return ":" + name().toLowerCase(Locale.ROOT);
        }

        boolean metadata() {
            return ordinal() >= FILENAME.ordinal();
        }
    }

    /** Which statement a template is: it decides the key named in messages and what placeholders mean. */
    enum Kind {
        /** {@code sql-query}, asked for downloads: one positional placeholder is the auth value, two the file id then the auth value. */
        QUERY("sql-query", List.of(List.of(Param.AUTH_VALUE), List.of(Param.FILE_ID, Param.AUTH_VALUE))),
        /** {@code sql-insert-query}, run for uploads: six positional placeholders, in the later module's order. */
        INSERT("sql-insert-query", List.of(List.of(Param.AUTH_VALUE, Param.FILE_ID, Param.FILENAME, Param.CONTENT_TYPE,
                Param.CONTENT_DISPOSITION, Param.ETAG))),
        /** {@code sql-delete-query}, run for deletes: one positional placeholder is the file id, two the file id then the auth value. */
        DELETE("sql-delete-query", List.of(List.of(Param.FILE_ID), List.of(Param.FILE_ID, Param.AUTH_VALUE)));

        final String key;
        private final List<List<Param>> positional;

        /** @param positional what the placeholders mean, one list per count of {@code ?} the statement may have */
        Kind(String key, List<List<Param>> positional) {
            this.key = key;
            this.positional = positional;
        }

        boolean allows(Param p) {
            return this == INSERT || !p.metadata();
        }

        private List<Param> positional(int count) {
            for (List<Param> params : positional) {
                if (params.size() == count) {
                    return params;
                }
            }
            return null;
        }

        private String positionalMeaning() {
            return switch (this) {
                case QUERY -> "%s or ? mean the auth value (one) or the file id then the auth value (two)";
                case INSERT -> "%s or ? mean auth_value, file_id, filename, content_type, content_disposition, etag"
                        + " (six, in this order)";
                case DELETE -> "%s or ? mean the file id (one) or the file id then the auth value (two)";
            };
        }

        private String known() {
            StringBuilder out = new StringBuilder();
            for (Param p : Param.values()) {
                if (allows(p)) {
                    out.append(out.length() == 0 ? "" : ", ").append(p.placeholder());
                }
            }
            return out.toString();
        }
    }

    /** The later module's default query, with named placeholders. */
    static final String DEFAULT_QUERY = "SELECT * FROM cdn WHERE file_id = :file_id AND auth_value = :auth_value";

    /** The later module's default upload statement, with named placeholders. */
    static final String DEFAULT_INSERT_QUERY = "REPLACE INTO cdn (auth_value, file_id, filename, content_type,"
            + " content_disposition, etag, length, upload_date) VALUES (:auth_value, :file_id, :filename,"
            + " :content_type, :content_disposition, :etag, :length, :upload_date)";

    /** The default delete statement: only the uploader's row goes. */
    static final String DEFAULT_DELETE_QUERY = "DELETE FROM cdn WHERE file_id = :file_id AND auth_value = :auth_value";

    private final Kind kind;
    private final String sql;
    private final List<Param> params;
    private final boolean escapeCall;

    private SqlTemplate(Kind kind, String sql, List<Param> params, boolean escapeCall) {
        this.kind = kind;
        this.sql = sql;
        this.params = List.copyOf(params);
        this.escapeCall = escapeCall;
    }

    /** Which statement this is. */
    Kind kind() {
        return kind;
    }

    /** The text handed to {@code prepareStatement}: only {@code ?} markers, no values. */
    String sql() {
        return sql;
    }

    /** What to bind to each {@code ?}, in order. */
    List<Param> params() {
        return params;
    }

    /** Whether the query is a JDBC call escape ({@code {call p(?)}}), which needs {@code prepareCall}. */
    boolean escapeCall() {
        return escapeCall;
    }

    @Override
    public String toString() {
        return sql + " " + params;
    }

    /**
     * Translates {@code query} (the value of {@code sql-query}).
     *
     * @param mysql whether to lex the MySQL/MariaDB dialect rather than standard SQL
     * @throws IllegalArgumentException naming {@code sql-query}, what is wrong and where
     */
    static SqlTemplate parse(String query, boolean mysql) {
        return parse(Kind.QUERY, query, mysql);
    }

    /**
     * Translates {@code query}, the value of {@code kind}'s key.
     *
     * @param mysql whether to lex the MySQL/MariaDB dialect rather than standard SQL
     * @throws IllegalArgumentException naming the key, what is wrong and where
     */
    static SqlTemplate parse(Kind kind, String query, boolean mysql) {
        String q = stripTrailingSemicolons(query.strip());
        if (q.isEmpty()) {
            throw bad(kind, "is empty");
        }
        StringBuilder out = new StringBuilder(q.length());
        List<Param> named = new ArrayList<>();
        int positional = 0;
        int firstNamedAt = -1;
        int firstPositionalAt = -1;
        int n = q.length();
        int i = 0;
        while (i < n) {
            char c = q.charAt(i);
            if (c == '\'' || c == '"' && mysql) {
                int end = endOfQuoted(kind, q, i, mysql);
                if (end - i == 4 && q.startsWith("%s", i + 1)) {
                    // the module's '%s': its quotes belonged to the printf formatting, not to SQL
                    out.append('?');
                    positional++;
                    firstPositionalAt = firstPositionalAt < 0 ? i : firstPositionalAt;
                } else {
                    out.append(q, i, end);
                }
                i = end;
            } else if (c == '"' || c == '`') {
                int end = endOfQuoted(kind, q, i, false);
                out.append(q, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && q.charAt(i + 1) == '-'
                    && (!mysql || i + 2 == n || Character.isWhitespace(q.charAt(i + 2)) || q.charAt(i + 2) < ' ')
                    || c == '#' && mysql) {
                int end = q.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(q, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && q.charAt(i + 1) == '*') {
                int end = q.indexOf("*/", i + 2);
                if (end < 0) {
                    throw bad(kind, "has a comment /* at offset " + i + " that is never closed");
                }
                out.append(q, i, end + 2);
                i = end + 2;
            } else if (c == '?' || c == '%' && i + 1 < n && q.charAt(i + 1) == 's') {
                out.append('?');
                positional++;
                firstPositionalAt = firstPositionalAt < 0 ? i : firstPositionalAt;
                i += c == '?' ? 1 : 2;
            } else if (c == ':' && i + 1 < n && isNameStart(q.charAt(i + 1)) && (i == 0 || q.charAt(i - 1) != ':')) {
                int end = i + 1;
                while (end < n && isNamePart(q.charAt(end))) {
                    end++;
                }
                String name = q.substring(i, end);
                Param param = named(name);
                if (param == null || !kind.allows(param)) {
                    throw bad(kind, "has " + (param == null ? "an unknown" : "a misplaced") + " placeholder " + name
                            + " at offset " + i + "; known: " + kind.known()
                            + (param == null ? "" : " (the file's metadata exists only for sql-insert-query)"));
                }
                named.add(param);
                firstNamedAt = firstNamedAt < 0 ? i : firstNamedAt;
                out.append('?');
                i = end;
            } else if (c == ';') {
                throw bad(kind, "holds more than one statement (';' at offset " + i + "); use a stored procedure instead");
            } else {
                out.append(c);
                i++;
            }
        }
        List<Param> params;
        if (!named.isEmpty() && positional > 0) {
            throw bad(kind, "mixes named placeholders (offset " + firstNamedAt + ") and positional ones (offset "
                    + firstPositionalAt + "); use one style");
        } else if (!named.isEmpty()) {
            params = named;
        } else if (positional == 0) {
            throw bad(kind, "has no placeholder, so every request would " + (kind == Kind.QUERY ? "get the same answer"
                    : "change the same rows") + "; use :file_id and :auth_value");
        } else if (kind.positional(positional) != null) {
            params = kind.positional(positional);
        } else {
            throw bad(kind, "has " + positional + " positional placeholders; " + kind.positionalMeaning()
                    + ". Otherwise use named ones: " + kind.known());
        }
        String sql = out.toString();
        return new SqlTemplate(kind, sql, params, sql.startsWith("{"));
    }

    /** Index just past the literal or quoted identifier that starts at {@code start}. */
    private static int endOfQuoted(Kind kind, String q, int start, boolean backslashEscapes) {
        char quote = q.charAt(start);
        int n = q.length();
        int i = start + 1;
        while (i < n) {
            char c = q.charAt(i);
            if (c == '\\' && backslashEscapes) {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && q.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw bad(kind, "has a " + quote + " at offset " + start + " that is never closed");
    }

    /** A trailing {@code ;} as typed in a console is harmless; one in the middle is a second statement. */
    private static String stripTrailingSemicolons(String q) {
        String s = q;
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        return s;
    }

    private static Param named(String placeholder) {
        for (Param p : Param.values()) {
            if (p.placeholder().equals(placeholder)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isNameStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || c >= '0' && c <= '9';
    }

    private static IllegalArgumentException bad(Kind kind, String why) {
        return new IllegalArgumentException(kind.key + " " + why);
    }
}
