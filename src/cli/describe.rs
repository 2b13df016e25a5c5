//! `vpcsim describe FILE [WHAT]`: the AWS CLI's JSON for the world a scenario leaves.

use std::path::Path;

use super::{exit, world, CliError};

/// Prints one describe call's JSON, or all of them merged.
pub fn command(file: &Path, what: Option<&str>, state: &world::StateArgs) -> Result<u8, CliError> {
    let prepared = world::prepare_described(file, state)?;
    super::output::errln(&prepared.state_line);
    let session = prepared.session;
    let doc = document(&session.world, what)?;
    let mut text = vpcsim::describe::pretty(&doc);
    text.push('\n');
    super::emit(&text);
    Ok(exit::OK)
}

/// The document for `what` (everything when `None`); an unknown name names the closest.
pub fn document(w: &vpcsim::world::World, what: Option<&str>) -> Result<serde_json::Value, CliError> {
    match what {
        None => Ok(vpcsim::describe::everything(w)),
        Some(x) => vpcsim::describe::by_name(w, x).ok_or_else(|| {
            let hint = vpcsim::command::closest(x, vpcsim::describe::WHAT)
                .map(|c| format!(" (did you mean {c}?)"))
                .unwrap_or_default();
            CliError::invalid(format!(
                "cannot describe {x:?}{hint}; one of: {}",
                vpcsim::describe::WHAT.join(", ")
            ))
        }),
    }
}
