//! The world a scenario leaves: its stacks created and the steps [`StateArgs`] selects
//! (by default every step before clean-up). `lab` names the built-in seed lab, and a
//! lesson's name (`lesson-nat-gateway-egress`) the built-in lesson, when no such file is
//! here ([`vpcsim::catalogue`]); a CloudFormation template is a scenario of one stack and
//! no steps ([`TemplateArgs`]).

use std::path::Path;

use vpcsim::scenario::{self, Scenario, StepStatus, TemplateSource};
use vpcsim::session::Session;

use super::CliError;

/// The built-in scenario `file` names (`lab`, `lesson-elastic-ip`, `syslog-udp-nlb.yaml`),
/// when it is a bare name and no such file exists here: a file always wins.
fn builtin(file: &Path) -> Option<(&'static str, &'static str)> {
    if file.exists() || file.components().count() != 1 {
        return None;
    }
    vpcsim::catalogue::scenario(file.to_str()?)
}

/// What a CloudFormation template given instead of a scenario needs: its parameters and region.
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateArgs {
    /// A parameter of a CloudFormation template given as FILE (repeatable); a list's items
    /// comma-separated (`Subnets=subnet-1,subnet-2`).
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// The region a CloudFormation template given as FILE is created in (default us-east-1).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

/// `KEY=VALUE`, split at the first `=`.
fn parse_parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

impl TemplateArgs {
    /// The options as the library takes them; a key given twice is invalid input.
    pub fn options(&self) -> Result<scenario::TemplateOptions, CliError> {
        let mut parameters = indexmap::IndexMap::new();
        for (k, v) in &self.parameters {
            if parameters.insert(k.clone(), v.clone()).is_some() {
                return Err(CliError::invalid(format!("--parameter {k} is given twice")));
            }
        }
        Ok(scenario::TemplateOptions { parameters, region: self.region.clone() })
    }
}

/// Loads a scenario file, a CloudFormation template (one stack, no steps) or a built-in
/// scenario (the lab, a lesson); exit 2 with file, line and column when invalid.
pub fn load(file: &Path, template: &TemplateArgs) -> Result<(Scenario, bool), CliError> {
    let opts = template.options()?;
    let loaded = if let Some((name, text)) = builtin(file) {
        if !opts.is_empty() {
            return Err(CliError::invalid(format!(
                "--parameter and --region apply to a CloudFormation template; {} is a built-in scenario",
                file.display()
            )));
        }
        scenario::load_str(name, text).map(|s| (s, true))
    } else {
        scenario::load_with(file, &opts).map(|s| (s, false))
    };
    loaded.map_err(|e| CliError::invalid(e.to_string().trim_end().to_string()))
}

/// Loads a built-in lab (`vpcsim lab NAME`).
pub fn load_builtin(lab: &vpcsim::labs::BuiltinLab) -> Result<Scenario, CliError> {
    scenario::load_str(lab.file, lab.scenario)
        .map_err(|e| CliError::invalid(e.to_string().trim_end().to_string()))
}

/// A session for a loaded scenario, before its stacks exist.
pub fn session_for(s: &Scenario, builtin: bool) -> Result<Session, CliError> {
    let mut session = Session::for_scenario(s).map_err(|e| CliError::invalid(e.to_string()))?;
    if builtin {
        session.embedded = vpcsim::catalogue::FILES.to_vec();
    }
    Ok(session)
}

/// Which of a scenario's steps a command applies. The default is the same for every
/// command: the stacks, then every step up to the first that deletes or terminates
/// anything ([`Scenario::clean_up_starts`]), so a lab is shown before its clean-up.
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct StateArgs {
    /// Apply the steps up to N (its position, from 1), `end` (every step) or the step named
    /// NAME (its `name:`). Default: every step before the first that deletes or terminates anything.
    #[arg(long, value_name = "N|end|NAME", conflicts_with = "from_start")]
    pub until: Option<String>,
    /// Apply no step: only the stacks are created.
    #[arg(long)]
    pub from_start: bool,
    /// A template's parameters and region, when FILE is a CloudFormation template.
    #[command(flatten)]
    pub template: TemplateArgs,
}

/// How many steps a command applies, and the line that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Steps applied (the first `applied` steps).
    pub applied: usize,
    /// Steps in the file.
    pub total: usize,
    /// Why: `before clean-up`, `--until 4`, ...
    pub why: String,
}

impl State {
    /// Resolves the options against a scenario; an unknown step is invalid input (exit 2).
    pub fn of(s: &Scenario, args: &StateArgs) -> Result<State, CliError> {
        let total = s.steps.len();
        let state = |applied: usize, why: String| Ok(State { applied, total, why });
        if args.from_start {
            return state(0, "--from-start: the stacks only".into());
        }
        let Some(until) = args.until.as_deref() else {
            return match s.clean_up_starts() {
                Some(k) => state(k, "before clean-up; --until end for all".into()),
                None => state(total, "every step".into()),
            };
        };
        if until == "end" {
            return state(total, "--until end: every step".into());
        }
        if let Ok(n) = until.parse::<usize>() {
            if n > total {
                return Err(CliError::invalid(format!("--until {n}: {} has only {total} steps", s.file)));
            }
            return state(n, format!("--until {n}"));
        }
        match s.step_named(until) {
            Some(i) => state(i + 1, format!("--until step {}: {until}", i + 1)),
            None => {
                let names = s.steps.iter().filter_map(|st| st.name.as_deref());
                let hint = vpcsim::command::closest(until, names)
                    .map(|n| format!(" (did you mean {n:?}?)"))
                    .unwrap_or_default();
                Err(CliError::invalid(format!(
                    "--until {until:?}: not a number, `end`, or the name of a step of {}{hint}",
                    s.file
                )))
            }
        }
    }

    /// `privatelink-lab.yaml after 12 of 21 steps (before clean-up; ...)`.
    pub fn line(&self, file: &str) -> String {
        format!("{file} after {} of {} steps ({})", self.applied, self.total, self.why)
    }
}

/// A prepared world and how it came to be, for titles.
pub struct Prepared {
    /// The session.
    pub session: Session,
    /// The scenario's name.
    pub name: String,
    /// Steps applied, of how many, and why.
    pub state: State,
    /// The line that says which state this is (`FILE after N of M steps (...)`).
    pub state_line: String,
    /// The outputs the applied steps saved (`save: NAME`), for the shell's `${NAME...}`.
    pub saved: vpcsim::scenario::subst::Saved,
    /// The files it was built from: the scenario and its templates (none for the built-in lab).
    pub inputs: Vec<std::path::PathBuf>,
}

/// The session after the scenario's stacks and the steps `args` selects, with its name, state
/// and saved outputs. A step that fails on the way is invalid input: the world is not what the file promises.
pub fn prepare_described(file: &Path, args: &StateArgs) -> Result<Prepared, CliError> {
    let (mut s, builtin) = load(file, &args.template)?;
    let name = s.name.clone();
    let mut inputs = Vec::new();
    if !builtin {
        inputs.push(file.to_path_buf());
        inputs.extend(s.stacks.iter().filter_map(|st| match &st.template {
            TemplateSource::File(path) => Some(path.clone()),
            TemplateSource::Inline(_) => None,
        }));
    }
    let state = State::of(&s, args)?;
    let state_line = state.line(&s.file);
    s.steps.truncate(state.applied);
    let mut session = session_for(&s, builtin)?;
    let (report, saved) =
        scenario::run_saving(&s, &mut session).map_err(|e| CliError::invalid(e.to_string()))?;
    check_prepared(file, &report)?;
    Ok(Prepared { session, name, state, state_line, saved, inputs })
}

/// A run that prepares a world must pass every step it applies: a failed step is invalid
/// input (the world is not what the file promises), named with what to do.
pub fn check_prepared(file: &Path, report: &vpcsim::scenario::Report) -> Result<(), CliError> {
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
    Ok(())
}
