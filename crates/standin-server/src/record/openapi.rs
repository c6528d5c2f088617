//! `standin record --format openapi-examples`: recorded answers written into a copy of
//! an OpenAPI document, each as a named example of the operation whose path template
//! and method the request matches (under `responses.<status>.content.<media type>
//! .examples`; a status or media type the document lacks is added). The recorded
//! examples come first, so the operation's default answer is the first one recorded;
//! the others are asked for by name (`Prefer: example=<name>`).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::journal::Entry;

/// Adds an example to `doc` for each of `entries` (examples hold bodies only, so no
/// header, secret or not, is written); answers the entries no operation's path
/// matches. Fails when `doc` has no `paths` object.
pub fn add_examples<'e>(doc: &mut Value, entries: &[&'e Entry]) -> Result<Vec<&'e Entry>, String> {
    let bases = base_paths(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err("the document has no `paths` object to write examples into".into());
    };
    let templates: Vec<String> = paths.keys().cloned().collect();
    let mut names: HashSet<String> = HashSet::new();
    let mut unplaced = Vec::new();
    // Newest first into the front of each map: the oldest recorded ends up first.
    for e in entries.iter().rev() {
        let method = e.method.as_str().to_ascii_lowercase();
        let found = templates.iter().find(|t| {
            paths
                .get(t.as_str())
                .and_then(|item| item.get(&method))
                .is_some()
                && bases.iter().any(|b| {
                    e.path()
                        .strip_prefix(b.as_str())
                        .is_some_and(|rest| template_matches(t, rest))
                })
        });
        let Some(template) = found else {
            unplaced.push(*e);
            continue;
        };
        let Some(op) = paths
            .get_mut(template.as_str())
            .and_then(|item| item.get_mut(&method))
            .and_then(Value::as_object_mut)
        else {
            unplaced.push(*e);
            continue;
        };
        let name = unique(&mut names, &example_name(e));
        add_to(op, e, name);
    }
    unplaced.reverse();
    Ok(unplaced)
}

/// The base paths the document's `servers` declare (`/v1`), and `""`.
fn base_paths(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = doc
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("url")?.as_str())
        .map(|url| {
            let after_host = match url.split_once("://") {
                Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
                None => url,
            };
            after_host.trim_end_matches('/').to_string()
        })
        .filter(|b| !b.is_empty())
        .collect();
    if let Some(base) = doc.get("basePath").and_then(Value::as_str) {
        out.push(base.trim_end_matches('/').to_string());
    }
    out.push(String::new());
    out
}

/// Whether `path` is one of `template`'s (`/pets/{id}` matches `/pets/7`).
fn template_matches(template: &str, path: &str) -> bool {
    let t = standin_core::wire::split_segments(template);
    let p = standin_core::wire::split_segments(path);
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            (t.starts_with('{') && t.ends_with('}')) || *t == standin_core::wire::percent_decode(p)
        })
}

/// `get-pets-7`: the method and the path's segments.
fn example_name(e: &Entry) -> String {
    let mut name = e.method.as_str().to_ascii_lowercase();
    for seg in standin_core::wire::split_segments(e.path()) {
        name.push('-');
        name.extend(seg.chars().map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        }));
    }
    name
}

/// `name`, or `name-2`, `name-3`… when taken.
fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{name}-{n}");
    }
    taken.insert(candidate.clone());
    candidate
}

/// Writes `e`'s answer into the operation `op` as the example `name`, first of its
/// media type's examples.
fn add_to(op: &mut Map<String, Value>, e: &Entry, name: String) {
    let status = e.response.status.to_string();
    let media = e
        .response
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(standin_core::wire::essence)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    let body = &e.response.body.bytes;
    let value = match std::str::from_utf8(body) {
        Ok(t) if standin_core::wire::is_json(&media) => {
            serde_json::from_str(t).unwrap_or_else(|_| json!(t))
        }
        Ok(t) => json!(t),
        Err(_) => json!(String::from_utf8_lossy(body)),
    };
    let responses = object_at(op, "responses");
    let response = object_at(responses, &status);
    response
        .entry("description")
        .or_insert_with(|| json!(format!("Recorded {status}")));
    let content = object_at(response, "content");
    let media_object = object_at(content, &media);
    let mut examples = Map::new();
    // `example` and `examples` exclude each other: the document's own is kept by name.
    if let Some(single) = media_object.remove("example") {
        examples.insert("example".into(), json!({ "value": single }));
    }
    let earlier = match media_object.remove("examples") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut first = Map::new();
    first.insert(
        name,
        json!({"summary": format!("{} {}", e.method, e.url()), "value": value}),
    );
    first.extend(examples);
    first.extend(earlier);
    media_object.insert("examples".into(), Value::Object(first));
}

/// The object under `key` in `m`, made (or replaced, when it is not an object).
fn object_at<'m>(m: &'m mut Map<String, Value>, key: &str) -> &'m mut Map<String, Value> {
    let slot = m.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(o) => o,
        _ => unreachable!("made an object just above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_paths_segment_by_segment() {
        assert!(template_matches("/pets/{id}", "/pets/7"));
        assert!(template_matches("/pets", "/pets/"));
        assert!(!template_matches("/pets/{id}", "/pets/7/toys"));
        assert!(!template_matches("/pets", "/users"));
    }

    #[test]
    fn base_paths_come_from_servers() {
        let doc = json!({"servers": [{"url": "http://x.test/v1/"}, {"url": "/api"}]});
        assert_eq!(base_paths(&doc), ["/v1", "/api", ""]);
    }

    #[test]
    fn names_are_made_unique() {
        let mut taken = HashSet::new();
        assert_eq!(unique(&mut taken, "get-a"), "get-a");
        assert_eq!(unique(&mut taken, "get-a"), "get-a-2");
    }
}
