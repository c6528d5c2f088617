//! Reading a value inside JSON by a property path (`a.b.0.c`) or a JSONPath-like
//! `$.a.b[0]`, as Mockoon's rules, templates and CRUD keys address values. Uses nothing
//! else of the crate.

use serde_json::Value;

/// Reads a property path (`a.b.0.c`) or a JSONPath-like `$.a.b[0]` from a value.
pub fn at_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.strip_prefix('$').unwrap_or(path);
    let normalised = path.replace('[', ".").replace(']', "");
    let segs: Vec<&str> = normalised
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(['\'', '"']))
        .collect();
    at_segments(v, &segs)
}

/// The value at a path's segments: object members by name, array items by index.
pub fn at_segments<'v, S: AsRef<str>>(v: &'v Value, segs: &[S]) -> Option<&'v Value> {
    let mut cur = v;
    for seg in segs {
        let seg = seg.as_ref();
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}
