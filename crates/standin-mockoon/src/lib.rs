//! Mockoon environments for standin: an environment file read into routes
//! ([`env`]), the response of a route chosen by its rules and response mode
//! ([`rules`]), the data buckets and global variables kept in the store ([`buckets`]),
//! what `crud` routes do to a bucket ([`crud`]), bodies rendered with Mockoon's helpers
//! ([`template`], dates by [`dates`]), Mockoon's admin API ([`admin`]), and the whole
//! answering through `standin_core::answer::Answerer` ([`answer`]).
//!
//! Dependencies run one way: `answer` and `admin` use the others; `env` uses `rules`
//! and `template`; `template` uses `rules` (paths) and `dates`.

pub mod admin;
pub mod answer;
pub mod buckets;
pub mod crud;
pub mod dates;
pub mod env;
pub mod rules;
pub mod template;

pub use answer::{Environment, Environments};
pub use env::looks_like_environment;
