//! `kicsim plan FILE --screenshot OUT.png`: run the plan to its horizon, render, save the
//! window to a PNG and exit. The picture is written to a temporary name and renamed, so a
//! half-written file never appears under OUT.png.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};

use super::{Forecast, Speed};
use crate::sim::SimControl;
use crate::sim::clock::SimClock;

/// Frames to wait after the run and forecast are done, so egui and the map have settled.
const SETTLE_FRAMES: u32 = 20;
/// Give up (with an error) after this many frames.
const MAX_FRAMES: u32 = 3000;

#[derive(Resource)]
struct ShotPlan {
    out: PathBuf,
    tmp: PathBuf,
    frames: u32,
    ready_frames: u32,
    requested: bool,
}

/// F12 saves the window as `kicsim-screenshot-N.png` in the working directory.
pub(super) fn key_plugin(app: &mut App) {
    app.add_systems(Update, on_f12);
}

fn on_f12(mut commands: Commands, keys: Res<ButtonInput<KeyCode>>, mut n: Local<u32>, mut plan: ResMut<super::Plan>) {
    if keys.just_pressed(KeyCode::F12) {
        *n += 1;
        let path = PathBuf::from(format!("kicsim-screenshot-{}.png", *n));
        plan.message = Some((format!("saved the window to {}", path.display()), false));
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(path));
    }
}

pub(super) fn plugin(app: &mut App, out: PathBuf) {
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "screenshot.png".into());
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).map(|p| p.to_path_buf()).unwrap_or_else(|| PathBuf::from("."));
    let tmp = dir.join(format!(".partial-{}-{name}", std::process::id()));
    app.insert_resource(ShotPlan { out, tmp, frames: 0, ready_frames: 0, requested: false });
    app.insert_resource(Speed { quarters_per_second: 100_000.0, ..Default::default() });
    app.add_systems(Update, (show_anchor_spillover, take).chain());
    // The picture shows the plan, not whatever lies under Xvfb's idle pointer.
    app.add_systems(Update, (|mut sel: ResMut<super::tools::Selection>| sel.hovered = None).after(super::tools::mouse_tools));
}

/// Select the anchor and show the spillover overlay, so the picture shows the model at work.
fn show_anchor_spillover(
    mut done: Local<bool>,
    mut sel: ResMut<super::tools::Selection>,
    mut overlay: ResMut<super::map_view::OverlayState>,
    facilities: Query<&crate::sim::Facility>,
) {
    if *done {
        return;
    }
    if let Some(a) = facilities.iter().find(|f| f.kind == crate::sim::FacilityKind::Anchor) {
        sel.selected = Some(a.id);
        overlay.overlay = super::map_view::Overlay::Spillover;
        *done = true;
    }
}

fn take(
    mut commands: Commands,
    mut plan: ResMut<ShotPlan>,
    clock: Res<SimClock>,
    control: Res<SimControl>,
    forecast: Res<Forecast>,
    mut exit: MessageWriter<AppExit>,
) {
    plan.frames += 1;
    if plan.frames > MAX_FRAMES {
        error!("screenshot: gave up after {MAX_FRAMES} frames");
        exit.write(AppExit::from_code(2));
        return;
    }
    let ready = clock.finished() && !control.running && !forecast.pending;
    if !ready {
        return;
    }
    plan.ready_frames += 1;
    if !plan.requested && plan.ready_frames >= SETTLE_FRAMES {
        plan.requested = true;
        let tmp = plan.tmp.with_extension("png");
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(tmp));
    }
    let tmp = plan.tmp.with_extension("png");
    if plan.requested && tmp.exists() {
        match std::fs::rename(&tmp, &plan.out) {
            Ok(()) => {
                info!("screenshot saved to {}", plan.out.display());
                exit.write(AppExit::Success);
            }
            Err(e) => {
                error!("screenshot: cannot write {}: {e}", plan.out.display());
                exit.write(AppExit::from_code(3));
            }
        }
    }
}
