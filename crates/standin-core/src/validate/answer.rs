//! The answer to a request that fails validation.
//!
//! The status says what kind of failure it is (401/403 credentials, 415 content type,
//! 400 unreadable body, otherwise 422, or 400 when the operation documents only that).
//! When the operation documents a response for that status (or `4XX`, or an error
//! `default`), that response is sent, with the violations written into its message-like
//! field, so a client meets the error shape it will meet in production. Otherwise the
//! answer is an `application/problem+json` document listing every violation.

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::{Class, Violation};
use crate::exchange::{Reply, Request, Why};
use crate::generate::{Direction, GenContext};
use crate::model::Document;
use crate::model::{Operation, ResponseDef, StatusKey};
use crate::problem::{Problem, extra};

/// The header listing violations (warn mode, and documented error answers).
pub(crate) static VIOLATIONS: HeaderName = HeaderName::from_static("x-standin-violations");

/// Names of fields a violation text is written into, most telling first.
const MESSAGE_FIELDS: [&str; 9] = [
    "message",
    "error",
    "summary",
    "description",
    "detail",
    "title",
    "problem",
    "failure",
    "fault",
];

/// The violations as one text, for logs and headers.
pub(crate) fn summary(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `x-standin-violations` with the summary, made safe for a header value.
pub(crate) fn violations_header(summary: &str) -> Option<(HeaderName, HeaderValue)> {
    let mut text: String = summary
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    if text.len() > 4000 {
        text.truncate(4000);
        text.push_str("...");
    }
    HeaderValue::from_str(&text)
        .ok()
        .map(|v| (VIOLATIONS.clone(), v))
}

/// The status a set of violations is answered with.
pub(crate) fn status(op: &Operation, violations: &[Violation]) -> u16 {
    let has = |c: Class| violations.iter().any(|v| v.class == c);
    if has(Class::Unauthorized) {
        401
    } else if has(Class::Forbidden) {
        403
    } else if has(Class::MediaType) {
        415
    } else if has(Class::Malformed)
        || (op.response(StatusKey::Code(422)).is_none()
            && op.response(StatusKey::Code(400)).is_some())
    {
        // Unreadable, or invalid where the operation documents only 400.
        400
    } else {
        422
    }
}

/// The documented response for an error status: the exact code, `4XX`, or `default`
/// when `default` is not the operation's only (success) response.
fn documented(op: &Operation, status: u16) -> Option<&ResponseDef> {
    op.response(StatusKey::Code(status))
        .or_else(|| op.response(StatusKey::Range(4)))
        .or_else(|| {
            let d = op.response(StatusKey::Default)?;
            op.responses
                .iter()
                .any(|r| r.key != StatusKey::Default)
                .then_some(d)
        })
}

/// What [`reject`] needs besides the violations.
pub(crate) struct Rejection<'a> {
    /// `WWW-Authenticate` challenges (401 only).
    pub challenges: &'a [String],
    /// The media types the operation accepts (415 only).
    pub accepted: &'a [String],
}

/// The reply for a request with violations.
pub(crate) fn reject(
    doc: &Document,
    op: &Operation,
    req: &Request<'_>,
    violations: &[Violation],
    extra_info: &Rejection<'_>,
) -> Reply {
    let status = status(op, violations);
    let text = summary(violations);
    let (kind, title): (&'static str, &str) = match status {
        401 => ("unauthorized", "Credentials required"),
        403 => ("forbidden", "Credentials not accepted"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        400 if violations.iter().any(|v| v.class == Class::Malformed) => {
            ("malformed-request", "Malformed request")
        }
        _ => ("invalid-request", "Invalid request"),
    };
    let mut reply = match documented(op, status) {
        Some(response) => documented_reply(doc, op, req, response, status, &text),
        None => {
            let errors: Vec<Value> = violations
                .iter()
                .map(|v| json!({"location": v.location, "rule": v.rule, "message": v.message}))
                .collect();
            let mut fields = extra([("errors", Value::Array(errors))]);
            if status == 415 {
                fields.insert("accepted".into(), json!(extra_info.accepted));
            }
            let p = Problem::new(
                status,
                kind,
                title,
                format!("The request does not match {}. {text}", op.label()),
                fields,
            );
            Reply {
                status,
                headers: vec![(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(p.content_type),
                )],
                body: p.body,
                delay_ms: 0,
                wire: Default::default(),
                why: Why::default(),
            }
        }
    };
    if status == 401 {
        for c in extra_info.challenges {
            if let Ok(v) = HeaderValue::from_str(c) {
                reply.headers.push((header::WWW_AUTHENTICATE, v));
            }
        }
    }
    reply.why.operation = Some(op.label());
    reply.why.note = Some(kind);
    reply.why.violations = Some(text);
    reply
}

/// See [`super::error_answer`].
pub(crate) fn error_answer(
    doc: &Document,
    op: &Operation,
    req: &Request<'_>,
    status: u16,
    (kind, title): (&'static str, &str),
    text: &str,
) -> Reply {
    let mut reply = match documented(op, status) {
        Some(response) => documented_reply(doc, op, req, response, status, text),
        None => Reply::from_problem(
            Problem::new(status, kind, title, text, Default::default()),
            kind,
        ),
    };
    reply.why.operation = Some(op.label());
    reply.why.note = Some(kind);
    reply
}

fn documented_reply(
    doc: &Document,
    op: &Operation,
    req: &Request<'_>,
    response: &ResponseDef,
    status: u16,
    text: &str,
) -> Reply {
    let mut headers = Vec::new();
    if let Some(h) = violations_header(text) {
        headers.push(h);
    }
    let mut body = Bytes::new();
    if !response.media.is_empty() {
        // An error answer is sent even when Accept rules every type out.
        let mi = crate::negotiate::for_response(&response.media, req.headers).unwrap_or(0);
        let media = &response.media[mi];
        let schema = media
            .schema
            .as_deref()
            .and_then(|p| crate::pointer::get(&doc.root, p));
        let value = media
            .examples
            .first()
            .or(media.schema_example.as_ref())
            .map(|e| e.value.clone())
            .or_else(|| {
                let (ptr, s) = media.schema.as_deref().zip(schema)?;
                let ctx = GenContext {
                    root: &doc.root,
                    dialect: doc.version.dialect(),
                    direction: Direction::Response,
                    seed: 0,
                    hints: &[],
                };
                crate::generate::generate(&ctx, s, ptr).ok()
            });
        if let Some(mut value) = value {
            inject(&mut value, text);
            if let Ok(b) = crate::render::render(&value, &media.media_type, schema, &doc.root) {
                body = b;
            }
        }
        if let Some(v) = &media.content_type {
            headers.push((header::CONTENT_TYPE, v.clone()));
        }
    }
    Reply {
        status,
        headers,
        body,
        delay_ms: 0,
        wire: Default::default(),
        why: Why {
            operation: Some(op.label()),
            example: Some(format!("{}", response.key)),
            ..Why::default()
        },
    }
}

/// Writes `text` into the first message-like string field, searching three levels deep
/// (nearer levels first; at one level, the names in [`MESSAGE_FIELDS`] order). Returns
/// whether a field was found.
pub(crate) fn inject(value: &mut Value, text: &str) -> bool {
    let Some(ptr) = find_message(value) else {
        return false;
    };
    match value.pointer_mut(&ptr) {
        Some(slot) => {
            *slot = Value::String(text.to_string());
            true
        }
        None => false,
    }
}

fn find_message(value: &Value) -> Option<String> {
    let mut level: Vec<(String, &Value)> = vec![(String::new(), value)];
    for _ in 0..3 {
        for name in MESSAGE_FIELDS {
            for (at, node) in &level {
                if let Value::Object(m) = node
                    && let Some((k, _)) = m
                        .iter()
                        .find(|(k, v)| k.eq_ignore_ascii_case(name) && v.is_string())
                {
                    return Some(crate::diag::push_pointer(at, k));
                }
            }
        }
        let mut next = Vec::new();
        for (at, node) in level {
            match node {
                Value::Object(m) => {
                    for (k, v) in m {
                        if v.is_object() || v.is_array() {
                            next.push((crate::diag::push_pointer(&at, k), v));
                        }
                    }
                }
                Value::Array(items) => {
                    if let Some(first) = items.first() {
                        next.push((format!("{at}/0"), first));
                    }
                }
                _ => {}
            }
        }
        level = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_into_the_nearest_message_field() {
        let mut v = json!({"code": 1, "title": "t", "error": {"message": "m"}});
        assert!(inject(&mut v, "X"));
        assert_eq!(v["title"], "X");
        let mut v = json!({"errors": [{"detail": "d", "message": "m"}]});
        assert!(inject(&mut v, "X"));
        assert_eq!(v["errors"][0]["message"], "X");
        let mut v = json!({"a": {"b": {"c": {"message": "too deep"}}}});
        assert!(!inject(&mut v, "X"));
    }
}
