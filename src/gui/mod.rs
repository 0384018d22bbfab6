//! The interactive planner window: the same [`SimPlugin`] as the CLI, driven k quarters per
//! frame, with a map view, editing tools, an egui side panel and a background forecast.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};
use bevy_egui::EguiPlugin;

use crate::scenario::{Scenario, default_scenario};
use crate::sim::{self, ActiveScenario, SimControl, SimPlugin};

mod compare;
mod display;
mod edit_list;
mod effects;
mod job;
mod map_view;
mod outlook;
mod panel;
mod plan;
mod recovery;
mod save;
mod screenshot;
mod state;
mod theme;
mod tools;
mod widgets;
mod words;

// Colours the window tests look for in screenshots.
pub use plan::{Forecast, Plan, Speed, toggle_play};
use state::{MapCovered, UiSet, WindowSet};
pub use theme::{
    ARM_COLORS, BETTER, EXPORTS_COLOR, LOCALIZATION_COLOR, MINIMAP_LAND, SITE_REFUSED_LABEL_RGB, SITE_REFUSED_RGB, TOWN_LABEL_RGB,
    WATER_RGB, WORSE, facility_rgb,
};

/// World units per km on the map.
pub const PX_PER_KM: f32 = 24.0;

/// Opens the planner on a scenario file (or the built-in default). With `screenshot`, renders,
/// saves the picture and exits.
pub fn run(file: Option<PathBuf>, screenshot: Option<PathBuf>, compare_with: Vec<PathBuf>, presentation: bool) -> Result<(), String> {
    let plan = open_plan(file)?;
    let scenario = plan.scenario.clone();
    if compare_with.len() > state::MAX_ARMS {
        return Err(format!("--compare: at most {} scenarios beside the plan", state::MAX_ARMS));
    }
    // Check every file before opening a window.
    for f in &compare_with {
        Scenario::load(f).map_err(|e| e.to_string())?;
    }
    let shot = screenshot.map(|p| screenshot::prepare(&p).map(|tmp| (p, tmp))).transpose()?;
    display::check_display()?;
    display::explain_missing_gpu();
    let mut app = App::new();
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: format!("KIC Planner — {}", scenario.name),
                    resolution: WindowResolution::new(1280, 800),
                    present_mode: PresentMode::AutoVsync,
                    ..default()
                }),
                // Closing with unsaved edits asks first (panel::close_requests).
                close_when_requested: false,
                ..default()
            })
            .build()
            // Ctrl+C and SIGTERM ask first when edits are unsaved (recovery::on_interrupt).
            .disable::<bevy::app::TerminalCtrlCHandlerPlugin>(),
    );
    app.add_plugins(EguiPlugin::default());
    app.insert_resource(ActiveScenario(scenario.clone()));
    app.add_plugins(SimPlugin);
    // The window's log starts with the plugins: what the plan's status line says on opening goes there too.
    if let Some((msg, _)) = &plan.message {
        info!("{msg}");
    }
    app.insert_resource(plan);
    // The planner opens playing (Space pauses).
    app.insert_resource(SimControl { running: true, steps_per_update: 0, pending_steps: 0 });
    app.init_resource::<Forecast>();
    app.init_resource::<Speed>();
    // Each frame: the map's input, the live preview, the edits applied, the model's step, the
    // drawing; then the egui pass: labels, panels, windows (state::WindowSet, state::UiSet).
    app.configure_sets(Update, (WindowSet::Input, WindowSet::Preview, WindowSet::Edit).chain().before(sim::drive));
    app.configure_sets(Update, WindowSet::Draw.after(sim::drive));
    app.configure_sets(bevy_egui::EguiPrimaryContextPass, (UiSet::Labels, UiSet::Panels, UiSet::Windows).chain());
    app.init_resource::<MapCovered>();
    app.add_systems(Update, (apply_plan_changes, pace).chain().in_set(WindowSet::Edit));
    map_view::plugin(&mut app);
    tools::plugin(&mut app);
    panel::plugin(&mut app);
    compare::plugin(&mut app);
    outlook::plugin(&mut app);
    edit_list::plugin(&mut app);
    app.add_systems(Last, (idle_when_paused, title_follows_plan));
    app.add_systems(Update, fit_the_screen);
    app.add_systems(
        PreUpdate,
        drop_repeated_modifiers.after(bevy_egui::EguiInputSet::WriteEguiEvents).before(bevy_egui::EguiPreUpdateSet::BeginPass),
    );
    {
        let plan_name = app.world().resource::<Plan>().scenario.name.clone();
        let mut view = app.world_mut().resource_mut::<compare::CompareView>();
        view.plan.label = format!("{plan_name} (plan)");
        for f in &compare_with {
            view.add(&f.display().to_string());
        }
        view.presentation = presentation && view.open;
    }
    recovery::plugin(&mut app);
    screenshot::key_plugin(&mut app);
    if let Some((out, tmp)) = shot {
        screenshot::plugin(&mut app, out, tmp);
    }
    let exit = app.run();
    // Quit as asked (saved, or "quit without saving"): the autosave is not needed any more.
    recovery::remove_own();
    match exit {
        AppExit::Success => Ok(()),
        // The reason is in the log above (e.g. the screenshot could not be written).
        AppExit::Error(code) => Err(format!("the planner stopped with an error (code {code}); see the log above")),
    }
}

/// The plan the window opens on: the file, or the built-in baseline. A file that does not exist
/// yet (in a folder that does) is a new plan: the baseline, saved there by Save, as an editor
/// opens a new file; a file that exists must be a valid scenario.
fn open_plan(file: Option<PathBuf>) -> Result<Plan, String> {
    let Some(path) = file else { return Ok(Plan::new(default_scenario(), None)) };
    if path.symlink_metadata().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        if !folder.is_dir() {
            return Err(format!("{}: no such file, and no folder {} to save a new plan in", path.display(), folder.display()));
        }
        let mut plan = Plan::new(default_scenario(), Some(path.clone()));
        let msg =
            format!("new plan: {} does not exist yet; this is the built-in baseline, and Save (Ctrl+S) writes it there", path.display());
        plan.message = Some((msg, false));
        return Ok(plan);
    }
    let (scenario, text) = Scenario::load_with_text(&path).map_err(|e| e.to_string())?;
    Ok(Plan::from_file(scenario, path, text))
}

/// After an edit: restart the running simulation on the new plan and re-run the forecast.
fn apply_plan_changes(world: &mut World) {
    world.resource_mut::<Forecast>().poll();
    let mut plan = world.resource_mut::<Plan>();
    if !plan.changed {
        return;
    }
    plan.changed = false;
    let rewind = std::mem::take(&mut plan.rewind);
    let scenario = plan.scenario.clone();
    let quarter = if rewind { 0 } else { world.resource::<sim::clock::SimClock>().quarter };
    // Ids change when the plan is rebuilt (a new R&D centre shifts every supplier's): the
    // inspector keeps the facility it showed, found again by its place in the plan, or the one
    // just placed or moved; a firm that entered during the run is gone with the run.
    let selected_ref = {
        let selected = world.resource::<state::Selection>().selected;
        let mut q = world.query::<(&sim::Facility, &sim::facilities::PlanRef)>();
        selected.and_then(|id| q.iter(world).find(|(f, _)| f.id == id).map(|(_, r)| *r))
    };
    let placed = world.resource_mut::<state::Selection>().select_after_rebuild.take();
    sim::reset_world(world, &scenario);
    // Back to the quarter the map showed: a 10-year plan's 40 quarters take about a millisecond.
    sim::step_to(world, quarter);
    let want = placed.or(selected_ref);
    let found = {
        let mut q = world.query::<(&sim::Facility, &sim::facilities::PlanRef)>();
        want.and_then(|r| q.iter(world).find(|(_, pr)| **pr == r).map(|(f, _)| f.id))
    };
    world.resource_mut::<state::Selection>().selected = found;
    // The spillover field of the new plan at once (the overlay draws it), not after the next step.
    use bevy::ecs::system::RunSystemOnce as _;
    if let Err(e) = world.run_system_once(sim::spillover::spread) {
        warn!("could not compute the new plan's spillover field: {e}");
    }
    world.resource_mut::<Forecast>().launch(scenario);
    world.resource_mut::<state::Selection>().end_drag();
}

/// Redraw continuously only while something moves (the sim plays, a forecast or a band is on its
/// way, a screenshot is due; the compare view steps with the plan's clock); otherwise wait for
/// input, so a paused window does not keep a core busy redrawing the same picture.
fn idle_when_paused(
    control: Res<SimControl>,
    forecast: Res<Forecast>,
    view: Res<compare::CompareView>,
    band: Res<outlook::ParameterBand>,
    figures: Res<outlook::Figures>,
    (awake, find, effects): (Option<Res<screenshot::KeepAwake>>, Res<panel::optimize::FindPackage>, Res<edit_list::EditEffects>),
    mut settings: ResMut<bevy::winit::WinitSettings>,
) {
    let busy = control.running
        || control.pending_steps > 0
        || forecast.pending()
        || view.computing()
        || band.computing()
        || figures.computing()
        || find.computing()
        || effects.computing()
        || awake.is_some();
    let want = if busy {
        bevy::winit::WinitSettings::game()
    } else {
        // Input wakes it at once; everything that finishes in the background keeps it busy above,
        // so the timeout is only a safety net (each redraw costs about 0.1 core-seconds on
        // software rendering: 0.2 cores at the 0.5 s this used to be).
        let wait = bevy::winit::UpdateMode::reactive_low_power(std::time::Duration::from_secs(5));
        bevy::winit::WinitSettings { focused_mode: wait, unfocused_mode: wait }
    };
    if settings.focused_mode != want.focused_mode || settings.unfocused_mode != want.unfocused_mode {
        debug!("update mode: {}", if busy { "continuous" } else { "waiting for input" });
        *settings = want;
    }
}

/// bevy_egui 0.42 feeds egui a `ModifiersChanged` event on every frame, changed or not; egui
/// repaints on any event, and bevy_egui turns that repaint into a `RequestRedraw`, so a paused
/// window never waits for input and keeps a core busy. Only a real change of the modifier keys
/// is passed on (egui reads the keys' state from the input itself, not from this event).
fn drop_repeated_modifiers(mut inputs: Query<&mut bevy_egui::EguiInput>, mut last: Local<Option<bevy_egui::egui::Modifiers>>) {
    for mut input in &mut inputs {
        input.events.retain(|event| match event {
            bevy_egui::egui::Event::ModifiersChanged(m) => last.replace(*m) != Some(*m),
            _ => true,
        });
    }
}

/// The window opens at 1280x800; on a smaller screen (a 1024x768 projector) it shrinks to fit it
/// once the screen is known, and the panels and the map fit themselves to the window.
fn fit_the_screen(
    monitors: Query<(&bevy::window::Monitor, Has<bevy::window::PrimaryMonitor>)>,
    mut window: Single<&mut Window, With<bevy::window::PrimaryWindow>>,
    mut done: Local<bool>,
) {
    if *done {
        return;
    }
    // The primary monitor, or the first one winit reports.
    let Some((m, _)) = monitors.iter().max_by_key(|(_, primary)| *primary) else { return };
    *done = true;
    let scale = m.scale_factor.max(0.1) as f32;
    let (screen_w, screen_h) = (m.physical_width as f32 / scale, m.physical_height as f32 / scale);
    let (w, h) = (window.resolution.width(), window.resolution.height());
    if screen_w > 0.0 && screen_h > 0.0 && (w > screen_w || h > screen_h) {
        info!("the screen is {screen_w:.0}x{screen_h:.0}: the window shrinks from {w:.0}x{h:.0} to fit it");
        window.resolution.set(w.min(screen_w), h.min(screen_h));
    }
}

/// The window's title names the plan (a loaded file's name, not the one the window opened on).
fn title_follows_plan(plan: Res<Plan>, mut window: Single<&mut Window, With<bevy::window::PrimaryWindow>>) {
    let title = format!("KIC Planner — {}", plan.scenario.name);
    if window.title != title {
        window.title = title;
    }
}

/// Converts the speed setting into quarters for this frame.
fn pace(time: Res<Time>, mut speed: ResMut<Speed>, mut control: ResMut<SimControl>) {
    if !control.running {
        speed.acc = 0.0;
        return;
    }
    speed.acc += time.delta_secs() * speed.quarters_per_second;
    let k = speed.acc.floor();
    speed.acc -= k;
    control.steps_per_update = k as u32;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Site;
    use crate::sim::FacilityKind;
    use crate::sim::facilities::PlanRef;

    #[test]
    fn edits_are_validated_and_undoable() {
        let mut plan = Plan::new(default_scenario(), None);
        let original = plan.scenario.clone();
        // A valid edit applies, marks the plan dirty and can be undone and redone.
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.05));
        assert!(plan.dirty && plan.changed);
        plan.undo();
        assert_eq!(plan.scenario, original);
        plan.redo();
        assert_eq!(plan.scenario.incentives.cit_rate, 0.05);
        // An invalid edit (anchor into the sea) is refused with the reason; nothing changes.
        let before = plan.scenario.clone();
        assert!(!plan.edit("move", |s| s.anchor.site = Site { x_km: 29.5, y_km: 15.0 }));
        assert_eq!(plan.scenario, before);
        let (msg, is_err) = plan.message.clone().unwrap();
        assert!(is_err && msg.contains("water"), "{msg}");
    }

    /// The edit list: each edit in words (the status line and the log say the same), Undo takes
    /// the last one back and Redo puts it back, a load starts a new list and an undo past the
    /// load brings the old one back.
    #[test]
    fn the_edit_list_follows_undo_redo_and_loads() {
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("changed the incentives", |s| s.incentives.training_subsidy_usd_per_trainee = 1_500.0));
        assert_eq!(plan.message.as_ref().unwrap().0, "Training subsidy 0 -> 1,500 USD per trainee");
        let hub = plan.scenario.logistics_hubs[0].site;
        assert!(plan.edit("moved", |s| s.logistics_hubs[0].site = Site { x_km: 22.0, y_km: 20.0 }));
        let words: Vec<&str> = plan.edits.iter().map(|e| e.words.as_str()).collect();
        assert_eq!(words[1], format!("Moved ICD hub ({:.1}, {:.1}) -> (22.0, 20.0) km", hub.x_km, hub.y_km));
        assert_eq!((&plan.edits[1].before, &plan.edits[1].after), (&plan.undo[1], &plan.scenario));
        plan.undo();
        assert_eq!(plan.edits.len(), 1);
        assert!(plan.message.as_ref().unwrap().0.starts_with("undone: Moved ICD hub"));
        plan.redo();
        assert_eq!(plan.edits.len(), 2);
        assert!(plan.message.as_ref().unwrap().0.starts_with("redone: Moved ICD hub"));
        let kept = plan.edits.clone();
        let (other, text) = Scenario::load_with_text(std::path::Path::new("scenarios/strong_lcr.ron")).unwrap();
        plan.replace(other, "scenarios/strong_lcr.ron".into(), text);
        assert!(plan.edits.is_empty(), "a load starts a new list");
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.05));
        plan.undo();
        plan.undo();
        assert_eq!(plan.edits, kept, "back past the load: the list of the plan before it");
        // Any numeric field reads with its registry label and unit.
        assert!(plan.edit("nothing new", |s| s.years += 1));
        assert!(plan.edits.last().unwrap().words.starts_with("Horizon 10 -> 11 years"), "{:?}", plan.edits.last());
    }

    #[test]
    fn the_forecast_shows_the_newest_plan_only() {
        let older = default_scenario();
        let mut newer = default_scenario();
        newer.incentives.local_content = vec![(1.0, 0.5)];
        let mut forecast = Forecast::default();
        // Two edits in quick succession: the first forecast may finish first or last; only the
        // second is shown.
        forecast.launch(older.clone());
        forecast.launch(newer.clone());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while forecast.pending() {
            assert!(std::time::Instant::now() < deadline, "the forecast never arrived");
            std::thread::sleep(std::time::Duration::from_millis(5));
            forecast.poll();
        }
        let expected = sim::run_to_end(&newer);
        assert_eq!(forecast.history.len(), 4 * newer.years as usize);
        assert_eq!(forecast.history, expected);
        assert_ne!(forecast.history, sim::run_to_end(&older), "the two plans' forecasts differ");
    }

    #[test]
    fn the_planner_opens_a_file_a_new_file_or_the_baseline() {
        let plan = open_plan(None).unwrap();
        assert_eq!((plan.scenario.clone(), plan.path.clone(), plan.dirty), (default_scenario(), None, false));
        let opened = open_plan(Some("scenarios/strong_lcr.ron".into())).unwrap();
        assert_eq!(opened.scenario, Scenario::load(std::path::Path::new("scenarios/strong_lcr.ron")).unwrap());
        assert!(opened.on_disk.is_some() && opened.message.is_none());
        // A file not there yet: the baseline, to be saved under that name; nothing is written yet.
        let dir = std::env::temp_dir().join(format!("kicsim-new-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = dir.join("mine.ron");
        let plan = open_plan(Some(new.clone())).unwrap();
        assert_eq!((plan.scenario.clone(), plan.path.clone(), plan.dirty), (default_scenario(), Some(new.clone()), false));
        let (msg, is_error) = plan.message.clone().unwrap();
        assert!(!is_error && msg.contains("new plan") && msg.contains("mine.ron"), "{msg}");
        assert!(!new.exists());
        // In a folder that is not there, or a file that is not a scenario: an error, no window.
        let err = open_plan(Some(dir.join("no-such-folder/mine.ron"))).err().unwrap();
        assert!(err.contains("no folder") && err.contains("no-such-folder"), "{err}");
        let err = open_plan(Some("tests/bad/in_water.ron".into())).err().unwrap();
        assert!(err.starts_with("error: tests/bad/in_water.ron:4:9"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// bevy_egui writes a `ModifiersChanged` event every frame; any event makes egui ask for a
    /// redraw, so a paused window never waited for input (1.75 cores under Xvfb, 0.02 with this).
    /// Only changes reach egui.
    #[test]
    fn egui_sees_the_modifier_keys_only_when_they_change() {
        use bevy_egui::egui::{Event, Modifiers};
        let mut app = App::new();
        app.add_systems(Update, drop_repeated_modifiers);
        let ctx = app.world_mut().spawn(bevy_egui::EguiInput::default()).id();
        let mut frame = |events: Vec<Event>| {
            app.world_mut().get_mut::<bevy_egui::EguiInput>(ctx).unwrap().events = events;
            app.update();
            app.world().get::<bevy_egui::EguiInput>(ctx).unwrap().events.clone()
        };
        let none = Event::ModifiersChanged(Modifiers::NONE);
        let ctrl = Event::ModifiersChanged(Modifiers::CTRL);
        let key = Event::Text("a".into());
        assert_eq!(frame(vec![none.clone()]), vec![none.clone()], "the first state is news");
        assert_eq!(frame(vec![none.clone()]), vec![], "the same keys again: nothing for egui, no redraw");
        assert_eq!(frame(vec![key.clone(), none.clone()]), vec![key.clone()], "other events pass");
        assert_eq!(frame(vec![ctrl.clone()]), vec![ctrl.clone()], "Ctrl pressed");
        assert_eq!(frame(vec![ctrl.clone()]), vec![]);
        assert_eq!(frame(vec![none.clone()]), vec![none], "Ctrl released");
    }

    /// An edit rebuilds the sim on the new plan at the quarter the map showed (as if the plan had
    /// always been so), so the map and the charts show the edited plan beside the cards'
    /// forecast; Reset and Replay go back to quarter 0.
    #[test]
    fn an_edit_keeps_the_quarter_and_reset_rewinds() {
        let mut app = sim::build_app(&default_scenario());
        app.insert_resource(Plan::new(default_scenario(), None));
        app.init_resource::<Forecast>();
        app.init_resource::<state::Selection>();
        let world = app.world_mut();
        apply_plan_changes(world);
        for _ in 0..20 {
            sim::step_once(world);
        }
        world.resource_mut::<Plan>().edit("credit subsidy", |s| s.incentives.credit_interest_subsidy_pp = 3.0);
        apply_plan_changes(world);
        assert_eq!(world.resource::<sim::clock::SimClock>().quarter, 20);
        let edited = world.resource::<Plan>().scenario.clone();
        let history = world.resource::<sim::metrics::Metrics>().history.clone();
        assert_eq!(history, sim::run_to_end(&edited)[..20].to_vec(), "the edited plan's first 20 quarters, replayed");
        world.resource_mut::<Plan>().restart();
        apply_plan_changes(world);
        assert_eq!(world.resource::<sim::clock::SimClock>().quarter, 0);
        assert!(!world.resource::<Plan>().rewind);
    }

    #[test]
    fn play_at_the_end_starts_again() {
        let mut plan = Plan::new(default_scenario(), None);
        plan.changed = false;
        let mut control = SimControl { running: false, steps_per_update: 0, pending_steps: 0 };
        let mut clock = sim::clock::SimClock { quarter: 12, horizon: 40 };
        toggle_play(&mut plan, &mut control, &clock);
        assert!(control.running && !plan.changed, "mid-run, play just resumes");
        toggle_play(&mut plan, &mut control, &clock);
        assert!(!control.running);
        clock.quarter = 40;
        toggle_play(&mut plan, &mut control, &clock);
        assert!(control.running && plan.changed && plan.rewind, "at the end, play restarts from quarter 0");
    }

    #[test]
    fn placing_and_removing_facilities_through_the_plan() {
        let mut plan = Plan::new(default_scenario(), None);
        let n = plan.scenario.logistics_hubs.len();
        tools::remove_from_plan(&mut plan, PlanRef(FacilityKind::LogisticsHub, 0));
        assert_eq!(plan.scenario.logistics_hubs.len(), n - 1);
        tools::remove_from_plan(&mut plan, PlanRef(FacilityKind::Anchor, 0));
        assert!(plan.message.as_ref().unwrap().1, "the anchor cannot be removed");
        plan.undo();
        assert_eq!(plan.scenario.logistics_hubs.len(), n);
    }
}
