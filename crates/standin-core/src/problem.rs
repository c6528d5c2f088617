//! standin's own error answers: `application/problem+json` (RFC 9457), and the
//! `{"message": ...}` bodies vendors use for their own headers.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use serde_json::{Map, Value, json};

use crate::exchange::{Reply, Why, Wire};

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

// Built here rather than in `exchange`, so that `exchange` imports nothing else from the
// crate.
impl Reply {
    /// An error answer of standin's own, with a short note for the log.
    pub fn from_problem(p: Problem, note: &'static str) -> Reply {
        Reply {
            status: p.status,
            headers: vec![(
                header::CONTENT_TYPE,
                HeaderValue::from_static(p.content_type),
            )],
            body: p.body,
            delay_ms: 0,
            wire: Wire::default(),
            why: Why {
                note: Some(note),
                ..Why::default()
            },
        }
    }
}
