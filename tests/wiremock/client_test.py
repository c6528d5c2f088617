#!/usr/bin/env python3
"""standin driven by a real WireMock client: the PyPI `wiremock` package (python-wiremock 2.7.x).

The same steps run against WireMock 3.13.2 (which proves the steps are right) and against
standin: each server is started on a free port of 127.0.0.1 with a root of its own holding one
file stub, and the client, pointed at its `/__admin`, creates stubs (`Mappings.create_mapping`),
reads and updates them, calls them with urllib, counts and finds requests (`Requests`), reads
near misses (`Requests.get_unmatched_requests_near_misses`, `NearMisses`), moves scenarios and
resets them (`Scenarios`), sets a global fixed delay (`GlobalSettings`), saves, deletes and
resets (`Mappings.persist_mappings`, `delete_mapping`, `delete_mapping_by_metadata`,
`reset_mappings`, `delete_all_mappings`, `Requests.reset_request_journal`, `POST /__admin/reset`).

Run it with the Python that has the client installed (scripts/test.sh makes a venv):
  .venv/bin/python tests/wiremock/client_test.py [--server wiremock|standin]...
Environment: as tests/wiremock/differential.py (STANDIN_BIN, WIREMOCK_JAR, JAVA).
Prints one line per check and closes with "N passed, N failed"; exit status 1 on a failure,
2 when a server or the client can't be had.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from differential import Server, find_jar, free_port, target_dir  # noqa: E402

try:
    from wiremock.client import (
        GlobalSetting,
        GlobalSettings,
        HttpMethods,
        Mapping,
        MappingRequest,
        MappingResponse,
        Mappings,
        NearMisses,
        NearMissMatchPatternRequest,
        NearMissMatchRequest,
        Requests,
        Scenarios,
    )
    from wiremock.constants import Config
    from wiremock.exceptions import InvalidInputException, NotFoundException
except ImportError as e:  # the client is not installed in this Python
    print(f"client_test: the wiremock client is not importable ({e}); install it: pip install 'wiremock>=2.7,<2.8'", file=sys.stderr)
    sys.exit(2)

FILE_STUB = {
    "request": {"method": "GET", "url": "/from-file"},
    "response": {"status": 200, "body": "file stub"},
}


class Checks:
    def __init__(self, server: str):
        self.server, self.passed, self.failed = server, 0, 0

    def check(self, what: str, ok: bool, detail: object = "") -> bool:
        if ok:
            self.passed += 1
            print(f"  ok    {what}")
        else:
            self.failed += 1
            print(f"  FAIL  {what}: {detail}")
        return ok


def call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """A plain HTTP call to the mock (not through the client): status, headers, body text, ms."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers=headers or {})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read().decode("utf-8", "replace"), (time.monotonic() - t0) * 1000
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read().decode("utf-8", "replace"), (time.monotonic() - t0) * 1000


def stub(method, path, status=200, body=None, json_body=None, headers=None, **extra) -> Mapping:
    request = MappingRequest(method=method, url_path=path, **extra.pop("request", {}))
    response = MappingResponse(status=status, body=body, json_body=json_body, headers=headers, **extra.pop("response", {}))
    return Mapping(request=request, response=response, **extra)


def set_delay(ms: int) -> None:
    """GlobalSettings.update_global_settings, as a client user calls it. WireMock 3.13.2 answers
    POST /__admin/settings with 200 and an empty body, which python-wiremock 2.7 then fails to
    parse as JSON (a ValueError after the setting took effect): that one error is the server
    behaving like WireMock, not a failure."""
    try:
        GlobalSettings.update_global_settings(GlobalSetting(fixed_delay=ms))
    except ValueError:
        pass


def steps(c: Checks, port: int, root: Path) -> None:
    Config.base_url = f"http://127.0.0.1:{port}/__admin"
    Config.timeout = 10

    # The file stub is there, and nothing else.
    all_ = Mappings.retrieve_all_mappings()
    c.check("retrieve_all_mappings lists the file stub", all_.meta.total == 1 and len(all_.mappings) == 1, all_.get_json_data())
    st, _, body, _ = call(port, "GET", "/from-file")
    c.check("the file stub answers", (st, body) == (200, "file stub"), (st, body))

    # Create stubs through the client.
    hello = Mappings.create_mapping(
        stub(HttpMethods.GET, "/hello", json_body={"greeting": "hi"}, headers={"Content-Type": "application/json"},
             request={"query_parameters": {"name": {"matches": "[a-z]+"}}}, metadata={"team": "a"})
    )
    c.check("create_mapping returns the stub with an id", bool(hello.id) and hello.request.url_path == "/hello", hello.get_json_data())
    order = Mappings.create_mapping(
        stub(HttpMethods.POST, "/orders", status=201, body="created", headers={"X-Order": "1"}, priority=1,
             request={"body_patterns": [{"equalToJson": {"sku": "A", "qty": 2}, "ignoreExtraElements": True}],
                      "headers": {"Content-Type": {"contains": "json"}}},
             metadata={"team": "b"})
    )
    c.check("create_mapping keeps the priority", order.priority == 1, order.get_json_data())
    auth = Mappings.create_mapping(
        stub(HttpMethods.GET, "/private", body="welcome",
             request={"basic_auth_credentials": {"username": "ann", "password": "pw"}})
    )
    templ = Mappings.create_mapping(
        stub(HttpMethods.ANY, "/echo", body="{{request.method}} {{request.query.x}} {{jsonPath request.body '$.n'}}",
             response={"transformers": ["response-template"]})
    )
    for state_from, state_to, method, body in (("Started", None, HttpMethods.GET, "empty"),
                                               ("Started", "one item", HttpMethods.POST, "added"),
                                               ("one item", None, HttpMethods.GET, "one item")):
        Mappings.create_mapping(stub(method, "/todo", body=body, scenario_name="todo",
                                     required_scenario_state=state_from, new_scenario_state=state_to))
    all_ = Mappings.retrieve_all_mappings()
    c.check("retrieve_all_mappings counts 8 stubs", all_.meta.total == 8 and len(all_.mappings) == 8, all_.meta.get_json_data())
    c.check("the priority-1 stub is listed first", all_.mappings[0].id == order.id, [m.id for m in all_.mappings][:3])
    one = Mappings.retrieve_mapping(hello.id)
    c.check("retrieve_mapping by id", one.id == hello.id and one.response.json_body == {"greeting": "hi"}, one.get_json_data())
    paged = Mappings.retrieve_all_mappings(parameters={"limit": 2, "offset": 1})
    c.check("retrieve_all_mappings with limit/offset", len(paged.mappings) == 2 and paged.meta.total == 8, paged.meta.get_json_data())

    # Call them.
    st, hdrs, body, _ = call(port, "GET", "/hello?name=bob")
    c.check("GET /hello?name=bob answers the stub", st == 200 and json.loads(body or "null") == {"greeting": "hi"}, (st, body))
    c.check("Matched-Stub-Id names the stub", {k.lower(): v for k, v in hdrs.items()}.get("matched-stub-id") == hello.id, hdrs)
    st, hdrs, body, _ = call(port, "POST", "/orders", json.dumps({"sku": "A", "qty": 2, "note": "x"}).encode(), {"Content-Type": "application/json"})
    c.check("POST /orders with a matching JSON body", (st, body) == (201, "created"), (st, body))
    st, _, body, _ = call(port, "GET", "/private", headers={"Authorization": "Basic YW5uOnB3"})
    c.check("basic auth stub", (st, body) == (200, "welcome"), (st, body))
    st, _, body, _ = call(port, "PUT", "/echo?x=7", b'{"n": 3}', {"Content-Type": "application/json"})
    c.check("templated stub", (st, body) == (200, "PUT 7 3"), (st, body))
    updated = Mappings.update_mapping(Mapping(id=hello.id, request=MappingRequest(method=HttpMethods.GET, url_path="/hello"),
                                              response=MappingResponse(status=200, body="updated")))
    st, _, body, _ = call(port, "GET", "/hello?name=bob")
    c.check("update_mapping: the new response is served", updated.id == hello.id and (st, body) == (200, "updated"), (st, body))

    # Misses, then the journal.
    st, hdrs, body, _ = call(port, "GET", "/private", headers={"Authorization": "Basic YW5uOm5v"})
    c.check("wrong credentials: 404 with the not-matched report", st == 404 and "Request was not matched" in body, (st, body[:200]))
    st, _, _, _ = call(port, "DELETE", "/orders")
    c.check("another miss: 404", st == 404, st)

    count = Requests.get_matching_request_count(NearMissMatchPatternRequest(url_path="/hello", method=HttpMethods.GET))
    c.check("get_matching_request_count GET /hello = 2", count.count == 2, count.get_json_data())
    count = Requests.get_matching_request_count(NearMissMatchPatternRequest(method=HttpMethods.ANY))
    c.check("get_matching_request_count ANY = 8 (admin calls are not journalled)", count.count == 8, count.get_json_data())
    found = Requests.get_matching_requests(NearMissMatchPatternRequest(url_path="/orders", method=HttpMethods.ANY))
    c.check("get_matching_requests ANY /orders: the POST and the DELETE",
            sorted(r.method for r in found.requests) == ["DELETE", "POST"], [r.get_json_data() for r in found.requests])
    post = [r for r in found.requests if r.method == "POST"]
    c.check("a found request has its body and headers",
            bool(post) and json.loads(post[0].body).get("sku") == "A" and any(k.lower() == "content-type" for k in (post[0].headers or {})),
            post[0].get_json_data() if post else None)
    journal = Requests.get_all_received_requests()
    c.check("get_all_received_requests: 8, newest first", len(journal.requests) == 8 and journal.requests[0].request.method == "DELETE",
            [r.request.url for r in journal.requests])
    one_req = Requests.get_request(journal.requests[0].id)
    c.check("get_request by id", one_req.request.url == "/orders", one_req.get_json_data())
    unmatched = Requests.get_unmatched_requests()
    c.check("get_unmatched_requests: the two misses",
            sorted(f"{r.method} {r.url}" for r in unmatched.requests) == ["DELETE /orders", "GET /private"],
            [r.get_json_data() for r in unmatched.requests])

    # Near misses.
    near = Requests.get_unmatched_requests_near_misses()
    c.check("get_unmatched_requests_near_misses lists near misses of both misses",
            {f"{n.request.method} {n.request.url}" for n in near.near_misses} == {"DELETE /orders", "GET /private"},
            [n.get_json_data() for n in near.near_misses][:2])
    near = NearMisses.find_nearest_misses_by_request(NearMissMatchRequest(url="/hello?name=B0B", method=HttpMethods.GET))
    dist = [n.match_result.distance for n in near.near_misses]
    c.check("find_nearest_misses_by_request: up to 3, closest first, distances in 0..1",
            1 <= len(dist) <= 3 and dist == sorted(dist) and all(0 <= d <= 1 for d in dist), dist)
    near = NearMisses.find_nearest_misses_by_request_pattern(NearMissMatchPatternRequest(url="/orders", method=HttpMethods.PATCH))
    c.check("find_nearest_misses_by_request_pattern: journal requests closest to the pattern",
            bool(near.near_misses) and near.near_misses[0].request.url == "/orders",
            [n.get_json_data() for n in near.near_misses])

    # Scenarios.
    seq = [call(port, m, "/todo")[2] for m in ("GET", "POST", "GET")]
    c.check("scenario moves: empty, added, one item", seq == ["empty", "added", "one item"], seq)
    Scenarios.reset_all_scenarios()
    st, _, body, _ = call(port, "GET", "/todo")
    c.check("reset_all_scenarios puts it back to Started", body == "empty", (st, body))
    resp = Scenarios.REST_CLIENT.put("/scenarios/todo/state", json={"state": "one item"})
    st, _, body, _ = call(port, "GET", "/todo")
    c.check("PUT /scenarios/todo/state sets the state", resp.status_code == 200 and body == "one item", (resp.status_code, body))
    resp = Scenarios.REST_CLIENT.get("/scenarios")
    scen = resp.json().get("scenarios", []) if resp.status_code == 200 else []
    c.check("GET /scenarios lists it with its possible states",
            [(s["name"], s["state"], sorted(s.get("possibleStates", []))) for s in scen] == [("todo", "one item", ["Started", "one item"])],
            scen)

    # Settings: a global fixed delay.
    set_delay(400)
    _, _, body, ms = call(port, "GET", "/from-file")
    c.check("a global fixed delay of 400 ms", body == "file stub" and ms >= 390, f"{ms:.0f} ms")
    set_delay(0)
    _, _, _, ms = call(port, "GET", "/from-file")
    c.check("the delay set back to 0", ms < 300, f"{ms:.0f} ms")

    # Invalid input is a 422, which the client raises as InvalidInputException.
    try:
        Mappings.REST_CLIENT.handle_response(Mappings.REST_CLIENT.post(
            "/mappings", json={"request": {"method": "GET", "url": "/x", "bogusField": 1}, "response": {"status": 200}}))
        c.check("an unknown request field gets 422", False, "accepted")
    except InvalidInputException as e:
        c.check("an unknown request field gets 422", True)
    except Exception as e:  # any other answer is the failure being tested for
        c.check("an unknown request field gets 422", False, repr(e))

    # Save: API stubs written under mappings/.
    before = set(p.name for p in (root / "mappings").rglob("*.json"))
    Mappings.persist_mappings()
    after = set(p.name for p in (root / "mappings").rglob("*.json"))
    c.check("persist_mappings writes the API stubs to mappings/", len(after - before) == 7, sorted(after - before))
    for f in after - before:  # not part of the reload checked below
        for p in (root / "mappings").rglob(f):
            p.unlink()

    # Deleting.
    Mappings.delete_mapping(auth.id)
    st, _, _, _ = call(port, "GET", "/private", headers={"Authorization": "Basic YW5uOnB3"})
    c.check("delete_mapping: the stub is gone", st == 404, st)
    try:
        Mappings.retrieve_mapping(auth.id)
        c.check("retrieve_mapping of a deleted stub raises NotFoundException", False, "found")
    except NotFoundException:
        c.check("retrieve_mapping of a deleted stub raises NotFoundException", True)
    Mappings.delete_mapping_by_metadata({"matchesJsonPath": {"expression": "$.team", "equalTo": "b"}})
    ids = [m.id for m in Mappings.retrieve_all_mappings().mappings]
    c.check("delete_mapping_by_metadata removes the team-b stub only", order.id not in ids and hello.id in ids and templ.id in ids, ids)

    # The journal reset. python-wiremock 2.7 posts /__admin/requests/reset, which WireMock
    # 3.13.2 does not route (404, NotFoundException); DELETE /__admin/requests is the route.
    try:
        Requests.reset_request_journal()
        via = "POST /requests/reset"
    except NotFoundException:
        via = "404, then DELETE /requests"
        Requests.REST_CLIENT.handle_response(Requests.REST_CLIENT.delete("/requests"))
    count = Requests.get_matching_request_count(NearMissMatchPatternRequest(method=HttpMethods.ANY))
    c.check(f"reset_request_journal ({via}) empties the journal", count.count == 0, count.get_json_data())

    # Reset: API stubs dropped, files reloaded, journal and scenarios cleared.
    call(port, "GET", "/from-file")
    Mappings.reset_mappings()
    all_ = Mappings.retrieve_all_mappings()
    count = Requests.get_matching_request_count(NearMissMatchPatternRequest(method=HttpMethods.ANY))
    c.check("reset_mappings: the file stub only, journal empty", all_.meta.total == 1 and count.count == 0,
            (all_.meta.total, count.count))
    Mappings.create_mapping(stub(HttpMethods.GET, "/temp", body="temp"))
    call(port, "GET", "/temp")
    resp = Mappings.REST_CLIENT.post("/reset")
    all_ = Mappings.retrieve_all_mappings()
    count = Requests.get_matching_request_count(NearMissMatchPatternRequest(method=HttpMethods.ANY))
    c.check("POST /__admin/reset: the file stub only, journal empty",
            resp.status_code == 200 and all_.meta.total == 1 and count.count == 0, (resp.status_code, all_.meta.total, count.count))
    Mappings.delete_all_mappings()
    all_ = Mappings.retrieve_all_mappings()
    st, _, _, _ = call(port, "GET", "/from-file")
    c.check("delete_all_mappings: none left, the file stub no longer answers", all_.meta.total == 0 and st == 404, (all_.meta.total, st))


def main() -> int:
    ap = argparse.ArgumentParser(description="standin (and WireMock) driven by the python-wiremock client")
    ap.add_argument("--server", action="append", choices=["wiremock", "standin"], help="default: both")
    args = ap.parse_args()
    servers = args.server or ["wiremock", "standin"]
    passed = failed = 0
    for name in servers:
        tmp = Path(tempfile.mkdtemp(prefix=f"standin-client-{name}."))
        root = tmp / "root"
        (root / "mappings").mkdir(parents=True)
        (root / "__files").mkdir()
        (root / "mappings" / "file-stub.json").write_text(json.dumps(FILE_STUB))
        port = free_port()
        if name == "wiremock":
            jar, java = find_jar(), os.environ.get("JAVA", "java")
            if not jar or not shutil.which(java):
                print(f"client_test: WireMock is not installed (jar: {jar}, java: {shutil.which(java)})", file=sys.stderr)
                return 2
            cmd = [java, "-jar", jar, "--port", str(port), "--bind-address", "127.0.0.1", "--root-dir", str(root), "--disable-banner"]
        else:
            binary = os.environ.get("STANDIN_BIN") or str(target_dir() / "release" / "standin")
            if not os.access(binary, os.X_OK):
                print(f"client_test: no standin binary at {binary}", file=sys.stderr)
                return 2
            cmd = [binary, "serve", str(root), "--port", str(port), "--host", "127.0.0.1"]
        server = Server(name, cmd, port, tmp)
        c = Checks(name)
        t0 = time.monotonic()
        try:
            server.start(timeout=90)
            print(f"{name} (port {port}):")
            try:
                steps(c, port, root)
            except Exception as e:  # a step the client could not complete fails the run, with its cause
                c.check("the steps run to the end", False, f"{type(e).__name__}: {e}")
        except RuntimeError as e:
            print(f"client_test: {e}", file=sys.stderr)
            return 2
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"{name}: {c.passed} passed, {c.failed} failed in {time.monotonic() - t0:.1f} s")
        passed += c.passed
        failed += c.failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
