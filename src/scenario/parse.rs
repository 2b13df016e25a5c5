//! From a YAML tree to a typed [`Scenario`], per docs/scenario-format.md.
//!
//! Every value is checked once here (durations, CIDRs, kinds, codes, regular
//! expressions, substitution syntax, the shape of each command line); independent
//! problems are collected and returned together, each with file, line and column.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use indexmap::IndexMap;

use super::subst::Template;
use super::wait::WaitBudget;
use super::{
    parse_duration, Action, Expect, Pattern, Scenario, StackSpec, Step, TemplateSource, DEFAULT_REGION,
    DEFAULT_WAIT_FOR_TIMEOUT, MAX_STACKS, MAX_STEPS,
};
use crate::addr::Cidr;
use crate::command::{app, aws, closest};
use crate::error::{FileError, FileProblem, Location};
use crate::region::Region;
use crate::trace::{ComponentKind, ExplanationCode};
use crate::yaml::{Node, NodeValue};

const TOP_KEYS: [&str; 6] = ["name", "description", "region", "seed", "stacks", "steps"];
const STACK_KEYS: [&str; 4] = ["name", "template", "template-body", "parameters"];
const STEP_KEYS: [&str; 9] =
    ["name", "description", "on", "run", "wait", "wait-for", "timeout", "save", "expect"];
const EXPECT_KEYS: [&str; 12] = [
    "fails",
    "exit",
    "output-contains",
    "output-not-contains",
    "output-matches",
    "output-not-matches",
    "answers-in",
    "answers-not-in",
    "via",
    "not-via",
    "explanation",
    "seen-source-in",
];

/// Collects problems while a file is read.
struct Ctx<'a> {
    file: &'a str,
    context: Option<String>,
    problems: Vec<FileProblem>,
}

impl Ctx<'_> {
    fn report(&mut self, location: Location, message: impl Into<String>, hint: Option<String>) {
        let (file, context) = (self.file.to_string(), self.context.clone());
        self.problems.push(FileProblem { file, location, context, message: message.into(), hint });
    }

    /// Reports every key of `node` not in `allowed`, with the closest valid key;
    /// returns the keys suggested, so that "missing key" is not reported for them too.
    fn known_keys<'k>(&mut self, node: &Node, allowed: &[&'k str], what: &str) -> Vec<&'k str> {
        let mut suggested = Vec::new();
        for (key, _) in node.as_map().unwrap_or_default() {
            if allowed.contains(&key.name.as_str()) {
                continue;
            }
            let hint = match closest(&key.name, allowed.iter().copied()) {
                Some(c) => {
                    suggested.push(c);
                    format!("did you mean `{c}`?")
                }
                None => format!("valid keys are: {}", allowed.join(", ")),
            };
            self.report(key.loc, format!("unknown key `{}` in {what}", key.name), Some(hint));
        }
        suggested
    }

    fn expect_map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n Node> {
        if node.as_map().is_some() {
            return Some(node);
        }
        self.report(node.loc, format!("{what} must be a map of keys, not {}", node.a_type_name()), None);
        None
    }

    /// A string value (numbers and booleans are not silently taken as text).
    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.value {
            NodeValue::Str(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            NodeValue::Str(_) => {
                self.report(node.loc, format!("`{key}` is empty"), None);
                None
            }
            _ => {
                self.report(node.loc, format!("`{key}` must be text, not {}", node.a_type_name()), None);
                None
            }
        }
    }

    /// One string or a list of strings; an empty list is a problem (it would check nothing).
    fn strings(&mut self, node: &Node, key: &str) -> Vec<(String, Location)> {
        if node.as_seq().is_some_and(<[Node]>::is_empty) {
            let hint = format!("give at least one value, or remove `{key}`");
            self.report(node.loc, format!("`{key}` is an empty list: it would check nothing"), Some(hint));
            return Vec::new();
        }
        match node.as_seq() {
            Some(items) => items.iter().filter_map(|n| Some((self.scalar(n, key)?, n.loc))).collect(),
            None => self.scalar(node, key).map(|s| vec![(s, node.loc)]).unwrap_or_default(),
        }
    }

    /// Scalar text (a number where text is expected is fine: `output-contains: 200`).
    fn scalar(&mut self, node: &Node, key: &str) -> Option<String> {
        let text = node.scalar_text();
        if text.is_none() {
            self.report(
                node.loc,
                format!("`{key}` must be text or a list of text, not {}", node.a_type_name()),
                None,
            );
        }
        text
    }

    /// Each item parsed with `parse`; errors reported with the parser's message.
    fn parsed<T, E: std::fmt::Display>(
        &mut self,
        node: &Node,
        key: &str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<Vec<T>> {
        let items = self.strings(node, key);
        let mut out = Vec::new();
        let mut ok = !items.is_empty();
        for (text, loc) in items {
            match parse(&text) {
                Ok(v) => out.push(v),
                Err(e) => {
                    self.report(loc, format!("`{key}`: {e}"), None);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

/// Where a map starts: its first key (a map node's own location is that of its first value).
fn start(node: &Node) -> Location {
    node.as_map().and_then(|m| m.first()).map_or(node.loc, |(k, _)| k.loc)
}

/// Builds a [`Scenario`] from a parsed YAML document; `file` is the path for messages
/// and for resolving template paths.
pub fn scenario(file: &str, root: &Node) -> Result<Scenario, FileError> {
    let mut ctx = Ctx { file, context: None, problems: Vec::new() };
    let scenario = read_top(&mut ctx, root);
    match scenario {
        Some(s) if ctx.problems.is_empty() => Ok(s),
        _ => {
            ctx.problems.sort_by_key(|p| p.location);
            Err(FileError { problems: ctx.problems })
        }
    }
}

fn read_top(ctx: &mut Ctx, root: &Node) -> Option<Scenario> {
    let root = ctx.expect_map(root, "a scenario file")?;
    let suggested = ctx.known_keys(root, &TOP_KEYS, "the scenario");
    let name = match root.get("name") {
        Some(n) => ctx.string(n, "name").filter(|s| one_line(ctx, n, s)),
        None if suggested.contains(&"name") => None,
        None => {
            ctx.report(start(root), "missing key `name`: every scenario has a one-line title", None);
            None
        }
    };
    let description = root.get("description").and_then(|n| ctx.string(n, "description"));
    let region = root.get("region").map_or(Some(DEFAULT_REGION.to_string()), |n| region(ctx, n));
    let seed = root.get("seed").and_then(|n| seed(ctx, n));
    let stacks = root.get("stacks").map(|n| stacks(ctx, n)).unwrap_or_default();
    let steps = steps(ctx, root)?;
    total_wait(ctx, &steps);
    Some(Scenario {
        file: ctx.file.to_string(),
        name: name?,
        description,
        region: region?,
        seed,
        stacks,
        steps,
    })
}

fn one_line(ctx: &mut Ctx, node: &Node, s: &str) -> bool {
    if s.contains('\n') {
        ctx.report(node.loc, "`name` must be one line", Some("put longer text in `description`".into()));
    }
    !s.contains('\n')
}

fn region(ctx: &mut Ctx, node: &Node) -> Option<String> {
    let r = ctx.string(node, "region")?;
    let parts: Vec<&str> = r.split('-').collect();
    let ok = parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        && parts.last().is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !ok {
        ctx.report(
            node.loc,
            format!("`{r}` is not a region name"),
            Some("for example us-east-1 or ap-northeast-2".into()),
        );
        return None;
    }
    if Region::find(&r).is_none() {
        let known = Region::known_names();
        let hint = match closest(&r, known.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? vpcsim models {}", known.join(", ")),
            None => format!("vpcsim models {}", known.join(", ")),
        };
        ctx.report(node.loc, format!("unknown region `{r}`"), Some(hint));
        return None;
    }
    Some(r)
}

fn seed(ctx: &mut Ctx, node: &Node) -> Option<u64> {
    match node.value {
        NodeValue::Int(i) if i >= 0 => Some(i as u64),
        _ => {
            ctx.report(node.loc, "`seed` must be a whole number from 0", None);
            None
        }
    }
}

fn stacks(ctx: &mut Ctx, node: &Node) -> Vec<StackSpec> {
    let Some(items) = node.as_seq() else {
        ctx.report(node.loc, format!("`stacks` must be a list, not {}", node.a_type_name()), None);
        return Vec::new();
    };
    if let Some(extra) = items.get(MAX_STACKS) {
        let msg = format!("more than {MAX_STACKS} stacks (limit MAX_STACKS)");
        let hint = Some("a scenario builds a lab: put its resources in fewer stacks".to_string());
        ctx.report(extra.loc, msg, hint);
        return Vec::new();
    }
    let stacks: Vec<StackSpec> = items.iter().enumerate().filter_map(|(i, n)| stack(ctx, i, n)).collect();
    duplicate_stacks(ctx, &stacks);
    stacks
}

/// Two stacks with one name are refused at the second name, as CloudFormation refuses
/// to create a stack whose name exists (AlreadyExistsException).
fn duplicate_stacks(ctx: &mut Ctx, stacks: &[StackSpec]) {
    let mut seen: IndexMap<&str, usize> = IndexMap::new();
    for (i, spec) in stacks.iter().enumerate() {
        if let Some(first) = seen.get(spec.name.as_str()) {
            ctx.context = Some(format!("stacks[{i}]"));
            let message = format!("stack `{}` already exists: stacks[{first}] has that name", spec.name);
            ctx.report(spec.name_loc, message, Some("give each stack its own name".to_string()));
        } else {
            seen.insert(&spec.name, i);
        }
    }
    ctx.context = None;
}

fn stack(ctx: &mut Ctx, index: usize, node: &Node) -> Option<StackSpec> {
    ctx.context = Some(format!("stacks[{index}]"));
    let node = ctx.expect_map(node, "a stack")?;
    let suggested = ctx.known_keys(node, &STACK_KEYS, "a stack");
    let name_loc = node.get("name").map_or(start(node), |n| n.loc);
    let name = match node.get("name") {
        Some(n) => ctx.string(n, "name").filter(|s| stack_name(ctx, n, s)),
        None if suggested.contains(&"name") => None,
        None => {
            ctx.report(start(node), "missing key `name`: the stack's name", None);
            None
        }
    };
    let misspelt = suggested.iter().any(|k| k.starts_with("template"));
    let template = template(ctx, node, misspelt);
    let parameters = node.get("parameters").map(|p| parameters(ctx, p)).unwrap_or_default();
    ctx.context = None;
    Some(StackSpec { name: name?, template: template?, parameters, loc: start(node), name_loc })
}

fn stack_name(ctx: &mut Ctx, node: &Node, s: &str) -> bool {
    let ok = s.len() <= 128
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !ok {
        let hint = "a letter, then letters, digits and hyphens, at most 128".to_string();
        ctx.report(node.loc, format!("`{s}` is not a valid stack name"), Some(hint));
    }
    ok
}

fn template(ctx: &mut Ctx, node: &Node, misspelt: bool) -> Option<TemplateSource> {
    match (node.get("template"), node.get("template-body")) {
        (Some(path), None) => {
            let rel = ctx.string(path, "template")?;
            let base = Path::new(ctx.file).parent().unwrap_or(Path::new(""));
            Some(TemplateSource::File(base.join(rel)))
        }
        (None, Some(body)) => {
            ctx.expect_map(body, "`template-body`")?;
            Some(TemplateSource::Inline(body.clone()))
        }
        (Some(_), Some(body)) => {
            ctx.report(body.loc, "a stack has `template` or `template-body`, not both", None);
            None
        }
        (None, None) if misspelt => None,
        (None, None) => {
            let hint = "add `template: FILE` (relative to this file) or `template-body: {...}`".to_string();
            ctx.report(start(node), "a stack needs a template", Some(hint));
            None
        }
    }
}

/// The stack's parameters: text, a number, or a list, which is passed comma-separated as
/// the AWS CLI passes a `List<...>` or `CommaDelimitedList` value.
fn parameters(ctx: &mut Ctx, node: &Node) -> IndexMap<String, String> {
    let Some(entries) = ctx.expect_map(node, "`parameters`").and_then(Node::as_map) else {
        return IndexMap::new();
    };
    let mut out = IndexMap::new();
    for (key, value) in entries {
        let text = match value.as_seq() {
            Some(items) => items
                .iter()
                .map(|n| ctx.scalar(n, &key.name))
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join(",")),
            None => ctx.scalar(value, &key.name),
        };
        if let Some(text) = text {
            out.insert(key.name.clone(), text);
        }
    }
    out
}

/// The steps; `steps` may be empty or left out (a scenario that only builds a world, for
/// `trace`, `graph`, `describe` and the shell).
fn steps(ctx: &mut Ctx, root: &Node) -> Option<Vec<Step>> {
    let Some(node) = root.get("steps").filter(|n| !matches!(n.value, NodeValue::Null)) else {
        return Some(Vec::new());
    };
    let Some(items) = node.as_seq() else {
        ctx.report(node.loc, format!("`steps` must be a list of steps, not {}", node.a_type_name()), None);
        return None;
    };
    if let Some(extra) = items.get(MAX_STEPS) {
        let msg = format!("more than {MAX_STEPS} steps (limit MAX_STEPS)");
        let hint = Some("split the scenario into several files".to_string());
        ctx.report(extra.loc, msg, hint);
        return None;
    }
    let steps: Vec<Option<Step>> = items.iter().enumerate().map(|(i, n)| step(ctx, i, n)).collect();
    ctx.context = None;
    duplicate_saves(ctx, &steps);
    duplicate_step_names(ctx, items);
    steps.into_iter().collect()
}

/// Two steps with one `name` are refused at the second: `--until NAME` stops after the
/// step of that name, and would otherwise pick one of them without saying so.
fn duplicate_step_names(ctx: &mut Ctx, items: &[Node]) {
    let mut seen: IndexMap<&str, usize> = IndexMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some(name_node) = item.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        if let Some(first) = seen.get(name) {
            ctx.context = Some(format!("step {} ({name})", i + 1));
            let hint = Some("give each step its own name: `--until NAME` stops after one".to_string());
            ctx.report(name_node.loc, format!("step {} already has the name `{name}`", first + 1), hint);
        } else {
            seen.insert(name, i);
        }
    }
    ctx.context = None;
}

fn step_label(index: usize, node: &Node) -> String {
    match node.get("name").and_then(Node::as_str) {
        Some(n) => format!("step {} ({n})", index + 1),
        None => format!("step {}", index + 1),
    }
}

fn step(ctx: &mut Ctx, index: usize, node: &Node) -> Option<Step> {
    ctx.context = Some(step_label(index, node));
    let node = ctx.expect_map(node, "a step")?;
    let suggested = ctx.known_keys(node, &STEP_KEYS, "a step");
    let name = node.get("name").and_then(|n| ctx.string(n, "name"));
    let description = node.get("description").and_then(|n| ctx.string(n, "description"));
    let on = node.get("on").and_then(|n| Some((ctx.string(n, "on")?, n.loc)));
    if let Some((text, loc)) = &on {
        syntax(ctx, text, *loc, "on");
    }
    let save = node.get("save").and_then(|n| save_name(ctx, n));
    let misspelt = suggested.iter().any(|k| ["run", "wait", "wait-for"].contains(k));
    let (action, action_loc) = action(ctx, node, misspelt)?;
    if let Action::Run(line) = &action {
        command_shape(ctx, line, action_loc, on.is_some());
    }
    if save.is_some() && on.is_some() {
        let hint = Some("`save` keeps the JSON of an `aws` call (a step without `on`)".to_string());
        ctx.report(node.get("save").map_or(node.loc, |n| n.loc), "`save` on an instance's command", hint);
    }
    let expect = node.get("expect").and_then(|n| expect(ctx, n));
    Some(Step { name, description, on: on.clone(), action, action_loc, save, expect, loc: start(node) })
}

fn save_name(ctx: &mut Ctx, node: &Node) -> Option<String> {
    let s = ctx.string(node, "save")?;
    let ok = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        let hint = Some("letters, digits, `_` and `-`, starting with a letter".to_string());
        ctx.report(node.loc, format!("`{s}` cannot be a save name"), hint);
    }
    ok.then_some(s)
}

fn duplicate_saves(ctx: &mut Ctx, steps: &[Option<Step>]) {
    let mut seen: IndexMap<&str, usize> = IndexMap::new();
    for (i, step) in steps.iter().enumerate() {
        let Some((name, step)) = step.as_ref().and_then(|s| Some((s.save.as_deref()?, s))) else { continue };
        if let Some(first) = seen.get(name) {
            ctx.context = Some(format!("step {}", i + 1));
            let hint = Some("give each saved output its own name".to_string());
            ctx.report(step.loc, format!("`save: {name}` is already used by step {}", first + 1), hint);
        } else {
            seen.insert(name, i);
        }
    }
    ctx.context = None;
}

/// The one action of a step, and where its value is.
fn action(ctx: &mut Ctx, node: &Node, misspelt: bool) -> Option<(Action, Location)> {
    let present: Vec<(&str, &Node)> =
        ["run", "wait", "wait-for"].into_iter().filter_map(|k| Some((k, node.get(k)?))).collect();
    let timeout = node.get("timeout");
    if timeout.is_some() && node.get("wait-for").is_none() {
        let at = timeout.map_or(node.loc, |t| t.loc);
        ctx.report(at, "`timeout` belongs to a `wait-for` step", None);
    }
    match present.as_slice() {
        [(key, value)] => {
            let action = match *key {
                "run" => ctx.string(value, "run").map(Action::Run),
                "wait" => duration(ctx, value, "wait").map(Action::Wait),
                _ => wait_for(ctx, value, timeout),
            };
            Some((action?, value.loc))
        }
        [] if misspelt => None,
        [] => {
            ctx.report(start(node), "a step needs one of `run`, `wait`, `wait-for`", None);
            None
        }
        [_, (_, second), ..] => {
            let keys: Vec<String> = present.iter().map(|(k, _)| format!("`{k}`")).collect();
            let hint = Some("split it into one step per action".to_string());
            ctx.report(
                second.loc,
                format!(
                    "a step has exactly one of `run`, `wait`, `wait-for`; this one has {}",
                    keys.join(" and ")
                ),
                hint,
            );
            None
        }
    }
}

fn duration(ctx: &mut Ctx, node: &Node, key: &str) -> Option<Duration> {
    let text = node.scalar_text().unwrap_or_default();
    let d = parse_duration(&text);
    match d {
        None => {
            let hint = Some("write it like 30s, 2m, 1h or 1m30s".to_string());
            ctx.report(node.loc, format!("`{key}`: `{text}` is not a duration"), hint);
        }
        Some(d) => {
            if let Err(e) = WaitBudget::new().charge(key, &text, d) {
                ctx.report(node.loc, e.to_string(), Some(e.hint().to_string()));
                return None;
            }
        }
    }
    d
}

/// MAX_TOTAL_WAIT: the scenario's waits and wait-for timeouts together.
fn total_wait(ctx: &mut Ctx, steps: &[Step]) {
    let mut budget = WaitBudget::new();
    for step in steps {
        let (key, d) = match step.action {
            Action::Wait(d) => ("wait", d),
            Action::WaitFor { timeout, .. } => ("timeout", timeout),
            Action::Run(_) => continue,
        };
        if let Err(e) = budget.charge(key, &super::format_duration(d), d) {
            ctx.report(step.loc, e.to_string(), Some(e.hint().to_string()));
            return;
        }
    }
}

fn wait_for(ctx: &mut Ctx, node: &Node, timeout: Option<&Node>) -> Option<Action> {
    let text = ctx.string(node, "wait-for")?;
    syntax(ctx, &text, node.loc, "wait-for");
    let words: Vec<&str> = text.split_whitespace().collect();
    let timeout = match timeout {
        Some(t) => duration(ctx, t, "timeout"),
        None => Some(DEFAULT_WAIT_FOR_TIMEOUT),
    };
    let [resource, state] = words.as_slice() else {
        let hint = Some("for example `wait-for: Custom-NLB-TG healthy`".to_string());
        ctx.report(node.loc, format!("`wait-for: {text}` must be a resource and a state"), hint);
        return None;
    };
    Some(Action::WaitFor { resource: resource.to_string(), state: state.to_string(), timeout: timeout? })
}

/// Reports a malformed `${...}` in `text`.
fn syntax(ctx: &mut Ctx, text: &str, loc: Location, key: &str) {
    if let Err(e) = Template::parse(text) {
        ctx.report(loc, format!("`{key}`: {e}"), Some("write `$${` for a literal `${`".into()));
    }
}

/// Checks that a `run` line is a command the step can run: `aws ...` without `on`,
/// `dig`/`curl`/`ping`/`nc` with it. Substituted values are only known at run time,
/// so a line with `${...}` is checked for its program and flag names only.
fn command_shape(ctx: &mut Ctx, line: &str, loc: Location, on: bool) {
    let Ok(template) = Template::parse(line) else {
        return syntax(ctx, line, loc, "run");
    };
    let has_vars = template.vars().next().is_some();
    let line = template.with_placeholder("placeholder");
    let program = crate::command::split(&line).ok().and_then(|w| w.into_iter().next()).unwrap_or_default();
    let problem = match (on, program == "aws") {
        (false, true) => {
            aws::parse_line(&line).err().filter(|e| !has_vars || e.is_structural()).map(|e| e.summary())
        }
        (true, false) => match app::parse_line(&line) {
            Err(e) if !has_vars || e.exit_code == 127 => e.message.lines().next().map(String::from),
            _ => None,
        },
        (true, true) => {
            Some("`aws` calls run from your own machine: remove `on:` from this step".to_string())
        }
        (false, false) if app::PROGRAMS.contains(&program.as_str()) => {
            Some(format!("`{program}` runs on an instance: add `on: INSTANCE` to this step"))
        }
        (false, false) => aws::parse_line(&line).err().map(|e| e.summary()),
    };
    if let Some(message) = problem {
        ctx.report(loc, format!("`run`: {message}"), None);
    }
}

fn expect(ctx: &mut Ctx, node: &Node) -> Option<Expect> {
    let node = ctx.expect_map(node, "`expect`")?;
    ctx.known_keys(node, &EXPECT_KEYS, "`expect`");
    let before = ctx.problems.len();
    let mut e = Expect { loc: start(node), ..Expect::default() };
    for (key, value) in node.as_map().unwrap_or_default() {
        expect_key(ctx, &mut e, &key.name, value);
    }
    if e.fails == Some(true) && e.exit == Some(0) || e.fails == Some(false) && e.exit.is_some_and(|x| x != 0)
    {
        ctx.report(start(node), "`fails` and `exit` contradict each other", None);
    }
    (ctx.problems.len() == before).then_some(e)
}

/// Keys whose values may hold `${...}`.
pub(crate) const TEMPLATED_KEYS: [&str; 7] = [
    "output-contains",
    "output-not-contains",
    "output-matches",
    "output-not-matches",
    "answers-in",
    "answers-not-in",
    "seen-source-in",
];

fn expect_key(ctx: &mut Ctx, e: &mut Expect, key: &str, v: &Node) {
    if TEMPLATED_KEYS.contains(&key) && templated(ctx, e, key, v) {
        return;
    }
    let texts = |ctx: &mut Ctx| ctx.strings(v, key).into_iter().map(|(s, _)| s).collect();
    match key {
        "fails" => e.fails = boolean(ctx, v, key),
        "exit" => e.exit = exit_status(ctx, v),
        "output-contains" => e.output_contains = texts(ctx),
        "output-not-contains" => e.output_not_contains = texts(ctx),
        "output-matches" => e.output_matches = ctx.parsed(v, key, pattern).unwrap_or_default(),
        "output-not-matches" => e.output_not_matches = ctx.parsed(v, key, pattern).unwrap_or_default(),
        "answers-in" => e.answers_in = ctx.parsed(v, key, cidr),
        "answers-not-in" => e.answers_not_in = ctx.parsed(v, key, cidr),
        "via" => e.via = ctx.parsed(v, key, kind),
        "not-via" => e.not_via = ctx.parsed(v, key, kind),
        "explanation" => e.explanation = ctx.parsed(v, key, code).and_then(|c| single(ctx, v, key, c)),
        "seen-source-in" => e.seen_source_in = ctx.parsed(v, key, cidr).and_then(|c| single(ctx, v, key, c)),
        _ => {}
    }
}

/// Values with `${...}` are kept as written, to be substituted after the step ran; true when
/// the node held any (then all its values are kept that way, so a list stays one kind).
fn templated(ctx: &mut Ctx, e: &mut Expect, key: &str, v: &Node) -> bool {
    let items: Vec<(String, Location)> = match v.as_seq() {
        Some(items) => items.iter().filter_map(|n| Some((n.scalar_text()?, n.loc))).collect(),
        None => v.scalar_text().map(|s| vec![(s, v.loc)]).unwrap_or_default(),
    };
    if !items.iter().any(|(t, _)| t.contains("${")) {
        return false;
    }
    if key == "seen-source-in" && v.as_seq().is_some() {
        ctx.report(v.loc, format!("`{key}` takes one value, not a list"), None);
        return true;
    }
    for (text, loc) in items {
        if let Err(err) = crate::scenario::subst::Template::parse(&text) {
            ctx.report(loc, format!("`{key}`: {err}"), None);
            continue;
        }
        e.templated.push(crate::scenario::Templated { key: key.to_string(), text, loc });
    }
    true
}

/// Parse one substituted `expect` value into `e`, as the literal value would have been.
pub(crate) fn add_value(e: &mut Expect, key: &str, text: &str) -> Result<(), String> {
    match key {
        "output-contains" => e.output_contains.push(text.to_string()),
        "output-not-contains" => e.output_not_contains.push(text.to_string()),
        "output-matches" => e.output_matches.push(pattern(text)?),
        "output-not-matches" => e.output_not_matches.push(pattern(text)?),
        "answers-in" => e.answers_in.get_or_insert_with(Vec::new).push(cidr(text)?),
        "answers-not-in" => e.answers_not_in.get_or_insert_with(Vec::new).push(cidr(text)?),
        "seen-source-in" => e.seen_source_in = Some(cidr(text)?),
        other => return Err(format!("`{other}` takes no substitutions")),
    }
    Ok(())
}

fn single<T>(ctx: &mut Ctx, node: &Node, key: &str, mut items: Vec<T>) -> Option<T> {
    if items.len() != 1 || node.as_seq().is_some() {
        ctx.report(node.loc, format!("`{key}` takes one value, not a list"), None);
        return None;
    }
    items.pop()
}

fn boolean(ctx: &mut Ctx, node: &Node, key: &str) -> Option<bool> {
    match node.value {
        NodeValue::Bool(b) => Some(b),
        _ => {
            ctx.report(node.loc, format!("`{key}` must be true or false, not {}", node.a_type_name()), None);
            None
        }
    }
}

fn exit_status(ctx: &mut Ctx, node: &Node) -> Option<i32> {
    match node.value {
        NodeValue::Int(i) if (0..=255).contains(&i) => Some(i as i32),
        _ => {
            ctx.report(node.loc, "`exit` must be a whole number from 0 to 255", None);
            None
        }
    }
}

fn pattern(text: &str) -> Result<Pattern, String> {
    let regex = regex::Regex::new(&format!("(?m){text}")).map_err(|e| {
        format!("`{text}` is not a valid regular expression: {}", one_line_error(&e.to_string()))
    })?;
    Ok(Pattern { source: text.to_string(), regex })
}

/// The regex crate's message without its ASCII-art pointer lines.
fn one_line_error(message: &str) -> String {
    message.lines().last().unwrap_or(message).trim().trim_start_matches("error: ").to_string()
}

/// A CIDR block, or one address as a /32.
fn cidr(text: &str) -> Result<Cidr, String> {
    match text.parse::<std::net::Ipv4Addr>() {
        Ok(ip) => Ok(Cidr::host(ip)),
        Err(_) => Cidr::from_str(text).map_err(|e| e.to_string()),
    }
}

fn kind(text: &str) -> Result<ComponentKind, String> {
    text.parse::<ComponentKind>().map_err(|e| {
        let names = ComponentKind::ALL.map(ComponentKind::as_str);
        match closest(text, names) {
            Some(c) => format!("unknown component kind `{text}`: did you mean `{c}`?"),
            None => e.to_string(),
        }
    })
}

fn code(text: &str) -> Result<ExplanationCode, String> {
    text.parse::<ExplanationCode>().map_err(|e| {
        let codes = ExplanationCode::ALL.map(ExplanationCode::as_str);
        match closest(&text.to_ascii_uppercase(), codes) {
            Some(c) => format!("unknown explanation code `{text}`: did you mean `{c}`?"),
            None => e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    fn problems(text: &str) -> Vec<String> {
        match load_str("t.yaml", text) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(|p| format!("{}: {}", p.location, p.message)).collect(),
        }
    }

    #[test]
    fn defaults_fill_region_and_wait_for_timeout() {
        let s = load_str("t.yaml", "name: n\nsteps:\n  - wait-for: TG healthy\n").unwrap();
        assert_eq!((s.region.as_str(), s.seed, s.description.as_deref()), ("us-east-1", None, None));
        let want = Action::WaitFor {
            resource: "TG".into(),
            state: "healthy".into(),
            timeout: DEFAULT_WAIT_FOR_TIMEOUT,
        };
        assert_eq!(s.steps[0].action, want);
    }

    #[test]
    fn text_keys_take_one_string_or_a_list() {
        let text = "name: n\nsteps:\n  - on: A\n    run: curl a\n    expect:\n      output-contains: [a, 200]\n      output-not-contains: b\n";
        let e = load_str("t.yaml", text).unwrap().steps[0].expect.clone().unwrap();
        assert_eq!(e.output_contains, ["a", "200"]);
        assert_eq!(e.output_not_contains, ["b"]);
    }

    #[test]
    fn a_list_parameter_is_passed_comma_separated_as_the_aws_cli_passes_it() {
        let text = "name: n\nstacks:\n  - name: s\n    template: t.cfn.yaml\n    parameters:\n      Zones: [us-east-1a, us-east-1b]\n      Count: 2\n";
        let s = load_str("t.yaml", text).unwrap();
        let p = &s.stacks[0].parameters;
        assert_eq!((p["Zones"].as_str(), p["Count"].as_str()), ("us-east-1a,us-east-1b", "2"));
        let nested =
            "name: n\nstacks:\n  - name: s\n    template: t.cfn.yaml\n    parameters: {Zones: [[a]]}\n";
        assert_eq!(problems(nested), ["5:26: `Zones` must be text or a list of text, not a list"]);
    }

    #[test]
    fn an_address_in_answers_in_is_a_host_block() {
        let text = "name: n\nsteps:\n  - on: A\n    run: dig x.y\n    expect: {answers-in: 10.0.0.240}\n";
        let e = load_str("t.yaml", text).unwrap().steps[0].expect.clone().unwrap();
        assert_eq!(e.answers_in, Some(vec!["10.0.0.240/32".parse().unwrap()]));
    }

    #[test]
    fn an_empty_list_in_expect_is_an_invalid_file_at_its_value() {
        for key in ["answers-in", "answers-not-in", "output-contains", "via"] {
            let text = format!("name: n\nsteps:\n  - on: A\n    run: dig x.y\n    expect: {{{key}: []}}\n");
            assert_eq!(
                problems(&text),
                [format!("5:{}: `{key}` is an empty list: it would check nothing", 16 + key.len())],
                "{key}"
            );
        }
    }

    #[test]
    fn an_unknown_region_is_reported_at_its_value_with_the_closest_known_one() {
        let e = crate::scenario::load_str("s.yaml", "name: n\nregion: eu-west-9\nsteps:\n  - wait: 1s\n")
            .unwrap_err();
        assert_eq!(e.problems[0].location, Location { line: 2, column: 9 });
        assert_eq!(e.problems[0].message, "unknown region `eu-west-9`");
        assert!(e.problems[0].hint.as_deref().unwrap_or_default().starts_with("did you mean `eu-west-1`?"));
    }

    #[test]
    fn two_stacks_with_one_name_are_refused_at_the_second_name() {
        let text = "name: n\nstacks:\n  - {name: lab, template: a.yaml}\n  - {name: web, template: b.yaml}\n  - name: lab\n    template: c.yaml\nsteps:\n  - wait: 1s\n";
        assert_eq!(problems(text), ["5:11: stack `lab` already exists: stacks[0] has that name"]);
    }

    #[test]
    fn two_steps_with_one_name_are_refused_at_the_second_name() {
        let text =
            "name: n\nsteps:\n  - {name: a, wait: 1s}\n  - {name: b, wait: 1s}\n  - name: a\n    wait: 1s\n";
        assert_eq!(problems(text), ["5:11: step 1 already has the name `a`"]);
    }

    #[test]
    fn fails_and_exit_must_agree() {
        let text = "name: n\nsteps:\n  - on: A\n    run: dig x.y\n    expect: {fails: true, exit: 0}\n";
        assert_eq!(problems(text), ["5:14: `fails` and `exit` contradict each other"]);
    }

    #[test]
    fn save_belongs_to_aws_calls_and_names_are_unique() {
        let text = "name: n\nsteps:\n  - on: A\n    run: dig x.y\n    save: x\n  - run: aws ec2 describe-vpcs\n    save: y\n  - run: aws ec2 describe-vpcs\n    save: y\n";
        assert_eq!(
            problems(text),
            ["5:11: `save` on an instance's command", "8:5: `save: y` is already used by step 2"]
        );
    }

    #[test]
    fn aws_on_an_instance_is_refused() {
        let text = "name: n\nsteps:\n  - on: A\n    run: aws ec2 describe-vpcs\n";
        assert_eq!(
            problems(text),
            ["4:10: `run`: `aws` calls run from your own machine: remove `on:` from this step"]
        );
    }

    #[test]
    fn a_line_with_substitutions_is_checked_for_its_shape_only() {
        let ok = "name: n\nsteps:\n  - run: aws ec2 delete-network-acl-entry --network-acl-id a --rule-number ${n} --egress\n";
        assert_eq!(problems(ok), Vec::<String>::new());
        let bad = "name: n\nsteps:\n  - run: aws ec2 describe-vpcs --vpc-idz ${MyVPC}\n";
        assert_eq!(problems(bad), ["3:10: `run`: Unknown options: --vpc-idz, placeholder"]);
    }

    #[test]
    fn top_level_values_are_checked() {
        let text = "name: \"a\\nb\"\nregion: Seoul\nseed: -1\nstacks:\n  - {name: 1lab, template: a, template-body: {}}\nsteps: []\n";
        assert_eq!(
            problems(text),
            [
                "1:7: `name` must be one line",
                "2:9: `Seoul` is not a region name",
                "3:7: `seed` must be a whole number from 0",
                "5:12: `1lab` is not a valid stack name",
                "5:46: a stack has `template` or `template-body`, not both",
            ]
        );
    }

    #[test]
    fn steps_may_be_empty_or_left_out_but_not_another_type() {
        for text in ["name: n\n", "name: n\nsteps: []\n", "name: n\nsteps:\n"] {
            assert_eq!(load_str("t.yaml", text).map(|s| s.steps.len()), Ok(0), "{text:?}");
        }
        assert_eq!(problems("name: n\nsteps: 3\n"), ["2:8: `steps` must be a list of steps, not an integer"]);
    }

    #[test]
    fn a_file_that_is_not_a_map_is_refused() {
        assert_eq!(problems("- a\n- b\n"), ["1:1: a scenario file must be a map of keys, not a list"]);
    }
}
