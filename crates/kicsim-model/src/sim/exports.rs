//! Output and exports. Distance to the port costs exports in two ways, counted once each:
//!
//! - money: freight. The anchor's unit cost index is
//!   `K = (1 - input_share) + input_share * input_cost_index + freight_per_km * freight_km_to_port`
//!   (imported inputs pay freight from the port inside the input cost index), and it is compared
//!   with the cost of a rival at the reference site, 15 km from its port, with all inputs imported,
//!   no requirement and freight at `REFERENCE_FREIGHT_PER_KM`:
//!   `K_ref = (1 - input_share) + input_share * (import_cost + f0 * 15) + f0 * 15`,
//!   so dearer freight, or a site farther from the port, raises K and not K_ref.
//! - time: a longer trip adds transit time and risk (Hummels & Schaur 2013: a day in transit costs
//!   0.6-2.1% of the goods' value), which freight rates do not include:
//!   `T = (1 + 15 / TIME_KM) / (1 + road_km_to_port / TIME_KM)`,
//!   on road km, not freight km: a logistics hub consolidates freight, it does not shorten the trip.
//!
//! The anchor's size answers its costs in three ways:
//!
//! - Investment (set at the start): the investor sizes the plant on its tax burden over a
//!   `APPRAISAL_YEARS` appraisal, b = EATR + (1 - EATR) * commitments / profit, where EATR is
//!   the average effective CIT rate over those years (holiday and preferential rate included),
//!   profit = profit_margin * Y0, and commitments are what the investment certificate makes it
//!   pay a year: its R&D spending, its trainees at the training cost, technology transfer
//!   (`TECH_TRANSFER_COST` of output at full transfer) and its land rent net of the exemption.
//!   The plant is Y0 * exp(-fdi_tax_semi_elasticity * (b - rival_tax_burden)): de Mooij &
//!   Ederveen (2003, 2008) find FDI falls by about 3% for a 1 pp higher tax rate (a
//!   semi-elasticity near -3), and a commitment the investor must pay for is a tax by another name.
//! - Output (each quarter): exports are
//!   X* = export_share * Y (1 + growth)^t * (K / K_ref)^(-elasticity) * T * P
//!   and home sales' target is (1 - export_share) * Y (1 + growth)^t; exports and home sales
//!   each move a share `OUTPUT_ADJUSTMENT` of the way to their targets each quarter (lines are
//!   added or idled, contracts won or lost, over about a year); output is their sum.
//! - Leaving (each quarter): while its unit cost is more than `relocation_threshold` above the
//!   reference rival's, the anchor moves lines to its other plants: the share of it that stays
//!   falls by relocation_rate / 4 * (K / K_ref - 1 - threshold) a quarter, and lines that left do
//!   not come back.
//!
//! P = 1 + PROMOTION_ELASTICITY ln(1 + budget / (PROMOTION_INTENSITY * planned exports)) is the
//! export-promotion effect: it depends on the budget relative to the exports it serves, with
//! diminishing returns (Lederman, Olarreaga & Payton 2010: exports rise by about 0.07% per 1% more
//! agency budget, with diminishing returns; a typical agency spends about 0.1% of the exports it
//! serves). At the reference site with the reference freight rate, all inputs imported, no
//! promotion and the rival's tax burden, X = export_share * Y0 (1 + growth)^t. Qualified suppliers
//! also export part of their spare capacity: 0.4 c (tier-1) or 0.15 c (tier-2) of it, times P.

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
/// Years over which the investor appraises the tax burden.
pub const APPRAISAL_YEARS: f64 = 10.0;
/// Yearly cost of full technology transfer to local suppliers, share of the anchor's output
/// (engineers seconded, training of suppliers' staff, licences given; an assumption: Teece 1977
/// finds transfer costs a large share of project costs).
pub const TECH_TRANSFER_COST: f64 = 0.004;
/// Share of the gap to its output target the anchor closes each quarter.
pub const OUTPUT_ADJUSTMENT: f64 = 0.25;
/// Exports' elasticity to the promotion budget at its reference intensity (Lederman et al. 2010).
pub const PROMOTION_ELASTICITY: f64 = 0.07;
/// Promotion budget per USD of the exports it serves at which the effect is
/// PROMOTION_ELASTICITY * ln 2.
pub const PROMOTION_INTENSITY: f64 = 0.001;
/// The smallest share of its plan an anchor keeps (an anchor whose commitments cost more than its
/// profit does not come; the model keeps a token plant so every ratio stays defined).
pub const MIN_INVESTMENT: f64 = 0.01;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, trade.in_set(SimSet::Exports));
}

/// The export-promotion multiplier for planned exports of `exports_usd_m` a year.
pub fn promotion_effect(s: &Scenario, exports_usd_m: f64) -> f64 {
    let budget = s.incentives.export_promotion_usd_m_per_year.max(0.0);
    if budget <= 0.0 {
        return 1.0;
    }
    1.0 + PROMOTION_ELASTICITY * (1.0 + budget / (PROMOTION_INTENSITY * exports_usd_m.max(1.0))).ln()
}

/// The anchor's tax burden over the appraisal (see the module's doc), 0.. (1 = all its profit).
pub fn tax_burden(s: &Scenario) -> f64 {
    let quarters = (APPRAISAL_YEARS * 4.0) as usize;
    let eatr = (0..quarters).map(|q| s.effective_cit_rate(q as f64 / 4.0)).sum::<f64>() / quarters as f64;
    let exempt = (0..quarters).map(|q| s.land_rent_exemption_at(q as f64 / 4.0)).sum::<f64>() / quarters as f64;
    let a = &s.anchor;
    let c = &a.commitments;
    let rent = super::fiscal::ANCHOR_LAND_MULTIPLE * s.model.land_rent_usd_m * (1.0 - exempt);
    let commitments = c.rd_usd_m_per_year
        + c.trainees_per_year * super::workforce::TRAINING_COST_USD / 1e6
        + c.tech_transfer * TECH_TRANSFER_COST * a.output_usd_m
        + rent;
    let profit = (s.model.profit_margin * a.output_usd_m).max(1e-9);
    eatr + (1.0 - eatr) * commitments / profit
}

/// The anchor's investment relative to its plan, from its tax burden.
pub fn investment_scale(s: &Scenario) -> f64 {
    (-s.model.fdi_tax_semi_elasticity * (tax_burden(s) - s.model.rival_tax_burden)).exp().clamp(MIN_INVESTMENT, 10.0)
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
    // Lines moved out while the cost gap is beyond the threshold; they do not come back.
    let excess = (k / k_ref - 1.0 - m.relocation_threshold).max(0.0);
    anchor.stays = (anchor.stays * (1.0 - m.relocation_rate / 4.0 * excess)).clamp(0.0, 1.0);
    let planned = a.output_usd_m * anchor.investment_scale * (1.0 + m.output_growth).powf(clock.year_end());
    let base = planned * anchor.stays;
    let time = time_term(anchor.port_road_km);
    let promo = promotion_effect(s, a.export_share * planned);
    let export_target = a.export_share * base * (k / k_ref).powf(-m.export_elasticity) * time * promo;
    let home_target = (1.0 - a.export_share) * base;
    // Exports and home sales move part of the way to their targets (the first quarter starts there).
    let (exports, home) = if clock.quarter <= 1 {
        (export_target, home_target)
    } else {
        let home_now = (anchor.output_usd_m - anchor.exports_usd_m).max(0.0);
        (
            anchor.exports_usd_m + OUTPUT_ADJUSTMENT * (export_target - anchor.exports_usd_m),
            home_now + OUTPUT_ADJUSTMENT * (home_target - home_now),
        )
    };
    anchor.unit_cost_index = k;
    anchor.reference_unit_cost_index = k_ref;
    anchor.exports_usd_m = exports;
    // Next quarter's demand follows this quarter's output.
    anchor.output_usd_m = home + exports;
    for mut sp in &mut suppliers {
        let spare = (sp.capacity_usd_m - sp.local_sales()).max(0.0);
        let share = match sp.tier {
            Tier::Tier1 => 0.4,
            Tier::Tier2 => 0.15,
            Tier::Untiered => 0.0,
        };
        sp.exports_usd_m = share * sp.capability * spare * promo;
    }
}
