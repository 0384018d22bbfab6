//! Workshop tools: compare (common random numbers, paired CIs, self-contained report),
//! breakdown, sweep with shards and merge.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kicsim(args: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(args).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{args:?}: {out}\n{err}");
    (out, err)
}

/// A folder for one test's outputs, `name` inside a temporary folder that is removed when the
/// test ends (tempfile).
struct Tmp {
    _root: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for Tmp {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Tmp {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// `name` is not made: a command makes its --out, and a refused one must not.
fn tmpdir(name: &str) -> Tmp {
    let root = tempfile::Builder::new().prefix("kicsim-ws-").tempdir().unwrap();
    Tmp { path: root.path().join(name), _root: root }
}

#[test]
fn compare_writes_a_self_contained_report() {
    let out = tmpdir("compare");
    let (stdout, _) =
        kicsim(&["compare", "scenarios/baseline.ron", "scenarios/strong_lcr.ron", "--replications", "3", "--out", out.to_str().unwrap()]);
    assert!(stdout.contains("Localization (%)") && stdout.contains("Δ") && stdout.contains(" pp"), "{stdout}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Localization (%)"));
    assert!(!html.contains("src=\"http") && !html.contains("<script src") && !html.contains("<link"), "opens offline");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| Localization (%) |") && md.contains("Run records"), "{md}");
    for kpi in ["localization_rate", "exports_usd_m", "tier1_suppliers", "cumulative_fiscal_cost_usd_m"] {
        assert!(std::fs::metadata(out.join(format!("{kpi}.png"))).unwrap().len() > 5_000);
        assert!(out.join(format!("{kpi}.svg")).exists());
    }
    // Run records carry seed, version and scenario hash.
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["seed"], runs[1]["seed"], "common random numbers");
    assert_ne!(runs[0]["scenario_hash"], runs[1]["scenario_hash"]);
    // The paired difference of a scenario with itself is exactly zero.
    let same = tmpdir("compare-same");
    kicsim(&["compare", "scenarios/baseline.ron", "scenarios/baseline.ron", "--replications", "3", "--out", same.to_str().unwrap()]);
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(same.join("report.json")).unwrap()).unwrap();
    let d = &j["table"][0]["values"][1]["difference_to_first"];
    assert_eq!(d["mean"].as_f64().unwrap(), 0.0);
    assert_eq!(d["ci95_high"].as_f64().unwrap(), 0.0);
}

/// A compare whose outputs cannot all be written (here a folder stands where one chart goes)
/// fails with the reason and leaves the previous report and charts as they were: no report beside
/// charts of another run, and no temporary files.
#[test]
fn a_compare_that_cannot_write_every_output_leaves_the_previous_ones_as_they_were() {
    let out = tmpdir("compare-kept");
    let dir = out.to_str().unwrap();
    kicsim(&["compare", "scenarios/baseline.ron", "scenarios/strong_lcr.ron", "--replications", "2", "--out", dir]);
    std::fs::remove_file(out.join("tier1_suppliers.svg")).unwrap();
    std::fs::create_dir(out.join("tier1_suppliers.svg")).unwrap();
    let contents = || {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let before = contents();
    assert_eq!(before.len(), 12, "report.md, .html, .json and 4 PNG + 4 SVG charts but the one replaced by a folder");
    // Three replications: every chart and report would differ from the two-replication ones.
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .args(["compare", "scenarios/baseline.ron", "scenarios/strong_lcr.ron", "--replications", "3", "--out", dir])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("tier1_suppliers.svg") && err.contains("is a folder"), "{err}");
    assert!(contents() == before, "the previous outputs changed: {:?}", contents().iter().map(|f| &f.0).collect::<Vec<_>>());
    std::fs::remove_dir_all(&out).ok();
}

/// Teams' files with different horizons: compare says their final values are at different
/// dates (on stderr and in the report); --years N runs every file for N years.
#[test]
fn compare_notes_different_horizons_and_years_puts_every_file_on_one() {
    let out = tmpdir("compare-years");
    std::fs::create_dir_all(&out).unwrap();
    let short = out.join("short.ron");
    let text = std::fs::read_to_string("scenarios/baseline.ron").unwrap();
    assert!(text.contains("years: 10,"));
    std::fs::write(&short, text.replace("years: 10,", "years: 5,")).unwrap();
    let (short, dir) = (short.to_str().unwrap(), out.join("report").to_str().unwrap().to_string());
    let (_, err) = kicsim(&["compare", "scenarios/baseline.ron", short, "--replications", "2", "--out", &dir]);
    assert!(err.contains("different horizons") && err.contains("10 years") && err.contains("5 years"), "{err}");
    let md = std::fs::read_to_string(out.join("report/report.md")).unwrap();
    assert!(md.contains("## Note") && md.contains("different horizons"), "{md}");
    // On one horizon the two files are the same plan: no note, and every difference is zero.
    let (_, err) = kicsim(&["compare", "scenarios/baseline.ron", short, "--replications", "2", "--years", "7", "--out", &dir]);
    assert!(!err.contains("different horizons"), "{err}");
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report/report.json")).unwrap()).unwrap();
    assert!(j["runs"].as_array().unwrap().iter().all(|r| r["years"] == 7), "{}", j["runs"]);
    assert_eq!(j["table"][0]["values"][1]["difference_to_first"]["mean"].as_f64().unwrap(), 0.0);
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn breakdown_lists_each_incentive() {
    let out = tmpdir("breakdown");
    let (stdout, _) = kicsim(&["breakdown", "scenarios/rd_training_cluster.ron", "--replications", "2", "--out", out.to_str().unwrap()]);
    for name in ["credit_interest_subsidy_pp", "rd_deduction", "training_subsidy_usd_per_trainee", "export_promotion_usd_m_per_year"] {
        assert!(stdout.contains(name), "{name} missing: {stdout}");
    }
    assert!(out.join("breakdown_localization.png").exists() && out.join("breakdown_fiscal.svg").exists());
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("breakdown.json")).unwrap()).unwrap();
    assert_eq!(j["run"]["scenario_file"], "scenarios/rd_training_cluster.ron");
    assert!(j["run"]["scenario_hash"].as_str().is_some_and(|h| h.len() == 16));
    let export = j["contributions"].as_array().unwrap().iter().find(|r| r["incentive"] == "export_promotion_usd_m_per_year").unwrap();
    assert!(export["final_year_exports_usd_m"]["mean"].as_f64().unwrap() > 0.0, "export promotion raises exports per year");
}

#[test]
fn sharded_sweep_merges_to_the_full_sweep() {
    let full = tmpdir("sweep-full");
    let vary = ["--vary", "incentives.credit_interest_subsidy_pp=0,2,4", "--vary", "incentives.local_content=[],[(2,0.3)]"];
    let mut args = vec!["sweep", "scenarios/baseline.ron", "--replications", "2", "--out", full.to_str().unwrap()];
    args.extend(vary);
    kicsim(&args);
    let results = std::fs::read_to_string(full.join("results.csv")).unwrap();
    let rows: Vec<&str> = results.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows.len(), 1 + 6 * 2, "header + 6 points x 2 replications");
    assert!(rows[0].starts_with("point,incentives.credit_interest_subsidy_pp,incentives.local_content,replication,localization_rate"));
    assert!(full.join("heatmap_localization_rate.png").exists());

    let shards = tmpdir("sweep-shards");
    for i in ["1/3", "2/3", "3/3"] {
        let mut a = vec!["sweep", "scenarios/baseline.ron", "--replications", "2", "--shard", i, "--out", shards.to_str().unwrap()];
        a.extend(vary);
        kicsim(&a);
    }
    let merged = tmpdir("sweep-merged");
    kicsim(&["merge", shards.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(merged.join("results.csv")).unwrap(), results, "merged shards equal the single run");

    // A missing shard is an error, not a silent partial merge.
    std::fs::remove_file(shards.join("results-shard-2-of-3.csv")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .args(["merge", shards.to_str().unwrap(), "--out", merged.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing shard"));

    // A file that is not a sweep result, or a shard given twice: refused, nothing written, no panic.
    let merge_fails = |inputs: &[&std::path::Path], out: &std::path::Path| {
        let mut args = vec!["merge".to_string()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(["--out".to_string(), out.display().to_string()]);
        let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{:?}", String::from_utf8_lossy(&o.stderr));
        assert!(!out.join("results.csv").exists());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let junk = shards.join("junk.csv");
    std::fs::write(
        &junk,
        "replication,a
1,2
",
    )
    .unwrap();
    let err = merge_fails(&[&junk], &tmpdir("merge-junk"));
    assert!(err.contains("not a sweep result file"), "{err}");
    let whole = full.join("results.csv");
    let copy = full.join("copy.csv");
    std::fs::copy(&whole, &copy).unwrap();
    let err = merge_fails(&[&whole, &copy], &tmpdir("merge-copy"));
    assert!(err.contains("appears twice"), "{err}");
}

#[test]
fn sweep_refuses_a_bad_grid_before_running() {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .args(["sweep", "scenarios/baseline.ron", "--vary", "incentives.cit_rate=0.1,0.9", "--out", tmpdir("badgrid").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("incentives.cit_rate=0.9") && err.contains("out of range"), "{err}");
    // One parameter varied twice, a value that is not RON, a value given twice: refused before running, and the
    // message names --vary.
    for (vary, expect) in [
        (vec!["--vary", "years=2,3", "--vary", "years=4"], "already varied"),
        (vec!["--vary", "incentives.cit_rate=abc"], "--vary incentives.cit_rate=abc"),
        (vec!["--vary", "=1,2"], "no parameter"),
        (vec!["--vary", "incentives.cit_rate=0.1,0.2,0.1"], "the value 0.1 is given twice (values 1 and 3)"),
    ] {
        let out = tmpdir("badgrid2");
        let mut args = vec!["sweep", "scenarios/baseline.ron", "--out", out.to_str().unwrap()];
        args.extend(vary);
        let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(expect), "{expect}: {err}");
        assert!(!out.exists(), "nothing is written");
    }
}

#[test]
fn a_one_parameter_sweep_draws_the_kpi_against_the_values() {
    let out = tmpdir("sweep-one");
    kicsim(&[
        "sweep",
        "scenarios/baseline.ron",
        "--vary",
        "incentives.credit_interest_subsidy_pp=0,4",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(csv.lines().filter(|l| !l.starts_with('#')).count(), 1 + 2 * 3);
    // Numbers have an order: a line joins the means, so the series' colour runs from the first
    // value's whisker to the last's.
    let (covered, span) = series_columns(&out.join("sweep_localization_rate.png"));
    assert!(covered * 10 > span * 9, "a line from the first value to the last: {covered} of {span} columns");

    // Names (sectors) have none: whiskers and dots only, apart.
    let out = tmpdir("sweep-sectors");
    kicsim(&[
        "sweep",
        "scenarios/baseline.ron",
        "--vary",
        "anchor.sector=Electronics,Footwear",
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (covered, span) = series_columns(&out.join("sweep_localization_rate.png"));
    assert!(span > 300 && covered * 3 < span, "two whiskers apart, no line: {covered} of {span} columns");
}

/// Of the chart's columns from the first to the last holding the series' colour (blue,
/// RGB 31 119 180), how many hold it, and how many there are.
fn series_columns(path: &std::path::Path) -> (usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG file");
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let n = info.color_type.samples();
    let (w, h) = (info.width as usize, info.height as usize);
    let blue = |x: usize, y: usize| {
        let i = (y * w + x) * n;
        pixels[i].abs_diff(31) < 12 && pixels[i + 1].abs_diff(119) < 12 && pixels[i + 2].abs_diff(180) < 12
    };
    let cols: Vec<usize> = (0..w).filter(|&x| (0..h).any(|y| blue(x, y))).collect();
    assert!(!cols.is_empty(), "{}: no series drawn", path.display());
    (cols.len(), cols[cols.len() - 1] - cols[0] + 1)
}

#[test]
fn compare_tells_copies_apart_and_reports_every_bad_file_before_running() {
    // Two teams that kept the baseline's name: the file names tell them apart.
    let dir = tmpdir("teams");
    std::fs::create_dir_all(&dir).unwrap();
    for team in ["team_a.ron", "team_b.ron"] {
        std::fs::copy("scenarios/baseline.ron", dir.join(team)).unwrap();
    }
    let out = dir.join("out");
    let (a, b) = (dir.join("team_a.ron"), dir.join("team_b.ron"));
    let (stdout, _) = kicsim(&["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--replications", "2", "--out", out.to_str().unwrap()]);
    assert!(stdout.contains("team_a.ron: Baseline") && stdout.contains("team_b.ron: Baseline"), "{stdout}");
    // Two bad files among three: both reported, nothing run, nothing written.
    let bad_out = dir.join("bad-out");
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .args(["compare", "tests/bad/in_water.ron", "scenarios/baseline.ron", "tests/bad/overlap.ron", "--out", bad_out.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("in_water.ron:4:9") && err.contains("overlap.ron:5:21") && err.contains("2 of 3 files invalid"), "{err}");
    assert!(!bad_out.exists());
}

/// Compare and sweep run in parallel (rayon); every output is the same byte for byte with one
/// thread or four.
#[test]
fn workshop_outputs_do_not_depend_on_the_thread_count() {
    let outputs = |threads: &str| {
        let dir = tmpdir(&format!("threads-{threads}"));
        let (cmp, sweep) = (dir.join("compare"), dir.join("sweep"));
        let run = |args: &[&str]| {
            let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).env("RAYON_NUM_THREADS", threads).args(args).output().unwrap();
            assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        };
        run(&["compare", "scenarios/baseline.ron", "scenarios/strong_lcr.ron", "--replications", "4", "--out", cmp.to_str().unwrap()]);
        run(&["sweep", "scenarios/minimal.ron", "--vary", "incentives.cit_rate=0,0.1", "--vary", "incentives.rd_deduction=0,1"]
            .into_iter()
            .chain(["--replications", "2", "--out", sweep.to_str().unwrap()])
            .collect::<Vec<_>>());
        let mut files: Vec<(String, Vec<u8>)> = [&cmp, &sweep]
            .iter()
            .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    };
    let (one, four) = (outputs("1"), outputs("4"));
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"report.md") && names.contains(&"results.csv") && names.contains(&"localization_rate.png"), "{names:?}");
    assert_eq!(names, four.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>());
    for ((name, a), (_, b)) in one.iter().zip(&four) {
        assert!(a == b, "{name} differs between 1 and 4 threads");
    }
}
