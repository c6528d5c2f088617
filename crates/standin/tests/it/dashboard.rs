//! The dashboard and the admin routes it is built on: the page's files, the mock and
//! its endpoints, settings changed at runtime (applied to the next request, refused
//! values named with nothing changed), the journal as server-sent events, and the
//! admin API's access rules over all of them.

use std::io::{BufRead, BufReader};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::admin_access::own_address;
use crate::support::{Server, example, header, json};

fn petstore() -> Server {
    Server::start(&[&example("petstore.yaml")])
}

fn patch(s: &Server, body: Value) -> (u16, Value) {
    json(
        s.req("PATCH", "/__admin/mock/settings")
            .json(&body)
            .send()
            .unwrap(),
    )
}

/// The lines of the event stream, read on a thread of their own.
fn stream(s: &Server, last_event_id: Option<&str>) -> Receiver<String> {
    let mut r = s.get("/__admin/requests/stream?backlog=0");
    if let Some(id) = last_event_id {
        r = r.header("last-event-id", id);
    }
    let resp = reqwest::blocking::Client::builder()
        .timeout(None)
        .build()
        .unwrap()
        .execute(r.build().unwrap())
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("text/event-stream")
    );
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(resp).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The data of the next `request` event, waiting at most `within`.
fn next_request(rx: &Receiver<String>, within: Duration) -> Option<(u64, Value)> {
    let deadline = Instant::now() + within;
    let mut id = None;
    let mut is_request = false;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let line = rx.recv_timeout(left).ok()?;
        if let Some(v) = line.strip_prefix("id: ") {
            id = v.parse().ok();
        } else if line == "event: request" {
            is_request = true;
        } else if let Some(data) = line.strip_prefix("data: ")
            && is_request
        {
            return Some((id?, serde_json::from_str(data).unwrap()));
        } else if line.is_empty() {
            (id, is_request) = (None, false);
        }
    }
    None
}

#[test]
fn the_page_and_its_files_are_served_with_their_types() {
    let s = petstore();
    let r = s.get("/__admin/dashboard").send().unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        header(&r, "location").as_deref(),
        Some("/__admin/dashboard/")
    );
    for (path, ty) in [
        ("/__admin/dashboard/", "text/html; charset=utf-8"),
        ("/__admin/dashboard/app.css", "text/css; charset=utf-8"),
        (
            "/__admin/dashboard/app.js",
            "text/javascript; charset=utf-8",
        ),
        ("/__admin/dashboard/icon.svg", "image/svg+xml"),
    ] {
        let r = s.get(path).send().unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "content-type").as_deref(), Some(ty), "{path}");
        let csp = header(&r, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        let body = r.text().unwrap();
        // Offline: nothing is loaded from anywhere but the mock itself.
        for remote in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "//fonts.",
        ] {
            assert!(!body.contains(remote), "{path} loads {remote}…");
        }
    }
    let page = s.get("/__admin/dashboard/").send().unwrap().text().unwrap();
    assert!(page.contains("app.js") && page.contains("app.css"));
    assert_eq!(
        s.get("/__admin/dashboard/nope.js").send().unwrap().status(),
        404
    );
    // The page is the admin API's, not the mock's: it is not journalled.
    let (_, v) = json(s.get("/__admin/requests").send().unwrap());
    assert_eq!(v["meta"]["total"], 0, "{v}");
}

#[test]
fn the_mock_and_its_endpoints_are_described() {
    let s = Server::start(&[
        &example("petstore.yaml"),
        &crate::support::fixture("broken.yaml"),
    ]);
    let (status, v) = json(s.get("/__admin/mock").send().unwrap());
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["url"], s.url);
    let sources = v["sources"].as_array().unwrap();
    let pet = sources
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("petstore.yaml"))
        .unwrap();
    assert_eq!(
        (pet["kind"].as_str(), pet["operations"].as_u64()),
        (Some("openapi"), Some(5))
    );
    let broken = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"].as_str().unwrap().ends_with("broken.yaml"))
        .unwrap_or_else(|| panic!("no diagnostic of broken.yaml: {v}"));
    assert_eq!(broken["severity"], "error");
    assert!(broken["line"].as_u64().is_some(), "{broken}");
    assert_eq!(v["mocks"][0]["url"], s.url);

    let (status, v) = json(s.get("/__admin/mock/endpoints").send().unwrap());
    assert_eq!(status, 200);
    let ops = v["operations"].as_array().unwrap();
    let get_pet = ops.iter().find(|o| o["operationId"] == "getPet").unwrap();
    assert_eq!(get_pet["method"], "GET");
    assert_eq!(get_pet["path"], "/v1/pets/{petId}");
    let statuses: Vec<&str> = get_pet["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["200", "404"]);
    let list = ops.iter().find(|o| o["operationId"] == "listPets").unwrap();
    assert!(
        list["responses"][0]["media"][0]["examples"]
            .as_array()
            .unwrap()
            .contains(&json!("two")),
        "{list}"
    );
}

#[test]
fn a_delay_and_privacy_set_at_runtime_apply_to_the_next_request() {
    let s = petstore();
    let started = Instant::now();
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    assert!(started.elapsed() < Duration::from_millis(300));

    let (status, v) = patch(&s, json!({"delay": "2G", "name": "shop"}));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["delay"].as_str(), v["name"].as_str()),
        (Some("300"), Some("shop"))
    );
    let started = Instant::now();
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    let (_, info) = json(s.get("/__admin/mock").send().unwrap());
    assert_eq!(info["name"], "shop");

    let (status, _) = patch(
        &s,
        json!({"delay": null, "private": true, "apiKey": "k-123"}),
    );
    assert_eq!(status, 200);
    let (status, body) = json(s.get("/v1/pets").send().unwrap());
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        s.get("/v1/pets")
            .header("x-api-key", "k-123")
            .send()
            .unwrap()
            .status(),
        200
    );
    let (status, v) = patch(&s, json!({"private": false}));
    assert_eq!((status, &v["apiKey"]), (200, &Value::Null));
    let started = Instant::now();
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    assert!(started.elapsed() < Duration::from_millis(300));

    // Validation and example choice.
    let (status, _) = patch(&s, json!({"validation": "off", "examples": "sequential"}));
    assert_eq!(status, 200);
    let (_, v) = json(s.get("/__admin/mock/settings").send().unwrap());
    assert_eq!(
        (v["validation"].as_str(), v["examples"].as_str()),
        (Some("off"), Some("sequential"))
    );
}

#[test]
fn refused_settings_are_named_and_change_nothing() {
    let s = petstore();
    let (_, before) = json(s.get("/__admin/mock/settings").send().unwrap());
    let (status, v) = patch(
        &s,
        json!({
            "name": "renamed",
            "delay": -5,
            "private": true,
            "apiKey": "",
            "matching": {"headers": ["not a header"]},
            "environment": {"file": "/no/such/env.json", "variables": {"a": [1]}},
            "validation": "strict",
        }),
    );
    assert_eq!(status, 422, "{v}");
    let errors = v["errors"].as_array().unwrap();
    let at = |p: &str| {
        errors
            .iter()
            .find(|e| e["source"]["pointer"] == p)
            .unwrap_or_else(|| panic!("no error at {p}: {v}"))["detail"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(at("/delay").contains("negative"));
    assert!(at("/apiKey").contains("cannot be empty"));
    assert!(at("/matching/headers/0").contains("not a header name"));
    assert!(at("/environment/file").contains("/no/such/env.json"));
    assert!(at("/environment/variables/a").contains("must be a string"));
    assert!(at("/validation").contains("enforce, warn or off"));
    let (_, after) = json(s.get("/__admin/mock/settings").send().unwrap());
    assert_eq!(before, after, "a refused change left a trace");
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);

    let (status, v) = json(
        s.req("PATCH", "/__admin/mock/settings")
            .body("{\"delay\": ")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 422);
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
    let (status, _) = patch(&s, json!({"delay": "300-100"}));
    assert_eq!(status, 422);
}

#[test]
fn the_stream_delivers_each_request_with_why_and_resumes_after_the_last_id() {
    let s = petstore();
    let rx = stream(&s, None);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        "retry: 1000"
    );
    let (_, info) = json(s.get("/__admin/mock").send().unwrap());
    assert_eq!(info["streams"], 1, "{info}");
    let sent = Instant::now();
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    let (first, e) = next_request(&rx, Duration::from_secs(2)).expect("an event for GET /v1/pets");
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(e["request"]["url"], "/v1/pets");
    assert_eq!(e["response"]["status"], 200);
    assert_eq!(e["why"]["answerer"], "openapi");
    assert_eq!(e["why"]["operation"], "listPets");

    assert_eq!(s.get("/v1/petz").send().unwrap().status(), 404);
    let (second, miss) = next_request(&rx, Duration::from_secs(2)).expect("an event for the miss");
    assert!(second > first);
    assert_eq!(miss["wasMatched"], false);
    let near = miss["why"]["nearMisses"].as_array().unwrap();
    assert!(near.iter().any(|n| n["label"] == "GET /v1/pets"), "{miss}");

    // A client reconnecting after the first event gets the second again.
    let again = stream(&s, Some(&first.to_string()));
    let (id, e) = next_request(&again, Duration::from_secs(2)).expect("the missed event");
    assert_eq!(
        (id, e["request"]["url"].as_str()),
        (second, Some("/v1/petz"))
    );

    let (status, v) = json(s.get("/__admin/requests/stream?backlog=x").send().unwrap());
    assert_eq!(status, 400, "{v}");
}

#[test]
fn the_dashboard_and_its_routes_keep_the_admin_api_s_access_rules() {
    let ip = own_address().to_string();
    let s = Server::start(&[
        &example("petstore.yaml"),
        "--host",
        &ip,
        "--admin-token",
        "s3cret",
        "--quiet",
    ]);
    for path in [
        "/__admin/dashboard/",
        "/__admin/dashboard/app.js",
        "/__admin/mock",
        "/__admin/mock/settings",
        "/__admin/requests/stream",
    ] {
        assert_eq!(s.get(path).send().unwrap().status(), 403, "{path}");
        assert_eq!(
            s.get(path).bearer_auth("wrong").send().unwrap().status(),
            403,
            "{path}"
        );
    }
    assert_eq!(
        s.req("PATCH", "/__admin/mock/settings")
            .json(&json!({"delay": 100}))
            .send()
            .unwrap()
            .status(),
        403
    );
    let r = s
        .get("/__admin/dashboard/")
        .bearer_auth("s3cret")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, v) = json(
        s.get("/__admin/mock/settings")
            .bearer_auth("s3cret")
            .send()
            .unwrap(),
    );
    assert_eq!((status, &v["delay"]), (200, &Value::Null));
}

#[test]
fn environment_variables_and_file_set_at_runtime_fill_the_collection() {
    let saved = |f: &str| crate::support::fixture(&format!("saved/{f}"));
    let s = Server::start(&[&saved("collection.json"), "--quiet"]);
    let env = |s: &Server| header(&s.get("/v9/status").send().unwrap(), "x-env");
    assert_eq!(env(&s).as_deref(), Some("collection-default"));
    let (status, v) = patch(
        &s,
        json!({"environment": {"file": saved("environment.json")}}),
    );
    assert_eq!(status, 200, "{v}");
    let resp = s.get("/v2/status").send().unwrap();
    assert_eq!(header(&resp, "x-env").as_deref(), Some("staging"));
    // A variable set directly wins over the file's.
    let (status, v) = patch(
        &s,
        json!({"environment": {"variables": {"envName": "from-the-dashboard"}}}),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["environment"]["variables"]["envName"],
        "from-the-dashboard"
    );
    let resp = s.get("/v2/status").send().unwrap();
    assert_eq!(
        header(&resp, "x-env").as_deref(),
        Some("from-the-dashboard")
    );
    // A file that is not an environment is refused with the loader's reason.
    let (status, v) = patch(&s, json!({"environment": {"file": saved("edge.har")}}));
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["errors"][0]["source"]["pointer"], "/environment/file");
    assert!(
        v["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("not a Postman environment"),
        "{v}"
    );
    let resp = s.get("/v2/status").send().unwrap();
    assert_eq!(
        header(&resp, "x-env").as_deref(),
        Some("from-the-dashboard")
    );
}

#[test]
fn the_log_line_carries_the_new_name() {
    let s = petstore();
    let (status, _) = patch(&s, json!({"name": "storefront"}));
    assert_eq!(status, 200);
    s.get("/v1/pets").send().unwrap();
    let line = (0..20)
        .filter_map(|_| s.next_line(5))
        .find(|l| l.contains("/v1/pets"))
        .expect("a log line for GET /v1/pets");
    assert!(line.contains("storefront"), "{line}");
}

#[test]
fn the_mock_s_delay_holds_stub_answers_too() {
    let stubs: std::path::PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "tests",
        "dashboard",
        "stubs",
    ]
    .iter()
    .collect();
    let s = Server::start(&[&stubs.display().to_string(), "--quiet"]);
    let (status, v) = patch(&s, json!({"delay": 250}));
    assert_eq!(status, 200, "{v}");
    let started = Instant::now();
    let (status, body) = json(s.get("/greeting").send().unwrap());
    assert_eq!((status, &body["text"]), (200, &json!("Welcome")));
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn each_mock_of_a_process_lists_the_others_with_their_names_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(
        &cfg,
        format!(
            "port: 0\nquiet: true\nmocks:\n  - name: pets\n    sources: [{0}]\n  - name: more-pets\n    sources: [{0}]\n",
            example("petstore.yaml"),
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", cfg.to_str().unwrap()]);
    let other = (0..5)
        .filter_map(|_| s.next_line(10))
        .find(|l| l.starts_with("http://"))
        .expect("the second mock's URL");
    let (status, _) = json(
        reqwest::blocking::Client::new()
            .patch(format!("{other}/__admin/mock/settings"))
            .json(&json!({"name": "renamed"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let (_, v) = json(s.get("/__admin/mock").send().unwrap());
    assert_eq!(v["name"], "pets");
    let mocks = v["mocks"].as_array().unwrap();
    assert_eq!(mocks.len(), 2, "{v}");
    assert_eq!(
        (mocks[0]["name"].as_str(), mocks[0]["url"].as_str()),
        (Some("pets"), Some(s.url.as_str()))
    );
    assert_eq!(
        (mocks[1]["name"].as_str(), mocks[1]["url"].as_str()),
        (Some("renamed"), Some(other.as_str()))
    );
}

#[test]
fn an_open_stream_does_not_hold_the_shutdown_up() {
    let mut s = Server::start(&[
        &example("petstore.yaml"),
        "--quiet",
        "--shutdown-grace",
        "20s",
    ]);
    let rx = stream(&s, None);
    s.get("/pets").send().unwrap();
    assert!(next_request(&rx, Duration::from_secs(2)).is_some());
    let signalled = Instant::now();
    s.signal("TERM");
    assert_eq!(s.wait_exit(10), Some(0));
    let took = signalled.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    // The stream ended with the server.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            _ if Instant::now() > deadline => panic!("the stream is still open"),
            _ => {}
        }
    }
}

#[test]
fn a_browser_elsewhere_signs_in_once_with_the_token_in_the_address() {
    let ip = own_address().to_string();
    let s = Server::start(&[
        &example("petstore.yaml"),
        "--host",
        &ip,
        "--admin-token",
        "s3 cr;et",
        "--quiet",
    ]);
    let browser = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str, cookie: Option<&str>| {
        let mut r = browser.get(format!("{}{path}", s.url));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        r.send().unwrap()
    };
    let (status, v) = json(get("/__admin/dashboard/", None));
    assert_eq!(status, 403);
    assert!(v.to_string().contains("?token=TOKEN"), "{v}");
    assert_eq!(get("/__admin/dashboard/?token=wrong", None).status(), 403);
    let signed = get("/__admin/dashboard/?token=s3%20cr%3Bet", None);
    assert_eq!(signed.status(), 303);
    assert_eq!(
        header(&signed, "location").as_deref(),
        Some("/__admin/dashboard/")
    );
    let set = header(&signed, "set-cookie").expect("a cookie");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(set.contains("Path=/__admin"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();
    assert_eq!(cookie, "standin-admin-token=s3%20cr%3Bet");
    // The page, the API and the stream take the cookie; another value is refused.
    assert_eq!(get("/__admin/dashboard/", Some(&cookie)).status(), 200);
    let (status, v) = json(get("/__admin/mock", Some(&cookie)));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        get("/__admin/mock", Some("standin-admin-token=s3cret")).status(),
        403
    );
    let with_other = format!("theme=dark; {cookie}");
    let stream = get("/__admin/requests/stream?backlog=0", Some(&with_other));
    assert_eq!(stream.status(), 200);
    drop(stream);
}
