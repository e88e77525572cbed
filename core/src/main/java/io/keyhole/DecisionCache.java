package io.keyhole;

import io.keyhole.internal.Logs;
import io.keyhole.observe.KeyholeListener;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The backend's download decisions, remembered for {@link AuthCache#ttl()} (grants) or
 * {@link AuthCache#negativeTtl()} (403 and 404), or for the answer's {@code cache_ttl} when that
 * is shorter. Requests that miss together put one question to the backend and share its answer.
 * Expiry reads the configured clock. Thread-safe.
 *
 * <p>A decision is remembered under everything the backend was shown apart from the URI: the
 * auth value, the file id, the operation, and the forwarded headers and cookies, so two callers
 * never share one. {@link #revoke} and {@link #revokeSubject} also stop questions in flight from
 * storing what they bring back.
 */
final class DecisionCache {

    private static final System.Logger LOG = Logs.of(DecisionCache.class);
    /** Downloads, GET and HEAD alike: the one operation remembered. */
    private static final String DOWNLOAD = "GET";

    /**
     * What the backend was shown, less the URI (which only repeats the mount and the id). Equality
     * and hash written out, as {@link CredentialCache}'s key explains.
     */
    private record Key(String authValue, FileId fileId, String operation, List<NameValue> headers,
                       List<NameValue> cookies) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(authValue, k.authValue) && Objects.equals(fileId, k.fileId)
                    && Objects.equals(operation, k.operation) && Objects.equals(headers, k.headers)
                    && Objects.equals(cookies, k.cookies);
        }

        @Override
        public int hashCode() {
            int h = Objects.hashCode(authValue);
            h = 31 * h + Objects.hashCode(fileId);
            h = 31 * h + Objects.hashCode(operation);
            h = 31 * h + Objects.hashCode(headers);
            return 31 * h + Objects.hashCode(cookies);
        }
    }

    /**
     * One round trip's outcome, as the gate maps it.
     *
     * @param verdict what the request gets
     * @param answer  the backend's answer, {@code null} when none came (the backend failed)
     */
    record Asked(Gate.Verdict verdict, AuthResponse answer) {
    }

    private final long ttlMillis;
    private final long negativeTtlMillis;
    private final Clock clock;
    private final KeyholeListener listener;
    private final ExpiringMap<Key, Gate.Verdict> entries;
    private final Map<Key, CompletableFuture<Gate.Verdict>> flights = new ConcurrentHashMap<>();
    /** Moves on every revocation; a question that began before it stores nothing. */
    private final AtomicLong revocations = new AtomicLong();

    DecisionCache(AuthCache settings, Clock clock, KeyholeListener listener) {
        this.ttlMillis = settings.ttl().toMillis();
        this.negativeTtlMillis = settings.negativeTtl().toMillis();
        this.entries = new ExpiringMap<>(settings.size());
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Whether {@code question} is one whose decision may be remembered: a download. */
    static boolean covers(AuthRequest question) {
        return question.stored() == null && (question.method().equals("GET") || question.method().equals("HEAD"));
    }

    /**
     * The remembered decision for {@code question}, or the one {@code ask} brings back. While one
     * request asks, others with the same key wait for its answer instead of asking too.
     */
    Gate.Verdict decide(AuthRequest question, Function<AuthRequest, Asked> ask) {
        Key key = new Key(question.authValue(), question.fileId(), DOWNLOAD, question.headers(), question.cookies());
        Gate.Verdict remembered = entries.get(key, clock.millis());
        tell(remembered != null);
        if (remembered != null) {
            return remembered;
        }
        CompletableFuture<Gate.Verdict> mine = new CompletableFuture<>();
        CompletableFuture<Gate.Verdict> running = flights.putIfAbsent(key, mine);
        if (running != null) {
            return running.join();
        }
        try {
            // A flight that ended between the lookup and now has stored its decision.
            Gate.Verdict stored = entries.get(key, clock.millis());
            if (stored != null) {
                mine.complete(stored);
                return stored;
            }
            long revoked = revocations.get();
            Asked asked = ask.apply(question);
            long lifetime = lifetime(asked);
            if (lifetime > 0) {
                long now = clock.millis();
                // A revocation since the question was put may have missed this entry: it goes again.
                entries.put(key, asked.verdict(), now, now + lifetime, () -> revocations.get() == revoked);
            }
            mine.complete(asked.verdict());
            return asked.verdict();
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    /** Forgets every decision about {@code id}. */
    void revoke(FileId id) {
        Objects.requireNonNull(id, "id");
        revocations.incrementAndGet();
        entries.removeIf(k -> k.fileId().equals(id));
    }

    /** Forgets every decision made for {@code authValue}. */
    void revokeSubject(String authValue) {
        Objects.requireNonNull(authValue, "authValue");
        revocations.incrementAndGet();
        entries.removeIf(k -> authValue.equals(k.authValue()));
    }

    /** How many decisions are remembered, expired ones included until they are looked up or evicted. */
    int size() {
        return entries.size();
    }

    /**
     * How long {@code asked} may be remembered, in milliseconds: a grant for the TTL, a 403 or
     * 404 the backend gave for the negative TTL, each shortened by the answer's {@code cache_ttl};
     * 0 for everything else.
     */
    private long lifetime(Asked asked) {
        AuthResponse answer = asked.answer();
        if (answer == null) {
            return 0;
        }
        long max;
        if (asked.verdict() instanceof Gate.Verdict.Granted) {
            max = ttlMillis;
        } else if (asked.verdict() instanceof Gate.Verdict.Refused refused
                && (refused.delivery().status() == 403 || refused.delivery().status() == 404)) {
            max = negativeTtlMillis;
        } else {
            return 0;
        }
        Long seconds = answer.cacheTtl();
        return seconds == null || seconds >= max / 1000 + 1 ? max : Math.min(max, seconds * 1000);
    }

    private void tell(boolean hit) {
        try {
            listener.cacheLookup(hit);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the listener " + listener + " failed on a cache lookup", e);
        }
    }
}
