package io.keyhole.observe;

/** How a request ended, as metrics and the audit log count it. */
public enum Outcome {
    /** The file, or part of it, was sent (200, 206), or a write was done (201, 204). */
    GRANTED,
    /** 304: the client's copy is current. */
    NOT_MODIFIED,
    /** Refused: no or a bad credential, the backend said no, no such file, a failed precondition. */
    DENIED,
    /** Keyhole or a part it depends on failed: 5xx, or the body could not be written. */
    FAILED
}
