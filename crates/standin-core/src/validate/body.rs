//! Request bodies: which declared media type a body is, and its content as JSON.
//!
//! JSON bodies are parsed as they are (a syntax error says where, by line and column);
//! `application/x-www-form-urlencoded` and `multipart/form-data` bodies become an object
//! whose fields are typed by the schema and the media type's `encoding` (style, explode,
//! per-part content type). The multipart parser is our own: it only needs the part
//! names, headers and bytes of an in-memory body, which is a few dozen lines, where the
//! crates that do it are built around async streams. Other media types (XML, plain text,
//! binary) are accepted as they are: only their presence and content type are checked.

use serde_json::{Map, Value};

use super::schema::{Shape, ty};
use crate::wire::{essence, form_pairs};

/// How one field of a form body is encoded (OpenAPI `encoding`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Encoding {
    /// `contentType` of a multipart part.
    pub content_type: Option<String>,
    /// `style` of a urlencoded field (`form`, `spaceDelimited`, `pipeDelimited`, `deepObject`).
    pub style: Option<String>,
    /// `explode` of a urlencoded field.
    pub explode: Option<bool>,
    /// `allowReserved` of a urlencoded field: reserved characters may be sent as they
    /// are rather than percent-encoded.
    pub allow_reserved: bool,
}

/// The characters a urlencoded field with an encoding that does not set
/// `allowReserved` must percent-encode (RFC 3986's reserved set, as Prism checks it,
/// less `+`, which is how a form writes a space).
const RESERVED: &[char] = &[
    '/', '?', '#', '[', ']', '@', '!', '$', '\'', '(', ')', '*', ',', ';', '=',
];

/// The fields of a urlencoded body whose encoding does not allow reserved characters
/// and that send some as they are, with those characters.
pub(crate) fn reserved_sent(
    body: &[u8],
    encodings: &[(String, Encoding)],
) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for field in text.split('&') {
        let (raw_name, raw_value) = field.split_once('=').unwrap_or((field, ""));
        let name = crate::wire::percent_decode(&raw_name.replace('+', " "));
        let Some((_, enc)) = encodings
            .iter()
            .find(|(n, e)| *n == name && !e.allow_reserved)
        else {
            continue;
        };
        // An unexploded form field writes its items with commas.
        let delimiter = (enc.explode == Some(false)).then_some(',');
        let mut found: Vec<char> = raw_value
            .chars()
            .filter(|c| RESERVED.contains(c) && Some(*c) != delimiter)
            .collect();
        found.dedup();
        if !found.is_empty() && !out.iter().any(|(n, _)| *n == name) {
            out.push((name, found.into_iter().collect()));
        }
    }
    out
}

/// The index of the declared media type a request's content type matches: an exact
/// match first, then `type/*`, then `*/*`.
pub(crate) fn choose<D: AsRef<str>>(declared: &[D], content_type: &str) -> Option<usize> {
    let want = essence(content_type);
    let (major, _) = want.split_once('/').unwrap_or((&*want, ""));
    let declared = || declared.iter().map(AsRef::as_ref);
    let exact = declared().position(|d| d == want);
    exact
        .or_else(|| {
            declared().position(|d| {
                d.strip_suffix("/*")
                    .is_some_and(|m| m.eq_ignore_ascii_case(major) && m != "*")
            })
        })
        .or_else(|| declared().position(|d| d == "*/*" || d == "*"))
}

/// How a body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// JSON, `*+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/*`.
    Multipart,
    /// Anything else: not parsed.
    Opaque,
}

/// The kind of a declared media type.
pub(crate) fn kind_of(essence: &str) -> Kind {
    if essence == "application/json" || essence.ends_with("+json") || essence == "text/json" {
        Kind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        Kind::Form
    } else if essence.starts_with("multipart/") {
        Kind::Multipart
    } else {
        Kind::Opaque
    }
}

/// A body that cannot be read, with what is wrong in a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// Parses a JSON body.
pub(crate) fn json(body: &[u8]) -> Result<Value, Malformed> {
    serde_json::from_slice(body).map_err(|e| {
        let what = e.to_string();
        // serde_json appends "at line L column C"; say it our way, once.
        let what = what
            .rsplit_once(" at line ")
            .map_or(what.as_str(), |(w, _)| w)
            .to_string();
        Malformed(format!(
            "the request body is not valid JSON: {what} at line {}, column {}",
            e.line(),
            e.column()
        ))
    })
}

/// Parses an `application/x-www-form-urlencoded` body into an object typed by `shape`.
///
/// Besides OpenAPI's own serialisations (repeated keys for exploded arrays, delimited
/// lists otherwise), the bracket notation most form-reading frameworks use is read too:
/// `a[b]=1` is an object, `a[]=1` and `a[0]=1` are arrays, nested to any depth (Stripe's
/// `deepObject` fields are written that way).
pub(crate) fn form(body: &[u8], shape: &Shape, encodings: &[(String, Encoding)]) -> Value {
    let text = String::from_utf8_lossy(body);
    let mut tree = Map::new();
    for (key, value) in form_pairs(Some(&text)) {
        // A field whose declared name has brackets (`user[name]`) is that field.
        let segments = if shape.properties.iter().any(|(n, _)| *n == key) {
            vec![key]
        } else {
            split_brackets(&key)
        };
        insert_raw(&mut tree, &segments, value);
    }
    let mut out = Map::new();
    for (name, raw) in tree {
        let prop = shape.property(&name).cloned().unwrap_or_default();
        let enc = encodings.iter().find(|(n, _)| *n == name).map(|(_, e)| e);
        out.insert(name, typed(raw, &prop, enc));
    }
    Value::Object(out)
}

/// `a[b][]` → `["a", "b", ""]`.
fn split_brackets(key: &str) -> Vec<String> {
    let Some(open) = key.find('[').filter(|i| *i > 0 && key.ends_with(']')) else {
        return vec![key.to_string()];
    };
    let mut out = vec![key[..open].to_string()];
    for seg in key[open + 1..key.len() - 1].split("][") {
        out.push(seg.to_string());
    }
    out
}

/// Adds `value` at `segments` in a tree of strings: repeated leaves become arrays, `[]`
/// appends.
fn insert_raw(tree: &mut Map<String, Value>, segments: &[String], value: String) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() || (rest.len() == 1 && rest[0].is_empty()) {
        match tree.get_mut(first) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(existing @ Value::String(_)) => {
                let old = existing.take();
                *existing = Value::Array(vec![old, Value::String(value)]);
            }
            _ => {
                let v = if rest.is_empty() {
                    Value::String(value)
                } else {
                    Value::Array(vec![Value::String(value)])
                };
                tree.insert(first.clone(), v);
            }
        }
        return;
    }
    let slot = tree
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        insert_raw(inner, rest, value);
    }
}

/// A tree of form strings typed by the schema's shape.
fn typed(raw: Value, shape: &Shape, enc: Option<&Encoding>) -> Value {
    let arrayish = shape.types & ty::ARRAY != 0;
    let item = shape.items.as_deref().cloned().unwrap_or_default();
    match raw {
        Value::String(s) => {
            let looks_json = s.starts_with('{') || s.starts_with('[');
            if arrayish && !looks_json && !(s.is_empty() && shape.types & ty::STRING != 0) {
                let explode = enc.and_then(|e| e.explode).unwrap_or(true);
                if explode {
                    return Value::Array(vec![item.coerce(&s)]);
                }
                let delimiter = match enc.and_then(|e| e.style.as_deref()) {
                    Some("spaceDelimited") => ' ',
                    Some("pipeDelimited") => '|',
                    _ => ',',
                };
                return Value::Array(s.split(delimiter).map(|v| item.coerce(v)).collect());
            }
            shape.coerce(&s)
        }
        Value::Array(values) => {
            let inner = if arrayish { &item } else { shape };
            Value::Array(values.into_iter().map(|v| typed(v, inner, None)).collect())
        }
        Value::Object(map) => {
            let indexed = !map.is_empty() && map.keys().all(|k| k.parse::<usize>().is_ok());
            if arrayish && indexed {
                let mut entries: Vec<(usize, Value)> = map
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.parse::<usize>().ok()?, v)))
                    .collect();
                entries.sort_by_key(|(i, _)| *i);
                return Value::Array(
                    entries
                        .into_iter()
                        .map(|(_, v)| typed(v, &item, None))
                        .collect(),
                );
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let s = shape.property(&k).cloned().unwrap_or_default();
                        (k, typed(v, &s, None))
                    })
                    .collect(),
            )
        }
        other => other,
    }
}

/// One part of a multipart body.
#[derive(Debug)]
pub struct Part<'a> {
    /// The `name` of its `Content-Disposition`.
    pub name: Option<String>,
    /// The `filename`, for file parts.
    pub filename: Option<String>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// Its bytes.
    pub body: &'a [u8],
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// Splits a multipart body (RFC 7578) into its parts.
pub fn multipart<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, Malformed> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let Some(first) = find(body, delimiter, 0) else {
        return Err(Malformed(format!(
            "the multipart body does not contain its boundary '{boundary}'"
        )));
    };
    let mut at = first + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        // The rest of the delimiter line (transport padding, then CRLF).
        let Some(eol) = find(body, b"\n", at) else {
            return Err(Malformed(
                "the multipart body ends before its closing boundary".into(),
            ));
        };
        let start = eol + 1;
        let Some(next) = find(body, delimiter, start) else {
            return Err(Malformed(
                "the multipart body ends before its closing boundary".into(),
            ));
        };
        // The CRLF before a delimiter belongs to the delimiter.
        let mut end = next;
        if end > start && body[end - 1] == b'\n' {
            end -= 1;
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(part(&body[start..end])?);
        at = next + delimiter.len();
    }
}

fn part(raw: &[u8]) -> Result<Part<'_>, Malformed> {
    let (head, body) = match find(raw, b"\r\n\r\n", 0) {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match find(raw, b"\n\n", 0) {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
            None => {
                return Err(Malformed(
                    "a multipart part has no blank line between its headers and its content".into(),
                ));
            }
        },
    };
    let head = String::from_utf8_lossy(head);
    let mut p = Part {
        name: None,
        filename: None,
        content_type: None,
        body,
    };
    for line in head.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("content-disposition") {
            for param in v.split(';').skip(1) {
                let Some((pk, pv)) = param.split_once('=') else {
                    continue;
                };
                let pv = pv.trim().trim_matches('"').to_string();
                match pk.trim().to_ascii_lowercase().as_str() {
                    "name" => p.name = Some(pv),
                    "filename" => p.filename = Some(pv),
                    _ => {}
                }
            }
        } else if k.trim().eq_ignore_ascii_case("content-type") {
            p.content_type = Some(v.trim().to_string());
        }
    }
    Ok(p)
}

/// A multipart body as an object typed by `shape`: JSON parts parsed, file parts kept
/// as text, repeated names gathered into arrays.
pub(crate) fn multipart_object(
    parts: &[Part<'_>],
    shape: &Shape,
    encodings: &[(String, Encoding)],
) -> Result<Value, Malformed> {
    let mut map = Map::new();
    // The parts of each name, names in order of first appearance: one pass, so a body
    // of thousands of parts costs no more than reading it.
    let mut groups: Vec<(&str, Vec<&Part<'_>>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in parts {
        let Some(n) = p.name.as_deref() else {
            continue;
        };
        let i = *index.entry(n).or_insert_with(|| {
            groups.push((n, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(p);
    }
    for (name, group) in groups {
        let prop = shape.property(name).cloned().unwrap_or_default();
        let declared = encodings
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, e)| e.content_type.clone());
        let mut values = Vec::new();
        for p in group {
            let item = if prop.is_array() {
                prop.items.as_deref().cloned().unwrap_or_default()
            } else {
                prop.clone()
            };
            let ct = p.content_type.as_deref().or(declared.as_deref());
            let is_json = ct.is_some_and(|c| kind_of(&essence(c)) == Kind::Json);
            let value = if is_json {
                json(p.body).map_err(|Malformed(m)| {
                    Malformed(m.replacen("the request body", &format!("part '{name}'"), 1))
                })?
            } else if p.filename.is_some() {
                Value::String(String::from_utf8_lossy(p.body).into_owned())
            } else {
                item.coerce(&String::from_utf8_lossy(p.body))
            };
            values.push(value);
        }
        let value = if prop.is_array() {
            // A JSON part may carry the whole array.
            match values.as_slice() {
                [Value::Array(a)] => Value::Array(a.clone()),
                _ => Value::Array(values),
            }
        } else if values.len() == 1 {
            values.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(values)
        };
        map.insert(name.to_string(), value);
    }
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chooses_exact_then_wildcards() {
        let declared: Vec<String> = ["application/json", "text/*", "*/*"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            choose(&declared, "application/json; charset=utf-8"),
            Some(0)
        );
        assert_eq!(choose(&declared, "text/plain"), Some(1));
        assert_eq!(choose(&declared, "image/png"), Some(2));
        assert_eq!(choose(&declared[..1], "text/plain"), None);
    }

    #[test]
    fn json_errors_say_where() {
        let e = json(b"{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert!(e.0.contains("line 3, column 7"), "{}", e.0);
    }

    #[test]
    fn multipart_parts() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n42\r\n--XyZ--\r\n";
        let parts = multipart(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 3);
        let shape = Shape::of(
            &json!({"type": "object", "properties": {"n": {"type": "integer"}}}),
            &json!({}),
        );
        let v = multipart_object(&parts, &shape, &[]).unwrap();
        assert_eq!(v, json!({"meta": {"a": 1}, "file": "hello", "n": 42}));
        assert!(
            multipart(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx",
                "XyZ"
            )
            .is_err()
        );
    }

    #[test]
    fn many_parts_are_gathered_in_linear_time() {
        // 20,000 parts (600 KB) cost about a minute of CPU when each name was looked for
        // in every part.
        let mut body = String::new();
        for i in 0..20_000 {
            body.push_str(&format!(
                "--B\r\nContent-Disposition: form-data; name=\"f{}\"\r\n\r\n{i}\r\n",
                i % 10_000
            ));
        }
        body.push_str("--B--\r\n");
        let started = std::time::Instant::now();
        let parts = multipart(body.as_bytes(), "B").unwrap();
        let v = multipart_object(&parts, &Shape::default(), &[]).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        let v = v.as_object().unwrap();
        assert_eq!(v.len(), 10_000);
        assert_eq!(v.keys().next().map(String::as_str), Some("f0"));
        assert_eq!(v["f3"], json!(["3", "10003"]));
    }

    #[test]
    fn forms() {
        let shape = Shape::of(
            &json!({"type": "object", "properties": {
                "n": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "ids": {"type": "array", "items": {"type": "integer"}}
            }}),
            &json!({}),
        );
        let enc = vec![(
            "ids".to_string(),
            Encoding {
                explode: Some(false),
                ..Encoding::default()
            },
        )];
        let v = form(b"n=3&tags=a&tags=b+c&ids=1,2", &shape, &enc);
        assert_eq!(v, json!({"n": 3, "tags": ["a", "b c"], "ids": [1, 2]}));
        let v = form(b"meta[a][b]=1&tags[]=x&ids[1]=5&ids[0]=4&n=1", &shape, &enc);
        assert_eq!(
            v,
            json!({"meta": {"a": {"b": "1"}}, "tags": ["x"], "ids": [4, 5], "n": 1})
        );
    }
}
