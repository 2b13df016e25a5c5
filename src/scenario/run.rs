//! The runner: creates the stacks, checks every name, then runs the steps in order
//! against a [`Backend`] (the simulated region), like a shell script under `set -e`:
//! after the first failed step the rest are skipped.

use crate::scenario::Expect;
use std::time::Duration;

use serde::Serialize;

use super::expect::{evaluate, Check, StepOutcome};
use super::subst::step_templates;
use super::subst::{apply, check_names, Resolver, Saved, Template};
use super::wait::wait_for;
use super::{format_duration, Action, Scenario, Step, MAX_KEPT_OUTPUT};
use crate::command::app::{self, AppCommand};
use crate::command::aws::{self, AwsCall};
use crate::error::FileError;
use indexmap::IndexMap;

pub use super::subst::Resolution;

/// The simulated region, as the runner needs it. The model implements this.
pub trait Backend {
    /// Creates the scenario's stacks, in order, before the first step.
    fn create_stacks(&mut self, scenario: &Scenario) -> Result<(), FileError>;
    /// Finds a resource by logical id, Name tag, own name or AWS id, in that order.
    fn resolve(&self, name: &str) -> Resolution;
    /// The GetAtt `attr` of resource `name`.
    fn get_att(&self, name: &str, attr: &str) -> Result<String, String>;
    /// Runs a tool on the instance `on` (as written in the step, after substitution).
    fn run_app(&mut self, on: &str, cmd: &AppCommand) -> StepOutcome;
    /// Makes a control-plane call.
    fn run_aws(&mut self, call: &AwsCall) -> StepOutcome;
    /// Advances the virtual clock.
    fn advance(&mut self, by: Duration);
    /// Whether `resource` is in state `wanted` now; an error for an unknown resource or state.
    fn state_of(&self, resource: &str, wanted: &str) -> Result<bool, String>;
    /// How long until the clock next changes a state (`None`: nothing scheduled), so that
    /// `wait-for` jumps from change to change. A backend that cannot tell has `wait-for`
    /// look every [`super::wait::WAIT_FOR_POLL`].
    fn next_change(&self) -> Option<Duration> {
        Some(super::wait::WAIT_FOR_POLL)
    }
}

/// A [`Backend`] seen as the [`Resolver`] substitutions need.
struct BackendResolver<'a>(&'a dyn Backend);

impl Resolver for BackendResolver<'_> {
    fn resolve(&self, name: &str) -> Resolution {
        self.0.resolve(name)
    }

    fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
        self.0.get_att(name, attr)
    }
}

/// What became of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Every expectation held.
    Passed,
    /// At least one did not.
    Failed,
    /// Not run, because an earlier step failed.
    Skipped,
}

/// One step's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepReport {
    /// Position, from 1.
    pub index: usize,
    /// The step's `name`, else its action as written.
    pub title: String,
    /// The step's `description`: what it does and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `run`, `wait` or `wait-for`.
    pub action: &'static str,
    /// The instance it ran on, after substitution.
    pub on: Option<String>,
    /// The command after substitution (`wait 30s`, `wait-for X healthy` for waits).
    pub command: String,
    /// Passed, failed or skipped.
    pub status: StepStatus,
    /// What the command produced (`None` when skipped or when substitution failed).
    pub outcome: Option<StepOutcome>,
    /// Every expectation, checked.
    pub checks: Vec<Check>,
}

impl StepReport {
    /// The expectations that did not hold.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.held)
    }
}

/// The result of a whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The scenario's name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Whether every step passed.
    pub passed: bool,
    /// Every step, in order.
    pub steps: Vec<StepReport>,
}

impl Report {
    /// `vpcsim run`'s exit code: 0 when every expectation held, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.passed {
            0
        } else {
            1
        }
    }
}

/// Runs `scenario` against `backend`: stacks, the name check, then every step.
/// An `Err` means the scenario cannot run at all (exit 2): a stack failed, or a name
/// or substitution does not resolve.
pub fn run(scenario: &Scenario, backend: &mut dyn Backend) -> Result<Report, FileError> {
    run_observed(scenario, backend, &mut |_: Progress<'_>| {})
}

/// Where a run is, for a progress line: stacks being created, or a step about to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress<'a> {
    /// The stacks are being created.
    Stacks,
    /// Step `index` (from 1) of `total` is about to run.
    Step {
        /// Its number, from 1.
        index: usize,
        /// How many steps the scenario has.
        total: usize,
        /// Its title.
        title: &'a str,
    },
}

/// [`run`], telling `observe` where it is before the stacks and before each step.
pub fn run_observed(
    scenario: &Scenario,
    backend: &mut dyn Backend,
    observe: &mut dyn FnMut(Progress<'_>),
) -> Result<Report, FileError> {
    run_kept(scenario, backend, observe, Kept::new(scenario)).map(|(report, _)| report)
}

/// [`run`], also returning every output the steps saved (`save: NAME`), whether or not a
/// later step uses it: the world a scenario leaves, with its saved outputs (the shell's `${NAME...}`).
pub fn run_saving(scenario: &Scenario, backend: &mut dyn Backend) -> Result<(Report, Saved), FileError> {
    let mut kept = Kept::new(scenario);
    kept.used.iter_mut().for_each(|u| *u = true);
    run_kept(scenario, backend, &mut |_: Progress<'_>| {}, kept)
}

fn run_kept(
    scenario: &Scenario,
    backend: &mut dyn Backend,
    observe: &mut dyn FnMut(Progress<'_>),
    mut kept: Kept,
) -> Result<(Report, Saved), FileError> {
    observe(Progress::Stacks);
    backend.create_stacks(scenario)?;
    check_names(scenario, &BackendResolver(backend))?;
    let mut steps = Vec::new();
    let mut failed = false;
    let total = scenario.steps.len();
    for (i, step) in scenario.steps.iter().enumerate() {
        if !failed {
            observe(Progress::Step { index: i + 1, total, title: &title(step) });
        }
        let report = if failed { skipped(i, step) } else { run_step(i, step, &mut kept, backend) };
        failed |= report.status == StepStatus::Failed;
        steps.push(report);
    }
    let report = Report { name: scenario.name.clone(), file: scenario.file.clone(), passed: !failed, steps };
    Ok((report, kept.saved))
}

fn title(step: &Step) -> String {
    if let Some(n) = &step.name {
        return n.clone();
    }
    match &step.action {
        Action::Run(line) => line.clone(),
        Action::Wait(d) => format!("wait {}", format_duration(*d)),
        Action::WaitFor { resource, state, .. } => format!("wait for {resource} to be {state}"),
    }
}

fn skipped(index: usize, step: &Step) -> StepReport {
    StepReport {
        index: index + 1,
        title: title(step),
        description: step.description.clone(),
        action: match step.action {
            Action::Run(_) => "run",
            Action::Wait(_) => "wait",
            Action::WaitFor { .. } => "wait-for",
        },
        on: step.on.as_ref().map(|(o, _)| o.clone()),
        command: String::new(),
        status: StepStatus::Skipped,
        outcome: None,
        checks: Vec::new(),
    }
}

fn substitute(text: &str, saved: &Saved, backend: &dyn Backend) -> Result<String, String> {
    let template = Template::parse(text).map_err(|e| e.to_string())?;
    apply(&template, saved, &BackendResolver(backend))
}

/// What a run keeps of its steps' outputs: a saved JSON output only when a later step
/// uses it (decided once, from the references, before the first step), and at most
/// [`MAX_KEPT_OUTPUT`] bytes of printed output in the report.
struct Kept {
    /// Outputs saved for later steps.
    saved: Saved,
    /// Per step: whether a later step uses what it saves.
    used: Vec<bool>,
    /// Bytes of output the report may still keep.
    budget: usize,
}

impl Kept {
    fn new(scenario: &Scenario) -> Kept {
        Kept { saved: Saved::new(), used: used_saves(scenario), budget: MAX_KEPT_OUTPUT }
    }

    /// The outcome as the report keeps it: no JSON (an `aws` call printed it on stdout),
    /// and its output cut where the run's budget ends, with a note saying so.
    fn trim(&mut self, mut outcome: StepOutcome) -> StepOutcome {
        outcome.json = None;
        let size = outcome.stdout.len() + outcome.stderr.len();
        if size <= self.budget {
            self.budget -= size;
            return outcome;
        }
        let out_len = floor_char_boundary(&outcome.stdout, self.budget);
        outcome.stdout.truncate(out_len);
        let err_len = floor_char_boundary(&outcome.stderr, self.budget - out_len);
        outcome.stderr.truncate(err_len);
        outcome.stdout.shrink_to_fit();
        outcome.stderr.shrink_to_fit();
        outcome.stderr.push_str(&cut_note());
        self.budget = 0;
        outcome
    }
}

/// The note that ends an output the report cut.
pub fn cut_note() -> String {
    format!(
        "\n[vpcsim: output cut: a run keeps at most {} MiB of output (MAX_KEPT_OUTPUT); expectations were checked against all of it]\n",
        MAX_KEPT_OUTPUT >> 20
    )
}

/// The largest char boundary of `s` at or below `at`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    if at >= s.len() {
        return s.len();
    }
    (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0)
}

/// For each step, whether a later step uses the output it saves (`${NAME...}`).
fn used_saves(scenario: &Scenario) -> Vec<bool> {
    let mut saved_by: IndexMap<&str, usize> = IndexMap::new();
    let mut used = vec![false; scenario.steps.len()];
    for (index, step) in scenario.steps.iter().enumerate() {
        for (_, text, _) in step_templates(step) {
            let Ok(template) = Template::parse(text) else { continue };
            for var in template.vars() {
                if let Some(at) = saved_by.get(var.root.as_str()) {
                    used[*at] = true;
                }
            }
        }
        if let Some(name) = &step.save {
            saved_by.insert(name, index);
        }
    }
    used
}

fn run_step(index: usize, step: &Step, kept: &mut Kept, backend: &mut dyn Backend) -> StepReport {
    let mut report = skipped(index, step);
    let saved = &kept.saved;
    let prepared = prepare(step, saved, backend);
    let (on, command) = match prepared {
        Ok(p) => p,
        Err(e) => {
            report.status = StepStatus::Failed;
            report.checks = vec![Check {
                key: "substitution".into(),
                expected: "every `${...}` to resolve".into(),
                actual: e,
                held: false,
                path: None,
            }];
            return report;
        }
    };
    let mut outcome = execute(step, on.as_deref(), &command, backend);
    let expect = match step.expect.as_ref().map(|e| resolve_expect(e, saved, backend)).transpose() {
        Ok(e) => e,
        Err(e) => {
            report.status = StepStatus::Failed;
            report.checks = vec![Check {
                key: "substitution".into(),
                expected: "every `${...}` in `expect` to resolve to a valid value".into(),
                actual: e,
                held: false,
                path: None,
            }];
            report.outcome = Some(kept.trim(outcome));
            return report;
        }
    };
    let mut checks = evaluate(expect.as_ref(), &outcome);
    if let Some(name) = &step.save {
        checks.extend(save_check(name, &outcome));
        if outcome.exit_code == 0 && kept.used[index] {
            if let Some(json) = outcome.json.take() {
                kept.saved.insert(name.clone(), (index, json));
            }
        }
    }
    report.status = if checks.iter().all(|c| c.held) { StepStatus::Passed } else { StepStatus::Failed };
    report.on = on;
    report.command = command;
    report.outcome = Some(kept.trim(outcome));
    report.checks = checks;
    report
}

/// The step's expectations with their `${...}` values substituted and parsed.
fn resolve_expect(e: &Expect, saved: &Saved, backend: &dyn Backend) -> Result<Expect, String> {
    let mut out = e.clone();
    out.templated.clear();
    for t in &e.templated {
        let text = substitute(&t.text, saved, backend)?;
        crate::scenario::parse::add_value(&mut out, &t.key, &text)
            .map_err(|err| format!("`{}: {}` is `{text}` after substitution: {err}", t.key, t.text))?;
    }
    Ok(out)
}

/// The step's instance and command after substitution.
fn prepare(step: &Step, saved: &Saved, backend: &dyn Backend) -> Result<(Option<String>, String), String> {
    let on = step.on.as_ref().map(|(o, _)| substitute(o, saved, backend)).transpose()?;
    let command = match &step.action {
        Action::Run(line) => substitute(line, saved, backend)?,
        Action::Wait(d) => format!("wait {}", format_duration(*d)),
        Action::WaitFor { resource, state, .. } => {
            format!("wait-for {} {state}", substitute(resource, saved, backend)?)
        }
    };
    Ok((on, command))
}

fn execute(step: &Step, on: Option<&str>, command: &str, backend: &mut dyn Backend) -> StepOutcome {
    match (&step.action, on) {
        (Action::Run(_), Some(on)) => match app::parse_line(command) {
            Ok(cmd) => backend.run_app(on, &cmd),
            Err(e) => StepOutcome::failed(e.exit_code, e.message),
        },
        (Action::Run(_), None) => match aws::parse_line(command) {
            Ok(call) => backend.run_aws(&call),
            Err(e) => StepOutcome::failed(e.exit_code(), e.to_string()),
        },
        (Action::Wait(d), _) => {
            backend.advance(*d);
            StepOutcome::ok("")
        }
        (Action::WaitFor { state, timeout, .. }, _) => {
            let resource = command.split_whitespace().nth(1).unwrap_or_default();
            wait_for(backend, resource, state, *timeout)
        }
    }
}

/// Whether a successful call's JSON can be kept under `name`: a check that fails when
/// it printed none (a failed call keeps nothing and adds no check).
fn save_check(name: &str, outcome: &StepOutcome) -> Option<Check> {
    if outcome.exit_code != 0 || outcome.json.is_some() {
        return None;
    }
    Some(Check {
        key: "save".into(),
        expected: format!("JSON output to keep as `{name}`"),
        actual: "the command printed no JSON".into(),
        held: false,
        path: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_report_exits_one_when_a_step_failed() {
        let report = Report { name: "n".into(), file: "f".into(), passed: false, steps: Vec::new() };
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn only_a_successful_call_without_json_fails_its_save() {
        let ok = StepOutcome { json: Some(json!({"A": 1})), ..StepOutcome::default() };
        assert_eq!(save_check("s", &ok), None);
        assert_eq!(save_check("t", &StepOutcome::failed(254, "error")), None);
        assert_eq!(save_check("u", &StepOutcome::ok("text")).map(|c| c.held), Some(false));
    }

    #[test]
    fn a_saved_output_is_kept_only_when_a_later_step_uses_it() {
        let text = "name: n\nsteps:\n  - {run: aws ec2 describe-vpcs, save: a}\n  - {run: aws ec2 describe-vpcs, save: b}\n  - run: aws ec2 describe-vpcs --vpc-ids ${a.Vpcs[0].VpcId}\n  - {run: aws ec2 describe-vpcs, save: c}\n";
        let s = crate::scenario::load_str("s.yaml", text).unwrap();
        assert_eq!(used_saves(&s), [true, false, false, false]);
    }

    #[test]
    fn output_past_the_run_s_budget_is_cut_with_a_note_and_json_is_not_kept() {
        let s = crate::scenario::load_str("s.yaml", "name: n\nsteps:\n  - wait: 1s\n").unwrap();
        let mut kept = Kept::new(&s);
        kept.budget = 10;
        let first = StepOutcome { stdout: "1234".into(), json: Some(json!({})), ..StepOutcome::default() };
        assert_eq!(kept.trim(first), StepOutcome::ok("1234"));
        let second =
            kept.trim(StepOutcome {
                stdout: "ééééé".into(), stderr: "err".into(), ..StepOutcome::default()
            });
        assert_eq!(second.stdout, "ééé");
        assert_eq!(second.stderr, cut_note());
        let third = kept.trim(StepOutcome::ok("more"));
        assert_eq!((third.stdout.as_str(), third.stderr), ("", cut_note()));
    }
}
