//! The one value-for-money measure ([`crate::registry::VALUE_FOR_MONEY`]): the extra fiscal cost
//! of a plan per extra point of localization, against a stated reference, from paired
//! replications (the same seeds for the plan and the reference). The window's card, compare's
//! verdict, breakdown's rows, sweep's and optimize's "best value" all read it here.
//!
//! The interval of a ratio of two paired means is not a Student-t interval of per-replication
//! ratios (one replication with a gain near zero would swamp it). It is the ratio estimator's
//! linearisation (the delta method, as in survey sampling): with R = mean(c) / mean(l), each
//! replication's influence is z_r = (c_r - R l_r) / mean(l), and R's interval is the Student-t
//! interval of z's mean around R. No kept statistics crate offers a paired ratio interval
//! (statrs gives the t quantile used here), so the few lines are written out.

use crate::scenario::{Incentives, Scenario};
use crate::stats::{Estimate, estimate, t95};

/// What a plan's value for money is measured against, in words.
pub const REFERENCE_WORDS: &str = "without public spending (no incentives, no public R&D or training centre)";

/// The reference of a plan's value for money: the plan without public spending, that is with no
/// incentive and no public facility with a budget (R&D centres, training centres), its map,
/// anchor, commitments, suppliers and logistics hubs as they are. So an R&D centre's budget and
/// what it brings both count in the plan's value, and two plans that differ only in their public
/// spending share one reference, whichever is named first.
pub fn without_public_spending(s: &Scenario) -> Scenario {
    Scenario { incentives: Incentives::default(), rd_centres: Vec::new(), training_centres: Vec::new(), ..s.clone() }
}

/// The plan is its own reference: it has no public spending (it is priced against nothing).
pub fn is_reference(plan: &Scenario, reference: &Scenario) -> bool {
    without_public_spending(plan) == *plan && same_reference(plan, reference)
}

/// Two plans have one reference: without public spending they are the same plan, names,
/// descriptions and seeds aside (a comparison runs every plan on the same seeds).
pub fn same_reference(a: &Scenario, b: &Scenario) -> bool {
    let strip = |s: &Scenario| Scenario { name: String::new(), description: String::new(), seed: 0, ..without_public_spending(s) };
    strip(a) == strip(b)
}

/// A plan's value for money against a reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A clear gain at a clearly positive extra cost: USD million per extra percentage point,
    /// with the interval of the ratio.
    PerPoint(Estimate),
    /// A clear gain at no more fiscal cost on average (the gain in pp, the saving in USD m):
    /// better value than any ratio.
    NoExtraCost { gain_pp: f64, extra_cost: f64 },
    /// No gain in localization that the replications can tell from zero: nothing to price.
    NoClearGain,
    /// Clearly less localization than the reference.
    Loses,
}

/// A gain the replications can tell from zero (with one replication: at least 0.05 points).
fn clear(e: &Estimate) -> bool {
    if e.n >= 2 { e.excludes_zero() } else { e.mean.abs() > 0.0005 }
}

/// Value for money from paired differences, replication by replication: `extra_loc` (plan minus
/// reference localization, as a share) and `extra_cost` (plan minus reference cumulative fiscal
/// cost, USD million).
pub fn value_for_money(extra_loc: &[f64], extra_cost: &[f64]) -> Value {
    let (l, c) = (estimate(extra_loc), estimate(extra_cost));
    if !l.mean.is_finite() || !c.mean.is_finite() || !clear(&l) {
        return Value::NoClearGain;
    }
    if l.mean < 0.0 {
        return Value::Loses;
    }
    if c.mean <= 0.0 {
        return Value::NoExtraCost { gain_pp: 100.0 * l.mean, extra_cost: c.mean };
    }
    let points = 100.0 * l.mean;
    let ratio = c.mean / points;
    let z: Vec<f64> = extra_loc.iter().zip(extra_cost).map(|(l, c)| (c - ratio * 100.0 * l) / points).collect();
    Value::PerPoint(ratio_estimate(ratio, &z))
}

/// The ratio with the Student-t interval of its influence values `z` (zero width with one).
fn ratio_estimate(ratio: f64, z: &[f64]) -> Estimate {
    let n = z.len();
    if n < 2 {
        return Estimate { mean: ratio, ci95_low: ratio, ci95_high: ratio, sd: 0.0, n };
    }
    let e = estimate(z);
    let half = t95(n - 1) * e.sd / (n as f64).sqrt();
    Estimate { mean: ratio, ci95_low: ratio - half, ci95_high: ratio + half, sd: e.sd, n }
}

impl Value {
    /// The USD m per point, where there is one.
    pub fn per_point(&self) -> Option<f64> {
        match self {
            Value::PerPoint(e) => Some(e.mean),
            _ => None,
        }
    }

    /// Plain words: "USD 38.5 million per extra point [31.2, 45.8]", "+3.1 pp at no extra
    /// fiscal cost", "no clear localization gain to price", "loses localization".
    pub fn words(&self) -> String {
        match self {
            Value::PerPoint(e) if e.n >= 2 => {
                format!("USD {:.1} million per extra point [{:.1}, {:.1}]", e.mean, e.ci95_low, e.ci95_high)
            }
            Value::PerPoint(e) => format!("USD {:.1} million per extra point", e.mean),
            Value::NoExtraCost { gain_pp, .. } => format!("+{gain_pp:.1} pp at no extra fiscal cost"),
            Value::NoClearGain => "no clear localization gain to price".into(),
            Value::Loses => "loses localization".into(),
        }
    }

    /// Short form for a card or a table cell: "38.5 [31.2, 45.8]", "no extra cost", "n/a".
    pub fn short(&self) -> String {
        match self {
            Value::PerPoint(e) if e.n >= 2 => format!("{:.1} [{:.1}, {:.1}]", e.mean, e.ci95_low, e.ci95_high),
            Value::PerPoint(e) => format!("{:.1}", e.mean),
            Value::NoExtraCost { .. } => "no extra cost".into(),
            Value::NoClearGain => "n/a (no clear gain)".into(),
            Value::Loses => "n/a (loses localization)".into(),
        }
    }

    /// A rank key: lower is better value. A gain at no extra cost ranks before every ratio (the
    /// larger gain first); plans with nothing to price have no rank.
    fn key(&self) -> Option<(u8, f64)> {
        match self {
            Value::NoExtraCost { gain_pp, .. } => Some((0, -gain_pp)),
            Value::PerPoint(e) => Some((1, e.mean)),
            _ => None,
        }
    }
}

/// Plan a's ratio minus plan b's (USD m per point), paired replication by replication (the
/// difference of their influence values), where both are priced; `a` and `b` hold each plan's
/// paired (extra localization, extra cost) against its reference, on the same seeds.
pub fn difference(a: &(Vec<f64>, Vec<f64>), b: &(Vec<f64>, Vec<f64>)) -> Option<Estimate> {
    let influence = |(l, c): &(Vec<f64>, Vec<f64>)| -> Option<(f64, Vec<f64>)> {
        let Value::PerPoint(e) = value_for_money(l, c) else { return None };
        let points = 100.0 * estimate(l).mean;
        Some((e.mean, l.iter().zip(c).map(|(l, c)| (c - e.mean * 100.0 * l) / points).collect()))
    };
    let ((ra, za), (rb, zb)) = (influence(a)?, influence(b)?);
    let z: Vec<f64> = za.iter().zip(&zb).map(|(a, b)| a - b).collect();
    Some(ratio_estimate(ra - rb, &z))
}

/// Plans in order of value for money, best first, with whether each is clearly better value
/// than the next one (None for the last). Plans with nothing to price are left out.
///
/// `plans[i]` holds plan i's paired differences to the reference (extra localization as a share,
/// extra cost in USD m), on the same seeds for every plan, so two plans' ratios are compared
/// replication by replication: the difference of their influence values.
pub fn rank(plans: &[(Vec<f64>, Vec<f64>)]) -> Vec<(usize, Value, Option<bool>)> {
    let values: Vec<Value> = plans.iter().map(|(l, c)| value_for_money(l, c)).collect();
    let mut order: Vec<usize> = (0..plans.len()).filter(|&i| values[i].key().is_some()).collect();
    order.sort_by(|&a, &b| values[a].key().partial_cmp(&values[b].key()).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
    order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let next = order.get(k + 1).copied();
            let clearly = next.map(|j| match (values[i], values[j]) {
                (Value::PerPoint(_), Value::PerPoint(_)) => difference(&plans[i], &plans[j]).is_some_and(|d| d.excludes_zero()),
                // A clear gain at no extra cost against a clear extra cost: clearly better value
                // when the other plan's extra cost is clearly positive.
                (Value::NoExtraCost { .. }, Value::PerPoint(_)) => estimate(&plans[j].1).excludes_zero(),
                _ => false,
            });
            (i, values[i], clearly)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paired differences around a mean with a little spread (the same noise pattern for all).
    fn around(mean: f64, spread: f64) -> Vec<f64> {
        [-1.0, -0.5, 0.0, 0.5, 1.0, -0.8, 0.8, -0.2, 0.2, 0.0].iter().map(|e| mean + spread * e).collect()
    }

    /// The reference keeps the plan's layout and drops its public spending, so team plans that
    /// differ only in incentives and public facilities share it (the file named first decides
    /// nothing), and an R&D centre's budget counts in its plan's extra cost.
    #[test]
    fn plans_that_differ_in_public_spending_only_share_one_reference() {
        use crate::scenario::{RdCentreSpec, Site};
        let base = crate::scenario::default_scenario();
        let mut centre = Scenario { name: "Team A".into(), seed: 9, ..base.clone() };
        centre.rd_centres.push(RdCentreSpec { site: Site { x_km: 16.5, y_km: 12.5 }, ..RdCentreSpec::default() });
        let mut subsidy = Scenario { name: "Team B".into(), ..base.clone() };
        subsidy.incentives.training_subsidy_usd_per_trainee = 1500.0;
        subsidy.training_centres.clear();
        assert!(same_reference(&centre, &base) && same_reference(&subsidy, &centre));
        assert!(without_public_spending(&centre).rd_centres.is_empty() && without_public_spending(&base).training_centres.is_empty());
        let mut moved = base.clone();
        moved.anchor.site.x_km -= 1.0;
        assert!(!same_reference(&moved, &base), "another layout is another reference");
        // Against the one reference, the centre's whole budget is in its plan's extra cost.
        let cost = |s: &Scenario| crate::sim::run_to_end(s).last().unwrap().cumulative_fiscal_cost_usd_m;
        let reference = without_public_spending(&base);
        let (with, without) = (cost(&centre) - cost(&reference), cost(&base) - cost(&reference));
        let budget = centre.rd_centres[0].budget_usd_m_per_year * base.years as f64;
        assert!(with - without >= 0.99 * budget, "{with} - {without} against a budget of {budget}");
    }

    #[test]
    fn the_measure_is_extra_cost_over_extra_points() {
        // +3.3 pp for +410 USD m: about 124 USD m a point (the baseline against no incentives).
        let v = value_for_money(&around(0.033, 0.004), &around(410.0, 20.0));
        let Value::PerPoint(e) = v else { panic!("{v:?}") };
        assert!((e.mean - 410.0 / 3.3).abs() < 1e-9, "{e:?}");
        assert!(e.ci95_low < e.mean && e.mean < e.ci95_high && e.ci95_low > 0.0, "{e:?}");
        assert!(v.words().starts_with("USD 124.2 million per extra point ["), "{}", v.words());
    }

    #[test]
    fn nothing_is_priced_without_a_clear_gain() {
        assert_eq!(value_for_money(&around(0.001, 0.01), &around(100.0, 5.0)), Value::NoClearGain);
        assert_eq!(value_for_money(&around(-0.02, 0.002), &around(100.0, 5.0)), Value::Loses);
        let free = value_for_money(&around(0.02, 0.002), &around(-5.0, 1.0));
        assert!(matches!(free, Value::NoExtraCost { gain_pp, .. } if (gain_pp - 2.0).abs() < 1e-9), "{free:?}");
    }

    /// The three team plans against the plan without incentives (31% at no cost): A
    /// reaches 49.6% for 716, B 42.7% for 400, C 55.9% for 976. The cheaper plan with fewer
    /// points, B, is the best value (34.2 a point, against A's 38.5 and C's 39.2).
    #[test]
    fn a_cheaper_plan_with_fewer_points_can_be_the_best_value() {
        let plan = |loc: f64, cost: f64| (around(loc - 0.31, 0.002), around(cost, 4.0));
        let ranked = rank(&[plan(0.496, 716.0), plan(0.427, 400.0), plan(0.559, 976.0)]);
        let order: Vec<usize> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(order, vec![1, 0, 2], "{ranked:?}");
        assert_eq!(ranked[0].2, Some(true), "B's lead over A is clear with this little noise");
        assert_eq!(ranked[2].2, None, "the last has no next");
        // With a lot of noise that the two plans do not share, the same order is within chance.
        let reversed = |mut v: Vec<f64>| {
            v.reverse();
            v
        };
        let a = (around(0.496 - 0.31, 0.03), around(716.0, 300.0));
        let b = (reversed(around(0.427 - 0.31, 0.03)), around(400.0, 300.0));
        let ranked = rank(&[a, b]);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), vec![1, 0]);
        assert_eq!(ranked[0].2, Some(false), "{ranked:?}");
    }

    #[test]
    fn a_free_gain_ranks_first_and_unpriced_plans_are_left_out() {
        let ranked = rank(&[
            (around(0.02, 0.002), around(300.0, 5.0)),
            (around(0.0, 0.01), around(10.0, 1.0)),
            (around(0.01, 0.001), around(-3.0, 1.0)),
        ]);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 0]);
        assert_eq!(ranked[0].2, Some(true));
    }
}
