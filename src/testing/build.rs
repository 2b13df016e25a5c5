//! Building a [`Topology`] into a [`World`] through the public control-plane calls.

use std::time::Duration;

use crate::addr::{Cidr, PortRange, RuleProtocol};
use crate::ids::*;
use crate::model::nat_gateway::Connectivity;
use crate::model::nat_instance::{Forwarding, Masquerade};
use crate::model::nlb::{HealthCheck, ListenerProtocol, TargetGroupAttribute, TargetRef, TargetType};
use crate::model::security_group::Peer;
use crate::model::vpc_endpoint::EndpointState;
use crate::model::Tags;
use crate::ops::ec2::RunInstance;
use crate::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use crate::ops::gateway_endpoint::CreateGatewayEndpoint;
use crate::ops::nat::CreateNatGateway;
use crate::ops::privatelink::CreateVpcEndpoint;
use crate::ops::security::{acl_entry, Permission};
use crate::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use crate::trace::Direction;
use crate::world::{Handle, World};

use super::strategies::*;

/// The region generated worlds live in (four AZs; the lab's).
pub const REGION: &str = "ap-northeast-2";

/// What one VPC holds once built.
struct Built {
    vpc: VpcId,
    block: &'static str,
    igw: Option<IgwId>,
    /// The default group first.
    groups: Vec<SgId>,
    /// The web group, if any.
    web: Option<SgId>,
    subnets: Vec<SubnetId>,
    instances: Vec<InstanceId>,
    /// The NAT gateway, if any.
    nat: Option<NatId>,
    /// Route tables: the main one, then the custom ones.
    tables: Vec<RouteTableId>,
}

fn name(n: String) -> Tags {
    Tags::from([("Name".to_string(), n)])
}

fn protocol(i: usize) -> RuleProtocol {
    RULE_PROTOCOLS[i].parse().expect("a valid protocol")
}

fn ports(i: usize) -> PortRange {
    let (from, to) = PORT_RANGES[i];
    PortRange { from, to }
}

/// G5: the kernel a plan describes; masquerade blocks come from the VPC's rule CIDR pool.
fn forwarding(plan: &ForwardingPlan, cidrs: &[String]) -> Forwarding {
    let block = |i: &usize| Some(cidr(&cidrs[*i % cidrs.len()]));
    let masquerade = plan
        .masquerade
        .iter()
        .map(|m| match m {
            MasqueradePlan::Any => Masquerade::ANY,
            MasqueradePlan::Source(i) => Masquerade { source: block(i), destination: None },
            MasqueradePlan::Destination(i) => Masquerade { source: None, destination: block(i) },
        })
        .collect();
    Forwarding { ip_forward: plan.ip_forward, masquerade }
}

fn cidr(s: &str) -> Cidr {
    s.parse().expect("a valid block")
}

impl Topology {
    /// Build the world: VPCs and what is in them, load balancers, services and endpoints,
    /// then the clock, then the late changes. Calls AWS would refuse are skipped.
    pub fn build(&self) -> World {
        let mut w = World::in_region(REGION, self.seed).expect("a known region");
        let mut built = Vec::new();
        for (v, plan) in self.vpcs.iter().enumerate() {
            built.push(build_vpc(&mut w, v, plan));
        }
        let peerings: Vec<PeeringId> =
            self.peerings.iter().filter_map(|p| build_peering(&mut w, p, &built)).collect();
        for (k, g) in self.gateway_endpoints.iter().enumerate() {
            build_gateway_endpoint(&mut w, k, g, &built);
        }
        for (k, e) in self.aws_endpoints.iter().enumerate() {
            build_aws_endpoint(&mut w, k, e, &built);
        }
        for (v, plan) in self.vpcs.iter().enumerate() {
            if let Some(nlb) = &plan.nlb {
                build_nlb(&mut w, v, nlb, &built);
            }
        }
        w.advance(Duration::from_secs(self.clock_s));
        for change in &self.late {
            match change {
                Change::DetachIgw(i) => {
                    let b = &built[i.index(built.len())];
                    if let Some(g) = b.igw {
                        // I7: the gateway detaches only once no public address of the VPC is
                        // mapped: the instances holding one go first (an internet-facing NLB
                        // keeps its nodes' addresses, and the detachment is then refused).
                        for inst in &b.instances {
                            if w.public_ip_of(w[*inst].eni).is_some() {
                                w.terminate_instance(*inst);
                            }
                        }
                        let _ = w.detach_internet_gateway(g, b.vpc);
                    }
                }
                Change::Terminate(i) if !w.instances().is_empty() => {
                    w.terminate_instance(InstanceId(i.index(w.instances().len()) as u32));
                }
                Change::Terminate(_) => {}
                Change::DeletePeering(i) if !peerings.is_empty() => {
                    let _ = w.delete_vpc_peering_connection(peerings[i.index(peerings.len())]);
                }
                Change::DeletePeering(_) => {}
                Change::DeleteNat(i) => {
                    if let Some(n) = built[i.index(built.len())].nat {
                        let _ = w.delete_nat_gateway(n);
                    }
                }
            }
        }
        w
    }
}

/// E1: a gateway endpoint on the tables the plan picks (the main one first), none refused.
fn build_gateway_endpoint(w: &mut World, k: usize, plan: &GatewayEndpointPlan, built: &[Built]) {
    let b = &built[plan.vpc.index(built.len())];
    let service = if plan.dynamodb { "dynamodb" } else { "s3" };
    let mut route_tables: Vec<RouteTableId> =
        plan.tables.iter().map(|t| b.tables[t.index(b.tables.len())]).collect();
    route_tables.sort_unstable();
    route_tables.dedup();
    let req = CreateGatewayEndpoint {
        vpc: Some(b.vpc),
        service_name: format!("com.amazonaws.{REGION}.{service}"),
        route_tables,
        policy_document: None,
        tags: name(format!("gwe{k}")),
    };
    let Ok(g) = w.create_gateway_endpoint(req) else { return };
    if let Some(p) = plan.policy {
        let document = policy_document(p, service, &w[g].aws_id, &w[b.vpc].aws_id);
        w.modify_vpc_endpoint_policy(g, Some(&document)).expect("a generated policy reads");
    }
}

/// E2: the JSON of a planned policy for an endpoint to `service`.
fn policy_document(p: PolicyPlan, service: &str, vpce: &str, vpc: &str) -> serde_json::Value {
    use serde_json::json;
    let all = |effect: &str| json!({"Effect": effect, "Principal": "*", "Action": "*", "Resource": "*"});
    let when = |effect: &str, operator: &str, key: &str, value: &str| {
        let mut s = all(effect);
        s["Condition"] = json!({ operator: { key: value } });
        s
    };
    let statements = match p {
        PolicyPlan::DenyEverything => vec![all("Allow"), all("Deny")],
        PolicyPlan::AllowThisEndpoint => vec![when("Allow", "StringEquals", "aws:SourceVpce", vpce)],
        PolicyPlan::AllowAnotherEndpoint => {
            vec![when("Allow", "StringEquals", "aws:SourceVpce", "vpce-00000000000000000")]
        }
        PolicyPlan::DenyOutsideThisVpc => {
            vec![all("Allow"), when("Deny", "StringNotEquals", "aws:SourceVpc", vpc)]
        }
        PolicyPlan::AllowOneBucket => vec![json!({
            "Effect": "Allow",
            "Principal": "*",
            "Action": [format!("{service}:GetObject")],
            "Resource": ["arn:aws:s3:::repo/*"]
        })],
    };
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// P13: an interface endpoint to an AWS service in one subnet per AZ of those drawn; private
/// DNS is refused without DNS hostnames (P11), and for S3 without its gateway endpoint.
fn build_aws_endpoint(w: &mut World, k: usize, plan: &AwsEndpointPlan, built: &[Built]) {
    let b = &built[plan.vpc.index(built.len())];
    let mut subnets: Vec<SubnetId> = Vec::new();
    for s in &plan.subnets {
        let s = b.subnets[s.index(b.subnets.len())];
        if subnets.iter().all(|x| w[x].az != w[s].az) {
            subnets.push(s);
        }
    }
    let mut groups: Vec<SgId> = plan.groups.iter().map(|g| b.groups[g.index(b.groups.len())]).collect();
    groups.sort_unstable();
    groups.dedup();
    let _ = w.create_vpc_endpoint(CreateVpcEndpoint {
        vpc: Some(b.vpc),
        service_name: format!("com.amazonaws.{REGION}.{}", AWS_SERVICES[plan.service % AWS_SERVICES.len()]),
        subnets,
        groups,
        private_dns_enabled: plan.private_dns,
        tags: name(format!("vpce-aws{k}")),
    });
}

/// V1, V2: a connection (refused for one VPC with itself; failed for overlapping blocks, whose
/// routes are then refused too), accepted or left pending, and the routes the plan asks for.
fn build_peering(w: &mut World, p: &PeeringPlan, built: &[Built]) -> Option<PeeringId> {
    let (a, b) = (&built[p.requester.index(built.len())], &built[p.accepter.index(built.len())]);
    let pcx = w.create_vpc_peering_connection(a.vpc, b.vpc, Tags::new()).ok()?;
    if p.accept {
        let _ = w.accept_vpc_peering_connection(pcx);
    }
    let target = RouteTargetSpec::VpcPeeringConnection(w[pcx].aws_id.clone());
    for (side, route) in [(a, p.requester_route), (b, p.accepter_route)] {
        if let Some(r) = route {
            let destinations = route_destinations(side.block);
            let table = w[side.vpc].main_route_table;
            let _ = w.create_route(table, cidr(&destinations[r % destinations.len()]), &target);
        }
    }
    Some(pcx)
}

fn build_vpc(w: &mut World, v: usize, plan: &VpcPlan) -> Built {
    let block = VPC_BLOCKS[plan.block];
    let vpc = w
        .create_vpc(CreateVpc {
            cidr: Some(cidr(block)),
            dns_hostnames: Some(plan.dns_hostnames),
            tags: name(format!("vpc{v}")),
            ..Default::default()
        })
        .expect("a valid VPC block");
    let igw = plan.igw.then(|| {
        let g = w.create_internet_gateway(name(format!("igw{v}")));
        w.attach_internet_gateway(g, vpc).expect("a fresh gateway attaches");
        g
    });
    // The defaults have no Name tag of their own; name them so that summaries read.
    let (main, sg, acl) = {
        let x = &w[vpc];
        (x.main_route_table, x.default_sg, x.default_nacl)
    };
    w.create_tags(Handle::RouteTable(main), name(format!("rt{v}.main"))).expect("route tables take tags");
    w.create_tags(Handle::Sg(sg), name(format!("sg{v}.default"))).expect("groups take tags");
    w.create_tags(Handle::Nacl(acl), name(format!("acl{v}.default"))).expect("network ACLs take tags");
    let mut groups = vec![w[vpc].default_sg];
    let mut web_group = None;
    if plan.web_group {
        let web = w.create_security_group(vpc, &format!("web{v}"), "web", name(format!("web{v}")));
        let web = web.expect("a fresh group name");
        let rules = [Permission::tcp(80, Cidr::ANY), Permission::tcp(443, Cidr::ANY)];
        w.authorize_security_group(web, Direction::Ingress, &rules).expect("two new rules");
        groups.push(web);
        web_group = Some(web);
    }
    let custom = groups.len();
    for k in 0..plan.groups.len() {
        let sg = w.create_security_group(vpc, &format!("sg{v}.{k}"), "generated", name(format!("sg{v}.{k}")));
        groups.push(sg.expect("a fresh group name"));
    }
    let cidrs = rule_cidrs(block);
    let permission = |r: &RulePlan| Permission {
        protocol: protocol(r.protocol),
        ports: ports(r.ports),
        peer: match &r.peer {
            PeerPlan::Cidr(c) => Peer::Cidr(cidr(&cidrs[*c % cidrs.len()])),
            PeerPlan::Group(g) => Peer::Group(groups[g.index(groups.len())]),
        },
        description: None,
    };
    for (k, g) in plan.groups.iter().enumerate() {
        let sg = groups[custom + k];
        for r in &g.ingress {
            let _ = w.authorize_security_group(sg, Direction::Ingress, &[permission(r)]);
        }
        if let Some(egress) = &g.egress {
            let _ = w.revoke_security_group(sg, Direction::Egress, &[Permission::all()]);
            for r in egress {
                let _ = w.authorize_security_group(sg, Direction::Egress, &[permission(r)]);
            }
        }
    }
    let mut acls = Vec::new();
    for (k, a) in plan.acls.iter().enumerate() {
        let acl = w.create_network_acl(vpc, name(format!("acl{v}.{k}")));
        for (dir, entries) in [(Direction::Ingress, &a.ingress), (Direction::Egress, &a.egress)] {
            for e in entries {
                let c = cidr(&cidrs[e.cidr % cidrs.len()]);
                let entry = acl_entry(e.number, protocol(e.protocol), ports(e.ports), c, e.allow);
                let _ = w.create_network_acl_entry(acl, dir, entry);
            }
        }
        acls.push(acl);
    }
    let mut tables = vec![w[vpc].main_route_table];
    for k in 0..plan.tables.len() {
        tables.push(w.create_route_table(vpc, name(format!("rt{v}.{k}"))));
    }
    let mut b = Built {
        vpc,
        block,
        igw,
        groups,
        web: web_group,
        subnets: Vec::new(),
        instances: Vec::new(),
        nat: None,
        tables: tables.clone(),
    };
    for (s, sp) in plan.subnets.iter().enumerate() {
        build_subnet(w, &mut b, (v, s), sp, &tables, &acls);
    }
    if let Some(nat) = &plan.nat {
        b.nat = build_nat(w, v, nat, &b, &tables[1..]);
    }
    if let (Some(plan), false) = (&plan.nat_instance, b.instances.is_empty()) {
        route_to_nat_instance(w, plan, &b, &tables[1..]);
    }
    if let (true, Some(g)) = (plan.default_route, igw) {
        let target = RouteTargetSpec::Gateway(w[g].aws_id.clone());
        let _ = w.create_route(tables[0], Cidr::ANY, &target);
    }
    let routes = std::iter::once(&plan.main_routes).chain(&plan.tables);
    for (table, routes) in tables.iter().zip(routes) {
        for r in routes {
            add_route(w, &b, *table, r);
        }
    }
    b
}

fn build_subnet(
    w: &mut World,
    b: &mut Built,
    (v, s): (usize, usize),
    sp: &SubnetPlan,
    tables: &[RouteTableId],
    acls: &[NaclId],
) {
    let block = cidr(b.block);
    let azs = w.region().azs;
    let subnet = w
        .create_subnet(CreateSubnet {
            vpc: Some(b.vpc),
            cidr: Some(Cidr::new(block.nth(s as u32 * 256), 24)),
            az: Some(azs[sp.az % azs.len()].to_string()),
            map_public_ip_on_launch: false,
            tags: name(format!("sn{v}.{s}")),
        })
        .expect("the sth /24 of the block is free");
    b.subnets.push(subnet);
    if let (Some(t), true) = (&sp.table, tables.len() > 1) {
        let _ = w.associate_route_table(tables[1 + t.index(tables.len() - 1)], subnet);
    }
    if let (Some(a), false) = (&sp.acl, acls.is_empty()) {
        let _ = w.associate_network_acl(acls[a.index(acls.len())], subnet);
    }
    for (k, ip) in sp.instances.iter().enumerate() {
        let mut groups: Vec<SgId> = ip.groups.iter().map(|g| b.groups[g.index(b.groups.len())]).collect();
        if let (true, Some(web)) = (ip.http, b.web) {
            groups.push(web); // Web servers wear the web group, as in the lab.
        }
        groups.sort_unstable();
        groups.dedup();
        let run = RunInstance {
            subnet: Some(subnet),
            groups,
            private_ip: ip.host.map(|n| Cidr::new(block.nth(s as u32 * 256), 24).nth(n)),
            public_ip: Some(ip.public_ip),
            tags: name(format!("h{v}.{s}.{k}")),
            ..Default::default()
        };
        let Ok(i) = w.run_instance(run) else { continue };
        if !ip.source_dest_check {
            w.set_source_dest_check(w[i].eni, false);
        }
        if let Some(f) = &ip.forwarding {
            w.set_forwarding(i, forwarding(f, &rule_cidrs(b.block)));
        }
        if ip.eip {
            let eip = w.allocate_address(name(format!("eip{v}.{s}.{k}")));
            let _ = w.associate_address(eip, w[i].eni);
        }
        if ip.http {
            w.serve_http(i, 80, "httpd", "hello");
        }
        b.instances.push(i);
    }
}

/// G1, G2: a public NAT gateway with a new Elastic IP in the planned subnet and, when the
/// plan says so, 0.0.0.0/0 to it in every custom (private) table.
fn build_nat(w: &mut World, v: usize, plan: &NatPlan, b: &Built, private: &[RouteTableId]) -> Option<NatId> {
    let subnet = b.subnets[plan.subnet % b.subnets.len()];
    let eip = w.allocate_address(name(format!("nat-eip{v}")));
    let req = CreateNatGateway {
        subnet,
        connectivity: Connectivity::Public,
        allocation: Some(eip),
        private_ip: None,
        tags: name(format!("nat{v}")),
    };
    let nat = w.create_nat_gateway(req).ok()?;
    if plan.private_routes {
        let target = RouteTargetSpec::NatGateway(w[nat].aws_id.clone());
        for table in private {
            let _ = w.create_route(*table, Cidr::ANY, &target);
        }
    }
    Some(nat)
}

/// G5: 0.0.0.0/0 to a NAT instance (or its interface) in every custom (private) table; a
/// table that already has one keeps it.
fn route_to_nat_instance(w: &mut World, plan: &NatInstancePlan, b: &Built, private: &[RouteTableId]) {
    let i = b.instances[plan.instance % b.instances.len()];
    let target = if plan.by_interface {
        RouteTargetSpec::NetworkInterface(w[w[i].eni].aws_id.clone())
    } else {
        RouteTargetSpec::Instance(w[i].aws_id.clone())
    };
    for table in private {
        let _ = w.create_route(*table, Cidr::ANY, &target);
    }
}

fn add_route(w: &mut World, b: &Built, table: RouteTableId, r: &RoutePlan) {
    let destinations = route_destinations(b.block);
    let destination = cidr(&destinations[r.destination % destinations.len()]);
    let target = match &r.target {
        TargetPlan::Igw => match b.igw {
            Some(g) => RouteTargetSpec::Gateway(w[g].aws_id.clone()),
            None => return,
        },
        TargetPlan::Nat => match b.nat {
            Some(n) => RouteTargetSpec::NatGateway(w[n].aws_id.clone()),
            None => return,
        },
        TargetPlan::Instance(_) if b.instances.is_empty() => return,
        TargetPlan::Instance(i) => {
            let inst = b.instances[i.index(b.instances.len())];
            RouteTargetSpec::Instance(w[inst].aws_id.clone())
        }
        TargetPlan::Interface(_) if b.instances.is_empty() => return,
        TargetPlan::Interface(i) => {
            let inst = b.instances[i.index(b.instances.len())];
            RouteTargetSpec::NetworkInterface(w[w[inst].eni].aws_id.clone())
        }
    };
    let _ = w.create_route(table, destination, &target);
}

fn build_nlb(w: &mut World, v: usize, plan: &NlbPlan, built: &[Built]) {
    let b = &built[v];
    let mut subnets: Vec<SubnetId> = Vec::new();
    for s in &plan.subnets {
        let s = b.subnets[s.index(b.subnets.len())];
        let az = w[s].az;
        if subnets.iter().all(|x| w[x].az != az) {
            subnets.push(s);
        }
    }
    let security_groups = if plan.with_group && b.groups.len() > 1 { vec![b.groups[1]] } else { Vec::new() };
    let lb = w.create_load_balancer(CreateLoadBalancer {
        name: format!("nlb{v}"),
        subnets,
        internal: plan.internal || b.igw.is_none(),
        security_groups,
        cross_zone: plan.cross_zone,
        enforce_sg_on_privatelink: Some(plan.enforce_on_privatelink),
        elastic_ips: Vec::new(),
        tags: name(format!("nlb{v}")),
    });
    let Ok(lb) = lb else { return };
    let tg = w.create_target_group(CreateTargetGroup {
        name: format!("tg{v}"),
        protocol: ListenerProtocol::Tcp,
        port: 80,
        vpc: b.vpc,
        target_type: if plan.ip_targets { TargetType::Ip } else { TargetType::Instance },
        health_check: HealthCheck::default(),
        preserve_client_ip: None,
        tags: Tags::new(),
    });
    let Ok(tg) = tg else { return };
    w.modify_target_group_attributes(tg, &[TargetGroupAttribute::CrossZone(plan.group_cross_zone)]);
    // Half the draws pick among the instances in the AZs of the nodes (targets elsewhere are
    // unreachable with cross-zone off), half among all of the VPC's.
    let node_azs: Vec<_> = w[lb].nodes.iter().map(|n| n.az).collect();
    let near: Vec<InstanceId> =
        b.instances.iter().copied().filter(|i| node_azs.contains(&w[w[w[i].eni].subnet].az)).collect();
    for t in &plan.targets {
        if b.instances.is_empty() {
            break;
        }
        let k = t.index(2 * b.instances.len());
        let i = match k.checked_sub(b.instances.len()) {
            Some(j) if !near.is_empty() => near[j % near.len()],
            _ => b.instances[k % b.instances.len()],
        };
        let target =
            if plan.ip_targets { TargetRef::Ip(w[w[i].eni].private_ip) } else { TargetRef::Instance(i) };
        let _ = w.register_targets(tg, &[TargetSpec { target, port: None }]);
    }
    for (p, port) in &plan.listeners {
        let protocol = ListenerProtocol::parse(LISTENER_PROTOCOLS[*p]).expect("a listener protocol");
        let _ = w.create_listener(lb, protocol, FLOW_PORTS[*port % FLOW_PORTS.len()], Some(tg));
    }
    if let Some(service) = &plan.service {
        build_service(w, v, lb, service, built);
    }
}

fn build_service(w: &mut World, v: usize, lb: LbId, plan: &ServicePlan, built: &[Built]) {
    let tags = name(format!("svc{v}"));
    let Ok(svc) = w.create_vpc_endpoint_service_configuration(&[lb], plan.acceptance, None, tags) else {
        return;
    };
    let azs = w.service_azs(svc);
    for (k, e) in plan.endpoints.iter().enumerate() {
        let b = &built[e.vpc.index(built.len())];
        let mut subnets: Vec<SubnetId> = Vec::new();
        for s in &b.subnets {
            let az = w[s].az;
            if azs.contains(&az) && subnets.iter().all(|x| w[x].az != az) {
                subnets.push(*s);
            }
        }
        if subnets.is_empty() {
            continue;
        }
        let mut groups: Vec<SgId> = e.groups.iter().map(|g| b.groups[g.index(b.groups.len())]).collect();
        groups.sort_unstable();
        groups.dedup();
        let ep = w.create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(b.vpc),
            service_name: w[svc].service_name.clone(),
            subnets,
            groups,
            private_dns_enabled: false,
            tags: name(format!("vpce{v}.{k}")),
        });
        let Ok(ep) = ep else { continue };
        let state = w[ep].state;
        let _ = match e.fate {
            Fate::Accept if state == EndpointState::PendingAcceptance => {
                w.accept_vpc_endpoint_connections(svc, &[ep])
            }
            Fate::Reject => w.reject_vpc_endpoint_connections(svc, &[ep]),
            Fate::Delete => w.delete_vpc_endpoints(&[ep]),
            _ => Ok(()),
        };
    }
}
