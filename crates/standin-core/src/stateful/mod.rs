//! The stateful answerer: requests to the resources of a stateful mock
//! (`crate::resource`) answered from the store. `POST` creates, `GET` reads and lists,
//! `PUT` replaces, `PATCH` merges (merge patch or JSON patch), `DELETE` removes, each
//! in the document's own statuses and shapes (`shape`).
//!
//! The engine asks it after the deliberate answers and before the OpenAPI operations.
//! It leaves to the operations every request that forces a status or an example (those
//! never touch the state), that says `Prefer: stateful=false`, or that is not to a
//! resource. A request is validated as the operation would validate it first; the
//! namespace is the `x-standin-session` header's value.

mod shape;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::answer::{Answerer, Ask, Outcome};
use crate::exchange::{Kind, Reply, Request, Why};
use crate::generate::Direction;
use crate::model::{Document, Operation, ParamIn, ResponseDef};
use crate::problem::{Problem, extra};
use crate::resource::schema as rs;
use crate::resource::{Action, IdKind, Resource, json_media, patch, success};
use crate::router::Found;
use crate::snapshot::Snapshot;
use crate::state::{Coll, NewId, StoreError, id_text};
use shape::Listed;

/// The request header that names a namespace of state.
pub const SESSION_HEADER: &str = "x-standin-session";

/// The identifier a singleton is stored under.
const SINGLETON_ID: &str = "1";

/// The resources of a snapshot, answered from the store.
pub struct Stateful<'a> {
    /// The snapshot whose resources answer.
    pub snap: &'a Snapshot,
}

impl Answerer for Stateful<'_> {
    fn kind(&self) -> Kind {
        Kind::State
    }

    fn is_empty(&self) -> bool {
        self.snap.resources.list.is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        match answer(self.snap, ask) {
            Some(reply) => Outcome::Reply(Box::new(reply)),
            None => Outcome::Miss {
                near: Vec::new(),
                report: None,
            },
        }
    }
}

/// What one request works on.
struct Target<'a> {
    /// The snapshot's id (what is cached per snapshot is keyed by it).
    snap_id: u64,
    doc: &'a Document,
    op: &'a Operation,
    resource: &'a Resource,
    action: Action,
    req: &'a Request<'a>,
    coll: Coll<'a>,
    /// The item's identifier, from the path (items and singletons).
    id: Option<String>,
    ask: &'a Ask<'a>,
    /// Headers validation asked for (warn mode).
    extra_headers: Vec<(HeaderName, HeaderValue)>,
    /// The JSON body, when validation has parsed it (taken by the write that stores it).
    parsed: std::cell::Cell<Option<Value>>,
}

fn answer(snap: &Snapshot, ask: &Ask<'_>) -> Option<Reply> {
    let d = ask.directives;
    if d.code.is_some() || d.example.is_some() || d.stateful == Some(false) {
        return None;
    }
    let req = ask.req;
    let fields = std::cell::OnceCell::new();
    let probe = |name: &str| crate::operations::carried(req, &fields, name);
    let Found::Operation {
        op: opref, params, ..
    } = snap.router.find(req.method, req.path, &probe)
    else {
        return None;
    };
    let (resource, action) = snap.resources.of(opref.doc, opref.op)?;
    let (doc, op) = snap.operation(opref)?;
    let hints: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let mut extra_headers = Vec::new();
    let mut violations = None;
    // The body as validation parsed it: a write stores it without parsing it again.
    let mut parsed = None;
    if d.validate != Some(false) {
        match crate::validate::check(
            &snap.validation,
            &snap.settings,
            opref.doc,
            doc,
            opref.op,
            op,
            req,
            &hints,
            d,
            Some(&mut parsed),
        ) {
            crate::validate::Verdict::Pass => {}
            crate::validate::Verdict::Warn(h, note, _) => {
                extra_headers = h;
                violations = Some(note);
            }
            crate::validate::Verdict::Reject(mut reply) => {
                reply.why.state = Some(format!("{} {} refused", action.as_str(), resource.name));
                return Some(*reply);
            }
        }
    }
    let value_of = |name: &str| {
        params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    };
    let scope: Vec<&str> = resource
        .parents
        .iter()
        .map(|p| value_of(p).unwrap_or(""))
        .collect();
    let scope = scope.join("/");
    let id = if resource.singleton {
        Some(SINGLETON_ID.to_string())
    } else {
        resource
            .param
            .as_deref()
            .and_then(value_of)
            .filter(|_| action != Action::List && action != Action::Create)
            .map(|v| canonical_id(resource, v))
    };
    let space = req
        .headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    let target = Target {
        snap_id: snap.id,
        doc,
        op,
        resource,
        action,
        req,
        coll: Coll {
            space,
            resource: &resource.name,
            scope: &scope,
            id_prop: &resource.id_prop,
            seed: &resource.seed,
        },
        id,
        ask,
        extra_headers,
        parsed: std::cell::Cell::new(parsed),
    };
    let mut reply = match parent_missing(snap, &target, &scope) {
        Some(missing) => missing,
        None => match action {
            Action::List => list(&target),
            Action::Create => create(&target),
            Action::Read => read(&target),
            Action::Replace | Action::Update => change(&target),
            Action::Delete => delete(snap, &target),
        },
    };
    reply.why.operation = Some(op.label());
    reply.why.violations = violations;
    // The mock's delay and `Prefer: delay` apply as to any answer of the document.
    reply.delay_ms = match &d.delay {
        Some(delay) => {
            if delay.vendor.is_preference()
                && let Ok(v) = HeaderValue::from_str(&format!("delay={}", delay.value))
            {
                reply
                    .headers
                    .push((HeaderName::from_static("preference-applied"), v));
            }
            delay.value
        }
        None => snap
            .settings
            .delay
            .map_or(0, |dl| dl.pick(ask.entropy >> 7)),
    };
    if reply.why.answerer == Kind::None {
        reply.why.answerer = Kind::State;
    }
    if reply.why.state.is_none() {
        reply.why.state = Some(match &target.id {
            Some(id) if !resource.singleton => words(&[action.as_str(), &resource.name, id]),
            _ => words(&[action.as_str(), &scoped(resource, &scope)]),
        });
    }
    Some(reply)
}

/// The 404 of a nested resource whose parent item is not there (`/users/9/orders` when
/// user 9 was never created or was deleted).
fn parent_missing(snap: &Snapshot, t: &Target<'_>, scope: &str) -> Option<Reply> {
    let parent = snap.resources.list.get(t.resource.parent?)?;
    let (parent_scope, parent_id) = match scope.rsplit_once('/') {
        Some((s, id)) => (s, id),
        None => ("", scope),
    };
    let coll = Coll {
        space: t.coll.space,
        resource: &parent.name,
        scope: parent_scope,
        id_prop: &parent.id_prop,
        seed: &parent.seed,
    };
    if t.ask.store.get(&coll, parent_id).is_some() {
        return None;
    }
    let text = format!(
        "No item of {} has {} {parent_id}, so {} has none either.",
        parent.name, parent.id_prop, t.req.path
    );
    let mut reply =
        crate::validate::error_answer(t.doc, t.op, t.req, 404, ("not-found", "Not found"), &text);
    reply
        .headers
        .retain(|(n, _)| n.as_str() != "x-standin-violations");
    reply.why.state = Some(format!(
        "{} {} parent {} {parent_id} not found",
        t.action.as_str(),
        t.resource.name,
        parent.name
    ));
    Some(reply)
}

/// `parts` joined by spaces: what `format!` does for the journal's state note, without
/// its formatting machinery.
fn words(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

fn scoped(resource: &Resource, scope: &str) -> String {
    if scope.is_empty() {
        resource.name.clone()
    } else {
        format!("{} [{scope}]", resource.name)
    }
}

/// The reply with a JSON value in the operation's success response (or `status`'s).
fn reply_with(
    t: &Target<'_>,
    response: Option<&ResponseDef>,
    status: u16,
    body: Option<&Value>,
) -> Reply {
    let mut headers = t.extra_headers.clone();
    let mut bytes = Bytes::new();
    if let (Some(r), Some(value)) = (response, body)
        && !r.media.is_empty()
    {
        let mi = match crate::negotiate::for_response(&r.media, t.req.headers) {
            Ok(i) => i,
            Err(offered) => {
                return Reply::from_problem(
                    Problem::new(
                        406,
                        "not-acceptable",
                        "Not acceptable",
                        format!(
                            "No media type of response {} matches the Accept header. Available: {}.",
                            r.key,
                            offered.join(", ")
                        ),
                        extra([("available", json!(offered))]),
                    ),
                    "not-acceptable",
                );
            }
        };
        let media = &r.media[mi];
        let schema = media
            .schema
            .as_deref()
            .filter(|_| crate::render::reads_schema(&media.media_type))
            .and_then(|p| crate::pointer::get(&t.doc.root, p));
        bytes = crate::render::render(value, &media.media_type, schema, &t.doc.root)
            .or_else(|_| serde_json::to_vec(value).map(Bytes::from))
            .unwrap_or_default();
        if let Some(v) = &media.content_type {
            headers.push((header::CONTENT_TYPE, v.clone()));
        }
    }
    if let Some(r) = response {
        let gen_ctx = crate::generate::GenContext {
            root: &t.doc.root,
            dialect: t.doc.version.dialect(),
            direction: Direction::Response,
            seed: t.ask.entropy,
            hints: &[],
        };
        crate::operations::response_headers(r, &gen_ctx, &mut headers);
    }
    Reply {
        status,
        headers,
        body: bytes,
        delay_ms: 0,
        wire: Default::default(),
        why: Why::default(),
    }
}

/// The success response and its status.
fn succeeded(op: &Operation) -> (Option<&ResponseDef>, u16) {
    match success(op) {
        Some(r) => (Some(r), r.key.natural_status()),
        None => (None, 200),
    }
}

/// The JSON schema pointer of a response.
fn schema_of(r: Option<&ResponseDef>) -> Option<&str> {
    r.and_then(json_media)?.schema.as_deref()
}

/// Replaces a declared header's value (case-insensitive name), adding it when absent.
fn set_header(reply: &mut Reply, name: &str, value: &str) {
    let Ok(v) = HeaderValue::from_str(value) else {
        return;
    };
    reply
        .headers
        .retain(|(n, _)| !n.as_str().eq_ignore_ascii_case(name));
    if let Ok(n) = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()) {
        reply.headers.push((n, v));
    }
}

fn declares_header(r: Option<&ResponseDef>, name: &str) -> Option<String> {
    r?.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.name.clone())
}

/// The 404 of an item that is not there, in the document's 404 shape.
fn not_found(t: &Target<'_>) -> Reply {
    let id = t.id.as_deref().unwrap_or("");
    let text = if t.resource.singleton {
        format!("{} has not been set.", t.req.path)
    } else {
        format!(
            "No item of {} has {} {id}.",
            t.resource.name, t.resource.id_prop
        )
    };
    let mut reply =
        crate::validate::error_answer(t.doc, t.op, t.req, 404, ("not-found", "Not found"), &text);
    reply
        .headers
        .retain(|(n, _)| n.as_str() != "x-standin-violations");
    reply.why.state = Some(format!(
        "{} {} {id} not found",
        t.action.as_str(),
        t.resource.name
    ));
    reply
}

/// The answer to a write the store refused.
fn refused(t: &Target<'_>, e: StoreError) -> Reply {
    let mut reply = match &e {
        StoreError::Full { budget, limit } => Reply::from_problem(
            Problem::new(
                507,
                "state-budget-spent",
                "The mock's state is full",
                format!(
                    "The store's {budget} budget ({limit}) is spent; reset the state (POST /__admin/state/reset) or raise --state-max-{budget}."
                ),
                extra([("budget", json!(budget)), ("limit", json!(limit))]),
            ),
            "state-budget-spent",
        ),
        StoreError::Exists(id) => crate::validate::error_answer(
            t.doc,
            t.op,
            t.req,
            409,
            ("conflict", "Conflict"),
            &format!(
                "An item of {} with {} {id} exists.",
                t.resource.name, t.resource.id_prop
            ),
        ),
        other => Reply::from_problem(
            Problem::new(
                500,
                "state-unavailable",
                "State unavailable",
                other.to_string(),
                Default::default(),
            ),
            "state-unavailable",
        ),
    };
    reply
        .headers
        .retain(|(n, _)| n.as_str() != "x-standin-violations");
    reply.why.state = Some(format!(
        "{} {} refused: {e}",
        t.action.as_str(),
        t.resource.name
    ));
    reply
}

/// The 422 of a body or change that breaks the item's schema.
fn invalid(t: &Target<'_>, problems: &[String]) -> Reply {
    let text = problems.join(" ");
    let mut reply = crate::validate::error_answer(
        t.doc,
        t.op,
        t.req,
        422,
        (
            "invalid-resource",
            "The change breaks the resource's schema",
        ),
        &text,
    );
    reply.why.state = Some(format!("{} {} refused", t.action.as_str(), t.resource.name));
    reply.why.violations = Some(text);
    reply
}

/// The request's JSON body, when it is JSON: as validation parsed it, else parsed now.
fn body_json(t: &Target<'_>) -> Option<Value> {
    t.parsed
        .take()
        .or_else(|| serde_json::from_slice(t.req.body).ok())
}

fn is_date_time_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["created", "updated", "modified", "inserted", "added"]
        .iter()
        .any(|p| n.starts_with(p))
        || n.ends_with("_at")
        || (n.ends_with("at") && name.ends_with("At"))
}

/// The value of a server-set property at time `now_ms`, when its name and schema say
/// it is a timestamp.
fn timestamp(doc: &Document, schema: &Value, name: &str, now_ms: u64) -> Option<Value> {
    if !is_date_time_name(name) {
        return None;
    }
    let ty = rs::type_of(&doc.root, schema)?;
    let format = rs::keyword(&doc.root, schema, "format").and_then(Value::as_str);
    match (ty.as_str(), format) {
        ("string", Some("date-time") | None) => {
            Some(Value::String(crate::saved::template::iso(now_ms)))
        }
        ("string", Some("date")) => Some(Value::String(
            crate::saved::template::iso(now_ms)[..10].to_string(),
        )),
        ("integer" | "number", _) => Some(json!(now_ms / 1000)),
        _ => None,
    }
}

/// The properties the server sets: `readOnly` ones (timestamps now, the rest
/// generated), and required ones the client left out. `before` keeps what was set
/// already (a replace keeps the creation time).
fn server_fill(t: &Target<'_>, item: &mut Value, before: Option<&Value>, seed: u64) {
    let doc = t.doc;
    let Some(ptr) = t.resource.item_schema.as_deref() else {
        return;
    };
    let fill = shape::item_shape(doc, t.snap_id, ptr);
    let (at, required) = (&fill.at, &fill.required);
    let Value::Object(map) = item else {
        return;
    };
    let mut generated: Option<Value> = None;
    for shape::Prop {
        name,
        ptr: p,
        read_only,
        ..
    } in &fill.props
    {
        let read_only = *read_only;
        if *name == t.resource.id_prop {
            continue;
        }
        if read_only {
            // The client does not set these.
            map.shift_remove(name);
            if let Some(old) = before.and_then(|b| b.get(name)) {
                map.insert(name.clone(), old.clone());
                continue;
            }
            let updated = name.to_ascii_lowercase().starts_with("updated")
                || name.to_ascii_lowercase().starts_with("modified");
            if (before.is_none() || updated)
                && let Some(v) = crate::pointer::get(&doc.root, p)
                    .and_then(|s| timestamp(doc, s, name, t.req.now_unix_ms))
            {
                map.insert(name.clone(), v);
                continue;
            }
        } else if before.is_some() || map.contains_key(name) || !required.contains(name) {
            // A change leaves the client's properties to the client: one that removes
            // a required property is refused, not filled in.
            continue;
        }
        if !read_only && !required.contains(name) {
            continue;
        }
        if read_only && !required.contains(name) && before.is_some() {
            continue;
        }
        let g = generated.get_or_insert_with(|| {
            shape::generated(doc, at, seed, &[], Direction::Response).unwrap_or(Value::Null)
        });
        if let Some(v) = g.get(name) {
            map.insert(name.clone(), v.clone());
        }
    }
    // An updated-at timestamp moves on every change.
    if before.is_some() {
        for shape::Prop { name, ptr: p, .. } in &fill.props {
            let lower = name.to_ascii_lowercase();
            if (lower.starts_with("updated") || lower.starts_with("modified"))
                && let Some(s) = crate::pointer::get(&doc.root, p)
                && let Some(v) = timestamp(doc, s, name, t.req.now_unix_ms)
            {
                map.insert(name.clone(), v);
            }
        }
    }
}

fn create(t: &Target<'_>) -> Reply {
    let Some(mut item) = body_json(t).filter(Value::is_object) else {
        return invalid(
            t,
            &["The request body must be a JSON object to create an item.".to_string()],
        );
    };
    let r = t.resource;
    let seed = t.ask.entropy;
    server_fill(t, &mut item, None, seed);
    let client_may_set = r.id_client_set;
    let sent = item
        .get(&r.id_prop)
        .cloned()
        .filter(|v| id_text(v).is_some());
    let id = match sent {
        Some(v) if client_may_set => NewId::Given(v),
        _ => match r.id_kind {
            IdKind::Integer => NewId::NextInteger,
            IdKind::Uuid => NewId::Text(uuid(seed)),
            IdKind::Text => {
                let made = r
                    .id_schema
                    .as_deref()
                    .and_then(|p| shape::generated(t.doc, p, seed, &[], Direction::Response))
                    .and_then(|v| v.as_str().map(str::to_string));
                NewId::Text(made.unwrap_or_else(|| uuid(seed)))
            }
        },
    };
    if let Value::Object(m) = &mut item {
        m.shift_remove(&r.id_prop);
    }
    let stored = match t.ask.store.create(&t.coll, id, item) {
        Ok(v) => v,
        Err(e) => return refused(t, e),
    };
    let id = stored.get(&r.id_prop).and_then(id_text).unwrap_or_default();
    let (response, status) = succeeded(t.op);
    let body = shape::item_body(
        t.doc,
        t.snap_id,
        r,
        schema_of(response),
        stored,
        shape::seed_of(r, &id),
    );
    let mut reply = reply_with(t, response, status, Some(&body));
    if let Some(name) = declares_header(response, "location") {
        let path = t.req.path.trim_end_matches('/');
        set_header(
            &mut reply,
            &name,
            &format!("{path}/{}", crate::wire::percent_encode_segment(&id)),
        );
    }
    reply.why.state = Some(words(&["create", &r.name, &id]));
    reply
}

fn read(t: &Target<'_>) -> Reply {
    let id = t.id.as_deref().unwrap_or("");
    let (response, status) = succeeded(t.op);
    let mut reply = None;
    // Answered from the item where it is held: no copy of it unless the response
    // shape changes it.
    t.ask.store.read(&t.coll, id, &mut |item| {
        reply = item.map(|item| {
            let body = shape::item_body_of(
                t.doc,
                t.snap_id,
                t.resource,
                schema_of(response),
                std::borrow::Cow::Borrowed(item),
                shape::seed_of(t.resource, id),
            );
            reply_with(t, response, status, Some(&body))
        });
    });
    reply.unwrap_or_else(|| not_found(t))
}

fn delete(snap: &Snapshot, t: &Target<'_>) -> Reply {
    let id = t.id.as_deref().unwrap_or("");
    let gone = match t.ask.store.remove(&t.coll, id) {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(t),
        Err(e) => return refused(t, e),
    };
    // What belonged to the item goes with it.
    if let Some(item) = &t.resource.item_template {
        let child_scope = if t.coll.scope.is_empty() {
            id.to_string()
        } else {
            format!("{}/{id}", t.coll.scope)
        };
        let prefix = format!("{item}/");
        for r in &snap.resources.list {
            if r.doc == t.resource.doc && r.name.starts_with(&prefix) {
                t.ask.store.drop_scopes(t.coll.space, &r.name, &child_scope);
            }
        }
    }
    let (response, status) = succeeded(t.op);
    let body = response.filter(|r| !r.media.is_empty()).map(|r| {
        shape::item_body(
            t.doc,
            t.snap_id,
            t.resource,
            schema_of(Some(r)),
            gone,
            shape::seed_of(t.resource, id),
        )
    });
    reply_with(t, response, status, body.as_ref())
}

/// PUT and PATCH: the change made in one step of the store, the result checked
/// against the item's schema.
fn change(t: &Target<'_>) -> Reply {
    let id = t.id.clone().unwrap_or_default();
    let Some(body) = body_json(t) else {
        return invalid(t, &["The request body must be JSON.".to_string()]);
    };
    let essence = t
        .req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(crate::wire::essence)
        .unwrap_or_default();
    let json_patch = essence == "application/json-patch+json";
    if t.action == Action::Replace && !body.is_object() {
        return invalid(
            t,
            &["The request body must be a JSON object to replace an item.".to_string()],
        );
    }
    let mut problems: Vec<String> = Vec::new();
    let seed = shape::seed_of(t.resource, &id);
    let mut apply = |item: &mut Value| -> bool {
        let before = item.clone();
        let mut next = match t.action {
            Action::Replace => body.clone(),
            _ => {
                let mut copy = before.clone();
                if json_patch {
                    if let Err(e) = patch::json_patch(&mut copy, &body) {
                        problems = vec![format!("The JSON patch cannot be applied: {e}.")];
                        return false;
                    }
                } else {
                    patch::merge(&mut copy, &body);
                }
                copy
            }
        };
        if !t.resource.id_prop.is_empty()
            && let (Value::Object(m), Some(old)) = (&mut next, before.get(&t.resource.id_prop))
        {
            m.insert(t.resource.id_prop.clone(), old.clone());
        }
        server_fill(t, &mut next, Some(&before), seed);
        if let Some(check) = &t.resource.check {
            problems = check.problems(&next, "resource");
            if !problems.is_empty() {
                return false;
            }
        }
        *item = next;
        true
    };
    let mut result = t.ask.store.modify(&t.coll, &id, &mut apply);
    // A singleton is set by its first PUT.
    if t.resource.singleton && matches!(result, Ok(None)) && t.action == Action::Replace {
        let mut fresh = body.clone();
        server_fill(t, &mut fresh, None, seed);
        problems = t
            .resource
            .check
            .as_ref()
            .map(|c| c.problems(&fresh, "resource"))
            .unwrap_or_default();
        if problems.is_empty() {
            result = t
                .ask
                .store
                .create(&t.coll, NewId::Text(SINGLETON_ID.into()), fresh)
                .map(Some);
        }
    }
    if !problems.is_empty() {
        return invalid(t, &problems);
    }
    let item = match result {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(t),
        Err(e) => return refused(t, e),
    };
    let (response, status) = succeeded(t.op);
    let body = response
        .filter(|r| !r.media.is_empty())
        .map(|r| shape::item_body(t.doc, t.snap_id, t.resource, schema_of(Some(r)), item, seed));
    reply_with(t, response, status, body.as_ref())
}

/// Names of query parameters that page a list.
const LIMITS: [&str; 6] = [
    "limit",
    "per_page",
    "perPage",
    "page_size",
    "pageSize",
    "size",
];

fn list(t: &Target<'_>) -> Reply {
    let query = crate::wire::form_pairs(t.req.query);
    let declared: Vec<&crate::model::Parameter> =
        t.op.parameters
            .iter()
            .filter(|p| p.location == ParamIn::Query)
            .collect();
    let is_declared = |n: &str| declared.iter().any(|p| p.name == n);
    let given = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let number = |n: &str| given(n).and_then(|v| v.trim().parse::<usize>().ok());
    let default_of = |n: &str| {
        declared
            .iter()
            .find(|p| p.name == n)
            .and_then(|p| p.schema.as_ref())
            .and_then(|s| rs::keyword(&t.doc.root, s, "default").and_then(Value::as_u64))
            .and_then(|v| usize::try_from(v).ok())
    };
    let limit_name = LIMITS.iter().copied().find(|n| is_declared(n));
    let limit = limit_name.and_then(|n| number(n).or_else(|| default_of(n)));
    let paged_by_number = is_declared("page");
    let cursor_declared = is_declared("cursor");
    let page = paged_by_number.then(|| number("page").unwrap_or(1).max(1));
    let offset = if let Some(p) = page {
        (p - 1).saturating_mul(limit.unwrap_or(0))
    } else if cursor_declared && given("cursor").is_some() {
        given("cursor").and_then(|c| c.parse().ok()).unwrap_or(0)
    } else if is_declared("offset") {
        number("offset").unwrap_or(0)
    } else {
        0
    };
    // Equality filters: declared query parameters named like an item property.
    let props: Vec<String> = t
        .resource
        .item_schema
        .as_deref()
        .and_then(|p| rs::at(&t.doc.root, p))
        .map(|(s, at)| {
            rs::properties(&t.doc.root, s, &at)
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        })
        .unwrap_or_default();
    let paging = ["page", "offset", "cursor"];
    let filters: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| is_declared(k) && props.contains(k))
        .filter(|(k, _)| !LIMITS.contains(&k.as_str()) && !paging.contains(&k.as_str()))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let keep = |item: &Value| {
        filters.iter().all(|(k, want)| match item.get(*k) {
            Some(Value::String(s)) => s == want,
            Some(Value::Array(a)) => a.iter().any(|x| text_of(x).as_deref() == Some(*want)),
            Some(v) => text_of(v).as_deref() == Some(*want),
            None => false,
        })
    };
    let page_items = t
        .ask
        .store
        .list(&t.coll, &keep, offset, limit.unwrap_or(usize::MAX));
    let end = offset.saturating_add(page_items.items.len());
    // A next page only when the operation declares a way to ask for it.
    let pageable = paged_by_number || cursor_declared || is_declared("offset");
    let more = end < page_items.total && limit.is_some() && pageable;
    let next = more.then(|| {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| !paging.contains(&k.as_str()))
            .cloned()
            .collect();
        match (page, cursor_declared) {
            (Some(p), _) => pairs.push(("page".into(), (p + 1).to_string())),
            (None, true) => pairs.push(("cursor".into(), end.to_string())),
            (None, false) => pairs.push(("offset".into(), end.to_string())),
        }
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    crate::wire::percent_encode_segment(k),
                    crate::wire::percent_encode_segment(v)
                )
            })
            .collect();
        format!("{}?{}", t.req.path, q.join("&"))
    });
    let next_cursor = (more && cursor_declared).then(|| end.to_string());
    let total = page_items.total;
    let listed = Listed {
        items: page_items.items,
        total,
        offset,
        limit,
        page,
        next,
        next_cursor,
    };
    let (response, status) = succeeded(t.op);
    let body = shape::list_body(t.doc, t.snap_id, t.resource, schema_of(response), listed);
    let mut reply = reply_with(t, response, status, Some(&body));
    for name in ["X-Total-Count", "Total-Count", "X-Total"] {
        if let Some(declared) = declares_header(response, name) {
            set_header(&mut reply, &declared, &total.to_string());
        }
    }
    reply.why.state = Some(format!(
        "list {} ({total} items)",
        scoped(t.resource, t.coll.scope)
    ));
    reply
}

/// An identifier from the path as it is stored: an integer identifier written as
/// the number it is (`/pets/007` is pet 7).
fn canonical_id(resource: &Resource, text: &str) -> String {
    match (resource.id_kind, text.trim().parse::<i64>()) {
        (IdKind::Integer, Ok(n)) => n.to_string(),
        _ => text.to_string(),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Bool(b) => Some(b.to_string()),
        other => id_text(other),
    }
}

/// A version-4 uuid from a random number.
fn uuid(entropy: u64) -> String {
    let b = entropy.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    crate::generate::uuid_v4(entropy, b)
}
