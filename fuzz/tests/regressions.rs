//! Replays every saved input through its fuzz target: the crash inputs under
//! `fuzz/regressions/<target>/` (kept once fixed, so the crash stays fixed) and the
//! hand-written seeds under `fuzz/seeds/<target>/`. An input passes when its target
//! returns without panicking, within a time a hang would exceed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longer than any input takes in a debug build; a hang found by the fuzzer (libFuzzer's
/// `timeout-*` artifact) exceeds it.
const BUDGET: Duration = Duration::from_secs(20);

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["regressions", "seeds"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        out.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.'))
                }),
        );
    }
    out.sort();
    out
}

fn replay(target: &str) {
    let (_, run) = standin_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target named {target}"));
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let started = Instant::now();
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target} panics on {}: {what}", path.display());
        }
        let took = started.elapsed();
        assert!(
            took < BUDGET,
            "{target} took {took:?} on {} (more than {BUDGET:?})",
            path.display()
        );
    }
}

#[test]
fn every_target_has_a_directory_name_used_here() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["regressions", "seeds"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with('.') || standin_fuzz::TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/{dir}/{name} is not the name of a fuzz target"
            );
        }
    }
}

macro_rules! replays {
    ($($target:ident),* $(,)?) => {
        $(
            #[test]
            fn $target() {
                replay(stringify!($target));
            }
        )*
        #[test]
        fn every_target_is_replayed() {
            let here = [$(stringify!($target)),*];
            for (name, _) in standin_fuzz::TARGETS {
                assert!(here.contains(name), "{name} has no replay test");
            }
        }
    };
}

replays!(
    openapi_json,
    openapi_yaml,
    postman,
    har,
    wiremock_stubs,
    mockoon_env,
    directives,
    params,
    answer,
);
