//! report.md, report.html (self-contained) and report.json of compare and breakdown.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::Arm;
use super::table::Table;
use crate::charts::band::{Band, band, band_title, kpi_files};
use crate::charts::footer_of;
use crate::format::count_of;
use crate::io::OutputSet;
use crate::run::RunRecord;

/// The KPIs charted over time, by name (titles and units from the registry).
pub const CHART_KPIS: [&str; 5] =
    ["localization_rate", "exports_usd_m", "tier1_suppliers", "domestic_suppliers", "cumulative_fiscal_cost_usd_m"];

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub(crate) fn md_to_html_table(md: &str) -> String {
    let mut out = String::from("<table>\n");
    for (i, line) in md.lines().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in cells {
            write!(out, "<{tag}>{}</{tag}>", html_escape(c.trim())).ok();
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// Writes report.md, report.html (self-contained: inline SVG), report.json and the charts, with
/// the files already in `set`, as one set.
pub(crate) fn write_report(
    mut set: OutputSet,
    out: &Path,
    title: &str,
    arms: &[Arm],
    table: &Table,
    extra: &[(String, String, String)],
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let footer = footer_of(arms.iter().map(|a| &a.record));
    let mut svgs = Vec::new();
    for name in CHART_KPIS {
        let k = super::kpi(name);
        let label = band_title(k);
        let series: Vec<(String, Band)> = arms.iter().map(|a| (a.label.clone(), band(&a.runs, k))).collect();
        let svg = kpi_files(&mut set, out, name, &label, &series, &footer)?;
        svgs.push((name.to_string(), label, svg));
    }
    let records: Vec<&RunRecord> = arms.iter().map(|a| &a.record).collect();
    let n = arms.first().map(|a| a.runs.len()).unwrap_or(0);
    let mut md = format!("# {title}\n\n");
    writeln!(md, "{} per scenario with common random numbers (replication r uses seed {} + r in every scenario). Values are final-quarter values unless named otherwise; brackets give 95% confidence intervals; Δ is the paired difference to the first scenario.\n", count_of(n as u64, "replication"), arms.first().map(|a| a.scenario.seed).unwrap_or(0)).ok();
    md.push_str(&table.md);
    md.push('\n');
    for (name, body_md, _) in extra {
        writeln!(md, "## {name}\n\n{body_md}\n").ok();
    }
    md.push_str("## Charts\n\n");
    for (kpi, label, _) in &svgs {
        writeln!(md, "![{label}]({kpi}.png)\n").ok();
    }
    md.push_str("## Run records\n\n| scenario | file | hash | seed | years | replications | version |\n|---|---|---|---|---|---|---|\n");
    for r in &records {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | kicsim {} |",
            r.scenario, r.scenario_file, r.scenario_hash, r.seed, r.years, r.replications, r.version
        )
        .ok();
    }

    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:right}}th{{background:#eee}}td:first-child,th:first-child{{text-align:left}}svg{{max-width:100%;height:auto}}</style></head><body>\n<h1>{t}</h1>\n",
        t = html_escape(title)
    );
    writeln!(html, "<p>{} per scenario with common random numbers. Brackets: 95% confidence intervals; Δ: paired difference to the first scenario.</p>", count_of(n as u64, "replication")).ok();
    html.push_str(&md_to_html_table(&table.md));
    for (name, _, body_html) in extra {
        writeln!(html, "<h2>{}</h2>\n{body_html}", html_escape(name)).ok();
    }
    html.push_str("<h2>Charts</h2>\n");
    for (_, _, svg) in &svgs {
        html.push_str(svg);
        html.push('\n');
    }
    html.push_str("<h2>Run records</h2>\n<table><tr><th>scenario</th><th>file</th><th>hash</th><th>seed</th><th>years</th><th>replications</th><th>version</th></tr>\n");
    for r in &records {
        writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>kicsim {}</td></tr>",
            html_escape(&r.scenario),
            html_escape(&r.scenario_file),
            r.scenario_hash,
            r.seed,
            r.years,
            r.replications,
            r.version
        )
        .ok();
    }
    html.push_str("</table>\n</body></html>\n");
    let summary = serde_json::to_string_pretty(&json!({"runs": records, "table": table.json})).map_err(|e| e.to_string())? + "\n";
    set.add(out.join("report.md"), md);
    set.add(out.join("report.html"), html);
    set.add(out.join("report.json"), summary);
    set.write(out)
}
