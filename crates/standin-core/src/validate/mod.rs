//! Request validation and security: is this request one the real API would accept?
//!
//! Validators are compiled once per operation ([`Compiled::build`]): eagerly at load for
//! documents of ordinary size, so that a schema the validator refuses is a load
//! diagnostic, and on the operation's first request for very large documents (Microsoft
//! Graph has thousands of operations: compiling them all would cost seconds of start-up
//! for operations most mocks never serve). Either way a request never compiles anything
//! that was compiled before. [`check`] runs the validators on a request and says whether
//! to pass it, pass it with a warning, or reject it with the answer the real service
//! would give; every violation of a request is reported at once.
//!
//! Submodules: [`schema`] (OpenAPI schemas → JSON Schema validators), [`params`]
//! (parameter styles), [`body`] (content types, JSON, forms, multipart), [`security`]
//! (credentials), [`answer`] (the error reply).

mod answer;
pub(crate) mod body;

pub use body::{Malformed, Part, multipart};
pub(crate) mod params;
pub mod response;
mod schema;
mod security;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use http::header::{self, HeaderName, HeaderValue};
use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::directives::Directives;
use crate::exchange::{Reply, Request};
use crate::model::{Document, Version};
use crate::model::{Operation, ParamIn};
use crate::settings::{MockSettings, ValidateMode};
use crate::wire;
use schema::{OpSchemas, Rewriter, Shape};

/// Documents with at most this many operations are compiled at load; larger ones
/// operation by operation, on first use.
const EAGER_LIMIT: usize = 400;

/// At most this many violations are listed for one request.
const MAX_VIOLATIONS: usize = 50;

/// Validators compiled at load, for every operation of every document.
#[derive(Debug, Default)]
pub struct Compiled {
    docs: Vec<DocValidators>,
}

#[derive(Debug, Default)]
struct DocValidators {
    schemes: security::Schemes,
    ops: Vec<OnceLock<OpValidators>>,
    cache: Cache,
    /// Response schemas compiled on first use, by pointer (see [`response`]).
    responses: response::Cache,
}

/// The compiled checks of one operation.
#[derive(Debug)]
struct OpValidators {
    /// One per `Operation::parameters` entry.
    params: Vec<ParamCheck>,
    /// One per accepted request media type.
    bodies: Vec<BodyCheck>,
    /// Schema keywords that had to be left out, for diagnostics.
    notes: Vec<String>,
}

/// A compiled schema: its validator (`None` when it could not be compiled) and shape.
/// Operations whose schemas are the same share one (Microsoft Graph has thousands of
/// operations over a few hundred schemas).
#[derive(Debug, Default)]
struct Entry {
    validator: Option<Validator>,
    shape: Shape,
}

/// Compiled schemas of one document, by their rewritten text.
type Cache = Mutex<HashMap<String, Arc<Entry>>>;

#[derive(Debug)]
struct ParamCheck {
    entry: Arc<Entry>,
    /// Defined with `content` (a JSON-encoded value) rather than `schema`.
    json_content: bool,
}

/// A declared body is chosen by its media type's essence.
impl AsRef<str> for BodyCheck {
    fn as_ref(&self) -> &str {
        &self.essence
    }
}

#[derive(Debug)]
struct BodyCheck {
    media_type: String,
    essence: String,
    kind: body::Kind,
    entry: Arc<Entry>,
    encodings: Vec<(String, body::Encoding)>,
}

impl Compiled {
    /// Compiles the validators of every operation; problems become diagnostics.
    pub fn build(
        documents: &[Document],
        settings: &MockSettings,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Compiled {
        let mut docs = Vec::with_capacity(documents.len());
        for doc in documents {
            let schemes = security::Schemes::read(&doc.root);
            undefined_schemes(doc, &schemes, diagnostics);
            let cache = Cache::default();
            let ops: Vec<OnceLock<OpValidators>> =
                doc.operations.iter().map(|_| OnceLock::new()).collect();
            if settings.validate != ValidateMode::Off && doc.operations.len() <= EAGER_LIMIT {
                for (op, cell) in doc.operations.iter().zip(&ops) {
                    let compiled = cell.get_or_init(|| compile(doc, op, &cache));
                    for note in &compiled.notes {
                        diagnostics.push(Diagnostic::warning(&doc.file, &op.pointer, note));
                    }
                }
            }
            docs.push(DocValidators {
                schemes,
                ops,
                cache,
                responses: Default::default(),
            });
        }
        Compiled { docs }
    }
}

/// Warns about security requirements naming schemes the document does not define.
fn undefined_schemes(doc: &Document, schemes: &security::Schemes, out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<&str> = Vec::new();
    let doc_level = doc
        .security
        .iter()
        .flatten()
        .map(|a| ("/security".to_string(), a));
    let op_level = doc.operations.iter().flat_map(|op| {
        op.security
            .iter()
            .flatten()
            .map(move |a| (format!("{}/security", op.pointer), a))
    });
    for (at, alt) in doc_level.chain(op_level) {
        for name in &alt.schemes {
            if schemes.get(name).is_none() && !reported.contains(&name.as_str()) {
                reported.push(name);
                out.push(Diagnostic::warning(
                    &doc.file,
                    &at,
                    format!(
                        "security scheme '{name}' is not defined; requests are not checked for it"
                    ),
                ));
            }
        }
    }
}

/// Compiles the checks of one operation, reusing what the document's other operations
/// compiled already.
fn compile(doc: &Document, op: &Operation, cache: &Cache) -> OpValidators {
    let dialect = doc.version.dialect();
    let mut rw = Rewriter::new(&doc.root, dialect);
    let param_schemas: Vec<Option<Value>> = op
        .parameters
        .iter()
        .map(|p| p.schema.as_ref().map(|s| rw.schema(s)))
        .collect();
    let media = op
        .request_body
        .as_ref()
        .map(|b| b.media.as_slice())
        .unwrap_or_default();
    let body_schemas: Vec<Option<Value>> = media
        .iter()
        .map(|m| {
            let raw = match &m.schema {
                Some(ptr) => crate::pointer::get(&doc.root, ptr),
                None => m.inline_schema.as_ref(),
            };
            // Bodies that are not parsed need no validator.
            let parsed = body::kind_of(&wire::essence(&m.media_type)) != body::Kind::Opaque;
            raw.filter(|_| parsed).map(|s| rw.schema(s))
        })
        .collect();
    let keyed: Vec<Option<(String, Value)>> = param_schemas
        .into_iter()
        .chain(body_schemas)
        .map(|s| s.map(|s| (s.to_string(), s)))
        .collect();
    let mut found: HashMap<String, Arc<Entry>> = HashMap::new();
    {
        let map = cache.lock().unwrap_or_else(|e| e.into_inner());
        for (key, _) in keyed.iter().flatten() {
            if let Some(e) = map.get(key) {
                found.insert(key.clone(), Arc::clone(e));
            }
        }
    }
    let mut notes = Vec::new();
    if keyed.iter().flatten().any(|(k, _)| !found.contains_key(k)) {
        // Only now copy what the references reach: often everything is cached.
        let mut schemas = OpSchemas::new(schema::draft_of(dialect), rw.finish());
        for (key, s) in keyed.iter().flatten() {
            if found.contains_key(key) {
                continue;
            }
            let shape = Shape::of(s, schemas.doc());
            let validator = schemas.compile(s.clone());
            found.insert(key.clone(), Arc::new(Entry { validator, shape }));
        }
        notes = std::mem::take(&mut schemas.notes);
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        for (k, e) in &found {
            map.entry(k.clone()).or_insert_with(|| Arc::clone(e));
        }
    }
    let empty = Arc::new(Entry::default());
    let mut entries = keyed.into_iter().map(|k| match k {
        Some((key, _)) => found
            .get(&key)
            .cloned()
            .unwrap_or_else(|| Arc::clone(&empty)),
        None => Arc::clone(&empty),
    });
    let params = op
        .parameters
        .iter()
        .map(|p| ParamCheck {
            entry: entries.next().unwrap_or_else(|| Arc::clone(&empty)),
            json_content: p.json_content,
        })
        .collect();
    let bodies = media
        .iter()
        .map(|m| {
            let essence = wire::essence(&m.media_type);
            BodyCheck {
                media_type: m.media_type.clone(),
                kind: body::kind_of(&essence),
                essence: essence.into_owned(),
                entry: entries.next().unwrap_or_else(|| Arc::clone(&empty)),
                encodings: encodings(doc, m.pointer.as_deref()),
            }
        })
        .collect();
    OpValidators {
        params,
        bodies,
        notes,
    }
}

fn encodings(doc: &Document, media_ptr: Option<&str>) -> Vec<(String, body::Encoding)> {
    let Some(map) = media_ptr
        .and_then(|p| crate::pointer::get(&doc.root, p))
        .and_then(|m| m.get("encoding"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, e)| {
            let e = crate::model::deref(&doc.root, e, "").0;
            (
                name.clone(),
                body::Encoding {
                    content_type: e
                        .get("contentType")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    style: e.get("style").and_then(Value::as_str).map(str::to_string),
                    explode: e.get("explode").and_then(Value::as_bool),
                    allow_reserved: e
                        .get("allowReserved")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                },
            )
        })
        .collect()
}

/// What kind of failure a violation is; it decides the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Credentials missing or malformed: 401.
    Unauthorized,
    /// Credentials well-formed but not accepted: 403.
    Forbidden,
    /// A content type the operation does not accept: 415.
    MediaType,
    /// A body that cannot be parsed: 400.
    Malformed,
    /// Anything the schemas reject: 422 (or 400).
    Invalid,
}

/// One thing wrong with a request.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    /// Where: `["query", "limit"]`, `["body", "pet", "name"]`.
    pub location: Vec<String>,
    /// The rule broken: a JSON Schema keyword, or `required`, `content-type`, `syntax`,
    /// `security`, `credential`.
    pub rule: String,
    /// A sentence a person understands.
    pub message: String,
    /// What kind of failure it is.
    pub class: Class,
}

/// What validation decided.
#[derive(Debug)]
pub enum Verdict {
    /// The request is fine (or validation is off).
    Pass,
    /// Serve normally, adding these headers; the string lists the violations for the
    /// log, the values are the violations as Prism lists them (see [`response::entry`]).
    Warn(Vec<(HeaderName, HeaderValue)>, String, Vec<Value>),
    /// Answer with this instead.
    Reject(Box<Reply>),
}

/// Checks a request against its operation. `doc_index`/`op_index` locate the compiled
/// validators; `params` are the decoded path parameters.
#[allow(clippy::too_many_arguments)]
pub fn check(
    compiled: &Compiled,
    settings: &MockSettings,
    doc_index: usize,
    doc: &Document,
    op_index: usize,
    op: &Operation,
    req: &Request<'_>,
    params: &[(String, String)],
    directives: &Directives,
    parsed: Option<&mut Option<Value>>,
) -> Verdict {
    // The engine already skips validation for forced statuses and `Prefer:
    // validate=false`; `validate=true` does not override `--validate off`.
    let _ = directives;
    if settings.validate == ValidateMode::Off {
        return Verdict::Pass;
    }
    let Some(dv) = compiled.docs.get(doc_index) else {
        return Verdict::Pass;
    };
    let Some(cell) = dv.ops.get(op_index) else {
        return Verdict::Pass;
    };
    let ov = cell.get_or_init(|| compile(doc, op, &dv.cache));
    let query = wire::form_pairs_borrowed(req.query);
    let cookies = params::cookie_pairs(req.headers);
    let mut violations = Vec::new();
    let mut challenges = Vec::new();

    if let Some(alts) = op.security.as_ref().or(doc.security.as_ref()) {
        let presented = security::Presented {
            headers: req.headers,
            query: &query,
            cookies: &cookies,
            accept: &settings.accept_credentials,
        };
        if let Some(f) = security::check(alts, &dv.schemes, &presented, &mut violations) {
            challenges = f.challenges;
        }
    }

    let sources = params::Sources {
        declared: &op.parameters,
        query: &query,
        cookies: &cookies,
        headers: req.headers,
        path: params,
        swagger: doc.version == Version::Swagger2,
    };
    for (p, pc) in op.parameters.iter().zip(&ov.params) {
        if p.location == ParamIn::Header && crate::model::ignored_header(&p.name) {
            continue;
        }
        let where_ = match p.location {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
            ParamIn::Cookie => "cookie",
        };
        // Named in messages only: built when there is one.
        let label = || format!("{where_} parameter '{}'", p.name);
        match params::extract(p, &pc.entry.shape, pc.json_content, &sources) {
            None if p.required => violations.push(Violation {
                location: vec![where_.into(), p.name.clone()],
                rule: "required".into(),
                message: format!("The {} is required.", label()),
                class: Class::Invalid,
            }),
            None => {}
            // `allowEmptyValue`: `?q=` is a value, whatever the schema says. Swagger 2.0
            // without it reads `?q=` as not sent, as Prism does: an optional parameter
            // passes, a required one is missing.
            Some(value) if value.as_str() == Some("") && p.location == ParamIn::Query => {
                if !p.allow_empty_value && doc.version == Version::Swagger2 {
                    if p.required {
                        violations.push(Violation {
                            location: vec![where_.into(), p.name.clone()],
                            rule: "required".into(),
                            message: format!(
                                "The {} is required, and sent empty while it does not set allowEmptyValue.",
                                label()
                            ),
                            class: Class::Invalid,
                        });
                    }
                } else if !p.allow_empty_value {
                    check_value(pc, &value, &[where_, &p.name], &label, &mut violations);
                }
            }
            Some(value) => {
                check_value(pc, &value, &[where_, &p.name], &label, &mut violations);
            }
        }
    }

    if let Some(rb) = &op.request_body {
        check_body(rb.required, &ov.bodies, req, &mut violations, parsed);
    } else if !req.body.is_empty() {
        // An operation that declares no body accepts no content type (Prism's 415).
        let ct = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map_or_else(
                || "no Content-Type".to_string(),
                |c| wire::essence(c).into_owned(),
            );
        violations.push(Violation {
            location: vec!["body".into()],
            rule: "content-type".into(),
            message: format!(
                "{} takes no request body, and the request sent {} bytes ({ct}).",
                op.label(),
                req.body.len()
            ),
            class: Class::MediaType,
        });
    }

    if violations.is_empty() {
        return Verdict::Pass;
    }
    violations.truncate(MAX_VIOLATIONS);
    match settings.validate {
        ValidateMode::Warn => {
            let text = answer::summary(&violations);
            let entries = violations
                .iter()
                .map(|v| response::entry("request", v))
                .collect();
            Verdict::Warn(
                answer::violations_header(&text).into_iter().collect(),
                text,
                entries,
            )
        }
        _ => {
            // The media types a 415 lists: made only for a rejection.
            let accepted: Vec<String> = match &op.request_body {
                Some(_) => ov.bodies.iter().map(|b| b.media_type.clone()).collect(),
                None => Vec::new(),
            };
            let mut reply = answer::reject(
                doc,
                op,
                req,
                &violations,
                &answer::Rejection {
                    challenges: &challenges,
                    accepted: &accepted,
                },
            );
            // With answers checked, the document's own error response lists the
            // request's violations in `sl-violations`, as Prism's does (its own
            // problem documents do not).
            let own_problem = reply.headers.iter().any(|(n, v)| {
                n == header::CONTENT_TYPE && v.as_bytes() == crate::problem::PROBLEM_JSON.as_bytes()
            });
            if settings.check_responses != crate::settings::ResponseCheck::Off && !own_problem {
                let entries: Vec<Value> = violations
                    .iter()
                    .map(|v| response::entry("request", v))
                    .collect();
                reply.headers.extend(response::header(&entries));
            }
            Verdict::Reject(Box::new(reply))
        }
    }
}

/// A parameter's value against its schema.
fn check_value(
    pc: &ParamCheck,
    value: &Value,
    base: &[&str],
    label: &dyn Fn() -> String,
    out: &mut Vec<Violation>,
) {
    // Empty text is also how a client sends null.
    let null_too = value.as_str() == Some("")
        && pc.entry.shape.types & schema::ty::NULL != 0
        && pc
            .entry
            .validator
            .as_ref()
            .is_some_and(|v| v.is_valid(&Value::Null));
    if let Some(v) = &pc.entry.validator
        && !null_too
        && !v.is_valid(value)
    {
        schema_violations(v, value, base, &label(), out);
    }
}

/// Checks the request body; `parsed` (when asked) keeps a JSON body as parsed, so that a
/// caller that stores it reads it once.
fn check_body(
    required: bool,
    bodies: &[BodyCheck],
    req: &Request<'_>,
    out: &mut Vec<Violation>,
    parsed: Option<&mut Option<Value>>,
) {
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // An empty body is no body, except for forms, where it is an empty form.
    let kind_sent = content_type.map(|ct| body::kind_of(&wire::essence(ct)));
    let empty_form = matches!(kind_sent, Some(body::Kind::Form | body::Kind::Multipart));
    if req.body.is_empty() && !empty_form {
        if required {
            out.push(Violation {
                location: vec!["body".into()],
                rule: "required".into(),
                message: "The request body is required.".into(),
                class: Class::Invalid,
            });
        }
        return;
    }
    if bodies.is_empty() {
        return;
    }
    let names = || {
        bodies
            .iter()
            .map(|b| b.media_type.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(ct) = content_type else {
        out.push(Violation {
            location: vec!["header".into(), "Content-Type".into()],
            rule: "content-type".into(),
            message: format!(
                "The request has a body but no Content-Type; this operation accepts {}.",
                names()
            ),
            class: Class::MediaType,
        });
        return;
    };
    let Some(i) = body::choose(bodies, ct) else {
        out.push(Violation {
            location: vec!["header".into(), "Content-Type".into()],
            rule: "content-type".into(),
            message: format!(
                "Content-Type {} is not accepted; this operation accepts {}.",
                wire::essence(ct),
                names()
            ),
            class: Class::MediaType,
        });
        return;
    };
    let b = &bodies[i];
    // A wildcard declaration (`*/*`) says nothing about how to read the body.
    let kind = if b.essence.contains('*') {
        body::Kind::Opaque
    } else {
        b.kind
    };
    let value = match kind {
        body::Kind::Opaque => return,
        body::Kind::Json => body::json(req.body),
        body::Kind::Form => {
            for (name, chars) in body::reserved_sent(req.body, &b.encodings) {
                out.push(Violation {
                    location: vec!["body".into(), name.clone()],
                    rule: "allowReserved".into(),
                    message: format!(
                        "The form field '{name}' sends the reserved characters {chars} as they are; its encoding does not set allowReserved, so they must be percent-encoded."
                    ),
                    class: Class::Invalid,
                });
            }
            Ok(body::form(req.body, &b.entry.shape, &b.encodings))
        }
        body::Kind::Multipart => match wire::boundary(ct) {
            None => Err(body::Malformed(
                "The multipart Content-Type has no boundary parameter.".into(),
            )),
            Some(boundary) => body::multipart(req.body, &boundary)
                .and_then(|parts| body::multipart_object(&parts, &b.entry.shape, &b.encodings)),
        },
    };
    match value {
        Err(body::Malformed(message)) => out.push(Violation {
            location: vec!["body".into()],
            rule: "syntax".into(),
            message: sentence(message),
            class: Class::Malformed,
        }),
        Ok(value) => {
            // A form is an object; a form schema that says otherwise (a bare file, an
            // array) describes the one field, which cannot be checked as a whole.
            let form_mismatch = matches!(kind, body::Kind::Form | body::Kind::Multipart)
                && b.entry.shape.types != 0
                && b.entry.shape.types & schema::ty::OBJECT == 0;
            if let Some(v) = &b.entry.validator
                && !form_mismatch
                && !v.is_valid(&value)
            {
                schema_violations(v, &value, &["body"], "request body", out);
            }
            if kind == body::Kind::Json
                && let Some(slot) = parsed
            {
                *slot = Some(value);
            }
        }
    }
}

fn sentence(mut s: String) -> String {
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// The validator's errors on `value` as violations.
fn schema_violations(
    validator: &Validator,
    value: &Value,
    base: &[&str],
    label: &str,
    out: &mut Vec<Violation>,
) {
    for e in validator.iter_errors(value).take(MAX_VIOLATIONS) {
        let mut location: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        let path: Vec<String> = e
            .instance_path()
            .as_str()
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        location.extend(path.iter().cloned());
        let subject = if path.is_empty() {
            format!("The {label}")
        } else {
            format!("In the {label}, '{}'", path.join("."))
        };
        let what = describe(e.kind(), e.instance(), &e.to_string());
        let message = match e.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property
                    .as_str()
                    .map_or_else(|| property.to_string(), str::to_string);
                location.push(name.clone());
                if path.is_empty() {
                    format!("The {label} is missing the required property '{name}'.")
                } else {
                    format!(
                        "In the {label}, '{}' is missing the required property '{name}'.",
                        path.join(".")
                    )
                }
            }
            _ => format!("{subject} {what}."),
        };
        out.push(Violation {
            location,
            rule: e.kind().keyword().to_string(),
            message,
            class: Class::Invalid,
        });
    }
}

/// A short rendering of a value for messages.
fn shown(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 60 {
        let mut cut = 57;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// What a validation error says, as the end of a sentence.
fn describe(kind: &ValidationErrorKind, instance: &Value, display: &str) -> String {
    use ValidationErrorKind as K;
    let got = shown(instance);
    match kind {
        K::Maximum { limit } => format!("must be at most {limit} (got {got})"),
        K::Minimum { limit } => format!("must be at least {limit} (got {got})"),
        K::ExclusiveMaximum { limit } => format!("must be less than {limit} (got {got})"),
        K::ExclusiveMinimum { limit } => format!("must be greater than {limit} (got {got})"),
        K::MaxLength { limit } => format!("must be at most {limit} characters long (got {got})"),
        K::MinLength { limit } => format!("must be at least {limit} characters long (got {got})"),
        K::MaxItems { limit } => format!("must have at most {limit} items"),
        K::MinItems { limit } => format!("must have at least {limit} items"),
        K::MaxProperties { limit } => format!("must have at most {limit} properties"),
        K::MinProperties { limit } => format!("must have at least {limit} properties"),
        K::Pattern { pattern } => format!("must match the pattern {pattern} (got {got})"),
        K::Format { format } => format!("must be a valid {format} (got {got})"),
        K::Enum { options } => format!("must be one of {} (got {got})", shown(options)),
        K::Constant { expected_value } => format!("must be {}", shown(expected_value)),
        K::UniqueItems => "must not contain duplicate items".into(),
        K::MultipleOf { multiple_of } => format!("must be a multiple of {multiple_of} (got {got})"),
        K::AdditionalProperties { unexpected } => format!(
            "has properties the schema does not allow: {}",
            unexpected.join(", ")
        ),
        K::AnyOf { .. } | K::OneOfNotValid { .. } => {
            format!("matches none of the allowed alternatives (got {got})")
        }
        K::OneOfMultipleValid { .. } => {
            "matches more than one of the alternatives, where exactly one is allowed".into()
        }
        K::Not { .. } => "matches a schema it must not match".into(),
        K::FalseSchema => "is not allowed here".into(),
        K::Type { .. } => match display.split_once(" is not of type") {
            Some((_, types)) => format!("must be of type{types} (got {got})"),
            None => format!("has the wrong type (got {got})"),
        },
        _ => {
            let mut s = display.to_string();
            if s.len() > 200 {
                let mut cut = 197;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                s.truncate(cut);
                s.push_str("...");
            }
            format!("is invalid: {s}")
        }
    }
}

/// A compiled check of JSON values against one schema of a document (a stored
/// resource, a response body), with the same rewriting as request schemas: `readOnly`
/// properties are not required.
#[derive(Debug)]
pub struct ValueCheck {
    validator: Option<Validator>,
}

impl ValueCheck {
    /// Compiles the schema at `pointer` in `doc`; a schema that cannot be compiled
    /// checks nothing.
    pub fn compile(doc: &Document, pointer: &str) -> ValueCheck {
        let Some(raw) = crate::pointer::get(&doc.root, pointer) else {
            return ValueCheck { validator: None };
        };
        let dialect = doc.version.dialect();
        let mut rw = Rewriter::new(&doc.root, dialect);
        let s = rw.schema(raw);
        let mut schemas = OpSchemas::new(schema::draft_of(dialect), rw.finish());
        ValueCheck {
            validator: schemas.compile(s),
        }
    }

    /// What is wrong with `value`, one sentence each (empty: nothing). `label` names
    /// the value in the sentences (`stored resource`).
    pub fn problems(&self, value: &Value, label: &str) -> Vec<String> {
        self.violations(value, &[], label)
            .into_iter()
            .map(|v| v.message)
            .collect()
    }
}

/// The answer to a path whose segment for the required path parameter `name` is
/// empty (`/pets/` for `/pets/{petId}`): 422, or 400 where the operation documents only
/// that, in the operation's own error shape when it has one.
pub(crate) fn empty_path_parameter(
    doc: &Document,
    op: &Operation,
    req: &Request<'_>,
    name: &str,
) -> Reply {
    let violation = Violation {
        location: vec!["path".into(), name.into()],
        rule: "required".into(),
        message: format!(
            "The path parameter '{name}' is required, and the path leaves its segment empty."
        ),
        class: Class::Invalid,
    };
    answer::reject(
        doc,
        op,
        req,
        std::slice::from_ref(&violation),
        &answer::Rejection {
            challenges: &[],
            accepted: &[],
        },
    )
}

/// `x-standin-violations` listing `text`.
pub(crate) fn violations_header(text: &str) -> Option<(HeaderName, HeaderValue)> {
    answer::violations_header(text)
}

/// The name of `x-standin-violations`.
pub(crate) const VIOLATIONS_HEADER: &str = "x-standin-violations";

/// The error answer for `status` with `text`: the operation's own response for that
/// status (or `4XX`, or an error `default`) with the text written into its message
/// field, or else `application/problem+json` of `kind` and `title`.
pub(crate) fn error_answer(
    doc: &Document,
    op: &Operation,
    req: &Request<'_>,
    status: u16,
    (kind, title): (&'static str, &str),
    text: &str,
) -> Reply {
    answer::error_answer(doc, op, req, status, (kind, title), text)
}
