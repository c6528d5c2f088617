#!/usr/bin/env python3
"""Differential test: one Mockoon environment served by Mockoon CLI and by standin.

Starts `mockoon-cli start --data ENV --port P` and `standin serve ENV --port Q` on free
ports of 127.0.0.1, both on crates/standin/tests/fixtures/mockoon/shop.json, sends every
request of tests/mockoon/requests.json to each in file order (sequences and request
numbers move the same way on both) and compares status, Content-Type and the body (JSON as
JSON, anything else byte for byte). Differences listed in KNOWN are reported, not failed.

Usage: tests/mockoon/differential.py [-v]
Environment: STANDIN_BIN (default <target>/debug/standin), MOCKOON_CLI (default: the one
install-peers.sh puts under ~/.cache/standin-peers). Python 3 standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = ROOT / "crates/standin/tests/fixtures/mockoon/shop.json"
REQUESTS = Path(__file__).with_name("requests.json")
PEERS = Path(os.environ.get("STANDIN_PEERS_DIR", Path.home() / ".cache/standin-peers"))
# Path -> why the two answers may differ.
KNOWN: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({proc.args})")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server did not listen on {port}")


def send(port: int, r: dict):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = dict(r.get("headers", {}))
    body = None
    if "json" in r:
        body = json.dumps(r["json"]).encode()
        headers["Content-Type"] = "application/json"
    elif "form" in r:
        body = r["form"].encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(r["method"], r["path"], body=body, headers=headers)
    resp = c.getresponse()
    data = resp.read()
    c.close()
    ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data
    return resp.status, ctype, parsed


def main() -> int:
    verbose = "-v" in sys.argv
    standin = os.environ.get("STANDIN_BIN") or str(
        Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug/standin"
    )
    mockoon = os.environ.get("MOCKOON_CLI") or str(PEERS / "mockoon/node_modules/.bin/mockoon-cli")
    mp, sp = free_port(), free_port()
    logs = tempfile.mkdtemp(prefix="mockoon-diff-")
    # Both in one zone that is not UTC (and has summer time), so that date helpers are
    # compared as a user away from UTC sees them.
    zone = dict(os.environ, TZ=os.environ.get("MOCKOON_DIFF_TZ", "Europe/Berlin"))
    procs = [
        # Mockoon's admin API wants a token; standin admits clients on this machine.
        subprocess.Popen([mockoon, "start", "--data", str(ENV), "--port", str(mp),
                          "--admin-api-token", "diff-admin-token"],
                         stdout=open(f"{logs}/mockoon.log", "w"), stderr=subprocess.STDOUT,
                         start_new_session=True, env=zone),
        subprocess.Popen([standin, "serve", str(ENV), "--port", str(sp)],
                         stdout=open(f"{logs}/standin.log", "w"), stderr=subprocess.STDOUT,
                         start_new_session=True, env=zone),
    ]
    try:
        wait(mp, procs[0])
        wait(sp, procs[1])
        agree = known = differ = 0
        for r in json.loads(REQUESTS.read_text()):
            a, b = send(mp, r), send(sp, r)
            label = f"{r['method']} {r['path']}"
            if a == b:
                agree += 1
                if verbose:
                    print(f"same    {label}")
            elif r["path"] in KNOWN:
                known += 1
                print(f"known   {label}: {KNOWN[r['path']]}")
            else:
                differ += 1
                print(f"DIFFER  {label}\n  mockoon {a}\n  standin {b}")
        total = agree + known + differ
        print(f"{agree}/{total} agree, {known} known differences, {differ} unexpected")
        return 1 if differ else 0
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
