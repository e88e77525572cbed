package io.keyhole.tree;

import io.keyhole.FileId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import net.openhft.hashing.LongTupleHashFunction;

/**
 * Makes file ids as the upload workflow of the original nginx module recommends: the 128-bit
 * murmur3 hash (x64 variant, seed 0) of the file name, the upload time in milliseconds, the
 * user and the application instance, as 32 lowercase hex digits. Nothing random goes in, so
 * ids cost no entropy; uniqueness comes from the inputs, and {@link FileStore} settles the rare
 * collision with a {@code .N} suffix ({@link #withCounter}). Thread-safe and immutable.
 *
 * <h2>What is hashed</h2>
 * The bytes {@code field(name) ‖ millis ‖ field(user) ‖ field(instance)}, where {@code millis}
 * is the time as a signed 64-bit big-endian number and {@code field(s)} is the length of the
 * UTF-8 encoding of {@code s} as an unsigned 32-bit big-endian number followed by that
 * encoding. The length prefixes keep the fields apart: no two different inputs hash the same
 * bytes.
 *
 * <h2>Byte order of the hex</h2>
 * The reference {@code MurmurHash3_x64_128} writes its result as two 64-bit words {@code h1},
 * {@code h2} into a 16-byte buffer; the id is that buffer in hex as a little-endian machine
 * lays it out: {@code h1}'s bytes lowest first, then {@code h2}'s. This is what Guava's
 * {@code Hashing.murmur3_128().hashBytes(b).toString()} and Python's
 * {@code mmh3.hash_bytes(b).hex()} print; for the ASCII text
 * {@code The quick brown fox jumps over the lazy dog} it is
 * {@code 6c1b07bc7bbc4be347939ac4a93c437a}. (Libraries that print the two words as numbers,
 * {@code %016x%016x}, show each half byte-reversed.)
 */
public final class FileIds {

    /** Hex digits in an id made here. */
    public static final int HEX_LENGTH = 32;

    /** Largest counter {@link #withCounter} takes: a suffix holds at most {@value FileId#MAX_SUFFIX_LENGTH} digits. */
    public static final long MAX_COUNTER = 9_999_999_999_999_999L;

    /**
     * Loaded on the first hash, not with this class: the library's first use prints a warning on
     * newer JDKs, which a server that never stores a file should not show.
     */
    private static final class Murmur3 {
        static final LongTupleHashFunction FUNCTION = LongTupleHashFunction.murmur_3();
    }
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String instance;
    private final Clock clock;

    /**
     * @param instance names this application instance (a host name, an IP address, a pod name);
     *                 see {@link #defaultInstance()}
     * @param clock    the source of upload times
     */
    public FileIds(String instance, Clock clock) {
        this.instance = Objects.requireNonNull(instance, "instance");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * An instance name for when none is configured: this process's id and start time, e.g.
     * {@code 4711@1763800000123}. Unique on one machine; give machines that share a tree their
     * own names (their host names, say) to keep collisions rare.
     */
    public static String defaultInstance() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + self.info().startInstant().map(t -> "@" + t.toEpochMilli()).orElse("");
    }

    /** The instance name that goes into every id. */
    public String instance() {
        return instance;
    }

    /** The id for a file uploaded now (by the clock) by {@code user}. */
    public FileId newId(String filename, String user) {
        return of(filename, clock.millis(), user, instance);
    }

    /**
     * The id for these inputs; the same inputs always give the same id.
     *
     * @param filename the original file name
     * @param millis   the upload time in milliseconds since the epoch
     * @param user     the user uploading (an id, or a session id; empty when anonymous)
     * @param instance the application instance
     */
    public static FileId of(String filename, long millis, String user, String instance) {
        return new FileId(murmur3Hex(input(filename, millis, user, instance)));
    }

    /**
     * {@code base.N}: the id that takes {@code base}'s place when it is taken, counting from 0.
     *
     * @throws IllegalArgumentException when {@code base} has a suffix already, or the counter is
     *                                  outside 0..{@value #MAX_COUNTER}
     */
    public static FileId withCounter(FileId base, long counter) {
        if (base.suffix().isPresent()) {
            throw new IllegalArgumentException("id " + base + " already has a suffix; pass the id without it");
        }
        if (counter < 0 || counter > MAX_COUNTER) {
            throw new IllegalArgumentException("counter must be 0.." + MAX_COUNTER + ", was " + counter);
        }
        return new FileId(base.value() + "." + counter);
    }

    /** The bytes that are hashed; see the class description. */
    static byte[] input(String filename, long millis, String user, String instance) {
        byte[] name = filename.getBytes(StandardCharsets.UTF_8);
        byte[] who = user.getBytes(StandardCharsets.UTF_8);
        byte[] where = instance.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + name.length + 8 + 4 + who.length + 4 + where.length)
                .putInt(name.length).put(name)
                .putLong(millis)
                .putInt(who.length).put(who)
                .putInt(where.length).put(where)
                .array();
    }

    /** murmur3 x64 128 (seed 0) of {@code data}, in hex as described in the class description. */
    static String murmur3Hex(byte[] data) {
        long[] hash = Murmur3.FUNCTION.hashBytes(data);
        char[] out = new char[HEX_LENGTH];
        littleEndian(hash[0], out, 0);
        littleEndian(hash[1], out, 16);
        return new String(out);
    }

    private static void littleEndian(long word, char[] out, int at) {
        for (int i = 0; i < 8; i++) {
            int b = (int) (word >>> (8 * i)) & 0xff;
            out[at + 2 * i] = HEX[b >>> 4];
            out[at + 2 * i + 1] = HEX[b & 0xf];
        }
    }
}
