//! Fiscal cost of the incentives, USD million per quarter:
//!   forgone CIT      = profit * (standard rate - effective rate), profit = margin * sales
//!   forgone land rent = exemption * rent (anchor + suppliers) while the exemption lasts
//!   interest subsidy  = subsidy_pp / 100 * leverage * supplier capacity
//!   R&D deduction     = rd_deduction * tax rate paid * R&D spending (the anchor's commitment, and
//!                       what each supplier spends, `capability.rs`): nothing during a tax holiday
//!   training subsidy  = subsidy per trainee * trainees
//!   export promotion  = the budget
//!   programmes        = R&D centre budgets + training centres' own trainees * training cost
//!   local-content fines (revenue, subtracted) = what the anchor pays for a shortfall the audits find
//! Part of this is redundant (it pays firms that would have come anyway): measure it with a
//! paired run with that incentive off (`kicsim compare`).

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::{RdCentre, Supplier};
use super::map::SiteMap;
use super::sourcing::AnchorState;
use super::workforce::{LabourPools, TRAINING_COST_USD};
use super::{ActiveScenario, SimSet, SimStep};

/// Land rent of the anchor relative to one supplier.
pub const ANCHOR_LAND_MULTIPLE: f64 = 20.0;

#[derive(Resource, Clone, Copy, Debug, Default, PartialEq)]
pub struct FiscalQuarter {
    pub forgone_cit: f64,
    pub forgone_land_rent: f64,
    pub interest_subsidy: f64,
    pub rd_deduction: f64,
    pub training_subsidy: f64,
    pub export_promotion: f64,
    pub programmes: f64,
    /// Local-content fines collected (revenue: subtracted from the total).
    pub lcr_fines: f64,
    pub total: f64,
    pub cumulative: f64,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, account.in_set(SimSet::Fiscal));
}

pub(super) fn reset(world: &mut World) {
    world.insert_resource(FiscalQuarter::default());
}

fn account(
    scenario: Res<ActiveScenario>,
    clock: Res<SimClock>,
    map: Res<SiteMap>,
    anchor: Res<AnchorState>,
    pools: Res<LabourPools>,
    mut fiscal: ResMut<FiscalQuarter>,
    suppliers: Query<(&super::Facility, &Supplier)>,
    centres: Query<&RdCentre>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let inc = &s.incentives;
    let year = clock.years_elapsed();
    let mut list: Vec<(u32, f64, f64, f64, f64)> = suppliers
        .iter()
        .map(|(f, sp)| (f.id, sp.local_sales() + sp.exports_usd_m, sp.capacity_usd_m, map.land_price_at(f.site), sp.rd_usd_m))
        .collect();
    list.sort_by_key(|x| x.0);
    let supplier_sales: f64 = list.iter().map(|x| x.1).sum();
    let capacity: f64 = list.iter().map(|x| x.2).sum();
    let supplier_land: f64 = list.iter().map(|x| x.3).sum();
    // Suppliers with R&D have sales, so they pay the rate in force (`capability.rs`).
    let supplier_rd: f64 = list.iter().map(|x| x.4).sum();

    let profit = m.profit_margin * (anchor.output_usd_m + supplier_sales);
    let forgone_cit = profit * (m.standard_cit_rate - s.effective_cit_rate(year)) / 4.0;
    let exempt = s.land_rent_exemption_at(year);
    let anchor_land = ANCHOR_LAND_MULTIPLE * map.land_price_at(s.anchor.site);
    let forgone_land_rent = exempt * m.land_rent_usd_m * (anchor_land + supplier_land) / 4.0;
    let interest_subsidy = inc.credit_interest_subsidy_pp / 100.0 * m.leverage * capacity / 4.0;
    let rd_spend = s.anchor.commitments.rd_usd_m_per_year + supplier_rd;
    let rd_deduction = inc.rd_deduction * s.effective_cit_rate(year) * rd_spend / 4.0;
    let training_subsidy = inc.training_subsidy_usd_per_trainee * pools.trainees_per_year / 1e6 / 4.0;
    let export_promotion = inc.export_promotion_usd_m_per_year / 4.0;
    let rd_budgets: f64 = centres.iter().map(|c| c.budget_usd_m_per_year).sum();
    let programmes = (rd_budgets + pools.centre_trainees_per_year * TRAINING_COST_USD / 1e6) / 4.0;
    let lcr_fines = anchor.lcr_fines_usd_m / 4.0;
    let total =
        forgone_cit + forgone_land_rent + interest_subsidy + rd_deduction + training_subsidy + export_promotion + programmes - lcr_fines;
    *fiscal = FiscalQuarter {
        forgone_cit,
        forgone_land_rent,
        interest_subsidy,
        rd_deduction,
        training_subsidy,
        export_promotion,
        programmes,
        lcr_fines,
        total,
        cumulative: fiscal.cumulative + total,
    };
}
