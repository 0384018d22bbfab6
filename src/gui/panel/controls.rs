//! The panel's controls: time (play, step, speed, reset), the map's tools, the overlays with
//! their legend.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::gui::state::{Overlay, OverlayState};
use crate::gui::state::{Selection, TOOLS};
use crate::gui::theme::{ERROR_TEXT, OK_TEXT, ramp_color};
use crate::gui::{Forecast, Plan, Speed};
use crate::sim::SimControl;
use crate::sim::clock::SimClock;

pub(super) fn time_section(
    ui: &mut egui::Ui,
    plan: &mut Plan,
    control: &mut SimControl,
    speed: &mut Speed,
    clock: &SimClock,
    forecast: &Forecast,
) {
    ui.horizontal(|ui| {
        let label = if control.running {
            "⏸ Pause"
        } else if clock.finished() {
            "▶ Replay"
        } else {
            "▶ Play"
        };
        if ui.button(label).on_hover_text("Space").clicked() {
            crate::gui::toggle_play(plan, control, clock);
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

pub(super) fn tools_section(ui: &mut egui::Ui, sel: &mut Selection) {
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

pub(super) fn overlay_section(ui: &mut egui::Ui, overlay: &mut OverlayState) {
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
