//! `kicsim plan FILE --screenshot OUT.png`: run the plan to its horizon, render, save the
//! window to a PNG and exit. The picture is written to a temporary name and renamed, so a
//! half-written file never appears under OUT.png.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};

use super::{Forecast, Speed};
use crate::sim::SimControl;
use crate::sim::clock::SimClock;

/// Frames to wait after the run and forecast are done, so egui and the map have settled.
const SETTLE_FRAMES: u32 = 20;
/// Give up (with an error) after this many frames.
const MAX_FRAMES: u32 = 3000;
/// Frames to wait for the picture once it is asked for (it takes a few).
const SAVE_FRAMES: u32 = 300;

#[derive(Resource)]
struct ShotPlan {
    out: PathBuf,
    tmp: PathBuf,
    frames: u32,
    ready_frames: u32,
    /// The frame the picture was asked for.
    requested: Option<u32>,
}

/// Checks `--screenshot OUT.png` before any window opens: a PNG name, in a folder that exists
/// (it is made, as `--out` folders are) and can be written. Returns the temporary name the
/// picture is first saved under, beside OUT.png.
pub fn prepare(out: &Path) -> Result<PathBuf, String> {
    if out.extension().is_none_or(|e| !e.eq_ignore_ascii_case("png")) {
        return Err(format!("--screenshot {}: the picture is a PNG; name it *.png", out.display()));
    }
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "screenshot.png".into());
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).map(|p| p.to_path_buf()).unwrap_or_else(|| PathBuf::from("."));
    if out.is_dir() {
        return Err(format!("--screenshot {}: this is a folder", out.display()));
    }
    // Its folder: made below if missing, so nothing but a file may stand in the way.
    crate::io::check_folder("--screenshot", &dir)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("--screenshot {}: cannot make the folder {}: {}", out.display(), dir.display(), crate::io_words(&e)))?;
    let tmp = dir.join(format!(".partial-{}-{name}", std::process::id()));
    std::fs::write(&tmp, b"")
        .map_err(|e| format!("--screenshot {}: cannot write in {}: {}", out.display(), dir.display(), crate::io_words(&e)))?;
    std::fs::remove_file(&tmp).ok();
    Ok(tmp)
}

/// F12 saves the window as `kicsim-screenshot-N.png` in the working directory, N the next number
/// not taken (pictures of an earlier session are not overwritten).
pub(super) fn key_plugin(app: &mut App) {
    app.add_systems(Update, on_f12);
}

fn on_f12(mut commands: Commands, keys: Res<ButtonInput<KeyCode>>, mut n: Local<u32>, mut plan: ResMut<super::Plan>) {
    if keys.just_pressed(KeyCode::F12) {
        let path = next_picture(&mut n, |p| p.exists());
        plan.message = Some((format!("saved the window to {}", path.display()), false));
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(path));
    }
}

/// The next `kicsim-screenshot-N.png` after picture `n` whose name is not taken.
fn next_picture(n: &mut u32, taken: impl Fn(&Path) -> bool) -> PathBuf {
    loop {
        *n += 1;
        let path = PathBuf::from(format!("kicsim-screenshot-{n}.png"));
        if !taken(&path) {
            return path;
        }
    }
}

/// While present, the window redraws every frame even when the sim is paused (a screenshot
/// counts frames).
#[derive(Resource)]
pub struct KeepAwake;

/// Renders the plan at its horizon and saves it to `out` (through `tmp`, from [`prepare`]), then exits.
pub(super) fn plugin(app: &mut App, out: PathBuf, tmp: PathBuf) {
    app.insert_resource(KeepAwake);
    app.insert_resource(ShotPlan { out, tmp, frames: 0, ready_frames: 0, requested: None });
    app.insert_resource(Speed { quarters_per_second: 100_000.0, ..Default::default() });
    app.add_systems(Update, (show_anchor_spillover, take).chain());
    // The picture shows the plan, not whatever lies under Xvfb's idle pointer.
    app.add_systems(Update, (|mut sel: ResMut<super::state::Selection>| sel.hovered = None).after(super::state::WindowSet::Input));
}

/// Select the anchor and show the spillover overlay, so the picture shows the model at work.
fn show_anchor_spillover(
    mut done: Local<bool>,
    mut sel: ResMut<super::state::Selection>,
    mut overlay: ResMut<super::state::OverlayState>,
    facilities: Query<&crate::sim::Facility>,
) {
    if *done {
        return;
    }
    if let Some(a) = facilities.iter().find(|f| f.kind == crate::sim::FacilityKind::Anchor) {
        sel.selected = Some(a.id);
        overlay.overlay = super::state::Overlay::Spillover;
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
    let ready = clock.finished() && !control.running && !forecast.pending();
    if !ready {
        return;
    }
    plan.ready_frames += 1;
    if plan.requested.is_none() && plan.ready_frames >= SETTLE_FRAMES {
        plan.requested = Some(plan.frames);
        commands.spawn(Screenshot::primary_window()).observe(save_to_disk(plan.tmp.clone()));
    }
    let Some(asked) = plan.requested else { return };
    if !plan.tmp.exists() {
        if plan.frames - asked > SAVE_FRAMES {
            // bevy logged why (e.g. the folder went away).
            error!("screenshot: {} was not written within {SAVE_FRAMES} frames", plan.out.display());
            exit.write(AppExit::from_code(3));
        }
        return;
    }
    match std::fs::rename(&plan.tmp, &plan.out) {
        Ok(()) => {
            info!("screenshot saved to {}", plan.out.display());
            exit.write(AppExit::Success);
        }
        Err(e) => {
            error!("screenshot: cannot write {}: {}", plan.out.display(), crate::io_words(&e));
            exit.write(AppExit::from_code(3));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f12_pictures_skip_names_already_taken() {
        let earlier = [PathBuf::from("kicsim-screenshot-1.png"), PathBuf::from("kicsim-screenshot-2.png")];
        let taken = |p: &Path| earlier.iter().any(|e| e == p);
        let mut n = 0;
        assert_eq!(next_picture(&mut n, taken), PathBuf::from("kicsim-screenshot-3.png"));
        assert_eq!(next_picture(&mut n, taken), PathBuf::from("kicsim-screenshot-4.png"));
        let mut fresh = 0;
        assert_eq!(next_picture(&mut fresh, |_| false), PathBuf::from("kicsim-screenshot-1.png"));
    }
}
