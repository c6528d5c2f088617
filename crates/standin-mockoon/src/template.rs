//! Mockoon bodies and header values as Handlebars templates, compiled at load and
//! rendered with Mockoon's request helpers (`urlParam`, `queryParam`, `header`,
//! `cookie`, `body`, `bodyRaw`, `method`) against a model of the request. A template
//! that fails to render is sent as written, never a crash.

use std::sync::OnceLock;

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, Renderable, StringOutput,
    Template as Ast,
};
use serde_json::Value;
use standin_core::Diagnostic;

use crate::rules::at_path;

/// A compiled text.
#[derive(Debug)]
pub struct Template {
    source: String,
    ast: Option<Ast>,
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
            h.register_helper(name, Box::new(Simple(f)));
        }
        for (name, key) in [("bodyRaw", "bodyRaw"), ("method", "method")] {
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

fn uuid() -> String {
    let (a, b) = (next(), next());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn faker(kind: &str, params: &[Value]) -> Option<Value> {
    let int = |i: usize, d: i64| params.get(i).and_then(Value::as_i64).unwrap_or(d);
    Some(match kind {
        "person.firstName" => Value::from(pick(FIRST)),
        "person.lastName" => Value::from(pick(LAST)),
        "person.fullName" => Value::from(format!("{} {}", pick(FIRST), pick(LAST))),
        "internet.email" => Value::from(format!(
            "{}.{}@example.com",
            pick(FIRST).to_lowercase(),
            pick(LAST).to_lowercase()
        )),
        "location.city" => Value::from(pick(CITIES)),
        "company.name" => Value::from(pick(COMPANIES)),
        "lorem.word" => Value::from(pick(WORDS)),
        "string.uuid" => Value::from(uuid()),
        "datatype.boolean" => Value::from(next().is_multiple_of(2)),
        "number.int" => {
            let max = params
                .first()
                .and_then(|p| p.get("max").and_then(Value::as_i64).or(p.as_i64()))
                .unwrap_or(99_999);
            let min = params
                .first()
                .and_then(|p| p.get("min"))
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let span = (max - min).max(0) as u64 + 1;
            Value::from(min + (next() % span) as i64)
        }
        "number.float" => Value::from((next() % 10_000) as f64 / 100.0 + int(0, 0) as f64),
        _ => return None,
    })
}

type SimpleFn = fn(&[Value]) -> Option<Value>;

/// Helpers of plain values: Mockoon's faker subset, strings, numbers, logic.
const SIMPLE: [(&str, SimpleFn); 12] = [
    ("faker", |p| faker(p.first()?.as_str()?, &p[1..])),
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
    ("add", |p| {
        Some(num(p.iter().filter_map(Value::as_f64).sum()))
    }),
    ("subtract", |p| {
        let first = p.first()?.as_f64()?;
        Some(num(
            first - p[1..].iter().filter_map(Value::as_f64).sum::<f64>()
        ))
    }),
    ("multiply", |p| {
        Some(num(p.iter().filter_map(Value::as_f64).product()))
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

struct Simple(SimpleFn);

impl handlebars::HelperDef for Simple {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let params: Vec<Value> = h.params().iter().map(|p| p.value().clone()).collect();
        (self.0)(&params)
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

/// Every helper name a template may call: Mockoon's that standin has, and the
/// built-in ones (`if`, `each`, `eq`, ...).
fn known(name: &str) -> bool {
    SIMPLE.iter().any(|(n, _)| *n == name)
        || matches!(
            name,
            "urlParam"
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
        if templating {
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
            ast,
        }
    }

    /// Whether rendering needs the request.
    pub fn is_dynamic(&self) -> bool {
        self.ast.is_some()
    }

    /// The text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders against a request model; the text as written when rendering fails.
    pub fn render(&self, model: &Context) -> String {
        let Some(ast) = &self.ast else {
            return self.source.clone();
        };
        let mut rc = RenderContext::new(None);
        let mut out = StringOutput::new();
        match ast.render(registry(), model, &mut rc, &mut out) {
            Ok(()) => out.into_string().unwrap_or_else(|_| self.source.clone()),
            Err(_) => self.source.clone(),
        }
    }
}
