package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The bounds and the forgetting of {@link KeptObjects}, the memory behind {@code open-cache-valid}
 * for a bucket; what it does for downloads is {@link BucketKeptObjectsTest}'s part.
 */
class KeptObjectsTest {

    private static final Duration VALID = Duration.ofSeconds(5);
    private static final Instant DATE = Instant.parse("2026-01-01T00:00:00Z");
    private final TestClock clock = new TestClock(Instant.parse("2026-12-02T06:00:00Z"));

    @Test
    void aReadUnderWayWhenSomethingIsForgottenIsNotKept() {
        KeptObjects kept = new KeptObjects(VALID, 10, 1 << 20, clock);
        long stamp = kept.stamp();
        // a delete through the instance while the bucket's answer was on its way
        kept.forget("a/b/ab01");
        kept.keep("a/b/ab01", new byte[10], DATE, "\"e\"", stamp);
        assertNull(kept.get("a/b/ab01"));
        kept.keep("a/b/ab01", new byte[10], DATE, "\"e\"", kept.stamp());
        assertNotNull(kept.get("a/b/ab01"));
        kept.forget("a/b/ab01");
        assertNull(kept.get("a/b/ab01"));
        assertEquals(0, kept.bytes());
    }

    @Test
    void keptUntilTheTimeIsUp() {
        KeptObjects kept = new KeptObjects(VALID, 10, 1 << 20, clock);
        kept.keep("x", new byte[3], DATE, "\"e\"", kept.stamp());
        clock.advance(VALID.minusNanos(1));
        assertNotNull(kept.get("x"));
        clock.advance(Duration.ofNanos(1));
        assertNull(kept.get("x"));
        assertEquals(0, kept.size());
        assertEquals(0, kept.bytes());
    }

    @Test
    void theBytesInAllStayWithinTheBound() {
        KeptObjects kept = new KeptObjects(VALID, 100, 600 * 1024, clock);
        for (int i = 0; i < 10; i++) {
            kept.keep("o" + i, new byte[KeptObjects.LARGEST], DATE, "\"e\"", kept.stamp());
            assertTrue(kept.bytes() <= 600 * 1024, kept.toString());
        }
        assertEquals(2, kept.size());
        assertNotNull(kept.get("o9"), "the newest is kept");
    }

    @Test
    void theEntriesStayWithinTheBoundExpiredOnesGoFirst() {
        KeptObjects kept = new KeptObjects(VALID, 8, 1 << 20, clock);
        kept.keep("old", new byte[1], DATE, "\"e\"", kept.stamp());
        clock.advance(VALID);
        for (int i = 0; i < 7; i++) {
            kept.keep("o" + i, new byte[1], DATE, "\"e\"", kept.stamp());
        }
        kept.keep("o7", new byte[1], DATE, "\"e\"", kept.stamp());
        assertEquals(8, kept.size(), "the expired one made room: " + kept);
        for (int i = 0; i < 8; i++) {
            assertNotNull(kept.get("o" + i));
        }
        for (int i = 8; i < 100; i++) {
            kept.keep("o" + i, new byte[1], DATE, "\"e\"", kept.stamp());
            assertTrue(kept.size() <= 8, kept.toString());
        }
        assertEquals(kept.size(), kept.bytes());
    }

    @Test
    void largerObjectsAreNotKeptAndAReplacedOneCountsOnce() {
        KeptObjects kept = new KeptObjects(VALID, 10, 1 << 20, clock);
        kept.keep("big", new byte[KeptObjects.LARGEST + 1], DATE, "\"e\"", kept.stamp());
        assertNull(kept.get("big"));
        kept.keep("x", new byte[100], DATE, "\"e\"", kept.stamp());
        kept.keep("x", new byte[40], DATE, "\"f\"", kept.stamp());
        assertEquals(40, kept.bytes());
        assertEquals("\"f\"", kept.get("x").etag());
    }
}
