//! Colours shared by the reports' charts and the window.

/// The viridis colour map (perceptually uniform, readable in grey and by colour-blind readers),
/// linear between five of its stops; t in 0..1. The heatmaps here and the window's overlays
/// both use it.
pub fn viridis_rgb(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 5] = [[68.0, 1.0, 84.0], [59.0, 82.0, 139.0], [33.0, 145.0, 140.0], [94.0, 201.0, 98.0], [253.0, 231.0, 37.0]];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    std::array::from_fn(|c| (a[c] + f * (b[c] - a[c])) as u8)
}

/// Colours of the series of a chart, one per scenario in legend order (matplotlib's "tab10"
/// order; the first is the blue the tests look for).
pub const SERIES: [[u8; 3]; 8] =
    [[31, 119, 180], [214, 39, 40], [44, 160, 44], [255, 127, 14], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127]];
