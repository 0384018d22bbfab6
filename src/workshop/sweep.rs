//! `kicsim sweep`: a grid of parameter values, every point with the same seeds; results.csv
//! and its chart (a heatmap of two parameters, or the KPI against the values of one).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::args::{Vary, grid, parse_shard, parse_vary};
use super::{SweepArgs, kpi, value};
use crate::charts::heatmap::{Heatmap, Mark, draw_heatmap};
use crate::charts::sweep_line::draw_sweep_line;
use crate::charts::{font, png_bytes};
use crate::format::{count_of, fmt_num};
use crate::io::{OutputSet, csv_text, write_atomic};
use crate::registry::Kpi;
use crate::run::{self, RunRecord};
use crate::scenario::Scenario;
use crate::stats::{Estimate, estimate, estimate_kpi};

/// The KPI columns of a sweep's results: the reports' list.
pub(crate) const SWEEP_KPIS: [&str; 6] = super::REPORT_KPIS;

pub(crate) fn sweep(a: SweepArgs) -> Result<(), String> {
    let base = Scenario::load(&a.file).map_err(|e| e.to_string())?;
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
    let record = RunRecord::new(&base, &a.file.display().to_string(), a.replications);
    let csv = sweep_csv(&record, &varies, &points, &results);
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
    if shard_n == 1 {
        let chart = finish_sweep(&a.out, csv, &a.kpi)?;
        crate::say!("wrote {}", a.out.join("results.csv").display());
        if let Some(c) = chart {
            crate::say!("wrote {}", c.display());
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
    let comment = format!(
        "{}\n# grid: {}",
        record.comment_line(),
        varies.iter().map(|v| format!("{}={}", v.path, v.values.join("|"))).collect::<Vec<_>>().join(" ; ")
    );
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
    csv_text(&comment, &header, rows)
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

/// After a full sweep (or a merge): writes OUT/results.csv with its chart (the heatmap of two
/// varied parameters, or the KPI against the values of one) as one set, and returns the chart's
/// path. A chart that cannot be drawn does not cost the results: they are written, and the error
/// says so.
pub(crate) fn finish_sweep(out: &Path, csv_text: String, kpi: &str) -> Result<Option<PathBuf>, String> {
    let chart = sweep_chart(out, &csv_text, kpi);
    let mut set = OutputSet::default();
    let results = out.join("results.csv");
    set.add(results.clone(), csv_text);
    let (path, failed) = match chart {
        Ok(Some((path, png))) => {
            set.add(path.clone(), png);
            (Some(path), None)
        }
        Ok(None) => (None, None),
        Err(e) => (None, Some(e)),
    };
    set.write(out)?;
    match failed {
        Some(e) => Err(format!("wrote {}, but not its chart: {e}", results.display())),
        None => Ok(path),
    }
}

/// The KPIs where less is better (a sweep's "best" cell is its lowest); more is better for the others.
pub(crate) const LOWER_IS_BETTER: [&str; 1] = ["cumulative_fiscal_cost_usd_m"];

/// One grid point's value of a KPI in each replication (the same seeds at every point).
pub(crate) type Cell = std::collections::BTreeMap<u32, f64>;

/// The cells of a two-parameter grid (`[x][y]`) from the rows of a sweep file.
fn cells(rows: &[Vec<String>], xs: &[String], ys: &[String], rep: usize, col: usize) -> Vec<Vec<Cell>> {
    let mut cells = vec![vec![Cell::new(); ys.len()]; xs.len()];
    for r in rows {
        let (i, j) = (xs.iter().position(|x| *x == r[1]).unwrap_or(0), ys.iter().position(|y| *y == r[2]).unwrap_or(0));
        cells[i][j].insert(r[rep].parse().unwrap_or(0), r[col].parse().unwrap_or(f64::NAN));
    }
    cells
}

fn mean(c: &Cell) -> f64 {
    if c.is_empty() { f64::NAN } else { c.values().sum::<f64>() / c.len() as f64 }
}

/// The paired difference `a - b` over the replications both cells ran.
pub(crate) fn paired(a: &Cell, b: &Cell) -> Estimate {
    estimate(&a.iter().filter_map(|(r, x)| b.get(r).map(|y| x - y)).collect::<Vec<f64>>())
}

/// The best cell (highest mean, or lowest for [`LOWER_IS_BETTER`]) and, for every cell, whether
/// it is the best, cannot be told from it (the paired 95% CI of the difference includes 0), or
/// is clearly worse.
pub(crate) fn marks(kpi: &str, cells: &[Vec<Cell>]) -> Vec<Vec<Mark>> {
    let sign = if LOWER_IS_BETTER.contains(&kpi) { -1.0 } else { 1.0 };
    let mut best: Option<(usize, usize, f64)> = None;
    for (i, col) in cells.iter().enumerate() {
        for (j, c) in col.iter().enumerate() {
            let m = sign * mean(c);
            if m.is_finite() && best.is_none_or(|(_, _, b)| m > b) {
                best = Some((i, j, m));
            }
        }
    }
    let Some((bi, bj, _)) = best else { return cells.iter().map(|c| vec![Mark::Other; c.len()]).collect() };
    cells
        .iter()
        .enumerate()
        .map(|(i, col)| {
            col.iter()
                .enumerate()
                .map(|(j, c)| {
                    if (i, j) == (bi, bj) {
                        Mark::Best
                    } else if !paired(c, &cells[bi][bj]).excludes_zero() && mean(c).is_finite() {
                        Mark::Close
                    } else {
                        Mark::Other
                    }
                })
                .collect()
        })
        .collect()
}

/// The chart of a sweep's results: its path and PNG, if the sweep varies one or two parameters.
pub(crate) fn sweep_chart(out: &Path, csv_text: &str, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let (comments, header, rows) = read_sweep_csv(csv_text)?;
    let footer = comments.first().map(|c| c.trim_start_matches("# ").to_string()).unwrap_or_default();
    let rep = header
        .iter()
        .position(|h| h == "replication")
        .filter(|&r| r >= 1)
        .ok_or("results.csv has no replication column after the parameters")?;
    let params: Vec<String> = header[1..rep].to_vec();
    let col = header.iter().position(|h| h == name).ok_or_else(|| format!("results.csv has no column {name}"))?;
    let k = kpi(name);
    if params.len() == 1 {
        return sweep_line(out, k, &params[0], &rows, col, &footer).map(Some);
    }
    if params.len() != 2 {
        crate::say!("(charts are drawn for one or two varied parameters; this sweep varies {})", params.len());
        return Ok(None);
    }
    let (xs, ys) = (distinct(&rows, 1), distinct(&rows, 2));
    let cells = cells(&rows, &xs, &ys, rep, col);
    let means: Vec<Vec<f64>> = cells.iter().map(|c| c.iter().map(mean).collect()).collect();
    let marks = marks(name, &cells);
    let reps = cells.iter().flatten().map(|c| c.len()).max().unwrap_or(0);
    let best = if LOWER_IS_BETTER.contains(&name) { "lowest" } else { "highest" };
    let h = Heatmap { kpi: k, params: [params[0].clone(), params[1].clone()], xs: &xs, ys: &ys, means: &means, marks: &marks, reps, best };
    font();
    let png = png_bytes((900, 720), |root| draw_heatmap(root, &h, &footer))?;
    Ok(Some((out.join(format!("heatmap_{name}.png")), png)))
}

/// One varied parameter: the KPI's mean at each value with its 95% confidence interval.
pub(crate) fn sweep_line(
    out: &Path,
    k: &Kpi,
    param: &str,
    rows: &[Vec<String>],
    col: usize,
    footer: &str,
) -> Result<(PathBuf, Vec<u8>), String> {
    let xs = distinct(rows, 1);
    let ests: Vec<Estimate> = xs
        .iter()
        .map(|x| {
            estimate_kpi(k.name, &rows.iter().filter(|r| r[1] == *x).map(|r| r[col].parse().unwrap_or(f64::NAN)).collect::<Vec<f64>>())
        })
        .collect();
    font();
    let png = png_bytes((900, 560), |root| draw_sweep_line(root, k, param, &xs, &ests, footer))?;
    Ok((out.join(format!("sweep_{}.png", k.name)), png))
}

/// The values of column `col` in the order they first appear (a varied parameter's values).
pub(crate) fn distinct(rows: &[Vec<String>], col: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r[col]) {
            out.push(r[col].clone());
        }
    }
    out
}

/// What `sweep` writes: the run record and grid lines, then `point, <varied parameters>...,
/// replication, <KPIs>`, and numbers in every row.
pub(crate) fn check_sweep_file(comments: &[String], header: &[String], rows: &[Vec<String>]) -> Result<(), String> {
    if !comments.first().is_some_and(|c| c.starts_with("# kicsim ")) {
        return Err("no run record on its first line (# kicsim ...)".into());
    }
    if !comments.iter().any(|c| c.starts_with("# grid: ")) {
        return Err("no `# grid:` line".into());
    }
    let rep = header.iter().position(|h| h == "replication").ok_or("no replication column")?;
    if header.first().map(String::as_str) != Some("point") || rep < 2 {
        return Err("the columns must start with point and the varied parameters".into());
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
    Ok(())
}
