//! The site map, generated from `map.seed` with the `noise` crate: land and sea (the coast is
//! on the east), terrain slope, a port on the coast, a highway from the port inland, towns as
//! labour pools (size, skill), and a land-price field.
//!
//! A map is generated once per [`MapSpec`] and shared: [`SiteMap`] is a handle (an `Arc`) to the
//! map's data, and [`SiteMap::generate`] returns the cached map when the same spec was
//! generated before, so replications, sweep points and validation of one plan pay for one map.

use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use bevy::prelude::*;
use noise::{Fbm, MultiFractal, NoiseFn, Perlin};
use rand::RngExt;

use super::rng;
use crate::scenario::{MapSpec, Scenario, Site};

/// Steepest slope (percent) on which a facility may be built.
pub const MAX_BUILD_SLOPE_PCT: f64 = 8.0;
/// Closest two facilities may stand, km.
pub const MIN_FACILITY_SPACING_KM: f64 = 0.4;

#[derive(Clone, Debug, PartialEq)]
pub struct Town {
    pub name: String,
    pub site: Site,
    /// Manufacturing labour pool, workers.
    pub workers: f64,
    /// Initial skill of the pool, 0..1.
    pub skill: f64,
}

/// The map of a scenario: a shared handle to its (immutable) data.
#[derive(Resource, Clone, Debug)]
pub struct SiteMap(Arc<MapData>);

impl Deref for SiteMap {
    type Target = MapData;
    fn deref(&self) -> &MapData {
        &self.0
    }
}

/// Maps kept by the cache: a workshop session holds a few plans; beyond this the oldest goes.
const CACHED_MAPS: usize = 8;

type Cache = Mutex<Vec<(MapKey, SiteMap)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Vec::new()))
}

#[derive(Clone, Debug)]
pub struct MapData {
    pub size_km: f64,
    pub cell_km: f64,
    /// Cells per side.
    pub n: usize,
    /// Row-major (y * n + x), cell centres at ((x + 0.5) cell_km, (y + 0.5) cell_km).
    pub elevation_m: Vec<f64>,
    pub water: Vec<bool>,
    pub slope_pct: Vec<f64>,
    /// Land price index (mean over land is 1).
    pub land_price: Vec<f64>,
    pub port: Site,
    /// The highway runs along y = highway_y_km from the west edge to the port.
    pub highway_y_km: f64,
    pub towns: Vec<Town>,
    /// The spec this map was generated from (to skip regeneration on reset).
    key: MapKey,
}

type MapKey = (u64, u64, u64, u64, u64, u32);

/// Why a site cannot take a facility.
#[derive(Clone, Debug, PartialEq)]
pub enum SiteProblem {
    OffMap,
    Water,
    TooSteep(f64),
    Overlap { other: String, km: f64 },
}

impl std::fmt::Display for SiteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SiteProblem::OffMap => write!(f, "the site is off the map"),
            SiteProblem::Water => write!(f, "the site is in water"),
            SiteProblem::TooSteep(s) => {
                write!(f, "the site is too steep ({s:.1}% slope; at most {MAX_BUILD_SLOPE_PCT}%)")
            }
            SiteProblem::Overlap { other, km } => {
                write!(f, "the site overlaps {other} ({km:.2} km apart; at least {MIN_FACILITY_SPACING_KM} km)")
            }
        }
    }
}

pub(super) fn reset(world: &mut World, scenario: &Scenario) {
    let stale = world.get_resource::<SiteMap>().map(|m| m.spec_key() != spec_key(&scenario.map)).unwrap_or(true);
    if stale {
        world.insert_resource(SiteMap::generate(&scenario.map));
    }
}

fn spec_key(spec: &MapSpec) -> MapKey {
    (spec.seed, spec.size_km.to_bits(), spec.cell_km.to_bits(), spec.sea_share.to_bits(), spec.relief_m.to_bits(), spec.towns)
}

const TOWN_NAMES: [&str; 20] = [
    "Phu My",
    "Tan Thanh",
    "Long Son",
    "Binh An",
    "Hoa Loi",
    "My Xuan",
    "Chau Duc",
    "Dat Do",
    "Long Hai",
    "Ngai Giao",
    "Kim Long",
    "Suoi Nghe",
    "Hac Dich",
    "Song Xoai",
    "Toc Tien",
    "Chau Pha",
    "Tan Hai",
    "Phuoc Hoa",
    "Xuyen Moc",
    "Lang Dai",
];

impl SiteMap {
    fn spec_key(&self) -> MapKey {
        self.key
    }

    /// The map of a spec: from the cache when it was generated before, else generated and kept.
    pub fn generate(spec: &MapSpec) -> SiteMap {
        let key = spec_key(spec);
        if let Some((_, m)) = cache().lock().ok().and_then(|c| c.iter().find(|(k, _)| *k == key).cloned()) {
            return m;
        }
        let map = SiteMap(Arc::new(MapData::generate(spec)));
        if let Ok(mut c) = cache().lock()
            && !c.iter().any(|(k, _)| *k == key)
        {
            if c.len() >= CACHED_MAPS {
                c.remove(0);
            }
            c.push((key, map.clone()));
        }
        map
    }
}

impl SiteMap {
    /// A newly generated map, not taken from or put in the cache (benchmarks of generation).
    pub fn generate_uncached(spec: &MapSpec) -> SiteMap {
        SiteMap(Arc::new(MapData::generate(spec)))
    }
}

impl MapData {
    fn generate(spec: &MapSpec) -> MapData {
        let n = ((spec.size_km / spec.cell_km).ceil() as usize).clamp(2, 400);
        let cell = spec.size_km / n as f64;
        let seed32 = (spec.seed ^ (spec.seed >> 32)) as u32;
        let hills = Fbm::<Perlin>::new(seed32).set_octaves(4).set_frequency(1.0 / 9.0);
        let coast = Fbm::<Perlin>::new(seed32.wrapping_add(1)).set_octaves(3).set_frequency(1.0 / 12.0);
        let mut elevation = vec![0.0; n * n];
        let mut water = vec![false; n * n];
        for y in 0..n {
            let yk = (y as f64 + 0.5) * cell;
            // The coastline wanders around x = (1 - sea_share) * size.
            let coast_x = spec.size_km * (1.0 - spec.sea_share) + spec.size_km * 0.06 * coast.get([yk, 0.5]);
            for x in 0..n {
                let xk = (x as f64 + 0.5) * cell;
                let inland = ((coast_x - xk) / spec.size_km).max(0.0);
                let h = spec.relief_m * (0.9 * inland + 0.6 * hills.get([xk, yk]).max(-0.2));
                let i = y * n + x;
                water[i] = spec.sea_share > 0.0 && xk > coast_x;
                elevation[i] = if water[i] { -5.0 } else { h.max(1.0) };
            }
        }
        let mut slope = vec![0.0; n * n];
        for y in 0..n {
            for x in 0..n {
                let e = |xx: usize, yy: usize| elevation[yy * n + xx];
                let (x0, x1) = (x.saturating_sub(1), (x + 1).min(n - 1));
                let (y0, y1) = (y.saturating_sub(1), (y + 1).min(n - 1));
                let dx = (e(x1, y) - e(x0, y)) / (((x1 - x0).max(1)) as f64 * cell * 1000.0);
                let dy = (e(x, y1) - e(x, y0)) / (((y1 - y0).max(1)) as f64 * cell * 1000.0);
                slope[y * n + x] = if water[y * n + x] { 0.0 } else { 100.0 * (dx * dx + dy * dy).sqrt() };
            }
        }
        // Port: the coastal land cell nearest the middle of the coast.
        let mid = n / 2;
        let mut port = Site { x_km: spec.size_km * 0.5, y_km: spec.size_km * 0.5 };
        'search: for off in 0..n {
            for y in [mid.saturating_sub(off), (mid + off).min(n - 1)] {
                for x in (0..n.saturating_sub(1)).rev() {
                    let i = y * n + x;
                    if !water[i] && water[i + 1] && slope[i] <= MAX_BUILD_SLOPE_PCT {
                        port = Site { x_km: (x as f64 + 0.5) * cell, y_km: (y as f64 + 0.5) * cell };
                        break 'search;
                    }
                }
            }
        }
        let highway_y_km = port.y_km;

        // Towns: the first at the port, the others on gentle land at least 5 km apart.
        let mut trng = rng::stream(spec.seed, 100);
        let mut towns = vec![Town {
            name: TOWN_NAMES[0].into(),
            site: Site { x_km: (port.x_km - 2.0).max(0.0), y_km: port.y_km + 1.5_f64.min(spec.size_km - port.y_km) },
            workers: 12_000.0,
            skill: 0.45,
        }];
        let mut tries = 0;
        while towns.len() < spec.towns as usize && tries < 5000 {
            tries += 1;
            let site = Site { x_km: trng.random::<f64>() * spec.size_km, y_km: trng.random::<f64>() * spec.size_km };
            let i = index(n, cell, site);
            let spacing: f64 = if tries < 2500 { 5.0 } else { 2.0 };
            if water[i] || slope[i] > 6.0 || towns.iter().any(|t| super::dist(t.site, site) < spacing.min(spec.size_km / 4.0)) {
                continue;
            }
            let workers = 3_000.0 + 9_000.0 * trng.random::<f64>();
            let skill = 0.2 + 0.2 * trng.random::<f64>();
            towns.push(Town { name: TOWN_NAMES[towns.len() % TOWN_NAMES.len()].into(), site, workers, skill });
        }

        // Land price: access to the highway, the port and towns; cheaper on slopes.
        let mut price = vec![0.0; n * n];
        let mut sum = 0.0;
        let mut count = 0.0;
        for y in 0..n {
            for x in 0..n {
                let i = y * n + x;
                if water[i] {
                    continue;
                }
                let s = Site { x_km: (x as f64 + 0.5) * cell, y_km: (y as f64 + 0.5) * cell };
                let hw = (s.y_km - highway_y_km).abs() + (s.x_km - port.x_km).max(0.0);
                let towns_pull: f64 = towns.iter().map(|t| t.workers / 10_000.0 * (-super::dist(s, t.site) / 5.0).exp()).sum();
                let p = 0.4 + 0.6 * (-hw / 4.0).exp() + 0.5 * (-super::dist(s, port) / 6.0).exp() + towns_pull - 0.02 * slope[i].min(20.0);
                price[i] = p.max(0.1);
                sum += price[i];
                count += 1.0;
            }
        }
        let mean = if count > 0.0 { sum / count } else { 1.0 };
        for p in &mut price {
            *p /= mean;
        }
        MapData {
            size_km: spec.size_km,
            cell_km: cell,
            n,
            elevation_m: elevation,
            water,
            slope_pct: slope,
            land_price: price,
            port,
            highway_y_km,
            towns,
            key: spec_key(spec),
        }
    }

    /// Cell index of a site (clamped to the map).
    pub fn cell(&self, site: Site) -> usize {
        index(self.n, self.cell_km, site)
    }

    pub fn cell_centre(&self, i: usize) -> Site {
        Site { x_km: ((i % self.n) as f64 + 0.5) * self.cell_km, y_km: ((i / self.n) as f64 + 0.5) * self.cell_km }
    }

    pub fn on_map(&self, site: Site) -> bool {
        site.x_km.is_finite()
            && site.y_km.is_finite()
            && (0.0..=self.size_km).contains(&site.x_km)
            && (0.0..=self.size_km).contains(&site.y_km)
    }

    pub fn land_price_at(&self, site: Site) -> f64 {
        self.land_price[self.cell(site)]
    }

    /// Can a facility stand here, given the other facilities (name, site)?
    pub fn check_site<'a>(&self, site: Site, others: impl IntoIterator<Item = (&'a str, Site)>) -> Result<(), SiteProblem> {
        if !self.on_map(site) {
            return Err(SiteProblem::OffMap);
        }
        let i = self.cell(site);
        if self.water[i] {
            return Err(SiteProblem::Water);
        }
        if self.slope_pct[i] > MAX_BUILD_SLOPE_PCT {
            return Err(SiteProblem::TooSteep(self.slope_pct[i]));
        }
        for (name, other) in others {
            let d = super::dist(site, other);
            if d < MIN_FACILITY_SPACING_KM {
                return Err(SiteProblem::Overlap { other: name.to_string(), km: d });
            }
        }
        Ok(())
    }

    /// Site suitability for a new supplier, 0..1 (0 = cannot build): gentle land, near labour,
    /// cheap enough. Used by supplier entry and drawn as an overlay.
    pub fn suitability(&self, i: usize) -> f64 {
        if self.water[i] || self.slope_pct[i] > MAX_BUILD_SLOPE_PCT {
            return 0.0;
        }
        let s = self.cell_centre(i);
        let labour: f64 = self.towns.iter().map(|t| (-super::dist(s, t.site) / 8.0).exp()).fold(0.0, f64::max);
        let flat = 1.0 - self.slope_pct[i] / MAX_BUILD_SLOPE_PCT;
        (0.5 * labour + 0.3 * flat + 0.2 / self.land_price[i].max(0.2)).clamp(0.0, 1.0)
    }
}

fn index(n: usize, cell: f64, site: Site) -> usize {
    let x = ((site.x_km / cell).floor().max(0.0) as usize).min(n - 1);
    let y = ((site.y_km / cell).floor().max(0.0) as usize).min(n - 1);
    y * n + x
}
