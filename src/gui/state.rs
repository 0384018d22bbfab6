//! What the window's systems share, at the bottom of the window's files (every system file may
//! read it; it reads none of them): the tool and selection on the map, the map's area, the side
//! panel's state, the overlay, the map's coordinates, whether the compare view covers the map,
//! and the named sets that order the systems each frame.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy_egui::egui;

use super::PX_PER_KM;
use crate::scenario::{Incentives, Scenario, Site};
use crate::sim::FacilityKind;
use crate::sim::facilities::PlanRef;
use crate::sim::map::SiteMap;

/// At most this many scenario files run beside the plan in the compare view (most scenarios
/// shown beside the plan).
pub const MAX_ARMS: usize = 3;

/// The order of the window's systems in a frame's `Update`, before and after the simulation's
/// step (`sim::drive`; the model orders its own rules by `SimSet`): the map's input, the live
/// preview of a drag or slider, the plan's edits applied and the clock paced, then the step,
/// then what draws the map and keeps the compare columns in step.
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WindowSet {
    Input,
    Preview,
    Edit,
    Draw,
}

/// The order of the egui pass: the map's labels, the side panels over them, then the windows
/// over the panels (the compare view).
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiSet {
    Labels,
    Panels,
    Windows,
}

/// Whether the compare view is open and unfolded, so it hides the plan's map (whose labels and
/// inspector are then not drawn). Written by the compare window.
#[derive(Resource, Default, Clone, Copy)]
pub struct MapCovered(pub bool);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tool {
    #[default]
    Select,
    Place(FacilityKind),
    Remove,
}

/// The tools in the order of the panel's buttons, with their labels; keys 1-7 pick them.
pub const TOOLS: [(Tool, &str, KeyCode); 7] = [
    (Tool::Select, "Select / drag", KeyCode::Digit1),
    (Tool::Place(FacilityKind::Supplier), "+ Supplier", KeyCode::Digit2),
    (Tool::Place(FacilityKind::RdCentre), "+ R&D", KeyCode::Digit3),
    (Tool::Place(FacilityKind::TrainingCentre), "+ Training", KeyCode::Digit4),
    (Tool::Place(FacilityKind::LogisticsHub), "+ Logistics hub", KeyCode::Digit5),
    (Tool::Place(FacilityKind::Anchor), "Move anchor", KeyCode::Digit6),
    (Tool::Remove, "Remove", KeyCode::Digit7),
];

#[derive(Clone, Debug)]
pub struct Ghost {
    pub site: Site,
    /// Why the site is refused, if it is.
    pub problem: Option<String>,
}

/// The part of the window left to the map after the side panels, in logical pixels (written by
/// the panel system each frame). The panels sit on egui's background layer, which egui does not
/// count as "over an area", so the map tools ask this instead.
#[derive(Resource, Default, Clone, Copy)]
pub struct MapArea(pub Option<egui::Rect>);

#[derive(Resource, Default)]
pub struct Selection {
    pub tool: Tool,
    /// Facility id shown in the inspector.
    pub selected: Option<u32>,
    /// Facility under the mouse (its label is shown).
    pub hovered: Option<u32>,
    /// Facility being dragged (its place in the plan) and where the drag started.
    pub(super) drag: Option<(PlanRef, Site)>,
    pub ghost: Option<Ghost>,
    pub(super) last_cursor: Option<Vec2>,
    /// A facility just placed or moved (its place in the plan): the inspector selects it once the
    /// plan has been rebuilt, and no ring refuses its own site until the pointer moves away.
    pub just_placed: Option<(PlanRef, Site)>,
    /// The facility the inspector shows once the plan has been rebuilt (taken by the rebuild).
    pub select_after_rebuild: Option<PlanRef>,
}

/// The side panel's own state: the file field, the incentives of a slider being moved, a save
/// waiting for a yes to make its folder.
#[derive(Resource)]
pub struct PanelState {
    pub(super) path: String,
    pub(super) draft: Incentives,
    pub(super) editing: bool,
    /// A save waiting for the planner's yes to make the missing folder it names.
    pub(super) confirm_folder: Option<PathBuf>,
    /// The plan's file when the field was last set from it (a load, or an undo past one, sets it again).
    pub(super) shown_path: Option<PathBuf>,
    /// The Save-as dialog, while open.
    pub(super) save_as: Option<SaveAs>,
}

/// What the Save-as dialog asks: the file, the plan's name and its description.
#[derive(Clone, Debug, Default)]
pub struct SaveAs {
    pub path: String,
    pub name: String,
    pub description: String,
    /// Just opened: the name field takes the keyboard.
    pub fresh: bool,
}

impl PanelState {
    /// The panel of a plan: the File field reads `path`, the sliders its incentives, nothing open.
    pub fn new(path: String, incentives: Incentives, shown_path: Option<PathBuf>) -> Self {
        PanelState { path, draft: incentives, editing: false, confirm_folder: None, shown_path, save_as: None }
    }

    /// The plan with the incentives of a slider being moved (None: no slider held).
    pub fn draft_preview(&self, plan: &Scenario) -> Option<Scenario> {
        (self.editing && self.draft != plan.incentives).then(|| Scenario { incentives: self.draft.clone(), ..plan.clone() })
    }
}

/// Map km -> world units (map centred on the origin).
pub fn to_world(map: &SiteMap, s: Site) -> Vec2 {
    Vec2::new(((s.x_km - map.size_km / 2.0) as f32) * PX_PER_KM, ((s.y_km - map.size_km / 2.0) as f32) * PX_PER_KM)
}

/// World units -> map km.
pub fn to_site(map: &SiteMap, p: Vec2) -> Site {
    Site { x_km: (p.x / PX_PER_KM) as f64 + map.size_km / 2.0, y_km: (p.y / PX_PER_KM) as f64 + map.size_km / 2.0 }
}

/// What the map shades under the facilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Spillover,
    LandPrice,
    WorkerSkill,
    Suitability,
}

impl Overlay {
    pub const ALL: [Overlay; 5] = [Overlay::None, Overlay::Spillover, Overlay::LandPrice, Overlay::WorkerSkill, Overlay::Suitability];
    pub fn label(self) -> &'static str {
        match self {
            Overlay::None => "none",
            Overlay::Spillover => "knowledge spillover",
            Overlay::LandPrice => "land price index",
            Overlay::WorkerSkill => "worker skill",
            Overlay::Suitability => "site suitability",
        }
    }
}

/// The overlay shown and its legend's range (written by the map as it draws it).
#[derive(Resource, Default)]
pub struct OverlayState {
    pub overlay: Overlay,
    /// Value range of the legend.
    pub range: (f64, f64),
    pub(super) drawn: Option<(Overlay, u32, u64)>,
}
