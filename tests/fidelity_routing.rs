//! Fidelity tests for route tables (docs/aws-rules.md R1-R9) and internet gateways (I1-I5).

mod common;

use common::*;
use vpcsim::addr::Cidr;
use vpcsim::forward::{Block, Component, Outcome};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::route_table::RouteTarget;
use vpcsim::model::Tags;
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::region::CHECKIP_ADDR;
use vpcsim::trace::{
    ComponentKind as K, Explanation, ExplanationCode as C, Header, Matched, RouteState,
    RouteTarget as RouteHop, Trace,
};
use vpcsim::world::World;

/// The explanation's code, component kind and component id.
fn blocked_at(t: &Trace) -> (C, K, String) {
    let e: &Explanation = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

fn route(destination: Cidr, target: RouteHop, state: RouteState) -> Option<Matched> {
    Some(Matched::Route { destination, target, state })
}

fn route_hop(t: &Trace) -> Option<Matched> {
    t.forward.iter().find(|h| h.kind == K::RouteTable).and_then(|h| h.matched.clone())
}

/// One VPC 10.0.0.0/16 with an attached IGW, a subnet 10.0.1.0/24 on the main table and an
/// instance there with a public IP.
struct OneSubnet {
    w: World,
    vpc: vpcsim::ids::VpcId,
    igw: vpcsim::ids::IgwId,
    a: vpcsim::ids::SubnetId,
    i: vpcsim::ids::InstanceId,
}

fn one_subnet() -> OneSubnet {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let igw = internet_gateway(&mut w, vpc);
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let i = instance(&mut w, a, &[], true);
    OneSubnet { w, vpc, igw, a, i }
}

#[test]
fn r1_a_subnet_uses_its_explicit_table_else_the_vpcs_main_table() {
    // R1: Each subnet uses exactly one route table: its explicit association, else the VPC's main table.
    let OneSubnet { mut w, vpc, igw, a, i } = one_subnet();
    let main = w[vpc].main_route_table;
    let main_id = w[main].aws_id.clone();
    let flow = tcp_from(&w, i, CHECKIP_ADDR, 80);
    let t = w.trace(eni(&w, i), flow);
    assert_eq!(blocked_at(&t), (C::NoRouteToDestination, K::RouteTable, main_id.clone()));

    let rt = public_route_table(&mut w, vpc, igw, &[a]);
    let igw_id = w[igw].aws_id.clone();
    let t = w.trace(eni(&w, i), flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    let hop = t.forward.iter().find(|h| h.kind == K::RouteTable).unwrap();
    assert_eq!(hop.id, w[rt].aws_id);
    assert_eq!(
        hop.matched,
        route(Cidr::ANY, RouteHop::InternetGateway(igw_id.as_str().into()), RouteState::Active)
    );

    w.disassociate_route_table(a);
    let t = w.trace(eni(&w, i), flow);
    assert_eq!(blocked_at(&t), (C::NoRouteToDestination, K::RouteTable, main_id));
}

#[test]
fn r3_the_longest_matching_prefix_decides() {
    // R3: Longest prefix match decides.
    let OneSubnet { mut w, vpc, igw, a, i } = one_subnet();
    let b = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    let appliance = instance(&mut w, b, &[], false);
    let appliance_id = w[eni(&w, appliance)].aws_id.clone();
    let igw_id = w[igw].aws_id.clone();
    let rt = w.create_route_table(vpc, Tags::new());
    w.create_route(rt, Cidr::ANY, &RouteTargetSpec::NetworkInterface(appliance_id.clone())).unwrap();
    let checkip_24 = Cidr::new(CHECKIP_ADDR, 24);
    w.create_route(rt, checkip_24, &RouteTargetSpec::Gateway(igw_id.clone())).unwrap();
    w.associate_route_table(rt, a).unwrap();

    let t = w.trace(eni(&w, i), tcp_from(&w, i, CHECKIP_ADDR, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        route_hop(&t),
        route(checkip_24, RouteHop::InternetGateway(igw_id.as_str().into()), RouteState::Active)
    );

    // Anything else falls to 0.0.0.0/0: an appliance instance whose source/destination check is on.
    let t = w.trace(eni(&w, i), tcp_from(&w, i, ip("8.8.4.4"), 80));
    assert_eq!(
        route_hop(&t),
        route(Cidr::ANY, RouteHop::NetworkInterface(appliance_id.as_str().into()), RouteState::Active)
    );
    assert_eq!(blocked_at(&t), (C::EniSourceDestCheckRestriction, K::NetworkInterface, appliance_id));
}

#[test]
fn r5_a_route_to_a_detached_gateway_is_a_blackhole() {
    // R5: A route whose target is gone (IGW detached, NAT deleted, instance terminated) stays in
    // the table with state `blackhole` and drops traffic.
    // I7: the gateway detaches only once no public address of the VPC is mapped, so My-EC2
    // is launched without one; before the detachment its flow reaches the gateway.
    let mut lab = Lab::ready(LabOptions { my_ec2_public_ip: false, ..Default::default() }).unwrap();
    let w = &mut lab.world;
    let flow = tcp_from(w, lab.my_ec2, CHECKIP_ADDR, 80);
    let igw_id = w[lab.my_igw].aws_id.clone();
    let before = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&before), (C::IgwPublicIpAssociationForEgress, K::InternetGateway, igw_id.clone()));
    assert_eq!(
        route_hop(&before),
        route(Cidr::ANY, RouteHop::InternetGateway(igw_id.as_str().into()), RouteState::Active)
    );

    w.detach_internet_gateway(lab.my_igw, lab.my_vpc).unwrap();
    let rt_id = w[lab.my_rt].aws_id.clone();
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&t), (C::BadStateRoute, K::RouteTable, rt_id));
    assert_eq!(
        route_hop(&t),
        route(Cidr::ANY, RouteHop::InternetGateway(igw_id.as_str().into()), RouteState::Blackhole)
    );
    assert_eq!(
        kinds(&t.forward),
        [K::Instance, K::NetworkInterface, K::SecurityGroup, K::NetworkAcl, K::RouteTable]
    );
    let routes = &w[lab.my_rt].routes;
    assert!(routes.iter().any(|r| r.destination == Cidr::ANY && r.target == RouteTarget::Igw(lab.my_igw)));
}

#[test]
fn r5_a_route_to_a_terminated_instance_is_a_blackhole() {
    // R5: A route whose target is gone (IGW detached, NAT deleted, instance terminated) stays in
    // the table with state `blackhole` and drops traffic.
    let OneSubnet { mut w, vpc, a, i, .. } = one_subnet();
    let b = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    let nat = instance(&mut w, b, &[], false);
    w.set_source_dest_check(eni(&w, nat), false);
    let nat_id = w.instance(nat).aws_id.clone();
    let rt = w.create_route_table(vpc, Tags::new());
    w.create_route(rt, Cidr::ANY, &RouteTargetSpec::Instance(nat_id.clone())).unwrap();
    w.associate_route_table(rt, a).unwrap();
    let flow = tcp_from(&w, i, CHECKIP_ADDR, 80);
    let t = w.trace(eni(&w, i), flow);
    assert_eq!(
        route_hop(&t),
        route(Cidr::ANY, RouteHop::Instance(nat_id.as_str().into()), RouteState::Active)
    );

    w.terminate_instance(nat);
    let t = w.trace(eni(&w, i), flow);
    assert_eq!(blocked_at(&t), (C::BadStateRoute, K::RouteTable, w[rt].aws_id.clone()));
    assert_eq!(
        route_hop(&t),
        route(Cidr::ANY, RouteHop::Instance(nat_id.as_str().into()), RouteState::Blackhole)
    );
    assert_eq!(w[rt].routes.len(), 2, "the route stays in the table");
}

#[test]
fn r6_with_no_matching_route_the_packet_is_dropped() {
    // R6: No matching route: the packet is dropped (RA code NO_ROUTE_TO_DESTINATION).
    let OneSubnet { w, vpc, i, .. } = one_subnet();
    let main = w[vpc].main_route_table;
    let (t, outcome) = w.trace_outcome(eni(&w, i), tcp_from(&w, i, ip("8.8.8.8"), 53));
    assert_eq!(blocked_at(&t), (C::NoRouteToDestination, K::RouteTable, w[main].aws_id.clone()));
    assert_eq!(
        kinds(&t.forward),
        [K::Instance, K::NetworkInterface, K::SecurityGroup, K::NetworkAcl, K::RouteTable]
    );
    assert!(t.ret.is_empty());
    assert!(matches!(
        outcome,
        Outcome::Blocked(Block { code: C::NoRouteToDestination, at: Component::RouteTable(rt), on_return: false, .. }) if rt == main
    ));
}

#[test]
fn r7_traffic_within_a_subnet_skips_the_route_table_that_would_divert_it() {
    // R7: Route tables apply only to traffic that leaves a subnet through the VPC router.
    // Traffic to an address in the same subnet is delivered directly.
    let OneSubnet { mut w, vpc, a, i, .. } = one_subnet();
    let b = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    let server = instance(&mut w, a, &[], false);
    let sg = w[vpc].default_sg;
    w.set_groups(eni(&w, i), &[sg]).unwrap();
    let neighbour = instance(&mut w, b, &[sg], false);
    // A middlebox route for the whole of subnet a, to an instance whose source/destination check is on.
    let probe = instance(&mut w, b, &[sg], false);
    let probe_id = w[eni(&w, probe)].aws_id.clone();
    let rt = w.create_route_table(vpc, Tags::new());
    w.create_route(rt, cidr("10.0.1.0/24"), &RouteTargetSpec::NetworkInterface(probe_id.clone())).unwrap();
    w.associate_route_table(rt, a).unwrap();
    w.associate_route_table(rt, b).unwrap();

    let t = w.trace(eni(&w, i), tcp_from(&w, i, private_ip(&w, server), 22));
    assert!(t.reachable(), "{:?}", t.explanation);
    let direct = [
        K::Instance,
        K::NetworkInterface,
        K::SecurityGroup,
        K::SecurityGroup,
        K::NetworkInterface,
        K::Instance,
    ];
    assert_eq!(kinds(&t.forward), direct);

    let t = w.trace(eni(&w, neighbour), tcp_from(&w, neighbour, private_ip(&w, server), 22));
    assert_eq!(
        route_hop(&t),
        route(cidr("10.0.1.0/24"), RouteHop::NetworkInterface(probe_id.as_str().into()), RouteState::Active)
    );
    assert_eq!(blocked_at(&t), (C::EniSourceDestCheckRestriction, K::NetworkInterface, probe_id));
}

#[test]
fn r8_a_public_ip_in_a_subnet_whose_table_has_no_igw_route_reaches_no_internet() {
    // R8: "Public subnet" means only that the subnet's table has a route to an IGW. An instance
    // with a public IP in a subnet without such a route cannot reach the internet.
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let igw = internet_gateway(&mut w, vpc);
    let routed_subnet = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let unrouted_subnet = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    public_route_table(&mut w, vpc, igw, &[routed_subnet]);
    let web = group(&mut w, vpc, "web", &[80], "0.0.0.0/0");
    let routed = instance(&mut w, routed_subnet, &[web], true);
    let unrouted = instance(&mut w, unrouted_subnet, &[web], true);
    let main_id = w[w[vpc].main_route_table].aws_id.clone();
    assert!(w.public_ip_of(eni(&w, unrouted)).is_some(), "both instances have a public address");

    // Out: the subnet's table has no route to the gateway, so the packet never reaches it.
    let out = |i| w.trace(eni(&w, i), tcp_from(&w, i, CHECKIP_ADDR, 80));
    assert!(out(routed).reachable(), "{:?}", out(routed).explanation);
    let t = out(unrouted);
    assert_eq!(blocked_at(&t), (C::NoRouteToDestination, K::RouteTable, main_id.clone()));
    assert!(!kinds(&t.forward).contains(&K::InternetGateway), "{:?}", kinds(&t.forward));

    // In: the gateway maps the public address and the request arrives, but the reply has no
    // route back out of the subnet.
    let inbound = |i| {
        let header = Header {
            src: vpcsim::forward::INTERNET_CLIENT,
            dst: public_ip(&w, i),
            protocol: vpcsim::addr::Protocol::Tcp,
            src_port: 40000,
            dst_port: 80,
        };
        w.trace_from_internet(vpcsim::trace::Flow { header, seq: 1 })
    };
    assert!(inbound(routed).reachable(), "{:?}", inbound(routed).explanation);
    let t = inbound(unrouted);
    assert_eq!(blocked_at(&t), (C::NoRouteToDestination, K::RouteTable, main_id));
}

#[test]
fn i1_the_igw_rewrites_the_private_source_out_and_the_public_destination_in() {
    // I1: The IGW performs static one-to-one NAT: outbound it rewrites the source from the ENI's
    // primary private IP to its public IP; inbound it rewrites the destination public IP back to
    // the private IP. The instance only ever sees its private IP.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let (me, web) = (lab.my_ec2, lab.web1);
    let (my_priv, my_pub) = (private_ip(w, me), public_ip(w, me));
    let (web_priv, web_pub) = (private_ip(w, web), public_ip(w, web));
    let t = w.trace(eni(w, me), tcp(my_priv, web_pub, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        kinds(&t.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
            K::InternetGateway,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance,
        ]
    );
    let h = |src, dst, sport, dport| Header {
        src,
        dst,
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: sport,
        dst_port: dport,
    };
    let igws: Vec<_> = hops_of(&t.forward, K::InternetGateway)
        .into_iter()
        .map(|x| (x.id.to_string(), x.inbound, x.outbound))
        .collect();
    let my_igw = w[lab.my_igw].aws_id.clone();
    let custom_igw = w[lab.custom_igw].aws_id.clone();
    assert_eq!(
        igws,
        [
            (my_igw.clone(), Some(h(my_priv, web_pub, 40000, 80)), Some(h(my_pub, web_pub, 40000, 80))),
            (custom_igw.clone(), Some(h(my_pub, web_pub, 40000, 80)), Some(h(my_pub, web_priv, 40000, 80))),
        ]
    );
    assert_eq!(t.delivered, Some(h(my_pub, web_priv, 40000, 80)));
    // The response: the server's IGW rewrites its source, the client's IGW the destination.
    let back: Vec<_> = hops_of(&t.ret, K::InternetGateway)
        .into_iter()
        .map(|x| (x.id.to_string(), x.inbound, x.outbound))
        .collect();
    assert_eq!(
        back,
        [
            (custom_igw, Some(h(web_priv, my_pub, 80, 40000)), Some(h(web_pub, my_pub, 80, 40000))),
            (my_igw, Some(h(web_pub, my_pub, 80, 40000)), Some(h(web_pub, my_priv, 80, 40000))),
        ]
    );
}

#[test]
fn i2_an_interface_without_a_public_ip_cannot_leave_through_the_igw() {
    // I2: An ENI without a public IP cannot send through the IGW (RA code IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS).
    let with = Lab::ready(LabOptions::default()).unwrap();
    let w = &with.world;
    assert!(w.trace(eni(w, with.my_ec2), tcp_from(w, with.my_ec2, CHECKIP_ADDR, 80)).reachable());

    let without = Lab::ready(LabOptions { my_ec2_public_ip: false, ..Default::default() }).unwrap();
    let w = &without.world;
    let t = w.trace(eni(w, without.my_ec2), tcp_from(w, without.my_ec2, CHECKIP_ADDR, 80));
    let igw_id = w[without.my_igw].aws_id.clone();
    assert_eq!(blocked_at(&t), (C::IgwPublicIpAssociationForEgress, K::InternetGateway, igw_id.clone()));
    assert_eq!(t.explanation.as_ref().unwrap().component_name.as_deref(), Some("My-IGW"));
    let last = t.forward.last().unwrap();
    assert_eq!((last.kind, last.id.as_str(), last.outbound), (K::InternetGateway, igw_id.as_str(), None));
}

#[test]
fn i3_inbound_to_a_public_ip_whose_vpc_has_no_gateway_is_dropped() {
    // I3: Inbound, the IGW drops traffic whose destination is not a public IP mapped to an ENI (or
    // NLB node) of its VPC (RA code IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS).
    // I7: a gateway cannot be detached while the VPC's public addresses are mapped, but an
    // instance may be launched with a public IP into a VPC that has no gateway at all.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let flow = tcp_from(w, lab.my_ec2, public_ip(w, lab.web1), 80);
    assert!(w.trace(eni(w, lab.my_ec2), flow).reachable());
    let refused = w.detach_internet_gateway(lab.custom_igw, lab.custom_vpc).unwrap_err();
    assert_eq!(refused.code, "DependencyViolation");
    let isolated = vpc(w, "10.90.0.0/16");
    let sub = subnet(w, isolated, "10.90.1.0/24", 0);
    let open = group(w, isolated, "open", &[80], "0.0.0.0/0");
    let server = instance(w, sub, &[open], true);
    let flow = tcp_from(w, lab.my_ec2, public_ip(w, server), 80);
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&t), (C::IgwPrivateIpAssociationForIngress, K::Internet, "internet".to_string()));
    assert_eq!(
        kinds(&t.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
        ]
    );
}

#[test]
fn i5_the_igw_drops_egress_to_rfc1918_destinations() {
    // I5: The IGW drops egress to RFC1918 destinations (RA IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS).
    let OneSubnet { mut w, vpc, igw, a, i } = one_subnet();
    public_route_table(&mut w, vpc, igw, &[a]);
    let igw_id = w[igw].aws_id.clone();
    for private in ["192.168.1.10", "172.31.255.1", "10.200.0.1"] {
        let t = w.trace(eni(&w, i), tcp_from(&w, i, ip(private), 443));
        assert_eq!(
            blocked_at(&t),
            (C::IgwDestinationAddressNotInRfc1918Egress, K::InternetGateway, igw_id.clone()),
            "{private}"
        );
    }
    // 172.32.0.0 is just outside 172.16.0.0/12: the IGW carries it (and nobody answers there).
    let t = w.trace(eni(&w, i), tcp_from(&w, i, ip("172.32.0.1"), 443));
    assert!(t.forward.iter().any(|h| h.kind == K::InternetGateway && h.outbound.is_some()));
    assert_eq!(blocked_at(&t), (C::UnknownDestination, K::Internet, "172.32.0.1".to_string()));
}

#[test]
fn i4_the_labs_before_path_crosses_both_gateways_and_the_target_sees_the_public_source() {
    // I4: Public-to-public traffic between two VPCs in one region leaves through the sender's IGW
    // and enters through the receiver's IGW. The receiver sees the sender's public IP as source.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, nlb_ip, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    let igws: Vec<_> = hops_of(&t.forward, K::InternetGateway).into_iter().map(|h| h.id.clone()).collect();
    assert_eq!(igws, [w[lab.my_igw].aws_id.clone(), w[lab.custom_igw].aws_id.clone()]);
    assert!(t.passes_in_order(&[K::InternetGateway, K::Internet, K::InternetGateway, K::LoadBalancer]));
    assert_eq!(t.seen_source(), Some(public_ip(w, lab.my_ec2)));
}

#[test]
fn r9_a_route_more_specific_than_local_must_name_exactly_a_subnets_cidr() {
    // R9: a route more specific than the local route (middlebox routing) must have exactly the
    // CIDR of a subnet of that VPC as its destination; anything else is refused
    // (InvalidParameterValue).
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.88.0.0/16");
    let a = subnet(&mut w, vpc, "10.88.1.0/24", 0);
    subnet(&mut w, vpc, "10.88.2.0/24", 0);
    let appliance = instance(&mut w, a, &[], false);
    let target = RouteTargetSpec::NetworkInterface(w[eni(&w, appliance)].aws_id.clone());
    let rt = w.create_route_table(vpc, Tags::new());
    let before = format!("{w:?}");
    for destination in ["10.88.2.0/25", "10.88.2.128/25", "10.88.0.0/17", "10.88.3.0/24"] {
        let err = w.create_route(rt, cidr(destination), &target).unwrap_err();
        assert_eq!(err.code, "InvalidParameterValue", "{destination}: {err}");
        assert!(err.message.starts_with("Route destination doesn't match any subnet CIDR blocks"), "{err}");
        assert!(err.message.contains(destination), "{err}");
    }
    assert_eq!(format!("{w:?}"), before, "refused routes change nothing");
    w.create_route(rt, cidr("10.88.2.0/24"), &target).unwrap();
    w.create_route(rt, cidr("10.0.0.0/8"), &target).unwrap();
    w.create_route(rt, cidr("10.88.2.0/26"), &target).unwrap_err();
}
