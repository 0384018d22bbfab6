//! The window's forecast band: a scenario's KPIs per quarter with the 95% range the model's
//! parameter uncertainty gives (Latin-hypercube draws of every uncertain parameter).

use rayon::prelude::*;

use super::draws::{Draws, spread};
use super::params;
use crate::registry::KPIS;
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;

/// One quarter of a forecast band: for every KPI (in [`KPIS`] order) the 2.5% quantile, mean
/// and 97.5% quantile over the parameter draws.
#[derive(Clone, Debug, PartialEq)]
pub struct QuarterBand {
    pub quarter: u32,
    pub year: f64,
    pub lo: [f64; kicsim_model::sim::metrics::N_KPIS],
    pub mean: [f64; kicsim_model::sim::metrics::N_KPIS],
    pub hi: [f64; kicsim_model::sim::metrics::N_KPIS],
}

impl QuarterBand {
    /// `(lo, mean, hi)` of the KPI with this name.
    pub fn kpi(&self, name: &str) -> Option<(f64, f64, f64)> {
        let i = KPIS.iter().position(|k| k.name == name)?;
        Some((self.lo[i], self.mean[i], self.hi[i]))
    }
}

/// The forecast of a scenario with a band from parameter uncertainty, for the window: `draws`
/// Latin-hypercube draws of every uncertain parameter, `replications` seeds each (seeds
/// `scenario.seed + d R + r`); per quarter, the mean over all runs and the 2.5-97.5% range of
/// the draws' means. Runs in parallel on rayon's threads; call it off the UI thread.
pub fn forecast_band(scenario: &Scenario, draws: usize, replications: u32) -> Vec<QuarterBand> {
    let d = Draws::latin(params::all_uncertain(), draws.max(1), replications.max(1), scenario.seed);
    let reps = d.replications;
    let jobs: Vec<(usize, u32)> = (0..d.len()).flat_map(|i| (0..reps).map(move |r| (i, r))).collect();
    let runs: Vec<Vec<QuarterRecord>> = jobs
        .par_iter()
        .map(|&(i, r)| {
            let mut s = d.scenario(scenario, i);
            s.seed = d.seed(scenario.seed, i, r);
            crate::sim::run_to_end(&s)
        })
        .collect();
    let quarters = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..quarters)
        .map(|q| {
            let mut band = QuarterBand {
                quarter: runs[0][q].quarter,
                year: runs[0][q].year,
                lo: [0.0; kicsim_model::sim::metrics::N_KPIS],
                mean: [0.0; kicsim_model::sim::metrics::N_KPIS],
                hi: [0.0; kicsim_model::sim::metrics::N_KPIS],
            };
            for k in 0..KPIS.len() {
                let means: Vec<f64> =
                    runs.chunks(reps as usize).map(|c| c.iter().map(|r| r[q].kpis()[k]).sum::<f64>() / c.len() as f64).collect();
                let s = spread(&means);
                (band.lo[k], band.mean[k], band.hi[k]) = (s.lo95, s.mean, s.hi95);
            }
            band
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forecast_band_holds_the_mean_and_widens_with_parameters() {
        let mut s = crate::scenario::default_scenario();
        s.years = 3;
        let band = forecast_band(&s, 8, 1);
        assert_eq!(band.len(), 12);
        let last = band.last().unwrap();
        let (lo, mean, hi) = last.kpi("localization_rate").unwrap();
        assert!(lo <= mean && mean <= hi && hi > lo, "{lo} {mean} {hi}");
        assert!(last.kpi("nope").is_none());
    }
}
