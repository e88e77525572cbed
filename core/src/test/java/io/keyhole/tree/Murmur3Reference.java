package io.keyhole.tree;

/**
 * MurmurHash3_x64_128 written out plainly from the algorithm's description, independent of the
 * library under test: 16-byte blocks read as two little-endian words, the tail, the
 * finalisation, and the result as the reference function's 16-byte output (h1 then h2, each
 * little-endian).
 */
final class Murmur3Reference {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3Reference() {
    }

    static byte[] hash(byte[] data, int seed) {
        long h1 = seed & 0xffffffffL;
        long h2 = seed & 0xffffffffL;
        int blocks = data.length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = littleEndian(data, i * 16, 8);
            long k2 = littleEndian(data, i * 16 + 8, 8);

            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;

            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = blocks * 16;
        int rest = data.length - tail;
        if (rest > 8) {
            long k2 = littleEndian(data, tail + 8, rest - 8);
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
        }
        if (rest > 0) {
            long k1 = littleEndian(data, tail, Math.min(rest, 8));
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
        }
        h1 ^= data.length;
        h2 ^= data.length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;

        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (h1 >>> (8 * i));
            out[8 + i] = (byte) (h2 >>> (8 * i));
        }
        return out;
    }

    static String hex(byte[] data) {
        StringBuilder out = new StringBuilder(32);
        for (byte b : hash(data, 0)) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    /** Up to 8 bytes from {@code at}, the first one lowest. */
    private static long littleEndian(byte[] data, int at, int length) {
        long word = 0;
        for (int i = length - 1; i >= 0; i--) {
            word = (word << 8) | (data[at + i] & 0xffL);
        }
        return word;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
