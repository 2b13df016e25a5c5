//! The ec2 calls that change the world: security group rules, routes, internet
//! gateways, instances, Elastic IPs and network ACL entries. Each resolves every id
//! it names before its first op, so a call fails whole or succeeds whole.

use serde_json::json;

use super::{empty, Answer};
use crate::command::aws::request::{
    AclCidr, AddressRef, AssociationRef, Change, GroupRef, InstanceChange, InterfaceRef, PeerRef,
    PermissionSpec, RouteChange, RouteDestination,
};
use crate::command::aws::Request;
use crate::describe as j;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::ipv6::Ipv6AclEntry;
use crate::model::nacl::{AclEntry, Action};
use crate::model::security_group::Peer;
use crate::ops::security::{acl_entry, Permission};
use crate::trace::Direction;
use crate::world::World;

/// Runs a mutating ec2 call.
pub fn mutate(w: &mut World, op: &str, request: &Request) -> Answer {
    use Request as R;
    match request {
        R::SecurityGroupRules { change, direction, group, permissions } => {
            security_group_rules(w, op, *change, *direction, group, permissions)
        }
        R::Route { change, route_table_id, destination, target } => {
            let rt = w.route_table_id(op, route_table_id)?;
            match (change, destination) {
                (RouteChange::Create, RouteDestination::Cidr(c)) => {
                    w.create_route(rt, *c, target).map(|()| json!({"Return": true}))
                }
                (RouteChange::Create, RouteDestination::PrefixList(id)) => {
                    let pl = w.prefix_list_id(op, id)?;
                    w.create_prefix_list_route(rt, pl, target).map(|()| json!({"Return": true}))
                }
                (RouteChange::Replace, RouteDestination::Cidr(c)) => {
                    w.replace_route(rt, *c, target).map(|()| empty())
                }
                (RouteChange::Replace, RouteDestination::PrefixList(id)) => {
                    let pl = w.prefix_list_id(op, id)?;
                    w.replace_prefix_list_route(rt, pl, target).map(|()| empty())
                }
                (RouteChange::Create, RouteDestination::Ipv6(c)) => {
                    w.create_ipv6_route(rt, *c, target).map(|()| json!({"Return": true}))
                }
                (RouteChange::Replace, RouteDestination::Ipv6(c)) => {
                    w.replace_ipv6_route(rt, *c, target).map(|()| empty())
                }
            }
        }
        R::DeleteRoute { route_table_id, destination } => {
            let rt = w.route_table_id(op, route_table_id)?;
            match destination {
                RouteDestination::Cidr(c) => w.delete_route(rt, *c).map(|()| empty()),
                RouteDestination::Ipv6(c) => w.delete_ipv6_route(rt, *c).map(|()| empty()),
                RouteDestination::PrefixList(id) => {
                    let pl = w.prefix_list_id(op, id)?;
                    w.delete_prefix_list_route(rt, pl).map(|()| empty())
                }
            }
        }
        R::AssociateVpcCidrBlock { vpc_id, cidr } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let id = w.associate_vpc_cidr_block(vpc, *cidr)?;
            Ok(j::vpc_cidr_association(w, vpc, &id))
        }
        R::AssociateVpcIpv6CidrBlock { vpc_id } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let id = w.associate_vpc_ipv6_cidr_block(vpc)?;
            Ok(j::ipv6::vpc_association_answer(w, vpc, &id))
        }
        R::AssociateSubnetCidrBlock { subnet_id, cidr } => {
            let subnet = w.subnet_id(op, subnet_id)?;
            let id = w.associate_subnet_ipv6_cidr_block(subnet, *cidr)?;
            Ok(json!({
                "Ipv6CidrBlockAssociation": {
                    "AssociationId": id,
                    "Ipv6CidrBlock": cidr.to_string(),
                    "Ipv6CidrBlockState": {"State": "associating"},
                },
                "SubnetId": subnet_id,
            }))
        }
        R::CreateEgressOnlyInternetGateway { vpc_id } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let g = w.create_egress_only_internet_gateway(vpc, crate::model::Tags::new());
            Ok(json!({"EgressOnlyInternetGateway": j::ipv6::egress_only_internet_gateway(w, g)}))
        }
        R::DeleteEgressOnlyInternetGateway { id } => {
            let g = w.eigw_id(op, id)?;
            w.delete_egress_only_internet_gateway(g);
            Ok(json!({"ReturnCode": true}))
        }
        R::DisassociateVpcCidrBlock { association_id }
            if w.vpc_ipv6_association(association_id).is_some() =>
        {
            let answer = j::ipv6::vpc_disassociation_answer(w, association_id);
            w.disassociate_vpc_cidr_block(association_id)?;
            Ok(answer)
        }
        R::DisassociateVpcCidrBlock { association_id } => {
            let (vpc, cidr) = w.vpc_cidr_association(op, association_id)?;
            w.disassociate_vpc_cidr_block(association_id)?;
            Ok(json!({
                "VpcId": w[vpc].aws_id,
                "CidrBlockAssociation": {
                    "AssociationId": association_id,
                    "CidrBlock": cidr.to_string(),
                    "CidrBlockState": {"State": "disassociating"},
                },
            }))
        }
        R::InternetGateway { change, igw_id, vpc_id } => {
            let (g, v) = (w.igw_id(op, igw_id)?, w.vpc_id(op, vpc_id)?);
            match change {
                Change::Add => w.attach_internet_gateway(g, v)?,
                Change::Remove => w.detach_internet_gateway(g, v)?,
            }
            Ok(empty())
        }
        R::ModifyInstanceMetadataOptions { instance_id, endpoint, tokens } => {
            let i = w.instance_id(op, instance_id)?;
            let options = w.modify_instance_metadata_options(i, *endpoint, *tokens)?;
            Ok(json!({
                "InstanceId": instance_id,
                "InstanceMetadataOptions": j::metadata_options(options, "pending"),
            }))
        }
        R::ModifyInstanceAttribute { instance_id, change } => {
            let eni = w.only_interface(op, w.instance_id(op, instance_id)?)?;
            modify_interface(w, op, eni, change)
        }
        R::CreateNetworkInterface {
            subnet_id,
            description,
            private_ip,
            addresses,
            secondary_count,
            groups,
            tags,
        } => {
            let subnet = w.subnet_id(op, subnet_id)?;
            let groups = groups.iter().map(|g| w.sg_id(op, g)).collect::<Result<Vec<_>, _>>()?;
            let (private_ip, secondary_ips) = super::private_ip::split_addresses(op, *private_ip, addresses)?;
            let eni = w.create_network_interface(crate::ops::ec2::CreateNetworkInterface {
                subnet: Some(subnet),
                groups,
                private_ip,
                secondary_ips,
                secondary_count: *secondary_count as usize,
                description: description.clone().unwrap_or_default(),
                tags: tags.clone(),
                ..Default::default()
            })?;
            Ok(json!({"NetworkInterface": j::network_interface(w, eni)}))
        }
        R::DeleteNetworkInterface { eni_id } => {
            let eni = w.eni_id(op, eni_id)?;
            w.delete_network_interface(eni).map(|()| empty())
        }
        R::AttachNetworkInterface { eni_id, instance_id, device_index } => {
            let (eni, instance) = (w.eni_id(op, eni_id)?, w.instance_id(op, instance_id)?);
            let id = w.attach_network_interface(eni, instance, *device_index, false)?;
            Ok(json!({"AttachmentId": id, "NetworkCardIndex": 0}))
        }
        R::DetachNetworkInterface { attachment_id, .. } => {
            w.detach_network_interface(attachment_id).map(|_| empty())
        }
        R::ModifyNetworkInterfaceAttribute { eni_id, change } => {
            let eni = w.eni_id(op, eni_id)?;
            modify_interface(w, op, eni, change)
        }
        R::TerminateInstances { ids } => terminate_instances(w, op, ids),
        R::AllocateAddress => {
            let eip = w.allocate_address(Default::default());
            Ok(j::allocated_address(w, eip))
        }
        R::AssociateAddress { address, target, allow_reassociation, private_ip } => {
            let eip = eip_of(w, op, address)?;
            let eni = match (target, private_ip) {
                (InterfaceRef::Interface(id), _) => w.eni_id(op, id)?,
                (InterfaceRef::Instance(id), Some(ip)) => {
                    w.interface_holding(op, w.instance_id(op, id)?, *ip)?
                }
                (InterfaceRef::Instance(id), None) => w.only_interface(op, w.instance_id(op, id)?)?,
            };
            if !allow_reassociation && w[eip].eni.is_some_and(|e| e != eni) {
                return Err(ApiError::new(
                    op,
                    "Resource.AlreadyAssociated",
                    format!(
                        "resource {} is already associated with associate-id {}",
                        w[eip].allocation_id,
                        w[eip].association_id.clone().unwrap_or_default()
                    ),
                ));
            }
            let assoc = w.associate_address_with(eip, eni, *private_ip)?;
            Ok(json!({"AssociationId": assoc}))
        }
        R::DisassociateAddress { association } => {
            let eip = match association {
                AssociationRef::Association(a) => w
                    .eips()
                    .iter()
                    .find(|(_, e)| e.association_id.as_deref() == Some(a))
                    .map(|(i, _)| i)
                    .ok_or_else(|| {
                        ApiError::new(
                            op,
                            "InvalidAssociationID.NotFound",
                            format!("The association ID '{a}' does not exist"),
                        )
                    })?,
                AssociationRef::PublicIp(ip) => eip_of(w, op, &AddressRef::PublicIp(ip.clone()))?,
            };
            w.disassociate_address(eip);
            Ok(empty())
        }
        R::ReleaseAddress { address } => {
            let eip = eip_of(w, op, address)?;
            w.release_address(eip).map(|()| empty())
        }
        R::CreateNetworkAclEntry { acl_id, number, direction, protocol, allow, cidr, ports, icmp } => {
            let acl = w.nacl_id(op, acl_id)?;
            match cidr {
                AclCidr::V4(cidr) => {
                    let entry =
                        AclEntry { icmp: *icmp, ..acl_entry(*number, *protocol, *ports, *cidr, *allow) };
                    w.create_network_acl_entry(acl, *direction, entry)?;
                }
                AclCidr::V6(cidr) => {
                    let action = if *allow { Action::Allow } else { Action::Deny };
                    let (number, protocol, ports, icmp, cidr) = (*number, *protocol, *ports, *icmp, *cidr);
                    let entry = Ipv6AclEntry { number, protocol, ports, icmp, cidr, action };
                    w.create_ipv6_network_acl_entry(acl, *direction, entry)?;
                }
            }
            Ok(empty())
        }
        R::DeleteNetworkAclEntry { acl_id, number, direction } => {
            let acl = w.nacl_id(op, acl_id)?;
            w.delete_network_acl_entry(acl, *direction, *number).map(|()| empty())
        }
        _ => Err(ApiError::new(op, "UnsupportedOperation", format!("vpcsim does not simulate {op}"))),
    }
}

/// Authorize or revoke: the group and every peer group are resolved, then one op takes all permissions.
fn security_group_rules(
    w: &mut World,
    op: &str,
    change: Change,
    direction: Direction,
    group: &GroupRef,
    permissions: &[PermissionSpec],
) -> Answer {
    let sg =
        match group {
            GroupRef::Id(id) => w.sg_id(op, id)?,
            GroupRef::Name(_) => return Err(ApiError::new(
                op,
                "VPCIdNotSpecified",
                "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
            )),
        };
    let mut perms = Vec::new();
    for p in permissions {
        let peer = match &p.peer {
            PeerRef::Cidr(c) => Peer::Cidr(*c),
            PeerRef::Group(g) => Peer::Group(w.sg_id(op, g)?),
            PeerRef::PrefixList(id) => Peer::PrefixList(w.prefix_list_id(op, id)?),
        };
        perms.push(Permission {
            protocol: p.protocol,
            ports: p.ports,
            peer,
            description: p.description.clone(),
        });
    }
    match change {
        Change::Add => w.authorize_security_group(sg, direction, &perms)?,
        Change::Remove => w.revoke_security_group(sg, direction, &perms)?,
    }
    Ok(json!({"Return": true}))
}

/// The groups are checked (by the op) before the source/destination check changes.
fn modify_interface(w: &mut World, op: &str, eni: EniId, change: &InstanceChange) -> Answer {
    let mut groups = Vec::new();
    for g in &change.groups {
        groups.push(w.sg_id(op, g)?);
    }
    if !groups.is_empty() {
        w.set_groups(eni, &groups)?;
    }
    if let Some(on) = change.source_dest_check {
        w.set_source_dest_check(eni, on);
    }
    Ok(empty())
}

/// Every id is resolved before the first instance is terminated.
fn terminate_instances(w: &mut World, op: &str, ids: &[String]) -> Answer {
    let mut found = Vec::new();
    for id in ids {
        found.push((id, w.instance_id(op, id)?));
    }
    let mut out = Vec::new();
    for (id, i) in found {
        let before = w.instance(i).state;
        w.terminate_instance(i);
        w.replace_in_auto_scaling_group(i)?;
        let after = w.instance(i).state;
        out.push(json!({
            "InstanceId": id,
            "CurrentState": {"Code": after.code(), "Name": after.as_str()},
            "PreviousState": {"Code": before.code(), "Name": before.as_str()},
        }));
    }
    Ok(json!({"TerminatingInstances": out}))
}

fn eip_of(w: &World, op: &str, address: &AddressRef) -> Result<EipId, ApiError> {
    match address {
        AddressRef::Allocation(id) => w.eip_id(op, id),
        AddressRef::PublicIp(ip) => w
            .eips()
            .iter()
            .find(|(_, e)| !e.released && e.public_ip.to_string() == *ip)
            .map(|(i, _)| i)
            .ok_or_else(|| {
                ApiError::new(op, "InvalidAddress.NotFound", format!("Address '{ip}' not found."))
            }),
    }
}
