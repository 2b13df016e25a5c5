//! The typed template: [`Template::parse`] checks the sections and attributes of a
//! (tag-normalised) document once and keeps every name with its location.

use indexmap::IndexMap;

use super::problem::Problem;
use crate::error::Location;
use crate::yaml::{Key, Node, NodeValue};

/// Top-level sections CloudFormation accepts.
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// Attributes a resource may carry.
const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "CreationPolicy",
    "UpdatePolicy",
];

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// `AWSTemplateFormatVersion`.
    pub format_version: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `Parameters`, in template order.
    pub parameters: IndexMap<String, Parameter>,
    /// `Mappings` as written (map name -> top key -> second key -> value).
    pub mappings: Option<Node>,
    /// `Conditions`: name -> condition expression.
    pub conditions: IndexMap<String, (Location, Node)>,
    /// `Resources`, in template order.
    pub resources: IndexMap<String, Resource>,
    /// `Outputs`, in template order.
    pub outputs: IndexMap<String, Output>,
    /// `Rules`: name -> the rule as written (checked by [`super::rules`]).
    pub rules: IndexMap<String, (Location, Node)>,
}

/// One declared parameter.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parameter {
    /// Where the parameter's name is.
    pub loc: Location,
    /// `Type`, for example `String` or `AWS::EC2::KeyPair::KeyName`.
    pub kind: String,
    /// `Default`, as text.
    pub default: Option<String>,
    /// `AllowedValues`, as text.
    pub allowed_values: Vec<String>,
    /// `AllowedPattern` and where it is.
    pub allowed_pattern: Option<(String, Location)>,
    /// `MinLength`.
    pub min_length: Option<usize>,
    /// `MaxLength`.
    pub max_length: Option<usize>,
    /// `MinValue`.
    pub min_value: Option<f64>,
    /// `MaxValue`.
    pub max_value: Option<f64>,
    /// `NoEcho`.
    pub no_echo: bool,
    /// `Description`.
    pub description: Option<String>,
    /// `ConstraintDescription`, shown when a constraint fails.
    pub constraint_description: Option<String>,
}

/// A name written in the template and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub loc: Location,
}

/// One resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Where the logical id is.
    pub loc: Location,
    /// `Type`, for example `AWS::EC2::VPC`.
    pub kind: Named,
    /// `Properties`, unevaluated.
    pub properties: Option<Node>,
    /// `DependsOn`, one or a list.
    pub depends_on: Vec<Named>,
    /// `Condition`.
    pub condition: Option<Named>,
    /// `Metadata`.
    pub metadata: Option<Node>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<String>,
    /// `CreationPolicy`: the resource is complete once it has its signals (C2).
    pub creation_policy: Option<CreationPolicy>,
    /// `UpdatePolicy` and `UpdateReplacePolicy`, where they are: they govern stack
    /// updates, which vpcsim does not perform, so the stack warns that they change nothing.
    pub update_policies: Vec<(Location, &'static str)>,
}

/// A resource's `CreationPolicy` (C2): how many SUCCESS signals it waits for, and how long.
/// CloudFormation evaluates intrinsic functions in it (`Count: !Ref WebServerCapacity`), so
/// `Count` and `Timeout` are kept as written and read by [`CreationPolicy::signals`] once
/// parameters are known; a literal value is checked when the template is read.
#[derive(Clone, Debug, PartialEq)]
pub struct CreationPolicy {
    /// Where `CreationPolicy` is.
    pub loc: Location,
    /// `ResourceSignal.Count` as written (1 when absent).
    pub count: Option<Node>,
    /// `ResourceSignal.Timeout` as written (ISO 8601, `PT5M` when absent).
    pub timeout: Option<Node>,
}

impl CreationPolicy {
    /// How many SUCCESS signals and how many seconds the resource waits for, given `eval`
    /// that evaluates a value's intrinsic functions; a bad value is an error at its line.
    pub fn signals(&self, eval: impl Fn(&Node) -> Result<Node, Problem>) -> Result<(u32, u64), Problem> {
        let evaluated = |n: &Node| eval(n).map(|v| Node { loc: n.loc, ..v });
        let count = match &self.count {
            Some(n) => signal_count(&evaluated(n)?)?,
            None => 1,
        };
        let timeout_s = match &self.timeout {
            Some(n) => iso8601_seconds(&evaluated(n)?)?,
            None => 300,
        };
        Ok((count, timeout_s))
    }
}

/// The longest wait CloudFormation allows for signals: 12 hours.
pub const MAX_SIGNAL_WAIT_S: u64 = 12 * 3600;

/// One output.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// Where the output's name is.
    pub loc: Location,
    /// `Value`, unevaluated.
    pub value: Node,
    /// `Export.Name`, unevaluated.
    pub export_name: Option<Node>,
    /// `Condition`.
    pub condition: Option<Named>,
    /// `Description`.
    pub description: Option<String>,
}

impl Template {
    /// Checks a tag-normalised document and types it; every problem found is returned.
    pub fn parse(doc: &Node) -> Result<Template, Vec<Problem>> {
        let mut problems = Vec::new();
        let Some(top) = doc.as_map() else {
            let msg = format!("a template must be a map of sections, not {}", doc.a_type_name());
            return Err(vec![Problem::new(doc.loc, msg)]);
        };
        for (key, _) in top {
            if !SECTIONS.contains(&key.name.as_str()) {
                problems.push(unknown(key, "top-level section", SECTIONS));
            } else if key.name == "Transform" {
                let p = Problem::new(key.loc, "Transform (macros, SAM) is not supported offline");
                problems.push(p.hint("expand the transform and use the processed template"));
            }
        }
        if let Some(v) =
            doc.get("AWSTemplateFormatVersion").filter(|v| v.scalar_text().as_deref() != Some("2010-09-09"))
        {
            let p = Problem::new(v.loc, "AWSTemplateFormatVersion must be '2010-09-09', the only version");
            problems.push(p.hint("quote it (`'2010-09-09'`) or remove the line"));
        }
        let mut tpl = Template {
            format_version: doc.get("AWSTemplateFormatVersion").and_then(Node::scalar_text),
            description: doc.get("Description").and_then(Node::scalar_text),
            parameters: IndexMap::new(),
            mappings: doc.get("Mappings").cloned(),
            conditions: IndexMap::new(),
            resources: IndexMap::new(),
            outputs: IndexMap::new(),
            rules: IndexMap::new(),
        };
        for (key, node) in section(doc, "Rules", &mut problems) {
            tpl.rules.insert(key.name.clone(), (key.loc, node.clone()));
        }
        for (key, node) in section(doc, "Parameters", &mut problems) {
            if problems.len() > super::graph::MAX_PROBLEMS {
                return Err(problems);
            }
            let p = parse_parameter(key, node).map_err(|e| e.within(&format!("Parameters.{}", key.name)));
            push(&mut tpl.parameters, key, p, &mut problems);
        }
        for (key, node) in section(doc, "Conditions", &mut problems) {
            tpl.conditions.insert(key.name.clone(), (key.loc, node.clone()));
        }
        for (key, node) in section(doc, "Resources", &mut problems) {
            if problems.len() > super::graph::MAX_PROBLEMS {
                return Err(problems);
            }
            if tpl.parameters.contains_key(&key.name) {
                let p = Problem::new(key.loc, format!("`{}` is both a parameter and a resource", key.name));
                problems.push(
                    p.within(&format!("Resources.{}", key.name))
                        .hint("logical ids are unique among parameters and resources; rename one"),
                );
            }
            let r = parse_resource(key, node, &mut problems);
            push(&mut tpl.resources, key, r, &mut problems);
        }
        if tpl.resources.is_empty() && problems.is_empty() {
            problems.push(Problem::new(
                doc.loc,
                "the template has no Resources; at least one resource is required",
            ));
        }
        for (key, node) in section(doc, "Outputs", &mut problems) {
            if problems.len() > super::graph::MAX_PROBLEMS {
                return Err(problems);
            }
            let o = parse_output(key, node).map_err(|e| e.within(&format!("Outputs.{}", key.name)));
            push(&mut tpl.outputs, key, o, &mut problems);
        }
        if problems.is_empty() {
            Ok(tpl)
        } else {
            Err(problems)
        }
    }
}

fn push<T>(map: &mut IndexMap<String, T>, key: &Key, item: Result<T, Problem>, problems: &mut Vec<Problem>) {
    match item {
        Ok(v) => {
            map.insert(key.name.clone(), v);
        }
        Err(p) => problems.push(p),
    }
}

/// The entries of a top-level section that must be a map (empty when absent).
fn section<'a>(doc: &'a Node, name: &str, problems: &mut Vec<Problem>) -> &'a [(Key, Node)] {
    match doc.get(name) {
        None => &[],
        Some(n) => n.as_map().unwrap_or_else(|| {
            problems
                .push(Problem::new(n.loc, format!("section {name} must be a map, not {}", n.a_type_name())));
            &[]
        }),
    }
}

/// An "unknown X" problem listing the accepted names.
pub fn unknown(key: &Key, what: &str, known: &[&str]) -> Problem {
    let hint = super::problem::did_you_mean(&key.name, known.iter().copied())
        .unwrap_or_else(|| format!("expected one of: {}", known.join(", ")));
    Problem::new(key.loc, format!("unknown {what} `{}`", key.name)).hint(hint)
}

fn text(node: &Node, what: &str) -> Result<String, Problem> {
    node.scalar_text()
        .ok_or_else(|| Problem::new(node.loc, format!("{what} must be a scalar, not {}", node.a_type_name())))
}

/// A finite number (`inf` and `NaN`, which Rust would read, are not CloudFormation numbers).
fn number(node: &Node, what: &str) -> Result<f64, Problem> {
    let t = text(node, what)?;
    t.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| Problem::new(node.loc, format!("{what} must be a number, not `{t}`")))
}

/// A length: a whole number from 0 (a negative or fractional `MinLength` is no length).
fn length(node: &Node, what: &str) -> Result<usize, Problem> {
    let t = text(node, what)?;
    t.trim()
        .parse::<usize>()
        .map_err(|_| Problem::new(node.loc, format!("{what} must be a whole number from 0, not `{t}`")))
}

/// `NoEcho`: `true` or `false` (in any case), as CloudFormation takes it.
fn boolean(node: &Node, what: &str) -> Result<bool, Problem> {
    let t = text(node, what)?;
    match t.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Problem::new(node.loc, format!("{what} must be true or false, not `{t}`"))),
    }
}

fn parse_parameter(key: &Key, node: &Node) -> Result<Parameter, Problem> {
    const ATTRS: &[&str] = &[
        "Type",
        "Default",
        "AllowedValues",
        "AllowedPattern",
        "MinLength",
        "MaxLength",
        "MinValue",
        "MaxValue",
        "NoEcho",
        "Description",
        "ConstraintDescription",
    ];
    let entries = node
        .as_map()
        .ok_or_else(|| Problem::new(node.loc, "a parameter must be a map with at least Type"))?;
    let mut p = Parameter { loc: key.loc, ..Parameter::default() };
    for (k, v) in entries {
        match k.name.as_str() {
            "Type" => p.kind = text(v, "Type")?,
            "Default" => p.default = Some(default_text(v)?),
            "AllowedValues" => p.allowed_values = list_text(v, "AllowedValues")?,
            "AllowedPattern" => p.allowed_pattern = Some((text(v, "AllowedPattern")?, v.loc)),
            "MinLength" => p.min_length = Some(length(v, "MinLength")?),
            "MaxLength" => p.max_length = Some(length(v, "MaxLength")?),
            "MinValue" => p.min_value = Some(number(v, "MinValue")?),
            "MaxValue" => p.max_value = Some(number(v, "MaxValue")?),
            "NoEcho" => p.no_echo = boolean(v, "NoEcho")?,
            "Description" => p.description = Some(text(v, "Description")?),
            "ConstraintDescription" => p.constraint_description = Some(text(v, "ConstraintDescription")?),
            _ => return Err(unknown(k, "parameter attribute", ATTRS)),
        }
    }
    if p.kind.is_empty() {
        return Err(
            Problem::new(key.loc, format!("parameter {} has no Type", key.name)).hint("add `Type: String`")
        );
    }
    Ok(p)
}

/// A default may be a list for list types; it is kept as comma-separated text.
fn default_text(v: &Node) -> Result<String, Problem> {
    match v.as_seq() {
        Some(_) => Ok(list_text(v, "Default")?.join(",")),
        None => text(v, "Default"),
    }
}

fn list_text(v: &Node, what: &str) -> Result<Vec<String>, Problem> {
    let items = v.as_seq().ok_or_else(|| Problem::new(v.loc, format!("{what} must be a list")))?;
    items.iter().map(|i| text(i, what)).collect()
}

fn named(v: &Node, what: &str) -> Result<Named, Problem> {
    Ok(Named { name: text(v, what)?, loc: v.loc })
}

fn parse_resource(key: &Key, node: &Node, problems: &mut Vec<Problem>) -> Result<Resource, Problem> {
    let ctx = format!("Resources.{}", key.name);
    let entries = node
        .as_map()
        .ok_or_else(|| Problem::new(node.loc, "a resource must be a map with Type").within(&ctx))?;
    let type_node = node.get("Type").ok_or_else(|| {
        Problem::new(key.loc, format!("resource {} has no Type", key.name))
            .hint("add `Type: AWS::EC2::VPC` or similar")
    });
    let kind = type_node.and_then(|t| named(t, "Type")).map_err(|e| e.within(&ctx))?;
    let mut r = Resource {
        loc: key.loc,
        kind,
        properties: None,
        depends_on: Vec::new(),
        condition: None,
        metadata: None,
        deletion_policy: None,
        creation_policy: None,
        update_policies: Vec::new(),
    };
    for (k, v) in entries {
        let res = match k.name.as_str() {
            "Type" => Ok(()),
            "UpdatePolicy" | "UpdateReplacePolicy" => {
                let name = if k.name == "UpdatePolicy" { "UpdatePolicy" } else { "UpdateReplacePolicy" };
                r.update_policies.push((k.loc, name));
                Ok(())
            }
            "CreationPolicy" => creation_policy(k.loc, v).map(|c| r.creation_policy = c),
            "Properties" => properties(v).map(|p| r.properties = p),
            "DependsOn" => depends_on(v).map(|d| r.depends_on = d),
            "Condition" => named(v, "Condition").map(|c| r.condition = Some(c)),
            "Metadata" => {
                r.metadata = Some(v.clone());
                Ok(())
            }
            "DeletionPolicy" => text(v, "DeletionPolicy").map(|d| r.deletion_policy = Some(d)),
            _ => Err(unknown(k, "resource attribute", RESOURCE_ATTRIBUTES)),
        };
        if let Err(e) = res {
            problems.push(e.within(&ctx));
        }
    }
    Ok(r)
}

fn properties(v: &Node) -> Result<Option<Node>, Problem> {
    match &v.value {
        NodeValue::Null => Ok(None),
        NodeValue::Map(_) => Ok(Some(v.clone())),
        _ => Err(Problem::new(v.loc, format!("Properties must be a map, not {}", v.a_type_name()))),
    }
}

fn depends_on(v: &Node) -> Result<Vec<Named>, Problem> {
    match v.as_seq() {
        Some(items) => items.iter().map(|i| named(i, "DependsOn")).collect(),
        None => Ok(vec![named(v, "DependsOn")?]),
    }
}

fn parse_output(key: &Key, node: &Node) -> Result<Output, Problem> {
    const ATTRS: &[&str] = &["Value", "Export", "Condition", "Description"];
    let entries =
        node.as_map().ok_or_else(|| Problem::new(node.loc, "an output must be a map with Value"))?;
    let value = node
        .get("Value")
        .ok_or_else(|| Problem::new(key.loc, format!("output {} has no Value", key.name)))?;
    let mut o =
        Output { loc: key.loc, value: value.clone(), export_name: None, condition: None, description: None };
    for (k, v) in entries {
        match k.name.as_str() {
            "Value" => {}
            "Export" => {
                let name =
                    v.get("Name").ok_or_else(|| Problem::new(v.loc, "Export must be a map with Name"))?;
                o.export_name = Some(name.clone());
            }
            "Condition" => o.condition = Some(named(v, "Condition")?),
            "Description" => o.description = v.scalar_text(),
            _ => return Err(unknown(k, "output attribute", ATTRS)),
        }
    }
    Ok(o)
}

/// `CreationPolicy: {ResourceSignal: {Count, Timeout}, AutoScalingCreationPolicy: {...}}`;
/// None when it asks for no signal.
fn creation_policy(loc: Location, node: &Node) -> Result<Option<CreationPolicy>, Problem> {
    let entries = node.as_map().ok_or_else(|| Problem::new(node.loc, "CreationPolicy must be a map"))?;
    let mut policy = None;
    for (k, v) in entries {
        match k.name.as_str() {
            "AutoScalingCreationPolicy" => {}
            "ResourceSignal" => {
                let mut p = CreationPolicy { loc, count: None, timeout: None };
                for (key, value) in
                    v.as_map().ok_or_else(|| Problem::new(v.loc, "ResourceSignal must be a map"))?
                {
                    match key.name.as_str() {
                        "Count" => p.count = Some(policy_value(value, "ResourceSignal.Count", signal_count)?),
                        "Timeout" => {
                            p.timeout = Some(policy_value(value, "ResourceSignal.Timeout", iso8601_seconds)?)
                        }
                        _ => return Err(unknown(key, "ResourceSignal key", &["Count", "Timeout"])),
                    }
                }
                policy = Some(p);
            }
            _ => {
                return Err(unknown(
                    k,
                    "CreationPolicy key",
                    &["AutoScalingCreationPolicy", "ResourceSignal"],
                ))
            }
        }
    }
    Ok(policy)
}

/// A CreationPolicy value as written: an intrinsic function (evaluated once parameters are
/// known), or a scalar that `check` accepts now.
fn policy_value<T>(node: &Node, what: &str, check: fn(&Node) -> Result<T, Problem>) -> Result<Node, Problem> {
    if super::intrinsic::as_intrinsic(node, false).is_some() {
        return Ok(node.clone());
    }
    if node.scalar_text().is_none() {
        return Err(Problem::new(
            node.loc,
            format!(
                "{what} must be a scalar or an intrinsic function (`!Ref Parameter`), not {}",
                node.a_type_name()
            ),
        ));
    }
    check(node).map(|_| node.clone())
}

/// `ResourceSignal.Count`: a whole number of at least 1.
fn signal_count(node: &Node) -> Result<u32, Problem> {
    let n = number(node, "ResourceSignal.Count")?;
    if n < 1.0 || n.fract() != 0.0 || n > f64::from(u32::MAX) {
        return Err(Problem::new(
            node.loc,
            format!("ResourceSignal.Count `{n}` must be a whole number of at least 1"),
        ));
    }
    Ok(n as u32)
}

/// An ISO 8601 duration of hours, minutes and seconds (`PT15M`, `PT1H30M`), at most 12 hours.
fn iso8601_seconds(node: &Node) -> Result<u64, Problem> {
    let t = text(node, "ResourceSignal.Timeout")?;
    let bad = || {
        Problem::new(
            node.loc,
            format!("ResourceSignal.Timeout `{t}` is not an ISO 8601 duration of at most 12 hours"),
        )
        .hint("write PT15M, PT1H or PT1H30M")
    };
    let rest = t.strip_prefix("PT").filter(|r| !r.is_empty()).ok_or_else(bad)?;
    let (mut total, mut digits) = (0u64, String::new());
    for c in rest.chars() {
        let unit = match c {
            '0'..='9' => {
                digits.push(c);
                continue;
            }
            'H' => 3600,
            'M' => 60,
            'S' => 1,
            _ => return Err(bad()),
        };
        let n: u64 = std::mem::take(&mut digits).parse().map_err(|_| bad())?;
        total = total.saturating_add(n.saturating_mul(unit));
    }
    if !digits.is_empty() || total > MAX_SIGNAL_WAIT_S {
        return Err(bad());
    }
    Ok(total)
}
