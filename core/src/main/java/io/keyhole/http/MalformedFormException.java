package io.keyhole.http;

import java.io.IOException;

/**
 * A form body that cannot be read as one: framing is broken, a limit is exceeded, a required
 * header is missing. The message says what and where, and never repeats the body's content.
 */
public final class MalformedFormException extends IOException {
    private static final long serialVersionUID = 1L;


    public MalformedFormException(String message) {
        super(message);
    }
}
