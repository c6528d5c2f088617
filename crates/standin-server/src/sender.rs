//! The sender: every outbound call a mock makes of its own accord — an operation's
//! OpenAPI callbacks, a 3.1 webhook sent through the admin API, a WireMock stub's
//! webhook listeners — made through the forwarder's client (`http://` and `https://`).
//!
//! A request never waits for the sender: [`Sender::submit`] takes the call or drops it
//! at once. At most `capacity` calls wait or run at a time; a call past that is dropped,
//! counted ([`Sender::dropped`]) and logged. A call waits for the answer that asked for
//! it to be sent (the reply body signals when hyper is done with it), then for its own
//! delay, then for one of `concurrency` sending slots. Each attempt has a timeout; a
//! failed attempt (no connection, no answer in time, a 5xx or 429 answer) is tried again
//! up to `retries` times, the wait doubling from `backoff`. The last answer or error
//! goes into the journal's outbound calls, with the serve event that asked for it, and
//! is a line of the request log (`callback sent`, status 0 and `callback failed` when
//! there was no answer).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{HeaderMap, Uri};
use http_body_util::Full;
use standin_core::exchange::{Call, CallOrigin};
use tokio::sync::{Semaphore, oneshot};

use crate::calls::{CallOutcome, CallRecord};
use crate::forward::{Failure, Forwarder};
use crate::journal::{Captured, EntryId, Journal};

/// How the sender sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderConfig {
    /// The most calls waiting or being sent at once; more are dropped.
    pub capacity: usize,
    /// The most calls being sent at once.
    pub concurrency: usize,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
    /// Attempts made again after a failed one.
    pub retries: u32,
    /// The wait before the first retry; it doubles for each next one (at most 30 s).
    pub backoff: Duration,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            capacity: 1_000,
            concurrency: 16,
            timeout: Duration::from_secs(10),
            retries: 0,
            backoff: Duration::from_millis(250),
        }
    }
}

/// The longest wait for the answer that asked for a call to be sent.
const ANSWER_WAIT: Duration = Duration::from_secs(60);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

struct Inner {
    config: SenderConfig,
    forwarder: Forwarder,
    journal: Arc<Journal>,
    pending: AtomicUsize,
    dropped: AtomicU64,
    slots: Semaphore,
    /// The request log and the mock's name in it: each call is a line there too.
    log: Option<(crate::log::Logger, crate::admin::mock::Name)>,
}

/// The sender of a mock (see the module doc); clones share it.
#[derive(Clone)]
pub struct Sender {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("config", &self.inner.config)
            .field("pending", &self.pending())
            .field("dropped", &self.dropped())
            .finish()
    }
}

/// Why a call was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Calls dropped so far, this one included.
    pub total: u64,
}

impl Sender {
    /// A sender using `forwarder`'s client, recording into `journal`.
    pub fn new(config: SenderConfig, forwarder: Forwarder, journal: Arc<Journal>) -> Sender {
        Sender {
            inner: Arc::new(Inner {
                config,
                forwarder,
                journal,
                pending: AtomicUsize::new(0),
                dropped: AtomicU64::new(0),
                slots: Semaphore::new(config.concurrency.max(1)),
                log: None,
            }),
        }
    }

    /// The same sender writing a line to the request log for each call, under the
    /// mock's name (call before cloning it).
    pub fn with_log(
        mut self,
        logger: crate::log::Logger,
        mock: crate::admin::mock::Name,
    ) -> Sender {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.log = Some((logger, mock));
        }
        self
    }

    /// Its configuration.
    pub fn config(&self) -> SenderConfig {
        self.inner.config
    }

    /// Calls dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// Calls waiting or being sent.
    pub fn pending(&self) -> usize {
        self.inner.pending.load(Ordering::Relaxed)
    }

    /// Takes a call to send once `answered` fires (or is dropped) and its delay has
    /// passed; never waits. A call that cannot be made (its `error` is set) is
    /// journalled as failed at once. Past the capacity, the call is dropped.
    pub fn submit(
        &self,
        call: Call,
        event: Option<EntryId>,
        answered: Option<oneshot::Receiver<()>>,
    ) -> Result<(), Dropped> {
        let inner = &self.inner;
        if let Some(error) = &call.error {
            self.record(&call, event, SystemTime::now(), 0, Duration::ZERO, {
                CallOutcome::Failed(error.clone())
            });
            return Ok(());
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.record(&call, event, SystemTime::now(), 0, Duration::ZERO, {
                CallOutcome::Failed("no runtime to send it on".into())
            });
            return Ok(());
        };
        if inner.pending.fetch_add(1, Ordering::AcqRel) >= inner.config.capacity {
            inner.pending.fetch_sub(1, Ordering::AcqRel);
            let total = inner.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // The first drop and every hundredth after it: a full queue under load
            // must not flood the log as well.
            if total == 1 || total.is_multiple_of(100) {
                eprintln!(
                    "standin: outbound queue full ({} calls): dropped {} {} ({} {}); {total} dropped so far",
                    inner.config.capacity,
                    call.origin.as_str(),
                    call.name,
                    call.method,
                    call.url
                );
            }
            return Err(Dropped { total });
        }
        let me = self.clone();
        runtime.spawn(async move {
            me.run(call, event, answered).await;
            me.inner.pending.fetch_sub(1, Ordering::AcqRel);
        });
        Ok(())
    }

    async fn run(
        &self,
        call: Call,
        event: Option<EntryId>,
        answered: Option<oneshot::Receiver<()>>,
    ) {
        if let Some(rx) = answered {
            let _ = tokio::time::timeout(ANSWER_WAIT, rx).await;
        }
        if call.delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(call.delay_ms)).await;
        }
        let Ok(_slot) = self.inner.slots.acquire().await else {
            return;
        };
        let at = SystemTime::now();
        let started = Instant::now();
        let uri = match target(&call.url) {
            Ok(u) => u,
            Err(e) => {
                self.record(&call, event, at, 0, Duration::ZERO, CallOutcome::Failed(e));
                return;
            }
        };
        let config = self.inner.config;
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            let result = self
                .inner
                .forwarder
                .exchange(request(&call, &uri), config.timeout)
                .await;
            let retry = match &result {
                Ok((parts, _)) => parts.status.is_server_error() || parts.status.as_u16() == 429,
                Err(_) => true,
            };
            if retry && attempts <= config.retries {
                let wait = config
                    .backoff
                    .saturating_mul(1 << (attempts - 1).min(16))
                    .min(MAX_BACKOFF);
                tokio::time::sleep(wait).await;
                continue;
            }
            let max = self.inner.journal.calls().max_body();
            break match result {
                Ok((parts, body)) => CallOutcome::Answered {
                    status: parts.status.as_u16(),
                    headers: parts.headers,
                    body: Captured::new(&body, max),
                },
                Err(Failure::Timeout(e) | Failure::Error(e)) => CallOutcome::Failed(e),
            };
        };
        if let CallOutcome::Failed(e) = &outcome {
            eprintln!(
                "standin: {} {} ({} {}) failed after {attempts} attempt(s): {e}",
                call.origin.as_str(),
                call.name,
                call.method,
                call.url
            );
        }
        self.record(&call, event, at, attempts, started.elapsed(), outcome);
    }

    fn record(
        &self,
        call: &Call,
        event: Option<EntryId>,
        at: SystemTime,
        attempts: u32,
        elapsed: Duration,
        outcome: CallOutcome,
    ) {
        if let Some((logger, mock)) = &self.inner.log
            && logger.enabled()
        {
            let (status, answered) = match &outcome {
                CallOutcome::Answered { status, .. } => (*status, true),
                CallOutcome::Failed(_) => (0, false),
            };
            logger.log(crate::log::Line {
                at,
                mock: **mock.load(),
                method: call.method.clone(),
                target: call.url.clone().into_boxed_str(),
                status,
                elapsed,
                why: Arc::new(standin_core::exchange::Why {
                    operation: Some(call.name.clone()),
                    note: Some(note(call.origin, answered)),
                    ..Default::default()
                }),
            });
        }
        let journal = &self.inner.journal;
        if !journal.enabled() {
            return;
        }
        let mut headers = HeaderMap::with_capacity(call.headers.len());
        for (n, v) in &call.headers {
            headers.append(n.clone(), v.clone());
        }
        journal.calls().record(CallRecord {
            id: EntryId::random(),
            event,
            origin: call.origin,
            name: call.name.clone(),
            at,
            method: call.method.clone(),
            url: call.url.clone(),
            headers,
            body: Captured::shared(&call.body, journal.calls().max_body()),
            attempts,
            elapsed,
            outcome,
        });
    }
}

/// The log line's note of a call.
fn note(origin: CallOrigin, answered: bool) -> &'static str {
    match (origin, answered) {
        (CallOrigin::Callback, true) => "callback sent",
        (CallOrigin::Callback, false) => "callback failed",
        (CallOrigin::Webhook, true) => "webhook sent",
        (CallOrigin::Webhook, false) => "webhook failed",
        (CallOrigin::Listener, true) => "stub webhook sent",
        (CallOrigin::Listener, false) => "stub webhook failed",
    }
}

/// The call's URL, which must be absolute `http://` or `https://`.
fn target(url: &str) -> Result<Uri, String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err(format!(
            "{url:?} is not an absolute http:// or https:// URL"
        )),
    }
}

/// One attempt's request: the call's method, headers and body, `Host` from the URL.
fn request(call: &Call, uri: &Uri) -> http::Request<Full<Bytes>> {
    let mut req = http::Request::new(Full::new(call.body.clone()));
    *req.method_mut() = call.method.clone();
    *req.uri_mut() = uri.clone();
    let headers = req.headers_mut();
    for (name, value) in &call.headers {
        if !crate::forward::is_hop_by_hop(name) && name != header::HOST {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Some(authority) = uri.authority()
        && let Ok(v) = HeaderValue::from_str(authority.as_str())
    {
        headers.insert(header::HOST, v);
    }
    if !headers.contains_key(header::USER_AGENT) {
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("standin/", env!("CARGO_PKG_VERSION"))),
        );
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::JournalConfig;
    use http::Method;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn call(url: String) -> Call {
        Call {
            origin: CallOrigin::Callback,
            name: "test".into(),
            method: Method::POST,
            url,
            headers: Vec::new(),
            body: Bytes::from_static(b"{}"),
            delay_ms: 0,
            error: None,
        }
    }

    async fn settled(journal: &Journal, n: usize) -> Vec<Arc<CallRecord>> {
        for _ in 0..400 {
            let all = journal.calls().all();
            if all.len() >= n {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} call(s) never recorded");
    }

    #[tokio::test]
    async fn a_failing_target_is_tried_again_with_backoff() {
        // Answers 503 to the first request and 204 to the second.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            for status in ["503 Service Unavailable", "204 No Content"] {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let head =
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                s.write_all(head.as_bytes()).await.unwrap();
            }
        });
        let journal = Arc::new(Journal::new(JournalConfig::default()));
        let config = SenderConfig {
            retries: 2,
            backoff: Duration::from_millis(20),
            ..SenderConfig::default()
        };
        let sender = Sender::new(config, Forwarder::default(), journal.clone());
        sender.submit(call(url), None, None).unwrap();
        let calls = settled(&journal, 1).await;
        assert_eq!(calls[0].attempts, 2);
        assert!(matches!(
            calls[0].outcome,
            CallOutcome::Answered { status: 204, .. }
        ));
    }

    #[tokio::test]
    async fn past_its_capacity_the_queue_drops_and_counts() {
        // Nothing answers in time: the calls stay pending.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/slow", listener.local_addr().unwrap());
        let journal = Arc::new(Journal::new(JournalConfig::default()));
        let config = SenderConfig {
            capacity: 2,
            timeout: Duration::from_millis(300),
            ..SenderConfig::default()
        };
        let sender = Sender::new(config, Forwarder::default(), journal.clone());
        assert!(sender.submit(call(url.clone()), None, None).is_ok());
        assert!(sender.submit(call(url.clone()), None, None).is_ok());
        assert_eq!(
            sender.submit(call(url.clone()), None, None),
            Err(Dropped { total: 1 })
        );
        assert_eq!(sender.dropped(), 1);
        let calls = settled(&journal, 2).await;
        assert!(
            calls
                .iter()
                .all(|c| matches!(c.outcome, CallOutcome::Failed(_)))
        );
        drop(listener);
    }

    #[tokio::test]
    async fn a_relative_url_is_journalled_as_failed() {
        let journal = Arc::new(Journal::new(JournalConfig::default()));
        let sender = Sender::new(
            SenderConfig::default(),
            Forwarder::default(),
            journal.clone(),
        );
        sender
            .submit(call("/only/a/path".into()), None, None)
            .unwrap();
        let calls = settled(&journal, 1).await;
        match &calls[0].outcome {
            CallOutcome::Failed(e) => assert!(e.contains("absolute"), "{e}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(calls[0].attempts, 0);
    }
}
