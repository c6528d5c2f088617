//! The request log: one line per request, as text or JSON lines, written by a thread of
//! its own so that a slow terminal never slows an answer.
//!
//! Requests hand a [`Line`] to a bounded channel; when it is full the line is counted
//! as dropped rather than blocking the request, and the count is reported.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Lines queued for the log thread before new ones are dropped. The channel allocates
/// and touches every slot up front, so this is resident memory from the first second:
/// 65,536 slots were 12 MB of an idle server's 27. The thread drains the queue every
/// 5 ms; at 200,000 requests/s that is 1,000 lines, well inside 8,192.
const LOG_QUEUE: usize = 8_192;

/// How request lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable text.
    Text,
    /// One JSON object per line.
    Json,
    /// Nothing per request.
    Quiet,
}

/// One request, as logged.
#[derive(Debug, Clone)]
pub struct Line {
    /// When it arrived.
    pub at: SystemTime,
    /// Mock name.
    /// Mock name. `'static` because each line would otherwise bump a reference count
    /// shared by every worker thread; a process serves a handful of mocks for its life.
    pub mock: &'static str,
    /// Method (a cheap clone: standard methods do not allocate).
    pub method: http::Method,
    /// The request target (path and query), copied. Not the request's `Uri`: that
    /// shares the connection's read buffer, and holding it until the log thread gets
    /// to the line made hyper allocate a fresh buffer for every request.
    pub target: Box<str>,
    /// Status sent.
    pub status: u16,
    /// Time to answer, delay included.
    pub elapsed: Duration,
    /// What standin knows of why.
    pub why: std::sync::Arc<standin_core::exchange::Why>,
}

/// A handle to the log thread.
#[derive(Clone, Debug)]
pub struct Logger {
    tx: Option<SyncSender<Line>>,
    dropped: std::sync::Arc<AtomicU64>,
}

impl Logger {
    /// Starts the log thread writing to stdout.
    pub fn start(format: LogFormat) -> Logger {
        let dropped = std::sync::Arc::new(AtomicU64::new(0));
        if format == LogFormat::Quiet {
            return Logger { tx: None, dropped };
        }
        let (tx, rx) = sync_channel::<Line>(LOG_QUEUE);
        let counter = dropped.clone();
        std::thread::Builder::new()
            .name("standin-log".into())
            .spawn(move || {
                let stdout = std::io::stdout();
                let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
                let mut clock = Clock::default();
                while let Ok(line) = rx.recv() {
                    buf.clear();
                    let out = &mut buf;
                    write_line(out, &line, format, &mut clock);
                    // Write whatever else is queued before flushing once.
                    while let Ok(more) = rx.try_recv() {
                        write_line(out, &more, format, &mut clock);
                    }
                    let lost = counter.swap(0, Ordering::Relaxed);
                    if lost > 0 {
                        let _ = writeln!(
                            out,
                            "standin: {lost} log lines dropped (the log could not keep up)"
                        );
                    }
                    // The stdout lock is taken per batch: the rest of the process prints too.
                    let mut lock = stdout.lock();
                    if lock.write_all(&buf).and_then(|()| lock.flush()).is_err() {
                        return;
                    }
                    drop(lock);
                    // Let lines gather before the next batch: a receiver parked on the
                    // channel costs every request a wake-up; one asleep here costs none.
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            })
            .ok();
        Logger {
            tx: Some(tx),
            dropped,
        }
    }

    /// Whether lines are written at all.
    pub fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Queues a line; never blocks.
    pub fn log(&self, line: Line) {
        if let Some(tx) = &self.tx
            && let Err(TrySendError::Full(_)) = tx.try_send(line)
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The formatted date and time of the current second, recomputed only when the second
/// changes: at thousands of lines a second, formatting dates was most of the log's cost.
#[derive(Default)]
struct Clock {
    second: u64,
    prefix: String,
}

impl Clock {
    /// `2026-11-20T22:45:27.999Z` for `at`.
    fn write(&mut self, out: &mut impl Write, at: SystemTime) {
        let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        if d.as_secs() != self.second || self.prefix.is_empty() {
            self.second = d.as_secs();
            let full = timestamp(at);
            // Everything up to and including the seconds' dot.
            self.prefix = full[..full.len().saturating_sub(4)].to_string();
        }
        let ms = d.subsec_millis();
        let digits = [
            b'0' + (ms / 100) as u8,
            b'0' + (ms / 10 % 10) as u8,
            b'0' + (ms % 10) as u8,
            b'Z',
        ];
        let _ = out.write_all(self.prefix.as_bytes());
        let _ = out.write_all(&digits);
    }
}

/// The target of a request as logged: its path and query.
pub fn target_of(uri: &http::Uri) -> Box<str> {
    uri.path_and_query()
        .map_or_else(|| uri.path(), |p| p.as_str())
        .into()
}

fn write_line(out: &mut impl Write, l: &Line, format: LogFormat, clock: &mut Clock) {
    match format {
        LogFormat::Text => {
            // Written piece by piece rather than through `write!`: at tens of thousands of
            // lines a second the formatting machinery was most of the log thread's work.
            clock.write(out, l.at);
            let mut num = itoa::Buffer::new();
            let mut put = |parts: &[&[u8]]| {
                for p in parts {
                    let _ = out.write_all(p);
                }
            };
            put(&[
                b" ",
                l.mock.as_bytes(),
                b" ",
                l.method.as_str().as_bytes(),
                b" ",
                l.target.as_bytes(),
                b" ",
                num.format(l.status).as_bytes(),
                b" ",
            ]);
            // Milliseconds with two decimals, rounded.
            let hundredths = (l.elapsed.as_micros() + 5) / 10;
            put(&[num.format(hundredths / 100).as_bytes(), b"."]);
            let cents = hundredths % 100;
            if cents < 10 {
                put(&[b"0"]);
            }
            put(&[num.format(cents).as_bytes(), b"ms"]);
            let fields: [(&[u8], Option<&str>); 4] = [
                (b" stub=", l.why.stub.as_deref()),
                (b" op=", l.why.operation.as_deref()),
                (b" example=", l.why.example.as_deref()),
                (b" source=", l.why.source.as_deref()),
            ];
            for (key, value) in fields {
                if let Some(v) = value {
                    put(&[key, v.as_bytes()]);
                }
            }
            if let Some(st) = &l.why.state {
                put(&[b" state=[", st.as_bytes(), b"]"]);
            }
            if let Some(v) = &l.why.violations {
                put(&[b" violations=[", v.as_bytes(), b"]"]);
            }
            if let Some(note) = l.why.note {
                put(&[b" (", note.as_bytes(), b")"]);
            }
            put(&[b"\n"]);
        }
        LogFormat::Json => {
            let ms = l.elapsed.as_secs_f64() * 1000.0;
            let v = serde_json::json!({
                "time": timestamp(l.at),
                "mock": l.mock,
                "method": l.method.as_str(),
                "path": &*l.target,
                "status": l.status,
                "ms": (ms * 1000.0).round() / 1000.0,
                "answerer": l.why.answerer.as_str(),
                "stub": l.why.stub,
                "operation": l.why.operation,
                "example": l.why.example,
                "note": l.why.note,
                "source": l.why.source,
                "violations": l.why.violations,
                "state": l.why.state,
            });
            let _ = writeln!(out, "{v}");
        }
        LogFormat::Quiet => {}
    }
}

/// RFC 3339 UTC with milliseconds (the same form as Postman's `$isoTimestamp`).
pub fn timestamp(at: SystemTime) -> String {
    let ms = at
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    standin_core::saved::template::iso(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_carry_the_reasons_and_the_time_to_two_decimals() {
        let why = standin_core::exchange::Why {
            operation: Some("getPet".into()),
            stub: Some("abc".into()),
            note: Some("warn"),
            ..Default::default()
        };
        let line = |micros| Line {
            at: UNIX_EPOCH + Duration::from_millis(1_763_600_000_007),
            mock: "api",
            method: http::Method::GET,
            target: "/pets/1?x=2".into(),
            status: 200,
            elapsed: Duration::from_micros(micros),
            why: std::sync::Arc::new(why.clone()),
        };
        let text = |micros| {
            let mut out = Vec::new();
            write_line(
                &mut out,
                &line(micros),
                LogFormat::Text,
                &mut Clock::default(),
            );
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            text(1_234),
            "2025-11-20T00:53:20.007Z api GET /pets/1?x=2 200 1.23ms stub=abc op=getPet (warn)\n"
        );
        assert!(text(1_235).contains(" 1.24ms "), "{}", text(1_235));
        assert!(text(40).contains(" 0.04ms "), "{}", text(40));
        assert!(
            text(12_000_999).contains(" 12001.00ms "),
            "{}",
            text(12_000_999)
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = UNIX_EPOCH + Duration::from_millis(1_763_600_000_123);
        assert_eq!(timestamp(t), "2025-11-20T00:53:20.123Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
