package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Answers kept in Redis under the file id, as the nginx module keeps them: {@code GET} to read,
 * {@code SET} to record, {@code DEL} to forget.
 *
 * <p>Each command is one short connection (RESP2): the command, then {@code QUIT}, then the write
 * side is closed and the replies are read until Redis closes, all within the transport deadlines
 * of the other stream backends. So a stopped Redis costs a refused connection (503 at once), a
 * hung one at most the deadlines (504), and a restarted one is used again by the next request.
 * With a password, {@code AUTH} goes first in the same write.
 */
final class RedisStore implements AnswerStore {

    private final String host;
    private final int port;
    private final byte[] password;
    private final StreamExchange stream;
    private final String description;

    /** @param password {@code null} for none */
    RedisStore(String host, int port, byte[] password, Duration connectTimeout, Duration answerTimeout) {
        this.host = host;
        this.port = port;
        this.password = password == null ? null : password.clone();
        this.description = "redis:" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.stream = new StreamExchange(description, new Limits(connectTimeout, answerTimeout,
                Limits.DEFAULT_MAX_ANSWER_BYTES));
    }

    @Override
    public Optional<byte[]> get(FileId id) throws AuthorizationException {
        Object reply = command("GET", id.value().getBytes(StandardCharsets.US_ASCII));
        if (reply == null) {
            return Optional.empty();
        }
        if (reply instanceof byte[] value) {
            return Optional.of(value);
        }
        throw new AuthorizationException(Kind.BAD_ANSWER, description, 0, "GET answered something other than a string");
    }

    @Override
    public void put(FileId id, byte[] json) throws AuthorizationException {
        command("SET", id.value().getBytes(StandardCharsets.US_ASCII), json);
    }

    @Override
    public void remove(FileId id) throws AuthorizationException {
        command("DEL", id.value().getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends one command and returns its reply: {@code byte[]}, {@code Long}, {@code String} or {@code null}. */
    private Object command(String name, byte[]... args) throws AuthorizationException {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + Arrays.stream(args).mapToInt(a -> a.length).sum());
        if (password != null) {
            Resp.write(out, "AUTH".getBytes(StandardCharsets.US_ASCII), password);
        }
        byte[][] words = new byte[args.length + 1][];
        words[0] = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(args, 0, words, 1, args.length);
        Resp.write(out, words);
        Resp.write(out, "QUIT".getBytes(StandardCharsets.US_ASCII));
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw stream.fail(Kind.UNAVAILABLE, start, "cannot resolve " + host, null);
        }
        byte[] answer = stream.exchange(address, out.toByteArray(), start);
        Resp.Reader replies = new Resp.Reader(answer);
        try {
            if (password != null) {
                Object auth = replies.next();
                if (auth instanceof Resp.Error error) {
                    throw stream.fail(Kind.UNAVAILABLE, start, "AUTH refused: " + error.code(), null);
                }
            }
            Object reply = replies.next();
            if (reply instanceof Resp.Error error) {
                throw stream.fail(Kind.UNAVAILABLE, start, name + " failed: " + error.code(), null);
            }
            return reply;
        } catch (Resp.Malformed e) {
            throw stream.fail(Kind.BAD_ANSWER, start, name + ": " + e.getMessage(), null);
        }
    }

    @Override
    public void close() {
        stream.close();
    }

    @Override
    public String describe() {
        return description;
    }
}
