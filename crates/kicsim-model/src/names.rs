//! "Did you mean `cit_rate`?": the known name nearest a misspelt one, for every message about a
//! name that is not known (a scenario's field or choice, `--set`, `--params`, `--kpi`, a KPI in
//! a targets file), so a typo is answered with the one likely name, not a list of all of them.

/// Similarity (Jaro-Winkler, 0-1) from which a known name is taken for the one meant: a
/// doubled or dropped letter, a swap, British spelling (`localisation`) are over 0.9; names
/// that only share a prefix such as `cit_` stay under it.
const NEAR: f64 = 0.85;

/// The known name nearest `typed`, if it is near enough to be the one meant (or `typed` is a
/// part of it, as `localization` of `localization_rate`).
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let t = typed.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for k in known {
        let kl = k.to_lowercase();
        let score = if kl == t {
            2.0
        } else if t.len() >= 4 && kl.contains(&t) {
            1.0
        } else {
            strsim::jaro_winkler(&t, &kl)
        };
        if score >= NEAR && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, k));
        }
    }
    best.map(|(_, k)| k)
}

/// What to say after "unknown X `typed`": "did you mean `k`?" when one name is near, else the
/// names to choose from ("choose from a, b, c").
pub fn hint<'a>(typed: &str, known: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match nearest(typed, known.clone()) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("choose from {}", known.into_iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INCENTIVES: [&str; 9] = [
        "cit_holiday_years",
        "cit_rate",
        "land_rent_exemption",
        "land_rent_exemption_years",
        "credit_interest_subsidy_pp",
        "rd_deduction",
        "training_subsidy_usd_per_trainee",
        "export_promotion_usd_m_per_year",
        "local_content",
    ];

    #[test]
    fn a_typo_finds_the_name_meant() {
        for (typed, meant) in [
            ("cit_holliday_years", "cit_holiday_years"),
            ("cit_ratee", "cit_rate"),
            ("CIT_rate", "cit_rate"),
            ("rd_deductoin", "rd_deduction"),
            ("training_subsidy", "training_subsidy_usd_per_trainee"),
            ("local_contents", "local_content"),
            ("land_rent_exemption_yrs", "land_rent_exemption_years"),
        ] {
            assert_eq!(nearest(typed, INCENTIVES), Some(meant), "{typed}");
        }
        assert_eq!(nearest("localisation", ["localization_rate", "domestic_sourcing_share", "exports_usd_m"]), Some("localization_rate"));
        assert_eq!(nearest("learnig_rate", ["learning_rate", "learning_by_doing", "depreciation"]), Some("learning_rate"));
    }

    #[test]
    fn a_name_near_nothing_gets_the_list() {
        assert_eq!(nearest("subsidies", INCENTIVES), None);
        assert_eq!(nearest("x", INCENTIVES), None);
        assert_eq!(hint("cit_ratee", INCENTIVES), "did you mean `cit_rate`?");
        let list = hint("banana", ["a_b", "c_d"]);
        assert_eq!(list, "choose from `a_b`, `c_d`");
    }
}
