//! Mockoon's response rules: what a rule reads (its target and modifier, both rendered
//! as templates) and how it compares (its operator).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;
use serde_json::Value;

use crate::template::Template;

#[cfg(test)]
use crate::path::at_path;

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
    /// The path (matched as the request sent it, and as the route wrote it).
    Path,
    /// A global variable, by name then path (the modifier).
    GlobalVar,
    /// A data bucket, by id or name then path (the modifier).
    DataBucket,
    /// The modifier itself, rendered as a template (`templating`).
    Templating,
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
    /// A regular expression written as a template: compiled from the rendered value
    /// per request (case-insensitive when `true`).
    RegexOfTemplate(bool),
    /// Absent or null.
    Null,
    /// An empty array.
    EmptyArray,
    /// An array holding the value.
    ArrayIncludes,
    /// Valid against the JSON schema held by the data bucket the value names.
    ValidJsonSchema,
    /// An operator standin does not know: never passes.
    Unsupported,
}

/// One rule.
#[derive(Debug)]
pub struct Rule {
    /// What it reads.
    pub target: Target,
    /// Which part (a name or a path), rendered as a template first.
    pub modifier: Template,
    /// What it compares with, rendered as a template first.
    pub value: Template,
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
    /// Whether the rule passes for the value its target read (`None`: absent), compared
    /// with `want` (the rule's value as rendered); `schema` is the JSON schema a
    /// `valid_json_schema` rule names.
    pub fn passes(&self, value: Option<&Value>, want: &str, schema: Option<&Value>) -> bool {
        let pass = match (&self.operator, value) {
            (Operator::Null, v) => v.is_none_or(|v| v.is_null() || v.as_str() == Some("")),
            (Operator::EmptyArray, v) => v.and_then(Value::as_array).is_some_and(Vec::is_empty),
            (Operator::Unsupported, _) | (_, None) => false,
            (Operator::ArrayIncludes, Some(v)) => v
                .as_array()
                .is_some_and(|a| a.iter().any(|x| text(x) == want)),
            (Operator::ValidJsonSchema, Some(v)) => schema
                .and_then(compiled)
                .is_some_and(|check| check.is_valid(v)),
            (op, Some(Value::Array(items))) => items.iter().any(|x| compare(op, &text(x), want)),
            (op, Some(v)) => compare(op, &text(v), want),
        };
        pass != self.invert
    }
}

/// The most schemas [`compiled`] keeps; past it, the cache starts again.
const COMPILED_MAX: usize = 256;

/// Schemas compiled for `valid_json_schema` rules, by their text. The schema lives in a
/// data bucket, which requests may change, so it is compiled when first met with this
/// text, not per request, and a changed schema is a new text, compiled anew.
static COMPILED: LazyLock<Mutex<HashMap<String, Option<Arc<jsonschema::Validator>>>>> =
    LazyLock::new(Default::default);

/// The validator of a schema (`None` when it is not a valid schema).
fn compiled(schema: &Value) -> Option<Arc<jsonschema::Validator>> {
    let key = schema.to_string();
    let mut cache = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = cache.get(&key) {
        return v.clone();
    }
    let v = jsonschema::validator_for(schema).ok().map(Arc::new);
    if cache.len() >= COMPILED_MAX {
        cache.clear();
    }
    cache.insert(key, v.clone());
    v
}

fn compare(op: &Operator, got: &str, want: &str) -> bool {
    match op {
        Operator::Equals => got == want,
        Operator::Regex(re) => re.is_match(got),
        Operator::RegexOfTemplate(i) => regex::RegexBuilder::new(want)
            .case_insensitive(*i)
            .build()
            .is_ok_and(|re| re.is_match(got)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn passes(r: &Rule, v: Option<&Value>) -> bool {
        r.passes(v, r.value.source(), None)
    }

    fn rule(op: Operator, value: &str, invert: bool) -> Rule {
        Rule {
            target: Target::Body,
            modifier: Template::literal(""),
            value: Template::literal(value),
            operator: op,
            invert,
        }
    }

    #[test]
    fn a_valid_json_schema_rule_follows_its_schema_as_it_changes() {
        let r = rule(Operator::ValidJsonSchema, "schema", false);
        let v = json!({"id": 3});
        let needs_name = json!({"type": "object", "required": ["name"]});
        let needs_id = json!({"type": "object", "required": ["id"]});
        assert!(!r.passes(Some(&v), "", Some(&needs_name)));
        assert!(r.passes(Some(&v), "", Some(&needs_id)));
        // Compiled once per text: asked again, the same verdicts.
        assert!(!r.passes(Some(&v), "", Some(&needs_name)));
        assert!(r.passes(Some(&v), "", Some(&needs_id)));
        // Not a schema: the rule fails, as no value can be valid against it.
        assert!(!r.passes(Some(&v), "", Some(&json!({"type": 12}))));
    }

    #[test]
    fn operators_compare_as_mockoon_does() {
        let v = json!({"a": {"b": [1, "x"]}, "e": [], "n": null});
        assert!(passes(
            &rule(Operator::Equals, "x", false),
            at_path(&v, "a.b")
        ));
        assert!(passes(
            &rule(Operator::Equals, "1", false),
            at_path(&v, "$.a.b[0]")
        ));
        assert!(passes(&rule(Operator::Null, "", false), at_path(&v, "n")));
        assert!(passes(
            &rule(Operator::Null, "", false),
            at_path(&v, "missing")
        ));
        assert!(passes(
            &rule(Operator::EmptyArray, "", false),
            at_path(&v, "e")
        ));
        assert!(passes(
            &rule(Operator::ArrayIncludes, "x", false),
            at_path(&v, "a.b")
        ));
        assert!(!passes(
            &rule(Operator::Equals, "y", false),
            at_path(&v, "a.b")
        ));
        assert!(passes(
            &rule(Operator::Equals, "y", true),
            at_path(&v, "a.b")
        ));
        let re = Regex::new("^x").unwrap();
        assert!(passes(
            &rule(Operator::Regex(re), "", false),
            at_path(&v, "a.b")
        ));
    }
}
