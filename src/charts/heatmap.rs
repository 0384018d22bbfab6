//! A KPI over a grid of two varied parameters, with its colour scale, and the cells that cannot
//! be told apart from the best one outlined.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{draw_footer, label_at, viridis};
use crate::registry::Kpi;

/// How a cell compares with the best cell of the grid (paired across the common seeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The best cell.
    Best,
    /// Its paired difference to the best cell has a 95% CI that includes 0.
    Close,
    /// Clearly worse than the best cell, or no data.
    Other,
}

/// What a heatmap shows: the mean of `kpi` at each cell (`means[x][y]`) and each cell's mark.
pub struct Heatmap<'a> {
    pub kpi: &'a Kpi,
    /// The two varied parameters' headings (x, then y).
    pub params: [String; 2],
    pub xs: &'a [String],
    pub ys: &'a [String],
    pub means: &'a [Vec<f64>],
    pub marks: &'a [Vec<Mark>],
    pub reps: usize,
    /// "highest" or "lowest": which end of the scale is best.
    pub best: &'a str,
}

pub(crate) fn draw_heatmap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, h: &Heatmap, footer: &str) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("heatmap: {e:?}");
    area.fill(&WHITE).map_err(err)?;
    let (kpi, xs, ys) = (h.kpi, h.xs, h.ys);
    let lo = h.means.iter().flatten().copied().filter(|x| x.is_finite()).fold(f64::INFINITY, f64::min);
    let hi = h.means.iter().flatten().copied().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (w, height) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(height.saturating_sub(40));
    let (main, bar) = top.split_horizontally(w.saturating_sub(110));
    let reps = if h.reps == 1 { "1 replication".to_string() } else { format!("{} replications", h.reps) };
    let mut chart = ChartBuilder::on(&main)
        .caption(format!("{}: mean of {reps} per cell", crate::format::kpi_heading(kpi)), ("sans-serif", 19))
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
        .x_desc(h.params[0].as_str())
        .y_desc(h.params[1].as_str())
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for (i, col) in h.means.iter().enumerate() {
        for (j, val) in col.iter().enumerate() {
            let t = ((val - lo) / span).clamp(0.0, 1.0);
            let c = if val.is_finite() { viridis(t) } else { RGBColor(200, 200, 200) };
            let (x, y) = (i as f64, j as f64);
            chart.draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], c.filled()))).map_err(err)?;
            let fg = if t > 0.6 { BLACK } else { WHITE };
            let mark = h.marks.get(i).and_then(|m| m.get(j)).copied().unwrap_or(Mark::Other);
            if mark != Mark::Other {
                // A frame inside the cell, in the text's colour so it shows on any shade.
                let inset = 0.06;
                let frame = [
                    (x + inset, y + inset),
                    (x + 1.0 - inset, y + inset),
                    (x + 1.0 - inset, y + 1.0 - inset),
                    (x + inset, y + 1.0 - inset),
                    (x + inset, y + inset),
                ];
                chart.draw_series(std::iter::once(PathElement::new(frame.to_vec(), fg.stroke_width(3)))).map_err(err)?;
            }
            let txt = if mark == Mark::Best { format!("{} best", kpi.fmt(*val)) } else { kpi.fmt(*val) };
            chart
                .draw_series(std::iter::once(Text::new(txt, (x + 0.2, y + 0.55), ("sans-serif", 14).into_font().color(&fg))))
                .map_err(err)?;
        }
    }
    let note = format!("Framed: the {} cell (\"best\") and the cells whose paired difference to it has a 95% CI that includes 0", h.best);
    bottom.draw(&Text::new(note, (12, 2), ("sans-serif", 12).into_font().color(&RGBColor(60, 60, 60)))).map_err(err)?;
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
        .y_label_formatter(&|y| kpi.fmt(*y))
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
