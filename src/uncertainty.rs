//! Parameter uncertainty in forecasts and comparisons (`--parameter-draws N`).
//!
//! Every interval the seeds alone give says how sure the model is of its own average, not how
//! sure anyone can be of the model. Here each of N draws also sets the model's parameters: a Latin
//! hypercube over the registry's plausible ranges, or samples of a calibration posterior
//! (`--posterior FILE`, the `posterior.csv` of `kicsim calibrate`). Draw d with replication r runs
//! seed `seed + d R + r` with parameter set d in every scenario compared, so each scenario meets
//! the same parameters and the same luck, and a difference between two scenarios is a paired
//! difference per draw.
//!
//! What is reported for a level: the mean over all runs and the 2.5-97.5% range of the draws'
//! means ("95% over parameter draws"). For a difference: the same, plus the share of draws in
//! which the difference has the sign of its mean: **robust** when at least 95% of the draws agree,
//! **depends on assumptions** otherwise, with the parameters it depends on most (Spearman's rank
//! correlation of the paired difference with each parameter across draws).
//!
//! The sections appended to the compare and breakdown reports are built here as one
//! [`Section`] (markdown, HTML and JSON), so they can move into rewritten reports as they are.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::analysis::{lhs, quantile};
use crate::format::fmt_num;
use crate::params::{self, Param};
use crate::registry::{self, KPIS, TOTALS, kpi_of};
use crate::run::{self, Progress};
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;

/// Share of draws a difference must keep its sign in to be called robust.
pub const ROBUST_SHARE: f64 = 0.95;

/// The options of parameter draws, shared by run, compare and breakdown.
#[derive(Args, Clone, Debug)]
pub struct DrawArgs {
    /// Also draw the model's parameters N times from their plausible ranges (Latin hypercube;
    /// the same N sets for every scenario) and report intervals that include parameter
    /// uncertainty, and whether each difference keeps its sign across the draws.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub parameter_draws: u32,
    /// Draw the parameters from a calibration posterior (posterior.csv of `kicsim calibrate`)
    /// instead; parameters it does not list are still drawn from their plausible ranges.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
    /// Replications (seeds) per parameter draw.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub draw_replications: u32,
    /// The parameters drawn, e.g. --params learning_rate,import_cost (default: every model.*
    /// parameter with a plausible range); `path=LOW..HIGH` gives a range of its own.
    #[arg(long, value_name = "A,B,...")]
    pub params: Option<String>,
}

impl Default for DrawArgs {
    /// No draws (the command-line defaults).
    fn default() -> Self {
        DrawArgs { parameter_draws: 0, posterior: None, draw_replications: 1, params: None }
    }
}

impl DrawArgs {
    pub fn enabled(&self) -> bool {
        self.parameter_draws > 0
    }

    /// Checks the options and builds the draws (`None` when no draws are asked for).
    pub fn draws(&self, seed: u64) -> Result<Option<Draws>, String> {
        if !self.enabled() {
            if self.posterior.is_some() || self.params.is_some() || self.draw_replications != 1 {
                return Err("--posterior, --params and --draw-replications go with --parameter-draws N".into());
            }
            return Ok(None);
        }
        let chosen = params::select(self.params.as_deref())?;
        let n = self.parameter_draws as usize;
        let draws = match &self.posterior {
            None => Draws::latin(chosen, n, self.draw_replications, seed),
            Some(p) => Draws::from_posterior(p, chosen, n, self.draw_replications, seed)?,
        };
        Ok(Some(draws))
    }
}

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
    pub fn from_posterior(file: &Path, others: Vec<Param>, n: usize, replications: u32, seed: u64) -> Result<Draws, String> {
        let post = Posterior::read(file)?;
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
            file.display(),
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
        Ok(Draws { params, values, replications: replications.max(1), source })
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

    /// The scenario of draw d (its seed is set per replication by the caller).
    pub fn scenario(&self, base: &Scenario, d: usize) -> Scenario {
        params::apply(base, &self.params, &self.values[d])
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
    /// Reads a posterior file: comment lines starting with `#`, then a header with a `weight`
    /// column and one column per `model.*` parameter (other columns are ignored). Errors name
    /// the file, line and column.
    pub fn read(path: &Path) -> Result<Posterior, String> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read the posterior file: {}", crate::io_words(&e)))?;
        Posterior::parse(&text, &file)
    }

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
fn per_draw(runs: &[Vec<f64>], kpi: usize, reps: u32) -> Vec<f64> {
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

fn spread(xs: &[f64]) -> Spread {
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

    fn drivers_text(&self) -> String {
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

/// One part of the appended section: a heading, a paragraph, a table of text cells, a line
/// after it; the report lays it out (the workshop's `Section`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Part {
    pub title: String,
    pub intro: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub more: String,
}

/// What parameter draws add to a compare or breakdown report: its parts, in order, and the
/// `parameter_uncertainty` object of report.json.
#[derive(Clone, Debug)]
pub struct Section {
    pub parts: Vec<Part>,
    pub json: Value,
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A markdown table as HTML (cells escaped).
pub fn md_table_html(md: &str) -> String {
    let mut out = String::from("<table>\n");
    for (i, line) in md.lines().filter(|l| l.starts_with('|')).enumerate() {
        if i == 1 {
            continue;
        }
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in line.trim().trim_matches('|').split('|') {
            write!(out, "<{tag}>{}</{tag}>", html_escape(c.trim())).ok();
        }
        out.push_str("</tr>\n");
    }
    out + "</table>\n"
}

/// The KPIs the draws' sections report: those of the reports' tables.
pub const SECTION_KPIS: [&str; 6] = crate::workshop::REPORT_KPIS;

fn kpi_index(name: &str) -> usize {
    final_names().iter().position(|n| *n == name).expect("a KPI of the final values")
}

fn fmt_level(kpi: &str, s: &Spread) -> String {
    let k = kpi_of(kpi).expect("known KPI");
    format!("{} [{}, {}]", k.fmt(s.mean), k.fmt(s.lo95), k.fmt(s.hi95))
}

fn fmt_diff(kpi: &str, s: &Spread) -> String {
    let k = kpi_of(kpi).expect("known KPI");
    format!("{} [{}, {}]", k.fmt_diff(s.mean), k.fmt_diff(s.lo95), k.fmt_diff(s.hi95))
}

fn params_json(draws: &Draws) -> Value {
    json!(draws.params.iter().map(|p| json!({"path": p.path(), "low": p.lo, "high": p.hi})).collect::<Vec<_>>())
}

fn method_text(draws: &Draws, base_seed: u64) -> String {
    format!(
        "{}; {} per draw; draw d, replication r runs seed {base_seed} + d × {} + r with the same parameters in every scenario (common random numbers). \
         Brackets: 2.5-97.5% of the draws' means, so they include parameter uncertainty. A difference is robust when it keeps its sign in at least {:.0}% of the draws, \
         and depends on assumptions otherwise; 'depends most on' lists the parameters with the largest rank correlation with the paired difference across draws (+: the difference grows with the parameter).",
        draws.source,
        crate::format::count_of(draws.replications.into(), "replication"),
        draws.replications,
        100.0 * ROBUST_SHARE
    )
}

/// Runs the scenarios of a comparison with the draws and builds the section of the report:
/// each scenario's levels, and each scenario's paired difference to the first with its verdict.
pub fn compare_section(args: &DrawArgs, arms: &[(String, Scenario)], base_seed: u64) -> Result<Option<Section>, String> {
    let Some(draws) = args.draws(base_seed)? else { return Ok(None) };
    draws.check(arms)?;
    let finals = run_all(arms, &draws, base_seed);
    Ok(Some(comparison(arms, &draws, &finals, base_seed, Direction::ToFirst)))
}

/// Runs a breakdown's scenarios (all incentives, then each switched off) with the draws: each
/// incentive's contribution with its verdict, and which incentive buys localization more cheaply
/// than which across the draws.
pub fn breakdown_section(
    args: &DrawArgs,
    arms: &[(String, Scenario)],
    incentives: &[String],
    base_seed: u64,
) -> Result<Option<Section>, String> {
    let Some(draws) = args.draws(base_seed)? else { return Ok(None) };
    draws.check(arms)?;
    let finals = run_all(arms, &draws, base_seed);
    let mut section = comparison(arms, &draws, &finals, base_seed, Direction::Contribution);
    let (parts, json) = efficiency_ranking(incentives, &draws, &finals);
    section.parts.extend(parts);
    if let Some(o) = section.json.as_object_mut() {
        o.insert("cost_effectiveness_ranking".into(), json);
    }
    Ok(Some(section))
}

fn run_all(arms: &[(String, Scenario)], draws: &Draws, base_seed: u64) -> Finals {
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

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    /// Compare: scenario i minus the first.
    ToFirst,
    /// Breakdown: the first (all incentives) minus scenario i (one switched off).
    Contribution,
}

fn comparison(arms: &[(String, Scenario)], draws: &Draws, finals: &Finals, base_seed: u64, dir: Direction) -> Section {
    let reps = draws.replications;
    let mut header = vec!["KPI".to_string()];
    header.extend(arms.iter().map(|(label, _)| label.clone()));
    let mut rows = Vec::new();
    let mut levels_json = Vec::new();
    for kpi in SECTION_KPIS {
        let k = kpi_index(kpi);
        let mut row = vec![kpi_of(kpi).map_or(kpi, |x| x.label).to_string()];
        let mut cells = Vec::new();
        for (a, (name, _)) in arms.iter().enumerate() {
            let s = spread(&per_draw(&finals[a], k, reps));
            row.push(fmt_level(kpi, &s));
            cells.push(json!({"scenario": name, "level": s}));
        }
        rows.push(row);
        levels_json.push(json!({"kpi": kpi, "values": cells}));
    }
    let levels = Part {
        title: "Parameter uncertainty".into(),
        intro: method_text(draws, base_seed),
        header,
        rows,
        more: "Levels: mean over every run, and 2.5-97.5% of the draws' means.".into(),
    };
    let (title, what) = match dir {
        Direction::ToFirst => ("Parameter uncertainty: differences to the first scenario", "difference"),
        Direction::Contribution => {
            ("Parameter uncertainty: contribution of each incentive (all incentives minus that one switched off)", "contribution")
        }
    };
    let header: Vec<String> =
        ["scenario", "KPI", &format!("{what} [95% over draws]"), "draws with this sign", "verdict", "depends most on"]
            .iter()
            .map(|h| h.to_string())
            .collect();
    let mut rows = Vec::new();
    let mut diffs_json = Vec::new();
    let mut robust_count = (0, 0);
    for (a, (name, _)) in arms.iter().enumerate().skip(1) {
        for kpi in SECTION_KPIS {
            let k = kpi_index(kpi);
            let (x, base) = (per_draw(&finals[a], k, reps), per_draw(&finals[0], k, reps));
            let d: Vec<f64> = match dir {
                Direction::ToFirst => x.iter().zip(&base).map(|(x, b)| x - b).collect(),
                Direction::Contribution => base.iter().zip(&x).map(|(b, x)| b - x).collect(),
            };
            let v = verdict(&d, draws);
            robust_count.1 += 1;
            robust_count.0 += usize::from(v.robust);
            rows.push(vec![
                name.clone(),
                kpi_of(kpi).map_or(kpi, |x| x.label).to_string(),
                fmt_diff(kpi, &v.spread),
                format!("{:.0}%", 100.0 * v.same_sign_share),
                v.words().to_string(),
                v.drivers_text(),
            ]);
            diffs_json.push(json!({"scenario": name, "kpi": kpi, "verdict": v.words(), "difference": v}));
        }
    }
    let diffs = Part {
        title: title.into(),
        intro: String::new(),
        header,
        rows,
        more: format!("{} of {} differences are robust.", robust_count.0, robust_count.1),
    };
    let json = json!({
        "method": draws.source,
        "draws": draws.len(),
        "replications_per_draw": draws.replications,
        "robust_share": ROBUST_SHARE,
        "parameters": params_json(draws),
        "levels": levels_json,
        "differences": diffs_json,
    });
    Section { parts: vec![levels, diffs], json }
}

/// Localization points per USD 100 million of fiscal cost, per draw, of each incentive
/// (breakdown arms 1.. are the incentives switched off), and for each pair the share of draws in
/// which the one ranked higher buys more localization per dollar.
fn efficiency_ranking(incentives: &[String], draws: &Draws, finals: &Finals) -> (Vec<Part>, Value) {
    let reps = draws.replications;
    let (loc, fis) = (kpi_index("localization_rate"), kpi_index("cumulative_fiscal_cost_usd_m"));
    let full_loc = per_draw(&finals[0], loc, reps);
    let full_fis = per_draw(&finals[0], fis, reps);
    let eff: Vec<Vec<f64>> = (1..finals.len())
        .map(|a| {
            let (l, f) = (per_draw(&finals[a], loc, reps), per_draw(&finals[a], fis, reps));
            (0..full_loc.len())
                .map(|d| {
                    let (dl, df) = (100.0 * (full_loc[d] - l[d]), full_fis[d] - f[d]);
                    if df > 1e-9 {
                        100.0 * dl / df
                    } else if dl > 0.0 {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect()
        })
        .collect();
    let medians: Vec<f64> = eff.iter().map(|e| quantile(&e.iter().map(|v| v.clamp(-1e12, 1e12)).collect::<Vec<_>>(), 0.5)).collect();
    let mut order: Vec<usize> = (0..eff.len()).collect();
    order.sort_by(|&a, &b| medians[b].total_cmp(&medians[a]));
    let mut rows = Vec::new();
    let mut ranked = Vec::new();
    let f = |v: f64| if v.abs() >= 1e12 { "unbounded (no fiscal cost)".to_string() } else { format!("{v:.2}") };
    for &i in &order {
        let e: Vec<f64> = eff[i].iter().map(|v| v.clamp(-1e12, 1e12)).collect();
        let (lo, hi) = (quantile(&e, 0.025), quantile(&e, 0.975));
        ranked.push(vec![incentives[i].clone(), f(medians[i]), format!("{} .. {}", f(lo), f(hi))]);
        rows.push(json!({"incentive": incentives[i], "points_per_usd_100m_median": num(medians[i]), "low95": num(lo), "high95": num(hi)}));
    }
    let mut pair_rows = Vec::new();
    let mut pairs = Vec::new();
    for (x, &i) in order.iter().enumerate() {
        for &j in &order[x + 1..] {
            let agree = eff[i].iter().zip(&eff[j]).filter(|(a, b)| a > b).count() as f64 / eff[i].len().max(1) as f64;
            let words = if agree >= ROBUST_SHARE { "robust" } else { "depends on assumptions" };
            pair_rows.push(vec![
                format!("{} cheaper per point than {}", incentives[i], incentives[j]),
                format!("{:.0}%", 100.0 * agree),
                words.to_string(),
            ]);
            pairs.push(json!({"better": incentives[i], "worse": incentives[j], "share_of_draws": agree, "verdict": words}));
        }
    }
    let cost = Part {
        title: "Parameter uncertainty: which incentive buys localization more cheaply".into(),
        intro: "Localization points per USD 100 million of fiscal cost, per draw (median over draws), best first.".into(),
        header: vec!["incentive".into(), "points per USD 100 m (median)".into(), "2.5-97.5% over draws".into()],
        rows: ranked,
        more: String::new(),
    };
    let ranking = Part {
        title: "Parameter uncertainty: rankings of the incentives".into(),
        intro: "Each pair: the share of draws in which the first buys more localization per dollar than the second.".into(),
        header: vec!["ranking".into(), "draws that agree".into(), "verdict".into()],
        rows: pair_rows,
        more: String::new(),
    };
    (vec![cost, ranking], json!({"incentives": rows, "pairs": pairs}))
}

fn num(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

/// What `kicsim run --parameter-draws N` adds: the draws' CSV and the `parameter_uncertainty`
/// object of summary.json (each KPI's mean and 95% range over the draws, beside the seed-only
/// interval the summary already gives).
pub fn run_outputs(scenario: &Scenario, draws: &Draws, record: &run::RunRecord) -> (String, Value) {
    let arms = [(scenario.name.clone(), scenario.clone())];
    let finals = run_all(&arms, draws, scenario.seed);
    let names = final_names();
    let mut csv = format!("{}\n# parameter draws: {}\n", record.comment_line(), draws.source);
    let mut header = vec!["draw".to_string(), "replication".into(), "seed".into()];
    header.extend(draws.params.iter().map(|p| p.path().to_string()));
    header.extend(names.iter().map(|n| n.to_string()));
    csv.push_str(&header.join(","));
    csv.push('\n');
    for d in 0..draws.len() {
        for r in 0..draws.replications {
            let mut row = vec![d.to_string(), r.to_string(), draws.seed(scenario.seed, d, r).to_string()];
            row.extend(draws.values[d].iter().map(|v| fmt_num(*v)));
            row.extend(finals[0][d * draws.replications as usize + r as usize].iter().map(|v| fmt_num(*v)));
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
    }
    let mut kpis = serde_json::Map::new();
    for (k, name) in names.iter().enumerate() {
        let s = spread(&per_draw(&finals[0], k, draws.replications));
        kpis.insert(name.to_string(), json!({"mean": num(s.mean), "low95": num(s.lo95), "high95": num(s.hi95)}));
    }
    let json = json!({
        "method": draws.source,
        "interval": "2.5-97.5% of the draws' means: includes parameter uncertainty (the `final` intervals are from the seeds only)",
        "draws": draws.len(),
        "replications_per_draw": draws.replications,
        "parameters": params_json(draws),
        "draws_file": "draws.csv",
        "final": Value::Object(kpis),
    });
    (csv, json)
}

/// The terminal lines of `run --parameter-draws`: the shown KPIs with their range over draws.
pub fn run_table(json: &Value) -> String {
    let mut out = String::from("with parameter uncertainty (95% of the draws' means):\n");
    for name in ["localization_rate", "final_year_exports_usd_m", "tier1_suppliers", "cumulative_fiscal_cost_usd_m"] {
        let v = &json["final"][name];
        let (Some(m), Some(lo), Some(hi)) = (v["mean"].as_f64(), v["low95"].as_f64(), v["high95"].as_f64()) else { continue };
        let k = kpi_of(name).expect("known KPI");
        writeln!(out, "{:<30} {:>14} {:>12} .. {:<12}", name, k.fmt(m), k.fmt(lo), k.fmt(hi)).ok();
    }
    out
}

/// One quarter of a forecast band: for every KPI (in [`KPIS`] order) the 2.5% quantile, mean
/// and 97.5% quantile over the parameter draws.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarterBand {
    pub quarter: u32,
    pub year: f64,
    pub lo: [f64; kicsim_model::sim::metrics::N_KPIS],
    pub mean: [f64; kicsim_model::sim::metrics::N_KPIS],
    pub hi: [f64; kicsim_model::sim::metrics::N_KPIS],
}

impl QuarterBand {
    /// `(lo, mean, hi)` of the KPI with this name.
    pub fn kpi(&self, name: &str) -> Option<(f64, f64, f64)> {
        let i = KPIS.iter().position(|k| k.name == name)?;
        Some((self.lo[i], self.mean[i], self.hi[i]))
    }
}

/// The forecast of a scenario with a band from parameter uncertainty, for the window: `draws`
/// Latin-hypercube draws of every uncertain parameter, `replications` seeds each (seeds
/// `scenario.seed + d R + r`); per quarter, the mean over all runs and the 2.5-97.5% range of
/// the draws' means. Runs in parallel on rayon's threads; call it off the UI thread.
pub fn forecast_band(scenario: &Scenario, draws: usize, replications: u32) -> Vec<QuarterBand> {
    let d = Draws::latin(params::all_uncertain(), draws.max(1), replications.max(1), scenario.seed);
    let reps = d.replications;
    let jobs: Vec<(usize, u32)> = (0..d.len()).flat_map(|i| (0..reps).map(move |r| (i, r))).collect();
    let runs: Vec<Vec<QuarterRecord>> = jobs
        .par_iter()
        .map(|&(i, r)| {
            let mut s = d.scenario(scenario, i);
            s.seed = d.seed(scenario.seed, i, r);
            crate::sim::run_to_end(&s)
        })
        .collect();
    let quarters = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..quarters)
        .map(|q| {
            let mut band =
                QuarterBand { quarter: runs[0][q].quarter, year: runs[0][q].year, lo: [0.0; kicsim_model::sim::metrics::N_KPIS], mean: [0.0; kicsim_model::sim::metrics::N_KPIS], hi: [0.0; kicsim_model::sim::metrics::N_KPIS] };
            for k in 0..KPIS.len() {
                let means: Vec<f64> =
                    runs.chunks(reps as usize).map(|c| c.iter().map(|r| r[q].kpis()[k]).sum::<f64>() / c.len() as f64).collect();
                let s = spread(&means);
                (band.lo[k], band.mean[k], band.hi[k]) = (s.lo95, s.mean, s.hi95);
            }
            band
        })
        .collect()
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn draws_options_without_draws_are_refused() {
        let a = DrawArgs { params: Some("learning_rate".into()), ..DrawArgs::default() };
        assert!(a.draws(1).unwrap_err().contains("--parameter-draws"));
        assert!(DrawArgs::default().draws(1).unwrap().is_none());
    }

    #[test]
    fn the_forecast_band_holds_the_mean_and_widens_with_parameters() {
        let mut s = crate::scenario::default_scenario();
        s.years = 3;
        let band = forecast_band(&s, 8, 1);
        assert_eq!(band.len(), 12);
        let last = band.last().unwrap();
        let (lo, mean, hi) = last.kpi("localization_rate").unwrap();
        assert!(lo <= mean && mean <= hi && hi > lo, "{lo} {mean} {hi}");
        assert!(last.kpi("nope").is_none());
    }
}
