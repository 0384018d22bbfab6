//! The window's palette: every colour more than one window file draws with (the map's water and
//! icons, the site rings, the compare view's columns, better and worse, the status texts and the
//! KPI curves). The report's series colours come from [`crate::style`], so a scenario has the same
//! colour in the window and in `kicsim compare`'s report.

use bevy_egui::egui;

use crate::scenario::Tier;
use crate::sim::FacilityKind;

/// The colour of water, on the map and in the compare view's minimaps.
pub const WATER_RGB: [u8; 3] = [40, 90, 160];

/// The ring of a site being placed or dragged: green where it can go, red (with a cross and the
/// reason written under it, in the label colour) where it cannot.
pub const SITE_OK_RGB: [u8; 3] = [26, 230, 51];
pub const SITE_REFUSED_RGB: [u8; 3] = [242, 26, 26];
pub const SITE_REFUSED_LABEL_RGB: [u8; 3] = [255, 150, 140];

/// The colour of the towns' labels on the map.
pub const TOWN_LABEL_RGB: [u8; 3] = [255, 240, 200];

/// The colour of a facility's icon (suppliers by tier), shared by the map and the compare view.
pub fn facility_rgb(kind: FacilityKind, tier: Option<Tier>) -> [u8; 3] {
    match (kind, tier) {
        (FacilityKind::Anchor, _) => [217, 51, 38],
        (FacilityKind::RdCentre, _) => [153, 64, 191],
        (FacilityKind::TrainingCentre, _) => [38, 153, 64],
        (FacilityKind::LogisticsHub, _) => [242, 153, 26],
        (_, Some(Tier::Tier1)) => [26, 64, 217],
        (_, Some(Tier::Tier2)) => [90, 180, 242],
        _ => [140, 140, 140],
    }
}

/// An RGB triple (as the model's colour tables give them) as an egui colour.
pub fn color32([r, g, b]: [u8; 3]) -> egui::Color32 {
    egui::Color32::from_rgb(r, g, b)
}

pub fn ramp_color(t: f64) -> egui::Color32 {
    color32(crate::style::viridis_rgb(t))
}

/// One colour per column of the compare view (the plan first), used for its heading and its
/// lines: the colours `kicsim compare` gives the files in its report, in the same order.
pub const ARM_COLORS: [egui::Color32; 1 + super::state::MAX_ARMS] = {
    let c = crate::style::SERIES;
    [
        egui::Color32::from_rgb(c[0][0], c[0][1], c[0][2]),
        egui::Color32::from_rgb(c[1][0], c[1][1], c[1][2]),
        egui::Color32::from_rgb(c[2][0], c[2][1], c[2][2]),
        egui::Color32::from_rgb(c[3][0], c[3][1], c[3][2]),
    ]
};

/// Land in the minimaps (flat: they show where the facilities are, not the terrain).
pub const MINIMAP_LAND: egui::Color32 = egui::Color32::from_rgb(110, 160, 90);

/// Colours of a better and a worse difference.
pub const BETTER: egui::Color32 = egui::Color32::from_rgb(120, 210, 130);
pub const WORSE: egui::Color32 = egui::Color32::from_rgb(255, 130, 110);

/// The status line's colours: refusals and errors, and what went well.
pub const ERROR_TEXT: egui::Color32 = egui::Color32::from_rgb(255, 110, 100);
pub const OK_TEXT: egui::Color32 = egui::Color32::from_rgb(150, 220, 150);

/// The colour of the localization curve in the KPI charts.
pub const LOCALIZATION_COLOR: egui::Color32 = egui::Color32::from_rgb(90, 200, 120);
/// The colour of the exports curve in the KPI charts.
pub const EXPORTS_COLOR: egui::Color32 = egui::Color32::from_rgb(240, 170, 60);
