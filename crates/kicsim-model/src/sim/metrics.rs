//! The KPIs of each quarter, kept in the sim so every driver reports the same numbers.

use bevy::prelude::*;
use serde::Serialize;

use super::clock::SimClock;
use super::facilities::Supplier;
use super::firms::FirmFlows;
use super::fiscal::FiscalQuarter;
use super::sourcing::AnchorState;
use super::workforce::LabourPools;
use super::{SimSet, SimStep};
use crate::registry::KPIS;
use crate::scenario::Tier;

/// Jobs per USD million of yearly output, anchor and suppliers; and a supplier's fixed staff.
pub const ANCHOR_JOBS_PER_USD_M: f64 = 1.5;
pub const SUPPLIER_JOBS_PER_USD_M: f64 = 8.0;
pub const SUPPLIER_BASE_JOBS: f64 = 25.0;

/// The number of KPI columns ([`crate::registry::KPIS`]).
pub const N_KPIS: usize = 17;

/// One row of `timeseries.csv`. Flows (exports, fiscal cost) are per quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterRecord {
    pub quarter: u32,
    pub year: f64,
    pub localization_rate: f64,
    pub domestic_sourcing_share: f64,
    pub exports_usd_m: f64,
    pub domestic_suppliers: u32,
    pub foreign_suppliers: u32,
    pub tier1_suppliers: u32,
    pub tier2_suppliers: u32,
    pub mean_supplier_capability: f64,
    pub employment: f64,
    pub fiscal_cost_usd_m: f64,
    pub cumulative_fiscal_cost_usd_m: f64,
    pub local_content_required: f64,
    pub anchor_unit_cost_index: f64,
    pub anchor_output_usd_m: f64,
    pub mean_worker_skill: f64,
    pub supplier_entries: u32,
    pub supplier_exits: u32,
}

impl QuarterRecord {
    /// KPI values in the order of [`crate::registry::KPIS`].
    pub fn kpis(&self) -> [f64; N_KPIS] {
        [
            self.localization_rate,
            self.domestic_sourcing_share,
            self.exports_usd_m,
            self.domestic_suppliers as f64,
            self.foreign_suppliers as f64,
            self.tier1_suppliers as f64,
            self.tier2_suppliers as f64,
            self.mean_supplier_capability,
            self.employment,
            self.fiscal_cost_usd_m,
            self.cumulative_fiscal_cost_usd_m,
            self.local_content_required,
            self.anchor_unit_cost_index,
            self.anchor_output_usd_m,
            self.mean_worker_skill,
            self.supplier_entries as f64,
            self.supplier_exits as f64,
        ]
    }

    pub fn kpi(&self, name: &str) -> Option<f64> {
        KPIS.iter().position(|k| k.name == name).map(|i| self.kpis()[i])
    }
}

#[derive(Resource, Clone, Debug, Default)]
pub struct Metrics {
    pub history: Vec<QuarterRecord>,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, record.in_set(SimSet::Metrics));
}

pub(super) fn reset(world: &mut World) {
    world.insert_resource(Metrics::default());
}

fn record(
    clock: Res<SimClock>,
    anchor: Res<AnchorState>,
    fiscal: Res<FiscalQuarter>,
    flows: Res<FirmFlows>,
    pools: Res<LabourPools>,
    mut metrics: ResMut<Metrics>,
    suppliers: Query<(&super::Facility, &Supplier)>,
) {
    let mut all: Vec<(u32, &Supplier)> = suppliers.iter().map(|(f, s)| (f.id, s)).collect();
    all.sort_by_key(|(id, _)| *id);
    // Jobs and exports count every supplier; tiers and capability are the domestic-owned firms'.
    let supplier_jobs: f64 =
        all.iter().map(|(_, s)| SUPPLIER_BASE_JOBS + SUPPLIER_JOBS_PER_USD_M * (s.local_sales() + s.exports_usd_m)).sum();
    let supplier_exports: f64 = all.iter().map(|(_, s)| s.exports_usd_m).sum();
    let foreign = all.iter().filter(|(_, s)| s.is_foreign()).count();
    let list: Vec<&(u32, &Supplier)> = all.iter().filter(|(_, s)| !s.is_foreign()).collect();
    let n = list.len();
    let tier1 = list.iter().filter(|(_, s)| s.tier == Tier::Tier1).count();
    let tier2 = list.iter().filter(|(_, s)| s.tier == Tier::Tier2).count();
    let mean_cap = if n > 0 { list.iter().map(|(_, s)| s.capability).sum::<f64>() / n as f64 } else { 0.0 };
    let mean_skill = if pools.skill.is_empty() { 0.0 } else { pools.skill.iter().sum::<f64>() / pools.skill.len() as f64 };
    metrics.history.push(QuarterRecord {
        quarter: clock.quarter,
        year: clock.year_end(),
        localization_rate: anchor.localization_rate,
        domestic_sourcing_share: anchor.domestic_sourcing_share,
        exports_usd_m: (anchor.exports_usd_m + supplier_exports) / 4.0,
        domestic_suppliers: n as u32,
        foreign_suppliers: foreign as u32,
        tier1_suppliers: tier1 as u32,
        tier2_suppliers: tier2 as u32,
        mean_supplier_capability: mean_cap,
        employment: (ANCHOR_JOBS_PER_USD_M * anchor.output_usd_m + supplier_jobs).round(),
        fiscal_cost_usd_m: fiscal.total,
        cumulative_fiscal_cost_usd_m: fiscal.cumulative,
        local_content_required: anchor.lcr_required,
        anchor_unit_cost_index: anchor.unit_cost_index,
        anchor_output_usd_m: anchor.output_usd_m,
        mean_worker_skill: mean_skill,
        supplier_entries: flows.entries,
        supplier_exits: flows.exits,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_lists_the_record_columns_in_order() {
        let r = QuarterRecord {
            quarter: 1,
            year: 0.25,
            localization_rate: 0.1,
            domestic_sourcing_share: 0.05,
            exports_usd_m: 2.0,
            domestic_suppliers: 3,
            foreign_suppliers: 2,
            tier1_suppliers: 4,
            tier2_suppliers: 5,
            mean_supplier_capability: 0.6,
            employment: 7.0,
            fiscal_cost_usd_m: 8.0,
            cumulative_fiscal_cost_usd_m: 9.0,
            local_content_required: 0.10,
            anchor_unit_cost_index: 11.0,
            anchor_output_usd_m: 12.0,
            mean_worker_skill: 0.13,
            supplier_entries: 14,
            supplier_exits: 15,
        };
        let json = serde_json::to_value(&r).unwrap();
        let columns: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "quarter" && *k != "year").collect();
        let names: Vec<&str> = KPIS.iter().map(|k| k.name).collect();
        assert_eq!(columns.len(), names.len());
        for (name, v) in names.iter().zip(r.kpis()) {
            assert_eq!(json[name].as_f64(), Some(v), "{name}");
            assert_eq!(r.kpi(name), Some(v));
        }
    }
}
