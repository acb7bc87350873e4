//! Fuzzes the `gitguardian` adapter (through `normalize`) with arbitrary bytes.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|body: &[u8]| common::parse("gitguardian", body));
