package io.keyhole.cli;

import io.keyhole.observe.Answered;
import io.keyhole.observe.Asked;
import io.keyhole.observe.AuditLog;
import io.keyhole.observe.KeyholeListener;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Keyhole's metrics for {@code keyhole serve}, written in the Prometheus text format (version
 * 0.0.4) at {@code /metrics}: the same names and tags the Micrometer binder registers, as
 * Micrometer's Prometheus registry spells them.
 *
 * <ul>
 *   <li>{@code keyhole_requests_total{outcome,status,operation}}: answered requests</li>
 *   <li>{@code keyhole_bytes_total{operation}}: body bytes sent</li>
 *   <li>{@code keyhole_authorization_seconds_count/_sum{backend,result}}: backend round trips</li>
 *   <li>{@code keyhole_decision_cache_total{result="hit"|"miss"}}: decision-cache lookups</li>
 * </ul>
 *
 * Counting is a {@link LongAdder} per series; nothing is locked on the request path.
 */
final class PrometheusMetrics implements KeyholeListener {

    private record RequestKey(String outcome, int status, String operation) {
    }

    private record AskedKey(String backend, String result) {
    }

    private static final class Timer {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bytes = new ConcurrentHashMap<>();
    private final Map<AskedKey, Timer> asked = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    @Override
    public void answered(Answered event) {
        requests.computeIfAbsent(new RequestKey(AuditLog.outcome(event.outcome()), event.status(), event.operation()),
                k -> new LongAdder()).increment();
        if (event.bytes() > 0) {
            bytes.computeIfAbsent(event.operation(), k -> new LongAdder()).add(event.bytes());
        }
    }

    @Override
    public void asked(Asked event) {
        Timer t = asked.computeIfAbsent(new AskedKey(event.backend(), event.result()), k -> new Timer());
        t.count.increment();
        t.nanos.add(event.nanos());
    }

    @Override
    public void cacheLookup(boolean hit) {
        (hit ? hits : misses).increment();
    }

    /** Every series now, in the text format, sorted so that scrapes compare line by line. */
    String scrape() {
        StringBuilder b = new StringBuilder(1024);
        b.append("# HELP keyhole_requests_total Requests Keyhole answered\n");
        b.append("# TYPE keyhole_requests_total counter\n");
        Map<String, Long> lines = new TreeMap<>();
        requests.forEach((k, v) -> lines.put("keyhole_requests_total{operation=\"" + label(k.operation())
                + "\",outcome=\"" + label(k.outcome()) + "\",status=\"" + k.status() + "\"}", v.sum()));
        lines.forEach((series, value) -> b.append(series).append(' ').append(value).append('\n'));

        b.append("# HELP keyhole_bytes_total Body bytes Keyhole sent\n");
        b.append("# TYPE keyhole_bytes_total counter\n");
        new TreeMap<>(bytes).forEach((operation, sum) -> b.append("keyhole_bytes_total{operation=\"")
                .append(label(operation)).append("\"} ").append(sum.sum()).append('\n'));

        b.append("# HELP keyhole_authorization_seconds Round trips to the authorisation backend\n");
        b.append("# TYPE keyhole_authorization_seconds summary\n");
        Map<String, String> timers = new TreeMap<>();
        asked.forEach((k, t) -> {
            String labels = "{backend=\"" + label(k.backend()) + "\",result=\"" + label(k.result()) + "\"}";
            timers.put("keyhole_authorization_seconds_count" + labels, Long.toString(t.count.sum()));
            timers.put("keyhole_authorization_seconds_sum" + labels, Double.toString(t.nanos.sum() / 1e9));
        });
        timers.forEach((series, value) -> b.append(series).append(' ').append(value).append('\n'));

        b.append("# HELP keyhole_decision_cache_total Lookups in the decision cache\n");
        b.append("# TYPE keyhole_decision_cache_total counter\n");
        b.append("keyhole_decision_cache_total{result=\"hit\"} ").append(hits.sum()).append('\n');
        b.append("keyhole_decision_cache_total{result=\"miss\"} ").append(misses.sum()).append('\n');
        return b.toString();
    }

    /** A label value as the text format needs it: backslash, quote and line feed escaped. */
    static String label(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
