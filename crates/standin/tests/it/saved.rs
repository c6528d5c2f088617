//! Saved examples through the real binary: Postman collections (matching ladder,
//! query score, headers and bodies on demand, directives, variables, dynamic values,
//! private mocks), HAR replay (Playwright's rules, a real Chromium recording and
//! hand-made edge cases), OpenAPI and a collection in one mock, and miss reports.

use serde_json::{Value, json};

use crate::support::{Server, fixture, header, json, run};

fn saved(name: &str) -> String {
    fixture(&format!("saved/{name}"))
}

/// `{"example": ...}` of a JSON answer, with its status.
fn example_of(s: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut r = s.req(method, path);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    json(r.send().unwrap())
}

// ---------------------------------------------------------------- Postman

#[test]
fn the_product_table_e1_to_e3() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    assert_eq!(
        example_of(&s, "GET", "/get?id=5", &[]),
        (200, json!({"example": "E3"}))
    );
    assert_eq!(
        example_of(&s, "GET", "/get?id=1", &[]),
        (200, json!({"example": "E1"}))
    );
    assert_eq!(
        example_of(&s, "GET", "/get", &[]),
        (200, json!({"example": "E1"}))
    );
    assert_eq!(
        example_of(&s, "GET", "/test", &[]),
        (404, json!({"example": "E2"}))
    );
    let resp = s.get("/get").send().unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
}

#[test]
fn url_ladder_trailing_slash_case_variables_and_ids() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    // Trailing slash, then case.
    assert_eq!(
        example_of(&s, "GET", "/get/", &[]).1,
        json!({"example": "E1"})
    );
    assert_eq!(
        example_of(&s, "GET", "/GET", &[]).1,
        json!({"example": "E1"})
    );
    assert_eq!(
        example_of(&s, "GET", "/Test/", &[]),
        (404, json!({"example": "E2"}))
    );
    // An exact path beats a `:id` variable; the variable takes any one segment.
    assert_eq!(
        example_of(&s, "GET", "/users/me", &[]).1,
        json!({"me": true})
    );
    assert_eq!(example_of(&s, "GET", "/users/7", &[]).1["id"], "7");
    // An unresolved {{orgId}} is a one-segment wildcard, reusable in the body.
    assert_eq!(
        example_of(&s, "GET", "/orgs/acme/members", &[]).1,
        json!({"org": "acme", "members": []})
    );
    assert_eq!(s.get("/orgs/acme/x/members").send().unwrap().status(), 404);
    // Alphanumeric ids on both sides.
    assert_eq!(
        example_of(&s, "GET", "/orders/ord-2002", &[]).1,
        json!({"order": "ord-1001"})
    );
    assert_eq!(s.get("/orders/new").send().unwrap().status(), 404);
}

#[test]
fn dynamic_variables_are_filled_per_request() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let first = s.get("/users/7").send().unwrap();
    let request_id = header(&first, "x-request-id").unwrap();
    let (status, a) = json(first);
    assert_eq!(status, 200);
    let (_, b) = json(s.get("/users/7").send().unwrap());
    let is_uuid = |v: &Value| {
        let t = v.as_str().unwrap_or_default();
        t.len() == 36 && t.chars().filter(|c| *c == '-').count() == 4 && &t[14..15] == "4"
    };
    assert!(is_uuid(&a["uuid"]) && is_uuid(&a["guid"]), "{a}");
    assert!(is_uuid(&Value::String(request_id)));
    assert_ne!(a["uuid"], b["uuid"], "a new value per request");
    assert!(a["n"].as_u64().unwrap() <= 1000);
    assert!(a["flag"].is_boolean());
    assert!(a["at"].as_u64().unwrap() > 1_600_000_000, "{a}");
    let iso = a["iso"].as_str().unwrap();
    assert!(
        iso.len() == 24 && iso.ends_with('Z') && &iso[10..11] == "T",
        "{iso}"
    );
    assert!(a["email"].as_str().unwrap().contains('@'));
    let name = a["name"].as_str().unwrap();
    assert!(name.contains(' ') && !name.contains("{{"), "{name}");
    for k in ["first", "last", "city"] {
        assert!(!a[k].as_str().unwrap().is_empty() && !a[k].as_str().unwrap().contains('{'));
    }
    // A collection variable, substituted at load.
    assert_eq!(a["who"], "collection");
}

#[test]
fn environment_file_overrides_collection_variables() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    // Without the environment, {{apiVersion}} is a wildcard.
    let resp = s.get("/v9/status").send().unwrap();
    assert_eq!(
        header(&resp, "x-env").as_deref(),
        Some("collection-default")
    );
    assert_eq!(json(resp).1["version"], "v9");

    let s = Server::start(&[
        &saved("collection.json"),
        "--env",
        &saved("environment.json"),
        "--quiet",
    ]);
    let resp = s.get("/v2/status").send().unwrap();
    assert_eq!(header(&resp, "x-env").as_deref(), Some("staging"));
    assert_eq!(json(resp).1, json!({"env": "staging", "version": "v2"}));
    // `v9` would still match `v2` as an alphanumeric id (Postman's ladder); a word does not.
    assert_eq!(s.get("/latest/status").send().unwrap().status(), 404);
    // A disabled environment value does not override.
    assert_eq!(
        json(s.get("/users/7").send().unwrap()).1["who"],
        "collection"
    );
}

#[test]
fn headers_are_compared_only_when_asked() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let fr = [("accept-language", "fr")];
    let greet = |h: &[(&str, &str)]| example_of(&s, "POST", "/greet", h).1["greeting"].clone();
    // Not asked: both examples tie, and the first by id answers.
    assert_eq!(greet(&fr), "hello");
    assert_eq!(
        greet(&[
            ("accept-language", "fr"),
            ("x-mock-match-request-headers", "Accept-Language")
        ]),
        "bonjour"
    );
    let (status, problem) = example_of(
        &s,
        "POST",
        "/greet",
        &[
            ("accept-language", "de"),
            ("x-mock-match-request-headers", "accept-language"),
        ],
    );
    assert_eq!(status, 404);
    assert!(
        problem
            .to_string()
            .contains("header accept-language differs"),
        "{problem}"
    );

    // The same from the mock's config.
    let s = Server::start(&[
        &saved("collection.json"),
        "--match-headers",
        "accept-language",
        "--quiet",
    ]);
    assert_eq!(
        example_of(&s, "POST", "/greet", &fr).1["greeting"],
        "bonjour"
    );
}

#[test]
fn bodies_break_ties_and_are_compared_when_asked() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let post = |body: &str, h: &[(&str, &str)]| {
        let mut r = s.req("POST", "/greet").body(body.to_string());
        for (k, v) in h {
            r = r.header(*k, *v);
        }
        json(r.send().unwrap())
    };
    // An equal body scores higher even when bodies are not compared; JSON as JSON.
    assert_eq!(post(r#"{ "who":"grace" }"#, &[]).1["greeting"], "bonjour");
    assert_eq!(post(r#"{"who":"nobody"}"#, &[]).1["greeting"], "hello");
    let (status, problem) = post(
        r#"{"who":"nobody"}"#,
        &[("x-mock-match-request-body", "true")],
    );
    assert_eq!(status, 404);
    assert!(problem.to_string().contains("body differs"), "{problem}");

    let s = Server::start(&[&saved("collection.json"), "--match-body", "--quiet"]);
    let post = |body: &str, h: &[(&str, &str)]| {
        let mut r = s.req("POST", "/login").body(body.to_string());
        for (k, v) in h {
            r = r.header(*k, *v);
        }
        json(r.send().unwrap())
    };
    // A urlencoded body, its value from a collection variable; disabled fields ignored.
    assert_eq!(post("user=ada", &[]), (200, json!({"token": "t-ada"})));
    assert_eq!(post("user=bob", &[]).0, 404);
    // The request header overrides the config.
    assert_eq!(
        post("user=bob", &[("x-mock-match-request-body", "false")]).0,
        200
    );
}

#[test]
fn postman_directives_narrow_the_candidates() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let e3 = json!({"example": "E3"});
    assert_eq!(
        example_of(&s, "GET", "/get", &[("x-mock-response-name", "E3")]).1,
        e3
    );
    assert_eq!(
        example_of(&s, "GET", "/get", &[("x-mock-response-id", "e3")]).1,
        e3
    );
    assert_eq!(
        example_of(&s, "GET", "/users/7", &[("x-mock-response-code", "404")]),
        (404, json!({"error": "no such user"}))
    );
    let (status, problem) = example_of(&s, "GET", "/get", &[("x-mock-response-name", "E9")]);
    assert_eq!(status, 404);
    assert!(problem.to_string().contains("example name"), "{problem}");
    let (status, problem) = example_of(&s, "GET", "/get", &[("x-mock-response-code", "500")]);
    assert_eq!(status, 404);
    assert!(
        problem.to_string().contains("500 was asked for"),
        "{problem}"
    );
}

#[test]
fn standard_directives_apply_to_saved_examples() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let resp = s
        .get("/users/7")
        .header("prefer", "code=404")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("code=404")
    );
    assert_eq!(json(resp), (404, json!({"error": "no such user"})));
    let resp = s.get("/get").header("prefer", "example=E3").send().unwrap();
    assert_eq!(json(resp).1, json!({"example": "E3"}));
    let resp = s.get("/get?__code=404").send().unwrap();
    assert_eq!(resp.status(), 404);
    // A delay directive is honoured and acknowledged (its length is not timed here).
    let resp = s.get("/get").header("prefer", "delay=5").send().unwrap();
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("delay=5")
    );
    assert_eq!(resp.status(), 200);
}

#[test]
fn delay_presets_are_accepted_with_a_collection() {
    for preset in ["3G", "2G", "15"] {
        let s = Server::start(&[&saved("collection.json"), "--delay", preset, "--quiet"]);
        assert_eq!(
            example_of(&s, "GET", "/get?id=5", &[]).1,
            json!({"example": "E3"})
        );
    }
}

#[test]
fn a_private_mock_needs_its_key() {
    let s = Server::start(&[&saved("collection.json"), "--api-key", "s3cret", "--quiet"]);
    assert_eq!(s.get("/get").send().unwrap().status(), 401);
    assert_eq!(
        s.get("/get")
            .header("x-api-key", "nope")
            .send()
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        example_of(&s, "GET", "/get", &[("x-api-key", "s3cret")]),
        (200, json!({"example": "E1"}))
    );
}

#[test]
fn collection_v2_0_with_structured_urls() {
    let s = Server::start(&[&saved("collection-v20.json"), "--quiet"]);
    let resp = s.get("/ping/bob?loud=yes").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type").as_deref(), Some("text/plain"));
    assert_eq!(header(&resp, "x-version").as_deref(), Some("2.0"));
    assert_eq!(resp.text().unwrap(), "pong bob");
}

#[test]
fn check_reports_requests_without_examples() {
    let (code, out, _) = run(&["check", &saved("collection.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 request without a saved example"), "{out}");
    assert!(out.contains("No example"), "{out}");
}

#[test]
fn a_miss_lists_the_three_closest_and_why() {
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let resp = s.get("/gett?id=1").send().unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let (_, problem) = json(resp);
    let closest = problem["closest"].as_array().unwrap();
    assert_eq!(closest.len(), 3, "{problem}");
    assert!(
        closest
            .iter()
            .all(|c| c["candidate"].is_string() && c["missed_on"].is_array())
    );
    let text = problem.to_string();
    assert!(text.contains("path: expects /get"), "{text}");
    assert!(text.contains("query id differs (expects '5')"), "{text}");
    assert!(
        problem["detail"].as_str().unwrap().contains("Closest"),
        "{problem}"
    );

    let (status, problem) = json(s.req("DELETE", "/get").send().unwrap());
    assert_eq!(status, 404);
    assert!(
        problem.to_string().contains("method: expects GET"),
        "{problem}"
    );
}

// ---------------------------------------------------------------- together

#[test]
fn openapi_and_collection_in_one_mock() {
    let s = Server::start(&[&saved("openapi.yaml"), &saved("collection.json")]);
    // Both answer /get: the saved example wins, and the log line says so.
    assert_eq!(
        example_of(&s, "GET", "/get", &[]),
        (200, json!({"example": "E1"}))
    );
    let line = (0..20)
        .filter_map(|_| s.next_line(10))
        .find(|l| l.contains(" /get "))
        .expect("a log line for /get");
    assert!(
        line.contains("saved example chosen over the OpenAPI operation"),
        "{line}"
    );
    // The document answers the rest.
    assert_eq!(
        example_of(&s, "GET", "/pets/1", &[]),
        (200, json!({"id": 1, "name": "Rex"}))
    );
    // Nothing at all: saved near misses and the closest operations.
    let (status, problem) = json(s.get("/petz/1").send().unwrap());
    assert_eq!(status, 404);
    assert!(
        problem["closest"].is_array() && problem["closest_operations"].is_array(),
        "{problem}"
    );
}

#[test]
fn openapi_validation_still_applies_next_to_a_collection() {
    let s = Server::start(&[&saved("openapi.yaml"), &saved("collection.json"), "--quiet"]);
    // `id` is an integer in the document; no saved example claims /pets.
    assert_eq!(s.get("/pets/abc").send().unwrap().status(), 400);
    assert_eq!(s.get("/pets/1").send().unwrap().status(), 200);
}

// ---------------------------------------------------------------- HAR

#[test]
fn a_real_chromium_recording_replays() {
    let s = Server::start(&[&saved("session.har"), "--quiet"]);
    let page = s.get("/").send().unwrap();
    assert_eq!(
        header(&page, "content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text().unwrap().contains("<h1>Shop</h1>"));
    assert_eq!(
        json(s.get("/api/items").send().unwrap()),
        (
            200,
            json!([{"id": 1, "name": "kettle", "price": 25}, {"id": 2, "name": "teapot", "price": 40}])
        )
    );
    let (_, found) = json(s.get("/api/search?q=tea&page=1").send().unwrap());
    assert_eq!(found["q"], "tea");
    // Strict: the query as recorded, in its order.
    assert_eq!(
        s.get("/api/search?page=1&q=tea").send().unwrap().status(),
        404
    );
    // A binary body, base64 in the HAR.
    let logo = s.get("/logo.png").send().unwrap();
    assert_eq!(header(&logo, "content-type").as_deref(), Some("image/png"));
    assert!(header(&logo, "transfer-encoding").is_none());
    assert!(logo.bytes().unwrap().starts_with(b"\x89PNG"));
    // POST: the body byte for byte.
    let created = s
        .req("POST", "/api/items")
        .header("content-type", "application/json")
        .body(r#"{"name":"mug","price":8}"#)
        .send()
        .unwrap();
    assert_eq!(
        header(&created, "location").as_deref(),
        Some("/api/items/3")
    );
    assert_eq!(
        json(created),
        (201, json!({"id": 3, "name": "mug", "price": 8}))
    );
    let (status, problem) = json(
        s.req("POST", "/api/items")
            .header("content-type", "application/json")
            .body(r#"{"name": "mug", "price": 8}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
    assert!(problem.to_string().contains("body differs"), "{problem}");
    // Multipart from another client, with another boundary.
    let body = "--xyz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nreceipt\r\n--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\npaid\r\n--xyz--\r\n";
    let (status, stored) = json(
        s.req("POST", "/api/upload")
            .header("content-type", "multipart/form-data; boundary=xyz")
            .body(body)
            .send()
            .unwrap(),
    );
    assert_eq!((status, &stored["stored"]), (201, &json!(true)));
    // The recorded 301 is followed to the recorded target.
    let moved = s.get("/old-items").send().unwrap();
    assert_eq!(moved.status(), 200);
    assert_eq!(header(&moved, "x-moved").as_deref(), Some("yes"));
}

#[test]
fn har_edge_cases() {
    let s = Server::start(&[&saved("edge.har"), "--quiet"]);
    let gif = s.get("/files/pixel.gif").send().unwrap();
    assert_eq!(header(&gif, "content-type").as_deref(), Some("image/gif"));
    assert!(gif.bytes().unwrap().starts_with(b"GIF89a"));
    // A chain of redirects, relative then absolute, ends at the final answer.
    let end = s.get("/a").send().unwrap();
    assert_eq!(end.status(), 200);
    assert_eq!(end.text().unwrap(), "end of chain");
    // 303 turns the POST into a GET.
    assert_eq!(
        s.req("POST", "/form")
            .body("x")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "done via GET"
    );
    // Same URL twice: the most matching headers, then file order.
    let lang = |v: Option<&str>| {
        let mut r = s.get("/lang").header("accept", "text/plain");
        if let Some(v) = v {
            r = r.header("accept-language", v);
        }
        r.send().unwrap().text().unwrap()
    };
    assert_eq!(lang(Some("fr")), "french");
    assert_eq!(lang(Some("en")), "english");
    assert_eq!(lang(None), "english");
    // Multipart without boundaries: the field value decides.
    let upload = |v: &str| {
        let body = format!(
            "--b0\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n{v}\r\n--b0\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b0--\r\n"
        );
        s.req("POST", "/upload")
            .header("content-type", "multipart/form-data; boundary=b0")
            .body(body)
            .send()
            .unwrap()
    };
    assert_eq!(upload("2").text().unwrap(), "uploaded a=2");
    assert_eq!(upload("1").text().unwrap(), "uploaded a=1");
    assert_eq!(upload("3").status(), 404);
    // Strict: byte-equal JSON and the query in its order.
    let search = |b: &str| {
        s.req("POST", "/search")
            .body(b.to_string())
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(search(r#"{"q":"x","page":1}"#), 200);
    assert_eq!(search(r#"{"page":1,"q":"x"}"#), 404);
    assert_eq!(s.get("/list?a=1&b=2").send().unwrap().status(), 200);
    assert_eq!(s.get("/list?b=2&a=1").send().unwrap().status(), 404);
    // A cycle is reported, a redirect to somewhere not recorded is replayed as is.
    let (status, problem) = json(s.get("/loop1").send().unwrap());
    assert_eq!(status, 508);
    assert!(
        problem["detail"].as_str().unwrap().contains("/loop2"),
        "{problem}"
    );
    let gone = s.get("/gone").send().unwrap();
    assert_eq!(gone.status(), 301);
    assert_eq!(
        header(&gone, "location").as_deref(),
        Some("https://elsewhere.test/x")
    );
    // Hop-by-hop, length and encoding headers are not replayed; the rest is.
    let h = s.get("/headers").send().unwrap();
    assert!(header(&h, "content-encoding").is_none());
    assert!(header(&h, "transfer-encoding").is_none());
    assert_eq!(header(&h, "x-custom").as_deref(), Some("kept"));
    assert_eq!(header(&h, "set-cookie").as_deref(), Some("sid=1; Path=/"));
    assert_eq!(h.text().unwrap(), "plain");
    // An entry that never got an answer is not served.
    assert_eq!(s.get("/blocked").send().unwrap().status(), 404);
}

#[test]
fn har_lenient_matching() {
    let s = Server::start(&[&saved("edge.har"), "--har-match", "lenient", "--quiet"]);
    assert_eq!(
        s.get("/list?b=2&a=1").send().unwrap().text().unwrap(),
        "a then b"
    );
    let resp = s
        .req("POST", "/search")
        .body(r#"{ "page": 1, "q": "x" }"#)
        .send()
        .unwrap();
    assert_eq!(json(resp), (200, json!({"page": 1})));
    assert_eq!(
        s.req("POST", "/search")
            .body(r#"{"page":2,"q":"x"}"#)
            .send()
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn har_filter_by_host_and_url_glob() {
    let s = Server::start(&[&saved("hosts.har"), "--quiet"]);
    assert_eq!(s.get("/whoami").send().unwrap().text().unwrap(), "one");
    let warning: Vec<String> = (0..5)
        .filter_map(|_| {
            s.errors
                .recv_timeout(std::time::Duration::from_secs(2))
                .ok()
        })
        .collect();
    assert!(warning.iter().any(|l| l.contains("3 hosts")), "{warning:?}");

    for filter in ["api.two.test", "*.two.test"] {
        let s = Server::start(&[&saved("hosts.har"), "--har-filter", filter, "--quiet"]);
        assert_eq!(
            s.get("/whoami").send().unwrap().text().unwrap(),
            "two",
            "{filter}"
        );
        assert_eq!(s.get("/lib.js").send().unwrap().status(), 404);
    }
    let s = Server::start(&[
        &saved("hosts.har"),
        "--har-filter",
        "https://api.two.test/v2/*",
        "--har-filter",
        "cdn.test",
        "--quiet",
    ]);
    assert_eq!(s.get("/v2/only-two").send().unwrap().status(), 200);
    assert_eq!(s.get("/lib.js").send().unwrap().status(), 200);
    assert_eq!(s.get("/whoami").send().unwrap().status(), 404);
}

#[test]
fn a_har_miss_says_why() {
    let s = Server::start(&[&saved("edge.har"), "--quiet"]);
    let (status, problem) = json(s.get("/list?a=1&b=3").send().unwrap());
    assert_eq!(status, 404);
    assert_eq!(
        problem["closest"][0]["missed_on"],
        json!(["query differs (expects ?a=1&b=2)"])
    );
    let (_, problem) = json(s.req("DELETE", "/lang").send().unwrap());
    assert_eq!(
        problem["closest"][0]["missed_on"],
        json!(["method: expects GET"])
    );
}

#[test]
fn har_with_directives_and_a_private_key() {
    let s = Server::start(&[&saved("session.har"), "--api-key", "k", "--quiet"]);
    assert_eq!(s.get("/api/items/2").send().unwrap().status(), 401);
    let resp = s
        .get("/api/items/2")
        .header("x-api-key", "k")
        .header("prefer", "delay=1")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("delay=1")
    );
    assert_eq!(
        json(resp),
        (200, json!({"id": 2, "name": "teapot", "price": 40}))
    );
}

#[test]
fn har_forced_status_picks_among_entries() {
    let s = Server::start(&[&saved("session.har"), "--quiet"]);
    // The redirect itself, asked for by its status, is answered rather than followed.
    let resp = s
        .get("/old-items")
        .header("prefer", "code=301")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 301);
    assert_eq!(
        header(&resp, "location").as_deref(),
        Some("/api/items?moved=1")
    );
    let (status, problem) = json(
        s.get("/api/items/2")
            .header("prefer", "code=500")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
    assert!(
        problem.to_string().contains("500 was asked for"),
        "{problem}"
    );
}

#[test]
fn head_is_answered_by_a_saved_get() {
    let s = Server::start(&[&saved("collection.json")]);
    assert!(s.summary.contains("saved examples"), "{}", s.summary);
    let get = s.get("/get").send().unwrap();
    let length = header(&get, "content-length");
    let head = s.req("HEAD", "/get").send().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-length"), length);
    assert!(head.bytes().unwrap().is_empty());
    let line = (0..5)
        .filter_map(|_| s.next_line(5))
        .find(|l| l.contains("HEAD /get"))
        .unwrap();
    assert!(line.contains("source="), "{line}");
}
