#!/usr/bin/env bash
# The soak: `keyhole serve` (the command-line jar) for N minutes (default 10) under valid, invalid
# and malicious requests and slow clients, while its backend hangs, refuses, answers garbage and
# recovers. See benchmarks/soak/Soak.java for what is asserted; the report goes to
# benchmarks/target/soak/report.md (and the server's log beside it). Exit status 0 = all held.
#
#   benchmarks/soak/run.sh            # build the jar, soak 10 minutes
#   SKIP_BUILD=1 benchmarks/soak/run.sh 3
#
# Needs a JDK 17+ (java, jcmd) and /proc; all traffic stays on 127.0.0.1 and a Unix socket.
set -euo pipefail

cd "$(dirname "$0")/../.."
minutes="${1:-10}"
if [ -z "${SKIP_BUILD:-}" ]; then
    ./mvnw -B -q -pl cli -am package -DskipTests
fi
jar=cli/target/keyhole.jar  # the shaded, executable jar
echo "soaking $jar for $minutes minutes; load before: $(cat /proc/loadavg)"
exec java -Xmx256m benchmarks/soak/Soak.java --jar "$jar" --minutes "$minutes" \
    --report benchmarks/target/soak/report.md
