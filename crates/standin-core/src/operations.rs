//! The OpenAPI answerer: a request routed to an operation of the snapshot's documents,
//! validated, and answered with the chosen status, example or generated body.
//!
//! This is the last of the engine's answerers: stubs and saved examples are deliberate
//! answers and are asked first (see `engine`).

use bytes::Bytes;
use http::Method;
use http::header::{self, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::answer::{Answerer, Ask, Outcome};
use crate::directives::{Directives, Vendor};
use crate::exchange::{Kind, NearMiss, Reply, Request, Why};
use crate::generate::{Direction, Extras, GenContext};
use crate::model::Document;
use crate::model::{MediaDef, Operation, ResponseDef};
use crate::problem::{Problem, extra};
use crate::router::Found;
use crate::select;
use crate::snapshot::Snapshot;

static PREFERENCE_APPLIED: HeaderName = HeaderName::from_static("preference-applied");

/// The operations of a snapshot's OpenAPI documents, as an answerer.
pub struct Operations<'a> {
    /// The snapshot whose documents answer.
    pub snap: &'a Snapshot,
}

impl Answerer for Operations<'_> {
    fn kind(&self) -> Kind {
        Kind::OpenApi
    }

    fn is_empty(&self) -> bool {
        self.snap.documents.is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        answer(self.snap, ask.req, ask.directives, ask.entropy)
    }
}

impl Operations<'_> {
    /// The 404 of a mock with nothing to answer with.
    pub fn empty_report(&self, req: &Request<'_>) -> Reply {
        no_route(self.snap, req).0
    }

    /// Whether an operation would answer this request (to note when a deliberate answer
    /// was chosen over it).
    pub fn covers(&self, req: &Request<'_>) -> bool {
        let fields = std::cell::OnceCell::new();
        let probe = |name: &str| carried(req, &fields, name);
        matches!(
            self.snap.router.find(req.method, req.path, &probe),
            Found::Operation { .. } | Found::EmptyParameter { .. }
        )
    }
}

impl Operations<'_> {
    /// The request's verdict alone, the validation proxy's question: the operation it
    /// routes to and its violations (`why.violations`), or the rejection that
    /// `--validate enforce` answers. No status or example is chosen and nothing is
    /// generated. A request no operation takes is a miss noted `no-route`.
    pub fn verdict(&self, req: &Request<'_>, directives: &Directives) -> Reply {
        let snap = self.snap;
        let fields = std::cell::OnceCell::new();
        let probe = |name: &str| carried(req, &fields, name);
        let (op, params, empty) = match snap.router.find(req.method, req.path, &probe) {
            Found::Operation { op, params, .. } => (op, params, None),
            Found::EmptyParameter { op, name, params } => (op, params, Some(name)),
            _ => {
                let mut miss = Reply::status(404);
                miss.why.note = Some("no-route");
                return miss;
            }
        };
        let Some((doc, operation)) = snap.operation(op) else {
            return Reply::status(200);
        };
        let mut reply = Reply::status(200);
        if directives.validate != Some(false) {
            if let Some(name) = empty
                && snap.settings.validate == crate::settings::ValidateMode::Enforce
            {
                reply = crate::validate::empty_path_parameter(doc, operation, req, name);
            } else {
                let hints = hints_from(params);
                match crate::validate::check(
                    &snap.validation,
                    &snap.settings,
                    op.doc,
                    doc,
                    op.op,
                    operation,
                    req,
                    &hints,
                    directives,
                    None,
                ) {
                    crate::validate::Verdict::Pass => {}
                    crate::validate::Verdict::Warn(_, note, _) => reply.why.violations = Some(note),
                    crate::validate::Verdict::Reject(r) => reply = *r,
                }
            }
        }
        reply.why.operation = Some(operation.label());
        reply
    }
}

fn answer(snap: &Snapshot, req: &Request<'_>, directives: &Directives, entropy: u64) -> Outcome {
    // The query and form fields the router may ask about, parsed on the first question.
    let fields = std::cell::OnceCell::new();
    let probe = |name: &str| carried(req, &fields, name);
    let found = match snap.router.find(req.method, req.path, &probe) {
        Found::EmptyParameter { op, name, params } => {
            if snap.settings.validate == crate::settings::ValidateMode::Enforce
                && directives.validate != Some(false)
                && let Some((doc, operation)) = snap.operation(op)
            {
                let mut reply = crate::validate::empty_path_parameter(doc, operation, req, name);
                reply.why.operation = Some(operation.label());
                return Outcome::Reply(Box::new(reply));
            }
            Found::Operation {
                op,
                params,
                head_from_get: false,
            }
        }
        other => other,
    };
    let reply = match found {
        Found::Operation { op, params, .. } => {
            let Some((doc, operation)) = snap.operation(op) else {
                let p = Problem::new(
                    500,
                    "internal",
                    "Internal error",
                    "route without operation",
                    Default::default(),
                );
                return Outcome::Reply(Box::new(Reply::from_problem(p, "internal")));
            };
            let hints = hints_from(params);
            let mut warn_headers = Vec::new();
            let mut warn_note = None;
            let mut request_entries = Vec::new();
            // A forced status bypasses validation, as Redocly does: a test can always
            // get the response it asks for.
            if directives.code.is_none() && directives.validate != Some(false) {
                let verdict = crate::validate::check(
                    &snap.validation,
                    &snap.settings,
                    op.doc,
                    doc,
                    op.op,
                    operation,
                    req,
                    &hints,
                    directives,
                    None,
                );
                match verdict {
                    crate::validate::Verdict::Pass => {}
                    crate::validate::Verdict::Warn(headers, note, entries) => {
                        warn_headers = headers;
                        warn_note = Some(note);
                        request_entries = entries;
                    }
                    crate::validate::Verdict::Reject(reply) => return Outcome::Reply(reply),
                }
            }
            let mut response_entries = Vec::new();
            let mut reply = respond(
                snap,
                (op.doc, doc),
                operation,
                req,
                directives,
                &hints,
                entropy,
                &mut response_entries,
            );
            reply.headers.extend(warn_headers);
            reply.why.violations = warn_note;
            let mut reply = checked(snap, operation, reply, request_entries, response_entries);
            with_callbacks(snap, doc, operation, req, &hints, &mut reply);
            reply
        }
        Found::MethodNotAllowed { allowed } => {
            let allow = allow_header(&allowed, snap.settings.cors);
            // A plain OPTIONS is answered with `Allow` while CORS is on; with CORS off
            // a document without an OPTIONS operation does not answer it (Prism's 405).
            let mut reply = if req.method == Method::OPTIONS && snap.settings.cors {
                Reply {
                    status: 204,
                    headers: Vec::new(),
                    body: Bytes::new(),
                    delay_ms: 0,
                    wire: Default::default(),
                    why: Why::default(),
                }
            } else {
                Reply::from_problem(
                    Problem::new(
                        405,
                        "method-not-allowed",
                        "Method not allowed",
                        format!(
                            "{} is not defined for {}; this path allows {allow}.",
                            req.method, req.path
                        ),
                        extra([("allowed", json!(allow.split(", ").collect::<Vec<_>>()))]),
                    ),
                    "method-not-allowed",
                )
            };
            if let Ok(v) = HeaderValue::from_str(&allow) {
                reply.headers.push((header::ALLOW, v));
            }
            reply
        }
        // (An empty parameter was turned into its operation above.)
        Found::NotFound | Found::EmptyParameter { .. } => {
            let (report, near) = no_route(snap, req);
            return Outcome::Miss {
                near,
                report: Some(Box::new(report)),
            };
        }
    };
    Outcome::Reply(Box::new(reply))
}

/// Sets the calls of the operation's callbacks on its answer.
fn with_callbacks(
    snap: &Snapshot,
    doc: &Document,
    operation: &Operation,
    req: &Request<'_>,
    hints: &[(String, String)],
    reply: &mut Reply,
) {
    if operation.callbacks.is_empty() {
        return;
    }
    let x = crate::callback::Exchange {
        request: req,
        path_params: hints,
        status: reply.status,
        response_headers: &reply.headers,
        response_body: &reply.body,
    };
    let seed = stable_seed(snap.settings.seed, operation, req.path);
    reply.wire.calls = crate::callback::callbacks(doc, &operation.callbacks, &x, seed);
}

/// Sets the callbacks of the operation `req` routes to on an answer another answerer
/// gave for it (a stateful resource's).
pub(crate) fn add_callbacks(snap: &Snapshot, req: &Request<'_>, reply: &mut Reply) {
    let fields = std::cell::OnceCell::new();
    let probe = |name: &str| carried(req, &fields, name);
    if let Found::Operation { op, params, .. } = snap.router.find(req.method, req.path, &probe)
        && let Some((doc, operation)) = snap.operation(op)
        && !operation.callbacks.is_empty()
    {
        with_callbacks(snap, doc, operation, req, &hints_from(params), reply);
    }
}

/// The 404 naming the closest operations, and those operations as near misses.
fn no_route(snap: &Snapshot, req: &Request<'_>) -> (Reply, Vec<NearMiss>) {
    let closest = snap.router.closest(req.method, req.path, 3);
    let detail = if closest.is_empty() {
        format!(
            "No operation matches {} {}: the mock serves no operations.",
            req.method, req.path
        )
    } else {
        format!(
            "No operation matches {} {}. Closest: {}.",
            req.method,
            req.path,
            closest.join(", ")
        )
    };
    let report = Reply::from_problem(
        Problem::new(
            404,
            "no-route",
            "No operation matches this request",
            detail,
            extra([("closest", json!(closest))]),
        ),
        "no-route",
    );
    let near = closest
        .into_iter()
        .map(|label| NearMiss {
            answerer: Kind::OpenApi,
            label,
            distance: 1.0,
            reasons: Vec::new(),
        })
        .collect();
    (report, near)
}

/// Path parameters as generation hints. The last parameter named like `petId` or
/// `pet_id` also stands for `id`: `GET /pets/{petId}` shows the pet whose `id` was asked.
fn hints_from(params: Vec<(&str, String)>) -> Vec<(String, String)> {
    let mut hints: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if !hints.iter().any(|(k, _)| k == "id")
        && let Some((k, v)) = hints.last()
        && k.len() > 2
        && (k.ends_with("Id") || k.ends_with("_id") || k.ends_with("ID"))
    {
        let v = v.clone();
        hints.push(("id".to_string(), v));
    }
    hints
}

pub(crate) fn allow_header(allowed: &[Method], cors: bool) -> String {
    let mut names: Vec<&str> = allowed.iter().map(Method::as_str).collect();
    if allowed.contains(&Method::GET) && !allowed.contains(&Method::HEAD) {
        names.push("HEAD");
    }
    if cors && !allowed.contains(&Method::OPTIONS) {
        names.push("OPTIONS");
    }
    names.join(", ")
}

/// Seed for generated data: the mock's seed, the operation and the request path, so
/// the same request always shows the same data.
fn stable_seed(mock_seed: u64, op: &Operation, path: &str) -> u64 {
    // FNV-1a: stable across builds and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ mock_seed;
    for b in op.pointer.bytes().chain([0u8]).chain(path.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The answer of `checked` replies: with responses checked, what breaks the response
/// schema (and, in warn mode, the request's violations) is listed in `sl-violations`
/// as Prism lists it, and in `x-standin-violations`; in enforce mode a response that
/// breaks its schema becomes a 500 listing the violations, as Prism's `--errors` does.
fn checked(
    snap: &Snapshot,
    op: &Operation,
    mut reply: Reply,
    request: Vec<Value>,
    response: Vec<Value>,
) -> Reply {
    use crate::settings::ResponseCheck;
    use crate::validate::response;
    let mode = snap.settings.check_responses;
    if mode == ResponseCheck::Off {
        return reply;
    }
    if !response.is_empty() {
        let text = response::summary(&response);
        if mode == ResponseCheck::Enforce {
            let mut problem = Reply::from_problem(
                Problem::new(
                    500,
                    "response-violations",
                    "Response not valid",
                    format!(
                        "The answer of {} breaks its response schema, and responses are checked: {text}",
                        op.label()
                    ),
                    extra([("validation", json!(response))]),
                ),
                "response-violations",
            );
            problem.why.operation = reply.why.operation.take();
            reply = problem;
        }
        let all = match reply.why.violations.take() {
            Some(request_text) => format!("{request_text} {text}"),
            None => text,
        };
        reply
            .headers
            .retain(|(n, _)| n != crate::validate::VIOLATIONS_HEADER);
        reply
            .headers
            .extend(crate::validate::violations_header(&all));
        reply.why.violations = Some(all);
    }
    let mut entries = request;
    entries.extend(response);
    reply.headers.extend(response::header(&entries));
    reply
}

#[allow(clippy::too_many_arguments)]
fn respond(
    snap: &Snapshot,
    (doc_index, doc): (usize, &Document),
    op: &Operation,
    req: &Request<'_>,
    d: &Directives,
    hints: &[(String, String)],
    entropy: u64,
    violations: &mut Vec<Value>,
) -> Reply {
    let settings = &snap.settings;
    let mut applied: Vec<String> = Vec::new();
    let chosen = match &d.code {
        Some(code) => match select::forced(op, code.value) {
            Some(c) => {
                if code.vendor.is_preference() {
                    applied.push(format!("code={}", code.value));
                }
                c
            }
            None => return unknown_code(op, code.value, code.vendor),
        },
        None => select::natural(op, settings, entropy),
    };
    let mut why = Why {
        operation: Some(op.label()),
        ..Why::default()
    };
    let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let mut body = Bytes::new();
    let seed = d.seed.unwrap_or_else(|| {
        if d.dynamic.unwrap_or(settings.dynamic) {
            entropy.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
        } else {
            stable_seed(settings.seed, op, req.path)
        }
    });
    if d.seed.is_some() && d.code.as_ref().is_none_or(|c| c.vendor.is_preference()) {
        applied.push(format!("seed={seed}"));
    }
    if let Some(true) = d.dynamic {
        applied.push("dynamic=true".into());
    }
    let gen_ctx = GenContext {
        root: &doc.root,
        dialect: doc.version.dialect(),
        direction: Direction::Response,
        seed,
        hints,
    };
    if let Some(response) = chosen.response {
        if !response.media.is_empty() {
            let accept = || {
                req.headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
            };
            let mi = match crate::negotiate::for_response(&response.media, req.headers) {
                Ok(mi) => mi,
                Err(offered) => {
                    return Reply::from_problem(
                        Problem::new(
                            406,
                            "not-acceptable",
                            "Not acceptable",
                            format!(
                                "No media type of response {} matches Accept: {}. Available: {}.",
                                response.key,
                                accept().unwrap_or(""),
                                offered.join(", ")
                            ),
                            extra([("available", json!(offered))]),
                        ),
                        "not-acceptable",
                    );
                }
            };
            let media = &response.media[mi];
            let dynamic = d.seed.is_none() && d.dynamic.unwrap_or(settings.dynamic);
            let cache = (snap.id, !dynamic);
            match body_for(
                op,
                response,
                media,
                d,
                (
                    settings.examples,
                    settings.ignore_examples,
                    extras(settings),
                ),
                entropy,
                &gen_ctx,
                cache,
            ) {
                Ok((b, name)) => {
                    body = b;
                    if settings.check_responses != crate::settings::ResponseCheck::Off
                        && crate::wire::is_json(&media.media_type)
                        && let Some(ptr) = &media.schema
                        && let Ok(value) = serde_json::from_slice::<Value>(&body)
                    {
                        *violations = snap.validation.check_response(doc_index, doc, ptr, &value);
                    }
                    if let Some(forced) = &d.example
                        && forced.vendor.is_preference()
                        && name == forced.value
                    {
                        applied.push(format!("example={name}"));
                    }
                    if let Some(detail) = name.strip_prefix(UNSATISFIABLE_PREFIX)
                        && let Ok(v) =
                            HeaderValue::from_str(&format!("schema unsatisfiable at {detail}"))
                    {
                        headers.push((HeaderName::from_static("x-standin-warning"), v));
                    }
                    why.example = Some(name);
                }
                Err(reply) => return *reply,
            }
            if let Some(v) = &media.content_type {
                headers.push((header::CONTENT_TYPE, v.clone()));
            }
        }
        response_headers(response, &gen_ctx, &mut headers);
        if settings.check_responses != crate::settings::ResponseCheck::Off {
            violations.extend(snap.validation.check_response_headers(
                doc_index,
                doc,
                &response.headers,
                &headers,
                is_framing_header,
            ));
        }
    }
    let delay_ms = match &d.delay {
        Some(delay) => {
            if delay.vendor.is_preference() {
                applied.push(format!("delay={}", delay.value));
            }
            delay.value
        }
        None => settings.delay.map_or(0, |dl| dl.pick(entropy >> 7)),
    };
    if !applied.is_empty()
        && let Ok(v) = HeaderValue::from_str(&applied.join(", "))
    {
        headers.push((PREFERENCE_APPLIED.clone(), v));
    }
    Reply {
        status: chosen.status,
        headers,
        body,
        delay_ms,
        wire: Default::default(),
        why,
    }
}

fn unknown_code(op: &Operation, code: u16, vendor: Vendor) -> Reply {
    let defined = select::defined_codes(op);
    let p = match vendor {
        Vendor::Kong => Problem::message(400, &format!("could not find the status code '{code}'")),
        Vendor::Redocly => Problem::message(
            code,
            &format!(
                "The X-Redocly-Response-Status header was detected. Forced response with status code {code}."
            ),
        ),
        Vendor::Postman => Problem::json(
            404,
            &json!({"error": {
                "name": "mockRequestNotFoundError",
                "message": format!("No example with status code {code} exists for {}. Defined: {}.", op.label(), defined.join(", ")),
                "header": "No matching requests"
            }}),
        ),
        Vendor::Prefer | Vendor::Query => Problem::new(
            404,
            "status-not-defined",
            "Requested status is not defined",
            format!(
                "Requested status code {code} is not defined in the document for {}. Defined: {}.",
                op.label(),
                defined.join(", ")
            ),
            extra([("defined", json!(defined))]),
        ),
    };
    let mut reply = Reply::from_problem(p, "status-not-defined");
    reply.why.operation = Some(op.label());
    reply
}

/// The schema with its `oneOf`/`anyOf` replaced by their first branch, if it has one.
fn relaxed(schema: &Value) -> Option<Value> {
    let map = schema.as_object()?;
    let key = ["oneOf", "anyOf"]
        .into_iter()
        .find(|k| map.contains_key(*k))?;
    let first = map.get(key)?.as_array()?.first()?.clone();
    let mut rest = map.clone();
    rest.remove(key);
    rest.remove("discriminator");
    Some(serde_json::json!({"allOf": [Value::Object(rest), first]}))
}

/// How the example name of a best-effort body starts (see `body_for`).
const UNSATISFIABLE_PREFIX: &str = "best-effort, schema unsatisfiable at ";

type BodyResult = Result<(Bytes, String), Box<Reply>>;

#[allow(clippy::too_many_arguments)]
fn body_for(
    op: &Operation,
    response: &ResponseDef,
    media: &MediaDef,
    d: &Directives,
    (choice, ignore_examples, extras): (crate::settings::ExampleChoice, bool, Extras),
    entropy: u64,
    gctx: &GenContext<'_>,
    (scope, cacheable): (u64, bool),
) -> BodyResult {
    if let Some(forced) = &d.example {
        if let Some(ex) = select::named(media, &forced.value) {
            return Ok((ex.body.clone(), ex.name.clone()));
        }
        let names: Vec<&str> = media.examples.iter().map(|e| e.name.as_str()).collect();
        let p = match forced.vendor {
            Vendor::Kong => Some(Problem::message(
                400,
                &format!("could not find the example id '{}'", forced.value),
            )),
            // Redocly falls back to another example unless told otherwise.
            Vendor::Redocly => None,
            Vendor::Postman => Some(Problem::json(
                404,
                &json!({"error": {
                    "name": "mockRequestNotFoundError",
                    "message": format!("No example named '{}' exists for {} {}. Examples: {}.", forced.value, op.label(), response.key, names.join(", ")),
                    "header": "No matching requests"
                }}),
            )),
            Vendor::Prefer | Vendor::Query => Some(Problem::new(
                404,
                "example-not-defined",
                "Requested example is not defined",
                format!(
                    "Response for contentType: {} and exampleKey: {} does not exist. Examples of {} {}: {}.",
                    media.media_type,
                    forced.value,
                    op.label(),
                    response.key,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                extra([("examples", json!(names))]),
            )),
        };
        if let Some(p) = p {
            let mut reply = Reply::from_problem(p, "example-not-defined");
            reply.why.operation = Some(op.label());
            return Err(Box::new(reply));
        }
    }
    // `--ignore-examples` leaves the media type's examples out; the schema's own
    // `example` or `default` is still the schema speaking.
    let example = if ignore_examples {
        media.schema_example.as_ref()
    } else {
        select::example(op, media, choice, entropy)
    };
    if let Some(ex) = example {
        return Ok((ex.body.clone(), ex.name.clone()));
    }
    let Some(ptr) = &media.schema else {
        return Ok((Bytes::new(), "none".into()));
    };
    let Some(schema) = crate::pointer::get(gctx.root, ptr) else {
        return Ok((Bytes::new(), "none".into()));
    };
    // Generation is deterministic for a seed, so a generated body can be kept and sent
    // again; a dynamic request has a fresh seed each time and is not kept.
    if !cacheable {
        return generate_body(op, response, media, ptr, schema, (gctx, extras));
    }
    let key = (scope, ptr.clone(), media.media_type.clone(), gctx.seed);
    if let Some(hit) = GENERATED.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let result = generate_body(op, response, media, ptr, schema, (gctx, extras));
    if let Ok(ok) = &result {
        GENERATED.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= GENERATED_CACHE_MAX {
                c.clear();
            }
            c.insert(key, ok.clone());
        });
    }
    result
}

/// The value the request carries as `name`: a header, a query parameter or (in a form
/// body, as AWS query protocols send it) a form field. The router asks this of the
/// operations told apart by such a value; `fields` holds the query and form fields once
/// parsed, since one request may be asked about many operations.
pub(crate) fn carried(
    req: &Request<'_>,
    fields: &std::cell::OnceCell<Vec<(String, String)>>,
    name: &str,
) -> Option<String> {
    if let Some(h) = req.headers.get(name) {
        return h.to_str().ok().map(|s| s.trim().to_string());
    }
    let fields = fields.get_or_init(|| {
        let mut all = crate::wire::form_pairs(req.query);
        let form = req
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| crate::wire::essence(ct) == "application/x-www-form-urlencoded");
        if form && let Ok(text) = std::str::from_utf8(req.body) {
            all.extend(crate::wire::form_pairs(Some(text)));
        }
        all
    });
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// Generated bodies kept per thread (no lock on the request path), keyed by snapshot,
/// schema, media type and seed; bounded, and started over when full.
type GenKey = (u64, String, String, u64);
const GENERATED_CACHE_MAX: usize = 2_048;
thread_local! {
    static GENERATED: std::cell::RefCell<std::collections::HashMap<GenKey, (Bytes, String)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// How generated objects treat undeclared properties under `settings`.
fn extras(settings: &crate::settings::MockSettings) -> Extras {
    if settings.fill_properties {
        Extras::Fill
    } else {
        Extras::Declared
    }
}

fn generate_body(
    op: &Operation,
    response: &ResponseDef,
    media: &MediaDef,
    ptr: &str,
    schema: &Value,
    (gctx, extras): (&GenContext<'_>, Extras),
) -> BodyResult {
    let generated = crate::generate::generate_with(gctx, schema, ptr, extras).map_err(|u| {
        match relaxed(schema) {
            // A contradiction between branches (identical `oneOf` branches are common):
            // the first branch alone still gives the client a body of the documented shape.
            Some(first) if u.best_effort.is_none() => {
                match crate::generate::generate(gctx, &first, ptr) {
                    Ok(v) => crate::generate::Unsatisfiable {
                        best_effort: Some(v),
                        ..u
                    },
                    Err(_) => u,
                }
            }
            _ => u,
        }
    });
    match generated {
        Ok(value) => {
            match crate::render::render(&value, &media.media_type, Some(schema), gctx.root) {
                Ok(bytes) => Ok((bytes, "generated".into())),
                // A structured value declared as text/plain (or another type with no
                // structure of its own) is still useful to a client as JSON text;
                // Prism answers 500 here, which breaks the very clients a mock is for.
                Err(_) => match serde_json::to_vec(&value) {
                    Ok(json) => Ok((Bytes::from(json), "generated (as JSON text)".into())),
                    Err(e) => Err(Box::new(Reply::from_problem(
                        Problem::new(
                            500,
                            "cannot-render",
                            "Cannot write the generated body",
                            format!(
                                "The body generated for {} {} cannot be written as {}: {e}",
                                op.label(),
                                response.key,
                                media.media_type
                            ),
                            Default::default(),
                        ),
                        "cannot-render",
                    ))),
                },
            }
        }
        // The document contradicts itself; the closest value still reaches the client
        // with the documented status, and the log and a warning header say why.
        Err(u) if u.best_effort.is_some() => {
            let value = u.best_effort.unwrap_or(Value::Null);
            let bytes = crate::render::render(&value, &media.media_type, Some(schema), gctx.root)
                .or_else(|_| serde_json::to_vec(&value).map(Bytes::from))
                .unwrap_or_default();
            Ok((
                bytes,
                format!("{UNSATISFIABLE_PREFIX}#{}: {}", u.pointer, u.reason),
            ))
        }
        Err(u) => Err(Box::new(Reply::from_problem(
            Problem::new(
                500,
                "unsatisfiable-schema",
                "The response schema cannot be satisfied",
                format!(
                    "No value satisfies the schema at #{}: {}",
                    u.pointer, u.reason
                ),
                extra([("pointer", json!(u.pointer))]),
            ),
            "unsatisfiable-schema",
        ))),
    }
}

/// Headers that describe the connection or the framing of the body, which the server
/// decides, not the document.
fn is_framing_header(name: &str) -> bool {
    const FRAMING: [&str; 7] = [
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "trailer",
        "content-encoding",
    ];
    FRAMING.iter().any(|f| name.eq_ignore_ascii_case(f))
}

pub(crate) fn response_headers(
    response: &ResponseDef,
    gctx: &GenContext<'_>,
    out: &mut Vec<(HeaderName, HeaderValue)>,
) {
    for h in &response.headers {
        // The server frames the body itself: a declared length or encoding would be a
        // lie about the body actually sent, and clients would hang waiting for it.
        if is_framing_header(&h.name) {
            continue;
        }
        let Ok(name) = HeaderName::from_bytes(h.name.as_bytes()) else {
            continue;
        };
        let text = match &h.example {
            Some(t) => t.clone(),
            None => {
                let Some(schema) = h
                    .schema
                    .as_ref()
                    .and_then(|p| crate::pointer::get(gctx.root, p).map(|s| (p, s)))
                else {
                    continue;
                };
                match crate::generate::generate(gctx, schema.1, schema.0) {
                    Ok(v) => crate::render::header_text(&v),
                    Err(_) => continue,
                }
            }
        };
        if let Ok(v) = HeaderValue::from_str(&text) {
            out.push((name, v));
        }
    }
}
