//! The NAT gateway calls that change the world: create-nat-gateway and
//! delete-nat-gateway (G1-G4). describe-nat-gateways is read-only ([`super::describe`]).

use serde_json::json;

use super::Answer;
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::ops::nat::CreateNatGateway;
use crate::world::World;

/// Runs a mutating NAT gateway call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    match request {
        Request::CreateNatGateway { subnet_id, allocation_id, connectivity, private_ip } => {
            let subnet = w.subnet_id(op, subnet_id)?;
            let allocation = allocation_id.as_deref().map(|id| w.eip_id(op, id)).transpose()?;
            let req = CreateNatGateway {
                subnet,
                connectivity: *connectivity,
                allocation,
                private_ip: *private_ip,
                tags: Default::default(),
            };
            let nat = w.create_nat_gateway(req)?;
            Ok(json!({"NatGateway": j::nat_gateway(w, nat)}))
        }
        Request::DeleteNatGateway { id } => {
            let nat = w.nat_gateway_id(op, id)?;
            w.delete_nat_gateway(nat)?;
            Ok(json!({"NatGatewayId": id}))
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}
