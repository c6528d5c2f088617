//! Reading a value inside JSON by a property path (`a.b.0.c`) or a JSONPath-like
//! `$.a.b[0]`, as Mockoon's rules, templates and CRUD keys address values. Uses nothing
//! else of the crate.

use serde_json::Value;

/// Reads a property path (`a.b.0.c`) or a JSONPath-like `$.a.b[0]` from a value.
pub fn at_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.strip_prefix('$').unwrap_or(path);
    if !path.contains(['[', ']', '\'', '"']) {
        // A plain `a.b.0`: its segments as they are (a rule's query name, say).
        let mut cur = v;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            cur = step(cur, seg)?;
        }
        return Some(cur);
    }
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
        cur = step(cur, seg.as_ref())?;
    }
    Some(cur)
}

/// One segment down: an object's member by name, an array's item by index.
fn step<'v>(v: &'v Value, seg: &str) -> Option<&'v Value> {
    match v {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => a.get(seg.parse::<usize>().ok()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_read_what_bracketed_and_quoted_ones_read() {
        let v = serde_json::json!({"a": {"b": [10, {"c": "x"}], "": 1}, "k.j": 2});
        for (plain, written) in [
            ("a.b.0", "$.a.b[0]"),
            ("a.b.1.c", "a.b[1]['c']"),
            ("$.a..b.1", "a[\"b\"][1]"),
            ("a.b.2", "a.b[2]"),
            ("a.b.x", "a.b['x']"),
            ("", "$"),
        ] {
            assert_eq!(
                at_path(&v, plain),
                at_path(&v, written),
                "{plain} / {written}"
            );
        }
        assert_eq!(at_path(&v, "a.b.1.c"), Some(&serde_json::json!("x")));
        assert_eq!(at_path(&v, "a.b.0.c"), None);
        assert_eq!(at_path(&v, ""), Some(&v));
    }
}
