#!/usr/bin/env python3
"""A soak test of a running standin (scripts/soak.sh starts it): requests at a fixed rate
for a number of minutes, on the stateful path (create, read, list, delete a pet) with the
admin API read alongside (the journal listed and counted), while the server's resident
memory, open file descriptors and latency are sampled each interval.

The load is open-loop: each request has a planned start time on a fixed schedule, and its
latency is measured from that time, so a server that stalls shows it in the percentiles
rather than slowing the load down (no coordinated omission).

Fails (exit 1) when: a request fails (connection error or an unexpected status); resident
memory exceeds the budget; open file descriptors grow past the first interval's count
plus a small slack; or the p99 of the last third of the run exceeds the first third's
(warm-up interval left out) by more than the growth factor plus a floor.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


class Stats:
    """Latencies and failures, per interval."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.admin_latencies = []
        self.failures = []
        self.requests = 0

    def add(self, seconds, admin=False):
        with self.lock:
            (self.admin_latencies if admin else self.latencies).append(seconds)
            self.requests += 1

    def fail(self, what):
        with self.lock:
            self.failures.append(what)

    def take(self):
        with self.lock:
            out = (self.latencies, self.admin_latencies, self.requests)
            self.latencies, self.admin_latencies, self.requests = [], [], 0
            return out


def connection(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def call(conn_box, port, method, path, body=None, headers=None):
    """One request on a kept-alive connection (reopened once if the server closed it)."""
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    for attempt in (0, 1):
        conn = conn_box[0]
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            conn.close()
            conn_box[0] = connection(port)
            if attempt:
                raise
    raise AssertionError("unreachable")


def schedule(start, period, stop_at):
    """Yields (k, planned time) for k = 1, 2, ... at start + (k - 1)·period until stop_at,
    sleeping until each planned time (not at all when behind)."""
    k = 0
    while True:
        planned = start + k * period
        k += 1
        if planned >= stop_at:
            return
        delay = planned - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield k, planned


def worker(index, args, stats, stop_at, t0, period):
    """Runs create → read → list → delete cycles on the schedule t0 + k·period + offset."""
    box = [connection(args.port)]
    offset = index * period / args.workers
    pet = None
    step = 0
    base = args.base
    for k, planned in schedule(t0 + offset, period, stop_at):
        try:
            if step == 0:
                status, body = call(box, args.port, "POST", f"{base}/pets",
                                    {"name": f"soak-{index}-{k}", "tag": "soak"})
                ok = status == 201
                if ok:
                    pet = json.loads(body)["id"]
            elif step == 1:
                status, _ = call(box, args.port, "GET", f"{base}/pets/{pet}")
                ok = status == 200
            elif step == 2:
                status, _ = call(box, args.port, "GET", f"{base}/pets?limit=10")
                ok = status == 200
            else:
                status, _ = call(box, args.port, "DELETE", f"{base}/pets/{pet}")
                ok = status in (200, 204)
            if not ok:
                stats.fail(f"worker {index} step {step}: status {status}")
                step = 0
                continue
        except Exception as e:  # noqa: BLE001 - every failure is reported
            stats.fail(f"worker {index} step {step}: {e!r}")
            box[0].close()
            box[0] = connection(args.port)
            step = 0
            continue
        stats.add(time.monotonic() - planned)
        step = (step + 1) % 4


def admin(args, stats, stop_at, t0, period):
    """Lists and counts the journal on its own schedule."""
    box = [connection(args.port)]
    for k, planned in schedule(t0, period, stop_at):
        try:
            if k % 2:
                status, body = call(box, args.port, "GET", "/__admin/requests?limit=20")
                ok = status == 200 and "requests" in json.loads(body)
            else:
                status, body = call(box, args.port, "POST", "/__admin/requests/count",
                                    {"method": "POST"})
                ok = status == 200 and json.loads(body).get("count", -1) >= 0
            if not ok:
                stats.fail(f"admin: status {status} {body[:200]!r}")
                continue
        except Exception as e:  # noqa: BLE001
            stats.fail(f"admin: {e!r}")
            box[0].close()
            box[0] = connection(args.port)
            continue
        stats.add(time.monotonic() - planned, admin=True)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User and system CPU time the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def journal_count(port):
    conn = connection(port)
    try:
        conn.request("POST", "/__admin/requests/count", body=b"{}",
                     headers={"content-type": "application/json"})
        return json.loads(conn.getresponse().read()).get("count")
    except Exception:  # noqa: BLE001 - a sample, not a check
        return None
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=float, default=200, help="mock requests a second")
    ap.add_argument("--admin-rate", type=float, default=5, help="admin requests a second")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--interval", type=float, default=10, help="seconds between samples")
    ap.add_argument("--base", default="/v1", help="the document's base path")
    ap.add_argument("--rss-budget-mb", type=float, default=256)
    ap.add_argument("--fd-slack", type=int, default=4)
    ap.add_argument("--p99-growth", type=float, default=2.0)
    ap.add_argument("--p99-floor-ms", type=float, default=25)
    ap.add_argument("--json", help="write the samples here")
    args = ap.parse_args()

    stats = Stats()
    duration = args.minutes * 60
    t0 = time.monotonic() + 0.5
    stop_at = t0 + duration
    period = args.workers / args.rate
    threads = [threading.Thread(target=worker, args=(i, args, stats, stop_at, t0, period), daemon=True)
               for i in range(args.workers)]
    threads.append(threading.Thread(target=admin, args=(args, stats, stop_at, t0, 1 / args.admin_rate),
                                    daemon=True))
    for t in threads:
        t.start()

    samples = []
    print(f"soak: {args.rate:g} req/s over {args.workers} connections + {args.admin_rate:g} admin req/s "
          f"for {args.minutes:g} min, sampled every {args.interval:g} s", flush=True)
    print(f"{'t (s)':>6} {'reqs':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'admin p99':>9} {'CPU %':>6} {'RSS MiB':>8} {'fds':>4} {'journal':>7} {'fails':>5}", flush=True)
    next_sample = t0 + args.interval
    cpu_before = cpu_seconds(args.pid)
    while True:
        now = time.monotonic()
        if next_sample > stop_at + 0.001:
            break
        time.sleep(max(0, next_sample - now))
        lat, adm, n = stats.take()
        lat.sort()
        adm.sort()
        try:
            rss, fd, cpu = rss_kib(args.pid), fds(args.pid), cpu_seconds(args.pid)
        except OSError:
            print("soak: the server exited", file=sys.stderr)
            return 1
        s = {
            "t": round(next_sample - t0, 1),
            "requests": n,
            "p50_ms": round(percentile(lat, 50) * 1000, 2),
            "p99_ms": round(percentile(lat, 99) * 1000, 2),
            "max_ms": round((lat[-1] if lat else 0) * 1000, 2),
            "admin_p99_ms": round(percentile(adm, 99) * 1000, 2),
            "cpu_percent": round((cpu - cpu_before) / args.interval * 100, 1),
            "rss_mib": round(rss / 1024, 1),
            "fds": fd,
            "journal": journal_count(args.port),
            "failures": len(stats.failures),
        }
        samples.append(s)
        cpu_before = cpu
        print(f"{s['t']:>6.0f} {n:>6} {n / args.interval:>7.1f} {s['p50_ms']:>7.2f} {s['p99_ms']:>7.2f} "
              f"{s['max_ms']:>7.1f} {s['admin_p99_ms']:>9.2f} {s['cpu_percent']:>6.1f} {s['rss_mib']:>8.1f} {fd:>4} "
              f"{str(s['journal']):>7} {s['failures']:>5}", flush=True)
        next_sample += args.interval
    for t in threads:
        t.join(timeout=15)

    problems = []
    if stats.failures:
        problems.append(f"{len(stats.failures)} requests failed; first: {stats.failures[:3]}")
    if samples:
        peak = max(s["rss_mib"] for s in samples)
        if peak > args.rss_budget_mb:
            problems.append(f"RSS reached {peak} MiB, over the budget of {args.rss_budget_mb:g} MiB")
        if samples[-1]["fds"] > samples[0]["fds"] + args.fd_slack:
            problems.append(f"open fds grew from {samples[0]['fds']} to {samples[-1]['fds']}")
        steady = samples[1:] if len(samples) > 3 else samples
        third = max(1, len(steady) // 3)
        first = sorted(s["p99_ms"] for s in steady[:third])[third // 2]
        last = sorted(s["p99_ms"] for s in steady[-third:])[third // 2]
        limit = first * args.p99_growth + args.p99_floor_ms
        print(f"soak: p99 first third {first} ms, last third {last} ms (limit {limit:.1f} ms); "
              f"RSS {samples[0]['rss_mib']} → {samples[-1]['rss_mib']} MiB (peak {peak}); "
              f"fds {samples[0]['fds']} → {samples[-1]['fds']}", flush=True)
        if last > limit:
            problems.append(f"p99 grew from {first} ms to {last} ms (limit {limit:.1f} ms)")
        expected = args.rate * duration
        done = sum(s["requests"] for s in samples)
        if done < 0.9 * (expected + args.admin_rate * duration):
            problems.append(f"only {done} requests were made of about "
                            f"{expected + args.admin_rate * duration:.0f} planned: the load generator fell behind")
    else:
        problems.append("no sample was taken")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "failures": stats.failures[:50], "problems": problems}, f, indent=1)
    for p in problems:
        print(f"soak: FAIL: {p}", file=sys.stderr)
    if not problems:
        print("soak: ok", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
