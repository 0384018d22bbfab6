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

mod common;
use common::Tmp;

/// `name` is not made: a command makes its --out, and a refused one must not.
fn tmpdir(name: &str) -> Tmp {
    common::tmp_path("kicsim-ws-", name)
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
/// Team plans that differ only in their public spending are priced against one reference (the
/// plan without public spending), so each plan's value for money is the same whichever file is
/// named first.
#[test]
fn value_for_money_does_not_depend_on_the_order_of_the_files() {
    let dir = tmpdir("order");
    std::fs::create_dir_all(&dir).unwrap();
    let base = std::fs::read_to_string("scenarios/baseline.ron").unwrap();
    let team = base
        .replace("name: \"Baseline (typical incentives)\"", "name: \"Team B\"")
        .replace("training_subsidy_usd_per_trainee: 0.0", "training_subsidy_usd_per_trainee: 1500.0");
    let team =
        team.replacen("training_centres: [", "rd_centres: [(name: \"Lab\", site: (x_km: 16.5, y_km: 12.5))],\n    training_centres: [", 1);
    std::fs::write(dir.join("b.ron"), &team).unwrap();
    let b = dir.join("b.ron");
    let value_lines = |first: &str, second: &str| -> Vec<String> {
        let out = dir.join(format!("out-{}", first.len()));
        let (stdout, _) = kicsim(&["compare", first, second, "--replications", "4", "--out", out.to_str().unwrap()]);
        let at = stdout.lines().position(|l| l.starts_with("Extra fiscal cost per extra localization point")).expect(&stdout);
        let head = stdout.lines().nth(at).unwrap().to_string();
        assert!(head.contains("without public spending") && head.contains("the same for all"), "{head}");
        let mut rows: Vec<String> =
            stdout.lines().skip(at + 1).take(2).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        rows.sort();
        rows
    };
    let ab = value_lines("scenarios/baseline.ron", b.to_str().unwrap());
    let ba = value_lines(b.to_str().unwrap(), "scenarios/baseline.ron");
    assert_eq!(ab, ba, "each plan's value is the same in either order");
}

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
    for name in ["credit interest subsidy", "R&D cost deduction", "training subsidy", "export promotion", "CIT holiday and reduced rate"] {
        assert!(stdout.contains(name), "{name} missing: {stdout}");
    }
    assert!(out.join("breakdown_localization.png").exists() && out.join("breakdown_fiscal.svg").exists());
    // The fiscal chart has a bar for what no single item accounts for, so its bars sum to the cost.
    let fiscal = std::fs::read_to_string(out.join("breakdown_fiscal.svg")).unwrap();
    assert!(fiscal.contains("interactions and the rest"), "{fiscal}");
    assert!(!std::fs::read_to_string(out.join("breakdown_localization.svg")).unwrap().contains("interactions"));
    let j: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("breakdown.json")).unwrap()).unwrap();
    assert_eq!(j["run"]["scenario_file"], "scenarios/rd_training_cluster.ron");
    assert!(j["run"]["scenario_hash"].as_str().is_some_and(|h| h.len() == 16));
    let export = j["contributions"].as_array().unwrap().iter().find(|r| r["item"] == "export promotion").unwrap();
    assert!(export["final_year_exports_usd_m"]["mean"].as_f64().unwrap() > 0.0, "export promotion raises exports per year");
    // Public facilities are budget items too, and the rows add up to the plan's fiscal cost.
    let items = j["contributions"].as_array().unwrap();
    assert!(items.iter().any(|r| r["item"] == "R&D centres (public budget)"), "{items:?}");
    let sum: f64 = items.iter().map(|r| r["cumulative_fiscal_cost_usd_m"]["mean"].as_f64().unwrap()).sum::<f64>()
        + j["fiscal_cost_interactions"]["mean"].as_f64().unwrap();
    let total = j["fiscal_cost_total"]["mean"].as_f64().unwrap();
    assert!((sum - total).abs() < 1e-6 * total.abs().max(1.0), "rows {sum} vs the plan's {total}");
    // The terminal says what each item adds, in the verdict's words, not "without X: -5.8 pp".
    assert!(stdout.contains("credit interest subsidy") && stdout.contains(" adds "), "{stdout}");
    assert!(!stdout.contains("without credit interest subsidy"), "{stdout}");
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

    // Shards named one by one, one left out: the grid in their run record says rows are missing.
    let some: Vec<String> = ["1", "3"]
        .iter()
        .map(|i| {
            let renamed = shards.join(format!("part-{i}.csv"));
            std::fs::copy(shards.join(format!("results-shard-{i}-of-3.csv")), &renamed).unwrap();
            renamed.display().to_string()
        })
        .collect();
    let o =
        Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["merge", &some[0], &some[1], "--out", merged.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("the sweep has 6 grid points x 2 replications = 12 rows, but the files hold 8"), "{err}");
    assert!(merged.join("report.md").exists(), "the full merge wrote its report");

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

/// A scenario file like the baseline under another name.
fn renamed_baseline(dir: &Path, file: &str, name: &str) -> PathBuf {
    let text = std::fs::read_to_string("scenarios/baseline.ron").unwrap();
    let old = "name: \"Baseline (typical incentives)\"";
    assert!(text.contains(old));
    let ron_name = name.replace('\\', "\\\\").replace('"', "\\\"");
    let path = dir.join(file);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, text.replace(old, &format!("name: \"{ron_name}\""))).unwrap();
    path
}

/// HTML text back to the characters it shows.
fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#x27;", "'").replace("&#x2f;", "/").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// A Markdown table cell back to its text.
fn md_unescape(s: &str) -> String {
    s.replace("\\|", "|").replace("\\*", "*").replace("\\`", "`").replace("&lt;", "<").replace("\\\\", "\\")
}

/// The run record on a CSV file's first line, and how many comment lines the file has.
fn csv_record(path: &Path) -> (serde_json::Value, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next().unwrap();
    let json = first.strip_prefix("# kicsim run record ").unwrap_or_else(|| panic!("{}: {first}", path.display()));
    (serde_json::from_str(json).unwrap(), text.lines().filter(|l| l.starts_with('#')).count())
}

/// A scenario name with a comma, quotes, a `|` and markup is the same name in every output: the
/// CSV files' run records, Markdown tables, HTML, JSON; a varied value with commas survives the
/// CSV round trip.
#[test]
fn names_with_commas_quotes_bars_and_markup_survive_every_output() {
    let name = r#"Team "A", B | C <i>x</i> & co *1*"#;
    let dir = tmpdir("names");
    let file = renamed_baseline(&dir, "team a, b.ron", name);
    let file = file.to_str().unwrap();

    let cmp = dir.join("compare");
    kicsim(&["compare", file, "scenarios/strong_lcr.ron", "--replications", "2", "--years", "3", "--out", cmp.to_str().unwrap()]);
    let md = std::fs::read_to_string(cmp.join("report.md")).unwrap();
    let header = md.lines().find(|l| l.starts_with("| KPI (final value) |")).expect("the results table");
    let cells: Vec<String> = header.split(" | ").map(|c| md_unescape(c.trim_matches(|c| c == '|' || c == ' '))).collect();
    assert_eq!(cells.len(), 3, "a `|` in the name does not split its column: {header}");
    assert_eq!(cells[1], name, "{header}");
    let html = std::fs::read_to_string(cmp.join("report.html")).unwrap();
    assert!(!html.contains("<i>x</i>"), "the name is text, not markup");
    let ths: Vec<String> = html.split("<th>").skip(1).map(|s| html_unescape(&s[..s.find("</th>").unwrap()])).collect();
    assert!(ths.iter().any(|t| t == name), "{ths:?}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(cmp.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["runs"][0]["scenario"], name);
    assert_eq!(json["runs"][0]["scenario_file"], file);

    let run = dir.join("run");
    kicsim(&["run", file, "--years", "1", "--set", "incentives.cit_rate=0.15", "--out", run.to_str().unwrap()]);
    let (record, comments) = csv_record(&run.join("timeseries.csv"));
    assert_eq!((record["scenario"].as_str(), record["scenario_file"].as_str(), comments), (Some(name), Some(file), 1));
    assert_eq!(record["overrides"], serde_json::json!(["incentives.cit_rate=0.15"]), "the record lists the --set overrides");

    let sweep = dir.join("sweep");
    kicsim(&[
        "sweep",
        file,
        "--years",
        "2",
        "--vary",
        "incentives.local_content=[],[(1,0.2),(2,0.3)]",
        "--replications",
        "2",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    let results = sweep.join("results.csv");
    let (record, comments) = csv_record(&results);
    assert_eq!((record["scenario"].as_str(), comments), (Some(name), 1), "one comment line, the run record");
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_path(&results).unwrap();
    let values: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_string()).collect();
    assert_eq!(values, ["[]", "[]", "[(1,0.2),(2,0.3)]", "[(1,0.2),(2,0.3)]"]);
    let md = std::fs::read_to_string(sweep.join("report.md")).unwrap();
    assert_eq!(md_unescape(md.lines().next().unwrap()), format!("# Parameter sweep: {name}"));
    let html = std::fs::read_to_string(sweep.join("report.html")).unwrap();
    assert!(html_unescape(&html).contains(&format!("<h1>Parameter sweep: {name}</h1>")) && !html.contains("<i>x</i>"));
}

/// compare's report opens with a verdict in plain words, then the table, the scenarios'
/// descriptions and the inputs that differ, named by the registry; the intervals are explained.
#[test]
fn compare_report_opens_with_a_verdict_and_says_what_differs() {
    let out = tmpdir("verdict");
    kicsim(&[
        "compare",
        "scenarios/baseline.ron",
        "scenarios/capability_plus_lcr.ron",
        "--replications",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let at = |s: &str| md.find(s).unwrap_or_else(|| panic!("no {s:?} in {md}"));
    assert!(
        at("## In short") < at("## Results")
            && at("## Results") < at("## The scenarios")
            && at("## The scenarios") < at("## Inputs that differ")
    );
    let verdict = &md[at("## In short")..at("## Results")];
    for words in [
        "gives the most localization (",
        "gives the most exports per year (",
        "Value for money is each plan's extra fiscal cost per extra localization point against ",
        "against Baseline (typical incentives): clearly higher localization (+",
    ] {
        assert!(verdict.contains(words), "{words}: {verdict}");
    }
    assert!(md.contains("19 times out of 20"), "the CI explained in a sentence");
    // The capability programme's own inputs, by the registry's labels.
    let inputs = &md[at("## Inputs that differ")..];
    assert!(
        inputs.contains("| Interest subsidy on supplier loans (percentage points) | incentives.credit_interest_subsidy_pp | 0 | 4 |"),
        "{inputs}"
    );
    assert!(inputs.contains("| Number of R&D centres | rd_centres (count) | 0 | 1 |"), "{inputs}");
    // A share as people read it, in %, as the window's sliders show it (the file holds 0.5 and 1).
    assert!(
        inputs.contains("| R&D cost deduction (extra % of R&D spending deducted) | incentives.rd_deduction | 50% | 100% |"),
        "{inputs}"
    );
    assert!(md.contains("FDI electronics anchor"), "the description of the baseline");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["verdict"].as_array().unwrap().len(), verdict.lines().filter(|l| l.starts_with("- ")).count());
    // Fits a 1024 px page: the tables wrap in the page's width, the charts scale down.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("table-layout:fixed") && html.contains("overflow-wrap:anywhere") && html.contains("svg{max-width:100%"));
}

/// sweep takes --years and --set as run does, records them, and writes report.md and
/// report.html beside its results; a bad --set is refused before anything runs.
#[test]
fn sweep_takes_years_and_set_and_writes_a_report() {
    let out = tmpdir("sweep-report");
    let (stdout, stderr) = kicsim(&[
        "sweep",
        "scenarios/baseline.ron",
        "--years",
        "3",
        "--set",
        "incentives.cit_rate=0.15",
        "--vary",
        "incentives.credit_interest_subsidy_pp=0,4",
        "--vary",
        "incentives.training_subsidy_usd_per_trainee=0,1500",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in ["results.csv", "report.md", "report.html", "heatmap_localization_rate.png", "heatmap_localization_rate.svg"] {
        assert!(out.join(f).exists(), "{f}: {stdout}");
    }
    // stderr is a pipe here, not a terminal: lines of words as the runs finish, never a bar.
    let progress: Vec<&str> = stderr.lines().filter(|l| l.starts_with("progress: ")).collect();
    assert!(!progress.is_empty() && progress.len() <= 11, "{stderr}");
    assert!(progress.last().unwrap().starts_with("progress: 12 of 12 runs done (100%"), "{stderr}");
    assert!(!stderr.contains("[#") && !stderr.contains("#>") && !stderr.contains("\r"), "no bar in a log: {stderr}");
    let (record, _) = csv_record(&out.join("results.csv"));
    assert_eq!(record["years"], 3);
    assert_eq!(record["overrides"], serde_json::json!(["incentives.cit_rate=0.15"]));
    assert_eq!(
        record["vary"],
        serde_json::json!(["incentives.credit_interest_subsidy_pp=0,4", "incentives.training_subsidy_usd_per_trainee=0,1500"])
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## In short") && md.contains("The highest localization is at "), "{md}");
    assert!(md.contains("Interest subsidy on supplier loans, percentage points (incentives.credit_interest_subsidy_pp)"), "{md}");
    assert!(md.contains("| best |") && md.contains("--set incentives.cit_rate=0.15"), "{md}");
    assert_eq!(md.matches("| 0 | 0 |").count() + md.matches("| 4 | 1500 |").count(), 2, "a row per grid point: {md}");

    let bad = tmpdir("sweep-bad-set");
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .args(["sweep", "scenarios/baseline.ron", "--set", "incentives.cit_rate=2", "--vary", "years=2,3", "--out", bad.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("incentives.cit_rate") && err.contains("out of range") && !err.contains("sweep:"),
        "refused before running: {err}"
    );
    assert!(!bad.exists());
}

fn refused(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A grid too big to run is refused before it is built; merge refuses rows that are not the
/// grid's (a point outside it, values not its own) and results that are not finite (issue 29).
#[test]
fn a_huge_grid_and_tampered_shards_are_refused() {
    let values = "0,1,2,3,4,5,6,7,8,0.5";
    let paths = [
        "cit_rate",
        "cit_holiday_years",
        "land_rent_exemption",
        "land_rent_exemption_years",
        "rd_deduction",
        "training_subsidy_usd_per_trainee",
        "export_promotion_usd_m_per_year",
    ];
    let mut args = vec!["sweep".to_string(), "scenarios/baseline.ron".into()];
    for p in paths {
        args.extend(["--vary".to_string(), format!("incentives.{p}={values}")]);
    }
    let out = tmpdir("huge");
    args.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
    let err = refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains("more than 1000000 points"), "{err}");
    assert!(!out.exists(), "nothing written");

    let dir = tmpdir("tamper");
    let d = dir.to_str().unwrap();
    for shard in ["1/2", "2/2"] {
        kicsim(&[
            "sweep",
            "scenarios/baseline.ron",
            "--vary",
            "incentives.cit_rate=0.1,0.2",
            "--replications",
            "2",
            "--shard",
            shard,
            "--out",
            d,
        ]);
    }
    let file = dir.join("results-shard-1-of-2.csv");
    let good = std::fs::read_to_string(&file).unwrap();
    let merged = tmpdir("tamper-out");
    let m = merged.to_str().unwrap();
    kicsim(&["merge", d, "--out", m]);
    // The third line is the first row: point, cit_rate, replication, results.
    let row = good.lines().nth(2).unwrap().to_string();
    let cells: Vec<&str> = row.split(',').collect();
    let with = |f: &dyn Fn(&mut Vec<String>)| {
        let mut c: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        f(&mut c);
        good.replacen(&row, &c.join(","), 1)
    };
    let cases: [(&str, &dyn Fn(&mut Vec<String>)); 4] = [
        ("not a finite result", &|c| *c.last_mut().unwrap() = "NaN".into()),
        ("not a finite result", &|c| *c.last_mut().unwrap() = "1e308".into()),
        ("not a point of the grid", &|c| c[0] = "7".into()),
        ("but grid point", &|c| c[1] = "0.15".into()),
    ];
    for (want, f) in cases {
        std::fs::write(&file, with(f)).unwrap();
        let err = refused(&["merge", d, "--out", tmpdir("tamper-no").to_str().unwrap()]);
        assert!(err.contains(want), "{want}: {err}");
    }
}
