//! The journal as it grows, as server-sent events (`GET /__admin/requests/stream`).
//!
//! Each entry is an `event: request` whose data is its serve event (the shape of
//! `GET /__admin/requests/{id}`, with `why` and the near misses of a miss) and whose
//! `id` is its sequence number: a client reconnecting with `Last-Event-ID` gets what it
//! missed that the journal still holds. On connecting, the newest `backlog` entries (a
//! query parameter, 100 unless told, at most 1000) come first.
//!
//! The stream costs the request path one atomic load while nobody follows, and one
//! wake-up while someone does: the follower wakes, waits [`COALESCE`] for more to
//! arrive, and sends at most [`BATCH`] entries at a time (an `event: skipped` says how
//! many it left out under a flood), so a dashboard left open keeps the mock's throughput.
//! A comment line every [`KEEP_ALIVE`] shows the stream alive; the task ends when the
//! client goes or the server stops (so an open dashboard never holds a shutdown up).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use serde_json::json;

use super::Admin;
use super::requests::serve_event;
use crate::body::ReplyBody;

/// The path of the stream.
pub const PATH: &str = "/__admin/requests/stream";
/// How long a woken follower waits for more entries before sending.
pub const COALESCE: Duration = Duration::from_millis(250);
/// The most entries sent at a time.
pub const BATCH: usize = 50;
/// How often a quiet stream sends a comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
const DEFAULT_BACKLOG: u64 = 100;
const MAX_BACKLOG: u64 = 1000;

/// Whether a request is for the stream.
pub fn claims(method: &http::Method, path: &str) -> bool {
    method == http::Method::GET && path == PATH
}

/// Where the stream starts: after `Last-Event-ID`, or `backlog` entries back.
fn start_of(admin: &Admin, req: &Request<Bytes>) -> Result<u64, Response<Bytes>> {
    if let Some(last) = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Ok(last + 1);
    }
    let backlog = super::parsed_param(
        req,
        "backlog",
        |b| b.trim().parse::<u64>().ok(),
        |b| {
            super::error(
                400,
                10,
                None,
                "backlog must be 0 or greater",
                &format!("got {b:?}"),
            )
        },
    )?
    .unwrap_or(DEFAULT_BACKLOG)
    .min(MAX_BACKLOG);
    Ok(admin.journal.next_seq().saturating_sub(backlog))
}

fn event(name: &str, id: Option<u64>, data: &serde_json::Value) -> String {
    let mut out = String::new();
    if let Some(id) = id {
        out.push_str(&format!("id: {id}\n"));
    }
    out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    out
}

/// Opens the stream (access already checked).
pub fn open(
    admin: Arc<Admin>,
    req: &Request<Bytes>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Response<ReplyBody> {
    let start = match start_of(&admin, req) {
        Ok(s) => s,
        Err(refused) => return refused.map(ReplyBody::full),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    tokio::spawn(async move {
        let journal = admin.journal.clone();
        let follower = journal.follow();
        let mut next = start;
        let mut hello = String::from("retry: 1000\n\n");
        if !journal.enabled() {
            hello.push_str(&event(
                "disabled",
                None,
                &json!({ "detail": "the request journal is off (--no-request-journal)" }),
            ));
        }
        if *stop.borrow() || tx.send(Bytes::from(hello)).await.is_err() {
            return;
        }
        loop {
            let woken = follower.recorded();
            let (fresh, skipped) = journal.since(next, BATCH);
            let mut out = String::new();
            if skipped > 0 {
                out.push_str(&event("skipped", None, &json!({ "skipped": skipped })));
            }
            for e in &fresh {
                next = e.seq + 1;
                out.push_str(&event("request", Some(e.seq), &serve_event(&admin, e)));
            }
            if !out.is_empty() && tx.send(Bytes::from(out)).await.is_err() {
                return;
            }
            tokio::select! {
                () = woken => tokio::time::sleep(COALESCE).await,
                () = tokio::time::sleep(KEEP_ALIVE) => {
                    if tx.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                        return;
                    }
                }
                () = tx.closed() => return,
                // The server stops: the stream ends, so its connection can close.
                () = async {
                    let _ = stop.wait_for(|s| *s).await;
                } => return,
            }
        }
    });
    let mut res = Response::new(ReplyBody::channel(rx));
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    res
}
