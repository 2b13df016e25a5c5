//! `vpcsim check`: Network Access Analyzer offline. Each `--scope` file (AWS's scope
//! JSON, verbatim) is read ([`vpcsim::analyzer::scope`]) and its findings over the
//! reachability matrix printed ([`vpcsim::analyzer::access`]), each with its path; the
//! matrix's destinations include the internet ([`vpcsim::analyzer::egress`]).
//! Exit 0 when no scope has a finding, 1 when one has.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use vpcsim::analyzer::access::{self, Finding};
use vpcsim::analyzer::egress;
use vpcsim::analyzer::scope::{self, Scope};
use vpcsim::analyzer::{select, Matrix, Probe};
use vpcsim::trace::ComponentKind;
use vpcsim::world::World;

use super::junit::{Case, Status, Suite};
use super::style::Style;
use super::{exit, world, CliError};

/// What `vpcsim check` was asked.
pub struct Args<'a> {
    /// The scenario file (or `lab`).
    pub file: &'a Path,
    /// Which steps to apply.
    pub state: &'a world::StateArgs,
    /// The scope files.
    pub scopes: &'a [PathBuf],
    /// `--port` values (the default set, plus the scopes' destination ports, when empty).
    pub ports: &'a [String],
    /// `--json`.
    pub json: bool,
    /// `--junit FILE`: one test suite per scope, one failing case per finding (one passing
    /// case when the scope holds).
    pub junit: Option<&'a Path>,
}

/// Reads a scope file for world `w` (its prefix lists are `w`'s); exit 2 with file, line
/// and column when it is not a valid scope.
fn read_scope(path: &Path, w: &World) -> Result<Scope, CliError> {
    let text = vpcsim::source::read(path, vpcsim::yaml::Limits::default().max_bytes)
        .map_err(|e| CliError::invalid(format!("{}: {e}", path.display())))?;
    scope::parse_for(&path.display().to_string(), &text, w).map_err(|e| CliError::invalid(e.to_string()))
}

/// The probes: `--port` when given, else the default set and the first port of every
/// destination port range a scope names (for each protocol it names, TCP when none).
fn probes(ports: &[String], scopes: &[Scope]) -> Result<Vec<Probe>, CliError> {
    let mut out = super::reach::probes(ports)?;
    if ports.is_empty() {
        access::add_scope_ports(&mut out, scopes);
    }
    Ok(out)
}

/// `vpcsim check FILE --scope SCOPE.json ...`.
pub fn command(a: &Args<'_>) -> Result<u8, CliError> {
    let prepared = world::prepare_described(a.file, a.state)?;
    let w = &prepared.session.world;
    let scopes: Vec<Scope> = a.scopes.iter().map(|p| read_scope(p, w)).collect::<Result<_, _>>()?;
    let probes = probes(a.ports, &scopes)?;
    super::output::errln(&prepared.state_line);
    let m = Matrix::compute_parallel(w, select::sources(w, &[]), egress::targets(w, &scopes), probes);
    let results: Vec<(&PathBuf, Vec<Finding>)> =
        a.scopes.iter().zip(&scopes).map(|(p, s)| (p, access::findings(w, &m, s))).collect();
    if a.json {
        let doc: Vec<Value> = results.iter().map(|(p, f)| scope_json(w, &m, p, f)).collect();
        super::emit(&format!("{}\n", vpcsim::describe::pretty(&Value::Array(doc))));
    } else {
        let style = Style::detect();
        let text: String = results.iter().map(|(p, f)| scope_text(w, &m, p, f, style)).collect();
        super::emit(&text);
    }
    if let Some(path) = a.junit {
        let suites: Vec<Suite> = results.iter().map(|(p, f)| scope_suite(w, &m, p, f)).collect();
        let mut inputs = prepared.inputs.clone();
        inputs.extend(a.scopes.iter().cloned());
        super::junit::write(path, &inputs, &super::junit::xml("vpcsim check", &suites)?)?;
    }
    Ok(if results.iter().all(|(_, f)| f.is_empty()) { exit::OK } else { exit::FAILED })
}

/// One scope as a JUnit suite: a failing case per finding, named by its port, sources and
/// destinations, with its path; one passing case when the scope holds.
fn scope_suite(w: &World, m: &Matrix, path: &Path, findings: &[Finding]) -> Suite {
    let classname = path.display().to_string();
    let mut cases: Vec<Case> = findings
        .iter()
        .map(|f| {
            let sources = names(f.sources.iter().map(|&s| select::source_label(w, m.sources[s])).collect());
            let targets = names(f.targets.iter().map(|&t| select::target_label(w, m.targets[t])).collect());
            let name = format!("{} {sources} -> {targets}", m.probes[f.probe]);
            let count = f.sources.len() * f.targets.len();
            let message = format!("{count} path(s) the scope matches: {name}");
            Case {
                name,
                classname: classname.clone(),
                status: Status::Failed { message, text: path_line(f) },
                output: None,
            }
        })
        .collect();
    if cases.is_empty() {
        cases.push(Case {
            name: "no findings: the scope holds".into(),
            classname: classname.clone(),
            status: Status::Passed,
            output: None,
        });
    }
    Suite { name: classname, cases }
}

fn names(list: Vec<String>) -> String {
    let more = list.len().saturating_sub(4);
    let mut out = list.into_iter().take(4).collect::<Vec<_>>().join(", ");
    if more > 0 {
        out.push_str(&format!(" (+{more} more)"));
    }
    out
}

/// The forward path as one line: `kind id (name) > ...`, the internet as `internet` and a
/// host on it as `internet (ADDRESS)` (as a destination is labelled).
fn path_line(f: &Finding) -> String {
    let hops: Vec<String> = f
        .path
        .forward
        .iter()
        .map(|h| match &h.name {
            _ if h.kind == ComponentKind::Internet && *h.id == *h.kind.as_str() => h.kind.to_string(),
            _ if h.kind == ComponentKind::Internet => format!("{} ({})", h.kind, h.id),
            Some(n) => format!("{} {} ({n})", h.kind, h.id),
            None => format!("{} {}", h.kind, h.id),
        })
        .collect();
    hops.join(" > ")
}

fn scope_text(w: &World, m: &Matrix, path: &Path, findings: &[Finding], style: Style) -> String {
    let cells: usize = findings.iter().map(|f| f.sources.len() * f.targets.len()).sum();
    let verdict = if findings.is_empty() {
        style.good("no findings: the scope holds")
    } else {
        style.bad(&format!("{cells} {} found", if cells == 1 { "path" } else { "paths" }))
    };
    let mut out = format!("{} {}: {verdict}\n", style.bold("Scope"), path.display());
    for (n, f) in findings.iter().enumerate() {
        let sources = names(f.sources.iter().map(|&s| select::source_label(w, m.sources[s])).collect());
        let targets = names(f.targets.iter().map(|&t| select::target_label(w, m.targets[t])).collect());
        out.push_str(&format!(
            "  {}. {}  {sources} -> {targets}\n     path: {}\n",
            n + 1,
            m.probes[f.probe],
            path_line(f)
        ));
    }
    out
}

/// `{Scope, Findings: [{Sources, Destinations, Port, FindingComponents, Analysis}]}`, components
/// shaped like a Reachability Analyzer path's; `Analysis` is the first path's whole flow
/// document, as `vpcsim trace --json` prints it.
fn scope_json(w: &World, m: &Matrix, path: &Path, findings: &[Finding]) -> Value {
    let list: Vec<Value> = findings
        .iter()
        .map(|f| {
            let analysis = serde_json::to_value(vpcsim::trace::analysis(w, &f.path)).unwrap_or(Value::Null);
            json!({
                "Sources": f.sources.iter().map(|&s| select::source_id(w, m.sources[s])).collect::<Vec<_>>(),
                "Destinations": f.targets.iter().map(|&t| select::target_id(w, m.targets[t])).collect::<Vec<_>>(),
                "Port": m.probes[f.probe].to_string(),
                "FindingComponents": analysis["ForwardPathComponents"].clone(),
                "Analysis": analysis,
            })
        })
        .collect();
    json!({"Scope": path.display().to_string(), "Findings": list})
}
