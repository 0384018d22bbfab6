//! Supplier firms: capacity investment, entry and exit.
//!
//! Capacity: a supplier whose desired sales exceed its capacity expands by
//! `EXPANSION_PER_QUARTER` of capacity (more with the interest subsidy); an idle one sheds
//! `SHRINK_PER_QUARTER`.
//!
//! Entry: new firms arrive as a Poisson flow with yearly mean
//!   entry_rate * tax_pull * rent_pull * credit_pull * demand_pull   (capped at 4 * entry_rate)
//!   demand_pull = presence / REFERENCE_PRESENCE * (0.5 + 2 * unmet / D)
//! where presence = P / (P + K) is the anchor's purchases of localizable inputs relative to the
//! complex's capacity (`spillover.rs`; 2/3 for the baseline at the start) and unmet is what the
//! anchor wanted to buy from qualified suppliers at this quarter's prices beyond all their
//! capacity. Both are demand the anchor really pays for: a local-content requirement draws firms
//! only through the import markup it makes the anchor pay (at most `lcr_fine`), never through the
//! requirement itself; an anchor that buys little next to the complex's capacity draws few firms.
//! An entrant picks the best of `ENTRY_CANDIDATES` random buildable sites by suitability,
//! spillover and land price, and draws its catch-up potential: the share h of its gap to the
//! frontier it can ever close, h = u^((1 - m) / m) with u uniform (mean m = `catch_up_potential`).
//!
//! Foreign-owned suppliers follow the anchor ("follow sourcing": Belderbos, Capannelli & Fukao
//! 2001; surveys of Japanese firms in Vietnam find their local purchases come largely from
//! Korean, Taiwanese and Japanese suppliers located there, JETRO/NNA 2019): they arrive as a
//! Poisson flow with yearly mean
//!   foreign_entry_rate * tax_pull * rent_pull * imports / REFERENCE_IMPORTS * win   (capped at 8 * foreign_entry_rate)
//!   win = max(0, 1 + (import_cost + markup - C_f) / FOLLOWER_MARGIN)
//! where imports is what the anchor still imports of the localizable inputs, the market a follower
//! can take, and C_f a follower's delivered cost (`FOLLOWER_CAPABILITY`, plus the
//! `foreign_cost_premium`): the shadow markup of a binding local-content rule is the anchor
//! inviting its suppliers to move in. A follower locates near the anchor, arrives qualified as a
//! tier-1 vendor (it supplies the anchor elsewhere) with capacity 15-40 USD million a year.
//!
//! Exit: yearly probability exit_rate * (1 - c) * (1 - utilisation) / tax_pull.

use bevy::prelude::*;
use rand::RngExt;

use super::clock::SimClock;
use super::facilities::{Facility, FacilityKind, NextFacilityId, Supplier};
use super::map::SiteMap;
use super::rng::{SimRng, poisson};
use super::sourcing::AnchorState;
use super::spillover::SpilloverSources;
use super::workforce::{LabourPools, worker_skill};
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Ownership, Scenario, Tier};

pub const EXPANSION_PER_QUARTER: f64 = 0.06;
pub const SHRINK_PER_QUARTER: f64 = 0.01;
pub const ENTRY_CANDIDATES: usize = 40;
/// Most suppliers the complex holds (keeps runs bounded).
pub const MAX_SUPPLIERS: usize = 600;
/// The anchor's imports of localizable inputs at which `foreign_entry_rate` applies as written
/// (about the baseline's in its first years), USD million a year.
pub const REFERENCE_IMPORTS: f64 = 400.0;
/// Capability of a foreign-owned follower (it brings its parent's technology).
pub const FOLLOWER_CAPABILITY: f64 = 0.8;
/// Price margin over a follower's cost at which its entry rate doubles, index.
pub const FOLLOWER_MARGIN: f64 = 0.1;
/// Most followers a year, in units of `foreign_entry_rate`.
pub const MAX_FOLLOWER_PULL: f64 = 8.0;
/// Distance scale of a follower's site choice: it locates near its customer, km.
pub const FOLLOWER_REACH_KM: f64 = 4.0;

/// Entries and exits of this quarter.
#[derive(Resource, Clone, Copy, Debug, Default)]
pub struct FirmFlows {
    pub entries: u32,
    pub exits: u32,
}

pub(super) fn reset(world: &mut World) {
    world.insert_resource(FirmFlows::default());
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FirmFlows>();
    app.add_systems(SimStep, (invest, enter_and_exit).chain().in_set(SimSet::Firms));
}

/// After-tax profitability relative to the standard regime (1 = no tax incentive).
pub fn tax_pull(s: &Scenario, year: f64) -> f64 {
    let std = s.model.standard_cit_rate;
    ((1.0 - s.effective_cit_rate(year)) / (1.0 - std).max(0.01)).max(0.1)
}

/// The share of its gap to the frontier a firm can close, from a uniform draw u: u^((1 - m) / m),
/// whose mean is m (0 < m < 1).
pub fn headroom(mean: f64, u: f64) -> f64 {
    let m = mean.clamp(0.01, 0.99);
    u.clamp(0.0, 1.0).powf((1.0 - m) / m)
}

fn invest(scenario: Res<ActiveScenario>, mut suppliers: Query<&mut Supplier>) {
    let finance = 1.0 + 0.5 * scenario.0.credit_subsidy_share();
    for mut sp in &mut suppliers {
        if sp.desired_usd_m > sp.capacity_usd_m {
            let gap = sp.desired_usd_m - sp.capacity_usd_m;
            let grow = (EXPANSION_PER_QUARTER * finance * sp.capacity_usd_m).min(gap);
            sp.capacity_usd_m += grow;
        } else if sp.local_sales() <= 0.0 && sp.exports_usd_m <= 0.0 {
            sp.capacity_usd_m = (sp.capacity_usd_m * (1.0 - SHRINK_PER_QUARTER)).max(1.0);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn enter_and_exit(
    mut commands: Commands,
    scenario: Res<ActiveScenario>,
    clock: Res<SimClock>,
    map: Res<SiteMap>,
    pools: Res<LabourPools>,
    sources: Res<SpilloverSources>,
    anchor: Res<AnchorState>,
    mut rng: ResMut<SimRng>,
    mut next_id: ResMut<NextFacilityId>,
    mut flows: ResMut<FirmFlows>,
    facilities: Query<(Entity, &Facility, Option<&Supplier>)>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let year = clock.years_elapsed();
    let tax = tax_pull(s, year);
    let rent_pull = 1.0 + 0.3 * s.land_rent_exemption_at(year);
    let credit_pull = 1.0 + 0.5 * s.credit_subsidy_share();
    let mut all: Vec<(u32, Entity, &Facility, Option<&Supplier>)> = facilities.iter().map(|(e, f, sp)| (f.id, e, f, sp)).collect();
    all.sort_by_key(|(id, _, _, _)| *id);
    let unmet = anchor.unmet_local_usd_m;
    let size = anchor.presence / super::spillover::REFERENCE_PRESENCE;
    let demand_pull = if anchor.demand_usd_m > 0.0 { size * (0.5 + 2.0 * unmet / anchor.demand_usd_m) } else { 0.0 };
    let rate = (m.entry_rate * tax * rent_pull * credit_pull * demand_pull).min(4.0 * m.entry_rate);

    // Exit: one draw per supplier every quarter, in id order, so streams stay aligned.
    let mut exits = 0;
    for (_, e, _, sp) in &all {
        let Some(sp) = sp else { continue };
        let draw: f64 = rng.exit.random();
        let util = if sp.capacity_usd_m > 0.0 { ((sp.local_sales() + sp.exports_usd_m) / sp.capacity_usd_m).min(1.0) } else { 0.0 };
        let p = m.exit_rate / 4.0 * (1.0 - sp.capability) * (1.0 - util) / tax;
        if draw < p {
            commands.entity(*e).despawn();
            exits += 1;
        }
    }

    // Entry.
    let n_suppliers = all.iter().filter(|(_, _, _, sp)| sp.is_some()).count() - exits as usize;
    let arrivals = poisson(&mut rng.entry, rate / 4.0).min(MAX_SUPPLIERS.saturating_sub(n_suppliers) as u32);
    let mut placed: Vec<(String, crate::scenario::Site)> = all.iter().map(|(_, _, f, _)| (f.name.clone(), f.site)).collect();
    let mut entries = 0;
    for _ in 0..arrivals {
        let best = best_site(&map, &mut rng.entry, &placed, |site| 0.3 + sources.at(site, m.spillover_lambda_km, None));
        let u: f64 = rng.entry.random();
        let v: f64 = rng.entry.random();
        let Some((_, i)) = best else { continue };
        let site = map.cell_centre(i);
        let skill = worker_skill(&map, &pools.skill, site, m.commute_lambda_km);
        let capability = ((0.08 + 0.2 * u) * (0.6 + skill)).min(1.0);
        let capacity = 4.0 + 8.0 * v;
        let potential = capability + (1.0 - capability) * headroom(m.catch_up_potential, rng.potential.random());
        let id = next_id.take();
        let name = format!("New supplier {id}");
        placed.push((name.clone(), site));
        commands.spawn((
            Facility { id, kind: FacilityKind::Supplier, name, site },
            Supplier::new(capability, potential, capacity, Tier::Untiered, clock.quarter),
        ));
        entries += 1;
    }
    // Foreign-owned followers, after the domestic entrants (their own stream).
    let n_now = n_suppliers + entries as usize;
    let rate_f = follower_rate(s, &anchor, tax * rent_pull);
    let followers = poisson(&mut rng.foreign, rate_f / 4.0).min(MAX_SUPPLIERS.saturating_sub(n_now) as u32);
    let anchor_site = all.iter().find(|(_, _, f, _)| f.kind == FacilityKind::Anchor).map_or(s.anchor.site, |(_, _, f, _)| f.site);
    for _ in 0..followers {
        let best = best_site(&map, &mut rng.foreign, &placed, |site| (-super::dist(site, anchor_site) / FOLLOWER_REACH_KM).exp());
        let u: f64 = rng.foreign.random();
        let v: f64 = rng.foreign.random();
        let Some((_, i)) = best else { continue };
        let site = map.cell_centre(i);
        let capability = FOLLOWER_CAPABILITY + 0.1 * (u - 0.5);
        let id = next_id.take();
        let name = format!("Foreign supplier {id}");
        placed.push((name.clone(), site));
        let mut sp = Supplier::new(capability, capability, 15.0 + 25.0 * v, Tier::Tier1, clock.quarter);
        sp.ownership = Ownership::Fdi;
        commands.spawn((Facility { id, kind: FacilityKind::Supplier, name, site }, sp));
        entries += 1;
    }
    *flows = FirmFlows { entries, exits };
}

/// The best of `ENTRY_CANDIDATES` random cells for an entrant: suitability x `pull(site)` x luck /
/// sqrt(land price), on a site that passes the site checks (None if no candidate does). Two draws
/// a candidate from `rng`, in order, whether or not the cell is buildable.
fn best_site(
    map: &SiteMap,
    rng: &mut rand::rngs::ChaCha8Rng,
    placed: &[(String, crate::scenario::Site)],
    pull: impl Fn(crate::scenario::Site) -> f64,
) -> Option<(f64, usize)> {
    let mut best: Option<(f64, usize)> = None;
    for _ in 0..ENTRY_CANDIDATES {
        let i = rng.random_range(0..map.n * map.n);
        let luck: f64 = rng.random();
        let suit = map.suitability(i);
        if suit <= 0.0 {
            continue;
        }
        let site = map.cell_centre(i);
        let score = suit * pull(site) * (0.5 + 0.5 * luck) / map.land_price[i].max(0.2).sqrt();
        if best.is_none_or(|(b, _)| score > b) && map.check_site(site, placed.iter().map(|(n, s)| (n.as_str(), *s))).is_ok() {
            best = Some((score, i));
        }
    }
    best
}

/// Yearly arrivals of foreign-owned followers (see the module's doc); `pull` is the tax and rent
/// pull of the incentives.
pub fn follower_rate(s: &Scenario, anchor: &AnchorState, pull: f64) -> f64 {
    let m = &s.model;
    let gap = 1.0 - FOLLOWER_CAPABILITY;
    let rate = (m.lending_rate_pct - s.incentives.credit_interest_subsidy_pp).max(0.0) / 100.0;
    let cost = 1.0
        + m.foreign_cost_premium
        + m.local_cost_premium * gap
        + m.quality_risk * gap * gap
        + rate * m.leverage * super::sourcing::CAPITAL_INTENSITY;
    let win = (1.0 + (anchor.import_cost + anchor.lcr_markup - cost) / FOLLOWER_MARGIN).max(0.0);
    (m.foreign_entry_rate * pull * anchor.open_imports_usd_m / REFERENCE_IMPORTS * win).min(MAX_FOLLOWER_PULL * m.foreign_entry_rate)
}
