//! Loading: external references across files, circular schemas, Swagger 2.0 and 3.1.

use serde_json::json;

use crate::support::{Server, fixture, json};

#[test]
fn references_across_files_with_cycles() {
    let s = Server::start(&[&fixture("split/api.yaml"), "--quiet"]);
    assert!(s.summary.contains("1 operations served"), "{}", s.summary);
    let (status, body) = json(s.get("/split/nodes/n1").send().unwrap());
    assert_eq!(
        (status, body),
        (200, json!({"name": "leaf", "children": []}))
    );
}

#[test]
fn broken_parts_are_diagnostics_and_the_rest_is_served() {
    let s = Server::start(&[&fixture("broken.yaml"), "--quiet"]);
    assert!(s.summary.contains("3 operations served"), "{}", s.summary);
    assert!(s.summary.contains("3 errors"), "{}", s.summary);
    let (status, body) = json(s.get("/ok").send().unwrap());
    assert_eq!((status, body), (200, json!({"ok": true})));
    assert_eq!(s.get("/bad-status").send().unwrap().status(), 200);
}

#[test]
fn summary_counts_operations() {
    let s = Server::start(&[&fixture("swagger2.yaml"), "--quiet"]);
    assert!(s.summary.contains("3 operations served"), "{}", s.summary);
    assert!(s.summary.contains("loaded in"), "{}", s.summary);
}

#[test]
fn nothing_loadable_is_an_error_exit() {
    let (code, _, err) = crate::support::run(&["serve", "/nonexistent/spec.yaml", "--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/spec.yaml"), "{err}");
    assert!(err.contains("cannot read the file"), "{err}");
}
