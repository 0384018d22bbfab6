//! A KPI against the values of one varied parameter: means with 95% CI whiskers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_footer, label_at, series_color};
use crate::format::{fmt_num, kpi_heading, shown};
use crate::registry::Kpi;
use crate::stats::Estimate;

pub(crate) fn draw_sweep_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kpi: &Kpi,
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
    let finite = |v: f64| v.is_finite().then_some(shown(kpi, v));
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
    // Numbers are placed by value (0, 1, 4 are not evenly spaced) and joined by a line; names
    // (sectors, tiers) have no order: evenly spaced, whiskers and dots only.
    let numbers: Option<Vec<f64>> = xs.iter().map(|x| x.trim().parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    let at: Vec<f64> = numbers.clone().unwrap_or_else(|| (0..xs.len()).map(|i| i as f64).collect());
    let (x0, x1) = match &numbers {
        Some(v) => {
            let (a, b) = (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            let pad = if b > a { 0.06 * (b - a) } else { 0.5_f64.max(a.abs() * 0.1) };
            (a - pad, b + pad)
        }
        None => (-0.5, xs.len() as f64 - 0.5),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{}: mean and 95% CI of {reps} replication{} per value", kpi_heading(kpi), if reps == 1 { "" } else { "s" }),
            ("sans-serif", 18),
        )
        .margin(15)
        .margin_bottom(24)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, lo..hi)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh().y_label_formatter(&|v| fmt_num(*v)).x_desc(param).label_style(("sans-serif", 13));
    let by_name = |x: &f64| label_at(xs, *x + 0.5);
    let by_value = |x: &f64| fmt_num(*x);
    if numbers.is_some() {
        mesh.x_labels(10).x_label_formatter(&by_value);
    } else {
        mesh.x_labels(xs.len() * 2 + 1).x_label_formatter(&by_name);
    }
    mesh.draw().map_err(err)?;
    let color = series_color(0);
    if numbers.is_some() {
        let mut pts: Vec<(f64, f64)> = at.iter().zip(ests).map(|(x, e)| (*x, shown(kpi, e.mean))).collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(LineSeries::new(pts, color.stroke_width(2))).map_err(err)?;
    }
    // 95% CI whiskers with caps.
    let cap = 0.012 * (x1 - x0);
    for (x, e) in at.iter().zip(ests).filter(|(_, e)| e.n > 1 && e.ci95_low.is_finite() && e.ci95_high.is_finite()) {
        let (x, a, b) = (*x, shown(kpi, e.ci95_low), shown(kpi, e.ci95_high));
        let lines = [vec![(x, a), (x, b)], vec![(x - cap, a), (x + cap, a)], vec![(x - cap, b), (x + cap, b)]];
        chart.draw_series(lines.into_iter().map(|l| PathElement::new(l, color.stroke_width(2)))).map_err(err)?;
    }
    chart.draw_series(at.iter().zip(ests).map(|(x, e)| Circle::new((*x, shown(kpi, e.mean)), 4, color.filled()))).map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}
