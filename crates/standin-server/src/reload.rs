//! Hot reload: watch every file a mock's snapshot was built from, rebuild on change,
//! and swap the new snapshot in atomically; stub files and Mockoon environment files are
//! watched and reloaded each on its own.
//!
//! Requests in flight keep the snapshot they started with (they hold an `Arc`), so a
//! swap drops nothing. A rebuild with more errors than the snapshot it would replace is
//! a broken edit: its diagnostics are printed and the last good snapshot stays.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use notify::RecursiveMode;
use notify_debouncer_full::new_debouncer;
use standin_core::Snapshot;

use anyhow::Context;

use crate::registry::Registry;
use crate::server::{MockConfig, load};

fn error_count(s: &Snapshot) -> usize {
    s.diagnostics.iter().filter(|d| d.is_error()).count()
}

/// The directories to watch for a set of files (files can be replaced by editors, so
/// their directories are watched and events filtered by path).
fn dirs_of(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    files
        .iter()
        .filter_map(|f| {
            f.parent().map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
        })
        .collect()
}

/// Starts watching a mock's files on a thread of its own.
pub fn watch(mock: MockConfig, snapshot: Arc<ArcSwap<Snapshot>>) -> anyhow::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(150), None, tx)?;
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut files: Vec<PathBuf> = snapshot.load().files.clone();
    files.extend(
        mock.sources
            .iter()
            .map(|s| std::fs::canonicalize(s).unwrap_or_else(|_| s.clone())),
    );
    for dir in dirs_of(&files) {
        if debouncer.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
            watched.insert(dir);
        }
    }
    std::thread::Builder::new().name(format!("standin-watch-{}", mock.name)).spawn(move || {
        let mut files = files;
        while let Ok(result) = rx.recv() {
            let Ok(events) = result else { continue };
            let touched = events.iter().flat_map(|e| e.paths.iter()).any(|p| {
                let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                files.iter().any(|f| *f == canon || f == p)
            });
            if !touched {
                continue;
            }
            // The settings as they are now: the admin API may have changed them.
            let settings = snapshot.load().settings.clone();
            let (next, took) = load(&mock.sources, &settings);
            let current = snapshot.load();
            let (new_errors, old_errors) = (error_count(&next), error_count(&current));
            if new_errors > old_errors || (next.documents.is_empty() && !current.documents.is_empty()) {
                eprintln!(
                    "standin: reload of '{}' rejected ({new_errors} errors); still serving the last good version:",
                    mock.name
                );
                for d in next.diagnostics.iter().filter(|d| d.is_error()) {
                    eprintln!("  {d}");
                }
                continue;
            }
            for d in &next.diagnostics {
                eprintln!("  {d}");
            }
            println!(
                "standin: reloaded '{}': {} operations in {:.1} ms",
                mock.name,
                next.operation_count(),
                took.as_secs_f64() * 1000.0
            );
            files = next.files.clone();
            files.extend(mock.sources.iter().map(|s| std::fs::canonicalize(s).unwrap_or_else(|_| s.clone())));
            for dir in dirs_of(&files) {
                if !watched.contains(&dir) && debouncer.watch(&dir, RecursiveMode::NonRecursive).is_ok() {
                    watched.insert(dir);
                }
            }
            snapshot.store(Arc::new(next));
        }
    })?;
    Ok(())
}

/// Watches a mock's stub directories (recursively) and single stub files, and reloads
/// each changed file alone: its stubs are replaced, every other stub stays; a broken
/// file keeps its previous stubs and its diagnostics are printed.
pub fn watch_stubs(name: String, registry: Arc<Registry>) -> anyhow::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(150), None, tx)?;
    for source in registry.sources() {
        let (path, mode) = if source.single_file {
            (
                source
                    .mappings
                    .parent()
                    .map_or_else(|| PathBuf::from("."), PathBuf::from),
                RecursiveMode::NonRecursive,
            )
        } else {
            // A root without `mappings/` yet gets one, so stubs added later are seen.
            let _ = std::fs::create_dir_all(&source.mappings);
            (source.mappings.clone(), RecursiveMode::Recursive)
        };
        debouncer
            .watch(&path, mode)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    std::thread::Builder::new()
        .name(format!("standin-watch-stubs-{name}"))
        .spawn(move || {
            // The debouncer stops when dropped: it lives as long as this thread.
            let _debouncer = debouncer;
            while let Ok(result) = rx.recv() {
                let Ok(events) = result else { continue };
                let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
                for event in &events {
                    paths.extend(event.paths.iter().cloned());
                }
                for path in paths {
                    if !registry.owns(&path) {
                        continue;
                    }
                    let diagnostics = registry.reload_file(&path);
                    for d in &diagnostics {
                        eprintln!("  {d}");
                    }
                    println!(
                        "standin: reloaded '{name}': {} ({} stubs in all)",
                        path.display(),
                        registry.list().len()
                    );
                }
            }
        })?;
    Ok(())
}

/// Watches a mock's Mockoon environment files and reloads each one changed, its state
/// in `store` back to the new start; a broken edit (more errors) keeps the version
/// served and its diagnostics are printed.
pub fn watch_environments(
    name: String,
    environments: Arc<standin_mockoon::Environments>,
    store: Arc<dyn standin_core::state::Store>,
) -> anyhow::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = new_debouncer(Duration::from_millis(150), None, tx)?;
    let files: Vec<PathBuf> = environments
        .0
        .iter()
        .map(|e| std::fs::canonicalize(e.path()).unwrap_or_else(|_| e.path().to_path_buf()))
        .collect();
    for dir in dirs_of(&files) {
        debouncer
            .watch(&dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    std::thread::Builder::new()
        .name(format!("standin-watch-envs-{name}"))
        .spawn(move || {
            let _debouncer = debouncer;
            while let Ok(result) = rx.recv() {
                let Ok(events) = result else { continue };
                let touched: BTreeSet<usize> = events
                    .iter()
                    .flat_map(|e| e.paths.iter())
                    .filter_map(|p| {
                        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                        files.iter().position(|f| *f == canon || f == p)
                    })
                    .collect();
                for i in touched {
                    let env = &environments.0[i];
                    let (taken, diagnostics) = env.reload(&*store);
                    if !taken {
                        eprintln!(
                            "standin: reload of '{}' rejected; still serving the last good version:",
                            env.name()
                        );
                    }
                    for d in &diagnostics {
                        eprintln!("  {d}");
                    }
                    if taken {
                        println!(
                            "standin: reloaded '{name}': {} ({} routes)",
                            env.name(),
                            env.routes()
                        );
                    }
                }
            }
        })?;
    Ok(())
}
