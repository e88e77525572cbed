package io.keyhole.jetty;

import io.keyhole.Answer;
import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.internal.LiveEngine;
import io.keyhole.internal.Logs;
import io.keyhole.internal.Offload;
import io.keyhole.internal.jetty.CoreRequestView;
import io.keyhole.internal.jetty.FileBody;
import io.keyhole.internal.jetty.JettyHeaders;
import io.keyhole.observe.Health;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Keyhole as a Jetty 12 core {@link Handler}, for applications without a servlet layer. Serves
 * ids below the config's mount (relative to the enclosing context, if any) and declines every
 * other request, so it fits in a {@code Handler.Sequence} in front of the rest of the
 * application. Below the mount or not is judged on the path Jetty routes by (decoded,
 * normalised, without path parameters), the one the handlers after it see too. Bytes go out as
 * {@code KeyholeFilter}'s Jetty renderer sends them: mapped file regions, no heap copy; with
 * {@code delivery=x-accel-redirect} or {@code x-sendfile} the front server sends them.
 *
 * <pre>{@code
 * server.setHandler(new Handler.Sequence(new KeyholeHandler(config), application));
 * }</pre>
 *
 * <p>Like the filter it can {@linkplain #reload reload} its configuration while serving and
 * report its {@linkplain #health() health}; {@code keyhole serve} runs on it.
 */
public final class KeyholeHandler extends Handler.Abstract {

    private static final System.Logger LOG = Logs.of(KeyholeHandler.class);

    /** The engine and how files leave, swapped together by {@link #reload}. */
    private final LiveEngine<FileSender> engine;

    /** How a granted file leaves, chosen once per configuration. */
    @FunctionalInterface
    private interface FileSender {
        void send(Delivery.Send send, Request request, Response response, Callback callback) throws IOException;
    }

    /**
     * @throws IllegalArgumentException when the config asks for a renderer of another container
     */
    public KeyholeHandler(KeyholeConfig config) {
        super(InvocationType.BLOCKING);
        this.engine = LiveEngine.start(Objects.requireNonNull(config, "config"), KeyholeHandler::fileSender);
    }

    private static FileSender fileSender(KeyholeConfig config) {
        if (config.delivery().offloaded()) {
            Offload offload = new Offload(config.delivery(), config.accelPrefix());
            return (send, request, response, callback) -> write(offload.reply(send), request, response, callback);
        }
        String renderer = config.renderer();
        if (!renderer.equals("auto") && !renderer.equals("jetty") && !renderer.equals("stream")) {
            throw new IllegalArgumentException("KeyholeHandler renders through Jetty's core response; renderer="
                    + renderer + " needs KeyholeFilter in that container");
        }
        return KeyholeHandler::sendFile;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        announce(engine.current().keyhole());
    }

    private static void announce(Keyhole keyhole) {
        LOG.log(Level.INFO, LiveEngine.startLine(keyhole, keyhole.config().delivery().key() + " (jetty core handler)"));
    }

    /** Closes the engine and what it started from the configuration (pools, transports). */
    @Override
    protected void doStop() throws Exception {
        engine.close();
        super.doStop();
    }

    /** Whether the engine can serve now ({@link Keyhole#health()}): backend reachable, storage readable. */
    public Health health() {
        return engine.health();
    }

    /**
     * Serves with {@code config} from now on (a changed key, a rotated JWT key, another backend):
     * a new engine is started and takes every request that arrives after this returns. The old
     * one finishes what it has begun and is closed once {@code grace} has passed, so that no
     * request in flight loses its backend.
     *
     * @throws IllegalStateException    when {@code config} cannot be served; the previous one stays
     * @throws IllegalArgumentException likewise
     */
    public void reload(KeyholeConfig config, Duration grace) {
        announce(engine.reload(config, grace).keyhole());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        LiveEngine.Current<FileSender> current = engine.current();
        Answer answer = current.keyhole().answer(new CoreRequestView(request));
        Delivery delivery = answer.delivery();
        if (delivery instanceof Delivery.Pass) {
            return false;
        }
        Callback reported = reporting(answer, response, callback);
        if (delivery instanceof Delivery.Send send) {
            try {
                current.rendering().send(send, request, response, reported);
            } catch (IOException | RuntimeException | Error e) {
                answer.failed(Response.getContentBytesWritten(response));
                throw e;
            }
        } else {
            write(delivery, request, response, reported);
        }
        return true;
    }

    /** Sends the file itself: status and headers as the core framed them, then the body from the file. */
    private static void sendFile(Delivery.Send send, Request request, Response response, Callback callback)
            throws IOException {
        statusAndHeaders(send, response);
        if (send.bodiless()) {
            response.write(true, null, callback);
        } else {
            FileBody.write(send, response, request.getComponents().getByteBufferPool(), callback);
        }
    }

    /** Writes an answer without a file as the core framed it; HEAD leaves the body out. */
    private static void write(Delivery delivery, Request request, Response response, Callback callback) {
        statusAndHeaders(delivery, response);
        byte[] body = delivery instanceof Delivery.Reply reply ? reply.body() : null;
        boolean sendBody = body != null && !request.getMethod().equals("HEAD");
        response.write(true, sendBody ? ByteBuffer.wrap(body) : null, callback);
    }

    private static void statusAndHeaders(Delivery delivery, Response response) {
        response.setStatus(delivery.status());
        HttpFields.Mutable headers = response.getHeaders();
        for (NameValue h : delivery.headers()) {
            headers.add(JettyHeaders.field(h.name(), h.value()));
        }
    }

    /** {@code callback}, which first reports {@code answer} with the body bytes Jetty counted. */
    private static Callback reporting(Answer answer, Response response, Callback callback) {
        return new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                answer.sent(Response.getContentBytesWritten(response));
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                answer.failed(Response.getContentBytesWritten(response));
                super.failed(failure);
            }
        };
    }
}
