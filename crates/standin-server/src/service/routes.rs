//! The service's own admin routes and its 404.
//!
//! - `POST /__admin/mocks` (`multipart/form-data`: one part per file, with its file
//!   name, and an optional `settings` JSON part) creates a mock: 201 with `id`, `name`,
//!   `urls`, `diagnostics`; a source with errors is 422 with its diagnostics and
//!   nothing is installed.
//! - `GET /__admin/mocks` lists every mock; `GET`, `PATCH` (settings, merged; `null`
//!   removes one) and `DELETE /__admin/mocks/{id or name}` read, change and remove
//!   one; `PUT /__admin/mocks/{id}/sources` replaces its files.
//! - `GET /__admin/metrics`: Prometheus text; `GET /__admin/health`: open to any
//!   client (probes), the mocks and the store's state.
//!
//! Access is the admin API's: loopback clients, others with the bearer token.

use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::{Map, Value, json};
use standin_core::Diagnostic;

use super::catalog::{self, Definition, Refusal};
use super::{Prepared, Service};
use crate::body::ReplyBody;

/// Whether a path is one of the service's admin routes.
pub(crate) fn claims(path: &str) -> bool {
    path == "/__admin/mocks"
        || path.starts_with("/__admin/mocks/")
        || path == "/__admin/metrics"
        || path == "/__admin/health"
}

fn respond(status: u16, content_type: &str, body: Vec<u8>) -> Response<ReplyBody> {
    let mut res = Response::new(ReplyBody::full(Bytes::from(body)));
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = http::HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

fn json_response(status: u16, v: &Value) -> Response<ReplyBody> {
    respond(
        status,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

/// A problem+json answer.
fn problem(
    status: u16,
    kind: &str,
    title: &str,
    detail: &str,
    extra: Value,
) -> Response<ReplyBody> {
    let mut body = json!({
        "type": format!("https://standin.dev/problems/{kind}"),
        "title": title,
        "status": status,
        "detail": detail,
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    respond(
        status,
        "application/problem+json",
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

fn refused(r: &Refusal) -> Response<ReplyBody> {
    let extra = match &r.pointer {
        Some(p) => json!({ "pointer": p }),
        None => json!({}),
    };
    let title = match r.status {
        400 => "Not a mock upload",
        409 => "Name taken",
        500 => "Mock not installed",
        _ => "Mock refused",
    };
    problem(r.status, "mock-refused", title, &r.detail, extra)
}

fn store_down(e: &str) -> Response<ReplyBody> {
    problem(
        503,
        "store-unavailable",
        "The shared store is unreachable",
        e,
        json!({}),
    )
}

pub(crate) fn diagnostics_json(ds: &[Diagnostic]) -> Value {
    Value::Array(
        ds.iter()
            .map(|d| {
                json!({
                    "severity": if d.is_error() { "error" } else { "warning" },
                    "file": d.file,
                    "pointer": d.pointer,
                    "line": d.line,
                    "message": d.message,
                })
            })
            .collect(),
    )
}

/// The URLs a mock is reached at, as the client addressed this service.
fn urls(service: &Service, parts: &http::request::Parts, name: &str) -> Vec<String> {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    let mut out = vec![format!("http://{host}/mocks/{name}")];
    if let Some(domain) = &service.domain {
        let port = host
            .rsplit_once(':')
            .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, p)| format!(":{p}"))
            .unwrap_or_default();
        out.push(format!("http://{name}.{domain}{port}"));
    }
    out
}

fn mock_json(
    service: &Service,
    parts: &http::request::Parts,
    def: &Definition,
    diagnostics: &[Diagnostic],
) -> Value {
    json!({
        "id": def.id,
        "name": def.name,
        "urls": urls(service, parts, &def.name),
        "settings": def.settings_json(),
        "files": def.files.iter().map(|f| json!({"name": f.name, "size": f.bytes.len()})).collect::<Vec<_>>(),
        "version": def.version,
        "diagnostics": diagnostics_json(diagnostics),
    })
}

/// Answers a request to one of the service's admin routes.
pub(crate) async fn answer(
    service: &Service,
    parts: http::request::Parts,
    body: Incoming,
    peer: SocketAddr,
) -> Response<ReplyBody> {
    let body = match Limited::new(body, service.ctx.limits.max_body)
        .collect()
        .await
    {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            return problem(
                413,
                "body-too-large",
                "Request body too large",
                &format!(
                    "the upload could not be read: {e} (the limit is {} bytes)",
                    service.ctx.limits.max_body
                ),
                json!({}),
            );
        }
    };
    let path = parts.uri.path().to_string();
    if path == "/__admin/health" && parts.method == Method::GET {
        return health(service).await;
    }
    let req = Request::from_parts(parts.clone(), body.clone());
    if let Err(no) = crate::admin::allowed(service.token.as_deref(), &req, peer) {
        let (p, b) = no.into_parts();
        return Response::from_parts(p, ReplyBody::full(b));
    }
    if path == "/__admin/metrics" && parts.method == Method::GET {
        let text = crate::metrics::render(service).await;
        return respond(
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            text.into_bytes(),
        );
    }
    let rest = path.strip_prefix("/__admin/mocks").unwrap_or("");
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, []) => list(service, &parts),
        (&Method::POST, []) => create(service, &parts, content_type.as_deref(), &body).await,
        (&Method::GET, [id]) => match find(service, id) {
            Some(def) => {
                let d = service.directory.load();
                let diags = d
                    .runtime
                    .get(&def.id)
                    .map(|m| m.diagnostics.clone())
                    .unwrap_or_default();
                json_response(200, &mock_json(service, &parts, &def, &diags))
            }
            None => not_found(service, id),
        },
        (&Method::PATCH, [id]) => match catalog::read_settings(&body) {
            Ok(change) => change_mock(service, &parts, id, Some(change), None).await,
            Err(r) => refused(&r),
        },
        (&Method::PUT, [id, "sources"]) => {
            match catalog::read_upload(content_type.as_deref(), &body) {
                Ok((files, settings)) if files.is_empty() => {
                    let _ = settings;
                    refused(&Refusal {
                        status: 422,
                        detail: "the upload has no file parts".into(),
                        pointer: None,
                    })
                }
                Ok((files, settings)) => {
                    change_mock(service, &parts, id, settings, Some(files)).await
                }
                Err(r) => refused(&r),
            }
        }
        (&Method::DELETE, [id]) => delete(service, id).await,
        _ => problem(
            404,
            "no-admin-route",
            "No admin route",
            &format!("{} {path} is not an admin API route", parts.method),
            json!({}),
        ),
    }
}

/// A runtime mock by id or name.
fn find(service: &Service, key: &str) -> Option<Definition> {
    let d = service.directory.load();
    d.runtime
        .get(key)
        .or_else(|| d.runtime.values().find(|m| m.def.name == key))
        .map(|m| m.def.clone())
}

fn not_found(service: &Service, key: &str) -> Response<ReplyBody> {
    let configured = service
        .directory
        .load()
        .configured
        .iter()
        .any(|(n, _)| n == key);
    let detail = if configured {
        format!(
            "mock '{key}' comes from the config file; only mocks created through this API can be read, changed or removed here"
        )
    } else {
        format!("no mock created through this API has id or name '{key}'")
    };
    problem(404, "no-mock", "No such mock", &detail, json!({}))
}

fn list(service: &Service, parts: &http::request::Parts) -> Response<ReplyBody> {
    let d = service.directory.load();
    let mut mocks: Vec<Value> = d
        .configured
        .iter()
        .map(|(name, addr)| {
            let mut urls = urls(service, parts, name);
            urls.push(format!("http://{addr}"));
            json!({ "name": name, "kind": "config", "urls": urls })
        })
        .collect();
    for m in d.runtime.values() {
        let mut v = mock_json(service, parts, &m.def, &m.diagnostics);
        if let Value::Object(o) = &mut v {
            o.insert("kind".into(), json!("runtime"));
        }
        mocks.push(v);
    }
    let total = mocks.len();
    json_response(200, &json!({ "mocks": mocks, "meta": { "total": total } }))
}

/// Whether a name is free for the mock `id` (another mock, runtime or configured,
/// must not have it).
fn name_taken(service: &Service, name: &str, id: &str) -> bool {
    let d = service.directory.load();
    d.configured.iter().any(|(n, _)| n == name)
        || d.runtime
            .values()
            .any(|m| m.def.name == name && m.def.id != id)
}

async fn create(
    service: &Service,
    parts: &http::request::Parts,
    content_type: Option<&str>,
    body: &Bytes,
) -> Response<ReplyBody> {
    let (files, settings) = match catalog::read_upload(content_type, body) {
        Ok(x) => x,
        Err(r) => return refused(&r),
    };
    if files.is_empty() {
        return refused(&Refusal {
            status: 422,
            detail: "the upload has no file parts: send each source as a part with its file name"
                .into(),
            pointer: None,
        });
    }
    let settings = match catalog::check_settings(settings.unwrap_or_default(), &files) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    let id = catalog::new_id();
    let name = settings
        .get("name")
        .and_then(Value::as_str)
        .map_or_else(|| id.clone(), str::to_string);
    let def = Definition {
        id,
        name,
        settings,
        files,
        version: 0,
    };
    install(service, parts, def, 201).await
}

/// Builds and installs a definition (new or changed), persisting it in the shared
/// store first when there is one.
async fn install(
    service: &Service,
    parts: &http::request::Parts,
    mut def: Definition,
    status: u16,
) -> Response<ReplyBody> {
    let _guard = service.writes.lock().await;
    if name_taken(service, &def.name, &def.id) {
        return refused(&Refusal {
            status: 409,
            detail: format!("a mock named '{}' exists; choose another name", def.name),
            pointer: Some("/name".into()),
        });
    }
    def.version = match service.shared() {
        Some(shared) => match shared.reserve_version().await {
            Ok(v) => v,
            Err(e) => return store_down(&e),
        },
        None => {
            let d = service.directory.load();
            d.runtime.get(&def.id).map_or(1, |m| m.def.version + 1)
        }
    };
    let installed = match service.prepare(def).await {
        Ok(i) => i,
        Err(Prepared::Refused(r)) => return refused(&r),
        Err(Prepared::Broken(diagnostics)) => {
            return problem(
                422,
                "mock-refused",
                "The sources have errors",
                "the mock was not installed: fix the errors listed in `diagnostics`",
                json!({ "diagnostics": diagnostics_json(&diagnostics) }),
            );
        }
    };
    if let Some(shared) = service.shared()
        && let Err(e) = shared.save_mock(&installed.def).await
    {
        return store_down(&e);
    }
    let mut v = mock_json(service, parts, &installed.def, &installed.diagnostics);
    if let Value::Object(o) = &mut v {
        o.insert("kind".into(), json!("runtime"));
    }
    service.publish(vec![installed], &[]);
    json_response(status, &v)
}

/// `PATCH` (settings merged) or `PUT …/sources` (files replaced, settings merged).
async fn change_mock(
    service: &Service,
    parts: &http::request::Parts,
    key: &str,
    change: Option<Map<String, Value>>,
    files: Option<Vec<catalog::SourceFile>>,
) -> Response<ReplyBody> {
    let Some(mut def) = find(service, key) else {
        return not_found(service, key);
    };
    if let Some(files) = files {
        def.files = files;
    }
    let mut settings = def.settings.clone();
    for (k, v) in change.unwrap_or_default() {
        if v.is_null() {
            settings.remove(&k);
        } else {
            settings.insert(k, v);
        }
    }
    if settings.get("private").and_then(Value::as_bool) == Some(false) {
        settings.remove("apiKey");
    }
    def.settings = match catalog::check_settings(settings, &def.files) {
        Ok(s) => s,
        Err(r) => return refused(&r),
    };
    if let Some(name) = def.settings.get("name").and_then(Value::as_str) {
        def.name = name.to_string();
    }
    install(service, parts, def, 200).await
}

async fn delete(service: &Service, key: &str) -> Response<ReplyBody> {
    let _guard = service.writes.lock().await;
    let Some(def) = find(service, key) else {
        return not_found(service, key);
    };
    if let Some(shared) = service.shared() {
        if let Err(e) = shared.delete_mock(&def.id).await {
            return store_down(&e);
        }
        if let Some(m) = service.directory.load().runtime.get(&def.id) {
            m.state.store.reset_resources(None, None);
            m.state.store.reset_scenarios();
        }
    }
    service.publish(Vec::new(), std::slice::from_ref(&def.id));
    let mut res = Response::new(ReplyBody::full(Bytes::new()));
    *res.status_mut() = StatusCode::NO_CONTENT;
    res
}

async fn health(service: &Service) -> Response<ReplyBody> {
    let store = match service.shared() {
        Some(s) => json!({ "kind": "redis", "up": s.is_up() }),
        None => json!({ "kind": "memory", "up": true }),
    };
    json_response(
        200,
        &json!({
            "status": "healthy",
            "message": "standin is ok",
            "version": crate::admin::misc::VERSION,
            "uptimeInSeconds": service.started.elapsed().as_secs(),
            "timestamp": crate::admin::requests::iso_date(crate::journal::unix_ms(SystemTime::now())),
            "mocks": service.directory.load().by_name.len(),
            "store": store,
        }),
    )
}

/// The 404 of a request that names no mock: the mocks, with where they are.
pub(crate) fn no_mock(service: &Service, parts: &http::request::Parts) -> Response<ReplyBody> {
    let d = service.directory.load();
    let mocks: Vec<Value> = d
        .by_name
        .keys()
        .map(|name| json!({ "name": name, "urls": urls(service, parts, name) }))
        .collect();
    let path = parts.uri.path();
    let detail = if mocks.is_empty() {
        format!(
            "no mock answers {path}: this service has no mocks yet; create one with POST /__admin/mocks"
        )
    } else if path.starts_with("/__admin") {
        format!(
            "no mock answers {path}: a mock's admin API is under its prefix, /mocks/{{name}}/__admin; mocks: {}",
            d.by_name.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    } else {
        format!(
            "no mock answers {path}: address one as /mocks/{{name}}/…{}; mocks: {}",
            service
                .domain
                .as_ref()
                .map(|dm| format!(" or {{name}}.{dm}"))
                .unwrap_or_default(),
            d.by_name.keys().cloned().collect::<Vec<_>>().join(", ")
        )
    };
    problem(
        404,
        "no-mock",
        "No mock here",
        &detail,
        json!({ "mocks": mocks }),
    )
}
