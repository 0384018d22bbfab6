//! The command line as a student uses it: every scenario validates and runs, outputs are
//! byte-identical for the same seed whatever the thread count, and bad input gives a clear
//! error with file:line:col and field, a non-zero exit and no panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kicsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kicsim"))
}

mod common;
use common::Tmp;

/// An existing folder for one test's outputs (removed when the test ends).
fn tmpdir(name: &str) -> Tmp {
    let dir = common::tmp_path("kicsim-test-", name);
    std::fs::create_dir_all(&*dir).unwrap();
    dir
}

fn scenario_files() -> Vec<PathBuf> {
    let v = kicsim::scenario::ron_files_in(std::path::Path::new("scenarios")).unwrap();
    assert!(v.len() >= 5, "scenarios/ holds at least five scenarios");
    v
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn every_scenario_validates_and_runs() {
    let files = scenario_files();
    let o = kicsim().arg("validate").args(&files).output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    for f in &files {
        let dir = tmpdir(&format!("run-{}", f.file_stem().unwrap().to_string_lossy()));
        let o = kicsim().args(["run", f.to_str().unwrap(), "--years", "3", "--out", dir.to_str().unwrap()]).output().unwrap();
        let (out, err) = text(&o);
        assert!(o.status.success(), "{}: {out}\n{err}", f.display());
        let csv = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert!(lines[0].starts_with("# kicsim run record {"), "run record first");
        assert_eq!(lines.iter().filter(|l| l.starts_with('#')).count(), 1, "one comment line");
        assert!(lines[1].starts_with("quarter,year,localization_rate,domestic_sourcing_share,exports_usd_m_per_quarter,domestic_suppliers,foreign_suppliers,tier1_suppliers,tier2_suppliers,mean_supplier_capability,employment,fiscal_cost_usd_m_per_quarter,cumulative_fiscal_cost_usd_m"));
        assert_eq!(lines.len(), 2 + 12, "{}: one row per quarter", f.display());
        let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
        let loc = summary["final"]["localization_rate"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&loc));
        assert_eq!(summary["run"]["years"], 3);
        assert!(out.contains("localization_rate"), "prints a summary table: {out}");
    }
}

#[test]
fn summary_intervals_stay_within_what_each_kpi_can_take() {
    // Four replications of the rule-only scenario: the spread of the last quarter's exits is wide
    // enough that a bare t-interval reaches below zero firms.
    let dir = tmpdir("bounded-ci");
    let o = kicsim().args(["run", "scenarios/strong_lcr.ron", "--replications", "4", "--out", dir.to_str().unwrap()]).output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let finals = summary["final"].as_object().unwrap();
    assert!(finals.len() >= 15);
    for (kpi, e) in finals {
        let k = kicsim::registry::KPIS.iter().chain(kicsim::registry::TOTALS).find(|k| kicsim::format::column_name(k) == *kpi).unwrap();
        let (lo, hi) = k.bounds();
        let (low, mean, high) = (e["ci95_low"].as_f64().unwrap(), e["mean"].as_f64().unwrap(), e["ci95_high"].as_f64().unwrap());
        assert!(lo <= low && low <= mean && mean <= high && high <= hi, "{kpi}: [{low}, {high}] around {mean}, bounds [{lo}, {hi}]");
    }
    let exits = &finals[&kicsim::format::column_name(kicsim::registry::kpi_of("supplier_exits").unwrap())];
    let sd = exits["sd"].as_f64().unwrap();
    assert!(exits["mean"].as_f64().unwrap() - 3.182 * sd / 2.0 < 0.0, "this case must be one the bound matters for");
    assert_eq!(exits["ci95_low"].as_f64(), Some(0.0));
}

fn run_outputs(threads: &str, extra: &[&str], name: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = tmpdir(name);
    let mut args = vec!["run", "scenarios/baseline.ron", "--years", "4", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = kicsim().env("RAYON_NUM_THREADS", threads).args(&args).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    (std::fs::read(dir.join("timeseries.csv")).unwrap(), std::fs::read(dir.join("summary.json")).unwrap())
}

#[test]
fn same_seed_gives_byte_identical_outputs_whatever_the_threads() {
    let a = run_outputs("1", &["--replications", "4", "--seed", "9"], "det-a");
    let b = run_outputs("2", &["--replications", "4", "--seed", "9"], "det-b");
    let c = run_outputs("8", &["--replications", "4", "--seed", "9"], "det-c");
    assert_eq!(a, b);
    assert_eq!(a, c);
    let d = run_outputs("2", &["--replications", "4", "--seed", "10"], "det-d");
    assert_ne!(a.0, d.0, "another seed gives another run");
}

#[test]
fn replications_add_a_column_and_confidence_intervals() {
    let (csv, summary) = run_outputs("2", &["--replications", "3"], "reps");
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("replication,quarter,year,"));
    assert_eq!(csv.lines().count(), 2 + 3 * 16);
    let s: serde_json::Value = serde_json::from_slice(&summary).unwrap();
    let loc = &s["final"]["localization_rate"];
    let (lo, mean, hi) = (loc["ci95_low"].as_f64().unwrap(), loc["mean"].as_f64().unwrap(), loc["ci95_high"].as_f64().unwrap());
    assert!(lo <= mean && mean <= hi);
}

#[test]
fn set_overrides_a_field() {
    let dir = tmpdir("set");
    let o = kicsim()
        .args([
            "run",
            "scenarios/baseline.ron",
            "--years",
            "2",
            "--set",
            "incentives.cit_rate=0.05",
            "--set",
            "suppliers[0].capability=0.9",
            "--out",
            dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    // The scenario hash in the run record reflects the override.
    let base = tmpdir("set-base");
    let o2 = kicsim().args(["run", "scenarios/baseline.ron", "--years", "2", "--out", base.to_str().unwrap()]).output().unwrap();
    assert!(o2.status.success());
    let h = |d: &Path| {
        let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap()).unwrap();
        s["run"]["scenario_hash"].as_str().unwrap().to_string()
    };
    assert_ne!(h(&dir), h(&base));
}

/// Runs a command that must fail cleanly; returns stderr.
fn fails(args: &[&str]) -> String {
    let o = kicsim().args(args).output().unwrap();
    let (out, err) = text(&o);
    assert!(!o.status.success(), "{args:?} should fail: {out}");
    assert_eq!(o.status.code(), Some(1), "{args:?}: a clean error exit, not a crash: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    err
}

#[test]
fn bad_scenarios_give_file_line_col_and_field() {
    let cases: [(&str, &str, &[&str]); 7] = [
        ("syntax_error", "syntax_error.ron:3:13: field `years`:", &["expected `,` after this value"]),
        ("unknown_field", "unknown_field.ron:5:9:", &["incentives.cit_holliday_years", "did you mean `cit_holiday_years`?"]),
        ("out_of_range", "out_of_range.ron:4:9:", &["incentives.land_rent_exemption", "1.5 is out of range"]),
        ("in_water", "in_water.ron:4:9:", &["anchor.site", "in water"]),
        ("absurd_map", "absurd_map.ron:3:11:", &["map.size_km", "out of range"]),
        ("wrong_type", "wrong_type.ron:3:11:", &["years", "Expected integer"]),
        ("overlap", "overlap.ron:5:21:", &["suppliers[1].site", "overlaps"]),
    ];
    for (name, place, words) in cases {
        let file = format!("tests/bad/{name}.ron");
        let err = fails(&["validate", &file]);
        assert!(err.contains(place), "{name}: expected {place} in: {err}");
        for w in words {
            assert!(err.contains(w), "{name}: expected '{w}' in: {err}");
        }
        // `run` refuses the same file the same way, and writes nothing.
        let dir = tmpdir(&format!("bad-{name}"));
        let err_run = fails(&["run", &file, "--out", dir.to_str().unwrap()]);
        assert!(err_run.contains(place), "{err_run}");
        assert!(!dir.join("timeseries.csv").exists());
    }
}

#[test]
fn bad_command_line_values_are_refused() {
    let err = fails(&["run", "scenarios/baseline.ron", "--set", "incentives.cit_ratee=0.1"]);
    assert!(err.contains("unknown field `cit_ratee` in `incentives`: did you mean `cit_rate`?"), "{err}");
    assert!(!err.contains("export_promotion"), "the one name meant, not all of them: {err}");
    let err = fails(&["sweep", "scenarios/baseline.ron", "--vary", "incentives.cit_rate=0.1,0.2", "--kpi", "localisation_rate"]);
    assert!(err.contains("--kpi localisation_rate: unknown KPI: did you mean `localization_rate`?"), "{err}");
    let err = fails(&["run", "scenarios/baseline.ron", "--set", "incentives.cit_rate=2"]);
    assert!(err.contains("incentives.cit_rate") && err.contains("out of range"), "{err}");
    let err = fails(&["run", "scenarios/baseline.ron", "--set", "anchor.site.x_km=29.5"]);
    assert!(err.contains("water"), "{err}");
    let err = fails(&["run", "no/such/file.ron"]);
    assert!(err.contains("no/such/file.ron") && err.contains("cannot read"), "{err}");
    // A malformed or out-of-bounds flag is a user error like any other: exit 1, the bound named.
    let o = kicsim().args(["run", "scenarios/baseline.ron", "--replications", "0"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    for args in [
        &["sensitivity", "scenarios/baseline.ron", "--method", "morris", "--morris-r", "18446744073709551615"][..],
        &["sensitivity", "scenarios/baseline.ron", "--bootstrap", "1000000000000"],
        &["calibrate", "scenarios/baseline.ron", "--targets", "calibration/targets.ron", "--particles", "100000000000"],
    ] {
        let o = kicsim().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("1..=100000"), "the bound is named: {err}");
    }
    // --help is not an error.
    assert_eq!(kicsim().args(["run", "--help"]).output().unwrap().status.code(), Some(0));
}

#[test]
fn an_existing_output_is_not_clobbered_by_a_failed_run() {
    let dir = tmpdir("keep");
    std::fs::write(dir.join("timeseries.csv"), "old").unwrap();
    fails(&["run", "tests/bad/syntax_error.ron", "--out", dir.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(dir.join("timeseries.csv")).unwrap(), "old");
}

#[test]
fn a_failed_write_keeps_the_previous_outputs_as_a_pair() {
    let dir = tmpdir("pair");
    std::fs::write(dir.join("timeseries.csv"), "old").unwrap();
    std::fs::create_dir_all(dir.join("summary.json")).unwrap(); // a folder in the way of the second file
    let err = fails(&["run", "scenarios/minimal.ron", "--years", "1", "--out", dir.to_str().unwrap()]);
    assert!(err.contains("summary.json is a folder"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("timeseries.csv")).unwrap(), "old", "the first file is not replaced alone");
    let names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "no temporary left behind: {names:?}");
}

#[test]
fn an_out_that_is_a_file_is_refused_before_running_and_left_alone() {
    let dir = tmpdir("out-is-a-file");
    let file = dir.join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let below = file.join("run1");
    for out in [&file, &below] {
        let out = out.to_str().unwrap();
        for args in [
            vec!["run", "scenarios/baseline.ron", "--out", out],
            vec!["sweep", "scenarios/baseline.ron", "--vary", "incentives.cit_rate=0.1,0.2", "--out", out],
            vec!["compare", "scenarios/baseline.ron", "scenarios/strong_lcr.ron", "--out", out],
        ] {
            let err = fails(&args);
            assert!(err.contains("--out") && err.contains("is a file, not a folder"), "{args:?}: {err}");
            // Refused before any run: no table, no progress, just the error.
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        }
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing else written");
}

#[test]
fn validate_takes_a_folder_and_reads_every_ron_file_in_it() {
    let o = kicsim().args(["validate", "scenarios"]).output().unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("ok: ")).count(), scenario_files().len(), "{out}");
    // The bad examples: every file is reported, and the exit code says some failed.
    let o = kicsim().args(["validate", "tests/bad"]).output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("7 of 7 files invalid"), "{err}");
    let o = kicsim().args(["validate", "nonexist.ron"]).output().unwrap();
    let (_, err) = text(&o);
    assert!(err.starts_with("error: nonexist.ron: cannot read the file"), "{err}");
}

#[test]
fn template_is_a_valid_scenario() {
    let o = kicsim().arg("template").output().unwrap();
    assert!(o.status.success());
    // Every field under a comment that says what it is: the CIT rate's label, range and default.
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = t.lines().collect();
    let at = lines.iter().position(|l| l.trim_start().starts_with("cit_rate:")).expect("a cit_rate line");
    let above: Vec<&str> = lines[..at].iter().rev().take_while(|l| l.trim_start().starts_with("//")).map(|l| l.trim_start()).collect();
    let comment = above.iter().rev().map(|l| l.trim_start_matches("// ")).collect::<Vec<_>>().join(" ");
    assert!(comment.ends_with("[rate 0-1, 0.1 = 10%; 0 to 0.5; default 0.2]"), "{comment}");
    assert!(lines.iter().filter(|l| l.trim_start().starts_with("//")).count() > 80, "{t}");
    let dir = tmpdir("template");
    let f = dir.join("t.ron");
    std::fs::write(&f, &o.stdout).unwrap();
    let o = kicsim().args(["validate", f.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
}

/// A folder that takes no files is refused before the run, not after it (/proc takes no new files,
/// even for root).
#[cfg(target_os = "linux")]
#[test]
fn an_out_folder_that_takes_no_files_is_refused_before_the_run() {
    let o = kicsim().args(["run", "scenarios/baseline.ron", "--replications", "3", "--out", "/proc/kicsim-out"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--out /proc/kicsim-out: cannot write in /proc"), "{err}");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("KPI"), "nothing ran");
}
