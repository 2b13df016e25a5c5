//! The `Rules` section: parameter checks CloudFormation makes before it creates anything.
//! A rule applies when its `RuleCondition` holds (or it has none); then each of its
//! `Assertions` must hold, else the stack is refused with the assertion's
//! `AssertDescription`. Rules written with the condition functions (`Fn::Equals`,
//! `Fn::And`, `Fn::Or`, `Fn::Not`, `Ref` of parameters) are checked; a rule that uses a
//! rule-only function (`Fn::Contains`, `Fn::EachMemberIn`, ...) is named in a warning as
//! not checked.

use indexmap::IndexMap;

use super::conditions::Inputs;
use super::eval::Env;
use super::problem::Problem;
use crate::yaml::{Node, NodeValue};

/// The functions only rules have, which vpcsim does not evaluate.
const RULE_ONLY: &[&str] = &[
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// Checks every rule against the parameters: the assertions that fail (errors, located at
/// the assertion), and a warning for each rule vpcsim cannot check.
pub fn check(inputs: &Inputs<'_>, conditions: &IndexMap<String, bool>) -> (Vec<Problem>, Vec<Problem>) {
    let env = Env {
        tpl: inputs.tpl,
        params: inputs.params,
        ctx: inputs.ctx,
        conditions,
        exports: inputs.exports,
        live: None,
        spent: std::cell::Cell::new(0),
        template_spent: inputs.template_spent,
        imported: Default::default(),
    };
    let (mut problems, mut warnings) = (Vec::new(), Vec::new());
    for (name, (loc, rule)) in &inputs.tpl.rules {
        let ctx = format!("Rules.{name}");
        if let Some(f) = rule_only(rule) {
            let w = Problem::new(
                *loc,
                format!("rule {name} uses {f}, which vpcsim does not evaluate: the rule is not checked"),
            );
            warnings.push(w.within(&ctx));
            continue;
        }
        match applies(&env, rule) {
            Ok(true) => problems.extend(failed(&env, rule).into_iter().map(|p| p.within(&ctx))),
            Ok(false) => {}
            Err(p) => problems.push(p.within(&ctx)),
        }
    }
    (problems, warnings)
}

/// Whether the rule's `RuleCondition` holds (a rule without one always applies).
fn applies(env: &Env<'_>, rule: &Node) -> Result<bool, Problem> {
    rule.get("RuleCondition").map_or(Ok(true), |c| env.condition(c))
}

/// The assertions that do not hold, each a problem with its `AssertDescription`.
fn failed(env: &Env<'_>, rule: &Node) -> Vec<Problem> {
    let assertions = rule.get("Assertions").and_then(Node::as_seq).unwrap_or_default();
    assertions
        .iter()
        .filter_map(|a| {
            let assert = a.get("Assert")?;
            match env.condition(assert) {
                Ok(true) => None,
                Ok(false) => {
                    let why = a.get("AssertDescription").and_then(Node::scalar_text);
                    let message = why.unwrap_or_else(|| "Assertion failed".to_string());
                    Some(Problem::new(
                        assert.loc,
                        format!("{message} (a template rule's assertion is false)"),
                    ))
                }
                Err(p) => Some(p),
            }
        })
        .collect()
}

/// The first rule-only function the rule uses, if any.
fn rule_only(node: &Node) -> Option<&'static str> {
    match &node.value {
        NodeValue::Map(entries) => entries
            .iter()
            .find_map(|(k, v)| RULE_ONLY.iter().copied().find(|f| *f == k.name).or_else(|| rule_only(v))),
        NodeValue::Seq(items) => items.iter().find_map(rule_only),
        _ => None,
    }
}
