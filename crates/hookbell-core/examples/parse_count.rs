//! Runs `normalize` on one provider's sample (or the Cyscale batch of 1,000 alerts) a given
//! number of times, for counting instructions per call under callgrind (repeatable on a busy
//! machine, unlike wall time):
//!
//! ```sh
//! cargo build --release --example parse_count -p hookbell-core
//! valgrind --tool=callgrind --toggle-collect='*hookbell_core*normalize*normalize*' \
//!   target/release/examples/parse_count leakix 100
//! ```
//!
//! The total `Ir` divided by the count is the instructions of one call (the first call, which
//! builds the lazily-initialised statics, is made before collection matters: run with a count
//! large enough, or subtract a run with count 1).

use std::hint::black_box;

use hookbell_core::providers::{self, Context};
use hookbell_core::{Delivery, normalize};

/// The allocator hookbelld runs with, as in the parse benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "leakix".into());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    let (id, body) = match which.as_str() {
        "batch-1000" => ("cyscale", hookbell_core::testing::cyscale_batch()),
        id => (
            id,
            providers::get(id)
                .map(|p| p.sample().as_bytes().to_vec())
                .unwrap_or_default(),
        ),
    };
    let Some(provider) = providers::get(id) else {
        eprintln!(
            "no provider {id}; one of {:?} or batch-1000",
            providers::ids()
        );
        std::process::exit(2);
    };
    let delivery: Delivery = hookbell_core::testing::json_delivery("bench", body);
    let ctx = Context::default();
    for _ in 0..count {
        let out = normalize(black_box(provider), black_box(&delivery), &ctx);
        black_box(out).ok();
    }
}
