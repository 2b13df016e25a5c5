//! Network Load Balancers, listeners, target groups and targets (L1-L4, L6, L7, P10).

use std::net::Ipv4Addr;

use super::ApiResult;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::nlb::*;
use crate::model::Tags;
use crate::ops::ec2::CreateNetworkInterface;
use crate::quota::Quota;
use crate::world::{Handle, World};

/// Options of CreateLoadBalancer (type network).
#[derive(Clone, Debug, Default)]
pub struct CreateLoadBalancer {
    /// The name; also the first part of the DNS name (L2).
    pub name: String,
    /// Subnets, one per AZ (L1).
    pub subnets: Vec<SubnetId>,
    /// internet-facing (default) or internal.
    pub internal: bool,
    /// L9: security groups (only settable at creation).
    pub security_groups: Vec<SgId>,
    /// L6: cross-zone load balancing (off by default).
    pub cross_zone: bool,
    /// L9: whether the groups filter PrivateLink traffic; None for the default (on).
    pub enforce_sg_on_privatelink: Option<bool>,
    /// L1: Elastic IPs given to the nodes of some subnets (`SubnetMappings[].AllocationId`),
    /// internet-facing only; a node without one gets an address of Amazon's.
    pub elastic_ips: Vec<(SubnetId, EipId)>,
    /// Tags.
    pub tags: Tags,
}

/// Options of CreateTargetGroup.
#[derive(Clone, Debug)]
pub struct CreateTargetGroup {
    /// Name.
    pub name: String,
    /// Protocol.
    pub protocol: ListenerProtocol,
    /// Port.
    pub port: u16,
    /// VPC.
    pub vpc: VpcId,
    /// instance or ip.
    pub target_type: TargetType,
    /// Health check settings.
    pub health_check: HealthCheck,
    /// L7: override client IP preservation.
    pub preserve_client_ip: Option<bool>,
    /// Tags.
    pub tags: Tags,
}

/// A target to register, with an optional port (the group's when absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    /// The instance or address.
    pub target: TargetRef,
    /// The port.
    pub port: Option<u16>,
}

/// Seconds from registration to the first health check.
pub const FIRST_CHECK_DELAY_MS: u64 = 10_000;

/// The names of load balancers and target groups: 1 to 32 letters, digits and hyphens,
/// neither starting nor ending with a hyphen (the name is part of the ARN and DNS name).
fn valid_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl World {
    /// CreateLoadBalancer: one node per subnet, each with an ENI and (internet-facing) a public IP (L1, L2).
    pub fn create_load_balancer(&mut self, req: CreateLoadBalancer) -> ApiResult<LbId> {
        const OP: &str = "CreateLoadBalancer";
        let invalid = |m: String| ApiError::new(OP, "ValidationError", m);
        if !valid_name(&req.name) {
            return Err(invalid(format!("Load balancer name '{}' is invalid: use up to 32 letters, digits and hyphens, not starting or ending with a hyphen.", req.name)));
        }
        if self.live_lb_named(&req.name).is_some() {
            return Err(ApiError::new(
                OP,
                "DuplicateLoadBalancerName",
                format!("A load balancer with the name '{}' already exists.", req.name),
            ));
        }
        let first =
            *req.subnets.first().ok_or_else(|| invalid("At least one subnet must be specified.".into()))?;
        let vpc = self.subnets[first].vpc;
        let mut azs = Vec::new();
        for s in &req.subnets {
            let sub = &self.subnets[*s];
            if sub.vpc != vpc {
                return Err(ApiError::new(
                    OP,
                    "InvalidSubnet",
                    "All subnets of a load balancer must be in the same VPC.",
                ));
            }
            if azs.contains(&sub.az) {
                return Err(ApiError::new(OP, "InvalidConfigurationRequest", format!("A load balancer cannot be attached to multiple subnets in the same Availability Zone ({}).", sub.az)));
            }
            azs.push(sub.az);
        }
        let internet_facing = !req.internal;
        if internet_facing && self.gateway_of(vpc).is_none() {
            return Err(ApiError::new(
                OP,
                "InvalidSubnet",
                format!("VPC {} has no internet gateway", self.vpcs[vpc].aws_id),
            ));
        }
        self.check_elastic_ips(&req)?;
        self.check_new_interfaces(OP, &req.subnets, &req.security_groups)?;
        self.build_load_balancer(req, vpc)
    }

    /// L1: Elastic IPs only for an internet-facing load balancer, one per subnet it has,
    /// each free (not associated) and not released.
    fn check_elastic_ips(&self, req: &CreateLoadBalancer) -> ApiResult<()> {
        const OP: &str = "CreateLoadBalancer";
        let invalid = |m: String| ApiError::new(OP, "InvalidConfigurationRequest", m);
        for (i, (subnet, eip)) in req.elastic_ips.iter().enumerate() {
            let e = &self.eips[*eip];
            if req.internal {
                return Err(invalid(format!("Elastic IP address '{}' cannot be assigned to an internal load balancer: only an internet-facing one has public addresses.", e.allocation_id)));
            }
            if !req.subnets.contains(subnet) || req.elastic_ips[..i].iter().any(|(s, _)| s == subnet) {
                return Err(invalid(format!(
                    "Specify at most one Elastic IP address per subnet of the load balancer ({}).",
                    self.subnets[*subnet].aws_id
                )));
            }
            if e.released || e.eni.is_some() || req.elastic_ips[..i].iter().any(|(_, x)| x == eip) {
                return Err(invalid(format!(
                    "Elastic IP address '{}' is already associated or released.",
                    e.allocation_id
                )));
            }
        }
        Ok(())
    }

    /// Creates what [`World::create_load_balancer`] checked: nothing here can fail.
    fn build_load_balancer(&mut self, req: CreateLoadBalancer, vpc: VpcId) -> ApiResult<LbId> {
        let id = LbId(self.lbs.len() as u32);
        let mut nodes = Vec::new();
        for s in &req.subnets {
            let eni = self.new_eni(
                "CreateLoadBalancer",
                CreateNetworkInterface {
                    subnet: Some(*s),
                    groups: req.security_groups.clone(),
                    description: format!("ELB net/{}", req.name),
                    ..Default::default()
                },
                EniOwner::LoadBalancer(id),
            )?;
            // L9: a node's groups are the load balancer's own, possibly none (no default group).
            self.enis.set_groups(eni, req.security_groups.clone());
            match req.elastic_ips.iter().find(|(subnet, _)| subnet == s) {
                Some(&(_, eip)) => {
                    let assoc = self.ids.aws_id("eipassoc");
                    let private = self.enis[eni].private_ip;
                    self.enis.associate(eni, private, eip, &mut self.eips, assoc);
                }
                None if !req.internal => {
                    self.assign_public_ip(eni);
                }
                None => {}
            }
            nodes.push(Node { subnet: *s, az: self.subnets[*s].az, eni });
        }
        let dns_hex = self.ids.hex(16);
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/net/{}/{}",
            self.region.name,
            self.account_id,
            req.name,
            self.ids.hex(16)
        );
        let dns_name = format!("{}-{}.elb.{}.amazonaws.com", req.name, dns_hex, self.region.name);
        self.dns_names.insert_lb(&dns_name, id);
        self.link_lb_name(&req.name, id);
        self.lbs.insert(
            &mut self.by_aws_id,
            Handle::Lb,
            LoadBalancer {
                dns_name,
                arn,
                name: req.name,
                dns_hex,
                scheme: if req.internal { Scheme::Internal } else { Scheme::InternetFacing },
                vpc,
                nodes,
                listeners: Vec::new(),
                security_groups: req.security_groups,
                cross_zone: req.cross_zone,
                enforce_sg_on_privatelink: req.enforce_sg_on_privatelink.unwrap_or(true),
                tags: req.tags,
                deleted: false,
            },
        );
        Ok(id)
    }

    /// DeleteLoadBalancer: refused while an endpoint service uses it (P10).
    pub fn delete_load_balancer(&mut self, lb: LbId) -> ApiResult<()> {
        if let Some(s) = self.service_of_lb(lb) {
            return Err(ApiError::new(
                "DeleteLoadBalancer",
                "ResourceInUse",
                format!("Load balancer '{}' cannot be deleted because it is currently associated with another service ({}). Delete the endpoint service first.", self.lbs[lb].arn, self.services[s].service_id),
            ));
        }
        let l = &mut self.lbs[lb];
        if l.deleted {
            return Ok(());
        }
        l.deleted = true;
        let name = l.name.clone();
        let enis: Vec<EniId> = l.nodes.iter().map(|n| n.eni).collect();
        let listeners = l.listeners.clone();
        self.unlink_lb_name(&name);
        for e in enis {
            self.remove_eni(e);
        }
        let mut groups = Vec::new();
        for x in listeners {
            let listener = &mut self.listeners[x];
            listener.deleted = true;
            groups.extend(listener.target_group);
        }
        self.refresh_unused_groups(&groups);
        Ok(())
    }

    /// DeleteTargetGroup.
    pub fn delete_target_group(&mut self, tg: TargetGroupId) {
        let group = &mut self.target_groups[tg];
        if !group.deleted {
            group.deleted = true;
            let name = group.name.clone();
            self.unlink_target_group_name(&name);
        }
    }

    /// DeleteListener: a group no other listener uses becomes `unused` (L4).
    pub fn delete_listener(&mut self, listener: ListenerId) {
        let l = &mut self.listeners[listener];
        l.deleted = true;
        let groups: Vec<TargetGroupId> = l.target_group.into_iter().collect();
        self.refresh_unused_groups(&groups);
    }

    /// ModifyLoadBalancerAttributes `load_balancing.cross_zone.enabled` (L6, L12).
    pub fn modify_load_balancer_cross_zone(&mut self, lb: LbId, enabled: bool) {
        self.lbs[lb].cross_zone = enabled;
    }

    /// ModifyTargetGroupAttributes: deregistration delay (L11), cross-zone (L12) and client
    /// IP preservation (L7), each already checked by [`TargetGroupAttribute::parse`].
    /// Targets already draining keep the delay they started with.
    pub fn modify_target_group_attributes(&mut self, tg: TargetGroupId, attributes: &[TargetGroupAttribute]) {
        let group = &mut self.target_groups[tg];
        for a in attributes {
            match *a {
                TargetGroupAttribute::DeregistrationDelay(s) => group.deregistration_delay_s = s,
                TargetGroupAttribute::CrossZone(c) => group.cross_zone = c,
                TargetGroupAttribute::PreserveClientIp(on) => group.preserve_client_ip = Some(on),
            }
        }
    }

    /// SetSecurityGroups (L9): a load balancer created with groups gets new ones (at least
    /// one; one created without any cannot get them), and, when given, whether they also
    /// filter PrivateLink traffic.
    pub fn set_security_groups(
        &mut self,
        lb: LbId,
        groups: &[SgId],
        enforce_on_privatelink: Option<bool>,
    ) -> ApiResult<()> {
        const OP: &str = "SetSecurityGroups";
        let l = &self.lbs[lb];
        if l.security_groups.is_empty() {
            return Err(ApiError::new(OP, "InvalidConfigurationRequest", format!("Load balancer '{}' was created without security groups; security groups can only be set on a Network Load Balancer created with at least one", l.arn)));
        }
        if groups.is_empty() {
            return Err(ApiError::new(
                OP,
                "InvalidConfigurationRequest",
                "A Network Load Balancer created with security groups must keep at least one",
            ));
        }
        if let Some(g) = groups.iter().find(|g| self.sgs[**g].vpc != l.vpc) {
            return Err(ApiError::new(
                OP,
                "InvalidSecurityGroup",
                format!(
                    "Security group '{}' is not in the load balancer's VPC '{}'",
                    self.sgs[*g].aws_id, self.vpcs[l.vpc].aws_id
                ),
            ));
        }
        let enis: Vec<EniId> = l.nodes.iter().map(|n| n.eni).collect();
        for e in enis {
            self.enis.set_groups(e, groups.to_vec());
        }
        let l = &mut self.lbs[lb];
        l.security_groups = groups.to_vec();
        if let Some(on) = enforce_on_privatelink {
            l.enforce_sg_on_privatelink = on;
        }
        Ok(())
    }

    /// CreateTargetGroup.
    pub fn create_target_group(&mut self, req: CreateTargetGroup) -> ApiResult<TargetGroupId> {
        const OP: &str = "CreateTargetGroup";
        if !valid_name(&req.name) {
            return Err(ApiError::new(
                OP,
                "ValidationError",
                format!("Target group name '{}' is invalid: use up to 32 letters, digits and hyphens, not starting or ending with a hyphen.", req.name),
            ));
        }
        if self.target_group_named(&req.name).is_some() {
            return Err(ApiError::new(
                OP,
                "DuplicateTargetGroupName",
                format!("A target group with the name '{}' already exists.", req.name),
            ));
        }
        let id = TargetGroupId(self.target_groups.len() as u32);
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}",
            self.region.name,
            self.account_id,
            req.name,
            self.ids.hex(16)
        );
        self.link_target_group_name(&req.name, id);
        self.target_groups.insert(
            &mut self.by_aws_id,
            Handle::TargetGroup,
            TargetGroup {
                arn,
                name: req.name,
                protocol: req.protocol,
                port: req.port,
                vpc: req.vpc,
                target_type: req.target_type,
                targets: Vec::new(),
                health_check: req.health_check,
                preserve_client_ip: req.preserve_client_ip,
                deregistration_delay_s: 300,
                cross_zone: CrossZone::UseLoadBalancer,
                tags: req.tags,
                deleted: false,
            },
        );
        Ok(id)
    }

    /// CreateListener: forwards `protocol`/`port` to a target group, whose targets start health checks (L3, L4).
    pub fn create_listener(
        &mut self,
        lb: LbId,
        protocol: ListenerProtocol,
        port: u16,
        tg: Option<TargetGroupId>,
    ) -> ApiResult<ListenerId> {
        const OP: &str = "CreateListener";
        if self.lbs[lb]
            .listeners
            .iter()
            .any(|l| !self.listeners[*l].deleted && self.listeners[*l].port == port)
        {
            return Err(ApiError::new(
                OP,
                "DuplicateListener",
                format!("A listener already exists on port {port}."),
            ));
        }
        if let Some(t) = tg {
            if self.target_groups[t].vpc != self.lbs[lb].vpc {
                return Err(ApiError::new(
                    OP,
                    "ValidationError",
                    "The target group and the load balancer must be in the same VPC.",
                ));
            }
        }
        let id = ListenerId(self.listeners.len() as u32);
        let l = &self.lbs[lb];
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:listener/net/{}/{}/{}",
            self.region.name,
            self.account_id,
            l.name,
            arn_tail(&l.arn),
            self.ids.hex(16)
        );
        self.listeners.insert(
            &mut self.by_aws_id,
            Handle::Listener,
            Listener { arn, lb, protocol, port, target_group: tg, deleted: false },
        );
        self.lbs[lb].listeners.push(id);
        if let Some(t) = tg {
            self.link_listener(t, id);
            self.refresh_unused_groups(&[t]);
        }
        Ok(id)
    }

    /// The live listeners of live load balancers that forward to the group.
    fn live_listeners_of(&self, tg: TargetGroupId) -> impl Iterator<Item = &Listener> + '_ {
        self.listeners_of_group(tg)
            .iter()
            .map(|l| &self.listeners[*l])
            .filter(move |l| !l.deleted && l.target_group == Some(tg) && !self.lbs[l.lb].deleted)
    }

    /// Whether a listener of a live load balancer forwards to the group.
    pub fn target_group_in_use(&self, tg: TargetGroupId) -> bool {
        self.live_listeners_of(tg).next().is_some()
    }

    /// The load balancers whose listeners forward to a group.
    pub fn load_balancers_of(&self, tg: TargetGroupId) -> Vec<LbId> {
        let mut v: Vec<LbId> = self.live_listeners_of(tg).map(|l| l.lb).collect();
        v.dedup();
        v
    }

    /// L4: targets of groups no listener uses are `unused`; when a group comes into use its
    /// targets start as `initial`. `groups` are those whose listeners just changed.
    fn refresh_unused_groups(&mut self, groups: &[TargetGroupId]) {
        let now = self.now_ms;
        for &tg in groups {
            let used = self.target_group_in_use(tg);
            for t in &mut self.target_groups[tg].targets {
                match (used, t.state) {
                    (false, HealthState::Draining) => {}
                    (false, _) => t.state = HealthState::Unused,
                    (true, HealthState::Unused) => {
                        t.state = HealthState::Initial;
                        t.passes = 0;
                        t.failures = 0;
                        t.next_check_ms = now + FIRST_CHECK_DELAY_MS;
                    }
                    _ => {}
                }
            }
        }
    }

    /// RegisterTargets: instance targets must be running instances in the group's VPC; ip targets addresses in it.
    pub fn register_targets(&mut self, tg: TargetGroupId, targets: &[TargetSpec]) -> ApiResult<()> {
        const OP: &str = "RegisterTargets";
        let group = &self.target_groups[tg];
        for t in targets {
            match (group.target_type, t.target) {
                (TargetType::Instance, TargetRef::Instance(i)) => {
                    let inst = &self.instances[i];
                    if self.enis[inst.eni].vpc != group.vpc {
                        return Err(ApiError::new(
                            OP,
                            "InvalidTarget",
                            format!(
                                "The following targets are not in the target group's VPC '{}': '{}'",
                                self.vpcs[group.vpc].aws_id, inst.aws_id
                            ),
                        ));
                    }
                }
                (TargetType::Ip, TargetRef::Ip(ip)) => {
                    if !self.vpcs[group.vpc].contains(ip) {
                        return Err(ApiError::new(
                            OP,
                            "InvalidTarget",
                            format!("The IP address '{ip}' is not within the target group's VPC."),
                        ));
                    }
                }
                _ => {
                    return Err(ApiError::new(
                        OP,
                        "InvalidTarget",
                        format!(
                            "The target type of target group '{}' does not match the target given.",
                            group.name
                        ),
                    ));
                }
            }
        }
        self.quotas.check(Quota::TargetsPerGroup, OP, group.targets.len() + targets.len())?;
        let used = self.target_group_in_use(tg);
        let now = self.now_ms;
        let group = &mut self.target_groups[tg];
        for t in targets {
            let port = t.port.unwrap_or(group.port);
            if let Some(existing) = group.targets.iter_mut().find(|x| x.target == t.target && x.port == port)
            {
                if existing.state == HealthState::Draining {
                    existing.state = if used { HealthState::Initial } else { HealthState::Unused };
                    existing.drain_until_ms = None;
                }
                continue;
            }
            group.targets.push(Target {
                target: t.target,
                port,
                state: if used { HealthState::Initial } else { HealthState::Unused },
                passes: 0,
                failures: 0,
                next_check_ms: now + FIRST_CHECK_DELAY_MS,
                drain_until_ms: None,
                failure: None,
            });
        }
        Ok(())
    }

    /// DeregisterTargets: targets drain for the deregistration delay, then leave. One
    /// target that is not registered refuses the whole call, which then changes nothing.
    pub fn deregister_targets(&mut self, tg: TargetGroupId, targets: &[TargetSpec]) -> ApiResult<()> {
        let now = self.now_ms;
        let group = &mut self.target_groups[tg];
        let delay = u64::from(group.deregistration_delay_s) * 1000;
        let mut found = Vec::with_capacity(targets.len());
        for t in targets {
            let port = t.port.unwrap_or(group.port);
            let Some(i) = group.targets.iter().position(|x| x.target == t.target && x.port == port) else {
                return Err(ApiError::new(
                    "DeregisterTargets",
                    "InvalidTarget",
                    "The specified target is not registered in the target group.",
                ));
            };
            found.push(i);
        }
        for i in found {
            let x = &mut group.targets[i];
            x.state = HealthState::Draining;
            x.drain_until_ms = Some(now + delay);
        }
        Ok(())
    }

    /// The address and AZ of a target of a group in `vpc`: an instance's primary address and
    /// its subnet's AZ (none once its interface is gone), or an ip target and the AZ of the
    /// subnet of that VPC holding it (VPCs may share blocks, so the VPC matters).
    #[inline]
    pub fn target_address(&self, vpc: VpcId, t: TargetRef) -> Option<(Ipv4Addr, &'static str)> {
        match t {
            TargetRef::Instance(i) => {
                let inst = &self.instances[i];
                let e = &self.enis[inst.eni];
                (!e.deleted).then(|| (e.private_ip, self.subnets[e.subnet].az))
            }
            TargetRef::Ip(ip) => {
                let subnet = self.subnet_containing(vpc, ip)?;
                Some((ip, self.subnets[subnet].az))
            }
        }
    }

    /// The id a target is listed by (`i-...` or the address).
    pub fn target_id(&self, t: TargetRef) -> String {
        match t {
            TargetRef::Instance(i) => self.instances[i].aws_id.clone(),
            TargetRef::Ip(ip) => ip.to_string(),
        }
    }
}

/// The last path segment of an ARN.
pub fn arn_tail(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}
