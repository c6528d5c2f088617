//! Building operations from an OpenAPI document's `paths`.
//!
//! Swagger 2.0 and OpenAPI 3.x meet here: `produces` + `schema` + `examples[mime]`
//! become media types, `in: body` and `formData` become a request body, and 2.0
//! parameter type keywords become a schema. Each operation is built on its own, so a
//! broken one is a diagnostic and the others still load.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use bytes::Bytes;
use http::Method;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, push_pointer};
use crate::model::{
    Example, HeaderDef, MediaDef, Operation, OutboundDef, ParamIn, Parameter, RequestBody,
    RequestMedia, ResponseDef, SecurityAlternative, StatusKey, Version, deref,
};

/// The operations of a document and what was wrong on the way.
pub struct Built {
    /// Operations that loaded, in document order.
    pub operations: Vec<Operation>,
    /// The document-wide security requirement.
    pub security: Option<Vec<SecurityAlternative>>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// `paths` cut down to what the operations point at, to put back in the document
    /// (`None` when `paths` stayed in it: [`Paths::InRoot`]).
    pub paths: Option<Value>,
    /// The 3.1 `webhooks`.
    pub webhooks: Vec<OutboundDef>,
}

/// Where a document's `paths` is.
pub enum Paths<'t> {
    /// In the document, and it stays there whole: something in the document points into it.
    InRoot,
    /// Taken out of the document. Each item is cut down once its operations are built.
    Taken(Value),
    /// Not parsed yet (JSON read member by member). Each item is parsed when its turn
    /// comes, checked for unresolvable references, built and cut down, so the whole
    /// tree never exists at once.
    Raw(&'t RawValue),
}

const METHODS: [(&str, Method); 8] = [
    ("get", Method::GET),
    ("put", Method::PUT),
    ("post", Method::POST),
    ("delete", Method::DELETE),
    ("options", Method::OPTIONS),
    ("head", Method::HEAD),
    ("patch", Method::PATCH),
    ("trace", Method::TRACE),
];

/// What building collects across path items.
struct Acc {
    diagnostics: Vec<Diagnostic>,
    /// Parameter schemas by their JSON text: the same `$select` list or `{type: string}`
    /// repeats across thousands of operations, and each is kept once.
    schemas: HashMap<String, Arc<Value>>,
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    version: Version,
    root: &'a Value,
    /// The path item being built when it is not in `root`: its pointer and value.
    item: Option<(&'a str, &'a Value)>,
    acc: &'a mut Acc,
}

/// What every part of building reads: the file name, its text, version and root.
type Env<'a> = (&'a str, &'a str, Version, &'a Value);

impl<'a> Ctx<'a> {
    fn new(env: Env<'a>, acc: &'a mut Acc, item: Option<(&'a str, &'a Value)>) -> Self {
        let (file, text, version, root) = env;
        Ctx {
            file,
            text,
            version,
            root,
            item,
            acc,
        }
    }
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        let line = crate::locate::line_of(self.text, pointer);
        self.acc
            .diagnostics
            .push(Diagnostic::error(self.file, pointer, message).at_line(line));
    }
    fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        let line = crate::locate::line_of(self.text, pointer);
        self.acc
            .diagnostics
            .push(Diagnostic::warning(self.file, pointer, message).at_line(line));
    }
    /// What a JSON pointer of the document names, the item being built included.
    fn at(&self, pointer: &str) -> Option<&'a Value> {
        if let Some((prefix, item)) = self.item
            && let Some(rest) = pointer.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return item.pointer(rest);
        }
        self.root.pointer(pointer)
    }
    /// The shared copy of a parameter schema.
    fn intern(&mut self, schema: Value) -> Arc<Value> {
        let key = schema.to_string();
        Arc::clone(
            self.acc
                .schemas
                .entry(key)
                .or_insert_with(|| Arc::new(schema)),
        )
    }
}

/// Builds every operation of `root`, whose `paths` is where `paths` says.
pub fn build(file: &str, text: &str, version: Version, root: &Value, paths: Paths<'_>) -> Built {
    let mut acc = Acc {
        diagnostics: Vec::new(),
        schemas: HashMap::new(),
    };
    let security = root.get("security").map(|s| {
        let mut cx = Ctx::new((file, text, version, root), &mut acc, None);
        security(&mut cx, s, "/security")
    });
    let mut operations = Vec::new();
    let mut pruned = None;
    let not_object = |acc: &mut Acc| {
        acc.diagnostics.push(
            Diagnostic::error(file, "/paths", "`paths` must be an object")
                .at_line(crate::locate::line_of(text, "/paths")),
        )
    };
    match paths {
        Paths::InRoot => match root.get("paths") {
            Some(Value::Object(items)) => {
                for (template, item) in items {
                    let item_ptr = push_pointer("/paths", template);
                    let mut cx = Ctx::new((file, text, version, root), &mut acc, None);
                    path_item(&mut cx, template, item, &item_ptr, &mut operations);
                }
            }
            Some(_) => not_object(&mut acc),
            None => {
                if version != Version::OpenApi31 {
                    let line = crate::locate::line_of(text, "");
                    acc.diagnostics.push(
                        Diagnostic::error(file, "", "the document has no `paths`").at_line(line),
                    );
                }
            }
        },
        Paths::Taken(Value::Object(items)) => {
            let items = items.into_iter().map(|(k, v)| (k, Ok(v)));
            let env = (file, text, version, root);
            pruned = Some(build_apart(env, &mut acc, items, false, &mut operations));
        }
        Paths::Taken(_) => not_object(&mut acc),
        Paths::Raw(raw) => match crate::parse::json_members(raw.get()) {
            Some(Ok(members)) => {
                let items = members
                    .0
                    .into_iter()
                    .map(|(k, raw)| (k, crate::parse::parse_member(raw)));
                let env = (file, text, version, root);
                pruned = Some(build_apart(env, &mut acc, items, true, &mut operations));
            }
            _ => not_object(&mut acc),
        },
    }
    let webhooks = match root.get("webhooks") {
        Some(Value::Object(hooks)) => {
            let mut cx = Ctx::new((file, text, version, root), &mut acc, None);
            let mut out = Vec::new();
            for (name, item) in hooks {
                let at = push_pointer("/webhooks", name);
                outbound_item(&mut cx, name, name, item, &at, &mut out);
            }
            out
        }
        Some(_) => {
            acc.diagnostics.push(
                Diagnostic::error(file, "/webhooks", "`webhooks` must be an object")
                    .at_line(crate::locate::line_of(text, "/webhooks")),
            );
            Vec::new()
        }
        None => Vec::new(),
    };
    Built {
        operations,
        security,
        diagnostics: acc.diagnostics,
        paths: pruned,
        webhooks,
    }
}

/// Builds the operations of path items held apart from the document, one at a time,
/// and returns `paths` cut down to what they point at. With `check_refs`, the items'
/// local references are checked here: the document was bundled without them.
fn build_apart(
    (file, text, version, root): Env<'_>,
    acc: &mut Acc,
    items: impl Iterator<Item = (String, Result<Value, crate::parse::ParseError>)>,
    check_refs: bool,
    operations: &mut Vec<Operation>,
) -> Value {
    let mut out = Map::new();
    for (template, item) in items {
        let item_ptr = push_pointer("/paths", &template);
        let mut item = match item {
            Ok(v) => v,
            Err(e) => {
                let line = crate::locate::line_of(text, &item_ptr);
                acc.diagnostics
                    .push(Diagnostic::error(file, &item_ptr, e.message).at_line(line));
                continue;
            }
        };
        if check_refs {
            let broken = super::bundle::unresolved(file, text, root, &item, &item_ptr);
            acc.diagnostics.extend(broken);
        }
        let first = operations.len();
        let mut cx = Ctx::new((file, text, version, root), acc, Some((&item_ptr, &item)));
        path_item(&mut cx, &template, &item, &item_ptr, operations);
        let skeleton = prune(&mut item, &item_ptr, &operations[first..]);
        out.insert(template, skeleton);
    }
    Value::Object(out)
}

fn path_item(
    cx: &mut Ctx<'_>,
    template: &str,
    item: &Value,
    item_ptr: &str,
    operations: &mut Vec<Operation>,
) {
    if template.starts_with("x-") {
        return;
    }
    if !template.starts_with('/') {
        cx.error(
            item_ptr,
            format!("path '{template}' must start with '/'; it is not served"),
        );
        return;
    }
    let (item, item_at) = deref(cx.root, item, item_ptr);
    let Some(item_map) = item.as_object() else {
        cx.error(item_ptr, "a path item must be an object");
        return;
    };
    let path_params = item_map.get("parameters");
    for (name, method) in METHODS.iter() {
        let Some(op) = item_map.get(*name) else {
            continue;
        };
        let op_ptr = push_pointer(&item_at, name);
        if let Some(built) = operation(
            cx,
            template,
            method.clone(),
            op,
            &op_ptr,
            path_params,
            &item_at,
        ) {
            operations.push(built);
        }
    }
}

/// What of a path item the request path reads: the schemas the operations point at, and
/// the `encoding` of request media types. Everything else is moved out and dropped.
fn prune(item: &mut Value, item_ptr: &str, ops: &[Operation]) -> Value {
    let mut keep: Vec<String> = Vec::new();
    for op in ops {
        for r in &op.responses {
            keep.extend(r.media.iter().filter_map(|m| m.schema.clone()));
            keep.extend(r.headers.iter().filter_map(|h| h.schema.clone()));
        }
        for m in op.request_body.iter().flat_map(|b| &b.media) {
            keep.extend(m.schema.clone());
            keep.extend(m.pointer.as_ref().map(|p| push_pointer(p, "encoding")));
        }
        for c in &op.callbacks {
            keep.extend(c.media.iter().filter_map(|m| m.schema.clone()));
            keep.extend(c.headers.iter().filter_map(|h| h.schema.clone()));
        }
    }
    let mut relative: Vec<&str> = keep
        .iter()
        .filter_map(|p| p.strip_prefix(item_ptr))
        .filter(|rest| rest.starts_with('/'))
        .collect();
    // Parents before children, so that a child already inside a kept parent is skipped.
    relative.sort_by_key(|p| p.len());
    relative.dedup();
    let mut out = Value::Object(Map::new());
    let mut kept: Vec<&str> = Vec::new();
    for rel in relative {
        if kept
            .iter()
            .any(|k| rel.strip_prefix(k).is_some_and(|r| r.starts_with('/')))
        {
            continue;
        }
        if graft(&mut out, item, rel) {
            kept.push(rel);
        }
    }
    out
}

/// Moves what `pointer` names in `from` to the same place in `to`, creating the objects
/// and arrays on the way. Whether it was there to move.
fn graft(to: &mut Value, from: &mut Value, pointer: &str) -> bool {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, parents)) = tokens.split_last() else {
        return false;
    };
    let mut src = &mut *from;
    let mut dst = to;
    for token in parents {
        let next = match src {
            Value::Object(m) => m.get_mut(token.as_str()),
            Value::Array(a) => token.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        };
        let Some(next) = next else { return false };
        dst = child(dst, token, next.is_array());
        src = next;
    }
    let taken = match src {
        Value::Object(m) => m.get_mut(last.as_str()).map(Value::take),
        Value::Array(a) => last
            .parse::<usize>()
            .ok()
            .and_then(|i| a.get_mut(i))
            .map(Value::take),
        _ => None,
    };
    let Some(taken) = taken else { return false };
    *child(dst, last, false) = taken;
    true
}

/// The child `token` of `parent` (an object, or an array for a numeric token), created
/// as an array or an object when it is missing.
fn child<'v>(parent: &'v mut Value, token: &str, array: bool) -> &'v mut Value {
    let fresh = || {
        if array {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    };
    if let Value::Array(a) = parent {
        let i = token.parse::<usize>().unwrap_or(a.len());
        if a.len() <= i {
            a.resize(i + 1, Value::Null);
        }
        if a[i].is_null() {
            a[i] = fresh();
        }
        return &mut a[i];
    }
    if !parent.is_object() {
        *parent = Value::Object(Map::new());
    }
    let Value::Object(m) = parent else {
        unreachable!("made an object above")
    };
    m.entry(token.to_string()).or_insert_with(fresh)
}

fn operation(
    cx: &mut Ctx<'_>,
    template: &str,
    method: Method,
    op: &Value,
    op_ptr: &str,
    path_params: Option<&Value>,
    item_ptr: &str,
) -> Option<Operation> {
    let Some(op_map) = op.as_object() else {
        cx.error(op_ptr, "an operation must be an object");
        return None;
    };
    let operation_id = op_map
        .get("operationId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (parameters, body_params) =
        parameters(cx, path_params, item_ptr, op_map.get("parameters"), op_ptr);
    let request_body = match cx.version {
        Version::Swagger2 => swagger_body(cx, op_map, body_params),
        _ => op_map
            .get("requestBody")
            .and_then(|rb| request_body(cx, rb, &push_pointer(op_ptr, "requestBody"))),
    };
    let responses = match op_map.get("responses") {
        Some(Value::Object(map)) => responses(cx, map, op_map, &push_pointer(op_ptr, "responses")),
        Some(_) => {
            cx.error(
                &push_pointer(op_ptr, "responses"),
                "`responses` must be an object",
            );
            Vec::new()
        }
        None => {
            cx.warning(
                op_ptr,
                "the operation declares no `responses`: it answers 200 with an empty body",
            );
            Vec::new()
        }
    };
    let security = op_map
        .get("security")
        .map(|s| security(cx, s, &push_pointer(op_ptr, "security")));
    let callbacks = match (cx.version, op_map.get("callbacks")) {
        (Version::Swagger2, _) | (_, None) => Vec::new(),
        (_, Some(c)) => callbacks(cx, c, &push_pointer(op_ptr, "callbacks")),
    };
    Some(Operation {
        method,
        template: template.to_string(),
        pointer: op_ptr.to_string(),
        operation_id,
        responses,
        parameters,
        request_body,
        security,
        sequence: AtomicUsize::new(0),
        callbacks,
    })
}

/// An operation's `callbacks`: each named callback maps URL expressions to path items,
/// whose operations are the requests standin makes after answering.
fn callbacks(cx: &mut Ctx<'_>, value: &Value, at: &str) -> Vec<OutboundDef> {
    let Some(named) = value.as_object() else {
        cx.error(at, "`callbacks` must be an object keyed by callback name");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, callback) in named {
        let c_ptr = push_pointer(at, name);
        let (callback, c_at) = deref(cx.root, callback, &c_ptr);
        let Some(expressions) = callback.as_object() else {
            cx.error(
                &c_ptr,
                "a callback must be an object keyed by URL expression",
            );
            continue;
        };
        for (url, item) in expressions {
            if url.starts_with("x-") {
                continue;
            }
            let item_ptr = push_pointer(&c_at, url);
            outbound_item(cx, name, url, item, &item_ptr, &mut out);
        }
    }
    out
}

/// The operations of a path item that standin sends (a callback's, a webhook's).
fn outbound_item(
    cx: &mut Ctx<'_>,
    name: &str,
    url: &str,
    item: &Value,
    at: &str,
    out: &mut Vec<OutboundDef>,
) {
    let (item, item_at) = deref(cx.root, item, at);
    let Some(map) = item.as_object() else {
        cx.error(at, "a path item must be an object");
        return;
    };
    for (key, method) in METHODS.iter() {
        let Some(op) = map.get(*key) else { continue };
        let op_ptr = push_pointer(&item_at, key);
        let mut headers = Vec::new();
        let params = map
            .get("parameters")
            .into_iter()
            .chain(op.get("parameters"));
        for (pi, list) in params.enumerate() {
            let list_ptr = if pi == 0 && map.contains_key("parameters") {
                push_pointer(&item_at, "parameters")
            } else {
                push_pointer(&op_ptr, "parameters")
            };
            for (i, p) in list.as_array().into_iter().flatten().enumerate() {
                let (p, p_at) = deref(cx.root, p, &push_pointer(&list_ptr, &i.to_string()));
                if p.get("in").and_then(Value::as_str) != Some("header") {
                    continue;
                }
                let Some(pname) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let example = header_example(cx.root, p);
                headers.retain(|h: &HeaderDef| !h.name.eq_ignore_ascii_case(pname));
                headers.push(HeaderDef {
                    name: pname.to_string(),
                    example,
                    schema: p.get("schema").map(|_| push_pointer(&p_at, "schema")),
                    required: p.get("required").and_then(Value::as_bool) == Some(true),
                });
            }
        }
        let media = match op.get("requestBody") {
            Some(rb) => {
                let rb_ptr = push_pointer(&op_ptr, "requestBody");
                let (rb, rb_at) = deref(cx.root, rb, &rb_ptr);
                oas3_media(cx, rb, &rb_at)
            }
            None => Vec::new(),
        };
        out.push(OutboundDef {
            name: name.to_string(),
            url: url.to_string(),
            method: method.clone(),
            pointer: op_ptr,
            headers,
            media,
        });
    }
}

fn security(cx: &mut Ctx<'_>, value: &Value, pointer: &str) -> Vec<SecurityAlternative> {
    let Some(list) = value.as_array() else {
        cx.error(
            pointer,
            "`security` must be an array of requirement objects",
        );
        return Vec::new();
    };
    list.iter()
        .filter_map(|req| req.as_object())
        .map(|req| SecurityAlternative {
            schemes: req.keys().cloned().collect(),
        })
        .collect()
}

/// Parameters of an operation (path-level overridden by operation-level), and the
/// Swagger 2.0 body/formData parameters separately.
fn parameters(
    cx: &mut Ctx<'_>,
    path_level: Option<&Value>,
    item_ptr: &str,
    op_level: Option<&Value>,
    op_ptr: &str,
) -> (Vec<Parameter>, Vec<(Value, String)>) {
    let mut out: Vec<Parameter> = Vec::new();
    let mut body: Vec<(Value, String)> = Vec::new();
    let lists = [
        (path_level, push_pointer(item_ptr, "parameters")),
        (op_level, push_pointer(op_ptr, "parameters")),
    ];
    for (list, list_ptr) in lists {
        let Some(list) = list else { continue };
        let Some(items) = list.as_array() else {
            cx.error(&list_ptr, "`parameters` must be an array");
            continue;
        };
        for (i, raw) in items.iter().enumerate() {
            let ptr = push_pointer(&list_ptr, &i.to_string());
            let (p, at) = deref(cx.root, raw, &ptr);
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                cx.error(&ptr, "a parameter needs a `name`");
                continue;
            };
            let location = match p.get("in").and_then(Value::as_str) {
                Some("path") => ParamIn::Path,
                Some("query") => ParamIn::Query,
                Some("header") => ParamIn::Header,
                Some("cookie") => ParamIn::Cookie,
                Some("body") | Some("formData") if cx.version == Version::Swagger2 => {
                    body.retain(|(b, _)| b.get("name").and_then(Value::as_str) != Some(name));
                    body.push((p.clone(), at));
                    continue;
                }
                other => {
                    cx.error(
                        &ptr,
                        format!(
                            "parameter '{name}' has an unknown location {:?}",
                            other.unwrap_or("(none)")
                        ),
                    );
                    continue;
                }
            };
            // OpenAPI 3: header parameters named Accept, Content-Type or Authorization
            // "SHALL be ignored"; content negotiation and security cover them.
            if location == ParamIn::Header
                && cx.version != Version::Swagger2
                && crate::model::ignored_header(name)
            {
                continue;
            }
            let param = parameter(cx, p, &at, name, location);
            out.retain(|q| !(q.name == param.name && q.location == param.location));
            out.push(param);
        }
    }
    (out, body)
}

fn parameter(cx: &mut Ctx<'_>, p: &Value, at: &str, name: &str, location: ParamIn) -> Parameter {
    let required =
        location == ParamIn::Path || p.get("required").and_then(Value::as_bool).unwrap_or(false);
    let default_style = match location {
        ParamIn::Path | ParamIn::Header => "simple",
        ParamIn::Query | ParamIn::Cookie => "form",
    };
    let style = p
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(default_style)
        .to_string();
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let schema = match cx.version {
        Version::Swagger2 => Some(swagger_param_schema(p)),
        _ => p.get("schema").cloned().or_else(|| {
            p.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.values().next())
                .and_then(|m| m.get("schema"))
                .cloned()
        }),
    }
    .map(|s| cx.intern(s));
    let json_content = p.get("content").is_some() && p.get("schema").is_none();
    Parameter {
        name: name.to_string(),
        location,
        required,
        schema,
        json_content,
        style,
        explode,
        collection_format: p
            .get("collectionFormat")
            .and_then(Value::as_str)
            .map(str::to_string),
        allow_empty_value: p
            .get("allowEmptyValue")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        pointer: at.to_string(),
    }
}

/// The schema keywords of a Swagger 2.0 non-body parameter (or header, or items).
fn swagger_param_schema(p: &Value) -> Value {
    const KEYS: [&str; 17] = [
        "type",
        "format",
        "enum",
        "default",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
        "x-nullable",
        "example",
    ];
    let mut out = Map::new();
    for k in KEYS {
        if let Some(v) = p.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    if out.get("type").and_then(Value::as_str) == Some("file") {
        out.insert("type".into(), json!("string"));
        out.insert("format".into(), json!("binary"));
    }
    if let Some(items) = p.get("items") {
        out.insert("items".into(), swagger_param_schema(items));
    }
    Value::Object(out)
}

fn swagger_body(
    cx: &mut Ctx<'_>,
    op: &Map<String, Value>,
    body_params: Vec<(Value, String)>,
) -> Option<RequestBody> {
    if body_params.is_empty() {
        return None;
    }
    let consumes: Vec<String> = op
        .get("consumes")
        .or_else(|| cx.root.get("consumes"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .filter(|v: &Vec<String>| !v.is_empty())
        .unwrap_or_default();
    if let Some((p, at)) = body_params
        .iter()
        .find(|(p, _)| p.get("in").and_then(Value::as_str) == Some("body"))
    {
        let media_types = if consumes.is_empty() {
            vec!["application/json".to_string()]
        } else {
            consumes
        };
        let schema = p.get("schema").map(|_| push_pointer(at, "schema"));
        return Some(RequestBody {
            required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
            media: media_types
                .into_iter()
                .map(|mt| RequestMedia {
                    media_type: mt,
                    schema: schema.clone(),
                    inline_schema: None,
                    pointer: None,
                })
                .collect(),
        });
    }
    // formData: an object schema with one property per parameter.
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut has_file = false;
    for (p, _) in &body_params {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        if p.get("type").and_then(Value::as_str) == Some("file") {
            has_file = true;
        }
        let mut field = swagger_param_schema(p);
        // `allowEmptyValue`: the field may also be sent empty; set to `false`, a text
        // field may not (Prism's `minLength: 1`).
        match p.get("allowEmptyValue").and_then(Value::as_bool) {
            Some(true) => field = json!({"anyOf": [field, {"type": "string", "maxLength": 0}]}),
            Some(false) if field.get("minLength").and_then(Value::as_u64).unwrap_or(0) == 0 => {
                field["minLength"] = json!(1);
            }
            _ => {}
        }
        properties.insert(name.to_string(), field);
        if p.get("required").and_then(Value::as_bool).unwrap_or(false) {
            required.push(Value::String(name.to_string()));
        }
    }
    let schema = json!({"type": "object", "properties": properties, "required": required});
    let mut media_types: Vec<String> = consumes
        .into_iter()
        .filter(|m| {
            m.starts_with("multipart/form-data")
                || m.starts_with("application/x-www-form-urlencoded")
        })
        .collect();
    if media_types.is_empty() {
        media_types.push(if has_file {
            "multipart/form-data".into()
        } else {
            "application/x-www-form-urlencoded".into()
        });
    }
    Some(RequestBody {
        required: !required.is_empty(),
        media: media_types
            .into_iter()
            .map(|mt| RequestMedia {
                media_type: mt,
                schema: None,
                inline_schema: Some(schema.clone()),
                pointer: None,
            })
            .collect(),
    })
}

fn request_body(cx: &mut Ctx<'_>, rb: &Value, ptr: &str) -> Option<RequestBody> {
    let (rb, at) = deref(cx.root, rb, ptr);
    let Some(content) = rb.get("content").and_then(Value::as_object) else {
        cx.warning(&at, "a requestBody without `content` accepts any body");
        return None;
    };
    let content_ptr = push_pointer(&at, "content");
    Some(RequestBody {
        required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
        media: content
            .iter()
            .map(|(mt, m)| {
                let m_ptr = push_pointer(&content_ptr, mt);
                RequestMedia {
                    media_type: mt.clone(),
                    schema: m.get("schema").map(|_| push_pointer(&m_ptr, "schema")),
                    inline_schema: None,
                    pointer: Some(m_ptr),
                }
            })
            .collect(),
    })
}

fn responses(
    cx: &mut Ctx<'_>,
    map: &Map<String, Value>,
    op: &Map<String, Value>,
    ptr: &str,
) -> Vec<ResponseDef> {
    let mut out = Vec::new();
    for (key, raw) in map {
        if key.starts_with("x-") {
            continue;
        }
        let r_ptr = push_pointer(ptr, key);
        let Some(status) = StatusKey::parse(key) else {
            cx.error(&r_ptr, format!("'{key}' is not a response status: expected a code from 100 to 599, a range such as 4XX, or `default`"));
            continue;
        };
        let (resp, at) = deref(cx.root, raw, &r_ptr);
        if !resp.is_object() {
            cx.error(&r_ptr, "a response must be an object");
            continue;
        }
        let (media, headers) = match cx.version {
            Version::Swagger2 => swagger_response(cx, resp, &at, op),
            _ => (oas3_media(cx, resp, &at), oas3_headers(cx, resp, &at)),
        };
        out.push(ResponseDef {
            key: status,
            pointer: at,
            media,
            headers,
        });
    }
    out
}

fn swagger_response(
    cx: &mut Ctx<'_>,
    resp: &Value,
    at: &str,
    op: &Map<String, Value>,
) -> (Vec<MediaDef>, Vec<HeaderDef>) {
    let produces: Vec<String> = op
        .get("produces")
        .or_else(|| cx.root.get("produces"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let examples = resp.get("examples").and_then(Value::as_object);
    let schema = resp.get("schema").map(|_| push_pointer(at, "schema"));
    let mut media = Vec::new();
    if schema.is_some() || examples.is_some_and(|e| !e.is_empty()) {
        let mut types = if produces.is_empty() {
            vec!["application/json".to_string()]
        } else {
            produces
        };
        // An example for a type `produces` does not list is still worth serving.
        if let Some(ex) = examples {
            for mt in ex.keys() {
                if !types.iter().any(|t| t.eq_ignore_ascii_case(mt)) {
                    types.push(mt.clone());
                }
            }
        }
        for mt in types {
            let mut list = Vec::new();
            if let Some(value) = examples.and_then(|e| e.get(&mt)) {
                list.push(example(cx, &mt, &mt, value.clone(), schema.as_deref(), at));
            }
            let schema_example = schema_example(cx, schema.as_deref(), &mt, at);
            media.push(MediaDef {
                content_type: http::HeaderValue::from_str(&mt).ok(),
                media_type: mt,
                schema: schema.clone(),
                examples: list,
                schema_example,
            });
        }
    }
    let mut headers = Vec::new();
    if let Some(h) = resp.get("headers").and_then(Value::as_object) {
        let h_ptr = push_pointer(at, "headers");
        for (name, def) in h {
            let d_ptr = push_pointer(&h_ptr, name);
            let (def, def_at) = deref(cx.root, def, &d_ptr);
            let example = def
                .get("x-example")
                .or_else(|| def.get("example"))
                .or_else(|| def.get("default"))
                .map(crate::render::header_text);
            headers.push(HeaderDef {
                name: name.clone(),
                example,
                schema: Some(def_at),
                required: false,
            });
        }
    }
    (media, headers)
}

fn oas3_media(cx: &mut Ctx<'_>, resp: &Value, at: &str) -> Vec<MediaDef> {
    let Some(content) = resp.get("content") else {
        return Vec::new();
    };
    let content_ptr = push_pointer(at, "content");
    let Some(content) = content.as_object() else {
        cx.error(
            &content_ptr,
            "`content` must be an object keyed by media type",
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (mt, m) in content {
        let m_ptr = push_pointer(&content_ptr, mt);
        let schema = m.get("schema").map(|_| push_pointer(&m_ptr, "schema"));
        let mut list = Vec::new();
        if let Some(value) = m.get("example") {
            list.push(example(
                cx,
                "example",
                mt,
                value.clone(),
                schema.as_deref(),
                &m_ptr,
            ));
        }
        if let Some(examples) = m.get("examples") {
            let ex_ptr = push_pointer(&m_ptr, "examples");
            match examples.as_object() {
                Some(map) => {
                    for (name, raw) in map {
                        let e_ptr = push_pointer(&ex_ptr, name);
                        let (ex, _) = deref(cx.root, raw, &e_ptr);
                        match ex.get("value") {
                            Some(v) => list.push(example(cx, name, mt, v.clone(), schema.as_deref(), &e_ptr)),
                            None if ex.get("externalValue").is_some() => cx.warning(
                                &e_ptr,
                                format!("example '{name}' uses externalValue, which is not fetched; it is skipped"),
                            ),
                            None => cx.warning(&e_ptr, format!("example '{name}' has no `value`; it is skipped")),
                        }
                    }
                }
                None => cx.error(
                    &ex_ptr,
                    "`examples` must be an object keyed by example name",
                ),
            }
        }
        let schema_example = if list.is_empty() {
            schema_example(cx, schema.as_deref(), mt, &m_ptr)
        } else {
            None
        };
        out.push(MediaDef {
            media_type: mt.clone(),
            content_type: http::HeaderValue::from_str(mt).ok(),
            schema,
            examples: list,
            schema_example,
        });
    }
    out
}

/// The example text of a header (a response header or a header parameter): its
/// `example`, its first `examples` value, or its schema's `example` or `default`.
fn header_example(root: &Value, def: &Value) -> Option<String> {
    let schema = def.get("schema").map(|s| deref(root, s, "").0);
    def.get("example")
        .or_else(|| {
            def.get("examples")
                .and_then(Value::as_object)
                .and_then(|m| m.values().next())
                .map(|e| deref(root, e, "").0)
                .and_then(|e| e.get("value"))
        })
        .or_else(|| schema.and_then(|s| s.get("example").or_else(|| s.get("default"))))
        .map(crate::render::header_text)
}

fn oas3_headers(cx: &mut Ctx<'_>, resp: &Value, at: &str) -> Vec<HeaderDef> {
    let Some(h) = resp.get("headers").and_then(Value::as_object) else {
        return Vec::new();
    };
    let h_ptr = push_pointer(at, "headers");
    let mut out = Vec::new();
    for (name, def) in h {
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let d_ptr = push_pointer(&h_ptr, name);
        let (def, def_at) = deref(cx.root, def, &d_ptr);
        let schema_ptr = def.get("schema").map(|_| push_pointer(&def_at, "schema"));
        let example = header_example(cx.root, def);
        out.push(HeaderDef {
            name: name.clone(),
            example,
            schema: schema_ptr,
            required: def.get("required").and_then(Value::as_bool) == Some(true),
        });
    }
    out
}

/// An example ready to send. Non-JSON media types with a string example send the string
/// as it is: it is the serialised form already (an XML or CSV document).
fn example(
    cx: &mut Ctx<'_>,
    name: &str,
    media_type: &str,
    value: Value,
    schema: Option<&str>,
    at: &str,
) -> Example {
    let body = render_example(cx, media_type, &value, schema, at);
    Example {
        name: name.to_string(),
        value,
        body,
    }
}

fn render_example(
    cx: &mut Ctx<'_>,
    media_type: &str,
    value: &Value,
    schema: Option<&str>,
    at: &str,
) -> Bytes {
    if let Value::String(s) = value
        && !crate::wire::is_json(media_type)
    {
        return Bytes::from(s.clone());
    }
    let schema_value = schema.and_then(|p| cx.at(p));
    match crate::render::render(value, media_type, schema_value, cx.root) {
        Ok(b) => b,
        Err(e) => {
            cx.warning(
                at,
                format!("the example cannot be written as {media_type} ({e}); it is sent as JSON"),
            );
            Bytes::from(serde_json::to_vec(value).unwrap_or_default())
        }
    }
}

/// The schema's own example (`example`, 3.1 `examples[0]`, or `default`).
fn schema_example(
    cx: &mut Ctx<'_>,
    schema: Option<&str>,
    media_type: &str,
    at: &str,
) -> Option<Example> {
    let ptr = schema?;
    let (s, _) = deref(cx.root, cx.at(ptr)?, ptr);
    let value = s
        .get("example")
        .or_else(|| {
            s.get("examples")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
        })
        .or_else(|| s.get("default"))?
        .clone();
    Some(example(cx, "schema", media_type, value, Some(ptr), at))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use crate::source::{self, MemoryFiles};

    fn load(name: &str, text: &str) -> source::Loaded {
        let mut files = MemoryFiles::new();
        files.insert(name, text);
        source::load(&files, Path::new(name))
    }

    const PETS: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/pets/{id}": {
      "description": "a pet",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "get": {
        "summary": "get it",
        "parameters": [{"name": "fields", "in": "query", "schema": {"type": "array", "items": {"enum": ["a", "b"]}}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}}}
      },
      "post": {
        "parameters": [{"name": "fields", "in": "query", "schema": {"type": "array", "items": {"enum": ["a", "b"]}}}],
        "requestBody": {"content": {"multipart/form-data": {
          "schema": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}},
          "encoding": {"tags": {"style": "form", "explode": false}}
        }}},
        "responses": {"204": {"description": "done"}}
      }
    }
  }
}"#;

    const HOOKS: &str = r#"{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/subscribe": {
      "post": {
        "responses": {"201": {"description": "ok"}},
        "callbacks": {
          "event": {
            "{$request.body#/url}": {
              "post": {
                "parameters": [{"name": "X-Kind", "in": "header", "schema": {"type": "string", "enum": ["ping"]}}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "ok"}}
              }
            }
          },
          "broken": 7
        }
      }
    }
  },
  "webhooks": {
    "ping": {"post": {"requestBody": {"content": {"text/plain": {"example": "hello"}}}, "responses": {"200": {"description": "ok"}}}}
  }
}"#;

    #[test]
    fn callbacks_and_webhooks_are_built_and_their_schemas_kept() {
        let yaml = serde_saphyr::to_string(&crate::parse::parse_document(HOOKS).unwrap()).unwrap();
        for (name, text) in [("hooks.json", HOOKS), ("hooks.yaml", yaml.as_str())] {
            let loaded = load(name, text);
            // The callback that is not an object is reported where it is.
            let broken: Vec<_> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.pointer.ends_with("/callbacks/broken"))
                .collect();
            assert_eq!(broken.len(), 1, "{name}: {:?}", loaded.diagnostics);
            let doc = loaded.document.unwrap();
            let callbacks = &doc.operations[0].callbacks;
            assert_eq!(callbacks.len(), 1);
            let cb = &callbacks[0];
            assert_eq!(
                (cb.name.as_str(), cb.url.as_str()),
                ("event", "{$request.body#/url}")
            );
            assert_eq!(cb.method, http::Method::POST);
            assert_eq!(cb.headers[0].name, "X-Kind");
            // Paths are cut down, but the callback's schemas are still there.
            let body_schema = cb.media[0].schema.as_deref().unwrap();
            assert!(
                doc.root.pointer(body_schema).is_some(),
                "{name}: {body_schema}"
            );
            let header_schema = cb.headers[0].schema.as_deref().unwrap();
            assert!(
                doc.root.pointer(header_schema).is_some(),
                "{name}: {header_schema}"
            );
            assert_eq!(doc.webhooks.len(), 1);
            assert_eq!(doc.webhooks[0].name, "ping");
            assert_eq!(&doc.webhooks[0].media[0].examples[0].body[..], b"hello");
        }
    }

    #[test]
    fn path_items_are_cut_down_to_what_operations_point_at() {
        // The JSON text is read item by item; the same document as YAML is parsed whole
        // and then cut down the same way.
        let yaml = serde_saphyr::to_string(&crate::parse::parse_document(PETS).unwrap()).unwrap();
        for (name, text) in [("pets.json", PETS), ("pets.yaml", yaml.as_str())] {
            let loaded = load(name, text);
            assert!(
                loaded.diagnostics.is_empty(),
                "{name}: {:?}",
                loaded.diagnostics
            );
            let doc = loaded.document.unwrap();
            assert_eq!(doc.operations.len(), 2);
            let item = &doc.root["paths"]["/pets/{id}"];
            assert_eq!(
                *item,
                json!({
                    "get": {"responses": {"200": {"content": {"application/json": {"schema":
                        {"type": "object", "properties": {"id": {"type": "integer"}}}}}}}},
                    "post": {"requestBody": {"content": {"multipart/form-data": {
                        "encoding": {"tags": {"style": "form", "explode": false}},
                        "schema": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}
                    }}}}
                }),
                "{name}"
            );
            for op in &doc.operations {
                for m in op.responses.iter().flat_map(|r| &r.media) {
                    assert!(doc.root.pointer(m.schema.as_deref().unwrap()).is_some());
                }
            }
            // The path-level parameter is merged into both operations, and the query
            // parameter's schema, written twice, is kept once.
            let (get, post) = (&doc.operations[0], &doc.operations[1]);
            assert_eq!(get.parameters[0].name, "id");
            let (a, b) = (
                get.parameters[1].schema.as_ref(),
                post.parameters[1].schema.as_ref(),
            );
            assert!(std::sync::Arc::ptr_eq(a.unwrap(), b.unwrap()));
        }
    }

    #[test]
    fn a_reference_into_paths_keeps_them_whole() {
        let text = PETS.replace(
            r#""parameters": [{"name": "fields", "in": "query", "schema": {"type": "array", "items": {"enum": ["a", "b"]}}}],
        "requestBody""#,
            r##""parameters": [{"$ref": "#/paths/~1pets~1{id}/get/parameters/0"}],
        "requestBody""##,
        );
        assert!(text.contains("#/paths/"));
        let loaded = load("pets.json", &text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let doc = loaded.document.unwrap();
        assert_eq!(doc.root["paths"]["/pets/{id}"]["description"], "a pet");
        assert_eq!(doc.operations[1].parameters[1].name, "fields");
    }

    #[test]
    fn unresolved_references_in_path_items_read_one_by_one_have_a_line() {
        let text = PETS.replace(
            r#"{"type": "object", "properties": {"id": {"type": "integer"}}}"#,
            r##"{"$ref": "#/components/schemas/Missing"}"##,
        );
        let loaded = load("pets.json", &text);
        let d = &loaded.diagnostics[0];
        assert_eq!(
            d.pointer,
            "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema"
        );
        assert_eq!(d.line, Some(11));
        assert!(
            d.message.contains("#/components/schemas/Missing"),
            "{}",
            d.message
        );
    }

    #[test]
    fn external_references_in_json_paths_are_bundled() {
        let mut files = MemoryFiles::new();
        files.insert(
            "api/root.json",
            r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"$ref": "items/a.json"}}}"#,
        );
        files.insert(
            "api/items/a.json",
            r#"{"get": {"responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"type": "string"}}}}}}}"#,
        );
        let loaded = source::load(&files, Path::new("api/root.json"));
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.files.len(), 2);
        let doc = loaded.document.unwrap();
        let schema = doc.operations[0].responses[0].media[0]
            .schema
            .as_deref()
            .unwrap();
        assert_eq!(doc.root.pointer(schema), Some(&json!({"type": "string"})));
    }

    #[test]
    fn swagger2_body_schemas_keep_their_place_in_the_parameter_list() {
        let text = r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"post": {
                "parameters": [
                    {"name": "q", "in": "query", "type": "string"},
                    {"name": "body", "in": "body", "schema": {"type": "object", "required": ["n"]}}
                ],
                "responses": {"200": {"description": "ok", "schema": {"type": "integer"}}}}}}}"#;
        let loaded = load("s.json", text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let doc = loaded.document.unwrap();
        let body = doc.operations[0].request_body.as_ref().unwrap();
        let ptr = body.media[0].schema.as_deref().unwrap();
        assert_eq!(ptr, "/paths/~1a/post/parameters/1/schema");
        assert_eq!(
            doc.root.pointer(ptr),
            Some(&json!({"type": "object", "required": ["n"]}))
        );
        assert_eq!(
            doc.root.pointer("/paths/~1a/post/parameters/0"),
            Some(&json!(null))
        );
    }
}
