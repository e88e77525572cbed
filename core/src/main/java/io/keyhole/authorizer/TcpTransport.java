package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * The Unix-socket exchange over TCP, as later versions of the nginx module offer it: connect to
 * {@code host:port}, write the whole request, half-close the write side, read the answer until
 * the backend closes. One connection per exchange unless connections are {@linkplain KeepAlive kept},
 * as for {@link UnixSocketTransport}. Thread-safe.
 *
 * <p>The host name is looked up at every exchange through the JDK's resolver, whose cache
 * ({@code networkaddress.cache.ttl}, 30 s by default) spares repeated lookups; a backend that
 * moves to another address is followed once the cached entry expires. The first address found
 * is used. The lookup itself is bounded by the system resolver's own timeouts, not by
 * {@code connectTimeout}: give an address or a name from {@code /etc/hosts} where that matters.
 *
 * <p>Failures are those of {@link UnixSocketTransport}: a name that does not resolve, a refused
 * or unreachable port, or a backend that closes before taking the request is {@code UNAVAILABLE};
 * a connect that does not complete within {@code connectTimeout} (a firewall that drops packets,
 * a backend whose listen queue is full), or an answer that has not fully arrived within
 * {@code answerTimeout} of the connection being made, is {@code TIMEOUT}; an answer longer than
 * {@code maxAnswerBytes}, or a connection that breaks while the answer is read, is
 * {@code BAD_ANSWER}. Either way the connection is closed and the calling thread is released at
 * the deadline.
 *
 * <pre>{@code
 * Transport tcp = new TcpTransport("10.0.0.7", 7070, Duration.ofSeconds(1), Duration.ofSeconds(5));
 * Authorizer authorizer = Authorizers.of(new JsonRequestType(), tcp);
 * }</pre>
 */
public final class TcpTransport implements Transport {

    /** Largest answer accepted by default. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = Limits.DEFAULT_MAX_ANSWER_BYTES;

    private final String host;
    private final int port;
    private final Limits limits;
    private final String description;
    private final StreamExchange stream;
    private final KeepAlive keepAlive;
    /** {@code null} for a connection per question. */
    private final KeptExchange kept;

    /** A transport accepting answers up to {@link #DEFAULT_MAX_ANSWER_BYTES}. */
    public TcpTransport(String host, int port, Duration connectTimeout, Duration answerTimeout) {
        this(host, port, connectTimeout, answerTimeout, DEFAULT_MAX_ANSWER_BYTES);
    }

    /**
     * @param host           a host name or an IPv4 or IPv6 address (brackets around an IPv6 address are optional)
     * @param port           1 to 65535
     * @param connectTimeout how long a connection may take, positive
     * @param answerTimeout  how long writing the request and reading the whole answer may take, positive
     * @param maxAnswerBytes the largest answer accepted, positive
     * @throws IllegalArgumentException when a value is out of range or the host is not a name nor an address
     */
    public TcpTransport(String host, int port, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes) {
        this(host, port, connectTimeout, answerTimeout, maxAnswerBytes, KeepAlive.OFF);
    }

    /**
     * A transport that keeps connections open between questions when {@code keepAlive} is
     * {@linkplain KeepAlive#enabled() enabled}; its backend must speak that framing.
     *
     * @param keepAlive {@link KeepAlive#OFF} for a connection per question
     * @throws IllegalArgumentException when a value is out of range or the host is not a name nor an address
     */
    public TcpTransport(String host, int port, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes,
                        KeepAlive keepAlive) {
        this.host = checkHost(Objects.requireNonNull(host, "host"));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
        }
        this.port = port;
        this.limits = new Limits(connectTimeout, answerTimeout, maxAnswerBytes);
        this.description = "tcp:" + (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + port;
        this.stream = new StreamExchange(description, limits);
        this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
        this.kept = keepAlive.enabled() ? new KeptExchange(stream, limits, keepAlive) : null;
    }

    private static String checkHost(String host) {
        String bare = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
        if (bare.isEmpty() || bare.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '[' || c == ']' || c >= 0x7f)) {
            throw new IllegalArgumentException("host must be a host name or an address, was \"" + host + "\"");
        }
        if (bare.indexOf(':') >= 0) {
            try {
                // In brackets the JDK parses an IPv6 literal and never asks a name server.
                InetAddress.getByName("[" + bare + "]");
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("host must be a host name or an address without a port, was \""
                        + host + "\" (the port is a setting of its own)", e);
            }
        }
        return bare;
    }

    /** The host name or address, without brackets. */
    public String host() {
        return host;
    }

    /** The backend's port. */
    public int port() {
        return port;
    }

    /** How long a connection may take. */
    public Duration connectTimeout() {
        return limits.connectTimeout();
    }

    /** How long writing the request and reading the whole answer may take. */
    public Duration answerTimeout() {
        return limits.answerTimeout();
    }

    /** The largest answer accepted. */
    public int maxAnswerBytes() {
        return limits.maxAnswerBytes();
    }

    /** Whether connections are kept between questions, and how many. */
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    @Override
    public byte[] exchange(byte[] request) throws AuthorizationException {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw stream.fail(Kind.UNAVAILABLE, start, "cannot resolve " + host, null);
        }
        return kept != null ? kept.exchange(address, request, start) : stream.exchange(address, request, start);
    }

    @Override
    public boolean probe() throws AuthorizationException {
        long start = System.nanoTime();
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw stream.fail(Kind.UNAVAILABLE, start, "cannot resolve " + host, null);
        }
        stream.probe(address, start);
        return true;
    }

    /**
     * Closes the connections kept between questions, if any, and lets the deadline thread that all
     * such transports share end once no open transport uses it. Exchanges after it still work,
     * each on a connection of its own.
     */
    @Override
    public void close() {
        if (kept != null) {
            kept.close();
        }
        stream.close();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
