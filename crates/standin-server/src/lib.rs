//! standin-server: the data plane around the pure core.
//!
//! It owns what the core must not touch: sockets ([`server`]), the file system
//! ([`files`]), watching files and swapping snapshots ([`reload`]), timers (delays), and
//! the request log ([`log`]), outbound callbacks and webhooks ([`sender`]).

pub mod admin;
pub mod body;
pub mod calls;
pub mod conn;
pub mod files;
pub mod forward;
pub mod journal;
pub mod log;
pub mod record;
pub mod registry;
pub mod reload;
pub mod sender;
pub mod server;
pub mod sources;

pub use server::{MockConfig, Running, RuntimeOptions, ServeOptions, start};
