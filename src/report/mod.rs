//! The one report layer: what a report says ([`Report`], made of [`Section`]s: a heading, a
//! paragraph, a table, charts) laid out by the templates in `templates/` (minijinja; report.html
//! autoescaped, report.md with its own escaping), and the report written with its charts and
//! report.json as one set ([`crate::io::OutputSet`]).
//!
//! The commands fill it from section builders, one file each: [`comparison`] (compare and
//! breakdown: intro, KPI charts), [`table`], [`verdict`], [`inputs`], [`uncertainty`] (what
//! parameter draws add), [`sweep`], [`optimize`] (goal seeking); [`sensitivity`] and [`calibration`] build their pages from
//! blocks of their own, which [`page`] lays out with the same stylesheet.

use std::path::Path;

use minijinja::Environment;
use minijinja::value::{Serde, Value};
use serde::Serialize;
use serde_json::json;

use crate::io::OutputSet;
use crate::run::RunRecord;
use table::KpiTable;

pub mod calibration;
pub mod comparison;
pub mod inputs;
pub mod optimize;
pub mod page;
pub mod sensitivity;
pub mod sweep;
pub mod table;
pub mod uncertainty;
pub mod verdict;

/// Everything a report says, in the order it says it; the templates only lay it out.
#[derive(Serialize, Default)]
pub struct Report {
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
pub struct Note {
    pub heading: String,
    pub text: String,
}

/// A part of a report: a heading, a paragraph, a table of text cells, charts.
#[derive(Serialize, Default)]
pub struct Section {
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
pub struct Chart {
    pub title: String,
    pub png: String,
    pub svg: String,
}

/// One sentence for readers who are not statisticians: what the brackets mean.
pub const CI_NOTE: &str = "Square brackets give a 95% confidence interval: the range in which the average over many more runs of the same plan would fall, 19 times out of 20. A difference whose interval lies wholly above or below 0 is clear: it is not down to the luck of the draws.";

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
    env.add_template("style.css", include_str!("templates/style.css")).expect("style.css is a valid template");
    env.add_template("page.html", include_str!("templates/page.html")).expect("page.html is a valid template");
    env.add_template("report.html", include_str!("templates/report.html")).expect("report.html is a valid template");
    env.add_template("report.md", include_str!("templates/report.md")).expect("report.md is a valid template");
    env.add_filter("md", |s: String| md_text(&s));
    env.add_filter("cell", |s: String| md_cell(&s));
    env
}

/// The report as Markdown and as self-contained HTML.
pub fn render(report: &Report) -> Result<(String, String), String> {
    let env = environment();
    let ctx = Value::from(Serde(report));
    let render = |name: &str| env.get_template(name).and_then(|t| t.render(ctx.clone())).map_err(|e| format!("cannot write {name}: {e:#}"));
    Ok((render("report.md")?, render("report.html")?))
}

/// A page of blocks as self-contained HTML ([`page::Page::render`]).
fn render_page(page: &page::Page) -> Result<String, String> {
    environment()
        .get_template("page.html")
        .and_then(|t| t.render(Value::from(Serde(page))))
        .map_err(|e| format!("cannot write report.html: {e:#}"))
}

/// Adds report.md and report.html to the output set.
pub fn add_report(set: &mut OutputSet, out: &Path, report: &Report) -> Result<(), String> {
    let (md, html) = render(report)?;
    set.add(out.join("report.md"), md);
    set.add(out.join("report.html"), html);
    Ok(())
}

/// Writes the report (report.md, report.html), report.json (the runs, the table and `extra`) and
/// the files already in `set`, as one set.
pub fn write_report(
    mut set: OutputSet,
    out: &Path,
    report: &Report,
    table_json: serde_json::Value,
    extra: serde_json::Value,
) -> Result<(), String> {
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
