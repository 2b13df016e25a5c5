//! `vpcsim import TEMPLATE [--parameter K=V] [--region R] [--json]`: per resource of a
//! template, whether vpcsim models it, skips it (why) or refuses it (why).

use std::path::Path;

use vpcsim::scenario::render::escape_controls;
use vpcsim::stack::import::{self, ImportReport, Status};

use super::{exit, world, CliError};

/// Imports the template into an empty region and prints the report; exit 0 when nothing
/// is refused, 2 otherwise.
pub fn command(file: &Path, json: bool, template: &world::TemplateArgs) -> Result<u8, CliError> {
    let opts = template.options()?;
    let name = file.display().to_string();
    let text = vpcsim::source::read(file, vpcsim::yaml::Limits::default().max_bytes)
        .map_err(|e| CliError::invalid(e.to_problem().to_string()))?;
    let region = opts.region.as_deref().unwrap_or(vpcsim::scenario::DEFAULT_REGION);
    let report = import::import(&name, &text, &opts.parameters, region)
        .map_err(|e| CliError::invalid(e.to_string().trim_end().to_string()))?;
    if json {
        super::emit(&format!("{}\n", serde_json::to_string_pretty(&report).unwrap_or_default()));
    } else {
        super::emit(&escape_controls(&text_of(&report)));
    }
    Ok(if report.accepted() { exit::OK } else { exit::INVALID })
}

/// The report for people: a summary line, then a line per resource and its warnings.
fn text_of(r: &ImportReport) -> String {
    let not_tried = match r.count(&Status::NotTried) {
        0 => String::new(),
        n => format!(", {n} not tried"),
    };
    let mut out = format!(
        "{}: {} resources: {} modelled, {} skipped, {} refused{not_tried}\n",
        r.file,
        r.resources.len(),
        r.count(&Status::Modelled),
        r.count(&Status::Skipped),
        r.count(&Status::Refused)
    );
    let width = if r.count(&Status::NotTried) > 0 { 9 } else { 8 };
    let id_width = r.resources.iter().map(|x| x.logical_id.len()).max().unwrap_or(0);
    let type_width = r.resources.iter().map(|x| x.resource_type.len()).max().unwrap_or(0);
    for x in &r.resources {
        let status = match x.status {
            Status::Modelled => "modelled",
            Status::Skipped => "skipped",
            Status::Refused => "refused",
            Status::NotTried => "not tried",
        };
        let line = format!(
            "  {status:<width$}  {:<id_width$}  {:<type_width$}  {}",
            x.logical_id,
            x.resource_type,
            x.reason.as_deref().unwrap_or("")
        );
        out.push_str(line.trim_end());
        out.push('\n');
        for w in &x.warnings {
            out.push_str(&format!("      warning: {w}\n"));
        }
    }
    out
}
