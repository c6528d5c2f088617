//! WireMock's template helpers on handlebars-rust, and the glue that makes handlebars-rust
//! print and pass values the way WireMock's handlebars.java does.
//!
//! Every helper is a plain function of its [`Args`] (the first parameter is what
//! handlebars.java calls the context) returning a value ([`Out`]); [`ValueHelper`] turns
//! it into a handlebars helper that works both printed (`{{now}}`) and as a
//! sub-expression (`{{date (now) format='yyyy'}}`). Conditionals ([`CondHelper`]) work
//! as blocks, expressions and sub-expressions. A helper that meets bad input answers
//! WireMock's in-band `[ERROR: ...]` text rather than failing the whole response, as
//! WireMock does.
//!
//! Two WireMock values have no JSON equivalent and are handled by path:
//! - multi-valued query parameters, headers and cookies (`ListOrSingle`) are arrays in
//!   the model and print as their first value when written or passed where a string is
//!   wanted (`request.query.id`), while `request.query.id.[1]` indexes;
//! - `request.path` is the list (or, with path template variables, the map) of
//!   segments and prints as the whole path.
//!
//! Randomness (`randomValue`, `randomInt`, `randomDecimal`, `pickRandom`) comes from a
//! per-render generator seeded with the request's entropy ([`with_render_state`]): the
//! same request entropy gives the same output, and no global generator or clock is read.
//! "Now" is the request's arrival time from the same state.

mod data;
mod dates;
mod json;
mod random;
mod strings;
#[cfg(test)]
mod tests;
pub(crate) mod value;

use std::cell::Cell;
use std::collections::BTreeMap;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, Renderable, ScopedJson,
};
use serde_json::Value;

/// The helper every plain `{{path}}` expression is rewritten to, so it prints the way
/// WireMock prints (see the module docs).
pub(crate) const VALUE_HELPER: &str = "__standin_value";

/// What a helper produces.
pub(crate) enum Out {
    /// A value: printed, or passed on to an enclosing helper.
    Value(Value),
    /// Nothing printed; `name` becomes a variable for the rest of the template
    /// (`regexExtract ... 'parts'`, `formData ... 'form'`, `assign`, `val assign=`).
    Var(String, Value),
}

impl Out {
    /// `v` set as the variable `name` when the call names one, printed otherwise.
    pub(crate) fn var_or_value(name: Option<String>, v: Value) -> Out {
        match name {
            Some(name) => Out::Var(name, v),
            None => Out::Value(v),
        }
    }
}

/// A helper failure: WireMock prints it in-band as `[ERROR: message]`.
pub(crate) type Fail = String;

/// One parameter of a helper call.
pub(crate) struct Param<'a> {
    value: &'a Value,
    path: Option<&'a str>,
    missing: bool,
}

/// A helper call's parameters, hash options and (for a block) its rendered content.
pub(crate) struct Args<'a> {
    params: Vec<Param<'a>>,
    hash: BTreeMap<&'a str, &'a Value>,
    /// The block's content rendered in the current context (`options.fn()`), when the
    /// helper is used as a block.
    pub block: Option<String>,
    root: &'a Value,
}

impl<'a> Args<'a> {
    /// Parameter `i` (0 is the context), `None` when absent or unresolved.
    pub fn value(&self, i: usize) -> Option<&'a Value> {
        self.params
            .get(i)
            .filter(|p| !p.missing && !p.value.is_null())
            .map(|p| p.value)
    }

    /// Parameter `i` as a list when it is one (a multi-valued query parameter included).
    pub fn list(&self, i: usize) -> Option<&'a Vec<Value>> {
        self.value(i).and_then(Value::as_array)
    }

    /// How many parameters were given.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Parameter `i` as text, the way WireMock's `toString()` sees it.
    pub fn text(&self, i: usize) -> Option<String> {
        let p = self.params.get(i)?;
        if p.missing || p.value.is_null() {
            return None;
        }
        Some(self.text_of(p))
    }

    fn text_of(&self, p: &Param<'_>) -> String {
        match p.value {
            Value::Array(_) | Value::Object(_) if p.path.is_some_and(is_url_path) => {
                url_path(self.root)
            }
            Value::Array(items) if p.path.is_some_and(is_multi_value_path) => {
                items.first().map(value::render).unwrap_or_default()
            }
            v => value::render(v),
        }
    }

    /// The hash option `key`, `None` when absent or null.
    pub fn hash(&self, key: &str) -> Option<&'a Value> {
        self.hash.get(key).copied().filter(|v| !v.is_null())
    }

    /// The hash option `key` as text.
    pub fn hash_text(&self, key: &str) -> Option<String> {
        self.hash(key).map(value::render)
    }

    /// The hash option `key` as a boolean (`true` or `'true'`).
    pub fn hash_bool(&self, key: &str) -> bool {
        match self.hash(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        }
    }

    /// The hash option `key` as an integer.
    pub fn hash_int(&self, key: &str) -> Result<Option<i64>, Fail> {
        self.hash(key).map(|v| to_int(v, key)).transpose()
    }

    /// The request's arrival time (ms since the epoch) for this render.
    pub fn now_ms(&self) -> u64 {
        STATE.with(|s| s.get().now_ms)
    }

    /// The Host header's host, for `hostname`.
    pub fn host(&self) -> String {
        self.root
            .pointer("/request/host")
            .and_then(Value::as_str)
            .unwrap_or("localhost")
            .to_string()
    }
}

/// A value as an integer (numbers, numeric strings).
pub(crate) fn to_int(v: &Value, what: &str) -> Result<i64, Fail> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("{what} must be an integer")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{what} must be an integer, not {s:?}")),
        _ => Err(format!("{what} must be an integer")),
    }
}

/// Whether a path as written is `request.path` (or `pathSegments`, or the same under a
/// webhook's `originalRequest`): it prints as the whole path though its value is the
/// segments.
fn is_url_path(raw: &str) -> bool {
    let raw = strip_this(raw);
    matches!(
        raw,
        "request.path"
            | "request.pathSegments"
            | "originalRequest.path"
            | "originalRequest.pathSegments"
    )
}

/// Whether a path as written names a multi-valued request field:
/// `request.query.<k>`, `request.headers.<k>`, `request.cookies.<k>`.
fn is_multi_value_path(raw: &str) -> bool {
    let segs = split_path(strip_this(raw));
    segs.len() == 3
        && (segs[0] == "request" || segs[0] == "originalRequest")
        && matches!(segs[1].as_str(), "query" | "headers" | "cookies")
}

fn strip_this(raw: &str) -> &str {
    raw.strip_prefix("this.")
        .or_else(|| raw.strip_prefix("./"))
        .unwrap_or(raw)
}

/// Splits a handlebars path on `.` and `/`, keeping `[...]` segments whole (brackets
/// removed).
pub(crate) fn split_path(raw: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut in_bracket = false;
    for c in raw.chars() {
        match c {
            '[' if !in_bracket && cur.is_empty() => in_bracket = true,
            ']' if in_bracket => in_bracket = false,
            '.' | '/' if !in_bracket => {
                if !cur.is_empty() {
                    segs.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        segs.push(cur);
    }
    segs
}

/// The request path (no query, decoded) from the model's `request.url`.
fn url_path(root: &Value) -> String {
    let url = root
        .pointer("/request/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    // Java's `URI.getPath()`: percent-escapes decoded (`%20` prints as a space).
    let path = url.split('?').next().unwrap_or("");
    standin_core::wire::percent_decode(path)
}

/// What one render knows besides the model: the random state and the time.
#[derive(Clone, Copy)]
struct RenderState {
    rng: u64,
    now_ms: u64,
}

thread_local! {
    // Set around each render by `with_render_state`; helpers run synchronously inside
    // the render on the same thread, so a thread-local is the render's own state.
    static STATE: Cell<RenderState> = const { Cell::new(RenderState { rng: 0, now_ms: 0 }) };
}

/// Runs `f` (one or more renders) with randomness seeded from `entropy` and "now" set to
/// `now_ms`; restores the previous state after.
pub(crate) fn with_render_state<R>(entropy: u64, now_ms: u64, f: impl FnOnce() -> R) -> R {
    let before = STATE.with(|s| {
        s.replace(RenderState {
            rng: entropy,
            now_ms,
        })
    });
    let out = crate::date::with_now(now_ms, f);
    STATE.with(|s| s.set(before));
    out
}

/// The next 64 random bits of this render (SplitMix64 over the seeded state).
pub(crate) fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut st = s.get();
        st.rng = st.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(st);
        splitmix(st.rng)
    })
}

/// SplitMix64's output function: a well-mixed 64-bit value of `z`.
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform integer in `lower..upper` (exclusive; `lower` when the range is empty).
pub(crate) fn next_in(lower: i64, upper: i64) -> i64 {
    if upper <= lower {
        return lower;
    }
    let span = (upper as i128 - lower as i128) as u128;
    (lower as i128 + (next_u64() as u128 % span) as i128) as i64
}

/// A uniform float in `[0, 1)`.
pub(crate) fn next_f64() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

type ValueFn = fn(&Args<'_>) -> Result<Out, Fail>;
type CondFn = fn(&Args<'_>) -> Result<bool, Fail>;

/// A helper that computes a value, and how that value prints when the helper is
/// written out (`{{jsonPath ...}}`) rather than passed to another helper.
struct ValueHelper(ValueFn, fn(&Value) -> String);

/// A conditional: renders its block or `{{else}}` as a block, prints `true`/`false` (or
/// the `yes=`/`no=` options) otherwise.
struct CondHelper(CondFn);

/// The values of parameters written `x.[0]` / `x.0` where `x` is a single value (a
/// string in the model): WireMock's single-valued `ListOrSingle` indexes too, so
/// `{{eq request.query.a.[0] 'x'}}` sees the value whether `a` came once or twice.
fn single_value_fallbacks<'reg: 'rc, 'rc>(
    h: &Helper<'rc>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Vec<Option<Value>> {
    h.params()
        .iter()
        .map(|p| {
            if !(p.is_value_missing() || p.value().is_null()) {
                return None;
            }
            let base = index_zero_base(p.relative_path()?)?;
            let found = match rc.context() {
                Some(c) => rc.evaluate(&c, base).map(|v| v.as_json().clone()),
                None => rc.evaluate(ctx, base).map(|v| v.as_json().clone()),
            };
            match found {
                Ok(v @ Value::String(_)) => Some(v),
                _ => None,
            }
        })
        .collect()
}

fn args_of<'a, 'reg: 'rc, 'rc>(
    h: &'a Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    render_block: bool,
    fallbacks: &'a [Option<Value>],
) -> Result<Args<'a>, RenderError>
where
    'rc: 'a,
{
    let block = match (render_block, h.template()) {
        (true, Some(t)) if h.is_block() => Some(t.renders(r, ctx, rc)?),
        _ => None,
    };
    Ok(Args {
        params: h
            .params()
            .iter()
            .enumerate()
            .map(|(i, p)| match fallbacks.get(i).and_then(Option::as_ref) {
                Some(v) => Param {
                    value: v,
                    path: None,
                    missing: false,
                },
                None => Param {
                    value: p.value(),
                    path: p.relative_path().map(String::as_str),
                    missing: p.is_value_missing(),
                },
            })
            .collect(),
        hash: h.hash().iter().map(|(k, v)| (*k, v.value())).collect(),
        block,
        root: ctx.data(),
    })
}

/// Makes `name` a variable for the rest of the render.
fn set_var(rc: &mut RenderContext<'_, '_>, ctx: &Context, name: String, v: Value) {
    let mut data = match rc.context() {
        Some(c) => c.data().clone(),
        None => ctx.data().clone(),
    };
    if let Value::Object(map) = &mut data {
        map.insert(name, v);
    }
    rc.set_context(Context::from(data));
}

/// Writes a value's text. WireMock 3 renders with handlebars.java's escaping turned off
/// (`templateEscapingDisabled` defaults to true), so `{{x}}` and `{{{x}}}` print alike.
fn write_text(text: &str, out: &mut dyn Output) -> HelperResult {
    out.write(text)?;
    Ok(())
}

impl ValueHelper {
    fn run<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<Option<Value>, RenderError> {
        let fallbacks = single_value_fallbacks(h, ctx, rc);
        let out = {
            let args = args_of(h, r, ctx, rc, true, &fallbacks)?;
            (self.0)(&args)
        };
        Ok(match out {
            Ok(Out::Value(v)) => Some(v),
            Ok(Out::Var(name, v)) => {
                set_var(rc, ctx, name, v);
                None
            }
            Err(message) => Some(Value::String(value::error_text(&message))),
        })
    }
}

impl HelperDef for ValueHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(ScopedJson::Derived(
            self.run(h, r, ctx, rc)?.unwrap_or(Value::Null),
        ))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let Some(v) = self.run(h, r, ctx, rc)? else {
            return Ok(());
        };
        let text = (self.1)(&v);
        if h.is_block() {
            // A section's result is written as is: its content was escaped inside.
            out.write(&text)?;
            Ok(())
        } else {
            write_text(&text, out)
        }
    }
}

impl CondHelper {
    fn test<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<Result<bool, Fail>, RenderError> {
        let fallbacks = single_value_fallbacks(h, ctx, rc);
        let args = args_of(h, r, ctx, rc, false, &fallbacks)?;
        Ok((self.0)(&args))
    }

    fn answer(h: &Helper<'_>, result: bool) -> Value {
        let (key, default) = if result {
            ("yes", Value::Bool(true))
        } else {
            ("no", Value::Bool(false))
        };
        h.hash_get(key)
            .map(|v| v.value().clone())
            .unwrap_or(default)
    }
}

impl HelperDef for CondHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        Ok(ScopedJson::Derived(match self.test(h, r, ctx, rc)? {
            Ok(b) => Self::answer(h, b),
            Err(message) => Value::String(value::error_text(&message)),
        }))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let result = match self.test(h, r, ctx, rc)? {
            Ok(b) => b,
            Err(message) => return write_text(&value::error_text(&message), out),
        };
        if h.is_block() {
            let branch = if result { h.template() } else { h.inverse() };
            if let Some(t) = branch {
                t.render(r, ctx, rc, out)?;
            }
            Ok(())
        } else {
            write_text(&value::render(&Self::answer(h, result)), out)
        }
    }
}

/// What a plain `{{path}}` prints, read straight from the model: `segs` are the path's
/// segments, `raw` the path as written. `None` when the path names nothing or null; the
/// render then goes through handlebars ([`ValueWriter`]), which looks for variables and
/// indexes single values as lists.
pub(crate) fn print_plain(root: &Value, raw: &str, segs: &[String]) -> Option<String> {
    value_at(root, segs)
        .filter(|v| !v.is_null())
        .and_then(|v| plain_text(root, v, Some(raw)))
}

/// What a plain `{{path}}` prints for `value`, found at `path` as written: WireMock's
/// `toString()` of it (a multi-valued field's first value, `request.path` whole).
fn plain_text(root: &Value, value: &Value, path: Option<&str>) -> Option<String> {
    let args = Args {
        params: vec![Param {
            value,
            path,
            missing: false,
        }],
        hash: BTreeMap::new(),
        block: None,
        root,
    };
    args.text(0)
}

/// The value at a path's segments (`["a", "b", "0"]`) from `root`: object members by
/// name, array items by index.
pub(crate) fn value_at<'v>(root: &'v Value, segs: &[String]) -> Option<&'v Value> {
    let mut v = root;
    for seg in segs {
        v = match v {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Prints the value of a plain `{{path}}` expression as WireMock does.
struct ValueWriter;

impl HelperDef for ValueWriter {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let Some(p) = h.param(0) else {
            return Ok(());
        };
        let path = p.relative_path().map(String::as_str);
        // With variables set, handlebars-rust answers a missing value as null.
        let text = if p.is_value_missing() || p.value().is_null() {
            let root = rc.context();
            let root = root.as_ref().map_or(ctx.data(), |c| c.data());
            // A variable (`parts.0` after `regexExtract`) read inside a block: handlebars.java
            // finds it in the enclosing context; look it up from the root.
            if let Some(v) = path.and_then(|raw| lookup_from(root, raw)) {
                value::render(&v)
            } else {
                // `request.query.id.[0]` where `id` has one value (a string in the model):
                // WireMock's single-valued lists index too.
                match path.and_then(|raw| index_zero_base(raw)) {
                    Some(base) => {
                        let base_value = match rc.context() {
                            Some(c) => rc.evaluate(&c, base).map(|v| v.as_json().clone()),
                            None => rc.evaluate(ctx, base).map(|v| v.as_json().clone()),
                        };
                        match base_value {
                            Ok(Value::String(s)) => s,
                            _ => return Ok(()),
                        }
                    }
                    None => return Ok(()),
                }
            }
        } else {
            plain_text(ctx.data(), p.value(), path).unwrap_or_default()
        };
        write_text(&text, out)
    }
}

/// The value at a plain path (`a.b.0`) from the root, for names set as variables.
fn lookup_from(root: &Value, raw: &str) -> Option<Value> {
    if raw.starts_with('@') || raw.starts_with("../") || raw.starts_with("this") {
        return None;
    }
    value_at(root, &split_path(raw)).cloned()
}

/// `a.b.[0]` / `a.b.0` → `a.b`.
fn index_zero_base(raw: &str) -> Option<&str> {
    raw.strip_suffix(".[0]")
        .or_else(|| raw.strip_suffix(".0"))
        .or_else(|| raw.strip_suffix("/0"))
        .filter(|b| !b.is_empty())
}

/// Names of every helper registered (handlebars-rust's own included), so compiling can
/// tell `{{now}}` (a helper) from `{{request.url}}` (a value).
pub(crate) fn is_helper(name: &str) -> bool {
    matches!(
        name,
        "if" | "unless" | "each" | "with" | "lookup" | "raw" | "log"
    ) || value_helpers().iter().any(|(n, _)| *n == name)
        || cond_helpers().iter().any(|(n, _)| *n == name)
}

fn value_helpers() -> Vec<(&'static str, ValueFn)> {
    let mut all = Vec::new();
    all.extend(data::helpers());
    all.extend(dates::helpers());
    all.extend(json::helpers());
    all.extend(random::helpers());
    all.extend(strings::helpers());
    all
}

fn cond_helpers() -> Vec<(&'static str, CondFn)> {
    strings::conditionals()
}

/// Registers every WireMock helper on `hb`.
pub(crate) fn register(hb: &mut Handlebars<'static>) {
    for (name, f) in value_helpers() {
        let print: fn(&Value) -> String = match name {
            "jsonPath" => value::render_json_path,
            "xPath" | "soapXPath" => value::render_xpath,
            _ => value::render,
        };
        if name == "arrayJoin" {
            hb.register_helper(name, Box::new(data::ArrayJoin(ValueHelper(f, print))));
        } else {
            hb.register_helper(name, Box::new(ValueHelper(f, print)));
        }
    }
    for (name, f) in cond_helpers() {
        hb.register_helper(name, Box::new(CondHelper(f)));
    }
    hb.register_helper(VALUE_HELPER, Box::new(ValueWriter));
    // No HTML escaping anywhere (see `write_text`); handlebars' own `{{#each}}` and
    // `{{lookup}}` output goes through the registry's escape function.
    hb.register_escape_fn(handlebars::no_escape);
}

/// A hard failure that fails the render (a 500), for misuse WireMock also fails on.
#[allow(dead_code)]
pub(crate) fn hard(message: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(message.into()).into()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn paths_split_like_handlebars() {
        assert_eq!(
            split_path("request.headers.[X-Foo]"),
            ["request", "headers", "X-Foo"]
        );
        assert_eq!(split_path("a/b.[c.d]"), ["a", "b", "c.d"]);
        assert!(is_multi_value_path("request.query.id"));
        assert!(!is_multi_value_path("request.query.id.[1]"));
        assert!(is_url_path("request.path"));
        assert!(!is_url_path("request.path.[0]"));
    }

    #[test]
    fn randomness_is_a_function_of_the_seed() {
        let a = with_render_state(7, 0, || (next_u64(), next_u64()));
        let b = with_render_state(7, 0, || (next_u64(), next_u64()));
        let c = with_render_state(8, 0, || (next_u64(), next_u64()));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a.0, a.1);
        with_render_state(1, 0, || {
            for _ in 0..1000 {
                let n = next_in(-3, 4);
                assert!((-3..4).contains(&n));
                let f = next_f64();
                assert!((0.0..1.0).contains(&f));
            }
        });
    }
}
