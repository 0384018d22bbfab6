//! The integer quarter clock.

use bevy::prelude::*;

use super::{SimSet, SimStep};
use crate::scenario::Scenario;

/// Quarters simulated so far (0 before the first step) and the horizon in quarters.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimClock {
    pub quarter: u32,
    pub horizon: u32,
}

impl SimClock {
    pub fn finished(&self) -> bool {
        self.quarter >= self.horizon
    }
    /// Years elapsed at the start of the current quarter (policies switch on this).
    pub fn years_elapsed(&self) -> f64 {
        (self.quarter.saturating_sub(1)) as f64 / 4.0
    }
    /// Years elapsed at the end of the current quarter (the `year` column of the outputs).
    pub fn year_end(&self) -> f64 {
        self.quarter as f64 / 4.0
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, advance.in_set(SimSet::Clock));
}

pub(super) fn reset(world: &mut World, scenario: &Scenario) {
    world.insert_resource(SimClock { quarter: 0, horizon: scenario.years * 4 });
}

fn advance(mut clock: ResMut<SimClock>) {
    clock.quarter += 1;
}
