package io.keyhole.observe;

/**
 * One round trip to the authorisation backend.
 *
 * @param backend what was asked, e.g. {@code json over unix:/run/auth.sock}
 * @param result  {@code granted}, {@code denied} or the failure kind ({@code timeout},
 *                {@code unavailable}, {@code bad-answer}, …)
 * @param nanos   how long it took
 */
public record Asked(String backend, String result, long nanos) {
}
