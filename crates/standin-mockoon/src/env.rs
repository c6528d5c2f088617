//! Reading a Mockoon environment file: routes in the order of its folder tree, their
//! responses, headers, latency and bodies (inline, from a file read at load, or a data
//! bucket). A part that cannot be used is a diagnostic with the file and JSON pointer;
//! the rest is kept.

use std::path::Path;

use http::HeaderName;
use regex::Regex;
use serde_json::Value;
use standin_core::Diagnostic;

use crate::rules::{Operator, Rule, Target};
use crate::template::Template;

/// Whether a parsed JSON document is a Mockoon environment (routes and Mockoon's
/// migration marker or folder tree).
pub fn looks_like_environment(v: &Value) -> bool {
    v.get("routes").is_some_and(Value::is_array)
        && (v.get("lastMigration").is_some() || v.get("rootChildren").is_some())
}

/// How a route picks among its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The first response whose rules pass, else the default.
    Rules,
    /// One at random.
    Random,
    /// Each in turn.
    Sequential,
    /// Always the default.
    DisableRules,
    /// The first whose rules pass, else the next route.
    Fallback,
}

/// A response's body.
#[derive(Debug)]
pub enum Body {
    /// Text, templated or not.
    Inline(Template),
    /// A data bucket's value, by id or name.
    Bucket(String),
    /// A file that is not text, sent as read.
    Bytes(bytes::Bytes),
    /// A file that cannot be read: Mockoon's plain-text error, with the response's
    /// status.
    FileError(String),
}

/// One response of a route.
#[derive(Debug)]
pub struct Response {
    /// Mockoon's label (or uuid).
    pub label: String,
    /// What the journal names it by: the route's method and endpoint, and the label.
    pub journal: String,
    /// The status.
    pub status: u16,
    /// The response's own headers.
    pub headers: Vec<(HeaderName, Template)>,
    /// The body.
    pub body: Body,
    /// Milliseconds to wait.
    pub latency: u64,
    /// Its rules.
    pub rules: Vec<Rule>,
    /// Whether every rule must pass (AND) rather than one (OR).
    pub all: bool,
    /// The route's default response.
    pub default: bool,
    /// A `FILE` body's media type (from its extension), when the response sets none.
    pub file_type: Option<&'static str>,
    /// A `FILE` body sent as a download: `Content-Disposition` (not `sendFileAsBody`).
    pub disposition: Option<String>,
}

/// One route.
#[derive(Debug)]
pub struct Route {
    /// Its uuid.
    pub uuid: String,
    /// The key of its request count in the store (the file and the uuid).
    pub counter: String,
    /// The method, upper case; `None` answers every method (`all`).
    pub method: Option<String>,
    /// The endpoint as written, for the journal.
    pub endpoint: String,
    /// The path pattern (anchored, case-insensitive), with named groups for params.
    pub pattern: Regex,
    /// The path as plain text, for a route without params or wildcards: matched with
    /// [`literal_matches`], which answers as `pattern` does.
    pub literal: Option<String>,
    /// Whether its request count is read (a `SEQUENTIAL` route, a `request_number`
    /// rule): a route that reads none counts none.
    pub counted: bool,
    /// The names of the params, in the order of their groups.
    pub params: Vec<String>,
    /// Its responses.
    pub responses: Vec<Response>,
    /// How a response is chosen.
    pub mode: Mode,
    /// A `crud` route: its data bucket (id or name) and the key property of its items.
    pub crud: Option<(String, String)>,
    /// A `crud` route's expression for a created item's key, from its bucket's template.
    pub key_template: Option<Template>,
}

/// An environment as loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Routes in match order.
    pub routes: Vec<Route>,
    /// Environment headers (a response's own win).
    pub headers: Vec<(HeaderName, Template)>,
    /// Environment latency, ms.
    pub latency: u64,
    /// Data buckets: (uuid, id, name, value).
    pub buckets: Vec<(String, String, String, Value)>,
    /// Whether CORS headers are added.
    pub cors: bool,
    /// A `proxyMode` environment's upstream: what no route answers is forwarded there,
    /// with `proxyReqHeaders` added and `proxyRemovePrefix` applied.
    pub proxy: Option<standin_core::exchange::Forward>,
    /// `proxyResHeaders`: set on what the upstream answers.
    pub proxy_res_headers: Vec<(HeaderName, Template)>,
    /// What could not be used.
    pub diagnostics: Vec<Diagnostic>,
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The headers list under `key`, as an object `headers` reads.
fn json_headers(env: &Value, key: &str) -> Value {
    serde_json::json!({ "headers": env.get(key).cloned().unwrap_or(Value::Null) })
}

fn headers(
    v: &Value,
    file: &str,
    ptr: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(HeaderName, Template)> {
    let Some(list) = v.get("headers").and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, h) in list.iter().enumerate() {
        let key = s(h, "key");
        if key.is_empty() {
            continue;
        }
        let Ok(name) = HeaderName::try_from(key) else {
            diags.push(Diagnostic::warning(
                file,
                format!("{ptr}/headers/{i}/key"),
                format!("'{key}' is not a valid HTTP header name; the header is not sent"),
            ));
            continue;
        };
        let at = format!("{ptr}/headers/{i}/value");
        out.push((
            name,
            Template::compile(s(h, "value"), true, file, &at, diags),
        ));
    }
    out
}

/// The prefix and the endpoint as one path, `/`-joined, without a trailing `/`.
fn full_path(prefix: &str, endpoint: &str) -> String {
    let mut full = String::new();
    for part in [prefix, endpoint] {
        let part = part.trim_matches('/');
        if !part.is_empty() {
            full.push('/');
            full.push_str(part);
        }
    }
    full
}

/// The path a route matches as plain text, when its endpoint has no params, wildcards or
/// groups and is ASCII (a request path is): [`literal_matches`] answers as its
/// [`pattern`] does, without running the regex.
fn literal(prefix: &str, endpoint: &str, crud: bool) -> Option<String> {
    let full = full_path(prefix, endpoint);
    let plain = !crud && full.is_ascii() && !full.contains([':', '*', '(', '|', ')', '?', '+']);
    match plain {
        true if full.is_empty() => Some("/".into()),
        true => Some(full),
        false => None,
    }
}

/// Whether `path` is the literal route `lit` (case aside), with or without a trailing
/// `/`: what the route's pattern `(?i)^lit/?$` matches.
pub fn literal_matches(lit: &str, path: &str) -> bool {
    let (lit, path) = (lit.as_bytes(), path.as_bytes());
    path.len() >= lit.len()
        && path[..lit.len()].eq_ignore_ascii_case(lit)
        && matches!(&path[lit.len()..], b"" | b"/")
}

/// Turns an endpoint (`users/:id`, `files/*`, `(a|b)/x`) into an anchored pattern.
fn pattern(prefix: &str, endpoint: &str, crud: bool) -> Result<(Regex, Vec<String>), String> {
    let full = full_path(prefix, endpoint);
    let mut re = String::from("(?i)^");
    let mut params = Vec::new();
    let chars: Vec<char> = full.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ':'
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_')
        {
            let start = i + 1;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            params.push(chars[start..i].iter().collect());
            re.push_str("([^/]+)");
            continue;
        }
        match c {
            '*' => re.push_str(".*"),
            '(' => re.push_str("(?:"),
            '|' | ')' | '?' | '+' => re.push(c),
            _ => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if full.is_empty() && !crud {
        re.push('/');
    }
    if crud {
        // `/resource` and `/resource/:id`.
        re.push_str("(?:/([^/]+))?");
        params.push("id".into());
    }
    re.push_str("/?$");
    Regex::new(&re)
        .map(|r| (r, params))
        .map_err(|e| e.to_string())
}

fn mode(v: &Value) -> Mode {
    match s(v, "responseMode") {
        "RANDOM" => Mode::Random,
        "SEQUENTIAL" => Mode::Sequential,
        "DISABLE_RULES" => Mode::DisableRules,
        "FALLBACK" => Mode::Fallback,
        _ => Mode::Rules,
    }
}

fn rule(v: &Value, file: &str, ptr: &str, diags: &mut Vec<Diagnostic>) -> Option<Rule> {
    let target = match s(v, "target") {
        "body" => Target::Body,
        "query" => Target::Query,
        "header" => Target::Header,
        "cookie" => Target::Cookie,
        "params" => Target::Params,
        "request_number" => Target::RequestNumber,
        "method" => Target::Method,
        "path" => Target::Path,
        "global_var" => Target::GlobalVar,
        "data_bucket" => Target::DataBucket,
        "templating" | "templateParsedExpression" => Target::Templating,
        other => {
            diags.push(Diagnostic::warning(
                file,
                format!("{ptr}/target"),
                format!("rule target '{other}' is not supported; the rule never passes"),
            ));
            Target::Unsupported
        }
    };
    let value = match v.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let value_t = Template::compile(&value, true, file, &format!("{ptr}/value"), diags);
    let modifier = Template::compile(
        s(v, "modifier"),
        true,
        file,
        &format!("{ptr}/modifier"),
        diags,
    );
    let operator = match s(v, "operator") {
        "" | "equals" => Operator::Equals,
        "regex" | "regex_i" if value_t.is_dynamic() => {
            Operator::RegexOfTemplate(s(v, "operator") == "regex_i")
        }
        "regex" | "regex_i" => {
            let flag = if s(v, "operator") == "regex_i" {
                "(?i)"
            } else {
                ""
            };
            match Regex::new(&format!("{flag}{value}")) {
                Ok(r) => Operator::Regex(r),
                Err(e) => {
                    diags.push(Diagnostic::error(
                        file,
                        format!("{ptr}/value"),
                        format!("rule regex does not compile: {e}"),
                    ));
                    return None;
                }
            }
        }
        "null" => Operator::Null,
        "empty_array" => Operator::EmptyArray,
        "array_includes" => Operator::ArrayIncludes,
        "valid_json_schema" => Operator::ValidJsonSchema,
        other => {
            diags.push(Diagnostic::warning(
                file,
                format!("{ptr}/operator"),
                format!("rule operator '{other}' is not supported; the rule never passes"),
            ));
            Operator::Unsupported
        }
    };
    Some(Rule {
        target,
        modifier,
        value: value_t,
        operator,
        invert: v.get("invert").and_then(Value::as_bool).unwrap_or(false),
    })
}

fn response(v: &Value, dir: &Path, file: &str, ptr: &str, diags: &mut Vec<Diagnostic>) -> Response {
    let templating = !v
        .get("disableTemplating")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let inline = |diags: &mut Vec<Diagnostic>| {
        Template::compile(
            s(v, "body"),
            templating,
            file,
            &format!("{ptr}/body"),
            diags,
        )
    };
    let mut status = v
        .get("statusCode")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (100..=999).contains(c))
        .unwrap_or(200);
    let (mut file_type, mut disposition) = (None, None);
    let body = match s(v, "bodyType") {
        "DATABUCKET" => Body::Bucket(s(v, "databucketID").to_string()),
        "FILE" if !s(v, "filePath").is_empty() => {
            let path = dir.join(s(v, "filePath"));
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let ty = media_type(&path);
                    file_type = ty;
                    if !v
                        .get("sendFileAsBody")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                    {
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy())
                            .unwrap_or_default();
                        disposition = Some(format!(
                            "attachment; filename=\"{}\"",
                            percent_encoding::utf8_percent_encode(&name, URI_COMPONENT)
                        ));
                    }
                    // Mockoon templates text files only.
                    let text_file = ty.is_none_or(|t| TEMPLATED_TYPES.contains(&t))
                        || path.extension().is_some_and(|e| e == "handlebars");
                    match String::from_utf8(bytes) {
                        Ok(text) => Body::Inline(Template::compile(
                            &text,
                            templating && text_file,
                            file,
                            &format!("{ptr}/filePath"),
                            diags,
                        )),
                        Err(e) => Body::Bytes(bytes::Bytes::from(e.into_bytes())),
                    }
                }
                Err(_)
                    if v.get("fallbackTo404")
                        .and_then(Value::as_bool)
                        .unwrap_or(false) =>
                {
                    status = 404;
                    Body::Inline(inline(diags))
                }
                Err(e) => {
                    diags.push(Diagnostic::error(
                        file,
                        format!("{ptr}/filePath"),
                        format!(
                            "cannot read {}: {e}; the response sends Mockoon's error",
                            path.display()
                        ),
                    ));
                    Body::FileError(format!(
                        "Error while serving the file content: {}, open '{}'",
                        node_error(&e),
                        path.display()
                    ))
                }
            }
        }
        _ => Body::Inline(inline(diags)),
    };
    let rules = v
        .get("rules")
        .and_then(Value::as_array)
        .map(|rs| {
            rs.iter()
                .enumerate()
                .filter_map(|(i, r)| rule(r, file, &format!("{ptr}/rules/{i}"), diags))
                .collect()
        })
        .unwrap_or_default();
    let label = match s(v, "label") {
        "" => s(v, "uuid").to_string(),
        l => l.to_string(),
    };
    Response {
        label,
        journal: String::new(),
        status,
        file_type,
        disposition,
        headers: headers(v, file, ptr, diags),
        body,
        latency: v.get("latency").and_then(Value::as_u64).unwrap_or(0),
        rules,
        all: s(v, "rulesOperator") == "AND",
        default: v.get("default").and_then(Value::as_bool).unwrap_or(false),
    }
}

/// What `encodeURIComponent` leaves alone.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// The media types of files Mockoon renders as templates.
const TEMPLATED_TYPES: [&str; 10] = [
    "application/json",
    "text/html",
    "text/css",
    "text/csv",
    "application/javascript",
    "application/typescript",
    "text/plain",
    "application/xhtml+xml",
    "application/xml",
    "text/x-handlebars-template",
];

/// A file's media type by its extension (the common ones).
fn media_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" | "mjs" => "application/javascript",
        "ts" => "application/typescript",
        "txt" | "text" => "text/plain",
        "xhtml" => "application/xhtml+xml",
        "xml" => "application/xml",
        "handlebars" | "hbs" => "text/x-handlebars-template",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "yaml" | "yml" => "application/yaml",
        _ => return None,
    })
}

/// Node's words for a file that cannot be opened.
fn node_error(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "ENOENT: no such file or directory",
        std::io::ErrorKind::PermissionDenied => "EACCES: permission denied",
        _ => "EISDIR: illegal operation on a directory, read",
    }
}

/// The uuids of routes in the order of the folder tree (`rootChildren`, folders'
/// `children`), depth first, leaving out the folders whose name holds a disabled
/// keyword.
fn tree_order(env: &Value, disabled: &[String]) -> Vec<String> {
    fn walk(
        children: &Value,
        env: &Value,
        out: &mut Vec<String>,
        depth: usize,
        disabled: &[String],
    ) {
        let Some(list) = children.as_array() else {
            return;
        };
        for c in list {
            match s(c, "type") {
                "route" => out.push(s(c, "uuid").to_string()),
                "folder" if depth < 64 => {
                    let uuid = s(c, "uuid");
                    if let Some(f) = env
                        .get("folders")
                        .and_then(Value::as_array)
                        .and_then(|fs| fs.iter().find(|f| s(f, "uuid") == uuid))
                        && !disabled
                            .iter()
                            .any(|d| !d.is_empty() && s(f, "name").contains(d.as_str()))
                    {
                        walk(&f["children"], env, out, depth + 1, disabled);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&env["rootChildren"], env, &mut out, 0, disabled);
    out
}

/// The oldest and newest `lastMigration` read: 9.x files are at 33; older files
/// from 28 on are migrated as Mockoon migrates them.
pub const MIGRATIONS: (u64, u64) = (28, 33);

/// faker v7 method names and their v8 names (Mockoon's migration 29), for the methods
/// standin's faker has.
const FAKER_V8: [(&str, &str); 9] = [
    ("name.firstName", "person.firstName"),
    ("name.lastName", "person.lastName"),
    ("name.fullName", "person.fullName"),
    ("address.city", "location.city"),
    ("datatype.uuid", "string.uuid"),
    ("datatype.number", "number.int"),
    ("datatype.float", "number.float"),
    ("datatype.boolean", "datatype.boolean"),
    ("random.word", "lorem.word"),
];

/// An environment brought to the current format the way Mockoon migrates it: faker
/// v7 names renamed (29), routes with `enabled: false` disabled (31). A file older than
/// standin migrates, or newer than it knows, is refused with a diagnostic naming its
/// migration.
fn migrate(env: &Value, file: &str, diags: &mut Vec<Diagnostic>) -> Option<(Value, Vec<String>)> {
    let Some(last) = env.get("lastMigration").and_then(Value::as_u64) else {
        return Some((env.clone(), Vec::new()));
    };
    let (oldest, newest) = MIGRATIONS;
    if last < oldest || last > newest {
        let which = if last < oldest { "an older" } else { "a newer" };
        diags.push(Diagnostic::error(
            file,
            "/lastMigration",
            format!(
                "environment written by {which} Mockoon (lastMigration {last}); standin reads \
                 lastMigration {oldest} to {newest} (Mockoon 9.x is {newest}): open and save it \
                 with Mockoon 9 to migrate it"
            ),
        ));
        return None;
    }
    let mut env = env.clone();
    let mut disabled = Vec::new();
    if last < 29 {
        let rename = |text: &mut Value| {
            if let Value::String(t) = text
                && t.contains("faker")
            {
                for (old, new) in FAKER_V8 {
                    *t = t.replace(&format!("'{old}'"), &format!("'{new}'"));
                    *t = t.replace(&format!("\"{old}\""), &format!("\"{new}\""));
                }
            }
        };
        for b in env["data"].as_array_mut().into_iter().flatten() {
            rename(&mut b["value"]);
        }
        for r in env["routes"].as_array_mut().into_iter().flatten() {
            for resp in r["responses"].as_array_mut().into_iter().flatten() {
                rename(&mut resp["body"]);
            }
        }
    }
    if last < 31 {
        for r in env["routes"].as_array().into_iter().flatten() {
            if r.get("enabled").and_then(Value::as_bool) == Some(false) {
                disabled.push(s(r, "uuid").to_string());
            }
        }
    }
    Some((env, disabled))
}

/// Loads an environment. `disabled` holds route uuids or keywords (matched against
/// the endpoint) of routes not to serve.
pub fn load(env: &Value, path: &Path, disabled: &[String]) -> Loaded {
    let file = path.display().to_string();
    let mut early = Vec::new();
    let Some((env, was_disabled)) = migrate(env, &file, &mut early) else {
        return Loaded {
            diagnostics: early,
            ..Default::default()
        };
    };
    let env = &env;
    let disabled: Vec<String> = disabled.iter().cloned().chain(was_disabled).collect();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut out = Loaded {
        latency: env.get("latency").and_then(Value::as_u64).unwrap_or(0),
        cors: env.get("cors").and_then(Value::as_bool).unwrap_or(true),
        ..Default::default()
    };
    let diags = &mut out.diagnostics;
    out.headers = headers(env, &file, "", diags);
    let prefix = s(env, "endpointPrefix");
    if env.get("proxyMode").and_then(Value::as_bool) == Some(true) {
        let host = s(env, "proxyHost");
        if host.starts_with("http://") || host.starts_with("https://") {
            let mut f = standin_core::exchange::Forward::to(host);
            let trimmed = prefix.trim_matches('/');
            if env.get("proxyRemovePrefix").and_then(Value::as_bool) == Some(true)
                && !trimmed.is_empty()
            {
                f.strip_prefix = Some(format!("/{trimmed}"));
            }
            for h in env["proxyReqHeaders"].as_array().into_iter().flatten() {
                if let (Ok(n), Ok(v)) = (
                    http::HeaderName::try_from(s(h, "key")),
                    http::HeaderValue::try_from(s(h, "value")),
                ) {
                    f.add_headers.push((n, v));
                }
            }
            out.proxy = Some(f);
            let res = json_headers(env, "proxyResHeaders");
            out.proxy_res_headers = headers(&res, &file, "/proxyResHeaders", diags);
        } else {
            diags.push(Diagnostic::error(
                &file,
                "/proxyHost",
                format!("proxyMode is on but proxyHost '{host}' is not an http(s) URL; nothing is forwarded"),
            ));
        }
    }
    let routes = env["routes"].as_array().cloned().unwrap_or_default();
    let mut order: Vec<usize> = Vec::new();
    let tree = tree_order(env, &disabled);
    for uuid in &tree {
        if let Some(i) = routes.iter().position(|r| s(r, "uuid") == uuid) {
            order.push(i);
        }
    }
    // Mockoon serves the routes of its folder tree only; a file without one (written
    // by hand, `rootChildren` absent or empty) is served in the order of its routes.
    if env
        .get("rootChildren")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        order = (0..routes.len()).collect();
    }
    if disabled.iter().any(|d| d == "*") {
        order.clear();
    }
    for i in order {
        let r = &routes[i];
        let ptr = format!("/routes/{i}");
        let endpoint = s(r, "endpoint");
        if disabled
            .iter()
            .any(|d| d == s(r, "uuid") || (!d.is_empty() && endpoint.contains(d.as_str())))
        {
            continue;
        }
        let crud = (s(r, "type") == "crud").then(|| {
            let first = &r["responses"][0];
            let key = match s(first, "crudKey") {
                "" => "id",
                k => k,
            };
            (s(first, "databucketID").to_string(), key.to_string())
        });
        let key_template = crud.as_ref().and_then(|(bucket, key)| {
            let raw = env["data"]
                .as_array()?
                .iter()
                .find(|b| s(b, "id") == bucket)
                .map(|b| s(b, "value"))?;
            let expr = crate::crud::key_expression(raw, key)?;
            Some(Template::compile(
                &expr,
                true,
                &file,
                &format!("{ptr}/responses/0/crudKey"),
                diags,
            ))
        });
        let (pattern, params) = match pattern(prefix, endpoint, crud.is_some()) {
            Ok(p) => p,
            Err(e) => {
                diags.push(Diagnostic::error(
                    &file,
                    format!("{ptr}/endpoint"),
                    format!("endpoint '{endpoint}' cannot be matched: {e}"),
                ));
                continue;
            }
        };
        let method = match s(r, "method").to_ascii_lowercase().as_str() {
            "all" | "" => None,
            m => Some(m.to_ascii_uppercase()),
        };
        let mut responses: Vec<Response> = r
            .get("responses")
            .and_then(Value::as_array)
            .map(|rs| {
                rs.iter()
                    .enumerate()
                    .map(|(j, x)| response(x, dir, &file, &format!("{ptr}/responses/{j}"), diags))
                    .collect()
            })
            .unwrap_or_default();
        if responses.is_empty() {
            diags.push(Diagnostic::error(
                &file,
                format!("{ptr}/responses"),
                "a route needs a response",
            ));
            continue;
        }
        for resp in &mut responses {
            resp.journal = format!(
                "{} {endpoint} ({})",
                method.as_deref().unwrap_or("ALL"),
                resp.label
            );
        }
        let counted = mode(r) == Mode::Sequential
            || responses.iter().any(|x| {
                x.rules
                    .iter()
                    .any(|rule| matches!(rule.target, Target::RequestNumber))
            });
        out.routes.push(Route {
            uuid: s(r, "uuid").to_string(),
            counter: format!("mockoon:{file}:{}", s(r, "uuid")),
            method,
            endpoint: endpoint.to_string(),
            literal: literal(prefix, endpoint, crud.is_some()),
            counted,
            pattern,
            params,
            responses,
            mode: mode(r),
            crud,
            key_template,
        });
    }
    if let Some(data) = env.get("data").and_then(Value::as_array) {
        for (i, b) in data.iter().enumerate() {
            // Built once, at load: templated, then JSON when it parses.
            let t = Template::compile(
                s(b, "value"),
                true,
                &file,
                &format!("/data/{i}/value"),
                diags,
            );
            let raw = t.render_alone(0x5EED ^ i as u64);
            let value =
                serde_json::from_str(&raw).unwrap_or_else(|_| Value::String(raw.to_string()));
            out.buckets.push((
                s(b, "uuid").to_string(),
                s(b, "id").to_string(),
                s(b, "name").to_string(),
                value,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_with_params_wildcards_and_prefixes_match() {
        let (re, params) = pattern("api", "users/:id", false).unwrap();
        assert_eq!(params, vec!["id"]);
        assert!(re.is_match("/api/users/7"));
        assert!(re.is_match("/API/users/7/"));
        assert!(!re.is_match("/api/users/7/x"));
        let (re, _) = pattern("", "files/*", false).unwrap();
        assert!(re.is_match("/files/a/b"));
        let (re, _) = pattern("", "", false).unwrap();
        assert!(re.is_match("/"));
    }

    #[test]
    fn a_header_name_http_cannot_send_is_a_diagnostic_and_left_out() {
        let env = serde_json::json!({
            "uuid": "e", "name": "e", "port": 3000, "endpointPrefix": "",
            "headers": [{"key": "Bad Name", "value": "x"}, {"key": "X-Ok", "value": "y"}],
            "routes": [{
                "uuid": "r", "type": "http", "method": "get", "endpoint": "a",
                "responses": [{"uuid": "s", "statusCode": 200, "body": "",
                    "headers": [{"key": "also bad:", "value": "z"}], "rules": []}]
            }]
        });
        let loaded = load(&env, Path::new("env.json"), &[]);
        let names: Vec<&str> = loaded.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x-ok"]);
        assert!(loaded.routes[0].responses[0].headers.is_empty());
        let said: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
        for (name, at) in [
            ("Bad Name", "/headers/0/key"),
            ("also bad:", "/routes/0/responses/0/headers/0/key"),
        ] {
            assert!(
                said.iter().any(|d| d.contains(name) && d.contains(at)),
                "{name} at {at}: {said:?}"
            );
        }
    }

    #[test]
    fn a_literal_route_matches_what_its_pattern_matches() {
        let paths = [
            "/",
            "//",
            "/plans",
            "/plans/",
            "/PLANS",
            "/Plans//",
            "/plans/x",
            "/plan",
            "/plansx",
            "/api/v1/plans",
            "/API/V1/Plans/",
            "/api/v1/plans/1",
            "",
            "/api",
            "/a.b",
            "/aXb",
        ];
        for (prefix, endpoint) in [
            ("", "plans"),
            ("", ""),
            ("api/v1", "plans"),
            ("/api/", "/v1/plans/"),
            ("", "a.b"),
            ("api", ""),
        ] {
            let lit = literal(prefix, endpoint, false).expect("a literal endpoint");
            let (re, _) = pattern(prefix, endpoint, false).unwrap();
            for path in paths {
                assert_eq!(
                    literal_matches(&lit, path),
                    re.is_match(path),
                    "{prefix:?} {endpoint:?} on {path:?}"
                );
            }
        }
        for (endpoint, crud) in [
            ("users/:id", false),
            ("files/*", false),
            ("(a|b)", false),
            ("users", true),
        ] {
            assert_eq!(literal("", endpoint, crud), None, "{endpoint}");
        }
    }
}
