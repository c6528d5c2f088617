//! OpenAPI documents: Swagger 2.0, OpenAPI 3.0 and 3.1.
//!
//! Loading goes in three steps: [`bundle`] pulls every file reached through a relative
//! `$ref` into the root document so that all references are local; [`build`] turns the
//! paths into [`crate::model::Operation`]s (normalising 2.0 shapes on the way); and the
//! base paths are read from `servers` or `basePath`.

pub mod build;
pub mod bundle;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::diag::Diagnostic;
use crate::model::{Document, Version};
use crate::source::Files;

/// Whether a parsed value looks like an OpenAPI or Swagger document.
pub fn is_openapi(root: &Value) -> bool {
    root.get("openapi").is_some() || root.get("swagger").is_some()
}

/// Loads an OpenAPI document whose root has been parsed already, except perhaps for
/// `paths`, which a JSON document hands over unparsed (`raw_paths`; the root then has
/// no `paths`).
///
/// Unless something in the document points into `paths` (a `$ref` to `#/paths/...`),
/// each path item is built on its own and then cut down to what its operations point
/// at (their response and request schemas): descriptions, parameters (copied into the
/// operations) and extensions are dropped. Microsoft Graph's `paths` is 1.3 million of
/// its 1.5 million JSON nodes; read whole, it alone held 240 MB.
pub fn load(
    files: &dyn Files,
    path: &Path,
    text: &str,
    mut root: Value,
    raw_paths: Option<&RawValue>,
) -> (Option<Document>, Vec<PathBuf>, Vec<Diagnostic>) {
    let file = path.display().to_string();
    let mut diags = Vec::new();
    let version = match detect_version(&root) {
        Ok(v) => v,
        Err(message) => {
            let pointer = if root.get("swagger").is_some() {
                "/swagger"
            } else {
                "/openapi"
            };
            diags.push(
                Diagnostic::error(&file, pointer, message)
                    .at_line(crate::locate::line_of(text, pointer)),
            );
            return (None, vec![files.canonical(path)], diags);
        }
    };
    let prunable = !text.contains("#/paths");
    // Path items read one at a time must not need bundling: an external `$ref` in them
    // has the whole `paths` parsed up front instead.
    let raw_paths = match raw_paths {
        Some(raw) if prunable && !has_external_ref(raw.get()) => Some(raw),
        Some(raw) => {
            match crate::parse::parse_member(raw) {
                Ok(v) => {
                    insert(&mut root, "paths", v);
                }
                Err(e) => diags.push(Diagnostic::error(&file, "/paths", e.message)),
            }
            None
        }
        None => None,
    };
    let bundled = bundle::bundle(files, path, text, &mut root);
    diags.extend(bundled.diagnostics);
    let paths = match raw_paths {
        Some(raw) => build::Paths::Raw(raw),
        None if prunable => match root.as_object_mut().and_then(|m| m.shift_remove("paths")) {
            Some(v) => build::Paths::Taken(v),
            None => build::Paths::InRoot,
        },
        None => build::Paths::InRoot,
    };
    let built = build::build(&file, text, version, &root, paths);
    diags.extend(built.diagnostics);
    if let Some(pruned) = built.paths {
        insert(&mut root, "paths", pruned);
    }
    let root = Arc::new(root);
    let base_paths = base_paths(&root, version);
    let doc = Document {
        file,
        version,
        root,
        base_paths,
        operations: built.operations,
        security: built.security,
        webhooks: built.webhooks,
    };
    (Some(doc), bundled.files, diags)
}

fn insert(root: &mut Value, key: &str, v: Value) {
    if let Value::Object(map) = root {
        map.insert(key.to_string(), v);
    }
}

/// Whether JSON text holds a `$ref` to another file (a value not starting with `#`).
fn has_external_ref(json: &str) -> bool {
    json.match_indices("\"$ref\"").any(|(i, m)| {
        let rest = json[i + m.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        !rest.trim_start().starts_with("\"#")
    })
}

fn detect_version(root: &Value) -> Result<Version, String> {
    if let Some(v) = root.get("swagger") {
        return match v.as_str() {
            Some(s) if s.starts_with("2.") || s == "2" => Ok(Version::Swagger2),
            Some(s) => Err(format!(
                "unsupported Swagger version '{s}': standin reads 2.0"
            )),
            None => Err(format!("`swagger` must be the string \"2.0\", found {v}")),
        };
    }
    match root.get("openapi") {
        Some(Value::String(s)) if s.starts_with("3.0") => Ok(Version::OpenApi30),
        Some(Value::String(s)) if s.starts_with("3.") => Ok(Version::OpenApi31),
        Some(Value::String(s)) => Err(format!(
            "unsupported OpenAPI version '{s}': standin reads 2.0, 3.0 and 3.1"
        )),
        Some(Value::Number(n)) => {
            let s = n.to_string();
            if s.starts_with("3.0") || s == "3" {
                Ok(Version::OpenApi30)
            } else if s.starts_with('3') {
                Ok(Version::OpenApi31)
            } else {
                Err(format!("unsupported OpenAPI version {n}"))
            }
        }
        Some(other) => Err(format!(
            "`openapi` must be a version string such as \"3.0.3\", found {other}"
        )),
        None => Err("neither `openapi` nor `swagger` is present".into()),
    }
}

/// Base paths of a document, most preferred first; always at least one entry.
fn base_paths(root: &Value, version: Version) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    match version {
        Version::Swagger2 => {
            if let Some(bp) = root.get("basePath").and_then(Value::as_str) {
                out.push(normalize_base(bp));
            }
        }
        _ => {
            if let Some(servers) = root.get("servers").and_then(Value::as_array) {
                for server in servers {
                    if let Some(url) = server.get("url").and_then(Value::as_str) {
                        let url = substitute_variables(url, server.get("variables"));
                        let base = normalize_base(&path_of_url(&url));
                        if !out.contains(&base) {
                            out.push(base);
                        }
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Replaces `{var}` in a server URL with the variable's default.
fn substitute_variables(url: &str, vars: Option<&Value>) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &rest[open + 1..open + close];
        let default = vars
            .and_then(|v| v.get(name))
            .and_then(|v| v.get("default"))
            .and_then(Value::as_str)
            .unwrap_or("");
        out.push_str(default);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The path part of an absolute or relative URL.
fn path_of_url(url: &str) -> String {
    let after_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "",
            }
        }
        None => url,
    };
    let end = after_scheme.find(['?', '#']).unwrap_or(after_scheme.len());
    after_scheme[..end].to_string()
}

/// `/v1/` → `/v1`, `/` → ``, `v1` → `/v1`.
pub fn normalize_base(base: &str) -> String {
    let trimmed = base.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base_paths_come_from_servers_with_variables() {
        let root = json!({"openapi": "3.0.0", "servers": [
            {"url": "https://{region}.example.com/{version}/", "variables": {"region": {"default": "eu"}, "version": {"default": "v2"}}},
            {"url": "/v2"}
        ]});
        assert_eq!(
            base_paths(&root, Version::OpenApi30),
            vec!["/v2".to_string()]
        );
    }

    #[test]
    fn external_refs_are_told_from_local_ones() {
        assert!(!has_external_ref(
            r##"{"a": {"$ref": "#/components/schemas/A"}}"##
        ));
        assert!(has_external_ref(r##"{"a": {"$ref" : "common.json#/A"}}"##));
        assert!(!has_external_ref(r##"{"description": "no refs here"}"##));
    }

    #[test]
    fn swagger_base_path() {
        let root = json!({"swagger": "2.0", "basePath": "/api/"});
        assert_eq!(
            base_paths(&root, Version::Swagger2),
            vec!["/api".to_string()]
        );
        let root = json!({"swagger": "2.0", "basePath": "/"});
        assert_eq!(base_paths(&root, Version::Swagger2), vec![String::new()]);
    }
}
