//! Small widgets the window's panels share: the "Browse" menu of scenario files, where a typed
//! path points, and the KPI charts' plot (legend, 1-2-5 ticks, 0..1 always in view).

use std::path::{Path, PathBuf};

use bevy_egui::egui;
use egui_plot::{Legend, Plot};

/// A "Browse" menu of the scenario files beside `near` (the typed path resolved as Save and Load
/// would; or in scenarios/), to pick one without typing its path.
pub fn file_picker(ui: &mut egui::Ui, path: &mut String, near: &Path) {
    if let Some(f) = scenario_menu(ui, "Browse", near, "scenario files in this folder") {
        *path = f.display().to_string();
    }
}

/// A menu of the scenario files beside `near` (else in scenarios/): the one clicked, if any.
pub fn scenario_menu(ui: &mut egui::Ui, label: &str, near: &Path, hover: &str) -> Option<PathBuf> {
    let mut picked = None;
    ui.menu_button(label, |ui| {
        let mut files = scenario_files_near(&near.to_string_lossy());
        if files.is_empty() {
            files = crate::scenario::ron_files_in(Path::new("scenarios")).unwrap_or_default();
        }
        if files.is_empty() {
            ui.label("no .ron files here");
        }
        for f in files {
            if ui.button(f.display().to_string()).clicked() {
                picked = Some(f);
                ui.close();
            }
        }
    })
    .response
    .on_hover_text(hover);
    picked
}

/// The .ron files in the folder of `path` (the path itself may be a folder), else in
/// `scenarios/`, in name order.
fn scenario_files_near(path: &str) -> Vec<PathBuf> {
    let p = Path::new(path);
    let dir = if p.is_dir() {
        p.to_path_buf()
    } else {
        // A plan opened by its bare name (`kicsim plan mine.ron`) is in the current folder.
        let parent = p.parent().map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d });
        parent.filter(|d| d.is_dir()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("scenarios"))
    };
    crate::scenario::ron_files_in(&dir).unwrap_or_default()
}

/// A path typed in the window: a bare file name is beside the plan's file (as an editor's Save
/// As would put it); a path with folders is taken as typed (from the folder the planner was
/// started in).
pub fn resolve_path(plan_path: Option<&Path>, typed: &str) -> PathBuf {
    let typed = Path::new(typed.trim());
    let bare = typed.parent().is_none_or(|p| p.as_os_str().is_empty());
    match plan_path.and_then(Path::parent).filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) if bare && !typed.as_os_str().is_empty() => dir.join(typed),
        _ => typed.to_path_buf(),
    }
}

/// A KPI chart: a translucent legend in the top-left corner (the curves rise to the right) and
/// 1-2-5 y ticks, about four per chart, so a short chart of values in the hundreds still shows
/// its scale (egui_plot's default powers of ten leave only "0" there).
pub fn kpi_plot(id: impl egui::AsId) -> Plot<'static> {
    kpi_plot_without_legend(id).legend(Legend::default().position(egui_plot::Corner::LeftTop).background_alpha(0.6))
}

/// [`kpi_plot`] with no legend, for charts whose lines are keyed elsewhere (the compare view
/// colours each scenario's heading).
///
/// The y axis always takes in 0 and 1, so a KPI that stays at zero (no fiscal cost without
/// incentives) is a line along the bottom of a 0..1 chart, not across the middle of a -15..15 one.
pub fn kpi_plot_without_legend(id: impl egui::AsId) -> Plot<'static> {
    // Tick labels as the output files write numbers (crate::format::fmt_num): as many decimals as the
    // value has, so the grid's half-steps read 2.5 and 7.5, not "2" and "8".
    // Room for four-digit tick labels (exports in USD m), which a narrow chart would drop.
    Plot::new(id)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_min_width(36.0)
        .y_axis_formatter(|mark, _| crate::format::fmt_num(mark.value))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|g| {
            // At least 30 points apart (base_step_size is the data per 8 points), where egui_plot
            // draws y labels in full; a short chart gets fewer, wider steps rather than none.
            let large = nice_step(((g.bounds.1 - g.bounds.0) / 4.0).max(g.base_step_size * 30.0 / 8.0));
            [large / 10.0, large / 2.0, large]
        }))
}

/// The smallest of 1, 2 or 5 times a power of ten that is at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|&v| v >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_ticks_are_one_two_five() {
        assert_eq!(nice_step(0.9), 1.0);
        assert_eq!(nice_step(1.0), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(180.0), 200.0);
        assert_eq!(nice_step(230.0), 500.0);
        assert_eq!(nice_step(0.031), 0.05);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn chart_tick_labels_keep_their_decimals() {
        // The charts' y axis formatter (kpi_plot_without_legend).
        let labels: Vec<String> =
            [0.0, 2.5, 7.5, 0.25, 0.05, 10.0, 2000.0, -0.0, -1.5, 0.30000000000000004].map(crate::format::fmt_num).into();
        assert_eq!(labels, ["0", "2.5", "7.5", "0.25", "0.05", "10", "2000", "0", "-1.5", "0.3"]);
    }
}
