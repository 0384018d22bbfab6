//! Tests of the model's mechanisms, each with everything else held equal: the direction of an
//! effect, never one calibrated number (those are in the workspace's `tests/calibration.rs`).

use kicsim_model::scenario::{Ownership, Scenario, Site, SupplierSpec, Tier, default_scenario};
use kicsim_model::sim::capability::capability_step;
use kicsim_model::sim::firms::headroom;
use kicsim_model::sim::map::SiteMap;
use kicsim_model::sim::metrics::QuarterRecord;
use kicsim_model::sim::sourcing::AnchorState;
use kicsim_model::sim::{Facility, Supplier, build_app, dist, run_to_end};

fn baseline(years: u32) -> Scenario {
    let mut s = default_scenario();
    s.years = years;
    s
}

/// Yearly exports of the last four quarters.
fn final_year_exports(h: &[QuarterRecord]) -> f64 {
    h.iter().rev().take(4).map(|r| r.exports_usd_m).sum()
}

fn mean_over_seeds(s: &Scenario, seeds: u64, f: impl Fn(&[QuarterRecord]) -> f64) -> f64 {
    (0..seeds)
        .map(|k| {
            let mut t = s.clone();
            t.seed = s.seed + k;
            f(&run_to_end(&t))
        })
        .sum::<f64>()
        / seeds as f64
}

/// The suppliers of a built app after `quarters` quarters, by name.
fn suppliers_after(s: &Scenario, quarters: u32) -> Vec<(String, Supplier)> {
    let mut app = build_app(s);
    for _ in 0..quarters {
        app.update();
    }
    let world = app.world_mut();
    let mut v: Vec<(String, Supplier)> =
        world.query::<(&Facility, &Supplier)>().iter(world).map(|(f, sp)| (f.name.clone(), sp.clone())).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// A scenario with only the listed suppliers, no noise, no entry and no exit.
fn controlled(mut s: Scenario, suppliers: Vec<SupplierSpec>) -> Scenario {
    s.model.capability_noise = 0.0;
    s.model.entry_rate = 0.0;
    s.model.foreign_entry_rate = 0.0;
    s.model.exit_rate = 0.0;
    s.suppliers = suppliers;
    assert!(s.validate().is_empty(), "{:?}", s.validate());
    s
}

fn supplier(name: &str, site: Site, capability: f64, tier: Tier) -> SupplierSpec {
    SupplierSpec { name: name.into(), site, capability, capacity_usd_m: 10.0, tier, ..Default::default() }
}

// ---- 1. Freight reaches exports, through cost, and distance is not counted twice --------------

#[test]
fn exports_fall_when_freight_per_km_rises() {
    let s = baseline(5);
    let mut last: Option<(f64, f64)> = None;
    for f in [0.0, 0.002, 0.01, 0.1] {
        let mut t = s.clone();
        t.model.freight_per_km = f;
        let h = run_to_end(&t);
        let (x, k) = (final_year_exports(&h), h.last().unwrap().anchor_unit_cost_index);
        if let Some((x0, k0)) = last {
            assert!(x < x0, "freight {f}: exports {x} not below {x0}");
            assert!(k > k0, "freight {f}: unit cost {k} not above {k0}");
        }
        last = Some((x, k));
    }
}

/// A logistics hub consolidates freight (the money cost of the trip falls) but does not shorten
/// the trip (the time term sees road km): with a hub at full discount exports rise only through cost.
#[test]
fn a_hub_cuts_the_freight_cost_of_the_trip_not_its_length() {
    let s = baseline(1);
    let state = |hub_discount: f64| {
        let mut t = s.clone();
        t.model.hub_discount = hub_discount;
        let mut app = build_app(&t);
        app.update();
        app.world().resource::<AnchorState>().clone()
    };
    let (none, full) = (state(0.0), state(0.9));
    assert!(full.port_freight_km < none.port_freight_km, "{} vs {}", full.port_freight_km, none.port_freight_km);
    assert_eq!(full.port_road_km, none.port_road_km);
    assert!(full.unit_cost_index < none.unit_cost_index);
    assert_eq!(full.reference_unit_cost_index, none.reference_unit_cost_index);
}

/// The arc elasticity of the anchor's exports with respect to its road distance to the port, from
/// first-year exports of an anchor with no suppliers placed along the highway at 3 to 24 km: it
/// is negative, grows with distance, and is far below the -1 of international gravity equations
/// (an inland leg of a few km is not a border). The figures are quoted in docs/MODEL.md.
#[test]
fn exports_fall_with_distance_to_the_port_at_a_measured_elasticity() {
    let mut s = default_scenario();
    s.suppliers.clear();
    s.logistics_hubs.clear();
    s.training_centres.clear();
    s.years = 1;
    let map = SiteMap::generate(&s.map);
    let at = |target: f64| -> (f64, f64) {
        let site = (0..map.n * map.n)
            .map(|i| map.cell_centre(i))
            .filter(|c| (c.y_km - map.highway_y_km).abs() < 0.3 && map.check_site(*c, []).is_ok())
            .min_by(|a, b| (dist(*a, map.port) - target).abs().total_cmp(&(dist(*b, map.port) - target).abs()))
            .expect("a buildable site on the highway");
        let mut t = s.clone();
        t.anchor.site = site;
        let h = run_to_end(&t);
        let mut app = build_app(&t);
        app.update();
        let road = app.world().resource::<AnchorState>().port_road_km;
        (road, h[0].exports_usd_m)
    };
    let points: Vec<(f64, f64)> = [3.0, 6.0, 12.0, 24.0].iter().map(|d| at(*d)).collect();
    let mut elasticities = Vec::new();
    for w in points.windows(2) {
        let ((d0, x0), (d1, x1)) = (w[0], w[1]);
        assert!(d1 > d0 && x1 < x0, "{points:?}");
        elasticities.push((x1 / x0).ln() / (d1 / d0).ln());
    }
    eprintln!("road km and first-year exports {points:?}; arc elasticities {elasticities:?}");
    for e in &elasticities {
        assert!((-0.9..-0.05).contains(e), "arc elasticities {elasticities:?} at {points:?}");
    }
    assert!(elasticities.windows(2).all(|w| w[1] < w[0]), "larger at longer distances: {elasticities:?}");
}

// ---- 2. Localization levels off: heterogeneous potential, a moving frontier, audits ---------------

#[test]
fn a_firm_never_learns_beyond_its_potential_and_falls_behind_a_moving_frontier() {
    // However strong the learning, one step never passes the potential.
    for intensity in [0.0, 0.1, 1.0, 100.0] {
        let c = capability_step(0.3, 0.6, intensity, 0.0);
        assert!((0.3..=0.6).contains(&c), "{intensity}: {c}");
    }
    // With nothing to learn from, capability falls at depreciation + frontier growth.
    let mut s = default_scenario();
    s.anchor.commitments.tech_transfer = 0.0;
    s.model.anchor_spillover = 0.0;
    s.model.learning_by_doing = 0.0;
    s.years = 2;
    let a = s.anchor.site;
    let s = controlled(s, vec![supplier("alone", Site { x_km: a.x_km + 1.0, y_km: a.y_km }, 0.4, Tier::Untiered)]);
    let c = suppliers_after(&s, 4)[0].1.capability;
    let drift = s.model.depreciation + s.model.frontier_growth / 4.0;
    assert!((c - 0.4 * (1.0 - drift).powi(4)).abs() < 1e-12, "{c}");
}

#[test]
fn entrants_draw_their_potential_with_the_mean_set_by_catch_up_potential() {
    for m in [0.2, 0.5, 0.8] {
        let n = 10_000;
        let mean: f64 = (0..n).map(|i| headroom(m, (i as f64 + 0.5) / n as f64)).sum::<f64>() / n as f64;
        assert!((mean - m).abs() < 0.01, "{m}: {mean}");
    }
}

/// In a long run, not every supplier reaches the frontier and localization levels off: it rises
/// less from year 20 to 40 than from year 5 to 10, and mean capability stays well below 1.
#[test]
fn localization_levels_off_and_not_every_firm_reaches_the_frontier() {
    let s = baseline(40);
    let at = |h: &[QuarterRecord], year: usize| h[4 * year - 1].localization_rate;
    let early = mean_over_seeds(&s, 4, |h| at(h, 10) - at(h, 5));
    let late = mean_over_seeds(&s, 4, |h| at(h, 40) - at(h, 20));
    assert!(late < early, "rise from year 20 to 40 ({late}) not below the rise from 5 to 10 ({early})");
    let cap = mean_over_seeds(&s, 4, |h| h.last().unwrap().mean_supplier_capability);
    assert!(cap < 0.7, "mean capability after 40 years {cap}");
}

/// Firms ready for promotion together are qualified over several quarters: the anchor runs
/// `vendor_audits_per_year` audits a year, at most a quarter's worth (or one) at a time.
#[test]
fn the_anchor_qualifies_a_limited_number_of_vendors_a_quarter() {
    let mut s = baseline(3);
    s.model.vendor_audits_per_year = 4.0;
    let a = s.anchor.site;
    let ring: Vec<SupplierSpec> = (0..8)
        .map(|i| {
            let angle = i as f64 * std::f64::consts::TAU / 8.0;
            let site = Site { x_km: a.x_km + 1.2 * angle.cos(), y_km: a.y_km + 1.2 * angle.sin() };
            supplier(&format!("s{i}"), site, 0.6, Tier::Untiered)
        })
        .collect();
    let s = controlled(s, ring);
    let h = run_to_end(&s);
    let qualified: Vec<u32> = h.iter().map(|r| r.tier1_suppliers + r.tier2_suppliers).collect();
    assert_eq!(*qualified.last().unwrap(), 8, "{qualified:?}");
    let mut before = 0;
    for q in &qualified {
        assert!(q - before <= 1, "more than one promotion in a quarter: {qualified:?}");
        before = *q;
    }
    // No audits, no promotions.
    let mut none = s.clone();
    none.model.vendor_audits_per_year = 0.0;
    assert!(run_to_end(&none).iter().all(|r| r.tier1_suppliers + r.tier2_suppliers == 0));
}

/// A file's tiers are the firms' state at the start: listed tier-2 firms sell from the first
/// quarter, and listed untiered firms already at the tier-2 capability have held it for some
/// quarters (a random past), so they do not all become ready in the same quarter.
#[test]
fn listed_suppliers_start_with_the_tier_and_past_the_file_gives_them() {
    let s = baseline(1);
    let h = run_to_end(&s);
    let listed_tier2 = s.suppliers.iter().filter(|x| x.tier == Tier::Tier2).count() as u32;
    assert_eq!(h[0].tier2_suppliers, listed_tier2);
    assert!(h[0].localization_rate > 0.0);
    let a = s.anchor.site;
    let ready: Vec<SupplierSpec> = (0..6)
        .map(|i| supplier(&format!("r{i}"), Site { x_km: a.x_km - 1.0 - 0.5 * i as f64, y_km: a.y_km + 1.0 }, 0.6, Tier::Untiered))
        .collect();
    let mut t = controlled(s, ready);
    t.model.tier2_quarters = 8;
    let pasts: Vec<u32> = suppliers_after(&t, 0).iter().map(|(_, sp)| sp.quarters_at_tier2_level).collect();
    assert!(pasts.iter().all(|q| *q < 8), "{pasts:?}");
    assert!(pasts.iter().any(|q| *q != pasts[0]), "every listed firm has the same past: {pasts:?}");
}

// ---- 3. The anchor's size goes through what it buys ----------------------------------------------

/// The baseline's suppliers next to anchors of USD 20 m, 2,000 m and 20,000 m: Sao Mai
/// Electronics, a tier-2 vendor, sells the bigger anchor more of its output, so it receives more
/// spillover through that link and learns more; Song Da Tooling, 0.9 km from the anchor but not
/// qualified, sells it nothing and gets the same small proximity spillover from all three.
#[test]
fn a_bigger_anchor_gives_more_spillover_to_the_firms_it_buys_from() {
    let s = baseline(3);
    let listed = s.suppliers.clone();
    let s = controlled(s, listed);
    let learn = |output: f64, name: &str| {
        let mut t = s.clone();
        t.anchor.output_usd_m = output;
        let after = suppliers_after(&t, 12);
        let sp = &after.iter().find(|(n, _)| n == name).unwrap().1;
        let start = s.suppliers.iter().find(|x| x.name == name).unwrap().capability;
        (sp.spillover, sp.capability - start)
    };
    let v = "Sao Mai Electronics";
    let (small, mid, big) = (learn(20.0, v), learn(2_000.0, v), learn(20_000.0, v));
    eprintln!("(spillover, capability gain) of a tier-2 vendor next to USD 20 m, 2,000 m, 20,000 m anchors: {small:?} {mid:?} {big:?}");
    assert!(small.0 < mid.0 && mid.0 <= big.0 + 1e-12, "spillover {small:?} {mid:?} {big:?}");
    assert!(small.1 < mid.1 && mid.1 <= big.1 + 1e-12, "capability gain {small:?} {mid:?} {big:?}");
    assert!(
        small.1 < 0.5 * mid.1,
        "next to a USD 20 m anchor it learns {:.2} times what it learns next to a USD 2,000 m one",
        small.1 / mid.1
    );
    let n = "Song Da Tooling";
    let (a, b) = (learn(20.0, n), learn(20_000.0, n));
    assert!((a.0 - b.0).abs() < 1e-9, "an unqualified firm's spillover does not depend on what the anchor buys from others: {a:?} {b:?}");
}

// ---- 4. The R&D deduction is worth something only to a firm that pays tax -------------------------

#[test]
fn during_a_full_tax_holiday_the_rd_deduction_changes_nothing() {
    let mut s = baseline(10);
    s.incentives.cit_holiday_years = 30.0;
    let runs: Vec<Vec<QuarterRecord>> = [0.0, 1.0, 3.0]
        .iter()
        .map(|d| {
            let mut t = s.clone();
            t.incentives.rd_deduction = *d;
            run_to_end(&t)
        })
        .collect();
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
}

/// With no holiday, the deduction lowers the after-tax price of R&D for firms that sell (and so pay
/// tax): they do more R&D and learn faster, and the state pays for it. The baseline's suppliers
/// with no noise, entry or exit, so that only the deduction differs.
#[test]
fn outside_a_holiday_the_rd_deduction_induces_rd_that_speeds_learning_and_costs_money() {
    let mut s = baseline(6);
    s.incentives.cit_holiday_years = 0.0;
    s.incentives.cit_rate = 0.2;
    let listed = s.suppliers.clone();
    let s = controlled(s, listed);
    let with = |d: f64| {
        let mut t = s.clone();
        t.incentives.rd_deduction = d;
        let h = run_to_end(&t);
        (h.iter().map(|r| r.mean_supplier_capability).sum::<f64>(), h.last().unwrap().cumulative_fiscal_cost_usd_m)
    };
    let (none, some, more) = (with(0.0), with(1.0), with(3.0));
    assert!(none.0 < some.0 && some.0 < more.0, "capability {none:?} {some:?} {more:?}");
    assert!(none.1 < some.1 && some.1 < more.1, "fiscal cost {none:?} {some:?} {more:?}");
}

// ---- 5. Entry follows demand the anchor really pays for -----------------------------------------

#[test]
fn with_no_fine_a_requirement_draws_no_extra_entry() {
    let mut s = baseline(10);
    s.model.lcr_fine = 0.0;
    let plain = run_to_end(&s);
    s.incentives.local_content = vec![(2.0, 0.8)];
    let ruled = run_to_end(&s);
    for (a, b) in plain.iter().zip(&ruled) {
        assert_eq!(a.supplier_entries, b.supplier_entries, "quarter {}", a.quarter);
        assert_eq!(a.domestic_suppliers, b.domestic_suppliers, "quarter {}", a.quarter);
        assert_eq!(a.localization_rate, b.localization_rate, "quarter {}", a.quarter);
    }
}

#[test]
fn a_requirement_with_a_fine_raises_localization() {
    let mut s = baseline(8);
    let plain = mean_over_seeds(&s, 4, |h| h.last().unwrap().localization_rate);
    s.incentives.local_content = vec![(2.0, 0.5)];
    let ruled = mean_over_seeds(&s, 4, |h| h.last().unwrap().localization_rate);
    assert!(ruled > plain + 0.02, "{ruled} vs {plain}");
}

#[test]
fn an_anchor_that_buys_little_draws_few_suppliers() {
    let s = baseline(10);
    let entries = |output: f64| {
        let mut t = s.clone();
        t.anchor.output_usd_m = output;
        mean_over_seeds(&t, 4, |h| h.iter().map(|r| r.supplier_entries as f64).sum())
    };
    let (tiny, base) = (entries(1.0), entries(2_000.0));
    assert!(tiny < 0.1 * base, "{tiny} entries next to a USD 1 m anchor vs {base}");
}

// ---- 6. A domestic anchor buys more locally ----------------------------------------------------

#[test]
fn a_domestic_anchor_localizes_more_than_a_foreign_one() {
    let s = baseline(10);
    let loc = |o: Ownership| {
        let mut t = s.clone();
        t.anchor.ownership = o;
        mean_over_seeds(&t, 6, |h| h.last().unwrap().localization_rate)
    };
    let (fdi, domestic) = (loc(Ownership::Fdi), loc(Ownership::Domestic));
    assert!(domestic > fdi, "domestic {domestic} vs FDI {fdi}");
}

// ---- What the model kept -------------------------------------------------------------------------

/// The gain from spillover is an inverted U in the technology gap: a firm far behind absorbs
/// little, a firm near its potential has little left to learn.
#[test]
fn the_gain_is_an_inverted_u_in_the_technology_gap() {
    let mut s = baseline(2);
    let a = s.anchor.site;
    s.training_centres.clear();
    // The firms sell nothing (untiered): an R&D centre nearby is their source of knowledge.
    s.rd_centres = vec![kicsim_model::scenario::RdCentreSpec {
        name: "lab".into(),
        site: Site { x_km: a.x_km + 2.0, y_km: a.y_km },
        budget_usd_m_per_year: 30.0,
    }];
    let spots = [(0.05, 1.0), (0.45, -1.0), (0.9, 0.0)];
    let list = spots
        .iter()
        .map(|(c, dy)| supplier(&format!("c{c}"), Site { x_km: a.x_km + 1.2, y_km: a.y_km + dy }, *c, Tier::Untiered))
        .collect();
    let s = controlled(s, list);
    let after = suppliers_after(&s, 8);
    let gain = |c: f64| after.iter().find(|(n, _)| *n == format!("c{c}")).unwrap().1.capability - c;
    let (low, mid, high) = (gain(0.05), gain(0.45), gain(0.9));
    assert!(mid > low && mid > high, "gains {low} {mid} {high}");
}

/// Raising any one incentive never lowers the fiscal cost.
#[test]
fn incentives_raise_fiscal_cost_monotonically() {
    let s = baseline(10);
    let cost = |f: &dyn Fn(&mut Scenario)| {
        let mut t = s.clone();
        f(&mut t);
        run_to_end(&t).last().unwrap().cumulative_fiscal_cost_usd_m
    };
    let base = cost(&|_| {});
    let raised: [(&str, &dyn Fn(&mut Scenario)); 6] = [
        ("holiday", &|t| t.incentives.cit_holiday_years += 4.0),
        ("land", &|t| t.incentives.land_rent_exemption_years += 5.0),
        ("credit", &|t| t.incentives.credit_interest_subsidy_pp += 3.0),
        ("R&D", &|t| t.incentives.rd_deduction += 1.0),
        ("training", &|t| t.incentives.training_subsidy_usd_per_trainee += 1_000.0),
        ("promotion", &|t| t.incentives.export_promotion_usd_m_per_year += 5.0),
    ];
    for (name, f) in raised {
        let c = cost(f);
        assert!(c > base, "{name}: {c} vs {base}");
    }
}

// ---- Issue 26: foreign-owned suppliers, a rule that costs what it costs, an anchor that answers
// its costs, spillover through supply links --------------------------------------------------------

/// Mean over `seeds` seeds of a KPI at the end of year `year`.
fn kpi_at(s: &Scenario, seeds: u64, year: usize, kpi: &str) -> f64 {
    mean_over_seeds(s, seeds, |h| h[4 * year - 1].kpi(kpi).unwrap())
}

#[test]
fn foreign_suppliers_follow_the_anchors_imports_and_a_binding_rule_invites_more() {
    let mut s = baseline(10);
    let base = kpi_at(&s, 6, 10, "foreign_suppliers");
    let listed = s.suppliers.iter().filter(|sp| sp.ownership.is_foreign()).count() as f64;
    s.model.foreign_entry_rate = 0.0;
    assert_eq!(kpi_at(&s, 2, 10, "foreign_suppliers"), listed, "no follower arrives at a zero rate");
    s.model.foreign_entry_rate = Scenario::default().model.foreign_entry_rate;
    s.incentives.local_content = vec![(1.0, 0.6)];
    let ruled = kpi_at(&s, 6, 10, "foreign_suppliers");
    let mut small = baseline(10);
    small.anchor.output_usd_m = 200.0;
    let few = kpi_at(&small, 6, 10, "foreign_suppliers");
    eprintln!("foreign suppliers at year 10: baseline {base}, with a 60% rule {ruled}, next to a USD 200 m anchor {few} (listed {listed})");
    assert!(base > listed + 1.0, "followers arrive under today's incentives: {base}");
    assert!(ruled > base + 1.0, "a binding rule draws more: {ruled} vs {base}");
    assert!(few < listed + 0.5 * (base - listed), "a small anchor draws few: {few}");
}

#[test]
fn domestic_sourcing_is_part_of_localization_and_well_under_half_of_it_today() {
    let s = baseline(10);
    for seed in 1..4 {
        let mut t = s.clone();
        t.seed = seed;
        for r in run_to_end(&t) {
            assert!(r.domestic_sourcing_share <= r.localization_rate + 1e-12, "quarter {}: {r:?}", r.quarter);
        }
    }
    let (loc, dom) = (kpi_at(&s, 6, 10, "localization_rate"), kpi_at(&s, 6, 10, "domestic_sourcing_share"));
    eprintln!("baseline year 10: localization {loc:.3}, of which domestic-owned {dom:.3}");
    assert!(dom < 0.6 * loc, "domestic-owned firms supply {dom:.3} of {loc:.3}");
}

#[test]
fn the_import_substitution_elasticity_is_in_the_armington_range() {
    // A 2% rise in the price of imports, everything else equal, at year 20; the implied elasticity
    // of the local/import ratio of the localizable inputs.
    let mut s = baseline(20);
    s.model.foreign_entry_rate = 0.0;
    let open = s.anchor.sector.localizable_share();
    let ratio = |t: &Scenario| {
        let l = kpi_at(t, 8, 20, "localization_rate");
        l / (open - l)
    };
    let r0 = ratio(&s);
    s.model.import_cost *= 1.02;
    let r1 = ratio(&s);
    let sigma = (r1 / r0).ln() / 1.02f64.ln();
    eprintln!("implied elasticity of the local/import ratio to the import price at year 20: {sigma:.2}");
    assert!((0.5..=5.0).contains(&sigma), "{sigma}");
}

#[test]
fn a_binding_rule_costs_the_anchor_for_as_long_as_it_binds_and_its_fines_are_revenue() {
    let mut s = baseline(40);
    s.model.foreign_entry_rate = 0.0;
    let plain = s.clone();
    s.incentives.local_content = vec![(2.0, 0.7)];
    let ruled = s.clone();
    let gap = |year: usize| kpi_at(&ruled, 4, year, "anchor_unit_cost_index") - kpi_at(&plain, 4, year, "anchor_unit_cost_index");
    let (g5, g15, g40) = (gap(5), gap(15), gap(40));
    eprintln!("unit-cost gap of a 70% rule that cannot be met: year 5 {g5:.4}, 15 {g15:.4}, 40 {g40:.4}");
    assert!(g5 > 0.005 && g15 > 0.005 && g40 > 0.005, "{g5} {g15} {g40}");
    assert!(g40 > 0.5 * g5, "the cost does not fade while the rule binds: {g5} -> {g40}");
    // The fines are paid to the state: the same rule with no fine costs the budget more.
    let mut unfined = ruled.clone();
    unfined.model.lcr_fine = 0.0;
    let h = run_to_end(&ruled);
    let u = run_to_end(&unfined);
    assert!(h[12].fiscal_cost_usd_m < u[12].fiscal_cost_usd_m, "{} vs {}", h[12].fiscal_cost_usd_m, u[12].fiscal_cost_usd_m);
}

#[test]
fn a_strict_fine_moves_exports_smoothly() {
    // The roadmap of scenarios/strong_lcr.ron (30% -> 45% -> 60%) with a fine 8 times the default.
    let mut s = baseline(20);
    s.model.lcr_fine = 2.0;
    s.incentives.local_content = vec![(2.0, 0.3), (4.0, 0.45), (6.0, 0.6)];
    let h = run_to_end(&s);
    let changes: Vec<f64> = h.windows(2).map(|w| w[1].exports_usd_m / w[0].exports_usd_m - 1.0).collect();
    let worst = changes.iter().map(|c| c.abs()).fold(0.0, f64::max);
    // An oscillation reverses direction quarter after quarter; an adjustment does not.
    let swings = changes.windows(2).filter(|w| w[0] * w[1] < 0.0 && w[0].abs().min(w[1].abs()) > 0.05).count();
    eprintln!("with lcr_fine = 2: largest quarter-to-quarter change of exports {:.1}%, {swings} reversals of more than 5%", 100.0 * worst);
    assert!(worst <= 0.3, "{worst}");
    assert_eq!(swings, 0, "{:?}", changes.iter().map(|c| format!("{c:.3}")).collect::<Vec<_>>());
    // Each step of the roadmap costs exports while suppliers catch up; they recover after.
    let last = final_year_exports(&h);
    let year6: f64 = h[20..24].iter().map(|r| r.exports_usd_m).sum();
    assert!(last > year6, "exports recover once suppliers meet the rule: {year6} -> {last}");
}

#[test]
fn the_anchor_invests_less_under_a_heavier_tax_burden() {
    use kicsim_model::sim::exports::{investment_scale, tax_burden};
    let s = baseline(10);
    let output = |t: &Scenario| run_to_end(t)[0].anchor_output_usd_m;
    let base = output(&s);
    let mut taxed = s.clone();
    taxed.incentives.cit_holiday_years = 0.0;
    taxed.incentives.cit_rate = 0.5;
    let heavy = output(&taxed);
    // The semi-elasticity recovered from the two plans is the model's parameter.
    let semi = -(heavy / base).ln() / (tax_burden(&taxed) - tax_burden(&s));
    eprintln!("output with a 50% CIT rate: {heavy:.0} vs {base:.0}; semi-elasticity {semi:.2}");
    assert!(heavy < 0.5 * base, "{heavy} vs {base}");
    assert!((semi - s.model.fdi_tax_semi_elasticity).abs() < 0.3, "{semi}");
    // Commitments are not free: an R&D commitment the anchor pays for shrinks it.
    let mut committed = s.clone();
    committed.anchor.commitments.rd_usd_m_per_year = 100.0;
    assert!(investment_scale(&committed) < investment_scale(&s) * 0.8);
    let mut huge = s.clone();
    huge.anchor.commitments.rd_usd_m_per_year = 1_000.0;
    assert!(output(&huge) < 0.05 * base, "a commitment above its profit: the anchor does not come");
    // A holiday is worth something to the investor.
    let mut none = s.clone();
    none.incentives.cit_holiday_years = 0.0;
    none.incentives.cit_rate = 0.2;
    assert!(output(&none) < base);
}

#[test]
fn an_anchor_whose_costs_rise_too_far_moves_lines_out() {
    let mut s = baseline(20);
    s.model.lcr_fine = 2.0;
    s.model.lcr_detection = 1.0;
    s.incentives.local_content = vec![(1.0, 0.64)];
    let h = run_to_end(&s);
    let plain = run_to_end(&baseline(20));
    let (a, b) = (h.last().unwrap().anchor_output_usd_m, plain.last().unwrap().anchor_output_usd_m);
    eprintln!("anchor output at year 20 under an unmeetable rule with a heavy fine: {a:.0} vs {b:.0}");
    assert!(a < 0.7 * b, "{a} vs {b}");
}

#[test]
fn an_enclave_anchor_teaches_little_and_makes_no_tier1_vendor() {
    let cap = |t: &Scenario| kpi_at(t, 4, 20, "mean_supplier_capability");
    // What the anchor's spillover adds to its suppliers' capability: with it, minus without it.
    let gain = |t: &Scenario| {
        let mut off = t.clone();
        off.model.anchor_spillover = 0.0;
        cap(t) - cap(&off)
    };
    let mut s = baseline(20);
    s.model.foreign_entry_rate = 0.0;
    let buying = gain(&s);
    // Imports so cheap that the anchor buys almost nothing locally (and, so that its size stays
    // the same, exports that do not answer its lower cost).
    s.model.import_cost = 0.3;
    s.model.export_elasticity = 0.0;
    let enclave = gain(&s);
    let tier1 = kpi_at(&s, 4, 20, "tier1_suppliers");
    let loc = kpi_at(&s, 4, 20, "localization_rate");
    eprintln!(
        "capability the anchor's spillover adds at year 20: {buying:.3} when it buys locally, {enclave:.3} as an enclave (localization {loc:.3}, tier-1 {tier1})"
    );
    assert!(loc < 0.02, "{loc}");
    assert!(
        enclave < 0.5 * buying,
        "spillover flows mainly through purchases; the proximity term alone gives less than half: {enclave} vs {buying}"
    );
    assert!(tier1 < 0.01, "no tier-1 vendor of an anchor that buys nothing: {tier1}");
}

#[test]
fn a_joint_venture_teaches_more_than_a_wholly_owned_affiliate() {
    use kicsim_model::sim::spillover::ownership_factor;
    assert!(ownership_factor(Ownership::JointVenture) > ownership_factor(Ownership::Fdi));
    assert!(ownership_factor(Ownership::Fdi) > ownership_factor(Ownership::Domestic));
    let s = baseline(10);
    let cap = |o: Ownership| {
        let mut t = s.clone();
        t.anchor.ownership = o;
        kpi_at(&t, 6, 10, "mean_supplier_capability")
    };
    let (jv, fdi) = (cap(Ownership::JointVenture), cap(Ownership::Fdi));
    eprintln!("mean capability at year 10: joint venture {jv:.3}, wholly owned {fdi:.3}");
    assert!(jv > fdi, "{jv} vs {fdi}");
}

#[test]
fn export_promotion_has_diminishing_returns_relative_to_the_exports_it_serves() {
    use kicsim_model::sim::exports::promotion_effect;
    let mut s = baseline(10);
    s.incentives.export_promotion_usd_m_per_year = 2.0;
    let at = |t: &Scenario, exports: f64| promotion_effect(t, exports) - 1.0;
    let (small, big) = (at(&s, 1_600.0), at(&s, 16_000.0));
    assert!(big < 0.2 * small, "the same budget for ten times the exports: {big} vs {small}");
    let mut double = s.clone();
    double.incentives.export_promotion_usd_m_per_year = 4.0;
    assert!(at(&double, 1_600.0) < 2.0 * small * 0.9, "doubling the budget adds less than the first");
    assert!(small < 0.1, "USD 2 m on USD 1.6 bn of exports: {small}");
}

#[test]
fn a_bigger_anchor_raises_domestic_capability() {
    let s = baseline(10);
    let cap = |output: f64| {
        let mut t = s.clone();
        t.anchor.output_usd_m = output;
        kpi_at(&t, 6, 10, "mean_supplier_capability")
    };
    let (small, big) = (cap(500.0), cap(8_000.0));
    eprintln!("mean capability at year 10 next to a USD 500 m and a USD 8,000 m anchor: {small:.3} {big:.3}");
    assert!(big > small + 0.02, "{small} vs {big}");
}

#[test]
fn dearer_imported_inputs_cost_the_anchor_exports() {
    // A tariff on inputs raises the anchor's cost and not its rival's abroad: exports fall, though
    // the anchor buys more locally.
    let s = baseline(10);
    let mut dear = s.clone();
    dear.model.import_cost = 1.3;
    let x = |t: &Scenario| mean_over_seeds(t, 4, final_year_exports);
    let loc = |t: &Scenario| kpi_at(t, 4, 10, "localization_rate");
    eprintln!("import cost 1.15 -> 1.3: exports {:.0} -> {:.0}, localization {:.3} -> {:.3}", x(&s), x(&dear), loc(&s), loc(&dear));
    assert!(x(&dear) < x(&s));
    assert!(loc(&dear) > loc(&s));
}

#[test]
fn above_the_global_minimum_tax_a_longer_holiday_buys_the_investor_nothing() {
    use kicsim_model::sim::exports::investment_scale;
    let mut s = baseline(10);
    s.incentives.cit_rate = 0.15;
    let scale = |holiday: f64, t: &Scenario| {
        let mut u = t.clone();
        u.incentives.cit_holiday_years = holiday;
        investment_scale(&u)
    };
    // In scope (USD 2,000 m of output): the holiday is topped up to 15%, worth nothing.
    assert!((scale(0.0, &s) - scale(10.0, &s)).abs() < 1e-12);
    // Out of scope (a USD 500 m anchor), or with no minimum tax: a holiday is worth something, and
    // a longer one more, but a discounted 10-year holiday is worth less than a permanent exemption.
    s.model.minimum_tax_rate = 0.0;
    assert!(scale(4.0, &s) > scale(0.0, &s));
    assert!(scale(10.0, &s) > scale(4.0, &s) && scale(100.0, &s) > scale(10.0, &s));
    // The top-up is collected: the holiday's fiscal cost falls when the anchor is in scope.
    let mut t = baseline(10);
    let cost = |u: &Scenario| run_to_end(u).last().unwrap().cumulative_fiscal_cost_usd_m;
    let with = cost(&t);
    t.model.minimum_tax_rate = 0.0;
    assert!(with < cost(&t), "{with} vs {}", cost(&t));
}
