//! What resources need to know of a schema: its properties and required names through
//! `$ref` and `allOf`, its types, `readOnly`/`writeOnly`, and where one item sits in a
//! response (the whole body, a property of an envelope, the items of a list).

use serde_json::Value;

use crate::model::deref;

/// How deep `$ref` and `allOf` are followed.
const MAX_DEPTH: usize = 16;

/// Names of the envelope property that holds one item.
pub(crate) const ITEM_WRAPPERS: [&str; 6] =
    ["data", "item", "result", "resource", "record", "entity"];

/// Names of the envelope property that holds the items of a list.
pub(crate) const LIST_WRAPPERS: [&str; 9] = [
    "items", "data", "results", "content", "records", "entries", "values", "rows", "list",
];

/// A schema's properties, each with the pointer of its schema, `allOf` members and
/// `$ref`s followed (the first definition of a name wins).
pub(crate) fn properties(root: &Value, schema: &Value, at: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect_properties(root, schema, at, 0, &mut out);
    out
}

fn collect_properties(
    root: &Value,
    schema: &Value,
    at: &str,
    depth: usize,
    out: &mut Vec<(String, String)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let (s, at) = deref(root, schema, at);
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for name in props.keys() {
            if !out.iter().any(|(n, _)| n == name) {
                let ptr =
                    crate::diag::push_pointer(&crate::diag::push_pointer(&at, "properties"), name);
                out.push((name.clone(), ptr));
            }
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for (i, member) in all.iter().enumerate() {
            let p = format!("{at}/allOf/{i}");
            collect_properties(root, member, &p, depth + 1, out);
        }
    }
}

/// The `required` names of a schema, through `allOf` and `$ref`.
pub(crate) fn required(root: &Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_required(root, schema, 0, &mut out);
    out
}

fn collect_required(root: &Value, schema: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    let (s, _) = deref(root, schema, "");
    for name in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    for member in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_required(root, member, depth + 1, out);
    }
}

/// The schema at a pointer, `$ref`s followed.
pub(crate) fn at<'a>(root: &'a Value, ptr: &str) -> Option<(&'a Value, String)> {
    let raw = crate::pointer::get(root, ptr)?;
    Some(deref(root, raw, ptr))
}

/// The first type a schema names, through `allOf` and `$ref` (`type: [x, null]` gives x).
pub(crate) fn type_of(root: &Value, schema: &Value) -> Option<String> {
    type_at(root, schema, 0)
}

fn type_at(root: &Value, schema: &Value, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (s, _) = deref(root, schema, "");
    match s.get("type") {
        Some(Value::String(t)) => return Some(t.clone()),
        Some(Value::Array(ts)) => {
            if let Some(t) = ts.iter().filter_map(Value::as_str).find(|t| *t != "null") {
                return Some(t.to_string());
            }
        }
        _ => {}
    }
    if s.get("properties").is_some() {
        return Some("object".into());
    }
    if s.get("items").is_some() {
        return Some("array".into());
    }
    s.get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find_map(|m| type_at(root, m, depth + 1))
}

/// A keyword of a schema, through `allOf` and `$ref`.
pub(crate) fn keyword<'a>(root: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    keyword_at(root, schema, name, 0)
}

fn keyword_at<'a>(
    root: &'a Value,
    schema: &'a Value,
    name: &str,
    depth: usize,
) -> Option<&'a Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (s, _) = deref(root, schema, "");
    if let Some(v) = s.get(name) {
        return Some(v);
    }
    s.get("allOf")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|m| keyword_at(root, m, name, depth + 1))
}

/// Whether a schema is marked with this boolean keyword (`readOnly`, `writeOnly`).
pub(crate) fn flag(root: &Value, schema: &Value, name: &str) -> bool {
    keyword(root, schema, name) == Some(&Value::Bool(true))
}

/// The pointer of an array schema's `items`.
pub(crate) fn items_of(root: &Value, schema: &Value, at: &str) -> Option<String> {
    items_at(root, schema, at, 0)
}

fn items_at(root: &Value, schema: &Value, at: &str, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (s, at) = deref(root, schema, at);
    if s.get("items").is_some_and(Value::is_object) {
        return Some(format!("{at}/items"));
    }
    let all = s.get("allOf").and_then(Value::as_array)?;
    all.iter()
        .enumerate()
        .find_map(|(i, m)| items_at(root, m, &format!("{at}/allOf/{i}"), depth + 1))
}

/// Says whether an object's properties (name, schema pointer) are an item's.
pub(crate) type LooksLikeItem<'a> = &'a dyn Fn(&[(String, String)]) -> bool;

/// Where one item sits in a response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemPlace {
    /// The body is the item.
    Bare,
    /// The body is an envelope; the item is this property.
    Wrapped(String),
}

/// Where the items of a list sit in a response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListPlace {
    /// The body is an array of items.
    Bare,
    /// The body is an envelope; the items are this property.
    Wrapped(String),
}

/// Where the item sits in the response schema at `ptr`, and the pointer of the item's
/// own schema. `looks_like_item` says whether an object's properties are an item's
/// (it holds the identifier).
pub(crate) fn locate_item(
    root: &Value,
    ptr: &str,
    looks_like_item: LooksLikeItem<'_>,
) -> Option<(ItemPlace, String)> {
    let (s, at) = at(root, ptr)?;
    if type_of(root, s).as_deref() != Some("object") {
        return None;
    }
    let props = properties(root, s, &at);
    if looks_like_item(&props) {
        return Some((ItemPlace::Bare, at));
    }
    for name in ITEM_WRAPPERS {
        if let Some((_, p)) = props.iter().find(|(n, _)| n == name)
            && let Some((inner, inner_at)) = self::at(root, p)
            && type_of(root, inner).as_deref() == Some("object")
        {
            return Some((ItemPlace::Wrapped(name.to_string()), inner_at));
        }
    }
    // An object that holds no identifier and wraps nothing: the item itself, whose
    // identifier the document does not describe.
    Some((ItemPlace::Bare, at))
}

/// Where the items sit in the list response schema at `ptr`, and the pointer of one
/// item's schema. `own` is an extra wrapper name to look for (the resource's, `pets`).
pub(crate) fn locate_list(root: &Value, ptr: &str, own: &str) -> Option<(ListPlace, String)> {
    let (s, at) = at(root, ptr)?;
    match type_of(root, s).as_deref() {
        Some("array") => Some((ListPlace::Bare, items_of(root, s, &at)?)),
        Some("object") => {
            let props = properties(root, s, &at);
            let names = LIST_WRAPPERS.iter().copied().chain([own]);
            for name in names {
                if let Some((_, p)) = props.iter().find(|(n, _)| n == name)
                    && let Some((inner, inner_at)) = self::at(root, p)
                    && type_of(root, inner).as_deref() == Some("array")
                {
                    let items = items_of(root, inner, &inner_at)?;
                    return Some((ListPlace::Wrapped(name.to_string()), items));
                }
            }
            None
        }
        _ => None,
    }
}
