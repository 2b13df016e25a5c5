//! Substitutions in `run`, `on` and `wait-for`: `${X}` (Ref of a resource), `${X.Attr}`
//! (its GetAtt) and `${NAME.Path[0].Field}` (a field of an output saved by an earlier
//! step with `save: NAME`). `$${` writes a literal `${`; a `$` not followed by `{` is
//! left as it is.
//!
//! [`Template::parse`] checks the syntax when the file is read; [`check_names`] checks
//! every name against the created resources and the steps' `save` names before the
//! first step runs; [`apply`] substitutes at run time.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::Value;

use super::{Action, Scenario, Step};
use crate::command::closest;
use crate::error::{FileError, FileProblem, Location};

/// A string with its substitutions found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// Literal text and variables, in order.
    pub parts: Vec<Part>,
}

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text (escapes already undone).
    Text(String),
    /// A `${...}`.
    Var(Var),
}

/// One `${...}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    /// The text between the braces.
    pub text: String,
    /// The name before the first `.` or `[`: a resource or a saved output.
    pub root: String,
    /// The text after the root and its `.` (a GetAtt attribute, or a path in a saved output).
    pub rest: String,
    /// `rest` read as a path (`.Field` and `[i]`).
    pub path: Vec<PathSeg>,
}

/// One step of a path into saved JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSeg {
    /// `.Field`.
    Field(String),
    /// `[i]`.
    Index(usize),
}

/// Why a string's substitutions cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxError {
    /// `${` without its `}`.
    #[error("`${{` at byte {offset} is never closed by `}}`")]
    Unterminated {
        /// Byte offset of the `${`.
        offset: usize,
    },
    /// `${}` or a path with an empty part (`${a..b}`, `${a[]}`, `${a[x]}`).
    #[error("`${{{text}}}` is not a name followed by `.Field` and `[index]` parts")]
    BadVar {
        /// The text between the braces.
        text: String,
    },
}

/// How a resource name resolves (lookup order: logical id, Name tag, own name, AWS id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// One resource has that name.
    Found {
        /// Its `Ref` value (an id or ARN).
        ref_value: String,
        /// Its CloudFormation type (`AWS::EC2::Instance`).
        kind: String,
    },
    /// None has; the closest name, if any.
    NotFound {
        /// A close existing name.
        suggestion: Option<String>,
    },
    /// More than one has; their logical ids or AWS ids.
    Ambiguous(Vec<String>),
}

/// What substitutions need from the simulated region.
pub trait Resolver {
    /// Finds a resource by logical id, Name tag, own name or AWS id, in that order.
    fn resolve(&self, name: &str) -> Resolution;
    /// The GetAtt `attr` of the resource `name`, or why not.
    fn get_att(&self, name: &str, attr: &str) -> Result<String, String>;
}

impl Template {
    /// Finds the `${...}` of `text`.
    ///
    /// ```
    /// use vpcsim::scenario::subst::{Template, PathSeg};
    /// let t = Template::parse("curl http://${vpce.DnsEntries[0].DnsName}/ costs $$${x}").unwrap();
    /// let v = t.vars().next().unwrap();
    /// assert_eq!(v.path, [PathSeg::Field("DnsEntries".into()), PathSeg::Index(0), PathSeg::Field("DnsName".into())]);
    /// assert_eq!(t.vars().count(), 1);
    /// ```
    pub fn parse(text: &str) -> Result<Template, SyntaxError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("$${") {
                literal.push_str("${");
                i += 3;
            } else if rest.starts_with("${") {
                let end = rest.find('}').ok_or(SyntaxError::Unterminated { offset: i })?;
                parts.extend((!literal.is_empty()).then(|| Part::Text(std::mem::take(&mut literal))));
                parts.push(Part::Var(Var::parse(&rest[2..end])?));
                i += end + 1;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                literal.push(c);
                i += c.len_utf8().max(1);
            }
        }
        parts.extend((!literal.is_empty()).then_some(Part::Text(literal)));
        Ok(Template { parts })
    }

    /// The variables, in order.
    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v),
            Part::Text(_) => None,
        })
    }

    /// The text with every variable replaced by `placeholder` (for checking a command's shape).
    pub fn with_placeholder(&self, placeholder: &str) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.as_str(),
                Part::Var(_) => placeholder,
            })
            .collect()
    }
}

impl Var {
    fn parse(text: &str) -> Result<Var, SyntaxError> {
        let bad = || SyntaxError::BadVar { text: text.to_string() };
        let cut = text.find(['.', '[']).unwrap_or(text.len());
        let root = text[..cut].trim();
        if root.is_empty() || root.contains(char::is_whitespace) {
            return Err(bad());
        }
        let rest = text[cut..].strip_prefix('.').unwrap_or(&text[cut..]);
        let path = parse_path(&text[cut..]).ok_or_else(bad)?;
        Ok(Var { text: text.to_string(), root: root.to_string(), rest: rest.to_string(), path })
    }
}

fn parse_path(mut text: &str) -> Option<Vec<PathSeg>> {
    let mut path = Vec::new();
    while !text.is_empty() {
        if let Some(after) = text.strip_prefix('[') {
            let close = after.find(']')?;
            path.push(PathSeg::Index(after[..close].trim().parse().ok()?));
            text = &after[close + 1..];
        } else {
            let after = text.strip_prefix('.')?;
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return None;
            }
            path.push(PathSeg::Field(after[..end].to_string()));
            text = &after[end..];
        }
    }
    Some(path)
}

fn path_text(path: &[PathSeg]) -> String {
    path.iter()
        .map(|s| match s {
            PathSeg::Field(f) => format!(".{f}"),
            PathSeg::Index(i) => format!("[{i}]"),
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// A step's places that may hold resource names or substitutions, with where they are written.
pub(crate) fn step_templates(step: &Step) -> Vec<(&'static str, &str, Location)> {
    let mut out = Vec::new();
    if let Some((on, loc)) = &step.on {
        out.push(("on", on.as_str(), *loc));
    }
    match &step.action {
        Action::Run(line) => out.push(("run", line.as_str(), step.action_loc)),
        Action::WaitFor { resource, .. } => out.push(("wait-for", resource.as_str(), step.action_loc)),
        Action::Wait(_) => {}
    }
    for t in step.expect.iter().flat_map(|e| &e.templated) {
        out.push(("expect", t.text.as_str(), t.loc));
    }
    out
}

/// After this many problems [`check_names`] stops looking (and says so).
pub const MAX_PROBLEMS: usize = 100;

/// Checks every substitution and resource name of the scenario before anything runs:
/// `${NAME...}` is fine when an earlier step saves NAME; otherwise NAME (and a plain
/// `on` or `wait-for` resource) must resolve to exactly one resource. All problems
/// are reported together.
pub fn check_names(scenario: &Scenario, resolver: &dyn Resolver) -> Result<(), FileError> {
    let saves: Vec<(usize, &str)> =
        scenario.steps.iter().enumerate().filter_map(|(i, s)| Some((i, s.save.as_deref()?))).collect();
    // Name -> the steps that save it, in order: lookups stay cheap in files of many steps.
    let mut saved_at: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, name) in &saves {
        saved_at.entry(name).or_default().push(*i);
    }
    let mut problems = Vec::new();
    for (index, step) in scenario.steps.iter().enumerate() {
        if problems.len() >= MAX_PROBLEMS {
            let loc = step.loc;
            let message = format!("more problems not shown (a report shows at most {MAX_PROBLEMS} problems)");
            let hint = Some("fix these first".to_string());
            problems.push(FileProblem {
                file: scenario.file.clone(),
                location: loc,
                context: None,
                message,
                hint,
            });
            break;
        }
        let saved_before = |name: &str| saved_at.get(name).is_some_and(|at| at[0] < index);
        let earlier = || saves.iter().take_while(|(i, _)| *i < index).map(|(_, n)| *n).collect::<Vec<_>>();
        let later = |name: &str| saved_at.get(name).and_then(|at| at.iter().copied().find(|i| *i >= index));
        let problem = |location: Location, message: String, hint: Option<String>| FileProblem {
            file: scenario.file.clone(),
            location,
            context: Some(step_context(index, step)),
            message,
            hint,
        };
        for (key, text, loc) in step_templates(step) {
            let Ok(template) = Template::parse(text) else { continue };
            let on_internet = key == "on" && (text == "internet" || text.starts_with("internet "));
            if template.vars().next().is_none() && key != "run" && key != "expect" && !on_internet {
                let found = name_problem(resolver, text, None, Vec::new, None)
                    .or_else(|| not_instance(resolver, key, text));
                if let Some((m, h)) = found {
                    problems.push(problem(loc, format!("`{key}: {text}`: {m}"), h));
                }
            }
            for var in template.vars().filter(|v| !saved_before(&v.root)) {
                if let Some((m, h)) = name_problem(resolver, &var.root, Some(var), earlier, later(&var.root))
                {
                    problems.push(problem(loc, format!("`${{{}}}` in `{key}`: {m}", var.text), h));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(FileError { problems })
    }
}

/// The CloudFormation type of the instances `on:` may name.
pub const INSTANCE_TYPE: &str = "AWS::EC2::Instance";

/// For `on:`, the problem of naming a resource that is not an instance.
fn not_instance(resolver: &dyn Resolver, key: &str, name: &str) -> Option<(String, Option<String>)> {
    match resolver.resolve(name) {
        Resolution::Found { kind, .. } if key == "on" && kind != INSTANCE_TYPE => Some((
            format!("`{name}` is a {kind}, not an instance"),
            Some("commands run on an EC2 instance: its Name tag, logical id or i- id".into()),
        )),
        _ => None,
    }
}

/// How problems name a step: `step 3` or `step 3 (its name)`, counting from 1.
pub(crate) fn step_context(index: usize, step: &Step) -> String {
    match &step.name {
        Some(n) => format!("step {} ({n})", index + 1),
        None => format!("step {}", index + 1),
    }
}

/// What is wrong with `name` as a resource, if anything, and a hint.
fn name_problem<'s>(
    resolver: &dyn Resolver,
    name: &str,
    var: Option<&Var>,
    earlier: impl Fn() -> Vec<&'s str>,
    saved_later: Option<usize>,
) -> Option<(String, Option<String>)> {
    match resolver.resolve(name) {
        Resolution::Found { .. }
            if var.is_some_and(|v| v.path.iter().any(|p| matches!(p, PathSeg::Index(_)))) =>
        {
            Some((format!("`{name}` is a resource, and a resource's attribute has no `[index]`"), None))
        }
        Resolution::Found { .. } => None,
        Resolution::Ambiguous(all) => Some((
            format!("`{name}` names more than one resource: {}", all.join(", ")),
            Some("use its logical id or its AWS id".into()),
        )),
        Resolution::NotFound { .. } if saved_later.is_some() => Some((
            format!(
                "`{name}` is saved by step {}, which runs after this one",
                saved_later.unwrap_or_default() + 1
            ),
            Some("a step can only use outputs saved by the steps before it".into()),
        )),
        Resolution::NotFound { suggestion } => {
            let close = suggestion.or_else(|| closest(name, earlier()).map(String::from));
            Some((
                format!(
                    "unknown name `{name}`: no resource of the stacks and no earlier `save:` has that name"
                ),
                close.map(|c| format!("did you mean `{c}`?")),
            ))
        }
    }
}

/// Outputs saved so far: name, the step (from 0) that saved it, its JSON.
pub type Saved = IndexMap<String, (usize, Value)>;

/// Substitutes every variable of `template`: saved outputs by path, resources by Ref
/// or GetAtt through `resolver`. The error names the variable and what is missing.
pub fn apply(template: &Template, saved: &Saved, resolver: &dyn Resolver) -> Result<String, String> {
    let mut out = String::new();
    for part in &template.parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Var(v) => out.push_str(&nonempty(v, value_of(v, saved, resolver)?)?),
        }
    }
    Ok(out)
}

/// A substitution that yields nothing (the public IP of an instance that has none) is an
/// error, never an empty string: `curl http://${App.PublicIp}/` must not fail for the wrong reason.
fn nonempty(var: &Var, value: String) -> Result<String, String> {
    if !value.is_empty() {
        return Ok(value);
    }
    let what = if var.rest.is_empty() { "its value".to_string() } else { format!("`{}`", var.rest) };
    Err(format!(
        "`${{{}}}` yields nothing: `{}` has no {what} (an empty value is never substituted)",
        var.text, var.root
    ))
}

fn value_of(var: &Var, saved: &Saved, resolver: &dyn Resolver) -> Result<String, String> {
    if let Some((step, json)) = saved.get(&var.root) {
        return saved_value(var, *step, json);
    }
    if !var.rest.is_empty() {
        return resolver.get_att(&var.root, &var.rest).map_err(|e| format!("`${{{}}}`: {e}", var.text));
    }
    match resolver.resolve(&var.root) {
        Resolution::Found { ref_value, .. } => Ok(ref_value),
        Resolution::NotFound { .. } => {
            Err(format!("`${{{}}}`: no resource is named `{}`", var.text, var.root))
        }
        Resolution::Ambiguous(all) => Err(format!(
            "`${{{}}}`: `{}` names more than one resource: {}",
            var.text,
            var.root,
            all.join(", ")
        )),
    }
}

fn saved_value(var: &Var, step: usize, json: &Value) -> Result<String, String> {
    let mut here = json;
    for (n, seg) in var.path.iter().enumerate() {
        let next = match seg {
            PathSeg::Field(f) => here.get(f),
            PathSeg::Index(i) => here.get(i),
        };
        here = next.filter(|v| !v.is_null()).ok_or_else(|| {
            let found = path_text(&var.path[..n]);
            let under = if found.is_empty() { "at its top".to_string() } else { format!("under `{found}`") };
            format!(
                "`${{{}}}`: the output saved as `{}` by step {} has no `{}` {under}",
                var.text,
                var.root,
                step + 1,
                path_text(&var.path[n..=n])
            )
        })?;
    }
    Ok(match here {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    struct Names;

    impl Resolver for Names {
        fn resolve(&self, name: &str) -> Resolution {
            match name {
                "MyVPC" => Resolution::Found { ref_value: "vpc-1".into(), kind: "AWS::EC2::VPC".into() },
                "web" => Resolution::Ambiguous(vec!["Web1".into(), "Web2".into()]),
                _ => Resolution::NotFound { suggestion: (name == "MyVCP").then(|| "MyVPC".into()) },
            }
        }
        fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
            match (name, attr) {
                ("MyVPC", "CidrBlock") => Ok("10.0.0.0/16".into()),
                _ => Err(format!("{name} has no attribute {attr}")),
            }
        }
    }

    fn apply_str(text: &str, saved: &Saved) -> Result<String, String> {
        apply(&Template::parse(text).unwrap(), saved, &Names)
    }

    #[test]
    fn ref_getatt_and_saved_paths_are_substituted() {
        let mut saved = Saved::new();
        saved
            .insert("vpce".into(), (4, json!({"VpcEndpoint": {"DnsEntries": [{"DnsName": "a.b"}], "N": 3}})));
        let out = apply_str(
            "${MyVPC} ${MyVPC.CidrBlock} ${vpce.VpcEndpoint.DnsEntries[0].DnsName} ${vpce.VpcEndpoint.N}",
            &saved,
        );
        assert_eq!(out.unwrap(), "vpc-1 10.0.0.0/16 a.b 3");
    }

    #[test]
    fn a_missing_saved_path_names_the_step_and_the_path() {
        let mut saved = Saved::new();
        saved.insert("vpce".into(), (4, json!({"VpcEndpoint": {"DnsEntries": []}})));
        let err = apply_str("${vpce.VpcEndpoint.DnsEntries[0].DnsName}", &saved).unwrap_err();
        assert_eq!(
            err,
            "`${vpce.VpcEndpoint.DnsEntries[0].DnsName}`: the output saved as `vpce` by step 5 has no `[0]` under `VpcEndpoint.DnsEntries`"
        );
    }

    #[test]
    fn the_escape_writes_a_literal_dollar_brace() {
        assert_eq!(apply_str("echo $${HOME} $5", &Saved::new()).unwrap(), "echo ${HOME} $5");
    }

    #[test]
    fn malformed_variables_are_syntax_errors() {
        assert_eq!(Template::parse("a ${b").unwrap_err(), SyntaxError::Unterminated { offset: 2 });
        for bad in ["${}", "${a..b}", "${a[x]}", "${a[]}", "${.a}", "${a b}", "${a.}"] {
            assert!(Template::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_substitution_that_yields_nothing_is_an_error_naming_the_variable() {
        struct NoPublicIp;
        impl Resolver for NoPublicIp {
            fn resolve(&self, _: &str) -> Resolution {
                Resolution::Found { ref_value: "i-1".into(), kind: INSTANCE_TYPE.into() }
            }
            fn get_att(&self, _: &str, _: &str) -> Result<String, String> {
                Ok(String::new())
            }
        }
        let t = Template::parse("curl http://${App.PublicIp}/").unwrap();
        let err = apply(&t, &Saved::new(), &NoPublicIp).unwrap_err();
        assert!(err.starts_with("`${App.PublicIp}` yields nothing: `App` has no `PublicIp`"), "{err}");
        let mut saved = Saved::new();
        saved.insert("s".into(), (0, json!({"Name": ""})));
        let err = apply_str("x ${s.Name}", &saved).unwrap_err();
        assert!(err.starts_with("`${s.Name}` yields nothing"), "{err}");
    }

    #[test]
    fn unknown_ambiguous_and_later_saved_names_are_problems() {
        let empty = Saved::new();
        assert!(apply_str("${web}", &empty).unwrap_err().contains("more than one"));
        let (msg, hint) = name_problem(&Names, "MyVCP", None, Vec::new, None).unwrap();
        assert!(msg.starts_with("unknown name `MyVCP`"));
        assert_eq!(hint.as_deref(), Some("did you mean `MyVPC`?"));
        let (msg, _) = name_problem(&Names, "svc", None, Vec::new, Some(6)).unwrap();
        assert_eq!(msg, "`svc` is saved by step 7, which runs after this one");
    }
}
