//! Prefix lists and gateway endpoints (E1, E5): create-managed-prefix-list and
//! create-vpc-endpoint with the Gateway type. Every id is resolved before the op.

use serde_json::json;

use super::Answer;
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::model::prefix_list::PrefixListEntry;
use crate::ops::gateway_endpoint::CreateGatewayEndpoint;
use crate::ops::prefix_list::CreateManagedPrefixList;
use crate::world::{Handle, World};

/// Runs a mutating prefix-list or gateway-endpoint call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::CreateManagedPrefixList { name, max_entries, entries } => {
            let entries = entries
                .iter()
                .map(|(cidr, description)| PrefixListEntry { cidr: *cidr, description: description.clone() });
            let req = CreateManagedPrefixList {
                name: name.clone(),
                max_entries: *max_entries,
                entries: entries.collect(),
                tags: Default::default(),
            };
            let pl = w.create_managed_prefix_list(req)?;
            Ok(json!({"PrefixList": j::managed_prefix_list(w, pl)}))
        }
        R::CreateGatewayEndpoint { vpc_id, service_name, route_table_ids, policy_document } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let mut route_tables = Vec::new();
            for id in route_table_ids {
                route_tables.push(w.route_table_id(op, id)?);
            }
            let req = CreateGatewayEndpoint {
                vpc: Some(vpc),
                service_name: service_name.clone(),
                route_tables,
                policy_document: policy_document.clone(),
                tags: Default::default(),
            };
            let g = w.create_gateway_endpoint(req)?;
            Ok(json!({"VpcEndpoint": j::gateway_endpoint(w, g)}))
        }
        R::ModifyVpcEndpoint { id, policy_document } => {
            let g = match w.find(id) {
                Some(Handle::GatewayEndpoint(g)) if !w[g].deleted => g,
                Some(Handle::Endpoint(_)) => {
                    return Err(ApiError::new(op, "InvalidParameter", format!("{id} is an Interface endpoint: vpcsim evaluates the policies of Gateway endpoints only (E2)")))
                }
                _ => {
                    return Err(ApiError::new(op, "InvalidVpcEndpointId.NotFound", format!("The Vpc Endpoint Id '{id}' does not exist")))
                }
            };
            w.modify_vpc_endpoint_policy(g, policy_document.as_ref())?;
            Ok(json!({"Return": true}))
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}
