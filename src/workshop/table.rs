//! The table of a comparison: each KPI's mean and 95% CI per scenario, and the paired
//! difference to the first scenario.

use std::fmt::Write as _;

use serde_json::json;

use super::{Arm, value};
use crate::format::shorten;
use crate::stats::{Estimate, estimate, estimate_kpi};

/// KPIs shown in reports: (column, label, scale for display).
pub const REPORT_KPIS: [(&str, &str); 6] = [
    ("localization_rate", "Localization rate"),
    ("final_year_exports_usd_m", "Exports, final year (USD m)"),
    ("total_exports_usd_m", "Exports, cumulative (USD m)"),
    ("tier1_suppliers", "Tier-1 suppliers"),
    ("domestic_suppliers", "Domestic suppliers"),
    ("cumulative_fiscal_cost_usd_m", "Fiscal cost, cumulative (USD m)"),
];

pub(crate) fn fmt_est(e: &Estimate, pct: bool) -> String {
    let k = if pct { 100.0 } else { 1.0 };
    if e.n > 1 { format!("{:.2} [{:.2}, {:.2}]", e.mean * k, e.ci95_low * k, e.ci95_high * k) } else { format!("{:.2}", e.mean * k) }
}

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
    for (kpi, label) in REPORT_KPIS {
        let pct = kpi == "localization_rate";
        let unit = if pct { " (%)" } else { "" };
        write!(md, "| {label}{unit} |").ok();
        writeln!(text, "{label}{unit}").ok();
        let base: Vec<f64> = arms[0].runs.iter().map(|r| value(r, kpi)).collect();
        let mut cells = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            let xs: Vec<f64> = arm.runs.iter().map(|r| value(r, kpi)).collect();
            let e = estimate_kpi(kpi, &xs);
            let mut cell = fmt_est(&e, pct);
            let mut diff = None;
            if i > 0 {
                let d: Vec<f64> = xs.iter().zip(&base).map(|(x, b)| x - b).collect();
                let de = estimate(&d);
                write!(cell, "; Δ {}", fmt_est(&de, pct)).ok();
                diff = Some(de);
            }
            write!(md, " {cell} |").ok();
            writeln!(text, "  {:<width$} {cell}", shorten(&arm.label, width)).ok();
            cells.push(json!({"scenario": arm.label, "estimate": e, "difference_to_first": diff}));
        }
        md.push('\n');
        rows.push(json!({"kpi": kpi, "values": cells}));
    }
    Table { md, text, json: serde_json::Value::Array(rows) }
}
