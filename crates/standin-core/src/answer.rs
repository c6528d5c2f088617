//! The one interface every kind of source answers through.
//!
//! A source compiles into an [`Answerer`]: given a request it either answers or says why
//! it can't (its near misses). The engine asks them in the precedence written in
//! ARCHITECTURE.md (stubs, then saved examples, then OpenAPI operations) and the first
//! answer wins; adding a kind of source adds an answerer, not a branch in every step.

use crate::directives::Directives;
use crate::exchange::{Kind, NearMiss, Reply, Request};
use crate::state::Store;

/// One request, as every answerer is asked it.
pub struct Ask<'a> {
    /// The request.
    pub req: &'a Request<'a>,
    /// What the client asked for in headers and query (read once per request).
    pub directives: &'a Directives,
    /// Randomness for this request.
    pub entropy: u64,
    /// Mutable state (scenario states).
    pub store: &'a dyn Store,
}

/// What an answerer says to a request.
pub enum Outcome {
    /// This is the answer.
    Reply(Box<Reply>),
    /// Not mine.
    Miss {
        /// The closest candidates, closest first (may be empty).
        near: Vec<NearMiss>,
        /// The answer to send when this answerer is the mock's only source: its own
        /// "not found" in its own vendor's shape (WireMock's plain-text diff, say).
        report: Option<Box<Reply>>,
    },
}

/// A compiled source.
pub trait Answerer: Send + Sync {
    /// Which kind of source this is.
    fn kind(&self) -> Kind;
    /// Whether it has nothing to answer with (then it is not asked).
    fn is_empty(&self) -> bool;
    /// Answers, or says why not.
    fn answer(&self, ask: &Ask<'_>) -> Outcome;
}
