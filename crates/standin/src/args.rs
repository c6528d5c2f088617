//! Command-line flags, as typed. [`crate::config`] resolves them, with the config file,
//! into the mocks to serve; nothing else reads these raw values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// standin: serve OpenAPI documents as a live mock API.
#[derive(Debug, Parser)]
#[command(name = "standin", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve one or more sources as a mock API.
    ///
    /// Example: standin serve examples/petstore.yaml --port 4010
    Serve(Box<ServeArgs>),
    /// Prism's command line: `prism mock DOCUMENT` flags with Prism's meaning, served
    /// as the `standin serve` command line printed at start (each flag's help names
    /// the standin flags it becomes). Responses are checked against their schemas and
    /// violations listed in `sl-violations`, as Prism does.
    ///
    /// Example: standin mock api.yaml -p 4010 -d
    Mock(Box<crate::prism::MockArgs>),
    /// Load sources, print every diagnostic, and exit non-zero if any is an error.
    ///
    /// Example: standin check examples/petstore.yaml
    Check(CheckArgs),
    /// A validation proxy: forward every request to the upstream URL and check requests
    /// and responses against the documents, reporting violations in the
    /// `x-standin-violations` header, the journal and the log (`--validate enforce`
    /// answers an invalid request with the document's error instead). The upstream is
    /// the argument that is an http(s) URL, before or after the documents.
    ///
    /// Example: standin proxy petstore.yaml http://127.0.0.1:8080
    Proxy(Box<ServeArgs>),
    /// Record: forward every request to the upstream URL and, when stopped (Ctrl-C,
    /// SIGTERM), write what passed to --out, as a WireMock stub root, a HAR file, a
    /// Postman collection or a copy of an OpenAPI document with the answers as named
    /// examples, each of which `standin serve` replays.
    ///
    /// Example: standin record http://127.0.0.1:8080 --out recorded --format wiremock
    /// Example: standin record http://127.0.0.1:8080 --out api.json --format openapi-examples api.yaml
    Record(RecordArgs),
}

/// Flags of `standin record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The server to record.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Where to write: a directory (wiremock) or a file (har, postman, openapi-examples).
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// The output format.
    #[arg(long, value_enum, default_value = "wiremock")]
    pub format: RecordFormat,
    /// Port to listen on; 0 picks a free port [default: 4010].
    #[arg(long, short = 'p')]
    pub port: Option<u16>,
    /// Address to bind [default: 127.0.0.1].
    #[arg(long)]
    pub host: Option<String>,
    /// Write Authorization, Cookie, Set-Cookie and API-key headers as they were
    /// (redacted by default).
    #[arg(long)]
    pub keep_secrets: bool,
    /// Write only requests whose path and query match this glob (repeatable).
    /// Example: --filter '/api/*'
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Write only requests with this method (repeatable). Example: --method GET
    #[arg(long, value_name = "METHOD")]
    pub method: Vec<String>,
    /// A PEM file of certificates to trust for an https:// upstream, beside the
    /// built-in roots. Example: --upstream-ca ca.pem
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Option<PathBuf>,
    /// Accept any certificate of an https:// upstream (encrypted, not authenticated).
    #[arg(long)]
    pub upstream_insecure: bool,
    /// The OpenAPI document the recorded responses are written into, as named
    /// examples (with --format openapi-examples; given after the format or anywhere
    /// among the arguments). Example: --format openapi-examples api.yaml
    #[arg(value_name = "SPEC")]
    pub spec: Option<PathBuf>,
}

/// `standin record`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// A WireMock stub root: mappings/ and __files/.
    Wiremock,
    /// A HAR 1.2 file.
    Har,
    /// A Postman collection (v2.1): one request per exchange, its answer a saved example.
    Postman,
    /// A copy of the OpenAPI document given by --spec, the recorded responses written
    /// into its operations as named examples.
    OpenapiExamples,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// Request log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogArg {
    /// Human-readable lines.
    Text,
    /// JSON lines.
    Json,
}

/// Flags of `standin serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Source files: OpenAPI documents (Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML).
    /// Example: standin serve petstore.yaml
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,

    /// A config file (YAML or JSON) with the same settings as these flags, and a `mocks`
    /// list to serve several mocks at once. Flags given here override it.
    /// Example: --config standin.yaml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Port to listen on; 0 picks a free port [default: 4010].
    /// Example: --port 8080
    #[arg(long, short = 'p')]
    pub port: Option<u16>,

    /// Address to bind [default: 127.0.0.1]. Use 0.0.0.0 to serve other machines.
    /// Example: --host 0.0.0.0
    #[arg(long)]
    pub host: Option<String>,

    /// Serve every document under this base path instead of the one from `servers` or
    /// `basePath`. Example: --base-path /api/v2
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,

    /// Delay every response: milliseconds, or a random range.
    /// Example: --delay 250, --delay 100-300
    #[arg(long, value_name = "MS|MIN-MAX")]
    pub delay: Option<String>,

    /// Which example to send when a response has several: first, random or sequential
    /// [default: first]. Example: --examples sequential
    #[arg(long, value_name = "CHOICE")]
    pub examples: Option<String>,

    /// Which status to answer when none is forced: lowest (lowest 2xx, then default,
    /// then the lowest code) or random [default: lowest]. Example: --status-choice random
    #[arg(long, value_name = "CHOICE")]
    pub status_choice: Option<String>,

    /// Only these codes may be chosen when none is forced (a forced status still works).
    /// Example: --status 200,201,204
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub status: Option<Vec<u16>>,

    /// CORS headers on every response and answers to preflight requests [default: on].
    /// Example: --cors off
    #[arg(long, value_enum)]
    pub cors: Option<OnOff>,

    /// Seed for generated data: the same seed, operation and path give the same body.
    /// Example: --seed 42
    #[arg(long)]
    pub seed: Option<u64>,

    /// Vary generated data on every request. Example: --dynamic
    #[arg(long)]
    pub dynamic: bool,

    /// Generate every body from its schema, even where the document has examples.
    /// Example: --ignore-examples
    #[arg(long)]
    pub ignore_examples: bool,

    /// Generated objects whose declared properties are all required (or that declare
    /// none) also get one to three undeclared properties where the schema allows them,
    /// as json-schema-faker's fillProperties does in Prism's dynamic mode.
    /// Example: --fill-properties
    #[arg(long)]
    pub fill_properties: bool,

    /// Check the mock's own answers against their response schemas: off, report (list
    /// what breaks the schema in the `x-standin-violations` and `sl-violations` headers)
    /// or enforce (answer 500 listing the violations instead) [default: off].
    /// Example: --check-responses report
    #[arg(long, value_name = "MODE")]
    pub check_responses: Option<String>,

    /// Reload when a source, or any file it references, changes. A broken edit keeps
    /// the last good version. Example: --watch
    #[arg(long)]
    pub watch: bool,

    /// What to do with a request the document would reject: enforce (answer with the
    /// error the real API gives), warn (serve it, list the violations in the
    /// `x-standin-violations` header and the log) or off [default: enforce].
    /// Example: --validate warn
    #[arg(long, value_name = "MODE")]
    pub validate: Option<String>,

    /// A credential the mock accepts (API key, bearer token, or basic `user:pass`);
    /// repeat for several. With any given, a well-formed but unknown credential gets
    /// 403. Example: --accept-credential secret-token
    #[arg(long, value_name = "VALUE")]
    pub accept_credential: Vec<String>,

    /// A partial mock: forward what no source answers to this server, and return its
    /// answer. Example: --upstream http://127.0.0.1:8080
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// Set by `standin proxy`: forward every request.
    #[arg(skip)]
    pub forward_all: bool,

    /// Make the mock private: every request must send this key in `x-api-key`.
    /// Example: --api-key 0123abcd
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,

    /// A Postman environment file whose variables fill `{{var}}` in collections.
    /// Example: --env dev.postman_environment.json
    #[arg(long, value_name = "FILE")]
    pub env: Option<PathBuf>,

    /// Match saved examples on these request headers too (comma-separated).
    /// Example: --match-headers x-tenant,accept
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub match_headers: Option<Vec<String>>,

    /// Match saved examples on the request body too. Example: --match-body
    #[arg(long)]
    pub match_body: bool,

    /// HAR matching: strict (Playwright's rules) or lenient (query order ignored, JSON
    /// bodies compared as JSON) [default: strict]. Example: --har-match lenient
    #[arg(long, value_name = "MODE")]
    pub har_match: Option<String>,

    /// Serve only HAR entries whose host or URL matches this glob; repeatable.
    /// Example: --har-filter 'api.example.com' --har-filter '*/v2/*'
    #[arg(long, value_name = "GLOB")]
    pub har_filter: Vec<String>,

    /// Request log format [default: text]. Example: --log json
    #[arg(long, value_enum)]
    pub log: Option<LogArg>,

    /// No request log. Example: --quiet
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// The admin API at `/__admin` (WireMock's paths and JSON) [default: on]. With
    /// `off`, `/__admin` paths are ordinary requests to the mock. Example: --admin off
    #[arg(long, value_enum)]
    pub admin: Option<OnOff>,

    /// The bearer token a client from another address must send to the admin API;
    /// loopback clients need none. Without it, such clients get 403.
    /// Example: --admin-token s3cret
    #[arg(long, value_name = "TOKEN", env = "STANDIN_ADMIN_TOKEN")]
    pub admin_token: Option<String>,

    /// Keep no request journal (the admin API's /requests then reports it disabled).
    /// Example: --no-request-journal
    #[arg(long)]
    pub no_request_journal: bool,

    /// The most requests the journal keeps; the oldest go first [default: 10000].
    /// Example: --journal-max-entries 1000
    #[arg(long, value_name = "N")]
    pub journal_max_entries: Option<usize>,

    /// The most memory the journal's entries take, in bytes, or with a K, M or G
    /// suffix [default: 64M]. Example: --journal-max-bytes 16M
    #[arg(long, value_name = "SIZE")]
    pub journal_max_bytes: Option<String>,

    /// Request and response bodies longer than this are kept in the journal truncated,
    /// with a marker [default: 64K]. Example: --journal-max-body 4K
    #[arg(long, value_name = "SIZE")]
    pub journal_max_body: Option<String>,

    /// Template every stub's response, not only those with the `response-template`
    /// transformer. Example: --global-response-templating
    #[arg(long)]
    pub global_response_templating: bool,

    /// Mockoon environments: do not serve the routes with this uuid, or whose path
    /// contains this keyword (repeatable, or comma-separated), as Mockoon CLI's
    /// `--disable-routes`. Example: --disable-routes users,3b1d7c0e-...
    #[arg(long, value_name = "UUID|KEYWORD", value_delimiter = ',')]
    pub disable_routes: Vec<String>,

    /// Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.
    /// Example: --tls-cert cert.pem --tls-key key.pem
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    /// Example: --tls-key key.pem
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,

    /// `self-signed`: serve HTTPS with a certificate made at start for localhost,
    /// 127.0.0.1, ::1 and the bound host; its file and SHA-256 fingerprint are printed.
    /// Example: --tls self-signed
    #[arg(long, value_name = "MODE")]
    pub tls: Option<String>,

    /// Serve HTTPS on this port and plain HTTP on --port, both at once (without it,
    /// --port serves HTTPS alone); 0 picks a free port. Example: --tls-port 4443
    #[arg(long, value_name = "PORT")]
    pub tls_port: Option<u16>,

    /// The largest request body, past which the answer is 413 [default: 16M].
    /// Example: --max-body 1M
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,

    /// The longest request target (path and query), past which the answer is 414
    /// [default: 8K]. Example: --max-uri-length 16K
    #[arg(long, value_name = "SIZE")]
    pub max_uri_length: Option<String>,

    /// The largest request head (request line and headers; on HTTP/2 the header list),
    /// past which the answer is 431; at least 8K [default: 64K].
    /// Example: --max-header-bytes 16K
    #[arg(long, value_name = "SIZE")]
    pub max_header_bytes: Option<String>,

    /// The most header fields a request may have, past which the answer is 431
    /// [default: 100]. Example: --max-headers 50
    #[arg(long, value_name = "N")]
    pub max_headers: Option<usize>,

    /// The most connections open at once over every port; past it a new connection
    /// gets 503 (HTTP) or is closed (HTTPS) [default: 10000]. Example: --max-connections 512
    #[arg(long, value_name = "N")]
    pub max_connections: Option<usize>,

    /// How long a client has to send a whole request head (HTTP/1; it also bounds the
    /// wait for the next request on a kept-alive connection), to finish a header block
    /// once begun (HTTP/2) or to finish a TLS handshake; `off` for no limit [default: 30s]. Example: --header-read-timeout 10s
    #[arg(long, value_name = "DURATION")]
    pub header_read_timeout: Option<String>,

    /// Close a connection on which nothing moves while no request is being answered,
    /// after this long; `off` for never [default: 60s]. Example: --idle-timeout 5m
    #[arg(long, value_name = "DURATION")]
    pub idle_timeout: Option<String>,

    /// The most HTTP/2 streams a client may have open on one connection; more are
    /// refused [default: 200]. Example: --max-concurrent-streams 100
    #[arg(long, value_name = "N")]
    pub max_concurrent_streams: Option<u32>,

    /// On SIGTERM or Ctrl-C, how long requests in flight have to finish before the
    /// process exits anyway [default: 5s]. Example: --shutdown-grace 30s
    #[arg(long, value_name = "DURATION")]
    pub shutdown_grace: Option<String>,

    /// How long one attempt of a callback or webhook may take, in milliseconds
    /// [default: 10000]. Example: --outbound-timeout 2000
    #[arg(long, value_name = "MS")]
    pub outbound_timeout: Option<u64>,

    /// Attempts made again after a callback or webhook fails (no connection, no answer
    /// in time, a 5xx or 429 answer) [default: 0]. Example: --outbound-retries 3
    #[arg(long, value_name = "N")]
    pub outbound_retries: Option<u32>,

    /// The wait before the first retry, in milliseconds; it doubles for each next one
    /// [default: 250]. Example: --outbound-backoff 100
    #[arg(long, value_name = "MS")]
    pub outbound_backoff: Option<u64>,

    /// The most callbacks and webhooks waiting or being sent; more are dropped, counted
    /// and logged, never delaying a request [default: 1000]. Example: --outbound-queue 100
    #[arg(long, value_name = "N")]
    pub outbound_queue: Option<usize>,

    /// A PEM file of certificates to trust for https:// callback targets and upstreams,
    /// beside the built-in roots (a private CA, a self-signed test server).
    /// Example: --outbound-ca ca.pem (or --upstream-ca ca.pem)
    #[arg(long, value_name = "FILE", visible_alias = "upstream-ca")]
    pub outbound_ca: Option<PathBuf>,

    /// Accept any certificate of an https:// upstream or callback target (encrypted,
    /// not authenticated): for servers whose certificate cannot be checked.
    /// Example: --upstream-insecure
    #[arg(long)]
    pub upstream_insecure: bool,

    /// Speak only HTTP/2 to upstreams: with prior knowledge (h2c) on http://, by ALPN on
    /// https:// (without it: HTTP/2 when an https:// upstream offers it, else HTTP/1.1).
    /// Example: --upstream-http2
    #[arg(long)]
    pub upstream_http2: bool,

    /// How long connecting to an upstream may take, in milliseconds, before it answers
    /// 502 [default: 5000]. Example: --upstream-connect-timeout 1000
    #[arg(long, value_name = "MS")]
    pub upstream_connect_timeout: Option<u64>,

    /// How long a whole exchange with an upstream may take, in milliseconds, its body
    /// included; past it, 504 (or, once the answer is being passed on, the connection
    /// is cut) [default: 30000]. Example: --upstream-timeout 2000
    #[arg(long, value_name = "MS")]
    pub upstream_timeout: Option<u64>,

    /// Stateful mocking: POST creates, GET shows and lists, PUT and PATCH change and
    /// DELETE removes the resources the document describes. Example: --stateful
    #[arg(long)]
    pub stateful: bool,

    /// The most resource items a stateful mock holds [default: 100000].
    /// Example: --state-max-items 1000
    #[arg(long, value_name = "N")]
    pub state_max_items: Option<usize>,

    /// The most memory a stateful mock's items take, in bytes, or with a K, M or G
    /// suffix [default: 256M]. Example: --state-max-bytes 16M
    #[arg(long, value_name = "SIZE")]
    pub state_max_bytes: Option<String>,

    /// Share state, runtime mocks and the journal with other replicas through Redis:
    /// redis://HOST:PORT/DB (rediss:// for TLS).
    #[arg(long, value_name = "URL", env = "STANDIN_STORE")]
    pub store: Option<String>,

    /// Reach each mock at {name}.DOMAIN too (the Host header), beside /mocks/{name}/.
    #[arg(long, value_name = "DOMAIN", env = "STANDIN_DOMAIN")]
    pub domain: Option<String>,
}

/// Flags of `standin check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Source files to check. Example: standin check petstore.yaml
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<PathBuf>,

    /// Check the sources of every mock of a config file. Example: --config standin.yaml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Also list the resources a stateful mock would keep, and why each operation not
    /// taken was left out. Example: standin check --stateful petstore.yaml
    #[arg(long)]
    pub stateful: bool,
}
