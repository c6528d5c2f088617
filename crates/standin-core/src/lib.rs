//! standin-core: everything standin knows about APIs, with no IO of its own.
//!
//! Bytes come in through the [`source::Files`] trait, randomness and clocks through
//! parameters; what comes out is an immutable [`snapshot::Snapshot`] and, per request,
//! an [`exchange::Reply`]. The server crate owns sockets, files, timers and threads.
//!
//! The flow of one request through this crate: [`router`] finds the operation,
//! [`directives`] reads what the client asked for, [`select`] picks status, media type
//! and example, [`generate`] fills in what the document left out, [`render`] turns it
//! into bytes. [`engine`] strings these together.

pub mod answer;
pub mod callback;
pub mod conformance;
pub mod diag;
pub mod directives;
pub mod engine;
pub mod exchange;
pub mod generate;
pub mod handlebars;
pub mod locate;
pub mod model;
pub mod negotiate;
pub mod operations;
pub mod parse;
pub mod pointer;
pub mod problem;
pub mod render;
pub mod resource;
pub mod router;
pub mod saved;
pub mod select;
pub mod settings;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod stateful;
pub mod validate;
pub mod wire;

pub use diag::{Diagnostic, Severity};
pub use exchange::{Reply, Request};
pub use settings::MockSettings;
pub use snapshot::Snapshot;
