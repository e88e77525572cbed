#!/usr/bin/env bash
# The download path's HTTP client against the alternatives, on one S3Proxy with 500 random 4 KiB
# objects: keyhole-s3's own (lean), java.net.http.HttpClient (jdk), the AWS SDK (sdk). Two rounds
# of MODES, each WARM s of warm-up and MEASURE s measured, in a fresh JVM per row. Needs the
# benchmarks and s3 modules built (benchmarks/target/lib, s3/target/s3proxy), curl, python3.
#   benchmarks/s3/clients/clients.sh
#   MODES="lean jdk" WARM=20 MEASURE=10 benchmarks/s3/clients/clients.sh
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
CLASSES="$(mktemp -d /tmp/keyhole-clients.XXXXXX)"
javac -d "$CLASSES" -cp "$(ls "$REPO"/benchmarks/target/lib/*.jar | paste -sd:)" "$REPO/benchmarks/s3/clients/ClientBench.java"
W=$(mktemp -d /tmp/cb.XXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p $W/data
cat > $W/conf <<C
s3proxy.endpoint=http://127.0.0.1:$PORT
s3proxy.authorization=none
jclouds.provider=filesystem
jclouds.filesystem.basedir=$W/data
C
java -Xmx512m -jar $REPO/s3/target/s3proxy/s3proxy.jar --properties $W/conf > $W/log 2>&1 &
S3PID=$!
trap 'kill $S3PID; rm -rf "$W" "$CLASSES"' EXIT
for _ in $(seq 600); do grep -q 'Started Server' $W/log && break; sleep 0.1; done
S3=http://127.0.0.1:$PORT
curl -sf -X PUT $S3/bench >/dev/null
python3 - $W $S3 <<'PY'
import os,sys
w,s3=sys.argv[1:]
with open(w+"/ids","w") as ids, open(w+"/put.cfg","w") as cfg:
  for _ in range(500):
    i=os.urandom(16).hex()
    open(f"{w}/o","wb").write(os.urandom(4096))
    os.rename(f"{w}/o", f"{w}/{i}")
    ids.write(i+"\n")
    cfg.write(f'upload-file = "{w}/{i}"\nurl = "{s3}/bench/{"/".join(i[:4])}/{i}"\noutput = "/dev/null"\n')
PY
curl -sf -K $W/put.cfg
CP="$CLASSES:$(ls $REPO/benchmarks/target/lib/*.jar | paste -sd:)"
for round in 1 2; do
for mode in ${MODES:-lean jdk sdk}; do
  java -Xmx256m -cp "$CP" io.keyhole.internal.s3.ClientBench $mode $S3 bench $W/ids $S3PID 16 ${WARM:-15} ${MEASURE:-10}
done
done
