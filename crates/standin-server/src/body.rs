//! The body of a reply on the wire: bytes already in memory, a file streamed from disk,
//! or either of them dribbled out in timed pieces (WireMock's `chunkedDribbleDelay`),
//! or pieces handed over a channel as they are produced (the admin API's event stream),
//! or another body passed on as it arrives (an upstream's answer, `crate::forward`).
//!
//! [`ReplyBody`] implements `http_body::Body`, so hyper sends it as it is produced. Bytes
//! and files have an exact size, so hyper sends `Content-Length`; a dribbled body has
//! none, so it goes out chunked (as WireMock sends it), one HTTP chunk per piece at least.
//!
//! A file is opened when the reply is sent ([`open`], [`ReplyBody::for_reply`]), so an
//! error opening it is known before the head goes out and can be answered as a problem.
//! It is then read in pieces of at most [`FILE_CHUNK`] bytes, never whole, and exactly as
//! many bytes as its size when it was opened: a file that shrinks meanwhile ends the body
//! with an error (hyper then cuts the connection rather than send a short body).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use standin_core::exchange::{Dribble, Wire};
use tokio::time::Sleep;

/// The most read from a file at a time.
pub const FILE_CHUNK: usize = 64 * 1024;

/// A reply's body. Build it with [`ReplyBody::full`], [`open`] or [`ReplyBody::for_reply`].
pub struct ReplyBody {
    kind: Kind,
    /// Dropped with the body, once hyper is done with it: what waits for the answer to
    /// be sent (outbound callbacks) then goes on.
    sent: Vec<tokio::sync::oneshot::Sender<()>>,
}

enum Kind {
    /// Bytes in memory, sent as one frame.
    Full(Option<Bytes>),
    /// A file, read as it is sent.
    File(FileSource),
    /// A source sent in timed pieces.
    Dribble(Box<Dribbling>),
    /// Pieces sent as they arrive; the body ends when every sender is gone.
    Channel(tokio::sync::mpsc::Receiver<Bytes>),
    /// Another body, passed on frame by frame.
    Passed(Passed),
}

/// A body passed on as it arrives.
pub type Passed =
    http_body_util::combinators::UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

impl fmt::Debug for ReplyBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Full(b) => f
                .debug_struct("Full")
                .field("len", &b.as_ref().map_or(0, Bytes::len))
                .finish(),
            Kind::File(file) => f
                .debug_struct("File")
                .field("path", &file.path)
                .field("remaining", &file.remaining)
                .finish(),
            Kind::Dribble(d) => f
                .debug_struct("Dribble")
                .field("chunks", &d.chunks)
                .field("started", &d.started)
                .field("interval", &d.interval)
                .finish(),
            Kind::Channel(_) => f.debug_struct("Channel").finish_non_exhaustive(),
            Kind::Passed(_) => f.debug_struct("Passed").finish_non_exhaustive(),
        }
    }
}

/// Opens `path` to be sent as a body. Fails (before anything is sent) when it cannot be
/// opened or is not a regular file; the error message names the path.
pub async fn open(path: &Path) -> io::Result<ReplyBody> {
    Ok(ReplyBody {
        kind: Kind::File(FileSource::open(path).await?),
        sent: Vec::new(),
    })
}

impl ReplyBody {
    /// Bytes in memory: one frame and an exact size, as `http_body_util::Full` would.
    pub fn full(bytes: Bytes) -> ReplyBody {
        ReplyBody {
            kind: Kind::Full(Some(bytes)),
            sent: Vec::new(),
        }
    }

    /// A signal that fires (its sender dropped) when this body is done with: sent
    /// whole, or abandoned with its connection.
    pub fn when_sent(&mut self) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.sent.push(tx);
        rx
    }

    /// A body of the pieces `rx` receives, each sent as it comes (chunked: no size is
    /// known), ending when the sender is dropped.
    pub fn channel(rx: tokio::sync::mpsc::Receiver<Bytes>) -> ReplyBody {
        ReplyBody {
            kind: Kind::Channel(rx),
            sent: Vec::new(),
        }
    }

    /// `body` passed on frame by frame as it arrives; its size hint is kept (so an
    /// exact one still sends `Content-Length`), an error ends the body (hyper then cuts
    /// the connection rather than send a short body).
    pub fn passed(body: Passed) -> ReplyBody {
        ReplyBody {
            kind: Kind::Passed(body),
            sent: Vec::new(),
        }
    }

    /// An empty body.
    pub fn empty() -> ReplyBody {
        ReplyBody::full(Bytes::new())
    }

    /// The body a reply describes: `wire.body_file` streamed if set, `body` otherwise;
    /// dribbled if `wire.dribble` is set. Fails only when the file cannot be opened. The
    /// fault of `wire` is not the body's business (see `conn`).
    pub async fn for_reply(wire: &Wire, body: Bytes) -> io::Result<ReplyBody> {
        let base = match &wire.body_file {
            // Boxed: the file's future would make every reply's future larger.
            Some(path) => Box::pin(open(path)).await?,
            None => ReplyBody::full(body),
        };
        Ok(match wire.dribble {
            Some(d) => base.dribbled(d),
            None => base,
        })
    }

    /// Keeps `token` alive as long as this body when it is dribbled (the waits between
    /// its pieces are the server's, and the token says so to the connection's idle
    /// timeout); other bodies drop it at once.
    pub fn holding(mut self, token: Box<dyn Send + Sync>) -> ReplyBody {
        if let Kind::Dribble(d) = &mut self.kind {
            d.held = Some(token);
        }
        self
    }

    /// This body sent in `d.chunks` pieces, `d.total_ms / chunks` apart, each piece
    /// preceded by that wait, as WireMock does: pieces of `len / chunks` bytes, the last
    /// one taking the remainder; never more pieces than bytes; an empty body is sent at
    /// once. A piece larger than [`FILE_CHUNK`] read from a file goes out in several
    /// frames without a wait between them.
    pub fn dribbled(self, d: Dribble) -> ReplyBody {
        let (source, len) = match self.kind {
            Kind::Full(b) => {
                let b = b.unwrap_or_default();
                let len = b.len() as u64;
                (Source::Bytes(b), len)
            }
            Kind::File(f) => {
                let len = f.remaining;
                (Source::File(f), len)
            }
            // Dribbling twice keeps the first schedule; a stream is not dribbled.
            Kind::Dribble(_) | Kind::Channel(_) | Kind::Passed(_) => return self,
        };
        if len == 0 {
            return ReplyBody::empty();
        }
        let chunks = u64::from(d.chunks.max(1)).min(len);
        ReplyBody {
            kind: Kind::Dribble(Box::new(Dribbling {
                source,
                len,
                piece: len / chunks,
                chunks,
                started: 0,
                in_chunk: 0,
                interval: Duration::from_millis(d.total_ms / chunks),
                sleep: None,
                held: None,
            })),
            sent: self.sent,
        }
    }
}

impl From<Bytes> for ReplyBody {
    fn from(bytes: Bytes) -> ReplyBody {
        ReplyBody::full(bytes)
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Full(b) => Poll::Ready(
                b.take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            Kind::File(f) => f
                .poll_piece(cx, FILE_CHUNK)
                .map(|r| r.map(|r| r.map(Frame::data))),
            Kind::Dribble(d) => d.poll_piece(cx).map(|r| r.map(|r| r.map(Frame::data))),
            Kind::Channel(rx) => rx.poll_recv(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
            Kind::Passed(b) => Pin::new(b)
                .poll_frame(cx)
                .map(|f| f.map(|f| f.map_err(io::Error::other))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(b) => b.as_ref().is_none_or(Bytes::is_empty),
            Kind::File(f) => f.remaining == 0,
            Kind::Dribble(d) => d.started == d.chunks && d.in_chunk == 0,
            Kind::Channel(_) => false,
            Kind::Passed(b) => b.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::File(f) => SizeHint::with_exact(f.remaining),
            Kind::Dribble(d) => {
                // The size is known, but an exact hint would make hyper send Content-Length
                // and a dribble goes out chunked, as WireMock sends it.
                let mut hint = SizeHint::new();
                hint.set_lower(d.len);
                hint
            }
            Kind::Channel(_) => SizeHint::new(),
            Kind::Passed(b) => b.size_hint(),
        }
    }
}

/// A file being sent.
struct FileSource {
    file: tokio::fs::File,
    /// For error messages.
    path: PathBuf,
    /// Bytes still to send, out of the size the file had when opened.
    remaining: u64,
    /// Where the next piece is read; refilled when a piece is handed out.
    buf: BytesMut,
}

impl FileSource {
    async fn open(path: &Path) -> io::Result<FileSource> {
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        let file = tokio::fs::File::open(path).await.map_err(named)?;
        let meta = file.metadata().await.map_err(named)?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: not a regular file", path.display()),
            ));
        }
        Ok(FileSource {
            file,
            path: path.to_path_buf(),
            remaining: meta.len(),
            buf: BytesMut::new(),
        })
    }

    /// The next piece of at most `max` bytes (and at most what is left), or `None` once
    /// the size the file had when opened is sent.
    fn poll_piece(&mut self, cx: &mut Context<'_>, max: usize) -> Poll<Option<io::Result<Bytes>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(max);
        if self.buf.capacity() < want {
            self.buf.reserve(want);
        }
        let mut limited = (&mut self.buf).limit(want);
        let n = match ready!(tokio_util::io::poll_read_buf(
            Pin::new(&mut self.file),
            cx,
            &mut limited
        )) {
            Ok(n) => n,
            Err(e) => {
                self.remaining = 0;
                return Poll::Ready(Some(Err(io::Error::new(
                    e.kind(),
                    format!("reading {}: {e}", self.path.display()),
                ))));
            }
        };
        if n == 0 {
            let missing = self.remaining;
            self.remaining = 0;
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{}: the file shrank while it was sent, {missing} bytes short",
                    self.path.display()
                ),
            ))));
        }
        self.remaining -= n as u64;
        Poll::Ready(Some(Ok(self.buf.split().freeze())))
    }
}

/// What a dribble sends.
enum Source {
    Bytes(Bytes),
    File(FileSource),
}

/// A body on a schedule: `chunks` pieces of `piece` bytes (the last with the
/// remainder), each after a wait of `interval`.
struct Dribbling {
    source: Source,
    /// The whole length.
    len: u64,
    /// The length of every piece but the last.
    piece: u64,
    /// How many pieces (1 ..= len).
    chunks: u64,
    /// Pieces started so far.
    started: u64,
    /// Bytes of the current piece still to send.
    in_chunk: u64,
    interval: Duration,
    /// The wait before the next piece, once started.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Kept until the body is dropped ([`ReplyBody::holding`]).
    held: Option<Box<dyn Send + Sync>>,
}

impl Dribbling {
    fn poll_piece(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        if self.in_chunk == 0 {
            if self.started == self.chunks {
                return Poll::Ready(None);
            }
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(self.interval)));
            ready!(sleep.as_mut().poll(cx));
            self.sleep = None;
            self.started += 1;
            self.in_chunk = if self.started == self.chunks {
                self.len - self.piece * (self.chunks - 1)
            } else {
                self.piece
            };
        }
        let max = usize::try_from(self.in_chunk).unwrap_or(usize::MAX);
        let piece = match &mut self.source {
            Source::Bytes(b) => {
                let n = max.min(b.len());
                Some(Ok(b.split_to(n)))
            }
            Source::File(f) => ready!(f.poll_piece(cx, max.min(FILE_CHUNK))),
        };
        match &piece {
            Some(Ok(b)) if !b.is_empty() => self.in_chunk -= b.len() as u64,
            // The source ended or failed: nothing more is sent.
            _ => {
                self.in_chunk = 0;
                self.started = self.chunks;
            }
        }
        Poll::Ready(piece.filter(|p| !matches!(p, Ok(b) if b.is_empty())))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::time::Duration;

    use bytes::Bytes;
    use http::{Request, Response};
    use http_body::Body;
    use http_body_util::BodyExt;
    use hyper::body::Incoming;
    use standin_core::exchange::{Dribble, Wire};
    use tokio::net::TcpStream;

    use super::{FILE_CHUNK, ReplyBody, open};
    use crate::conn::test_support::{get, start};
    use crate::conn::{Control, Faulted};

    /// Every frame of `body`, in order, with the (virtual) time each arrived at.
    async fn frames(mut body: ReplyBody) -> Vec<(Bytes, Duration)> {
        let started = tokio::time::Instant::now();
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let data = frame.expect("a frame").into_data().expect("a data frame");
            out.push((data, started.elapsed()));
        }
        out
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write temp file");
        f.flush().expect("flush temp file");
        f
    }

    #[tokio::test]
    async fn full_is_one_frame_of_exact_size() {
        let body = ReplyBody::full(Bytes::from_static(b"hello"));
        assert_eq!(body.size_hint().exact(), Some(5));
        assert!(!body.is_end_stream());
        let got = frames(body).await;
        assert_eq!(got.len(), 1);
        assert_eq!(&got[0].0[..], b"hello");
    }

    #[tokio::test]
    async fn a_channel_sends_each_piece_and_ends_with_its_sender() {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let body = ReplyBody::channel(rx);
        assert_eq!(body.size_hint().exact(), None);
        tx.send(Bytes::from_static(b"one")).await.unwrap();
        tx.send(Bytes::from_static(b"two")).await.unwrap();
        drop(tx);
        let got: Vec<Bytes> = frames(body).await.into_iter().map(|f| f.0).collect();
        assert_eq!(
            got,
            [Bytes::from_static(b"one"), Bytes::from_static(b"two")]
        );
    }

    #[tokio::test]
    async fn empty_is_at_its_end_already() {
        let body = ReplyBody::empty();
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
        assert!(frames(body).await.is_empty());
    }

    #[tokio::test]
    async fn a_file_streams_in_bounded_pieces_of_its_size() {
        let content = pattern(3 * FILE_CHUNK + 17);
        let f = temp_file(&content);
        let body = open(f.path()).await.expect("open");
        assert_eq!(body.size_hint().exact(), Some(content.len() as u64));
        let got = frames(body).await;
        assert!(got.len() >= 4, "{} frames", got.len());
        assert!(got.iter().all(|(b, _)| b.len() <= FILE_CHUNK));
        let joined: Vec<u8> = got.iter().flat_map(|(b, _)| b.to_vec()).collect();
        assert_eq!(joined, content);
    }

    #[tokio::test]
    async fn a_missing_file_fails_to_open_naming_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("absent.json");
        let err = open(&path).await.expect_err("no such file");
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert!(err.to_string().contains("absent.json"), "{err}");
    }

    #[tokio::test]
    async fn a_directory_is_not_a_body() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = open(dir.path()).await.expect_err("a directory");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[tokio::test]
    async fn a_file_that_shrinks_while_sent_ends_in_an_error() {
        let f = temp_file(&pattern(2 * FILE_CHUNK));
        let mut body = open(f.path()).await.expect("open");
        f.as_file().set_len(10).expect("truncate");
        let first = body.frame().await.expect("a frame").expect("data");
        assert_eq!(first.into_data().expect("data").len(), 10);
        let err = body
            .frame()
            .await
            .expect("an error frame")
            .expect_err("the file is short");
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("shrank"), "{err}");
        assert!(body.frame().await.is_none(), "nothing after the error");
    }

    #[tokio::test]
    async fn a_file_that_grows_while_sent_sends_its_size_at_opening() {
        let f = temp_file(b"0123456789");
        let body = open(f.path()).await.expect("open");
        f.as_file().write_all(b"more").expect("append");
        let joined: Vec<u8> = frames(body)
            .await
            .iter()
            .flat_map(|(b, _)| b.to_vec())
            .collect();
        assert_eq!(joined, b"0123456789");
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_splits_like_wiremock_and_waits_before_each_piece() {
        let body = ReplyBody::full(Bytes::from_static(b"0123456789")).dribbled(Dribble {
            chunks: 3,
            total_ms: 300,
        });
        assert_eq!(body.size_hint().exact(), None, "sent chunked");
        assert_eq!(body.size_hint().lower(), 10);
        let got = frames(body).await;
        let pieces: Vec<&[u8]> = got.iter().map(|(b, _)| &b[..]).collect();
        assert_eq!(pieces, [&b"012"[..], b"345", b"6789"]);
        let times: Vec<u128> = got.iter().map(|(_, t)| t.as_millis()).collect();
        assert_eq!(times, [100, 200, 300]);
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_never_sends_more_pieces_than_bytes() {
        let body = ReplyBody::full(Bytes::from_static(b"abc")).dribbled(Dribble {
            chunks: 10,
            total_ms: 90,
        });
        let got = frames(body).await;
        let times: Vec<u128> = got.iter().map(|(_, t)| t.as_millis()).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(times, [30, 60, 90]);
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_of_zero_chunks_is_one_piece() {
        let body = ReplyBody::full(Bytes::from_static(b"abc")).dribbled(Dribble {
            chunks: 0,
            total_ms: 50,
        });
        let got = frames(body).await;
        assert_eq!(got.len(), 1);
        assert_eq!(&got[0].0[..], b"abc");
        assert_eq!(got[0].1.as_millis(), 50);
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_of_an_empty_body_sends_nothing_at_once() {
        let body = ReplyBody::empty().dribbled(Dribble {
            chunks: 4,
            total_ms: 1000,
        });
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
    }

    #[tokio::test(start_paused = true)]
    async fn dribble_of_a_file_waits_per_piece_not_per_read() {
        let content = pattern(4 * FILE_CHUNK);
        let f = temp_file(&content);
        let body = open(f.path()).await.expect("open").dribbled(Dribble {
            chunks: 2,
            total_ms: 200,
        });
        let got = frames(body).await;
        assert!(got.iter().all(|(b, _)| b.len() <= FILE_CHUNK));
        let joined: Vec<u8> = got.iter().flat_map(|(b, _)| b.to_vec()).collect();
        assert_eq!(joined, content);
        // Two pieces of two reads each: the second read of a piece comes without a wait.
        let mut times: Vec<u128> = got.iter().map(|(_, t)| t.as_millis()).collect();
        times.dedup();
        assert_eq!(times, [100, 200]);
    }

    #[tokio::test]
    async fn for_reply_picks_the_file_over_the_bytes_and_dribbles_it() {
        let f = temp_file(b"from the file");
        let wire = Wire {
            body_file: Some(f.path().to_path_buf()),
            dribble: Some(Dribble {
                chunks: 2,
                total_ms: 2,
            }),
            ..Wire::default()
        };
        let body = ReplyBody::for_reply(&wire, Bytes::from_static(b"inline"))
            .await
            .expect("open");
        assert_eq!(body.size_hint().exact(), None, "dribbled");
        let got = frames(body).await;
        assert_eq!(got.len(), 2);
        let joined: Vec<u8> = got.iter().flat_map(|(b, _)| b.to_vec()).collect();
        assert_eq!(joined, b"from the file");
        let plain = ReplyBody::for_reply(&Wire::default(), Bytes::from_static(b"inline"))
            .await
            .expect("bytes");
        assert_eq!(plain.size_hint().exact(), Some(6));
        let missing = Wire {
            body_file: Some(f.path().with_extension("gone")),
            ..Wire::default()
        };
        let err = ReplyBody::for_reply(&missing, Bytes::new())
            .await
            .expect_err("missing file");
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }

    /// `/file` answers the file at `path`, `/dribble` 10 bytes in 5 pieces over 500 ms.
    async fn serve_bodies(path: std::path::PathBuf) -> std::net::SocketAddr {
        start(move |req: Request<Incoming>, _control: Control| {
            let path = path.clone();
            async move {
                let body = match req.uri().path() {
                    "/file" => open(&path).await.expect("the file opens"),
                    _ => ReplyBody::full(Bytes::from_static(b"0123456789")).dribbled(Dribble {
                        chunks: 5,
                        total_ms: 500,
                    }),
                };
                Ok::<_, Faulted>(Response::new(body))
            }
        })
        .await
    }

    #[tokio::test]
    async fn a_multi_megabyte_file_goes_out_with_its_content_length() {
        let content = pattern(5 * 1024 * 1024 + 123);
        let f = temp_file(&content);
        let addr = serve_bodies(f.path().to_path_buf()).await;
        let mut c = TcpStream::connect(addr).await.expect("connect");
        for _ in 0..2 {
            let r = get(&mut c, "/file").await;
            assert_eq!(r.status, 200);
            assert_eq!(
                r.header("content-length"),
                Some(content.len().to_string().as_str())
            );
            assert_eq!(r.header("transfer-encoding"), None);
            assert!(r.body == content, "the body is the file's content");
        }
    }

    #[tokio::test]
    async fn a_dribble_arrives_chunked_in_pieces_over_its_duration() {
        let addr = serve_bodies(std::path::PathBuf::new()).await;
        let mut c = TcpStream::connect(addr).await.expect("connect");
        let r = get(&mut c, "/dribble").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("transfer-encoding"), Some("chunked"));
        assert_eq!(r.header("content-length"), None);
        assert_eq!(r.body, b"0123456789");
        assert!(
            r.arrivals.len() >= 3,
            "pieces arrive apart: {:?}",
            r.arrivals
        );
        assert!(r.elapsed >= Duration::from_millis(500), "{:?}", r.elapsed);
    }
}
