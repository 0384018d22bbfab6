//! Tier progression. The anchor audits suppliers: a firm becomes ready for tier-2 after holding
//! the tier-2 capability for `tier2_quarters` (trial production, testing), and ready for tier-1
//! after holding the tier-1 capability for `tier1_quarters` with a record of at least
//! `TIER1_RECORD_QUARTERS` quarters as a tier-2 vendor that sold the anchor at least
//! `SUPPLY_RECORD_SHARE` of its capacity, and while it still does: the anchor certifies as tier-1
//! only firms it actually buys from (Alfaro-Urena et al. 2022). Thresholds scale with the sector's input complexity.
//!
//! A ready firm is promoted when the anchor audits it, and the anchor completes only
//! `vendor_audits_per_year` audits a year (audits, trial orders and certification take a
//! supplier-quality team's time): each quarter a quarter of them is added to the audit budget
//! (unused audits are not saved up beyond one quarter's worth, or one audit), and the ready firms
//! are audited in order of capability (the anchor looks for the best vendors first; ties by id).
//! The others wait. A binding local-content rule makes the anchor qualify vendors faster (it pays for supplier development
//! instead of fines: Veloso 2006 on automotive local-content rules), by 1 + markup /
//! `AUDIT_MARKUP` with the rule's shadow markup on imports (`sourcing.rs`, last quarter's). A
//! rule speeds up only firms that are ready: without capable firms it qualifies no one.
//!
//! A firm that falls back more than `DEMOTION_MARGIN` below a threshold loses the tier (no audit
//! needed).

use bevy::prelude::*;

pub use super::facilities::TIER1_RECORD_QUARTERS;
use super::facilities::{Facility, Supplier, SupplyStatus};
use super::sourcing::AnchorState;
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Scenario, Tier};

pub const DEMOTION_MARGIN: f64 = 0.05;
/// Share of its capacity a tier-2 firm must sell to the anchor in a quarter for it to count in
/// its record of supply (and to be ready for a tier-1 audit).
pub const SUPPLY_RECORD_SHARE: f64 = 0.1;
/// Shadow markup of a local-content rule that doubles the audits.
pub const AUDIT_MARKUP: f64 = 0.05;

/// Audits the anchor can still run (fractional: a quarter of the yearly number accrues each quarter).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq)]
pub struct AuditBudget(pub f64);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<AuditBudget>();
    app.add_systems(SimStep, audit.in_set(SimSet::Tiers));
}

pub(super) fn reset(world: &mut World) {
    world.insert_resource(AuditBudget::default());
}

/// One quarter of one supplier's record (pure, so it can be tested on its own): counts the
/// quarters at each threshold, applies demotions, and returns the tier the firm is ready to be
/// audited for (`None` if none). Promotion itself waits for an audit ([`promote`]).
pub fn audit_one(sp: &mut Supplier, t2: f64, t1: f64, q2: u32, q1: u32) -> Option<Tier> {
    let c = sp.capability;
    let supplies = sp.sales_usd_m >= SUPPLY_RECORD_SHARE * sp.capacity_usd_m && sp.sales_usd_m > 0.0;
    sp.quarters_at_tier2_level = if c >= t2 { sp.quarters_at_tier2_level + 1 } else { 0 };
    sp.quarters_at_tier1_level = if c >= t1 { sp.quarters_at_tier1_level + 1 } else { 0 };
    sp.tier = match sp.tier {
        Tier::Tier2 if c < t2 - DEMOTION_MARGIN => Tier::Untiered,
        Tier::Tier1 if c < t1 - DEMOTION_MARGIN => Tier::Tier2,
        t => t,
    };
    let ready = match sp.tier {
        Tier::Untiered if sp.quarters_at_tier2_level >= q2.max(1) => Some(Tier::Tier2),
        Tier::Tier2 if sp.quarters_at_tier1_level >= q1.max(1) && sp.quarters_as_tier2 >= TIER1_RECORD_QUARTERS && supplies => {
            Some(Tier::Tier1)
        }
        _ => None,
    };
    // The record a tier-1 audit asks for is one of supply: quarters in which the anchor bought
    // from the firm (last quarter's sales), not quarters of holding a certificate.
    if sp.tier == Tier::Tier2 && supplies {
        sp.quarters_as_tier2 += 1;
    }
    if ready.is_none() {
        sp.quarters_waiting = 0;
    }
    if sp.tier == Tier::Untiered && ready.is_none() {
        sp.status =
            SupplyStatus::NotQualified { capability: c, needed: t2, quarters_held: sp.quarters_at_tier2_level, quarters_needed: q2 };
    }
    ready
}

/// The audit: the firm gets the tier it was ready for.
pub fn promote(sp: &mut Supplier, to: Tier) {
    sp.tier = to;
    sp.quarters_waiting = 0;
}

/// Audits a year under a rule with this shadow markup.
pub fn audits_per_year(s: &Scenario, markup: f64) -> f64 {
    s.model.vendor_audits_per_year.max(0.0) * (1.0 + markup.max(0.0) / AUDIT_MARKUP)
}

fn audit(
    scenario: Res<ActiveScenario>,
    anchor: Res<AnchorState>,
    mut budget: ResMut<AuditBudget>,
    mut suppliers: Query<(&Facility, &mut Supplier)>,
) {
    let s = &scenario.0;
    let (t2, t1) = s.tier_thresholds();
    let per_year = audits_per_year(s, anchor.lcr_markup);
    // Audits not used in a quarter are not saved up: at most one quarter's worth (at least one
    // audit) is available, so firms ready together are qualified over several quarters.
    budget.0 = (budget.0 + per_year / 4.0).min((per_year / 4.0).max(1.0));
    let mut ready: Vec<(f64, u32, Tier, Mut<Supplier>)> = Vec::new();
    for (f, mut sp) in &mut suppliers {
        if let Some(to) = audit_one(&mut sp, t2, t1, s.model.tier2_quarters, s.model.tier1_quarters) {
            ready.push((sp.capability, f.id, to, sp));
        }
    }
    ready.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, to, sp) in ready.iter_mut() {
        if budget.0 >= 1.0 {
            budget.0 -= 1.0;
            promote(sp, *to);
        } else {
            sp.quarters_waiting += 1;
            if sp.tier == Tier::Untiered {
                sp.status = SupplyStatus::AwaitingAudit { to: *to, quarters_waiting: sp.quarters_waiting };
            }
        }
    }
}
