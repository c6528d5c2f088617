//! Generated data: a JSON value for a JSON Schema (OpenAPI dialects), valid against
//! that schema, realistic (guessed from property names and formats) and deterministic
//! for a given seed.
//!
//! The engine calls [`generate`] when a response has a schema but no example.
//!
//! How it works: each schema node is first *flattened* ([`Flat`]): `$ref`s followed,
//! `allOf` branches merged keyword by keyword (types intersected, bounds tightened,
//! properties united), `oneOf`/`anyOf` kept as groups. A group is resolved by choosing a
//! branch, flattening it into a copy of the node and generating from that; for `oneOf`
//! the value is then checked against the other branches. Whatever cannot be merged
//! exactly (a second `pattern`, `not`, `if`) is enforced by checking the result with our
//! own validator ([`check`]) and retrying. Recursion is cut by switching to a *minimal*
//! mode (no optional properties, `minItems` items, `null` where allowed) once a `$ref`
//! repeats, the value gets deep, or the node budget is spent; a hard work budget turns a
//! pathological schema into an [`Unsatisfiable`] instead of a hang.

mod check;
mod fake;
pub(crate) mod strings;

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Number, Value, json};

use check::{Checker, bounds, decimal_parts, json_eq, resolve, schema_types};
use fake::Kind;
pub(crate) use fake::uuid_v4;

use crate::model::Dialect;

/// Whether the value is for a response (leave out `writeOnly`) or a request (leave out
/// `readOnly`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A response body or header.
    Response,
    /// A request body or parameter.
    Request,
}

/// Everything generation needs besides the schema itself.
pub struct GenContext<'a> {
    /// The whole (bundled) document: every `$ref` in a schema is a local `#/...` pointer
    /// into it.
    pub root: &'a Value,
    /// The document's schema dialect.
    pub dialect: Dialect,
    /// Response or request.
    pub direction: Direction,
    /// The seed: the same seed gives the same value.
    pub seed: u64,
    /// Values from the request (path parameters such as `id`) that a generated property
    /// of the same name takes when its schema allows.
    pub hints: &'a [(String, String)],
}

/// A schema that no value can satisfy, with the JSON pointer of the culprit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsatisfiable {
    /// JSON pointer (within the document) of the schema that cannot be satisfied.
    pub pointer: String,
    /// What makes it unsatisfiable.
    pub reason: String,
    /// The closest value built, when one was: it breaks the schema somewhere, but a
    /// mock may still prefer sending it with the documented status over an error.
    pub best_effort: Option<Value>,
}

impl std::fmt::Display for Unsatisfiable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.reason)
    }
}

impl std::error::Error for Unsatisfiable {}

/// Generates a value for `schema`, which sits at `pointer` in the document.
pub fn generate(
    ctx: &GenContext<'_>,
    schema: &Value,
    pointer: &str,
) -> Result<Value, Unsatisfiable> {
    generate_with(ctx, schema, pointer, Extras::Declared)
}

/// Which properties a generated object carries beyond those its schema requires.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Extras {
    /// Only properties the schema declares (or requires, or a map's entries).
    #[default]
    Declared,
    /// As json-schema-faker's `fillProperties` with Prism's options (every optional
    /// property generated): an object whose declared properties are all required, or
    /// that declares none, also gets one to three undeclared properties where its schema
    /// allows them (valued by `additionalProperties`, else any value). Prism's
    /// `--dynamic` default.
    Fill,
}

/// [`generate`], with objects carrying the properties `extras` says. Objects under
/// `propertyNames` or `unevaluatedProperties` get no undeclared ones, and a filled value
/// the final check refuses gives way to one without them.
pub fn generate_with(
    ctx: &GenContext<'_>,
    schema: &Value,
    pointer: &str,
    extras: Extras,
) -> Result<Value, Unsatisfiable> {
    if extras == Extras::Fill {
        let mut g = Gen::new(ctx);
        g.fill = true;
        g.nodes = 0;
        if let Ok(v) = g.value(schema, pointer, None, 0, false)
            && g.checker.valid(&v, schema)
        {
            return Ok(v);
        }
    }
    let mut g = Gen::new(ctx);
    let mut last = None;
    // The whole value is checked once more against the schema: anything the construction
    // got wrong (it should not) costs a retry with the generator's next random draws.
    for _ in 0..3 {
        g.nodes = 0;
        match g.value(schema, pointer, None, 0, false) {
            Ok(v) => {
                if g.checker.valid(&v, schema) {
                    return Ok(v);
                }
                let mut u = g.unsat(pointer, "could not build a value the schema accepts");
                u.best_effort = Some(v);
                last = Some(u);
            }
            Err(e) => return Err(e),
        }
        if g.work > HARD_WORK {
            break;
        }
    }
    Err(last.unwrap_or_else(|| g.unsat(pointer, "could not build a value the schema accepts")))
}

/// Past this many values generated, everything still to come is minimal.
const SOFT_NODES: u64 = 400;
/// Past this depth (in values), everything is minimal.
const SOFT_DEPTH: usize = 8;
/// Past this depth we give up: a recursion that minimal mode could not stop.
const HARD_DEPTH: usize = 40;
/// Units of work (nodes, branches, retries) before giving up on a schema.
const HARD_WORK: u64 = 60_000;
/// Nesting of `$ref`/`allOf` within one node.
const MAX_FLATTEN_DEPTH: usize = 64;
/// The most items an array may be asked for (`minItems`).
const MAX_MIN_ITEMS: u64 = 2_000;
/// The most properties an object may be asked for (`minProperties`).
const MAX_MIN_PROPERTIES: u64 = 2_000;
/// The longest string that may be asked for (`minLength`), in characters.
const MAX_MIN_LENGTH: u64 = 100_000;

const T_NULL: u8 = 1;
const T_BOOL: u8 = 2;
const T_INT: u8 = 4;
/// A non-integer number; `number` in a schema is `T_INT | T_NUM`.
const T_NUM: u8 = 8;
const T_STR: u8 = 16;
const T_ARR: u8 = 32;
const T_OBJ: u8 = 64;
const T_ALL: u8 = 127;

fn type_bits(name: &str) -> u8 {
    match name {
        "null" => T_NULL,
        "boolean" => T_BOOL,
        "integer" => T_INT,
        "number" => T_INT | T_NUM,
        "string" | "file" => T_STR,
        "array" => T_ARR,
        "object" => T_OBJ,
        _ => 0,
    }
}

fn bits_of(v: &Value) -> u8 {
    match v {
        Value::Null => T_NULL,
        Value::Bool(_) => T_BOOL,
        Value::Number(n) if check::is_integer(n) => T_INT,
        Value::Number(_) => T_NUM,
        Value::String(_) => T_STR,
        Value::Array(_) => T_ARR,
        Value::Object(_) => T_OBJ,
    }
}

/// Escapes a property name for a JSON pointer.
fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The last segment of a `$ref` or pointer: the schema's name.
fn last_segment(r: &str) -> String {
    let seg = r.rsplit('/').next().unwrap_or(r);
    let seg = seg.replace("~1", "/").replace("~0", "~");
    percent_encoding::percent_decode_str(&seg)
        .decode_utf8_lossy()
        .into_owned()
}

/// Property schemas with `additionalProperties: false` (or a schema) in one `allOf` branch
/// keep their own list of allowed names: merging them would let through a name another
/// branch declares.
#[derive(Clone, Debug)]
struct Closed {
    names: Vec<String>,
    patterns: Vec<String>,
    addl: Value,
}

#[derive(Clone, Debug)]
struct Group {
    one: bool,
    branches: Vec<(Value, String)>,
    discriminator: Option<Value>,
    ptr: String,
}

/// One schema node with its `$ref`s followed and `allOf` merged.
#[derive(Clone, Debug, Default)]
struct Flat {
    ptr: String,
    /// The schema(s) this was built from, for the final check.
    raw: Value,
    types: Option<u8>,
    inferred: u8,
    enum_: Option<Vec<Value>>,
    min_len: u64,
    max_len: Option<u64>,
    format: Option<String>,
    patterns: Vec<String>,
    lo: Option<(f64, bool)>,
    hi: Option<(f64, bool)>,
    multiple: Option<f64>,
    min_items: u64,
    max_items: Option<u64>,
    unique: bool,
    items: Option<Value>,
    prefix: Vec<Value>,
    contains: Option<Value>,
    props: Map<String, Value>,
    required: Vec<String>,
    min_props: u64,
    max_props: Option<u64>,
    pattern_props: Vec<(String, Value)>,
    closed: Vec<Closed>,
    additional: Option<Value>,
    prop_names: Option<Value>,
    /// `unevaluatedProperties` seen: no undeclared property is added ([`Extras::Fill`]).
    unevaluated: bool,
    deps: Vec<(String, Vec<String>)>,
    groups: Vec<Group>,
    nots: Vec<Value>,
    /// Something only the final check enforces (a second pattern, `if`, ...).
    needs_check: bool,
    read_only: bool,
    write_only: bool,
    faker: Option<String>,
    examples: Vec<Value>,
    refs: Vec<String>,
    /// A `discriminator` seen without `oneOf`/`anyOf`: the base of an inheritance tree.
    disc_decl: Option<Value>,
    /// Properties fixed to a value (by a discriminator).
    forced: Vec<(String, Value)>,
}

fn combine(old: Option<Value>, new: &Value) -> Value {
    match old {
        None => new.clone(),
        Some(o) if o == *new => o,
        Some(o) => json!({ "allOf": [o, new] }),
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// The smallest positive integer multiple of a decimal `m` (`0.5` gives `1`, `4` gives `4`).
fn integer_step(m: f64) -> Option<i128> {
    let (mant, dec) = decimal_parts(m)?;
    let mant = mant.abs();
    if mant == 0 {
        return None;
    }
    let p = 10i128.checked_pow(dec)?;
    Some(mant / gcd(mant, p))
}

/// `k * m` written exactly in decimal, so that validators reading it in decimal agree
/// it is a multiple of `m`.
fn decimal_multiple(k: i128, m: f64) -> Option<f64> {
    let (mant, dec) = decimal_parts(m)?;
    let n = k.checked_mul(mant)?;
    let neg = n < 0;
    let digits = n.unsigned_abs().to_string();
    let dec = dec as usize;
    let text = if dec == 0 {
        digits
    } else {
        let padded = format!("{digits:0>width$}", width = dec + 1);
        let (a, b) = padded.split_at(padded.len() - dec);
        format!("{a}.{b}")
    };
    let x: f64 = format!("{}{text}", if neg { "-" } else { "" })
        .parse()
        .ok()?;
    Some(x)
}

fn singular(name: &str) -> String {
    if let Some(s) = name.strip_suffix("ies") {
        format!("{s}y")
    } else if let Some(s) = name
        .strip_suffix("List")
        .or_else(|| name.strip_suffix("_list"))
    {
        s.to_string()
    } else if name.ends_with("ss") {
        name.to_string()
    } else {
        name.strip_suffix('s').unwrap_or(name).to_string()
    }
}

struct Gen<'c, 'a> {
    ctx: &'c GenContext<'a>,
    rng: StdRng,
    checker: Checker<'a>,
    work: u64,
    nodes: u64,
    /// `$ref`s of the values being generated, outermost first: a repeat means recursion.
    stack: Vec<String>,
    /// Whether objects get undeclared properties ([`Extras::Fill`]).
    fill: bool,
}

impl<'c, 'a> Gen<'c, 'a> {
    fn new(ctx: &'c GenContext<'a>) -> Self {
        Gen {
            ctx,
            rng: StdRng::seed_from_u64(ctx.seed),
            checker: Checker::new(ctx.root, ctx.dialect, ctx.direction),
            work: 0,
            nodes: 0,
            stack: Vec::new(),
            fill: false,
        }
    }

    fn unsat(&self, ptr: &str, reason: impl Into<String>) -> Unsatisfiable {
        Unsatisfiable {
            pointer: ptr.to_string(),
            reason: reason.into(),
            best_effort: None,
        }
    }

    fn tick(&mut self, ptr: &str) -> Result<(), Unsatisfiable> {
        self.work += 1;
        if self.work > HARD_WORK {
            return Err(self.unsat(
                ptr,
                "generation budget exhausted (schema too complex or recursive)",
            ));
        }
        Ok(())
    }

    // ----- flattening -------------------------------------------------------------------

    fn flatten(&mut self, schema: &Value, ptr: &str) -> Result<Flat, Unsatisfiable> {
        let mut flat = Flat {
            ptr: ptr.to_string(),
            raw: schema.clone(),
            ..Flat::default()
        };
        let mut visiting = Vec::new();
        self.flatten_into(&mut flat, schema, ptr, &mut visiting, 0)?;
        Ok(flat)
    }

    fn flatten_into(
        &mut self,
        flat: &mut Flat,
        schema: &Value,
        ptr: &str,
        visiting: &mut Vec<String>,
        depth: usize,
    ) -> Result<(), Unsatisfiable> {
        self.tick(ptr)?;
        if depth > MAX_FLATTEN_DEPTH {
            return Err(self.unsat(ptr, "`$ref`/`allOf` nested too deeply"));
        }
        let m = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => {
                return Err(self.unsat(ptr, "the schema is `false`: nothing is valid"));
            }
            Value::Object(m) => m,
            _ => return Ok(()),
        };
        if let Some(r) = m.get("$ref").and_then(Value::as_str) {
            // A `readOnly`/`writeOnly` beside a `$ref` is how 3.0 documents say it, even
            // though the spec ignores siblings; honouring it can only leave a value out.
            if m.get("readOnly") == Some(&Value::Bool(true)) {
                flat.read_only = true;
            }
            if m.get("writeOnly") == Some(&Value::Bool(true)) {
                flat.write_only = true;
            }
            let root = self.ctx.root;
            let Some(target) = resolve(root, r) else {
                return Err(self.unsat(ptr, format!("unresolvable $ref `{r}`")));
            };
            if !visiting.iter().any(|v| v == r) {
                visiting.push(r.to_string());
                flat.refs.push(r.to_string());
                let tptr = r.trim_start_matches('#').to_string();
                self.flatten_into(flat, target, &tptr, visiting, depth + 1)?;
                visiting.pop();
            }
            if self.ctx.dialect != Dialect::OpenApi31 {
                return Ok(());
            }
        }
        self.absorb(flat, m, ptr);
        if let Some(Value::Array(all)) = m.get("allOf") {
            for (i, b) in all.iter().enumerate() {
                self.flatten_into(flat, b, &format!("{ptr}/allOf/{i}"), visiting, depth + 1)?;
            }
        }
        Ok(())
    }

    /// Merges the keywords of one schema (not its `$ref` or `allOf`) into `flat`.
    fn absorb(&mut self, f: &mut Flat, m: &Map<String, Value>, ptr: &str) {
        let dialect = self.ctx.dialect;
        if let Some(ts) = schema_types(m, dialect) {
            let bits = ts.iter().fold(0u8, |b, t| b | type_bits(t));
            // An unknown type name (`"type": "any"`) constrains nothing we can honour.
            if bits != 0 || ts.is_empty() {
                f.types = Some(f.types.unwrap_or(T_ALL) & bits);
            }
        }
        let enum_in = |f: &mut Flat, vals: Vec<Value>| {
            f.enum_ = Some(match f.enum_.take() {
                None => vals,
                Some(old) => old
                    .into_iter()
                    .filter(|x| vals.iter().any(|y| json_eq(x, y)))
                    .collect(),
            });
        };
        if let Some(Value::Array(e)) = m.get("enum") {
            enum_in(f, e.clone());
        }
        if let Some(c) = m.get("const") {
            enum_in(f, vec![c.clone()]);
        }
        // Strings.
        if let Some(n) = m.get("minLength").and_then(Value::as_u64) {
            f.min_len = f.min_len.max(n);
            f.inferred |= T_STR;
        }
        if let Some(n) = m.get("maxLength").and_then(Value::as_u64) {
            f.max_len = Some(f.max_len.map_or(n, |o| o.min(n)));
            f.inferred |= T_STR;
        }
        if let Some(fm) = m.get("format").and_then(Value::as_str) {
            match &f.format {
                None => f.format = Some(fm.to_string()),
                Some(o) if o != fm => f.needs_check = true,
                _ => {}
            }
            match fm {
                "int32" | "int64" | "float" | "double" => f.inferred |= T_INT | T_NUM,
                _ => f.inferred |= T_STR,
            }
        }
        if let Some(p) = m.get("pattern").and_then(Value::as_str) {
            if !f.patterns.iter().any(|x| x == p) {
                f.patterns.push(p.to_string());
            }
            f.inferred |= T_STR;
        }
        // Numbers.
        let (lo, hi) = bounds(m);
        if let Some((x, e)) = lo {
            f.lo = Some(match f.lo {
                Some((y, g)) if y > x || (y == x && g) => (y, g),
                _ => (x, e),
            });
            f.inferred |= T_INT | T_NUM;
        }
        if let Some((x, e)) = hi {
            f.hi = Some(match f.hi {
                Some((y, g)) if y < x || (y == x && g) => (y, g),
                _ => (x, e),
            });
            f.inferred |= T_INT | T_NUM;
        }
        if let Some(k) = m
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|k| *k > 0.0)
        {
            f.inferred |= T_INT | T_NUM;
            f.multiple = Some(match f.multiple {
                None => k,
                Some(o) if check::is_multiple(o, k) => o,
                Some(o) if check::is_multiple(k, o) => k,
                Some(o) => match (integer_step(o), integer_step(k)) {
                    (Some(a), Some(b)) if o.fract() == 0.0 && k.fract() == 0.0 => {
                        let l = a / gcd(a, b) * b;
                        l as f64
                    }
                    _ => {
                        f.needs_check = true;
                        o
                    }
                },
            });
        }
        // Arrays.
        if let Some(n) = m.get("minItems").and_then(Value::as_u64) {
            f.min_items = f.min_items.max(n);
            f.inferred |= T_ARR;
        }
        if let Some(n) = m.get("maxItems").and_then(Value::as_u64) {
            f.max_items = Some(f.max_items.map_or(n, |o| o.min(n)));
            f.inferred |= T_ARR;
        }
        if m.get("uniqueItems") == Some(&Value::Bool(true)) {
            f.unique = true;
        }
        match (m.get("prefixItems"), m.get("items")) {
            (Some(Value::Array(p)), items) => {
                if f.prefix.is_empty() {
                    f.prefix = p.clone();
                } else {
                    f.needs_check = true;
                }
                if let Some(it) = items {
                    f.items = Some(combine(f.items.take(), it));
                }
                f.inferred |= T_ARR;
            }
            (None, Some(Value::Array(p))) => {
                if f.prefix.is_empty() {
                    f.prefix = p.clone();
                } else {
                    f.needs_check = true;
                }
                if let Some(a) = m.get("additionalItems") {
                    f.items = Some(combine(f.items.take(), a));
                }
                f.inferred |= T_ARR;
            }
            (_, Some(it)) => {
                f.items = Some(combine(f.items.take(), it));
                f.inferred |= T_ARR;
            }
            _ => {}
        }
        if let Some(c) = m.get("contains") {
            f.contains = Some(combine(f.contains.take(), c));
            f.needs_check = true;
        }
        // Objects.
        if let Some(Value::Object(props)) = m.get("properties") {
            for (k, v) in props {
                let old = f.props.remove(k);
                f.props.insert(k.clone(), combine(old, v));
            }
            f.inferred |= T_OBJ;
        }
        if let Some(Value::Array(req)) = m.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                if !f.required.iter().any(|x| x == r) {
                    f.required.push(r.to_string());
                }
            }
            f.inferred |= T_OBJ;
        }
        if let Some(n) = m.get("minProperties").and_then(Value::as_u64) {
            f.min_props = f.min_props.max(n);
            f.inferred |= T_OBJ;
        }
        if let Some(n) = m.get("maxProperties").and_then(Value::as_u64) {
            f.max_props = Some(f.max_props.map_or(n, |o| o.min(n)));
            f.inferred |= T_OBJ;
        }
        if let Some(Value::Object(pp)) = m.get("patternProperties") {
            for (k, v) in pp {
                f.pattern_props.push((k.clone(), v.clone()));
            }
            f.needs_check = true;
            f.inferred |= T_OBJ;
        }
        match m.get("additionalProperties") {
            Some(Value::Bool(true)) | None => {}
            Some(a) => {
                let names = m
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect());
                let patterns = m
                    .get("patternProperties")
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect());
                f.closed.push(Closed {
                    names: names.unwrap_or_default(),
                    patterns: patterns.unwrap_or_default(),
                    addl: a.clone(),
                });
                if a.is_object() {
                    f.additional = Some(combine(f.additional.take(), a));
                }
                f.inferred |= T_OBJ;
            }
        }
        if let Some(pn) = m.get("propertyNames") {
            f.prop_names = Some(combine(f.prop_names.take(), pn));
            f.needs_check = true;
        }
        if m.contains_key("unevaluatedProperties") {
            f.unevaluated = true;
        }
        for key in ["dependencies", "dependentRequired", "dependentSchemas"] {
            if let Some(Value::Object(d)) = m.get(key) {
                for (k, v) in d {
                    match v {
                        Value::Array(names) => f.deps.push((
                            k.clone(),
                            names
                                .iter()
                                .filter_map(Value::as_str)
                                .map(String::from)
                                .collect(),
                        )),
                        _ => f.needs_check = true,
                    }
                }
            }
        }
        if m.contains_key("if") {
            f.needs_check = true;
        }
        // Composition.
        let disc = m.get("discriminator").cloned();
        let mut had_group = false;
        for (key, one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(Value::Array(bs)) = m.get(key) {
                had_group = true;
                f.groups.push(Group {
                    one,
                    branches: bs
                        .iter()
                        .enumerate()
                        .map(|(i, b)| (b.clone(), format!("{ptr}/{key}/{i}")))
                        .collect(),
                    discriminator: disc.clone(),
                    ptr: format!("{ptr}/{key}"),
                });
            }
        }
        if !had_group && f.disc_decl.is_none() {
            f.disc_decl = disc;
        }
        if let Some(n) = m.get("not") {
            f.nots.push(n.clone());
        }
        // Annotations.
        if m.get("readOnly") == Some(&Value::Bool(true)) {
            f.read_only = true;
        }
        if m.get("writeOnly") == Some(&Value::Bool(true)) {
            f.write_only = true;
        }
        if f.faker.is_none() {
            f.faker = match m.get("x-faker") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Object(o)) => o.keys().next().cloned(),
                _ => None,
            };
        }
        for key in ["example", "x-example", "default"] {
            if let Some(e) = m.get(key) {
                f.examples.push(e.clone());
            }
        }
        if let Some(Value::Array(es)) = m.get("examples") {
            f.examples.extend(es.iter().cloned());
        }
    }

    // ----- values -----------------------------------------------------------------------

    /// Generates a value for one schema node.
    fn value(
        &mut self,
        schema: &Value,
        ptr: &str,
        name: Option<&str>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        self.tick(ptr)?;
        if depth > HARD_DEPTH {
            return Err(self.unsat(
                ptr,
                "recursion too deep: a required property or item always recurses",
            ));
        }
        let flat = self.flatten(schema, ptr)?;
        let minimal = minimal
            || flat.refs.iter().any(|r| self.stack.contains(r))
            || depth > SOFT_DEPTH
            || self.nodes > SOFT_NODES;
        let mark = self.stack.len();
        self.stack.extend(flat.refs.iter().cloned());
        let r = self.gen_flat(flat, name, depth, minimal);
        self.stack.truncate(mark);
        self.nodes += 1;
        r
    }

    fn gen_flat(
        &mut self,
        mut flat: Flat,
        name: Option<&str>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        self.tick(&flat.ptr)?;
        if let Some(group) = flat.groups.pop() {
            return self.gen_group(flat, group, name, depth, minimal);
        }
        self.apply_nots(&mut flat);
        let check = flat.needs_check || !flat.nots.is_empty() || !flat.closed.is_empty();
        let mut last = None;
        for _ in 0..4 {
            let v = self.gen_plain(&flat, name, depth, minimal)?;
            if !check || self.checker.valid(&v, &flat.raw) {
                return Ok(v);
            }
            last = Some(v);
            self.tick(&flat.ptr)?;
        }
        let _ = last;
        Err(self.unsat(
            &flat.ptr,
            "could not find a value meeting every constraint (not/pattern/if/...)",
        ))
    }

    /// Narrows what `not` rules out directly (types, enum members, required names), so
    /// that the final check rarely has to reject.
    fn apply_nots(&mut self, f: &mut Flat) {
        let nots = f.nots.clone();
        for n in &nots {
            let Some(m) = n.as_object() else { continue };
            let only = |k: &str| {
                m.keys()
                    .all(|x| x == k || x == "description" || x == "title")
            };
            if only("type")
                && let Some(ts) = schema_types(m, self.ctx.dialect)
            {
                // `not: {type: integer}` leaves `number` as non-integers only, which is what
                // removing the integer bit says.
                let bits = ts.iter().fold(0u8, |b, t| b | type_bits(t));
                f.types = Some(f.types.unwrap_or(T_ALL) & !bits);
            }
            if (only("enum") || only("const"))
                && let Some(e) = f.enum_.take()
            {
                f.enum_ = Some(
                    e.into_iter()
                        .filter(|v| !self.checker.valid(v, n))
                        .collect(),
                );
            }
            if only("required")
                && let Some(Value::Array(req)) = m.get("required")
                && req.len() == 1
                && let Some(r) = req[0].as_str()
            {
                f.props.remove(r);
                f.closed.push(Closed {
                    names: f.props.keys().cloned().collect(),
                    patterns: vec![],
                    addl: json!(true),
                });
            }
        }
    }

    fn gen_group(
        &mut self,
        flat: Flat,
        group: Group,
        name: Option<&str>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        let n = group.branches.len();
        if n == 0 {
            return Err(self.unsat(&group.ptr, "`oneOf`/`anyOf` without branches"));
        }
        let start = self.rng.random_range(0..n);
        let mut order: Vec<usize> = (0..n).map(|i| (start + i) % n).collect();
        // Branches that recurse into a schema already being generated go last when we are
        // cutting recursion; a bare `null` branch goes last unless we are.
        let stack = &self.stack;
        let dialect = self.ctx.dialect;
        let cost = |b: &Value| -> u8 {
            let is_null = b
                .as_object()
                .and_then(|m| schema_types(m, dialect))
                .is_some_and(|t| t == ["null"]);
            let recursive = b
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| stack.iter().any(|s| s == r));
            match (minimal, is_null, recursive) {
                (true, true, _) => 0,
                (true, _, true) => 3,
                (false, true, _) => 2,
                (false, _, true) => 1,
                _ => 1,
            }
        };
        order.sort_by_key(|&i| cost(&group.branches[i].0));
        let disc_prop = group.discriminator.as_ref().and_then(|d| match d {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("propertyName")
                .and_then(Value::as_str)
                .map(String::from),
            _ => None,
        });
        let mut last_err = None;
        for &i in order.iter().take(10) {
            let (b, bptr) = &group.branches[i];
            let mut merged = flat.clone();
            merged.raw = json!({ "allOf": [flat.raw, b] });
            let before = merged.refs.len();
            let mut visiting = Vec::new();
            if let Err(e) = self.flatten_into(&mut merged, b, bptr, &mut visiting, 0) {
                last_err = Some(e);
                continue;
            }
            let new_refs: Vec<String> = merged.refs[before..].to_vec();
            let branch_minimal = minimal || new_refs.iter().any(|r| self.stack.contains(r));
            if let (Some(prop), Some(r)) = (&disc_prop, b.get("$ref").and_then(Value::as_str)) {
                let value = disc_value(group.discriminator.as_ref(), r);
                merged.forced.push((prop.clone(), Value::String(value)));
            }
            let mark = self.stack.len();
            self.stack.extend(new_refs);
            let tries = if group.one { 3 } else { 1 };
            let mut result = None;
            for _ in 0..tries {
                match self.gen_flat(merged.clone(), name, depth, branch_minimal) {
                    Ok(v) => {
                        if !group.one {
                            result = Some(v);
                            break;
                        }
                        let others: Vec<usize> = (0..n)
                            .filter(|&j| {
                                j != i && self.checker.valid_lenient(&v, &group.branches[j].0)
                            })
                            .collect();
                        if others.is_empty() {
                            result = Some(v);
                            break;
                        }
                        if let Some(v2) = self.distinguish(v, &group, i, &others) {
                            result = Some(v2);
                            break;
                        }
                        last_err = Some(self.unsat(
                            &group.ptr,
                            "every value tried matches more than one `oneOf` branch",
                        ));
                    }
                    Err(e) => {
                        last_err = Some(e);
                        break;
                    }
                }
            }
            self.stack.truncate(mark);
            if let Some(v) = result {
                return Ok(v);
            }
        }
        Err(last_err.unwrap_or_else(|| self.unsat(&group.ptr, "no branch can be satisfied")))
    }

    /// Makes an object that matches branch `i` of a `oneOf` stop matching the `others` too:
    /// drop a property another branch requires but `i` does not, or give a property that
    /// only another branch declares a value that branch rejects.
    fn distinguish(
        &mut self,
        v: Value,
        group: &Group,
        i: usize,
        others: &[usize],
    ) -> Option<Value> {
        let Value::Object(mut o) = v else { return None };
        let mine = &group.branches[i].0;
        let exactly_one = |c: &Checker<'_>, o: &Map<String, Value>| {
            let val = Value::Object(o.clone());
            group.branches.iter().enumerate().all(|(j, (b, _))| {
                if j == i {
                    c.valid(&val, b)
                } else {
                    !c.valid_lenient(&val, b)
                }
            })
        };
        let mine_flat = self.flatten(mine, &group.branches[i].1).ok()?;
        for &j in others {
            let Ok(fj) = self.flatten(&group.branches[j].0, &group.branches[j].1) else {
                continue;
            };
            for r in &fj.required {
                if o.contains_key(r) && !mine_flat.required.contains(r) {
                    let saved = o.remove(r);
                    if self.checker.valid(&Value::Object(o.clone()), mine) {
                        break;
                    }
                    if let Some(s) = saved {
                        o.insert(r.clone(), s);
                    }
                }
            }
            if !self
                .checker
                .valid_lenient(&Value::Object(o.clone()), &group.branches[j].0)
            {
                continue;
            }
            for (p, ps) in &fj.props {
                if o.contains_key(p) || mine_flat.props.contains_key(p) {
                    continue;
                }
                let bad = [
                    json!(null),
                    json!(0),
                    json!("x"),
                    json!(true),
                    json!([]),
                    json!({}),
                ]
                .into_iter()
                .find(|b| !self.checker.valid_lenient(b, ps));
                if let Some(b) = bad {
                    o.insert(p.clone(), b);
                    if self.checker.valid(&Value::Object(o.clone()), mine) {
                        break;
                    }
                    o.remove(p);
                }
            }
        }
        exactly_one(&self.checker, &o).then_some(Value::Object(o))
    }

    fn gen_plain(
        &mut self,
        f: &Flat,
        name: Option<&str>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        let allowed = f.types.unwrap_or(T_ALL);
        if allowed == 0 {
            return Err(self.unsat(&f.ptr, "no type satisfies every `type`/`allOf` constraint"));
        }
        if let Some(e) = &f.enum_ {
            let mut ok: Vec<&Value> = Vec::new();
            for v in e {
                let t = bits_of(v);
                let type_ok = allowed & t != 0 || (t == T_INT && allowed & T_NUM != 0);
                if type_ok && self.checker.valid(v, &f.raw) {
                    ok.push(v);
                }
            }
            if ok.is_empty() {
                return Err(self.unsat(&f.ptr, "no `enum`/`const` value satisfies the schema"));
            }
            return Ok(ok[self.rng.random_range(0..ok.len())].clone());
        }
        // A documented example reads best, when it is a scalar that really fits (examples
        // in real documents are often stale); objects are built so that direction and
        // nesting rules apply.
        let scalar_examples: Vec<&Value> = f
            .examples
            .iter()
            .filter(|e| !e.is_object() && !e.is_array() && !e.is_null())
            .collect();
        if !scalar_examples.is_empty() && self.rng.random_bool(0.5) {
            let e = scalar_examples[self.rng.random_range(0..scalar_examples.len())];
            let t = bits_of(e);
            if (allowed & t != 0 || (t == T_INT && allowed & T_NUM != 0))
                && self.checker.valid(e, &f.raw)
            {
                return Ok(e.clone());
            }
        }
        let kind = f
            .faker
            .as_deref()
            .and_then(fake::kind_for_faker)
            .or_else(|| name.and_then(fake::kind_for_name));
        let order = self.type_order(f, allowed, kind, minimal, depth);
        let mut last = None;
        for t in order {
            let r = match t {
                T_NULL => Ok(Value::Null),
                T_BOOL => Ok(Value::Bool(self.rng.random_bool(0.5))),
                T_INT => self.gen_number(f, true, kind),
                T_NUM => self.gen_number(f, false, kind),
                T_STR => self.gen_string(f, kind),
                T_ARR => self.gen_array(f, name, depth, minimal),
                _ => self.gen_object(f, depth, minimal),
            };
            match r {
                Ok(v) => return Ok(v),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| self.unsat(&f.ptr, "no type can be generated")))
    }

    /// The types to try, best first.
    fn type_order(
        &mut self,
        f: &Flat,
        allowed: u8,
        kind: Option<Kind>,
        minimal: bool,
        depth: usize,
    ) -> Vec<u8> {
        let mut cands: Vec<u8> = Vec::new();
        let explicit = f.types.is_some();
        let pool = if explicit {
            allowed
        } else if f.inferred != 0 {
            f.inferred
        } else {
            match kind {
                Some(Kind::Boolean) => T_BOOL,
                Some(k) if k != Kind::Id && fake::number_range(k).is_some() => {
                    if matches!(
                        k,
                        Kind::Money | Kind::Latitude | Kind::Longitude | Kind::Percent
                    ) {
                        T_NUM | T_INT
                    } else {
                        T_INT
                    }
                }
                _ => T_STR,
            }
        };
        // `number` allows integers: a non-integer comes first unless the name says
        // integer (counts, ids, years), so that `oneOf: [integer, number]` finds its value.
        let num_first = pool & T_NUM != 0
            && (pool & T_INT == 0
                || !matches!(
                    kind,
                    Some(
                        Kind::Count
                            | Kind::Id
                            | Kind::Age
                            | Kind::Year
                            | Kind::Rating
                            | Kind::Integer
                    )
                ));
        // JSON types in a fixed order; several explicit types (`["string", "integer"]`)
        // start with a random one and keep the rest as fallbacks.
        let mut groups: Vec<u8> = [T_OBJ, T_ARR, T_STR, T_INT | T_NUM, T_BOOL]
            .into_iter()
            .filter(|t| pool & t != 0)
            .collect();
        if explicit && groups.len() > 1 {
            let k = self.rng.random_range(0..groups.len());
            groups.rotate_left(k);
        }
        let mut main = Vec::new();
        for g in groups {
            if g == T_INT | T_NUM {
                let (a, b) = if num_first {
                    (T_NUM, T_INT)
                } else {
                    (T_INT, T_NUM)
                };
                main.extend([a, b].into_iter().filter(|t| pool & t != 0));
            } else {
                main.push(g);
            }
        }
        let null_ok = allowed & T_NULL != 0;
        if null_ok && minimal && depth > 0 && main.iter().any(|t| *t == T_OBJ || *t == T_ARR) {
            cands.push(T_NULL);
        }
        cands.extend(main);
        if null_ok && !cands.contains(&T_NULL) {
            cands.push(T_NULL);
        }
        cands
    }

    fn gen_string(&mut self, f: &Flat, kind: Option<Kind>) -> Result<Value, Unsatisfiable> {
        let (min, max) = (f.min_len, f.max_len);
        if max.is_some_and(|m| m < min) {
            return Err(self.unsat(&f.ptr, "`minLength` is greater than `maxLength`"));
        }
        if min > MAX_MIN_LENGTH {
            return Err(self.unsat(
                &f.ptr,
                format!("`minLength` of {min} is beyond what a mock generates"),
            ));
        }
        let fmt = f.format.as_deref();
        let ok = |g: &Self, s: &str| {
            let n = s.chars().count() as u64;
            n >= min
                && max.is_none_or(|m| n <= m)
                && fmt.is_none_or(|fm| strings::format_ok(fm, s))
                && f.patterns
                    .iter()
                    .all(|p| g.checker.patterns.is_match(p, s) != Some(false))
        };
        if let Some(k) = kind
            && let Some(s) = fake::string_for(k, &mut self.rng, max)
            && ok(self, &s)
        {
            return Ok(Value::String(s));
        }
        if let Some(fm) = fmt {
            for _ in 0..3 {
                match strings::for_format(fm, &mut self.rng) {
                    Some(s) if ok(self, &s) => return Ok(Value::String(s)),
                    Some(_) => {}
                    None => break,
                }
            }
        }
        if let Some(p) = f.patterns.first() {
            for _ in 0..4 {
                if let Some(s) = self.checker.patterns.sample(p, &mut self.rng, min, max)
                    && ok(self, &s)
                {
                    return Ok(Value::String(s));
                }
            }
            // An unanchored pattern (`[A-z0-9]`) only needs to occur somewhere: a short
            // match padded with letters up to `minLength` still matches.
            if let Some(mut s) = self.checker.patterns.sample(p, &mut self.rng, 0, max) {
                let short = min.saturating_sub(s.chars().count() as u64);
                s.extend(std::iter::repeat_n('a', short as usize));
                if ok(self, &s) {
                    return Ok(Value::String(s));
                }
            }
            return Err(self.unsat(
                &f.ptr,
                format!(
                    "could not generate a string matching `{p}` within the length and format bounds"
                ),
            ));
        }
        if let Some(fm) = fmt
            && strings::for_format(fm, &mut self.rng).is_some()
        {
            return Err(self.unsat(&f.ptr, format!("no `{fm}` string fits the length bounds")));
        }
        // Free text: words, padded or cut to the bounds.
        let n_words = self.rng.random_range(1..=2);
        let mut s = fake::words(&mut self.rng, n_words);
        let mut len = s.chars().count() as u64;
        while len < min {
            let word = fake::word(&mut self.rng);
            s.push_str(word);
            len += word.chars().count() as u64;
        }
        if let Some(m) = max {
            s = s.chars().take(m as usize).collect();
            if s.ends_with(' ') && s.chars().count() as u64 > min {
                s.pop();
            }
        }
        if ok(self, &s) {
            Ok(Value::String(s))
        } else {
            Err(self.unsat(&f.ptr, "no string fits the constraints"))
        }
    }

    fn gen_number(
        &mut self,
        f: &Flat,
        integer: bool,
        kind: Option<Kind>,
    ) -> Result<Value, Unsatisfiable> {
        let mut lo = f.lo;
        let mut hi = f.hi;
        let fmt_range = match f.format.as_deref() {
            Some("int32") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
            Some("int64") => Some((-9.0e18, 9.0e18)),
            Some("uint32") => Some((0.0, f64::from(u32::MAX))),
            Some("uint64") | Some("uint") => Some((0.0, 1.8e19)),
            Some("int8") => Some((-128.0, 127.0)),
            Some("uint8") => Some((0.0, 255.0)),
            Some("int16") => Some((-32768.0, 32767.0)),
            _ => None,
        };
        if let Some((a, b)) = fmt_range {
            if lo.is_none_or(|(x, _)| x < a) {
                lo = Some((a, false));
            }
            if hi.is_none_or(|(x, _)| x > b) {
                hi = Some((b, false));
            }
        }
        let (klo, khi, dec) = kind.and_then(fake::number_range).unwrap_or(if integer {
            (1.0, 100.0, 0)
        } else {
            (1.0, 100.0, 2)
        });
        if integer || f.multiple.is_some() {
            return self.gen_multiple(f, integer, lo, hi, (klo, khi));
        }
        let (a, ae) = lo.unwrap_or((f64::MIN, false));
        let (b, be) = hi.unwrap_or((f64::MAX, false));
        if a > b || (a == b && (ae || be)) {
            return Err(self.unsat(&f.ptr, "`minimum` is above `maximum`"));
        }
        let inside =
            |x: f64| x.is_finite() && (x > a || (!ae && x == a)) && (x < b || (!be && x == b));
        // A realistic range where it meets the bounds; else a window next to a bound.
        let (mut rlo, mut rhi) = (klo.max(a), khi.min(b));
        if rlo > rhi {
            if a > khi {
                (rlo, rhi) = (a, if b - a > 100.0 { a + 100.0 } else { b });
            } else {
                (rlo, rhi) = (if b - a > 100.0 { b - 100.0 } else { a }, b);
            }
        }
        let dec = dec.max(2);
        for d in [dec, dec + 2, 6] {
            for _ in 0..4 {
                let x = if rhi > rlo {
                    self.rng.random_range(rlo..=rhi)
                } else {
                    rlo
                };
                let p = 10f64.powi(d as i32);
                let x = (x * p).round() / p;
                // A `number` reads (and validates, in `oneOf`) best with a fraction.
                if x.fract() == 0.0 && d < 6 {
                    continue;
                }
                if inside(x) {
                    return num(x).ok_or_else(|| self.unsat(&f.ptr, "not a finite number"));
                }
            }
        }
        let mid = a / 2.0 + b / 2.0;
        if inside(mid) {
            return num(mid).ok_or_else(|| self.unsat(&f.ptr, "not a finite number"));
        }
        Err(self.unsat(&f.ptr, "no number lies within the bounds"))
    }

    /// Integers, and numbers with `multipleOf`: a random multiple `k * step` in range.
    fn gen_multiple(
        &mut self,
        f: &Flat,
        integer: bool,
        lo: Option<(f64, bool)>,
        hi: Option<(f64, bool)>,
        realistic: (f64, f64),
    ) -> Result<Value, Unsatisfiable> {
        let m = f.multiple.unwrap_or(1.0);
        // For an integer the step is the smallest integer multiple of `m`; for a number it
        // is `m` itself, and values are `k * m` written in decimal.
        let (step_int, step) = if integer {
            match integer_step(m) {
                Some(s) => (Some(s), s as f64),
                None => return Err(self.unsat(&f.ptr, "`multipleOf` cannot be honoured")),
            }
        } else {
            (None, m)
        };
        const LIMIT: f64 = 9.0e15;
        let kmin = match lo {
            Some((x, e)) => {
                let k = (x / step).ceil();
                if e && (k * step) <= x { k + 1.0 } else { k }
            }
            None => (-LIMIT / step).ceil(),
        };
        let kmax = match hi {
            Some((x, e)) => {
                let k = (x / step).floor();
                if e && (k * step) >= x { k - 1.0 } else { k }
            }
            None => (LIMIT / step).floor(),
        };
        let kmin = kmin.max((-LIMIT / step).ceil());
        let kmax = kmax.min((LIMIT / step).floor());
        if kmin
            .partial_cmp(&kmax)
            .is_none_or(|o| o == std::cmp::Ordering::Greater)
        {
            return Err(self.unsat(
                &f.ptr,
                if f.multiple.is_some() {
                    "no multiple of `multipleOf` lies within the bounds"
                } else {
                    "`minimum` is above `maximum`"
                },
            ));
        }
        let (rl, rh) = ((realistic.0 / step).ceil(), (realistic.1 / step).floor());
        let (mut a, mut b) = (rl.max(kmin), rh.min(kmax));
        if a > b {
            if kmin > rh {
                (a, b) = (kmin, (kmin + 100.0).min(kmax));
            } else {
                (a, b) = ((kmax - 100.0).max(kmin), kmax);
            }
        }
        let (a, b) = (a as i64, b as i64);
        let inside = |x: f64| {
            lo.is_none_or(|(l, e)| x > l || (!e && x == l))
                && hi.is_none_or(|(h, e)| x < h || (!e && x == h))
        };
        for _ in 0..6 {
            let k = if b > a {
                self.rng.random_range(a..=b)
            } else {
                a
            };
            let v = match step_int {
                Some(s) => {
                    let Some(n) = i128::from(k)
                        .checked_mul(s)
                        .and_then(|n| i64::try_from(n).ok())
                    else {
                        continue;
                    };
                    if !inside(n as f64) {
                        continue;
                    }
                    if f.multiple
                        .is_some_and(|mm| !check::is_multiple(n as f64, mm))
                    {
                        continue;
                    }
                    Value::Number(Number::from(n))
                }
                None => {
                    let Some(x) = decimal_multiple(i128::from(k), m) else {
                        continue;
                    };
                    if !inside(x) || !check::is_multiple(x, m) {
                        continue;
                    }
                    match num(x) {
                        Some(v) => v,
                        None => continue,
                    }
                }
            };
            return Ok(v);
        }
        Err(self.unsat(&f.ptr, "no number satisfies the bounds and `multipleOf`"))
    }

    fn gen_array(
        &mut self,
        f: &Flat,
        name: Option<&str>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        let min = f.min_items;
        let max = f.max_items.unwrap_or(u64::MAX);
        if min > max {
            return Err(self.unsat(&f.ptr, "`minItems` is greater than `maxItems`"));
        }
        if min > MAX_MIN_ITEMS {
            return Err(self.unsat(
                &f.ptr,
                format!("`minItems` of {min} is beyond what a mock generates"),
            ));
        }
        let want = if minimal {
            min
        } else {
            self.rng.random_range(1..=3u64).clamp(min, max)
        };
        let item_name = name.map(singular);
        let items = f.items.clone().unwrap_or(Value::Bool(true));
        let mut out: Vec<Value> = Vec::new();
        let mut i = 0u64;
        let mut dup_tries = 0;
        while (out.len() as u64) < want {
            i += 1;
            if i > want * 4 + 8 {
                break;
            }
            let idx = out.len();
            let (schema, ptr) = match f.prefix.get(idx) {
                Some(s) => (s.clone(), format!("{}/prefixItems/{idx}", f.ptr)),
                None => (items.clone(), format!("{}/items", f.ptr)),
            };
            if schema == Value::Bool(false) {
                break;
            }
            match self.value(&schema, &ptr, item_name.as_deref(), depth + 1, minimal) {
                Ok(v) => {
                    if f.unique && out.iter().any(|x| json_eq(x, &v)) {
                        dup_tries += 1;
                        if dup_tries > 8 {
                            break;
                        }
                        continue;
                    }
                    out.push(v);
                }
                Err(e) => {
                    if (out.len() as u64) < min {
                        return Err(e);
                    }
                    break;
                }
            }
        }
        if (out.len() as u64) < min {
            return Err(self.unsat(
                &f.ptr,
                "not enough distinct items for `minItems`/`uniqueItems`",
            ));
        }
        if let Some(c) = &f.contains
            && !out.iter().any(|x| self.checker.valid(x, c))
        {
            let both = json!({ "allOf": [items, c] });
            let v = self.value(
                &both,
                &format!("{}/contains", f.ptr),
                item_name.as_deref(),
                depth + 1,
                minimal,
            )?;
            if (out.len() as u64) < max.max(1) {
                out.push(v);
            } else if let Some(first) = out.first_mut() {
                *first = v;
            }
        }
        Ok(Value::Array(out))
    }

    /// Whether a property is left out in this direction (`readOnly` in requests,
    /// `writeOnly` in responses), looking through `$ref` and `allOf`.
    fn excluded(&mut self, schema: &Value, ptr: &str) -> bool {
        let key = match self.ctx.direction {
            Direction::Response => "writeOnly",
            Direction::Request => "readOnly",
        };
        fn has(root: &Value, s: &Value, key: &str, depth: usize) -> bool {
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
                .and_then(|r| resolve(root, r))
                && has(root, t, key, depth + 1)
            {
                return true;
            }
            matches!(m.get("allOf"), Some(Value::Array(a)) if a.iter().any(|b| has(root, b, key, depth + 1)))
        }
        let _ = ptr;
        has(self.ctx.root, schema, key, 0)
    }

    fn permitted(&self, f: &Flat, name: &str) -> bool {
        f.closed.iter().all(|c| {
            c.names.iter().any(|n| n == name)
                || c.patterns
                    .iter()
                    .any(|p| self.checker.patterns.is_match(p, name) == Some(true))
                || c.addl != Value::Bool(false)
        })
    }

    fn hint_for(&self, name: &str, schema: &Value) -> Option<Value> {
        let (_, raw) = self.ctx.hints.iter().find(|(k, _)| k == name)?;
        let mut cands = Vec::new();
        if let Ok(i) = raw.parse::<i64>() {
            cands.push(Value::from(i));
        }
        if let Ok(x) = raw.parse::<f64>()
            && let Some(v) = num(x)
        {
            cands.push(v);
        }
        match raw.as_str() {
            "true" => cands.push(Value::Bool(true)),
            "false" => cands.push(Value::Bool(false)),
            _ => {}
        }
        cands.push(Value::String(raw.clone()));
        cands.into_iter().find(|c| self.checker.valid(c, schema))
    }

    fn gen_object(
        &mut self,
        f: &Flat,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        let max = f.max_props.unwrap_or(u64::MAX) as usize;
        if f.min_props > MAX_MIN_PROPERTIES {
            return Err(self.unsat(
                &f.ptr,
                format!(
                    "`minProperties` of {} is beyond what a mock generates",
                    f.min_props
                ),
            ));
        }
        let mut out = Map::new();
        let p_optional = match depth {
            0 => 0.9,
            1 | 2 => 0.75,
            _ => 0.5,
        };
        let mut skipped: Vec<String> = Vec::new();
        let mut forced_all = f.forced.clone();
        // The base of an inheritance tree (`discriminator` without `oneOf`) reached through
        // a child's `allOf`: the property names the child.
        if let Some(prop) = f.disc_decl.as_ref().and_then(|d| match d {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o
                .get("propertyName")
                .and_then(Value::as_str)
                .map(String::from),
            _ => None,
        }) && !forced_all.iter().any(|(k, _)| *k == prop)
        {
            let concrete = f.refs.first().cloned().or_else(|| {
                (f.ptr.contains("/schemas/") || f.ptr.contains("/definitions/"))
                    .then(|| f.ptr.clone())
            });
            if let Some(r) = concrete {
                forced_all.push((prop, Value::String(disc_value(f.disc_decl.as_ref(), &r))));
            }
        }
        let f_forced = forced_all;
        let mut required: HashSet<&str> = f.required.iter().map(String::as_str).collect();
        for (k, names) in &f.deps {
            if required.contains(k.as_str()) {
                required.extend(names.iter().map(String::as_str));
            }
        }
        let props: Vec<(String, Value)> = f
            .props
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (pname, pschema) in &props {
            let ptr = format!("{}/properties/{}", f.ptr, esc(pname));
            if self.excluded(pschema, &ptr) {
                continue;
            }
            let req = required.contains(pname.as_str());
            let forced = f_forced
                .iter()
                .find(|(k, _)| k == pname)
                .map(|(_, v)| v.clone());
            if !self.permitted(f, pname) {
                if req {
                    return Err(self.unsat(&ptr, format!("required property `{pname}` is forbidden by `additionalProperties: false` in another `allOf` branch")));
                }
                continue;
            }
            let include = req
                || forced.is_some()
                || (!minimal && out.len() < max && self.rng.random_bool(p_optional));
            if !include {
                skipped.push(pname.clone());
                continue;
            }
            let pschema = &self.with_closed(f, pname, pschema);
            match self.prop_value(pname, pschema, &ptr, forced, depth, minimal) {
                Ok(v) => {
                    out.insert(pname.clone(), v);
                }
                Err(e) => {
                    if req {
                        return Err(e);
                    }
                }
            }
        }
        // Required names no property declares.
        for r in &f.required {
            if out.contains_key(r) || f.props.contains_key(r) {
                continue;
            }
            if !self.permitted(f, r) {
                return Err(self.unsat(
                    &f.ptr,
                    format!("required property `{r}` is forbidden by `additionalProperties`"),
                ));
            }
            let schema = self.schema_for_extra(f, r);
            let v = self.value(
                &schema,
                &format!("{}/required", f.ptr),
                Some(r),
                depth + 1,
                minimal,
            )?;
            out.insert(r.clone(), v);
        }
        // Forced properties not declared (a discriminator on an open object).
        for (k, v) in &f_forced {
            if !out.contains_key(k) && !f.props.contains_key(k) && self.permitted(f, k) {
                out.insert(k.clone(), v.clone());
            }
        }
        // Dependencies of what was included.
        for (k, names) in &f.deps {
            if !out.contains_key(k) {
                continue;
            }
            for n in names {
                if out.contains_key(n) {
                    continue;
                }
                let schema = f
                    .props
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| self.schema_for_extra(f, n));
                let v = self.value(
                    &schema,
                    &format!("{}/properties/{}", f.ptr, esc(n)),
                    Some(n),
                    depth + 1,
                    minimal,
                )?;
                out.insert(n.clone(), v);
            }
        }
        if out.len() > max {
            return Err(self.unsat(
                &f.ptr,
                "more required properties than `maxProperties` allows",
            ));
        }
        // Maps (`additionalProperties: {schema}` / `patternProperties` and nothing else) get
        // a few entries; `minProperties` is met from skipped properties first.
        let open = f.closed.iter().all(|c| c.addl != Value::Bool(false)) && f.additional.is_some();
        let mut want = f.min_props as usize;
        if !minimal && f.props.is_empty() && (open || !f.pattern_props.is_empty()) {
            want = want.max(self.rng.random_range(1..=2));
        }
        want = want.min(max);
        let mut extra_i = 0;
        while out.len() < want {
            extra_i += 1;
            if extra_i > want * 3 + 10 {
                break;
            }
            if let Some(p) = skipped.first().cloned() {
                skipped.remove(0);
                let Some(ps) = f.props.get(&p).cloned() else {
                    continue;
                };
                let ps = self.with_closed(f, &p, &ps);
                let ptr = format!("{}/properties/{}", f.ptr, esc(&p));
                if let Ok(v) = self.prop_value(&p, &ps, &ptr, None, depth, minimal) {
                    out.insert(p, v);
                }
                continue;
            }
            let key = if let Some((pat, _)) =
                f.pattern_props.get(extra_i % f.pattern_props.len().max(1))
            {
                match self
                    .checker
                    .patterns
                    .sample(pat, &mut self.rng, 1, Some(40))
                {
                    Some(k) => k,
                    None => continue,
                }
            } else if open || f.closed.is_empty() {
                fake::map_key(&mut self.rng, extra_i - 1)
            } else {
                break;
            };
            if out.contains_key(&key) || f.props.contains_key(&key) || !self.permitted(f, &key) {
                continue;
            }
            if let Some(pn) = &f.prop_names
                && !self.checker.valid(&Value::String(key.clone()), pn)
            {
                let ptr = format!("{}/propertyNames", f.ptr);
                match self.value(pn, &ptr, None, depth + 1, true) {
                    Ok(Value::String(k)) if !out.contains_key(&k) => {
                        let schema = self.schema_for_extra(f, &k);
                        if let Ok(v) = self.value(
                            &schema,
                            &format!("{}/additionalProperties", f.ptr),
                            Some(&k),
                            depth + 1,
                            minimal,
                        ) {
                            out.insert(k, v);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let schema = self.schema_for_extra(f, &key);
            if let Ok(v) = self.value(
                &schema,
                &format!("{}/additionalProperties", f.ptr),
                Some(&key),
                depth + 1,
                minimal,
            ) {
                out.insert(key, v);
            }
        }
        if self.fill
            && !minimal
            && f.prop_names.is_none()
            && !f.unevaluated
            && f.props.keys().all(|k| required.contains(k.as_str()))
        {
            self.fill_extras(f, &mut out, max, depth);
        }
        if (out.len() as u64) < f.min_props {
            return Err(self.unsat(&f.ptr, "`minProperties` cannot be reached"));
        }
        Ok(Value::Object(out))
    }

    /// One to three undeclared properties the schema permits, within `max` in all.
    fn fill_extras(&mut self, f: &Flat, out: &mut Map<String, Value>, max: usize, depth: usize) {
        let want = self
            .rng
            .random_range(1..=3usize)
            .min(max.saturating_sub(out.len()));
        let mut added = 0;
        for i in 0..want * 4 {
            if added == want {
                break;
            }
            let key = fake::map_key(&mut self.rng, out.len() + i);
            if out.contains_key(&key) || f.props.contains_key(&key) || !self.permitted(f, &key) {
                continue;
            }
            let schema = self.schema_for_extra(f, &key);
            let ptr = format!("{}/additionalProperties", f.ptr);
            if let Ok(v) = self.value(&schema, &ptr, Some(&key), depth + 1, false) {
                out.insert(key, v);
                added += 1;
            }
        }
    }

    /// A declared property's schema plus the `additionalProperties` of every `allOf`
    /// branch that does not declare it (such a branch sees it as an additional property).
    fn with_closed(&self, f: &Flat, name: &str, schema: &Value) -> Value {
        let mut parts = vec![schema.clone()];
        for c in &f.closed {
            let declared = c.names.iter().any(|n| n == name)
                || c.patterns
                    .iter()
                    .any(|p| self.checker.patterns.is_match(p, name) == Some(true));
            if !declared && c.addl != Value::Bool(true) {
                parts.push(c.addl.clone());
            }
        }
        if parts.len() == 1 {
            schema.clone()
        } else {
            json!({ "allOf": parts })
        }
    }

    /// The schema a property not declared in `properties` must satisfy: every matching
    /// `patternProperties` schema, else `additionalProperties`.
    fn schema_for_extra(&self, f: &Flat, name: &str) -> Value {
        let matching: Vec<Value> = f
            .pattern_props
            .iter()
            .filter(|(p, _)| self.checker.patterns.is_match(p, name) == Some(true))
            .map(|(_, s)| s.clone())
            .collect();
        let mut parts = matching;
        if parts.is_empty() {
            for c in &f.closed {
                if !c.names.iter().any(|n| n == name) {
                    parts.push(c.addl.clone());
                }
            }
        }
        match parts.len() {
            0 => Value::Bool(true),
            1 => parts.remove(0),
            _ => json!({ "allOf": parts }),
        }
    }

    fn prop_value(
        &mut self,
        pname: &str,
        pschema: &Value,
        ptr: &str,
        forced: Option<Value>,
        depth: usize,
        minimal: bool,
    ) -> Result<Value, Unsatisfiable> {
        if let Some(v) = forced
            && self.checker.valid(&v, pschema)
        {
            return Ok(v);
        }
        if let Some(v) = self.hint_for(pname, pschema) {
            return Ok(v);
        }
        let v = self.value(pschema, ptr, Some(pname), depth + 1, minimal)?;
        Ok(v)
    }
}

fn num(x: f64) -> Option<Value> {
    Number::from_f64(x).map(Value::Number)
}

/// The value a discriminator gives the branch reached through `$ref` `r`: the mapping key
/// pointing at it, else the schema's name.
fn disc_value(disc: Option<&Value>, r: &str) -> String {
    let name = last_segment(r);
    if let Some(Value::Object(map)) = disc.and_then(|d| d.get("mapping")) {
        for (k, v) in map {
            if let Some(s) = v.as_str()
                && (s == r || last_segment(s) == name)
            {
                return k.clone();
            }
        }
    }
    name
}

#[cfg(test)]
mod tests;
