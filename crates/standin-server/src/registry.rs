//! The stub registry of one mock: the stubs of every stub file (kept per file, so one
//! file reloads alone) and the stubs created through the admin API, compiled into one
//! [`StubSet`] that requests read through an `ArcSwap` (they never lock).
//!
//! Writers (the admin API, the file watcher) serialise on one mutex, change the stubs
//! they hold, and publish a new set built from all of them. Every stub added gets the
//! next insertion index, so a stub added (or a file reloaded) later wins ties of
//! priority, as in WireMock.
//!
//! Files are read and written here (the core and the stub crate do no IO):
//! - stub files: `*.json`, `*.yaml`, `*.yml` under each `mappings/` directory, searched
//!   recursively in path order, or a single stub file; a file that cannot be used is a
//!   diagnostic and costs only its own stubs;
//! - saving writes API stubs as `mappings/<name or method-url>-<id>.json` (WireMock's
//!   file name, sanitised the same way) with `id`, `uuid`, `persistent: true` and
//!   `insertionIndex`; from then on they belong to that file. Removing a stub removes a
//!   file only if this registry wrote it: hand-written stub files are never deleted
//!   (WireMock deletes every file under `mappings/`; a mock pointed at a repository
//!   must not).
//!
//! Which stubs have answered is kept beside the set: one `AtomicBool` per stub id,
//! published with the set, so marking a hit takes no lock.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use arc_swap::{ArcSwap, Guard};
use serde_json::Value;
use standin_core::Diagnostic;
use standin_stubs::matcher::ValuePattern;
use standin_stubs::set::StubSet;
use standin_stubs::stub::{Stub, StubOptions, parse_file};
use standin_stubs::{StubError, pattern::RequestPattern};

use crate::sources::StubSource;

/// Why a registry operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum RegistryError {
    /// The stub (or the body holding stubs) cannot be used.
    Invalid(StubError),
    /// No stub has this id.
    NotFound(String),
    /// A file could not be read or written.
    Io(String),
}

impl std::fmt::Display for RegistryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistryError::Invalid(e) => write!(f, "invalid stub: {e}"),
            RegistryError::NotFound(id) => write!(f, "no stub has id {id}"),
            RegistryError::Io(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for RegistryError {}

/// How `import` treats a stub whose id is already used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// Replace the existing stub (WireMock's default).
    #[default]
    Overwrite,
    /// Keep the existing stub.
    Ignore,
}

/// The stubs of one file.
struct FileStubs {
    stubs: Vec<Arc<Stub>>,
    diagnostics: Vec<Diagnostic>,
}

struct Inner {
    files: BTreeMap<PathBuf, FileStubs>,
    /// Stubs created through the admin API and not saved, in creation order.
    api: Vec<Arc<Stub>>,
    /// Files this registry wrote (saved or persistent stubs): removing their stub
    /// removes them.
    written: HashSet<PathBuf>,
    next_insertion: u64,
}

/// Hits keyed by stub id; the flags are shared between successive sets so a hit
/// racing a rebuild is not lost.
/// Hit flags by stub id, looked up on every answer: foldhash, seeded per process.
type Hits = HashMap<String, Arc<AtomicBool>, foldhash::fast::RandomState>;

/// The stub registry (see the module doc).
pub struct Registry {
    sources: Vec<StubSource>,
    global_templating: bool,
    current: ArcSwap<StubSet>,
    hits: ArcSwap<Hits>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("sources", &self.sources)
            .field("stubs", &self.current.load().len())
            .finish_non_exhaustive()
    }
}

fn is_stub_file_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "yaml" | "yml"))
}

/// Stub files under `dir`, recursively, in path order. Hidden files and directories
/// (editor swap files, `.git`) are skipped.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut items: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    items.sort();
    for path in items {
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else if is_stub_file_name(&path) {
            out.push(path);
        }
    }
}

/// WireMock's file-name sanitising: spaces to `-`, anything but `[A-Za-z0-9_.-]` dropped,
/// lower case.
fn sanitise(s: &str) -> String {
    s.split(' ')
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The file a saved stub is written to: `<name>-<id>.json` or `<method>-<url>-<id>.json`.
pub fn file_name_for(stub: &Stub) -> String {
    let stem = match &stub.name {
        Some(name) => format!("{name}-{}", stub.id),
        None => format!(
            "{}-{}-{}",
            stub.request.method.as_deref().unwrap_or("ANY"),
            stub.request.url.expected().unwrap_or(""),
            stub.id
        ),
    };
    format!("{}.json", sanitise(&stem))
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // Writers replace whole values; a panic mid-operation leaves the previous ones.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    /// A registry of these stub sources, loaded from disk.
    pub fn new(sources: Vec<StubSource>, global_templating: bool) -> Registry {
        let registry = Registry {
            sources,
            global_templating,
            current: ArcSwap::from_pointee(StubSet::new(Vec::new())),
            hits: ArcSwap::from_pointee(Hits::default()),
            inner: Mutex::new(Inner {
                files: BTreeMap::new(),
                api: Vec::new(),
                written: HashSet::new(),
                next_insertion: 0,
            }),
        };
        let mut inner = lock(&registry.inner);
        registry.load_files(&mut inner);
        registry.publish(&inner);
        drop(inner);
        registry
    }

    /// Its sources.
    pub fn sources(&self) -> &[StubSource] {
        &self.sources
    }

    /// The current stubs, indexed, for the request path (a lock-free load).
    pub fn set(&self) -> Guard<Arc<StubSet>> {
        self.current.load()
    }

    /// The current stubs, kept.
    pub fn current(&self) -> Arc<StubSet> {
        self.current.load_full()
    }

    /// The swap the set is published through (for callers that hold it).
    pub fn swap(&self) -> &ArcSwap<StubSet> {
        &self.current
    }

    /// The `__files` directory of the first source: where `bodyFileName` of API stubs
    /// points and what the admin `/files` routes serve.
    pub fn files_root(&self) -> Option<&Path> {
        self.sources.first().map(|s| s.files.as_path())
    }

    /// The directory saved stubs are written to: the first source's `mappings/` (a
    /// single stub file's neighbour `mappings/`).
    pub fn save_dir(&self) -> Option<PathBuf> {
        let first = self.sources.first()?;
        Some(if first.single_file {
            first
                .files
                .parent()
                .unwrap_or(Path::new("."))
                .join("mappings")
        } else {
            first.mappings.clone()
        })
    }

    fn options(&self, source: usize) -> StubOptions {
        StubOptions {
            global_templating: self.global_templating,
            files_root: self.sources.get(source).map(|s| s.files.clone()),
        }
    }

    /// Every diagnostic of the files as last loaded, in file order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let inner = lock(&self.inner);
        inner
            .files
            .values()
            .flat_map(|f| f.diagnostics.iter().cloned())
            .collect()
    }

    /// Which source a path belongs to, if it is a stub file of one.
    fn source_of(&self, path: &Path) -> Option<usize> {
        self.sources.iter().position(|s| {
            if s.single_file {
                s.mappings == path
            } else {
                path.starts_with(&s.mappings) && is_stub_file_name(path)
            }
        })
    }

    /// Whether a changed path is one of this registry's stub files (for the watcher).
    pub fn owns(&self, path: &Path) -> bool {
        self.source_of(path).is_some()
    }

    fn parse_one(&self, inner: &mut Inner, source: usize, path: &Path) -> FileStubs {
        let opts = self.options(source);
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let (stubs, diagnostics) = parse_file(&text, path, &opts);
                let stubs = stubs
                    .into_iter()
                    .map(|s| {
                        let n = inner.next_insertion;
                        inner.next_insertion += 1;
                        Arc::new(s.with_insertion(n))
                    })
                    .collect();
                FileStubs { stubs, diagnostics }
            }
            Err(e) => FileStubs {
                stubs: Vec::new(),
                diagnostics: vec![Diagnostic::error(
                    path.display().to_string(),
                    "",
                    format!("cannot read the stub file: {e}"),
                )],
            },
        }
    }

    fn load_files(&self, inner: &mut Inner) {
        inner.files.clear();
        for (i, source) in self.sources.iter().enumerate() {
            let mut paths = Vec::new();
            if source.single_file {
                paths.push(source.mappings.clone());
            } else {
                walk(&source.mappings, &mut paths);
            }
            for path in paths {
                if inner.files.contains_key(&path) {
                    continue;
                }
                let stubs = self.parse_one(inner, i, &path);
                inner.files.insert(path, stubs);
            }
        }
    }

    /// Builds the set from every stub held and publishes it, with the hit flags.
    fn publish(&self, inner: &Inner) {
        let all: Vec<Arc<Stub>> = inner
            .files
            .values()
            .flat_map(|f| f.stubs.iter().cloned())
            .chain(inner.api.iter().cloned())
            .collect();
        let old = self.hits.load();
        let hits: Hits = all
            .iter()
            .map(|s| {
                let flag = old
                    .get(&s.id)
                    .cloned()
                    .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
                (s.id.clone(), flag)
            })
            .collect();
        self.current.store(Arc::new(StubSet::new(all)));
        self.hits.store(Arc::new(hits));
    }

    /// Re-reads one stub file (the watcher calls this when it changed): its stubs are
    /// replaced, every other stub is kept. A file that no longer exists loses its stubs.
    /// A file that cannot be used at all (unreadable, not JSON or YAML) keeps its
    /// previous stubs. Returns the file's diagnostics.
    pub fn reload_file(&self, path: &Path) -> Vec<Diagnostic> {
        let Some(source) = self.source_of(path) else {
            return Vec::new();
        };
        let mut inner = lock(&self.inner);
        if !path.exists() {
            inner.files.remove(path);
            inner.written.remove(path);
            self.publish(&inner);
            return Vec::new();
        }
        let fresh = self.parse_one(&mut inner, source, path);
        let diagnostics = fresh.diagnostics.clone();
        let unusable = fresh.stubs.is_empty() && !fresh.diagnostics.is_empty();
        match inner.files.get_mut(path) {
            // Half-written or broken: keep serving what the file held, report why.
            Some(old) if unusable => old.diagnostics = fresh.diagnostics,
            _ => {
                inner.files.insert(path.to_path_buf(), fresh);
            }
        }
        self.publish(&inner);
        diagnostics
    }

    /// Drops the stubs created through the admin API and reloads every file
    /// (WireMock's `/mappings/reset`).
    pub fn reset(&self) {
        let mut inner = lock(&self.inner);
        inner.api.clear();
        self.load_files(&mut inner);
        self.publish(&inner);
    }

    /// Removes every stub, file and API alike (`DELETE /mappings`), and the files
    /// this registry wrote. Hand-written files stay on disk: a reset reloads them.
    pub fn remove_all(&self) -> Result<(), RegistryError> {
        let mut inner = lock(&self.inner);
        inner.api.clear();
        inner.files.clear();
        let written: Vec<PathBuf> = inner.written.drain().collect();
        self.publish(&inner);
        drop(inner);
        let mut failed = Vec::new();
        for path in written {
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                failed.push(format!("{}: {e}", path.display()));
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(RegistryError::Io(format!(
                "cannot delete saved stub files: {}",
                failed.join("; ")
            )))
        }
    }

    fn parse_api(&self, json: &Value, insertion: u64) -> Result<Stub, RegistryError> {
        let stub = Stub::parse(json, &self.options(0)).map_err(RegistryError::Invalid)?;
        Ok(stub.with_insertion(insertion))
    }

    /// Takes the stub with this id out of wherever it is held; returns it and the
    /// file it came from.
    fn take(inner: &mut Inner, id: &str) -> Option<(Arc<Stub>, Option<PathBuf>)> {
        if let Some(i) = inner.api.iter().position(|s| s.id.eq_ignore_ascii_case(id)) {
            return Some((inner.api.remove(i), None));
        }
        for (path, file) in inner.files.iter_mut() {
            if let Some(i) = file
                .stubs
                .iter()
                .position(|s| s.id.eq_ignore_ascii_case(id))
            {
                return Some((file.stubs.remove(i), Some(path.clone())));
            }
        }
        None
    }

    /// Writes one stub to its own file in the save directory.
    fn write_stub(&self, stub: &Stub) -> Result<PathBuf, RegistryError> {
        let dir = self.save_dir().ok_or_else(|| {
            RegistryError::Io("this mock has no stub directory to save to".into())
        })?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| RegistryError::Io(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join(file_name_for(stub));
        let mut json = stub.to_json();
        if let Value::Object(obj) = &mut json {
            obj.insert("persistent".into(), Value::Bool(true));
        }
        let text = serde_json::to_string_pretty(&json)
            .map_err(|e| RegistryError::Io(format!("cannot write stub {}: {e}", stub.id)))?;
        // Written whole then renamed, so a watcher never reads half a file.
        let tmp = dir.join(format!(".{}.tmp", stub.id));
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| RegistryError::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Removes a file this registry wrote.
    fn unwrite(inner: &mut Inner, path: &Path) -> Result<(), RegistryError> {
        if inner.written.remove(path) {
            inner.files.remove(path);
            if let Err(e) = std::fs::remove_file(path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(RegistryError::Io(format!(
                    "cannot delete {}: {e}",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// Holds a stub created through the API; a `persistent` one is written at once.
    fn hold_api(&self, inner: &mut Inner, stub: Stub) -> Result<Arc<Stub>, RegistryError> {
        if stub.persistent {
            let path = self.write_stub(&stub)?;
            let stub = Arc::new(stub.with_source(&path));
            inner.written.insert(path.clone());
            inner.files.insert(
                path,
                FileStubs {
                    stubs: vec![stub.clone()],
                    diagnostics: Vec::new(),
                },
            );
            Ok(stub)
        } else {
            let stub = Arc::new(stub);
            inner.api.push(stub.clone());
            Ok(stub)
        }
    }

    /// Adds a stub from its JSON (a stub with the id of an existing one replaces it).
    pub fn add(&self, json: &Value) -> Result<Arc<Stub>, RegistryError> {
        let mut inner = lock(&self.inner);
        let n = inner.next_insertion;
        let stub = self.parse_api(json, n)?;
        inner.next_insertion += 1;
        if let Some((_, Some(path))) = Self::take(&mut inner, &stub.id) {
            Self::unwrite(&mut inner, &path)?;
        }
        let held = self.hold_api(&mut inner, stub);
        self.publish(&inner);
        held
    }

    /// The stub with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Stub>> {
        self.current.load().get(id).cloned()
    }

    /// The stubs created through the API and not saved to a file, oldest first, as
    /// JSON (what replicas of a shared mock exchange).
    pub fn api_json(&self) -> Vec<Value> {
        lock(&self.inner).api.iter().map(|s| s.to_json()).collect()
    }

    /// Replaces the stubs created through the API by these (oldest first), as
    /// another replica holds them; the files' stubs stay. All or nothing.
    pub fn replace_api(&self, stubs: &[Value]) -> Result<(), RegistryError> {
        let mut inner = lock(&self.inner);
        let mut parsed = Vec::with_capacity(stubs.len());
        for json in stubs {
            let n = inner.next_insertion;
            inner.next_insertion += 1;
            parsed.push(Arc::new(self.parse_api(json, n)?));
        }
        inner.api = parsed;
        self.publish(&inner);
        Ok(())
    }

    /// Every stub, in match order (priority, then newest first).
    pub fn list(&self) -> Vec<Arc<Stub>> {
        self.current.load().stubs().to_vec()
    }

    /// Replaces the stub with this id by the one given (which keeps the id and the
    /// insertion index). A stub of a file stays with its file until the file is
    /// reloaded; a stub this registry wrote is written again.
    pub fn update(&self, id: &str, json: &Value) -> Result<Arc<Stub>, RegistryError> {
        let mut json = json.clone();
        let obj = json.as_object_mut().ok_or_else(|| {
            RegistryError::Invalid(StubError::new("", "a stub mapping must be a JSON object"))
        })?;
        let mut inner = lock(&self.inner);
        let old = self
            .get(id)
            .ok_or_else(|| RegistryError::NotFound(id.to_string()))?;
        obj.insert("id".into(), Value::String(old.id.clone()));
        obj.remove("uuid");
        let mut stub = self.parse_api(&json, old.insertion)?;
        let Some((_, file)) = Self::take(&mut inner, &old.id) else {
            return Err(RegistryError::NotFound(id.to_string()));
        };
        match file {
            Some(path) if inner.written.contains(&path) => {
                Self::unwrite(&mut inner, &path)?;
                stub.persistent = true;
                self.hold_api(&mut inner, stub)?;
            }
            Some(path) => {
                let stub = Arc::new(stub.with_source(&path));
                if let Some(f) = inner.files.get_mut(&path) {
                    f.stubs.push(stub);
                }
            }
            None => {
                self.hold_api(&mut inner, stub)?;
            }
        }
        self.publish(&inner);
        drop(inner);
        self.get(&old.id)
            .ok_or_else(|| RegistryError::NotFound(id.to_string()))
    }

    /// Removes the stub with this id; returns it.
    pub fn remove(&self, id: &str) -> Result<Option<Arc<Stub>>, RegistryError> {
        let mut inner = lock(&self.inner);
        let Some((stub, file)) = Self::take(&mut inner, id) else {
            return Ok(None);
        };
        if let Some(path) = file
            && inner.files.get(&path).is_some_and(|f| f.stubs.is_empty())
        {
            Self::unwrite(&mut inner, &path)?;
        }
        self.publish(&inner);
        Ok(Some(stub))
    }

    /// WireMock's `POST /mappings/remove`: the stub with the given stub's id, or else
    /// every stub whose request pattern is the given one. Returns how many went.
    pub fn remove_like(&self, json: &Value) -> Result<usize, RegistryError> {
        let given_id = ["id", "uuid"]
            .iter()
            .find_map(|k| json.get(k).and_then(Value::as_str));
        if let Some(id) = given_id
            && self.remove(id)?.is_some()
        {
            return Ok(1);
        }
        let pattern =
            RequestPattern::parse(json.get("request").unwrap_or(&Value::Null), "/request")
                .map_err(RegistryError::Invalid)?
                .to_json();
        let same: Vec<String> = self
            .list()
            .iter()
            .filter(|s| s.request.to_json() == pattern)
            .map(|s| s.id.clone())
            .collect();
        for id in &same {
            self.remove(id)?;
        }
        Ok(same.len())
    }

    /// WireMock's `POST /mappings/import`: the stubs are added last first (so the
    /// first listed ends up newest); one whose id exists replaces it (`Overwrite`) or
    /// is skipped (`Ignore`); with `delete_not_in_import`, every stub not listed goes.
    /// All are parsed before any is added: an invalid one changes nothing.
    pub fn import(
        &self,
        stubs: &[Value],
        policy: DuplicatePolicy,
        delete_not_in_import: bool,
    ) -> Result<(), RegistryError> {
        let mut inner = lock(&self.inner);
        let mut parsed = Vec::with_capacity(stubs.len());
        for (i, json) in stubs.iter().enumerate().rev() {
            let n = inner.next_insertion + parsed.len() as u64;
            let stub = self.parse_api(json, n).map_err(|e| match e {
                RegistryError::Invalid(e) => RegistryError::Invalid(StubError::new(
                    format!("/mappings/{i}{}", e.pointer),
                    e.message,
                )),
                other => other,
            })?;
            parsed.push(stub);
        }
        inner.next_insertion += parsed.len() as u64;
        let current = self.current.load();
        let mut imported = HashSet::new();
        for stub in parsed {
            imported.insert(stub.id.clone());
            let exists = current.get(&stub.id).is_some();
            if exists && policy == DuplicatePolicy::Ignore {
                continue;
            }
            if exists && let Some((_, Some(path))) = Self::take(&mut inner, &stub.id) {
                if inner.written.contains(&path) {
                    Self::unwrite(&mut inner, &path)?;
                } else if let Some(f) = inner.files.get_mut(&path) {
                    // Edited in place: the stub stays with its file.
                    f.stubs.push(Arc::new(stub.with_source(&path)));
                    continue;
                }
            }
            self.hold_api(&mut inner, stub)?;
        }
        if delete_not_in_import {
            inner.api.retain(|s| imported.contains(&s.id));
            let mut emptied = Vec::new();
            for (path, file) in inner.files.iter_mut() {
                file.stubs.retain(|s| imported.contains(&s.id));
                if file.stubs.is_empty() {
                    emptied.push(path.clone());
                }
            }
            for path in emptied {
                Self::unwrite(&mut inner, &path)?;
            }
        }
        self.publish(&inner);
        Ok(())
    }

    /// Writes every stub created through the API to its own file (WireMock's
    /// `/mappings/save`); from then on each belongs to its file. Returns how many.
    pub fn save(&self) -> Result<usize, RegistryError> {
        let mut inner = lock(&self.inner);
        let api = std::mem::take(&mut inner.api);
        let mut saved = 0;
        let mut result = Ok(());
        for stub in api {
            if result.is_err() {
                inner.api.push(stub);
                continue;
            }
            match self.write_stub(&stub) {
                Ok(path) => {
                    inner.written.insert(path.clone());
                    // The stub as saved: persistent, and belonging to its file.
                    let mut json = stub.to_json();
                    if let Value::Object(obj) = &mut json {
                        obj.insert("persistent".into(), Value::Bool(true));
                    }
                    let held = match self.parse_api(&json, stub.insertion) {
                        Ok(s) => Arc::new(s.with_source(&path)),
                        Err(_) => stub,
                    };
                    inner.files.insert(
                        path,
                        FileStubs {
                            stubs: vec![held],
                            diagnostics: Vec::new(),
                        },
                    );
                    saved += 1;
                }
                Err(e) => {
                    inner.api.push(stub);
                    result = Err(e);
                }
            }
        }
        self.publish(&inner);
        result.map(|()| saved)
    }

    /// The stubs whose metadata (as JSON text) a value pattern matches, in match order
    /// (WireMock's `find-by-metadata`; usually `matchesJsonPath` or `equalToJson`).
    pub fn find_by_metadata(&self, pattern: &ValuePattern) -> Vec<Arc<Stub>> {
        self.list()
            .into_iter()
            .filter(|s| metadata_matches(s, pattern))
            .collect()
    }

    /// Removes the stubs [`Registry::find_by_metadata`] finds; returns them.
    pub fn remove_by_metadata(
        &self,
        pattern: &ValuePattern,
    ) -> Result<Vec<Arc<Stub>>, RegistryError> {
        let found = self.find_by_metadata(pattern);
        for stub in &found {
            self.remove(&stub.id)?;
        }
        Ok(found)
    }

    /// Notes that the stub with this id answered a request (lock-free).
    pub fn mark_hit(&self, id: &str) {
        if let Some(flag) = self.hits.load().get(id) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Forgets every hit (the journal was cleared: WireMock counts hits from it).
    pub fn clear_hits(&self) {
        for flag in self.hits.load().values() {
            flag.store(false, Ordering::Relaxed);
        }
    }

    /// The stubs that never answered a request since the hits were last cleared, in
    /// match order.
    pub fn unmatched(&self) -> Vec<Arc<Stub>> {
        let hits = self.hits.load();
        self.list()
            .into_iter()
            .filter(|s| !hits.get(&s.id).is_some_and(|f| f.load(Ordering::Relaxed)))
            .collect()
    }

    /// Removes [`Registry::unmatched`]; returns them.
    pub fn remove_unmatched(&self) -> Result<Vec<Arc<Stub>>, RegistryError> {
        let found = self.unmatched();
        for stub in &found {
            self.remove(&stub.id)?;
        }
        Ok(found)
    }
}

/// Whether a stub's metadata matches a pattern; a stub without metadata never does.
pub fn metadata_matches(stub: &Stub, pattern: &ValuePattern) -> bool {
    if stub.metadata.is_null() {
        return false;
    }
    let text = stub.metadata.to_string();
    pattern.matches(Some(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root() -> (tempfile::TempDir, Registry) {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("mappings");
        std::fs::create_dir_all(m.join("nested")).unwrap();
        std::fs::write(
            m.join("a.json"),
            r#"{"request":{"url":"/a"},"response":{"status":200,"body":"a"}}"#,
        )
        .unwrap();
        std::fs::write(
            m.join("nested/many.yaml"),
            "mappings:\n  - id: 11111111-1111-4111-8111-111111111111\n    request: {urlPath: /b, method: GET}\n    response: {status: 201}\n    metadata: {team: x}\n  - request: {urlPath: /c}\n    response: {status: 202}\n",
        )
        .unwrap();
        std::fs::write(m.join("notes.txt"), "not a stub").unwrap();
        let source = StubSource {
            mappings: m,
            files: dir.path().join("__files"),
            single_file: false,
        };
        (dir, Registry::new(vec![source], false))
    }

    fn urls(r: &Registry) -> Vec<String> {
        r.list()
            .iter()
            .map(|s| s.request.url.expected().unwrap_or("*").to_string())
            .collect()
    }

    #[test]
    fn files_load_recursively_and_newest_wins_ties() {
        let (_dir, r) = root();
        assert_eq!(r.list().len(), 3);
        assert!(r.diagnostics().is_empty());
        assert_eq!(urls(&r), ["/c", "/b", "/a"]);
        let stub = r.get("11111111-1111-4111-8111-111111111111").unwrap();
        assert!(stub.source.as_ref().unwrap().ends_with("nested/many.yaml"));
    }

    #[test]
    fn add_get_update_remove_keep_ids_and_order() {
        let (_dir, r) = root();
        let added = r
            .add(&json!({"request": {"url": "/new"}, "response": {"status": 204}, "priority": 1}))
            .unwrap();
        assert_eq!(urls(&r)[0], "/new");
        assert!(r.get(&added.id).is_some());
        let updated = r
            .update(
                &added.id,
                &json!({"request": {"url": "/newer"}, "response": {"status": 200}, "priority": 1}),
            )
            .unwrap();
        assert_eq!(updated.id, added.id);
        assert_eq!(updated.insertion, added.insertion);
        assert_eq!(urls(&r)[0], "/newer");
        assert!(matches!(
            r.update("22222222-2222-4222-8222-222222222222", &json!({})),
            Err(RegistryError::NotFound(_))
        ));
        assert!(r.remove(&added.id).unwrap().is_some());
        assert!(r.remove(&added.id).unwrap().is_none());
        assert_eq!(r.list().len(), 3);
    }

    #[test]
    fn an_invalid_stub_is_an_error_with_its_pointer() {
        let (_dir, r) = root();
        let err = r.add(&json!({"priority": "high"})).unwrap_err();
        let RegistryError::Invalid(e) = err else {
            panic!("{err:?}")
        };
        assert_eq!(e.pointer, "/priority");
        assert_eq!(r.list().len(), 3);
    }

    #[test]
    fn reset_drops_api_stubs_and_reloads_files() {
        let (dir, r) = root();
        r.add(&json!({"request": {"url": "/api"}})).unwrap();
        std::fs::write(
            dir.path().join("mappings/late.json"),
            r#"{"request":{"url":"/late"},"response":{}}"#,
        )
        .unwrap();
        r.reset();
        let u = urls(&r);
        assert!(!u.contains(&"/api".to_string()));
        assert!(u.contains(&"/late".to_string()));
        assert_eq!(u.len(), 4);
    }

    #[test]
    fn reloading_one_file_keeps_the_others_and_a_broken_file_keeps_its_stubs() {
        let (dir, r) = root();
        let api = r.add(&json!({"request": {"url": "/api"}})).unwrap();
        let a = dir.path().join("mappings/a.json");
        std::fs::write(&a, r#"{"request":{"url":"/a2"},"response":{}}"#).unwrap();
        assert!(r.reload_file(&a).is_empty());
        let u = urls(&r);
        assert!(u.contains(&"/a2".to_string()) && !u.contains(&"/a".to_string()));
        assert!(r.get(&api.id).is_some());
        assert_eq!(u.len(), 4);
        std::fs::write(&a, "{ not json").unwrap();
        let diags = r.reload_file(&a);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(urls(&r).contains(&"/a2".to_string()));
        assert_eq!(r.diagnostics().len(), 1);
        std::fs::remove_file(&a).unwrap();
        r.reload_file(&a);
        assert_eq!(r.list().len(), 3);
        assert!(!r.owns(&dir.path().join("elsewhere.json")));
        assert!(r.owns(&a));
    }

    #[test]
    fn save_writes_api_stubs_with_wiremock_names_and_delete_all_removes_only_those() {
        let (dir, r) = root();
        let s = r
            .add(&json!({"request": {"method": "GET", "url": "/things/1?x=y"}, "response": {"status": 200}}))
            .unwrap();
        assert_eq!(r.save().unwrap(), 1);
        let path = dir
            .path()
            .join("mappings")
            .join(format!("get-things1xy-{}.json", s.id));
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["id"], json!(s.id));
        assert_eq!(v["uuid"], json!(s.id));
        assert_eq!(v["persistent"], json!(true));
        assert!(v["insertionIndex"].is_u64());
        // Saved stubs survive a reset, once.
        r.reset();
        assert_eq!(r.list().len(), 4);
        assert!(r.get(&s.id).is_some());
        r.remove_all().unwrap();
        assert!(r.list().is_empty());
        assert!(!path.exists());
        assert!(dir.path().join("mappings/a.json").exists());
        r.reset();
        assert_eq!(r.list().len(), 3);
    }

    #[test]
    fn a_persistent_stub_is_written_at_once_and_removing_it_deletes_its_file() {
        let (dir, r) = root();
        let s = r
            .add(&json!({"name": "My Stub", "persistent": true, "request": {"url": "/p"}}))
            .unwrap();
        let path = dir
            .path()
            .join("mappings")
            .join(format!("my-stub-{}.json", s.id));
        assert!(path.exists());
        r.remove(&s.id).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn import_overwrites_or_ignores_and_can_delete_the_rest() {
        let (_dir, r) = root();
        let id = "11111111-1111-4111-8111-111111111111";
        let stubs = vec![
            json!({"id": id, "request": {"urlPath": "/b2"}}),
            json!({"request": {"url": "/i1"}}),
            json!({"request": {"url": "/i2"}}),
        ];
        r.import(&stubs, DuplicatePolicy::Ignore, false).unwrap();
        assert_eq!(r.get(id).unwrap().request.url.expected(), Some("/b"));
        assert_eq!(r.list().len(), 5);
        // The first listed is the newest.
        assert_eq!(urls(&r)[0], "/i1");
        r.import(&stubs[..1], DuplicatePolicy::Overwrite, true)
            .unwrap();
        assert_eq!(urls(&r), ["/b2"]);
        let bad = vec![json!({"request": {"url": "/ok"}}), json!({"priority": "x"})];
        let Err(RegistryError::Invalid(e)) = r.import(&bad, DuplicatePolicy::Overwrite, false)
        else {
            panic!("an invalid import must fail");
        };
        assert!(e.pointer.starts_with("/mappings/1"), "{e:?}");
        assert_eq!(r.list().len(), 1);
    }

    #[test]
    fn remove_like_uses_the_id_then_the_request_pattern() {
        let (_dir, r) = root();
        r.add(&json!({"request": {"url": "/same", "method": "GET"}}))
            .unwrap();
        r.add(&json!({"request": {"url": "/same", "method": "GET"}, "response": {"status": 500}}))
            .unwrap();
        assert_eq!(
            r.remove_like(&json!({"request": {"url": "/same", "method": "GET"}}))
                .unwrap(),
            2
        );
        assert_eq!(
            r.remove_like(&json!({"id": "11111111-1111-4111-8111-111111111111"}))
                .unwrap(),
            1
        );
        assert_eq!(r.list().len(), 2);
    }

    #[test]
    fn metadata_is_found_and_removed_by_a_value_pattern() {
        let (_dir, r) = root();
        let p = ValuePattern::parse(&json!({"matchesJsonPath": "$.team"}), "").unwrap();
        assert_eq!(r.find_by_metadata(&p).len(), 1);
        let p = ValuePattern::parse(&json!({"equalToJson": {"team": "x"}}), "").unwrap();
        assert_eq!(r.remove_by_metadata(&p).unwrap().len(), 1);
        assert_eq!(r.list().len(), 2);
    }

    #[test]
    fn stubs_never_hit_are_unmatched_until_the_hits_are_cleared() {
        let (_dir, r) = root();
        let id = "11111111-1111-4111-8111-111111111111";
        assert_eq!(r.unmatched().len(), 3);
        r.mark_hit(id);
        assert_eq!(r.unmatched().len(), 2);
        // A hit survives rebuilding the set.
        r.add(&json!({"request": {"url": "/z"}})).unwrap();
        assert_eq!(r.unmatched().len(), 3);
        assert!(r.unmatched().iter().all(|s| s.id != id));
        r.clear_hits();
        assert_eq!(r.unmatched().len(), 4);
        r.mark_hit(id);
        assert_eq!(r.remove_unmatched().unwrap().len(), 3);
        assert_eq!(r.list().len(), 1);
    }

    #[test]
    fn a_single_stub_file_is_a_source() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one.yml");
        std::fs::write(&file, "request: {url: /one}\nresponse: {status: 200}\n").unwrap();
        let r = Registry::new(
            vec![StubSource {
                mappings: file.clone(),
                files: dir.path().join("__files"),
                single_file: true,
            }],
            false,
        );
        assert_eq!(urls(&r), ["/one"]);
        assert!(r.owns(&file));
        assert_eq!(r.save_dir().unwrap(), dir.path().join("mappings"));
    }

    #[test]
    fn file_names_are_sanitised_like_wiremock() {
        let (_dir, r) = root();
        let s = r
            .add(&json!({"request": {"method": "POST", "urlPathPattern": "/a b/[0-9]+"}}))
            .unwrap();
        assert_eq!(file_name_for(&s), format!("post-a-b0-9-{}.json", s.id));
    }
}
