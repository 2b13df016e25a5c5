//! The evaluator: [`Env::eval`] resolves intrinsic functions in a node, keeping the
//! locations of what it produces. It runs twice: a dry run before any resource exists
//! (resources are *unknown* values, so static mistakes surface before the sink is
//! called) and a live run just before each resource is created.

use std::cell::{Cell, RefCell};

use indexmap::{IndexMap, IndexSet};

use super::intrinsic::{as_intrinsic, unknown_intrinsic};
use super::params::{fnv1a, ParamValue};
use super::problem::Problem;
use super::sink::{AttrValue, Created, StackContext};
use super::template::Template;
use crate::error::Location;
use crate::yaml::{Node, NodeValue};

/// The tag marking a value not known during the dry run.
const UNKNOWN_TAG: &str = "!vpcsim/unknown";

/// Pseudo parameters `Ref` accepts.
pub const PSEUDO: &[&str] = &[
    "AWS::Region",
    "AWS::StackName",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NoValue",
    "AWS::StackId",
    "AWS::NotificationARNs",
];

/// Everything an expression can refer to.
pub struct Env<'a> {
    /// The template (mappings, resource types).
    pub tpl: &'a Template,
    /// Resolved parameters.
    pub params: &'a IndexMap<String, ParamValue>,
    /// Stack name, region, account, AZs.
    pub ctx: &'a StackContext,
    /// Evaluated conditions.
    pub conditions: &'a IndexMap<String, bool>,
    /// Other stacks' exports, for `Fn::ImportValue`.
    pub exports: &'a IndexMap<String, String>,
    /// Resources created so far; `None` during the dry run.
    pub live: Option<&'a IndexMap<String, Created>>,
    /// Bytes the intrinsic functions produced so far in this evaluation (see [`MAX_EVAL_BYTES`]).
    pub spent: Cell<usize>,
    /// Bytes the intrinsic functions produced so far in this pass over the whole template,
    /// conditions, resources and outputs together (see [`MAX_TEMPLATE_EVAL_BYTES`]).
    pub template_spent: &'a Cell<usize>,
    /// The export names `Fn::ImportValue` read so far (C1: a stack cannot delete an
    /// export another stack imports).
    pub imported: RefCell<IndexSet<String>>,
}

/// Most bytes the intrinsic functions of one resource (or output) may produce, counting
/// every copy: a template that repeats a long parameter or mapping value many times
/// through `Ref`, `Fn::FindInMap` or `Fn::Join` is refused instead of filling memory.
pub const MAX_EVAL_BYTES: usize = 64 << 20;

/// Most bytes the intrinsic functions of a whole template may produce in one pass (the
/// check before any resource exists, or the creation), counting every copy: many
/// outputs or resources, each under [`MAX_EVAL_BYTES`], cannot add up to gigabytes.
pub const MAX_TEMPLATE_EVAL_BYTES: usize = 128 << 20;

/// The bytes a value holds, for [`MAX_EVAL_BYTES`]: its text plus a little per node.
fn weight(node: &Node) -> usize {
    let own = match &node.value {
        NodeValue::Str(s) => s.len(),
        NodeValue::Seq(items) => items.iter().map(weight).sum(),
        NodeValue::Map(entries) => entries.iter().map(|(k, v)| k.name.len() + weight(v)).sum(),
        _ => 8,
    };
    own + 16
}

/// A string node at `loc`.
pub fn str_node(s: impl Into<String>, loc: Location) -> Node {
    Node::new(NodeValue::Str(s.into()), loc)
}

fn unknown(loc: Location) -> Node {
    Node { value: NodeValue::Str("(unknown until created)".into()), loc, tag: Some(UNKNOWN_TAG.into()) }
}

/// Whether a value is only known once resources exist.
pub fn is_unknown(node: &Node) -> bool {
    node.tag.as_deref() == Some(UNKNOWN_TAG)
}

impl Env<'_> {
    /// Evaluates a node: `Ok(None)` when it is `AWS::NoValue` (the property is removed).
    pub fn eval(&self, node: &Node) -> Result<Option<Node>, Problem> {
        if let Some((key, arg)) = as_intrinsic(node, false) {
            return self.call(&key.name, arg, node.loc);
        }
        let value = match &node.value {
            NodeValue::Seq(items) => NodeValue::Seq(self.eval_all(items)?),
            NodeValue::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    if let Some(v) = self.eval(v)? {
                        out.push((k.clone(), v));
                    }
                }
                NodeValue::Map(out)
            }
            _ => return Ok(Some(node.clone())),
        };
        Ok(Some(Node { value, loc: node.loc, tag: node.tag.clone() }))
    }

    fn eval_all(&self, items: &[Node]) -> Result<Vec<Node>, Problem> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.extend(self.eval(item)?);
        }
        Ok(out)
    }

    fn call(&self, name: &str, arg: &Node, loc: Location) -> Result<Option<Node>, Problem> {
        let out = self.call_unbudgeted(name, arg, loc)?;
        if let Some(node) = &out {
            let bytes = weight(node);
            self.room_for(bytes, loc)?;
            self.spent.set(self.spent.get().saturating_add(bytes));
            self.template_spent.set(self.template_spent.get().saturating_add(bytes));
        }
        Ok(out)
    }

    /// Whether `bytes` more fit [`MAX_EVAL_BYTES`] and [`MAX_TEMPLATE_EVAL_BYTES`];
    /// functions that build long text (`Fn::Join`, `Fn::Sub`) ask before they build it.
    pub(super) fn room_for(&self, bytes: usize, loc: Location) -> Result<(), Problem> {
        if self.spent.get().saturating_add(bytes) > MAX_EVAL_BYTES {
            let msg = format!(
                "intrinsic functions here produce more than {MAX_EVAL_BYTES} bytes (limit MAX_EVAL_BYTES)"
            );
            return Err(Problem::new(loc, msg).hint("repeat long values less often"));
        }
        if self.template_spent.get().saturating_add(bytes) > MAX_TEMPLATE_EVAL_BYTES {
            let msg = format!(
                "intrinsic functions of this template produce more than {MAX_TEMPLATE_EVAL_BYTES} bytes \
                 in total (limit MAX_TEMPLATE_EVAL_BYTES)"
            );
            return Err(Problem::new(loc, msg).hint("repeat long values in fewer resources and outputs"));
        }
        Ok(())
    }

    fn call_unbudgeted(&self, name: &str, arg: &Node, loc: Location) -> Result<Option<Node>, Problem> {
        let node = match name {
            "Ref" => return self.reference(&self.literal(arg, "Ref")?, loc),
            "Fn::GetAtt" => self.get_att(arg, loc)?,
            "Fn::Sub" => self.sub(arg, loc)?,
            "Fn::Select" => self.select(arg, loc)?,
            "Fn::GetAZs" => self.get_azs(arg, loc)?,
            "Fn::Base64" => self.base64(arg, loc)?,
            "Fn::Join" => self.join(arg, loc)?,
            "Fn::Split" => self.split(arg, loc)?,
            "Fn::FindInMap" => self.find_in_map(arg, loc)?,
            "Fn::Cidr" => self.cidr(arg, loc)?,
            "Fn::ImportValue" => self.import_value(arg, loc)?,
            "Fn::If" => return self.if_(arg),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let wrapped = Node::new(NodeValue::Map(vec![(key(name, loc), arg.clone())]), loc);
                Node::new(NodeValue::Bool(self.condition(&wrapped)?), loc)
            }
            _ => return Err(unknown_intrinsic(&key(name, loc))),
        };
        Ok(Some(node))
    }

    /// A value that must be present (not `AWS::NoValue`).
    pub fn value(&self, node: &Node, what: &str) -> Result<Node, Problem> {
        self.eval(node)?
            .ok_or_else(|| Problem::new(node.loc, format!("{what}: AWS::NoValue is not allowed here")))
    }

    /// A scalar as text; `None` when unknown until resources exist.
    pub fn string(&self, node: &Node, what: &str) -> Result<Option<String>, Problem> {
        let v = self.value(node, what)?;
        if is_unknown(&v) {
            return Ok(None);
        }
        v.scalar_text().map(Some).ok_or_else(|| {
            Problem::new(node.loc, format!("{what} must be a string, not {}", v.a_type_name()))
        })
    }

    /// A list's items; `None` when unknown until resources exist.
    pub fn list(&self, node: &Node, what: &str) -> Result<Option<Vec<Node>>, Problem> {
        let v = self.value(node, what)?;
        match v.value {
            _ if is_unknown(&v) => Ok(None),
            NodeValue::Seq(items) => Ok(Some(items)),
            _ => Err(Problem::new(node.loc, format!("{what} must be a list, not {}", v.a_type_name()))),
        }
    }

    /// A name written literally (Ref's argument, a condition name).
    fn literal(&self, node: &Node, what: &str) -> Result<String, Problem> {
        node.as_str().map(str::to_string).ok_or_else(|| {
            Problem::new(node.loc, format!("{what} takes a name (a string), not {}", node.a_type_name()))
        })
    }

    /// The literal argument list of a function, checked for length.
    pub fn args<'n>(node: &'n Node, func: &str, shape: &str, n: usize) -> Result<&'n [Node], Problem> {
        match node.as_seq() {
            Some(items) if items.len() == n => Ok(items),
            _ => Err(Problem::new(node.loc, format!("{func} expects {shape}, got {}", describe(node)))),
        }
    }

    /// What `Ref name` returns: a pseudo parameter, a parameter, or a resource's physical id.
    fn reference(&self, name: &str, loc: Location) -> Result<Option<Node>, Problem> {
        if let Some(v) = self.pseudo(name, loc) {
            return Ok(v);
        }
        if let Some(p) = self.params.get(name) {
            return Ok(Some(match p {
                ParamValue::Str(s) => str_node(s.clone(), loc),
                ParamValue::List(l) => {
                    Node::new(NodeValue::Seq(l.iter().map(|s| str_node(s.clone(), loc)).collect()), loc)
                }
            }));
        }
        match self.resource(name, loc)? {
            Some(created) => Ok(Some(str_node(created.physical_id.clone(), loc))),
            None => Ok(Some(unknown(loc))),
        }
    }

    fn pseudo(&self, name: &str, loc: Location) -> Option<Option<Node>> {
        let c = self.ctx;
        let s = match name {
            "AWS::NoValue" => return Some(None),
            "AWS::NotificationARNs" => return Some(Some(Node::new(NodeValue::Seq(Vec::new()), loc))),
            "AWS::Region" => c.region.clone(),
            "AWS::StackName" => c.stack_name.clone(),
            "AWS::AccountId" => c.account_id.clone(),
            "AWS::Partition" => partition(&c.region).to_string(),
            "AWS::URLSuffix" => "amazonaws.com".to_string(),
            "AWS::StackId" => stack_id(c),
            _ => return None,
        };
        Some(Some(str_node(s, loc)))
    }

    /// A created resource (live run), `None` during the dry run.
    fn resource(&self, name: &str, loc: Location) -> Result<Option<&Created>, Problem> {
        if !self.tpl.resources.contains_key(name) {
            return Err(Problem::new(loc, format!("unresolved reference `{name}`")));
        }
        let condition = self.tpl.resources.get(name).and_then(|r| r.condition.as_ref());
        let skipped = condition.filter(|c| !self.conditions.get(&c.name).copied().unwrap_or(true));
        let found = match self.live {
            None if skipped.is_none() => return Ok(None),
            None => None,
            Some(live) => live.get(name),
        };
        found.map(Some).ok_or_else(|| {
            let why = match skipped {
                Some(c) => format!("its Condition `{}` is false", c.name),
                None => "it has not been created yet".to_string(),
            };
            Problem::new(loc, format!("resource `{name}` is not created: {why}"))
                .hint("guard the reference with Fn::If on the same condition")
        })
    }

    fn get_att(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let (id, attr) = match (arg.as_str(), arg.as_seq()) {
            (Some(s), _) => match s.split_once('.') {
                Some((id, attr)) => (id.to_string(), Some(attr.to_string())),
                None => {
                    return Err(Problem::new(
                        arg.loc,
                        format!("Fn::GetAtt expects `LogicalId.Attribute`, got `{s}`"),
                    ))
                }
            },
            (_, Some([id, attr])) => {
                (self.literal(id, "Fn::GetAtt")?, self.string(attr, "Fn::GetAtt attribute")?)
            }
            _ => {
                return Err(Problem::new(
                    arg.loc,
                    format!("Fn::GetAtt expects [LogicalId, Attribute], got {}", describe(arg)),
                ))
            }
        };
        let Some(created) = self.resource(&id, arg.loc)? else { return Ok(unknown(loc)) };
        let Some(attr) = attr else { return Ok(unknown(loc)) };
        attribute(&id, created, &attr, loc)
    }

    fn if_(&self, arg: &Node) -> Result<Option<Node>, Problem> {
        let [cond, then, otherwise] =
            Self::args(arg, "Fn::If", "[condition name, value if true, value if false]", 3)?
        else {
            return Ok(None);
        };
        let name = self.literal(cond, "Fn::If condition")?;
        let chosen = if self.named_condition(&name, cond.loc)? { then } else { otherwise };
        self.eval(chosen)
    }

    /// The value of a named condition.
    pub fn named_condition(&self, name: &str, loc: Location) -> Result<bool, Problem> {
        self.conditions
            .get(name)
            .copied()
            .ok_or_else(|| Problem::new(loc, format!("condition `{name}` is not defined in Conditions")))
    }

    /// Evaluates a condition expression (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition).
    pub fn condition(&self, node: &Node) -> Result<bool, Problem> {
        let Some((k, arg)) = as_intrinsic(node, true) else {
            return Err(Problem::new(
                node.loc,
                "expected a condition function: Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition",
            ));
        };
        match k.name.as_str() {
            "Condition" => self.named_condition(&self.literal(arg, "Condition")?, arg.loc),
            "Fn::Equals" => {
                let [a, b] = Self::args(arg, "Fn::Equals", "[value, value]", 2)? else { return Ok(false) };
                match (self.string(a, "Fn::Equals")?, self.string(b, "Fn::Equals")?) {
                    (Some(a), Some(b)) => Ok(a == b),
                    _ => Err(Problem::new(
                        arg.loc,
                        "Fn::Equals can compare only parameters, pseudo parameters and mappings",
                    )),
                }
            }
            "Fn::Not" => Ok(!self.condition(&Self::args(arg, "Fn::Not", "[condition]", 1)?[0])?),
            "Fn::And" | "Fn::Or" => {
                let items = arg.as_seq().filter(|i| (2..=10).contains(&i.len())).ok_or_else(|| {
                    Problem::new(
                        arg.loc,
                        format!("{} expects a list of 2 to 10 conditions, got {}", k.name, describe(arg)),
                    )
                })?;
                let values = items.iter().map(|i| self.condition(i)).collect::<Result<Vec<_>, _>>()?;
                Ok(if k.name == "Fn::And" { values.iter().all(|v| *v) } else { values.iter().any(|v| *v) })
            }
            _ => Err(Problem::new(k.loc, format!("{} is not a condition function", k.name))),
        }
    }
}

fn key(name: &str, loc: Location) -> crate::yaml::Key {
    crate::yaml::Key { name: name.to_string(), loc }
}

/// A node's kind for messages with its article ("a list", "an integer"), naming intrinsic calls.
pub fn describe(node: &Node) -> String {
    match as_intrinsic(node, true) {
        Some((k, _)) => format!("a {} call", k.name),
        None => node.a_type_name().to_string(),
    }
}

/// One attribute of a created resource, or a problem listing the known ones.
fn attribute(id: &str, created: &Created, attr: &str, loc: Location) -> Result<Node, Problem> {
    match created.attributes.get(attr) {
        Some(AttrValue::Str(s)) => Ok(str_node(s.clone(), loc)),
        Some(AttrValue::List(l)) => {
            Ok(Node::new(NodeValue::Seq(l.iter().map(|s| str_node(s.clone(), loc)).collect()), loc))
        }
        None => {
            let known: Vec<&str> = created.attributes.keys().map(String::as_str).collect();
            let p = Problem::new(loc, format!("resource `{id}` has no attribute `{attr}`"));
            Err(p.hint(format!(
                "known attributes: {}",
                if known.is_empty() { "none".into() } else { known.join(", ") }
            )))
        }
    }
}

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `AWS::StackId`: the stack's ARN, its UUID derived from the account, region and name.
pub(crate) fn stack_id(c: &StackContext) -> String {
    let h = fnv1a(format!("{}/{}/{}", c.account_id, c.region, c.stack_name).as_bytes());
    let u = format!("{h:016x}{:016x}", h.rotate_left(17) ^ 0x5bd1_e995);
    format!(
        "arn:{}:cloudformation:{}:{}:stack/{}/{}-{}-{}-{}-{}",
        partition(&c.region),
        c.region,
        c.account_id,
        c.stack_name,
        &u[0..8],
        &u[8..12],
        &u[12..16],
        &u[16..20],
        &u[20..32]
    )
}
