//! Sources: the files that describe responses, and how each kind is loaded.
//!
//! A source is read through [`Files`] (the core does no IO of its own), recognised by
//! its content, and turned into operations of the [`crate::model`]. Problems become
//! [`Diagnostic`]s; whatever could be loaded is kept.

pub mod har;
pub mod openapi;
pub mod postman;
pub mod postman_openapi;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use serde_json::Value;

/// Read access to files. The server passes the real file system; tests pass a map.
pub trait Files: Sync {
    /// The whole text of a file.
    fn read(&self, path: &Path) -> std::io::Result<String>;
    /// A canonical form of `path`, used to recognise a file reached twice.
    fn canonical(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// Files in memory: a path → text map, for tests and for documents uploaded whole.
#[derive(Default, Clone, Debug)]
pub struct MemoryFiles {
    files: std::collections::HashMap<PathBuf, String>,
}

impl MemoryFiles {
    /// An empty set of files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> &mut Self {
        self.files.insert(normalize(&path.into()), text.into());
        self
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
    fn canonical(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Removes `.` and resolves `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A source of saved examples, recognised but not yet compiled: compiling needs the
/// environment file and the settings, which the snapshot has.
#[derive(Debug, Clone)]
pub enum SavedSource {
    /// A Postman collection (v2.0 or v2.1).
    Postman {
        /// The file as given.
        file: String,
        /// The parsed document.
        root: Value,
    },
    /// A HAR 1.2 recording.
    Har {
        /// The file as given.
        file: String,
        /// The parsed document.
        root: Value,
    },
}

/// Headers never replayed: hop-by-hop ones (RFC 9110 §7.6.1), and the length and
/// encoding, because the body saved is decoded and the server frames it anew.
pub fn is_unreplayable_header(name: &str) -> bool {
    name.starts_with(':')
        || matches!(
            name,
            "connection"
                | "keep-alive"
                | "proxy-authenticate"
                | "proxy-authorization"
                | "proxy-connection"
                | "te"
                | "trailer"
                | "trailers"
                | "transfer-encoding"
                | "upgrade"
                | "content-length"
                | "content-encoding"
        )
}

/// What a loaded source contributed.
pub struct Loaded {
    /// The OpenAPI document, when the source is one.
    pub document: Option<crate::model::Document>,
    /// A Postman collection or HAR recording, compiled later by the snapshot (it needs
    /// the settings and the environment file).
    pub saved: Option<SavedSource>,
    /// Every file the source read (for hot reload to watch).
    pub files: Vec<PathBuf>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads one source file of any supported kind.
pub fn load(files: &dyn Files, path: &Path) -> Loaded {
    let mut commas = Vec::new();
    let mut loaded = load_text(files, path, &mut commas);
    let display = path.display().to_string();
    loaded.diagnostics.extend(commas.into_iter().map(|line| {
        Diagnostic::warning(
            &display,
            "",
            "a trailing comma, which JSON does not allow; read as if it were not there",
        )
        .at_line(Some(line))
    }));
    loaded
}

/// [`load`], the lines of the JSON trailing commas it read past in `commas`.
fn load_text(files: &dyn Files, path: &Path, commas: &mut Vec<usize>) -> Loaded {
    let display = path.display().to_string();
    let text = match files.read(path) {
        Ok(t) => {
            let (text, lines) = crate::parse::blank_trailing_commas(t);
            *commas = lines;
            text
        }
        Err(e) => {
            return Loaded {
                document: None,
                saved: None,
                files: vec![files.canonical(path)],
                diagnostics: vec![Diagnostic::error(
                    display,
                    "",
                    format!("cannot read the file: {e}"),
                )],
            };
        }
    };
    let failed = |e: crate::parse::ParseError| Loaded {
        document: None,
        saved: None,
        files: vec![files.canonical(path)],
        diagnostics: vec![Diagnostic::error(&display, "", e.message).at_line(e.line)],
    };
    // A JSON object is read member by member: an OpenAPI document's `paths`, most of
    // the biggest documents, is then parsed one path item at a time.
    let root = match crate::parse::json_members(&text) {
        Some(Ok(members)) => {
            let is_openapi = members
                .0
                .iter()
                .any(|(k, _)| k == "openapi" || k == "swagger");
            let mut map = serde_json::Map::new();
            let mut raw_paths = None;
            for (key, raw) in members.0 {
                if is_openapi && key == "paths" {
                    raw_paths = Some(raw);
                    continue;
                }
                match crate::parse::parse_member(raw) {
                    Ok(v) => {
                        map.insert(key, v);
                    }
                    Err(e) => return failed(e),
                }
            }
            if is_openapi {
                let (document, files_read, diagnostics) =
                    openapi::load(files, path, &text, Value::Object(map), raw_paths);
                return Loaded {
                    document,
                    saved: None,
                    files: files_read,
                    diagnostics,
                };
            }
            Value::Object(map)
        }
        Some(Err(e)) => return failed(e),
        None => match crate::parse::parse_document(&text) {
            Ok(v) => v,
            Err(e) => return failed(e),
        },
    };
    if openapi::is_openapi(&root) {
        let (document, files_read, diagnostics) = openapi::load(files, path, &text, root, None);
        return Loaded {
            document,
            saved: None,
            files: files_read,
            diagnostics,
        };
    }
    // A HAR is checked first: its `log.entries` is unambiguous, while a collection is
    // recognised by looser signs (an `item` array).
    let saved = if har::is_har(&root) {
        Some(SavedSource::Har {
            file: display.clone(),
            root,
        })
    } else if postman::is_collection(&root) {
        Some(SavedSource::Postman {
            file: display.clone(),
            root,
        })
    } else {
        None
    };
    if saved.is_some() {
        return Loaded {
            document: None,
            saved,
            files: vec![files.canonical(path)],
            diagnostics: Vec::new(),
        };
    }
    Loaded {
        document: None,
        saved: None,
        files: vec![files.canonical(path)],
        diagnostics: vec![Diagnostic::error(
            display,
            "",
            "not a recognised source: expected an OpenAPI document (a top-level `openapi` or `swagger` field), a Postman collection (`info` and `item`) or a HAR recording (`log.entries`)",
        )],
    }
}
