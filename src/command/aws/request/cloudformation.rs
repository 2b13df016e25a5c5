//! The CloudFormation calls that create stacks and read their events, typed:
//! create-stack and describe-stack-events (delete-stack and describe-stacks are plain
//! [`super::Request`] variants).

use indexmap::IndexMap;
use serde_json::Value;

use super::super::AwsError;
use super::Flags;

/// An `aws cloudformation ...` call on stacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudFormationRequest {
    /// create-stack.
    CreateStack {
        /// `--stack-name`.
        name: String,
        /// `--template-body`.
        body: TemplateBody,
        /// `--parameters`: each `ParameterKey` with its `ParameterValue` (a list's items
        /// joined with commas, as the CLI passes them).
        parameters: IndexMap<String, String>,
    },
    /// describe-stack-events.
    DescribeStackEvents {
        /// `--stack-name`: a live stack's name or any stack's id.
        name: String,
    },
}

/// A `--template-body`: the template's text, or `file://PATH` read when the call runs
/// (relative to the scenario's folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateBody {
    /// The text given on the line.
    Text(String),
    /// A file to read.
    File(String),
}

/// Types the flags of a stack call; `None` for another operation.
pub(super) fn build(f: &Flags) -> Option<Result<CloudFormationRequest, AwsError>> {
    Some(match f.spec.name {
        "create-stack" => create_stack(f),
        "describe-stack-events" => {
            f.req("stack-name").map(|name| CloudFormationRequest::DescribeStackEvents { name })
        }
        _ => return None,
    })
}

fn create_stack(f: &Flags) -> Result<CloudFormationRequest, AwsError> {
    let text = f.req("template-body")?;
    let body = match text.strip_prefix("file://") {
        Some(path) => TemplateBody::File(path.to_string()),
        None => TemplateBody::Text(text),
    };
    Ok(CloudFormationRequest::CreateStack { name: f.req("stack-name")?, body, parameters: parameters(f)? })
}

/// `--parameters ParameterKey=K,ParameterValue=V ...` (shorthand, one parameter a word)
/// or AWS's JSON list; `UsePreviousValue` and `ResolvedValue` belong to stack updates.
fn parameters(f: &Flags) -> Result<IndexMap<String, String>, AwsError> {
    let mut out = IndexMap::new();
    for word in f.list("parameters") {
        let v = super::super::shorthand::parse(&word).map_err(AwsError::ParamError)?;
        let items = match v {
            Value::Array(items) => items,
            item => vec![item],
        };
        for item in &items {
            let bad = || {
                AwsError::ParamError(format!(
                    "Error parsing parameter '--parameters': expected ParameterKey=KEY,ParameterValue=VALUE, got {word}"
                ))
            };
            let map = item.as_object().ok_or_else(bad)?;
            if let Some(k) = map.keys().find(|k| *k != "ParameterKey" && *k != "ParameterValue") {
                return Err(AwsError::Unmodelled {
                    option: format!("--parameters {k}"),
                    why: "vpcsim creates and deletes stacks but never updates one".into(),
                });
            }
            let key = map.get("ParameterKey").and_then(Value::as_str).ok_or_else(bad)?;
            let value = match map.get("ParameterValue") {
                Some(Value::Array(items)) => {
                    items.iter().filter_map(super::super::filter::scalar_text).collect::<Vec<_>>().join(",")
                }
                Some(v) => super::super::filter::scalar_text(v).ok_or_else(bad)?,
                None => return Err(bad()),
            };
            if out.insert(key.to_string(), value).is_some() {
                return Err(AwsError::ParamError(format!(
                    "Error parsing parameter '--parameters': ParameterKey {key} is given twice; give each parameter once"
                )));
            }
        }
    }
    Ok(out)
}
