//! Sealing (the relay, per delivery) and opening (the desktop, per envelope) a 1 KB delivery.
//! Run with `cargo bench -p hookbell-relay --bench envelope`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use hookbell_relay::KeyPair;
use hookbell_relay::envelope::{self, B64, RelayedRequest};

fn request() -> RelayedRequest {
    RelayedRequest {
        v: 1,
        envelope_id: "01JBENCHENVELOPE0000000000".into(),
        channel_id: "01JBENCHCHANNEL00000000000".into(),
        source_id: "bench".into(),
        received_at: Utc::now(),
        method: "POST".into(),
        path: "/h/01JBENCHCHANNEL00000000000/bench".into(),
        query: None,
        headers: vec![
            ("content-type".into(), B64(b"application/json".to_vec())),
            ("user-agent".into(), B64(b"bench/1.0".to_vec())),
        ],
        peer: Some("192.0.2.1:4000".into()),
        body: B64(vec![b'x'; 1024]),
    }
}

fn envelopes(c: &mut Criterion) {
    let keys = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let request = request();
    c.bench_function("seal 1 KB", |b| {
        b.iter(|| envelope::seal(black_box(&keys.public), black_box(&request)))
    });
    let sealed = envelope::seal(&keys.public, &request).unwrap_or_else(|e| panic!("{e}"));
    c.bench_function("open 1 KB", |b| {
        b.iter(|| {
            envelope::open(
                black_box(&keys.secret),
                &request.channel_id,
                &request.envelope_id,
                black_box(&sealed),
            )
        })
    });
}

criterion_group!(benches, envelopes);
criterion_main!(benches);
