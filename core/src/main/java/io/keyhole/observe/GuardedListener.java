package io.keyhole.observe;

import io.keyhole.internal.Logs;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Listeners told in turn ({@link KeyholeListener#all}): one that throws is logged and the others
 * are still told; an answer never changes because of a listener.
 */
final class GuardedListener implements KeyholeListener {

    private static final System.Logger LOG = Logs.of(KeyholeListener.class);

    private final List<KeyholeListener> listeners;

    GuardedListener(List<KeyholeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    List<KeyholeListener> listeners() {
        return listeners;
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
