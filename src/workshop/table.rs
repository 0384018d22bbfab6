//! The table of a comparison: each KPI's mean and 95% CI per scenario, and the paired
//! difference to the first scenario.

use std::fmt::Write as _;

use serde_json::json;

use super::{Arm, REPORT_KPIS, kpi, value};
use crate::format::{fmt_difference, fmt_estimate, kpi_heading, shorten};
use crate::stats::{estimate, estimate_kpi};

pub(crate) struct Table {
    /// Markdown table.
    pub(crate) md: String,
    /// Plain text for the terminal.
    pub(crate) text: String,
    /// JSON rows.
    pub(crate) json: serde_json::Value,
}

pub(crate) fn comparison_table(arms: &[Arm]) -> Table {
    let mut md = String::from("| KPI |");
    for arm in arms {
        write!(md, " {} |", arm.label).ok();
    }
    md.push_str("\n|---|");
    for _ in arms {
        md.push_str("---|");
    }
    md.push('\n');
    let mut text = String::new();
    // The console table's label column: as wide as the longest label, up to 48 characters.
    let width = arms.iter().map(|a| a.label.chars().count()).max().unwrap_or(0).clamp(12, 48);
    writeln!(text, "mean [95% CI]; Δ = paired difference to the first scenario").ok();
    let mut rows = Vec::new();
    for name in REPORT_KPIS {
        let k = kpi(name);
        let heading = kpi_heading(k);
        write!(md, "| {heading} |").ok();
        writeln!(text, "{heading}").ok();
        let base: Vec<f64> = arms[0].runs.iter().map(|r| value(r, name)).collect();
        let mut cells = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            let xs: Vec<f64> = arm.runs.iter().map(|r| value(r, name)).collect();
            let e = estimate_kpi(name, &xs);
            let mut cell = fmt_estimate(k, &e);
            let mut diff = None;
            if i > 0 {
                let d: Vec<f64> = xs.iter().zip(&base).map(|(x, b)| x - b).collect();
                let de = estimate(&d);
                write!(cell, "; Δ {}", fmt_difference(k, &de)).ok();
                diff = Some(de);
            }
            write!(md, " {cell} |").ok();
            writeln!(text, "  {:<width$} {cell}", shorten(&arm.label, width)).ok();
            cells.push(json!({"scenario": arm.label, "estimate": e, "difference_to_first": diff}));
        }
        md.push('\n');
        rows.push(json!({"kpi": name, "values": cells}));
    }
    Table { md, text, json: serde_json::Value::Array(rows) }
}
