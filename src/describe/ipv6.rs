//! The AWS CLI's JSON for dual-stack state (A8): a VPC's and a subnet's
//! `Ipv6CidrBlockAssociationSet`, IPv6 routes (`DestinationIpv6CidrBlock`), IPv6 NACL
//! entries (`Ipv6CidrBlock`), security group rules' `Ipv6Ranges` and
//! `describe-egress-only-internet-gateways`, with the fields and nesting EC2 prints.

use serde_json::{json, Value};

use super::tags;
use crate::ids::{EigwId, RouteTableId, VpcId};
use crate::model::ipv6::{Ipv6AclEntry, Ipv6Route, Ipv6Rule, Ipv6Target};
use crate::model::subnet::Subnet;
use crate::model::vpc::Vpc;
use crate::world::World;

/// A8: a VPC's `Ipv6CidrBlockAssociationSet`: Amazon-provided, public, advertised from the region.
pub fn vpc_associations(w: &World, v: &Vpc) -> Value {
    let items: Vec<Value> = v
        .ipv6_cidrs
        .iter()
        .map(|a| {
            json!({
                "AssociationId": a.association_id,
                "Ipv6CidrBlock": a.cidr.to_string(),
                "Ipv6CidrBlockState": {"State": "associated"},
                "NetworkBorderGroup": w.region().name,
                "Ipv6Pool": "Amazon",
                "Ipv6AddressAttribute": "public",
                "IpSource": "amazon",
            })
        })
        .collect();
    json!(items)
}

/// A8: a subnet's `Ipv6CidrBlockAssociationSet` (empty without an IPv6 block).
pub fn subnet_associations(s: &Subnet) -> Value {
    let items: Vec<Value> = s
        .ipv6_cidr
        .iter()
        .map(|a| {
            json!({
                "AssociationId": a.association_id,
                "Ipv6CidrBlock": a.cidr.to_string(),
                "Ipv6CidrBlockState": {"State": "associated"},
                "Ipv6AddressAttribute": "public",
                "IpSource": "amazon",
            })
        })
        .collect();
    json!(items)
}

/// One IPv6 route of a table, its target under the field the CLI uses for its kind.
pub fn route(w: &World, table: RouteTableId, r: &Ipv6Route) -> Value {
    let field = match &r.target {
        Ipv6Target::EgressOnly(_) => "EgressOnlyInternetGatewayId",
        Ipv6Target::Route(t) => super::route_target_field(w, t).0,
    };
    let state = if w.ipv6_route_is_active(table, &r.target) { "active" } else { "blackhole" };
    let mut v = json!({"DestinationIpv6CidrBlock": r.destination.to_string()});
    v[field] = json!(w.ipv6_route_target_id(&r.target));
    v["Origin"] = json!(if r.local { "CreateRouteTable" } else { "CreateRoute" });
    v["State"] = json!(state);
    v
}

/// One IPv6 NACL entry, as [`super::nacl`] prints an IPv4 one but under `Ipv6CidrBlock`.
pub fn acl_entry(e: &Ipv6AclEntry, egress: bool) -> Value {
    super::nacl::entry_fields(
        ("Ipv6CidrBlock", e.cidr.to_string()),
        e.number,
        e.protocol,
        e.ports,
        e.icmp,
        e.action,
        egress,
    )
}

/// One security group rule with an IPv6 peer as an `IpPermissions` item.
pub fn permission(r: &Ipv6Rule) -> Value {
    let mut v = json!({"IpProtocol": r.protocol.as_str()});
    if r.protocol != crate::addr::RuleProtocol::All {
        v["FromPort"] = json!(r.ports.from);
        v["ToPort"] = json!(r.ports.to);
    }
    let mut range = json!({"CidrIpv6": r.cidr.to_string()});
    if let Some(d) = &r.description {
        range["Description"] = json!(d);
    }
    v["IpRanges"] = json!([]);
    v["Ipv6Ranges"] = json!([range]);
    v["PrefixListIds"] = json!([]);
    v["UserIdGroupPairs"] = json!([]);
    v
}

/// describe-egress-only-internet-gateways (A8): each attached to its VPC.
pub fn egress_only_internet_gateways(w: &World) -> Value {
    let items: Vec<Value> = w.eigws().live().map(|(id, _)| egress_only_internet_gateway(w, id)).collect();
    json!({"EgressOnlyInternetGateways": items})
}

/// One egress-only internet gateway, attached to its VPC.
pub fn egress_only_internet_gateway(w: &World, id: EigwId) -> Value {
    let g = &w[id];
    json!({
        "Attachments": [{"State": "attached", "VpcId": w[g.vpc].aws_id}],
        "EgressOnlyInternetGatewayId": g.aws_id,
        "Tags": tags(&g.tags),
    })
}

/// associate-vpc-cidr-block `--amazon-provided-ipv6-cidr-block`'s answer: the new
/// association, `associating` as AWS first reports it.
pub fn vpc_association_answer(w: &World, vpc: VpcId, association_id: &str) -> Value {
    let v = &w[vpc];
    let cidr = v.ipv6_cidrs.iter().find(|a| a.association_id == association_id).map(|a| a.cidr.to_string());
    json!({
        "Ipv6CidrBlockAssociation": {
            "AssociationId": association_id,
            "Ipv6CidrBlock": cidr,
            "Ipv6CidrBlockState": {"State": "associating"},
            "NetworkBorderGroup": w.region().name,
            "Ipv6Pool": "Amazon",
        },
        "VpcId": v.aws_id,
    })
}

/// disassociate-vpc-cidr-block's answer for an IPv6 block, `disassociating`.
pub fn vpc_disassociation_answer(w: &World, association_id: &str) -> Value {
    let Some((vpc, cidr)) = w.vpc_ipv6_association(association_id) else { return json!({}) };
    json!({
        "Ipv6CidrBlockAssociation": {
            "AssociationId": association_id,
            "Ipv6CidrBlock": cidr.to_string(),
            "Ipv6CidrBlockState": {"State": "disassociating"},
        },
        "VpcId": w[vpc].aws_id,
    })
}
