//! Per-provider parse benchmarks (filled in with the adapters).

fn main() {}
