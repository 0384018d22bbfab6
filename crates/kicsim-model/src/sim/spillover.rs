//! Knowledge spillover: S(d) = a * exp(-d / lambda), summed over sources (Rosenthal & Strange:
//! agglomeration benefits fade within a few km). Sources are the anchor (backward linkages,
//! Javorcik 2004: the amplitude grows with its tech-transfer commitment and its R&D spending),
//! public R&D centres (with their budget) and tier-1 suppliers (with their capability).

use bevy::prelude::*;

use super::facilities::{Facility, FacilityKind, RdCentre, Supplier};
use super::{ActiveScenario, SimSet, SimStep, dist};
use crate::scenario::{Ownership, Scenario, Site, Tier};

/// Spillover an "enclave" anchor still gives (demonstration effects, worker mobility).
pub const ENCLAVE_FLOOR: f64 = 0.2;

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

/// Amplitude of the anchor's spillover.
pub fn anchor_amplitude(s: &Scenario) -> f64 {
    let m = &s.model;
    let own = if s.anchor.ownership == Ownership::Fdi { 1.0 } else { 0.7 };
    m.anchor_spillover * own * (ENCLAVE_FLOOR + s.anchor.commitments.tech_transfer)
        + m.rd_spillover * s.anchor.commitments.rd_usd_m_per_year / 10.0
}

pub fn spread(
    scenario: Res<ActiveScenario>,
    mut sources: ResMut<SpilloverSources>,
    facilities: Query<&Facility, Without<Supplier>>,
    centres: Query<(&Facility, &RdCentre)>,
    mut suppliers: Query<(&Facility, &mut Supplier)>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let mut v: Vec<(u32, Site, f64)> = Vec::new();
    for f in &facilities {
        if f.kind == FacilityKind::Anchor {
            v.push((f.id, f.site, anchor_amplitude(s)));
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
    sources.0 = v;
    for (f, mut sp) in &mut suppliers {
        sp.spillover = sources.at(f.site, m.spillover_lambda_km, Some(f.id));
    }
}
