//! The forwarder: the one outbound HTTP client of a mock, `http://` and `https://`
//! (rustls, the Mozilla roots built in; HTTP/2 when the upstream offers it by ALPN,
//! HTTP/1.1 otherwise, or HTTP/2 only, with prior knowledge on `http://`). Proxying (a stub's `proxyBaseUrl`, a partial mock's upstream)
//! sends a request on to an upstream and turns the upstream's answer into a [`Reply`]:
//! hop-by-hop headers dropped both ways, `Host` rewritten, connections pooled, connect
//! and total timeouts. A failing upstream answers 502 (504 on a timeout) as
//! problem+json naming the upstream and the error.
//!
//! Bodies are streamed, never held whole: [`Forwarder::forward_streamed`] sends a
//! request body that is still arriving ([`Prefixed`]: the bytes read so far, then the
//! rest), reads the answer's body only up to a bound (what the journal keeps of a body)
//! and hands back the rest still to come, which the server sends on as it arrives
//! within the total timeout. [`Forwarder::forward`] is the buffered form (the answer's
//! body bounded by [`MAX_BODY`]). The sender (`crate::sender`) makes its callbacks and
//! webhooks through [`Forwarder::exchange`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
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
/// The largest upstream answer body [`Forwarder::forward`] keeps (a longer one answers
/// 502); [`Forwarder::forward_streamed`] has no such bound.
pub const MAX_BODY: usize = 64 << 20;

/// An error of a body in transit.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A body in transit, of any source (a client's request, an upstream's answer).
pub type Streamed = UnsyncBoxBody<Bytes, BoxError>;

/// The outbound client, shared by every request of a mock.
#[derive(Clone)]
pub struct Forwarder {
    /// Callbacks, webhooks ([`Forwarder::exchange`]) and, unless told otherwise,
    /// upstreams.
    client: Client<HttpsConnector<HttpConnector>, Streamed>,
    /// Upstreams ([`Forwarder::forward_streamed`]): `client`, or one speaking only
    /// HTTP/2 ([`Forwarder::http2_only`]).
    upstream: Client<HttpsConnector<HttpConnector>, Streamed>,
    connector: HttpsConnector<HttpConnector>,
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
    /// The body (with [`Forwarder::forward_streamed`], its first bytes).
    pub body: Bytes,
}

/// How the forwarder trusts `https://` upstreams.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Certificates trusted beside the built-in roots (a private CA, a test server's
    /// self-signed certificate).
    pub extra: Vec<CertificateDer<'static>>,
    /// Accept any certificate (`--upstream-insecure`): for upstreams whose certificate
    /// cannot be checked; the connection is encrypted but not authenticated.
    pub insecure: bool,
}

/// An upstream's answer: the reply (its body whole, or the first bytes of it) and, when
/// the body did not end within the bytes read, the rest of it still to come.
pub struct Forwarded {
    /// The answer; `body` is the whole body unless `rest` is set.
    pub reply: Reply,
    /// The whole body, starting with `reply.body`, still to be read; `None` when
    /// `reply.body` is all of it.
    pub rest: Option<Prefixed>,
}

impl Forwarder {
    /// A forwarder with these timeouts and answer-body bound.
    pub fn new(connect: Duration, total: Duration, max_body: usize) -> Forwarder {
        Forwarder::trusting(connect, total, max_body, &Trust::default())
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
        let trust = Trust {
            extra: extra.to_vec(),
            insecure: false,
        };
        Forwarder::trusting(connect, total, max_body, &trust)
    }

    /// [`Forwarder::new`] trusting `https://` upstreams as `trust` says.
    pub fn trusting(
        connect: Duration,
        total: Duration,
        max_body: usize,
        trust: &Trust,
    ) -> Forwarder {
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(connect));
        http.set_nodelay(true);
        http.enforce_http(false);
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let _ = roots.add_parsable_certificates(trust.extra.iter().cloned());
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map(|b| {
                if trust.insecure {
                    b.dangerous()
                        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
                        .with_no_client_auth()
                } else {
                    b.with_root_certificates(roots).with_no_client_auth()
                }
            });
        let https = match tls {
            Ok(tls) => hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls)
                .https_or_http()
                .enable_all_versions()
                .wrap_connector(http),
            // aws-lc-rs supports every default protocol version: this is not reached.
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_all_versions()
                .wrap_connector(http),
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https.clone());
        Forwarder {
            upstream: client.clone(),
            client,
            connector: https,
            total,
            max_body,
        }
    }

    /// This forwarder speaking only HTTP/2 to upstreams (`--upstream-http2`): with prior
    /// knowledge on `http://` (h2c), by ALPN on `https://`. Callbacks and webhooks keep
    /// both versions.
    pub fn http2_only(mut self) -> Forwarder {
        self.upstream = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .http2_only(true)
            .build(self.connector.clone());
        self
    }

    /// Sends `out` on as `how` says and returns the upstream's answer, its body read
    /// whole (bounded by the forwarder's body bound), or a 502 / 504 of standin's naming
    /// the upstream.
    pub async fn forward(&self, how: &Forward, out: Outgoing<'_>) -> Reply {
        let target = how.target(out.path, out.query);
        let Forwarded { reply, rest } = self.forward_streamed(how, out, None, self.max_body).await;
        match rest {
            None => reply,
            Some(rest) => match Limited::new(rest, self.max_body).collect().await {
                Ok(body) => Reply {
                    body: body.to_bytes(),
                    ..reply
                },
                Err(e) => failed(502, &how.base, &target, &format!("reading the answer: {e}")),
            },
        }
    }

    /// Sends `out` on as `how` says, its body `out.body` followed by `rest` when the
    /// request's body is still arriving. The answer's body is read up to more than `keep`
    /// bytes; a longer one comes back as [`Forwarded::rest`], to be sent on as it
    /// arrives (an error once the total timeout is past). A failure is a 502 / 504 of
    /// standin's naming the upstream.
    pub async fn forward_streamed(
        &self,
        how: &Forward,
        out: Outgoing<'_>,
        rest: Option<Streamed>,
        keep: usize,
    ) -> Forwarded {
        let whole = |reply| Forwarded { reply, rest: None };
        let target = how.target(out.path, out.query);
        let uri: Uri = match target.parse() {
            Ok(u) => u,
            Err(e) => return whole(failed(502, &how.base, &target, &format!("bad URL: {e}"))),
        };
        let deadline = tokio::time::Instant::now() + self.total;
        let body = match rest {
            None => full(out.body),
            Some(rest) => Prefixed::new(out.body, rest, None).boxed_unsync(),
        };
        let mut req = http::Request::new(body);
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
        let exchange = async {
            let resp = self.upstream.request(req).await.map_err(|e| describe(&e))?;
            let (parts, mut body) = resp.into_parts();
            let (first, done) = read_up_to(&mut body, keep)
                .await
                .map_err(|e| format!("reading the answer: {e}"))?;
            Ok::<_, String>((parts, first, (!done).then_some(body)))
        };
        let (parts, first, rest) = match tokio::time::timeout_at(deadline, exchange).await {
            Err(_) => {
                let e = format!("no answer within {} s", self.total.as_secs_f64());
                return whole(failed(504, &how.base, &target, &e));
            }
            Ok(Err(e)) => return whole(failed(502, &how.base, &target, &e)),
            Ok(Ok(answer)) => answer,
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
        let rest = rest.map(|rest| {
            let rest = rest.map_err(|e| -> BoxError { Box::new(e) }).boxed_unsync();
            Prefixed::new(first.clone(), rest, Some((deadline, self.total)))
        });
        reply.body = first;
        Forwarded { reply, rest }
    }
}

/// Bytes as a body in transit.
fn full(bytes: Bytes) -> Streamed {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// Reads `body` until it ends or more than `keep` bytes are in; answers the bytes read
/// and whether the body ended. A body of one frame is not copied.
pub async fn read_up_to<B>(body: &mut B, keep: usize) -> Result<(Bytes, bool), B::Error>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut one: Option<Bytes> = None;
    let mut many = BytesMut::new();
    loop {
        let held = one.as_ref().map_or(many.len(), Bytes::len);
        if held > keep {
            break;
        }
        let Some(frame) = body.frame().await else {
            let bytes = one.unwrap_or_else(|| many.freeze());
            return Ok((bytes, true));
        };
        let Ok(data) = frame?.into_data() else {
            // Trailers are not forwarded.
            continue;
        };
        match one.take() {
            None if many.is_empty() => one = Some(data),
            None => many.extend_from_slice(&data),
            Some(first) => {
                many.extend_from_slice(&first);
                many.extend_from_slice(&data);
            }
        }
    }
    let bytes = one.unwrap_or_else(|| many.freeze());
    let done = body.is_end_stream();
    Ok((bytes, done))
}

/// A body whose first bytes are already read, followed by the rest as it arrives; with
/// a deadline, an error once it is past (the total timeout of an exchange).
pub struct Prefixed {
    first: Option<Bytes>,
    rest: Streamed,
    deadline: Option<(Pin<Box<tokio::time::Sleep>>, Duration)>,
}

impl Prefixed {
    /// `first`, then `rest`; past `deadline` (and the total it ends), an error.
    pub fn new(
        first: Bytes,
        rest: Streamed,
        deadline: Option<(tokio::time::Instant, Duration)>,
    ) -> Prefixed {
        Prefixed {
            first: Some(first).filter(|b| !b.is_empty()),
            rest,
            deadline: deadline.map(|(at, total)| (Box::pin(tokio::time::sleep_until(at)), total)),
        }
    }
}

impl Body for Prefixed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Some(first) = this.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        if let Some((sleep, total)) = &mut this.deadline
            && sleep.as_mut().poll(cx).is_ready()
        {
            let e = format!(
                "the answer's body did not end within {} s",
                total.as_secs_f64()
            );
            return Poll::Ready(Some(Err(e.into())));
        }
        Pin::new(&mut this.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let first = self.first.as_ref().map_or(0, |b| b.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower() + first);
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + first);
        }
        hint
    }
}

/// The verifier of `--upstream-insecure`: any certificate is accepted, its signatures
/// still checked by the provider (so the handshake itself is sound).
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
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
        let req = req.map(|b| b.map_err(|never| match never {}).boxed_unsync());
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
