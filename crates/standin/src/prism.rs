//! `standin mock`: Prism's command line. `prism mock DOCUMENT` flags, with Prism's
//! meaning, are translated into a `standin serve` command line, which is printed and
//! then run; a document given as an `http://` or `https://` URL is fetched first.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{ArgAction, Args};
use standin_server::forward::{
    CONNECT_TIMEOUT, CertificateDer, Forwarder, MAX_BODY, TOTAL_TIMEOUT, read_certificates,
};

/// Flags of `standin mock`, as Prism spells them.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct MockArgs {
    /// The document: an OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1) or a Postman
    /// collection, as a file or an http(s) URL (fetched once at start; its `$ref`s
    /// must be inside it). A file is watched and reloaded when it changes, as Prism
    /// does. Example: standin mock api.yaml -p 4010 -d
    #[arg(value_name = "DOCUMENT")]
    pub document: String,

    /// Port to listen on [default: 4010]. standin serve: --port.
    #[arg(short = 'p', long)]
    pub port: Option<u16>,

    /// Address to bind [default: 127.0.0.1]. standin serve: --host.
    #[arg(short = 'h', long)]
    pub host: Option<String>,

    /// Generate bodies from the schema, different on every request, instead of sending
    /// examples. standin serve: --ignore-examples --dynamic (with --seed: --seed, the
    /// same body for the same request, as Prism's seeded faker gives).
    #[arg(short = 'd', long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = bool_text)]
    pub dynamic: Option<bool>,

    /// Seed for generated data: the same seed gives the same bodies. A number is used
    /// as it is; other text is hashed to one. standin serve: --seed.
    #[arg(long)]
    pub seed: Option<String>,

    /// CORS headers and preflight answers [default: true]; `--cors=false` turns them
    /// off. standin serve: --cors on|off.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = bool_text)]
    pub cors: Option<bool>,

    /// An answer that breaks its own response schema becomes a 500 listing the
    /// violations (without it, they are listed in `sl-violations`). standin serve:
    /// --check-responses enforce (without it: --check-responses report).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = bool_text)]
    pub errors: Option<bool>,

    /// Generate bodies from the schema even where the document has examples (a
    /// schema's own `example` or `default` is still used). standin serve:
    /// --ignore-examples.
    #[arg(long = "ignoreExamples", value_name = "BOOL", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = bool_text)]
    pub ignore_examples: Option<bool>,

    /// With --dynamic, whether generated objects whose declared properties are all
    /// required (or that declare none) also get a few undeclared ones where the schema
    /// allows [default: true, as json-schema-faker's fillProperties in Prism]; `=false`
    /// keeps to the declared properties. Without --dynamic it changes nothing, as in
    /// Prism. standin serve: --fill-properties (left out with `=false`).
    #[arg(long = "json-schema-faker-fillProperties", value_name = "BOOL", num_args = 0..=1,
          require_equals = true, default_missing_value = "true", value_parser = bool_text)]
    pub fill_properties: Option<bool>,

    /// How much to log: silent, fatal, error, warn, info, debug or trace [default:
    /// info]. info and more verbose: the request log (standin serve: --log text); the
    /// others: none (--quiet). Diagnostics of the document are always printed.
    #[arg(short = 'v', long = "verboseLevel", value_name = "LEVEL")]
    pub verbose_level: Option<String>,

    /// Accepted for Prism's command lines; standin serves on every core anyway.
    #[arg(short = 'm', long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = bool_text)]
    pub multiprocess: Option<bool>,

    /// standin's own: a PEM file of certificates to trust, beside the built-in roots,
    /// for an https:// document and for https:// callback targets (without it,
    /// `NODE_EXTRA_CA_CERTS`, as Prism's Node does). standin serve: --outbound-ca.
    #[arg(long, value_name = "FILE")]
    pub outbound_ca: Option<PathBuf>,

    /// Print help (`-h` is --host, as in Prism).
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,
}

/// A yargs boolean's value: `true` or `false`.
fn bool_text(s: &str) -> Result<bool, String> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("expected true or false, got '{other}'")),
    }
}

/// The `standin serve` arguments (after `serve`) that mean what `args` mean to Prism;
/// `document` is the file to serve.
pub fn serve_args(args: &MockArgs, document: &str, watch: bool) -> anyhow::Result<Vec<String>> {
    let mut out = vec![document.to_string()];
    let mut flag = |name: &str, value: Option<String>| {
        out.push(name.to_string());
        out.extend(value);
    };
    flag("--port", Some(args.port.unwrap_or(4010).to_string()));
    if let Some(h) = &args.host {
        flag("--host", Some(h.clone()));
    }
    let seed = args.seed.as_deref().map(seed_number);
    let dynamic = args.dynamic == Some(true);
    if dynamic {
        flag("--ignore-examples", None);
        if args.fill_properties != Some(false) {
            flag("--fill-properties", None);
        }
        // Prism's seeded faker gives the same body each time; standin's seed does.
        if seed.is_none() {
            flag("--dynamic", None);
        }
    }
    if let Some(s) = seed {
        flag("--seed", Some(s.to_string()));
    }
    if args.cors == Some(false) {
        flag("--cors", Some("off".into()));
    }
    let check = if args.errors == Some(true) {
        "enforce"
    } else {
        "report"
    };
    flag("--check-responses", Some(check.into()));
    if args.ignore_examples == Some(true) && !dynamic {
        flag("--ignore-examples", None);
    }
    match args.verbose_level.as_deref() {
        None | Some("info" | "debug" | "trace") => {}
        Some("silent" | "fatal" | "error" | "warn") => flag("--quiet", None),
        Some(other) => bail!(
            "--verboseLevel {other}: expected silent, fatal, error, warn, info, debug or trace"
        ),
    }
    if watch {
        flag("--watch", None);
    }
    Ok(out)
}

/// A seed as a number: the number itself, or the FNV-1a hash of the text.
fn seed_number(text: &str) -> u64 {
    text.parse().unwrap_or_else(|_| {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    })
}

/// Runs `standin mock`: the document fetched when it is a URL, the translated
/// `standin serve` printed to stderr, then served.
pub fn mock(args: MockArgs) -> anyhow::Result<std::process::ExitCode> {
    let remote = args.document.starts_with("http://") || args.document.starts_with("https://");
    let (ca, extra) = trusted(&args)?;
    let document = if remote {
        fetch(&args.document, &extra)?
    } else {
        PathBuf::from(&args.document)
    };
    // A Postman collection is served as Prism reads it: as the OpenAPI document it
    // converts it to (written beside the fetched documents, not watched).
    let (document, converted) = match as_openapi(&document)? {
        Some(file) => (file, true),
        None => (document, false),
    };
    let document = document.to_string_lossy().into_owned();
    let mut serve = serve_args(&args, &document, !remote && !converted)?;
    if let Some(file) = &ca {
        serve.extend(["--outbound-ca".to_string(), file.display().to_string()]);
    }
    eprintln!("standin: serving as `standin serve {}`", serve.join(" "));
    let argv = ["standin".to_string(), "serve".to_string()]
        .into_iter()
        .chain(serve);
    let cli = <crate::args::Cli as clap::Parser>::try_parse_from(argv)
        .context("translating Prism's flags into standin's")?;
    match cli.command {
        crate::args::Command::Serve(a) => crate::serve(*a),
        _ => bail!("translating Prism's flags did not give `standin serve`"),
    }
}

/// A file of certificates to trust beside the built-in roots, and its certificates.
type Trusted = (Option<PathBuf>, Vec<CertificateDer<'static>>);

/// The certificates to trust for the document's URL and for callbacks: `--outbound-ca`
/// (an error names it when it holds none), else Node's `NODE_EXTRA_CA_CERTS`, which
/// Prism honours (ignored with a warning when it holds none, as Node ignores it).
fn trusted(args: &MockArgs) -> anyhow::Result<Trusted> {
    if let Some(file) = &args.outbound_ca {
        let certs = read_certificates(file).context("--outbound-ca")?;
        return Ok((Some(file.clone()), certs));
    }
    let Some(file) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|v| !v.is_empty()) else {
        return Ok((None, Vec::new()));
    };
    let file = PathBuf::from(file);
    match read_certificates(&file) {
        Ok(certs) => Ok((Some(file), certs)),
        Err(e) => {
            eprintln!("standin: NODE_EXTRA_CA_CERTS ignored: {e:#}");
            Ok((None, Vec::new()))
        }
    }
}

/// The directory of files `standin mock` writes (fetched and converted documents).
fn work_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("standin-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// When `path` is a Postman collection, the OpenAPI document Prism reads it as, written
/// to a file; `None` for any other document (or one that does not parse: serving it
/// then reports why).
fn as_openapi(path: &std::path::Path) -> anyhow::Result<Option<PathBuf>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let (text, _) = standin_core::parse::blank_trailing_commas(text);
    let Ok(root) = standin_core::parse::parse_document(&text) else {
        return Ok(None);
    };
    let other = root.get("openapi").is_some()
        || root.get("swagger").is_some()
        || root.pointer("/log/entries").is_some();
    if other || !standin_core::source::postman::is_collection(&root) {
        return Ok(None);
    }
    let doc = standin_core::source::postman_openapi::to_openapi(&root);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("collection");
    let file = work_dir()?.join(format!("{stem}.openapi.json"));
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
    eprintln!(
        "standin: {} is a Postman collection, served as Prism reads it: {}",
        path.display(),
        file.display()
    );
    Ok(Some(file))
}

/// Fetches a document URL (`http://` or `https://`, trusting the built-in roots and
/// `extra`) into a file of its own under the temporary directory, named like the URL's
/// last segment (so its extension still says JSON or YAML). An error names the URL and
/// what failed: the connection, the TLS handshake, the time, or a status other than 200.
fn fetch(url: &str, extra: &[CertificateDer<'static>]) -> anyhow::Result<PathBuf> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let forwarder = Forwarder::with_roots(CONNECT_TIMEOUT, TOTAL_TIMEOUT, MAX_BODY, extra);
    let mut at = url.to_string();
    let mut hops = 0;
    let (status, body) = loop {
        let (head, body) = runtime
            .block_on(forwarder.get(&at, &http_headers()))
            .map_err(|e| anyhow::anyhow!("cannot fetch the document {url}: {e}"))?;
        let location = head
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        match location {
            Some(to) if head.status.is_redirection() && hops < MAX_REDIRECTS => {
                at = redirected(&at, to);
                hops += 1;
            }
            _ => break (head.status.as_u16(), body),
        }
    };
    if status != 200 {
        let text = String::from_utf8_lossy(&body);
        bail!(
            "cannot fetch the document {url}: status {status}: {}",
            text.chars().take(300).collect::<String>()
        );
    }
    let path = at
        .split_once("://")
        .map_or("", |(_, rest)| rest.split(['?', '#']).next().unwrap_or(""));
    let name = path
        .split_once('/')
        .map_or("", |(_, p)| p)
        .rsplit('/')
        .find(|s| !s.is_empty())
        .filter(|s| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .unwrap_or("document");
    let file = work_dir()?.join(name);
    std::fs::write(&file, &body).with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

/// Redirects followed when fetching a document (Prism's reader follows five).
const MAX_REDIRECTS: usize = 5;

/// Where a redirect from `from` to `location` leads: an absolute URL, a path on the same
/// origin, or a path beside `from`'s.
fn redirected(from: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let (scheme, rest) = from.split_once("://").unwrap_or(("http", from));
    let origin_end = rest.find('/').unwrap_or(rest.len());
    let origin = format!("{scheme}://{}", &rest[..origin_end]);
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = rest[origin_end..].split(['?', '#']).next().unwrap_or("");
    let dir = path.rfind('/').map_or("", |i| &path[..i]);
    format!("{origin}{dir}/{location}")
}

fn http_headers() -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static("application/json, application/yaml, text/yaml, */*"),
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        m: MockArgs,
    }

    fn translated(argv: &[&str]) -> String {
        let w = Wrap::try_parse_from(std::iter::once("mock").chain(argv.iter().copied())).unwrap();
        serve_args(&w.m, "api.yaml", false).unwrap().join(" ")
    }

    #[test]
    fn prism_flags_become_standin_flags() {
        assert_eq!(
            translated(&["api.yaml"]),
            "api.yaml --port 4010 --check-responses report"
        );
        assert_eq!(
            translated(&[
                "api.yaml",
                "-p",
                "4011",
                "-h",
                "0.0.0.0",
                "-d",
                "--cors=false",
                "--errors"
            ]),
            "api.yaml --port 4011 --host 0.0.0.0 --ignore-examples --fill-properties --dynamic --cors off --check-responses enforce"
        );
        assert_eq!(
            translated(&[
                "-d",
                "--seed",
                "abc",
                "api.yaml",
                "--ignoreExamples",
                "-v",
                "silent",
                "-m"
            ]),
            format!(
                "api.yaml --port 4010 --ignore-examples --fill-properties --seed {} --check-responses report --quiet",
                seed_number("abc")
            )
        );
        assert_eq!(seed_number("42"), 42);
        assert_eq!(
            translated(&["api.yaml", "-d", "--json-schema-faker-fillProperties=false"]),
            "api.yaml --port 4010 --ignore-examples --dynamic --check-responses report"
        );
        assert_eq!(
            translated(&["api.yaml", "--json-schema-faker-fillProperties"]),
            "api.yaml --port 4010 --check-responses report"
        );
    }

    #[test]
    fn redirects_resolve_against_the_url_they_come_from() {
        let from = "https://api.example/specs/v1/api.yaml?x=1";
        assert_eq!(
            redirected(from, "http://other.example/a.yaml"),
            "http://other.example/a.yaml"
        );
        assert_eq!(
            redirected(from, "/v2/api.yaml"),
            "https://api.example/v2/api.yaml"
        );
        assert_eq!(
            redirected(from, "api2.yaml"),
            "https://api.example/specs/v1/api2.yaml"
        );
        assert_eq!(redirected("http://h:1", "a.yaml"), "http://h:1/a.yaml");
    }

    #[test]
    fn bad_values_are_named() {
        assert!(Wrap::try_parse_from(["mock", "api.yaml", "--cors=maybe"]).is_err());
        let w = Wrap::try_parse_from(["mock", "api.yaml", "-v", "loud"]).unwrap();
        let e = serve_args(&w.m, "api.yaml", false).unwrap_err().to_string();
        assert!(e.contains("--verboseLevel loud"), "{e}");
    }
}
