//! The panel's incentive sliders, in plain words with units, each hovering to the scenario
//! file's name, range and help; they never change a value they are not moved on.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::gui::Plan;
use crate::gui::state::PanelState;
use crate::gui::words;
use crate::registry;
use crate::scenario::Scenario;

/// Commit a slider edit when the drag ends (not every frame of the drag).
pub(super) fn commit(resp: &egui::Response) -> bool {
    resp.drag_stopped() || (resp.changed() && !resp.dragged())
}

/// A slider for one numeric field of the scenario, as the registry describes it: the range the
/// file may hold (the one validation enforces), up to where more buys nothing when the registry
/// says so ([`registry::UsefulMax`]; a value beyond it is kept and warned about), the planner's
/// label with its unit, shares in % ([`registry::Field::shown`]; the file keeps 0-1), and on
/// hover the file's name, range and what the field does. It never changes a value it is not
/// dragged or typed on: a value outside the slider (another tool's file) stays as it is, to the
/// last bit (the slider reads and writes the value through the % conversion only when moved).
pub(super) fn field_slider(ui: &mut egui::Ui, path: &str, v: &mut f64, s: &Scenario) -> egui::Response {
    let f = registry::field_of(path).unwrap_or_else(|| panic!("{path} is not in the registry"));
    let hi = f.useful_max.map_or(f.max, |u| (u.at)(s).min(f.max)).max(f.min);
    // Wide ranges (money, trainees) on a log scale, so everyday values are not squeezed into the first pixel.
    let wide = f.min >= 0.0 && hi > 1000.0 * f.min.max(1.0);
    let unit = f.shown_unit();
    let label = if unit.is_empty() { f.label.to_string() } else { format!("{} ({unit})", f.label) };
    // What it does first, then where it is in the scenario file and the range the file allows.
    let hover = format!(
        "{}\nIn the scenario file: {} (from {} to {}{}, as 0-1 shares in the file).",
        f.help,
        f.path,
        words::number(f.shown(f.min)),
        words::number(f.shown(hi)),
        unit_suffix(&unit)
    );
    let hover = if f.in_percent() { hover } else { hover.replace(", as 0-1 shares in the file", "") };
    // The label above the slider, wrapped, so long names do not widen the panel.
    ui.add(egui::Label::new(egui::RichText::new(label).small()).wrap()).on_hover_text(&hover);
    let decimals = if f.max >= 1000.0 {
        0
    } else if f.in_percent() {
        1
    } else {
        3
    };
    let suffix = if unit.starts_with('%') { " %" } else { "" };
    let slider = egui::Slider::from_get_set(f.shown(f.min)..=f.shown(hi), |new| {
        if let Some(x) = new {
            *v = f.from_shown(x);
        }
        f.shown(*v)
    })
    .logarithmic(wide)
    .clamping(egui::SliderClamping::Never)
    .max_decimals(decimals)
    .suffix(suffix)
    .integer_if(f.integer);
    let resp = ui.add(slider).on_hover_text(hover);
    if let Some(why) = beyond_useful(f, s, *v) {
        ui.colored_label(crate::gui::theme::WORSE, egui::RichText::new(why).small());
    }
    resp
}

/// The warning beside a slider whose value is beyond where more buys anything
/// ("above 1,500 buys nothing more and still costs").
pub(super) fn beyond_useful(f: &registry::Field, s: &Scenario, v: f64) -> Option<String> {
    let u = f.useful_max?;
    let at = (u.at)(s);
    (v > at && at < f.max).then(|| format!("above {} {}", words::number(f.shown(at)), u.why))
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
    let scenario = &plan.scenario;
    let mut slider = |ui: &mut egui::Ui, v: &mut f64, name: &str| {
        let r = field_slider(ui, &format!("incentives.{name}"), v, scenario);
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
            // The share in %, as the registry shows shares (the file keeps 0-1).
            let f = &registry::LOCAL_CONTENT_SHARE;
            let b = ui.add(
                egui::DragValue::from_get_set(|new| {
                    if let Some(x) = new {
                        *share = f.from_shown(x);
                    }
                    f.shown(*share)
                })
                .range(f.shown(f.min)..=f.shown(f.max))
                .clamp_existing_to_range(false)
                .speed(1.0)
                .max_decimals(1)
                .prefix("share ")
                .suffix(format!(" {}", f.shown_unit())),
            );
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
        plan.edit("changed the incentives", |s| s.incentives = draft);
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
        let mut state = PanelState::new(String::new(), plan.scenario.incentives.clone(), None);
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

    /// Every text the incentive sliders draw (labels, values), one frame.
    fn drawn_texts(scenario: Scenario) -> Vec<String> {
        let mut plan = Plan::new(scenario, None);
        let mut state = PanelState::new(String::new(), plan.scenario.incentives.clone(), None);
        let ctx = egui::Context::default();
        let mut out = Vec::new();
        for _ in 0..2 {
            let full = ctx.run_ui(egui::RawInput::default(), |ui| incentives_section(ui, &mut plan, &mut state));
            fn texts(shape: &egui::Shape, out: &mut Vec<String>) {
                match shape {
                    egui::Shape::Text(t) => out.push(t.galley.text().to_string()),
                    egui::Shape::Vec(v) => v.iter().for_each(|s| texts(s, out)),
                    _ => {}
                }
            }
            out.clear();
            full.shapes.iter().for_each(|c| texts(&c.shape, &mut out));
        }
        out
    }

    /// Shares read in % on the sliders and the roadmap's steps (the CIT rate 10 %, not 0.100;
    /// "share 30 %", not "share 0.30"); the file keeps 0-1, and drawing never rewrites a value,
    /// not even by the last bit through the conversion (0.07 x 100 is 7.000000000000001).
    #[test]
    fn shares_read_in_percent_and_drawing_them_keeps_every_bit() {
        let mut s = default_scenario();
        s.incentives.cit_rate = 0.07;
        s.incentives.land_rent_exemption = 1.0 / 3.0;
        s.incentives.local_content = vec![(2.0, 0.3), (5.0, 0.07), (8.0, 0.123456789)];
        let texts = drawn_texts(s.clone());
        // A value and its prefix and suffix are drawn as pieces, one after the other.
        let screen = texts.join("|");
        assert!(screen.contains("|Preferential corporate income tax rate (%)||7.0| %|"), "the CIT rate's value in %: {screen}");
        assert!(screen.contains("|share |30| %|") && screen.contains("|share |7| %|"), "{screen}");
        assert!(!texts.iter().any(|t| t.contains("0.07") || t.contains("0.3")), "no 0-1 share on screen: {texts:?}");
        let (plan, state) = draw_incentives(s.clone());
        assert_eq!(state.draft, s.incentives, "every bit kept");
        assert_eq!(plan.scenario, s);
    }

    /// The training subsidy's slider stops where more buys nothing (training one worker costs
    /// USD 1,500); a file's larger value is kept, with a warning beside it. Validation still
    /// takes the full range.
    #[test]
    fn the_training_subsidy_stops_where_more_buys_nothing_and_warns_beyond() {
        let f = registry::field_of("incentives.training_subsidy_usd_per_trainee").unwrap();
        let s = default_scenario();
        let useful = f.useful_max.expect("a useful maximum");
        assert_eq!((useful.at)(&s), crate::sim::workforce::TRAINING_COST_USD);
        assert_eq!(beyond_useful(f, &s, 1_500.0), None);
        assert_eq!(beyond_useful(f, &s, 2_000.0).as_deref(), Some("above 1,500 buys nothing more and still costs"));
        let mut over = s.clone();
        over.incentives.training_subsidy_usd_per_trainee = 5_000.0;
        assert!(over.validate().is_empty(), "validation allows the full range");
        let texts = drawn_texts(over.clone());
        assert!(texts.iter().any(|t| t == "above 1,500 buys nothing more and still costs"), "{texts:?}");
        let (_, state) = draw_incentives(over.clone());
        assert_eq!(state.draft, over.incentives);
        // At or under it, no warning.
        assert!(!drawn_texts(s).iter().any(|t| t.contains("buys nothing")));
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
