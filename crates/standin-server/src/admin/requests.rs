//! `/__admin/requests` (the journal as WireMock's serve events and logged requests)
//! and `/__admin/near-misses`.
//!
//! Each serve event carries, beside WireMock's fields, standin's `why`: the kind of
//! source that answered, the operation or saved example, violations, the note of an
//! answer of standin's own and the near misses recorded when it was answered. A
//! truncated body is marked `bodyTruncated: true` with its full `bodySize`.
//!
//! Near misses are computed when asked, against the stubs as they are now, with the
//! stub set's own budget, at most 3 per request (WireMock's `NEAR_MISS_COUNT`).

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use serde_json::{Map, Value, json};
use standin_core::exchange::Why;
use standin_stubs::matcher::ValuePattern;
use standin_stubs::pattern::{RequestPattern, split_query};

use super::{
    Admin, bad_request, error, invalid, invalid_stub, json_response, not_found, ok_empty_json,
    parsed_param, query_param, read_json, uuid_param,
};
use crate::journal::{Captured, Entry, unix_ms};

/// WireMock's `NearMissCalculator.NEAR_MISS_COUNT`.
const NEAR_MISSES: usize = 3;

/// `2024-05-01T10:20:30.123Z` (Java's `ISO_ZONED_DATE_TIME` of a UTC instant): the
/// core's RFC 3339 form, with the fraction as Java prints it (trailing zeros dropped,
/// none at all on a whole second).
pub(crate) fn iso_date(ms: u64) -> String {
    let full = standin_core::saved::template::iso(ms);
    let Some((whole, millis)) = full.strip_suffix('Z').and_then(|s| s.rsplit_once('.')) else {
        return full;
    };
    match millis.trim_end_matches('0') {
        "" => format!("{whole}Z"),
        fraction => format!("{whole}.{fraction}Z"),
    }
}

/// Headers as WireMock writes them: one value as a string, several as an array.
pub(crate) fn headers_json(headers: &HeaderMap) -> Value {
    let mut out = Map::new();
    for name in headers.keys() {
        let values: Vec<Value> = headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let v = if values.len() == 1 {
            values.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(values)
        };
        out.insert(name.as_str().to_string(), v);
    }
    Value::Object(out)
}

/// `{k: {key, values}}` (WireMock's `QueryParameter`/`FormParameter`).
fn params_json(pairs: Vec<(String, String)>) -> Value {
    let mut out: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        let entry = out
            .entry(k.clone())
            .or_insert_with(|| json!({"key": k, "values": []}));
        if let Some(values) = entry.get_mut("values").and_then(Value::as_array_mut) {
            values.push(Value::String(v));
        }
    }
    Value::Object(out)
}

fn cookies_json(headers: &HeaderMap) -> Value {
    let mut out: Map<String, Value> = Map::new();
    for v in headers.get_all(http::header::COOKIE) {
        for pair in String::from_utf8_lossy(v.as_bytes()).split(';') {
            let Some((k, v)) = pair.trim().split_once('=') else {
                continue;
            };
            let v = Value::String(v.trim().to_string());
            match out.get_mut(k.trim()) {
                Some(Value::Array(a)) => a.push(v),
                Some(first) => *first = Value::Array(vec![first.clone(), v]),
                None => {
                    out.insert(k.trim().to_string(), v);
                }
            }
        }
    }
    Value::Object(out)
}

pub(crate) fn body_fields(out: &mut Map<String, Value>, body: &Captured) {
    out.insert(
        "body".into(),
        Value::String(String::from_utf8_lossy(&body.bytes).into_owned()),
    );
    out.insert(
        "bodyAsBase64".into(),
        Value::String(BASE64.encode(&body.bytes)),
    );
    if body.truncated() {
        out.insert("bodyTruncated".into(), Value::Bool(true));
        out.insert("bodySize".into(), json!(body.size));
    }
}

/// WireMock's `LoggedRequest` of a journal entry.
pub(crate) fn logged_request(e: &Entry) -> Value {
    let host_header = e.host().unwrap_or("localhost").to_string();
    let (host, port) = match host_header.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => match p.parse::<u16>() {
            Ok(p) => (h.to_string(), p),
            Err(_) => (host_header.clone(), 80),
        },
        _ => (host_header.clone(), 80),
    };
    let form = e
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("application/x-www-form-urlencoded"));
    let mut out = Map::new();
    out.insert("id".into(), json!(e.id.to_string()));
    out.insert("url".into(), json!(e.url()));
    out.insert(
        "absoluteUrl".into(),
        json!(format!("{}://{host_header}{}", e.scheme(), e.url())),
    );
    out.insert("method".into(), json!(e.method.as_str()));
    out.insert(
        "clientIp".into(),
        json!(e.peer.ip().to_canonical().to_string()),
    );
    out.insert("headers".into(), headers_json(&e.headers));
    out.insert("cookies".into(), cookies_json(&e.headers));
    out.insert("browserProxyRequest".into(), json!(false));
    out.insert("loggedDate".into(), json!(e.at_unix_ms()));
    out.insert("loggedDateString".into(), json!(iso_date(e.at_unix_ms())));
    body_fields(&mut out, &e.body);
    out.insert("protocol".into(), json!(format!("{:?}", e.version)));
    out.insert("scheme".into(), json!(e.scheme()));
    out.insert("host".into(), json!(host));
    out.insert("port".into(), json!(port));
    out.insert(
        "queryParams".into(),
        params_json(e.query().map(split_query).unwrap_or_default()),
    );
    out.insert(
        "formParams".into(),
        params_json(if form {
            split_query(&String::from_utf8_lossy(&e.body.bytes))
        } else {
            Vec::new()
        }),
    );
    Value::Object(out)
}

/// standin's account of why an answer was chosen.
pub(crate) fn why_json(why: &Why) -> Value {
    let mut out = Map::new();
    out.insert("answerer".into(), json!(why.answerer.as_str()));
    let mut opt = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            out.insert(k.into(), json!(v));
        }
    };
    opt("operation", &why.operation);
    opt("example", &why.example);
    opt("violations", &why.violations);
    opt("source", &why.source);
    opt("stub", &why.stub);
    opt("state", &why.state);
    if let Some(note) = why.note {
        out.insert("note".into(), json!(note));
    }
    if !why.near.is_empty() {
        out.insert(
            "nearMisses".into(),
            Value::Array(
                why.near
                    .iter()
                    .map(|n| {
                        json!({
                            "answerer": n.answerer.as_str(),
                            "label": n.label,
                            "distance": n.distance,
                            "reasons": n.reasons,
                        })
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(out)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// WireMock's `ServeEvent` of a journal entry, with `why` beside it.
pub(crate) fn serve_event(admin: &Admin, e: &Entry) -> Value {
    let stub = e.why.stub.as_deref().and_then(|id| admin.registry.get(id));
    let mut out = Map::new();
    out.insert("id".into(), json!(e.id.to_string()));
    out.insert("request".into(), logged_request(e));
    let matched = e.was_matched();
    match &stub {
        Some(stub) => {
            out.insert("stubMapping".into(), stub.to_json());
            let mut def = stub.response.to_json();
            if let Value::Object(d) = &mut def {
                d.entry("status").or_insert(json!(200));
                d.insert("fromConfiguredStub".into(), json!(true));
            }
            out.insert("responseDefinition".into(), def);
        }
        None => {
            if let Some(id) = &e.why.stub {
                // The stub that answered has since been removed or changed id.
                out.insert("stubMapping".into(), json!({ "id": id, "uuid": id }));
            }
            out.insert(
                "responseDefinition".into(),
                json!({ "status": e.response.status, "fromConfiguredStub": matched }),
            );
        }
    }
    let mut response = Map::new();
    response.insert("status".into(), json!(e.response.status));
    response.insert("headers".into(), headers_json(&e.response.headers));
    body_fields(&mut response, &e.response.body);
    if let Some(f) = e.response.fault {
        response.insert("fault".into(), json!(f.as_str()));
    }
    if let Some(file) = &e.response.body_file {
        response.insert("bodyFileName".into(), json!(file.display().to_string()));
    }
    out.insert("response".into(), Value::Object(response));
    out.insert("wasMatched".into(), json!(matched));
    let process = millis(e.elapsed);
    out.insert(
        "timing".into(),
        json!({
            "addedDelay": e.response.delay_ms,
            "processTime": process,
            "responseSendTime": 0,
            "serveTime": process,
            "totalTime": process + e.response.delay_ms,
        }),
    );
    let calls = admin.journal.calls().of_event(e.id);
    out.insert(
        "subEvents".into(),
        super::outbound::sub_events(&calls, e.at),
    );
    out.insert("why".into(), why_json(&e.why));
    Value::Object(out)
}

fn pattern_of(body: &Bytes) -> Result<RequestPattern, Response<Bytes>> {
    let v = read_json(body)?;
    RequestPattern::parse(&v, "").map_err(|e| invalid_stub(&e))
}

fn disabled(admin: &Admin) -> bool {
    !admin.journal.enabled()
}

fn events(admin: &Admin, entries: &[Arc<Entry>]) -> Value {
    Value::Array(entries.iter().map(|e| serve_event(admin, e)).collect())
}

fn requests_json(entries: &[Arc<Entry>]) -> Value {
    Value::Array(entries.iter().map(|e| logged_request(e)).collect())
}

/// The `limit` query parameter: 400 when it is not a count.
fn limit_param(req: &Request<Bytes>) -> Result<Option<usize>, Response<Bytes>> {
    parsed_param(
        req,
        "limit",
        |l| l.trim().parse::<usize>().ok(),
        |l| {
            error(
                400,
                10,
                None,
                "limit must be 0 or greater",
                &format!("got {l:?}"),
            )
        },
    )
}

/// `GET /requests?limit=` of a journal shared by replicas: every replica's requests,
/// newest first, read from the shared stream.
fn shared_list(admin: &Admin, req: &Request<Bytes>) -> Response<Bytes> {
    let p = match list_params(req) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let Some(feed) = &admin.feed else {
        return list(admin, req);
    };
    let filtered = p.only_unmatched || p.stub.is_some() || p.since.is_some();
    let events = match feed.list(if filtered { None } else { p.limit }) {
        Ok((events, total)) if !filtered => {
            return json_response(
                200,
                &json!({
                    "requests": events,
                    "meta": { "total": total },
                    "requestJournalDisabled": false,
                }),
            );
        }
        Ok((events, _)) => events,
        Err(e) => return store_unreachable(&e),
    };
    let since_ms = p.since.map(unix_ms);
    let kept: Vec<&Value> = events
        .iter()
        .filter(|e| !p.only_unmatched || e["wasMatched"] == json!(false))
        .filter(|e| {
            p.stub.as_deref().is_none_or(|id| {
                e["stubMapping"]["id"]
                    .as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(id))
            })
        })
        .collect();
    let total = kept.len();
    let page: Vec<&Value> = kept
        .into_iter()
        .filter(|e| {
            since_ms.is_none_or(|s| e["request"]["loggedDate"].as_u64().is_some_and(|t| t > s))
        })
        .take(p.limit.unwrap_or(usize::MAX))
        .collect();
    json_response(
        200,
        &json!({
            "requests": page,
            "meta": { "total": total },
            "requestJournalDisabled": false,
        }),
    )
}

/// 503 naming the shared store that did not answer.
fn store_unreachable(detail: &str) -> Response<Bytes> {
    error(503, 503, None, "The shared store is unreachable", detail)
}

/// `GET /requests?limit=&since=&unmatched=true&matchingStub=`.
/// The filters of `GET /requests`.
struct ListParams {
    limit: Option<usize>,
    since: Option<std::time::SystemTime>,
    stub: Option<String>,
    only_unmatched: bool,
}

/// `limit`, `since`, `matchingStub` and `unmatched`, or the 400 of one that does not parse.
fn list_params(req: &Request<Bytes>) -> Result<ListParams, Response<Bytes>> {
    let params = (
        limit_param(req),
        parsed_param(
            req,
            "since",
            |s| {
                standin_stubs::date::parse_instant(s).map(|t| {
                    UNIX_EPOCH
                        + Duration::from_millis(u64::try_from(t.timestamp_millis()).unwrap_or(0))
                })
            },
            |s| bad_request(&format!("since must be an ISO-8601 date, got {s:?}")),
        ),
        parsed_param(
            req,
            "matchingStub",
            |id| standin_stubs::stub::is_uuid(id).then(|| id.to_ascii_lowercase()),
            |id| {
                error(
                    400,
                    15,
                    None,
                    &format!("Query parameter matchingStub value '{id}' is not a valid UUID"),
                    "",
                )
            },
        ),
    );
    let (limit, since, stub) = match params {
        (Ok(limit), Ok(since), Ok(stub)) => (limit, since, stub),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(e),
    };
    Ok(ListParams {
        limit,
        since,
        stub,
        only_unmatched: query_param(req, "unmatched").is_some_and(|v| v == "true"),
    })
}

fn list(admin: &Admin, req: &Request<Bytes>) -> Response<Bytes> {
    let ListParams {
        limit,
        since,
        stub,
        only_unmatched,
    } = match list_params(req) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let all = admin.journal.filter(|e| {
        (!only_unmatched || !e.was_matched())
            && stub.as_deref().is_none_or(|id| {
                e.why
                    .stub
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(id))
            })
    });
    let total = all.len();
    let page: Vec<Arc<Entry>> = all
        .into_iter()
        .filter(|e| since.is_none_or(|s| e.at > s))
        .take(limit.unwrap_or(usize::MAX))
        .collect();
    json_response(
        200,
        &json!({
            "requests": events(admin, &page),
            "meta": { "total": total },
            "requestJournalDisabled": disabled(admin),
        }),
    )
}

/// A request described as WireMock's `LoggedRequest` JSON, owned, to evaluate.
struct Described {
    method: Method,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn describe(v: &Value) -> Result<Described, Response<Bytes>> {
    let method = v.get("method").and_then(Value::as_str).unwrap_or("GET");
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| invalid("/method", &format!("{method:?} is not an HTTP method")))?;
    let url = v
        .get("url")
        .and_then(Value::as_str)
        .or_else(|| {
            v.get("absoluteUrl")
                .and_then(Value::as_str)
                .and_then(|u| u.split_once("://").map(|(_, r)| r))
                .map(|r| r.find('/').map_or("/", |i| &r[i..]))
        })
        .unwrap_or("/");
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (url.to_string(), None),
    };
    let mut headers = HeaderMap::new();
    if let Some(Value::Object(hs)) = v.get("headers") {
        for (k, val) in hs {
            let values: Vec<&str> = match val {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for s in values {
                let name = http::header::HeaderName::from_bytes(k.as_bytes())
                    .map_err(|_| invalid(&format!("/headers/{k}"), "not a valid header name"))?;
                let value = http::header::HeaderValue::from_str(s)
                    .map_err(|_| invalid(&format!("/headers/{k}"), "not a valid header value"))?;
                headers.append(name, value);
            }
        }
    }
    if let Some(Value::Object(cs)) = v.get("cookies") {
        let pairs: Vec<String> = cs
            .iter()
            .flat_map(|(k, val)| match val {
                Value::String(s) => vec![format!("{k}={s}")],
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| format!("{k}={s}"))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        if !pairs.is_empty()
            && let Ok(value) = http::header::HeaderValue::from_str(&pairs.join("; "))
        {
            headers.append(http::header::COOKIE, value);
        }
    }
    let body = match (v.get("bodyAsBase64").and_then(Value::as_str), v.get("body")) {
        (Some(b64), _) if !b64.is_empty() => BASE64
            .decode(b64)
            .map_err(|e| invalid("/bodyAsBase64", &format!("not base64: {e}")))?,
        (_, Some(Value::String(s))) => s.clone().into_bytes(),
        _ => Vec::new(),
    };
    Ok(Described {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn near_misses_for_request(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let d = match describe(&v) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let req = standin_core::Request {
        method: &d.method,
        path: &d.path,
        query: d.query.as_deref(),
        headers: &d.headers,
        body: &d.body,
        now_unix_ms: unix_ms(std::time::SystemTime::now()),
        peer: None,
    };
    let set = admin.registry.current();
    let misses: Vec<Value> = set
        .near_misses(&req, NEAR_MISSES)
        .into_iter()
        .map(|(stub, m)| {
            json!({
                "request": v,
                "stubMapping": stub.to_json(),
                "matchResult": { "distance": m.distance },
            })
        })
        .collect();
    json_response(200, &json!({ "nearMisses": misses }))
}

fn near_misses_for_pattern(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let pattern = match pattern_of(body) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut scored: Vec<(f64, Arc<Entry>)> = admin
        .journal
        .all()
        .into_iter()
        .map(|e| (pattern.evaluate(&e.request()).distance, e))
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pattern_json = pattern.to_json();
    let misses: Vec<Value> = scored
        .into_iter()
        .take(NEAR_MISSES)
        .map(|(distance, e)| {
            json!({
                "request": logged_request(&e),
                "requestPattern": pattern_json,
                "matchResult": { "distance": distance },
            })
        })
        .collect();
    json_response(200, &json!({ "nearMisses": misses }))
}

fn near_misses_for_unmatched(admin: &Admin) -> Response<Bytes> {
    let set = admin.registry.current();
    let mut misses = Vec::new();
    for e in admin.journal.unmatched() {
        let logged = logged_request(&e);
        for (stub, m) in set.near_misses(&e.request(), NEAR_MISSES) {
            misses.push(json!({
                "request": logged,
                "stubMapping": stub.to_json(),
                "matchResult": { "distance": m.distance },
            }));
        }
    }
    json_response(200, &json!({ "nearMisses": misses }))
}

/// Routes `/near-misses/...`.
pub(crate) fn route_near_misses(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), rest) {
        ("POST", ["request"]) => near_misses_for_request(admin, req.body()),
        ("POST", ["request-pattern"]) => near_misses_for_pattern(admin, req.body()),
        _ => return None,
    })
}

/// Routes `/requests/...`.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    let journal = &admin.journal;
    Some(match (method.as_str(), rest) {
        ("GET", [] | [""]) if admin.feed.is_some() => shared_list(admin, req),
        ("GET", [] | [""]) => list(admin, req),
        ("DELETE", [] | [""]) | ("POST", ["reset"]) if admin.feed.is_some() => {
            admin.clear_journal();
            match admin.feed.as_ref().map(|f| f.clear()) {
                Some(Err(e)) => store_unreachable(&e),
                _ => ok_empty_json(),
            }
        }
        ("DELETE", [] | [""]) | ("POST", ["reset"]) => {
            admin.clear_journal();
            ok_empty_json()
        }
        ("POST", ["count"]) => match pattern_of(req.body()) {
            Ok(p) if disabled(admin) => {
                drop(p);
                json_response(200, &json!({"count": -1, "requestJournalDisabled": true}))
            }
            Ok(p) => json_response(
                200,
                &json!({"count": journal.count_matching(&p), "requestJournalDisabled": false}),
            ),
            Err(e) => e,
        },
        ("POST", ["find"]) => match pattern_of(req.body()) {
            Ok(p) => json_response(
                200,
                &json!({
                    "requests": requests_json(&journal.find_matching(&p)),
                    "requestJournalDisabled": disabled(admin),
                }),
            ),
            Err(e) => e,
        },
        ("GET", ["unmatched"]) => json_response(
            200,
            &json!({
                "requests": requests_json(&journal.unmatched()),
                "requestJournalDisabled": disabled(admin),
            }),
        ),
        ("GET", ["unmatched", "near-misses"]) => near_misses_for_unmatched(admin),
        ("POST", ["remove"]) => match pattern_of(req.body()) {
            Ok(p) => {
                let removed = journal.remove_matching(&p);
                json_response(200, &json!({ "serveEvents": events(admin, &removed) }))
            }
            Err(e) => e,
        },
        ("POST", ["remove-by-metadata"]) => {
            let pattern = match read_json(req.body()).and_then(|v| {
                ValuePattern::parse(&v, "").map_err(|e| invalid(&e.pointer, &e.message))
            }) {
                Ok(p) => p,
                Err(e) => return Some(e),
            };
            // Entries answered by a stub whose metadata matches (the stub as it is now).
            let ids: Vec<String> = admin
                .registry
                .find_by_metadata(&pattern)
                .iter()
                .map(|s| s.id.clone())
                .collect();
            let removed = journal.remove_where(|e| {
                e.why
                    .stub
                    .as_deref()
                    .is_some_and(|s| ids.iter().any(|id| id.eq_ignore_ascii_case(s)))
            });
            json_response(200, &json!({ "serveEvents": events(admin, &removed) }))
        }
        ("GET" | "DELETE", [id]) => {
            let id = match uuid_param(id) {
                Ok(id) => id,
                Err(e) => return Some(e),
            };
            if method == Method::GET {
                match journal.get(id) {
                    Some(e) => json_response(200, &serve_event(admin, &e)),
                    None => not_found(&format!("no request in the journal has id {id}")),
                }
            } else {
                journal.remove(id);
                ok_empty_json()
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn dates_are_iso_8601_utc() {
        assert_eq!(iso_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_date(1_715_000_000_123), "2024-05-06T12:53:20.123Z");
        assert_eq!(iso_date(951_782_400_500), "2000-02-29T00:00:00.5Z");
        assert_eq!(iso_date(86_400_010), "1970-01-02T00:00:00.01Z");
    }

    #[test]
    fn the_journal_lists_serve_events_newest_first() {
        let f = fixture();
        let a = &f.admin;
        serve(a, "GET", "/hello", "", &[("cookie", "s=1; t=2")]);
        serve(
            a,
            "POST",
            "/missing?q=a+b&q=c",
            "k=v",
            &[("content-type", "application/x-www-form-urlencoded")],
        );
        let (status, v, _) = call(a, "GET", "/__admin/requests", "");
        assert_eq!(status, 200);
        assert_eq!(v["meta"]["total"], 2);
        assert_eq!(v["requestJournalDisabled"], false);
        let missing = &v["requests"][0];
        assert_eq!(missing["wasMatched"], false);
        assert_eq!(missing["request"]["url"], "/missing?q=a+b&q=c");
        assert_eq!(
            missing["request"]["queryParams"]["q"],
            json!({"key": "q", "values": ["a b", "c"]})
        );
        assert_eq!(
            missing["request"]["absoluteUrl"],
            "http://localhost:8080/missing?q=a+b&q=c"
        );
        assert_eq!(
            missing["request"]["formParams"]["k"]["values"],
            json!(["v"])
        );
        assert_eq!(missing["why"]["note"], "no-stub-matched");
        assert!(missing.get("stubMapping").is_none());
        let hello = &v["requests"][1];
        assert_eq!(hello["wasMatched"], true);
        assert_eq!(
            hello["stubMapping"]["id"],
            "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
        );
        assert_eq!(hello["responseDefinition"]["body"], "hi");
        assert_eq!(hello["response"]["status"], 200);
        assert_eq!(hello["why"]["answerer"], "stub");
        let r = &hello["request"];
        assert_eq!(r["method"], "GET");
        assert_eq!(r["clientIp"], "10.0.0.9");
        assert_eq!(r["host"], "localhost");
        assert_eq!(r["port"], 8080);
        assert_eq!(r["queryParams"], json!({}));
        assert_eq!(r["cookies"], json!({"s": "1", "t": "2"}));
        assert_eq!(r["headers"]["cookie"], "s=1; t=2");
        assert_eq!(r["protocol"], "HTTP/1.1");
        assert!(r["loggedDate"].is_u64());
        assert!(r["loggedDateString"].as_str().unwrap().ends_with('Z'));
        assert_eq!(r["browserProxyRequest"], false);

        let (_, page, _) = call(a, "GET", "/__admin/requests?limit=1", "");
        assert_eq!(page["requests"].as_array().unwrap().len(), 1);
        assert_eq!(page["meta"]["total"], 2);
        let (_, later, _) = call(a, "GET", "/__admin/requests?since=2999-01-01T00:00:00Z", "");
        assert!(later["requests"].as_array().unwrap().is_empty());
        let (status, _, _) = call(a, "GET", "/__admin/requests?since=yesterday", "");
        assert_eq!(status, 400);
        let (_, only, _) = call(a, "GET", "/__admin/requests?unmatched=true", "");
        assert_eq!(only["meta"]["total"], 1);
        let (_, by_stub, _) = call(
            a,
            "GET",
            "/__admin/requests?matchingStub=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
            "",
        );
        assert_eq!(by_stub["requests"][0]["request"]["url"], "/hello");
        assert_eq!(by_stub["meta"]["total"], 1);
    }

    #[test]
    fn get_and_delete_one_request() {
        let f = fixture();
        let a = &f.admin;
        serve(a, "GET", "/hello", "", &[]);
        let id = a.journal.all()[0].id.to_string();
        let (status, v, _) = call(a, "GET", &format!("/__admin/requests/{id}"), "");
        assert_eq!((status, v["id"].clone()), (200, json!(id)));
        let (status, _, _) = call(a, "DELETE", &format!("/__admin/requests/{id}"), "");
        assert_eq!(status, 200);
        let (status, _, _) = call(a, "GET", &format!("/__admin/requests/{id}"), "");
        assert_eq!(status, 404);
        let (status, _, _) = call(a, "GET", "/__admin/requests/xyz", "");
        assert_eq!(status, 400);
    }

    #[test]
    fn count_find_unmatched_remove_and_reset() {
        let f = fixture();
        let a = &f.admin;
        serve(a, "GET", "/hello", "", &[]);
        serve(a, "GET", "/hello", "", &[]);
        serve(a, "POST", "/other", "{\"a\":1}", &[]);
        let (status, v, _) = call(
            a,
            "POST",
            "/__admin/requests/count",
            r#"{"method":"GET","url":"/hello","extra":true}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(v, json!({"count": 2, "requestJournalDisabled": false}));
        let (_, v, _) = call(
            a,
            "POST",
            "/__admin/requests/find",
            r#"{"bodyPatterns":[{"equalToJson":{"a":1}}]}"#,
        );
        assert_eq!(v["requests"].as_array().unwrap().len(), 1);
        assert_eq!(v["requests"][0]["url"], "/other");
        let (_, v, _) = call(a, "GET", "/__admin/requests/unmatched", "");
        assert_eq!(v["requests"][0]["url"], "/other");
        let (status, v, _) = call(a, "POST", "/__admin/requests/count", r#"{"url": 5}"#);
        assert_eq!(status, 422, "{v}");
        let (_, v, _) = call(a, "POST", "/__admin/requests/remove", r#"{"url":"/other"}"#);
        assert_eq!(v["serveEvents"].as_array().unwrap().len(), 1);
        assert_eq!(a.journal.len(), 2);
        let (_, v, _) = call(
            a,
            "POST",
            "/__admin/requests/remove-by-metadata",
            r#"{"matchesJsonPath":"$.team"}"#,
        );
        assert_eq!(v["serveEvents"].as_array().unwrap().len(), 2);
        serve(a, "GET", "/hello", "", &[]);
        let (status, _, _) = call(a, "POST", "/__admin/requests/reset", "");
        assert_eq!(status, 200);
        assert!(a.journal.is_empty());
        serve(a, "GET", "/hello", "", &[]);
        let (status, _, _) = call(a, "DELETE", "/__admin/requests", "");
        assert_eq!(status, 200);
        assert!(a.journal.is_empty());
    }

    #[test]
    fn a_disabled_journal_says_so() {
        let f = fixture();
        let a = super::super::Admin::new(
            f.admin.registry.clone(),
            Arc::new(crate::journal::Journal::disabled()),
            f.admin.store.clone(),
            None,
        );
        serve(&a, "GET", "/hello", "", &[]);
        let (_, v, _) = call(&a, "POST", "/__admin/requests/count", "{}");
        assert_eq!(v, json!({"count": -1, "requestJournalDisabled": true}));
        let (_, v, _) = call(&a, "GET", "/__admin/requests", "");
        assert_eq!(v["requestJournalDisabled"], true);
    }

    #[test]
    fn near_misses_of_unmatched_requests_requests_and_patterns() {
        let f = fixture();
        let a = &f.admin;
        serve(a, "GET", "/helo", "", &[]);
        let (status, v, _) = call(a, "GET", "/__admin/requests/unmatched/near-misses", "");
        assert_eq!(status, 200);
        let misses = v["nearMisses"].as_array().unwrap();
        assert_eq!(misses.len(), 1);
        assert_eq!(misses[0]["request"]["url"], "/helo");
        assert_eq!(misses[0]["stubMapping"]["request"]["url"], "/hello");
        let d = misses[0]["matchResult"]["distance"].as_f64().unwrap();
        assert!(d > 0.0 && d < 1.0);

        let (status, v, _) = call(
            a,
            "POST",
            "/__admin/near-misses/request",
            r#"{"url":"/hellp","method":"GET","headers":{"X":"1"},"loggedDate":0}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(
            v["nearMisses"][0]["stubMapping"]["request"]["url"],
            "/hello"
        );
        assert_eq!(v["nearMisses"][0]["request"]["url"], "/hellp");

        serve(a, "GET", "/hello", "", &[]);
        let (status, v, _) = call(
            a,
            "POST",
            "/__admin/near-misses/request-pattern",
            r#"{"url":"/hellx","method":"GET"}"#,
        );
        assert_eq!(status, 200);
        let misses = v["nearMisses"].as_array().unwrap();
        assert_eq!(misses.len(), 2);
        assert_eq!(misses[0]["requestPattern"]["url"], "/hellx");
        assert!(
            misses[0]["matchResult"]["distance"].as_f64().unwrap()
                <= misses[1]["matchResult"]["distance"].as_f64().unwrap()
        );
        let (status, _, _) = call(a, "POST", "/__admin/near-misses/request", "[1,");
        assert_eq!(status, 422);
    }
}
