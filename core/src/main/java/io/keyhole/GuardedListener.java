package io.keyhole;

import io.keyhole.internal.Logs;
import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The listeners of one {@link Keyhole}, told in turn: one that throws is logged and the others are
 * still told; an answer never changes because of a listener.
 */
final class GuardedListener implements KeyholeListener {

    private static final System.Logger LOG = Logs.of(KeyholeListener.class);

    private final List<KeyholeListener> listeners;

    GuardedListener(List<KeyholeListener> listeners) {
        this.listeners = listeners.stream().filter(l -> l != KeyholeListener.NONE).toList();
    }

    /** Whether no listener is told anything, so that events need not even be built. */
    boolean silent() {
        return listeners.isEmpty();
    }

    @Override
    public void answered(Answered event) {
        for (KeyholeListener listener : listeners) {
            try {
                listener.answered(event);
            } catch (RuntimeException e) {
                failed(listener, "answered", e);
            }
        }
    }

    @Override
    public void asked(Asked event) {
        for (KeyholeListener listener : listeners) {
            try {
                listener.asked(event);
            } catch (RuntimeException e) {
                failed(listener, "asked", e);
            }
        }
    }

    @Override
    public void cacheLookup(boolean hit) {
        for (KeyholeListener listener : listeners) {
            try {
                listener.cacheLookup(hit);
            } catch (RuntimeException e) {
                failed(listener, "cacheLookup", e);
            }
        }
    }

    private static void failed(KeyholeListener listener, String method, RuntimeException e) {
        LOG.log(Level.WARNING, "the listener " + listener + " threw from " + method + "; ignored", e);
    }
}
