//! The plan the window edits, at the bottom of the window's files with [`super::state`]: the
//! scenario with its undo/redo history and its file, the forecast of its full horizon (run on a
//! background [`super::job::Job`]), the clock's speed, and play/pause.

use std::path::PathBuf;

use bevy::prelude::*;

use super::job;
use crate::scenario::Scenario;
use crate::sim::{self, QuarterRecord, SimControl};

/// The plan being edited: the scenario plus undo/redo history and where it lives on disk.
#[derive(Resource)]
pub struct Plan {
    pub scenario: Scenario,
    pub path: Option<PathBuf>,
    pub undo: Vec<Scenario>,
    pub redo: Vec<Scenario>,
    /// Unsaved edits.
    pub dirty: bool,
    /// Set by edits; the sim is rebuilt on the new plan and the forecast re-runs.
    pub changed: bool,
    /// With `changed`: the rebuilt sim starts again at quarter 0 (Reset, Replay). Without it the
    /// map comes back at the quarter it showed, so the map, the charts and the cards all show the
    /// edited plan, not its quarter 0 beside a forecast of its last year.
    pub rewind: bool,
    /// Last message for the status line: (text, is_error).
    pub message: Option<(String, bool)>,
    /// The file as the planner last read or wrote it (path, text). Saving over anything else there
    /// (another file, or this one changed since) keeps what was there as FILE.bak.
    pub on_disk: Option<(PathBuf, String)>,
    /// Files loaded into the window so far (the KPI cards' reference moves to a loaded file).
    pub loads: u32,
    /// For each load: the undo depth before it, the file the plan had then and whether it had
    /// unsaved edits, so an undo past the load puts the plan back under its own file name, not
    /// the loaded file's (and unsaved again), with its edit list.
    loaded_over: Vec<LoadedOver>,
    /// The edits since the plan was opened or loaded, in words, each with the plan before and
    /// after it (the edit list gives each one's own effect). Kept by Save; Undo takes the last
    /// one back, Redo puts it back; a load starts a new list.
    pub edits: Vec<Edit>,
    /// Edits undone, for Redo.
    redo_edits: Vec<Edit>,
    /// A plan with unsaved edits was replaced by a load and has since fallen off the undo
    /// history: closing still asks.
    lost_unsaved: bool,
}

/// One edit of the list: what it did in words, and the plan before and after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub words: String,
    pub before: Scenario,
    pub after: Scenario,
}

/// What a load replaced, to be put back by an undo past it.
struct LoadedOver {
    depth: usize,
    path: Option<PathBuf>,
    on_disk: Option<(PathBuf, String)>,
    dirty: bool,
    edits: Vec<Edit>,
}

impl Plan {
    pub fn new(scenario: Scenario, path: Option<PathBuf>) -> Self {
        Plan {
            scenario,
            path,
            undo: Vec::new(),
            redo: Vec::new(),
            dirty: false,
            changed: true,
            rewind: true,
            message: None,
            on_disk: None,
            loads: 0,
            loaded_over: Vec::new(),
            lost_unsaved: false,
            edits: Vec::new(),
            redo_edits: Vec::new(),
        }
    }

    /// A plan opened from a file: `text` is what was read from `path`.
    pub fn from_file(scenario: Scenario, path: PathBuf, text: String) -> Self {
        Plan { on_disk: Some((path.clone(), text)), ..Plan::new(scenario, Some(path)) }
    }

    /// Applies an edit if the result is a valid scenario; otherwise keeps the plan and reports why.
    /// The status line, the window's log and the edit list say what changed in words
    /// ([`super::words`]); `what` is said where the words know nothing of the change.
    pub fn edit(&mut self, what: &str, f: impl FnOnce(&mut Scenario)) -> bool {
        self.apply(what, None, f)
    }

    /// [`Self::edit`] with a title before the words ("applied the package found: Training
    /// subsidy 0 -> 800 USD per trainee; ...").
    pub fn edit_titled(&mut self, title: &str, f: impl FnOnce(&mut Scenario)) -> bool {
        self.apply(title, Some(title), f)
    }

    fn apply(&mut self, what: &str, title: Option<&str>, f: impl FnOnce(&mut Scenario)) -> bool {
        let mut next = self.scenario.clone();
        f(&mut next);
        if next == self.scenario {
            return false;
        }
        let problems = next.validate();
        if let Some(p) = problems.first() {
            self.refuse(format!("{what} refused: {}: {}", p.path, p.message));
            return false;
        }
        let words = super::words::describe(&self.scenario, &next);
        let words = match (words.is_empty(), title) {
            (true, _) => what.to_string(),
            (false, None) => words.join("; "),
            (false, Some(t)) => format!("{t}: {}", words.join("; ")),
        };
        self.edits.push(Edit { words: words.clone(), before: self.scenario.clone(), after: next.clone() });
        self.redo_edits.clear();
        self.undo.push(std::mem::replace(&mut self.scenario, next));
        self.trim_undo();
        self.redo.clear();
        self.done(&words);
        true
    }

    /// Keeps the undo history at [`MAX_UNDO`] plans. The loads' depths move with it; a load
    /// whose plan before it falls off cannot be undone past any more, so no undo can put the
    /// plan back under an earlier file (where Ctrl+S would write it over that file).
    fn trim_undo(&mut self) {
        while self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
            let mut lost = false;
            self.loaded_over.retain_mut(|l| {
                if l.depth == 0 {
                    lost |= l.dirty;
                    return false;
                }
                l.depth -= 1;
                true
            });
            self.lost_unsaved |= lost;
        }
    }

    /// Edits not saved: the plan's own, or those of a plan before a load (one undo or more away).
    pub fn unsaved(&self) -> bool {
        self.dirty || self.lost_unsaved || self.loaded_over.iter().any(|l| l.dirty)
    }

    /// Edits of a plan before a load are not saved (closing asks, though the plan shown is saved).
    pub fn unsaved_before_load(&self) -> bool {
        !self.dirty && self.unsaved()
    }

    /// After a change to the plan: marks it unsaved and to be re-run, and reports it in the status
    /// line and the window's log (a record of the session's edits).
    fn done(&mut self, what: &str) {
        self.dirty = true;
        self.changed = true;
        self.message = Some((what.to_string(), false));
        info!("edit: {what}");
    }

    /// Back to quarter 0 with the current plan (Reset, and Play at the end of the horizon).
    pub fn restart(&mut self) {
        self.changed = true;
        self.rewind = true;
    }

    /// Shows why something was not done (in red), and records it in the window's log.
    pub fn refuse(&mut self, why: impl Into<String>) {
        let why = why.into();
        warn!("{why}");
        self.message = Some((why, true));
    }

    pub fn undo(&mut self) {
        if let Some(prev) = self.undo.pop() {
            self.redo.push(std::mem::replace(&mut self.scenario, prev));
            if self.loaded_over.last().is_some_and(|l| l.depth == self.undo.len()) {
                // Back past a load: the plan before it, under its own file (Save must not write
                // it over the loaded file), with its edit list; a redo cannot cross the load again.
                let l = self.loaded_over.pop().expect("checked");
                let loaded = self.path.as_ref().map_or(String::new(), |p| p.display().to_string());
                self.path = l.path;
                self.on_disk = l.on_disk;
                self.edits = l.edits;
                self.redo.clear();
                self.redo_edits.clear();
                let back = self.path.as_ref().map_or("no file yet".to_string(), |p| p.display().to_string());
                self.done(&format!("undone: the plan before loading {loaded} is back ({back})"));
                return;
            }
            let words = self.edits.pop().map(|e| {
                let words = format!("undone: {}", e.words);
                self.redo_edits.push(e);
                words
            });
            self.done(words.as_deref().unwrap_or("undone"));
            self.dirty = !self.as_on_disk();
        }
    }

    /// The plan is its file as last read or written (undone back to the saved plan: nothing to save).
    fn as_on_disk(&self) -> bool {
        self.on_disk.as_ref().is_some_and(|(at, text)| {
            self.path.as_ref() == Some(at) && Scenario::parse(text, &at.display().to_string()).is_ok_and(|s| s == self.scenario)
        })
    }

    pub fn redo(&mut self) {
        if let Some(next) = self.redo.pop() {
            self.undo.push(std::mem::replace(&mut self.scenario, next));
            let words = self.redo_edits.pop().map(|e| {
                let words = format!("redone: {}", e.words);
                self.edits.push(e);
                words
            });
            self.done(words.as_deref().unwrap_or("redone"));
            self.dirty = !self.as_on_disk();
        }
    }

    /// Starts a new edit list (a load, a recovery), keeping the old one for an undo past it.
    fn new_list(&mut self) {
        self.loaded_over.push(LoadedOver {
            depth: self.undo.len(),
            path: self.path.clone(),
            on_disk: self.on_disk.clone(),
            dirty: self.dirty,
            edits: std::mem::take(&mut self.edits),
        });
        self.redo_edits.clear();
    }

    /// Replaces the plan with a loaded file; the plan before it (unsaved edits included) is one
    /// undo away, back under its own file name.
    pub fn replace(&mut self, scenario: Scenario, path: PathBuf, text: String) {
        self.new_list();
        self.undo.push(std::mem::replace(&mut self.scenario, scenario));
        self.trim_undo();
        self.redo.clear();
        self.loads += 1;
        self.on_disk = Some((path.clone(), text));
        self.path = Some(path);
        self.dirty = false;
        self.changed = true;
    }
}

/// Plans kept for undo.
pub const MAX_UNDO: usize = 200;

impl Plan {
    /// Takes the unsaved plan of a recovery file: as a load of it (the plan before it one undo
    /// away), under the file it was edited for, unsaved. Saving it keeps what is in that file as
    /// FILE.bak (the planner has not read it this session).
    /// The edit list starts again with the recovered edits as one entry.
    pub fn recover(&mut self, scenario: Scenario, path: Option<PathBuf>) {
        self.new_list();
        let words = super::words::describe(&self.scenario, &scenario);
        let words = if words.is_empty() { "recovered the unsaved plan".to_string() } else { format!("recovered: {}", words.join("; ")) };
        self.edits.push(Edit { words, before: self.scenario.clone(), after: scenario.clone() });
        self.undo.push(std::mem::replace(&mut self.scenario, scenario));
        self.trim_undo();
        self.redo.clear();
        self.on_disk = None;
        self.path = path;
        self.rewind = true;
        self.done("recovered the unsaved plan");
    }
}

/// The full-horizon run of the current plan, computed on a background thread after each edit.
#[derive(Resource, Default)]
pub struct Forecast {
    /// Counts the forecasts launched: a new one means an edited plan.
    pub generation: u64,
    pub history: Vec<QuarterRecord>,
    job: job::Job<Vec<QuarterRecord>>,
}

impl Forecast {
    pub(super) fn launch(&mut self, scenario: Scenario) {
        self.generation += 1;
        // A forecast of an older plan (edited since it started) is never taken in.
        self.job.launch(move || sim::run_to_end(&scenario));
    }

    pub(super) fn poll(&mut self) {
        if let Some(h) = self.job.take() {
            self.history = h;
        }
    }

    /// The newest plan's forecast is on its way.
    pub fn pending(&self) -> bool {
        self.job.running()
    }
}

/// Quarters per second while playing.
#[derive(Resource)]
pub struct Speed {
    pub quarters_per_second: f32,
    pub(super) acc: f32,
}

impl Default for Speed {
    fn default() -> Self {
        Speed { quarters_per_second: 4.0, acc: 0.0 }
    }
}

/// Play / pause; playing at the end of the horizon starts again from quarter 0.
pub fn toggle_play(plan: &mut Plan, control: &mut SimControl, clock: &sim::clock::SimClock) {
    if control.running {
        control.running = false;
    } else {
        if clock.finished() {
            plan.restart();
        }
        control.running = true;
    }
}
