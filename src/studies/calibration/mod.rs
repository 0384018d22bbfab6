//! Calibration of the model's parameters by approximate Bayesian computation (rejection or
//! ABC-SMC, [`crate::analysis`]): the targets (observed facts, parsed with every mistake located
//! at file:line:col), the simulated statistics of a parameter set, and the sampler.
//!
//! A targets file lists facts, each with the scenario it is observed in (optional `--set`-style
//! overrides), a KPI, a year, and an observed value with its sd or an interval. FILE's `model`
//! block is the model: it replaces the target scenarios' own, and it is the centre the posterior
//! is compared with. The prior is uniform over the parameters' plausible ranges (registry). The
//! distance of a simulation is the targets' weighted Euclidean distance: (gap / sd)^2 summed, with
//! the gap to an interval 0 inside it. Each simulation runs every target scenario
//! `--replications` times and compares the mean.
//!
//! `targets.rs` reads the targets; this file simulates a parameter set's statistics and runs
//! the sampler.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Serialize;

use super::params::{self, Param};
use super::sensitivity::kpi_at_year;
use crate::analysis::{self, AbcResult, RejectionConfig, SmcConfig, Target};
use crate::run;
use crate::scenario::Scenario;

mod targets;

pub use targets::{Resolved, TargetSpec, Targets, TargetsFile, describe, parse_targets};

/// The simulated statistics of a parameter set: each target's KPI, the mean of `replications`
/// runs of its scenario (seeds `seed + r`).
pub fn simulate(t: &Targets, params: &[Param], theta: &[f64], seed: u64, replications: u32) -> Vec<f64> {
    let runs: Vec<Vec<Vec<crate::sim::QuarterRecord>>> = t
        .scenarios
        .iter()
        .map(|(_, s)| {
            let s = params::apply(s, params, theta);
            (0..replications)
                .map(|r| {
                    let mut x = s.clone();
                    x.seed = run::replication_seed(seed, r);
                    crate::sim::run_to_end(&x)
                })
                .collect()
        })
        .collect();
    t.targets
        .iter()
        .map(|g| {
            let rs = &runs[g.scenario];
            rs.iter().map(|h| kpi_at_year(h, &g.kpi, g.year)).sum::<f64>() / rs.len() as f64
        })
        .collect()
}

/// Sampler settings.
#[derive(Clone, Debug, Serialize)]
pub enum Sampler {
    Rejection(RejectionConfig),
    Smc(SmcConfig),
}

/// Runs ABC over `params` (uniform priors over their ranges).
pub fn run_abc(
    t: &Targets,
    params: &[Param],
    sampler: &Sampler,
    replications: u32,
    seed: u64,
    progress: &run::Progress,
) -> Result<AbcResult, String> {
    // The simulator sees real values; whole-number parameters are rounded by the registry.
    let ranges: Vec<(f64, f64)> = params.iter().map(|p| (p.lo, p.hi)).collect();
    let targets: Vec<Target> = t.targets.iter().map(|g| g.target).collect();
    let sim = |theta: &[f64], s: u64| simulate(t, params, theta, s, replications);
    let tick = |_: usize, _: usize| progress.tick();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xabc0_0000_0000_0001);
    let r = match sampler {
        Sampler::Rejection(c) => analysis::abc_rejection(&sim, &targets, &ranges, c, &mut rng, &tick),
        Sampler::Smc(c) => analysis::abc_smc(&sim, &targets, &ranges, c, &mut rng, &tick),
    };
    r.map_err(|e| format!("calibration: {e}"))
}

/// How much the targets say about a parameter, from posterior sd / prior sd.
pub fn constraint(sd_ratio: f64) -> &'static str {
    if sd_ratio < 0.5 {
        "constrained"
    } else if sd_ratio < 0.85 {
        "partly constrained"
    } else {
        "not constrained by the targets"
    }
}

/// The true values of `--synthetic a=v,...` (`file`: FILE's values), in the order of `params`.
pub fn parse_synthetic(spec: &str, params: &[Param], base: &Scenario) -> Result<Vec<f64>, String> {
    let mut truth: Vec<f64> = params.iter().map(|p| p.field.get(base).unwrap_or(f64::NAN)).collect();
    if spec.trim() == "file" {
        return Ok(truth);
    }
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, v) = item.split_once('=').ok_or_else(|| format!("--synthetic {item}: expected PARAMETER=VALUE"))?;
        let path = if name.trim().starts_with("model.") { name.trim().to_string() } else { format!("model.{}", name.trim()) };
        let j = params
            .iter()
            .position(|p| p.path() == path)
            .ok_or_else(|| format!("--synthetic {item}: `{path}` is not among the calibrated parameters"))?;
        let v: f64 = v.trim().parse().map_err(|_| format!("--synthetic {item}: `{}` is not a number", v.trim()))?;
        // A range check that also refuses NaN (every comparison with NaN is false).
        if !(params[j].lo..=params[j].hi).contains(&v) {
            return Err(format!(
                "--synthetic {item}: {v} is outside the prior range {}..{} (it could not be recovered)",
                params[j].lo, params[j].hi
            ));
        }
        truth[j] = v;
    }
    Ok(truth)
}

/// The weighted correlation of parameters x and y over the samples.
pub fn weighted_corr(samples: &[Vec<f64>], x: usize, y: usize, w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    let mean = |j: usize| samples.iter().zip(w).map(|(s, w)| s[j] * w).sum::<f64>() / total;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (s, w) in samples.iter().zip(w) {
        let (a, b) = (s[x] - mx, s[y] - my);
        sxy += w * a * b;
        sxx += w * a * a;
        syy += w * b * b;
    }
    if sxx > 0.0 && syy > 0.0 { sxy / (sxx * syy).sqrt() } else { f64::NAN }
}

pub fn list(xs: &[&str]) -> String {
    if xs.is_empty() { "none".into() } else { xs.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Tolerance;
    use std::path::Path;

    fn model() -> crate::scenario::ModelParams {
        crate::scenario::default_scenario().model
    }

    const GOOD: &str = r#"(
    targets: [
        (name: "baseline", scenario: "scenarios/baseline.ron", kpi: "localization_rate", year: 10, interval: (0.30, 0.40)),
        (name: "footwear", scenario: "scenarios/baseline.ron", set: ["anchor.sector=Footwear"], kpi: "localization_rate", interval: (0.30, 0.45), sd: 0.02),
        (name: "tier-1 takes years", scenario: "scenarios/baseline.ron", kpi: "tier1_suppliers", year: 2, value: 0.0, sd: 1.0),
    ],
)"#;

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn a_targets_file_gives_its_scenarios_once_and_its_distance_terms() {
        let t = parse_targets(GOOD, "t.ron", root(), &model()).unwrap();
        assert_eq!(t.scenarios.len(), 2, "the baseline once, the footwear variant once");
        assert_eq!(t.targets[1].target, Target::interval_with_scale(0.30, 0.45, 0.02));
        assert_eq!(t.targets[0].target, Target::interval(0.30, 0.40));
        assert_eq!((t.targets[1].year, t.targets[2].year), (10, 2));
        assert_eq!(t.targets[2].target, Target::value(0.0, 1.0));
        assert_eq!(describe(&t).len(), 2);
    }

    #[test]
    fn every_mistake_in_a_targets_file_is_located() {
        let bad = GOOD
            .replace("kpi: \"localization_rate\", year: 10", "kpi: \"localisation\", year: 10")
            .replace("interval: (0.30, 0.45)", "interval: (0.45, 0.30)")
            .replace("year: 2, value: 0.0, sd: 1.0", "year: 40, value: 0.0");
        let e = parse_targets(&bad, "t.ron", root(), &model()).unwrap_err();
        assert!(e.contains("error: t.ron:3:") && e.contains("field `targets[0].kpi`") && e.contains("unknown KPI `localisation`"), "{e}");
        assert!(e.contains("field `targets[1].interval`") && e.contains("is empty"), "{e}");
        assert!(e.contains("field `targets[2].year`") && e.contains("years 1 to 10"), "{e}");
        assert!(e.contains("field `targets[2].value`") && e.contains("needs its `sd`"), "{e}");
        let e = parse_targets(
            &GOOD.replace("scenarios/baseline.ron\", kpi: \"tier1", "scenarios/nope.ron\", kpi: \"tier1"),
            "t.ron",
            root(),
            &model(),
        )
        .unwrap_err();
        assert!(e.contains("t.ron:5:") && e.contains("targets[2].scenario") && e.contains("nope.ron"), "{e}");
        let e =
            parse_targets(&GOOD.replace("kpi: \"tier1_suppliers\"", "kpis: \"tier1_suppliers\""), "t.ron", root(), &model()).unwrap_err();
        assert!(e.starts_with("error: t.ron:5:") && e.contains("kpis"), "{e}");
        let e = parse_targets(
            &GOOD.replace("set: [\"anchor.sector=Footwear\"]", "set: [\"anchor.sectr=Footwear\"]"),
            "t.ron",
            root(),
            &model(),
        )
        .unwrap_err();
        assert!(e.contains("targets[1].set") && e.contains("sectr"), "{e}");
        let e = parse_targets("(targets: [])", "t.ron", root(), &model()).unwrap_err();
        assert!(e.contains("no targets"), "{e}");
    }

    #[test]
    fn weighted_correlation_of_a_line_and_of_independent_columns() {
        let line: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64, 2.0 * i as f64 + 1.0, (i % 2) as f64]).collect();
        let w = vec![0.1; 10];
        assert!((weighted_corr(&line, 0, 1, &w) - 1.0).abs() < 1e-12);
        assert!(weighted_corr(&line, 0, 2, &w).abs() < 0.2);
        // A weight of zero leaves a sample out.
        let mut w2 = w.clone();
        w2[9] = 0.0;
        let mut bent = line.clone();
        bent[9][1] = -100.0;
        assert!((weighted_corr(&bent, 0, 1, &w2) - 1.0).abs() < 1e-12);
    }

    /// Identifiability: observations made with a known import cost are recovered, and a
    /// parameter the targets cannot see (the local-content fine, in a scenario with no rule) is
    /// reported as not constrained.
    #[test]
    fn calibration_recovers_a_known_parameter_and_flags_one_it_cannot_see() {
        let text = r#"(targets: [
            (name: "localization y8", scenario: "scenarios/baseline.ron", set: ["years=8"], kpi: "localization_rate", year: 8, value: 0.0, sd: 0.01),
            (name: "localization y4", scenario: "scenarios/baseline.ron", set: ["years=8"], kpi: "localization_rate", year: 4, value: 0.0, sd: 0.01),
        ])"#;
        let mut t = parse_targets(text, "t.ron", root(), &model()).unwrap();
        let params = params::select(Some("import_cost,lcr_fine")).unwrap();
        let truth = [1.08, 0.25];
        let obs = simulate(&t, &params, &truth, 777, 8);
        for (g, o) in t.targets.iter_mut().zip(obs) {
            g.target = Target::value(o, 0.01);
        }
        let sampler = Sampler::Rejection(RejectionConfig { n_simulations: 600, tolerance: Tolerance::Quantile(0.1) });
        let r = run_abc(&t, &params, &sampler, 2, 5, &run::Progress::silent()).unwrap();
        let (ic, fine) = (&r.summary[0], &r.summary[1]);
        assert!(ic.q025 <= truth[0] && truth[0] <= ic.q975, "import cost {ic:?}");
        // The anchor switches between imports and local goods with an elasticity of 2.5, so four
        // years of localization narrow the import cost less than they did at 12.
        assert!(ic.sd_ratio < 0.7, "the import cost is constrained: {ic:?}");
        assert!((ic.mean - truth[0]).abs() < 0.5 * ic.prior_sd, "{ic:?}");
        assert!(fine.sd_ratio > 0.8, "the fine is not seen without a local-content rule: {fine:?}");
        assert_eq!(constraint(fine.sd_ratio.max(0.85)), "not constrained by the targets");
    }
}
