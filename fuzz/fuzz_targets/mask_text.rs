//! Fuzzes the masking policy's free-text scrubber (what a quarantined body keeps): it must not
//! panic on any bytes. Scrubbing twice is not asserted to change nothing: a value the first pass
//! masked can be read by the second as the start of a longer one
//! (`apikey=[]…` → `apikey=**…`, then the `**…` run masked again).
#![no_main]

libfuzzer_sys::fuzz_target!(|body: &[u8]| {
    let kept = hookbell_core::normalize::scrubbed_text(body);
    let _ = hookbell_core::mask::text::scrub(&kept);
});
