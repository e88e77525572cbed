#!/usr/bin/env bash
# Bucket benchmark: one S3Proxy (filesystem backend, no authorization) holds 1,000 random 4 KiB
# objects, one 100 MiB and one 1 GiB object under a depth-4 tree. Measured in the same run:
#   - 100 MiB: a GET through Keyhole (JWT checked, in-process grant, streamed from the bucket)
#     against a direct GET from S3Proxy, alternately, ROUNDS times each (MiB/s, medians);
#   - 4 KiB: wrk with random ids, through Keyhole against direct (requests/s, p50/p99), and the
#     CPU per request of the Keyhole JVM and of S3Proxy, from /proc/<pid>/stat;
#   - both once more through a Keyhole with open-cache-valid=5s (small objects kept in memory);
#   - delivery=redirect: the 302's own bytes and time, and a followed download;
#   - 1 GiB through Keyhole with -Xmx64m: SHA-256 compared, heap used sampled during the transfer.
#
#   benchmarks/s3/run.sh                          # build, then measure (about 5 minutes)
#   SKIP_BUILD=1 DURATION=5 ROUNDS=3 benchmarks/s3/run.sh
#   SKIP_BUILD=1 SKIP_HUGE=1 FILES=200 ROUNDS=2 WARMUP=20 benchmarks/s3/run.sh   # short, no 1 GiB part
#
# KEYHOLE_JAVA_OPTS adds options to Keyhole's JVMs (%k in it: the server's kind), S3PROXY_JAVA_OPTS
# to S3Proxy's, e.g. KEYHOLE_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/%k.jfr;
# KEYHOLE_JAVA_OPTS=-Dkeyhole.bench.renderer=auto streams through Jetty's renderer instead of the
# servlet stream (bodies above 64 KiB in pooled direct buffers).
# Needs: a JDK 17+, wrk, curl, python3, sha256sum. All traffic stays on 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO="$PWD"
DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-16}"
FILES="${FILES:-1000}"
# Keyhole's JVM compiles the SDK's request path only after some thousand requests; measured
# before that, it is the JIT's cost that is compared, not Keyhole's.
WARMUP="${WARMUP:-20}"
KEYHOLE_JAVA_OPTS="${KEYHOLE_JAVA_OPTS:-}"

for tool in java wrk curl python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done
if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -B -q -pl benchmarks,s3 -am package -DskipTests
fi
LIB="$REPO/benchmarks/target/lib"
JAR="$REPO/benchmarks/target/benchmarks.jar"
CP="$JAR:$(ls "$LIB"/*.jar | grep -v -e '/tomcat-' | paste -sd:)"
S3PROXY_JAR="$REPO/s3/target/s3proxy/s3proxy.jar"
[ -f "$S3PROXY_JAR" ] || { echo "no $S3PROXY_JAR: build the s3 module's tests once (mvn -pl s3 -am test-compile)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/keyhole-s3bench.XXXXXX)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
relative() { local id="$1"; echo "${id:0:1}/${id:1:1}/${id:2:1}/${id:3:1}/$id"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "loadavg before: $(cat /proc/loadavg)"

# ---- S3Proxy
S3PORT="$(free_port)"
mkdir -p "$WORK/data"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3PORT
s3proxy.authorization=none
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/data
CONF
java -Xmx512m ${S3PROXY_JAVA_OPTS:-} -jar "$S3PROXY_JAR" --properties "$WORK/s3proxy.conf" > "$WORK/s3proxy.log" 2>&1 &
S3PID=$!
PIDS+=("$S3PID")
for _ in $(seq 1200); do
    grep -q 'Started Server' "$WORK/s3proxy.log" && break
    kill -0 "$S3PID" 2>/dev/null || { cat "$WORK/s3proxy.log" >&2; exit 1; }
    sleep 0.1
done
S3="http://127.0.0.1:$S3PORT"
curl -sf -X PUT "$S3/bench" > /dev/null

# ---- objects: FILES random 4 KiB, one 100 MiB, one 1 GiB
mkdir -p "$WORK/objects"
python3 - "$WORK" "$FILES" "$S3" <<'PY'
import os, sys
work, files, s3 = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(f"{work}/ids", "w") as ids, open(f"{work}/put.cfg", "w") as cfg:
    for _ in range(files):
        i = os.urandom(16).hex()
        with open(f"{work}/objects/{i}", "wb") as f:
            f.write(os.urandom(4096))
        ids.write(i + "\n")
        key = "/".join(i[:4]) + "/" + i
        cfg.write(f'upload-file = "{work}/objects/{i}"\nurl = "{s3}/bench/{key}"\noutput = "/dev/null"\n')
PY
curl -sf -K "$WORK/put.cfg"
BIG=100b9e8d7c6b5a4f3e2d1c0b9a8f7e6d
HUGE=1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d
head -c 104857600 /dev/urandom > "$WORK/big"
curl -sf -T "$WORK/big" "$S3/bench/$(relative $BIG)" -o /dev/null
if [ -z "${SKIP_HUGE:-}" ]; then
    head -c 1073741824 /dev/urandom > "$WORK/huge"
    curl -sf -T "$WORK/huge" "$S3/bench/$(relative $HUGE)" -o /dev/null
    HUGE_SHA="$(sha256sum < "$WORK/huge" | cut -d' ' -f1)"
fi
rm -f "$WORK/huge" "$WORK/big"

# ---- Keyhole servers
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/jwt.key"
TOKEN="$(java -cp "$CP" io.keyhole.benchmarks.load.LoadServer token "$WORK/jwt.key")"
declare -A PORT PID
start_keyhole() { # kind heap
    PORT[$1]="$(free_port)"
    # shellcheck disable=SC2086
    java -Xmx"$2" ${KEYHOLE_JAVA_OPTS//%k/$1} -cp "$CP" io.keyhole.benchmarks.load.LoadServer "$1" "${PORT[$1]}" "s3:$S3/bench" \
        "$WORK/jwt.key" > "$WORK/$1.log" 2>&1 &
    PID[$1]=$!
    PIDS+=("$!")
    for _ in $(seq 600); do
        grep -q '^READY' "$WORK/$1.log" && return 0
        kill -0 "${PID[$1]}" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/$1.log" >&2
    exit 1
}
start_keyhole jetty-s3 256m
start_keyhole jetty-s3-cached 256m
start_keyhole jetty-s3-redirect 256m
KC="http://127.0.0.1:${PORT[jetty-s3-cached]}/files"
KH="http://127.0.0.1:${PORT[jetty-s3]}/files"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# ---- 100 MiB
echo "100 MiB, $ROUNDS rounds each, alternating (MiB/s):"
: > "$WORK/big.direct"; : > "$WORK/big.keyhole"; : > "$WORK/big.cached"
# warm-up: the first requests load and compile the SDK's classes
curl -s -o /dev/null "$S3/bench/$(relative $BIG)"
for _ in 1 2 3; do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$KH/$BIG"; done
for _ in 1 2 3; do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$KC/$BIG"; done
# CPU of each Keyhole JVM over its 100 MiB downloads (ms per download)
KT0="$(cpu_ticks "${PID[jetty-s3]}")"; CT0="$(cpu_ticks "${PID[jetty-s3-cached]}")"
for r in $(seq "$ROUNDS"); do
    curl -sf -o /dev/null -w '%{speed_download}\n' "$S3/bench/$(relative $BIG)" >> "$WORK/big.direct"
    curl -sf -o /dev/null -w '%{speed_download}\n' -H "Authorization: Bearer $TOKEN" "$KH/$BIG" >> "$WORK/big.keyhole"
    curl -sf -o /dev/null -w '%{speed_download}\n' -H "Authorization: Bearer $TOKEN" "$KC/$BIG" >> "$WORK/big.cached"
done
KT1="$(cpu_ticks "${PID[jetty-s3]}")"; CT1="$(cpu_ticks "${PID[jetty-s3-cached]}")"
python3 -c "import os; t = os.sysconf('SC_CLK_TCK'); print(f'  Keyhole CPU per 100 MiB download: {($KT1 - $KT0) / t * 1000 / $ROUNDS:.0f} ms; with open-cache-valid {($CT1 - $CT0) / t * 1000 / $ROUNDS:.0f} ms')"
D100="$(median < "$WORK/big.direct")"; K100="$(median < "$WORK/big.keyhole")"; C100="$(median < "$WORK/big.cached")"
LOAD_BIG="$(cat /proc/loadavg)"
python3 -c "print(f'  direct {$D100/1048576:.0f}  keyhole {$K100/1048576:.0f}  ratio {$K100/$D100:.2f}  cached {$C100/1048576:.0f}  ratio {$C100/$D100:.2f}')"

# ---- 4 KiB random objects
cat > "$WORK/random.lua" <<LUA
local ids = {}
for line in io.lines("$WORK/ids") do ids[#ids + 1] = line end
local mode = os.getenv("MODE")
local token = os.getenv("TOKEN")
request = function()
   local id = ids[math.random(#ids)]
   if mode == "direct" then
      return wrk.format("GET", "/bench/" .. id:sub(1,1) .. "/" .. id:sub(2,2) .. "/" .. id:sub(3,3) .. "/" .. id:sub(4,4) .. "/" .. id)
   end
   return wrk.format("GET", "/files/" .. id, {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
LUA
run_wrk() { # mode url [kind] -> "rps p50 p99 errors keyhole_cpu_us s3proxy_cpu_us"
    local k0 s0 out kpid="${PID[${3:-jetty-s3}]}"
    k0="$(cpu_ticks "$kpid")"; s0="$(cpu_ticks "$S3PID")"
    out="$(MODE="$1" TOKEN="$TOKEN" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$WORK/random.lua" "$2" | grep '^RESULT')"
    local k1 s1; k1="$(cpu_ticks "$kpid")"; s1="$(cpu_ticks "$S3PID")"
    python3 - "$out" "$k0" "$k1" "$s0" "$s1" <<'PY'
import os, sys
_, req, dur, p50, p99, err = sys.argv[1].split()
req = int(req); tick = os.sysconf('SC_CLK_TCK')
k = (int(sys.argv[3]) - int(sys.argv[2])) / tick * 1e6 / max(req, 1)
s = (int(sys.argv[5]) - int(sys.argv[4])) / tick * 1e6 / max(req, 1)
print(f"{req / (int(dur) / 1e6):.0f} {int(p50) / 1000:.1f} {int(p99) / 1000:.1f} {err} {k:.0f} {s:.0f}")
PY
}
echo "4 KiB, $FILES random objects, $CONNECTIONS connections, ${DURATION}s x $ROUNDS rounds each:"
MODE=direct TOKEN=x wrk -t2 -c"$CONNECTIONS" -d2s -s "$WORK/random.lua" "$S3" > /dev/null
MODE=keyhole TOKEN="$TOKEN" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/random.lua" "http://127.0.0.1:${PORT[jetty-s3]}" > /dev/null
MODE=keyhole TOKEN="$TOKEN" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/random.lua" "http://127.0.0.1:${PORT[jetty-s3-cached]}" > /dev/null
: > "$WORK/small.direct"; : > "$WORK/small.keyhole"; : > "$WORK/small.cached"
for r in $(seq "$ROUNDS"); do
    run_wrk direct "$S3" | tee -a "$WORK/small.direct" | sed 's/^/  direct  req\/s p50ms p99ms errors keyholeCPUus s3proxyCPUus: /'
    run_wrk keyhole "http://127.0.0.1:${PORT[jetty-s3]}" | tee -a "$WORK/small.keyhole" | sed 's/^/  keyhole req\/s p50ms p99ms errors keyholeCPUus s3proxyCPUus: /'
    run_wrk keyhole "http://127.0.0.1:${PORT[jetty-s3-cached]}" jetty-s3-cached | tee -a "$WORK/small.cached" | sed 's/^/  cached  req\/s p50ms p99ms errors keyholeCPUus s3proxyCPUus: /'
done
DS="$(cut -d' ' -f1 "$WORK/small.direct" | median)"; KS="$(cut -d' ' -f1 "$WORK/small.keyhole" | median)"
CS="$(cut -d' ' -f1 "$WORK/small.cached" | median)"
python3 -c "print(f'  median req/s: direct {$DS:.0f}  keyhole {$KS:.0f}  ratio {$KS/$DS:.2f}  cached {$CS:.0f}  ratio {$CS/$DS:.2f}')"
LOAD_SMALL="$(cat /proc/loadavg)"

# ---- delivery=redirect
ID1="$(head -1 "$WORK/ids")"
RD="http://127.0.0.1:${PORT[jetty-s3-redirect]}/files/$ID1"
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$RD"
echo "delivery=redirect (one 4 KiB object):"
curl -s -o /dev/null -w '  302 from Keyhole: status %{http_code}, body bytes %{size_download}, %{time_total}s\n' \
    -H "Authorization: Bearer $TOKEN" "$RD"
curl -s -L -o /dev/null -w '  followed: status %{http_code}, redirects %{num_redirects}, body bytes %{size_download}, %{time_total}s\n' \
    -H "Authorization: Bearer $TOKEN" "$RD"
curl -s -o /dev/null -w '  direct: status %{http_code}, body bytes %{size_download}, %{time_total}s\n' "$S3/bench/$(relative "$ID1")"

# ---- 1 GiB under -Xmx64m
if [ -z "${SKIP_HUGE:-}" ]; then
kill "${PID[jetty-s3]}"; wait "${PID[jetty-s3]}" 2>/dev/null || true
start_keyhole jetty-s3 64m
KH="http://127.0.0.1:${PORT[jetty-s3]}/files"
echo "1 GiB through Keyhole with -Xmx64m:"
: > "$WORK/heap"
( while kill -0 "${PID[jetty-s3]}" 2>/dev/null; do
      jcmd "${PID[jetty-s3]}" GC.heap_info 2>/dev/null | awk '/garbage-first heap|def new generation|PSYoungGen|total/ {print; exit}' >> "$WORK/heap"
      sleep 1
  done ) &
SAMPLER=$!
GOT="$(curl -sf -H "Authorization: Bearer $TOKEN" "$KH/$HUGE" | sha256sum | cut -d' ' -f1)"
kill "$SAMPLER" 2>/dev/null || true
[ "$GOT" = "$HUGE_SHA" ] && echo "  SHA-256 matches" || echo "  SHA-256 DIFFERS: $GOT vs $HUGE_SHA"
echo "  heap samples during the transfer (jcmd GC.heap_info):"
sed 's/^/    /' "$WORK/heap"
echo "  server RSS after: $(awk '/VmRSS/ {print $2, $3}' "/proc/${PID[jetty-s3]}/status")"
fi
echo "loadavg after: $(cat /proc/loadavg)"

# ---- the table: ratios of the same run, CPU per request of both JVMs (medians of the rounds)
python3 - "$D100" "$K100" "$C100" "$WORK/small.direct" "$WORK/small.keyhole" "$WORK/small.cached" "$LOAD_BIG" "$LOAD_SMALL" "$FILES" "$CONNECTIONS" <<'PY'
import statistics, sys
d100, k100, c100, sd, sk, sc, load_big, load_small, files, conns = sys.argv[1:]
rows = lambda f: [l.split() for l in open(f) if l.strip()]
col = lambda rs, i: statistics.median(float(r[i]) for r in rs)
d, k, c = rows(sd), rows(sk), rows(sc)
mib = lambda b: float(b) / 1048576
print()
print("| measure | direct from S3Proxy | through Keyhole | ratio | target | loadavg |")
print("|---|---|---|---|---|---|")
print(f"| 100 MiB, median MiB/s | {mib(d100):.0f} | {mib(k100):.0f} | {float(k100) / float(d100):.2f} | >= 0.8 | {load_big} |")
print(f"| 4 KiB, {files} random objects, {conns} connections, median req/s | {col(d, 0):.0f} | {col(k, 0):.0f}"
      f" | {col(k, 0) / col(d, 0):.2f} | >= 0.7 | {load_small} |")
print(f"| 4 KiB p50 / p99 ms | {col(d, 1):.1f} / {col(d, 2):.1f} | {col(k, 1):.1f} / {col(k, 2):.1f} | | | |")
print(f"| CPU per 4 KiB request, Keyhole JVM, us | - | {col(k, 4):.0f} | | | |")
print(f"| CPU per 4 KiB request, S3Proxy, us | {col(d, 5):.0f} | {col(k, 5):.0f} | | | |")
print(f"| open-cache-valid=5s: 100 MiB, median MiB/s | {mib(d100):.0f} | {mib(c100):.0f} | {float(c100) / float(d100):.2f} | >= 0.8 | |")
print(f"| open-cache-valid=5s: 4 KiB, median req/s | {col(d, 0):.0f} | {col(c, 0):.0f} | {col(c, 0) / col(d, 0):.2f} | >= 0.7 | |")
print(f"| open-cache-valid=5s: 4 KiB p50 / p99 ms | | {col(c, 1):.1f} / {col(c, 2):.1f} | | | |")
print(f"| open-cache-valid=5s: CPU per 4 KiB request, Keyhole JVM / S3Proxy, us | | {col(c, 4):.0f} / {col(c, 5):.0f} | | | |")
PY
