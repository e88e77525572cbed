-- Prints one machine-readable line when wrk is done: requests, bytes, duration (µs),
-- p50 and p99 latency (µs), and errors of every kind (non-2xx/3xx answers included).
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.bytes, summary.duration,
      latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
