#!/usr/bin/env python3
"""Differential test: Prism 5.14 and `standin mock`, with the same command lines.

For each run below, starts `prism mock DOC FLAGS -h 127.0.0.1 -p P` and `standin mock DOC
FLAGS -p Q` on free ports of 127.0.0.1 (documents under crates/standin/tests/fixtures/prism),
sends the run's requests to both and compares the status, the Content-Type, the body and
whether `sl-violations` is sent (with the location and code of each entry). How a body is
compared is said per request:
  body   JSON as JSON, anything else byte for byte;
  shape  the same JSON types and object keys all the way down (generated values differ:
         Prism's static sampler writes "string" and 0, standin realistic values);
  extras:NAMES  the shape of the declared properties NAMES, and whether the object has
         undeclared ones (`--json-schema-faker-fillProperties`: their names are random);
  none   not compared (error documents: Prism's problem types are stoplight.io URLs,
         standin's its own; status and Content-Type still are).
Differences listed in KNOWN are reported, not failed.

Usage: tests/prism/differential.py [-v]
Environment: STANDIN_BIN (default <target>/debug/standin), PRISM (default: the one
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
DOCS = ROOT / "crates/standin/tests/fixtures/prism"
PEERS = Path(os.environ.get("STANDIN_PEERS_DIR", Path.home() / ".cache/standin-peers"))

# (document, flags, [(method, path, headers, body, compare)])
JSON = {"Content-Type": "application/json"}
KEY = {"X-Api-Key": "k"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
RUNS = [
    ("pets.yaml", [], [
        ("GET", "/pets", {}, None, "body"),
        ("GET", "/pets/1", {}, None, "body"),
        ("GET", "/pets/1", {"Prefer": "example=rex"}, None, "body"),
        ("GET", "/pets/1?__example=rex", {}, None, "body"),
        ("GET", "/pets/abc", {}, None, "none"),
        ("GET", "/pets/", {}, None, "none"),
        ("GET", "/pets?limit=1000", {}, None, "none"),
        ("GET", "/pets/1", {"Accept": "application/xml"}, None, "none"),
        ("GET", "/pets/1", {"Prefer": "code=500"}, None, "none"),
        ("GET", "/codes", {}, None, "shape"),
        ("HEAD", "/owners", {}, None, "none"),
        ("HEAD", "/pets/1", {}, None, "none"),
        ("OPTIONS", "/pets", {}, None, "none"),
        ("OPTIONS", "/pets", {"Origin": "http://a.example", "Access-Control-Request-Method": "POST"}, None, "none"),
        ("DELETE", "/pets", {}, None, "none"),
        ("GET", "/nothing", {}, None, "none"),
        ("POST", "/pets", JSON, b'{"id": 3, "name": "Tom"}', "body"),
        ("POST", "/pets", JSON, b'{"id": "a"}', "none"),
        ("POST", "/pets", {"Content-Type": "text/plain"}, b"Tom", "none"),
        ("POST", "/owners", JSON, b'{"a": 1}', "none"),
        ("POST", "/owners", {}, None, "body"),
    ]),
    ("pets.yaml", ["--errors"], [
        ("GET", "/pets", {}, None, "none"),
        ("GET", "/pets/1", {}, None, "body"),
    ]),
    ("pets.yaml", ["--cors=false"], [
        ("OPTIONS", "/pets", {}, None, "none"),
        ("GET", "/pets/1", {}, None, "body"),
    ]),
    ("pets.yaml", ["--ignoreExamples"], [
        ("GET", "/pets/1", {}, None, "shape"),
        ("GET", "/pets", {}, None, "shape"),
    ]),
    ("pets.yaml", ["-d", "--seed", "7"], [
        ("GET", "/pets/1", {}, None, "shape"),
    ]),
    ("headers.yaml", [], [
        ("GET", "/limits", {}, None, "body"),
        ("GET", "/fine", {}, None, "body"),
    ]),
    ("headers.yaml", ["--errors"], [
        ("GET", "/limits", {}, None, "none"),
        ("GET", "/fine", {}, None, "body"),
    ]),
    ("fill.yaml", ["-d", "--seed", "1"], [
        ("GET", "/account", {}, None, "extras:id,name,email,plan,active"),
        ("GET", "/scores", {}, None, "extras:player"),
        ("GET", "/closed", {}, None, "shape"),
    ]),
    ("fill.yaml", ["-d", "--seed", "1", "--json-schema-faker-fillProperties=false"], [
        ("GET", "/account", {}, None, "shape"),
        ("GET", "/scores", {}, None, "shape"),
    ]),
    ("forms.yaml", [], [
        ("GET", "/search?q=&page=", {}, None, "none"),
        ("GET", "/search?q=a&page=1&tag=", {}, None, "body"),
        ("GET", "/search?q=a&page=1&sort=", {}, None, "body"),
        ("GET", "/search?q=a&page=1&limit=", {}, None, "body"),
        ("GET", "/search?q=a&page=1&limit=x", {}, None, "none"),
        ("GET", "/required?id=", {}, None, "none"),
        ("POST", "/upload", FORM, b"data=aGVsbG8%3D&note=", "body"),
        ("POST", "/upload", FORM, b"data=aGVsbG8%3D&label=", "none"),
        ("POST", "/upload", FORM, b"data=not+base64!", "none"),
        ("POST", "/upload", FORM, b"data=aGVsbG8%3D&count=", "none"),
    ]),
    ("commas.json", [], [
        ("GET", "/a", {}, None, "body"),
    ]),
    ("shop.postman_collection.json", [], [
        ("GET", "/orders", {}, None, "none"),
        ("GET", "/orders", KEY, None, "body"),
        ("GET", "/orders", {**KEY, "Accept": "text/csv"}, None, "body"),
        ("GET", "/orders", {**KEY, "Accept": "application/xml"}, None, "none"),
        ("GET", "/orders", {**KEY, "Prefer": "code=500"}, None, "body"),
        ("POST", "/orders", {**KEY, **JSON}, b'{"item": "pen", "qty": 1}', "body"),
        ("POST", "/orders", {**KEY, **JSON}, b'{"item": "pen"}', "body"),
        ("POST", "/orders", {**KEY, **JSON}, b'{"item": "pen", "qty": "two"}', "none"),
        ("GET", "/orders/3", KEY, None, "body"),
        ("GET", "/health", {}, None, "body"),
        ("GET", "/status", {}, None, "none"),
        ("GET", "/status", KEY, None, "body"),
    ]),
]

# (flags, method, path[, body]) -> why the two answers may differ.
KNOWN: dict[tuple[str, ...], str] = {
    ("", "OPTIONS", "/pets"): "a plain OPTIONS with CORS on: standin answers 204 with Allow, Prism 405",
    ("", "HEAD", "/pets/1"): "standin answers HEAD from the GET operation; Prism only with a HEAD operation",
    ("", "GET", "/codes"): "Prism's static body breaks the schema's pattern (sl-violations); standin's satisfies it",
    ("", "POST", "/owners"): "a 204 without content: Prism labels the empty body text/plain, standin sends no Content-Type",
    ("", "GET", "/search?q=&page="): "Swagger 2.0 allowEmptyValue: true: standin takes `?q=` as the empty value, Prism as not sent (so a required one is missing)",
    ("", "POST", "/upload", "data=aGVsbG8%3D&count="): "a formData integer with allowEmptyValue: true sent empty: standin takes it, Prism checks the empty text as an integer",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(port: int, proc: subprocess.Popen, log: str, timeout: float = 90) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({proc.args}); log:\n{Path(log).read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not listen on {port} ({proc.args})")


def send(port: int, method: str, path: str, headers: dict, body: bytes | None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request(method, path, body=body, headers=headers)
    resp = c.getresponse()
    data = resp.read()
    c.close()
    ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = data
    sl = resp.getheader("sl-violations")
    violations = None
    if sl is not None:
        try:
            violations = sorted((tuple(v["location"]), v["code"]) for v in json.loads(sl))
        except (ValueError, KeyError, TypeError):
            violations = sl
    return resp.status, ctype, parsed, violations


def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in sorted(v.items())}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def comparable(answer, compare: str):
    status, ctype, body, violations = answer
    if compare == "shape":
        body = shape(body)
    elif compare.startswith("extras:"):
        # Undeclared properties have random names: the declared ones' shapes, and
        # whether any undeclared one is there.
        declared = compare.split(":", 1)[1].split(",")
        if isinstance(body, dict):
            body = (shape({k: v for k, v in body.items() if k in declared}),
                    any(k not in declared for k in body))
    elif compare == "none":
        body = None
    return status, ctype, body, violations


def start(cmd: list[str], port: int, logs: str, name: str) -> subprocess.Popen:
    log = f"{logs}/{name}.log"
    p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                         start_new_session=True)
    p.log = log  # type: ignore[attr-defined]
    return p


def main() -> int:
    verbose = "-v" in sys.argv
    standin = os.environ.get("STANDIN_BIN") or str(
        Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug/standin"
    )
    prism = os.environ.get("PRISM") or str(PEERS / "prism/node_modules/.bin/prism")
    for tool in (standin, prism):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"missing {tool}: build standin, and install Prism 5.14 "
                             "(../shared/tools/install-peers.sh or scripts/test.sh)")
    logs = tempfile.mkdtemp(prefix="prism-diff-")
    agree = known = differ = 0
    for i, (doc, flags, requests) in enumerate(RUNS):
        pp, sp = free_port(), free_port()
        path = str(DOCS / doc)
        procs = [
            start([prism, "mock", path, *flags, "-h", "127.0.0.1", "-p", str(pp)], pp, logs, f"prism{i}"),
            start([standin, "mock", path, *flags, "-p", str(sp)], sp, logs, f"standin{i}"),
        ]
        try:
            wait(pp, procs[0], procs[0].log)
            wait(sp, procs[1], procs[1].log)
            print(f"-- mock {doc} {' '.join(flags)}")
            for method, rpath, headers, body, compare in requests:
                a = send(pp, method, rpath, headers, body)
                b = send(sp, method, rpath, headers, body)
                label = f"{method} {rpath} {headers or ''}".rstrip()
                key = (" ".join(flags), method, rpath)
                if body is not None and (*key, body.decode()) in KNOWN:
                    key = (*key, body.decode())
                if comparable(a, compare) == comparable(b, compare):
                    agree += 1
                    if verbose:
                        print(f"same    {label}  {a[0]} {a[1]}")
                elif key in KNOWN:
                    known += 1
                    print(f"known   {label}: {KNOWN[key]}")
                else:
                    differ += 1
                    print(f"DIFFER  {label}\n  prism   {a}\n  standin {b}")
        finally:
            for p in procs:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
    total = agree + known + differ
    print(f"{agree}/{total} agree, {known} known differences, {differ} unexpected (logs in {logs})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
