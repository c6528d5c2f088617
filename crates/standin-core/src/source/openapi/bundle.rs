//! Bundling: every `$ref` to another file becomes a local reference.
//!
//! The target of each external reference (`common.yaml#/components/schemas/Pet`, or a
//! whole file) is copied once under `x-standin-bundle/<n>` in the root document, and the
//! references inside copied content are rewritten the same way, relative to the file
//! they came from. Circular references across files end because each (file, fragment)
//! pair is copied once. After bundling, everything downstream (generation, validation,
//! rendering) deals with one document and local pointers only.
//!
//! Local references that point nowhere are reported here, once, with their location.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, escape_token};
use crate::source::Files;

/// The key under which external content is kept in the root document.
pub const BUNDLE_KEY: &str = "x-standin-bundle";

/// What bundling read and found.
pub struct Bundled {
    /// Every file read, the root first.
    pub files: Vec<PathBuf>,
    /// Unresolvable or unreadable references.
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy)]
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer_of(tokens: &[Token<'_>]) -> String {
    let mut s = String::new();
    for t in tokens {
        s.push('/');
        match t {
            Token::Key(k) => s.push_str(&escape_token(k)),
            Token::Index(i) => s.push_str(&i.to_string()),
        }
    }
    s
}

/// Keys whose values are data, not schema: a `$ref` inside them is literal.
fn is_data_key(key: &str) -> bool {
    matches!(
        key,
        "example" | "enum" | "default" | "const" | "x-standin-bundle"
    )
}

/// A reference found in a walk: where it is and what it says.
struct FoundRef {
    pointer: String,
    reference: String,
}

/// Walks `value`, checking local refs against `doc` (the document they are local to)
/// and collecting every ref that must be rewritten. With `rewrite_local`, local refs
/// are collected too (content copied from another file).
fn walk<'a>(
    value: &'a Value,
    doc: &Value,
    tokens: &mut Vec<Token<'a>>,
    rewrite_local: bool,
    out: &mut Vec<FoundRef>,
    broken: &mut Vec<FoundRef>,
) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if r.starts_with('#') {
                    if rewrite_local {
                        out.push(FoundRef {
                            pointer: pointer_of(tokens),
                            reference: r.clone(),
                        });
                    } else if crate::model::resolve_ref(doc, r).is_none() {
                        broken.push(FoundRef {
                            pointer: pointer_of(tokens),
                            reference: r.clone(),
                        });
                    }
                } else {
                    out.push(FoundRef {
                        pointer: pointer_of(tokens),
                        reference: r.clone(),
                    });
                }
            }
            for (k, v) in map {
                if is_data_key(k) || !(v.is_object() || v.is_array()) {
                    continue;
                }
                tokens.push(Token::Key(k));
                walk(v, doc, tokens, rewrite_local, out, broken);
                tokens.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                if !(v.is_object() || v.is_array()) {
                    continue;
                }
                tokens.push(Token::Index(i));
                walk(v, doc, tokens, rewrite_local, out, broken);
                tokens.pop();
            }
        }
        _ => {}
    }
}

struct Bundler<'f> {
    files: &'f dyn Files,
    /// Parsed external documents by canonical path (`None`: unreadable).
    docs: HashMap<PathBuf, Option<Value>>,
    /// (file, fragment) → key in the bundle.
    keys: HashMap<(PathBuf, String), String>,
    bundle: Map<String, Value>,
    /// Copied content still to be scanned: (key, the file it came from).
    pending: Vec<(String, PathBuf)>,
    read: Vec<PathBuf>,
    diagnostics: Vec<Diagnostic>,
}

impl Bundler<'_> {
    /// The local reference that replaces `reference`, found in `from_file`.
    fn localise(
        &mut self,
        reference: &str,
        from_file: &Path,
        at: &str,
        at_file: &str,
    ) -> Option<String> {
        let (file_part, fragment) = match reference.find('#') {
            Some(i) => (&reference[..i], &reference[i + 1..]),
            None => (reference, ""),
        };
        if file_part.contains("://") {
            self.diagnostics.push(Diagnostic::error(
                at_file,
                at,
                format!("remote reference '{reference}' is not fetched: standin reads local files only; download it and refer to it by a relative path"),
            ));
            return None;
        }
        let target_file = if file_part.is_empty() {
            from_file.to_path_buf()
        } else {
            let base = from_file.parent().unwrap_or(Path::new(""));
            self.files.canonical(&base.join(file_part))
        };
        let fragment = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .map(|s| s.into_owned())
            .unwrap_or_else(|_| fragment.to_string());
        let id = (target_file.clone(), fragment.clone());
        if let Some(key) = self.keys.get(&id) {
            return Some(format!("#/{BUNDLE_KEY}/{key}"));
        }
        if !self.docs.contains_key(&target_file) {
            let parsed = match self.files.read(&target_file) {
                Ok(text) => match crate::parse::parse_document(&text) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        self.diagnostics.push(
                            Diagnostic::error(target_file.display().to_string(), "", e.message)
                                .at_line(e.line),
                        );
                        None
                    }
                },
                Err(e) => {
                    self.diagnostics.push(Diagnostic::error(
                        at_file,
                        at,
                        format!(
                            "cannot read '{}' referenced by '{reference}': {e}",
                            target_file.display()
                        ),
                    ));
                    None
                }
            };
            self.read.push(target_file.clone());
            self.docs.insert(target_file.clone(), parsed);
        }
        let doc = self.docs.get(&target_file).and_then(|d| d.as_ref())?;
        let Some(target) = (if fragment.is_empty() {
            Some(doc)
        } else {
            doc.pointer(&fragment)
        }) else {
            self.diagnostics.push(Diagnostic::error(
                at_file,
                at,
                format!(
                    "unresolved $ref '{reference}': '{}' has nothing at #{fragment}",
                    target_file.display()
                ),
            ));
            return None;
        };
        let key = self.bundle.len().to_string();
        self.bundle.insert(key.clone(), target.clone());
        self.keys.insert(id, key.clone());
        self.pending.push((key.clone(), target_file));
        Some(format!("#/{BUNDLE_KEY}/{key}"))
    }
}

/// The local references in `value` (the part of `root`'s file at `at`, held apart
/// from `root`) that `root` has nothing at, as diagnostics.
pub fn unresolved(
    file: &str,
    text: &str,
    root: &Value,
    value: &Value,
    at: &str,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut broken = Vec::new();
    walk(value, root, &mut Vec::new(), false, &mut found, &mut broken);
    broken
        .into_iter()
        .map(|b| {
            let pointer = format!("{at}{}", b.pointer);
            Diagnostic::error(
                file,
                &pointer,
                format!(
                    "unresolved $ref '{}': no such location in the document",
                    b.reference
                ),
            )
            .at_line(crate::locate::line_of(text, &pointer))
        })
        .collect()
}

/// Bundles every external reference of `root` (read from `path`) into it.
pub fn bundle(files: &dyn Files, path: &Path, text: &str, root: &mut Value) -> Bundled {
    let root_file = files.canonical(path);
    let display = path.display().to_string();
    let mut found = Vec::new();
    let mut broken = Vec::new();
    walk(root, root, &mut Vec::new(), false, &mut found, &mut broken);
    let mut diagnostics: Vec<Diagnostic> = broken
        .into_iter()
        .map(|b| {
            Diagnostic::error(
                &display,
                &b.pointer,
                format!(
                    "unresolved $ref '{}': no such location in the document",
                    b.reference
                ),
            )
            .at_line(crate::locate::line_of(text, &b.pointer))
        })
        .collect();
    if found.is_empty() {
        return Bundled {
            files: vec![root_file],
            diagnostics,
        };
    }
    let mut b = Bundler {
        files,
        docs: HashMap::new(),
        keys: HashMap::new(),
        bundle: Map::new(),
        pending: Vec::new(),
        read: vec![root_file.clone()],
        diagnostics: Vec::new(),
    };
    // The root's own content, when reached through a file reference, is the root.
    for f in &found {
        if let Some(local) = b.localise(&f.reference, &root_file, &f.pointer, &display)
            && let Some(node) = root.pointer_mut(&f.pointer)
        {
            node["$ref"] = Value::String(local);
        }
    }
    // Copied content: rewrite its references relative to the file it came from.
    while let Some((key, from_file)) = b.pending.pop() {
        let Some(content) = b.bundle.get(&key) else {
            continue;
        };
        let mut refs = Vec::new();
        let mut ignored = Vec::new();
        walk(
            content,
            content,
            &mut Vec::new(),
            true,
            &mut refs,
            &mut ignored,
        );
        let from_display = from_file.display().to_string();
        let mut rewrites = Vec::new();
        for r in refs {
            if let Some(local) = b.localise(&r.reference, &from_file, &r.pointer, &from_display) {
                rewrites.push((r.pointer, local));
            }
        }
        if let Some(content) = b.bundle.get_mut(&key) {
            for (pointer, local) in rewrites {
                if let Some(node) = content.pointer_mut(&pointer) {
                    node["$ref"] = Value::String(local);
                }
            }
        }
    }
    diagnostics.append(&mut b.diagnostics);
    if let Value::Object(map) = root {
        map.insert(BUNDLE_KEY.to_string(), Value::Object(b.bundle));
    }
    Bundled {
        files: b.read,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemoryFiles;
    use serde_json::json;

    #[test]
    fn external_refs_become_local_and_cycles_end() {
        let mut files = MemoryFiles::new();
        files.insert(
            "spec/schemas/pet.yaml",
            "Pet:\n  type: object\n  properties:\n    owner: {$ref: 'owner.yaml#/Owner'}\n",
        );
        files.insert(
            "spec/schemas/owner.yaml",
            "Owner:\n  type: object\n  properties:\n    pets: {type: array, items: {$ref: 'pet.yaml#/Pet'}}\n    self: {$ref: '#/Owner'}\n",
        );
        let mut root = json!({"openapi": "3.0.0", "components": {"schemas": {"Pet": {"$ref": "schemas/pet.yaml#/Pet"}}}});
        let out = bundle(&files, Path::new("spec/api.yaml"), "", &mut root);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert_eq!(out.files.len(), 3);
        let pet_ref = root
            .pointer("/components/schemas/Pet/$ref")
            .unwrap()
            .as_str()
            .unwrap();
        let pet = crate::model::resolve_ref(&root, pet_ref).unwrap();
        let owner_ref = pet
            .pointer("/properties/owner/$ref")
            .unwrap()
            .as_str()
            .unwrap();
        let owner = crate::model::resolve_ref(&root, owner_ref).unwrap();
        assert_eq!(
            owner.pointer("/properties/pets/items/$ref").unwrap(),
            pet_ref
        );
        assert_eq!(owner.pointer("/properties/self/$ref").unwrap(), owner_ref);
    }

    #[test]
    fn broken_refs_are_reported_with_pointer_and_line() {
        let files = MemoryFiles::new();
        let text = "openapi: 3.0.0\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n";
        let mut root = crate::parse::parse_document(text).unwrap();
        let out = bundle(&files, Path::new("api.yaml"), text, &mut root);
        assert_eq!(out.diagnostics.len(), 1);
        let d = &out.diagnostics[0];
        assert_eq!(d.pointer, "/components/schemas/A");
        assert_eq!(d.line, Some(4));
        assert!(d.message.contains("#/components/schemas/Missing"));
    }

    #[test]
    fn missing_files_are_reported() {
        let files = MemoryFiles::new();
        let mut root = json!({"openapi": "3.0.0", "paths": {"/a": {"$ref": "paths/a.yaml"}}});
        let out = bundle(&files, Path::new("api.yaml"), "", &mut root);
        assert_eq!(out.diagnostics.len(), 1);
        assert!(
            out.diagnostics[0]
                .message
                .contains("cannot read 'paths/a.yaml'"),
            "{}",
            out.diagnostics[0].message
        );
    }
}
