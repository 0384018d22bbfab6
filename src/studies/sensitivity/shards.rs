//! The runs' outputs as a file: design.csv (or one shard's rows of it), with the settings on
//! its second line so a merge can check the shards belong together, and read back.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Design, Settings};
use crate::format::fmt_num;

pub fn record_line(settings: &Settings) -> String {
    let r = &settings.record;
    format!(
        "# kicsim {} scenario={} file={} hash={} seed={} years={} replications={}",
        r["version"].as_str().unwrap_or("?"),
        r["scenario"],
        r["scenario_file"].as_str().unwrap_or("?"),
        r["scenario_hash"].as_str().unwrap_or("?"),
        r["seed"],
        r["years"],
        r["replications"]
    )
}

/// The outputs of the runs: `(row, replication) -> values` in [`Settings::columns`] order.
pub type Outputs = BTreeMap<(usize, u32), Vec<f64>>;

/// How long the runs took (not known after a merge).
#[derive(Clone, Copy, Serialize)]
pub struct Timing {
    pub runs: usize,
    pub seconds: f64,
}

/// The design's rows with the parameters' values and each replication's outputs (a shard file
/// holds every n-th row).
pub fn design_csv(settings: &Settings, d: &Design, outputs: &Outputs) -> String {
    let mut out = record_line(settings) + "\n";
    writeln!(out, "# sensitivity: {}", serde_json::to_string(settings).expect("settings serialise")).ok();
    let params = settings.params().expect("checked settings");
    let mut header = vec!["row".to_string(), "method".into(), "seed_key".into(), "replication".into()];
    header.extend(params.iter().map(|p| p.path().to_string()));
    header.push("dummy".into());
    header.extend(settings.columns());
    out.push_str(&header.join(","));
    out.push('\n');
    for ((row, r), vals) in outputs {
        let mut line = design_fields(&params, d, *row, *r);
        // Full precision (shortest exact form): a merge analyses the very numbers a whole run does.
        line.extend(vals.iter().map(|v| format!("{v:?}")));
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// The fields of a row before its outputs: row, method, seed key, replication, the parameters'
/// values and the dummy's.
fn design_fields(params: &[crate::studies::params::Param], d: &Design, row: usize, r: u32) -> Vec<String> {
    let p = &d.points[row];
    let mut line = vec![row.to_string(), format!("{:?}", p.method).to_lowercase(), p.key.to_string(), r.to_string()];
    line.extend(params.iter().zip(&p.unit).map(|(q, u)| if u.is_nan() { String::new() } else { fmt_num(q.value_at(*u)) }));
    line.push(p.unit.last().filter(|u| !u.is_nan()).map_or(String::new(), |u| fmt_num(*u)));
    line
}

/// Checks every row of a shard read by [`read_shard`] against the design of its settings: a
/// row of the design, a replication the settings have, the design's method, seed key and
/// parameter values, and finite outputs (a file edited by hand, or damaged, is refused).
pub fn check_shard_rows(settings: &Settings, d: &Design, text: &str) -> Result<(), String> {
    let params = settings.params()?;
    let body: String = text.lines().skip(2).collect::<Vec<_>>().join("\n");
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(String::from).collect();
    let first = header.len() - settings.columns().len();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let fields: Vec<&str> = rec.iter().collect();
        let bad = |what: String| Err(format!("line {}: {what}", i + 4));
        let row: usize = fields[0].parse().map_err(|_| format!("line {}: row {} is not a number", i + 4, fields[0]))?;
        if row >= d.points.len() {
            return bad(format!("row {row} is not a row of the design (0 to {})", d.points.len() - 1));
        }
        let r: u32 = fields[3].parse().map_err(|_| format!("line {}: replication {} is not a number", i + 4, fields[3]))?;
        if r >= settings.replications {
            return bad(format!("replication {r} is not one of the analysis' {}", settings.replications));
        }
        let expected = design_fields(&params, d, row, r);
        for (j, want) in expected.iter().enumerate() {
            let got = fields.get(j).copied().unwrap_or("");
            if got != want && !(j >= 4 && got.parse::<f64>().ok().zip(want.parse::<f64>().ok()).is_some_and(|(a, b)| a == b)) {
                return bad(format!("{} is {got}, but row {row} of the design has {want}", header[j]));
            }
        }
        for (h, x) in header.iter().zip(&fields).skip(first) {
            if !x.parse::<f64>().is_ok_and(|v| v.is_finite() && v.abs() < 1e15) {
                return bad(format!("{h} = {x} is not a finite result"));
            }
        }
    }
    Ok(())
}

/// Reads a shard (or design.csv): its settings and its rows' outputs.
pub fn read_shard(text: &str) -> Result<(Settings, Vec<((usize, u32), Vec<f64>)>), String> {
    let mut lines = text.lines();
    if !lines.next().is_some_and(|l| l.starts_with("# kicsim ")) {
        return Err("no run record on its first line (# kicsim ...)".into());
    }
    let settings: Settings = lines
        .next()
        .and_then(|l| l.strip_prefix("# sensitivity: "))
        .ok_or("no `# sensitivity:` line")
        .and_then(|l| serde_json::from_str(l).map_err(|_| "its `# sensitivity:` line cannot be read"))?;
    let body: String = lines.collect::<Vec<_>>().join("\n");
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(String::from).collect();
    let cols = settings.columns();
    if header.len() < cols.len() || header[header.len() - cols.len()..] != cols[..] {
        return Err(format!("its last columns must be {}", cols.join(",")));
    }
    let first = header.len() - cols.len();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let bad = || format!("line {}: not row, method, seed key, replication, parameters and numbers", i + 4);
        let row: usize = rec.get(0).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let r: u32 = rec.get(3).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let vals: Vec<f64> =
            (first..header.len()).map(|c| rec.get(c).and_then(|v| v.parse().ok())).collect::<Option<_>>().ok_or_else(bad)?;
        rows.push(((row, r), vals));
    }
    Ok((settings, rows))
}
