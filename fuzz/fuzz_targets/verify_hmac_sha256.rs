//! Fuzzes the `hmac_sha256` verifier with arbitrary headers and bodies, genuine or not.
#![no_main]

mod common;

use hookbell_core::Auth;

libfuzzer_sys::fuzz_target!(|request: common::Request| {
    let auth = Auth::HmacSha256 {
        secret: "super-secret-webhook-key".into(),
        signature_header: "X-Signature".into(),
        timestamp_header: "X-Timestamp".into(),
        tolerance_secs: 300,
    };
    common::verify(&auth, &request);
});
