//! The request journal: every request the mock answered (admin requests excepted), with
//! the reply it got and why, bounded in entries and in bytes.
//!
//! Requests are recorded on the request path, so recording takes no global lock: there
//! is a shard per core, each a `Mutex<VecDeque>` held only to push (and to drop that
//! shard's oldest entries when it is over its share of the budget), and each thread
//! records to one shard, so that the lock and the entries stay with that core. The
//! budgets are shared equally by the shards in use (one client served by one worker
//! thread gets all of it); the entries dropped are the oldest of their shard, and the
//! total never exceeds the budget. An atomic sequence number orders entries across
//! shards. Readers take each shard's lock briefly, copy its
//! `Arc<Entry>`s and merge them by sequence number.
//!
//! Bodies past `max_body` bytes are kept truncated: [`Captured::size`] keeps the
//! original length and [`Captured::truncated`] says so. Every byte an entry holds is
//! copied out of the request (hyper's header values and bodies share its read buffers,
//! which would otherwise stay alive unaccounted), and [`Entry::cost`] estimates the
//! entry's heap footprint so the byte budget holds memory flat.
//!
//! An entry is *matched* when some source answered it ([`Why::answerer`] is not
//! [`Kind::None`]): a stub, a saved example, an OpenAPI operation. Every other entry is
//! *unmatched* — a miss (with its near misses in [`Why::near`]) or an answer of
//! standin's own (a bad directive, a private mock's key, a body too large). The near
//! misses recorded are those computed when the request was answered; the admin API
//! recomputes them against the current stubs from [`Entry::request`], which rebuilds
//! the request as the core sees it (with its body as journalled, possibly truncated).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Version};
use standin_core::exchange::{Fault, Kind, Why};
use standin_core::{Reply, Request};
use standin_stubs::pattern::RequestPattern;

/// The journal's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalConfig {
    /// Keep a journal at all (`--no-request-journal` turns it off).
    pub enabled: bool,
    /// The most entries kept.
    pub max_entries: usize,
    /// The most bytes the entries take, as [`Entry::cost`] counts them.
    pub max_bytes: usize,
    /// Request and response bodies longer than this are kept truncated to it.
    pub max_body: usize,
}

impl Default for JournalConfig {
    fn default() -> Self {
        JournalConfig {
            enabled: true,
            max_entries: 10_000,
            max_bytes: 64 << 20,
            max_body: 64 << 10,
        }
    }
}

/// A body as journalled: its first bytes, and how long it was.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Captured {
    /// The bytes kept (all of them, or the first `max_body`).
    pub bytes: Bytes,
    /// The length of the whole body.
    pub size: usize,
}

impl Captured {
    /// Copies at most `max` bytes of `body`.
    pub fn new(body: &[u8], max: usize) -> Captured {
        let kept = &body[..body.len().min(max)];
        Captured {
            bytes: Bytes::copy_from_slice(kept),
            size: body.len(),
        }
    }

    /// At most `max` bytes of `body`, sharing its buffer (for bytes that hold nothing
    /// else alive).
    pub fn shared(body: &Bytes, max: usize) -> Captured {
        Captured {
            bytes: body.slice(..body.len().min(max)),
            size: body.len(),
        }
    }

    /// Whether bytes were dropped.
    pub fn truncated(&self) -> bool {
        self.bytes.len() < self.size
    }
}

/// The reply as journalled, before it was sent.
#[derive(Debug, Clone)]
pub struct LoggedReply {
    /// The status.
    pub status: u16,
    /// The reason phrase sent instead of the standard one (`statusMessage`).
    pub status_message: Option<String>,
    /// The headers.
    pub headers: Headers,
    /// The body (empty when it is streamed from a file).
    pub body: Captured,
    /// The file streamed as the body.
    pub body_file: Option<PathBuf>,
    /// The fault produced instead of an answer.
    pub fault: Option<Fault>,
    /// The delay before sending, in milliseconds.
    pub delay_ms: u64,
}

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The shard this thread records to, given out in turn as threads first record.
    static SHARD_OF_THREAD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed);
}

/// One request and what answered it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A UUID, the serve event's id in the admin API.
    pub id: EntryId,
    /// The order of recording (set by [`Journal::record`]; newest is largest).
    pub seq: u64,
    /// When the request arrived.
    pub at: SystemTime,
    /// The method.
    pub method: Method,
    /// The path and query, as received (ASCII: hyper takes no other), in the entry's
    /// buffer; see [`Entry::url`].
    url: Bytes,
    /// The URI's authority of a request without a `Host` header (HTTP/2); see
    /// [`Entry::host`].
    authority: Option<String>,
    /// The HTTP version.
    pub version: Version,
    /// Whether it arrived over TLS.
    pub secure: bool,
    /// The request headers.
    pub headers: Headers,
    /// The request body.
    pub body: Captured,
    /// The client's address.
    pub peer: SocketAddr,
    /// The reply.
    pub response: LoggedReply,
    /// From arrival to the reply being ready (before its delay).
    pub elapsed: Duration,
    /// What answered and why (shared with the log line).
    pub why: Arc<Why>,
    cost: usize,
}

/// Headers as journalled: the list as received, and a [`HeaderMap`] of them built the
/// first time it is read (the admin API's readers, matching a pattern), so that recording
/// costs no hashed map per request. A request's and its reply's headers are two ranges
/// of one list: one allocation for both. It dereferences to the map.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    list: Arc<[(HeaderName, HeaderValue)]>,
    range: std::ops::Range<usize>,
    map: OnceLock<HeaderMap>,
}

impl Headers {
    /// Two lists in one allocation: the first `split` items, and the rest.
    fn pair(list: Arc<[(HeaderName, HeaderValue)]>, split: usize) -> (Headers, Headers) {
        let end = list.len();
        let first = Headers {
            list: list.clone(),
            range: 0..split,
            map: OnceLock::new(),
        };
        let second = Headers {
            list,
            range: split..end,
            map: OnceLock::new(),
        };
        (first, second)
    }

    /// Each header in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.list[self.range.clone()].iter().map(|(n, v)| (n, v))
    }

    /// How many there are.
    pub fn count(&self) -> usize {
        self.range.len()
    }

    /// The headers as a map.
    pub fn map(&self) -> &HeaderMap {
        self.map.get_or_init(|| {
            let mut map = HeaderMap::with_capacity(self.count());
            for (n, v) in self.iter() {
                map.append(n.clone(), v.clone());
            }
            map
        })
    }
}

impl std::ops::Deref for Headers {
    type Target = HeaderMap;
    fn deref(&self) -> &HeaderMap {
        self.map()
    }
}

/// A deep copy of a request: hyper's header values and URI share its read buffer,
/// which a journal entry must not keep alive. The body (at most `max` bytes of it), the
/// path and query, and the header values are copied into one buffer of their own that
/// the copy shares, and the request's headers and the reply's (which standin built:
/// they share no buffer of hyper's) into one list: two allocations, not one per header,
/// one for the body and one for the URL. (A separate allocation for the body, freed
/// first in first out among the entry's small ones, left glibc's malloc holding about a
/// quarter more than the body's length per entry.) Names are shared: hyper makes each
/// its own (a standard one is a constant).
struct Copied {
    body: Captured,
    url: Bytes,
    headers: Headers,
    reply_headers: Headers,
}

fn copy_request(
    parts: &http::request::Parts,
    body: &[u8],
    max: usize,
    reply: &[(HeaderName, HeaderValue)],
) -> Copied {
    let headers = &parts.headers;
    let url = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    let kept = &body[..body.len().min(max)];
    let total: usize =
        headers.values().map(HeaderValue::len).sum::<usize>() + kept.len() + url.len();
    let mut buf = bytes::BytesMut::with_capacity(total);
    buf.extend_from_slice(kept);
    buf.extend_from_slice(url.as_bytes());
    for value in headers.values() {
        buf.extend_from_slice(value.as_bytes());
    }
    let buf = buf.freeze();
    let body = Captured {
        bytes: buf.slice(..kept.len()),
        size: body.len(),
    };
    let mut at = kept.len() + url.len();
    let url = buf.slice(kept.len()..at);
    // Gathered at its length first: collecting the chain straight into the `Arc` grew
    // a vector step by step.
    let mut list = Vec::with_capacity(headers.len() + reply.len());
    for (name, value) in headers {
        let end = at + value.len();
        let mut copy =
            HeaderValue::from_maybe_shared(buf.slice(at..end)).unwrap_or_else(|_| value.clone());
        copy.set_sensitive(value.is_sensitive());
        at = end;
        list.push((name.clone(), copy));
    }
    list.extend(reply.iter().cloned());
    let list: Arc<[_]> = Arc::from(list);
    let (headers, reply_headers) = Headers::pair(list, headers.len());
    Copied {
        body,
        url,
        headers,
        reply_headers,
    }
}

/// A journal entry's id: 128 random bits shown as a version 4 UUID. Kept as bits and
/// formatted when shown, so recording costs no string.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryId(u128);

impl EntryId {
    /// A new random id, with the version 4 and IETF variant bits set.
    pub fn random() -> EntryId {
        let bits: u128 = rand::random();
        let v = (bits & !(0xF_u128 << 76)) | (0x4_u128 << 76);
        EntryId((v & !(0x3_u128 << 62)) | (0x2_u128 << 62))
    }

    /// Reads `8-4-4-4-12` hexadecimal (either case); `None` for anything else.
    pub fn parse(text: &str) -> Option<EntryId> {
        let b = text.as_bytes();
        if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return None;
        }
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u128::from_str_radix(&hex, 16).ok().map(EntryId)
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            v & 0xFFFF_FFFF_FFFF
        )
    }
}

impl std::fmt::Debug for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// The heap a header map holds: its entries (hyper's buckets are about 100 bytes) and
/// their names and values.
/// What the allocator adds to each allocation: its header and the rounding of the size
/// to 16 bytes, on average (glibc's malloc).
const ALLOC: usize = 16 + 8;

/// What glibc's malloc holds beyond the bytes asked for as the journal churns (entries
/// freed first in, first out, among the request path's own short-lived allocations):
/// one part in this many. Measured as the process's RSS growth against the bytes
/// counted, with a journal kept full by 8 KiB, 1 KiB and empty bodies
/// (`bench/run.sh`'s journal case): 9 to 16 % more; counted as a fifth, so the budget
/// bounds the memory and not only the bytes.
const FRAGMENTATION: usize = 5;

fn headers_cost(headers: &Headers) -> usize {
    if headers.count() == 0 {
        return 0;
    }
    // A map's entries, its index table and the one buffer its values were copied into
    // (the map is built when first read: counted from the start, as the list's worth
    // is less); a name is counted as an allocation of its own (true of names outside
    // `http`'s standard ones; an overcount of the few bytes of a standard one).
    headers
        .iter()
        .map(|(n, v)| 112 + v.len() + n.as_str().len() + ALLOC)
        .sum::<usize>()
        + 32
        + 3 * ALLOC
}

fn why_cost(why: &Why) -> usize {
    let s = |o: &Option<String>| o.as_ref().map_or(0, |t| t.len() + ALLOC);
    // The reasons in their `Arc`.
    std::mem::size_of::<Why>()
        + 16
        + ALLOC
        + s(&why.operation)
        + s(&why.example)
        + s(&why.violations)
        + s(&why.source)
        + s(&why.stub)
        + s(&why.state)
        + why
            .near
            .iter()
            .map(|n| {
                std::mem::size_of_val(n)
                    + n.label.len()
                    + ALLOC
                    + n.reasons
                        .iter()
                        .map(|r| 24 + r.len() + ALLOC)
                        .sum::<usize>()
            })
            .sum::<usize>()
        + if why.near.is_empty() { 0 } else { ALLOC }
}

impl Entry {
    /// Captures a request and its reply, before the reply is sent. `elapsed` is the
    /// time from arrival to the reply being ready; bodies are kept up to `max_body`.
    pub fn new(
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        at: SystemTime,
        elapsed: Duration,
        max_body: usize,
    ) -> Entry {
        let why = Arc::new(reply.why.clone());
        Entry::with_why(parts, body, peer, reply, why, at, elapsed, max_body)
    }

    /// [`Entry::new`] with the reply's reasons given apart, shared rather than copied
    /// (the request path moves them out of the reply once, for the journal and the log).
    #[allow(clippy::too_many_arguments)]
    pub fn with_why(
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        why: Arc<Why>,
        at: SystemTime,
        elapsed: Duration,
        max_body: usize,
    ) -> Entry {
        // The `Host` header is among the headers: only HTTP/2's authority is kept apart.
        let authority = match parts.headers.contains_key(http::header::HOST) {
            true => None,
            false => parts.uri.authority().map(|a| a.as_str().to_string()),
        };
        let copied = copy_request(parts, body, max_body, &reply.headers);
        let response = LoggedReply {
            status: reply.status,
            status_message: reply.wire.status_message.clone(),
            headers: copied.reply_headers,
            // The reply was built by standin (example bytes rendered at load, generated
            // bodies): it shares no buffer of hyper's, so a reference does, not a copy.
            body: Captured::shared(&reply.body, max_body),
            body_file: reply.wire.body_file.clone(),
            fault: reply.wire.fault,
            delay_ms: reply.delay_ms,
        };
        let mut entry = Entry {
            id: EntryId::random(),
            seq: 0,
            at,
            method: parts.method.clone(),
            url: copied.url,
            authority,
            version: parts.version,
            secure: crate::conn::is_secure(parts),
            headers: copied.headers,
            body: copied.body,
            peer,
            response,
            elapsed,
            why,
            cost: 0,
        };
        entry.cost = entry.estimate_cost();
        entry
    }

    fn estimate_cost(&self) -> usize {
        let string = |len: usize| if len == 0 { 0 } else { len + ALLOC };
        // The entry in its `Arc` (counts and the allocation's own header) and its slot in
        // a shard's deque.
        let asked = std::mem::size_of::<Entry>()
            + 16
            + ALLOC
            + 8
            + self.url.len()
            + self.authority.as_ref().map_or(0, |h| string(h.len()))
            + headers_cost(&self.headers)
            + string(self.body.bytes.len())
            + headers_cost(&self.response.headers)
            + self.response.body.bytes.len()
            + self
                .response
                .status_message
                .as_ref()
                .map_or(0, |m| string(m.len()))
            + self
                .response
                .body_file
                .as_ref()
                .map_or(0, |p| string(p.as_os_str().len()))
            + why_cost(&self.why);
        asked + asked / FRAGMENTATION
    }

    /// The bytes this entry counts against the journal's budget.
    pub fn cost(&self) -> usize {
        self.cost
    }

    /// `https` for a request that arrived over TLS, else `http`.
    pub fn scheme(&self) -> &'static str {
        if self.secure { "https" } else { "http" }
    }

    /// The `Host` header, or the URI's authority.
    pub fn host(&self) -> Option<&str> {
        match self.headers.get(http::header::HOST) {
            Some(h) => h.to_str().ok(),
            None => self.authority.as_deref(),
        }
    }

    /// The path and query, as received.
    pub fn url(&self) -> &str {
        std::str::from_utf8(&self.url).unwrap_or("")
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        let url = self.url();
        url.split_once('?').map_or(url, |(p, _)| p)
    }

    /// The raw query, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.url().split_once('?').map(|(_, q)| q)
    }

    /// Milliseconds since the Unix epoch at arrival.
    pub fn at_unix_ms(&self) -> u64 {
        unix_ms(self.at)
    }

    /// Whether a source answered the request (see the module doc).
    pub fn was_matched(&self) -> bool {
        self.why.answerer != Kind::None
    }

    /// The request as the core sees it, rebuilt from the entry (to evaluate a request
    /// pattern, or recompute near misses). The body is the journalled one.
    pub fn request(&self) -> Request<'_> {
        Request {
            method: &self.method,
            path: self.path(),
            query: self.query(),
            headers: &self.headers,
            body: &self.body.bytes,
            now_unix_ms: self.at_unix_ms(),
            peer: Some(self.peer.ip()),
        }
    }

    /// Whether a request pattern matches the request.
    pub fn matches(&self, pattern: &RequestPattern) -> bool {
        pattern.evaluate(&self.request()).matched
    }
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

struct Shard {
    entries: VecDeque<Arc<Entry>>,
    bytes: usize,
    /// Whether any thread has recorded here (then it counts among the active shards).
    used: bool,
}

/// A journal every replica of a service writes to and reads from (a capped stream in
/// the shared store). Entries go in as WireMock `ServeEvent`s; the local [`Journal`]
/// still keeps this process's own entries for the queries a feed cannot answer.
pub trait JournalFeed: Send + Sync {
    /// Adds an event (without waiting: a full queue drops it, counted).
    fn push(&self, event: serde_json::Value);
    /// The newest events first, at most `limit`, and how many are held in all.
    fn list(&self, limit: Option<usize>) -> Result<(Vec<serde_json::Value>, usize), String>;
    /// Removes every event.
    fn clear(&self) -> Result<(), String>;
}

/// The request journal (see the module doc).
pub struct Journal {
    config: JournalConfig,
    shards: Box<[Mutex<Shard>]>,
    /// Shards some thread records to: the budget is shared among them, so one client
    /// on one worker thread still gets the whole budget.
    active: AtomicUsize,
    seq: AtomicU64,
    /// The outbound calls made after requests (callbacks, webhooks).
    calls: crate::calls::CallLog,
    /// Streams following the journal ([`Journal::follow`]): recording wakes them only
    /// when there is one, so a journal nobody follows pays one atomic load.
    followers: AtomicUsize,
    recorded: tokio::sync::Notify,
    /// A follower waits for the next entry: set by [`Follower::recorded`], taken by the
    /// first entry recorded after it, so a follower that is sending, or pausing between
    /// batches, costs the request path no wake-up (`Notify`'s lock) per entry.
    wanted: AtomicBool,
}

/// A stream following the journal; dropping it stops the wake-ups it asked for.
pub struct Follower<'a> {
    journal: &'a Journal,
}

impl Follower<'_> {
    /// Waits until an entry is recorded after this call (spurious wake-ups are
    /// harmless: read with [`Journal::since`] and wait again).
    pub fn recorded(&self) -> std::pin::Pin<Box<tokio::sync::futures::Notified<'_>>> {
        let mut notified = Box::pin(self.journal.recorded.notified());
        // Registered now, so an entry recorded before the future is polled still wakes it.
        notified.as_mut().enable();
        // Set after registering and before the caller reads what is new (its shard locks
        // order this store before any later entry's look at it).
        self.journal.wanted.store(true, Ordering::SeqCst);
        notified
    }
}

impl Drop for Follower<'_> {
    fn drop(&mut self) {
        self.journal.followers.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (len, bytes) = self.usage();
        f.debug_struct("Journal")
            .field("config", &self.config)
            .field("len", &len)
            .field("bytes", &bytes)
            .finish()
    }
}

impl Journal {
    /// An empty journal with this budget.
    pub fn new(config: JournalConfig) -> Journal {
        // Enough shards that concurrent requests rarely meet on one lock, but never
        // more than the entry budget, so each shard keeps at least one entry.
        // One shard per core: the worker threads, one per core, each record to their own.
        let wanted = std::thread::available_parallelism()
            .map_or(4, std::num::NonZero::get)
            .clamp(1, 64);
        let n = wanted.min(config.max_entries.max(1));
        let shards = (0..n)
            .map(|_| {
                Mutex::new(Shard {
                    entries: VecDeque::new(),
                    bytes: 0,
                    used: false,
                })
            })
            .collect();
        Journal {
            config,
            shards,
            active: AtomicUsize::new(0),
            seq: AtomicU64::new(0),
            calls: crate::calls::CallLog::new(config.max_body),
            followers: AtomicUsize::new(0),
            recorded: tokio::sync::Notify::new(),
            wanted: AtomicBool::new(false),
        }
    }

    /// A journal that records nothing (`--no-request-journal`).
    pub fn disabled() -> Journal {
        Journal::new(JournalConfig {
            enabled: false,
            max_entries: 1,
            max_bytes: 0,
            max_body: 0,
        })
    }

    /// Its budget.
    pub fn config(&self) -> &JournalConfig {
        &self.config
    }

    /// Whether it records (when not, the admin API says `requestJournalDisabled`).
    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
        // A panic while holding a shard cannot leave it inconsistent (pushes and pops
        // only), so a poisoned lock is used as is.
        shard.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Captures and records a request with its reply; does nothing (and copies
    /// nothing) when the journal is disabled.
    pub fn capture(
        &self,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        at: SystemTime,
        elapsed: Duration,
    ) {
        if self.enabled() {
            let why = Arc::new(reply.why.clone());
            self.capture_with(parts, body, peer, reply, &why, at, elapsed);
        }
    }

    /// [`Journal::capture`] with the reply's reasons given apart and shared; the id of
    /// the entry recorded.
    #[allow(clippy::too_many_arguments)]
    pub fn capture_with(
        &self,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        why: &Arc<Why>,
        at: SystemTime,
        elapsed: Duration,
    ) -> Option<EntryId> {
        self.capture_then(parts, body, peer, reply, why, at, elapsed, |_| {})
    }

    /// [`Journal::capture_with`], showing the entry to `then` before it is recorded
    /// (a shared journal writes it out too).
    #[allow(clippy::too_many_arguments)]
    pub fn capture_then(
        &self,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        why: &Arc<Why>,
        at: SystemTime,
        elapsed: Duration,
        then: impl FnOnce(&Entry),
    ) -> Option<EntryId> {
        if !self.enabled() {
            return None;
        }
        let entry = Entry::with_why(
            parts,
            body,
            peer,
            reply,
            why.clone(),
            at,
            elapsed,
            self.config.max_body,
        );
        let id = entry.id;
        then(&entry);
        self.record(entry);
        Some(id)
    }

    /// Records an entry, dropping the oldest of its shard past the budget.
    pub fn record(&self, mut entry: Entry) {
        if !self.enabled() {
            return;
        }
        let index = SHARD_OF_THREAD.with(|s| *s) % self.shards.len();
        let mut shard = Self::lock(&self.shards[index]);
        if !std::mem::replace(&mut shard.used, true) {
            // The budget is now shared by one more shard: the others give up their
            // excess at once (once per shard for the life of the journal), so the
            // total stays within it.
            drop(shard);
            let active = self.active.fetch_add(1, Ordering::Relaxed) + 1;
            for other in &self.shards {
                let mut other = Self::lock(other);
                Self::trim(
                    &mut other,
                    self.config.max_entries / active,
                    self.config.max_bytes / active,
                );
            }
            shard = Self::lock(&self.shards[index]);
        }
        let active = self.active.load(Ordering::Relaxed).max(1);
        let (max_entries, max_bytes) = (
            (self.config.max_entries / active).max(1),
            self.config.max_bytes / active,
        );
        if entry.cost > max_bytes {
            // Larger than a shard's share even truncated: keep it without bodies.
            entry.body.bytes = Bytes::new();
            entry.response.body.bytes = Bytes::new();
            entry.cost = entry.estimate_cost();
            if entry.cost > max_bytes {
                return;
            }
        }
        // The sequence number orders entries across shards. Each thread keeps to one
        // shard: its lock and its entries stay in that core's cache, and an evicted
        // entry is freed by the thread that allocated it (frees from another thread
        // were a fifth of a static answer's time, in the allocator).
        entry.seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let cost = entry.cost;
        shard.bytes += cost;
        shard.entries.push_back(Arc::new(entry));
        Self::trim(&mut shard, max_entries, max_bytes);
        drop(shard);
        if self.followers.load(Ordering::Relaxed) > 0
            && self.wanted.load(Ordering::Relaxed)
            && self.wanted.swap(false, Ordering::AcqRel)
        {
            self.recorded.notify_waiters();
        }
    }

    /// How many streams follow it now.
    pub fn followers(&self) -> usize {
        self.followers.load(Ordering::Relaxed)
    }

    /// The sequence number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }

    /// Starts following the journal: [`Follower::recorded`] then wakes on new entries.
    pub fn follow(&self) -> Follower<'_> {
        self.followers.fetch_add(1, Ordering::Relaxed);
        Follower { journal: self }
    }

    /// The entries numbered `seq` and later, oldest first, at most the newest `limit`;
    /// and how many were left out for the limit. Each shard is read from its newest
    /// end, so a follower that keeps up reads only what is new.
    pub fn since(&self, seq: u64, limit: usize) -> (Vec<Arc<Entry>>, usize) {
        // A shard's entries are in sequence order: what is new is counted by a binary
        // search, and only the newest `limit` of each shard are taken (under a flood, a
        // follower must not copy, sort and drop thousands of entries with the shards
        // locked against the requests recording theirs).
        let mut fresh = Vec::new();
        let mut new = 0;
        for shard in self.shards.iter() {
            let shard = Self::lock(shard);
            let from = shard.entries.partition_point(|e| e.seq < seq);
            new += shard.entries.len() - from;
            fresh.extend(shard.entries.iter().skip(from).rev().take(limit).cloned());
        }
        fresh.sort_unstable_by_key(|e| e.seq);
        let over = fresh.len().saturating_sub(limit);
        fresh.drain(..over);
        let skipped = new - fresh.len();
        (fresh, skipped)
    }

    /// Drops a shard's oldest entries until it is within these bounds.
    fn trim(shard: &mut Shard, max_entries: usize, max_bytes: usize) {
        while shard.entries.len() > max_entries.max(1) || shard.bytes > max_bytes {
            match shard.entries.pop_front() {
                Some(old) => shard.bytes -= old.cost,
                None => break,
            }
        }
    }

    /// How many entries it holds and the bytes they count.
    pub fn usage(&self) -> (usize, usize) {
        self.shards.iter().fold((0, 0), |(n, b), s| {
            let s = Self::lock(s);
            (n + s.entries.len(), b + s.bytes)
        })
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.usage().0
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, newest first.
    pub fn all(&self) -> Vec<Arc<Entry>> {
        let mut all = Vec::new();
        for shard in self.shards.iter() {
            all.extend(Self::lock(shard).entries.iter().cloned());
        }
        all.sort_unstable_by_key(|e| std::cmp::Reverse(e.seq));
        all
    }

    /// The entries that pass `keep`, newest first.
    pub fn filter(&self, keep: impl Fn(&Entry) -> bool) -> Vec<Arc<Entry>> {
        let mut all = Vec::new();
        for shard in self.shards.iter() {
            all.extend(
                Self::lock(shard)
                    .entries
                    .iter()
                    .filter(|e| keep(e))
                    .cloned(),
            );
        }
        all.sort_unstable_by_key(|e| std::cmp::Reverse(e.seq));
        all
    }

    /// Newest first: entries that arrived after `since` (all when `None`), at most
    /// `limit` (all when `None`); and how many entries there are in all.
    pub fn list(
        &self,
        limit: Option<usize>,
        since: Option<SystemTime>,
    ) -> (Vec<Arc<Entry>>, usize) {
        let all = self.all();
        let total = all.len();
        let picked = all
            .into_iter()
            .filter(|e| since.is_none_or(|s| e.at > s))
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        (picked, total)
    }

    /// The entry with this id (case-insensitive, as UUIDs are).
    pub fn get(&self, id: &str) -> Option<Arc<Entry>> {
        let id = EntryId::parse(id)?;
        self.shards
            .iter()
            .find_map(|s| Self::lock(s).entries.iter().find(|e| e.id == id).cloned())
    }

    /// Removes the entries that pass `remove`; returns them, newest first.
    pub fn remove_where(&self, remove: impl Fn(&Entry) -> bool) -> Vec<Arc<Entry>> {
        let mut removed = Vec::new();
        for shard in self.shards.iter() {
            let mut s = Self::lock(shard);
            let mut kept = VecDeque::with_capacity(s.entries.len());
            let mut bytes = 0;
            for e in s.entries.drain(..) {
                if remove(&e) {
                    removed.push(e);
                } else {
                    bytes += e.cost;
                    kept.push_back(e);
                }
            }
            s.entries = kept;
            s.bytes = bytes;
        }
        removed.sort_unstable_by_key(|e| std::cmp::Reverse(e.seq));
        removed
    }

    /// Removes the entry with this id; whether there was one.
    pub fn remove(&self, id: &str) -> bool {
        let Some(id) = EntryId::parse(id) else {
            return false;
        };
        !self.remove_where(|e| e.id == id).is_empty()
    }

    /// The outbound calls made after requests, with their answers.
    pub fn calls(&self) -> &crate::calls::CallLog {
        &self.calls
    }

    /// Removes every entry, and every outbound call recorded.
    pub fn clear(&self) {
        self.calls.clear();
        for shard in self.shards.iter() {
            let mut s = Self::lock(shard);
            s.entries = VecDeque::new();
            s.bytes = 0;
        }
    }

    /// How many entries a request pattern matches.
    pub fn count_matching(&self, pattern: &RequestPattern) -> usize {
        self.shards
            .iter()
            .map(|s| {
                Self::lock(s)
                    .entries
                    .iter()
                    .filter(|e| e.matches(pattern))
                    .count()
            })
            .sum()
    }

    /// The entries a request pattern matches, newest first.
    pub fn find_matching(&self, pattern: &RequestPattern) -> Vec<Arc<Entry>> {
        self.filter(|e| e.matches(pattern))
    }

    /// Removes the entries a request pattern matches; returns them, newest first.
    pub fn remove_matching(&self, pattern: &RequestPattern) -> Vec<Arc<Entry>> {
        self.remove_where(|e| e.matches(pattern))
    }

    /// The entries no source answered, newest first (see the module doc).
    pub fn unmatched(&self) -> Vec<Arc<Entry>> {
        self.filter(|e| !e.was_matched())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use standin_core::exchange::NearMiss;

    fn parts(method: &str, uri: &str) -> http::request::Parts {
        let (parts, ()) = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "localhost:8080")
            .header("x-id", "7")
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    fn peer() -> SocketAddr {
        "127.0.0.1:5000".parse().unwrap()
    }

    fn entry(uri: &str, body: &[u8], answerer: Kind) -> Entry {
        let mut reply = Reply::status(200);
        reply.body = Bytes::from_static(b"answer");
        reply.why.answerer = answerer;
        Entry::new(
            &parts("POST", uri),
            &Bytes::copy_from_slice(body),
            peer(),
            &reply,
            SystemTime::now(),
            Duration::from_micros(10),
            16,
        )
    }

    fn config(entries: usize, bytes: usize) -> JournalConfig {
        JournalConfig {
            enabled: true,
            max_entries: entries,
            max_bytes: bytes,
            max_body: 64,
        }
    }

    #[test]
    fn the_body_the_url_and_the_header_values_are_copied_into_one_buffer() {
        let e = entry("/a", b"0123456789", Kind::Stub);
        let body = e.body.bytes.as_ptr_range();
        let url = e.url.as_ptr_range();
        let host = e.headers.get("host").unwrap().as_bytes().as_ptr_range();
        let id = e.headers.get("x-id").unwrap().as_bytes().as_ptr_range();
        // The URL and the values follow the body in the same allocation.
        assert_eq!(url.start, body.end);
        assert_eq!(host.start, url.end);
        assert_eq!(id.start, host.end);
        assert_eq!(e.url(), "/a");
        assert_eq!(&e.body.bytes[..], b"0123456789");
        assert_eq!(e.host(), Some("localhost:8080"));
        // The request's headers and the reply's are two views of one list, each with
        // its own map.
        assert_eq!(e.headers.count(), 2);
        assert!(e.response.headers.get("host").is_none());
        assert!(e.headers.get(http::header::CONTENT_TYPE).is_none());
    }

    #[test]
    fn an_entry_keeps_the_request_the_reply_and_why() {
        let mut reply = Reply::status(404);
        reply.headers.push((
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain"),
        ));
        reply.why.near.push(NearMiss {
            answerer: Kind::Stub,
            label: "s".into(),
            distance: 0.2,
            reasons: vec!["method".into()],
        });
        let e = Entry::new(
            &parts("GET", "/a/b?x=1&y=2"),
            &Bytes::from_static(b"0123456789abcdefXYZ"),
            peer(),
            &reply,
            UNIX_EPOCH + Duration::from_millis(1234),
            Duration::from_millis(1),
            16,
        );
        assert_eq!(e.url(), "/a/b?x=1&y=2");
        assert_eq!(e.path(), "/a/b");
        assert_eq!(e.query(), Some("x=1&y=2"));
        assert_eq!(e.host(), Some("localhost:8080"));
        assert_eq!(&e.body.bytes[..], b"0123456789abcdef");
        assert_eq!(e.body.size, 19);
        assert!(e.body.truncated());
        assert_eq!(e.response.status, 404);
        assert_eq!(e.response.headers["content-type"], "text/plain");
        assert!(!e.was_matched());
        assert_eq!(e.why.near.len(), 1);
        assert_eq!(e.at_unix_ms(), 1234);
        let req = e.request();
        assert_eq!(req.path, "/a/b");
        assert_eq!(req.headers["x-id"], "7");
        assert_eq!(req.peer, Some(peer().ip()));
        assert_eq!(e.id.to_string().len(), 36);
        assert_eq!(EntryId::parse(&e.id.to_string().to_uppercase()), Some(e.id));
        assert!(e.cost() > e.url().len() + 16);
    }

    #[test]
    fn the_entry_budget_drops_the_oldest_first() {
        let j = Journal::new(config(8, 1 << 20));
        for i in 0..100 {
            j.record(entry(&format!("/n/{i}"), b"", Kind::Stub));
        }
        // One thread records to one shard, which then has the whole budget.
        let all = j.all();
        assert_eq!(all.len(), 8);
        // Newest first, and the survivors are the most recent.
        assert_eq!(all[0].url(), "/n/99");
        assert!(all.windows(2).all(|w| w[0].seq > w[1].seq));
        assert!(all.iter().all(|e| e.seq >= 92));
    }

    #[test]
    fn memory_stays_flat_under_sustained_load() {
        let budget = 256 << 10;
        let j = Journal::new(JournalConfig {
            enabled: true,
            max_entries: 10_000,
            max_bytes: budget,
            max_body: 512,
        });
        let body = vec![b'x'; 2048];
        let mut reply = Reply::status(200);
        reply.body = Bytes::from(vec![b'y'; 4096]);
        let p = parts("POST", "/load?x=1");
        let mut peak = 0;
        for i in 0..200_000u32 {
            j.capture(
                &p,
                &Bytes::copy_from_slice(&body),
                peer(),
                &reply,
                SystemTime::now(),
                Duration::ZERO,
            );
            if i % 10_000 == 0 {
                let (_, bytes) = j.usage();
                peak = peak.max(bytes);
            }
        }
        let (len, bytes) = j.usage();
        assert!(bytes <= budget, "{bytes} bytes over a budget of {budget}");
        assert!(peak <= budget);
        assert!(len > 0 && len < 10_000, "{len} entries");
        // Bodies were truncated, not dropped.
        let newest = &j.all()[0];
        assert_eq!(newest.body.bytes.len(), 512);
        assert_eq!(newest.body.size, 2048);
        assert_eq!(newest.response.body.bytes.len(), 512);
    }

    #[test]
    fn an_entry_larger_than_a_share_loses_its_bodies_not_the_budget() {
        let j = Journal::new(JournalConfig {
            enabled: true,
            max_entries: 1,
            max_bytes: 2400,
            max_body: 1 << 20,
        });
        let big = Entry::new(
            &parts("POST", "/big"),
            &Bytes::from(vec![b'z'; 4000]),
            peer(),
            &Reply::status(200),
            SystemTime::now(),
            Duration::ZERO,
            1 << 20,
        );
        assert!(big.cost() > 4000);
        j.record(big);
        let (len, bytes) = j.usage();
        assert_eq!(len, 1);
        assert!(bytes <= 2400);
        let kept = &j.all()[0];
        assert!(kept.body.bytes.is_empty());
        assert_eq!(kept.body.size, 4000);
        assert!(kept.body.truncated());
    }

    #[test]
    fn a_disabled_journal_records_nothing() {
        let j = Journal::disabled();
        j.record(entry("/x", b"", Kind::Stub));
        assert!(!j.enabled());
        assert!(j.is_empty());
    }

    #[test]
    fn list_get_remove_clear() {
        let j = Journal::new(config(100, 1 << 20));
        let mut old = entry("/old", b"", Kind::Stub);
        old.at = UNIX_EPOCH + Duration::from_secs(10);
        j.record(old);
        for i in 0..5 {
            j.record(entry(&format!("/r/{i}"), b"", Kind::Stub));
        }
        let (page, total) = j.list(Some(2), None);
        assert_eq!(total, 6);
        assert_eq!(
            page.iter().map(|e| e.url()).collect::<Vec<_>>(),
            ["/r/4", "/r/3"]
        );
        let (recent, _) = j.list(None, Some(UNIX_EPOCH + Duration::from_secs(20)));
        assert_eq!(recent.len(), 5);
        let id = recent[1].id.to_string();
        assert_eq!(j.get(&id.to_uppercase()).unwrap().url(), "/r/3");
        assert!(j.remove(&id));
        assert!(!j.remove(&id));
        assert!(j.get(&id).is_none());
        assert_eq!(j.len(), 5);
        j.clear();
        assert!(j.is_empty());
        assert_eq!(j.usage(), (0, 0));
    }

    #[test]
    fn patterns_count_find_and_remove() {
        let j = Journal::new(config(100, 1 << 20));
        j.record(entry("/a", b"{\"k\":1}", Kind::Stub));
        j.record(entry("/a", b"{\"k\":2}", Kind::None));
        j.record(entry("/b", b"", Kind::OpenApi));
        let on_a = RequestPattern::parse(&json!({"method": "POST", "url": "/a"}), "").unwrap();
        assert_eq!(j.count_matching(&on_a), 2);
        assert_eq!(j.find_matching(&on_a).len(), 2);
        let unmatched = j.unmatched();
        assert_eq!(unmatched.len(), 1);
        assert_eq!(&unmatched[0].body.bytes[..], b"{\"k\":2}");
        assert_eq!(j.remove_matching(&on_a).len(), 2);
        assert_eq!(j.len(), 1);
        assert_eq!(j.all()[0].url(), "/b");
    }

    #[test]
    fn concurrent_recording_keeps_every_entry_within_budget() {
        let j = Arc::new(Journal::new(config(100_000, 64 << 20)));
        std::thread::scope(|s| {
            for t in 0..4 {
                let j = j.clone();
                s.spawn(move || {
                    for i in 0..1000 {
                        j.record(entry(&format!("/t{t}/{i}"), b"", Kind::Stub));
                    }
                });
            }
        });
        let all = j.all();
        assert_eq!(all.len(), 4000);
        let mut seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
        seqs.dedup();
        assert_eq!(seqs.len(), 4000);
    }

    #[test]
    fn since_reads_what_is_new_oldest_first_and_counts_what_it_leaves_out() {
        let j = Journal::new(config(100, 1 << 20));
        for i in 0..5 {
            j.record(entry(&format!("/{i}"), b"", Kind::Stub));
        }
        assert_eq!(j.next_seq(), 5);
        let (fresh, skipped) = j.since(2, 10);
        let urls: Vec<&str> = fresh.iter().map(|e| e.url()).collect();
        assert_eq!((urls, skipped), (vec!["/2", "/3", "/4"], 0));
        let (fresh, skipped) = j.since(0, 2);
        let urls: Vec<&str> = fresh.iter().map(|e| e.url()).collect();
        assert_eq!((urls, skipped), (vec!["/3", "/4"], 3));
        assert!(j.since(5, 10).0.is_empty());
    }

    #[test]
    fn since_across_shards_keeps_the_newest_and_counts_the_rest() {
        let j = Arc::new(Journal::new(config(1000, 1 << 24)));
        // Each thread records into a shard of its own, one after the other: the
        // sequence numbers interleave across the shards.
        for round in 0..3 {
            for t in 0..4 {
                let j = j.clone();
                std::thread::spawn(move || {
                    j.record(entry(&format!("/{round}-{t}"), b"", Kind::Stub));
                })
                .join()
                .unwrap();
            }
        }
        let (fresh, skipped) = j.since(2, 4);
        let urls: Vec<&str> = fresh.iter().map(|e| e.url()).collect();
        assert_eq!(urls, vec!["/2-0", "/2-1", "/2-2", "/2-3"]);
        assert_eq!(skipped, 6);
        let (fresh, skipped) = j.since(10, 4);
        assert_eq!((fresh.len(), skipped), (2, 0));
    }

    #[tokio::test]
    async fn a_follower_is_woken_by_an_entry_recorded_after_it_asked() {
        let j = Journal::new(config(100, 1 << 20));
        let follower = j.follow();
        let woken = follower.recorded();
        // Recorded before the wait is polled: the wake-up is not lost.
        j.record(entry("/a", b"", Kind::Stub));
        tokio::time::timeout(Duration::from_secs(1), woken)
            .await
            .expect("woken");
        drop(follower);
        assert_eq!(j.followers.load(Ordering::Relaxed), 0);
    }
}
