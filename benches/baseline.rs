//! One 20-year run of the baseline scenario (target: under 20 ms in release).

use criterion::{Criterion, criterion_group, criterion_main};
use kicsim::scenario::default_scenario;
use kicsim::sim::run_to_end;
use std::hint::black_box;

fn baseline_20_years(c: &mut Criterion) {
    let mut s = default_scenario();
    s.years = 20;
    c.bench_function("baseline_20_years", |b| b.iter(|| black_box(run_to_end(black_box(&s)))));
}

fn build_app_and_map(c: &mut Criterion) {
    let s = default_scenario();
    c.bench_function("build_app_and_map", |b| b.iter(|| black_box(kicsim::sim::build_app(black_box(&s)))));
}

criterion_group!(benches, baseline_20_years, build_app_and_map);
criterion_main!(benches);
