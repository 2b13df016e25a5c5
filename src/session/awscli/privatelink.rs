//! PrivateLink calls: endpoint services, their permissions and connections, and
//! Interface endpoints. Ids are resolved before the op; deleting several services
//! reports each failure in `Unsuccessful`, as AWS does.

use serde_json::{json, Value};

use super::Answer;
use crate::command::aws::request::Change;
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::ops::privatelink::CreateVpcEndpoint;
use crate::world::World;

/// Runs a mutating PrivateLink call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::CreateVpcEndpointServiceConfiguration { nlb_arns, acceptance_required, private_dns_name } => {
            let mut lbs = Vec::new();
            for arn in nlb_arns {
                lbs.push(w.lb_id(op, arn)?);
            }
            let svc = w.create_vpc_endpoint_service_configuration(
                &lbs,
                *acceptance_required,
                private_dns_name.clone(),
                Default::default(),
            )?;
            Ok(json!({"ServiceConfiguration": j::service(w, svc)}))
        }
        R::DeleteVpcEndpointServiceConfigurations { ids } => {
            let mut unsuccessful = Vec::new();
            for id in ids {
                let res =
                    w.service_id(op, id).and_then(|svc| w.delete_vpc_endpoint_service_configuration(svc));
                if let Err(e) = res {
                    unsuccessful
                        .push(json!({"Error": {"Code": e.code, "Message": e.message}, "ResourceId": id}));
                }
            }
            Ok(json!({"Unsuccessful": unsuccessful}))
        }
        R::ModifyVpcEndpointServicePermissions { service_id, add, remove } => {
            let svc = w.service_id(op, service_id)?;
            w.modify_vpc_endpoint_service_permissions(svc, add, remove)?;
            Ok(json!({"ReturnValue": true}))
        }
        R::StartVpcEndpointServicePrivateDnsVerification { service_id } => {
            let svc = w.service_id(op, service_id)?;
            w.start_vpc_endpoint_service_private_dns_verification(svc)?;
            Ok(json!({"ReturnValue": true}))
        }
        R::VpcEndpointConnections { change, service_id, endpoint_ids } => {
            let svc = w.service_id(op, service_id)?;
            let mut eps = Vec::new();
            for id in endpoint_ids {
                eps.push(w.endpoint_id(op, id)?);
            }
            match change {
                Change::Add => w.accept_vpc_endpoint_connections(svc, &eps)?,
                Change::Remove => w.reject_vpc_endpoint_connections(svc, &eps)?,
            }
            Ok(json!({"Unsuccessful": Value::Array(Vec::new())}))
        }
        R::CreateVpcEndpoint {
            vpc_id,
            service_name,
            subnet_ids,
            security_group_ids,
            private_dns_enabled,
        } => {
            let mut subnets = Vec::new();
            for id in subnet_ids {
                subnets.push(w.subnet_id(op, id)?);
            }
            let mut groups = Vec::new();
            for id in security_group_ids {
                groups.push(w.sg_id(op, id)?);
            }
            let req = CreateVpcEndpoint {
                vpc: Some(w.vpc_id(op, vpc_id)?),
                service_name: service_name.clone(),
                subnets,
                groups,
                private_dns_enabled: *private_dns_enabled,
                tags: Default::default(),
            };
            let ep = w.create_vpc_endpoint(req)?;
            Ok(json!({"VpcEndpoint": j::endpoint(w, ep)}))
        }
        R::DeleteVpcEndpoints { ids } => {
            let mut eps = Vec::new();
            let mut gateways = Vec::new();
            for id in ids {
                match w.find(id) {
                    Some(crate::world::Handle::GatewayEndpoint(g)) if !w[g].deleted => gateways.push(g),
                    _ => eps.push(w.endpoint_id(op, id)?),
                }
            }
            w.delete_vpc_endpoints(&eps)?;
            for g in gateways {
                w.delete_gateway_endpoint(g);
            }
            Ok(json!({"Unsuccessful": Value::Array(Vec::new())}))
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}
