//! The reports' one stylesheet (`templates/style.css`, which report.html includes), and for the
//! pages built as strings (the sensitivity and calibration reports) their head, escaping and
//! tables.

use std::fmt::Write as _;

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A markdown table as HTML (cells escaped).
pub fn md_table_html(md: &str) -> String {
    let mut out = String::from("<table>\n");
    for (i, line) in md.lines().filter(|l| l.starts_with('|')).enumerate() {
        if i == 1 {
            continue;
        }
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in line.trim().trim_matches('|').split('|') {
            write!(out, "<{tag}>{}</{tag}>", html_escape(c.trim())).ok();
        }
        out.push_str("</tr>\n");
    }
    out + "</table>\n"
}

/// The stylesheet of every report.html.
pub const STYLE: &str = include_str!("templates/style.css");

/// The start of a self-contained page: its head with the stylesheet (and `extra` rules after
/// it), and its title as the first heading.
pub fn page_head(title: &str, extra_css: &str) -> String {
    let t = html_escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n<style>\n{STYLE}{extra_css}</style></head>\n<body>\n<h1>{t}</h1>\n"
    )
}
