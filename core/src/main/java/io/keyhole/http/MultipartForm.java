package io.keyhole.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A streaming reader of {@code multipart/form-data} bodies (RFC 7578 on RFC 2046 §5.1): each
 * part's content is handed out as it arrives through a fixed buffer, so a file part of any size
 * costs the same memory.
 *
 * <pre>{@code
 * FormReader form = MultipartForm.of(request.getContentType(), request.getInputStream());
 * for (FormField field; (field = form.next()) != null; ) {
 *     if (field.name().equals("d")) {
 *         files.store(field.content(), Upload.of(field.filename()));
 *     }
 * }
 * }</pre>
 *
 * <p>The preamble before the first delimiter and the epilogue after the closing one are ignored.
 * Delimiter lines end with CRLF and may carry trailing spaces or tabs; a body that ends before the
 * closing delimiter is malformed, as is a part without {@code Content-Disposition: form-data} and
 * a {@code name}, part headers longer than {@value #MAX_PART_HEADER_BYTES} bytes, or more than
 * {@value #MAX_PARTS} parts. Part headers are read as UTF-8 (as browsers send them), or as
 * ISO-8859-1 when they are not valid UTF-8. A file name is reduced to its last path segment
 * (RFC 7578 §4.2), and the escapes browsers write into names ({@code %22}, {@code %0D},
 * {@code %0A} for {@code "}, CR and LF) are undone. Not thread-safe.
 */
public final class MultipartForm implements FormReader {

    /** Most bytes of headers one part may have. */
    public static final int MAX_PART_HEADER_BYTES = 8 * 1024;
    /** Most parts one body may have. */
    public static final int MAX_PARTS = 128;
    /** RFC 2046 §5.1.1: a boundary has 1 to 70 characters. */
    static final int MAX_BOUNDARY_LENGTH = 70;
    /** Spaces and tabs allowed after a delimiter before its CRLF. */
    private static final int MAX_PADDING = 256;
    private static final int BUFFER_SIZE = 32 * 1024;
    private static final String BCHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";

    private final InputStream in;
    private final byte[] delimiter;
    private final String boundary;
    private final byte[] buf = new byte[BUFFER_SIZE];
    /** Unread data is {@code buf[pos, end)}. */
    private int pos;
    private int end;
    private boolean eof;
    /** No delimiter starts in {@code [pos, scanned)}: those bytes are content. */
    private int scanned;
    /** Where the next delimiter starts, once seen; -1 before. */
    private int match = -1;
    /** Counts parts; a part's stream reads only while it is the current one. */
    private int parts;
    private boolean contentDone;
    private boolean started;
    private boolean finished;

    /**
     * A reader of {@code body}, framed by {@code boundary} (as given in the Content-Type, without
     * the leading dashes).
     *
     * @throws IllegalArgumentException when the boundary is not one RFC 2046 allows
     */
    public MultipartForm(InputStream body, String boundary) {
        this.in = Objects.requireNonNull(body, "body");
        String problem = boundaryProblem(Objects.requireNonNull(boundary, "boundary"));
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.boundary = boundary;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // A body may open with the delimiter at once; a CRLF in front makes that the usual case.
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
    }

    /**
     * A reader for a body of the given {@code Content-Type}.
     *
     * @throws MalformedFormException when the type is not {@code multipart/form-data} with a valid
     *                                {@code boundary} parameter
     */
    public static MultipartForm of(String contentType, InputStream body) throws MalformedFormException {
        return new MultipartForm(body, boundary(contentType));
    }

    /**
     * The {@code boundary} parameter of a {@code multipart/form-data} content type.
     *
     * @throws MalformedFormException when the type is another one, or the boundary is missing or
     *                                not one RFC 2046 allows
     */
    public static String boundary(String contentType) throws MalformedFormException {
        if (contentType == null) {
            throw new MalformedFormException("Content-Type is missing; expected multipart/form-data with a boundary");
        }
        HeaderParameters type = HeaderParameters.parse(contentType, "Content-Type");
        if (!type.value().equals("multipart/form-data")) {
            throw new MalformedFormException("Content-Type is " + Printable.of(type.value())
                    + ", not multipart/form-data");
        }
        String boundary = type.parameters().get("boundary");
        if (boundary == null) {
            throw new MalformedFormException("Content-Type multipart/form-data has no boundary parameter");
        }
        String problem = boundaryProblem(boundary);
        if (problem != null) {
            throw new MalformedFormException(problem);
        }
        return boundary;
    }

    private static String boundaryProblem(String boundary) {
        if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY_LENGTH) {
            return "the multipart boundary must have 1 to " + MAX_BOUNDARY_LENGTH + " characters, has "
                    + boundary.length();
        }
        if (boundary.endsWith(" ")) {
            return "the multipart boundary must not end with a space";
        }
        for (int i = 0; i < boundary.length(); i++) {
            if (BCHARS.indexOf(boundary.charAt(i)) < 0) {
                return "the multipart boundary holds a character RFC 2046 does not allow, at index " + i;
            }
        }
        return null;
    }

    @Override
    public FormField next() throws IOException {
        if (finished) {
            return null;
        }
        // Whatever is left before the next delimiter: the preamble, or the rest of the last part.
        skipContent();
        started = true;
        if (!afterDelimiter()) {
            finished = true;
            return null;
        }
        if (++parts > MAX_PARTS) {
            throw new MalformedFormException("the form has more than " + MAX_PARTS + " parts");
        }
        Map<String, String> disposition = null;
        String contentType = null;
        for (String line : headerLines()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedFormException("part " + parts + " has a header line without a name and ':'");
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (name.equals("content-disposition")) {
                if (disposition != null) {
                    throw new MalformedFormException("part " + parts + " has two Content-Disposition headers");
                }
                HeaderParameters parsed = HeaderParameters.parse(value, "Content-Disposition of part " + parts);
                if (!parsed.value().equals("form-data")) {
                    throw new MalformedFormException("part " + parts + " has Content-Disposition "
                            + Printable.of(parsed.value()) + ", not form-data");
                }
                disposition = parsed.parameters();
            } else if (name.equals("content-type")) {
                contentType = value;
            }
        }
        if (disposition == null || disposition.get("name") == null) {
            throw new MalformedFormException("part " + parts + " has no Content-Disposition: form-data with a name");
        }
        contentDone = false;
        scanned = pos;
        match = -1;
        return new FormField(disposition.get("name"), filename(disposition.get("filename")), contentType,
                new PartContent(parts));
    }

    /** A client's file name as a name: browser escapes undone, directories dropped (RFC 7578 §4.2). */
    static String filename(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.replace("%22", "\"").replace("%0D", "\r").replace("%0A", "\n")
                .replace("%0d", "\r").replace("%0a", "\n");
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        return name.isEmpty() ? null : name;
    }

    /** Reads the part's content until its delimiter, into {@code b}; -1 once the delimiter is reached. */
    private int readContent(byte[] b, int off, int len) throws IOException {
        if (contentDone) {
            return -1;
        }
        while (true) {
            if (match < 0) {
                findDelimiter();
            }
            int available = (match >= 0 ? match : scanned) - pos;
            if (available > 0) {
                int n = Math.min(len, available);
                if (b != null) {
                    System.arraycopy(buf, pos, b, off, n);
                }
                pos += n;
                return n;
            }
            if (match >= 0) {
                pos = match + delimiter.length;
                match = -1;
                scanned = pos;
                contentDone = true;
                return -1;
            }
            if (!fill()) {
                throw new MalformedFormException(started
                        ? "the body ends inside part " + parts + ": the closing delimiter --" + Printable.of(boundary)
                        + "-- is missing"
                        : "the body holds no delimiter --" + Printable.of(boundary));
            }
        }
    }

    private void skipContent() throws IOException {
        if (started && contentDone) {
            return;
        }
        contentDone = false;
        while (readContent(null, 0, Integer.MAX_VALUE) >= 0) {
            // discarding
        }
    }

    /** Looks for the delimiter where it has not been looked for yet. */
    private void findDelimiter() {
        int from = Math.max(scanned, pos);
        int last = end - delimiter.length;
        byte first = delimiter[0];
        for (int i = from; i <= last; i++) {
            if (buf[i] == first && matchesAt(i)) {
                match = i;
                scanned = i;
                return;
            }
        }
        scanned = Math.max(from, last + 1);
    }

    private boolean matchesAt(int i) {
        for (int j = 1; j < delimiter.length; j++) {
            if (buf[i + j] != delimiter[j]) {
                return false;
            }
        }
        return true;
    }

    /** After a delimiter: {@code true} when a part follows, {@code false} at the closing delimiter. */
    private boolean afterDelimiter() throws IOException {
        if (!ensure(2)) {
            throw new MalformedFormException("the body ends right after a delimiter");
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            // The rest is the epilogue, which carries nothing.
            return false;
        }
        int padding = 0;
        while (ensure(1) && (buf[pos] == ' ' || buf[pos] == '\t')) {
            pos++;
            if (++padding > MAX_PADDING) {
                throw new MalformedFormException("a delimiter line has more than " + MAX_PADDING + " trailing blanks");
            }
        }
        if (!ensure(2) || buf[pos] != '\r' || buf[pos + 1] != '\n') {
            throw new MalformedFormException("a delimiter line does not end with CRLF (part " + (parts + 1) + ")");
        }
        pos += 2;
        return true;
    }

    /** The part's header lines, folded lines joined; consumes the blank line after them. */
    private String[] headerLines() throws IOException {
        if (ensure(2) && buf[pos] == '\r' && buf[pos + 1] == '\n') {
            pos += 2;
            return new String[0];
        }
        int searched = pos;
        while (true) {
            for (int i = searched; i + 3 < end; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    if (i - pos > MAX_PART_HEADER_BYTES) {
                        break;
                    }
                    String block = decode(pos, i - pos);
                    pos = i + 4;
                    return split(block);
                }
            }
            if (end - pos > MAX_PART_HEADER_BYTES) {
                throw new MalformedFormException("the headers of part " + (parts) + " are longer than "
                        + MAX_PART_HEADER_BYTES + " bytes");
            }
            searched = Math.max(pos, end - 3);
            int before = pos;
            if (!fill()) {
                throw new MalformedFormException("the body ends inside the headers of part " + parts);
            }
            searched -= before - pos;
        }
    }

    private String[] split(String block) throws MalformedFormException {
        String[] raw = block.split("\r\n", -1);
        List<String> lines = new ArrayList<>(raw.length);
        for (String line : raw) {
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new MalformedFormException("the headers of part " + parts + " hold a CR or LF outside CRLF");
            }
            if (!lines.isEmpty() && !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                // obsolete line folding (RFC 9112 §5.2): one header continued
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + " " + line.strip());
            } else {
                lines.add(line);
            }
        }
        return lines.toArray(new String[0]);
    }

    /** UTF-8 as browsers send it; bytes that are not UTF-8 are read as ISO-8859-1 instead. */
    private String decode(int from, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, from, length)).toString();
        } catch (CharacterCodingException e) {
            return new String(buf, from, length, StandardCharsets.ISO_8859_1);
        }
    }

    /** Makes {@code n} unread bytes available; {@code false} when the body ends first. */
    private boolean ensure(int n) throws IOException {
        while (end - pos < n) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    /** Moves the unread bytes to the front and reads more behind them; {@code false} at the end of the body. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            int unread = end - pos;
            System.arraycopy(buf, pos, buf, 0, unread);
            scanned = Math.max(0, scanned - pos);
            if (match >= 0) {
                match -= pos;
            }
            pos = 0;
            end = unread;
        }
        if (end == buf.length) {
            // Cannot happen: headers are capped below the buffer, and content is handed out before it fills.
            throw new IllegalStateException("multipart buffer full at " + end + " bytes");
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }

    /** The content of one part, readable while that part is the current one. */
    private final class PartContent extends InputStream {
        private final int part;

        PartContent(int part) {
            this.part = part;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (part != parts) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            return readContent(b, off, len);
        }
    }
}
