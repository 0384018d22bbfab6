//! `kicsim sweep`: a grid of parameter values, every point with the same seeds; results.csv,
//! its chart (a heatmap of two parameters, or the KPI against the values of one) and a report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::args::{Vary, grid, parse_shard, parse_vary};
use super::report::{CI_NOTE, Chart, Report, Section, add_report};
use super::table::clear_sign;
use super::{SweepArgs, kpi, value};
use crate::charts::chart_files;
use crate::charts::heatmap::{Heatmap, Mark, draw_heatmap};
use crate::charts::sweep_line::draw_sweep_line;
use crate::format::{count_of, fmt_num, kpi_heading};
use crate::io::{OutputSet, csv_text, write_atomic};
use crate::registry::field_of;
use crate::run::{self, RunRecord};
use crate::stats::{Estimate, estimate, estimate_kpi};

/// The KPI columns of a sweep's results: the reports' list.
pub(crate) const SWEEP_KPIS: [&str; 6] = super::REPORT_KPIS;

/// The KPIs where less is better (a sweep's "best" point is its lowest); more is better for the others.
pub(crate) const LOWER_IS_BETTER: [&str; 1] = ["cumulative_fiscal_cost_usd_m"];

pub(crate) fn sweep(a: SweepArgs) -> Result<(), String> {
    let base = run::load_with_overrides(&a.file, None, a.years, &a.sets)?;
    let varies: Vec<Vary> = a.vary.iter().map(|v| parse_vary(v)).collect::<Result<_, _>>()?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.path == v.path) {
            return Err(format!("--vary {}: this parameter is already varied; give all its values in one --vary", v.path));
        }
    }
    if !SWEEP_KPIS.contains(&a.kpi.as_str()) {
        return Err(format!("--kpi {}: choose one of {}", a.kpi, SWEEP_KPIS.join(", ")));
    }
    let points = grid(&varies);
    // Check every point before running any.
    let mut scenarios = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let mut s = base.clone();
        for (v, &i) in varies.iter().zip(p) {
            let assignment = format!("{}={}", v.path, v.values[i]);
            // apply_set speaks of --set; here the value came from --vary.
            s = crate::scenario::apply_set(&s, &assignment).map_err(|e| e.replacen("--set ", "--vary ", 1))?;
        }
        if let Some(problem) = s.validate().first() {
            return Err(format!("grid point {k} ({}): field `{}`: {}", describe(&varies, p), problem.path, problem.message));
        }
        scenarios.push(s);
    }
    let (shard_i, shard_n) = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (1, 1),
    };
    let mine: Vec<usize> = (0..points.len()).filter(|k| k % shard_n == shard_i - 1).collect();
    let total = mine.len() * a.replications as usize;
    let progress = run::Progress::new(total);
    let jobs: Vec<(usize, u32)> = mine.iter().flat_map(|&k| (0..a.replications).map(move |r| (k, r))).collect();
    eprintln!(
        "sweep: {}, this shard runs {} of them x {}",
        count_of(points.len() as u64, "grid point"),
        mine.len(),
        count_of(a.replications.into(), "replication")
    );
    let results: Vec<(usize, u32, Vec<f64>)> = jobs
        .par_iter()
        .map(|&(k, r)| {
            let mut s = scenarios[k].clone();
            s.seed = run::replication_seed(base.seed, r);
            let h = crate::sim::run_to_end(&s);
            let vals = SWEEP_KPIS.iter().map(|kpi| value(&h, kpi)).collect();
            progress.tick();
            (k, r, vals)
        })
        .collect();
    progress.finish();
    let mut record = RunRecord::new(&base, &a.file.display().to_string(), a.replications).with_overrides(&a.sets);
    record.vary = a.vary.clone();
    let csv = sweep_csv(&record, &varies, &points, &results);
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {}", a.out.display(), crate::io_words(&e)))?;
    if shard_n == 1 {
        for path in finish_sweep(&a.out, csv, &a.kpi)? {
            crate::say!("wrote {}", path.display());
        }
    } else {
        let name = a.out.join(format!("results-shard-{shard_i}-of-{shard_n}.csv"));
        write_atomic(&name, csv.as_bytes()).map_err(|e| e.to_string())?;
        crate::say!("wrote {}", name.display());
        crate::say!(
            "when all {shard_n} shards are done: kicsim merge {} --out {} (name each folder if the shards wrote to different ones)",
            a.out.display(),
            a.out.display()
        );
    }
    Ok(())
}

pub(crate) fn describe(varies: &[Vary], p: &[usize]) -> String {
    varies.iter().zip(p).map(|(v, &i)| format!("{}={}", v.path, v.values[i])).collect::<Vec<_>>().join(", ")
}

pub(crate) fn sweep_csv(record: &RunRecord, varies: &[Vary], points: &[Vec<usize>], results: &[(usize, u32, Vec<f64>)]) -> String {
    let mut header = vec!["point".to_string()];
    header.extend(varies.iter().map(|v| v.path.clone()));
    header.push("replication".into());
    header.extend(SWEEP_KPIS.iter().map(|s| s.to_string()));
    let mut rows: Vec<&(usize, u32, Vec<f64>)> = results.iter().collect();
    rows.sort_by_key(|(k, r, _)| (*k, *r));
    let rows = rows.into_iter().map(|(k, r, vals)| {
        let mut row = vec![k.to_string()];
        row.extend(varies.iter().zip(&points[*k]).map(|(v, &i)| v.values[i].clone()));
        row.push(r.to_string());
        row.extend(vals.iter().map(|v| fmt_num(*v)));
        row
    });
    csv_text(&record.comment_line(), &header, rows)
}

/// Reads a sweep CSV: (comment lines, header, rows).
pub(crate) fn read_sweep_csv(text: &str) -> Result<(Vec<String>, Vec<String>, Vec<Vec<String>>), String> {
    let comments: Vec<String> = text.lines().take_while(|l| l.starts_with('#')).map(|l| l.to_string()).collect();
    let body: String = text.lines().skip(comments.len()).collect::<Vec<_>>().join("\n");
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::new();
    for r in rdr.records() {
        rows.push(r.map_err(|e| e.to_string())?.iter().map(|s| s.to_string()).collect());
    }
    Ok((comments, header, rows))
}

/// What `sweep` writes: the run record (with its `--vary` list) on the first line, then `point,
/// <varied parameters>..., replication, <KPIs>`, and numbers in every row.
pub(crate) fn check_sweep_file(comments: &[String], header: &[String], rows: &[Vec<String>]) -> Result<RunRecord, String> {
    let record = RunRecord::from_comment_line(comments.first().map_or("", String::as_str))?;
    if comments.len() > 1 {
        return Err("more than one comment line (a file of an older kicsim? run its sweep again)".into());
    }
    if record.vary.is_empty() {
        return Err("its run record has no --vary list".into());
    }
    let rep = header.iter().position(|h| h == "replication").ok_or("no replication column")?;
    let varied: Vec<String> = record.vary.iter().filter_map(|v| parse_vary(v).ok()).map(|v| v.path).collect();
    if header.first().map(String::as_str) != Some("point") || header[1..rep] != varied[..] {
        return Err("the columns must start with point and the varied parameters of its run record".into());
    }
    if header[rep + 1..] != SWEEP_KPIS {
        return Err(format!("the KPI columns after replication must be {}", SWEEP_KPIS.join(", ")));
    }
    for (i, r) in rows.iter().enumerate() {
        let numbers =
            r[0].parse::<usize>().is_ok() && r[rep].parse::<u32>().is_ok() && r[rep + 1..].iter().all(|v| v.parse::<f64>().is_ok());
        if !numbers {
            return Err(format!("row {} is not point, parameters, replication and numbers", i + 1));
        }
    }
    Ok(record)
}

/// One grid point of a sweep's results: its index, the varied values, and each replication's
/// KPIs (in [`SWEEP_KPIS`] order).
pub(crate) struct Point {
    pub index: usize,
    pub values: Vec<String>,
    pub runs: BTreeMap<u32, Vec<f64>>,
}

impl Point {
    /// The values of KPI `k` (its index in [`SWEEP_KPIS`]) by replication.
    fn cell(&self, k: usize) -> BTreeMap<u32, f64> {
        self.runs.iter().map(|(r, v)| (*r, v[k])).collect()
    }

    fn estimate(&self, k: usize) -> Estimate {
        estimate_kpi(SWEEP_KPIS[k], &self.runs.values().map(|v| v[k]).collect::<Vec<f64>>())
    }
}

/// The paired difference `a - b` of KPI `k` over the replications both points ran (the same seeds).
pub(crate) fn paired(a: &Point, b: &Point, k: usize) -> Estimate {
    let (a, b) = (a.cell(k), b.cell(k));
    estimate(&a.iter().filter_map(|(r, x)| b.get(r).map(|y| x - y)).collect::<Vec<f64>>())
}

/// A sweep's results read back: the record, the varied parameters and the points in grid order.
pub(crate) struct Results {
    pub record: RunRecord,
    pub params: Vec<String>,
    pub points: Vec<Point>,
}

pub(crate) fn results(csv_text: &str) -> Result<Results, String> {
    let (comments, header, rows) = read_sweep_csv(csv_text)?;
    let record = check_sweep_file(&comments, &header, &rows)?;
    let rep = header.iter().position(|h| h == "replication").unwrap_or(1);
    let mut points: BTreeMap<usize, Point> = BTreeMap::new();
    for r in &rows {
        let index = r[0].parse().unwrap_or(0);
        let p = points.entry(index).or_insert_with(|| Point { index, values: r[1..rep].to_vec(), runs: BTreeMap::new() });
        p.runs.insert(r[rep].parse().unwrap_or(0), r[rep + 1..].iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect());
    }
    Ok(Results { record, params: header[1..rep].to_vec(), points: points.into_values().collect() })
}

/// The best point for KPI `k` (highest mean, or lowest for [`LOWER_IS_BETTER`]) and every point's
/// mark: the best, not distinguishable from it (the paired 95% CI of the difference includes 0),
/// or clearly worse.
pub(crate) fn marks(points: &[Point], k: usize) -> (Option<usize>, Vec<Mark>) {
    let sign = if LOWER_IS_BETTER.contains(&SWEEP_KPIS[k]) { -1.0 } else { 1.0 };
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in points.iter().enumerate() {
        let m = sign * p.estimate(k).mean;
        if m.is_finite() && best.is_none_or(|(_, b)| m > b) {
            best = Some((i, m));
        }
    }
    let Some((b, _)) = best else { return (None, vec![Mark::Other; points.len()]) };
    let marks = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i == b {
                Mark::Best
            } else if p.estimate(k).mean.is_finite() && !paired(p, &points[b], k).excludes_zero() {
                Mark::Close
            } else {
                Mark::Other
            }
        })
        .collect();
    (Some(b), marks)
}

/// "Interest subsidy on supplier loans (percentage points)": a varied parameter as the planner
/// calls it, from the registry (the path itself where the registry has no label, e.g. a sector).
pub(crate) fn param_heading(path: &str) -> String {
    match field_of(path) {
        Some(f) if f.unit.is_empty() => format!("{} ({path})", f.label),
        Some(f) => format!("{}, {} ({path})", f.label, f.unit),
        None => path.to_string(),
    }
}

/// After a full sweep (or a merge): writes OUT/results.csv, its chart (the heatmap of two varied
/// parameters, or the KPI against the values of one) and report.md/report.html as one set, and
/// returns the paths written. A chart or report that cannot be made does not cost the results:
/// they are written, and the error says so.
pub(crate) fn finish_sweep(out: &Path, csv_text: String, kpi: &str) -> Result<Vec<PathBuf>, String> {
    let results_path = out.join("results.csv");
    let mut set = OutputSet::default();
    let extra = sweep_outputs(out, &csv_text, kpi);
    set.add(results_path.clone(), csv_text);
    let mut written = vec![results_path.clone()];
    let failed = match extra {
        Ok(files) => {
            for (path, content) in files {
                written.push(path.clone());
                set.add(path, content);
            }
            None
        }
        Err(e) => Some(e),
    };
    set.write(out)?;
    match failed {
        Some(e) => Err(format!("wrote {}, but not its chart and report: {e}", results_path.display())),
        None => Ok(written),
    }
}

/// The chart (PNG and SVG) and report of a sweep's results, as files to write.
fn sweep_outputs(out: &Path, csv_text: &str, name: &str) -> Result<Vec<(PathBuf, Vec<u8>)>, String> {
    let res = results(csv_text)?;
    let k = SWEEP_KPIS.iter().position(|n| *n == name).ok_or_else(|| format!("results.csv has no column {name}"))?;
    let footer = {
        let r = &res.record;
        format!("kicsim {}: {} #{} seed {}", r.version, r.scenario, &r.scenario_hash[..8.min(r.scenario_hash.len())], r.seed)
    };
    let mut set = OutputSet::default();
    let chart = sweep_chart(&mut set, out, &res, k, &footer)?;
    add_report(&mut set, out, &sweep_report(&res, k, chart))?;
    Ok(set.into_files())
}

/// The chart of KPI `k`, if the sweep varies one or two parameters.
fn sweep_chart(set: &mut OutputSet, out: &Path, res: &Results, k: usize, footer: &str) -> Result<Option<Chart>, String> {
    let kpi_ = kpi(SWEEP_KPIS[k]);
    let name = kpi_.name;
    match res.params.len() {
        1 => {
            let xs: Vec<String> = res.points.iter().map(|p| p.values[0].clone()).collect();
            let ests: Vec<Estimate> = res.points.iter().map(|p| p.estimate(k)).collect();
            let param = param_heading(&res.params[0]);
            let stem = format!("sweep_{name}");
            let svg = chart_files(
                set,
                out,
                &stem,
                (900, 560),
                |a| draw_sweep_line(a, kpi_, &param, &xs, &ests, footer),
                |a| draw_sweep_line(a, kpi_, &param, &xs, &ests, footer),
            )?;
            Ok(Some(Chart { title: format!("{} against {}", kpi_heading(kpi_), res.params[0]), png: format!("{stem}.png"), svg }))
        }
        2 => {
            let distinct = |c: usize| {
                let mut v: Vec<String> = Vec::new();
                for p in &res.points {
                    if !v.contains(&p.values[c]) {
                        v.push(p.values[c].clone());
                    }
                }
                v
            };
            let (xs, ys) = (distinct(0), distinct(1));
            let (_, point_marks) = marks(&res.points, k);
            let mut means = vec![vec![f64::NAN; ys.len()]; xs.len()];
            let mut cell_marks = vec![vec![Mark::Other; ys.len()]; xs.len()];
            for (p, m) in res.points.iter().zip(&point_marks) {
                let (i, j) =
                    (xs.iter().position(|x| *x == p.values[0]).unwrap_or(0), ys.iter().position(|y| *y == p.values[1]).unwrap_or(0));
                means[i][j] = p.estimate(k).mean;
                cell_marks[i][j] = *m;
            }
            let reps = res.points.iter().map(|p| p.runs.len()).max().unwrap_or(0);
            let best = if LOWER_IS_BETTER.contains(&name) { "lowest" } else { "highest" };
            let h = Heatmap {
                kpi: kpi_,
                params: [param_heading(&res.params[0]), param_heading(&res.params[1])],
                xs: &xs,
                ys: &ys,
                means: &means,
                marks: &cell_marks,
                reps,
                best,
            };
            let stem = format!("heatmap_{name}");
            let svg = chart_files(set, out, &stem, (900, 720), |a| draw_heatmap(a, &h, footer), |a| draw_heatmap(a, &h, footer))?;
            Ok(Some(Chart { title: format!("{} over the grid", kpi_heading(kpi_)), png: format!("{stem}.png"), svg }))
        }
        n => {
            crate::say!("(charts are drawn for one or two varied parameters; this sweep varies {n})");
            Ok(None)
        }
    }
}

/// "credit_interest_subsidy_pp=2, local_content=[]": a point's values with the parameters' paths.
fn point_text(params: &[String], p: &Point) -> String {
    params.iter().zip(&p.values).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

/// The sweep's report: which point is best for the KPI and which cannot be told from it, the
/// grid, every point's results, the chart.
fn sweep_report(res: &Results, k: usize, chart: Option<Chart>) -> Report {
    let kpi_ = kpi(SWEEP_KPIS[k]);
    let heading = kpi_heading(kpi_);
    let r = &res.record;
    let reps = res.points.iter().map(|p| p.runs.len()).max().unwrap_or(0);
    let (best, point_marks) = marks(&res.points, k);
    let lower = LOWER_IS_BETTER.contains(&kpi_.name);
    let mut verdict = Vec::new();
    if let Some(b) = best {
        let bp = &res.points[b];
        let e = bp.estimate(k);
        verdict.push(format!(
            "The {} {} is at {} ({}).",
            if lower { "lowest" } else { "highest" },
            kpi_.label.to_lowercase(),
            point_text(&res.params, bp),
            crate::format::fmt_estimate(kpi_, &e)
        ));
        let close: Vec<&Point> = res.points.iter().zip(&point_marks).filter(|(_, m)| **m == Mark::Close).map(|(p, _)| p).collect();
        if reps < 2 {
            verdict.push("With one replication there is no confidence interval, so no point can be said to be clearly better than another; run --replications 5 or more.".into());
        } else if close.is_empty() {
            verdict.push(format!(
                "Every other grid point is clearly {} (the 95% CI of its paired difference lies wholly on one side of 0).",
                if lower { "higher" } else { "lower" }
            ));
        } else {
            let listed: Vec<String> = close.iter().take(8).map(|p| point_text(&res.params, p)).collect();
            let more = if close.len() > 8 { format!(" and {} more", close.len() - 8) } else { String::new() };
            verdict.push(format!(
                "{} cannot be told apart from it (the 95% CI of the paired difference includes 0): {}{more}. Framed in the chart.",
                count_of(close.len() as u64, "other grid point"),
                listed.join("; ")
            ));
        }
    }
    let varied = Section {
        title: "What was varied".into(),
        header: vec!["parameter".into(), "values".into()],
        rows: r.vary.iter().filter_map(|v| parse_vary(v).ok()).map(|v| vec![param_heading(&v.path), v.values.join("; ")]).collect(),
        text: true,
        ..Section::default()
    };
    let mut header = res.params.clone();
    header.push(format!("{heading}: mean [95% CI]"));
    header.push(format!("difference to the {}", if lower { "lowest" } else { "highest" }));
    let others: Vec<usize> = (0..SWEEP_KPIS.len()).filter(|&i| i != k).collect();
    header.extend(others.iter().map(|&i| format!("{}, mean", kpi_heading(kpi(SWEEP_KPIS[i])))));
    let rows = res
        .points
        .iter()
        .map(|p| {
            let mut row = p.values.clone();
            row.push(crate::format::fmt_estimate(kpi_, &p.estimate(k)));
            row.push(match best {
                Some(b) if b == p_index(res, p) => "best".into(),
                Some(b) => {
                    let d = paired(p, &res.points[b], k);
                    let tag = match clear_sign(&d) {
                        "" if d.n > 1 => " (not distinguishable)",
                        _ => "",
                    };
                    format!("{}{tag}", crate::format::fmt_difference(kpi_, &d))
                }
                None => "n/a".into(),
            });
            row.extend(others.iter().map(|&i| kpi(SWEEP_KPIS[i]).fmt(p.estimate(i).mean)));
            row
        })
        .collect();
    let table = Section { title: "Results by grid point".into(), header, rows, ..Section::default() };
    let mut sections = vec![varied, table];
    if let Some(c) = chart {
        sections.push(Section { title: "Chart".into(), charts: vec![c], ..Section::default() });
    }
    Report {
        title: format!("Parameter sweep: {}", r.scenario),
        verdict,
        intro: format!(
            "{} x {} each, every point with the same seeds (replication r uses seed {} + r), so points differ by the parameters, not by luck. Values are final-quarter values unless named otherwise; differences are paired across the common seeds.",
            count_of(res.points.len() as u64, "grid point"),
            count_of(reps as u64, "replication"),
            r.seed
        ),
        ci_note: CI_NOTE.into(),
        records: vec![r.clone()],
        sections,
        ..Report::default()
    }
}

fn p_index(res: &Results, p: &Point) -> usize {
    res.points.iter().position(|q| q.index == p.index).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(index: usize, loc: &[f64]) -> Point {
        let runs = loc.iter().enumerate().map(|(r, v)| (r as u32, vec![*v, 0.0, 0.0, 0.0, 0.0, 0.0])).collect();
        Point { index, values: vec![index.to_string()], runs }
    }

    #[test]
    fn cells_that_cannot_be_told_from_the_best_are_marked_by_paired_differences() {
        // Point 1 is best. Point 0 is lower by 0.01 in every replication: the paired difference
        // is clear although the two levels' own intervals overlap. Point 2 differs from the best
        // by noise of both signs: not distinguishable.
        let points = [point(0, &[0.30, 0.40, 0.50]), point(1, &[0.31, 0.41, 0.51]), point(2, &[0.33, 0.38, 0.52])];
        let (best, marks) = marks(&points, 0);
        assert_eq!(best, Some(1));
        assert_eq!(marks, [Mark::Other, Mark::Best, Mark::Close]);
        // One replication: no interval, so nothing is "close"; the best is still the best.
        let one = [point(0, &[0.3]), point(1, &[0.4])];
        assert_eq!(super::marks(&one, 0).1, [Mark::Close, Mark::Best], "without an interval nothing is clearly worse");
    }

    #[test]
    fn parameters_are_named_by_the_registry() {
        assert_eq!(param_heading("incentives.cit_rate"), "Preferential corporate income tax rate, rate 0-1 (incentives.cit_rate)");
        assert_eq!(param_heading("anchor.sector"), "anchor.sector");
    }
}
