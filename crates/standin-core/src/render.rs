//! Rendering values as bytes for a media type: JSON (and `+json`), XML (and `+xml`)
//! shaped by the OpenAPI `xml` object, `text/plain`, `text/csv`,
//! `application/x-www-form-urlencoded` and `application/octet-stream`.
//!
//! The schema is only consulted where the media type needs names or encodings the value
//! does not carry: XML element names, attributes, wrapping and namespaces; `format: byte`
//! for octet streams.

use std::fmt::Write as _;

use base64::Engine;
use bytes::Bytes;
use serde_json::{Map, Value};

/// A value that cannot be written in the media type asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RenderError {}

/// The text of a header value: strings as they are, arrays comma-joined, anything
/// else as JSON.
pub fn header_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(header_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Whether [`render`] reads the schema for this media type (XML names, binary
/// formats): a JSON body is written from the value alone, and its schema need not be
/// looked up.
pub fn reads_schema(media_type: &str) -> bool {
    let essence = crate::wire::essence(media_type);
    let sub = essence.split_once('/').map_or("", |(_, sub)| sub);
    !(sub == "json" || sub.ends_with("+json") || sub.ends_with("-json"))
}

/// Serialises a value for a media type. `schema` (with `root` for `$ref`) drives XML names.
pub fn render(
    value: &Value,
    media_type: &str,
    schema: Option<&Value>,
    root: &Value,
) -> Result<Bytes, RenderError> {
    let essence = crate::wire::essence(media_type);
    let (kind, sub) = essence.split_once('/').unwrap_or((&*essence, ""));
    if sub == "json" || sub.ends_with("+json") || sub.ends_with("-json") {
        return json(value);
    }
    if sub == "xml" || sub.ends_with("+xml") {
        return Ok(Bytes::from(xml(value, schema, root)));
    }
    match (kind, sub) {
        ("text", "csv") => csv(value).map(Bytes::from),
        ("application", "x-www-form-urlencoded") => form(value).map(Bytes::from),
        ("application", "octet-stream") | ("image" | "audio" | "video" | "font", _) => {
            octet(value, schema, root)
        }
        ("application", "pdf" | "zip" | "gzip") => octet(value, schema, root),
        ("text", _) => text(value, &essence).map(Bytes::from),
        // Anything else: a string as it is, other values as JSON.
        _ => match value {
            Value::String(s) => Ok(Bytes::from(s.clone())),
            v => json(v),
        },
    }
}

fn json(value: &Value) -> Result<Bytes, RenderError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| RenderError(e.to_string()))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn text(value: &Value, media_type: &str) -> Result<String, RenderError> {
    scalar_text(value).ok_or_else(|| {
        RenderError(format!(
            "cannot render {} as {media_type}: only a string, number or boolean has a plain-text form",
            if value.is_array() { "an array" } else { "an object" }
        ))
    })
}

fn csv_field(v: &Value) -> String {
    let s = match v {
        Value::Object(_) | Value::Array(_) => v.to_string(),
        other => scalar_text(other).unwrap_or_default(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv(value: &Value) -> Result<String, RenderError> {
    let rows: Vec<&Map<String, Value>> = match value {
        Value::Array(items) => {
            if items.iter().all(|i| !i.is_object()) {
                // A list of scalars: one column.
                let mut out = String::from("value\r\n");
                for i in items {
                    out.push_str(&csv_field(i));
                    out.push_str("\r\n");
                }
                return Ok(out);
            }
            items
                .iter()
                .map(|i| {
                    i.as_object().ok_or_else(|| {
                        RenderError(
                            "cannot render as text/csv: array mixes objects and other values"
                                .into(),
                        )
                    })
                })
                .collect::<Result<_, _>>()?
        }
        Value::Object(o) => vec![o],
        other => return text(other, "text/csv"),
    };
    let mut header: Vec<&str> = Vec::new();
    for r in &rows {
        for k in r.keys() {
            if !header.contains(&k.as_str()) {
                header.push(k);
            }
        }
    }
    let mut out = header
        .iter()
        .map(|h| csv_field(&Value::String((*h).to_string())))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for r in rows {
        let line: Vec<String> = header
            .iter()
            .map(|h| r.get(*h).map(csv_field).unwrap_or_default())
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn form(value: &Value) -> Result<String, RenderError> {
    let Value::Object(o) = value else {
        return Err(RenderError(
            "cannot render as application/x-www-form-urlencoded: not an object".into(),
        ));
    };
    let mut parts = Vec::new();
    for (k, v) in o {
        match v {
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                for i in items {
                    parts.push(format!(
                        "{}={}",
                        form_encode(k),
                        form_encode(&scalar_text(i).unwrap_or_default())
                    ));
                }
            }
            Value::Object(_) | Value::Array(_) => parts.push(format!(
                "{}={}",
                form_encode(k),
                form_encode(&v.to_string())
            )),
            other => parts.push(format!(
                "{}={}",
                form_encode(k),
                form_encode(&scalar_text(other).unwrap_or_default())
            )),
        }
    }
    Ok(parts.join("&"))
}

fn octet(value: &Value, schema: Option<&Value>, root: &Value) -> Result<Bytes, RenderError> {
    match value {
        Value::String(s) => {
            let is_byte = schema
                .map(|s| resolve(root, s, &mut None))
                .and_then(|s| s.get("format"))
                .and_then(Value::as_str)
                == Some("byte");
            if is_byte && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(s) {
                return Ok(Bytes::from(raw));
            }
            Ok(Bytes::from(s.clone()))
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => {
            Ok(Bytes::from(scalar_text(value).unwrap_or_default()))
        }
        _ => Err(RenderError(
            "cannot render an object or array as application/octet-stream".into(),
        )),
    }
}

// ----- XML ---------------------------------------------------------------------------

/// Follows `$ref`s (local, `#/...`), noting the last schema name on the way.
fn resolve<'v>(root: &'v Value, mut s: &'v Value, name: &mut Option<String>) -> &'v Value {
    for _ in 0..32 {
        let Some(r) = s.get("$ref").and_then(Value::as_str) else {
            return s;
        };
        let Some(frag) = r.strip_prefix('#') else {
            return s;
        };
        let decoded = percent_encoding::percent_decode_str(frag)
            .decode_utf8_lossy()
            .into_owned();
        match crate::pointer::get(root, &decoded) {
            Some(t) => {
                let seg = r.rsplit('/').next().unwrap_or(r);
                *name = Some(
                    percent_encoding::percent_decode_str(
                        &seg.replace("~1", "/").replace("~0", "~"),
                    )
                    .decode_utf8_lossy()
                    .into_owned(),
                );
                s = t;
            }
            None => return s,
        }
    }
    s
}

/// The `xml` object of a schema, looking through `$ref` and `allOf`.
fn xml_obj<'v>(root: &'v Value, s: &'v Value) -> Option<&'v Map<String, Value>> {
    let s = resolve(root, s, &mut None);
    if let Some(x) = s.get("xml").and_then(Value::as_object) {
        return Some(x);
    }
    s.get("allOf")?
        .as_array()?
        .iter()
        .find_map(|b| xml_obj(root, b))
}

/// A property's schema, looking through `$ref`, `allOf`, `oneOf` and `anyOf`.
fn prop_schema<'v>(root: &'v Value, s: &'v Value, name: &str, depth: usize) -> Option<&'v Value> {
    if depth > 16 {
        return None;
    }
    let s = resolve(root, s, &mut None);
    if let Some(p) = s.get("properties").and_then(|p| p.get(name)) {
        return Some(p);
    }
    ["allOf", "oneOf", "anyOf"]
        .iter()
        .filter_map(|k| s.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|b| prop_schema(root, b, name, depth + 1))
}

fn items_schema<'v>(root: &'v Value, s: &'v Value) -> Option<&'v Value> {
    let s = resolve(root, s, &mut None);
    s.get("items").or_else(|| {
        s.get("allOf")?
            .as_array()?
            .iter()
            .find_map(|b| items_schema(root, b))
    })
}

fn xml_escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A valid XML name: invalid characters become `_`, a leading digit gets a `_`.
fn xml_name(n: &str) -> String {
    let mut out: String = n
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
        out.insert(0, '_');
    }
    out
}

/// Name, prefix and namespace of an element from its `xml` object and a default name.
fn element(x: Option<&Map<String, Value>>, default: &str) -> (String, Option<String>) {
    let name = x
        .and_then(|x| x.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(default);
    let prefix = x
        .and_then(|x| x.get("prefix"))
        .and_then(Value::as_str)
        .filter(|p| !p.is_empty());
    let tag = match prefix {
        Some(p) => format!("{}:{}", xml_name(p), xml_name(name)),
        None => xml_name(name),
    };
    let ns = x
        .and_then(|x| x.get("namespace"))
        .and_then(Value::as_str)
        .map(|ns| match prefix {
            Some(p) => format!(" xmlns:{}=\"{}\"", xml_name(p), xml_escape(ns, true)),
            None => format!(" xmlns=\"{}\"", xml_escape(ns, true)),
        });
    (tag, ns)
}

fn xml(value: &Value, schema: Option<&Value>, root: &Value) -> String {
    let empty = Value::Bool(true);
    let schema = schema.unwrap_or(&empty);
    let mut ref_name = None;
    resolve(root, schema, &mut ref_name);
    let x = xml_obj(root, schema);
    let default = ref_name.unwrap_or_else(|| "root".to_string());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // A top-level array is one element (the root) holding its items.
    if let Value::Array(items) = value {
        let (tag, ns) = element(x, &default);
        let _ = write!(out, "<{tag}{}>", ns.unwrap_or_default());
        let item_schema = items_schema(root, schema);
        let ix = item_schema.and_then(|s| xml_obj(root, s));
        let mut item_ref = None;
        if let Some(s) = item_schema {
            resolve(root, s, &mut item_ref);
        }
        let item_default = item_ref.unwrap_or_else(|| "item".to_string());
        for i in items {
            write_value(&mut out, i, item_schema, ix, &item_default, root, 0);
        }
        let _ = write!(out, "</{tag}>");
        return out;
    }
    write_value(&mut out, value, Some(schema), x, &default, root, 0);
    out
}

fn write_value(
    out: &mut String,
    value: &Value,
    schema: Option<&Value>,
    x: Option<&Map<String, Value>>,
    default: &str,
    root: &Value,
    depth: usize,
) {
    let (tag, ns) = element(x, default);
    let ns = ns.unwrap_or_default();
    match value {
        Value::Object(o) => {
            let mut attrs = String::new();
            let mut children = String::new();
            for (k, v) in o {
                let ps = schema.and_then(|s| prop_schema(root, s, k, 0));
                let px = ps.and_then(|s| xml_obj(root, s));
                if px.and_then(|x| x.get("attribute")) == Some(&Value::Bool(true))
                    && let Some(t) = scalar_text(v)
                {
                    let (aname, ans) = element(px, k);
                    let _ = write!(
                        attrs,
                        " {aname}=\"{}\"{}",
                        xml_escape(&t, true),
                        ans.unwrap_or_default()
                    );
                    continue;
                }
                if depth > 64 {
                    continue;
                }
                write_property(&mut children, k, v, ps, px, root, depth + 1);
            }
            if children.is_empty() {
                let _ = write!(out, "<{tag}{ns}{attrs}/>");
            } else {
                let _ = write!(out, "<{tag}{ns}{attrs}>{children}</{tag}>");
            }
        }
        Value::Array(items) => {
            // Reached only for nested arrays of arrays: each item under this name.
            let _ = write!(out, "<{tag}{ns}>");
            for i in items {
                write_value(out, i, None, None, "item", root, depth + 1);
            }
            let _ = write!(out, "</{tag}>");
        }
        Value::Null => {
            let _ = write!(out, "<{tag}{ns}/>");
        }
        other => {
            let t = scalar_text(other).unwrap_or_default();
            let _ = write!(out, "<{tag}{ns}>{}</{tag}>", xml_escape(&t, false));
        }
    }
}

/// One property: arrays repeat their items under the property's name, or under a
/// wrapper element of that name when `xml.wrapped` is set.
fn write_property(
    out: &mut String,
    name: &str,
    value: &Value,
    schema: Option<&Value>,
    x: Option<&Map<String, Value>>,
    root: &Value,
    depth: usize,
) {
    let Value::Array(items) = value else {
        write_value(out, value, schema, x, name, root, depth);
        return;
    };
    let item_schema = schema.and_then(|s| items_schema(root, s));
    let ix = item_schema.and_then(|s| xml_obj(root, s));
    let wrapped = x.and_then(|x| x.get("wrapped")) == Some(&Value::Bool(true));
    if wrapped {
        let (tag, ns) = element(x, name);
        let _ = write!(out, "<{tag}{}>", ns.unwrap_or_default());
        // Items are named by their own `xml.name`, else the array's name.
        let item_default = x
            .and_then(|x| x.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(name);
        for i in items {
            write_value(out, i, item_schema, ix, item_default, root, depth + 1);
        }
        let _ = write!(out, "</{tag}>");
    } else {
        let item_default = x
            .and_then(|x| x.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(name);
        for i in items {
            write_value(out, i, item_schema, ix, item_default, root, depth + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(b: Result<Bytes, RenderError>) -> String {
        String::from_utf8(b.map(|b| b.to_vec()).unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn a_json_body_is_written_without_its_schema_and_others_read_it() {
        let v = json!({"a": 1});
        let root = json!({});
        // A schema that would change the XML (its root name) changes no JSON.
        let schema = json!({"xml": {"name": "thing"}});
        for mt in [
            "application/json",
            "application/problem+json",
            "Application/JSON; x=1",
            "application/vnd.acme-json",
        ] {
            assert!(!reads_schema(mt), "{mt}");
            assert_eq!(
                s(render(&v, mt, Some(&schema), &root)),
                s(render(&v, mt, None, &root)),
                "{mt}"
            );
        }
        for mt in [
            "application/xml",
            "text/xml",
            "application/atom+xml",
            "application/octet-stream",
            "text/plain",
        ] {
            assert!(reads_schema(mt), "{mt}");
        }
        assert_ne!(
            s(render(&v, "application/xml", Some(&schema), &root)),
            s(render(&v, "application/xml", None, &root))
        );
    }

    #[test]
    fn json_and_plus_json() {
        let v = json!({"a": 1});
        assert_eq!(
            s(render(&v, "application/json", None, &json!({}))),
            r#"{"a":1}"#
        );
        assert_eq!(
            s(render(
                &v,
                "application/problem+json; charset=utf-8",
                None,
                &json!({})
            )),
            r#"{"a":1}"#
        );
    }

    #[test]
    fn xml_shapes() {
        let root = json!({"components": {"schemas": {"Pet": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "xml": {"attribute": true}},
                "name": {"type": "string", "xml": {"name": "petName"}},
                "tags": {"type": "array", "xml": {"wrapped": true}, "items": {"type": "string", "xml": {"name": "tag"}}},
                "photos": {"type": "array", "items": {"type": "string"}}
            },
            "xml": {"namespace": "http://example.com/schema", "prefix": "ex"}
        }, "Plain": {"type": "object", "properties": {"a": {"type": "string"}}}}}});
        let v = json!({"id": 7, "name": "Rex & co", "tags": ["a", "b"], "photos": ["p1", "p2"]});
        let out = s(render(
            &v,
            "application/xml",
            Some(&json!({"$ref": "#/components/schemas/Pet"})),
            &root,
        ));
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ex:Pet xmlns:ex=\"http://example.com/schema\" id=\"7\">\
             <petName>Rex &amp; co</petName><tags><tag>a</tag><tag>b</tag></tags><photos>p1</photos><photos>p2</photos></ex:Pet>"
        );
        // Root named after the `$ref`, else `root`.
        let out = s(render(
            &json!({"a": "x"}),
            "text/xml",
            Some(&json!({"$ref": "#/components/schemas/Plain"})),
            &root,
        ));
        assert!(out.ends_with("<Plain><a>x</a></Plain>"), "{out}");
        let out = s(render(
            &json!({"a": "x"}),
            "application/atom+xml",
            None,
            &root,
        ));
        assert!(out.ends_with("<root><a>x</a></root>"), "{out}");
        let out = s(render(
            &json!({"a": "x"}),
            "application/xml",
            Some(&json!({"xml": {"name": "thing"}})),
            &root,
        ));
        assert!(out.ends_with("<thing><a>x</a></thing>"), "{out}");
        // A top-level array of referenced items.
        let out = s(render(
            &json!([{"a": "1"}]),
            "application/xml",
            Some(&json!({"type": "array", "items": {"$ref": "#/components/schemas/Plain"}})),
            &root,
        ));
        assert!(
            out.ends_with("<root><Plain><a>1</a></Plain></root>"),
            "{out}"
        );
    }

    #[test]
    fn csv_rows() {
        let v = json!([{"id": 1, "name": "a, b"}, {"id": 2, "note": "say \"hi\""}]);
        assert_eq!(
            s(render(&v, "text/csv", None, &json!({}))),
            "id,name,note\r\n1,\"a, b\",\r\n2,,\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            s(render(&json!({"x": true}), "text/csv", None, &json!({}))),
            "x\r\ntrue\r\n"
        );
    }

    #[test]
    fn form_fields() {
        let v = json!({"name": "Jo Doe", "tags": ["a", "b"], "n": 3, "e": "a&b=c"});
        assert_eq!(
            s(render(
                &v,
                "application/x-www-form-urlencoded",
                None,
                &json!({})
            )),
            "name=Jo+Doe&tags=a&tags=b&n=3&e=a%26b%3Dc"
        );
    }

    #[test]
    fn plain_and_octets() {
        assert_eq!(
            s(render(&json!("hello"), "text/plain", None, &json!({}))),
            "hello"
        );
        assert_eq!(
            s(render(&json!(12.5), "text/plain", None, &json!({}))),
            "12.5"
        );
        let e = render(&json!({"a": 1}), "text/plain", None, &json!({}));
        assert!(e.is_err_and(|e| e.0.contains("text/plain")));
        let b = render(
            &json!("aGVsbG8="),
            "application/octet-stream",
            Some(&json!({"type": "string", "format": "byte"})),
            &json!({}),
        );
        assert_eq!(s(b), "hello");
        let b = render(
            &json!("raw"),
            "application/octet-stream",
            Some(&json!({"type": "string", "format": "binary"})),
            &json!({}),
        );
        assert_eq!(s(b), "raw");
    }
}
