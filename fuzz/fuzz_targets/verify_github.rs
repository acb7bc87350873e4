//! Fuzzes the `github` verifier with arbitrary headers and bodies, genuine or not.
#![no_main]

mod common;

use hookbell_core::Auth;

libfuzzer_sys::fuzz_target!(|request: common::Request| {
    let auth = Auth::Github {
        secret: "It's a Secret to Everybody".into(),
    };
    common::verify(&auth, &request);
});
