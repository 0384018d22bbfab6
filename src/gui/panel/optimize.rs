//! "Find a package" (F6): goal seeking from the window. The target (a KPI at a year, a
//! threshold, a confidence), the objective and the levers with their bounds are set here; the
//! search ([`crate::studies::optimize`], as `kicsim optimize` runs it) runs on a background
//! thread with a progress bar and a Cancel button while the window stays responsive; the result
//! is shown before/after against the current plan and Apply makes it one edit that Undo takes back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use crate::gui::Plan;
use crate::gui::job::Job;
use crate::gui::state::UiSet;
use crate::registry::field_of;
use crate::scenario::Scenario;
use crate::studies::optimize::Lever;
use crate::studies::optimize::problem::{DEFAULT_LEVERS, default_bounds};
use crate::studies::optimize::result::{Spec, confirm};
use crate::studies::optimize::search::{Budget, Cache, search};

/// What a finished search found, against the plan it started from.
pub struct Found {
    pub levers: Vec<Lever>,
    /// (lever, before, after); `after` None when no plan met the target.
    pub values: Vec<(String, f64, Option<f64>)>,
    /// (what, before, after) for the objective and the chance of the target.
    pub lines: Vec<(String, String, String)>,
    pub reached: bool,
    pub candidate: usize,
}

/// The panel's settings and its background search.
#[derive(Resource)]
pub struct FindPackage {
    pub open: bool,
    pub kpi: String,
    pub year: u32,
    pub threshold: f64,
    pub confidence: f64,
    pub objective: String,
    pub minimize: bool,
    /// (path, searched, low, high) per incentive lever.
    pub levers: Vec<(String, bool, f64, f64)>,
    pub evaluations: usize,
    pub replications: u32,
    job: Job<Result<Found, String>>,
    progress: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Option<Result<Found, String>>,
}

impl Default for FindPackage {
    fn default() -> Self {
        // The bounds `kicsim optimize` takes by default (a preferential rate at most the standard
        // one, an interest subsidy at most the lending rate).
        let s = Scenario::default();
        let levers = DEFAULT_LEVERS
            .iter()
            .map(|p| {
                let (lo, hi) = default_bounds(field_of(p).expect("default levers are registry fields"), &s);
                (p.to_string(), true, lo, hi)
            })
            .collect();
        FindPackage {
            open: false,
            kpi: "localization_rate".into(),
            year: 10,
            threshold: 0.35,
            confidence: 0.7,
            objective: "cumulative_fiscal_cost_usd_m".into(),
            minimize: true,
            levers,
            evaluations: 300,
            replications: 8,
            job: Job::default(),
            progress: Arc::new(AtomicUsize::new(0)),
            cancel: Arc::new(AtomicBool::new(false)),
            result: None,
        }
    }
}

impl FindPackage {
    /// A search launched and not in yet (the window keeps drawing until it is).
    pub fn computing(&self) -> bool {
        self.job.running()
    }

    /// The question as `kicsim optimize` would be asked it, on `plan`.
    fn spec(&self, plan: &Scenario) -> Spec {
        let on: Vec<&(String, bool, f64, f64)> = self.levers.iter().filter(|l| l.1).collect();
        let objective = format!("{}@{}", self.objective, self.year.min(plan.years));
        Spec {
            file: "the plan in the window".into(),
            scenario_ron: plan.to_ron(),
            minimize: if self.minimize { vec![objective.clone()] } else { Vec::new() },
            maximize: if self.minimize { Vec::new() } else { vec![objective] },
            require: vec![format!("{}@{} >= {}", self.kpi, self.year, self.threshold)],
            confidence: self.confidence,
            levers: Some(on.iter().map(|l| l.0.clone()).collect::<Vec<_>>().join(",")),
            bounds: on.iter().map(|l| format!("{}={}..{}", l.0, l.2, l.3)).collect(),
            moves: Vec::new(),
            replications: self.replications,
            confirm_replications: 4 * self.replications,
            confirm_top: 3,
            parameter_draws: 0,
            posterior: None,
            draw_replications: 1,
            params: None,
            seed: plan.seed,
            overrides: Vec::new(),
        }
    }
}

/// The search on a background thread: CMA-ES, then the best candidates confirmed.
fn search_package(spec: Spec, evaluations: usize, progress: Arc<AtomicUsize>, cancel: Arc<AtomicBool>) -> Result<Found, String> {
    let p = spec.problem(None)?;
    let budget = Budget { evaluations, time: None, replications: spec.replications, seed: spec.seed, stream: 0 };
    let (candidates, _) = search(&p, &budget, Cache::new(), &cancel, |all, _| progress.store(all.len(), Ordering::Relaxed));
    let outcome = confirm(&p, &candidates, spec.confirm_replications, spec.confirm_top);
    // The winner, or when none meets the target the closest plan (shown, not offered).
    let closest = outcome.confirmed.iter().min_by(|a, b| a.fitness.total_cmp(&b.fitness));
    let winner = outcome.winner.map(|i| &outcome.confirmed[i]).or(closest);
    let o = &p.objectives[0];
    let chance = |e: &crate::studies::optimize::Evaluation| format!("{:.0}% of {} runs", 100.0 * e.joint_chance(&p), e.n);
    let mut lines =
        vec![(o.name(), o.kpi.fmt(outcome.input.eval.objectives[0]), winner.map_or("n/a".into(), |w| o.kpi.fmt(w.eval.objectives[0])))];
    lines.push((
        format!("chance {}", p.requirements[0].text()),
        chance(&outcome.input.eval),
        winner.map_or("n/a".into(), |w| chance(&w.eval)),
    ));
    let values = p.levers.iter().enumerate().map(|(i, l)| (l.path.clone(), outcome.input.values[i], winner.map(|w| w.values[i]))).collect();
    Ok(Found { levers: p.levers.clone(), values, lines, reached: outcome.winner.is_some(), candidate: winner.map_or(0, |w| w.candidate) })
}

/// F6 opens and closes the panel.
fn toggle(keys: Res<ButtonInput<KeyCode>>, mut find: ResMut<FindPackage>) {
    if keys.just_pressed(KeyCode::F6) {
        find.open = !find.open;
    }
}

/// The target, objective and levers.
fn settings_ui(ui: &mut egui::Ui, f: &mut FindPackage, years: u32) {
    let names = crate::studies::draws::final_names();
    egui::Grid::new("find-target").num_columns(2).show(ui, |ui| {
        ui.label("Target KPI");
        egui::ComboBox::from_id_salt("find-kpi").selected_text(f.kpi.clone()).show_ui(ui, |ui| {
            for n in &names {
                ui.selectable_value(&mut f.kpi, n.to_string(), *n);
            }
        });
        ui.end_row();
        ui.label("at year, at least");
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut f.year).range(1..=years.max(1)));
            ui.add(egui::DragValue::new(&mut f.threshold).speed(0.01));
        });
        ui.end_row();
        ui.label("in a share of runs");
        ui.add(egui::Slider::new(&mut f.confidence, 0.05..=1.0));
        ui.end_row();
        ui.label("Objective");
        ui.horizontal(|ui| {
            ui.selectable_value(&mut f.minimize, true, "minimise");
            ui.selectable_value(&mut f.minimize, false, "maximise");
            egui::ComboBox::from_id_salt("find-objective").selected_text(f.objective.clone()).show_ui(ui, |ui| {
                for n in &names {
                    ui.selectable_value(&mut f.objective, n.to_string(), *n);
                }
            });
        });
        ui.end_row();
        ui.label("Candidates, runs each");
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut f.evaluations).range(10..=5000));
            ui.add(egui::DragValue::new(&mut f.replications).range(2..=64));
        });
        ui.end_row();
    });
    ui.label("Levers and their bounds:");
    for (path, on, lo, hi) in &mut f.levers {
        let Some(field) = field_of(path) else { continue };
        ui.horizontal(|ui| {
            ui.checkbox(on, field.label).on_hover_text(format!("{path}: {}", field.help));
            ui.add(egui::DragValue::new(lo).range(field.min..=*hi));
            ui.label("to");
            ui.add(egui::DragValue::new(hi).range(*lo..=field.max));
        });
    }
}

/// The result before/after, with Apply.
fn result_ui(ui: &mut egui::Ui, found: &Found, plan: &mut Plan) -> bool {
    if !found.reached {
        ui.colored_label(egui::Color32::from_rgb(180, 40, 40), "No package within the bounds meets the target with this confidence.");
    }
    egui::Grid::new("find-result").striped(true).num_columns(3).show(ui, |ui| {
        ui.strong("");
        ui.strong("current plan");
        ui.strong(if found.reached { "package found" } else { "closest plan" });
        ui.end_row();
        for (what, before, after) in &found.lines {
            ui.label(what);
            ui.label(before);
            ui.label(after);
            ui.end_row();
        }
        for (path, before, after) in &found.values {
            ui.label(field_of(path).map_or(path.as_str(), |f| f.label));
            ui.label(crate::format::fmt_num(*before));
            ui.label(after.map_or("n/a".into(), crate::format::fmt_num));
            ui.end_row();
        }
    });
    let mut applied = false;
    if found.reached && ui.button("Apply the package (one edit; Undo takes it back)").clicked() {
        let what = format!("applied the package found (candidate {})", found.candidate);
        applied = plan.edit_titled(&what, |s| {
            for (l, (_, _, after)) in found.levers.iter().zip(&found.values) {
                if let Some(v) = after {
                    l.set(s, *v);
                }
            }
        });
    }
    applied
}

/// The panel: settings, Find / Cancel with progress, the result.
fn find_package_window(mut contexts: EguiContexts, mut plan: ResMut<Plan>, mut find: ResMut<FindPackage>) -> Result {
    if let Some(done) = find.job.take() {
        find.result = Some(done);
    }
    if !find.open {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let mut open = find.open;
    let f = &mut *find;
    egui::Window::new("Find a package").id(egui::Id::new("find-package")).open(&mut open).default_width(420.0).show(&ctx, |ui| {
        settings_ui(ui, f, plan.scenario.years);
        ui.separator();
        if f.job.running() {
            let done = f.progress.load(Ordering::Relaxed) as f32 / f.evaluations.max(1) as f32;
            ui.add(egui::ProgressBar::new(done.min(1.0)).text("searching (then confirming the best)"));
            if ui.button("Cancel").clicked() {
                f.cancel.store(true, Ordering::Relaxed);
            }
            ctx.request_repaint();
        } else if ui.button("Find a package").clicked() {
            let spec = f.spec(&plan.scenario);
            f.progress = Arc::new(AtomicUsize::new(0));
            f.cancel = Arc::new(AtomicBool::new(false));
            let (progress, cancel, evaluations) = (f.progress.clone(), f.cancel.clone(), f.evaluations);
            f.result = None;
            f.job.launch(move || search_package(spec, evaluations, progress, cancel));
            info!("find a package: search started");
        }
        let applied = match &f.result {
            Some(Ok(found)) => result_ui(ui, found, &mut plan),
            Some(Err(e)) => {
                ui.colored_label(egui::Color32::from_rgb(180, 40, 40), e);
                false
            }
            None => false,
        };
        if applied {
            f.result = None;
        }
    });
    find.open = open;
    Ok(())
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<FindPackage>();
    app.add_systems(Update, toggle);
    app.add_systems(EguiPrimaryContextPass, find_package_window.in_set(UiSet::Windows));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panels_question_is_one_kicsim_optimize_accepts_and_apply_sets_the_levers() {
        let mut plan = crate::scenario::default_scenario();
        plan.incentives.export_promotion_usd_m_per_year = 5.0;
        let mut f = FindPackage { evaluations: 20, replications: 2, year: plan.years, threshold: 0.01, ..FindPackage::default() };
        for l in &mut f.levers {
            l.1 = l.0 == "incentives.export_promotion_usd_m_per_year";
            l.3 = l.3.min(50.0);
        }
        let found = search_package(f.spec(&plan), 20, Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false))).unwrap();
        assert!(found.reached);
        assert_eq!(
            found.values,
            [("incentives.export_promotion_usd_m_per_year".to_string(), 5.0, Some(0.0))],
            "a lever that only costs goes to zero"
        );
        // Apply as the button does: one edit, and Undo takes it back.
        let mut p = Plan::new(plan.clone(), None);
        let edited = p.edit("applied the package", |s| {
            for (l, (_, _, after)) in found.levers.iter().zip(&found.values) {
                l.set(s, after.unwrap());
            }
        });
        assert!(edited && p.scenario.incentives.export_promotion_usd_m_per_year == 0.0);
        assert_eq!(p.undo.len(), 1, "one edit");
        p.undo();
        assert_eq!(p.scenario, plan, "Undo takes the package back");
    }
}
