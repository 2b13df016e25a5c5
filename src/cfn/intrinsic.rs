//! Intrinsic functions as written: short tags (`!Ref`, `!GetAtt a.b`, ...) are rewritten
//! once into their long forms (`{Ref: ...}`, `{"Fn::GetAtt": ...}`), so everything after
//! [`normalize`] sees one shape, and [`as_intrinsic`] recognises a call.

use super::problem::Problem;
use crate::yaml::{Key, Node, NodeValue};

/// Every intrinsic this engine evaluates, in long form.
pub const SUPPORTED: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Select",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Join",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Cidr",
    "Fn::If",
    "Fn::Equals",
    "Fn::And",
    "Fn::Or",
    "Fn::Not",
    "Fn::ImportValue",
];

/// The long form of a short tag (`!Ref` -> `Ref`, `!Sub` -> `Fn::Sub`), if it is one.
fn long_name(tag: &str) -> Option<&'static str> {
    let short = tag.strip_prefix('!')?;
    SUPPORTED.iter().copied().find(|l| l.strip_prefix("Fn::").unwrap_or(l) == short)
}

/// Rewrites short tags into long forms; an unknown tag is a problem at its node.
pub fn normalize(node: Node, problems: &mut Vec<Problem>) -> Node {
    let Node { value, loc, tag } = node;
    let value = match value {
        NodeValue::Seq(items) => NodeValue::Seq(items.into_iter().map(|n| normalize(n, problems)).collect()),
        NodeValue::Map(entries) => {
            NodeValue::Map(entries.into_iter().map(|(k, v)| (k, normalize(v, problems))).collect())
        }
        other => other,
    };
    let inner = Node { value, loc, tag: None };
    let Some(tag) = tag.filter(|t| !t.starts_with("tag:yaml.org,2002:")) else { return inner };
    match long_name(&tag) {
        Some(name) => {
            Node::new(NodeValue::Map(vec![(Key { name: name.to_string(), loc }, empty_is_text(inner))]), loc)
        }
        // Past a full report, further unknown tags are not described (the report says more exist).
        None if problems.len() > super::graph::MAX_PROBLEMS => inner,
        None => {
            let short: Vec<String> =
                SUPPORTED.iter().map(|l| format!("!{}", l.strip_prefix("Fn::").unwrap_or(l))).collect();
            let p = Problem::new(loc, format!("unknown tag `{tag}`: not an intrinsic function"));
            problems.push(p.hint(format!("supported: {}", short.join(", "))));
            inner
        }
    }
}

/// A short tag's empty argument (`!GetAZs` alone) is the empty string, as CloudFormation
/// reads it (`!GetAZs` is `Fn::GetAZs: ""`, this stack's region), not YAML's null.
fn empty_is_text(node: Node) -> Node {
    match node.value {
        NodeValue::Null => Node { value: NodeValue::Str(String::new()), ..node },
        _ => node,
    }
}

/// The function name and argument when `node` is an intrinsic call: a one-entry map whose
/// key is `Ref` or starts with `Fn::` (and `Condition` where `conditions` is true).
pub fn as_intrinsic(node: &Node, conditions: bool) -> Option<(&Key, &Node)> {
    match node.as_map()? {
        [(k, v)]
            if k.name == "Ref" || k.name.starts_with("Fn::") || (conditions && k.name == "Condition") =>
        {
            Some((k, v))
        }
        _ => None,
    }
}

/// A problem for an intrinsic this engine does not know, listing those it does.
pub fn unknown_intrinsic(key: &Key) -> Problem {
    let hint = super::problem::did_you_mean(&key.name, SUPPORTED.iter().copied())
        .map(|d| format!("{d} supported: {}", SUPPORTED.join(", ")))
        .unwrap_or_else(|| format!("supported: {}", SUPPORTED.join(", ")));
    Problem::new(key.loc, format!("unknown intrinsic function `{}`", key.name)).hint(hint)
}

/// The `${...}` variables of a `Fn::Sub` string (`${!Literal}` is not a variable).
pub fn sub_variables(template: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') {
            vars.push(var.trim().to_string());
        }
        rest = &after[end + 1..];
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Limits};

    #[test]
    fn short_tags_become_long_forms() {
        let doc = parse("a: !GetAtt X.Y\nb: !Select [0, !GetAZs '']\n", &Limits::default()).unwrap();
        let mut problems = Vec::new();
        let n = normalize(doc, &mut problems);
        assert!(problems.is_empty());
        assert_eq!(n.get("a").unwrap().get("Fn::GetAtt").unwrap().as_str(), Some("X.Y"));
        let sel = n.get("b").unwrap().get("Fn::Select").unwrap().as_seq().unwrap();
        assert_eq!(sel[1].get("Fn::GetAZs").unwrap().as_str(), Some(""));
    }

    #[test]
    fn unknown_tag_is_a_problem() {
        let doc = parse("a: !Reff X\n", &Limits::default()).unwrap();
        let mut problems = Vec::new();
        normalize(doc, &mut problems);
        assert!(problems[0].message.contains("unknown tag `!Reff`"));
    }

    #[test]
    fn sub_variables_skip_literals() {
        assert_eq!(sub_variables("${A}-${B.Arn}-${!C}"), vec!["A", "B.Arn"]);
    }
}
