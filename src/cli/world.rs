//! The world a scenario leaves: its stacks created and its steps applied (all, or
//! the first N with `--until N`). `lab` names the built-in seed lab.

use std::path::Path;

use vpcsim::scenario::{self, Scenario, StepStatus, TemplateSource};
use vpcsim::session::Session;

use super::CliError;

/// The seed lab's scenario and template, built in so `vpcsim lab` works from any directory.
pub const LAB_SCENARIO: &str = vpcsim::lab::SCENARIO;
/// The seed lab's CloudFormation template.
pub const LAB_TEMPLATE: &str = vpcsim::lab::TEMPLATE;
/// Template files the built-in lab refers to.
pub const LAB_FILES: &[(&str, &str)] = &[("privatelink-lab.cfn.yaml", LAB_TEMPLATE)];

/// Whether `file` names the built-in lab (`lab`, when no such file exists).
fn is_builtin_lab(file: &Path) -> bool {
    file == Path::new("lab") && !file.exists()
}

/// Loads a scenario file, or the built-in lab; exit 2 with file, line and column when invalid.
pub fn load(file: &Path) -> Result<(Scenario, bool), CliError> {
    let loaded = if is_builtin_lab(file) {
        scenario::load_str("privatelink-lab.yaml", LAB_SCENARIO).map(|s| (s, true))
    } else {
        scenario::load(file).map(|s| (s, false))
    };
    loaded.map_err(|e| CliError::invalid(e.to_string().trim_end().to_string()))
}

/// A session for a loaded scenario, before its stacks exist.
pub fn session_for(s: &Scenario, builtin: bool) -> Result<Session, CliError> {
    let mut session = Session::for_scenario(s).map_err(|e| CliError::invalid(e.to_string()))?;
    if builtin {
        session.embedded = LAB_FILES.to_vec();
    }
    Ok(session)
}

/// The session after the scenario's stacks and its first `until` steps (all when `None`).
/// A step that fails on the way is invalid input: the world is not what the file promises.
pub fn prepare(file: &Path, until: Option<usize>) -> Result<Session, CliError> {
    prepare_described(file, until).map(|p| p.session)
}

/// A prepared world and how it came to be, for titles.
pub struct Prepared {
    /// The session.
    pub session: Session,
    /// The scenario's name.
    pub name: String,
    /// Steps applied.
    pub applied: usize,
    /// Steps in the file.
    pub total: usize,
    /// The files it was built from: the scenario and its templates (none for the built-in lab).
    pub inputs: Vec<std::path::PathBuf>,
}

/// [`prepare`], keeping the scenario's name and how many of its steps were applied.
pub fn prepare_described(file: &Path, until: Option<usize>) -> Result<Prepared, CliError> {
    let (mut s, builtin) = load(file)?;
    let (name, total) = (s.name.clone(), s.steps.len());
    let mut inputs = Vec::new();
    if !builtin {
        inputs.push(file.to_path_buf());
        inputs.extend(s.stacks.iter().filter_map(|st| match &st.template {
            TemplateSource::File(path) => Some(path.clone()),
            TemplateSource::Inline(_) => None,
        }));
    }
    if let Some(n) = until {
        if n > s.steps.len() {
            return Err(CliError::invalid(format!(
                "--until {n}: {} has only {} steps",
                file.display(),
                s.steps.len()
            )));
        }
        s.steps.truncate(n);
    }
    let mut session = session_for(&s, builtin)?;
    let report = scenario::run(&s, &mut session).map_err(|e| CliError::invalid(e.to_string()))?;
    if let Some(step) = report.steps.iter().find(|st| st.status == StepStatus::Failed) {
        let why: Vec<String> = step
            .failures()
            .map(|c| format!("{}: expected {}, got {}", c.key, c.expected, c.actual))
            .collect();
        return Err(CliError::invalid(format!(
            "{}: step {} ({}) failed while preparing the world: {}; run `vpcsim run {}` for details, or stop before it with --until {}",
            file.display(),
            step.index,
            step.title,
            why.join("; "),
            file.display(),
            step.index - 1
        )));
    }
    Ok(Prepared { session, name, applied: report.steps.len(), total, inputs })
}
