//! Saved examples: request/response pairs from Postman collections and HAR recordings,
//! and how a request is matched to one.

use crate::directives::Directives;
use crate::engine::{Reply, Request};

/// Every saved example of a snapshot, indexed for matching.
#[derive(Debug, Default)]
pub struct SavedSet {}

/// A saved example that almost matched, and why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// What it is (`E2: GET /test (collection.json)`).
    pub label: String,
    /// Why it missed (`method`, `path`, `query id differs` ...).
    pub reasons: Vec<String>,
}

/// The result of matching a request against saved examples.
#[derive(Debug)]
pub enum Lookup {
    /// A saved example answers.
    Hit(Box<Reply>),
    /// None matched; the closest candidates.
    Miss(Vec<NearMiss>),
}

impl SavedSet {
    /// Whether there is any saved example.
    pub fn is_empty(&self) -> bool {
        true
    }

    /// The number of saved examples.
    pub fn len(&self) -> usize {
        0
    }

    /// Matches a request.
    pub fn answer(&self, req: &Request<'_>, directives: &Directives, entropy: u64) -> Lookup {
        let _ = (req, directives, entropy);
        Lookup::Miss(Vec::new())
    }
}
