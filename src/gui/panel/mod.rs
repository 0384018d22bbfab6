//! The egui side panels, one file per section: [`file`] (save/load/undo, the status line, the
//! quit prompt), [`controls`] (time, tools, overlays), [`incentives`] (the sliders),
//! [`inspector`] (a clicked facility) and [`charts`] (the KPI charts with the forecast beside the
//! running simulation), and the floating [`optimize`] window ("Find a package", F6). This file
//! lays them out in the two panels.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use crate::gui::state::OverlayState;
use crate::gui::state::{MapArea, MapCovered, PanelState, Selection, UiSet};
use crate::gui::{Forecast, Plan, Speed};
use crate::sim::clock::SimClock;
use crate::sim::facilities::PlanRef;
use crate::sim::sourcing::AnchorState;
use crate::sim::{Facility, Metrics, SimControl, Supplier};

mod charts;
mod controls;
mod file;
mod incentives;
mod inspector;
pub mod optimize;

use charts::charts;
use controls::{overlay_section, time_section, tools_section};
pub(super) use file::QuitPrompt;
use file::{close_requests, file_section, quit_prompt};
use incentives::incentives_section;
use inspector::inspector;

pub(super) fn plugin(app: &mut App) {
    let path =
        app.world().resource::<Plan>().path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "scenarios/my_plan.ron".into());
    let draft = app.world().resource::<Plan>().scenario.incentives.clone();
    let shown_path = app.world().resource::<Plan>().path.clone();
    app.insert_resource(PanelState::new(path, draft, shown_path));
    app.init_resource::<QuitPrompt>();
    optimize::plugin(app);
    app.add_systems(Update, close_requests);
    app.add_systems(EguiPrimaryContextPass, (panels, quit_prompt).chain().in_set(UiSet::Panels));
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
    mut map_area: ResMut<MapArea>,
    covered: Res<MapCovered>,
    // Grouped: a system takes at most 16 parameters.
    (mut reference, preview, map, mut band, figures, effects): (
        ResMut<super::outlook::Reference>,
        Res<super::outlook::Preview>,
        Res<crate::sim::map::SiteMap>,
        ResMut<super::outlook::ParameterBand>,
        Res<super::outlook::Figures>,
        Res<super::edit_list::EditEffects>,
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
            ui.horizontal(|ui| {
                ui.heading("KIC Planner");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if let Some(why) = super::compare::quick_add(ui, &mut compare, plan.path.as_deref()) {
                        plan.refuse(why);
                    }
                });
            });
            ui.label(egui::RichText::new(&plan.scenario.name).strong());
            file_section(ui, &mut plan, &mut state);
            ui.separator();
            let shown = super::outlook::shown(&preview, &forecast);
            super::outlook::cards_ui(ui, &plan, &mut reference, &figures, shown, preview.history.is_some());
            ui.separator();
            time_section(ui, &mut plan, &mut control, &mut speed, &clock, &forecast);
            ui.separator();
            tools_section(ui, &mut sel);
            ui.separator();
            super::edit_list::section(ui, &plan, &effects);
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
    if sel.selected.is_some() && !covered.0 {
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

/// The left panel's width on opening (room for the KPI cards and the sliders' labels).
const LEFT_PANEL_WIDTH: f32 = 383.0;

/// The widest a side panel may be in a window this wide.
fn side_panel_max(window_width: f32) -> f32 {
    (window_width / 3.0).max(200.0)
}
