package io.keyhole;

import io.keyhole.authorizer.Backend;
import io.keyhole.credential.AuthFilter;
import io.keyhole.tree.HashedTree;
import java.util.List;
import java.util.Set;

/**
 * The builder state of {@link Interop} and of the backends that need no process of their own
 * ({@code request-type=internal|none}, {@code transport-type=redis}), and the checks that tie them
 * to the other settings. Mutable; confined to its {@link ConfigDraft}.
 */
final class InteropDraft {

    /** Keys that address a backend process; none fits a backend without one. */
    private static final List<String> PROCESS_KEYS = List.of("unix-socket", "tcp-host", "tcp-port", "http-url",
            "json-fields", "sql-dsn", "sql-password", "sql-query", "sql-no-row", "sql-pool-size", "sql-pool-wait",
            "sql-insert-query", "sql-delete-query");
    private static final List<String> REDIS_KEYS = List.of("redis-host", "redis-port", "redis-password");

    boolean session;
    AuthFilter authFilter;
    List<String> corsOrigins = List.of();
    boolean corsCredentials;
    boolean moduleUploadAnswer;
    long internalCacheSize;
    String redisHost = "127.0.0.1";
    int redisPort = 6379;
    String redisPassword;

    /** Whether {@code request-type} and {@code transport-type} name a backend built here. */
    static boolean builds(String requestType, String transportType) {
        return requestType.equals("internal") || requestType.equals("none") || transportType.equals("redis");
    }

    /** The backend for {@code request-type=internal|none} or {@code transport-type=redis}. */
    Backend backend(ConfigDraft d, HashedTree tree) {
        Set<String> made = d.made;
        boolean redis = d.transportType.equals("redis");
        if (redis && !d.requestType.equals("json")) {
            throw new IllegalArgumentException("transport-type=redis carries JSON answers; drop request-type="
                    + d.requestType + " or the transport");
        }
        if (!redis && made.contains("transport-type")) {
            throw new IllegalArgumentException("request-type=" + d.requestType + " asks no backend process;"
                    + " drop transport-type");
        }
        List<String> misplaced = made.stream().filter(PROCESS_KEYS::contains).sorted().toList();
        if (!misplaced.isEmpty()) {
            throw new IllegalArgumentException((redis ? "transport-type=redis" : "request-type=" + d.requestType)
                    + " has no use for " + misplaced + "; drop " + (misplaced.size() == 1 ? "it" : "them"));
        }
        if (!d.requestType.equals("internal") && made.contains("internal-cache-size")) {
            throw new IllegalArgumentException("internal-cache-size needs request-type=internal");
        }
        return switch (d.requestType) {
            case "internal" -> new Backend.Internal(tree, internalCacheSize, d.uploadMatrix, d.deleteMatrix);
            case "none" -> new Backend.None();
            default -> new Backend.Redis(redisHost, redisPort, redisPassword, d.authConnectTimeout, d.authTimeout,
                    d.uploadMatrix, d.deleteMatrix);
        };
    }

    /** Checks what the other backends and credentials cannot use. */
    void check(ConfigDraft d) {
        Set<String> made = d.made;
        if (!d.transportType.equals("redis")) {
            List<String> redisKeys = made.stream().filter(REDIS_KEYS::contains).sorted().toList();
            if (!redisKeys.isEmpty()) {
                throw new IllegalArgumentException(redisKeys + " need transport-type=redis");
            }
        }
        if (!d.requestType.equals("internal") && made.contains("internal-cache-size")) {
            throw new IllegalArgumentException("internal-cache-size needs request-type=internal");
        }
        if (session && d.jwtKey != null) {
            throw new IllegalArgumentException("credential=session sends the value unverified; drop jwt-key, or use"
                    + " credential=jwt");
        }
        if (session && (made.contains("jwt-field") || made.contains("jwt-algorithm") || made.contains("jwt-leeway"))) {
            throw new IllegalArgumentException("credential=session has no claims; drop jwt-field, jwt-algorithm and"
                    + " jwt-leeway");
        }
        if (authFilter != null && !session && d.jwtKey == null) {
            throw new IllegalArgumentException("auth-filter works on a credential value: set jwt-key or credential=session");
        }
    }

    Interop interop() {
        return new Interop(session, authFilter, new Cors(corsOrigins, corsCredentials), moduleUploadAnswer);
    }
}
