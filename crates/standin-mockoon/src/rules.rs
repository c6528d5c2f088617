//! Mockoon's response rules: what a rule reads from the request (its target and
//! modifier), how it compares (its operator), and how a route's mode picks a response.

use regex::Regex;
use serde_json::Value;

/// What a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The body, whole or at a property path / JSONPath.
    Body,
    /// A query parameter (the whole query string without a modifier).
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
    /// A route param.
    Params,
    /// How many requests the route has had, this one included.
    RequestNumber,
    /// The method.
    Method,
    /// A target standin does not read: the rule never passes.
    Unsupported,
}

/// How a rule compares.
#[derive(Debug, Clone)]
pub enum Operator {
    /// Text equality (any element of an array).
    Equals,
    /// A regular expression (any element of an array).
    Regex(Regex),
    /// Absent or null.
    Null,
    /// An empty array.
    EmptyArray,
    /// An array holding the value.
    ArrayIncludes,
    /// Valid against a JSON schema (not checked yet: passes when the value is present).
    ValidJsonSchema,
    /// An operator standin does not know: never passes.
    Unsupported,
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// What it reads.
    pub target: Target,
    /// Which part (a name or a path).
    pub modifier: String,
    /// What it compares with.
    pub value: String,
    /// How.
    pub operator: Operator,
    /// Whether the result is negated.
    pub invert: bool,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Rule {
    /// Whether the rule passes for the value its target read (`None`: absent).
    pub fn passes(&self, value: Option<&Value>) -> bool {
        let pass = match (&self.operator, value) {
            (Operator::Null, v) => v.is_none_or(Value::is_null),
            (Operator::EmptyArray, v) => v.and_then(Value::as_array).is_some_and(Vec::is_empty),
            (Operator::ArrayIncludes, v) => v
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| text(x) == self.value)),
            (Operator::Unsupported, _) | (_, None) => false,
            (Operator::ValidJsonSchema, Some(_)) => true,
            (op, Some(Value::Array(items))) => items.iter().any(|x| self.compare(op, &text(x))),
            (op, Some(v)) => self.compare(op, &text(v)),
        };
        pass != self.invert
    }

    fn compare(&self, op: &Operator, got: &str) -> bool {
        match op {
            Operator::Equals => got == self.value,
            Operator::Regex(re) => re.is_match(got),
            _ => false,
        }
    }
}

/// Reads a property path (`a.b.0.c`) or a JSONPath-like `$.a.b[0]` from a value.
pub fn at_path<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.strip_prefix('$').unwrap_or(path);
    let mut cur = v;
    let normalised = path.replace('[', ".").replace(']', "");
    for seg in normalised.split('.').filter(|s| !s.is_empty()) {
        let seg = seg.trim_matches(['\'', '"']);
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(op: Operator, value: &str, invert: bool) -> Rule {
        Rule {
            target: Target::Body,
            modifier: String::new(),
            value: value.into(),
            operator: op,
            invert,
        }
    }

    #[test]
    fn operators_compare_as_mockoon_does() {
        let v = json!({"a": {"b": [1, "x"]}, "e": [], "n": null});
        assert!(rule(Operator::Equals, "x", false).passes(at_path(&v, "a.b")));
        assert!(rule(Operator::Equals, "1", false).passes(at_path(&v, "$.a.b[0]")));
        assert!(rule(Operator::Null, "", false).passes(at_path(&v, "n")));
        assert!(rule(Operator::Null, "", false).passes(at_path(&v, "missing")));
        assert!(rule(Operator::EmptyArray, "", false).passes(at_path(&v, "e")));
        assert!(rule(Operator::ArrayIncludes, "x", false).passes(at_path(&v, "a.b")));
        assert!(!rule(Operator::Equals, "y", false).passes(at_path(&v, "a.b")));
        assert!(rule(Operator::Equals, "y", true).passes(at_path(&v, "a.b")));
        let re = Regex::new("^x").unwrap();
        assert!(rule(Operator::Regex(re), "", false).passes(at_path(&v, "a.b")));
    }
}
