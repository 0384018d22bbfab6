//! The model parameters that sensitivity analysis, parameter draws and calibration vary: the
//! `model.*` fields of the registry with a plausible range ([`registry::uncertain_parameters`]),
//! or a chosen list of them (`--params a,b=lo..hi,c`), and how a point of the unit cube becomes
//! a scenario.
//!
//! The ranges are read from the registry every time, never copied: the registry is the one place
//! that says what is plausible and why.

use crate::registry::{self, Field};
use crate::scenario::Scenario;

/// One varied parameter: its registry field and the range it is drawn from (the plausible range,
/// or the one given with `--params path=lo..hi`).
#[derive(Clone, Copy, Debug)]
pub struct Param {
    pub field: &'static Field,
    pub lo: f64,
    pub hi: f64,
}

impl Param {
    pub fn path(&self) -> &'static str {
        self.field.path
    }

    /// The path without `model.` (charts and tables).
    pub fn short(&self) -> &'static str {
        self.field.path.trim_start_matches("model.")
    }

    /// The value at `u` in 0..1 of the range. A whole-number parameter (quarters) gives each whole
    /// number of its range the same share of the unit interval, ends included.
    pub fn value_at(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        if self.field.integer {
            let (lo, hi) = (self.lo.round(), self.hi.round());
            (lo - 0.5 + u * (hi - lo + 1.0)).round().clamp(lo, hi)
        } else {
            self.lo + u * (self.hi - self.lo)
        }
    }

    /// Where `v` lies in the range, 0..1 (the inverse of [`Param::value_at`] for real values).
    pub fn unit_of(&self, v: f64) -> f64 {
        if self.field.integer {
            let (lo, hi) = (self.lo.round(), self.hi.round());
            ((v - lo + 0.5) / (hi - lo + 1.0)).clamp(0.0, 1.0)
        } else {
            ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        }
    }
}

/// Every parameter with a plausible range, in registry order.
pub fn all_uncertain() -> Vec<Param> {
    registry::uncertain_parameters()
        .map(|f| {
            let (lo, hi) = f.plausible.expect("uncertain parameters have a plausible range");
            Param { field: f, lo, hi }
        })
        .collect()
}

/// Parses `--params`: `None` or an empty list takes every uncertain parameter; otherwise a comma
/// list of `model.*` paths (the `model.` may be left out), each optionally with its own range
/// `path=lo..hi` (within the values the field may take). Every mistake is reported at once.
pub fn select(list: Option<&str>) -> Result<Vec<Param>, String> {
    let Some(list) = list.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(all_uncertain());
    };
    let mut out: Vec<Param> = Vec::new();
    let mut errors = Vec::new();
    for item in list.split(',').map(str::trim) {
        match parse_one(item) {
            Ok(p) if out.iter().any(|q| q.path() == p.path()) => errors.push(format!("--params {item}: {} is listed twice", p.path())),
            Ok(p) => out.push(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors.join("\n")) }
}

fn parse_one(item: &str) -> Result<Param, String> {
    if item.is_empty() {
        return Err("--params: an empty name between commas".into());
    }
    let (name, range) = match item.split_once('=') {
        Some((n, r)) => (n.trim(), Some(r.trim())),
        None => (item, None),
    };
    let path = if name.starts_with("model.") { name.to_string() } else { format!("model.{name}") };
    let Some(field) = registry::FIELDS.iter().find(|f| f.path == path) else {
        let names: Vec<&str> = registry::uncertain_parameters().map(|f| f.path).collect();
        return Err(format!("--params {item}: unknown parameter `{path}`: {}", crate::names::hint(&path, names)));
    };
    let (lo, hi) = match (range, field.plausible) {
        (Some(r), _) => {
            let (a, b) = r.split_once("..").ok_or_else(|| format!("--params {item}: expected {path}=LOW..HIGH, e.g. {path}=0.5..1.5"))?;
            let num = |s: &str| s.trim().parse::<f64>().map_err(|_| format!("--params {item}: `{}` is not a number", s.trim()));
            (num(a)?, num(b)?)
        }
        (None, Some((lo, hi))) => (lo, hi),
        (None, None) => {
            return Err(format!(
                "--params {item}: `{path}` has no plausible range in the registry (it is fixed by policy or institution); give one as {path}=LOW..HIGH"
            ));
        }
    };
    check_range(field, lo, hi).map_err(|e| format!("--params {item}: {e}"))?;
    Ok(Param { field, lo, hi })
}

/// A range to draw a field from: finite, not empty, within the values the field may take.
pub fn check_range(field: &Field, lo: f64, hi: f64) -> Result<(), String> {
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(format!("the range {lo}..{hi} of {} is not finite", field.path));
    }
    if lo >= hi {
        return Err(format!("the range {lo}..{hi} of {} is empty (the low end must be below the high end)", field.path));
    }
    if lo < field.min || hi > field.max {
        return Err(format!("the range {lo}..{hi} of {} goes outside the values it may take ({})", field.path, field.range_text()));
    }
    Ok(())
}

/// The scenario with the parameters set to `values` (in the order of `params`).
pub fn apply(base: &Scenario, params: &[Param], values: &[f64]) -> Scenario {
    let mut s = base.clone();
    for (p, &v) in params.iter().zip(values) {
        p.field.set(&mut s, v);
    }
    s
}

/// The parameters' values for a point `u` of the unit cube.
pub fn values_at(params: &[Param], u: &[f64]) -> Vec<f64> {
    params.iter().zip(u).map(|(p, &u)| p.value_at(u)).collect()
}

/// The problems of a scenario's `model` block and the fields checked against it (a drawn set of
/// parameters may break a rule between two of them, e.g. tier-1 needs at least the tier-2
/// capability). Cheap: the map and sites are not checked (the parameters do not move them).
pub fn model_problems(s: &Scenario) -> Vec<String> {
    let mut probe = s.clone();
    probe.map.size_km = 5.0;
    probe.map.cell_km = 1.0;
    probe.suppliers.clear();
    probe.rd_centres.clear();
    probe.training_centres.clear();
    probe.logistics_hubs.clear();
    probe
        .validate()
        .into_iter()
        .filter(|p| p.path.starts_with("model.") || p.path.starts_with("incentives.credit_interest_subsidy_pp"))
        .map(|p| format!("field `{}`: {}", p.path, p.message))
        .collect()
}

/// Spearman's rank correlation (ties get their mean rank); NaN when either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    pearson(&rx, &ry)
}

fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mean_rank;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.len() < 2 {
        return f64::NAN;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 { f64::NAN } else { sxy / (sxx * syy).sqrt() }
}

/// A seed for the runs of one design point from the run's seed and a key (the key 0 keeps the
/// run's own seeds, so such a point's replications are those of `kicsim run`).
pub fn keyed_seed(seed: u64, key: u64) -> u64 {
    if key == 0 { seed } else { seed ^ splitmix64(key) }
}

pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_uncertain_parameter_is_a_model_parameter_with_a_range() {
        let all = all_uncertain();
        assert!(all.len() >= 10);
        for p in &all {
            assert!(p.path().starts_with("model.") && p.lo < p.hi, "{}", p.path());
        }
    }

    #[test]
    fn params_are_chosen_by_name_with_or_without_model_and_with_a_range() {
        let ps = select(Some("learning_rate, model.import_cost=1.0..1.3")).unwrap();
        assert_eq!(ps.iter().map(|p| p.path()).collect::<Vec<_>>(), ["model.learning_rate", "model.import_cost"]);
        assert_eq!((ps[1].lo, ps[1].hi), (1.0, 1.3));
        assert_eq!(select(None).unwrap().len(), all_uncertain().len());
    }

    #[test]
    fn bad_params_are_all_reported_with_what_to_do() {
        let e =
            select(Some("model.learnig_rate,learning_rate=1..1,import_cost=0.5..x,standard_cit_rate,learning_rate=0.1..99")).unwrap_err();
        assert!(e.contains("unknown parameter `model.learnig_rate`"), "{e}");
        assert!(e.contains("is empty"), "{e}");
        assert!(e.contains("`x` is not a number"), "{e}");
        assert!(e.contains("no plausible range") && e.contains("standard_cit_rate=LOW..HIGH"), "{e}");
        assert!(e.contains("goes outside the values it may take"), "{e}");
        assert_eq!(e.lines().count(), 5, "{e}");
        // A fixed parameter can be varied with a range of its own.
        assert_eq!(select(Some("standard_cit_rate=0.15..0.25")).unwrap()[0].hi, 0.25);
        assert!(select(Some("learning_rate,learning_rate")).unwrap_err().contains("twice"));
    }

    #[test]
    fn whole_numbers_get_equal_shares_of_the_unit_interval() {
        let p = select(Some("tier2_quarters=2..8")).unwrap()[0];
        let mut counts = [0usize; 9];
        for i in 0..7000 {
            counts[p.value_at((i as f64 + 0.5) / 7000.0) as usize] += 1;
        }
        assert_eq!(&counts[2..], &[1000; 7]);
        let q = select(Some("learning_rate=0.5..1.5")).unwrap()[0];
        assert_eq!(q.value_at(0.25), 0.75);
        assert!((q.unit_of(0.75) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn spearman_ranks_with_ties() {
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 25.0, 100.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), [2.5, 1.0, 2.5]);
    }

    #[test]
    fn drawn_parameters_that_break_a_rule_between_them_are_found() {
        let mut s = crate::scenario::default_scenario();
        assert!(model_problems(&s).is_empty());
        s.model.tier1_threshold = 0.3;
        s.model.tier2_threshold = 0.5;
        let p = model_problems(&s);
        assert!(p.iter().any(|m| m.contains("model.tier1_threshold")), "{p:?}");
    }
}
