//! One small type per AWS resource. The model holds typed handles ([`crate::ids`])
//! and resolved references only; names and spans stay in the file layers.

pub mod eip;
pub mod endpoint_service;
pub mod eni;
pub mod igw;
pub mod instance;
pub mod nacl;
pub mod nlb;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod vpc;
pub mod vpc_endpoint;

/// The Name tag and other tags of a resource, in the order given.
pub type Tags = indexmap::IndexMap<String, String>;

/// The value of the `Name` tag, if any.
pub fn name_tag(tags: &Tags) -> Option<&str> {
    tags.get("Name").map(String::as_str)
}
