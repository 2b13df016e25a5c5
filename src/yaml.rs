#![warn(missing_docs)]
//! A spanned YAML/JSON document tree: [`parse`] turns text into a [`Node`] whose every
//! value and key carries its 1-based [`Location`] and its tag (`!Ref`, ...).
//!
//! Guarantees: one document (empty text is [`NodeValue::Null`]); duplicate keys are an
//! error at the second key; aliases are expanded under a node budget, so a "billion
//! laughs" document is refused early; depth, size and scalar length are bounded by
//! [`Limits`]. Plain scalars resolve per the YAML 1.2 core schema; quoted ones stay
//! strings. JSON is YAML, so JSON templates parse too. No input panics.

use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::Location;

/// One value of a document, where it is, and its tag.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value starts.
    pub loc: Location,
    /// The tag as written after resolution: `!Ref`, `tag:yaml.org,2002:str`, ...
    pub tag: Option<String>,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (quoted, or plain and not another type).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order; keys are unique.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where the key is.
    pub loc: Location,
}

/// Bounds that keep hostile documents cheap to refuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest text accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes in the tree, counting every node an alias expands to.
    pub max_nodes: usize,
    /// Longest scalar, in bytes.
    pub max_scalar_bytes: usize,
    /// Most bytes of scalar text in the tree, counting every copy an alias makes.
    pub max_expanded_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 8 << 20,
            max_depth: 128,
            max_nodes: 1_000_000,
            max_scalar_bytes: 1 << 20,
            max_expanded_bytes: 64 << 20,
        }
    }
}

/// Why a text is not an acceptable document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{loc}: {message}")]
pub struct YamlError {
    /// Where the problem is.
    pub loc: Location,
    /// What is wrong.
    pub message: String,
}

impl YamlError {
    fn new(loc: Location, message: impl Into<String>) -> YamlError {
        YamlError { loc, message: message.into() }
    }
}

/// Parses one YAML (or JSON) document into a spanned tree.
///
/// ```
/// use vpcsim::yaml::{parse, Limits};
/// let doc = parse("a: !Ref b\n", &Limits::default()).unwrap();
/// let a = doc.get("a").unwrap();
/// assert_eq!((a.as_str(), a.tag.as_deref(), a.loc.line, a.loc.column), (Some("b"), Some("!Ref"), 1, 9));
/// ```
pub fn parse(text: &str, limits: &Limits) -> Result<Node, YamlError> {
    if text.len() > limits.max_bytes {
        let msg = format!(
            "document is {} bytes, over the limit of {} bytes (limit max_bytes)",
            text.len(),
            limits.max_bytes
        );
        return Err(YamlError::new(Location { line: 1, column: 1 }, msg));
    }
    let mut builder = Builder::new(limits);
    let mut parser = Parser::new_from_str(text);
    let end = end_of(text);
    loop {
        let step = parser
            .next_token()
            .map_err(|e| scan_error(&e, limits))
            .and_then(|(event, mark)| builder.on_event(event, loc(mark).min(end)));
        match step {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => return Err(YamlError { loc: e.loc.min(end), ..e }),
        }
    }
    Ok(builder.root.unwrap_or(Node {
        value: NodeValue::Null,
        loc: Location { line: 1, column: 1 },
        tag: None,
    }))
}

/// The last position of a text. The scanner reports an empty value, or an error, at the
/// end of a text that does not end in a newline one line past it; locations are clamped
/// here so that every one lies inside the text.
fn end_of(text: &str) -> Location {
    let lines = text.split('\n').count();
    let last = text.rsplit('\n').next().unwrap_or_default();
    Location { line: lines, column: last.chars().count() + 1 }
}

fn loc(mark: Marker) -> Location {
    Location { line: mark.line().max(1), column: mark.col() + 1 }
}

fn scan_error(e: &yaml_rust2::ScanError, limits: &Limits) -> YamlError {
    if e.info().contains("recursion limit") {
        // The scanner looks ahead into flow collections and stops deep ones before the builder sees them.
        let msg = format!("nesting deeper than {} levels (limit max_depth)", limits.max_depth);
        return YamlError::new(loc(*e.marker()), msg);
    }
    YamlError::new(loc(*e.marker()), format!("YAML syntax error: {}", e.info()))
}

/// An open sequence or mapping while events stream in.
struct Frame {
    node: Node,
    anchor: usize,
    pending_key: Option<Key>,
    /// Nodes in this collection so far, itself included (for the alias budget).
    size: usize,
    /// Keys seen so far, for the duplicate check without a quadratic scan.
    keys: BTreeMap<String, Location>,
}

/// Builds the tree from parser events, enforcing [`Limits`].
struct Builder<'a> {
    limits: &'a Limits,
    stack: Vec<Frame>,
    /// Anchor id to the finished node and its node count.
    anchors: BTreeMap<usize, (Node, usize)>,
    nodes: usize,
    /// Scalar bytes so far, alias copies included.
    bytes: usize,
    documents: usize,
    root: Option<Node>,
}

impl<'a> Builder<'a> {
    fn new(limits: &'a Limits) -> Builder<'a> {
        Builder {
            limits,
            stack: Vec::new(),
            anchors: BTreeMap::new(),
            nodes: 0,
            bytes: 0,
            documents: 0,
            root: None,
        }
    }

    /// Handles one event; returns true at the end of the stream.
    fn on_event(&mut self, event: Event, at: Location) -> Result<bool, YamlError> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlError::new(
                        at,
                        "only one YAML document is allowed; remove the second `---`",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(text, style, tag, at)?;
                self.finish(node, anchor, 1)?;
            }
            Event::SequenceStart(anchor, tag) => self.open(NodeValue::Seq(Vec::new()), anchor, tag, at)?,
            Event::MappingStart(anchor, tag) => self.open(NodeValue::Map(Vec::new()), anchor, tag, at)?,
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            Event::Alias(id) => self.alias(id, at)?,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
        Ok(false)
    }

    fn count(&mut self, n: usize, at: Location) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_nodes {
            let msg = format!(
                "document expands to more than {} nodes (limit max_nodes; aliases count every node they repeat)",
                self.limits.max_nodes
            );
            return Err(YamlError::new(at, msg));
        }
        Ok(())
    }

    fn add_bytes(&mut self, n: usize, at: Location) -> Result<(), YamlError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > self.limits.max_expanded_bytes {
            let msg = format!(
                "document expands to more than {} bytes of text (limit max_expanded_bytes; aliases count every copy)",
                self.limits.max_expanded_bytes
            );
            return Err(YamlError::new(at, msg));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        tag: Option<Tag>,
        at: Location,
    ) -> Result<Node, YamlError> {
        self.count(1, at)?;
        self.add_bytes(text.len(), at)?;
        if text.len() > self.limits.max_scalar_bytes {
            let msg = format!(
                "scalar is {} bytes, over the limit of {} bytes (limit max_scalar_bytes)",
                text.len(),
                self.limits.max_scalar_bytes
            );
            return Err(YamlError::new(at, msg));
        }
        let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
        let value = match tag.as_deref() {
            Some("tag:yaml.org,2002:str") => NodeValue::Str(text),
            _ if style != TScalarStyle::Plain => NodeValue::Str(text),
            _ => resolve_plain(text),
        };
        Ok(Node { value, loc: at, tag })
    }

    fn open(
        &mut self,
        value: NodeValue,
        anchor: usize,
        tag: Option<Tag>,
        at: Location,
    ) -> Result<(), YamlError> {
        self.count(1, at)?;
        if self.stack.len() >= self.limits.max_depth {
            let msg = format!("nesting deeper than {} levels (limit max_depth)", self.limits.max_depth);
            return Err(YamlError::new(at, msg));
        }
        let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
        self.stack.push(Frame {
            node: Node { value, loc: at, tag },
            anchor,
            pending_key: None,
            size: 1,
            keys: BTreeMap::new(),
        });
        Ok(())
    }

    fn close(&mut self) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        if let Some(key) = frame.pending_key {
            return Err(YamlError::new(key.loc, format!("key `{}` has no value", key.name)));
        }
        let mut node = frame.node;
        // A block mapping's start mark comes after its first key; point at the key instead.
        if let Some((first, _)) = node.as_map().and_then(|m| m.first()) {
            node.loc = node.loc.min(first.loc);
        }
        self.finish(node, frame.anchor, frame.size)
    }

    fn alias(&mut self, id: usize, at: Location) -> Result<(), YamlError> {
        let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
            return Err(YamlError::new(
                at,
                "alias refers to an anchor that is not complete here (recursive alias)",
            ));
        };
        self.count(size, at)?;
        let bytes = self.anchors.get(&id).map(|(node, _)| text_bytes(node)).unwrap_or(0);
        self.add_bytes(bytes, at)?;
        let Some(mut node) = self.anchors.get(&id).map(|(node, _)| node.clone()) else { return Ok(()) };
        node.loc = at;
        self.place(node, size)
    }

    /// Records an anchor, then places the finished node in its parent.
    fn finish(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        self.place(node, size)
    }

    fn place(&mut self, node: Node, size: usize) -> Result<(), YamlError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        frame.size = frame.size.saturating_add(size);
        match &mut frame.node.value {
            NodeValue::Seq(items) => items.push(node),
            NodeValue::Map(entries) => match frame.pending_key.take() {
                None => frame.pending_key = Some(key_of(node)?),
                Some(key) => {
                    if let Some(first) = frame.keys.insert(key.name.clone(), key.loc) {
                        let msg = format!("duplicate key `{}` (first defined at {first})", key.name);
                        return Err(YamlError::new(key.loc, msg));
                    }
                    entries.push((key, node));
                }
            },
            _ => {}
        }
        Ok(())
    }
}

/// The scalar text a tree holds, keys included.
fn text_bytes(node: &Node) -> usize {
    match &node.value {
        NodeValue::Str(s) => s.len(),
        NodeValue::Seq(items) => items.iter().map(text_bytes).sum(),
        NodeValue::Map(entries) => entries.iter().map(|(k, v)| k.name.len() + text_bytes(v)).sum(),
        _ => 8,
    }
}

fn key_of(node: Node) -> Result<Key, YamlError> {
    match node.scalar_text() {
        Some(name) => Ok(Key { name, loc: node.loc }),
        None if matches!(node.value, NodeValue::Null) => Ok(Key { name: String::new(), loc: node.loc }),
        None => Err(YamlError::new(
            node.loc,
            format!("a mapping key must be a scalar, not a {}", node.type_name()),
        )),
    }
}

/// Resolves a plain scalar per the YAML 1.2 core schema.
fn resolve_plain(text: String) -> NodeValue {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return NodeValue::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return NodeValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeValue::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(&text) {
        return NodeValue::Int(i);
    }
    if is_core_float(&text) {
        if let Ok(f) = text.parse::<f64>() {
            return NodeValue::Float(f);
        }
    }
    NodeValue::Str(text)
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().filter(|_| !hex.is_empty());
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().filter(|_| !oct.is_empty());
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int) && digits(frac) && !(int.is_empty() && frac.is_empty());
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
    };
    mantissa_ok && exponent_ok
}

impl Node {
    /// This node as a JSON value: mappings as objects in their order, scalars as they were
    /// typed (a policy document or a cfn-init file's content written inline in YAML).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Int(i) => Value::from(*i),
            NodeValue::Float(f) => Value::from(*f),
            NodeValue::Str(s) => Value::String(s.clone()),
            NodeValue::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.name.clone(), v.to_json())).collect())
            }
        }
    }

    /// A new untagged node.
    pub fn new(value: NodeValue, loc: Location) -> Node {
        Node { value, loc, tag: None }
    }

    /// The value under `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
    }

    /// The key and value under `key`, when this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.name == key).map(|(k, v)| (k, v))
    }

    /// The string, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, when this is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            NodeValue::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, when this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            NodeValue::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar's text: strings as they are, numbers and booleans as YAML writes them.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            NodeValue::Str(s) => Some(s.clone()),
            NodeValue::Int(i) => Some(i.to_string()),
            NodeValue::Float(f) => Some(f.to_string()),
            NodeValue::Bool(b) => Some(b.to_string()),
            NodeValue::Null | NodeValue::Seq(_) | NodeValue::Map(_) => None,
        }
    }

    /// The kind of value with its article, for messages: `an integer`, `a list`, ...
    pub fn a_type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "a null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Int(_) => "an integer",
            NodeValue::Float(_) => "a number",
            NodeValue::Str(_) => "a string",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a map",
        }
    }

    /// The kind of value, for messages: `null`, `boolean`, `integer`, `number`, `string`, `list`, `map`.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "boolean",
            NodeValue::Int(_) => "integer",
            NodeValue::Float(_) => "number",
            NodeValue::Str(_) => "string",
            NodeValue::Seq(_) => "list",
            NodeValue::Map(_) => "map",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Node, YamlError> {
        parse(text, &Limits::default())
    }

    #[test]
    fn plain_scalars_resolve_by_core_schema_and_quoted_stay_strings() {
        let doc = p("a: true\nb: 12\nc: 1.5\nd: ~\ne: '80'\nf: 0x1F\ng: 10.0.0.0/16\nh: 1e3\n").unwrap();
        let vals: Vec<_> = doc.as_map().unwrap().iter().map(|(_, v)| v.value.clone()).collect();
        assert_eq!(
            vals,
            vec![
                NodeValue::Bool(true),
                NodeValue::Int(12),
                NodeValue::Float(1.5),
                NodeValue::Null,
                NodeValue::Str("80".into()),
                NodeValue::Int(31),
                NodeValue::Str("10.0.0.0/16".into()),
                NodeValue::Float(1000.0),
            ]
        );
    }

    #[test]
    fn locations_are_one_based_and_tags_are_kept() {
        let doc = p("x:\n  y: !GetAtt a.b\n").unwrap();
        let (key, y) = doc.get("x").unwrap().entry("y").unwrap();
        assert_eq!((key.loc.line, key.loc.column), (2, 3));
        assert_eq!((y.loc.line, y.loc.column, y.tag.as_deref()), (2, 14, Some("!GetAtt")));
        assert_eq!((doc.loc.line, doc.loc.column), (1, 1));
        assert_eq!(doc.get("x").unwrap().loc, key.loc);
    }

    #[test]
    fn duplicate_key_is_reported_at_the_second() {
        let e = p("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(e.loc.line, 3);
        assert!(e.message.contains("duplicate key `a`"), "{e}");
    }

    #[test]
    fn billion_laughs_is_refused_by_the_node_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = p(&text).unwrap_err();
        assert!(e.message.contains("max_nodes"), "{e}");
    }

    #[test]
    fn aliases_expand_within_budget() {
        let doc = p("a: &x {k: v}\nb: *x\n").unwrap();
        assert_eq!(doc.get("b").unwrap().get("k").unwrap().as_str(), Some("v"));
    }

    #[test]
    fn json_and_empty_documents_parse() {
        let doc = p("{\"A\": {\"Ref\": \"B\"}, \"N\": [1, \"2\"]}").unwrap();
        assert_eq!(doc.get("A").unwrap().get("Ref").unwrap().as_str(), Some("B"));
        assert_eq!(doc.get("N").unwrap().as_seq().unwrap()[1].value, NodeValue::Str("2".into()));
        assert_eq!(p("").unwrap().value, NodeValue::Null);
    }

    #[test]
    fn syntax_error_and_limits_have_locations() {
        let e = p("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"), "{e}");
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(p(&deep).unwrap_err().message.contains("max_depth"));
        let small = Limits { max_scalar_bytes: 3, ..Limits::default() };
        assert!(parse("abcd", &small).unwrap_err().message.contains("scalar"));
        assert!(p("a: 1\n---\nb: 2\n").unwrap_err().message.contains("one YAML document"));
    }

    #[test]
    fn an_error_at_the_end_of_a_text_without_newline_stays_inside_it() {
        // Found by fuzzing: the scanner reported line 3 of a two-line text.
        for text in ["a: b\nc", "a:\n  - b\n  c"] {
            let e = p(text).unwrap_err();
            assert!(e.loc.line <= text.split('\n').count(), "{text:?}: {e}");
        }
        let doc = p("a:\n  b:").unwrap();
        assert_eq!(doc.get("a").unwrap().get("b").unwrap().loc.line, 2);
    }
}
