//! What `kicsim run scenarios/baseline.ron --years 20 --replications 1000` computes, without
//! its file writes (`cargo bench --bench replications`): 1,000 replications on every core.

use criterion::{Criterion, criterion_group, criterion_main};
use kicsim::run::run_replications;
use kicsim::scenario::default_scenario;
use std::hint::black_box;

fn replications_1000(c: &mut Criterion) {
    let mut s = default_scenario();
    s.years = 20;
    let mut g = c.benchmark_group("replications");
    g.sample_size(10);
    g.bench_function("baseline_20_years_x1000", |b| b.iter(|| black_box(run_replications(black_box(&s), 1000))));
    g.finish();
}

criterion_group!(benches, replications_1000);
criterion_main!(benches);
