//! `aws ec2 ...-dhcp-options` (Z2): create a set, associate it (or `default`, no set)
//! with a VPC, list the sets, delete one that no VPC uses.

use serde_json::Value;

use super::{empty, Answer};
use crate::command::aws::request::DhcpRequest;
use crate::describe::filter::{apply, only, DHCP_OPTIONS};
use crate::ops::dhcp::CreateDhcpOptions;
use crate::world::World;

/// Runs one DHCP option set call.
pub(super) fn run(w: &mut World, op: &str, request: &DhcpRequest) -> Answer {
    match request {
        DhcpRequest::Create { configurations } => {
            let req = CreateDhcpOptions { configurations: configurations.clone(), ..Default::default() };
            let id = w.create_dhcp_options(req)?;
            Ok(serde_json::json!({"DhcpOptions": one(w, &w[id].aws_id)}))
        }
        DhcpRequest::Associate { dhcp_options_id, vpc_id } => {
            let options = match dhcp_options_id.as_str() {
                "default" => None,
                id => Some(w.dhcp_options_id(op, id)?),
            };
            let vpc = w.vpc_id(op, vpc_id)?;
            w.associate_dhcp_options(vpc, options);
            Ok(empty())
        }
        DhcpRequest::Describe { ids, filters } => {
            let mut doc = crate::describe::dhcp_options(w);
            let not_found = |id: &str| {
                ("InvalidDhcpOptionID.NotFound", format!("The dhcpOption ID '{id}' does not exist"))
            };
            only(op, &mut doc, DHCP_OPTIONS.key, "DhcpOptionsId", ids, not_found)?;
            apply(op, &DHCP_OPTIONS, filters, &mut doc)?;
            Ok(doc)
        }
        DhcpRequest::Delete { id } => {
            let d = w.dhcp_options_id(op, id)?;
            w.delete_dhcp_options(d).map(|()| empty())
        }
    }
}

/// One option set as describe-dhcp-options lists it.
fn one(w: &World, id: &str) -> Value {
    let doc = crate::describe::dhcp_options(w);
    let items = doc["DhcpOptions"].as_array().cloned().unwrap_or_default();
    items.into_iter().find(|d| d["DhcpOptionsId"] == id).unwrap_or_else(empty)
}
