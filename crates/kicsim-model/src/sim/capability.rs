//! Supplier capability: growth towards the firm's own potential, against a frontier that moves.
//!
//! Capability c (0..1) is measured against the anchor's current technology frontier. A firm can
//! close only part of its gap to the frontier: its potential p (management, finance, scale; drawn
//! at entry, `firms.rs`). What it learns is limited by absorptive capacity (Cohen & Levinthal
//! 1990: a firm learns in proportion to what it already knows and to its workers' skill, so a firm
//! far behind gains little):
//!
//!   absorb = skill * (ABSORB_FLOOR + c) / (ABSORB_FLOOR + 1)
//!   r      = g * boost * absorb * S + learning_by_doing * utilisation      learning intensity
//!   dc     = (p - c) * (1 - exp(-r))                                       towards the potential
//!          - (depreciation + frontier_growth / 4) * c + noise               know-how decays, the frontier moves
//!
//! (for a small r the first line is r (p - c), the usual catch-up form; the exponential keeps a
//! firm from overshooting its potential however strong the spillover).
//!
//! `boost` is what the incentives buy through the firm's own R&D, which the R&D deduction raises
//! only when the firm pays tax (the credit subsidy acts through the firm's costs, capacity and
//! entry, `sourcing.rs` and `firms.rs`, not through a learning multiplier of its own: we found no
//! source for one):
//!
//!   after-tax price of R&D relative to no deduction  q = (1 - t (1 + d)) / (1 - t)
//!   R&D = SUPPLIER_RD_SHARE * sales * q^(-rd_price_elasticity)
//!   boost_rd = q^(-rd_price_elasticity * rd_learning_elasticity)
//!
//! with t the tax rate the firm pays this year (0 during a tax holiday, and for a firm that sells
//! nothing and so has no taxable profit) and d = `incentives.rd_deduction`. A deduction is worth
//! d * t per USD of R&D (Hall & Van Reenen 2000): nothing to a firm that pays no tax.
//!
//! Utilisation counts everything the firm sells in the complex (to the anchor and to foreign-owned
//! suppliers). Foreign-owned suppliers do not learn here: their capability is their parent's.

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::{Facility, Supplier};
use super::rng::{SimRng, normal};
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::Scenario;

/// Keeps a firm at capability 0 from being entirely unable to learn.
pub const ABSORB_FLOOR: f64 = 0.1;
/// Suppliers' own R&D spending with no deduction, share of sales.
pub const SUPPLIER_RD_SHARE: f64 = 0.01;
/// The lowest after-tax price of R&D the model lets a deduction reach (a deduction worth more than
/// the R&D costs would pay firms to spend without limit).
pub const MIN_RD_PRICE: f64 = 0.1;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, learn.in_set(SimSet::Capability));
}

/// After-tax price of R&D with the deduction, relative to without it, for a firm paying `tax`.
pub fn rd_price(rd_deduction: f64, tax: f64) -> f64 {
    if tax <= 0.0 || rd_deduction <= 0.0 {
        return 1.0;
    }
    ((1.0 - tax * (1.0 + rd_deduction)) / (1.0 - tax).max(1e-9)).clamp(MIN_RD_PRICE, 1.0)
}

/// The tax rate a firm with these sales pays in a year (none without sales: no taxable profit).
pub fn tax_paid(s: &Scenario, year: f64, sales_usd_m: f64) -> f64 {
    if sales_usd_m > 0.0 { s.effective_cit_rate(year) } else { 0.0 }
}

pub fn absorptive_capacity(skill: f64, capability: f64) -> f64 {
    skill * (ABSORB_FLOOR + capability) / (ABSORB_FLOOR + 1.0)
}

/// One quarter of capability change for one firm, without the noise (pure, for tests).
pub fn capability_step(capability: f64, potential: f64, intensity: f64, drift: f64) -> f64 {
    let gain = (potential - capability).max(0.0) * (1.0 - (-intensity.max(0.0)).exp());
    capability + gain - drift * capability
}

fn learn(scenario: Res<ActiveScenario>, clock: Res<SimClock>, mut rng: ResMut<SimRng>, mut suppliers: Query<(&Facility, &mut Supplier)>) {
    let s = &scenario.0;
    let m = &s.model;
    let year = clock.years_elapsed();
    let drift = m.depreciation + m.frontier_growth / 4.0;
    let price = rd_price(s.incentives.rd_deduction, tax_paid(s, year, 1.0));
    let selling = (price.powf(-m.rd_price_elasticity), price.powf(-m.rd_price_elasticity * m.rd_learning_elasticity));
    let mut list: Vec<(u32, Mut<Supplier>)> = suppliers.iter_mut().map(|(f, sp)| (f.id, sp)).collect();
    list.sort_by_key(|(id, _)| *id);
    for (_, sp) in list.iter_mut() {
        if sp.is_foreign() {
            continue;
        }
        let c = sp.capability;
        let sales = sp.local_sales() + sp.exports_usd_m;
        // Every firm that sells pays this year's rate: one price (and its powers) for all of them.
        let (rd_factor, boost) = if sales > 0.0 { selling } else { (1.0, 1.0) };
        sp.rd_usd_m = SUPPLIER_RD_SHARE * sales * rd_factor;
        let absorb = absorptive_capacity(sp.worker_skill, c);
        let utilisation = if sp.capacity_usd_m > 0.0 { (sp.local_sales() / sp.capacity_usd_m).min(1.0) } else { 0.0 };
        let intensity = m.learning_rate * boost * absorb * sp.spillover + m.learning_by_doing * utilisation;
        let next = capability_step(c, sp.potential, intensity, drift) + m.capability_noise * normal(&mut rng.capability);
        sp.absorb = absorb;
        sp.capability = next.clamp(0.0, 1.0);
    }
}
