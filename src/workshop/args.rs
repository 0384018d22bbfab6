//! The workshop commands' options, and the parsing of `--vary` and `--shard`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum WorkshopCommand {
    /// Compare scenarios side by side (common random numbers, paired differences to the first).
    Compare(CompareArgs),
    /// Contribution of each incentive of one scenario (each switched off in turn).
    Breakdown(BreakdownArgs),
    /// Run a grid of parameter values in parallel; --shard i/n runs one part of it.
    Sweep(SweepArgs),
    /// Merge the shard results of a sweep into one results.csv (and heatmap), or the shards of a sensitivity analysis into its report.
    Merge(MergeArgs),
    /// Which model parameters drive a KPI: tornado, Morris and Sobol' indices with intervals.
    Sensitivity(crate::sensitivity::SensitivityArgs),
    /// Fit the model's parameters to observed facts (ABC): posterior samples and what the facts constrain.
    Calibrate(crate::calibrate::CalibrateArgs),
}

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario files; differences are given to the first.
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Replications per file (the same seeds for every file).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Seed of replication 0, shared by all files (default: the first file's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in years for every file (default: each file's own `years`; files with different
    /// horizons are compared at different dates, and compare says so).
    #[arg(long)]
    pub years: Option<u32>,
    /// Output folder: report.html, report.md, report.json, charts.
    #[arg(long, default_value = "compare-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: crate::uncertainty::DrawArgs,
}

#[derive(Args)]
pub struct BreakdownArgs {
    /// The scenario whose incentives are switched off one at a time.
    pub file: PathBuf,
    /// Replications per run (paired: the same seeds with and without each incentive).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Output folder: report, breakdown charts, breakdown.json.
    #[arg(long, default_value = "breakdown-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: crate::uncertainty::DrawArgs,
}

#[derive(Args)]
pub struct SweepArgs {
    /// The scenario the grid varies.
    pub file: PathBuf,
    /// A parameter and its values, e.g. --vary incentives.cit_rate=0.05,0.1,0.2 (repeatable).
    #[arg(long = "vary", required = true, value_name = "PATH=V1,V2,...")]
    pub vary: Vec<String>,
    /// Replications per grid point (seeds seed, seed+1, ...: the same at every point, so
    /// neighbouring cells differ by the parameters, not by luck).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Horizon in years at every grid point (default: the scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Override a scenario field at every grid point, e.g. --set incentives.cit_rate=0.1 (repeatable; as `run`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Run only part i of n of the grid (i from 1 to n; with Slurm: --shard $SLURM_ARRAY_TASK_ID/n).
    #[arg(long)]
    pub shard: Option<String>,
    /// The KPI coloured in the heatmap.
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// Output folder: results.csv (or one shard's file), the chart, report.html and report.md.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shard CSV files, or directories holding them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The KPI coloured in the heatmap.
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// Output folder: the merged results.csv, the chart, report.html and report.md.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
}

/// A parsed `--vary path=v1,v2,...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

pub fn parse_vary(s: &str) -> Result<Vary, String> {
    let (path, vals) = s.split_once('=').ok_or_else(|| format!("--vary {s}: expected path=v1,v2,..."))?;
    if path.trim().is_empty() {
        return Err(format!("--vary {s}: no parameter before `=` (e.g. --vary incentives.cit_rate=0.05,0.1)"));
    }
    let values = split_top_level(vals);
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(format!("--vary {s}: empty value"));
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(first) = values[..i].iter().position(|x| x == v) {
            return Err(format!("--vary {s}: the value {v} is given twice (values {} and {})", first + 1, i + 1));
        }
    }
    Ok(Vary { path: path.trim().to_string(), values })
}

/// Splits on commas not inside brackets, so `[(2,0.3)],[(2,0.5)]` gives two values.
pub(crate) fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            out.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Every point of the grid: the value index of each varied parameter, first parameter slowest.
pub fn grid(varies: &[Vary]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for v in varies {
        points = points.into_iter().flat_map(|p| (0..v.values.len()).map(move |i| [p.clone(), vec![i]].concat())).collect();
    }
    points
}

/// Parses `i/n` (1-based i).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or_else(|| format!("--shard {s}: expected i/n, e.g. 2/8"))?;
    let i: usize = i.trim().parse().map_err(|_| format!("--shard {s}: i is not a number"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("--shard {s}: n is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("--shard {s}: need 1 <= i <= n"));
    }
    Ok((i, n))
}
