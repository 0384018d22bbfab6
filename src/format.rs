//! How numbers and names are written in the outputs and the window.

use std::path::Path;

use crate::registry::Kpi;
use crate::stats::Estimate;

/// Rounds for output: 6 significant decimals keeps files readable and byte-stable.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    }
}

/// "1 year", "10 years": a count with its noun.
pub fn count_of(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Scenario names as labels; where a name is empty or shared (teams that copied one file), the
/// file name tells them apart.
/// Two teams' files can share the file name too (teams/a/scenario.ron, teams/b/scenario.ron):
/// then the path as given; the same file given twice is numbered.
pub fn unique_labels(arms: &[(String, String)]) -> Vec<String> {
    let file_name = |f: &str| Path::new(f).file_name().map(|n| n.to_os_string());
    let mut labels: Vec<String> = arms
        .iter()
        .map(|(name, file)| {
            let same_name: Vec<&(String, String)> = arms.iter().filter(|(n, _)| n == name).collect();
            if !name.trim().is_empty() && same_name.iter().filter(|(_, f)| file_name(f) == file_name(file)).count() > 1 {
                format!("{file}: {name}")
            } else {
                arm_label(name, file, same_name.len() > 1)
            }
        })
        .collect();
    for i in 1..labels.len() {
        let earlier = labels[..i].iter().filter(|l| **l == labels[i]).count();
        if earlier > 0 {
            labels[i] = format!("{} #{}", labels[i], earlier + 1);
        }
    }
    labels
}

/// One scenario's label, for [`unique_labels`]: its name, or "file: name" when another scenario
/// has the same name (`shared`), or the file name when the name is empty.
pub(crate) fn arm_label(name: &str, file: &str, shared: bool) -> String {
    let file_name = Path::new(file).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.to_string());
    if name.trim().is_empty() {
        file_name
    } else if shared {
        format!("{file_name}: {name}")
    } else {
        name.to_string()
    }
}

/// Fits a label in `n` characters by cutting its middle: the ends tell labels apart
/// ("team_a.ron: …", "… #2").
pub fn shorten(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= n {
        return s.to_string();
    }
    let head = (n - 1) / 2;
    let tail = n - 1 - head;
    chars[..head].iter().chain(std::iter::once(&'…')).chain(&chars[chars.len() - tail..]).collect()
}

/// A KPI's value in the unit reports and charts show it in: the registry's rule, shares written
/// as percentages (differences of them in percentage points), everything else as it is.
pub fn shown(k: &Kpi, v: f64) -> f64 {
    if k.is_percent() { 100.0 * v } else { v }
}

/// The unit a report gives a KPI in: flows per quarter of the time series at their yearly rate
/// (the one rule for flows in reports: per year), shares in %.
pub fn report_unit(k: &Kpi) -> String {
    if k.quarterly_flow { k.display_unit().replace("per quarter", "per year") } else { k.display_unit().to_string() }
}

/// A KPI's column in timeseries.csv and key in summary.json: its registry name, and for a flow
/// per quarter `_per_quarter` after it (`exports_usd_m_per_quarter`), so the name says what the
/// number is; every other column is a level or says its period (`final_year_exports_usd_m`).
pub fn column_name(k: &Kpi) -> String {
    if k.quarterly_flow { format!("{}_per_quarter", k.name) } else { k.name.to_string() }
}

/// "Localization (%)", "Exports per year (USD million per year)": a KPI's label with its unit.
pub fn kpi_heading(k: &Kpi) -> String {
    let unit = report_unit(k);
    if unit.is_empty() { k.label.to_string() } else { format!("{} ({unit})", k.label) }
}

/// A level with its unit, for sentences: "55.9%", "3,531.7 USD million per year", "52 firms".
pub fn fmt_with_unit(k: &Kpi, v: f64) -> String {
    let unit = report_unit(k);
    if k.is_percent() || unit.is_empty() { k.fmt(v) } else { format!("{} {unit}", k.fmt(v)) }
}

/// A difference with its CI and unit, for sentences: "+2.4 pp [+1.0 pp, +3.8 pp]",
/// "+229.6 [+191.6, +267.7] USD million per year".
pub fn fmt_difference_with_unit(k: &Kpi, e: &Estimate) -> String {
    let unit = if k.is_percent() { String::new() } else { k.diff_unit().replace("per quarter", "per year") };
    if unit.is_empty() { fmt_difference(k, e) } else { format!("{} {unit}", fmt_difference(k, e)) }
}

/// A level with its 95% CI, as the registry writes the KPI: "33.1% [31.0%, 35.2%]" (no
/// interval with one replication).
pub fn fmt_estimate(k: &Kpi, e: &Estimate) -> String {
    if e.n > 1 { format!("{} [{}, {}]", k.fmt_mean(e.mean), k.fmt_mean(e.ci95_low), k.fmt_mean(e.ci95_high)) } else { k.fmt(e.mean) }
}

/// A difference with its 95% CI: "+2.4 pp [+1.0 pp, +3.8 pp]".
pub fn fmt_difference(k: &Kpi, e: &Estimate) -> String {
    if e.n > 1 { format!("{} [{}, {}]", k.fmt_diff(e.mean), k.fmt_diff(e.ci95_low), k.fmt_diff(e.ci95_high)) } else { k.fmt_diff(e.mean) }
}

/// A value of a scenario field as people read it: a share in percent ("12.5%"; files keep 0-1,
/// the registry says which fields are shares), anything else as [`fmt_num`] writes it.
pub fn fmt_field_value(path: &str, v: f64) -> String {
    // A model parameter may be named without its `model.` (the sensitivity tables' short names).
    let field = crate::registry::field_of(path).or_else(|| crate::registry::field_of(&format!("model.{path}")));
    match field {
        Some(f) if f.in_percent() && v.is_finite() => format!("{}%", fmt_num(f.shown(v))),
        _ => fmt_num(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_written_in_percent_and_other_values_as_they_are() {
        assert_eq!(fmt_field_value("incentives.cit_rate", 0.1), "10%");
        assert_eq!(fmt_field_value("model.hub_discount", 0.125), "12.5%");
        assert_eq!(fmt_field_value("model.foreign_local_inputs", 0.07), "7%");
        assert_eq!(fmt_field_value("model.import_cost", 1.15), "1.15");
        assert_eq!(fmt_field_value("model.tier2_threshold", 0.5), "0.5", "an index on 0-1 is not a share");
        assert_eq!(fmt_field_value("foreign_local_inputs", 0.1), "10%", "a parameter without its model.");
        assert_eq!(fmt_field_value("dummy", 0.5), "0.5");
    }

    #[test]
    fn counts_take_the_plural_from_two() {
        assert_eq!(count_of(1, "year"), "1 year");
        assert_eq!(count_of(0, "replication"), "0 replications");
        assert_eq!(count_of(10, "year"), "10 years");
    }

    #[test]
    fn number_format_is_stable() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(1.0 / 3.0), "0.333333");
        assert_eq!(fmt_num(-0.0000001), "0");
    }

    fn labels(arms: &[(&str, &str)]) -> Vec<String> {
        unique_labels(&arms.iter().map(|(n, f)| (n.to_string(), f.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn shortened_labels_keep_both_ends() {
        assert_eq!(shorten("Baseline", 12), "Baseline");
        let a = shorten("scenarios/baseline.ron: Baseline (typical incentives)", 40);
        let b = shorten("scenarios/baseline.ron: Baseline (typical incentives) #2", 40);
        assert_eq!(a.chars().count(), 40);
        assert_ne!(a, b, "a copy stays told apart: {a} / {b}");
        assert!(a.starts_with("scenarios/baseline") && b.ends_with(" #2"), "{a} / {b}");
    }

    #[test]
    fn labels_tell_same_named_scenarios_apart_by_file() {
        let arms =
            [("Baseline", "teams/a/team_a.ron"), ("Baseline", "teams/b/team_b.ron"), ("Strong LCR", "strong.ron"), ("  ", "nameless.ron")];
        assert_eq!(labels(&arms), ["team_a.ron: Baseline", "team_b.ron: Baseline", "Strong LCR", "nameless.ron"]);
        // Every team's file called scenario.ron: the paths tell them apart; one file given twice is numbered.
        let same_file_name =
            [("Baseline", "teams/a/scenario.ron"), ("Baseline", "teams/b/scenario.ron"), ("Other", "x.ron"), ("Other", "x.ron")];
        assert_eq!(
            labels(&same_file_name),
            ["teams/a/scenario.ron: Baseline", "teams/b/scenario.ron: Baseline", "x.ron: Other", "x.ron: Other #2"]
        );
        // One scenario whose name is shown elsewhere too: its file name comes first.
        assert_eq!(arm_label("Baseline", "scenarios/baseline.ron", true), "baseline.ron: Baseline");
    }

    #[test]
    fn kpis_are_written_by_the_registry_rule() {
        let loc = crate::registry::kpi_of("localization_rate").unwrap();
        let e = crate::stats::estimate(&[0.30, 0.32, 0.34]);
        assert_eq!(shown(loc, 0.331), 33.1);
        assert_eq!(kpi_heading(loc), "Localization (%)");
        assert!(fmt_estimate(loc, &e).starts_with("32.0% ["), "{}", fmt_estimate(loc, &e));
        assert!(fmt_difference(loc, &e).starts_with("+32.0 pp ["), "{}", fmt_difference(loc, &e));
        let exports = crate::registry::kpi_of("exports_usd_m").unwrap();
        assert_eq!(kpi_heading(exports), "Exports (USD million per year)", "flows are reported per year");
        assert_eq!(shown(exports, 2.5), 2.5);
    }
}
