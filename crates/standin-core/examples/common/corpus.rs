//! The corpus sweeps' shared part: the documents of a folder, found recursively.
//! Included by each sweep with `#[path]` (examples cannot share a module otherwise).

use std::path::{Path, PathBuf};

/// Every `.json`, `.yaml` and `.yml` file under `dir`, in sorted order.
pub fn documents(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("json" | "yaml" | "yml")
        ) {
            out.push(p);
        }
    }
}
