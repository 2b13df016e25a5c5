//! The AWS CLI's JSON for NAT gateways (`describe-nat-gateways`, G1-G4).

use serde_json::{json, Value};

use super::{tags, timestamp};
use crate::ids::NatId;
use crate::model::nat_gateway::NatState;
use crate::world::World;

/// describe-nat-gateways: every NAT gateway, deleted ones included (AWS lists them for about an hour).
pub fn nat_gateways(w: &World) -> Value {
    let items: Vec<Value> = w.nat_gateways().ids().map(|n| nat_gateway(w, n)).collect();
    json!({"NatGateways": items})
}

/// One NAT gateway: its address (interface, private IP, Elastic IP), subnet, VPC, state.
pub fn nat_gateway(w: &World, id: NatId) -> Value {
    let n = &w[id];
    let e = &w[n.eni];
    let mut address = json!({
        "NetworkInterfaceId": e.aws_id,
        "PrivateIp": e.private_ip.to_string(),
        "IsPrimary": true,
        "Status": if n.state == NatState::Deleted { "disassociated" } else { "succeeded" },
    });
    if let Some(eip) = n.eip {
        address["AllocationId"] = json!(w[eip].allocation_id);
        address["PublicIp"] = json!(w[eip].public_ip.to_string());
    }
    let mut v = json!({
        "ConnectivityType": n.connectivity.as_str(),
        "CreateTime": timestamp(n.created_ms),
        "NatGatewayAddresses": [address],
        "NatGatewayId": n.aws_id,
        "State": n.state.as_str(),
        "SubnetId": w[n.subnet].aws_id,
        "VpcId": w[n.vpc].aws_id,
        "Tags": tags(&n.tags),
    });
    if matches!(n.state, NatState::Deleting | NatState::Deleted) {
        v["DeleteTime"] = json!(timestamp(n.next_change_ms.unwrap_or(w.now_ms())));
    }
    v
}
