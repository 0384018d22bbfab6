//! The model. No rendering: this module only needs bevy's ECS/app.
//!
//! One quarter of the model is one run of the [`SimStep`] schedule. Its systems are ordered in
//! one chained [`SimSet`]; each rule of the model lives in the file named after it:
//!
//! | set | file | rule |
//! |---|---|---|
//! | `Clock` | `clock.rs` | advance the integer quarter |
//! | `Workforce` | `workforce.rs` | training raises town skill; suppliers hire from towns |
//! | `Spillover` | `spillover.rs` | S(d) = a exp(-d/lambda) from anchor, R&D centres, tier-1 suppliers |
//! | `Capability` | `capability.rs` | dc = g absorb S (1-c) + learning by doing - depreciation |
//! | `Tiers` | `tiers.rs` | promotion to tier-2 / tier-1 after years at the threshold |
//! | `Sourcing` | `sourcing.rs` | anchor's logit choice local vs import, local-content rule |
//! | `Exports` | `exports.rs` | exports from unit cost and distance to the port |
//! | `Firms` | `firms.rs` | supplier capacity, entry on buildable land, exit |
//! | `Fiscal` | `fiscal.rs` | forgone tax and subsidies paid |
//! | `Metrics` | `metrics.rs` | the KPIs of the quarter |
//!
//! Two drivers use the same stepping: the CLI calls `app.update()` once per quarter
//! ([`SimControl::steps_per_update`] = 1); the window sets k steps per frame.

use bevy::app::{App, Plugin, Update};
use bevy::ecs::schedule::{Schedule, ScheduleLabel, SingleThreadedExecutor, SystemSet};
use bevy::prelude::*;

use crate::scenario::{Scenario, Site};

pub mod capability;
pub mod clock;
pub mod exports;
pub mod facilities;
pub mod firms;
pub mod fiscal;
pub mod geo;
pub mod map;
pub mod metrics;
pub mod rng;
pub mod sourcing;
pub mod spillover;
pub mod tiers;
pub mod workforce;

pub use facilities::{Facility, FacilityKind, Supplier, SupplyStatus};
pub use metrics::{Metrics, QuarterRecord};

/// One quarter of the model.
#[derive(ScheduleLabel, Clone, Debug, PartialEq, Eq, Hash)]
pub struct SimStep;

/// The model's rules, in the order they run within a quarter.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimSet {
    Clock,
    Workforce,
    Spillover,
    Capability,
    Tiers,
    Sourcing,
    Exports,
    Firms,
    Fiscal,
    Metrics,
}

/// The scenario the world was built from (incentives and parameters are read from here).
#[derive(Resource, Clone, Debug)]
pub struct ActiveScenario(pub Scenario);

/// How the `Update` schedule drives the model.
#[derive(Resource, Clone, Debug)]
pub struct SimControl {
    pub running: bool,
    /// Quarters simulated per `app.update()`.
    pub steps_per_update: u32,
    /// Single steps requested (the window's step button); run even when paused.
    pub pending_steps: u32,
}

impl Default for SimControl {
    fn default() -> Self {
        SimControl { running: true, steps_per_update: 1, pending_steps: 0 }
    }
}

/// The model as a plugin. Needs an [`ActiveScenario`] resource (see [`build_app`]).
pub struct SimPlugin;

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        let mut step = Schedule::new(SimStep);
        // The sets are chained: running them on one thread costs nothing and keeps order obvious.
        step.set_executor(SingleThreadedExecutor::new());
        step.configure_sets(
            (
                SimSet::Clock,
                SimSet::Workforce,
                SimSet::Spillover,
                SimSet::Capability,
                SimSet::Tiers,
                SimSet::Sourcing,
                SimSet::Exports,
                SimSet::Firms,
                SimSet::Fiscal,
                SimSet::Metrics,
            )
                .chain(),
        );
        app.add_schedule(step);
        app.init_resource::<SimControl>();
        // map.rs, rng.rs and facilities.rs hold state only: they are set up by `reset_world`.
        clock::plugin(app);
        workforce::plugin(app);
        spillover::plugin(app);
        capability::plugin(app);
        tiers::plugin(app);
        sourcing::plugin(app);
        exports::plugin(app);
        firms::plugin(app);
        fiscal::plugin(app);
        metrics::plugin(app);
        app.add_systems(Update, drive);
        let scenario = app.world().get_resource::<ActiveScenario>().map(|s| s.0.clone()).unwrap_or_default();
        reset_world(app.world_mut(), &scenario);
    }
}

/// Runs `steps_per_update` quarters per `app.update()` while running and before the horizon.
pub fn drive(world: &mut World) {
    let control = world.resource::<SimControl>().clone();
    let steps = if control.running { control.steps_per_update } else { 0 } + control.pending_steps;
    world.resource_mut::<SimControl>().pending_steps = 0;
    for _ in 0..steps {
        if world.resource::<clock::SimClock>().finished() {
            world.resource_mut::<SimControl>().running = false;
            break;
        }
        world.run_schedule(SimStep);
    }
}

/// Run exactly one quarter, whatever [`SimControl`] says (no-op past the horizon).
pub fn step_once(world: &mut World) -> bool {
    if world.resource::<clock::SimClock>().finished() {
        return false;
    }
    world.run_schedule(SimStep);
    true
}

/// The headless app the CLI, tests and benchmarks use: the model and nothing else.
pub fn build_app(scenario: &Scenario) -> App {
    let mut app = App::new();
    app.insert_resource(ActiveScenario(scenario.clone()));
    app.add_plugins(SimPlugin);
    app.finish();
    app.cleanup();
    app
}

/// (Re)builds the world state from the scenario: map, facilities, clock, RNG streams, metrics.
/// Called by the plugins at start-up; the window calls it on reset and after edits.
pub fn reset_world(world: &mut World, scenario: &Scenario) {
    world.insert_resource(ActiveScenario(scenario.clone()));
    map::reset(world, scenario);
    facilities::reset(world, scenario);
    clock::reset(world, scenario);
    rng::reset(world, scenario.seed);
    workforce::reset(world);
    sourcing::reset(world, scenario);
    fiscal::reset(world);
    metrics::reset(world);
}

/// Runs a scenario to its horizon with the given seed and returns the quarterly records.
pub fn run_to_end(scenario: &Scenario) -> Vec<QuarterRecord> {
    let mut app = build_app(scenario);
    let quarters = app.world().resource::<clock::SimClock>().horizon;
    for _ in 0..quarters {
        app.update();
    }
    app.world_mut().remove_resource::<Metrics>().map(|m| m.history).unwrap_or_default()
}

/// Distance between two sites in km.
pub fn dist(a: Site, b: Site) -> f64 {
    ((a.x_km - b.x_km).powi(2) + (a.y_km - b.y_km).powi(2)).sqrt()
}
