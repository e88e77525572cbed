package io.keyhole.media;

import java.util.Objects;

/**
 * What the application's media endpoint answers (see {@link MediaSettings#answer}): a value,
 * so that a servlet, a Spring controller or any other framework can render it.
 */
public sealed interface AuthAnswer {

    /** 302 to {@code location}: the media URL, with a fresh token unless the media is public. */
    record Redirect(String location) implements AuthAnswer {
        public Redirect {
            Objects.requireNonNull(location, "location");
        }
    }

    /** 403: the user may not see this media. */
    record Forbidden() implements AuthAnswer {
    }

    /** Development mode: the application sends the file itself. */
    record ServeHere(MediaPath path) implements AuthAnswer {
        public ServeHere {
            Objects.requireNonNull(path, "path");
        }
    }
}
