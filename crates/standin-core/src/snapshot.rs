//! The snapshot: everything needed to answer, built once from a mock's sources and
//! settings, then shared read-only by every request. A reload builds a new one.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::model::Document;
use crate::resource::Resources;
use crate::router::{OpRef, Router};
use crate::saved::SavedSet;
use crate::settings::MockSettings;
use crate::source::openapi::normalize_base;
use crate::source::{self, Files, SavedSource};

/// One mock's compiled state.
#[derive(Debug)]
pub struct Snapshot {
    /// Unique among the snapshots of this process: what is cached per snapshot is keyed
    /// by it, so a reload never serves what the previous version generated.
    pub id: u64,
    /// The settings it was built with.
    pub settings: MockSettings,
    /// The OpenAPI documents, in the order given.
    pub documents: Vec<Document>,
    /// The route table over all documents.
    pub router: Router,
    /// Everything found wrong while loading.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read (sources and the files they reference), for hot reload.
    pub files: Vec<PathBuf>,
    /// Request validators, compiled at load.
    pub validation: crate::validate::Compiled,
    /// Saved examples from Postman collections and HAR recordings.
    pub saved: SavedSet,
    /// The documents' resources, found when the mock is stateful.
    pub resources: Resources,
    /// Whether any operation has callbacks (answers of other answerers look for them
    /// only then).
    pub has_callbacks: bool,
}

impl Snapshot {
    /// Loads `sources` and builds the snapshot. Never fails: problems are diagnostics.
    pub fn build(files: &dyn Files, sources: &[PathBuf], settings: MockSettings) -> Snapshot {
        let mut documents = Vec::new();
        let mut diagnostics = Vec::new();
        let mut read = Vec::new();
        let mut saved_sources = Vec::new();
        for path in sources {
            let loaded = source::load(files, path);
            diagnostics.extend(loaded.diagnostics);
            read.extend(loaded.files);
            if let Some(doc) = loaded.document {
                documents.push(doc);
            }
            saved_sources.extend(loaded.saved);
        }
        let saved = compile_saved(files, saved_sources, &settings, &mut diagnostics, &mut read);
        let router = route(&documents, &settings, &mut diagnostics);
        let validation = crate::validate::Compiled::build(&documents, &settings, &mut diagnostics);
        let resources = if settings.stateful {
            Resources::discover(&documents)
        } else {
            Resources::default()
        };
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let has_callbacks = documents
            .iter()
            .any(|d| d.operations.iter().any(|o| !o.callbacks.is_empty()));
        Snapshot {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            settings,
            documents,
            router,
            diagnostics,
            files: read,
            validation,
            saved,
            resources,
            has_callbacks,
        }
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The number of operations served.
    pub fn operation_count(&self) -> usize {
        self.documents.iter().map(|d| d.operations.len()).sum()
    }

    /// The base paths a document is served under.
    pub fn base_paths<'a>(&'a self, doc: &'a Document) -> Vec<String> {
        match &self.settings.base_path {
            Some(b) => vec![normalize_base(b)],
            None => doc.base_paths.clone(),
        }
    }

    /// Response schemas no value can satisfy, found by generating one body for each
    /// media type that has no example (each schema once). Not part of loading: it costs
    /// a generation per schema. `standin check` runs it; a served request to such a
    /// response gets a best-effort body and an `x-standin-warning` header, or a 500 when
    /// no best effort can be built.
    pub fn unsatisfiable(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for doc in &self.documents {
            // Schemas generated already, and culprits reported already.
            let mut seen = std::collections::HashSet::new();
            let mut reported = std::collections::HashSet::new();
            let ctx = crate::generate::GenContext {
                root: &doc.root,
                dialect: doc.version.dialect(),
                direction: crate::generate::Direction::Response,
                seed: self.settings.seed,
                hints: &[],
            };
            for op in &doc.operations {
                for response in &op.responses {
                    for media in &response.media {
                        if !media.examples.is_empty() || media.schema_example.is_some() {
                            continue;
                        }
                        let Some(ptr) = media.schema.as_deref() else {
                            continue;
                        };
                        let Some(raw) = doc.root.pointer(ptr) else {
                            continue;
                        };
                        let (schema, at) = crate::model::deref(&doc.root, raw, ptr);
                        if !seen.insert(at.clone()) {
                            continue;
                        }
                        let Err(u) = crate::generate::generate(&ctx, schema, &at) else {
                            continue;
                        };
                        if !reported.insert(u.pointer.clone()) {
                            continue;
                        }
                        let pointer = u.pointer.trim_start_matches('#').to_string();
                        let served = if u.best_effort.is_some() {
                            "answers send a best-effort body with an `x-standin-warning` header"
                        } else {
                            "answers are a 500 naming this schema"
                        };
                        out.push(Diagnostic::warning(
                            &doc.file,
                            pointer,
                            format!(
                                "no value satisfies this schema ({}), reached from response {} {} of {}; {served}",
                                u.reason, response.key, media.media_type, op.label()
                            ),
                        ));
                    }
                }
            }
        }
        out
    }

    /// The operation an [`OpRef`] names.
    pub fn operation(&self, r: OpRef) -> Option<(&Document, &crate::model::Operation)> {
        let doc = self.documents.get(r.doc)?;
        Some((doc, doc.operations.get(r.op)?))
    }
}

/// Compiles the saved sources in the order given: substitutes the environment (read
/// from `settings.postman_env` through `files`, only when there is a collection, after
/// `settings.variables`) and
/// collection variables, applies the HAR filter. Problems become diagnostics; files
/// read are added to `read`.
fn compile_saved(
    files: &dyn Files,
    sources: Vec<SavedSource>,
    settings: &MockSettings,
    diagnostics: &mut Vec<Diagnostic>,
    read: &mut Vec<PathBuf>,
) -> SavedSet {
    let has_collection = sources
        .iter()
        .any(|s| matches!(s, SavedSource::Postman { .. }));
    // Variables set directly come first: the first of a name is the one used.
    let mut environment = settings.variables.clone();
    if let (Some(path), true) = (&settings.postman_env, has_collection) {
        read.push(files.canonical(path));
        environment.extend(source::postman::load_environment(files, path, diagnostics));
    }
    let mut examples = Vec::new();
    let mut entries = Vec::new();
    let mut seen_collection = false;
    let mut har_first = false;
    for saved in sources {
        match saved {
            SavedSource::Postman { file, root } => {
                seen_collection = true;
                let start = examples.len();
                let found =
                    source::postman::compile(&file, &root, &environment, start, diagnostics);
                examples.extend(found);
            }
            SavedSource::Har { file, root } => {
                // A HAR before any collection: HAR entries are tried first.
                if !seen_collection && entries.is_empty() {
                    har_first = true;
                }
                let found = source::har::compile(
                    &file,
                    &root,
                    &settings.har_filter,
                    settings.cors,
                    diagnostics,
                );
                entries.extend(found);
            }
        }
    }
    SavedSet::new(examples, entries, har_first, settings)
}

fn route(
    documents: &[Document],
    settings: &MockSettings,
    diagnostics: &mut Vec<Diagnostic>,
) -> Router {
    let mut router = Router::new();
    for (di, doc) in documents.iter().enumerate() {
        let bases = match &settings.base_path {
            Some(b) => vec![normalize_base(b)],
            None => doc.base_paths.clone(),
        };
        for (oi, op) in doc.operations.iter().enumerate() {
            let r = OpRef { doc: di, op: oi };
            for base in &bases {
                let full = format!("{base}{}", op.template);
                if let Err(clash) = router.insert(op.method.clone(), &full, r, false) {
                    let (other_doc, other_op) = (
                        &documents[clash.existing.doc],
                        &documents[clash.existing.doc].operations[clash.existing.op],
                    );
                    let message = if clash.existing.doc == di {
                        format!(
                            "{} {full} has the same shape as {} {}{} at #{}; the first is served",
                            op.method, other_op.method, base, other_op.template, other_op.pointer
                        )
                    } else {
                        format!(
                            "{} {full} is also served by {} (#{}); the first is served. Give the documents different base paths (servers / basePath, or --base-path per mock)",
                            op.method,
                            Path::new(&other_doc.file).display(),
                            other_op.pointer
                        )
                    };
                    diagnostics.push(Diagnostic::error(&doc.file, &op.pointer, message));
                }
                if !base.is_empty() {
                    let _ = router.insert(op.method.clone(), &op.template, r, true);
                }
            }
        }
    }
    router
}
