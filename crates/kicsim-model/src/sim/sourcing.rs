//! The anchor's sourcing choice. Each quarter the anchor splits its input demand
//! D = output * input_share between qualified domestic suppliers (tier-2 and tier-1) and imports
//! by a logit on delivered cost (smooth shares, as in discrete-choice sourcing models):
//!
//!   local delivered cost C_i = 1 + premium (1 - c) + trust * risk (1 - c)^2 + freight * km_i
//!                              + land rent share + interest share (+ tier-2 margin)
//!   import delivered cost C_m = import_cost + freight * km(port -> anchor) + markup
//!   desired share_i = exp(-C_i/mu) / (V exp(-C_m/mu) + sum_j exp(-C_j/mu))
//!
//! over the localizable part of D (`Sector::localizable_share`: chips, engines and the like are
//! imported whatever happens), where trust = 0.7 for a domestic anchor (it knows local firms),
//! else 1, and V = `IMPORT_VARIETY` (imports offer many more product lines than the complex). A
//! supplier sells min(share_i D, capacity_i). The local-content requirement (the roadmap, or the
//! anchor's own commitment if higher) acts as a shadow markup on imports, found by bisection up
//! to `lcr_fine`; any shortfall left is fined at `lcr_fine` per unit. Localization rate =
//! domestic purchases / D.

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::{Facility, FacilityKind, Supplier, SupplyStatus, sites_of};
use super::geo::freight_km;
use super::map::SiteMap;
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Ownership, Scenario, Site, Tier};

/// How many times more product lines imports offer than one domestic supplier.
pub const IMPORT_VARIETY: f64 = 8.0;
/// Extra margin of a tier-2 supplier's goods (they reach the anchor through a tier-1 or trader).
pub const TIER2_MARGIN: f64 = 0.03;
/// Capital per USD of yearly capacity (for the interest cost share).
pub const CAPITAL_INTENSITY: f64 = 0.5;
/// Share of desired inputs below which a qualified supplier counts as priced out.
pub const PRICED_OUT_SHARE: f64 = 0.002;

/// The anchor this quarter.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct AnchorState {
    /// Output, USD million per year at this quarter's rate.
    pub output_usd_m: f64,
    /// Input demand D, USD million per year.
    pub demand_usd_m: f64,
    /// Domestic purchases, USD million per year.
    pub local_purchases_usd_m: f64,
    pub localization_rate: f64,
    /// Local-content requirement in force.
    pub lcr_required: f64,
    /// Shadow markup on imports the requirement imposes (index units).
    pub lcr_markup: f64,
    /// Unmet requirement (share of D) fined at `lcr_fine`.
    pub lcr_shortfall: f64,
    /// Import delivered cost, index.
    pub import_cost: f64,
    /// Average cost of inputs incl. fines, index (all-import = `import_cost`).
    pub input_cost_index: f64,
    /// Freight km from the anchor to the port (through the best hub).
    pub port_freight_km: f64,
    /// Unit cost of the anchor's output, index (set by `exports.rs`).
    pub unit_cost_index: f64,
    /// The same with all inputs imported and no requirement (reference).
    pub reference_unit_cost_index: f64,
    /// Exports of the anchor, USD million per year (set by `exports.rs`).
    pub exports_usd_m: f64,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, source_inputs.in_set(SimSet::Sourcing));
}

pub(super) fn reset(world: &mut World, s: &Scenario) {
    world.insert_resource(AnchorState { output_usd_m: s.anchor.output_usd_m, ..Default::default() });
}

/// The requirement in force in a year: the roadmap or the anchor's commitment, whichever is higher.
pub fn required_share(s: &Scenario, year: f64) -> f64 {
    s.incentives.local_content_at(year).max(s.anchor.commitments.local_sourcing)
}

/// Delivered cost index of a qualified supplier's goods at the anchor.
pub fn local_cost(s: &Scenario, map: &SiteMap, year: f64, sp: &Supplier, site: Site, freight_km: f64) -> f64 {
    let m = &s.model;
    let gap = 1.0 - sp.capability;
    let trust = if s.anchor.ownership == Ownership::Domestic { 0.7 } else { 1.0 };
    let exempt = s.land_rent_exemption_at(year);
    let cap = sp.capacity_usd_m.max(1.0);
    let rent = m.land_rent_usd_m * map.land_price_at(site) * (1.0 - exempt) / cap;
    let rate = (m.lending_rate_pct - s.incentives.credit_interest_subsidy_pp).max(0.0) / 100.0;
    let interest = rate * m.leverage * CAPITAL_INTENSITY;
    let margin = if sp.tier == Tier::Tier2 { TIER2_MARGIN } else { 0.0 };
    1.0 + m.local_cost_premium * gap + trust * m.quality_risk * gap * gap + m.freight_per_km * freight_km + rent + interest + margin
}

/// Local volume and input cost for a given import markup.
fn allocate(caps: &[f64], costs: &[f64], import_cost: f64, markup: f64, mu: f64, demand: f64) -> (f64, f64, Vec<f64>) {
    // Work relative to the cheapest option for numerical safety.
    let m_cost = import_cost + markup;
    let base = costs.iter().copied().fold(m_cost, f64::min);
    let imp_w = IMPORT_VARIETY * (-(m_cost - base) / mu).exp();
    let w: Vec<f64> = costs.iter().map(|c| (-(c - base) / mu).exp()).collect();
    let total = imp_w + w.iter().sum::<f64>();
    let desired: Vec<f64> = w.iter().map(|wi| wi / total * demand).collect();
    let mut local = 0.0;
    let mut paid = 0.0;
    for ((d, cap), c) in desired.iter().zip(caps).zip(costs) {
        let v = d.min(*cap);
        local += v;
        paid += v * c;
    }
    (local, paid, desired)
}

fn source_inputs(
    scenario: Res<ActiveScenario>,
    clock: Res<SimClock>,
    map: Res<SiteMap>,
    mut anchor: ResMut<AnchorState>,
    facilities: Query<&Facility, Without<Supplier>>,
    mut suppliers: Query<(&Facility, &mut Supplier)>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let year = clock.years_elapsed();
    let hubs = sites_of(facilities.iter(), FacilityKind::LogisticsHub);
    let anchor_site = sites_of(facilities.iter(), FacilityKind::Anchor).first().copied().unwrap_or(s.anchor.site);
    let port_km = freight_km(&map, anchor_site, map.port, &hubs, m.hub_discount);
    let import_cost = m.import_cost + m.freight_per_km * port_km;
    let demand = anchor.output_usd_m * s.anchor.input_share;
    // Only the localizable part of the inputs is open to domestic suppliers.
    let open = demand * s.anchor.sector.localizable_share();

    let mut list: Vec<(u32, Site, Mut<Supplier>)> = suppliers.iter_mut().map(|(f, sp)| (f.id, f.site, sp)).collect();
    list.sort_by_key(|(id, _, _)| *id);
    let mut idx = Vec::new();
    let mut costs = Vec::new();
    let mut caps = Vec::new();
    for (i, (_, site, sp)) in list.iter_mut().enumerate() {
        let km = freight_km(&map, *site, anchor_site, &hubs, m.hub_discount);
        let c = local_cost(s, &map, year, sp, *site, km);
        sp.delivered_cost = c;
        sp.sales_usd_m = 0.0;
        sp.desired_usd_m = 0.0;
        if sp.tier != Tier::Untiered {
            idx.push(i);
            costs.push(c);
            caps.push(sp.capacity_usd_m);
        }
    }
    let mu = m.sourcing_logit_scale;
    let required = required_share(s, year);
    let (mut local, mut paid, mut desired) = allocate(&caps, &costs, import_cost, 0.0, mu, open);
    let mut markup = 0.0;
    if demand > 0.0 && local / demand < required {
        let (l_max, p_max, d_max) = allocate(&caps, &costs, import_cost, m.lcr_fine, mu, open);
        if l_max / demand < required {
            (local, paid, desired, markup) = (l_max, p_max, d_max, m.lcr_fine);
        } else {
            let (mut lo, mut hi) = (0.0, m.lcr_fine);
            for _ in 0..40 {
                let mid = 0.5 * (lo + hi);
                if allocate(&caps, &costs, import_cost, mid, mu, open).0 / demand < required {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            markup = hi;
            (local, paid, desired) = allocate(&caps, &costs, import_cost, hi, mu, open);
        }
    }
    for (k, &i) in idx.iter().enumerate() {
        let sp = &mut list[i].2;
        let sold = desired[k].min(caps[k]);
        sp.sales_usd_m = sold;
        sp.desired_usd_m = desired[k];
        sp.status = if demand > 0.0 && desired[k] / demand >= PRICED_OUT_SHARE {
            SupplyStatus::Supplying { share_of_inputs: sold / demand, capacity_bound: desired[k] > caps[k] }
        } else {
            SupplyStatus::PricedOut { local_cost: costs[k], import_cost: import_cost + markup }
        };
    }
    let rate = if demand > 0.0 { (local / demand).clamp(0.0, 1.0) } else { 0.0 };
    let shortfall = (required - rate).max(0.0);
    anchor.demand_usd_m = demand;
    anchor.local_purchases_usd_m = local;
    anchor.localization_rate = rate;
    anchor.lcr_required = required;
    anchor.lcr_markup = markup;
    anchor.lcr_shortfall = shortfall;
    anchor.import_cost = import_cost;
    anchor.port_freight_km = port_km;
    anchor.input_cost_index =
        if demand > 0.0 { (paid + (demand - local) * import_cost) / demand + m.lcr_fine * shortfall } else { import_cost };
}
