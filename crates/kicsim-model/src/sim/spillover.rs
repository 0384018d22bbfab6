//! Knowledge spillover to domestic-owned suppliers, through two channels.
//!
//! Supply links (the main channel): a firm learns from the buyers it actually supplies. Javorcik
//! (2004) finds domestic firms' productivity rises with the foreign firms' share of their
//! buyers, and Alfaro-Urena, Manelici & Vasquez (2022) that the gains follow the first sale to a
//! multinational; a firm that does not sell to the anchor does not learn its specifications,
//! audits and process know-how. For supplier i,
//!
//!   link_i = anchor_spillover * own * (LINK_FLOOR + tech_transfer) * min(1, sales_i / capacity_i)
//!          + foreign_link_spillover * min(1, sub_sales_i / capacity_i)
//!
//! with sales_i what the anchor bought from it last quarter and sub_sales_i what foreign-owned
//! suppliers bought from it (their own inputs), both relative to its capacity (the share of its
//! output that goes to the foreign buyer). `own` orders the anchor's owners as the literature
//! does: a joint venture gives the most (Javorcik & Spatareanu 2008 find vertical spillovers from
//! projects with shared foreign and domestic ownership, not from wholly owned ones; Havranek &
//! Irsova 2011 find supplier spillovers larger from partly foreign-owned firms), a wholly owned
//! affiliate less, a domestic anchor the least (it has less frontier technology to pass on).
//!
//! Proximity (a smaller term: demonstration, worker mobility, visits): S(d) = a exp(-d / lambda)
//! summed over the anchor (a = anchor_spillover * own * DEMONSTRATION, plus rd_spillover * its R&D
//! commitment / 10), public R&D centres (rd_spillover * budget / 10) and tier-1 suppliers
//! (domestic-owned ones, tier1_spillover * capability), which decays with distance (Rosenthal & Strange 2003, 2008).
//!
//! Foreign-owned suppliers receive no spillover: their capability is their parent's.
//!
//! The anchor's presence in its suppliers' market, P / (P + K) with P its purchases of
//! localizable inputs and K the complex's capacity, is kept for entry (`firms.rs`).

use bevy::prelude::*;

use super::facilities::{Facility, FacilityKind, RdCentre, Supplier};
use super::sourcing::AnchorState;
use super::{ActiveScenario, SimSet, SimStep, dist};
use crate::scenario::{Ownership, Scenario, Site, Tier};

/// What the anchor's owners pass on, relative to a wholly owned affiliate.
pub fn ownership_factor(o: Ownership) -> f64 {
    match o {
        Ownership::Fdi => 1.0,
        Ownership::JointVenture => JOINT_VENTURE_TECHNOLOGY,
        Ownership::Domestic => DOMESTIC_TECHNOLOGY,
    }
}

/// What a supply link with an anchor that commits no technology transfer still passes on
/// (the buyer's specifications, audits and feedback), in units of `tech_transfer`.
pub const LINK_FLOOR: f64 = 0.2;
/// The anchor's proximity spillover (demonstration, worker mobility) relative to `anchor_spillover`.
pub const DEMONSTRATION: f64 = 0.1;
/// Spillover amplitude of the supply link to a foreign-owned supplier that buys all of a
/// domestic firm's output (its own buyers' audits and specifications).
pub const FOREIGN_LINK_SPILLOVER: f64 = 0.5;
/// The anchor's presence at which `anchor_spillover` applies as written: the baseline at the start
/// (purchases of USD 780 million a year, suppliers' capacity of USD 355 million: 0.69).
pub const REFERENCE_PRESENCE: f64 = 2.0 / 3.0;
/// Technology a domestic anchor passes on, relative to a wholly owned multinational affiliate.
pub const DOMESTIC_TECHNOLOGY: f64 = 0.7;
/// Technology a joint venture passes on, relative to a wholly owned affiliate.
pub const JOINT_VENTURE_TECHNOLOGY: f64 = 1.3;

/// The sources of this quarter: (facility id, site, amplitude).
#[derive(Resource, Clone, Debug, Default)]
pub struct SpilloverSources(pub Vec<(u32, Site, f64)>);

impl SpilloverSources {
    /// Spillover intensity at a site, leaving out the source with id `except`.
    pub fn at(&self, site: Site, lambda_km: f64, except: Option<u32>) -> f64 {
        self.0.iter().filter(|(id, _, _)| Some(*id) != except).map(|(_, s, a)| a * (-dist(site, *s) / lambda_km).exp()).sum()
    }
}

pub(super) fn reset(world: &mut World) {
    world.insert_resource(SpilloverSources::default());
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SpilloverSources>();
    app.add_systems(SimStep, spread.in_set(SimSet::Spillover));
}

/// The anchor's purchases of localizable inputs at an output (USD million a year).
pub fn localizable_purchases(s: &Scenario, output_usd_m: f64) -> f64 {
    (output_usd_m * s.anchor.input_share * s.anchor.sector.localizable_share()).max(0.0)
}

/// The anchor's presence in its suppliers' market, P / (P + K), 0..1.
pub fn presence(s: &Scenario, output_usd_m: f64, supplier_capacity_usd_m: f64) -> f64 {
    let p = localizable_purchases(s, output_usd_m);
    let k = supplier_capacity_usd_m.max(0.0);
    if p + k > 0.0 { p / (p + k) } else { 0.0 }
}

/// Amplitude of the anchor's proximity spillover (demonstration and its own R&D).
pub fn anchor_amplitude(s: &Scenario) -> f64 {
    let m = &s.model;
    m.anchor_spillover * ownership_factor(s.anchor.ownership) * DEMONSTRATION
        + m.rd_spillover * s.anchor.commitments.rd_usd_m_per_year / 10.0
}

/// The supply-link spillover a domestic supplier receives (see the module's doc).
pub fn link_spillover(s: &Scenario, sp: &Supplier) -> f64 {
    let m = &s.model;
    let cap = sp.capacity_usd_m.max(1.0);
    let anchor = m.anchor_spillover * ownership_factor(s.anchor.ownership) * (LINK_FLOOR + s.anchor.commitments.tech_transfer);
    anchor * (sp.sales_usd_m / cap).min(1.0) + FOREIGN_LINK_SPILLOVER * (sp.sub_sales_usd_m / cap).min(1.0)
}

pub fn spread(
    scenario: Res<ActiveScenario>,
    mut anchor: ResMut<AnchorState>,
    mut sources: ResMut<SpilloverSources>,
    facilities: Query<&Facility, Without<Supplier>>,
    centres: Query<(&Facility, &RdCentre)>,
    mut suppliers: Query<(&Facility, &mut Supplier)>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let capacity: f64 = suppliers.iter().map(|(_, sp)| sp.capacity_usd_m).sum();
    anchor.presence = presence(s, anchor.output_usd_m, capacity);
    let v = &mut sources.0;
    v.clear();
    for f in &facilities {
        if f.kind == FacilityKind::Anchor {
            v.push((f.id, f.site, anchor_amplitude(s)));
        }
    }
    for (f, c) in &centres {
        v.push((f.id, f.site, m.rd_spillover * c.budget_usd_m_per_year / 10.0));
    }
    // Domestic tier-1 firms only: what foreign-owned suppliers pass on goes through what they buy.
    for (f, sp) in &suppliers {
        if sp.tier == Tier::Tier1 && !sp.is_foreign() {
            v.push((f.id, f.site, m.tier1_spillover * sp.capability));
        }
    }
    v.sort_by_key(|(id, _, _)| *id);
    for (f, mut sp) in &mut suppliers {
        sp.spillover = if sp.is_foreign() { 0.0 } else { sources.at(f.site, m.spillover_lambda_km, Some(f.id)) + link_spillover(s, &sp) };
    }
}
