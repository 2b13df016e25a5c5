//! Dual-stack resources and properties from templates (A8): `AmazonProvidedIpv6CidrBlock`
//! on `AWS::EC2::VPCCidrBlock`, a subnet's `Ipv6CidrBlock`, egress-only internet gateways,
//! `DestinationIpv6CidrBlock` routes, NACL entries' `Ipv6CidrBlock` and security group
//! rules' `CidrIpv6`. Each is kept as AWS keeps it and described; the stack gets one
//! warning naming them, since vpcsim simulates IPv4 flows only.

use ipnet::Ipv6Net;

use crate::addr::{PortRange, RuleProtocol};
use crate::cfn::{AttrValue, AttributeUpdate, Created, SinkError, SinkWarning};
use crate::ids::{NaclId, RouteTableId, SgId, SubnetId, VpcId};
use crate::model::ipv6::Ipv6AclEntry;
use crate::model::nacl::{Action, IcmpTypeCode};
use crate::ops::vpc::RouteTargetSpec;
use crate::trace::Direction;

use super::ec2::{route_target, ROUTE_TARGETS};
use super::props::{bad, Props};
use super::{api, created, s, StackBuilder};

/// The start of the stack's one IPv6 warning, which [`finish_warning`] completes.
const WARNING: &str = "vpcsim simulates IPv4 flows only";

/// One IPv6 permission of a security group rule: protocol, ports, block, description.
pub(super) type Ipv6Permission = (RuleProtocol, PortRange, Ipv6Net, Option<String>);

impl StackBuilder<'_> {
    /// A8: records that `logical_id` holds IPv6 state; the first one carries the stack's
    /// warning, at `property`.
    pub(super) fn note_ipv6(&mut self, logical_id: &str, property: &str) {
        if self.ipv6.iter().any(|id| id == logical_id) {
            return;
        }
        if self.ipv6.is_empty() {
            self.warnings.push(SinkWarning { property: property.to_string(), message: WARNING.to_string() });
        }
        self.ipv6.push(logical_id.to_string());
    }

    /// AWS::EC2::VPCCidrBlock with `AmazonProvidedIpv6CidrBlock: true` (A8): a /56 for the
    /// VPC; `Ref` is the association id, and the VPC's `Ipv6CidrBlocks` now lists the block.
    pub(super) fn vpc_ipv6_block(
        &mut self,
        logical_id: &str,
        vpc: VpcId,
        p: &Props<'_>,
    ) -> Result<Created, SinkError> {
        if p.get("CidrBlock").is_some() {
            return Err(bad(
                "AmazonProvidedIpv6CidrBlock",
                "give CidrBlock or AmazonProvidedIpv6CidrBlock, not both (InvalidParameterCombination)",
            ));
        }
        let id = self
            .world
            .associate_vpc_ipv6_cidr_block(vpc)
            .map_err(|e| api(e, Some("AmazonProvidedIpv6CidrBlock")))?;
        let v = &self.world[vpc];
        let blocks: Vec<String> = v.ipv6_cidrs.iter().map(|a| a.cidr.to_string()).collect();
        let block = v.ipv6_cidrs.iter().find(|a| a.association_id == id).map(|a| a.cidr.to_string());
        self.attribute_updates.push(AttributeUpdate {
            physical_id: v.aws_id.clone(),
            attribute: "Ipv6CidrBlocks".into(),
            value: AttrValue::List(blocks),
        });
        self.note_ipv6(logical_id, "AmazonProvidedIpv6CidrBlock");
        Ok(created(
            id.clone(),
            &[
                ("Id", s(&id)),
                ("Ipv6CidrBlock", s(block.unwrap_or_default())),
                ("IpSource", s("amazon")),
                ("Ipv6AddressAttribute", s("public")),
            ],
        ))
    }

    /// A8: a subnet's `Ipv6CidrBlock`, checked before the subnet is created.
    pub(super) fn subnet_ipv6_block(&self, vpc: VpcId, p: &Props<'_>) -> Result<Option<Ipv6Net>, SinkError> {
        let Some(cidr) = p.opt_ipv6_cidr("Ipv6CidrBlock")? else { return Ok(None) };
        self.world
            .check_subnet_ipv6_cidr("CreateSubnet", vpc, cidr)
            .map_err(|e| api(e, Some("Ipv6CidrBlock")))?;
        Ok(Some(cidr))
    }

    /// A8: the created subnet's /64 and `AssignIpv6AddressOnCreation`; its
    /// `Ipv6CidrBlocks` attribute.
    pub(super) fn subnet_ipv6(
        &mut self,
        logical_id: &str,
        subnet: SubnetId,
        cidr: Option<Ipv6Net>,
        p: &Props<'_>,
    ) -> Result<AttrValue, SinkError> {
        if let Some(cidr) = cidr {
            self.world
                .associate_subnet_ipv6_cidr_block(subnet, cidr)
                .map_err(|e| api(e, Some("Ipv6CidrBlock")))?;
            self.note_ipv6(logical_id, "Ipv6CidrBlock");
        }
        if let Some(on) = p.opt_bool("AssignIpv6AddressOnCreation")? {
            self.world
                .modify_subnet_assign_ipv6(subnet, on)
                .map_err(|e| api(e, Some("AssignIpv6AddressOnCreation")))?;
        }
        Ok(AttrValue::List(cidr.iter().map(ToString::to_string).collect()))
    }

    /// AWS::EC2::SubnetCidrBlock (A8): a /64 for an existing subnet; `Ref` and `Id` are
    /// the association id.
    pub(crate) fn subnet_cidr_block(&mut self, logical_id: &str, p: Props<'_>) -> Result<Created, SinkError> {
        let subnet = self.lookup(&p, "SubnetId", |w, id| w.subnet_id("AssociateSubnetCidrBlock", id))?;
        let cidr = p
            .opt_ipv6_cidr("Ipv6CidrBlock")?
            .ok_or_else(|| bad("Ipv6CidrBlock", "required property Ipv6CidrBlock is missing"))?;
        let id = self
            .world
            .associate_subnet_ipv6_cidr_block(subnet, cidr)
            .map_err(|e| api(e, Some("Ipv6CidrBlock")))?;
        self.note_ipv6(logical_id, "Ipv6CidrBlock");
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    /// AWS::EC2::EgressOnlyInternetGateway (A8): `Ref` and `Id` are its `eigw-` id.
    pub(crate) fn egress_only_internet_gateway(
        &mut self,
        logical_id: &str,
        p: Props<'_>,
    ) -> Result<Created, SinkError> {
        let vpc = self.lookup(&p, "VpcId", |w, id| w.vpc_id("CreateEgressOnlyInternetGateway", id))?;
        let g = self.world.create_egress_only_internet_gateway(vpc, crate::model::Tags::new());
        self.note_ipv6(logical_id, "VpcId");
        let id = self.world[g].aws_id.clone();
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    /// AWS::EC2::Route with `DestinationIpv6CidrBlock` (A8, R4).
    pub(super) fn ipv6_route(
        &mut self,
        logical_id: &str,
        table: RouteTableId,
        destination: Ipv6Net,
        p: &Props<'_>,
    ) -> Result<Created, SinkError> {
        if p.get("DestinationCidrBlock").is_some() || p.get("DestinationPrefixListId").is_some() {
            return Err(bad(
                "DestinationIpv6CidrBlock",
                "give one of DestinationCidrBlock, DestinationIpv6CidrBlock and DestinationPrefixListId",
            ));
        }
        let mut targets = ROUTE_TARGETS.to_vec();
        targets.push(("EgressOnlyInternetGatewayId", RouteTargetSpec::EgressOnlyInternetGateway));
        let (key, spec) = route_target(
            p,
            &targets,
            "DestinationIpv6CidrBlock",
            "add GatewayId, EgressOnlyInternetGatewayId, InstanceId, NetworkInterfaceId or VpcPeeringConnectionId",
        )?;
        self.world.create_ipv6_route(table, destination, &spec).map_err(|e| api(e, Some(key)))?;
        self.note_ipv6(logical_id, "DestinationIpv6CidrBlock");
        Ok(created(format!("{}_{destination}", self.world[table].aws_id), &[]))
    }

    /// AWS::EC2::NetworkAclEntry with `Ipv6CidrBlock` (A8, N1).
    pub(super) fn ipv6_acl_entry(
        &mut self,
        logical_id: &str,
        acl: NaclId,
        dir: Direction,
        cidr: Ipv6Net,
        (number, protocol, ports, icmp): (u16, RuleProtocol, PortRange, IcmpTypeCode),
        allow: bool,
    ) -> Result<Created, SinkError> {
        let action = if allow { Action::Allow } else { Action::Deny };
        let entry = Ipv6AclEntry { number, protocol, ports, icmp, cidr, action };
        self.world.create_ipv6_network_acl_entry(acl, dir, entry).map_err(|e| api(e, Some("RuleNumber")))?;
        self.note_ipv6(logical_id, "Ipv6CidrBlock");
        Ok(created(format!("{}-{}-{number}", self.world[acl].aws_id, dir), &[]))
    }

    /// Security group rules with `CidrIpv6` (A8), kept beside the group's IPv4 rules.
    pub(super) fn ipv6_permissions(
        &mut self,
        logical_id: &str,
        sg: SgId,
        dir: Direction,
        perms: &[Ipv6Permission],
        property: &str,
    ) -> Result<(), SinkError> {
        if perms.is_empty() {
            return Ok(());
        }
        self.world.authorize_security_group_ipv6(sg, dir, perms).map_err(|e| api(e, Some(property)))?;
        self.note_ipv6(logical_id, property);
        Ok(())
    }
}

/// A8: the stack's IPv6 warning, completed with every resource that holds IPv6 state.
pub(super) fn finish_warning(stack: &mut crate::cfn::Stack, ipv6: &[String]) {
    if ipv6.is_empty() {
        return;
    }
    if let Some(w) = stack.warnings.iter_mut().find(|w| w.message == WARNING) {
        w.message = format!(
            "{WARNING}: the IPv6 blocks, gateways, routes, network ACL entries and security group rules of {} are kept and described; no IPv6 flow is simulated",
            ipv6.join(", ")
        );
    }
}
