package io.keyhole;

import java.io.IOException;
import java.io.InputStream;

/**
 * An upload's body as the form readers see it: bounded in length, and with the failures of the
 * client's connection told apart from those of the disk the content goes to.
 */
final class RequestBody extends InputStream {

    /** The body went past its limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("the request body is longer than " + limit + " bytes");
        }
    }

    /** The client's side failed: the connection broke, or the body stopped arriving. */
    static final class Unreadable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreadable(IOException cause) {
            super("the request body could not be read: " + cause.getMessage(), cause);
        }
    }

    private final InputStream in;
    private final long limit;
    private long count;

    RequestBody(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw new Unreadable(e);
        }
        if (n > 0) {
            count += n;
            if (count > limit) {
                throw new TooLarge(limit);
            }
        }
        return n;
    }
}
