//! Mockoon environments for standin: an environment file read into routes
//! ([`env`]), the response of a route chosen by its rules and response mode
//! ([`rules`]), `crud` routes on data buckets kept in the store ([`crud`]), bodies rendered with Mockoon's request helpers ([`template`]), and
//! the whole answering through `standin_core::answer::Answerer` ([`answer`]).

pub mod answer;
pub mod crud;
pub mod env;
pub mod rules;
pub mod template;

pub use answer::{Environment, Environments};
pub use env::looks_like_environment;
