//! The mocks the request targets ask, built once per process from the repository's
//! fixtures (compiled into the binary, so a fuzzer runs from any directory).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use standin_core::source::MemoryFiles;
use standin_core::{MockSettings, Snapshot};
use standin_stubs::{StubOptions, StubSet};

macro_rules! fixture {
    ($path:literal) => {
        ($path, include_str!(concat!("../../", $path)))
    };
}

/// The Postman environment the saved-example targets load with a collection.
pub const POSTMAN_ENV: &str =
    include_str!("../../crates/standin/tests/fixtures/saved/environment.json");

const PARAMS: &[(&str, &str)] = &[
    fixture!("crates/standin/tests/fixtures/validation/params.yaml"),
    fixture!("crates/standin/tests/fixtures/validation/swagger2.yaml"),
    fixture!("crates/standin/tests/fixtures/validation/security.yaml"),
];

const SOURCES: &[(&str, &str)] = &[
    fixture!("crates/standin/tests/fixtures/stateful/petstore.yaml"),
    fixture!("crates/standin/tests/fixtures/stateful/shop.yaml"),
    fixture!("crates/standin/tests/fixtures/openapi31.yaml"),
    fixture!("crates/standin/tests/fixtures/aws-style.json"),
    fixture!("crates/standin/tests/fixtures/saved/collection.json"),
    fixture!("crates/standin/tests/fixtures/saved/session.har"),
    fixture!("crates/standin/tests/fixtures/saved/edge.har"),
];

const STUBS: &[(&str, &str)] = &[
    fixture!("tests/wiremock/root/mappings/headers.json"),
    fixture!("tests/wiremock/root/mappings/params.json"),
    fixture!("tests/wiremock/root/mappings/priority.json"),
    fixture!("tests/wiremock/root/mappings/responses.json"),
    fixture!("tests/wiremock/root/mappings/scenario.json"),
    fixture!("tests/wiremock/root/mappings/single.json"),
    fixture!("tests/wiremock/root/mappings/templates.json"),
    fixture!("tests/wiremock/root/mappings/urls.json"),
    fixture!("tests/wiremock/root/mappings/matching/bodies.json"),
    fixture!("crates/standin/tests/fixtures/stubs/responses/mappings/fields.json"),
    fixture!("crates/standin/tests/fixtures/stubs/responses/mappings/helpers.json"),
    fixture!("crates/standin/tests/fixtures/stubs/responses/mappings/model.json"),
    fixture!("crates/standin/tests/fixtures/stubs/faults/mappings/bodies.yaml"),
];

const ENVIRONMENT: (&str, &str) = fixture!("crates/standin/tests/fixtures/mockoon/shop.json");

/// A mock of every kind of source.
pub struct All {
    /// The OpenAPI documents (stateful), the collection and the recordings.
    pub snapshot: Snapshot,
    /// The WireMock stubs.
    pub stubs: StubSet,
    /// The Mockoon environment.
    pub environments: standin_mockoon::Environments,
}

fn build(sources: &[(&str, &str)], settings: MockSettings) -> Snapshot {
    let mut files = MemoryFiles::new();
    if let Some(env) = &settings.postman_env {
        files.insert(env.clone(), POSTMAN_ENV);
    }
    for (path, text) in sources {
        files.insert(*path, *text);
    }
    let paths: Vec<PathBuf> = sources.iter().map(|(p, _)| PathBuf::from(p)).collect();
    Snapshot::build(&files, &paths, settings)
}

/// A snapshot of no sources (the stub and environment targets ask it).
pub fn empty() -> &'static Snapshot {
    static EMPTY: OnceLock<Snapshot> = OnceLock::new();
    EMPTY.get_or_init(|| build(&[], MockSettings::default()))
}

/// The parameter documents, validated.
pub fn params() -> &'static Snapshot {
    static PARAMS_MOCK: OnceLock<Snapshot> = OnceLock::new();
    PARAMS_MOCK.get_or_init(|| build(PARAMS, MockSettings::default()))
}

/// Every kind of source at once, stateful.
pub fn all() -> &'static All {
    static ALL: OnceLock<All> = OnceLock::new();
    ALL.get_or_init(|| {
        let settings = MockSettings {
            stateful: true,
            postman_env: Some(PathBuf::from("environment.json")),
            ..MockSettings::default()
        };
        let opts = StubOptions {
            global_templating: false,
            files_root: Some(PathBuf::from("tests/wiremock/root/__files")),
        };
        let mut stubs = Vec::new();
        for (path, text) in STUBS {
            let (parsed, _) = standin_stubs::parse_file(text, Path::new(path), &opts);
            stubs.extend(parsed);
        }
        let stubs = stubs
            .into_iter()
            .enumerate()
            .map(|(i, s)| Arc::new(s.with_insertion(i as u64)))
            .collect();
        let (path, text) = ENVIRONMENT;
        let env = standin_core::parse::parse_document(text).expect("the Mockoon fixture parses");
        All {
            snapshot: build(SOURCES, settings),
            stubs: StubSet::new(stubs),
            environments: standin_mockoon::Environments(vec![standin_mockoon::Environment::load(
                &env,
                Path::new(path),
                &[],
            )]),
        }
    })
}
