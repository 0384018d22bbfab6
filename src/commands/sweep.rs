//! `kicsim sweep`: a grid of parameter values, every point with the same seeds, run in parallel
//! (one shard of it with `--shard i/n`); the results and report are [`crate::report::sweep`].

use std::path::PathBuf;

use clap::Args;
use rayon::prelude::*;

use super::options::parse_shard;
use crate::format::count_of;
use crate::report::sweep::finish_sweep;
use crate::run::{self, RunRecord};
use crate::studies::comparison::value;
use crate::studies::sweep::{SWEEP_KPIS, Vary, describe, grid, grid_size, parse_vary, sweep_csv};

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

/// `kicsim sweep`: checks every grid point, runs this shard of the grid, writes results or a shard.
pub fn sweep(a: SweepArgs) -> Result<(), String> {
    let base = run::load_with_overrides(&a.file, None, a.years, &a.sets)?;
    let varies: Vec<Vary> = a.vary.iter().map(|v| parse_vary(v)).collect::<Result<_, _>>()?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.path == v.path) {
            return Err(format!("--vary {}: this parameter is already varied; give all its values in one --vary", v.path));
        }
    }
    if !SWEEP_KPIS.contains(&a.kpi.as_str()) {
        return Err(format!("--kpi {}: unknown KPI: {}", a.kpi, crate::names::hint(&a.kpi, SWEEP_KPIS.iter().copied())));
    }
    grid_size(&varies).map_err(|e| format!("--vary: {e}"))?;
    let points = grid(&varies);
    // Check every point before running any.
    let mut scenarios = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let mut s = base.clone();
        for (v, &i) in varies.iter().zip(p) {
            let assignment = format!("{}={}", v.path, v.values[i]);
            // apply_set speaks of --set; here the value came from --vary.
            s = crate::scenario::apply_set(&s, &assignment).map_err(|e| e.replacen("--set ", "--vary ", 1))?;
        }
        if let Some(problem) = s.validate().first() {
            return Err(format!("grid point {k} ({}): field `{}`: {}", describe(&varies, p), problem.path, problem.message));
        }
        scenarios.push(s);
    }
    let (shard_i, shard_n) = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (1, 1),
    };
    let mine: Vec<usize> = (0..points.len()).filter(|k| k % shard_n == shard_i - 1).collect();
    let total = mine.len() * a.replications as usize;
    let progress = run::Progress::new(total);
    let jobs: Vec<(usize, u32)> = mine.iter().flat_map(|&k| (0..a.replications).map(move |r| (k, r))).collect();
    eprintln!(
        "sweep: {}, this shard runs {} of them x {}",
        count_of(points.len() as u64, "grid point"),
        mine.len(),
        count_of(a.replications.into(), "replication")
    );
    let results: Vec<(usize, u32, Vec<f64>)> = jobs
        .par_iter()
        .map(|&(k, r)| {
            let mut s = scenarios[k].clone();
            s.seed = run::replication_seed(base.seed, r);
            let h = crate::sim::run_to_end(&s);
            let vals = SWEEP_KPIS.iter().map(|kpi| value(&h, kpi)).collect();
            progress.tick();
            (k, r, vals)
        })
        .collect();
    progress.finish();
    let mut record = RunRecord::new(&base, &a.file.display().to_string(), a.replications).with_overrides(&a.sets);
    record.vary = a.vary.clone();
    let csv = sweep_csv(&record, &varies, &points, &results);
    if shard_n == 1 {
        for path in finish_sweep(&a.out, csv, &a.kpi)? {
            crate::say!("wrote {}", path.display());
        }
    } else {
        let name = a.out.join(format!("results-shard-{shard_i}-of-{shard_n}.csv"));
        let mut set = crate::io::OutputSet::default();
        set.add(name.clone(), csv);
        set.write(&a.out)?;
        crate::say!("wrote {}", name.display());
        crate::say!(
            "when all {shard_n} shards are done: kicsim merge {} --out {} (name each folder if the shards wrote to different ones)",
            a.out.display(),
            a.out.display()
        );
    }
    Ok(())
}
