//! `kicsim calibrate FILE --targets T.ron`: which values of the model's parameters reproduce the
//! observed facts, by approximate Bayesian computation (rejection or ABC-SMC, [`crate::analysis`]).
//!
//! A targets file lists facts, each with the scenario it is observed in (optional `--set`-style
//! overrides), a KPI, a year, and an observed value with its sd or an interval. FILE's `model`
//! block is the model: it replaces the target scenarios' own, and it is the centre the posterior
//! is compared with. The prior is uniform over the parameters' plausible ranges (registry). The
//! distance of a simulation is the targets' weighted Euclidean distance: (gap / sd)^2 summed, with
//! the gap to an interval 0 inside it. Each simulation runs every target scenario
//! `--replications` times and compares the mean.
//!
//! Outputs: `posterior.csv` (samples with weights, usable by `--parameter-draws N --posterior`),
//! `calibration.json`, a prior-vs-posterior histogram per parameter, and a report saying which
//! parameters the targets constrain (posterior sd / prior sd well below 1) and which they do not
//! (near 1). `--synthetic a=v,...` replaces the observations by a run with known parameter values
//! and reports how well they are recovered (identifiability).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::analysis::{self, AbcResult, RejectionConfig, SmcConfig, Target, Tolerance};
use crate::format::fmt_num;
use crate::params::{self, Param};
use crate::registry::kpi_of;
use crate::ronpath;
use crate::run::{self, RunRecord};
use crate::sa_charts::{Chart, Files, chart_files};
use crate::scenario::{LocatedProblem, Scenario, ScenarioError, apply_set};
use crate::sensitivity::kpi_at_year;
use crate::uncertainty::{html_escape, md_table_html};

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// The scenario whose model block is the model (and the prior's centre); the targets name
    /// the scenarios they are observed in.
    pub file: PathBuf,
    /// The targets file (RON; see calibration/targets.ron and docs/SENSITIVITY.md).
    #[arg(long)]
    pub targets: PathBuf,
    /// The parameters calibrated (default: every model.* parameter with a plausible range);
    /// `path=LOW..HIGH` gives a prior range of its own.
    #[arg(long, value_name = "A,B,...")]
    pub params: Option<String>,
    /// smc (ABC-SMC, adaptive tolerances) or rejection.
    #[arg(long, default_value = "smc")]
    pub method: String,
    /// Particles per generation (smc) or samples kept (rejection: the best of --simulations).
    #[arg(long, default_value_t = 200)]
    pub particles: usize,
    /// Most generations (smc).
    #[arg(long, default_value_t = 6)]
    pub generations: usize,
    /// Simulations: the budget of smc, the prior draws of rejection (default: 20 x particles).
    #[arg(long)]
    pub simulations: Option<usize>,
    /// Replications of each target scenario per simulation (their mean is compared).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: u32,
    /// Seed of the sampler (default: FILE's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Identifiability check: observations from a run with these parameter values (FILE's values
    /// for the rest), e.g. --synthetic learning_rate=1.1,import_cost=1.15; `file` takes FILE's values.
    #[arg(long, value_name = "A=V,...")]
    pub synthetic: Option<String>,
    /// Output folder: posterior.csv, calibration.json, report.html, report.md, charts.
    #[arg(long, default_value = "calibrate-out")]
    pub out: PathBuf,
}

/// A targets file as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: Vec<TargetSpec>,
}

/// One observed fact.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub name: String,
    /// The scenario file it is observed in, relative to the targets file.
    pub scenario: String,
    /// Overrides as with --set, e.g. ["anchor.sector=Footwear"].
    #[serde(default)]
    pub set: Vec<String>,
    /// A KPI of the final values (e.g. localization_rate, final_year_exports_usd_m).
    pub kpi: String,
    /// The year it is observed at (default: the scenario's last).
    #[serde(default)]
    pub year: Option<u32>,
    /// An observed value (with `sd`), or an interval (with an optional `sd`: the scale of a gap
    /// outside it, by default a quarter of its width).
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default)]
    pub interval: Option<(f64, f64)>,
    /// Where the fact comes from.
    #[serde(default)]
    pub source: String,
}

/// A target ready to use: its scenario (FILE's model block in), KPI, year and distance term.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub name: String,
    pub source: String,
    /// Index into the distinct scenarios.
    pub scenario: usize,
    pub kpi: String,
    pub year: u32,
    pub target: Target,
}

/// The distinct scenarios of a targets file and its targets.
#[derive(Debug)]
pub struct Targets {
    pub scenarios: Vec<(String, Scenario)>,
    pub targets: Vec<Resolved>,
}

fn problem(src: &str, path: &str, message: String) -> LocatedProblem {
    let (line, col) = ronpath::locate(src, path).unwrap_or((1, 1));
    LocatedProblem {
        line,
        col,
        field: path.to_string(),
        message,
        source_line: src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string(),
    }
}

/// Reads a targets file; every problem is located at file:line:col, as a scenario file's are.
/// `model` is FILE's model block, put into each target scenario before its overrides.
pub fn read_targets(path: &Path, model: &crate::scenario::ModelParams) -> Result<Targets, String> {
    let file = path.display().to_string();
    let text = crate::scenario::read_to_string_capped(path).map_err(|e| format!("error: {file}: cannot read the targets file: {e}"))?;
    parse_targets(&text, &file, path.parent().unwrap_or(Path::new(".")), model)
}

pub fn parse_targets(text: &str, file: &str, dir: &Path, model: &crate::scenario::ModelParams) -> Result<Targets, String> {
    let src = crate::scenario::without_bom(text);
    let err = |problems: Vec<LocatedProblem>| ScenarioError { file: file.to_string(), problems }.to_string();
    crate::scenario::nesting_problem(src).map_or(Ok(()), |p| Err(err(vec![p])))?;
    let opts = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let parsed: TargetsFile = opts.from_str(src).map_err(|e| {
        let (line, col) = (e.span.start.line, e.span.start.col);
        err(vec![LocatedProblem {
            line,
            col,
            field: ronpath::path_at(src, line, col).unwrap_or_default(),
            message: e.code.to_string(),
            source_line: src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string(),
        }])
    })?;
    let mut problems = Vec::new();
    if parsed.targets.is_empty() {
        problems.push(problem(src, "targets", "no targets: list at least one observed fact".into()));
    }
    let mut scenarios: Vec<(String, Scenario)> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut targets = Vec::new();
    let names = crate::uncertainty::final_names();
    for (i, t) in parsed.targets.iter().enumerate() {
        let at = |f: &str| if f.is_empty() { format!("targets[{i}]") } else { format!("targets[{i}].{f}") };
        let scen_path = dir.join(&t.scenario);
        let mut scenario = match Scenario::load(&scen_path) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(problem(src, &at("scenario"), format!("the scenario {} cannot be used:\n{e}", scen_path.display())));
                None
            }
        };
        if let Some(s) = scenario.as_mut() {
            s.model = model.clone();
            for a in &t.set {
                match apply_set(s, a) {
                    Ok(n) => *s = n,
                    Err(e) => problems.push(problem(src, &at("set"), e.replace("--set ", ""))),
                }
            }
            if let Some(p) = s.validate().first() {
                problems.push(problem(src, &at("set"), format!("with these overrides, field `{}`: {}", p.path, p.message)));
            }
        }
        if !names.contains(&t.kpi.as_str()) {
            problems.push(problem(src, &at("kpi"), format!("unknown KPI `{}`; choose from {}", t.kpi, names.join(", "))));
        }
        let horizon = scenario.as_ref().map_or(u32::MAX, |s| s.years);
        let year = t.year.unwrap_or(horizon);
        if year == 0 || year > horizon {
            problems.push(problem(src, &at("year"), format!("year {year}: the scenario runs years 1 to {horizon}")));
        }
        let target = match (t.value, t.interval, t.sd) {
            (Some(_), Some(_), _) => {
                problems.push(problem(src, &at(""), "give a value with its sd, or an interval, not both".into()));
                None
            }
            (None, None, _) => {
                problems.push(problem(src, &at(""), "no observation: give `value` with `sd`, or `interval: (low, high)`".into()));
                None
            }
            (Some(_), None, None) => {
                problems.push(problem(src, &at("value"), "a value needs its `sd` (the uncertainty of the observation)".into()));
                None
            }
            (_, _, Some(sd)) if !(sd.is_finite() && sd > 0.0) => {
                problems.push(problem(src, &at("sd"), format!("sd {sd} must be above 0")));
                None
            }
            (Some(v), None, Some(sd)) if v.is_finite() => Some(Target::value(v, sd)),
            (None, Some((lo, hi)), sd) if lo.is_finite() && hi.is_finite() && lo < hi => {
                Some(sd.map_or(Target::interval(lo, hi), |s| Target::interval_with_scale(lo, hi, s)))
            }
            (None, Some((lo, hi)), _) => {
                problems.push(problem(
                    src,
                    &at("interval"),
                    format!("interval ({lo}, {hi}) is empty: the low end must be below the high end"),
                ));
                None
            }
            _ => {
                problems.push(problem(src, &at("value"), "the value is not a finite number".into()));
                None
            }
        };
        if let (Some(s), Some(target)) = (scenario, target) {
            let key = format!("{}|{}", scen_path.display(), t.set.join("|"));
            let idx = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                let label = if t.set.is_empty() { t.scenario.clone() } else { format!("{} with {}", t.scenario, t.set.join(", ")) };
                scenarios.push((label, s));
                scenarios.len() - 1
            });
            targets.push(Resolved { name: t.name.clone(), source: t.source.clone(), scenario: idx, kpi: t.kpi.clone(), year, target });
        }
    }
    if problems.is_empty() { Ok(Targets { scenarios, targets }) } else { Err(err(problems)) }
}

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

fn parse_synthetic(spec: &str, params: &[Param], base: &Scenario) -> Result<Vec<f64>, String> {
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
        if v < params[j].lo || v > params[j].hi {
            return Err(format!(
                "--synthetic {item}: {v} is outside the prior range {}..{} (it could not be recovered)",
                params[j].lo, params[j].hi
            ));
        }
        truth[j] = v;
    }
    Ok(truth)
}

pub fn calibrate(a: CalibrateArgs) -> Result<(), String> {
    let base = run::load_with_overrides(&a.file, a.seed, None, &[])?;
    let params = params::select(a.params.as_deref())?;
    let mut targets = read_targets(&a.targets, &base.model)?;
    let seed = base.seed;
    let budget = a.simulations.unwrap_or(20 * a.particles);
    let sampler = match a.method.as_str() {
        "rejection" => {
            if a.particles == 0 || a.particles > budget {
                return Err(format!("--particles {}: from 1 to --simulations ({budget})", a.particles));
            }
            Sampler::Rejection(RejectionConfig {
                n_simulations: budget,
                tolerance: Tolerance::Quantile(a.particles as f64 / budget as f64),
            })
        }
        "smc" => {
            if a.particles < 2 || budget < a.particles || a.generations == 0 {
                return Err(format!(
                    "--particles {} --generations {} --simulations {budget}: need at least 2 particles, 1 generation and a budget of at least the particles",
                    a.particles, a.generations
                ));
            }
            Sampler::Smc(SmcConfig {
                n_particles: a.particles,
                max_generations: a.generations,
                max_simulations: budget,
                ..SmcConfig::default()
            })
        }
        m => return Err(format!("--method {m}: choose smc or rejection")),
    };
    for (label, s) in &targets.scenarios {
        for corner in [0.0, 1.0] {
            let theta: Vec<f64> = params.iter().map(|p| p.value_at(corner)).collect();
            if let Some(p) = params::model_problems(&params::apply(s, &params, &theta)).first() {
                return Err(format!(
                    "{label} with every parameter at the {} end of its range: {p}",
                    if corner == 0.0 { "low" } else { "high" }
                ));
            }
        }
    }
    let truth = match &a.synthetic {
        Some(spec) => {
            let truth = parse_synthetic(spec, &params, &base)?;
            // Observations from other seeds than the sampler's, with the targets' uncertainty kept.
            let obs = simulate(&targets, &params, &truth, seed.wrapping_add(1_000_003), a.replications.max(8));
            for (g, o) in targets.targets.iter_mut().zip(obs) {
                let sd = if g.target.lo == g.target.hi { g.target.sd } else { (g.target.hi - g.target.lo) / 4.0 };
                g.target = Target::value(o, sd.max(1e-9));
            }
            Some(truth)
        }
        None => None,
    };
    crate::io::check_out_dir("--out", &a.out)?;
    let per_sim: usize = targets.scenarios.len() * a.replications as usize;
    eprintln!(
        "calibrate: {} over {}, {} ({} runs each), up to {} simulations",
        crate::format::count_of(params.len() as u64, "parameter"),
        crate::format::count_of(targets.targets.len() as u64, "target"),
        crate::format::count_of(targets.scenarios.len() as u64, "scenario"),
        per_sim,
        budget
    );
    let started = Instant::now();
    let progress = run::Progress::new(budget);
    let result = run_abc(&targets, &params, &sampler, a.replications, seed, &progress)?;
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let record = RunRecord::new(&base, &a.file.display().to_string(), a.replications);
    let timing = (result.n_simulations * per_sim, secs);
    eprintln!("ran {} simulations ({} runs) in {secs:.1} s", result.n_simulations, timing.0);
    write_outputs(&a, &base, &params, &targets, &result, truth.as_deref(), &record, &sampler, timing)
}

#[allow(clippy::too_many_arguments)]
fn write_outputs(
    a: &CalibrateArgs,
    base: &Scenario,
    params: &[Param],
    targets: &Targets,
    result: &AbcResult,
    truth: Option<&[f64]>,
    record: &RunRecord,
    sampler: &Sampler,
    (runs, secs): (usize, f64),
) -> Result<(), String> {
    let out = &a.out;
    let footer = record.comment_line().trim_start_matches("# ").to_string();
    let method = match sampler {
        Sampler::Rejection(_) => "rejection ABC",
        Sampler::Smc(_) => "ABC-SMC",
    };
    let overall_share = result.samples.len() as f64 / result.n_simulations.max(1) as f64;
    // posterior.csv
    let quote = |s: &str| if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    let mut csv = record.comment_line() + "\n";
    writeln!(
        csv,
        "# posterior: {method} over {}, targets {}{}, {} samples, accepted share {:.4}, tolerance {}",
        crate::format::count_of(params.len() as u64, "parameter"),
        a.targets.display(),
        if truth.is_some() { " (synthetic observations)" } else { "" },
        result.samples.len(),
        result.accepted_share,
        fmt_num(result.tolerance)
    )
    .ok();
    let mut header = vec!["sample".to_string(), "weight".into(), "distance".into()];
    header.extend(params.iter().map(|p| p.path().to_string()));
    header.extend(targets.targets.iter().map(|t| quote(&format!("sim:{}", t.name))));
    csv.push_str(&header.join(","));
    csv.push('\n');
    for (i, theta) in result.samples.iter().enumerate() {
        let mut row = vec![i.to_string(), fmt_num(result.weights[i]), fmt_num(result.distances[i])];
        row.extend(params.iter().zip(theta).map(|(p, v)| fmt_num(if p.field.integer { v.round() } else { *v })));
        row.extend(result.stats[i].iter().map(|v| fmt_num(*v)));
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    // Parameters.
    let mut files = Files::default();
    let mut ptable = String::from(
        "| parameter | prior range | FILE's value | posterior mean | sd | 95% interval | sd / prior sd | the targets |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut pjson = Vec::new();
    let mut svgs = String::new();
    let mut md_charts = String::new();
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by(|&x, &y| result.summary[x].sd_ratio.total_cmp(&result.summary[y].sd_ratio));
    for &j in &order {
        let (p, s) = (&params[j], &result.summary[j]);
        let centre = p.field.get(base).unwrap_or(f64::NAN);
        writeln!(
            ptable,
            "| {} | {}..{} | {} | {} | {} | {} .. {} | {:.2} | {} |",
            p.short(),
            fmt_num(p.lo),
            fmt_num(p.hi),
            fmt_num(centre),
            fmt_num(s.mean),
            fmt_num(s.sd),
            fmt_num(s.q025),
            fmt_num(s.q975),
            s.sd_ratio,
            constraint(s.sd_ratio)
        )
        .ok();
        pjson.push(
            json!({"parameter": p.path(), "prior": [p.lo, p.hi], "file_value": centre, "posterior": s, "verdict": constraint(s.sd_ratio)}),
        );
        let samples: Vec<f64> = result.samples.iter().map(|t| t[j]).collect();
        let chart = Chart::Histogram {
            title: format!("{}: prior and posterior (sd ratio {:.2})", p.short(), s.sd_ratio),
            range: (p.lo, p.hi),
            samples,
            weights: result.weights.clone(),
            truth: truth.map(|t| t[j]),
            centre: Some(centre),
        };
        let stem = format!("posterior_{}", p.short());
        svgs.push_str(&chart_files(&mut files, out, &stem, (640, 380), &chart, &footer)?);
        writeln!(md_charts, "![{}]({stem}.png)", p.short()).ok();
    }
    // Targets: observed and the posterior's predictions.
    let mut ttable = String::from(
        "| target | scenario | KPI, year | observed | posterior predictive mean [95%] | source |\n|---|---|---|---|---|---|\n",
    );
    let mut tjson = Vec::new();
    for (i, t) in targets.targets.iter().enumerate() {
        let k = kpi_of(&t.kpi).expect("checked KPI");
        let xs: Vec<f64> = result.stats.iter().map(|s| s[i]).collect();
        let m: f64 = xs.iter().zip(&result.weights).map(|(x, w)| x * w).sum();
        let (lo, hi) = (analysis::weighted_quantile(&xs, &result.weights, 0.025), analysis::weighted_quantile(&xs, &result.weights, 0.975));
        let obs = if t.target.lo == t.target.hi {
            format!("{} (sd {})", k.fmt(t.target.lo), k.fmt_diff(t.target.sd).trim_start_matches('+'))
        } else {
            format!("{} to {}", k.fmt(t.target.lo), k.fmt(t.target.hi))
        };
        writeln!(
            ttable,
            "| {} | {} | {}, year {} | {obs} | {} [{}, {}] | {} |",
            t.name.replace('|', "/"),
            targets.scenarios[t.scenario].0.replace('|', "/"),
            t.kpi,
            t.year,
            k.fmt(m),
            k.fmt(lo),
            k.fmt(hi),
            t.source.replace('|', "/")
        )
        .ok();
        tjson.push(json!({"name": t.name, "scenario": targets.scenarios[t.scenario].0, "kpi": t.kpi, "year": t.year, "observed": t.target, "posterior_predictive": {"mean": m, "q025": lo, "q975": hi}, "source": t.source}));
    }
    let mut gtable = String::from(
        "| generation | tolerance | simulations | accepted | acceptance rate | effective sample size |\n|---|---|---|---|---|---|\n",
    );
    for g in &result.generations {
        writeln!(
            gtable,
            "| {} | {} | {} | {} | {:.3} | {:.0} |",
            g.generation,
            if g.tolerance.is_finite() { format!("{:.3}", g.tolerance) } else { "∞".into() },
            g.n_simulations,
            g.n_accepted,
            g.acceptance_rate,
            g.ess
        )
        .ok();
    }
    // Targets can pin down a combination of parameters while leaving each one free: the
    // posterior correlations show such trade-offs (the prior's are 0).
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for x in 0..params.len() {
        for y in x + 1..params.len() {
            let r = weighted_corr(&result.samples, x, y, &result.weights);
            if r.is_finite() {
                pairs.push((x, y, r));
            }
        }
    }
    pairs.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    let noise = 2.0 / (result.samples.len() as f64).sqrt();
    let mut ctable = String::from("| parameters | posterior correlation |\n|---|---|\n");
    let mut cjson = Vec::new();
    for (x, y, r) in pairs.iter().take(8).filter(|p| p.2.abs() > noise) {
        writeln!(ctable, "| {} and {} | {r:+.2} |", params[*x].short(), params[*y].short()).ok();
        cjson.push(json!({"a": params[*x].path(), "b": params[*y].path(), "correlation": r}));
    }
    if cjson.is_empty() {
        ctable =
            format!("No pair of parameters has a posterior correlation above {noise:.2} (what chance gives with this many samples).\n");
    } else {
        ctable = format!(
            "Pairs the targets tie together (the prior has none; above {noise:.2}, what chance gives): the targets fix a combination of the two rather than each one (a negative correlation between two parameters that both raise a KPI: more of one goes with less of the other).\n\n{ctable}"
        );
    }
    let unconstrained: Vec<&str> = order.iter().filter(|&&j| result.summary[j].sd_ratio >= 0.85).map(|&j| params[j].short()).collect();
    let constrained: Vec<&str> = order.iter().filter(|&&j| result.summary[j].sd_ratio < 0.5).map(|&j| params[j].short()).collect();
    let mut intro = format!(
        "{method} over {} (uniform priors over their plausible ranges), {} targets, {} of each target scenario per simulation. {} simulations ({} model runs) in {secs:.0} s; {} posterior samples; accepted share {:.3} of the final step ({:.4} of all simulations); final tolerance {}; stopped: {:?}.",
        crate::format::count_of(params.len() as u64, "parameter"),
        targets.targets.len(),
        crate::format::count_of(a.replications.into(), "replication"),
        result.n_simulations,
        runs,
        result.samples.len(),
        result.accepted_share,
        overall_share,
        fmt_num(result.tolerance),
        result.stop_reason
    );
    if truth.is_some() {
        intro.push_str(" The observations are synthetic: a run with known parameter values (below), with each target's own uncertainty.");
    }
    let mut md = format!("# Calibration: {}\n\n{intro}\n\n", base.name);
    writeln!(md, "Constrained by the targets (sd ratio below 0.5): {}.\n\nNot constrained (sd ratio 0.85 or more: the targets say little about them): {}.\n", list(&constrained), list(&unconstrained)).ok();
    let mut recovery_json = None;
    let mut rtable = String::new();
    if let Some(truth) = truth {
        rtable.push_str("| parameter | true value | posterior mean | 95% interval | covered | error / prior sd | sd ratio |\n|---|---|---|---|---|---|---|\n");
        let mut rows = Vec::new();
        let mut covered = 0;
        for &j in &order {
            let (p, s) = (&params[j], &result.summary[j]);
            let hit = s.q025 <= truth[j] && truth[j] <= s.q975;
            covered += usize::from(hit);
            let err = (s.mean - truth[j]) / s.prior_sd;
            writeln!(
                rtable,
                "| {} | {} | {} | {} .. {} | {} | {err:+.2} | {:.2} |",
                p.short(),
                fmt_num(truth[j]),
                fmt_num(s.mean),
                fmt_num(s.q025),
                fmt_num(s.q975),
                if hit { "yes" } else { "no" },
                s.sd_ratio
            )
            .ok();
            rows.push(json!({"parameter": p.path(), "truth": truth[j], "posterior_mean": s.mean, "q025": s.q025, "q975": s.q975, "covered": hit, "error_in_prior_sd": err, "sd_ratio": s.sd_ratio}));
        }
        writeln!(rtable, "\n{covered} of {} true values lie in their 95% posterior interval.", params.len()).ok();
        md.push_str(&format!("## Identifiability: recovery of known values\n\n{rtable}\n"));
        recovery_json = Some(json!({"covered": covered, "parameters": rows}));
    }
    writeln!(md, "## Parameters\n\n{ptable}\n## Trade-offs\n\n{ctable}\n## Targets\n\n{ttable}\n## Generations\n\n{gtable}\n## Prior and posterior\n\n{md_charts}\n## Run record\n\n{footer}\n").ok();
    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Calibration: {t}</title>\n<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:right}}th{{background:#eee}}td:first-child,th:first-child{{text-align:left}}svg{{max-width:48%;height:auto}}</style></head><body>\n<h1>Calibration: {t}</h1>\n<p>{}</p>\n<p>Constrained by the targets (sd ratio below 0.5): {}.</p><p>Not constrained (sd ratio 0.85 or more): {}.</p>\n",
        html_escape(&intro),
        html_escape(&list(&constrained)),
        html_escape(&list(&unconstrained)),
        t = html_escape(&base.name)
    );
    if !rtable.is_empty() {
        write!(html, "<h2>Identifiability: recovery of known values</h2>\n{}", md_table_html(&rtable)).ok();
    }
    write!(
        html,
        "<h2>Parameters</h2>\n{}<h2>Trade-offs</h2>\n<p>{}</p>\n{}<h2>Targets</h2>\n{}<h2>Generations</h2>\n{}<h2>Prior and posterior</h2>\n{svgs}\n<h2>Run record</h2>\n<p>{}</p>\n</body></html>\n",
        md_table_html(&ptable),
        html_escape(ctable.lines().next().unwrap_or("")),
        md_table_html(&ctable),
        md_table_html(&ttable),
        md_table_html(&gtable),
        html_escape(&footer)
    )
    .ok();
    let json = json!({
        "run": record,
        "method": method,
        "sampler": sampler,
        "targets_file": a.targets.display().to_string(),
        "synthetic": truth.is_some(),
        "replications": a.replications,
        "simulations": result.n_simulations,
        "runs": runs,
        "seconds": secs,
        "accepted_share": result.accepted_share,
        "accepted_share_of_all_simulations": overall_share,
        "tolerance": if result.tolerance.is_finite() { json!(result.tolerance) } else { json!(null) },
        "stop_reason": result.stop_reason,
        "generations": result.generations,
        "parameters": pjson,
        "posterior_correlations": cjson,
        "targets": tjson,
        "recovery": recovery_json,
    });
    files.add(out.join("posterior.csv"), csv);
    files.add(out.join("calibration.json"), serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n");
    files.add(out.join("report.md"), md);
    files.add(out.join("report.html"), html);
    files.write(out)?;
    crate::say!("{intro}");
    crate::say!("constrained: {}; not constrained: {}", list(&constrained), list(&unconstrained));
    if let Some(r) = &recovery_json {
        crate::say!("synthetic: {} of {} true values in their 95% posterior interval", r["covered"], params.len());
    }
    crate::say!("wrote {} and {}", out.join("posterior.csv").display(), out.join("report.html").display());
    Ok(())
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

fn list(xs: &[&str]) -> String {
    if xs.is_empty() { "none".into() } else { xs.join(", ") }
}

/// Targets grouped by scenario, for messages.
pub fn describe(t: &Targets) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in &t.targets {
        m.entry(t.scenarios[g.scenario].0.clone()).or_default().push(format!("{} at year {}", g.kpi, g.year));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn the_shipped_targets_file_reads() {
        let t = read_targets(&root().join("calibration/targets.ron"), &model()).unwrap();
        assert_eq!(t.targets.len(), 9);
        assert_eq!(t.scenarios.len(), 6, "baseline, its footwear and machinery variants, and three policy scenarios");
        assert!(t.targets.iter().all(|g| !g.source.is_empty()), "every target says where it comes from");
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
