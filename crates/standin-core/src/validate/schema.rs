//! OpenAPI schemas turned into JSON Schema validators.
//!
//! OpenAPI 3.0 and Swagger 2.0 schemas are not quite JSON Schema: `nullable` and
//! `x-nullable` widen the type, `exclusiveMinimum` is a boolean (draft 4), `readOnly`
//! properties listed in `required` must not be required in a request, and real documents
//! carry keywords with the wrong shape (`required: true` on a property) that a strict
//! compiler refuses. [`Rewriter`] rewrites what an operation's request schemas use into
//! clean JSON Schema (draft 4 for 2.0/3.0, 2020-12 for 3.1), following local `$ref`s and
//! copying every schema they reach into a small document of their own, at the same JSON
//! pointers. That document is registered as a resource under [`BASE`], and every `$ref` is
//! rewritten to point into it, so references resolve without copying the whole (possibly
//! huge) source document. [`OpSchemas::compile`] builds a `jsonschema` validator from a
//! rewritten schema, dropping keywords the compiler still refuses rather than giving up
//! on the whole location.
//!
//! [`Shape`] is what the request parsers need to know about a schema to turn text
//! (query strings, headers, form fields) into typed JSON: its possible types, items and
//! properties.

use std::collections::HashSet;
use std::sync::Arc;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Map, Value, json};

use crate::model::Dialect;

/// The URI the rewritten schemas of one operation are registered under.
pub(crate) const BASE: &str = "json-schema:///standin/doc";

/// How deep an inline schema may nest before the rest is accepted as anything; it only
/// guards the stack against pathological documents.
const MAX_DEPTH: usize = 128;

/// How many times a schema the compiler refuses is repaired before giving up.
const MAX_REPAIRS: usize = 24;

/// Keywords holding one subschema.
const ONE_SCHEMA: [&str; 7] = [
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "contentSchema",
];

/// Keywords holding a map of subschemas.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "definitions",
    "$defs",
    "dependentSchemas",
];

/// Keywords holding a list of subschemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value must be a non-negative integer.
const COUNTS: [&str; 8] = [
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "maxContains",
    "minContains",
];

/// The draft a document's schemas are compiled as.
pub(crate) fn draft_of(dialect: Dialect) -> Draft {
    match dialect {
        Dialect::OpenApi31 => Draft::Draft202012,
        Dialect::Swagger2 | Dialect::OpenApi30 => Draft::Draft4,
    }
}

/// Rewrites the request schemas of one operation, collecting what their `$ref`s reach.
pub(crate) struct Rewriter<'a> {
    root: &'a Value,
    dialect: Dialect,
    seen: HashSet<String>,
    pending: Vec<String>,
}

impl<'a> Rewriter<'a> {
    /// A rewriter over the document `root`.
    pub(crate) fn new(root: &'a Value, dialect: Dialect) -> Self {
        Rewriter {
            root,
            dialect,
            seen: HashSet::new(),
            pending: Vec::new(),
        }
    }

    /// Rewrites one schema (inline or found in the document).
    pub(crate) fn schema(&mut self, v: &Value) -> Value {
        self.node(v, 0)
    }

    /// Rewrites everything the schemas seen so far reference, and returns the document
    /// they are registered as.
    pub(crate) fn finish(mut self) -> Value {
        let mut items = Vec::new();
        while let Some(ptr) = self.pending.pop() {
            let Some(target) = self.root.pointer(&ptr) else {
                continue;
            };
            let rewritten = self.node(target, 0);
            items.push((ptr, rewritten));
        }
        // Parents first: a child pointer written later lands inside its parent's copy
        // (they are the same rewritten schema) instead of being overwritten by it.
        items.sort_by_key(|(p, _)| p.matches('/').count());
        let mut doc = Value::Object(Map::new());
        for (ptr, v) in items {
            insert_at(&mut doc, &ptr, v);
        }
        doc
    }

    /// The decoded JSON pointer a local `$ref` names, when it resolves.
    fn target(&self, reference: &str) -> Option<String> {
        let fragment = reference.strip_prefix('#')?;
        if fragment.is_empty() {
            // `#` is the whole OpenAPI document, which is no schema.
            return None;
        }
        let decoded = if fragment.contains('%') {
            percent_encoding::percent_decode_str(fragment)
                .decode_utf8()
                .ok()?
                .into_owned()
        } else {
            fragment.to_string()
        };
        self.root.pointer(&decoded).map(|_| decoded)
    }

    fn node(&mut self, v: &Value, depth: usize) -> Value {
        let m = match v {
            Value::Object(m) if depth < MAX_DEPTH => m,
            Value::Bool(false) => return json!({"not": {}}),
            // `true`, a malformed schema, or one nested beyond reason: anything goes.
            _ => return json!({}),
        };
        let mut out = Map::new();
        let nullable = m.get("nullable") == Some(&Value::Bool(true))
            || m.get("x-nullable") == Some(&Value::Bool(true));
        if let Some(Value::String(r)) = m.get("$ref") {
            if let Some(ptr) = self.target(r) {
                out.insert(
                    "$ref".into(),
                    Value::String(format!("{BASE}#{}", encode_fragment(&ptr))),
                );
                if self.seen.insert(ptr.clone()) {
                    self.pending.push(ptr);
                }
            }
            // Before 3.1, keywords beside `$ref` are ignored (JSON Schema draft 4); only
            // `nullable` is honoured, because authors mean it.
            if self.dialect != Dialect::OpenApi31 {
                return finish_nullable(out, nullable);
            }
        }
        for (k, val) in m {
            match k.as_str() {
                "$ref" => {}
                "type" => {
                    if let Some(t) = clean_type(val) {
                        out.insert(k.clone(), t);
                    }
                }
                "items" => match val {
                    Value::Array(list) if self.dialect == Dialect::OpenApi31 => {
                        let list = list.iter().map(|s| self.node(s, depth + 1)).collect();
                        out.insert("prefixItems".into(), Value::Array(list));
                    }
                    Value::Array(list) => {
                        let list = list.iter().map(|s| self.node(s, depth + 1)).collect();
                        out.insert(k.clone(), Value::Array(list));
                    }
                    other => {
                        out.insert(k.clone(), self.node(other, depth + 1));
                    }
                },
                "additionalProperties"
                | "additionalItems"
                | "unevaluatedProperties"
                | "unevaluatedItems" => match val {
                    Value::Bool(b) => {
                        out.insert(k.clone(), Value::Bool(*b));
                    }
                    Value::Object(_) => {
                        out.insert(k.clone(), self.node(val, depth + 1));
                    }
                    _ => {}
                },
                key if ONE_SCHEMA.contains(&key) => {
                    out.insert(k.clone(), self.node(val, depth + 1));
                }
                key if SCHEMA_MAPS.contains(&key) => {
                    if let Value::Object(map) = val {
                        let map: Map<String, Value> = map
                            .iter()
                            .map(|(name, s)| (name.clone(), self.node(s, depth + 1)))
                            .collect();
                        out.insert(k.clone(), Value::Object(map));
                    }
                }
                key if SCHEMA_LISTS.contains(&key) => {
                    if let Value::Array(list) = val
                        && !list.is_empty()
                    {
                        let list = list.iter().map(|s| self.node(s, depth + 1)).collect();
                        out.insert(k.clone(), Value::Array(list));
                    }
                }
                "dependencies" => {
                    if let Value::Object(map) = val {
                        let map: Map<String, Value> = map
                            .iter()
                            .filter_map(|(name, d)| match d {
                                Value::Array(names) if names.iter().all(Value::is_string) => {
                                    Some((name.clone(), d.clone()))
                                }
                                Value::Object(_) => Some((name.clone(), self.node(d, depth + 1))),
                                _ => None,
                            })
                            .collect();
                        out.insert(k.clone(), Value::Object(map));
                    }
                }
                "dependentRequired" if val.is_object() => {
                    out.insert(k.clone(), val.clone());
                }
                "required" => {
                    if let Some(names) = self.required(m, val) {
                        out.insert(k.clone(), names);
                    }
                }
                "enum" if matches!(val, Value::Array(a) if !a.is_empty()) => {
                    out.insert(k.clone(), val.clone());
                }
                "const" => {
                    out.insert(k.clone(), val.clone());
                }
                "multipleOf" if val.as_f64().is_some_and(|n| n > 0.0) => {
                    out.insert(k.clone(), val.clone());
                }
                "maximum" | "minimum" if val.is_number() => {
                    out.insert(k.clone(), val.clone());
                }
                key if COUNTS.contains(&key) => {
                    if let Some(n) = as_count(val) {
                        out.insert(k.clone(), json!(n));
                    }
                }
                "pattern" | "format" if val.is_string() => {
                    out.insert(k.clone(), val.clone());
                }
                "uniqueItems" if val.is_boolean() => {
                    out.insert(k.clone(), val.clone());
                }
                // Annotations, examples and vendor extensions constrain nothing; they are
                // left out so that a malformed one cannot stop the schema compiling.
                _ => {}
            }
        }
        self.exclusive_bounds(m, &mut out);
        finish_nullable(out, nullable)
    }

    /// `exclusiveMinimum`/`exclusiveMaximum` in the form the target draft expects.
    fn exclusive_bounds(&self, m: &Map<String, Value>, out: &mut Map<String, Value>) {
        for (ex, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            let Some(val) = m.get(ex) else { continue };
            match (self.dialect, val) {
                (Dialect::OpenApi31, Value::Number(_)) => {
                    out.insert(ex.into(), val.clone());
                }
                // 3.1 documents written the 3.0 way: `minimum: 5, exclusiveMinimum: true`.
                (Dialect::OpenApi31, Value::Bool(true)) => {
                    if let Some(b) = out.remove(bound) {
                        out.insert(ex.into(), b);
                    }
                }
                (d, Value::Bool(b)) if d != Dialect::OpenApi31 && out.contains_key(bound) => {
                    out.insert(ex.into(), Value::Bool(*b));
                }
                // 3.0 documents written the 3.1 way: `exclusiveMinimum: 5`.
                (d, Value::Number(n)) if d != Dialect::OpenApi31 => {
                    let Some(nf) = n.as_f64() else { continue };
                    let tighter = match out.get(bound).and_then(Value::as_f64) {
                        None => true,
                        Some(b) if ex == "exclusiveMinimum" => nf >= b,
                        Some(b) => nf <= b,
                    };
                    if tighter {
                        out.insert(bound.into(), val.clone());
                        out.insert(ex.into(), Value::Bool(true));
                    }
                }
                _ => {}
            }
        }
    }

    /// `required` without `readOnly` properties (they are not sent in a request); `None`
    /// when nothing is left or the keyword is malformed (`required: true`).
    fn required(&self, m: &Map<String, Value>, val: &Value) -> Option<Value> {
        let names = val.as_array()?;
        let kept: Vec<Value> = names
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| !self.read_only(m, name))
            .map(|s| Value::String(s.to_string()))
            .collect();
        // Draft 4 refuses an empty `required`.
        (!kept.is_empty()).then_some(Value::Array(kept))
    }

    /// Whether property `name` of schema `m` (or of its `allOf` members) is `readOnly`.
    fn read_only(&self, m: &Map<String, Value>, name: &str) -> bool {
        let own = m
            .get("properties")
            .and_then(|p| p.get(name))
            .map(|s| self.is_read_only(s));
        if let Some(found) = own {
            return found;
        }
        m.get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|member| {
                let member = self.deref(member);
                member
                    .get("properties")
                    .and_then(|p| p.get(name))
                    .is_some_and(|s| self.is_read_only(s))
            })
    }

    fn is_read_only(&self, s: &Value) -> bool {
        let s = self.deref(s);
        s.get("readOnly") == Some(&Value::Bool(true))
            || s.get("allOf").and_then(Value::as_array).is_some_and(|all| {
                all.iter()
                    .any(|x| self.deref(x).get("readOnly") == Some(&Value::Bool(true)))
            })
    }

    fn deref<'v>(&'v self, v: &'v Value) -> &'v Value {
        crate::model::deref(self.root, v, "").0
    }
}

/// Applies `nullable` to a rewritten schema: `null` joins `type` and `enum`, or, where
/// a reference or a combination decides the type, the whole schema becomes "this or null".
fn finish_nullable(mut out: Map<String, Value>, nullable: bool) -> Value {
    if !nullable {
        return Value::Object(out);
    }
    let composite = ["$ref", "allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|k| out.contains_key(*k));
    if composite {
        return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
    }
    match out.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            out.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(json!("null"));
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    Value::Object(out)
}

/// A `type` value JSON Schema accepts; unknown names (Swagger's `file`, typos such as
/// `int`) are dropped so they do not reject everything.
fn clean_type(v: &Value) -> Option<Value> {
    const TYPES: [&str; 7] = [
        "string", "number", "integer", "boolean", "array", "object", "null",
    ];
    match v {
        Value::String(t) if TYPES.contains(&t.as_str()) => Some(v.clone()),
        Value::Array(list) => {
            let mut kept: Vec<Value> = Vec::new();
            for t in list.iter().filter_map(Value::as_str) {
                if TYPES.contains(&t) && !kept.iter().any(|k| k == t) {
                    kept.push(json!(t));
                }
            }
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    }
}

fn as_count(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15)
            // The range is checked on the line above, so the cast is exact.
            .map(|f| f as u64)
    })
}

/// Percent-encodes a decoded JSON pointer for use as a URI fragment.
pub(crate) fn encode_fragment(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for b in ptr.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes `v` at the decoded JSON pointer `ptr` in `doc`, creating objects on the way.
fn insert_at(doc: &mut Value, ptr: &str, v: Value) {
    let mut current = doc;
    let tokens: Vec<String> = ptr
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, path)) = tokens.split_last() else {
        return;
    };
    for token in path {
        let index = match &*current {
            Value::Array(list) => token.parse::<usize>().ok().filter(|i| *i < list.len()),
            _ => None,
        };
        if let Some(i) = index {
            match current.get_mut(i) {
                Some(next) => current = next,
                None => return,
            }
            continue;
        }
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        match current {
            Value::Object(map) => {
                current = map
                    .entry(token.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            _ => return,
        }
    }
    match current {
        Value::Array(list) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| list.get_mut(i)) {
                *slot = v;
            }
        }
        other => {
            if !other.is_object() {
                *other = Value::Object(Map::new());
            }
            if let Value::Object(map) = other {
                map.insert(last.clone(), v);
            }
        }
    }
}

/// Removes what the decoded JSON pointer `ptr` names, when it exists.
fn remove_at(doc: &mut Value, ptr: &str) -> bool {
    let Some((parent, last)) = ptr.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    let target = if parent.is_empty() {
        Some(doc)
    } else {
        doc.pointer_mut(parent)
    };
    match target {
        Some(Value::Object(map)) => map.remove(&last).is_some(),
        Some(Value::Array(list)) => match last.parse::<usize>() {
            Ok(i) if i < list.len() => {
                // Keep indexes stable: a removed list member accepts anything instead.
                list[i] = json!({});
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// The rewritten schemas of one operation and the document their references point into.
pub(crate) struct OpSchemas {
    draft: Draft,
    doc: Arc<Value>,
    registry: Option<Registry<'static>>,
    /// Keywords dropped because the compiler refused them, for diagnostics.
    pub(crate) notes: Vec<String>,
}

impl OpSchemas {
    /// Registers `doc` (from [`Rewriter::finish`]).
    pub(crate) fn new(draft: Draft, doc: Value) -> Self {
        let mut s = OpSchemas {
            draft,
            doc: Arc::new(doc),
            registry: None,
            notes: Vec::new(),
        };
        s.register();
        s
    }

    fn register(&mut self) {
        self.registry = Registry::new()
            .draft(self.draft)
            .add(BASE, Arc::clone(&self.doc))
            .and_then(|b| b.prepare())
            .ok();
    }

    /// The referenced document, for [`Shape::of`].
    pub(crate) fn doc(&self) -> &Value {
        &self.doc
    }

    /// Compiles a rewritten schema. A keyword the compiler refuses is dropped and the
    /// compile retried; `None` when it still fails (the location is then not checked).
    pub(crate) fn compile(&mut self, mut schema: Value) -> Option<Validator> {
        for _ in 0..MAX_REPAIRS {
            let registry = self.registry.as_ref()?;
            let mut options = jsonschema::options()
                .with_draft(self.draft)
                .with_registry(registry)
                .should_validate_formats(true)
                .should_ignore_unknown_formats(true);
            if self.draft == Draft::Draft4 {
                // Draft 4 knows no `uuid`; OpenAPI documents use it everywhere.
                options = options.with_format("uuid", is_uuid);
            }
            // OpenAPI's own `byte`: base64 text (Prism checks it with ajv-formats), in
            // JSON bodies, parameters and form fields alike.
            options = options.with_format("byte", |s: &str| {
                crate::generate::strings::format_ok("byte", s)
            });
            let err = match options.build(&schema) {
                Ok(v) => return Some(v),
                Err(e) => e,
            };
            let at = err.instance_path().as_str().to_string();
            let message = err.to_string();
            if remove_at(&mut schema, &at) {
                self.notes.push(format!(
                    "ignored a keyword the validator refuses: {message}"
                ));
                continue;
            }
            self.registry = None;
            let fixed = remove_at(Arc::make_mut(&mut self.doc), &at);
            self.register();
            if fixed {
                self.notes.push(format!(
                    "ignored the schema keyword at #{at} when validating requests: {message}"
                ));
            } else {
                self.notes.push(format!(
                    "a request schema cannot be compiled, so it is not checked: {message}"
                ));
                return None;
            }
        }
        None
    }
}

impl std::fmt::Debug for OpSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpSchemas")
            .field("draft", &self.draft)
            .finish_non_exhaustive()
    }
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// How many schema nodes one [`Shape`] may visit.
const SHAPE_BUDGET: usize = 4000;

/// Type bits of a [`Shape`].
pub(crate) mod ty {
    pub const STRING: u8 = 1;
    pub const INTEGER: u8 = 2;
    pub const NUMBER: u8 = 4;
    pub const BOOLEAN: u8 = 8;
    pub const NULL: u8 = 16;
    pub const ARRAY: u8 = 32;
    pub const OBJECT: u8 = 64;
}

/// What text parsing needs to know about a schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// Possible types ([`ty`] bits); 0 when the schema does not say.
    pub types: u8,
    /// The items' shape, for arrays.
    pub items: Option<Box<Shape>>,
    /// Declared properties, for objects.
    pub properties: Vec<(String, Shape)>,
    /// The shape of undeclared properties, when they are allowed and typed.
    pub additional: Option<Box<Shape>>,
}

impl Shape {
    /// The shape of a rewritten schema whose references point into `doc`.
    pub(crate) fn of(schema: &Value, doc: &Value) -> Shape {
        let mut s = Shape::default();
        let mut budget = SHAPE_BUDGET;
        s.add(schema, doc, 0, 0, &mut budget);
        s
    }

    fn add(&mut self, schema: &Value, doc: &Value, depth: usize, hops: usize, budget: &mut usize) {
        // Deep enough for real form bodies (Stripe nests six levels), bounded for
        // recursive and very wide schemas.
        if depth > 12 || hops > 24 || *budget == 0 {
            return;
        }
        *budget -= 1;
        let Value::Object(m) = schema else { return };
        if let Some(Value::String(r)) = m.get("$ref")
            && let Some(target) = resolve_in(doc, r)
        {
            self.add(target, doc, depth, hops + 1, budget);
        }
        match m.get("type") {
            Some(Value::String(t)) => self.types |= bit(t),
            Some(Value::Array(list)) => {
                for t in list.iter().filter_map(Value::as_str) {
                    self.types |= bit(t);
                }
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = m.get("enum")
            && !m.contains_key("type")
        {
            for v in values {
                self.types |= match v {
                    Value::String(_) => ty::STRING,
                    Value::Number(n) if n.is_f64() => ty::NUMBER,
                    Value::Number(_) => ty::INTEGER,
                    Value::Bool(_) => ty::BOOLEAN,
                    Value::Null => ty::NULL,
                    Value::Array(_) => ty::ARRAY,
                    Value::Object(_) => ty::OBJECT,
                };
            }
        }
        if let Some(items) = m.get("items").filter(|i| i.is_object()) {
            let mut inner = self.items.take().map(|b| *b).unwrap_or_default();
            inner.add(items, doc, depth + 1, hops, budget);
            self.items = Some(Box::new(inner));
        }
        if let Some(Value::Object(props)) = m.get("properties") {
            for (name, p) in props {
                let mut inner = Shape::default();
                inner.add(p, doc, depth + 1, hops, budget);
                match self.properties.iter_mut().find(|(n, _)| n == name) {
                    Some((_, existing)) => existing.merge(inner),
                    None => self.properties.push((name.clone(), inner)),
                }
            }
        }
        if let Some(add) = m.get("additionalProperties").filter(|a| a.is_object()) {
            let mut inner = Shape::default();
            inner.add(add, doc, depth + 1, hops, budget);
            self.additional = Some(Box::new(inner));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(list)) = m.get(key) {
                for member in list {
                    self.add(member, doc, depth, hops + 1, budget);
                }
            }
        }
        if self.types == 0 {
            if !self.properties.is_empty() {
                self.types = ty::OBJECT;
            } else if self.items.is_some() {
                self.types = ty::ARRAY;
            }
        }
    }

    fn merge(&mut self, other: Shape) {
        self.types |= other.types;
        if self.items.is_none() {
            self.items = other.items;
        }
        for (n, s) in other.properties {
            if !self.properties.iter().any(|(m, _)| *m == n) {
                self.properties.push((n, s));
            }
        }
        if self.additional.is_none() {
            self.additional = other.additional;
        }
    }

    /// Whether the schema says it is an array (and not also a plain value).
    pub(crate) fn is_array(&self) -> bool {
        self.types & ty::ARRAY != 0 && self.types & (ty::STRING | ty::OBJECT) == 0
    }

    /// Whether the schema says it is an object (and not also a plain value).
    pub(crate) fn is_object(&self) -> bool {
        self.types & ty::OBJECT != 0 && self.types & (ty::STRING | ty::ARRAY) == 0
    }

    /// The shape of property `name`.
    pub(crate) fn property(&self, name: &str) -> Option<&Shape> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
            .or(self.additional.as_deref())
    }

    /// Text turned into the JSON value the schema most likely means: a number, a boolean
    /// or null where the schema allows one and the text spells one; the text otherwise,
    /// so that the validator reports the mismatch.
    pub(crate) fn coerce(&self, text: &str) -> Value {
        let t = self.types;
        if t & ty::INTEGER != 0
            && let Ok(i) = text.parse::<i64>()
        {
            return json!(i);
        }
        if t & (ty::NUMBER | ty::INTEGER) != 0
            && let Ok(f) = text.parse::<f64>()
            && f.is_finite()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            && let Some(n) = serde_json::Number::from_f64(f)
        {
            return Value::Number(n);
        }
        if t & ty::BOOLEAN != 0 {
            match text {
                "true" => return Value::Bool(true),
                "false" => return Value::Bool(false),
                _ => {}
            }
        }
        if t & ty::NULL != 0 && t & ty::STRING == 0 && (text.is_empty() || text == "null") {
            return Value::Null;
        }
        // JSON text where the schema wants an object or array (a parameter or form
        // field sent as JSON, as many clients do).
        if t & (ty::OBJECT | ty::ARRAY) != 0
            && (text.starts_with('{') || text.starts_with('['))
            && let Ok(v) = serde_json::from_str::<Value>(text)
            && (v.is_object() || v.is_array())
        {
            return v;
        }
        Value::String(text.to_string())
    }
}

fn bit(t: &str) -> u8 {
    match t {
        "string" => ty::STRING,
        "integer" => ty::INTEGER,
        "number" => ty::NUMBER,
        "boolean" => ty::BOOLEAN,
        "null" => ty::NULL,
        "array" => ty::ARRAY,
        "object" => ty::OBJECT,
        _ => 0,
    }
}

/// Follows a rewritten `$ref` (`BASE#/...`) into the operation's document.
fn resolve_in<'d>(doc: &'d Value, reference: &str) -> Option<&'d Value> {
    let fragment = reference.strip_prefix(BASE)?.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .ok()?;
    doc.pointer(&decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(root: &Value, dialect: Dialect, schema: &Value) -> (Validator, Vec<String>) {
        let mut rw = Rewriter::new(root, dialect);
        let s = rw.schema(schema);
        let doc = rw.finish();
        let mut ops = OpSchemas::new(draft_of(dialect), doc);
        let v = ops.compile(s).expect("compiles");
        (v, ops.notes)
    }

    #[test]
    fn nullable_refs_and_read_only() {
        let root = json!({"components": {"schemas": {
            "Pet": {"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer", "readOnly": true},
                "name": {"type": "string", "nullable": true},
                "tag": {"$ref": "#/components/schemas/Tag", "nullable": true},
                "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}
            }},
            "Tag": {"type": "string", "enum": ["a", "b"]}
        }}});
        let (v, _) = compile(
            &root,
            Dialect::OpenApi30,
            &json!({"$ref": "#/components/schemas/Pet"}),
        );
        assert!(v.is_valid(&json!({"name": null, "tag": null})));
        assert!(v.is_valid(&json!({"name": "x", "tag": "a", "age": 1})));
        assert!(!v.is_valid(&json!({"name": "x", "age": 0})));
        assert!(!v.is_valid(&json!({"tag": "c", "name": "x"})));
        assert!(!v.is_valid(&json!({})));
    }

    #[test]
    fn malformed_keywords_are_dropped() {
        let root = json!({"definitions": {"A": {"type": "object", "properties": {
            "x": {"type": "string", "required": true, "pattern": "(?<bad"},
            "f": {"type": "file"}
        }}}});
        let (v, _) = compile(
            &root,
            Dialect::Swagger2,
            &json!({"$ref": "#/definitions/A"}),
        );
        assert!(v.is_valid(&json!({"x": "anything", "f": 3})));
        assert!(!v.is_valid(&json!({"x": 1})));
    }

    #[test]
    fn numeric_exclusive_bounds_in_3_0_and_boolean_in_3_1() {
        let root = json!({});
        let (v, _) = compile(
            &root,
            Dialect::OpenApi30,
            &json!({"type": "integer", "exclusiveMinimum": 5}),
        );
        assert!(!v.is_valid(&json!(5)) && v.is_valid(&json!(6)));
        let (v, _) = compile(
            &root,
            Dialect::OpenApi31,
            &json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true}),
        );
        assert!(!v.is_valid(&json!(5)) && v.is_valid(&json!(6)));
    }

    #[test]
    fn formats_known_and_unknown() {
        let root = json!({});
        let (v, _) = compile(
            &root,
            Dialect::OpenApi30,
            &json!({"type": "object", "properties": {
                "u": {"type": "string", "format": "uuid"},
                "d": {"type": "string", "format": "date"},
                "z": {"type": "string", "format": "zebra"}
            }}),
        );
        assert!(v.is_valid(
            &json!({"u": "123e4567-e89b-12d3-a456-426614174000", "d": "2024-02-29", "z": "?"})
        ));
        assert!(!v.is_valid(&json!({"u": "nope"})));
        assert!(!v.is_valid(&json!({"d": "2023-02-30"})));
        let (v, _) = compile(
            &root,
            Dialect::OpenApi30,
            &json!({"type": "string", "format": "byte"}),
        );
        assert!(v.is_valid(&json!("aGVsbG8=")) && !v.is_valid(&json!("not base64!")));
    }

    #[test]
    fn shapes_and_coercion() {
        let doc = json!({});
        let s = Shape::of(&json!({"type": "integer"}), &doc);
        assert_eq!(s.coerce("12"), json!(12));
        assert_eq!(s.coerce("1x"), json!("1x"));
        let s = Shape::of(&json!({"type": "boolean"}), &doc);
        assert_eq!(s.coerce("true"), json!(true));
        let s = Shape::of(&json!({"type": "string"}), &doc);
        assert_eq!(s.coerce("12"), json!("12"));
        let s = Shape::of(&json!({"type": "number"}), &doc);
        assert_eq!(s.coerce("1.5"), json!(1.5));
    }
}
