//! Integration tests: the real server on port 0 over a real sled store, talked to over HTTP.
//! One test binary (see `support` for the harness).

mod api;
mod bad_input;
mod connection;
mod crash;
mod daemon;
mod github;
mod ingest;
mod retention;
mod support;
