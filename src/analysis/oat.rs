//! One-at-a-time (OAT) sensitivity, shown as a tornado diagram.
//!
//! Starting from a base point, each parameter in turn is set to the low and
//! to the high end of its range while all others stay at their base values
//! (a local, "one-factor-at-a-time" screening; see e.g. Saltelli et al. 2008,
//! "Global Sensitivity Analysis: The Primer", §1.2.3, for its limits: it
//! ignores interactions and explores only the axes through the base point).

use serde::{Deserialize, Serialize};

/// Effect of moving one parameter to its low and high value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OatEffect {
    /// Index of the parameter in the base point.
    pub param: usize,
    /// Model output with the parameter at `lo`.
    pub low_output: f64,
    /// Model output with the parameter at `hi`.
    pub high_output: f64,
    /// `low_output - base_output`.
    pub low_effect: f64,
    /// `high_output - base_output`.
    pub high_effect: f64,
    /// Length of the tornado bar: `max(base, low, high) - min(base, low, high)`.
    /// For a monotone response this is `|high_output - low_output|`.
    pub swing: f64,
}

/// The `2k` OAT design points: rows `2i` and `2i + 1` are the base point with
/// parameter `i` set to `ranges[i].0` (low) and `ranges[i].1` (high).
///
/// The base point itself is not part of the design; evaluate it separately
/// and pass its output to [`oat_analyze`].
///
/// # Panics
/// If `base.len() != ranges.len()`.
pub fn oat_design(base: &[f64], ranges: &[(f64, f64)]) -> Vec<Vec<f64>> {
    assert_eq!(base.len(), ranges.len(), "oat_design: base and ranges differ in length");
    let mut rows = Vec::with_capacity(2 * base.len());
    for (i, &(lo, hi)) in ranges.iter().enumerate() {
        for v in [lo, hi] {
            let mut p = base.to_vec();
            p[i] = v;
            rows.push(p);
        }
    }
    rows
}

/// Low/high effects from the outputs of [`oat_design`] (same row order),
/// sorted by decreasing swing (ties keep parameter order), i.e. in tornado order.
///
/// # Panics
/// If `outputs.len()` is odd.
pub fn oat_analyze(base_output: f64, outputs: &[f64]) -> Vec<OatEffect> {
    assert!(outputs.len().is_multiple_of(2), "oat_analyze: expected 2 outputs per parameter");
    let mut effects: Vec<OatEffect> = outputs
        .chunks(2)
        .enumerate()
        .map(|(param, ys)| {
            let (lo, hi) = (ys[0], ys[1]);
            let max = base_output.max(lo).max(hi);
            let min = base_output.min(lo).min(hi);
            OatEffect {
                param,
                low_output: lo,
                high_output: hi,
                low_effect: lo - base_output,
                high_effect: hi - base_output,
                swing: max - min,
            }
        })
        .collect();
    // stable sort: equal swings keep parameter order
    effects.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_has_2k_points_varying_one_parameter() {
        let base = [1.0, 2.0, 3.0];
        let ranges = [(0.0, 2.0), (1.0, 5.0), (2.5, 3.5)];
        let d = oat_design(&base, &ranges);
        assert_eq!(d.len(), 6);
        assert_eq!(d[0], vec![0.0, 2.0, 3.0]);
        assert_eq!(d[1], vec![2.0, 2.0, 3.0]);
        assert_eq!(d[2], vec![1.0, 1.0, 3.0]);
        assert_eq!(d[3], vec![1.0, 5.0, 3.0]);
        assert_eq!(d[4], vec![1.0, 2.0, 2.5]);
        assert_eq!(d[5], vec![1.0, 2.0, 3.5]);
    }

    #[test]
    fn linear_function_effects_and_tornado_order() {
        // y = 2 x0 - 3 x1 + 0.5 x2 + 0 x3
        let f = |x: &[f64]| 2.0 * x[0] - 3.0 * x[1] + 0.5 * x[2];
        let base = [1.0, 1.0, 1.0, 1.0];
        let ranges = [(0.0, 2.0), (0.5, 1.5), (-3.0, 5.0), (0.0, 10.0)];
        let d = oat_design(&base, &ranges);
        let y: Vec<f64> = d.iter().map(|x| f(x)).collect();
        let e = oat_analyze(f(&base), &y);
        // swings: x0: 2*2 = 4, x1: 3*1 = 3, x2: 0.5*8 = 4 (ties keep order), x3: 0
        let order: Vec<usize> = e.iter().map(|e| e.param).collect();
        assert_eq!(order, vec![0, 2, 1, 3]);
        let by = |p: usize| e.iter().find(|e| e.param == p).unwrap().clone();
        let e0 = by(0);
        assert!((e0.low_effect + 2.0).abs() < 1e-12 && (e0.high_effect - 2.0).abs() < 1e-12);
        assert!((e0.swing - 4.0).abs() < 1e-12);
        let e1 = by(1);
        assert!((e1.low_effect - 1.5).abs() < 1e-12 && (e1.high_effect + 1.5).abs() < 1e-12);
        assert!((e1.swing - 3.0).abs() < 1e-12);
        let e2 = by(2);
        assert!((e2.low_effect + 2.0).abs() < 1e-12 && (e2.high_effect - 2.0).abs() < 1e-12);
        let e3 = by(3);
        assert_eq!((e3.low_effect, e3.high_effect, e3.swing), (0.0, 0.0, 0.0));
    }

    #[test]
    fn non_monotone_swing_includes_base() {
        // y = x^2 around base 0 on [-1, 1]: both ends give +1, swing 1 (not 0)
        let e = oat_analyze(0.0, &[1.0, 1.0]);
        assert_eq!(e[0].swing, 1.0);
    }
}
