//! Running scenarios for the command line: overrides (`--set`), replications in parallel,
//! and the output files (timeseries.csv, summary.json) with their run record. Estimates are in
//! [`crate::stats`], file writing in [`crate::io`], number formats in [`crate::format`].

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::format::{column_name, fmt_num, report_unit};
use crate::io::csv_text;
use crate::registry::{KPIS, TOTALS, kpi_of};
use crate::scenario::{Scenario, apply_set};
use crate::sim::metrics::QuarterRecord;
use crate::stats::estimate_kpi;

/// A scenario file with its command-line overrides applied and validated.
pub fn load_with_overrides(path: &Path, seed: Option<u64>, years: Option<u32>, sets: &[String]) -> Result<Scenario, String> {
    let mut s = Scenario::load(path).map_err(|e| e.to_string())?;
    for a in sets {
        s = apply_set(&s, a)?;
    }
    if let Some(seed) = seed {
        s.seed = seed;
    }
    if let Some(y) = years {
        s.years = y;
    }
    let problems = s.validate();
    if !problems.is_empty() {
        let mut msg = String::new();
        for p in problems {
            writeln!(msg, "error: {} (after command-line overrides): field `{}`: {}", path.display(), p.path, p.message).ok();
        }
        return Err(msg.trim_end().to_string());
    }
    Ok(s)
}

/// Seed of replication `r`: replication 0 is the scenario's own seed.
pub fn replication_seed(seed: u64, r: u32) -> u64 {
    seed.wrapping_add(r as u64)
}

/// Runs `n` replications in parallel; results are in replication order whatever the threads.
pub fn run_replications(scenario: &Scenario, n: u32) -> Vec<Vec<QuarterRecord>> {
    run_replications_with(scenario, n, &Progress::silent())
}

/// [`run_replications`], counting each finished run on `progress`.
pub fn run_replications_with(scenario: &Scenario, n: u32, progress: &Progress) -> Vec<Vec<QuarterRecord>> {
    (0..n.max(1))
        .into_par_iter()
        .map(|r| {
            let mut s = scenario.clone();
            s.seed = replication_seed(scenario.seed, r);
            let h = crate::sim::run_to_end(&s);
            progress.tick();
            h
        })
        .collect()
}

/// A progress bar on stderr (indicatif). A sweep's is drawn from the start: redrawn in place on
/// a terminal, one line per 10% in a log file (a cluster job's output). Other commands show one
/// only on a terminal and only once they have run for a second, so a quick run prints nothing
/// extra.
pub struct Progress {
    /// None: counts nothing, draws nothing.
    bar: Option<ProgressBar>,
    terminal: bool,
    /// Not drawn before this.
    from: Instant,
    /// Log files: the last tenth written (under a lock, so lines never go backwards).
    logged: Mutex<u64>,
    drawn: AtomicBool,
}

impl Progress {
    /// A sweep's progress bar.
    pub fn new(total: usize) -> Self {
        Progress::make(total, Instant::now(), true)
    }

    /// A bar that appears on a terminal after a second.
    pub fn when_slow(total: usize) -> Self {
        Progress::make(total, Instant::now() + Duration::from_secs(1), false)
    }

    /// Counts and draws nothing.
    pub fn silent() -> Self {
        Progress { bar: None, terminal: false, from: Instant::now(), logged: Mutex::new(0), drawn: false.into() }
    }

    fn make(total: usize, from: Instant, in_logs: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        if !terminal && !in_logs {
            return Progress::silent();
        }
        // Drawn by hand in a log file, and on a terminal from `from` on.
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("[{bar:30}] {pos}/{len} ({elapsed}, about {eta} left)").map(|s| s.progress_chars("#>-"));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        Progress { bar: Some(bar), terminal, from, logged: Mutex::new(0), drawn: false.into() }
    }

    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.terminal {
            if Instant::now() >= self.from && !self.drawn.swap(true, Ordering::Relaxed) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            return;
        }
        let Ok(mut logged) = self.logged.lock() else { return };
        let (n, total) = (bar.position(), bar.length().unwrap_or(1).max(1));
        let tenth = n * 10 / total;
        if tenth > *logged || (n == total && *logged < 10) {
            *logged = tenth;
            let filled = (n.min(total) * 30 / total) as usize;
            eprintln!(
                "[{}{}] {n}/{total} ({} elapsed, about {} left)",
                "#".repeat(filled),
                "-".repeat(30 - filled),
                HumanDuration(bar.elapsed()),
                HumanDuration(bar.eta())
            );
            self.drawn.store(true, Ordering::Relaxed);
        }
    }

    /// Leaves the finished bar on the terminal, if one was drawn.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar
            && self.terminal
            && self.drawn.load(Ordering::Relaxed)
        {
            bar.finish();
        }
    }
}

/// A stable 64-bit FNV-1a hash of the scenario's canonical RON, as 16 hex digits.
pub fn scenario_hash(s: &Scenario) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.canonical().bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Who made an output and how: written into every output file (the first line of a CSV, the
/// `run` object of a JSON file, the run records of a report), enough to make it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_file: String,
    /// Hash of the scenario after every override ([`scenario_hash`]).
    pub scenario_hash: String,
    pub seed: u64,
    pub years: u32,
    pub replications: u32,
    /// Every `--set PATH=VALUE` given, in order.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// A sweep's `--vary PATH=V1,V2,...`, in order (empty for other commands).
    #[serde(default)]
    pub vary: Vec<String>,
}

/// How every CSV file starts: this, then the run record as one line of JSON.
pub const RECORD_PREFIX: &str = "# kicsim run record ";

impl RunRecord {
    pub fn new(s: &Scenario, file: &str, replications: u32) -> Self {
        RunRecord {
            tool: "kicsim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario: s.name.clone(),
            scenario_file: file.into(),
            scenario_hash: scenario_hash(s),
            seed: s.seed,
            years: s.years,
            replications,
            overrides: Vec::new(),
            vary: Vec::new(),
        }
    }

    /// The record with the `--set` overrides that made its scenario.
    pub fn with_overrides(mut self, sets: &[String]) -> Self {
        self.overrides = sets.to_vec();
        self
    }

    /// The first line of every CSV: `# kicsim run record {...}`, the record as JSON on one line
    /// (a name with quotes, commas or line breaks stays on it, and it reads back whole).
    pub fn comment_line(&self) -> String {
        format!("{RECORD_PREFIX}{}", serde_json::to_string(self).unwrap_or_default())
    }

    /// Reads back [`RunRecord::comment_line`].
    pub fn from_comment_line(line: &str) -> Result<RunRecord, String> {
        let json = line.strip_prefix(RECORD_PREFIX).ok_or_else(|| format!("no run record on its first line ({RECORD_PREFIX}{{...}})"))?;
        serde_json::from_str(json).map_err(|e| format!("the run record on its first line cannot be read: {e}"))
    }
}

/// Final value of every KPI, plus totals over the horizon, for one run.
pub fn final_values(run: &[QuarterRecord]) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    if let Some(last) = run.last() {
        for (k, v) in KPIS.iter().zip(last.kpis()) {
            out.push((k.name.to_string(), v));
        }
    }
    let [total, final_year] = [&TOTALS[0], &TOTALS[1]].map(|k| k.name.to_string());
    out.push((total, run.iter().map(|r| r.exports_usd_m).sum()));
    out.push((final_year, run.iter().rev().take(4).map(|r| r.exports_usd_m).sum()));
    out
}

/// The timeseries CSV: one row per quarter (and replication when there are several).
pub fn timeseries_csv(runs: &[Vec<QuarterRecord>], record: &RunRecord) -> String {
    let multi = runs.len() > 1;
    let mut header: Vec<String> = Vec::new();
    if multi {
        header.push("replication".into());
    }
    header.extend(["quarter".into(), "year".into()]);
    header.extend(KPIS.iter().map(column_name));
    let rows = runs.iter().enumerate().flat_map(|(r, run)| {
        run.iter().map(move |q| {
            let mut row = Vec::new();
            if multi {
                row.push(r.to_string());
            }
            row.push(q.quarter.to_string());
            row.push(fmt_num(q.year));
            row.extend(q.kpis().iter().map(|v| fmt_num(*v)));
            row
        })
    });
    csv_text(&record.comment_line(), &header, rows)
}

/// summary.json: final values (one run) or mean and 95% CI per KPI (replications).
pub fn summary_json(runs: &[Vec<QuarterRecord>], record: &RunRecord) -> Value {
    let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
    let mut kpis = Map::new();
    if let Some(first) = finals.first() {
        for (i, (name, _)) in first.iter().enumerate() {
            let xs: Vec<f64> = finals.iter().map(|f| f[i].1).collect();
            let v = if runs.len() == 1 {
                num(xs[0])
            } else {
                let e = estimate_kpi(name, &xs);
                json!({"mean": num(e.mean), "ci95_low": num(e.ci95_low), "ci95_high": num(e.ci95_high), "sd": num(e.sd)})
            };
            kpis.insert(kpi_of(name).map_or_else(|| name.clone(), column_name), v);
        }
    }
    json!({"run": record, "final": Value::Object(kpis)})
}

fn num(v: f64) -> Value {
    fmt_num(v).parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

/// The KPIs of the short table printed after a run, by name (labels, units and formats from
/// the registry).
pub const SUMMARY_KPIS: [&str; 8] = [
    "localization_rate",
    "final_year_exports_usd_m",
    "domestic_suppliers",
    "tier1_suppliers",
    "tier2_suppliers",
    "mean_supplier_capability",
    "employment",
    "cumulative_fiscal_cost_usd_m",
];

/// The short table printed after a run: each KPI's column name, its value (or mean and 95% CI)
/// as the registry writes it, and its unit.
pub fn summary_table(runs: &[Vec<QuarterRecord>]) -> String {
    let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
    let mut out = String::new();
    let multi = runs.len() > 1;
    writeln!(out, "{:<30} {:>12} {:>26}  unit", "KPI (final)", if multi { "mean" } else { "value" }, if multi { "95% CI" } else { "" })
        .ok();
    for name in SUMMARY_KPIS {
        let (Some(k), Some(i)) = (kpi_of(name), finals.first().and_then(|f| f.iter().position(|(n, _)| n == name))) else { continue };
        let xs: Vec<f64> = finals.iter().map(|f| f[i].1).collect();
        let e = estimate_kpi(name, &xs);
        let ci = if multi { format!("{} .. {}", k.fmt(e.ci95_low), k.fmt(e.ci95_high)) } else { String::new() };
        writeln!(out, "{:<30} {:>12} {:>26}  {}", name, k.fmt(e.mean), ci, report_unit(k)).ok();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_paths_and_errors() {
        let s = Scenario::default();
        let t = apply_set(&s, "incentives.cit_rate=0.1").unwrap();
        assert_eq!(t.incentives.cit_rate, 0.1);
        let t = apply_set(&s, "anchor.sector=Automotive").unwrap();
        assert_eq!(t.anchor.sector, crate::scenario::Sector::Automotive);
        let t = apply_set(&s, "incentives.local_content=[(2, 0.3), (5, 0.5)]").unwrap();
        assert_eq!(t.incentives.local_content, vec![(2.0, 0.3), (5.0, 0.5)]);
        let t = apply_set(&s, "years=3").unwrap();
        assert_eq!(t.years, 3);
        let e = apply_set(&s, "incentives.cit_ratee=0.1").unwrap_err();
        assert!(e.contains("unknown field `cit_ratee`") && e.contains("cit_rate"), "{e}");
        let e = apply_set(&s, "suppliers[3].capability=0.5").unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
        let e = apply_set(&s, "incentives.cit_rate=abc").unwrap_err();
        assert!(e.contains("incentives.cit_rate"), "{e}");
        assert!(apply_set(&s, "incentives.cit_rate").is_err());
        // `()` sets a whole part to its defaults, as in a file; a struct value replaces the part.
        let busy = crate::scenario::default_scenario();
        assert_ne!(busy.incentives, Scenario::default().incentives);
        assert_eq!(apply_set(&busy, "incentives=()").unwrap().incentives, Scenario::default().incentives);
        let t = apply_set(&busy, "anchor.commitments=(tech_transfer: 0.5)").unwrap();
        assert_eq!(t.anchor.commitments.tech_transfer, 0.5);
        assert_eq!(t.anchor.commitments.local_sourcing, Scenario::default().anchor.commitments.local_sourcing);
        let e = apply_set(&busy, "suppliers=()").unwrap_err();
        assert!(e.contains("suppliers=()") && e.contains("sequence"), "{e}");
    }

    #[test]
    fn a_progress_bar_is_drawn_for_sweeps_and_slow_runs_only() {
        use std::sync::atomic::Ordering::Relaxed;
        let ticked = |p: Progress| {
            (0..5).for_each(|_| p.tick());
            p.drawn.load(Relaxed)
        };
        assert!(ticked(Progress::new(5)), "a sweep's bar is drawn, on a terminal or in a log");
        assert!(!ticked(Progress::when_slow(5)), "a run that ends within a second draws no bar");
        assert!(!ticked(Progress::silent()));
    }

    #[test]
    fn the_run_record_line_reads_back_whole() {
        let s = Scenario { name: "Team \"A\", B | C\nsecond line".into(), ..Scenario::default() };
        let r =
            RunRecord::new(&s, "teams/a, b.ron", 3).with_overrides(&["incentives.cit_rate=0.1".into(), "anchor.sector=Automotive".into()]);
        let line = r.comment_line();
        assert!(line.starts_with("# kicsim run record {") && !line.contains('\n'), "{line}");
        assert_eq!(RunRecord::from_comment_line(&line).unwrap(), r);
        assert!(RunRecord::from_comment_line("# kicsim 0.1.0 scenario=x").is_err());
    }
}
