//! The journal of outbound calls: every callback and webhook the mock made (or could
//! not make), with the request sent, the answer or the error, how many attempts it
//! took, and the serve event (journal entry) that asked for it.
//!
//! Calls are recorded by the sender's tasks, never on the request path, so one lock
//! over a ring is enough. The ring keeps the newest [`MAX_CALLS`]; bodies past the
//! journal's body limit are kept truncated, as the journal keeps them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};
use standin_core::exchange::CallOrigin;

use crate::journal::{Captured, EntryId};

/// The most calls kept (the oldest go first).
pub const MAX_CALLS: usize = 1_000;

/// What became of a call.
#[derive(Debug, Clone)]
pub enum CallOutcome {
    /// The target answered (the last attempt's answer).
    Answered {
        /// Its status.
        status: u16,
        /// Its headers.
        headers: HeaderMap,
        /// Its body.
        body: Captured,
    },
    /// No answer: the error of the last attempt, or why the call was never sent.
    Failed(String),
}

/// One outbound call.
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// Its id.
    pub id: EntryId,
    /// The serve event that asked for it (`None` for a webhook sent through the admin API).
    pub event: Option<EntryId>,
    /// What asked for it.
    pub origin: CallOrigin,
    /// The callback, webhook or stub it comes from.
    pub name: String,
    /// When the first attempt was made.
    pub at: SystemTime,
    /// The method.
    pub method: Method,
    /// The target URL.
    pub url: String,
    /// The request headers.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Captured,
    /// Attempts made (0 when it was never sent).
    pub attempts: u32,
    /// From the first attempt to the last answer or error.
    pub elapsed: Duration,
    /// The answer or the error.
    pub outcome: CallOutcome,
}

/// The ring of outbound calls (see the module doc).
#[derive(Debug)]
pub struct CallLog {
    calls: Mutex<VecDeque<Arc<CallRecord>>>,
    max_body: usize,
}

impl CallLog {
    /// An empty log keeping bodies up to `max_body` bytes.
    pub fn new(max_body: usize) -> CallLog {
        CallLog {
            calls: Mutex::new(VecDeque::new()),
            max_body,
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Arc<CallRecord>>> {
        // Pushes and pops only: a poisoned lock is used as is.
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The body limit of the journal.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// Records a call, dropping the oldest past [`MAX_CALLS`].
    pub fn record(&self, call: CallRecord) {
        let mut calls = self.lock();
        calls.push_back(Arc::new(call));
        while calls.len() > MAX_CALLS {
            calls.pop_front();
        }
    }

    /// Every call, newest first.
    pub fn all(&self) -> Vec<Arc<CallRecord>> {
        self.lock().iter().rev().cloned().collect()
    }

    /// The calls a serve event asked for, in the order they were made.
    pub fn of_event(&self, event: EntryId) -> Vec<Arc<CallRecord>> {
        self.lock()
            .iter()
            .filter(|c| c.event == Some(event))
            .cloned()
            .collect()
    }

    /// Forgets every call.
    pub fn clear(&self) {
        self.lock().clear();
    }
}
