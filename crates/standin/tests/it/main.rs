//! Black-box tests: each starts the real `standin` binary on 127.0.0.1 and talks HTTP to
//! it, as a user's client would. One test binary, with a module per area.

mod support;

mod admin;
mod admin_access;
mod callbacks;
mod check;
mod config;
mod dashboard;
mod directives;
mod exits;
mod malformed;
mod mockoon;
mod prism;
mod proxy;
mod query;
mod responses;
mod routing;
mod saved;
mod sources;
mod stateful;
mod stub_docroot;
mod stub_faults;
mod stub_matching;
mod stub_responses;
mod stubs_support;
mod team;
mod transport;
mod validation;
mod watch;
