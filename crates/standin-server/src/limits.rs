//! What a client may send and hold: the limits of every listener, each with its default
//! and the answer a client gets past it.
//!
//! hyper enforces most of them while it parses (the head size, the header count, the
//! header-read timeout, HTTP/2 streams and header lists); [`Limits::builder`] sets them
//! on the connection builder every connection shares. What hyper cannot tell apart, a
//! URI that is long but fits in the head, [`Limits::check`] answers with a 414 before
//! the request's body is read. The connection limit belongs to the accept loop
//! (`server.rs`) and the idle timeout to the connection (`conn.rs`).

use std::time::Duration;

use http::Version;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;

/// hyper's own header count on HTTP/1: kept on the stack, so it costs nothing; any other
/// count puts the parsed headers on the heap for every request.
pub const HYPER_MAX_HEADERS: usize = 100;

/// The smallest head limit hyper's HTTP/1 read buffer takes.
pub const MIN_HEADER_BYTES: usize = 8192;

/// The limits of every listener of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest request body, in bytes: past it, 413.
    pub max_body: usize,
    /// The longest request target (path and query), in bytes: past it, 414.
    pub max_uri: usize,
    /// The largest request head (HTTP/1: request line and headers; HTTP/2: the header
    /// list as RFC 9113 counts it), in bytes: past it, 431. At least
    /// [`MIN_HEADER_BYTES`].
    pub max_header_bytes: usize,
    /// The most header fields of a request: past it, 431.
    pub max_headers: usize,
    /// The most connections open at once, over every listener: past it a new
    /// connection gets a 503 (plain HTTP) or is closed (HTTPS) at once.
    pub max_connections: usize,
    /// How long an HTTP/1 client has to send a complete request head, from when the
    /// server starts waiting for it (so it also bounds the wait for the next request on
    /// a kept-alive connection), and a TLS client to finish its handshake. `None`: no
    /// limit.
    pub header_read_timeout: Option<Duration>,
    /// A connection on which no byte moves while no request is being answered is
    /// closed after this long. `None`: never.
    pub idle_timeout: Option<Duration>,
    /// The most HTTP/2 streams a client may have open on one connection; more are
    /// refused (`REFUSED_STREAM`).
    pub max_concurrent_streams: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 16 << 20,
            max_uri: 8 << 10,
            max_header_bytes: 64 << 10,
            max_headers: HYPER_MAX_HEADERS,
            max_connections: 10_000,
            header_read_timeout: Some(Duration::from_secs(30)),
            idle_timeout: Some(Duration::from_secs(60)),
            max_concurrent_streams: 200,
        }
    }
}

/// A request past a limit: its status and the problem's kind and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// 414 or 431.
    pub status: u16,
    /// The problem type's last segment.
    pub kind: &'static str,
    /// The problem's title.
    pub title: &'static str,
    /// What was too much, and the limit.
    pub detail: String,
}

impl Limits {
    /// Checks what the limits are worth before use: a head limit hyper cannot take, or
    /// a limit of zero, is an error naming the setting.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_header_bytes < MIN_HEADER_BYTES {
            return Err(format!(
                "max-header-bytes {} is below the smallest head hyper reads, {MIN_HEADER_BYTES} bytes (8K)",
                self.max_header_bytes
            ));
        }
        let zero = [
            ("max-uri-length", self.max_uri),
            ("max-headers", self.max_headers),
            ("max-connections", self.max_connections),
            (
                "max-concurrent-streams",
                self.max_concurrent_streams as usize,
            ),
        ];
        if let Some((name, _)) = zero.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be at least 1"));
        }
        if u32::try_from(self.max_header_bytes).is_err() {
            return Err(format!(
                "max-header-bytes {} is more than 4G",
                self.max_header_bytes
            ));
        }
        Ok(())
    }

    /// The connection builder every connection of a process shares: HTTP/1.1 and
    /// HTTP/2 (chosen by the client's first bytes, so cleartext HTTP/2 with prior
    /// knowledge works as HTTP/2 over TLS does), with these limits.
    pub fn builder(&self) -> Builder<TokioExecutor> {
        let mut builder = Builder::new(TokioExecutor::new());
        {
            let mut h1 = builder.http1();
            // A client that shuts its write side after its request (as scripts and
            // `nc` do) is still answered: without this hyper drops the request.
            h1.half_close(true)
                .timer(TokioTimer::new())
                .header_read_timeout(self.header_read_timeout)
                .max_buf_size(self.max_header_bytes.max(MIN_HEADER_BYTES));
            if self.max_headers != HYPER_MAX_HEADERS {
                h1.max_headers(self.max_headers);
            }
        }
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(self.max_concurrent_streams)
            .max_header_list_size(u32::try_from(self.max_header_bytes).unwrap_or(u32::MAX));
        builder
    }

    /// What hyper leaves to the service: a request target longer than
    /// [`Limits::max_uri`] (414), on HTTP/2, where hyper does not count header fields,
    /// more than [`Limits::max_headers`] of them (431), and a body whose declared
    /// length (`declared`, its `Content-Length`) is past [`Limits::max_body`] (413
    /// before a byte of it is read, on HTTP/2 and for a client that sent
    /// `Expect: 100-continue`; any other body is cut at the limit as it is read).
    pub fn check(&self, parts: &http::request::Parts, declared: u64) -> Option<Exceeded> {
        // Answered before the body only when the client waits for the answer
        // (`Expect: 100-continue`) or can be stopped without losing it (an HTTP/2
        // stream): an HTTP/1 client still writing its body would see its connection
        // close under it, not the 413. The others are cut at the limit as they send.
        if declared > self.max_body as u64
            && (parts.version == Version::HTTP_2 || expects_continue(&parts.headers))
        {
            return Some(Exceeded {
                status: 413,
                kind: "body-too-large",
                title: "Request body too large",
                detail: format!(
                    "The body is {declared} bytes; the limit is {} (--max-body).",
                    self.max_body
                ),
            });
        }
        let target = parts.uri.path_and_query().map_or(0, |p| p.as_str().len());
        if target > self.max_uri {
            return Some(Exceeded {
                status: 414,
                kind: "uri-too-long",
                title: "URI too long",
                detail: format!(
                    "The request target is {target} bytes; the limit is {} (--max-uri-length).",
                    self.max_uri
                ),
            });
        }
        if parts.version == Version::HTTP_2 && parts.headers.len() > self.max_headers {
            return Some(Exceeded {
                status: 431,
                kind: "too-many-headers",
                title: "Request header fields too large",
                detail: format!(
                    "The request has {} header fields; the limit is {} (--max-headers).",
                    parts.headers.len(),
                    self.max_headers
                ),
            });
        }
        None
    }
}

/// Whether the request waits for `100 Continue` before sending its body.
fn expects_continue(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(target: &str, version: Version, headers: usize) -> http::request::Parts {
        let mut req = http::Request::get(target).version(version);
        for i in 0..headers {
            req = req.header(format!("x-h{i}"), "v");
        }
        req.body(()).expect("request").into_parts().0
    }

    #[test]
    fn a_long_target_is_414_and_the_limit_itself_passes() {
        let limits = Limits {
            max_uri: 10,
            ..Limits::default()
        };
        assert_eq!(
            limits.check(&parts("/123456789", Version::HTTP_11, 0), 0),
            None
        );
        let over = limits
            .check(&parts("/123456789?", Version::HTTP_11, 0), 0)
            .expect("over");
        assert_eq!(over.status, 414);
        assert!(over.detail.contains("11 bytes"), "{}", over.detail);
    }

    #[test]
    fn header_count_is_checked_here_only_on_http2() {
        let limits = Limits {
            max_headers: 3,
            ..Limits::default()
        };
        assert_eq!(limits.check(&parts("/", Version::HTTP_11, 5), 0), None);
        assert_eq!(limits.check(&parts("/", Version::HTTP_2, 3), 0), None);
        assert_eq!(
            limits
                .check(&parts("/", Version::HTTP_2, 4), 0)
                .map(|e| e.status),
            Some(431)
        );
    }

    #[test]
    fn a_declared_body_past_the_limit_is_413_before_it_is_read_when_that_is_safe() {
        let limits = Limits {
            max_body: 10,
            ..Limits::default()
        };
        let plain = parts("/", Version::HTTP_11, 0);
        assert_eq!(limits.check(&plain, 11), None, "cut as it is read instead");
        let mut waiting = plain.clone();
        waiting
            .headers
            .insert(http::header::EXPECT, "100-Continue".parse().expect("value"));
        assert_eq!(limits.check(&waiting, 10), None);
        assert_eq!(limits.check(&waiting, 11).map(|e| e.status), Some(413));
        let h2 = parts("/", Version::HTTP_2, 0);
        assert_eq!(limits.check(&h2, 11).map(|e| e.status), Some(413));
    }

    #[test]
    fn validate_names_the_bad_setting() {
        let small = Limits {
            max_header_bytes: 100,
            ..Limits::default()
        };
        assert!(small.validate().unwrap_err().contains("max-header-bytes"));
        let zero = Limits {
            max_connections: 0,
            ..Limits::default()
        };
        assert!(zero.validate().unwrap_err().contains("max-connections"));
        assert_eq!(Limits::default().validate(), Ok(()));
    }
}
