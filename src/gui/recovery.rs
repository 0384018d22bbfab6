//! Unsaved edits survive a crash or a kill: every [`AUTOSAVE_SECONDS`] seconds the plan with
//! unsaved edits is written to a recovery file (`recovery-PID.ron` in [`recovery_dir`]), removed
//! when the plan is saved or the planner quits; a recovery file left by a planner that is no
//! longer running is offered on the next start (Recover or Discard). Ctrl+C and SIGTERM (or
//! SIGHUP) in the terminal ask as closing the window does; a second one quits at once, the
//! edits kept in the recovery file.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::Plan;
use super::panel::QuitPrompt;
use super::state::UiSet;
use crate::scenario::Scenario;

/// Seconds between two autosaves of a plan with unsaved edits.
pub const AUTOSAVE_SECONDS: u64 = 3;

/// The line of a recovery file that names the plan's file.
const FILE_LINE: &str = "// file: ";

/// Where recovery files are kept: `$KICSIM_RECOVERY_DIR`, else `$XDG_STATE_HOME/kicsim`, else
/// `~/.local/state/kicsim`.
pub fn recovery_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("KICSIM_RECOVERY_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("kicsim")))
        .or_else(|| var("HOME").map(|h| h.join(".local/state/kicsim")))
}

fn own_file() -> Option<PathBuf> {
    recovery_dir().map(|d| d.join(format!("recovery-{}.ron", std::process::id())))
}

/// Writes the plan's unsaved state to this planner's recovery file.
fn write_recovery(plan: &Plan) -> Result<PathBuf, String> {
    let file = own_file().ok_or("no folder for the recovery file (set HOME or KICSIM_RECOVERY_DIR)")?;
    let of = plan.path.as_ref().map_or("a new plan".to_string(), |p| p.display().to_string());
    let mut text = format!("// kicsim recovery: the unsaved edits of {of}, kept while the planner ran\n");
    if let Some(p) = plan.path.as_ref().and_then(|p| std::path::absolute(p).ok()) {
        text.push_str(&format!("{FILE_LINE}{}\n", p.display()));
    }
    text.push_str(&plan.scenario.to_ron());
    text.push('\n');
    let dir = file.parent().expect("a file in a folder");
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {}", dir.display(), crate::io_words(&e)))?;
    crate::io::write_atomic(&file, text.as_bytes()).map_err(|e| format!("cannot write {}: {}", file.display(), crate::io_words(&e)))?;
    Ok(file)
}

/// Removes this planner's recovery file (the plan was saved, or the planner quits as asked).
pub fn remove_own() {
    if let Some(f) = own_file() {
        let _ = std::fs::remove_file(f);
    }
}

/// A recovery file left by a planner no longer running.
pub struct Found {
    pub file: PathBuf,
    pub plan_path: Option<PathBuf>,
    pub scenario: Scenario,
}

/// The newest recovery file of a planner that is no longer running, if any. One that does not
/// read as a plan is left alone (and named in the log).
pub fn find() -> Option<Found> {
    let dir = recovery_dir()?;
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.strip_prefix("recovery-")
                .and_then(|r| r.strip_suffix(".ron"))
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|pid| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists())
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    let (_, file) = found.pop()?;
    let text = std::fs::read_to_string(&file).ok()?;
    match Scenario::parse(&text, &file.display().to_string()) {
        Ok(scenario) => {
            let plan_path = text.lines().find_map(|l| l.strip_prefix(FILE_LINE)).map(PathBuf::from);
            Some(Found { file, plan_path, scenario })
        }
        Err(e) => {
            warn!("recovery file not offered: {e}");
            None
        }
    }
}

/// The recovery file offered at start, until the planner answers.
#[derive(Resource, Default)]
pub struct Offer(pub Option<Found>);

/// When the plan was last written to the recovery file, and as what.
#[derive(Resource, Default)]
struct Autosave {
    checked: Option<Instant>,
    written: Option<(Scenario, Option<PathBuf>)>,
}

/// Ctrl+C, SIGTERM and SIGHUP received (counted by the handler, read each frame).
#[derive(Resource, Clone, Default)]
pub struct Interrupts(Arc<AtomicU32>);

pub fn plugin(app: &mut App) {
    let interrupts = Interrupts::default();
    let count = interrupts.0.clone();
    // Bevy's own handler (which quits without asking) is disabled in gui::run.
    if let Err(e) = ctrlc::set_handler(move || {
        count.fetch_add(1, Ordering::SeqCst);
    }) {
        warn!("Ctrl+C in the terminal will not ask before quitting: {e}");
    }
    app.insert_resource(interrupts);
    app.insert_resource(Offer(find()));
    app.init_resource::<Autosave>();
    app.add_systems(Update, (autosave, on_interrupt));
    app.add_systems(EguiPrimaryContextPass, offer_window.in_set(UiSet::Windows));
}

/// Every few seconds: the plan with unsaved edits to the recovery file; a saved plan's file gone.
fn autosave(plan: Res<Plan>, mut a: ResMut<Autosave>) {
    // Also while the offer waits for an answer: this planner's own file, beside the one offered.
    if a.checked.is_some_and(|t| t.elapsed() < Duration::from_secs(AUTOSAVE_SECONDS)) {
        return;
    }
    a.checked = Some(Instant::now());
    if !plan.unsaved() {
        if a.written.take().is_some() {
            remove_own();
        }
        return;
    }
    let now = (plan.scenario.clone(), plan.path.clone());
    if a.written.as_ref() == Some(&now) {
        return;
    }
    match write_recovery(&plan) {
        Ok(f) => {
            info!("autosaved the unsaved plan to {}", f.display());
            a.written = Some(now);
        }
        Err(e) => warn!("autosave failed: {e}"),
    }
}

/// Ctrl+C or SIGTERM: quits at once when nothing is unsaved, else asks as closing the window
/// does; a second one while asking quits at once, keeping the edits in the recovery file.
fn on_interrupt(
    interrupts: Res<Interrupts>,
    plan: Res<Plan>,
    mut prompt: ResMut<QuitPrompt>,
    window: Query<Entity, With<PrimaryWindow>>,
    mut exit: MessageWriter<AppExit>,
) {
    if interrupts.0.swap(0, Ordering::SeqCst) == 0 {
        return;
    }
    if !plan.unsaved() {
        info!("interrupted (Ctrl+C or SIGTERM): quitting");
        exit.write(AppExit::Success);
    } else if prompt.asking() {
        match write_recovery(&plan) {
            Ok(f) => warn!("interrupted again: quitting; the unsaved edits are kept in {} (offered on the next start)", f.display()),
            Err(e) => warn!("interrupted again: quitting; the unsaved edits could not be kept: {e}"),
        }
        std::process::exit(130);
    } else if let Ok(w) = window.single() {
        info!("interrupted (Ctrl+C or SIGTERM) with unsaved edits: asking (a second Ctrl+C quits, keeping them for the next start)");
        prompt.ask(w);
    }
}

/// The offer of a recovery file: Enter recovers, Esc (or Discard) removes it.
fn offer_window(mut contexts: EguiContexts, mut offer: ResMut<Offer>, mut plan: ResMut<Plan>) -> Result {
    let Some(found) = &offer.0 else { return Ok(()) };
    let ctx = contexts.ctx_mut()?.clone();
    let (enter, escape) = ctx.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
    let of = found.plan_path.as_ref().map_or("a new plan".to_string(), |p| p.display().to_string());
    let mut choice = None;
    egui::Window::new("Recover unsaved edits?")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(&ctx, |ui| {
            ui.label(format!("The planner stopped with unsaved edits of {of}."));
            ui.label(format!("They are kept in {}.", found.file.display()));
            if ui.button("Recover them (Enter)").clicked() || enter {
                choice = Some(true);
            }
            if ui.button("Discard them (Esc)").clicked() || escape {
                choice = Some(false);
            }
        });
    let Some(recover) = choice else { return Ok(()) };
    let found = offer.0.take().expect("checked");
    if recover {
        plan.recover(found.scenario, found.plan_path);
        // Kept in this planner's own recovery file before the old one goes.
        match write_recovery(&plan) {
            Ok(_) => {
                let _ = std::fs::remove_file(&found.file);
            }
            Err(e) => warn!("the recovered plan is not autosaved: {e}; {} is kept", found.file.display()),
        }
        let msg = format!("recovered the unsaved edits of {of} (not saved yet: Ctrl+S saves them)");
        info!("{msg}");
        plan.message = Some((msg, false));
    } else {
        let _ = std::fs::remove_file(&found.file);
        info!("discarded the unsaved edits of {of} ({})", found.file.display());
    }
    Ok(())
}
