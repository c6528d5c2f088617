//! The validation proxy's question to the engine: a request's verdict alone, with no
//! answer built.

use http::{HeaderMap, HeaderValue, Method};
use standin_core::settings::ValidateMode;
use standin_core::source::MemoryFiles;
use standin_core::{MockSettings, Request, Snapshot};

const DOC: &str = r#"
openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object, properties: {name: {type: string}}}}}}
"#;

fn snapshot(validate: ValidateMode) -> Snapshot {
    let mut files = MemoryFiles::new();
    files.insert("things.yaml", DOC);
    let settings = MockSettings {
        validate,
        forward_all: true,
        ..MockSettings::default()
    };
    Snapshot::build(&files, &["things.yaml".into()], settings)
}

fn verdict(snap: &Snapshot, path: &str, headers: &HeaderMap) -> standin_core::Reply {
    let req = Request {
        method: &Method::GET,
        path,
        query: None,
        headers,
        body: &bytes::Bytes::new(),
        now_unix_ms: 0,
        peer: None,
    };
    standin_core::engine::verdict(snap, &req)
}

#[test]
fn a_valid_request_names_its_operation_and_no_answer_is_built() {
    let snap = snapshot(ValidateMode::Warn);
    let v = verdict(&snap, "/things/7", &HeaderMap::new());
    assert_eq!(v.status, 200);
    assert!(v.why.operation.is_some());
    assert_eq!(v.why.violations, None);
    // The full answer generates a body; the verdict does not.
    assert!(v.body.is_empty());
}

#[test]
fn violations_are_reported_even_when_the_request_forces_a_status() {
    let snap = snapshot(ValidateMode::Warn);
    let mut headers = HeaderMap::new();
    headers.insert("prefer", HeaderValue::from_static("code=200"));
    let v = verdict(&snap, "/things/seven", &headers);
    let violations = v.why.violations.unwrap_or_default();
    assert!(violations.contains("id"), "{violations}");
}

#[test]
fn enforce_rejects_and_an_unknown_path_is_a_miss() {
    let snap = snapshot(ValidateMode::Enforce);
    let v = verdict(&snap, "/things/seven", &HeaderMap::new());
    assert!(v.status >= 400 && v.why.note.is_some(), "{}", v.status);
    let miss = verdict(&snap, "/elsewhere", &HeaderMap::new());
    assert_eq!((miss.status, miss.why.note), (404, Some("no-route")));
}
