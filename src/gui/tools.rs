//! Mouse and keyboard on the map: select and drag facilities, place new ones, remove them,
//! pan (right or middle drag, arrow keys) and zoom (wheel). Invalid sites are shown red with the
//! reason before the mouse is released, and refused.

use bevy::input::mouse::MouseWheel;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy_egui::egui;
use bevy_egui::input::EguiWantsInput;

use super::PX_PER_KM;
use super::Plan;
use super::state::{Ghost, MapArea, Selection, TOOLS, Tool, WindowSet, to_site};
use crate::scenario::{LogisticsHubSpec, RdCentreSpec, Scenario, Site, SupplierSpec, TrainingCentreSpec};
use crate::sim::facilities::{PlanRef, plan_facilities};
use crate::sim::map::SiteMap;
use crate::sim::{Facility, FacilityKind, SimControl};

/// Whether the pointer is on the panels or an egui window rather than on the map.
fn pointer_over_ui(egui: &EguiWantsInput, area: &MapArea, cursor: Option<Vec2>) -> bool {
    let outside_map = match (area.0, cursor) {
        (Some(r), Some(c)) => !r.contains(egui::pos2(c.x, c.y)),
        _ => false,
    };
    egui.wants_pointer_input() || egui.is_pointer_over_area() || outside_map
}

impl Selection {
    /// Drops a drag in progress (the plan it referred to was replaced).
    pub fn end_drag(&mut self) {
        self.drag = None;
    }

    /// The plan as it would be if the drag in progress ended here (None: no drag, or the site
    /// under the pointer is refused): what the live forecast runs.
    pub fn preview(&self, plan: &Scenario) -> Option<Scenario> {
        let (r, _) = self.drag?;
        let ghost = self.ghost.as_ref().filter(|g| g.problem.is_none())?;
        let mut s = plan.clone();
        *site_of_mut(&mut s, r)? = rounded(ghost.site);
        Some(s)
    }

    /// Picks a tool; a drag in progress ends where it is (nothing moves).
    pub fn set_tool(&mut self, tool: Tool) {
        if tool != self.tool {
            self.tool = tool;
            self.drag = None;
            self.ghost = None;
            self.just_placed = None;
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Selection>();
    app.init_resource::<MapArea>();
    app.add_systems(Update, (fit_map, pan_zoom, mouse_tools, shortcuts).chain().in_set(WindowSet::Input));
}

fn site_problem(map: &SiteMap, s: &Scenario, site: Site, skip: Option<PlanRef>) -> Option<String> {
    let others = plan_facilities(s);
    let others = others.iter().filter(|(r, _, _)| Some(*r) != skip).map(|(_, n, s)| (n.as_str(), *s));
    map.check_site(site, others).err().map(|e| e.to_string())
}

pub fn site_of_mut(s: &mut Scenario, r: PlanRef) -> Option<&mut Site> {
    match r.0 {
        FacilityKind::Anchor => Some(&mut s.anchor.site),
        FacilityKind::Supplier => s.suppliers.get_mut(r.1).map(|f| &mut f.site),
        FacilityKind::RdCentre => s.rd_centres.get_mut(r.1).map(|f| &mut f.site),
        FacilityKind::TrainingCentre => s.training_centres.get_mut(r.1).map(|f| &mut f.site),
        FacilityKind::LogisticsHub => s.logistics_hubs.get_mut(r.1).map(|f| &mut f.site),
    }
}

pub fn remove_from_plan(plan: &mut Plan, r: PlanRef) {
    if r.0 == FacilityKind::Anchor {
        plan.refuse("the anchor cannot be removed (drag it to move it)");
        return;
    }
    plan.edit(&format!("removed a {}", r.0.label()), |s| match r.0 {
        FacilityKind::Supplier => {
            if r.1 < s.suppliers.len() {
                s.suppliers.remove(r.1);
            }
        }
        FacilityKind::RdCentre => {
            if r.1 < s.rd_centres.len() {
                s.rd_centres.remove(r.1);
            }
        }
        FacilityKind::TrainingCentre => {
            if r.1 < s.training_centres.len() {
                s.training_centres.remove(r.1);
            }
        }
        FacilityKind::LogisticsHub => {
            if r.1 < s.logistics_hubs.len() {
                s.logistics_hubs.remove(r.1);
            }
        }
        FacilityKind::Anchor => {}
    });
}

/// Where a facility of this kind placed last stands in the plan.
fn placed_ref(s: &Scenario, kind: FacilityKind) -> PlanRef {
    let n = match kind {
        FacilityKind::Anchor => 1,
        FacilityKind::Supplier => s.suppliers.len(),
        FacilityKind::RdCentre => s.rd_centres.len(),
        FacilityKind::TrainingCentre => s.training_centres.len(),
        FacilityKind::LogisticsHub => s.logistics_hubs.len(),
    };
    PlanRef(kind, n.saturating_sub(1))
}

fn add_to_plan(plan: &mut Plan, kind: FacilityKind, site: Site) -> bool {
    let what = if kind == FacilityKind::Anchor {
        format!("moved the anchor to ({:.2}, {:.2}) km", site.x_km, site.y_km)
    } else {
        let article = if kind.label().starts_with(['a', 'e', 'i', 'o', 'u', 'R']) { "an" } else { "a" };
        format!("placed {article} {} at ({:.2}, {:.2}) km", kind.label(), site.x_km, site.y_km)
    };
    plan.edit(&what, |s| match kind {
        FacilityKind::Supplier => {
            let n = s.suppliers.len() + 1;
            s.suppliers.push(SupplierSpec { name: format!("Supplier {n}"), site, ..Default::default() })
        }
        FacilityKind::RdCentre => {
            let n = s.rd_centres.len() + 1;
            s.rd_centres.push(RdCentreSpec { name: format!("R&D centre {n}"), site, ..Default::default() })
        }
        FacilityKind::TrainingCentre => {
            let n = s.training_centres.len() + 1;
            s.training_centres.push(TrainingCentreSpec { name: format!("Training centre {n}"), site, ..Default::default() })
        }
        FacilityKind::LogisticsHub => {
            let n = s.logistics_hubs.len() + 1;
            s.logistics_hubs.push(LogisticsHubSpec { name: format!("Logistics hub {n}"), site })
        }
        FacilityKind::Anchor => s.anchor.site = site,
    })
}

/// The zoom at which the whole map fits the area between the panels.
fn fit_scale(map_km: f64, area: egui::Rect) -> f32 {
    let side = area.width().min(area.height()).max(50.0);
    (map_km as f32 * PX_PER_KM / side * 1.04).max(0.05)
}

/// How far the camera moves when the zoom goes from `before` to `after` (world units per pixel)
/// so that the world point `from_centre` pixels from the window's centre (y up) stays put.
fn zoom_shift(from_centre: Vec2, before: f32, after: f32) -> Vec2 {
    from_centre * (before - after)
}

/// The view `fit_map` last set up: for which map and free area, and the camera it left.
#[derive(Clone, Copy, PartialEq)]
struct FittedView {
    map_km: f64,
    area: egui::Rect,
    scale: f32,
    at: Vec2,
}

impl FittedView {
    /// Whether to fit the map again, given the map, the free area and the camera now.
    fn needs_refit(&self, map_km: f64, area: egui::Rect, scale: f32, at: Vec2, home: bool) -> bool {
        let untouched = self.scale == scale && self.at == at;
        home || self.map_km != map_km || (self.area != area && untouched)
    }
}

/// Fits the map to the area between the panels when the planner opens, when a plan with a map of
/// another size is loaded, and on the Home key. When the free area changes (the window or a side
/// panel is resized), the map is fitted again unless the planner has zoomed or panned since.
fn fit_map(
    map: Res<SiteMap>,
    area: Res<MapArea>,
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Transform, &mut Projection), With<Camera2d>>,
    mut fitted: Local<Option<FittedView>>,
) {
    let Some(rect) = area.0 else { return };
    let (mut t, mut proj) = camera.into_inner();
    // Read without marking the camera changed.
    let Projection::Orthographic(now) = &*proj else { return };
    let home = keys.just_pressed(KeyCode::Home) && !egui.wants_keyboard_input();
    if !fitted.is_none_or(|f| f.needs_refit(map.size_km, rect, now.scale, t.translation.truncate(), home)) {
        return;
    }
    let Projection::Orthographic(o) = &mut *proj else { return };
    o.scale = fit_scale(map.size_km, rect);
    // The map's centre (the world origin) at the centre of the free area.
    let (w, h) = (window.width(), window.height());
    t.translation.x = -(rect.center().x - w / 2.0) * o.scale;
    t.translation.y = (rect.center().y - h / 2.0) * o.scale;
    *fitted = Some(FittedView { map_km: map.size_km, area: rect, scale: o.scale, at: t.translation.truncate() });
}

fn pan_zoom(
    mut wheel: MessageReader<MouseWheel>,
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Transform, &mut Projection), With<Camera2d>>,
    mut sel: ResMut<Selection>,
    area: Res<MapArea>,
    map: Res<SiteMap>,
) {
    let (mut t, mut proj) = camera.into_inner();
    let Projection::Orthographic(o) = &mut *proj else { return };
    let over_ui = pointer_over_ui(&egui, &area, window.cursor_position());
    for ev in wheel.read() {
        if !over_ui {
            let dy = match ev.unit {
                bevy::input::mouse::MouseScrollUnit::Line => ev.y,
                bevy::input::mouse::MouseScrollUnit::Pixel => ev.y / 40.0,
            };
            // From about 1 km across the view to twice the fitted view.
            let max = area.0.map_or(4.0, |r| 2.0 * fit_scale(map.size_km, r)).max(0.5);
            let scale = (o.scale * 0.9_f32.powf(dy)).clamp(0.05, max);
            // Zoom about the pointer: the point of the map under it stays under it.
            if let Some(c) = window.cursor_position() {
                let from_centre = Vec2::new(c.x - window.width() / 2.0, window.height() / 2.0 - c.y);
                t.translation += zoom_shift(from_centre, o.scale, scale).extend(0.0);
            }
            o.scale = scale;
        }
    }
    let cursor = window.cursor_position();
    if let (Some(c), Some(last)) = (cursor, sel.last_cursor)
        && (buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle))
    {
        let d = (c - last) * o.scale;
        t.translation.x -= d.x;
        t.translation.y += d.y;
    }
    sel.last_cursor = cursor;
    if !egui.wants_keyboard_input() {
        let step = 8.0 * o.scale;
        if keys.pressed(KeyCode::ArrowLeft) {
            t.translation.x -= step;
        }
        if keys.pressed(KeyCode::ArrowRight) {
            t.translation.x += step;
        }
        if keys.pressed(KeyCode::ArrowUp) {
            t.translation.y += step;
        }
        if keys.pressed(KeyCode::ArrowDown) {
            t.translation.y -= step;
        }
    }
}

pub(super) fn mouse_tools(
    buttons: Res<ButtonInput<MouseButton>>,
    egui: Res<EguiWantsInput>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform, &Projection)>,
    map: Res<SiteMap>,
    mut sel: ResMut<Selection>,
    mut plan: ResMut<Plan>,
    facilities: Query<(&Facility, Option<&PlanRef>)>,
    area: Res<MapArea>,
) {
    let (cam, cam_t, proj) = *camera;
    let pick_radius_km = if let Projection::Orthographic(o) = proj { (PICK_RADIUS_PX * o.scale / PX_PER_KM) as f64 } else { 0.6 };
    let site = window.cursor_position().and_then(|c| cam.viewport_to_world_2d(cam_t, c).ok()).map(|w| to_site(&map, w));
    let mut list: Vec<(u32, String, Site, Option<PlanRef>)> =
        facilities.iter().map(|(f, r)| (f.id, f.name.clone(), f.site, r.copied())).collect();
    list.sort_by_key(|f| f.0);
    let input = Pointer {
        site,
        over_ui: pointer_over_ui(&egui, &area, window.cursor_position()),
        pressed: buttons.just_pressed(MouseButton::Left),
        released: buttons.just_released(MouseButton::Left),
        pick_radius_km,
    };
    apply_pointer(&mut sel, &mut plan, &map, &list, input);
}

/// How close (in screen pixels) the pointer must be to a facility to pick it.
const PICK_RADIUS_PX: f32 = 14.0;

/// One frame of the mouse, in map terms.
#[derive(Clone, Copy, Debug)]
pub struct Pointer {
    /// Where the pointer is on the map (None: off the map's view).
    pub site: Option<Site>,
    /// On a panel or window rather than the map.
    pub over_ui: bool,
    /// The left button went down / up this frame.
    pub pressed: bool,
    pub released: bool,
    /// Facilities within this distance of the pointer can be picked.
    pub pick_radius_km: f64,
}

/// The tools' rules: select, drag (with the site checked before the drop), place and remove.
/// `facilities` are (id, name, site, place in the plan) in id order.
pub fn apply_pointer(
    sel: &mut Selection,
    plan: &mut Plan,
    map: &SiteMap,
    facilities: &[(u32, String, Site, Option<PlanRef>)],
    input: Pointer,
) {
    let Some(site) = input.site.filter(|_| !input.over_ui || sel.drag.is_some()) else {
        sel.ghost = None;
        sel.hovered = None;
        return;
    };
    // The facility under the pointer (the nearest within the radius; the lower id on a tie).
    let pick = || {
        let mut best: Option<(f64, &(u32, String, Site, Option<PlanRef>))> = None;
        for f in facilities {
            let d = crate::sim::dist(f.2, site);
            if d < input.pick_radius_km && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, f));
            }
        }
        best.map(|(_, f)| (f.0, f.1.clone(), f.3))
    };
    sel.hovered = pick().map(|(id, _, _)| id);
    match sel.tool {
        Tool::Select => {
            if input.pressed && !input.over_ui {
                match pick() {
                    Some((id, _, r)) => {
                        sel.selected = Some(id);
                        sel.drag = r.map(|r| (r, site));
                        if r.is_none() {
                            plan.message =
                                Some(("this firm entered during the run: inspect only (it is not part of the plan)".into(), false));
                        }
                    }
                    None => sel.selected = None,
                }
            }
            if let Some((r, start)) = sel.drag {
                let moved = crate::sim::dist(start, site) > 0.05;
                sel.ghost = moved.then(|| Ghost { site, problem: site_problem(map, &plan.scenario, site, Some(r)) });
                if input.released {
                    sel.drag = None;
                    sel.ghost = None;
                    if moved {
                        match site_problem(map, &plan.scenario, site, Some(r)) {
                            None => {
                                let to = rounded(site);
                                let name = facilities
                                    .iter()
                                    .find(|f| f.3 == Some(r))
                                    .map_or_else(|| format!("the {}", r.0.label()), |f| f.1.clone());
                                if plan.edit(&format!("moved {name} to ({:.2}, {:.2}) km", to.x_km, to.y_km), |s| {
                                    if let Some(x) = site_of_mut(s, r) {
                                        *x = to;
                                    }
                                }) {
                                    sel.select_after_rebuild = Some(r);
                                }
                            }
                            Some(why) => plan.refuse(format!("move refused: {why}")),
                        }
                    }
                }
            } else {
                sel.ghost = None;
            }
        }
        Tool::Place(kind) => {
            let problem =
                site_problem(map, &plan.scenario, site, (kind == FacilityKind::Anchor).then_some(PlanRef(FacilityKind::Anchor, 0)));
            sel.ghost = Some(Ghost { site, problem: problem.clone() });
            // Right where a facility was just placed, the ring would refuse the site as
            // overlapping the new facility itself: show nothing until the pointer moves on.
            match sel.just_placed {
                Some((_, at)) if crate::sim::dist(at, site) < crate::sim::map::MIN_FACILITY_SPACING_KM => {
                    sel.ghost = None;
                    return;
                }
                Some(_) => sel.just_placed = None,
                None => {}
            }
            if input.pressed && !input.over_ui {
                match problem {
                    None => {
                        let at = rounded(site);
                        if add_to_plan(plan, kind, at) {
                            let r = placed_ref(&plan.scenario, kind);
                            sel.just_placed = Some((r, at));
                            sel.select_after_rebuild = Some(r);
                            sel.ghost = None;
                        }
                    }
                    Some(why) => plan.refuse(format!("cannot place a {} here: {why}", kind.label())),
                }
            }
        }
        Tool::Remove => {
            sel.ghost = None;
            if input.pressed && !input.over_ui {
                match pick() {
                    Some((_, _, Some(r))) => {
                        remove_from_plan(plan, r);
                        // Places in the plan shift after a removal: inspect nothing rather than a neighbour.
                        sel.selected = None;
                    }
                    Some((_, name, None)) => plan.refuse(format!("{name} entered during the run; it is not part of the plan")),
                    None => {}
                }
            }
        }
    }
}

/// A pointer's site to 10 m, as written into the plan.
fn rounded(site: Site) -> Site {
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    Site { x_km: round2(site.x_km), y_km: round2(site.y_km) }
}

fn shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Res<EguiWantsInput>,
    mut plan: ResMut<Plan>,
    mut control: ResMut<SimControl>,
    mut sel: ResMut<Selection>,
    facilities: Query<(&Facility, Option<&PlanRef>)>,
    clock: Res<crate::sim::clock::SimClock>,
) {
    if egui.wants_keyboard_input() {
        return;
    }
    let ctrl = keys.pressed(KeyCode::ControlLeft) || keys.pressed(KeyCode::ControlRight);
    let shift = keys.pressed(KeyCode::ShiftLeft) || keys.pressed(KeyCode::ShiftRight);
    if ctrl && keys.just_pressed(KeyCode::KeyZ) {
        if shift { plan.redo() } else { plan.undo() }
    }
    if ctrl && keys.just_pressed(KeyCode::KeyY) {
        plan.redo();
    }
    if keys.just_pressed(KeyCode::Space) {
        super::toggle_play(&mut plan, &mut control, &clock);
    }
    if keys.just_pressed(KeyCode::Escape) {
        sel.set_tool(Tool::Select);
        sel.selected = None;
    }
    if !ctrl && let Some(&(tool, _, _)) = TOOLS.iter().find(|(_, _, key)| keys.just_pressed(*key)) {
        sel.set_tool(tool);
    }
    if keys.just_pressed(KeyCode::Delete)
        && let Some(id) = sel.selected
        && let Some((_, Some(r))) = facilities.iter().find(|(f, _)| f.id == id)
    {
        let r = *r;
        remove_from_plan(&mut plan, r);
        sel.selected = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;
    use crate::sim::facilities::plan_facilities;

    /// The plan's facilities as the map shows them (ids in plan order).
    fn shown(plan: &Plan) -> Vec<(u32, String, Site, Option<PlanRef>)> {
        plan_facilities(&plan.scenario).into_iter().enumerate().map(|(i, (r, name, site))| (i as u32, name, site, Some(r))).collect()
    }

    /// The default plan, its map, and a selection with `tool`.
    fn setup(tool: Tool) -> (Plan, SiteMap, Selection) {
        let plan = Plan::new(default_scenario(), None);
        let map = SiteMap::generate(&plan.scenario.map);
        (plan, map, Selection { tool, ..Default::default() })
    }

    fn frame(sel: &mut Selection, plan: &mut Plan, map: &SiteMap, site: Site, pressed: bool, released: bool) {
        let list = shown(plan);
        apply_pointer(sel, plan, map, &list, Pointer { site: Some(site), over_ui: false, pressed, released, pick_radius_km: 0.5 });
    }

    /// A buildable site at least `min_km` from every facility of the plan.
    fn free_site(map: &SiteMap, plan: &Plan, min_km: f64) -> Site {
        let taken = shown(plan);
        (0..map.n * map.n)
            .map(|i| map.cell_centre(i))
            .find(|&c| map.check_site(c, []).is_ok() && taken.iter().all(|f| crate::sim::dist(f.2, c) > min_km))
            .expect("a free buildable site")
    }

    fn water(map: &SiteMap) -> Site {
        (0..map.n * map.n)
            .map(|i| map.cell_centre(i))
            .find(|&c| map.check_site(c, []).is_err_and(|e| e.to_string().contains("water")))
            .unwrap()
    }

    #[test]
    fn dragging_a_supplier_into_the_sea_shows_the_reason_and_is_refused() {
        let (mut plan, map, mut sel) = setup(Tool::Select);
        let start = plan.scenario.suppliers[0].site;
        let before = plan.scenario.clone();
        frame(&mut sel, &mut plan, &map, start, true, false);
        let sea = water(&map);
        frame(&mut sel, &mut plan, &map, sea, false, false);
        // While dragging: a ghost at the pointer, marked with the reason.
        let ghost = sel.ghost.clone().expect("a ghost follows the drag");
        assert!(ghost.problem.as_deref().is_some_and(|p| p.contains("water")), "{ghost:?}");
        frame(&mut sel, &mut plan, &map, sea, false, true);
        assert_eq!(plan.scenario, before, "the drop is refused");
        let (msg, is_error) = plan.message.clone().unwrap();
        assert!(is_error && msg.starts_with("move refused") && msg.contains("water"), "{msg}");
        assert!(sel.ghost.is_none());
    }

    /// Picking another tool (keys 1-7) in the middle of a drag ends the drag where it is: nothing
    /// moves, and back in Select the facility does not follow the pointer.
    #[test]
    fn another_tool_picked_mid_drag_ends_the_drag_and_moves_nothing() {
        let (mut plan, map, mut sel) = setup(Tool::Select);
        let start = plan.scenario.suppliers[0].site;
        let before = plan.scenario.clone();
        let target = free_site(&map, &plan, 1.0);
        frame(&mut sel, &mut plan, &map, start, true, false);
        frame(&mut sel, &mut plan, &map, target, false, false);
        assert!(sel.ghost.is_some(), "dragging");
        sel.set_tool(Tool::Place(FacilityKind::RdCentre));
        assert!(sel.ghost.is_none());
        sel.set_tool(TOOLS[0].0);
        frame(&mut sel, &mut plan, &map, target, false, false);
        assert!(sel.ghost.is_none(), "no drag follows the pointer: {:?}", sel.ghost);
        frame(&mut sel, &mut plan, &map, target, false, true);
        assert_eq!(plan.scenario, before, "the release after the switch moves nothing");
        // The keys' table has one entry per tool, in the panel's order, each with its own key.
        let keys: std::collections::HashSet<_> = TOOLS.iter().map(|t| t.2).collect();
        assert_eq!(keys.len(), TOOLS.len());
        assert_eq!(TOOLS[0].0, Tool::Select);
    }

    #[test]
    fn dragging_to_a_free_site_moves_the_facility_and_can_be_undone() {
        let (mut plan, map, mut sel) = setup(Tool::Select);
        let start = plan.scenario.suppliers[0].site;
        let target = free_site(&map, &plan, 1.0);
        frame(&mut sel, &mut plan, &map, start, true, false);
        frame(&mut sel, &mut plan, &map, target, false, false);
        assert!(sel.ghost.as_ref().is_some_and(|g| g.problem.is_none()));
        frame(&mut sel, &mut plan, &map, target, false, true);
        let moved = plan.scenario.suppliers[0].site;
        assert!(crate::sim::dist(moved, target) < 0.01, "{moved:?} vs {target:?}");
        assert!(plan.dirty && plan.changed);
        plan.undo();
        assert_eq!(plan.scenario.suppliers[0].site, start);
    }

    #[test]
    fn placing_checks_the_site_and_removing_takes_the_facility_out() {
        let (mut plan, map, mut sel) = setup(Tool::Place(FacilityKind::RdCentre));
        let n = plan.scenario.rd_centres.len();
        // On top of the anchor: refused, with the reason shown before the click.
        let anchor = plan.scenario.anchor.site;
        let on_anchor = Site { x_km: anchor.x_km + 0.1, y_km: anchor.y_km };
        frame(&mut sel, &mut plan, &map, on_anchor, false, false);
        assert!(sel.ghost.as_ref().and_then(|g| g.problem.as_deref()).is_some_and(|p| p.contains("overlaps")), "{:?}", sel.ghost);
        frame(&mut sel, &mut plan, &map, on_anchor, true, false);
        assert_eq!(plan.scenario.rd_centres.len(), n);
        assert!(plan.message.as_ref().unwrap().0.starts_with("cannot place"));
        // On free land: placed there.
        let free = free_site(&map, &plan, 1.0);
        frame(&mut sel, &mut plan, &map, free, true, false);
        assert_eq!(plan.scenario.rd_centres.len(), n + 1);
        // The remove tool takes it out again; the anchor stays.
        sel.tool = Tool::Remove;
        frame(&mut sel, &mut plan, &map, free, true, false);
        assert_eq!(plan.scenario.rd_centres.len(), n);
        frame(&mut sel, &mut plan, &map, anchor, true, false);
        assert_eq!(plan.scenario.anchor.site, anchor);
        assert!(plan.message.as_ref().unwrap().1, "removing the anchor is refused");
    }

    #[test]
    fn clicks_on_a_panel_do_not_reach_the_map() {
        let (mut plan, map, mut sel) = setup(Tool::Place(FacilityKind::Supplier));
        let free = free_site(&map, &plan, 1.0);
        let n = plan.scenario.suppliers.len();
        let list = shown(&plan);
        apply_pointer(
            &mut sel,
            &mut plan,
            &map,
            &list,
            Pointer { site: Some(free), over_ui: true, pressed: true, released: false, pick_radius_km: 0.5 },
        );
        assert_eq!(plan.scenario.suppliers.len(), n);
        assert!(sel.ghost.is_none());
    }

    #[test]
    fn the_wheel_zooms_about_the_pointer() {
        let (camera, pointer) = (Vec2::new(40.0, -10.0), Vec2::new(120.0, 60.0));
        let world = |camera: Vec2, scale: f32| camera + pointer * scale;
        for (before, after) in [(1.2, 0.9), (0.5, 1.8), (1.0, 1.0)] {
            let moved = camera + zoom_shift(pointer, before, after);
            assert!((world(moved, after) - world(camera, before)).length() < 1e-4, "{before} -> {after}");
        }
    }

    #[test]
    fn a_resized_window_fits_the_map_again_unless_the_planner_zoomed_or_panned() {
        let area = egui::Rect::from_min_max(egui::pos2(380.0, 0.0), egui::pos2(900.0, 800.0));
        let wider = egui::Rect::from_min_max(egui::pos2(380.0, 0.0), egui::pos2(1220.0, 1000.0));
        let f = FittedView { map_km: 30.0, area, scale: 1.2, at: Vec2::new(-20.0, 0.0) };
        assert!(!f.needs_refit(30.0, area, 1.2, f.at, false), "nothing changed");
        assert!(f.needs_refit(30.0, wider, 1.2, f.at, false), "the window grew, the view is as fitted");
        assert!(!f.needs_refit(30.0, wider, 0.8, f.at, false), "zoomed in: the planner's view stays");
        assert!(!f.needs_refit(30.0, wider, 1.2, Vec2::new(15.0, 3.0), false), "panned: the planner's view stays");
        assert!(f.needs_refit(30.0, area, 0.8, f.at, true), "Home fits whatever the view");
        assert!(f.needs_refit(60.0, area, 0.8, f.at, false), "a map of another size");
    }

    #[test]
    fn the_pointer_on_a_side_panel_is_not_on_the_map() {
        let idle = EguiWantsInput::default();
        let area = MapArea(Some(egui::Rect::from_min_max(egui::pos2(380.0, 0.0), egui::pos2(900.0, 800.0))));
        assert!(!pointer_over_ui(&idle, &area, Some(Vec2::new(600.0, 400.0))), "the middle of the map");
        assert!(pointer_over_ui(&idle, &area, Some(Vec2::new(150.0, 600.0))), "the left panel");
        assert!(pointer_over_ui(&idle, &area, Some(Vec2::new(1000.0, 300.0))), "the charts");
        // Before the first frame of panels, nothing is known: the map gets the pointer.
        assert!(!pointer_over_ui(&idle, &MapArea(None), Some(Vec2::new(150.0, 600.0))));
    }
}
