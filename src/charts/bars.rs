//! Horizontal bars with 95% CI whiskers: the contributions of a breakdown.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_files, draw_footer, label_at, series_color};
use crate::io::OutputSet;

/// One bar of the policy breakdown: (label, mean, 95% CI low, high).
pub type Bar = (String, f64, f64, f64);

/// Horizontal bars with their 95% CI as whiskers — for the policy breakdown.
pub(crate) fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, bars: &[Bar], footer: &str) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("chart '{title}': {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
    let lo = bars.iter().map(|b| finite(b.1).min(finite(b.2))).fold(0.0, f64::min);
    let hi = bars.iter().map(|b| finite(b.1).max(finite(b.3))).fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.1).max(1e-6);
    let n = bars.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(250)
        .build_cartesian_2d((lo - pad)..(hi + pad), 0.0..n as f64)
        .map_err(err)?;
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y| label_at(&labels, *y))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v, _, _))| {
            let color = if *v >= 0.0 { series_color(0) } else { series_color(1) };
            Rectangle::new([(0.0, i as f64 + 0.15), (*v, i as f64 + 0.85)], color.filled())
        }))
        .map_err(err)?;
    // The 95% CI of each contribution, with end caps (none with one replication).
    let whisker = |i: usize, x0: f64, x1: f64, y0: f64, y1: f64| {
        PathElement::new(vec![(x0, i as f64 + y0), (x1, i as f64 + y1)], BLACK.stroke_width(2))
    };
    chart
        .draw_series(
            bars.iter().enumerate().filter(|(_, b)| b.3 > b.2).flat_map(|(i, (_, _, l, h))| {
                [whisker(i, *l, *h, 0.5, 0.5), whisker(i, *l, *l, 0.35, 0.65), whisker(i, *h, *h, 0.35, 0.65)]
            }),
        )
        .map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// One bar per incentive.
pub(crate) fn bar_files(set: &mut OutputSet, dir: &Path, stem: &str, title: &str, bars: &[Bar], footer: &str) -> Result<String, String> {
    let size = (900, 60 + 40 * bars.len().max(1) as u32 + 60);
    chart_files(set, dir, stem, size, |a| draw_bars(a, title, bars, footer))
}
