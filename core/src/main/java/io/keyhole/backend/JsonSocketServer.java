package io.keyhole.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.NameValue;
import io.keyhole.StoredMetadata;
import io.keyhole.internal.JsonFactories;
import io.keyhole.internal.Logs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backend side of the JSON-over-Unix-socket exchange, for authorisation backends written in
 * Java: accepts connections on a stream socket, reads each question, asks an {@link Authorizer}
 * and writes its answer in the module's JSON. Speaks both framings on every connection: a
 * question that ends where its writer half-closes (the nginx module's) is answered and the
 * connection closed; a question that ends with a line feed after its object
 * ({@link io.keyhole.authorizer.KeepAlive kept connections}) is answered with one line, and the
 * next question is awaited on the same connection. Understands
 * requests of both field generations ({@code uri}/{@code jwt_value} and
 * {@code file_id}/{@code auth_value}/{@code http_method}), and the metadata an upload
 * ({@code http_method: POST}) carries, as {@link AuthRequest#stored()}.
 */
public final class JsonSocketServer implements AutoCloseable {

    private static final System.Logger LOG = Logs.of(JsonSocketServer.class);
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactories.create());
    /** A question is a few hundred bytes; anything far larger is not one. */
    private static final int MAX_QUESTION_BYTES = 1 << 20;

    private final Path socket;
    private final Authorizer handler;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean closed;

    private JsonSocketServer(Path socket, Authorizer handler, ServerSocketChannel server) {
        this.socket = socket;
        this.handler = handler;
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keyhole-backend-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "keyhole-backend-accept " + socket);
        this.acceptor.setDaemon(true);
    }

    /**
     * Binds {@code socket} (replacing a stale socket file, never a regular file) and starts
     * serving on daemon threads.
     *
     * @param handler answers each question; an exception it throws closes that connection
     *                without an answer (the caller sees a backend failure)
     * @throws IOException when the socket cannot be bound, e.g. a non-socket file is in the way
     */
    public static JsonSocketServer start(Path socket, Authorizer handler) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(handler, "handler");
        Path path = socket.toAbsolutePath();
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isOther()) {
                throw new IOException(path + " exists and is not a socket; refusing to replace it");
            }
            Files.delete(path);
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), 128);
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind " + path + ": " + e.getMessage(), e);
        }
        JsonSocketServer s = new JsonSocketServer(path, handler, channel);
        s.acceptor.start();
        return s;
    }

    /** The socket path served. */
    public Path socket() {
        return socket;
    }

    /**
     * How many connections were accepted since the start: with connections kept between
     * questions, far fewer than questions answered.
     */
    public long connectionsAccepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "accept failed on " + socket, e);
                }
                return;
            }
            accepted.incrementAndGet();
            open.add(client);
            try {
                workers.execute(() -> serve(client));
            } catch (RuntimeException e) {
                open.remove(client);
                closeQuietly(client);
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            Questions questions = new Questions(client);
            for (byte[] question = questions.next(); question != null; question = questions.next()) {
                AuthResponse answer = handler.authorize(decode(question));
                byte[] json = encode(answer);
                boolean line = questions.lineByLine();
                ByteBuffer out = ByteBuffer.wrap(line ? Arrays.copyOf(json, json.length + 1) : json);
                if (line) {
                    out.put(json.length, (byte) '\n');
                }
                while (out.hasRemaining()) {
                    client.write(out);
                }
                if (!line) {
                    return;
                }
            }
        } catch (AuthorizationException | RuntimeException e) {
            LOG.log(Level.WARNING, "no answer given on " + socket + ": " + e.getMessage());
        } catch (IOException e) {
            if (!closed) {
                LOG.log(Level.DEBUG, "connection on " + socket + " failed: " + e.getMessage());
            }
        } finally {
            open.remove(client);
        }
    }

    /**
     * The questions of one connection. A question ends at the end of the stream, or at a line
     * feed that follows its top-level JSON object; line feeds inside the object (an indented
     * question) or before it do not end it. Bytes after a line feed belong to the next question.
     */
    static final class Questions {
        private final SocketChannel client;
        private final ByteBuffer buf = ByteBuffer.allocate(4096);
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(512);
        private boolean lineByLine;
        private boolean ended;
        // Where the scan of the pending question stands.
        private int depth;
        private boolean inString;
        private boolean escaped;
        private boolean objectSeen;

        Questions(SocketChannel client) {
            this.client = client;
            buf.flip();
        }

        /** Whether the last question ended with a line feed, so its answer is one line and the connection stays open. */
        boolean lineByLine() {
            return lineByLine;
        }

        /** The next question, or {@code null} at the end of the stream with nothing pending. */
        byte[] next() throws IOException {
            while (true) {
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n' && objectSeen && depth == 0 && !inString) {
                        lineByLine = true;
                        return take();
                    }
                    pending.write(b);
                    scan(b);
                    if (pending.size() > MAX_QUESTION_BYTES) {
                        throw new IOException("question larger than " + MAX_QUESTION_BYTES + " bytes");
                    }
                }
                if (ended) {
                    lineByLine = false;
                    return pending.size() == 0 ? null : take();
                }
                buf.clear();
                ended = client.read(buf) < 0;
                buf.flip();
            }
        }

        private void scan(byte b) {
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
                objectSeen = true;
            }
        }

        private byte[] take() {
            byte[] question = pending.toByteArray();
            pending.reset();
            depth = 0;
            inString = false;
            escaped = false;
            objectSeen = false;
            return question;
        }
    }

    /** Reads a question of either field generation. */
    static AuthRequest decode(byte[] question) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(question);
        } catch (JsonProcessingException e) {
            throw new IOException("question is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IOException("question is not a JSON object");
        }
        String uri = text(root, "uri");
        String fileId = text(root, "file_id");
        if (fileId == null && uri != null) {
            fileId = uri.substring(uri.lastIndexOf('/') + 1);
        }
        if (fileId == null || !FileId.isValid(fileId)) {
            throw new IOException("question names no valid file id");
        }
        String authValue = text(root, "auth_value");
        if (authValue == null) {
            authValue = text(root, "jwt_value");
        }
        String method = text(root, "http_method");
        FileId id = FileId.parse(fileId);
        return new AuthRequest(uri != null ? uri : "/" + fileId, id,
                method != null ? method : "GET", authValue, pairs(root.get("headers")), pairs(root.get("cookies")),
                "POST".equals(method) ? stored(root, id) : null);
    }

    /** The metadata of an upload's question; {@code length}, {@code etag} and {@code upload_date} are required. */
    private static StoredMetadata stored(JsonNode root, FileId id) throws IOException {
        JsonNode length = root.get("length");
        JsonNode uploadDate = root.get("upload_date");
        String etag = text(root, "etag");
        if (length == null || !length.canConvertToLong() || length.asLong() < 0
                || uploadDate == null || !uploadDate.canConvertToLong() || etag == null) {
            throw new IOException("an upload's question needs length, upload_date (integers) and etag");
        }
        String type = text(root, "content_type");
        String name = text(root, "filename");
        try {
            return new StoredMetadata(id, length.asLong(), etag, Instant.ofEpochSecond(uploadDate.asLong()),
                    type != null ? type : "application/octet-stream", name != null ? name : "file",
                    "attachment".equalsIgnoreCase(text(root, "content_disposition"))
                            ? Disposition.ATTACHMENT : Disposition.INLINE);
        } catch (DateTimeException e) {
            throw new IOException("an upload's upload_date is out of range");
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static List<NameValue> pairs(JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        List<NameValue> out = new ArrayList<>(array.size());
        for (JsonNode pair : array) {
            String name = text(pair, "name");
            String value = text(pair, "value");
            if (name != null && value != null) {
                out.add(new NameValue(name, value));
            }
        }
        return out;
    }

    /** Writes an answer with the module's field names, leaving out what is absent. */
    static byte[] encode(AuthResponse answer) throws JsonProcessingException {
        ObjectNode node = JSON.createObjectNode();
        if (answer.status() != null) node.put("status", answer.status());
        if (answer.filename() != null) node.put("filename", answer.filename());
        if (answer.contentType() != null) node.put("content_type", answer.contentType());
        if (answer.contentDisposition() != null) node.put("content_disposition", answer.contentDisposition());
        if (answer.etag() != null) node.put("etag", answer.etag());
        if (answer.length() != null) node.put("length", answer.length());
        if (answer.uploadDate() != null) node.put("upload_date", answer.uploadDate());
        if (answer.error() != null) node.put("error", answer.error());
        if (answer.authValue() != null) node.put("auth_value", answer.authValue());
        return JSON.writeValueAsBytes(node);
    }

    /**
     * Stops accepting, closes open connections, removes the socket file, and waits up to a second
     * for its threads to end (a handler that ignores interrupts may take longer).
     */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        workers.shutdownNow();
        try {
            acceptor.join(1000);
            workers.awaitTermination(1, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + socket + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "close failed: " + e.getMessage());
        }
    }
}
