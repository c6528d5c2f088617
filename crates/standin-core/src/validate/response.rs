//! The mock's own answers checked against their response schemas and declared response
//! headers (`--check-responses`, Prism's output validation), and violations written the way Prism writes them: the
//! `sl-violations` header (a JSON array of `{location, severity, code, message}`) and
//! the `validation` list of its 500 `VIOLATIONS` answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use http::header::{HeaderName, HeaderValue};
use serde_json::{Value, json};

use super::params::simple_value;
use super::schema::Shape;
use super::{Compiled, ValueCheck, Violation, schema_violations};
use crate::diag::Diagnostic;
use crate::model::{Document, HeaderDef};

/// Prism's response header listing violations.
pub static SL_VIOLATIONS: HeaderName = HeaderName::from_static("sl-violations");

/// The longest `sl-violations` value before it is cut (Prism's `8 * 1024 - 100`).
const MAX_HEADER: usize = 8 * 1024 - 100;

/// Response validators of one document, compiled on first use, by schema pointer.
pub(crate) type Cache = Mutex<HashMap<String, Arc<ValueCheck>>>;

impl Compiled {
    /// What is wrong with a response body `value` against the schema at `pointer` of
    /// document `doc_index`, as Prism entries (`location` starts with `response`).
    pub fn check_response(
        &self,
        doc_index: usize,
        doc: &Document,
        pointer: &str,
        value: &Value,
    ) -> Vec<Value> {
        let Some(check) = self.response_check(doc_index, doc, pointer) else {
            return Vec::new();
        };
        check
            .violations(value, &["body"], "response body")
            .iter()
            .map(|v| entry("response", v))
            .collect()
    }

    /// The check of the schema at `pointer` of document `doc_index`, compiled on first
    /// use; `None` for a document index the snapshot does not have.
    fn response_check(
        &self,
        doc_index: usize,
        doc: &Document,
        pointer: &str,
    ) -> Option<Arc<ValueCheck>> {
        let dv = self.docs.get(doc_index)?;
        let mut cache = dv.responses.lock().unwrap_or_else(|p| p.into_inner());
        Some(
            cache
                .entry(pointer.to_string())
                .or_insert_with(|| Arc::new(ValueCheck::compile(doc, pointer)))
                .clone(),
        )
    }

    /// What is wrong with the headers `sent` against the headers a response declares,
    /// as Prism lists them: each required header missing (location `["response",
    /// "header"]`, code `required`), then each declared header whose value breaks its
    /// schema (`["response", "header", name]`), the value read as a `simple`-style
    /// parameter and names lower-cased, as Prism writes them. Headers the server frames
    /// itself (`Content-Length`...) are not checked.
    pub fn check_response_headers(
        &self,
        doc_index: usize,
        doc: &Document,
        declared: &[HeaderDef],
        sent: &[(HeaderName, HeaderValue)],
        framing: impl Fn(&str) -> bool,
    ) -> Vec<Value> {
        let value_of = |name: &str| {
            let values: Vec<&str> = sent
                .iter()
                .filter(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
                .filter_map(|(_, v)| v.to_str().ok())
                .collect();
            (!values.is_empty()).then(|| values.join(","))
        };
        let declared: Vec<&HeaderDef> = declared.iter().filter(|h| !framing(&h.name)).collect();
        let mut out: Vec<Value> = declared
            .iter()
            .filter(|h| h.required && value_of(&h.name).is_none())
            .map(|h| {
                let name = h.name.to_ascii_lowercase();
                json!({
                    "location": ["response", "header"],
                    "severity": "Error",
                    "code": "required",
                    "message": format!("Response header must have required property '{name}'"),
                })
            })
            .collect();
        for h in declared {
            let (Some(pointer), Some(raw)) = (&h.schema, value_of(&h.name)) else {
                continue;
            };
            let Some(schema) = crate::pointer::get(&doc.root, pointer) else {
                continue;
            };
            let value = header_value(doc, schema, &raw);
            let Some(check) = self.response_check(doc_index, doc, pointer) else {
                continue;
            };
            let name = h.name.to_ascii_lowercase();
            let label = format!("response header {name}");
            out.extend(
                check
                    .violations(&value, &["header", &name], &label)
                    .iter()
                    .map(|v| entry("response", v)),
            );
        }
        out
    }
}

/// A header's text as the value its schema (a Swagger 2.0 header object, or an OpenAPI 3
/// header's schema) describes: a `simple`-style parameter, split on the 2.0
/// `collectionFormat`'s delimiter.
fn header_value(doc: &Document, schema: &Value, text: &str) -> Value {
    let swagger = doc.version == crate::model::Version::Swagger2;
    let delimiter = match schema.get("collectionFormat").and_then(Value::as_str) {
        Some("ssv") if swagger => ' ',
        Some("tsv") if swagger => '\t',
        Some("pipes") if swagger => '|',
        _ => ',',
    };
    simple_value(&Shape::of(schema, &doc.root), text, delimiter, false)
}

impl ValueCheck {
    /// The violations of `value`, located under `base` and named `label` in messages.
    pub(crate) fn violations(&self, value: &Value, base: &[&str], label: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        if let Some(v) = &self.validator {
            schema_violations(v, value, base, label, &mut out);
        }
        out
    }
}

/// One violation as Prism lists it; `side` is `request` or `response`.
pub(crate) fn entry(side: &str, v: &Violation) -> Value {
    let mut location = vec![Value::from(side)];
    location.extend(v.location.iter().cloned().map(Value::from));
    json!({
        "location": location,
        "severity": "Error",
        "code": v.rule,
        "message": v.message,
    })
}

/// The `sl-violations` header for `entries` (none when there are none): the JSON
/// array, or, past Prism's limit, `Too many violations! ` and the array's start.
pub fn header(entries: &[Value]) -> Option<(HeaderName, HeaderValue)> {
    if entries.is_empty() {
        return None;
    }
    let mut text = serde_json::to_string(entries).ok()?;
    if text.len() > MAX_HEADER {
        let mut cut = MAX_HEADER;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.insert_str(0, "Too many violations! ");
    }
    // Control characters are escaped by JSON; other bytes are sent as they are, as
    // Prism sends them.
    HeaderValue::from_bytes(text.as_bytes())
        .ok()
        .map(|v| (SL_VIOLATIONS.clone(), v))
}

/// The message of each entry, for the log and `x-standin-violations`.
pub fn summary(entries: &[Value]) -> String {
    entries
        .iter()
        .filter_map(|e| e.get("message").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Examples that break their own response schema, and response header examples that
/// break theirs, one warning each naming what is wrong (they are still served: answers list the violations in `sl-violations` when
/// responses are checked). `standin check` prints them.
pub fn invalid_examples(documents: &[Document]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in documents {
        let mut checks: HashMap<&str, ValueCheck> = HashMap::new();
        let swagger = doc.version == crate::model::Version::Swagger2;
        for op in &doc.operations {
            for response in &op.responses {
                for h in &response.headers {
                    let (Some(text), Some(ptr)) = (&h.example, h.schema.as_deref()) else {
                        continue;
                    };
                    let Some(schema) = crate::pointer::get(&doc.root, ptr) else {
                        continue;
                    };
                    let value = header_value(doc, schema, text);
                    let check = checks
                        .entry(ptr)
                        .or_insert_with(|| ValueCheck::compile(doc, ptr));
                    let problems = check.problems(&value, "example");
                    if problems.is_empty() {
                        continue;
                    }
                    let name = h.name.replace('~', "~0").replace('/', "~1");
                    out.push(Diagnostic::warning(
                        &doc.file,
                        format!("{}/headers/{name}", response.pointer),
                        format!(
                            "example of header {} of {} {} breaks its schema: {}",
                            h.name,
                            op.label(),
                            response.key,
                            problems.join(" ")
                        ),
                    ));
                }
                for media in &response.media {
                    let Some(ptr) = media.schema.as_deref() else {
                        continue;
                    };
                    if media.examples.is_empty() || !crate::wire::is_json(&media.media_type) {
                        continue;
                    }
                    let check = checks
                        .entry(ptr)
                        .or_insert_with(|| ValueCheck::compile(doc, ptr));
                    for example in &media.examples {
                        let problems = check.problems(&example.value, "example");
                        if problems.is_empty() {
                            continue;
                        }
                        let media_key = media.media_type.replace('~', "~0").replace('/', "~1");
                        let at = if swagger {
                            format!("{}/examples/{media_key}", response.pointer)
                        } else if example.name == "example" {
                            format!("{}/content/{media_key}/example", response.pointer)
                        } else {
                            let name = example.name.replace('~', "~0").replace('/', "~1");
                            format!(
                                "{}/content/{media_key}/examples/{name}/value",
                                response.pointer
                            )
                        };
                        out.push(Diagnostic::warning(
                            &doc.file,
                            at,
                            format!(
                                "example '{}' of {} {} ({}) breaks its schema: {}",
                                example.name,
                                op.label(),
                                response.key,
                                media.media_type,
                                problems.join(" ")
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut_with_prisms_prefix() {
        let one = json!({"location": ["response", "body"], "severity": "Error", "code": "type", "message": "x".repeat(100)});
        let (_, short) = header(std::slice::from_ref(&one)).unwrap();
        assert!(short.to_str().unwrap().starts_with("[{"));
        let many = vec![one; 200];
        let (_, long) = header(&many).unwrap();
        let text = long.to_str().unwrap();
        assert!(text.starts_with("Too many violations! [{"), "{text:.40}");
        assert_eq!(text.len(), MAX_HEADER + "Too many violations! ".len());
        assert!(header(&[]).is_none());
    }
}
