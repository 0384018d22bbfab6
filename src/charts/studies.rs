//! The charts of `kicsim sensitivity` and `kicsim calibrate`: a tornado, Morris' mu*-sigma
//! plane, index bars with intervals, indices over time and prior vs posterior histograms. Each
//! is drawn as PNG and SVG into the command's output set ([`Chart::files`]) with the font,
//! colours and footer every chart shares ([`super`]).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{chart_files, draw_footer, series_color};
use crate::format::fmt_num;
use crate::io::OutputSet;

/// The noise floor's (the dummy's) colour.
const GREY: RGBColor = RGBColor(150, 150, 150);

/// One bar with an interval: (label, value, low, high); an interval with low == high is not drawn.
pub use super::bars::Bar;

/// A chart's data; [`Chart::draw`] draws it on any backend.
pub enum Chart {
    /// Effects of each parameter at the low and the high end of its range (both relative to the
    /// base run), largest swing on top, with 95% intervals.
    Tornado { title: String, x_label: String, low: Vec<Bar>, high: Vec<Bar> },
    /// Morris: mu* (x, with its 95% interval) against sigma (y), labelled; the dummy in grey.
    MuSigma { title: String, points: Vec<(String, f64, f64, f64, f64)>, dummy: Option<String> },
    /// Sobol: first-order and total index of each parameter, with 95% intervals; the dummy's
    /// total index as a dashed line (the noise floor).
    IndexBars { title: String, s1: Vec<Bar>, st: Vec<Bar>, floor: Option<f64> },
    /// Series over years, each (label, [(year, value, low, high)]).
    Lines { title: String, y_label: String, series: Vec<(String, Vec<(f64, f64, f64, f64)>)> },
    /// A parameter's uniform prior against its (weighted) posterior sample, with the true value
    /// of a synthetic test when there is one.
    Histogram { title: String, range: (f64, f64), samples: Vec<f64>, weights: Vec<f64>, truth: Option<f64>, centre: Option<f64> },
}

impl Chart {
    /// Draws the chart as DIR/STEM.png and DIR/STEM.svg into `set` and returns the SVG text (for
    /// a self-contained HTML report).
    pub fn files(&self, set: &mut OutputSet, dir: &Path, stem: &str, size: (u32, u32), footer: &str) -> Result<String, String> {
        chart_files(set, dir, stem, size, |area| self.draw(area, footer))
    }
}

/// A height that fits `rows` labelled rows.
pub fn rows_height(rows: usize) -> u32 {
    (120 + 28 * rows.max(1) as u32).max(300)
}

fn finite_or(v: f64, d: f64) -> f64 {
    if v.is_finite() { v } else { d }
}

impl Chart {
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, footer: &str) -> Result<(), String>
    where
        DB::ErrorType: 'static,
    {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("chart: {e:?}");
        area.fill(&WHITE).map_err(err)?;
        match self {
            Chart::Tornado { title, x_label, low, high } => draw_tornado(area, title, x_label, low, high)?,
            Chart::MuSigma { title, points, dummy } => draw_mu_sigma(area, title, points, dummy.as_deref())?,
            Chart::IndexBars { title, s1, st, floor } => draw_index_bars(area, title, s1, st, *floor)?,
            Chart::Lines { title, y_label, series } => draw_lines(area, title, y_label, series)?,
            Chart::Histogram { title, range, samples, weights, truth, centre } => {
                draw_histogram(area, title, *range, samples, weights, *truth, *centre)?
            }
        }
        draw_footer(area, footer).map_err(err)?;
        area.present().map_err(err)?;
        Ok(())
    }
}

/// The label of row `i` of a horizontal chart whose rows sit at i + 0.5.
fn row_label(labels: &[String], y: f64) -> String {
    let i = (y - 0.5).round();
    if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() { labels[i as usize].clone() } else { String::new() }
}

fn span(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = if include_zero { (0.0, 0.0) } else { (f64::INFINITY, f64::NEG_INFINITY) };
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(1e-9);
    (lo - pad, hi + pad)
}

fn whiskers(i: f64, lo: f64, hi: f64, color: RGBColor) -> Vec<PathElement<(f64, f64)>> {
    let s = color.stroke_width(2);
    vec![
        PathElement::new(vec![(lo, i), (hi, i)], s),
        PathElement::new(vec![(lo, i - 0.1), (lo, i + 0.1)], s),
        PathElement::new(vec![(hi, i - 0.1), (hi, i + 0.1)], s),
    ]
}

/// The plotting area of a bar chart: data coordinates on both axes.
type BarChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>>;

/// Rows of two horizontal bars (the row's upper and lower half) with their 95% whiskers, the
/// first row of `halves[0]` at the top and labelled with its parameter; `decorate` draws what the
/// chart adds before the legend (the tornado's zero line, the Sobol' noise floor). The tornado
/// and the index bars share it.
#[allow(clippy::too_many_arguments)]
fn draw_paired_bars<'a, DB: DrawingBackend + 'a>(
    area: &'a DrawingArea<DB, Shift>,
    what: &str,
    title: &str,
    x_label: &str,
    x_range: std::ops::Range<f64>,
    halves: [(&[Bar], RGBColor, &str); 2],
    decorate: impl FnOnce(&mut BarChart<'a, DB>, usize) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("{what}: {e:?}");
    let n = halves[0].0.len().max(1);
    // Largest first at the top: row n-1 is drawn highest.
    let labels: Vec<String> = halves[0].0.iter().rev().map(|b| b.0.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .margin_bottom(24)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(x_range, 0.0..n as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y| row_label(&labels, *y))
        .max_light_lines(1)
        .x_desc(x_label)
        .x_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    for (half, (bars, color, name)) in halves.into_iter().enumerate() {
        chart
            .draw_series(bars.iter().enumerate().map(|(k, b)| {
                let y = (n - 1 - k) as f64;
                let (y0, y1) = if half == 0 { (y + 0.5, y + 0.85) } else { (y + 0.15, y + 0.5) };
                Rectangle::new([(0.0, y0), (finite_or(b.1, 0.0), y1)], color.mix(0.8).filled())
            }))
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], color.filled()));
        for (k, b) in bars.iter().enumerate().filter(|(_, b)| b.3 > b.2) {
            let y = (n - 1 - k) as f64 + if half == 0 { 0.675 } else { 0.325 };
            chart.draw_series(whiskers(y, b.2, b.3, BLACK)).map_err(err)?;
        }
    }
    decorate(&mut chart, n).map_err(err)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    Ok(())
}

fn draw_tornado<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    low: &[Bar],
    high: &[Bar],
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = span(low.iter().chain(high).flat_map(|b| [b.1, b.2, b.3]), true);
    let halves = [(low, series_color(0), "at the low end of its range"), (high, series_color(1), "at the high end")];
    draw_paired_bars(area, "tornado", title, x_label, x0..x1, halves, |chart, n| {
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, n as f64)], BLACK.stroke_width(1)))).map(|_| ())
    })
}

fn draw_mu_sigma<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    points: &[(String, f64, f64, f64, f64)],
    dummy: Option<&str>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("mu*-sigma chart: {e:?}");
    let (_, x1) = span(points.iter().flat_map(|p| [p.1, p.4]), true);
    let (_, y1) = span(points.iter().map(|p| p.2), true);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(15)
        .margin_bottom(24)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x1, 0.0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(1)
        .x_desc("mu* (mean |elementary effect|, per whole range)")
        .y_desc("sigma (non-linearity, interactions)")
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    // sigma = mu*: effects above this line change sign or size much with the other parameters.
    let m = x1.min(y1);
    chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (m, m)], GREY.stroke_width(1)))).map_err(err)?;
    for (i, (label, mu, sigma, lo, hi)) in points.iter().enumerate() {
        let is_dummy = dummy == Some(label.as_str());
        let color = if is_dummy { GREY } else { series_color(i) };
        if hi > lo {
            let s = color.stroke_width(1);
            chart.draw_series(std::iter::once(PathElement::new(vec![(*lo, *sigma), (*hi, *sigma)], s))).map_err(err)?;
        }
        let mark = EmptyElement::at((*mu, *sigma))
            + Circle::new((0, 0), 4, color.filled())
            + Text::new(label.clone(), (6, -14), ("sans-serif", 11).into_font().color(&color));
        chart.draw_series(std::iter::once(mark)).map_err(err)?;
    }
    Ok(())
}

fn draw_index_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    s1: &[Bar],
    st: &[Bar],
    floor: Option<f64>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = span(s1.iter().chain(st).flat_map(|b| [b.1, b.2, b.3]).chain(floor), true);
    let halves = [(st, series_color(1), "total (ST)"), (s1, series_color(0), "first order (S1)")];
    draw_paired_bars(area, "index chart", title, "share of the output's variance", x0.min(0.0)..x1.max(0.05), halves, |chart, n| {
        if let Some(f) = floor.filter(|f| f.is_finite()) {
            chart
                .draw_series(DashedLineSeries::new(vec![(f, 0.0), (f, n as f64)], 6, 4, GREY.stroke_width(2)))?
                .label("noise floor (dummy's ST)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY.stroke_width(2)));
        }
        Ok(())
    })
}

type Series = (String, Vec<(f64, f64, f64, f64)>);

fn draw_lines<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, y_label: &str, series: &[Series]) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("chart over time: {e:?}");
    let xmax = series.iter().flat_map(|(_, s)| s.iter().map(|p| p.0)).fold(1.0, f64::max);
    let (y0, y1) = span(series.iter().flat_map(|(_, s)| s.iter().flat_map(|p| [p.1, p.2, p.3])), true);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .margin_bottom(24)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..xmax, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("year")
        .y_desc(y_label)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    crate::charts::band::draw_band_lines(
        &mut chart,
        series,
        |i, name| if name.contains("dummy") { GREY } else { series_color(i) },
        0.15,
        12,
    )
    .map_err(err)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    (lo, hi): (f64, f64),
    samples: &[f64],
    weights: &[f64],
    truth: Option<f64>,
    centre: Option<f64>,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("histogram: {e:?}");
    const BINS: usize = 20;
    let width = (hi - lo) / BINS as f64;
    let total: f64 = weights.iter().sum::<f64>().max(1e-300);
    let mut dens = [0.0; BINS];
    for (x, w) in samples.iter().zip(weights) {
        let b = (((x - lo) / width).floor().max(0.0) as usize).min(BINS - 1);
        dens[b] += w / total / width;
    }
    let prior = 1.0 / (hi - lo);
    let ymax = dens.iter().copied().fold(prior, f64::max) * 1.12;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .margin_bottom(24)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi, 0.0..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .y_desc("density")
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style(("sans-serif", 11))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(dens.iter().enumerate().map(|(b, d)| {
            let x0 = lo + b as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, *d)], series_color(0).mix(0.6).filled())
        }))
        .map_err(err)?
        .label("posterior")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], series_color(0).mix(0.6).filled()));
    chart
        .draw_series(DashedLineSeries::new(vec![(lo, prior), (hi, prior)], 6, 4, BLACK.stroke_width(2)))
        .map_err(err)?
        .label("prior (uniform over the plausible range)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2)));
    if let Some(c) = centre.filter(|c| (lo..=hi).contains(c)) {
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(c, 0.0), (c, ymax)], GREY.stroke_width(2))))
            .map_err(err)?
            .label("the file's value")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY.stroke_width(2)));
    }
    if let Some(t) = truth {
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(t, 0.0), (t, ymax)], series_color(1).stroke_width(3))))
            .map_err(err)?
            .label("true value (synthetic targets)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], series_color(1).stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_draws_as_png_and_svg() {
        let bars = vec![("a".to_string(), 0.5, 0.4, 0.6), ("b".to_string(), -0.1, -0.2, 0.0)];
        let charts = [
            Chart::Tornado { title: "t".into(), x_label: "x".into(), low: bars.clone(), high: bars.clone() },
            Chart::MuSigma {
                title: "m".into(),
                points: vec![("a".into(), 1.0, 0.5, 0.8, 1.2), ("dummy".into(), 0.1, 0.1, 0.0, 0.2)],
                dummy: Some("dummy".into()),
            },
            Chart::IndexBars { title: "s".into(), s1: bars.clone(), st: bars.clone(), floor: Some(0.02) },
            Chart::Lines {
                title: "l".into(),
                y_label: "ST".into(),
                series: vec![("a".into(), vec![(1.0, 0.2, 0.1, 0.3), (2.0, 0.3, 0.2, 0.4)])],
            },
            Chart::Histogram {
                title: "h".into(),
                range: (0.0, 2.0),
                samples: vec![0.5, 0.6, 0.7],
                weights: vec![1.0; 3],
                truth: Some(0.6),
                centre: Some(1.0),
            },
        ];
        let mut set = OutputSet::default();
        for (i, c) in charts.iter().enumerate() {
            let svg = c.files(&mut set, Path::new("x"), &format!("c{i}"), (600, 400), "kicsim test").unwrap();
            assert!(svg.contains("<svg") && svg.contains("kicsim test"), "chart {i}");
        }
        let files = set.into_files();
        assert_eq!(files.len(), 10);
        assert!(files.iter().filter(|(p, _)| p.extension().is_some_and(|e| e == "png")).all(|(_, b)| b.starts_with(b"\x89PNG")));
    }
}
