//! standin-server: the data plane around the pure core.
//!
//! It owns what the core must not touch: sockets ([`service`], [`server`]), the file
//! system ([`files`]), watching files and swapping snapshots ([`reload`]), timers
//! (delays), the request log ([`log`]), the shared store ([`shared`]) and metrics.

pub mod admin;
pub mod body;
pub mod conn;
pub mod files;
pub mod forward;
pub mod journal;
pub mod log;
pub mod metrics;
pub mod record;
pub mod registry;
pub mod reload;
pub mod server;
pub mod service;
pub mod shared;
pub mod sources;

pub use server::{MockConfig, Running, RuntimeOptions, ServeOptions, ServiceOptions};
pub use service::start;
