package io.keyhole.credential;

/** What the request's credential turned out to be. */
public sealed interface Credential {

    /** The request carried no token where one was expected. */
    record Absent() implements Credential {}

    /**
     * A valid token; {@code value} is the configured claim's value as text, or {@code null} when
     * no claim is configured. {@link #toString()} hides the value: it may identify a user.
     */
    record Valid(String value) implements Credential {
        @Override
        public String toString() {
            return value == null ? "Valid[no value]" : "Valid[value=<" + value.length() + " chars>]";
        }
    }

    /**
     * A token was present but not acceptable. {@code reason} says why (expired, bad signature,
     * wrong algorithm, malformed, claim missing...) and never contains the token itself.
     */
    record Invalid(String reason) implements Credential {}
}
