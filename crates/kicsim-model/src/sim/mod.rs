//! The model. No rendering: this module only needs bevy's ECS/app.
//!
//! One quarter of the model is one run of the [`SimStep`] schedule. Its systems are ordered in
//! one chained [`SimSet`]; each rule of the model lives in the file named after it:
//!
//! | set | file | rule |
//! |---|---|---|
//! | `Clock` | `clock.rs` | advance the integer quarter |
//! | `Workforce` | `workforce.rs` | training raises town skill; suppliers hire from towns |
//! | `Spillover` | `spillover.rs` | S(d) = a exp(-d/lambda) from anchor (a grows with its purchases), R&D centres, tier-1 suppliers |
//! | `Capability` | `capability.rs` | c moves towards the firm's potential p at rate g absorb S + learning by doing; the frontier moves |
//! | `Tiers` | `tiers.rs` | promotion to tier-2 / tier-1 after years at the threshold, a limited number of audits a year |
//! | `Sourcing` | `sourcing.rs` | anchor's nested-logit choice local vs import, local-content rule |
//! | `Exports` | `exports.rs` | exports from unit cost (freight included) and time to the port |
//! | `Firms` | `firms.rs` | supplier capacity, entry for demand the anchor pays for, exit |
//! | `Fiscal` | `fiscal.rs` | forgone tax and subsidies paid |
//! | `Metrics` | `metrics.rs` | the KPIs of the quarter |
//!
//! Two drivers use the same stepping, [`step_once`] (one run of the [`SimStep`] schedule): headless
//! runs ([`Engine`], [`run_to_end`]) step the schedule directly, with no executor or frame around
//! it, in a world that is reset and reused run after run; the window's `Update` schedule runs
//! [`drive`], which steps it k times per frame ([`SimControl::steps_per_update`]).

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

/// Runs quarters until the clock reaches `quarter` (or the horizon): a world rebuilt after an
/// edit goes back to the quarter it showed, and the compare view keeps its columns on one clock.
pub fn step_to(world: &mut World, quarter: u32) {
    while world.resource::<clock::SimClock>().quarter < quarter && step_once(world) {}
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
    spillover::reset(world);
    tiers::reset(world);
    firms::reset(world);
    workforce::reset(world);
    sourcing::reset(world, scenario);
    exports::reset(world, scenario);
    fiscal::reset(world);
    metrics::reset(world);
}

/// A headless model that runs scenario after scenario in one world: building the app costs
/// about a millisecond (more than a 20-year run), resetting the world costs microseconds. Each
/// run resets every resource and entity from the scenario, so a run does not depend on the
/// runs before it (the golden and determinism tests check this).
pub struct Engine {
    app: App,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    pub fn new() -> Engine {
        Engine { app: build_app(&Scenario::default()) }
    }

    /// The engine's world (to step it quarter by quarter with [`reset_world`] and [`step_once`]).
    pub fn world_mut(&mut self) -> &mut World {
        self.app.world_mut()
    }

    /// Runs a scenario to its horizon with its seed and returns the quarterly records.
    pub fn run(&mut self, scenario: &Scenario) -> Vec<QuarterRecord> {
        let world = self.app.world_mut();
        reset_world(world, scenario);
        while step_once(world) {}
        world.get_resource_mut::<Metrics>().map(|mut m| std::mem::take(&mut m.history)).unwrap_or_default()
    }
}

thread_local! {
    /// One engine per thread (rayon's workers each keep theirs across replications).
    static ENGINE: std::cell::RefCell<Option<Engine>> = const { std::cell::RefCell::new(None) };
}

/// Runs a scenario to its horizon with its seed and returns the quarterly records, on this
/// thread's reused [`Engine`].
pub fn run_to_end(scenario: &Scenario) -> Vec<QuarterRecord> {
    ENGINE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => slot.get_or_insert_with(Engine::new).run(scenario),
        // Re-entered from inside a run (never in practice): use a fresh engine.
        Err(_) => Engine::new().run(scenario),
    })
}

/// Distance between two sites in km.
pub fn dist(a: Site, b: Site) -> f64 {
    ((a.x_km - b.x_km).powi(2) + (a.y_km - b.y_km).powi(2)).sqrt()
}
