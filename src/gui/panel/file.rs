//! The panel's file section: the plan's file (Save, Load, Browse, undo and redo), the status
//! line, saving with the opening comment kept and a backup when needed, and the prompt when the
//! window is closed with unsaved edits.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::window::{ClosingWindow, WindowCloseRequested};
use bevy_egui::{EguiContexts, egui};

use crate::gui::Plan;
use crate::gui::state::{PanelState, SaveAs};
use crate::gui::theme::{ERROR_TEXT, OK_TEXT};
use crate::gui::widgets::{file_picker, resolve_path};
use crate::scenario::Scenario;

/// Closing the window with unsaved edits asks first (the window is built with
/// `close_when_requested: false`, so this system decides).
#[derive(Resource, Default)]
pub struct QuitPrompt {
    window: Option<Entity>,
    /// "Save and quit" of a plan that is asked its name first: the Save-as dialog is open, and
    /// the window closes once the plan is saved (a cancelled dialog brings the prompt back).
    after_save_as: bool,
}

impl QuitPrompt {
    /// Asks before closing `window` (a close request, or Ctrl+C / SIGTERM in the terminal).
    pub fn ask(&mut self, window: Entity) {
        self.window = Some(window);
    }

    pub fn asking(&self) -> bool {
        self.window.is_some()
    }
}

pub(super) fn close_requests(
    mut commands: Commands,
    mut requests: MessageReader<WindowCloseRequested>,
    closing: Query<Entity, With<ClosingWindow>>,
    plan: Res<Plan>,
    mut prompt: ResMut<QuitPrompt>,
) {
    // Marked on an earlier frame: now the window goes, and the app exits with it.
    for w in &closing {
        commands.entity(w).despawn();
    }
    for r in requests.read() {
        if plan.unsaved() {
            info!("close requested with unsaved edits: asking");
            prompt.window = Some(r.window);
        } else {
            commands.entity(r.window).try_insert(ClosingWindow);
        }
    }
}

/// The answer to "save before quitting?": Enter saves and quits (a plan not saved in that file
/// yet is asked its name first, by the Save-as dialog, and the window closes once it is saved),
/// Esc cancels. Draws the Save-as dialog whenever it is open.
pub(super) fn quit_prompt(
    mut contexts: EguiContexts,
    mut commands: Commands,
    mut prompt: ResMut<QuitPrompt>,
    mut plan: ResMut<Plan>,
    mut state: ResMut<PanelState>,
) -> Result {
    // The Save-as dialog is drawn here, over everything, whether the side panel that opens it is
    // shown or not (presentation mode hides it, and "Save and quit" opens it too).
    if state.save_as.is_some() {
        let ctx = contexts.ctx_mut()?.clone();
        save_as_dialog(&ctx, &mut plan, &mut state);
    }
    let Some(window) = prompt.window else { return Ok(()) };
    if prompt.after_save_as {
        if state.save_as.is_some() || state.confirm_folder.is_some() {
            return Ok(()); // the dialog (or the folder's yes) is being answered
        }
        prompt.after_save_as = false;
        if !plan.dirty {
            info!("quit after saving {}", plan.path.as_ref().map_or(String::new(), |p| p.display().to_string()));
            commands.entity(window).try_insert(ClosingWindow);
            prompt.window = None;
            return Ok(());
        }
        // Cancelled or not saved: the prompt again.
    }
    let ctx = contexts.ctx_mut()?.clone();
    let path = PathBuf::from(state.path.trim());
    // A plan not saved in that file yet is asked its name first, as Save asks it.
    let named = asks_for_a_name(&plan, &resolve_path(plan.path.as_deref(), &state.path));
    // Keys count only when no text field has the keyboard (Enter there ends the typing).
    let (enter, escape) = if ctx.egui_wants_keyboard_input() {
        (false, false)
    } else {
        ctx.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)))
    };
    let mut choice = None;
    let mut cancel = escape;
    egui::Window::new("Unsaved edits").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0)).show(
        &ctx,
        |ui| {
            if plan.unsaved_before_load() {
                ui.label("The plan before the last load has edits that are not saved (Esc, then Ctrl+Z brings it back).");
            } else {
                ui.label("The plan has edits that are not saved.");
            }
            let save_label = if named {
                "Save as... (name the plan) and quit (Enter)".to_string()
            } else {
                format!("Save to {} and quit (Enter)", path.display())
            };
            if ui.button(save_label).clicked() || enter {
                choice = Some(true);
            }
            if ui.button("Quit without saving").clicked() {
                choice = Some(false);
            }
            if ui.button("Cancel (Esc)").clicked() {
                cancel = true;
            }
            status(ui, &plan);
        },
    );
    match choice {
        Some(true) if named => {
            open_save_as(&plan, &mut state);
            prompt.after_save_as = true;
        }
        // A failed save keeps the window open with the reason shown.
        Some(true) if save(&mut plan, &path) => {
            info!("quit after saving {}", path.display());
            commands.entity(window).try_insert(ClosingWindow);
            prompt.window = None;
        }
        Some(false) => {
            info!("quit without saving");
            commands.entity(window).try_insert(ClosingWindow);
            prompt.window = None;
        }
        _ if cancel => {
            info!("quit cancelled");
            prompt.window = None;
        }
        _ => {}
    }
    Ok(())
}

/// The comment lines (and blank lines) a scenario file opens with.
pub(super) fn leading_comments(src: &str) -> String {
    let mut out = String::new();
    // A byte-order mark is not part of the comment (the saved file is UTF-8 without one).
    for line in crate::scenario::without_bom(src).lines() {
        let t = line.trim_start();
        if t.starts_with("//") || t.is_empty() {
            out.push_str(line);
            out.push('\n');
        } else {
            break;
        }
    }
    out
}

/// What Save writes: the plan with only what differs from the defaults, under the note that
/// says so ([`Scenario::to_plan_file`]), after the opening comment of the file it replaces
/// (without that file's copy of the note, so saving again does not repeat it).
pub(super) fn plan_file_text(scenario: &Scenario, previous: Option<&str>) -> String {
    let mut body = scenario.to_plan_file();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let note = leading_comments(&body);
    let note: Vec<&str> = note.lines().filter(|l| !l.trim().is_empty()).collect();
    let own: String =
        previous.map(leading_comments).unwrap_or_default().lines().filter(|l| !note.contains(l)).map(|l| format!("{l}\n")).collect();
    // Blank lines the note left behind at the end of the file's own comment go.
    let own = own.trim_end_matches('\n').trim_end();
    if own.is_empty() { body } else { format!("{own}\n{body}") }
}

pub(super) fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".bak");
    path.with_file_name(name)
}

/// Saves the plan (a temporary file renamed over the target, so never half-written); reports
/// the outcome in the status line.
pub(super) fn save(plan: &mut Plan, path: &Path) -> bool {
    if path.as_os_str().is_empty() {
        plan.refuse("cannot save: type a file name first");
        return false;
    }
    let previous = std::fs::read_to_string(path).ok();
    let text = plan_file_text(&plan.scenario, previous.as_deref());
    // The file's opening comment (what the scenario is for) is kept; other comments cannot be,
    // so the previous version is kept beside it as FILE.bak when the file had any, and also when
    // it is not the version the planner last read or wrote there (another file, or this one
    // edited since): saving never loses what the planner has not seen.
    let loses_comments = |p: &str| p.lines().skip(leading_comments(p).lines().count()).any(|l| l.contains("//") || l.contains("/*"));
    let seen = |p: &str| plan.on_disk.as_ref().is_some_and(|(at, t)| at == path && t == p);
    let backup = previous.as_deref().filter(|p| *p != text).and_then(|p| {
        let why = if !seen(p) {
            "the file there was not the version the planner last read or saved"
        } else if loses_comments(p) {
            "comments inside the file cannot be kept"
        } else {
            return None;
        };
        Some(((), p.to_string(), why))
    });
    let backup = match backup {
        Some((_, content, why)) => match crate::gui::save::keep_backup(path, content.as_bytes()) {
            Ok(b) => Some((b, why)),
            Err(e) => {
                plan.refuse(format!(
                    "cannot save: could not keep the previous version as {}: {} (nothing was changed)",
                    backup_path(path).display(),
                    crate::io_words(&e)
                ));
                return false;
            }
        },
        None => None,
    };
    match crate::gui::save::write_plan_file(path, text.as_bytes()) {
        Ok(()) => {
            plan.dirty = false;
            plan.path = Some(path.to_path_buf());
            plan.on_disk = Some((path.to_path_buf(), text));
            let kept = backup.map(|(b, why)| format!(" ({why}: the previous version is {})", b.display())).unwrap_or_default();
            let msg = format!("saved {}{kept}", path.display());
            info!("{msg}");
            plan.message = Some((msg, false));
            true
        }
        Err(e) => {
            plan.refuse(format!("cannot save {}: {} (nothing was changed)", path.display(), crate::io_words(&e)));
            false
        }
    }
}

/// Loads a scenario file as the plan (the previous plan stays one Ctrl+Z away); a file that does
/// not read or validate is reported with its file:line:col and changes nothing.
pub(super) fn load(plan: &mut Plan, path: &Path) -> bool {
    match Scenario::load_with_text(path) {
        Ok((s, text)) => {
            plan.replace(s, path.to_path_buf(), text);
            info!("loaded {}", path.display());
            plan.message = Some((format!("loaded {} (Ctrl+Z brings the previous plan back)", path.display()), false));
            true
        }
        Err(e) => {
            plan.refuse(format!("{e}\n(the current plan is unchanged)"));
            false
        }
    }
}

pub(super) fn status(ui: &mut egui::Ui, plan: &Plan) {
    if let Some((msg, err)) = &plan.message {
        let color = if *err { ERROR_TEXT } else { OK_TEXT };
        for line in msg.lines() {
            if is_quoted_source(line) {
                // A line of the file and the caret under the faulty field line up only in a
                // fixed-width font, and only unwrapped (a long line is cut, not folded).
                ui.add(egui::Label::new(egui::RichText::new(line).monospace().color(color)).truncate());
            } else {
                ui.label(egui::RichText::new(line).color(color));
            }
        }
    }
}

/// A line of an error message that quotes the file (`   3 | years: 500,`) or points into it
/// (`     |        ^`).
pub(super) fn is_quoted_source(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("| ") || t.split_once(" | ").is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Saves to a typed path; a folder that is not there is made only when the planner says so.
/// Returns whether it saved.
pub(super) fn save_typed(plan: &mut Plan, state: &mut PanelState) -> bool {
    let path = resolve_path(plan.path.as_deref(), &state.path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        plan.message = Some((format!("the folder {} does not exist: make it and save there?", dir.display()), true));
        state.confirm_folder = Some(path);
        return false;
    }
    state.confirm_folder = None;
    save(plan, &path)
}

/// Whether a save to `path` asks for the plan's name first (the Save-as dialog): the plan is
/// not saved there yet (the built-in baseline, a new file, or a plan from another file saved
/// under a new name), so it would keep the name of the plan it came from.
pub(super) fn asks_for_a_name(plan: &Plan, path: &Path) -> bool {
    plan.on_disk.as_ref().is_none_or(|(at, _)| at != path)
}

/// Save (Ctrl+S): to the plan's own file at once; anywhere else, by the Save-as dialog.
pub(super) fn save_clicked(plan: &mut Plan, state: &mut PanelState) {
    let path = resolve_path(plan.path.as_deref(), &state.path);
    if asks_for_a_name(plan, &path) && !path.as_os_str().is_empty() {
        open_save_as(plan, state);
    } else {
        save_typed(plan, state);
    }
}

/// Opens the Save-as dialog, filled from the plan and the File field.
pub(super) fn open_save_as(plan: &Plan, state: &mut PanelState) {
    let (name, description) = (plan.scenario.name.clone(), plan.scenario.description.clone());
    state.save_as = Some(SaveAs { path: state.path.clone(), name, description, fresh: true });
}

/// The Save-as dialog's answer: the plan named and described as typed (one edit, which Undo
/// takes back), then saved to the typed file. Returns whether the dialog is done.
pub(super) fn save_as(plan: &mut Plan, state: &mut PanelState, answer: &SaveAs) -> bool {
    let name = answer.name.trim().to_string();
    if name.is_empty() {
        plan.refuse("cannot save: give the plan a name (it heads the compare view's columns and the reports)");
        return false;
    }
    let description = answer.description.trim().to_string();
    plan.edit("named the plan", |s| {
        s.name = name;
        s.description = description;
    });
    state.path = answer.path.clone();
    // Saved, or waiting for the yes to make its folder (in the panel).
    save_typed(plan, state) || state.confirm_folder.is_some()
}

/// The Save-as dialog: file, name and description, filled from the plan; Enter saves (outside
/// the description), Esc cancels.
fn save_as_dialog(ctx: &egui::Context, plan: &mut Plan, state: &mut PanelState) {
    let Some(mut answer) = state.save_as.take() else { return };
    let (mut save, mut cancel) = (false, false);
    egui::Window::new("Save as").collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0)).show(
        ctx,
        |ui| {
            egui::Grid::new("save-as").num_columns(2).spacing([8.0, 6.0]).show(ui, |ui| {
                ui.label("File");
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut answer.path).desired_width(260.0))
                        .on_hover_text("a file name alone is beside the plan's file; a path with folders is taken as typed");
                    let beside = resolve_path(plan.path.as_deref(), &answer.path);
                    file_picker(ui, &mut answer.path, &beside);
                });
                ui.end_row();
                ui.label("Name");
                let name = ui
                    .add(egui::TextEdit::singleline(&mut answer.name).desired_width(320.0))
                    .on_hover_text("the plan's name: the compare view's and the reports' column for it");
                if std::mem::take(&mut answer.fresh) {
                    name.request_focus();
                }
                ui.end_row();
                ui.label("Description");
                let d = ui.add(egui::TextEdit::multiline(&mut answer.description).desired_rows(3).desired_width(320.0));
                ui.end_row();
                let keys = ui.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
                save |= keys.0 && !d.has_focus() && !d.lost_focus();
                cancel |= keys.1;
            });
            ui.horizontal(|ui| {
                save |= ui.button("Save (Enter)").clicked();
                cancel |= ui.button("Cancel (Esc)").clicked();
            });
            status(ui, plan);
        },
    );
    if cancel {
        plan.message = Some(("not saved".into(), false));
    } else if !(save && save_as(plan, state, &answer)) {
        state.save_as = Some(answer);
    }
}

pub(super) fn file_section(ui: &mut egui::Ui, plan: &mut Plan, state: &mut PanelState) {
    ui.horizontal(|ui| {
        ui.label("File");
        ui.add(egui::TextEdit::singleline(&mut state.path).desired_width(200.0))
            .on_hover_text("a file name alone is beside the plan's file; a path with folders is taken as typed");
        let beside = resolve_path(plan.path.as_deref(), &state.path);
        file_picker(ui, &mut state.path, &beside);
    });
    if let Some(target) = state.confirm_folder.clone() {
        ui.horizontal(|ui| {
            if ui.button("Make the folder and save").clicked() {
                state.confirm_folder = None;
                save(plan, &target);
            }
            if ui.button("Cancel").clicked() {
                state.confirm_folder = None;
                plan.message = Some(("not saved".into(), false));
            }
        });
    }
    ui.horizontal(|ui| {
        let ctrl_s = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::S));
        let save = ui.button("Save").on_hover_text("Ctrl+S; a plan not saved in this file yet asks for its name first").clicked();
        if (save || ctrl_s) && state.save_as.is_none() {
            save_clicked(plan, state);
        }
        if ui.button("Save as...").on_hover_text("save under another file, name and description").clicked() {
            open_save_as(plan, state);
        }
        if ui.button("Load").clicked() {
            let path = resolve_path(plan.path.as_deref(), &state.path);
            load(plan, &path);
        }
        if ui.add_enabled(!plan.undo.is_empty(), egui::Button::new("Undo")).on_hover_text("Ctrl+Z").clicked() {
            plan.undo();
        }
        if ui.add_enabled(!plan.redo.is_empty(), egui::Button::new("Redo")).on_hover_text("Ctrl+Y").clicked() {
            plan.redo();
        }
        if plan.dirty {
            ui.label("(unsaved)");
        }
    });
    status(ui, plan);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    fn close_app(dirty: bool) -> (App, Entity) {
        let mut app = App::new();
        app.add_message::<WindowCloseRequested>();
        let mut plan = Plan::new(default_scenario(), None);
        plan.dirty = dirty;
        app.insert_resource(plan);
        app.init_resource::<QuitPrompt>();
        app.add_systems(Update, close_requests);
        let window = app.world_mut().spawn_empty().id();
        app.world_mut().write_message(WindowCloseRequested { window });
        app.update();
        (app, window)
    }

    #[test]
    fn save_writes_a_loadable_file_and_a_failed_save_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        // A "folder" that is a file, or a file name that is a folder: refused, still dirty.
        std::fs::write(dir.join("a-file"), "x").unwrap();
        assert!(!save(&mut plan, &dir.join("a-file/plan.ron")));
        assert!(!save(&mut plan, &dir));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left behind");
        assert!(plan.dirty && plan.message.as_ref().unwrap().1);
        assert!(!save(&mut plan, Path::new("")));
        let file = dir.join("plan.ron");
        assert!(save(&mut plan, &file));
        assert!(!plan.dirty);
        assert_eq!(Scenario::load(&file).unwrap(), plan.scenario);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn loading_a_bad_file_changes_nothing_and_a_good_one_can_be_undone() {
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        let (before, undo_len) = (plan.scenario.clone(), plan.undo.len());
        for bad in ["tests/bad/in_water.ron", "tests/bad/syntax_error.ron", "no/such/file.ron"] {
            assert!(!load(&mut plan, Path::new(bad)));
            let (msg, is_error) = plan.message.clone().unwrap();
            assert!(is_error && msg.contains(bad.rsplit('/').next().unwrap()) && msg.contains("unchanged"), "{msg}");
            assert_eq!((&plan.scenario, plan.undo.len(), plan.dirty, &plan.path), (&before, undo_len, true, &None));
        }
        assert!(plan.message.as_ref().unwrap().0.contains("file.ron"));
        assert!(load(&mut plan, Path::new("scenarios/strong_lcr.ron")));
        assert!(!plan.dirty && plan.scenario.name != before.name);
        assert_eq!(plan.path.as_deref(), Some(Path::new("scenarios/strong_lcr.ron")));
        plan.undo();
        assert_eq!(plan.scenario, before, "the plan with its unsaved edit is one undo away");
        // ... under its own name (none yet), not the loaded file's, so Save cannot write it there.
        assert_eq!((plan.path.clone(), plan.dirty, plan.redo.len()), (None, true, 0));
        assert!(plan.message.as_ref().unwrap().0.contains("before loading scenarios/strong_lcr.ron"));
    }

    /// A load over unsaved edits still counts them as unsaved (closing asks), and past the undo
    /// cap after two loads, no undo puts the plan back under an earlier file: the plan keeps the
    /// file it was loaded from, so Ctrl+S cannot write over the other one.
    #[test]
    fn a_load_keeps_earlier_edits_unsaved_and_the_undo_cap_cannot_retarget_the_file() {
        let mut plan = Plan::new(default_scenario(), None);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        assert!(load(&mut plan, Path::new("scenarios/strong_lcr.ron")));
        assert!(!plan.dirty && plan.unsaved() && plan.unsaved_before_load(), "the edit before the load is not saved");
        assert!(load(&mut plan, Path::new("scenarios/baseline.ron")));
        // Edits past the cap: both loads' plans before them fall off the history.
        for i in 0..crate::gui::plan::MAX_UNDO + 5 {
            assert!(plan.edit("years", |s| s.years = 3 + (i % 7) as u32), "{:?}", plan.message);
        }
        assert_eq!(plan.undo.len(), crate::gui::plan::MAX_UNDO);
        while !plan.undo.is_empty() {
            plan.undo();
            assert_eq!(plan.path.as_deref(), Some(Path::new("scenarios/baseline.ron")), "undo never points the plan at another file");
        }
        assert!(plan.unsaved(), "the edits lost off the history still make closing ask");
    }

    /// Writes `original` to `file`, opens it in the planner, makes one edit and saves over it:
    /// the plan and the text saved.
    fn open_edit_save(file: &Path, original: &str) -> (Plan, String) {
        std::fs::write(file, original).unwrap();
        let (scenario, text) = Scenario::load_with_text(file).unwrap();
        let mut plan = Plan::from_file(scenario, file.to_path_buf(), text);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        assert!(save(&mut plan, file));
        let saved = std::fs::read_to_string(file).unwrap();
        (plan, saved)
    }

    #[test]
    fn saving_over_a_commented_file_keeps_its_opening_comment_and_a_backup() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-comments-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("team.ron");
        let original = "// Team A: cluster near the port.\n// Second line.\n(\n    name: \"Team A\", // our name\n    years: 5,\n)\n";
        let (mut plan, saved) = open_edit_save(&file, original);
        // The file's own comment first, then the note that only what differs from the defaults is written.
        let note = leading_comments(&plan.scenario.to_plan_file());
        assert!(saved.starts_with(&format!("// Team A: cluster near the port.\n// Second line.\n{note}(")), "{saved}");
        assert_eq!(Scenario::load(&file).unwrap(), plan.scenario);
        // The inner comment could not be kept: the previous file is beside it, untouched.
        assert_eq!(std::fs::read_to_string(dir.join("team.ron.bak")).unwrap(), original);
        assert!(plan.message.as_ref().unwrap().0.contains("team.ron.bak"));
        // Saving again (no inner comments left) neither duplicates the header nor backs up again.
        std::fs::remove_file(dir.join("team.ron.bak")).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.08));
        assert!(save(&mut plan, &file));
        let again = std::fs::read_to_string(&file).unwrap();
        assert_eq!(again.matches("// Team A").count(), 1, "{again}");
        assert_eq!(again.matches(note.lines().next().unwrap()).count(), 1, "the note is not repeated: {again}");
        assert!(!dir.join("team.ron.bak").exists());
        // A file saved by Notepad as "UTF-8 with BOM" keeps its opening comment too, without the mark.
        let (_, saved) = open_edit_save(&file, "\u{feff}// Team B.\n(name: \"Team B\")\n");
        assert!(saved.starts_with(&format!("// Team B.\n{note}(")), "{saved:?}");
        assert!(!dir.join("team.ron.bak").exists(), "nothing was lost, so nothing is kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Saving over a file the planner has not seen as it is (another team's file typed into the
    /// File field, or the plan's own file edited in a text editor since it was loaded) keeps what
    /// was there as FILE.bak; saving again over its own last save does not.
    #[test]
    fn saving_over_a_file_the_planner_has_not_seen_keeps_it_as_a_backup() {
        let dir = std::env::temp_dir().join(format!("kicsim-save-unseen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (ours, theirs) = (dir.join("ours.ron"), dir.join("theirs.ron"));
        std::fs::write(&ours, "(name: \"Ours\", years: 5)\n").unwrap();
        let their_text = "(name: \"Theirs\", years: 7)\n";
        std::fs::write(&theirs, their_text).unwrap();
        let (scenario, text) = Scenario::load_with_text(&ours).unwrap();
        let mut plan = Plan::from_file(scenario, ours.clone(), text);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        // Its own file, as loaded: replaced, no backup.
        assert!(save(&mut plan, &ours));
        assert!(!dir.join("ours.ron.bak").exists());
        // Another file: replaced, and kept as theirs.ron.bak.
        assert!(save(&mut plan, &theirs));
        assert_eq!(std::fs::read_to_string(dir.join("theirs.ron.bak")).unwrap(), their_text);
        let (msg, is_error) = plan.message.clone().unwrap();
        assert!(!is_error && msg.contains("theirs.ron.bak") && msg.contains("not the version"), "{msg}");
        assert_eq!(Scenario::load(&theirs).unwrap(), plan.scenario);
        // Its own file, edited elsewhere since the last save: kept too.
        let edited = std::fs::read_to_string(&theirs).unwrap().replace("cit_rate: 0.07", "cit_rate: 0.09");
        std::fs::write(&theirs, &edited).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.08));
        assert!(save(&mut plan, &theirs));
        assert_eq!(std::fs::read_to_string(dir.join("theirs.ron.bak")).unwrap(), edited);
        // Saved again with nothing changed on disk since: no backup.
        std::fs::remove_file(dir.join("theirs.ron.bak")).unwrap();
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.06));
        assert!(save(&mut plan, &theirs));
        assert!(!dir.join("theirs.ron.bak").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn panel_state(path: &Path) -> PanelState {
        PanelState::new(path.display().to_string(), default_scenario().incentives, None)
    }

    /// A plan opened from one file and saved under another (a team's copy of the baseline) asks
    /// for its name and description first, filled from the plan; the file holds only what
    /// differs from the defaults, under a note that says so, and loads back to the same plan.
    /// The rename is an edit in the list (Undo takes it back); the plan's own file then saves
    /// at once.
    #[test]
    fn save_as_names_the_plan_and_writes_only_what_differs_from_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let (scenario, text) = Scenario::load_with_text(Path::new("scenarios/baseline.ron")).unwrap();
        let mut plan = Plan::from_file(scenario, "scenarios/baseline.ron".into(), text);
        assert!(plan.edit("subsidy", |s| s.incentives.training_subsidy_usd_per_trainee = 1_500.0));
        let file = dir.path().join("team.ron");
        let mut state = panel_state(&file);
        save_clicked(&mut plan, &mut state);
        let asked = state.save_as.take().expect("a save under a new file asks for the name");
        assert_eq!((asked.name.as_str(), asked.path.as_str()), ("Baseline (typical incentives)", state.path.as_str()));
        assert_eq!(asked.description, plan.scenario.description);
        assert!(!file.exists() && plan.dirty, "nothing is written before the answer");
        let answer = SaveAs { name: "Team A".into(), description: " Cluster near the port. ".into(), ..asked };
        assert!(save_as(&mut plan, &mut state, &answer));
        let saved = std::fs::read_to_string(&file).unwrap();
        let loaded = Scenario::load(&file).unwrap();
        assert_eq!(loaded, plan.scenario, "the file loads back to the plan:\n{saved}");
        assert_eq!((loaded.name.as_str(), loaded.description.as_str()), ("Team A", "Cluster near the port."));
        assert!(saved.starts_with(&leading_comments(&plan.scenario.to_plan_file())), "{saved}");
        assert!(saved.contains("training_subsidy_usd_per_trainee: 1500"), "{saved}");
        // Only what differs: no model parameter, and no incentive left at its default.
        assert!(!saved.contains("model:") && !saved.contains("lcr_fine"), "{saved}");
        assert!(!saved.contains("credit_interest_subsidy_pp"), "an incentive at its default is not written: {saved}");
        assert_eq!(
            plan.edits.last().unwrap().words,
            "Renamed the plan 'Baseline (typical incentives)' -> 'Team A'; Changed the plan's description"
        );
        assert_eq!(plan.path.as_deref(), Some(file.as_path()));
        // Its own file now: Save writes at once.
        assert!(plan.edit("subsidy", |s| s.incentives.training_subsidy_usd_per_trainee = 1_000.0));
        save_clicked(&mut plan, &mut state);
        assert!(state.save_as.is_none() && !plan.dirty);
        assert_eq!(Scenario::load(&file).unwrap(), plan.scenario);
        // No name: refused, nothing written, the dialog stays.
        let blank = SaveAs { name: "  ".into(), path: file.display().to_string(), ..SaveAs::default() };
        assert!(!save_as(&mut plan, &mut state, &blank));
        assert!(plan.message.as_ref().unwrap().1 && Scenario::load(&file).unwrap().name == "Team A");
        // Saving keeps the edit list: the rename and both subsidy edits.
        assert_eq!(plan.edits.len(), 3);
    }

    /// Undoing every edit back to the file as read leaves nothing to save ("(unsaved)" goes, and
    /// closing does not ask); a redo is unsaved again.
    #[test]
    fn undoing_back_to_the_saved_plan_leaves_nothing_unsaved() {
        let file = Path::new("scenarios/baseline.ron");
        let (scenario, text) = Scenario::load_with_text(file).unwrap();
        let mut plan = Plan::from_file(scenario, file.to_path_buf(), text);
        assert!(plan.edit("cit", |s| s.incentives.cit_rate = 0.07));
        assert!(plan.edit("years", |s| s.years = 12));
        plan.undo();
        assert!(plan.dirty, "one edit is still there");
        plan.undo();
        assert!(!plan.dirty && !plan.unsaved(), "back to the file as read");
        plan.redo();
        assert!(plan.dirty && plan.unsaved());
    }

    #[test]
    fn closing_a_saved_plan_closes_the_window() {
        let (mut app, window) = close_app(false);
        assert!(app.world().entity(window).contains::<ClosingWindow>());
        app.update();
        assert!(app.world().get_entity(window).is_err(), "the window is despawned on the next frame");
    }

    #[test]
    fn closing_with_unsaved_edits_asks_first() {
        let (mut app, window) = close_app(true);
        assert!(!app.world().entity(window).contains::<ClosingWindow>());
        assert_eq!(app.world().resource::<QuitPrompt>().window, Some(window));
        app.update();
        assert!(app.world().get_entity(window).is_ok(), "the window stays until the user answers");
    }

    #[test]
    fn a_load_error_quotes_the_file_in_lines_whose_caret_is_under_the_field() {
        let dir = std::env::temp_dir().join(format!("kicsim-load-error-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bad.ron");
        std::fs::write(&file, "(\n    name: \"bad\",\n    incentives: (cit_rate: 0.9),\n)\n").unwrap();
        let mut plan = Plan::new(default_scenario(), None);
        assert!(!load(&mut plan, &file));
        let (msg, is_err) = plan.message.clone().unwrap();
        assert!(is_err);
        let quoted: Vec<&str> = msg.lines().filter(|l| is_quoted_source(l)).collect();
        assert_eq!(quoted.len(), 2, "the file's line and the caret: {msg}");
        let at = |line: &str, pat: &str| line.find(pat).unwrap_or_else(|| panic!("no {pat} in {line}"));
        assert_eq!(at(quoted[1], "^"), at(quoted[0], "cit_rate"), "under the field: {msg}");
        // The rest reads as text.
        assert!(msg.lines().any(|l| l.starts_with("error: ") && l.contains("incentives.cit_rate") && !is_quoted_source(l)));
        assert!(!is_quoted_source("(the current plan is unchanged)"));
        assert!(!is_quoted_source("saved plan.ron | 3 edits"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
