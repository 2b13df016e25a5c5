//! The `Conditions` section: every condition evaluated once, up front, from parameters,
//! pseudo parameters and mappings only (conditions may use each other; a cycle is an error).

use indexmap::IndexMap;

use super::eval::Env;
use super::params::ParamValue;
use super::problem::Problem;
use super::sink::StackContext;
use super::template::Template;
use crate::yaml::{Node, NodeValue};

/// What conditions are evaluated against.
pub struct Inputs<'a> {
    /// The template.
    pub tpl: &'a Template,
    /// Resolved parameters.
    pub params: &'a IndexMap<String, ParamValue>,
    /// The stack's context.
    pub ctx: &'a StackContext,
    /// Other stacks' exports.
    pub exports: &'a IndexMap<String, String>,
    /// The template's running total of bytes intrinsics produced (see
    /// [`super::eval::MAX_TEMPLATE_EVAL_BYTES`]).
    pub template_spent: &'a std::cell::Cell<usize>,
}

/// How deep `{Condition: name}` references may chain: evaluation recurses along them.
pub const MAX_CONDITION_DEPTH: usize = 256;

/// Every condition's value, in template order; all problems found (at most
/// [`super::graph::MAX_PROBLEMS`]).
pub fn evaluate(inputs: &Inputs<'_>) -> Result<IndexMap<String, bool>, Vec<Problem>> {
    let mut memo = IndexMap::new();
    let mut problems = Vec::new();
    for name in inputs.tpl.conditions.keys() {
        if problems.len() > super::graph::MAX_PROBLEMS {
            break;
        }
        if let Err(e) = value(inputs, name, &mut memo, &mut Vec::new()) {
            if !problems.contains(&e) {
                problems.push(e);
            }
        }
    }
    if problems.is_empty() {
        let order = inputs.tpl.conditions.keys().filter_map(|k| memo.get(k).map(|v| (k.clone(), *v)));
        Ok(order.collect())
    } else {
        Err(problems)
    }
}

fn value(
    inputs: &Inputs<'_>,
    name: &str,
    memo: &mut IndexMap<String, bool>,
    visiting: &mut Vec<String>,
) -> Result<bool, Problem> {
    if let Some(v) = memo.get(name) {
        return Ok(*v);
    }
    let Some((loc, node)) = inputs.tpl.conditions.get(name) else { return Ok(false) };
    if visiting.iter().any(|v| v == name) {
        let cycle =
            visiting.iter().skip_while(|v| *v != name).cloned().chain([name.to_string()]).collect::<Vec<_>>();
        return Err(Problem::new(*loc, format!("conditions form a cycle: {}", cycle.join(" -> ")))
            .within(&format!("Conditions.{name}")));
    }
    if visiting.len() >= MAX_CONDITION_DEPTH {
        let msg = format!(
            "conditions refer to conditions more than {MAX_CONDITION_DEPTH} deep (limit of nested Condition references)"
        );
        return Err(Problem::new(*loc, msg).within(&format!("Conditions.{name}")));
    }
    visiting.push(name.to_string());
    let mut used = Vec::new();
    condition_names(node, &mut used);
    for u in used.iter().filter(|u| inputs.tpl.conditions.contains_key(*u)) {
        value(inputs, u, memo, visiting)?;
    }
    visiting.pop();
    let env = Env {
        tpl: inputs.tpl,
        params: inputs.params,
        ctx: inputs.ctx,
        conditions: memo,
        exports: inputs.exports,
        live: None,
        spent: std::cell::Cell::new(0),
        template_spent: inputs.template_spent,
        imported: Default::default(),
    };
    let v = env.condition(node).map_err(|e| e.within(&format!("Conditions.{name}")))?;
    memo.insert(name.to_string(), v);
    Ok(v)
}

/// The names used as `{Condition: name}` inside a condition expression.
fn condition_names(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        NodeValue::Map(entries) => {
            for (k, v) in entries {
                match (k.name.as_str(), v.as_str()) {
                    ("Condition", Some(name)) => out.push(name.to_string()),
                    _ => condition_names(v, out),
                }
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|i| condition_names(i, out)),
        _ => {}
    }
}
