//! `vpcsim diff`: what a change changed. Two worlds (two files, two steps of one
//! scenario, or a CloudFormation template and a changed copy) get the same
//! reachability question ([`vpcsim::analyzer`]); every cell whose verdict changed is
//! printed with the decisive hop of both traces. Two steps of one scenario come from one
//! run of it, and the later matrix is the earlier one brought up to date
//! ([`vpcsim::analyzer::steps`]). Exit 0 when nothing changed, 1 when something did.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use vpcsim::analyzer::diff::{self, Diff, Side};
use vpcsim::analyzer::{select, steps, Filter, Matrix, Probe};
use vpcsim::session::Session;

use super::style::Style;
use super::{exit, world, CliError};

/// What `vpcsim diff` was asked.
pub struct Args<'a> {
    /// The earlier file.
    pub before: &'a Path,
    /// The later file (the earlier one again when absent).
    pub after: Option<&'a Path>,
    /// Steps of the earlier world.
    pub before_step: Option<usize>,
    /// Steps of the later world.
    pub after_step: Option<usize>,
    /// `--from` filters.
    pub from: &'a [String],
    /// `--to` filters.
    pub to: &'a [String],
    /// `--port` values.
    pub ports: &'a [String],
    /// `--json`.
    pub json: bool,
    /// `--parameter` and `--region`: for both files, when they are CloudFormation templates.
    pub template: &'a world::TemplateArgs,
}

/// The world a file leaves after `steps` steps (the steps before clean-up when `None`): a
/// scenario's, or a template's stack alone (a template has no steps: only `None` or 0).
fn world_of(
    file: &Path,
    steps: Option<usize>,
    template: &world::TemplateArgs,
    flag: &str,
) -> Result<Session, CliError> {
    world::prepare_described(file, &state_args(steps, template))
        .map(|p| p.session)
        .map_err(|e| as_flag(flag, e))
}

/// An error about the steps selected, named by the flag the user gave (`--before-step`,
/// `--after-step`) rather than the `--until` it is passed on as.
fn as_flag(flag: &str, e: CliError) -> CliError {
    match e.message.strip_prefix("--until ") {
        Some(rest) => CliError { code: e.code, message: format!("{flag} {rest}") },
        None => e,
    }
}

/// The options that select `steps` steps (the steps before clean-up when `None`), with a
/// template's parameters and region.
fn state_args(steps: Option<usize>, template: &world::TemplateArgs) -> world::StateArgs {
    world::StateArgs {
        until: steps.filter(|&n| n > 0).map(|n| n.to_string()),
        from_start: steps == Some(0),
        template: template.clone(),
    }
}

/// The worlds one scenario leaves after `before` steps and after `after` steps (the steps
/// before clean-up when `None`), from one run of it.
fn steps_of(
    file: &Path,
    before: usize,
    after: Option<usize>,
    template: &world::TemplateArgs,
) -> Result<(Session, Session), CliError> {
    let (mut s, builtin) = world::load(file, template)?;
    let state = |steps: Option<usize>, flag: &str| {
        world::State::of(&s, &state_args(steps, template)).map_err(|e| as_flag(flag, e))
    };
    let n = state(Some(before), "--before-step")?.applied;
    let m = state(after, "--after-step")?.applied;
    s.steps.truncate(n.max(m));
    let mut session = world::session_for(&s, builtin)?;
    let mut kept: Vec<Option<Session>> = Vec::new();
    let report = vpcsim::scenario::run::run_each(&s, &mut session, &mut |now: &Session| {
        let k = kept.len();
        kept.push((k == n || k == m).then(|| now.clone()));
    })
    .map_err(|e| CliError::invalid(e.to_string()))?;
    world::check_prepared(file, &report)?;
    let mut take = |k: usize| kept.get_mut(k).and_then(Option::take);
    let at_n = take(n);
    let at_m = if m == n { at_n.clone() } else { take(m) };
    match (at_n, at_m) {
        (Some(b), Some(a)) => Ok((b, a)),
        _ => Err(CliError::invalid(format!(
            "{}: the scenario stopped before step {}",
            file.display(),
            n.max(m)
        ))),
    }
}

/// `vpcsim diff BEFORE [AFTER] ...`.
pub fn command(a: &Args<'_>) -> Result<u8, CliError> {
    let probes: Vec<Probe> = super::reach::probes(a.ports)?;
    let after_file: PathBuf = a.after.unwrap_or(a.before).to_path_buf();
    if a.after.is_none() && a.before_step.is_none() && a.after_step.is_none() {
        return Err(CliError::invalid(
            "diff needs two files, or one scenario with --before-step N and --after-step M",
        ));
    }
    let from: Vec<Filter> = a.from.iter().map(|f| Filter::parse(f)).collect();
    let to: Vec<Filter> = a.to.iter().map(|f| Filter::parse(f)).collect();
    let full = |s: &Session| {
        let w = &s.world;
        Matrix::compute_parallel(w, select::sources(w, &from), select::targets(w, &to), probes.clone())
    };
    // Two steps of one scenario: the later matrix is the earlier one brought up to date
    // over the resources that differ; two files: both computed in full.
    let (before, after, bm, am) = match a.after {
        None => {
            let (before, after) = steps_of(a.before, a.before_step.unwrap_or(0), a.after_step, a.template)?;
            let bm = full(&before);
            let (am, _) = steps::matrix_after(&before.world, &bm, &after.world, &from, &to);
            (before, after, bm, am)
        }
        Some(_) => {
            let before = world_of(a.before, a.before_step, a.template, "--before-step")?;
            let after = world_of(&after_file, a.after_step, a.template, "--after-step")?;
            let (bm, am) = (full(&before), full(&after));
            (before, after, bm, am)
        }
    };
    let d =
        diff::diff(&Side { world: &before.world, matrix: &bm }, &Side { world: &after.world, matrix: &am });
    if a.json {
        super::emit(&format!("{}\n", vpcsim::describe::pretty(&to_json(&d))));
    } else {
        let title = format!(
            "{} -> {}",
            label(a.before, a.after.map(|_| a.before_step).unwrap_or(a.before_step.or(Some(0)))),
            label(&after_file, a.after_step)
        );
        super::emit(&text(&d, &title, Style::detect()));
    }
    Ok(if d.is_empty() { exit::OK } else { exit::FAILED })
}

fn label(file: &Path, steps: Option<usize>) -> String {
    match steps {
        Some(n) => format!("{} (step {n})", file.display()),
        None => file.display().to_string(),
    }
}

/// Names: the first few, then how many more.
fn names(list: &[String]) -> String {
    let shown: Vec<&str> = list.iter().take(4).map(String::as_str).collect();
    let more = list.len().saturating_sub(4);
    let mut out = shown.join(", ");
    if more > 0 {
        out.push_str(&format!(" (+{more} more)"));
    }
    out
}

/// The diff for people.
fn text(d: &Diff, title: &str, style: Style) -> String {
    let mut out = format!("{}\n", style.bold(&format!("Diff {title}")));
    if d.is_empty() {
        out.push_str("no verdict changed\n");
        return out;
    }
    match d.changes.len() {
        0 => out.push_str("no verdict changed\n"),
        1 => out.push_str("1 change\n"),
        n => out.push_str(&format!("{n} changes\n")),
    }
    for c in &d.changes {
        out.push_str(&format!(
            "\n  {}  {} -> {}\n    before: {}\n    after:  {}\n",
            c.probe,
            names(&c.sources),
            names(&c.targets),
            c.before_hop,
            c.after_hop
        ));
    }
    for (what, list) in [
        ("sources removed", &d.sources_removed),
        ("sources added", &d.sources_added),
        ("destinations removed", &d.targets_removed),
        ("destinations added", &d.targets_added),
    ] {
        if !list.is_empty() {
            out.push_str(&format!("\n{what}: {}\n", names(list)));
        }
    }
    out
}

/// The diff for machines: `{changes: [{sources, destinations, port, before, after,
/// before_hop, after_hop, before_flow, after_flow}], sources_removed, sources_added,
/// destinations_removed, destinations_added}`; the flows are flow documents, as
/// `vpcsim trace --json` prints them.
fn to_json(d: &Diff) -> Value {
    let changes: Vec<Value> = d
        .changes
        .iter()
        .map(|c| {
            json!({"sources": c.sources, "destinations": c.targets, "port": c.probe.to_string(),
                   "before": c.before.label(), "after": c.after.label(),
                   "before_hop": c.before_hop, "after_hop": c.after_hop,
                   "before_flow": c.before_flow, "after_flow": c.after_flow})
        })
        .collect();
    json!({"changes": changes, "sources_removed": d.sources_removed, "sources_added": d.sources_added,
           "destinations_removed": d.targets_removed, "destinations_added": d.targets_added})
}
