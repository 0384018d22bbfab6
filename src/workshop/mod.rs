//! Workshop tools: compare scenarios side by side with common random numbers, break a
//! scenario's outcome down by incentive, and sweep parameter grids (sharded for clusters).
//!
//! - `args.rs`: the commands' options and the parsing of `--vary` and `--shard`;
//! - `compare.rs`, `breakdown.rs`, `sweep.rs`, `merge.rs`: one command each;
//! - `table.rs`: the table of KPIs with paired differences; `report.rs`: report.md/.html/.json.

use rayon::prelude::*;

use crate::run::{self, RunRecord};
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;

mod args;
mod breakdown;
mod compare;
mod merge;
mod report;
mod sweep;
mod table;

pub use args::{BreakdownArgs, CompareArgs, MergeArgs, SweepArgs, Vary, WorkshopCommand, grid, parse_shard, parse_vary};
pub use breakdown::{cost_per_localization_point, switched_off_variants};

pub fn execute(cmd: WorkshopCommand) -> Result<(), String> {
    let out = match &cmd {
        WorkshopCommand::Compare(a) => &a.out,
        WorkshopCommand::Breakdown(a) => &a.out,
        WorkshopCommand::Sweep(a) => &a.out,
        WorkshopCommand::Merge(a) => &a.out,
    };
    crate::io::check_out_dir("--out", out)?;
    match cmd {
        WorkshopCommand::Compare(a) => compare::compare(a),
        WorkshopCommand::Breakdown(a) => breakdown::breakdown(a),
        WorkshopCommand::Sweep(a) => sweep::sweep(a),
        WorkshopCommand::Merge(a) => merge::merge(a),
    }
}

pub(crate) fn value(run: &[QuarterRecord], kpi: &str) -> f64 {
    run::final_values(run).into_iter().find(|(n, _)| n == kpi).map(|(_, v)| v).unwrap_or(f64::NAN)
}

pub(crate) struct Arm {
    pub(crate) label: String,
    pub(crate) scenario: Scenario,
    pub(crate) record: RunRecord,
    pub(crate) runs: Vec<Vec<QuarterRecord>>,
}

/// Runs every scenario with the same seeds (common random numbers).
pub(crate) fn run_arms(arms: Vec<(String, Scenario, String)>, base_seed: u64, replications: u32) -> Vec<Arm> {
    let progress = run::Progress::when_slow(arms.len() * replications as usize);
    let arms = arms
        .into_par_iter()
        .map(|(label, mut s, file)| {
            s.seed = base_seed;
            let runs = run::run_replications_with(&s, replications, &progress);
            let record = RunRecord::new(&s, &file, replications);
            Arm { label, scenario: s, record, runs }
        })
        .collect();
    progress.finish();
    arms
}
