//! Knowledge spillover: S(d) = a * exp(-d / lambda), summed over sources (Rosenthal & Strange:
//! agglomeration benefits fade within a few km). Sources are the anchor, public R&D centres (with
//! their budget) and tier-1 suppliers (with their capability).
//!
//! The anchor's amplitude goes through what it buys and does. Javorcik (2004) finds that the
//! productivity of domestic firms rises with the share of their industry's output that foreign
//! firms buy; here, the anchor's presence in its suppliers' market is
//!
//!   presence = P / (P + K)
//!
//! with P its purchases of localizable inputs (output * input share * the sector's localizable
//! share, USD million a year) and K the capacity of the complex's suppliers: 0 for an anchor that
//! buys nothing the complex could make, 1 for one that buys far more than it can. Then
//!
//!   a = anchor_spillover * own * (ENCLAVE_FLOOR + tech_transfer) * (presence / REFERENCE_PRESENCE)^anchor_presence_elasticity
//!       + rd_spillover * anchor R&D / 10
//!
//! with REFERENCE_PRESENCE = 2/3 (the baseline at the start: an anchor buying USD 780 million a
//! year from a complex of USD 355 million of capacity: 0.69) and own = `DOMESTIC_TECHNOLOGY` = 0.9
//! for a domestic anchor: it has less frontier technology to pass on than a multinational
//! (Javorcik & Spatareanu 2008 find multinationals transfer less sophisticated technology to
//! affiliates with local owners), but a smaller gap is easier to absorb (Havranek & Irsova 2011:
//! supplier spillovers are largest at moderate gaps, and larger from partly domestic-owned firms).
//! A bigger anchor next to the same suppliers gives more spillover; an anchor whose suppliers
//! grow with it keeps its presence.

use bevy::prelude::*;

use super::facilities::{Facility, FacilityKind, RdCentre, Supplier};
use super::sourcing::AnchorState;
use super::{ActiveScenario, SimSet, SimStep, dist};
use crate::scenario::{Ownership, Scenario, Site, Tier};

/// Spillover an "enclave" anchor still gives (demonstration effects, worker mobility).
pub const ENCLAVE_FLOOR: f64 = 0.2;
/// The anchor's presence at which `anchor_spillover` applies as written: the baseline at the start
/// (purchases of USD 780 million a year, suppliers' capacity of USD 355 million: 0.69).
pub const REFERENCE_PRESENCE: f64 = 2.0 / 3.0;
/// Technology a domestic anchor passes on, relative to a multinational's.
pub const DOMESTIC_TECHNOLOGY: f64 = 0.9;

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

/// Amplitude of the anchor's spillover at a presence (see [`presence`]).
pub fn anchor_amplitude(s: &Scenario, presence: f64) -> f64 {
    let m = &s.model;
    let own = if s.anchor.ownership == Ownership::Fdi { 1.0 } else { DOMESTIC_TECHNOLOGY };
    let size = (presence / REFERENCE_PRESENCE).powf(m.anchor_presence_elasticity);
    m.anchor_spillover * own * (ENCLAVE_FLOOR + s.anchor.commitments.tech_transfer) * size
        + m.rd_spillover * s.anchor.commitments.rd_usd_m_per_year / 10.0
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
            v.push((f.id, f.site, anchor_amplitude(s, anchor.presence)));
        }
    }
    for (f, c) in &centres {
        v.push((f.id, f.site, m.rd_spillover * c.budget_usd_m_per_year / 10.0));
    }
    for (f, sp) in &suppliers {
        if sp.tier == Tier::Tier1 {
            v.push((f.id, f.site, m.tier1_spillover * sp.capability));
        }
    }
    v.sort_by_key(|(id, _, _)| *id);
    for (f, mut sp) in &mut suppliers {
        sp.spillover = sources.at(f.site, m.spillover_lambda_km, Some(f.id));
    }
}
