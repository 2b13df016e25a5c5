//! The AWS CLI's JSON for network ACLs (`describe-network-acls`, N1-N4): each ACL's
//! entries as EC2 lists them (outbound first, each direction by rule number and ending
//! with the `*` rule 32767 that denies what nothing matched), its subnet associations
//! and whether it is its VPC's default.

use serde_json::{json, Value};

use super::tags;
use crate::addr::{PortRange, Protocol, RuleProtocol};
use crate::ids::NaclId;
use crate::model::nacl::{AclEntry, Action, IcmpTypeCode, NetworkAcl};
use crate::ops::security::nacl_association_id;
use crate::trace::Direction;
use crate::world::World;

/// N1: the number EC2 shows for the final rule (`*` in the console) of each direction.
pub const LAST_RULE_NUMBER: u16 = 32767;

/// describe-network-acls: every ACL that is not deleted.
pub fn network_acls(w: &World) -> Value {
    let items: Vec<Value> = w.nacls().live().map(|(id, a)| network_acl(w, id, a)).collect();
    json!({"NetworkAcls": items})
}

/// One network ACL.
fn network_acl(w: &World, id: NaclId, acl: &NetworkAcl) -> Value {
    let mut entries = Vec::new();
    // A8: with an IPv6 block in the VPC, each direction also ends with a `*` rule for ::/0.
    let dual_stack = !w[acl.vpc].ipv6_cidrs.is_empty();
    for (direction, egress) in [(Direction::Egress, true), (Direction::Ingress, false)] {
        let ipv6 = if egress { &acl.ipv6_egress } else { &acl.ipv6_ingress };
        let mut numbered: Vec<(u16, Value)> =
            acl.entries(direction).iter().map(|e| (e.number, entry(e, egress))).collect();
        numbered.extend(ipv6.iter().map(|e| (e.number, super::ipv6::acl_entry(e, egress))));
        numbered.sort_by_key(|(n, _)| *n);
        entries.extend(numbered.into_iter().map(|(_, v)| v));
        entries.push(json!({
            "CidrBlock": "0.0.0.0/0",
            "Egress": egress,
            "Protocol": "-1",
            "RuleAction": "deny",
            "RuleNumber": LAST_RULE_NUMBER,
        }));
        if dual_stack || !ipv6.is_empty() {
            entries.push(json!({
                "Egress": egress,
                "Ipv6CidrBlock": "::/0",
                "Protocol": "-1",
                "RuleAction": "deny",
                "RuleNumber": LAST_RULE_NUMBER,
            }));
        }
    }
    let associations: Vec<Value> = w
        .subnets()
        .live()
        .filter(|(_, s)| s.nacl == id)
        .map(|(_, s)| {
            json!({
                "NetworkAclAssociationId": nacl_association_id(&s.aws_id),
                "NetworkAclId": acl.aws_id,
                "SubnetId": s.aws_id,
            })
        })
        .collect();
    json!({
        "Associations": associations,
        "Entries": entries,
        "IsDefault": acl.is_default,
        "NetworkAclId": acl.aws_id,
        "Tags": tags(&acl.tags),
        "VpcId": w[acl.vpc].aws_id,
        "OwnerId": w.account_id(),
    })
}

/// One entry: the protocol as its number in a string (`"6"`, `"-1"` for all), the port
/// range of a TCP or UDP entry, the ICMP type and code of an ICMP entry (-1 for all).
fn entry(e: &AclEntry, egress: bool) -> Value {
    entry_fields(("CidrBlock", e.cidr.to_string()), e.number, e.protocol, e.ports, e.icmp, e.action, egress)
}

/// The fields of an entry of either family, its block under `block.0` (`CidrBlock` or
/// `Ipv6CidrBlock`, A8).
pub(super) fn entry_fields(
    block: (&str, String),
    number: u16,
    protocol: RuleProtocol,
    ports: PortRange,
    icmp: IcmpTypeCode,
    action: Action,
    egress: bool,
) -> Value {
    let number_text = match protocol {
        RuleProtocol::All => "-1".to_string(),
        RuleProtocol::One(p) => p.number().to_string(),
    };
    // EC2 prints the keys in alphabetical order, the block's among them.
    let mut fields = vec![
        (block.0, json!(block.1)),
        ("Egress", json!(egress)),
        ("Protocol", json!(number_text)),
        ("RuleAction", json!(action.as_str())),
        ("RuleNumber", json!(number)),
    ];
    fields.sort_by_key(|(k, _)| *k);
    let mut v = Value::Object(fields.into_iter().map(|(k, x)| (k.to_string(), x)).collect());
    match protocol {
        RuleProtocol::One(Protocol::Icmp) => {
            let all = |x: Option<u8>| x.map_or(-1, i32::from);
            v["IcmpTypeCode"] = json!({"Code": all(icmp.code), "Type": all(icmp.icmp_type)});
        }
        RuleProtocol::One(_) => v["PortRange"] = json!({"From": ports.from, "To": ports.to}),
        RuleProtocol::All => {}
    }
    v
}
