//! A query string is read the same way by every kind of source in one mock: `+` is a
//! space (as browsers send it, and as WireMock and server frameworks read it), `%20` is
//! a space too, and `%2B` is a plus. OpenAPI parameter validation, Prism's `__` query
//! directives, Postman query matching and templating, lenient HAR matching and WireMock
//! stubs' `queryParameters` all see `?q=a+b` as `a b`.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Server, json};

fn write(dir: &Path, name: &str, doc: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, doc.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

fn openapi() -> Value {
    let example = |name: &str| json!({"value": {"example": name}});
    json!({
        "openapi": "3.0.3",
        "info": {"title": "query", "version": "1"},
        "paths": {"/search": {"get": {
            "parameters": [{"name": "q", "in": "query", "required": true,
                            "schema": {"type": "string", "enum": ["a b"]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "examples": {"other": example("other"), "two words": example("two words")}
            }}}}
        }}}
    })
}

fn collection() -> Value {
    // A collection's query list holds values as typed: a space, or a literal plus.
    let example = |name: &str, value: &str| {
        json!({"name": name, "code": 200,
               "header": [{"key": "Content-Type", "value": "application/json"}],
               "body": format!("{{\"example\": \"{name}\"}}"),
               "originalRequest": {"method": "GET", "url": {"raw": "{{baseUrl}}/find",
                   "query": [{"key": "q", "value": value}]}}})
    };
    let echo = json!({"name": "echo", "code": 200, "body": "{{$queryParams 'q'}}",
                      "originalRequest": {"method": "GET", "url": "{{baseUrl}}/echo"}});
    json!({
        "info": {"name": "query", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "find", "request": {"method": "GET", "url": "{{baseUrl}}/find"},
             "response": [example("plus", "a+b"), example("spaced", "a b")]},
            {"name": "echo", "request": {"method": "GET", "url": "{{baseUrl}}/echo"},
             "response": [echo]}
        ]
    })
}

fn recording() -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [{
        "request": {"method": "GET", "url": "http://api.test/har?q=a%20b", "headers": [],
                    "queryString": [{"name": "q", "value": "a b"}]},
        "response": {"status": 200, "statusText": "OK",
                     "headers": [{"name": "Content-Type", "value": "text/plain"}],
                     "content": {"size": 6, "mimeType": "text/plain", "text": "spaced"}}
    }]}})
}

fn stub() -> Value {
    json!({"request": {"method": "GET", "urlPath": "/stub",
                       "queryParameters": {"q": {"equalTo": "a b"}}},
           "response": {"status": 200, "body": "spaced"}})
}

fn text(s: &Server, path: &str) -> (u16, String) {
    let resp = s.get(path).send().unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

#[test]
fn a_plus_in_the_query_is_a_space_for_every_kind_of_source() {
    let dir = tempfile::tempdir().unwrap();
    let api = write(dir.path(), "api.json", &openapi());
    let postman = write(dir.path(), "collection.json", &collection());
    let har = write(dir.path(), "recording.har", &recording());
    let stubs = write(dir.path(), "stub.json", &stub());
    let s = Server::start(&[
        &api,
        &postman,
        &har,
        &stubs,
        "--har-match",
        "lenient",
        "--quiet",
    ]);

    // OpenAPI: the enum holds "a b".
    assert_eq!(json(s.get("/search?q=a+b").send().unwrap()).0, 200);
    assert_eq!(json(s.get("/search?q=a%20b").send().unwrap()).0, 200);
    assert_eq!(json(s.get("/search?q=a%2Bb").send().unwrap()).0, 422);
    // Prism's query directive names the example "two words".
    assert_eq!(
        json(s.get("/search?q=a+b&__example=two+words").send().unwrap()),
        (200, json!({"example": "two words"}))
    );

    // Postman: the example whose query is "a b" wins; an encoded plus is a plus.
    assert_eq!(
        json(s.get("/find?q=a+b").send().unwrap()),
        (200, json!({"example": "spaced"}))
    );
    assert_eq!(
        json(s.get("/find?q=a%2Bb").send().unwrap()),
        (200, json!({"example": "plus"}))
    );
    assert_eq!(text(&s, "/echo?q=a+b"), (200, "a b".to_string()));

    // HAR (lenient): recorded as `q=a%20b`.
    assert_eq!(text(&s, "/har?q=a+b"), (200, "spaced".to_string()));
    assert_eq!(text(&s, "/har?q=a%2Bb").0, 404);

    // A WireMock stub: `equalTo` "a b".
    assert_eq!(text(&s, "/stub?q=a+b"), (200, "spaced".to_string()));
    assert_eq!(text(&s, "/stub?q=a%20b"), (200, "spaced".to_string()));
    assert_eq!(text(&s, "/stub?q=a%2Bb").0, 404);
}
