//! What `vpcsim import` tells about a template: for each resource, whether vpcsim
//! models it, skips it (and why) or refuses it (and why), with the warnings its
//! properties drew, so a user sees at once how much of a template vpcsim understands.

use indexmap::IndexMap;
use serde::Serialize;

use super::SUPPORTED_TYPES;
use crate::cfn::sink::is_network_type;
use crate::cfn::{intrinsic, Template};
use crate::error::{FileError, FileProblem};
use crate::world::World;
use crate::yaml::{self, Node};

/// What became of one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created in the simulated region.
    Modelled,
    /// Left out on purpose: it cannot change what the network does, or its condition is false.
    Skipped,
    /// Refused: a networking type vpcsim does not model, or a resource the region refused.
    Refused,
    /// Not tried: it depends on a refused resource, so it could not be created without it.
    #[serde(rename = "not-tried")]
    NotTried,
}

/// One resource's line of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceReport {
    /// The logical id.
    #[serde(rename = "LogicalId")]
    pub logical_id: String,
    /// The resource type.
    #[serde(rename = "Type")]
    pub resource_type: String,
    /// Modelled, skipped or refused.
    #[serde(rename = "Status")]
    pub status: Status,
    /// Why it was skipped or refused.
    #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Warnings about it (properties accepted without effect, ...), each with its location.
    #[serde(rename = "Warnings", skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The report for one template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The template's path as given.
    #[serde(rename = "File")]
    pub file: String,
    /// Every resource, in template order.
    #[serde(rename = "Resources")]
    pub resources: Vec<ResourceReport>,
}

impl ImportReport {
    /// How many resources have `status`.
    pub fn count(&self, status: &Status) -> usize {
        self.resources.iter().filter(|r| &r.status == status).count()
    }

    /// Whether nothing was refused.
    pub fn accepted(&self) -> bool {
        self.count(&Status::Refused) == 0
    }
}

/// How many times one import creates the template, each time without what was refused
/// before (and what depends on it), so that every refusal is reported, not only the first.
pub const MAX_ATTEMPTS: usize = 100;

/// Imports `text` (a template) into an empty world of `region` with `params`, and reports
/// each resource. A resource refused (its type, or the region refusing it) is left out with
/// what depends on it, and the rest is created again, up to [`MAX_ATTEMPTS`] times, so the
/// report names every refusal. A template that cannot be read as a template, or whose
/// parameters or outputs are wrong, is an error (located).
pub fn import(
    file: &str,
    text: &str,
    params: &IndexMap<String, String>,
    region: &str,
) -> Result<ImportReport, FileError> {
    let root = yaml::parse(text, &yaml::Limits::default()).map_err(|e| {
        FileError::one(FileProblem {
            file: file.to_string(),
            location: e.loc,
            context: None,
            message: format!("not valid YAML: {}", e.message),
            hint: None,
        })
    })?;
    let tpl = parse_template(file, &root)?;
    let mut report = ImportReport { file: file.to_string(), resources: classify(&tpl) };
    let dependents = crate::cfn::graph::analyse(&tpl).ok().map(|deps| dependents_of(&deps));
    if !report.accepted() && dependents.is_none() {
        return Ok(report);
    }
    let name = crate::scenario::template::stack_name_for(file);
    for attempt in 1..=MAX_ATTEMPTS {
        let left_out = mark_dependents(&mut report, dependents.as_ref());
        let template = without(&root, &left_out);
        let mut world = empty_world(file, region)?;
        match super::create_stack_from_node(&mut world, &name, file, &template, params, &IndexMap::new()) {
            Ok(stack) => {
                record_success(&mut report, &stack);
                return Ok(report);
            }
            Err(e) if dependents.is_none() || left_out.is_empty() && !owned(&report, &e) => {
                return record_failure(&mut report, e).map(|()| report);
            }
            Err(e) if !owned(&report, &e) => {
                let why = e.problems.first().map(|p| p.message.clone()).unwrap_or_default();
                let n = left_out.len();
                not_tried(
                    &mut report,
                    &format!("without the {n} resource(s) refused the template fails ({why})"),
                );
                return Ok(report);
            }
            Err(e) => {
                record_failure(&mut report, e)?;
                if attempt == MAX_ATTEMPTS {
                    not_tried(
                        &mut report,
                        &format!("vpcsim creates one template at most {MAX_ATTEMPTS} times"),
                    );
                }
            }
        }
    }
    Ok(report)
}

fn empty_world(file: &str, region: &str) -> Result<World, FileError> {
    World::in_region(region, 0).ok_or_else(|| {
        FileError::one(FileProblem {
            file: file.to_string(),
            location: crate::error::Location { line: 1, column: 1 },
            context: Some("--region".into()),
            message: format!("unknown region `{region}`"),
            hint: Some(format!("vpcsim models {}", crate::region::Region::known_names().join(", "))),
        })
    })
}

/// A created stack: resources whose Condition is false are skipped; warnings go to theirs.
fn record_success(report: &mut ImportReport, stack: &crate::cfn::Stack) {
    let skipped: indexmap::IndexSet<&str> = stack.skipped.iter().map(String::as_str).collect();
    let mut warnings = warnings_by_resource(&stack.warnings);
    for r in &mut report.resources {
        if r.status == Status::Modelled && skipped.contains(r.logical_id.as_str()) {
            r.status = Status::Skipped;
            r.reason = Some("its Condition is false".into());
        }
        r.warnings.extend(warnings.shift_remove(r.logical_id.as_str()).unwrap_or_default());
    }
    report.resources = with_nested(std::mem::take(&mut report.resources), stack, "");
}

/// For each resource, the resources that depend on it directly. What depends on a refused
/// resource indirectly is found from these by [`mark_dependents`], for the refused ones only:
/// a closure of every resource would hold a square of a long `DependsOn` chain's length.
fn dependents_of(deps: &IndexMap<String, indexmap::IndexSet<String>>) -> IndexMap<String, Vec<String>> {
    let mut direct: IndexMap<String, Vec<String>> = IndexMap::new();
    for (id, on) in deps {
        for d in on {
            direct.entry(d.clone()).or_default().push(id.clone());
        }
    }
    direct
}

/// Marks what depends on a refused resource, directly or not, as not tried (naming the
/// first refused resource, in the template's order, that it depends on); returns every
/// resource left out of the next creation (refused or not tried). One walk for all the
/// refused resources: linear in the resources and their dependencies.
fn mark_dependents(
    report: &mut ImportReport,
    dependents: Option<&IndexMap<String, Vec<String>>>,
) -> indexmap::IndexSet<String> {
    let refused: Vec<String> = report
        .resources
        .iter()
        .filter(|r| r.status == Status::Refused)
        .map(|r| r.logical_id.clone())
        .collect();
    let at: IndexMap<String, usize> =
        report.resources.iter().enumerate().map(|(i, r)| (r.logical_id.clone(), i)).collect();
    let mut seen: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
    for id in &refused {
        let mut todo = vec![id.as_str()];
        while let Some(x) = todo.pop() {
            for d in dependents.and_then(|m| m.get(x)).map(Vec::as_slice).unwrap_or_default() {
                if !seen.insert(d.as_str()) {
                    continue;
                }
                todo.push(d.as_str());
                let Some(r) = at.get(d).map(|&i| &mut report.resources[i]) else { continue };
                if !matches!(r.status, Status::Refused | Status::NotTried) {
                    r.status = Status::NotTried;
                    r.reason = Some(format!("it depends on {id}, which is refused"));
                }
            }
        }
    }
    report
        .resources
        .iter()
        .filter(|r| matches!(r.status, Status::Refused | Status::NotTried))
        .map(|r| r.logical_id.clone())
        .collect()
}

/// The template without `left_out`'s resources, and without its outputs when any is left
/// out (an output may name one; outputs are not part of the report).
fn without(root: &Node, left_out: &indexmap::IndexSet<String>) -> Node {
    if left_out.is_empty() {
        return root.clone();
    }
    let Some(entries) = root.as_map() else { return root.clone() };
    let kept = entries
        .iter()
        .filter(|(k, _)| k.name != "Outputs")
        .map(|(k, v)| match (k.name.as_str(), v.as_map()) {
            ("Resources", Some(resources)) => {
                let rest = resources.iter().filter(|(id, _)| !left_out.contains(&id.name)).cloned().collect();
                (k.clone(), Node { value: yaml::NodeValue::Map(rest), ..v.clone() })
            }
            _ => (k.clone(), v.clone()),
        })
        .collect();
    Node { value: yaml::NodeValue::Map(kept), ..root.clone() }
}

/// Whether every problem of a failed creation is one resource's.
fn owned(report: &ImportReport, e: &FileError) -> bool {
    e.problems.iter().all(|p| report.resources.iter().any(|r| owns(r, p)))
}

fn owns(r: &ResourceReport, p: &FileProblem) -> bool {
    let context = format!("Resources.{}", r.logical_id);
    p.context.as_deref().is_some_and(|c| c == context || c.starts_with(&format!("{context}.")))
}

/// The creation stopped short (a template-wide problem that only the refused resources'
/// absence shows, or too many attempts): what was not created is not tried, and why.
fn not_tried(report: &mut ImportReport, why: &str) {
    for r in report.resources.iter_mut().filter(|r| r.status == Status::Modelled) {
        r.status = Status::NotTried;
        r.reason = Some(format!("not created: {why}"));
    }
}

fn parse_template(file: &str, root: &Node) -> Result<Template, FileError> {
    let mut problems = Vec::new();
    let doc = intrinsic::normalize(root.clone(), &mut problems);
    let located = |ps: Vec<crate::cfn::Problem>| FileError {
        problems: ps.into_iter().map(|p| p.in_file(file)).collect(),
    };
    let tpl =
        Template::parse(&doc).map_err(|more| located(problems.iter().cloned().chain(more).collect()))?;
    if !problems.is_empty() {
        return Err(located(problems));
    }
    Ok(tpl)
}

/// Each resource by its type: modelled, skipped (not networking) or refused.
fn classify(tpl: &Template) -> Vec<ResourceReport> {
    tpl.resources
        .iter()
        .map(|(id, r)| {
            let kind = r.kind.name.as_str();
            let modelled = SUPPORTED_TYPES.contains(&kind)
                || crate::cfn::wait::is_wait_type(kind)
                || kind == crate::cfn::engine::NESTED_STACK;
            let (status, reason) = if modelled {
                (Status::Modelled, None)
            } else if is_network_type(kind) {
                (Status::Refused, Some("a networking type vpcsim does not model".to_string()))
            } else if kind.starts_with("AWS::") || kind.starts_with("Custom::") {
                (
                    Status::Skipped,
                    Some("not networking: it does not change what the network does".to_string()),
                )
            } else {
                (Status::Refused, Some("not a resource type (expected AWS::Service::Resource)".to_string()))
            };
            ResourceReport {
                logical_id: id.clone(),
                resource_type: kind.to_string(),
                status,
                reason,
                warnings: Vec::new(),
            }
        })
        .collect()
}

/// C3: each nested stack's resources right after it, their logical id the path from the
/// top (`Network.Vpc`), modelled or skipped as that stack created them.
fn with_nested(
    resources: Vec<ResourceReport>,
    stack: &crate::cfn::Stack,
    prefix: &str,
) -> Vec<ResourceReport> {
    let mut out = Vec::new();
    for r in resources {
        let id = r.logical_id.strip_prefix(prefix).unwrap_or(&r.logical_id).to_string();
        out.push(r);
        let Some(child) = stack.nested.get(&id) else { continue };
        let path = format!("{prefix}{id}.");
        let mut warnings = warnings_by_resource(&child.warnings);
        let rows = child.types.iter().map(|(cid, kind)| {
            let skipped = child.skipped.contains(cid);
            let not_network = skipped && !SUPPORTED_TYPES.contains(&kind.as_str());
            ResourceReport {
                logical_id: format!("{path}{cid}"),
                resource_type: kind.clone(),
                status: if skipped { Status::Skipped } else { Status::Modelled },
                reason: match (skipped, not_network) {
                    (true, true) => Some("not networking: it does not change what the network does".into()),
                    (true, false) => Some("its Condition is false".into()),
                    _ => None,
                },
                warnings: warnings.shift_remove(cid.as_str()).unwrap_or_default(),
            }
        });
        out.extend(with_nested(rows.collect(), child, &path));
    }
    out
}

/// The problems about each resource (their context is `Resources.ID` or below it), as
/// located text, by the resource's logical id: built once, so a template of many
/// resources each with a warning costs what its warnings cost.
fn warnings_by_resource(problems: &[FileProblem]) -> IndexMap<&str, Vec<String>> {
    let mut by_id: IndexMap<&str, Vec<String>> = IndexMap::new();
    for p in problems {
        let Some(rest) = p.context.as_deref().and_then(|c| c.strip_prefix("Resources.")) else { continue };
        let id = rest.split('.').next().unwrap_or(rest);
        let text = format!("{}:{}:{}: {}", p.file, p.location.line, p.location.column, p.message);
        by_id.entry(id).or_default().push(text);
    }
    by_id
}

/// A failed creation: the resources it names are refused with the message. A problem that
/// is not one resource's (a parameter, an output) makes the whole template invalid.
fn record_failure(report: &mut ImportReport, e: FileError) -> Result<(), FileError> {
    if !owned(report, &e) {
        return Err(e);
    }
    for p in &e.problems {
        if let Some(r) = report.resources.iter_mut().find(|r| owns(r, p)) {
            r.status = Status::Refused;
            r.reason = Some(format!("{}:{}:{}: {}", p.file, p.location.line, p.location.column, p.message));
        }
    }
    Ok(())
}
