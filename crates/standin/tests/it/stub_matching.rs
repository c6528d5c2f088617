//! WireMock request matching through the real binary: every URL kind, the method, each
//! request field, every value matcher (each with a request it must take and one it must
//! refuse), priority and newest-first order, scenarios (including concurrent requests
//! racing to leave a state), the "Request was not matched" report, problem+json when an
//! OpenAPI document is in the mock too, YAML and `{"mappings": [...]}` files, a bad stub
//! file's diagnostic, and the `Matched-Stub-Id` header.
//!
//! Every stub answers a body naming itself, so a test sees which stub answered; a
//! request no stub takes gets the 404 report.

use std::sync::{Arc, Barrier};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::stubs_support::{iso, now_ms, serve_root, stub_root};
use crate::support::{Server, fixture, header, run};

/// A stub root in a temporary directory: `mappings/NN.json` per stub.
fn root(stubs: &[Value]) -> tempfile::TempDir {
    let files: Vec<(String, String)> = stubs
        .iter()
        .enumerate()
        .map(|(i, stub)| {
            let text = serde_json::to_string_pretty(stub).expect("stub JSON");
            (format!("{i:02}.json"), text)
        })
        .collect();
    stub_root(&files)
}

/// Serves `stubs` (kept alive with the server).
fn serve(stubs: &[Value]) -> (tempfile::TempDir, Server) {
    let dir = root(stubs);
    let s = serve_root(&dir, &["--quiet"]);
    (dir, s)
}

/// A stub answering `name` as its body.
fn stub(name: &str, request: Value) -> Value {
    json!({"request": request, "response": {"status": 200, "body": name}})
}

/// Status and body text.
fn done(resp: reqwest::blocking::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    (status, resp.text().expect("body"))
}

/// Which stub answered (its body), or `None` for a 404.
fn who(resp: reqwest::blocking::Response) -> Option<String> {
    let (status, body) = done(resp);
    match status {
        200 => Some(body),
        404 => {
            assert!(
                body.contains("Request was not matched"),
                "a 404 is the report: {body}"
            );
            None
        }
        other => panic!("unexpected status {other}: {body}"),
    }
}

fn get(s: &Server, path: &str) -> Option<String> {
    who(s.get(path).send().expect("send"))
}

fn post(s: &Server, path: &str, body: impl Into<reqwest::blocking::Body>) -> Option<String> {
    who(s.req("POST", path).body(body).send().expect("send"))
}

fn get_with(s: &Server, path: &str, headers: &[(&str, &str)]) -> Option<String> {
    let mut b = s.get(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    who(b.send().expect("send"))
}

fn yes(got: Option<String>, name: &str, what: &str) {
    assert_eq!(got.as_deref(), Some(name), "{what}: should match {name}");
}

fn no(got: Option<String>, what: &str) {
    assert_eq!(got, None, "{what}: should match no stub");
}

// ---- URLs ------------------------------------------------------------------------------

#[test]
fn url_matches_path_and_query_exactly() {
    let (_d, s) = serve(&[stub("url", json!({"method": "GET", "url": "/u/exact?a=1"}))]);
    yes(get(&s, "/u/exact?a=1"), "url", "same path and query");
    no(get(&s, "/u/exact"), "query missing");
    no(get(&s, "/u/exact?a=2"), "other query value");
    no(get(&s, "/u/exact?a=1&b=2"), "extra query parameter");
    no(get(&s, "/u/exact/?a=1"), "trailing slash");
    no(get(&s, "/U/exact?a=1"), "case differs");
}

#[test]
fn url_path_ignores_the_query() {
    let (_d, s) = serve(&[stub("path", json!({"method": "GET", "urlPath": "/u/path"}))]);
    yes(get(&s, "/u/path"), "path", "no query");
    yes(get(&s, "/u/path?x=1&y=2"), "path", "any query");
    no(get(&s, "/u/path/more"), "longer path");
    no(get(&s, "/u/pat"), "shorter path");
}

#[test]
fn url_pattern_matches_path_and_query_whole() {
    let (_d, s) = serve(&[
        stub("rx", json!({"method": "GET", "urlPattern": "/u/rx/[0-9]+"})),
        stub(
            "rxq",
            json!({"method": "GET", "urlPattern": "/u/rxq\\?id=[0-9]+"}),
        ),
    ]);
    yes(get(&s, "/u/rx/123"), "rx", "digits");
    no(get(&s, "/u/rx/12a"), "not all digits (whole match)");
    no(
        get(&s, "/x/u/rx/1"),
        "prefix before the pattern (whole match)",
    );
    no(
        get(&s, "/u/rx/123?x=1"),
        "the query is part of what is matched",
    );
    yes(get(&s, "/u/rxq?id=42"), "rxq", "pattern over the query");
    no(get(&s, "/u/rxq?id=x"), "query does not fit the pattern");
}

#[test]
fn url_path_pattern_sees_the_path_only() {
    let (_d, s) = serve(&[stub(
        "prx",
        json!({"method": "GET", "urlPathPattern": "/u/prx/[a-z]+"}),
    )]);
    yes(get(&s, "/u/prx/abc"), "prx", "letters");
    yes(get(&s, "/u/prx/abc?x=1"), "prx", "query ignored");
    no(get(&s, "/u/prx/abc1"), "digit at the end (whole match)");
    no(get(&s, "/u/prx/"), "empty segment");
}

#[test]
fn url_path_template_with_path_parameters() {
    let (_d, s) = serve(&[
        stub(
            "contact",
            json!({
                "method": "GET",
                "urlPathTemplate": "/u/contacts/{contactId}/addresses/{addressId}",
                "pathParameters": {
                    "contactId": {"equalTo": "12"},
                    "addressId": {"matches": "[0-9]+"}
                }
            }),
        ),
        stub(
            "free",
            json!({"method": "GET", "urlPathTemplate": "/u/things/{id}"}),
        ),
    ]);
    yes(
        get(&s, "/u/contacts/12/addresses/99"),
        "contact",
        "both fit",
    );
    yes(
        get(&s, "/u/contacts/12/addresses/99?q=1"),
        "contact",
        "query ignored",
    );
    no(get(&s, "/u/contacts/13/addresses/99"), "contactId not 12");
    no(
        get(&s, "/u/contacts/12/addresses/x"),
        "addressId not digits",
    );
    no(get(&s, "/u/contacts/12/addresses"), "variable missing");
    no(get(&s, "/u/contacts/12/addresses/99/more"), "extra segment");
    yes(
        get(&s, "/u/things/anything"),
        "free",
        "unconstrained variable",
    );
    no(get(&s, "/u/things/"), "empty variable");
    no(get(&s, "/u/things/a/b"), "a variable is one segment");
}

#[test]
fn no_url_matches_any_url() {
    let (_d, s) = serve(&[stub("anyurl", json!({"method": "PATCH"}))]);
    for path in ["/", "/anything/at/all", "/x?q=1&r=2"] {
        yes(
            who(s.req("PATCH", path).send().expect("send")),
            "anyurl",
            path,
        );
    }
    no(get(&s, "/anything"), "method differs");
}

// ---- method ----------------------------------------------------------------------------

#[test]
fn method_and_any() {
    let (_d, s) = serve(&[
        stub("delete", json!({"method": "DELETE", "url": "/m/one"})),
        stub("any", json!({"method": "ANY", "url": "/m/any"})),
        stub("omitted", json!({"url": "/m/omitted"})),
    ]);
    yes(
        who(s.req("DELETE", "/m/one").send().expect("send")),
        "delete",
        "DELETE",
    );
    no(get(&s, "/m/one"), "GET on a DELETE stub");
    no(
        who(s.req("POST", "/m/one").send().expect("send")),
        "POST on a DELETE stub",
    );
    for m in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE"] {
        yes(who(s.req(m, "/m/any").send().expect("send")), "any", m);
        yes(
            who(s.req(m, "/m/omitted").send().expect("send")),
            "omitted",
            m,
        );
    }
}

// ---- headers, query, form, cookies, basic auth ------------------------------------------

#[test]
fn headers_with_case_insensitive_names() {
    let (_d, s) = serve(&[stub(
        "hdr",
        json!({
            "method": "GET", "url": "/h",
            "headers": {
                "X-Token": {"equalTo": "abc"},
                "accept": {"contains": "json"},
                "X-Debug": {"absent": true}
            }
        }),
    )]);
    let ok = [("x-token", "abc"), ("Accept", "application/json")];
    yes(get_with(&s, "/h", &ok), "hdr", "lower-case name");
    yes(
        get_with(&s, "/h", &[("X-TOKEN", "abc"), ("ACCEPT", "text/json")]),
        "hdr",
        "upper-case names",
    );
    no(
        get_with(
            &s,
            "/h",
            &[("X-Token", "abd"), ("Accept", "application/json")],
        ),
        "wrong value",
    );
    no(
        get_with(
            &s,
            "/h",
            &[("X-Token", "ABC"), ("Accept", "application/json")],
        ),
        "equalTo is case-sensitive on the value",
    );
    no(
        get_with(&s, "/h", &[("Accept", "application/json")]),
        "header missing",
    );
    no(
        get_with(&s, "/h", &[("X-Token", "abc"), ("Accept", "text/xml")]),
        "contains fails",
    );
    no(
        get_with(
            &s,
            "/h",
            &[
                ("X-Token", "abc"),
                ("Accept", "application/json"),
                ("x-debug", "1"),
            ],
        ),
        "a header that must be absent is present",
    );
}

#[test]
fn header_equal_to_case_insensitive_and_multiple_values() {
    let (_d, s) = serve(&[
        stub(
            "ci",
            json!({"method": "GET", "url": "/h/ci",
                   "headers": {"X-Mode": {"equalTo": "FAST", "caseInsensitive": true}}}),
        ),
        stub(
            "exact",
            json!({"method": "GET", "url": "/h/multi",
                   "headers": {"X-Tag": {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]}}}),
        ),
    ]);
    yes(get_with(&s, "/h/ci", &[("X-Mode", "fast")]), "ci", "lower");
    yes(get_with(&s, "/h/ci", &[("X-Mode", "FaSt")]), "ci", "mixed");
    no(get_with(&s, "/h/ci", &[("X-Mode", "faster")]), "other word");
    yes(
        get_with(&s, "/h/multi", &[("X-Tag", "a"), ("X-Tag", "b")]),
        "exact",
        "both values",
    );
    no(
        get_with(&s, "/h/multi", &[("X-Tag", "a")]),
        "one value of two",
    );
    no(
        get_with(
            &s,
            "/h/multi",
            &[("X-Tag", "a"), ("X-Tag", "b"), ("X-Tag", "c")],
        ),
        "a third value",
    );
}

#[test]
fn query_parameters_decode_plus_and_percent() {
    let (_d, s) = serve(&[stub(
        "q",
        json!({"method": "GET", "urlPath": "/q/search",
        "queryParameters": {
            "name": {"equalTo": "John Smith"},
            "debug": {"absent": true}
        }}),
    )]);
    yes(get(&s, "/q/search?name=John+Smith"), "q", "+ is a space");
    yes(
        get(&s, "/q/search?name=John%20Smith"),
        "q",
        "%20 is a space",
    );
    yes(
        get(&s, "/q/search?other=1&name=John+Smith"),
        "q",
        "other parameters are ignored",
    );
    no(get(&s, "/q/search?name=John"), "other value");
    no(get(&s, "/q/search"), "parameter missing");
    no(
        get(&s, "/q/search?name=John+Smith&debug=1"),
        "absent parameter present",
    );
}

#[test]
fn repeated_query_parameters_has_exactly_and_includes() {
    let (_d, s) = serve(&[
        stub(
            "exactly",
            json!({"method": "GET", "urlPath": "/q/exactly",
                   "queryParameters": {"id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}}),
        ),
        stub(
            "includes",
            json!({"method": "GET", "urlPath": "/q/includes",
                   "queryParameters": {"tag": {"includes": [{"equalTo": "a"}, {"matches": "x[0-9]"}]}}}),
        ),
        stub(
            "single",
            json!({"method": "GET", "urlPath": "/q/single",
                   "queryParameters": {"v": {"equalTo": "b"}}}),
        ),
    ]);
    yes(get(&s, "/q/exactly?id=1&id=2"), "exactly", "both, in order");
    yes(
        get(&s, "/q/exactly?id=2&id=1"),
        "exactly",
        "both, other order",
    );
    no(get(&s, "/q/exactly?id=1"), "one value missing");
    no(get(&s, "/q/exactly?id=1&id=2&id=3"), "an extra value");
    no(get(&s, "/q/exactly?id=1&id=3"), "a wrong value");
    no(get(&s, "/q/exactly"), "none");
    yes(
        get(&s, "/q/includes?tag=b&tag=a&tag=x7"),
        "includes",
        "both included among others",
    );
    no(get(&s, "/q/includes?tag=a"), "one of two included");
    no(get(&s, "/q/includes?tag=b"), "none included");
    yes(
        get(&s, "/q/single?v=a&v=b"),
        "single",
        "a plain matcher takes any of the values",
    );
    no(get(&s, "/q/single?v=a&v=c"), "no value fits");
}

#[test]
fn form_parameters() {
    let (_d, s) = serve(&[stub(
        "form",
        json!({"method": "POST", "url": "/f",
        "formParameters": {
            "user": {"equalTo": "ann lee"},
            "role": {"matches": "admin|owner"}
        }}),
    )]);
    let send = |ct: &str, body: &str| {
        who(s
            .req("POST", "/f")
            .header("Content-Type", ct)
            .body(body.to_string())
            .send()
            .expect("send"))
    };
    let form = "application/x-www-form-urlencoded";
    yes(
        send(form, "user=ann+lee&role=admin"),
        "form",
        "+ as a space",
    );
    yes(
        send(
            "application/x-www-form-urlencoded; charset=UTF-8",
            "role=owner&user=ann%20lee",
        ),
        "form",
        "any order, charset parameter",
    );
    no(send(form, "user=ann+lee&role=guest"), "role does not fit");
    no(send(form, "role=admin"), "user missing");
}

#[test]
fn cookies() {
    let (_d, s) = serve(&[stub(
        "cookie",
        json!({"method": "GET", "url": "/c",
               "cookies": {"session": {"equalTo": "s1"}, "theme": {"absent": true}}}),
    )]);
    yes(
        get_with(&s, "/c", &[("Cookie", "a=b; session=s1")]),
        "cookie",
        "among others",
    );
    yes(
        get_with(&s, "/c", &[("Cookie", "session=s1")]),
        "cookie",
        "alone",
    );
    no(
        get_with(&s, "/c", &[("Cookie", "session=s2")]),
        "other value",
    );
    no(get(&s, "/c"), "no cookie");
    no(
        get_with(&s, "/c", &[("Cookie", "session=s1; theme=dark")]),
        "a cookie that must be absent",
    );
    no(
        get_with(&s, "/c", &[("X-Session", "s1")]),
        "a header is not a cookie",
    );
}

#[test]
fn basic_auth_credentials_and_basic_auth() {
    let (_d, s) = serve(&[
        stub(
            "creds",
            json!({"method": "GET", "url": "/a/creds",
                   "basicAuthCredentials": {"username": "ann", "password": "s3cret"}}),
        ),
        stub(
            "short",
            json!({"method": "GET", "url": "/a/short",
                   "basicAuth": {"username": "bob", "password": "pw"}}),
        ),
    ]);
    let auth = |u: &str, p: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    };
    let a = auth("ann", "s3cret");
    yes(
        get_with(&s, "/a/creds", &[("Authorization", &a)]),
        "creds",
        "right credentials",
    );
    let wrong = auth("ann", "s3cre");
    no(
        get_with(&s, "/a/creds", &[("Authorization", &wrong)]),
        "wrong password",
    );
    let other = auth("anne", "s3cret");
    no(
        get_with(&s, "/a/creds", &[("Authorization", &other)]),
        "wrong user",
    );
    no(get(&s, "/a/creds"), "no Authorization");
    no(
        get_with(&s, "/a/creds", &[("Authorization", "Bearer abc")]),
        "not basic",
    );
    let b = auth("bob", "pw");
    yes(
        get_with(&s, "/a/short", &[("Authorization", &b)]),
        "short",
        "basicAuth spelling",
    );
    no(
        get_with(&s, "/a/short", &[("Authorization", &a)]),
        "basicAuth with other credentials",
    );
    // The admin API echoes WireMock's output name.
    let (_, list) = crate::support::json(s.get("/__admin/mappings").send().expect("send"));
    let echoed: Vec<&Value> = list["mappings"]
        .as_array()
        .expect("mappings")
        .iter()
        .map(|m| &m["request"]["basicAuthCredentials"])
        .collect();
    assert!(
        echoed.iter().any(|v| v["username"] == "bob"),
        "basicAuth is echoed as basicAuthCredentials: {list}"
    );
}

// ---- body patterns --------------------------------------------------------------------

/// One POST stub per body matcher, at `/b/<name>`.
fn body_stubs(cases: &[(&str, Value)]) -> Vec<Value> {
    cases
        .iter()
        .map(|(name, pattern)| {
            stub(
                name,
                json!({"method": "POST", "url": format!("/b/{name}"), "bodyPatterns": [pattern]}),
            )
        })
        .collect()
}

#[test]
fn body_string_matchers() {
    let (_d, s) = serve(&body_stubs(&[
        ("equal", json!({"equalTo": "hello"})),
        (
            "equalci",
            json!({"equalTo": "hello", "caseInsensitive": true}),
        ),
        ("contains", json!({"contains": "needle"})),
        ("notcontains", json!({"doesNotContain": "secret"})),
        ("matches", json!({"matches": "[a-z]+-[0-9]+"})),
        ("notmatches", json!({"doesNotMatch": "[0-9]+"})),
        ("absent", json!({"absent": true})),
        // WireMock reads `absent` as absent whatever its value.
        ("present", json!({"absent": false})),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(p("equal", "hello"), "equal", "equalTo");
    no(p("equal", "hello!"), "equalTo, longer");
    no(p("equal", "HELLO"), "equalTo is case-sensitive");
    yes(p("equalci", "HeLLo"), "equalci", "caseInsensitive");
    no(p("equalci", "help"), "caseInsensitive, other word");
    yes(p("contains", "hayneedlestack"), "contains", "contains");
    no(p("contains", "haystack"), "contains, missing");
    no(p("contains", "NEEDLE"), "contains is case-sensitive");
    yes(p("notcontains", "public"), "notcontains", "doesNotContain");
    no(p("notcontains", "top secret"), "doesNotContain, present");
    yes(p("matches", "abc-12"), "matches", "matches");
    no(p("matches", "abc-12x"), "matches is a whole match");
    no(p("matches", "1abc-12"), "matches is a whole match (start)");
    yes(p("notmatches", "abc"), "notmatches", "doesNotMatch");
    yes(
        p("notmatches", "12a"),
        "notmatches",
        "doesNotMatch, partial",
    );
    no(p("notmatches", "123"), "doesNotMatch, whole match");
    yes(p("absent", ""), "absent", "empty body is absent");
    no(p("absent", "x"), "absent, with a body");
    no(
        p("present", "x"),
        "absent: false is still absent, with a body",
    );
    yes(
        p("present", ""),
        "present",
        "absent: false is still absent, empty body",
    );
}

#[test]
fn body_equal_to_json() {
    let (_d, s) = serve(&body_stubs(&[
        ("strict", json!({"equalToJson": {"a": 1, "b": [1, 2]}})),
        (
            "order",
            json!({"equalToJson": {"a": 1, "b": [1, 2]}, "ignoreArrayOrder": true}),
        ),
        (
            "extra",
            json!({"equalToJson": {"a": 1, "o": {"x": 1}}, "ignoreExtraElements": true}),
        ),
        ("text", json!({"equalToJson": "{\"n\": 1.0, \"s\": \"t\"}"})),
        (
            "holders",
            json!({"equalToJson": {
                "id": "${json-unit.any-string}",
                "code": "${json-unit.regex}[A-Z]{3}",
                "meta": "${json-unit.ignore}"
            }}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(p("strict", r#"{"b":[1,2],"a":1}"#), "strict", "key order");
    yes(
        p("strict", "{\n  \"a\" : 1,\n  \"b\" : [ 1, 2 ]\n}"),
        "strict",
        "whitespace",
    );
    no(p("strict", r#"{"a":1,"b":[2,1]}"#), "array order matters");
    no(p("strict", r#"{"a":1,"b":[1,2],"c":3}"#), "extra field");
    no(p("strict", r#"{"a":2,"b":[1,2]}"#), "other value");
    no(
        p("strict", r#"{"a":"1","b":[1,2]}"#),
        "string is not a number",
    );
    no(p("strict", "not json"), "not JSON");
    yes(
        p("order", r#"{"a":1,"b":[2,1]}"#),
        "order",
        "ignoreArrayOrder",
    );
    no(
        p("order", r#"{"a":1,"b":[2,3]}"#),
        "ignoreArrayOrder, other items",
    );
    no(
        p("order", r#"{"a":1,"b":[1,2,2]}"#),
        "ignoreArrayOrder, extra item",
    );
    yes(
        p("extra", r#"{"a":1,"o":{"x":1,"y":2},"z":true}"#),
        "extra",
        "ignoreExtraElements, nested too",
    );
    no(
        p("extra", r#"{"o":{"x":1}}"#),
        "ignoreExtraElements, missing field",
    );
    no(
        p("extra", r#"{"a":1,"o":{"x":2}}"#),
        "ignoreExtraElements, other value",
    );
    yes(
        p("text", r#"{"s":"t","n":1}"#),
        "text",
        "JSON given as a string; 1 == 1.0",
    );
    no(
        p("text", r#"{"s":"u","n":1}"#),
        "JSON given as a string, other value",
    );
    yes(
        p(
            "holders",
            r#"{"id":"x1","code":"ABC","meta":{"any":[1,2]}}"#,
        ),
        "holders",
        "placeholders",
    );
    yes(
        p("holders", r#"{"id":"","code":"XYZ","meta":null}"#),
        "holders",
        "placeholders, empty string and null",
    );
    no(
        p("holders", r#"{"id":5,"code":"ABC","meta":1}"#),
        "any-string given a number",
    );
    no(
        p("holders", r#"{"id":"x","code":"AB1","meta":1}"#),
        "regex placeholder does not fit",
    );
    no(
        p("holders", r#"{"id":"x","code":"ABCD","meta":1}"#),
        "regex placeholder is a whole match",
    );
    no(
        p("holders", r#"{"id":"x","code":"ABC"}"#),
        "ignore still needs the field",
    );
}

#[test]
fn body_json_path_and_schema() {
    let (_d, s) = serve(&body_stubs(&[
        ("jp", json!({"matchesJsonPath": "$.items[?(@.qty > 5)]"})),
        ("jpfield", json!({"matchesJsonPath": "$.user.name"})),
        (
            "jpeq",
            json!({"matchesJsonPath": {"expression": "$.user.name", "equalTo": "ann"}}),
        ),
        (
            "jpcontains",
            json!({"matchesJsonPath": {"expression": "$.tags", "contains": "blue"}}),
        ),
        (
            "jpjson",
            json!({"matchesJsonPath": {"expression": "$.user", "equalToJson": {"name": "ann", "age": 3}}}),
        ),
        (
            "jpabsent",
            json!({"matchesJsonPath": {"expression": "$.user.email", "absent": true}}),
        ),
        (
            "schema",
            json!({"matchesJsonSchema": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 3}}
            }}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(
        p("jp", r#"{"items":[{"qty":1},{"qty":6}]}"#),
        "jp",
        "filter finds one",
    );
    no(
        p("jp", r#"{"items":[{"qty":1},{"qty":5}]}"#),
        "filter finds none",
    );
    no(p("jp", "not json"), "not JSON");
    yes(
        p("jpfield", r#"{"user":{"name":"x"}}"#),
        "jpfield",
        "present",
    );
    no(p("jpfield", r#"{"user":{"nom":"x"}}"#), "absent");
    yes(
        p("jpeq", r#"{"user":{"name":"ann"}}"#),
        "jpeq",
        "equalTo sub-matcher",
    );
    no(
        p("jpeq", r#"{"user":{"name":"bob"}}"#),
        "equalTo sub-matcher, other",
    );
    no(p("jpeq", r#"{"user":{}}"#), "equalTo sub-matcher, missing");
    yes(
        p("jpcontains", r#"{"tags":["red","blue"]}"#),
        "jpcontains",
        "contains on an array's JSON",
    );
    no(
        p("jpcontains", r#"{"tags":["red"]}"#),
        "contains on an array, missing",
    );
    yes(
        p("jpjson", r#"{"user":{"age":3,"name":"ann"}}"#),
        "jpjson",
        "equalToJson sub-matcher",
    );
    no(
        p("jpjson", r#"{"user":{"age":4,"name":"ann"}}"#),
        "equalToJson sub-matcher, other",
    );
    yes(
        p("jpabsent", r#"{"user":{"name":"ann"}}"#),
        "jpabsent",
        "absent sub-matcher",
    );
    no(
        p("jpabsent", r#"{"user":{"email":"a@b"}}"#),
        "absent sub-matcher, present",
    );
    yes(p("schema", r#"{"id":1,"name":"ab"}"#), "schema", "valid");
    no(p("schema", r#"{"id":"1"}"#), "wrong type");
    no(p("schema", r#"{"name":"ab"}"#), "required missing");
    no(p("schema", r#"{"id":1,"name":"abcd"}"#), "maxLength");
    no(p("schema", "{"), "not JSON");
}

#[test]
fn body_xml_and_xpath() {
    let (_d, s) = serve(&body_stubs(&[
        (
            "xml",
            json!({"equalToXml": "<order id=\"7\" kind=\"a\"><item>apple</item><qty>2</qty></order>"}),
        ),
        ("xpath", json!({"matchesXPath": "/order/item[@id='7']"})),
        (
            "xpathsub",
            json!({"matchesXPath": {"expression": "//item/text()", "equalTo": "pear"}}),
        ),
        (
            "xpathns",
            json!({
                "matchesXPath": {"expression": "//ns:item/text()", "contains": "apple"},
                "xPathNamespaces": {"ns": "http://example.com/ns"}
            }),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(
        p(
            "xml",
            "<?xml version=\"1.0\"?>\n<order kind=\"a\" id=\"7\">\n  <item>apple</item>\n  <qty>2</qty>\n</order>",
        ),
        "xml",
        "attribute order, whitespace, declaration",
    );
    no(
        p(
            "xml",
            "<order id=\"7\" kind=\"a\"><item>apple</item><qty>3</qty></order>",
        ),
        "other text",
    );
    no(
        p(
            "xml",
            "<order id=\"8\" kind=\"a\"><item>apple</item><qty>2</qty></order>",
        ),
        "other attribute",
    );
    no(
        p(
            "xml",
            "<order id=\"7\" kind=\"a\"><item>apple</item></order>",
        ),
        "missing element",
    );
    no(p("xml", "not xml"), "not XML");
    yes(
        p("xpath", "<order><item id='7'/></order>"),
        "xpath",
        "node found",
    );
    no(
        p("xpath", "<order><item id='8'/></order>"),
        "node not found",
    );
    no(p("xpath", "<order>"), "not XML");
    yes(
        p("xpathsub", "<o><item>apple</item><item>pear</item></o>"),
        "xpathsub",
        "sub-matcher on any selected node",
    );
    no(
        p("xpathsub", "<o><item>apple</item></o>"),
        "sub-matcher fails",
    );
    yes(
        p(
            "xpathns",
            "<r xmlns:n=\"http://example.com/ns\"><n:item>green apple</n:item></r>",
        ),
        "xpathns",
        "namespace bound by URI, not by prefix",
    );
    no(
        p(
            "xpathns",
            "<r xmlns:n=\"http://example.com/ns\"><n:item>pear</n:item></r>",
        ),
        "namespaced node, sub-matcher fails",
    );
    no(
        p(
            "xpathns",
            "<r xmlns:n=\"http://example.com/other\"><n:item>green apple</n:item></r>",
        ),
        "same prefix, other namespace",
    );
}

#[test]
fn body_binary_equal_to() {
    let bytes = [0u8, 1, 2, 255, 254];
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let (_d, s) = serve(&body_stubs(&[("bin", json!({"binaryEqualTo": b64}))]));
    yes(post(&s, "/b/bin", bytes.to_vec()), "bin", "same bytes");
    no(post(&s, "/b/bin", bytes[..4].to_vec()), "a byte short");
    no(
        post(&s, "/b/bin", vec![0u8, 1, 2, 255, 253]),
        "last byte differs",
    );
    no(post(&s, "/b/bin", Vec::new()), "empty body");
}

#[test]
fn date_matchers() {
    let now = now_ms() / 1000;
    let (_d, s) = serve(&[
        stub(
            "before",
            json!({"method": "GET", "url": "/d/before",
                   "headers": {"X-When": {"before": "2030-01-01T00:00:00Z"}}}),
        ),
        stub(
            "after",
            json!({"method": "GET", "url": "/d/after",
                   "headers": {"X-When": {"after": "now +1 days"}}}),
        ),
        stub(
            "equal",
            json!({"method": "GET", "url": "/d/equal",
                   "headers": {"X-When": {"equalToDateTime": "2024-05-01T10:00:00Z"}}}),
        ),
        stub(
            "body",
            json!({"method": "POST", "url": "/d/body",
                   "bodyPatterns": [{"matchesJsonPath": {"expression": "$.due", "before": "now"}}]}),
        ),
    ]);
    let h = |path: &str, v: &str| get_with(&s, path, &[("X-When", v)]);
    yes(h("/d/before", "2029-12-31T23:59:59Z"), "before", "before");
    no(h("/d/before", "2030-01-01T00:00:01Z"), "after the limit");
    no(h("/d/before", "not a date"), "not a date");
    no(get(&s, "/d/before"), "absent");
    yes(
        h("/d/after", &iso(now + 2 * 86_400)),
        "after",
        "two days ahead",
    );
    no(
        h("/d/after", &iso(now + 2 * 3600)),
        "two hours ahead is before now +1 days",
    );
    no(h("/d/after", &iso(now - 86_400)), "yesterday");
    yes(
        h("/d/equal", "2024-05-01T12:00:00+02:00"),
        "equal",
        "same instant, other offset",
    );
    yes(h("/d/equal", "2024-05-01T10:00:00Z"), "equal", "same text");
    no(h("/d/equal", "2024-05-01T10:00:01Z"), "a second later");
    yes(
        post(&s, "/d/body", format!(r#"{{"due":"{}"}}"#, iso(now - 60))),
        "body",
        "a date in the body, before now",
    );
    no(
        post(&s, "/d/body", format!(r#"{{"due":"{}"}}"#, iso(now + 3600))),
        "a date in the body, after now",
    );
}

#[test]
fn logical_and_or_not() {
    let (_d, s) = serve(&body_stubs(&[
        (
            "and",
            json!({"and": [{"contains": "a"}, {"contains": "b"}]}),
        ),
        ("or", json!({"or": [{"equalTo": "x"}, {"matches": "y+"}]})),
        ("not", json!({"not": {"contains": "bad"}})),
        (
            "nested",
            json!({"and": [{"not": {"equalTo": "ab"}}, {"or": [{"contains": "a"}, {"contains": "z"}]}]}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(p("and", "cab"), "and", "both");
    no(p("and", "ca"), "one of two");
    yes(p("or", "x"), "or", "first");
    yes(p("or", "yyy"), "or", "second");
    no(p("or", "xy"), "neither");
    yes(p("not", "good"), "not", "not");
    no(p("not", "very bad"), "not, inner matches");
    yes(p("nested", "za"), "nested", "nested");
    no(p("nested", "ab"), "nested, excluded");
    no(p("nested", "q"), "nested, or fails");
}

#[test]
fn all_body_patterns_must_match() {
    let (_d, s) = serve(&[stub(
        "all",
        json!({"method": "POST", "url": "/b/all",
               "bodyPatterns": [{"contains": "x"}, {"matchesJsonPath": "$.y"}]}),
    )]);
    yes(post(&s, "/b/all", r#"{"y":"x"}"#), "all", "both");
    no(post(&s, "/b/all", r#"{"z":"x"}"#), "second fails");
    no(post(&s, "/b/all", r#"{"y":1}"#), "first fails");
}

// ---- priority and order ----------------------------------------------------------------

#[test]
fn priority_then_newest_first() {
    let with = |name: &str, priority: Option<u32>, request: Value| {
        let mut v = stub(name, request);
        if let Some(p) = priority {
            v["priority"] = json!(p);
        }
        v
    };
    let mappings = json!({"mappings": [
        with("high", Some(1), json!({"method": "GET", "url": "/p/a"})),
        with("low", None, json!({"method": "GET", "url": "/p/a"})),
        with("older", None, json!({"method": "GET", "url": "/p/b"})),
        with("newer", None, json!({"method": "GET", "url": "/p/b"})),
        with("default", None, json!({"method": "GET", "url": "/p/c"})),
        with("ten", Some(10), json!({"method": "GET", "url": "/p/c"})),
        // A regex stub of higher priority beats a literal one, and a newer catch-all
        // beats an older literal stub of the same priority.
        with("literal", Some(3), json!({"method": "GET", "url": "/p/d"})),
        with("regex", Some(2), json!({"method": "GET", "urlPattern": "/p/d.*"})),
        with("exact-old", Some(4), json!({"method": "GET", "urlPath": "/p/e/1"})),
        with("template-new", Some(4), json!({"method": "GET", "urlPathTemplate": "/p/e/{x}"})),
        with("catch-all", Some(9), json!({"method": "ANY"})),
        with("exact-lowest", Some(10), json!({"method": "GET", "url": "/p/f"})),
    ]});
    let dir = stub_root(&[("all.json", mappings.to_string())]);
    let s = serve_root(&dir, &["--quiet"]);
    yes(
        get(&s, "/p/a"),
        "high",
        "priority 1 beats the newer default",
    );
    yes(get(&s, "/p/b"), "newer", "same priority: the newest");
    yes(get(&s, "/p/c"), "default", "default 5 beats 10");
    yes(
        get(&s, "/p/d"),
        "regex",
        "priority 2 regex beats priority 3 literal",
    );
    yes(
        get(&s, "/p/e/1"),
        "template-new",
        "newer template beats older literal",
    );
    yes(
        get(&s, "/p/f"),
        "catch-all",
        "priority 9 catch-all beats priority 10",
    );
    yes(get(&s, "/nowhere"), "catch-all", "catch-all");

    // A stub added through the API is newer than every file stub.
    let resp = s
        .req("POST", "/__admin/mappings")
        .body(with("api", None, json!({"method": "GET", "url": "/p/b"})).to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 201);
    yes(get(&s, "/p/b"), "api", "the API stub is the newest");
    let resp = s
        .req("POST", "/__admin/mappings")
        .body(with("api-low", Some(6), json!({"method": "GET", "url": "/p/a"})).to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 201);
    yes(
        get(&s, "/p/a"),
        "high",
        "newest does not beat a higher priority",
    );
}

// ---- scenarios -------------------------------------------------------------------------

fn in_scenario(
    name: &str,
    request: Value,
    required: Option<&str>,
    new_state: Option<&str>,
) -> Value {
    let mut v = stub(name, request);
    v["scenarioName"] = json!("cart");
    if let Some(r) = required {
        v["requiredScenarioState"] = json!(r);
    }
    if let Some(n) = new_state {
        v["newScenarioState"] = json!(n);
    }
    v
}

#[test]
fn scenario_states_and_transitions() {
    let (_d, s) = serve(&[
        in_scenario(
            "empty",
            json!({"method": "GET", "url": "/s/cart"}),
            Some("Started"),
            None,
        ),
        in_scenario(
            "added",
            json!({"method": "POST", "url": "/s/cart"}),
            Some("Started"),
            Some("Has item"),
        ),
        in_scenario(
            "one item",
            json!({"method": "GET", "url": "/s/cart"}),
            Some("Has item"),
            None,
        ),
        in_scenario(
            "emptied",
            json!({"method": "DELETE", "url": "/s/cart"}),
            Some("Has item"),
            Some("Started"),
        ),
        // No required state: matches in every state and moves it.
        in_scenario(
            "jump",
            json!({"method": "PUT", "url": "/s/cart"}),
            None,
            Some("Has item"),
        ),
    ]);
    let call = |m: &str| who(s.req(m, "/s/cart").send().expect("send"));
    yes(call("GET"), "empty", "starts in Started");
    yes(
        call("GET"),
        "empty",
        "a stub without newScenarioState keeps the state",
    );
    no(call("DELETE"), "gated on Has item");
    yes(call("POST"), "added", "Started -> Has item");
    yes(call("GET"), "one item", "in Has item");
    no(call("POST"), "gated on Started");
    yes(call("DELETE"), "emptied", "Has item -> Started");
    yes(call("GET"), "empty", "back in Started");
    yes(call("PUT"), "jump", "ungated stub in Started");
    yes(call("GET"), "one item", "moved by the ungated stub");
    yes(call("PUT"), "jump", "ungated stub in Has item");

    let (_, v) = crate::support::json(s.get("/__admin/scenarios").send().expect("send"));
    assert_eq!(v["scenarios"][0]["name"], "cart", "{v}");
    assert_eq!(v["scenarios"][0]["state"], "Has item", "{v}");
    let resp = s
        .req("POST", "/__admin/scenarios/reset")
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    yes(call("GET"), "empty", "reset to Started");
}

#[test]
fn scenario_sequence_first_second_second() {
    let (_d, s) = serve(&[
        in_scenario(
            "first",
            json!({"method": "GET", "url": "/s/seq"}),
            Some("Started"),
            Some("two"),
        ),
        in_scenario(
            "second",
            json!({"method": "GET", "url": "/s/seq"}),
            Some("two"),
            None,
        ),
    ]);
    yes(get(&s, "/s/seq"), "first", "1st");
    yes(get(&s, "/s/seq"), "second", "2nd");
    yes(get(&s, "/s/seq"), "second", "3rd");
}

#[test]
fn concurrent_requests_leave_started_exactly_once() {
    let (_d, s) = serve(&[
        in_scenario(
            "winner",
            json!({"method": "GET", "url": "/s/race"}),
            Some("Started"),
            Some("Done"),
        ),
        in_scenario(
            "later",
            json!({"method": "GET", "url": "/s/race"}),
            Some("Done"),
            None,
        ),
    ]);
    const THREADS: usize = 16;
    let url = format!("{}/s/race", s.url);
    for round in 0..20 {
        let barrier = Arc::new(Barrier::new(THREADS));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                let url = url.clone();
                std::thread::spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    // Connect first so the requests themselves race.
                    let _ = client.get(format!("{url}-warm")).send();
                    barrier.wait();
                    let resp = client.get(&url).send().expect("send");
                    (resp.status().as_u16(), resp.text().expect("body"))
                })
            })
            .collect();
        let answers: Vec<(u16, String)> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let winners = answers.iter().filter(|(_, b)| b == "winner").count();
        let later = answers
            .iter()
            .filter(|(st, b)| *st == 200 && b == "later")
            .count();
        assert_eq!(
            winners, 1,
            "round {round}: exactly one leaves Started: {answers:?}"
        );
        assert_eq!(
            later,
            THREADS - 1,
            "round {round}: the rest see Done: {answers:?}"
        );
        let resp = s
            .req("POST", "/__admin/scenarios/reset")
            .send()
            .expect("send");
        assert_eq!(resp.status().as_u16(), 200);
    }
}

// ---- misses --------------------------------------------------------------------------

#[test]
fn miss_report_names_what_did_not_match() {
    let (_d, s) = serve(&[json!({
        "request": {
            "method": "POST", "url": "/hello",
            "headers": {"X-Key": {"equalTo": "k"}},
            "bodyPatterns": [{"contains": "hi"}]
        },
        "response": {"status": 200, "body": "yes"}
    })]);
    let report = |resp: reqwest::blocking::Response| {
        let status = resp.status().as_u16();
        let ct = header(&resp, "content-type").unwrap_or_default();
        let body = resp.text().expect("body");
        assert_eq!(status, 404, "{body}");
        assert!(ct.starts_with("text/plain"), "content type {ct}");
        assert!(body.contains("Request was not matched"), "{body}");
        assert!(body.contains("Closest stub"), "{body}");
        assert!(body.contains("Request"), "{body}");
        body
    };
    let body = report(
        s.req("POST", "/helo")
            .header("X-Key", "k")
            .body("hi")
            .send()
            .expect("send"),
    );
    assert!(body.contains("<<<<< URL does not match"), "{body}");
    assert!(!body.contains("Header does not match"), "{body}");
    let body = report(
        s.req("POST", "/hello")
            .header("X-Key", "j")
            .body("hi")
            .send()
            .expect("send"),
    );
    assert!(body.contains("Header does not match"), "{body}");
    assert!(body.contains("X-Key"), "{body}");
    assert!(!body.contains("URL does not match"), "{body}");
    let body = report(
        s.req("POST", "/hello")
            .header("X-Key", "k")
            .body("bye")
            .send()
            .expect("send"),
    );
    assert!(body.contains("Body does not match"), "{body}");
    let body = report(s.get("/hello").header("X-Key", "k").send().expect("send"));
    assert!(body.contains("<<<<< HTTP method does not match"), "{body}");
}

#[test]
fn miss_report_for_the_query() {
    let (_d, s) = serve(&[stub(
        "q",
        json!({"method": "GET", "urlPath": "/hello", "queryParameters": {"name": {"matches": "[a-z]+"}}}),
    )]);
    let resp = s.get("/hello?name=B0B").send().expect("send");
    let (status, body) = done(resp);
    assert_eq!(status, 404);
    assert!(body.contains("Query: name [matches] [a-z]+"), "{body}");
    assert!(body.contains("<<<<< Query does not match"), "{body}");
}

#[test]
fn miss_with_an_openapi_document_is_problem_json() {
    let dir = root(&[stub("hit", json!({"method": "GET", "url": "/stubbed"}))]);
    let s = serve_root(&dir, &[&fixture("openapi31.yaml"), "--quiet"]);
    yes(get(&s, "/stubbed"), "hit", "the stub still answers");
    let resp = s.get("/no/such/thing/anywhere").send().expect("send");
    assert_eq!(resp.status().as_u16(), 404);
    let ct = header(&resp, "content-type").unwrap_or_default();
    assert!(
        ct.starts_with("application/problem+json"),
        "content type {ct}"
    );
    let body: Value = serde_json::from_str(&resp.text().expect("body")).expect("problem JSON");
    assert_eq!(body["status"], 404, "{body}");
}

// ---- files -----------------------------------------------------------------------------

#[test]
fn yaml_stubs_and_mappings_files() {
    let dir = stub_root(&[
        (
            "nested/deeper/one.yaml",
            "request:\n  method: GET\n  urlPath: /y/one\n  queryParameters:\n    k:\n      equalTo: v\nresponse:\n  status: 200\n  body: yaml one\n".to_string(),
        ),
        (
            "two.yml",
            "mappings:\n  - request: {method: GET, url: /y/two}\n    response: {status: 200, body: yaml two}\n  - request: {method: GET, url: /y/three}\n    response: {status: 200, body: yaml three}\n".to_string(),
        ),
        (
            "many.json",
            json!({"mappings": [stub("j1", json!({"url": "/j/1"})), stub("j2", json!({"url": "/j/2"}))]})
                .to_string(),
        ),
    ]);
    let s = serve_root(&dir, &["--quiet"]);
    yes(
        get(&s, "/y/one?k=v"),
        "yaml one",
        "YAML stub in a nested directory",
    );
    no(get(&s, "/y/one?k=w"), "YAML stub's matcher is used");
    yes(get(&s, "/y/two"), "yaml two", "YAML mappings file, first");
    yes(
        get(&s, "/y/three"),
        "yaml three",
        "YAML mappings file, second",
    );
    yes(get(&s, "/j/1"), "j1", "JSON mappings file, first");
    yes(get(&s, "/j/2"), "j2", "JSON mappings file, second");
}

#[test]
fn a_mappings_directory_or_a_single_stub_file() {
    let dir = root(&[
        stub("one", json!({"url": "/one"})),
        stub("two", json!({"url": "/two"})),
    ]);
    let s = Server::start(&[
        &dir.path().join("mappings").display().to_string(),
        "--quiet",
    ]);
    yes(get(&s, "/one"), "one", "mappings/ directory");
    yes(get(&s, "/two"), "two", "mappings/ directory");
    drop(s);
    let s = Server::start(&[
        &dir.path().join("mappings/01.json").display().to_string(),
        "--quiet",
    ]);
    yes(get(&s, "/two"), "two", "single stub file");
    no(get(&s, "/one"), "the other file is not loaded");
}

/// A mappings file whose fourth stub has a bad regex, after three good `urlPattern`s (so
/// the line of its pointer is found only by counting array elements).
fn bad_root() -> tempfile::TempDir {
    let dir = root(&[stub("good", json!({"method": "GET", "url": "/good"}))]);
    let many = json!({"mappings": [
        stub("m0", json!({"urlPattern": "/m0"})),
        stub("m1", json!({"urlPattern": "/m1"})),
        stub("m2", json!({"urlPattern": "/m2"})),
        stub("m3", json!({"urlPattern": "/m3/(unclosed"})),
    ]});
    std::fs::write(
        dir.path().join("mappings/many.json"),
        serde_json::to_string_pretty(&many).expect("JSON"),
    )
    .expect("write");
    std::fs::write(
        dir.path().join("mappings/broken.json"),
        "{\"request\": {\"url\": \"/broken\"}, \"response\": {\"status\": \"two hundred\"}}",
    )
    .expect("write");
    dir
}

#[test]
fn bad_stub_file_is_a_diagnostic_with_file_pointer_and_line() {
    let dir = bad_root();
    let (code, out, err) = run(&["check", &dir.path().display().to_string()]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "check fails on an error: {all}");
    assert!(all.contains("many.json"), "names the file: {all}");
    assert!(
        all.contains("/mappings/3/request/urlPattern"),
        "names the pointer: {all}"
    );
    // The pointer's line: the fourth "urlPattern" key of the pretty file.
    let text = std::fs::read_to_string(dir.path().join("mappings/many.json")).expect("read");
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("\"urlPattern\""))
        .nth(3)
        .expect("the fourth key")
        .0
        + 1;
    assert!(
        all.contains(&format!("many.json:{line}")),
        "the line of the bad key ({line}): {all}"
    );
    assert!(all.contains("broken.json"), "names the other file: {all}");
    assert!(all.contains("/response/status"), "and its pointer: {all}");
}

#[test]
fn bad_stub_file_leaves_the_others_served() {
    let dir = bad_root();
    let s = serve_root(&dir, &["--quiet"]);
    yes(get(&s, "/good"), "good", "a stub of a good file");
    yes(get(&s, "/m2"), "m2", "a good stub beside the bad one");
    no(get(&s, "/broken"), "the bad stub is not served");
    let mut errors = Vec::new();
    while let Ok(line) = s.errors.recv_timeout(std::time::Duration::from_millis(500)) {
        errors.push(line);
    }
    let errors = errors.join("\n");
    assert!(
        errors.contains("many.json") && errors.contains("/mappings/3/request/urlPattern"),
        "the diagnostic on stderr: {errors}"
    );
}

// ---- Matched-Stub-Id -------------------------------------------------------------------

#[test]
fn matched_stub_id_header() {
    const ID: &str = "1c0d3e5a-0000-4000-8000-00000000abcd";
    let mut with_id = stub("with id", json!({"url": "/id/given"}));
    with_id["id"] = json!(ID);
    let (_d, s) = serve(&[with_id, stub("without", json!({"url": "/id/made"}))]);
    let resp = s.get("/id/given").send().expect("send");
    assert_eq!(header(&resp, "matched-stub-id").as_deref(), Some(ID));
    let resp = s.get("/id/made").send().expect("send");
    let made = header(&resp, "matched-stub-id").expect("an id is made up");
    assert_eq!(made.len(), 36, "a UUID: {made}");
    let (_, list) = crate::support::json(s.get("/__admin/mappings").send().expect("send"));
    let ids: Vec<&str> = list["mappings"]
        .as_array()
        .expect("mappings")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(ids.contains(&made.as_str()), "the admin API's id: {list}");
    let resp = s.get("/id/none").send().expect("send");
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(header(&resp, "matched-stub-id"), None, "no id on a miss");
}

// ---- edges where WireMock's exact semantics matter --------------------------------------

#[test]
fn negative_matchers_take_an_absent_value() {
    // WireMock gives a missing header to its matcher as null: doesNotContain,
    // doesNotMatch and not(...) all accept it; contains and matches do not.
    let (_d, s) = serve(&[
        stub(
            "notcontains",
            json!({"url": "/n/1", "headers": {"X-A": {"doesNotContain": "x"}}}),
        ),
        stub(
            "notmatches",
            json!({"url": "/n/2", "headers": {"X-A": {"doesNotMatch": "x.*"}}}),
        ),
        stub(
            "not",
            json!({"url": "/n/3", "headers": {"X-A": {"not": {"contains": "x"}}}}),
        ),
        stub(
            "contains",
            json!({"url": "/n/4", "headers": {"X-A": {"contains": ""}}}),
        ),
    ]);
    yes(
        get(&s, "/n/1"),
        "notcontains",
        "doesNotContain, header absent",
    );
    no(
        get_with(&s, "/n/1", &[("X-A", "axb")]),
        "doesNotContain, present",
    );
    yes(get(&s, "/n/2"), "notmatches", "doesNotMatch, header absent");
    no(
        get_with(&s, "/n/2", &[("X-A", "xyz")]),
        "doesNotMatch, present",
    );
    yes(get(&s, "/n/3"), "not", "not, header absent");
    no(get_with(&s, "/n/3", &[("X-A", "x")]), "not, present");
    yes(
        get_with(&s, "/n/4", &[("X-A", "anything")]),
        "contains",
        "contains the empty string",
    );
    no(get(&s, "/n/4"), "contains, header absent");
}

#[test]
fn equal_to_json_ignore_extra_elements_covers_array_items() {
    // WireMock turns on JsonUnit's IGNORING_EXTRA_FIELDS and IGNORING_EXTRA_ARRAY_ITEMS.
    let (_d, s) = serve(&body_stubs(&[
        (
            "extra",
            json!({"equalToJson": {"a": [1, 2]}, "ignoreExtraElements": true}),
        ),
        (
            "both",
            json!({"equalToJson": {"a": [2, 1]}, "ignoreExtraElements": true, "ignoreArrayOrder": true}),
        ),
        (
            "kinds",
            json!({"equalToJson": ["${json-unit.any-number}", "${json-unit.any-boolean}"]}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(p("extra", r#"{"a":[1,2,3]}"#), "extra", "extra array item");
    no(p("extra", r#"{"a":[1]}"#), "missing array item");
    no(p("extra", r#"{"a":[2,1]}"#), "order still matters");
    yes(
        p("both", r#"{"a":[3,1,2]}"#),
        "both",
        "extra item, any order",
    );
    no(p("both", r#"{"a":[3,1]}"#), "extra item, one missing");
    yes(
        p("kinds", "[1.5, false]"),
        "kinds",
        "any-number, any-boolean",
    );
    no(p("kinds", r#"["1", true]"#), "any-number given a string");
    no(p("kinds", "[1, null]"), "any-boolean given null");
}

#[test]
fn json_path_sub_matchers_see_each_value_as_text() {
    // WireMock matches a sub-matcher against each element of a list result (any may
    // match), and against numbers and booleans as their text.
    let (_d, s) = serve(&body_stubs(&[
        (
            "each",
            json!({"matchesJsonPath": {"expression": "$.tags", "equalTo": "blue"}}),
        ),
        (
            "ids",
            json!({"matchesJsonPath": {"expression": "$.items[*].id", "matches": "[0-9]+"}}),
        ),
        (
            "number",
            json!({"matchesJsonPath": {"expression": "$.n", "equalTo": "5"}}),
        ),
        (
            "bool",
            json!({"matchesJsonPath": {"expression": "$.ok", "equalTo": "true"}}),
        ),
        (
            "size",
            json!({"matchesJsonPath": "$[?(@.items.length() == 2)]"}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(
        p("each", r#"{"tags":["red","blue"]}"#),
        "each",
        "one element equal",
    );
    no(
        p("each", r#"{"tags":["red","bluish"]}"#),
        "no element equal",
    );
    yes(
        p("ids", r#"{"items":[{"id":"x"},{"id":"42"}]}"#),
        "ids",
        "one id fits",
    );
    no(p("ids", r#"{"items":[{"id":"x"}]}"#), "no id fits");
    yes(p("number", r#"{"n":5}"#), "number", "a number as text");
    no(p("number", r#"{"n":6}"#), "another number");
    yes(p("bool", r#"{"ok":true}"#), "bool", "a boolean as text");
    no(p("bool", r#"{"ok":false}"#), "another boolean");
    yes(
        p("size", r#"{"items":[1,2]}"#),
        "size",
        "length() in a filter",
    );
    no(p("size", r#"{"items":[1]}"#), "length() differs");
}

#[test]
fn xpath_attributes_sub_matchers_and_xml_placeholders() {
    let (_d, s) = serve(&body_stubs(&[
        (
            "attr",
            json!({"matchesXPath": {"expression": "//item/@id", "matches": "[0-9]+"}}),
        ),
        (
            "count",
            json!({"matchesXPath": {"expression": "count(//item)", "equalTo": "2"}}),
        ),
        (
            "subxml",
            json!({"matchesXPath": {"expression": "/order/item", "equalToXml": "<item id=\"1\">a</item>"}}),
        ),
        (
            "holder",
            json!({"equalToXml": "<r><id>${xmlunit.ignore}</id><v>1</v></r>", "enablePlaceholders": true}),
        ),
    ]));
    let p = |name: &str, body: &str| post(&s, &format!("/b/{name}"), body.to_string());
    yes(
        p("attr", "<o><item id=\"17\"/></o>"),
        "attr",
        "attribute value",
    );
    no(
        p("attr", "<o><item id=\"x\"/></o>"),
        "attribute value does not fit",
    );
    no(p("attr", "<o><item/></o>"), "no attribute");
    yes(
        p("count", "<o><item/><item/></o>"),
        "count",
        "a number result as text",
    );
    no(p("count", "<o><item/></o>"), "other count");
    yes(
        p("subxml", "<order><item id=\"1\">a</item></order>"),
        "subxml",
        "equalToXml on the selected node",
    );
    no(
        p("subxml", "<order><item id=\"2\">a</item></order>"),
        "equalToXml on the selected node, other attribute",
    );
    yes(
        p("holder", "<r><id>anything-at-all</id><v>1</v></r>"),
        "holder",
        "${xmlunit.ignore}",
    );
    no(
        p("holder", "<r><id>x</id><v>2</v></r>"),
        "placeholder, another element differs",
    );
}

#[test]
fn date_matchers_with_formats_and_truncation() {
    let now = now_ms() / 1000;
    let (_d, s) = serve(&[
        stub(
            "rfc",
            json!({"url": "/d/rfc", "headers": {"X-When": {"before": "2025-07-02T00:00:00Z"}}}),
        ),
        stub(
            "format",
            json!({"url": "/d/format",
                   "headers": {"X-When": {"equalToDateTime": "2024-05-01T00:00:00Z", "actualFormat": "dd/MM/yyyy"}}}),
        ),
        stub(
            "month",
            json!({"url": "/d/month",
                   "headers": {"X-When": {"equalToDateTime": "now", "truncateExpected": "first day of month", "truncateActual": "first day of month"}}}),
        ),
        stub(
            "offset",
            json!({"url": "/d/offset",
                   "headers": {"X-When": {"before": "now -3 hours"}}}),
        ),
    ]);
    let h = |path: &str, v: &str| get_with(&s, path, &[("X-When", v)]);
    yes(
        h("/d/rfc", "Tue, 01 Jul 2025 10:00:00 GMT"),
        "rfc",
        "an RFC 1123 date",
    );
    no(
        h("/d/rfc", "Wed, 02 Jul 2025 10:00:00 GMT"),
        "an RFC 1123 date after",
    );
    yes(h("/d/format", "01/05/2024"), "format", "actualFormat");
    no(h("/d/format", "02/05/2024"), "actualFormat, other day");
    yes(h("/d/month", &iso(now)), "month", "this month, truncated");
    no(
        h("/d/month", &iso(now - 40 * 86_400)),
        "40 days ago is another month",
    );
    yes(
        h("/d/offset", &iso(now - 4 * 3600)),
        "offset",
        "four hours ago",
    );
    no(h("/d/offset", &iso(now - 2 * 3600)), "two hours ago");
}

#[test]
fn request_field_edges() {
    let (_d, s) = serve(&[
        stub(
            "anyvalue",
            json!({"url": "/e/hdr", "headers": {"X-V": {"equalTo": "b"}}}),
        ),
        stub(
            "colon",
            json!({"url": "/e/auth", "basicAuthCredentials": {"username": "u", "password": "p:w:d"}}),
        ),
        stub(
            "encoded",
            json!({"urlPathTemplate": "/e/names/{name}", "pathParameters": {"name": {"equalTo": "a%20b"}}}),
        ),
        stub(
            "key",
            json!({"urlPath": "/e/key", "queryParameters": {"the key": {"equalTo": "v&w"}}}),
        ),
        stub(
            "quoted",
            json!({"url": "/e/cookie", "cookies": {"c": {"equalTo": "v 1"}}}),
        ),
    ]);
    yes(
        get_with(&s, "/e/hdr", &[("X-V", "a"), ("X-V", "b")]),
        "anyvalue",
        "a single matcher takes any header value",
    );
    no(
        get_with(&s, "/e/hdr", &[("X-V", "a")]),
        "no header value fits",
    );
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("u:p:w:d")
    );
    yes(
        get_with(&s, "/e/auth", &[("Authorization", &auth)]),
        "colon",
        "a password holding colons",
    );
    yes(
        get(&s, "/e/names/a%20b"),
        "encoded",
        "path variables are raw, as sent",
    );
    no(get(&s, "/e/names/a-b"), "another variable");
    yes(
        get(&s, "/e/key?the+key=v%26w"),
        "key",
        "query names and values are decoded",
    );
    no(
        get(&s, "/e/key?the+key=v&w"),
        "an unencoded & splits the value",
    );
    yes(
        get_with(&s, "/e/cookie", &[("Cookie", "c=\"v 1\"")]),
        "quoted",
        "a quoted cookie value",
    );
}

#[test]
fn scenario_state_set_through_the_admin_api_and_priority_within_states() {
    let mut gated = in_scenario(
        "gated",
        json!({"method": "GET", "url": "/s/admin"}),
        Some("Open"),
        None,
    );
    gated["priority"] = json!(1);
    let (_d, s) = serve(&[
        gated,
        // Lower priority, no required state: answers whenever the gated one cannot.
        stub("fallback", json!({"method": "GET", "url": "/s/admin"})),
    ]);
    yes(
        get(&s, "/s/admin"),
        "fallback",
        "the gated stub waits for Open",
    );
    let resp = s
        .req("PUT", "/__admin/scenarios/cart/state")
        .body(json!({"state": "Open"}).to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200, "set the state");
    yes(get(&s, "/s/admin"), "gated", "in Open, the higher priority");
    // A state none of the scenario's stubs names is refused, as WireMock does.
    let resp = s
        .req("PUT", "/__admin/scenarios/cart/state")
        .body(json!({"state": "Shut"}).to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 422, "an unknown state");
    yes(get(&s, "/s/admin"), "gated", "the state is unchanged");
    let resp = s
        .req("PUT", "/__admin/scenarios/cart/state")
        .body(json!({"state": "Started"}).to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200, "back to Started");
    yes(get(&s, "/s/admin"), "fallback", "out of Open again");
}

#[test]
fn url_regexes_are_java_regexes() {
    // WireMock compiles urlPattern and urlPathPattern as java.util.regex patterns, as it
    // does `matches`: lookahead, \Q..\E quoting and POSIX classes are common in stubs.
    let (_d, s) = serve(&[
        stub(
            "lookahead",
            json!({"method": "GET", "urlPathPattern": "/r/(?!admin)[a-z]+"}),
        ),
        stub(
            "quoted",
            json!({"method": "GET", "urlPattern": "\\Q/r/a.b?x=\\E[0-9]+"}),
        ),
        stub(
            "posix",
            json!({"method": "GET", "urlPathPattern": "/r/p/\\p{Alpha}+"}),
        ),
    ]);
    yes(
        get(&s, "/r/users"),
        "lookahead",
        "negative lookahead, allowed",
    );
    no(get(&s, "/r/admin"), "negative lookahead, refused");
    yes(
        get(&s, "/r/a.b?x=12"),
        "quoted",
        "quoted dot and question mark",
    );
    no(get(&s, "/r/aXb?x=12"), "a quoted dot is a dot");
    yes(get(&s, "/r/p/abc"), "posix", "POSIX class");
    no(get(&s, "/r/p/ab1"), "POSIX class refuses a digit");
}

#[test]
fn equal_to_xml_ignores_prefixes_and_sibling_order() {
    // WireMock counts neither namespace prefixes nor CHILD_NODELIST_SEQUENCE.
    let (_d, s) = serve(&body_stubs(&[(
        "ns",
        json!({"equalToXml": "<a:r xmlns:a=\"urn:x\"><a:one>1</a:one><a:two>2</a:two></a:r>"}),
    )]));
    let p = |body: &str| post(&s, "/b/ns", body.to_string());
    yes(
        p("<b:r xmlns:b=\"urn:x\"><b:one>1</b:one><b:two>2</b:two></b:r>"),
        "ns",
        "another prefix for the same URI",
    );
    yes(
        p("<r xmlns=\"urn:x\"><two>2</two><one>1</one></r>"),
        "ns",
        "default namespace, siblings swapped",
    );
    no(
        p("<b:r xmlns:b=\"urn:y\"><b:one>1</b:one><b:two>2</b:two></b:r>"),
        "another namespace URI",
    );
}

#[test]
fn concurrent_requests_walk_a_chain_one_state_at_a_time() {
    let chain = |name: &str, required: &str, new_state: Option<&str>| {
        in_scenario(
            name,
            json!({"method": "GET", "url": "/s/chain"}),
            Some(required),
            new_state,
        )
    };
    let (_d, s) = serve(&[
        chain("one", "Started", Some("two")),
        chain("two", "two", Some("three")),
        chain("three", "three", None),
    ]);
    const THREADS: usize = 16;
    let barrier = Arc::new(Barrier::new(THREADS));
    let url = format!("{}/s/chain", s.url);
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let url = url.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let _ = client.get(format!("{url}-warm")).send();
                barrier.wait();
                let resp = client.get(&url).send().expect("send");
                (resp.status().as_u16(), resp.text().expect("body"))
            })
        })
        .collect();
    let answers: Vec<(u16, String)> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let count = |name: &str| answers.iter().filter(|(_, b)| b == name).count();
    assert_eq!(count("one"), 1, "Started left once: {answers:?}");
    assert_eq!(count("two"), 1, "two left once: {answers:?}");
    assert_eq!(
        count("three"),
        THREADS - 2,
        "no request fell through: {answers:?}"
    );
}

#[test]
fn miss_report_shows_the_closest_stub() {
    let (_d, s) = serve(&[
        stub("alpha", json!({"method": "GET", "url": "/alphabet/soup"})),
        stub("other", json!({"method": "POST", "url": "/zzz/qqq/www"})),
    ]);
    let (status, body) = done(s.get("/alphabet/soap").send().expect("send"));
    assert_eq!(status, 404);
    assert!(body.contains("/alphabet/soup"), "the closest stub: {body}");
    assert!(!body.contains("/zzz/qqq/www"), "not the far one: {body}");
    assert!(body.contains("/alphabet/soap"), "the request: {body}");
}

#[test]
fn any_method_and_specific_method_stubs_keep_newest_first() {
    let mappings = json!({"mappings": [
        stub("get-old", json!({"method": "GET", "url": "/o/1"})),
        stub("any-new", json!({"method": "ANY", "url": "/o/1"})),
        stub("any-old", json!({"method": "ANY", "urlPath": "/o/2"})),
        stub("get-new", json!({"method": "GET", "urlPath": "/o/2"})),
        stub("tpl-old", json!({"method": "GET", "urlPathTemplate": "/o/t/{x}"})),
        stub("rx-new", json!({"method": "ANY", "urlPathPattern": "/o/t/[a-z]+"})),
    ]});
    let dir = stub_root(&[("m.json", mappings.to_string())]);
    let s = serve_root(&dir, &["--quiet"]);
    yes(
        get(&s, "/o/1"),
        "any-new",
        "a newer ANY stub beats an older GET",
    );
    yes(
        who(s.req("DELETE", "/o/1").send().expect("send")),
        "any-new",
        "ANY takes DELETE",
    );
    yes(
        get(&s, "/o/2"),
        "get-new",
        "a newer GET stub beats an older ANY",
    );
    yes(
        who(s.req("POST", "/o/2").send().expect("send")),
        "any-old",
        "the older ANY still takes POST",
    );
    yes(
        get(&s, "/o/t/abc"),
        "rx-new",
        "a newer regex beats an older template",
    );
    yes(
        get(&s, "/o/t/123"),
        "tpl-old",
        "the template where the regex fails",
    );
}

#[test]
fn form_parameters_with_repeated_values() {
    let (_d, s) = serve(&[stub(
        "multi",
        json!({"method": "POST", "url": "/f/multi",
               "formParameters": {"c": {"hasExactly": [{"equalTo": "red"}, {"equalTo": "blue"}]}}}),
    )]);
    let send = |body: &str| {
        who(s
            .req("POST", "/f/multi")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .expect("send"))
    };
    yes(send("c=blue&c=red"), "multi", "both values");
    no(send("c=blue"), "one value");
    no(send("c=blue&c=red&c=green"), "an extra value");
}
