package io.keyhole.http;

import java.nio.charset.StandardCharsets;

/**
 * Builds Content-Disposition values (RFC 6266) that every client reads right: an ASCII
 * {@code filename="..."} fallback and, when the name is not plain ASCII, an RFC 8187
 * {@code filename*=UTF-8''...}. CR, LF, other controls, quotes and backslashes never reach the
 * header.
 *
 * <p>For example {@code of(true, "Résumé.pdf")} gives
 * {@code attachment; filename="R_sum_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf}.
 */
public final class ContentDisposition {

    /** Stands in for a name that is empty or only whitespace. */
    static final String DEFAULT_NAME = "file";

    private static final char REPLACEMENT = '_';
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ContentDisposition() {
    }

    /**
     * Leading and trailing whitespace is dropped from the name. In the {@code filename=} fallback
     * every character other than printable ASCII, and also {@code " \ / %}, becomes {@code _}
     * (some clients percent-decode even that parameter). {@code filename*} is added only when it
     * says more than the fallback; in it, controls, bidirectional overrides, path separators and
     * unpaired surrogates become {@code _} as well, since a client turns the decoded value into a
     * file name.
     *
     * @param attachment {@code true} for {@code attachment}, {@code false} for {@code inline}
     * @param filename   the name to present; may be any Unicode text, {@code null} for none
     */
    public static String of(boolean attachment, String filename) {
        String type = attachment ? "attachment" : "inline";
        if (filename == null) {
            return type;
        }
        String name = filename.strip();
        if (name.isEmpty()) {
            name = DEFAULT_NAME;
        }
        String fallback = fallback(name);
        String extended = extended(name);
        StringBuilder out = new StringBuilder(type).append("; filename=\"").append(fallback).append('"');
        if (!extended.equals(fallback)) {
            out.append("; filename*=UTF-8''").append(percentEncode(extended));
        }
        return out.toString();
    }

    /** One {@code _} per code point that cannot stand in a quoted ASCII filename. */
    private static String fallback(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' && c != '/'
                && c != '%' ? (char) c : REPLACEMENT));
        return out.toString();
    }

    /** The name the client should save under: the real one, minus what no file name should hold. */
    private static String extended(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(c -> {
            boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
            boolean unpaired = c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE;
            if (control || unpaired || isBidiControl(c) || c == '/' || c == '\\') {
                out.append(REPLACEMENT);
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /**
     * Marks and overrides that reorder text on screen; in a file name they disguise the extension
     * ({@code "txt.exe"} shown as {@code "exe.txt"}).
     */
    private static boolean isBidiControl(int c) {
        return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069);
    }

    /** RFC 8187 §3.2.1 value-chars: attr-char as is, every other UTF-8 octet as {@code %XX}. */
    private static String percentEncode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length * 3);
        for (byte b : utf8) {
            int octet = b & 0xFF;
            if (isAttrChar(octet)) {
                out.append((char) octet);
            } else {
                out.append('%').append(HEX[octet >> 4]).append(HEX[octet & 0x0F]);
            }
        }
        return out.toString();
    }

    /** attr-char = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" */
    private static boolean isAttrChar(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || "!#$&+-.^_`|~".indexOf(c) >= 0;
    }
}
