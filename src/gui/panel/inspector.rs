//! The inspector of a clicked facility: its live values and why it is or is not supplying the
//! anchor, what it reaches, and the plan's values of it to edit (with the file's names).

use bevy::prelude::*;
use bevy_egui::egui;

use super::incentives::{commit, field_slider};
use crate::gui::Plan;
use crate::gui::state::Selection;
use crate::registry;
use crate::scenario::{Ownership, Sector, Tier};
use crate::sim::facilities::PlanRef;
use crate::sim::sourcing::AnchorState;
use crate::sim::{Facility, FacilityKind, Supplier};

pub(super) fn inspector(
    ui: &mut egui::Ui,
    plan: &mut Plan,
    sel: &Selection,
    anchor: &AnchorState,
    facilities: &Query<(&Facility, Option<&Supplier>, Option<&PlanRef>)>,
    map: &crate::sim::map::SiteMap,
) {
    let Some(id) = sel.selected else { return };
    let Some((f, sp, r)) = facilities.iter().find(|(f, _, _)| f.id == id) else {
        ui.label("(the selected facility is gone: the run was reset or the firm exited)");
        return;
    };
    ui.label(egui::RichText::new(format!("{} — {}", f.name, f.kind.label())).strong());
    ui.label(format!("site ({:.2}, {:.2}) km", f.site.x_km, f.site.y_km));
    if let Some(sp) = sp {
        egui::Grid::new("supplier").show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            row("capability", format!("{:.3}", sp.capability));
            row("tier", sp.tier.label().to_string());
            row("knowledge spillover received", format!("{:.3}", sp.spillover));
            row("workers' skill (0-1)", format!("{:.3}", sp.worker_skill));
            row("ability to absorb know-how (0-1)", format!("{:.3}", sp.absorb));
            row("capacity", format!("{:.1} USD m a year", sp.capacity_usd_m));
            row("sales to the anchor", format!("{:.1} USD m a year", sp.sales_usd_m));
            row("exports", format!("{:.1} USD m a year", sp.exports_usd_m));
            row(
                "cost to the anchor, delivered",
                format!("{:.3} (imports {:.3}; 1 = a frontier supplier's)", sp.delivered_cost, anchor.import_cost),
            );
            if sp.entered_quarter > 0 {
                row("entered", format!("quarter {}", sp.entered_quarter));
            }
        });
        ui.label(egui::RichText::new(format!("Why: {}", sp.status.explain())).italics());
    }
    if f.kind == FacilityKind::Anchor {
        ui.label(format!("output {:.0} USD m/yr, inputs {:.0} USD m/yr", anchor.output_usd_m, anchor.demand_usd_m));
        let required = if anchor.lcr_required > 0.0 {
            format!("the local-content rule requires {:.0}% now", 100.0 * anchor.lcr_required)
        } else {
            "no local-content rule in force".to_string()
        };
        ui.label(format!("localization {:.1}% ({required})", 100.0 * anchor.localization_rate));
        ui.label(format!(
            "cost of its inputs: index {:.3}, against {:.3} if it imported them all",
            anchor.unit_cost_index, anchor.reference_unit_cost_index
        ))
        .on_hover_text("1 = inputs bought at a frontier supplier's price; imports carry the import cost");
        ui.label(format!("freight to the port costs as much as {:.1} km of road", anchor.port_freight_km))
            .on_hover_text("road km to the port, with the logistics hubs' discount on the legs through them");
    }
    facility_effect(ui, plan, f, facilities, map);
    // Plan parameters of the selected facility.
    if let Some(r) = r.copied() {
        match r.0 {
            FacilityKind::RdCentre => {
                let mut v = plan.scenario.rd_centres[r.1].budget_usd_m_per_year;
                let resp = field_slider(ui, "rd_centres[i].budget_usd_m_per_year", &mut v, &plan.scenario);
                if commit(&resp) {
                    plan.edit("changed the R&D budget", |s| s.rd_centres[r.1].budget_usd_m_per_year = v);
                }
            }
            FacilityKind::TrainingCentre => {
                let mut v = plan.scenario.training_centres[r.1].trainees_per_year;
                let resp = field_slider(ui, "training_centres[i].trainees_per_year", &mut v, &plan.scenario);
                if commit(&resp) {
                    plan.edit("changed the training intake", |s| s.training_centres[r.1].trainees_per_year = v);
                }
            }
            FacilityKind::Anchor => anchor_settings(ui, plan),
            FacilityKind::Supplier => supplier_settings(ui, plan, r.1),
            _ => {}
        }
    }
}

/// What an R&D centre, a training centre or a logistics hub does for the complex.
pub(super) fn facility_effect(
    ui: &mut egui::Ui,
    plan: &Plan,
    f: &Facility,
    facilities: &Query<(&Facility, Option<&Supplier>, Option<&PlanRef>)>,
    map: &crate::sim::map::SiteMap,
) {
    use crate::gui::effects;
    let s = &plan.scenario;
    let suppliers: Vec<crate::scenario::Site> = facilities.iter().filter(|(_, sp, _)| sp.is_some()).map(|(f, _, _)| f.site).collect();
    let own = |kind| facilities.iter().filter(|(g, _, _)| g.kind == kind && g.id != f.id).map(|(g, _, _)| g.site).collect::<Vec<_>>();
    match f.kind {
        FacilityKind::RdCentre => {
            let budget = facilities
                .iter()
                .find(|(g, _, _)| g.id == f.id)
                .and_then(|(_, _, r)| r.and_then(|r| s.rd_centres.get(r.1)))
                .map_or(0.0, |c| c.budget_usd_m_per_year);
            let amplitude = s.model.rd_spillover * budget / 10.0;
            let (reached, given) = effects::rd_effect(s, f.site, amplitude, &suppliers);
            let (half, reach) = effects::spillover_reach_km(s);
            ui.label(format!(
                "Spillover strength {amplitude:.2}; it halves at {half:.1} km and is a tenth at {reach:.1} km. \
                 Reaches {reached} of {} suppliers; total spillover it gives them now: {given:.2}.",
                suppliers.len()
            ));
        }
        FacilityKind::TrainingCentre => {
            let own_intake = facilities
                .iter()
                .find(|(g, _, _)| g.id == f.id)
                .and_then(|(_, _, r)| r.and_then(|r| s.training_centres.get(r.1)))
                .map_or(0.0, |c| c.trainees_per_year);
            let (trainees, towns) = effects::training_effect(s, map, f.site, own_intake);
            let top: Vec<String> = towns.iter().take(3).map(|(n, w)| format!("{n} {:.0}%", 100.0 * w)).collect();
            ui.label(format!(
                "Trains {trainees:.0} workers a year (own intake {own_intake:.0}, the rest paid by the training subsidy); they live in {}.",
                top.join(", ")
            ));
        }
        FacilityKind::LogisticsHub => {
            let (before, after, routed) = effects::hub_effect(s, map, f.site, &own(FacilityKind::LogisticsHub), &suppliers);
            let port = if before - after < 0.05 {
                format!(
                    "The anchor's freight to the port does not go through this hub: it costs as much as {after:.1} km of road with or without it."
                )
            } else {
                format!(
                    "With this hub the anchor's freight to the port costs as much as {after:.1} km of road instead of {before:.1} km ({:.0}% less).",
                    100.0 * (before - after) / before.max(1e-9)
                )
            };
            ui.label(format!("{port} {routed} of {} suppliers ship to the anchor through it.", suppliers.len()));
        }
        _ => {}
    }
}

/// A planned supplier's starting values (`suppliers[i].*`); the live values are above.
pub(super) fn supplier_settings(ui: &mut egui::Ui, plan: &mut Plan, i: usize) {
    let Some(sp) = plan.scenario.suppliers.get(i).cloned() else { return };
    ui.label(egui::RichText::new("Set in the plan, for the start of the run:").small())
        .on_hover_text(format!("suppliers[{i}] in the scenario file; the figures above are the firm's now"));
    let mut name = sp.name.clone();
    let resp = ui.horizontal(|ui| {
        ui.label("name");
        ui.text_edit_singleline(&mut name)
    });
    if resp.inner.lost_focus() && name.trim() != sp.name && !name.trim().is_empty() {
        let name = name.trim().to_string();
        plan.edit("renamed a supplier", |s| s.suppliers[i].name = name);
    }
    let mut c = sp.capability;
    let resp = field_slider(ui, "suppliers[i].capability", &mut c, &plan.scenario);
    if commit(&resp) {
        plan.edit("changed a supplier's capability", |s| s.suppliers[i].capability = c);
    }
    let mut cap = sp.capacity_usd_m;
    let resp = field_slider(ui, "suppliers[i].capacity_usd_m", &mut cap, &plan.scenario);
    if commit(&resp) {
        plan.edit("changed a supplier's capacity", |s| s.suppliers[i].capacity_usd_m = cap);
    }
    let mut tier = sp.tier;
    ui.horizontal_wrapped(|ui| {
        ui.label("starting tier").on_hover_text("suppliers[i].tier in the scenario file: Untiered, Tier2 or Tier1");
        ui.selectable_value(&mut tier, Tier::Untiered, "no tier");
        ui.selectable_value(&mut tier, Tier::Tier2, "tier-2");
        ui.selectable_value(&mut tier, Tier::Tier1, "tier-1");
    });
    if tier != sp.tier {
        plan.edit("changed a supplier's starting tier", |s| s.suppliers[i].tier = tier);
    }
    let mut ownership = sp.ownership;
    ui.horizontal_wrapped(|ui| {
        ui.label("owner").on_hover_text(
            "suppliers[i].ownership in the scenario file: Domestic, Fdi or JointVenture. A foreign-owned supplier counts in the localization rate, not in the share bought from domestic-owned firms, and keeps its parent's capability.",
        );
        ui.selectable_value(&mut ownership, Ownership::Domestic, "domestic");
        ui.selectable_value(&mut ownership, Ownership::Fdi, "foreign-owned");
        ui.selectable_value(&mut ownership, Ownership::JointVenture, "joint venture");
    });
    if ownership != sp.ownership {
        plan.edit("changed a supplier's owner", |s| s.suppliers[i].ownership = ownership);
    }
}

/// The anchor's plan settings, with the scenario file's names (`anchor.*`).
pub(super) fn anchor_settings(ui: &mut egui::Ui, plan: &mut Plan) {
    let a = plan.scenario.anchor.clone();
    let mut sector = a.sector;
    egui::ComboBox::from_label("sector").selected_text(format!("{sector:?}")).show_ui(ui, |ui| {
        for s in [Sector::Electronics, Sector::Automotive, Sector::Machinery, Sector::Textiles, Sector::Footwear] {
            ui.selectable_value(&mut sector, s, format!("{s:?}"));
        }
    });
    if sector != a.sector {
        plan.edit("changed the anchor's sector", |s| s.anchor.sector = sector);
    }
    let mut ownership = a.ownership;
    // Wrapped, so the inspector keeps its width in a small window (1024x768).
    ui.horizontal_wrapped(|ui| {
        ui.label("ownership");
        ui.selectable_value(&mut ownership, Ownership::Fdi, "foreign-owned (FDI)")
            .on_hover_text("anchor.ownership: Fdi in the scenario file");
        ui.selectable_value(&mut ownership, Ownership::JointVenture, "joint venture").on_hover_text(
            "anchor.ownership: JointVenture. Shared foreign and domestic ownership: it passes on the most to the firms it buys from, and buys more locally than a wholly foreign-owned affiliate.",
        );
        ui.selectable_value(&mut ownership, Ownership::Domestic, "domestic").on_hover_text("anchor.ownership: Domestic");
    });
    if ownership != a.ownership {
        plan.edit("changed the anchor's ownership", |s| s.anchor.ownership = ownership);
    }
    for name in [
        "output_usd_m",
        "input_share",
        "export_share",
        "commitments.tech_transfer",
        "commitments.local_sourcing",
        "commitments.rd_usd_m_per_year",
        "commitments.trainees_per_year",
    ] {
        let path = format!("anchor.{name}");
        let field = registry::field_of(&path).expect("every anchor setting is in the registry");
        let Some(mut v) = field.get(&plan.scenario) else { continue };
        let resp = field_slider(ui, &path, &mut v, &plan.scenario);
        if commit(&resp) {
            plan.edit(&format!("changed {path}"), |s| field.set(s, v));
        }
    }
}
