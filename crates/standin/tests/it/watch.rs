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
