//! The table of a comparison: each KPI's mean and 95% CI per scenario, and the paired
//! difference to the first scenario, for the report (cells), the terminal (text) and report.json.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use crate::format::{fmt_difference, fmt_estimate, kpi_heading, shorten};
use crate::registry::Kpi;
use crate::stats::{Estimate, estimate, estimate_kpi};
use crate::studies::comparison::{Arm, REPORT_KPIS, kpi, value};

/// The table as a report lays it out: a row per KPI, a column per scenario.
#[derive(Serialize)]
pub struct KpiTable {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<KpiRow>,
}

#[derive(Serialize)]
pub struct KpiRow {
    pub label: String,
    pub cells: Vec<KpiCell>,
}

/// One scenario's value of one KPI, written by the registry's rules.
#[derive(Serialize, Default)]
pub struct KpiCell {
    /// "33.1%".
    pub value: String,
    /// "[31.0%, 35.2%]" (empty with one replication).
    pub ci: String,
    /// The paired difference to the first scenario, "+2.4 pp" (empty for the first).
    pub diff: String,
    pub diff_ci: String,
    /// "up" or "down" where the difference's CI excludes 0, else "".
    pub sign: &'static str,
    /// The report's colour of a clear difference: "better" or "worse" for the plan (the
    /// registry's direction: more fiscal cost is worse), "clear" where neither way is better.
    pub tone: &'static str,
}

pub struct Table {
    pub view: KpiTable,
    /// Plain text for the terminal.
    pub text: String,
    /// JSON rows.
    pub json: serde_json::Value,
}

/// "[31.0%, 35.2%]": an interval as the registry writes the KPI (levels or differences).
fn interval(e: &Estimate, fmt: impl Fn(f64) -> String) -> String {
    if e.n > 1 { format!("[{}, {}]", fmt(e.ci95_low), fmt(e.ci95_high)) } else { String::new() }
}

/// "up", "down" or "": the sign of a difference whose 95% CI excludes zero.
pub fn clear_sign(e: &Estimate) -> &'static str {
    match (e.excludes_zero(), e.mean > 0.0) {
        (false, _) => "",
        (true, true) => "up",
        (true, false) => "down",
    }
}

/// The cell of a level and, for every scenario but the first, its paired difference.
fn cell(k: &Kpi, e: &Estimate, diff: Option<&Estimate>) -> KpiCell {
    let level = |v| if e.n > 1 { k.fmt_mean(v) } else { k.fmt(v) };
    let mut c = KpiCell { value: level(e.mean), ci: interval(e, level), ..KpiCell::default() };
    if let Some(d) = diff {
        c.diff = k.fmt_diff(d.mean);
        c.diff_ci = interval(d, |v| k.fmt_diff(v));
        c.sign = clear_sign(d);
        c.tone = tone(k, d);
    }
    c
}

/// "better", "worse" or "clear" for a clear difference, "" for one within chance.
pub fn tone(k: &Kpi, d: &Estimate) -> &'static str {
    match (d.excludes_zero(), k.is_better(d.mean)) {
        (false, _) => "",
        (true, Some(true)) => "better",
        (true, Some(false)) => "worse",
        (true, None) => "clear",
    }
}

/// The table's row of value for money: each plan's extra fiscal cost per extra localization
/// point against `reference` (one measure, [`crate::studies::value`]), and the JSON of it.
pub fn value_row(arms: &[Arm], references: &[&Arm]) -> (KpiRow, serde_json::Value) {
    let v = &crate::registry::VALUE_FOR_MONEY;
    let mut cells = Vec::new();
    let mut json_cells = Vec::new();
    for (arm, reference) in arms.iter().zip(references) {
        let (extra_loc, extra_cost) = value_pairs(arm, reference);
        let value = crate::studies::value::value_for_money(&extra_loc, &extra_cost);
        let (text, ci) = match value {
            crate::studies::value::Value::PerPoint(e) => (format!("{:.1}", e.mean), interval(&e, |x| format!("{x:.1}"))),
            _ if crate::studies::value::is_reference(&arm.scenario, &reference.scenario) => ("the reference".into(), String::new()),
            other => (other.short(), String::new()),
        };
        cells.push(KpiCell { value: text, ci, ..KpiCell::default() });
        json_cells.push(json!({"scenario": arm.label, "value": value.per_point(), "words": value.words()}));
    }
    let against = reference_label(references);
    let label = format!("{} ({}), against {against}", v.label, v.unit);
    let json = json!({"kpi": v.name, "unit": v.unit, "reference": against, "values": json_cells});
    (KpiRow { label, cells }, json)
}

/// The final value of `name` in each replication of an arm.
pub fn finals(arm: &Arm, name: &str) -> Vec<f64> {
    arm.runs.iter().map(|r| value(r, name)).collect()
}

/// The differences of `name` between two arms, replication by replication (same seeds).
pub fn paired_differences(a: &Arm, b: &Arm, name: &str) -> Vec<f64> {
    finals(a, name).iter().zip(finals(b, name)).map(|(x, y)| x - y).collect()
}

/// The paired difference of `name` between two arms (same seeds, replication by replication).
pub fn paired_difference(a: &Arm, b: &Arm, name: &str) -> Estimate {
    estimate(&paired_differences(a, b, name))
}

/// What value for money reads of an arm against its reference: the paired (extra localization,
/// extra cumulative fiscal cost), replication by replication.
/// What the plans' value for money is against: the one reference they share, or each plan's own
/// (plans whose layouts differ, not only their public spending).
pub fn reference_label(references: &[&Arm]) -> String {
    match references {
        [first, rest @ ..] if rest.iter().all(|r| r.scenario == first.scenario) => first.label.clone(),
        _ => format!("each plan {}; their layouts differ, so each has its own", crate::studies::value::REFERENCE_WORDS),
    }
}

pub fn value_pairs(arm: &Arm, reference: &Arm) -> (Vec<f64>, Vec<f64>) {
    (paired_differences(arm, reference, "localization_rate"), paired_differences(arm, reference, "cumulative_fiscal_cost_usd_m"))
}

pub fn comparison_table(arms: &[Arm]) -> Table {
    let mut text = String::new();
    // The console table's label column: as wide as the longest label, up to 48 characters.
    let width = arms.iter().map(|a| a.label.chars().count()).max().unwrap_or(0).clamp(12, 48);
    writeln!(text, "mean [95% CI]; Δ = paired difference to the first scenario").ok();
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for name in REPORT_KPIS {
        let k = kpi(name);
        let heading = kpi_heading(k);
        writeln!(text, "{heading}").ok();
        let mut cells = Vec::new();
        let mut json_cells = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            let e = estimate_kpi(name, &finals(arm, name));
            let diff = (i > 0).then(|| paired_difference(arm, &arms[0], name));
            let mut line = fmt_estimate(k, &e);
            if let Some(d) = &diff {
                write!(line, "; Δ {}", fmt_difference(k, d)).ok();
            }
            writeln!(text, "  {:<width$} {line}", shorten(&arm.label, width)).ok();
            cells.push(cell(k, &e, diff.as_ref()));
            json_cells.push(json!({"scenario": arm.label, "estimate": e, "difference_to_first": diff}));
        }
        rows.push(KpiRow { label: heading, cells });
        json_rows.push(json!({"kpi": name, "unit": k.unit, "values": json_cells}));
    }
    let mut header = vec!["KPI (final value)".to_string()];
    header.extend(arms.iter().map(|a| a.label.clone()));
    let title = "Results".to_string();
    Table { view: KpiTable { title, header, rows }, text, json: serde_json::Value::Array(json_rows) }
}
