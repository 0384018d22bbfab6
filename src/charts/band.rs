//! A KPI over time: one line per scenario with its 95% band across replications.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_files, draw_footer, series_color};
use crate::format::{fmt_num, kpi_heading, shown};
use crate::io::OutputSet;
use crate::registry::Kpi;
use crate::sim::QuarterRecord;
use crate::stats::estimate_kpi;

/// One KPI of one scenario over time, per quarter: (year, mean, low, high) across replications.
pub(crate) type Band = Vec<(f64, f64, f64, f64)>;

/// The 95% CI band of a KPI across replications, in the unit reports show it in
/// ([`shown`]; a flow per quarter at its yearly rate, [`at_yearly_rate`]).
pub(crate) fn band(runs: &[Vec<QuarterRecord>], k: &Kpi) -> Band {
    let n = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..n)
        .map(|q| {
            let xs: Vec<f64> = runs.iter().map(|r| if k.quarterly_flow { at_yearly_rate(r, q, k) } else { value_at(r, q, k) }).collect();
            let e = estimate_kpi(k.name, &xs);
            (runs[0][q].year, shown(k, e.mean), shown(k, e.ci95_low), shown(k, e.ci95_high))
        })
        .collect()
}

fn value_at(run: &[QuarterRecord], q: usize, k: &Kpi) -> f64 {
    run[q].kpi(k.name).unwrap_or(f64::NAN)
}

/// A flow per quarter at its yearly rate at quarter `q`: the sum of the last four quarters, as
/// `final_year_exports_usd_m` sums them at the end (in the first year, the quarters so far
/// scaled to four).
pub(crate) fn at_yearly_rate(run: &[QuarterRecord], q: usize, k: &Kpi) -> f64 {
    let from = q.saturating_sub(3);
    let sum: f64 = (from..=q).map(|i| value_at(run, i, k)).sum();
    sum * 4.0 / (q + 1 - from) as f64
}

/// A chart's title: the KPI's label and unit, and for a flow how its yearly rate is taken.
pub(crate) fn band_title(k: &Kpi) -> String {
    if k.quarterly_flow { format!("{}, last four quarters", kpi_heading(k)) } else { kpi_heading(k) }
}

pub(crate) fn draw_kpi<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    series: &[(String, Band)],
    footer: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("chart '{title}': {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let xmax = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.0)).fold(1.0, f64::max);
    let ymax = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.3.max(p.1))).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let ymin = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.2.min(p.1))).filter(|v| v.is_finite()).fold(0.0, f64::min);
    let ymax = if ymax <= ymin { ymin + 1.0 } else { ymax * 1.05 };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .margin_bottom(22) // room for the run-record footer under the axis title
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..xmax, ymin..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("year")
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    draw_band_lines(&mut chart, series, |i, _| series_color(i), 0.18, 13).map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// Each series as a line (its mean) over a shaded band (its low..high), with the legend in the
/// upper left: the reports' KPIs over time and the sensitivity indices over time. Points that are
/// not finite are left out.
pub(crate) fn draw_band_lines<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>,
    series: &[(String, Band)],
    color_of: impl Fn(usize, &str) -> RGBColor,
    band_alpha: f64,
    font_size: u32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB::ErrorType: 'static,
{
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = color_of(i, name);
        let finite: Vec<&(f64, f64, f64, f64)> = pts.iter().filter(|p| p.1.is_finite()).collect();
        if finite.iter().any(|p| p.3 > p.2) {
            let mut poly: Vec<(f64, f64)> = finite.iter().map(|p| (p.0, p.3)).collect();
            poly.extend(finite.iter().rev().map(|p| (p.0, p.2)));
            chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(band_alpha))))?;
        }
        chart
            .draw_series(LineSeries::new(finite.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", font_size))
        .draw()
}

/// A KPI over time, one band per scenario.
pub(crate) fn kpi_files(
    set: &mut OutputSet,
    dir: &Path,
    stem: &str,
    title: &str,
    series: &[(String, Band)],
    footer: &str,
) -> Result<String, String> {
    chart_files(set, dir, stem, (900, 480), |a| draw_kpi(a, title, series, footer))
}
