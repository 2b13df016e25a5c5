//! Dual-stack control plane (A8): an Amazon-provided IPv6 /56 for a VPC
//! (`AssociateVpcCidrBlock --amazon-provided-ipv6-cidr-block`), a /64 for a subnet
//! (`AssociateSubnetCidrBlock`), egress-only internet gateways, IPv6 routes, IPv6 network
//! ACL entries and security group rules with an IPv6 peer. Each call checks what AWS
//! checks, then commits. What they create is kept and described; vpcsim simulates IPv4
//! flows only, so no packet walk, trace or reachability matrix reads any of it.

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;

use super::vpc::RouteTargetSpec;
use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eigw::EgressOnlyInternetGateway;
use crate::model::ipv6::{self, Ipv6AclEntry, Ipv6Association, Ipv6Route, Ipv6Rule, Ipv6Target};
use crate::model::nacl::Action;
use crate::model::route_table::RouteTarget;
use crate::model::vpc::Vpc;
use crate::model::Tags;
use crate::quota::Quota;
use crate::trace::Direction;
use crate::world::{Handle, World};

/// A8: the range vpcsim draws Amazon-provided VPC blocks from: Amazon's 2600:1f00::/24
/// (ARIN), where AWS's regional VPC pools lie.
pub const AMAZON_POOL: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x2600, 0x1f00, 0, 0, 0, 0, 0, 0), 24);

/// A8: the prefix AWS's NAT64 translates (RFC 6052); the only IPv6 destinations a NAT
/// gateway may be the target of.
pub const NAT64_PREFIX: Ipv6Net = Ipv6Net::new_assert(Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96);

/// A8: how many IPv6 blocks a VPC may hold (AWS's quota, not adjustable).
pub const IPV6_BLOCKS_PER_VPC: usize = 5;

/// A8: the rule number of the entries that allow all IPv6 traffic in a default NACL.
pub const DEFAULT_IPV6_RULE_NUMBER: u16 = 101;

impl World {
    /// AssociateVpcCidrBlock with `--amazon-provided-ipv6-cidr-block` (A8): a /56 from
    /// Amazon's pool, drawn from the seeded stream, with its local route in every table of
    /// the VPC, and the default NACL's rule 101 allowing all IPv6 both ways and the default
    /// group's outbound rule to `::/0` (what AWS adds); returns the association id.
    pub fn associate_vpc_ipv6_cidr_block(&mut self, vpc: VpcId) -> ApiResult<String> {
        const OP: &str = "AssociateVpcCidrBlock";
        let v = &self.vpcs[vpc];
        if v.ipv6_cidrs.len() >= IPV6_BLOCKS_PER_VPC {
            return Err(ApiError::new(
                OP,
                "CidrLimitExceeded",
                format!(
                    "This network '{}' has met its maximum number of allowed CIDRs: {IPV6_BLOCKS_PER_VPC}",
                    v.aws_id
                ),
            ));
        }
        let cidr = self.draw_amazon_block();
        let association_id = self.ids.aws_id("vpc-cidr-assoc");
        let tables: Vec<RouteTableId> =
            self.route_tables.live().filter(|(_, t)| t.vpc == vpc).map(|(id, _)| id).collect();
        for t in tables {
            let local =
                Ipv6Route { destination: cidr, target: Ipv6Target::Route(RouteTarget::Local), local: true };
            let routes = &mut self.route_tables[t].ipv6_routes;
            let at = routes.iter().take_while(|r| r.local).count();
            routes.insert(at, local);
        }
        let acl = self.vpcs[vpc].default_nacl;
        let n = &mut self.nacls[acl];
        for entries in [&mut n.ipv6_ingress, &mut n.ipv6_egress] {
            if !entries.iter().any(|e| e.number == DEFAULT_IPV6_RULE_NUMBER) {
                let at = entries.partition_point(|e| e.number < DEFAULT_IPV6_RULE_NUMBER);
                entries.insert(at, allow_all_ipv6(DEFAULT_IPV6_RULE_NUMBER));
            }
        }
        let sg = self.vpcs[vpc].default_sg;
        if self.sgs[sg].ipv6_egress.is_empty() {
            let rule = self.ipv6_rule(ipv6::ANY);
            self.sgs[sg].ipv6_egress.push(rule);
        }
        self.vpcs[vpc].ipv6_cidrs.push(Ipv6Association { association_id: association_id.clone(), cidr });
        Ok(association_id)
    }

    /// A /56 of Amazon's pool that no VPC holds, from the seeded stream.
    fn draw_amazon_block(&mut self) -> Ipv6Net {
        loop {
            let bits = u128::from(self.ids.next_u64() as u32) << (128 - 56);
            let base = u128::from(AMAZON_POOL.network()) | bits;
            let cidr = Ipv6Net::new_assert(Ipv6Addr::from(base), 56);
            if !self.vpcs.iter().any(|(_, v)| v.ipv6_cidrs.iter().any(|a| a.cidr == cidr)) {
                return cidr;
            }
        }
    }

    /// The VPC holding the IPv6 block of this association id, and the block.
    pub fn vpc_ipv6_association(&self, association_id: &str) -> Option<(VpcId, Ipv6Net)> {
        self.vpcs.live().find_map(|(id, v)| {
            v.ipv6_cidrs.iter().find(|a| a.association_id == association_id).map(|a| (id, a.cidr))
        })
    }

    /// DisassociateVpcCidrBlock for an IPv6 block (A8): refused while a subnet holds a /64
    /// of it; its local routes go with it.
    pub fn disassociate_vpc_ipv6_cidr_block(&mut self, association_id: &str) -> ApiResult<()> {
        const OP: &str = "DisassociateVpcCidrBlock";
        let Some((vpc, cidr)) = self.vpc_ipv6_association(association_id) else {
            return Err(ApiError::new(
                OP,
                "InvalidVpcCidrBlockAssociationID.NotFound",
                format!("The vpc CIDR block association ID '{association_id}' does not exist"),
            ));
        };
        let user =
            self.subnets_in(vpc).find(|s| s.ipv6_cidr.as_ref().is_some_and(|a| cidr.contains(&a.cidr)));
        if let Some(s) = user {
            return Err(ApiError::new(
                OP,
                "InvalidCidrBlock.InUse",
                format!(
                    "The vpc CIDR block {cidr} ({association_id}) cannot be disassociated: subnet {} uses it.",
                    s.aws_id
                ),
            ));
        }
        let tables: Vec<RouteTableId> =
            self.route_tables.live().filter(|(_, t)| t.vpc == vpc).map(|(id, _)| id).collect();
        for t in tables {
            self.route_tables[t].ipv6_routes.retain(|r| !(r.local && r.destination == cidr));
        }
        self.vpcs[vpc].ipv6_cidrs.retain(|a| a.association_id != association_id);
        Ok(())
    }

    /// A8: a subnet's IPv6 block as CreateSubnet and AssociateSubnetCidrBlock check it: a
    /// /64, inside one of the VPC's IPv6 blocks, overlapping no other subnet's.
    pub fn check_subnet_ipv6_cidr(&self, op: &str, vpc: VpcId, cidr: Ipv6Net) -> ApiResult<()> {
        let v = &self.vpcs[vpc];
        if cidr.prefix_len() != 64 {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!("The IPv6 CIDR '{cidr}' is invalid: a subnet's IPv6 CIDR block must be a /64."),
            ));
        }
        if !v.ipv6_cidrs.iter().any(|a| a.cidr.contains(&cidr)) {
            return Err(ApiError::new(op, "InvalidSubnet.Range", outside_vpc(v, cidr)));
        }
        let other = self.subnets_in(vpc).find(|s| s.ipv6_cidr.as_ref().is_some_and(|a| a.cidr == cidr));
        if let Some(s) = other {
            return Err(ApiError::new(
                op,
                "InvalidSubnet.Conflict",
                format!("The CIDR '{cidr}' conflicts with another subnet ({} {cidr}).", s.aws_id),
            ));
        }
        Ok(())
    }

    /// AssociateSubnetCidrBlock (A8): the subnet's /64, checked as
    /// [`World::check_subnet_ipv6_cidr`] says; one per subnet. Returns the association id.
    pub fn associate_subnet_ipv6_cidr_block(&mut self, subnet: SubnetId, cidr: Ipv6Net) -> ApiResult<String> {
        const OP: &str = "AssociateSubnetCidrBlock";
        let s = &self.subnets[subnet];
        if let Some(a) = &s.ipv6_cidr {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("The subnet '{}' already has the IPv6 CIDR block {}.", s.aws_id, a.cidr),
            ));
        }
        self.check_subnet_ipv6_cidr(OP, s.vpc, cidr)?;
        let association_id = self.ids.aws_id("subnet-cidr-assoc");
        self.subnets[subnet].ipv6_cidr =
            Some(Ipv6Association { association_id: association_id.clone(), cidr });
        Ok(association_id)
    }

    /// DisassociateSubnetCidrBlock (A8): the subnet keeps no IPv6 block, nor assigns one.
    /// An unknown association id changes nothing (its subnet is gone).
    pub fn disassociate_subnet_ipv6_cidr_block(&mut self, association_id: &str) {
        let found = self
            .subnets
            .live()
            .find(|(_, s)| s.ipv6_cidr.as_ref().is_some_and(|a| a.association_id == association_id))
            .map(|(id, _)| id);
        if let Some(id) = found {
            let s = &mut self.subnets[id];
            s.ipv6_cidr = None;
            s.assign_ipv6_on_creation = false;
        }
    }

    /// ModifySubnetAttribute `--assign-ipv6-address-on-creation` (A8): refused for a
    /// subnet without an IPv6 block; kept and described.
    pub fn modify_subnet_assign_ipv6(&mut self, subnet: SubnetId, on: bool) -> ApiResult<()> {
        let s = &self.subnets[subnet];
        if on && s.ipv6_cidr.is_none() {
            return Err(ApiError::new(
                "ModifySubnetAttribute",
                "InvalidParameterValue",
                format!(
                    "Invalid value 'true' for assignIpv6AddressOnCreation: subnet '{}' has no IPv6 CIDR block.",
                    s.aws_id
                ),
            ));
        }
        self.subnets[subnet].assign_ipv6_on_creation = on;
        Ok(())
    }

    /// CreateEgressOnlyInternetGateway (A8): attached to its VPC from the start.
    pub fn create_egress_only_internet_gateway(&mut self, vpc: VpcId, tags: Tags) -> EigwId {
        let id = EigwId(self.eigws.len() as u32);
        let aws_id = self.ids.aws_id("eigw");
        self.eigws.insert(
            &mut self.by_aws_id,
            Handle::Eigw,
            EgressOnlyInternetGateway { aws_id, vpc, tags, deleted: false },
        );
        id
    }

    /// DeleteEgressOnlyInternetGateway (A8): the routes to it stay, as blackholes (R5).
    pub fn delete_egress_only_internet_gateway(&mut self, eigw: EigwId) {
        self.eigws[eigw].deleted = true;
    }

    /// CreateRoute with `--destination-ipv6-cidr-block` (A8, R4): to an attached internet
    /// gateway, an egress-only gateway of the VPC, an interface, an instance, a peering or
    /// a transit gateway; to a NAT gateway only inside 64:ff9b::/96 (NAT64).
    pub fn create_ipv6_route(
        &mut self,
        table: RouteTableId,
        destination: Ipv6Net,
        spec: &RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "CreateRoute";
        let target = self.resolve_ipv6_target(OP, table, destination, spec)?;
        let rt = &self.route_tables[table];
        if rt.ipv6_routes.iter().any(|r| r.destination == destination) {
            return Err(ApiError::new(
                OP,
                "RouteAlreadyExists",
                format!("The route identified by {destination} already exists in {}.", rt.aws_id),
            ));
        }
        let own = rt.ipv6_routes.iter().filter(|r| !r.local).count();
        self.quotas.check(Quota::RoutesPerTable, OP, own + 1)?;
        self.route_tables[table].ipv6_routes.push(Ipv6Route { destination, target, local: false });
        Ok(())
    }

    /// R4 for an IPv6 route's target (A8).
    fn resolve_ipv6_target(
        &self,
        op: &str,
        table: RouteTableId,
        destination: Ipv6Net,
        spec: &RouteTargetSpec,
    ) -> ApiResult<Ipv6Target> {
        let rt = &self.route_tables[table];
        match spec {
            RouteTargetSpec::EgressOnlyInternetGateway(id) => {
                let g = self.eigw_id(op, id)?;
                if self.eigws[g].vpc != rt.vpc {
                    return Err(ApiError::new(
                        op,
                        "InvalidParameterValue",
                        format!("route table {} and network gateway {id} belong to different networks", rt.aws_id),
                    ));
                }
                Ok(Ipv6Target::EgressOnly(g))
            }
            RouteTargetSpec::NatGateway(id) if !NAT64_PREFIX.contains(&destination) => {
                Err(ApiError::new(
                    op,
                    "InvalidParameterValue",
                    format!("The IPv6 destination {destination} cannot be routed to NAT gateway {id}: a NAT gateway takes IPv6 traffic only for NAT64, to destinations inside {NAT64_PREFIX}."),
                ))
            }
            RouteTargetSpec::Gateway(id) if id == "local" => Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!("The route {destination} cannot target local in {}: a VPC's local routes come with its blocks.", rt.aws_id),
            )),
            spec => Ok(Ipv6Target::Route(self.resolve_target(op, table, spec)?)),
        }
    }

    /// ReplaceRoute with `--destination-ipv6-cidr-block` (A8): a new target for an
    /// existing IPv6 route other than a local one.
    pub fn replace_ipv6_route(
        &mut self,
        table: RouteTableId,
        destination: Ipv6Net,
        spec: &RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "ReplaceRoute";
        let target = self.resolve_ipv6_target(OP, table, destination, spec)?;
        let rt = &self.route_tables[table];
        let Some(pos) = rt.ipv6_routes.iter().position(|r| r.destination == destination && !r.local) else {
            return Err(ApiError::new(
                OP,
                "InvalidRoute.NotFound",
                format!(
                    "no route with destination-ipv6-cidr-block {destination} in route table {}",
                    rt.aws_id
                ),
            ));
        };
        self.route_tables[table].ipv6_routes[pos].target = target;
        Ok(())
    }

    /// DeleteRoute with `--destination-ipv6-cidr-block` (A8): any IPv6 route but a local one.
    pub fn delete_ipv6_route(&mut self, table: RouteTableId, destination: Ipv6Net) -> ApiResult<()> {
        const OP: &str = "DeleteRoute";
        let rt = &self.route_tables[table];
        let Some(pos) = rt.ipv6_routes.iter().position(|r| r.destination == destination) else {
            return Err(ApiError::new(
                OP,
                "InvalidRoute.NotFound",
                format!(
                    "no route with destination-ipv6-cidr-block {destination} in route table {}",
                    rt.aws_id
                ),
            ));
        };
        if rt.ipv6_routes[pos].local {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("cannot remove local route {destination} in route table {}", rt.aws_id),
            ));
        }
        self.route_tables[table].ipv6_routes.remove(pos);
        Ok(())
    }

    /// R5 for an IPv6 route: whether its target still exists.
    pub fn ipv6_route_is_active(&self, table: RouteTableId, target: &Ipv6Target) -> bool {
        match target {
            Ipv6Target::Route(t) => self.route_is_active(table, t),
            Ipv6Target::EgressOnly(g) => !self.eigws[*g].deleted,
        }
    }

    /// The field describe-route-tables names an IPv6 route's target under, and its id.
    pub fn ipv6_route_target_id(&self, target: &Ipv6Target) -> String {
        match target {
            Ipv6Target::Route(t) => self.route_target_id(t),
            Ipv6Target::EgressOnly(g) => self.eigws[*g].aws_id.clone(),
        }
    }

    /// CreateNetworkAclEntry with `--ipv6-cidr-block` (A8, N1): rule numbers are shared
    /// with the IPv4 entries of the same direction; the quota counts each family apart.
    pub fn create_ipv6_network_acl_entry(
        &mut self,
        acl: NaclId,
        direction: Direction,
        entry: Ipv6AclEntry,
    ) -> ApiResult<()> {
        const OP: &str = "CreateNetworkAclEntry";
        super::security::rule_number(OP, entry.number)?;
        let n = &self.nacls[acl];
        let (v4, v6) = match direction {
            Direction::Ingress => (&n.ingress, &n.ipv6_ingress),
            Direction::Egress => (&n.egress, &n.ipv6_egress),
        };
        if v4.iter().any(|e| e.number == entry.number) || v6.iter().any(|e| e.number == entry.number) {
            return Err(ApiError::new(
                OP,
                "NetworkAclEntryAlreadyExists",
                format!(
                    "The network acl entry identified by {} already exists in {}.",
                    entry.number, n.aws_id
                ),
            ));
        }
        self.quotas.check(Quota::NaclRulesPerDirection, OP, v6.len() + 1)?;
        let n = &mut self.nacls[acl];
        let entries = match direction {
            Direction::Ingress => &mut n.ipv6_ingress,
            Direction::Egress => &mut n.ipv6_egress,
        };
        let at = entries.partition_point(|e| e.number < entry.number);
        entries.insert(at, entry);
        Ok(())
    }

    /// AuthorizeSecurityGroupIngress / Egress with `Ipv6Ranges` (A8): duplicates refused,
    /// as for IPv4; the rules are kept and described. The quota counts each family apart.
    pub fn authorize_security_group_ipv6(
        &mut self,
        sg: SgId,
        direction: Direction,
        perms: &[(crate::addr::RuleProtocol, crate::addr::PortRange, Ipv6Net, Option<String>)],
    ) -> ApiResult<()> {
        let op = match direction {
            Direction::Ingress => "AuthorizeSecurityGroupIngress",
            Direction::Egress => "AuthorizeSecurityGroupEgress",
        };
        let g = &self.sgs[sg];
        let existing = match direction {
            Direction::Ingress => &g.ipv6_ingress,
            Direction::Egress => &g.ipv6_egress,
        };
        let mut rules: Vec<Ipv6Rule> = perms
            .iter()
            .map(|(protocol, ports, cidr, description)| Ipv6Rule {
                rule_id: String::new(),
                protocol: *protocol,
                ports: if *protocol == crate::addr::RuleProtocol::All {
                    crate::addr::PortRange::ALL
                } else {
                    *ports
                },
                cidr: *cidr,
                description: description.clone(),
            })
            .collect();
        if let Some(dup) = rules.iter().find(|r| existing.iter().any(|e| e.same_permission(r))) {
            return Err(ApiError::new(
                op,
                "InvalidPermission.Duplicate",
                format!("the specified rule \"peer: {}, {}\" already exists", dup.cidr, dup.protocol),
            ));
        }
        self.quotas.check(Quota::RulesPerGroup, op, existing.len() + rules.len())?;
        for r in &mut rules {
            r.rule_id = self.ids.aws_id("sgr");
        }
        let g = &mut self.sgs[sg];
        match direction {
            Direction::Ingress => g.ipv6_ingress.extend(rules),
            Direction::Egress => g.ipv6_egress.extend(rules),
        }
        Ok(())
    }

    /// A8: a new group's outbound rule to `::/0` when its VPC has an IPv6 block (AWS adds
    /// it); none otherwise, and then no id is drawn.
    pub(crate) fn ipv6_default_egress(&mut self, vpc: VpcId) -> Vec<Ipv6Rule> {
        if self.vpcs[vpc].ipv6_cidrs.is_empty() {
            return Vec::new();
        }
        vec![self.ipv6_rule(ipv6::ANY)]
    }

    /// An allow-all rule to or from `cidr`, with a fresh id.
    fn ipv6_rule(&mut self, cidr: Ipv6Net) -> Ipv6Rule {
        Ipv6Rule {
            rule_id: self.ids.aws_id("sgr"),
            protocol: crate::addr::RuleProtocol::All,
            ports: crate::addr::PortRange::ALL,
            cidr,
            description: None,
        }
    }

    /// R2 for IPv6: the local routes of a VPC's IPv6 blocks, for a new table.
    pub(crate) fn ipv6_local_routes(&self, v: &Vpc) -> Vec<Ipv6Route> {
        v.ipv6_cidrs
            .iter()
            .map(|a| Ipv6Route {
                destination: a.cidr,
                target: Ipv6Target::Route(RouteTarget::Local),
                local: true,
            })
            .collect()
    }
}

/// N2 for IPv6: an entry allowing all IPv6 traffic.
fn allow_all_ipv6(number: u16) -> Ipv6AclEntry {
    Ipv6AclEntry {
        number,
        protocol: crate::addr::RuleProtocol::All,
        ports: crate::addr::PortRange::ALL,
        icmp: crate::model::nacl::IcmpTypeCode::ALL,
        cidr: ipv6::ANY,
        action: Action::Allow,
    }
}

/// InvalidSubnet.Range for an IPv6 block outside every block of the VPC.
fn outside_vpc(v: &Vpc, cidr: Ipv6Net) -> String {
    if v.ipv6_cidrs.is_empty() {
        return format!(
            "The IPv6 CIDR '{cidr}' is invalid for the VPC {}: it has no IPv6 CIDR block (associate one first, AWS::EC2::VPCCidrBlock AmazonProvidedIpv6CidrBlock: true).",
            v.aws_id
        );
    }
    let blocks: Vec<String> = v.ipv6_cidrs.iter().map(|a| a.cidr.to_string()).collect();
    format!(
        "The IPv6 CIDR '{cidr}' is invalid for the VPC {} ({}): a subnet's IPv6 block must lie inside one of its VPC's.",
        v.aws_id,
        blocks.join(", ")
    )
}
