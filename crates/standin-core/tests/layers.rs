//! The crate's module layering, read from its source: `exchange`, `model` and `wire`
//! import nothing else from the crate, and no two modules import each other, directly
//! or through others. A new `crate::` path that breaks either fails here, naming the
//! modules involved.
//!
//! A module's imports are the `crate::<module>` paths in its files (a directory module
//! is one module with its submodules), outside comments and unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The leaves: modules every other layer builds on.
const LEAVES: [&str; 4] = ["exchange", "model", "pointer", "wire"];

/// What a leaf may still import, and why: `model` resolves `$ref`s with the JSON-pointer
/// lookup that allocates nothing, itself a leaf (checked below to import nothing).
const LEAF_EXCEPTIONS: [(&str, &str); 1] = [("model", "pointer")];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`source/openapi/build.rs` → `source`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("a file under src/");
    let first = rel.components().next().expect("a non-empty path");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_string()
}

/// The modules named by `crate::<name>` in Rust text, comments and unit tests left out.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            // `standin_core::` or `some_crate::` is not this crate.
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
        // `use crate::{a, b}` groups.
        if let Some(group) = code.strip_prefix("use crate::{") {
            for item in group.split([',', '}']) {
                let name = item.trim().split("::").next().unwrap_or("").trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

fn graph() -> Graph {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut g = Graph::new();
    for file in files {
        let module = module_of(&file);
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        let deps = g.entry(module.clone()).or_default();
        deps.extend(imports(&text).into_iter().filter(|d| *d != module));
    }
    g
}

/// A cycle in the graph, as the modules on it (the first repeated at the end).
fn cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in g.get(node).into_iter().flatten() {
            if let Some(c) = visit(g, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in g.keys() {
        if let Some(c) = visit(g, node, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn exchange_model_and_wire_import_nothing_else_from_the_crate() {
    let g = graph();
    for leaf in LEAVES {
        let deps = g
            .get(leaf)
            .unwrap_or_else(|| panic!("no module {leaf} in src/"));
        let unexpected: Vec<&String> = deps
            .iter()
            .filter(|d| !LEAF_EXCEPTIONS.contains(&(leaf, d.as_str())))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{leaf} must import nothing else from the crate, but imports {unexpected:?}"
        );
    }
    for (leaf, allowed) in LEAF_EXCEPTIONS {
        let deps = &g[allowed];
        assert!(
            deps.is_empty(),
            "{allowed}, which {leaf} may import, must import nothing itself, but imports {deps:?}"
        );
    }
}

#[test]
fn no_module_imports_itself_through_others() {
    let g = graph();
    // The modules whose circle this guards against are all there.
    for m in ["engine", "saved", "source", "snapshot", "validate"] {
        assert!(g.contains_key(m), "no module {m} in src/");
    }
    if let Some(c) = cycle(&g) {
        panic!("modules import each other in a circle: {}", c.join(" → "));
    }
}

#[test]
fn the_scan_sees_paths_groups_and_skips_comments_other_crates_and_tests() {
    let text = "//! [`crate::doc`]\nuse crate::a::X;\nuse crate::{b::Y, c};\nlet v = crate::d::f(); // crate::e\nstandin_core::f::g();\n#[cfg(test)]\nuse crate::h;\n";
    let want: BTreeSet<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
    assert_eq!(imports(text), want);
    let mut g = Graph::new();
    g.entry("x".into()).or_default().insert("y".into());
    g.entry("y".into()).or_default().insert("z".into());
    g.entry("z".into()).or_default();
    assert_eq!(cycle(&g), None);
    g.entry("z".into()).or_default().insert("x".into());
    assert_eq!(cycle(&g).map(|c| c.join(" ")), Some("x y z x".to_string()));
}
