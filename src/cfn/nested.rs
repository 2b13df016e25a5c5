//! Nested stacks (`AWS::CloudFormation::Stack`, C3) from a local template: the child
//! template is found relative to the parent's file, created as part of the parent (its
//! resources in the same world, in the same atomic creation), and read back through
//! `Ref` (the child stack's ARN) and `Fn::GetAtt Nested.Outputs.NAME`. Nesting is bounded
//! ([`MAX_DEPTH`]) and a template that nests itself, directly or not, is an error.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::engine::{self, Stack};
use super::problem::Problem;
use super::sink::{AttrValue, Created, ResourceSink, StackContext};
use crate::error::{FileError, Location};
use crate::yaml::{self, Node, NodeValue};

/// How many stacks deep templates may nest, the top-level stack counting as one.
pub const MAX_DEPTH: usize = 5;

/// The templates from the top-level stack down to the one being created, for the depth
/// bound and cycle detection.
#[derive(Clone, Debug, Default)]
pub struct Nesting {
    chain: Vec<PathBuf>,
}

impl Nesting {
    /// The nesting of a top-level stack created from `file`.
    pub fn root(file: &str) -> Nesting {
        Nesting { chain: vec![identity(Path::new(file))] }
    }
}

/// A template file's identity for cycle detection: its canonical path when it exists.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A nested stack created: the child, and what the parent's `Ref`/`Fn::GetAtt` read.
pub struct Nested {
    /// The child stack.
    pub stack: Stack,
    /// `Ref`: the child stack's ARN; attributes `Outputs.NAME`.
    pub created: Created,
}

/// C3: creates the nested stack `id` of the parent created from `file`, with `props`
/// (evaluated, their keys already checked by the sink).
pub fn create(
    file: &str,
    id: &str,
    props: &Node,
    ctx: &StackContext,
    exports: &IndexMap<String, String>,
    sink: &mut dyn ResourceSink,
    nesting: &Nesting,
) -> Result<Nested, FileError> {
    let within = |p: Problem| FileError::one(p.within(&format!("Resources.{id}")).in_file(file));
    let url = props.entry("TemplateURL").ok_or_else(|| {
        within(
            Problem::new(props.loc, "property `TemplateURL` is required")
                .hint("give the nested template's path relative to this template"),
        )
    })?;
    let path = template_path(file, url.1).map_err(within)?;
    let chain = descend(nesting, &path, url.1.loc).map_err(within)?;
    let params = parameters(props).map_err(within)?;
    let child_file = path.to_string_lossy().into_owned();
    let text = crate::source::read(&path, yaml::Limits::default().max_bytes).map_err(|e| match e {
        crate::source::ReadError::NotUtf8 { .. } => under(FileError::one(e.to_problem()), id),
        e => within(Problem::new(url.1.loc, format!("cannot read the nested template: {e}"))),
    })?;
    let node = yaml::parse(&text, &yaml::Limits::default())
        .map_err(|e| FileError::one(Problem::new(e.loc, e.message).in_file(&child_file)))
        .map_err(|e| under(e, id))?;
    let name = stack_name(&ctx.stack_name, id);
    let child_ctx = StackContext { stack_name: name.clone(), ..ctx.clone() };
    let stack = engine::create_nested(&child_file, &node, &params, &child_ctx, exports, sink, &chain)
        .map_err(|e| under(e, id))?;
    let mut attributes: IndexMap<String, AttrValue> =
        stack.outputs.iter().map(|(k, v)| (format!("Outputs.{k}"), AttrValue::Str(v.clone()))).collect();
    let arn =
        format!("arn:aws:cloudformation:{}:{}:stack/{name}/{}", ctx.region, ctx.account_id, uuid_of(&name));
    attributes.insert("Arn".into(), AttrValue::Str(arn.clone()));
    Ok(Nested { stack, created: Created { physical_id: arn, attributes } })
}

/// C3: a `TemplateURL` written as a URL (https, http, s3) is refused: the simulation never
/// touches the network. Anything else (a path, `file://`, an intrinsic) passes.
pub fn refuse_url(url: &Node) -> Result<(), Problem> {
    let Some(text) = url.as_str() else { return Ok(()) };
    let lower = text.to_ascii_lowercase();
    if ["https://", "http://", "s3://"].iter().any(|p| lower.starts_with(p)) {
        let p = Problem::new(
            url.loc,
            format!("nested template `{text}` is a URL: vpcsim never downloads templates"),
        );
        return Err(
            p.hint("download the template and give its path relative to this template as TemplateURL")
        );
    }
    Ok(())
}

/// The child template's path: `TemplateURL` relative to the parent's file (or `file://`).
/// A URL (https, http, s3) is refused: the simulation never touches the network.
fn template_path(parent: &str, url: &Node) -> Result<PathBuf, Problem> {
    let Some(text) = url.as_str() else {
        return Err(Problem::new(url.loc, "`TemplateURL` must be a string"));
    };
    refuse_url(url)?;
    let local = text.strip_prefix("file://").unwrap_or(text);
    if local.is_empty() {
        return Err(Problem::new(url.loc, "`TemplateURL` is empty").hint("give the nested template's path"));
    }
    let dir = Path::new(parent).parent().unwrap_or(Path::new(""));
    Ok(dir.join(local))
}

/// The chain one level down to `path`: an error past [`MAX_DEPTH`] or when `path` is
/// already being created (a template that nests itself).
fn descend(nesting: &Nesting, path: &Path, loc: Location) -> Result<Nesting, Problem> {
    let me = identity(path);
    if let Some(at) = nesting.chain.iter().position(|p| *p == me) {
        let names: Vec<String> =
            nesting.chain[at..].iter().chain([&me]).map(|p| p.display().to_string()).collect();
        return Err(Problem::new(loc, format!("nested stacks form a cycle: {}", names.join(" -> ")))
            .hint("a template cannot nest itself, directly or through another template"));
    }
    if nesting.chain.len() >= MAX_DEPTH {
        return Err(Problem::new(loc, format!("nested stacks are more than {MAX_DEPTH} levels deep"))
            .hint("flatten the templates (limit MAX_DEPTH)"));
    }
    let mut chain = nesting.chain.clone();
    chain.push(me);
    Ok(Nesting { chain })
}

/// The child's parameter values: scalars as text, lists joined with commas.
fn parameters(props: &Node) -> Result<IndexMap<String, String>, Problem> {
    let Some((_, node)) = props.entry("Parameters") else { return Ok(IndexMap::new()) };
    let Some(entries) = node.as_map() else {
        return Err(Problem::new(node.loc, "`Parameters` must be a map of parameter names to values"));
    };
    let mut out = IndexMap::new();
    for (k, v) in entries {
        let text = match &v.value {
            NodeValue::Seq(items) => {
                items.iter().map(Node::scalar_text).collect::<Option<Vec<_>>>().map(|v| v.join(","))
            }
            _ => v.scalar_text(),
        };
        let text = text.ok_or_else(|| {
            Problem::new(v.loc, format!("parameter `{}` must be a string or a list of strings", k.name))
        })?;
        out.insert(k.name.clone(), text);
    }
    Ok(out)
}

/// The child's problems, their context prefixed with the parent's logical id path
/// (`Resources.Network.Resources.Vpc`), so a report ties them to the nested stack.
fn under(mut e: FileError, id: &str) -> FileError {
    for p in &mut e.problems {
        p.context = Some(match p.context.take() {
            Some(c) => format!("Resources.{id}.{c}"),
            None => format!("Resources.{id}"),
        });
    }
    e
}

/// The nested stack's name as CloudFormation makes it: `PARENT-LOGICALID-SUFFIX`, the
/// suffix 12 upper-case letters and digits, derived from the names (deterministic).
pub fn stack_name(parent: &str, id: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut h = super::params::fnv1a(format!("{parent}/{id}").as_bytes());
    let suffix: String = (0..12)
        .map(|_| {
            let c = ALPHABET[(h % 36) as usize] as char;
            h /= 36;
            c
        })
        .collect();
    format!("{parent}-{id}-{suffix}")
}

/// A stack id's UUID part, derived from the stack's name.
fn uuid_of(name: &str) -> String {
    let a = super::params::fnv1a(name.as_bytes());
    let b = super::params::fnv1a(format!("{name}#").as_bytes());
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}
