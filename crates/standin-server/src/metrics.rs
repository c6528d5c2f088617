//! `/__admin/metrics`: the service's figures in Prometheus' text format.
//!
//! - `standin_requests_total{mock, status, source}`: requests answered, by the kind of
//!   source that answered (`openapi`, `stub`, `state`, `saved`, `route`, `upstream`,
//!   `standin` for standin's own answers);
//! - `standin_request_duration_seconds{mock}`: a histogram of the time to an answer
//!   (before any configured delay);
//! - `standin_journal_entries{mock}`, `standin_journal_bytes{mock}`;
//! - `standin_store_items{mock}`, `standin_store_bytes{mock}`, and with a shared store
//!   `standin_store_up`, `standin_store_failures_total`, `standin_store_reconnects_total`;
//! - `standin_mocks`: mocks served.
//!
//! Counting takes one short per-mock lock (a map of (status, source) to counts; the
//! histogram is atomics), never a lock shared by mocks.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use standin_core::exchange::Kind;

use crate::service::Service;

/// The histogram's upper bounds, in seconds.
const BOUNDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// One mock's figures.
#[derive(Default)]
pub struct MockMetrics {
    counts: Mutex<BTreeMap<(u16, &'static str), u64>>,
    buckets: [AtomicU64; BOUNDS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl MockMetrics {
    /// Counts one answered request.
    pub fn observe(&self, status: u16, source: Kind, elapsed: Duration) {
        {
            let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
            *c.entry((status, source.as_str())).or_insert(0) += 1;
        }
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }
}

/// A label value escaped for the text format.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A metric family: its `HELP` and `TYPE` lines, then one sample per (labels, value).
fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, String)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// One sample per mock: `mock="name"` and what `value` reads of it.
fn per_mock(
    mocks: &[(String, std::sync::Arc<crate::server::MockState>)],
    value: impl Fn(&crate::server::MockState) -> String,
) -> Vec<(String, String)> {
    mocks
        .iter()
        .map(|(n, m)| (format!("mock=\"{}\"", label(n)), value(m)))
        .collect()
}

/// The text of `/__admin/metrics`.
pub async fn render(service: &Service) -> String {
    let mocks = service.mocks();
    let mut out = String::new();
    let one = |v: String| vec![(String::new(), v)];
    family(
        &mut out,
        "standin_mocks",
        "gauge",
        "Mocks served.",
        &one(mocks.len().to_string()),
    );
    let mut requests = Vec::new();
    for (name, m) in &mocks {
        let counts = m
            .metrics
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for ((status, source), n) in counts {
            requests.push((
                format!(
                    "mock=\"{}\",status=\"{status}\",source=\"{source}\"",
                    label(name)
                ),
                n.to_string(),
            ));
        }
    }
    family(
        &mut out,
        "standin_requests_total",
        "counter",
        "Requests answered, by mock, status and the kind of source that answered.",
        &requests,
    );
    let _ = writeln!(
        out,
        "# HELP standin_request_duration_seconds Time to an answer, before any configured delay."
    );
    let _ = writeln!(out, "# TYPE standin_request_duration_seconds histogram");
    for (name, m) in &mocks {
        let name = label(name);
        let mut cumulative = 0;
        let count = m.metrics.count.load(Ordering::Relaxed);
        let les = BOUNDS.iter().enumerate().map(|(i, bound)| {
            cumulative += m.metrics.buckets[i].load(Ordering::Relaxed);
            (bound.to_string(), cumulative)
        });
        for (le, n) in les.chain(std::iter::once(("+Inf".to_string(), count))) {
            let _ = writeln!(
                out,
                "standin_request_duration_seconds_bucket{{mock=\"{name}\",le=\"{le}\"}} {n}"
            );
        }
        let sum = m.metrics.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "standin_request_duration_seconds_sum{{mock=\"{name}\"}} {sum}"
        );
        let _ = writeln!(
            out,
            "standin_request_duration_seconds_count{{mock=\"{name}\"}} {count}"
        );
    }
    family(
        &mut out,
        "standin_journal_entries",
        "gauge",
        "Requests held in the mock's journal (this process).",
        &per_mock(&mocks, |m| m.admin.journal.usage().0.to_string()),
    );
    family(
        &mut out,
        "standin_journal_bytes",
        "gauge",
        "Bytes the mock's journal takes (this process).",
        &per_mock(&mocks, |m| m.admin.journal.usage().1.to_string()),
    );
    if service.shared().is_none_or(|s| s.is_up()) {
        let budgets: Vec<_> = mocks.iter().map(|(_, m)| m.store.budget()).collect();
        let labels = per_mock(&mocks, |_| String::new());
        let of = |f: fn(&standin_core::state::Budget) -> usize| -> Vec<(String, String)> {
            labels
                .iter()
                .zip(&budgets)
                .map(|((l, _), b)| (l.clone(), f(b).to_string()))
                .collect()
        };
        family(
            &mut out,
            "standin_store_items",
            "gauge",
            "Resource items held in the mock's store.",
            &of(|b| b.items),
        );
        family(
            &mut out,
            "standin_store_bytes",
            "gauge",
            "Bytes the mock's store items take.",
            &of(|b| b.bytes),
        );
    }
    if let Some(s) = service.shared() {
        family(
            &mut out,
            "standin_store_up",
            "gauge",
            "Whether the shared store answers.",
            &one(u8::from(s.is_up()).to_string()),
        );
        family(
            &mut out,
            "standin_store_failures_total",
            "counter",
            "Shared store operations that failed.",
            &one(s.failures.load(Ordering::Relaxed).to_string()),
        );
        family(
            &mut out,
            "standin_store_reconnects_total",
            "counter",
            "Times the shared store came back.",
            &one(s.reconnects.load(Ordering::Relaxed).to_string()),
        );
    }
    out
}
