//! The charts of `kicsim optimize`: the search's progress (every feasible candidate's first
//! objective and the best so far, against the evaluations) and, for two objectives or more, the
//! Pareto front of the first two.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_files, draw_footer, series_color};
use crate::format::{fmt_num, kpi_heading, shown};
use crate::io::OutputSet;
use crate::registry::Kpi;

/// A point of a chart: x, y, and whether it is highlighted (best so far, on the front).
pub type Point = (f64, f64);

/// What the progress chart shows, in the units of the report.
pub struct Progress<'a> {
    pub kpi: &'a Kpi,
    pub title: String,
    /// (evaluation, value) of every feasible candidate.
    pub feasible: Vec<Point>,
    /// (evaluation, best so far).
    pub best: Vec<Point>,
    /// The input plan's value.
    pub input: Option<f64>,
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    } else {
        (lo - 1.0_f64.max(lo.abs() * 0.05), hi + 1.0_f64.max(hi.abs() * 0.05))
    }
}

fn draw_progress<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Progress, footer: &str) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("progress chart: {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let k = p.kpi;
    let ys = p.feasible.iter().chain(&p.best).map(|q| shown(k, q.1)).chain(p.input.map(|v| shown(k, v)));
    let (y0, y1) = range(ys);
    let x1 = p.feasible.iter().chain(&p.best).map(|q| q.0).fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 18))
        .margin(15)
        .margin_bottom(24)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..x1 * 1.02, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("candidates evaluated")
        .y_desc(kpi_heading(k))
        .y_label_formatter(&|v| fmt_num(*v))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    let grey = RGBColor(170, 170, 170);
    chart.draw_series(p.feasible.iter().map(|(x, y)| Circle::new((*x, shown(k, *y)), 2, grey.filled()))).map_err(err)?;
    let best: Vec<Point> = p.best.iter().map(|(x, y)| (*x, shown(k, *y))).collect();
    chart
        .draw_series(LineSeries::new(best, series_color(0).stroke_width(3)))
        .map_err(err)?
        .label("best feasible so far")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], series_color(0).stroke_width(3)));
    if let Some(v) = p.input {
        chart
            .draw_series(LineSeries::new(vec![(0.0, shown(k, v)), (x1 * 1.02, shown(k, v))], series_color(1).stroke_width(1)))
            .map_err(err)?
            .label("input plan")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], series_color(1).stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// progress.png and progress.svg; returns the SVG.
pub(crate) fn progress_files(set: &mut OutputSet, dir: &Path, p: &Progress, footer: &str) -> Result<String, String> {
    chart_files(set, dir, "progress", (900, 560), |a| draw_progress(a, p, footer))
}

/// What the Pareto chart shows: two objectives of every feasible candidate and of the front.
pub struct Front<'a> {
    pub kpis: [&'a Kpi; 2],
    pub names: [String; 2],
    pub feasible: Vec<Point>,
    pub front: Vec<Point>,
    pub input: Option<Point>,
}

fn draw_front<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, f: &Front, footer: &str) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("Pareto chart: {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let [kx, ky] = f.kpis;
    let pts = || f.feasible.iter().chain(&f.front).chain(&f.input);
    let (x0, x1) = range(pts().map(|p| shown(kx, p.0)));
    let (y0, y1) = range(pts().map(|p| shown(ky, p.1)));
    let mut chart = ChartBuilder::on(area)
        .caption("Pareto front of the feasible plans", ("sans-serif", 18))
        .margin(15)
        .margin_bottom(24)
        .x_label_area_size(45)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!("{} ({})", kpi_heading(kx), f.names[0]))
        .y_desc(format!("{} ({})", kpi_heading(ky), f.names[1]))
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    let grey = RGBColor(170, 170, 170);
    chart.draw_series(f.feasible.iter().map(|p| Circle::new((shown(kx, p.0), shown(ky, p.1)), 2, grey.filled()))).map_err(err)?;
    let front: Vec<Point> = f.front.iter().map(|p| (shown(kx, p.0), shown(ky, p.1))).collect();
    chart.draw_series(LineSeries::new(front.clone(), series_color(0).stroke_width(2))).map_err(err)?;
    chart
        .draw_series(front.iter().map(|p| Circle::new(*p, 5, series_color(0).filled())))
        .map_err(err)?
        .label("Pareto front")
        .legend(|(x, y)| Circle::new((x + 8, y), 5, series_color(0).filled()));
    if let Some(p) = f.input {
        chart
            .draw_series(std::iter::once(TriangleMarker::new((shown(kx, p.0), shown(ky, p.1)), 7, series_color(1).filled())))
            .map_err(err)?
            .label("input plan")
            .legend(|(x, y)| TriangleMarker::new((x + 8, y), 7, series_color(1).filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// pareto.png and pareto.svg; returns the SVG.
pub(crate) fn front_files(set: &mut OutputSet, dir: &Path, f: &Front, footer: &str) -> Result<String, String> {
    chart_files(set, dir, "pareto", (900, 640), |a| draw_front(a, f, footer))
}
