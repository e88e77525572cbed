package io.keyhole.internal;

import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.Health;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine an adapter serves through, with what the adapter made for its configuration (a
 * writer that picked its renderer), swapped as one by {@link #reload}. Every adapter that reloads
 * (the servlet filter, the Jetty core handler) keeps its engine here, so a reload means the same
 * wherever Keyhole runs. Thread-safe: a request reads {@link #current()} once and serves with it
 * to the end, whatever a reload does meanwhile.
 *
 * @param <R> what the adapter renders with, made from each configuration before its engine starts
 */
public final class LiveEngine<R> {

    /**
     * One configuration's engine and rendering.
     *
     * @param owned whether this holder started the engine, and so closes it
     */
    public record Current<R>(Keyhole keyhole, R rendering, boolean owned) {
    }

    private final Function<KeyholeConfig, R> rendering;
    private volatile Current<R> current;

    private LiveEngine(Function<KeyholeConfig, R> rendering, Current<R> first) {
        this.rendering = rendering;
        this.current = first;
    }

    /**
     * Makes the rendering for {@code config}, then starts its engine.
     *
     * @param rendering what the adapter renders with for a configuration; it may refuse one with an
     *                  {@link IllegalStateException} or {@link IllegalArgumentException}, before any engine starts
     */
    public static <R> LiveEngine<R> start(KeyholeConfig config, Function<KeyholeConfig, R> rendering) {
        return new LiveEngine<>(rendering, begin(config, rendering));
    }

    /** Serves through an engine someone else started and closes (a Spring context); a reload's engines are this holder's. */
    public static <R> LiveEngine<R> serving(Keyhole external, Function<KeyholeConfig, R> rendering) {
        Objects.requireNonNull(external, "keyhole");
        return new LiveEngine<>(rendering, new Current<>(external, rendering.apply(external.config()), false));
    }

    private static <R> Current<R> begin(KeyholeConfig config, Function<KeyholeConfig, R> rendering) {
        Objects.requireNonNull(config, "config");
        R r = rendering.apply(config);
        return new Current<>(new Keyhole(config), r, true);
    }

    /**
     * The line an adapter logs when {@code keyhole} starts serving, the same wherever it runs.
     *
     * @param delivery how the adapter sends files, e.g. {@code stream} or {@code x-accel-redirect}
     */
    public static String startLine(Keyhole keyhole, String delivery) {
        KeyholeConfig config = keyhole.config();
        MediaSettings media = config.media();
        if (media == null) {
            return "Keyhole serving " + config.mount() + " from " + keyhole.describeStorage() + " (depth "
                    + config.tree().depth() + "), authorised by " + config.describeBackend() + ", delivery " + delivery;
        }
        if (media.development()) {
            return "Keyhole media in development mode (media-url " + media.mediaUrl() + "): requests pass to the"
                    + " application, which serves media itself";
        }
        return "Keyhole media host serving " + config.mount() + " from " + media.root() + " to "
                + config.describeBackend() + "; without a valid token browsers go to " + media.siteUrl()
                + "; delivery " + delivery;
    }

    /** What serves a request arriving now. */
    public Current<R> current() {
        return current;
    }

    /** Whether the current engine can serve ({@link Keyhole#health()}). */
    public Health health() {
        return current.keyhole().health();
    }

    /**
     * Serves with {@code config} from now on: its rendering is made and its engine started, and
     * every request that arrives after this returns goes to them. The previous engine finishes
     * what it has begun and, when this holder started it, is closed once {@code grace} has passed,
     * so that no request in flight loses its backend.
     *
     * @return the new engine and rendering
     * @throws IllegalStateException    when {@code config} cannot be served here; the previous engine stays
     * @throws IllegalArgumentException likewise
     */
    public Current<R> reload(KeyholeConfig config, Duration grace) {
        Objects.requireNonNull(grace, "grace");
        Current<R> fresh = begin(config, rendering);
        Current<R> old;
        synchronized (this) {
            old = current;
            current = fresh;
        }
        if (old.owned()) {
            CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS).execute(old.keyhole()::close);
        }
        return fresh;
    }

    /** Closes the current engine when this holder started it; one given by someone else stays open. */
    public void close() {
        Current<R> c = current;
        if (c.owned()) {
            c.keyhole().close();
        }
    }
}
