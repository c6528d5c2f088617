//! What goes into an answer and what comes out: the request as the core sees it, the
//! reply to send, why it was chosen, and the near misses of a request nothing answered.
//!
//! Every kind of source (OpenAPI operations, saved examples, stubs) builds these and the
//! engine, the journal and the server read them, so this module imports nothing else
//! from the crate: it sits below everything else.

use std::net::IpAddr;
use std::path::PathBuf;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};

/// A request, as the engine sees it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The method.
    pub method: &'a Method,
    /// The raw path, without the query string.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The whole body.
    pub body: &'a [u8],
    /// The time the request arrived, in ms since the Unix epoch (the core has no clock;
    /// saved examples' `{{$timestamp}}` and stub templates read it).
    pub now_unix_ms: u64,
    /// The client's address, when known (stub templates' `request.clientIp`).
    pub peer: Option<IpAddr>,
}

impl<'a> Request<'a> {
    /// A request with no body, headers or peer, arriving at time 0: for tests and for
    /// requests rebuilt from the journal.
    pub fn new(method: &'a Method, path: &'a str, headers: &'a HeaderMap) -> Request<'a> {
        Request {
            method,
            path,
            query: None,
            headers,
            body: &[],
            now_unix_ms: 0,
            peer: None,
        }
    }
}

/// Which kind of source answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// No source: an answer of standin's own (a miss, a bad directive, CORS preflight).
    #[default]
    None,
    /// A WireMock stub.
    Stub,
    /// A saved example (Postman collection, HAR recording).
    Saved,
    /// An OpenAPI operation.
    OpenApi,
    /// A resource of a stateful mock, answered from the store.
    State,
    /// A route of a Mockoon environment.
    Route,
    /// The upstream of a partial mock, for a request no source answered.
    Upstream,
}

impl Kind {
    /// The name used in logs and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::None => "standin",
            Kind::Stub => "stub",
            Kind::Saved => "saved",
            Kind::OpenApi => "openapi",
            Kind::State => "state",
            Kind::Route => "route",
            Kind::Upstream => "upstream",
        }
    }
}

/// What was answered and why, for the log line and the journal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Why {
    /// The kind of source that answered.
    pub answerer: Kind,
    /// The operation answered (operationId or `METHOD /template`).
    pub operation: Option<String>,
    /// The example sent: its name, `generated`, or `schema` (the schema's own example).
    pub example: Option<String>,
    /// A short note when the answer is an error of standin's (`no-route`, `bad-directive`).
    pub note: Option<&'static str>,
    /// Request violations served anyway (validation in warn mode).
    pub violations: Option<String>,
    /// The source that answered, when it was a saved example (file name).
    pub source: Option<String>,
    /// The id of the stub that answered.
    pub stub: Option<String>,
    /// What a stateful answer did: the action, the resource and the item
    /// (`create /pets 3`).
    pub state: Option<String>,
    /// On a miss: the closest candidates of every source, closest first.
    pub near: Vec<NearMiss>,
}

/// A candidate that did not answer a request, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NearMiss {
    /// The kind of source it belongs to.
    pub answerer: Kind,
    /// What it is: a stub's name or id, an example's label, `GET /pets/{id}`.
    pub label: String,
    /// 0 is a match, 1 nothing in common.
    pub distance: f64,
    /// What did not match, one short phrase each (`method`, `header X-Id`).
    pub reasons: Vec<String>,
}

/// A failure to produce on the wire instead of an answer (WireMock's `fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection with a TCP reset.
    ConnectionResetByPeer,
    /// Close the connection without sending anything.
    EmptyResponse,
    /// Send the status line and headers, then a broken chunk, then close.
    MalformedResponseChunk,
    /// Send random bytes instead of a response, then close.
    RandomDataThenClose,
}

impl Fault {
    /// Reads WireMock's name of a fault.
    pub fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "CONNECTION_RESET_BY_PEER" => Fault::ConnectionResetByPeer,
            "EMPTY_RESPONSE" => Fault::EmptyResponse,
            "MALFORMED_RESPONSE_CHUNK" => Fault::MalformedResponseChunk,
            "RANDOM_DATA_THEN_CLOSE" => Fault::RandomDataThenClose,
            _ => return None,
        })
    }

    /// WireMock's name of the fault.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            Fault::EmptyResponse => "EMPTY_RESPONSE",
            Fault::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            Fault::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        }
    }
}

/// How the body is sent, beyond the bytes in [`Reply::body`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wire {
    /// The reason phrase to send instead of the standard one.
    pub status_message: Option<String>,
    /// Send this file as the body, streamed, instead of `Reply::body` (the core reads no
    /// file; the server opens it when it sends).
    pub body_file: Option<PathBuf>,
    /// Send the body in this many chunks spread over this many milliseconds.
    pub dribble: Option<Dribble>,
    /// Do not answer: produce this fault on the connection.
    pub fault: Option<Fault>,
    /// Do not answer: send the request on to another server and return its answer (a
    /// stub's `proxyBaseUrl`, a partial mock's upstream). The core cannot do I/O, so the
    /// server forwards.
    pub forward: Option<Box<Forward>>,
    /// Outbound requests to make once the answer is sent (an operation's callbacks, a
    /// stub's webhooks); the server's sender makes them, never delaying the answer.
    pub calls: Vec<Call>,
}

/// What asked for an outbound call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOrigin {
    /// An OpenAPI `callbacks` entry of the operation that answered.
    Callback,
    /// An OpenAPI 3.1 `webhooks` entry, sent through the admin API.
    Webhook,
    /// A WireMock stub's `serveEventListeners` entry of type `webhook`.
    Listener,
}

impl CallOrigin {
    /// Its name in the journal and the log.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOrigin::Callback => "callback",
            CallOrigin::Webhook => "webhook",
            CallOrigin::Listener => "serveEventListener",
        }
    }
}

/// An outbound request built by the core (which does no I/O) for the server to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// What asked for it.
    pub origin: CallOrigin,
    /// Its name: the callback's name and URL expression, the webhook's name, the stub.
    pub name: String,
    /// The method.
    pub method: Method,
    /// The absolute URL (`http://` or `https://`).
    pub url: String,
    /// The headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Bytes,
    /// How long to wait after the answer before sending.
    pub delay_ms: u64,
    /// Why the call cannot be made (a runtime expression naming nothing, a template that
    /// failed): it is journalled as failed and not sent.
    pub error: Option<String>,
}

/// Where and how to forward a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forward {
    /// The upstream, `http(s)://host[:port][/base]`: the request's path and query are
    /// appended to it.
    pub base: String,
    /// A prefix removed from the request's path before it is appended
    /// (`proxyUrlPrefixToRemove`).
    pub strip_prefix: Option<String>,
    /// Headers set on the forwarded request (`additionalProxyRequestHeaders`).
    pub add_headers: Vec<(HeaderName, HeaderValue)>,
    /// Headers removed from the forwarded request (`removeProxyRequestHeaders`).
    pub remove_headers: Vec<HeaderName>,
}

impl Forward {
    /// A plain forward to `base`.
    pub fn to(base: impl Into<String>) -> Forward {
        Forward {
            base: base.into(),
            ..Forward::default()
        }
    }

    /// The upstream URL of a request to `path` (raw, with its `query`).
    pub fn target(&self, path: &str, query: Option<&str>) -> String {
        let path = match &self.strip_prefix {
            Some(p) if !p.is_empty() => path.strip_prefix(p.as_str()).unwrap_or(path),
            _ => path,
        };
        let base = self.base.trim_end_matches('/');
        let mut url = String::with_capacity(base.len() + path.len() + 1);
        url.push_str(base);
        if !path.starts_with('/') {
            url.push('/');
        }
        url.push_str(path);
        if let Some(q) = query {
            url.push('?');
            url.push_str(q);
        }
        url
    }
}

/// WireMock's `chunkedDribbleDelay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dribble {
    /// How many chunks (at least 1).
    pub chunks: u32,
    /// Over how long, in milliseconds.
    pub total_ms: u64,
}

/// The answer to send.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers (content type included).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Bytes,
    /// Milliseconds to wait before sending.
    pub delay_ms: u64,
    /// How the body is sent: streamed file, dribble, fault, reason phrase.
    pub wire: Wire,
    /// Why this answer.
    pub why: Why,
}

impl Reply {
    /// A reply with a status and nothing else.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            delay_ms: 0,
            wire: Wire::default(),
            why: Why::default(),
        }
    }
}
