//! Fuzzes the `basic` verifier with arbitrary headers and bodies, genuine or not.
#![no_main]

mod common;

use hookbell_core::Auth;

libfuzzer_sys::fuzz_target!(|request: common::Request| {
    let auth = Auth::Basic {
        username: "KEY".into(),
        password: "SECRET".into(),
    };
    common::verify(&auth, &request);
});
