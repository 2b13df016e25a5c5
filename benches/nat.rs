//! A flow through a NAT gateway (G1-G3: a private instance, its table's 0.0.0.0/0 to a
//! public NAT gateway, the gateway's subnet to the internet gateway, checkip on the
//! internet) and one across a VPC peering connection (V2: the same instance to an
//! instance of the peered VPC), verdict and explained, next to the lab's PrivateLink
//! flow in the same run; then the same two flows in a region of 10,000 more VPCs, each
//! with its own NAT gateway and peered in pairs, added before the measured pair so that
//! any scan over gateways, connections or VPCs shows. Throughput is flows per second.
//! `cargo bench --bench nat`.

mod common;

use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vpcsim::addr::Cidr;
use vpcsim::ids::{EniId, SubnetId, VpcId};
use vpcsim::model::nat_gateway::Connectivity;
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::nat::CreateNatGateway;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::trace::{Direction, Flow};
use vpcsim::world::World;

fn tags(name: String) -> Tags {
    Tags::from([("Name".to_string(), name)])
}

fn vpc(w: &mut World, block: Cidr, name: String) -> VpcId {
    w.create_vpc(CreateVpc { cidr: Some(block), tags: tags(name), ..Default::default() }).expect("vpc")
}

fn subnet(w: &mut World, vpc: VpcId, cidr: Cidr, name: String) -> SubnetId {
    let az = w.region().azs[0].to_string();
    let req = CreateSubnet {
        vpc: Some(vpc),
        cidr: Some(cidr),
        az: Some(az),
        map_public_ip_on_launch: false,
        tags: tags(name),
    };
    w.create_subnet(req).expect("subnet")
}

/// A public NAT gateway with a new Elastic IP in `public` (G1); returns its AWS id.
fn nat_gateway(w: &mut World, public: SubnetId, name: String) -> String {
    let eip = w.allocate_address(tags(format!("{name}-eip")));
    let req = CreateNatGateway {
        subnet: public,
        connectivity: Connectivity::Public,
        allocation: Some(eip),
        private_ip: None,
        tags: tags(name),
    };
    let nat = w.create_nat_gateway(req).expect("nat gateway");
    w[nat].aws_id.clone()
}

/// A peering connection between `a` and `b`, accepted (V1); returns its AWS id.
fn peer(w: &mut World, a: VpcId, b: VpcId) -> String {
    let pcx = w.create_vpc_peering_connection(a, b, Tags::new()).expect("peering");
    w.accept_vpc_peering_connection(pcx).expect("accepted");
    w[pcx].aws_id.clone()
}

/// Two VPCs `10.x.0.0/16` and `10.(x+1).0.0/16`: the first with an internet gateway, a
/// public subnet holding a NAT gateway, and a private subnet whose table sends 0.0.0.0/0 to
/// the NAT gateway and the second VPC's block to the peering; the second with an instance
/// whose group admits port 80 from the first. Returns the private instance's interface and
/// the peer instance's address.
fn nat_and_peer(w: &mut World, x: u8, name: &str) -> (EniId, std::net::Ipv4Addr) {
    let (a_block, b_block) = (Cidr::new([10, x, 0, 0].into(), 16), Cidr::new([10, x + 1, 0, 0].into(), 16));
    let (a, b) = (vpc(w, a_block, format!("{name}-A")), vpc(w, b_block, format!("{name}-B")));
    let igw = w.create_internet_gateway(tags(format!("{name}-igw")));
    w.attach_internet_gateway(igw, a).expect("attach");
    let public = subnet(w, a, Cidr::new(a_block.network(), 24), format!("{name}-public"));
    let public_rt = w.create_route_table(a, tags(format!("{name}-public-rt")));
    w.create_route(public_rt, Cidr::ANY, &RouteTargetSpec::Gateway(w[igw].aws_id.clone())).expect("route");
    w.associate_route_table(public_rt, public).expect("associate");
    let nat = nat_gateway(w, public, format!("{name}-nat"));
    let private = subnet(w, a, Cidr::new(a_block.nth(256), 24), format!("{name}-private"));
    let private_rt = w.create_route_table(a, tags(format!("{name}-private-rt")));
    w.create_route(private_rt, Cidr::ANY, &RouteTargetSpec::NatGateway(nat)).expect("route to nat");
    w.associate_route_table(private_rt, private).expect("associate");
    let pcx = peer(w, a, b);
    w.create_route(private_rt, b_block, &RouteTargetSpec::VpcPeeringConnection(pcx.clone())).expect("route");
    let peer_subnet = subnet(w, b, Cidr::new(b_block.network(), 24), format!("{name}-peer"));
    let peer_rt = w[b].main_route_table;
    w.create_route(peer_rt, a_block, &RouteTargetSpec::VpcPeeringConnection(pcx)).expect("route back");
    let sg = w.create_security_group(b, "web", "web", tags(format!("{name}-sg"))).expect("sg");
    w.authorize_security_group(sg, Direction::Ingress, &[Permission::tcp(80, a_block)]).expect("rule");
    let run = |subnet, groups, n: &str| RunInstance {
        subnet: Some(subnet),
        groups,
        tags: tags(format!("{name}-{n}")),
        ..Default::default()
    };
    let app = w.run_instance(run(private, Vec::new(), "app")).expect("private instance");
    let web = w.run_instance(run(peer_subnet, vec![sg], "web")).expect("peer instance");
    (w[app].eni, w[w[web].eni].private_ip)
}

/// `vpcs` more VPCs like the lab's, each with a NAT gateway in its subnet, peered in pairs.
fn add_nat_vpcs(w: &mut World, vpcs: usize) {
    let first = w.vpcs().len();
    common::add_vpcs(w, vpcs, 1);
    let generated: Vec<(VpcId, SubnetId)> =
        w.subnets().iter().filter(|(_, s)| s.vpc.index() >= first).map(|(id, s)| (s.vpc, id)).collect();
    for (k, (v, s)) in generated.iter().enumerate() {
        nat_gateway(w, *s, format!("Gen-NAT-{k}"));
        if k % 2 == 1 {
            peer(w, generated[k - 1].0, *v);
        }
    }
}

/// The NAT flow (to checkip, port 80) and the peering flow, checked to be delivered.
fn flows(w: &World, from: EniId, peer: std::net::Ipv4Addr) -> [(&'static str, Flow); 2] {
    let nat = Flow { header: common::header(w, from, vpcsim::region::CHECKIP_ADDR), seq: 1 };
    let peering = Flow { header: common::header(w, from, peer), seq: 1 };
    for f in [nat, peering] {
        assert!(w.verdict(from, f).is_delivered(), "{:?}", w.trace(from, f));
    }
    [("nat", nat), ("peering", peering)]
}

fn nat(c: &mut Criterion) {
    let lab = common::lab_flow();
    let mut small = lab.lab.world.clone();
    let (s_from, s_peer) = nat_and_peer(&mut small, 200, "Bench");
    small.advance(Duration::from_secs(600));
    let mut big = lab.lab.world.clone();
    let vpcs = common::size(10_000, 300);
    add_nat_vpcs(&mut big, vpcs);
    let (b_from, b_peer) = nat_and_peer(&mut big, 200, "Bench");
    big.advance(Duration::from_secs(600));

    let mut g = c.benchmark_group("nat");
    g.throughput(Throughput::Elements(1));
    let (w, eni, flow) = (&lab.lab.world, lab.from, lab.flow);
    g.bench_function("lab-privatelink/verdict", |b| b.iter(|| w.verdict(eni, black_box(flow))));
    g.bench_function("lab-privatelink/explained", |b| b.iter(|| w.trace(eni, black_box(flow))));
    let big_label = format!("{vpcs}-vpcs");
    for (label, w, from, peer) in
        [("small", &small, s_from, s_peer), (big_label.as_str(), &big, b_from, b_peer)]
    {
        for (name, flow) in flows(w, from, peer) {
            g.bench_with_input(BenchmarkId::new(format!("{name}/verdict"), label), &flow, |b, &f| {
                b.iter(|| w.verdict(from, black_box(f)))
            });
            g.bench_with_input(BenchmarkId::new(format!("{name}/explained"), label), &flow, |b, &f| {
                b.iter(|| w.trace(from, black_box(f)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, nat);
criterion_main!(benches);
