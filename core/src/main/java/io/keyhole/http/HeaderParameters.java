package io.keyhole.http;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A header value of the form {@code value; name=token; name="quoted string"}, as
 * {@code Content-Type} and {@code Content-Disposition} are written (RFC 9110 §5.6.6).
 *
 * @param value      what precedes the first {@code ;}, trimmed and lower-cased
 * @param parameters the parameters by lower-cased name, in order
 */
record HeaderParameters(String value, Map<String, String> parameters) {

    /**
     * Parses {@code header}. Quoted strings lose their quotes; {@code \"} and {@code \\} inside
     * them stand for {@code "} and {@code \}, and any other backslash is kept as it is, because
     * browsers send Windows paths in file names without escaping them.
     *
     * @param what names the header for messages
     * @throws MalformedFormException when a parameter is not {@code name=value}, a quoted string
     *                                is never closed, or a parameter appears twice
     */
    static HeaderParameters parse(String header, String what) throws MalformedFormException {
        int n = header.length();
        int semicolon = header.indexOf(';');
        String value = (semicolon < 0 ? header : header.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        Map<String, String> parameters = new LinkedHashMap<>();
        int i = semicolon < 0 ? n : semicolon + 1;
        while (i < n) {
            i = skipSpace(header, i);
            if (i < n && header.charAt(i) == ';') {
                i++;
                continue;
            }
            if (i >= n) {
                break;
            }
            int eq = header.indexOf('=', i);
            int nextSemicolon = header.indexOf(';', i);
            if (eq < 0 || nextSemicolon >= 0 && nextSemicolon < eq) {
                throw new MalformedFormException(what + " has a parameter without '='");
            }
            String name = header.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                throw new MalformedFormException(what + " has a parameter without a name");
            }
            i = skipSpace(header, eq + 1);
            String parameter;
            if (i < n && header.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = header.charAt(i);
                    if (c == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (c == '\\' && i + 1 < n && (header.charAt(i + 1) == '"' || header.charAt(i + 1) == '\\')) {
                        quoted.append(header.charAt(i + 1));
                        i += 2;
                    } else {
                        quoted.append(c);
                        i++;
                    }
                }
                if (!closed) {
                    throw new MalformedFormException(what + " has a quoted parameter '" + Printable.of(name)
                            + "' that is never closed");
                }
                i = skipSpace(header, i);
                if (i < n && header.charAt(i) != ';') {
                    throw new MalformedFormException(what + " has text after the quoted parameter '"
                            + Printable.of(name) + "'");
                }
                parameter = quoted.toString();
            } else {
                int end = header.indexOf(';', i);
                end = end < 0 ? n : end;
                parameter = header.substring(i, end).strip();
                i = end;
            }
            if (parameters.put(name, parameter) != null) {
                // Two values for one name leave the sender's meaning open: refuse rather than guess.
                throw new MalformedFormException(what + " gives the parameter '" + Printable.of(name) + "' twice");
            }
        }
        return new HeaderParameters(value, parameters);
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
