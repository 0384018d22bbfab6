//! The anchor's sourcing choice. Each quarter the anchor splits its input demand
//! D = output * input_share between qualified suppliers located in the country (tier-2 and tier-1,
//! domestic-owned and foreign-owned) and imports by a nested logit on delivered cost (smooth
//! shares, as in discrete-choice sourcing models):
//!
//!   local delivered cost C_i = 1 + premium (1 - c) + trust * risk (1 - c)^2 + freight * km_i
//!                              + land rent share + interest share (+ tier-2 margin)
//!                              (+ foreign_cost_premium for a foreign-owned supplier)
//!   import delivered cost C_m = import_cost + freight * km(port -> anchor) + markup
//!   domestic nest  W = (sum_j exp(-C_j / (mu lambda)))^lambda,   lambda = `domestic_nest`
//!   import nest    W_m = (M exp(-C_m / (mu lambda)))^lambda = M^lambda exp(-C_m / mu)
//!   local share    P_L = W / (W_m + W)
//!   desired_i      = P_L * exp(-C_i / (mu lambda)) / sum_j exp(-C_j / (mu lambda))
//!
//! with mu = import_cost / `import_substitution_elasticity`: near the import price, the ratio of
//! local to imported purchases then moves by sigma % for a 1% change in their relative price, the
//! Armington elasticity (estimates for intermediate inputs are about 1-4: Feenstra, Luck, Obstfeld
//! & Russ 2018 find about 1 between home and foreign goods at the macro level and 3-4 at the
//! micro level; we take 2.5), over the localizable part of D (`Sector::localizable_share`: chips, engines and the like are
//! imported whatever happens), where trust = 0.7 for a domestic anchor (it knows local firms),
//! else 1. Imports are a nest of M = `IMPORT_VARIETY` equal foreign sources (imports offer many more
//! product lines than one domestic firm), x `DOMESTIC_IMPORT_NETWORK` for a domestic anchor, which
//! has no home-country supplier network to import from. With lambda = 1 this is a plain logit, in
//! which every new domestic firm adds a product line as distinct as the imports' and N equal firms
//! weigh N times one; with lambda < 1 firms within a nest are closer substitutes for each other
//! (N equal firms weigh N^lambda times one), so localization follows what the firms can do more
//! than how many there are. What the anchor buys locally goes to each supplier in proportion to
//! its within-nest share, up to its capacity; what a full supplier cannot take goes to the other
//! domestic suppliers (water-filling), and what none can take is imported.
//!
//! The local-content requirement (the roadmap, or the anchor's own commitment if higher) is
//! checked by the authorities' audits, which find a share `lcr_detection` of a shortfall and fine
//! it at `lcr_fine` per unit: the anchor's expected fine per unit of shortfall is
//! e = lcr_detection * lcr_fine. It chooses between compliance and the fine: it buys local inputs
//! as if imports cost a shadow markup more, up to e (buying dearer local goods, from domestic
//! firms or from the foreign-owned suppliers it invites, costs it less than the fine up to there),
//! found by bisection; what is still short is fined, and the fines are fiscal revenue. The markup
//! moves half-way to its target each quarter (purchase contracts and qualification take time), so
//! a strict fine cannot make purchases jump between quarters. The anchor's input cost index is the
//! average price it would pay with no requirement, plus what the markup costs it (the logit's
//! deadweight loss, `Nest::distortion`), plus the expected fines: it pays this for as long as the
//! rule binds. Its other choices, cutting output and moving lines out, are in `exports.rs`.
//!
//! Localization rate = purchases from all suppliers located in the country / D (as local-content
//! rules and the surveys count it); domestic sourcing share = purchases from domestic-owned
//! suppliers / D. Foreign-owned suppliers buy `foreign_local_inputs` of their sales from domestic
//! firms in the complex (any tier: their inputs are simpler), spread by the same within-nest
//! logit up to each firm's spare capacity; that supply link is how an enclave of foreign
//! suppliers can still teach domestic firms (`spillover.rs`).

use bevy::prelude::*;

use super::clock::SimClock;
use super::facilities::{Facility, FacilityKind, Supplier, SupplyStatus, sites_of};
use super::geo::{freight_km, road_km};
use super::map::SiteMap;
use super::{ActiveScenario, SimSet, SimStep};
use crate::scenario::{Ownership, Scenario, Site, Tier};

/// How many times more product lines imports offer than one domestic supplier.
pub const IMPORT_VARIETY: f64 = 8.0;
/// Foreign sources a domestic anchor imports from, relative to a multinational's: a multinational
/// also imports through its home-country supplier network (Belderbos, Capannelli & Fukao 2001;
/// Javorcik & Spatareanu 2008, 2011: affiliates with local owners, and investors from far away,
/// source more locally).
pub const DOMESTIC_IMPORT_NETWORK: f64 = 0.35;
/// Foreign sources a joint venture imports from, relative to a wholly owned affiliate's (its local
/// partner brings local suppliers; Javorcik & Spatareanu 2011 find affiliates with local owners
/// source more locally).
pub const JOINT_VENTURE_IMPORT_NETWORK: f64 = 0.7;
/// Quality risk as a domestic anchor sees it, relative to a multinational (it knows local firms).
pub const DOMESTIC_TRUST: f64 = 0.7;
/// Extra margin of a tier-2 supplier's goods (they reach the anchor through a tier-1 or trader).
pub const TIER2_MARGIN: f64 = 0.015;
/// Capital per USD of yearly capacity (for the interest cost share).
pub const CAPITAL_INTENSITY: f64 = 0.5;
/// Share of desired inputs below which a qualified supplier counts as priced out.
pub const PRICED_OUT_SHARE: f64 = 0.002;
/// Share of the gap to its target the requirement's shadow markup closes each quarter.
pub const MARKUP_ADJUSTMENT: f64 = 0.5;

/// The anchor this quarter.
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct AnchorState {
    /// Output, USD million per year at this quarter's rate.
    pub output_usd_m: f64,
    /// Input demand D, USD million per year.
    pub demand_usd_m: f64,
    /// The anchor's presence in its suppliers' market, 0..1 (set by `spillover.rs`).
    pub presence: f64,
    /// Purchases from suppliers located in the country, USD million per year.
    pub local_purchases_usd_m: f64,
    /// Of which from domestic-owned suppliers, USD million per year.
    pub domestic_purchases_usd_m: f64,
    /// Imports of localizable inputs (what a supplier located here could win), USD million per year.
    pub open_imports_usd_m: f64,
    /// What the anchor wanted to buy from qualified suppliers at this quarter's prices (import
    /// markup of a requirement included) beyond all their capacity, USD million per year.
    pub unmet_local_usd_m: f64,
    pub localization_rate: f64,
    /// Share of D bought from domestic-owned suppliers.
    pub domestic_sourcing_share: f64,
    /// Fines the anchor pays for the requirement's shortfall, USD million per year (expected:
    /// the share the audits find, times the fine).
    pub lcr_fines_usd_m: f64,
    /// Local-content requirement in force.
    pub lcr_required: f64,
    /// Shadow markup on imports the requirement imposes (index units).
    pub lcr_markup: f64,
    /// Unmet requirement (share of D) fined at `lcr_fine`.
    pub lcr_shortfall: f64,
    /// Import delivered cost, index.
    pub import_cost: f64,
    /// Cost of inputs, index (all-import = `import_cost`): the average price paid with no
    /// requirement, plus what a requirement's import markup costs the anchor (its lost choice),
    /// plus fines.
    pub input_cost_index: f64,
    /// Freight km from the anchor to the port (through the best hub).
    pub port_freight_km: f64,
    /// Road km from the anchor to the port (the trip's length, whatever the route's freight cost).
    pub port_road_km: f64,
    /// Unit cost of the anchor's output, index (set by `exports.rs`).
    pub unit_cost_index: f64,
    /// The same with all inputs imported and no requirement (reference).
    pub reference_unit_cost_index: f64,
    /// Exports of the anchor, USD million per year (set by `exports.rs`).
    pub exports_usd_m: f64,
    /// The anchor's investment relative to its plan: its response to the tax burden and its
    /// commitments, set at the start (`exports.rs`).
    pub investment_scale: f64,
    /// Share of the anchor still in the country (1 = none of its lines moved out, `exports.rs`).
    pub stays: f64,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, source_inputs.in_set(SimSet::Sourcing));
}

pub(super) fn reset(world: &mut World, s: &Scenario) {
    // `exports::reset` sizes the plant on its tax burden.
    world.insert_resource(AnchorState { output_usd_m: s.anchor.output_usd_m, investment_scale: 1.0, stays: 1.0, ..Default::default() });
}

/// The requirement in force in a year: the roadmap or the anchor's commitment, whichever is higher.
pub fn required_share(s: &Scenario, year: f64) -> f64 {
    s.incentives.local_content_at(year).max(s.anchor.commitments.local_sourcing)
}

/// Delivered cost index of a qualified supplier's goods at the anchor.
pub fn local_cost(s: &Scenario, map: &SiteMap, year: f64, sp: &Supplier, site: Site, freight_km: f64) -> f64 {
    let m = &s.model;
    let gap = 1.0 - sp.capability;
    let trust = if s.anchor.ownership == Ownership::Domestic { DOMESTIC_TRUST } else { 1.0 };
    let exempt = s.land_rent_exemption_at(year);
    let cap = sp.capacity_usd_m.max(1.0);
    let rent = m.land_rent_usd_m * map.land_price_at(site) * (1.0 - exempt) / cap;
    let rate = (m.lending_rate_pct - s.incentives.credit_interest_subsidy_pp).max(0.0) / 100.0;
    let interest = rate * m.leverage * CAPITAL_INTENSITY;
    let margin = if sp.tier == Tier::Tier2 { TIER2_MARGIN } else { 0.0 };
    let foreign = if sp.is_foreign() { m.foreign_cost_premium } else { 0.0 };
    1.0 + foreign
        + m.local_cost_premium * gap
        + trust * m.quality_risk * gap * gap
        + m.freight_per_km * freight_km
        + rent
        + interest
        + margin
}

/// The domestic nest of one quarter: each qualified supplier's share within the nest and the
/// nest's weight (both fixed for the quarter, relative to the cheapest domestic supplier), and
/// how what the anchor buys locally is spread over the suppliers' capacities.
pub struct Nest {
    /// Cheapest domestic delivered cost.
    base: f64,
    /// Within-nest shares, summing to 1.
    shares: Vec<f64>,
    costs: Vec<f64>,
    caps: Vec<f64>,
    /// Suppliers in order of capacity per unit of share (the first to fill up come first).
    order: Vec<usize>,
    /// W = (sum exp(-(C_j - base) / (mu lambda)))^lambda.
    weight: f64,
    mu: f64,
    variety: f64,
}

impl Nest {
    /// The nest of suppliers with these delivered costs and capacities.
    pub fn new(costs: Vec<f64>, caps: Vec<f64>, mu: f64, lambda: f64, variety: f64) -> Nest {
        let base = costs.iter().copied().fold(f64::INFINITY, f64::min);
        let mut shares: Vec<f64> = costs.iter().map(|c| (-(c - base) / (mu * lambda)).exp()).collect();
        let sum: f64 = shares.iter().sum();
        for x in &mut shares {
            *x /= sum;
        }
        let weight = if costs.is_empty() { 0.0 } else { sum.powf(lambda) };
        let mut order: Vec<usize> = (0..costs.len()).collect();
        order.sort_by(|&i, &j| (caps[i] / shares[i]).total_cmp(&(caps[j] / shares[j])).then(i.cmp(&j)));
        Nest { base, shares, costs, caps, order, weight, mu, variety }
    }

    /// The local share P_L when imports cost `import_cost` (markup included).
    pub fn local_share(&self, import_cost: f64) -> f64 {
        if self.shares.is_empty() {
            return 0.0;
        }
        let imp = self.variety * (-(import_cost - self.base) / self.mu).exp();
        if imp.is_infinite() { 0.0 } else { self.weight / (imp + self.weight) }
    }

    /// Spreads `total` (USD million a year) over the suppliers in proportion to their shares,
    /// none above its capacity; what a full supplier cannot take goes to the others (domestic
    /// firms are each other's closest substitutes). Returns the level theta (supplier i is
    /// offered theta * share_i), the volume bought and what it cost.
    fn fill(&self, total: f64) -> (f64, f64, f64) {
        let mut used = 0.0;
        let mut paid = 0.0;
        let mut rest: f64 = 1.0;
        for (k, &i) in self.order.iter().enumerate() {
            let theta = (total - used) / rest.max(1e-300);
            if theta * self.shares[i] <= self.caps[i] || rest <= 1e-12 {
                // Every supplier from here on takes theta * share.
                let mut local = used;
                for &j in &self.order[k..] {
                    let v = (theta * self.shares[j]).min(self.caps[j]);
                    local += v;
                    paid += v * self.costs[j];
                }
                return (theta, local, paid);
            }
            used += self.caps[i];
            paid += self.caps[i] * self.costs[i];
            rest -= self.shares[i];
        }
        // All full: the anchor imports the rest.
        (f64::INFINITY, used, paid)
    }

    /// What a shadow markup on imports costs the anchor, USD million a year: the loss in the
    /// logit's expected cost (Small & Rosen 1981), int_0^markup imports(t) dt - markup * imports(markup),
    /// the Harberger triangle under the anchor's import demand curve. It is never negative, and
    /// it is paid even when local goods are cheaper on average: the anchor imported those inputs
    /// for reasons the prices do not show (fit, lead times, its own supplier network), and the
    /// requirement takes them away. Simpson's rule over 8 intervals.
    fn distortion(&self, import_cost: f64, markup: f64, open: f64) -> f64 {
        if markup <= 0.0 || open <= 0.0 {
            return 0.0;
        }
        let imports = |t: f64| open - self.bought(import_cost + t, open).0;
        let n = 8;
        let h = markup / n as f64;
        let mut area = imports(0.0) + imports(markup);
        for i in 1..n {
            area += if i % 2 == 1 { 4.0 } else { 2.0 } * imports(i as f64 * h);
        }
        (area * h / 3.0 - markup * imports(markup)).max(0.0)
    }

    /// Local volume bought and paid for when imports cost `import_cost` and the open demand is `open`.
    fn bought(&self, import_cost: f64, open: f64) -> (f64, f64) {
        let (_, local, paid) = self.fill(self.local_share(import_cost) * open);
        (local, paid)
    }
}

/// The shadow markup on imports at which the anchor's local purchases meet `required` (a share
/// of `demand`), at most `cap` (the expected fine per unit of shortfall): 0 when the requirement
/// does not bind (`free_local` is what it buys with no markup), `cap` when even that markup does
/// not meet it.
pub fn compliance_markup(nest: &Nest, import_cost: f64, open: f64, demand: f64, free_local: f64, required: f64, cap: f64) -> f64 {
    if demand <= 0.0 || cap <= 0.0 || required <= 0.0 || free_local / demand >= required {
        return 0.0;
    }
    if nest.bought(import_cost + cap, open).0 / demand < required {
        return cap;
    }
    let (mut lo, mut hi) = (0.0, cap);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if nest.bought(import_cost + mid, open).0 / demand < required {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
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
    // Only the localizable part of the inputs is open to suppliers located here.
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
        sp.sub_sales_usd_m = 0.0;
        sp.desired_usd_m = 0.0;
        if sp.tier != Tier::Untiered {
            idx.push(i);
            costs.push(c);
            caps.push(sp.capacity_usd_m);
        }
    }
    let network = match s.anchor.ownership {
        Ownership::Fdi => 1.0,
        Ownership::JointVenture => JOINT_VENTURE_IMPORT_NETWORK,
        Ownership::Domestic => DOMESTIC_IMPORT_NETWORK,
    };
    let lambda = m.domestic_nest.clamp(0.05, 1.0);
    let mu = logit_scale(s);
    let nest = Nest::new(costs, caps, mu, lambda, (IMPORT_VARIETY * network).powf(lambda));
    let required = required_share(s, year);
    let (free_local, paid) = nest.bought(import_cost, open);
    // What the inputs cost with no requirement: the basis of the input cost index.
    let free_cost = if demand > 0.0 { (paid + (demand - free_local) * import_cost) / demand } else { import_cost };
    let expected_fine = m.lcr_detection.clamp(0.0, 1.0) * m.lcr_fine.max(0.0);
    let target = compliance_markup(&nest, import_cost, open, demand, free_local, required, expected_fine);
    let markup = anchor.lcr_markup + MARKUP_ADJUSTMENT * (target - anchor.lcr_markup);
    // What the anchor wants from each supplier at this markup (beyond capacity for a full one:
    // the signal to invest) and what it buys.
    let local = if markup == 0.0 { free_local } else { nest.bought(import_cost + markup, open).0 };
    let wanted = nest.local_share(import_cost + markup) * open;
    let (theta, _, _) = nest.fill(wanted);
    let mut domestic = 0.0;
    let mut foreign_sales = 0.0;
    for (k, &i) in idx.iter().enumerate() {
        let sp = &mut list[i].2;
        let cap = nest.caps[k];
        // All full (theta infinite): each is offered its capacity and its share of what is left over.
        let desired = if theta.is_finite() { theta * nest.shares[k] } else { cap + (wanted - local).max(0.0) * nest.shares[k] };
        let sold = desired.min(cap);
        sp.sales_usd_m = sold;
        sp.desired_usd_m = desired;
        if sp.is_foreign() {
            foreign_sales += sold;
        } else {
            domestic += sold;
        }
        sp.status = if demand > 0.0 && desired / demand >= PRICED_OUT_SHARE {
            SupplyStatus::Supplying { share_of_inputs: sold / demand, capacity_bound: desired > cap }
        } else {
            SupplyStatus::PricedOut { local_cost: nest.costs[k], import_cost: import_cost + markup }
        };
    }
    buy_from_domestic_firms(&mut list, m.foreign_local_inputs * foreign_sales, mu * lambda);
    let rate = if demand > 0.0 { (local / demand).clamp(0.0, 1.0) } else { 0.0 };
    let shortfall = (required - rate).max(0.0);
    anchor.demand_usd_m = demand;
    anchor.local_purchases_usd_m = local;
    anchor.domestic_purchases_usd_m = domestic;
    anchor.open_imports_usd_m = (open - local).max(0.0);
    anchor.unmet_local_usd_m = (wanted - local).max(0.0);
    anchor.localization_rate = rate;
    anchor.domestic_sourcing_share = if demand > 0.0 { (domestic / demand).clamp(0.0, 1.0) } else { 0.0 };
    anchor.lcr_required = required;
    anchor.lcr_markup = markup;
    anchor.lcr_shortfall = shortfall;
    anchor.lcr_fines_usd_m = expected_fine * shortfall * demand;
    anchor.import_cost = import_cost;
    anchor.port_freight_km = port_km;
    anchor.port_road_km = road_km(&map, anchor_site, map.port);
    let distortion = if demand > 0.0 { nest.distortion(import_cost, markup, open) / demand } else { 0.0 };
    anchor.input_cost_index = free_cost + distortion + expected_fine * shortfall;
}

/// The logit scale of the choice between the local and import nests, mu = import_cost / sigma.
pub fn logit_scale(s: &Scenario) -> f64 {
    s.model.import_cost / s.model.import_substitution_elasticity.max(0.1)
}

/// Foreign-owned suppliers' purchases from domestic firms (`total`, USD million a year), spread
/// over the domestic firms of any tier by a logit on their delivered cost at scale `scale`, each
/// firm up to what it has left after the anchor's orders (what a full firm cannot take, the
/// foreign suppliers import: it is a tenth of their sales, so this rarely binds).
fn buy_from_domestic_firms(list: &mut [(u32, Site, Mut<Supplier>)], total: f64, scale: f64) {
    if total <= 0.0 {
        return;
    }
    let base = list.iter().filter(|x| !x.2.is_foreign()).map(|x| x.2.delivered_cost).fold(f64::INFINITY, f64::min);
    let weight = |sp: &Supplier| (-(sp.delivered_cost - base) / scale).exp();
    let sum: f64 = list.iter().filter(|x| !x.2.is_foreign()).map(|x| weight(&x.2)).sum();
    if sum <= 0.0 || !sum.is_finite() {
        return;
    }
    for (_, _, sp) in list.iter_mut().filter(|x| !x.2.is_foreign()) {
        let spare = (sp.capacity_usd_m - sp.sales_usd_m).max(0.0);
        sp.sub_sales_usd_m = (total * weight(sp) / sum).min(spare);
    }
}
