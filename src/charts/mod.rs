//! Every chart of the reports, drawn with plotters as SVG (the self-contained HTML holds it) and
//! rendered from it to PNG by resvg, into the command's [`OutputSet`], and what every chart
//! shares: the one font registration, the colours ([`crate::style`]), the footer, [`chart_files`].
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

/// The charts' font for the PNG renderer: DejaVu Sans, the one font the SVGs name
/// ("sans-serif"), loaded once.
fn png_fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static DB: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(include_bytes!("../../assets/fonts/DejaVuSans.ttf").to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        std::sync::Arc::new(db)
    })
    .clone()
}

/// A chart's SVG drawn as a PNG, in memory, by resvg (text laid out with the font's advances
/// and kerning). plotters' own bitmap text (its ab_glyph backend) drops each glyph's side
/// bearing, so "CIT holiday" read "CI Tholiday"; a PNG made from the SVG also cannot differ
/// from it.
pub(crate) fn svg_to_png(svg: &str) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let options = usvg::Options { font_family: "DejaVu Sans".into(), fontdb: png_fonts(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("cannot read a chart's SVG: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("a chart of no size")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode a PNG: {e}"))
}

/// Draws a chart as DIR/STEM.svg and DIR/STEM.png (the SVG rendered) into the output set and
/// returns the SVG text (for the self-contained HTML).
pub(crate) fn chart_files(
    set: &mut OutputSet,
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), String>,
) -> Result<String, String> {
    font();
    let mut text = String::new();
    draw(&SVGBackend::with_string(&mut text, size).into_drawing_area())?;
    set.add(dir.join(format!("{stem}.png")), svg_to_png(&text)?);
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

    /// The columns of a PNG's pixels that hold ink (darker than light grey).
    fn ink_columns(png: &[u8]) -> Vec<bool> {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        let (w, h, n) = (info.width as usize, info.height as usize, info.color_type.samples());
        (0..w).map(|x| (0..h).any(|y| pixels[(y * w + x) * n] < 160)).collect()
    }

    #[test]
    fn chart_text_is_spaced_where_the_words_are() {
        // "CIT holiday" on the breakdown's bars read "CI Tholiday": glyphs placed without their
        // side bearings. The widest gap in the ink must be the space, after the third letter.
        font();
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (220, 40)).into_drawing_area();
            area.fill(&WHITE).unwrap();
            area.draw(&Text::new("CIT holiday", (10, 10), ("sans-serif", 20).into_font().color(&BLACK))).unwrap();
        }
        let ink = ink_columns(&svg_to_png(&svg).unwrap());
        // Runs of ink and of blank columns between the first ink and the last.
        let (first, last) = (ink.iter().position(|&i| i).unwrap(), ink.iter().rposition(|&i| i).unwrap());
        let mut gaps: Vec<(usize, usize)> = Vec::new();
        let mut x = first;
        while x <= last {
            if !ink[x] {
                let start = x;
                while !ink[x] {
                    x += 1;
                }
                gaps.push((start, x - start));
            }
            x += 1;
        }
        let widest = gaps.iter().max_by_key(|g| g.1).unwrap();
        let letters_before = gaps.iter().filter(|g| g.0 < widest.0).count() + 1;
        assert_eq!(letters_before, 3, "the widest gap follows C, I, T: gaps {gaps:?}");
        assert!(widest.1 >= 4, "a space is wider than the gaps between letters: {gaps:?}");
    }

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
