package io.keyhole.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The binder turns each event into exactly one count, under tags of few values. */
class KeyholeMetricsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final KeyholeMetrics metrics = new KeyholeMetrics();

    private static Answered answered(Outcome outcome, int status, long bytes) {
        return new Answered(Instant.EPOCH, "GET", "download", "0123456789abcdef", "alice", outcome, status, bytes, 0);
    }

    @Test
    void requestsAreCountedByOutcomeStatusAndOperation() {
        metrics.bindTo(registry);
        for (int i = 0; i < 3; i++) {
            metrics.answered(answered(Outcome.GRANTED, 200, 1000));
            metrics.answered(answered(Outcome.GRANTED, 206, 10));
            metrics.answered(answered(Outcome.NOT_MODIFIED, 304, 0));
            metrics.answered(answered(Outcome.DENIED, 403, 0));
            metrics.answered(answered(Outcome.FAILED, 502, 0));
        }
        assertEquals(6, registry.get("keyhole.requests").tag("outcome", "granted").counters().stream()
                .mapToDouble(c -> c.count()).sum());
        assertEquals(3, registry.get("keyhole.requests").tags("outcome", "granted", "status", "206").counter().count());
        assertEquals(3, registry.get("keyhole.requests").tags("outcome", "not-modified", "status", "304",
                "operation", "download").counter().count());
        assertEquals(3, registry.get("keyhole.requests").tag("outcome", "denied").counter().count());
        assertEquals(3, registry.get("keyhole.requests").tag("outcome", "failed").counter().count());
        assertEquals(3030, registry.get("keyhole.bytes").tag("operation", "download").counter().count());
        // no file id, no user in any tag
        registry.getMeters().forEach(m -> m.getId().getTags().forEach(t -> {
            assertNull(t.getValue().contains("alice") ? t : null);
            assertNull(t.getValue().contains("0123456789abcdef") ? t : null);
        }));
    }

    @Test
    void backendRoundTripsAreTimedAndCacheLookupsCounted() {
        metrics.bindTo(registry);
        metrics.asked(new Asked("json over unix:/run/auth.sock", "granted", TimeUnit.MILLISECONDS.toNanos(3)));
        metrics.asked(new Asked("json over unix:/run/auth.sock", "timeout", TimeUnit.MILLISECONDS.toNanos(5000)));
        metrics.cacheLookup(true);
        metrics.cacheLookup(true);
        metrics.cacheLookup(false);
        var granted = registry.get("keyhole.authorization").tags("backend", "json over unix:/run/auth.sock",
                "result", "granted").timer();
        assertEquals(1, granted.count());
        assertEquals(3, granted.totalTime(TimeUnit.MILLISECONDS), 0.001);
        assertEquals(1, registry.get("keyhole.authorization").tag("result", "timeout").timer().count());
        assertEquals(2, registry.get("keyhole.decision.cache").tag("result", "hit").counter().count());
        assertEquals(1, registry.get("keyhole.decision.cache").tag("result", "miss").counter().count());
    }

    @Test
    void aRegistryBoundLaterSeesWhatCameAfter() {
        metrics.answered(answered(Outcome.GRANTED, 200, 1));
        metrics.bindTo(registry);
        metrics.answered(answered(Outcome.GRANTED, 200, 1));
        assertEquals(1, registry.get("keyhole.requests").tag("outcome", "granted").counter().count());
    }
}
