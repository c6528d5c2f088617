//! The journal replicas share: a Redis stream per mock (`standin:j:<mock>`), capped
//! with `XADD … MAXLEN ~ N`, each entry a WireMock `ServeEvent` as JSON.
//!
//! Requests never wait for it: events go through a bounded queue to a task that writes
//! them in batches (a full queue drops the event and counts it). Reads
//! (`GET /__admin/requests`) take the newest events from the stream, so any replica
//! answers with every replica's requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redis::AsyncCommands;
use redis::streams::StreamMaxlen;
use serde_json::Value;
use tokio::sync::mpsc;

use super::Shared;
use crate::journal::JournalFeed;

/// Events waiting to be written, at most.
const QUEUE: usize = 8192;
/// Events written in one round trip, at most.
const BATCH: usize = 256;

/// A mock's shared journal (see the module doc).
pub struct StreamFeed {
    shared: Arc<Shared>,
    key: String,
    max: usize,
    tx: mpsc::Sender<String>,
    /// Events dropped because the queue was full or the store down.
    pub dropped: AtomicU64,
}

impl StreamFeed {
    /// The feed of mock `key`, its writer task started.
    pub fn start(shared: Arc<Shared>, key: &str, max: usize) -> Arc<StreamFeed> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let feed = Arc::new(StreamFeed {
            shared,
            key: format!("standin:j:{key}"),
            max: max.max(1),
            tx,
            dropped: AtomicU64::new(0),
        });
        tokio::spawn(write(Arc::downgrade(&feed), rx));
        feed
    }

    fn wait<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, String> {
        if let Some(down) = self.shared.down() {
            return Err(down);
        }
        let handle = tokio::runtime::Handle::try_current()
            .map_err(|_| "the shared journal is read from the server only".to_string())?;
        let out = tokio::task::block_in_place(|| {
            handle.block_on(async { tokio::time::timeout(super::TIMEOUT, f).await })
        });
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.shared.failed(&e)),
            Err(_) => Err(format!(
                "store {}: no answer within 1 s",
                self.shared.display()
            )),
        }
    }
}

async fn write(feed: std::sync::Weak<StreamFeed>, mut rx: mpsc::Receiver<String>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let Some(feed) = feed.upgrade() else { return };
        if feed.shared.down().is_some() {
            feed.dropped
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            batch.clear();
            continue;
        }
        let mut pipe = redis::pipe();
        for event in batch.drain(..) {
            pipe.xadd_maxlen(
                &feed.key,
                StreamMaxlen::Approx(feed.max),
                "*",
                &[("e", event)],
            )
            .ignore();
        }
        let mut conn = feed.shared.conn();
        if let Err(e) = pipe.query_async::<()>(&mut conn).await {
            let _ = feed.shared.failed(&e);
        }
    }
}

impl JournalFeed for StreamFeed {
    fn push(&self, event: Value) {
        if self.tx.try_send(event.to_string()).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn list(&self, limit: Option<usize>) -> Result<(Vec<Value>, usize), String> {
        let count = limit.unwrap_or(self.max);
        let key = self.key.clone();
        let mut conn = self.shared.conn();
        let (reply, total): (redis::streams::StreamRangeReply, usize) = self.wait(async move {
            redis::pipe()
                .xrevrange_count(&key, "+", "-", count)
                .xlen(&key)
                .query_async(&mut conn)
                .await
        })?;
        let events = reply
            .ids
            .iter()
            .filter_map(|id| id.get::<String>("e"))
            .filter_map(|t| serde_json::from_str(&t).ok())
            .collect();
        Ok((events, total))
    }

    fn clear(&self) -> Result<(), String> {
        let key = self.key.clone();
        let mut conn = self.shared.conn();
        self.wait(async move { conn.del::<_, ()>(&key).await })
    }
}
