package io.keyhole.internal.s3;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 to one bucket endpoint for the download path: requests without a body ({@code GET},
 * {@code HEAD}) on pooled keep-alive connections, answers framed by {@code Content-Length}, the
 * body read straight from the socket into the caller's array.
 *
 * <p>Why not the SDK's client or {@code java.net.http.HttpClient}: each answers a 4 KiB
 * {@code GET} with a pipeline of interceptors, futures or a selector thread between the caller and
 * the socket; here a request is one write and its answer a few reads on the calling thread (see
 * BENCHMARKS.md for the measurement).
 *
 * <p>Deadlines: connecting takes at most {@code connect}; the answer's head must arrive within
 * {@code timeout} of the request's start; each read of the body waits at most {@code timeout}.
 * A connection that has been idle is reused most-recent first; when the server closed it in the
 * meantime (the request fails before a byte of the answer), the request is sent once more on a new
 * connection. At most {@link #MAX_IDLE} connections are kept idle, none longer than
 * {@link #IDLE_LIMIT}.
 *
 * <p>{@code https} endpoints are verified like a browser does (the JVM's trust store and the host
 * name); there is no fallback to plain HTTP. Thread-safe.
 */
final class BucketHttp implements AutoCloseable {

    /** Idle connections kept; more are closed when their answer is done. */
    static final int MAX_IDLE = 64;
    /** An idle connection older than this is closed rather than reused: servers drop idle ones after 5 to 60 s. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(4);
    /** The most an answer's status line and headers may take. */
    static final int MAX_HEAD = 32 * 1024;
    /** The most of an error answer's body read to find its code; a longer one closes the connection. */
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final String host;
    private final int port;
    private final SSLSocketFactory tls;
    private final int connectMillis;
    private final int timeoutMillis;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param tls {@code null} for plain HTTP, else the factory of verified TLS sockets
     */
    BucketHttp(String host, int port, SSLSocketFactory tls, Duration connect, Duration timeout) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.connectMillis = (int) Math.max(1, connect.toMillis());
        this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
    }

    /** Connections opened so far. */
    long opened() {
        return opened.get();
    }

    /**
     * Sends one request and reads the head of its answer. A body the answer has is in
     * {@link Answer#body()}, which the caller reads to its end or closes; an error answer's
     * (status 300 and above) body is read here, up to {@link #MAX_ERROR_BODY}.
     *
     * @param head   the request line and headers, ending with the empty line; no body follows
     * @param noBody whether the answer has no body whatever its headers say ({@code HEAD})
     * @throws SocketTimeoutException when no answer came within the timeout
     * @throws IOException            when the endpoint could not be reached or broke the framing
     */
    Answer send(byte[] head, boolean noBody) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Connection c = reuse();
        if (c != null) {
            try {
                return c.exchange(head, noBody, deadline);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException e) {
                if (c.answered) {
                    throw e;
                }
                // closed by the server while idle: the request did not reach it, or was not answered
            }
        }
        c = connect(deadline);
        return c.exchange(head, noBody, deadline);
    }

    private Connection reuse() {
        long now = System.nanoTime();
        for (Connection c; (c = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            if (now - c.idleSince < IDLE_LIMIT.toNanos()) {
                return c;
            }
            c.discard();
        }
        return null;
    }

    private Connection connect(long deadline) throws IOException {
        if (closed) {
            throw new IOException("the connections to " + host + ":" + port + " are closed");
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), Math.min(connectMillis, remaining(deadline)));
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.createSocket(socket, host, port, true);
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.setSoTimeout(remaining(deadline));
                secure.startHandshake();
                socket = secure;
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        opened.incrementAndGet();
        return new Connection(socket);
    }

    private static int remaining(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("no answer within the timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private void release(Connection c) {
        if (closed || idleCount.incrementAndGet() > MAX_IDLE) {
            idleCount.decrementAndGet();
            c.discard();
            return;
        }
        c.idleSince = System.nanoTime();
        idle.offerFirst(c);
        if (closed && idle.remove(c)) {
            c.discard();
        }
    }

    /** Closes the idle connections; those in use are closed when their answer is done. */
    @Override
    public void close() {
        closed = true;
        for (Connection c; (c = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            c.discard();
        }
    }

    /** The head of an answer, and its body when it has one. */
    static final class Answer {
        final int status;
        /** {@code -1} when the answer has none. */
        final long contentLength;
        final String contentRange;
        final String etag;
        final String lastModified;
        /** The start of an error answer's body, else empty. */
        final String errorBody;
        private final Body body;

        Answer(Head h, Body body, String errorBody) {
            this.status = h.status;
            this.contentLength = h.contentLength;
            this.contentRange = h.contentRange;
            this.etag = h.etag;
            this.lastModified = h.lastModified;
            this.errorBody = errorBody;
            this.body = body;
        }

        /** The body of a 2xx answer to a {@code GET}; {@code null} otherwise. */
        InputStream body() {
            return body;
        }
    }

    /** What is read from an answer's head; unknown headers are skipped. */
    private static final class Head {
        int status;
        boolean http11;
        long contentLength = -1;
        String contentRange;
        String etag;
        String lastModified;
        boolean close;
        boolean chunked;
    }

    /** One socket, its input buffer and where the buffered bytes start and end. */
    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] buffer = new byte[MAX_HEAD];
        private int pos;
        private int limit;
        long idleSince;
        /** Whether a byte of the current answer has arrived: then the request is not sent again. */
        boolean answered;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        Answer exchange(byte[] request, boolean noBody, long deadline) throws IOException {
            answered = false;
            try {
                out.write(request);
                out.flush();
                Head h;
                do {
                    h = readHead(deadline);
                } while (h.status >= 100 && h.status < 200);
                socket.setSoTimeout(timeoutMillis);
                boolean keep = h.http11 && !h.close;
                if (noBody || h.status == 204 || h.status == 304) {
                    finish(keep);
                    return new Answer(h, null, "");
                }
                if (h.status >= 300) {
                    return new Answer(h, null, errorBody(h, keep));
                }
                if (h.chunked || h.contentLength < 0) {
                    throw new IOException("answered " + h.status + " without Content-Length"
                            + (h.chunked ? " (Transfer-Encoding: chunked)" : ""));
                }
                Body body = new Body(this, h.contentLength, keep);
                if (h.contentLength == 0) {
                    body.close();
                }
                return new Answer(h, body, "");
            } catch (IOException | RuntimeException e) {
                discard();
                throw e;
            }
        }

        private String errorBody(Head h, boolean keep) throws IOException {
            if (h.chunked || h.contentLength < 0 || h.contentLength > MAX_ERROR_BODY) {
                discard();
                return "";
            }
            byte[] text = new byte[(int) h.contentLength];
            int n = 0;
            while (n < text.length) {
                int r = read(text, n, text.length - n);
                if (r < 0) {
                    throw new EOFException("the error answer ended after " + n + " of " + text.length + " bytes");
                }
                n += r;
            }
            finish(keep);
            return new String(text, StandardCharsets.UTF_8);
        }

        /** Parses the status line and headers; refuses control characters and folded lines. */
        private Head readHead(long deadline) throws IOException {
            int end;
            while ((end = headEnd()) < 0) {
                if (pos > 0) {
                    System.arraycopy(buffer, pos, buffer, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                }
                if (limit == buffer.length) {
                    throw new IOException("the answer's head is longer than " + MAX_HEAD + " bytes");
                }
                socket.setSoTimeout(remaining(deadline));
                int n = in.read(buffer, limit, buffer.length - limit);
                if (n < 0) {
                    throw new EOFException(limit == 0 ? "the connection was closed before an answer"
                            : "the connection was closed within the answer's head");
                }
                answered = true;
                limit += n;
            }
            Head h = new Head();
            int line = pos;
            boolean first = true;
            while (line < end) {
                int eol = lineEnd(line, end);
                if (first) {
                    statusLine(h, line, eol);
                    first = false;
                } else {
                    header(h, line, eol);
                }
                line = eol + 2;
            }
            pos = end + 4;
            return h;
        }

        /** The index of the {@code \r\n\r\n} ending the head within the buffered bytes, or -1. */
        private int headEnd() {
            for (int i = pos; i + 3 < limit; i++) {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private int lineEnd(int from, int end) throws IOException {
            for (int i = from; i < end; i++) {
                int b = buffer[i] & 0xff;
                if (b == '\r' && buffer[i + 1] == '\n') {
                    return i;
                }
                if (b < 0x20 && b != '\t' || b == 0x7f) {
                    throw new IOException("the answer's head has control character 0x" + Integer.toHexString(b));
                }
            }
            return end;
        }

        private void statusLine(Head h, int from, int to) throws IOException {
            String line = new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
            if (line.length() < 12 || !line.startsWith("HTTP/1.") || line.charAt(8) != ' '
                    || !(line.length() == 12 || line.charAt(12) == ' ')) {
                throw new IOException("not an HTTP/1.x status line: '" + printable(line) + "'");
            }
            try {
                h.status = Integer.parseInt(line.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP/1.x status line: '" + printable(line) + "'", e);
            }
            h.http11 = line.charAt(7) == '1';
        }

        private void header(Head h, int from, int to) throws IOException {
            if (buffer[from] == ' ' || buffer[from] == '\t') {
                throw new IOException("the answer folds a header line (obsolete line folding is refused)");
            }
            int colon = -1;
            for (int i = from; i < to; i++) {
                if (buffer[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon <= from) {
                throw new IOException("the answer has a header line without a name");
            }
            String name = new String(buffer, from, colon - from, StandardCharsets.ISO_8859_1);
            int v = colon + 1;
            int w = to;
            while (v < w && (buffer[v] == ' ' || buffer[v] == '\t')) {
                v++;
            }
            while (w > v && (buffer[w - 1] == ' ' || buffer[w - 1] == '\t')) {
                w--;
            }
            switch (name.length()) {
                case 4 -> {
                    if (name.equalsIgnoreCase("etag")) {
                        h.etag = value(v, w);
                    }
                }
                case 10 -> {
                    if (name.equalsIgnoreCase("connection")) {
                        h.close |= value(v, w).toLowerCase(Locale.ROOT).contains("close");
                    }
                }
                case 13 -> {
                    if (name.equalsIgnoreCase("content-range")) {
                        h.contentRange = value(v, w);
                    } else if (name.equalsIgnoreCase("last-modified")) {
                        h.lastModified = value(v, w);
                    }
                }
                case 14 -> {
                    if (name.equalsIgnoreCase("content-length")) {
                        long length = contentLength(v, w);
                        if (h.contentLength >= 0 && h.contentLength != length) {
                            throw new IOException("the answer has two Content-Length headers that differ");
                        }
                        h.contentLength = length;
                    }
                }
                case 17 -> {
                    if (name.equalsIgnoreCase("transfer-encoding")) {
                        h.chunked = true;
                    }
                }
                default -> {
                    // not needed
                }
            }
        }

        private String value(int from, int to) {
            return new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
        }

        private long contentLength(int from, int to) throws IOException {
            if (from == to || to - from > 18) {
                throw new IOException("the answer's Content-Length is not a number: '" + printable(value(from, to)) + "'");
            }
            long n = 0;
            for (int i = from; i < to; i++) {
                int d = buffer[i] - '0';
                if (d < 0 || d > 9) {
                    throw new IOException("the answer's Content-Length is not a number: '" + printable(value(from, to)) + "'");
                }
                n = n * 10 + d;
            }
            return n;
        }

        /** Reads buffered bytes first, then from the socket straight into {@code dst}. */
        int read(byte[] dst, int off, int len) throws IOException {
            if (pos < limit) {
                int n = Math.min(len, limit - pos);
                System.arraycopy(buffer, pos, dst, off, n);
                pos += n;
                return n;
            }
            return in.read(dst, off, len);
        }

        /** The answer is done: back to the pool when it may carry another, else closed. */
        void finish(boolean keep) {
            if (keep && pos == limit) {
                pos = 0;
                limit = 0;
                release(this);
            } else {
                discard();
            }
        }

        void discard() {
            try {
                socket.close();
            } catch (IOException e) {
                // the connection is given up either way
            }
        }
    }

    /**
     * A body of {@code length} bytes. Its end before that is an error ({@link EOFException}), never
     * an early {@code -1}; read to its end, it gives its connection back; closed before, it closes it.
     */
    private static final class Body extends InputStream {
        private final Connection connection;
        private final boolean keep;
        private final long length;
        private long left;
        private boolean done;

        Body(Connection connection, long length, boolean keep) {
            this.connection = connection;
            this.length = length;
            this.left = length;
            this.keep = keep;
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
            if (done && left > 0) {
                throw new IOException("the body was closed");
            }
            if (left == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                n = connection.read(b, off, (int) Math.min(len, left));
            } catch (IOException e) {
                close();
                throw e;
            }
            if (n < 0) {
                close();
                throw new EOFException("the bucket closed the connection after " + (length - left) + " of the body's "
                        + length + " bytes");
            }
            left -= n;
            if (left == 0) {
                close();
            }
            return n;
        }

        @Override
        public int available() {
            return done ? 0 : (int) Math.min(left, connection.limit - connection.pos);
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            if (left == 0) {
                connection.finish(keep);
            } else {
                connection.discard();
            }
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
