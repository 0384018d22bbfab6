//! report.md and report.html (self-contained: charts inline as SVG) from one [`Report`], through
//! the templates in `src/templates/` (minijinja; HTML autoescaped, Markdown table cells escaped),
//! and the charts and report.json of compare and breakdown.

use std::path::Path;

use minijinja::Environment;
use minijinja::value::{Serde, Value};
use serde::Serialize;
use serde_json::json;

use super::Arm;
use super::table::KpiTable;
use crate::charts::band::{Band, band, band_title, kpi_files};
use crate::charts::footer_of;
use crate::io::OutputSet;
use crate::run::RunRecord;

/// The KPIs charted over time, by name (titles and units from the registry).
pub const CHART_KPIS: [&str; 5] =
    ["localization_rate", "exports_usd_m", "tier1_suppliers", "domestic_suppliers", "cumulative_fiscal_cost_usd_m"];

/// Everything a report says, in the order it says it; the templates only lay it out.
#[derive(Serialize, Default)]
pub(crate) struct Report {
    pub title: String,
    /// The plain-language verdict the report opens with, one sentence a line.
    pub verdict: Vec<String>,
    /// What was run: replications, seeds.
    pub intro: String,
    /// What a 95% confidence interval means, in one sentence.
    pub ci_note: String,
    pub notes: Vec<Note>,
    pub table: Option<KpiTable>,
    pub sections: Vec<Section>,
    pub records: Vec<RunRecord>,
}

#[derive(Serialize)]
pub(crate) struct Note {
    pub heading: String,
    pub text: String,
}

/// A part of a report: a heading, a paragraph, a table of text cells, charts.
#[derive(Serialize, Default)]
pub(crate) struct Section {
    pub title: String,
    pub intro: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Left-aligned cells (words, not numbers).
    pub text: bool,
    /// A line after the table (rows left out, say).
    pub more: String,
    pub charts: Vec<Chart>,
}

/// A chart: its title, the PNG beside the report (Markdown links it) and its SVG (the HTML
/// holds it inline).
#[derive(Serialize)]
pub(crate) struct Chart {
    pub title: String,
    pub png: String,
    pub svg: String,
}

/// One sentence for readers who are not statisticians: what the brackets mean.
pub(crate) const CI_NOTE: &str = "Square brackets give a 95% confidence interval: the range in which the average over many more runs of the same plan would fall, 19 times out of 20. A difference whose interval lies wholly above or below 0 is clear: it is not down to the luck of the draws.";

/// What was run: replications and seeds, and how to read the table.
pub(crate) fn intro(arms: &[Arm]) -> String {
    let n = arms.first().map_or(0, |a| a.runs.len());
    let seed = arms.first().map_or(0, |a| a.scenario.seed);
    format!(
        "{} per scenario with common random numbers (replication r uses seed {seed} + r in every scenario), so differences come from the plans, not from luck. Values are final-quarter values unless named otherwise; Δ is the paired difference to the first scenario.",
        crate::format::count_of(n as u64, "replication")
    )
}

/// Markdown that shows as the text it holds: characters that would start emphasis, code, a link
/// or an HTML tag are escaped, line breaks become spaces. (Brackets alone, `_` and `&` stay as typed, so
/// the file reads well as plain text too.)
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.replace("](", "]\\(")
}

/// [`md_text`] for a table cell: a `|` would end the cell.
fn md_cell(s: &str) -> String {
    md_text(s).replace('|', "\\|")
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Autoescape follows the name: report.html escapes everything it inserts (a scenario called
    // <b>"A" & B</b> shows as written); report.md has its own filters.
    env.add_template("report.html", include_str!("../templates/report.html")).expect("report.html is a valid template");
    env.add_template("report.md", include_str!("../templates/report.md")).expect("report.md is a valid template");
    env.add_filter("md", |s: String| md_text(&s));
    env.add_filter("cell", |s: String| md_cell(&s));
    env
}

/// The report as Markdown and as self-contained HTML.
pub(crate) fn render(report: &Report) -> Result<(String, String), String> {
    let env = environment();
    let ctx = Value::from(Serde(report));
    let render = |name: &str| env.get_template(name).and_then(|t| t.render(ctx.clone())).map_err(|e| format!("cannot write {name}: {e:#}"));
    Ok((render("report.md")?, render("report.html")?))
}

/// Adds report.md and report.html to the output set.
pub(crate) fn add_report(set: &mut OutputSet, out: &Path, report: &Report) -> Result<(), String> {
    let (md, html) = render(report)?;
    set.add(out.join("report.md"), md);
    set.add(out.join("report.html"), html);
    Ok(())
}

/// The charts of each KPI over time, one band per scenario, as a report section.
pub(crate) fn band_charts(set: &mut OutputSet, out: &Path, arms: &[Arm]) -> Result<Section, String> {
    let footer = footer_of(arms.iter().map(|a| &a.record));
    let mut charts = Vec::new();
    for name in CHART_KPIS {
        let k = super::kpi(name);
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

/// The parts that `--parameter-draws` adds to a report (after its own sections), and its
/// `parameter_uncertainty` object for report.json (`{}` without draws).
pub(crate) fn uncertainty_appendix(u: Option<crate::uncertainty::Section>) -> (Vec<Section>, serde_json::Value) {
    let Some(u) = u else { return (Vec::new(), json!({})) };
    let sections = u
        .parts
        .into_iter()
        .map(|p| Section { title: p.title, intro: p.intro, header: p.header, rows: p.rows, text: false, more: p.more, charts: Vec::new() })
        .collect();
    (sections, json!({ "parameter_uncertainty": u.json }))
}

/// Writes the report (report.md, report.html), report.json (the runs, the table and `extra`) and
/// the files already in `set`, as one set.
pub(crate) fn write_report(
    mut set: OutputSet,
    out: &Path,
    report: &Report,
    table_json: serde_json::Value,
    extra: serde_json::Value,
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {}", out.display(), crate::io_words(&e)))?;
    add_report(&mut set, out, report)?;
    let mut doc = json!({"runs": report.records, "verdict": report.verdict, "table": table_json});
    if let (Some(d), serde_json::Value::Object(more)) = (doc.as_object_mut(), extra) {
        d.extend(more);
    }
    set.add(out.join("report.json"), serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n");
    set.write(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_markup_survive_both_templates() {
        let name = "Team \"A\", <b>B</b> | C & D_e *f*";
        let report = Report {
            title: format!("Scenario comparison: {name}"),
            verdict: vec![format!("Most localization: {name}.")],
            sections: vec![Section {
                title: "Inputs".into(),
                header: vec!["input".into(), name.into()],
                rows: vec![vec![name.into(), "1".into()]],
                text: true,
                ..Section::default()
            }],
            ..Report::default()
        };
        let (md, html) = render(&report).unwrap();
        // HTML: escaped, never markup.
        assert!(
            !html.contains("<b>B</b>") && html.contains("&lt;b&gt;B&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;B&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("&quot;A&quot;") && html.contains("C &amp; D_e"), "{html}");
        // Markdown: a `|` in a cell is escaped, so the row keeps its two cells.
        let row = md.lines().find(|l| l.starts_with("| Team")).unwrap();
        assert_eq!(row.matches(" | ").count(), 1, "{row}");
        assert!(row.contains("C & D_e \\*f\\*") && row.contains("\\|"), "{row}");
        assert!(md.contains("&lt;b>B&lt;/b>"), "{md}");
    }
}
