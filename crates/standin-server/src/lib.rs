//! standin-server: the data plane around the pure core.
//!
//! It owns what the core must not touch: sockets ([`service`], [`server`], [`conn`];
//! HTTPS in [`tls`], what clients may send in [`limits`], HTTP/2 header blocks timed in
//! [`heads`]), the file system ([`files`]),
//! watching files and swapping snapshots ([`reload`]), timers (delays), the request log
//! ([`log`]), outbound callbacks and webhooks ([`sender`]), the shared store
//! ([`shared`]) and metrics.

pub mod admin;
pub mod body;
pub mod calls;
pub mod conn;
pub mod files;
pub mod forward;
pub mod heads;
pub mod journal;
pub mod limits;
pub mod log;
pub mod metrics;
pub mod record;
pub mod registry;
pub mod reload;
pub mod sender;
pub mod server;
pub mod service;
pub mod shared;
pub mod sources;
pub mod tls;

pub use limits::Limits;
pub use server::{Bound, MockConfig, Running, RuntimeOptions, ServeOptions, ServiceOptions};
pub use service::start;
