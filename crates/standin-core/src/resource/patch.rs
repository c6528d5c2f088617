//! Changes to a stored item: JSON merge patch (RFC 7396) and JSON patch (RFC 6902).

use serde_json::Value;

/// Applies a merge patch: members of `patch` replace those of `target`, `null` removes
/// one, objects merge recursively; a patch that is no object replaces the whole.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.shift_remove(k);
            } else {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Applies a JSON patch document (an array of operations) in order; the first
/// operation that cannot be applied stops it, with a sentence saying which and why
/// (`target` is then partly changed: apply it to a copy).
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let Some(ops) = ops.as_array() else {
        return Err("a JSON patch document is an array of operations".into());
    };
    for (i, op) in ops.iter().enumerate() {
        apply(target, op).map_err(|e| format!("operation {i}: {e}"))?;
    }
    Ok(())
}

fn field<'a>(op: &'a Value, name: &str) -> Result<&'a Value, String> {
    op.get(name).ok_or_else(|| format!("'{name}' is missing"))
}

fn text<'a>(op: &'a Value, name: &str) -> Result<&'a str, String> {
    field(op, name)?
        .as_str()
        .ok_or_else(|| format!("'{name}' must be a string"))
}

fn apply(target: &mut Value, op: &Value) -> Result<(), String> {
    let kind = text(op, "op")?;
    let path = text(op, "path")?;
    match kind {
        "add" => add(target, path, field(op, "value")?.clone()),
        "remove" => remove(target, path).map(|_| ()),
        "replace" => {
            let slot = target
                .pointer_mut(path)
                .ok_or_else(|| format!("nothing at {path} to replace"))?;
            *slot = field(op, "value")?.clone();
            Ok(())
        }
        "move" => {
            let from = text(op, "from")?;
            if path.starts_with(from)
                && path.len() > from.len()
                && path[from.len()..].starts_with('/')
            {
                return Err(format!("cannot move {from} into itself"));
            }
            let v = remove(target, from)?;
            add(target, path, v)
        }
        "copy" => {
            let from = text(op, "from")?;
            let v = target
                .pointer(from)
                .cloned()
                .ok_or_else(|| format!("nothing at {from} to copy"))?;
            add(target, path, v)
        }
        "test" => {
            let want = field(op, "value")?;
            match target.pointer(path) {
                Some(v) if v == want => Ok(()),
                Some(v) => Err(format!("test failed: {path} is {v}, not {want}")),
                None => Err(format!("test failed: nothing at {path}")),
            }
        }
        other => Err(format!("unknown op '{other}'")),
    }
}

/// The parent pointer and the last token, unescaped.
fn split(path: &str) -> Result<(&str, String), String> {
    let cut = path
        .rfind('/')
        .ok_or_else(|| format!("'{path}' is not a JSON pointer"))?;
    let token = path[cut + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&path[..cut], token))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, token) = split(path)?;
    match target.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(token, value);
            Ok(())
        }
        Some(Value::Array(a)) => {
            let at = if token == "-" {
                a.len()
            } else {
                token
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i <= a.len())
                    .ok_or_else(|| format!("index {token} is out of bounds at {parent}"))?
            };
            a.insert(at, value);
            Ok(())
        }
        Some(_) => Err(format!("{parent} holds no object or array")),
        None => Err(format!("nothing at {parent} to add into")),
    }
}

fn remove(target: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, token) = split(path)?;
    match target.pointer_mut(parent) {
        Some(Value::Object(m)) => m
            .shift_remove(&token)
            .ok_or_else(|| format!("nothing at {path} to remove")),
        Some(Value::Array(a)) => match token.parse::<usize>() {
            Ok(i) if i < a.len() => Ok(a.remove(i)),
            _ => Err(format!("index {token} is out of bounds at {parent}")),
        },
        _ => Err(format!("nothing at {path} to remove")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut v = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut v, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(v, json!({"a": "z", "c": {"d": "e"}}));
        let mut v = json!({"a": [1]});
        merge(&mut v, &json!({"a": [2, 3], "n": {"x": 1}}));
        assert_eq!(v, json!({"a": [2, 3], "n": {"x": 1}}));
    }

    #[test]
    fn json_patch_follows_rfc_6902() {
        let mut v = json!({"name": "Rex", "tags": ["a"], "old": 1});
        json_patch(
            &mut v,
            &json!([
                {"op": "replace", "path": "/name", "value": "Max"},
                {"op": "add", "path": "/tags/-", "value": "b"},
                {"op": "add", "path": "/tags/0", "value": "z"},
                {"op": "move", "from": "/old", "path": "/new"},
                {"op": "copy", "from": "/name", "path": "/alias"},
                {"op": "test", "path": "/new", "value": 1},
                {"op": "remove", "path": "/alias"}
            ]),
        )
        .unwrap();
        assert_eq!(v, json!({"name": "Max", "tags": ["z", "a", "b"], "new": 1}));
        let err = json_patch(&mut v, &json!([{"op": "remove", "path": "/nope"}])).unwrap_err();
        assert!(
            err.contains("operation 0") && err.contains("/nope"),
            "{err}"
        );
        let err =
            json_patch(&mut v, &json!([{"op": "test", "path": "/new", "value": 2}])).unwrap_err();
        assert!(err.contains("test failed"), "{err}");
        assert!(json_patch(&mut v, &json!({"op": "add"})).is_err());
    }
}
