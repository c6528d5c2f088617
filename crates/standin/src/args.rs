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
    /// SIGTERM), write what passed to --out, as a WireMock stub root or a HAR file that
    /// `standin serve` replays.
    ///
    /// Example: standin record http://127.0.0.1:8080 --out recorded --format wiremock
    Record(RecordArgs),
}

/// Flags of `standin record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The server to record.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Where to write: a directory (wiremock) or a file (har).
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
}

/// `standin record`'s output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// A WireMock stub root: mappings/ and __files/.
    Wiremock,
    /// A HAR 1.2 file.
    Har,
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
