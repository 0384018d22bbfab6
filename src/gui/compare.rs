//! The compare view: up to three other scenario files run beside the plan on the same clock
//! (each in its own headless sim world), shown side by side as small maps and overlaid charts.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Line, PlotPoints};

use super::map_view::{WATER_RGB, color32};
use crate::scenario::{Scenario, Site, Tier};
use crate::sim::clock::SimClock;
use crate::sim::map::SiteMap;
use crate::sim::{self, Facility, FacilityKind, Metrics, QuarterRecord, Supplier};

/// Most scenarios shown beside the plan.
pub const MAX_ARMS: usize = 3;

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
}

impl Arm {
    fn new(scenario: Scenario, path: String) -> Arm {
        let mut app = sim::build_app(&scenario);
        let world = std::mem::take(app.world_mut());
        // Its label (the scenario's name, with its file where another column has the same name)
        // is kept in the snapshot; see `CompareView::relabel`.
        let snapshot = Snapshot { label: scenario.name.clone(), ..default() };
        let mut arm = Arm { scenario, path, world, snapshot };
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
    /// The view is open and unfolded, so it hides the plan's map (whose labels are then not drawn).
    pub covers_map: bool,
    /// The plan itself, as the first column.
    pub plan: Snapshot,
    /// (quarter, forecast generation) the plan snapshot was taken at; a new generation = an edited plan.
    plan_key: Option<(u32, u64)>,
}

impl CompareView {
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
    app.insert_resource(CompareView { path: "scenarios/no_incentives.ron".into(), ..default() });
    app.add_systems(Update, keep_in_step.after(sim::drive));
    app.add_systems(EguiPrimaryContextPass, compare_window.after(super::panel::panels));
}

/// One clock: every compared scenario is stepped to the plan's quarter (and restarted when the
/// plan restarts).
fn keep_in_step(world: &mut World) {
    let quarter = world.resource::<SimClock>().quarter;
    let open = world.resource::<CompareView>().open;
    if !open {
        return;
    }
    // Snapshot the plan only when it moved or changed, not every frame.
    let key = (quarter, world.resource::<super::Forecast>().generation);
    if world.resource::<CompareView>().plan_key != Some(key) {
        let plan_name = world.resource::<super::Plan>().scenario.name.clone();
        let plan_snapshot = snapshot(world, &format!("{plan_name} (plan)"));
        let mut view = world.resource_mut::<CompareView>();
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
        while arm.quarter() < quarter && sim::step_once(&mut arm.world) {}
        if arm.quarter() != before || arm.snapshot.quarter != arm.quarter() {
            arm.refresh();
        }
    }
}

fn tier_color(kind: FacilityKind, tier: Option<Tier>) -> egui::Color32 {
    color32(super::map_view::facility_rgb(kind, tier))
}

/// One colour per column of the compare view (the plan first), used for its heading and its lines.
pub const ARM_COLORS: [egui::Color32; 1 + MAX_ARMS] = [
    egui::Color32::from_rgb(235, 110, 90),
    egui::Color32::from_rgb(100, 170, 250),
    egui::Color32::from_rgb(120, 210, 120),
    egui::Color32::from_rgb(230, 190, 70),
];

/// Land in the minimaps (flat: they show where the facilities are, not the terrain).
pub const MINIMAP_LAND: egui::Color32 = egui::Color32::from_rgb(110, 160, 90);

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
fn compare_window(mut contexts: EguiContexts, mut view: ResMut<CompareView>, area: Res<super::tools::MapArea>) -> Result {
    if !view.open {
        view.covers_map = false;
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let free = area.0.unwrap_or_else(|| ctx.viewport_rect());
    // Inside a margin of 9 px and below the status line; the title bar and frame take about 45 px.
    let pos = free.min + egui::vec2(9.0, 40.0);
    let size = egui::vec2((free.width() - 34.0).max(300.0), (free.height() - 85.0).max(300.0));
    let mut open = view.open;
    let mut remove = None;
    let shown = egui::Window::new("Compare scenarios (one clock)").open(&mut open).fixed_pos(pos).fixed_size(size).show(&ctx, |ui| {
        let columns: Vec<&Snapshot> = std::iter::once(&view.plan).chain(view.arms.iter().map(|a| &a.snapshot)).collect();
        // The maps take at most a third of the height, so the charts keep room below.
        let side = (ui.available_width() / columns.len() as f32 - 12.0).min(size.y / 3.0).clamp(90.0, 400.0);
        // Three rows (headings, maps, figures), so the maps line up whatever the headings' length.
        ui.horizontal_top(|ui| {
            for (i, s) in columns.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.set_width(side);
                    ui.label(egui::RichText::new(format!("■ {}", s.label)).strong().color(ARM_COLORS[i % ARM_COLORS.len()]));
                });
            }
        });
        ui.horizontal_top(|ui| {
            for s in &columns {
                ui.vertical(|ui| {
                    ui.set_width(side);
                    minimap(ui, s, side);
                });
            }
        });
        ui.horizontal_top(|ui| {
            for (i, s) in columns.iter().enumerate() {
                ui.vertical(|ui| {
                    ui.set_width(side);
                    if let Some(r) = s.history.last() {
                        ui.label(format!("q{}  localization {:.1}%", r.quarter, 100.0 * r.localization_rate));
                        ui.label(format!("tier-1 {}  tier-2 {}  firms {}", r.tier1_suppliers, r.tier2_suppliers, r.domestic_suppliers));
                        ui.label(format!("exports {:.0}  fiscal {:.0} USD m", r.exports_usd_m, r.cumulative_fiscal_cost_usd_m));
                    } else {
                        ui.label("quarter 0");
                    }
                    if i > 0 && ui.small_button("remove").clicked() {
                        remove = Some(i - 1);
                    }
                });
            }
        });
        type Getter = fn(&QuarterRecord) -> f64;
        let charts: [[(&str, Getter); 2]; 2] = [
            [("Localization rate (%)", |r| 100.0 * r.localization_rate), ("Tier-1 suppliers", |r| r.tier1_suppliers as f64)],
            [("Exports (USD m per quarter)", |r| r.exports_usd_m), ("Cumulative fiscal cost (USD m)", |r| r.cumulative_fiscal_cost_usd_m)],
        ];
        ui.label("Lines are coloured as the headings above.");
        // The two rows of charts share the height left (each has a title line).
        let plot_height = ((ui.available_height() - 2.0 * 26.0) / 2.0).clamp(80.0, 600.0);
        for row in charts {
            ui.columns(2, |cols| {
                for ((title, get), ui) in row.iter().zip(cols.iter_mut()) {
                    ui.label(*title);
                    super::panel::kpi_plot_without_legend(format!("cmp-{title}")).height(plot_height).allow_scroll(false).show(ui, |p| {
                        for (i, s) in columns.iter().enumerate() {
                            let pts: PlotPoints = s.history.iter().map(|r| [r.year, get(r)]).collect();
                            p.line(Line::new(s.label.clone(), pts).color(ARM_COLORS[i % ARM_COLORS.len()]).width(2.0));
                        }
                    });
                }
            });
        }
    });
    if let Some(i) = remove {
        view.arms.remove(i);
        view.relabel();
    }
    view.open = open;
    // Folded, the window shows only its title and the map is to be seen.
    view.covers_map = open && shown.is_some_and(|r| r.inner.is_some());
    Ok(())
}

/// The panel section: add/remove compared files and open the view.
pub fn section(ui: &mut egui::Ui, view: &mut CompareView) {
    ui.heading("Compare");
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut view.path).desired_width(170.0));
        super::panel::file_picker(ui, &mut view.path);
        if ui.add_enabled(view.arms.len() < MAX_ARMS, egui::Button::new("Add")).clicked() {
            let p = view.path.clone();
            view.add(&p);
        }
    });
    ui.checkbox(&mut view.open, format!("show the compare view ({} beside the plan)", view.arms.len()));
    if let Some(m) = &view.message {
        ui.colored_label(super::panel::ERROR_TEXT, m);
    }
}
