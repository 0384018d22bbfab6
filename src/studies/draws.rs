//! Parameter draws (`--parameter-draws N`) and the verdicts on differences across them.
//!
//! Every interval the seeds alone give says how sure the model is of its own average, not how
//! sure anyone can be of the model. Here each of N draws also sets the model's parameters: a Latin
//! hypercube over the registry's plausible ranges, or samples of a calibration posterior
//! (`--posterior FILE`, the `posterior.csv` of `kicsim calibrate`). Draw d with replication r runs
//! seed `seed + d R + r` with parameter set d in every scenario compared, so each scenario meets
//! the same parameters and the same luck, and a difference between two scenarios is a paired
//! difference per draw. A `model.*` parameter a scenario sets away from its default is that
//! scenario's own and is not drawn for it.
//!
//! What is reported for a level: the mean over all runs and the 2.5-97.5% range of the draws'
//! means ("95% over parameter draws"). For a difference: the same, plus the share of draws in
//! which the difference has the sign of its mean: **robust** when at least 95% of the draws agree,
//! **depends on assumptions** otherwise, with the parameters it depends on most (Spearman's rank
//! correlation of the paired difference with each parameter across draws).
//!
//! The report sections that show them are built in [`crate::report::uncertainty`]; the options
//! are [`crate::commands::options::DrawArgs`].

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;

use super::params::{self, Param};
use crate::analysis::{lhs, quantile};
use crate::registry::{self, KPIS, TOTALS};
use crate::run::{self, Progress};
use crate::scenario::Scenario;

/// Share of draws a difference must keep its sign in to be called robust.
pub const ROBUST_SHARE: f64 = 0.95;

/// N parameter sets, each run `replications` times.
#[derive(Clone, Debug)]
pub struct Draws {
    pub params: Vec<Param>,
    /// `values[d][j]`: parameter j of draw d.
    pub values: Vec<Vec<f64>>,
    pub replications: u32,
    /// How the sets were drawn, for the reports.
    pub source: String,
}

impl Draws {
    /// A Latin hypercube of `n` sets over the parameters' ranges.
    pub fn latin(params: Vec<Param>, n: usize, replications: u32, seed: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_d4a3_0000_0001);
        let unit = lhs(n, params.len(), &mut rng);
        let values = unit.iter().map(|u| params::values_at(&params, u)).collect();
        let source = format!(
            "Latin hypercube of {} over the plausible ranges of {} (registry), seed {seed}",
            crate::format::count_of(n as u64, "draw"),
            crate::format::count_of(params.len() as u64, "parameter")
        );
        Draws { params, values, replications: replications.max(1), source }
    }

    /// `n` sets resampled (systematic resampling by weight) from a posterior file; parameters in
    /// `others` that the file does not list are drawn by Latin hypercube over their ranges.
    pub fn from_posterior(post: Posterior, file: &str, others: Vec<Param>, n: usize, replications: u32, seed: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_d4a3_0000_0002);
        let picks = systematic_resample(&post.weights, n, &mut rng);
        let rest: Vec<Param> = others.into_iter().filter(|p| !post.params.iter().any(|q| q.path() == p.path())).collect();
        let unit = lhs(n, rest.len(), &mut rng);
        let values = (0..n)
            .map(|d| {
                let mut v = post.samples[picks[d]].clone();
                v.extend(params::values_at(&rest, &unit[d]));
                v
            })
            .collect();
        let source = format!(
            "{} resampled by weight from the posterior {} ({} of {}){}",
            crate::format::count_of(n as u64, "draw"),
            file,
            crate::format::count_of(post.params.len() as u64, "parameter"),
            crate::format::count_of(post.samples.len() as u64, "sample"),
            if rest.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} more from their plausible ranges (Latin hypercube), seed {seed}",
                    crate::format::count_of(rest.len() as u64, "parameter")
                )
            }
        );
        let mut params = post.params;
        params.extend(rest);
        Draws { params, values, replications: replications.max(1), source }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The seed of replication r of draw d.
    pub fn seed(&self, base: u64, d: usize, r: u32) -> u64 {
        run::replication_seed(base, 0).wrapping_add(d as u64 * self.replications as u64 + r as u64)
    }

    /// The scenario of draw d (its seed is set per replication by the caller). A parameter the
    /// scenario sets away from the model's default is the scenario's own (a what-if, say a tariff
    /// on inputs), not an uncertainty: it keeps the scenario's value, so two plans that differ in
    /// it still differ in every draw.
    pub fn scenario(&self, base: &Scenario, d: usize) -> Scenario {
        let own = |p: &Param| p.field.get(base).is_some_and(|v| (v - p.field.default_value()).abs() > 1e-12);
        let (params, values): (Vec<Param>, Vec<f64>) =
            self.params.iter().zip(&self.values[d]).filter(|(p, _)| !own(p)).map(|(p, v)| (*p, *v)).unzip();
        params::apply(base, &params, &values)
    }

    /// Checks that every draw gives a valid scenario for each of `scenarios`.
    pub fn check(&self, scenarios: &[(String, Scenario)]) -> Result<(), String> {
        for (label, s) in scenarios {
            for d in 0..self.len() {
                if let Some(p) = params::model_problems(&self.scenario(s, d)).first() {
                    return Err(format!("parameter draw {d} of {label}: {p}"));
                }
            }
        }
        Ok(())
    }
}

/// Systematic resampling: `n` indices drawn in proportion to `weights` with one uniform number.
pub fn systematic_resample(weights: &[f64], n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    use rand::RngExt;
    let total: f64 = weights.iter().sum();
    let u0: f64 = rng.random::<f64>();
    let mut out = Vec::with_capacity(n);
    let (mut acc, mut i) = (weights.first().copied().unwrap_or(0.0) / total, 0);
    for k in 0..n {
        let u = (k as f64 + u0) / n as f64;
        while u > acc && i + 1 < weights.len() {
            i += 1;
            acc += weights[i] / total;
        }
        out.push(i);
    }
    // Shuffle so that draw order does not follow the file's order.
    use rand::seq::SliceRandom;
    out.shuffle(rng);
    out
}

/// The samples of a posterior file (`posterior.csv` of `kicsim calibrate`).
#[derive(Debug)]
pub struct Posterior {
    pub params: Vec<Param>,
    pub samples: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
}

impl Posterior {
    /// Reads the text of a posterior file: comment lines starting with `#`, then a header with a
    /// `weight` column and one column per `model.*` parameter (other columns are ignored). Errors
    /// name the file, line and column.
    pub fn parse(text: &str, file: &str) -> Result<Posterior, String> {
        let skipped = text.lines().take_while(|l| l.starts_with('#')).count();
        let body: String = text.lines().skip(skipped).collect::<Vec<_>>().join("\n");
        let at = |line: usize, col: usize, msg: String| format!("error: {file}:{}:{col}: {msg}", line + skipped);
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
        let header: Vec<String> = rdr.headers().map_err(|e| at(1, 1, format!("not a CSV file: {e}")))?.iter().map(String::from).collect();
        let col_of = |i: usize| header[..i].iter().map(|h| h.chars().count() + 1).sum::<usize>() + 1;
        let weight = header.iter().position(|h| h == "weight").ok_or_else(|| {
            at(1, 1, "no `weight` column: a posterior file of `kicsim calibrate` starts sample,weight,distance,model.…".into())
        })?;
        let mut params = Vec::new();
        let mut cols = Vec::new();
        for (i, h) in header.iter().enumerate().filter(|(_, h)| h.starts_with("model.")) {
            let field =
                registry::FIELDS.iter().find(|f| f.path == h).ok_or_else(|| at(1, col_of(i), format!("unknown parameter `{h}`")))?;
            let (lo, hi) = field.plausible.unwrap_or((field.min, field.max));
            params.push(Param { field, lo, hi });
            cols.push(i);
        }
        if params.is_empty() {
            return Err(at(1, 1, "no parameter columns (model.…)".into()));
        }
        let mut samples = Vec::new();
        let mut weights = Vec::new();
        for (k, rec) in rdr.records().enumerate() {
            let line = k + 2;
            let rec = rec.map_err(|e| at(line, 1, e.to_string()))?;
            // The column of cell i in this line (the cells before it and their commas).
            let col_in = |i: usize| rec.iter().take(i).map(|c| c.chars().count() + 1).sum::<usize>() + 1;
            let cell = |i: usize| -> Result<f64, String> {
                let s = rec.get(i).unwrap_or("");
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| at(line, col_in(i), format!("`{s}` in column {} is not a number", header[i])))
            };
            let w = cell(weight)?;
            if w < 0.0 {
                return Err(at(line, col_in(weight), format!("weight {w} is negative")));
            }
            let mut row = Vec::new();
            for (&i, p) in cols.iter().zip(&params) {
                let v = cell(i)?;
                if v < p.field.min || v > p.field.max {
                    return Err(at(
                        line,
                        col_in(i),
                        format!("{} = {v} is outside the values it may take ({})", p.path(), p.field.range_text()),
                    ));
                }
                row.push(v);
            }
            samples.push(row);
            weights.push(w);
        }
        if samples.is_empty() || weights.iter().sum::<f64>() <= 0.0 {
            return Err(at(2, 1, "no samples with a positive weight".into()));
        }
        Ok(Posterior { params, samples, weights })
    }
}

/// The names of the final values of a run ([`run::final_values`]), in order.
pub fn final_names() -> Vec<&'static str> {
    KPIS.iter().chain(TOTALS).map(|k| k.name).collect()
}

/// Final values of every run: `out[arm][d * R + r][kpi]` (kpi in [`final_names`] order).
pub type Finals = Vec<Vec<Vec<f64>>>;

/// Runs every scenario with every draw and replication, in parallel, counting on `progress`.
pub fn run_draws(scenarios: &[Scenario], draws: &Draws, base_seed: u64, progress: &Progress) -> Finals {
    let r = draws.replications;
    let jobs: Vec<(usize, usize, u32)> =
        (0..scenarios.len()).flat_map(|a| (0..draws.len()).flat_map(move |d| (0..r).map(move |k| (a, d, k)))).collect();
    let flat: Vec<Vec<f64>> = jobs
        .par_iter()
        .map(|&(a, d, k)| {
            let mut s = draws.scenario(&scenarios[a], d);
            s.seed = draws.seed(base_seed, d, k);
            let h = crate::sim::run_to_end(&s);
            progress.tick();
            run::final_values(&h).into_iter().map(|(_, v)| v).collect()
        })
        .collect();
    let per_arm = draws.len() * r as usize;
    flat.chunks(per_arm.max(1)).map(|c| c.to_vec()).collect()
}

/// The mean of each draw's replications of one KPI: `[draw]`.
pub(crate) fn per_draw(runs: &[Vec<f64>], kpi: usize, reps: u32) -> Vec<f64> {
    runs.chunks(reps as usize).map(|c| c.iter().map(|v| v[kpi]).sum::<f64>() / c.len() as f64).collect()
}

/// A level or a difference over the parameter draws.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// Mean over every run.
    pub mean: f64,
    /// 2.5% and 97.5% quantiles of the draws' means.
    pub lo95: f64,
    pub hi95: f64,
    pub draws: usize,
}

pub(crate) fn spread(xs: &[f64]) -> Spread {
    let mean = xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    Spread { mean, lo95: quantile(xs, 0.025), hi95: quantile(xs, 0.975), draws: xs.len() }
}

/// A paired difference across draws, with its verdict.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Verdict {
    pub spread: Spread,
    /// Share of draws in which the difference has the sign of its mean.
    pub same_sign_share: f64,
    pub robust: bool,
    /// Parameters the difference depends on most: (path, Spearman's rank correlation), by |rho|.
    pub drivers: Vec<(String, f64)>,
}

impl Verdict {
    pub fn words(&self) -> &'static str {
        if self.robust { "robust" } else { "depends on assumptions" }
    }

    pub(crate) fn drivers_text(&self) -> String {
        if self.drivers.is_empty() {
            return "—".into();
        }
        self.drivers.iter().map(|(p, r)| format!("{} ({r:+.2})", p.trim_start_matches("model."))).collect::<Vec<_>>().join(", ")
    }
}

/// The verdict on per-draw differences `diff` (one per draw) with the draws' parameters.
pub fn verdict(diff: &[f64], draws: &Draws) -> Verdict {
    let s = spread(diff);
    let sign = s.mean.signum();
    let same = if s.mean == 0.0 { 0 } else { diff.iter().filter(|d| d.signum() == sign && **d != 0.0).count() };
    let share = same as f64 / diff.len().max(1) as f64;
    let mut drivers: Vec<(String, f64)> = draws
        .params
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let x: Vec<f64> = draws.values.iter().map(|v| v[j]).collect();
            (p.path().to_string(), params::spearman(&x, diff))
        })
        .filter(|(_, r)| r.is_finite())
        .collect();
    drivers.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    // Three at most, and only correlations clearly above what 1/sqrt(n) of chance gives.
    let noise = 2.0 / (diff.len() as f64).sqrt();
    drivers.retain(|(_, r)| r.abs() > noise.min(0.9));
    drivers.truncate(3);
    Verdict { spread: s, same_sign_share: share, robust: share >= ROBUST_SHARE, drivers }
}

/// The index of a KPI in [`final_names`].
pub(crate) fn kpi_index(name: &str) -> usize {
    final_names().iter().position(|n| *n == name).expect("a KPI of the final values")
}

/// Runs every scenario with every draw and replication (counted on a progress bar on stderr).
pub(crate) fn run_all(arms: &[(String, Scenario)], draws: &Draws, base_seed: u64) -> Finals {
    let scenarios: Vec<Scenario> = arms.iter().map(|(_, s)| s.clone()).collect();
    eprintln!(
        "parameter draws: {} x {} x {} = {} runs",
        crate::format::count_of(scenarios.len() as u64, "scenario"),
        crate::format::count_of(draws.len() as u64, "draw"),
        crate::format::count_of(draws.replications.into(), "replication"),
        scenarios.len() * draws.len() * draws.replications as usize
    );
    let progress = Progress::when_slow(scenarios.len() * draws.len() * draws.replications as usize);
    let finals = run_draws(&scenarios, draws, base_seed, &progress);
    progress.finish();
    finals
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_model_value_the_scenario_sets_itself_is_not_drawn() {
        let params = crate::studies::params::select(Some("import_cost,learning_rate")).unwrap();
        let draws = Draws { params, values: vec![vec![1.08, 0.7]], replications: 1, source: String::new() };
        let base = crate::scenario::default_scenario();
        let mut tariff = base.clone();
        tariff.model.import_cost = 1.3;
        let (a, b) = (draws.scenario(&base, 0), draws.scenario(&tariff, 0));
        assert_eq!((a.model.import_cost, a.model.learning_rate), (1.08, 0.7));
        assert_eq!((b.model.import_cost, b.model.learning_rate), (1.3, 0.7), "the tariff stays, the rest is drawn");
    }

    use super::*;

    fn small_draws(n: usize) -> Draws {
        Draws::latin(params::select(Some("learning_rate,import_cost")).unwrap(), n, 1, 7)
    }

    #[test]
    fn latin_draws_cover_each_range_once_per_stratum() {
        let d = small_draws(10);
        for (j, p) in d.params.iter().enumerate() {
            let mut strata: Vec<usize> = d.values.iter().map(|v| (p.unit_of(v[j]) * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>(), "{}", p.path());
        }
    }

    #[test]
    fn a_difference_that_keeps_its_sign_is_robust_and_names_its_driver() {
        let d = small_draws(40);
        // The difference grows with the learning rate and stays positive.
        let diff: Vec<f64> = d.values.iter().map(|v| 0.1 + v[0]).collect();
        let v = verdict(&diff, &d);
        assert!(v.robust && v.same_sign_share == 1.0);
        assert_eq!(v.drivers[0].0, "model.learning_rate");
        assert!((v.drivers[0].1 - 1.0).abs() < 1e-12);
        // Changes sign with the import cost: depends on assumptions.
        let diff: Vec<f64> = d.values.iter().map(|v| v[1] - 1.125).collect();
        let v = verdict(&diff, &d);
        assert!(!v.robust && v.same_sign_share < 0.7, "{v:?}");
        assert_eq!(v.drivers[0].0, "model.import_cost");
        assert_eq!(v.words(), "depends on assumptions");
    }

    #[test]
    fn systematic_resampling_follows_the_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let picks = systematic_resample(&[0.0, 3.0, 1.0], 400, &mut rng);
        let ones = picks.iter().filter(|&&i| i == 1).count();
        assert_eq!(ones, 300);
        assert!(!picks.contains(&0));
    }

    #[test]
    fn a_posterior_file_is_read_and_its_errors_located() {
        let text = "# kicsim 0.1.0\n# posterior\nsample,weight,distance,model.learning_rate,model.import_cost\n0,0.5,0.1,0.9,1.1\n1,0.5,0.2,1.0,1.12\n";
        let p = Posterior::parse(text, "post.csv").unwrap();
        assert_eq!(p.params.len(), 2);
        assert_eq!(p.samples[1], [1.0, 1.12]);
        let bad = text.replace("1,0.5,0.2,1.0,1.12", "1,0.5,0.2,abc,1.12");
        let e = Posterior::parse(&bad, "post.csv").unwrap_err();
        assert!(e.starts_with("error: post.csv:5:11:") && e.contains("`abc`"), "{e}");
        let e = Posterior::parse(&text.replace("model.import_cost", "model.import_costs"), "post.csv").unwrap_err();
        assert!(e.starts_with("error: post.csv:3:44:") && e.contains("unknown parameter"), "{e}");
        let e = Posterior::parse(&text.replace("1,0.5,0.2,1.0,1.12", "1,0.5,0.2,1.0,99"), "post.csv").unwrap_err();
        assert!(e.contains("outside the values it may take"), "{e}");
        let e = Posterior::parse("sample,distance\n0,1\n", "p.csv").unwrap_err();
        assert!(e.contains("no `weight` column"), "{e}");
    }
}
