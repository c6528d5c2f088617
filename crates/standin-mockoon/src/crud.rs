//! `crud` routes: what each request does to the data bucket's value, as Mockoon's CRUD
//! actions do it — the list with its search, filter (`field_eq`, `_ne`, `_gt`, `_gte`,
//! `_lt`, `_lte`, `_like`, `_start`, `_end`), `sort`/`order` and `page`/`limit` query
//! parameters and `X-Total-Count`/`X-Filtered-Count`, an item by its `crudKey`,
//! create (the key made one above the highest number, else a uuid), replace, merge,
//! remove, and the whole bucket replaced, merged or emptied. The value is changed in
//! place; the caller keeps it in the store.

use serde_json::{Map, Value};

use crate::path::at_path;

/// What a CRUD request answers: a status when the action sets one, the body, and the
/// list's count headers.
#[derive(Debug, PartialEq)]
pub struct CrudAnswer {
    /// The status, when the action decides it (else the response's own).
    pub status: Option<u16>,
    /// The body.
    pub body: Value,
    /// `X-Total-Count` and `X-Filtered-Count` of a list.
    pub counts: Option<(usize, usize)>,
}

/// The request as an action reads it.
pub struct CrudRequest<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The segment after the route's path.
    pub id: Option<&'a str>,
    /// The query parameters (a repeated one is an array).
    pub query: &'a Map<String, Value>,
    /// The body, parsed.
    pub body: &'a Value,
    /// A uuid, for an item created without a key in a bucket of no numeric keys.
    pub uuid: String,
    /// The key a created item gets, rendered from the expression the bucket's template
    /// gives the key (it wins over the uuid and the next number).
    pub made_key: Option<Value>,
}

/// The templating expression a bucket's template gives its items' key
/// (`"id": "{{faker 'string.uuid'}}"`), found as Mockoon finds it: the property at the
/// key's path in the template's object structure, expressions blanked out while reading
/// the structure.
pub fn key_expression(template: &str, key: &str) -> Option<String> {
    let expr = regex::Regex::new(r"\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\}").ok()?;
    let structure = expr.replace_all(template, |c: &regex::Captures<'_>| " ".repeat(c[0].len()));
    let token = regex::Regex::new(r#"\{|\}|["']?([A-Za-z_$][\w$]*)["']?\s*:"#).ok()?;
    let at_value =
        regex::Regex::new(r#"^\s*"?((?:\{\{\{[\s\S]*?\}\}\}|\{\{[\s\S]*?\}\})+)"?"#).ok()?;
    let want: Vec<&str> = path_of(key);
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut pending: Option<Vec<String>> = None;
    for m in token.captures_iter(&structure) {
        let all = m.get(0)?;
        match all.as_str() {
            "{" => {
                let p = pending
                    .take()
                    .or_else(|| paths.last().cloned())
                    .unwrap_or_default();
                paths.push(p);
            }
            "}" => {
                paths.pop();
                pending = None;
            }
            _ => {
                let mut path = paths.last().cloned().unwrap_or_default();
                path.push(m[1].to_string());
                let rest = template.get(all.end()..)?;
                if let Some(v) = at_value.captures(rest)
                    && path.iter().map(String::as_str).eq(want.iter().copied())
                {
                    return Some(v[1].to_string());
                }
                pending = Some(path);
            }
        }
    }
    None
}

/// A rendered key: a number when it reads back as the same number, else the text.
pub fn cast_key(text: &str) -> Option<Value> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<i64>() {
        Ok(n) if n.to_string() == t => Value::from(n),
        _ => match t.parse::<f64>() {
            Ok(f)
                if f.is_finite()
                    && serde_json::Number::from_f64(f).is_some_and(|n| n.to_string() == t) =>
            {
                serde_json::Number::from_f64(f).map_or(Value::String(t.into()), Value::Number)
            }
            _ => Value::String(t.to_string()),
        },
    })
}

/// A uuid v4 drawn from the request's entropy.
pub fn uuid(entropy: u64) -> String {
    let a = entropy.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    uuid_of(a, a.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03)
}

/// The uuid v4 written from two random numbers: the version and variant bits set, the
/// rest their hex digits (the faker's `string.uuid` uses it too).
pub fn uuid_of(a: u64, b: u64) -> String {
    let mut out = String::with_capacity(36);
    for (n, digits) in [
        (a >> 32, 8),
        ((a >> 16) & 0xffff, 4),
        (0x4000 | (a & 0xfff), 4),
        (0x8000 | ((b >> 48) & 0x3fff), 4),
        (b & 0xffff_ffff_ffff, 12),
    ] {
        if !out.is_empty() {
            out.push('-');
        }
        for i in (0..digits).rev() {
            let d = ((n >> (4 * i)) & 0xf) as u8;
            out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
        }
    }
    out
}

fn answer(status: Option<u16>, body: Value) -> CrudAnswer {
    CrudAnswer {
        status,
        body,
        counts: None,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn path_of(key: &str) -> Vec<&str> {
    key.split('.').filter(|s| !s.is_empty()).collect()
}

fn get_path<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    crate::path::at_segments(v, &path_of(key))
}

fn set_path(v: &mut Value, key: &str, new: Value) {
    let segs = path_of(key);
    let mut cur = v;
    for (i, seg) in segs.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        if i + 1 == segs.len() {
            m.insert((*seg).to_string(), new);
            return;
        }
        cur = m.entry((*seg).to_string()).or_insert(Value::Null);
    }
}

/// The index of the item the id names: by key for objects, by position otherwise.
fn find(items: &[Value], key: &str, id: &str) -> Option<usize> {
    items.iter().enumerate().position(|(i, v)| match v {
        Value::Object(_) => get_path(v, key).is_some_and(|k| !k.is_null() && text(k) == id),
        _ => id.parse::<usize>().unwrap_or(0) == i,
    })
}

fn merged(old: &Value, body: &Value) -> Value {
    match (old, body) {
        (Value::Object(o), Value::Object(n)) => {
            let mut m = o.clone();
            m.extend(n.iter().map(|(k, v)| (k.clone(), v.clone())));
            Value::Object(m)
        }
        (Value::Object(o), _) => Value::Object(o.clone()),
        _ => body.clone(),
    }
}

fn q<'q>(query: &'q Map<String, Value>, name: &str) -> Option<&'q str> {
    query.get(name).and_then(Value::as_str)
}

/// JavaScript's `parseInt` of a query parameter, `None` when it gives NaN or 0.
fn int(s: Option<&str>) -> Option<usize> {
    let s = s?.trim_start();
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<usize>().ok().filter(|n| *n > 0)
}

/// Whether any value in `v` contains `query`, without case (booleans and null never do).
fn search(v: &Value, query: &str) -> bool {
    match v {
        Value::Object(m) => m.values().any(|x| search(x, query)),
        Value::Array(a) => a.iter().any(|x| search(x, query)),
        Value::Bool(_) | Value::Null => false,
        other => text(other).to_lowercase().contains(&query.to_lowercase()),
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// JavaScript's relational comparison of a stored value and a query text.
fn order(data: &Value, query: &str) -> Option<std::cmp::Ordering> {
    match data {
        Value::Number(n) => n.as_f64()?.partial_cmp(&query.trim().parse::<f64>().ok()?),
        Value::String(s) => Some(s.as_str().cmp(query)),
        Value::Bool(b) => f64::from(u8::from(*b)).partial_cmp(&query.trim().parse::<f64>().ok()?),
        _ => None,
    }
}

fn filter(data: Option<&Value>, op: &str, query: &str) -> bool {
    let data = data.unwrap_or(&Value::Null);
    let like = |pattern: String| {
        regex::RegexBuilder::new(&pattern)
            .case_insensitive(true)
            .build()
            .is_ok_and(|re| re.is_match(&text(data)))
    };
    let numeric_eq = || {
        num(data)
            .zip(query.trim().parse::<f64>().ok())
            .is_some_and(|(a, b)| a == b)
    };
    use std::cmp::Ordering::*;
    match op {
        "eq" => text(data) == query || numeric_eq(),
        "ne" => text(data) != query && !numeric_eq(),
        "gt" => order(data, query) == Some(Greater),
        "gte" => matches!(order(data, query), Some(Greater | Equal)),
        "lt" => order(data, query) == Some(Less),
        "lte" => matches!(order(data, query), Some(Less | Equal)),
        "like" => like(query.to_string()),
        "start" => like(format!("^{query}")),
        "end" => like(format!("{query}$")),
        _ => true,
    }
}

const FILTERS: [&str; 9] = ["gte", "lte", "eq", "ne", "gt", "lt", "like", "start", "end"];

/// The filters of a list request: (path, operator, value).
fn filters(query: &Map<String, Value>) -> Vec<(&str, &'static str, &str)> {
    query
        .iter()
        .filter_map(|(k, v)| {
            let (path, op) = k.rsplit_once('_')?;
            let op = FILTERS.iter().find(|f| **f == op)?;
            Some((path, *op, v.as_str()?))
        })
        .collect()
}

fn sort_key(v: &Value, prop: &str) -> Value {
    let x = match v {
        Value::Object(m) => m.get(prop).cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    match x {
        Value::String(s) => Value::String(s.to_lowercase()),
        other => other,
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::Equal;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y))
            .unwrap_or(Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Equal,
    }
}

fn list(items: &[Value], req: &CrudRequest<'_>) -> CrudAnswer {
    let total = items.len();
    let mut out: Vec<Value> = items.to_vec();
    if let Some(s) = q(req.query, "search").filter(|s| !s.is_empty()) {
        out.retain(|v| search(v, s));
    }
    let fs = filters(req.query);
    out.retain(|v| fs.iter().all(|(p, op, val)| filter(at_path(v, p), op, val)));
    let filtered = out.len();
    if let Some(prop) = q(req.query, "sort") {
        let desc = q(req.query, "order") == Some("desc");
        // A stable sort, as JavaScript's is.
        out.sort_by(|a, b| {
            let o = compare(&sort_key(a, prop), &sort_key(b, prop));
            if desc { o.reverse() } else { o }
        });
    }
    if req.query.contains_key("limit") || req.query.contains_key("page") {
        let limit = int(q(req.query, "limit")).unwrap_or(10);
        let page = int(q(req.query, "page")).unwrap_or(1);
        let start = (page - 1).saturating_mul(limit).min(out.len());
        let end = page.saturating_mul(limit).min(out.len());
        out = out[start..end].to_vec();
    }
    CrudAnswer {
        status: None,
        body: Value::Array(out),
        counts: Some((total, filtered)),
    }
}

/// The key a created item gets: one above the highest numeric key, else a uuid.
fn new_key(items: &[Value], key: &str, uuid: String) -> Value {
    items
        .iter()
        .filter_map(|v| get_path(v, key))
        .filter_map(Value::as_f64)
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
        .map_or(Value::String(uuid), |m| {
            serde_json::Number::from_f64(m + 1.0)
                .map(|n| match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Value::from(f as i64),
                    _ => Value::Number(n),
                })
                .unwrap_or(Value::Null)
        })
}

/// Applies a CRUD request to a bucket's value, keyed by `key` (a property path).
pub fn apply(bucket: &mut Value, key: &str, req: &CrudRequest<'_>) -> CrudAnswer {
    let body = req.body;
    match (req.method, req.id, bucket) {
        ("GET", None, Value::Array(items)) => list(items, req),
        ("GET", None, v) => answer(None, v.clone()),
        ("GET", Some(id), Value::Array(items)) => match find(items, key, id) {
            Some(i) => answer(None, items[i].clone()),
            None => answer(Some(404), Value::Object(Map::new())),
        },
        ("GET", Some(_), v) => answer(None, v.clone()),
        ("POST", _, Value::Array(items)) => {
            let mut item = body.clone();
            if item.is_object() && get_path(&item, key).is_none() {
                let made = match &req.made_key {
                    Some(k) => k.clone(),
                    None => new_key(items, key, req.uuid.clone()),
                };
                set_path(&mut item, key, made);
            }
            items.push(item.clone());
            answer(Some(201), item)
        }
        ("POST", _, v) => {
            *v = body.clone();
            answer(Some(201), body.clone())
        }
        ("PUT", Some(id), Value::Array(items)) => match find(items, key, id) {
            Some(i) => {
                let slot = &mut items[i];
                if slot.is_object() {
                    let current = get_path(slot, key).cloned();
                    let mut new = match body {
                        Value::Object(_) => body.clone(),
                        _ => Value::Object(Map::new()),
                    };
                    if get_path(body, key).is_none() {
                        set_path(&mut new, key, current.unwrap_or(Value::Null));
                    }
                    *slot = new;
                } else {
                    *slot = body.clone();
                }
                answer(Some(200), slot.clone())
            }
            None => answer(Some(404), Value::Object(Map::new())),
        },
        ("PUT", _, v) => {
            *v = body.clone();
            answer(Some(200), body.clone())
        }
        ("PATCH", Some(id), Value::Array(items)) => match find(items, key, id) {
            Some(i) => {
                items[i] = merged(&items[i], body);
                answer(Some(200), items[i].clone())
            }
            None => answer(Some(404), Value::Object(Map::new())),
        },
        ("PATCH", None, Value::Array(items)) if body.is_array() => {
            items.extend(body.as_array().into_iter().flatten().cloned());
            answer(Some(200), Value::Array(items.clone()))
        }
        ("PATCH", _, v) => {
            *v = merged(v, body);
            answer(Some(200), v.clone())
        }
        ("DELETE", Some(id), Value::Array(items)) => match find(items, key, id) {
            Some(i) => {
                items.remove(i);
                answer(Some(200), Value::Object(Map::new()))
            }
            None => answer(Some(404), Value::Object(Map::new())),
        },
        ("DELETE", _, v) => {
            *v = Value::Null;
            answer(Some(200), Value::Object(Map::new()))
        }
        _ => answer(Some(404), Value::Object(Map::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req<'a>(
        method: &'a str,
        id: Option<&'a str>,
        query: &'a Map<String, Value>,
        body: &'a Value,
    ) -> CrudRequest<'a> {
        CrudRequest {
            method,
            id,
            query,
            body,
            uuid: "u-1".into(),
            made_key: None,
        }
    }

    #[test]
    fn lists_search_filter_sort_and_page_as_mockoon_does() {
        let items = json!([
            {"id": 1, "name": "Lamp", "price": 20},
            {"id": 2, "name": "desk", "price": 150},
            {"id": 3, "name": "Chair", "price": 45}
        ]);
        let mut b = items.clone();
        let query: Map<String, Value> = serde_json::from_value(
            json!({"price_gte": "40", "sort": "name", "order": "desc", "limit": "1", "page": "2"}),
        )
        .unwrap();
        let got = apply(&mut b, "id", &req("GET", None, &query, &Value::Null));
        assert_eq!(got.body, json!([{"id": 3, "name": "Chair", "price": 45}]));
        assert_eq!(got.counts, Some((3, 2)));
        let query: Map<String, Value> = serde_json::from_value(json!({"search": "LA"})).unwrap();
        let got = apply(&mut b, "id", &req("GET", None, &query, &Value::Null));
        assert_eq!(got.body[0]["name"], "Lamp");
        let none = Map::new();
        let made = apply(
            &mut b,
            "id",
            &req("POST", None, &none, &json!({"name": "Sofa"})),
        );
        assert_eq!(
            (made.status, made.body["id"].clone()),
            (Some(201), json!(4))
        );
    }

    #[test]
    fn the_key_expression_is_the_one_at_the_key_path() {
        let t = r#"[{{#repeat 2}}{"user": {"id": "{{int 1 9}}"}, "id": "{{faker 'string.uuid'}}"}{{/repeat}}]"#;
        assert_eq!(
            key_expression(t, "id").as_deref(),
            Some("{{faker 'string.uuid'}}")
        );
        assert_eq!(key_expression(t, "user.id").as_deref(), Some("{{int 1 9}}"));
        assert_eq!(key_expression(r#"[{"id": 1}]"#, "id"), None);
        assert_eq!(cast_key("42"), Some(json!(42)));
        assert_eq!(cast_key("042"), Some(json!("042")));
    }
}
