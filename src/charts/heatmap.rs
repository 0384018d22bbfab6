//! A KPI over a grid of two varied parameters, with its colour scale.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_footer, label_at, viridis};

#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kpi: &str,
    params: &[String],
    xs: &[String],
    ys: &[String],
    v: &[Vec<f64>],
    reps: usize,
    footer: &str,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("heatmap: {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let lo = v.iter().flatten().copied().filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = v.iter().flatten().copied().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w.saturating_sub(110));
    let mut chart = ChartBuilder::on(&main)
        .caption(format!("{kpi} (mean of {reps} replication{} per cell)", if reps == 1 { "" } else { "s" }), ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..xs.len() as f64, 0.0..ys.len() as f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(xs.len() * 2 + 1)
        .y_labels(ys.len() * 2 + 1)
        .x_label_formatter(&|x| label_at(xs, *x))
        .y_label_formatter(&|y| label_at(ys, *y))
        .x_desc(params[0].as_str())
        .y_desc(params[1].as_str())
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for (i, col) in v.iter().enumerate() {
        for (j, val) in col.iter().enumerate() {
            let t = ((val - lo) / span).clamp(0.0, 1.0);
            let c = if val.is_finite() { viridis(t) } else { RGBColor(200, 200, 200) };
            chart
                .draw_series(std::iter::once(Rectangle::new([(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)], c.filled())))
                .map_err(err)?;
            let txt = kpi_text(kpi, *val);
            let fg = if t > 0.6 { BLACK } else { WHITE };
            chart
                .draw_series(std::iter::once(Text::new(txt, (i as f64 + 0.35, j as f64 + 0.55), ("sans-serif", 14).into_font().color(&fg))))
                .map_err(err)?;
        }
    }
    // The colour bar: the scale from the lowest to the highest cell.
    let mut scale = ChartBuilder::on(&bar)
        .margin_top(45)
        .margin_bottom(65)
        .margin_right(10)
        .y_label_area_size(0)
        .right_y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, lo.min(hi)..if hi > lo { hi } else { lo + 1.0 })
        .map_err(err)?;
    scale
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .y_label_formatter(&|y| kpi_text(kpi, *y))
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(err)?;
    const STEPS: usize = 64;
    scale
        .draw_series((0..STEPS).map(|k| {
            let (a, b) = (k as f64 / STEPS as f64, (k + 1) as f64 / STEPS as f64);
            Rectangle::new([(0.0, lo + a * span), (1.0, lo + b * span)], viridis(a).filled())
        }))
        .map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// A KPI value as shown in a heatmap cell or on its scale (rates in percent).
fn kpi_text(kpi: &str, v: f64) -> String {
    if !v.is_finite() {
        "n/a".into()
    } else if kpi.ends_with("_rate") {
        format!("{:.1}%", v * 100.0)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
