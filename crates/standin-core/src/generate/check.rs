//! A small validator of our own, for decisions during generation: whether an `example`,
//! a `default`, a hint or an enum member fits a schema, whether a value picked for one
//! `oneOf` branch also matches another, whether a `not` is respected.
//!
//! It follows the document's dialect (`nullable`, `x-nullable`, boolean or numeric
//! exclusive bounds, `$ref` siblings only in 3.1) and is bounded in depth and work, so
//! that a cyclic schema cannot hang it; past the bound it answers "invalid", which makes
//! the generator fall back to values it built itself.

use std::cell::{Cell, RefCell};

use serde_json::{Map, Value};

use super::Direction;
use super::strings::{Patterns, format_ok};
use crate::model::Dialect;

const MAX_DEPTH: usize = 64;
const MAX_STEPS: u64 = 200_000;

pub(crate) struct Checker<'a> {
    pub(crate) root: &'a Value,
    pub(crate) dialect: Dialect,
    pub(crate) direction: Direction,
    pub(crate) patterns: Patterns,
    steps: Cell<u64>,
    path: RefCell<Vec<(String, usize)>>,
    /// Answer "valid" wherever some validator might (see [`Self::valid_lenient`]).
    lenient: Cell<bool>,
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Whether a number is an integer in the sense of JSON Schema.
pub(crate) fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.is_finite() && f.fract() == 0.0)
}

/// The decimal digits of a number as written: `12.34` is `(1234, 2)`.
pub(crate) fn decimal_parts(x: f64) -> Option<(i128, u32)> {
    let text = format!("{x}");
    let (neg, text) = match text.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, text.as_str()),
    };
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let mut m: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        m = m.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    Some((if neg { -m } else { m }, u32::try_from(frac.len()).ok()?))
}

/// Whether `value` is a multiple of `multiple`, read in decimal (as validators do), so
/// that `12.34` is a multiple of `0.01`.
pub(crate) fn is_multiple(value: f64, multiple: f64) -> bool {
    if multiple <= 0.0 || !multiple.is_finite() || !value.is_finite() {
        return false;
    }
    if value == 0.0 {
        return true;
    }
    if value.abs() < multiple {
        return false;
    }
    match (decimal_parts(value), decimal_parts(multiple)) {
        (Some((vm, vd)), Some((mm, md))) if mm != 0 => {
            let shared = vd.min(md);
            let scale = |m: i128, d: u32| {
                10i128
                    .checked_pow(d - shared)
                    .and_then(|p| m.checked_mul(p))
            };
            match (scale(vm, md), scale(mm, vd)) {
                (Some(a), Some(b)) if b != 0 => a % b == 0,
                _ => false,
            }
        }
        _ => {
            let q = value / multiple;
            q.is_finite() && q.fract() == 0.0
        }
    }
}

/// Resolves a local `$ref` (`#/a/b~1c`, possibly percent-encoded) within `root`.
pub(crate) fn resolve<'r>(root: &'r Value, reference: &str) -> Option<&'r Value> {
    let frag = reference.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(frag)
        .decode_utf8()
        .ok()?;
    if decoded.is_empty() {
        return Some(root);
    }
    root.pointer(&decoded)
}

/// The type names a schema allows after its dialect's nullability, `None` for "any".
pub(crate) fn schema_types(m: &Map<String, Value>, dialect: Dialect) -> Option<Vec<&str>> {
    let mut types: Vec<&str> = match m.get("type")? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    let nullable = match dialect {
        Dialect::OpenApi30 => m.get("nullable") == Some(&Value::Bool(true)),
        Dialect::Swagger2 => m.get("x-nullable") == Some(&Value::Bool(true)),
        Dialect::OpenApi31 => false,
    };
    if nullable && !types.contains(&"null") {
        types.push("null");
    }
    Some(types)
}

fn type_matches(t: &str, v: &Value, dialect: Dialect) -> bool {
    match (t, v) {
        ("null", Value::Null) | ("boolean", Value::Bool(_)) | ("string", Value::String(_)) => true,
        ("file", Value::String(_)) => true,
        ("number", Value::Number(_)) => true,
        // Draft 4 (OpenAPI 3.0, Swagger 2.0) does not count `5.0` as an integer.
        ("integer", Value::Number(n)) => {
            if dialect == Dialect::OpenApi31 {
                is_integer(n)
            } else {
                n.is_i64() || n.is_u64()
            }
        }
        ("array", Value::Array(_)) | ("object", Value::Object(_)) => true,
        _ => false,
    }
}

/// Lower and upper numeric bounds of a schema, each with whether it is exclusive; both
/// the draft-4 boolean and the numeric forms of `exclusiveMinimum`/`exclusiveMaximum`.
/// A numeric bound: its value and whether it is exclusive.
pub(crate) type Bound = Option<(f64, bool)>;

pub(crate) fn bounds(m: &Map<String, Value>) -> (Bound, Bound) {
    fn side(m: &Map<String, Value>, incl: &str, excl: &str, lower: bool) -> Option<(f64, bool)> {
        let mut best: Option<(f64, bool)> = None;
        let mut offer = |x: f64, e: bool| {
            best = Some(match best {
                None => (x, e),
                Some((y, f)) => {
                    let tighter = if lower {
                        x > y || (x == y && e)
                    } else {
                        x < y || (x == y && e)
                    };
                    if tighter { (x, e) } else { (y, f) }
                }
            })
        };
        let flag = m.get(excl).and_then(Value::as_bool).unwrap_or(false);
        if let Some(x) = m.get(incl).and_then(Value::as_f64) {
            offer(x, flag);
        }
        if let Some(x) = m.get(excl).and_then(Value::as_f64) {
            offer(x, true);
        }
        best
    }
    (
        side(m, "minimum", "exclusiveMinimum", true),
        side(m, "maximum", "exclusiveMaximum", false),
    )
}

impl<'a> Checker<'a> {
    pub(crate) fn new(root: &'a Value, dialect: Dialect, direction: Direction) -> Self {
        Checker {
            root,
            dialect,
            direction,
            patterns: Patterns,
            steps: Cell::new(0),
            path: RefCell::new(Vec::new()),
            lenient: Cell::new(false),
        }
    }

    /// Whether a property schema is left out in this direction (OpenAPI: a required
    /// `writeOnly` property is required in requests only, and the reverse for `readOnly`).
    fn excluded(&self, s: &Value, depth: usize) -> bool {
        let key = match self.direction {
            Direction::Response => "writeOnly",
            Direction::Request => "readOnly",
        };
        if depth > 8 {
            return false;
        }
        let Some(m) = s.as_object() else { return false };
        if m.get(key) == Some(&Value::Bool(true)) {
            return true;
        }
        if let Some(t) = m
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| resolve(self.root, r))
            && self.excluded(t, depth + 1)
        {
            return true;
        }
        matches!(m.get("allOf"), Some(Value::Array(a)) if a.iter().any(|b| self.excluded(b, depth + 1)))
    }

    /// Whether `v` is valid against `s`.
    pub(crate) fn valid(&self, v: &Value, s: &Value) -> bool {
        self.lenient.set(false);
        self.steps.set(0);
        self.path.borrow_mut().clear();
        self.check(v, s, 0)
    }

    fn check(&self, v: &Value, s: &Value, depth: usize) -> bool {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if depth > MAX_DEPTH || steps > MAX_STEPS {
            return self.lenient.get();
        }
        let m = match s {
            Value::Bool(b) => return *b,
            Value::Object(m) => m,
            _ => return true,
        };
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            let Some(target) = resolve(self.root, r) else {
                return false;
            };
            // The same `$ref` again for the same value: a cycle that consumes nothing
            // (`A: allOf: [A]`) adds no constraint, so it holds.
            let here = (r.to_string(), std::ptr::from_ref(v) as usize);
            if self.path.borrow().contains(&here) {
                return true;
            }
            self.path.borrow_mut().push(here);
            let ok = self.check(v, target, depth + 1);
            self.path.borrow_mut().pop();
            if !ok {
                return false;
            }
            if self.dialect != Dialect::OpenApi31 {
                return true;
            }
        }
        if let Some(types) = schema_types(m, self.dialect)
            && !types.iter().any(|t| type_matches(t, v, self.dialect))
        {
            return false;
        }
        if let Some(Value::Array(e)) = m.get("enum")
            && !e.iter().any(|x| json_eq(x, v))
        {
            return false;
        }
        if let Some(c) = m.get("const")
            && !json_eq(c, v)
        {
            return false;
        }
        if let Some(Value::Array(all)) = m.get("allOf")
            && !all.iter().all(|b| self.check(v, b, depth + 1))
        {
            return false;
        }
        if let Some(Value::Array(any)) = m.get("anyOf")
            && !any.iter().any(|b| self.check(v, b, depth + 1))
        {
            return false;
        }
        // `oneOf` and `not` must hold for any validator: another branch (or the `not`)
        // must fail even when only the formats validators know are checked.
        if let Some(Value::Array(one)) = m.get("oneOf") {
            let mut matching = None;
            for (i, b) in one.iter().enumerate() {
                if self.lenient_check(v, b, depth + 1) {
                    if matching.is_some() {
                        return false;
                    }
                    matching = Some(i);
                }
            }
            match matching {
                Some(i) if self.check(v, &one[i], depth + 1) => {}
                _ => return false,
            }
        }
        if let Some(not) = m.get("not")
            && self.lenient_check(v, not, depth + 1)
        {
            return false;
        }
        if let Some(cond) = m.get("if") {
            let branch = if self.check(v, cond, depth + 1) {
                m.get("then")
            } else {
                m.get("else")
            };
            if let Some(b) = branch
                && !self.check(v, b, depth + 1)
            {
                return false;
            }
        }
        match v {
            Value::String(s) => self.check_string(s, m),
            Value::Number(n) => self.check_number(n, m),
            Value::Array(a) => self.check_array(a, m, depth),
            Value::Object(o) => self.check_object(o, m, depth),
            _ => true,
        }
    }

    fn check_string(&self, s: &str, m: &Map<String, Value>) -> bool {
        let n = s.chars().count() as u64;
        if m.get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|min| n < min)
        {
            return false;
        }
        if m.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|max| n > max)
        {
            return false;
        }
        if let Some(p) = m.get("pattern").and_then(Value::as_str)
            // A pattern that does not compile (validators reject the schema itself)
            // constrains nothing we can honour.
            && self.patterns.is_match(p, s) == Some(false)
        {
            return false;
        }
        if let Some(f) = m.get("format").and_then(Value::as_str)
            && (!self.lenient.get() || self.validator_checks(f))
            && !format_ok(f, s)
        {
            return false;
        }
        true
    }

    /// Whether validators check this format in the document's draft (draft 4 for
    /// OpenAPI 3.0 and Swagger 2.0, 2020-12 for 3.1).
    fn validator_checks(&self, format: &str) -> bool {
        match format {
            "date" | "date-time" | "email" | "hostname" | "ipv4" | "ipv6" | "regex" | "time"
            | "uri" => true,
            "duration"
            | "iri"
            | "iri-reference"
            | "json-pointer"
            | "relative-json-pointer"
            | "uri-reference"
            | "uri-template"
            | "uuid" => self.dialect == Dialect::OpenApi31,
            _ => false,
        }
    }

    /// [`Self::valid`] but answering "valid" wherever a validator might: only the formats
    /// validators know, unknown patterns matching, and `true` past the bounds.
    pub(crate) fn valid_lenient(&self, v: &Value, s: &Value) -> bool {
        self.steps.set(0);
        self.path.borrow_mut().clear();
        self.lenient_check(v, s, 0)
    }

    fn lenient_check(&self, v: &Value, s: &Value, depth: usize) -> bool {
        let was = self.lenient.replace(true);
        let r = self.check(v, s, depth);
        self.lenient.set(was);
        r
    }

    fn check_number(&self, n: &serde_json::Number, m: &Map<String, Value>) -> bool {
        let Some(x) = n.as_f64() else { return false };
        let (lo, hi) = bounds(m);
        if let Some((b, excl)) = lo
            && (x < b || (excl && x <= b))
        {
            return false;
        }
        if let Some((b, excl)) = hi
            && (x > b || (excl && x >= b))
        {
            return false;
        }
        if let Some(k) = m.get("multipleOf").and_then(Value::as_f64)
            && !is_multiple(x, k)
        {
            return false;
        }
        match m.get("format").and_then(Value::as_str) {
            Some("int32") => (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&x),
            _ => true,
        }
    }

    fn check_array(&self, a: &[Value], m: &Map<String, Value>, depth: usize) -> bool {
        let n = a.len() as u64;
        if m.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|min| n < min)
        {
            return false;
        }
        if m.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|max| n > max)
        {
            return false;
        }
        if m.get("uniqueItems") == Some(&Value::Bool(true)) {
            for i in 0..a.len() {
                for j in i + 1..a.len() {
                    if json_eq(&a[i], &a[j]) {
                        return false;
                    }
                }
            }
        }
        let prefix: &[Value] = match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(p)), _) => p,
            (None, Some(Value::Array(p))) => p,
            _ => &[],
        };
        let rest = match (m.get("prefixItems"), m.get("items")) {
            (Some(_), items) => items,
            (None, Some(Value::Array(_))) => m.get("additionalItems"),
            (None, items) => items,
        };
        for (i, item) in a.iter().enumerate() {
            let schema = if i < prefix.len() {
                prefix.get(i)
            } else {
                rest
            };
            if let Some(s) = schema
                && !self.check(item, s, depth + 1)
            {
                return false;
            }
        }
        if let Some(c) = m.get("contains") {
            let count = a.iter().filter(|x| self.check(x, c, depth + 1)).count() as u64;
            let min = m.get("minContains").and_then(Value::as_u64).unwrap_or(1);
            if count < min
                || m.get("maxContains")
                    .and_then(Value::as_u64)
                    .is_some_and(|mx| count > mx)
            {
                return false;
            }
        }
        true
    }

    fn check_object(&self, o: &Map<String, Value>, m: &Map<String, Value>, depth: usize) -> bool {
        let n = o.len() as u64;
        if m.get("minProperties")
            .and_then(Value::as_u64)
            .is_some_and(|min| n < min)
        {
            return false;
        }
        if m.get("maxProperties")
            .and_then(Value::as_u64)
            .is_some_and(|max| n > max)
        {
            return false;
        }
        let props = m.get("properties").and_then(Value::as_object);
        if let Some(Value::Array(req)) = m.get("required")
            && !req.iter().filter_map(Value::as_str).all(|r| {
                o.contains_key(r)
                    || props
                        .and_then(|p| p.get(r))
                        .is_some_and(|s| self.excluded(s, 0))
            })
        {
            return false;
        }
        let pats = m.get("patternProperties").and_then(Value::as_object);
        let addl = m.get("additionalProperties");
        for (k, val) in o {
            let mut covered = false;
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                covered = true;
                if !self.check(val, ps, depth + 1) {
                    return false;
                }
            }
            if let Some(pats) = pats {
                for (p, ps) in pats {
                    if self.patterns.is_match(p, k) == Some(true) {
                        covered = true;
                        if !self.check(val, ps, depth + 1) {
                            return false;
                        }
                    }
                }
            }
            if !covered
                && let Some(a) = addl
                && !self.check(val, a, depth + 1)
            {
                return false;
            }
            if let Some(pn) = m.get("propertyNames")
                && !self.check(&Value::String(k.clone()), pn, depth + 1)
            {
                return false;
            }
        }
        for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Value::Object(deps)) = m.get(key) {
                for (k, d) in deps {
                    if !o.contains_key(k) {
                        continue;
                    }
                    let ok = match d {
                        Value::Array(names) => names
                            .iter()
                            .filter_map(Value::as_str)
                            .all(|r| o.contains_key(r)),
                        schema => self.check(&Value::Object(o.clone()), schema, depth + 1),
                    };
                    if !ok {
                        return false;
                    }
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimal_multiples() {
        assert!(is_multiple(12.34, 0.01));
        assert!(is_multiple(0.3, 0.1));
        assert!(!is_multiple(0.35, 0.1));
        assert!(is_multiple(15.0, 5.0));
        assert!(!is_multiple(3.0, 5.0));
    }

    #[test]
    fn resolves_escaped_refs() {
        let root = json!({"components": {"schemas": {"a/b": {"type": "string"}, "c d": {"type": "integer"}}}});
        assert!(resolve(&root, "#/components/schemas/a~1b").is_some());
        assert!(resolve(&root, "#/components/schemas/c%20d").is_some());
        assert!(resolve(&root, "#/nope").is_none());
    }

    #[test]
    fn checks_basics() {
        let root = json!({});
        let c = Checker::new(&root, Dialect::OpenApi30, Direction::Response);
        assert!(c.valid(&json!(null), &json!({"type": "string", "nullable": true})));
        assert!(!c.valid(&json!(null), &json!({"type": "string"})));
        assert!(!c.valid(&json!(5), &json!({"minimum": 5, "exclusiveMinimum": true})));
        assert!(c.valid(&json!(6), &json!({"minimum": 5, "exclusiveMinimum": true})));
        assert!(!c.valid(&json!(5), &json!({"exclusiveMinimum": 5})));
        assert!(!c.valid(
            &json!(1),
            &json!({"oneOf": [{"type": "integer"}, {"type": "number"}]})
        ));
        assert!(c.valid(
            &json!(1.5),
            &json!({"oneOf": [{"type": "integer"}, {"type": "number"}]})
        ));
    }
}
