//! The forwarder: the one outbound HTTP client of a mock, `http://` and `https://`
//! (rustls, the Mozilla roots built in). Proxying (a stub's `proxyBaseUrl`, a partial
//! mock's upstream) sends a request on to an upstream and turns the upstream's answer
//! into a [`Reply`]: hop-by-hop headers dropped both ways, `Host` rewritten, connections
//! pooled, connect and total timeouts, the answer's body bounded. A failing upstream
//! answers 502 (504 on a timeout) as problem+json naming the upstream and the error.
//! The sender (`crate::sender`) makes its callbacks and webhooks through
//! [`Forwarder::exchange`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
pub use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::json;
use standin_core::exchange::{Forward, Reply};
use standin_core::problem::{Problem, extra};

/// How long to wait for a connection to the upstream.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the whole exchange with the upstream may take.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest upstream answer body kept (a longer one answers 502).
pub const MAX_BODY: usize = 64 << 20;

/// The outbound client, shared by every request of a mock.
#[derive(Clone)]
pub struct Forwarder {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    total: Duration,
    max_body: usize,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("total", &self.total)
            .finish()
    }
}

impl Default for Forwarder {
    fn default() -> Self {
        Forwarder::new(CONNECT_TIMEOUT, TOTAL_TIMEOUT, MAX_BODY)
    }
}

/// A request to forward, as it arrived.
pub struct Outgoing<'a> {
    /// The method.
    pub method: &'a Method,
    /// The raw path.
    pub path: &'a str,
    /// The raw query.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Forwarder {
    /// A forwarder with these timeouts and answer-body bound.
    pub fn new(connect: Duration, total: Duration, max_body: usize) -> Forwarder {
        Forwarder::with_roots(connect, total, max_body, &[])
    }

    /// [`Forwarder::new`] trusting `extra` certificates beside the built-in roots (a
    /// private CA, a test server's self-signed certificate). A certificate that is not
    /// a usable root is skipped.
    pub fn with_roots(
        connect: Duration,
        total: Duration,
        max_body: usize,
        extra: &[CertificateDer<'static>],
    ) -> Forwarder {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(connect));
        http.set_nodelay(true);
        http.enforce_http(false);
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let _ = roots.add_parsable_certificates(extra.iter().cloned());
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| b.with_root_certificates(roots).with_no_client_auth());
        let https = match tls {
            Ok(tls) => hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls)
                .https_or_http()
                .enable_http1()
                .wrap_connector(http),
            // ring supports every default protocol version: this is not reached.
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_http1()
                .wrap_connector(http),
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https);
        Forwarder {
            client,
            total,
            max_body,
        }
    }

    /// Sends `out` on as `how` says and returns the upstream's answer, or a 502 / 504
    /// of standin's naming the upstream.
    pub async fn forward(&self, how: &Forward, out: Outgoing<'_>) -> Reply {
        let target = how.target(out.path, out.query);
        let uri: Uri = match target.parse() {
            Ok(u) => u,
            Err(e) => return failed(502, &how.base, &target, &format!("bad URL: {e}")),
        };
        let mut req = http::Request::new(Full::new(out.body));
        *req.method_mut() = out.method.clone();
        let headers = req.headers_mut();
        for (name, value) in out.headers {
            if !is_hop_by_hop(name) && name != header::HOST {
                headers.append(name, value.clone());
            }
        }
        for name in &how.remove_headers {
            headers.remove(name);
        }
        for (name, value) in &how.add_headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(authority) = uri.authority()
            && let Ok(v) = HeaderValue::from_str(authority.as_str())
        {
            headers.insert(header::HOST, v);
        }
        *req.uri_mut() = uri;
        let (parts, body) = match self.exchange(req, self.total).await {
            Err(Failure::Timeout(e)) => return failed(504, &how.base, &target, &e),
            Err(Failure::Error(e)) => return failed(502, &how.base, &target, &e),
            Ok(answer) => answer,
        };
        let mut reply = Reply::status(parts.status.as_u16());
        for (name, value) in &parts.headers {
            if !is_hop_by_hop(name) && name != header::CONTENT_LENGTH {
                reply.headers.push((name.clone(), value.clone()));
            }
        }
        if let Some(phrase) = parts.extensions.get::<hyper::ext::ReasonPhrase>() {
            reply.wire.status_message = Some(String::from_utf8_lossy(phrase.as_bytes()).into());
        }
        reply.body = body;
        reply
    }
}

/// The PEM certificates of a file, to trust beside the built-in roots; an error names
/// the file when it cannot be read or holds no certificate.
pub fn read_certificates(path: &std::path::Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        anyhow::bail!(
            "{}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
            path.display()
        );
    }
    Ok(certs)
}

/// Why an exchange got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer within the time allowed (the text says how long).
    Timeout(String),
    /// The connection or the exchange failed (the text has the causes).
    Error(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout(e) | Failure::Error(e) => f.write_str(e),
        }
    }
}

impl Forwarder {
    /// Sends `req` (its URI absolute) and reads the whole answer, its body bounded,
    /// within `total`.
    pub async fn exchange(
        &self,
        req: http::Request<Full<Bytes>>,
        total: Duration,
    ) -> Result<(http::response::Parts, Bytes), Failure> {
        let exchange = async {
            let resp = self.client.request(req).await.map_err(|e| describe(&e))?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, self.max_body)
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((parts, body))
        };
        match tokio::time::timeout(total, exchange).await {
            Err(_) => Err(Failure::Timeout(format!(
                "no answer within {} s",
                total.as_secs_f64()
            ))),
            Ok(Err(e)) => Err(Failure::Error(e)),
            Ok(Ok(answer)) => Ok(answer),
        }
    }
}

impl Forwarder {
    /// `GET url` (absolute, `http://` or `https://`) with `headers`: the answer's head
    /// and body, within the forwarder's total timeout. Used to fetch a document.
    pub async fn get(
        &self,
        url: &str,
        headers: &HeaderMap,
    ) -> Result<(http::response::Parts, Bytes), Failure> {
        let uri: Uri = url
            .parse()
            .map_err(|e| Failure::Error(format!("bad URL: {e}")))?;
        let mut req = http::Request::new(Full::new(Bytes::new()));
        *req.headers_mut() = headers.clone();
        if let Some(authority) = uri.authority()
            && let Ok(v) = HeaderValue::from_str(authority.as_str())
        {
            req.headers_mut().insert(header::HOST, v);
        }
        *req.uri_mut() = uri;
        self.exchange(req, self.total).await
    }
}

/// A client error with its causes, the innermost last (`connection refused`).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The problem+json of a failed forward.
fn failed(status: u16, upstream: &str, target: &str, error: &str) -> Reply {
    let (kind, title) = if status == 504 {
        ("upstream-timeout", "The upstream did not answer in time")
    } else {
        ("upstream-failed", "The upstream could not be reached")
    };
    let p = Problem::new(
        status,
        kind,
        title,
        format!("Forwarding to {target} failed: {error}"),
        extra([("upstream", json!(upstream)), ("error", json!(error))]),
    );
    Reply::from_problem(p, kind)
}

/// Headers of one connection, never forwarded (RFC 9110 7.6.1).
pub fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_are_known() {
        assert!(is_hop_by_hop(&header::CONNECTION));
        assert!(is_hop_by_hop(&header::TRANSFER_ENCODING));
        assert!(!is_hop_by_hop(&header::CONTENT_TYPE));
    }

    #[tokio::test]
    async fn unreachable_upstream_answers_502_naming_it() {
        // A port just released: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let headers = HeaderMap::new();
        let reply = Forwarder::default()
            .forward(
                &Forward::to(base.clone()),
                Outgoing {
                    method: &Method::GET,
                    path: "/x",
                    query: None,
                    headers: &headers,
                    body: Bytes::new(),
                },
            )
            .await;
        assert_eq!(reply.status, 502);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["upstream"], base);
        assert!(body["detail"].as_str().unwrap().contains("/x"));
    }

    #[tokio::test]
    async fn an_upstream_that_never_answers_gives_504() {
        // Accepts the connection, reads nothing, answers nothing.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hold = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(socket);
        });
        let headers = HeaderMap::new();
        let reply = Forwarder::new(CONNECT_TIMEOUT, Duration::from_millis(200), MAX_BODY)
            .forward(
                &Forward::to(base.clone()),
                Outgoing {
                    method: &Method::GET,
                    path: "/slow",
                    query: None,
                    headers: &headers,
                    body: Bytes::new(),
                },
            )
            .await;
        hold.abort();
        assert_eq!(reply.status, 504);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["upstream"], base);
    }
}
