//! One WireMock stub mapping (`request` + `response` + identity, priority, scenario), and
//! stub files: JSON or YAML holding one stub or `{"mappings": [...]}`.
//!
//! Parsing is tolerant where WireMock is strict: unknown top-level fields are kept in the
//! echo and otherwise ignored. A stub that cannot be honoured is an error with a JSON
//! pointer; in a file of many stubs it costs only itself, every other stub is returned.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use standin_core::Diagnostic;
use standin_core::locate::line_of;
use standin_core::parse::parse_document;

use crate::error::StubError;
use crate::pattern::RequestPattern;
use crate::response::StubResponse;

/// WireMock's `StubMapping.DEFAULT_PRIORITY`.
pub const DEFAULT_PRIORITY: u32 = 5;

/// How stubs are compiled.
#[derive(Debug, Clone, Default)]
pub struct StubOptions {
    /// `--global-response-templating`: template every response, not only those listing
    /// the `response-template` transformer.
    pub global_templating: bool,
    /// The `__files` directory `bodyFileName` is relative to.
    pub files_root: Option<PathBuf>,
}

/// A stub's place in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioSpec {
    /// `scenarioName`.
    pub name: String,
    /// `requiredScenarioState`: the stub matches only in this state.
    pub required: Option<String>,
    /// `newScenarioState`: where serving the stub moves the scenario.
    pub new_state: Option<String>,
}

/// A parsed stub mapping.
pub struct Stub {
    /// The UUID (WireMock's `id` and `uuid`, lower case).
    pub id: String,
    /// `name`.
    pub name: Option<String>,
    /// `priority`: 1 is the highest; [`DEFAULT_PRIORITY`] when not given.
    pub priority: u32,
    /// Insertion index, set by whoever adds the stub; later stubs win ties.
    pub insertion: u64,
    /// `persistent`.
    pub persistent: bool,
    /// `metadata` (`Null` when absent).
    pub metadata: Value,
    /// `scenarioName` and its states.
    pub scenario: Option<ScenarioSpec>,
    /// The file the stub came from (`None` for stubs created through the admin API).
    pub source: Option<PathBuf>,
    /// `request`.
    pub request: RequestPattern,
    /// `response`.
    pub response: StubResponse,
    /// Its webhooks (`serveEventListeners` of type `webhook`), made after it answers.
    pub webhooks: Vec<crate::webhook::Webhook>,
    /// The stub as given, for fields echoed back unchanged.
    pub json: Value,
    /// The headers naming it in its answers, made with it from `id` and `name`.
    marks: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl fmt::Debug for Stub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stub")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("priority", &self.priority)
            .field("insertion", &self.insertion)
            .field("scenario", &self.scenario)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, StubError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(StubError::new(
            format!("/{key}"),
            format!("`{key}` must be a string, got {other}"),
        )),
    }
}

/// Whether `s` is a UUID in its 8-4-4-4-12 hex form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A random (version 4) UUID, formatted like Java's `UUID.toString()`.
pub fn new_uuid() -> String {
    uuid_from_bits(rand::random::<u128>())
}

/// The UUID these 128 random bits make: version 4 and the IETF variant set over them.
pub(crate) fn uuid_from_bits(bits: u128) -> String {
    let v = (bits & !(0xF_u128 << 76)) | (0x4_u128 << 76);
    let v = (v & !(0x3_u128 << 62)) | (0x2_u128 << 62);
    let h = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Stub {
    /// Parses one stub mapping. Pointers in errors are relative to the stub (`/request/url`).
    pub fn parse(v: &Value, opts: &StubOptions) -> Result<Stub, StubError> {
        let obj = v
            .as_object()
            .ok_or_else(|| StubError::new("", "a stub mapping must be a JSON object"))?;
        let id = match (optional_string(obj, "id")?, optional_string(obj, "uuid")?) {
            (Some(id), Some(uuid)) if !id.eq_ignore_ascii_case(&uuid) => {
                return Err(StubError::new(
                    "/uuid",
                    format!("`id` ({id}) and `uuid` ({uuid}) must be the same when both are given"),
                ));
            }
            (Some(id), _) => Some(("/id", id)),
            (None, Some(uuid)) => Some(("/uuid", uuid)),
            (None, None) => None,
        };
        let id = match id {
            None => new_uuid(),
            Some((_, id)) if is_uuid(&id) => id.to_ascii_lowercase(),
            Some((pointer, id)) => {
                return Err(StubError::new(
                    pointer,
                    format!("{id:?} is not a UUID (like 8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7)"),
                ));
            }
        };
        let name = optional_string(obj, "name")?;
        let priority = match obj.get("priority") {
            None | Some(Value::Null) => DEFAULT_PRIORITY,
            Some(p) => match p.as_u64() {
                Some(n) if n >= 1 && n <= u64::from(u32::MAX) => n as u32,
                _ => {
                    return Err(StubError::new(
                        "/priority",
                        format!("`priority` must be a whole number from 1 (the highest), got {p}"),
                    ));
                }
            },
        };
        let persistent = match obj.get("persistent") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(StubError::new(
                    "/persistent",
                    format!("`persistent` must be true or false, got {other}"),
                ));
            }
        };
        let metadata = match obj.get("metadata") {
            None | Some(Value::Null) => Value::Null,
            Some(m @ Value::Object(_)) => m.clone(),
            Some(other) => {
                return Err(StubError::new(
                    "/metadata",
                    format!("`metadata` must be an object, got {other}"),
                ));
            }
        };
        let scenario_name = optional_string(obj, "scenarioName")?;
        let required = optional_string(obj, "requiredScenarioState")?;
        let new_state = optional_string(obj, "newScenarioState")?;
        let scenario = match scenario_name {
            Some(name) => Some(ScenarioSpec {
                name,
                required,
                new_state,
            }),
            None if required.is_some() || new_state.is_some() => {
                let key = if required.is_some() {
                    "requiredScenarioState"
                } else {
                    "newScenarioState"
                };
                return Err(StubError::new(
                    format!("/{key}"),
                    format!("`{key}` needs a `scenarioName`"),
                ));
            }
            None => None,
        };
        let request =
            RequestPattern::parse(obj.get("request").unwrap_or(&Value::Null), "/request")?;
        // A stub without a response answers 200 with nothing (WireMock's
        // `ResponseDefinition.ok()`).
        let empty = json!({});
        let response_json = match obj.get("response") {
            None | Some(Value::Null) => &empty,
            Some(r) => r,
        };
        let response = StubResponse::parse(response_json, "/response", opts)?;
        let webhooks = crate::webhook::Webhook::parse_all(obj)?;
        let marks = crate::response::marks(&id, name.as_deref());
        Ok(Stub {
            marks,
            id,
            name,
            priority,
            insertion: 0,
            persistent,
            metadata,
            scenario,
            source: None,
            request,
            response,
            webhooks,
            json: v.clone(),
        })
    }

    /// The headers naming it in its answers (`Matched-Stub-Id`, `Matched-Stub-Name`).
    pub fn marks(&self) -> &[(http::HeaderName, http::HeaderValue)] {
        &self.marks
    }

    /// The same stub with its insertion index set.
    pub fn with_insertion(mut self, n: u64) -> Stub {
        self.insertion = n;
        self
    }

    /// The same stub, marked as coming from `file`.
    pub fn with_source(mut self, file: &Path) -> Stub {
        self.source = Some(file.to_path_buf());
        self
    }

    /// The label of the stub in near misses and reports: its name, or its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// WireMock's JSON shape of the stub, as the admin API lists it.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("id".into(), Value::String(self.id.clone()));
        if let Some(n) = &self.name {
            out.insert("name".into(), Value::String(n.clone()));
        }
        out.insert("request".into(), self.request.to_json());
        let mut response = self.response.to_json();
        if let Value::Object(r) = &mut response
            && !r.contains_key("status")
        {
            // Keep `status` first, as WireMock writes it.
            let mut with_status = Map::new();
            with_status.insert("status".into(), json!(200));
            with_status.extend(std::mem::take(r));
            *r = with_status;
        }
        out.insert("response".into(), response);
        out.insert("uuid".into(), Value::String(self.id.clone()));
        if self.persistent {
            out.insert("persistent".into(), Value::Bool(true));
        }
        if self.json.get("priority").is_some_and(|p| !p.is_null()) {
            out.insert("priority".into(), json!(self.priority));
        }
        if let Some(s) = &self.scenario {
            out.insert("scenarioName".into(), Value::String(s.name.clone()));
            if let Some(r) = &s.required {
                out.insert("requiredScenarioState".into(), Value::String(r.clone()));
            }
            if let Some(n) = &s.new_state {
                out.insert("newScenarioState".into(), Value::String(n.clone()));
            }
        }
        for key in ["postServeActions", "serveEventListeners"] {
            if let Some(v) = self.json.get(key).filter(|v| !v.is_null()) {
                out.insert(key.into(), v.clone());
            }
        }
        if !self.metadata.is_null() {
            out.insert("metadata".into(), self.metadata.clone());
        }
        out.insert("insertionIndex".into(), json!(self.insertion));
        Value::Object(out)
    }
}

/// Whether a parsed document is WireMock stubs: a stub (`request` and `response` at the
/// top level) or a `mappings` array.
pub fn looks_like_stubs(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    obj.get("mappings").is_some_and(Value::is_array)
        || (obj.contains_key("request") && obj.contains_key("response"))
}

/// Parses a stub file: JSON or YAML, one stub or `{"mappings": [...]}`. Each stub that
/// cannot be used is a diagnostic (file, pointer, line); the others are returned, in
/// file order, marked with `file` as their source.
pub fn parse_file(text: &str, file: &Path, opts: &StubOptions) -> (Vec<Stub>, Vec<Diagnostic>) {
    let name = file.display().to_string();
    let doc = match parse_document(text) {
        Ok(doc) => doc,
        Err(e) => {
            return (
                Vec::new(),
                vec![
                    Diagnostic::error(
                        &name,
                        "",
                        format!("cannot read the stub file: {}", e.message),
                    )
                    .at_line(e.line),
                ],
            );
        }
    };
    let diag = |pointer: String, message: String| {
        let line = line_of(text, &pointer);
        Diagnostic::error(&name, pointer, message).at_line(line)
    };
    let mut stubs = Vec::new();
    let mut diags = Vec::new();
    match doc.get("mappings") {
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match Stub::parse(item, opts) {
                    Ok(stub) => stubs.push(stub.with_source(file)),
                    Err(e) => diags.push(diag(format!("/mappings/{i}{}", e.pointer), e.message)),
                }
            }
        }
        Some(other) if doc.get("request").is_none() => {
            diags.push(diag(
                "/mappings".to_string(),
                format!(
                    "`mappings` must be an array of stubs, got {}",
                    kind_of(other)
                ),
            ));
        }
        _ => match Stub::parse(&doc, opts) {
            Ok(stub) => stubs.push(stub.with_source(file)),
            Err(e) => diags.push(diag(e.pointer, e.message)),
        },
    }
    (stubs, diags)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(v: Value) -> Result<Stub, StubError> {
        Stub::parse(&v, &StubOptions::default())
    }

    #[test]
    fn defaults_follow_wiremock() {
        let s =
            parse(json!({"request": {"url": "/a"}, "response": {}, "bogus": 1})).expect("parses");
        assert!(is_uuid(&s.id), "{}", s.id);
        assert_eq!(&s.id[14..15], "4", "a version 4 UUID");
        assert!(
            matches!(&s.id[19..20], "8" | "9" | "a" | "b"),
            "the IETF variant"
        );
        assert_eq!(s.priority, DEFAULT_PRIORITY);
        assert!(!s.persistent && s.scenario.is_none() && s.metadata.is_null());
        assert_eq!(s.with_insertion(7).insertion, 7);
        assert_ne!(new_uuid(), new_uuid());
        assert_eq!(uuid_from_bits(0), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn reads_identity_priority_scenario_and_metadata() {
        let s = parse(json!({
            "uuid": "8C5DB8B0-2DB4-4AD7-A99F-38C9B00DA3F7", "name": "n", "priority": 1,
            "persistent": true, "metadata": {"team": "x"},
            "scenarioName": "s", "requiredScenarioState": "Started", "newScenarioState": "two",
            "request": {"method": "GET", "urlPath": "/a"}, "response": {"status": 201}
        }))
        .expect("parses");
        assert_eq!(s.id, "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7");
        assert_eq!(s.label(), "n");
        assert_eq!(s.priority, 1);
        assert!(s.persistent);
        assert_eq!(s.metadata["team"], "x");
        assert_eq!(
            s.scenario,
            Some(ScenarioSpec {
                name: "s".into(),
                required: Some("Started".into()),
                new_state: Some("two".into())
            })
        );
    }

    #[test]
    fn echoes_wiremock_shape() {
        let s =
            parse(json!({"id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7", "request": {"url": "/a"}}))
                .expect("parses")
                .with_insertion(3);
        let out = s.to_json();
        assert_eq!(out["id"], out["uuid"]);
        assert_eq!(out["request"]["method"], "ANY");
        assert_eq!(out["response"]["status"], 200);
        assert_eq!(out["insertionIndex"], 3);
        assert!(out.get("priority").is_none(), "priority only when given");
        let p = parse(json!({"priority": 5, "scenarioName": "s", "newScenarioState": "b"}))
            .expect("parses")
            .to_json();
        assert_eq!(p["priority"], 5);
        assert_eq!(p["scenarioName"], "s");
        assert_eq!(p["newScenarioState"], "b");
        assert!(p.get("requiredScenarioState").is_none());
    }

    #[test]
    fn bad_stubs_say_where() {
        let at = |v: Value| parse(v).expect_err("must fail").pointer;
        assert_eq!(at(json!({"id": "not-a-uuid"})), "/id");
        assert_eq!(
            at(
                json!({"id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7", "uuid": "9c5db8b0-2db4-4ad7-a99f-38c9b00da3f7"})
            ),
            "/uuid"
        );
        assert_eq!(at(json!({"priority": 0})), "/priority");
        assert_eq!(at(json!({"priority": "high"})), "/priority");
        assert_eq!(at(json!({"persistent": "yes"})), "/persistent");
        assert_eq!(at(json!({"metadata": [1]})), "/metadata");
        assert_eq!(
            at(json!({"requiredScenarioState": "x"})),
            "/requiredScenarioState"
        );
        assert_eq!(
            at(json!({"request": {"urlPattern": "("}})),
            "/request/urlPattern"
        );
        assert_eq!(at(json!([1])), "");
    }

    #[test]
    fn a_file_of_many_stubs_loses_only_the_bad_ones() {
        let text = r#"{
  "mappings": [
    {"request": {"url": "/one"}, "response": {"status": 200}},
    {"request": {"urlPattern": "(", "method": "GET"}, "response": {}},
    {"request": {"url": "/three"}, "response": {}}
  ]
}"#;
        let (stubs, diags) = parse_file(
            text,
            Path::new("mappings/many.json"),
            &StubOptions::default(),
        );
        assert_eq!(stubs.len(), 2);
        assert!(
            stubs
                .iter()
                .all(|s| s.source.as_deref() == Some(Path::new("mappings/many.json")))
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].pointer, "/mappings/1/request/urlPattern");
        assert_eq!(diags[0].file, "mappings/many.json");
        assert!(diags[0].is_error());
        assert!(diags[0].line.is_some());
        assert!(
            diags[0].message.contains("regular expression"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn reads_yaml_single_stubs_and_reports_syntax_errors_with_lines() {
        let yaml = "request:\n  method: GET\n  url: /y\nresponse:\n  status: 204\n";
        let (stubs, diags) = parse_file(yaml, Path::new("y.yaml"), &StubOptions::default());
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(stubs.len(), 1);
        assert_eq!(stubs[0].request.method.as_deref(), Some("GET"));
        let (stubs, diags) = parse_file(
            "{\n\"request\": }",
            Path::new("b.json"),
            &StubOptions::default(),
        );
        assert!(stubs.is_empty());
        assert_eq!(diags[0].line, Some(2));
        let (_, diags) = parse_file(
            r#"{"mappings": 3}"#,
            Path::new("m.json"),
            &StubOptions::default(),
        );
        assert_eq!(diags[0].pointer, "/mappings");
    }

    #[test]
    fn recognises_stub_documents() {
        assert!(looks_like_stubs(&json!({"request": {}, "response": {}})));
        assert!(looks_like_stubs(&json!({"mappings": []})));
        assert!(!looks_like_stubs(&json!({"openapi": "3.1.0"})));
        assert!(!looks_like_stubs(&json!({"request": {}})));
        assert!(!looks_like_stubs(&json!([])));
    }
}
