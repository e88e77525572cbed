package io.keyhole.http;

import java.util.List;

/** What {@link Preconditions#evaluate} decided. A value; nothing has been written. */
public sealed interface Outcome {

    /** 200: send the whole representation. */
    record Full() implements Outcome {}

    /**
     * 206: send these ranges, in the order requested (coalescing is the engine's choice).
     * One range → single part with Content-Range; several → multipart/byteranges.
     */
    record Partial(List<ByteRange> ranges) implements Outcome {
        public Partial {
            ranges = List.copyOf(ranges);
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("a partial outcome needs at least one range");
            }
        }
    }

    /** 304 Not Modified. */
    record NotModified() implements Outcome {}

    /** 412 Precondition Failed. */
    record PreconditionFailed() implements Outcome {}

    /** 416 Range Not Satisfiable; answer with {@code Content-Range: bytes *}{@code /length}. */
    record RangeNotSatisfiable() implements Outcome {}
}
