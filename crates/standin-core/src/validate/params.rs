//! Parameters read from a request as typed JSON, the way OpenAPI serialises them.
//!
//! Each location has its styles: path `simple`, `label` and `matrix`; query `form`
//! (exploded or not), `spaceDelimited`, `pipeDelimited` and `deepObject`; headers
//! `simple`; cookies `form`; and Swagger 2.0's `collectionFormat` (`csv`, `ssv`, `tsv`,
//! `pipes`, `multi`). The text is split by style, then each piece is coerced to the type
//! the schema expects ([`Shape::coerce`]); the validator then judges the value. A
//! parameter defined with `content` (a JSON-encoded value) is parsed as JSON.

use std::borrow::Cow;

use http::HeaderMap;
use serde_json::{Map, Value};

use super::schema::{Shape, ty};
use crate::model::{ParamIn, Parameter};
use crate::wire::Pair;

/// The cookies of a request, in order.
pub(crate) fn cookie_pairs(headers: &HeaderMap) -> Vec<Pair<'_>> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            let (k, v) = c.split_once('=')?;
            let v = v.trim().trim_matches('"');
            Some((Cow::Borrowed(k.trim()), Cow::Borrowed(v)))
        })
        .collect()
}

/// Everything a parameter is read from.
pub(crate) struct Sources<'a> {
    /// Decoded query pairs.
    pub query: &'a [Pair<'a>],
    /// Cookies.
    pub cookies: &'a [Pair<'a>],
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Decoded path parameters.
    pub path: &'a [(String, String)],
    /// Whether the document is Swagger 2.0 (arrays default to `csv` there).
    pub swagger: bool,
    /// The operation's parameters: an exploded free-form object takes the query pairs
    /// no other query parameter claims.
    pub declared: &'a [Parameter],
}

/// The value of `p` as JSON, or `None` when the request does not carry it.
pub(crate) fn extract(
    p: &Parameter,
    shape: &Shape,
    json_content: bool,
    src: &Sources<'_>,
) -> Option<Value> {
    match p.location {
        ParamIn::Query => query(p, shape, json_content, src),
        ParamIn::Path => {
            let raw = src.path.iter().find(|(k, _)| *k == p.name)?.1.as_str();
            Some(if json_content {
                json_or_text(raw)
            } else {
                path(p, shape, raw, src.swagger)
            })
        }
        ParamIn::Header => {
            let values: Vec<&str> = src
                .headers
                .get_all(p.name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if values.is_empty() {
                return None;
            }
            let raw = values.join(",");
            Some(if json_content {
                json_or_text(&raw)
            } else {
                simple(p, shape, &raw, src.swagger)
            })
        }
        ParamIn::Cookie => {
            let values: Vec<&str> = src
                .cookies
                .iter()
                .filter(|(k, _)| *k == p.name)
                .map(|(_, v)| v.as_ref())
                .collect();
            let first = *values.first()?;
            Some(if json_content {
                json_or_text(first)
            } else if shape.is_array() && p.explode && values.len() > 1 {
                items(shape, values.iter().copied())
            } else if shape.is_array() {
                items(shape, first.split(','))
            } else if shape.is_object() {
                object(shape, pairs_flat(first.split(',')))
            } else {
                shape.coerce(first)
            })
        }
    }
}

fn json_or_text(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
}

fn query(p: &Parameter, shape: &Shape, json_content: bool, src: &Sources<'_>) -> Option<Value> {
    let name = p.name.as_str();
    let values: Vec<&str> = src
        .query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_ref())
        .collect();
    if json_content {
        return values.first().map(|v| json_or_text(v));
    }
    if shape.is_array() {
        if values.is_empty() {
            return None;
        }
        let delimiter = match delimiter(p, src.swagger) {
            Some(d) => d,
            None => return Some(items(shape, values.iter().copied())),
        };
        return Some(items(shape, values.iter().flat_map(|v| v.split(delimiter))));
    }
    if shape.is_object() {
        if p.style == "deepObject" {
            let prefix = format!("{name}[");
            let found: Vec<(String, &str)> = src
                .query
                .iter()
                .filter_map(|(k, v)| {
                    let rest = k.strip_prefix(&prefix)?;
                    let key = rest.split(']').next()?;
                    Some((key.to_string(), v.as_ref()))
                })
                .collect();
            return (!found.is_empty()).then(|| object(shape, found));
        }
        if p.explode {
            // Exploded form objects spread their properties over the query string.
            let found: Vec<(String, &str)> = src
                .query
                .iter()
                .filter(|(k, _)| {
                    if shape.properties.is_empty() {
                        !k.starts_with("__")
                            && !src
                                .declared
                                .iter()
                                .any(|d| d.location == ParamIn::Query && d.name == *k)
                    } else {
                        shape.properties.iter().any(|(n, _)| n == k)
                    }
                })
                .map(|(k, v)| (k.to_string(), v.as_ref()))
                .collect();
            return (!found.is_empty()).then(|| object(shape, found));
        }
        let first = *values.first()?;
        let delimiter = match p.style.as_str() {
            "spaceDelimited" => ' ',
            "pipeDelimited" => '|',
            _ => ',',
        };
        return Some(object(shape, pairs_flat(first.split(delimiter))));
    }
    values.first().map(|v| shape.coerce(v))
}

/// The delimiter of a non-exploded array, `None` when items are repeated parameters.
fn delimiter(p: &Parameter, swagger: bool) -> Option<char> {
    if swagger || p.collection_format.is_some() {
        return match p.collection_format.as_deref().unwrap_or("csv") {
            "multi" => None,
            "ssv" => Some(' '),
            "tsv" => Some('\t'),
            "pipes" => Some('|'),
            _ => Some(','),
        };
    }
    if p.explode {
        return None;
    }
    Some(match p.style.as_str() {
        "spaceDelimited" => ' ',
        "pipeDelimited" => '|',
        _ => ',',
    })
}

/// A `simple`-style value (headers, and path parameters of that style).
fn simple(p: &Parameter, shape: &Shape, raw: &str, swagger: bool) -> Value {
    let d = if swagger {
        delimiter(p, true).unwrap_or(',')
    } else {
        ','
    };
    simple_value(shape, raw, d, p.explode)
}

/// A `simple`-style text as the value `shape` expects: a list split on `delimiter`, an
/// object of `k,v` pairs (`k=v` when exploded), else one coerced value.
pub(crate) fn simple_value(shape: &Shape, raw: &str, delimiter: char, explode: bool) -> Value {
    if shape.is_array() {
        return list(shape, raw, delimiter);
    }
    if shape.is_object() {
        return if explode {
            object(shape, pairs_eq(raw.split(',')))
        } else {
            object(shape, pairs_flat(raw.split(',')))
        };
    }
    shape.coerce(raw)
}

fn path(p: &Parameter, shape: &Shape, raw: &str, swagger: bool) -> Value {
    match p.style.as_str() {
        "label" => {
            let body = raw.strip_prefix('.').unwrap_or(raw);
            let sep = if p.explode { '.' } else { ',' };
            if shape.is_array() {
                items(shape, body.split(sep))
            } else if shape.is_object() && p.explode {
                object(shape, pairs_eq(body.split('.')))
            } else if shape.is_object() {
                object(shape, pairs_flat(body.split(',')))
            } else {
                shape.coerce(body)
            }
        }
        "matrix" => {
            let prefix = format!(";{}=", p.name);
            if shape.is_object() && p.explode {
                let body = raw.strip_prefix(';').unwrap_or(raw);
                return object(shape, pairs_eq(body.split(';')));
            }
            if shape.is_array() && p.explode {
                let values = raw
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.split_once('=').map_or(s, |(_, v)| v));
                return items(shape, values);
            }
            let body = raw
                .strip_prefix(&prefix)
                .or_else(|| raw.strip_prefix(';'))
                .unwrap_or(raw);
            if shape.is_array() {
                items(shape, body.split(','))
            } else if shape.is_object() {
                object(shape, pairs_flat(body.split(',')))
            } else {
                shape.coerce(body)
            }
        }
        _ => simple(p, shape, raw, swagger),
    }
}

/// A delimited list; items that are themselves JSON arrays or objects (which no style
/// defines, but clients send) are read as one JSON list when the text is one.
fn list(shape: &Shape, raw: &str, delimiter: char) -> Value {
    let nested = shape
        .items
        .as_deref()
        .is_some_and(|i| i.types & (ty::ARRAY | ty::OBJECT) != 0);
    if nested
        && delimiter == ','
        && (raw.starts_with('[') || raw.starts_with('{'))
        && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(&format!("[{raw}]"))
    {
        return Value::Array(items);
    }
    items(shape, raw.split(delimiter))
}

fn items<'a>(shape: &Shape, values: impl Iterator<Item = &'a str>) -> Value {
    let item = shape.items.as_deref();
    Value::Array(
        values
            .map(|v| match item {
                Some(s) => s.coerce(v),
                None => Value::String(v.to_string()),
            })
            .collect(),
    )
}

/// `k,v,k,v` → pairs.
fn pairs_flat<'a>(mut parts: impl Iterator<Item = &'a str>) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    while let Some(k) = parts.next() {
        if k.is_empty() {
            continue;
        }
        out.push((k.to_string(), parts.next().unwrap_or("")));
    }
    out
}

/// `k=v,k=v` → pairs.
fn pairs_eq<'a>(parts: impl Iterator<Item = &'a str>) -> Vec<(String, &'a str)> {
    parts
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (k, v) = s.split_once('=').unwrap_or((s, ""));
            (k.to_string(), v)
        })
        .collect()
}

fn object(shape: &Shape, pairs: Vec<(String, &str)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        let value = match shape.property(&k) {
            Some(s) if s.is_array() && (v.starts_with('[') || v.starts_with('{')) => {
                match serde_json::from_str::<Value>(v) {
                    Ok(parsed @ Value::Array(_)) => parsed,
                    _ => list(s, v, ','),
                }
            }
            Some(s) if s.is_array() => list(s, v, ','),
            Some(s) => s.coerce(v),
            None => Value::String(v.to_string()),
        };
        map.insert(k, value);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form_pairs_borrowed;
    use serde_json::json;

    fn param(location: ParamIn, style: &str, explode: bool) -> Parameter {
        Parameter {
            name: "id".into(),
            location,
            required: true,
            schema: None,
            json_content: false,
            style: style.into(),
            explode,
            collection_format: None,
            allow_empty_value: false,
            pointer: String::new(),
        }
    }

    fn shape(schema: Value) -> Shape {
        Shape::of(&schema, &json!({}))
    }

    fn from_path(p: &Parameter, s: &Shape, raw: &str) -> Value {
        let path = vec![("id".to_string(), raw.to_string())];
        let headers = HeaderMap::new();
        let src = Sources {
            query: &[],
            cookies: &[],
            headers: &headers,
            path: &path,
            swagger: false,
            declared: &[],
        };
        extract(p, s, false, &src).unwrap()
    }

    #[test]
    fn path_styles() {
        let arr = shape(json!({"type": "array", "items": {"type": "integer"}}));
        let obj = shape(
            json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}),
        );
        let cases: Vec<(Parameter, &Shape, &str, Value)> = vec![
            (
                param(ParamIn::Path, "simple", false),
                &arr,
                "3,4,5",
                json!([3, 4, 5]),
            ),
            (
                param(ParamIn::Path, "simple", false),
                &obj,
                "a,1,b,x",
                json!({"a": 1, "b": "x"}),
            ),
            (
                param(ParamIn::Path, "simple", true),
                &obj,
                "a=1,b=x",
                json!({"a": 1, "b": "x"}),
            ),
            (
                param(ParamIn::Path, "label", false),
                &arr,
                ".3,4,5",
                json!([3, 4, 5]),
            ),
            (
                param(ParamIn::Path, "label", true),
                &arr,
                ".3.4.5",
                json!([3, 4, 5]),
            ),
            (
                param(ParamIn::Path, "label", true),
                &obj,
                ".a=1.b=x",
                json!({"a": 1, "b": "x"}),
            ),
            (
                param(ParamIn::Path, "matrix", false),
                &arr,
                ";id=3,4,5",
                json!([3, 4, 5]),
            ),
            (
                param(ParamIn::Path, "matrix", true),
                &arr,
                ";id=3;id=4;id=5",
                json!([3, 4, 5]),
            ),
            (
                param(ParamIn::Path, "matrix", true),
                &obj,
                ";a=1;b=x",
                json!({"a": 1, "b": "x"}),
            ),
            (
                param(ParamIn::Path, "matrix", false),
                &obj,
                ";id=a,1,b,x",
                json!({"a": 1, "b": "x"}),
            ),
        ];
        for (p, s, raw, want) in cases {
            assert_eq!(
                from_path(&p, s, raw),
                want,
                "{} {} {raw}",
                p.style,
                p.explode
            );
        }
    }

    #[test]
    fn query_styles() {
        let arr = shape(json!({"type": "array", "items": {"type": "integer"}}));
        let headers = HeaderMap::new();
        let run = |p: &Parameter, q: &str, s: &Shape| {
            let query = form_pairs_borrowed(Some(q));
            let src = Sources {
                query: &query,
                cookies: &[],
                headers: &headers,
                path: &[],
                swagger: false,
                declared: &[],
            };
            extract(p, s, false, &src)
        };
        assert_eq!(
            run(&param(ParamIn::Query, "form", true), "id=1&id=2", &arr),
            Some(json!([1, 2]))
        );
        assert_eq!(
            run(&param(ParamIn::Query, "form", false), "id=1,2", &arr),
            Some(json!([1, 2]))
        );
        assert_eq!(
            run(
                &param(ParamIn::Query, "spaceDelimited", false),
                "id=1%202",
                &arr
            ),
            Some(json!([1, 2]))
        );
        assert_eq!(
            run(
                &param(ParamIn::Query, "pipeDelimited", false),
                "id=1|2",
                &arr
            ),
            Some(json!([1, 2]))
        );
        let obj = shape(json!({"type": "object", "properties": {"a": {"type": "integer"}}}));
        assert_eq!(
            run(&param(ParamIn::Query, "deepObject", true), "id[a]=1", &obj),
            Some(json!({"a": 1}))
        );
        assert_eq!(
            run(&param(ParamIn::Query, "form", true), "a=1&__code=200", &obj),
            Some(json!({"a": 1}))
        );
        let mut p = param(ParamIn::Query, "form", true);
        p.collection_format = Some("pipes".into());
        assert_eq!(run(&p, "id=1|2", &arr), Some(json!([1, 2])));
        p.collection_format = Some("multi".into());
        assert_eq!(run(&p, "id=1&id=2", &arr), Some(json!([1, 2])));
        assert_eq!(run(&p, "other=1", &arr), None);
    }
}
