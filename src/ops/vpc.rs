//! VPCs, subnets, route tables, routes and internet gateways (A1-A3, R1-R5, I1).

use std::net::Ipv4Addr;

use super::ApiResult;
use crate::addr::Cidr;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::igw::InternetGateway;
use crate::model::nacl::{allow_all_entry, NetworkAcl};
use crate::model::route_table::{Route, RouteOrigin, RouteTable, RouteTarget};
use crate::model::security_group::{SecurityGroup, SgRules};
use crate::model::subnet::Subnet;
use crate::model::vpc::Vpc;
use crate::model::Tags;
use crate::quota::Quota;
use crate::world::{Handle, World};

/// Options of CreateVpc.
#[derive(Clone, Debug, Default)]
pub struct CreateVpc {
    /// The IPv4 block (A1: /16 to /28).
    pub cidr: Option<Cidr>,
    /// enableDnsSupport; default true.
    pub dns_support: Option<bool>,
    /// enableDnsHostnames; default false.
    pub dns_hostnames: Option<bool>,
    /// Tags.
    pub tags: Tags,
}

/// Options of CreateSubnet.
#[derive(Clone, Debug, Default)]
pub struct CreateSubnet {
    /// The VPC.
    pub vpc: Option<VpcId>,
    /// The block (A1).
    pub cidr: Option<Cidr>,
    /// The AZ; the region's first when absent.
    pub az: Option<String>,
    /// MapPublicIpOnLaunch.
    pub map_public_ip_on_launch: bool,
    /// Tags.
    pub tags: Tags,
}

/// What a new route points at, by AWS id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteTargetSpec {
    /// `--gateway-id igw-...` (or `local`).
    Gateway(String),
    /// `--instance-id`.
    Instance(String),
    /// `--network-interface-id`.
    NetworkInterface(String),
    /// `--nat-gateway-id`.
    NatGateway(String),
    /// `--vpc-peering-connection-id`.
    VpcPeeringConnection(String),
    /// `--transit-gateway-id`.
    TransitGateway(String),
    /// `--egress-only-internet-gateway-id`: IPv6 routes only (A8).
    EgressOnlyInternetGateway(String),
}

/// AWS's refusal to delete a resource something still uses: `The vpc 'vpc-1' has dependencies and cannot be deleted.`
pub(crate) fn dependency(op: &str, noun: &str, id: &str) -> ApiError {
    ApiError::new(
        op,
        "DependencyViolation",
        format!("The {noun} '{id}' has dependencies and cannot be deleted."),
    )
}

pub(crate) fn check_block(op: &str, code: &str, cidr: Cidr) -> ApiResult<()> {
    if !(16..=28).contains(&cidr.prefix_len()) {
        return Err(ApiError::new(
            op,
            code,
            format!("The CIDR '{cidr}' is invalid: the netmask must be between /16 and /28."),
        ));
    }
    let link_local: Cidr = "169.254.0.0/16".parse().expect("literal");
    if link_local.overlaps(cidr) {
        return Err(ApiError::new(
            op,
            code,
            format!("The CIDR '{cidr}' is invalid: 169.254.0.0/16 is reserved."),
        ));
    }
    Ok(())
}

impl World {
    /// CreateVpc, with its main route table (R1, R2), default security group (S4) and default NACL (N2).
    pub fn create_vpc(&mut self, req: CreateVpc) -> ApiResult<VpcId> {
        const OP: &str = "CreateVpc";
        let cidr = req.cidr.ok_or_else(|| {
            ApiError::new(OP, "MissingParameter", "The request must contain the parameter CidrBlock.")
        })?;
        check_block(OP, "InvalidVpc.Range", cidr)?;
        let vpc = VpcId(self.vpcs.len() as u32);
        let aws_id = self.ids.aws_id("vpc");
        let main_route_table = self.new_route_table(vpc, vec![cidr], true, Tags::new());
        let default_sg = self.new_default_sg(vpc);
        let default_nacl = self.new_nacl(vpc, true, Tags::new());
        let dhcp_options = self.default_dhcp_options();
        self.vpcs.insert(
            &mut self.by_aws_id,
            Handle::Vpc,
            Vpc {
                aws_id,
                cidr,
                secondary_cidrs: Vec::new(),
                ipv6_cidrs: Vec::new(),
                dns_support: req.dns_support.unwrap_or(true),
                dns_hostnames: req.dns_hostnames.unwrap_or(false),
                main_route_table,
                default_sg,
                default_nacl,
                dhcp_options,
                tags: req.tags,
                deleted: false,
            },
        );
        Ok(vpc)
    }

    /// ModifyVpcAttribute for the two DNS attributes.
    pub fn modify_vpc_dns(&mut self, vpc: VpcId, support: Option<bool>, hostnames: Option<bool>) {
        let v = &mut self.vpcs[vpc];
        if let Some(s) = support {
            v.dns_support = s;
        }
        if let Some(h) = hostnames {
            v.dns_hostnames = h;
        }
    }

    /// A table holding one local route per block in `cidrs` (R2).
    fn new_route_table(&mut self, vpc: VpcId, cidrs: Vec<Cidr>, main: bool, tags: Tags) -> RouteTableId {
        let id = RouteTableId(self.route_tables.len() as u32);
        let aws_id = self.ids.aws_id("rtb");
        let local = |destination| Route {
            destination,
            prefix_list: None,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
        };
        let routes: Vec<Route> = cidrs.into_iter().map(local).collect();
        let ipv6_routes = self.vpcs.get(vpc).map(|v| self.ipv6_local_routes(v)).unwrap_or_default();
        self.route_tables.insert(
            &mut self.by_aws_id,
            Handle::RouteTable,
            RouteTable { aws_id, vpc, main, routes: routes.into(), ipv6_routes, tags, deleted: false },
        );
        id
    }

    fn new_default_sg(&mut self, vpc: VpcId) -> SgId {
        let id = SgId(self.sgs.len() as u32);
        let aws_id = self.ids.aws_id("sg");
        let mut sg = SecurityGroup {
            aws_id,
            name: "default".into(),
            description: "default VPC security group".into(),
            vpc,
            ingress: SgRules::new(),
            egress: SgRules::new(),
            ipv6_ingress: Vec::new(),
            ipv6_egress: Vec::new(),
            is_default: true,
            tags: Tags::new(),
            deleted: false,
        };
        sg.ingress.push(self.new_rule(crate::model::security_group::Peer::Group(id)));
        sg.egress.push(self.new_rule(crate::model::security_group::Peer::Cidr(Cidr::ANY)));
        self.sgs.insert(&mut self.by_aws_id, Handle::Sg, sg);
        self.add_group_member(vpc, id);
        id
    }

    pub(crate) fn new_nacl(&mut self, vpc: VpcId, is_default: bool, tags: Tags) -> NaclId {
        let id = NaclId(self.nacls.len() as u32);
        let aws_id = self.ids.aws_id("acl");
        let rules = if is_default { vec![allow_all_entry()] } else { Vec::new() };
        self.nacls.insert(
            &mut self.by_aws_id,
            Handle::Nacl,
            NetworkAcl {
                aws_id,
                vpc,
                is_default,
                ingress: rules.clone(),
                egress: rules,
                ipv6_ingress: Vec::new(),
                ipv6_egress: Vec::new(),
                tags,
                deleted: false,
            },
        );
        id
    }

    /// CreateSubnet (A1): inside the VPC's block, not overlapping a sibling, in one of the region's AZs.
    pub fn create_subnet(&mut self, req: CreateSubnet) -> ApiResult<SubnetId> {
        const OP: &str = "CreateSubnet";
        let missing = |p: &str| {
            ApiError::new(OP, "MissingParameter", format!("The request must contain the parameter {p}."))
        };
        let vpc = req.vpc.ok_or_else(|| missing("VpcId"))?;
        let cidr = req.cidr.ok_or_else(|| missing("CidrBlock"))?;
        check_block(OP, "InvalidSubnet.Range", cidr)?;
        let v = &self.vpcs[vpc];
        if v.block_covering(cidr).is_none() {
            let blocks: Vec<String> = v.cidrs().map(|c| c.to_string()).collect();
            return Err(ApiError::new(
                OP,
                "InvalidSubnet.Range",
                format!(
                    "The CIDR '{cidr}' is invalid for the VPC {} ({}): a subnet must lie inside one of its VPC's blocks.",
                    v.aws_id,
                    blocks.join(", ")
                ),
            ));
        }
        if let Some(other) = self.subnets_in(vpc).find(|s| s.cidr.overlaps(cidr)) {
            return Err(ApiError::new(
                OP,
                "InvalidSubnet.Conflict",
                format!("The CIDR '{cidr}' conflicts with another subnet ({} {}).", other.aws_id, other.cidr),
            ));
        }
        let siblings = self.subnets_in(vpc).count();
        self.quotas.check(Quota::SubnetsPerVpc, OP, siblings + 1)?;
        let az = match &req.az {
            None => self.region.azs[0],
            Some(az) => self.region.azs.iter().copied().find(|a| a == az).ok_or_else(|| {
                ApiError::new(
                    OP,
                    "InvalidParameterValue",
                    format!("Value ({az}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {}.", self.region.azs.join(", ")),
                )
            })?,
        };
        let id = SubnetId(self.subnets.len() as u32);
        let aws_id = self.ids.aws_id("subnet");
        self.add_subnet_member(vpc, id);
        let nacl = self.vpcs[vpc].default_nacl;
        self.subnets_by_address.insert(vpc, cidr, id);
        self.subnets.insert(
            &mut self.by_aws_id,
            Handle::Subnet,
            Subnet {
                aws_id,
                vpc,
                cidr,
                az,
                ipv6_cidr: None,
                assign_ipv6_on_creation: false,
                map_public_ip_on_launch: req.map_public_ip_on_launch,
                route_table: None,
                route_table_association_id: None,
                nacl,
                next_offset: 4,
                tags: req.tags,
                deleted: false,
            },
        );
        Ok(id)
    }

    /// CreateRouteTable: a custom table holding the local route (R2).
    pub fn create_route_table(&mut self, vpc: VpcId, tags: Tags) -> RouteTableId {
        let cidrs = self.vpcs[vpc].cidrs().collect();
        self.new_route_table(vpc, cidrs, false, tags)
    }

    /// AssociateRouteTable (R1): the subnet now uses this table; returns the association id.
    pub fn associate_route_table(&mut self, table: RouteTableId, subnet: SubnetId) -> ApiResult<String> {
        const OP: &str = "AssociateRouteTable";
        let (rt, s) = (&self.route_tables[table], &self.subnets[subnet]);
        if rt.vpc != s.vpc {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("Route table {} and subnet {} belong to different networks.", rt.aws_id, s.aws_id),
            ));
        }
        if s.route_table.is_some() {
            return Err(ApiError::new(
                OP,
                "Resource.AlreadyAssociated",
                format!("The subnet {} is already associated with a route table; use ReplaceRouteTableAssociation.", s.aws_id),
            ));
        }
        let assoc = self.ids.aws_id("rtbassoc");
        let s = &mut self.subnets[subnet];
        s.route_table = Some(table);
        s.route_table_association_id = Some(assoc.clone());
        Ok(assoc)
    }

    /// DisassociateRouteTable: the subnet falls back to the main table (R1).
    pub fn disassociate_route_table(&mut self, subnet: SubnetId) {
        let s = &mut self.subnets[subnet];
        s.route_table = None;
        s.route_table_association_id = None;
    }

    /// ModifySubnetAttribute `MapPublicIpOnLaunch` (I2): instances launched later get a public address.
    pub fn modify_subnet_map_public_ip(&mut self, subnet: SubnetId, on: bool) {
        self.subnets[subnet].map_public_ip_on_launch = on;
    }

    /// CreateInternetGateway.
    pub fn create_internet_gateway(&mut self, tags: Tags) -> IgwId {
        let id = IgwId(self.igws.len() as u32);
        let aws_id = self.ids.aws_id("igw");
        self.igws.insert(
            &mut self.by_aws_id,
            Handle::Igw,
            InternetGateway { aws_id, attached: None, tags, deleted: false },
        );
        id
    }

    /// DeleteInternetGateway: refused (DependencyViolation) while attached to a VPC;
    /// then the gateway is gone and its id stays known.
    pub fn delete_internet_gateway(&mut self, igw: IgwId) -> ApiResult<()> {
        let g = &self.igws[igw];
        if g.attached.is_some() {
            return Err(dependency("DeleteInternetGateway", "internetGateway", &g.aws_id));
        }
        self.stack_delete_internet_gateway(igw);
        Ok(())
    }

    /// A stack's delete of its gateway: its attachment goes with the stack, so nothing is checked.
    pub(crate) fn stack_delete_internet_gateway(&mut self, igw: IgwId) {
        self.igws[igw].deleted = true;
    }

    /// DeleteVpc: refused (DependencyViolation) while the VPC still has a subnet, an
    /// attached internet gateway (or egress-only one, A8), a network interface, a security group other than its
    /// default one, a route table other than its main one or a network ACL other than its
    /// default one; its stack deletes those first. The main table, default group and
    /// default ACL go with it.
    pub fn delete_vpc(&mut self, vpc: VpcId) -> ApiResult<()> {
        let has_subnet = self.subnets_in(vpc).next().is_some();
        let has_gateway = self.gateway_of(vpc).is_some();
        let has_eni = self.enis().live().any(|(_, e)| e.vpc == vpc);
        let has_group = self.groups_in(vpc).any(|g| !g.is_default);
        let has_table = self.route_tables.live().any(|(_, t)| t.vpc == vpc && !t.main);
        let has_acl = self.nacls.live().any(|(_, n)| n.vpc == vpc && !n.is_default);
        let has_eigw = self.eigws.live().any(|(_, g)| g.vpc == vpc);
        if has_subnet || has_gateway || has_eni || has_group || has_table || has_acl || has_eigw {
            return Err(dependency("DeleteVpc", "vpc", &self.vpcs[vpc].aws_id));
        }
        let v = &mut self.vpcs[vpc];
        v.deleted = true;
        let (table, group, acl) = (v.main_route_table, v.default_sg, v.default_nacl);
        self.route_tables[table].deleted = true;
        self.sgs[group].deleted = true;
        self.nacls[acl].deleted = true;
        Ok(())
    }

    /// DeleteSubnet: refused (DependencyViolation) while a network interface (an
    /// instance's, a load balancer node's, an endpoint's) is in it.
    pub fn delete_subnet(&mut self, subnet: SubnetId) -> ApiResult<()> {
        if self.enis().live().any(|(_, e)| e.subnet == subnet) {
            return Err(ApiError::new(
                "DeleteSubnet",
                "DependencyViolation",
                format!(
                    "The subnet '{}' has dependencies and cannot be deleted.",
                    self.subnets[subnet].aws_id
                ),
            ));
        }
        let s = &mut self.subnets[subnet];
        s.deleted = true;
        self.subnets_by_address.remove(s.vpc, s.cidr, subnet);
        Ok(())
    }

    /// DeleteRouteTable: refused (DependencyViolation) for a VPC's main table and while a
    /// subnet is associated with the table (R1).
    pub fn delete_route_table(&mut self, table: RouteTableId) -> ApiResult<()> {
        let t = &self.route_tables[table];
        let associated = self.subnets_in(t.vpc).any(|s| s.route_table == Some(table));
        if t.main || associated {
            return Err(dependency("DeleteRouteTable", "routeTable", &t.aws_id));
        }
        self.stack_delete_route_table(table);
        Ok(())
    }

    /// A stack's delete of its table: its associations go with the stack, so nothing is checked.
    pub(crate) fn stack_delete_route_table(&mut self, table: RouteTableId) {
        self.route_tables[table].deleted = true;
    }

    /// The subnet whose route table association (R1) has the id `association`, or the
    /// AWS `InvalidAssociationID.NotFound` error.
    pub fn route_table_association(&self, op: &str, association: &str) -> ApiResult<SubnetId> {
        self.subnets
            .live()
            .find(|(_, s)| s.route_table_association_id.as_deref() == Some(association))
            .map(|(id, _)| id)
            .ok_or_else(|| {
                ApiError::new(
                    op,
                    "InvalidAssociationID.NotFound",
                    format!("The association ID '{association}' does not exist"),
                )
            })
    }

    /// AttachInternetGateway: one gateway per VPC, one VPC per gateway.
    pub fn attach_internet_gateway(&mut self, igw: IgwId, vpc: VpcId) -> ApiResult<()> {
        const OP: &str = "AttachInternetGateway";
        let g = &self.igws[igw];
        if let Some(v) = g.attached {
            return Err(ApiError::new(
                OP,
                "Resource.AlreadyAssociated",
                format!("resource {} is already attached to network {}", g.aws_id, self.vpcs[v].aws_id),
            ));
        }
        if let Some(other) = self.gateway_of(vpc).map(|g| &self.igws[g]) {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!(
                    "Network {} already has an internet gateway attached ({}).",
                    self.vpcs[vpc].aws_id, other.aws_id
                ),
            ));
        }
        self.igws[igw].attached = Some(vpc);
        self.add_gateway_member(vpc, igw);
        Ok(())
    }

    /// DetachInternetGateway: routes to it become blackholes (R5); refused while public
    /// addresses of the VPC are mapped (I7, DependencyViolation).
    pub fn detach_internet_gateway(&mut self, igw: IgwId, vpc: VpcId) -> ApiResult<()> {
        const OP: &str = "DetachInternetGateway";
        let g = &self.igws[igw];
        if g.attached != Some(vpc) {
            return Err(ApiError::new(
                OP,
                "Gateway.NotAttached",
                format!("resource {} is not attached to network {}", g.aws_id, self.vpcs[vpc].aws_id),
            ));
        }
        if self.has_mapped_public_addresses(vpc) {
            return Err(ApiError::new(
                OP,
                "DependencyViolation",
                format!(
                    "Network {} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.",
                    self.vpcs[vpc].aws_id
                ),
            ));
        }
        self.igws[igw].attached = None;
        Ok(())
    }

    /// I7: whether an interface of the VPC still has a public address mapped: an automatic
    /// public IP, an Elastic IP, an internet-facing load balancer node's address.
    fn has_mapped_public_addresses(&self, vpc: VpcId) -> bool {
        self.enis().live().any(|(id, e)| e.vpc == vpc && self.public_ips_of(id).next().is_some())
    }

    pub(crate) fn resolve_target(
        &self,
        op: &str,
        table: RouteTableId,
        spec: &RouteTargetSpec,
    ) -> ApiResult<RouteTarget> {
        let vpc = self.route_tables[table].vpc;
        Ok(match spec {
            RouteTargetSpec::Gateway(id) if id == "local" => RouteTarget::Local,
            RouteTargetSpec::Gateway(id) if id.starts_with("vpce-") => {
                return Err(ApiError::new(
                    op,
                    "InvalidParameterValue",
                    format!("route to gateway endpoint {id}: a gateway endpoint adds its own routes to the tables given with --route-table-ids (E1)"),
                ))
            }
            RouteTargetSpec::Gateway(id) => {
                let igw = self.igw_id(op, id)?;
                if self.igws[igw].attached != Some(vpc) {
                    return Err(ApiError::new(
                        op,
                        "InvalidParameterValue",
                        format!("route table {} and network gateway {id} belong to different networks (attach the gateway to {} first)", self.route_tables[table].aws_id, self.vpcs[vpc].aws_id),
                    ));
                }
                RouteTarget::Igw(igw)
            }
            RouteTargetSpec::Instance(id) => RouteTarget::Instance(self.instance_id(op, id)?),
            RouteTargetSpec::NetworkInterface(id) => RouteTarget::Eni(self.eni_id(op, id)?),
            RouteTargetSpec::NatGateway(id) => RouteTarget::Nat(self.route_nat_gateway(op, table, id)?),
            RouteTargetSpec::VpcPeeringConnection(id) => {
                RouteTarget::Pcx(self.peering_route_target(op, vpc, id)?)
            }
            RouteTargetSpec::TransitGateway(id) => RouteTarget::Tgw(id.clone()),
            RouteTargetSpec::EgressOnlyInternetGateway(id) => {
                return Err(ApiError::new(
                    op,
                    "InvalidParameterCombination",
                    format!("egress-only internet gateway {id} takes IPv6 routes only: give an IPv6 destination"),
                ))
            }
        })
    }

    /// R4: a route to a NAT gateway names one of the table's VPC that is not deleted.
    fn route_nat_gateway(&self, op: &str, table: RouteTableId, id: &str) -> ApiResult<NatId> {
        let nat = self.nat_gateway_id(op, id)?;
        let n = &self.nat_gateways[nat];
        if n.is_gone() {
            return Err(ApiError::new(
                op,
                "InvalidNatGatewayID.NotFound",
                format!("The Nat Gateway {id} was not found"),
            ));
        }
        if n.vpc != self.route_tables[table].vpc {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "route table {} and NAT gateway {id} belong to different networks",
                    self.route_tables[table].aws_id
                ),
            ));
        }
        Ok(nat)
    }

    /// CreateRoute: one route per destination; the local route cannot be shadowed by an equal destination (R2).
    pub fn create_route(
        &mut self,
        table: RouteTableId,
        destination: Cidr,
        target: &RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "CreateRoute";
        let target = self.resolve_target(OP, table, target)?;
        self.check_more_specific_route(OP, table, destination)?;
        let rt = &self.route_tables[table];
        if !rt.routes.iter().any(|r| r.destination == destination) {
            let own = rt.routes.iter().filter(|r| r.origin != RouteOrigin::CreateRouteTable).count();
            self.quotas.check(Quota::RoutesPerTable, OP, own + 1)?;
        }
        let rt = &mut self.route_tables[table];
        if !rt.insert(Route { destination, prefix_list: None, target, origin: RouteOrigin::CreateRoute }) {
            return Err(ApiError::new(
                OP,
                "RouteAlreadyExists",
                format!("The route identified by {destination} already exists in {}.", rt.aws_id),
            ));
        }
        Ok(())
    }

    /// R9: a route more specific than the local route must have exactly the CIDR of a
    /// subnet of that VPC as its destination (InvalidParameterValue).
    fn check_more_specific_route(&self, op: &str, table: RouteTableId, destination: Cidr) -> ApiResult<()> {
        let vpc = &self.vpcs[self.route_tables[table].vpc];
        let Some(block) = vpc.block_covering(destination).filter(|b| *b != destination) else {
            return Ok(());
        };
        if self.subnets_in(self.route_tables[table].vpc).any(|s| s.cidr == destination) {
            return Ok(());
        }
        Err(ApiError::new(
            op,
            "InvalidParameterValue",
            format!(
                "Route destination doesn't match any subnet CIDR blocks: {destination} is inside the local route {block} of {}, so it must be exactly the CIDR of one of its subnets.",
                vpc.aws_id
            ),
        ))
    }

    /// ReplaceRoute: a new target for an existing destination.
    pub fn replace_route(
        &mut self,
        table: RouteTableId,
        destination: Cidr,
        target: &RouteTargetSpec,
    ) -> ApiResult<()> {
        const OP: &str = "ReplaceRoute";
        let target = self.resolve_target(OP, table, target)?;
        let rt = &mut self.route_tables[table];
        let id = rt.aws_id.clone();
        let slot = rt.target_mut(destination).ok_or_else(|| {
            ApiError::new(
                OP,
                "InvalidRoute.NotFound",
                format!("no route with destination-cidr-block {destination} in route table {id}"),
            )
        })?;
        *slot = target;
        Ok(())
    }

    /// DeleteRoute: any route but the local one (R2).
    pub fn delete_route(&mut self, table: RouteTableId, destination: Cidr) -> ApiResult<()> {
        const OP: &str = "DeleteRoute";
        let rt = &mut self.route_tables[table];
        let pos = rt.routes.iter().position(|r| r.destination == destination).ok_or_else(|| {
            ApiError::new(
                OP,
                "InvalidRoute.NotFound",
                format!("no route with destination-cidr-block {destination} in route table {}", rt.aws_id),
            )
        })?;
        if rt.routes[pos].target == RouteTarget::Local {
            return Err(ApiError::new(
                OP,
                "InvalidParameterValue",
                format!("cannot remove local route {destination} in route table {}", rt.aws_id),
            ));
        }
        rt.routes.remove(pos);
        Ok(())
    }

    /// R5: whether a route's target still exists (else the route is a blackhole).
    pub fn route_is_active(&self, table: RouteTableId, target: &RouteTarget) -> bool {
        use crate::model::instance::InstanceState;
        match target {
            RouteTarget::Local => true,
            RouteTarget::Igw(g) => {
                let g = &self.igws[*g];
                !g.deleted && g.attached == Some(self.route_tables[table].vpc)
            }
            RouteTarget::Eni(e) => !self.enis[*e].deleted,
            RouteTarget::Instance(i) => self.instances[*i].state == InstanceState::Running,
            RouteTarget::Nat(n) => !self.nat_gateways[*n].is_gone(),
            RouteTarget::Pcx(p) => self.peerings[*p].is_active(),
            RouteTarget::GatewayEndpoint(g) => !self.gateway_endpoints[*g].deleted,
            RouteTarget::Tgw(_) => true,
        }
    }

    /// A route target as the API prints it (`local`, `igw-...`, `eni-...`).
    pub fn route_target_id(&self, target: &RouteTarget) -> String {
        match target {
            RouteTarget::Local => "local".into(),
            RouteTarget::Igw(g) => self.igws[*g].aws_id.clone(),
            RouteTarget::Eni(e) => self.enis[*e].aws_id.clone(),
            RouteTarget::Instance(i) => self.instances[*i].aws_id.clone(),
            RouteTarget::Nat(n) => self.nat_gateways[*n].aws_id.clone(),
            RouteTarget::Pcx(p) => self.peerings[*p].aws_id.clone(),
            RouteTarget::GatewayEndpoint(g) => self.gateway_endpoints[*g].aws_id.clone(),
            RouteTarget::Tgw(s) => s.clone(),
        }
    }

    /// The next free private address in a subnet, drawn from the seeded stream (A2: never a reserved one).
    /// A full subnet is an error that leaves the stream as it was (the call changes nothing).
    pub(crate) fn allocate_private_ip(&mut self, op: &str, subnet: SubnetId) -> ApiResult<Ipv4Addr> {
        self.allocate_private_ip_except(op, subnet, &[])
    }

    /// [`World::allocate_private_ip`], skipping `taken` too (addresses the same call asks for, M6).
    pub(crate) fn allocate_private_ip_except(
        &mut self,
        op: &str,
        subnet: SubnetId,
        taken: &[Ipv4Addr],
    ) -> ApiResult<Ipv4Addr> {
        let s = &self.subnets[subnet];
        let (cidr, vpc) = (s.cidr, s.vpc);
        let usable = s.usable() as u32;
        let mut ids = self.ids.clone();
        let start = ids.below(u64::from(usable)) as u32;
        for i in 0..usable {
            let ip = cidr.nth(4 + (start + i) % usable);
            if self.eni_by_private_ip(vpc, ip).is_none() && !taken.contains(&ip) {
                self.ids = ids;
                return Ok(ip);
            }
        }
        Err(self.no_free_address(op, subnet))
    }

    /// Whether [`World::allocate_private_ip`] would find an address in `subnet` (A2).
    pub(crate) fn check_free_address(&self, op: &str, subnet: SubnetId) -> ApiResult<()> {
        let s = &self.subnets[subnet];
        let free = (0..s.usable() as u32)
            .map(|i| s.cidr.nth(4 + i))
            .any(|ip| self.eni_by_private_ip(s.vpc, ip).is_none());
        if free {
            Ok(())
        } else {
            Err(self.no_free_address(op, subnet))
        }
    }

    pub(crate) fn no_free_address(&self, op: &str, subnet: SubnetId) -> ApiError {
        ApiError::new(
            op,
            "InsufficientFreeAddressesInSubnet",
            format!("There are not enough free addresses in subnet '{}' to satisfy the requested number of instances.", self.subnets[subnet].aws_id),
        )
    }

    /// A4: an explicitly requested address must be inside the subnet, not reserved and not in use.
    pub(crate) fn claim_private_ip(&self, op: &str, subnet: SubnetId, ip: Ipv4Addr) -> ApiResult<Ipv4Addr> {
        let s = &self.subnets[subnet];
        if !s.cidr.contains(ip) {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "Address {ip} does not fall within the subnet's address range ({} {}).",
                    s.aws_id, s.cidr
                ),
            ));
        }
        if let Some(why) = s.reserved(ip) {
            return Err(ApiError::new(
                op,
                "InvalidParameterValue",
                format!(
                    "Address {ip} is reserved in subnet {} ({}); the first usable address is {}.",
                    s.aws_id,
                    why.describe(),
                    s.cidr.nth(4)
                ),
            ));
        }
        if let Some(e) = self.eni_by_private_ip(s.vpc, ip) {
            return Err(ApiError::new(
                op,
                "InvalidIPAddress.InUse",
                format!("Address {ip} is in use by {}.", self.enis[e].aws_id),
            ));
        }
        Ok(ip)
    }

    /// A6: a fresh public address from the region's Amazon ranges.
    pub(crate) fn allocate_public_ip(&mut self) -> Ipv4Addr {
        let ranges = self.region.public_cidrs();
        loop {
            let r = ranges[self.ids.below(ranges.len() as u64) as usize];
            let ip = r.nth(self.ids.below(r.size()) as u32);
            let last = ip.octets()[3];
            let taken = self.enis.by_public_ip(ip).is_some()
                || self.is_elastic_ip(ip)
                || ip == self.region.service_addr();
            if last != 0 && last != 255 && !taken {
                return ip;
            }
        }
    }
}
