package io.keyhole.authorizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The little of RESP2, Redis's protocol, that {@link RedisStore} speaks: commands out, single replies in. */
final class Resp {

    /** The longest line of a simple reply or a length accepted. */
    private static final int MAX_LINE = 1024;

    private Resp() {
    }

    /** An error reply; only its first word (e.g. {@code NOAUTH}) is kept, the rest may quote data. */
    record Error(String code) {
    }

    /** A reply that breaks the protocol, or ends early. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** Appends one command as an array of bulk strings. */
    static void write(ByteArrayOutputStream out, byte[]... words) {
        ascii(out, "*" + words.length + "\r\n");
        for (byte[] word : words) {
            ascii(out, "$" + word.length + "\r\n");
            out.write(word, 0, word.length);
            ascii(out, "\r\n");
        }
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        out.write(bytes, 0, bytes.length);
    }

    /** Reads replies one after another from everything Redis sent. */
    static final class Reader {
        private final byte[] in;
        private int at;

        Reader(byte[] in) {
            this.in = in;
        }

        /**
         * The next reply: {@code byte[]} (bulk string), {@code null} (nil), {@code String}
         * (simple string), {@code Long} (integer) or {@link Error}. Arrays are not expected.
         */
        Object next() throws Malformed {
            if (at >= in.length) {
                throw new Malformed("the connection closed before the reply");
            }
            byte type = in[at++];
            String line = line();
            switch (type) {
                case '+':
                    return line;
                case '-': {
                    int space = line.indexOf(' ');
                    String code = space < 0 ? line : line.substring(0, space);
                    return new Error(code.chars().allMatch(c -> c >= 'A' && c <= 'Z') ? code : "ERR");
                }
                case ':':
                    return number(line);
                case '$': {
                    long length = number(line);
                    if (length == -1) {
                        return null;
                    }
                    if (length < 0 || length > in.length - at - 2) {
                        throw new Malformed("a bulk reply of " + length + " bytes ends early");
                    }
                    int n = (int) length;
                    byte[] value = new byte[n];
                    System.arraycopy(in, at, value, 0, n);
                    at += n;
                    if (in[at] != '\r' || in[at + 1] != '\n') {
                        throw new Malformed("a bulk reply does not end with CRLF");
                    }
                    at += 2;
                    return value;
                }
                default:
                    throw new Malformed("unexpected reply type " + (type >= 0x20 && type < 0x7f ? "'" + (char) type + "'"
                            : "byte " + (type & 0xff)));
            }
        }

        private String line() throws Malformed {
            int start = at;
            while (at + 1 < in.length && !(in[at] == '\r' && in[at + 1] == '\n')) {
                if (at - start > MAX_LINE) {
                    throw new Malformed("a reply line longer than " + MAX_LINE + " bytes");
                }
                at++;
            }
            if (at + 1 >= in.length) {
                throw new Malformed("a reply line ends early");
            }
            String line = new String(in, start, at - start, StandardCharsets.US_ASCII);
            at += 2;
            return line;
        }

        private static long number(String line) throws Malformed {
            try {
                return Long.parseLong(line);
            } catch (NumberFormatException e) {
                throw new Malformed("a reply length or integer is not a number");
            }
        }
    }
}
