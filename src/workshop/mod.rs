//! Workshop tools: compare scenarios side by side with common random numbers, break a
//! scenario's outcome down by incentive, and sweep parameter grids (sharded for clusters).
//!
//! - `args.rs`: the commands' options and the parsing of `--vary` and `--shard`;
//! - `compare.rs`, `breakdown.rs`, `sweep.rs`, `merge.rs`: one command each;
//! - `table.rs`: the table of KPIs with paired differences; `report.rs`: report.md/.html/.json.

use rayon::prelude::*;

use crate::registry::{Kpi, kpi_of};
use crate::run::{self, RunRecord};
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;

mod args;
mod breakdown;
mod compare;
mod inputs;
mod merge;
mod report;
mod sweep;
mod table;
mod verdict;

pub use args::{BreakdownArgs, CompareArgs, MergeArgs, SweepArgs, Vary, WorkshopCommand, grid, parse_shard, parse_vary};
pub use breakdown::{cost_per_localization_point, switched_off_variants};

/// The KPIs a comparison's table and a sweep's results show, by name; labels, units, bounds and
/// formats come from the registry.
pub const REPORT_KPIS: [&str; 6] = [
    "localization_rate",
    "final_year_exports_usd_m",
    "total_exports_usd_m",
    "tier1_suppliers",
    "domestic_suppliers",
    "cumulative_fiscal_cost_usd_m",
];

/// The registry's entry of a KPI this tool names (every name above and in the other lists is one).
pub(crate) fn kpi(name: &str) -> &'static Kpi {
    kpi_of(name).unwrap_or_else(|| panic!("{name} is not a KPI of the registry"))
}

pub fn execute(cmd: WorkshopCommand) -> Result<(), String> {
    let out = match &cmd {
        WorkshopCommand::Compare(a) => &a.out,
        WorkshopCommand::Breakdown(a) => &a.out,
        WorkshopCommand::Sweep(a) => &a.out,
        WorkshopCommand::Merge(a) => &a.out,
        WorkshopCommand::Sensitivity(a) => &a.out,
        WorkshopCommand::Calibrate(a) => &a.out,
    };
    crate::io::check_out_dir("--out", out)?;
    match cmd {
        WorkshopCommand::Compare(a) => compare::compare(a),
        WorkshopCommand::Breakdown(a) => breakdown::breakdown(a),
        WorkshopCommand::Sweep(a) => sweep::sweep(a),
        WorkshopCommand::Merge(a) => match crate::sensitivity::shard_files(&a.inputs) {
            shards if !shards.is_empty() => crate::sensitivity::merge(&shards, &a.out),
            _ => merge::merge(a),
        },
        WorkshopCommand::Sensitivity(a) => crate::sensitivity::sensitivity(a),
        WorkshopCommand::Calibrate(a) => crate::calibrate::calibrate(a),
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
