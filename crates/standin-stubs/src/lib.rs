//! standin-stubs: WireMock stub mappings as a source of answers.
//!
//! A stub file (JSON or YAML, one stub or `{"mappings": [...]}`) is parsed into [`Stub`]s
//! whose request patterns and response templates are compiled once, at load. A
//! [`StubSet`] indexes them by method and path so matching cost does not grow with the
//! number of stubs, and answers requests through [`standin_core::answer::Answerer`].
//! Like the core, this crate does no IO: `bodyFileName` becomes a path the server
//! streams, delays are returned, scenario states are read and moved through the core's
//! [`standin_core::state::Store`].

pub mod date;
pub mod diff;
mod direct;
pub mod distance;
pub mod error;
mod helpers;
pub mod jsonpath;
pub mod matcher;
pub mod pattern;
pub mod response;
pub mod set;
pub mod stub;
pub mod template;
pub mod webhook;
pub mod xml;

pub use diff::not_matched_report;
pub use error::StubError;
pub use pattern::{MatchResult, RequestPattern};
pub use response::StubResponse;
pub use set::StubSet;
pub use stub::{ScenarioSpec, Stub, StubOptions, looks_like_stubs, parse_file};
pub use template::{Template, request_model};
