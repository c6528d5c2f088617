//! Mockoon environments for standin: an environment file read into routes
//! ([`env`]), the rules that choose among a route's responses
//! ([`rules`]), the data buckets and global variables kept in the store ([`buckets`]),
//! what `crud` routes do to a bucket ([`crud`]), bodies rendered with Mockoon's helpers
//! ([`template`], dates by [`dates`]), Mockoon's admin API ([`admin`]), and the whole
//! answering through `standin_core::answer::Answerer` ([`answer`]).
//!
//! Property paths are read by [`path`]. Dependencies run one way: `answer` uses the
//! others; `admin` uses `buckets` and `template`; `env` uses `rules` and `template`;
//! `rules` uses `template`; `template` uses `path` and `dates`; `crud` uses `path`.

pub mod admin;
pub mod answer;
pub mod buckets;
pub mod crud;
pub mod dates;
pub mod env;
pub mod path;
pub mod rules;
pub mod template;

pub use answer::{Environment, Environments};
pub use env::looks_like_environment;
