//! standin-server: the data plane around the pure core.
//!
//! It owns what the core must not touch: sockets ([`server`], [`conn`]; HTTPS in
//! [`tls`], what clients may send in [`limits`]), the file system
//! ([`files`]), watching files and swapping snapshots ([`reload`]), timers (delays), and
//! the request log ([`log`]), outbound callbacks and webhooks ([`sender`]).

pub mod admin;
pub mod body;
pub mod calls;
pub mod conn;
pub mod files;
pub mod forward;
pub mod journal;
pub mod limits;
pub mod log;
pub mod record;
pub mod registry;
pub mod reload;
pub mod sender;
pub mod server;
pub mod sources;
pub mod tls;

pub use limits::Limits;
pub use server::{Bound, MockConfig, Running, RuntimeOptions, ServeOptions, start};
