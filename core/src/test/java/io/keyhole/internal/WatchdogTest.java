package io.keyhole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Deadlines set behind the tick that keeps the timer's thread from being woken per deadline:
 * they still fire when due, cancelled ones never do, and the thread still ends.
 */
class WatchdogTest {

    @Test
    void deadlinesBehindTheTickFireWhenDueAndCancelledOnesNever() throws InterruptedException {
        Watchdog watchdog = new Watchdog("keyhole-watchdog-test-");
        try {
            AtomicInteger cancelledRan = new AtomicInteger();
            for (int i = 0; i < 1_000; i++) {
                // what every request does: set a deadline of seconds, finish in time, cancel it
                watchdog.after(TimeUnit.SECONDS.toNanos(2), cancelledRan::incrementAndGet).cancel();
            }
            CountDownLatch fired = new CountDownLatch(1);
            long set = System.nanoTime();
            Watchdog.Deadline due = watchdog.after(TimeUnit.MILLISECONDS.toNanos(300), fired::countDown);
            assertTrue(fired.await(10, TimeUnit.SECONDS), "a deadline behind the tick fires");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - set);
            assertTrue(tookMillis >= 300, "not before it is due: " + tookMillis + " ms");
            assertTrue(due.fired());
            Watchdog.Deadline cancelled = watchdog.after(TimeUnit.MILLISECONDS.toNanos(150),
                    cancelledRan::incrementAndGet);
            cancelled.cancel();
            CountDownLatch later = new CountDownLatch(1);
            watchdog.after(TimeUnit.MILLISECONDS.toNanos(400), later::countDown);
            assertTrue(later.await(10, TimeUnit.SECONDS));
            assertFalse(cancelled.fired());
            assertEquals(0, cancelledRan.get(), "no cancelled deadline ran");
        } finally {
            watchdog.shutdown();
        }
        assertEquals(List.of(), aliveThreads("keyhole-watchdog-test-"), "shut down, the thread ends");
    }

    private static List<String> aliveThreads(String prefix) throws InterruptedException {
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                t.join(TimeUnit.SECONDS.toMillis(10));
                if (t.isAlive()) {
                    alive.add(t.getName());
                }
            }
        }
        return alive;
    }
}
