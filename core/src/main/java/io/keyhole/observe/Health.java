package io.keyhole.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether Keyhole can serve: its backend reachable, its storage readable. Made by
 * {@code Keyhole.health()} for health endpoints (Actuator, {@code keyhole serve}'s
 * {@code /health}).
 *
 * @param up      whether every part checked is fine
 * @param details one line per part, in a fixed order: {@code backend} and {@code storage} (each
 *                {@code reachable: …}/{@code readable: …}, {@code not checked: …} or what failed),
 *                and {@code keyhole: closed} after a close; never a secret
 */
public record Health(boolean up, Map<String, String> details) {

    public Health {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
    }

    /** {@code UP} or {@code DOWN}, as health endpoints spell it. */
    public String status() {
        return up ? "UP" : "DOWN";
    }
}
