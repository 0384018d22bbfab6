//! A sweep's outputs after a full run or a merge: results.csv with its chart (a heatmap of two
//! varied parameters, or the KPI against the values of one) and report.md/report.html.

use std::path::{Path, PathBuf};

use super::table::clear_sign;
use super::{CI_NOTE, Chart, Report, Section, add_report};
use crate::charts::chart_files;
use crate::charts::heatmap::{Heatmap, Mark, draw_heatmap};
use crate::charts::sweep_line::draw_sweep_line;
use crate::format::{count_of, kpi_heading};
use crate::io::OutputSet;
use crate::registry::field_of;
use crate::stats::Estimate;
use crate::studies::comparison::kpi;
use crate::studies::sweep::{LOWER_IS_BETTER, Point, Results, SWEEP_KPIS, marks, paired, parse_vary, results};

/// "Interest subsidy on supplier loans (percentage points)": a varied parameter as the planner
/// calls it, from the registry (the path itself where the registry has no label, e.g. a sector).
pub fn param_heading(path: &str) -> String {
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
pub fn finish_sweep(out: &Path, csv_text: String, kpi: &str) -> Result<Vec<PathBuf>, String> {
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
    let report = sweep_report(&res, k, chart);
    // The terminal gets the verdict too, not only the names of the files.
    for line in &report.verdict {
        crate::say!("{line}");
    }
    add_report(&mut set, out, &report)?;
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
            let svg = chart_files(set, out, &stem, (900, 560), |a| draw_sweep_line(a, kpi_, &param, &xs, &ests, footer))?;
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
            let svg = chart_files(set, out, &stem, (900, 720), |a| draw_heatmap(a, &h, footer))?;
            Ok(Some(Chart { title: format!("{} over the grid", kpi_heading(kpi_)), png: format!("{stem}.png"), svg }))
        }
        n => {
            crate::say!("(charts are drawn for one or two varied parameters; this sweep varies {n})");
            Ok(None)
        }
    }
}

/// What the ranking above leaves out, and the point that is the best value for money (the one
/// measure, `studies::value`): extra fiscal cost per extra localization point against the
/// cheapest grid point, paired replication by replication.
fn value_verdict(res: &Results, k: usize) -> Vec<String> {
    let (loc, cost) =
        (SWEEP_KPIS.iter().position(|n| *n == "localization_rate"), SWEEP_KPIS.iter().position(|n| *n == "cumulative_fiscal_cost_usd_m"));
    let (Some(loc), Some(cost)) = (loc, cost) else { return Vec::new() };
    let mut out = Vec::new();
    if k != cost {
        out.push(format!("This ranks the points by {} alone and leaves out their fiscal cost.", kpi(SWEEP_KPIS[k]).label.to_lowercase()));
    }
    let cheapest = (0..res.points.len()).min_by(|&a, &b| res.points[a].estimate(cost).mean.total_cmp(&res.points[b].estimate(cost).mean));
    let Some(c) = cheapest else { return out };
    let reference = &res.points[c];
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = res
        .points
        .iter()
        .map(|p| {
            let d = |k: usize| -> Vec<f64> { p.runs.iter().filter_map(|(r, v)| reference.runs.get(r).map(|w| v[k] - w[k])).collect() };
            (d(loc), d(cost))
        })
        .collect();
    let ranked = crate::studies::value::rank(&pairs);
    match ranked.first() {
        Some((i, v, clearly)) => out.push(format!(
            "The best value for money, against the cheapest point ({}), is {}: {}{}.",
            point_text(&res.params, reference),
            point_text(&res.params, &res.points[*i]),
            v.words(),
            match clearly {
                Some(true) => ", clearly better than the next",
                Some(false) => ", within chance of the next",
                None => "",
            }
        )),
        None => out.push(format!(
            "No point gains localization clearly over the cheapest ({}), so none can be priced per extra point.",
            point_text(&res.params, reference)
        )),
    }
    out
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
    verdict.extend(value_verdict(res, k));
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

    #[test]
    fn parameters_are_named_by_the_registry() {
        assert_eq!(param_heading("incentives.cit_rate"), "Preferential corporate income tax rate, rate 0-1 (incentives.cit_rate)");
        assert_eq!(param_heading("anchor.sector"), "anchor.sector");
    }
}
