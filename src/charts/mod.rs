//! Every chart of the reports, drawn with plotters on both backends (PNG in memory, SVG text for
//! the self-contained HTML) into the command's [`OutputSet`], and what every chart shares: the
//! one font registration, the colours ([`crate::style`]), the footer, [`chart_files`].
//!
//! - `band.rs`: a KPI over time with 95% bands; `bars.rs`: the breakdown's bars;
//! - `sweep_line.rs`: a KPI against one varied parameter; `heatmap.rs`: against two;
//! - `optimize.rs`: a search's progress and its Pareto front;
//! - `studies.rs`: sensitivity and calibration (tornado, mu*-sigma, index bars, indices over
//!   time, prior vs posterior).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::io::OutputSet;
use crate::run::RunRecord;
use crate::style::{SERIES, viridis_rgb};

pub mod band;
pub mod bars;
pub mod heatmap;
pub mod optimize;
pub mod studies;
pub mod sweep_line;

pub(crate) fn font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, include_bytes!("../../assets/fonts/DejaVuSans.ttf"));
    });
}

/// The colour of series `i` ([`SERIES`], round again after the last).
pub(crate) fn series_color(i: usize) -> RGBColor {
    let [r, g, b] = SERIES[i % SERIES.len()];
    RGBColor(r, g, b)
}

/// The run record, small, at the bottom left of every chart.
pub(crate) fn draw_footer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    footer: &str,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, h) = area.dim_in_pixel();
    area.draw(&Text::new(footer.to_string(), (8, h as i32 - 14), ("sans-serif", 10).into_font().color(&RGBColor(110, 110, 110))))
}

/// Draws a picture and encodes it as PNG, in memory.
pub(crate) fn png_bytes(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    use image::ImageEncoder as _;
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    draw(&BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area())?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&rgb, size.0, size.1, image::ColorType::Rgb8)
        .map_err(|e| format!("cannot encode a PNG: {e}"))?;
    Ok(png)
}

/// Draws a chart as DIR/STEM.png and DIR/STEM.svg (the same drawing on each backend) into the
/// output set and returns the SVG text (for the self-contained HTML).
pub(crate) fn chart_files(
    set: &mut OutputSet,
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    png: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>,
    svg: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    font();
    set.add(dir.join(format!("{stem}.png")), png_bytes(size, png)?);
    let mut text = String::new();
    svg(&SVGBackend::with_string(&mut text, size).into_drawing_area())?;
    set.add(dir.join(format!("{stem}.svg")), text.clone());
    Ok(text)
}

/// One line naming the runs behind a chart: version, seed and each scenario's hash. With several
/// scenarios the names are in the legend, so the line gives the hashes in legend order (a chart
/// of ten scenarios still fits); the full records are in the reports.
pub(crate) fn footer_of<'a>(records: impl Iterator<Item = &'a RunRecord>) -> String {
    let records: Vec<&RunRecord> = records.collect();
    let version = env!("CARGO_PKG_VERSION");
    match records.as_slice() {
        [r] => format!("kicsim {version}: {} #{} seed {}", r.scenario, &r.scenario_hash[..8], r.seed),
        rs => {
            let hashes: Vec<String> = rs.iter().map(|r| format!("#{}", &r.scenario_hash[..8])).collect();
            let seed = if rs.iter().all(|r| r.seed == rs[0].seed) {
                format!("seed {}", rs[0].seed)
            } else {
                format!("seeds {}", rs.iter().map(|r| r.seed.to_string()).collect::<Vec<_>>().join(" "))
            };
            format!("kicsim {version}: {seed}; scenarios (legend order) {}", hashes.join(" "))
        }
    }
}

pub(crate) fn viridis(t: f64) -> RGBColor {
    let [r, g, b] = viridis_rgb(t);
    RGBColor(r, g, b)
}

pub(crate) fn label_at(labels: &[String], x: f64) -> String {
    let i = (x - 0.5).round();
    if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() { labels[i as usize].clone() } else { String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_footer_names_one_run_and_lists_many_by_hash() {
        let base = crate::scenario::default_scenario();
        let mut other = base.clone();
        other.incentives.cit_rate = 0.2;
        let (a, b) = (RunRecord::new(&base, "a.ron", 5), RunRecord::new(&other, "b.ron", 5));
        let one = footer_of(std::iter::once(&a));
        assert!(one.contains(&base.name) && one.contains(&a.scenario_hash[..8]) && one.contains(&format!("seed {}", base.seed)), "{one}");
        let two = footer_of([&a, &b].into_iter());
        let (ha, hb) = (two.find(&a.scenario_hash[..8]).unwrap(), two.find(&b.scenario_hash[..8]).unwrap());
        assert!(ha < hb, "hashes in legend order: {two}");
        assert_eq!(two.matches("seed").count(), 1, "common seed given once: {two}");
        // Ten scenarios fit under a 900 px chart at about 5.5 px a character.
        let many: Vec<RunRecord> = (0..10).map(|_| a.clone()).collect();
        assert!(footer_of(many.iter()).len() < 160);
    }
}
