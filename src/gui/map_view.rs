//! Drawing the map: terrain texture, overlays with a legend, highway, port, towns and the
//! facilities (one mesh per facility, on the sim's own entities), plus labels.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::PX_PER_KM;
use super::state::{MapArea, MapCovered, Overlay, OverlayState, Selection, Tool, UiSet, WindowSet, to_world};
use super::theme::{SITE_OK_RGB, SITE_REFUSED_LABEL_RGB, SITE_REFUSED_RGB, TOWN_LABEL_RGB, WATER_RGB, color32, facility_rgb};
use crate::scenario::{Site, Tier};
use crate::sim::clock::SimClock;
use crate::sim::map::{MAX_BUILD_SLOPE_PCT, SiteMap};
use crate::sim::spillover::SpilloverSources;
use crate::sim::workforce::{LabourPools, worker_skill};
use crate::sim::{ActiveScenario, Facility, FacilityKind, Supplier};

#[derive(Component)]
struct TerrainSprite;
#[derive(Component)]
struct OverlaySprite;
#[derive(Component)]
struct MapDecor;
/// A marker (port, town) that keeps about its size on screen when zoomed out, like the icons.
#[derive(Component)]
struct ScreenSized;

/// How much icons and markers are scaled at a zoom: about their size on screen when zoomed out
/// (a big map would shrink them to dots), growing a little when zoomed in.
fn icon_scale(zoom: f32) -> f32 {
    (zoom / 1.45).max(0.6)
}

#[derive(Resource)]
struct Palette {
    anchor: (Handle<Mesh>, Handle<ColorMaterial>),
    supplier: Handle<Mesh>,
    /// Foreign-owned suppliers: a small square in the tier's colour.
    foreign: Handle<Mesh>,
    tier: [Handle<ColorMaterial>; 3],
    rd: (Handle<Mesh>, Handle<ColorMaterial>),
    training: (Handle<Mesh>, Handle<ColorMaterial>),
    hub: (Handle<Mesh>, Handle<ColorMaterial>),
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<OverlayState>();
    app.add_systems(Startup, setup);
    app.add_systems(Update, (draw_terrain, draw_overlay, dress_facilities, draw_gizmos).in_set(WindowSet::Draw));
    app.add_systems(EguiPrimaryContextPass, draw_labels.in_set(UiSet::Labels));
}

fn setup(mut commands: Commands, mut meshes: ResMut<Assets<Mesh>>, mut mats: ResMut<Assets<ColorMaterial>>) {
    // The map is centred between the side panels; zoom so a 30 km map fits the central area.
    commands.spawn((Camera2d, Projection::Orthographic(OrthographicProjection { scale: 1.45, ..OrthographicProjection::default_2d() })));
    let mut mat = |kind: FacilityKind, tier: Option<Tier>| {
        let [r, g, b] = facility_rgb(kind, tier);
        mats.add(ColorMaterial::from_color(Color::srgb_u8(r, g, b)))
    };
    let palette = Palette {
        anchor: (meshes.add(Rectangle::new(20.0, 20.0)), mat(FacilityKind::Anchor, None)),
        supplier: meshes.add(Circle::new(5.5)),
        foreign: meshes.add(Rectangle::new(10.0, 10.0)),
        tier: [
            mat(FacilityKind::Supplier, None),
            mat(FacilityKind::Supplier, Some(Tier::Tier2)),
            mat(FacilityKind::Supplier, Some(Tier::Tier1)),
        ],
        rd: (meshes.add(RegularPolygon::new(11.0, 6)), mat(FacilityKind::RdCentre, None)),
        training: (
            meshes.add(Triangle2d::new(Vec2::new(0.0, 12.0), Vec2::new(-11.0, -8.0), Vec2::new(11.0, -8.0))),
            mat(FacilityKind::TrainingCentre, None),
        ),
        hub: (meshes.add(Rhombus::new(22.0, 22.0)), mat(FacilityKind::LogisticsHub, None)),
    };
    commands.insert_resource(palette);
}

fn image_from(map: &SiteMap, pixel: impl Fn(usize) -> [u8; 4]) -> Image {
    let n = map.n;
    let mut data = vec![0u8; n * n * 4];
    for row in 0..n {
        // Image rows run top-down; map rows run south-north.
        let y = n - 1 - row;
        for x in 0..n {
            let p = pixel(y * n + x);
            data[(row * n + x) * 4..(row * n + x) * 4 + 4].copy_from_slice(&p);
        }
    }
    let mut img = Image::new(
        Extent3d { width: n as u32, height: n as u32, depth_or_array_layers: 1 },
        TextureDimension::D2,
        data,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    img.sampler = ImageSampler::nearest();
    img
}

fn draw_terrain(
    mut commands: Commands,
    map: Res<SiteMap>,
    mut images: ResMut<Assets<Image>>,
    old: Query<Entity, Or<(With<TerrainSprite>, With<MapDecor>)>>,
) {
    if !map.is_changed() {
        return;
    }
    for e in &old {
        commands.entity(e).despawn();
    }
    let img = image_from(&map, |i| {
        if map.water[i] {
            let [r, g, b] = WATER_RGB;
            return [r, g, b, 255];
        }
        let s = map.slope_pct[i];
        if s > MAX_BUILD_SLOPE_PCT {
            return [128, 104, 78, 255];
        }
        let k = 1.0 - (s / MAX_BUILD_SLOPE_PCT) * 0.35;
        let e = (map.elevation_m[i] / 300.0).min(1.0) * 25.0;
        [(120.0 * k + e) as u8, (170.0 * k) as u8, (95.0 * k) as u8, 255]
    });
    let side = map.size_km as f32 * PX_PER_KM;
    commands.spawn((
        TerrainSprite,
        Sprite { image: images.add(img), custom_size: Some(Vec2::splat(side)), ..default() },
        Transform::from_xyz(0.0, 0.0, 0.0),
    ));
    // Highway from the west edge to the port.
    let a = to_world(&map, Site { x_km: 0.0, y_km: map.highway_y_km });
    let b = to_world(&map, map.port);
    commands.spawn((
        MapDecor,
        Sprite::from_color(Color::srgb(0.25, 0.25, 0.28), Vec2::new(b.x - a.x, 5.0)),
        Transform::from_xyz((a.x + b.x) / 2.0, a.y, 2.0),
    ));
    commands.spawn((
        MapDecor,
        ScreenSized,
        Sprite::from_color(Color::srgb(0.1, 0.12, 0.3), Vec2::new(16.0, 16.0)),
        Transform::from_xyz(b.x, b.y, 2.5),
    ));
    for t in &map.towns {
        let p = to_world(&map, t.site);
        let r = (t.workers / 1000.0).sqrt() as f32 * 4.0;
        commands.spawn((
            MapDecor,
            ScreenSized,
            Sprite::from_color(Color::srgba(0.95, 0.9, 0.75, 0.55), Vec2::splat(r * 2.0)),
            Transform::from_xyz(p.x, p.y, 1.5),
        ));
    }
}

/// Value of an overlay in cell i.
fn overlay_value(o: Overlay, map: &SiteMap, sources: &SpilloverSources, pools: &LabourPools, scenario: &ActiveScenario, i: usize) -> f64 {
    let site = map.cell_centre(i);
    match o {
        Overlay::None => 0.0,
        Overlay::Spillover => sources.at(site, scenario.0.model.spillover_lambda_km, None),
        Overlay::LandPrice => map.land_price[i],
        Overlay::WorkerSkill => worker_skill(map, &pools.skill, site, scenario.0.model.commute_lambda_km),
        Overlay::Suitability => map.suitability(i),
    }
}

fn draw_overlay(
    mut commands: Commands,
    mut state: ResMut<OverlayState>,
    map: Res<SiteMap>,
    clock: Res<SimClock>,
    sources: Res<SpilloverSources>,
    pools: Res<LabourPools>,
    scenario: Res<ActiveScenario>,
    forecast: Res<super::Forecast>,
    mut images: ResMut<Assets<Image>>,
    old: Query<Entity, With<OverlaySprite>>,
) {
    let key = (state.overlay, clock.quarter, forecast.generation);
    if state.drawn == Some(key) && !map.is_changed() {
        return;
    }
    state.drawn = Some(key);
    for e in &old {
        commands.entity(e).despawn();
    }
    if state.overlay == Overlay::None {
        return;
    }
    let vals: Vec<f64> = (0..map.n * map.n).map(|i| overlay_value(state.overlay, &map, &sources, &pools, &scenario, i)).collect();
    // Suitability is drawn on its 0..1 scale; the others (worker skill too, whose values sit in a
    // narrow band) on their range over land, so the colours tell places apart.
    let (lo, hi) = if state.overlay == Overlay::Suitability {
        (0.0, 1.0)
    } else {
        let land = vals.iter().zip(&map.water).filter(|(_, w)| !**w).map(|(v, _)| *v);
        let (lo, hi) = land.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        (lo, hi.max(lo + 1e-9))
    };
    state.range = (lo, hi);
    let img = image_from(&map, |i| {
        if map.water[i] {
            return [0, 0, 0, 0];
        }
        // Low values stay see-through so the terrain shows under the field.
        let t = ((vals[i] - lo) / (hi - lo)).clamp(0.0, 1.0);
        let [r, g, b] = crate::style::viridis_rgb(t);
        [r, g, b, (70.0 + 150.0 * t) as u8]
    });
    let side = map.size_km as f32 * PX_PER_KM;
    commands.spawn((
        OverlaySprite,
        Sprite { image: images.add(img), custom_size: Some(Vec2::splat(side)), ..default() },
        Transform::from_xyz(0.0, 0.0, 1.0),
    ));
}

/// Gives every sim facility a mesh and keeps it where the facility is.
fn dress_facilities(
    mut commands: Commands,
    palette: Res<Palette>,
    map: Res<SiteMap>,
    new: Query<(Entity, &Facility, Option<&Supplier>), Without<Mesh2d>>,
    mut placed: Query<(&Facility, Option<&Supplier>, &mut Transform, &mut MeshMaterial2d<ColorMaterial>), Without<Camera2d>>,
    mut markers: Query<&mut Transform, (With<ScreenSized>, Without<Camera2d>, Without<Facility>)>,
    camera: Single<&Projection, With<Camera2d>>,
) {
    let zoom = if let Projection::Orthographic(o) = *camera { o.scale } else { 1.0 };
    let icon = icon_scale(zoom);
    for mut t in &mut markers {
        t.scale = Vec3::splat(icon);
    }
    for (e, f, sp) in &new {
        let (mesh, mat, z) = match f.kind {
            FacilityKind::Anchor => (palette.anchor.0.clone(), palette.anchor.1.clone(), 6.0),
            // A foreign-owned supplier is a small square, a domestic-owned one a circle.
            FacilityKind::Supplier => {
                let shape = if sp.is_some_and(|s| s.is_foreign()) { &palette.foreign } else { &palette.supplier };
                (shape.clone(), palette.tier[tier_index(sp.map(|s| s.tier))].clone(), 4.0)
            }
            FacilityKind::RdCentre => (palette.rd.0.clone(), palette.rd.1.clone(), 5.0),
            FacilityKind::TrainingCentre => (palette.training.0.clone(), palette.training.1.clone(), 5.0),
            FacilityKind::LogisticsHub => (palette.hub.0.clone(), palette.hub.1.clone(), 5.0),
        };
        let p = to_world(&map, f.site);
        commands.entity(e).insert((Mesh2d(mesh), MeshMaterial2d(mat), Transform::from_xyz(p.x, p.y, z)));
    }
    for (f, sp, mut t, mut m) in &mut placed {
        let p = to_world(&map, f.site);
        t.translation.x = p.x;
        t.translation.y = p.y;
        t.scale = Vec3::splat(icon);
        if let Some(sp) = sp {
            let want = &palette.tier[tier_index(Some(sp.tier))];
            if m.0 != *want {
                m.0 = want.clone();
            }
        }
    }
}

fn tier_index(t: Option<Tier>) -> usize {
    match t {
        Some(Tier::Tier1) => 2,
        Some(Tier::Tier2) => 1,
        _ => 0,
    }
}

fn draw_gizmos(
    mut gizmos: Gizmos,
    map: Res<SiteMap>,
    selection: Res<Selection>,
    facilities: Query<&Facility>,
    scenario: Res<ActiveScenario>,
) {
    let side = map.size_km as f32 * PX_PER_KM;
    gizmos.rect_2d(Isometry2d::IDENTITY, Vec2::splat(side), Color::srgb(0.1, 0.1, 0.1));
    if let Some(id) = selection.selected
        && let Some(f) = facilities.iter().find(|f| f.id == id)
    {
        let p = to_world(&map, f.site);
        gizmos.circle_2d(Isometry2d::from_translation(p), 16.0, Color::WHITE);
        if f.kind == FacilityKind::Anchor {
            // The spillover reach: one and two decay lengths.
            let l = scenario.0.model.spillover_lambda_km as f32 * PX_PER_KM;
            gizmos.circle_2d(Isometry2d::from_translation(p), l, Color::srgba(1.0, 1.0, 1.0, 0.6));
            gizmos.circle_2d(Isometry2d::from_translation(p), 2.0 * l, Color::srgba(1.0, 1.0, 1.0, 0.3));
        }
    }
    if let Some(g) = &selection.ghost {
        let p = to_world(&map, g.site);
        // Before the click: how far what is being placed reaches.
        if g.problem.is_none()
            && let Some((half, outer)) = reach_km(selection.tool, &scenario.0)
        {
            let c = Color::srgba(1.0, 1.0, 0.75, 0.7);
            gizmos.circle_2d(Isometry2d::from_translation(p), half as f32 * PX_PER_KM, c);
            gizmos.circle_2d(Isometry2d::from_translation(p), outer as f32 * PX_PER_KM, c.with_alpha(0.35));
        }
        let [r, gr, b] = if g.problem.is_none() { SITE_OK_RGB } else { SITE_REFUSED_RGB };
        let c = Color::srgb_u8(r, gr, b);
        gizmos.circle_2d(Isometry2d::from_translation(p), 12.0, c);
        gizmos.circle_2d(Isometry2d::from_translation(p), 13.0, c);
        if g.problem.is_some() {
            gizmos.line_2d(p + Vec2::new(-9.0, -9.0), p + Vec2::new(9.0, 9.0), c);
            gizmos.line_2d(p + Vec2::new(-9.0, 9.0), p + Vec2::new(9.0, -9.0), c);
        }
    }
}

/// The reach of a facility being placed, km: (where its effect halves, where it is a tenth) of
/// the spillover for the anchor and R&D centres, of commuting for training centres and suppliers.
pub fn reach_km(tool: Tool, s: &crate::scenario::Scenario) -> Option<(f64, f64)> {
    let Tool::Place(kind) = tool else { return None };
    let l = match kind {
        FacilityKind::Anchor | FacilityKind::RdCentre => s.model.spillover_lambda_km,
        FacilityKind::TrainingCentre | FacilityKind::Supplier => s.model.commute_lambda_km,
        FacilityKind::LogisticsHub => return None,
    };
    Some((l * 2f64.ln(), l * 10f64.ln()))
}

/// What the reach rings of [`reach_km`] mean, for the status under the ghost.
fn reach_text(tool: Tool, s: &crate::scenario::Scenario) -> Option<String> {
    let (half, tenth) = reach_km(tool, s)?;
    let what = match tool {
        Tool::Place(FacilityKind::Anchor | FacilityKind::RdCentre) => "spillover",
        _ => "commuting reach",
    };
    Some(format!("{what}: half at {half:.1} km, a tenth at {tenth:.1} km"))
}

/// A round length for the scale bar: about a fifth of the visible map width.
pub fn scale_bar_km(visible_km: f64) -> f64 {
    let raw = (visible_km / 5.0).max(0.1);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).rfind(|&v| v <= raw * 1.0001).unwrap_or(p)
}

/// The map's legend (what each icon is) and a scale bar, in the bottom-left corner of the map area.
fn draw_legend(painter: &egui::Painter, area: egui::Rect, px_per_km: f32) {
    let font = egui::FontId::proportional(11.0);
    let items: [(FacilityKind, Option<Tier>, &str); 7] = [
        (FacilityKind::Anchor, None, "anchor (square)"),
        (FacilityKind::Supplier, None, "supplier, no tier"),
        (FacilityKind::Supplier, Some(Tier::Tier2), "tier-2 supplier"),
        (FacilityKind::Supplier, Some(Tier::Tier1), "tier-1 supplier (square: foreign)"),
        (FacilityKind::RdCentre, None, "R&D centre (hexagon)"),
        (FacilityKind::TrainingCentre, None, "training centre (triangle)"),
        (FacilityKind::LogisticsHub, None, "logistics hub (diamond)"),
    ];
    let line_h = 14.0;
    let bar_km = scale_bar_km((area.width() / px_per_km) as f64);
    let bar_px = bar_km as f32 * px_per_km;
    let height = line_h * items.len() as f32 + 30.0;
    let box_rect = egui::Rect::from_min_size(
        egui::pos2(area.min.x + 8.0, area.max.y - height - 8.0),
        egui::vec2(195.0_f32.max(bar_px + 16.0), height),
    );
    painter.rect_filled(box_rect, 4.0, egui::Color32::from_black_alpha(150));
    for (i, (kind, tier, text)) in items.iter().enumerate() {
        let y = box_rect.min.y + 6.0 + line_h * (i as f32 + 0.5);
        let c = color32(facility_rgb(*kind, *tier));
        painter.circle_filled(egui::pos2(box_rect.min.x + 12.0, y), 4.5, c);
        painter.text(egui::pos2(box_rect.min.x + 22.0, y), egui::Align2::LEFT_CENTER, *text, font.clone(), egui::Color32::WHITE);
    }
    let y = box_rect.max.y - 12.0;
    let x0 = box_rect.min.x + 8.0;
    let stroke = egui::Stroke::new(2.0, egui::Color32::WHITE);
    painter.line_segment([egui::pos2(x0, y), egui::pos2(x0 + bar_px, y)], stroke);
    for x in [x0, x0 + bar_px] {
        painter.line_segment([egui::pos2(x, y - 4.0), egui::pos2(x, y + 4.0)], stroke);
    }
    let label = if bar_km >= 1.0 { format!("{bar_km:.0} km") } else { format!("{:.0} m", bar_km * 1000.0) };
    painter.text(egui::pos2(x0 + bar_px + 6.0, y), egui::Align2::LEFT_CENTER, label, font, egui::Color32::WHITE);
}

/// A supplier's tier as the map's legend names it.
fn tier_words(t: Tier) -> &'static str {
    match t {
        Tier::Untiered => "no tier",
        Tier::Tier2 => "tier-2",
        Tier::Tier1 => "tier-1",
    }
}

/// Labels of facilities, towns and the port, drawn by egui at the facilities' screen positions.
pub(super) fn draw_labels(
    mut contexts: EguiContexts,
    map: Res<SiteMap>,
    camera: Single<(&Camera, &GlobalTransform, &Projection)>,
    facilities: Query<(&Facility, Option<&Supplier>)>,
    selection: Res<Selection>,
    pools: Res<crate::sim::workforce::LabourPools>,
    map_area: Res<MapArea>,
    covered: Res<MapCovered>,
    scenario: Res<ActiveScenario>,
) -> Result {
    if covered.0 {
        // Hidden under the compare view, but for a sliver at its edge.
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let (cam, cam_t, proj) = *camera;
    let scale = match proj {
        Projection::Orthographic(o) => o.scale,
        _ => 1.0,
    };
    let painter = ctx.layer_painter(egui::LayerId::background());
    let font = egui::FontId::proportional(12.0);
    // Where a label would go and what it would show (None off screen).
    let place = |site: Site, text: &str, color: egui::Color32, offset: f32| {
        let w = to_world(&map, site);
        let p = cam.world_to_viewport(cam_t, w.extend(0.0)).ok()?;
        let pos = egui::pos2(p.x, p.y + offset);
        let galley = painter.layout_no_wrap(text.to_string(), font.clone(), color);
        Some(egui::Align2::CENTER_TOP.anchor_size(pos, galley.size()).expand(2.0))
    };
    let label_with = |site: Site, text: &str, color: egui::Color32, offset: f32, backdrop: u8| {
        let w = to_world(&map, site);
        if let Ok(p) = cam.world_to_viewport(cam_t, w.extend(0.0)) {
            let pos = egui::pos2(p.x, p.y + offset);
            let galley = painter.layout_no_wrap(text.to_string(), font.clone(), color);
            let mut rect = egui::Align2::CENTER_TOP.anchor_size(pos, galley.size()).expand(2.0);
            // Keep labels of places near the edge within the map's area, clear of the panels.
            if let Some(area) = map_area.0 {
                if rect.min.x < area.min.x && pos.x >= area.min.x {
                    rect = rect.translate(egui::vec2(area.min.x - rect.min.x, 0.0));
                } else if rect.max.x > area.max.x && pos.x <= area.max.x {
                    rect = rect.translate(egui::vec2(area.max.x - rect.max.x, 0.0));
                }
            }
            painter.rect_filled(rect, 3.0, egui::Color32::from_black_alpha(backdrop));
            painter.galley(rect.min + egui::vec2(2.0, 2.0), galley, color);
        }
    };
    let label = |site: Site, text: &str, color: egui::Color32, offset: f32| label_with(site, text, color, offset, 140);
    label(map.port, "Port", egui::Color32::WHITE, 10.0);
    for (i, t) in map.towns.iter().enumerate() {
        // The pool's skill now (training raises it), else its starting skill.
        let skill = pools.skill.get(i).copied().unwrap_or(t.skill);
        label(t.site, &format!("{} ({:.0}k workers, skill {:.2})", t.name, t.workers / 1000.0, skill), color32(TOWN_LABEL_RGB), 8.0);
    }
    let mut list: Vec<(&Facility, Option<&Supplier>)> = facilities.iter().collect();
    list.sort_by_key(|(f, _)| f.id);
    let text = |f: &Facility, sp: Option<&Supplier>| match sp {
        Some(sp) if sp.is_foreign() => {
            format!("{} ({}): capability {:.2}, {}", f.name, sp.ownership.label(), sp.capability, tier_words(sp.tier))
        }
        Some(sp) => format!("{}: capability {:.2}, {}", f.name, sp.capability, tier_words(sp.tier)),
        None => f.name.clone(),
    };
    let offset = 12.0 / scale.max(0.3);
    let highlighted = |f: &Facility| selection.selected == Some(f.id) || selection.hovered == Some(f.id);
    // Facilities other than suppliers are always labelled and never covered: a supplier's label
    // that would cover one of their icons or another label is left out (hover shows it).
    let mut taken: Vec<egui::Rect> = Vec::new();
    for &(f, sp) in list.iter().filter(|(f, _)| f.kind != FacilityKind::Supplier) {
        if let Ok(p) = cam.world_to_viewport(cam_t, to_world(&map, f.site).extend(0.0)) {
            taken.push(egui::Rect::from_center_size(egui::pos2(p.x, p.y), egui::vec2(24.0, 24.0)));
        }
        if !highlighted(f) {
            label(f.site, &text(f, sp), egui::Color32::WHITE, offset);
            taken.extend(place(f.site, &text(f, sp), egui::Color32::WHITE, offset));
        }
    }
    if scale < 0.7 {
        for &(f, sp) in list.iter().filter(|(f, _)| f.kind == FacilityKind::Supplier && !highlighted(f)) {
            let Some(rect) = place(f.site, &text(f, sp), egui::Color32::WHITE, offset) else { continue };
            if taken.iter().all(|t| !t.intersects(rect)) {
                label(f.site, &text(f, sp), egui::Color32::WHITE, offset);
                taken.push(rect);
            }
        }
    }
    // The hovered and selected facilities last, on an opaque backdrop, so no other label hides them.
    for &(f, sp) in list.iter().filter(|(f, _)| highlighted(f)) {
        label_with(f.site, &text(f, sp), egui::Color32::from_rgb(255, 255, 160), offset, 235);
    }
    // Why the site under the pointer is refused, where the planner is looking (the panel says it
    // too); or, where it can go, how far what is placed reaches.
    if let Some(g) = &selection.ghost {
        match &g.problem {
            Some(problem) => label_with(g.site, problem, color32(SITE_REFUSED_LABEL_RGB), 16.0 / scale.max(0.3), 235),
            None => {
                if let Some(text) = reach_text(selection.tool, &scenario.0) {
                    label_with(g.site, &text, egui::Color32::from_rgb(255, 255, 190), 16.0 / scale.max(0.3), 200);
                }
            }
        }
    }
    if let Some(area) = map_area.0 {
        draw_legend(&painter, area, PX_PER_KM / scale);
    }
    Ok(())
}
