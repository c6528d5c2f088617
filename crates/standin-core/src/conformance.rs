//! Does an answer conform to the document? The validation proxy's check of an
//! upstream's response: its status is one the operation declares, and a JSON body
//! matches the declared schema of its media type. Schemas are compiled per call (the
//! proxy's cost is the upstream's round trip).

use http::Method;
use serde_json::Value;

use crate::model::StatusKey;
use crate::router::Found;
use crate::snapshot::Snapshot;
use crate::validate::ValueCheck;
use crate::wire;

/// The violations of a response with `status`, `content_type` and `body` to
/// `method path`, one sentence each; empty when it conforms or no operation matches.
pub fn response_problems(
    snap: &Snapshot,
    method: &Method,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<String> {
    let none = |_: &str| None;
    let Found::Operation { op, .. } = snap.router.find(method, path, &none) else {
        return Vec::new();
    };
    let Some((doc, operation)) = snap.operation(op) else {
        return Vec::new();
    };
    let label = operation
        .operation_id
        .clone()
        .unwrap_or_else(|| format!("{} {}", operation.method, operation.template));
    let declared = operation
        .responses
        .iter()
        .find(|r| r.key == StatusKey::Code(status))
        .or_else(|| {
            let range = u8::try_from(status / 100).unwrap_or(0);
            operation
                .responses
                .iter()
                .find(|r| r.key == StatusKey::Range(range))
        })
        .or_else(|| {
            operation
                .responses
                .iter()
                .find(|r| r.key == StatusKey::Default)
        });
    let Some(declared) = declared else {
        return vec![format!(
            "response: status {status} is not declared by {label}"
        )];
    };
    let essence = content_type.map(wire::essence).unwrap_or_default();
    // A body sent without a content type is checked as the declared JSON, if any.
    if body.is_empty() || (!essence.is_empty() && !wire::is_json(&essence)) {
        return Vec::new();
    }
    let Some(media) = declared
        .media
        .iter()
        .find(|m| wire::essence(&m.media_type) == essence)
        .or_else(|| declared.media.iter().find(|m| wire::is_json(&m.media_type)))
    else {
        if essence.is_empty() {
            return Vec::new();
        }
        return vec![format!(
            "response: content type {essence} is not declared by {label} for status {status}"
        )];
    };
    let Some(pointer) = &media.schema else {
        return Vec::new();
    };
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return vec![format!("response: the body is not valid JSON: {e}")],
    };
    ValueCheck::compile(doc, pointer).problems(&value, "response body")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::settings::MockSettings;
    use crate::source::MemoryFiles;

    fn snap() -> Snapshot {
        let doc = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/pets/{id}": {"get": {
                "operationId": "getPet",
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["id"],
                               "properties": {"id": {"type": "integer"}}}}}}}
            }}}
        });
        let mut mem = MemoryFiles::new();
        mem.insert("api.json", doc.to_string());
        Snapshot::build(
            &mem,
            &[std::path::PathBuf::from("api.json")],
            MockSettings::default(),
        )
    }

    fn problems(status: u16, ct: Option<&str>, body: &str) -> Vec<String> {
        response_problems(
            &snap(),
            &Method::GET,
            "/pets/1",
            status,
            ct,
            body.as_bytes(),
        )
    }

    #[test]
    fn conforming_answers_have_no_problems() {
        assert!(problems(200, Some("application/json"), r#"{"id": 1}"#).is_empty());
        assert!(problems(200, None, r#"{"id": 1}"#).is_empty());
    }

    #[test]
    fn schema_status_and_content_type_are_checked() {
        assert!(!problems(200, Some("application/json"), r#"{"id": "x"}"#).is_empty());
        let undeclared = problems(500, Some("application/json"), "{}");
        assert!(undeclared[0].contains("500") && undeclared[0].contains("getPet"));
        assert!(!problems(200, Some("application/json"), "not json").is_empty());
        assert!(problems(200, Some("text/plain"), "hi").is_empty());
        // No operation: nothing to say.
        let none = response_problems(&snap(), &Method::GET, "/other", 200, None, b"{}");
        assert!(none.is_empty());
    }
}
