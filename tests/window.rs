//! The planner window renders under Xvfb with Mesa's software Vulkan and saves a screenshot.
//! Needs `xvfb-run` and mesa-vulkan-drivers (scripts/setup.sh installs them).
#![cfg(feature = "gui")]

use std::process::Command;
use std::sync::Mutex;

/// `xvfb-run -a` picks a free display by looking for lock files; two started at the same moment
/// can pick the same one. The window tests take turns.
static XVFB: Mutex<()> = Mutex::new(());

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert_eq!(&bytes[12..16], b"IHDR");
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

/// Fails with what to do when a program the window tests need is not installed.
fn require(program: &str) {
    let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(found, "{program} is missing: run scripts/setup.sh (installs xvfb, xdotool and mesa-vulkan-drivers)");
}

#[test]
fn screenshot_of_the_planner() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xvfb-run");
    let dir = std::env::temp_dir().join(format!("kicsim-window-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("planner.png");
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", env!("CARGO_BIN_EXE_kicsim"), "plan", "scenarios/baseline.ron", "--screenshot"])
        .arg(&out)
        .env("WGPU_BACKEND", "vulkan")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the window run failed: {err}");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_size(&bytes), (1280, 800));
    // A blank or black frame compresses to a few KB; the map, panels and charts do not.
    assert!(bytes.len() > 60_000, "the picture looks empty ({} bytes)", bytes.len());
    // No half-written file is left next to it.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_bad_file_does_not_open_a_window() {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "tests/bad/in_water.ron"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("in_water.ron:4:9") && err.contains("water"), "{err}");
}

#[test]
fn without_a_display_the_planner_says_what_to_do() {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).env_remove("DISPLAY").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error: no display") && err.contains("xvfb-run") && !err.contains("panicked"), "{err}");
}

#[test]
fn compare_view_renders_and_refuses_bad_files() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("kicsim-window-cmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("compare.png");
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24", env!("CARGO_BIN_EXE_kicsim"), "plan", "scenarios/baseline.ron"])
        .args(["--compare", "scenarios/no_incentives.ron", "--compare", "scenarios/capability_plus_lcr.ron", "--screenshot"])
        .arg(&out)
        .env("WGPU_BACKEND", "vulkan")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_size(&bytes), (1280, 800));
    assert!(bytes.len() > 60_000);

    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "--compare", "tests/bad/overlap.ron"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("overlap.ron:5:21"));
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "--screenshot", "x.jpg"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
}

/// Real mouse and keyboard events through X, winit, bevy_egui and the map tools: a supplier
/// placed with a click ends up in the saved file where the pointer put it, a click in the sea is
/// refused with the reason, and the logistics hub, dragged and then put back with Ctrl+Z, is where
/// it was. Closing the window with an unsaved edit asks first, as a window manager's close button
/// would: Esc cancels, Enter saves and quits (tests/drive_planner.sh does the clicking,
/// tests/wm_close.py the closing).
#[test]
fn mouse_and_keyboard_edit_the_plan_and_ctrl_s_saves_it() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xdotool");
    require("python3");
    let dir = std::env::temp_dir().join(format!("kicsim-window-input-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("scenarios/baseline.ron", dir.join("plan.ron")).unwrap();
    std::fs::copy("scenarios/baseline.ron", dir.join("orig.ron")).unwrap();
    let script = std::fs::canonicalize("tests/drive_planner.sh").unwrap();
    let o = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(&script)
        .current_dir(&dir)
        .env("KICSIM", env!("CARGO_BIN_EXE_kicsim"))
        .env("WM_CLOSE", std::fs::canonicalize("tests/wm_close.py").unwrap())
        .env("WGPU_BACKEND", "vulkan")
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("app.log")).unwrap_or_default();
    let tail: String = log.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    let context = format!(
        "{}{}\n(window log:)\n{tail}\n(pictures in {})",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
        dir.display()
    );
    assert!(o.status.success(), "{context}");

    let saved = kicsim::scenario::Scenario::load(&dir.join("plan.ron")).unwrap_or_else(|e| panic!("the saved file does not load: {e}"));
    let before = kicsim::scenario::Scenario::load(&dir.join("orig.ron")).unwrap();
    // The supplier placed before Ctrl+S, and the one saved from the quit prompt.
    assert_eq!(saved.suppliers.len(), before.suppliers.len() + 2, "{context}");
    let near = |s: kicsim::scenario::Site, x: f64, y: f64| ((s.x_km - x).powi(2) + (s.y_km - y).powi(2)).sqrt() < 0.4;
    let (first, second) = (&saved.suppliers[before.suppliers.len()], &saved.suppliers[before.suppliers.len() + 1]);
    assert!(near(first.site, 5.0, 5.0), "placed at {:?}, clicked at (5, 5) km; {context}", first.site);
    assert!(near(second.site, 8.0, 5.0), "placed at {:?}, clicked at (8, 5) km; {context}", second.site);
    assert_eq!(log.matches("close requested with unsaved edits: asking").count(), 2, "{context}");
    let (cancelled, quit) = (log.find("quit cancelled"), log.find("quit after saving plan.ron"));
    assert!(cancelled.is_some() && quit.is_some() && cancelled < quit, "Esc cancels, then Enter saves and quits; {context}");
    assert_eq!(saved.logistics_hubs, before.logistics_hubs, "the hub's drag was undone; {context}");
    // The drag itself went where the pointer went: the window's log records the edits.
    let dropped = log
        .split("edit: moved ICD hub to (")
        .nth(1)
        .and_then(|rest| rest.split(") km").next())
        .and_then(|xy| xy.split_once(", "))
        .map(|(x, y)| kicsim::scenario::Site { x_km: x.parse().unwrap(), y_km: y.parse().unwrap() });
    assert!(dropped.is_some_and(|d| near(d, 22.0, 20.0)), "hub dropped at {dropped:?}, released at (22, 20) km; {context}");
    assert!(log.contains("edit: undone") && log.contains("edit: redone"), "{context}");
    assert_eq!(log.matches("saved plan.ron").count(), 2, "Ctrl+S, then Enter in the quit prompt; {context}");
    assert!(log.contains("cannot place a supplier here: the site is in water"), "the click in the sea was not refused; {context}");
    // Nothing else moved, and no temporary file is left beside the plan.
    assert_eq!(saved.anchor.site, before.anchor.site);
    assert_eq!(&saved.suppliers[..before.suppliers.len()], &before.suppliers[..]);
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).ok();
}
