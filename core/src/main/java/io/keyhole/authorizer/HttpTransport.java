package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.internal.Logs;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * POSTs the request to a URL, as later versions of the nginx module offer it, and takes the
 * body of a {@code 2xx} answer as the backend's answer. Uses the JDK's {@link HttpClient}: one
 * client per transport, HTTP/1.1 with keep-alive, redirects not followed. Thread-safe.
 *
 * <p>The request is sent with {@code Content-Type: application/json}. User information in the
 * URL ({@code http://user:secret@host/auth}) is sent as HTTP Basic credentials and never shown
 * by {@link #describe()}, which also leaves out the query. {@code https} URLs are checked
 * against the JVM's default trust store.
 *
 * <p>Deadlines: a connection may take {@code connectTimeout}; the whole exchange, connecting and
 * the complete answer body included, at most {@code answerTimeout} from the call. At that point
 * the exchange is cancelled, which closes its connection, and the calling thread returns.
 *
 * <p>Failures: a refused or unreachable backend, or an answer with status 503, is
 * {@code UNAVAILABLE}; a deadline that passed is {@code TIMEOUT}; any other status outside
 * {@code 2xx} (redirects included), an answer body longer than {@code maxAnswerBytes}, or a
 * connection that breaks before the answer is complete is {@code BAD_ANSWER}. The decision
 * itself belongs in the answer body (its {@code status}); the HTTP status only says whether the
 * backend worked. A request whose connection breaks without an answer is sent once more while
 * time remains, because a kept-alive connection can be closed by the backend just as it is
 * reused; a backend may thus see a question twice.
 *
 * <p>Threads: none until the first exchange; then the client's selector thread and at most two
 * worker threads, which end after a minute without work. {@link #close()} stops the workers at
 * once, and the selector and the kept-alive connections too on Java 21 and later (before that
 * the JDK's client has no close(): they end once the transport is garbage).
 *
 * <pre>{@code
 * Transport http = new HttpTransport(URI.create("http://127.0.0.1:8081/authorize"), Duration.ofSeconds(1), Duration.ofSeconds(5));
 * Authorizer authorizer = Authorizers.of(new JsonRequestType(), http);
 * }</pre>
 */
public final class HttpTransport implements Transport {

    /** Largest answer body accepted by default. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = Limits.DEFAULT_MAX_ANSWER_BYTES;

    /**
     * Threads per transport for the client's own work (parsing answers, completing futures). The
     * JDK's default executor would start a thread per concurrent exchange; the work is short and
     * never blocks, so a fixed few serve any load.
     */
    static final int THREADS = 2;

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final URI url;
    private final URI target;
    private final String authorization;
    private final Limits limits;
    private final String description;
    private final Duration connectTimeout;
    /** Made on the first exchange, so that a transport built only to check settings starts no thread. */
    private HttpClient client;
    private ThreadPoolExecutor executor;
    private boolean closed;
    private final HttpResponse.BodyHandler<byte[]> bodyHandler;

    /** A transport accepting answer bodies up to {@link #DEFAULT_MAX_ANSWER_BYTES}. */
    public HttpTransport(URI url, Duration connectTimeout, Duration answerTimeout) {
        this(url, connectTimeout, answerTimeout, DEFAULT_MAX_ANSWER_BYTES);
    }

    /**
     * @param url            an absolute {@code http} or {@code https} URL with a host and no fragment
     * @param connectTimeout how long a connection may take, positive
     * @param answerTimeout  how long the whole exchange may take, positive
     * @param maxAnswerBytes the largest answer body accepted, positive
     * @throws IllegalArgumentException when a value is out of range or the URL is not usable
     */
    public HttpTransport(URI url, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes) {
        this.url = Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? null : url.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("url must be an absolute http or https URL, was "
                    + (scheme == null ? "a relative one" : "one with scheme " + scheme));
        }
        if (url.getHost() == null) {
            throw new IllegalArgumentException("url must name a host, as in " + scheme + "://127.0.0.1:8081/authorize");
        }
        if (url.getRawFragment() != null) {
            throw new IllegalArgumentException("url must not have a fragment (#...); it is never sent");
        }
        this.limits = new Limits(connectTimeout, answerTimeout, maxAnswerBytes);
        String origin = scheme + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.description = "http:" + origin + path;
        try {
            this.target = new URI(origin + path + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url is not usable: " + e.getReason(), e);
        }
        this.authorization = url.getUserInfo() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(url.getUserInfo().getBytes(StandardCharsets.UTF_8));
        this.connectTimeout = connectTimeout;
        this.bodyHandler = bodyHandler(maxAnswerBytes);
    }

    private synchronized HttpClient client() throws AuthorizationException {
        if (closed) {
            throw new AuthorizationException(AuthorizationException.Kind.UNAVAILABLE, description, 0,
                    "the transport was closed");
        }
        if (client == null) {
            executor = executor();
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(connectTimeout)
                    .executor(executor)
                    .build();
        }
        return client;
    }

    /** Stops the client's threads; on Java 21 and later the client itself is closed too. */
    @Override
    public synchronized void close() {
        closed = true;
        if (client == null) {
            return;
        }
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                Logs.of(HttpTransport.class).log(System.Logger.Level.DEBUG,
                        "closing the HTTP client of " + description + " failed", e);
            }
        }
        executor.shutdownNow();
        client = null;
    }

    private static ThreadPoolExecutor executor() {
        int client = CLIENTS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "keyhole-http-" + client + "-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    // Not the creating request thread's loader: a web application's loader must not be pinned by us.
                    thread.setContextClassLoader(null);
                    return thread;
                });
        // Idle threads end, so a transport nobody uses keeps none.
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** The URL as given. */
    public URI url() {
        return url;
    }

    /** How long a connection may take. */
    public Duration connectTimeout() {
        return limits.connectTimeout();
    }

    /** How long the whole exchange may take. */
    public Duration answerTimeout() {
        return limits.answerTimeout();
    }

    /** The largest answer body accepted. */
    public int maxAnswerBytes() {
        return limits.maxAnswerBytes();
    }

    @Override
    public byte[] exchange(byte[] request) throws AuthorizationException {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        long deadline = start + limits.answerNanos();
        IOException broken = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            CompletableFuture<HttpResponse<byte[]>> pending = client().sendAsync(newRequest(request, remaining), bodyHandler);
            HttpResponse<byte[]> response;
            try {
                response = pending.get(remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // Also covers a backend that sent its headers and trickles the body, which the request timeout does not.
                pending.cancel(true);
                throw fail(Kind.TIMEOUT, start, "no complete answer within " + limits.answerTimeout().toMillis() + " ms", null);
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw fail(Kind.UNAVAILABLE, start, "interrupted while waiting for the answer", e);
            } catch (ExecutionException e) {
                broken = brokenOrThrow(e.getCause(), start);
                continue;
            }
            return answer(response, start);
        }
        if (broken == null) {
            throw fail(Kind.TIMEOUT, start, "no complete answer within " + limits.answerTimeout().toMillis() + " ms", null);
        }
        throw fail(Kind.BAD_ANSWER, start, "the connection broke before a complete answer: "
                + StreamExchange.reason(broken), broken);
    }

    private HttpRequest newRequest(byte[] request, long remainingNanos) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                .timeout(Duration.ofNanos(remainingNanos))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    /**
     * Static, so that it holds nothing of the transport: the client keeps the last exchange of a
     * kept-alive connection, handler included, and a handler holding the transport would hold
     * the client itself, which could then never be collected nor its selector thread end.
     */
    private static HttpResponse.BodyHandler<byte[]> bodyHandler(int maxAnswerBytes) {
        return info -> {
            long declared;
            try {
                declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            } catch (NumberFormatException e) {
                declared = -1;
            }
            return new BoundedBody(maxAnswerBytes, isSuccess(info.statusCode()), declared);
        };
    }

    private static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    private byte[] answer(HttpResponse<byte[]> response, long start) throws AuthorizationException {
        int status = response.statusCode();
        if (isSuccess(status)) {
            return response.body();
        }
        if (status == 503) {
            throw fail(Kind.UNAVAILABLE, start, "the backend answered HTTP 503", null);
        }
        throw fail(Kind.BAD_ANSWER, start, "the backend answered HTTP " + status + " instead of 2xx", null);
    }

    /**
     * Turns a failed attempt into its exception, unless the connection merely broke before an
     * answer: that one is returned, to be retried.
     */
    private IOException brokenOrThrow(Throwable failure, long start) throws AuthorizationException {
        if (find(failure, AnswerTooLong.class) != null) {
            throw fail(Kind.BAD_ANSWER, start, "answer longer than " + limits.maxAnswerBytes() + " bytes", null);
        }
        if (find(failure, HttpConnectTimeoutException.class) != null) {
            throw fail(Kind.TIMEOUT, start, "no connection within " + limits.connectTimeout().toMillis() + " ms", null);
        }
        if (find(failure, HttpTimeoutException.class) != null) {
            throw fail(Kind.TIMEOUT, start, "no answer within " + limits.answerTimeout().toMillis() + " ms", null);
        }
        ConnectException refused = find(failure, ConnectException.class);
        if (refused != null) {
            throw fail(Kind.UNAVAILABLE, start, "cannot connect: " + StreamExchange.reason(refused), failure);
        }
        SSLException tls = find(failure, SSLException.class);
        if (tls != null) {
            throw fail(Kind.UNAVAILABLE, start, "TLS failed: " + StreamExchange.reason(tls), failure);
        }
        IOException io = find(failure, IOException.class);
        if (io == null) {
            throw fail(Kind.BAD_ANSWER, start, "the exchange failed: " + StreamExchange.reason(failure), failure);
        }
        return io;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private AuthorizationException fail(Kind kind, long start, String message, Throwable cause) {
        return new AuthorizationException(kind, description, Limits.elapsedMillis(start), message, cause);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }

    /** The body exceeded the limit; carries nothing of the body. */
    private static final class AnswerTooLong extends IOException {
        private static final long serialVersionUID = 1L;

        AnswerTooLong() {
            super("answer body too long");
        }
    }

    /**
     * Collects a body up to a limit and gives up, cancelling the transfer (which closes the
     * connection), as soon as it would exceed it. A body that is not an answer (a status outside
     * {@code 2xx}) is read and dropped under the same limit, so that a short one leaves the
     * connection reusable and a long one costs nothing.
     */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final boolean keep;
        private final long declared;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private byte[] bytes = new byte[0];
        private int length;

        BoundedBody(int limit, boolean keep, long declared) {
            this.limit = limit;
            this.keep = keep;
            this.declared = declared;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declared > limit) {
                // Announced too long: not a byte of it is read.
                stop();
                return;
            }
            if (keep && declared > 0) {
                bytes = new byte[(int) declared];
            }
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int n = buffer.remaining();
                if (n > limit - length) {
                    stop();
                    return;
                }
                if (keep) {
                    if (length + n > bytes.length) {
                        bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(2L * bytes.length, length + n)));
                    }
                    buffer.get(bytes, length, n);
                } else {
                    buffer.position(buffer.limit());
                }
                length += n;
            }
            subscription.request(1);
        }

        private void stop() {
            subscription.cancel();
            if (keep) {
                result.completeExceptionally(new AnswerTooLong());
            } else {
                result.complete(new byte[0]);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(!keep ? new byte[0] : length == bytes.length ? bytes : Arrays.copyOf(bytes, length));
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
