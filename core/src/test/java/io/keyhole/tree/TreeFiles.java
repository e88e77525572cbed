package io.keyhole.tree;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/** For the tests: what is in a tree, content hashes, and input streams that fail or wait. */
final class TreeFiles {

    private TreeFiles() {
    }

    /** Every entry below {@code root} that is not a directory, as sorted {@code /}-paths. */
    static List<String> list(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !Files.isDirectory(p))
                    .map(p -> root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/"))
                    .sorted()
                    .toList();
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives {@code prefix} bytes, then fails as a dropped connection would. */
    static InputStream failingAfter(int prefix) {
        return new InputStream() {
            private int given;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given >= prefix) {
                    throw new IOException("connection reset by the test");
                }
                int n = Math.min(len, prefix - given);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (given + i);
                }
                given += n;
                return n;
            }
        };
    }

    /**
     * Gives {@code prefix} bytes, then reports that it {@code reached} the gate and waits until
     * the gate opens, then gives {@code rest} more bytes. By the time it waits, every byte given
     * before has been written by the store (a store reads again only after writing).
     */
    static InputStream gated(byte[] prefix, CountDownLatch reached, CountDownLatch gate, byte[] rest) {
        return new InputStream() {
            private int position;
            private final byte[] all = concat(prefix, rest);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position == prefix.length && reached.getCount() > 0) {
                    reached.countDown();
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted at the gate", e);
                    }
                }
                if (position == all.length) {
                    return -1;
                }
                int end = position < prefix.length ? prefix.length : all.length;
                int n = Math.min(len, end - position);
                System.arraycopy(all, position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
