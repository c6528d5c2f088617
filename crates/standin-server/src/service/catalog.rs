//! Mocks created at runtime: their definitions (the uploaded files, by name, and the
//! settings), read from a `multipart/form-data` upload, checked, and written out as
//! files a mock is built from.
//!
//! A definition is all a replica needs to build the mock: the shared store keeps
//! definitions, and every replica writes the files into a directory of its own and
//! builds from there (relative `$ref`s resolve against the uploaded names).
//!
//! Which uploaded files are sources: those the `sources` setting names; without it,
//! every file no other uploaded file mentions by name (a `$ref` target is not loaded
//! as a document of its own), and a stub root when files sit under `mappings/`.

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use standin_core::MockSettings;
use standin_core::settings::Delay;

use crate::server::MockConfig;

/// One uploaded file.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// Its name as uploaded: a relative path (`api.yaml`, `schemas/pet.yaml`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A runtime mock as defined: what replicas share.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Its identifier (lower-case letters and digits).
    pub id: String,
    /// Its name: the `/mocks/{name}` prefix and the `{name}.<domain>` host label.
    pub name: String,
    /// Its settings as given (camelCase keys), checked.
    pub settings: Map<String, Value>,
    /// Its files.
    pub files: Vec<SourceFile>,
    /// Raised by every change; replicas rebuild a mock whose version they lack.
    pub version: u64,
}

/// The settings a runtime mock takes.
const KNOWN: &[&str] = &[
    "name",
    "environment",
    "delay",
    "private",
    "apiKey",
    "matchHeaders",
    "matchBody",
    "validate",
    "stateful",
    "examples",
    "statusChoice",
    "seed",
    "dynamic",
    "cors",
    "basePath",
    "harMatch",
    "stateMaxItems",
    "sources",
];

/// The name of the generated Postman environment when `environment` is an object.
const ENV_FILE: &str = ".standin-environment.json";

impl Definition {
    /// As JSON for the shared store (files in base64).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "settings": self.settings,
            "version": self.version,
            "files": self.files.iter().map(|f| json!({
                "name": f.name,
                "base64": BASE64.encode(&f.bytes),
            })).collect::<Vec<_>>(),
        })
    }

    /// Back from [`Definition::to_json`].
    pub fn from_json(v: &Value) -> Option<Definition> {
        let files = v["files"]
            .as_array()?
            .iter()
            .map(|f| {
                Some(SourceFile {
                    name: f["name"].as_str()?.to_string(),
                    bytes: BASE64.decode(f["base64"].as_str()?).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Definition {
            id: v["id"].as_str()?.to_string(),
            name: v["name"].as_str()?.to_string(),
            settings: v["settings"].as_object()?.clone(),
            files,
            version: v["version"].as_u64()?,
        })
    }

    /// The settings for clients: as given, with the API key of a private mock.
    pub fn settings_json(&self) -> Value {
        Value::Object(self.settings.clone())
    }
}

/// A new identifier: 12 lower-case letters and digits (a DNS label, never all digits).
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut n: u128 = rand::random();
    let mut out = String::from("m");
    for _ in 0..11 {
        out.push(ALPHABET[(n % 36) as usize] as char);
        n /= 36;
    }
    out
}

/// Whether a name can be a path segment and a host label: 1 to 63 of `a-z`, `0-9`,
/// `-`, not starting or ending with `-`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// Why an upload or a settings change was refused: the status and a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// 400 (not a form), 422 (a form that cannot be a mock), 409 (a name taken).
    pub status: u16,
    /// What is wrong, naming the part or setting.
    pub detail: String,
    /// Where, as a JSON pointer into the settings, when a setting is at fault.
    pub pointer: Option<String>,
}

impl Refusal {
    fn new(status: u16, detail: impl Into<String>) -> Refusal {
        Refusal {
            status,
            detail: detail.into(),
            pointer: None,
        }
    }

    fn setting(key: &str, detail: impl Into<String>) -> Refusal {
        Refusal {
            status: 422,
            detail: format!("setting {key}: {}", detail.into()),
            pointer: Some(format!("/{key}")),
        }
    }
}

/// A file name as uploaded, made a safe relative path: no absolute paths, no `..`,
/// `\` read as `/`.
fn safe_name(name: &str) -> Result<String, Refusal> {
    let name = name.replace('\\', "/");
    let path = Path::new(&name);
    let ok = !name.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !ok {
        return Err(Refusal::new(
            422,
            format!(
                "file name {name:?} must be a relative path inside the mock (no '..', not absolute)"
            ),
        ));
    }
    Ok(name.trim_start_matches("./").to_string())
}

/// An upload's files and its settings, when it had a `settings` part.
pub type Upload = (Vec<SourceFile>, Option<Map<String, Value>>);

/// Reads a `multipart/form-data` upload: every part with a file name is a file (its
/// name kept), the part named `settings` is the settings JSON.
pub fn read_upload(content_type: Option<&str>, body: &[u8]) -> Result<Upload, Refusal> {
    let ct = content_type.unwrap_or("");
    let essence = standin_core::wire::essence(ct);
    if essence != "multipart/form-data" {
        return Err(Refusal::new(
            400,
            format!(
                "send the mock's files as multipart/form-data (one part per file, with its filename, and an optional `settings` JSON part); got content type {:?}",
                if ct.is_empty() { "none" } else { ct }
            ),
        ));
    }
    let Some(boundary) = standin_core::wire::boundary(ct) else {
        return Err(Refusal::new(
            400,
            "the multipart/form-data content type has no boundary",
        ));
    };
    let parts =
        standin_core::validate::multipart(body, &boundary).map_err(|e| Refusal::new(400, e.0))?;
    let mut files: Vec<SourceFile> = Vec::new();
    let mut settings = None;
    for part in parts {
        if part.name.as_deref() == Some("settings") && part.filename.is_none() {
            settings = Some(read_settings(part.body)?);
            continue;
        }
        let Some(filename) = part.filename.as_deref().filter(|f| !f.is_empty()) else {
            return Err(Refusal::new(
                422,
                format!(
                    "part {:?} has no filename: every part but `settings` is a file, sent with its file name",
                    part.name.as_deref().unwrap_or("")
                ),
            ));
        };
        let name = safe_name(filename)?;
        if files.iter().any(|f| f.name == name) {
            return Err(Refusal::new(422, format!("file {name:?} is sent twice")));
        }
        files.push(SourceFile {
            name,
            bytes: part.body.to_vec(),
        });
    }
    Ok((files, settings))
}

/// The settings JSON of an upload or a `PATCH`.
pub fn read_settings(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Refusal::new(422, "settings must be a JSON object")),
        Err(e) => Err(Refusal::new(
            422,
            format!(
                "settings are not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )),
    }
}

/// Checks settings: every key known, every value of its type. A private mock without
/// an `apiKey` is given one. Returns them, ready to keep.
pub fn check_settings(
    mut s: Map<String, Value>,
    files: &[SourceFile],
) -> Result<Map<String, Value>, Refusal> {
    if let Some(unknown) = s.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(Refusal::setting(
            unknown,
            format!("unknown; the settings are {}", KNOWN.join(", ")),
        ));
    }
    if let Some(name) = s.get("name") {
        match name.as_str() {
            Some(n) if valid_name(n) => {}
            _ => {
                return Err(Refusal::setting(
                    "name",
                    "must be 1 to 63 lower-case letters, digits and '-' (it is a path segment and a host name label)",
                ));
            }
        }
    }
    if s.get("private").and_then(Value::as_bool) == Some(true) && !s.contains_key("apiKey") {
        let key = format!("{:032x}", rand::random::<u128>());
        s.insert("apiKey".into(), Value::String(key));
    }
    // The settings are checked by resolving them once.
    to_settings(&s, Path::new("."), files)?;
    Ok(s)
}

fn bool_of(s: &Map<String, Value>, key: &str) -> Result<Option<bool>, Refusal> {
    match s.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Refusal::setting(key, "must be true or false")),
    }
}

fn str_of<'a>(s: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Refusal> {
    match s.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => Ok(Some(t)),
        Some(_) => Err(Refusal::setting(key, "must be a string")),
    }
}

fn strings_of(s: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, Refusal> {
    match s.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| Refusal::setting(key, "must be a list of strings")),
        Some(_) => Err(Refusal::setting(key, "must be a list of strings")),
    }
}

fn parsed<T: std::str::FromStr<Err = String>>(
    s: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, Refusal> {
    str_of(s, key)?
        .map(|t| t.parse().map_err(|e: String| Refusal::setting(key, e)))
        .transpose()
}

/// The mock's settings, its files written under `dir`.
pub fn to_settings(
    s: &Map<String, Value>,
    dir: &Path,
    files: &[SourceFile],
) -> Result<MockSettings, Refusal> {
    let d = MockSettings::default();
    let delay = match s.get("delay") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => {
            Some(Delay::parse(&n.to_string()).map_err(|e| Refusal::setting("delay", e))?)
        }
        Some(Value::String(t)) => Some(Delay::parse(t).map_err(|e| Refusal::setting("delay", e))?),
        Some(_) => {
            return Err(Refusal::setting(
                "delay",
                "expected milliseconds such as 250, or a range such as \"100-300\"",
            ));
        }
    };
    let private = bool_of(s, "private")?.unwrap_or(false);
    let api_key = str_of(s, "apiKey")?.map(str::to_string);
    if api_key.as_deref() == Some("") {
        return Err(Refusal::setting("apiKey", "must not be empty"));
    }
    let postman_env = match s.get("environment") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => {
            if !files.iter().any(|f| &f.name == name) {
                return Err(Refusal::setting(
                    "environment",
                    format!("names no uploaded file: {name:?}"),
                ));
            }
            Some(dir.join(name))
        }
        Some(Value::Object(_)) => Some(dir.join(ENV_FILE)),
        Some(_) => {
            return Err(Refusal::setting(
                "environment",
                "must be the name of an uploaded Postman environment file, or an object of variables",
            ));
        }
    };
    let seed = match s.get("seed") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| Refusal::setting("seed", "must be a whole number"))?,
    };
    let state_max_items = match s.get("stateMaxItems") {
        None | Some(Value::Null) => d.state_max_items,
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| Refusal::setting("stateMaxItems", "must be a whole number"))?,
    };
    if let Some(names) = strings_of(s, "sources")?
        && let Some(missing) = names.iter().find(|n| !files.iter().any(|f| &f.name == *n))
    {
        return Err(Refusal::setting(
            "sources",
            format!("names no uploaded file: {missing:?}"),
        ));
    }
    Ok(MockSettings {
        base_path: str_of(s, "basePath")?.map(str::to_string),
        delay,
        examples: parsed(s, "examples")?.unwrap_or(d.examples),
        status_choice: parsed(s, "statusChoice")?.unwrap_or(d.status_choice),
        cors: bool_of(s, "cors")?.unwrap_or(true),
        seed,
        dynamic: bool_of(s, "dynamic")?.unwrap_or(false),
        validate: parsed(s, "validate")?.unwrap_or(d.validate),
        api_key: if private || api_key.is_some() {
            api_key
        } else {
            None
        },
        postman_env,
        match_headers: strings_of(s, "matchHeaders")?.unwrap_or_default(),
        match_body: bool_of(s, "matchBody")?.unwrap_or(false),
        har_match: parsed(s, "harMatch")?.unwrap_or(d.har_match),
        stateful: bool_of(s, "stateful")?.unwrap_or(false),
        state_max_items,
        ..d
    })
}

/// Which uploaded files are sources (see the module doc), and whether a stub root is.
fn roots(def: &Definition) -> (Vec<String>, bool) {
    let stub_root = def
        .files
        .iter()
        .any(|f| f.name.starts_with("mappings/") || f.name.starts_with("__files/"));
    if let Ok(Some(named)) = strings_of(&def.settings, "sources") {
        return (named, stub_root);
    }
    let env = def.settings.get("environment").and_then(Value::as_str);
    let out = def
        .files
        .iter()
        .filter(|f| !f.name.starts_with("mappings/") && !f.name.starts_with("__files/"))
        .filter(|f| Some(f.name.as_str()) != env)
        .filter(|f| {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name);
            let needle = base.as_bytes();
            !def.files.iter().any(|other| {
                other.name != f.name && other.bytes.windows(needle.len()).any(|w| w == needle)
            })
        })
        .map(|f| f.name.clone())
        .collect();
    (out, stub_root)
}

/// Writes the definition's files under `dir` (created) and answers the mock to build.
pub fn materialise(def: &Definition, dir: &Path) -> Result<MockConfig, Refusal> {
    let io = |e: std::io::Error, what: &Path| {
        Refusal::new(500, format!("cannot write {}: {e}", what.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io(e, dir))?;
    for f in &def.files {
        let path = dir.join(&f.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(e, parent))?;
        }
        std::fs::write(&path, &f.bytes).map_err(|e| io(e, &path))?;
    }
    if let Some(Value::Object(vars)) = def.settings.get("environment") {
        let values: Vec<Value> = vars
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                json!({"key": k, "value": value, "enabled": true})
            })
            .collect();
        let path = dir.join(ENV_FILE);
        let text = json!({"name": "settings", "values": values}).to_string();
        std::fs::write(&path, text).map_err(|e| io(e, &path))?;
    }
    let settings = to_settings(&def.settings, dir, &def.files)?;
    let (names, stub_root) = roots(def);
    let mut sources: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    if stub_root {
        sources.push(dir.to_path_buf());
    }
    if sources.is_empty() {
        return Err(Refusal::new(
            422,
            "no source among the uploaded files: every file is referenced by another (name the roots in the `sources` setting)",
        ));
    }
    Ok(MockConfig {
        name: def.name.clone(),
        sources,
        host: String::new(),
        port: 0,
        settings,
        watch: false,
        tls: None,
        tls_port: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_multipart_upload_gives_files_with_their_names_and_the_settings() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"api.yaml\"\r\n\r\nopenapi: 3.0.0\r\n--b\r\nContent-Disposition: form-data; name=\"settings\"\r\nContent-Type: application/json\r\n\r\n{\"name\":\"pets\"}\r\n--b--\r\n";
        let (files, settings) =
            read_upload(Some("multipart/form-data; boundary=b"), body.as_bytes()).unwrap();
        assert_eq!(files, vec![file("api.yaml", "openapi: 3.0.0")]);
        assert_eq!(settings.unwrap()["name"], "pets");
        let err = read_upload(Some("application/json"), b"{}").unwrap_err();
        assert_eq!(err.status, 400);
        let body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../x.yaml\"\r\n\r\nx\r\n--b--\r\n";
        let err =
            read_upload(Some("multipart/form-data; boundary=b"), body.as_bytes()).unwrap_err();
        assert_eq!(err.status, 422);
        assert!(err.detail.contains("relative"), "{}", err.detail);
    }

    #[test]
    fn settings_are_checked_and_a_private_mock_gets_a_key() {
        let m = |v: Value| v.as_object().unwrap().clone();
        let s = check_settings(m(json!({"private": true, "delay": "10-20"})), &[]).unwrap();
        assert_eq!(s["apiKey"].as_str().unwrap().len(), 32);
        let e = check_settings(m(json!({"dealy": 5})), &[]).unwrap_err();
        assert_eq!(e.pointer.as_deref(), Some("/dealy"));
        let e = check_settings(m(json!({"name": "Bad Name"})), &[]).unwrap_err();
        assert_eq!(e.pointer.as_deref(), Some("/name"));
        let e = check_settings(m(json!({"validate": "sometimes"})), &[]).unwrap_err();
        assert_eq!(e.pointer.as_deref(), Some("/validate"));
        let e = check_settings(m(json!({"environment": "env.json"})), &[]).unwrap_err();
        assert!(e.detail.contains("env.json"));
    }

    #[test]
    fn referenced_files_are_not_sources_and_definitions_round_trip() {
        let def = Definition {
            id: new_id(),
            name: "x".into(),
            settings: Map::new(),
            files: vec![
                file("api.yaml", "paths:\n  $ref: 'schemas/pet.yaml#/Pet'"),
                file("schemas/pet.yaml", "Pet: {type: object}"),
                file("mappings/a.json", "{}"),
            ],
            version: 3,
        };
        assert_eq!(roots(&def), (vec!["api.yaml".to_string()], true));
        assert_eq!(Definition::from_json(&def.to_json()), Some(def));
        assert!(valid_name(&new_id()));
    }
}
