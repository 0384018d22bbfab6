//! Property tests of the model's invariants over random incentives, parameters and seeds.

use kicsim_model::scenario::{Scenario, default_scenario};
use kicsim_model::sim::run_to_end;
use proptest::prelude::*;

fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (
        (0.0..10.0f64, 0.0..0.5f64, 0.0..1.0f64, 0.0..20.0f64, 0.0..9.0f64, 0.0..3.0f64),
        (0.0..5000.0f64, 0.0..50.0f64, proptest::collection::vec((0.0..10.0f64, 0.0..1.0f64), 0..4)),
        (0.5..10.0f64, 0.0..2.0f64, 0.0..0.05f64, 0.0..10.0f64, any::<u64>(), 0.0..1.0f64),
    )
        .prop_map(|((hol, rate, land, land_y, credit, rd), (train, promo, lcr), (lambda, lr, noise, entry, seed, tt))| {
            let mut s = default_scenario();
            s.years = 3;
            s.seed = seed;
            let i = &mut s.incentives;
            i.cit_holiday_years = hol;
            i.cit_rate = rate;
            i.land_rent_exemption = land;
            i.land_rent_exemption_years = land_y;
            i.credit_interest_subsidy_pp = credit;
            i.rd_deduction = rd;
            i.training_subsidy_usd_per_trainee = train;
            i.export_promotion_usd_m_per_year = promo;
            i.local_content = lcr;
            s.model.spillover_lambda_km = lambda;
            s.model.learning_rate = lr;
            s.model.capability_noise = noise;
            s.model.entry_rate = entry;
            s.anchor.commitments.tech_transfer = tt;
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn kpis_stay_in_range_and_finite(s in scenario_strategy()) {
        prop_assert!(s.validate().is_empty(), "{:?}", s.validate());
        let h = run_to_end(&s);
        prop_assert_eq!(h.len(), 12);
        let mut last_cum = 0.0;
        for r in &h {
            for v in r.kpis() {
                prop_assert!(v.is_finite(), "non-finite KPI in {:?}", r);
            }
            prop_assert!((0.0..=1.0).contains(&r.localization_rate));
            prop_assert!((0.0..=1.0).contains(&r.mean_supplier_capability));
            prop_assert!((0.0..=1.0).contains(&r.mean_worker_skill));
            prop_assert!(r.tier1_suppliers + r.tier2_suppliers <= r.domestic_suppliers);
            prop_assert!(r.exports_usd_m >= 0.0 && r.employment >= 0.0);
            // Localization can never exceed what domestic firms can make at all.
            prop_assert!(r.localization_rate <= s.anchor.sector.localizable_share() + 1e-9);
            // Every incentive here costs money (cit_rate <= standard is not guaranteed, so
            // check the accounting identity instead of the sign).
            prop_assert!((r.cumulative_fiscal_cost_usd_m - (last_cum + r.fiscal_cost_usd_m)).abs() < 1e-6);
            last_cum = r.cumulative_fiscal_cost_usd_m;
        }
    }

    #[test]
    fn any_valid_scenario_round_trips_through_ron(s in scenario_strategy()) {
        let text = s.to_ron();
        let back = Scenario::parse(&text, "roundtrip.ron").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, s);
    }
}

/// The baseline file with one edit a student might make by mistake: a span of characters
/// deleted, or some text inserted.
fn damaged_file() -> impl Strategy<Value = String> {
    let src = std::fs::read_to_string("../../scenarios/baseline.ron").unwrap();
    let n = src.len();
    let junk = prop_oneof![Just(String::new()), "[(),:\"a-z0-9 .\\n\\[\\]-]{1,6}".prop_map(|s| s)];
    (0..n, 0..12usize, junk).prop_map(move |(at, del, ins)| {
        let mut chars: Vec<char> = src.chars().collect();
        let at = at.min(chars.len());
        let end = (at + del).min(chars.len());
        chars.splice(at..end, ins.chars());
        chars.into_iter().collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Bad input never panics, and every error points at a real place in the file.
    #[test]
    fn a_damaged_file_is_an_error_with_a_place_or_a_valid_scenario(text in damaged_file()) {
        match Scenario::parse(&text, "damaged.ron") {
            Ok(s) => prop_assert!(s.validate().is_empty()),
            Err(e) => {
                let lines = text.lines().count().max(1);
                for p in &e.problems {
                    prop_assert!(p.line >= 1 && p.line <= lines + 1, "line {} of {}: {}", p.line, lines, e);
                    prop_assert!(p.col >= 1, "{}", e);
                    prop_assert!(!p.message.is_empty());
                }
                prop_assert!(e.to_string().starts_with("error: damaged.ron:"));
            }
        }
    }

    /// `--set` with any value text never panics; a refused override says which one.
    #[test]
    fn any_set_value_is_applied_or_refused_cleanly(path in prop_oneof![
        Just("incentives.cit_rate"), Just("years"), Just("suppliers[3].site.x_km"), Just("incentives.local_content"),
        Just("anchor.sector"), Just("map.size_km"), Just("nonexistent.field"), Just("suppliers[x]"),
    ], value in "[-(),.0-9a-zA-Z\\[\\]]{0,12}") {
        let assignment = format!("{path}={value}");
        match kicsim_model::scenario::apply_set(&default_scenario(), &assignment) {
            Ok(_) => {}
            Err(msg) => prop_assert!(!msg.is_empty()),
        }
    }
}

/// Every model parameter at either end of the range a file may hold, one at a time, over 12 years:
/// every KPI stays finite and within what it can take.
#[test]
fn every_model_parameter_at_the_ends_of_its_range_keeps_kpis_finite_and_in_range() {
    use kicsim_model::registry::{FIELDS, kpi_of};
    for f in FIELDS.iter().filter(|f| f.is_model_parameter()) {
        for v in [f.min, f.max] {
            let mut s = default_scenario();
            s.years = 12;
            s.incentives.local_content = vec![(2.0, 0.4)];
            if f.path == "model.tier2_threshold" {
                s.model.tier1_threshold = 1.0;
            }
            if f.path == "model.tier1_threshold" {
                s.model.tier2_threshold = 0.0;
            }
            if f.path == "model.lending_rate_pct" {
                s.incentives.credit_interest_subsidy_pp = 0.0;
            }
            f.set(&mut s, v);
            assert!(s.validate().is_empty(), "{} = {v}: {:?}", f.path, s.validate());
            for r in run_to_end(&s) {
                for (k, x) in kicsim_model::registry::KPIS.iter().zip(r.kpis()) {
                    let (lo, hi) = kpi_of(k.name).unwrap().bounds();
                    assert!(x.is_finite() && lo <= x && x <= hi, "{} = {v}: {} = {x} in quarter {}", f.path, k.name, r.quarter);
                }
            }
        }
    }
}
