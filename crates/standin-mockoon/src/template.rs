//! Mockoon bodies and header values as Handlebars templates, compiled at load and
//! rendered with Mockoon's helpers against a model of the request: the request helpers
//! (`urlParam`, `queryParam`, `header`, `cookie`, `body`, `bodyRaw`, `method`,
//! `hostname`, `ip`, `baseUrl`), the data helpers (`data`, `dataRaw`, `setData`) and
//! variables (`setVar`, `getVar`, `setGlobalVar`, `getGlobalVar`) over the render's
//! [`Scope`], the date helpers (`now`, `dateTimeShift`, `dateFormat`), blocks (`repeat`,
//! `switch`/`case`/`default`) and plain-value helpers (faker, strings, numbers,
//! `oneOf`, `someOf`). A template that fails to render is sent as written, never a
//! crash.

use std::cell::RefCell;
use std::sync::OnceLock;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, Renderable, StringOutput,
    Template as Ast,
};
use serde_json::{Map, Value};
use standin_core::Diagnostic;

use crate::dates;

use crate::path::at_path;

/// The prefix of the environment variables `getEnvVar` and the admin API read.
pub const ENV_PREFIX: &str = "MOCKOON_";

/// A compiled text.
#[derive(Debug)]
pub struct Template {
    source: String,
    /// The source as a body to send, when it is sent as written (no templating): every
    /// answer shares it instead of copying the text.
    sent: bytes::Bytes,
    ast: Option<Ast>,
    state: bool,
    needs: Needs,
    /// How each element of the body renders (see [`Piece`]).
    plan: Vec<Piece>,
}

/// How one element of a template renders: a `{{faker 'kind'}}` or a
/// `{{urlParam 'name'}}` straight from the faker and the route's params, without
/// handlebars' helper call; anything else through handlebars, in one render context
/// for the template.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text,
    Faker(String),
    UrlParam(String),
    Handlebars,
}

/// The [`Piece`] of each of `ast`'s elements.
fn plan(ast: &Ast) -> Vec<Piece> {
    use handlebars::template::{Parameter, TemplateElement};
    ast.elements
        .iter()
        .map(|el| match el {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => Piece::Text,
            TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht)
                if ht.hash.is_empty() && ht.block_param.is_none() =>
            {
                match (&ht.name, ht.params.as_slice()) {
                    (Parameter::Name(n), [Parameter::Literal(Value::String(kind))])
                        if n == "faker" && FAKER_METHODS.contains(&kind.as_str()) =>
                    {
                        Piece::Faker(kind.clone())
                    }
                    (Parameter::Name(n), [Parameter::Literal(Value::String(name))])
                        if n == "urlParam" && !name.is_empty() =>
                    {
                        Piece::UrlParam(name.clone())
                    }
                    _ => Piece::Handlebars,
                }
            }
            _ => Piece::Handlebars,
        })
        .collect()
}

/// The parts of the request model a template can read, found in its text when it
/// compiles, so a render's context holds only those. The reading is conservative: a
/// part is needed when its helper's name or its own key appears anywhere in the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs(u8);

impl Needs {
    /// The route's params (`urlParam`).
    pub const PARAMS: u8 = 1;
    /// The query parameters (`queryParam`).
    pub const QUERY: u8 = 1 << 1;
    /// The headers (`header`).
    pub const HEADERS: u8 = 1 << 2;
    /// The cookies (`cookie`).
    pub const COOKIES: u8 = 1 << 3;
    /// The body, parsed and raw (`body`, `bodyRaw`).
    pub const BODY: u8 = 1 << 4;
    /// The host (`hostname`, `baseUrl`).
    pub const HOST: u8 = 1 << 5;
    /// The client's address (`ip`).
    pub const IP: u8 = 1 << 6;

    /// What the template text `text` reads.
    pub fn of(text: &str) -> Needs {
        let mut bits = 0;
        for (words, bit) in [
            (&["urlParam", "params"][..], Needs::PARAMS),
            (&["query"][..], Needs::QUERY),
            (&["header"][..], Needs::HEADERS),
            (&["cookie"][..], Needs::COOKIES),
            (&["body"][..], Needs::BODY),
            (&["hostname", "baseUrl"][..], Needs::HOST),
            (&["ip"][..], Needs::IP),
        ] {
            if words.iter().any(|w| text.contains(w)) {
                bits |= bit;
            }
        }
        Needs(bits)
    }

    /// Whether the part `bit` is needed.
    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    /// Whether every part `other` needs is here.
    pub fn covers(self, other: Needs) -> bool {
        self.0 & other.0 == other.0
    }

    /// What either needs.
    pub fn union(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }
}

/// What a render reads and changes beyond the request: the data buckets' values, the
/// global variables and the template's own variables (`setVar`). The caller fills it
/// from the store before rendering and saves what changed after.
#[derive(Debug, Default)]
pub struct Scope {
    /// (id, name, value) of every bucket; empty when no template needs them.
    pub buckets: Vec<(String, String, Value)>,
    /// Which buckets `setData` changed.
    pub changed: Vec<bool>,
    /// The global variables.
    pub globals: Map<String, Value>,
    /// Whether `setGlobalVar` changed them.
    pub globals_changed: bool,
    /// `setVar`'s variables.
    pub vars: Map<String, Value>,
    /// The environment variables set through the admin API (the process's are read
    /// after them).
    pub env_vars: Map<String, Value>,
    /// The value of each `switch` being rendered, and whether a case was taken.
    switches: Vec<(Value, bool)>,
    /// Whether the buckets and global variables were filled in.
    loaded: bool,
}

thread_local! {
    static SCOPE: RefCell<Scope> = RefCell::new(Scope::default());
}

/// Makes `scope` the one this thread's renders use, until [`leave`].
pub fn enter(scope: Scope) {
    SCOPE.with(|s| *s.borrow_mut() = scope);
}

/// Ends the render scope and gives it back, with what the renders changed.
pub fn leave() -> Scope {
    SCOPE.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

/// Whether the scope holds the buckets and global variables yet.
pub fn with_state_loaded() -> bool {
    with_scope(|s| s.loaded)
}

/// Fills the scope with the buckets' values (id, name, value), the global variables and
/// the environment variables set through the admin API.
pub fn load_state(
    buckets: Vec<(String, String, Value)>,
    globals: Map<String, Value>,
    env_vars: Map<String, Value>,
) {
    with_scope(|s| {
        s.changed = vec![false; buckets.len()];
        s.buckets = buckets;
        s.globals = globals;
        s.env_vars = env_vars;
        s.loaded = true;
    });
}

fn with_scope<R>(f: impl FnOnce(&mut Scope) -> R) -> R {
    SCOPE.with(|s| f(&mut s.borrow_mut()))
}

/// The bucket the data helpers mean: the first whose id is the text or whose name
/// contains it without case (Mockoon's one pass: `Log` may find `Catalog`).
fn bucket_index(scope: &Scope, name: &str) -> Option<usize> {
    let low = name.to_lowercase();
    scope
        .buckets
        .iter()
        .position(|b| b.0 == name || b.1.to_lowercase().contains(&low))
}

/// A property path as object-path reads it (`a.b.0`, `\\.` for a dot in a name).
fn segments(path: &str) -> Vec<String> {
    path.replace("\\.", "\u{0}")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace('\u{0}', "."))
        .collect()
}

/// A value at a path: JSONPath when it starts with `$`, else a property path.
fn value_at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        return Some(v);
    }
    if path.starts_with('$') {
        return at_path(v, path);
    }
    crate::path::at_segments(v, &segments(path))
}

/// The slot at a property path, made (as objects) when absent.
fn slot_at<'v>(v: &'v mut Value, segs: &[String]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in segs {
        cur = match cur {
            Value::Array(a) => a.get_mut(seg.parse::<usize>().ok()?)?,
            other => {
                if !other.is_object() {
                    *other = Value::Object(Map::new());
                }
                other
                    .as_object_mut()?
                    .entry(seg.clone())
                    .or_insert(Value::Null)
            }
        };
    }
    Some(cur)
}

/// `setData`'s operators, on a bucket's value.
fn set_data(value: &mut Value, op: &str, path: &str, new: Value) {
    let segs = segments(path);
    if op == "del" {
        match segs.split_last() {
            None => *value = Value::Null,
            Some((last, parent)) => {
                if let Some(p) = value_at_mut(value, parent) {
                    match p {
                        Value::Object(m) => {
                            m.shift_remove(last);
                        }
                        Value::Array(a) => {
                            if let Ok(i) = last.parse::<usize>()
                                && i < a.len()
                            {
                                a.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        return;
    }
    let current = if segs.is_empty() {
        Some(&mut *value)
    } else if op == "set" || op == "merge" {
        slot_at(value, &segs)
    } else {
        value_at_mut(value, &segs)
    };
    let Some(slot) = current else { return };
    match op {
        "push" => {
            if let Value::Array(a) = slot {
                a.push(new);
            }
        }
        "inc" | "dec" => {
            let by = match &new {
                Value::Null => 1.0,
                v => match num_of(v) {
                    Some(0.0) => 1.0,
                    Some(n) => n,
                    None => return,
                },
            };
            if let Some(n) = num_of(slot) {
                *slot = num(if op == "inc" { n + by } else { n - by });
            }
        }
        "invert" => {
            if let Value::Bool(b) = slot {
                *b = !*b;
            }
        }
        "merge" => match (slot, new) {
            (Value::Object(old), Value::Object(n)) => old.extend(n),
            (slot, new) => *slot = new,
        },
        _ => *slot = new,
    }
}

fn value_at_mut<'v>(v: &'v mut Value, segs: &[String]) -> Option<&'v mut Value> {
    let mut cur = v;
    for seg in segs {
        cur = match cur {
            Value::Object(m) => m.get_mut(seg)?,
            Value::Array(a) => a.get_mut(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// JavaScript's `Number(v)` for the values a template passes.
fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s.trim().is_empty() => Some(0.0),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Null => Some(0.0),
        _ => None,
    }
}

/// A value as a text, as Handlebars writes it.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Helpers whose arguments are named (`dateTimeShift days=1`) as well as positional.
type HashedFn = fn(&[Value], &Map<String, Value>, &Value) -> Option<Value>;

/// The data, variable and date helpers: they read the render's scope, the hash and the
/// request model.
const HASHED: [(&str, HashedFn); 15] = [
    ("faker", |p, h, _| {
        // A `'{"min": 1}'` text is an object, and named arguments (`min=1 max=9`) come
        // last as one, as Mockoon passes them to faker.
        let mut rest: Vec<Value> = p
            .get(1..)
            .unwrap_or_default()
            .iter()
            .map(|a| match a.as_str() {
                Some(t) if t.starts_with('{') && t.ends_with('}') => {
                    serde_json::from_str(t).unwrap_or_else(|_| a.clone())
                }
                _ => a.clone(),
            })
            .collect();
        if !h.is_empty() {
            rest.push(Value::Object(h.clone()));
        }
        faker(p.first()?.as_str()?, &rest)
    }),
    ("getEnvVar", |p, _, _| {
        let name = shown(p.first()?);
        let name = if name.starts_with(ENV_PREFIX) {
            name
        } else {
            format!("{}{name}", ENV_PREFIX)
        };
        let default = p.get(1).cloned().unwrap_or(Value::String(String::new()));
        Some(
            with_scope(|s| s.env_vars.get(&name).cloned())
                .or_else(|| std::env::var(&name).ok().map(Value::String))
                .unwrap_or(default),
        )
    }),
    ("array", |p, _, _| Some(Value::Array(p.to_vec()))),
    ("data", |p, _, _| {
        let (i, v) = data_at(p)?;
        let _ = i;
        Some(match v {
            Value::Array(_) | Value::Object(_) => Value::String(v.to_string()),
            other => other,
        })
    }),
    ("dataRaw", |p, _, _| data_at(p).map(|(_, v)| v)),
    ("setData", |p, _, _| {
        if p.len() < 2 {
            return Some(Value::String(String::new()));
        }
        let op = match shown(&p[0]).as_str() {
            o @ ("push" | "del" | "inc" | "dec" | "invert" | "set" | "merge") => o.to_string(),
            _ => "set".to_string(),
        };
        let path = p.get(2).map(shown).unwrap_or_default();
        let new = p.get(3).cloned().unwrap_or(Value::Null);
        with_scope(|s| {
            if let Some(i) = bucket_index(s, &shown(&p[1])) {
                set_data(&mut s.buckets[i].2, &op, &path, new);
                if let Some(c) = s.changed.get_mut(i) {
                    *c = true;
                }
            }
        });
        Some(Value::String(String::new()))
    }),
    ("setVar", |p, _, _| {
        if let [name, value, ..] = p {
            with_scope(|s| s.vars.insert(shown(name), value.clone()));
        }
        Some(Value::String(String::new()))
    }),
    ("getVar", |p, _, _| {
        let name = shown(p.first()?);
        Some(with_scope(|s| s.vars.get(&name).cloned()).unwrap_or(Value::Null))
    }),
    ("setGlobalVar", |p, _, _| {
        if let [name, value, ..] = p {
            with_scope(|s| {
                s.globals.insert(shown(name), value.clone());
                s.globals_changed = true;
            });
        }
        Some(Value::String(String::new()))
    }),
    ("getGlobalVar", |p, _, _| {
        let name = shown(p.first()?);
        let path = p.get(1).map(shown).unwrap_or_default();
        let default = p.get(2).cloned().unwrap_or(Value::String(String::new()));
        Some(with_scope(|s| {
            s.globals
                .get(&name)
                .and_then(|v| value_at(v, &path).cloned())
                .unwrap_or(default)
        }))
    }),
    ("now", |p, _, m| {
        let at = dates::from_unix_ms(m["nowMs"].as_u64().unwrap_or(0));
        let pattern = p
            .first()
            .and_then(Value::as_str)
            .unwrap_or(dates::DEFAULT_FORMAT);
        Some(Value::String(dates::format(&at, pattern)))
    }),
    ("dateTimeShift", |_, h, m| {
        let at = match h.get("date") {
            None => dates::from_unix_ms(m["nowMs"].as_u64().unwrap_or(0)),
            Some(d) => dates::parse(&shown(d))?,
        };
        let n = |k: &str| {
            h.get(k)
                .map(|v| match v {
                    Value::Number(n) => n.as_f64().map_or(0, |f| f.trunc() as i64),
                    other => js_int(&shown(other)),
                })
                .unwrap_or(0)
        };
        let shifted = dates::shift(
            at,
            [
                ('d', n("days")),
                ('M', n("months")),
                ('y', n("years")),
                ('h', n("hours")),
                ('m', n("minutes")),
                ('s', n("seconds")),
            ],
        );
        let pattern = h
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or(dates::DEFAULT_FORMAT);
        Some(Value::String(dates::format(&shifted, pattern)))
    }),
    ("dateFormat", |p, _, _| {
        let (Some(d), Some(Value::String(pattern))) = (p.first(), p.get(1)) else {
            return Some(Value::String(String::new()));
        };
        let at = dates::parse(&shown(d))?;
        Some(Value::String(dates::format(&at, pattern)))
    }),
    ("someOf", |p, _, _| {
        let mut list = p.first()?.as_array()?.clone();
        let a = p.get(1).and_then(Value::as_f64).unwrap_or(1.0);
        let b = p.get(2).and_then(Value::as_f64).unwrap_or(0.0);
        let n = random_int(a, b).max(0) as usize;
        // A shuffle, then the first n.
        for i in (1..list.len()).rev() {
            list.swap(i, (next() % (i as u64 + 1)) as usize);
        }
        list.truncate(n);
        Some(if p.get(3) == Some(&Value::Bool(true)) {
            Value::String(Value::Array(list).to_string())
        } else {
            Value::Array(list)
        })
    }),
    ("hostname", |_, _, m| Some(m["hostname"].clone())),
];

/// JavaScript's `parseInt(text, 10)`, 0 when it gives NaN.
fn js_int(text: &str) -> i64 {
    let t = text.trim_start();
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().map_or(0, |n| sign * n)
}

/// Mockoon's `RandomInt(a, b)`: an integer between the two, both included.
fn random_int(a: f64, b: f64) -> i64 {
    let lower = a.min(b).ceil() as i64;
    let upper = a.max(b).floor() as i64;
    let span = (upper - lower).max(0) as u64 + 1;
    lower + (next() % span) as i64
}

/// The bucket value `data`/`dataRaw` read: (bucket index, value at the path or `""`).
fn data_at(p: &[Value]) -> Option<(usize, Value)> {
    let name = shown(p.first()?);
    let path = p.get(1).map(shown).unwrap_or_default();
    with_scope(|s| {
        let i = bucket_index(s, &name)?;
        let v = value_at(&s.buckets[i].2, &path)
            .cloned()
            .unwrap_or(Value::String(String::new()));
        Some((i, v))
    })
}

/// A helper answering a value: of its positional arguments only, or of those, the
/// hash and the request model.
enum Plain {
    Simple(SimpleFn),
    Hashed(HashedFn),
}

impl handlebars::HelperDef for Plain {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let params: Vec<Value> = h.params().iter().map(|p| p.value().clone()).collect();
        let hash: Map<String, Value> = h
            .hash()
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.value().clone()))
            .collect();
        match self {
            Plain::Simple(f) => f(&params),
            Plain::Hashed(f) => f(&params, &hash, ctx.data()),
        }
        .map(handlebars::ScopedJson::Derived)
        .ok_or_else(|| {
            handlebars::RenderErrorReason::Other(format!(
                "{} cannot answer these arguments",
                h.name()
            ))
            .into()
        })
    }
}

/// `{{#repeat n}}` / `{{#repeat min max}}`: the block n times with `@index`, `@total`,
/// `@first`, `@last`, joined by commas unless `comma=false`.
fn repeat<'reg, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let count = match h.params().as_slice() {
        [a, b] => random_int(
            a.value().as_f64().unwrap_or(0.0),
            b.value().as_f64().unwrap_or(0.0),
        ),
        [n] => n.value().as_f64().map_or(0, |f| f as i64),
        _ => {
            return Err(handlebars::RenderErrorReason::Other(
                "The repeat helper requires a numeric param".into(),
            )
            .into());
        }
    };
    let count = count.clamp(0, 100_000) as usize;
    let comma = h.hash_get("comma").map(|v| v.value()) != Some(&Value::Bool(false));
    let Some(t) = h.template() else {
        return Ok(());
    };
    let mut content = String::new();
    for i in 0..count {
        let mut block = handlebars::BlockContext::new();
        block.set_local_var("index", Value::from(i));
        block.set_local_var("total", Value::from(count));
        block.set_local_var("first", Value::Bool(i == 0));
        block.set_local_var("last", Value::Bool(i + 1 == count));
        if let Some(base) = rc.block().and_then(|b| b.base_path().first().cloned()) {
            block.base_path_mut().push(base);
        }
        rc.push_block(block);
        let mut one = StringOutput::new();
        let done = t.render(r, ctx, rc, &mut one);
        rc.pop_block();
        done?;
        content.push_str(&one.into_string().unwrap_or_default());
        if comma {
            content.truncate(content.trim_end().len());
            if i + 1 < count && !content.ends_with(',') {
                content.push(',');
            } else if i + 1 == count && content.ends_with(',') {
                content.pop();
            }
            content.push('\n');
        }
    }
    out.write(&content)?;
    Ok(())
}

/// `{{#switch value}}`: renders its block, in which the first `{{#case x}}` equal to the
/// value renders, else `{{#default}}`.
fn switch<'reg, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    with_scope(|s| s.switches.push((value, false)));
    let done = h.template().map_or(Ok(()), |t| t.render(r, ctx, rc, out));
    with_scope(|s| s.switches.pop());
    done
}

fn case<'reg, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let value = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let take = with_scope(|s| match s.switches.last_mut() {
        Some((v, found)) if !*found && *v == value => {
            *found = true;
            true
        }
        _ => false,
    });
    match h.template() {
        Some(t) if take => t.render(r, ctx, rc, out),
        _ => Ok(()),
    }
}

fn default_case<'reg, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
) -> HelperResult {
    let take = with_scope(|s| s.switches.last().is_some_and(|(_, found)| !*found));
    match h.template() {
        Some(t) if take => t.render(r, ctx, rc, out),
        _ => Ok(()),
    }
}

fn registry() -> &'static Handlebars<'static> {
    static REG: OnceLock<Handlebars<'static>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut h = Handlebars::new();
        h.register_escape_fn(handlebars::no_escape);
        for (name, key) in [
            ("urlParam", "params"),
            ("queryParam", "query"),
            ("header", "headers"),
            ("cookie", "cookies"),
            ("body", "body"),
        ] {
            h.register_helper(
                name,
                Box::new(
                    move |hp: &Helper<'_>,
                          _: &Handlebars<'_>,
                          ctx: &Context,
                          _: &mut RenderContext<'_, '_>,
                          out: &mut dyn Output|
                          -> HelperResult {
                        let arg = hp.param(0).map(|p| p.value().clone());
                        let fallback = hp.param(1).map(|p| p.value().clone());
                        let root = &ctx.data()[key];
                        let found = match arg.as_ref().and_then(Value::as_str) {
                            None | Some("") => Some(root),
                            Some(path) if key == "headers" => root.get(path.to_ascii_lowercase()),
                            Some(path) if key == "body" => at_path(root, path),
                            Some(path) => root.get(path),
                        };
                        let v = found.filter(|v| !v.is_null()).cloned().or(fallback);
                        out.write(&match v {
                            Some(Value::String(s)) => s,
                            Some(other) => other.to_string(),
                            None => String::new(),
                        })?;
                        Ok(())
                    },
                ),
            );
        }
        h.register_helper("queryParamRaw", Box::new(raw_query));
        for (name, f) in SIMPLE {
            h.register_helper(name, Box::new(Plain::Simple(f)));
        }
        for (name, f) in HASHED {
            h.register_helper(name, Box::new(Plain::Hashed(f)));
        }
        h.register_helper("repeat", Box::new(repeat));
        h.register_helper("switch", Box::new(switch));
        h.register_helper("case", Box::new(case));
        h.register_helper("default", Box::new(default_case));
        for (name, key) in [
            ("bodyRaw", "bodyRaw"),
            ("method", "method"),
            ("ip", "ip"),
            ("baseUrl", "baseUrl"),
        ] {
            h.register_helper(
                name,
                Box::new(
                    move |_: &Helper<'_>,
                          _: &Handlebars<'_>,
                          ctx: &Context,
                          _: &mut RenderContext<'_, '_>,
                          out: &mut dyn Output|
                          -> HelperResult {
                        out.write(ctx.data()[key].as_str().unwrap_or(""))?;
                        Ok(())
                    },
                ),
            );
        }
        h
    })
}

fn raw_query(
    _: &Helper<'_>,
    _: &Handlebars<'_>,
    ctx: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(ctx.data()["queryRaw"].as_str().unwrap_or(""))?;
    Ok(())
}

thread_local! {
    static RNG: std::cell::Cell<u64> = const { std::cell::Cell::new(0x2545_F491_4F6C_DD1D) };
}

/// The next number of this render's random sequence (seeded per request).
fn next() -> u64 {
    RNG.with(|r| {
        let mut x = r.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        r.set(x);
        x
    })
}

fn pick<'a>(list: &[&'a str]) -> &'a str {
    list[(next() % list.len() as u64) as usize]
}

const FIRST: &[&str] = &[
    "Ada", "Grace", "Alan", "Linus", "Margaret", "Dennis", "Barbara", "Ken",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Ritchie", "Liskov",
];
const CITIES: &[&str] = &[
    "Lisbon", "Oslo", "Kyoto", "Denver", "Nairobi", "Lyon", "Austin",
];
const WORDS: &[&str] = &["lorem", "ipsum", "dolor", "sit", "amet", "tempor", "magna"];
const COMPANIES: &[&str] = &["Initech", "Globex", "Umbrella", "Hooli", "Stark Industries"];
const JOBS: &[&str] = &[
    "Engineer",
    "Designer",
    "Product Manager",
    "Analyst",
    "Architect",
];
const COUNTRIES: &[&str] = &["Portugal", "Norway", "Japan", "Kenya", "France", "Canada"];
const ADJECTIVES: &[&str] = &["Small", "Ergonomic", "Rustic", "Sleek", "Handmade"];
const PRODUCTS: &[&str] = &["Chair", "Lamp", "Table", "Keyboard", "Shoes"];

fn uuid() -> String {
    let (a, b) = (next(), next());
    crate::crud::uuid_of(a, b)
}

fn faker(kind: &str, params: &[Value]) -> Option<Value> {
    let int = |i: usize, d: i64| params.get(i).and_then(Value::as_i64).unwrap_or(d);
    Some(match kind {
        "person.firstName" => Value::from(pick(FIRST)),
        "person.lastName" => Value::from(pick(LAST)),
        "person.fullName" => Value::from(format!("{} {}", pick(FIRST), pick(LAST))),
        "internet.email" => {
            let (first, last) = (pick(FIRST), pick(LAST));
            let mut email = String::with_capacity(first.len() + last.len() + 13);
            for part in [first, ".", last] {
                email.extend(part.chars().flat_map(char::to_lowercase));
            }
            email.push_str("@example.com");
            Value::from(email)
        }
        "location.city" => Value::from(pick(CITIES)),
        "company.name" => Value::from(pick(COMPANIES)),
        "lorem.word" => Value::from(pick(WORDS)),
        "string.uuid" => Value::from(uuid()),
        "datatype.boolean" => Value::from(next().is_multiple_of(2)),
        "number.int" => {
            let opts = params.iter().find(|p| p.is_object());
            let max = opts
                .and_then(|o| o.get("max"))
                .and_then(Value::as_i64)
                .or_else(|| params.first().and_then(Value::as_i64))
                .unwrap_or(99_999);
            let min = opts
                .and_then(|o| o.get("min"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let span = (max - min).max(0) as u64 + 1;
            Value::from(min + (next() % span) as i64)
        }
        "number.float" => Value::from((next() % 10_000) as f64 / 100.0 + int(0, 0) as f64),
        "person.jobTitle" => Value::from(pick(JOBS)),
        "phone.number" => Value::from(format!(
            "+1-{:03}-{:03}-{:04}",
            200 + next() % 800,
            next() % 1000,
            next() % 10_000
        )),
        "internet.userName" => Value::from(format!(
            "{}_{}{}",
            pick(FIRST).to_lowercase(),
            pick(LAST).to_lowercase(),
            next() % 100
        )),
        "internet.url" => Value::from(format!("https://{}.example.com", pick(WORDS))),
        "internet.ip" | "internet.ipv4" => Value::from(format!(
            "{}.{}.{}.{}",
            next() % 256,
            next() % 256,
            next() % 256,
            next() % 256
        )),
        "location.streetAddress" => {
            Value::from(format!("{} {} Street", 1 + next() % 9999, pick(LAST)))
        }
        "location.country" => Value::from(pick(COUNTRIES)),
        "location.zipCode" => Value::from(format!("{:05}", next() % 100_000)),
        "lorem.words" => Value::from((0..3).map(|_| pick(WORDS)).collect::<Vec<_>>().join(" ")),
        "lorem.sentence" => {
            let words: Vec<&str> = (0..6).map(|_| pick(WORDS)).collect();
            let text = words.join(" ");
            let mut c = text.chars();
            Value::from(format!(
                "{}{}.",
                c.next().map(|f| f.to_ascii_uppercase()).unwrap_or_default(),
                c.as_str()
            ))
        }
        "commerce.productName" => Value::from(format!("{} {}", pick(ADJECTIVES), pick(PRODUCTS))),
        "commerce.price" => Value::from(format!("{}.{:02}", 1 + next() % 999, next() % 100)),
        "string.alphanumeric" => {
            let n = usize::try_from(int(0, 1)).unwrap_or(1).clamp(1, 4096);
            const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
            Value::from(
                (0..n)
                    .map(|_| ALNUM[(next() % ALNUM.len() as u64) as usize] as char)
                    .collect::<String>(),
            )
        }
        "date.past" | "date.recent" | "date.future" | "date.anytime" => {
            // Within a year of 2026-01-01, as an ISO text.
            let base: i64 = 1_767_225_600_000;
            let year: i64 = 31_536_000_000;
            let off = (next() % year as u64) as i64;
            let ms = match kind {
                "date.past" | "date.recent" => base - off,
                "date.future" => base + off,
                _ => base - year + 2 * off,
            };
            Value::from(dates::format(
                &dates::from_unix_ms(ms.max(0) as u64),
                "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
            ))
        }
        _ => return None,
    })
}

/// The faker methods standin has (a template calling another is a load warning).
const FAKER_METHODS: [&str; 29] = [
    "person.firstName",
    "person.lastName",
    "person.fullName",
    "person.jobTitle",
    "internet.email",
    "internet.userName",
    "internet.url",
    "internet.ip",
    "internet.ipv4",
    "location.city",
    "location.streetAddress",
    "location.country",
    "location.zipCode",
    "company.name",
    "lorem.word",
    "lorem.words",
    "lorem.sentence",
    "string.uuid",
    "string.alphanumeric",
    "datatype.boolean",
    "number.int",
    "number.float",
    "phone.number",
    "commerce.productName",
    "commerce.price",
    "date.past",
    "date.recent",
    "date.future",
    "date.anytime",
];

type SimpleFn = fn(&[Value]) -> Option<Value>;

/// Helpers of plain values: Mockoon's faker subset, strings, numbers, logic.
const SIMPLE: [(&str, SimpleFn); 11] = [
    ("uuid", |_| Some(Value::from(uuid()))),
    ("objectId", |_| {
        Some(Value::from(format!(
            "{:024x}",
            u128::from(next()) << 32 | u128::from(next() >> 32)
        )))
    }),
    ("uppercase", |p| {
        Some(Value::from(text(p.first()?).to_uppercase()))
    }),
    ("lowercase", |p| {
        Some(Value::from(text(p.first()?).to_lowercase()))
    }),
    ("concat", |p| {
        Some(Value::from(p.iter().map(text).collect::<String>()))
    }),
    ("add", |p| Some(num(p.iter().filter_map(num_of).sum()))),
    ("subtract", |p| {
        let first = num_of(p.first()?)?;
        Some(num(first - p[1..].iter().filter_map(num_of).sum::<f64>()))
    }),
    ("multiply", |p| {
        Some(num(p.iter().filter_map(num_of).product()))
    }),
    ("oneOf", |p| {
        let list = p.first()?.as_array()?;
        (!list.is_empty()).then(|| list[(next() % list.len() as u64) as usize].clone())
    }),
    ("int", |p| {
        let min = p.first().and_then(Value::as_i64).unwrap_or(0);
        let max = p.get(1).and_then(Value::as_i64).unwrap_or(100);
        Some(Value::from(
            min + (next() % ((max - min).max(0) as u64 + 1)) as i64,
        ))
    }),
    ("boolean", |_| Some(Value::from(next().is_multiple_of(2)))),
];

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9e15 {
        Value::from(f as i64)
    } else {
        Value::from(f)
    }
}

/// Every helper name a template may call: Mockoon's that standin has, and the
/// built-in ones (`if`, `each`, `eq`, ...).
fn known(name: &str) -> bool {
    SIMPLE.iter().any(|(n, _)| *n == name)
        || HASHED.iter().any(|(n, _)| *n == name)
        || matches!(
            name,
            "repeat"
                | "switch"
                | "case"
                | "default"
                | "ip"
                | "baseUrl"
                | "urlParam"
                | "queryParam"
                | "queryParamRaw"
                | "header"
                | "cookie"
                | "body"
                | "bodyRaw"
                | "method"
                | "if"
                | "unless"
                | "each"
                | "with"
                | "lookup"
                | "else"
                | "this"
                | "eq"
                | "ne"
                | "gt"
                | "gte"
                | "lt"
                | "lte"
                | "and"
                | "or"
                | "not"
                | "len"
        )
}

/// The helpers a template calls (names followed by arguments, or blocks).
fn called(text: &str) -> Vec<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"\{\{\{?\s*[#]?\s*([A-Za-z_][\w.]*)\s+[^}]").expect("a valid pattern")
    });
    re.captures_iter(text).map(|c| c[1].to_string()).collect()
}

/// Seeds this thread's random sequence for one render.
pub fn seed(entropy: u64) {
    RNG.with(|r| r.set(entropy | 1));
}

impl Template {
    /// Compiles `text`; literal when templating is off or there is no `{{`. A template
    /// that does not parse is a diagnostic and is sent as written.
    pub fn compile(
        text: &str,
        templating: bool,
        file: &str,
        ptr: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Template {
        static STATE: OnceLock<regex::Regex> = OnceLock::new();
        let state = STATE
            .get_or_init(|| {
                regex::Regex::new(
                    r"[{(\s](data|dataRaw|setData|getGlobalVar|setGlobalVar|getEnvVar)\s",
                )
                .expect("a valid pattern")
            })
            .is_match(text);
        if templating {
            static FAKER: OnceLock<regex::Regex> = OnceLock::new();
            let calls = FAKER.get_or_init(|| {
                regex::Regex::new(r#"faker\s+['"]([\w.]+)['"]"#).expect("a valid pattern")
            });
            for c in calls.captures_iter(text) {
                if !FAKER_METHODS.contains(&&c[1]) {
                    diags.push(Diagnostic::warning(
                        file,
                        ptr,
                        format!(
                            "faker method '{}' is not supported; the template is sent as written",
                            &c[1]
                        ),
                    ));
                }
            }
            for name in called(text) {
                if !known(&name) {
                    diags.push(Diagnostic::warning(
                        file,
                        ptr,
                        format!(
                            "helper '{name}' is not supported; the template is sent as written"
                        ),
                    ));
                }
            }
        }
        let ast = if templating && text.contains("{{") {
            match standin_core::handlebars::check_depth(text)
                .and_then(|()| Ast::compile(text).map_err(|e| e.to_string()))
            {
                Ok(a) => Some(a),
                Err(e) => {
                    diags.push(Diagnostic::warning(
                        file,
                        ptr,
                        format!("template does not parse, sent as written: {e}"),
                    ));
                    None
                }
            }
        } else {
            None
        };
        Template {
            source: text.to_string(),
            sent: match ast {
                Some(_) => bytes::Bytes::new(),
                None => bytes::Bytes::copy_from_slice(text.as_bytes()),
            },
            state: state && ast.is_some(),
            needs: if ast.is_some() {
                Needs::of(text)
            } else {
                Needs::default()
            },
            plan: ast.as_ref().map(plan).unwrap_or_default(),
            ast,
        }
    }

    /// A text sent as written.
    pub fn literal(text: &str) -> Template {
        Template {
            source: text.to_string(),
            sent: bytes::Bytes::copy_from_slice(text.as_bytes()),
            ast: None,
            state: false,
            needs: Needs::default(),
            plan: Vec::new(),
        }
    }

    /// Whether rendering reads or changes the data buckets or global variables (the
    /// caller then fills the [`Scope`] from the store).
    pub fn needs_state(&self) -> bool {
        self.state
    }

    /// The parts of the request model rendering reads.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// Whether rendering needs the request.
    pub fn is_dynamic(&self) -> bool {
        self.ast.is_some()
    }

    /// The text as bytes to send, shared, when it is sent as written (`None`: it is
    /// templated).
    pub fn sent_as_written(&self) -> Option<bytes::Bytes> {
        (!self.is_dynamic()).then(|| self.sent.clone())
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders without a request, as a data bucket is built when the environment loads
    /// (faker and the other plain helpers answer; request helpers find nothing).
    pub fn render_alone(&self, entropy: u64) -> String {
        if !self.is_dynamic() {
            return self.source.clone();
        }
        seed(entropy);
        enter(Scope::default());
        let text = self.render(&Context::from(Value::Object(Map::new())));
        leave();
        text
    }

    /// Whether rendering needs the request's context: some element goes through
    /// handlebars (the others read only the route's params).
    pub fn needs_context(&self) -> bool {
        self.plan.contains(&Piece::Handlebars)
    }

    /// Renders against a request model; the text as written when rendering fails.
    pub fn render(&self, model: &Context) -> String {
        let params = model.data().get("params").and_then(Value::as_object);
        self.render_with(params, Some(model))
    }

    /// Renders element by element: faker calls and route params directly, the rest
    /// through handlebars in `model` (which a template that [`Template::needs_context`]
    /// must be given); the text as written when rendering fails.
    pub fn render_with(
        &self,
        params: Option<&Map<String, Value>>,
        model: Option<&Context>,
    ) -> String {
        use handlebars::JsonRender;
        let Some(ast) = &self.ast else {
            return self.source.clone();
        };
        let mut out = StringOutput::new();
        let mut rc: Option<RenderContext<'_, '_>> = None;
        for (el, piece) in ast.elements.iter().zip(&self.plan) {
            let written = match piece {
                Piece::Text => match el {
                    handlebars::template::TemplateElement::RawString(text) => {
                        out.write(text).is_ok()
                    }
                    _ => true,
                },
                Piece::Handlebars => {
                    let Some(model) = model else {
                        return self.source.clone();
                    };
                    let rc = rc.get_or_insert_with(|| RenderContext::new(None));
                    el.render(registry(), model, rc, &mut out).is_ok()
                }
                // What the faker helper prints: no escaping in Mockoon's registry.
                Piece::Faker(kind) => match faker(kind, &[]) {
                    Some(v) => out.write(&v.render()).is_ok(),
                    None => false,
                },
                // What the urlParam helper prints for a name.
                Piece::UrlParam(name) => {
                    match params.and_then(|p| p.get(name)).filter(|v| !v.is_null()) {
                        Some(Value::String(s)) => out.write(s).is_ok(),
                        Some(other) => out.write(&other.to_string()).is_ok(),
                        None => true,
                    }
                }
            };
            if !written {
                return self.source.clone();
            }
        }
        out.into_string().unwrap_or_else(|_| self.source.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_written_from_two_random_numbers() {
        for entropy in [0, 1, 7, u64::MAX] {
            seed(entropy);
            let (a, b) = (next(), next());
            seed(entropy);
            let id = uuid();
            let want = format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                0x8000 | ((b >> 48) & 0x3fff),
                b & 0xffff_ffff_ffff
            );
            assert_eq!(id, want);
            assert_eq!(id.len(), 36);
        }
    }

    #[test]
    fn emails_are_a_lower_case_first_and_last_name() {
        seed(3);
        let email = faker("internet.email", &[]).unwrap();
        let email = email.as_str().unwrap();
        let (name, domain) = email.split_once('@').unwrap();
        assert_eq!(domain, "example.com");
        let (first, last) = name.split_once('.').unwrap();
        assert!(FIRST.iter().any(|f| f.to_lowercase() == first), "{email}");
        assert!(LAST.iter().any(|l| l.to_lowercase() == last), "{email}");
    }

    #[test]
    fn faker_calls_and_route_params_render_as_handlebars_renders_them() {
        let ctx = Context::from(serde_json::json!({
            "params": {"id": "42", "n": 7, "z": null},
            "query": {"q": "x"},
        }));
        for text in [
            r#"{"id":"{{urlParam 'id'}}","first":"{{faker 'person.firstName'}}","ref":"{{faker 'string.uuid'}}"}"#,
            "{{urlParam 'n'}}|{{urlParam 'z'}}|{{urlParam 'none'}}|{{{faker 'internet.email'}}}",
            "{{faker 'person.lastName'}} {{queryParam 'q'}} {{faker 'location.city'}} {{!-- c --}}.",
            "{{faker 'no.such'}} {{urlParam 'id'}}",
            "{{#repeat 2}}{{faker 'person.firstName'}}{{/repeat}} {{faker 'string.uuid'}}",
        ] {
            let mut diags = Vec::new();
            let direct = Template::compile(text, true, "f", "", &mut diags);
            let mut whole = Template::compile(text, true, "f", "", &mut diags);
            whole.plan = vec![Piece::Handlebars; whole.plan.len()];
            if text.starts_with("{\"") {
                assert!(
                    direct
                        .plan
                        .contains(&Piece::Faker("person.firstName".into()))
                );
                assert!(direct.plan.contains(&Piece::UrlParam("id".into())));
            }
            for entropy in [1, 99] {
                seed(entropy);
                let a = direct.render(&ctx);
                seed(entropy);
                let b = whole.render(&ctx);
                assert_eq!(a, b, "{text}");
            }
        }
        let mut diags = Vec::new();
        let t = Template::compile(
            "{{urlParam 'id'}}-{{faker 'string.uuid'}}",
            true,
            "f",
            "",
            &mut diags,
        );
        assert!(!t.needs_context());
        let params = serde_json::json!({"id": "7"});
        assert!(t.render_with(params.as_object(), None).starts_with("7-"));
        let t = Template::compile("{{queryParam 'q'}}", true, "f", "", &mut diags);
        assert!(t.needs_context());
    }

    #[test]
    fn a_template_needs_the_parts_its_text_names() {
        let n = Needs::of("{{urlParam 'id'}} {{faker 'person.firstName'}}");
        assert!(n.has(Needs::PARAMS) && !n.has(Needs::QUERY) && !n.has(Needs::BODY));
        let n = Needs::of("{{bodyRaw}} {{header 'x'}} {{queryParamRaw}}");
        assert!(n.has(Needs::BODY) && n.has(Needs::HEADERS) && n.has(Needs::QUERY));
        assert!(n.covers(Needs::of("{{body 'a'}}")));
        assert!(!n.covers(Needs::of("{{cookie 'a'}}")));
        assert!(Needs::of("{{baseUrl}}").has(Needs::HOST));
    }
}
