#!/usr/bin/env bash
# Load harness: serves FILES random files per size class (4 KiB, 256 KiB; BIG_FILES of 100 MiB)
# from Keyhole in every deployment users run — `keyhole serve`, Jetty (plain context and a web.xml
# WebAppContext), Tomcat (plain and behind a wrapping filter), nginx in X-Accel mode — and from
# the containers' own DefaultServlets, nginx static and nginx + a trivial upstream. Keyhole asks a
# JSON backend on a Unix socket, in a process of its own, with the decision cache on and off (an
# in-process authoriser is the baseline for the socket's cost). wrk on 127.0.0.1 asks for a random
# file on every request, with the same JWT. Prints requests/s, MiB/s, p50/p99 latency, the server's
# CPU per request (from /proc/<pid>/stat; the backend's separately), RSS, and the ratios the
# targets name. Then serves a sparse 1 GiB file through Keyhole on each container with -Xmx64m
# and checks its SHA-256. Each measurement's line also says how much of the server's CPU was the
# kernel's (system time), how often its threads slept per request (voluntary context switches:
# waiting for the backend, a lock, the network), and what share of the machine's CPU time the
# hypervisor stole during it (/proc/stat).
#
#   benchmarks/load/run.sh                  # build, then measure every row (about 25 minutes)
#   QUICK=1 benchmarks/load/run.sh          # 4 KiB only, one round of 2 s, JIT not settled (about 3 minutes)
#   SKIP_BUILD=1 ROWS="nginx-static jetty-keyhole" SIZES="4k 256k" DURATION=5 ROUNDS=1 benchmarks/load/run.sh
#   SERVER_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/jfr/,settings=profile" ...   # profile the JVM servers
#   python3 benchmarks/load/table.py results.tsv earlier.tsv ...   # the tables of the first run, then each
#                                           # target paired by round over all the runs given (medians, 90 % intervals)
#
# Rows (ROWS, space-separated; default all but the -stream ones):
#   nginx-static nginx-trivial nginx-keyhole nginx-keyhole-nocache serve serve-nocache
#   jetty-default jetty-keyhole-inproc jetty-keyhole-nocache jetty-keyhole-kept jetty-keyhole jetty-webapp jetty-keyhole-stream
#   tomcat-default tomcat-keyhole-inproc tomcat-keyhole-nocache tomcat-keyhole-kept tomcat-keyhole tomcat-war tomcat-wrapped tomcat-valve tomcat-keyhole-stream
# A Keyhole row without a suffix asks the socket backend with auth-cache-ttl=$CACHE_TTL (and keeps files
# open for open-cache-valid=5s, as long as Tomcat's resource cache trusts what it read); -nocache
# asks it on every request; -kept asks it on every request over connections kept between questions
# (auth-keep-alive=64); -inproc asks an in-process authoriser that grants everything.
#
# Needs: a JDK 17+, nginx (/usr/sbin/nginx), wrk, curl, python3 (apt-get install nginx wrk curl).
# All traffic stays on 127.0.0.1 and a Unix socket; every wrk run is bounded in time.
set -euo pipefail
# The whole script is one block, which bash reads to its end before running any of it: editing
# this file while a run is under way (most of an hour) cannot change what that run does next.
{

cd "$(dirname "$0")/../.."
REPO="$PWD"
LOAD_BEFORE="$(cat /proc/loadavg)"
STARTED=$SECONDS
ALL_ROWS="nginx-static nginx-trivial nginx-keyhole nginx-keyhole-nocache serve serve-nocache jetty-default jetty-keyhole-inproc jetty-keyhole-nocache jetty-keyhole-kept jetty-keyhole jetty-webapp tomcat-default tomcat-keyhole-inproc tomcat-keyhole-nocache tomcat-keyhole-kept tomcat-keyhole tomcat-war tomcat-wrapped tomcat-valve"
if [ -n "${QUICK:-}" ]; then
    : "${SIZES:=4k}" "${ROUNDS:=1}" "${DURATION:=2}" "${FIRST_WARMUP:=3}" "${SETTLE_MAX:=0}" "${HEAP_CHECK:=0}"
fi
ROWS="${ROWS:-$ALL_ROWS}"
SIZES="${SIZES:-4k 256k 100m}"
DURATION="${DURATION:-3}"       # seconds measured per row and round
WARMUP="${WARMUP:-1}"           # seconds of load before each measurement, not counted
FIRST_WARMUP="${FIRST_WARMUP:-8}" # seconds of 4 KiB load on each server before anything is measured (JIT, caches)
SETTLE_MAX="${SETTLE_MAX:-90}"  # then up to this many more seconds of load, until the server's JIT compiles no more
ROUNDS="${ROUNDS:-3}"           # rounds per size, alternately in forward and reverse row order; the table shows medians
CONNECTIONS="${CONNECTIONS:-64}"
SERVE_MAX_PER_CLIENT="${SERVE_MAX_PER_CLIENT:-$CONNECTIONS}" # keyhole serve's max-requests-per-client (its default: 16)
THREADS="${THREADS:-2}"
HEAP="${HEAP:-256m}"
FILES="${FILES:-1000}"          # random files per size class (4 KiB, 256 KiB)
BIG_FILES="${BIG_FILES:-20}"    # random files of 100 MiB (2 GiB of disk and page cache at 20)
CACHE_TTL="${CACHE_TTL:-1h}"    # auth-cache-ttl of the rows with the decision cache on
HEAP_CHECK="${HEAP_CHECK:-1}"   # serve a 1 GiB file under -Xmx64m afterwards
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}" # more JVM options for the servers measured (e.g. a JFR recording)

for tool in java jstat wrk curl python3 /usr/sbin/nginx; do
    command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done
for row in $ROWS; do
    case " $ALL_ROWS jetty-keyhole-stream tomcat-keyhole-stream " in
        *" $row "*) ;;
        *) echo "unknown row $row; rows: $ALL_ROWS jetty-keyhole-stream tomcat-keyhole-stream" >&2; exit 1 ;;
    esac
done
for s in $SIZES; do
    case "$s" in 4k | 256k | 100m) ;; *) echo "unknown size $s; sizes: 4k 256k 100m" >&2; exit 1 ;; esac
done

if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -B -q -pl benchmarks,cli -am package -DskipTests
fi
LIB="$REPO/benchmarks/target/lib"
JAR="$REPO/benchmarks/target/benchmarks.jar"
SERVE_JAR="$REPO/cli/target/keyhole.jar"   # `keyhole serve` as users start it: the shaded jar
# One JVM per server, each with one container's jars and Keyhole's adapter for it only: Tomcat 11
# carries its own (newer) servlet API, which must not meet Jetty's.
jetty_cp="$JAR:$(ls "$LIB"/*.jar | grep -v -e '/tomcat-' -e '/keyhole-tomcat-' | paste -sd:)"
tomcat_cp="$JAR:$(ls "$LIB"/*.jar | grep -v -e '/jetty-' -e '/keyhole-jetty-' -e '/jakarta.servlet-api-' | paste -sd:)"

WORK="$(mktemp -d /tmp/keyhole-load.XXXXXX)"
ROOT="$WORK/tree"
SOCKET="$WORK/backend.sock"
OUT="$REPO/benchmarks/target/load"
mkdir -p "$OUT"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
relative() { # a/b/c/d/<id> for a tree of depth 4
    local id="$1"
    echo "${id:0:1}/${id:1:1}/${id:2:1}/${id:3:1}/$id"
}

# ---- files: random ids and random bytes, the same for every server; ids/<size> lists them
declare -A SIZE=([4k]=4096 [256k]=262144 [100m]=104857600)
declare -A COUNT=([4k]=$FILES [256k]=$FILES [100m]=$BIG_FILES)
mkdir -p "$WORK/ids"
echo "Writing the files: $(for s in $SIZES; do printf '%s x %s  ' "${COUNT[$s]}" "$s"; done)"
for s in $SIZES; do
    python3 - "$ROOT" "${SIZE[$s]}" "${COUNT[$s]}" "$WORK/ids/$s" <<'PY'
import os, sys
root, size, count, ids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(ids, "w") as out:
    for _ in range(count):
        fid = os.urandom(16).hex()
        d = os.path.join(root, *fid[:4])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, fid), "wb") as f:
            left = size
            while left:
                n = min(left, 1 << 20)
                f.write(os.urandom(n))
                left -= n
        out.write(fid + "\n")
PY
done
BIG_ID=1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d
big="$ROOT/$(relative "$BIG_ID")"
if [ "$HEAP_CHECK" = 1 ]; then
    mkdir -p "$(dirname "$big")"
    truncate -s 1G "$big"   # sparse: served from the page cache's zero pages, cheap to hash
fi
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/jwt.key"
TOKEN="$(java -cp "$jetty_cp" io.keyhole.benchmarks.load.LoadServer token "$WORK/jwt.key")"

# ---- which processes the rows need
declare -A PORT PID CPU_PIDS
needs_backend=""
KINDS=()        # LoadServer kinds to start
SERVES=()       # keyhole serve instances
NGINX_ROWS=()
for row in $ROWS; do
    case "$row" in
        nginx-static) NGINX_ROWS+=("$row") ;;
        nginx-trivial) NGINX_ROWS+=("$row"); KINDS+=(jetty-trivial) ;;
        nginx-keyhole) NGINX_ROWS+=("$row"); KINDS+=(jetty-accel) ;;
        nginx-keyhole-nocache) NGINX_ROWS+=("$row"); KINDS+=(jetty-accel-nocache) ;;
        serve | serve-nocache) SERVES+=("$row") ;;
        *) KINDS+=("$row") ;;
    esac
    case "$row" in
        *-default | nginx-static | nginx-trivial | *-inproc) ;;
        *) needs_backend=1 ;;
    esac
done

wait_for() { # name pid test-command...: until the command succeeds, the process dies, or 180 s pass
    local name="$1" pid="$2"
    shift 2
    for _ in $(seq 1800); do
        if "$@" 2>/dev/null; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "$name did not start:" >&2
    cat "$WORK/$name.log" >&2 2>/dev/null || true
    exit 1
}
answers() { # port: whether anything answers HTTP there
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/")" != 000 ]
}

BACKEND_PID=""
NGINX_PID=""
if [ -n "$needs_backend" ]; then
    # the backend in its own JVM, as an application's authorisation service runs
    java -Xmx"$HEAP" -Xms"$HEAP" -cp "$jetty_cp" io.keyhole.benchmarks.load.LoadServer backend "$SOCKET" \
        > "$WORK/backend.log" 2>&1 &
    PIDS+=("$!")
    BACKEND_PID=$!
    wait_for backend "$BACKEND_PID" grep -q '^READY' "$WORK/backend.log"
fi

start_java() { # kind heap
    local kind="$1" heap="$2" cp port
    case "$kind" in tomcat-*) cp="$tomcat_cp" ;; *) cp="$jetty_cp" ;; esac
    port="$(free_port)"
    # shellcheck disable=SC2086
    java -Xmx"$heap" -Xms"$heap" $SERVER_JAVA_OPTS -cp "$cp" io.keyhole.benchmarks.load.LoadServer \
        "$kind" "$port" "$ROOT" "$WORK/jwt.key" "$SOCKET" "$CACHE_TTL" > "$WORK/$kind.log" 2>&1 &
    PIDS+=("$!")
    PID[$kind]=$!
    PORT[$kind]=$port
}
start_serve() { # row
    local row="$1" ttl="$CACHE_TTL"
    [ "$row" = serve-nocache ] && ttl=0
    PORT[$row]="$(free_port)"
    { echo "listen=127.0.0.1:${PORT[$row]}"
      # wrk's connections stand for that many clients, all from 127.0.0.1: the per-client limit is
      # raised to their number (its bookkeeping still runs on every request)
      echo "max-requests-per-client=$SERVE_MAX_PER_CLIENT"
      java -cp "$jetty_cp" io.keyhole.benchmarks.load.LoadServer properties "$ROOT" "$WORK/jwt.key" "$SOCKET" "$ttl"
    } > "$WORK/$row.properties"
    # shellcheck disable=SC2086
    java -Xmx"$HEAP" -Xms"$HEAP" $SERVER_JAVA_OPTS -jar "$SERVE_JAR" serve --config "$WORK/$row.properties" > "$WORK/$row.log" 2>&1 &
    PIDS+=("$!")
    PID[$row]=$!
}
for kind in "${KINDS[@]}"; do start_java "$kind" "$HEAP"; done
for row in "${SERVES[@]}"; do start_serve "$row"; done
for kind in "${KINDS[@]}"; do wait_for "$kind" "${PID[$kind]}" grep -q '^READY' "$WORK/$kind.log"; done
for row in "${SERVES[@]}"; do wait_for "$row" "${PID[$row]}" answers "${PORT[$row]}"; done

if [ ${#NGINX_ROWS[@]} -gt 0 ]; then
    mkdir -p "$WORK/nginx"
    servers=""
    for row in "${NGINX_ROWS[@]}"; do
        PORT[$row]="$(free_port)"
        case "$row" in
            nginx-static) servers+="    server { listen 127.0.0.1:${PORT[$row]}; root $ROOT; }"$'\n' ;;
            *)
                case "$row" in nginx-trivial) up=jetty-trivial ;; nginx-keyhole) up=jetty-accel ;; *) up=jetty-accel-nocache ;; esac
                servers+="    upstream $row { server 127.0.0.1:${PORT[$up]}; keepalive 64; }
    server {
        listen 127.0.0.1:${PORT[$row]};
        location /files/ { proxy_pass http://$row; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
        location /protected/ { internal; alias $ROOT/; }
    }"$'\n' ;;
        esac
    done
    cat > "$WORK/nginx/nginx.conf" <<NGINX
user root;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
$servers}
NGINX
    /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
    PIDS+=("$!")
    NGINX_PID=$!
    for row in "${NGINX_ROWS[@]}"; do PID[$row]=$NGINX_PID; done
    wait_for nginx "$NGINX_PID" answers "${PORT[${NGINX_ROWS[0]}]}"
fi
echo "Started $(wc -w <<< "${KINDS[*]} ${SERVES[*]}") JVM servers${BACKEND_PID:+, the backend}${NGINX_PID:+ and nginx} (+$((SECONDS - STARTED))s)"

# The processes whose CPU counts as the row's server: nginx with its upstream in X-Accel mode.
for row in $ROWS; do
    case "$row" in
        nginx-trivial) CPU_PIDS[$row]="$NGINX_PID ${PID[jetty-trivial]}" ;;
        nginx-keyhole) CPU_PIDS[$row]="$NGINX_PID ${PID[jetty-accel]}" ;;
        nginx-keyhole-nocache) CPU_PIDS[$row]="$NGINX_PID ${PID[jetty-accel-nocache]}" ;;
        *) CPU_PIDS[$row]="${PID[$row]}" ;;
    esac
done

base_url() { # row: the URL the random paths are appended to
    case "$1" in
        nginx-static | jetty-default | tomcat-default) echo "http://127.0.0.1:${PORT[$1]}/" ;;
        *) echo "http://127.0.0.1:${PORT[$1]}/files/" ;;
    esac
}
layout() { # row: how report.lua names a file below the base URL
    case "$1" in nginx-static | jetty-default | tomcat-default) echo tree ;; *) echo files ;; esac
}
url() { # row size id
    if [ "$(layout "$1")" = tree ]; then echo "$(base_url "$1")$(relative "$3")"; else echo "$(base_url "$1")$3"; fi
}

# Every row answers the same bytes before anything is measured (the first file of each size;
# 100 MiB only when it is the one size measured).
check_sizes="$(for s in $SIZES; do if [ "$s" != 100m ]; then echo "$s"; fi; done)"
[ -n "$check_sizes" ] || check_sizes=100m
for row in $ROWS; do
    for s in $check_sizes; do
        id="$(head -1 "$WORK/ids/$s")"
        got="$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url "$row" "$s" "$id")" | sha256sum)"
        want="$(sha256sum < "$ROOT/$(relative "$id")")"
        if [ "$got" != "$want" ]; then
            echo "$row does not serve the $s file $id correctly" >&2
            exit 1
        fi
    done
done

rss_of() { # pid → "rss_kib anon_kib", nginx: master and workers together
    local total=0 anon=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        read -r r a < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r+0, a+0}' "/proc/$p/status" 2>/dev/null || echo "0 0")
        total=$((total + r)); anon=$((anon + a))
    done
    echo "$total $anon"
}
ticks_of() { # pids… → user+system clock ticks of them and their children (nginx's workers)
    stat_ticks '$12 + $13' "$@"
}
system_ticks_of() { # pids… → the system (kernel) part of ticks_of
    stat_ticks '$13' "$@"
}
stat_ticks() { # awk-expression pids…: the sum of the expression over fields 14 on of /proc/<pid>/stat
    local expression="$1" total=0 p t
    shift
    for p in $(for q in "$@"; do echo "$q"; pgrep -P "$q" || true; done); do
        # fields 14 and 15 of /proc/<pid>/stat are $12 and $13 here; the name in brackets may hold spaces
        t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk "{print $expression}")"
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
HZ="$(getconf CLK_TCK)"
switches_of() { # pids… → voluntary context switches of all their threads (a thread that slept: waited for I/O or a lock)
    local p
    for p in $(for q in "$@"; do echo "$q"; pgrep -P "$q" || true; done); do
        cat "/proc/$p/task/"*/status 2>/dev/null
    done | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n + 0}'
}

steal_of() { # → jiffies the hypervisor took from this machine's CPUs so far, and all jiffies (/proc/stat)
    awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print $9, t; exit}' /proc/stat
}

load_wrk() { # row size seconds [extra wrk options…]: wrk with a random file per request
    local row="$1" s="$2" d="$3"
    shift 3
    wrk -t"$THREADS" -c"${WRK_CONNECTIONS:-$CONNECTIONS}" -d"${d}s" --timeout 30s "$@" -s "$REPO/benchmarks/load/report.lua" \
        -H "Authorization: Bearer $TOKEN" "$(base_url "$row")" -- "$WORK/ids/$s" "$(layout "$row")"
}

# Asks a row once for every file of a size (eight at a time): fills the decision cache, as the
# pages of a site would, warms the page cache, and checks that every file is there (200).
visit_all() { # row size
    local row="$1" s="$2" id bad
    while read -r id; do
        printf 'url = "%s"\noutput = "/dev/null"\n' "$(url "$row" "$s" "$id")"
    done < "$WORK/ids/$s" > "$WORK/visit.cfg"
    bad="$(curl -s -Z --parallel-max 8 -H "Authorization: Bearer $TOKEN" -w '%{http_code}\n' -K "$WORK/visit.cfg" \
        2> "$WORK/visit.err" | grep -cv '^200$' || true)"
    if [ "$bad" != 0 ]; then
        echo "$row: $bad of the $s files not answered with 200" >&2
        cat "$WORK/visit.err" >&2
        exit 1
    fi
}

RESULTS="$OUT/results.tsv"
: > "$RESULTS"
measure() { # row size round
    local row="$1" s="$2" line peak=0 peak_anon=0 sampler cpu0 cpu1 sw0 sw1 be0=0 be1=0 load st0 st1 all0 all1 steal
    load_wrk "$row" "$s" "$WARMUP" > /dev/null
    ( while true; do rss_of "${PID[$row]}"; sleep 0.5; done ) > "$WORK/rss" &
    sampler=$!
    load="$(cut -d' ' -f1 /proc/loadavg)"
    # shellcheck disable=SC2086
    cpu0="$(ticks_of ${CPU_PIDS[$row]})"
    # shellcheck disable=SC2086
    sys0="$(system_ticks_of ${CPU_PIDS[$row]})"
    # shellcheck disable=SC2086
    sw0="$(switches_of ${CPU_PIDS[$row]})"
    [ -n "$BACKEND_PID" ] && be0="$(ticks_of "$BACKEND_PID")"
    read -r st0 all0 < <(steal_of)
    line="$(load_wrk "$row" "$s" "$DURATION" --latency | grep '^RESULT')"
    read -r st1 all1 < <(steal_of)
    steal="$(awk -v s=$((st1 - st0)) -v t=$((all1 - all0)) 'BEGIN {printf "%.1f", (t > 0 ? 100 * s / t : 0)}')"
    # shellcheck disable=SC2086
    cpu1="$(ticks_of ${CPU_PIDS[$row]})"
    # shellcheck disable=SC2086
    sys1="$(system_ticks_of ${CPU_PIDS[$row]})"
    # shellcheck disable=SC2086
    sw1="$(switches_of ${CPU_PIDS[$row]})"
    [ -n "$BACKEND_PID" ] && be1="$(ticks_of "$BACKEND_PID")"
    kill "$sampler"; wait "$sampler" 2>/dev/null || true
    read -r peak peak_anon < <(sort -n "$WORK/rss" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$s" "$3" "${line#RESULT }" "${peak:-0}" "${peak_anon:-0}" \
        $((cpu1 - cpu0)) $((be1 - be0)) "$HZ" "$load" "$steal" >> "$RESULTS"
    printf '  %-22s %-5s round %s: %s  cpu %s ticks (system %s), backend %s, server sleeps %s per request  (load %s, steal %s %%)\n' "$row" "$s" "$3" \
        "${line#RESULT }" $((cpu1 - cpu0)) $((sys1 - sys0)) $((be1 - be0)) "$(awk -v n=$((sw1 - sw0)) -v r="${line#RESULT }" \
        'BEGIN {split(r, f, " "); printf "%.2f", (f[1] > 0 ? n / f[1] : 0)}')" "$load" "$steal"
}

compiled_of() { # pids… → methods the JIT has compiled so far in those of them that are JVMs (jstat)
    local total=0 p n
    for p in "$@"; do
        n="$(jstat -compiler "$p" 2>/dev/null | awk 'NR == 2 {print $1}' || true)"
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

# Under wrk's 64 connections the JIT's one C2 thread competes with every request thread for the
# two cores, and its queue took a minute of load to drain: measured then, a JVM's CPU per request
# included its compiler's (11-15 % of it for half a minute). So after the first warm-up each server stays
# under lighter load (8 connections) until a 3 s step adds fewer than 10 compiled methods to it and
# the backend, or SETTLE_MAX seconds have passed.
settle() { # row size
    local row="$1" s="$2" before after waited=0 added=0
    # shellcheck disable=SC2086
    if [ "$SETTLE_MAX" -le 0 ] || [ "$(compiled_of ${CPU_PIDS[$row]})" = 0 ]; then
        return # not asked for, or nginx alone: no JIT
    fi
    # shellcheck disable=SC2086
    before="$(compiled_of ${CPU_PIDS[$row]} $BACKEND_PID)"
    after="$before"
    while [ "$waited" -lt "$SETTLE_MAX" ]; do
        WRK_CONNECTIONS=8 load_wrk "$row" "$s" 3 > /dev/null
        waited=$((waited + 3))
        # shellcheck disable=SC2086
        after="$(compiled_of ${CPU_PIDS[$row]} $BACKEND_PID)"
        added=$((after - before))
        if [ "$added" -lt 10 ]; then
            echo "  $row: JIT settled after ${waited}s more (${after} methods compiled, with the backend's)"
            return
        fi
        before="$after"
    done
    echo "  $row: JIT still compiling after ${waited}s more (${added} methods in the last 3 s)"
}

read -r -a ROW_LIST <<< "$ROWS"
echo "Warming up every server for ${FIRST_WARMUP}s, then until its JIT settles (+$((SECONDS - STARTED))s)"
first_size="$(echo "$SIZES" | awk '{print $1}')"
for row in "${ROW_LIST[@]}"; do
    warm_size="$( [ -f "$WORK/ids/4k" ] && echo 4k || echo "$first_size")"
    load_wrk "$row" "$warm_size" "$FIRST_WARMUP" > /dev/null
    settle "$row" "$warm_size"
done
echo "Measuring: ${ROUNDS} round(s) x ${DURATION}s per row and size (${WARMUP}s warm-up each), wrk -t${THREADS} -c${CONNECTIONS} (+$((SECONDS - STARTED))s)"
for s in $SIZES; do
    echo "Asking every row for each of the ${COUNT[$s]} files of $s once (+$((SECONDS - STARTED))s)"
    for row in "${ROW_LIST[@]}"; do visit_all "$row" "$s"; done
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then order=("${ROW_LIST[@]}"); else order=(); for ((i=${#ROW_LIST[@]}-1; i>=0; i--)); do order+=("${ROW_LIST[$i]}"); done; fi
        for row in "${order[@]}"; do measure "$row" "$s" "$round"; done
    done
done
LOAD_AFTER="$(cat /proc/loadavg)"

for kind in "${KINDS[@]}" "${SERVES[@]}"; do
    kill "${PID[$kind]}" 2>/dev/null || true
done

# ---- a 1 GiB file under -Xmx64m: no buffer may grow with the file
HEAPCHECK="$OUT/heap-check.txt"
: > "$HEAPCHECK"
if [ "$HEAP_CHECK" = 1 ]; then
    echo
    echo "Serving a 1 GiB file through Keyhole with -Xmx64m:"
    want="$(sha256sum < "$big" | cut -d' ' -f1)"
    for kind in jetty-keyhole-inproc tomcat-keyhole-inproc; do
        start_java "$kind" 64m
        wait_for "$kind" "${PID[$kind]}" grep -q '^READY' "$WORK/$kind.log"
        got="$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url "$kind" 1g "$BIG_ID")" | sha256sum | cut -d' ' -f1)"
        heap="$(jcmd "${PID[$kind]}" GC.heap_info 2>/dev/null | awk '/garbage-first heap|total/ {print; exit}' || true)"
        read -r rss anon < <(rss_of "${PID[$kind]}")
        verdict=$([ "$got" = "$want" ] && echo "ok" || echo "FAILED")
        printf '  %-22s -Xmx64m  sha256 %s  (%s)  RSS %d MiB (anon %d MiB)  %s\n' "$kind" "${got:0:16}" "$verdict" \
            $((rss / 1024)) $((anon / 1024)) "$heap" | tee -a "$HEAPCHECK"
        kill "${PID[$kind]}"
        [ "$verdict" = ok ] || exit 1
    done
fi

echo
{
    python3 "$REPO/benchmarks/load/table.py" "$RESULTS"
    echo
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem/ {print $2}') GiB;" \
        "$(java -version 2>&1 | head -1); $(/usr/sbin/nginx -v 2>&1); wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}')."
    echo "Files: $(for s in $SIZES; do printf '%s x %s, ' "${COUNT[$s]}" "$s"; done)random ids, one per request;" \
        "rounds ${ROUNDS} x ${DURATION}s (+${WARMUP}s), wrk -t${THREADS} -c${CONNECTIONS}; auth-cache-ttl=${CACHE_TTL} and open-cache-valid=5s where on."
    echo "/proc/loadavg at the start: ${LOAD_BEFORE}; at the end of the measuring: ${LOAD_AFTER}; whole run $((SECONDS - STARTED)) s."
} | tee "$OUT/results.md"
exit
}
