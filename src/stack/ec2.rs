//! EC2 resources from templates: VPCs, subnets, routing, gateways, security groups,
//! NACLs, instances, interfaces, Elastic IPs and PrivateLink.

use crate::addr::{PortRange, RuleProtocol};
use crate::cfn::{AttrValue, Created, SinkError};
use crate::ids::*;
use crate::model::nacl::{AclEntry, IcmpTypeCode};
use crate::model::security_group::Peer;
use crate::model::vpc_endpoint::{ServiceRef, PROVISION_SECONDS};
use crate::ops::ec2::{CreateNetworkInterface, RunInstance};
use crate::ops::privatelink::CreateVpcEndpoint;
use crate::ops::security::{acl_entry, Permission};
use crate::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use crate::ops::vpc_cidr::primary_association_id;
use crate::trace::Direction;
use crate::world::Handle;
use crate::yaml::Node;

use super::props::{bad, bad_hint, item, Props};
use super::{api, created, s, StackBuilder};

/// What an instance's UserData did when it ran: services, forwarding, signals sent.
pub(super) type Booted =
    (crate::cfn::Listening, crate::model::nat_instance::Forwarding, Vec<crate::cfn::signal::Signal>);

type R = Result<Created, SinkError>;

/// M7, C2: a FAILURE resource signal sent without a reason (`-r`), after `aws` calls of
/// the same script failed, carries those failures as its reason, for the stack's error.
fn explain_failure_signals(signals: &mut [crate::cfn::signal::Signal], failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    let resource =
        |s: &crate::cfn::signal::Signal| matches!(s.target, crate::cfn::signal::Target::Resource { .. });
    for s in signals.iter_mut().filter(|s| !s.success && s.reason.is_empty() && resource(s)) {
        s.reason = failures.join("; ");
    }
}

impl StackBuilder<'_> {
    pub(super) fn lookup<T>(
        &self,
        p: &Props<'_>,
        key: &str,
        f: impl Fn(&crate::world::World, &str) -> crate::ops::ApiResult<T>,
    ) -> Result<T, SinkError> {
        let id = p.str(key)?;
        f(self.world, &id).map_err(|e| api(e, Some(key)))
    }

    fn vpc_of(&self, p: &Props<'_>, key: &str) -> Result<VpcId, SinkError> {
        self.lookup(p, key, |w, id| w.vpc_id("CreateStack", id))
    }

    fn subnet_of(&self, p: &Props<'_>, key: &str) -> Result<SubnetId, SinkError> {
        self.lookup(p, key, |w, id| w.subnet_id("CreateStack", id))
    }

    fn groups_of(&self, p: &Props<'_>, key: &str) -> Result<Vec<SgId>, SinkError> {
        p.str_list(key)?
            .iter()
            .map(|id| self.world.sg_id("CreateStack", id).map_err(|e| api(e, Some(key))))
            .collect()
    }

    pub(super) fn vpc(&mut self, p: Props<'_>) -> R {
        let cidr = p
            .opt_cidr("CidrBlock")?
            .ok_or_else(|| bad("CidrBlock", "required property CidrBlock is missing"))?;
        let req = CreateVpc {
            cidr: Some(cidr),
            dns_support: p.opt_bool("EnableDnsSupport")?,
            dns_hostnames: p.opt_bool("EnableDnsHostnames")?,
            tags: p.tags()?,
        };
        let v = self.world.create_vpc(req).map_err(|e| api(e, Some("CidrBlock")))?;
        let vpc = &self.world[v];
        Ok(created(
            vpc.aws_id.clone(),
            &[
                ("VpcId", s(&vpc.aws_id)),
                ("CidrBlock", s(vpc.cidr.to_string())),
                ("CidrBlockAssociations", AttrValue::List(vec![primary_association_id(&vpc.aws_id)])),
                ("Ipv6CidrBlocks", AttrValue::List(Vec::new())),
                ("DefaultSecurityGroup", s(&self.world[vpc.default_sg].aws_id)),
                ("DefaultNetworkAcl", s(&self.world[vpc.default_nacl].aws_id)),
            ],
        ))
    }

    /// AWS::EC2::VPCCidrBlock (A1, R2): a secondary IPv4 block, or an Amazon-provided IPv6
    /// block (A8); `Ref` is the association id.
    pub(super) fn vpc_cidr_block(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId")?;
        if p.opt_bool("AmazonProvidedIpv6CidrBlock")? == Some(true) {
            return self.vpc_ipv6_block(logical_id, vpc, &p);
        }
        let cidr = p.opt_cidr("CidrBlock")?.ok_or_else(|| {
            bad_hint(
                "CidrBlock",
                "required property CidrBlock is missing",
                "give CidrBlock, or AmazonProvidedIpv6CidrBlock: true for an IPv6 block",
            )
        })?;
        let id = self.world.associate_vpc_cidr_block(vpc, cidr).map_err(|e| api(e, Some("CidrBlock")))?;
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    pub(super) fn subnet(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId")?;
        let cidr = p
            .opt_cidr("CidrBlock")?
            .ok_or_else(|| bad("CidrBlock", "required property CidrBlock is missing"))?;
        let ipv6 = self.subnet_ipv6_block(vpc, &p)?;
        let req = CreateSubnet {
            vpc: Some(vpc),
            cidr: Some(cidr),
            az: p.opt_str("AvailabilityZone")?,
            map_public_ip_on_launch: p.opt_bool("MapPublicIpOnLaunch")?.unwrap_or(false),
            tags: p.tags()?,
        };
        let prop = if req.az.is_some() && !self.world.region().has_az(req.az.as_deref().unwrap_or("")) {
            "AvailabilityZone"
        } else {
            "CidrBlock"
        };
        let sn = self.world.create_subnet(req).map_err(|e| api(e, Some(prop)))?;
        let ipv6_blocks = self.subnet_ipv6(logical_id, sn, ipv6, &p)?;
        let sub = &self.world[sn];
        Ok(created(
            sub.aws_id.clone(),
            &[
                ("SubnetId", s(&sub.aws_id)),
                ("AvailabilityZone", s(sub.az)),
                ("AvailabilityZoneId", s(self.world.region().az_id(sub.az).unwrap_or(""))),
                ("CidrBlock", s(sub.cidr.to_string())),
                ("VpcId", s(&self.world[sub.vpc].aws_id)),
                ("NetworkAclAssociationId", s(format!("aclassoc-{}", &sub.aws_id[7..]))),
                ("Ipv6CidrBlocks", ipv6_blocks),
            ],
        ))
    }

    pub(super) fn route_table(&mut self, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId")?;
        let rt = self.world.create_route_table(vpc, p.tags()?);
        let id = self.world[rt].aws_id.clone();
        Ok(created(id.clone(), &[("RouteTableId", s(id))]))
    }

    pub(super) fn route(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let table = self.lookup(&p, "RouteTableId", |w, id| w.route_table_id("CreateRoute", id))?;
        if let Some(destination) = p.opt_ipv6_cidr("DestinationIpv6CidrBlock")? {
            return self.ipv6_route(logical_id, table, destination, &p);
        }
        if p.get("EgressOnlyInternetGatewayId").is_some() {
            return Err(bad_hint(
                "EgressOnlyInternetGatewayId",
                "an egress-only internet gateway takes IPv6 routes only (InvalidParameterCombination)",
                "give DestinationIpv6CidrBlock, or route IPv4 to an internet or NAT gateway",
            ));
        }
        let list = match p.opt_str("DestinationPrefixListId")? {
            Some(id) => Some(
                self.world
                    .prefix_list_id("CreateRoute", &id)
                    .map_err(|e| api(e, Some("DestinationPrefixListId")))?,
            ),
            None => None,
        };
        let dest = p.opt_cidr("DestinationCidrBlock")?;
        if dest.is_none() && list.is_none() {
            return Err(bad_hint(
                "DestinationCidrBlock",
                "required property DestinationCidrBlock (or DestinationIpv6CidrBlock or DestinationPrefixListId) is missing",
                "give the route a destination",
            ));
        }
        let (key, spec) = route_target(
            &p,
            &ROUTE_TARGETS,
            "DestinationCidrBlock",
            "add GatewayId, InstanceId, NetworkInterfaceId, NatGatewayId or VpcPeeringConnectionId",
        )?;
        match (dest, list) {
            (Some(dest), None) => {
                self.world.create_route(table, dest, &spec).map_err(|e| api(e, Some(key)))?;
                Ok(created(format!("{}_{dest}", self.world[table].aws_id), &[]))
            }
            (None, Some(pl)) => {
                self.world.create_prefix_list_route(table, pl, &spec).map_err(|e| api(e, Some(key)))?;
                Ok(created(format!("{}_{}", self.world[table].aws_id, self.world[pl].aws_id), &[]))
            }
            _ => Err(bad(
                "DestinationPrefixListId",
                "give DestinationCidrBlock or DestinationPrefixListId, not both",
            )),
        }
    }

    pub(super) fn route_table_association(&mut self, p: Props<'_>) -> R {
        let table = self.lookup(&p, "RouteTableId", |w, id| w.route_table_id("AssociateRouteTable", id))?;
        let subnet = self.subnet_of(&p, "SubnetId")?;
        let assoc = self.world.associate_route_table(table, subnet).map_err(|e| api(e, Some("SubnetId")))?;
        Ok(created(assoc.clone(), &[("Id", s(assoc))]))
    }

    pub(super) fn internet_gateway(&mut self, p: Props<'_>) -> R {
        let g = self.world.create_internet_gateway(p.tags()?);
        let id = self.world[g].aws_id.clone();
        Ok(created(id.clone(), &[("InternetGatewayId", s(id))]))
    }

    pub(super) fn gateway_attachment(&mut self, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId")?;
        if p.opt_str("VpnGatewayId")?.is_some() {
            return Err(bad("VpnGatewayId", "VPN gateways are not modelled"));
        }
        let g = self.lookup(&p, "InternetGatewayId", |w, id| w.igw_id("AttachInternetGateway", id))?;
        self.world.attach_internet_gateway(g, vpc).map_err(|e| api(e, Some("InternetGatewayId")))?;
        Ok(created(format!("IGW|{}", self.world[vpc].aws_id), &[]))
    }

    pub(super) fn security_group(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId").map_err(|e| {
            if p.get("VpcId").is_none() {
                bad_hint("VpcId", "VpcId is required (vpcsim has no default VPC)", "add VpcId: !Ref YourVPC")
            } else {
                e
            }
        })?;
        let description = p.str("GroupDescription")?;
        let name = match p.opt_str("GroupName")? {
            Some(n) => n,
            None => format!(
                "{}-{}-{}",
                self.stack_name,
                logical_id,
                self.world.id_stream().hex(12).to_uppercase()
            ),
        };
        let sg = self
            .world
            .create_security_group(vpc, &name, &description, p.tags()?)
            .map_err(|e| api(e, Some("GroupName")))?;
        for (dir, key) in
            [(Direction::Ingress, "SecurityGroupIngress"), (Direction::Egress, "SecurityGroupEgress")]
        {
            let (mut perms, mut ipv6_perms) = (Vec::new(), Vec::new());
            for (path, rule) in p.maps(key)? {
                match ipv6_permission(&item(rule, &path))? {
                    Some(perm) => ipv6_perms.push(perm),
                    None => perms.push(self.permission(item(rule, &path), dir)?),
                }
            }
            if dir == Direction::Egress && p.get(key).is_some() {
                self.world.revoke_security_group_egress_all(sg);
            }
            self.world.authorize_security_group(sg, dir, &perms).map_err(|e| api(e, Some(key)))?;
            self.ipv6_permissions(logical_id, sg, dir, &ipv6_perms, key)?;
        }
        let id = self.world[sg].aws_id.clone();
        Ok(created(id.clone(), &[("GroupId", s(&id)), ("VpcId", s(&self.world[vpc].aws_id))]))
    }

    fn permission(&self, p: Props<'_>, dir: Direction) -> Result<Permission, SinkError> {
        if let Some(owner) = p.opt_str("SourceSecurityGroupOwnerId")? {
            if owner != self.world.account_id() {
                return Err(bad_hint(
                    &p.path("SourceSecurityGroupOwnerId"),
                    format!(
                        "a group of account {owner} is not modelled: vpcsim simulates one account ({})",
                        self.world.account_id()
                    ),
                    "reference a group of this account, or leave SourceSecurityGroupOwnerId out",
                ));
            }
        }
        let proto_text = p.str("IpProtocol")?;
        let protocol: RuleProtocol = proto_text
            .parse()
            .map_err(|e: crate::addr::ProtocolParseError| bad("IpProtocol", e.to_string()))?;
        let ports = port_range(p.opt_int("FromPort")?, p.opt_int("ToPort")?)
            .ok_or_else(|| bad("FromPort", "FromPort and ToPort must be ports (or -1 for all)"))?;
        let peer_key =
            if dir == Direction::Ingress { "SourceSecurityGroupId" } else { "DestinationSecurityGroupId" };
        let peer = if let Some(c) = p.opt_cidr("CidrIp")? {
            Peer::Cidr(c)
        } else if let Some(g) = p.opt_str(peer_key)? {
            Peer::Group(
                self.world.sg_id("AuthorizeSecurityGroupIngress", &g).map_err(|e| api(e, Some(peer_key)))?,
            )
        } else if let Some(pl) = p.opt_str(if dir == Direction::Ingress {
            "SourcePrefixListId"
        } else {
            "DestinationPrefixListId"
        })? {
            let key =
                if dir == Direction::Ingress { "SourcePrefixListId" } else { "DestinationPrefixListId" };
            Peer::PrefixList(self.world.prefix_list_id("CreateStack", &pl).map_err(|e| api(e, Some(key)))?)
        } else {
            return Err(bad_hint(
                "CidrIp",
                "the rule names no peer",
                format!("add CidrIp, CidrIpv6 or {peer_key}"),
            ));
        };
        Ok(Permission { protocol, ports, peer, description: p.opt_str("Description")? })
    }

    pub(super) fn security_group_rule(&mut self, logical_id: &str, p: Props<'_>, dir: Direction) -> R {
        let sg = self.lookup(&p, "GroupId", |w, id| w.sg_id("AuthorizeSecurityGroupIngress", id))?;
        if let Some(perm) = ipv6_permission(&p)? {
            self.ipv6_permissions(logical_id, sg, dir, &[perm], "CidrIpv6")?;
            let g = &self.world[sg];
            let rules = if dir == Direction::Ingress { &g.ipv6_ingress } else { &g.ipv6_egress };
            let id = rules.last().map(|r| r.rule_id.clone()).unwrap_or_default();
            return Ok(created(id.clone(), &[("Id", s(id))]));
        }
        let perm = self.permission(p, dir)?;
        self.world.authorize_security_group(sg, dir, &[perm]).map_err(|e| api(e, None))?;
        let rule = match dir {
            Direction::Ingress => self.world[sg].ingress.last(),
            Direction::Egress => self.world[sg].egress.last(),
        };
        let id = rule.map(|r| r.rule_id.clone()).unwrap_or_default();
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    pub(super) fn network_acl(&mut self, p: Props<'_>) -> R {
        let vpc = self.vpc_of(&p, "VpcId")?;
        let acl = self.world.create_network_acl(vpc, p.tags()?);
        let id = self.world[acl].aws_id.clone();
        Ok(created(id.clone(), &[("Id", s(id))]))
    }

    pub(super) fn network_acl_entry(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let acl = self.lookup(&p, "NetworkAclId", |w, id| w.nacl_id("CreateNetworkAclEntry", id))?;
        let number = p
            .opt_int("RuleNumber")?
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| bad("RuleNumber", "RuleNumber must be 1 to 32766"))?;
        let protocol: RuleProtocol = p
            .str("Protocol")?
            .parse()
            .map_err(|e: crate::addr::ProtocolParseError| bad("Protocol", e.to_string()))?;
        let allow = match p.str("RuleAction")?.to_ascii_lowercase().as_str() {
            "allow" => true,
            "deny" => false,
            other => {
                return Err(bad("RuleAction", format!("RuleAction must be allow or deny, not {other:?}")))
            }
        };
        let ipv6 = p.opt_ipv6_cidr("Ipv6CidrBlock")?;
        let cidr = p.opt_cidr("CidrBlock")?;
        if cidr.is_some() && ipv6.is_some() {
            return Err(bad("Ipv6CidrBlock", "give CidrBlock or Ipv6CidrBlock, not both"));
        }
        if cidr.is_none() && ipv6.is_none() {
            return Err(bad("CidrBlock", "required property CidrBlock (or Ipv6CidrBlock) is missing"));
        }
        let ports = match p.get("PortRange") {
            Some(n) => {
                let r = item(n, "PortRange");
                port_range(r.opt_int("From")?, r.opt_int("To")?)
                    .ok_or_else(|| bad("PortRange", "From and To must be ports"))?
            }
            None => PortRange::ALL,
        };
        let icmp = match p.get("Icmp") {
            Some(n) => {
                let r = item(n, "Icmp");
                icmp_type_code(r.opt_int("Type")?, r.opt_int("Code")?)
                    .ok_or_else(|| bad("Icmp", "Type and Code must be -1 (all) or 0 to 255"))?
            }
            None => IcmpTypeCode::ALL,
        };
        let dir = if p.opt_bool("Egress")?.unwrap_or(false) { Direction::Egress } else { Direction::Ingress };
        let Some(cidr) = cidr else {
            let cidr = ipv6.unwrap_or(crate::model::ipv6::ANY);
            return self.ipv6_acl_entry(logical_id, acl, dir, cidr, (number, protocol, ports, icmp), allow);
        };
        let entry = AclEntry { icmp, ..acl_entry(number, protocol, ports, cidr, allow) };
        self.world.create_network_acl_entry(acl, dir, entry).map_err(|e| api(e, Some("RuleNumber")))?;
        Ok(created(format!("{}-{}-{number}", self.world[acl].aws_id, dir), &[]))
    }

    pub(super) fn network_acl_association(&mut self, p: Props<'_>) -> R {
        let acl = self.lookup(&p, "NetworkAclId", |w, id| w.nacl_id("ReplaceNetworkAclAssociation", id))?;
        let subnet = self.subnet_of(&p, "SubnetId")?;
        self.world.associate_network_acl(acl, subnet).map_err(|e| api(e, Some("SubnetId")))?;
        let id = format!("aclassoc-{}", self.world.id_stream().hex(17));
        Ok(created(id.clone(), &[("AssociationId", s(id))]))
    }

    pub(super) fn instance(
        &mut self,
        logical_id: &str,
        p: Props<'_>,
        props: &Node,
        metadata: Option<&Node>,
    ) -> R {
        let mut req = RunInstance {
            instance_type: p.opt_str("InstanceType")?,
            image_id: p.opt_str("ImageId")?,
            key_name: p.opt_str("KeyName")?,
            tags: p.tags()?,
            ..Default::default()
        };
        let nics = p.maps("NetworkInterfaces")?;
        let entries = if nics.is_empty() {
            req.subnet = Some(self.subnet_of(&p, "SubnetId").map_err(|e| {
                if p.get("SubnetId").is_none() {
                    bad_hint(
                        "SubnetId",
                        "the instance names no subnet (vpcsim has no default VPC)",
                        "add SubnetId or NetworkInterfaces",
                    )
                } else {
                    e
                }
            })?);
            req.groups = self.groups_of(&p, "SecurityGroupIds")?;
            req.private_ip = p.opt_ip("PrivateIpAddress")?;
            None
        } else {
            for (key, what) in [
                ("SubnetId", "an instance-level subnet ID"),
                ("SecurityGroupIds", "instance-level security groups"),
                ("PrivateIpAddress", "an instance-level private IP address"),
            ] {
                if p.get(key).is_some() {
                    return Err(bad_hint(
                        key,
                        format!("Network interfaces and {what} may not be specified on the same request (InvalidParameterCombination)"),
                        format!("move {key} into the NetworkInterfaces entry at DeviceIndex 0"),
                    ));
                }
            }
            Some(self.launch_interfaces(nics, &mut req)?)
        };
        req.image_family =
            crate::cfn::image(props, metadata).map_err(|e| bad("UserData", e.message.clone()))?;
        req.metadata_options = super::metadata_options::read(p.get("MetadataOptions"), "MetadataOptions")?;
        let i = self.world.run_instance(req).map_err(|e| match &entries {
            Some(entries) => super::eni::launch_error(e, entries),
            None => {
                let at = if e.code.starts_with("InvalidIP") || e.message.contains("Address") {
                    "PrivateIpAddress"
                } else {
                    "SubnetId"
                };
                api(e, Some(at))
            }
        })?;
        if p.opt_bool("SourceDestCheck")? == Some(false) {
            let eni = self.world.only_interface("ModifyInstanceAttribute", i).map_err(|e| {
                bad_hint(
                    "SourceDestCheck",
                    format!("{} ({})", e.message, e.code),
                    "set SourceDestCheck on each AWS::EC2::NetworkInterface instead",
                )
            })?;
            self.world.set_source_dest_check(eni, false);
        }
        let (found, forwarding, signals) = self.boot(logical_id, i, props, metadata)?;
        if !signals.is_empty() {
            self.sent.push((i, signals));
        }
        self.warnings.extend(
            found
                .notes
                .into_iter()
                .map(|message| crate::cfn::SinkWarning { property: "UserData".into(), message }),
        );
        self.world.set_services(i, found.services);
        if forwarding.is_configured() {
            self.world.set_forwarding(i, forwarding);
        }
        Ok(self.instance_created(i))
    }

    /// The instance's UserData run once it exists (M1, M3, C2, M7): what it listens on,
    /// whether it forwards packets and the signals it sends; its `aws` calls change the
    /// world as they are made.
    pub(super) fn boot(
        &mut self,
        logical_id: &str,
        i: InstanceId,
        props: &Node,
        metadata: Option<&Node>,
    ) -> Result<Booted, SinkError> {
        let profile = super::instance_cli::profile_of(props);
        let region = self.world.region().name;
        let world = std::cell::RefCell::new(&mut *self.world);
        let answer = |request: &crate::model::metadata_options::MetadataRequest<'_>| {
            world.borrow().metadata_request(i, request)
        };
        let cli = super::instance_cli::InstanceCli::new(&world, i, profile);
        let boot = crate::cfn::Boot {
            stack: &self.stack_name,
            resource: logical_id,
            region,
            metadata: Some(&answer),
            aws: Some(&cli),
        };
        let located = |e: crate::cfn::Problem| bad("UserData", e.message);
        let found = crate::cfn::listening_at(props, metadata, boot).map_err(located)?;
        let forwarding = crate::cfn::forwarding_at(props, metadata, boot).map_err(located)?;
        let mut signals = crate::cfn::signal::sent_by(props, metadata, boot).map_err(located)?;
        explain_failure_signals(&mut signals, &cli.failures());
        let notes = cli.notes();
        self.warnings.extend(
            notes.into_iter().map(|message| crate::cfn::SinkWarning { property: "UserData".into(), message }),
        );
        Ok((found, forwarding, signals))
    }

    fn instance_created(&self, i: InstanceId) -> Created {
        let w = &*self.world;
        let inst = &w[i];
        let eni = &w[inst.eni];
        let public = w.public_ip_of(inst.eni);
        let octets = |ip: std::net::Ipv4Addr| ip.to_string().replace('.', "-");
        let dns_public = public
            .filter(|_| w[eni.vpc].dns_hostnames)
            .map(|ip| format!("ec2-{}.{}", octets(ip), w.region().public_suffix()))
            .unwrap_or_default();
        created(
            inst.aws_id.clone(),
            &[
                ("InstanceId", s(&inst.aws_id)),
                ("PrivateIp", s(eni.private_ip.to_string())),
                ("PublicIp", s(public.map(|p| p.to_string()).unwrap_or_default())),
                (
                    "PrivateDnsName",
                    s(format!("ip-{}.{}", octets(eni.private_ip), w.region().internal_suffix())),
                ),
                ("PublicDnsName", s(dns_public)),
                ("AvailabilityZone", s(w[eni.subnet].az)),
            ],
        )
    }

    /// AWS::EC2::NetworkInterface, with its secondary addresses (M6): `GetAtt
    /// PrimaryPrivateIpAddress` and `SecondaryPrivateIpAddresses` (a list).
    pub(super) fn network_interface(&mut self, p: Props<'_>) -> R {
        let addresses = super::eni::Addresses::read(&p, "CreateNetworkInterface")?;
        let mut req = CreateNetworkInterface {
            subnet: Some(self.subnet_of(&p, "SubnetId")?),
            groups: self.groups_of(&p, "GroupSet")?,
            description: p.opt_str("Description")?.unwrap_or_default(),
            source_dest_check: p.opt_bool("SourceDestCheck")?,
            tags: p.tags()?,
            ..Default::default()
        };
        addresses.apply(&mut req);
        let e = self.world.create_network_interface(req).map_err(|e| {
            let at = addresses.locate(&e).unwrap_or_else(|| "PrivateIpAddress".into());
            api(e, Some(&at))
        })?;
        let eni = &self.world[e];
        let secondary = eni.secondary_ips.iter().map(|x| x.ip.to_string()).collect();
        Ok(created(
            eni.aws_id.clone(),
            &[
                ("Id", s(&eni.aws_id)),
                ("PrimaryPrivateIpAddress", s(eni.private_ip.to_string())),
                ("SecondaryPrivateIpAddresses", AttrValue::List(secondary)),
            ],
        ))
    }

    pub(super) fn eip(&mut self, p: Props<'_>) -> R {
        let eip = self.world.allocate_address(p.tags()?);
        if p.opt_str("InstanceId")?.is_some() {
            let i = self.lookup(&p, "InstanceId", |w, id| w.instance_id("AssociateAddress", id))?;
            let eni =
                self.world.only_interface("AssociateAddress", i).map_err(|e| api(e, Some("InstanceId")))?;
            self.world.associate_address(eip, eni).map_err(|e| api(e, Some("InstanceId")))?;
        }
        let a = &self.world[eip];
        Ok(created(
            a.public_ip.to_string(),
            &[("AllocationId", s(&a.allocation_id)), ("PublicIp", s(a.public_ip.to_string()))],
        ))
    }

    pub(super) fn eip_association(&mut self, p: Props<'_>) -> R {
        let eip = if let Some(alloc) = p.opt_str("AllocationId")? {
            match self.world.find(&alloc) {
                Some(Handle::Eip(x)) => x,
                _ => return Err(bad("AllocationId", format!("no Elastic IP allocation {alloc}"))),
            }
        } else {
            let ip = p.str("EIP")?;
            let address = ip.parse().ok();
            address
                .and_then(|a| self.world.eip_by_address(a))
                .ok_or_else(|| bad("EIP", format!("no Elastic IP {ip}")))?
        };
        let eni = if p.opt_str("NetworkInterfaceId")?.is_some() {
            self.lookup(&p, "NetworkInterfaceId", |w, id| w.eni_id("AssociateAddress", id))?
        } else {
            let i = self.lookup(&p, "InstanceId", |w, id| w.instance_id("AssociateAddress", id))?;
            self.world.only_interface("AssociateAddress", i).map_err(|e| api(e, Some("InstanceId")))?
        };
        let private = p.opt_ip("PrivateIpAddress")?;
        let assoc = self.world.associate_address_with(eip, eni, private).map_err(|e| {
            let at = if e.message.contains("private IP address") {
                "PrivateIpAddress"
            } else {
                "NetworkInterfaceId"
            };
            api(e, Some(at))
        })?;
        Ok(created(assoc, &[]))
    }

    pub(super) fn endpoint_service(&mut self, p: Props<'_>) -> R {
        let mut lbs = Vec::new();
        for arn in p.str_list("NetworkLoadBalancerArns")? {
            lbs.push(
                self.world
                    .lb_id("CreateVpcEndpointServiceConfiguration", &arn)
                    .map_err(|e| api(e, Some("NetworkLoadBalancerArns")))?,
            );
        }
        if p.get("GatewayLoadBalancerArns").is_some() {
            return Err(bad(
                "GatewayLoadBalancerArns",
                "Gateway Load Balancer endpoint services are not modelled",
            ));
        }
        let acceptance = p.opt_bool("AcceptanceRequired")?.unwrap_or(false);
        let svc = self
            .world
            .create_vpc_endpoint_service_configuration(&lbs, acceptance, None, Default::default())
            .map_err(|e| api(e, Some("NetworkLoadBalancerArns")))?;
        let id = self.world[svc].service_id.clone();
        Ok(created(id.clone(), &[("ServiceId", s(id))]))
    }

    pub(super) fn endpoint_service_permissions(&mut self, p: Props<'_>) -> R {
        let svc =
            self.lookup(&p, "ServiceId", |w, id| w.service_id("ModifyVpcEndpointServicePermissions", id))?;
        let principals = p.str_list("AllowedPrincipals")?;
        self.world
            .modify_vpc_endpoint_service_permissions(svc, &principals, &[])
            .map_err(|e| api(e, Some("AllowedPrincipals")))?;
        Ok(created(format!("{}-permissions", self.world[svc].service_id), &[]))
    }

    pub(super) fn endpoint(&mut self, p: Props<'_>) -> R {
        let kind = p.opt_str("VpcEndpointType")?.unwrap_or_else(|| "Gateway".into());
        if kind == "Gateway" {
            return self.gateway_endpoint(p);
        }
        if kind != "Interface" {
            return Err(bad_hint(
                "VpcEndpointType",
                format!("{kind} endpoints are not modelled"),
                "use VpcEndpointType: Interface or Gateway",
            ));
        }
        if p.get("PolicyDocument").is_some() {
            self.warnings.push(crate::cfn::SinkWarning {
                property: "PolicyDocument".into(),
                message: "vpcsim evaluates the policies of Gateway endpoints only (E2); this Interface endpoint's policy changes nothing".into(),
            });
        }
        let mut subnets = Vec::new();
        for id in p.str_list("SubnetIds")? {
            subnets
                .push(self.world.subnet_id("CreateVpcEndpoint", &id).map_err(|e| api(e, Some("SubnetIds")))?);
        }
        let req = CreateVpcEndpoint {
            vpc: Some(self.vpc_of(&p, "VpcId")?),
            service_name: p.str("ServiceName")?,
            subnets,
            groups: self.groups_of(&p, "SecurityGroupIds")?,
            private_dns_enabled: p.opt_bool("PrivateDnsEnabled")?.unwrap_or(false),
            tags: Default::default(),
        };
        let ep = self.world.create_vpc_endpoint(req).map_err(|e| {
            let at = if e.message.contains("availability zone") { "SubnetIds" } else { "ServiceName" };
            api(e, Some(at))
        })?;
        if matches!(self.world[ep].service, ServiceRef::Aws(_)) {
            // P13: CloudFormation waits until an AWS service's endpoint is available.
            self.world.advance(std::time::Duration::from_secs(PROVISION_SECONDS));
        }
        let e = &self.world[ep];
        let entries =
            self.world.endpoint_dns_names(ep).into_iter().map(|n| format!("Z7HUB22UULQXV:{n}")).collect();
        let enis = e.enis.iter().map(|x| self.world[x].aws_id.clone()).collect();
        Ok(created(
            e.aws_id.clone(),
            &[
                ("Id", s(&e.aws_id)),
                ("DnsEntries", AttrValue::List(entries)),
                ("NetworkInterfaceIds", AttrValue::List(enis)),
            ],
        ))
    }
}

/// N4: an entry's `Icmp: {Type, Code}`; -1 (or absent) means all.
fn icmp_type_code(icmp_type: Option<i64>, code: Option<i64>) -> Option<IcmpTypeCode> {
    let one = |v: Option<i64>| match v {
        None | Some(-1) => Some(None),
        Some(v) => u8::try_from(v).ok().map(Some),
    };
    Some(IcmpTypeCode { icmp_type: one(icmp_type)?, code: one(code)? })
}

/// FromPort/ToPort as a range; -1 (or absent) means all.
/// A8: a rule's `CidrIpv6` permission, or `None` for a rule with another peer.
fn ipv6_permission(p: &Props<'_>) -> Result<Option<super::ipv6::Ipv6Permission>, SinkError> {
    let Some(cidr) = p.opt_ipv6_cidr("CidrIpv6")? else { return Ok(None) };
    if p.get("CidrIp").is_some() {
        return Err(bad(&p.path("CidrIpv6"), "give CidrIp or CidrIpv6, not both"));
    }
    let protocol: RuleProtocol = p
        .str("IpProtocol")?
        .parse()
        .map_err(|e: crate::addr::ProtocolParseError| bad(&p.path("IpProtocol"), e.to_string()))?;
    let ports = port_range(p.opt_int("FromPort")?, p.opt_int("ToPort")?)
        .ok_or_else(|| bad(&p.path("FromPort"), "FromPort and ToPort must be ports (or -1 for all)"))?;
    Ok(Some((protocol, ports, cidr, p.opt_str("Description")?)))
}

fn port_range(from: Option<i64>, to: Option<i64>) -> Option<PortRange> {
    match (from, to) {
        (None | Some(-1), None | Some(-1)) => Some(PortRange::ALL),
        (Some(f), t) => {
            let f = u16::try_from(f).ok()?;
            let t = match t {
                None | Some(-1) => f,
                Some(t) => u16::try_from(t).ok()?,
            };
            (f <= t).then_some(PortRange { from: f, to: t })
        }
        (None, Some(t)) => u16::try_from(t).ok().map(PortRange::single),
    }
}

/// A property that names a route's target, with the target it names.
pub(super) type TargetProperty = (&'static str, fn(String) -> RouteTargetSpec);

/// The properties that name a route's target (IPv4 and IPv6 routes; an IPv6 route may also
/// name an egress-only gateway).
pub(super) const ROUTE_TARGETS: [TargetProperty; 6] = [
    ("GatewayId", RouteTargetSpec::Gateway),
    ("InstanceId", RouteTargetSpec::Instance),
    ("NetworkInterfaceId", RouteTargetSpec::NetworkInterface),
    ("NatGatewayId", RouteTargetSpec::NatGateway),
    ("VpcPeeringConnectionId", RouteTargetSpec::VpcPeeringConnection),
    ("TransitGatewayId", RouteTargetSpec::TransitGateway),
];

/// R4: the target a route's properties name among `targets` (the last one given), or an
/// error at its `destination` property whose hint says what to `add`.
pub(super) fn route_target(
    p: &Props<'_>,
    targets: &[TargetProperty],
    destination: &str,
    add: &str,
) -> Result<(&'static str, RouteTargetSpec), SinkError> {
    let mut spec = None;
    for &(key, make) in targets {
        if let Some(v) = p.opt_str(key)? {
            spec = Some((key, make(v)));
        }
    }
    spec.ok_or_else(|| bad_hint(destination, "the route has no target", add))
}
