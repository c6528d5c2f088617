//! JSON pointers (RFC 6901) into documents, read on the request path: the schemas an
//! answer is shaped and checked by are found by pointer in the document each time.
//! [`get`] finds what `serde_json::Value::pointer` finds, without allocating for the
//! tokens that need no unescaping (most of them: only `~1`, `~0` do).
//!
//! This module imports nothing else from the crate.

use std::borrow::Cow;

use serde_json::Value;

/// The value at `pointer` in `root` (`""` is the root itself); `None` when the pointer
/// does not start with `/` or names nothing.
pub fn get<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut at = root;
    // Tokens found by hand: `split` and `replace` were most of a lookup's cost.
    let bytes = rest.as_bytes();
    let mut start = 0;
    loop {
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'/')
            .map_or(bytes.len(), |i| start + i);
        let token = unescape(&rest[start..end]);
        at = match at {
            Value::Object(map) => map.get(token.as_ref())?,
            Value::Array(items) => items.get(index(&token)?)?,
            _ => return None,
        };
        if end == bytes.len() {
            return Some(at);
        }
        start = end + 1;
    }
}

/// A token with `~1` as `/` and `~0` as `~` (what replacing `~1`, then `~0` gives).
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.as_bytes().contains(&b'~') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                out.push('/');
                chars.next();
            }
            ('~', Some('0')) => {
                out.push('~');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An array index as RFC 6901 writes it: digits, no sign, no leading zero.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unescapes_as_replacing_tilde_one_then_tilde_zero_does() {
        for raw in [
            "a", "~1", "~0", "~01", "~~1", "~10", "~0~1", "~001", "~~01", "~", "a~", "~2",
        ] {
            assert_eq!(
                unescape(raw),
                raw.replace("~1", "/").replace("~0", "~"),
                "{raw}"
            );
        }
    }

    #[test]
    fn finds_what_serde_json_finds() {
        let doc = json!({
            "paths": {"/pets/{id}": {"get": {"responses": {"200": {"x": [1, {"a~b": 2}]}}}}},
            "": {"empty": true},
            "a/b": 3,
        });
        for p in [
            "",
            "/paths",
            "/paths/~1pets~1{id}/get/responses/200",
            "/paths/~1pets~1{id}/get/responses/200/x/0",
            "/paths/~1pets~1{id}/get/responses/200/x/1/a~0b",
            "/paths/~1pets~1{id}/get/responses/200/x/1/a~0b/",
            "/paths/",
            "/paths/~1pets~1{id}/get/responses/200/x/01",
            "/paths/~1pets~1{id}/get/responses/200/x/+1",
            "/paths/~1pets~1{id}/get/responses/200/x/2",
            "/paths/~1pets~1{id}/get/responses/200/x/1/a~0b/deeper",
            "//empty",
            "/a~1b",
            "/missing",
            "paths",
        ] {
            assert_eq!(get(&doc, p), doc.pointer(p), "{p}");
        }
    }
}
