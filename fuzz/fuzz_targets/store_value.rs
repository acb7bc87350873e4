//! Fuzzes how the store reads a value it finds on disk (`hookbell_store::read_stored_value`):
//! packed or not, an alert, a delivery frame or anything else, it answers an error for what
//! is not a record and never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: (u8, &[u8])| {
    let (kind, value) = input;
    let key: &[u8] = match kind % 3 {
        0 => b"a/01JDQ7ZKX0V2Q6S9M4T8B3N5R0",
        1 => b"d/01JDQ7ZKX0V2Q6S9M4T8B3N5R0",
        _ => b"s/relay.envelope.01JDQ7ZKX0V2Q6S9M4T8B3N5R0",
    };
    let _ = hookbell_store::read_stored_value(key, value);
});
