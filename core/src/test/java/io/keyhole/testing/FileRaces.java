package io.keyhole.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * What the attacks on the storage need: FIFOs, a thread that keeps changing the tree while
 * requests run, and the counts that show nothing was left behind (descriptors, threads blocked in
 * {@code open}). Linux only ({@code mkfifo}, {@code /proc}). For tests in every module.
 */
public final class FileRaces {

    private FileRaces() {
    }

    /** Makes a FIFO at {@code path} with {@code mkfifo(1)}. */
    public static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("mkfifo " + path + " failed: " + out);
        }
        return path;
    }

    /** Descriptors this process holds now. */
    public static long openDescriptors() {
        return Holdings.openDescriptors().size();
    }

    /**
     * What this process holds open below {@code dir} (a deleted file shows as
     * {@code "... (deleted)"}): after the requests are over, a descriptor here was leaked.
     */
    public static List<String> descriptorsUnder(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString() + "/";
        List<String> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        found.add(target);
                    }
                } catch (IOException e) {
                    // closed since it was listed: not held
                }
            }
        }
        return found;
    }

    /**
     * Threads inside a native {@code open} or {@code openat} of the JDK's file system once every
     * rescue has ended (at most 30 s): a thread blocked opening a FIFO stays there. A rescue's own
     * releasing open, still running just after the reader it freed returned, never blocks and is
     * not taken for one.
     */
    public static List<String> threadsInOpen() throws InterruptedException {
        joinThreadsNamed("keyhole-open-rescue", 30);
        List<String> found = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : t.getValue()) {
                if (frame.getClassName().equals("sun.nio.fs.UnixNativeDispatcher")
                        && frame.getMethodName().startsWith("open")) {
                    found.add(t.getKey().getName());
                    break;
                }
            }
        }
        return found;
    }

    /** Waits for every live thread called {@code name} to end, at most {@code seconds} each. */
    public static List<String> joinThreadsNamed(String name, long seconds) throws InterruptedException {
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                t.join(TimeUnit.SECONDS.toMillis(seconds));
                if (t.isAlive()) {
                    alive.add(t.getName());
                }
            }
        }
        return alive;
    }

    /** One change to the tree; the swapper repeats it. */
    public interface Step {
        void run() throws Exception;
    }

    /**
     * Repeats a step on a thread of its own until closed: the other side of a race. Closing stops
     * it, waits for it and throws what the step threw, so a broken swap cannot pass unnoticed.
     */
    public static final class Swapper implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong rounds = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;

        public Swapper(String name, Step step) {
            thread = new Thread(() -> {
                try {
                    while (!stop) {
                        step.run();
                        rounds.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** How many times the step has run so far. */
        public long rounds() {
            return rounds.get();
        }

        /** Whether the step is still being repeated (it stops early only by failing). */
        public boolean running() {
            return thread.isAlive();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping " + thread.getName(), e);
            }
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " did not stop");
            }
            Throwable e = failure.get();
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e instanceof Error error) {
                throw error;
            }
            if (e != null) {
                throw new IllegalStateException(thread.getName() + " failed: " + e, e);
            }
        }
    }
}
