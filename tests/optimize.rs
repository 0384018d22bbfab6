//! `kicsim optimize` as a planner uses it, by behaviour (small budgets, short horizons): a lever
//! that only costs ends at zero, an unreachable requirement is said to be one with the closest
//! plan, a higher confidence never buys a cheaper winner, a site search ends near the suppliers
//! on buildable land, the best plan reruns to the reported numbers with `kicsim run`, the same
//! seed gives the same bytes whatever the threads, a resume replays the uninterrupted search,
//! shards merge, Ctrl+C keeps what was found, and bad input is refused before anything is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn kicsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kicsim"))
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Runs `kicsim optimize` with the common small budget and `extra`, into `out`; must succeed.
fn optimize(out: &Path, threads: &str, extra: &[&str]) -> Output {
    let mut args = vec!["optimize", "scenarios/baseline.ron", "--replications", "6", "--confirm-replications", "12"];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    let o = kicsim().env("RAYON_NUM_THREADS", threads).args(&args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {:?}", text(&o));
    o
}

fn report(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

fn best_lever(out: &Path, lever: &str) -> f64 {
    report(out)["optimize"]["best"]["levers"][lever].as_f64().unwrap_or_else(|| panic!("no best value of {lever}"))
}

#[test]
fn a_lever_that_only_costs_money_ends_at_its_zero_bound() {
    let out = common::tmp_path("kicsim-opt-", "zero");
    // Export promotion adds fiscal cost and does nothing for localization, the requirement.
    optimize(
        &out,
        "2",
        &[
            "--levers",
            "incentives.export_promotion_usd_m_per_year",
            "--bound",
            "incentives.export_promotion_usd_m_per_year=0..50",
            "--require",
            "localization_rate@10 >= 0.05",
            "--evaluations",
            "40",
        ],
    );
    assert_eq!(best_lever(&out, "incentives.export_promotion_usd_m_per_year"), 0.0);
    let best = kicsim::scenario::Scenario::load(&out.join("best.ron")).unwrap();
    assert_eq!(best.incentives.export_promotion_usd_m_per_year, 0.0, "best.ron holds the winner");
    for f in ["candidates.csv", "progress.png", "progress.svg", "report.html", "report.md", "checkpoint.json"] {
        assert!(out.join(f).is_file(), "{f} written");
    }
}

#[test]
fn an_unreachable_requirement_is_reported_with_the_closest_plan() {
    let out = common::tmp_path("kicsim-opt-", "unreachable");
    let o = optimize(
        &out,
        "2",
        &[
            "--levers",
            "incentives.training_subsidy_usd_per_trainee,incentives.rd_deduction",
            "--require",
            "localization_rate@10 >= 0.95",
            "--evaluations",
            "30",
        ],
    );
    let (stdout, _) = text(&o);
    assert!(stdout.contains("requirement not reached"), "{stdout}");
    let r = report(&out);
    assert_eq!(r["optimize"]["reached"], false);
    assert!(r["optimize"]["best"].is_null());
    assert!(!r["optimize"]["confirmed"].as_array().unwrap().is_empty(), "the closest plans are shown");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("not reachable") && md.contains("The closest plans") && md.contains("reaches"), "{md}");
    assert!(!out.join("best.ron").exists() && out.join("closest.ron").is_file(), "the closest plan is a file, not called best");
    kicsim::scenario::Scenario::load(&out.join("closest.ron")).unwrap();
}

#[test]
fn a_higher_confidence_never_lowers_the_winners_cost() {
    let cost = |conf: &str| {
        let out = common::tmp_path("kicsim-opt-", &format!("conf-{conf}"));
        let levers = "incentives.land_rent_exemption,incentives.training_subsidy_usd_per_trainee,incentives.credit_interest_subsidy_pp";
        optimize(
            &out,
            "2",
            &[
                "--levers",
                levers,
                "--bound",
                "incentives.training_subsidy_usd_per_trainee=0..3000",
                "--require",
                "localization_rate@10 >= 0.32",
                "--confidence",
                conf,
                "--evaluations",
                "60",
            ],
        );
        let r = report(&out);
        assert_eq!(r["optimize"]["reached"], true, "confidence {conf}: {r}");
        r["optimize"]["best"]["objectives"]["cumulative_fiscal_cost_usd_m@10"]["mean"].as_f64().unwrap()
    };
    let (low, high) = (cost("0.5"), cost("0.9"));
    assert!(high >= low - 1e-9, "confidence 0.9 costs {high}, 0.5 costs {low}");
}

#[test]
fn a_site_search_for_an_rd_centre_ends_near_the_suppliers_on_buildable_land() {
    let out = common::tmp_path("kicsim-opt-", "site");
    let args = [
        "optimize",
        "scenarios/rd_training_cluster.ron",
        "--set",
        "rd_centres[0].site=(x_km: 2.0, y_km: 28.0)",
        "--move",
        "rd_centres[0]",
        "--maximize",
        "mean_supplier_capability",
        "--years",
        "5",
        "--replications",
        "4",
        "--evaluations",
        "80",
        "--confirm-replications",
        "8",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = kicsim().args(args).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    let best = kicsim::scenario::Scenario::load(&out.join("best.ron")).expect("the moved site passes the window's checks");
    let site = best.rd_centres[0].site;
    let n = best.suppliers.len() as f64;
    let centre = (best.suppliers.iter().map(|s| s.site.x_km).sum::<f64>() / n, best.suppliers.iter().map(|s| s.site.y_km).sum::<f64>() / n);
    let to_centre = ((site.x_km - centre.0).powi(2) + (site.y_km - centre.1).powi(2)).sqrt();
    let size = best.map.size_km;
    let to_edge = site.x_km.min(site.y_km).min(size - site.x_km).min(size - site.y_km);
    assert!(to_centre < 6.0, "the R&D centre at ({}, {}) is {to_centre:.1} km from the suppliers' centre", site.x_km, site.y_km);
    assert!(to_edge > 3.0, "not at the map's edge: {to_edge:.1} km");
    let map = kicsim::sim::map::SiteMap::generate(&best.map);
    assert!(!map.water[map.cell(site)], "not in water");
}

/// The final value of `kpi` in each replication of a `kicsim run` timeseries.csv.
fn finals(dir: &Path, kpi: &str, quarter: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let (q, k) = (h.iter().position(|c| c == "quarter").unwrap(), h.iter().position(|c| c == kpi).unwrap());
    r.records().map(|x| x.unwrap()).filter(|x| &x[q] == quarter).map(|x| x[k].parse().unwrap()).collect()
}

#[test]
fn the_best_plan_rerun_with_kicsim_run_reproduces_the_reported_objective_and_chance() {
    let out = common::tmp_path("kicsim-opt-", "rerun");
    optimize(
        &out,
        "2",
        &[
            "--levers",
            "incentives.land_rent_exemption,incentives.credit_interest_subsidy_pp",
            "--require",
            "localization_rate@10 >= 0.32",
            "--confidence",
            "0.6",
            "--evaluations",
            "40",
        ],
    );
    let best = &report(&out)["optimize"]["best"];
    let runs = best["runs"].as_u64().unwrap().to_string();
    assert_eq!(runs, "12", "the confirmation's replications");
    let rerun = common::tmp_path("kicsim-opt-", "rerun-run");
    let o = kicsim()
        .args(["run", out.join("best.ron").to_str().unwrap(), "--replications", &runs, "--out", rerun.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    let cost = finals(&rerun, "cumulative_fiscal_cost_usd_m", "40");
    let mean = cost.iter().sum::<f64>() / cost.len() as f64;
    let reported = best["objectives"]["cumulative_fiscal_cost_usd_m@10"]["mean"].as_f64().unwrap();
    assert!((mean - reported).abs() <= 1e-6 * reported.abs().max(1.0), "run gives {mean}, optimize reported {reported}");
    let loc = finals(&rerun, "localization_rate", "40");
    let chance = loc.iter().filter(|v| **v >= 0.32).count() as f64 / loc.len() as f64;
    assert_eq!(chance, best["chances"]["localization_rate@10 >= 0.32"]["chance"].as_f64().unwrap());
}

fn outputs(out: &Path) -> Vec<(String, Vec<u8>)> {
    ["best.ron", "candidates.csv", "report.json", "report.md"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap()))
        .collect()
}

const SEARCH: [&str; 6] = [
    "--levers",
    "incentives.land_rent_exemption,incentives.training_subsidy_usd_per_trainee,incentives.credit_interest_subsidy_pp",
    "--require",
    "localization_rate@10 >= 0.32",
    "--confidence",
    "0.6",
];

#[test]
fn the_same_seed_gives_the_same_bytes_whatever_the_thread_count() {
    let (a, b) = (common::tmp_path("kicsim-opt-", "t1"), common::tmp_path("kicsim-opt-", "t3"));
    let extra: Vec<&str> = SEARCH.iter().copied().chain(["--evaluations", "50", "--seed", "4"]).collect();
    optimize(&a, "1", &extra);
    optimize(&b, "3", &extra);
    assert_eq!(outputs(&a), outputs(&b));
}

#[test]
fn resuming_from_a_checkpoint_gives_the_uninterrupted_result() {
    let (part, whole) = (common::tmp_path("kicsim-opt-", "part"), common::tmp_path("kicsim-opt-", "whole"));
    let with = |n: &'static str| -> Vec<&str> { SEARCH.iter().copied().chain(["--evaluations", n]).collect() };
    optimize(&part, "2", &with("30"));
    let o = optimize(&part, "2", &[with("70"), vec!["--resume"]].concat());
    assert!(text(&o).1.contains("resuming from"), "{:?}", text(&o));
    optimize(&whole, "2", &with("70"));
    assert_eq!(outputs(&part), outputs(&whole));
    // Another question cannot resume this checkpoint.
    let mut args = vec!["optimize", "scenarios/baseline.ron", "--replications", "7", "--resume", "--out", part.to_str().unwrap()];
    args.extend(SEARCH);
    let o = kicsim().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("another question") && text(&o).1.contains("replications"), "{:?}", text(&o));
}

#[test]
fn shards_merge_into_one_result() {
    let out = common::tmp_path("kicsim-opt-", "shards");
    for s in ["1/2", "2/2"] {
        let extra: Vec<&str> = SEARCH.iter().copied().chain(["--evaluations", "25", "--shard", s]).collect();
        optimize(&out, "2", &extra);
    }
    assert!(out.join("optimize-shard-1-of-2.json").is_file() && !out.join("report.json").exists());
    let o = kicsim().args(["merge", out.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    let r = report(&out);
    assert!(r["optimize"]["candidates"].as_u64().unwrap() > 40, "both shards' candidates pooled: {}", r["optimize"]["candidates"]);
    assert!(out.join("best.ron").is_file());
    // A missing shard is refused.
    std::fs::remove_file(out.join("optimize-shard-2-of-2.json")).unwrap();
    let o = kicsim().args(["merge", out.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("missing optimize shards 2 of 2"), "{:?}", text(&o));
}

#[test]
fn two_objectives_give_a_pareto_front() {
    let out = common::tmp_path("kicsim-opt-", "pareto");
    optimize(
        &out,
        "2",
        &[
            "--levers",
            "incentives.land_rent_exemption,incentives.training_subsidy_usd_per_trainee",
            "--minimize",
            "cumulative_fiscal_cost_usd_m",
            "--maximize",
            "localization_rate",
            "--evaluations",
            "60",
        ],
    );
    for f in ["pareto.csv", "pareto.png", "pareto.svg"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("pareto.csv")).unwrap();
    let rows: Vec<Vec<f64>> = csv.lines().skip(2).map(|l| l.split(',').skip(3).take(2).map(|v| v.parse().unwrap()).collect()).collect();
    assert!(rows.len() >= 2, "{csv}");
    // Sorted by cost, a front's localization rises with it: no plan on it is beaten on both.
    for w in rows.windows(2) {
        assert!(w[1][0] >= w[0][0] && w[1][1] >= w[0][1], "{csv}");
    }
}

#[test]
fn ctrl_c_keeps_what_was_found() {
    let out = common::tmp_path("kicsim-opt-", "interrupt");
    let mut args =
        vec!["optimize", "scenarios/baseline.ron", "--replications", "16", "--evaluations", "1000000", "--out", out.to_str().unwrap()];
    args.extend(SEARCH);
    let child = kicsim().args(&args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    assert!(text(&o).1.contains("interrupted"), "{:?}", text(&o));
    assert_eq!(report(&out)["optimize"]["ended"], "Interrupted");
    assert!(out.join("candidates.csv").is_file());
}

/// A command that must be refused: exit 1, no panic, the message naming `what`, nothing written.
fn refused(extra: &[&str], what: &str) {
    let tmp = common::tmp_path("kicsim-opt-", "bad");
    let out: PathBuf = tmp.to_path_buf();
    let mut args = vec!["optimize", "scenarios/baseline.ron", "--evaluations", "20", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = kicsim().args(&args).output().unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{extra:?}: {err}");
    assert!(!err.contains("panicked") && err.contains(what), "{extra:?}: {err}");
    assert!(!out.exists(), "{extra:?}: nothing written");
}

#[test]
fn bad_input_is_refused_with_its_name_and_nothing_written() {
    refused(&["--minimize", "localisation_rate"], "unknown KPI `localisation_rate`");
    refused(&["--require", "localization_rate@10 >= 0.5", "--maximize", "exports@3"], "unknown KPI `exports`");
    refused(&["--levers", "incentives.cit_holidays"], "--levers incentives.cit_holidays: unknown lever");
    refused(&["--require", "localization_rate@12 >= 0.5"], "year 12 is past the run's horizon of 10 years");
    refused(&["--require", "localization_rate@10 = 0.5"], "--require localization_rate@10 = 0.5: expected KPI@YEAR >= VALUE");
    refused(&["--require", "localization_rate@10 >= lots"], "`lots` is not a number");
    refused(
        &["--levers", "incentives.cit_holiday_years", "--bound", "incentives.cit_holiday_years=0..45"],
        "outside the range incentives.cit_holiday_years may take",
    );
    refused(&["--levers", "anchor.sector"], "--levers anchor.sector: not a number");
    refused(&["--levers", "incentives.local_content"], "the roadmap is not a number");
    refused(&["--bound", "incentives.rd_deduction=1..x"], "the bounds must be numbers");
    refused(&["--confidence", "1.5"], "--confidence 1.5");
    refused(&["--move", "rd_centres[0]"], "the plan has no rd_centres[0]");
    refused(&["--time", "soon"], "--time soon");
}
