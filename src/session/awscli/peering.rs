//! VPC peering calls (V1, V4, V5): request, accept, reject, delete, and each side's
//! DNS option. The caller owns both VPCs, so it accepts its own requests.

use serde_json::json;

use super::{empty, Answer};
use crate::command::aws::request::PeeringAction;
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::model::peering::PeeringState;
use crate::ops::peering::PeeringSide;
use crate::world::World;

/// Runs a mutating peering call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::CreateVpcPeeringConnection { vpc_id, peer_vpc_id } => {
            let (vpc, peer) = (w.vpc_id(op, vpc_id)?, w.vpc_id(op, peer_vpc_id)?);
            let pcx = w.create_vpc_peering_connection(vpc, peer, Default::default())?;
            let mut item = j::vpc_peering_connection(w, pcx);
            if w[pcx].state == PeeringState::PendingAcceptance {
                // V1: the answer shows the request as it starts; describe shows pending-acceptance.
                item["Status"] = json!({"Code": "initiating-request", "Message": format!("Initiating Request to {}", w.account_id())});
            }
            Ok(json!({"VpcPeeringConnection": item}))
        }
        R::VpcPeeringConnection { action, id } => {
            let pcx = w.peering_id(op, id)?;
            match action {
                PeeringAction::Accept => {
                    w.accept_vpc_peering_connection(pcx)?;
                    Ok(json!({"VpcPeeringConnection": j::vpc_peering_connection(w, pcx)}))
                }
                PeeringAction::Reject => {
                    w.reject_vpc_peering_connection(pcx).map(|()| json!({"Return": true}))
                }
                PeeringAction::Delete => {
                    w.delete_vpc_peering_connection(pcx).map(|()| json!({"Return": true}))
                }
            }
        }
        R::ModifyVpcPeeringConnectionOptions { id, requester, accepter } => {
            let pcx = w.peering_id(op, id)?;
            // Both sides need the connection active: the first change fails whole or neither does.
            let mut answer = empty();
            for (side, options, key) in [
                (PeeringSide::Requester, requester, "RequesterPeeringConnectionOptions"),
                (PeeringSide::Accepter, accepter, "AccepterPeeringConnectionOptions"),
            ] {
                if let Some(o) = options {
                    w.modify_vpc_peering_connection_options(pcx, side, *o)?;
                    answer[key] =
                        json!({"AllowDnsResolutionFromRemoteVpc": o.allow_dns_resolution_from_remote_vpc});
                }
            }
            Ok(answer)
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}
