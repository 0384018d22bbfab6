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
use crate::studies::value::without_public_spending;

/// The plan the cards compare with, and its forecast.
#[derive(Resource, Default)]
pub struct Reference {
    /// "the plan as opened", "the plan as loaded", "the pinned plan": what the reference is.
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

/// Every number of the cards: the mean of paired runs of the plan and the reference over the
/// same seeds (common random numbers), with its 95% interval, computed off the frame. One run
/// differs from its reference after any edit (an idle supplier shifts every later random draw),
/// so a single run can even point the wrong way; the paired means cannot be told apart from
/// chance only where their interval includes zero, and those differences are greyed.
#[derive(Resource, Default)]
pub struct Figures {
    /// The plan (or the edit in progress) and the reference the figures are of.
    of: Option<(Scenario, Scenario)>,
    /// The plan and reference of the job on its way, and how many pairs it runs.
    asked: Option<(Scenario, Scenario, u64)>,
    job: super::job::Job<Vec<Figure>>,
    /// Per card, once in.
    pub per_card: Vec<Figure>,
    /// Pairs behind `per_card`.
    pub runs: u64,
}

/// One card's figure: the plan's level over the paired runs and its difference to the reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    pub level: Level,
    /// Plan minus reference, paired (None where there is no value).
    pub diff: Option<crate::stats::Estimate>,
}

/// A card's level: a KPI's mean with its interval, or value for money.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    Kpi(crate::stats::Estimate),
    Value(crate::studies::value::Value),
    None,
}

/// Pairs of runs behind the cards while an edit is in progress (a drag, a slider held), and
/// once it is released. A 20-year run takes about 1.3 ms (`cargo bench`), and the value card
/// also runs the plan and the reference without incentives: 4 x 8 runs are about 40 ms on one
/// core, so a drag updates several times a second; 4 x 32 runs (about 0.2 s) refine the figures.
pub const LIVE_RUNS: u64 = 8;
pub const CARD_RUNS: u64 = 32;

impl Figures {
    /// Runs launched and not in yet (the window keeps drawing until they are).
    pub fn computing(&self) -> bool {
        self.job.running()
    }
}

/// The runs of `s` on seeds seed, seed+1, ... (as `kicsim compare` and `run --replications` use).
pub(super) fn paired_runs(s: &Scenario, seed: u64, n: u64) -> Vec<Vec<QuarterRecord>> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(|r| sim::run_to_end(&Scenario { seed: seed.wrapping_add(r), ..s.clone() })).collect()
}

/// The figures of every card: `n` pairs of runs of the plan and the reference, on the plan's
/// seeds.
pub fn figures(plan: &Scenario, reference: &Scenario, n: u64) -> Vec<Figure> {
    let seed = plan.seed;
    let (now, before) = (paired_runs(plan, seed, n), paired_runs(reference, seed, n));
    let bare = |s: &Scenario, runs: &Vec<Vec<QuarterRecord>>| {
        let reference = without_public_spending(s);
        if reference == *s { runs.clone() } else { paired_runs(&reference, seed, n) }
    };
    let (now0, before0) = (bare(plan, &now), bare(reference, &before));
    let diffs = |a: &[Vec<QuarterRecord>], b: &[Vec<QuarterRecord>], f: fn(&[QuarterRecord]) -> Option<f64>| -> Option<Vec<f64>> {
        a.iter().zip(b).map(|(a, b)| Some(f(a)? - f(b)?)).collect()
    };
    let loc: fn(&[QuarterRecord]) -> Option<f64> = |h| last(h, |r| r.localization_rate);
    let cost: fn(&[QuarterRecord]) -> Option<f64> = |h| last(h, |r| r.cumulative_fiscal_cost_usd_m);
    cards()
        .iter()
        .map(|c| match c.value {
            Some(f) => {
                let levels: Option<Vec<f64>> = now.iter().map(|h| f(h)).collect();
                let level = levels.map_or(Level::None, |xs| Level::Kpi(crate::stats::estimate_kpi(c.kpi.name, &xs)));
                Figure { level, diff: diffs(&now, &before, f).map(|d| crate::stats::estimate(&d)) }
            }
            None => {
                let pair = |a: &[Vec<QuarterRecord>], b: &[Vec<QuarterRecord>]| Some((diffs(a, b, loc)?, diffs(a, b, cost)?));
                let (p, r) = (pair(&now, &now0), pair(&before, &before0));
                let level = p.as_ref().map_or(Level::None, |(l, c)| Level::Value(crate::studies::value::value_for_money(l, c)));
                let diff = p.zip(r).and_then(|(p, r)| crate::studies::value::difference(&p, &r));
                Figure { level, diff }
            }
        })
        .collect()
}

/// Keeps the figures of the plan shown (the edit in progress, else the plan) against the
/// reference: a first pass of [`LIVE_RUNS`] pairs, then [`CARD_RUNS`] once the edit is released.
/// While a job runs a newer edit waits for it, so a drag never piles up threads.
fn update_figures(plan: Res<Plan>, reference: Res<Reference>, preview: Res<Preview>, mut figures: ResMut<Figures>) {
    if let Some(done) = figures.job.take() {
        figures.per_card = done;
        if let Some((p, r, n)) = figures.asked.take() {
            figures.runs = n;
            figures.of = Some((p, r));
        }
    }
    let Some(reference) = reference.scenario.as_ref() else { return };
    if figures.job.running() {
        return;
    }
    let target = preview.scenario.as_ref().unwrap_or(&plan.scenario);
    let dragging = preview.history.is_some();
    let current = figures.of.as_ref().is_some_and(|(a, b)| a == target && b == reference);
    let n = match (current, dragging) {
        (false, _) => LIVE_RUNS,
        (true, false) if figures.runs < CARD_RUNS => CARD_RUNS,
        _ => return,
    };
    let (a, b) = (target.clone(), reference.clone());
    figures.asked = Some((a.clone(), b.clone(), n));
    figures.job.launch(move || self::figures(&a, &b, n));
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
    app.init_resource::<Figures>();
    app.add_systems(Update, parameter_band);
    app.add_systems(Update, update_figures.after(live_preview));
    app.add_systems(Update, (follow_the_file, live_preview).chain().in_set(WindowSet::Preview));
}

/// The reference is the plan as opened, and moves with every load (not with a save: the cards
/// keep giving what the edits since the plan was opened or loaded did, as the edit list does).
fn follow_the_file(plan: Res<Plan>, mut reference: ResMut<Reference>) {
    let text = plan.on_disk.as_ref().map(|(_, t)| t.clone());
    if reference.scenario.is_some() && reference.on_disk == text {
        return;
    }
    let label = match (&reference.scenario, &plan.on_disk) {
        (None, Some(_)) => "the plan as loaded",
        (None, None) => "the plan as opened",
        (Some(_), _) if plan.dirty => return, // a load that failed, or an edit: keep the reference
        // Loading another file makes it the reference; saving keeps the reference (as opened,
        // as loaded, or pinned).
        (Some(_), _) if plan.loads != reference.loads => "the plan as loaded",
        (Some(_), _) => {
            reference.on_disk = text;
            return;
        }
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

/// One card: a KPI of the forecast's end (which way is better is the registry's), or value for
/// money (`value` None).
struct Card {
    kpi: &'static Kpi,
    /// The card's label (the registry's, or a shorter one that fits the panel).
    label: &'static str,
    value: Option<fn(&[QuarterRecord]) -> Option<f64>>,
}

fn last(h: &[QuarterRecord], f: fn(&QuarterRecord) -> f64) -> Option<f64> {
    h.last().map(f)
}

/// Exports over the last four quarters (USD m per year).
fn exports_per_year(h: &[QuarterRecord]) -> Option<f64> {
    (!h.is_empty()).then(|| h.iter().rev().take(4).map(|r| r.exports_usd_m).sum())
}

fn cards() -> [Card; 6] {
    let k = |name| kpi_of(name).expect("a KPI of the registry");
    [
        Card { kpi: k("localization_rate"), label: k("localization_rate").label, value: Some(|h| last(h, |r| r.localization_rate)) },
        Card {
            kpi: k("domestic_sourcing_share"),
            label: k("domestic_sourcing_share").label,
            value: Some(|h| last(h, |r| r.domestic_sourcing_share)),
        },
        Card { kpi: k("final_year_exports_usd_m"), label: k("final_year_exports_usd_m").label, value: Some(exports_per_year) },
        Card {
            kpi: k("cumulative_fiscal_cost_usd_m"),
            label: k("cumulative_fiscal_cost_usd_m").label,
            value: Some(|h| last(h, |r| r.cumulative_fiscal_cost_usd_m)),
        },
        Card { kpi: &crate::registry::VALUE_FOR_MONEY, label: "Cost per extra point", value: None },
        Card { kpi: k("tier1_suppliers"), label: k("tier1_suppliers").label, value: Some(|h| last(h, |r| r.tier1_suppliers as f64)) },
    ]
}

/// The text of one card's difference to the reference, and whether it is better (None: no
/// change, or neither way is better).
pub fn card_delta(kpi: &Kpi, d: Option<&crate::stats::Estimate>) -> Option<(String, Option<bool>)> {
    let d = d?;
    if !d.mean.is_finite() {
        return None;
    }
    if d.mean.abs() <= 1e-9 && d.ci95_low.abs() <= 1e-9 && d.ci95_high.abs() <= 1e-9 {
        return Some(("no change".into(), None));
    }
    Some((kpi.fmt_diff(d.mean), kpi.is_better(d.mean)))
}

/// A KPI's unit as short as a card's column allows ("%" is part of the value already).
pub(super) fn short_unit(k: &Kpi) -> &'static str {
    match k.unit {
        "USD million per year" => "USD m/yr",
        "USD million" => "USD m",
        "USD million per pp" => "USD m/pp",
        "firms" => "firms",
        _ => "",
    }
}

/// A card's value: the mean over the paired runs with its unit, and the interval's text.
fn level_text(k: &Kpi, level: &Level) -> (String, String) {
    let unit = short_unit(k);
    let with_unit = |v: String| match unit {
        "" => v,
        _ => format!("{v} {unit}"),
    };
    // The range as a half-width ("±1.1"), so the cards keep the panel's width; the interval's
    // ends are in the tooltip.
    let half = |e: &crate::stats::Estimate| {
        let h = k.fmt_diff((e.ci95_high - e.ci95_low) / 2.0);
        format!("±{}", h.trim_start_matches('+').trim_end_matches(" pp"))
    };
    match level {
        Level::Kpi(e) if e.n > 1 => (with_unit(k.fmt_mean(e.mean)), half(e)),
        Level::Kpi(e) => (with_unit(k.fmt_mean(e.mean)), String::new()),
        Level::Value(crate::studies::value::Value::PerPoint(e)) if e.n > 1 => (with_unit(format!("{:.1}", e.mean)), half(e)),
        Level::Value(crate::studies::value::Value::PerPoint(e)) => (with_unit(format!("{:.1}", e.mean)), String::new()),
        Level::Value(v) => (v.short(), String::new()),
        Level::None => ("n/a".into(), String::new()),
    }
}

/// The KPI cards, with the reference's name and the buttons to pin the plan as the reference.
/// Every number is a mean of [`Figures`]' paired runs; the charts' line is one run.
pub fn cards_ui(ui: &mut egui::Ui, plan: &Plan, reference: &mut Reference, figures: &Figures, shown: &[QuarterRecord], previewing: bool) {
    let year = shown.last().map_or(0.0, |r| r.year);
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("Forecast at year {year:.0}"));
        if figures.computing() || figures.per_card.is_empty() {
            ui.label(egui::RichText::new("computing...").italics());
        } else {
            ui.weak(format!("mean of {} paired runs", figures.runs)).on_hover_text(format!(
                "Each number is the mean of {} runs of the plan with seeds {}, {}+1, ... and the difference to the reference on the same seeds (paired: the same luck on both sides), with its 95% interval. The charts' line is one of those runs. A difference is grey when its interval includes zero: the runs cannot tell it from chance.",
                figures.runs, plan.scenario.seed, plan.scenario.seed
            ));
        }
        if previewing {
            ui.label(egui::RichText::new("(live: release to apply)").italics());
        }
    });
    // In a narrow panel (a 1024x768 window) the labels are set small, so the differences keep
    // their column.
    let narrow = ui.available_width() < 345.0;
    egui::Grid::new("cards").num_columns(3).striped(true).spacing([8.0, 2.0]).show(ui, |ui| {
        for (i, c) in cards().iter().enumerate() {
            let label = if narrow { egui::RichText::new(c.label).small() } else { egui::RichText::new(c.label) };
            let help = match c.value {
                Some(_) => format!("{} ({}). {}", c.kpi.label, c.kpi.display_unit(), c.kpi.help),
                None => {
                    format!("{} ({}), against the plan {}. {}", c.kpi.label, c.kpi.unit, crate::studies::value::REFERENCE_WORDS, c.kpi.help)
                }
            };
            ui.label(label).on_hover_text(help);
            let figure = figures.per_card.get(i);
            let (value, interval) = figure.map_or(("...".into(), String::new()), |f| level_text(c.kpi, &f.level));
            let ends = match figure.map(|f| f.level) {
                Some(Level::Kpi(e)) => format!("[{}, {}]", c.kpi.fmt_mean(e.ci95_low), c.kpi.fmt_mean(e.ci95_high)),
                Some(Level::Value(v)) => v.words(),
                _ => String::new(),
            };
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(value).strong());
                if !interval.is_empty() {
                    ui.label(egui::RichText::new(interval).small().weak())
                        .on_hover_text(format!("95% interval of the mean over {} paired runs: {ends}", figures.runs));
                }
            });
            let diff = figure.and_then(|f| f.diff);
            let interval = |e: &crate::stats::Estimate| {
                format!("{} [{}, {}] (95% interval)", c.kpi.fmt_diff(e.mean), c.kpi.fmt_diff(e.ci95_low), c.kpi.fmt_diff(e.ci95_high))
            };
            match (card_delta(c.kpi, diff.as_ref()), diff) {
                (Some((text, Some(_))), Some(e)) if !e.excludes_zero() => ui.weak(text).on_hover_text(format!(
                    "Not distinguishable from chance: over {} paired runs the difference is {}, which includes zero.",
                    figures.runs,
                    interval(&e)
                )),
                (Some((text, Some(better))), Some(e)) => ui
                    .colored_label(if better { BETTER } else { WORSE }, text)
                    .on_hover_text(format!("Over {} paired runs the difference is {}: not chance.", figures.runs, interval(&e))),
                (Some((text, _)), _) => ui.weak(text),
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
    use crate::scenario::{RdCentreSpec, Site, default_scenario};
    use crate::stats::estimate;

    #[test]
    fn a_card_says_how_much_and_whether_it_is_better() {
        let loc = kpi_of("localization_rate").unwrap();
        assert_eq!(card_delta(loc, Some(&estimate(&[0.02, 0.021, 0.019]))), Some(("+2.0 pp".into(), Some(true))));
        // More fiscal cost is worse: the registry's direction.
        let cost = kpi_of("cumulative_fiscal_cost_usd_m").unwrap();
        assert_eq!(card_delta(cost, Some(&estimate(&[20.0, 21.0, 19.0]))), Some(("+20.0".into(), Some(false))));
        assert_eq!(card_delta(cost, Some(&estimate(&[0.0, 0.0]))), Some(("no change".into(), None)));
        assert_eq!(card_delta(cost, None), None);
        let vfm = &crate::registry::VALUE_FOR_MONEY;
        assert_eq!(card_delta(vfm, Some(&estimate(&[-5.0, -6.0, -4.0]))).unwrap().1, Some(true), "a cheaper point is better");
    }

    /// The baseline with an R&D centre (USD 20 m a year) at a site.
    fn with_rd_centre(x_km: f64, y_km: f64) -> Scenario {
        let mut s = default_scenario();
        s.rd_centres.push(RdCentreSpec { site: Site { x_km, y_km }, budget_usd_m_per_year: 20.0, ..Default::default() });
        s
    }

    fn localization(s: &Scenario) -> f64 {
        sim::run_to_end(s).last().unwrap().localization_rate
    }

    /// Issue 27's finding 1: a planner moves an R&D centre from (6, 24) km to beside the
    /// suppliers at (17.4, 12) km. `kicsim compare` at 20 replications says the move raises
    /// localization; one run with some seed says it lowers it. The card (the plan after the
    /// move against the pinned plan before it) agrees with compare, on that very seed.
    #[test]
    fn the_card_for_a_move_agrees_with_compare_where_one_run_does_not() {
        let (far, near) = (with_rd_centre(6.0, 24.0), with_rd_centre(17.4, 12.0));
        // compare: 20 replications, seeds seed..seed+19, paired.
        let arms = crate::studies::comparison::run_arms(
            vec![("far".into(), far.clone(), String::new()), ("near".into(), near.clone(), String::new())],
            far.seed,
            20,
        );
        let compare = crate::report::table::paired_difference(&arms[1], &arms[0], "localization_rate");
        assert!(compare.excludes_zero() && compare.mean > 0.0, "compare says the move raises localization: {compare:?}");
        // A seed whose single run says the opposite.
        let seed = (1..60u64)
            .find(|&seed| localization(&Scenario { seed, ..near.clone() }) < localization(&Scenario { seed, ..far.clone() }))
            .expect("some seed's single run says the move lowers localization");
        let (far, near) = (Scenario { seed, ..far }, Scenario { seed, ..near });
        let card = figures(&near, &far, CARD_RUNS)[0].diff.unwrap();
        assert_eq!(card.n, CARD_RUNS as usize);
        assert!(card.mean > 0.0, "the card agrees in sign with compare ({compare:?}) on seed {seed}: {card:?}");
        let Level::Kpi(level) = figures(&near, &far, LIVE_RUNS)[0].level else { panic!("a level") };
        assert!(level.ci95_low < level.mean && level.mean < level.ci95_high, "the card's level has its range: {level:?}");
    }

    /// An edit that cannot matter (a supplier placed far from everything, which never sells to
    /// the anchor) still changes a single forecast, because every later random draw shifts; the
    /// paired runs tell that from a real effect (an R&D centre beside the suppliers).
    #[test]
    fn the_cards_tell_chance_from_an_effect() {
        let base = default_scenario();
        let mut idle = base.clone();
        let mut far = idle.suppliers[0].clone();
        far.site = Site { x_km: 1.6, y_km: 27.0 };
        far.capability = 0.05;
        idle.suppliers.push(far);
        let centre = with_rd_centre(16.5, 12.5);
        let idle_d = figures(&idle, &base, LIVE_RUNS)[0].diff.unwrap();
        let centre_d = figures(&centre, &base, LIVE_RUNS)[0].diff.unwrap();
        assert_eq!(idle_d.n, LIVE_RUNS as usize);
        assert!(!idle_d.excludes_zero(), "an idle supplier: {idle_d:?}");
        assert!(centre_d.excludes_zero() && centre_d.mean > 0.0, "an R&D centre beside the suppliers raises localization: {centre_d:?}");
    }

    /// The value card prices the plan against itself without public spending: the baseline's
    /// incentives and training centre buy some localization at a clear cost, so it has a positive
    /// USD m per point; the plan without public spending has nothing to price.
    #[test]
    fn the_value_card_prices_the_incentives_against_none() {
        let base = default_scenario();
        let Level::Value(v) = figures(&base, &base, LIVE_RUNS)[4].level else { panic!("the value card") };
        let bare = without_public_spending(&base);
        let Level::Value(none) = figures(&bare, &base, LIVE_RUNS)[4].level else { panic!("the value card") };
        assert_eq!(none, crate::studies::value::Value::NoClearGain, "no incentives: nothing to price");
        // Whatever the figure, it is the one measure: extra cost over extra points against no incentives.
        let runs = |s: &Scenario| paired_runs(s, s.seed, LIVE_RUNS);
        let (a, b) = (runs(&base), runs(&bare));
        let d = |f: fn(&QuarterRecord) -> f64| -> Vec<f64> {
            a.iter().zip(&b).map(|(x, y)| f(x.last().unwrap()) - f(y.last().unwrap())).collect()
        };
        let expected = crate::studies::value::value_for_money(&d(|r| r.localization_rate), &d(|r| r.cumulative_fiscal_cost_usd_m));
        assert_eq!(v, expected);
    }

    /// After a Save the cards keep comparing with the plan as opened (they gave "no change"
    /// everywhere before); a load moves the reference, and a pinned plan stays pinned.
    #[test]
    fn a_save_keeps_the_reference_and_a_load_moves_it() {
        let mut app = App::new();
        let (scenario, text) = Scenario::load_with_text(std::path::Path::new("scenarios/baseline.ron")).unwrap();
        let opened = scenario.clone();
        app.insert_resource(Plan::from_file(scenario, "scenarios/baseline.ron".into(), text));
        app.init_resource::<Reference>();
        app.add_systems(Update, follow_the_file);
        app.update();
        let saved_as = |app: &mut App, text: &str| {
            let mut plan = app.world_mut().resource_mut::<Plan>();
            plan.dirty = false;
            plan.on_disk = Some(("team.ron".into(), text.to_string()));
            app.update();
        };
        assert!(app.world_mut().resource_mut::<Plan>().edit("cit", |s| s.incentives.cit_rate = 0.05));
        app.update();
        saved_as(&mut app, "saved once");
        let reference = app.world().resource::<Reference>();
        assert_eq!((reference.label.as_str(), reference.scenario.as_ref()), ("the plan as loaded", Some(&opened)));
        // Pinned, then saved: still the pinned plan.
        let pinned = app.world().resource::<Plan>().scenario.clone();
        app.world_mut().resource_mut::<Reference>().set(PINNED, &pinned);
        assert!(app.world_mut().resource_mut::<Plan>().edit("cit", |s| s.incentives.cit_rate = 0.06));
        saved_as(&mut app, "saved twice");
        assert_eq!(app.world().resource::<Reference>().scenario.as_ref(), Some(&pinned));
        // A load makes the loaded plan the reference.
        let (other, text) = Scenario::load_with_text(std::path::Path::new("scenarios/strong_lcr.ron")).unwrap();
        app.world_mut().resource_mut::<Plan>().replace(other.clone(), "scenarios/strong_lcr.ron".into(), text);
        app.update();
        assert_eq!(app.world().resource::<Reference>().scenario.as_ref(), Some(&other));
    }

    #[test]
    fn the_cards_read_the_end_of_a_forecast() {
        let mut s = default_scenario();
        s.years = 3;
        let h = sim::run_to_end(&s);
        let c = cards();
        assert_eq!((c[0].value.unwrap())(&h), Some(h.last().unwrap().localization_rate));
        let yearly: f64 = h[h.len() - 4..].iter().map(|r| r.exports_usd_m).sum();
        let card = (c[2].value.unwrap())(&h).unwrap();
        assert!((card - yearly).abs() < 1e-9 * yearly, "{card} vs {yearly}");
        assert_eq!((c[2].value.unwrap())(&[]), None);
    }
}
