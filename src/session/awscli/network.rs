//! `aws ec2` calls that build a network by hand: create, modify and delete VPCs,
//! subnets, security groups, route tables (and their associations), internet gateways
//! and network ACLs. Each resolves every id it names, then calls one op that validates
//! before it commits; the answer is the CLI's JSON, the resource as the matching
//! describe call lists it.

use serde_json::{json, Value};

use super::{empty, Answer};
use crate::command::aws::request::NetworkRequest;
use crate::describe as j;
use crate::ops::security::nacl_association_id;
use crate::ops::vpc::{CreateSubnet, CreateVpc};
use crate::world::World;

/// Runs one network-building call.
pub(super) fn run(w: &mut World, op: &str, request: &NetworkRequest) -> Answer {
    use NetworkRequest as N;
    match request {
        N::CreateVpc { cidr, tags } => {
            let vpc =
                w.create_vpc(CreateVpc { cidr: Some(*cidr), tags: tags.clone(), ..Default::default() })?;
            Ok(json!({"Vpc": listed(j::vpcs(w), "Vpcs", "VpcId", &w[vpc].aws_id)}))
        }
        N::DeleteVpc { vpc_id } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            w.delete_vpc(vpc).map(|()| empty())
        }
        N::ModifyVpcAttribute { vpc_id, dns_support, dns_hostnames } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            w.modify_vpc_dns(vpc, *dns_support, *dns_hostnames);
            Ok(empty())
        }
        N::CreateSubnet { vpc_id, cidr, az, tags } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let req = CreateSubnet {
                vpc: Some(vpc),
                cidr: Some(*cidr),
                az: az.clone(),
                tags: tags.clone(),
                ..Default::default()
            };
            let subnet = w.create_subnet(req)?;
            Ok(json!({"Subnet": listed(j::subnets(w), "Subnets", "SubnetId", &w[subnet].aws_id)}))
        }
        N::DeleteSubnet { subnet_id } => {
            let subnet = w.subnet_id(op, subnet_id)?;
            w.delete_subnet(subnet).map(|()| empty())
        }
        N::ModifySubnetAttribute { subnet_id, map_public_ip_on_launch } => {
            let subnet = w.subnet_id(op, subnet_id)?;
            w.modify_subnet_map_public_ip(subnet, *map_public_ip_on_launch);
            Ok(empty())
        }
        N::CreateSecurityGroup { name, description, vpc_id, tags } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let sg = w.create_security_group(vpc, name, description, tags.clone())?;
            let g = &w[sg];
            let mut answer = json!({"GroupId": g.aws_id});
            if !g.tags.is_empty() {
                answer["Tags"] = j::tags(&g.tags);
            }
            answer["SecurityGroupArn"] = json!(format!(
                "arn:aws:ec2:{}:{}:security-group/{}",
                w.region().name,
                w.account_id(),
                g.aws_id
            ));
            Ok(answer)
        }
        N::DeleteSecurityGroup { group_id } => {
            let sg = w.sg_id(op, group_id)?;
            w.delete_security_group(sg)?;
            Ok(json!({"Return": true, "GroupId": group_id}))
        }
        N::CreateRouteTable { vpc_id, tags } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let rt = w.create_route_table(vpc, tags.clone());
            let table = listed(j::route_tables(w), "RouteTables", "RouteTableId", &w[rt].aws_id);
            Ok(json!({"RouteTable": table, "ClientToken": ""}))
        }
        N::AssociateRouteTable { route_table_id, subnet_id } => {
            let (rt, subnet) = (w.route_table_id(op, route_table_id)?, w.subnet_id(op, subnet_id)?);
            let association = w.associate_route_table(rt, subnet)?;
            Ok(json!({"AssociationId": association, "AssociationState": {"State": "associated"}}))
        }
        N::DisassociateRouteTable { association_id } => {
            let subnet = w.route_table_association(op, association_id)?;
            w.disassociate_route_table(subnet);
            Ok(empty())
        }
        N::DeleteRouteTable { route_table_id } => {
            let rt = w.route_table_id(op, route_table_id)?;
            w.delete_route_table(rt).map(|()| empty())
        }
        N::CreateInternetGateway { tags } => {
            let igw = w.create_internet_gateway(tags.clone());
            let g = listed(j::internet_gateways(w), "InternetGateways", "InternetGatewayId", &w[igw].aws_id);
            Ok(json!({"InternetGateway": g}))
        }
        N::DeleteInternetGateway { igw_id } => {
            let igw = w.igw_id(op, igw_id)?;
            w.delete_internet_gateway(igw).map(|()| empty())
        }
        N::CreateNetworkAcl { vpc_id, tags } => {
            let vpc = w.vpc_id(op, vpc_id)?;
            let acl = w.create_network_acl(vpc, tags.clone());
            Ok(json!({"NetworkAcl": network_acl(w, acl), "ClientToken": ""}))
        }
        N::ReplaceNetworkAclAssociation { association_id, acl_id } => {
            let (subnet, acl) = (w.network_acl_association(op, association_id)?, w.nacl_id(op, acl_id)?);
            w.associate_network_acl(acl, subnet)?;
            Ok(json!({"NewAssociationId": nacl_association_id(&w[subnet].aws_id)}))
        }
        N::DeleteNetworkAcl { acl_id } => {
            let acl = w.nacl_id(op, acl_id)?;
            w.delete_network_acl(acl).map(|()| empty())
        }
    }
}

/// The item of a describe document's `key` list whose `id_field` is `id`.
fn listed(mut doc: Value, key: &str, id_field: &str, id: &str) -> Value {
    let items = doc[key].as_array_mut().map(std::mem::take).unwrap_or_default();
    items.into_iter().find(|item| item[id_field] == id).unwrap_or_else(empty)
}

/// A new network ACL as create-network-acl prints it: no subnets, and only the rules
/// numbered `*` that deny what no entry allows (N2).
fn network_acl(w: &World, acl: crate::ids::NaclId) -> Value {
    let n = &w[acl];
    let deny_all = |egress: bool| json!({"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767});
    json!({
        "Associations": [],
        "Entries": [deny_all(true), deny_all(false)],
        "IsDefault": n.is_default,
        "NetworkAclId": n.aws_id,
        "Tags": j::tags(&n.tags),
        "VpcId": w[n.vpc].aws_id,
        "OwnerId": w.account_id(),
    })
}
