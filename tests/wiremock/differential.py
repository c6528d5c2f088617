#!/usr/bin/env python3
"""Differential test: the same stub directory served by WireMock 3.13.2 and by standin.

Starts WireMock (java -jar wiremock-standalone-3.13.2.jar) and standin (`standin serve ROOT`)
on free ports of 127.0.0.1, both on tests/wiremock/root (mappings/ + __files/), sends every
request of tests/wiremock/requests.json to each in turn, in file order (scenarios move the
same way on both), and compares the answers:

- the status (and the reason phrase, case-insensitively: `statusMessage` sets it);
- the headers that matter: every header WireMock sends except the framing and server ones
  listed in WIRE_HEADERS, with the same values in the same order; a header standin adds that
  WireMock does not send, unless it is one of STANDIN_EXTRA; `Matched-Stub-Id` present on both
  (equal when the stub file declares the id), `Matched-Stub-Name` equal;
- the body: JSON compared as JSON, the "Request was not matched" report cell by cell (column
  widths may differ), anything else byte for byte;
- faults: the kind of failure the client sees (no response, a bad status line, a broken body);
- delays: both take at least the request's `minMs`.

Each request also carries the answer it expects (`expect`): checked against both servers, it
proves the fixture exercises what it says (a WireMock answer that misses its expectation is a
broken fixture, exit status 2). Then a few admin answers are compared: the mapping total and
names, request counts by pattern, found and unmatched requests, scenario states, one mapping.

Differences that are by design are listed in KNOWN with the reason; they are reported and do
not fail the run. Exit status: 0 when every answer agrees (or differs only as KNOWN says),
1 on an unexpected difference, 2 when the fixture or the set-up is broken.

Usage: tests/wiremock/differential.py [--only wiremock|standin] [--filter TEXT] [-v]
Environment: STANDIN_BIN (default <target>/release/standin), WIREMOCK_JAR (default: the jar
that install-peers.sh puts in $STANDIN_PEERS_DIR or ~/.cache/standin-peers), JAVA (java).
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import base64
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ROOT = HERE / "root"
REQUESTS = HERE / "requests.json"

# Headers about framing, the connection or the server itself: compared on neither side.
# WireMock answers chunked by default and standin with Content-Length when it knows the
# length (both are valid HTTP/1.1 framings of the same body); Date and Server name the moment
# and the software. Vary and Last-Modified/Accept-Ranges come from Jetty's static file handling.
WIRE_HEADERS = {
    "date",
    "server",
    "transfer-encoding",
    "content-length",
    "connection",
    "keep-alive",
    "vary",
    "last-modified",
    "accept-ranges",
    "matched-stub-id",  # compared apart: presence, and value when the file declares the id
}

# Headers standin may add that WireMock never sends. By design: standin answers CORS on
# every mock unless `--cors off` (the differential run does not turn it off, as users run it).
STANDIN_EXTRA_PREFIXES = ("access-control-", "x-standin-")

# Request name -> why standin's answer differs from WireMock's by design. A difference on a
# request listed here is reported as "known" and does not fail the run.
KNOWN: dict[str, str] = {}

# Admin comparisons that differ by design: check name -> reason.
KNOWN_ADMIN: dict[str, str] = {
    "POST /__admin/requests/find": "journal header names are lowercased (the request's X-Equal is "
    "journalled as x-equal): standin keeps a request's headers in an http::HeaderMap, which does "
    "not keep the case the client sent; WireMock keeps it",
}


@dataclass
class Answer:
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    ms: float = 0.0
    error: str | None = None  # the kind of failure: no-response, bad-status, bad-body, reset

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def target_dir() -> Path:
    env = os.environ.get("CARGO_TARGET_DIR")
    if env:
        return Path(env)
    try:
        out = subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return Path(json.loads(out)["target_directory"])
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return REPO / "target"


def find_jar() -> str | None:
    if os.environ.get("WIREMOCK_JAR"):
        return os.environ["WIREMOCK_JAR"]
    peers = os.environ.get("STANDIN_PEERS_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "standin-peers"
    )
    jars = sorted(glob.glob(os.path.join(peers, "wiremock/node_modules/wiremock/build/wiremock-standalone-*.jar")))
    return jars[0] if jars else None


class Server:
    """A server in its own process group, logging to a file, stopped with its whole group."""

    def __init__(self, name: str, cmd: list[str], port: int, logdir: Path):
        self.name, self.cmd, self.port = name, cmd, port
        self.log = logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float) -> None:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                self.cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before answering; log:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/__admin/health")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer on port {self.port} within {timeout:.0f} s; log:\n{self.tail()}")

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, PermissionError):
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def request_body(r: dict) -> bytes | None:
    if "json" in r:
        return json.dumps(r["json"]).encode()
    if "bodyBase64" in r:
        return base64.b64decode(r["bodyBase64"])
    if "body" in r:
        return r["body"].encode()
    return None


def send(port: int, r: dict, timeout: float = 10.0) -> Answer:
    """One request on a fresh connection (a fault closes it), headers sent as listed."""
    body = request_body(r)
    headers = [tuple(h) for h in r.get("headers", [])]
    if "json" in r and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    ans = Answer()
    t0 = time.monotonic()
    try:
        conn.putrequest(r["method"], r["path"], skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        try:
            resp = conn.getresponse()
        except http.client.RemoteDisconnected:
            ans.error = "no-response"
            return ans
        except http.client.BadStatusLine:
            ans.error = "bad-status"
            return ans
        except ConnectionResetError:
            ans.error = "reset"
            return ans
        ans.status, ans.reason = resp.status, resp.reason
        ans.headers = list(resp.getheaders())
        try:
            ans.body = resp.read()
        except (http.client.IncompleteRead, ValueError, ConnectionResetError, http.client.HTTPException):
            ans.error = "bad-body"
    except (ConnectionResetError, BrokenPipeError):
        ans.error = "reset"
    except socket.timeout:
        ans.error = "timeout"
    finally:
        ans.ms = (time.monotonic() - t0) * 1000
        conn.close()
    return ans


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

NOT_MATCHED = "Request was not matched"


def report_cells(text: str) -> list[list[str]]:
    """The 404 report as rows of stripped cells: the same report whatever the column widths."""
    rows = []
    for line in text.splitlines():
        s = line.strip()
        if not s or set(s) <= set("-="):
            continue
        cells = [re.sub(r"\s+", " ", c.strip()) for c in s.strip("|").split("|")]
        rows.append(cells)
    return rows


def parse_json(data: bytes):
    try:
        return True, json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False, None


def short(data: bytes | str, n: int = 160) -> str:
    s = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[: n - 1] + "…"


def check_expect(r: dict, a: Answer) -> list[str]:
    """What the answer misses of the request's own expectation."""
    e, out = r.get("expect", {}), []
    if "fault" in e:
        if a.error is None:
            out.append(f"expected a fault ({e['fault']}), got {a.status}")
        elif e["fault"] != "any" and a.error != e["fault"]:
            out.append(f"expected fault {e['fault']}, got {a.error}")
        return out
    if a.error:
        return [f"failed: {a.error}"]
    if "status" in e and a.status != e["status"]:
        out.append(f"status {a.status}, expected {e['status']}")
    if "body" in e and a.body != e["body"].encode():
        out.append(f"body {short(a.body)!r}, expected {short(e['body'])!r}")
    if "contains" in e and e["contains"].encode() not in a.body:
        out.append(f"body {short(a.body)!r} lacks {e['contains']!r}")
    if r.get("minMs") and a.ms < r["minMs"]:
        out.append(f"answered in {a.ms:.0f} ms, expected at least {r['minMs']} ms")
    return out


def compare(r: dict, wm: Answer, st: Answer, declared_ids: set[str]) -> list[str]:
    """Differences between WireMock's answer (the reference) and standin's."""
    diffs: list[str] = []
    if wm.error or st.error:
        if (wm.error is None) != (st.error is None) or (r["expect"].get("fault") != "any" and wm.error != st.error):
            diffs.append(f"failure: WireMock {wm.error or wm.status}, standin {st.error or st.status}")
        return diffs
    if wm.status != st.status:
        diffs.append(f"status: WireMock {wm.status}, standin {st.status}")
    if wm.reason.lower() != st.reason.lower():
        diffs.append(f"reason phrase: WireMock {wm.reason!r}, standin {st.reason!r}")
    wm_names = {k.lower() for k, _ in wm.headers}
    for name in sorted(wm_names - WIRE_HEADERS):
        if wm.header(name) != st.header(name):
            diffs.append(f"header {name}: WireMock {wm.header(name)}, standin {st.header(name)}")
    for name in sorted({k.lower() for k, _ in st.headers} - wm_names - WIRE_HEADERS):
        if not name.startswith(STANDIN_EXTRA_PREFIXES):
            diffs.append(f"header {name}: WireMock none, standin {st.header(name)}")
    wid, sid = wm.header("Matched-Stub-Id"), st.header("Matched-Stub-Id")
    if bool(wid) != bool(sid):
        diffs.append(f"Matched-Stub-Id: WireMock {wid or 'absent'}, standin {sid or 'absent'}")
    elif wid and wid[0] in declared_ids and wid != sid:
        diffs.append(f"Matched-Stub-Id: WireMock {wid}, standin {sid} (declared in the file)")
    if r["method"] == "HEAD":
        return diffs
    wtext = wm.body.decode("utf-8", "replace")
    if NOT_MATCHED in wtext:
        if report_cells(wtext) != report_cells(st.body.decode("utf-8", "replace")):
            diffs.append(f"not-matched report: WireMock {short(wm.body, 400)!r}, standin {short(st.body, 400)!r}")
        return diffs
    wj, wv = parse_json(wm.body)
    sj, sv = parse_json(st.body)
    if wj and sj and wm.body.strip()[:1] in (b"{", b"["):
        if wv != sv:
            diffs.append(f"JSON body: WireMock {short(wm.body)!r}, standin {short(st.body)!r}")
    elif wm.body != st.body:
        diffs.append(f"body: WireMock {short(wm.body)!r}, standin {short(st.body)!r}")
    return diffs


# ---------------------------------------------------------------------------------------------
# Admin answers
# ---------------------------------------------------------------------------------------------


def admin(port: int, method: str, path: str, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    ok, value = parse_json(raw)
    return resp.status, (value if ok else raw.decode("utf-8", "replace"))


def admin_views(port: int) -> dict[str, object]:
    """The admin answers compared, each reduced to what must agree."""
    views: dict[str, object] = {}

    def view(name, fn):
        try:
            views[name] = fn()
        except (OSError, http.client.HTTPException, KeyError, TypeError, ValueError, AttributeError) as e:
            views[name] = f"error: {type(e).__name__}: {e}"

    def mappings():
        st, v = admin(port, "GET", "/__admin/mappings")
        return {
            "status": st,
            "meta.total": v["meta"]["total"],
            "len": len(v["mappings"]),
            "names": sorted((m.get("name") or "", m.get("priority", 5)) for m in v["mappings"]),
        }

    def paged():
        st, v = admin(port, "GET", "/__admin/mappings?limit=5&offset=2")
        return {"status": st, "meta.total": v["meta"]["total"], "len": len(v["mappings"])}

    def one():
        st, v = admin(port, "GET", "/__admin/mappings/0c1a9a5e-0002-4000-8000-000000000001")
        return {"status": st, "id": v.get("id"), "name": v.get("name"), "request": v.get("request"),
                "response.status": v.get("response", {}).get("status"), "response.headers": v.get("response", {}).get("headers")}

    def missing():
        st, _ = admin(port, "GET", "/__admin/mappings/0c1a9a5e-ffff-4000-8000-000000000001")
        return {"status": st}

    def count(pattern):
        def f():
            st, v = admin(port, "POST", "/__admin/requests/count", pattern)
            return {"status": st, "count": v["count"]}
        return f

    def find():
        st, v = admin(port, "POST", "/__admin/requests/find", {"method": "GET", "urlPath": "/h/dates"})
        return {"status": st, "n": len(v["requests"]),
                "urls": sorted(x["url"] for x in v["requests"]),
                "X-Equal": sorted(str((x.get("headers") or {}).get("X-Equal")) for x in v["requests"])}

    def unmatched():
        st, v = admin(port, "GET", "/__admin/requests/unmatched")
        return {"status": st, "requests": sorted(f"{x['method']} {x['url']}" for x in v["requests"])}

    def near_misses():
        st, v = admin(port, "GET", "/__admin/requests/unmatched/near-misses")
        return {"status": st, "n": len(v["nearMisses"]),
                "first": sorted({f"{x['request']['method']} {x['request']['url']}" for x in v["nearMisses"]})}

    def scenarios():
        st, v = admin(port, "GET", "/__admin/scenarios")
        return {"status": st, "states": sorted((s["name"], s["state"], tuple(sorted(s.get("possibleStates", []))))
                                              for s in v["scenarios"])}

    def invalid():
        st, _ = admin(port, "POST", "/__admin/mappings", {"request": {"method": "GET", "url": "/x", "bogusField": 1}, "response": {}})
        return {"status": st}

    view("GET /__admin/mappings", mappings)
    view("GET /__admin/mappings?limit=5&offset=2", paged)
    view("GET /__admin/mappings/{declared id}", one)
    view("GET /__admin/mappings/{unknown id}", missing)
    view("POST /__admin/requests/count GET /h/.*", count({"method": "GET", "urlPathPattern": "/h/.*"}))
    view("POST /__admin/requests/count ANY /s/step", count({"method": "ANY", "url": "/s/step"}))
    view("POST /__admin/requests/count header X-Tag", count({"method": "ANY", "headers": {"X-Tag": {"matches": "[ab]"}}}))
    view("POST /__admin/requests/count all", count({"method": "ANY"}))
    view("POST /__admin/requests/find", find)
    view("GET /__admin/requests/unmatched", unmatched)
    view("GET /__admin/requests/unmatched/near-misses", near_misses)
    view("GET /__admin/scenarios", scenarios)
    view("POST /__admin/mappings with an unknown field", invalid)
    return views


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["wiremock", "standin"], help="check one server against the expectations only")
    ap.add_argument("--filter", help="only the requests whose name contains this text (admin checks skipped)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every request, agreeing or not")
    args = ap.parse_args()

    requests = json.loads(REQUESTS.read_text())
    if args.filter:
        requests = [r for r in requests if args.filter in r["name"]]
    declared_ids = set()
    for f in ROOT.glob("mappings/**/*.json"):
        doc = json.loads(f.read_text())
        for m in doc.get("mappings", [doc]):
            if "id" in m:
                declared_ids.add(m["id"])

    logdir = Path(tempfile.mkdtemp(prefix="standin-differential."))
    servers: dict[str, Server] = {}
    want = [args.only] if args.only else ["wiremock", "standin"]
    # WireMock writes into its root (it keeps API stubs there on save): serve it a copy.
    wm_root = logdir / "wiremock-root"
    shutil.copytree(ROOT, wm_root)
    if "wiremock" in want:
        jar = find_jar()
        java = os.environ.get("JAVA", "java")
        if not jar or not shutil.which(java):
            print(f"differential: WireMock is not installed (jar: {jar or 'not found'}, java: {shutil.which(java) or 'not found'}); "
                  "run scripts/test.sh's set-up or bash ../shared/tools/install-peers.sh", file=sys.stderr)
            return 2
        port = free_port()
        servers["wiremock"] = Server("wiremock", [java, "-jar", jar, "--port", str(port), "--bind-address", "127.0.0.1",
                                                  "--root-dir", str(wm_root), "--disable-banner"], port, logdir)
    if "standin" in want:
        binary = os.environ.get("STANDIN_BIN") or str(target_dir() / "release" / "standin")
        if not os.access(binary, os.X_OK):
            print(f"differential: no standin binary at {binary} (cargo build --release -p standin, or set STANDIN_BIN)", file=sys.stderr)
            return 2
        port = free_port()
        st_root = logdir / "standin-root"
        shutil.copytree(ROOT, st_root)
        servers["standin"] = Server("standin", [binary, "serve", str(st_root), "--port", str(port), "--host", "127.0.0.1"], port, logdir)

    try:
        t0 = time.monotonic()
        for s in servers.values():
            s.start(timeout=90)
        print(f"servers up in {time.monotonic() - t0:.1f} s: " + ", ".join(f"{n} :{s.port}" for n, s in servers.items()))
        return run(args, requests, servers, declared_ids)
    except RuntimeError as e:
        print(f"differential: {e}", file=sys.stderr)
        return 2
    finally:
        for s in servers.values():
            s.stop()
        shutil.rmtree(logdir, ignore_errors=True)


def run(args, requests: list[dict], servers: dict[str, Server], declared_ids: set[str]) -> int:
    answers: dict[str, list[Answer]] = {n: [] for n in servers}
    for r in requests:
        for n, s in servers.items():
            answers[n].append(send(s.port, r))

    fixture_broken = 0
    rows = []  # (verdict, name, details)
    for i, r in enumerate(requests):
        wm = answers["wiremock"][i] if "wiremock" in answers else None
        st = answers["standin"][i] if "standin" in answers else None
        details = []
        if wm is not None:
            miss = check_expect(r, wm)
            if miss:
                fixture_broken += 1
                rows.append(("FIXTURE", r["name"], [f"WireMock misses the expectation: {m}" for m in miss]))
                continue
        if st is not None:
            details += [f"standin misses the expectation: {m}" for m in check_expect(r, st)]
        if wm is not None and st is not None:
            details += compare(r, wm, st, declared_ids)
        if not details:
            rows.append(("agree" if wm is not None and st is not None else "ok", r["name"], []))
        elif r["name"] in KNOWN:
            rows.append(("known", r["name"], details + [f"by design: {KNOWN[r['name']]}"]))
        else:
            head = f"{r['method']} {r['path']}"
            if r.get("headers"):
                head += "  " + "; ".join(f"{k}: {v}" for k, v in r["headers"])
            body = request_body(r)
            if body:
                head += f"  body {short(body, 120)!r}"
            rows.append(("DIFFER", r["name"], [f"request: {head}"] + details))

    admin_rows = []
    if len(servers) == 2 and not args.filter:
        wv, sv = admin_views(servers["wiremock"].port), admin_views(servers["standin"].port)
        for name in wv:
            if wv[name] == sv[name]:
                admin_rows.append(("agree", name, []))
            else:
                verdict = "known" if name in KNOWN_ADMIN else "DIFFER"
                extra = [f"by design: {KNOWN_ADMIN[name]}"] if name in KNOWN_ADMIN else []
                admin_rows.append((verdict, name, [f"WireMock: {json.dumps(wv[name])[:600]}",
                                                   f"standin:  {json.dumps(sv[name])[:600]}"] + extra))
    elif args.verbose and not args.filter:
        (only,) = servers.values()
        for name, value in admin_views(only.port).items():
            admin_rows.append(("ok", name, [json.dumps(value)[:600]]))

    width = max(len(n) for _, n, _ in rows + admin_rows)
    print(f"\n{'verdict':8} {'request':{width}}")
    for verdict, name, details in rows + [("", "", [])] + admin_rows:
        if not name:
            print(f"\n{'verdict':8} admin")
            continue
        if verdict in ("agree", "ok") and not args.verbose:
            continue
        print(f"{verdict:8} {name}")
        for d in details:
            print(f"{'':8}   {d}")
    # The differences by kind (a header, the body, the status...): one missing header on every
    # stub answer shows as one line here rather than only as a hundred rows above.
    kinds: dict[str, int] = {}
    for verdict, _, details in rows:
        if verdict != "DIFFER":
            continue
        for kind in sorted({d.split(":")[0] for d in details if not d.startswith(("request:", "standin misses"))}):
            kinds[kind] = kinds.get(kind, 0) + 1
    if kinds:
        print("\ndifferences by kind (requests):")
        for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
            print(f"  {n:4}  {kind}")
    count = {}
    for verdict, _, _ in rows + admin_rows:
        count[verdict] = count.get(verdict, 0) + 1
    summary = ", ".join(f"{v} {count[v]}" for v in ("agree", "ok", "known", "DIFFER", "FIXTURE") if v in count)
    print(f"\n{len(rows)} requests, {len(admin_rows)} admin checks: {summary}")
    if fixture_broken:
        print("FIXTURE rows: WireMock does not answer as the request's expectation says; fix the fixture.")
        return 2
    return 1 if count.get("DIFFER") else 0


if __name__ == "__main__":
    sys.exit(main())
