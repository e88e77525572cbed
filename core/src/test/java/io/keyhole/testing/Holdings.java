package io.keyhole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What this process holds at one moment: its live threads, its open file descriptors (as
 * {@code /proc/self/fd} lists them: {@code socket:[inode]}, {@code pipe:[inode]}, a file's path)
 * and the files it has mapped into memory (as {@code /proc/self/maps} lists them). Taken before a
 * container starts and again after it stopped, two snapshots show what was left behind. Linux only:
 * see {@link #available()}.
 */
public final class Holdings {

    private static final Path FDS = Path.of("/proc/self/fd");
    private static final Path MAPS = Path.of("/proc/self/maps");

    private final Set<Thread> threads;
    private final Map<Integer, String> descriptors;
    private final List<String> mapped;

    private Holdings(Set<Thread> threads, Map<Integer, String> descriptors, List<String> mapped) {
        this.threads = threads;
        this.descriptors = descriptors;
        this.mapped = mapped;
    }

    /** Whether this system lists a process's descriptors and mappings under {@code /proc/self}. */
    public static boolean available() {
        return Files.isDirectory(FDS) && Files.isReadable(MAPS);
    }

    /** What the process holds now. */
    public static Holdings now() {
        Set<Thread> live = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive()) {
                live.add(t);
            }
        }
        return new Holdings(Collections.unmodifiableSet(live), openDescriptors(), mapped());
    }

    /**
     * What each descriptor open now refers to, by number. Files under {@code /proc} and {@code /sys}
     * are left out: the JVM opens them for a moment on threads of its own (a cgroup's memory limit,
     * for one), and nothing under test ever holds them.
     */
    public static Map<Integer, String> openDescriptors() {
        Map<Integer, String> open = new TreeMap<>();
        try (Stream<Path> fds = Files.list(FDS)) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.startsWith("/proc/") && !target.startsWith("/sys/")) {
                        open.put(Integer.valueOf(fd.getFileName().toString()), target);
                    }
                } catch (IOException closedMeanwhile) {
                    // Closed between the listing and the look: not held any more.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FDS, e);
        }
        return Collections.unmodifiableMap(open);
    }

    /** The paths of mapped files, one entry per mapped region. */
    private static List<String> mapped() {
        try (Stream<String> lines = Files.lines(MAPS)) {
            return lines.map(line -> line.split("\\s+", 6))
                    .filter(fields -> fields.length == 6 && fields[5].startsWith("/"))
                    .map(fields -> fields[5])
                    .collect(Collectors.toUnmodifiableList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MAPS, e);
        }
    }

    /** Threads alive now, by name, whose names satisfy {@code counted}. */
    public int threads(Predicate<String> counted) {
        return (int) threads.stream().filter(t -> counted.test(t.getName())).count();
    }

    /** Threads alive in this snapshot that were not in {@code before}, leaving out those {@code ignored} by name. */
    public List<Thread> threadsSince(Holdings before, Predicate<String> ignored) {
        return threads.stream()
                .filter(t -> !before.threads.contains(t) && !ignored.test(t.getName()))
                .sorted((a, b) -> a.getName().compareTo(b.getName()))
                .collect(Collectors.toList());
    }

    /** How many descriptors are open. */
    public int descriptors() {
        return descriptors.size();
    }

    /** How many of the open descriptors are sockets. */
    public int sockets() {
        return (int) descriptors.values().stream().filter(target -> target.startsWith("socket:")).count();
    }

    /**
     * Descriptors open in this snapshot that were not in {@code before}, by number. A number
     * that was open before but now refers to something else (closed, and taken again) counts as
     * new: an inode names one socket or pipe for its whole life.
     */
    public Map<Integer, String> descriptorsSince(Holdings before) {
        Map<Integer, String> opened = new TreeMap<>();
        descriptors.forEach((fd, target) -> {
            if (!target.equals(before.descriptors.get(fd))) {
                opened.put(fd, target);
            }
        });
        return opened;
    }

    /** Regions of files below {@code dir} that are mapped into memory. */
    public List<String> mappedBelow(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        return mapped.stream().filter(path -> path.startsWith(prefix)).collect(Collectors.toList());
    }

    /** A thread for a message: its name and state, e.g. {@code keyhole-deadline-1 (TIMED_WAITING)}. */
    public static String describe(Thread t) {
        return t.getName() + " (" + t.getState() + (t.isDaemon() ? ", daemon" : "") + ")";
    }
}
