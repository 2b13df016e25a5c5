//! describe-vpc-peering-connections: each connection with both sides' VPC info, its
//! status (V1) and, once active, each side's options (V4).

use serde_json::{json, Value};

use super::tags;
use crate::ids::{PeeringId, VpcId};
use crate::model::peering::PeeringOptions;
use crate::world::World;

/// describe-vpc-peering-connections (deleted connections included, as AWS lists them for a while).
pub fn vpc_peering_connections(w: &World) -> Value {
    let items: Vec<Value> = w.peerings().ids().map(|p| vpc_peering_connection(w, p)).collect();
    json!({"VpcPeeringConnections": items})
}

/// One connection as describe-vpc-peering-connections prints it.
pub fn vpc_peering_connection(w: &World, pcx: PeeringId) -> Value {
    let p = &w[pcx];
    let options = p.is_active().then_some((p.accepter_options, p.requester_options));
    json!({
        "AccepterVpcInfo": vpc_info(w, p.accepter, options.map(|o| o.0)),
        "RequesterVpcInfo": vpc_info(w, p.requester, options.map(|o| o.1)),
        "Status": {"Code": p.state.as_str(), "Message": p.message},
        "Tags": tags(&p.tags),
        "VpcPeeringConnectionId": p.aws_id,
    })
}

fn vpc_info(w: &World, vpc: VpcId, options: Option<PeeringOptions>) -> Value {
    let v = &w[vpc];
    let mut info = json!({
        "CidrBlock": v.cidr.to_string(),
        "CidrBlockSet": v.cidrs().map(|c| json!({"CidrBlock": c.to_string()})).collect::<Vec<_>>(),
        "OwnerId": w.account_id(),
        "VpcId": v.aws_id,
        "Region": w.region().name,
    });
    if let Some(o) = options {
        info["PeeringOptions"] = peering_options(o);
    }
    info
}

/// One side's options as the CLI prints them.
pub fn peering_options(o: PeeringOptions) -> Value {
    json!({
        "AllowDnsResolutionFromRemoteVpc": o.allow_dns_resolution_from_remote_vpc,
        "AllowEgressFromLocalClassicLinkToRemoteVpc": false,
        "AllowEgressFromLocalVpcToRemoteClassicLink": false,
    })
}
