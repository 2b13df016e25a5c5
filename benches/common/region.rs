//! A generated region for the reachability benchmarks: VPCs of 10 instances each, with
//! peering, NAT gateways, load balancers and endpoints mixed in.
//!
//! VPC `k` has the block `10.0.0.0 + k * 4096` /20, an internet gateway, a public
//! subnet (its first /24) routed to it and a web group (tcp 80 and 22 from anywhere,
//! 5432 from 10.0.0.0/8). Then, by `k`:
//! - `k % 5 == 1`: its 10 instances sit in a private subnet (the second /24) without
//!   public addresses, routed to a NAT gateway in the public subnet; otherwise they
//!   sit in the public subnet with public addresses;
//! - odd `k`: peered with `k - 1` (accepted), a route to the other's block on both sides;
//! - `k % 10 == 0`: an internal network load balancer in the instances' subnet, listener
//!   tcp 80 to its 10 instances, fronted by an endpoint service;
//! - `k % 10 == 3`: an interface endpoint to the service of VPC `k - 3`.

use std::net::Ipv4Addr;
use std::time::Duration;

use vpcsim::addr::Cidr;
use vpcsim::ids::*;
use vpcsim::model::nat_gateway::Connectivity;
use vpcsim::model::nlb::{HealthCheck, ListenerProtocol, TargetRef, TargetType};
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use vpcsim::ops::nat::CreateNatGateway;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::trace::Direction;
use vpcsim::world::World;

/// Instances per VPC.
pub const INSTANCES: usize = 10;

/// What one generated VPC holds, for benchmarks that change it.
#[derive(Clone, Copy, Debug)]
pub struct GenVpc {
    /// The VPC.
    pub vpc: VpcId,
    /// Its block.
    pub block: Cidr,
    /// The web group.
    pub sg: SgId,
    /// The route table of the instances' subnet.
    pub route_table: RouteTableId,
    /// The subnet the instances are in.
    pub subnet: SubnetId,
    /// The internet gateway.
    pub igw: IgwId,
    /// The load balancer's target group (`k % 10 == 0`).
    pub target_group: Option<TargetGroupId>,
    /// The endpoint service (`k % 10 == 0`).
    pub service: Option<ServiceId>,
}

fn tags(name: String) -> Tags {
    Tags::from([("Name".to_string(), name)])
}

/// Adds `vpcs` VPCs as the [module](self) doc says, then moves the clock on until the
/// NAT gateways, load balancers and endpoints are available and targets healthy.
pub fn add_mixed_region(w: &mut World, vpcs: usize) -> Vec<GenVpc> {
    let mut out: Vec<GenVpc> = Vec::with_capacity(vpcs);
    for k in 0..vpcs {
        let v = add_vpc(w, k);
        if k % 2 == 1 {
            peer(w, &out[k - 1], &v);
        }
        out.push(v);
        if k % 10 == 3 {
            add_endpoint(w, k, &out[k - 3], &out[k]);
        }
    }
    w.advance(Duration::from_secs(600));
    out
}

fn add_vpc(w: &mut World, k: usize) -> GenVpc {
    let az = w.region().azs[0].to_string();
    let block = Cidr::new(Ipv4Addr::from(u32::from(Ipv4Addr::new(10, 0, 0, 0)) + (k as u32) * 4096), 20);
    let vpc = w
        .create_vpc(CreateVpc {
            cidr: Some(block),
            tags: tags(format!("Mixed-VPC-{k}")),
            ..Default::default()
        })
        .expect("vpc");
    let igw = w.create_internet_gateway(tags(format!("Mixed-IGW-{k}")));
    w.attach_internet_gateway(igw, vpc).expect("attach");
    let subnet = |w: &mut World, n: u32, name: String| {
        let cidr = Cidr::new(Ipv4Addr::from(u32::from(block.network()) + n * 256), 24);
        let req = CreateSubnet {
            vpc: Some(vpc),
            cidr: Some(cidr),
            az: Some(az.clone()),
            map_public_ip_on_launch: false,
            tags: tags(name),
        };
        w.create_subnet(req).expect("subnet")
    };
    let public = subnet(w, 0, format!("Mixed-Public-{k}"));
    let public_rt = w.create_route_table(vpc, tags(format!("Mixed-Public-RT-{k}")));
    let igw_id = w[igw].aws_id.clone();
    w.create_route(public_rt, Cidr::ANY, &RouteTargetSpec::Gateway(igw_id)).expect("route");
    w.associate_route_table(public_rt, public).expect("associate");
    let sg = w.create_security_group(vpc, "web", "web", tags(format!("Mixed-SG-{k}"))).expect("sg");
    let private_net: Cidr = "10.0.0.0/8".parse().expect("a block");
    let rules =
        [Permission::tcp(80, Cidr::ANY), Permission::tcp(22, Cidr::ANY), Permission::tcp(5432, private_net)];
    w.authorize_security_group(sg, Direction::Ingress, &rules).expect("rules");
    let behind_nat = k % 5 == 1;
    let (subnet, route_table) = if behind_nat {
        let private = subnet(w, 1, format!("Mixed-Private-{k}"));
        let rt = w.create_route_table(vpc, tags(format!("Mixed-Private-RT-{k}")));
        w.associate_route_table(rt, private).expect("associate");
        let eip = w.allocate_address(tags(format!("Mixed-EIP-{k}")));
        let nat = w
            .create_nat_gateway(CreateNatGateway {
                subnet: public,
                connectivity: Connectivity::Public,
                allocation: Some(eip),
                private_ip: None,
                tags: tags(format!("Mixed-NAT-{k}")),
            })
            .expect("nat gateway");
        let nat_id = w[nat].aws_id.clone();
        w.create_route(rt, Cidr::ANY, &RouteTargetSpec::NatGateway(nat_id)).expect("route");
        (private, rt)
    } else {
        (public, public_rt)
    };
    let instances: Vec<InstanceId> = (0..INSTANCES)
        .map(|i| {
            w.run_instance(RunInstance {
                subnet: Some(subnet),
                groups: vec![sg],
                public_ip: Some(!behind_nat),
                tags: tags(format!("Mixed-EC2-{k}-{i}")),
                ..Default::default()
            })
            .expect("instance")
        })
        .collect();
    let mut v = GenVpc { vpc, block, sg, route_table, subnet, igw, target_group: None, service: None };
    if k % 10 == 0 {
        add_nlb(w, k, &mut v, &instances);
    }
    v
}

fn add_nlb(w: &mut World, k: usize, v: &mut GenVpc, instances: &[InstanceId]) {
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: format!("mixed-nlb-{k}"),
            subnets: vec![v.subnet],
            internal: true,
            security_groups: Vec::new(),
            cross_zone: false,
            enforce_sg_on_privatelink: None,
            elastic_ips: Vec::new(),
            tags: tags(format!("mixed-nlb-{k}")),
        })
        .expect("load balancer");
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: format!("mixed-tg-{k}"),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc: v.vpc,
            target_type: TargetType::Instance,
            health_check: HealthCheck::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })
        .expect("target group");
    let targets: Vec<TargetSpec> =
        instances.iter().map(|i| TargetSpec { target: TargetRef::Instance(*i), port: None }).collect();
    w.register_targets(tg, &targets).expect("targets");
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).expect("listener");
    let svc = w
        .create_vpc_endpoint_service_configuration(&[lb], false, None, tags(format!("mixed-svc-{k}")))
        .expect("service");
    v.target_group = Some(tg);
    v.service = Some(svc);
}

fn peer(w: &mut World, a: &GenVpc, b: &GenVpc) {
    let pcx = w.create_vpc_peering_connection(a.vpc, b.vpc, Tags::new()).expect("peering");
    w.accept_vpc_peering_connection(pcx).expect("accept");
    let id = w[pcx].aws_id.clone();
    for (from, to) in [(a, b), (b, a)] {
        let spec = RouteTargetSpec::VpcPeeringConnection(id.clone());
        w.create_route(from.route_table, to.block, &spec).expect("peering route");
    }
}

fn add_endpoint(w: &mut World, k: usize, provider: &GenVpc, consumer: &GenVpc) {
    let Some(svc) = provider.service else { return };
    w.create_vpc_endpoint(CreateVpcEndpoint {
        vpc: Some(consumer.vpc),
        service_name: w[svc].service_name.clone(),
        subnets: vec![consumer.subnet],
        groups: vec![consumer.sg],
        private_dns_enabled: false,
        tags: tags(format!("Mixed-VPCE-{k}")),
    })
    .expect("endpoint");
}
