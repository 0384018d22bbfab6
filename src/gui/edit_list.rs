//! The edit list: every edit since the plan was opened or loaded, in words ([`super::words`]),
//! each with its OWN effect on the KPIs: the plan after that edit against the plan just before
//! it, over [`EDIT_RUNS`] paired runs (the same seeds seed, seed+1, ... on both sides, as the
//! cards and `kicsim compare` pair them), with the 95% range. The runs are made off the frame
//! (a background [`super::job::Job`]) and only for plans not run yet, so a new edit costs one
//! plan's runs; the list says "computing..." until its figures are in.

use bevy::prelude::*;
use bevy_egui::egui;

use super::plan::{Edit, Plan};
use super::theme::{BETTER, WORSE};
use crate::registry::{Kpi, kpi_of};
use crate::scenario::Scenario;
use crate::stats::{Estimate, estimate};

/// Paired runs behind each edit's effect: 16 x 2 runs of 20 years are about 40 ms of one core
/// (a 20-year run takes about 1.3 ms), and consecutive edits share a plan's runs.
pub const EDIT_RUNS: u64 = 16;

/// The KPIs an edit's effect is given in, at the end of the horizon, by their registry names.
pub const EFFECT_KPIS: [&str; 3] = ["localization_rate", "cumulative_fiscal_cost_usd_m", "final_year_exports_usd_m"];

/// One plan's final KPIs ([`EFFECT_KPIS`]) in each of its runs.
type Finals = Vec<[f64; 3]>;

/// The runs of the plans of the edit list, kept while the list needs them.
#[derive(Resource, Default)]
pub struct EditEffects {
    /// Each plan as the list has it, the seed it was run on, and its finals.
    runs: Vec<(Scenario, u64, Finals)>,
    job: super::job::Job<Vec<(Scenario, u64, Finals)>>,
    /// Edits whose effect went to the window's log already (their place and words).
    logged: Vec<(usize, String)>,
}

impl EditEffects {
    /// Runs on their way (the window keeps drawing until they are in).
    pub fn computing(&self) -> bool {
        self.job.running()
    }

    /// The finals of `s` run on seeds `seed`, `seed`+1, ..., once in.
    fn finals(&self, s: &Scenario, seed: u64) -> Option<&Finals> {
        self.runs.iter().find(|(r, k, _)| *k == seed && r == s).map(|(_, _, f)| f)
    }

    /// An edit's own effect on each of [`EFFECT_KPIS`] (after minus before, paired), once in.
    pub fn effect(&self, e: &Edit) -> Option<[Estimate; 3]> {
        let [(before, seed), (after, _)] = pair(e);
        Some(paired_effect(self.finals(before, seed)?, self.finals(after, seed)?))
    }
}

/// The two plans of an edit and the seed they are run on: both on the seeds of the plan after it.
fn pair(e: &Edit) -> [(&Scenario, u64); 2] {
    [(&e.before, e.after.seed), (&e.after, e.after.seed)]
}

/// The finals of `s`'s runs on seeds `seed`, `seed`+1, ... (the cards' [`super::outlook::paired_runs`]).
fn finals_of(s: &Scenario, seed: u64, n: u64) -> Finals {
    let finals = |h: &[crate::sim::QuarterRecord]| {
        // Every final value of the run once, then the three the list gives.
        let all = crate::run::final_values(h);
        EFFECT_KPIS.map(|k| all.iter().find(|(name, _)| name == k).map_or(f64::NAN, |(_, v)| *v))
    };
    super::outlook::paired_runs(s, seed, n).iter().map(|h| finals(h)).collect()
}

/// After minus before, run by run (the same seed on both sides), for each KPI.
fn paired_effect(before: &Finals, after: &Finals) -> [Estimate; 3] {
    std::array::from_fn(|k| estimate(&after.iter().zip(before).map(|(a, b)| a[k] - b[k]).collect::<Vec<f64>>()))
}

/// Takes in the runs that are done, and launches those of plans of the list not run yet; drops
/// the runs the list no longer needs. A job on its way is let finish first.
fn update_effects(plan: Res<Plan>, mut effects: ResMut<EditEffects>) {
    if let Some(done) = effects.job.take() {
        effects.runs.extend(done);
    }
    if effects.job.running() {
        return;
    }
    // The plans of the list (no copies: this runs every frame).
    let needed: Vec<(&Scenario, u64)> = plan.edits.iter().flat_map(pair).collect();
    effects.runs.retain(|(s, seed, _)| needed.iter().any(|(n, k)| k == seed && *n == s));
    let mut missing: Vec<(&Scenario, u64)> = Vec::new();
    for (s, seed) in needed {
        if effects.finals(s, seed).is_none() && !missing.iter().any(|(m, k)| *k == seed && *m == s) {
            missing.push((s, seed));
        }
    }
    if !missing.is_empty() {
        let missing: Vec<(Scenario, u64)> = missing.into_iter().map(|(s, k)| (s.clone(), k)).collect();
        effects.job.launch(move || {
            missing
                .into_iter()
                .map(|(s, k)| {
                    let f = finals_of(&s, k, EDIT_RUNS);
                    (s, k, f)
                })
                .collect()
        });
        return;
    }
    log_effects(&plan, &mut effects);
}

/// The window's log records each edit's effect once it is in.
fn log_effects(plan: &Plan, effects: &mut EditEffects) {
    effects.logged.retain(|(i, w)| plan.edits.get(*i).is_some_and(|e| &e.words == w));
    for (i, e) in plan.edits.iter().enumerate() {
        if effects.logged.iter().any(|(j, _)| *j == i) {
            continue;
        }
        let Some(effect) = effects.effect(e) else { continue };
        let parts: Vec<String> = EFFECT_KPIS.iter().zip(&effect).map(|(k, d)| in_words(kpi_of(k).expect("a KPI"), d)).collect();
        info!("effect of edit {} ({}), {EDIT_RUNS} paired runs: {}", i + 1, e.words, parts.join(", "));
        effects.logged.push((i, e.words.clone()));
    }
}

/// "localization +1.2 pp [+0.3, +2.1]", "cumulative fiscal cost +45.0 [+40.1, +50.0] USD million".
fn in_words(k: &Kpi, d: &Estimate) -> String {
    let end = |v: f64| k.fmt_diff(v).trim_end_matches(" pp").to_string();
    let unit = if k.is_percent() { String::new() } else { format!(" {}", k.diff_unit()) };
    format!("{} {} [{}, {}]{unit}", k.label.to_lowercase(), k.fmt_diff(d.mean), end(d.ci95_low), end(d.ci95_high))
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<EditEffects>();
    app.add_systems(Update, update_effects);
}

/// Short names of the effect's KPIs, for a narrow panel (the registry's label is in the tooltip).
const SHORT: [&str; 3] = ["local.", "fiscal cost", "exports/yr"];

/// The panel's section: the edits in words, each with its own effect, newest last.
pub fn section(ui: &mut egui::Ui, plan: &Plan, effects: &EditEffects) {
    let since = if plan.loads > 0 { "loaded" } else { "opened" };
    ui.horizontal_wrapped(|ui| {
        ui.heading("edits");
        // The run count shows: the cards' figures are over more runs, so the two can differ a little.
        ui.weak(format!("since the plan was {since}; each its own effect, {EDIT_RUNS} paired runs")).on_hover_text(format!(
            "Each edit in words with its own effect: the plan after it against the plan just before it, mean of {EDIT_RUNS} paired runs (the same seeds on both sides) at the end of the horizon, ± its 95% range. Grey: within chance. Undo takes the last edit back; Save keeps the list; a load starts a new one."
        ));
    });
    if plan.edits.is_empty() {
        ui.weak("no edits yet");
        return;
    }
    egui::ScrollArea::vertical().id_salt("edit-list").max_height(220.0).stick_to_bottom(true).show(ui, |ui| {
        for (i, e) in plan.edits.iter().enumerate() {
            ui.add(egui::Label::new(egui::RichText::new(format!("{}. {}", i + 1, e.words)).small()).wrap());
            ui.horizontal_wrapped(|ui| {
                ui.add_space(12.0);
                match effects.effect(e) {
                    Some(effect) => {
                        for ((k, short), d) in EFFECT_KPIS.iter().zip(SHORT).zip(&effect) {
                            effect_label(ui, kpi_of(k).expect("a KPI"), short, d);
                        }
                    }
                    None => {
                        ui.label(egui::RichText::new("computing...").small().italics());
                    }
                }
            });
        }
    });
}

/// "local. +1.2 pp ±0.9", "fiscal cost +42.2 ±1.6 USD m", green or red when clear, grey within chance; the interval on hover.
fn effect_label(ui: &mut egui::Ui, k: &Kpi, short: &str, d: &Estimate) {
    let half = k.fmt_diff((d.ci95_high - d.ci95_low) / 2.0);
    let half = half.trim_start_matches('+').trim_end_matches(" pp");
    // Money with its unit, as the cards write it (a share's pp is in the difference already).
    let unit = match super::outlook::short_unit(k) {
        "" => String::new(),
        u => format!(" {u}"),
    };
    let text = match super::outlook::card_delta(k, Some(d)) {
        Some((t, _)) if t == "no change" => format!("{short} no change"),
        Some((t, _)) => format!("{short} {t} ±{half}{unit}"),
        None => format!("{short} n/a"),
    };
    let hover = format!("{} (the 95% interval over {EDIT_RUNS} paired runs)", in_words(k, d));
    let text = egui::RichText::new(text).small();
    match (d.excludes_zero(), k.is_better(d.mean)) {
        (true, Some(true)) => ui.colored_label(BETTER, text),
        (true, Some(false)) => ui.colored_label(WORSE, text),
        _ => ui.weak(text),
    }
    .on_hover_text(hover);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{RdCentreSpec, Site, default_scenario};

    /// An edit's own effect, computed at once as [`EditEffects`] does it off the frame.
    fn edit_effect(before: &Scenario, after: &Scenario, n: u64) -> [Estimate; 3] {
        paired_effect(&finals_of(before, after.seed, n), &finals_of(after, after.seed, n))
    }

    /// An edit's effect is paired: both plans on the same seeds (seed, seed+1, ...), the
    /// difference taken run by run. A rename cannot change the model: exactly zero.
    #[test]
    fn an_edit_s_effect_is_the_mean_of_paired_runs() {
        let before = default_scenario();
        let mut after = before.clone();
        after.rd_centres.push(RdCentreSpec { site: Site { x_km: 16.5, y_km: 12.5 }, budget_usd_m_per_year: 20.0, ..Default::default() });
        let n = 4;
        let effect = edit_effect(&before, &after, n);
        let last =
            |s: &Scenario, r: u64| crate::sim::run_to_end(&Scenario { seed: s.seed + r, ..s.clone() }).last().unwrap().localization_rate;
        let by_hand: Vec<f64> = (0..n).map(|r| last(&after, r) - last(&before, r)).collect();
        assert_eq!(effect[0], estimate(&by_hand), "localization after minus before, seed by seed");
        assert_eq!(effect[0].n, n as usize);
        // The same seeds on both sides: renaming the plan changes no run.
        let renamed = Scenario { name: "Team A".into(), description: "ours".into(), ..before.clone() };
        for d in edit_effect(&before, &renamed, n) {
            assert_eq!((d.mean, d.ci95_low, d.ci95_high), (0.0, 0.0, 0.0), "{d:?}");
        }
    }

    /// The list's effects come in from the background, one set of runs per plan, and follow
    /// the list: an undo drops the last edit, and its runs when no other edit needs them.
    #[test]
    fn the_list_s_effects_come_in_and_follow_undo() {
        let mut app = App::new();
        app.insert_resource(Plan::new(default_scenario(), None));
        plugin(&mut app);
        let mut plan = app.world_mut().resource_mut::<Plan>();
        assert!(plan.edit("subsidy", |s| s.incentives.training_subsidy_usd_per_trainee = 1_500.0));
        assert!(plan.edit("rename", |s| s.name = "Team A".into()));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let effects = loop {
            app.update();
            let (plan, effects) = (app.world().resource::<Plan>(), app.world().resource::<EditEffects>());
            let got: Vec<_> = plan.edits.iter().map(|e| effects.effect(e)).collect();
            if got.iter().all(Option::is_some) {
                break got;
            }
            assert!(std::time::Instant::now() < deadline, "the effects never came in");
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let plan = app.world().resource::<Plan>();
        assert_eq!(plan.edits[0].words, "Training subsidy 0 -> 1,500 USD per trainee");
        assert_eq!(effects[0], Some(edit_effect(&plan.edits[0].before, &plan.edits[0].after, EDIT_RUNS)));
        assert_eq!(effects[1].unwrap()[0].mean, 0.0, "a rename has no effect");
        // Three plans, each run once.
        assert_eq!(app.world().resource::<EditEffects>().runs.len(), 3);
        app.world_mut().resource_mut::<Plan>().undo();
        app.update();
        assert_eq!(app.world().resource::<Plan>().edits.len(), 1);
        assert_eq!(app.world().resource::<EditEffects>().runs.len(), 2, "the undone edit's plan is not kept");
    }
}
