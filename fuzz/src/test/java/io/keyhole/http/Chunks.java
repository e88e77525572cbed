package io.keyhole.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;

/** A body that arrives in pieces of the sizes the fuzzer chose, as a slow or odd client sends it. */
final class Chunks extends InputStream {

    private final ByteArrayInputStream body;
    private final int[] sizes;
    private int next;

    Chunks(byte[] body, int[] sizes) {
        this.body = new ByteArrayInputStream(body);
        this.sizes = sizes.length == 0 ? new int[] {Integer.MAX_VALUE} : Arrays.copyOf(sizes, sizes.length);
    }

    @Override
    public int read() {
        return body.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
        int size = Math.max(1, sizes[next++ % sizes.length]);
        return body.read(b, off, Math.min(len, size));
    }
}
