//! Integration tests: the real relay (in this process, or the real binary) on port 0, the
//! real client, and a desktop engine over a real sled store in a temp dir. One test binary
//! (see `support` for the harness).

mod abuse;
mod cluster;
mod crash;
mod desktop_api;
mod end_to_end;
mod failover;
mod flags;
mod limits;
mod pairing;
mod partitions;
mod refusals;
mod silence;
mod support;
mod tls;
mod trust;
