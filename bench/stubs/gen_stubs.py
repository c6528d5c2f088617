#!/usr/bin/env python3
"""Write a WireMock stub directory of N stubs, for the stub-matching benchmark.

Usage: gen_stubs.py N ROOT

Writes ROOT/mappings/stubs-NNNN.json (1,000 stubs a file, `{"mappings": [...]}`) and an empty
ROOT/__files/. The stubs look like a recorded REST API, three per resource:
    GET  urlPath          /api/v1/resNNNNN         list   (jsonBody)
    POST urlPath          /api/v1/resNNNNN         create (bodyPatterns matchesJsonPath $.name)
    GET  urlPathTemplate  /api/v1/resNNNNN/{id}    read   (jsonBody)
plus two that no index can place, the same two whatever N: a urlPathPattern stub and an
any-URL stub told apart by a header. The measured stub is one more read stub, of the last
resource, with priority 10: every other stub has the default priority 5, so a server that
checks stubs one by one in WireMock's order (priority, then newest) checks it last.

Prints two lines: `hit PATH` (answered 200 by the measured stub) and `miss PATH` (matched by
no stub: close to the measured one, one path segment too many).
"""
import json
import os
import sys

PER_FILE = 1000


def item(r: int) -> dict:
    return {"id": 42, "resource": f"res{r:05d}", "name": "Sample item", "status": "active", "price": 19.99}


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        n = int(sys.argv[1])
    except ValueError:
        sys.exit(f"gen_stubs.py: N must be a number, not {sys.argv[1]!r}")
    if n < 4:
        sys.exit("gen_stubs.py: N must be at least 4 (two fallback stubs, one regular, the measured one)")
    root = sys.argv[2]
    os.makedirs(os.path.join(root, "mappings"), exist_ok=True)
    os.makedirs(os.path.join(root, "__files"), exist_ok=True)
    json_ct = {"Content-Type": "application/json"}
    stubs = [
        {"request": {"method": "GET", "urlPathPattern": "/legacy/[a-z]+/report/[0-9]+"},
         "response": {"status": 200, "headers": json_ct, "jsonBody": {"legacy": True}}},
        {"request": {"method": "ANY", "headers": {"X-Replay": {"equalTo": "on"}}},
         "response": {"status": 200, "body": "replayed"}},
    ]
    regular = n - 3
    for k in range(regular):
        r, kind = divmod(k, 3)
        base = f"/api/v1/res{r:05d}"
        if kind == 0:
            stubs.append({"request": {"method": "GET", "urlPath": base},
                          "response": {"status": 200, "headers": json_ct, "jsonBody": [item(r)]}})
        elif kind == 1:
            stubs.append({"request": {"method": "POST", "urlPath": base,
                                      "bodyPatterns": [{"matchesJsonPath": "$.name"}]},
                          "response": {"status": 201, "headers": json_ct, "jsonBody": item(r)}})
        else:
            stubs.append({"request": {"method": "GET", "urlPathTemplate": base + "/{id}"},
                          "response": {"status": 200, "headers": json_ct, "jsonBody": item(r)}})
    last = (regular + 2) // 3  # a resource of its own
    stubs.append({"priority": 10,
                  "request": {"method": "GET", "urlPathTemplate": f"/api/v1/res{last:05d}/{{id}}"},
                  "response": {"status": 200, "headers": json_ct, "jsonBody": item(last)}})
    for f in range(0, len(stubs), PER_FILE):
        path = os.path.join(root, "mappings", f"stubs-{f // PER_FILE:04d}.json")
        with open(path, "w") as out:
            json.dump({"mappings": stubs[f:f + PER_FILE]}, out, separators=(",", ":"))
    print(f"hit /api/v1/res{last:05d}/42")
    print(f"miss /api/v1/res{last:05d}/42/extra")


if __name__ == "__main__":
    main()
