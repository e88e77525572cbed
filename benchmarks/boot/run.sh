#!/usr/bin/env bash
# Spring Boot's embedded Jetty: Keyhole with renderer=auto (the Jetty renderer) against
# renderer=stream, side by side, 256 KiB random files, wrk on 127.0.0.1; req/s and server CPU
# per request from /proc/<pid>/stat, with /proc/loadavg before and after.
#
#   benchmarks/boot/run.sh 4        # Boot 4.0 (Jetty 12.1, ee11); 3 for Boot 3.5 (Jetty 12.0, ee10)
#   DURATION=5 ROUNDS=4 FILES=200 benchmarks/boot/run.sh 3
#
# Needs: a JDK 17+, wrk, curl, python3. Builds the test-boot module's class path (Jetty only).
set -euo pipefail
B="${1:-4}"; D="${DURATION:-5}"; ROUNDS="${ROUNDS:-4}"; FILES="${FILES:-200}"
cd "$(dirname "$0")/../.."
REPO="$PWD"
WORK="$(mktemp -d /tmp/keyhole-boot.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
./mvnw -B -q -pl "spring-boot-starter/test-boot$B" -am package -DskipTests dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
# Jetty only, and no Spring Security (it would guard every path) nor Actuator
CP="$(tr ':' '\n' < "$WORK/cp.txt" | grep -v -i -e tomcat -e spring-security -e security-oauth2 \
    -e spring-boot-security -e oauth2 -e actuator -e tests.jar -e junit | paste -sd:)"
javac -d "$WORK/classes" -cp "$CP" benchmarks/boot/src/bench/*.java
java -cp "$WORK/classes:$CP" bench.MakeTree "$WORK/tree" "$FILES" 262144 > "$WORK/ids.txt"
cat > "$WORK/random.lua" <<LUA
local ids = {}
for line in io.lines("$WORK/ids.txt") do ids[#ids + 1] = line end
request = function()
  return wrk.format("GET", "/files/" .. ids[math.random(#ids)], {["Authorization"] = "Bearer bench"})
end
LUA
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start() { # renderer port
    java -Xmx256m -cp "$WORK/classes:$CP" bench.BenchApp --server.port="$2" --server.address=127.0.0.1 \
        --keyhole.fs-root="$WORK/tree" --keyhole.fs-depth=2 --keyhole.mount=/files/ --keyhole.credential=session \
        --keyhole.renderer="$1" --logging.level.root=WARN --logging.level.io.keyhole=INFO \
        --logging.level.io.keyhole.observe.AuditLog=WARN --spring.main.banner-mode=off > "$WORK/$1.log" 2>&1 &
    PIDS+=($!)
}
PA=$(port); PS=$(port)
start auto "$PA"; A=${PIDS[-1]}
start stream "$PS"; S=${PIDS[-1]}
ID="$(head -1 "$WORK/ids.txt")"
for p in "$PA" "$PS"; do
    for _ in $(seq 1 120); do
        curl -sf -o /dev/null -H 'Authorization: Bearer x' "http://127.0.0.1:$p/files/$ID" && break
        sleep 1
    done
done
grep -h "delivery" "$WORK/auto.log" "$WORK/stream.log" | sed 's/.*delivery/delivery/'
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() { # pid port -> "req/s cpu-us/req non-2xx-or-socket-error-lines"
    local c0 c1 out reqs rps errs
    c0=$(cpu "$1"); out=$(wrk -t2 -c16 -d"${D}s" -s "$WORK/random.lua" "http://127.0.0.1:$2/files/" 2>&1); c1=$(cpu "$1")
    reqs=$(echo "$out" | awk '/requests in/{print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
    errs=$(echo "$out" | grep -c -e "Non-2xx" -e "Socket errors" || true)
    echo "$rps $(python3 -c "print(round(($c1-$c0)/$(getconf CLK_TCK)*1e6/$reqs,1))") $errs"
}
for _ in 1 2; do run "$A" "$PA" >/dev/null; run "$S" "$PS" >/dev/null; done
echo "loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then order="A S"; else order="S A"; fi
    for w in $order; do
        if [ "$w" = A ]; then echo "round $r zero-copy: $(run "$A" "$PA") (req/s, server CPU µs/req, error lines)"
        else echo "round $r stream:    $(run "$S" "$PS") (req/s, server CPU µs/req, error lines)"; fi
    done
done
echo "loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"
