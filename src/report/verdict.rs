//! The plain-language verdict a compare or breakdown report opens with: which plan (or
//! incentive) gives the most localization, exports, and localization per USD million of fiscal
//! cost, and which differences are clear (their 95% CI excludes 0).

use super::table::{finals, paired_difference};
use crate::format::{fmt_difference_with_unit, fmt_with_unit};
use crate::registry::Kpi;
use crate::stats::{Estimate, estimate_kpi};
use crate::studies::comparison::{Arm, REPORT_KPIS, kpi};

const LOC: &str = "localization_rate";
const EXPORTS: &str = "final_year_exports_usd_m";
const FISCAL: &str = "cumulative_fiscal_cost_usd_m";

/// What to say with one replication, where nothing can be called clear.
const ONE_REPLICATION: &str =
    "With one replication there are no confidence intervals, so no difference can be called clear; run with --replications 10 or more.";

fn mean(arm: &Arm, name: &str) -> f64 {
    estimate_kpi(name, &finals(arm, name)).mean
}

/// "A, B and C".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Team B gives the most localization (45.2%), clearly more than every other plan." — the plan
/// with the highest mean of `name`, and whether its lead over each other plan is clear.
fn leader(arms: &[Arm], name: &str, what: &str) -> String {
    let k = kpi(name);
    let best = (0..arms.len()).max_by(|&a, &b| mean(&arms[a], name).total_cmp(&mean(&arms[b], name))).unwrap_or(0);
    let head = format!("{} gives the most {what} ({}).", arms[best].label, fmt_with_unit(k, mean(&arms[best], name)));
    if arms[best].runs.len() < 2 {
        return head;
    }
    let unclear: Vec<String> = (0..arms.len())
        .filter(|&i| i != best && !paired_difference(&arms[best], &arms[i], name).excludes_zero())
        .map(|i| arms[i].label.clone())
        .collect();
    if unclear.is_empty() {
        format!("{} Its lead over every other plan is clear.", head)
    } else {
        format!("{} Its lead over {} is not clear (the 95% CI of the difference includes 0).", head, and_list(&unclear))
    }
}

/// Localization per USD million of fiscal cost, against the first plan: the extra localization
/// a plan buys with its extra fiscal cost (a ratio of levels would crown a plan that costs
/// almost nothing). Only clear gains in localization count; a plan that gains at a lower cost
/// is better than any ratio.
fn per_fiscal(arms: &[Arm]) -> String {
    let (loc, fis) = (kpi(LOC), kpi(FISCAL));
    let first = &arms[0].label;
    let gains: Vec<(usize, Estimate, Estimate)> = (1..arms.len())
        .map(|i| (i, paired_difference(&arms[i], &arms[0], LOC), paired_difference(&arms[i], &arms[0], FISCAL)))
        .filter(|(_, dl, _)| dl.excludes_zero() && dl.mean > 0.0)
        .collect();
    let cheaper: Vec<String> = gains
        .iter()
        .filter(|(_, _, dc)| dc.mean <= 0.0)
        .map(|(i, dl, dc)| {
            format!("{} ({} localization, {} USD million fiscal cost)", arms[*i].label, loc.fmt_diff(dl.mean), fis.fmt_diff(dc.mean))
        })
        .collect();
    if !cheaper.is_empty() {
        return format!("More localization than {first} at no extra fiscal cost: {}.", and_list(&cheaper));
    }
    let best = gains.iter().map(|(i, dl, dc)| (*i, 100.0 * dl.mean / dc.mean, dl, dc)).max_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((i, r, dl, dc)) => format!(
            "{} buys the most localization per USD million of fiscal cost: {r:.3} percentage points per USD million more than {first} ({} for {} USD million).",
            arms[i].label,
            loc.fmt_diff(dl.mean),
            fis.fmt_diff(dc.mean)
        ),
        None if arms.len() > 1 && arms[0].runs.len() > 1 => {
            format!("No plan gains localization clearly over {first}, so none can be priced per USD million of fiscal cost.")
        }
        None => format!("No plan gains localization over {first} by a clear margin, so none is priced per USD million of fiscal cost."),
    }
}

/// The verdict of a comparison: the leaders, and every difference to the first plan that is
/// clearly above or below zero.
pub fn compare(arms: &[Arm]) -> Vec<String> {
    let mut out = vec![leader(arms, LOC, "localization"), leader(arms, EXPORTS, "exports per year"), per_fiscal(arms)];
    if arms.first().is_some_and(|a| a.runs.len() < 2) {
        out.push(ONE_REPLICATION.into());
        return out;
    }
    let first = &arms[0].label;
    for arm in &arms[1..] {
        let (mut up, mut down, mut unclear) = (Vec::new(), Vec::new(), Vec::new());
        for name in REPORT_KPIS {
            let k = kpi(name);
            let d = paired_difference(arm, &arms[0], name);
            let what = k.label.to_lowercase();
            match (d.excludes_zero(), d.mean > 0.0) {
                (true, true) => up.push(format!("{what} ({})", fmt_difference_with_unit(k, &d))),
                (true, false) => down.push(format!("{what} ({})", fmt_difference_with_unit(k, &d))),
                (false, _) => unclear.push(what),
            }
        }
        let mut parts = Vec::new();
        if !up.is_empty() {
            parts.push(format!("clearly higher {}", and_list(&up)));
        }
        if !down.is_empty() {
            parts.push(format!("clearly lower {}", and_list(&down)));
        }
        if !unclear.is_empty() {
            parts.push(format!("no clear difference in {}", and_list(&unclear)));
        }
        out.push(format!("{} against {first}: {}.", arm.label, parts.join("; ")));
    }
    out
}

/// One incentive's paired contributions (outcome with it minus outcome without it).
pub struct Contribution<'a> {
    pub incentive: &'a str,
    pub localization: &'a Estimate,
    pub exports: &'a Estimate,
    pub fiscal: &'a Estimate,
    /// Fiscal cost per localization point, where the gain is clear.
    pub cost_per_point: Option<f64>,
}

/// "+2.1 pp", "+62.4 USD million per year": a difference with its unit.
fn diff_with_unit(k: &Kpi, d: f64) -> String {
    let unit = crate::format::report_unit(k);
    if k.is_percent() || unit.is_empty() { k.fmt_diff(d) } else { format!("{} {unit}", k.fmt_diff(d)) }
}

/// "adds +2.1 pp (clear)": a contribution and whether it is clear.
fn effect(k: &Kpi, e: &Estimate) -> String {
    let clear = if e.n < 2 {
        ""
    } else if e.excludes_zero() {
        ", clearly"
    } else {
        ", not clearly different from 0"
    };
    format!("{}{clear}", k.fmt_diff(e.mean))
}

/// The verdict of a breakdown: the incentive that adds most localization, most exports, and
/// most localization per USD million; which clearly raise or lower localization and exports.
pub fn breakdown(rows: &[Contribution]) -> Vec<String> {
    let (loc, exp) = (kpi(LOC), kpi(EXPORTS));
    let mut out = Vec::new();
    if let Some(c) = rows.iter().max_by(|a, b| a.localization.mean.total_cmp(&b.localization.mean)) {
        out.push(format!("{} adds the most localization ({}).", c.incentive, effect(loc, c.localization)));
    }
    if let Some(c) = rows.iter().max_by(|a, b| a.exports.mean.total_cmp(&b.exports.mean)) {
        out.push(format!(
            "{} adds the most exports ({} USD million per year{}).",
            c.incentive,
            exp.fmt_diff(c.exports.mean),
            if c.exports.excludes_zero() { ", clearly" } else { "" }
        ));
    }
    match rows.iter().filter_map(|c| c.cost_per_point.map(|p| (c, p))).filter(|(_, p)| *p > 0.0).min_by(|a, b| a.1.total_cmp(&b.1)) {
        Some((c, p)) => out.push(format!(
            "{} gives the most localization per USD million of fiscal cost: {:.3} percentage points per USD million ({} for {} USD million of fiscal cost, USD {:.1} million per point).",
            c.incentive,
            1.0 / p,
            loc.fmt_diff(c.localization.mean),
            kpi(FISCAL).fmt_diff(c.fiscal.mean),
            p
        )),
        None => out.push("No incentive has both a clear localization gain and a fiscal cost, so none can be priced per point of localization.".into()),
    }
    if rows.first().is_some_and(|c| c.localization.n < 2) {
        out.push(ONE_REPLICATION.into());
        return out;
    }
    for (k, what, get) in [
        (loc, "localization", (|c: &Contribution| *c.localization) as fn(&Contribution) -> Estimate),
        (exp, "exports", |c: &Contribution| *c.exports),
    ] {
        let names = |up: bool| -> Vec<String> {
            rows.iter()
                .filter(|c| get(c).excludes_zero() && (get(c).mean > 0.0) == up)
                .map(|c| format!("{} ({})", c.incentive, diff_with_unit(k, get(c).mean)))
                .collect()
        };
        let none: Vec<String> = rows.iter().filter(|c| !get(c).excludes_zero()).map(|c| c.incentive.to_string()).collect();
        let mut parts = Vec::new();
        let (up, down) = (names(true), names(false));
        if !up.is_empty() {
            parts.push(format!("clearly raise {what}: {}", up.join(", ")));
        }
        if !down.is_empty() {
            parts.push(format!("clearly lower it: {}", down.join(", ")));
        }
        if !none.is_empty() {
            parts.push(format!("no clear effect on {what}: {}", none.join(", ")));
        }
        let mut s = parts.join("; ");
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        out.push(format!("{s}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::estimate;

    #[test]
    fn a_breakdown_verdict_names_the_leaders_and_the_clear_effects() {
        let (gain, noise) = (estimate(&[0.019, 0.020, 0.021]), estimate(&[0.004, -0.003, 0.002]));
        let (exports_a, exports_b) = (estimate(&[1.0, 2.0, 3.0]), estimate(&[50.0, 60.0, 70.0]));
        let fiscal = estimate(&[9.0, 10.0, 11.0]);
        let rows = [
            Contribution { incentive: "credit", localization: &gain, exports: &exports_a, fiscal: &fiscal, cost_per_point: Some(5.0) },
            Contribution { incentive: "promotion", localization: &noise, exports: &exports_b, fiscal: &fiscal, cost_per_point: None },
        ];
        let v = breakdown(&rows);
        assert_eq!(v[0], "credit adds the most localization (+2.0 pp, clearly).");
        assert_eq!(v[1], "promotion adds the most exports (+60.0 USD million per year, clearly).");
        assert!(
            v[2].starts_with("credit gives the most localization per USD million of fiscal cost: 0.200 percentage points per USD million"),
            "{}",
            v[2]
        );
        assert_eq!(v[3], "Clearly raise localization: credit (+2.0 pp); no clear effect on localization: promotion.");
        // +2 with a spread of 1 over three replications: its interval includes 0.
        assert_eq!(v[4], "Clearly raise exports: promotion (+60.0 USD million per year); no clear effect on exports: credit.");
        // One replication: leaders only, and why nothing is called clear.
        let one = estimate(&[0.02]);
        let rows = [Contribution { incentive: "credit", localization: &one, exports: &one, fiscal: &one, cost_per_point: None }];
        let v = breakdown(&rows);
        assert_eq!(v.last().map(String::as_str), Some(ONE_REPLICATION));
        assert!(v[2].starts_with("No incentive has both a clear localization gain"), "{}", v[2]);
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(and_list(&["a".into()]), "a");
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
