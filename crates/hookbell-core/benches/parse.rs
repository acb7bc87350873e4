//! Parse + normalize per provider on its sample (the vendor's own example), and a Cyscale batch
//! of 1,000 alerts. Run with `make bench-parse` (or `cargo bench -p hookbell-core`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hookbell_core::providers::{self, Context};
use hookbell_core::{Delivery, normalize};

/// The allocator hookbelld runs with, so the numbers are the daemon's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn delivery(body: Vec<u8>) -> Delivery {
    hookbell_core::testing::json_delivery("bench", body)
}

fn parse(c: &mut Criterion) {
    let ctx = Context::default();
    for id in providers::ids() {
        let Some(provider) = providers::get(id) else {
            continue;
        };
        let d = delivery(provider.sample().as_bytes().to_vec());
        c.bench_function(&format!("normalize/{id}/sample"), |b| {
            b.iter(|| normalize(black_box(provider), black_box(&d), &ctx))
        });
    }
    if let Some(cyscale) = providers::get("cyscale") {
        let d = delivery(hookbell_core::testing::cyscale_batch());
        c.bench_function("normalize/cyscale/batch-1000", |b| {
            b.iter(|| normalize(black_box(cyscale), black_box(&d), &ctx))
        });
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
