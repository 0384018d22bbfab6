//! Output and exports. Distance to the port costs exports in two ways, counted once each.
//!
//! Money, freight. The anchor's unit cost index is
//!
//!   K = (1 - input_share) + input_share * input_cost_index + freight_per_km * freight_km_to_port
//!
//! (imported inputs pay freight from the port inside the input cost index), and it is compared
//! with the cost of a rival at the reference site, 15 km from its port, with all inputs imported,
//! no requirement and freight at `REFERENCE_FREIGHT_PER_KM` (f0):
//!
//!   K_ref = (1 - input_share) + input_share * (import_cost + f0 * 15) + f0 * 15
//!
//! so dearer freight, or a site farther from the port, raises K and not K_ref.
//!
//! Time. A longer trip adds transit time and risk (Hummels & Schaur 2013: a day in transit costs
//! 0.6-2.1% of the goods' value), which freight rates do not include:
//!
//!   T = (1 + 15 / TIME_KM) / (1 + road_km_to_port / TIME_KM)
//!
//! on road km, not freight km: a logistics hub consolidates freight, it does not shorten the trip.
//!
//! Exports are
//!   X = export_share * Y0 (1 + growth)^t * (K / K_ref)^(-elasticity) * T * P
//! with P = 1 + 0.08 ln(1 + promotion / 2) the export-promotion effect. At the reference site with
//! the reference freight rate, all inputs imported and no promotion, X = export_share * Y0 (1 +
//! growth)^t. Qualified suppliers also export part of their spare capacity: 0.4 c (tier-1) or
//! 0.15 c (tier-2) of it, times P.

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::Supplier;
use super::sourcing::AnchorState;
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Scenario, Tier};

/// Road km to the port at which the time term has halved exports (relative to a site at the port).
pub const TIME_KM: f64 = 50.0;
/// The reference site's distance to its port, km: the time term is 1 there.
pub const REFERENCE_PORT_KM: f64 = 15.0;
/// Freight rate of the reference rival (the calibrated `model.freight_per_km`), index per km.
pub const REFERENCE_FREIGHT_PER_KM: f64 = 0.002;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, trade.in_set(SimSet::Exports));
}

/// The export-promotion multiplier.
pub fn promotion_effect(s: &Scenario) -> f64 {
    1.0 + 0.08 * (1.0 + s.incentives.export_promotion_usd_m_per_year / 2.0).ln()
}

/// The time-and-risk term of a site `road_km` by road from the port (1 at the reference site).
pub fn time_term(road_km: f64) -> f64 {
    (1.0 + REFERENCE_PORT_KM / TIME_KM) / (1.0 + road_km.max(0.0) / TIME_KM)
}

/// The reference rival's unit cost index.
pub fn reference_unit_cost(s: &Scenario) -> f64 {
    let a = &s.anchor;
    let freight = REFERENCE_FREIGHT_PER_KM * REFERENCE_PORT_KM;
    (1.0 - a.input_share) + a.input_share * (s.model.import_cost + freight) + freight
}

fn trade(scenario: Res<ActiveScenario>, clock: Res<SimClock>, mut anchor: ResMut<AnchorState>, mut suppliers: Query<&mut Supplier>) {
    let s = &scenario.0;
    let m = &s.model;
    let a = &s.anchor;
    let logistics = m.freight_per_km * anchor.port_freight_km;
    let k = (1.0 - a.input_share) + a.input_share * anchor.input_cost_index + logistics;
    let k_ref = reference_unit_cost(s);
    let base = a.output_usd_m * (1.0 + m.output_growth).powf(clock.year_end());
    let time = time_term(anchor.port_road_km);
    let promo = promotion_effect(s);
    let exports = a.export_share * base * (k / k_ref).powf(-m.export_elasticity) * time * promo;
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
