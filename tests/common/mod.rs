//! Shared fixtures for the fidelity tests: small worlds built through the API, and
//! helpers to read traces. Each test binary uses a different subset.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use vpcsim::addr::{Cidr, Protocol};
use vpcsim::ids::*;
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::trace::{ComponentKind, Direction, Flow, Header, Hop};
use vpcsim::world::World;

/// The seed every fixture uses unless a test says otherwise.
pub const SEED: u64 = 7;

/// An empty Seoul region.
pub fn seoul(seed: u64) -> World {
    World::in_region("ap-northeast-2", seed).expect("known region")
}

/// A CIDR literal.
pub fn cidr(s: &str) -> Cidr {
    s.parse().expect("valid CIDR literal")
}

/// An address literal.
pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("valid address literal")
}

/// A Name tag.
pub fn named(name: &str) -> Tags {
    Tags::from([("Name".to_string(), name.to_string())])
}

/// A VPC with this block.
pub fn vpc(w: &mut World, block: &str) -> VpcId {
    w.create_vpc(CreateVpc { cidr: Some(cidr(block)), ..Default::default() }).expect("vpc")
}

/// A subnet in the region's `az`th zone.
pub fn subnet(w: &mut World, vpc: VpcId, block: &str, az: usize) -> SubnetId {
    let az = Some(w.region().azs[az].to_string());
    w.create_subnet(CreateSubnet { vpc: Some(vpc), cidr: Some(cidr(block)), az, ..Default::default() })
        .expect("subnet")
}

/// An internet gateway attached to `vpc`.
pub fn internet_gateway(w: &mut World, vpc: VpcId) -> IgwId {
    let igw = w.create_internet_gateway(Tags::new());
    w.attach_internet_gateway(igw, vpc).expect("attach");
    igw
}

/// A table with 0.0.0.0/0 to `igw`, associated with `subnets`.
pub fn public_route_table(w: &mut World, vpc: VpcId, igw: IgwId, subnets: &[SubnetId]) -> RouteTableId {
    let rt = w.create_route_table(vpc, Tags::new());
    let gw = RouteTargetSpec::Gateway(w[igw].aws_id.clone());
    w.create_route(rt, Cidr::ANY, &gw).expect("route");
    for s in subnets {
        w.associate_route_table(rt, *s).expect("associate");
    }
    rt
}

/// A new group (allow-all egress, S3) allowing tcp `ports` in from `from`.
pub fn group(w: &mut World, vpc: VpcId, name: &str, ports: &[u16], from: &str) -> SgId {
    let sg = w.create_security_group(vpc, name, name, Tags::new()).expect("group");
    let perms: Vec<Permission> = ports.iter().map(|p| Permission::tcp(*p, cidr(from))).collect();
    if !perms.is_empty() {
        w.authorize_security_group(sg, Direction::Ingress, &perms).expect("authorize");
    }
    sg
}

/// A running instance with one interface.
pub fn instance(w: &mut World, subnet: SubnetId, groups: &[SgId], public: bool) -> InstanceId {
    w.run_instance(RunInstance {
        subnet: Some(subnet),
        groups: groups.to_vec(),
        public_ip: Some(public),
        ..Default::default()
    })
    .expect("instance")
}

/// An instance's primary interface.
pub fn eni(w: &World, i: InstanceId) -> EniId {
    w.instance(i).eni
}

/// An instance's private address.
pub fn private_ip(w: &World, i: InstanceId) -> Ipv4Addr {
    w[eni(w, i)].private_ip
}

/// An instance's public address.
pub fn public_ip(w: &World, i: InstanceId) -> Ipv4Addr {
    w.public_ip_of(eni(w, i)).expect("instance has a public IP")
}

/// A header of `protocol` from `src:sport` to `dst:dport`.
pub fn header(protocol: Protocol, src: Ipv4Addr, sport: u16, dst: Ipv4Addr, dport: u16) -> Header {
    Header { src, dst, protocol, src_port: sport, dst_port: dport }
}

/// A TCP connection from `src` (Linux ephemeral port 40000) to `dst:dport`.
pub fn tcp(src: Ipv4Addr, dst: Ipv4Addr, dport: u16) -> Flow {
    Flow { header: header(Protocol::Tcp, src, 40000, dst, dport), seq: 0 }
}

/// A TCP connection from an instance to `dst:dport`.
pub fn tcp_from(w: &World, i: InstanceId, dst: Ipv4Addr, dport: u16) -> Flow {
    tcp(private_ip(w, i), dst, dport)
}

/// The kinds of a path, in order.
pub fn kinds(hops: &[Hop]) -> Vec<ComponentKind> {
    hops.iter().map(|h| h.kind).collect()
}

/// The hops of one kind, in order.
pub fn hops_of(hops: &[Hop], kind: ComponentKind) -> Vec<&Hop> {
    hops.iter().filter(|h| h.kind == kind).collect()
}
