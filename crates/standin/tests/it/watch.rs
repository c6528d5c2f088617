//! Hot reload: a change is served without a restart; a broken edit keeps the last good
//! version.

use std::time::{Duration, Instant};

use crate::support::{Server, json};

fn spec(message: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: w, version: '1'}}\npaths:\n  /hello:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {{message: {message}}}\n"
    )
}

fn wait_for(s: &Server, want: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let (_, body) = json(s.get("/hello").send().unwrap());
        if body["message"] == want {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn edits_are_served_and_broken_edits_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, spec("first")).unwrap();
    let s = Server::start(&[path.to_str().unwrap(), "--watch", "--quiet"]);
    assert!(wait_for(&s, "first"));
    std::fs::write(&path, spec("second")).unwrap();
    assert!(wait_for(&s, "second"), "the edit is served");
    std::fs::write(&path, "openapi: 3.0.3\npaths: [unclosed\n").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut rejected = String::new();
    while Instant::now() < deadline {
        if let Ok(line) = s.errors.recv_timeout(Duration::from_millis(200))
            && line.contains("rejected")
        {
            rejected = line;
            break;
        }
    }
    assert!(
        rejected.contains("still serving the last good version"),
        "{rejected}"
    );
    let (_, body) = json(s.get("/hello").send().unwrap());
    assert_eq!(body["message"], "second");
    std::fs::write(&path, spec("third")).unwrap();
    assert!(wait_for(&s, "third"), "a fixed edit is served again");
}

#[test]
fn reloads_do_not_drop_requests_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, spec("v0")).unwrap();
    let s = Server::start(&[path.to_str().unwrap(), "--watch", "--quiet"]);
    let url = format!("{}/hello", s.url);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..2)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut statuses = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    statuses.push(
                        client
                            .get(&url)
                            .send()
                            .map(|r| r.status().as_u16())
                            .unwrap_or(0),
                    );
                }
                statuses
            })
        })
        .collect();
    for i in 1..=5 {
        std::fs::write(&path, spec(&format!("v{i}"))).unwrap();
        assert!(wait_for(&s, &format!("v{i}")), "version {i} is served");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        let statuses = c.join().unwrap();
        assert!(!statuses.is_empty());
        assert!(
            statuses.iter().all(|s| *s == 200),
            "every request answered 200: {statuses:?}"
        );
    }
}

#[test]
fn a_reload_never_serves_bodies_generated_for_the_old_version() {
    let schema = |prop: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: w, version: '1'}}\npaths:\n  /thing:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, required: [{prop}], properties: {{{prop}: {{type: string}}}}}}\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, schema("before")).unwrap();
    let s = Server::start(&[path.to_str().unwrap(), "--watch", "--quiet"]);
    let (_, first) = json(s.get("/thing").send().unwrap());
    assert!(first["before"].is_string(), "{first}");
    std::fs::write(&path, schema("after")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = first;
    while Instant::now() < deadline && last.get("after").is_none() {
        std::thread::sleep(Duration::from_millis(100));
        last = json(s.get("/thing").send().unwrap()).1;
    }
    assert!(
        last["after"].is_string() && last.get("before").is_none(),
        "{last}"
    );
}
