package io.keyhole.http;

import java.io.IOException;

/**
 * Reads the fields of a form body ({@code multipart/form-data} or
 * {@code application/x-www-form-urlencoded}) one after the other, in the order sent, without
 * holding a field's content in memory. Not thread-safe: one reader per body.
 */
public interface FormReader {

    /**
     * The next field, or {@code null} after the last one. What was left unread of the previous
     * field's content is skipped.
     *
     * @throws MalformedFormException when the body is not a well-formed form
     * @throws IOException            when the body cannot be read
     */
    FormField next() throws IOException;
}
