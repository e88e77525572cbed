"""Turns the harness's results.tsv into Markdown: one table per file size, then the ratios and
CPU differences the targets name, all from the same run.

    table.py results.tsv [earlier-results.tsv ...]

Then each target again, paired by round: a row's figure over its baseline's in the same round
(run one after the other), the median of those per-round ratios, and a 90 % bootstrap interval
for that median. Given several results files, the rounds of all of them are pooled there; the
tables above it come from the first file only. On a shared machine the spread between rounds
exceeds most margins, and pooling rounds from several runs says whether a target is met in the
middle or only in lucky runs."""
import random
import sys
from collections import defaultdict

LABELS = {
    "nginx-static": "nginx static (sendfile)",
    "nginx-trivial": "nginx + trivial upstream (X-Accel)",
    "nginx-keyhole": "nginx + Keyhole (X-Accel), cache on",
    "nginx-keyhole-nocache": "nginx + Keyhole (X-Accel), cache off",
    "serve": "keyhole serve, cache on",
    "serve-nocache": "keyhole serve, cache off",
    "jetty-default": "Jetty 12 DefaultServlet",
    "jetty-keyhole-inproc": "Keyhole on Jetty, in-process authoriser",
    "jetty-keyhole-nocache": "Keyhole on Jetty, cache off",
    "jetty-keyhole-kept": "Keyhole on Jetty, cache off, kept backend connections",
    "jetty-keyhole": "Keyhole on Jetty, cache on",
    "jetty-webapp": "Keyhole on Jetty, WebAppContext (web.xml), cache on",
    "jetty-keyhole-stream": "Keyhole on Jetty, renderer=stream, cache on",
    "tomcat-default": "Tomcat 11 DefaultServlet",
    "tomcat-keyhole-inproc": "Keyhole on Tomcat, in-process authoriser",
    "tomcat-keyhole-nocache": "Keyhole on Tomcat, cache off",
    "tomcat-keyhole-kept": "Keyhole on Tomcat, cache off, kept backend connections",
    "tomcat-keyhole": "Keyhole on Tomcat, cache on",
    "tomcat-war": "Keyhole on Tomcat, in a WAR (web.xml, WEB-INF/lib), cache on",
    "tomcat-wrapped": "Keyhole on Tomcat behind a wrapping filter, cache on",
    "tomcat-valve": "Keyhole on Tomcat as a valve, cache on",
    "tomcat-keyhole-stream": "Keyhole on Tomcat, renderer=stream, cache on",
}
# rows that ask the socket backend: their backend CPU is theirs
ASKS_BACKEND = {r for r in LABELS if r.startswith(("serve", "nginx-keyhole"))
                or (r.startswith(("jetty-keyhole", "jetty-webapp", "tomcat-keyhole", "tomcat-war", "tomcat-wrapped", "tomcat-valve"))
                    and not r.endswith("-inproc"))}
SIZES = {"4k": "4 KiB", "256k": "256 KiB", "100m": "100 MiB"}
SIZE_BYTES = {"4k": 4096, "256k": 262144, "100m": 104857600}
# (row, baseline, sizes the target is about, target ratio or None)
RATIOS = [
    ("tomcat-keyhole", "tomcat-default", ["4k"], 1.0),
    ("tomcat-keyhole-nocache", "tomcat-default", [], None),
    ("tomcat-valve", "tomcat-default", [], None),
    ("jetty-keyhole", "jetty-default", ["4k"], 1.3),
    ("jetty-keyhole-nocache", "jetty-default", [], None),
    ("nginx-keyhole", "nginx-trivial", ["4k"], 0.9),
    ("nginx-keyhole-nocache", "nginx-trivial", [], None),
    ("serve", "nginx-static", ["4k"], 0.5),
    ("serve-nocache", "nginx-static", [], None),
    ("jetty-webapp", "jetty-keyhole", ["256k", "100m"], 0.95),
    ("tomcat-wrapped", "tomcat-keyhole", ["256k", "100m"], 0.95),
    ("tomcat-war", "tomcat-keyhole", ["256k", "100m"], 0.95),
]
# (row asking the backend on every request, the in-process row of the same container)
SOCKET_COST = [("jetty-keyhole-nocache", "jetty-keyhole-inproc"), ("jetty-keyhole-kept", "jetty-keyhole-inproc"),
               ("tomcat-keyhole-nocache", "tomcat-keyhole-inproc"), ("tomcat-keyhole-kept", "tomcat-keyhole-inproc")]
SOCKET_COST_TARGET_US = 40

rows = defaultdict(lambda: {"rps": [], "bps": [], "p50": [], "p99": [], "cpu": [], "backend": [], "load": [],
                            "steal": [], "errors": 0, "rss": 0, "anon": 0})
# per results file: (row, size) -> {round: (rate, server CPU per request)}
by_round = []
for i, path in enumerate(sys.argv[1:]):
    rounds = defaultdict(dict)
    by_round.append(rounds)
    for line in open(path):
        fields = line.split()
        # the steal column (CPU time the hypervisor took during the round, %) is absent from older results
        steal = float(fields.pop()) if len(fields) == 16 else float("nan")
        (row, size, round_, requests, nbytes, us, p50, p99, errors, rss, anon,
         ticks, backend_ticks, hz, load) = fields
        seconds = int(us) / 1e6
        # CPU per request; at 100 MiB per 100 MiB received, as a round ends with transfers unfinished
        # (wrk counts every byte read) and completes only a few
        n = int(nbytes) / SIZE_BYTES[size] if size == "100m" else int(requests)
        n = n if n > 0 else float("nan")
        # requests per second; for 100 MiB files bytes per second, as few requests finish in a round
        per_second = (int(nbytes) if size == "100m" else int(requests)) / seconds
        rounds[(row, size)][int(round_)] = (per_second, int(ticks) / int(hz) * 1e6 / n)
        if i > 0:
            continue
        r = rows[(row, size)]
        r["rps"].append(int(requests) / seconds)
        r["bps"].append(int(nbytes) / seconds)
        r["p50"].append(int(p50))
        r["p99"].append(int(p99))
        r["cpu"].append(int(ticks) / int(hz) * 1e6 / n)
        r["backend"].append(int(backend_ticks) / int(hz) * 1e6 / n)
        r["load"].append(float(load))
        r["steal"].append(steal)
        r["errors"] += int(errors)
        r["rss"] = max(r["rss"], int(rss))
        r["anon"] = max(r["anon"], int(anon))


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def rate(key):
    """Requests per second; for 100 MiB files bytes per second, as few requests finish in a round."""
    r = rows[key]
    return median(r["bps"] if key[1] == "100m" else r["rps"])


def cpu(key):
    return median(rows[key]["cpu"])


def micros(value):
    if value != value:  # nothing received in the round
        return "n/a"
    return "{:,.0f}".format(value) if value >= 100 else "%.1f" % value


for size, title in SIZES.items():
    names = [row for row in LABELS if (row, size) in rows]
    if not names:
        continue
    print("### %s" % title)
    print()
    per = "µs/100 MiB" if size == "100m" else "µs/req"
    print("| server | req/s | MiB/s | p50 ms | p99 ms | errors | server CPU %s | backend CPU %s | RSS MiB (anon) | load (1 min)"
          " | steal %% |" % (per, per))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in names:
        key = (row, size)
        r = rows[key]
        per_second = median(r["rps"])
        steal = median(r["steal"])
        print("| %s | %s | %s | %.2f | %.2f | %d | %s | %s | %d (%d) | %.1f | %s |" % (
            LABELS[row], "{:,.0f}".format(per_second) if per_second >= 100 else "%.1f" % per_second,
            "{:,.0f}".format(median(r["bps"]) / 1048576), median(r["p50"]) / 1000, median(r["p99"]) / 1000,
            r["errors"], micros(cpu(key)), micros(median(r["backend"])) if row in ASKS_BACKEND else "",
            r["rss"] // 1024, r["anon"] // 1024, median(r["load"]), "n/a" if steal != steal else "%.1f" % steal))
    print()

measured = [s for s in SIZES if any(k[1] == s for k in rows)]
print("### Ratios (requests/s; bytes/s at 100 MiB; in brackets by server CPU per request, baseline ÷ row)")
print()
print("| row ÷ baseline | " + " | ".join(SIZES[s] for s in measured) + " | target | |")
print("|---|" + "---:|" * len(measured) + "---|---|")
for row, base, target_sizes, target in RATIOS:
    cells, verdicts = [], []
    for s in measured:
        if (row, s) in rows and (base, s) in rows:
            ratio = rate((row, s)) / rate((base, s))
            by_cpu = cpu((base, s)) / cpu((row, s)) if cpu((row, s)) > 0 else float("nan")
            cells.append("%.2f× (%.2f×)" % (ratio, by_cpu))
            if s in target_sizes:
                verdicts.append("%s %s" % (SIZES[s], "met" if ratio >= target else "missed"))
        else:
            cells.append("")
    if all(not c for c in cells):
        continue
    goal = "≥ %.2f× at %s" % (target, ", ".join(SIZES[s] for s in target_sizes)) if target else "—"
    print("| %s ÷ %s | %s | %s | %s |" % (LABELS[row], LABELS[base], " | ".join(cells), goal, "; ".join(verdicts)))
print()

print("### The socket backend's cost: server CPU per request, cache off minus the in-process authoriser")
print()
print("| container | " + " | ".join(SIZES[s] for s in measured) + " | backend's own CPU per request | target | |")
print("|---|" + "---:|" * len(measured) + "---:|---|---|")
for off, inproc in SOCKET_COST:
    cells, backend, verdict = [], "", ""
    for s in measured:
        if (off, s) in rows and (inproc, s) in rows:
            extra = cpu((off, s)) - cpu((inproc, s))
            cells.append("%+.1f µs" % extra)
            if s == "4k":
                backend = "%.1f µs" % median(rows[(off, s)]["backend"])
                verdict = "met" if extra <= SOCKET_COST_TARGET_US else "missed"
        else:
            cells.append("")
    if all(not c for c in cells):
        continue
    print("| %s | %s | %s | ≤ %d µs at 4 KiB | %s |" % (
        LABELS[off].split(",")[0] + (", kept connections" if off.endswith("-kept") else ", a connection per question"),
        " | ".join(cells), backend, SOCKET_COST_TARGET_US, verdict))
print()


def paired(row, base, size, value):
    """value(row's (rate, cpu), base's (rate, cpu)) for every round both rows measured, in every file given."""
    out = []
    for rounds in by_round:
        mine, theirs = rounds.get((row, size), {}), rounds.get((base, size), {})
        for n in sorted(mine.keys() & theirs.keys()):
            v = value(mine[n], theirs[n])
            if v == v:  # a round without a finished request has no figure
                out.append(v)
    return out


def interval(values, samples=4000):
    """A 90 % percentile-bootstrap interval for the median of values (fixed seed: the same input prints the same)."""
    rng = random.Random(1)
    medians = sorted(median(rng.choices(values, k=len(values))) for _ in range(samples))
    return medians[int(0.05 * samples)], medians[int(0.95 * samples) - 1]


def ratio(a, b):
    return a / b if b > 0 else float("nan")


files = len(sys.argv) - 1
print("### Paired by round%s: medians of per-round figures, 90 %% bootstrap interval"
      % (" (%d runs pooled)" % files if files > 1 else ""))
print()
print("| rows | size | rounds | requests/s (bytes/s at 100 MiB), row ÷ baseline | by server CPU, baseline ÷ row"
      " | target | the median |")
print("|---|---|---:|---:|---:|---|---|")
for row, base, target_sizes, target in RATIOS:
    for s in target_sizes:
        rates = paired(row, base, s, lambda m, t: ratio(m[0], t[0]))
        cpus = paired(row, base, s, lambda m, t: ratio(t[1], m[1]))
        if not rates:
            continue
        lo, hi = interval(rates)
        by_cpu = "%.2f× (%.2f–%.2f)" % ((median(cpus),) + interval(cpus)) if cpus else "n/a"
        print("| %s ÷ %s | %s | %d | %.2f× (%.2f–%.2f) | %s | ≥ %.2f× | %s |" % (
            LABELS[row], LABELS[base], SIZES[s], len(rates), median(rates), lo, hi, by_cpu, target,
            "met" if median(rates) >= target else "missed"))
for off, inproc in SOCKET_COST:
    extra = paired(off, inproc, "4k", lambda m, t: m[1] - t[1])
    if not extra:
        continue
    lo, hi = interval(extra)
    print("| %s − in-process, server CPU per request | 4 KiB | %d | | %+.1f µs (%+.1f – %+.1f) | ≤ %d µs | %s |" % (
        LABELS[off], len(extra), median(extra), lo, hi, SOCKET_COST_TARGET_US,
        "met" if median(extra) <= SOCKET_COST_TARGET_US else "missed"))
