//! Running scenarios for the command line: overrides (`--set`), replications in parallel,
//! and the output files (timeseries.csv, summary.json) with their run record. Estimates are in
//! [`crate::stats`], file writing in [`crate::io`], number formats in [`crate::format`].
//!
//! - `progress.rs`: the progress bar; `record.rs`: the run record and the scenario hash;
//! - `outputs.rs`: timeseries.csv, summary.json and the terminal table of `kicsim run`.

use std::fmt::Write as _;
use std::path::Path;

use rayon::prelude::*;

use crate::registry::{KPIS, TOTALS};
use crate::scenario::{Scenario, apply_set};
use crate::sim::metrics::QuarterRecord;

mod outputs;
mod progress;
mod record;

pub use outputs::{SUMMARY_KPIS, summary_json, summary_table, timeseries_csv};
pub use progress::Progress;
pub use record::{RECORD_PREFIX, RunRecord, scenario_hash};

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
        let e = apply_set(&s, "incentives.cit_rate=10%").unwrap_err();
        assert!(e.contains("shares are written 0-1, so 10% is 0.1"), "{e}");
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
