//! `kicsim run FILE`: replications of one scenario, DIR/timeseries.csv and DIR/summary.json (and
//! with `--parameter-draws`, DIR/draws.csv), and a short table on the terminal.

use std::path::PathBuf;

use clap::Args;

use super::options::DrawArgs;
use super::validate::print_warnings;
use crate::report::uncertainty::{run_outputs, run_table};
use crate::run;

#[derive(Args)]
pub struct RunArgs {
    /// The scenario file (RON; see docs/SCENARIO.md).
    pub file: PathBuf,
    /// Seed of the run (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in years (default: the scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Independent replications (seeds seed, seed+1, ...); summary gives mean and 95% CI.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Override a scenario field, e.g. --set incentives.cit_rate=0.1 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Output directory.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: DrawArgs,
}

/// Runs the replications (and the draws) and writes the files as one set.
pub fn run(a: RunArgs) -> Result<(), String> {
    let RunArgs { file, seed, years, replications, sets, out, draws } = a;
    let scenario = run::load_with_overrides(&file, seed, years, &sets)?;
    print_warnings(&file, &scenario);
    let draws = draws.draws(scenario.seed)?;
    if let Some(d) = &draws {
        d.check(&[(scenario.name.clone(), scenario.clone())])?;
    }
    crate::io::check_out_dir("--out", &out)?;
    let progress = run::Progress::when_slow(replications as usize);
    let runs = run::run_replications_with(&scenario, replications, &progress);
    progress.finish();
    let record = run::RunRecord::new(&scenario, &file.display().to_string(), replications).with_overrides(&sets);
    let csv = run::timeseries_csv(&runs, &record);
    let mut summary = run::summary_json(&runs, &record);
    // With --parameter-draws: the draws' runs in draws.csv, their intervals in summary.json.
    let drawn = draws.as_ref().map(|d| run_outputs(&scenario, d, &record));
    if let (Some((_, json)), Some(o)) = (&drawn, summary.as_object_mut()) {
        o.insert("parameter_uncertainty".into(), json.clone());
    }
    let summary = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())? + "\n";
    let ts_path = out.join("timeseries.csv");
    let sum_path = out.join("summary.json");
    let draws_path = out.join("draws.csv");
    let mut files = crate::io::OutputSet::default();
    files.add(ts_path.clone(), csv);
    files.add(sum_path.clone(), summary);
    match &drawn {
        Some((draws_csv, _)) => files.add(draws_path.clone(), draws_csv.clone()),
        None => files.drop_old(draws_path.clone()),
    }
    // All or none, even if killed: a failed write leaves the previous run's files as they were.
    files.write(&out)?;
    crate::say!(
        "{} — seed {}, {}, {}, scenario hash {}",
        scenario.name,
        scenario.seed,
        crate::format::count_of(scenario.years.into(), "year"),
        crate::format::count_of(replications.into(), "replication"),
        record.scenario_hash
    );
    crate::say_raw!("{}", run::summary_table(&runs));
    if let Some((_, json)) = &drawn {
        crate::say_raw!("{}", run_table(json));
        crate::say!("wrote {}, {} and {}", ts_path.display(), sum_path.display(), draws_path.display());
    } else {
        crate::say!("wrote {} and {}", ts_path.display(), sum_path.display());
    }
    Ok(())
}
