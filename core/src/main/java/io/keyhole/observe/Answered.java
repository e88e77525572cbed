package io.keyhole.observe;

import java.time.Instant;

/**
 * One request Keyhole answered.
 *
 * @param time         when the request arrived
 * @param method       the HTTP method
 * @param operation    {@code download}, {@code upload}, {@code replace} or {@code delete}
 * @param fileId       the file id as requested, {@code null} when the path held none
 * @param authValue    the credential's value (never the token), {@code null} when anonymous
 * @param outcome      how it ended
 * @param status       the status sent
 * @param bytes        body bytes sent (or handed to the front server's offload: 0)
 * @param backendNanos time spent waiting for the authorisation backend, 0 when it was not asked
 */
public record Answered(Instant time, String method, String operation, String fileId, String authValue,
                       Outcome outcome, int status, long bytes, long backendNanos) {
}
