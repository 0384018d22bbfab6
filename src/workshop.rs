//! Workshop tools: compare scenarios side by side with common random numbers, break a
//! scenario's outcome down by incentive, and sweep parameter grids (sharded for clusters).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;
use serde_json::json;

use crate::run::{self, Estimate, RunRecord, estimate, estimate_kpi, fmt_num, write_atomic};
use crate::scenario::{Incentives, Scenario};
use crate::sim::QuarterRecord;

#[derive(Subcommand)]
pub enum WorkshopCommand {
    /// Compare scenarios side by side (common random numbers, paired differences to the first).
    Compare(CompareArgs),
    /// Contribution of each incentive of one scenario (each switched off in turn).
    Breakdown(BreakdownArgs),
    /// Run a grid of parameter values in parallel; --shard i/n runs one part of it.
    Sweep(SweepArgs),
    /// Merge the shard results of a sweep into one results.csv (and heatmap), or the shards of a sensitivity analysis into its report.
    Merge(MergeArgs),
    /// Which model parameters drive a KPI: tornado, Morris and Sobol' indices with intervals.
    Sensitivity(crate::sensitivity::SensitivityArgs),
    /// Fit the model's parameters to observed facts (ABC): posterior samples and what the facts constrain.
    Calibrate(crate::calibrate::CalibrateArgs),
}

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario files; differences are given to the first.
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Replications per file (the same seeds for every file).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Seed of replication 0, shared by all files (default: the first file's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in years for every file (default: each file's own `years`; files with different
    /// horizons are compared at different dates, and compare says so).
    #[arg(long)]
    pub years: Option<u32>,
    /// Output folder: report.html, report.md, report.json, charts.
    #[arg(long, default_value = "compare-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: crate::uncertainty::DrawArgs,
}

#[derive(Args)]
pub struct BreakdownArgs {
    /// The scenario whose incentives are switched off one at a time.
    pub file: PathBuf,
    /// Replications per run (paired: the same seeds with and without each incentive).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Output folder: report, breakdown charts, breakdown.json.
    #[arg(long, default_value = "breakdown-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: crate::uncertainty::DrawArgs,
}

#[derive(Args)]
pub struct SweepArgs {
    /// The scenario the grid varies.
    pub file: PathBuf,
    /// A parameter and its values, e.g. --vary incentives.cit_rate=0.05,0.1,0.2 (repeatable).
    #[arg(long = "vary", required = true, value_name = "PATH=V1,V2,...")]
    pub vary: Vec<String>,
    /// Replications per grid point (seeds seed, seed+1, ...: the same at every point, so
    /// neighbouring cells differ by the parameters, not by luck).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Run only part i of n of the grid (i from 1 to n; with Slurm: --shard $SLURM_ARRAY_TASK_ID/n).
    #[arg(long)]
    pub shard: Option<String>,
    /// The KPI coloured in the heatmap.
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// Output folder: results.csv (or one shard's file) and the heatmap.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shard CSV files, or directories holding them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The KPI coloured in the heatmap.
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// Output folder: the merged results.csv and the heatmap.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
}

pub fn execute(cmd: WorkshopCommand) -> Result<(), String> {
    let out = match &cmd {
        WorkshopCommand::Compare(a) => &a.out,
        WorkshopCommand::Breakdown(a) => &a.out,
        WorkshopCommand::Sweep(a) => &a.out,
        WorkshopCommand::Merge(a) => &a.out,
        WorkshopCommand::Sensitivity(a) => &a.out,
        WorkshopCommand::Calibrate(a) => &a.out,
    };
    run::check_out_dir("--out", out)?;
    match cmd {
        WorkshopCommand::Compare(a) => compare(a),
        WorkshopCommand::Breakdown(a) => breakdown(a),
        WorkshopCommand::Sweep(a) => sweep(a),
        WorkshopCommand::Merge(a) => match crate::sensitivity::shard_files(&a.inputs) {
            shards if !shards.is_empty() => crate::sensitivity::merge(&shards, &a.out),
            _ => merge(a),
        },
        WorkshopCommand::Sensitivity(a) => crate::sensitivity::sensitivity(a),
        WorkshopCommand::Calibrate(a) => crate::calibrate::calibrate(a),
    }
}

/// KPIs shown in reports: (column, label, scale for display).
pub const REPORT_KPIS: [(&str, &str); 6] = [
    ("localization_rate", "Localization rate"),
    ("final_year_exports_usd_m", "Exports, final year (USD m)"),
    ("total_exports_usd_m", "Exports, cumulative (USD m)"),
    ("tier1_suppliers", "Tier-1 suppliers"),
    ("domestic_suppliers", "Domestic suppliers"),
    ("cumulative_fiscal_cost_usd_m", "Fiscal cost, cumulative (USD m)"),
];

/// KPIs charted over time.
pub const CHART_KPIS: [(&str, &str); 5] = [
    ("localization_rate", "Localization rate (%)"),
    ("exports_usd_m", "Exports (USD m per quarter)"),
    ("tier1_suppliers", "Tier-1 suppliers"),
    ("domestic_suppliers", "Domestic suppliers"),
    ("cumulative_fiscal_cost_usd_m", "Cumulative fiscal cost (USD m)"),
];

fn font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, include_bytes!("../assets/fonts/DejaVuSans.ttf"));
    });
}

fn value(run: &[QuarterRecord], kpi: &str) -> f64 {
    run::final_values(run).into_iter().find(|(n, _)| n == kpi).map(|(_, v)| v).unwrap_or(f64::NAN)
}

struct Arm {
    label: String,
    scenario: Scenario,
    record: RunRecord,
    runs: Vec<Vec<QuarterRecord>>,
}

/// Runs every scenario with the same seeds (common random numbers).
fn run_arms(arms: Vec<(String, Scenario, String)>, base_seed: u64, replications: u32) -> Vec<Arm> {
    let progress = run::Progress::when_slow(arms.len() * replications as usize);
    let arms = arms
        .into_par_iter()
        .map(|(label, mut s, file)| {
            s.seed = base_seed;
            let runs = run::run_replications_with(&s, replications, &progress);
            let record = RunRecord::new(&s, &file, replications);
            Arm { label, scenario: s, record, runs }
        })
        .collect();
    progress.finish();
    arms
}

fn fmt_est(e: &Estimate, pct: bool) -> String {
    let k = if pct { 100.0 } else { 1.0 };
    if e.n > 1 { format!("{:.2} [{:.2}, {:.2}]", e.mean * k, e.ci95_low * k, e.ci95_high * k) } else { format!("{:.2}", e.mean * k) }
}

fn compare(a: CompareArgs) -> Result<(), String> {
    // Every file is checked before anything runs, and every bad one is reported at once (a
    // workshop's teams fix their files in parallel).
    let mut arms = Vec::new();
    let mut errors = Vec::new();
    for f in &a.files {
        match run::load_with_overrides(f, None, a.years, &[]) {
            Ok(s) => arms.push((s.name.clone(), s, f.display().to_string())),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(format!(
            "{}\n{} of {} invalid; nothing was run",
            errors.join("\n"),
            errors.len(),
            run::count_of(a.files.len() as u64, "file")
        ));
    }
    let labels = unique_labels(&arms.iter().map(|(name, _, file)| (name.clone(), file.clone())).collect::<Vec<_>>());
    for (arm, label) in arms.iter_mut().zip(labels) {
        arm.0 = label;
    }
    // Final values of a 5-year and a 10-year plan are not comparable: say so where it shows.
    let mut notes = Vec::new();
    if arms.iter().any(|(_, s, _)| s.years != arms[0].1.years) {
        let horizons: Vec<String> =
            arms.iter().map(|(label, s, _)| format!("{label}, {}", run::count_of(s.years.into(), "year"))).collect();
        let note = format!(
            "The files run for different horizons ({}), so their final and cumulative values are at different dates; --years N runs every file for N years.",
            horizons.join("; ")
        );
        eprintln!("note: {note}");
        notes.push(("Note".to_string(), note.clone(), format!("<p>{}</p>", html_escape(&note))));
    }
    let base_seed = a.seed.unwrap_or(arms[0].1.seed);
    let appendix =
        crate::uncertainty::compare_section(&a.draws, &arms.iter().map(|(l, s, _)| (l.clone(), s.clone())).collect::<Vec<_>>(), base_seed)?;
    let arms = run_arms(arms, base_seed, a.replications);
    let table = comparison_table(&arms);
    crate::say_raw!("{}", table.text);
    write_report(OutputSet::default(), &a.out, "Scenario comparison", &arms, &table, &notes, appendix.as_ref())?;
    crate::say!("wrote {}", a.out.join("report.html").display());
    Ok(())
}

/// Scenario names as labels; where a name is empty or shared (teams that copied one file), the
/// file name tells them apart.
/// Two teams' files can share the file name too (teams/a/scenario.ron, teams/b/scenario.ron):
/// then the path as given; the same file given twice is numbered.
pub fn unique_labels(arms: &[(String, String)]) -> Vec<String> {
    let file_name = |f: &str| Path::new(f).file_name().map(|n| n.to_os_string());
    let mut labels: Vec<String> = arms
        .iter()
        .map(|(name, file)| {
            let same_name: Vec<&(String, String)> = arms.iter().filter(|(n, _)| n == name).collect();
            if !name.trim().is_empty() && same_name.iter().filter(|(_, f)| file_name(f) == file_name(file)).count() > 1 {
                format!("{file}: {name}")
            } else {
                arm_label(name, file, same_name.len() > 1)
            }
        })
        .collect();
    for i in 1..labels.len() {
        let earlier = labels[..i].iter().filter(|l| **l == labels[i]).count();
        if earlier > 0 {
            labels[i] = format!("{} #{}", labels[i], earlier + 1);
        }
    }
    labels
}

/// One scenario's label, for [`unique_labels`]: its name, or "file: name" when another scenario
/// has the same name (`shared`), or the file name when the name is empty.
fn arm_label(name: &str, file: &str, shared: bool) -> String {
    let file_name = Path::new(file).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.to_string());
    if name.trim().is_empty() {
        file_name
    } else if shared {
        format!("{file_name}: {name}")
    } else {
        name.to_string()
    }
}

struct Table {
    /// Markdown table.
    md: String,
    /// Plain text for the terminal.
    text: String,
    /// JSON rows.
    json: serde_json::Value,
}

fn comparison_table(arms: &[Arm]) -> Table {
    let mut md = String::from("| KPI |");
    for arm in arms {
        write!(md, " {} |", arm.label).ok();
    }
    md.push_str("\n|---|");
    for _ in arms {
        md.push_str("---|");
    }
    md.push('\n');
    let mut text = String::new();
    // The console table's label column: as wide as the longest label, up to 48 characters.
    let width = arms.iter().map(|a| a.label.chars().count()).max().unwrap_or(0).clamp(12, 48);
    writeln!(text, "mean [95% CI]; Δ = paired difference to the first scenario").ok();
    let mut rows = Vec::new();
    for (kpi, label) in REPORT_KPIS {
        let pct = kpi == "localization_rate";
        let unit = if pct { " (%)" } else { "" };
        write!(md, "| {label}{unit} |").ok();
        writeln!(text, "{label}{unit}").ok();
        let base: Vec<f64> = arms[0].runs.iter().map(|r| value(r, kpi)).collect();
        let mut cells = Vec::new();
        for (i, arm) in arms.iter().enumerate() {
            let xs: Vec<f64> = arm.runs.iter().map(|r| value(r, kpi)).collect();
            let e = estimate_kpi(kpi, &xs);
            let mut cell = fmt_est(&e, pct);
            let mut diff = None;
            if i > 0 {
                let d: Vec<f64> = xs.iter().zip(&base).map(|(x, b)| x - b).collect();
                let de = estimate(&d);
                write!(cell, "; Δ {}", fmt_est(&de, pct)).ok();
                diff = Some(de);
            }
            write!(md, " {cell} |").ok();
            writeln!(text, "  {:<width$} {cell}", shorten(&arm.label, width)).ok();
            cells.push(json!({"scenario": arm.label, "estimate": e, "difference_to_first": diff}));
        }
        md.push('\n');
        rows.push(json!({"kpi": kpi, "values": cells}));
    }
    Table { md, text, json: serde_json::Value::Array(rows) }
}

/// Fits a label in `n` characters by cutting its middle: the ends tell labels apart
/// ("team_a.ron: …", "… #2").
fn shorten(s: &str, n: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= n {
        return s.to_string();
    }
    let head = (n - 1) / 2;
    let tail = n - 1 - head;
    chars[..head].iter().chain(std::iter::once(&'…')).chain(&chars[chars.len() - tail..]).collect()
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// One KPI of one scenario over time, per quarter: (year, mean, low, high) across replications.
type Band = Vec<(f64, f64, f64, f64)>;

/// The 95% CI band of a KPI across replications.
fn band(runs: &[Vec<QuarterRecord>], kpi: &str) -> Band {
    let n = runs.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..n)
        .map(|q| {
            // Rates are charted in percent, as the tables give them.
            let unit = if kpi.ends_with("_rate") { 100.0 } else { 1.0 };
            let xs: Vec<f64> = runs.iter().map(|r| r[q].kpi(kpi).unwrap_or(f64::NAN)).collect();
            let e = estimate_kpi(kpi, &xs);
            (runs[0][q].year, unit * e.mean, unit * e.ci95_low, unit * e.ci95_high)
        })
        .collect()
}

fn draw_kpi<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, series: &[(String, Band)], footer: &str) -> Result<(), String>
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
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        if pts.iter().any(|p| p.3 > p.2) {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
            poly.extend(pts.iter().rev().map(|p| (p.0, p.2)));
            chart.draw_series(std::iter::once(Polygon::new(poly, color.mix(0.18)))).map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(pts.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    draw_footer(area, footer).map_err(err)?;
    area.present().map_err(err)?;
    Ok(())
}

/// The run record, small, at the bottom left of every chart.
fn draw_footer<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, footer: &str) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, h) = area.dim_in_pixel();
    area.draw(&Text::new(footer.to_string(), (8, h as i32 - 14), ("sans-serif", 10).into_font().color(&RGBColor(110, 110, 110))))
}

/// One bar of the policy breakdown: (label, mean, 95% CI low, high).
type Bar = (String, f64, f64, f64);

/// Horizontal bars with their 95% CI as whiskers — for the policy breakdown.
fn draw_bars<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, bars: &[Bar], footer: &str) -> Result<(), String>
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
        .y_label_formatter(&|y| {
            let i = (*y - 0.5).round();
            if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() { labels[i as usize].clone() } else { String::new() }
        })
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, v, _, _))| {
            let color = if *v >= 0.0 { COLORS[0] } else { COLORS[1] };
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

/// The files of one command's outputs, written together at the end ([`run::write_all_atomic`]):
/// all replaced, or (on a failed write) none, so a report never sits beside charts of another run.
#[derive(Default)]
struct OutputSet(Vec<(PathBuf, Vec<u8>)>);

impl OutputSet {
    fn add(&mut self, path: PathBuf, content: impl Into<Vec<u8>>) {
        self.0.push((path, content.into()));
    }

    fn write(&self, dir: &Path) -> Result<(), String> {
        let files: Vec<(&Path, &[u8])> = self.0.iter().map(|(p, c)| (p.as_path(), c.as_slice())).collect();
        run::write_all_atomic(&files).map_err(|e| format!("cannot write the outputs in {}: {e}", dir.display()))
    }
}

/// Draws a picture and encodes it as PNG, in memory.
fn png_bytes(size: (u32, u32), draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), String>) -> Result<Vec<u8>, String> {
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
fn chart_files(
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

/// A KPI over time, one band per scenario.
fn kpi_files(set: &mut OutputSet, dir: &Path, stem: &str, title: &str, series: &[(String, Band)], footer: &str) -> Result<String, String> {
    chart_files(set, dir, stem, (900, 480), |a| draw_kpi(a, title, series, footer), |a| draw_kpi(a, title, series, footer))
}

/// One bar per incentive.
fn bar_files(set: &mut OutputSet, dir: &Path, stem: &str, title: &str, bars: &[Bar], footer: &str) -> Result<String, String> {
    let size = (900, 60 + 40 * bars.len().max(1) as u32 + 60);
    chart_files(set, dir, stem, size, |a| draw_bars(a, title, bars, footer), |a| draw_bars(a, title, bars, footer))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn md_to_html_table(md: &str) -> String {
    let mut out = String::from("<table>\n");
    for (i, line) in md.lines().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for c in cells {
            write!(out, "<{tag}>{}</{tag}>", html_escape(c.trim())).ok();
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// One line naming the runs behind a chart: version, seed and each scenario's hash. With several
/// scenarios the names are in the legend, so the line gives the hashes in legend order (a chart
/// of ten scenarios still fits); the full records are in the reports.
fn footer_of<'a>(records: impl Iterator<Item = &'a RunRecord>) -> String {
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

/// Writes report.md, report.html (self-contained: inline SVG), report.json and the charts, with
/// the files already in `set`, as one set.
fn write_report(
    mut set: OutputSet,
    out: &Path,
    title: &str,
    arms: &[Arm],
    table: &Table,
    extra: &[(String, String, String)],
    appendix: Option<&crate::uncertainty::Section>,
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let footer = footer_of(arms.iter().map(|a| &a.record));
    let mut svgs = Vec::new();
    for (kpi, label) in CHART_KPIS {
        let series: Vec<(String, Band)> = arms.iter().map(|a| (a.label.clone(), band(&a.runs, kpi))).collect();
        let svg = kpi_files(&mut set, out, kpi, label, &series, &footer)?;
        svgs.push((kpi.to_string(), label.to_string(), svg));
    }
    let records: Vec<&RunRecord> = arms.iter().map(|a| &a.record).collect();
    let n = arms.first().map(|a| a.runs.len()).unwrap_or(0);
    let mut md = format!("# {title}\n\n");
    writeln!(md, "{} per scenario with common random numbers (replication r uses seed {} + r in every scenario). Values are final-quarter values unless named otherwise; brackets give 95% confidence intervals; Δ is the paired difference to the first scenario.\n", run::count_of(n as u64, "replication"), arms.first().map(|a| a.scenario.seed).unwrap_or(0)).ok();
    md.push_str(&table.md);
    md.push('\n');
    for (name, body_md, _) in extra {
        writeln!(md, "## {name}\n\n{body_md}\n").ok();
    }
    md.push_str("## Charts\n\n");
    for (kpi, label, _) in &svgs {
        writeln!(md, "![{label}]({kpi}.png)\n").ok();
    }
    md.push_str("## Run records\n\n| scenario | file | hash | seed | years | replications | version |\n|---|---|---|---|---|---|---|\n");
    for r in &records {
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | kicsim {} |",
            r.scenario, r.scenario_file, r.scenario_hash, r.seed, r.years, r.replications, r.version
        )
        .ok();
    }

    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:right}}th{{background:#eee}}td:first-child,th:first-child{{text-align:left}}svg{{max-width:100%;height:auto}}</style></head><body>\n<h1>{t}</h1>\n",
        t = html_escape(title)
    );
    writeln!(html, "<p>{} per scenario with common random numbers. Brackets: 95% confidence intervals; Δ: paired difference to the first scenario.</p>", run::count_of(n as u64, "replication")).ok();
    html.push_str(&md_to_html_table(&table.md));
    for (name, _, body_html) in extra {
        writeln!(html, "<h2>{}</h2>\n{body_html}", html_escape(name)).ok();
    }
    html.push_str("<h2>Charts</h2>\n");
    for (_, _, svg) in &svgs {
        html.push_str(svg);
        html.push('\n');
    }
    html.push_str("<h2>Run records</h2>\n<table><tr><th>scenario</th><th>file</th><th>hash</th><th>seed</th><th>years</th><th>replications</th><th>version</th></tr>\n");
    for r in &records {
        writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>kicsim {}</td></tr>",
            html_escape(&r.scenario),
            html_escape(&r.scenario_file),
            r.scenario_hash,
            r.seed,
            r.years,
            r.replications,
            r.version
        )
        .ok();
    }
    html.push_str("</table>\n</body></html>\n");
    let mut summary = json!({"runs": records, "table": table.json});
    if let Some(section) = appendix {
        section.append_to(&mut md, &mut html, &mut summary);
    }
    let summary = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())? + "\n";
    set.add(out.join("report.md"), md);
    set.add(out.join("report.html"), html);
    set.add(out.join("report.json"), summary);
    set.write(out)
}

/// Fiscal cost (USD m) per percentage point of localization an incentive adds, from the paired
/// contributions (`loc` as a share). Only where the effect on localization is clearly positive: a
/// 95% CI that excludes zero (with one replication, at least 0.05 points); dividing by an effect
/// that may be zero, or by a loss, gives a number that means nothing.
pub fn cost_per_localization_point(loc: &Estimate, fiscal: &Estimate) -> Result<f64, &'static str> {
    let clear = if loc.n >= 2 { loc.ci95_low > 0.0 || loc.ci95_high < 0.0 } else { loc.mean.abs() > 0.0005 };
    if !clear || !loc.mean.is_finite() {
        Err("effect on localization not distinguishable from zero")
    } else if loc.mean < 0.0 {
        Err("lowers localization")
    } else {
        Ok(fiscal.mean / (100.0 * loc.mean))
    }
}

/// The incentives of a scenario that are switched on, each with the scenario it gives when
/// switched off (set to the no-incentive default).
pub fn switched_off_variants(s: &Scenario) -> Vec<(String, Scenario)> {
    let none = Incentives::default();
    let mut out = Vec::new();
    let inc = &s.incentives;
    let mut push = |name: &str, on: bool, f: &dyn Fn(&mut Incentives)| {
        if on {
            let mut v = s.clone();
            f(&mut v.incentives);
            out.push((name.to_string(), v));
        }
    };
    push("cit_holiday_years + cit_rate", inc.cit_holiday_years != none.cit_holiday_years || inc.cit_rate != none.cit_rate, &|i| {
        i.cit_holiday_years = none.cit_holiday_years;
        i.cit_rate = none.cit_rate;
    });
    push("land_rent_exemption", inc.land_rent_exemption != none.land_rent_exemption && inc.land_rent_exemption_years > 0.0, &|i| {
        i.land_rent_exemption = none.land_rent_exemption;
        i.land_rent_exemption_years = none.land_rent_exemption_years;
    });
    push("credit_interest_subsidy_pp", inc.credit_interest_subsidy_pp != none.credit_interest_subsidy_pp, &|i| {
        i.credit_interest_subsidy_pp = none.credit_interest_subsidy_pp
    });
    push("rd_deduction", inc.rd_deduction != none.rd_deduction, &|i| i.rd_deduction = none.rd_deduction);
    push("training_subsidy_usd_per_trainee", inc.training_subsidy_usd_per_trainee != none.training_subsidy_usd_per_trainee, &|i| {
        i.training_subsidy_usd_per_trainee = none.training_subsidy_usd_per_trainee
    });
    push("export_promotion_usd_m_per_year", inc.export_promotion_usd_m_per_year != none.export_promotion_usd_m_per_year, &|i| {
        i.export_promotion_usd_m_per_year = none.export_promotion_usd_m_per_year
    });
    push("local_content", !inc.local_content.is_empty(), &|i| i.local_content.clear());
    out
}

fn breakdown(a: BreakdownArgs) -> Result<(), String> {
    let s = Scenario::load(&a.file).map_err(|e| e.to_string())?;
    let file = a.file.display().to_string();
    let variants = switched_off_variants(&s);
    if variants.is_empty() {
        return Err(format!("{file}: no incentive is switched on, so there is nothing to break down"));
    }
    let mut arms_in = vec![(format!("{} (all incentives)", s.name), s.clone(), file.clone())];
    for (name, v) in &variants {
        arms_in.push((format!("without {name}"), v.clone(), format!("{file} with {name} off")));
    }
    let names: Vec<String> = variants.iter().map(|(n, _)| n.clone()).collect();
    let appendix = crate::uncertainty::breakdown_section(
        &a.draws,
        &arms_in.iter().map(|(l, s, _)| (l.clone(), s.clone())).collect::<Vec<_>>(),
        &names,
        s.seed,
    )?;
    let arms = run_arms(arms_in, s.seed, a.replications);
    let table = comparison_table(&arms);
    crate::say_raw!("{}", table.text);
    // Contribution of an incentive = full scenario - scenario without it (paired).
    let contrib = |kpi: &str, i: usize| -> Estimate {
        let d: Vec<f64> = arms[0].runs.iter().zip(&arms[i].runs).map(|(f, o)| value(f, kpi) - value(o, kpi)).collect();
        estimate(&d)
    };
    let mut md = String::from(
        "| incentive | localization (pp) | exports, cumulative (USD m) | fiscal cost, cumulative (USD m) | fiscal cost per localization point (USD m/pp) |\n|---|---|---|---|---|\n",
    );
    let mut bars_loc = Vec::new();
    let mut bars_exp = Vec::new();
    let mut bars_fis = Vec::new();
    let mut rows = Vec::new();
    for (i, (name, _)) in variants.iter().enumerate() {
        let loc = contrib("localization_rate", i + 1);
        let exp = contrib("total_exports_usd_m", i + 1);
        let fis = contrib("cumulative_fiscal_cost_usd_m", i + 1);
        let pp = 100.0 * loc.mean;
        let cost_per_point = cost_per_localization_point(&loc, &fis);
        let per_point = match cost_per_point {
            Ok(c) => format!("{c:.1}"),
            Err(why) => format!("n/a ({why})"),
        };
        writeln!(md, "| {name} | {} | {} | {} | {per_point} |", fmt_est(&loc, true), fmt_est(&exp, false), fmt_est(&fis, false)).ok();
        crate::say!(
            "{name:<36} localization {:+.2} pp, exports {:+.1} USD m, fiscal cost {:+.1} USD m, per point: {per_point}",
            pp,
            exp.mean,
            fis.mean
        );
        bars_loc.push((name.clone(), pp, 100.0 * loc.ci95_low, 100.0 * loc.ci95_high));
        bars_exp.push((name.clone(), exp.mean, exp.ci95_low, exp.ci95_high));
        bars_fis.push((name.clone(), fis.mean, fis.ci95_low, fis.ci95_high));
        rows.push(json!({
            "incentive": name,
            "localization": loc,
            "total_exports_usd_m": exp,
            "cumulative_fiscal_cost_usd_m": fis,
            "fiscal_cost_per_localization_point_usd_m": cost_per_point.ok(),
        }));
    }
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
    let footer = footer_of(std::iter::once(&arms[0].record));
    let mut set = OutputSet::default();
    let s1 = bar_files(
        &mut set,
        &a.out,
        "breakdown_localization",
        "Contribution to localization (percentage points; lines: 95% CI)",
        &bars_loc,
        &footer,
    )?;
    let s2 =
        bar_files(&mut set, &a.out, "breakdown_exports", "Contribution to cumulative exports (USD m; lines: 95% CI)", &bars_exp, &footer)?;
    let s3 = bar_files(
        &mut set,
        &a.out,
        "breakdown_fiscal",
        "Contribution to cumulative fiscal cost (USD m; lines: 95% CI)",
        &bars_fis,
        &footer,
    )?;
    let intro = "Contribution of each incentive = outcome with all incentives - outcome with that one switched off (paired replications). A fiscal cost with little localization or export effect is largely redundant spending.";
    let md_body = format!("{intro}\n\n{md}\n![](breakdown_localization.png)\n\n![](breakdown_exports.png)\n\n![](breakdown_fiscal.png)\n");
    let html_body = format!("<p>{}</p>\n{}\n{s1}\n{s2}\n{s3}\n", html_escape(intro), md_to_html_table(&md));
    let doc = json!({
        "run": &arms[0].record,
        "method": "contribution = outcome with all incentives - outcome with that one switched off, paired replications; localization in share points",
        "contributions": rows,
    });
    set.add(a.out.join("breakdown.json"), serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n");
    write_report(
        set,
        &a.out,
        &format!("Policy breakdown: {}", s.name),
        &arms,
        &table,
        &[("Contribution of each incentive".into(), md_body, html_body)],
        appendix.as_ref(),
    )?;
    crate::say!("wrote {}", a.out.join("report.html").display());
    Ok(())
}

/// A parsed `--vary path=v1,v2,...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

pub fn parse_vary(s: &str) -> Result<Vary, String> {
    let (path, vals) = s.split_once('=').ok_or_else(|| format!("--vary {s}: expected path=v1,v2,..."))?;
    if path.trim().is_empty() {
        return Err(format!("--vary {s}: no parameter before `=` (e.g. --vary incentives.cit_rate=0.05,0.1)"));
    }
    let values = split_top_level(vals);
    if values.is_empty() || values.iter().any(|v| v.is_empty()) {
        return Err(format!("--vary {s}: empty value"));
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(first) = values[..i].iter().position(|x| x == v) {
            return Err(format!("--vary {s}: the value {v} is given twice (values {} and {})", first + 1, i + 1));
        }
    }
    Ok(Vary { path: path.trim().to_string(), values })
}

/// Splits on commas not inside brackets, so `[(2,0.3)],[(2,0.5)]` gives two values.
fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            out.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Every point of the grid: the value index of each varied parameter, first parameter slowest.
pub fn grid(varies: &[Vary]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for v in varies {
        points = points.into_iter().flat_map(|p| (0..v.values.len()).map(move |i| [p.clone(), vec![i]].concat())).collect();
    }
    points
}

/// Parses `i/n` (1-based i).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or_else(|| format!("--shard {s}: expected i/n, e.g. 2/8"))?;
    let i: usize = i.trim().parse().map_err(|_| format!("--shard {s}: i is not a number"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("--shard {s}: n is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("--shard {s}: need 1 <= i <= n"));
    }
    Ok((i, n))
}

const SWEEP_KPIS: [&str; 6] = [
    "localization_rate",
    "final_year_exports_usd_m",
    "total_exports_usd_m",
    "tier1_suppliers",
    "domestic_suppliers",
    "cumulative_fiscal_cost_usd_m",
];

fn sweep(a: SweepArgs) -> Result<(), String> {
    let base = Scenario::load(&a.file).map_err(|e| e.to_string())?;
    let varies: Vec<Vary> = a.vary.iter().map(|v| parse_vary(v)).collect::<Result<_, _>>()?;
    for (i, v) in varies.iter().enumerate() {
        if varies[..i].iter().any(|w| w.path == v.path) {
            return Err(format!("--vary {}: this parameter is already varied; give all its values in one --vary", v.path));
        }
    }
    if !SWEEP_KPIS.contains(&a.kpi.as_str()) {
        return Err(format!("--kpi {}: choose one of {}", a.kpi, SWEEP_KPIS.join(", ")));
    }
    let points = grid(&varies);
    // Check every point before running any.
    let mut scenarios = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let mut s = base.clone();
        for (v, &i) in varies.iter().zip(p) {
            let assignment = format!("{}={}", v.path, v.values[i]);
            // apply_set speaks of --set; here the value came from --vary.
            s = crate::scenario::apply_set(&s, &assignment).map_err(|e| e.replacen("--set ", "--vary ", 1))?;
        }
        if let Some(problem) = s.validate().first() {
            return Err(format!("grid point {k} ({}): field `{}`: {}", describe(&varies, p), problem.path, problem.message));
        }
        scenarios.push(s);
    }
    let (shard_i, shard_n) = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (1, 1),
    };
    let mine: Vec<usize> = (0..points.len()).filter(|k| k % shard_n == shard_i - 1).collect();
    let total = mine.len() * a.replications as usize;
    let progress = run::Progress::new(total);
    let jobs: Vec<(usize, u32)> = mine.iter().flat_map(|&k| (0..a.replications).map(move |r| (k, r))).collect();
    eprintln!(
        "sweep: {}, this shard runs {} of them x {}",
        run::count_of(points.len() as u64, "grid point"),
        mine.len(),
        run::count_of(a.replications.into(), "replication")
    );
    let results: Vec<(usize, u32, Vec<f64>)> = jobs
        .par_iter()
        .map(|&(k, r)| {
            let mut s = scenarios[k].clone();
            s.seed = run::replication_seed(base.seed, r);
            let h = crate::sim::run_to_end(&s);
            let vals = SWEEP_KPIS.iter().map(|kpi| value(&h, kpi)).collect();
            progress.tick();
            (k, r, vals)
        })
        .collect();
    progress.finish();
    let record = RunRecord::new(&base, &a.file.display().to_string(), a.replications);
    let csv = sweep_csv(&record, &varies, &points, &results);
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
    if shard_n == 1 {
        let chart = finish_sweep(&a.out, csv, &a.kpi)?;
        crate::say!("wrote {}", a.out.join("results.csv").display());
        if let Some(c) = chart {
            crate::say!("wrote {}", c.display());
        }
    } else {
        let name = a.out.join(format!("results-shard-{shard_i}-of-{shard_n}.csv"));
        write_atomic(&name, csv.as_bytes()).map_err(|e| e.to_string())?;
        crate::say!("wrote {}", name.display());
        crate::say!(
            "when all {shard_n} shards are done: kicsim merge {} --out {} (name each folder if the shards wrote to different ones)",
            a.out.display(),
            a.out.display()
        );
    }
    Ok(())
}

fn describe(varies: &[Vary], p: &[usize]) -> String {
    varies.iter().zip(p).map(|(v, &i)| format!("{}={}", v.path, v.values[i])).collect::<Vec<_>>().join(", ")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn sweep_csv(record: &RunRecord, varies: &[Vary], points: &[Vec<usize>], results: &[(usize, u32, Vec<f64>)]) -> String {
    let mut out = String::new();
    writeln!(out, "{}", record.comment_line()).ok();
    writeln!(out, "# grid: {}", varies.iter().map(|v| format!("{}={}", v.path, v.values.join("|"))).collect::<Vec<_>>().join(" ; ")).ok();
    let mut header = vec!["point".to_string()];
    header.extend(varies.iter().map(|v| csv_field(&v.path)));
    header.push("replication".into());
    header.extend(SWEEP_KPIS.iter().map(|s| s.to_string()));
    writeln!(out, "{}", header.join(",")).ok();
    let mut rows: Vec<&(usize, u32, Vec<f64>)> = results.iter().collect();
    rows.sort_by_key(|(k, r, _)| (*k, *r));
    for (k, r, vals) in rows {
        let mut row = vec![k.to_string()];
        row.extend(varies.iter().zip(&points[*k]).map(|(v, &i)| csv_field(&v.values[i])));
        row.push(r.to_string());
        row.extend(vals.iter().map(|v| fmt_num(*v)));
        writeln!(out, "{}", row.join(",")).ok();
    }
    out
}

/// Reads a sweep CSV: (comment lines, header, rows).
fn read_sweep_csv(text: &str) -> Result<(Vec<String>, Vec<String>, Vec<Vec<String>>), String> {
    let comments: Vec<String> = text.lines().take_while(|l| l.starts_with('#')).map(|l| l.to_string()).collect();
    let body: String = text.lines().skip(comments.len()).collect::<Vec<_>>().join("\n");
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(|s| s.to_string()).collect();
    let mut rows = Vec::new();
    for r in rdr.records() {
        rows.push(r.map_err(|e| e.to_string())?.iter().map(|s| s.to_string()).collect());
    }
    Ok((comments, header, rows))
}

/// After a full sweep (or a merge): writes OUT/results.csv with its chart (the heatmap of two
/// varied parameters, or the KPI against the values of one) as one set, and returns the chart's
/// path. A chart that cannot be drawn does not cost the results: they are written, and the error
/// says so.
fn finish_sweep(out: &Path, csv_text: String, kpi: &str) -> Result<Option<PathBuf>, String> {
    let chart = sweep_chart(out, &csv_text, kpi);
    let mut set = OutputSet::default();
    let results = out.join("results.csv");
    set.add(results.clone(), csv_text);
    let (path, failed) = match chart {
        Ok(Some((path, png))) => {
            set.add(path.clone(), png);
            (Some(path), None)
        }
        Ok(None) => (None, None),
        Err(e) => (None, Some(e)),
    };
    set.write(out)?;
    match failed {
        Some(e) => Err(format!("wrote {}, but not its chart: {e}", results.display())),
        None => Ok(path),
    }
}

/// The chart of a sweep's results: its path and PNG, if the sweep varies one or two parameters.
fn sweep_chart(out: &Path, csv_text: &str, kpi: &str) -> Result<Option<(PathBuf, Vec<u8>)>, String> {
    let (comments, header, rows) = read_sweep_csv(csv_text)?;
    let footer = comments.first().map(|c| c.trim_start_matches("# ").to_string()).unwrap_or_default();
    let rep = header
        .iter()
        .position(|h| h == "replication")
        .filter(|&r| r >= 1)
        .ok_or("results.csv has no replication column after the parameters")?;
    let params: Vec<String> = header[1..rep].to_vec();
    let col = header.iter().position(|h| h == kpi).ok_or_else(|| format!("results.csv has no column {kpi}"))?;
    if params.len() == 1 {
        return sweep_line(out, kpi, &params[0], &rows, col, &footer).map(Some);
    }
    if params.len() != 2 {
        crate::say!("(charts are drawn for one or two varied parameters; this sweep varies {})", params.len());
        return Ok(None);
    }
    let (xs, ys) = (distinct(&rows, 1), distinct(&rows, 2));
    let mut cells = vec![vec![(0.0, 0usize); ys.len()]; xs.len()];
    for r in &rows {
        let (i, j) = (xs.iter().position(|x| *x == r[1]).unwrap_or(0), ys.iter().position(|y| *y == r[2]).unwrap_or(0));
        let v: f64 = r[col].parse().unwrap_or(f64::NAN);
        cells[i][j].0 += v;
        cells[i][j].1 += 1;
    }
    let means: Vec<Vec<f64>> =
        cells.iter().map(|c| c.iter().map(|(s, n)| if *n > 0 { s / *n as f64 } else { f64::NAN }).collect()).collect();
    font();
    let reps = cells.iter().flatten().map(|c| c.1).max().unwrap_or(0);
    let png = png_bytes((900, 700), |root| draw_heatmap(root, kpi, &params, &xs, &ys, &means, reps, &footer))?;
    Ok(Some((out.join(format!("heatmap_{kpi}.png")), png)))
}

/// One varied parameter: the KPI's mean at each value with its 95% confidence interval.
fn sweep_line(out: &Path, kpi: &str, param: &str, rows: &[Vec<String>], col: usize, footer: &str) -> Result<(PathBuf, Vec<u8>), String> {
    let xs = distinct(rows, 1);
    let ests: Vec<Estimate> = xs
        .iter()
        .map(|x| estimate_kpi(kpi, &rows.iter().filter(|r| r[1] == *x).map(|r| r[col].parse().unwrap_or(f64::NAN)).collect::<Vec<f64>>()))
        .collect();
    font();
    let png = png_bytes((900, 560), |root| draw_sweep_line(root, kpi, param, &xs, &ests, footer))?;
    Ok((out.join(format!("sweep_{kpi}.png")), png))
}

fn draw_sweep_line<DB: DrawingBackend>(
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
    let color = COLORS[0];
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

#[allow(clippy::too_many_arguments)]
fn draw_heatmap<DB: DrawingBackend>(
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

/// The values of column `col` in the order they first appear (a varied parameter's values).
fn distinct(rows: &[Vec<String>], col: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        if !out.contains(&r[col]) {
            out.push(r[col].clone());
        }
    }
    out
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

/// The viridis colour map (perceptually uniform, readable in grey and by colour-blind readers),
/// linear between five of its stops; t in 0..1. The heatmaps here and the window's overlays
/// both use it.
pub fn viridis_rgb(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 5] = [[68.0, 1.0, 84.0], [59.0, 82.0, 139.0], [33.0, 145.0, 140.0], [94.0, 201.0, 98.0], [253.0, 231.0, 37.0]];
    let x = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    std::array::from_fn(|c| (a[c] + f * (b[c] - a[c])) as u8)
}

fn viridis(t: f64) -> RGBColor {
    let [r, g, b] = viridis_rgb(t);
    RGBColor(r, g, b)
}

fn label_at(labels: &[String], x: f64) -> String {
    let i = (x - 0.5).round();
    if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() { labels[i as usize].clone() } else { String::new() }
}

/// What `sweep` writes: the run record and grid lines, then `point, <varied parameters>...,
/// replication, <KPIs>`, and numbers in every row.
fn check_sweep_file(comments: &[String], header: &[String], rows: &[Vec<String>]) -> Result<(), String> {
    if !comments.first().is_some_and(|c| c.starts_with("# kicsim ")) {
        return Err("no run record on its first line (# kicsim ...)".into());
    }
    if !comments.iter().any(|c| c.starts_with("# grid: ")) {
        return Err("no `# grid:` line".into());
    }
    let rep = header.iter().position(|h| h == "replication").ok_or("no replication column")?;
    if header.first().map(String::as_str) != Some("point") || rep < 2 {
        return Err("the columns must start with point and the varied parameters".into());
    }
    if header[rep + 1..] != SWEEP_KPIS {
        return Err(format!("the KPI columns after replication must be {}", SWEEP_KPIS.join(", ")));
    }
    for (i, r) in rows.iter().enumerate() {
        let numbers =
            r[0].parse::<usize>().is_ok() && r[rep].parse::<u32>().is_ok() && r[rep + 1..].iter().all(|v| v.parse::<f64>().is_ok());
        if !numbers {
            return Err(format!("row {} is not point, parameters, replication and numbers", i + 1));
        }
    }
    Ok(())
}

fn merge(a: MergeArgs) -> Result<(), String> {
    if !SWEEP_KPIS.contains(&a.kpi.as_str()) {
        return Err(format!("--kpi {}: choose one of {}", a.kpi, SWEEP_KPIS.join(", ")));
    }
    let mut files = Vec::new();
    for p in &a.inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.file_name().map(|n| n.to_string_lossy().starts_with("results-shard-")).unwrap_or(false))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Err("merge: no shard files (results-shard-*.csv) found".into());
    }
    let mut first: Option<(Vec<String>, Vec<String>)> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut shards = std::collections::BTreeSet::new();
    let mut expected_n = None;
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let (comments, header, r) = read_sweep_csv(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        check_sweep_file(&comments, &header, &r).map_err(|e| format!("{}: not a sweep result file of kicsim: {e}", f.display()))?;
        if let Some(name) = f.file_name().map(|n| n.to_string_lossy().to_string())
            && let Some(rest) = name.strip_prefix("results-shard-").and_then(|r| r.strip_suffix(".csv"))
            && let Some((i, n)) = rest.split_once("-of-")
        {
            let (i, n): (usize, usize) = (i.parse().unwrap_or(0), n.parse().unwrap_or(0));
            if expected_n.is_some_and(|m| m != n) {
                return Err(format!("{}: shard of {n}, but other files are shards of {}", f.display(), expected_n.unwrap_or(0)));
            }
            expected_n = Some(n);
            shards.insert(i);
        }
        match &first {
            None => first = Some((comments, header)),
            Some((c0, h0)) => {
                if *h0 != header || c0 != &comments {
                    return Err(format!(
                        "{}: not from the same sweep as {} (run record, grid or columns differ)",
                        f.display(),
                        files[0].display()
                    ));
                }
            }
        }
        rows.extend(r);
    }
    if let Some(n) = expected_n {
        let missing: Vec<usize> = (1..=n).filter(|i| !shards.contains(i)).collect();
        if !missing.is_empty() {
            return Err(format!("merge: missing shard(s) {missing:?} of {n}"));
        }
    }
    let (comments, header) = first.expect("at least one file");
    // The same grid point and replication twice: a shard given twice under two names.
    let rep = header.iter().position(|h| h == "replication").unwrap_or(1);
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        if !seen.insert((r[0].clone(), r[rep].clone())) {
            return Err(format!("merge: grid point {} replication {} appears twice (the same shard given twice?)", r[0], r[rep]));
        }
    }
    rows.sort_by_key(|r| {
        (
            r[0].parse::<usize>().unwrap_or(0),
            r.get(header.len().saturating_sub(SWEEP_KPIS.len() + 1)).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0),
        )
    });
    let mut out = comments.join("\n") + "\n";
    out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
    out.push('\n');
    for r in &rows {
        out.push_str(&r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {e}", a.out.display()))?;
    let chart = finish_sweep(&a.out, out, &a.kpi)?;
    crate::say!(
        "merged {}, {} into {}",
        run::count_of(files.len() as u64, "file"),
        run::count_of(rows.len() as u64, "row"),
        a.out.join("results.csv").display()
    );
    if let Some(c) = chart {
        crate::say!("wrote {}", c.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(arms: &[(&str, &str)]) -> Vec<String> {
        unique_labels(&arms.iter().map(|(n, f)| (n.to_string(), f.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn shortened_labels_keep_both_ends() {
        assert_eq!(shorten("Baseline", 12), "Baseline");
        let a = shorten("scenarios/baseline.ron: Baseline (typical incentives)", 40);
        let b = shorten("scenarios/baseline.ron: Baseline (typical incentives) #2", 40);
        assert_eq!(a.chars().count(), 40);
        assert_ne!(a, b, "a copy stays told apart: {a} / {b}");
        assert!(a.starts_with("scenarios/baseline") && b.ends_with(" #2"), "{a} / {b}");
    }

    #[test]
    fn cost_per_point_only_for_a_clear_gain() {
        let fiscal = estimate(&[100.0, 110.0, 90.0]);
        // +2 points, clearly: 100 / 2 = 50 USD m a point.
        let gain = estimate(&[0.019, 0.020, 0.021]);
        assert!((cost_per_localization_point(&gain, &fiscal).unwrap() - 50.0).abs() < 1e-9);
        // A mean of +0.1 points with a CI across zero: no figure.
        let noise = estimate(&[0.004, -0.003, 0.002]);
        assert!(noise.ci95_low < 0.0 && noise.mean > 0.0);
        assert_eq!(cost_per_localization_point(&noise, &fiscal), Err("effect on localization not distinguishable from zero"));
        assert_eq!(cost_per_localization_point(&estimate(&[-0.02, -0.021, -0.019]), &fiscal), Err("lowers localization"));
        // One replication: no CI, so only a visible effect counts.
        assert!(cost_per_localization_point(&estimate(&[0.01]), &fiscal).is_ok());
        assert!(cost_per_localization_point(&estimate(&[0.0001]), &fiscal).is_err());
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

    #[test]
    fn labels_tell_same_named_scenarios_apart_by_file() {
        let arms =
            [("Baseline", "teams/a/team_a.ron"), ("Baseline", "teams/b/team_b.ron"), ("Strong LCR", "strong.ron"), ("  ", "nameless.ron")];
        assert_eq!(labels(&arms), ["team_a.ron: Baseline", "team_b.ron: Baseline", "Strong LCR", "nameless.ron"]);
        // Every team's file called scenario.ron: the paths tell them apart; one file given twice is numbered.
        let same_file_name =
            [("Baseline", "teams/a/scenario.ron"), ("Baseline", "teams/b/scenario.ron"), ("Other", "x.ron"), ("Other", "x.ron")];
        assert_eq!(
            labels(&same_file_name),
            ["teams/a/scenario.ron: Baseline", "teams/b/scenario.ron: Baseline", "x.ron: Other", "x.ron: Other #2"]
        );
        // One scenario whose name is shown elsewhere too: its file name comes first.
        assert_eq!(arm_label("Baseline", "scenarios/baseline.ron", true), "baseline.ron: Baseline");
    }
}
