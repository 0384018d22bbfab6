//! Output and exports. The anchor's unit cost index is
//!   K = (1 - input_share) + input_share * input_cost_index + freight * km_to_port
//! and its exports are
//!   X = export_share * Y0 (1 + growth)^t * (K / K_ref)^(-elasticity) * G * P
//! with K_ref the same cost with all inputs imported and no requirement,
//! G = (1 + 15/50) / (1 + km/50) a gravity-type distance term (elasticity near -1 on the trip to
//! the gateway, 1 for a site 15 freight-km from the port) and
//! P = 1 + 0.08 ln(1 + promotion / 2) the export-promotion effect. Qualified suppliers also
//! export part of their spare capacity: 0.4 c (tier-1) or 0.15 c (tier-2) of it, times P.

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::Supplier;
use super::sourcing::AnchorState;
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Scenario, Tier};

/// Distance (freight km to the port) at which exports are halved by the gravity term.
pub const GRAVITY_KM: f64 = 50.0;
/// Freight km to the port at which the gravity term is 1.
pub const GRAVITY_REF_KM: f64 = 15.0;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, trade.in_set(SimSet::Exports));
}

/// The export-promotion multiplier.
pub fn promotion_effect(s: &Scenario) -> f64 {
    1.0 + 0.08 * (1.0 + s.incentives.export_promotion_usd_m_per_year / 2.0).ln()
}

fn trade(scenario: Res<ActiveScenario>, clock: Res<SimClock>, mut anchor: ResMut<AnchorState>, mut suppliers: Query<&mut Supplier>) {
    let s = &scenario.0;
    let m = &s.model;
    let a = &s.anchor;
    let logistics = m.freight_per_km * anchor.port_freight_km;
    let k = (1.0 - a.input_share) + a.input_share * anchor.input_cost_index + logistics;
    let k_ref = (1.0 - a.input_share) + a.input_share * anchor.import_cost + logistics;
    let base = a.output_usd_m * (1.0 + m.output_growth).powf(clock.year_end());
    let gravity = (1.0 + GRAVITY_REF_KM / GRAVITY_KM) / (1.0 + anchor.port_freight_km / GRAVITY_KM);
    let promo = promotion_effect(s);
    let exports = a.export_share * base * (k / k_ref).powf(-m.export_elasticity) * gravity * promo;
    anchor.unit_cost_index = k;
    anchor.reference_unit_cost_index = k_ref;
    anchor.exports_usd_m = exports;
    // Next quarter's demand follows this quarter's output.
    anchor.output_usd_m = (1.0 - a.export_share) * base + exports;
    for mut sp in &mut suppliers {
        let spare = (sp.capacity_usd_m - sp.sales_usd_m).max(0.0);
        let share = match sp.tier {
            Tier::Tier1 => 0.4,
            Tier::Tier2 => 0.15,
            Tier::Untiered => 0.0,
        };
        sp.exports_usd_m = share * sp.capability * spare * promo;
    }
}
