package io.keyhole.spring.boot;

/**
 * Keyhole's {@code keyhole.*} properties cannot be used; the message names the key and the fix.
 * Thrown while the context starts, which then stops.
 */
public final class KeyholeConfigurationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    KeyholeConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
