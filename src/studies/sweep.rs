//! A sweep's grid (`--vary path=v1,v2,...`, every point with the same seeds), its results file
//! (written, read back and checked, as a shard or whole) and what the results say: each point's
//! estimates, paired differences, and the best point with those that cannot be told from it.

use std::collections::BTreeMap;

use crate::charts::heatmap::Mark;
use crate::format::fmt_num;
use crate::io::csv_text;
use crate::run::RunRecord;
use crate::stats::{Estimate, estimate, estimate_kpi};

/// A parsed `--vary path=v1,v2,...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

/// Parses `path=v1,v2,...` (a `--vary` option, or one of a run record's `vary` list).
pub fn parse_vary(s: &str) -> Result<Vary, String> {
    let (path, vals) = s.split_once('=').ok_or_else(|| format!("--vary {s}: expected path=v1,v2,..."))?;
    if path.trim().is_empty() {
        return Err(format!("--vary {s}: no parameter before `=` (e.g. --vary incentives.cit_rate=0.05,0.1)"));
    }
    let values = split_top_level(vals);
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(format!("--vary {s}: empty value"));
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(first) = values[..i].iter().position(|x| x == v) {
            return Err(format!("--vary {s}: the value {v} is given twice (values {} and {})", first + 1, i + 1));
        }
    }
    Ok(Vary { path: path.trim().to_string(), values })
}

/// Splits on commas not inside brackets, so `[(2,0.3)],[(2,0.5)]` gives two values.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            out.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Every point of the grid: the value index of each varied parameter, first parameter slowest.
/// Most points a sweep's grid may have: at 16 replications of a few milliseconds each, a day of
/// CPU on two cores, and the grid's indices stay small in memory.
pub const MAX_GRID_POINTS: usize = 1_000_000;

/// The number of points of the grid, checked before the grid is built (a product of value counts
/// overflows long before memory runs out).
pub fn grid_size(varies: &[Vary]) -> Result<usize, String> {
    let counts: Vec<String> = varies.iter().map(|v| v.values.len().to_string()).collect();
    varies
        .iter()
        .try_fold(1usize, |n, v| n.checked_mul(v.values.len()).filter(|&m| m <= MAX_GRID_POINTS))
        .ok_or_else(|| format!("the grid of {} values has more than {MAX_GRID_POINTS} points; vary fewer values", counts.join(" x ")))
}

/// The value indices of grid point `k` (the order of [`grid`]: the last `--vary` changes fastest).
pub fn point_at(varies: &[Vary], mut k: usize) -> Vec<usize> {
    let mut p = vec![0; varies.len()];
    for (j, v) in varies.iter().enumerate().rev() {
        let n = v.values.len().max(1);
        p[j] = k % n;
        k /= n;
    }
    p
}

pub fn grid(varies: &[Vary]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for v in varies {
        points = points.into_iter().flat_map(|p| (0..v.values.len()).map(move |i| [p.clone(), vec![i]].concat())).collect();
    }
    points
}

/// The KPI columns of a sweep's results: the reports' list.
pub const SWEEP_KPIS: [&str; 6] = super::comparison::REPORT_KPIS;

/// The KPIs where less is better (a sweep's "best" point is its lowest); more is better for the others.
pub const LOWER_IS_BETTER: [&str; 1] = ["cumulative_fiscal_cost_usd_m"];

/// A grid point in words: `path=value, ...`.
pub fn describe(varies: &[Vary], p: &[usize]) -> String {
    varies.iter().zip(p).map(|(v, &i)| format!("{}={}", v.path, v.values[i])).collect::<Vec<_>>().join(", ")
}

/// results.csv (or a shard's file): the run record, then a row per grid point and replication.
pub fn sweep_csv(record: &RunRecord, varies: &[Vary], points: &[Vec<usize>], results: &[(usize, u32, Vec<f64>)]) -> String {
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
pub fn read_sweep_csv(text: &str) -> Result<(Vec<String>, Vec<String>, Vec<Vec<String>>), String> {
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
pub fn check_sweep_file(comments: &[String], header: &[String], rows: &[Vec<String>]) -> Result<RunRecord, String> {
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
pub struct Point {
    pub index: usize,
    pub values: Vec<String>,
    pub runs: BTreeMap<u32, Vec<f64>>,
}

impl Point {
    /// The values of KPI `k` (its index in [`SWEEP_KPIS`]) by replication.
    fn cell(&self, k: usize) -> BTreeMap<u32, f64> {
        self.runs.iter().map(|(r, v)| (*r, v[k])).collect()
    }

    pub fn estimate(&self, k: usize) -> Estimate {
        estimate_kpi(SWEEP_KPIS[k], &self.runs.values().map(|v| v[k]).collect::<Vec<f64>>())
    }
}

/// The paired difference `a - b` of KPI `k` over the replications both points ran (the same seeds).
pub fn paired(a: &Point, b: &Point, k: usize) -> Estimate {
    let (a, b) = (a.cell(k), b.cell(k));
    estimate(&a.iter().filter_map(|(r, x)| b.get(r).map(|y| x - y)).collect::<Vec<f64>>())
}

/// A sweep's results read back: the record, the varied parameters and the points in grid order.
pub struct Results {
    pub record: RunRecord,
    pub params: Vec<String>,
    pub points: Vec<Point>,
}

/// Reads a sweep's results back, checked as [`check_sweep_file`] does.
pub fn results(csv_text: &str) -> Result<Results, String> {
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
pub fn marks(points: &[Point], k: usize) -> (Option<usize>, Vec<Mark>) {
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
}
