//! standin's own error answers: `application/problem+json` (RFC 9457), and the
//! `{"message": ...}` bodies vendors use for their own headers.

use bytes::Bytes;
use serde_json::{Map, Value, json};

/// An error answer, before it becomes a [`crate::exchange::Reply`].
#[derive(Debug, Clone)]
pub struct Problem {
    /// HTTP status.
    pub status: u16,
    /// Content type of `body`.
    pub content_type: &'static str,
    /// The body.
    pub body: Bytes,
}

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    /// A problem document: `kind` becomes the type URI, `extra` fields are added.
    pub fn new(
        status: u16,
        kind: &str,
        title: &str,
        detail: impl Into<String>,
        extra: Map<String, Value>,
    ) -> Problem {
        let mut doc = Map::new();
        doc.insert(
            "type".into(),
            json!(format!("https://standin.dev/problems/{kind}")),
        );
        doc.insert("title".into(), json!(title));
        doc.insert("status".into(), json!(status));
        doc.insert("detail".into(), json!(detail.into()));
        doc.extend(extra);
        Problem {
            status,
            content_type: PROBLEM_JSON,
            body: Bytes::from(serde_json::to_vec(&Value::Object(doc)).unwrap_or_default()),
        }
    }

    /// A vendor-style `{"message": text}` JSON body.
    pub fn message(status: u16, text: &str) -> Problem {
        Problem {
            status,
            content_type: "application/json",
            body: Bytes::from(serde_json::to_vec(&json!({ "message": text })).unwrap_or_default()),
        }
    }

    /// Any JSON body with a status.
    pub fn json(status: u16, body: &Value) -> Problem {
        Problem {
            status,
            content_type: "application/json",
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        }
    }
}

/// Builds the `extra` map from pairs.
pub fn extra<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
