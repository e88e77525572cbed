package io.keyhole.http;

import java.time.Instant;

/**
 * What the precondition and range engine needs to know of the selected representation.
 *
 * @param length       size in bytes
 * @param lastModified modification time, second precision is enough; may be {@code null}
 * @param etag         entity tag; may be {@code null}
 */
public record Representation(long length, Instant lastModified, EntityTag etag) {
    public Representation {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
    }
}
