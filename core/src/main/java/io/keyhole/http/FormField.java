package io.keyhole.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One field of a submitted form, as {@link FormReader#next()} meets it. Its content streams from
 * the request body and can be read until the next field is asked for.
 *
 * @param name        the field's name, e.g. {@code d}
 * @param filename    the file name the client gave the field (multipart only), already reduced to
 *                    a name without directories; {@code null} when it gave none
 * @param contentType the field's own {@code Content-Type} (multipart only), or {@code null}
 * @param content     the field's bytes
 */
public record FormField(String name, String filename, String contentType, InputStream content) {

    public FormField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
    }

    /**
     * Reads the whole content as UTF-8 text, for small fields.
     *
     * @throws MalformedFormException when the content is longer than {@code maxBytes}
     */
    public String text(int maxBytes) throws IOException {
        byte[] bytes = content.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new MalformedFormException("field '" + Printable.of(name) + "' is longer than " + maxBytes + " bytes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
