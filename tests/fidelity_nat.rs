//! NAT gateways (G1-G4): translation with the headers before and after, the
//! response translated back, no connection from outside, private NAT gateways, NACLs
//! of the NAT subnet both ways, states on the virtual clock and blackholes (R5).

mod common;

use std::time::Duration;

use common::*;
use vpcsim::addr::{PortRange, Protocol, RuleProtocol};
use vpcsim::forward::INTERNET_CLIENT;
use vpcsim::ids::*;
use vpcsim::model::nat_gateway::{Connectivity, NatState};
use vpcsim::ops::nat::CreateNatGateway;
use vpcsim::ops::security::acl_entry;
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::region::CHECKIP_ADDR;
use vpcsim::trace::Direction;
use vpcsim::trace::{ComponentKind as K, ExplanationCode as C, Flow, Header, Trace};
use vpcsim::world::World;

/// A VPC 10.40.0.0/16 with a public subnet (IGW route, the NAT gateway) and a private
/// subnet routing 0.0.0.0/0 to the NAT gateway, with one private instance.
struct Net {
    w: World,
    public: SubnetId,
    private: SubnetId,
    nat: NatId,
    app: InstanceId,
    private_rt: RouteTableId,
}

fn net(connectivity: Connectivity) -> Net {
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.40.0.0/16");
    let public = subnet(&mut w, v, "10.40.1.0/24", 0);
    let private = subnet(&mut w, v, "10.40.2.0/24", 0);
    let igw = internet_gateway(&mut w, v);
    public_route_table(&mut w, v, igw, &[public]);
    let allocation = (connectivity == Connectivity::Public).then(|| w.allocate_address(Default::default()));
    let req =
        CreateNatGateway { subnet: public, connectivity, allocation, private_ip: None, tags: named("NAT") };
    let nat = w.create_nat_gateway(req).unwrap();
    let private_rt = w.create_route_table(v, named("private"));
    w.associate_route_table(private_rt, private).unwrap();
    let to_nat = RouteTargetSpec::NatGateway(w[nat].aws_id.clone());
    w.create_route(private_rt, vpcsim::addr::Cidr::ANY, &to_nat).unwrap();
    let sg = group(&mut w, v, "app", &[22], "10.40.0.0/16");
    let app = instance(&mut w, private, &[sg], false);
    w.advance(Duration::from_secs(60));
    Net { w, public, private, nat, app, private_rt }
}

fn checkip(n: &Net) -> Flow {
    let mut f = tcp_from(&n.w, n.app, CHECKIP_ADDR, 80);
    f.seq = 12345;
    f
}

fn nat_hops(t: &[vpcsim::trace::Hop]) -> Vec<(Option<Header>, Option<Header>)> {
    hops_of(t, K::NatGateway).into_iter().map(|h| (h.inbound, h.outbound)).collect()
}

fn trace(n: &Net, flow: Flow) -> Trace {
    n.w.trace(eni(&n.w, n.app), flow)
}

#[test]
fn g1_a_nat_gateway_rewrites_the_source_to_its_private_ip_and_a_port_and_the_igw_to_its_elastic_ip() {
    let n = net(Connectivity::Public);
    let w = &n.w;
    let flow = checkip(&n);
    let t = trace(&n, flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    let nat_ip = w[w[n.nat].eni].private_ip;
    let eip = w[w[n.nat].eip.unwrap()].public_ip;
    let [(Some(before), Some(after))] = nat_hops(&t.forward)[..] else {
        panic!("{:?}", nat_hops(&t.forward))
    };
    assert_eq!(before, flow.header);
    assert_eq!((after.src, after.dst, after.dst_port), (nat_ip, CHECKIP_ADDR, 80));
    assert!(after.src_port >= 1024, "G1/N3: the NAT gateway's ports are 1024-65535");
    let igw = hops_of(&t.forward, K::InternetGateway)[0];
    assert_eq!(igw.inbound, Some(after));
    assert_eq!(igw.outbound, Some(Header { src: eip, ..after }));
    assert_eq!(t.delivered, Some(Header { src: eip, ..after }), "the internet sees the Elastic IP");
    assert_eq!(
        kinds(&t.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::NetworkAcl,
            K::NatGateway,
            K::NetworkInterface,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
        ]
    );
}

#[test]
fn g1_the_response_is_translated_back_through_the_igw_then_the_nat_gateway() {
    let n = net(Connectivity::Public);
    let w = &n.w;
    let flow = checkip(&n);
    let t = trace(&n, flow);
    let eip = w[w[n.nat].eip.unwrap()].public_ip;
    let after = nat_hops(&t.forward)[0].1.unwrap();
    let back = nat_hops(&t.ret);
    assert_eq!(back, [(Some(after.reversed()), Some(flow.header.reversed()))]);
    let igw = hops_of(&t.ret, K::InternetGateway)[0];
    assert_eq!(igw.inbound.map(|h| h.dst), Some(eip));
    assert_eq!(igw.outbound, Some(after.reversed()));
    assert_eq!(t.ret.last().map(|h| h.kind), Some(K::NetworkInterface));
    assert_eq!(t.ret.last().and_then(|h| h.inbound), Some(flow.header.reversed()));
}

#[test]
fn g1_the_translated_port_is_the_same_for_the_same_flow_and_differs_between_connections() {
    let n = net(Connectivity::Public);
    let port = |seq: u32| {
        let t = trace(&n, Flow { seq, ..checkip(&n) });
        nat_hops(&t.forward)[0].1.unwrap().src_port
    };
    assert_eq!(port(7), port(7));
    let ports: std::collections::BTreeSet<u16> = (0..20).map(port).collect();
    assert!(ports.len() > 15, "{ports:?}");
}

#[test]
fn g2_the_internet_cannot_open_a_connection_to_the_nat_gateways_elastic_ip() {
    let n = net(Connectivity::Public);
    let w = &n.w;
    let eip = w[w[n.nat].eip.unwrap()].public_ip;
    let flow = tcp(INTERNET_CLIENT, eip, 22);
    let t = w.trace_from_internet(flow);
    let x = t.explanation.expect("blocked");
    assert_eq!(
        (x.code, x.kind, x.component_id.as_str()),
        (C::NatGatewayNoInbound, K::NatGateway, w[n.nat].aws_id.as_str())
    );
    assert_eq!(w.verdict_from_internet(flow).code(), Some(C::NatGatewayNoInbound));
}

#[test]
fn g2_nothing_in_the_vpc_can_open_a_connection_to_the_nat_gateway_itself() {
    let n = net(Connectivity::Public);
    let w = &n.w;
    let nat_ip = w[w[n.nat].eni].private_ip;
    let t = trace(&n, tcp_from(w, n.app, nat_ip, 80));
    assert_eq!(t.explanation.map(|x| x.code), Some(C::NatGatewayNoInbound));
}

#[test]
fn g3_a_private_nat_gateway_translates_but_its_traffic_to_an_igw_is_dropped() {
    let n = net(Connectivity::Private);
    let w = &n.w;
    let t = trace(&n, checkip(&n));
    let nat_ip = w[w[n.nat].eni].private_ip;
    assert_eq!(nat_hops(&t.forward)[0].1.map(|h| h.src), Some(nat_ip));
    let x = t.explanation.expect("blocked at the IGW");
    assert_eq!((x.code, x.kind), (C::IgwPublicIpAssociationForEgress, K::InternetGateway));
}

#[test]
fn g4_no_security_group_applies_at_the_nat_gateway() {
    let n = net(Connectivity::Public);
    let w = &n.w;
    assert!(w[w[n.nat].eni].groups.is_empty());
    let t = trace(&n, checkip(&n));
    let at = t.forward.iter().position(|h| h.kind == K::NatGateway).unwrap();
    assert!(t.forward[at..].iter().all(|h| h.kind != K::SecurityGroup), "{:?}", kinds(&t.forward));
}

#[test]
fn g4_n3_the_nat_subnets_nacl_must_admit_the_response_on_ports_1024_to_65535() {
    let mut n = net(Connectivity::Public);
    let w = &mut n.w;
    let v = w[n.public].vpc;
    let acl = w.create_network_acl(v, Default::default());
    let tcp = RuleProtocol::One(Protocol::Tcp);
    let allow = |number: u16, from: u16, to: u16| {
        acl_entry(number, tcp, PortRange { from, to }, cidr("0.0.0.0/0"), true)
    };
    w.associate_network_acl(acl, n.public).unwrap();
    w.create_network_acl_entry(acl, Direction::Ingress, allow(100, 80, 80)).unwrap();
    w.create_network_acl_entry(acl, Direction::Egress, allow(100, 80, 80)).unwrap();
    w.create_network_acl_entry(acl, Direction::Egress, allow(110, 32768, 65535)).unwrap();
    let flow = checkip(&n);
    let blocked = n.w.trace(eni(&n.w, n.app), flow);
    let x = blocked.explanation.expect("the response is denied at the NAT subnet's NACL");
    assert_eq!((x.code, x.kind), (C::SubnetAclRestriction, K::NetworkAcl));
    assert!(blocked.delivered.is_none() && !blocked.ret.is_empty(), "denied on the way back");
    n.w.create_network_acl_entry(acl, Direction::Ingress, allow(110, 1024, 65535)).unwrap();
    assert!(n.w.trace(eni(&n.w, n.app), flow).reachable());
}

#[test]
fn g1_a_new_nat_gateway_is_pending_for_about_a_minute_then_available() {
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, v, "10.0.1.0/24", 0);
    internet_gateway(&mut w, v);
    let eip = w.allocate_address(Default::default());
    let req = CreateNatGateway {
        subnet: s,
        connectivity: Connectivity::Public,
        allocation: Some(eip),
        private_ip: Some(ip("10.0.1.50")),
        tags: Default::default(),
    };
    let nat = w.create_nat_gateway(req).unwrap();
    assert_eq!((w[nat].state, w[w[nat].eni].private_ip), (NatState::Pending, ip("10.0.1.50")));
    w.advance(Duration::from_secs(59));
    assert_eq!(w[nat].state, NatState::Pending);
    w.advance(Duration::from_secs(1));
    assert_eq!(w[nat].state, NatState::Available);
    w.delete_nat_gateway(nat).unwrap();
    assert_eq!(w[nat].state, NatState::Deleting);
    assert_eq!(w[eip].eni, None, "its Elastic IP is free again");
    w.advance(Duration::from_secs(60));
    assert_eq!(w[nat].state, NatState::Deleted);
    assert_eq!(w.delete_nat_gateway(nat).unwrap_err().code, "InvalidNatGatewayID.NotFound");
}

#[test]
fn g1_traffic_through_a_pending_nat_gateway_stops_there_with_bad_state() {
    let mut n = net(Connectivity::Public);
    let v = n.w[n.private].vpc;
    let s = subnet(&mut n.w, v, "10.40.3.0/24", 0);
    let eip = n.w.allocate_address(Default::default());
    let req = CreateNatGateway {
        subnet: s,
        connectivity: Connectivity::Public,
        allocation: Some(eip),
        private_ip: None,
        tags: Default::default(),
    };
    let fresh = n.w.create_nat_gateway(req).unwrap();
    n.w.replace_route(
        n.private_rt,
        vpcsim::addr::Cidr::ANY,
        &RouteTargetSpec::NatGateway(n.w[fresh].aws_id.clone()),
    )
    .unwrap();
    let x = trace(&n, checkip(&n)).explanation.expect("blocked");
    assert_eq!((x.code, x.kind), (C::BadState, K::NatGateway));
}

#[test]
fn g4_r5_deleting_the_nat_gateway_turns_the_route_into_a_blackhole() {
    let mut n = net(Connectivity::Public);
    n.w.delete_nat_gateway(n.nat).unwrap();
    let x = trace(&n, checkip(&n)).explanation.expect("blocked");
    assert_eq!((x.code, x.kind), (C::BadStateRoute, K::RouteTable));
    let routes = vpcsim::describe::route_tables(&n.w);
    let text = routes.to_string();
    assert!(text.contains("blackhole"), "{text}");
}

#[test]
fn r4_a_route_to_a_nat_gateway_that_does_not_exist_is_refused() {
    let mut n = net(Connectivity::Public);
    let missing = RouteTargetSpec::NatGateway("nat-0123456789abcdef0".into());
    let e = n.w.create_route(n.private_rt, cidr("198.51.100.0/24"), &missing).unwrap_err();
    assert_eq!(e.code, "InvalidNatGatewayID.NotFound");
}

#[test]
fn g1_a_public_nat_gateway_needs_a_free_elastic_ip_and_a_private_one_takes_none() {
    let mut n = net(Connectivity::Public);
    let w = &mut n.w;
    let taken = w[n.nat].eip;
    let public = |allocation| CreateNatGateway {
        subnet: n.public,
        connectivity: Connectivity::Public,
        allocation,
        private_ip: None,
        tags: Default::default(),
    };
    assert_eq!(w.create_nat_gateway(public(None)).unwrap_err().code, "MissingParameter");
    assert_eq!(w.create_nat_gateway(public(taken)).unwrap_err().code, "Resource.AlreadyAssociated");
    let private = CreateNatGateway { connectivity: Connectivity::Private, ..public(taken) };
    assert_eq!(w.create_nat_gateway(private).unwrap_err().code, "InvalidParameterCombination");
}

#[test]
fn g1_icmp_through_a_nat_gateway_keeps_its_echo_and_comes_back() {
    let n = net(Connectivity::Public);
    let flow = Flow { header: header(Protocol::Icmp, private_ip(&n.w, n.app), 0, CHECKIP_ADDR, 8), seq: 0 };
    assert!(trace(&n, flow).reachable());
}

#[test]
fn the_reference_model_agrees_with_the_walk_through_nat_gateways_g1_g2_g3() {
    for connectivity in [Connectivity::Public, Connectivity::Private] {
        let mut n = net(connectivity);
        let nat_ip = n.w[n.w[n.nat].eni].private_ip;
        let flows = |n: &Net| {
            let app = private_ip(&n.w, n.app);
            [
                checkip(n),
                tcp_from(&n.w, n.app, nat_ip, 80),
                Flow { header: header(Protocol::Icmp, app, 0, CHECKIP_ADDR, 8), seq: 0 },
                Flow { header: header(Protocol::Udp, app, 40000, ip("8.8.8.8"), 53), seq: 0 },
            ]
        };
        for flow in flows(&n) {
            vpcsim::testing::check_flow(&n.w, eni(&n.w, n.app), flow).unwrap_or_else(|m| panic!("{m}"));
        }
        n.w.delete_nat_gateway(n.nat).unwrap();
        for flow in flows(&n) {
            vpcsim::testing::check_flow(&n.w, eni(&n.w, n.app), flow).unwrap_or_else(|m| panic!("{m}"));
        }
    }
}
