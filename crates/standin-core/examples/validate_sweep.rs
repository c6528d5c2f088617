//! Corpus sweep for request validation: for every operation of every OpenAPI document in
//! a folder, build a request the document says is valid (required parameters with values
//! generated from their schemas, a body generated from the request schema, credentials
//! for the first security alternative) and check that validation passes it; then remove
//! one required parameter (or the required body) and check that validation rejects it.
//!
//! Usage: `cargo run --release -p standin-core --example validate_sweep -- DIR
//! [--sample N] [--show N] [--only SUBSTRING] [--off]`. `--sample N` checks about N
//! documents, evenly spread over the folder; `--off` builds the requests with validation
//! off, to measure what the validators cost.

#[path = "common/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use standin_core::directives::Directives;
use standin_core::exchange::Request;
use standin_core::generate::{Direction, GenContext, generate};
use standin_core::model::{Document, Version};
use standin_core::model::{Operation, ParamIn, Parameter};
use standin_core::settings::ValidateMode;
use standin_core::validate::{Verdict, check};
use standin_core::{MockSettings, Snapshot};

/// Reads files from disk (as the server's `DiskFiles`).
struct DiskFiles;

impl standin_core::source::Files for DiskFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    fn canonical(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| standin_core::source::normalize(path))
    }
}

/// A request under construction.
#[derive(Clone, Default)]
struct Built {
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

impl Built {
    fn run(
        &self,
        snap: &Snapshot,
        di: usize,
        doc: &Document,
        oi: usize,
        op: &Operation,
    ) -> Result<Verdict, String> {
        let mut headers = HeaderMap::new();
        for (k, v) in &self.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|e| format!("header name {k}: {e}"))?;
            let value = HeaderValue::from_str(v).map_err(|e| format!("header {k}: {e}"))?;
            headers.append(name, value);
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let value = HeaderValue::from_str(&c.join("; ")).map_err(|e| format!("cookie: {e}"))?;
            headers.append(http::header::COOKIE, value);
        }
        let mut body: &[u8] = &[];
        if let Some((ct, b)) = &self.body {
            let value = HeaderValue::from_str(ct).map_err(|e| format!("content-type: {e}"))?;
            headers.insert(http::header::CONTENT_TYPE, value);
            body = b;
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        let query = query.join("&");
        let req = Request {
            method: &op.method,
            path: &op.template,
            query: (!query.is_empty()).then_some(query.as_str()),
            headers: &headers,
            body,
            now_unix_ms: 0,
            peer: None,
        };
        Ok(check(
            &snap.validation,
            &snap.settings,
            di,
            doc,
            oi,
            op,
            &req,
            &self.path_params,
            &Directives::default(),
            None,
        ))
    }
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn ctx<'a>(doc: &'a Document, seed: u64) -> GenContext<'a> {
    GenContext {
        root: &doc.root,
        dialect: doc.version.dialect(),
        direction: Direction::Request,
        seed,
        hints: &[],
    }
}

/// Adds parameter `p` with value `v`, serialised by its style.
fn add_param(b: &mut Built, p: &Parameter, v: &Value, json_content: bool, swagger: bool) {
    let name = p.name.clone();
    if json_content {
        let t = v.to_string();
        match p.location {
            ParamIn::Path => b.path_params.push((name, t)),
            ParamIn::Query => b.query.push((name, t)),
            ParamIn::Header => b.headers.push((name, t)),
            ParamIn::Cookie => b.cookies.push((name, t)),
        }
        return;
    }
    match p.location {
        ParamIn::Query => match v {
            Value::Array(items) => {
                let d = if swagger || p.collection_format.is_some() {
                    match p.collection_format.as_deref().unwrap_or("csv") {
                        "multi" => None,
                        "ssv" => Some(" "),
                        "tsv" => Some("\t"),
                        "pipes" => Some("|"),
                        _ => Some(","),
                    }
                } else if p.explode {
                    None
                } else {
                    Some(match p.style.as_str() {
                        "spaceDelimited" => " ",
                        "pipeDelimited" => "|",
                        _ => ",",
                    })
                };
                match d {
                    None => {
                        for i in items {
                            b.query.push((name.clone(), text(i)));
                        }
                    }
                    Some(d) => b
                        .query
                        .push((name, items.iter().map(text).collect::<Vec<_>>().join(d))),
                }
            }
            Value::Object(m) if p.style == "deepObject" => {
                for (k, x) in m {
                    b.query.push((format!("{name}[{k}]"), text(x)));
                }
            }
            Value::Object(m) if p.explode => {
                for (k, x) in m {
                    b.query.push((k.clone(), text(x)));
                }
            }
            Value::Object(m) => {
                let flat: Vec<String> = m.iter().flat_map(|(k, x)| [k.clone(), text(x)]).collect();
                b.query.push((name, flat.join(",")));
            }
            other => b.query.push((name, text(other))),
        },
        ParamIn::Path => {
            let joined =
                |sep: &str, items: &[Value]| items.iter().map(text).collect::<Vec<_>>().join(sep);
            let pairs = |m: &serde_json::Map<String, Value>, kv: &str, sep: &str| {
                m.iter()
                    .map(|(k, x)| format!("{k}{kv}{}", text(x)))
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            let t = match (p.style.as_str(), v) {
                ("label", Value::Array(a)) => {
                    format!(".{}", joined(if p.explode { "." } else { "," }, a))
                }
                ("label", Value::Object(m)) if p.explode => format!(".{}", pairs(m, "=", ".")),
                ("label", Value::Object(m)) => format!(".{}", pairs(m, ",", ",")),
                ("label", x) => format!(".{}", text(x)),
                ("matrix", Value::Array(a)) if p.explode => {
                    a.iter().map(|x| format!(";{name}={}", text(x))).collect()
                }
                ("matrix", Value::Array(a)) => format!(";{name}={}", joined(",", a)),
                ("matrix", Value::Object(m)) if p.explode => format!(";{}", pairs(m, "=", ";")),
                ("matrix", Value::Object(m)) => format!(";{name}={}", pairs(m, ",", ",")),
                ("matrix", x) => format!(";{name}={}", text(x)),
                (_, Value::Array(a)) => {
                    let sep = match p.collection_format.as_deref() {
                        Some("ssv") => " ",
                        Some("tsv") => "\t",
                        Some("pipes") => "|",
                        _ => ",",
                    };
                    joined(sep, a)
                }
                (_, Value::Object(m)) if p.explode => pairs(m, "=", ","),
                (_, Value::Object(m)) => pairs(m, ",", ","),
                (_, x) => text(x),
            };
            b.path_params.push((name, t));
        }
        ParamIn::Header | ParamIn::Cookie => {
            let t = match v {
                Value::Array(a) => {
                    let sep = match p.collection_format.as_deref() {
                        Some("ssv") => " ",
                        Some("tsv") => "\t",
                        Some("pipes") => "|",
                        _ => ",",
                    };
                    a.iter().map(text).collect::<Vec<_>>().join(sep)
                }
                Value::Object(m) if p.explode && p.location == ParamIn::Header => m
                    .iter()
                    .map(|(k, x)| format!("{k}={}", text(x)))
                    .collect::<Vec<_>>()
                    .join(","),
                Value::Object(m) => m
                    .iter()
                    .flat_map(|(k, x)| [k.clone(), text(x)])
                    .collect::<Vec<_>>()
                    .join(","),
                x => text(x),
            };
            if p.location == ParamIn::Header {
                b.headers.push((name, t));
            } else {
                b.cookies.push((name, t));
            }
        }
    }
}

fn essence(mt: &str) -> String {
    mt.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(e: &str) -> bool {
    e == "application/json" || e.ends_with("+json") || e == "text/json"
}

/// A body for the operation: JSON when accepted, else a form, else opaque bytes.
fn body(doc: &Document, op: &Operation, seed: u64) -> Result<Option<(String, Vec<u8>)>, String> {
    let Some(rb) = &op.request_body else {
        return Ok(None);
    };
    let pick = rb
        .media
        .iter()
        .find(|m| is_json(&essence(&m.media_type)) && !m.media_type.contains('*'))
        .or_else(|| {
            rb.media
                .iter()
                .find(|m| !essence(&m.media_type).contains('*'))
        })
        .or_else(|| rb.media.first());
    let Some(m) = pick else { return Ok(None) };
    let e = essence(&m.media_type);
    let ct = if e.contains('*') {
        "application/octet-stream".to_string()
    } else {
        e.clone()
    };
    let schema = match (&m.schema, &m.inline_schema) {
        (Some(p), _) => doc.root.pointer(p).map(|s| (p.clone(), s.clone())),
        (None, Some(s)) => Some((format!("{}/x-inline", op.pointer), s.clone())),
        _ => None,
    };
    let value = match &schema {
        Some((ptr, s)) => {
            Some(generate(&ctx(doc, seed), s, ptr).map_err(|u| format!("generate body: {u}"))?)
        }
        None => None,
    };
    if is_json(&e) {
        let v = value.unwrap_or(Value::Object(Default::default()));
        return Ok(Some((ct, serde_json::to_vec(&v).unwrap_or_default())));
    }
    if e == "application/x-www-form-urlencoded" {
        let mut pairs = Vec::new();
        if let Some(Value::Object(m)) = &value {
            for (k, v) in m {
                flatten_form(k, v, &mut pairs);
            }
        }
        let text: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect();
        return Ok(Some((ct, text.join("&").into_bytes())));
    }
    if e.starts_with("multipart/") {
        let boundary = "sweepBoundary7MA4YWxk";
        let mut out = Vec::new();
        if let Some(Value::Object(m)) = &value {
            for (k, v) in m {
                let items: Vec<&Value> = match v {
                    Value::Array(a) => a.iter().collect(),
                    other => vec![other],
                };
                for i in items {
                    let (ct_line, content) = match i {
                        Value::Object(_) | Value::Array(_) => {
                            ("Content-Type: application/json\r\n", i.to_string())
                        }
                        other => ("", text(other)),
                    };
                    out.extend_from_slice(
                        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n{ct_line}\r\n{content}\r\n").as_bytes(),
                    );
                }
            }
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        return Ok(Some((format!("{ct}; boundary={boundary}"), out)));
    }
    let bytes = match value {
        Some(Value::String(s)) => s.into_bytes(),
        Some(v) => v.to_string().into_bytes(),
        None => b"x".to_vec(),
    };
    Ok(Some((
        ct,
        if bytes.is_empty() {
            b"x".to_vec()
        } else {
            bytes
        },
    )))
}

/// A form field in bracket notation: `a[b]=1`, arrays of scalars as repeated keys,
/// arrays of objects as `a[0][b]=1`.
fn flatten_form(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) if m.is_empty() => out.push((prefix.to_string(), "{}".into())),
        Value::Object(m) => {
            for (k, x) in m {
                flatten_form(&format!("{prefix}[{k}]"), x, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            for i in items {
                out.push((prefix.to_string(), text(i)));
            }
        }
        Value::Array(items) => {
            for (n, i) in items.iter().enumerate() {
                flatten_form(&format!("{prefix}[{n}]"), i, out);
            }
        }
        other => out.push((prefix.to_string(), text(other))),
    }
}

/// Credentials for the first security alternative.
fn credentials(doc: &Document, op: &Operation, b: &mut Built) -> Result<(), String> {
    let Some(alt) = op
        .security
        .as_ref()
        .or(doc.security.as_ref())
        .and_then(|a| a.first())
    else {
        return Ok(());
    };
    let defs = doc
        .root
        .pointer("/components/securitySchemes")
        .or_else(|| doc.root.get("securityDefinitions"));
    let mut auth_used: Option<String> = None;
    for name in &alt.schemes {
        let Some(def) = defs.and_then(|d| d.get(name)) else {
            continue;
        };
        let def = standin_core::model::deref(&doc.root, def, "").0;
        let s = |k: &str| def.get(k).and_then(Value::as_str).unwrap_or("");
        let auth = match s("type") {
            "apiKey" => {
                let key = (s("name").to_string(), "sweep-key".to_string());
                match s("in") {
                    "query" => b.query.push(key),
                    "cookie" => b.cookies.push(key),
                    _ => b.headers.push(key),
                }
                None
            }
            "basic" => Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("user:pass"))),
            "http" => match s("scheme").to_ascii_lowercase().as_str() {
                "basic" | "" => Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("user:pass"))),
                "bearer" => Some("Bearer sweep-token".into()),
                "digest" => Some("Digest username=\"user\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"abc\"".into()),
                other => Some(format!("{other} sweep-credential")),
            },
            "oauth2" | "openIdConnect" => Some("Bearer sweep-token".into()),
            _ => None,
        };
        if let Some(a) = auth {
            match &auth_used {
                Some(used) if *used != a => {
                    return Err(
                        "two schemes of one alternative both need the Authorization header".into(),
                    );
                }
                Some(_) => {}
                None => {
                    b.headers.push(("Authorization".into(), a.clone()));
                    auth_used = Some(a);
                }
            }
        }
    }
    Ok(())
}

fn build(doc: &Document, op: &Operation, seed: u64) -> Result<Built, String> {
    let mut b = Built::default();
    let swagger = doc.version == Version::Swagger2;
    for p in &op.parameters {
        if !p.required {
            continue;
        }
        if p.location == ParamIn::Header && standin_core::model::ignored_header(&p.name) {
            continue;
        }
        let schema = p
            .schema
            .as_deref()
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        let ptr = if swagger {
            p.pointer.clone()
        } else {
            format!("{}/schema", p.pointer)
        };
        let v = generate(&ctx(doc, seed), &schema, &ptr)
            .map_err(|u| format!("generate {}: {u}", p.name))?;
        add_param(&mut b, p, &v, p.json_content, swagger);
    }
    b.body = body(doc, op, seed)?;
    credentials(doc, op, &mut b)?;
    Ok(b)
}

/// The request with one required parameter (or the required body) left out, when there
/// is one to leave out.
fn without_one(op: &Operation, b: &Built) -> Option<(String, Built)> {
    let mut w = b.clone();
    for p in &op.parameters {
        if !p.required || p.location == ParamIn::Path {
            continue;
        }
        if p.location == ParamIn::Header && standin_core::model::ignored_header(&p.name) {
            continue;
        }
        let before = (w.query.len(), w.headers.len(), w.cookies.len());
        match p.location {
            ParamIn::Query => w
                .query
                .retain(|(k, _)| *k != p.name && !k.starts_with(&format!("{}[", p.name))),
            ParamIn::Header => w.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&p.name)),
            ParamIn::Cookie => w.cookies.retain(|(k, _)| *k != p.name),
            ParamIn::Path => {}
        }
        if (w.query.len(), w.headers.len(), w.cookies.len()) != before {
            return Some((format!("{:?} {}", p.location, p.name), w));
        }
    }
    if op.request_body.as_ref().is_some_and(|rb| rb.required) && w.body.is_some() {
        w.body = None;
        return Some(("body".into(), w));
    }
    None
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut sample = None;
    let mut show = 25usize;
    let mut only = None;
    // `--off`: everything but the validators, to see what they cost.
    let mut off = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sample" => {
                sample = args.get(i + 1).and_then(|s| s.parse::<usize>().ok());
                i += 1;
            }
            "--show" => {
                show = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(show);
                i += 1;
            }
            "--off" => off = true,
            "--only" => {
                only = args.get(i + 1).cloned();
                i += 1;
            }
            other => dir = Some(PathBuf::from(other)),
        }
        i += 1;
    }
    let Some(dir) = dir else {
        eprintln!("usage: validate_sweep DIR [--sample N] [--show N] [--only SUBSTRING]");
        std::process::exit(2);
    };
    let mut files = corpus::documents(&dir);
    if let Some(s) = &only {
        files.retain(|f| f.to_string_lossy().contains(s.as_str()));
    }
    if let Some(n) = sample
        && n > 0
        && n < files.len()
    {
        let step = files.len() as f64 / n as f64;
        files = (0..n)
            .filter_map(|k| files.get((k as f64 * step) as usize).cloned())
            .collect();
    }
    let started = Instant::now();
    let (mut docs, mut ops, mut skipped, mut passed) = (0usize, 0usize, 0usize, 0usize);
    let (mut removable, mut rejected) = (0usize, 0usize);
    let mut false_rejections: Vec<String> = Vec::new();
    let mut missed: Vec<String> = Vec::new();
    let mut skip_reasons: std::collections::BTreeMap<String, usize> = Default::default();
    let mut slowest = (0u128, String::new());
    for f in &files {
        let t = Instant::now();
        let settings = MockSettings {
            validate: if off {
                ValidateMode::Off
            } else {
                ValidateMode::Enforce
            },
            ..MockSettings::default()
        };
        let snap = Snapshot::build(&DiskFiles, std::slice::from_ref(f), settings);
        let load_ms = t.elapsed().as_millis();
        if load_ms > slowest.0 {
            slowest = (load_ms, f.display().to_string());
        }
        for (di, doc) in snap.documents.iter().enumerate() {
            docs += 1;
            for (oi, op) in doc.operations.iter().enumerate() {
                let seed = (oi as u64).wrapping_mul(0x9e37_79b9);
                let built = match build(doc, op, seed) {
                    Ok(b) => b,
                    Err(e) => {
                        skipped += 1;
                        let key = e
                            .split(':')
                            .next()
                            .unwrap_or("")
                            .split(' ')
                            .next()
                            .unwrap_or("")
                            .to_string();
                        *skip_reasons.entry(key).or_default() += 1;
                        continue;
                    }
                };
                let verdict = match built.run(&snap, di, doc, oi, op) {
                    Ok(v) => v,
                    Err(e) => {
                        skipped += 1;
                        *skip_reasons
                            .entry(e.split(':').next().unwrap_or("").to_string())
                            .or_default() += 1;
                        continue;
                    }
                };
                ops += 1;
                match verdict {
                    Verdict::Pass => passed += 1,
                    Verdict::Warn(_, note, _) => false_rejections.push(format!(
                        "{} {} {}: {note}",
                        f.display(),
                        op.method,
                        op.template
                    )),
                    Verdict::Reject(reply) => {
                        let why = reply.why.violations.clone().unwrap_or_default();
                        let body = String::from_utf8_lossy(
                            &built.body.as_ref().map(|b| b.1.clone()).unwrap_or_default(),
                        )
                        .chars()
                        .take(300)
                        .collect::<String>();
                        false_rejections.push(format!(
                            "{} {} {} -> {}: {why}\n      query={:?} path={:?} body={body}",
                            f.display(),
                            op.method,
                            op.template,
                            reply.status,
                            built.query,
                            built.path_params
                        ));
                    }
                }
                if let Some((what, w)) = without_one(op, &built) {
                    removable += 1;
                    match w.run(&snap, di, doc, oi, op) {
                        Ok(Verdict::Reject(_)) => rejected += 1,
                        _ => missed.push(format!(
                            "{} {} {}: without {what}",
                            f.display(),
                            op.method,
                            op.template
                        )),
                    }
                }
            }
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            a as f64 * 100.0 / b as f64
        }
    };
    println!(
        "documents loaded: {docs} of {} files in {:.1}s (slowest load: {} ms, {})",
        files.len(),
        started.elapsed().as_secs_f64(),
        slowest.0,
        slowest.1
    );
    println!("operations checked: {ops} (skipped {skipped}: {skip_reasons:?})");
    println!(
        "valid requests passing: {passed}/{ops} = {:.3}%",
        pct(passed, ops)
    );
    println!(
        "missing required parameter rejected: {rejected}/{removable} = {:.3}%",
        pct(rejected, removable)
    );
    for f in false_rejections.iter().take(show) {
        println!("FALSE REJECTION {f}");
    }
    for m in missed.iter().take(show) {
        println!("NOT REJECTED {m}");
    }
}
