//! Distances on the map: road distance (straight roads wind, the highway does not) and the
//! freight distance of a shipment, which may go through a logistics hub.

use crate::scenario::Site;

use super::dist;
use super::map::SiteMap;

/// Local roads wind: a straight-line km costs this many road km.
pub const ROAD_DETOUR: f64 = 1.3;

/// Road km between two sites: the better of local roads all the way, or local roads to the
/// highway, along it, and local roads from it.
pub fn road_km(map: &SiteMap, a: Site, b: Site) -> f64 {
    let local = ROAD_DETOUR * dist(a, b);
    let hy = map.highway_y_km;
    let hx_max = map.port.x_km;
    let on = |s: Site| Site { x_km: s.x_km.min(hx_max), y_km: hy };
    let (pa, pb) = (on(a), on(b));
    let via = ROAD_DETOUR * (dist(a, pa) + dist(b, pb)) + (pa.x_km - pb.x_km).abs();
    local.min(via)
}

/// Freight-equivalent km of a shipment from `a` to `b`: direct by road, or consolidated through
/// the best logistics hub, whose discount applies to the whole trip.
pub fn freight_km(map: &SiteMap, a: Site, b: Site, hubs: &[Site], hub_discount: f64) -> f64 {
    let direct = road_km(map, a, b);
    hubs.iter().map(|h| (road_km(map, a, *h) + road_km(map, *h, b)) * (1.0 - hub_discount)).fold(direct, f64::min)
}
