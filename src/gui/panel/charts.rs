//! The panel's KPI charts: the running simulation (solid), its forecast (dashed), the reference
//! plan (dotted) and the band from parameter uncertainty.

use bevy::prelude::*;
use bevy_egui::egui;
use egui_plot::{Line, LineStyle, PlotPoints};

use super::side_panel_max;
use crate::gui::theme::{EXPORTS_COLOR, LOCALIZATION_COLOR};
use crate::gui::widgets::kpi_plot;
use crate::sim::clock::SimClock;
use crate::sim::{Metrics, QuarterRecord};

pub(super) fn series(h: &[QuarterRecord], f: impl Fn(&QuarterRecord) -> f64) -> PlotPoints<'static> {
    h.iter().map(|r| [r.year, f(r)]).collect()
}

pub(super) fn charts(
    root: &mut egui::Ui,
    metrics: &Metrics,
    fc: &[QuarterRecord],
    reference: &[QuarterRecord],
    clock: &SimClock,
    band: &mut crate::gui::outlook::ParameterBand,
) {
    let h = &metrics.history;
    let horizon = clock.horizon as f64 / 4.0;
    let panel_max = side_panel_max(root.ctx().viewport_rect().width());
    egui::Panel::right("charts").resizable(true).default_size(380.0).max_size(panel_max).show(root, |ui| {
        ui.heading("KPIs");
        ui.label("one run (the cards give means of paired runs): solid, running; dashed, its full horizon; faint dotted: the reference plan")
            .on_hover_text("The lines are one run of the plan with its seed: luck moves them. The KPI cards on the left are the means of paired runs over many seeds, with their ranges.");
        ui.checkbox(&mut band.on, "band: where the model's uncertain parameters could put the forecast").on_hover_text(format!(
            "{} draws of every model parameter with a plausible range (Latin hypercube), {} runs each: the shaded band holds 95% of \
             the draws' averages. Computed in the background after each edit.",
            crate::gui::outlook::BAND_DRAWS,
            crate::gui::outlook::BAND_DRAW_REPLICATIONS
        ));
        let height = ((ui.available_height() - 110.0) / 4.0).max(80.0);
        type Getter = fn(&QuarterRecord) -> f64;
        let charts: [(&str, Vec<(&str, Getter, egui::Color32)>); 4] = [
            (
                "Localization rate (%)",
                vec![
                    ("localization", |r| 100.0 * r.localization_rate, LOCALIZATION_COLOR),
                    ("required", |r| 100.0 * r.local_content_required, egui::Color32::from_rgb(200, 200, 200)),
                ],
            ),
            ("Exports (USD million per year, at each quarter's rate)", vec![("exports", |r| 4.0 * r.exports_usd_m, EXPORTS_COLOR)]),
            (
                "Suppliers by tier",
                vec![
                    ("domestic", |r| r.domestic_suppliers as f64, egui::Color32::from_rgb(170, 170, 170)),
                    ("tier-2", |r| r.tier2_suppliers as f64, egui::Color32::from_rgb(90, 180, 240)),
                    ("tier-1", |r| r.tier1_suppliers as f64, egui::Color32::from_rgb(40, 80, 230)),
                ],
            ),
            (
                "Cumulative fiscal cost (USD million)",
                vec![("fiscal cost", |r| r.cumulative_fiscal_cost_usd_m, egui::Color32::from_rgb(230, 90, 90))],
            ),
        ];
        // The KPI of each chart the parameter band is drawn for, and its scale as charted.
        // (KPI, scale, the line whose colour it takes)
        let banded: [(&str, f64, usize); 4] = [
            ("localization_rate", 100.0, 0),
            ("exports_usd_m", 4.0, 0),
            ("tier1_suppliers", 1.0, 2),
            ("cumulative_fiscal_cost_usd_m", 1.0, 0),
        ];
        for ((title, lines), banded) in charts.into_iter().zip(banded) {
            ui.label(title);
            kpi_plot(title).height(height).include_x(0.0).include_x(horizon).allow_scroll(false).show(ui, |p| {
                let (kpi, scale, line) = banded;
                if band.on
                    && let Some(k) = crate::registry::KPIS.iter().position(|x| x.name == kpi)
                {
                    let b = band.of_kpi(k);
                    if !b.is_empty() {
                        let color = lines.get(line).map_or(egui::Color32::GRAY, |l| l.2);
                        let outline: PlotPoints =
                            b.iter().map(|x| [x[0], scale * x[2]]).chain(b.iter().rev().map(|x| [x[0], scale * x[1]])).collect();
                        p.polygon(egui_plot::Polygon::new("", outline).fill_color(color.gamma_multiply(0.2)).stroke(egui::Stroke::NONE));
                    }
                }
                for (name, get, color) in &lines {
                    if !reference.is_empty() {
                        p.line(Line::new("", series(reference, get)).color(color.gamma_multiply(0.3)).style(LineStyle::dotted_dense()));
                    }
                    if !fc.is_empty() {
                        // Unnamed, so the legend lists each KPI once; the heading explains dashes.
                        p.line(Line::new("", series(fc, get)).color(color.gamma_multiply(0.6)).style(LineStyle::dashed_loose()));
                    }
                    p.line(Line::new(name.to_string(), series(h, get)).color(*color).width(2.0));
                }
            });
        }
    });
}
