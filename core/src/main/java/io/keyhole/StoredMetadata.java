package io.keyhole;

import io.keyhole.http.EntityTag;
import java.time.Instant;
import java.util.Objects;

/**
 * What {@link io.keyhole.tree.FileStore} knows of a file it has just written: everything the authorisation
 * backend should answer about it (the wire fields {@code file_id}, {@code length},
 * {@code etag}, {@code upload_date}, {@code content_type}, {@code filename},
 * {@code content_disposition}).
 *
 * @param id          where the file is in the tree
 * @param size        bytes written
 * @param etag        32 lowercase hex digits: the first 128 bits of the content's SHA-256, so equal
 *                    bytes always get equal tags (the header value is it in double quotes; see
 *                    {@link #entityTag()})
 * @param uploadDate  when the content was complete, by the store's clock, to the millisecond; also
 *                    the file's modification time
 * @param contentType the media type given with the upload, else the one its extension suggests
 * @param filename    the original name
 * @param disposition inline or attachment
 */
public record StoredMetadata(FileId id, long size, String etag, Instant uploadDate, String contentType,
                             String filename, Disposition disposition) {

    public StoredMetadata {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(uploadDate, "uploadDate");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(disposition, "disposition");
    }

    /** The strong entity tag, as the ETag header carries it. */
    public EntityTag entityTag() {
        return EntityTag.strong(etag);
    }

    /** The wire field {@code upload_date}: Unix time in whole seconds. */
    public long uploadDateSeconds() {
        return uploadDate.getEpochSecond();
    }
}
