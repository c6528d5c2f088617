//! The config file and flag resolution: raw input in, validated mocks out.
//!
//! A config file has the flags' settings at the top level (they apply to every mock)
//! and, optionally, a `mocks` list whose entries override them:
//!
//! ```yaml
//! port: 4010
//! delay: 100-300
//! mocks:
//!   - name: pets
//!     sources: [petstore.yaml]
//!   - name: stock
//!     sources: [stock.json]
//!     port: 4011
//!     status: [200]
//! ```
//!
//! Flags given on the command line override both. Relative source paths are relative
//! to the config file.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;
use standin_core::MockSettings;
use standin_core::settings::Delay;
use std::time::Duration;

use standin_server::Limits;
use standin_server::MockConfig;
use standin_server::log::LogFormat;
use standin_server::tls::TlsSource;

use crate::args::{LogArg, OnOff, ServeArgs};

/// Settings that can appear at the top level or in a mock entry.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileSettings {
    name: Option<String>,
    sources: Option<Vec<PathBuf>>,
    port: Option<u16>,
    host: Option<String>,
    #[serde(alias = "base_path")]
    base_path: Option<String>,
    delay: Option<serde_json::Value>,
    examples: Option<String>,
    #[serde(alias = "status_choice")]
    status_choice: Option<String>,
    status: Option<Vec<u16>>,
    cors: Option<serde_json::Value>,
    seed: Option<u64>,
    dynamic: Option<bool>,
    #[serde(alias = "ignore_examples")]
    ignore_examples: Option<bool>,
    #[serde(alias = "fill_properties")]
    fill_properties: Option<bool>,
    #[serde(alias = "check_responses")]
    check_responses: Option<String>,
    watch: Option<bool>,
    validate: Option<String>,
    #[serde(alias = "accept_credentials")]
    accept_credentials: Option<Vec<String>>,
    #[serde(alias = "api_key")]
    api_key: Option<String>,
    env: Option<PathBuf>,
    #[serde(alias = "match_headers")]
    match_headers: Option<Vec<String>>,
    #[serde(alias = "match_body")]
    match_body: Option<bool>,
    #[serde(alias = "har_match")]
    har_match: Option<String>,
    #[serde(alias = "har_filter")]
    har_filter: Option<Vec<String>>,
    stateful: Option<bool>,
    #[serde(alias = "state_max_items")]
    state_max_items: Option<usize>,
    #[serde(alias = "state_max_bytes")]
    state_max_bytes: Option<serde_json::Value>,
    upstream: Option<String>,
    #[serde(skip)]
    forward_all: Option<bool>,
    tls: Option<String>,
    #[serde(alias = "tls_cert")]
    tls_cert: Option<PathBuf>,
    #[serde(alias = "tls_key")]
    tls_key: Option<PathBuf>,
    #[serde(alias = "tls_port")]
    tls_port: Option<u16>,
}

/// A whole config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    #[serde(flatten)]
    top: FileSettings,
    mocks: Option<Vec<FileSettings>>,
    // The limits and the shutdown grace: top-level only, they hold for the whole process.
    max_body: Option<serde_json::Value>,
    max_uri_length: Option<serde_json::Value>,
    max_header_bytes: Option<serde_json::Value>,
    max_headers: Option<usize>,
    max_connections: Option<usize>,
    header_read_timeout: Option<serde_json::Value>,
    idle_timeout: Option<serde_json::Value>,
    max_concurrent_streams: Option<u32>,
    shutdown_grace: Option<serde_json::Value>,
    log: Option<String>,
    quiet: Option<bool>,
    store: Option<String>,
    domain: Option<String>,
}

/// Reads and parses a config file.
pub fn read_config(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    let value = standin_core::parse::parse_document(&text).map_err(|e| {
        anyhow::anyhow!(
            "config file {}{}: {}",
            path.display(),
            e.line.map(|l| format!(":{l}")).unwrap_or_default(),
            e.message
        )
    })?;
    serde_json::from_value(value).with_context(|| format!("config file {}", path.display()))
}

fn merge(base: &FileSettings, over: &FileSettings) -> FileSettings {
    FileSettings {
        name: over.name.clone().or(base.name.clone()),
        sources: over.sources.clone().or(base.sources.clone()),
        port: over.port.or(base.port),
        host: over.host.clone().or(base.host.clone()),
        base_path: over.base_path.clone().or(base.base_path.clone()),
        delay: over.delay.clone().or(base.delay.clone()),
        examples: over.examples.clone().or(base.examples.clone()),
        status_choice: over.status_choice.clone().or(base.status_choice.clone()),
        status: over.status.clone().or(base.status.clone()),
        cors: over.cors.clone().or(base.cors.clone()),
        seed: over.seed.or(base.seed),
        dynamic: over.dynamic.or(base.dynamic),
        ignore_examples: over.ignore_examples.or(base.ignore_examples),
        fill_properties: over.fill_properties.or(base.fill_properties),
        check_responses: over
            .check_responses
            .clone()
            .or(base.check_responses.clone()),
        watch: over.watch.or(base.watch),
        validate: over.validate.clone().or(base.validate.clone()),
        accept_credentials: over
            .accept_credentials
            .clone()
            .or(base.accept_credentials.clone()),
        api_key: over.api_key.clone().or(base.api_key.clone()),
        env: over.env.clone().or(base.env.clone()),
        match_headers: over.match_headers.clone().or(base.match_headers.clone()),
        match_body: over.match_body.or(base.match_body),
        har_match: over.har_match.clone().or(base.har_match.clone()),
        har_filter: over.har_filter.clone().or(base.har_filter.clone()),
        stateful: over.stateful.or(base.stateful),
        state_max_items: over.state_max_items.or(base.state_max_items),
        state_max_bytes: over
            .state_max_bytes
            .clone()
            .or(base.state_max_bytes.clone()),
        upstream: over.upstream.clone().or(base.upstream.clone()),
        forward_all: over.forward_all.or(base.forward_all),
        tls: over.tls.clone().or(base.tls.clone()),
        tls_cert: over.tls_cert.clone().or(base.tls_cert.clone()),
        tls_key: over.tls_key.clone().or(base.tls_key.clone()),
        tls_port: over.tls_port.or(base.tls_port),
    }
}

/// The command-line flags as file settings (only those given).
fn from_flags(a: &ServeArgs) -> FileSettings {
    FileSettings {
        name: None,
        sources: (!a.sources.is_empty()).then(|| a.sources.clone()),
        port: a.port,
        host: a.host.clone(),
        base_path: a.base_path.clone(),
        delay: a.delay.clone().map(serde_json::Value::String),
        examples: a.examples.clone(),
        status_choice: a.status_choice.clone(),
        status: a.status.clone(),
        cors: a.cors.map(|c| serde_json::Value::Bool(c == OnOff::On)),
        seed: a.seed,
        dynamic: a.dynamic.then_some(true),
        ignore_examples: a.ignore_examples.then_some(true),
        fill_properties: a.fill_properties.then_some(true),
        check_responses: a.check_responses.clone(),
        watch: a.watch.then_some(true),
        validate: a.validate.clone(),
        accept_credentials: (!a.accept_credential.is_empty()).then(|| a.accept_credential.clone()),
        api_key: a.api_key.clone(),
        env: a.env.clone(),
        match_headers: a.match_headers.clone(),
        match_body: a.match_body.then_some(true),
        har_match: a.har_match.clone(),
        har_filter: (!a.har_filter.is_empty()).then(|| a.har_filter.clone()),
        stateful: a.stateful.then_some(true),
        state_max_items: a.state_max_items,
        state_max_bytes: a.state_max_bytes.clone().map(serde_json::Value::String),
        upstream: a.upstream.clone(),
        forward_all: a.forward_all.then_some(true),
        tls: a.tls.clone(),
        tls_cert: a.tls_cert.clone(),
        tls_key: a.tls_key.clone(),
        tls_port: a.tls_port,
    }
}

/// What `serve` runs: the config's mocks, the log format, and the service around them.
pub struct Resolved {
    pub mocks: Vec<MockConfig>,
    pub log: LogFormat,
    pub service: standin_server::ServiceOptions,
}

/// Resolves flags and the config file into mocks, the log format and the service. No
/// sources anywhere is an empty service, waiting for mocks created through its admin
/// API.
pub fn resolve(args: &ServeArgs) -> anyhow::Result<Resolved> {
    let file = match &args.config {
        Some(p) => Some((
            read_config(p)?,
            p.parent().map(Path::to_path_buf).unwrap_or_default(),
        )),
        None => None,
    };
    let flags = from_flags(args);
    let mut service = standin_server::ServiceOptions::default();
    let file_top = file.as_ref().map(|(c, _)| &c.top);
    if let Some(port) = args.port.or(file_top.and_then(|t| t.port)) {
        service.port = port;
    }
    if let Some(host) = args.host.clone().or(file_top.and_then(|t| t.host.clone())) {
        service.host = host;
    }
    service.store = args
        .store
        .clone()
        .or(file.as_ref().and_then(|(c, _)| c.store.clone()))
        .filter(|s| !s.is_empty());
    service.domain = args
        .domain
        .clone()
        .or(file.as_ref().and_then(|(c, _)| c.domain.clone()))
        .filter(|s| !s.is_empty());
    if let Some(d) = &service.domain
        && (d.contains(['/', ':', ' ']) || d.trim_matches('.').is_empty())
    {
        bail!("--domain {d:?}: expected a DNS name such as mocks.example.test");
    }
    let no_sources = args.sources.is_empty()
        && !args.forward_all
        && file
            .as_ref()
            .is_none_or(|(c, _)| c.mocks.is_none() && c.top.sources.is_none());
    let (entries, log, quiet) = match &file {
        Some((cfg, dir)) => {
            let top = absolutize(&cfg.top, dir);
            let entries: Vec<FileSettings> = match &cfg.mocks {
                Some(list) => {
                    if !args.sources.is_empty() {
                        bail!(
                            "sources are given both on the command line and in the config's `mocks`; give them in one place"
                        );
                    }
                    if list.is_empty() {
                        bail!("config file: `mocks` is empty");
                    }
                    list.iter()
                        .map(|m| merge(&top, &absolutize(m, dir)))
                        .collect()
                }
                None => vec![top],
            };
            (entries, cfg.log.clone(), cfg.quiet.unwrap_or(false))
        }
        None => (vec![FileSettings::default()], None, false),
    };
    let mut mocks = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if no_sources {
            break;
        }
        let s = merge(entry, &flags);
        let name = s.name.clone().unwrap_or_else(|| {
            if entries.len() == 1 {
                "mock".into()
            } else {
                format!("mock{}", i + 1)
            }
        });
        mocks.push(to_mock(&name, &s)?);
    }
    let log = if args.quiet || quiet {
        LogFormat::Quiet
    } else {
        match (args.log, log.as_deref()) {
            (Some(LogArg::Json), _) | (None, Some("json")) => LogFormat::Json,
            (Some(LogArg::Text), _) | (None, Some("text")) | (None, None) => LogFormat::Text,
            (None, Some(other)) => bail!("config file: log '{other}' is not text or json"),
        }
    };
    Ok(Resolved {
        mocks,
        log,
        service,
    })
}

fn absolutize(s: &FileSettings, dir: &Path) -> FileSettings {
    let mut s = s.clone();
    if let Some(sources) = &mut s.sources {
        for p in sources.iter_mut() {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
    }
    for path in [&mut s.env, &mut s.tls_cert, &mut s.tls_key]
        .into_iter()
        .flatten()
    {
        if path.is_relative() {
            *path = dir.join(&*path);
        }
    }
    s
}

fn to_mock(name: &str, s: &FileSettings) -> anyhow::Result<MockConfig> {
    let sources = s.sources.clone().unwrap_or_default();
    if sources.is_empty() && s.forward_all != Some(true) {
        bail!(
            "mock '{name}': no sources; give one or more files, e.g. `standin serve petstore.yaml`"
        );
    }
    let delay = match &s.delay {
        None => None,
        Some(serde_json::Value::Number(n)) => {
            Some(Delay::parse(&n.to_string()).map_err(|e| anyhow::anyhow!("mock '{name}': {e}"))?)
        }
        Some(serde_json::Value::String(t)) => {
            Some(Delay::parse(t).map_err(|e| anyhow::anyhow!("mock '{name}': {e}"))?)
        }
        Some(other) => bail!(
            "mock '{name}': invalid delay {other}: expected milliseconds such as 250, or a range such as \"100-300\""
        ),
    };
    let cors = match &s.cors {
        None => true,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(t)) if t == "on" => true,
        Some(serde_json::Value::String(t)) if t == "off" => false,
        Some(other) => bail!("mock '{name}': invalid cors {other}: expected on or off"),
    };
    let examples = match &s.examples {
        Some(e) => e
            .parse()
            .map_err(|e: String| anyhow::anyhow!("mock '{name}': {e}"))?,
        None => Default::default(),
    };
    let status_choice = match &s.status_choice {
        Some(e) => e
            .parse()
            .map_err(|e: String| anyhow::anyhow!("mock '{name}': {e}"))?,
        None => Default::default(),
    };
    let defaults = MockSettings::default();
    let state_max_bytes = match &s.state_max_bytes {
        None => defaults.state_max_bytes,
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| anyhow::anyhow!("mock '{name}': invalid state-max-bytes {n}"))?,
        Some(serde_json::Value::String(t)) => {
            parse_size(t).with_context(|| format!("mock '{name}': state-max-bytes {t}"))?
        }
        Some(other) => {
            bail!("mock '{name}': invalid state-max-bytes {other}: expected bytes such as 16M")
        }
    };
    let statuses = s.status.clone().unwrap_or_default();
    if let Some(bad) = statuses.iter().find(|c| !(100..=599).contains(*c)) {
        bail!("mock '{name}': invalid status {bad}: codes go from 100 to 599");
    }
    if let Some(u) = &s.upstream {
        let host = u
            .strip_prefix("http://")
            .or_else(|| u.strip_prefix("https://"))
            .and_then(|rest| rest.split(['/', '?']).next());
        let ok = host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace));
        if !ok {
            bail!(
                "mock '{name}': invalid upstream {u:?}: expected an http(s) URL such as http://127.0.0.1:8080"
            );
        }
    }
    let tls = tls_source(name, s)?;
    let port = s.port.unwrap_or(4010);
    if let Some(tls_port) = s.tls_port {
        if tls.is_none() {
            bail!(
                "mock '{name}': tls-port {tls_port} needs a certificate: --tls self-signed, or --tls-cert and --tls-key"
            );
        }
        if tls_port == port && port != 0 {
            bail!(
                "mock '{name}': tls-port and port are both {port}; HTTPS needs a port of its own"
            );
        }
    }
    Ok(MockConfig {
        tls,
        tls_port: s.tls_port,
        name: name.to_string(),
        sources,
        host: s.host.clone().unwrap_or_else(|| "127.0.0.1".into()),
        port,
        settings: MockSettings {
            base_path: s.base_path.clone(),
            delay,
            examples,
            status_choice,
            statuses,
            cors,
            seed: s.seed.unwrap_or(0),
            dynamic: s.dynamic.unwrap_or(false),
            ignore_examples: s.ignore_examples.unwrap_or(false),
            fill_properties: s.fill_properties.unwrap_or(false),
            check_responses: parse_opt(name, &s.check_responses)?,
            validate: parse_opt(name, &s.validate)?,
            accept_credentials: s.accept_credentials.clone().unwrap_or_default(),
            api_key: s.api_key.clone(),
            postman_env: s.env.clone(),
            variables: Vec::new(),
            match_headers: s.match_headers.clone().unwrap_or_default(),
            match_body: s.match_body.unwrap_or(false),
            har_match: parse_opt(name, &s.har_match)?,
            har_filter: s.har_filter.clone().unwrap_or_default(),
            stateful: s.stateful.unwrap_or(false),
            state_max_items: s.state_max_items.unwrap_or(defaults.state_max_items),
            state_max_bytes,
            upstream: s.upstream.clone(),
            forward_all: s.forward_all.unwrap_or(false),
        },
        watch: s.watch.unwrap_or(false),
    })
}

/// Where a mock's certificate comes from, if it serves HTTPS.
fn tls_source(name: &str, s: &FileSettings) -> anyhow::Result<Option<TlsSource>> {
    match (s.tls.as_deref(), &s.tls_cert, &s.tls_key) {
        (None, None, None) => Ok(None),
        (Some("self-signed"), None, None) => Ok(Some(TlsSource::SelfSigned)),
        (Some("self-signed"), _, _) => bail!(
            "mock '{name}': --tls self-signed makes its own certificate; drop --tls-cert and --tls-key, or --tls"
        ),
        (Some(other), _, _) => bail!(
            "mock '{name}': invalid tls {other:?}: the only mode is self-signed (or give --tls-cert and --tls-key)"
        ),
        (None, Some(cert), Some(key)) => Ok(Some(TlsSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        })),
        (None, Some(_), None) => bail!("mock '{name}': --tls-cert needs --tls-key"),
        (None, None, Some(_)) => bail!("mock '{name}': --tls-key needs --tls-cert"),
    }
}

/// The limits and the shutdown grace of `serve`: flags over the config file's top
/// level over the defaults.
pub fn transport(args: &ServeArgs) -> anyhow::Result<(Limits, Duration)> {
    let file = match &args.config {
        Some(p) => read_config(p)?,
        None => FileConfig::default(),
    };
    let d = Limits::default();
    let size = |name: &str, flag: &Option<String>, file: &Option<serde_json::Value>, default| match (
        flag, file,
    ) {
        (Some(t), _) => parse_size(t).with_context(|| format!("--{name} {t}")),
        (None, Some(v)) => value_size(v).with_context(|| format!("config file: {name} {v}")),
        (None, None) => Ok(default),
    };
    let time = |name: &str, flag: &Option<String>, file: &Option<serde_json::Value>, default| match (
        flag, file,
    ) {
        (Some(t), _) => parse_duration(t).with_context(|| format!("--{name} {t}")),
        (None, Some(v)) => value_duration(v).with_context(|| format!("config file: {name} {v}")),
        (None, None) => Ok(default),
    };
    let limits = Limits {
        max_body: size("max-body", &args.max_body, &file.max_body, d.max_body)?,
        max_uri: size(
            "max-uri-length",
            &args.max_uri_length,
            &file.max_uri_length,
            d.max_uri,
        )?,
        max_header_bytes: size(
            "max-header-bytes",
            &args.max_header_bytes,
            &file.max_header_bytes,
            d.max_header_bytes,
        )?,
        max_headers: args
            .max_headers
            .or(file.max_headers)
            .unwrap_or(d.max_headers),
        max_connections: args
            .max_connections
            .or(file.max_connections)
            .unwrap_or(d.max_connections),
        header_read_timeout: time(
            "header-read-timeout",
            &args.header_read_timeout,
            &file.header_read_timeout,
            d.header_read_timeout,
        )?,
        idle_timeout: time(
            "idle-timeout",
            &args.idle_timeout,
            &file.idle_timeout,
            d.idle_timeout,
        )?,
        max_concurrent_streams: args
            .max_concurrent_streams
            .or(file.max_concurrent_streams)
            .unwrap_or(d.max_concurrent_streams),
    };
    limits.validate().map_err(anyhow::Error::msg)?;
    let grace = time(
        "shutdown-grace",
        &args.shutdown_grace,
        &file.shutdown_grace,
        Some(DEFAULT_GRACE),
    )?
    .unwrap_or(Duration::ZERO);
    Ok((limits, grace))
}

/// How long requests in flight have to finish on SIGTERM or Ctrl-C, by default: within
/// the 10 s a container runtime waits before it kills.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// A size from a config file: a number of bytes or a text such as `16K`.
fn value_size(v: &serde_json::Value) -> anyhow::Result<usize> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| anyhow::anyhow!("expected a whole number of bytes")),
        serde_json::Value::String(t) => parse_size(t),
        _ => bail!("expected bytes such as 65536 or \"64K\""),
    }
}

/// A duration from a config file: seconds as a number, or a text such as `500ms`.
fn value_duration(v: &serde_json::Value) -> anyhow::Result<Option<Duration>> {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(0.0) => Ok(None),
            Some(secs) if secs > 0.0 && secs.is_finite() => Ok(Some(Duration::from_secs_f64(secs))),
            _ => bail!("expected a positive number of seconds"),
        },
        serde_json::Value::String(t) => parse_duration(t),
        _ => bail!("expected seconds such as 30 or a text such as \"500ms\""),
    }
}

/// A duration: `30s`, `500ms`, `2m`, `1h`, or plain seconds (`30`); `0` or `off` is none.
pub fn parse_duration(text: &str) -> anyhow::Result<Option<Duration>> {
    let t = text.trim().to_ascii_lowercase();
    if t == "off" || t == "none" {
        return Ok(None);
    }
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let n: f64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("expected a duration such as 30s, 500ms or 2m, or off"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        other => bail!("unknown time unit '{other}': use ms, s, m or h"),
    };
    if !secs.is_finite() || secs > 1e9 {
        bail!("duration too large");
    }
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// Parses an optional setting with its `FromStr`, defaulting when absent.
fn parse_opt<T>(mock: &str, value: &Option<String>) -> anyhow::Result<T>
where
    T: std::str::FromStr<Err = String> + Default,
{
    match value {
        Some(v) => v
            .parse()
            .map_err(|e: String| anyhow::anyhow!("mock '{mock}': {e}")),
        None => Ok(T::default()),
    }
}

/// Sources to check: from flags, else from every mock of the config.
pub fn check_sources(sources: &[PathBuf], config: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = sources.to_vec();
    if let Some(p) = config {
        let cfg = read_config(p)?;
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        let top = absolutize(&cfg.top, &dir);
        out.extend(top.sources.unwrap_or_default());
        for m in cfg.mocks.unwrap_or_default() {
            out.extend(absolutize(&m, &dir).sources.unwrap_or_default());
        }
    }
    if out.is_empty() {
        bail!("nothing to check: give source files, e.g. `standin check petstore.yaml`");
    }
    Ok(out)
}

/// The admin API, journal and templating options of `serve`, from the flags.
pub fn runtime_options(args: &ServeArgs) -> anyhow::Result<standin_server::RuntimeOptions> {
    let defaults = standin_server::RuntimeOptions::default();
    let size = |flag: &str, value: &Option<String>, default: usize| -> anyhow::Result<usize> {
        match value {
            None => Ok(default),
            Some(text) => parse_size(text).with_context(|| format!("--{flag} {text}")),
        }
    };
    Ok(standin_server::RuntimeOptions {
        admin: args.admin != Some(OnOff::Off),
        admin_token: args.admin_token.clone().filter(|t| !t.is_empty()),
        journal: !args.no_request_journal,
        journal_max_entries: args
            .journal_max_entries
            .unwrap_or(defaults.journal_max_entries),
        journal_max_bytes: size(
            "journal-max-bytes",
            &args.journal_max_bytes,
            defaults.journal_max_bytes,
        )?,
        journal_max_body: size(
            "journal-max-body",
            &args.journal_max_body,
            defaults.journal_max_body,
        )?,
        global_templating: args.global_response_templating,
        disabled_routes: args.disable_routes.clone(),
        outbound: standin_server::sender::SenderConfig {
            capacity: args.outbound_queue.unwrap_or(defaults.outbound.capacity),
            concurrency: defaults.outbound.concurrency,
            timeout: args
                .outbound_timeout
                .map_or(defaults.outbound.timeout, std::time::Duration::from_millis),
            retries: args.outbound_retries.unwrap_or(defaults.outbound.retries),
            backoff: args
                .outbound_backoff
                .map_or(defaults.outbound.backoff, std::time::Duration::from_millis),
        },
        outbound_ca: args.outbound_ca.clone(),
        upstream_insecure: args.upstream_insecure,
        upstream_http2: args.upstream_http2,
        upstream_connect_timeout: millis(
            args.upstream_connect_timeout,
            defaults.upstream_connect_timeout,
            "--upstream-connect-timeout",
        )?,
        upstream_timeout: millis(
            args.upstream_timeout,
            defaults.upstream_timeout,
            "--upstream-timeout",
        )?,
    })
}

/// A timeout flag in milliseconds (`default` when not given); 0 is refused, naming
/// the flag.
fn millis(
    given: Option<u64>,
    default: std::time::Duration,
    flag: &str,
) -> anyhow::Result<std::time::Duration> {
    match given {
        None => Ok(default),
        Some(0) => anyhow::bail!("{flag} 0: a timeout must be at least 1 ms"),
        Some(ms) => Ok(std::time::Duration::from_millis(ms)),
    }
}

/// A size in bytes: `65536`, `64K`, `16M`, `1G` (powers of 1024; `KiB`/`MB` spellings too).
pub fn parse_size(text: &str) -> anyhow::Result<usize> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let n: usize = number
        .parse()
        .map_err(|_| anyhow::anyhow!("expected a number of bytes, optionally with K, M or G"))?;
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => bail!("unknown size unit '{other}': use K, M or G"),
    };
    n.checked_mul(factor)
        .ok_or_else(|| anyhow::anyhow!("size too large"))
}
