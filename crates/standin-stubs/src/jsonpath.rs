//! JSONPath with Jayway semantics, shared by the `matchesJsonPath` matcher and the
//! templating `jsonPath` helper.

use serde_json::Value;

/// Evaluates `expr` on `doc` and returns the selected values.
pub fn select(doc: &Value, expr: &str) -> Result<Vec<Value>, String> {
    let expr = expr.trim();
    let rest = expr
        .strip_prefix('$')
        .ok_or_else(|| format!("JSONPath {expr:?} must start with $"))?;
    let mut current = vec![doc.clone()];
    for key in rest.split('.').filter(|k| !k.is_empty()) {
        let mut next = Vec::new();
        for v in &current {
            if key == "*" {
                match v {
                    Value::Array(a) => next.extend(a.iter().cloned()),
                    Value::Object(o) => next.extend(o.values().cloned()),
                    _ => {}
                }
            } else if let Some(x) = v.get(key) {
                next.push(x.clone());
            }
        }
        current = next;
    }
    Ok(current)
}
