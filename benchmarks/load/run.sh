#!/usr/bin/env bash
# Load harness: serves the same files (4 KiB, 256 KiB, 100 MiB) from Keyhole on Jetty and on
# Tomcat, from both containers' own DefaultServlets, from nginx, and through nginx in X-Accel mode
# (Keyhole, and a trivial upstream that only sets the header), drives each with wrk on 127.0.0.1,
# and prints requests/s, MiB/s, p50/p99 latency, server RSS, and each Keyhole row as a ratio to
# its container's DefaultServlet and to nginx. Then serves a sparse 1 GiB file through Keyhole on
# each container with -Xmx64m and checks its SHA-256.
#
#   benchmarks/load/run.sh            # build, then measure (about 11 minutes)
#   SKIP_BUILD=1 DURATION=5 ROUNDS=1 benchmarks/load/run.sh
#
# Needs: a JDK 17+, nginx (/usr/sbin/nginx), wrk, curl, python3 (apt-get install nginx wrk curl).
# All traffic stays on 127.0.0.1; every wrk run is bounded in time.
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO="$PWD"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
DURATION="${DURATION:-3}"       # seconds measured per row and round
WARMUP="${WARMUP:-1}"           # seconds of load before each measurement, not counted
FIRST_WARMUP="${FIRST_WARMUP:-12}" # seconds of 4 KiB load on each server before anything is measured (JIT)
ROUNDS="${ROUNDS:-4}"           # rounds per size, alternately in forward and reverse row order; the table shows medians
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
HEAP="${HEAP:-256m}"

for tool in java wrk curl python3 /usr/sbin/nginx; do
    command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi
LIB="$REPO/benchmarks/target/lib"
JAR="$REPO/benchmarks/target/benchmarks.jar"
# One JVM per server, each with one container's jars only: Tomcat 11 carries its own (newer)
# servlet API, which must not meet Jetty's.
jetty_cp="$JAR:$(ls "$LIB"/*.jar | grep -v -e '/tomcat-' | paste -sd:)"
tomcat_cp="$JAR:$(ls "$LIB"/*.jar | grep -v -e '/jetty-' -e '/jakarta.servlet-api-' | paste -sd:)"

WORK="$(mktemp -d /tmp/keyhole-load.XXXXXX)"
ROOT="$WORK/tree"
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

# ---- files: the same bytes for every server
declare -A ID=([4k]=4b1d2a6c0e8f4a3b9c7d5e1f2a3b4c5d [256k]=256a0c1e2f3a4b5c6d7e8f9a0b1c2d3e [100m]=100b9e8d7c6b5a4f3e2d1c0b9a8f7e6d [1g]=1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d)
declare -A SIZE=([4k]=4096 [256k]=262144 [100m]=104857600)
for s in 4k 256k 100m; do
    f="$ROOT/$(relative "${ID[$s]}")"
    mkdir -p "$(dirname "$f")"
    head -c "${SIZE[$s]}" /dev/urandom > "$f"
done
big="$ROOT/$(relative "${ID[1g]}")"
mkdir -p "$(dirname "$big")"
truncate -s 1G "$big"   # sparse: served from the page cache's zero pages, cheap to hash
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/jwt.key"
TOKEN="$(java -cp "$jetty_cp" io.keyhole.benchmarks.load.LoadServer token "$WORK/jwt.key")"

# ---- servers
declare -A PORT PID
start_java() { # kind heap
    local kind="$1" heap="$2" cp port
    case "$kind" in tomcat-*) cp="$tomcat_cp" ;; *) cp="$jetty_cp" ;; esac
    port="$(free_port)"
    java -Xmx"$heap" -Xms"$heap" -cp "$cp" io.keyhole.benchmarks.load.LoadServer \
        "$kind" "$port" "$ROOT" "$WORK/jwt.key" > "$WORK/$kind.log" 2>&1 &
    PIDS+=("$!")
    PID[$kind]=$!
    PORT[$kind]=$port
}
wait_ready() { # kind
    for _ in $(seq 600); do
        if grep -q '^READY' "$WORK/$1.log" 2>/dev/null; then return 0; fi
        if ! kill -0 "${PID[$1]}" 2>/dev/null; then break; fi
        sleep 0.1
    done
    echo "$1 did not start:" >&2
    cat "$WORK/$1.log" >&2
    exit 1
}

JAVA_KINDS=(jetty-keyhole jetty-keyhole-stream jetty-default jetty-accel jetty-trivial tomcat-keyhole tomcat-keyhole-stream tomcat-default)
for kind in "${JAVA_KINDS[@]}"; do start_java "$kind" "$HEAP"; done
for kind in "${JAVA_KINDS[@]}"; do wait_ready "$kind"; done

PORT[nginx-static]="$(free_port)"
PORT[nginx-keyhole]="$(free_port)"
PORT[nginx-trivial]="$(free_port)"
mkdir -p "$WORK/nginx"
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
    upstream keyhole { server 127.0.0.1:${PORT[jetty-accel]}; keepalive 64; }
    upstream trivial { server 127.0.0.1:${PORT[jetty-trivial]}; keepalive 64; }
    server { listen 127.0.0.1:${PORT[nginx-static]}; root $ROOT; }
    server {
        listen 127.0.0.1:${PORT[nginx-keyhole]};
        location /files/ { proxy_pass http://keyhole; proxy_http_version 1.1; proxy_set_header Connection ""; }
        location /protected/ { internal; alias $ROOT/; }
    }
    server {
        listen 127.0.0.1:${PORT[nginx-trivial]};
        location /files/ { proxy_pass http://trivial; proxy_http_version 1.1; proxy_set_header Connection ""; }
        location /protected/ { internal; alias $ROOT/; }
    }
}
NGINX
/usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
PIDS+=("$!")
NGINX_PID=$!
for kind in nginx-static nginx-keyhole nginx-trivial; do PID[$kind]=$NGINX_PID; done
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:${PORT[nginx-static]}/$(relative "${ID[4k]}")" && break
    sleep 0.1
done

url() { # row size
    case "$1" in
        nginx-static | jetty-default | tomcat-default) echo "http://127.0.0.1:${PORT[$1]}/$(relative "${ID[$2]}")" ;;
        *) echo "http://127.0.0.1:${PORT[$1]}/files/${ID[$2]}" ;;
    esac
}

# Every row answers the same bytes before anything is measured.
for row in nginx-static jetty-default tomcat-default jetty-keyhole jetty-keyhole-stream tomcat-keyhole tomcat-keyhole-stream nginx-trivial nginx-keyhole; do
    for s in 4k 256k; do
        got="$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url "$row" "$s")" | sha256sum)"
        want="$(sha256sum < "$ROOT/$(relative "${ID[$s]}")")"
        if [ "$got" != "$want" ]; then
            echo "$row does not serve the $s file correctly" >&2
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

ROWS=(nginx-static jetty-default jetty-keyhole jetty-keyhole-stream tomcat-default tomcat-keyhole tomcat-keyhole-stream nginx-trivial nginx-keyhole)
RESULTS="$OUT/results.tsv"
: > "$RESULTS"
measure() { # row size round
    local row="$1" s="$2" u line peak=0 peak_anon=0 sampler
    u="$(url "$row" "$s")"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 30s -H "Authorization: Bearer $TOKEN" "$u" > /dev/null
    ( while true; do rss_of "${PID[$row]}"; sleep 0.5; done ) > "$WORK/rss" &
    sampler=$!
    line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency -s "$REPO/benchmarks/load/report.lua" \
        -H "Authorization: Bearer $TOKEN" "$u" | grep '^RESULT')"
    kill "$sampler"; wait "$sampler" 2>/dev/null || true
    read -r peak peak_anon < <(sort -n "$WORK/rss" | tail -1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$s" "$3" "${line#RESULT }" "${peak:-0}" "${peak_anon:-0}" >> "$RESULTS"
    printf '  %-22s %-5s round %s: %s\n' "$row" "$s" "$3" "${line#RESULT }"
}

echo "Warming up every server for ${FIRST_WARMUP}s"
for row in "${ROWS[@]}"; do
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${FIRST_WARMUP}s" --timeout 30s -H "Authorization: Bearer $TOKEN" "$(url "$row" 4k)" > /dev/null
done
echo "Measuring: ${ROUNDS} round(s) x ${DURATION}s per row and size (${WARMUP}s warm-up each), wrk -t${THREADS} -c${CONNECTIONS}"
for s in 4k 256k 100m; do
    for round in $(seq "$ROUNDS"); do
        if [ $((round % 2)) -eq 1 ]; then order=("${ROWS[@]}"); else order=(); for ((i=${#ROWS[@]}-1; i>=0; i--)); do order+=("${ROWS[$i]}"); done; fi
        for row in "${order[@]}"; do measure "$row" "$s" "$round"; done
    done
done

for kind in "${JAVA_KINDS[@]}"; do
    kill "${PID[$kind]}" 2>/dev/null || true
done

# ---- a 1 GiB file under -Xmx64m: no buffer may grow with the file
echo
echo "Serving a 1 GiB file through Keyhole with -Xmx64m:"
want="$(sha256sum < "$big" | cut -d' ' -f1)"
HEAPCHECK="$OUT/heap-check.txt"
: > "$HEAPCHECK"
for kind in jetty-keyhole tomcat-keyhole; do
    start_java "$kind" 64m
    wait_ready "$kind"
    got="$(curl -sf -H "Authorization: Bearer $TOKEN" "$(url "$kind" 1g)" | sha256sum | cut -d' ' -f1)"
    heap="$(jcmd "${PID[$kind]}" GC.heap_info 2>/dev/null | awk '/garbage-first heap|total/ {print; exit}' || true)"
    read -r rss anon < <(rss_of "${PID[$kind]}")
    verdict=$([ "$got" = "$want" ] && echo "ok" || echo "FAILED")
    printf '  %-16s -Xmx64m  sha256 %s  (%s)  RSS %d MiB (anon %d MiB)  %s\n' "$kind" "${got:0:16}" "$verdict" \
        $((rss / 1024)) $((anon / 1024)) "$heap" | tee -a "$HEAPCHECK"
    kill "${PID[$kind]}"
    [ "$verdict" = ok ] || exit 1
done

echo
python3 "$REPO/benchmarks/load/table.py" "$RESULTS" | tee "$OUT/results.md"
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem/ {print $2}') GiB;" \
    "load average before the run: ${LOAD_BEFORE:-n/a}; $(java -version 2>&1 | head -1); $(/usr/sbin/nginx -v 2>&1); wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}')" | tee -a "$OUT/results.md"
