#!/usr/bin/env bash
# The long fuzzing run: every fuzz target of the fuzz module in fuzzing mode, one after the other,
# each in its own JVM under Jazzer's standalone driver, then a table of executions and coverage.
#
#   fuzz/run-long.sh                      # 100 s per target
#   fuzz/run-long.sh --seconds 600        # 10 minutes per target
#   fuzz/run-long.sh --runs 10000000      # 10^7 executions per target (the target in FUZZING.md)
#   fuzz/run-long.sh --only MediaPath     # targets whose name matches MediaPath (a grep pattern)
#   fuzz/run-long.sh --jobs 2             # two targets at a time (one core each)
#   fuzz/run-long.sh --runs 10000000 --resume   # go on where earlier sittings left off: each target
#                                         # runs only what it lacks of 10^7 (counted over its sessions)
#
# Output goes to fuzz/target/long-run/: per target a log, the corpus grown (start from the
# committed seeds), findings (crash-*), a coverage report, and its sessions (executions and seconds
# of each sitting on that corpus); summary.md holds the table, totals over the sessions.
# A finding is copied into the target's seed directory with its regression test name printed, so
# the ordinary build replays it from then on. The exit status is 1 when any target found anything.
set -euo pipefail

cd "$(dirname "$0")/.."
root="$(pwd)"
seconds=100
runs=0
only=""
jobs=1
resume=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --resume) resume=1; shift ;;
        *) echo "usage: $0 [--seconds N] [--runs N [--resume]] [--only PATTERN] [--jobs N]" >&2; exit 2 ;;
    esac
done

if [ "$resume" -eq 1 ] && [ "$runs" -eq 0 ]; then
    echo "--resume needs --runs: the executions each target should reach over its sessions" >&2
    exit 2
fi

out="$root/fuzz/target/long-run"
mkdir -p "$out"
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}"

echo "building the fuzz module and its class path ($(date -u +%H:%M:%S))"
./mvnw -B -o -q -pl fuzz -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=test
# the fuzzing JVMs start over hours: they read a copy of the module's classes, so a build in the
# meantime (which rewrites target/classes) cannot break a target that starts later
rm -rf "$out/classes"
mkdir -p "$out/classes"
classpath=""
for entry in "$root/fuzz/target/test-classes" $(tr ':' ' ' < "$out/classpath.txt"); do
    if [ -d "$entry" ]; then
        copy="$out/classes/$(sed -e "s|^$root/||" -e 's|/|_|g' <<<"$entry")"
        cp -r "$entry" "$copy"
        entry="$copy"
    fi
    classpath="${classpath:+$classpath:}$entry"
done

# every @FuzzTest method: Class#method
mapfile -t targets < <(grep -rl '@FuzzTest' fuzz/src/test/java | sort | while read -r file; do
    class="$(sed -e 's|^fuzz/src/test/java/||' -e 's|\.java$||' -e 's|/|.|g' <<<"$file")"
    awk '/@FuzzTest/ { want = 1; next } want && /void [a-zA-Z]+\(/ { match($0, /void [a-zA-Z]+\(/); print substr($0, RSTART + 5, RLENGTH - 6); want = 0 }' "$file" \
        | sed "s|^|$class#|"
done | grep -- "$only" || true)
if [ ${#targets[@]} -eq 0 ]; then
    echo "no fuzz target matches '$only'" >&2
    exit 2
fi

if [ "$runs" -gt 0 ]; then
    # A @FuzzTest's own maxDuration (5 minutes unless set) would stop the driver first: a time
    # limit of its own keeps that default out, long enough never to come before the executions.
    limit=(-max_total_time=604800)
    echo "${#targets[@]} targets, $runs executions each$([ "$resume" -eq 1 ] && echo ", counting earlier sessions")"
else
    limit=(-max_total_time="$seconds")
    echo "${#targets[@]} targets, $seconds s each, $jobs at a time"
fi
echo "load at start: $(cat /proc/loadavg) on $(nproc) cores"

found=0
summary="$out/summary.md"
{
    echo "Long fuzzing run, $(date -u '+%Y-%m-%d %H:%M UTC'), ${limit[*]} per target, $jobs at a time, $(nproc) cores, load at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| target | executions | seconds | exec/s | sessions | libFuzzer cov / ft | branches covered (main code reached) | findings |"
    echo "|---|---:|---:|---:|---:|---|---|---:|"
} > "$summary"

fuzz_one() {
    local target="$1" class method name seeds corpus findings log started status elapsed done_line executions cov fuzzed branches crashes sessions before todo run_limit
    class="${target%#*}"
    method="${target#*#}"
    name="$(sed 's|.*\.||' <<<"$class")-$method"
    seeds="$root/fuzz/src/test/resources/$(tr . / <<<"$class")Inputs/$method"
    corpus="$out/corpus/$name"
    findings="$out/findings/$name"
    sessions="$out/$name.sessions"
    # what an earlier sitting left here was copied into the seeds then
    rm -rf "$findings"
    mkdir -p "$corpus" "$findings" "$seeds"
    log="$out/$name.log"
    run_limit=("${limit[@]}")
    if [ "$runs" -gt 0 ]; then
        todo="$runs"
        if [ "$resume" -eq 1 ] && [ -f "$sessions" ]; then
            before=$(awk '{ s += $1 } END { print s + 0 }' "$sessions")
            todo=$(( runs - before ))
        else
            rm -f "$sessions"
        fi
        if [ "$todo" -le 0 ]; then
            echo "$(date -u +%H:%M:%S) $target has its $runs executions already"
            summarize "$target" "$name" 0
            return
        fi
        run_limit+=(-runs="$todo")
    else
        rm -f "$sessions"
    fi
    echo "$(date -u +%H:%M:%S) start $target"
    started=$(date +%s)
    status=0
    (cd "$findings" && java -Xmx1g -cp "$classpath" com.code_intelligence.jazzer.Jazzer \
        --target_class="$class" --target_method="$method" \
        --instrumentation_includes='io.keyhole.**' --custom_hook_includes='io.keyhole.**' \
        --coverage_report="$out/$name.coverage.txt" --keep_going=20 \
        -artifact_prefix="$findings/" -print_final_stats=1 "${run_limit[@]}" \
        "$corpus" "$seeds") > "$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))

    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
    [ -n "$done_line" ] || done_line="$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)"
    executions="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")"
    cov="$(sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+).*/\1 \/ \2/p' <<<"$done_line")"
    fuzzed="$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -1)"
    echo "${executions:-0} ${fuzzed:-$elapsed}" >> "$sessions"
    # branch coverage of the main code the target reached (files of core/src/main with any branch covered)
    branches="—"
    if [ -f "$out/$name.coverage.txt" ]; then
        branches="$(awk '/^Branch coverage:/ { on = 1; next } /^[A-Z][a-z]+ coverage:/ { on = 0 }
            on && /\.java: [0-9]+\/[0-9]+/ && $1 !~ /Test\.java:|Chunks\.java:|TestRequest\.java:/ {
                split($2, f, "/"); if (f[1] > 0) { c += f[1]; t += f[2]; files = files sep $1; sep = " " } }
            END { if (t > 0) printf "%d/%d (%.0f %%) in %s", c, t, 100 * c / t, files; else print "—" }' "$out/$name.coverage.txt" \
            | sed 's/\.java:/.java/g')"
    fi
    crashes=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    echo "$cov" > "$out/$name.cov"
    echo "$branches" > "$out/$name.branches"
    if [ "$crashes" -gt 0 ]; then
        for f in "$findings"/crash-* "$findings"/timeout-* "$findings"/oom-*; do
            [ -f "$f" ] || continue
            cp "$f" "$seeds/"
            echo "  finding $(basename "$f") → $seeds (replayed by the build from now on)"
        done
    fi
    if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
        echo "  Jazzer exited with $status and no finding: see $log" >&2
    fi
    echo "  $name: ${executions:-?} executions in ${fuzzed:-$elapsed} s, ${crashes} findings"
    summarize "$target" "$name" "$crashes"
}

# The target's row: executions and seconds summed over its sessions; coverage from the last one.
summarize() {
    local target="$1" name="$2" crashes="$3" total_runs total_seconds count rate
    total_runs=$(awk '{ s += $1 } END { print s + 0 }' "$out/$name.sessions" 2>/dev/null || echo 0)
    total_seconds=$(awk '{ s += $2 } END { print s + 0 }' "$out/$name.sessions" 2>/dev/null || echo 0)
    count=$(wc -l < "$out/$name.sessions" 2>/dev/null || echo 0)
    rate=$(( total_seconds > 0 ? total_runs / total_seconds : 0 ))
    echo "| $target | $total_runs | $total_seconds | $rate | $count | $(cat "$out/$name.cov" 2>/dev/null || echo ?) | $(cat "$out/$name.branches" 2>/dev/null || echo —) | $crashes |" > "$out/$name.row"
}

for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
        wait -n || true
    done
    fuzz_one "$target" &
done
wait
for target in "${targets[@]}"; do
    name="$(sed 's|.*\.||' <<<"${target%#*}")-${target#*#}"
    cat "$out/$name.row" >> "$summary"
    if ! grep -qE '\| 0 \|$' "$out/$name.row"; then
        found=1
    fi
done

total=$(awk -F'|' 'NR > 4 && $3 ~ /[0-9]/ { gsub(/ /, "", $3); s += $3 } END { print s + 0 }' "$summary")
{
    echo
    echo "Total: $total executions over ${#targets[@]} targets; load at the end $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$summary"
cat "$summary"
exit $found
