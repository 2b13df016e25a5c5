//! Scenario files (docs/scenario-format.md): what a learner would do in the real
//! lab, written down, and what they expect to see.
//!
//! - [`parse`]: a YAML tree becomes a typed [`Scenario`]; every problem of the file is
//!   reported together with line and column, and unknown keys get a "did you mean".
//! - [`subst`]: `${X}`, `${X.Attr}`, `${NAME.Path[0].Field}` in `run`, `on` and
//!   `wait-for`; checked against the created resources before the first step runs.
//! - [`expect`]: what a step's outcome must satisfy ([`Expect`]) and the checks.
//! - [`run`]: the runner over a [`Backend`] (the simulated region) and its [`Report`].
//! - [`wait`]: the limits of waiting and the one `wait-for` loop (scenarios and the shell).
//! - [`render`]: the report as text for people and as a JSON document.
//! - [`template`]: a CloudFormation template given instead: one stack, no steps.
//!
//! Once a [`Scenario`] exists its values are valid (durations, CIDRs, kinds, codes,
//! regular expressions, substitution syntax, command shapes); the runner does not re-check.

mod duration;
pub mod expect;
pub mod parse;
pub mod render;
pub mod run;
pub mod subst;
pub mod template;
pub mod wait;

use std::path::{Path, PathBuf};
use std::time::Duration;

use indexmap::IndexMap;

use crate::addr::Cidr;
use crate::error::{FileError, FileProblem, Location};
use crate::trace::{ComponentKind, ExplanationCode};
use crate::yaml::Node;

pub use duration::{format_duration, parse_duration};
pub use expect::{check, Check, Failure, StepOutcome};
pub use run::{run, run_observed, run_saving, Backend, Progress, Report, Resolution, StepReport, StepStatus};
pub use template::TemplateOptions;

/// The default limit of a `wait-for` step.
pub const DEFAULT_WAIT_FOR_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// The longest `wait` or `timeout` of one step: the virtual clock replays every health
/// check on the way, so a `wait: 999999h` would take hours of real time.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// The most virtual time one scenario may schedule: its waits plus its wait-for timeouts.
pub const MAX_TOTAL_WAIT: Duration = Duration::from_secs(7 * 24 * 3600);

/// The most stacks one scenario creates. Each stack creation is atomic (the world is
/// snapshotted), so thousands of stacks would cost quadratic time; AWS allows 2,000
/// per region, a lab needs a handful.
pub const MAX_STACKS: usize = 200;

/// The most steps one scenario has: a lab is tens of steps; each step may print a
/// whole region's description, so the bound keeps a run's time in proportion.
pub const MAX_STEPS: usize = 1000;

/// The most bytes of command output one run's report keeps (and `vpcsim run` prints):
/// past it, the rest of each step's output is cut with a note saying so. Expectations
/// are always checked against the whole output, before it is cut.
pub const MAX_KEPT_OUTPUT: usize = 8 << 20;

/// The default region.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A parsed scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file's path as given (for messages).
    pub file: String,
    /// One-line title.
    pub name: String,
    /// Longer text shown by `vpcsim run`.
    pub description: Option<String>,
    /// The AWS region (default `us-east-1`).
    pub region: String,
    /// Seed for ids, addresses and hashes.
    pub seed: Option<u64>,
    /// Stacks to create, in order, before the first step.
    pub stacks: Vec<StackSpec>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The position (from 0) of the first step that deletes or terminates anything: a
    /// control-plane call whose operation starts with `delete-` or `terminate-`. Commands
    /// that take a scenario show the world just before it (before clean-up) by default.
    ///
    /// ```
    /// let text = "name: x\nsteps:\n  - wait: 1s\n  - run: aws ec2 delete-vpc-endpoints --vpc-endpoint-ids vpce-1\n";
    /// let s = vpcsim::scenario::load_str("x.yaml", text).unwrap();
    /// assert_eq!(s.clean_up_starts(), Some(1));
    /// ```
    pub fn clean_up_starts(&self) -> Option<usize> {
        self.steps.iter().position(Step::deletes)
    }

    /// The position (from 0) of the step titled `name` (its `name`, exactly).
    pub fn step_named(&self, name: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.name.as_deref() == Some(name))
    }
}

impl Step {
    /// Whether the step deletes or terminates something: an `aws` call (not on an
    /// instance) whose operation is `delete-...` or `terminate-...`.
    pub fn deletes(&self) -> bool {
        let Action::Run(line) = &self.action else { return false };
        let words: Vec<&str> = line.split_whitespace().collect();
        self.on.is_none()
            && words.first() == Some(&"aws")
            && words.get(2).is_some_and(|op| op.starts_with("delete-") || op.starts_with("terminate-"))
    }
}

/// A CloudFormation stack to create.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSpec {
    /// The stack's name.
    pub name: String,
    /// Where its template comes from.
    pub template: TemplateSource,
    /// Parameter values, in file order.
    pub parameters: IndexMap<String, String>,
    /// Where the entry starts.
    pub loc: Location,
    /// Where its name is written.
    pub name_loc: Location,
}

/// A stack's template: a file next to the scenario, or written inline.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateSource {
    /// `template: PATH`, resolved relative to the scenario file's folder.
    File(PathBuf),
    /// `template-body: {...}`.
    Inline(Node),
}

/// One step: an action, where it runs, and what must hold afterwards.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Optional title.
    pub name: Option<String>,
    /// Optional narrative: what the step does and why, shown before its command.
    pub description: Option<String>,
    /// `on: INSTANCE` (may hold substitutions) and where it is written.
    pub on: Option<(String, Location)>,
    /// What the step does.
    pub action: Action,
    /// Where the action's value is written.
    pub action_loc: Location,
    /// `save: NAME`: keep the JSON output under this name.
    pub save: Option<String>,
    /// What must hold; `None` means "must exit 0".
    pub expect: Option<Expect>,
    /// Where the step starts.
    pub loc: Location,
}

/// The one thing a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `run: COMMAND LINE` (may hold substitutions).
    Run(String),
    /// `wait: DURATION`: advance the virtual clock.
    Wait(Duration),
    /// `wait-for: RESOURCE STATE`: advance until true, or fail after `timeout`.
    WaitFor {
        /// The resource (may hold substitutions).
        resource: String,
        /// The state wanted (`available`, `healthy`, `deleted`, ...).
        state: String,
        /// The limit (`timeout:`, default 15m).
        timeout: Duration,
    },
}

/// A regular expression as written and compiled (multi-line: `^`/`$` match at line ends).
#[derive(Clone, Debug)]
pub struct Pattern {
    /// The expression as written.
    pub source: String,
    /// The compiled expression.
    pub regex: regex::Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

/// What must hold after a step, all of it (docs/scenario-format.md, "Expectations").
///
/// The text keys (`output-contains`, `output-not-contains`, `output-matches`,
/// `output-not-matches`) take one string or a list of strings; with a list, every
/// item must hold. Unless `fails` or `exit` is given, the command must exit 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    /// `fails: true`: exit non-zero; `fails: false`: exit 0.
    pub fails: Option<bool>,
    /// `exit: N`: this exact exit status.
    pub exit: Option<i32>,
    /// Substrings stdout must contain.
    pub output_contains: Vec<String>,
    /// Substrings stdout must not contain.
    pub output_not_contains: Vec<String>,
    /// Expressions some line of stdout must match.
    pub output_matches: Vec<Pattern>,
    /// Expressions no line of stdout may match.
    pub output_not_matches: Vec<Pattern>,
    /// Every address dig printed lies in one of these (at least one address).
    pub answers_in: Option<Vec<Cidr>>,
    /// No address dig printed lies in any of these (at least one address).
    pub answers_not_in: Option<Vec<Cidr>>,
    /// Kinds the forward path passes, in this order.
    pub via: Option<Vec<ComponentKind>>,
    /// Kinds the forward path must not pass.
    pub not_via: Option<Vec<ComponentKind>>,
    /// The explanation code of the blocked flow.
    pub explanation: Option<ExplanationCode>,
    /// The source address the final destination saw lies here.
    pub seen_source_in: Option<Cidr>,
    /// Values holding `${...}`, substituted and parsed when the step has run (see [`Templated`]).
    pub templated: Vec<Templated>,
    /// Where the `expect` map starts.
    pub loc: Location,
}

/// An `expect` value with substitutions (`output-contains: ${svc.ServiceId}`,
/// `seen-source-in: ${MyEC2.PublicIp}/32`): checked for names before the first step,
/// substituted and parsed after its step ran, then checked like the literal values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templated {
    /// The key (`output-matches`, `answers-in`, ...).
    pub key: String,
    /// The value as written.
    pub text: String,
    /// Where it is written.
    pub loc: Location,
}

/// Reads and parses a scenario file (or a CloudFormation template, as [`load_with`]
/// does); template paths resolve relative to its folder.
pub fn load(path: &Path) -> Result<Scenario, FileError> {
    load_with(path, &TemplateOptions::default())
}

/// Reads a scenario file, or a CloudFormation template that becomes a scenario of one
/// stack with `opts`' parameters and region and no steps ([`template`]); `opts` given
/// with a scenario file are an error.
pub fn load_with(path: &Path, opts: &TemplateOptions) -> Result<Scenario, FileError> {
    let file = path.display().to_string();
    let text = crate::source::read(path, crate::yaml::Limits::default().max_bytes)
        .map_err(|e| FileError::one(e.to_problem()))?;
    load_str_with(&file, &text, opts)
}

/// Parses scenario text; `name` is its path as shown in messages, and template paths
/// resolve relative to `name`'s folder. A CloudFormation template is a scenario of one
/// stack and no steps.
///
/// ```
/// let s = vpcsim::scenario::load_str("lab.yaml", "name: Lab\nsteps:\n  - wait: 30s\n").unwrap();
/// assert_eq!(s.region, "us-east-1");
/// let err = vpcsim::scenario::load_str("lab.yaml", "name: Lab\nsteps:\n  - wiat: 30s\n").unwrap_err();
/// assert!(err.to_string().contains("did you mean `wait`?"));
/// let t = vpcsim::scenario::load_str("app.cfn.yaml", "Resources: {}\n").unwrap();
/// assert_eq!((t.stacks[0].name.as_str(), t.steps.len()), ("app", 0));
/// ```
pub fn load_str(name: &str, text: &str) -> Result<Scenario, FileError> {
    load_str_with(name, text, &TemplateOptions::default())
}

/// [`load_str`] with the options a template takes (see [`load_with`]).
pub fn load_str_with(name: &str, text: &str, opts: &TemplateOptions) -> Result<Scenario, FileError> {
    let root = crate::yaml::parse(text, &crate::yaml::Limits::default()).map_err(|e| {
        FileError::one(FileProblem {
            file: name.to_string(),
            location: e.loc,
            context: None,
            message: format!("not valid YAML: {}", e.message),
            hint: None,
        })
    })?;
    if template::is_template(&root) {
        return template::scenario_from_template(name, root, opts);
    }
    if !opts.is_empty() {
        return Err(template::options_with_a_scenario(name));
    }
    parse::scenario(name, &root)
}
