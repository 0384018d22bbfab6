//! What compare and breakdown reports share: the intro (replications, seeds) and the charts of
//! each KPI over time with one band per scenario.

use std::path::Path;

use super::{Chart, Section};
use crate::charts::band::{Band, band, band_title, kpi_files};
use crate::charts::footer_of;
use crate::io::OutputSet;
use crate::studies::comparison::{Arm, kpi};

/// The KPIs charted over time, by name (titles and units from the registry).
pub const CHART_KPIS: [&str; 5] =
    ["localization_rate", "exports_usd_m", "tier1_suppliers", "domestic_suppliers", "cumulative_fiscal_cost_usd_m"];

/// What was run: replications and seeds, and how to read the table.
pub fn intro(arms: &[Arm]) -> String {
    let n = arms.first().map_or(0, |a| a.runs.len());
    let seed = arms.first().map_or(0, |a| a.scenario.seed);
    format!(
        "{} per scenario with common random numbers (replication r uses seed {seed} + r in every scenario), so differences come from the plans, not from luck. Values are final-quarter values unless named otherwise; Δ is the paired difference to the first scenario.",
        crate::format::count_of(n as u64, "replication")
    )
}

/// The charts of each KPI over time, one band per scenario, as a report section.
pub fn band_charts(set: &mut OutputSet, out: &Path, arms: &[Arm]) -> Result<Section, String> {
    let footer = footer_of(arms.iter().map(|a| &a.record));
    let mut charts = Vec::new();
    for name in CHART_KPIS {
        let k = kpi(name);
        let title = band_title(k);
        let series: Vec<(String, Band)> = arms.iter().map(|a| (a.label.clone(), band(&a.runs, k))).collect();
        let svg = kpi_files(set, out, name, &title, &series, &footer)?;
        charts.push(Chart { title, png: format!("{name}.png"), svg });
    }
    Ok(Section {
        title: "Charts".into(),
        intro: "Each line is the mean over the replications; the shaded band around it is its 95% confidence interval.".into(),
        charts,
        ..Section::default()
    })
}
