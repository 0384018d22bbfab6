//! Tier progression. The anchor audits suppliers: a firm becomes tier-2 after holding the
//! tier-2 capability for `tier2_quarters` (trial production, testing), and tier-1 after holding
//! the tier-1 capability for `tier1_quarters` with at least `TIER1_RECORD_QUARTERS` as tier-2.
//! Thresholds scale with the sector's input complexity. A firm that falls back more than
//! `DEMOTION_MARGIN` below a threshold loses the tier.

use bevy::prelude::*;

use super::facilities::{Supplier, SupplyStatus};
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Scenario, Tier};

pub const TIER1_RECORD_QUARTERS: u32 = 4;
pub const DEMOTION_MARGIN: f64 = 0.05;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, audit.in_set(SimSet::Tiers));
}

/// Capability needed for tier-2 and tier-1 in the scenario's sector.
pub fn thresholds(s: &Scenario) -> (f64, f64) {
    let k = s.anchor.sector.input_complexity();
    (s.model.tier2_threshold * k, s.model.tier1_threshold * k)
}

/// One quarter of audits for one supplier (pure, so it can be tested on its own).
pub fn audit_one(sp: &mut Supplier, t2: f64, t1: f64, q2: u32, q1: u32) {
    let c = sp.capability;
    sp.quarters_at_tier2_level = if c >= t2 { sp.quarters_at_tier2_level + 1 } else { 0 };
    sp.quarters_at_tier1_level = if c >= t1 { sp.quarters_at_tier1_level + 1 } else { 0 };
    sp.tier = match sp.tier {
        Tier::Untiered if sp.quarters_at_tier2_level >= q2.max(1) => Tier::Tier2,
        Tier::Tier2 if c < t2 - DEMOTION_MARGIN => Tier::Untiered,
        Tier::Tier2 if sp.quarters_at_tier1_level >= q1.max(1) && sp.quarters_as_tier2 >= TIER1_RECORD_QUARTERS => Tier::Tier1,
        Tier::Tier1 if c < t1 - DEMOTION_MARGIN => Tier::Tier2,
        t => t,
    };
    if sp.tier == Tier::Tier2 {
        sp.quarters_as_tier2 += 1;
    }
    if sp.tier == Tier::Untiered {
        sp.status =
            SupplyStatus::NotQualified { capability: c, needed: t2, quarters_held: sp.quarters_at_tier2_level, quarters_needed: q2 };
    }
}

fn audit(scenario: Res<ActiveScenario>, mut suppliers: Query<&mut Supplier>) {
    let s = &scenario.0;
    let (t2, t1) = thresholds(s);
    for mut sp in &mut suppliers {
        audit_one(&mut sp, t2, t1, s.model.tier2_quarters, s.model.tier1_quarters);
    }
}
