package io.keyhole.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation ({@code -prof io.keyhole.benchmarks.CpuProfiler}), steadier than time per
 * operation on a shared machine, where a request waits for a core as long as others keep it busy.
 * Nothing of a backend running in its own process counts. Two figures:
 * {@code cpu.process.norm}, the whole JVM's, the way the load harness reads a server's from
 * {@code /proc/<pid>/stat} (the JIT compiler and GC threads too: in a short run they weigh more on
 * a benchmark that does fewer operations); {@code cpu.threads.norm}, the Java threads' alone (the
 * benchmark's thread and Keyhole's own, such as its deadline timer), which leaves the JIT and GC out.
 * On Linux a third, {@code cpu.system.norm}: the part of the first spent in the kernel on the
 * JVM's behalf (system calls, sleeping and waking), from {@code /proc/self/stat}.
 */
public final class CpuProfiler implements InternalProfiler {

    private static final Path STAT = Path.of("/proc/self/stat");
    /** {@code /proc} counts in these ticks on every Linux the JDK runs on (USER_HZ). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long before;
    private long threadsBefore;
    private long systemBefore;

    @Override
    public String getDescription() {
        return "CPU time of the whole benchmark JVM per operation (ns/op)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = os.getProcessCpuTime();
        threadsBefore = threadCpu();
        systemBefore = systemCpu();
    }

    /** The JVM's system time so far in nanoseconds, or -1 without {@code /proc}. */
    private static long systemCpu() {
        try {
            String stat = Files.readString(STAT);
            // after the name in brackets (which may hold spaces): state first, stime (field 15) thirteenth
            String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
            return Long.parseLong(fields[12]) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Every live Java thread's CPU time; one that ended during the iteration is missed, which the benchmarks avoid. */
    private long threadCpu() {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long used = os.getProcessCpuTime() - before;
        long usedByThreads = threadCpu() - threadsBefore;
        long system = systemCpu();
        long ops = result.getMetadata().getAllOps();
        return List.of(new ScalarResult("cpu.process.norm", perOp(used, ops), "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.threads.norm", perOp(usedByThreads, ops), "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.system.norm", system < 0 || systemBefore < 0 ? Double.NaN : perOp(system - systemBefore, ops),
                        "ns/op", AggregationPolicy.AVG));
    }

    private static double perOp(long nanos, long ops) {
        return ops == 0 ? Double.NaN : (double) nanos / ops;
    }
}
