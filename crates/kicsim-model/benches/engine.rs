//! The model's speed by stage (`cargo bench -p kicsim-model`): the map, one quarter, one
//! 20-year baseline run (target: at most 1 ms on one thread), and building the engine.

use criterion::{Criterion, criterion_group, criterion_main};
use kicsim_model::scenario::default_scenario;
use kicsim_model::sim::map::SiteMap;
use kicsim_model::sim::{Engine, reset_world, step_once};
use std::hint::black_box;

fn map_generation(c: &mut Criterion) {
    let s = default_scenario();
    c.bench_function("map_generation", |b| b.iter(|| black_box(SiteMap::generate_uncached(black_box(&s.map)))));
}

fn one_quarter(c: &mut Criterion) {
    // A quarter in the middle of a 20-year run (10 years in: the complex has grown).
    let mut s = default_scenario();
    s.years = 20;
    // The set-up and the measured step both need the engine: share it through a RefCell.
    let engine = std::cell::RefCell::new(Engine::new());
    c.bench_function("one_quarter_year_10", |b| {
        b.iter_batched_ref(
            || {
                let mut engine = engine.borrow_mut();
                let world = engine.world_mut();
                reset_world(world, &s);
                for _ in 0..40 {
                    step_once(world);
                }
            },
            |_| black_box(step_once(engine.borrow_mut().world_mut())),
            criterion::BatchSize::PerIteration,
        )
    });
}

fn baseline_20_years(c: &mut Criterion) {
    let mut s = default_scenario();
    s.years = 20;
    let mut engine = Engine::new();
    c.bench_function("baseline_20_years", |b| b.iter(|| black_box(engine.run(black_box(&s)))));
}

fn build_engine(c: &mut Criterion) {
    c.bench_function("build_engine", |b| b.iter(|| black_box(Engine::new())));
}

criterion_group!(benches, map_generation, one_quarter, baseline_20_years, build_engine);
criterion_main!(benches);
