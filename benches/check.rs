//! `aclc check`'s engine on generated policy sets: parse + model + every
//! lint (the exact analysis included), in memory. Run with `cargo bench`.

use aclc::analysis::{analyze, Options};
use aclc::generate::{policy_set, Shape};
use aclc::source::{Origin, SourceMap};

fn main() {
    divan::main();
}

fn sources(permissions: usize) -> SourceMap {
    let mut s = SourceMap::new();
    for (name, text) in policy_set(Shape {
        permissions,
        files: 20,
        seed: 1,
    }) {
        s.add(name, text, Origin::User);
    }
    s
}

#[divan::bench(args = [10_000, 100_000, 1_000_000], sample_count = 3, sample_size = 1)]
fn check(bencher: divan::Bencher, permissions: usize) {
    let s = sources(permissions);
    bencher
        .with_inputs(|| s.clone())
        .bench_values(|s| analyze(s, &Options::default()).diagnostics.len());
}
