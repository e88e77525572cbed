package io.keyhole.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A streaming reader of {@code application/x-www-form-urlencoded} bodies
 * ({@code d=...&n=report.pdf}): names and values are percent-decoded, {@code +} is a space, and
 * a value is handed out as it is decoded, so a large one costs no memory. Names longer than
 * {@value #MAX_NAME_BYTES} bytes and broken percent escapes are malformed. Not thread-safe.
 */
public final class UrlEncodedForm implements FormReader {

    /** Longest field name accepted, in bytes after decoding. */
    public static final int MAX_NAME_BYTES = 256;
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int END_OF_FIELD = -2;
    private static final int END_OF_NAME = -3;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int end;
    private boolean eof;
    /** Fields handed out so far; the current one's number. */
    private int fields;
    /** The number of the field being read, for messages. */
    private int reading;
    /** Whether the current field's value has been read to its {@code &} or the end. */
    private boolean valueDone = true;

    public UrlEncodedForm(InputStream body) {
        this.in = Objects.requireNonNull(body, "body");
    }

    @Override
    public FormField next() throws IOException {
        while (!valueDone) {
            decoded();
        }
        while (true) {
            if (peek() < 0) {
                return null;
            }
            reading = fields + 1;
            ByteArrayOutputStream name = new ByteArrayOutputStream();
            int c;
            while ((c = decodedUntil('=')) >= 0) {
                if (name.size() == MAX_NAME_BYTES) {
                    throw new MalformedFormException("a field name is longer than " + MAX_NAME_BYTES + " bytes");
                }
                name.write(c);
            }
            // decodedUntil stopped at '=' (a value follows), '&' or the end (no value at all)
            valueDone = c == END_OF_FIELD;
            if (name.size() == 0 && valueDone) {
                continue; // "&&" or a trailing '&': nothing there
            }
            fields++;
            return new FormField(name.toString(StandardCharsets.UTF_8), null, null, new Value(fields));
        }
    }

    /**
     * The next decoded byte of a name: {@code END_OF_NAME} after an unescaped {@code =} (which
     * is consumed), {@code END_OF_FIELD} at an unescaped {@code &} (consumed) or the end of the body.
     */
    private int decodedUntil(char stop) throws IOException {
        int c = raw();
        if (c < 0 || c == '&') {
            return END_OF_FIELD;
        }
        if (c == stop) {
            return END_OF_NAME;
        }
        return decode(c);
    }

    /** The next decoded byte of the current value, or -1 at its end. */
    private int decoded() throws IOException {
        if (valueDone) {
            return -1;
        }
        int c = raw();
        if (c < 0 || c == '&') {
            valueDone = true;
            return -1;
        }
        return decode(c);
    }

    private int decode(int c) throws IOException {
        if (c == '+') {
            return ' ';
        }
        if (c != '%') {
            return c;
        }
        int high = Character.digit(raw(), 16);
        int low = Character.digit(raw(), 16);
        if (high < 0 || low < 0) {
            throw new MalformedFormException("field " + reading + " holds a '%' that is not followed by two hex digits");
        }
        return high << 4 | low;
    }

    private int peek() throws IOException {
        if (pos == end && !fill()) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    private int raw() throws IOException {
        if (pos == end && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int n = in.read(buf, 0, buf.length);
        if (n < 0) {
            eof = true;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    /** One field's value, readable while that field is the current one. */
    private final class Value extends InputStream {
        private final int field;

        Value(int field) {
            this.field = field;
        }

        @Override
        public int read() throws IOException {
            return field == fields ? decoded() : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (field != fields || valueDone) {
                return -1;
            }
            int n = 0;
            while (n < len) {
                int c = decoded();
                if (c < 0) {
                    break;
                }
                b[off + n++] = (byte) c;
                if (pos == end && n > 0) {
                    break; // hand out what is decoded rather than wait for more of the body
                }
            }
            return n == 0 ? -1 : n;
        }
    }
}
