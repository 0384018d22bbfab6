//! Unit tests of the model's pure rules, each on its own: the tier audit, road and freight
//! distances, the random draws' distributions, and the local-content rule's bisection through
//! one quarter of sourcing.

use kicsim_model::scenario::{Site, Tier, default_scenario};
use kicsim_model::sim::geo::{ROAD_DETOUR, freight_km, road_km};
use kicsim_model::sim::map::SiteMap;
use kicsim_model::sim::rng::{normal, poisson, stream};
use kicsim_model::sim::sourcing::AnchorState;
use kicsim_model::sim::tiers::{DEMOTION_MARGIN, TIER1_RECORD_QUARTERS, audit_one, promote};
use kicsim_model::sim::{Engine, Supplier, dist, reset_world, step_once};

fn supplier(c: f64) -> Supplier {
    Supplier::new(c, 1.0, 10.0, Tier::Untiered, 0)
}

/// One quarter of the record, and the audit whenever the firm is ready for one (an anchor with
/// audits to spare).
fn audit(sp: &mut Supplier, t2: f64, t1: f64, q2: u32, q1: u32) {
    if let Some(to) = audit_one(sp, t2, t1, q2, q1) {
        promote(sp, to);
    }
}

#[test]
fn the_audit_promotes_after_the_trial_quarters_and_demotes_below_the_margin() {
    let (t2, t1, q2, q1) = (0.45, 0.68, 4, 8);
    let mut sp = supplier(0.5);
    for q in 1..q2 {
        assert_eq!(audit_one(&mut sp, t2, t1, q2, q1), None, "quarter {q}: not yet {q2} quarters at the level");
        assert_eq!(sp.tier, Tier::Untiered);
    }
    // Ready: the record says so, but the tier waits for the anchor's audit.
    assert_eq!(audit_one(&mut sp, t2, t1, q2, q1), Some(Tier::Tier2));
    assert_eq!(sp.tier, Tier::Untiered);
    promote(&mut sp, Tier::Tier2);
    assert_eq!(sp.tier, Tier::Tier2);
    // At the tier-1 level, tier-1 needs q1 quarters there and a record of supply as tier-2: a
    // firm the anchor buys nothing from is never ready.
    sp.capability = 0.7;
    for _ in 0..20 {
        assert_eq!(audit_one(&mut sp, t2, t1, q2, q1), None, "no sales, no record");
    }
    sp.quarters_at_tier1_level = 0;
    sp.sales_usd_m = 0.5 * sp.capacity_usd_m;
    let mut quarters = 0;
    while sp.tier != Tier::Tier1 {
        audit(&mut sp, t2, t1, q2, q1);
        quarters += 1;
        assert!(quarters <= 20, "never promoted");
    }
    assert!(quarters >= q1 as usize && sp.quarters_as_tier2 >= TIER1_RECORD_QUARTERS);
    // A small dip keeps the tier; a fall beyond the margin loses it.
    sp.capability = t1 - DEMOTION_MARGIN / 2.0;
    audit(&mut sp, t2, t1, q2, q1);
    assert_eq!(sp.tier, Tier::Tier1);
    sp.capability = t1 - 2.0 * DEMOTION_MARGIN;
    audit(&mut sp, t2, t1, q2, q1);
    assert_eq!(sp.tier, Tier::Tier2);
    // A run below the level restarts the count.
    let mut sp = supplier(0.5);
    audit(&mut sp, t2, t1, q2, q1);
    sp.capability = 0.3;
    audit(&mut sp, t2, t1, q2, q1);
    assert_eq!(sp.quarters_at_tier2_level, 0);
}

#[test]
fn roads_wind_the_highway_does_not_and_a_hub_discounts_the_whole_trip() {
    let map = SiteMap::generate(&default_scenario().map);
    let hy = map.highway_y_km;
    // Near each other off the highway: local roads, ROAD_DETOUR times the straight line.
    let (a, b) = (Site { x_km: 5.0, y_km: hy + 8.0 }, Site { x_km: 6.0, y_km: hy + 8.0 });
    assert!((road_km(&map, a, b) - ROAD_DETOUR * dist(a, b)).abs() < 1e-12);
    // Both on the highway, far apart: the highway is straight.
    let (c, d) = (Site { x_km: 2.0, y_km: hy }, Site { x_km: map.port.x_km, y_km: hy });
    assert!((road_km(&map, c, d) - (d.x_km - c.x_km)).abs() < 1e-9);
    // Symmetric, and never shorter than the straight line.
    for (p, q) in [(a, d), (b, c), (a, c)] {
        assert!((road_km(&map, p, q) - road_km(&map, q, p)).abs() < 1e-9);
        assert!(road_km(&map, p, q) >= dist(p, q) - 1e-9);
    }
    // A hub: the better of direct or via the hub at a discount; no hub = direct.
    assert_eq!(freight_km(&map, a, d, &[], 0.4), road_km(&map, a, d));
    let hub = Site { x_km: 10.0, y_km: hy };
    let via = (road_km(&map, a, hub) + road_km(&map, hub, d)) * 0.6;
    assert!((freight_km(&map, a, d, &[hub], 0.4) - via.min(road_km(&map, a, d))).abs() < 1e-12);
    assert!(freight_km(&map, a, d, &[hub], 0.4) < road_km(&map, a, d), "a hub on the way pays at a 40% discount");
}

#[test]
fn the_random_draws_have_the_distributions_they_claim() {
    let mut rng = stream(42, 1);
    let n = 200_000;
    let xs: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!(mean.abs() < 0.01, "normal mean {mean}");
    assert!((var - 1.0).abs() < 0.01, "normal variance {var}");
    let tail = xs.iter().filter(|x| x.abs() > 1.96).count() as f64 / n as f64;
    assert!((tail - 0.05).abs() < 0.003, "two-sided 5% tail: {tail}");
    for mean in [0.2, 0.75, 3.0] {
        let ks: Vec<u32> = (0..n).map(|_| poisson(&mut rng, mean)).collect();
        let m = ks.iter().map(|&k| k as f64).sum::<f64>() / n as f64;
        let v = ks.iter().map(|&k| (k as f64 - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((m - mean).abs() < 0.02 * mean.max(1.0), "Poisson({mean}) mean {m}");
        assert!((v - mean).abs() < 0.04 * mean.max(1.0), "Poisson({mean}) variance {v} (equals the mean)");
        let zeros = ks.iter().filter(|&&k| k == 0).count() as f64 / n as f64;
        assert!((zeros - (-mean).exp()).abs() < 0.005, "P(0) = exp(-mean)");
    }
    assert_eq!(poisson(&mut rng, 0.0), 0);
    // Streams: the same seed and number repeat, another number does not.
    let draw = |s: u64, k: u64| normal(&mut stream(s, k));
    assert_eq!(draw(7, 2), draw(7, 2));
    assert_ne!(draw(7, 2), draw(7, 3));
}

/// The local-content rule: a requirement that qualified suppliers can meet at a markup below the
/// expected fine is met (the bisection finds the markup, which the anchor reaches over a few
/// quarters), one they cannot meet is fined for the shortfall the audits find.
#[test]
fn the_requirement_is_met_by_a_markup_when_it_can_be_and_fined_when_not() {
    let after = |req: f64, fine: f64, detection: f64| {
        let mut s = default_scenario();
        s.model.capability_noise = 0.0;
        s.model.entry_rate = 0.0;
        s.model.foreign_entry_rate = 0.0;
        s.model.lcr_fine = fine;
        s.model.lcr_detection = detection;
        // Qualified from the start: make every listed supplier tier-1.
        for sp in &mut s.suppliers {
            sp.tier = Tier::Tier1;
            sp.capability = sp.capability.max(0.7);
            sp.capacity_usd_m = 500.0;
        }
        s.incentives.local_content = vec![(0.0, req)];
        let mut engine = Engine::new();
        let world = engine.world_mut();
        reset_world(world, &s);
        let first = {
            step_once(world);
            world.resource::<AnchorState>().clone()
        };
        for _ in 0..15 {
            step_once(world);
        }
        (first, world.resource::<AnchorState>().clone())
    };
    let (_, free) = after(0.0, 1.0, 1.0);
    assert_eq!(free.lcr_markup, 0.0);
    let target = (free.localization_rate + 0.1).min(0.6);
    let (first, met) = after(target, 1.0, 1.0);
    assert!(met.localization_rate >= target - 1e-3, "{} below the {target} required", met.localization_rate);
    assert!(met.localization_rate < target + 0.01, "the smallest markup that meets it: {}", met.localization_rate);
    assert!(met.lcr_markup > 0.0 && met.lcr_markup < 1.0 && met.lcr_shortfall < 1e-3);
    // The markup moves half-way each quarter: the first quarter is short of the target.
    assert!(first.lcr_markup < met.lcr_markup && first.lcr_shortfall > 0.0, "{first:?}");
    // With no room to pay (expected fine 0.01), the requirement is not met and the shortfall is fined.
    let (_, short) = after(target, 0.02, 0.5);
    assert!(short.lcr_shortfall > 0.0 && (short.lcr_markup - 0.01).abs() < 1e-6, "{short:?}");
    assert!((short.lcr_shortfall - (target - short.localization_rate)).abs() < 1e-12);
    assert!((short.lcr_fines_usd_m - 0.01 * short.lcr_shortfall * short.demand_usd_m).abs() < 1e-9);
    assert!(short.input_cost_index > free.input_cost_index, "the fine raises the anchor's input cost");
}
