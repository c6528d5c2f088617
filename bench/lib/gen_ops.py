#!/usr/bin/env python3
"""Generate an OpenAPI 3 document with many operations, for the routing benchmark.

Usage: gen_ops.py OPERATIONS OUT.json [WIREMOCK_ROOT]

Operations come in groups of three per resource, like a typical REST API:
    GET  /api/v1/res{i}            list  (200, example)
    POST /api/v1/res{i}            create (201, example)
    GET  /api/v1/res{i}/{itemId}   read  (200, example)
OPERATIONS is rounded up to a multiple of 3. The benchmark requests the read route of the last
resource (GET /api/v1/res{last}/42), printed on stdout as the last line. With WIREMOCK_ROOT, also
writes the equivalent WireMock stub mappings (one file) under WIREMOCK_ROOT/mappings/.
"""
import json
import os
import sys


def item(i):
    return {
        "id": 42,
        "resource": f"res{i:04d}",
        "name": "Sample item",
        "status": "active",
        "quantity": 7,
        "price": 19.99,
        "created_at": "2024-05-01T12:00:00Z",
        "tags": ["alpha", "beta"],
    }


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    ops = int(sys.argv[1])
    out = sys.argv[2]
    groups = max(1, (ops + 2) // 3)
    paths = {}
    stubs = []
    item_schema = {"$ref": "#/components/schemas/Item"}
    for i in range(groups):
        base = f"/api/v1/res{i:04d}"
        tag = f"res{i:04d}"
        paths[base] = {
            "get": {
                "operationId": f"list{tag}",
                "tags": [tag],
                "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {
                    "schema": {"type": "array", "items": item_schema}, "example": [item(i)]}}}},
            },
            "post": {
                "operationId": f"create{tag}",
                "tags": [tag],
                "requestBody": {"content": {"application/json": {"schema": item_schema}}},
                "responses": {"201": {"description": "Created", "content": {"application/json": {
                    "schema": item_schema, "example": item(i)}}}},
            },
        }
        paths[base + "/{itemId}"] = {
            "get": {
                "operationId": f"get{tag}",
                "tags": [tag],
                "parameters": [{"name": "itemId", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {
                        "schema": item_schema, "example": item(i)}}},
                    "404": {"description": "Not found"},
                },
            },
        }
        body = json.dumps(item(i), separators=(",", ":"))
        for method, pattern, status, b in (
            ("GET", base, 200, "[" + body + "]"),
            ("POST", base, 201, body),
            ("GET", base + "/[^/]+", 200, body),
        ):
            stubs.append({
                "request": {"method": method, "urlPathPattern": pattern},
                "response": {"status": status, "body": b,
                             "headers": {"Content-Type": "application/json"}},
            })
    doc = {
        "openapi": "3.0.3",
        "info": {"title": f"Routing benchmark ({groups * 3} operations)", "version": "1.0"},
        "paths": paths,
        "components": {"schemas": {"Item": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer"},
                "resource": {"type": "string"},
                "name": {"type": "string"},
                "status": {"type": "string", "enum": ["active", "retired"]},
                "quantity": {"type": "integer"},
                "price": {"type": "number"},
                "created_at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        }}},
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
    if len(sys.argv) == 4:
        mappings = os.path.join(sys.argv[3], "mappings")
        os.makedirs(mappings, exist_ok=True)
        with open(os.path.join(mappings, "stubs.json"), "w") as f:
            json.dump({"mappings": stubs}, f)
    print(f"/api/v1/res{groups - 1:04d}/42")


if __name__ == "__main__":
    main()
