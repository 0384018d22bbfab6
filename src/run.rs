//! Running scenarios for the command line: overrides (`--set`), replications in parallel,
//! and the output files (timeseries.csv, summary.json) with their run record.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::registry::{KPIS, TOTALS, kpi_of};
use crate::scenario::{Scenario, apply_set};
use crate::sim::metrics::QuarterRecord;

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

/// A progress bar on stderr, counted under a lock so it never goes backwards. A sweep's is drawn
/// from the start: redrawn in place on a terminal, one line per 10% in a log file (a cluster
/// job's output). Other commands show one only on a terminal and only once they have run for a
/// second, so a quick run prints nothing extra.
pub struct Progress {
    total: usize,
    done: std::sync::Mutex<usize>,
    terminal: bool,
    /// Not drawn before this (None: never drawn).
    from: Option<std::time::Instant>,
    drawn: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// A sweep's progress bar.
    pub fn new(total: usize) -> Self {
        Progress::make(total, Some(std::time::Instant::now()), true)
    }

    /// A bar that appears on a terminal after a second.
    pub fn when_slow(total: usize) -> Self {
        Progress::make(total, Some(std::time::Instant::now() + std::time::Duration::from_secs(1)), false)
    }

    /// Counts and draws nothing.
    pub fn silent() -> Self {
        Progress::make(0, None, false)
    }

    fn make(total: usize, from: Option<std::time::Instant>, in_logs: bool) -> Self {
        use std::io::IsTerminal;
        let terminal = std::io::stderr().is_terminal();
        let from = from.filter(|_| terminal || in_logs);
        Progress { total, done: std::sync::Mutex::new(0), terminal, from, drawn: false.into() }
    }

    pub fn tick(&self) {
        let Some(from) = self.from else { return };
        let Ok(mut done) = self.done.lock() else { return };
        *done += 1;
        let (n, total) = (*done, self.total.max(1));
        let every = if self.terminal { (total / 50).max(1) } else { (total / 10).max(1) };
        if (n != total && n % every != 0) || std::time::Instant::now() < from {
            return;
        }
        let width = 30;
        let filled = n.min(total) * width / total;
        let bar = format!("[{}{}] {n}/{total}", "#".repeat(filled), "-".repeat(width - filled));
        if self.terminal {
            eprint!("\r{bar}");
        } else {
            eprintln!("{bar}");
        }
        let _ = std::io::stderr().flush();
        self.drawn.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Ends the bar's line on a terminal, if a bar was drawn.
    pub fn finish(&self) {
        if self.terminal && self.drawn.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!();
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

/// Who made an output: written into every output file.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RunRecord {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub years: u32,
    pub replications: u32,
}

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
        }
    }
    pub fn comment_line(&self) -> String {
        format!(
            "# kicsim {} scenario=\"{}\" file={} hash={} seed={} years={} replications={}",
            self.version, self.scenario, self.scenario_file, self.scenario_hash, self.seed, self.years, self.replications
        )
    }
}

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom (statrs' inverse
/// CDF; a table that stopped at 30 and then used 1.96 made intervals up to 4% too narrow).
pub fn t95(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df.max(1) as f64).map_or(1.96, |t| t.inverse_cdf(0.975))
}

/// Mean and 95% confidence half-width (Student t) of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub sd: f64,
    pub n: usize,
}

impl Estimate {
    /// The same estimate with its interval cut to `[lo, hi]`, the values the quantity can take.
    pub fn within(self, (lo, hi): (f64, f64)) -> Estimate {
        Estimate { ci95_low: self.ci95_low.clamp(lo, hi), ci95_high: self.ci95_high.clamp(lo, hi), ..self }
    }
}

/// The estimate of a KPI's level across replications, its interval cut to the KPI's possible
/// values ([`kpi_bounds`]). Differences between scenarios use [`estimate`]: they can have either sign.
pub fn estimate_kpi(kpi: &str, xs: &[f64]) -> Estimate {
    estimate(xs).within(kpi_of(kpi).map_or((f64::NEG_INFINITY, f64::INFINITY), |k| k.bounds()))
}

pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate { mean: f64::NAN, ci95_low: f64::NAN, ci95_high: f64::NAN, sd: f64::NAN, n };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate { mean, ci95_low: mean, ci95_high: mean, sd: 0.0, n };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let t = t95(n - 1);
    let half = t * sd / (n as f64).sqrt();
    Estimate { mean, ci95_low: mean - half, ci95_high: mean + half, sd, n }
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

/// "1 year", "10 years": a count with its noun.
pub fn count_of(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Rounds for output: 6 significant decimals keeps files readable and byte-stable.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    }
}

/// The timeseries CSV: one row per quarter (and replication when there are several).
pub fn timeseries_csv(runs: &[Vec<QuarterRecord>], record: &RunRecord) -> String {
    let mut out = String::new();
    writeln!(out, "{}", record.comment_line()).ok();
    let multi = runs.len() > 1;
    let mut header = Vec::new();
    if multi {
        header.push("replication");
    }
    header.extend(["quarter", "year"]);
    header.extend(KPIS.iter().map(|k| k.name));
    writeln!(out, "{}", header.join(",")).ok();
    for (r, run) in runs.iter().enumerate() {
        for q in run {
            let mut row = Vec::new();
            if multi {
                row.push(r.to_string());
            }
            row.push(q.quarter.to_string());
            row.push(fmt_num(q.year));
            row.extend(q.kpis().iter().map(|v| fmt_num(*v)));
            writeln!(out, "{}", row.join(",")).ok();
        }
    }
    out
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
            kpis.insert(name.clone(), v);
        }
    }
    json!({"run": record, "final": Value::Object(kpis)})
}

fn num(v: f64) -> Value {
    fmt_num(v).parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

/// Checks, before any work is done, that `out` is a folder or can be made one, so that a long run
/// does not fail at its end on a mistyped `--out` (`flag` names the option in the message).
/// Creates nothing: a refused run writes nothing.
pub fn check_out_dir(flag: &str, out: &Path) -> Result<(), String> {
    let mut p = out;
    loop {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) if p == out => return Err(format!("{flag} {}: this is a file, not a folder", out.display())),
            Ok(_) => return Err(format!("{flag} {}: {} is a file, not a folder", out.display(), p.display())),
            Err(_) => match p.parent() {
                Some(q) if !q.as_os_str().is_empty() => p = q,
                _ => return Ok(()),
            },
        }
    }
}

/// Writes a file so that it is either the old or the new content, never half-written.
pub fn write_atomic(path: &Path, content: &[u8]) -> std::io::Result<()> {
    write_all_atomic(&[(path, content)])
}

/// Writes several files as one: each goes to a temporary beside it first, and they are renamed
/// into place only when all were written. A failure while writing (disk full, a folder in the
/// way) leaves every old file as it was and no temporary behind. Each old file is kept under a
/// second name (a hard link) until all renames are done, so a rename failing part-way puts the
/// files already replaced back as they were.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> std::io::Result<()> {
    write_all_atomic_with(files, |from, to| std::fs::rename(from, to))
}

/// [`write_all_atomic`] with the rename to use (tests make it fail part-way).
fn write_all_atomic_with(files: &[(&Path, &[u8])], mut rename: impl FnMut(&Path, &Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let side = |path: &Path, kind: &str| {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
        dir.join(format!(".{name}.{kind}{}", std::process::id()))
    };
    let temps: Vec<PathBuf> = files.iter().map(|(path, _)| side(path, "tmp")).collect();
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let mut renamed = 0;
    let result = (|| {
        for ((path, content), tmp) in files.iter().zip(&temps) {
            if path.is_dir() {
                return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, format!("{} is a folder", path.display())));
            }
            if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::File::create(tmp)?;
            f.write_all(content)?;
            f.sync_all()?;
        }
        // Keep each old file under a second name while the new ones go in; if that is not
        // possible, replace nothing.
        for (path, _) in files {
            let bak = side(path, "bak");
            let _ = std::fs::remove_file(&bak);
            if !path.exists() {
                backups.push(None);
                continue;
            }
            backups.push(Some(bak.clone()));
            std::fs::hard_link(path, &bak).or_else(|_| std::fs::copy(path, &bak).map(|_| ()))?;
        }
        for ((path, _), tmp) in files.iter().zip(&temps) {
            rename(tmp, path)?;
            renamed += 1;
        }
        Ok(())
    })();
    // Put back the old files already replaced; take out the new ones that had none. An old file
    // that cannot be put back (the folder became read-only, say) keeps its second name, and the
    // error says where it is.
    let mut kept: Vec<(&Path, &PathBuf)> = Vec::new();
    if result.is_err() {
        for ((path, _), bak) in files.iter().zip(&backups).take(renamed) {
            match bak {
                Some(b) if rename(b, path).is_err() => kept.push((path, b)),
                Some(_) => {}
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
    for f in temps[renamed..].iter().chain(backups.iter().flatten()) {
        if !kept.iter().any(|(_, b)| *b == f) {
            let _ = std::fs::remove_file(f);
        }
    }
    match result {
        Err(e) if !kept.is_empty() => {
            let where_ = kept.iter().map(|(path, b)| format!("the previous {} is kept as {}", path.display(), b.display()));
            Err(std::io::Error::new(e.kind(), format!("{e}; {}", where_.collect::<Vec<_>>().join(", "))))
        }
        result => result,
    }
}

/// The short table printed after a run.
pub fn summary_table(runs: &[Vec<QuarterRecord>]) -> String {
    let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
    let mut out = String::new();
    let shown = [
        "localization_rate",
        "final_year_exports_usd_m",
        "domestic_suppliers",
        "tier1_suppliers",
        "tier2_suppliers",
        "mean_supplier_capability",
        "employment",
        "cumulative_fiscal_cost_usd_m",
    ];
    if runs.len() > 1 {
        writeln!(out, "{:<30} {:>14} {:>26}", "KPI (final)", "mean", "95% CI").ok();
    } else {
        writeln!(out, "{:<30} {:>14}", "KPI (final)", "value").ok();
    }
    for name in shown {
        let Some(i) = finals.first().and_then(|f| f.iter().position(|(n, _)| n == name)) else { continue };
        let xs: Vec<f64> = finals.iter().map(|f| f[i].1).collect();
        let e = estimate_kpi(name, &xs);
        if runs.len() > 1 {
            writeln!(out, "{:<30} {:>14.3} {:>12.3} .. {:<12.3}", name, e.mean, e.ci95_low, e.ci95_high).ok();
        } else {
            writeln!(out, "{:<30} {:>14.3}", name, e.mean).ok();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables_beyond_thirty_degrees_of_freedom() {
        // Two-sided 95% values from any statistics table.
        for (df, t) in [(1, 12.7062), (2, 4.3027), (10, 2.2281), (30, 2.0423), (31, 2.0395), (60, 2.0003), (100, 1.9840), (1000, 1.9623)] {
            assert!((t95(df) - t).abs() < 5e-4, "df {df}: {} vs {t}", t95(df));
        }
    }

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
    fn estimate_matches_hand_computation() {
        let e = estimate(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        assert!((e.sd - 1.0).abs() < 1e-12);
        assert!((e.ci95_high - (2.0 + 4.303 / 3f64.sqrt())).abs() < 5e-4, "the table value of t at 2 df");
    }

    #[test]
    fn a_kpi_interval_stays_within_the_values_the_kpi_can_take() {
        // Four replications of a count: the t-interval alone reaches below zero.
        let tier2 = [0.0, 0.0, 1.0, 9.0];
        assert!(estimate(&tier2).ci95_low < 0.0);
        let e = estimate_kpi("tier2_suppliers", &tier2);
        assert_eq!((e.mean, e.ci95_low), (2.5, 0.0));
        assert_eq!(e.ci95_high, estimate(&tier2).ci95_high);
        // A rate never above 1.
        assert_eq!(estimate_kpi("localization_rate", &[0.6, 0.99, 0.97]).ci95_high, 1.0);
        // The fiscal cost can be negative (a rate above the standard one), and so can its interval.
        assert!(estimate_kpi("cumulative_fiscal_cost_usd_m", &[-5.0, 1.0, 0.0]).ci95_low < -5.0);
    }

    #[test]
    fn counts_take_the_plural_from_two() {
        assert_eq!(count_of(1, "year"), "1 year");
        assert_eq!(count_of(0, "replication"), "0 replications");
        assert_eq!(count_of(10, "year"), "10 years");
    }

    #[test]
    fn number_format_is_stable() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(-0.0000001), "0");
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_rename_failing_part_way_puts_the_replaced_files_back() {
        let dir = std::env::temp_dir().join(format!("kicsim-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b, c) = (dir.join("a.csv"), dir.join("b.json"), dir.join("c.md"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        // c.md does not exist yet: the failed write must not leave a new one behind.
        let mut calls = 0;
        let err = write_all_atomic_with(&[(&a, b"new a"), (&c, b"new c"), (&b, b"new b")], |from, to| {
            calls += 1;
            if calls == 3 { Err(std::io::Error::other("injected")) } else { std::fs::rename(from, to) }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "injected");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(listing(&dir), ["a.csv", "b.json"], "no new file, temporary or backup left behind");

        write_all_atomic(&[(&a, b"new a"), (&c, b"new c"), (&b, b"new b")]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "new c");
        assert_eq!(listing(&dir), ["a.csv", "b.json", "c.md"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_old_file_that_cannot_be_put_back_is_kept_and_the_error_says_where() {
        let dir = std::env::temp_dir().join(format!("kicsim-atomic-kept-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a.csv"), dir.join("b.json"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        // The second rename fails, and so does putting a.csv back (the third call).
        let mut calls = 0;
        let err = write_all_atomic_with(&[(&a, b"new a"), (&b, b"new b")], |from, to| {
            calls += 1;
            if calls >= 2 { Err(std::io::Error::other("injected")) } else { std::fs::rename(from, to) }
        })
        .unwrap_err();
        assert_eq!(calls, 3, "one rename put back");
        let bak = dir.join(format!(".a.csv.bak{}", std::process::id()));
        assert_eq!(err.to_string(), format!("injected; the previous {} is kept as {}", a.display(), bak.display()));
        assert_eq!(std::fs::read_to_string(&bak).unwrap(), "old a", "the old content is where the error says");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(listing(&dir), [format!(".a.csv.bak{}", std::process::id()), "a.csv".into(), "b.json".into()], "no temporary left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
