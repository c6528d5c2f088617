//! Unit tests of saved-example matching, through `Snapshot::build` on files in memory.

use http::{HeaderMap, HeaderValue, Method};
use serde_json::json;

use super::*;
use crate::settings::MockSettings;
use crate::snapshot::Snapshot;
use crate::source::MemoryFiles;

fn snap(files: &[(&str, serde_json::Value)], settings: MockSettings) -> Snapshot {
    let mut mem = MemoryFiles::new();
    let mut paths = Vec::new();
    for (name, doc) in files {
        mem.insert(*name, doc.to_string());
        paths.push(std::path::PathBuf::from(name));
    }
    Snapshot::build(&mem, &paths, settings)
}

fn ask(
    s: &Snapshot,
    method: &str,
    target: &str,
    headers: &[(&'static str, &str)],
    body: &[u8],
) -> Lookup {
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.append(*k, HeaderValue::from_str(v).unwrap());
    }
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    let req = Request {
        method: &m,
        path,
        query,
        headers: &h,
        body,
        now_unix_ms: 1_700_000_000_123,
        peer: None,
    };
    let d = Directives::read(&h, query);
    s.saved.answer(&req, &d, 42)
}

fn hit(l: Lookup) -> Reply {
    match l {
        Lookup::Hit(r) => *r,
        Lookup::Miss(n) => panic!("expected a hit, got misses {n:?}"),
    }
}

fn example_of(l: Lookup) -> String {
    hit(l).why.example.unwrap_or_default()
}

fn ex(name: &str, code: u16, method: &str, url: &str) -> serde_json::Value {
    json!({"name": name, "code": code, "originalRequest": {"method": method, "url": url},
           "header": [{"key": "Content-Type", "value": "application/json"}],
           "body": format!("{{\"example\": \"{name}\"}}")})
}

fn collection(examples: Vec<serde_json::Value>) -> serde_json::Value {
    json!({
        "info": {"name": "t", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "r", "request": {"method": "GET", "url": "{{baseUrl}}/x"}, "response": examples}]
    })
}

#[test]
fn the_product_table() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("E1", 200, "GET", "{{baseUrl}}/get"),
                ex("E2", 404, "GET", "{{baseUrl}}/test"),
                ex("E3", 200, "GET", "{{baseUrl}}/get?id=5"),
            ]),
        )],
        MockSettings::default(),
    );
    assert_eq!(example_of(ask(&s, "GET", "/get?id=5", &[], b"")), "E3");
    assert_eq!(example_of(ask(&s, "GET", "/get?id=1", &[], b"")), "E1");
    assert_eq!(example_of(ask(&s, "GET", "/get", &[], b"")), "E1");
    let r = hit(ask(&s, "GET", "/test", &[], b""));
    assert_eq!((r.status, r.why.example.as_deref()), (404, Some("E2")));
}

#[test]
fn url_ladder() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("exact", 200, "GET", "/Items/list"),
                ex("var", 200, "GET", "/users/:id"),
                ex("wild", 200, "GET", "/orgs/{{org}}/repos"),
                ex("ids", 200, "GET", "/orders/a1b2"),
            ]),
        )],
        MockSettings::default(),
    );
    for target in ["/Items/list", "/Items/list/", "/items/LIST", "/items/list/"] {
        assert_eq!(example_of(ask(&s, "GET", target, &[], b"")), "exact");
    }
    assert_eq!(example_of(ask(&s, "GET", "/users/7", &[], b"")), "var");
    assert_eq!(
        example_of(ask(&s, "GET", "/orgs/acme/repos", &[], b"")),
        "wild"
    );
    assert_eq!(example_of(ask(&s, "GET", "/orders/9z9", &[], b"")), "ids");
    // A variable is one segment, never two; plain words are not ids.
    assert!(matches!(
        ask(&s, "GET", "/orgs/a/b/repos", &[], b""),
        Lookup::Miss(_)
    ));
    assert!(matches!(
        ask(&s, "GET", "/orders/new", &[], b""),
        Lookup::Miss(_)
    ));
}

#[test]
fn ladder_ranks_exact_over_variable() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("var", 200, "GET", "/users/:id"),
                ex("me", 200, "GET", "/users/me"),
            ]),
        )],
        MockSettings::default(),
    );
    assert_eq!(example_of(ask(&s, "GET", "/users/me", &[], b"")), "me");
    assert_eq!(example_of(ask(&s, "GET", "/users/you", &[], b"")), "var");
}

#[test]
fn directives_narrow() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("ok", 200, "GET", "/a"),
                ex("gone", 410, "GET", "/a"),
                ex("other", 200, "GET", "/a"),
            ]),
        )],
        MockSettings::default(),
    );
    assert_eq!(
        example_of(ask(
            &s,
            "GET",
            "/a",
            &[("x-mock-response-code", "410")],
            b""
        )),
        "gone"
    );
    assert_eq!(
        example_of(ask(&s, "GET", "/a", &[("prefer", "code=410")], b"")),
        "gone"
    );
    assert_eq!(
        example_of(ask(
            &s,
            "GET",
            "/a",
            &[("x-mock-response-name", "other")],
            b""
        )),
        "other"
    );
    assert_eq!(
        example_of(ask(&s, "GET", "/a", &[("prefer", "example=other")], b"")),
        "other"
    );
    match ask(&s, "GET", "/a", &[("x-mock-response-code", "500")], b"") {
        Lookup::Miss(n) => assert!(n[0].reasons[0].contains("status"), "{n:?}"),
        Lookup::Hit(_) => panic!("no 500 example"),
    }
}

#[test]
fn ties_go_to_a_200() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("err", 500, "GET", "/a"),
                ex("fine", 200, "GET", "/a"),
            ]),
        )],
        MockSettings::default(),
    );
    assert_eq!(example_of(ask(&s, "GET", "/a", &[], b"")), "fine");
}

fn with_headers_and_bodies() -> serde_json::Value {
    let mut en = ex("en", 200, "POST", "/greet");
    en["originalRequest"]["header"] = json!([{"key": "Accept-Language", "value": "en"}]);
    en["originalRequest"]["body"] = json!({"mode": "raw", "raw": "{\"who\": \"a\"}"});
    let mut fr = ex("fr", 200, "POST", "/greet");
    fr["originalRequest"]["header"] = json!([{"key": "Accept-Language", "value": "fr"}]);
    fr["originalRequest"]["body"] = json!({"mode": "raw", "raw": "{\"who\": \"b\"}"});
    collection(vec![en, fr])
}

#[test]
fn headers_only_when_asked() {
    let s = snap(
        &[("c.json", with_headers_and_bodies())],
        MockSettings::default(),
    );
    let h = [("accept-language", "fr")];
    assert_eq!(example_of(ask(&s, "POST", "/greet", &h, b"")), "en");
    let h = [
        ("accept-language", "fr"),
        ("x-mock-match-request-headers", "Accept-Language"),
    ];
    assert_eq!(example_of(ask(&s, "POST", "/greet", &h, b"")), "fr");
    let cfg = MockSettings {
        match_headers: vec!["accept-language".into()],
        ..MockSettings::default()
    };
    let s = snap(&[("c.json", with_headers_and_bodies())], cfg);
    assert_eq!(
        example_of(ask(&s, "POST", "/greet", &[("accept-language", "fr")], b"")),
        "fr"
    );
    match ask(&s, "POST", "/greet", &[("accept-language", "de")], b"") {
        Lookup::Miss(n) => assert!(n[0].reasons[0].starts_with("header accept-language")),
        Lookup::Hit(_) => panic!("no de example"),
    }
}

#[test]
fn bodies_break_ties_and_filter_when_asked() {
    let s = snap(
        &[("c.json", with_headers_and_bodies())],
        MockSettings::default(),
    );
    assert_eq!(
        example_of(ask(&s, "POST", "/greet", &[], br#"{"who":"b"}"#)),
        "fr"
    );
    assert_eq!(
        example_of(ask(&s, "POST", "/greet", &[], br#"{"who":"z"}"#)),
        "en"
    );
    let h = [("x-mock-match-request-body", "true")];
    assert!(matches!(
        ask(&s, "POST", "/greet", &h, br#"{"who":"z"}"#),
        Lookup::Miss(_)
    ));
}

#[test]
fn variables_and_dynamic_values() {
    let c = json!({
        "info": {"_postman_id": "x", "name": "t"},
        "variable": [{"key": "baseUrl", "value": "https://api.example.com/v1"}, {"key": "who", "value": "Ada"}],
        "item": [{"name": "folder", "item": [{"name": "r", "request": "{{baseUrl}}/hello", "response": [{
            "name": "hi", "code": 200, "originalRequest": {"method": "GET", "url": "{{baseUrl}}/hello/{{userId}}"},
            "header": [{"key": "X-Id", "value": "{{$randomUUID}}"}],
            "body": "{\"who\": \"{{who}}\", \"user\": \"{{userId}}\", \"ts\": {{$timestamp}}, \"iso\": \"{{$isoTimestamp}}\", \"n\": {{$randomInt}}, \"q\": \"{{$queryParams 'q'}}\", \"keep\": \"{{$nope}}\"}"
        }]}]}]
    });
    let s = snap(&[("c.json", c)], MockSettings::default());
    let r = hit(ask(&s, "GET", "/v1/hello/42?q=yes", &[], b""));
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["who"], "Ada");
    assert_eq!(body["user"], "42");
    assert_eq!(body["ts"], 1_700_000_000);
    assert_eq!(body["iso"], "2023-11-14T22:13:20.123Z");
    assert!(body["n"].as_u64().unwrap() <= 1000);
    assert_eq!(body["q"], "yes");
    assert_eq!(body["keep"], "{{$nope}}");
    let id = r
        .headers
        .iter()
        .find(|(k, _)| k == "x-id")
        .unwrap()
        .1
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
}

fn har(entries: Vec<serde_json::Value>) -> serde_json::Value {
    json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
}

fn entry(method: &str, url: &str, status: u16, body: &str) -> serde_json::Value {
    json!({
        "request": {"method": method, "url": url, "headers": [], "queryString": []},
        "response": {"status": status, "statusText": "", "headers": [
            {"name": "Content-Type", "value": "text/plain"},
            {"name": "Content-Length", "value": "999"},
            {"name": "Connection", "value": "keep-alive"}],
            "content": {"size": 1, "mimeType": "text/plain", "text": body}}
    })
}

#[test]
fn har_strict_and_lenient() {
    let h = har(vec![
        entry("GET", "http://h/a?x=1&y=2", 200, "xy"),
        entry("GET", "http://h/a", 200, "plain"),
    ]);
    let s = snap(&[("s.har", h.clone())], MockSettings::default());
    let r = hit(ask(&s, "GET", "/a?x=1&y=2", &[], b""));
    assert_eq!(&r.body[..], b"xy");
    assert!(
        r.headers
            .iter()
            .all(|(k, _)| k != "content-length" && k != "connection")
    );
    assert!(matches!(
        ask(&s, "GET", "/a?y=2&x=1", &[], b""),
        Lookup::Miss(_)
    ));
    assert!(matches!(ask(&s, "POST", "/a", &[], b""), Lookup::Miss(_)));
    let lenient = MockSettings {
        har_match: HarMatch::Lenient,
        ..MockSettings::default()
    };
    let s = snap(&[("s.har", h)], lenient);
    assert_eq!(&hit(ask(&s, "GET", "/a?y=2&x=1", &[], b"")).body[..], b"xy");
}

#[test]
fn a_plus_in_the_query_is_a_space_for_collections_and_lenient_har() {
    // A collection's query list holds values as typed: a space, or a literal plus.
    let example = |name: &str, value: &str| {
        json!({"name": name, "code": 200, "body": format!("{{\"example\": \"{name}\"}}"),
               "originalRequest": {"method": "GET", "url": {"raw": "{{baseUrl}}/search",
                   "query": [{"key": "q", "value": value}]}}})
    };
    let s = snap(
        &[(
            "c.json",
            collection(vec![example("plus", "a+b"), example("spaced", "a b")]),
        )],
        MockSettings::default(),
    );
    assert_eq!(
        example_of(ask(&s, "GET", "/search?q=a+b", &[], b"")),
        "spaced"
    );
    assert_eq!(
        example_of(ask(&s, "GET", "/search?q=a%20b", &[], b"")),
        "spaced"
    );
    assert_eq!(
        example_of(ask(&s, "GET", "/search?q=a%2Bb", &[], b"")),
        "plus"
    );
    // The dynamic variable reads the same decoded value.
    let echo = json!({"name": "echo", "code": 200, "body": "{{$queryParams 'q'}}",
                      "originalRequest": {"method": "GET", "url": "{{baseUrl}}/echo"}});
    let s = snap(
        &[("c.json", collection(vec![echo]))],
        MockSettings::default(),
    );
    assert_eq!(
        &hit(ask(&s, "GET", "/echo?q=a+b", &[], b"")).body[..],
        b"a b"
    );
    // Lenient HAR matching compares decoded pairs: `+` and `%20` are the same space.
    let lenient = MockSettings {
        har_match: HarMatch::Lenient,
        ..MockSettings::default()
    };
    let h = har(vec![entry("GET", "http://h/search?q=a%20b", 200, "spaced")]);
    let s = snap(&[("s.har", h)], lenient);
    assert_eq!(
        &hit(ask(&s, "GET", "/search?q=a+b", &[], b"")).body[..],
        b"spaced"
    );
    assert!(matches!(
        ask(&s, "GET", "/search?q=a%2Bb", &[], b""),
        Lookup::Miss(_)
    ));
}

#[test]
fn har_redirects_base64_and_cycles() {
    let mut r1 = entry("GET", "http://h/old", 302, "");
    r1["response"]["headers"] = json!([{"name": "Location", "value": "/new"}]);
    let mut r2 = entry("GET", "http://h/new", 200, "aGVsbG8=");
    r2["response"]["content"]["encoding"] = json!("base64");
    let mut c1 = entry("GET", "http://h/loop1", 302, "");
    c1["response"]["headers"] = json!([{"name": "Location", "value": "http://h/loop2"}]);
    let mut c2 = entry("GET", "http://h/loop2", 301, "");
    c2["response"]["headers"] = json!([{"name": "Location", "value": "loop1"}]);
    let mut dangling = entry("GET", "http://h/away", 307, "");
    dangling["response"]["headers"] = json!([{"name": "Location", "value": "https://elsewhere/x"}]);
    let s = snap(
        &[("s.har", har(vec![r1, r2, c1, c2, dangling]))],
        MockSettings::default(),
    );
    let r = hit(ask(&s, "GET", "/old", &[], b""));
    assert_eq!((r.status, &r.body[..]), (200, &b"hello"[..]));
    assert_eq!(hit(ask(&s, "GET", "/loop1", &[], b"")).status, 508);
    assert_eq!(hit(ask(&s, "GET", "/away", &[], b"")).status, 307);
}

#[test]
fn har_headers_break_ties_and_multipart_ignores_boundaries() {
    let mut a = entry("GET", "http://h/d", 200, "json");
    a["request"]["headers"] = json!([{"name": "Accept", "value": "application/json"}]);
    let mut b = entry("GET", "http://h/d", 200, "xml");
    b["request"]["headers"] = json!([{"name": "Accept", "value": "application/xml"}]);
    let mut m = entry("POST", "http://h/up", 201, "stored");
    m["request"]["headers"] =
        json!([{"name": "Content-Type", "value": "multipart/form-data; boundary=----AAA"}]);
    m["request"]["postData"] = json!({"mimeType": "multipart/form-data; boundary=----AAA",
        "text": "------AAA\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n------AAA--\r\n"});
    let s = snap(&[("s.har", har(vec![a, b, m]))], MockSettings::default());
    assert_eq!(&hit(ask(&s, "GET", "/d", &[], b"")).body[..], b"json");
    assert_eq!(
        &hit(ask(&s, "GET", "/d", &[("accept", "application/xml")], b"")).body[..],
        b"xml"
    );
    let body = b"--ZZZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--ZZZ--\r\n";
    // Each side's boundary is removed from its own body, leaving the `--` before it.
    let ct = [("content-type", "multipart/form-data; boundary=ZZZ")];
    assert_eq!(hit(ask(&s, "POST", "/up", &ct, body)).status, 201);
    let other = b"--ZZZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nw\r\n--ZZZ--\r\n";
    match ask(&s, "POST", "/up", &ct, other) {
        Lookup::Miss(n) => assert_eq!(n[0].reasons, vec!["body differs".to_string()]),
        Lookup::Hit(_) => panic!("a different part must miss"),
    }
}

#[test]
fn near_misses_say_why() {
    let s = snap(
        &[(
            "c.json",
            collection(vec![
                ex("E1", 200, "GET", "/get"),
                ex("E2", 404, "GET", "/test"),
                ex("E3", 200, "GET", "/get?id=5"),
                ex("P", 200, "POST", "/gets"),
            ]),
        )],
        MockSettings::default(),
    );
    match ask(&s, "GET", "/gets?id=1", &[], b"") {
        Lookup::Miss(n) => {
            assert_eq!(n[0].label, "P: POST /gets (c.json)");
            assert_eq!(n[0].reasons[0], "method: expects POST");
            assert!(n.iter().any(|m| {
                m.reasons
                    .contains(&"query id differs (expects '5')".to_string())
            }));
        }
        Lookup::Hit(r) => panic!("{r:?}"),
    }
}

#[test]
fn iso_timestamps() {
    assert_eq!(template::iso(0), "1970-01-01T00:00:00.000Z");
    assert_eq!(template::iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
}

#[test]
fn delays_from_settings_and_directives() {
    let c = collection(vec![ex("E1", 200, "GET", "/get")]);
    for (preset, ms) in [("2G", 300), ("3G", 100), ("25", 25)] {
        let settings = MockSettings {
            delay: Some(crate::settings::Delay::parse(preset).unwrap()),
            ..MockSettings::default()
        };
        let s = snap(&[("c.json", c.clone())], settings);
        assert_eq!(
            hit(ask(&s, "GET", "/get", &[], b"")).delay_ms,
            ms,
            "{preset}"
        );
        // The directive wins over the mock's delay.
        let r = hit(ask(&s, "GET", "/get", &[("prefer", "delay=7")], b""));
        assert_eq!(r.delay_ms, 7);
    }
    let h = har(vec![entry("GET", "http://h/a", 200, "x")]);
    let settings = MockSettings {
        delay: Some(crate::settings::Delay::parse("3G").unwrap()),
        ..MockSettings::default()
    };
    let s = snap(&[("s.har", h)], settings);
    assert_eq!(hit(ask(&s, "GET", "/a", &[], b"")).delay_ms, 100);
}

#[test]
fn why_names_the_source() {
    let s = snap(
        &[("dir/c.json", collection(vec![ex("E1", 200, "GET", "/get")]))],
        MockSettings::default(),
    );
    let r = hit(ask(&s, "GET", "/get", &[], b""));
    assert_eq!(r.why.source.as_deref(), Some("c.json"));
    assert_eq!(r.why.operation.as_deref(), Some("GET /get"));
    assert_eq!(r.why.example.as_deref(), Some("E1"));
}

proptest::proptest! {
    /// Any URL, path and template text: no panic, whatever the bytes.
    #[test]
    fn no_panics_on_odd_input(url in ".{0,40}", path in "/[^?#]{0,30}", text in ".{0,60}") {
        let c = collection(vec![ex("X", 200, "GET", &url)]);
        let s = snap(&[("c.json", c)], MockSettings::default());
        let _ = ask(&s, "GET", &path, &[], text.as_bytes());
        let h = har(vec![entry("GET", &format!("http://h{path}"), 302, &text)]);
        let s = snap(&[("s.har", h)], MockSettings::default());
        let _ = ask(&s, "GET", &path, &[], b"");
        let m = Method::GET;
        let headers = HeaderMap::new();
        let req = Request { method: &m, path: &path, query: Some(&text), headers: &headers, body: text.as_bytes(), now_unix_ms: 0, peer: None };
        let segs = vec![text.clone()];
        let _ = template::Context::new(&req, 1, &[], &segs).fill(&text);
    }
}
