//! WireMock's webhooks: a stub's `serveEventListeners` of type `webhook` (and the legacy
//! `postServeActions`), compiled when the stub loads and rendered per request into
//! outbound [`Call`]s that the server sends after the stub answered.
//!
//! Every part of a webhook (method, URL, headers, body) is a template, as in WireMock,
//! rendered against the request under `originalRequest` (the same model as a response
//! template's `request`) and the listener's `parameters`. The delay is fixed or drawn
//! from a distribution (`fixed`, `uniform`, `lognormal`), like a response's.

use base64::Engine as _;
use bytes::Bytes;
use http::Method;
use http::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};
use standin_core::exchange::{Call, CallOrigin, Request};

use crate::error::StubError;
use crate::response::Distribution;
use handlebars::Context;

use crate::helpers::with_render_state;
use crate::template::{Input, Template, request_model};

/// One webhook of a stub.
#[derive(Debug, Clone)]
pub struct Webhook {
    method: Template,
    url: Template,
    headers: Vec<(String, Vec<Template>)>,
    body: Option<WebhookBody>,
    delay: Option<Distribution>,
    parameters: Value,
}

#[derive(Debug, Clone)]
enum WebhookBody {
    Text(Template),
    Binary(Bytes),
}

fn compile(text: &str, pointer: &str) -> Result<Template, StubError> {
    Template::compile(text)
        .map_err(|e| StubError::new(pointer, format!("the template does not compile: {e}")))
}

impl Webhook {
    /// The webhooks of a stub: `serveEventListeners` entries named `webhook`, and
    /// `postServeActions` (a list of the same shape, or the old `{"webhook": {...}}`).
    /// Listeners of other names are extensions standin does not have; they are skipped.
    pub fn parse_all(stub: &Map<String, Value>) -> Result<Vec<Webhook>, StubError> {
        let mut out = Vec::new();
        for key in ["serveEventListeners", "postServeActions"] {
            let at = format!("/{key}");
            match stub.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(list)) => {
                    for (i, listener) in list.iter().enumerate() {
                        let l_at = format!("{at}/{i}");
                        let name = listener.get("name").and_then(Value::as_str);
                        if name != Some("webhook") {
                            continue;
                        }
                        let params = listener.get("parameters").unwrap_or(&Value::Null);
                        out.push(Webhook::parse(params, &format!("{l_at}/parameters"))?);
                    }
                }
                Some(Value::Object(old)) if key == "postServeActions" => {
                    if let Some(params) = old.get("webhook") {
                        out.push(Webhook::parse(params, &format!("{at}/webhook"))?);
                    }
                }
                Some(_) => {
                    return Err(StubError::new(
                        &at,
                        format!("`{key}` must be a list of {{\"name\": ..., \"parameters\": ...}}"),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// One webhook's `parameters`.
    pub fn parse(v: &Value, at: &str) -> Result<Webhook, StubError> {
        let obj = v
            .as_object()
            .ok_or_else(|| StubError::new(at, "a webhook's `parameters` must be an object"))?;
        let string = |k: &str| -> Result<Option<&str>, StubError> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => Err(StubError::new(
                    format!("{at}/{k}"),
                    format!("`{k}` must be a string, got {other}"),
                )),
            }
        };
        let url = string("url")?.ok_or_else(|| StubError::new(at, "a webhook needs a `url`"))?;
        let url = compile(url, &format!("{at}/url"))?;
        let method = compile(string("method")?.unwrap_or("GET"), &format!("{at}/method"))?;
        let mut headers = Vec::new();
        match obj.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (name, value) in h {
                    let h_at = format!("{at}/headers/{name}");
                    let values: Vec<&Value> = match value {
                        Value::Array(list) => list.iter().collect(),
                        one => vec![one],
                    };
                    let mut templates = Vec::new();
                    for v in values {
                        let text = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        templates.push(compile(&text, &h_at)?);
                    }
                    headers.push((name.clone(), templates));
                }
            }
            Some(other) => {
                return Err(StubError::new(
                    format!("{at}/headers"),
                    format!("`headers` must be an object of names to values, got {other}"),
                ));
            }
        }
        let body = match (obj.get("body"), string("base64Body")?) {
            (Some(Value::String(s)), _) => {
                Some(WebhookBody::Text(compile(s, &format!("{at}/body"))?))
            }
            (Some(Value::Null) | None, Some(b64)) => Some(WebhookBody::Binary(Bytes::from(
                base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| {
                        StubError::new(format!("{at}/base64Body"), format!("not base64: {e}"))
                    })?,
            ))),
            (Some(Value::Null) | None, None) => None,
            // A JSON body given as a value is sent as its JSON text.
            (Some(other), _) => Some(WebhookBody::Text(compile(
                &other.to_string(),
                &format!("{at}/body"),
            )?)),
        };
        let delay = match obj.get("delay") {
            None | Some(Value::Null) => None,
            Some(d) => Some(Distribution::parse(d, &format!("{at}/delay"))?),
        };
        Ok(Webhook {
            method,
            url,
            headers,
            body,
            delay,
            parameters: obj.clone().into(),
        })
    }

    /// The call this webhook makes after `req` was answered by `stub` (its label names
    /// the call). A template that fails makes a call that is journalled as failed.
    pub fn call(
        &self,
        stub: &str,
        req: &Request<'_>,
        path_vars: &[(String, String)],
        entropy: u64,
    ) -> Call {
        let mut model = request_model(req, path_vars, &self.parameters);
        if let Value::Object(m) = &mut model
            && let Some(r) = m.get("request").cloned()
        {
            m.insert("originalRequest".into(), r);
        }
        let input = Input::ready(Context::from(model));
        let mut call = Call {
            origin: CallOrigin::Listener,
            name: stub.to_string(),
            method: Method::GET,
            url: String::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            delay_ms: self.delay.as_ref().map_or(0, |d| d.sample(entropy)),
            error: None,
        };
        // The render's randomness and time are set around it, as for a response.
        if let Err(e) =
            with_render_state(entropy, req.now_unix_ms, || self.render(&input, &mut call))
        {
            call.error = Some(e);
        }
        standin_core::callback::chain(req, &mut call);
        call
    }

    fn render(&self, ctx: &Input<'_>, call: &mut Call) -> Result<(), String> {
        let method = self.method.render_in(ctx)?;
        call.method = Method::from_bytes(method.trim().to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("the method rendered to {method:?}, which is not a method"))?;
        call.url = self.url.render_in(ctx)?.trim().to_string();
        for (name, templates) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("{name:?} is not a valid header name"))?;
            for t in templates {
                let text = t.render_in(ctx)?;
                let value = HeaderValue::from_str(&text).map_err(|_| {
                    format!("the header {name} rendered to {text:?}, which is not a valid value")
                })?;
                call.headers.push((header.clone(), value));
            }
        }
        call.body = match &self.body {
            None => Bytes::new(),
            Some(WebhookBody::Binary(b)) => b.clone(),
            Some(WebhookBody::Text(t)) => Bytes::from(t.render_in(ctx)?),
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;
    use serde_json::json;

    fn hooks(stub: Value) -> Result<Vec<Webhook>, StubError> {
        Webhook::parse_all(stub.as_object().unwrap())
    }

    #[test]
    fn a_webhook_is_templated_with_the_original_request() {
        let list = hooks(json!({"serveEventListeners": [
            {"name": "other-extension", "parameters": {}},
            {"name": "webhook", "parameters": {
                "method": "POST",
                "url": "{{jsonPath originalRequest.body '$.callbackUrl'}}",
                "headers": {"X-Order": "{{originalRequest.headers.X-Order-Id}}", "X-Two": ["a", "b"]},
                "body": "{\"ok\": true, \"path\": \"{{originalRequest.path}}\"}",
                "delay": {"type": "uniform", "lower": 10, "upper": 20}
            }}
        ]}))
        .unwrap();
        assert_eq!(list.len(), 1, "only the webhook listener");
        let mut headers = HeaderMap::new();
        headers.insert("x-order-id", HeaderValue::from_static("o-7"));
        let body = br#"{"callbackUrl": "http://127.0.0.1:9/hook"}"#;
        let req = Request {
            method: &Method::POST,
            path: "/orders",
            query: None,
            headers: &headers,
            body,
            now_unix_ms: 0,
            peer: None,
        };
        let call = list[0].call("stub-1", &req, &[], 42);
        assert_eq!(call.error, None);
        assert_eq!(call.method, Method::POST);
        assert_eq!(call.url, "http://127.0.0.1:9/hook");
        assert_eq!(call.headers[0].1, "o-7");
        // X-Order, X-Two twice, and the depth of the chain of calls.
        assert_eq!(call.headers.len(), 4);
        assert_eq!(call.headers[3].0, "x-standin-call-depth");
        assert_eq!(call.headers[3].1, "1");
        assert_eq!(&call.body[..], br#"{"ok": true, "path": "/orders"}"#);
        assert!((10..=20).contains(&call.delay_ms), "{}", call.delay_ms);
    }

    #[test]
    fn bad_webhooks_are_errors_naming_the_field() {
        let e = hooks(
            json!({"serveEventListeners": [{"name": "webhook", "parameters": {"method": "POST"}}]}),
        )
        .unwrap_err();
        assert!(e.to_string().contains("url"), "{e}");
        let e = hooks(
            json!({"serveEventListeners": [{"name": "webhook", "parameters": {
            "url": "http://x.test", "delay": {"type": "sometimes"}}}]}),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("/serveEventListeners/0/parameters/delay"),
            "{e}"
        );
        let old =
            hooks(json!({"postServeActions": {"webhook": {"url": "http://x.test/a"}}})).unwrap();
        assert_eq!(old.len(), 1);
    }
}
