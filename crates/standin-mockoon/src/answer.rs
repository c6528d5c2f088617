//! A loaded environment answering requests: the first route whose method and path
//! match (a `FALLBACK` route whose rules all miss passes to the next), its response
//! chosen by its mode and rules, headers and body rendered, latency added.

use std::path::Path;

use bytes::Bytes;
use handlebars::Context;
use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};
use standin_core::Diagnostic;
use standin_core::answer::{Answerer, Ask, Outcome};
use standin_core::exchange::{Kind, Reply, Request, Why};
use standin_core::state::Coll;
use standin_core::wire;

use crate::env::{self, Body, Loaded, Mode, Response, Route};
use crate::rules::{Target, at_path};

/// A Mockoon environment, compiled.
#[derive(Debug)]
pub struct Environment {
    loaded: Loaded,
    name: String,
}

/// The request as rules and templates read it.
struct Model {
    params: Map<String, Value>,
    query: Map<String, Value>,
    headers: Map<String, Value>,
    cookies: Map<String, Value>,
    body: Value,
    raw: String,
    method: String,
    query_raw: String,
}

impl Model {
    fn of(req: &Request<'_>, route: &Route, caps: &regex::Captures<'_>) -> Model {
        let mut params = Map::new();
        for (i, name) in route.params.iter().enumerate() {
            if let Some(m) = caps.get(i + 1) {
                params.insert(
                    name.clone(),
                    Value::String(wire::percent_decode(m.as_str())),
                );
            }
        }
        let mut query = Map::new();
        for (k, v) in wire::form_pairs(req.query) {
            let k = k.strip_suffix("[]").map(str::to_string).unwrap_or(k);
            match query.get_mut(&k) {
                Some(Value::Array(a)) => a.push(Value::String(v)),
                Some(old) => *old = Value::Array(vec![old.clone(), Value::String(v)]),
                None => {
                    query.insert(k, Value::String(v));
                }
            }
        }
        let mut headers = Map::new();
        let mut cookies = Map::new();
        for (k, v) in req.headers {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            if k == http::header::COOKIE {
                for pair in v.split(';') {
                    if let Some((n, c)) = pair.trim().split_once('=') {
                        cookies.insert(n.to_string(), Value::String(c.to_string()));
                    }
                }
            }
            headers.insert(k.as_str().to_string(), Value::String(v));
        }
        let raw = String::from_utf8_lossy(req.body).into_owned();
        let ctype = headers
            .get("content-type")
            .and_then(Value::as_str)
            .unwrap_or("");
        let body = if ctype.contains("x-www-form-urlencoded") {
            Value::Object(
                wire::form_pairs(Some(&raw))
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )
        } else {
            serde_json::from_str(&raw).unwrap_or_else(|_| Value::String(raw.clone()))
        };
        Model {
            params,
            query,
            headers,
            cookies,
            body,
            raw,
            method: req.method.as_str().to_string(),
            query_raw: req.query.unwrap_or("").to_string(),
        }
    }

    fn context(&self) -> Context {
        let mut m = Map::new();
        m.insert("params".into(), Value::Object(self.params.clone()));
        m.insert("query".into(), Value::Object(self.query.clone()));
        m.insert("headers".into(), Value::Object(self.headers.clone()));
        m.insert("cookies".into(), Value::Object(self.cookies.clone()));
        m.insert("body".into(), self.body.clone());
        m.insert("bodyRaw".into(), Value::String(self.raw.clone()));
        m.insert("method".into(), Value::String(self.method.clone()));
        m.insert("queryRaw".into(), Value::String(self.query_raw.clone()));
        Context::from(Value::Object(m))
    }
}

impl Environment {
    /// Loads an environment file's parsed JSON; `path` names it in diagnostics and
    /// `FILE` bodies are relative to it.
    pub fn load(json: &Value, path: &Path, disabled: &[String]) -> Environment {
        Environment {
            loaded: env::load(json, path, disabled),
            name: path.display().to_string(),
        }
    }

    /// An environment that could not be read: it serves nothing and says why.
    pub fn failed(path: &Path, error: String) -> Environment {
        let mut loaded = Loaded::default();
        loaded
            .diagnostics
            .push(Diagnostic::error(path.display().to_string(), "", error));
        Environment {
            loaded,
            name: path.display().to_string(),
        }
    }

    /// What could not be used.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.loaded.diagnostics
    }

    /// How many routes are served.
    pub fn routes(&self) -> usize {
        self.loaded.routes.len()
    }

    /// The routes served, in match order.
    pub fn route_list(&self) -> &[crate::env::Route] {
        &self.loaded.routes
    }

    /// The file it was loaded from, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn choose<'r>(
        &self,
        route: &'r Route,
        model: &Model,
        ask: &Ask<'_>,
        count: u64,
    ) -> Option<&'r Response> {
        let default = route
            .responses
            .iter()
            .find(|r| r.default)
            .unwrap_or(&route.responses[0]);
        let by_rules = || {
            route.responses.iter().find(|r| {
                !r.rules.is_empty() && {
                    let mut each = r.rules.iter().map(|rule| {
                        let count_text = Value::String(count.to_string());
                        let v = match rule.target {
                            Target::Body if rule.modifier.is_empty() => {
                                Some(Value::String(model.raw.clone()))
                            }
                            Target::Body => at_path(&model.body, &rule.modifier).cloned(),
                            Target::Query if rule.modifier.is_empty() => {
                                Some(Value::String(ask.req.query.unwrap_or("").to_string()))
                            }
                            Target::Query => {
                                at_path(&Value::Object(model.query.clone()), &rule.modifier)
                                    .cloned()
                            }
                            Target::Header => model
                                .headers
                                .get(&rule.modifier.to_ascii_lowercase())
                                .cloned(),
                            Target::Cookie => model.cookies.get(&rule.modifier).cloned(),
                            Target::Params => model.params.get(&rule.modifier).cloned(),
                            Target::RequestNumber => Some(count_text),
                            Target::Method => {
                                Some(Value::String(model.method.to_ascii_lowercase()))
                            }
                            Target::Unsupported => None,
                        };
                        rule.passes(v.as_ref())
                    });
                    if r.all {
                        each.all(|b| b)
                    } else {
                        each.any(|b| b)
                    }
                }
            })
        };
        match route.mode {
            Mode::DisableRules => Some(default),
            Mode::Random => {
                Some(&route.responses[(ask.entropy % route.responses.len() as u64) as usize])
            }
            Mode::Sequential => {
                Some(&route.responses[((count.max(1) - 1) % route.responses.len() as u64) as usize])
            }
            Mode::Fallback => by_rules(),
            Mode::Rules => Some(by_rules().unwrap_or(default)),
        }
    }

    fn bucket(&self, id: &str) -> Option<&(String, String, Value)> {
        self.loaded.buckets.iter().find(|b| b.0 == id || b.1 == id)
    }

    fn crud(&self, route: &Route, bucket: &str, key: &str, model: &Model, ask: &Ask<'_>) -> Reply {
        let seed = match self.bucket(bucket).map(|b| &b.2) {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let resource = format!("mockoon:{}:{bucket}", self.name);
        let c = Coll {
            space: "",
            resource: &resource,
            scope: "",
            id_prop: key,
            seed,
        };
        let id = model.params.get("id").and_then(Value::as_str);
        let (status, body) = crate::crud::answer(&c, ask, id, &model.body);
        let resp = &route.responses[0];
        // Mockoon answers `{}` where there is nothing to send.
        let text = body.map_or_else(|| "{}".to_string(), |b| b.to_string());
        let mut reply = self.reply(route, resp, model, ask);
        reply.status = status;
        reply.body = Bytes::from(text);
        reply
    }

    fn reply(&self, route: &Route, resp: &Response, model: &Model, ask: &Ask<'_>) -> Reply {
        let ctx = (route.responses.iter().any(|r| {
            r.headers.iter().any(|h| h.1.is_dynamic())
                || matches!(&r.body, Body::Inline(t) if t.is_dynamic())
        }) || self.loaded.headers.iter().any(|h| h.1.is_dynamic()))
        .then(|| {
            crate::template::seed(ask.entropy);
            model.context()
        });
        let render = |t: &crate::template::Template| match &ctx {
            Some(c) => t.render(c),
            None => t.source().to_string(),
        };
        let body = match &resp.body {
            Body::Inline(t) => render(t),
            // A bucket a CRUD route writes is read from the store.
            Body::Bucket(id) => match self.bucket(id) {
                Some((_, _, Value::Array(seed))) => {
                    let resource = format!("mockoon:{}:{id}", self.name);
                    let c = Coll {
                        space: "",
                        resource: &resource,
                        scope: "",
                        id_prop: "id",
                        seed,
                    };
                    Value::Array(ask.store.list(&c, &|_| true, 0, usize::MAX).items).to_string()
                }
                Some((_, _, Value::String(s))) => s.clone(),
                Some((_, _, v)) => v.to_string(),
                None => String::new(),
            },
        };
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        fn put(headers: &mut Vec<(HeaderName, HeaderValue)>, k: &str, v: String) {
            if let (Ok(n), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
                headers.retain(|(h, _)| *h != n);
                headers.push((n, v));
            }
        }
        for (k, v) in &self.loaded.headers {
            put(&mut headers, k, render(v));
        }
        for (k, v) in &resp.headers {
            put(&mut headers, k, render(v));
        }
        if self.loaded.cors {
            put(&mut headers, "access-control-allow-origin", "*".into());
        }
        if !headers.iter().any(|(n, _)| n == http::header::CONTENT_TYPE) {
            let guess = serde_json::from_str::<Value>(&body).is_ok() && !body.trim().is_empty();
            put(
                &mut headers,
                "content-type",
                if guess {
                    "application/json; charset=utf-8"
                } else {
                    "text/html; charset=utf-8"
                }
                .into(),
            );
        }
        // Express sends no entity headers with a 204 or 304.
        if matches!(resp.status, 204 | 304) {
            headers.retain(|(n, _)| n != http::header::CONTENT_TYPE);
        }
        let mut reply = Reply::status(resp.status);
        reply.headers = headers;
        reply.body = Bytes::from(body);
        reply.delay_ms = self.loaded.latency.saturating_add(resp.latency);
        reply.why = Why {
            answerer: Kind::Route,
            stub: Some(format!(
                "{} {} ({})",
                route.method.as_deref().unwrap_or("ALL"),
                route.endpoint,
                resp.label
            )),
            source: Some(self.name.clone()),
            ..Why::default()
        };
        reply
    }
}

impl Answerer for Environment {
    fn kind(&self) -> Kind {
        Kind::Route
    }

    fn is_empty(&self) -> bool {
        self.loaded.routes.is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        let req = ask.req;
        for route in &self.loaded.routes {
            if route
                .method
                .as_deref()
                .is_some_and(|m| m != req.method.as_str())
            {
                continue;
            }
            let Some(caps) = route.pattern.captures(req.path) else {
                continue;
            };
            let model = Model::of(req, route, &caps);
            if let Some((bucket, key)) = &route.crud {
                return Outcome::Reply(Box::new(self.crud(route, bucket, key, &model, ask)));
            }
            let count = ask
                .store
                .count(&format!("mockoon:{}:{}", self.name, route.uuid));
            if let Some(resp) = self.choose(route, &model, ask, count) {
                return Outcome::Reply(Box::new(self.reply(route, resp, &model, ask)));
            }
        }
        let mut report = Reply::status(404);
        report.headers.push((
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ));
        // Express's own 404 page, as Mockoon sends it.
        report.body = Bytes::from(format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot {} {}</pre>\n</body>\n</html>\n",
            req.method,
            escape_html(req.path)
        ));
        report.why.note = Some("no-route-matched");
        Outcome::Miss {
            near: Vec::new(),
            report: Some(Box::new(report)),
        }
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Every environment of a mock, asked in the order given.
#[derive(Debug, Default)]
pub struct Environments(pub Vec<Environment>);

impl Answerer for Environments {
    fn kind(&self) -> Kind {
        Kind::Route
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(Answerer::is_empty)
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        let mut last = None;
        for env in self.0.iter().filter(|e| !e.is_empty()) {
            match env.answer(ask) {
                hit @ Outcome::Reply(_) => return hit,
                miss => last = Some(miss),
            }
        }
        last.unwrap_or(Outcome::Miss {
            near: Vec::new(),
            report: None,
        })
    }
}
