//! Request validation and security: is this request one the real API would accept?
//!
//! Validators are compiled once per snapshot ([`Compiled::build`]); [`check`] runs them
//! on a request and says whether to pass it, pass it with a warning, or reject it with
//! the answer the real service would give.

use http::header::{HeaderName, HeaderValue};

use crate::diag::Diagnostic;
use crate::directives::Directives;
use crate::engine::{Reply, Request};
use crate::model::Operation;
use crate::settings::MockSettings;
use crate::source::openapi::Document;

/// Validators compiled at load, for every operation of every document.
#[derive(Debug, Default)]
pub struct Compiled {}

impl Compiled {
    /// Compiles the validators of every operation; problems become diagnostics.
    pub fn build(
        documents: &[Document],
        settings: &MockSettings,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Compiled {
        let _ = (documents, settings, diagnostics);
        Compiled {}
    }
}

/// What validation decided.
#[derive(Debug)]
pub enum Verdict {
    /// The request is fine (or validation is off).
    Pass,
    /// Serve normally, adding these headers; the string lists the violations for the log.
    Warn(Vec<(HeaderName, HeaderValue)>, String),
    /// Answer with this instead.
    Reject(Box<Reply>),
}

/// Checks a request against its operation. `doc_index`/`op_index` locate the compiled
/// validators; `params` are the decoded path parameters.
#[allow(clippy::too_many_arguments)]
pub fn check(
    compiled: &Compiled,
    settings: &MockSettings,
    doc_index: usize,
    doc: &Document,
    op_index: usize,
    op: &Operation,
    req: &Request<'_>,
    params: &[(String, String)],
    directives: &Directives,
) -> Verdict {
    let _ = (
        compiled, settings, doc_index, doc, op_index, op, req, params, directives,
    );
    Verdict::Pass
}
