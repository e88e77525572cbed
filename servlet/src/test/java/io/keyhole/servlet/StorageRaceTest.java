package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.FileRaces;
import io.keyhole.testing.KeepAliveHttp;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage attacks of the review, over KeyholeFilter on a real Jetty with a real tree, every
 * answer checked on the bytes that crossed the wire: a directory swapped for a link to outside,
 * a FIFO in a file's or a directory's place, a DELETE racing downloads. Each used to be served
 * wrongly: bytes from outside the root, a worker blocked for ever, the container's 500 page.
 */
class StorageRaceTest {

    static final AuthResponse GRANT = new AuthResponse(200, "f.bin", "application/octet-stream", null, null, null,
            null, null);

    @TempDir
    Path dir;

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Tallies answers from several client threads; keeps the first few that were wrong. */
    static final class Tally {
        final AtomicInteger served = new AtomicInteger();
        final AtomicInteger notFound = new AtomicInteger();
        final AtomicInteger wrongCount = new AtomicInteger();
        final ConcurrentLinkedQueue<String> firstWrong = new ConcurrentLinkedQueue<>();

        void add(String what, RawHttp.Response r, byte[] expected, byte[] forbidden) {
            if (r.status() == 200 && Arrays.equals(expected, r.body())) {
                served.incrementAndGet();
            } else if (r.status() == 404) {
                notFound.incrementAndGet();
            } else if (wrongCount.incrementAndGet() <= 10) {
                firstWrong.add(what + ": " + r.status() + " with " + r.body().length + " bytes"
                        + (forbidden != null && Arrays.equals(forbidden, r.body()) ? ", THE BYTES FROM OUTSIDE" : ""));
            }
        }

        /** The first answers that were wrong, and how many there were in all. */
        List<String> wrong() {
            List<String> first = new ArrayList<>(firstWrong);
            if (wrongCount.get() > first.size()) {
                first.add("... " + wrongCount.get() + " in all");
            }
            return first;
        }

        int total() {
            return served.get() + notFound.get() + wrongCount.get();
        }
    }

    /**
     * Attack 1: the tree's first directory exchanged with a link to an outside directory holding a
     * file of the same name with other bytes, by renames in a loop, while two clients download
     * 10,000 times: a file above the stream limit (Jetty's core path) and one below it.
     */
    @Test
    void aDirectorySwappedForALinkToOutsideNeverServesAByteFromOutside() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        HashedTree tree = new HashedTree(root, 4);
        String[] ids = {"a1b2c3d4e5f60718293a4b5c6d7e8f90", "a1b2c3d4000000000000000000000001"};
        byte[][] inside = {random(100_000, 1), random(3_000, 2)};
        byte[][] elsewhere = {random(100_000, 3), random(3_000, 4)};
        for (int i = 0; i < ids.length; i++) {
            String relative = tree.relativePathOf(FileId.parse(ids[i]));
            Files.createDirectories(root.resolve(relative).getParent());
            Files.write(root.resolve(relative), inside[i]);
            Files.createDirectories(outside.resolve(relative).getParent());
            Files.write(outside.resolve(relative), elsewhere[i]);
        }
        Path a = root.resolve("a");
        Path parked = root.resolve(".a-parked");
        Path link = Files.createSymbolicLink(root.resolve(".a-link"), outside.resolve("a"));
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .authorizer(q -> GRANT).build();

        Tally tally = new Tally();
        int perClient = 5_000;
        try (JettyHarness jetty = JettyHarness.start(config);
             FileRaces.Swapper swapper = new FileRaces.Swapper("swap a for a link", () -> {
                 Files.move(a, parked, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(link, a, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(a, link, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(parked, a, StandardCopyOption.ATOMIC_MOVE);
             })) {
            clients(2, client -> {
                try (KeepAliveHttp http = new KeepAliveHttp(jetty.port())) {
                    for (int i = 0; i < perClient; i++) {
                        int which = (i + client) % 2;
                        tally.add(ids[which], http.request("GET", "/files/" + ids[which]), inside[which], elsewhere[which]);
                    }
                }
            });
            assertTrue(swapper.rounds() > 100, "the swap ran " + swapper.rounds() + " times");
        }
        assertEquals(List.of(), tally.wrong(), "only the inside bytes, or 404");
        assertEquals(2 * perClient, tally.total());
        assertTrue(tally.served.get() > 0 && tally.notFound.get() > 0,
                tally.served + " served, " + tally.notFound + " not found: both sides of the race were hit");
        assertEquals(List.of(), FileRaces.descriptorsUnder(dir), "no descriptor left open");
    }

    /**
     * Attack 2: FIFOs in the tree: one at a file's place, one at a directory's place, and one
     * swapped in and out at a third file's place by renames while clients download. Every request
     * is answered, and afterwards no thread is blocked in open and nothing is left open.
     */
    @Test
    void aFifoInTheTreeIsAnswered404AndHoldsNoThread() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        HashedTree tree = new HashedTree(root, 2);
        String atFile = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
        String atDirectory = "1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e";
        String swapped = "2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d";
        Path file = tree.pathOf(FileId.parse(atFile));
        Files.createDirectories(file.getParent());
        FileRaces.mkfifo(file);
        Path directory = tree.pathOf(FileId.parse(atDirectory)).getParent();
        Files.createDirectories(directory.getParent());
        FileRaces.mkfifo(directory);
        Path target = tree.pathOf(FileId.parse(swapped));
        Files.createDirectories(target.getParent());
        byte[] content = random(10_000, 5);
        Files.write(target, content);
        Path parked = target.resolveSibling(".parked");
        Path fifo = FileRaces.mkfifo(target.resolveSibling(".fifo"));
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> GRANT).build();

        Tally still = new Tally();
        Tally raced = new Tally();
        int perClient = 150;
        try (JettyHarness jetty = JettyHarness.start(config);
             FileRaces.Swapper swapper = new FileRaces.Swapper("swap a file for a FIFO", () -> {
                 Files.move(target, parked, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(fifo, target, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(target, fifo, StandardCopyOption.ATOMIC_MOVE);
                 Files.move(parked, target, StandardCopyOption.ATOMIC_MOVE);
             })) {
            clients(4, client -> {
                try (KeepAliveHttp http = new KeepAliveHttp(jetty.port())) {
                    for (int i = 0; i < perClient; i++) {
                        switch ((i + client) % 3) {
                            case 0 -> still.add(atFile, http.request("GET", "/files/" + atFile), null, null);
                            case 1 -> still.add(atDirectory, http.request("GET", "/files/" + atDirectory), null, null);
                            default -> raced.add(swapped, http.request("GET", "/files/" + swapped), content, null);
                        }
                    }
                }
            });
            assertEquals(List.of(), FileRaces.threadsInOpen(), "no thread is blocked in open");
            assertTrue(swapper.running(), "the FIFO was swapped in and out the whole time");
        }
        assertEquals(List.of(), still.wrong());
        assertEquals(0, still.served.get(), "a FIFO is never served");
        assertEquals(List.of(), raced.wrong(), "the file's bytes, or 404");
        assertEquals(4 * perClient, still.total() + raced.total(), "every request was answered");
        assertTrue(raced.served.get() > 0, raced.served + " served");
        assertEquals(List.of(), FileRaces.joinThreadsNamed("keyhole-open-rescue", 30), "every rescue ended");
        assertEquals(List.of(), FileRaces.descriptorsUnder(dir), "no descriptor left open");
    }

    /**
     * Attack 3: DELETE racing downloads. The backend grants every download, so only the tree
     * decides: a download that opened the file before the unlink sends all of it, one that came
     * after finds nothing. Never the container's 500 page, never a short body. Files of each
     * rendering size: streamed, read in pooled buffers, mapped.
     */
    @Test
    void aDeleteRacingDownloadsGivesEachEveryByteOr404() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        HashedTree tree = new HashedTree(root, 2);
        tree.create();
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"),
                q -> q.method().equals("DELETE") ? AuthResponse.ofStatus(200) : GRANT);
             JettyHarness jetty = JettyHarness.start(Map.of(
                     "fs-root", root.toString(),
                     "fs-depth", "2",
                     "mount", "/files/",
                     "unix-socket", backend.socket().toString(),
                     "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                     "jwt-field", "uid",
                     "read-only", "no"))) {
            String bearer = "Authorization: Bearer " + Tokens.valid("alice");
            int[] sizes = {20_000, 200_000, 1_600_000};
            int rounds = 45;
            Tally tally = new Tally();
            Round[] current = new Round[1];
            Object lock = new Object();
            AtomicInteger finished = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> clients = new ArrayList<>();
            try {
                for (int i = 0; i < rounds; i++) {
                    String id = String.format("%032x", 0xdeadbeefL * 1_000 + i);
                    byte[] content = random(sizes[i % sizes.length], 100 + i);
                    Path path = tree.pathOf(FileId.parse(id));
                    Path temp = path.resolveSibling(".incoming");
                    Files.write(temp, content);
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
                    Round round = new Round(id, content, new CountDownLatch(1), new CountDownLatch(1));
                    synchronized (lock) {
                        current[0] = round;
                    }
                    if (i == 0) {
                        startClients(3, pool, clients, jetty.port(), bearer, lock, current, finished, tally);
                    }
                    await(round.served(), clients, "round " + i + ": a download was served");
                    RawHttp.Response deleted = RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer);
                    assertEquals(204, deleted.status(), "round " + i + ": " + deleted.text());
                    await(round.gone(), clients, "round " + i + ": downloads end in 404");
                }
            } finally {
                finished.set(1);
                pool.shutdown();
                assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            }
            for (Future<?> client : clients) {
                client.get();
            }
            assertEquals(List.of(), tally.wrong(), "every byte, or 404");
            assertTrue(tally.served.get() >= rounds && tally.notFound.get() >= rounds, tally.served + " served, "
                    + tally.notFound + " not found");
        }
        assertEquals(List.of(), FileRaces.descriptorsUnder(dir), "no descriptor left open, deleted files included");
    }

    /** Waits for {@code latch}; a client that failed meanwhile fails the test with its own exception. */
    private static void await(CountDownLatch latch, List<Future<?>> clients, String what) throws Exception {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            for (Future<?> client : clients) {
                if (client.isDone()) {
                    client.get();
                }
            }
            throw new AssertionError(what + ": not within 30 s");
        }
    }

    /** A download of a file about to be deleted; the latches say a 200 and a 404 were seen. */
    record Round(String id, byte[] content, CountDownLatch served, CountDownLatch gone) {
    }

    /** Clients that download the current round's file until {@code finished} is set. */
    private static void startClients(int n, ExecutorService pool, List<Future<?>> clients, int port, String bearer,
                                     Object lock, Round[] current, AtomicInteger finished, Tally tally) {
        for (int c = 0; c < n; c++) {
            clients.add(pool.submit(() -> {
                try (KeepAliveHttp http = new KeepAliveHttp(port)) {
                    while (finished.get() == 0) {
                        Round round;
                        synchronized (lock) {
                            round = current[0];
                        }
                        RawHttp.Response r = http.request("GET", "/files/" + round.id(), bearer);
                        tally.add(round.id(), r, round.content(), null);
                        (r.status() == 200 ? round.served() : round.gone()).countDown();
                    }
                }
                return null;
            }));
        }
    }

    interface Client {
        void run(int client) throws Exception;
    }

    /** Runs {@code n} clients at once and waits for all; a client's failure fails the test. */
    static void clients(int n, Client body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    body.run(client);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
