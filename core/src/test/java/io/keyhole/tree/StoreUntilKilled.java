package io.keyhole.tree;

import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Run in a child JVM by {@link KilledStoreTest}: stores a generated stream of {@code total}
 * bytes, and after {@code gate} bytes prints {@code at the gate} and waits for a byte on stdin,
 * which never comes: the parent kills this process there, in the middle of a large write.
 * Waiting on stdin rather than racing a fast write makes the kill land at a known point.
 *
 * <p>Arguments: root depth millis instance filename gate total.
 */
public final class StoreUntilKilled {

    private StoreUntilKilled() {
    }

    public static void main(String[] args) throws IOException {
        HashedTree tree = new HashedTree(Path.of(args[0]), Integer.parseInt(args[1]));
        Clock clock = Clock.fixed(Instant.ofEpochMilli(Long.parseLong(args[2])), ZoneOffset.UTC);
        FileStore store = FileStore.builder(tree).clock(clock).instance(args[3]).build();
        long gate = Long.parseLong(args[5]);
        long total = Long.parseLong(args[6]);
        StoredMetadata stored = store.store(new Generated(gate, total), Upload.of(args[4]));
        // Reached only if nobody kills this process.
        System.out.println("stored " + stored.id());
    }

    /** Pseudo-random bytes (xorshift), fast enough that the disk is the limit. */
    private static final class Generated extends InputStream {
        private final long gate;
        private final long total;
        private long position;
        private long state = 0x9E3779B97F4A7C15L;

        Generated(long gate, long total) {
            this.gate = gate;
            this.total = total;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position == gate) {
                System.out.println("at the gate after " + position + " bytes");
                System.out.flush();
                if (System.in.read() < 0) {
                    throw new IOException("stdin closed at the gate");
                }
            }
            if (position == total) {
                return -1;
            }
            long end = position < gate ? gate : total;
            int n = (int) Math.min(len, end - position);
            for (int i = 0; i < n; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                b[off + i] = (byte) state;
            }
            position += n;
            return n;
        }
    }
}
