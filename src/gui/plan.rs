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
    /// the loaded file's (and unsaved again).
    loaded_over: Vec<(usize, Option<PathBuf>, Option<(PathBuf, String)>, bool)>,
    /// A plan with unsaved edits was replaced by a load and has since fallen off the undo
    /// history: closing still asks.
    lost_unsaved: bool,
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
        }
    }

    /// A plan opened from a file: `text` is what was read from `path`.
    pub fn from_file(scenario: Scenario, path: PathBuf, text: String) -> Self {
        Plan { on_disk: Some((path.clone(), text)), ..Plan::new(scenario, Some(path)) }
    }

    /// Applies an edit if the result is a valid scenario; otherwise keeps the plan and reports why.
    pub fn edit(&mut self, what: &str, f: impl FnOnce(&mut Scenario)) -> bool {
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
        self.undo.push(std::mem::replace(&mut self.scenario, next));
        self.trim_undo();
        self.redo.clear();
        self.done(what);
        true
    }

    /// Keeps the undo history at [`MAX_UNDO`] plans. The loads' depths move with it; a load
    /// whose plan before it falls off cannot be undone past any more, so no undo can put the
    /// plan back under an earlier file (where Ctrl+S would write it over that file).
    fn trim_undo(&mut self) {
        while self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
            let mut lost = false;
            self.loaded_over.retain_mut(|(depth, _, _, dirty)| {
                if *depth == 0 {
                    lost |= *dirty;
                    return false;
                }
                *depth -= 1;
                true
            });
            self.lost_unsaved |= lost;
        }
    }

    /// Edits not saved: the plan's own, or those of a plan before a load (one undo or more away).
    pub fn unsaved(&self) -> bool {
        self.dirty || self.lost_unsaved || self.loaded_over.iter().any(|l| l.3)
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
            if self.loaded_over.last().is_some_and(|(depth, _, _, _)| *depth == self.undo.len()) {
                // Back past a load: the plan before it, under its own file (Save must not write
                // it over the loaded file); a redo cannot cross the load again.
                let (_, path, on_disk, _) = self.loaded_over.pop().expect("checked");
                let loaded = self.path.as_ref().map_or(String::new(), |p| p.display().to_string());
                self.path = path;
                self.on_disk = on_disk;
                self.redo.clear();
                let back = self.path.as_ref().map_or("no file yet".to_string(), |p| p.display().to_string());
                self.done(&format!("undone: the plan before loading {loaded} is back ({back})"));
                return;
            }
            self.done("undone");
        }
    }

    pub fn redo(&mut self) {
        if let Some(next) = self.redo.pop() {
            self.undo.push(std::mem::replace(&mut self.scenario, next));
            self.done("redone");
        }
    }

    /// Replaces the plan with a loaded file; the plan before it (unsaved edits included) is one
    /// undo away, back under its own file name.
    pub fn replace(&mut self, scenario: Scenario, path: PathBuf, text: String) {
        self.loaded_over.push((self.undo.len(), self.path.clone(), self.on_disk.clone(), self.dirty));
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
    pub fn recover(&mut self, scenario: Scenario, path: Option<PathBuf>) {
        self.loaded_over.push((self.undo.len(), self.path.clone(), self.on_disk.clone(), self.dirty));
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
