//! Fuzzes the `standard_webhooks` verifier with arbitrary headers and bodies, genuine or not.
#![no_main]

mod common;

use hookbell_core::Auth;

libfuzzer_sys::fuzz_target!(|request: common::Request| {
    let auth = Auth::StandardWebhooks {
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        tolerance_secs: 300,
    };
    common::verify(&auth, &request);
});
