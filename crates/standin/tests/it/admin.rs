//! The admin API at `/__admin`, through the real binary: every route with WireMock's
//! paths and JSON shapes, access, and `--admin off` / `--no-request-journal`.

use serde_json::{Value, json};

use crate::stubs_support::{serve_root, stub_root};
use crate::support::{Server, header, json};

const HELLO: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

/// A stub root: one stub file in `mappings/`, one file in `__files/`.
fn root() -> tempfile::TempDir {
    let hello = json!({
        "id": HELLO,
        "request": {"method": "GET", "url": "/hello"},
        "response": {"status": 200, "body": "hi"},
        "metadata": {"team": "a"}
    });
    let dir = stub_root(&[("hello.json", hello.to_string())]);
    std::fs::write(dir.path().join("__files/f.txt"), "file body").unwrap();
    dir
}

fn post(s: &Server, path: &str, body: Value) -> (u16, Value) {
    let resp = s.req("POST", path).body(body.to_string()).send().unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn status_of(s: &Server, method: &str, path: &str) -> u16 {
    s.req(method, path).send().unwrap().status().as_u16()
}

#[test]
fn health_version_root_and_unknown_routes() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    let (status, v) = json(s.get("/__admin/health").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(v["status"], "healthy");
    assert!(v["uptimeInSeconds"].is_u64());
    let (status, v) = json(s.get("/__admin/version").send().unwrap());
    assert_eq!(status, 200);
    assert!(v["version"].is_string());
    let resp = s.get("/__admin").send().unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    assert_eq!(header(&resp, "location").as_deref(), Some("/__admin/"));
    let (status, v) = json(s.get("/__admin/").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(v["mappings"][0]["id"], HELLO);
    let (status, v) = json(s.get("/__admin/no/such/route").send().unwrap());
    assert_eq!(status, 404);
    assert!(v.to_string().contains("/__admin/no/such/route"));
}

#[test]
fn mappings_crud_and_stubs_served_at_once() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    let (status, created) = post(
        &s,
        "/__admin/mappings",
        json!({"request": {"method": "GET", "urlPath": "/made"}, "response": {"status": 201, "body": "made"}, "clientField": 1}),
    );
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();
    let resp = s.get("/made").send().unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(
        header(&resp, "matched-stub-id").as_deref(),
        Some(id.as_str())
    );

    let (_, list) = json(s.get("/__admin/mappings?limit=1").send().unwrap());
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["mappings"].as_array().unwrap().len(), 1);
    assert_eq!(list["mappings"][0]["id"], json!(id));
    let (_, second) = json(s.get("/__admin/mappings?limit=1&offset=1").send().unwrap());
    assert_eq!(second["mappings"][0]["id"], HELLO);

    let (status, got) = json(s.get(&format!("/__admin/mappings/{id}")).send().unwrap());
    assert_eq!((status, got["id"].clone()), (200, json!(id)));
    let resp = s
        .req("PUT", &format!("/__admin/mappings/{id}"))
        .body(json!({"request": {"urlPath": "/made"}, "response": {"status": 202}}).to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(s.get("/made").send().unwrap().status().as_u16(), 202);
    assert_eq!(
        status_of(&s, "DELETE", &format!("/__admin/mappings/{id}")),
        200
    );
    assert_eq!(
        status_of(&s, "GET", &format!("/__admin/mappings/{id}")),
        404
    );
    assert_eq!(
        status_of(&s, "DELETE", &format!("/__admin/mappings/{id}")),
        404
    );

    let (status, err) = post(&s, "/__admin/mappings", json!({"priority": "high"}));
    assert_eq!(status, 422);
    assert_eq!(err["errors"][0]["code"], 10);
    assert_eq!(err["errors"][0]["source"]["pointer"], "/priority");
    let resp = s
        .req("POST", "/__admin/mappings")
        .body("{\"request\":")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    assert!(resp.text().unwrap().contains("line 1"));

    assert_eq!(status_of(&s, "DELETE", "/__admin/mappings"), 200);
    assert_eq!(s.get("/hello").send().unwrap().status().as_u16(), 404);
    assert_eq!(status_of(&s, "POST", "/__admin/mappings/reset"), 200);
    assert_eq!(s.get("/hello").send().unwrap().status().as_u16(), 200);
}

#[test]
fn mappings_import_save_remove_metadata_unmatched() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    let (status, _) = post(
        &s,
        "/__admin/mappings/import",
        json!({"mappings": [
            {"request": {"method": "GET", "url": "/one"}, "response": {"body": "1"}},
            {"request": {"method": "GET", "url": "/two"}, "response": {"body": "2"}, "metadata": {"team": "b"}}
        ], "importOptions": {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": false}}),
    );
    assert_eq!(status, 200);
    assert_eq!(s.get("/one").send().unwrap().text().unwrap(), "1");

    let (status, found) = post(
        &s,
        "/__admin/mappings/find-by-metadata",
        json!({"matchesJsonPath": {"expression": "$.team", "equalTo": "b"}}),
    );
    assert_eq!(status, 200);
    assert_eq!(found["mappings"].as_array().unwrap().len(), 1);
    assert_eq!(found["mappings"][0]["request"]["url"], "/two");

    let (status, unmatched) = json(s.get("/__admin/mappings/unmatched").send().unwrap());
    assert_eq!(status, 200);
    let urls: Vec<&str> = unmatched["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["request"]["url"].as_str())
        .collect();
    assert!(urls.contains(&"/two") && urls.contains(&"/hello") && !urls.contains(&"/one"));

    let (status, _) = post(
        &s,
        "/__admin/mappings/remove-by-metadata",
        json!({"matchesJsonPath": "$.team"}),
    );
    assert_eq!(status, 200);
    assert_eq!(s.get("/two").send().unwrap().status().as_u16(), 404);
    assert_eq!(s.get("/hello").send().unwrap().status().as_u16(), 404);

    let (status, _) = post(
        &s,
        "/__admin/mappings/remove",
        json!({"request": {"method": "GET", "url": "/one"}}),
    );
    assert_eq!(status, 200);
    assert_eq!(s.get("/one").send().unwrap().status().as_u16(), 404);

    post(
        &s,
        "/__admin/mappings",
        json!({"request": {"method": "GET", "url": "/kept"}, "response": {"body": "k"}}),
    );
    assert_eq!(status_of(&s, "POST", "/__admin/mappings/save"), 200);
    let saved: Vec<String> = std::fs::read_dir(dir.path().join("mappings"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("get-kept-"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(status_of(&s, "POST", "/__admin/reset"), 200);
    assert_eq!(s.get("/kept").send().unwrap().text().unwrap(), "k");

    s.get("/kept").send().unwrap();
    assert_eq!(status_of(&s, "DELETE", "/__admin/mappings/unmatched"), 200);
    assert_eq!(s.get("/hello").send().unwrap().status().as_u16(), 404);
    assert_eq!(s.get("/kept").send().unwrap().status().as_u16(), 200);
}

#[test]
fn the_journal_lists_counts_finds_and_removes() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    s.get("/hello?x=1").send().unwrap();
    s.get("/hello").header("X-Trace", "t1").send().unwrap();
    s.req("POST", "/nothing").body("payload").send().unwrap();
    s.get("/__admin/health").send().unwrap();

    let (status, v) = json(s.get("/__admin/requests").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        v["meta"]["total"], 3,
        "admin requests are not journalled: {v}"
    );
    assert_eq!(v["requestJournalDisabled"], false);
    let newest = &v["requests"][0];
    assert_eq!(newest["request"]["url"], "/nothing");
    assert_eq!(newest["request"]["body"], "payload");
    assert_eq!(newest["wasMatched"], false);
    let hit = &v["requests"][1];
    assert_eq!(hit["wasMatched"], true);
    assert_eq!(hit["stubMapping"]["id"], HELLO);
    assert_eq!(hit["request"]["headers"]["x-trace"], "t1");
    assert_eq!(hit["why"]["answerer"], "stub");
    assert_eq!(hit["response"]["status"], 200);
    assert_eq!(hit["request"]["clientIp"], "127.0.0.1");
    let id = hit["id"].as_str().unwrap().to_string();

    let (status, one) = json(s.get(&format!("/__admin/requests/{id}")).send().unwrap());
    assert_eq!((status, one["id"].clone()), (200, json!(id)));
    let (_, page) = json(s.get("/__admin/requests?limit=1").send().unwrap());
    assert_eq!(page["requests"].as_array().unwrap().len(), 1);

    let (status, count) = post(
        &s,
        "/__admin/requests/count",
        json!({"method": "GET", "urlPath": "/hello"}),
    );
    assert_eq!(status, 200);
    assert_eq!(count, json!({"count": 2, "requestJournalDisabled": false}));
    let (_, found) = post(
        &s,
        "/__admin/requests/find",
        json!({"method": "GET", "headers": {"X-Trace": {"equalTo": "t1"}}}),
    );
    assert_eq!(found["requests"].as_array().unwrap().len(), 1);
    assert_eq!(found["requests"][0]["url"], "/hello");
    let (_, unmatched) = json(s.get("/__admin/requests/unmatched").send().unwrap());
    assert_eq!(unmatched["requests"][0]["url"], "/nothing");

    let (_, removed) = post(&s, "/__admin/requests/remove", json!({"url": "/hello?x=1"}));
    assert_eq!(removed["serveEvents"].as_array().unwrap().len(), 1);
    let (_, removed) = post(
        &s,
        "/__admin/requests/remove-by-metadata",
        json!({"matchesJsonPath": "$.team"}),
    );
    assert_eq!(removed["serveEvents"].as_array().unwrap().len(), 1);
    assert_eq!(
        status_of(&s, "DELETE", &format!("/__admin/requests/{id}")),
        200
    );
    let (_, v) = json(s.get("/__admin/requests").send().unwrap());
    assert_eq!(v["meta"]["total"], 1);
    assert_eq!(status_of(&s, "POST", "/__admin/requests/reset"), 200);
    s.get("/hello").send().unwrap();
    assert_eq!(status_of(&s, "DELETE", "/__admin/requests"), 200);
    let (_, v) = json(s.get("/__admin/requests").send().unwrap());
    assert_eq!(v["meta"]["total"], 0);
}

#[test]
fn near_misses() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    s.get("/helo").send().unwrap();
    let (status, v) = json(
        s.get("/__admin/requests/unmatched/near-misses")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert_eq!(v["nearMisses"][0]["request"]["url"], "/helo");
    assert_eq!(v["nearMisses"][0]["stubMapping"]["id"], HELLO);
    assert!(
        v["nearMisses"][0]["matchResult"]["distance"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let (status, v) = post(
        &s,
        "/__admin/near-misses/request",
        json!({"url": "/hellp", "method": "GET"}),
    );
    assert_eq!(status, 200);
    assert_eq!(v["nearMisses"][0]["stubMapping"]["id"], HELLO);
    let (status, v) = post(
        &s,
        "/__admin/near-misses/request-pattern",
        json!({"url": "/hell", "method": "GET"}),
    );
    assert_eq!(status, 200);
    assert_eq!(v["nearMisses"][0]["request"]["url"], "/helo");
    assert_eq!(v["nearMisses"][0]["requestPattern"]["url"], "/hell");
}

#[test]
fn scenarios_list_move_and_reset() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    for (required, next, body) in [
        ("Started", "Second", "first"),
        ("Second", "Second", "second"),
    ] {
        post(
            &s,
            "/__admin/mappings",
            json!({"scenarioName": "Flow", "requiredScenarioState": required, "newScenarioState": next,
                   "request": {"method": "GET", "url": "/flow"}, "response": {"body": body}}),
        );
    }
    let (status, v) = json(s.get("/__admin/scenarios").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(v["scenarios"][0]["name"], "Flow");
    assert_eq!(v["scenarios"][0]["state"], "Started");
    assert_eq!(s.get("/flow").send().unwrap().text().unwrap(), "first");
    assert_eq!(s.get("/flow").send().unwrap().text().unwrap(), "second");
    assert_eq!(status_of(&s, "POST", "/__admin/scenarios/reset"), 200);
    assert_eq!(s.get("/flow").send().unwrap().text().unwrap(), "first");
    let resp = s
        .req("PUT", "/__admin/scenarios/Flow/state")
        .body(r#"{"state":"Started"}"#)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(s.get("/flow").send().unwrap().text().unwrap(), "first");
    let resp = s
        .req("PUT", "/__admin/scenarios/Nope/state")
        .body(r#"{"state":"x"}"#)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[test]
fn files_and_settings() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    let (status, v) = json(s.get("/__admin/files").send().unwrap());
    assert_eq!((status, v), (200, json!(["f.txt"])));
    assert_eq!(
        s.get("/__admin/files/f.txt")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "file body"
    );
    let resp = s
        .req("PUT", "/__admin/files/d/new.txt")
        .body("new")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("__files/d/new.txt")).unwrap(),
        "new"
    );
    assert_eq!(status_of(&s, "DELETE", "/__admin/files/d/new.txt"), 200);
    assert_eq!(status_of(&s, "GET", "/__admin/files/d/new.txt"), 404);
    assert_eq!(
        status_of(&s, "GET", "/__admin/files/..%2F..%2Fetc%2Fpasswd"),
        400
    );

    let (status, _) = post(&s, "/__admin/settings", json!({"fixedDelay": 300}));
    assert_eq!(status, 200);
    let (_, v) = json(s.get("/__admin/settings").send().unwrap());
    assert_eq!(v["settings"]["fixedDelay"], 300);
    let started = std::time::Instant::now();
    assert_eq!(s.get("/hello").send().unwrap().status().as_u16(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(290));
    let resp = s
        .req("PATCH", "/__admin/settings/extended")
        .body(r#"{"extended":{"k":"v"}}"#)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (_, v) = json(s.get("/__admin/settings").send().unwrap());
    assert_eq!(v["settings"]["extended"]["k"], "v");
}

#[test]
fn shutdown_stops_the_server() {
    let dir = root();
    let s = serve_root(&dir, &[]);
    assert_eq!(status_of(&s, "POST", "/__admin/shutdown"), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if s.get("/__admin/health").send().is_err() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("still answering after /__admin/shutdown");
}

#[test]
fn admin_off_makes_admin_paths_ordinary_requests() {
    let dir = root();
    let s = serve_root(&dir, &["--admin", "off"]);
    let resp = s.get("/__admin/health").send().unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(!resp.text().unwrap().contains("healthy"));
}

#[test]
fn a_disabled_journal_says_so() {
    let dir = root();
    let s = serve_root(&dir, &["--no-request-journal"]);
    s.get("/hello").send().unwrap();
    let (_, v) = post(&s, "/__admin/requests/count", json!({}));
    assert_eq!(v["requestJournalDisabled"], true);
    let (_, v) = json(s.get("/__admin/requests").send().unwrap());
    assert_eq!(v["requestJournalDisabled"], true);
    assert_eq!(v["meta"]["total"], 0);
}
