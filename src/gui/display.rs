//! Before the window opens: a display to open it on (X11), and a graphics adapter to draw with;
//! without either, an error that says what to do instead of a panic.

/// What to do on a machine where the window cannot open.
const NO_SCREEN_HELP: &str = "On a machine without a screen, run it under Xvfb (installed by scripts/setup.sh):\n  \
     WGPU_BACKEND=vulkan xvfb-run -a kicsim plan [FILE] --screenshot plan.png\n\
     or use the command line: kicsim run FILE (see kicsim --help).";

/// The window is built for X11 (bevy's `x11` feature; Wayland sessions run it through XWayland),
/// so without a display winit would panic: with `DISPLAY` unset, or naming a display no X server
/// answers (a closed Xvfb, an ssh session without X forwarding), say what to do instead.
pub(super) fn check_display() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Ok(());
    }
    let display = std::env::var("DISPLAY").unwrap_or_default();
    if display.is_empty() {
        return Err(format!("no display: the planner opens an X11 window and DISPLAY is not set.\n{NO_SCREEN_HELP}"));
    }
    let xlib =
        x11_dl::xlib::Xlib::open().map_err(|e| format!("cannot open the X11 library (libX11) for the window: {e}\n{NO_SCREEN_HELP}"))?;
    // SAFETY: XOpenDisplay takes a null name to mean $DISPLAY and returns null or a connection,
    // which is closed at once and not used again.
    let opened = unsafe {
        let d = (xlib.XOpenDisplay)(std::ptr::null());
        if !d.is_null() {
            (xlib.XCloseDisplay)(d);
        }
        !d.is_null()
    };
    if !opened {
        return Err(format!("no display: no X server answers on DISPLAY={display}.\n{NO_SCREEN_HELP}"));
    }
    Ok(())
}

/// Bevy panics when it finds no graphics adapter (no GPU driver, no software Vulkan): turn that
/// one panic into an error that says what to install; any other panic is reported as usual.
pub(super) fn explain_missing_gpu() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned());
        if let Some(msg) = msg.filter(|m| m.contains("Unable to find a GPU")) {
            eprintln!(
                "error: no graphics adapter for the window ({msg}).\n\
                 Without a GPU, install Mesa's software Vulkan (scripts/setup.sh installs mesa-vulkan-drivers)\n\
                 and run with WGPU_BACKEND=vulkan; or use the command line: kicsim run FILE (see kicsim --help)."
            );
            std::process::exit(1);
        }
        default(info);
    }));
}
