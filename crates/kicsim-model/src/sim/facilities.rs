//! Facilities on the map as entities: the anchor, suppliers, R&D centres, training centres and
//! logistics hubs. Every facility has a stable integer id; systems sort by it.

use bevy::prelude::*;

use crate::scenario::{Ownership, Scenario, Site, Tier};

/// Quarters a supplier must have sold to the anchor as tier-2 before a tier-1 audit.
pub const TIER1_RECORD_QUARTERS: u32 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacilityKind {
    Anchor,
    Supplier,
    RdCentre,
    TrainingCentre,
    LogisticsHub,
}

impl FacilityKind {
    pub fn label(self) -> &'static str {
        match self {
            FacilityKind::Anchor => "anchor enterprise",
            FacilityKind::Supplier => "supplier",
            FacilityKind::RdCentre => "R&D centre",
            FacilityKind::TrainingCentre => "training centre",
            FacilityKind::LogisticsHub => "logistics hub",
        }
    }
}

#[derive(Component, Clone, Debug, PartialEq)]
pub struct Facility {
    pub id: u32,
    pub kind: FacilityKind,
    pub name: String,
    pub site: Site,
}

/// Why a supplier is or is not selling to the anchor this quarter.
#[derive(Clone, Debug, PartialEq)]
pub enum SupplyStatus {
    /// Capability below what the anchor's audit requires (tier-2), or not yet held long enough.
    NotQualified { capability: f64, needed: f64, quarters_held: u32, quarters_needed: u32 },
    /// Ready for promotion, waiting for one of the anchor's audits (it runs a limited number a year).
    AwaitingAudit { to: Tier, quarters_waiting: u32 },
    /// Qualified, but its delivered cost loses to imports for most of the anchor's demand.
    PricedOut { local_cost: f64, import_cost: f64 },
    /// Selling to the anchor; `capacity_bound` when it could sell more with more capacity.
    Supplying { share_of_inputs: f64, capacity_bound: bool },
}

impl SupplyStatus {
    pub fn explain(&self) -> String {
        match self {
            SupplyStatus::NotQualified { capability, needed, quarters_held, quarters_needed } => {
                if capability < needed {
                    format!("not qualified: capability {capability:.2} is below the {needed:.2} the anchor's audit requires")
                } else {
                    format!(
                        "not yet qualified: at the required capability for {quarters_held} of {quarters_needed} quarters of trial production"
                    )
                }
            }
            SupplyStatus::AwaitingAudit { to, quarters_waiting } => format!(
                "ready for {}: waiting {quarters_waiting} quarter(s) for one of the anchor's qualification audits (it runs a limited number a year, the most capable candidates first)",
                to.label()
            ),
            SupplyStatus::PricedOut { local_cost, import_cost } => {
                format!("qualified but priced out: delivered cost {local_cost:.3} vs import {import_cost:.3} (index)")
            }
            SupplyStatus::Supplying { share_of_inputs, capacity_bound } => format!(
                "supplying {:.1}% of the anchor's inputs{}",
                100.0 * share_of_inputs,
                if *capacity_bound { " (at full capacity)" } else { "" }
            ),
        }
    }
}

#[derive(Component, Clone, Debug, PartialEq)]
pub struct Supplier {
    /// Capability, 0..1, relative to the anchor's current technology frontier.
    pub capability: f64,
    /// The highest capability this firm can reach (its management, finance and scale), 0..1.
    pub potential: f64,
    /// Capacity, USD million per year.
    pub capacity_usd_m: f64,
    pub tier: Tier,
    /// Consecutive quarters at or above the tier-2 / tier-1 threshold.
    pub quarters_at_tier2_level: u32,
    pub quarters_at_tier1_level: u32,
    /// Quarters spent as tier-2 selling to the anchor (tier-1 audits need a record of supply).
    pub quarters_as_tier2: u32,
    /// Quarters it has waited for an audit since it became ready for promotion.
    pub quarters_waiting: u32,
    /// Own R&D spending, USD million per year at this quarter's rate.
    pub rd_usd_m: f64,
    /// Spillover intensity received this quarter.
    pub spillover: f64,
    /// Skill of its workers, 0..1.
    pub worker_skill: f64,
    /// Absorptive capacity this quarter.
    pub absorb: f64,
    /// Sales to the anchor, USD million per year at this quarter's rate.
    pub sales_usd_m: f64,
    /// Sales to foreign-owned suppliers of the complex (inputs for what they make for the
    /// anchor), USD million per year.
    pub sub_sales_usd_m: f64,
    /// Who owns the firm (`Fdi` and `JointVenture` are foreign-invested suppliers).
    pub ownership: Ownership,
    /// What the anchor would buy from it with unlimited capacity, USD million per year.
    pub desired_usd_m: f64,
    /// Delivered cost index to the anchor.
    pub delivered_cost: f64,
    /// Exports to other buyers, USD million per year.
    pub exports_usd_m: f64,
    pub status: SupplyStatus,
    /// Quarter the firm entered (0 = present at the start).
    pub entered_quarter: u32,
}

impl Supplier {
    /// A foreign-owned supplier or joint venture.
    pub fn is_foreign(&self) -> bool {
        self.ownership.is_foreign()
    }

    /// Everything it sells in the complex (to the anchor and to foreign-owned suppliers).
    pub fn local_sales(&self) -> f64 {
        self.sales_usd_m + self.sub_sales_usd_m
    }
}

impl Supplier {
    pub fn new(capability: f64, potential: f64, capacity_usd_m: f64, tier: Tier, entered_quarter: u32) -> Self {
        Supplier {
            capability,
            potential,
            capacity_usd_m,
            tier,
            quarters_at_tier2_level: 0,
            quarters_at_tier1_level: 0,
            quarters_as_tier2: 0,
            quarters_waiting: 0,
            rd_usd_m: 0.0,
            spillover: 0.0,
            worker_skill: 0.0,
            absorb: 0.0,
            sales_usd_m: 0.0,
            sub_sales_usd_m: 0.0,
            ownership: Ownership::Domestic,
            desired_usd_m: 0.0,
            delivered_cost: 0.0,
            exports_usd_m: 0.0,
            status: SupplyStatus::NotQualified { capability, needed: 0.0, quarters_held: 0, quarters_needed: 0 },
            entered_quarter,
        }
    }
}

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct RdCentre {
    pub budget_usd_m_per_year: f64,
}

#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct TrainingCentre {
    pub trainees_per_year: f64,
}

/// Where a facility comes from in the scenario: its kind and index in that kind's list
/// (0 for the anchor). Firms that entered during the run have none.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanRef(pub FacilityKind, pub usize);

/// The next free facility id.
#[derive(Resource, Clone, Copy, Debug)]
pub struct NextFacilityId(pub u32);

impl NextFacilityId {
    pub fn take(&mut self) -> u32 {
        self.0 += 1;
        self.0 - 1
    }
}

pub(super) fn reset(world: &mut World, s: &Scenario) {
    let old: Vec<Entity> = world.query_filtered::<Entity, With<Facility>>().iter(world).collect();
    for e in old {
        world.despawn(e);
    }
    let mut id = 1;
    let mut next = |kind, name: &str, site| {
        let f = Facility { id, kind, name: name.to_string(), site };
        id += 1;
        f
    };
    // A facility the file leaves unnamed is called after its kind and place in its list.
    let named = |name: &str, kind: &str, i: usize| if name.is_empty() { format!("{kind} {}", i + 1) } else { name.to_string() };
    world.spawn((next(FacilityKind::Anchor, "Anchor", s.anchor.site), PlanRef(FacilityKind::Anchor, 0)));
    for (i, r) in s.rd_centres.iter().enumerate() {
        let name = named(&r.name, "R&D centre", i);
        world.spawn((
            next(FacilityKind::RdCentre, &name, r.site),
            RdCentre { budget_usd_m_per_year: r.budget_usd_m_per_year },
            PlanRef(FacilityKind::RdCentre, i),
        ));
    }
    for (i, t) in s.training_centres.iter().enumerate() {
        let name = named(&t.name, "Training centre", i);
        world.spawn((
            next(FacilityKind::TrainingCentre, &name, t.site),
            TrainingCentre { trainees_per_year: t.trainees_per_year },
            PlanRef(FacilityKind::TrainingCentre, i),
        ));
    }
    for (i, h) in s.logistics_hubs.iter().enumerate() {
        let name = named(&h.name, "Logistics hub", i);
        world.spawn((next(FacilityKind::LogisticsHub, &name, h.site), PlanRef(FacilityKind::LogisticsHub, i)));
    }
    // The file gives a listed firm's capability and tier, not its history: see `listed_supplier`.
    let mut history = super::rng::stream(s.seed, super::rng::HISTORY);
    for (i, sp) in s.suppliers.iter().enumerate() {
        let name = named(&sp.name, "Supplier", i);
        world.spawn((
            next(FacilityKind::Supplier, &name, sp.site),
            listed_supplier(s, sp, &mut history),
            PlanRef(FacilityKind::Supplier, i),
        ));
    }
    world.insert_resource(NextFacilityId(id));
}

/// A supplier listed in the file at the start of a run. Its potential is the expected one for
/// its capability (it closes the mean share `catch_up_potential` of its gap to the frontier), so a
/// file's firms are the same firms in every replication. It is an experienced firm with a past:
/// a listed tier-2 or tier-1 has the record its tier needs (it can be audited for tier-1 as soon
/// as it holds that capability), and an untiered firm already at the tier-2 capability has held
/// it for a random 0 to `tier2_quarters` - 1 quarters (one draw each, in file order), so such
/// firms become ready for their audit over the first quarters rather than all in one.
pub fn listed_supplier(s: &Scenario, spec: &crate::scenario::SupplierSpec, history: &mut rand::rngs::ChaCha8Rng) -> Supplier {
    use rand::RngExt;
    let c = spec.capability;
    let potential = c + (1.0 - c) * s.model.catch_up_potential;
    let mut sp = Supplier::new(c, potential, spec.capacity_usd_m, spec.tier, 0);
    sp.ownership = spec.ownership;
    let (t2, _) = s.tier_thresholds();
    let draw: f64 = history.random();
    match spec.tier {
        Tier::Untiered if c >= t2 => sp.quarters_at_tier2_level = (draw * s.model.tier2_quarters as f64).floor() as u32,
        Tier::Untiered => {}
        Tier::Tier2 | Tier::Tier1 => {
            sp.quarters_at_tier2_level = s.model.tier2_quarters;
            sp.quarters_as_tier2 = TIER1_RECORD_QUARTERS;
            if spec.tier == Tier::Tier1 {
                sp.quarters_at_tier1_level = s.model.tier1_quarters;
            }
        }
    }
    sp
}

/// Every facility of a scenario, in spawn order (anchor, R&D centres, training centres, hubs,
/// suppliers): where it is in the scenario, how messages name it, and its site. The file
/// validator and the window's site checks both use this list, so they agree.
pub fn plan_facilities(s: &Scenario) -> Vec<(PlanRef, String, Site)> {
    fn label(kind: &str, name: &str, i: usize) -> String {
        if name.is_empty() { format!("{kind} #{}", i + 1) } else { format!("{kind} '{name}'") }
    }
    let mut v = vec![(PlanRef(FacilityKind::Anchor, 0), "the anchor".to_string(), s.anchor.site)];
    v.extend(s.rd_centres.iter().enumerate().map(|(i, f)| (PlanRef(FacilityKind::RdCentre, i), label("R&D centre", &f.name, i), f.site)));
    v.extend(
        s.training_centres
            .iter()
            .enumerate()
            .map(|(i, f)| (PlanRef(FacilityKind::TrainingCentre, i), label("training centre", &f.name, i), f.site)),
    );
    v.extend(
        s.logistics_hubs
            .iter()
            .enumerate()
            .map(|(i, f)| (PlanRef(FacilityKind::LogisticsHub, i), label("logistics hub", &f.name, i), f.site)),
    );
    v.extend(s.suppliers.iter().enumerate().map(|(i, f)| (PlanRef(FacilityKind::Supplier, i), label("supplier", &f.name, i), f.site)));
    v
}

impl PlanRef {
    /// The scenario path of this facility, e.g. `suppliers[3]`.
    pub fn path(&self) -> String {
        match self.0 {
            FacilityKind::Anchor => "anchor".into(),
            FacilityKind::Supplier => format!("suppliers[{}]", self.1),
            FacilityKind::RdCentre => format!("rd_centres[{}]", self.1),
            FacilityKind::TrainingCentre => format!("training_centres[{}]", self.1),
            FacilityKind::LogisticsHub => format!("logistics_hubs[{}]", self.1),
        }
    }
}

/// Sites of the facilities of one kind, in id order.
pub fn sites_of<'a>(facilities: impl Iterator<Item = &'a Facility>, kind: FacilityKind) -> Vec<Site> {
    let mut v: Vec<(u32, Site)> = facilities.filter(|f| f.kind == kind).map(|f| (f.id, f.site)).collect();
    v.sort_by_key(|(id, _)| *id);
    v.into_iter().map(|(_, s)| s).collect()
}
