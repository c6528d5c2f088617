//! Response selection for an operation: which response (status), which example.
//!
//! The order follows DESIGN: a forced status if the operation defines it (exact code,
//! then its range, then `default` sent with the forced code); otherwise the lowest 2xx,
//! then `default` (sent as 200), then the lowest code. The allowed-status list and the
//! random status choice narrow or shuffle that.

use crate::model::{Example, MediaDef, Operation, ResponseDef, StatusKey};
use crate::settings::{ExampleChoice, MockSettings, StatusChoice};

/// The response to send and the status code to send it with.
#[derive(Debug)]
pub struct Chosen<'a> {
    /// The response definition, `None` when the operation defines none.
    pub response: Option<&'a ResponseDef>,
    /// The status code sent.
    pub status: u16,
}

/// Chooses the response for a forced status, or `None` when the operation defines
/// neither the code, nor its range, nor `default`.
pub fn forced<'a>(op: &'a Operation, code: u16) -> Option<Chosen<'a>> {
    let range = u8::try_from(code / 100).unwrap_or(0);
    let response = op
        .response(StatusKey::Code(code))
        .or_else(|| op.response(StatusKey::Range(range)))
        .or_else(|| op.response(StatusKey::Default))?;
    Some(Chosen {
        response: Some(response),
        status: code,
    })
}

/// Chooses the response when no status is forced.
pub fn natural<'a>(op: &'a Operation, settings: &MockSettings, entropy: u64) -> Chosen<'a> {
    if op.responses.is_empty() {
        return Chosen {
            response: None,
            status: 200,
        };
    }
    let mut candidates: Vec<&ResponseDef> = op.responses.iter().collect();
    if !settings.statuses.is_empty() {
        let allowed: Vec<&ResponseDef> = candidates
            .iter()
            .copied()
            .filter(|r| matches!(r.key, StatusKey::Code(c) if settings.statuses.contains(&c)))
            .collect();
        if !allowed.is_empty() {
            candidates = allowed;
        } else if let Some(default) = op.response(StatusKey::Default)
            && let Some(&first) = settings.statuses.iter().min()
        {
            return Chosen {
                response: Some(default),
                status: first,
            };
        }
    }
    if settings.status_choice == StatusChoice::Random {
        let pick = candidates[(entropy % candidates.len() as u64) as usize];
        return Chosen {
            response: Some(pick),
            status: pick.key.natural_status(),
        };
    }
    let lowest_code = |pred: &dyn Fn(u16) -> bool| {
        candidates
            .iter()
            .filter_map(|r| match r.key {
                StatusKey::Code(c) if pred(c) => Some((c, *r)),
                _ => None,
            })
            .min_by_key(|(c, _)| *c)
    };
    let pick = lowest_code(&|c| (200..300).contains(&c))
        .map(|(_, r)| r)
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .find(|r| r.key == StatusKey::Range(2))
        })
        .or_else(|| {
            candidates
                .iter()
                .copied()
                .find(|r| r.key == StatusKey::Default)
        })
        .or_else(|| lowest_code(&|_| true).map(|(_, r)| r))
        .unwrap_or(candidates[0]);
    Chosen {
        response: Some(pick),
        status: pick.key.natural_status(),
    }
}

/// The codes an operation defines, for error messages.
pub fn defined_codes(op: &Operation) -> Vec<String> {
    op.responses.iter().map(|r| r.key.to_string()).collect()
}

/// Chooses an example of `media` when none is forced: `None` when it has none.
pub fn example<'a>(
    op: &Operation,
    media: &'a MediaDef,
    choice: ExampleChoice,
    entropy: u64,
) -> Option<&'a Example> {
    let n = media.examples.len();
    if n == 0 {
        return media.schema_example.as_ref();
    }
    let i = match choice {
        ExampleChoice::First => 0,
        ExampleChoice::Random => (entropy % n as u64) as usize,
        ExampleChoice::Sequential => {
            op.sequence
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                % n
        }
    };
    media.examples.get(i)
}

/// Finds a forced example by name in `media`.
pub fn named<'a>(media: &'a MediaDef, name: &str) -> Option<&'a Example> {
    media.examples.iter().find(|e| e.name == name)
}
