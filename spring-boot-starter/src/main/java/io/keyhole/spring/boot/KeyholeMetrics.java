package io.keyhole.spring.boot;

import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.observe.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keyhole's work as Micrometer meters. Spring Boot binds it to the application's registry; any
 * other code can call {@link #bindTo} and hand it to
 * {@link io.keyhole.KeyholeConfig.Builder#listener}.
 *
 * <ul>
 *   <li>{@code keyhole.requests}: counter of answered requests, tagged {@code outcome}
 *       ({@code granted}, {@code not-modified}, {@code denied}, {@code failed}), {@code status}
 *       and {@code operation} ({@code download}, {@code upload}, {@code replace}, {@code delete});
 *   <li>{@code keyhole.authorization}: timer of backend round trips, tagged {@code backend} and
 *       {@code result} ({@code granted}, {@code denied} or the failure kind);
 *   <li>{@code keyhole.bytes}: counter of body bytes sent, tagged {@code operation};
 *   <li>{@code keyhole.decision.cache}: counter of decision-cache lookups, tagged {@code result}
 *       ({@code hit}, {@code miss}).
 * </ul>
 *
 * Tags take few values each (no file ids, no users), so the number of meters stays small.
 * Thread-safe; events before {@link #bindTo} are counted in no registry.
 */
public final class KeyholeMetrics implements MeterBinder, KeyholeListener {

    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytes = new ConcurrentHashMap<>();
    private final Map<AskedKey, Timer> asked = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    public KeyholeMetrics() {
        hits = cacheCounter("hit");
        misses = cacheCounter("miss");
    }

    @Override
    public void bindTo(MeterRegistry target) {
        registry.add(target);
    }

    @Override
    public void answered(Answered event) {
        requests.computeIfAbsent(new RequestKey(event.outcome(), event.status(), event.operation()),
                k -> Counter.builder("keyhole.requests")
                        .description("Requests Keyhole answered")
                        .tag("outcome", k.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                        .tag("status", Integer.toString(k.status()))
                        .tag("operation", k.operation())
                        .register(registry))
                .increment();
        if (event.bytes() > 0) {
            bytes.computeIfAbsent(event.operation(), op -> Counter.builder("keyhole.bytes")
                            .description("Body bytes Keyhole sent")
                            .baseUnit("bytes")
                            .tag("operation", op)
                            .register(registry))
                    .increment(event.bytes());
        }
    }

    @Override
    public void asked(Asked event) {
        asked.computeIfAbsent(new AskedKey(event.backend(), event.result()), k -> Timer.builder("keyhole.authorization")
                        .description("Round trips to the authorisation backend")
                        .tag("backend", k.backend())
                        .tag("result", k.result())
                        .register(registry))
                .record(event.nanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void cacheLookup(boolean hit) {
        (hit ? hits : misses).increment();
    }

    private Counter cacheCounter(String result) {
        return Counter.builder("keyhole.decision.cache")
                .description("Lookups in Keyhole's decision cache")
                .tag("result", result)
                .register(registry);
    }

    private record RequestKey(Outcome outcome, int status, String operation) {
    }

    private record AskedKey(String backend, String result) {
    }
}
