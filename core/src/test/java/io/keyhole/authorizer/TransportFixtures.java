package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.fail;

import io.keyhole.testing.Holdings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the transport tests share: counting descriptors and threads, running on many threads, loopback tricks. */
final class TransportFixtures {

    private TransportFixtures() {
    }

    static boolean canCountDescriptors() {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /** What each open descriptor refers to ({@code socket:[inode]}, a pipe, a file, ...), by number. */
    static Map<String, String> openDescriptors() {
        Map<String, String> open = new TreeMap<>();
        Holdings.openDescriptors().forEach((fd, target) -> open.put(fd.toString(), target));
        return open;
    }

    /**
     * Fails when more descriptors are open than in {@code before}; the message lists what changed.
     * Fewer is no leak: a descriptor left by an earlier test may close meanwhile.
     */
    static void assertSameDescriptors(Map<String, String> before, String message) {
        Map<String, String> now = openDescriptors();
        if (now.size() > before.size()) {
            Set<String> opened = new TreeSet<>(now.values());
            opened.removeAll(before.values());
            Set<String> closed = new TreeSet<>(before.values());
            closed.removeAll(now.values());
            fail(message + ": " + before.size() + " open before, " + now.size() + " after; opened " + opened
                    + ", closed " + closed);
        }
    }

    /**
     * Lets every HTTP client nobody references any more shut down and release its descriptors (its
     * selector and kept-alive connections), so that a count taken next is not disturbed by
     * clients other tests left behind. A JDK client has no close() before Java 21: it ends when
     * its selector thread finds it collected, which this waits for.
     */
    static void releaseUnreferencedHttpClients() throws InterruptedException {
        List<Thread> selectors = liveThreads().stream()
                .filter(t -> t.getName().matches("HttpClient-\\d+-SelectorManager"))
                .collect(Collectors.toList());
        if (selectors.isEmpty()) {
            return;
        }
        System.gc();
        for (Thread selector : selectors) {
            selector.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    static Set<Thread> liveThreads() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /** Names of the threads alive now that were not in {@code before}, leaving out those whose names start with {@code ignored}. */
    static List<String> newThreads(Set<Thread> before, String... ignored) {
        return liveThreads().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName)
                .filter(name -> Stream.of(ignored).noneMatch(name::startsWith))
                .sorted()
                .collect(Collectors.toList());
    }

    /** One client thread's work: its number and the round, from 0. */
    interface Work {
        void run(int thread, int round) throws Exception;
    }

    /**
     * Runs {@code work} on {@code threads} fresh threads, {@code rounds} times each, and returns
     * once every thread has ended (joined, so none is left alive); rethrows the first failure.
     */
    static void concurrently(int threads, int rounds, Work work) throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread client = new Thread(() -> {
                try {
                    for (int round = 0; round < rounds; round++) {
                        work.run(thread, round);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "test-client-" + t);
            client.start();
            started.add(client);
        }
        for (Thread client : started) {
            client.join();
        }
        if (!failures.isEmpty()) {
            Exception first = new Exception(failures.size() + " of " + threads + " client threads failed", failures.get(0));
            failures.stream().skip(1).limit(4).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** A loopback port that nobody listens on: bound, then released. */
    static int closedPort() throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    /**
     * A loopback listener that never accepts, with its listen queue filled so that a further
     * connect waits (Linux drops the SYN of a connection the full queue cannot take). Close it
     * to release the queued clients too.
     */
    static final class FullListener implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final List<SocketChannel> queued = new ArrayList<>();

        FullListener() throws IOException {
            listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                // A queue of 1 takes 2 connections; the rest wait in SYN_SENT and keep any later SYN behind them.
                for (int i = 0; i < 8; i++) {
                    SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
                    queued.add(client);
                    client.configureBlocking(false);
                    client.connect(listener.getLocalAddress());
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel client : queued) {
                client.close();
            }
            listener.close();
        }
    }
}
