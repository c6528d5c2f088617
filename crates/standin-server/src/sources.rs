//! What kind of source each path given to a mock is: an API description the core's
//! snapshot loads (OpenAPI, Postman, HAR), or WireMock stubs the registry loads (a root
//! with `mappings/` and `__files/`, a `mappings/` directory, or a single stub file), or
//! a Mockoon environment file (told by its shape).

use std::path::{Path, PathBuf};

/// Stub files larger than this are not sniffed: they are API descriptions (a stub file
/// of thousands of stubs is still far smaller).
const SNIFF_LIMIT: u64 = 8 << 20;

/// Where a mock's stubs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubSource {
    /// A directory searched recursively for stub files, or a single stub file.
    pub mappings: PathBuf,
    /// The `__files` directory `bodyFileName` is relative to.
    pub files: PathBuf,
    /// Whether `mappings` is one file.
    pub single_file: bool,
}

/// A mock's sources, split by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    /// OpenAPI documents, Postman collections, HAR recordings.
    pub documents: Vec<PathBuf>,
    /// WireMock stub roots and files.
    pub stubs: Vec<StubSource>,
    /// Mockoon environment files.
    pub environments: Vec<PathBuf>,
}

/// Splits a mock's source paths by kind. A path that cannot be read stays a document,
/// so the snapshot reports it as it always has.
pub fn split(paths: &[PathBuf]) -> Split {
    let mut out = Split::default();
    for given in paths {
        // Stub paths are kept absolute: the watcher reports absolute paths, and the
        // registry recognises its files by their directory.
        if is_environment(given) {
            out.environments.push(given.clone());
            continue;
        }
        let absolute;
        let path = if given.is_dir() || is_stub_file(given) {
            absolute = std::fs::canonicalize(given).unwrap_or_else(|_| given.clone());
            &absolute
        } else {
            out.documents.push(given.clone());
            continue;
        };
        if path.is_dir() {
            out.stubs.push(root_of(path));
        } else {
            let dir = path.parent().unwrap_or(Path::new("."));
            let files = if dir.file_name().is_some_and(|n| n == "mappings") {
                dir.parent().unwrap_or(Path::new(".")).join("__files")
            } else {
                dir.join("__files")
            };
            out.stubs.push(StubSource {
                mappings: path.clone(),
                files,
                single_file: true,
            });
        }
    }
    out
}

fn root_of(dir: &Path) -> StubSource {
    if dir.join("mappings").is_dir() {
        StubSource {
            mappings: dir.join("mappings"),
            files: dir.join("__files"),
            single_file: false,
        }
    } else if dir.file_name().is_some_and(|n| n == "mappings") {
        StubSource {
            mappings: dir.to_path_buf(),
            files: dir.parent().unwrap_or(Path::new(".")).join("__files"),
            single_file: false,
        }
    } else {
        // A root without `mappings/` yet: stubs created through the admin API and saved
        // go there, as WireMock does with its root directory.
        StubSource {
            mappings: dir.join("mappings"),
            files: dir.join("__files"),
            single_file: false,
        }
    }
}

fn is_environment(path: &Path) -> bool {
    sniff(path).is_some_and(|v| standin_mockoon::looks_like_environment(&v))
}

fn sniff(path: &Path) -> Option<serde_json::Value> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("json" | "yaml" | "yml")) {
        return None;
    }
    if std::fs::metadata(path).map_or(true, |m| m.len() > SNIFF_LIMIT) {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    standin_core::parse::parse_document(&text).ok()
}

fn is_stub_file(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("json" | "yaml" | "yml")) {
        return false;
    }
    if std::fs::metadata(path).map_or(true, |m| m.len() > SNIFF_LIMIT) {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    standin_core::parse::parse_document(&text)
        .map(|v| standin_stubs::looks_like_stubs(&v))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_mapping_dirs_stub_files_and_documents_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("wm");
        std::fs::create_dir_all(root.join("mappings")).unwrap();
        let stub = dir.path().join("one.json");
        std::fs::write(
            &stub,
            r#"{"request":{"url":"/x"},"response":{"status":200}}"#,
        )
        .unwrap();
        let doc = dir.path().join("api.yaml");
        std::fs::write(
            &doc,
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .unwrap();
        let got = split(&[
            root.clone(),
            root.join("mappings"),
            stub.clone(),
            doc.clone(),
        ]);
        let (root, dir) = (
            std::fs::canonicalize(&root).unwrap(),
            std::fs::canonicalize(dir.path()).unwrap(),
        );
        assert_eq!(got.documents, vec![doc]);
        assert_eq!(got.stubs.len(), 3);
        assert_eq!(got.stubs[0].mappings, root.join("mappings"));
        assert_eq!(got.stubs[0].files, root.join("__files"));
        assert_eq!(got.stubs[1].files, root.join("__files"));
        assert!(got.stubs[2].single_file);
        assert_eq!(got.stubs[2].files, dir.join("__files"));
        let env = dir.join("env.json");
        std::fs::write(
            &env,
            r#"{"lastMigration":32,"routes":[],"rootChildren":[]}"#,
        )
        .unwrap();
        let got = split(std::slice::from_ref(&env));
        assert_eq!((got.environments, got.stubs.len()), (vec![env], 0));
    }
}
