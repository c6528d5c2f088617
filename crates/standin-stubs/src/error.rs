//! What is wrong with a stub, and where.

use std::fmt;

/// A stub that cannot be used: what is wrong and at which JSON pointer of the stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubError {
    /// JSON pointer into the stub (`/request/headers/X-Id/matches`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl StubError {
    /// An error at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> StubError {
        StubError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for StubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for StubError {}
