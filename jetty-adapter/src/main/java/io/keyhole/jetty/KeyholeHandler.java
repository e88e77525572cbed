package io.keyhole.jetty;

import io.keyhole.Answer;
import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.internal.Logs;
import io.keyhole.internal.jetty.CoreRequestView;
import io.keyhole.internal.jetty.FileBody;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
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
 * {@code KeyholeFilter}'s Jetty renderer sends them: mapped file regions, no heap copy.
 *
 * <pre>{@code
 * server.setHandler(new Handler.Sequence(new KeyholeHandler(config), application));
 * }</pre>
 *
 * <p>It sends the bytes itself: {@code delivery=x-accel-redirect} and {@code x-sendfile} need
 * {@code KeyholeFilter}.
 */
public final class KeyholeHandler extends Handler.Abstract {

    private static final System.Logger LOG = Logs.of(KeyholeHandler.class);

    private final Keyhole keyhole;

    /**
     * @throws IllegalArgumentException when the config offloads delivery to a front server
     */
    public KeyholeHandler(KeyholeConfig config) {
        super(InvocationType.BLOCKING);
        Objects.requireNonNull(config, "config");
        if (config.delivery().offloaded()) {
            throw new IllegalArgumentException("KeyholeHandler sends the bytes itself; delivery=" + config.delivery().key()
                    + " needs KeyholeFilter");
        }
        if (!config.renderer().equals("auto") && !config.renderer().equals("jetty")) {
            throw new IllegalArgumentException("KeyholeHandler renders through Jetty's core; renderer="
                    + config.renderer() + " needs KeyholeFilter");
        }
        this.keyhole = new Keyhole(config);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        KeyholeConfig config = keyhole.config();
        LOG.log(Level.INFO, "Keyhole serving {0} from {1} (depth {2}), authorised by {3}, delivery jetty core handler",
                config.mount(), keyhole.describeStorage(), config.tree().depth(), config.describeBackend());
    }

    /** Closes the engine and what it started from the configuration (pools, transports). */
    @Override
    protected void doStop() throws Exception {
        keyhole.close();
        super.doStop();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Answer answer = keyhole.answer(new CoreRequestView(request));
        Delivery delivery = answer.delivery();
        if (delivery instanceof Delivery.Pass) {
            return false;
        }
        callback = reporting(answer, response, callback);
        response.setStatus(delivery.status());
        HttpFields.Mutable headers = response.getHeaders();
        for (NameValue h : delivery.headers()) {
            headers.add(h.name(), h.value());
        }
        if (delivery instanceof Delivery.Send send && !send.bodiless()) {
            try {
                FileBody.write(send, response, request.getComponents().getByteBufferPool(), callback);
            } catch (IOException | RuntimeException | Error e) {
                answer.failed(Response.getContentBytesWritten(response));
                throw e;
            }
            return true;
        }
        byte[] body = delivery instanceof Delivery.Reply reply ? reply.body() : null;
        boolean sendBody = body != null && !request.getMethod().equals("HEAD");
        response.write(true, sendBody ? ByteBuffer.wrap(body) : null, callback);
        return true;
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
