//! The outputs of `kicsim run`: timeseries.csv, summary.json and the terminal's table.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::{RunRecord, final_values};
use crate::format::{column_name, fmt_num, report_unit};
use crate::io::csv_text;
use crate::registry::{KPIS, kpi_of};
use crate::sim::metrics::QuarterRecord;
use crate::stats::estimate_kpi;

/// The timeseries CSV: one row per quarter (and replication when there are several).
pub fn timeseries_csv(runs: &[Vec<QuarterRecord>], record: &RunRecord) -> String {
    let multi = runs.len() > 1;
    let mut header: Vec<String> = Vec::new();
    if multi {
        header.push("replication".into());
    }
    header.extend(["quarter".into(), "year".into()]);
    header.extend(KPIS.iter().map(column_name));
    let rows = runs.iter().enumerate().flat_map(|(r, run)| {
        run.iter().map(move |q| {
            let mut row = Vec::new();
            if multi {
                row.push(r.to_string());
            }
            row.push(q.quarter.to_string());
            row.push(fmt_num(q.year));
            row.extend(q.kpis().iter().map(|v| fmt_num(*v)));
            row
        })
    });
    csv_text(&record.comment_line(), &header, rows)
}

/// summary.json: final values (one run) or mean and 95% CI per KPI (replications).
pub fn summary_json(runs: &[Vec<QuarterRecord>], record: &RunRecord) -> Value {
    let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
    let mut kpis = Map::new();
    if let Some(first) = finals.first() {
        for (i, (name, _)) in first.iter().enumerate() {
            let xs: Vec<f64> = finals.iter().map(|f| f[i].1).collect();
            let v = if runs.len() == 1 {
                num(xs[0])
            } else {
                let e = estimate_kpi(name, &xs);
                json!({"mean": num(e.mean), "ci95_low": num(e.ci95_low), "ci95_high": num(e.ci95_high), "sd": num(e.sd)})
            };
            kpis.insert(kpi_of(name).map_or_else(|| name.clone(), column_name), v);
        }
    }
    json!({"run": record, "final": Value::Object(kpis)})
}

fn num(v: f64) -> Value {
    fmt_num(v).parse::<serde_json::Number>().map(Value::Number).unwrap_or(Value::Null)
}

/// The KPIs of the short table printed after a run, by name (labels, units and formats from
/// the registry).
pub const SUMMARY_KPIS: [&str; 8] = [
    "localization_rate",
    "final_year_exports_usd_m",
    "domestic_suppliers",
    "tier1_suppliers",
    "tier2_suppliers",
    "mean_supplier_capability",
    "employment",
    "cumulative_fiscal_cost_usd_m",
];

/// The short table printed after a run: each KPI's column name, its value (or mean and 95% CI)
/// as the registry writes it, and its unit.
pub fn summary_table(runs: &[Vec<QuarterRecord>]) -> String {
    let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
    let mut out = String::new();
    let multi = runs.len() > 1;
    writeln!(out, "{:<30} {:>12} {:>26}  unit", "KPI (final)", if multi { "mean" } else { "value" }, if multi { "95% CI" } else { "" })
        .ok();
    for name in SUMMARY_KPIS {
        let (Some(k), Some(i)) = (kpi_of(name), finals.first().and_then(|f| f.iter().position(|(n, _)| n == name))) else { continue };
        let xs: Vec<f64> = finals.iter().map(|f| f[i].1).collect();
        let e = estimate_kpi(name, &xs);
        let ci = if multi { format!("{} .. {}", k.fmt_mean(e.ci95_low), k.fmt_mean(e.ci95_high)) } else { String::new() };
        writeln!(out, "{:<30} {:>12} {:>26}  {}", name, k.fmt_mean(e.mean), ci, report_unit(k)).ok();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_s_mean_and_interval_agree_in_the_table() {
        // A count's mean over replications is rarely whole: "2 1 .. 2" for a mean of 1.8 read
        // as a mean at the end of its own interval; one decimal where it is not whole.
        let s = crate::scenario::Scenario { years: 6, ..crate::scenario::default_scenario() };
        let runs = crate::run::run_replications(&s, 10);
        let table = summary_table(&runs);
        let finals: Vec<Vec<(String, f64)>> = runs.iter().map(|r| final_values(r)).collect();
        let mut fractional = 0;
        for name in ["domestic_suppliers", "tier1_suppliers", "tier2_suppliers"] {
            let line = table.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{table}"));
            let words: Vec<f64> = line.split_whitespace().skip(1).take(4).filter_map(|w| w.replace(',', "").parse().ok()).collect();
            let [mean, lo, hi] = words[..] else { panic!("{line}") };
            assert!(lo <= mean && mean <= hi, "{line}");
            let i = finals[0].iter().position(|(n, _)| n == name).unwrap();
            let exact = finals.iter().map(|f| f[i].1).sum::<f64>() / finals.len() as f64;
            assert!((mean - exact).abs() < 0.051, "{line}: the mean is {exact}");
            fractional += usize::from(exact.fract() != 0.0);
        }
        assert!(fractional > 0, "some count's mean is not whole here, or the test checks nothing: {table}");
    }
}
