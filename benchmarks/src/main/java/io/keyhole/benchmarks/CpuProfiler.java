package io.keyhole.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 */
public final class CpuProfiler implements InternalProfiler {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long before;
    private long threadsBefore;

    @Override
    public String getDescription() {
        return "CPU time of the whole benchmark JVM per operation (ns/op)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = os.getProcessCpuTime();
        threadsBefore = threadCpu();
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
        long ops = result.getMetadata().getAllOps();
        return List.of(new ScalarResult("cpu.process.norm", perOp(used, ops), "ns/op", AggregationPolicy.AVG),
                new ScalarResult("cpu.threads.norm", perOp(usedByThreads, ops), "ns/op", AggregationPolicy.AVG));
    }

    private static double perOp(long nanos, long ops) {
        return ops == 0 ? Double.NaN : (double) nanos / ops;
    }
}
