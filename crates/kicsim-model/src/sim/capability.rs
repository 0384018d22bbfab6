//! Supplier capability growth towards the frontier (c = 1), limited by absorptive capacity
//! (Cohen & Levinthal 1990: a firm learns in proportion to what it already knows and to its
//! workers' skill, so a firm far behind gains little):
//!
//!   absorb = skill * (ABSORB_FLOOR + c) / (ABSORB_FLOOR + 1)
//!   dc = g * boost * absorb * S * (1 - c)          spillover learning
//!      + learning_by_doing * utilisation * (1 - c)  supplying the anchor
//!      - depreciation * c + noise
//!
//! `boost` is what the incentives buy: the R&D deduction makes firms' own R&D cheaper and the
//! interest subsidy pays for equipment: boost = (1 + 0.3 rd_deduction) (1 + 0.5 subsidy / rate).

use bevy::prelude::*;

use super::facilities::{Facility, Supplier};
use super::rng::{SimRng, normal};
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::Scenario;

/// Keeps a firm at capability 0 from being entirely unable to learn.
pub const ABSORB_FLOOR: f64 = 0.1;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, learn.in_set(SimSet::Capability));
}

/// Multiplier of learning bought by the R&D deduction and the credit subsidy.
pub fn incentive_boost(s: &Scenario) -> f64 {
    (1.0 + 0.3 * s.incentives.rd_deduction) * (1.0 + 0.5 * s.credit_subsidy_share())
}

pub fn absorptive_capacity(skill: f64, capability: f64) -> f64 {
    skill * (ABSORB_FLOOR + capability) / (ABSORB_FLOOR + 1.0)
}

fn learn(scenario: Res<ActiveScenario>, mut rng: ResMut<SimRng>, mut suppliers: Query<(&Facility, &mut Supplier)>) {
    let s = &scenario.0;
    let m = &s.model;
    let boost = incentive_boost(s);
    let mut list: Vec<(u32, Mut<Supplier>)> = suppliers.iter_mut().map(|(f, sp)| (f.id, sp)).collect();
    list.sort_by_key(|(id, _)| *id);
    for (_, sp) in list.iter_mut() {
        let c = sp.capability;
        let absorb = absorptive_capacity(sp.worker_skill, c);
        let utilisation = if sp.capacity_usd_m > 0.0 { (sp.sales_usd_m / sp.capacity_usd_m).min(1.0) } else { 0.0 };
        let dc = m.learning_rate * boost * absorb * sp.spillover * (1.0 - c) + m.learning_by_doing * utilisation * (1.0 - c)
            - m.depreciation * c
            + m.capability_noise * normal(&mut rng.capability);
        sp.absorb = absorb;
        sp.capability = (c + dc).clamp(0.0, 1.0);
    }
}
