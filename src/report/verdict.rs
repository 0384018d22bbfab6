//! The plain-language verdict a compare or breakdown report opens with: which plan (or budget
//! item) gives the most localization and exports, which is the best value for money (the one
//! measure, [`crate::studies::value`]), and which differences are clear (their 95% CI excludes 0).

use super::table::{finals, paired_difference, value_pairs};
use crate::format::{fmt_difference_with_unit, fmt_with_unit};
use crate::registry::Kpi;
use crate::stats::{Estimate, estimate_kpi};
use crate::studies::comparison::{Arm, REPORT_KPIS, kpi};
use crate::studies::value::{Value, rank};

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

/// Value for money ([`crate::studies::value`]): every plan's extra fiscal cost per extra
/// localization point against its reference (the plan without public spending: one reference for
/// plans that differ only in it), ranked, with whether each step of the ranking is clear or
/// within chance. With two priced plans it says "clearly better value than" or "better value
/// than, though within chance"; a plan that is itself the reference has nothing to price.
fn value_for_money(arms: &[Arm], references: &[&Arm]) -> Vec<String> {
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = arms.iter().zip(references).map(|(a, r)| value_pairs(a, r)).collect();
    let ranked = rank(&pairs);
    let against = crate::report::table::reference_label(references);
    let mut out = vec![format!("Value for money is each plan's extra fiscal cost per extra localization point against {against}.")];
    let value_of = |i: usize| format!("{} ({})", arms[i].label, ranked.iter().find(|r| r.0 == i).map_or(String::new(), |r| r.1.words()));
    match ranked.as_slice() {
        [] => out.push(format!("No plan gains localization clearly over {against}, so none can be priced.")),
        [only] => out.push(format!("Only {} can be priced: {}.", arms[only.0].label, only.1.words())),
        [a, b] => {
            let (clearly, chance) = if a.2 == Some(true) { ("clearly ", "") } else { ("", ", though the difference is within chance") };
            out.push(format!("{} is {clearly}better value than {}{chance}.", value_of(a.0), value_of(b.0)))
        }
        [first, rest @ ..] => {
            let chance = if first.2 == Some(true) { "clearly" } else { "but within chance of the next" };
            let others: Vec<String> = rest.iter().map(|r| value_of(r.0)).collect();
            out.push(format!("{} is the best value, {chance}; then {}.", value_of(first.0), and_list(&others)))
        }
    }
    let unpriced: Vec<String> = (0..arms.len())
        .filter(|i| !ranked.iter().any(|r| r.0 == *i))
        .map(|i| {
            let v = crate::studies::value::value_for_money(&pairs[i].0, &pairs[i].1);
            format!(
                "{} ({})",
                arms[i].label,
                if crate::studies::value::is_reference(&arms[i].scenario, &references[i].scenario) {
                    "it is the reference".into()
                } else {
                    v.words()
                }
            )
        })
        .collect();
    if !unpriced.is_empty() {
        out.push(format!("Not priced: {}.", and_list(&unpriced)));
    }
    out
}

/// The verdict of a comparison: the leaders, value for money (each plan against
/// `references[i]`), and every difference to the first plan that is clearly better or worse.
pub fn compare(arms: &[Arm], references: &[&Arm]) -> Vec<String> {
    let mut out = vec![leader(arms, LOC, "localization"), leader(arms, EXPORTS, "exports per year")];
    out.extend(value_for_money(arms, references));
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
                (true, true) => up.push(format!("{what} ({}{})", fmt_difference_with_unit(k, &d), judged(k, d.mean))),
                (true, false) => down.push(format!("{what} ({}{})", fmt_difference_with_unit(k, &d), judged(k, d.mean))),
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

/// ", worse": whether a clear difference is better or worse for the plan (the registry's
/// direction), so "higher fiscal cost" is never read as good.
fn judged(k: &Kpi, d: f64) -> &'static str {
    match k.is_better(d) {
        Some(true) => ", better",
        Some(false) => ", worse",
        None => "",
    }
}

/// One budget item's paired contributions (outcome with it minus outcome without it).
pub struct Contribution<'a> {
    pub incentive: &'a str,
    pub localization: &'a Estimate,
    pub exports: &'a Estimate,
    pub fiscal: &'a Estimate,
    /// Value for money against the plan without the item.
    pub value: Value,
    /// The paired (localization, fiscal cost) contributions, replication by replication.
    pub pairs: (Vec<f64>, Vec<f64>),
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
    let ranked = rank(&rows.iter().map(|c| c.pairs.clone()).collect::<Vec<_>>());
    match ranked.first() {
        Some((i, v, clearly)) => {
            let c = &rows[*i];
            let lead = match (clearly, ranked.get(1)) {
                (Some(true), Some((j, _, _))) => format!(", clearly better than the next, {}", rows[*j].incentive),
                (Some(false), Some((j, _, _))) => format!(", within chance of the next, {}", rows[*j].incentive),
                _ => String::new(),
            };
            out.push(format!(
                "{} is the best value: {} ({} localization for {} USD million of fiscal cost, against the plan without it){lead}.",
                c.incentive,
                v.words(),
                loc.fmt_diff(c.localization.mean),
                kpi(FISCAL).fmt_diff(c.fiscal.mean),
            ))
        }
        None => out.push("No item has a clear localization gain, so none can be priced per extra point of localization.".into()),
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
        let (gain_xs, noise_xs, fiscal_xs) = ([0.019, 0.020, 0.021], [0.004, -0.003, 0.002], [9.0, 10.0, 11.0]);
        let (gain, noise) = (estimate(&gain_xs), estimate(&noise_xs));
        let (exports_a, exports_b) = (estimate(&[1.0, 2.0, 3.0]), estimate(&[50.0, 60.0, 70.0]));
        let fiscal = estimate(&fiscal_xs);
        let item = |incentive, localization, exports, xs: &[f64; 3]| Contribution {
            incentive,
            localization,
            exports,
            fiscal: &fiscal,
            value: crate::studies::value::value_for_money(xs, &fiscal_xs),
            pairs: (xs.to_vec(), fiscal_xs.to_vec()),
        };
        let rows = [item("credit", &gain, &exports_a, &gain_xs), item("promotion", &noise, &exports_b, &noise_xs)];
        let v = breakdown(&rows);
        assert_eq!(v[0], "credit adds the most localization (+2.0 pp, clearly).");
        assert_eq!(v[1], "promotion adds the most exports (+60.0 USD million per year, clearly).");
        // 10 USD m for 2 points: 5 a point.
        assert!(v[2].starts_with("credit is the best value: USD 5.0 million per extra point ["), "{}", v[2]);
        assert_eq!(v[3], "Clearly raise localization: credit (+2.0 pp); no clear effect on localization: promotion.");
        // +2 with a spread of 1 over three replications: its interval includes 0.
        assert_eq!(v[4], "Clearly raise exports: promotion (+60.0 USD million per year); no clear effect on exports: credit.");
        // One replication: leaders only, and why nothing is called clear.
        let one = estimate(&[0.0002]);
        let rows = [Contribution {
            incentive: "credit",
            localization: &one,
            exports: &one,
            fiscal: &one,
            value: Value::NoClearGain,
            pairs: (vec![0.0002], vec![1.0]),
        }];
        let v = breakdown(&rows);
        assert_eq!(v.last().map(String::as_str), Some(ONE_REPLICATION));
        assert!(v[2].starts_with("No item has a clear localization gain"), "{}", v[2]);
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(and_list(&["a".into()]), "a");
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
