//! The `standin` binary: parse flags, resolve the config, start the server or check.

mod args;
mod config;
mod prism;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// `println!` that ends the process quietly (exit 0) when stdout is a closed pipe
/// (`standin check … | head`) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*)
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(a) => serve(*a),
        Command::Mock(a) => prism::mock(*a),
        Command::Check(a) => check(a),
        Command::Proxy(a) => proxy(*a),
        Command::Record(a) => record(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("standin: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `standin record`: a proxy to the URL that writes what passed when stopped.
fn record(a: args::RecordArgs) -> anyhow::Result<ExitCode> {
    let u = &a.url;
    if !(u.starts_with("http://") || u.starts_with("https://")) {
        anyhow::bail!("standin record: {u:?} is not an http(s) URL");
    }
    let settings = standin_core::MockSettings {
        upstream: Some(a.url.clone()),
        forward_all: true,
        validate: standin_core::settings::ValidateMode::Off,
        ..Default::default()
    };
    let mock = standin_server::MockConfig {
        name: "record".into(),
        sources: Vec::new(),
        host: a.host.clone().unwrap_or_else(|| "127.0.0.1".into()),
        port: a.port.unwrap_or(4010),
        settings,
        watch: false,
        tls: None,
        tls_port: None,
    };
    let format = match (a.format, &a.spec) {
        (args::RecordFormat::Wiremock, _) => standin_server::record::Format::WireMock,
        (args::RecordFormat::Har, _) => standin_server::record::Format::Har,
        (args::RecordFormat::Postman, _) => standin_server::record::Format::Postman,
        (args::RecordFormat::OpenapiExamples, Some(spec)) => {
            standin_server::record::Format::OpenApiExamples(spec.clone())
        }
        (args::RecordFormat::OpenapiExamples, None) => anyhow::bail!(
            "standin record --format openapi-examples needs the OpenAPI document to write the recorded answers into: --format openapi-examples SPEC"
        ),
    };
    if let Some(spec) = &a.spec {
        // Read now, so a wrong path is known before anything is recorded.
        let text = std::fs::read_to_string(spec).map_err(|e| {
            anyhow::anyhow!(
                "standin record: the document {}: cannot read it: {e}",
                spec.display()
            )
        })?;
        standin_core::parse::parse_document(&text).map_err(|e| {
            anyhow::anyhow!(
                "standin record: the document {}: {}",
                spec.display(),
                e.message
            )
        })?;
    }
    let runtime_options = standin_server::RuntimeOptions {
        outbound_ca: a.upstream_ca.clone(),
        upstream_insecure: a.upstream_insecure,
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let options = standin_server::ServeOptions {
            runtime: runtime_options,
            ..Default::default()
        };
        let running = standin_server::start(vec![mock], options).await?;
        let m = &running.mocks[0];
        out!("http://{}", m.addr);
        out!("  recording {} to {}", a.url, a.out.display());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        stop(&running, config::DEFAULT_GRACE).await;
        let n = standin_server::record::write(
            &m.journal,
            &a.out,
            &format,
            a.keep_secrets,
            &standin_server::record::Filter {
                urls: a.filter.clone(),
                methods: a.method.clone(),
            },
        )?;
        eprintln!("standin: recorded {n} exchanges to {}", a.out.display());
        Ok(ExitCode::SUCCESS)
    })
}

/// `standin proxy`: the URL among the arguments is the upstream, the rest documents
/// (none: a plain forwarding proxy).
fn proxy(mut args: args::ServeArgs) -> anyhow::Result<ExitCode> {
    let is_url = |p: &std::path::PathBuf| {
        let s = p.to_string_lossy();
        s.starts_with("http://") || s.starts_with("https://")
    };
    let urls: Vec<_> = args.sources.iter().filter(|p| is_url(p)).cloned().collect();
    let [url] = urls.as_slice() else {
        anyhow::bail!(
            "standin proxy takes one upstream http(s) URL and the documents to check against, got {} URLs",
            urls.len()
        );
    };
    args.upstream = Some(url.to_string_lossy().into_owned());
    args.sources.retain(|p| !is_url(p));
    args.validate.get_or_insert_with(|| "warn".into());
    args.forward_all = true;
    serve(args)
}

fn serve(args: args::ServeArgs) -> anyhow::Result<ExitCode> {
    let config::Resolved {
        mocks,
        log,
        service,
    } = config::resolve(&args)?;
    let runtime_options = config::runtime_options(&args)?;
    let (limits, grace) = config::transport(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let running = standin_server::start(
            mocks,
            standin_server::ServeOptions {
                log,
                runtime: runtime_options,
                limits,
                service,
            },
        )
        .await?;
        if running.mocks.is_empty() {
            out!("http://{}", running.listeners[0]);
            out!("  service: no mocks yet; create them with POST /__admin/mocks (multipart/form-data)");
        }
        for m in &running.mocks {
            for d in &m.diagnostics {
                eprintln!("{d}");
            }
            let errors = m.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = m.diagnostics.len() - errors;
            out!("{}", m.url);
            let mut saved = if m.saved > 0 { format!(", {} saved examples", m.saved) } else { String::new() };
            if m.stubs > 0 {
                saved.push_str(&format!(", {} stubs", m.stubs));
            }
            if m.routes > 0 {
                saved.push_str(&format!(", {} routes", m.routes));
            }
            out!(
                "  {}: {} operations served{saved}, loaded in {:.1} ms ({errors} errors, {warnings} warnings)",
                m.name,
                m.operations,
                m.load_time.as_secs_f64() * 1000.0
            );
            for more in m.listeners.iter().skip(1) {
                out!("  also {}", more.url());
            }
            for cert in m.listeners.iter().filter_map(|l| l.certificate.as_ref()) {
                if cert.self_signed() {
                    out!(
                        "  TLS certificate {} (self-signed for {}), SHA-256 {}",
                        cert.path.display(),
                        cert.names.join(", "),
                        cert.fingerprint
                    );
                } else {
                    out!(
                        "  TLS certificate {}, SHA-256 {}",
                        cert.path.display(),
                        cert.fingerprint
                    );
                }
            }
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        stop(&running, grace).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Waits for SIGTERM or Ctrl-C, then stops serving: no new connections, the requests in
/// flight finish within `grace`; a second signal ends the wait at once.
/// Waits for SIGTERM, Ctrl-C or `POST /__admin/shutdown`, then stops gracefully within
/// `grace` (a second signal: at once).
async fn stop(running: &standin_server::Running, grace: std::time::Duration) {
    tokio::select! {
        () = shutdown_signal() => {}
        () = running.shutdown_requested() => {}
    }
    let open = tokio::select! {
        open = running.shutdown(grace) => open,
        _ = shutdown_signal() => {
            eprintln!("standin: stopped at once (second signal)");
            return;
        }
    };
    if open > 0 {
        eprintln!(
            "standin: stopped; {open} connections still busy after the {:.1} s grace period were cut",
            grace.as_secs_f64()
        );
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Diagnostics found after loading, given the line of their pointer in the file they
/// name (the loaded text is not kept).
fn with_lines(diagnostics: Vec<standin_core::Diagnostic>) -> Vec<standin_core::Diagnostic> {
    let mut texts: std::collections::HashMap<String, Option<String>> = Default::default();
    diagnostics
        .into_iter()
        .map(|d| {
            // Bundled content came from another file, at another pointer.
            let bundled = d
                .pointer
                .strip_prefix('/')
                .is_some_and(|p| p.starts_with(standin_core::source::openapi::bundle::BUNDLE_KEY));
            if d.line.is_some() || bundled {
                return d;
            }
            let text = texts
                .entry(d.file.clone())
                .or_insert_with(|| std::fs::read_to_string(&d.file).ok());
            let line = text
                .as_deref()
                .and_then(|t| standin_core::locate::line_of(t, &d.pointer));
            d.at_line(line)
        })
        .collect()
}

fn check(args: args::CheckArgs) -> anyhow::Result<ExitCode> {
    let sources = config::check_sources(&args.sources, args.config.as_deref())?;
    let mut failed = false;
    for source in &sources {
        let split = standin_server::sources::split(std::slice::from_ref(source));
        if !split.environments.is_empty() {
            let started = std::time::Instant::now();
            let envs = standin_server::server::load_environments(&split.environments, &[]);
            let diagnostics: Vec<_> = envs.0.iter().flat_map(|e| e.diagnostics()).collect();
            for d in &diagnostics {
                out!("{d}");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            out!(
                "{}: {} routes, {errors} errors, {} warnings, loaded in {:.1} ms",
                source.display(),
                envs.0.iter().map(|e| e.routes()).sum::<usize>(),
                diagnostics.len() - errors,
                started.elapsed().as_secs_f64() * 1000.0
            );
            failed |= errors > 0;
            continue;
        }
        if !split.stubs.is_empty() {
            let started = std::time::Instant::now();
            let registry = standin_server::registry::Registry::new(split.stubs, false);
            let diagnostics = with_lines(registry.diagnostics());
            for d in &diagnostics {
                out!("{d}");
            }
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            out!(
                "{}: {} stubs, {errors} errors, {} warnings, loaded in {:.1} ms",
                source.display(),
                registry.list().len(),
                diagnostics.len() - errors,
                started.elapsed().as_secs_f64() * 1000.0
            );
            failed |= errors > 0;
            continue;
        }
        let settings = standin_core::MockSettings {
            stateful: args.stateful,
            ..Default::default()
        };
        let (snap, took) = standin_server::server::load(std::slice::from_ref(source), &settings);
        let mut diagnostics = snap.diagnostics.clone();
        diagnostics.extend(with_lines(snap.unsatisfiable()));
        diagnostics.extend(with_lines(
            standin_core::validate::response::invalid_examples(&snap.documents),
        ));
        for d in &diagnostics {
            out!("{d}");
        }
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = diagnostics.len() - errors;
        let saved = if snap.saved.is_empty() {
            String::new()
        } else {
            format!(", {} saved examples", snap.saved.len())
        };
        out!(
            "{}: {} operations{saved}, {errors} errors, {warnings} warnings, loaded in {:.1} ms",
            source.display(),
            snap.operation_count(),
            took.as_secs_f64() * 1000.0
        );
        if args.stateful {
            print_resources(&snap);
        }
        failed |= errors > 0;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// What `check --stateful` adds: the resources found, then each operation not taken
/// and why.
fn print_resources(snap: &standin_core::Snapshot) {
    let resources = &snap.resources;
    out!("stateful: {} resources", resources.list.len());
    for r in &resources.list {
        let what = if r.singleton {
            "singleton".to_string()
        } else {
            format!(
                "collection, item {}, identifier '{}' ({})",
                r.item_template.as_deref().unwrap_or("(none)"),
                r.id_prop,
                r.id_kind.as_str()
            )
        };
        let scope = if r.parents.is_empty() {
            String::new()
        } else {
            format!(", scoped to {}", r.parents.join(", "))
        };
        out!(
            "  resource {}: {what}{scope}, {} examples held before any write",
            r.name,
            r.seed.len()
        );
        for (op, action) in &r.operations {
            out!("    {:<7} {op}", action.as_str());
        }
    }
    for s in &resources.skipped {
        out!("  not taken: {}: {}", s.operation, s.reason);
    }
}
