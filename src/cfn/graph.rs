//! References and creation order: [`analyse`] walks every expression once, checks that
//! each `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `DependsOn` and condition name points at
//! something that exists (with "did you mean"), and builds the dependency graph
//! (petgraph). [`creation_order`] is a topological order, ties broken by template order;
//! a cycle is reported as `A -> B -> A` (each depends on the next).

use std::collections::{BTreeSet, VecDeque};

use indexmap::{IndexMap, IndexSet};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use super::eval::PSEUDO;
use super::intrinsic::{as_intrinsic, sub_variables, unknown_intrinsic, SUPPORTED};
use super::problem::{did_you_mean, Problem};
use super::template::Template;
use crate::error::Location;
use crate::yaml::{Node, NodeValue};

/// After this many problems the references of further resources are not checked: a
/// template with tens of thousands of broken references is refused in linear time.
pub const MAX_PROBLEMS: usize = 100;

/// What a name is used as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    /// `Ref` or a plain `Fn::Sub` variable: a resource, parameter or pseudo parameter.
    Ref,
    /// `Fn::GetAtt` or a dotted `Fn::Sub` variable: a resource.
    Attr,
    /// `Fn::If`'s or `Condition`'s name: a condition.
    Condition,
}

/// One name used in an expression.
struct Reference {
    used_as: Use,
    name: String,
    loc: Location,
}

/// The resources each resource depends on, in template order; all problems found.
pub fn analyse(tpl: &Template) -> Result<IndexMap<String, IndexSet<String>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut deps = IndexMap::new();
    for (id, r) in &tpl.resources {
        if problems.len() > MAX_PROBLEMS {
            break;
        }
        let ctx = format!("Resources.{id}");
        let mut refs = Vec::new();
        for part in [&r.properties, &r.metadata].into_iter().flatten() {
            walk(part, false, &mut refs, &mut problems, &ctx);
        }
        refs.extend(r.depends_on.iter().map(|d| Reference {
            used_as: Use::Attr,
            name: d.name.clone(),
            loc: d.loc,
        }));
        refs.extend(r.condition.iter().map(|c| Reference {
            used_as: Use::Condition,
            name: c.name.clone(),
            loc: c.loc,
        }));
        let mine: IndexSet<String> = refs
            .iter()
            .filter_map(|x| check(tpl, x, false).map_err(|e| problems.push(e.within(&ctx))).ok().flatten())
            .collect();
        deps.insert(id.clone(), mine);
    }
    for (name, (_, node)) in &tpl.conditions {
        check_all(tpl, node, true, &format!("Conditions.{name}"), &mut problems);
    }
    for (name, o) in &tpl.outputs {
        let ctx = format!("Outputs.{name}");
        check_all(tpl, &o.value, false, &ctx, &mut problems);
        if let Some(e) = &o.export_name {
            check_all(tpl, e, false, &ctx, &mut problems);
        }
        if let Some(c) = &o.condition {
            let r = Reference { used_as: Use::Condition, name: c.name.clone(), loc: c.loc };
            if let Err(e) = check(tpl, &r, false) {
                problems.push(e.within(&ctx));
            }
        }
    }
    if problems.is_empty() {
        Ok(deps)
    } else {
        Err(problems)
    }
}

fn check_all(tpl: &Template, node: &Node, in_conditions: bool, ctx: &str, problems: &mut Vec<Problem>) {
    let mut refs = Vec::new();
    walk(node, in_conditions, &mut refs, problems, ctx);
    for r in &refs {
        if let Err(e) = check(tpl, r, in_conditions) {
            problems.push(e.within(ctx));
        }
    }
}

/// Collects the names an expression uses; unknown intrinsics are problems.
fn walk(node: &Node, in_conditions: bool, out: &mut Vec<Reference>, problems: &mut Vec<Problem>, ctx: &str) {
    let Some((key, arg)) = as_intrinsic(node, in_conditions) else {
        match &node.value {
            NodeValue::Seq(items) => items.iter().for_each(|n| walk(n, in_conditions, out, problems, ctx)),
            NodeValue::Map(entries) => {
                entries.iter().for_each(|(_, n)| walk(n, in_conditions, out, problems, ctx))
            }
            _ => {}
        }
        return;
    };
    let name = |n: &Node, used_as| n.as_str().map(|s| Reference { used_as, name: s.to_string(), loc: n.loc });
    match (key.name.as_str(), &arg.value) {
        (k, _) if !SUPPORTED.contains(&k) => problems.push(unknown_intrinsic(key).within(ctx)),
        ("Ref", _) => out.extend(name(arg, Use::Ref)),
        ("Condition", _) => out.extend(name(arg, Use::Condition)),
        ("Fn::GetAtt", NodeValue::Str(s)) => out.push(Reference {
            used_as: Use::Attr,
            name: s.split('.').next().unwrap_or_default().to_string(),
            loc: arg.loc,
        }),
        ("Fn::GetAtt", NodeValue::Seq(items)) if !items.is_empty() => {
            out.extend(name(&items[0], Use::Attr));
            items[1..].iter().for_each(|n| walk(n, in_conditions, out, problems, ctx));
        }
        ("Fn::Sub", _) => sub_refs(arg, in_conditions, out, problems, ctx),
        ("Fn::If", NodeValue::Seq(items)) if !items.is_empty() => {
            out.extend(name(&items[0], Use::Condition));
            items[1..].iter().for_each(|n| walk(n, in_conditions, out, problems, ctx));
        }
        _ => walk_children(arg, in_conditions, out, problems, ctx),
    }
}

fn walk_children(
    arg: &Node,
    in_conditions: bool,
    out: &mut Vec<Reference>,
    problems: &mut Vec<Problem>,
    ctx: &str,
) {
    match &arg.value {
        NodeValue::Seq(items) => items.iter().for_each(|n| walk(n, in_conditions, out, problems, ctx)),
        _ => walk(arg, in_conditions, out, problems, ctx),
    }
}

fn sub_refs(
    arg: &Node,
    in_conditions: bool,
    out: &mut Vec<Reference>,
    problems: &mut Vec<Problem>,
    ctx: &str,
) {
    let (text, vars) = match (&arg.value, arg.as_seq()) {
        (NodeValue::Str(s), _) => (s.as_str(), None),
        (_, Some([t, v])) => (t.as_str().unwrap_or_default(), Some(v)),
        _ => return walk_children(arg, in_conditions, out, problems, ctx),
    };
    if let Some(v) = vars {
        walk(v, in_conditions, out, problems, ctx);
    }
    for var in sub_variables(text) {
        if vars.and_then(|v| v.get(&var)).is_some() {
            continue;
        }
        let used_as = if var.contains('.') && !var.starts_with("AWS::") { Use::Attr } else { Use::Ref };
        let name =
            if used_as == Use::Attr { var.split('.').next().unwrap_or_default().to_string() } else { var };
        out.push(Reference { used_as, name, loc: arg.loc });
    }
}

/// Checks one reference; `Some(id)` when it is a dependency on resource `id`.
fn check(tpl: &Template, r: &Reference, in_conditions: bool) -> Result<Option<String>, Problem> {
    let is_resource = tpl.resources.contains_key(&r.name);
    match r.used_as {
        Use::Condition if tpl.conditions.contains_key(&r.name) => Ok(None),
        Use::Condition => Err(missing(r, "condition", tpl.conditions.keys())),
        Use::Ref if PSEUDO.contains(&r.name.as_str()) || tpl.parameters.contains_key(&r.name) => Ok(None),
        Use::Ref if r.name.starts_with("AWS::") => {
            Err(Problem::new(r.loc, format!("unknown pseudo parameter `{}`", r.name))
                .hint(format!("known: {}", PSEUDO.join(", "))))
        }
        _ if is_resource && in_conditions => {
            Err(Problem::new(r.loc, format!("conditions cannot refer to resource `{}`", r.name))
                .hint("use parameters, pseudo parameters or mappings"))
        }
        _ if is_resource => Ok(Some(r.name.clone())),
        Use::Ref => {
            Err(missing(r, "resource or parameter", tpl.resources.keys().chain(tpl.parameters.keys())))
        }
        Use::Attr => Err(missing(r, "resource", tpl.resources.keys())),
    }
}

fn missing<'a>(r: &Reference, what: &str, known: impl Iterator<Item = &'a String>) -> Problem {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let p = Problem::new(r.loc, format!("reference to `{}`: no {what} with that name", r.name));
    match did_you_mean(&r.name, known.iter().copied()) {
        Some(h) => p.hint(h),
        None => p,
    }
}

/// A topological creation order (dependencies first; ties in template order), or the cycle.
pub fn creation_order(
    tpl: &Template,
    deps: &IndexMap<String, IndexSet<String>>,
) -> Result<Vec<String>, Problem> {
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..deps.len()).map(|i| graph.add_node(i)).collect();
    for (i, (_, ds)) in deps.iter().enumerate() {
        for d in ds.iter().filter_map(|d| deps.get_index_of(d)) {
            graph.update_edge(nodes[i], nodes[d], ());
        }
    }
    let mut waiting: Vec<usize> =
        nodes.iter().map(|n| graph.neighbors_directed(*n, Direction::Outgoing).count()).collect();
    let mut ready: BTreeSet<usize> = (0..nodes.len()).filter(|i| waiting[*i] == 0).collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for dependent in graph.neighbors_directed(nodes[i], Direction::Incoming) {
            let j = graph[dependent];
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if order.len() < nodes.len() {
        return Err(cycle_problem(tpl, deps, &graph, &nodes, &waiting));
    }
    Ok(order.into_iter().filter_map(|i| deps.get_index(i).map(|(id, _)| id.clone())).collect())
}

/// Describes one cycle among the resources still waiting.
fn cycle_problem(
    tpl: &Template,
    deps: &IndexMap<String, IndexSet<String>>,
    graph: &DiGraph<usize, ()>,
    nodes: &[NodeIndex],
    waiting: &[usize],
) -> Problem {
    let scc = petgraph::algo::kosaraju_scc(graph)
        .into_iter()
        .filter(|c| c.len() > 1 || graph.contains_edge(c[0], c[0]))
        .min_by_key(|c| c.iter().map(|n| graph[*n]).min().unwrap_or(usize::MAX));
    let start = scc
        .as_ref()
        .and_then(|c| c.iter().map(|n| graph[*n]).min())
        .or_else(|| waiting.iter().position(|w| *w > 0));
    let start = start.unwrap_or(0);
    let members: BTreeSet<usize> = scc.unwrap_or_default().iter().map(|n| graph[*n]).collect();
    let path = shortest_cycle(graph, nodes, start, &members);
    let name = |i: usize| deps.get_index(i).map(|(id, _)| id.as_str()).unwrap_or("?");
    let text: Vec<&str> = abridged(&path).into_iter().map(|i| i.map_or("...", name)).collect();
    let at: Vec<String> = abridged(&path[..path.len().saturating_sub(1)])
        .into_iter()
        .map(|i| match i {
            Some(i) => {
                format!("{} at {}", name(i), tpl.resources.get(name(i)).map(|r| r.loc).unwrap_or_default())
            }
            None => format!("{} more", path.len().saturating_sub(11)),
        })
        .collect();
    let loc = tpl.resources.get(name(start)).map(|r| r.loc).unwrap_or_default();
    Problem::new(loc, format!("circular dependency: {} (each depends on the next)", text.join(" -> ")))
        .within(&format!("Resources.{}", name(start)))
        .hint(format!("break the cycle by removing one Ref, Fn::GetAtt or DependsOn ({})", at.join(", ")))
}

/// A long cycle shown by its first five and last five members around a `None` (elided).
fn abridged(path: &[usize]) -> Vec<Option<usize>> {
    if path.len() <= 12 {
        return path.iter().copied().map(Some).collect();
    }
    let head = path[..5].iter().copied().map(Some);
    head.chain([None]).chain(path[path.len() - 5..].iter().copied().map(Some)).collect()
}

/// The shortest path `start -> ... -> start` following dependencies inside `members`.
fn shortest_cycle(
    graph: &DiGraph<usize, ()>,
    nodes: &[NodeIndex],
    start: usize,
    members: &BTreeSet<usize>,
) -> Vec<usize> {
    let mut parent: IndexMap<usize, usize> = IndexMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(i) = queue.pop_front() {
        for n in graph.neighbors_directed(nodes[i], Direction::Outgoing) {
            let j = graph[n];
            if j == start {
                let mut path = vec![i];
                let mut k = i;
                while k != start {
                    k = parent.get(&k).copied().unwrap_or(start);
                    path.push(k);
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if members.contains(&j) && j != start && !parent.contains_key(&j) {
                parent.insert(j, i);
                queue.push_back(j);
            }
        }
    }
    vec![start, start]
}
