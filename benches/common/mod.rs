//! Shared by the benchmarks: the lab's PrivateLink flow, generated regions, and
//! whether this is a full run (`cargo bench`) or the once-each test run
//! (`cargo test --benches`), where large setups shrink so CI stays quick.
#![allow(dead_code)]

use vpcsim::addr::{Cidr, Protocol};
use vpcsim::ids::{EndpointId, EniId};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::trace::{Direction, Flow, Header};
use vpcsim::world::World;

pub mod region;

/// Whether criterion was asked to measure (`--bench`), not just to run each benchmark once.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// `full` in a measuring run, `small` in the once-each test run.
pub fn size(full: usize, small: usize) -> usize {
    if full_run() {
        full
    } else {
        small
    }
}

/// The lab after step 6: My-EC2's interface, the PrivateLink curl flow, the endpoint.
pub struct LabFlow {
    /// The lab.
    pub lab: Lab,
    /// My-EC2's interface.
    pub from: EniId,
    /// `curl http://<endpoint ip>/` from My-EC2.
    pub flow: Flow,
    /// The endpoint.
    pub endpoint: EndpointId,
}

/// The lab with the endpoint connected, and its PrivateLink curl flow.
pub fn lab_flow() -> LabFlow {
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    let endpoint = lab.connect_privatelink().expect("the endpoint connects");
    let w = &lab.world;
    let from = w[lab.my_ec2].eni;
    let endpoint_ip = w[w[endpoint].enis[0]].private_ip;
    let flow = Flow { header: header(w, from, endpoint_ip), seq: 1 };
    assert!(w.verdict(from, flow).is_delivered());
    LabFlow { lab, from, flow, endpoint }
}

/// A TCP port-80 header from an interface to `dst`.
pub fn header(w: &World, from: EniId, dst: std::net::Ipv4Addr) -> Header {
    Header { src: w[from].private_ip, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: 80 }
}

fn tags(name: String) -> Tags {
    Tags::from([("Name".to_string(), name)])
}

/// Add `vpcs` VPCs like the lab's: an internet gateway, a public route table, one
/// subnet, a web security group and `instances` instances with public IPs, each one interface.
pub fn add_vpcs(w: &mut World, vpcs: usize, instances: usize) {
    let az = w.region().azs[0].to_string();
    for k in 0..vpcs {
        let block = Cidr::new(std::net::Ipv4Addr::new(10, (k % 250) as u8 + 1, 0, 0), 16);
        let vpc = w
            .create_vpc(CreateVpc {
                cidr: Some(block),
                tags: tags(format!("Gen-VPC-{k}")),
                ..Default::default()
            })
            .expect("vpc");
        let igw = w.create_internet_gateway(tags(format!("Gen-IGW-{k}")));
        w.attach_internet_gateway(igw, vpc).expect("attach");
        let rt = w.create_route_table(vpc, tags(format!("Gen-RT-{k}")));
        let igw_id = w[igw].aws_id.clone();
        w.create_route(rt, Cidr::ANY, &RouteTargetSpec::Gateway(igw_id)).expect("route");
        let subnet = w
            .create_subnet(CreateSubnet {
                vpc: Some(vpc),
                cidr: Some(Cidr::new(block.network(), 24)),
                az: Some(az.clone()),
                map_public_ip_on_launch: false,
                tags: tags(format!("Gen-SN-{k}")),
            })
            .expect("subnet");
        w.associate_route_table(rt, subnet).expect("associate");
        let sg = w.create_security_group(vpc, "web", "web", tags(format!("Gen-SG-{k}"))).expect("sg");
        let rules = [Permission::tcp(80, Cidr::ANY), Permission::tcp(22, Cidr::ANY)];
        w.authorize_security_group(sg, Direction::Ingress, &rules).expect("rules");
        for i in 0..instances {
            w.run_instance(RunInstance {
                subnet: Some(subnet),
                groups: vec![sg],
                public_ip: Some(true),
                tags: tags(format!("Gen-EC2-{k}-{i}")),
                ..Default::default()
            })
            .expect("instance");
        }
    }
}

/// A TCP port-80 header from the internet client (203.0.113.10) to `dst`.
pub fn from_internet(dst: std::net::Ipv4Addr) -> Header {
    Header {
        src: vpcsim::forward::INTERNET_CLIENT,
        dst,
        protocol: Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    }
}
