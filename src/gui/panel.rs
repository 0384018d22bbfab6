//! The egui side panels: file (save/load/undo), time controls, tools, overlays with legend,
//! incentives (same names as the scenario file), the inspector, and KPI charts with the
//! forecast beside the running simulation.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::window::{ClosingWindow, WindowCloseRequested};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Legend, Line, LineStyle, Plot, PlotPoints};

use super::map_view::{Overlay, OverlayState, ramp_color};
use super::tools::{Selection, TOOLS};
use super::{Forecast, Plan, Speed};
use crate::io::write_atomic;
use crate::registry;
use crate::scenario::{Incentives, Ownership, Scenario, Sector, Tier};
use crate::sim::clock::SimClock;
use crate::sim::facilities::PlanRef;
use crate::sim::sourcing::AnchorState;
use crate::sim::{Facility, FacilityKind, Metrics, QuarterRecord, SimControl, Supplier};

/// Panel-local state.
#[derive(Resource)]
pub struct PanelState {
    path: String,
    draft: Incentives,
    editing: bool,
    /// A save waiting for the planner's yes to make the missing folder it names.
    confirm_folder: Option<PathBuf>,
    /// The plan's file when the field was last set from it (a load, or an undo past one, sets it again).
    shown_path: Option<PathBuf>,
}

impl PanelState {
    /// The plan with the incentives of a slider being moved (None: no slider held).
    pub(super) fn draft_preview(&self, plan: &Scenario) -> Option<Scenario> {
        (self.editing && self.draft != plan.incentives).then(|| Scenario { incentives: self.draft.clone(), ..plan.clone() })
    }
}

pub(super) fn plugin(app: &mut App) {
    let path =
        app.world().resource::<Plan>().path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "scenarios/my_plan.ron".into());
    let draft = app.world().resource::<Plan>().scenario.incentives.clone();
    let shown_path = app.world().resource::<Plan>().path.clone();
    app.insert_resource(PanelState { path, draft, editing: false, confirm_folder: None, shown_path });
    app.init_resource::<QuitPrompt>();
    app.add_systems(Update, close_requests);
    app.add_systems(EguiPrimaryContextPass, (panels.after(super::map_view::draw_labels), quit_prompt.after(panels)));
}

/// Closing the window with unsaved edits asks first (the window is built with
/// `close_when_requested: false`, so this system decides).
#[derive(Resource, Default)]
pub struct QuitPrompt {
    window: Option<Entity>,
}

fn close_requests(
    mut commands: Commands,
    mut requests: MessageReader<WindowCloseRequested>,
    closing: Query<Entity, With<ClosingWindow>>,
    plan: Res<Plan>,
    mut prompt: ResMut<QuitPrompt>,
) {
    // Marked on an earlier frame: now the window goes, and the app exits with it.
    for w in &closing {
        commands.entity(w).despawn();
    }
    for r in requests.read() {
        if plan.dirty {
            info!("close requested with unsaved edits: asking");
            prompt.window = Some(r.window);
        } else {
            commands.entity(r.window).try_insert(ClosingWindow);
        }
    }
}

/// The answer to "save before quitting?": Enter saves and quits, Esc cancels.
fn quit_prompt(
    mut contexts: EguiContexts,
    mut commands: Commands,
    mut prompt: ResMut<QuitPrompt>,
    mut plan: ResMut<Plan>,
    state: Res<PanelState>,
) -> Result {
    let Some(window) = prompt.window else { return Ok(()) };
    let ctx = contexts.ctx_mut()?.clone();
    let path = PathBuf::from(state.path.trim());
    // Keys count only when no text field has the keyboard (Enter there ends the typing).
    let (enter, escape) = if ctx.egui_wants_keyboard_input() {
        (false, false)
    } else {
        ctx.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)))
    };
    let mut choice = None;
    let mut cancel = escape;
    egui::Window::new("Unsaved edits").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0)).show(
        &ctx,
        |ui| {
            ui.label("The plan has edits that are not saved.");
            if ui.button(format!("Save to {} and quit (Enter)", path.display())).clicked() || enter {
                choice = Some(true);
            }
            if ui.button("Quit without saving").clicked() {
                choice = Some(false);
            }
            if ui.button("Cancel (Esc)").clicked() {
                cancel = true;
            }
            status(ui, &plan);
        },
    );
    match choice {
        // A failed save keeps the window open with the reason shown.
        Some(true) if save(&mut plan, &path) => {
            info!("quit after saving {}", path.display());
            commands.entity(window).try_insert(ClosingWindow);
            prompt.window = None;
        }
        Some(false) => {
            info!("quit without saving");
            commands.entity(window).try_insert(ClosingWindow);
            prompt.window = None;
        }
        _ if cancel => {
            info!("quit cancelled");
            prompt.window = None;
        }
        _ => {}
    }
    Ok(())
}

/// A "Browse" menu of the scenario files beside `near` (the typed path resolved as Save and Load
/// would; or in scenarios/), to pick one without typing its path.
pub(crate) fn file_picker(ui: &mut egui::Ui, path: &mut String, near: &Path) {
    ui.menu_button("Browse", |ui| {
        let files = scenario_files_near(&near.to_string_lossy());
        if files.is_empty() {
            ui.label("no .ron files here");
        }
        for f in files {
            if ui.button(f.display().to_string()).clicked() {
                *path = f.display().to_string();
                ui.close();
            }
        }
    })
    .response
    .on_hover_text("scenario files in this folder");
}

/// The .ron files in the folder of `path` (the path itself may be a folder), else in
/// `scenarios/`, in name order.
fn scenario_files_near(path: &str) -> Vec<PathBuf> {
    let p = Path::new(path);
    let dir = if p.is_dir() {
        p.to_path_buf()
    } else {
        // A plan opened by its bare name (`kicsim plan mine.ron`) is in the current folder.
        let parent = p.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d });
        parent.filter(|d| d.is_dir()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("scenarios"))
    };
    crate::scenario::ron_files_in(&dir).unwrap_or_default()
}

/// The comment lines (and blank lines) a scenario file opens with.
fn leading_comments(src: &str) -> String {
    let mut out = String::new();
    // A byte-order mark is not part of the comment (the saved file is UTF-8 without one).
    for line in crate::scenario::without_bom(src).lines() {
        let t = line.trim_start();
        if t.starts_with("//") || t.is_empty() {
            out.push_str(line);
            out.push('\n');
        } else {
            break;
        }
    }
    out
}

fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

/// Saves the plan (a temporary file renamed over the target, so never half-written); reports
/// the outcome in the status line.
fn save(plan: &mut Plan, path: &Path) -> bool {
    if path.as_os_str().is_empty() {
        plan.refuse("cannot save: type a file name first");
        return false;
    }
    let previous = std::fs::read_to_string(path).ok();
    let mut text = plan.scenario.to_ron();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // The file's opening comment (what the scenario is for) is kept; other comments cannot be,
    // so the previous version is kept beside it as FILE.bak when the file had any, and also when
    // it is not the version the planner last read or wrote there (another file, or this one
    // edited since): saving never loses what the planner has not seen.
    let header = previous.as_deref().map(leading_comments).unwrap_or_default();
    text = format!("{header}{text}");
    let loses_comments = |p: &str| p.lines().skip(header.lines().count()).any(|l| l.contains("//") || l.contains("/*"));
    let seen = |p: &str| plan.on_disk.as_ref().is_some_and(|(at, t)| at == path && t == p);
    let backup = previous.as_deref().filter(|p| *p != text).and_then(|p| {
        let why = if !seen(p) {
            "the file there was not the version the planner last read or saved"
        } else if loses_comments(p) {
            "comments inside the file cannot be kept"
        } else {
            return None;
        };
        Some((backup_path(path), p.to_string(), why))
    });
    if let Some((b, content, _)) = &backup
        && let Err(e) = write_atomic(b, content.as_bytes())
    {
        plan.refuse(format!(
            "cannot save: could not keep the previous version as {}: {} (nothing was changed)",
            b.display(),
            crate::io_words(&e)
        ));
        return false;
    }
    match write_atomic(path, text.as_bytes()) {
        Ok(()) => {
            plan.dirty = false;
            plan.path = Some(path.to_path_buf());
            plan.on_disk = Some((path.to_path_buf(), text));
            let kept = backup.map(|(b, _, why)| format!(" ({why}: the previous version is {})", b.display())).unwrap_or_default();
            let msg = format!("saved {}{kept}", path.display());
            info!("{msg}");
            plan.message = Some((msg, false));
            true
        }
        Err(e) => {
            plan.refuse(format!("cannot save {}: {} (nothing was changed)", path.display(), crate::io_words(&e)));
            false
        }
    }
}

/// Loads a scenario file as the plan (the previous plan stays one Ctrl+Z away); a file that does
/// not read or validate is reported with its file:line:col and changes nothing.
fn load(plan: &mut Plan, path: &Path) -> bool {
    match Scenario::load_with_text(path) {
        Ok((s, text)) => {
            plan.replace(s, path.to_path_buf(), text);
            info!("loaded {}", path.display());
            plan.message = Some((format!("loaded {} (Ctrl+Z brings the previous plan back)", path.display()), false));
            true
        }
        Err(e) => {
            plan.refuse(format!("{e}\n(the current plan is unchanged)"));
            false
        }
    }
}

/// The inspector's width when it first opens (the planner may resize it).
const INSPECTOR_WIDTH: f32 = 310.0;

/// Both side panels, on one root `Ui` so they share the window (egui 0.36 panels).
#[allow(clippy::too_many_arguments)]
pub(super) fn panels(
    mut contexts: EguiContexts,
    mut plan: ResMut<Plan>,
    mut state: ResMut<PanelState>,
    mut control: ResMut<SimControl>,
    mut speed: ResMut<Speed>,
    mut sel: ResMut<Selection>,
    mut overlay: ResMut<OverlayState>,
    clock: Res<SimClock>,
    forecast: Res<Forecast>,
    anchor: Res<AnchorState>,
    facilities: Query<(&Facility, Option<&Supplier>, Option<&PlanRef>)>,
    metrics: Res<Metrics>,
    mut compare: ResMut<super::compare::CompareView>,
    mut map_area: ResMut<super::tools::MapArea>,
    // Grouped: a system takes at most 16 parameters.
    (mut reference, preview, map, mut band, chance): (
        ResMut<super::outlook::Reference>,
        Res<super::outlook::Preview>,
        Res<crate::sim::map::SiteMap>,
        ResMut<super::outlook::ParameterBand>,
        Res<super::outlook::Chance>,
    ),
) -> Result {
    let ctx = contexts.ctx_mut()?.clone();
    // In presentation mode the compare view is the whole window: no side panels around it.
    if compare.open && compare.presentation {
        return Ok(());
    }
    if !state.editing {
        state.draft = plan.scenario.incentives.clone();
    }
    // The File field names the plan's file after a load or an undo past one (Save writes there).
    if state.shown_path != plan.path {
        state.shown_path = plan.path.clone();
        if let Some(p) = &plan.path {
            state.path = p.display().to_string();
        }
    }
    let mut root = egui::Ui::new(
        ctx.clone(),
        "root".into(),
        egui::UiBuilder::new().layer_id(egui::LayerId::background()).max_rect(ctx.viewport_rect()),
    );
    // In a narrow window the side panels give way to the map (at most a third of the width each).
    let panel_max = side_panel_max(ctx.viewport_rect().width());
    egui::Panel::left("controls").resizable(true).default_size(LEFT_PANEL_WIDTH).max_size(panel_max).show(&mut root, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading("KIC Planner");
            ui.label(egui::RichText::new(&plan.scenario.name).strong());
            file_section(ui, &mut plan, &mut state);
            ui.separator();
            let shown = super::outlook::shown(&preview, &forecast);
            super::outlook::cards_ui(ui, &plan, &mut reference, &chance, shown, preview.history.is_some());
            ui.separator();
            time_section(ui, &mut plan, &mut control, &mut speed, &clock, &forecast);
            ui.separator();
            tools_section(ui, &mut sel);
            ui.separator();
            overlay_section(ui, &mut overlay);
            ui.separator();
            incentives_section(ui, &mut plan, &mut state);
            ui.separator();
            super::compare::section(ui, &mut compare, plan.path.as_deref());
        });
    });
    charts(&mut root, &metrics, super::outlook::shown(&preview, &forecast), &reference.history, &clock, &mut band);
    // What the panels leave is the map's.
    let area = root.available_rect_before_wrap();
    map_area.0 = Some(area);
    // The inspector floats over the map's top-left corner while a facility is selected, so the
    // side panel keeps its full height (the incentives stay in view); it can be moved, folded
    // and closed (Esc).
    if sel.selected.is_some() && !compare.covers_map {
        // 310 px (its text wraps), and at most 80% of the map area in a small window, so the
        // middle of the map stays in view and clear for dragging.
        let width = INSPECTOR_WIDTH.min(0.8 * area.width()).max(200.0);
        let mut open = true;
        egui::Window::new("Inspect")
            .id(egui::Id::new("inspect"))
            .open(&mut open)
            .default_pos(area.min + egui::vec2(8.0, 8.0))
            .default_width(width)
            .max_width(width)
            .max_height((0.5 * area.height()).max(160.0))
            // No drop shadow: it would darken the facilities just below the window.
            .frame(egui::Frame::window(&ctx.global_style()).shadow(egui::Shadow::NONE))
            .collapsible(true)
            .resizable(true)
            .show(&ctx, |ui| {
                egui::ScrollArea::vertical().id_salt("inspect").show(ui, |ui| {
                    inspector(ui, &mut plan, &sel, &anchor, &facilities, &map);
                });
            });
        if !open {
            sel.selected = None;
        }
    }
    Ok(())
}

fn status(ui: &mut egui::Ui, plan: &Plan) {
    if let Some((msg, err)) = &plan.message {
        let color = if *err { ERROR_TEXT } else { OK_TEXT };
        for line in msg.lines() {
            if is_quoted_source(line) {
                // A line of the file and the caret under the faulty field line up only in a
                // fixed-width font, and only unwrapped (a long line is cut, not folded).
                ui.add(egui::Label::new(egui::RichText::new(line).monospace().color(color)).truncate());
            } else {
                ui.label(egui::RichText::new(line).color(color));
            }
        }
    }
}

/// A line of an error message that quotes the file (`   3 | years: 500,`) or points into it
/// (`     |        ^`).
fn is_quoted_source(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("| ") || t.split_once(" | ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A path typed in the window: a bare file name is beside the plan's file (as an editor's Save
/// As would put it); a path with folders is taken as typed (from the folder the planner was
/// started in).
pub(crate) fn resolve_path(plan_path: Option<&Path>, typed: &str) -> PathBuf {
    let typed = Path::new(typed.trim());
    let bare = typed.parent().is_none_or(|p| p.as_os_str().is_empty());
    match plan_path.and_then(Path::parent).filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if bare && !typed.as_os_str().is_empty() => dir.join(typed),
        _ => typed.to_path_buf(),
    }
}

/// Saves to a typed path; a folder that is not there is made only when the planner says so.
fn save_typed(plan: &mut Plan, state: &mut PanelState) {
    let path = resolve_path(plan.path.as_deref(), &state.path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        plan.message = Some((format!("the folder {} does not exist: make it and save there?", dir.display()), true));
        state.confirm_folder = Some(path);
        return;
    }
    state.confirm_folder = None;
    save(plan, &path);
}

fn file_section(ui: &mut egui::Ui, plan: &mut Plan, state: &mut PanelState) {
    ui.horizontal(|ui| {
        ui.label("File");
        ui.add(egui::TextEdit::singleline(&mut state.path).desired_width(200.0))
            .on_hover_text("a file name alone is beside the plan's file; a path with folders is taken as typed");
        let beside = resolve_path(plan.path.as_deref(), &state.path);
        file_picker(ui, &mut state.path, &beside);
    });
    if let Some(target) = state.confirm_folder.clone() {
        ui.horizontal(|ui| {
            if ui.button("Make the folder and save").clicked() {
                state.confirm_folder = None;
                save(plan, &target);
            }
            if ui.button("Cancel").clicked() {
                state.confirm_folder = None;
                plan.message = Some(("not saved".into(), false));
            }
        });
    }
    ui.horizontal(|ui| {
        let ctrl_s = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::S));
        if ui.button("Save").on_hover_text("Ctrl+S").clicked() || ctrl_s {
            save_typed(plan, state);
        }
        if ui.button("Load").clicked() {
            let path = resolve_path(plan.path.as_deref(), &state.path);
            load(plan, &path);
        }
        if ui.add_enabled(!plan.undo.is_empty(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
            plan.undo();
        }
        if ui.add_enabled(!plan.redo.is_empty(), egui::Button::new("Redo")).on_hover_text("Ctrl+Y").clicked() {
            plan.redo();
        }
        if plan.dirty {
            ui.label("(unsaved)");
        }
    });
    status(ui, plan);
}

fn time_section(ui: &mut egui::Ui, plan: &mut Plan, control: &mut SimControl, speed: &mut Speed, clock: &SimClock, forecast: &Forecast) {
    ui.horizontal(|ui| {
        let label = if control.running {
            "⏸ Pause"
        } else if clock.finished() {
            "▶ Replay"
        } else {
            "▶ Play"
        };
        if ui.button(label).on_hover_text("Space").clicked() {
            super::toggle_play(plan, control, clock);
        }
        if ui.button("Step").on_hover_text("one quarter").clicked() {
            control.pending_steps += 1;
        }
        if ui.button("Reset").on_hover_text("back to quarter 0 with the current plan").clicked() {
            plan.restart();
            control.running = false;
        }
    });
    ui.add(egui::Slider::new(&mut speed.quarters_per_second, 0.5..=40.0).logarithmic(true).text("quarters / s"));
    ui.label(format!(
        "Quarter {} of {} (year {:.2}){}",
        clock.quarter,
        clock.horizon,
        clock.year_end(),
        if forecast.pending() { " — forecasting…" } else { "" }
    ));
}

fn tools_section(ui: &mut egui::Ui, sel: &mut Selection) {
    ui.label("Tool (click a facility to inspect it; right-drag pans, wheel zooms)");
    ui.horizontal_wrapped(|ui| {
        for (i, &(tool, label, _)) in TOOLS.iter().enumerate() {
            if ui.selectable_label(sel.tool == tool, label).on_hover_text(format!("key {}", i + 1)).clicked() {
                sel.set_tool(tool);
            }
        }
    });
    ui.collapsing("Keys", |ui| {
        ui.label(
            "1-7 pick a tool (in the order above) · Space play / pause · Home fit the map · arrows pan · \
             Delete remove the selected facility · Esc back to Select · Ctrl+S save · Ctrl+Z undo · Ctrl+Y or Ctrl+Shift+Z redo · F5 presentation mode of the compare view · F12 save the window as PNG",
        );
    });
    // Always one line (wrapped text cut to it), so the panel below does not jump as the pointer
    // moves on and off the map.
    let line = match &sel.ghost {
        Some(g) => match &g.problem {
            Some(p) => egui::RichText::new(format!("not buildable here: {p}")).color(ERROR_TEXT),
            None => egui::RichText::new(format!("buildable at ({:.2}, {:.2}) km", g.site.x_km, g.site.y_km)).color(OK_TEXT),
        },
        None => egui::RichText::new("point at the map to check a site").weak(),
    };
    ui.add(egui::Label::new(line).truncate());
}

fn overlay_section(ui: &mut egui::Ui, overlay: &mut OverlayState) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Overlay");
        for o in Overlay::ALL {
            ui.selectable_value(&mut overlay.overlay, o, o.label());
        }
    });
    if overlay.overlay != Overlay::None {
        let (lo, hi) = overlay.range;
        ui.horizontal(|ui| {
            ui.label(format!("{lo:.2}"));
            let (rect, _) = ui.allocate_exact_size(egui::vec2(160.0, 14.0), egui::Sense::hover());
            let steps = 32;
            for i in 0..steps {
                let t0 = i as f32 / steps as f32;
                let r = egui::Rect::from_min_max(
                    egui::pos2(rect.left() + t0 * rect.width(), rect.top()),
                    egui::pos2(rect.left() + (t0 + 1.0 / steps as f32) * rect.width() + 0.5, rect.bottom()),
                );
                ui.painter().rect_filled(r, 0.0, ramp_color(t0 as f64));
            }
            ui.label(format!("{hi:.2}"));
        });
        ui.label(match overlay.overlay {
            Overlay::Spillover => "know-how reaching each site from the anchor, R&D centres and tier-1 suppliers (falls with distance)",
            Overlay::LandPrice => "land price index (1 = mean over land)",
            Overlay::WorkerSkill => "skill of the workers a firm here could hire (0..1)",
            Overlay::Suitability => "suitability for a new supplier (0 = cannot build)",
            Overlay::None => "",
        });
    }
}

/// Commit a slider edit when the drag ends (not every frame of the drag).
fn commit(resp: &egui::Response) -> bool {
    resp.drag_stopped() || (resp.changed() && !resp.dragged())
}

/// A slider for one numeric field of the scenario, as the registry describes it: the range the
/// file may hold (the one validation enforces), the planner's label with its unit, and on hover
/// the file's name, range and what the field does. It never changes a value it is not dragged
/// or typed on: a value outside the slider (another tool's file) stays as it is.
pub(crate) fn field_slider(ui: &mut egui::Ui, path: &str, v: &mut f64, max: Option<f64>) -> egui::Response {
    let f = registry::field_of(path).unwrap_or_else(|| panic!("{path} is not in the registry"));
    let hi = max.unwrap_or(f.max).max(f.min);
    // Wide ranges (money, trainees) on a log scale, so everyday values are not squeezed into the first pixel.
    let wide = f.min >= 0.0 && hi > 1000.0 * f.min.max(1.0);
    let label = if f.unit.is_empty() { f.label.to_string() } else { format!("{} ({})", f.label, f.unit) };
    // What it does first, then where it is in the scenario file and the range the file allows.
    let hover = format!("{}\nIn the scenario file: {} (from {} to {}{}).", f.help, f.path, f.min, hi, unit_suffix(f.unit));
    // The label above the slider, wrapped, so long names do not widen the panel.
    ui.add(egui::Label::new(egui::RichText::new(label).small()).wrap()).on_hover_text(&hover);
    let decimals = if f.max >= 1000.0 { 0 } else { 3 };
    let slider = egui::Slider::new(v, f.min..=hi)
        .logarithmic(wide)
        .clamping(egui::SliderClamping::Never)
        .max_decimals(decimals)
        .integer_if(f.integer);
    ui.add(slider).on_hover_text(hover)
}

/// A unit after a range's end: none for a share 0-1, which "0 to 1" says already.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() || unit == "0-1" { String::new() } else { format!(" {unit}") }
}

/// `integer()` only when asked (egui's builder has no conditional form).
trait IntegerIf {
    fn integer_if(self, yes: bool) -> Self;
}

impl IntegerIf for egui::Slider<'_> {
    fn integer_if(self, yes: bool) -> Self {
        if yes { self.integer() } else { self }
    }
}

fn incentives_section(ui: &mut egui::Ui, plan: &mut Plan, state: &mut PanelState) {
    ui.heading("incentives");
    let d = &mut state.draft;
    let mut done = false;
    let mut dragging = false;
    let max_pp = plan.scenario.model.lending_rate_pct;
    let mut slider = |ui: &mut egui::Ui, v: &mut f64, name: &str| {
        let max = (name == "credit_interest_subsidy_pp").then_some(max_pp);
        let r = field_slider(ui, &format!("incentives.{name}"), v, max);
        dragging |= r.dragged();
        done |= commit(&r);
    };
    slider(ui, &mut d.cit_holiday_years, "cit_holiday_years");
    slider(ui, &mut d.cit_rate, "cit_rate");
    slider(ui, &mut d.land_rent_exemption, "land_rent_exemption");
    slider(ui, &mut d.land_rent_exemption_years, "land_rent_exemption_years");
    slider(ui, &mut d.credit_interest_subsidy_pp, "credit_interest_subsidy_pp");
    slider(ui, &mut d.rd_deduction, "rd_deduction");
    slider(ui, &mut d.training_subsidy_usd_per_trainee, "training_subsidy_usd_per_trainee");
    slider(ui, &mut d.export_promotion_usd_m_per_year, "export_promotion_usd_m_per_year");
    ui.label(egui::RichText::new("Local-content roadmap (from year, required share of inputs)").small())
        .on_hover_text("`incentives.local_content`: the requirement of a year is the last step at or before it");
    let mut remove = None;
    for (i, (year, share)) in d.local_content.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let a = ui.add(egui::DragValue::new(year).range(0.0..=100.0).clamp_existing_to_range(false).speed(0.1).prefix("year "));
            let b = ui.add(egui::DragValue::new(share).range(0.0..=1.0).clamp_existing_to_range(false).speed(0.01).prefix("share "));
            dragging |= a.dragged() || b.dragged();
            done |= commit(&a) || commit(&b);
            if ui.small_button("remove").on_hover_text("remove this step").clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        d.local_content.remove(i);
        done = true;
    }
    if ui.small_button("+ step").clicked() {
        let (y, s) = d.local_content.last().copied().unwrap_or((2.0, 0.2));
        d.local_content.push((y + 2.0, (s + 0.1).min(1.0)));
        done = true;
    }
    state.editing = dragging;
    if done {
        let draft = d.clone();
        plan.edit("changed incentives", |s| s.incentives = draft);
        state.editing = false;
    }
}

fn inspector(
    ui: &mut egui::Ui,
    plan: &mut Plan,
    sel: &Selection,
    anchor: &AnchorState,
    facilities: &Query<(&Facility, Option<&Supplier>, Option<&PlanRef>)>,
    map: &crate::sim::map::SiteMap,
) {
    let Some(id) = sel.selected else { return };
    let Some((f, sp, r)) = facilities.iter().find(|(f, _, _)| f.id == id) else {
        ui.label("(the selected facility is gone: the run was reset or the firm exited)");
        return;
    };
    ui.label(egui::RichText::new(format!("{} — {}", f.name, f.kind.label())).strong());
    ui.label(format!("site ({:.2}, {:.2}) km", f.site.x_km, f.site.y_km));
    if let Some(sp) = sp {
        egui::Grid::new("supplier").show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            row("capability", format!("{:.3}", sp.capability));
            row("tier", sp.tier.label().to_string());
            row("knowledge spillover received", format!("{:.3}", sp.spillover));
            row("workers' skill (0-1)", format!("{:.3}", sp.worker_skill));
            row("ability to absorb know-how (0-1)", format!("{:.3}", sp.absorb));
            row("capacity", format!("{:.1} USD m a year", sp.capacity_usd_m));
            row("sales to the anchor", format!("{:.1} USD m a year", sp.sales_usd_m));
            row("exports", format!("{:.1} USD m a year", sp.exports_usd_m));
            row(
                "cost to the anchor, delivered",
                format!("{:.3} (imports {:.3}; 1 = a frontier supplier's)", sp.delivered_cost, anchor.import_cost),
            );
            if sp.entered_quarter > 0 {
                row("entered", format!("quarter {}", sp.entered_quarter));
            }
        });
        ui.label(egui::RichText::new(format!("Why: {}", sp.status.explain())).italics());
    }
    if f.kind == FacilityKind::Anchor {
        ui.label(format!("output {:.0} USD m/yr, inputs {:.0} USD m/yr", anchor.output_usd_m, anchor.demand_usd_m));
        let required = if anchor.lcr_required > 0.0 {
            format!("the local-content rule requires {:.0}% now", 100.0 * anchor.lcr_required)
        } else {
            "no local-content rule in force".to_string()
        };
        ui.label(format!("localization {:.1}% ({required})", 100.0 * anchor.localization_rate));
        ui.label(format!(
            "cost of its inputs: index {:.3}, against {:.3} if it imported them all",
            anchor.unit_cost_index, anchor.reference_unit_cost_index
        ))
        .on_hover_text("1 = inputs bought at a frontier supplier's price; imports carry the import cost");
        ui.label(format!("freight to the port costs as much as {:.1} km of road", anchor.port_freight_km))
            .on_hover_text("road km to the port, with the logistics hubs' discount on the legs through them");
    }
    facility_effect(ui, plan, f, facilities, map);
    // Plan parameters of the selected facility.
    if let Some(r) = r.copied() {
        match r.0 {
            FacilityKind::RdCentre => {
                let mut v = plan.scenario.rd_centres[r.1].budget_usd_m_per_year;
                let resp = field_slider(ui, "rd_centres[i].budget_usd_m_per_year", &mut v, None);
                if commit(&resp) {
                    plan.edit("changed the R&D budget", |s| s.rd_centres[r.1].budget_usd_m_per_year = v);
                }
            }
            FacilityKind::TrainingCentre => {
                let mut v = plan.scenario.training_centres[r.1].trainees_per_year;
                let resp = field_slider(ui, "training_centres[i].trainees_per_year", &mut v, None);
                if commit(&resp) {
                    plan.edit("changed the training intake", |s| s.training_centres[r.1].trainees_per_year = v);
                }
            }
            FacilityKind::Anchor => anchor_settings(ui, plan),
            FacilityKind::Supplier => supplier_settings(ui, plan, r.1),
            _ => {}
        }
    }
}

/// What an R&D centre, a training centre or a logistics hub does for the complex.
fn facility_effect(
    ui: &mut egui::Ui,
    plan: &Plan,
    f: &Facility,
    facilities: &Query<(&Facility, Option<&Supplier>, Option<&PlanRef>)>,
    map: &crate::sim::map::SiteMap,
) {
    use super::effects;
    let s = &plan.scenario;
    let suppliers: Vec<crate::scenario::Site> = facilities.iter().filter(|(_, sp, _)| sp.is_some()).map(|(f, _, _)| f.site).collect();
    let own = |kind| facilities.iter().filter(|(g, _, _)| g.kind == kind && g.id != f.id).map(|(g, _, _)| g.site).collect::<Vec<_>>();
    match f.kind {
        FacilityKind::RdCentre => {
            let budget = facilities
                .iter()
                .find(|(g, _, _)| g.id == f.id)
                .and_then(|(_, _, r)| r.and_then(|r| s.rd_centres.get(r.1)))
                .map_or(0.0, |c| c.budget_usd_m_per_year);
            let amplitude = s.model.rd_spillover * budget / 10.0;
            let (reached, given) = effects::rd_effect(s, f.site, amplitude, &suppliers);
            let (half, reach) = effects::spillover_reach_km(s);
            ui.label(format!(
                "Spillover strength {amplitude:.2}; it halves at {half:.1} km and is a tenth at {reach:.1} km. \
                 Reaches {reached} of {} suppliers; total spillover it gives them now: {given:.2}.",
                suppliers.len()
            ));
        }
        FacilityKind::TrainingCentre => {
            let own_intake = facilities
                .iter()
                .find(|(g, _, _)| g.id == f.id)
                .and_then(|(_, _, r)| r.and_then(|r| s.training_centres.get(r.1)))
                .map_or(0.0, |c| c.trainees_per_year);
            let (trainees, towns) = effects::training_effect(s, map, f.site, own_intake);
            let top: Vec<String> = towns.iter().take(3).map(|(n, w)| format!("{n} {:.0}%", 100.0 * w)).collect();
            ui.label(format!(
                "Trains {trainees:.0} workers a year (own intake {own_intake:.0}, the rest paid by the training subsidy); they live in {}.",
                top.join(", ")
            ));
        }
        FacilityKind::LogisticsHub => {
            let (before, after, routed) = effects::hub_effect(s, map, f.site, &own(FacilityKind::LogisticsHub), &suppliers);
            let port = if before - after < 0.05 {
                format!(
                    "The anchor's freight to the port does not go through this hub: it costs as much as {after:.1} km of road with or without it."
                )
            } else {
                format!(
                    "With this hub the anchor's freight to the port costs as much as {after:.1} km of road instead of {before:.1} km ({:.0}% less).",
                    100.0 * (before - after) / before.max(1e-9)
                )
            };
            ui.label(format!("{port} {routed} of {} suppliers ship to the anchor through it.", suppliers.len()));
        }
        _ => {}
    }
}

/// A KPI chart: a translucent legend in the top-left corner (the curves rise to the right) and
/// 1-2-5 y ticks, about four per chart, so a short chart of values in the hundreds still shows
/// its scale (egui_plot's default powers of ten leave only "0" there).
pub(crate) fn kpi_plot(id: impl egui::AsId) -> Plot<'static> {
    kpi_plot_without_legend(id).legend(Legend::default().position(egui_plot::Corner::LeftTop).background_alpha(0.6))
}

/// [`kpi_plot`] with no legend, for charts whose lines are keyed elsewhere (the compare view
/// colours each scenario's heading).
///
/// The y axis always takes in 0 and 1, so a KPI that stays at zero (no fiscal cost without
/// incentives) is a line along the bottom of a 0..1 chart, not across the middle of a -15..15 one.
pub(crate) fn kpi_plot_without_legend(id: impl egui::AsId) -> Plot<'static> {
    // Tick labels as the output files write numbers (crate::format::fmt_num): as many decimals as the
    // value has, so the grid's half-steps read 2.5 and 7.5, not "2" and "8".
    // Room for four-digit tick labels (exports in USD m), which a narrow chart would drop.
    Plot::new(id)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_min_width(36.0)
        .y_axis_formatter(|mark, _| crate::format::fmt_num(mark.value))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|g| {
            // At least 30 points apart (base_step_size is the data per 8 points), where egui_plot
            // draws y labels in full; a short chart gets fewer, wider steps rather than none.
            let large = nice_step(((g.bounds.1 - g.bounds.0) / 4.0).max(g.base_step_size * 30.0 / 8.0));
            [large / 10.0, large / 2.0, large]
        }))
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|&v| v >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * p)
}

/// A planned supplier's starting values (`suppliers[i].*`); the live values are above.
fn supplier_settings(ui: &mut egui::Ui, plan: &mut Plan, i: usize) {
    let Some(sp) = plan.scenario.suppliers.get(i).cloned() else { return };
    ui.label(egui::RichText::new("Set in the plan, for the start of the run:").small())
        .on_hover_text(format!("suppliers[{i}] in the scenario file; the figures above are the firm's now"));
    let mut name = sp.name.clone();
    let resp = ui.horizontal(|ui| {
        ui.label("name");
        ui.text_edit_singleline(&mut name)
    });
    if resp.inner.lost_focus() && name.trim() != sp.name && !name.trim().is_empty() {
        let name = name.trim().to_string();
        plan.edit("renamed a supplier", |s| s.suppliers[i].name = name);
    }
    let mut c = sp.capability;
    let resp = field_slider(ui, "suppliers[i].capability", &mut c, None);
    if commit(&resp) {
        plan.edit("changed a supplier's capability", |s| s.suppliers[i].capability = c);
    }
    let mut cap = sp.capacity_usd_m;
    let resp = field_slider(ui, "suppliers[i].capacity_usd_m", &mut cap, None);
    if commit(&resp) {
        plan.edit("changed a supplier's capacity", |s| s.suppliers[i].capacity_usd_m = cap);
    }
    let mut tier = sp.tier;
    ui.horizontal(|ui| {
        ui.label("starting tier").on_hover_text("suppliers[i].tier in the scenario file: Untiered, Tier2 or Tier1");
        ui.selectable_value(&mut tier, Tier::Untiered, "no tier");
        ui.selectable_value(&mut tier, Tier::Tier2, "tier-2");
        ui.selectable_value(&mut tier, Tier::Tier1, "tier-1");
    });
    if tier != sp.tier {
        plan.edit("changed a supplier's starting tier", |s| s.suppliers[i].tier = tier);
    }
}

/// The anchor's plan settings, with the scenario file's names (`anchor.*`).
fn anchor_settings(ui: &mut egui::Ui, plan: &mut Plan) {
    let a = plan.scenario.anchor.clone();
    let mut sector = a.sector;
    egui::ComboBox::from_label("sector").selected_text(format!("{sector:?}")).show_ui(ui, |ui| {
        for s in [Sector::Electronics, Sector::Automotive, Sector::Machinery, Sector::Textiles, Sector::Footwear] {
            ui.selectable_value(&mut sector, s, format!("{s:?}"));
        }
    });
    if sector != a.sector {
        plan.edit("changed the anchor's sector", |s| s.anchor.sector = sector);
    }
    let mut ownership = a.ownership;
    ui.horizontal(|ui| {
        ui.label("ownership");
        ui.selectable_value(&mut ownership, Ownership::Fdi, "foreign-owned (FDI)")
            .on_hover_text("anchor.ownership: Fdi in the scenario file");
        ui.selectable_value(&mut ownership, Ownership::Domestic, "domestic").on_hover_text("anchor.ownership: Domestic");
    });
    if ownership != a.ownership {
        plan.edit("changed the anchor's ownership", |s| s.anchor.ownership = ownership);
    }
    for name in [
        "output_usd_m",
        "input_share",
        "export_share",
        "commitments.tech_transfer",
        "commitments.local_sourcing",
        "commitments.rd_usd_m_per_year",
        "commitments.trainees_per_year",
    ] {
        let path = format!("anchor.{name}");
        let field = registry::field_of(&path).expect("every anchor setting is in the registry");
        let Some(mut v) = field.get(&plan.scenario) else { continue };
        let resp = field_slider(ui, &path, &mut v, None);
        if commit(&resp) {
            plan.edit(&format!("changed {path}"), |s| field.set(s, v));
        }
    }
}

fn series(h: &[QuarterRecord], f: impl Fn(&QuarterRecord) -> f64) -> PlotPoints<'static> {
    h.iter().map(|r| [r.year, f(r)]).collect()
}

/// The status line's colours: refusals and errors, and what went well.
pub(super) const ERROR_TEXT: egui::Color32 = egui::Color32::from_rgb(255, 110, 100);
pub(super) const OK_TEXT: egui::Color32 = egui::Color32::from_rgb(150, 220, 150);

/// The colour of the localization curve in the KPI charts.
pub const LOCALIZATION_COLOR: egui::Color32 = egui::Color32::from_rgb(90, 200, 120);
/// The colour of the exports curve in the KPI charts.
pub const EXPORTS_COLOR: egui::Color32 = egui::Color32::from_rgb(240, 170, 60);

/// The left panel's width on opening (room for the KPI cards and the sliders' labels).
const LEFT_PANEL_WIDTH: f32 = 383.0;

/// The widest a side panel may be in a window this wide.
fn side_panel_max(window_width: f32) -> f32 {
    (window_width / 3.0).max(200.0)
}

fn charts(
    root: &mut egui::Ui,
    metrics: &Metrics,
    fc: &[QuarterRecord],
    reference: &[QuarterRecord],
    clock: &SimClock,
    band: &mut super::outlook::ParameterBand,
) {
    let h = &metrics.history;
    let horizon = clock.horizon as f64 / 4.0;
    let panel_max = side_panel_max(root.ctx().viewport_rect().width());
    egui::Panel::right("charts").resizable(true).default_size(380.0).max_size(panel_max).show(root, |ui| {
        ui.heading("KPIs");
        ui.label("solid: running; dashed: forecast of the full horizon; faint dotted: the reference plan");
        ui.checkbox(&mut band.on, "band: where the model's uncertain parameters could put the forecast").on_hover_text(format!(
            "{} draws of every model parameter with a plausible range (Latin hypercube), {} runs each: the shaded band holds 95% of \
             the draws' averages. Computed in the background after each edit.",
            super::outlook::BAND_DRAWS,
            super::outlook::BAND_DRAW_REPLICATIONS
        ));
        let height = ((ui.available_height() - 110.0) / 4.0).max(80.0);
        type Getter = fn(&QuarterRecord) -> f64;
        let charts: [(&str, Vec<(&str, Getter, egui::Color32)>); 4] = [
            (
                "Localization rate (%)",
                vec![
                    ("localization", |r| 100.0 * r.localization_rate, LOCALIZATION_COLOR),
                    ("required", |r| 100.0 * r.local_content_required, egui::Color32::from_rgb(200, 200, 200)),
                ],
            ),
            ("Exports (USD million per year, at each quarter's rate)", vec![("exports", |r| 4.0 * r.exports_usd_m, EXPORTS_COLOR)]),
            (
                "Suppliers by tier",
                vec![
                    ("domestic", |r| r.domestic_suppliers as f64, egui::Color32::from_rgb(170, 170, 170)),
                    ("tier-2", |r| r.tier2_suppliers as f64, egui::Color32::from_rgb(90, 180, 240)),
                    ("tier-1", |r| r.tier1_suppliers as f64, egui::Color32::from_rgb(40, 80, 230)),
                ],
            ),
            (
                "Cumulative fiscal cost (USD million)",
                vec![("fiscal cost", |r| r.cumulative_fiscal_cost_usd_m, egui::Color32::from_rgb(230, 90, 90))],
            ),
        ];
        // The KPI of each chart the parameter band is drawn for, and its scale as charted.
        // (KPI, scale, the line whose colour it takes)
        let banded: [(&str, f64, usize); 4] = [
            ("localization_rate", 100.0, 0),
            ("exports_usd_m", 4.0, 0),
            ("tier1_suppliers", 1.0, 2),
            ("cumulative_fiscal_cost_usd_m", 1.0, 0),
        ];
        for ((title, lines), banded) in charts.into_iter().zip(banded) {
            ui.label(title);
            kpi_plot(title).height(height).include_x(0.0).include_x(horizon).allow_scroll(false).show(ui, |p| {
                let (kpi, scale, line) = banded;
                if band.on
                    && let Some(k) = crate::registry::KPIS.iter().position(|x| x.name == kpi)
                {
                    let b = band.of_kpi(k);
                    if !b.is_empty() {
                        let color = lines.get(line).map_or(egui::Color32::GRAY, |l| l.2);
                        let outline: PlotPoints =
                            b.iter().map(|x| [x[0], scale * x[2]]).chain(b.iter().rev().map(|x| [x[0], scale * x[1]])).collect();
                        p.polygon(egui_plot::Polygon::new("", outline).fill_color(color.gamma_multiply(0.2)).stroke(egui::Stroke::NONE));
                    }
                }
                for (name, get, color) in &lines {
                    if !reference.is_empty() {
                        p.line(Line::new("", series(reference, get)).color(color.gamma_multiply(0.3)).style(LineStyle::dotted_dense()));
                    }
                    if !fc.is_empty() {
                        // Unnamed, so the legend lists each KPI once; the heading explains dashes.
                        p.line(Line::new("", series(fc, get)).color(color.gamma_multiply(0.6)).style(LineStyle::dashed_loose()));
                    }
                    p.line(Line::new(name.to_string(), series(h, get)).color(*color).width(2.0));
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    /// Draws the incentive sliders for a few frames with no pointer on them, as when another
    /// slider is moved, and returns the draft they were drawn on.
    fn draw_incentives(scenario: Scenario) -> (Plan, PanelState) {
        let mut plan = Plan::new(scenario, None);
        let mut state = PanelState {
            path: String::new(),
            draft: plan.scenario.incentives.clone(),
            editing: false,
            confirm_folder: None,
            shown_path: None,
        };
        let ctx = egui::Context::default();
        for _ in 0..3 {
            let _ = ctx.run_ui(egui::RawInput::default(), |ui| incentives_section(ui, &mut plan, &mut state));
        }
        (plan, state)
    }

    #[test]
    fn a_value_outside_a_slider_is_kept_when_the_sliders_are_drawn() {
        // A file written by another tool (or an older version) with a value beyond the slider:
        // egui's default clamping rewrote it to the slider's end on the next frame, so moving
        // any other slider saved 15 years where the file said 20.
        let mut s = default_scenario();
        s.incentives.cit_holiday_years = 45.0;
        s.incentives.training_subsidy_usd_per_trainee = 250_000.0;
        let (plan, state) = draw_incentives(s.clone());
        assert_eq!(state.draft.cit_holiday_years, 45.0);
        assert_eq!(state.draft.training_subsidy_usd_per_trainee, 250_000.0);
        assert_eq!(plan.scenario.incentives, s.incentives, "drawing the sliders must not edit the plan");
    }

    #[test]
    fn every_value_validation_accepts_fits_its_slider() {
        // The sliders span the registry's ranges, which validation enforces: the largest value a
        // file may hold is drawn as it is (before, the holiday slider stopped at 15 of 30 years).
        let mut s = default_scenario();
        for f in registry::FIELDS.iter().filter(|f| f.path.starts_with("incentives.")) {
            let max = if f.path == "incentives.credit_interest_subsidy_pp" { s.model.lending_rate_pct } else { f.max };
            f.set(&mut s, max);
        }
        assert!(s.validate().is_empty(), "{:?}", s.validate());
        let (_, state) = draw_incentives(s.clone());
        assert_eq!(state.draft, s.incentives);
    }

    fn close_app(dirty: bool) -> (App, Entity) {
        let mut app = App::new();
        app.add_message::<WindowCloseRequested>();
        let mut plan = Plan::new(default_scenario(), None);
        plan.dirty = dirty;
        app.insert_resource(plan);
        app.init_resource::<QuitPrompt>();
        app.add_systems(Update, close_requests);
        let window = app.world_mut().spawn_empty().id();
        app.world_mut().write_message(WindowCloseRequested { window });
        app.update();
        (app, window)
    }

    #[test]
    fn save_writes_a_loadable_file_and_a_failed_save_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        // A "folder" that is a file, or a file name that is a folder: refused, still dirty.
        std::fs::write(dir.join("a-file"), "x").unwrap();
        assert!(!save(&mut plan, &dir.join("a-file/plan.ron")));
        assert!(!save(&mut plan, &dir));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left behind");
        assert!(plan.dirty && plan.message.as_ref().unwrap().1);
        assert!(!save(&mut plan, Path::new("")));
        let file = dir.join("plan.ron");
        assert!(save(&mut plan, &file));
        assert!(!plan.dirty);
        assert_eq!(Scenario::load(&file).unwrap(), plan.scenario);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn loading_a_bad_file_changes_nothing_and_a_good_one_can_be_undone() {
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        let (before, undo_len) = (plan.scenario.clone(), plan.undo.len());
        for bad in ["tests/bad/in_water.ron", "tests/bad/syntax_error.ron", "no/such/file.ron"] {
            assert!(!load(&mut plan, Path::new(bad)));
            let (msg, is_error) = plan.message.clone().unwrap();
            assert!(is_error && msg.contains(bad.rsplit('/').next().unwrap()) && msg.contains("unchanged"), "{msg}");
            assert_eq!((&plan.scenario, plan.undo.len(), plan.dirty, &plan.path), (&before, undo_len, true, &None));
        }
        assert!(plan.message.as_ref().unwrap().0.contains("file.ron"));
        assert!(load(&mut plan, Path::new("scenarios/strong_lcr.ron")));
        assert!(!plan.dirty && plan.scenario.name != before.name);
        assert_eq!(plan.path.as_deref(), Some(Path::new("scenarios/strong_lcr.ron")));
        plan.undo();
        assert_eq!(plan.scenario, before, "the plan with its unsaved edit is one undo away");
        // ... under its own name (none yet), not the loaded file's, so Save cannot write it there.
        assert_eq!((plan.path.clone(), plan.dirty, plan.redo.len()), (None, true, 0));
        assert!(plan.message.as_ref().unwrap().0.contains("before loading scenarios/strong_lcr.ron"));
    }

    /// Writes `original` to `file`, opens it in the planner, makes one edit and saves over it:
    /// the plan and the text saved.
    fn open_edit_save(file: &Path, original: &str) -> (Plan, String) {
        std::fs::write(file, original).unwrap();
        let (scenario, text) = Scenario::load_with_text(file).unwrap();
        let mut plan = Plan::from_file(scenario, file.to_path_buf(), text);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        assert!(save(&mut plan, file));
        let saved = std::fs::read_to_string(file).unwrap();
        (plan, saved)
    }

    #[test]
    fn saving_over_a_commented_file_keeps_its_opening_comment_and_a_backup() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-comments-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("team.ron");
        let original = "// Team A: cluster near the port.\n// Second line.\n(\n    name: \"Team A\", // our name\n    years: 5,\n)\n";
        let (mut plan, saved) = open_edit_save(&file, original);
        assert!(saved.starts_with("// Team A: cluster near the port.\n// Second line.\n("), "{saved}");
        assert_eq!(Scenario::load(&file).unwrap(), plan.scenario);
        // The inner comment could not be kept: the previous file is beside it, untouched.
        assert_eq!(std::fs::read_to_string(dir.join("team.ron.bak")).unwrap(), original);
        assert!(plan.message.as_ref().unwrap().0.contains("team.ron.bak"));
        // Saving again (no inner comments left) neither duplicates the header nor backs up again.
        std::fs::remove_file(dir.join("team.ron.bak")).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.08));
        assert!(save(&mut plan, &file));
        let again = std::fs::read_to_string(&file).unwrap();
        assert_eq!(again.matches("// Team A").count(), 1, "{again}");
        assert!(!dir.join("team.ron.bak").exists());
        // A file saved by Notepad as "UTF-8 with BOM" keeps its opening comment too, without the mark.
        let (_, saved) = open_edit_save(&file, "\u{feff}// Team B.\n(name: \"Team B\")\n");
        assert!(saved.starts_with("// Team B.\n("), "{saved:?}");
        assert!(!dir.join("team.ron.bak").exists(), "nothing was lost, so nothing is kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Saving over a file the planner has not seen as it is (another team's file typed into the
    /// File field, or the plan's own file edited in a text editor since it was loaded) keeps what
    /// was there as FILE.bak; saving again over its own last save does not.
    #[test]
    fn saving_over_a_file_the_planner_has_not_seen_keeps_it_as_a_backup() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-unseen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (ours, theirs) = (dir.join("ours.ron"), dir.join("theirs.ron"));
        std::fs::write(&ours, "(name: \"Ours\", years: 5)\n").unwrap();
        let their_text = "(name: \"Theirs\", years: 7)\n";
        std::fs::write(&theirs, their_text).unwrap();
        let (scenario, text) = Scenario::load_with_text(&ours).unwrap();
        let mut plan = Plan::from_file(scenario, ours.clone(), text);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        // Its own file, as loaded: replaced, no backup.
        assert!(save(&mut plan, &ours));
        assert!(!dir.join("ours.ron.bak").exists());
        // Another file: replaced, and kept as theirs.ron.bak.
        assert!(save(&mut plan, &theirs));
        assert_eq!(std::fs::read_to_string(dir.join("theirs.ron.bak")).unwrap(), their_text);
        let (msg, is_error) = plan.message.clone().unwrap();
        assert!(!is_error && msg.contains("theirs.ron.bak") && msg.contains("not the version"), "{msg}");
        assert_eq!(Scenario::load(&theirs).unwrap(), plan.scenario);
        // Its own file, edited elsewhere since the last save: kept too.
        let edited = std::fs::read_to_string(&theirs).unwrap().replace("cit_rate: 0.07", "cit_rate: 0.09");
        std::fs::write(&theirs, &edited).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.08));
        assert!(save(&mut plan, &theirs));
        assert_eq!(std::fs::read_to_string(dir.join("theirs.ron.bak")).unwrap(), edited);
        // Saved again with nothing changed on disk since: no backup.
        std::fs::remove_file(dir.join("theirs.ron.bak")).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.06));
        assert!(save(&mut plan, &theirs));
        assert!(!dir.join("theirs.ron.bak").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn closing_a_saved_plan_closes_the_window() {
        let (mut app, window) = close_app(false);
        assert!(app.world().entity(window).contains::<ClosingWindow>());
        app.update();
        assert!(app.world().get_entity(window).is_err(), "the window is despawned on the next frame");
    }

    #[test]
    fn closing_with_unsaved_edits_asks_first() {
        let (mut app, window) = close_app(true);
        assert!(!app.world().entity(window).contains::<ClosingWindow>());
        assert_eq!(app.world().resource::<QuitPrompt>().window, Some(window));
        app.update();
        assert!(app.world().get_entity(window).is_ok(), "the window stays until the user answers");
    }

    #[test]
    fn a_load_error_quotes_the_file_in_lines_whose_caret_is_under_the_field() {
        let dir = std::env::temp_dir().join(format!("kicsim-load-error-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.ron");
        std::fs::write(&file, "(\n    name: \"bad\",\n    incentives: (cit_rate: 0.9),\n)\n").unwrap();
        let mut plan = Plan::new(default_scenario(), None);
        assert!(!load(&mut plan, &file));
        let (msg, is_err) = plan.message.clone().unwrap();
        assert!(is_err);
        let quoted: Vec<&str> = msg.lines().filter(|l| is_quoted_source(l)).collect();
        assert_eq!(quoted.len(), 2, "the file's line and the caret: {msg}");
        let at = |line: &str, pat: &str| line.find(pat).unwrap_or_else(|| panic!("no {pat} in {line}"));
        assert_eq!(at(quoted[1], "^"), at(quoted[0], "cit_rate"), "under the field: {msg}");
        // The rest reads as text.
        assert!(msg.lines().any(|l| l.starts_with("error: ") && l.contains("incentives.cit_rate") && !is_quoted_source(l)));
        assert!(!is_quoted_source("(the current plan is unchanged)"));
        assert!(!is_quoted_source("saved plan.ron | 3 edits"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn chart_ticks_are_one_two_five() {
        assert_eq!(nice_step(0.9), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(180.0), 200.0);
        assert_eq!(nice_step(230.0), 500.0);
        assert_eq!(nice_step(0.031), 0.05);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn chart_tick_labels_keep_their_decimals() {
        // The charts' y axis formatter (kpi_plot_without_legend).
        let labels: Vec<String> =
            [0.0, 2.5, 7.5, 0.25, 0.05, 10.0, 2000.0, -0.0, -1.5, 0.30000000000000004].map(crate::format::fmt_num).into();
        assert_eq!(labels, ["0", "2.5", "7.5", "0.25", "0.05", "10", "2000", "0", "-1.5", "0.3"]);
    }
}
