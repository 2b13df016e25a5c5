//! The DHCP option set calls (Z2), typed: create-dhcp-options, associate-dhcp-options,
//! describe-dhcp-options and delete-dhcp-options.

use serde_json::Value;

use super::super::filter::{self, Filter};
use super::super::AwsError;
use super::Flags;

/// An `aws ec2 ...-dhcp-options` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DhcpRequest {
    /// create-dhcp-options.
    Create {
        /// `--dhcp-configurations`: each key with its values, in the order given.
        configurations: Vec<(String, Vec<String>)>,
    },
    /// associate-dhcp-options.
    Associate {
        /// `--dhcp-options-id`: a `dopt-` id, or `default` for no option set.
        dhcp_options_id: String,
        /// `--vpc-id`.
        vpc_id: String,
    },
    /// describe-dhcp-options.
    Describe {
        /// `--dhcp-options-ids`.
        ids: Vec<String>,
        /// `--filters`.
        filters: Vec<Filter>,
    },
    /// delete-dhcp-options.
    Delete {
        /// `--dhcp-options-id`.
        id: String,
    },
}

/// Types the flags of a DHCP option set call; `None` for another operation.
pub(super) fn build(f: &Flags) -> Option<Result<DhcpRequest, AwsError>> {
    Some(match f.spec.name {
        "create-dhcp-options" => {
            configurations(f).map(|configurations| DhcpRequest::Create { configurations })
        }
        "associate-dhcp-options" => f.req("dhcp-options-id").and_then(|dhcp_options_id| {
            Ok(DhcpRequest::Associate { dhcp_options_id, vpc_id: f.req("vpc-id")? })
        }),
        "describe-dhcp-options" => {
            f.filters().map(|filters| DhcpRequest::Describe { ids: f.list("dhcp-options-ids"), filters })
        }
        "delete-dhcp-options" => f.req("dhcp-options-id").map(|id| DhcpRequest::Delete { id }),
        _ => return None,
    })
}

/// `--dhcp-configurations Key=domain-name-servers,Values=10.0.0.5,10.0.0.6 ...` (shorthand,
/// one configuration a word) or AWS's JSON list.
fn configurations(f: &Flags) -> Result<Vec<(String, Vec<String>)>, AwsError> {
    let mut out = Vec::new();
    for word in f.list("dhcp-configurations") {
        let items = match super::super::shorthand::parse(&word).map_err(AwsError::ParamError)? {
            Value::Array(items) => items,
            item => vec![item],
        };
        for item in &items {
            out.push(one(item, &word)?);
        }
    }
    Ok(out)
}

fn one(item: &Value, word: &str) -> Result<(String, Vec<String>), AwsError> {
    let bad = || {
        AwsError::ParamError(format!(
            "Error parsing parameter '--dhcp-configurations': expected Key=KEY,Values=V1,V2, got {word}"
        ))
    };
    let Value::Object(map) = item else { return Err(bad()) };
    if let Some(k) = map.keys().find(|k| *k != "Key" && *k != "Values") {
        return Err(AwsError::ParamError(format!(
            "Parameter validation failed:\nUnknown parameter in DhcpConfigurations: \"{k}\", must be one of: Key, Values"
        )));
    }
    let key = map.get("Key").and_then(Value::as_str).ok_or_else(bad)?.to_string();
    let values = match map.get("Values") {
        Some(Value::Array(vs)) => {
            vs.iter().map(filter::scalar_text).collect::<Option<_>>().ok_or_else(bad)?
        }
        Some(v) => vec![filter::scalar_text(v).ok_or_else(bad)?],
        None => Vec::new(),
    };
    Ok((key, values))
}
