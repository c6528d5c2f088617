//! A loaded environment answering requests: the first route whose method and path
//! match (a `FALLBACK` route whose rules all miss passes to the next), its response
//! chosen by its mode and rules, headers and body rendered (the data buckets and global
//! variables read from the store and what templates changed saved back), a `crud`
//! route's bucket changed, latency added; `/mockoon-admin` answered by [`crate::admin`].

use std::borrow::Cow;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;

use bytes::Bytes;
use handlebars::Context;
use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};
use standin_core::Diagnostic;
use standin_core::answer::{Answerer, Ask, Outcome};
use standin_core::exchange::{Kind, Reply, Request, Why};
use standin_core::wire;

use crate::buckets::State;
use crate::env::{self, Body, Loaded, Mode, Response, Route};
use crate::path::at_path;
use crate::rules::{Operator, Rule, Target};
use crate::template::{self, Needs, Scope, Template};

/// A Mockoon environment as compiled from one version of its file.
#[derive(Debug)]
pub struct Compiled {
    loaded: Loaded,
    name: String,
    state: State,
    prefix: String,
}

/// The request as rules and templates read it. Each part is made from the request the
/// first time a rule or a template reads it: a rule route reads one query parameter or
/// header, and building every map for it was a third of its answer.
struct Model<'r> {
    req: &'r Request<'r>,
    params: Map<String, Value>,
    query: OnceCell<Value>,
    headers: OnceCell<Map<String, Value>>,
    cookies: OnceCell<Map<String, Value>>,
    /// The body as text, and parsed (JSON, or a form; a failed parse keeps the text).
    body: OnceCell<(String, Value)>,
}

impl<'r> Model<'r> {
    fn of(req: &'r Request<'r>, params: Map<String, Value>) -> Model<'r> {
        Model {
            req,
            params,
            query: OnceCell::new(),
            headers: OnceCell::new(),
            cookies: OnceCell::new(),
            body: OnceCell::new(),
        }
    }

    /// The query parameters, an object (`a[]` read as `a`; a repeated one an array).
    fn query(&self) -> &Value {
        self.query.get_or_init(|| {
            let mut query = Map::new();
            for (k, v) in wire::form_pairs(self.req.query) {
                let v = Value::String(v);
                match query.get_mut(param_name(&k)) {
                    Some(old) => add_repeated(old, v),
                    None => {
                        query.insert(param_name(&k).to_string(), v);
                    }
                }
            }
            Value::Object(query)
        })
    }

    /// The query parameter `name` as [`Model::query`] holds it (its value, or an array
    /// of its values when repeated), found without making the whole map: a rule reads
    /// one parameter.
    fn query_param(&self, name: &str) -> Option<Value> {
        if let Some(Value::Object(all)) = self.query.get() {
            return all.get(name).cloned();
        }
        let mut found: Option<Value> = None;
        for pair in self.req.query?.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if param_name(&wire::form_decode_borrowed(k)) != name {
                continue;
            }
            let v = Value::String(wire::form_decode_borrowed(v).into_owned());
            match &mut found {
                Some(old) => add_repeated(old, v),
                None => found = Some(v),
            }
        }
        found
    }

    fn query_map(&self) -> &Map<String, Value> {
        match self.query() {
            Value::Object(m) => m,
            _ => unreachable!("the query is made an object"),
        }
    }

    /// The headers by lower-case name (a repeated one: its last value).
    fn headers(&self) -> &Map<String, Value> {
        self.headers.get_or_init(|| {
            self.req
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), Value::String(lossy(v))))
                .collect()
        })
    }

    /// One header's value (the last when repeated), as [`Model::headers`] holds it.
    fn header(&self, lower_name: &str) -> Option<Value> {
        if let Some(all) = self.headers.get() {
            return all.get(lower_name).cloned();
        }
        let v = self.req.headers.get_all(lower_name).iter().next_back()?;
        Some(Value::String(lossy(v)))
    }

    /// The cookies of every `Cookie` header (a repeated name: its last value).
    fn cookies(&self) -> &Map<String, Value> {
        self.cookies.get_or_init(|| {
            let mut cookies = Map::new();
            for v in self.req.headers.get_all(http::header::COOKIE) {
                for pair in lossy(v).split(';') {
                    if let Some((n, c)) = pair.trim().split_once('=') {
                        cookies.insert(n.to_string(), Value::String(c.to_string()));
                    }
                }
            }
            cookies
        })
    }

    fn body_parts(&self) -> &(String, Value) {
        self.body.get_or_init(|| {
            let raw = String::from_utf8_lossy(self.req.body).into_owned();
            let ctype = (self.req.headers.get_all(http::header::CONTENT_TYPE).iter())
                .next_back()
                .map(lossy)
                .unwrap_or_default();
            let body = if raw.is_empty() {
                // What parsing nothing gives (a failed parse keeps the text), without
                // the parse's error.
                Value::String(String::new())
            } else if ctype.contains("x-www-form-urlencoded") {
                Value::Object(
                    wire::form_pairs(Some(&raw))
                        .into_iter()
                        .map(|(k, v)| (k, Value::String(v)))
                        .collect(),
                )
            } else {
                serde_json::from_str(&raw).unwrap_or_else(|_| Value::String(raw.clone()))
            };
            (raw, body)
        })
    }

    fn raw(&self) -> &str {
        &self.body_parts().0
    }

    fn body(&self) -> &Value {
        &self.body_parts().1
    }

    fn method(&self) -> &str {
        self.req.method.as_str()
    }

    fn query_raw(&self) -> &str {
        self.req.query.unwrap_or("")
    }

    fn path(&self) -> &str {
        self.req.path
    }

    /// The Host header as sent.
    fn host(&self) -> String {
        self.req
            .headers
            .get(http::header::HOST)
            .map(lossy)
            .unwrap_or_default()
    }

    /// The context templates render in, holding the parts `needs` names (the others
    /// are absent: no template that reads them renders in it).
    fn context(&self, prefix: &str, needs: Needs) -> Context {
        let mut m = Map::new();
        if needs.has(Needs::PARAMS) {
            m.insert("params".into(), Value::Object(self.params.clone()));
        }
        if needs.has(Needs::QUERY) {
            m.insert("query".into(), self.query().clone());
        }
        if needs.has(Needs::HEADERS) {
            m.insert("headers".into(), Value::Object(self.headers().clone()));
        }
        if needs.has(Needs::COOKIES) {
            m.insert("cookies".into(), Value::Object(self.cookies().clone()));
        }
        if needs.has(Needs::BODY) {
            m.insert("body".into(), self.body().clone());
            m.insert("bodyRaw".into(), Value::String(self.raw().to_string()));
        }
        m.insert("method".into(), Value::String(self.method().to_string()));
        m.insert(
            "queryRaw".into(),
            Value::String(self.query_raw().to_string()),
        );
        if needs.has(Needs::HOST) {
            let host = self.host();
            let hostname = match host.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h.to_string(),
                _ => host.clone(),
            };
            m.insert("hostname".into(), Value::String(hostname));
            m.insert(
                "baseUrl".into(),
                Value::String(format!("http://{host}{prefix}")),
            );
        }
        if needs.has(Needs::IP) {
            m.insert(
                "ip".into(),
                Value::String(self.req.peer.map(|p| p.to_string()).unwrap_or_default()),
            );
        }
        m.insert("nowMs".into(), Value::from(self.req.now_unix_ms));
        Context::from(Value::Object(m))
    }
}

/// A header value as text (not UTF-8: replaced, as Node reads it).
fn lossy(v: &HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

fn params_of(route: &Route, caps: &regex::Captures<'_>) -> Map<String, Value> {
    let mut params = Map::new();
    for (i, name) in route.params.iter().enumerate() {
        if let Some(m) = caps.get(i + 1) {
            params.insert(
                name.clone(),
                Value::String(wire::percent_decode(m.as_str())),
            );
        }
    }
    params
}

/// A rendering of one request: the model's context made once, and the scope entered
/// when a template needs the buckets or global variables.
struct Render<'a> {
    env: &'a Compiled,
    ask: &'a Ask<'a>,
    model: &'a Model<'a>,
    /// The context made for the first template, made again with more parts when a
    /// later one reads more.
    ctx: Option<(Needs, Context)>,
    entered: bool,
    /// The state's turn, taken when a template first needs the state, kept until the
    /// changes are saved.
    turn: Option<std::sync::MutexGuard<'a, ()>>,
}

impl<'a> Render<'a> {
    fn new(env: &'a Compiled, ask: &'a Ask<'a>, model: &'a Model<'a>) -> Render<'a> {
        Render {
            env,
            ask,
            model,
            ctx: None,
            entered: false,
            turn: None,
        }
    }

    /// The text of `t` for this request: borrowed when it is sent as written.
    fn render<'t>(&mut self, t: &'t Template) -> Cow<'t, str> {
        if !t.is_dynamic() {
            return Cow::Borrowed(t.source());
        }
        Cow::Owned(self.rendered(t))
    }

    fn rendered(&mut self, t: &Template) -> String {
        if !self.entered {
            self.entered = true;
            template::seed(self.ask.entropy);
            template::enter(Scope::default());
        }
        if t.needs_state() && !template::with_state_loaded() {
            let store = self.ask.store;
            let st = &self.env.state;
            self.turn = Some(st.render_turn());
            let buckets: Vec<(String, String, Value)> = st
                .buckets()
                .iter()
                .map(|b| (b.id.clone(), b.name.clone(), st.value(store, b)))
                .collect();
            template::load_state(buckets, st.globals(store), st.env_vars(store));
        }
        if !t.needs_context() {
            return t.render_with(Some(&self.model.params), None);
        }
        let needs = t.needs();
        let ctx = match &mut self.ctx {
            Some((have, ctx)) if have.covers(needs) => &*ctx,
            slot => {
                let want = slot.as_ref().map_or(needs, |(have, _)| have.union(needs));
                let ctx = self.model.context(&self.env.prefix, want);
                &slot.insert((want, ctx)).1
            }
        };
        t.render(ctx)
    }

    /// Ends the render: what templates changed in the buckets and global variables is
    /// saved to the store.
    fn finish(self) {
        if !self.entered {
            return;
        }
        let scope = template::leave();
        let store = self.ask.store;
        let st = &self.env.state;
        for (i, changed) in scope.changed.iter().enumerate() {
            if let (true, Some((id, _, value)), Some(b)) =
                (*changed, scope.buckets.get(i), st.buckets().get(i))
                && b.id == *id
            {
                let value = value.clone();
                let _ = st.change(store, b, |v| *v = value);
            }
        }
        if scope.globals_changed {
            let globals = scope.globals;
            let _ = st.change_globals(store, |g| *g = globals);
        }
    }
}

impl Compiled {
    /// Compiles an environment file's parsed JSON; `path` names it in diagnostics and
    /// `FILE` bodies are relative to it. `disabled` are route uuids or keywords of
    /// routes not to serve.
    pub fn load(json: &Value, path: &Path, disabled: &[String]) -> Compiled {
        let name = path.display().to_string();
        let mut loaded = env::load(json, path, disabled);
        let buckets = std::mem::take(&mut loaded.buckets);
        let prefix = match json.get("endpointPrefix").and_then(Value::as_str) {
            Some(p) if !p.trim_matches('/').is_empty() => format!("/{}", p.trim_matches('/')),
            _ => String::new(),
        };
        Compiled {
            state: State::new(&name, buckets),
            loaded,
            name,
            prefix,
        }
    }

    /// An environment that could not be read: it serves nothing and says why.
    fn failed(path: &Path, error: String) -> Compiled {
        let mut loaded = Loaded::default();
        loaded
            .diagnostics
            .push(Diagnostic::error(path.display().to_string(), "", error));
        Compiled {
            loaded,
            name: path.display().to_string(),
            state: State::default(),
            prefix: String::new(),
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

    /// What a rule's target reads from the request and the state (borrowed from the
    /// request's model where it is there).
    fn target<'m>(
        &self,
        rule: &Rule,
        modifier: &str,
        model: &'m Model<'m>,
        store: &dyn standin_core::state::Store,
        count: u64,
    ) -> Option<Cow<'m, Value>> {
        let path = |root: &'m Value| -> Option<Cow<'m, Value>> {
            if modifier.is_empty() {
                None
            } else {
                at_path(root, modifier).map(Cow::Borrowed)
            }
        };
        let owned_path = |root: Value| -> Option<Cow<'m, Value>> {
            if modifier.is_empty() {
                None
            } else {
                at_path(&root, modifier).cloned().map(Cow::Owned)
            }
        };
        let text = |t: &str| Some(Cow::Owned(Value::String(t.to_string())));
        match rule.target {
            Target::Body if modifier.is_empty() => match rule.operator {
                Operator::Equals | Operator::Regex(_) | Operator::RegexOfTemplate(_) => {
                    text(model.raw())
                }
                _ => Some(Cow::Borrowed(model.body())),
            },
            Target::Body => at_path(model.body(), modifier).map(Cow::Borrowed),
            Target::Query if modifier.is_empty() => text(model.query_raw()),
            // A plain name is one parameter, read without the whole query's map.
            Target::Query if !modifier.contains(['.', '[', ']', '\'', '"', '$']) => {
                model.query_param(modifier).map(Cow::Owned)
            }
            Target::Query => path(model.query()),
            Target::Header if modifier.is_empty() => text(""),
            Target::Header => model.header(&modifier.to_ascii_lowercase()).map(Cow::Owned),
            Target::Cookie => model.cookies().get(modifier).map(Cow::Borrowed),
            Target::Params => owned_path(Value::Object(model.params.clone())),
            Target::RequestNumber => Some(Cow::Owned(Value::from(count))),
            Target::Method => text(&model.method().to_ascii_lowercase()),
            Target::Path => {
                let full = match model.query_raw() {
                    "" => model.path().to_string(),
                    q => format!("{}?{q}", model.path()),
                };
                Some(Cow::Owned(Value::Array(vec![
                    Value::String(full),
                    Value::String(model.path().to_string()),
                ])))
            }
            Target::GlobalVar => owned_path(Value::Object(self.state.globals(store))),
            Target::DataBucket => owned_path(self.bucket_targets(store)),
            Target::Templating => text(modifier),
            Target::Unsupported => None,
        }
    }

    /// Every bucket's value under its id and its name, as rules read them.
    fn bucket_targets(&self, store: &dyn standin_core::state::Store) -> Value {
        let mut m = Map::new();
        for b in self.state.buckets() {
            let v = self.state.value(store, b);
            m.insert(b.id.clone(), v.clone());
            m.insert(b.name.clone(), v);
        }
        Value::Object(m)
    }

    fn rule_passes(&self, rule: &Rule, r: &mut Render<'_>, count: u64) -> bool {
        let modifier = r.render(&rule.modifier);
        if matches!(
            rule.target,
            Target::Cookie | Target::GlobalVar | Target::DataBucket
        ) && modifier.is_empty()
        {
            return rule.invert;
        }
        let value = self.target(rule, &modifier, r.model, r.ask.store, count);
        let want = r.render(&rule.value);
        let schema = matches!(rule.operator, Operator::ValidJsonSchema)
            .then(|| at_path(&self.bucket_targets(r.ask.store), rule.value.source()).cloned())
            .flatten();
        rule.passes(value.as_deref(), &want, schema.as_ref())
    }

    fn choose<'r>(&self, route: &'r Route, r: &mut Render<'_>, count: u64) -> Option<&'r Response> {
        let default = route
            .responses
            .iter()
            .find(|x| x.default)
            .unwrap_or(&route.responses[0]);
        let mut by_rules = || {
            route.responses.iter().find(|x| {
                !x.rules.is_empty() && {
                    if x.all {
                        x.rules.iter().all(|rule| self.rule_passes(rule, r, count))
                    } else {
                        x.rules.iter().any(|rule| self.rule_passes(rule, r, count))
                    }
                }
            })
        };
        let n = route.responses.len() as u64;
        match route.mode {
            Mode::DisableRules => Some(default),
            Mode::Random => Some(&route.responses[(r.ask.entropy % n) as usize]),
            Mode::Sequential => Some(&route.responses[((count.max(1) - 1) % n) as usize]),
            Mode::Fallback => by_rules(),
            Mode::Rules => Some(by_rules().unwrap_or(default)),
        }
    }

    /// Applies a `crud` request to the response's bucket; `None` when the bucket does
    /// not exist.
    fn crud(
        &self,
        route: &Route,
        bucket: &str,
        key: &str,
        r: &mut Render<'_>,
    ) -> Option<(Reply, Option<u16>)> {
        let b = self.state.buckets().iter().find(|b| b.id == bucket)?;
        let model = r.model;
        let made_key = match (&route.key_template, model.method()) {
            // A key expression that does not render leaves the usual key.
            (Some(t), "POST") => Some(r.render(t))
                .filter(|k| k != t.source())
                .and_then(|k| crate::crud::cast_key(&k)),
            _ => None,
        };
        let req = crate::crud::CrudRequest {
            method: model.method(),
            id: model.params.get("id").and_then(Value::as_str),
            query: model.query_map(),
            body: model.body(),
            uuid: crate::crud::uuid(r.ask.entropy),
            made_key,
        };
        let (status, text) = match self
            .state
            .change(r.ask.store, b, |v| crate::crud::apply(v, key, &req))
        {
            Ok(done) => {
                let mut reply = Reply::status(200);
                if let Some((total, filtered)) = done.counts {
                    for (k, n) in [("x-total-count", total), ("x-filtered-count", filtered)] {
                        reply
                            .headers
                            .push((HeaderName::from_static(k), HeaderValue::from(n as u64)));
                    }
                }
                reply.body = Bytes::from(match done.body {
                    Value::Null => String::new(),
                    Value::String(s) => s,
                    v => v.to_string(),
                });
                return Some((reply, done.status));
            }
            Err(e) => (507, e.to_string()),
        };
        let mut reply = Reply::status(status);
        reply.body = Bytes::from(text);
        Some((reply, Some(status)))
    }

    fn reply(
        &self,
        resp: &Response,
        r: &mut Render<'_>,
        crud: Option<(Reply, Option<u16>)>,
    ) -> Reply {
        let mut status = resp.status;
        let mut extra = Vec::new();
        let body = match (&resp.body, crud) {
            (_, Some((done, set))) => {
                status = set.unwrap_or(status);
                extra = done.headers;
                done.body
            }
            (Body::Inline(t), None) => match t.sent_as_written() {
                Some(bytes) => bytes,
                None => Bytes::from(r.rendered(t)),
            },
            (Body::Bytes(b), None) => b.clone(),
            (Body::FileError(e), None) => Bytes::from(e.clone()),
            (Body::Bucket(id), None) => match self.state.buckets().iter().find(|b| b.id == *id) {
                Some(b) => Bytes::from(match self.state.value(r.ask.store, b) {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    v => v.to_string(),
                }),
                None => Bytes::new(),
            },
        };
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        // Names were parsed at load; a later one of a name replaces an earlier one.
        fn put(headers: &mut Vec<(HeaderName, HeaderValue)>, n: &HeaderName, v: Cow<'_, str>) {
            if let Ok(v) = header_value(v) {
                headers.retain(|(h, _)| h != n);
                headers.push((n.clone(), v));
            }
        }
        for (k, v) in &self.loaded.headers {
            let v = r.render(v);
            put(&mut headers, k, v);
        }
        for (k, v) in &resp.headers {
            let v = r.render(v);
            put(&mut headers, k, v);
        }
        headers.extend(extra);
        if self.loaded.cors {
            put(
                &mut headers,
                &http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
                "*".into(),
            );
        }
        if let Some(d) = &resp.disposition {
            put(
                &mut headers,
                &http::header::CONTENT_DISPOSITION,
                Cow::Borrowed(d),
            );
        }
        if !headers.iter().any(|(n, _)| n == http::header::CONTENT_TYPE) {
            let ty = match (&resp.body, resp.file_type) {
                (Body::FileError(_), _) => "text/plain; charset=utf-8".to_string(),
                (_, Some(t)) if t.starts_with("text/") => format!("{t}; charset=utf-8"),
                (_, Some(t)) => t.to_string(),
                _ => {
                    let json = std::str::from_utf8(&body).is_ok_and(|b| {
                        !b.trim().is_empty() && serde_json::from_str::<Value>(b).is_ok()
                    });
                    if json {
                        "application/json; charset=utf-8"
                    } else {
                        "text/html; charset=utf-8"
                    }
                    .to_string()
                }
            };
            put(&mut headers, &http::header::CONTENT_TYPE, ty.into());
        }
        // Express sends no entity headers with a 204 or 304.
        if matches!(status, 204 | 304) {
            headers.retain(|(n, _)| n != http::header::CONTENT_TYPE);
        }
        let mut reply = Reply::status(status);
        reply.headers = headers;
        reply.body = body;
        reply.delay_ms = self.loaded.latency.saturating_add(resp.latency);
        reply.why = Why {
            answerer: Kind::Route,
            stub: Some(resp.journal.clone()),
            source: Some(self.name.clone()),
            ..Why::default()
        };
        reply
    }

    /// What no route answers in a `proxyMode` environment: forwarded by the server,
    /// with the environment's and `proxyResHeaders` headers on the upstream's answer.
    fn proxied(&self, forward: &standin_core::exchange::Forward, ask: &Ask<'_>) -> Reply {
        let model = Model::of(ask.req, Map::new());
        let mut r = Render::new(self, ask, &model);
        let mut reply = Reply::status(502);
        for (k, v) in self.loaded.proxy_res_headers.iter() {
            let v = r.render(v);
            if let Ok(v) = header_value(v) {
                reply.headers.push((k.clone(), v));
            }
        }
        r.finish();
        reply.wire.forward = Some(Box::new(forward.clone()));
        reply.why = Why {
            answerer: Kind::Route,
            stub: Some(format!("proxyMode {}", forward.base)),
            source: Some(self.name.clone()),
            ..Why::default()
        };
        reply
    }

    fn admin(&self, ask: &Ask<'_>) -> Option<Reply> {
        let req = ask.req;
        let loopback = req.peer.is_none_or(|p| p.is_loopback());
        let (status, body) = crate::admin::answer(
            &self.state,
            ask.store,
            req.method.as_str(),
            req.path,
            req.body,
            loopback,
        )?;
        let mut reply = Reply::status(status);
        reply.headers.push((
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        ));
        reply.body = Bytes::from(body.to_string());
        reply.why = Why {
            answerer: Kind::Route,
            stub: Some(format!("{} {}", req.method, req.path)),
            source: Some(self.name.clone()),
            note: Some("mockoon-admin"),
            ..Why::default()
        };
        Some(reply)
    }
}

impl Answerer for Compiled {
    fn kind(&self) -> Kind {
        Kind::Route
    }

    fn is_empty(&self) -> bool {
        self.loaded.routes.is_empty()
            && self.state.buckets().is_empty()
            && self.loaded.proxy.is_none()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        let req = ask.req;
        if req.path.starts_with(crate::admin::PREFIX)
            && let Some(reply) = self.admin(ask)
        {
            return Outcome::Reply(Box::new(reply));
        }
        for route in &self.loaded.routes {
            if route
                .method
                .as_deref()
                .is_some_and(|m| m != req.method.as_str())
            {
                continue;
            }
            let params = match &route.literal {
                Some(lit) if crate::env::literal_matches(lit, req.path) => Map::new(),
                Some(_) => continue,
                None => match route.pattern.captures(req.path) {
                    Some(caps) => params_of(route, &caps),
                    None => continue,
                },
            };
            let model = Model::of(req, params);
            let count = match route.counted {
                true => ask.store.count(&route.counter),
                false => 0,
            };
            let mut r = Render::new(self, ask, &model);
            let Some(resp) = self.choose(route, &mut r, count) else {
                r.finish();
                continue;
            };
            let crud = match (&route.crud, &resp.body) {
                (Some((_, key)), Body::Bucket(bucket)) => self.crud(route, bucket, key, &mut r),
                _ => None,
            };
            let reply = self.reply(resp, &mut r, crud);
            r.finish();
            return Outcome::Reply(Box::new(reply));
        }
        if let Some(forward) = &self.loaded.proxy {
            return Outcome::Reply(Box::new(self.proxied(forward, ask)));
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

/// A query parameter's name as the query's map holds it: `a[]` is `a`.
fn param_name(key: &str) -> &str {
    key.strip_suffix("[]").unwrap_or(key)
}

/// A repeated query parameter's next value added to what it holds: its values become
/// an array.
fn add_repeated(held: &mut Value, v: Value) {
    match held {
        Value::Array(a) => a.push(v),
        old => *old = Value::Array(vec![old.take(), v]),
    }
}

/// A header's value from rendered text (taken over when it was rendered, copied when
/// it is the template's own).
fn header_value(v: Cow<'_, str>) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
    match v {
        Cow::Owned(s) => HeaderValue::try_from(s),
        Cow::Borrowed(s) => HeaderValue::from_str(s),
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A Mockoon environment: its file, compiled, and compiled again by [`Environment::reload`]
/// (`--watch`); requests in flight keep the version they started with.
#[derive(Debug)]
pub struct Environment {
    path: PathBuf,
    disabled: Vec<String>,
    current: ArcSwap<Compiled>,
}

/// Reads and parses an environment file.
fn read(path: &Path) -> Result<Value, String> {
    std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| standin_core::parse::parse_document(&t).map_err(|e| e.message))
}

impl Environment {
    /// Loads an environment file, leaving out the routes `disabled` names; a file that
    /// cannot be read or parsed is an error diagnostic and serves nothing.
    pub fn open(path: &Path, disabled: &[String]) -> Environment {
        let compiled = match read(path) {
            Ok(v) => Compiled::load(&v, path, disabled),
            Err(e) => Compiled::failed(path, e),
        };
        Environment {
            path: path.to_path_buf(),
            disabled: disabled.to_vec(),
            current: ArcSwap::from_pointee(compiled),
        }
    }

    /// An environment from its file's parsed JSON (`path` names it; a reload reads it).
    pub fn load(json: &Value, path: &Path, disabled: &[String]) -> Environment {
        Environment {
            path: path.to_path_buf(),
            disabled: disabled.to_vec(),
            current: ArcSwap::from_pointee(Compiled::load(json, path, disabled)),
        }
    }

    /// Reads the file again. The new version is served unless it has more errors than
    /// the one served (a broken edit); answers whether it is, and its diagnostics. A new
    /// version starts as Mockoon restarts an environment: its buckets at their new start
    /// values, no global variables.
    pub fn reload(&self, store: &dyn standin_core::state::Store) -> (bool, Vec<Diagnostic>) {
        let next = match read(&self.path) {
            Ok(v) => Compiled::load(&v, &self.path, &self.disabled),
            Err(e) => Compiled::failed(&self.path, e),
        };
        let errors = |c: &Compiled| c.diagnostics().iter().filter(|d| d.is_error()).count();
        let diagnostics = next.diagnostics().to_vec();
        if errors(&next) > errors(&self.current.load()) {
            return (false, diagnostics);
        }
        // The buckets of the version left go too: one the edit removed would otherwise
        // stay in the store for the life of the process.
        self.current.load().state.reset_buckets(store);
        next.state.reset_buckets(store);
        next.state.purge_globals(store);
        self.current.store(Arc::new(next));
        (true, diagnostics)
    }

    /// The version served now.
    pub fn compiled(&self) -> Arc<Compiled> {
        self.current.load_full()
    }

    /// What could not be used, in the version served.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.current.load().diagnostics().to_vec()
    }

    /// How many routes are served.
    pub fn routes(&self) -> usize {
        self.current.load().routes()
    }

    /// The file, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file it was loaded from, as given.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

impl Answerer for Environment {
    fn kind(&self) -> Kind {
        Kind::Route
    }

    fn is_empty(&self) -> bool {
        self.current.load().is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        self.current.load().answer(ask)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_drops_what_the_store_holds_of_a_bucket_the_edit_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("env.json");
        let env = |buckets: Value| {
            serde_json::json!({
                "uuid": "e", "lastMigration": 33, "endpointPrefix": "", "routes": [],
                "data": buckets
            })
            .to_string()
        };
        let bucket =
            |id: &str| serde_json::json!({"uuid": id, "id": id, "name": id, "value": "[]"});
        std::fs::write(
            &path,
            env(serde_json::json!([bucket("gone"), bucket("kept")])),
        )
        .unwrap();
        let store = standin_core::state::MemoryStore::new();
        let environment = Environment::open(&path, &[]);
        let compiled = environment.compiled();
        for b in compiled.state.buckets() {
            compiled
                .state
                .change(&store, b, |v| *v = serde_json::json!([1]))
                .unwrap();
        }
        let held = |store: &standin_core::state::MemoryStore| -> Vec<String> {
            standin_core::state::Store::dump(store)
                .into_iter()
                .map(|d| d.resource)
                .collect()
        };
        assert_eq!(held(&store).len(), 2, "{:?}", held(&store));
        std::fs::write(&path, env(serde_json::json!([bucket("kept")]))).unwrap();
        assert!(environment.reload(&store).0);
        assert_eq!(
            held(&store),
            Vec::<String>::new(),
            "a reload resets every bucket"
        );
    }

    #[test]
    fn one_query_parameter_reads_as_the_whole_query_holds_it() {
        let queries = [
            "tier=gold",
            "tier=gold&tier=silver",
            "tier[]=a",
            "tier[]=a&tier[]=b&x=1",
            "tier=a&tier[]=b&tier=c",
            "tier",
            "tier=&x=2",
            "a+b=c%20d&tier=a+b%2B",
            "x=1&&x=2",
            "",
        ];
        let (method, headers) = (http::Method::GET, http::HeaderMap::new());
        for query in queries {
            let mut req = Request::new(&method, "/", &headers);
            req.query = Some(query);
            let whole = Model::of(&req, Map::new());
            for name in ["tier", "x", "a b", "missing", "tier[]"] {
                let one = Model::of(&req, Map::new()).query_param(name);
                assert_eq!(one, whole.query().get(name).cloned(), "{name} in {query:?}");
                // Once the map is made, it is what is read.
                assert_eq!(whole.query_param(name), one, "{name} in {query:?}");
            }
        }
    }
}
