//! The mock model: what an OpenAPI document becomes at load, and what answers read.
//!
//! A loaded [`Document`] (its [`Version`] and schema [`Dialect`], the bundled root, base
//! paths) holds [`Operation`]s and the responses they can give. Schemas stay where they
//! are in the document and are referred to by JSON pointer ([`deref`] follows them);
//! examples are stored both as values and as the bytes that will be sent, so the request
//! path only copies a `Bytes` handle. Saved examples (Postman, HAR) have their own
//! compiled forms in [`crate::saved`].
//!
//! The loader, validation, generation, the snapshot and the engine all read these
//! types, so this module imports nothing else from the crate.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use bytes::Bytes;
use http::Method;
use serde_json::Value;

/// A response key of an OpenAPI operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusKey {
    /// An exact status code such as `404`.
    Code(u16),
    /// A range such as `4XX`, holding its first digit.
    Range(u8),
    /// `default`.
    Default,
}

impl StatusKey {
    /// Parses a response key (`200`, `4XX`, `default`).
    pub fn parse(key: &str) -> Option<StatusKey> {
        let k = key.trim();
        if k.eq_ignore_ascii_case("default") {
            return Some(StatusKey::Default);
        }
        let b = k.as_bytes();
        if b.len() == 3 && b[0].is_ascii_digit() {
            if b[1..].eq_ignore_ascii_case(b"xx") {
                return Some(StatusKey::Range(b[0] - b'0'));
            }
            if let Ok(code) = k.parse::<u16>()
                && (100..=599).contains(&code)
            {
                return Some(StatusKey::Code(code));
            }
        }
        None
    }

    /// The code sent when this response is chosen without a forced status.
    pub fn natural_status(self) -> u16 {
        match self {
            StatusKey::Code(c) => c,
            StatusKey::Range(d) => u16::from(d) * 100,
            StatusKey::Default => 200,
        }
    }
}

impl std::fmt::Display for StatusKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(d) => write!(f, "{d}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

/// A named example with the bytes it is sent as.
#[derive(Debug, Clone)]
pub struct Example {
    /// The key in `examples`, `example` for a lone example, or the media type for Swagger
    /// 2.0 `examples[mime]`.
    pub name: String,
    /// The value, kept for templating and echoing.
    pub value: Value,
    /// The rendered body.
    pub body: Bytes,
}

/// One media type of a response.
#[derive(Debug)]
pub struct MediaDef {
    /// The media type as declared (`application/json`, `application/xml; charset=utf-8`).
    pub media_type: String,
    /// The media type as the `Content-Type` sent (`None` when it cannot be a header
    /// value): made once, so an answer shares it.
    pub content_type: Option<http::HeaderValue>,
    /// JSON pointer to the schema, when there is one.
    pub schema: Option<String>,
    /// Examples in document order.
    pub examples: Vec<Example>,
    /// The schema's own `example`/`examples[0]`/`default`, used when there is no example.
    pub schema_example: Option<Example>,
}

/// A declared response header.
#[derive(Debug)]
pub struct HeaderDef {
    /// Header name as declared.
    pub name: String,
    /// Its example, ready to send.
    pub example: Option<String>,
    /// JSON pointer to its schema (for 2.0, to the header object, which is schema-like).
    pub schema: Option<String>,
    /// Whether it must be sent (OpenAPI 3 `required`; Swagger 2.0 response headers have
    /// no such field).
    pub required: bool,
}

/// One response of an operation.
#[derive(Debug)]
pub struct ResponseDef {
    /// Its key.
    pub key: StatusKey,
    /// JSON pointer of the response object.
    pub pointer: String,
    /// Media types in document order (empty: no body).
    pub media: Vec<MediaDef>,
    /// Declared headers.
    pub headers: Vec<HeaderDef>,
}

/// Where a parameter is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamIn {
    /// A path template variable.
    Path,
    /// A query string parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// A request parameter (path, query, header, cookie), normalised across versions.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it is sent.
    pub location: ParamIn,
    /// Whether it must be present.
    pub required: bool,
    /// Its schema (for Swagger 2.0, built from the parameter's type keywords). Shared:
    /// the same schema repeats across many operations of big documents.
    pub schema: Option<Arc<Value>>,
    /// Whether it is declared with `content` (a JSON-encoded value) rather than `schema`.
    pub json_content: bool,
    /// OpenAPI `style` (defaulted per location).
    pub style: String,
    /// OpenAPI `explode` (defaulted per style).
    pub explode: bool,
    /// Swagger 2.0 `collectionFormat`, when given.
    pub collection_format: Option<String>,
    /// `allowEmptyValue`: a query parameter may be sent with an empty value (`?q=`).
    pub allow_empty_value: bool,
    /// JSON pointer of the parameter object.
    pub pointer: String,
}

/// Whether a header parameter is one OpenAPI says to ignore: `Accept`, `Content-Type`
/// and `Authorization` are described by content negotiation and security instead.
pub fn ignored_header(name: &str) -> bool {
    ["accept", "content-type", "authorization"]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
}

/// One media type a request body may have.
#[derive(Debug, Clone)]
pub struct RequestMedia {
    /// The media type (`application/json`, `multipart/form-data` ...).
    pub media_type: String,
    /// Its schema, as a JSON pointer.
    pub schema: Option<String>,
    /// A schema built at load time rather than found in the document (Swagger 2.0
    /// `formData` parameters); used when `schema` is `None`.
    pub inline_schema: Option<Value>,
    /// JSON pointer of the media type object (for `encoding`), when there is one.
    pub pointer: Option<String>,
}

/// The request body of an operation.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// Whether a body is required.
    pub required: bool,
    /// Accepted media types.
    pub media: Vec<RequestMedia>,
}

/// One alternative of a security requirement: schemes that must all be satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityAlternative {
    /// Names of security schemes (keys of `components.securitySchemes`).
    pub schemes: Vec<String>,
}

/// An operation of a document.
#[derive(Debug)]
pub struct Operation {
    /// The method.
    pub method: Method,
    /// The path template as written in the document (without base path).
    pub template: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// `operationId`, when given.
    pub operation_id: Option<String>,
    /// Responses in document order.
    pub responses: Vec<ResponseDef>,
    /// Parameters: path-level merged with operation-level.
    pub parameters: Vec<Parameter>,
    /// The request body, when declared.
    pub request_body: Option<RequestBody>,
    /// Security: `None` inherits the document's; an empty list means none.
    pub security: Option<Vec<SecurityAlternative>>,
    /// Rotates through examples when the example choice is `sequential`.
    pub sequence: AtomicUsize,
    /// The requests of its `callbacks`, made after it answers.
    pub callbacks: Vec<OutboundDef>,
}

/// A request a document describes for standin to send rather than answer: one operation
/// of an operation's `callbacks` entry, or of a 3.1 `webhooks` entry.
#[derive(Debug)]
pub struct OutboundDef {
    /// The callback's or the webhook's name (its key).
    pub name: String,
    /// A callback's URL: the key of its path item, a runtime expression
    /// (`{$request.body#/callbackUrl}`); a webhook's key again (the target is given
    /// when it is sent).
    pub url: String,
    /// The method.
    pub method: Method,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// Its header parameters, with their examples and schemas.
    pub headers: Vec<HeaderDef>,
    /// Its request body's media types in document order (the first is sent).
    pub media: Vec<MediaDef>,
}

impl Operation {
    /// A short label for logs and error bodies: the operationId or `GET /path`.
    pub fn label(&self) -> String {
        match &self.operation_id {
            Some(id) => id.clone(),
            None => format!("{} {}", self.method, self.template),
        }
    }

    /// The response declared under `key`.
    pub fn response(&self, key: StatusKey) -> Option<&ResponseDef> {
        self.responses.iter().find(|r| r.key == key)
    }
}

/// Which OpenAPI version a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `swagger: "2.0"`.
    Swagger2,
    /// `openapi: 3.0.x`.
    OpenApi30,
    /// `openapi: 3.1.x` (and later 3.x).
    OpenApi31,
}

impl Version {
    /// The schema dialect of this version.
    pub fn dialect(self) -> Dialect {
        match self {
            Version::Swagger2 => Dialect::Swagger2,
            Version::OpenApi30 => Dialect::OpenApi30,
            Version::OpenApi31 => Dialect::OpenApi31,
        }
    }
}

/// Which schema dialect a document speaks; it decides `nullable`, `x-nullable`,
/// boolean vs numeric `exclusiveMinimum`, and type arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Swagger 2.0 schemas (`x-nullable`, draft-4 exclusive bounds, `type: file`).
    Swagger2,
    /// OpenAPI 3.0 schemas (`nullable`, draft-4 exclusive bounds).
    OpenApi30,
    /// OpenAPI 3.1 schemas (JSON Schema 2020-12: type arrays, `const`, `$defs`).
    OpenApi31,
}

/// A loaded OpenAPI document.
#[derive(Debug)]
pub struct Document {
    /// The file name as the user gave it.
    pub file: String,
    /// Its version.
    pub version: Version,
    /// The bundled document: every `$ref` in it is local.
    pub root: Arc<Value>,
    /// Base paths (from `servers` or `basePath`), normalised: no trailing slash, `""` for
    /// none. The first is the one used when the user overrides nothing.
    pub base_paths: Vec<String>,
    /// The operations that loaded.
    pub operations: Vec<Operation>,
    /// The document-wide `security`, when given.
    pub security: Option<Vec<SecurityAlternative>>,
    /// The 3.1 `webhooks`, sent on demand through the admin API.
    pub webhooks: Vec<OutboundDef>,
}

/// Follows a local `$ref` (`#/a/b`) in `root`.
pub fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    if fragment.is_empty() {
        return Some(root);
    }
    // A URI fragment, not a query or a path: `+` stays `+` (RFC 6901 §6).
    if fragment.contains('%') {
        let decoded = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .ok()?;
        crate::pointer::get(root, &decoded)
    } else {
        crate::pointer::get(root, fragment)
    }
}

/// Follows `$ref` chains from `value` (at most 32 hops, so cycles end). Returns the
/// target and the JSON pointer it sits at.
pub fn deref<'a>(root: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut current = value;
    let mut at = pointer.to_string();
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => match resolve_ref(root, r) {
                Some(target) => {
                    current = target;
                    at = r.trim_start_matches('#').to_string();
                }
                None => break,
            },
            None => break,
        }
    }
    (current, at)
}
