#!/usr/bin/env python3
"""Figures of the shared mock service, on this machine:

- the p50 and p99 of a stateful request with the state in memory and in Redis (the
  difference is what Redis adds);
- stateful POST throughput of one replica and of two sharing Redis (on one machine the
  second replica shares the cores, so the figure is the overhead, not the gain);
- the memory (RSS) of one process serving 1,000 small runtime mocks;
- the time for a new mock to reach another replica (median of 10).

Usage: python3 bench/shared.py [--bin target/release/standin] [--requests 2000]
Needs redis-server on the PATH. Servers bind 127.0.0.1 only.
"""

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PETSTORE = open(os.path.join(ROOT, "examples", "petstore.yaml"), "rb").read()
SMALL = b"openapi: 3.0.3\ninfo: {title: s, version: '1'}\npaths:\n  /ping:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {ok: true}\n"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, secs=20):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    sys.exit(f"nothing listens on {port}")


def serve(binary, port, store=None):
    args = [binary, "serve", "--port", str(port), "--quiet"]
    if store:
        args += ["--store", store]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return p


def request(conn, method, path, body=None, headers=None):
    h = dict(headers or {})
    if body is not None and "content-type" not in h:
        h["content-type"] = "application/json"
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def upload(port, name, files, settings):
    boundary = "bench-boundary-1"
    parts = []
    for fname, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{fname}"\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    settings = dict(settings, name=name)
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="settings"\r\n\r\n{json.dumps(settings)}\r\n'.encode()
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    status, data = request(
        conn, "POST", "/__admin/mocks", body, {"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    conn.close()
    if status != 201:
        sys.exit(f"creating {name} failed: {status} {data[:300]}")


def latency(port, path, n, method="GET", body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = request(conn, method, path, body)
        times.append(time.perf_counter() - t)
        if status >= 400:
            sys.exit(f"{method} {path}: {status}")
    conn.close()
    times.sort()
    return times[len(times) // 2] * 1e6, times[int(len(times) * 0.99)] * 1e6


def throughput(ports, clients, seconds):
    done = [0] * clients
    errors = [0] * clients
    stop = time.time() + seconds

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)])
        body = json.dumps({"name": f"p{i}", "photoUrls": []})
        while time.time() < stop:
            status, _ = request(conn, "POST", "/mocks/pets/pets", body)
            if status == 201:
                done[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds, sum(errors)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "standin"))
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--mocks", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--clients", type=int, default=8)
    a = ap.parse_args()
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    tmp = tempfile.mkdtemp()
    rport = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--dir", tmp, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    wait_port(rport)
    store = f"redis://127.0.0.1:{rport}/0"
    procs = []
    try:
        # 1. Latency of a stateful GET and POST, memory against Redis.
        mem_port, red_port, red2_port = free_port(), free_port(), free_port()
        procs += [serve(a.bin, mem_port), serve(a.bin, red_port, store), serve(a.bin, red2_port, store)]
        upload(mem_port, "pets", [("petstore.yaml", PETSTORE)], {"stateful": True})
        upload(red_port, "pets", [("petstore.yaml", PETSTORE)], {"stateful": True})
        time.sleep(1)
        body = json.dumps({"name": "x", "photoUrls": []})
        figures = {}
        for label, port in (("memory", mem_port), ("redis", red_port)):
            figures[f"{label} GET p50/p99 us"] = latency(port, "/mocks/pets/pets/1", a.requests)
            figures[f"{label} POST p50/p99 us"] = latency(port, "/mocks/pets/pets", a.requests // 4, "POST", body)
        # 2. Throughput: one replica, then two sharing Redis.
        figures["POST/s and errors, 1 replica (redis)"] = throughput([red_port], a.clients, a.seconds)
        figures["POST/s and errors, 2 replicas (redis)"] = throughput([red_port, red2_port], a.clients, a.seconds)
        # 3. Propagation: a new mock reaching the other replica.
        reach = []
        conn = http.client.HTTPConnection("127.0.0.1", red2_port)
        for i in range(10):
            t = time.perf_counter()
            upload(red_port, f"reach{i}", [("s.yaml", SMALL)], {})
            while request(conn, "GET", f"/mocks/reach{i}/ping")[0] != 200:
                time.sleep(0.005)
            reach.append((time.perf_counter() - t) * 1000)
        figures["change reaches another replica, median ms"] = statistics.median(reach)
        # 4. Memory of 1,000 small mocks in one process.
        many_port = free_port()
        many = serve(a.bin, many_port)
        procs.append(many)
        before = rss_kib(many.pid)
        for i in range(a.mocks):
            upload(many_port, f"m{i}", [("s.yaml", SMALL)], {})
        figures[f"RSS idle / with {a.mocks} small mocks, MiB"] = (before / 1024, rss_kib(many.pid) / 1024)
        for k, v in figures.items():
            if isinstance(v, tuple):
                v = " / ".join(f"{x:.1f}" for x in v)
            else:
                v = f"{v:.1f}"
            print(f"{k:48} {v}")
    finally:
        for p in procs:
            p.terminate()
        redis.terminate()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
