//! One accepted connection: hyper on top, and a way for the service to reach the socket
//! underneath so that a reply can be a fault on the wire instead of an answer (WireMock's
//! `fault`).
//!
//! [`serve`] hands the accepted stream to hyper inside an IO that reads and writes it as
//! tokio does (no lock, no copy, no extra syscall). The stream is a [`Socket`]: the
//! `TcpStream` itself for plain HTTP, or TLS over it for HTTPS, each its own
//! monomorphised copy, so plain HTTP pays nothing for TLS. Each request reaches the
//! service with a [`Control`]; a service that must produce a fault calls
//! [`Control::fault`] and returns the [`Faulted`] error it gets. hyper then abandons the
//! connection without writing anything; dropping the IO hands the still-open stream
//! back to the connection's state instead of closing it, `serve_connection` returns, and
//! [`serve`] produces the fault on the socket:
//!
//! - `CONNECTION_RESET_BY_PEER`: `SO_LINGER` 0, then close: the kernel sends a TCP RST.
//! - `EMPTY_RESPONSE`: close with nothing written (a FIN).
//! - `MALFORMED_RESPONSE_CHUNK`: `HTTP/1.1 200 OK` with `Transfer-Encoding: chunked`, then
//!   a chunk whose size line is not hexadecimal, then close. Like WireMock, the stub's
//!   status and headers are not sent: WireMock sets 200 and flushes before its garbage.
//! - `RANDOM_DATA_THEN_CLOSE`: random bytes that are not a status line, then close.
//!
//! Closing after a fault that leaves the client something to read (everything but the
//! reset) shuts the write side first and reads what the client still sends for a moment:
//! closing a socket with unread input makes the kernel send a RST, which would turn an
//! empty response into a reset.
//!
//! HTTP/2 multiplexes requests over one connection, so a fault there must not end the
//! others: [`Control::fault`] on an HTTP/2 request records nothing and hyper answers the
//! service's error by resetting that one stream (`RST_STREAM` with `INTERNAL_ERROR`); every
//! fault becomes that stream reset.
//!
//! Over TLS the faults' bytes go through TLS, and a close sends `close_notify` first.
//!
//! Besides hyper, [`serve`] watches three things: the server stopping (it then asks
//! hyper to finish the requests it has and close: `Connection: close` on HTTP/1,
//! `GOAWAY` on HTTP/2), idleness (no byte read or written while the server works on no
//! request of the connection, for the idle timeout: the connection is closed) and, on
//! HTTP/2, a header block begun and not finished within the header-read timeout (the
//! connection is closed, as hyper closes an HTTP/1 connection whose head is late; the
//! IO follows the frames with [`crate::heads::HeadWatch`]). The IO counts the
//! reads and writes that moved bytes with a plain store and, on HTTP/2 only, reads the
//! frame headers as they pass: on HTTP/1 the only cost on the request path is that
//! store.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body::Body;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use standin_core::exchange::Fault;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::heads::HeadWatch;

/// How long a connection closed after a fault keeps reading what the client still sends,
/// so that the close is a FIN and not a reset (see the module docs).
const DRAIN_FOR: Duration = Duration::from_secs(1);

/// At most this much is read and discarded while draining.
const DRAIN_MAX: usize = 1024 * 1024;

/// The head of `MALFORMED_RESPONSE_CHUNK`: a chunked 200 with nothing else.
const MALFORMED_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

/// The chunk of `MALFORMED_RESPONSE_CHUNK`: its size line starts with `g`, which is not a
/// hexadecimal digit, so every HTTP client fails on it at once.
const MALFORMED_CHUNK: &[u8] = b"garbled chunk ][;'./\x01\x7f\r\n";

/// How many random bytes `RANDOM_DATA_THEN_CLOSE` writes.
const RANDOM_LEN: usize = 32;

/// The error a service returns to have its request answered by a fault. Built by
/// [`Control::fault`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faulted(pub Fault);

impl fmt::Display for Faulted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the reply is the fault {}", self.0.as_str())
    }
}

impl StdError for Faulted {}

/// A stream a connection is served over: the accepted TCP stream itself, or TLS over
/// it. Plain HTTP is served over the `TcpStream` directly, so it pays nothing for TLS.
pub trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The TCP stream underneath: socket options, a reset, draining before a close.
    fn tcp(&self) -> &TcpStream;
    /// Whether it is TLS.
    fn secure(&self) -> bool {
        false
    }
}

impl Socket for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }

    fn secure(&self) -> bool {
        true
    }
}

/// In a request's extensions when it arrived over TLS: the journal then says `https`
/// (an HTTP/1 request's URI carries no scheme).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secure;

/// Whether the request of `parts` arrived over TLS.
pub fn is_secure(parts: &http::request::Parts) -> bool {
    parts.extensions.get::<Secure>().is_some()
        || parts.uri.scheme() == Some(&http::uri::Scheme::HTTPS)
}

/// How every connection of a listener is served: the builder with the limits hyper
/// enforces, the idle timeout, and the signal to finish and close.
pub struct Settings {
    /// HTTP/1.1 and HTTP/2, with their limits ([`crate::limits::Limits::builder`]).
    pub builder: Builder<TokioExecutor>,
    /// A connection on which nothing moves while no request is being answered is closed
    /// after this long.
    pub idle_timeout: Option<Duration>,
    /// An HTTP/2 header block begun and not ended after this long closes the
    /// connection ([`crate::heads`]); hyper times HTTP/1 heads itself.
    pub header_timeout: Option<Duration>,
    /// Becomes `true` when the server stops: each connection finishes the requests it
    /// has and closes (HTTP/2: `GOAWAY`).
    pub stop: watch::Receiver<bool>,
}

impl Settings {
    /// The settings of `limits`, stopped through `stop`.
    pub fn new(limits: &crate::limits::Limits, stop: watch::Receiver<bool>) -> Settings {
        Settings {
            builder: limits.builder(),
            idle_timeout: limits.idle_timeout,
            header_timeout: limits.header_read_timeout,
            stop,
        }
    }
}

/// What every request of a connection shares.
#[derive(Debug)]
struct ConnState {
    /// The client's address.
    peer: SocketAddr,
    /// The fault to produce once hyper lets go of the connection; the first one wins.
    fault: OnceLock<Fault>,
    /// Counts the reads and writes that moved bytes; only the connection's IO writes it.
    moved: AtomicU64,
    /// Requests the server is answering (their body read, their reply not yet handed
    /// to hyper): the connection is not idle while one is.
    working: AtomicUsize,
    /// When the connection was accepted: the origin of `head_since`.
    born: Instant,
    /// Milliseconds after `born`, plus one, at which an HTTP/2 header block still open
    /// began; 0 while none is. Only the connection's IO writes it.
    head_since: AtomicU64,
}

impl ConnState {
    fn moved(&self) {
        // One writer (the IO, polled by the connection's task): no read-modify-write.
        let n = self.moved.load(Ordering::Relaxed);
        self.moved.store(n.wrapping_add(1), Ordering::Relaxed);
    }

    /// Notes whether an HTTP/2 header block is open after a read.
    fn head_open(&self, open: bool) {
        let since = self.head_since.load(Ordering::Relaxed);
        if open && since == 0 {
            let ms = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX - 1);
            self.head_since.store(ms + 1, Ordering::Relaxed);
        } else if !open && since != 0 {
            self.head_since.store(0, Ordering::Relaxed);
        }
    }

    /// Whether an HTTP/2 header block has been open for `timeout` or longer.
    fn head_overdue(&self, timeout: Duration) -> bool {
        match self.head_since.load(Ordering::Relaxed) {
            0 => false,
            since => {
                let now = u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX);
                now.saturating_add(1).saturating_sub(since)
                    >= u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)
            }
        }
    }
}

/// A request's handle on its connection, given to the service with each request.
#[derive(Debug, Clone)]
pub struct Control {
    conn: Arc<ConnState>,
    version: Version,
}

/// Held while the server works on a request: the connection is not idle meanwhile.
/// Made by [`Control::working`].
#[derive(Debug)]
pub struct Working<'a>(&'a ConnState);

impl Drop for Working<'_> {
    fn drop(&mut self) {
        self.0.working.fetch_sub(1, Ordering::Relaxed);
    }
}

/// [`Working`] that owns its hold on the connection, for a reply body that outlives the
/// service's future. Made by [`Control::held`].
#[derive(Debug)]
pub struct Held(Arc<ConnState>);

impl Drop for Held {
    fn drop(&mut self) {
        self.0.working.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Control {
    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.conn.peer
    }

    /// Marks the connection busy with this request until the guard is dropped: the idle
    /// timeout does not close a connection whose reply is being prepared (a delay, a
    /// proxied call), only one that waits on its client.
    pub fn working(&self) -> Working<'_> {
        self.conn.working.fetch_add(1, Ordering::Relaxed);
        Working(&self.conn)
    }

    /// Like [`Control::working`], held until the result is dropped: for a body whose
    /// waits are the server's (a dribble).
    pub fn held(&self) -> Held {
        self.conn.working.fetch_add(1, Ordering::Relaxed);
        Held(self.conn.clone())
    }

    /// Answers this request with `fault`: the service must return the error this gives
    /// (`return Err(control.fault(f))`). On HTTP/1 the connection ends with the fault; on
    /// HTTP/2 only the request's stream is reset (see the module docs).
    pub fn fault(&self, fault: Fault) -> Faulted {
        if self.version != Version::HTTP_2 {
            let _ = self.conn.fault.set(fault);
        }
        Faulted(fault)
    }
}

/// The IO hyper reads and writes: the accepted stream itself, so reads and writes are
/// tokio's own (a short read clears readiness without a second, failing `recvfrom`).
/// When a fault is recorded, dropping the IO hands the stream back through `released`
/// instead of closing it.
struct Io<S: Socket> {
    /// `None` only once dropped.
    stream: Option<S>,
    conn: Arc<ConnState>,
    /// Where the stream goes when the IO is dropped after a fault.
    released: Arc<Mutex<Option<S>>>,
    /// Follows HTTP/2 frames to time header blocks; off at once for HTTP/1.
    heads: HeadWatch,
}

impl<S: Socket> Io<S> {
    /// Once a fault is recorded nothing more of hyper's may reach the wire: the fault
    /// decides every byte that follows.
    fn check_writable(&self) -> io::Result<()> {
        match self.conn.fault.get() {
            Some(f) => Err(io::Error::other(Faulted(*f))),
            None => Ok(()),
        }
    }

    fn stream(&mut self) -> io::Result<Pin<&mut S>> {
        self.stream
            .as_mut()
            .map(Pin::new)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }

    /// Counts a write that moved bytes.
    fn wrote(&self, r: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        if let Poll::Ready(Ok(n)) = r
            && n > 0
        {
            self.conn.moved();
        }
        r
    }
}

impl<S: Socket> Drop for Io<S> {
    fn drop(&mut self) {
        if self.conn.fault.get().is_some()
            && let Some(stream) = self.stream.take()
        {
            *self.released.lock().unwrap_or_else(|e| e.into_inner()) = Some(stream);
        }
    }
}

impl<S: Socket> AsyncRead for Io<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = this.stream()?.poll_read(cx, buf);
        if buf.filled().len() > before {
            this.conn.moved();
            if !this.heads.is_off() {
                let open = this.heads.feed(&buf.filled()[before..]);
                this.conn.head_open(open);
            }
        }
        r
    }
}

impl<S: Socket> AsyncWrite for Io<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_writable()?;
        let r = this.stream()?.poll_write(cx, buf);
        this.wrote(r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_writable()?;
        let r = this.stream()?.poll_write_vectored(cx, bufs);
        this.wrote(r)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A TCP stream buffers nothing; TLS may hold a record back until flushed.
        self.get_mut().stream()?.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.conn.fault.get().is_some() {
            // The fault closes the connection its own way.
            return Poll::Ready(Ok(()));
        }
        this.stream()?.poll_shutdown(cx)
    }
}

/// How often a connection is looked at, per idle or header timeout (the shorter): it is
/// closed between one and `1 + 1/IDLE_CHECKS` timeouts after the last byte moved, or
/// after its HTTP/2 header block began.
const IDLE_CHECKS: u32 = 4;

/// Serves one accepted connection: HTTP/1.1 or HTTP/2 (prior knowledge, or ALPN `h2`
/// over TLS), `TCP_NODELAY` on, `svc` called with each request and its [`Control`].
/// Returns when the connection is over: the client closed it, it stayed idle past the
/// idle timeout, or the server stopped and its requests were finished; after producing
/// the fault a reply asked for, if any.
pub async fn serve<S, Sock, Fut, B>(stream: Sock, peer: SocketAddr, settings: Arc<Settings>, svc: S)
where
    Sock: Socket,
    S: Fn(Request<Incoming>, Control) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<B>, Faulted>> + Send + 'static,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let _ = stream.tcp().set_nodelay(true);
    let secure = stream.secure();
    let conn = Arc::new(ConnState {
        peer,
        fault: OnceLock::new(),
        moved: AtomicU64::new(0),
        working: AtomicUsize::new(0),
        born: Instant::now(),
        head_since: AtomicU64::new(0),
    });
    let released = Arc::new(Mutex::new(None));
    let io = TokioIo::new(Io {
        stream: Some(stream),
        conn: conn.clone(),
        released: released.clone(),
        heads: HeadWatch::default(),
    });
    let service = {
        let conn = conn.clone();
        service_fn(move |mut req: Request<Incoming>| {
            if secure {
                req.extensions_mut().insert(Secure);
            }
            let control = Control {
                conn: conn.clone(),
                version: req.version(),
            };
            svc(req, control)
        })
    };
    // The block ends with the connection, and with it the IO, dropped.
    {
        let connection = settings.builder.serve_connection(io, service);
        let mut connection = std::pin::pin!(connection);
        let mut stop = settings.stop.clone();
        let stopped = async move {
            // A sender gone without a stop is no stop.
            if stop.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        let mut stopped = std::pin::pin!(stopped);
        let mut stopping = false;
        let check_every = [settings.idle_timeout, settings.header_timeout]
            .into_iter()
            .flatten()
            .min()
            .map(|t| (t / IDLE_CHECKS).max(Duration::from_millis(10)));
        let mut ticks = tokio::time::interval(check_every.unwrap_or(Duration::from_secs(3600)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.reset();
        let (mut last, mut quiet_from) = (0u64, Instant::now());
        loop {
            tokio::select! {
                biased;
                // The connection's error is the client's doing (gone, bad request, too slow)
                // or the fault's; in either case there is no one to tell.
                _ = connection.as_mut() => break,
                _ = &mut stopped, if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
                _ = ticks.tick(), if check_every.is_some() => {
                    // Dropping the connection closes the socket.
                    if settings.header_timeout.is_some_and(|t| conn.head_overdue(t)) {
                        break;
                    }
                    let moved = conn.moved.load(Ordering::Relaxed);
                    if moved != last || conn.working.load(Ordering::Relaxed) > 0 {
                        (last, quiet_from) = (moved, Instant::now());
                    } else if settings
                        .idle_timeout
                        .is_some_and(|t| quiet_from.elapsed() >= t)
                    {
                        break;
                    }
                }
            }
        }
    }
    if let Some(fault) = conn.fault.get() {
        let released = released.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(stream) = released {
            produce(stream, *fault).await;
        }
    }
}

/// Produces `fault` on a socket nobody else uses any more (over TLS, the bytes go
/// through TLS).
async fn produce<S: Socket>(mut stream: S, fault: Fault) {
    match fault {
        Fault::ConnectionResetByPeer => {
            // Closing with a zero linger time discards what is unsent and sends a RST.
            let _ = socket2::SockRef::from(stream.tcp()).set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Fault::EmptyResponse => close(&mut stream, DRAIN_FOR).await,
        Fault::MalformedResponseChunk => {
            let mut bytes = Vec::with_capacity(MALFORMED_HEAD.len() + MALFORMED_CHUNK.len());
            bytes.extend_from_slice(MALFORMED_HEAD);
            bytes.extend_from_slice(MALFORMED_CHUNK);
            if write_all(&mut stream, &bytes).await.is_ok() {
                close(&mut stream, DRAIN_FOR).await;
            }
        }
        Fault::RandomDataThenClose => {
            if write_all(&mut stream, &random_data()).await.is_ok() {
                close(&mut stream, DRAIN_FOR).await;
            }
        }
    }
}

/// Answers a connection over the connection limit on plain HTTP: a 503 that asks the
/// client to come back, then a close.
pub async fn refuse(mut stream: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\ncontent-type: text/plain\r\ncontent-length: 45\r\n\r\nToo many connections open at once; try again.";
    if write_all(&mut stream, BUSY).await.is_ok() {
        close(&mut stream, REFUSE_DRAIN_FOR).await;
    }
}

/// How long a refused connection reads what its client still sends before closing.
const REFUSE_DRAIN_FOR: Duration = Duration::from_millis(200);

/// Random bytes that cannot begin a status line: the first one is never `H`.
fn random_data() -> [u8; RANDOM_LEN] {
    let mut data: [u8; RANDOM_LEN] = rand::random();
    if data[0] == b'H' {
        data[0] = b'h';
    }
    data
}

/// Writes all of `bytes` and flushes them.
async fn write_all<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// Ends the connection with a FIN (over TLS, a `close_notify` first): shuts the write
/// side, then reads and discards what the client still sends until it closes, for at
/// most `drain_for` and [`DRAIN_MAX`] bytes. The socket itself closes when the caller
/// drops it.
async fn close<S: Socket>(stream: &mut S, drain_for: Duration) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let tcp = stream.tcp();
    let drain = async {
        let mut buf = [0u8; 4096];
        let mut read = 0usize;
        while read < DRAIN_MAX {
            if tcp.readable().await.is_err() {
                return;
            }
            match tcp.try_read(&mut buf) {
                Ok(0) => return,
                Ok(n) => read += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    };
    let _ = tokio::time::timeout(drain_for, drain).await;
}

/// A raw HTTP/1.1 client and a server on 127.0.0.1, for this module's tests and
/// `body`'s.
#[cfg(test)]
pub(crate) mod test_support {
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use bytes::Bytes;
    use http::{Request, Response};
    use hyper::body::Incoming;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::{Control, Faulted};
    use crate::body::ReplyBody;

    /// Serves every connection accepted on a fresh port with `svc`; returns the address.
    pub(crate) async fn start<S, Fut>(svc: S) -> SocketAddr
    where
        S: Fn(Request<Incoming>, Control) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<ReplyBody>, Faulted>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            // Never stopped: the sender lives as long as the loop.
            let (_stop, stopped) = tokio::sync::watch::channel(false);
            let settings = std::sync::Arc::new(super::Settings::new(
                &crate::limits::Limits::default(),
                stopped,
            ));
            while let Ok((stream, peer)) = listener.accept().await {
                tokio::spawn(super::serve(stream, peer, settings.clone(), svc.clone()));
            }
        });
        addr
    }

    /// Sends `GET path` on `stream` (keep-alive).
    pub(crate) async fn send_get(stream: &mut TcpStream, path: &str) {
        let req = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
        stream
            .write_all(req.as_bytes())
            .await
            .expect("write request");
    }

    /// Reads until the peer closes: what arrived, and how the reading ended.
    pub(crate) async fn read_until_closed(
        stream: &mut TcpStream,
    ) -> (Vec<u8>, std::io::Result<()>) {
        let mut got = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
                Err(_) => panic!("the server neither answered nor closed within 10 s"),
                Ok(Ok(0)) => return (got, Ok(())),
                Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
                Ok(Err(e)) => return (got, Err(e)),
            }
        }
    }

    /// A response read off the wire.
    #[derive(Debug)]
    pub(crate) struct Raw {
        pub(crate) status: u16,
        /// Header names lower-cased.
        pub(crate) headers: Vec<(String, String)>,
        pub(crate) body: Vec<u8>,
        /// When each read that carried body bytes returned, from the request's sending.
        pub(crate) arrivals: Vec<Duration>,
        /// From sending the request to the body's end.
        pub(crate) elapsed: Duration,
    }

    impl Raw {
        pub(crate) fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }
    }

    /// Sends `GET path` and reads one response (Content-Length or chunked), leaving the
    /// connection open.
    pub(crate) async fn get(stream: &mut TcpStream, path: &str) -> Raw {
        let sent = Instant::now();
        send_get(stream, path).await;
        let mut reader = Reader {
            stream,
            buf: Vec::new(),
            sent,
            arrivals: Vec::new(),
        };
        let head_end = loop {
            if let Some(i) = find(&reader.buf, b"\r\n\r\n") {
                break i;
            }
            reader.fill().await;
        };
        let head = String::from_utf8(reader.buf[..head_end].to_vec()).expect("UTF-8 head");
        reader.buf.drain(..head_end + 4);
        reader.arrivals.clear();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().expect("status line");
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .map(|l| {
                let (n, v) = l.split_once(':').expect("header line");
                (n.trim().to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        let raw = Raw {
            status,
            headers,
            body: Vec::new(),
            arrivals: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let body = if let Some(len) = raw.header("content-length") {
            let len: usize = len.parse().expect("Content-Length");
            while reader.buf.len() < len {
                reader.fill().await;
            }
            reader.buf.drain(..len).collect()
        } else if raw.header("transfer-encoding") == Some("chunked") {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = find(&reader.buf, b"\r\n") {
                        break i;
                    }
                    reader.fill().await;
                };
                let size_text = String::from_utf8_lossy(&reader.buf[..line_end]).to_string();
                let size = usize::from_str_radix(size_text.trim(), 16)
                    .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
                reader.buf.drain(..line_end + 2);
                while reader.buf.len() < size + 2 {
                    reader.fill().await;
                }
                body.extend(reader.buf.drain(..size));
                reader.buf.drain(..2);
                if size == 0 {
                    break body;
                }
            }
        } else {
            Vec::new()
        };
        assert!(reader.buf.is_empty(), "bytes after the response");
        Raw {
            body,
            arrivals: reader.arrivals,
            elapsed: sent.elapsed(),
            ..raw
        }
    }

    struct Reader<'a> {
        stream: &'a mut TcpStream,
        buf: Vec<u8>,
        sent: Instant,
        arrivals: Vec<Duration>,
    }

    impl Reader<'_> {
        async fn fill(&mut self) {
            let mut chunk = vec![0u8; 256 * 1024];
            let n = tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk))
                .await
                .expect("a response within 10 s")
                .expect("read the response");
            assert!(n > 0, "the server closed in the middle of a response");
            self.buf.extend_from_slice(&chunk[..n]);
            self.arrivals.push(self.sent.elapsed());
        }
    }

    pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    /// A 200 with `body`.
    pub(crate) fn ok(body: impl Into<Bytes>) -> Response<ReplyBody> {
        Response::new(ReplyBody::full(body.into()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::{Request, Response};
    use hyper::body::Incoming;
    use standin_core::exchange::Fault;
    use tokio::net::TcpStream;

    use super::test_support::{find, get, ok, read_until_closed, send_get, start};
    use super::{Control, Faulted};
    use crate::body::ReplyBody;

    /// `/ok` answers "hello", `/peer` the client's address, `/fault/NAME` the fault NAME;
    /// `?slow` waits 100 ms first.
    async fn service(
        req: Request<Incoming>,
        control: Control,
    ) -> Result<Response<ReplyBody>, Faulted> {
        if req.uri().query() == Some("slow") {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let path = req.uri().path();
        if let Some(name) = path.strip_prefix("/fault/") {
            let fault = Fault::parse(name).expect("a fault name");
            return Err(control.fault(fault));
        }
        if path == "/peer" {
            return Ok(ok(control.peer().to_string()));
        }
        Ok(ok("hello"))
    }

    async fn connect() -> TcpStream {
        let addr = start(service).await;
        TcpStream::connect(addr).await.expect("connect")
    }

    #[tokio::test]
    async fn two_requests_on_one_connection_are_both_answered() {
        let mut c = connect().await;
        for _ in 0..2 {
            let r = get(&mut c, "/ok").await;
            assert_eq!(r.status, 200);
            assert_eq!(r.header("content-length"), Some("5"));
            assert_eq!(r.body, b"hello");
        }
    }

    #[tokio::test]
    async fn control_knows_the_peer() {
        let mut c = connect().await;
        let local = c.local_addr().expect("local address");
        let r = get(&mut c, "/peer").await;
        assert_eq!(String::from_utf8_lossy(&r.body), local.to_string());
    }

    #[tokio::test]
    async fn connection_reset_by_peer_is_a_tcp_reset() {
        let mut c = connect().await;
        send_get(&mut c, "/fault/CONNECTION_RESET_BY_PEER").await;
        let (got, end) = read_until_closed(&mut c).await;
        assert!(got.is_empty(), "nothing before the reset, got {got:?}");
        let err = end.expect_err("a reset, not a clean close");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
    }

    #[tokio::test]
    async fn empty_response_closes_without_a_byte() {
        let mut c = connect().await;
        send_get(&mut c, "/fault/EMPTY_RESPONSE").await;
        let (got, end) = read_until_closed(&mut c).await;
        end.expect("a clean close (FIN), not a reset");
        assert!(got.is_empty(), "no bytes, got {got:?}");
    }

    #[tokio::test]
    async fn malformed_response_chunk_sends_a_head_then_a_broken_chunk() {
        let mut c = connect().await;
        send_get(&mut c, "/fault/MALFORMED_RESPONSE_CHUNK").await;
        let (got, end) = read_until_closed(&mut c).await;
        end.expect("a clean close after the garbage");
        let head_end = find(&got, b"\r\n\r\n").expect("a complete head");
        let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200 ok\r\n"), "{head}");
        assert!(head.contains("transfer-encoding: chunked"), "{head}");
        let chunk = &got[head_end + 4..];
        assert!(!chunk.is_empty(), "a chunk follows the head");
        assert!(
            !chunk[0].is_ascii_hexdigit(),
            "the chunk's size line must not parse: {chunk:?}"
        );
    }

    #[tokio::test]
    async fn random_data_then_close_is_not_a_response() {
        let mut c = connect().await;
        send_get(&mut c, "/fault/RANDOM_DATA_THEN_CLOSE").await;
        let (got, end) = read_until_closed(&mut c).await;
        end.expect("a clean close after the data");
        assert!(!got.is_empty(), "some data comes first");
        assert!(!got.starts_with(b"HTTP/"), "not a status line: {got:?}");
    }

    #[tokio::test]
    async fn a_fault_after_an_answer_keeps_the_answer() {
        let mut c = connect().await;
        let r = get(&mut c, "/ok").await;
        assert_eq!(r.body, b"hello");
        send_get(&mut c, "/fault/CONNECTION_RESET_BY_PEER").await;
        let (got, end) = read_until_closed(&mut c).await;
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(
            end.expect_err("a reset").kind(),
            std::io::ErrorKind::ConnectionReset
        );
    }

    #[tokio::test]
    async fn after_a_fault_the_server_reads_on_until_the_client_is_done() {
        // A socket closed with input still arriving answers it with a reset, which can
        // destroy what the fault sent; the server half-closes and reads on instead, so the
        // client may still write after the FIN.
        use tokio::io::AsyncWriteExt;
        let mut c = connect().await;
        send_get(&mut c, "/fault/RANDOM_DATA_THEN_CLOSE").await;
        let (got, end) = read_until_closed(&mut c).await;
        end.expect("a clean close");
        assert!(!got.is_empty());
        for i in 0..3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            c.write_all(b"more input\r\n")
                .await
                .unwrap_or_else(|e| panic!("write {i} after the FIN: {e}"));
        }
        c.shutdown().await.expect("client half close");
    }

    #[tokio::test]
    async fn http2_fault_resets_the_stream_and_the_connection_serves_on() {
        use http_body_util::{BodyExt, Empty};
        use hyper_util::rt::{TokioExecutor, TokioIo};

        let addr = start(service).await;
        let tcp = TcpStream::connect(addr).await.expect("connect");
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp))
                .await
                .expect("h2 handshake");
        tokio::spawn(conn);
        let req = |path: &str| {
            Request::get(format!("http://{addr}{path}"))
                .body(Empty::<bytes::Bytes>::new())
                .expect("request")
        };
        let err = sender
            .send_request(req("/fault/CONNECTION_RESET_BY_PEER"))
            .await
            .expect_err("the stream is reset");
        let text = format!("{err:?}");
        assert!(text.contains("INTERNAL_ERROR"), "{text}");
        let resp = sender.send_request(req("/ok")).await.expect("answered");
        assert_eq!(resp.status(), 200);
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&body[..], b"hello");
    }
}
