//! Corpus sweep for the data generator: for every JSON response schema of every operation
//! in a folder of OpenAPI/Swagger JSON documents, generate a value and validate it with the
//! `jsonschema` crate (formats on), then print the figures.
//!
//! Usage: `cargo run --release -p standin-core --example gen_sweep -- DIR [--sample N]
//! [--show N] [--only SUBSTRING]`. `--sample N` takes every N-th document.
//!
//! OpenAPI 3.0 and Swagger 2.0 schemas are validated as draft 4 after rewriting
//! `nullable`/`x-nullable` into type arrays (and dropping `writeOnly` names from `required`,
//! which OpenAPI says apply to requests only); 3.1 as draft 2020-12.

#[path = "common/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use standin_core::generate::{Direction, GenContext, generate};
use standin_core::model::Dialect;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn deref<'v>(root: &'v Value, v: &'v Value) -> &'v Value {
    let mut cur = v;
    for _ in 0..8 {
        match cur
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(p) => match root.pointer(p) {
                Some(t) => cur = t,
                None => return cur,
            },
            None => return cur,
        }
    }
    cur
}

/// The JSON response schemas of a document, with their pointers.
fn targets(doc: &Value, swagger: bool) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item = deref(doc, item);
        for m in METHODS {
            let Some(responses) = item
                .get(*m)
                .and_then(|op| op.get("responses"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (code, resp) in responses {
                let resp = deref(doc, resp);
                let base = format!("/paths/{}/{m}/responses/{}", esc(path), esc(code));
                if swagger {
                    if let Some(s) = resp.get("schema") {
                        out.push((format!("{base}/schema"), s.clone()));
                    }
                    continue;
                }
                let Some(content) = resp.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for (mt, media) in content {
                    if !mt.contains("json") {
                        continue;
                    }
                    if let Some(s) = media.get("schema") {
                        out.push((format!("{base}/content/{}/schema", esc(mt)), s.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Whether a property schema is `writeOnly`, through `$ref` and `allOf` (as the generator
/// reads it: such a property is left out of responses even when required).
fn write_only(root: &Value, s: &Value, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let s = deref(root, s);
    s.get("writeOnly") == Some(&Value::Bool(true))
        || s.get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|b| write_only(root, b, depth + 1)))
}

/// Rewrites OpenAPI 3.0 / Swagger 2.0 schema extensions into draft-4 JSON Schema.
fn rewrite(v: &mut Value, root: &Value) {
    match v {
        Value::Object(m) => {
            let nullable = m.get("nullable") == Some(&Value::Bool(true))
                || m.get("x-nullable") == Some(&Value::Bool(true));
            if let Some(Value::String(t)) = m.get("type").cloned() {
                let t = if t == "file" { "string".to_string() } else { t };
                m.insert(
                    "type".into(),
                    if nullable {
                        json!([t, "null"])
                    } else {
                        json!(t)
                    },
                );
            }
            if let (Some(Value::Array(req)), Some(Value::Object(props))) =
                (m.get("required"), m.get("properties"))
            {
                let keep: Vec<Value> = req
                    .iter()
                    .filter(|r| {
                        let Some(name) = r.as_str() else { return true };
                        let Some(p) = props.get(name) else {
                            return true;
                        };
                        !write_only(root, p, 0)
                    })
                    .cloned()
                    .collect();
                m.insert("required".into(), Value::Array(keep));
            }
            for (_, c) in m.iter_mut() {
                rewrite(c, root);
            }
        }
        Value::Array(a) => {
            for c in a {
                rewrite(c, root);
            }
        }
        _ => {}
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_sweep DIR [--sample N] [--show N] [--only SUBSTRING]");
        std::process::exit(2);
    };
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sample: usize = opt("--sample")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    let show: usize = opt("--show").and_then(|s| s.parse().ok()).unwrap_or(20);
    let only = opt("--only");
    let files = corpus::documents(Path::new(dir));
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| {
            only.as_ref()
                .is_none_or(|o| f.to_string_lossy().contains(o.as_str()))
        })
        .step_by(sample)
        .collect();

    let (mut docs, mut tried, mut valid, mut invalid, mut unsat, mut build_err) =
        (0, 0, 0, 0, 0, 0);
    let mut shown = 0;
    let mut unsat_shown = 0;
    let mut slowest = (Duration::ZERO, String::new());
    let mut total_gen = Duration::ZERO;
    let start = Instant::now();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let swagger = doc.get("swagger").is_some();
        let dialect = if swagger {
            Dialect::Swagger2
        } else if doc
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("3.1"))
        {
            Dialect::OpenApi31
        } else {
            Dialect::OpenApi30
        };
        let ts = targets(&doc, swagger);
        if ts.is_empty() {
            continue;
        }
        docs += 1;
        let rel = file.strip_prefix(dir).unwrap_or(file).display().to_string();
        let hints: Vec<(String, String)> = Vec::new();
        let ctx = GenContext {
            root: &doc,
            dialect,
            direction: Direction::Response,
            seed: 0,
            hints: &hints,
        };
        // Generate first, then validate all of a document's values with one registry.
        let mut generated: Vec<(String, Value, Value)> = Vec::new();
        for (ptr, schema) in ts {
            tried += 1;
            let ctx = GenContext {
                seed: fnv(&format!("{rel}#{ptr}")),
                ..ctx
            };
            let t0 = Instant::now();
            let r = generate(&ctx, &schema, &ptr);
            let dt = t0.elapsed();
            total_gen += dt;
            if dt > slowest.0 {
                slowest = (dt, format!("{rel}#{ptr}"));
            }
            match r {
                Ok(v) => generated.push((ptr, schema, v)),
                Err(e) => {
                    unsat += 1;
                    if unsat_shown < show {
                        unsat_shown += 1;
                        println!("UNSAT {rel}#{ptr}: {} at {}", e.reason, e.pointer);
                    }
                }
            }
        }
        let mut vdoc = doc.clone();
        if dialect != Dialect::OpenApi31 {
            rewrite(&mut vdoc, &doc);
        }
        let mut tlist: Vec<Value> = generated.iter().map(|(_, s, _)| s.clone()).collect();
        if dialect != Dialect::OpenApi31 {
            for s in &mut tlist {
                rewrite(s, &doc);
            }
        }
        if let Value::Object(m) = &mut vdoc {
            m.insert("x-sweep-targets".into(), Value::Array(tlist));
        }
        let draft = if dialect == Dialect::OpenApi31 {
            jsonschema::Draft::Draft202012
        } else {
            jsonschema::Draft::Draft4
        };
        let registry = match jsonschema::Registry::new()
            .draft(draft)
            .add("urn:sweep:doc", &vdoc)
            .and_then(|b| b.prepare())
        {
            Ok(r) => r,
            Err(e) => {
                build_err += generated.len();
                println!("REGISTRY {rel}: {e}");
                continue;
            }
        };
        for (i, (ptr, _, v)) in generated.iter().enumerate() {
            let wrapper = json!({ "$ref": format!("urn:sweep:doc#/x-sweep-targets/{i}") });
            let validator = match jsonschema::options()
                .with_draft(draft)
                .should_validate_formats(true)
                .with_registry(&registry)
                .build(&wrapper)
            {
                Ok(v) => v,
                Err(e) => {
                    build_err += 1;
                    if shown < show {
                        println!("BUILD {rel}#{ptr}: {e}");
                    }
                    continue;
                }
            };
            match validator.validate(v) {
                Ok(()) => valid += 1,
                Err(e) => {
                    invalid += 1;
                    if shown < show {
                        shown += 1;
                        let mut vs = v.to_string();
                        vs.truncate(300);
                        println!(
                            "INVALID {rel}#{ptr}: {e} at {} (schema {})\n   value: {vs}",
                            e.instance_path(),
                            e.schema_path()
                        );
                    }
                }
            }
        }
    }
    println!("documents: {docs} (of {} files)", files.len());
    println!("schemas tried: {tried}");
    println!("valid: {valid}");
    println!("invalid: {invalid}");
    println!("unsatisfiable (reported): {unsat}");
    println!("validator build errors: {build_err}");
    println!("slowest generation: {:?} at {}", slowest.0, slowest.1);
    println!(
        "total generation time: {total_gen:?}; wall time {:?}",
        start.elapsed()
    );
}
