//! The compare view: up to three other scenario files run beside the plan on the same clock
//! (each in its own headless sim world), shown side by side as small maps and overlaid charts.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Line, PlotPoints};

use super::state::{MAX_ARMS, MapArea, MapCovered, UiSet, WindowSet};
use super::theme::{ARM_COLORS, BETTER, ERROR_TEXT, MINIMAP_LAND, WATER_RGB, WORSE, color32, facility_rgb};
use super::widgets::{file_picker, kpi_plot_without_legend, resolve_path, scenario_menu};
use crate::registry::kpi_of;
use crate::scenario::{Scenario, Site, Tier};
use crate::sim::clock::SimClock;
use crate::sim::map::SiteMap;
use crate::sim::{self, Facility, FacilityKind, Metrics, QuarterRecord, Supplier};
use crate::stats::{Estimate, estimate, estimate_kpi};
use crate::studies::value::{Value, rank, value_for_money};

/// What the view draws of one scenario, refreshed after each step.
#[derive(Clone, Default)]
pub struct Snapshot {
    pub label: String,
    pub quarter: u32,
    pub size_km: f64,
    pub n: usize,
    pub water: Vec<bool>,
    pub port: Option<Site>,
    pub facilities: Vec<(FacilityKind, Site, Option<Tier>)>,
    pub history: Vec<QuarterRecord>,
}

pub struct Arm {
    pub scenario: Scenario,
    /// The file it was read from, as typed.
    pub path: String,
    world: World,
    pub snapshot: Snapshot,
    /// The full horizon over replications, drawn as bands as soon as the file is added.
    pub bands: Bands,
}

/// Replications behind each column's bands and figures (seeds seed, seed+1, ... of the plan's
/// seed for every column, as `kicsim compare` uses the first file's): 16 x 20-year runs are about
/// 20 ms a column.
pub const BAND_REPLICATIONS: u32 = 16;

/// A column's full-horizon runs over [`BAND_REPLICATIONS`] seeds, computed on a background thread.
#[derive(Default)]
pub struct Bands {
    job: super::job::Job<Vec<Vec<QuarterRecord>>>,
    /// The runs, once in (none while the runs of a changed plan are on their way).
    runs: Option<Vec<Vec<QuarterRecord>>>,
    /// The scenario and seed the runs are of (recomputed when either changes).
    of: Option<(Scenario, u64)>,
}

impl Bands {
    /// Runs `scenario` on seeds `seed`, `seed`+1, ... (the plan's, so every column is paired).
    fn launch(&mut self, scenario: &Scenario, seed: u64) {
        if self.of.as_ref().is_some_and(|(s, k)| s == scenario && *k == seed) {
            return;
        }
        self.of = Some((scenario.clone(), seed));
        self.runs = None;
        let scenario = scenario.clone();
        self.job.launch(move || {
            use rayon::prelude::*;
            (0..BAND_REPLICATIONS)
                .into_par_iter()
                .map(|r| sim::run_to_end(&Scenario { seed: seed.wrapping_add(r as u64), ..scenario.clone() }))
                .collect()
        });
    }

    /// The final value of a KPI in each run (empty until the runs are in).
    fn finals(&self, get: fn(&[QuarterRecord]) -> f64) -> Vec<f64> {
        self.runs.as_ref().map_or(Vec::new(), |runs| runs.iter().map(|r| get(r)).collect())
    }

    /// Takes the runs in once they are done.
    fn poll(&mut self) {
        if let Some(runs) = self.job.take() {
            self.runs = Some(runs);
        }
    }

    /// Runs launched and not in yet (the window keeps redrawing until they are, to show them).
    pub fn computing(&self) -> bool {
        self.job.running()
    }

    /// Per quarter: (year, 95% low, mean, 95% high) of a KPI across the replications (a Student-t
    /// interval of the mean, as the CLI's reports give); empty until the runs are in.
    pub fn of_kpi(&self, get: fn(&QuarterRecord) -> f64) -> Vec<[f64; 4]> {
        let Some(runs) = self.runs.as_ref() else { return Vec::new() };
        let quarters = runs.iter().map(Vec::len).min().unwrap_or(0);
        (0..quarters)
            .map(|q| {
                let xs: Vec<f64> = runs.iter().map(|r| get(&r[q])).collect();
                let e = crate::stats::estimate(&xs);
                [runs[0][q].year, e.ci95_low, e.mean, e.ci95_high]
            })
            .collect()
    }
}

impl Arm {
    fn new(scenario: Scenario, path: String) -> Arm {
        let mut app = sim::build_app(&scenario);
        let world = std::mem::take(app.world_mut());
        // Its label (the scenario's name, with its file where another column has the same name)
        // is kept in the snapshot; see `CompareView::relabel`.
        let snapshot = Snapshot { label: scenario.name.clone(), ..default() };
        let bands = Bands::default();
        let mut arm = Arm { scenario, path, world, snapshot, bands };
        arm.refresh();
        arm
    }

    fn quarter(&self) -> u32 {
        self.world.resource::<SimClock>().quarter
    }

    fn refresh(&mut self) {
        let label = std::mem::take(&mut self.snapshot.label);
        self.snapshot = snapshot(&mut self.world, &label);
    }
}

/// Reads what the view needs from a sim world.
pub fn snapshot(world: &mut World, label: &str) -> Snapshot {
    let mut q = world.query::<(&Facility, Option<&Supplier>)>();
    let mut facilities: Vec<(u32, FacilityKind, Site, Option<Tier>)> =
        q.iter(world).map(|(f, s)| (f.id, f.kind, f.site, s.map(|s| s.tier))).collect();
    facilities.sort_by_key(|f| f.0);
    let map = world.resource::<SiteMap>();
    Snapshot {
        label: label.to_string(),
        quarter: world.resource::<SimClock>().quarter,
        size_km: map.size_km,
        n: map.n,
        water: map.water.clone(),
        port: Some(map.port),
        facilities: facilities.into_iter().map(|(_, k, s, t)| (k, s, t)).collect(),
        history: world.resource::<Metrics>().history.clone(),
    }
}

#[derive(Resource, Default)]
pub struct CompareView {
    pub open: bool,
    pub path: String,
    pub arms: Vec<Arm>,
    pub message: Option<String>,
    /// The plan itself, as the first column.
    pub plan: Snapshot,
    /// (quarter, forecast generation) the plan snapshot was taken at; a new generation = an edited plan.
    plan_key: Option<(u32, u64)>,
    /// The plan's bands.
    pub plan_bands: Bands,
    /// The plan without public spending on the same seeds: value for money's reference.
    pub reference_bands: Bands,
    /// Larger text for a room: the view takes the whole window.
    pub presentation: bool,
}

impl CompareView {
    /// Some column's bands are still being computed.
    pub fn computing(&self) -> bool {
        self.plan_bands.computing() || self.reference_bands.computing() || self.arms.iter().any(|a| a.bands.computing())
    }

    /// Adds a scenario file; errors are kept for the panel and change nothing.
    pub fn add(&mut self, path: &str) {
        if self.arms.len() >= MAX_ARMS {
            self.message = Some(format!("at most {MAX_ARMS} scenarios beside the plan"));
            return;
        }
        let path = PathBuf::from(path.trim());
        match Scenario::load(&path) {
            Ok(s) => {
                self.arms.push(Arm::new(s, path.to_string_lossy().to_string()));
                // The next frame launches its runs on the plan's seeds.
                self.plan_key = None;
                self.relabel();
                self.open = true;
                self.message = None;
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    /// Labels as in `kicsim compare`'s reports: the scenario's name, with its file where another
    /// column (the plan included) has the same name.
    fn relabel(&mut self) {
        let plan_name = self.plan.label.trim_end_matches(" (plan)").to_string();
        let mut named = vec![(plan_name, String::new())];
        named.extend(self.arms.iter().map(|a| (a.scenario.name.clone(), a.path.clone())));
        let labels = crate::format::unique_labels(&named);
        for (arm, label) in self.arms.iter_mut().zip(labels.into_iter().skip(1)) {
            arm.snapshot.label = label;
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    // The field starts empty: Browse lists the files beside the plan.
    app.insert_resource(CompareView::default());
    app.add_systems(Update, keep_in_step.in_set(WindowSet::Draw));
    app.add_systems(EguiPrimaryContextPass, compare_window.in_set(UiSet::Windows));
}

/// One clock: every compared scenario is stepped to the plan's quarter (and restarted when the
/// plan restarts).
fn keep_in_step(world: &mut World) {
    let quarter = world.resource::<SimClock>().quarter;
    {
        // Bands that are done are taken in, open or not (until then the window keeps drawing).
        let mut view = world.resource_mut::<CompareView>();
        view.plan_bands.poll();
        view.reference_bands.poll();
        view.arms.iter_mut().for_each(|a| a.bands.poll());
    }
    let open = world.resource::<CompareView>().open;
    if !open {
        return;
    }
    // Snapshot the plan only when it moved or changed, not every frame.
    let key = (quarter, world.resource::<super::Forecast>().generation);
    if world.resource::<CompareView>().plan_key != Some(key) {
        let plan = world.resource::<super::Plan>().scenario.clone();
        let plan_snapshot = snapshot(world, &format!("{} (plan)", plan.name));
        let mut view = world.resource_mut::<CompareView>();
        view.plan_bands.launch(&plan, plan.seed);
        let bare = crate::studies::value::without_public_spending(&plan);
        view.reference_bands.launch(&bare, plan.seed);
        for arm in view.arms.iter_mut() {
            let s = arm.scenario.clone();
            arm.bands.launch(&s, plan.seed);
        }
        view.plan = plan_snapshot;
        view.plan_key = Some(key);
        view.relabel();
    }
    let mut view = world.resource_mut::<CompareView>();
    for arm in view.arms.iter_mut() {
        if arm.quarter() > quarter {
            let s = arm.scenario.clone();
            sim::reset_world(&mut arm.world, &s);
        }
        let before = arm.quarter();
        sim::step_to(&mut arm.world, quarter);
        if arm.quarter() != before || arm.snapshot.quarter != arm.quarter() {
            arm.refresh();
        }
    }
}

fn tier_color(kind: FacilityKind, tier: Option<Tier>) -> egui::Color32 {
    color32(facility_rgb(kind, tier))
}

/// How much larger everything is drawn in presentation mode.
pub const PRESENTATION_ZOOM: f32 = 1.4;

fn minimap(ui: &mut egui::Ui, s: &Snapshot, side: f32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    let p = ui.painter_at(rect);
    p.rect_filled(rect, 0.0, MINIMAP_LAND);
    if s.n > 0 {
        let cell = side / s.n as f32;
        for (i, w) in s.water.iter().enumerate() {
            if *w {
                let (x, y) = ((i % s.n) as f32, (i / s.n) as f32);
                let min = egui::pos2(rect.left() + x * cell, rect.bottom() - (y + 1.0) * cell);
                p.rect_filled(egui::Rect::from_min_size(min, egui::vec2(cell + 0.5, cell + 0.5)), 0.0, color32(WATER_RGB));
            }
        }
    }
    let to =
        |site: Site| egui::pos2(rect.left() + (site.x_km / s.size_km) as f32 * side, rect.bottom() - (site.y_km / s.size_km) as f32 * side);
    if let Some(port) = s.port {
        p.rect_filled(egui::Rect::from_center_size(to(port), egui::vec2(6.0, 6.0)), 0.0, egui::Color32::from_rgb(25, 30, 75));
    }
    for (kind, site, tier) in &s.facilities {
        let r = if *kind == FacilityKind::Supplier { 2.5 } else { 4.5 };
        p.circle_filled(to(*site), r, tier_color(*kind, *tier));
    }
}

/// The compare view covers the area between the side panels (the plan's own map is its first
/// column), and grows with the window. Collapse it (the arrow in its title) to see the map.
fn compare_window(
    mut contexts: EguiContexts,
    mut view: ResMut<CompareView>,
    area: Res<MapArea>,
    mut covered: ResMut<MapCovered>,
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    if view.presentation && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        view.presentation = false;
    }
    // F5 (a presenter's key) switches presentation mode on and off while the view is open.
    if view.open && ctx.input(|i| i.key_pressed(egui::Key::F5)) {
        view.presentation = !view.presentation;
    }
    if !view.open {
        covered.0 = false;
        view.presentation = false;
        // Closed while presenting: back to the planner's own size.
        if ctx.zoom_factor() != 1.0 {
            ctx.set_zoom_factor(1.0);
        }
        return Ok(());
    }
    // In presentation mode the view takes the whole window, in larger type.
    let zoom = if view.presentation { PRESENTATION_ZOOM } else { 1.0 };
    if ctx.zoom_factor() != zoom {
        ctx.set_zoom_factor(zoom);
    }
    // Between the side panels when the columns fit there (at least 150 px each); otherwise (three
    // plans in a 1024x768 window) over the whole window, as in presentation mode: fold it to reach
    // the panels.
    let columns = 1 + view.arms.len();
    let between = area.0.filter(|a| a.width() >= 150.0 * columns as f32 + 40.0);
    let free = if view.presentation { ctx.viewport_rect() } else { between.unwrap_or_else(|| ctx.viewport_rect()) };
    // Inside a margin of 9 px and below the status line; the title bar and frame take about 45 px.
    // In presentation mode there is no status line to keep clear: the view starts at the top.
    let top = if view.presentation { 9.0 } else { 40.0 };
    let pos = free.min + egui::vec2(9.0, top);
    let size = egui::vec2((free.width() - 34.0).max(300.0), (free.height() - top - 45.0).max(300.0));
    let mut open = view.open;
    let mut remove = None;
    let title = if view.presentation { "Compare plans (presentation: Esc to leave)" } else { "Compare plans" };
    let shown =
        egui::Window::new(title).id(egui::Id::new("compare-view")).open(&mut open).fixed_pos(pos).fixed_size(size).show(&ctx, |ui| {
            egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                let columns: Vec<&Snapshot> = std::iter::once(&view.plan).chain(view.arms.iter().map(|a| &a.snapshot)).collect();
                let bands: Vec<&Bands> = std::iter::once(&view.plan_bands).chain(view.arms.iter().map(|a| &a.bands)).collect();
                let figures = column_figures(&bands, &view.reference_bands);
                verdict_ui(ui, &columns, &figures);
                remove = column_rows(ui, &columns, &figures, view.presentation, size.y).or(remove);
                compare_charts(ui, &columns, &bands, view.presentation);
            });
        });
    if let Some(i) = remove {
        view.arms.remove(i);
        view.relabel();
    }
    view.presentation &= open;
    view.open = open;
    // Folded, the window shows only its title and the map is to be seen.
    covered.0 = open && shown.is_some_and(|r| r.inner.is_some());
    Ok(())
}

/// A column's final-year figures over its paired runs: each KPI's level and its paired
/// difference to the plan (the first column), and value for money against the plan without
/// incentives. Empty while the runs are on their way.
#[derive(Default)]
pub struct ColumnFigures {
    pub kpis: Vec<(Estimate, Option<Estimate>)>,
    pub value: Option<Value>,
    /// The paired (extra localization, extra cost) against the plan without incentives.
    pairs: Option<(Vec<f64>, Vec<f64>)>,
    /// Final localization in each run (the verdict's paired differences between columns).
    localization: Vec<f64>,
}

type Final = fn(&[QuarterRecord]) -> f64;

/// The figures the view shows, by the registry's KPIs: final values over the horizon.
/// With a short label that keeps a column's line (the registry's label is in the tooltip).
fn column_kpis() -> [(&'static str, Final, &'static str); 4] {
    [
        ("localization_rate", |h| h.last().map_or(f64::NAN, |r| r.localization_rate), "local."),
        ("tier1_suppliers", |h| h.last().map_or(f64::NAN, |r| r.tier1_suppliers as f64), "tier-1"),
        ("final_year_exports_usd_m", |h| h.iter().rev().take(4).map(|r| r.exports_usd_m).sum(), "exports/yr"),
        ("cumulative_fiscal_cost_usd_m", |h| h.last().map_or(f64::NAN, |r| r.cumulative_fiscal_cost_usd_m), "fiscal cost"),
    ]
}

fn column_figures(bands: &[&Bands], reference: &Bands) -> Vec<ColumnFigures> {
    let plan = bands[0];
    let diff = |a: &[f64], b: &[f64]| -> Vec<f64> { a.iter().zip(b).map(|(x, y)| x - y).collect() };
    bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut f = ColumnFigures::default();
            for (name, get, _) in column_kpis() {
                let xs = b.finals(get);
                if xs.is_empty() {
                    return ColumnFigures::default();
                }
                let d = (i > 0).then(|| plan.finals(get)).filter(|p| p.len() == xs.len()).map(|p| estimate(&diff(&xs, &p)));
                f.kpis.push((estimate_kpi(name, &xs), d));
            }
            let (loc, cost) = (column_kpis()[0].1, column_kpis()[3].1);
            let (r_loc, r_cost) = (reference.finals(loc), reference.finals(cost));
            if r_loc.len() == b.finals(loc).len() {
                let pairs = (diff(&b.finals(loc), &r_loc), diff(&b.finals(cost), &r_cost));
                f.value = Some(value_for_money(&pairs.0, &pairs.1));
                f.pairs = Some(pairs);
            }
            f.localization = b.finals(loc);
            f
        })
        .collect()
}

/// The verdict over the columns: the most localization (clearly or within chance of the next)
/// and the best value for money (`studies::value`, against the plan without incentives).
fn verdict_ui(ui: &mut egui::Ui, columns: &[&Snapshot], figures: &[ColumnFigures]) {
    if columns.len() < 2 {
        ui.label("Add a scenario file in the panel's Compare section to see it beside the plan.");
        return;
    }
    if figures.iter().any(|f| f.kpis.is_empty() || f.pairs.is_none()) {
        ui.label(egui::RichText::new(format!("computing {BAND_REPLICATIONS} paired runs of each plan...")).italics());
        return;
    }
    let loc = kpi_of("localization_rate").expect("a KPI");
    let best = (0..figures.len()).max_by(|&a, &b| figures[a].kpis[0].0.mean.total_cmp(&figures[b].kpis[0].0.mean)).unwrap_or(0);
    // The leader's lead over every other column, paired run by run (the same seeds).
    let clear = (0..figures.len()).filter(|&j| j != best).all(|j| {
        let d: Vec<f64> = figures[best].localization.iter().zip(&figures[j].localization).map(|(a, b)| a - b).collect();
        estimate(&d).excludes_zero()
    });
    let most = format!(
        "Most localization: {} ({}){}.",
        columns[best].label,
        loc.fmt(figures[best].kpis[0].0.mean),
        if clear { ", clearly" } else { ", but within chance of another plan" }
    );
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = figures.iter().filter_map(|f| f.pairs.clone()).collect();
    let ranked = rank(&pairs);
    let value = match ranked.as_slice() {
        [] => {
            format!("No plan gains localization clearly over the plan {}, so none can be priced.", crate::studies::value::REFERENCE_WORDS)
        }
        [(i, v, clearly), ..] => format!(
            "Best value for money: {} ({}){}.",
            columns[*i].label,
            v.words(),
            match clearly {
                Some(true) => ", clearly",
                Some(false) => ", within chance of the next",
                None => "",
            }
        ),
    };
    ui.label(egui::RichText::new(most).strong());
    ui.label(egui::RichText::new(value).strong()).on_hover_text(
        format!("Value for money: the extra fiscal cost per extra localization point against the plan {}, on the same seeds (the one measure of every output; see OUTPUTS.md).", crate::studies::value::REFERENCE_WORDS),
    );
}

/// "+2.4 pp" coloured better (green) or worse (red) where it is clear, grey within chance.
fn difference_label(ui: &mut egui::Ui, k: &crate::registry::Kpi, d: &Estimate) {
    let text = format!("Δ {}", k.fmt_diff(d.mean));
    let hover = format!("{} [{}, {}] (95% interval, paired runs)", k.fmt_diff(d.mean), k.fmt_diff(d.ci95_low), k.fmt_diff(d.ci95_high));
    // Kept whole ("Δ" never apart from its number): a narrow column moves it to the next line.
    let whole = |ui: &mut egui::Ui, text: egui::RichText| ui.add(egui::Label::new(text).extend());
    match (d.excludes_zero(), k.is_better(d.mean)) {
        (true, Some(true)) => whole(ui, egui::RichText::new(text).color(BETTER)).on_hover_text(hover),
        (true, Some(false)) => whole(ui, egui::RichText::new(text).color(WORSE)).on_hover_text(hover),
        _ => whole(ui, egui::RichText::new(format!("{text} (chance)")).weak()).on_hover_text(format!("within chance: {hover}")),
    };
}

/// The view's three rows, a column per plan: headings, minimaps, the final-year figures over the
/// paired runs with the differences to the plan. Returns the column whose "remove" was clicked.
fn column_rows(ui: &mut egui::Ui, columns: &[&Snapshot], figures: &[ColumnFigures], presentation: bool, height: f32) -> Option<usize> {
    let mut remove = None;
    // The maps take at most a third of the height, so the charts keep room below.
    // In presentation mode (larger type, more lines) a little less, and less again for each
    // plan beyond two (narrower columns wrap their figures onto more lines), so the charts keep room.
    let share = if presentation { 3.6 + 0.5 * columns.len().saturating_sub(2) as f32 } else { 3.0 };
    let side = (ui.available_width() / columns.len() as f32 - 12.0).min(height / share).clamp(70.0, 400.0);
    // The columns' text as wide as the window allows in presentation mode (fewer lines,
    // so the charts keep their room); as wide as the maps otherwise.
    let col = if presentation { (ui.available_width() / columns.len() as f32 - 12.0).max(side) } else { side };
    // Three rows (headings, maps, figures), so the maps line up whatever the headings' length.
    ui.horizontal_top(|ui| {
        for (i, s) in columns.iter().enumerate() {
            ui.vertical(|ui| {
                ui.set_width(col);
                ui.label(egui::RichText::new(format!("■ {}", s.label)).strong().color(ARM_COLORS[i % ARM_COLORS.len()]));
            });
        }
    });
    ui.horizontal_top(|ui| {
        for s in columns {
            ui.vertical(|ui| {
                ui.set_width(col);
                minimap(ui, s, side);
            });
        }
    });
    ui.horizontal_top(|ui| {
        for i in 0..columns.len() {
            ui.vertical(|ui| {
                ui.set_width(col);
                match figures.get(i) {
                    Some(f) if !f.kpis.is_empty() => {
                        ui.weak(format!("at the end, {BAND_REPLICATIONS} runs"));
                        for ((name, _, short), (level, d)) in column_kpis().iter().zip(&f.kpis) {
                            let k = kpi_of(name).expect("a KPI");
                            ui.horizontal_wrapped(|ui| {
                                ui.label(format!("{short} {}", k.fmt_mean(level.mean))).on_hover_text(format!(
                                    "{} ({}): mean [{}, {}] over {BAND_REPLICATIONS} runs",
                                    k.label,
                                    k.display_unit(),
                                    k.fmt_mean(level.ci95_low),
                                    k.fmt_mean(level.ci95_high)
                                ));
                                if let Some(d) = d {
                                    difference_label(ui, k, d);
                                }
                            });
                        }
                        if let Some(v) = &f.value {
                            ui.label(format!("per extra point: {}", v.short())).on_hover_text(format!(
                                "Value for money against the plan {}: {} (USD million of extra fiscal cost per extra localization point)",
                                crate::studies::value::REFERENCE_WORDS,
                                v.words()
                            ));
                        }
                    }
                    _ => {
                        ui.label(egui::RichText::new("computing...").italics());
                    }
                }
                if i > 0 && !presentation && ui.small_button("remove").clicked() {
                    remove = Some(i - 1);
                }
            });
        }
    });
    remove
}

/// The four KPI charts, each with every column's run, band and band mean.
/// In presentation mode the charts show the full horizon's averages only (not the running
/// clock's one run), so what the room sees does not move.
fn compare_charts(ui: &mut egui::Ui, columns: &[&Snapshot], bands: &[&Bands], presentation: bool) {
    type Getter = fn(&QuarterRecord) -> f64;
    let charts: [[(&str, Getter); 2]; 2] = [
        [("Localization rate (%)", |r| 100.0 * r.localization_rate), ("Domestic tier-1 suppliers", |r| r.tier1_suppliers as f64)],
        [
            ("Exports (USD million per year, at each quarter's rate)", |r| 4.0 * r.exports_usd_m),
            ("Cumulative fiscal cost (USD million)", |r| r.cumulative_fiscal_cost_usd_m),
        ],
    ];
    let legend = if presentation {
        format!("Shaded: the average of {BAND_REPLICATIONS} runs, 95% sure; dashed: that average; dotted: the local-content requirement.")
    } else {
        format!(
            "Solid: one run, on the clock. Shaded: the average of {BAND_REPLICATIONS} runs, 95% sure; dashed: that average; dotted: the local-content requirement."
        )
    };
    ui.label(legend)
        .on_hover_text("Coloured as the headings above. The runs differ only by luck (their random draws), as in kicsim compare.");
    // The two rows of charts share the height left (each has a title line); where that leaves
    // them too short (three plans beside this one at 1024x768, or in presentation mode's larger
    // type), the four charts stand in one row, so none is cut off below the window.
    // What is left of the window's height (inside the scroll area, which scrolls when it is not enough).
    let left = ui.clip_rect().bottom() - ui.cursor().top();
    let two_rows = (left - 2.0 * 26.0) / 2.0;
    if two_rows >= MIN_CHART_HEIGHT {
        for row in charts {
            ui.columns(2, |cols| {
                for ((title, get), ui) in row.iter().zip(cols.iter_mut()) {
                    ui.label(*title);
                    one_chart(ui, title, *get, columns, bands, presentation, two_rows.min(600.0));
                }
            });
        }
    } else {
        let height = (left - 30.0).clamp(60.0, 600.0);
        ui.columns(4, |cols| {
            for ((title, get), ui) in charts.iter().flatten().zip(cols.iter_mut()) {
                // One line each, so the charts line up; the whole title on hover.
                ui.add(egui::Label::new(*title).truncate());
                one_chart(ui, title, *get, columns, bands, presentation, height);
            }
        });
    }
}

/// The least height of a chart in two rows (below it, the charts go in one row).
const MIN_CHART_HEIGHT: f32 = 100.0;

/// One KPI chart: every column's band and band mean, the local-content requirement on the
/// localization chart, and (outside presentation mode) each column's run on the clock.
fn one_chart(
    ui: &mut egui::Ui,
    title: &str,
    get: fn(&QuarterRecord) -> f64,
    columns: &[&Snapshot],
    bands: &[&Bands],
    presentation: bool,
    height: f32,
) {
    let plot = kpi_plot_without_legend(format!("cmp-{title}")).height(height).allow_scroll(false).x_axis_label("year");
    plot.show(ui, |p| {
        for (i, s) in columns.iter().enumerate() {
            let color = ARM_COLORS[i % ARM_COLORS.len()];
            let band = bands[i].of_kpi(get);
            if !band.is_empty() {
                let outline: PlotPoints = band.iter().map(|b| [b[0], b[3]]).chain(band.iter().rev().map(|b| [b[0], b[1]])).collect();
                p.polygon(egui_plot::Polygon::new("", outline).fill_color(color.gamma_multiply(0.18)).stroke(egui::Stroke::NONE));
                let mean: PlotPoints = band.iter().map(|b| [b[0], b[2]]).collect();
                p.line(Line::new("", mean).color(color.gamma_multiply(0.7)).style(egui_plot::LineStyle::dashed_loose()));
            }
            if title.starts_with("Localization") {
                let required = bands[i].of_kpi(|r| 100.0 * r.local_content_required);
                if required.iter().any(|b| b[2] > 0.0) {
                    let pts: PlotPoints = required.iter().map(|b| [b[0], b[2]]).collect();
                    p.line(Line::new("", pts).color(color).style(egui_plot::LineStyle::dotted_dense()));
                }
            }
            if !presentation {
                let pts: PlotPoints = s.history.iter().map(|r| [r.year, get(r)]).collect();
                p.line(Line::new(s.label.clone(), pts).color(color).width(2.0));
            }
        }
    });
}

/// The panel section: add/remove compared files and open the view.
pub fn section(ui: &mut egui::Ui, view: &mut CompareView, plan_path: Option<&std::path::Path>) {
    ui.heading("Compare");
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut view.path).desired_width(170.0).hint_text("a scenario file (Browse)"));
        let near = resolve_path(plan_path, if view.path.trim().is_empty() { "x.ron" } else { &view.path });
        file_picker(ui, &mut view.path, &near);
        if ui.add_enabled(view.arms.len() < MAX_ARMS && !view.path.trim().is_empty(), egui::Button::new("Add")).clicked() {
            let p = resolve_path(plan_path, &view.path);
            view.add(&p.to_string_lossy());
            if view.message.is_none() {
                view.path.clear();
            }
        }
    });
    // Errors right under the field they are about.
    if let Some(m) = view.message.clone() {
        ui.colored_label(ERROR_TEXT, m);
    }
    ui.checkbox(&mut view.open, format!("show the compare view ({} beside the plan)", view.arms.len()));
    ui.add_enabled(
        view.open,
        egui::Checkbox::new(&mut view.presentation, "presentation mode (large type, whole window; F5, Esc leaves it)"),
    )
    .on_hover_text("for a room or a projector: the compare view takes the whole window, drawn larger");
}

/// The first screen's way to add a plan to compare: a menu of the scenario files beside the
/// plan, next to the panel's title (the Compare section at the panel's foot has the rest: a
/// typed path, removing, presentation mode). Picking one opens the compare view. Returns the
/// reason a file could not be added (for the status line).
pub fn quick_add(ui: &mut egui::Ui, view: &mut CompareView, plan_path: Option<&std::path::Path>) -> Option<String> {
    let near = resolve_path(plan_path, "x.ron");
    let label = match view.arms.len() {
        0 => "+ Compare a plan".to_string(),
        n => format!("+ Compare ({n} beside)"),
    };
    let full = view.arms.len() >= MAX_ARMS;
    let hover = if full {
        format!("{MAX_ARMS} plans are beside this one already: remove one in the Compare section")
    } else {
        "add a scenario file to compare with the plan: the compare view opens with it".to_string()
    };
    let picked = ui.add_enabled_ui(!full, |ui| scenario_menu(ui, &label, &near, &hover)).inner?;
    view.add(&picked.to_string_lossy());
    view.message.clone().map(|m| format!("cannot compare {}: {m}", picked.display()))
}
