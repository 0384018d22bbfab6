//! What an edit did: KPI cards of the plan's forecast with the difference to a reference plan
//! (the plan as loaded or last saved, or one the planner pins), the reference's forecast kept
//! faintly on the charts, and a live forecast while a facility is dragged or a slider moved (a
//! 20-year run costs a few milliseconds, so it runs in the frame).

use bevy::prelude::*;
use bevy_egui::egui;

use super::state::{PanelState, Selection, WindowSet};
use super::theme::{BETTER, WORSE};
use super::{Forecast, Plan};
use crate::registry::{Kpi, kpi_of};
use crate::scenario::Scenario;
use crate::sim::{self, QuarterRecord};

/// The plan the cards compare with, and its forecast.
#[derive(Resource, Default)]
pub struct Reference {
    /// "as loaded", "as saved", "pinned": what the reference is.
    pub label: String,
    pub scenario: Option<Scenario>,
    pub history: Vec<QuarterRecord>,
    /// The file text the reference was taken at (a new load or save moves the reference).
    on_disk: Option<String>,
    /// Files loaded when it was taken ([`Plan::loads`]).
    loads: u32,
}

impl Reference {
    pub fn set(&mut self, label: &str, scenario: &Scenario) {
        self.label = label.to_string();
        self.history = sim::run_to_end(scenario);
        self.scenario = Some(scenario.clone());
    }
}

/// Whether each card's difference is more than chance: the plan and the reference run over
/// [`CHANCE_RUNS`] seeds in pairs (the same seeds for both), off the frame after each edit. A
/// single forecast differs from its reference after any edit (an idle supplier shifts every later
/// random draw), so the cards grey out the differences these paired runs cannot tell from zero.
#[derive(Resource, Default)]
pub struct Chance {
    /// The plan and the reference the check is of.
    of: Option<(Scenario, Scenario)>,
    job: super::job::Job<Vec<Option<crate::stats::Estimate>>>,
    /// Per card: the paired difference over the seeds (None: not computed yet, or no value).
    per_card: Vec<Option<crate::stats::Estimate>>,
}

/// Paired runs behind [`Chance`]: 2 x 8 runs, a few milliseconds.
pub const CHANCE_RUNS: u64 = 8;

impl Chance {
    /// Paired runs launched and not in yet (the window keeps drawing until they are).
    pub fn computing(&self) -> bool {
        self.job.running()
    }
}

/// The paired difference of each card's value, plan minus reference, over `CHANCE_RUNS` seeds.
fn paired_differences(plan: &Scenario, reference: &Scenario) -> Vec<Option<crate::stats::Estimate>> {
    let runs = |s: &Scenario| -> Vec<Vec<QuarterRecord>> {
        (0..CHANCE_RUNS).map(|r| sim::run_to_end(&Scenario { seed: plan.seed.wrapping_add(r), ..s.clone() })).collect()
    };
    let (now, before) = (runs(plan), runs(reference));
    cards()
        .iter()
        .map(|c| {
            let d: Option<Vec<f64>> = now.iter().zip(&before).map(|(a, b)| Some((c.value)(a)? - (c.value)(b)?)).collect();
            d.map(|d| crate::stats::estimate(&d))
        })
        .collect()
}

fn check_chance(plan: Res<Plan>, reference: Res<Reference>, preview: Res<Preview>, mut chance: ResMut<Chance>) {
    if let Some(done) = chance.job.take() {
        chance.per_card = done;
    }
    let Some(reference) = reference.scenario.as_ref() else { return };
    if preview.history.is_some() {
        return; // a drag in progress: checked when it is released
    }
    if chance.of.as_ref().is_some_and(|(a, b)| *a == plan.scenario && b == reference) {
        return;
    }
    chance.per_card.clear();
    let (a, b) = (plan.scenario.clone(), reference.clone());
    chance.of = Some((a.clone(), b.clone()));
    chance.job.launch(move || paired_differences(&a, &b));
}

/// The label of a reference the planner pinned.
const PINNED: &str = "the pinned plan";

/// The forecast of an edit in progress (a drag, a slider held), shown instead of the plan's.
#[derive(Resource, Default)]
pub struct Preview {
    pub scenario: Option<Scenario>,
    pub history: Option<Vec<QuarterRecord>>,
}

/// The plan's forecast with a band from the model's parameter uncertainty (draws of every
/// uncertain parameter from its plausible range), computed off the frame when switched on.
#[derive(Resource, Default)]
pub struct ParameterBand {
    pub on: bool,
    /// The plan the band is of, and the band once computed.
    of: Option<Scenario>,
    job: super::job::Job<Vec<crate::studies::forecast::QuarterBand>>,
    pub band: Vec<crate::studies::forecast::QuarterBand>,
}

/// Parameter draws (and seeds per draw) behind the window's band: about 0.2 s of runs.
pub const BAND_DRAWS: usize = 24;
pub const BAND_DRAW_REPLICATIONS: u32 = 2;

impl ParameterBand {
    /// The band is on and being computed for the current plan.
    pub fn computing(&self) -> bool {
        self.on && self.job.running()
    }

    /// Per quarter (year, low, high) of a KPI (by its place in the registry); empty while computing.
    pub fn of_kpi(&self, k: usize) -> Vec<[f64; 3]> {
        self.band.iter().map(|b| [b.year, b.lo[k], b.hi[k]]).collect()
    }
}

fn parameter_band(plan: Res<Plan>, mut band: ResMut<ParameterBand>) {
    if !band.on {
        return;
    }
    if band.of.as_ref() != Some(&plan.scenario) {
        band.of = Some(plan.scenario.clone());
        band.band.clear();
        let scenario = plan.scenario.clone();
        band.job.launch(move || crate::studies::forecast::forecast_band(&scenario, BAND_DRAWS, BAND_DRAW_REPLICATIONS));
    }
    if let Some(b) = band.job.take() {
        band.band = b;
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Reference>();
    app.init_resource::<Preview>();
    app.init_resource::<ParameterBand>();
    app.init_resource::<Chance>();
    app.add_systems(Update, parameter_band);
    app.add_systems(Update, check_chance.after(live_preview));
    app.add_systems(Update, (follow_the_file, live_preview).chain().in_set(WindowSet::Preview));
}

/// The reference is the plan as opened, and moves with every load and save.
fn follow_the_file(plan: Res<Plan>, mut reference: ResMut<Reference>) {
    let text = plan.on_disk.as_ref().map(|(_, t)| t.clone());
    if reference.scenario.is_some() && reference.on_disk == text {
        return;
    }
    let label = match (&reference.scenario, &plan.on_disk) {
        (None, Some(_)) => "the plan as loaded",
        (None, None) => "the plan as opened",
        (Some(_), _) if plan.dirty => return, // a load that failed, or an edit: keep the reference
        // Loading another file makes it the reference; saving keeps a reference the planner pinned.
        (Some(_), _) if plan.loads != reference.loads => "the plan as loaded",
        (Some(_), _) if reference.label == PINNED => {
            reference.on_disk = text;
            return;
        }
        (Some(_), _) => "the plan as saved",
    };
    reference.on_disk = text;
    reference.loads = plan.loads;
    reference.set(label, &plan.scenario);
}

/// Runs the forecast of the edit in progress whenever it changes.
fn live_preview(plan: Res<Plan>, sel: Res<Selection>, panel: Res<PanelState>, mut preview: ResMut<Preview>) {
    let candidate = sel.preview(&plan.scenario).or_else(|| panel.draft_preview(&plan.scenario));
    if candidate != preview.scenario {
        preview.history = candidate.as_ref().map(sim::run_to_end);
        preview.scenario = candidate;
    }
}

/// The forecast the window shows: the edit in progress, else the plan's.
pub fn shown<'a>(preview: &'a Preview, forecast: &'a Forecast) -> &'a [QuarterRecord] {
    preview.history.as_deref().unwrap_or(&forecast.history)
}

/// One card: a KPI of the forecast's end, which way is better, and how it is computed.
struct Card {
    kpi: &'static Kpi,
    /// More is better (localization, exports, tier-1 firms); less is better (costs).
    more_is_better: bool,
    value: fn(&[QuarterRecord]) -> Option<f64>,
}

fn last(h: &[QuarterRecord], f: fn(&QuarterRecord) -> f64) -> Option<f64> {
    h.last().map(f)
}

/// Exports over the last four quarters (USD m per year).
fn exports_per_year(h: &[QuarterRecord]) -> Option<f64> {
    (!h.is_empty()).then(|| h.iter().rev().take(4).map(|r| r.exports_usd_m).sum())
}

/// Fiscal cost over the horizon per point of localization reached.
fn cost_per_point(h: &[QuarterRecord]) -> Option<f64> {
    let r = h.last()?;
    (r.localization_rate > 0.001).then(|| r.cumulative_fiscal_cost_usd_m / (100.0 * r.localization_rate))
}

/// The unit of the cost-per-point card (not a column of the outputs, so not in the registry).
static COST_PER_POINT: Kpi = Kpi {
    name: "fiscal_cost_per_localization_point",
    label: "Fiscal cost per localization point",
    unit: "USD million per pp",
    min: f64::NEG_INFINITY,
    max: f64::INFINITY,
    format: crate::registry::Format::UsdM,
    quarterly_flow: false,
    help: "Cumulative fiscal cost divided by the localization reached, in percentage points.",
};

fn cards() -> [Card; 6] {
    let k = |name| kpi_of(name).expect("a KPI of the registry");
    [
        Card { kpi: k("localization_rate"), more_is_better: true, value: |h| last(h, |r| r.localization_rate) },
        Card { kpi: k("domestic_sourcing_share"), more_is_better: true, value: |h| last(h, |r| r.domestic_sourcing_share) },
        Card { kpi: k("final_year_exports_usd_m"), more_is_better: true, value: exports_per_year },
        Card { kpi: k("cumulative_fiscal_cost_usd_m"), more_is_better: false, value: |h| last(h, |r| r.cumulative_fiscal_cost_usd_m) },
        Card { kpi: &COST_PER_POINT, more_is_better: false, value: cost_per_point },
        Card { kpi: k("tier1_suppliers"), more_is_better: true, value: |h| last(h, |r| r.tier1_suppliers as f64) },
    ]
}

/// The text of one card's difference to the reference, and whether it is better (None: no change).
pub fn card_delta(kpi: &Kpi, more_is_better: bool, now: Option<f64>, reference: Option<f64>) -> Option<(String, Option<bool>)> {
    let (now, reference) = (now?, reference?);
    let d = now - reference;
    let tiny = 1e-9 * reference.abs().max(1.0);
    if d.abs() <= tiny {
        return Some(("no change".into(), None));
    }
    Some((kpi.fmt_diff(d), Some((d > 0.0) == more_is_better)))
}

/// A KPI's unit as short as a card's column allows ("%" is part of the value already).
fn short_unit(k: &Kpi) -> &'static str {
    match k.unit {
        "USD million per year" => "USD m/yr",
        "USD million" => "USD m",
        "USD million per pp" => "USD m/pp",
        "firms" => "firms",
        _ => "",
    }
}

/// The KPI cards, with the reference's name and the buttons to pin the plan as the reference.
pub fn cards_ui(ui: &mut egui::Ui, plan: &Plan, reference: &mut Reference, chance: &Chance, shown: &[QuarterRecord], previewing: bool) {
    let year = shown.last().map_or(0.0, |r| r.year);
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("Forecast at year {year:.0}"));
        if previewing {
            ui.label(egui::RichText::new("(live: release to apply)").italics());
        } else {
            // On the heading's line, so the panel below keeps its place.
            ui.weak("grey: within chance").on_hover_text(format!(
                "A difference is grey when {CHANCE_RUNS} paired runs of the plan and the reference with other seeds cannot tell it from zero"
            ));
        }
    });
    // In a narrow panel (a 1024x768 window) the labels are set small, so the differences keep
    // their column.
    let narrow = ui.available_width() < 345.0;
    egui::Grid::new("cards").num_columns(3).striped(true).spacing([8.0, 2.0]).show(ui, |ui| {
        for (i, c) in cards().iter().enumerate() {
            let now = (c.value)(shown);
            let before = (c.value)(&reference.history);
            let label = if narrow { egui::RichText::new(c.kpi.label).small() } else { egui::RichText::new(c.kpi.label) };
            ui.label(label).on_hover_text(format!("{} ({}). {}", c.kpi.label, c.kpi.display_unit(), c.kpi.help));
            let value = now.map_or("n/a".into(), |v| c.kpi.fmt(v));
            let unit = short_unit(c.kpi);
            let text = match unit {
                "" => value,
                "firms" if value == "1" => "1 firm".into(),
                _ => format!("{value} {unit}"),
            };
            ui.label(egui::RichText::new(text).strong());
            // The paired runs over other seeds, once in (not while a drag is in progress).
            let check = if previewing { None } else { chance.per_card.get(i).copied().flatten() };
            let interval = |e: &crate::stats::Estimate| {
                format!("{} [{}, {}] (95% interval)", c.kpi.fmt_diff(e.mean), c.kpi.fmt_diff(e.ci95_low), c.kpi.fmt_diff(e.ci95_high))
            };
            match (card_delta(c.kpi, c.more_is_better, now, before), check) {
                (Some((text, Some(_))), Some(e)) if !e.excludes_zero() => ui.weak(text).on_hover_text(format!(
                    "Not distinguishable from chance: over {CHANCE_RUNS} runs with other seeds the difference averages {}, which includes zero.",
                    interval(&e)
                )),
                (Some((text, Some(better))), e) => {
                    let r = ui.colored_label(if better { BETTER } else { WORSE }, text);
                    match e {
                        Some(e) => r.on_hover_text(format!(
                            "Over {CHANCE_RUNS} runs with other seeds the difference averages {}: not chance.",
                            interval(&e)
                        )),
                        None => r,
                    }
                }
                (Some((text, None)), _) => ui.weak(text),
                (None, _) => ui.weak(""),
            };
            ui.end_row();
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.weak(format!("differences to {}", reference.label));
        if ui.small_button("pin this plan").on_hover_text("compare further edits with the plan as it is now").clicked() {
            reference.set(PINNED, &plan.scenario);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn a_card_says_how_much_and_whether_it_is_better() {
        let loc = kpi_of("localization_rate").unwrap();
        assert_eq!(card_delta(loc, true, Some(0.35), Some(0.33)), Some(("+2.0 pp".into(), Some(true))));
        let cost = kpi_of("cumulative_fiscal_cost_usd_m").unwrap();
        assert_eq!(card_delta(cost, false, Some(120.0), Some(100.0)), Some(("+20.0".into(), Some(false))));
        assert_eq!(card_delta(cost, false, Some(100.0), Some(100.0)), Some(("no change".into(), None)));
        assert_eq!(card_delta(cost, false, None, Some(100.0)), None);
    }

    /// An edit that cannot matter (a supplier placed far from everything, which never sells to
    /// the anchor) still changes a single forecast, because every later random draw shifts; the
    /// paired runs over other seeds tell that from a real effect (a credit subsidy).
    #[test]
    fn the_cards_tell_chance_from_an_effect() {
        let base = default_scenario();
        let mut idle = base.clone();
        let mut far = idle.suppliers[0].clone();
        far.site = crate::scenario::Site { x_km: 1.6, y_km: 27.0 };
        far.capability = 0.05;
        idle.suppliers.push(far);
        // A training programme next to the suppliers (an R&D centre's budget and a skills centre).
        let mut credit = base.clone();
        credit.rd_centres.push(crate::scenario::RdCentreSpec {
            site: crate::scenario::Site { x_km: 16.5, y_km: 12.5 },
            budget_usd_m_per_year: 30.0,
            ..Default::default()
        });
        let localization = 0;
        let idle_d = paired_differences(&idle, &base)[localization].unwrap();
        let credit_d = paired_differences(&credit, &base)[localization].unwrap();
        assert_eq!(idle_d.n, CHANCE_RUNS as usize);
        assert!(!idle_d.excludes_zero(), "an idle supplier: {idle_d:?}");
        assert!(credit_d.excludes_zero() && credit_d.mean > 0.0, "an R&D centre beside the suppliers raises localization: {credit_d:?}");
    }

    #[test]
    fn the_cards_read_the_end_of_a_forecast() {
        let mut s = default_scenario();
        s.years = 3;
        let h = sim::run_to_end(&s);
        let c = cards();
        assert_eq!((c[0].value)(&h), Some(h.last().unwrap().localization_rate));
        let yearly: f64 = h[h.len() - 4..].iter().map(|r| r.exports_usd_m).sum();
        let card = (c[2].value)(&h).unwrap();
        assert!((card - yearly).abs() < 1e-9 * yearly, "{card} vs {yearly}");
        assert_eq!((c[2].value)(&[]), None);
    }
}
