package io.keyhole.internal.jetty;

import io.keyhole.internal.Logs;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Maps file regions and releases each mapping as soon as its bytes have been written. Left to
 * the garbage collector, mappings of a busy server pile up between collections (each is a kernel
 * memory area, a process may hold about 65,000) and their pages count towards its resident size.
 *
 * <p>Java 17 has no public way to unmap. On Java 22 and later a mapping belongs to a shared
 * {@code Arena}, whose {@code close} unmaps it and refuses while a write still uses it; before
 * that, {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}) unmaps, as Lucene
 * and Netty do. Without either, the collector unmaps. Either way a mapping is released only once
 * the write's callback has completed, when Jetty no longer touches the buffer: its write flusher
 * completes a callback only after the flush in progress has returned, failed writes included.
 */
final class Mappings {

    /** A mapped region and how to give it back. */
    static final class Mapping {
        final ByteBuffer buffer;
        private final Object arena;

        private Mapping(ByteBuffer buffer, Object arena) {
            this.buffer = buffer;
            this.arena = arena;
        }

        /** Unmaps the region; nothing may use the buffer afterwards. */
        void release() {
            try {
                if (arena != null) {
                    CLOSE.invoke(arena);
                } else if (INVOKE_CLEANER != null) {
                    INVOKE_CLEANER.invoke(buffer);
                }
            } catch (Throwable e) {
                // Still in use, or not unmappable: the collector unmaps it later; only time is lost.
                Logs.of(Mappings.class).log(System.Logger.Level.DEBUG, "mapping kept", e);
            }
        }
    }

    private static final MethodHandle OF_SHARED;
    private static final MethodHandle MAP;
    private static final MethodHandle AS_BYTE_BUFFER;
    private static final MethodHandle CLOSE;
    private static final MethodHandle INVOKE_CLEANER;

    static {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle ofShared = null;
        MethodHandle map = null;
        MethodHandle asByteBuffer = null;
        MethodHandle close = null;
        MethodHandle cleaner = null;
        try {
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            if (Runtime.version().feature() >= 22) {
                ofShared = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena));
                map = lookup.findVirtual(FileChannel.class, "map", MethodType.methodType(segment,
                        FileChannel.MapMode.class, long.class, long.class, arena));
                asByteBuffer = lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
                close = lookup.findVirtual(arena, "close", MethodType.methodType(void.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            ofShared = null;
        }
        if (ofShared == null) {
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                cleaner = MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                        MethodType.methodType(void.class, ByteBuffer.class)).bindTo(field.get(null));
            } catch (ReflectiveOperationException | RuntimeException e) {
                cleaner = null;
            }
        }
        OF_SHARED = ofShared;
        MAP = map;
        AS_BYTE_BUFFER = asByteBuffer;
        CLOSE = close;
        INVOKE_CLEANER = cleaner;
    }

    private Mappings() {
    }

    /** Maps {@code length} bytes of {@code channel} from {@code position}, read-only. */
    static Mapping map(FileChannel channel, long position, int length) throws IOException {
        if (OF_SHARED == null) {
            return new Mapping(channel.map(FileChannel.MapMode.READ_ONLY, position, length), null);
        }
        Object arena;
        try {
            arena = OF_SHARED.invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create an arena", e);
        }
        try {
            Object segment = MAP.invoke(channel, FileChannel.MapMode.READ_ONLY, position, (long) length, arena);
            return new Mapping((ByteBuffer) AS_BYTE_BUFFER.invoke(segment), arena);
        } catch (Throwable e) {
            try {
                CLOSE.invoke(arena);
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot map " + length + " bytes at " + position + " of " + channel, e);
        }
    }
}
