//! Outbound calls in the admin API: the documents' 3.1 webhooks, listed and sent on
//! demand, and the journal of every call made (callbacks, webhooks, stub listeners).
//!
//! - `GET /__admin/webhooks`: the webhooks of the mock's documents.
//! - `POST /__admin/webhooks/{name}` with `{"url": ..., "method"?, "body"?, "headers"?}`:
//!   the webhook's request (its example body, or one generated from its schema; `body`
//!   replaces it, a string as is and any other JSON value as its JSON text; `headers`
//!   are added over the document's) is queued for the sender; 202.
//! - `GET /__admin/outbound` (`?limit=`), `DELETE /__admin/outbound`: the calls made,
//!   newest first, with the queue's counts.
//!
//! A serve event's `subEvents` (`GET /__admin/requests/{id}`) lists the calls it asked
//! for as WireMock lists a webhook's: `WEBHOOK_REQUEST`, then `WEBHOOK_RESPONSE` or
//! `ERROR`.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Method, Request, Response};
use serde_json::{Map, Value, json};

use super::requests::{body_fields, headers_json};
use super::{Admin, invalid, json_response, not_found, parsed_param, read_json};
use crate::calls::{CallOutcome, CallRecord};
use crate::journal::unix_ms;

/// `/__admin/webhooks...`.
pub fn route_webhooks(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method, rest) {
        (&Method::GET, [] | [""]) => list_webhooks(admin),
        (&Method::POST, [name]) if !name.is_empty() => send_webhook(admin, name, req.body()),
        _ => return None,
    })
}

/// `/__admin/outbound`.
pub fn route_outbound(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    if !matches!(rest, [] | [""]) {
        return None;
    }
    Some(match *method {
        Method::GET => list_calls(admin, req),
        Method::DELETE => {
            admin.journal.calls().clear();
            super::ok()
        }
        _ => return None,
    })
}

fn decode(name: &str) -> String {
    percent_encoding::percent_decode_str(name)
        .decode_utf8_lossy()
        .into_owned()
}

fn list_webhooks(admin: &Admin) -> Response<Bytes> {
    let mut out = Vec::new();
    if let Some(snap) = &admin.snapshot {
        let snap = snap.load();
        for doc in &snap.documents {
            for w in &doc.webhooks {
                out.push(json!({
                    "name": w.name,
                    "method": w.method.as_str(),
                    "mediaType": w.media.first().map(|m| m.media_type.clone()),
                    "document": doc.file,
                }));
            }
        }
    }
    json_response(200, &json!({ "webhooks": out }))
}

fn send_webhook(admin: &Admin, name: &str, body: &Bytes) -> Response<Bytes> {
    let name = decode(name);
    let args = match read_json(body) {
        Ok(v) => v,
        Err(refused) => return refused,
    };
    let Some(args) = args.as_object() else {
        return invalid("/", "the body must be an object: {\"url\": \"http://...\"}");
    };
    let Some(url) = args.get("url").and_then(Value::as_str) else {
        return invalid(
            "/url",
            "`url` (the webhook's target, http:// or https://) is required",
        );
    };
    let wanted = match args.get("method") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) => match Method::from_bytes(m.to_ascii_uppercase().as_bytes()) {
            Ok(m) => Some(m),
            Err(_) => return invalid("/method", &format!("{m:?} is not a method")),
        },
        Some(_) => return invalid("/method", "`method` must be a string"),
    };
    let Some(snap) = &admin.snapshot else {
        return not_found(&format!(
            "no webhook named {name:?}: the mock has no documents"
        ));
    };
    let snap = snap.load();
    let found = snap.documents.iter().find_map(|doc| {
        let of_name: Vec<_> = doc.webhooks.iter().filter(|w| w.name == name).collect();
        let def = match &wanted {
            Some(m) => of_name.into_iter().find(|w| w.method == *m),
            None => of_name
                .iter()
                .find(|w| w.method == Method::POST)
                .or(of_name.first())
                .copied(),
        };
        def.map(|d| (doc, d))
    });
    let Some((doc, def)) = found else {
        let known: Vec<String> = snap
            .documents
            .iter()
            .flat_map(|d| {
                d.webhooks
                    .iter()
                    .map(|w| format!("{} {}", w.method, w.name))
            })
            .collect();
        return not_found(&format!(
            "no webhook named {name:?}{}; the documents declare: {}",
            wanted
                .map(|m| format!(" with method {m}"))
                .unwrap_or_default(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ));
    };
    let mut call = standin_core::callback::request(doc, def, url.to_string(), rand::random(), &[]);
    // The first call of a chain (see `standin_core::callback::chain`).
    call.headers.push((
        HeaderName::from_static(standin_core::callback::DEPTH_HEADER),
        HeaderValue::from_static("1"),
    ));
    match args.get("body") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => call.body = Bytes::from(s.clone()),
        Some(other) => call.body = Bytes::from(other.to_string()),
    }
    if args.get("body").is_some_and(|b| !b.is_null()) {
        call.error = None;
    }
    match args.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (k, v) in h {
                let at = format!("/headers/{k}");
                let Ok(hn) = HeaderName::from_bytes(k.as_bytes()) else {
                    return invalid(&at, &format!("{k:?} is not a header name"));
                };
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let Ok(hv) = HeaderValue::from_str(&text) else {
                    return invalid(&at, &format!("{text:?} is not a header value"));
                };
                call.headers.retain(|(n, _)| n != hn);
                call.headers.push((hn, hv));
            }
        }
        Some(_) => return invalid("/headers", "`headers` must be an object of names to values"),
    }
    let Some(sender) = &admin.sender else {
        return not_found("this mock sends no calls");
    };
    let summary = json!({
        "webhook": def.name,
        "method": call.method.as_str(),
        "url": call.url,
        "document": doc.file,
    });
    match sender.submit(call, None, None) {
        Ok(()) => json_response(202, &summary),
        Err(dropped) => super::error(
            503,
            503,
            None,
            "Outbound queue full",
            &format!(
                "the webhook was dropped: {} calls are waiting or being sent ({} dropped so far)",
                sender.config().capacity,
                dropped.total
            ),
        ),
    }
}

fn list_calls(admin: &Admin, req: &Request<Bytes>) -> Response<Bytes> {
    let limit = match parsed_param(
        req,
        "limit",
        |l| l.trim().parse::<usize>().ok(),
        |l| {
            invalid(
                "/limit",
                &format!("limit must be a whole number, got {l:?}"),
            )
        },
    ) {
        Ok(l) => l,
        Err(refused) => return refused,
    };
    let all = admin.journal.calls().all();
    let total = all.len();
    let calls: Vec<Value> = all
        .iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|c| call_json(c))
        .collect();
    let (pending, dropped) = admin
        .sender
        .as_ref()
        .map_or((0, 0), |s| (s.pending(), s.dropped()));
    json_response(
        200,
        &json!({
            "calls": calls,
            "meta": {"total": total},
            "queue": {"pending": pending, "dropped": dropped},
        }),
    )
}

fn request_json(c: &CallRecord) -> Map<String, Value> {
    let mut request = Map::new();
    request.insert("method".into(), json!(c.method.as_str()));
    request.insert("url".into(), json!(c.url));
    request.insert("headers".into(), headers_json(&c.headers));
    body_fields(&mut request, &c.body);
    request
}

fn response_json(status: u16, headers: &http::HeaderMap, body: &crate::journal::Captured) -> Value {
    let mut response = Map::new();
    response.insert("status".into(), json!(status));
    response.insert("headers".into(), headers_json(headers));
    body_fields(&mut response, body);
    Value::Object(response)
}

/// One call's JSON in `GET /__admin/outbound`.
pub fn call_json(c: &CallRecord) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(c.id.to_string()));
    out.insert("kind".into(), json!(c.origin.as_str()));
    out.insert("name".into(), json!(c.name));
    if let Some(e) = c.event {
        out.insert("servedEventId".into(), json!(e.to_string()));
    }
    out.insert("loggedDate".into(), json!(unix_ms(c.at)));
    out.insert("request".into(), Value::Object(request_json(c)));
    out.insert("attempts".into(), json!(c.attempts));
    out.insert(
        "totalTime".into(),
        json!(u64::try_from(c.elapsed.as_millis()).unwrap_or(u64::MAX)),
    );
    match &c.outcome {
        CallOutcome::Answered {
            status,
            headers,
            body,
        } => {
            out.insert("response".into(), response_json(*status, headers, body));
        }
        CallOutcome::Failed(e) => {
            out.insert("error".into(), json!(e));
        }
    }
    Value::Object(out)
}

/// A serve event's sub-events for the calls it asked for.
pub fn sub_events(calls: &[Arc<CallRecord>], served: SystemTime) -> Value {
    let mut out = Vec::new();
    for c in calls {
        let offset =
            c.at.duration_since(served)
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let mut request = request_json(c);
        request.insert("kind".into(), json!(c.origin.as_str()));
        request.insert("id".into(), json!(c.id.to_string()));
        out.push(json!({"type": "WEBHOOK_REQUEST", "timeOffsetNanos": offset, "data": request}));
        match &c.outcome {
            CallOutcome::Answered {
                status,
                headers,
                body,
            } => out.push(json!({
                "type": "WEBHOOK_RESPONSE",
                "timeOffsetNanos": offset,
                "data": response_json(*status, headers, body),
            })),
            CallOutcome::Failed(e) => out.push(json!({
                "type": "ERROR",
                "timeOffsetNanos": offset,
                "data": {"message": e},
            })),
        }
    }
    Value::Array(out)
}
