#!/usr/bin/env bash
# What a connection per question to a Unix-socket backend costs the asking process, from the
# floor up: the exchange written in C (exchange.c: what the kernel alone takes on this machine),
# the same exchange on the JDK's channels with nothing around it, through Keyhole's
# UnixSocketTransport, and over kept connections (ExchangeBenchmark, JMH, CPU per exchange with
# its system part). The backend is SocketBackend (JsonSocketServer) in a JVM of its own, as in
# the load harness; every client sends the same question and reads the same answer. Each at 1, 16
# and 64 threads (the load harness's wrk keeps 64 requests in flight).
#
#   benchmarks/exchange/run.sh                        # build first (about 12 minutes in all)
#   SKIP_BUILD=1 THREADS="1 64" benchmarks/exchange/run.sh
#
# Needs: a JDK 17+ and a C compiler (cc).
set -euo pipefail
cd "$(dirname "$0")/../.."

THREADS="${THREADS:-1 16 64}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-8}"
JAR=benchmarks/target/benchmarks.jar

if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
WORK="$(mktemp -d /tmp/keyhole-exchange.XXXXXX)"
BACKEND_PID=""
cleanup() {
    if [ -n "$BACKEND_PID" ]; then
        exec 3>&-
        wait "$BACKEND_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

cc -O2 -pthread -o "$WORK/exchange" benchmarks/exchange/exchange.c
QUESTION="$(java -cp "$JAR" io.keyhole.benchmarks.ExchangeBenchmark)"

# SocketBackend ends when its standard input closes: a FIFO whose only writer is this script's fd 3
mkfifo "$WORK/backend.in"
java -Xmx64m -cp "$JAR" io.keyhole.benchmarks.SocketBackend "$WORK/auth.sock" < "$WORK/backend.in" > "$WORK/backend.log" 2>&1 &
BACKEND_PID=$!
exec 3> "$WORK/backend.in"
for _ in $(seq 300); do
    grep -q '^ready' "$WORK/backend.log" 2>/dev/null && break
    sleep 0.1
done
grep -q '^ready' "$WORK/backend.log" || { echo "the backend did not start:" >&2; cat "$WORK/backend.log" >&2; exit 1; }

echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(java -version 2>&1 | head -1)"
echo "/proc/loadavg at the start: $(cat /proc/loadavg)"
"$WORK/exchange" "$WORK/auth.sock" 1 2 "$QUESTION" > /dev/null   # the backend's JIT first
for t in $THREADS; do
    "$WORK/exchange" "$WORK/auth.sock" "$t" "$SECONDS_PER_RUN" "$QUESTION"
done
for t in $THREADS; do
    java -jar "$JAR" ExchangeBenchmark -t "$t" -prof io.keyhole.benchmarks.CpuProfiler -rf json -rff "$WORK/jmh-$t.json" \
        > "$WORK/jmh-$t.log" 2>&1 || { cat "$WORK/jmh-$t.log" >&2; exit 1; }
    python3 - "$WORK/jmh-$t.json" "$t" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    m, s = r["primaryMetric"], r["secondaryMetrics"]
    p = m["scorePercentiles"]
    cpu = s["cpu.process.norm"]["score"] / 1e3
    system = s["cpu.system.norm"]["score"] / 1e3
    print(f"JMH {r['params']['client']}, {sys.argv[2]} threads: CPU {cpu:.1f} us per exchange "
          f"(user {cpu - system:.1f}, system {system:.1f}); p50 {p['50.0']:.1f} us, p99 {p['99.0']:.1f} us")
PY
done
echo "/proc/loadavg at the end: $(cat /proc/loadavg)"
