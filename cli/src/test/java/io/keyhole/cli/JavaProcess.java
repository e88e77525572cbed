package io.keyhole.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child JVM whose output is read line by line as it comes. */
final class JavaProcess implements AutoCloseable {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final String EOF = new String("end of output");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread errReader;

    private JavaProcess(Process process) {
        this.process = process;
        Thread outReader = new Thread(() -> pump(process.getInputStream(), lines::add), "child-stdout");
        errReader = new Thread(() -> pump(process.getErrorStream(), this::addStderr), "child-stderr");
        outReader.setDaemon(true);
        errReader.setDaemon(true);
        outReader.start();
        errReader.start();
    }

    /** {@code java -cp <this test's class path> io.keyhole.cli.Main args...}. */
    static JavaProcess main(String... args) throws IOException {
        return start(mainCommand(List.of(), args));
    }

    /** The same under {@code nohup}: the child starts with SIGHUP ignored, as one started so from a shell does. */
    static JavaProcess mainUnderNohup(String... args) throws IOException {
        return start(mainCommand(List.of("nohup"), args));
    }

    private static List<String> mainCommand(List<String> launcher, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java(), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code java -jar jar args...}. */
    static JavaProcess jar(Path jar, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private static JavaProcess start(List<String> command) throws IOException {
        List<String> launched = new ArrayList<>();
        if (hangUpIgnoredHere()) {
            // A build started under nohup would hand its ignored SIGHUP down to every child: give
            // the child the disposition a service manager gives (GNU env; Linux, where this is known).
            launched.addAll(List.of("env", "--default-signal=HUP"));
        }
        launched.addAll(command);
        return new JavaProcess(new ProcessBuilder(launched).start());
    }

    /** Whether this JVM runs with SIGHUP ignored ({@code SigIgn} of /proc/self/status, bit 0), which a child inherits. */
    private static boolean hangUpIgnoredHere() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 1) != 0;
            }
        }
        return false;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void pump(InputStream in, java.util.function.Consumer<String> sink) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                sink.accept(line);
            }
        } catch (IOException e) {
            sink.accept("(reading the child's output failed: " + e + ")");
        } finally {
            if (in == process.getInputStream()) {
                lines.add(EOF);
            }
        }
    }

    /** Blocks until a stdout line matches; fails if the child ends or stays silent too long. */
    String awaitLine(Predicate<String> wanted) throws InterruptedException {
        while (true) {
            String line = lines.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null || line == EOF) {
                if (line == EOF) {
                    lines.add(EOF);
                }
                throw new AssertionError((line == null ? "no matching line within " + PATIENCE : "the child's output ended")
                        + "; stdout so far: " + seen + "; stderr: " + stderr());
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Every stdout line read so far. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** Sends the signal {@code name} (e.g. {@code HUP}) to the child. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Waits for the child to end by itself and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child did not end within " + PATIENCE + "; stderr: " + stderr());
        }
        errReader.join(PATIENCE.toMillis());
        return process.exitValue();
    }

    /**
     * Sends SIGTERM and returns the exit code. {@link ProcessHandle#destroy()} sends the same
     * signal as {@link Process#destroy()} but leaves the pipes open, so the last lines can be read.
     */
    int terminate() throws InterruptedException {
        signalTerm();
        return awaitExit();
    }

    /** Sends SIGTERM without waiting. */
    void signalTerm() {
        process.toHandle().destroy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The rest of stdout, once the child has ended. */
    List<String> remainingLines() throws InterruptedException {
        List<String> rest = new ArrayList<>();
        for (String line; (line = lines.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) != EOF; ) {
            if (line == null) {
                throw new AssertionError("stdout did not end within " + PATIENCE);
            }
            seen.add(line);
            rest.add(line);
        }
        lines.add(EOF);
        return rest;
    }

    String stderr() {
        return stderr.toString();
    }

    private void addStderr(String line) {
        synchronized (stderr) {
            stderr.append(line).append('\n');
            stderr.notifyAll();
        }
    }

    /** Blocks until the child's stderr holds {@code text}; fails when it does not within {@link #PATIENCE}. */
    void awaitStderr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        synchronized (stderr) {
            while (stderr.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("stderr did not say \"" + text + "\" within " + PATIENCE + "; stderr: " + stderr);
                }
                TimeUnit.NANOSECONDS.timedWait(stderr, left);
            }
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
