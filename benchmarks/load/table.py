"""Turns the harness's results.tsv into Markdown tables, one per file size, with ratios."""
import sys
from collections import defaultdict

LABELS = {
    "nginx-static": "nginx static (sendfile)",
    "jetty-default": "Jetty 12 DefaultServlet",
    "jetty-keyhole": "Keyhole on Jetty, renderer=auto (jetty)",
    "jetty-keyhole-stream": "Keyhole on Jetty, renderer=stream",
    "tomcat-default": "Tomcat 11 DefaultServlet",
    "tomcat-keyhole": "Keyhole on Tomcat, renderer=auto (tomcat)",
    "tomcat-keyhole-stream": "Keyhole on Tomcat, renderer=stream",
    "nginx-trivial": "nginx + trivial upstream (X-Accel)",
    "nginx-keyhole": "nginx + Keyhole (X-Accel)",
}
# each Keyhole row against its container's own static file server
BASELINE = {
    "jetty-keyhole": "jetty-default", "jetty-keyhole-stream": "jetty-default",
    "tomcat-keyhole": "tomcat-default", "tomcat-keyhole-stream": "tomcat-default",
    "nginx-keyhole": "nginx-trivial",
}
SIZES = {"4k": "4 KiB", "256k": "256 KiB", "100m": "100 MiB"}

# Per row, the median over rounds: the machine is shared, and a burst of other work can spoil
# one round of one row without saying anything about the server.
rows = defaultdict(lambda: {"rps": [], "bps": [], "p50": [], "p99": [], "errors": 0, "rss": 0, "anon": 0})
order = []
for line in open(sys.argv[1]):
    row, size, _round, requests, nbytes, us, p50, p99, errors, rss, anon = line.split()
    key = (row, size)
    if key not in rows:
        order.append(key)
    r = rows[key]
    r["rps"].append(int(requests) / (int(us) / 1e6))
    r["bps"].append(int(nbytes) / (int(us) / 1e6))
    r["p50"].append(int(p50))
    r["p99"].append(int(p99))
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


def ms(values):
    return "%.2f" % (median(values) / 1000)


for size, title in SIZES.items():
    names = [row for row, s in order if s == size]
    if not names:
        continue
    print("### %s" % title)
    print()
    print("| server | req/s | MiB/s | p50 ms | p99 ms | errors | RSS MiB (anon) | × own DefaultServlet / trivial upstream | × nginx static |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in LABELS:
        if row not in names:
            continue
        key = (row, size)
        r = rows[key]
        mib = median(r["bps"]) / 1048576
        per_second = median(r["rps"])
        base = BASELINE.get(row)
        own = "%.2f×" % (rate(key) / rate((base, size))) if base and (base, size) in rows else ""
        ngx = "%.2f×" % (rate(key) / rate(("nginx-static", size))) if row != "nginx-static" and ("nginx-static", size) in rows else ""
        print("| %s | %s | %s | %s | %s | %d | %d (%d) | %s | %s |" % (
            LABELS[row], "{:,.0f}".format(per_second) if per_second >= 100 else "%.1f" % per_second, "{:,.0f}".format(mib), ms(r["p50"]), ms(r["p99"]),
            r["errors"], r["rss"] // 1024, r["anon"] // 1024, own, ngx))
    print()
