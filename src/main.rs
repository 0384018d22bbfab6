use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kicsim::run;
use kicsim::scenario::Scenario;

/// KIC Planner: simulate a key industrial complex (anchor, suppliers, R&D, training, logistics).
///
/// With no command, opens the interactive planner on the built-in default scenario.
#[derive(Parser)]
#[command(name = "kicsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and write DIR/timeseries.csv and DIR/summary.json.
    Run {
        /// The scenario file (RON; see docs/SCENARIO.md).
        file: PathBuf,
        /// Seed of the run (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Horizon in years (default: the scenario's `years`).
        #[arg(long)]
        years: Option<u32>,
        /// Independent replications (seeds seed, seed+1, ...); summary gives mean and 95% CI.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        replications: u32,
        /// Override a scenario field, e.g. --set incentives.cit_rate=0.1 (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Output directory.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        draws: kicsim::uncertainty::DrawArgs,
    },
    /// Check scenario files (a folder: every .ron file in it); prints every problem with file:line:col.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the built-in default scenario as RON (a starting point for your own file).
    Template,
    /// Open the interactive planner (optionally on a scenario file).
    Plan {
        /// The scenario to open; a file not there yet is a new plan (the built-in baseline) that Save writes there.
        file: Option<PathBuf>,
        /// Run the plan to its horizon, save the window to this PNG (its folder is made if missing) and exit.
        #[arg(long)]
        screenshot: Option<PathBuf>,
        /// Scenario files to run beside the plan in the compare view (up to 3).
        #[arg(long)]
        compare: Vec<PathBuf>,
    },
    #[command(flatten)]
    Workshop(kicsim::workshop::WorkshopCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => plan(None, None, Vec::new()),
        Some(Command::Plan { file, screenshot, compare }) => plan(file, screenshot, compare),
        Some(Command::Run { file, seed, years, replications, sets, out, draws }) => {
            run_cmd(file, seed, years, replications, sets, out, draws)
        }
        Some(Command::Validate { files }) => validate(files),
        Some(Command::Workshop(w)) => kicsim::workshop::execute(w),
        Some(Command::Template) => {
            kicsim::say_raw!("{}", kicsim::scenario::default_scenario().to_ron());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            // Scenario errors already start with "error: file:line:col"; give the rest the same start.
            if msg.starts_with("error") {
                eprintln!("{msg}")
            } else {
                eprintln!("error: {msg}")
            }
            ExitCode::FAILURE
        }
    }
}

fn run_cmd(
    file: PathBuf,
    seed: Option<u64>,
    years: Option<u32>,
    replications: u32,
    sets: Vec<String>,
    out: PathBuf,
    draws: kicsim::uncertainty::DrawArgs,
) -> Result<(), String> {
    let scenario = run::load_with_overrides(&file, seed, years, &sets)?;
    print_warnings(&file, &scenario);
    let draws = draws.draws(scenario.seed)?;
    if let Some(d) = &draws {
        d.check(&[(scenario.name.clone(), scenario.clone())])?;
    }
    kicsim::io::check_out_dir("--out", &out)?;
    let progress = run::Progress::when_slow(replications as usize);
    let runs = run::run_replications_with(&scenario, replications, &progress);
    progress.finish();
    let record = run::RunRecord::new(&scenario, &file.display().to_string(), replications).with_overrides(&sets);
    let csv = run::timeseries_csv(&runs, &record);
    let mut summary = run::summary_json(&runs, &record);
    // With --parameter-draws: the draws' runs in draws.csv, their intervals in summary.json.
    let drawn = draws.as_ref().map(|d| kicsim::uncertainty::run_outputs(&scenario, d, &record));
    if let (Some((_, json)), Some(o)) = (&drawn, summary.as_object_mut()) {
        o.insert("parameter_uncertainty".into(), json.clone());
    }
    let summary = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())? + "\n";
    let ts_path = out.join("timeseries.csv");
    let sum_path = out.join("summary.json");
    let draws_path = out.join("draws.csv");
    let mut files: Vec<(&std::path::Path, &[u8])> = vec![(&ts_path, csv.as_bytes()), (&sum_path, summary.as_bytes())];
    if let Some((draws_csv, _)) = &drawn {
        files.push((&draws_path, draws_csv.as_bytes()));
    }
    // All or none: a failed write leaves the previous run's files as they were.
    kicsim::io::write_all_atomic(&files)
        .map_err(|e| format!("cannot write {} and {}: {}", ts_path.display(), sum_path.display(), kicsim::io_words(&e)))?;
    kicsim::say!(
        "{} — seed {}, {}, {}, scenario hash {}",
        scenario.name,
        scenario.seed,
        kicsim::format::count_of(scenario.years.into(), "year"),
        kicsim::format::count_of(replications.into(), "replication"),
        record.scenario_hash
    );
    kicsim::say_raw!("{}", run::summary_table(&runs));
    if let Some((_, json)) = &drawn {
        kicsim::say_raw!("{}", kicsim::uncertainty::run_table(json));
        kicsim::say!("wrote {}, {} and {}", ts_path.display(), sum_path.display(), draws_path.display());
    } else {
        kicsim::say!("wrote {} and {}", ts_path.display(), sum_path.display());
    }
    Ok(())
}

fn validate(paths: Vec<PathBuf>) -> Result<(), String> {
    // A folder stands for the .ron files in it, in name order.
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = kicsim::scenario::ron_files_in(&p).map_err(|e| format!("cannot read {}: {}", p.display(), kicsim::io_words(&e)))?;
            if found.is_empty() {
                return Err(format!("{}: no .ron files in this folder", p.display()));
            }
            files.extend(found);
        } else {
            files.push(p);
        }
    }
    let mut failed = Vec::new();
    for f in &files {
        match Scenario::load(f) {
            Ok(s) => {
                kicsim::say!(
                    "ok: {} ({}, {}, {})",
                    f.display(),
                    s.name,
                    kicsim::format::count_of(s.suppliers.len() as u64, "supplier"),
                    kicsim::format::count_of(s.years.into(), "year")
                );
                print_warnings(f, &s);
            }
            Err(e) => {
                eprintln!("{e}");
                failed.push(f.display().to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} invalid: {}", failed.len(), kicsim::format::count_of(files.len() as u64, "file"), failed.join(", ")))
    }
}

/// Settings that are valid but buy nothing ([`Scenario::warnings`]), on stderr as
/// `warning: FILE:LINE:COL: field `path`: message`, located in the file as errors are.
fn print_warnings(file: &std::path::Path, scenario: &Scenario) {
    let warnings = scenario.warnings();
    if warnings.is_empty() {
        return;
    }
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let text = kicsim::scenario::without_bom(&text);
    for w in warnings {
        let (line, col) = kicsim::ronpath::locate(text, &w.path).unwrap_or((1, 1));
        eprintln!("warning: {}:{line}:{col}: field `{}`: {}", file.display(), w.path, w.message);
    }
}

#[cfg(feature = "gui")]
fn plan(file: Option<PathBuf>, screenshot: Option<PathBuf>, compare: Vec<PathBuf>) -> Result<(), String> {
    kicsim::gui::run(file, screenshot, compare)
}

#[cfg(not(feature = "gui"))]
fn plan(_file: Option<PathBuf>, _screenshot: Option<PathBuf>, _compare: Vec<PathBuf>) -> Result<(), String> {
    Err("this kicsim was built without the window (feature `gui`); use `kicsim run FILE` or rebuild with default features".into())
}
