//! A KPI against the values of one varied parameter: means with 95% CI whiskers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_footer, label_at, series_color};
use crate::format::fmt_num;
use crate::stats::Estimate;

pub(crate) fn draw_sweep_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kpi: &str,
    param: &str,
    xs: &[String],
    ests: &[Estimate],
    footer: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("sweep chart: {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let k = if kpi.ends_with("_rate") { 100.0 } else { 1.0 };
    let finite = |v: f64| v.is_finite().then_some(v * k);
    let lo = ests.iter().filter_map(|e| finite(e.ci95_low).or(finite(e.mean))).fold(f64::INFINITY, f64::min);
    let hi = ests.iter().filter_map(|e| finite(e.ci95_high).or(finite(e.mean))).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (0.0, 1.0)
    };
    let reps = ests.iter().map(|e| e.n).max().unwrap_or(0);
    let unit = if k == 100.0 { " (%)" } else { "" };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{kpi}{unit}: mean and 95% CI of {reps} replication{} per value", if reps == 1 { "" } else { "s" }),
            ("sans-serif", 18),
        )
        .margin(15)
        .margin_bottom(24)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..xs.len() as f64 - 0.5, lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(xs.len() * 2 + 1)
        .x_label_formatter(&|x| label_at(xs, *x + 0.5))
        .y_label_formatter(&|v| fmt_num(*v))
        .x_desc(param)
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    let color = series_color(0);
    // A line joins values that have an order (numbers); names (sectors, tiers) stand apart.
    if xs.iter().all(|x| x.parse::<f64>().is_ok()) {
        chart
            .draw_series(LineSeries::new(ests.iter().enumerate().map(|(i, e)| (i as f64, e.mean * k)), color.stroke_width(2)))
            .map_err(err)?;
    }
    // 95% CI whiskers with caps.
    for (i, e) in ests.iter().enumerate().filter(|(_, e)| e.n > 1 && e.ci95_low.is_finite() && e.ci95_high.is_finite()) {
        let (x, a, b) = (i as f64, e.ci95_low * k, e.ci95_high * k);
        let cap = 0.06;
        let lines = [vec![(x, a), (x, b)], vec![(x - cap, a), (x + cap, a)], vec![(x - cap, b), (x + cap, b)]];
        chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, color.stroke_width(2)))).map_err(err)?;
    }
    chart.draw_series(ests.iter().enumerate().map(|(i, e)| Circle::new((i as f64, e.mean * k), 4, color.filled()))).map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}
