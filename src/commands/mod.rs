//! The command line: one file per subcommand, each with its clap options and the steps it takes
//! (read the inputs, run a study, write the outputs through [`crate::report`]). Options that
//! several commands share are in [`options`]. This file holds the list of subcommands and sends
//! each to its file; `main.rs` only parses and calls [`execute`].

use clap::{Parser, Subcommand};

pub mod breakdown;
pub mod calibrate;
pub mod compare;
pub mod merge;
pub mod optimize;
pub mod options;
pub mod plan;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod template;
pub mod validate;

/// KIC Planner: simulate a key industrial complex (anchor, suppliers, R&D, training, logistics).
///
/// With no command, opens the interactive planner on the built-in default scenario.
#[derive(Parser)]
#[command(name = "kicsim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario and write DIR/timeseries.csv and DIR/summary.json.
    Run(run::RunArgs),
    /// Check scenario files (a folder: every .ron file in it); prints every problem with file:line:col.
    Validate(validate::ValidateArgs),
    /// Print the built-in default scenario as RON (a starting point for your own file).
    Template,
    /// Open the interactive planner (optionally on a scenario file).
    Plan(plan::PlanArgs),
    /// Compare scenarios side by side (common random numbers, paired differences to the first).
    Compare(compare::CompareArgs),
    /// Contribution of each incentive of one scenario (each switched off in turn).
    Breakdown(breakdown::BreakdownArgs),
    /// Run a grid of parameter values in parallel; --shard i/n runs one part of it.
    Sweep(sweep::SweepArgs),
    /// Merge the shard results of a sweep into one results.csv (and heatmap), or the shards of a sensitivity analysis into its report.
    Merge(merge::MergeArgs),
    /// Which model parameters drive a KPI: tornado, Morris and Sobol' indices with intervals.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Goal seeking: the cheapest (or best) plan whose requirements hold with a stated confidence (CMA-ES over the levers).
    Optimize(optimize::OptimizeArgs),
    /// Fit the model's parameters to observed facts (ABC): posterior samples and what the facts constrain.
    Calibrate(calibrate::CalibrateArgs),
}

/// Runs a command (none: the planner on the built-in baseline). The workshop and study
/// commands refuse a bad `--out` before anything runs.
pub fn execute(command: Option<Command>) -> Result<(), String> {
    let out = match &command {
        Some(Command::Compare(a)) => Some(&a.out),
        Some(Command::Breakdown(a)) => Some(&a.out),
        Some(Command::Sweep(a)) => Some(&a.out),
        Some(Command::Merge(a)) => Some(&a.out),
        Some(Command::Sensitivity(a)) => Some(&a.out),
        Some(Command::Calibrate(a)) => Some(&a.out),
        Some(Command::Optimize(a)) => Some(&a.out),
        _ => None,
    };
    if let Some(out) = out {
        crate::io::check_out_dir("--out", out)?;
    }
    match command {
        None => plan::plan(plan::PlanArgs::default()),
        Some(Command::Run(a)) => run::run(a),
        Some(Command::Validate(a)) => validate::validate(a),
        Some(Command::Template) => template::template(),
        Some(Command::Plan(a)) => plan::plan(a),
        Some(Command::Compare(a)) => compare::compare(a),
        Some(Command::Breakdown(a)) => breakdown::breakdown(a),
        Some(Command::Sweep(a)) => sweep::sweep(a),
        Some(Command::Merge(a)) => merge::merge(a),
        Some(Command::Sensitivity(a)) => sensitivity::sensitivity(a),
        Some(Command::Calibrate(a)) => calibrate::calibrate(a),
        Some(Command::Optimize(a)) => optimize::optimize(a),
    }
}
