//! Estimates across replications: the mean with a Student-t 95% confidence interval.

use serde::Serialize;

use crate::registry::kpi_of;

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom (statrs' inverse
/// CDF; a table that stopped at 30 and then used 1.96 made intervals up to 4% too narrow).
pub fn t95(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df.max(1) as f64).map_or(1.96, |t| t.inverse_cdf(0.975))
}

/// Mean and 95% confidence half-width (Student t) of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub sd: f64,
    pub n: usize,
}

impl Estimate {
    /// The 95% CI lies wholly above or wholly below zero: a difference that is not down to the
    /// luck of the draws. With one replication there is no interval, so never.
    pub fn excludes_zero(&self) -> bool {
        self.n >= 2 && (self.ci95_low > 0.0 || self.ci95_high < 0.0)
    }

    /// The same estimate with its interval cut to `[lo, hi]`, the values the quantity can take.
    pub fn within(self, (lo, hi): (f64, f64)) -> Estimate {
        Estimate { ci95_low: self.ci95_low.clamp(lo, hi), ci95_high: self.ci95_high.clamp(lo, hi), ..self }
    }
}

/// The estimate of a KPI's level across replications, its interval cut to the KPI's possible
/// values (the registry's bounds). Differences between scenarios use [`estimate`]: they can have either sign.
pub fn estimate_kpi(kpi: &str, xs: &[f64]) -> Estimate {
    estimate(xs).within(kpi_of(kpi).map_or((f64::NEG_INFINITY, f64::INFINITY), |k| k.bounds()))
}

pub fn estimate(xs: &[f64]) -> Estimate {
    let n = xs.len();
    if n == 0 {
        return Estimate { mean: f64::NAN, ci95_low: f64::NAN, ci95_high: f64::NAN, sd: f64::NAN, n };
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Estimate { mean, ci95_low: mean, ci95_high: mean, sd: 0.0, n };
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let t = t95(n - 1);
    let half = t * sd / (n as f64).sqrt();
    Estimate { mean, ci95_low: mean - half, ci95_high: mean + half, sd, n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables_beyond_thirty_degrees_of_freedom() {
        // Two-sided 95% values from any statistics table.
        for (df, t) in [(1, 12.7062), (2, 4.3027), (10, 2.2281), (30, 2.0423), (31, 2.0395), (60, 2.0003), (100, 1.9840), (1000, 1.9623)] {
            assert!((t95(df) - t).abs() < 5e-4, "df {df}: {} vs {t}", t95(df));
        }
    }

    #[test]
    fn estimate_matches_hand_computation() {
        let e = estimate(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        assert!((e.sd - 1.0).abs() < 1e-12);
        assert!((e.ci95_high - (2.0 + t95(2) / 3f64.sqrt())).abs() < 1e-12);
        assert!((e.ci95_high - (2.0 + 4.303 / 3f64.sqrt())).abs() < 5e-4, "the table value of t at 2 df");
    }

    #[test]
    fn a_kpi_interval_stays_within_the_values_the_kpi_can_take() {
        // Four replications of a count: the t-interval alone reaches below zero.
        let tier2 = [0.0, 0.0, 1.0, 9.0];
        assert!(estimate(&tier2).ci95_low < 0.0);
        let e = estimate_kpi("tier2_suppliers", &tier2);
        assert_eq!((e.mean, e.ci95_low), (2.5, 0.0));
        assert_eq!(e.ci95_high, estimate(&tier2).ci95_high);
        // A rate never above 1.
        assert_eq!(estimate_kpi("localization_rate", &[0.6, 0.99, 0.97]).ci95_high, 1.0);
        // The fiscal cost can be negative (a rate above the standard one), and so can its interval.
        assert!(estimate_kpi("cumulative_fiscal_cost_usd_m", &[-5.0, 1.0, 0.0]).ci95_low < -5.0);
    }
}
