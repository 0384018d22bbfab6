//! The panel's incentive sliders, in plain words with units, each hovering to the scenario
//! file's name, range and help; they never change a value they are not moved on.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::gui::Plan;
use crate::gui::state::PanelState;
use crate::registry;

/// Commit a slider edit when the drag ends (not every frame of the drag).
pub(super) fn commit(resp: &egui::Response) -> bool {
    resp.drag_stopped() || (resp.changed() && !resp.dragged())
}

/// A slider for one numeric field of the scenario, as the registry describes it: the range the
/// file may hold (the one validation enforces), the planner's label with its unit, and on hover
/// the file's name, range and what the field does. It never changes a value it is not dragged
/// or typed on: a value outside the slider (another tool's file) stays as it is.
pub(super) fn field_slider(ui: &mut egui::Ui, path: &str, v: &mut f64, max: Option<f64>) -> egui::Response {
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
pub(super) fn unit_suffix(unit: &str) -> String {
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

pub(super) fn incentives_section(ui: &mut egui::Ui, plan: &mut Plan, state: &mut PanelState) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
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
}
