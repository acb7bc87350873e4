//! Fuzzes the `gitguardian` verifier with arbitrary headers and bodies, genuine or not.
#![no_main]

mod common;

use hookbell_core::Auth;

libfuzzer_sys::fuzz_target!(|request: common::Request| {
    let auth = Auth::Gitguardian {
        secret: "foo".into(),
        tolerance_secs: 300,
    };
    let mut request = request;
    if !request.sign_first {
        // The shared request carries the other schemes' header names; give this one's too,
        // under both of GitGuardian's signature names.
        let signature = request.signature.clone().into_bytes();
        let timestamp = request.timestamp.clone().into_bytes();
        request.extra.insert(0, ("Timestamp".into(), timestamp));
        request
            .extra
            .insert(0, ("X-GitGuardian-Signature".into(), signature.clone()));
        request
            .extra
            .insert(0, ("Gitguardian-Signature".into(), signature));
    }
    common::verify(&auth, &request);
});
