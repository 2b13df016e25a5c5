//! Load balancers, target groups and listeners from templates, and deleting what a
//! stack made (refused where AWS refuses: an NLB used by an endpoint service, P10).

use crate::cfn::{AttrValue, Created, SinkError};
use crate::ids::IgwId;
use crate::model::nlb::{
    HealthCheck, HealthCheckProtocol, HttpCodes, ListenerProtocol, TargetGroupAttribute, TargetRef,
    TargetType,
};
use crate::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use crate::world::Handle;

use super::props::{bad, bad_hint, item, Props};
use super::{api, created, s, StackBuilder};

type R = Result<Created, SinkError>;

/// L1: only a Network Load Balancer is modelled. `Type` defaults to `application`, as in
/// CloudFormation, so a load balancer without it is an Application Load Balancer; checked
/// before its properties, whose names (`idle_timeout.timeout_seconds`) are an ALB's.
pub(super) fn network_only(p: Props<'_>) -> Result<(), SinkError> {
    let kind = p.opt_str("Type")?.unwrap_or_else(|| "application".into());
    if kind == "network" {
        return Ok(());
    }
    let written = if p.get("Type").is_some() { "" } else { " (no Type: CloudFormation's default)" };
    Err(bad_hint(
        "Type",
        format!("{kind} load balancers{written} are not modelled by vpcsim; only Type: network is"),
        "model the traffic with a Network Load Balancer (Type: network), or leave this stack out",
    ))
}

impl StackBuilder<'_> {
    /// A name CloudFormation would generate: the Name tag when it is a valid name (so the
    /// lab's NLB is `Custom-NLB-<hex>` as the walkthrough shows), else stack and logical id.
    fn generated_name(&mut self, logical_id: &str, tags: &crate::model::Tags) -> String {
        let valid = |n: &str| {
            !n.is_empty()
                && n.len() <= 32
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !n.starts_with('-')
                && !n.ends_with('-')
        };
        if let Some(n) = tags.get("Name").filter(|n| valid(n)) {
            return n.clone();
        }
        let stem: String = format!("{}-{}", self.stack_name, logical_id)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(19)
            .collect();
        format!("{}-{}", stem.trim_matches('-'), self.world.id_stream().hex(12).to_uppercase())
    }

    pub(super) fn load_balancer(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let tags = p.tags()?;
        let name = match p.opt_str("Name")? {
            Some(n) => n,
            None => self.generated_name(logical_id, &tags),
        };
        let mut subnets = Vec::new();
        for id in p.str_list("Subnets")? {
            subnets
                .push(self.world.subnet_id("CreateLoadBalancer", &id).map_err(|e| api(e, Some("Subnets")))?);
        }
        let mut elastic_ips = Vec::new();
        for (path, m) in p.maps("SubnetMappings")? {
            let mapping = item(m, &path);
            let id = mapping.str("SubnetId")?;
            let subnet = self.world.subnet_id("CreateLoadBalancer", &id).map_err(|e| api(e, Some(&path)))?;
            subnets.push(subnet);
            if let Some(alloc) = mapping.opt_str("AllocationId")? {
                let at = format!("{path}.AllocationId");
                elastic_ips.push((
                    subnet,
                    self.world.eip_id("CreateLoadBalancer", &alloc).map_err(|e| api(e, Some(&at)))?,
                ));
            }
        }
        let mut groups = Vec::new();
        for id in p.str_list("SecurityGroups")? {
            groups.push(
                self.world.sg_id("CreateLoadBalancer", &id).map_err(|e| api(e, Some("SecurityGroups")))?,
            );
        }
        let mut cross_zone = false;
        for (path, a) in p.maps("LoadBalancerAttributes")? {
            let a = item(a, &path);
            if a.str("Key")? == "load_balancing.cross_zone.enabled" {
                cross_zone = a.opt_bool("Value")?.unwrap_or(false);
            }
        }
        let internal = match p.opt_str("Scheme")?.as_deref() {
            None | Some("internet-facing") => false,
            Some("internal") => true,
            Some(other) => {
                return Err(bad(
                    "Scheme",
                    format!("Scheme must be internet-facing or internal, not {other:?}"),
                ))
            }
        };
        let enforce = match p.opt_str("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")?.as_deref() {
            None => None,
            Some("on") => Some(true),
            Some("off") => Some(false),
            Some(other) => {
                return Err(bad(
                    "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
                    format!(
                    "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic must be on or off, not {other:?}"
                ),
                ))
            }
        };
        if enforce.is_some() && groups.is_empty() {
            return Err(bad_hint(
                "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
                "a load balancer without security groups has no rules to enforce on PrivateLink traffic",
                "give SecurityGroups, or leave the property out",
            ));
        }
        let req = CreateLoadBalancer {
            name,
            subnets,
            internal,
            security_groups: groups,
            cross_zone,
            enforce_sg_on_privatelink: enforce,
            elastic_ips,
            tags,
        };
        let at = if p.get("SubnetMappings").is_some() { "SubnetMappings" } else { "Subnets" };
        let lb = self.world.create_load_balancer(req).map_err(|e| api(e, Some(at)))?;
        let l = &self.world[lb];
        let full = l.arn.split(":loadbalancer/").nth(1).unwrap_or_default().to_string();
        let sgs = l.security_groups.iter().map(|g| self.world[g].aws_id.clone()).collect();
        Ok(created(
            l.arn.clone(),
            &[
                ("DNSName", s(&l.dns_name)),
                ("LoadBalancerName", s(&l.name)),
                ("LoadBalancerFullName", s(full)),
                ("LoadBalancerArn", s(&l.arn)),
                ("CanonicalHostedZoneID", s("ZIBE1TIR4HY56")),
                ("SecurityGroups", AttrValue::List(sgs)),
            ],
        ))
    }

    pub(super) fn target_group(&mut self, logical_id: &str, p: Props<'_>) -> R {
        let tags = p.tags()?;
        let name = match p.opt_str("Name")? {
            Some(n) => n,
            None => self.generated_name(logical_id, &crate::model::Tags::new()),
        };
        let protocol_text = p.opt_str("Protocol")?.unwrap_or_else(|| "TCP".into());
        let protocol = ListenerProtocol::parse(&protocol_text).ok_or_else(|| {
            bad_hint(
                "Protocol",
                format!("{protocol_text} target groups are not modelled"),
                "use TCP, UDP, TCP_UDP or TLS",
            )
        })?;
        let target_type = match p.opt_str("TargetType")?.as_deref() {
            None | Some("instance") => TargetType::Instance,
            Some("ip") => TargetType::Ip,
            Some(other) => {
                return Err(bad(
                    "TargetType",
                    format!("{other} targets are not modelled; use instance or ip"),
                ))
            }
        };
        let hc = health_check(p)?;
        let mut attributes = Vec::new();
        for (path, a) in p.maps("TargetGroupAttributes")? {
            let a = item(a, &path);
            let key = a.str("Key")?;
            if !TargetGroupAttribute::KEYS.contains(&key.as_str()) {
                continue;
            }
            let value = a.str("Value")?;
            attributes.push(TargetGroupAttribute::parse(&key, &value).map_err(|m| bad(&path, m))?);
        }
        let vpc =
            self.world.vpc_id("CreateTargetGroup", &p.str("VpcId")?).map_err(|e| api(e, Some("VpcId")))?;
        let port = p.opt_port("Port")?.ok_or_else(|| bad("Port", "required property Port is missing"))?;
        let req = CreateTargetGroup {
            name,
            protocol,
            port,
            vpc,
            target_type,
            health_check: hc,
            preserve_client_ip: None,
            tags,
        };
        let tg = self.world.create_target_group(req).map_err(|e| api(e, Some("Name")))?;
        self.world.modify_target_group_attributes(tg, &attributes);
        let mut specs = Vec::new();
        for (path, t) in p.maps("Targets")? {
            let t = item(t, &path);
            let id = t.str("Id")?;
            let target = match target_type {
                TargetType::Instance => TargetRef::Instance(
                    self.world.instance_id("RegisterTargets", &id).map_err(|e| api(e, Some(&path)))?,
                ),
                TargetType::Ip => TargetRef::Ip(
                    id.parse().map_err(|_| bad(&path, format!("{id:?} is not an IPv4 address")))?,
                ),
            };
            specs.push(TargetSpec { target, port: t.opt_port("Port")? });
        }
        self.world.register_targets(tg, &specs).map_err(|e| api(e, Some("Targets")))?;
        let g = &self.world[tg];
        let full =
            g.arn.split(":targetgroup/").nth(1).map(|t| format!("targetgroup/{t}")).unwrap_or_default();
        Ok(created(
            g.arn.clone(),
            &[
                ("TargetGroupName", s(&g.name)),
                ("TargetGroupFullName", s(full)),
                ("TargetGroupArn", s(&g.arn)),
                ("LoadBalancerArns", AttrValue::List(Vec::new())),
            ],
        ))
    }

    pub(super) fn listener(&mut self, p: Props<'_>) -> R {
        let lb = self
            .world
            .lb_id("CreateListener", &p.str("LoadBalancerArn")?)
            .map_err(|e| api(e, Some("LoadBalancerArn")))?;
        let port = p.opt_port("Port")?.ok_or_else(|| bad("Port", "required property Port is missing"))?;
        let protocol_text = p.opt_str("Protocol")?.unwrap_or_else(|| "TCP".into());
        let protocol = ListenerProtocol::parse(&protocol_text).ok_or_else(|| {
            bad_hint(
                "Protocol",
                format!("{protocol_text} listeners are not modelled on an NLB"),
                "use TCP, UDP, TCP_UDP or TLS",
            )
        })?;
        let mut tg = None;
        for (path, a) in p.maps("DefaultActions")? {
            let a = item(a, &path);
            let kind = a.str("Type")?;
            if kind != "forward" {
                return Err(bad(&path, format!("action {kind} is not modelled; NLB listeners forward")));
            }
            let arn = match a.opt_str("TargetGroupArn")? {
                Some(arn) => arn,
                None => {
                    let fc = a.get("ForwardConfig").ok_or_else(|| {
                        bad(&path, "a forward action needs TargetGroupArn or ForwardConfig")
                    })?;
                    let groups = item(fc, &path).maps("TargetGroups")?;
                    if groups.len() > 1 {
                        return Err(bad_hint(
                            &groups[1].0,
                            "a Network Load Balancer listener forwards to one target group",
                            "keep one entry in ForwardConfig.TargetGroups",
                        ));
                    }
                    let (gp, g) =
                        groups.first().ok_or_else(|| bad(&path, "ForwardConfig has no TargetGroups"))?;
                    item(g, gp).str("TargetGroupArn")?
                }
            };
            tg = Some(self.world.target_group_id("CreateListener", &arn).map_err(|e| api(e, Some(&path)))?);
        }
        let l = self.world.create_listener(lb, protocol, port, tg).map_err(|e| api(e, Some("Port")))?;
        let arn = self.world[l].arn.clone();
        Ok(created(arn.clone(), &[("ListenerArn", s(arn))]))
    }

    /// Delete what a stack created; resources AWS would refuse to delete are refused.
    pub(super) fn remove(&mut self, ty: &str, c: &Created) -> Result<(), SinkError> {
        let w = &mut *self.world;
        let refused = |e: crate::error::ApiError| SinkError {
            message: format!("{} ({})", e.message, e.code),
            hint: None,
            property: None,
        };
        match (ty, w.find(&c.physical_id)) {
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", Some(Handle::Lb(x))) => {
                w.delete_load_balancer(x).map_err(refused)?
            }
            ("AWS::ElasticLoadBalancingV2::TargetGroup", Some(Handle::TargetGroup(x))) => {
                w.delete_target_group(x)
            }
            ("AWS::ElasticLoadBalancingV2::Listener", Some(Handle::Listener(x))) => {
                w.delete_listener(x);
            }
            ("AWS::EC2::Instance", Some(Handle::Instance(x))) => w.terminate_instance(x),
            ("AWS::AutoScaling::AutoScalingGroup", Some(Handle::AutoScalingGroup(x))) => {
                w.delete_auto_scaling_group(x)
            }
            (
                "AWS::EC2::LaunchTemplate" | "AWS::AutoScaling::LaunchConfiguration",
                Some(Handle::LaunchTemplate(x)),
            ) => w.delete_launch_template(x),
            ("AWS::EC2::VPCEndpoint", Some(Handle::Endpoint(x))) => {
                w.delete_vpc_endpoints(&[x]).map_err(refused)?
            }
            ("AWS::EC2::VPCEndpointService", Some(Handle::Service(x))) => {
                w.delete_vpc_endpoint_service_configuration(x).map_err(refused)?
            }
            ("AWS::EC2::VPCEndpoint", Some(Handle::GatewayEndpoint(x))) => w.delete_gateway_endpoint(x),
            ("AWS::EC2::DHCPOptions", Some(Handle::DhcpOptions(x))) => {
                w.delete_dhcp_options(x).map_err(refused)?
            }
            ("AWS::EC2::PrefixList", Some(Handle::PrefixList(x))) => {
                w.delete_managed_prefix_list(x).map_err(refused)?
            }
            ("AWS::EC2::VPCPeeringConnection", Some(Handle::Peering(x))) => {
                w.delete_vpc_peering_connection(x).map_err(refused)?
            }
            ("AWS::EC2::NetworkInterface", Some(Handle::Eni(x))) => {
                w.delete_network_interface(x).map_err(refused)?
            }
            ("AWS::EC2::NatGateway", Some(Handle::NatGateway(x))) => {
                w.delete_nat_gateway(x).map_err(refused)?
            }
            ("AWS::EC2::InternetGateway", Some(Handle::Igw(x))) => w.stack_delete_internet_gateway(x),
            ("AWS::EC2::EgressOnlyInternetGateway", Some(Handle::Eigw(x))) => {
                w.delete_egress_only_internet_gateway(x)
            }
            ("AWS::EC2::VPCGatewayAttachment", _) => {
                let vpc = c.physical_id.strip_prefix("IGW|").and_then(|v| w.find(v));
                if let Some(Handle::Vpc(v)) = vpc {
                    let attached: Vec<IgwId> =
                        w.igws().iter().filter(|(_, g)| g.attached == Some(v)).map(|(g, _)| g).collect();
                    for g in attached {
                        w.detach_internet_gateway(g, v).map_err(refused)?;
                    }
                }
            }
            ("AWS::EC2::SecurityGroup", Some(Handle::Sg(x))) => w.stack_delete_security_group(x),
            ("AWS::EC2::RouteTable", Some(Handle::RouteTable(x))) => w.stack_delete_route_table(x),
            ("AWS::EC2::Subnet", Some(Handle::Subnet(x))) => w.delete_subnet(x).map_err(refused)?,
            ("AWS::EC2::NetworkAcl", Some(Handle::Nacl(x))) => w.stack_delete_network_acl(x),
            ("AWS::EC2::SubnetCidrBlock", _) => w.disassociate_subnet_ipv6_cidr_block(&c.physical_id),
            ("AWS::EC2::VPCCidrBlock", _) => {
                w.disassociate_vpc_cidr_block(&c.physical_id).map_err(refused)?
            }
            ("AWS::EC2::VPC", Some(Handle::Vpc(x))) => w.delete_vpc(x).map_err(refused)?,
            _ => {}
        }
        Ok(())
    }
}

/// A target group's health check as AWS accepts it (docs/aws-rules.md L4 and L10 for the
/// defaults): a value outside AWS's range is refused, not replaced by a default.
/// `HealthCheckTimeoutSeconds` is checked though the simulation does not time checks out.
fn health_check(p: Props<'_>) -> Result<HealthCheck, SinkError> {
    let mut hc = HealthCheck::default();
    if let Some(text) = p.opt_str("HealthCheckProtocol")? {
        hc.protocol = HealthCheckProtocol::parse(&text).ok_or_else(|| {
            bad_hint(
                "HealthCheckProtocol",
                format!("{text} health checks are not supported on a Network Load Balancer"),
                "use TCP, HTTP or HTTPS",
            )
        })?;
    }
    let http = hc.protocol != HealthCheckProtocol::Tcp;
    if let Some(path) = p.opt_str("HealthCheckPath")? {
        if !http || !path.starts_with('/') || path.len() > 1024 {
            return Err(bad_hint(
                "HealthCheckPath",
                format!("health check path {path:?} is not valid here"),
                "a path starts with / and applies to HTTP and HTTPS health checks",
            ));
        }
        hc.path = path;
    }
    if let Some(m) = p.get("Matcher") {
        let m = item(m, "Matcher");
        let codes = m.str("HttpCode")?;
        hc.matcher = HttpCodes::parse(&codes).filter(|_| http).ok_or_else(|| {
            bad_hint(
                "Matcher.HttpCode",
                format!("{codes:?} is not a valid matcher here"),
                "HTTP and HTTPS health checks take codes from 200 to 599: 200, 200,302 or 200-299",
            )
        })?;
    }
    if let Some(n) = p.opt_int_in("HealthCheckIntervalSeconds", 5, 300)? {
        hc.interval_s = u32::try_from(n).unwrap_or(hc.interval_s);
    }
    p.opt_int_in("HealthCheckTimeoutSeconds", 2, 120)?;
    if let Some(n) = p.opt_int_in("HealthyThresholdCount", 2, 10)? {
        hc.healthy_threshold = u8::try_from(n).unwrap_or(hc.healthy_threshold);
    }
    if let Some(n) = p.opt_int_in("UnhealthyThresholdCount", 2, 10)? {
        hc.unhealthy_threshold = u8::try_from(n).unwrap_or(hc.unhealthy_threshold);
    }
    if p.opt_str("HealthCheckPort")?.is_some_and(|x| x != "traffic-port") {
        hc.port = p.opt_port("HealthCheckPort").map_err(|e| SinkError {
            hint: Some("HealthCheckPort is traffic-port or a port from 1 to 65535".into()),
            ..e
        })?;
    }
    Ok(hc)
}
