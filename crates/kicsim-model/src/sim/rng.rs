//! All randomness of a run comes from here: one seeded resource holding one ChaCha8 stream per
//! subsystem, so that a change in how often one rule draws does not shift the draws of another.

use bevy::prelude::*;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

#[derive(Resource, Debug)]
pub struct SimRng {
    /// Capability shocks (`capability.rs`).
    pub capability: ChaCha8Rng,
    /// Supplier entry: how many, where, how capable (`firms.rs`).
    pub entry: ChaCha8Rng,
    /// Supplier exit (`firms.rs`).
    pub exit: ChaCha8Rng,
    /// Entrants' catch-up potential (`firms.rs`).
    pub potential: ChaCha8Rng,
    /// Foreign-owned followers: how many, where, how big (`firms.rs`).
    pub foreign: ChaCha8Rng,
}

/// Stream numbers: fixed forever, so old seeds reproduce old runs.
const CAPABILITY: u64 = 1;
const ENTRY: u64 = 2;
const EXIT: u64 = 3;
/// The past of the suppliers listed in the file (`facilities.rs`, drawn once at the start).
pub const HISTORY: u64 = 4;
/// Entrants' catch-up potential (`firms.rs`).
const POTENTIAL: u64 = 5;
/// Foreign-owned followers (`firms.rs`).
const FOREIGN: u64 = 6;

/// A stream derived from the run seed and a stream number (splitmix64 mixing).
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ChaCha8Rng::seed_from_u64(z)
}

pub(super) fn reset(world: &mut World, seed: u64) {
    world.insert_resource(SimRng {
        capability: stream(seed, CAPABILITY),
        entry: stream(seed, ENTRY),
        exit: stream(seed, EXIT),
        potential: stream(seed, POTENTIAL),
        foreign: stream(seed, FOREIGN),
    });
}

/// A standard normal draw (Box-Muller), from any stream.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    use rand::RngExt;
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A Poisson draw by inversion (small means only, as used for entry).
pub fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    use rand::RngExt;
    if mean <= 0.0 {
        return 0;
    }
    let l = (-mean).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.random::<f64>();
        if p <= l || k >= 1000 {
            return k;
        }
        k += 1;
    }
}
