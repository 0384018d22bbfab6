//! Which conclusions hold: sensitivity analysis (with shards and merge), calibration with a
//! targets file, and parameter draws in run, compare and breakdown; bad input gets located
//! errors and writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kicsim_status(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(args).output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn kicsim(args: &[&str]) -> (String, String) {
    let (ok, out, err) = kicsim_status(args);
    assert!(ok, "{args:?}: {out}\n{err}");
    (out, err)
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kicsim-sa-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SMALL: [&str; 10] =
    ["--params", "learning_rate,import_cost,lcr_fine", "--sobol-n", "8", "--morris-r", "4", "--replications", "2", "--bootstrap", "100"];

#[test]
fn sensitivity_writes_indices_charts_and_a_report_and_shards_merge_to_the_same_indices() {
    let full = tmpdir("full");
    let mut args = vec!["sensitivity", "scenarios/baseline.ron", "--set", "years=3", "--kpi", "localization_rate,final_year_exports_usd_m"];
    args.extend(SMALL);
    let f = full.to_str().unwrap();
    let (stdout, _) = kicsim(&[&args[..], &["--out", f]].concat());
    assert!(stdout.contains("localization_rate at year 3"), "{stdout}");
    for kpi in ["localization_rate", "final_year_exports_usd_m"] {
        for chart in ["tornado", "morris", "sobol"] {
            assert!(std::fs::metadata(full.join(format!("{chart}_{kpi}.png"))).unwrap().len() > 5_000, "{chart}_{kpi}");
            assert!(full.join(format!("{chart}_{kpi}.svg")).exists());
        }
    }
    let indices = read(&full.join("indices.csv"));
    assert!(indices.starts_with("# kicsim ") && indices.contains("hash="), "run record first");
    for needle in [
        "sobol,localization_rate,3,model.learning_rate,ST,",
        "sobol,localization_rate,3,dummy,ST,",
        "morris,final_year_exports_usd_m,3,dummy,mu_star,",
        "oat,localization_rate,3,model.import_cost,high_effect,",
        "sobol_convergence,localization_rate,3,model.import_cost,ST,",
    ] {
        assert!(indices.contains(needle), "{needle}");
    }
    // The lcr_fine does nothing without a local-content rule: its indices are zero, exactly.
    assert!(indices.contains("sobol,localization_rate,3,model.lcr_fine,ST,0,0,0,8"), "{indices}");
    let md = read(&full.join("report.md"));
    assert!(md.contains("## Findings") && md.contains("noise floor") && md.contains("Convergence") && md.contains("kicsim"), "{md}");
    let html = read(&full.join("report.html"));
    assert!(html.contains("<svg") && !html.contains("<script src"), "self-contained");
    let json: serde_json::Value = serde_json::from_str(&read(&full.join("report.json"))).unwrap();
    assert_eq!(json["runs"], 2 * (9 + 4 * 5 + 8 * 6), "tornado 1 + 2 (k + 1), Morris r (k + 2), Sobol' N (k + 3), 2 replications each");

    // Two shards run half the design each; merge gives the same indices.
    let shards = tmpdir("shards");
    let s = shards.to_str().unwrap();
    for i in ["1/2", "2/2"] {
        kicsim(&[&args[..], &["--shard", i, "--out", s]].concat());
    }
    assert!(shards.join("sensitivity-shard-1-of-2.csv").exists() && !shards.join("report.html").exists());
    let merged = tmpdir("merged");
    let (stdout, _) = kicsim(&["merge", s, "--out", merged.to_str().unwrap()]);
    assert!(stdout.contains("merged 2 shards"), "{stdout}");
    assert_eq!(read(&merged.join("indices.csv")), indices, "sharded and whole runs agree exactly");
    // A tampered shard is refused, the row and the field named, and nothing is written.
    let shard2 = read(&shards.join("sensitivity-shard-2-of-2.csv"));
    let n_fields = shard2.lines().nth(2).unwrap().split(',').count();
    for (field, value, says) in [
        (n_fields - 1, "NaN", "is not a finite result"),
        (n_fields - 1, "1e308", "is not a finite result"),
        (0, "100000", "is not a row of the design"),
        (3, "7", "is not one of the analysis' 2"),
        (4, "0.123456", "but row"),
        (2, "42", "seed_key is 42"),
    ] {
        let tampered = tmpdir("tampered");
        std::fs::create_dir_all(&tampered).unwrap();
        std::fs::copy(shards.join("sensitivity-shard-1-of-2.csv"), tampered.join("sensitivity-shard-1-of-2.csv")).unwrap();
        let lines: Vec<String> = shard2
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i != 3 {
                    return l.to_string();
                }
                let mut f: Vec<&str> = l.split(',').collect();
                f[field] = value;
                f.join(",")
            })
            .collect();
        std::fs::write(tampered.join("sensitivity-shard-2-of-2.csv"), lines.join("\n") + "\n").unwrap();
        let out = tmpdir("tampered-out");
        let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
            .args(["merge", tampered.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{value} in field {field}: {err}");
        assert!(err.contains("sensitivity-shard-2-of-2.csv: line 4: ") && err.contains(says), "{value} in field {field}: {err}");
        assert!(!out.exists(), "nothing written");
        std::fs::remove_dir_all(tampered).unwrap();
    }
    // A missing shard is named.
    std::fs::remove_file(shards.join("sensitivity-shard-2-of-2.csv")).unwrap();
    let (ok, _, err) =
        kicsim_status(&["merge", shards.join("sensitivity-shard-1-of-2.csv").to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert!(!ok && err.contains("missing shard(s) [2] of 2"), "{err}");
    for d in [full, shards, merged] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn sensitivity_over_time_gives_every_year() {
    let out = tmpdir("time");
    let o = out.to_str().unwrap();
    kicsim(
        &[&["sensitivity", "scenarios/baseline.ron", "--set", "years=3", "--year", "all", "--method", "sobol"][..], &SMALL, &["--out", o]]
            .concat(),
    );
    let indices = read(&out.join("indices.csv"));
    for y in 1..=3 {
        assert!(indices.contains(&format!("sobol,localization_rate,{y},model.import_cost,ST,")), "year {y}");
    }
    assert!(!indices.contains("morris,") && !indices.contains("oat,"));
    assert!(out.join("over_time_localization_rate.png").exists());
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn bad_sensitivity_options_are_refused_before_running_and_write_nothing() {
    let out = tmpdir("bad");
    let o = out.to_str().unwrap();
    let (ok, _, err) = kicsim_status(&[
        "sensitivity",
        "scenarios/baseline.ron",
        "--params",
        "learnig_rate,import_cost=1.2..1.1",
        "--kpi",
        "localisation",
        "--year",
        "11",
        "--sobol-n",
        "100",
        "--out",
        o,
    ]);
    assert!(!ok);
    for needle in [
        "unknown parameter `model.learnig_rate`",
        "import_cost=1.2..1.1: the range 1.2..1.1 of model.import_cost is empty",
        "--kpi localisation: unknown KPI",
        "--year 11",
        "--sobol-n 100: a power of two",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    assert!(!out.exists(), "nothing written");
    // A scenario error is located as everywhere else.
    let (ok, _, err) = kicsim_status(&["sensitivity", "tests/bad/out_of_range.ron", "--out", o]);
    assert!(!ok && err.contains("tests/bad/out_of_range.ron:"), "{err}");
}

fn write_targets(dir: &Path, body: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("targets.ron");
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn a_targets_file_with_errors_is_refused_at_file_line_col() {
    let dir = tmpdir("targets-bad");
    let root = std::env::current_dir().unwrap();
    let body = format!(
        "(\n    targets: [\n        (name: \"a\", scenario: \"{}/scenarios/baseline.ron\", kpi: \"localisation_rate\", interval: (0.3, 0.4)),\n    ],\n)\n",
        root.display()
    );
    let t = write_targets(&dir, &body);
    let out = dir.join("out");
    let (ok, _, err) =
        kicsim_status(&["calibrate", "scenarios/baseline.ron", "--targets", t.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains(&format!("error: {}:3:", t.display())) && err.contains("unknown KPI `localisation_rate`"), "{err}");
    assert!(err.contains("^"), "the line is shown with a caret: {err}");
    assert!(!out.exists());
    let t = write_targets(&dir, "(targets: [(name: \"a\" scenario: \"x.ron\")])");
    let (ok, _, err) =
        kicsim_status(&["calibrate", "scenarios/baseline.ron", "--targets", t.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!ok && err.contains(&format!("error: {}:1:", t.display())), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn calibration_writes_a_posterior_that_parameter_draws_read() {
    let dir = tmpdir("calib");
    let root = std::env::current_dir().unwrap();
    let body = format!(
        "// Synthetic check targets.\n(targets: [\n  (name: \"localization, year 3\", scenario: \"{r}/scenarios/baseline.ron\", set: [\"years=3\"], kpi: \"localization_rate\", year: 3, value: 0.1, sd: 0.01),\n  (name: \"exports, year 3\", scenario: \"{r}/scenarios/baseline.ron\", set: [\"years=3\"], kpi: \"final_year_exports_usd_m\", interval: (2000, 3000)),\n])\n",
        r = root.display()
    );
    let t = write_targets(&dir, &body);
    let out = dir.join("calib");
    let (stdout, _) = kicsim(&[
        "calibrate",
        "scenarios/baseline.ron",
        "--targets",
        t.to_str().unwrap(),
        "--params",
        "import_cost,lcr_fine",
        "--method",
        "rejection",
        "--particles",
        "30",
        "--simulations",
        "300",
        "--replications",
        "2",
        "--synthetic",
        "import_cost=1.08",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("synthetic:") && stdout.contains("accepted share"), "{stdout}");
    let post = read(&out.join("posterior.csv"));
    assert!(
        post.starts_with("# kicsim ")
            && post.lines().nth(2).unwrap().starts_with("sample,weight,distance,model.import_cost,model.lcr_fine")
    );
    assert_eq!(post.lines().count(), 3 + 30);
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("calibration.json"))).unwrap();
    assert_eq!(json["recovery"]["parameters"].as_array().unwrap().len(), 2);
    let fine = json["parameters"].as_array().unwrap().iter().find(|p| p["parameter"] == "model.lcr_fine").unwrap();
    assert_eq!(fine["verdict"], "not constrained by the targets", "{fine}");
    for p in ["import_cost", "lcr_fine"] {
        assert!(out.join(format!("posterior_{p}.png")).exists());
    }
    let md = read(&out.join("report.md"));
    assert!(md.contains("Identifiability") && md.contains("Not constrained"), "{md}");

    // The posterior feeds parameter draws of a run.
    let run_out = dir.join("run");
    let (stdout, _) = kicsim(&[
        "run",
        "scenarios/baseline.ron",
        "--years",
        "3",
        "--parameter-draws",
        "6",
        "--posterior",
        out.join("posterior.csv").to_str().unwrap(),
        "--params",
        "learning_rate",
        "--out",
        run_out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("with parameter uncertainty"), "{stdout}");
    let draws = read(&run_out.join("draws.csv"));
    assert!(
        draws
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("draw,replication,seed,model.import_cost,model.lcr_fine,model.learning_rate,localization_rate"),
        "{draws}"
    );
    assert_eq!(draws.lines().count(), 3 + 6);
    let summary: serde_json::Value = serde_json::from_str(&read(&run_out.join("summary.json"))).unwrap();
    let pu = &summary["parameter_uncertainty"]["final"]["localization_rate"];
    assert!(
        pu["low95"].as_f64().unwrap() <= pu["mean"].as_f64().unwrap() && pu["mean"].as_f64().unwrap() <= pu["high95"].as_f64().unwrap(),
        "{pu}"
    );
    assert!(summary["parameter_uncertainty"]["method"].as_str().unwrap().contains("posterior"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn compare_and_breakdown_append_a_parameter_uncertainty_section() {
    let out = tmpdir("cmp");
    let o = out.to_str().unwrap();
    kicsim(&[
        "compare",
        "scenarios/no_incentives.ron",
        "scenarios/capability_plus_lcr.ron",
        "--years",
        "4",
        "--replications",
        "2",
        "--parameter-draws",
        "12",
        "--out",
        o,
    ]);
    let md = read(&out.join("report.md"));
    let section = md.split_once("## Parameter uncertainty").expect("the section is appended").1;
    assert!(section.contains("Latin hypercube of 12 draws") && section.contains("draws with this sign"), "{section}");
    assert!(section.contains("robust") || section.contains("depends on assumptions"));
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    let diffs = json["parameter_uncertainty"]["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 6, "one scenario against the first, six KPIs");
    let loc = diffs.iter().find(|d| d["kpi"] == "localization_rate").unwrap();
    assert_eq!(loc["verdict"], "robust", "a full capability programme raises localization whatever the parameters: {loc}");
    assert!(read(&out.join("report.html")).contains("<h2>Parameter uncertainty</h2>"));

    let b = tmpdir("bd");
    kicsim(&["breakdown", "scenarios/baseline.ron", "--replications", "2", "--parameter-draws", "8", "--out", b.to_str().unwrap()]);
    let md = read(&b.join("report.md"));
    assert!(
        md.contains("contribution of each incentive (all incentives minus that one switched off)")
            && md.contains("which incentive buys localization more cheaply"),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&read(&b.join("report.json"))).unwrap();
    assert!(!json["parameter_uncertainty"]["cost_effectiveness_ranking"]["pairs"].as_array().unwrap().is_empty());
    // Options of the draws without draws are refused.
    let (ok, _, err) =
        kicsim_status(&["compare", "scenarios/baseline.ron", "scenarios/baseline.ron", "--params", "learning_rate", "--out", o]);
    assert!(!ok && err.contains("--parameter-draws"), "{err}");
    std::fs::remove_dir_all(out).unwrap();
    std::fs::remove_dir_all(b).unwrap();
}
