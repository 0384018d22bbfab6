//! The planner window renders under Xvfb with Mesa's software Vulkan and saves a screenshot.
//! Needs `xvfb-run` and mesa-vulkan-drivers (scripts/setup.sh installs them).
#![cfg(feature = "gui")]

use std::process::Command;
use std::sync::Mutex;

use kicsim::gui::{
    ARM_COLORS, BETTER, EXPORTS_COLOR, LOCALIZATION_COLOR, MINIMAP_LAND, SITE_REFUSED_LABEL_RGB, SITE_REFUSED_RGB, TOWN_LABEL_RGB,
    WATER_RGB, WORSE, facility_rgb,
};
use kicsim::sim::FacilityKind;

/// `xvfb-run -a` picks a free display by looking for lock files; two started at the same moment
/// can pick the same one. The window tests take turns.
static XVFB: Mutex<()> = Mutex::new(());

/// A screenshot, decoded to 8-bit RGB(A).
struct Picture {
    width: u32,
    height: u32,
    channels: usize,
    pixels: Vec<u8>,
}

impl Picture {
    fn read(path: &std::path::Path) -> Picture {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("a PNG file");
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        pixels.truncate(info.buffer_size());
        Picture { width: info.width, height: info.height, channels: info.color_type.samples(), pixels }
    }

    fn rgb(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y * self.width + x) as usize * self.channels;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    /// The median colour of the 9x9 pixels around (x, y): a label or a dot does not change it.
    fn around(&self, x: u32, y: u32) -> [u8; 3] {
        let mut out = [0; 3];
        for (c, v) in out.iter_mut().enumerate() {
            let mut xs: Vec<u8> =
                (y - 4..=y + 4).flat_map(|py| (x - 4..=x + 4).map(move |px| (px, py))).map(|(px, py)| self.rgb(px, py)[c]).collect();
            xs.sort();
            *v = xs[xs.len() / 2];
        }
        out
    }

    /// How many pixels in the rectangle are within a few levels of `color`.
    fn count(&self, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>, color: [u8; 3]) -> usize {
        ys.flat_map(|y| xs.clone().map(move |x| (x, y))).filter(|&(x, y)| close(self.rgb(x, y), color)).count()
    }
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 10)
}

fn rgb_of(c: bevy_egui::egui::Color32) -> [u8; 3] {
    [c.r(), c.g(), c.b()]
}

/// Fails with what to do when a program the window tests need is not installed.
fn require(program: &str) {
    let found = Command::new("sh").args(["-c", &format!("command -v {program}")]).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(found, "{program} is missing: run scripts/setup.sh (installs xvfb, xdotool and mesa-vulkan-drivers)");
}

/// Runs a window test script (tests/*.sh) under Xvfb with a screen of `screen` pixels, in `dir`,
/// with the planner as $KICSIM and `files` (paths from the crate root) as variables. Returns
/// whether it succeeded, the window's log, and what to show if it failed: the script's output,
/// the end of the log, and where the pictures are.
fn run_script(script: &str, screen: &str, dir: &std::path::Path, files: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "-s", &format!("-screen 0 {screen}x24")]).arg(std::fs::canonicalize(script).unwrap()).current_dir(dir);
    for (var, path) in files {
        cmd.env(var, std::fs::canonicalize(path).unwrap());
    }
    // Each test its own recovery folder: no autosave of another run is offered.
    let o = cmd
        .env("KICSIM", env!("CARGO_BIN_EXE_kicsim"))
        .env("WGPU_BACKEND", "vulkan")
        .env("KICSIM_RECOVERY_DIR", dir.join("recovery"))
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
    (o.status.success(), log, context)
}

#[test]
fn screenshot_of_the_planner() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xvfb-run");
    // A folder that does not exist yet is made, as `--out` folders are.
    let dir = std::env::temp_dir().join(format!("kicsim-window-{}", std::process::id())).join("pictures");
    std::fs::remove_dir_all(&dir).ok();
    let out = dir.join("planner.png");
    let o = Command::new("xvfb-run")
        .env("KICSIM_RECOVERY_DIR", std::env::temp_dir().join(format!("kicsim-window-recovery-{}", std::process::id())))
        .args(["-a", "-s", "-screen 0 1280x800x24", env!("CARGO_BIN_EXE_kicsim"), "plan", "scenarios/baseline.ron", "--screenshot"])
        .arg(&out)
        .env("WGPU_BACKEND", "vulkan")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the window run failed: {err}");
    let pic = Picture::read(&out);
    assert_eq!((pic.width, pic.height), (1280, 800));
    // What is where in a 1280x800 window: the map (30 km) fills the square x 392..889, y 151..648
    // between the panels, 16.6 px per km, north up.
    let at_km = |x: f32, y: f32| ((392.0 + x * 16.57).round() as u32, (648.0 - y * 16.57).round() as u32);
    let (x, y) = at_km(27.7, 8.9);
    assert!(close(pic.around(x, y), WATER_RGB), "the sea at (27.7, 8.9) km: {:?}", pic.around(x, y));
    let (x, y) = at_km(5.0, 5.0);
    let [r, g, b] = pic.around(x, y);
    assert!(g > r + 15 && g > b + 20, "land at (5, 5) km is green: {:?}", [r, g, b]);
    let anchor = facility_rgb(FacilityKind::Anchor, None);
    let (x, y) = at_km(17.0, 13.0);
    assert!(close(pic.around(x, y), anchor), "the anchor's icon at (17, 13) km: {:?}", pic.around(x, y));
    assert!(close(pic.around(200, 790), [27, 27, 27]), "the side panel: {:?}", pic.around(200, 790));
    // The KPI charts on the right have their curves (away from the legends at the top left).
    let curve = pic.count(1100..1250, 70..205, rgb_of(LOCALIZATION_COLOR));
    assert!(curve > 40, "the localization curve: {curve} pixels");
    let curve = pic.count(1100..1250, 250..385, rgb_of(EXPORTS_COLOR));
    assert!(curve > 40, "the exports curve: {curve} pixels");
    // No half-written file is left next to it.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_screenshot_that_cannot_be_written_is_refused_before_a_window_opens() {
    let dir = std::env::temp_dir().join(format!("kicsim-shot-refused-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a-folder.png")).unwrap();
    std::fs::write(dir.join("a-file"), "x").unwrap();
    for (out, says) in [
        (dir.join("a-file/plan.png"), "a-file: this is a file, not a folder"),
        (dir.join("a-folder.png"), "this is a folder"),
        (dir.join("plan.jpg"), "the picture is a PNG"),
    ] {
        // No DISPLAY: had it got as far as opening a window, the error would be "no display".
        let o =
            Command::new(env!("CARGO_BIN_EXE_kicsim")).arg("plan").arg("--screenshot").arg(&out).env_remove("DISPLAY").output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.starts_with("error: --screenshot ") && err.contains(says) && !err.contains("no display"), "{}: {err}", out.display());
    }
    std::fs::remove_dir_all(&dir).ok();
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
    // A DISPLAY that no X server answers (a closed Xvfb, ssh without X forwarding): the same.
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "scenarios/baseline.ron"]).env("DISPLAY", ":7391").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error: no display: no X server answers on DISPLAY=:7391") && !err.contains("panicked"), "{err}");
}

#[test]
fn without_a_graphics_driver_the_planner_says_what_to_do() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xvfb-run");
    // A display, but Vulkan finds no driver (as on a machine without mesa-vulkan-drivers).
    let o = Command::new("xvfb-run")
        .env("KICSIM_RECOVERY_DIR", std::env::temp_dir().join(format!("kicsim-window-recovery-{}", std::process::id())))
        .args(["-a", "-s", "-screen 0 1280x800x24", env!("CARGO_BIN_EXE_kicsim"), "plan", "scenarios/baseline.ron"])
        .env("WGPU_BACKEND", "vulkan")
        .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
        .env("VK_DRIVER_FILES", "/nonexistent/icd.json")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error: no graphics adapter") && err.contains("mesa-vulkan-drivers") && !err.contains("panicked"), "{err}");
}

#[test]
fn compare_view_renders_and_refuses_bad_files() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("kicsim-window-cmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("compare.png");
    let o = Command::new("xvfb-run")
        .env("KICSIM_RECOVERY_DIR", std::env::temp_dir().join(format!("kicsim-window-recovery-{}", std::process::id())))
        .args(["-a", "-s", "-screen 0 1280x800x24", env!("CARGO_BIN_EXE_kicsim"), "plan", "scenarios/baseline.ron"])
        .args(["--compare", "scenarios/no_incentives.ron", "--compare", "scenarios/capability_plus_lcr.ron", "--screenshot"])
        .arg(&out)
        .env("WGPU_BACKEND", "vulkan")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pic = Picture::read(&out);
    assert_eq!((pic.width, pic.height), (1280, 800));
    // The view fills the area between the panels: three minimaps side by side (x 397..542,
    // 550..695, 703..848; y 129..273), each with land in the west and the sea in the east, and
    // the charts below with one line per scenario.
    for (i, left) in [397u32, 550, 703].into_iter().enumerate() {
        let (land, sea) = (pic.around(left + 23, 200), pic.around(left + 136, 200));
        assert!(close(sea, WATER_RGB), "minimap {i}: the sea {sea:?}");
        assert!(close(land, rgb_of(MINIMAP_LAND)), "minimap {i}: the land {land:?}");
    }
    // One line per scenario in the cumulative fiscal cost chart (bottom right), where the three
    // plans' costs differ most (lines of plans close in localization lie on top of each other).
    for (i, color) in ARM_COLORS.iter().take(3).enumerate() {
        let line = pic.count(680..865, 600..725, rgb_of(*color));
        assert!(line > 40, "scenario {i}'s fiscal cost line: {line} pixels");
    }
    // The plan's map under the view draws no labels: none shows in the strip between the left
    // panel and the view (the town at the map's west edge put an "L" there).
    let peeking = pic.count(381..392, 0..800, TOWN_LABEL_RGB);
    assert_eq!(peeking, 0, "{peeking} pixels of a town's label beside the compare view");

    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "--compare", "tests/bad/overlap.ron"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("overlap.ron:5:21"));
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(["plan", "--screenshot", "x.jpg"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
}

/// Real mouse and keyboard events through X, winit, bevy_egui and the map tools: a supplier
/// placed with a click ends up in the saved file where the pointer put it, a click in the sea is
/// refused with the reason (in the log, and on the map under a red cross at the pointer), and the
/// logistics hub, dragged and then put back with Ctrl+Z, is where it was; a second supplier is
/// placed with the tool picked by key 2. Closing the window with an unsaved edit asks first, as a
/// window manager's close button would: Esc cancels, Enter saves and quits
/// (tests/drive_planner.sh does the clicking, tests/wm_close.py the closing).
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
    let (ok, log, context) = run_script("tests/drive_planner.sh", "1280x800", &dir, &[("WM_CLOSE", "tests/wm_close.py")]);
    assert!(ok, "{context}");

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
    // The drag itself went where the pointer went: the window's log records the edits in words,
    // from where to where.
    let dropped = log
        .split("edit: Moved ICD hub (20.5, 14.0) -> (")
        .nth(1)
        .and_then(|rest| rest.split(") km").next())
        .and_then(|xy| xy.split_once(", "))
        .map(|(x, y)| kicsim::scenario::Site { x_km: x.parse().unwrap(), y_km: y.parse().unwrap() });
    assert!(dropped.is_some_and(|d| near(d, 22.0, 20.0)), "hub dropped at {dropped:?}, released at (22, 20) km; {context}");
    assert!(log.contains("edit: undone: Moved ICD hub") && log.contains("edit: redone: Added Supplier 25 at ("), "{context}");
    // The edit list gave the placement its own effect (paired runs, in the background), in words.
    let effect = log.lines().find(|l| l.contains("effect of edit 1 (Added Supplier 25 at ("));
    assert!(
        effect.is_some_and(|l| l.contains("16 paired runs: localization ") && l.contains("cumulative fiscal cost ")),
        "{effect:?}; {context}"
    );
    assert_eq!(log.matches("saved plan.ron").count(), 2, "Ctrl+S, then Enter in the quit prompt; {context}");
    assert!(log.contains("cannot place a supplier here: the site is in water"), "the click in the sea was not refused; {context}");
    // Where the planner is looking: a red cross at the pointer (850, 500) and the reason written
    // under it ("the site is in water", about 100 px wide, centred, 16 px below).
    let refused = Picture::read(&dir.join("kicsim-screenshot-2.png"));
    let cross = refused.count(838..863, 488..513, SITE_REFUSED_RGB);
    assert!(cross >= 20, "{cross} red pixels of the cross at the pointer; {context}");
    let reason = refused.count(790..911, 514..532, SITE_REFUSED_LABEL_RGB);
    assert!(reason >= 40, "{reason} pixels of the reason's text under the cross; {context}");
    assert_eq!(refused.count(790..911, 440..480, SITE_REFUSED_LABEL_RGB), 0, "the reason is under the cross, not above it");
    // Mid-drag, before the release, the KPI cards already give the moved hub's difference to the
    // plan as loaded (in the better or worse colour, where "no change" was grey).
    let live = Picture::read(&dir.join("kicsim-screenshot-3.png"));
    let deltas = live.count(240..383, 130..240, rgb_of(BETTER)) + live.count(240..383, 130..240, rgb_of(WORSE));
    assert!(deltas >= 20, "{deltas} pixels of coloured differences in the KPI cards mid-drag; {context}");
    // Nothing else moved, and no temporary file is left beside the plan.
    assert_eq!(saved.anchor.site, before.anchor.site);
    assert_eq!(&saved.suppliers[..before.suppliers.len()], &before.suppliers[..]);
    let leftovers: Vec<_> =
        std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().starts_with('.')).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Save as, with real mouse and keyboard events: a team's copy of the baseline saved under a
/// new file with its own name and description (typed in the dialog, whose name field has the
/// keyboard), holding only what differs from the defaults under the note that says so; the
/// rename is an edit in words; then Ctrl+S saves to the plan's own file at once
/// (tests/save_as_planner.sh does the typing).
#[test]
fn save_as_names_the_plan_and_ctrl_s_then_saves_to_its_own_file() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xdotool");
    let dir = std::env::temp_dir().join(format!("kicsim-window-save-as-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("scenarios/baseline.ron", dir.join("base.ron")).unwrap();
    let (ok, log, context) = run_script("tests/save_as_planner.sh", "1280x800", &dir, &[]);
    assert!(ok, "{context}");
    let base = kicsim::scenario::Scenario::load(std::path::Path::new("scenarios/baseline.ron")).unwrap();
    let first = kicsim::scenario::Scenario::load(&dir.join("first-save.ron")).unwrap_or_else(|e| panic!("{e}; {context}"));
    assert_eq!((first.name.as_str(), first.description.as_str()), ("Team A", "Near the port."), "{context}");
    assert_eq!(first.suppliers.len(), base.suppliers.len() + 1, "{context}");
    let text = std::fs::read_to_string(dir.join("first-save.ron")).unwrap();
    let note = kicsim::scenario::Scenario::default().to_plan_file();
    let note_line = note.lines().find(|l| l.starts_with("//")).unwrap();
    assert!(text.contains(note_line) && !text.contains("model:"), "only what differs from the defaults, said so:\n{text}");
    // Ctrl+S then wrote the plan's own file, with no dialog.
    let second = kicsim::scenario::Scenario::load(&dir.join("team.ron")).unwrap();
    assert_eq!((second.name.as_str(), second.suppliers.len()), ("Team A", base.suppliers.len() + 2), "{context}");
    assert_eq!(std::fs::read_to_string(dir.join("base.ron")).unwrap(), std::fs::read_to_string("scenarios/baseline.ron").unwrap());
    assert!(
        log.contains("edit: Renamed the plan 'Baseline (typical incentives)' -> 'Team A'; Changed the plan's description"),
        "{context}"
    );
    assert_eq!(log.matches("saved team.ron").count(), 2, "{context}");
    std::fs::remove_dir_all(&dir).ok();
}

/// A planner who makes the window bigger gets a bigger map: the map is fitted to the free area
/// between the panels again (the panels keep their widths), so the sea and the anchor are where
/// the new fit puts them. Then the mouse wheel with the pointer on the anchor zooms in about it:
/// the anchor stays under the pointer and the coast moves away from it.
#[test]
fn a_bigger_window_gets_a_bigger_map_and_the_wheel_zooms_about_the_pointer() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xdotool");
    let dir = std::env::temp_dir().join(format!("kicsim-window-resize-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, _, context) = run_script("tests/view_planner.sh", "1920x1080", &dir, &[("PLAN_FILE", "scenarios/baseline.ron")]);
    assert!(ok, "{context}");
    let pic = Picture::read(&dir.join("kicsim-screenshot-2.png"));
    assert_eq!((pic.width, pic.height), (1600, 1000));
    // The free area is x 381..1220 (the panels as at 1280x800), y 0..1000: the 30 km map is a
    // square of side 839 / 1.04 px centred on it, 26.9 px per km.
    let px_per_km = 839.0 / 1.04 / 30.0;
    let at_km = |x: f32, y: f32| ((800.5 + (x - 15.0) * px_per_km).round() as u32, (500.0 - (y - 15.0) * px_per_km).round() as u32);
    for (x, y) in [(27.7, 8.9), (28.5, 25.0)] {
        let (px, py) = at_km(x, y);
        assert!(close(pic.around(px, py), WATER_RGB), "the sea at ({x}, {y}) km = ({px}, {py}) px: {:?}", pic.around(px, py));
    }
    let (px, py) = at_km(17.0, 13.0);
    let anchor = facility_rgb(FacilityKind::Anchor, None);
    assert!(close(pic.around(px, py), anchor), "the anchor's icon at (17, 13) km = ({px}, {py}) px: {:?}", pic.around(px, py));
    // Land where the 1280x800 fit would have shown the empty background around the map.
    let (px, py) = at_km(1.0, 28.0);
    let [r, g, b] = pic.around(px, py);
    assert!(g > r + 15 && g > b + 20, "land at (1, 28) km = ({px}, {py}) px is green: {:?}", [r, g, b]);

    // Zoomed in with the pointer on the anchor (tests/view_planner.sh points at (854, 554)).
    let (ax, ay) = at_km(17.0, 13.0);
    assert_eq!((ax, ay), (854, 554), "the script's pointer is on the anchor");
    let zoomed = Picture::read(&dir.join("kicsim-screenshot-3.png"));
    assert!(close(zoomed.around(ax, ay), anchor), "the anchor stays under the pointer: {:?}", zoomed.around(ax, ay));
    // The coast east of the anchor: the first of three sea pixels in a row along its row.
    let coast = |pic: &Picture| (ax..pic.width - 3).find(|&x| (x..x + 3).all(|x| close(pic.rgb(x, ay), WATER_RGB)));
    let (before, after) = (coast(&pic).expect("the coast before zooming") - ax, coast(&zoomed).expect("the coast after zooming") - ax);
    assert!(
        after as f32 > 1.3 * before as f32,
        "three notches zoom in by at least 1.37: the coast {before} px east of the anchor, then {after}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A planner killed (kill -9) with an unsaved edit offers it on the next start: recovered, it is
/// the plan with the edit, unsaved; SIGTERM then asks before quitting, and Enter saves it.
#[test]
fn a_killed_planner_offers_its_unsaved_edit_on_the_next_start() {
    let _turn = XVFB.lock().unwrap_or_else(|e| e.into_inner());
    require("xdotool");
    let dir = std::env::temp_dir().join(format!("kicsim-window-recover-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("recovery")).unwrap();
    std::fs::copy("scenarios/baseline.ron", dir.join("plan.ron")).unwrap();
    std::fs::copy("scenarios/baseline.ron", dir.join("orig.ron")).unwrap();
    let (ok, log, context) = run_script("tests/recover_planner.sh", "1280x800", &dir, &[]);
    assert!(ok, "{context}");
    let first = std::fs::read_to_string(dir.join("first/app.log")).unwrap();
    assert!(first.contains("autosaved the unsaved plan to"), "{first}");
    assert!(log.contains("recovered the unsaved edits of") && log.contains("plan.ron (not saved yet"), "{context}");
    assert!(log.contains("interrupted (Ctrl+C or SIGTERM) with unsaved edits: asking"), "{context}");
    assert!(log.contains("quit after saving"), "{context}");
    let saved = kicsim::scenario::Scenario::load(&dir.join("plan.ron")).unwrap();
    let before = kicsim::scenario::Scenario::load(&dir.join("orig.ron")).unwrap();
    assert_eq!(saved.suppliers.len(), before.suppliers.len() + 1, "the recovered supplier is saved; {context}");
    let placed = saved.suppliers.last().unwrap().site;
    assert!(((placed.x_km - 5.0).powi(2) + (placed.y_km - 5.0).powi(2)).sqrt() < 0.4, "placed at {placed:?}; {context}");
    // The file as it was is kept beside it (the planner had not read it in this session).
    assert_eq!(std::fs::read_to_string(dir.join("plan.ron.bak")).unwrap(), std::fs::read_to_string(dir.join("orig.ron")).unwrap());
    assert_eq!(std::fs::read_dir(dir.join("recovery")).unwrap().count(), 0, "no recovery file left after the save and quit; {context}");
    // The offer is on screen: the dialog's window (egui's window fill) in the middle of the picture.
    let offer = Picture::read(&dir.join("offer.png"));
    let plain = Picture::read(&dir.join("first/kicsim-screenshot-1.png"));
    let differs = (500..780)
        .step_by(4)
        .flat_map(|x| (340..460).step_by(4).map(move |y| (x, y)))
        .filter(|&(x, y)| !close(offer.rgb(x, y), plain.rgb(x, y)))
        .count();
    assert!(differs > 200, "{differs} pixels differ where the offer is drawn; {context}");
    std::fs::remove_dir_all(&dir).ok();
}
