//! Fidelity tests for Network Load Balancers (docs/aws-rules.md L1-L3, L5-L15).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::dns::{Rcode, View};
use vpcsim::forward::{Destination, Outcome};
use vpcsim::ids::*;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::nacl::{AclEntry, Action, IcmpTypeCode};
use vpcsim::model::nlb::{
    CrossZone, HealthCheck, HealthState, ListenerProtocol, TargetGroupAttribute, TargetRef, TargetType,
};
use vpcsim::model::security_group::Peer;
use vpcsim::model::Tags;
use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use vpcsim::ops::security::Permission;
use vpcsim::trace::{
    ComponentKind as K, Direction, ExplanationCode as C, Flow, Matched, TargetId, TargetPool, Trace,
};
use vpcsim::world::World;

fn blocked_at(t: &Trace) -> (C, K, String) {
    let e = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

fn target_group(
    w: &mut World,
    name: &str,
    vpc: VpcId,
    protocol: ListenerProtocol,
    port: u16,
    kind: TargetType,
) -> TargetGroupId {
    w.create_target_group(CreateTargetGroup {
        name: name.into(),
        protocol,
        port,
        vpc,
        target_type: kind,
        health_check: HealthCheck::default(),
        preserve_client_ip: None,
        tags: Tags::new(),
    })
    .unwrap()
}

fn register(w: &mut World, tg: TargetGroupId, targets: &[TargetRef]) {
    let specs: Vec<_> = targets.iter().map(|t| TargetSpec { target: *t, port: None }).collect();
    w.register_targets(tg, &specs).unwrap();
}

/// The instance a delivered flow reached.
fn reached(w: &World, from: EniId, flow: Flow) -> InstanceId {
    match w.verdict(from, flow) {
        Outcome::Delivered { to: Destination::Instance(i), .. } => i,
        other => panic!("not delivered to an instance: {other:?}"),
    }
}

/// A VPC 10.0.0.0/16 with public subnets a (first AZ) and b (second AZ), web servers on tcp 80
/// in a (and in b when asked), a client in a, and an NLB with a node in each subnet.
struct Zones {
    w: World,
    vpc: VpcId,
    subnets: [SubnetId; 2],
    client: InstanceId,
    web_a: InstanceId,
    tg: TargetGroupId,
    lb: LbId,
}

fn zones(internal: bool, target_in_b: bool, cross_zone: bool) -> Zones {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let igw = internet_gateway(&mut w, vpc);
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let b = subnet(&mut w, vpc, "10.0.2.0/24", 1);
    public_route_table(&mut w, vpc, igw, &[a, b]);
    let web_sg = group(&mut w, vpc, "web", &[80], "0.0.0.0/0");
    let client = instance(&mut w, a, &[], true);
    let web_a = instance(&mut w, a, &[web_sg], false);
    w.serve_http(web_a, 80, "httpd", "a");
    let tg = target_group(&mut w, "web", vpc, ListenerProtocol::Tcp, 80, TargetType::Instance);
    register(&mut w, tg, &[TargetRef::Instance(web_a)]);
    if target_in_b {
        let web_b = instance(&mut w, b, &[web_sg], false);
        w.serve_http(web_b, 80, "httpd", "b");
        register(&mut w, tg, &[TargetRef::Instance(web_b)]);
    }
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "zonal".into(),
            subnets: vec![a, b],
            internal,
            cross_zone,
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    w.advance(Duration::from_secs(180));
    Zones { w, vpc, subnets: [a, b], client, web_a, tg, lb }
}

fn node_eni(w: &World, lb: LbId, i: usize) -> EniId {
    w[lb].nodes[i].eni
}

fn node_private(w: &World, lb: LbId, i: usize) -> std::net::Ipv4Addr {
    w[node_eni(w, lb, i)].private_ip
}

#[test]
fn l1_each_subnet_gets_a_node_with_a_private_ip_there_and_a_public_ip_when_internet_facing() {
    // L1: One node per enabled subnet (one subnet per AZ). Each node has an ENI with a private IP
    // from that subnet; an internet-facing NLB also gives each node a public IP.
    for internal in [false, true] {
        let Zones { w, lb, subnets, .. } = zones(internal, true, false);
        let nodes = &w[lb].nodes;
        assert_eq!(nodes.iter().map(|n| n.subnet).collect::<Vec<_>>(), subnets);
        for n in nodes {
            let e = &w[n.eni];
            assert!(w[n.subnet].cidr.contains(e.private_ip));
            assert_eq!(w.public_ip_of(n.eni).is_some(), !internal);
        }
    }
    let Zones { mut w, vpc, .. } = zones(false, false, false);
    let a2 = subnet(&mut w, vpc, "10.0.3.0/24", 0);
    let a1 = w.lbs().first().unwrap().nodes[0].subnet;
    let err = w.create_load_balancer(CreateLoadBalancer {
        name: "twice".into(),
        subnets: vec![a1, a2],
        ..Default::default()
    });
    assert_eq!(err.unwrap_err().code, "InvalidConfigurationRequest");
}

fn is_hex16(s: &str) -> bool {
    s.len() == 16 && s.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn l2_an_internet_facing_name_answers_each_zones_public_ip_even_inside_the_vpc() {
    // L2: DNS name: `<name>-<16 hex>.elb.<region>.amazonaws.com`. It resolves to one address per
    // enabled AZ: public IPs for internet-facing (even when asked from inside the VPC). TTL 60 s.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let name = &w[lab.nlb].dns_name;
    let hex =
        name.strip_prefix("Custom-NLB-").and_then(|r| r.strip_suffix(".elb.ap-northeast-2.amazonaws.com"));
    assert!(hex.is_some_and(is_hex16), "{name}");
    let node_public = w.public_ip_of(node_eni(w, lab.nlb, 0)).unwrap();
    assert!(w.region().is_amazon_public(node_public));
    for view in [View::Vpc(lab.my_vpc), View::Vpc(lab.custom_vpc), View::Public] {
        let a = w.resolve(view, name);
        assert_eq!((a.rcode, a.addrs.clone(), a.ttl), (Rcode::NoError, vec![node_public], 60), "{view:?}");
    }

    let Zones { w, vpc, lb, .. } = zones(false, true, false);
    let publics: Vec<_> = (0..2).map(|i| w.public_ip_of(node_eni(&w, lb, i)).unwrap()).collect();
    let name = &w[lb].dns_name;
    assert_eq!(w.resolve(View::Vpc(vpc), name).addrs, publics);
    assert_eq!(w.resolve(View::Public, name).addrs, publics);
}

#[test]
fn l2_an_internal_name_has_no_prefix_answers_private_ips_and_zonal_names_answer_one_node() {
    // L2: no `internal-` prefix even for internal NLBs ... private IPs for internal. A zonal name
    // `<az>.<name>-<hex>.elb.<region>.amazonaws.com` resolves to that AZ's node.
    let Zones { w, vpc, lb, .. } = zones(true, true, false);
    let name = w[lb].dns_name.clone();
    let hex = name.strip_prefix("zonal-").and_then(|r| r.strip_suffix(".elb.ap-northeast-2.amazonaws.com"));
    assert!(hex.is_some_and(is_hex16), "{name}");
    let privates = vec![node_private(&w, lb, 0), node_private(&w, lb, 1)];
    assert_eq!(w.resolve(View::Vpc(vpc), &name).addrs, privates);
    for (i, az) in w.region().azs[..2].iter().enumerate() {
        let a = w.resolve(View::Vpc(vpc), &format!("{az}.{name}"));
        assert_eq!((a.rcode, a.addrs), (Rcode::NoError, vec![privates[i]]), "{az}");
    }
    let unused_az = w.region().azs[2];
    assert_eq!(w.resolve(View::Vpc(vpc), &format!("{unused_az}.{name}")).rcode, Rcode::NxDomain);
}

#[test]
fn l3_a_port_without_a_listener_and_icmp_are_dropped_at_the_load_balancer() {
    // L3: A listener (protocol TCP, UDP, TCP_UDP or TLS, and a port) forwards to one target group.
    // Traffic to a port with no listener is dropped; ICMP is not answered.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let from = eni(w, lab.my_ec2);
    let src = private_ip(w, lab.my_ec2);
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let arn = w[lab.nlb].arn.clone();

    let t = w.trace(from, tcp(src, nlb_ip, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    let listener = t.forward.iter().find(|h| h.kind == K::LoadBalancerListener).unwrap();
    assert_eq!(listener.matched, Some(Matched::Listener { protocol: ListenerProtocol::Tcp, port: 80 }));

    for (protocol, port, code) in [
        (Protocol::Tcp, 81, C::ElbListenerPortRestriction),
        (Protocol::Udp, 80, C::ElbListenerPortRestriction),
        (Protocol::Icmp, 8, C::ProtocolRestriction),
    ] {
        let sport = if protocol == Protocol::Icmp { 0 } else { 40000 };
        let t = w.trace(from, Flow { header: header(protocol, src, sport, nlb_ip, port), seq: 0 });
        assert_eq!(blocked_at(&t), (code, K::LoadBalancer, arn.clone()), "{protocol} {port}");
        assert_eq!(t.forward.last().unwrap().kind, K::LoadBalancer);
    }
}

#[test]
fn l3_a_listener_without_a_target_group_drops_at_the_listener() {
    // L3: A listener ... forwards to one target group.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let listener = w.create_listener(lab.nlb, ListenerProtocol::Tcp, 8080, None).unwrap();
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, w.lb_addresses(lab.nlb, None)[0], 8080));
    let arn = w[listener].arn.clone();
    assert_eq!(blocked_at(&t), (C::Elbv2ListenerHasNoTg, K::LoadBalancerListener, arn));
}

#[test]
fn l5_new_tcp_connections_spread_over_both_targets_and_one_flow_always_picks_the_same() {
    // L5: Target choice is a flow hash: for TCP over protocol, source and destination address and
    // port and the TCP sequence number (so every new connection may land elsewhere).
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let from = eni(w, lab.my_ec2);
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let base = tcp_from(w, lab.my_ec2, nlb_ip, 80);
    let both = BTreeSet::from([lab.web1, lab.web2]);

    let by_seq: BTreeSet<_> =
        (0..200u32).map(|k| reached(w, from, Flow { seq: k.wrapping_mul(2_654_435_761), ..base })).collect();
    assert_eq!(by_seq, both, "the sequence number alone spreads connections");
    let by_port: BTreeSet<_> = (0..200u16)
        .map(|k| {
            reached(
                w,
                from,
                Flow { header: vpcsim::trace::Header { src_port: 33000 + k, ..base.header }, ..base },
            )
        })
        .collect();
    assert_eq!(by_port, both, "the source port spreads connections");

    for k in 0..20u32 {
        let flow = Flow { seq: k * 7919, ..base };
        let first = reached(w, from, flow);
        assert!((0..10).all(|_| reached(w, from, flow) == first));
        let t = w.trace(from, flow);
        let chosen = t.forward.iter().find(|h| h.kind == K::TargetGroup).and_then(|h| h.matched.clone());
        let Some(Matched::Target { target: TargetId::Instance(target), .. }) = chosen else {
            panic!("no instance target hop")
        };
        assert_eq!(target, w.instance(first).aws_id);
    }
}

#[test]
fn l5_udp_hashes_the_five_tuple_without_the_sequence_number() {
    // L5: for UDP over the 5-tuple.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let udp = Permission {
        protocol: RuleProtocol::One(Protocol::Udp),
        ports: PortRange::single(5353),
        peer: Peer::Cidr(Cidr::ANY),
        description: None,
    };
    w.authorize_security_group(lab.custom_sg, Direction::Ingress, &[udp]).unwrap();
    let tg = target_group(w, "udp", lab.custom_vpc, ListenerProtocol::Udp, 5353, TargetType::Instance);
    register(w, tg, &[TargetRef::Instance(lab.web1), TargetRef::Instance(lab.web2)]);
    w.create_listener(lab.nlb, ListenerProtocol::Udp, 5353, Some(tg)).unwrap();
    let from = eni(w, lab.my_ec2);
    let (src, nlb_ip) = (private_ip(w, lab.my_ec2), w.lb_addresses(lab.nlb, None)[0]);
    let flow = |sport: u16, seq: u32| Flow { header: header(Protocol::Udp, src, sport, nlb_ip, 5353), seq };
    let by_port: BTreeSet<_> = (0..200u16).map(|k| reached(w, from, flow(33000 + k, 0))).collect();
    assert_eq!(by_port, BTreeSet::from([lab.web1, lab.web2]));
    for sport in 33000..33020 {
        let first = reached(w, from, flow(sport, 0));
        assert!((1..50u32).all(|seq| reached(w, from, flow(sport, seq.wrapping_mul(2_654_435_761))) == first));
    }
}

#[test]
fn l6_with_cross_zone_off_a_node_without_healthy_targets_in_its_zone_drops_and_dns_leaves_it_out() {
    // L6: Cross-zone load balancing is off by default for NLB: a node sends only to healthy targets
    // in its own AZ. An AZ with no healthy target is removed from DNS.
    let Zones { w, vpc, client, web_a, tg, lb, .. } = zones(true, false, false);
    assert!(!w[lb].cross_zone);
    let from = eni(&w, client);
    let t = w.trace(from, tcp_from(&w, client, node_private(&w, lb, 1), 80));
    assert_eq!(blocked_at(&t), (C::ElbNotCrosszone, K::TargetGroup, w[tg].arn.clone()));
    assert_eq!(reached(&w, from, tcp_from(&w, client, node_private(&w, lb, 0), 80)), web_a);
    let name = &w[lb].dns_name;
    assert_eq!(w.resolve(View::Vpc(vpc), name).addrs, [node_private(&w, lb, 0)]);

    // The same with cross-zone on: the node in b sends to a, and DNS answers both nodes.
    let Zones { w, vpc, client, web_a, lb, .. } = zones(true, false, true);
    assert_eq!(reached(&w, eni(&w, client), tcp_from(&w, client, node_private(&w, lb, 1), 80)), web_a);
    let name = &w[lb].dns_name;
    assert_eq!(w.resolve(View::Vpc(vpc), name).addrs, [node_private(&w, lb, 0), node_private(&w, lb, 1)]);
}

#[test]
fn l6_with_no_healthy_target_anywhere_the_nlb_fails_open() {
    // L6: If no target anywhere is healthy, the NLB fails open and uses all targets.
    let Zones { mut w, vpc, client, web_a, tg, lb, .. } = zones(true, false, false);
    w.stop_serving(web_a, vpcsim::addr::Protocol::Tcp, 80);
    w.advance(Duration::from_secs(90));
    assert_eq!(w[tg].targets[0].state, HealthState::Unhealthy);
    let t = w.trace(eni(&w, client), tcp_from(&w, client, node_private(&w, lb, 0), 80));
    let chosen = t.forward.iter().find(|h| h.kind == K::TargetGroup).and_then(|h| h.matched.clone());
    let Some(Matched::Target { target: TargetId::Instance(target), choice, .. }) = chosen else {
        panic!("no instance target chosen: {:?}", t.explanation)
    };
    assert_eq!(target, w.instance(web_a).aws_id);
    assert_eq!(choice.pool, TargetPool::FailOpen, "{choice}");
    assert_eq!(t.seen_source(), Some(private_ip(&w, client)));
    let name = &w[lb].dns_name;
    assert_eq!(w.resolve(View::Vpc(vpc), name).addrs, [node_private(&w, lb, 0), node_private(&w, lb, 1)]);
}

#[test]
fn l7_instance_targets_see_the_client_and_ip_targets_over_tcp_see_the_node() {
    // L7: Client IP preservation: on for instance targets, off for ip targets over TCP/TLS. When
    // off, targets see the NLB node's private IP as source.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let ip_tg = target_group(w, "by-ip", lab.custom_vpc, ListenerProtocol::Tcp, 80, TargetType::Ip);
    register(w, ip_tg, &[TargetRef::Ip(private_ip(w, lab.web1))]);
    w.create_listener(lab.nlb, ListenerProtocol::Tcp, 8080, Some(ip_tg)).unwrap();
    w.advance(Duration::from_secs(180));
    let from = eni(w, lab.my_ec2);
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let node_ip = node_private(w, lab.nlb, 0);
    let my_pub = public_ip(w, lab.my_ec2);

    let t = w.trace(from, tcp_from(w, lab.my_ec2, nlb_ip, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    let tg_hop = t.forward.iter().find(|h| h.kind == K::TargetGroup).unwrap();
    assert_eq!(tg_hop.outbound.map(|h| h.src), Some(my_pub));
    assert_eq!(t.seen_source(), Some(my_pub));

    let t = w.trace(from, tcp_from(w, lab.my_ec2, nlb_ip, 8080));
    assert!(t.reachable(), "{:?}", t.explanation);
    let tg_hop = t.forward.iter().find(|h| h.kind == K::TargetGroup).unwrap();
    assert_eq!(
        tg_hop.outbound.map(|h| (h.src, h.dst, h.dst_port)),
        Some((node_ip, private_ip(w, lab.web1), 80))
    );
    assert_eq!(t.seen_source(), Some(node_ip));
    assert!(w[lab.custom_subnet].cidr.contains(node_ip));
}

#[test]
fn l7_privatelink_traffic_reaches_instance_targets_from_the_nodes_private_ip() {
    // L7: Traffic that arrives through PrivateLink always reaches targets from the NLB node's private IP.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let ep_ip = w[w[ep].enis[0]].private_ip;
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, ep_ip, 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(t.seen_source(), Some(node_private(w, lab.nlb, 0)));
    assert!(!t.passes(K::InternetGateway));
}

#[test]
fn l6_an_ip_targets_zone_is_that_of_its_subnet_in_the_target_groups_vpc() {
    // L6: a node sends only to healthy targets in its own AZ. (An ip target's AZ is that of the
    // subnet holding it in the target group's VPC, even when another VPC reuses the same block.)
    let mut w = seoul(SEED);
    let elsewhere = vpc(&mut w, "10.0.0.0/16");
    subnet(&mut w, elsewhere, "10.0.1.0/24", 1);
    let home = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, home, "10.0.1.0/24", 0);
    let web_sg = group(&mut w, home, "web", &[80], "10.0.0.0/16");
    let web = instance(&mut w, s, &[web_sg], false);
    w.serve_http(web, 80, "httpd", "home");
    let client = instance(&mut w, s, &[], false);
    let tg = target_group(&mut w, "by-ip", home, ListenerProtocol::Tcp, 80, TargetType::Ip);
    let web_ip = private_ip(&w, web);
    register(&mut w, tg, &[TargetRef::Ip(web_ip)]);
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "home".into(),
            subnets: vec![s],
            internal: true,
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    w.advance(Duration::from_secs(180));
    assert_eq!(w[tg].targets[0].state, HealthState::Healthy);

    let t = w.trace(eni(&w, client), tcp_from(&w, client, node_private(&w, lb, 0), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    let chosen = t.forward.iter().find(|h| h.kind == K::TargetGroup).and_then(|h| h.matched.clone());
    let Some(Matched::Target { choice, .. }) = chosen else { panic!("no target hop") };
    assert_eq!(choice.az, w.region().azs[0], "{choice}");
    assert_eq!(t.seen_source(), Some(node_private(&w, lb, 0)));
}

/// A second target group `extra` on listener port 8080 of the zones' NLB, with web_a as its only target.
fn second_group(z: &mut Zones) -> TargetGroupId {
    let tg = target_group(&mut z.w, "extra", z.vpc, ListenerProtocol::Tcp, 80, TargetType::Instance);
    register(&mut z.w, tg, &[TargetRef::Instance(z.web_a)]);
    z.w.create_listener(z.lb, ListenerProtocol::Tcp, 8080, Some(tg)).unwrap();
    z.w.advance(Duration::from_secs(180));
    tg
}

#[test]
fn l13_a_zone_leaves_dns_when_any_target_group_has_no_healthy_target_there() {
    // L13: With cross-zone off, an AZ's node address leaves the NLB's DNS answer when any
    // target group of the NLB has no healthy target in that AZ.
    let mut z = zones(true, true, false);
    let name = z.w[z.lb].dns_name.clone();
    let both = vec![node_private(&z.w, z.lb, 0), node_private(&z.w, z.lb, 1)];
    assert_eq!(z.w.resolve(View::Vpc(z.vpc), &name).addrs, both);
    let extra = second_group(&mut z);
    assert_eq!(z.w[extra].targets[0].state, HealthState::Healthy);
    assert_eq!(z.w.resolve(View::Vpc(z.vpc), &name).addrs, [node_private(&z.w, z.lb, 0)]);

    // L12: the second group crossing zones keeps zone b in the answer.
    z.w.modify_target_group_attributes(extra, &[TargetGroupAttribute::CrossZone(CrossZone::On)]);
    assert_eq!(z.w.resolve(View::Vpc(z.vpc), &name).addrs, both);
}

#[test]
fn l12_a_target_groups_cross_zone_attribute_overrides_the_load_balancers() {
    // L12: a target group's load_balancing.cross_zone.enabled (true, false, or
    // use_load_balancer_configuration, the default) overrides the load balancer's for that group.
    let Zones { mut w, vpc, client, web_a, tg, lb, .. } = zones(true, false, false);
    assert_eq!(w[tg].cross_zone, CrossZone::UseLoadBalancer);
    let from = eni(&w, client);
    let via_b = tcp_from(&w, client, node_private(&w, lb, 1), 80);
    assert_eq!(w.verdict(from, via_b).code(), Some(C::ElbNotCrosszone));

    w.modify_target_group_attributes(tg, &[TargetGroupAttribute::CrossZone(CrossZone::On)]);
    assert_eq!(reached(&w, from, via_b), web_a);
    let name = w[lb].dns_name.clone();
    assert_eq!(w.resolve(View::Vpc(vpc), &name).addrs, [node_private(&w, lb, 0), node_private(&w, lb, 1)]);

    w.modify_load_balancer_cross_zone(lb, true);
    w.modify_target_group_attributes(tg, &[TargetGroupAttribute::CrossZone(CrossZone::Off)]);
    let t = w.trace(from, via_b);
    assert_eq!(blocked_at(&t), (C::ElbNotCrosszone, K::TargetGroup, w[tg].arn.clone()));
    assert_eq!(w.resolve(View::Vpc(vpc), &name).addrs, [node_private(&w, lb, 0)]);

    w.modify_target_group_attributes(tg, &[TargetGroupAttribute::CrossZone(CrossZone::UseLoadBalancer)]);
    assert_eq!(reached(&w, from, via_b), web_a);
}

#[test]
fn l11_a_deregistered_target_drains_for_the_groups_deregistration_delay() {
    // L11: A deregistered target is draining for deregistration_delay.timeout_seconds (default 300), then gone.
    let Zones { mut w, tg, web_a, .. } = zones(true, false, false);
    assert_eq!(w[tg].deregistration_delay_s, 300);
    w.modify_target_group_attributes(tg, &[TargetGroupAttribute::DeregistrationDelay(30)]);
    w.deregister_targets(tg, &[TargetSpec { target: TargetRef::Instance(web_a), port: None }]).unwrap();
    w.advance(Duration::from_secs(29));
    assert_eq!(w[tg].targets[0].state, HealthState::Draining);
    w.advance(Duration::from_secs(2));
    assert!(w[tg].targets.is_empty());

    // The default: still draining after 299 seconds.
    let Zones { mut w, tg, web_a, .. } = zones(true, false, false);
    w.deregister_targets(tg, &[TargetSpec { target: TargetRef::Instance(web_a), port: None }]).unwrap();
    w.advance(Duration::from_secs(299));
    assert_eq!(w[tg].targets[0].state, HealthState::Draining);
    w.advance(Duration::from_secs(2));
    assert!(w[tg].targets.is_empty());
}

#[test]
fn l15_a_target_rule_referencing_the_nlbs_group_admits_it_with_client_ip_preservation_on() {
    // L15: A target security group rule that references the NLB's security group admits traffic
    // from that NLB even with client IP preservation on.
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let nlb_sg = group(&mut w, vpc, "nlb", &[80], "0.0.0.0/0");
    let web_sg = w.create_security_group(vpc, "web", "web", Tags::new()).unwrap();
    let from_nlb = Permission {
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports: PortRange { from: 80, to: 80 },
        peer: Peer::Group(nlb_sg),
        description: None,
    };
    w.authorize_security_group(web_sg, Direction::Ingress, &[from_nlb]).unwrap();
    let web = instance(&mut w, a, &[web_sg], false);
    w.serve_http(web, 80, "httpd", "web");
    let client = instance(&mut w, a, &[], false);
    let tg = target_group(&mut w, "web", vpc, ListenerProtocol::Tcp, 80, TargetType::Instance);
    register(&mut w, tg, &[TargetRef::Instance(web)]);
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "grouped".into(),
            subnets: vec![a],
            internal: true,
            security_groups: vec![nlb_sg],
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    w.advance(Duration::from_secs(180));
    assert_eq!(w[tg].targets[0].state, HealthState::Healthy, "the checks come from the node, a member");
    let t = w.trace(eni(&w, client), tcp_from(&w, client, node_private(&w, lb, 0), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(t.seen_source(), Some(private_ip(&w, client)), "the client's address is preserved");
    // The client itself is no member of the NLB's group: straight to the target it is refused.
    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, web), 80));
    assert_eq!(blocked_at(&t).0, C::EniSgRulesMismatch);
}

#[test]
fn l14_a_target_connecting_to_its_own_nlb_times_out_when_chosen_with_client_ip_preservation_on() {
    // L14: NAT loopback: a target that connects to its own NLB and is chosen as the target of
    // that connection times out when client IP preservation is on.
    let Zones { mut w, vpc, web_a, tg, lb, .. } = zones(true, false, false);
    let from = eni(&w, web_a);
    let node = node_private(&w, lb, 0);
    let t = w.trace(from, tcp_from(&w, web_a, node, 80));
    assert_eq!(blocked_at(&t), (C::NatLoopbackNotSupported, K::TargetGroup, w[tg].arn.clone()));
    assert!(t.explanation.as_ref().unwrap().message.contains("NAT loopback"), "{:?}", t.explanation);

    // The same target behind an ip target group (no client IP preservation over TCP) answers itself.
    let by_ip = target_group(&mut w, "by-ip", vpc, ListenerProtocol::Tcp, 80, TargetType::Ip);
    let web_ip = private_ip(&w, web_a);
    register(&mut w, by_ip, &[TargetRef::Ip(web_ip)]);
    w.create_listener(lb, ListenerProtocol::Tcp, 8080, Some(by_ip)).unwrap();
    w.advance(Duration::from_secs(180));
    assert_eq!(reached(&w, from, tcp_from(&w, web_a, node, 8080)), web_a);
}

#[test]
fn l7_with_client_ip_preservation_the_target_subnets_outbound_nacl_must_admit_the_client() {
    // L7, N1, N3: replies leave the target's subnet towards the preserved client address, so the
    // target subnet's outbound NACL must admit that address and port (not the node's).
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let nodes = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let targets = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    let clients = subnet(&mut w, vpc, "10.0.3.0/24", 0);
    let web_sg = group(&mut w, vpc, "web", &[80], "10.0.0.0/16");
    let web = instance(&mut w, targets, &[web_sg], false);
    w.serve_http(web, 80, "httpd", "web");
    let client = instance(&mut w, clients, &[], false);
    let acl = w.create_network_acl(vpc, Tags::new());
    let entry = |number, block: &str, ports: PortRange| AclEntry {
        number,
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports,
        icmp: IcmpTypeCode::ALL,
        cidr: cidr(block),
        action: Action::Allow,
    };
    w.create_network_acl_entry(acl, Direction::Ingress, entry(100, "10.0.0.0/16", PortRange::ALL)).unwrap();
    w.create_network_acl_entry(acl, Direction::Egress, entry(100, "10.0.1.0/24", PortRange::ALL)).unwrap();
    w.associate_network_acl(acl, targets).unwrap();
    let by_instance = target_group(&mut w, "web", vpc, ListenerProtocol::Tcp, 80, TargetType::Instance);
    register(&mut w, by_instance, &[TargetRef::Instance(web)]);
    let by_ip = target_group(&mut w, "by-ip", vpc, ListenerProtocol::Tcp, 80, TargetType::Ip);
    let web_ip = private_ip(&w, web);
    register(&mut w, by_ip, &[TargetRef::Ip(web_ip)]);
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "acl".into(),
            subnets: vec![nodes],
            internal: true,
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(by_instance)).unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 8080, Some(by_ip)).unwrap();
    w.advance(Duration::from_secs(180));
    let from = eni(&w, client);
    let node = node_private(&w, lb, 0);

    let t = w.trace(from, tcp_from(&w, client, node, 80));
    let e = t.explanation.as_ref().expect("blocked on the way back");
    assert_eq!(
        (e.code, e.kind, e.component_id.as_str()),
        (C::SubnetAclRestriction, K::NetworkAcl, w[acl].aws_id.as_str())
    );
    let denied = t.ret.iter().find(|h| h.kind == K::NetworkAcl).and_then(|h| h.inbound).unwrap();
    assert_eq!(denied.dst, private_ip(&w, client), "the NACL sees the client's address");
    // Without preservation the reply is addressed to the node, which the NACL admits.
    assert_eq!(reached(&w, from, tcp_from(&w, client, node, 8080)), web);

    w.create_network_acl_entry(
        acl,
        Direction::Egress,
        entry(110, "10.0.3.0/24", PortRange { from: 1024, to: 65535 }),
    )
    .unwrap();
    assert_eq!(reached(&w, from, tcp_from(&w, client, node, 80)), web);
}

/// A stack on the lab's VPC: target groups for web1 (from `groups`, YAML under `Resources:`),
/// each behind a listener of the lab's NLB on port 8081, 8082, ...; the session after three minutes.
fn lab_groups(groups: &[&str]) -> (vpcsim::session::Session, Lab) {
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let mut text = String::from("Resources:\n");
    for (i, props) in groups.iter().enumerate() {
        text += &format!(
            "  G{i}:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Name: g{i}\n      Port: 80\n      Protocol: TCP\n      VpcId: {vpc}\n      Targets:\n        - Id: {web1}\n{props}\n  L{i}:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties:\n      LoadBalancerArn: {lb}\n      Port: {port}\n      Protocol: TCP\n      DefaultActions:\n        - Type: forward\n          TargetGroupArn: !Ref G{i}\n",
            vpc = w[lab.custom_vpc].aws_id,
            web1 = w.instance(lab.web1).aws_id,
            lb = w[lab.nlb].arn,
            port = 8081 + i,
        );
    }
    let mut s = vpcsim::session::Session::new(lab.world.clone());
    let no = indexmap::IndexMap::new();
    let stack = vpcsim::stack::create_stack(&mut s.world, "groups", "groups.yaml", &text, &no, &no)
        .unwrap_or_else(|e| panic!("{e:?}"));
    s.stacks.insert("groups".into(), stack);
    s.world.advance(Duration::from_secs(180));
    (s, lab)
}

fn aws(s: &mut vpcsim::session::Session, line: &str) -> serde_json::Value {
    use vpcsim::scenario::Backend;
    let call = vpcsim::command::aws::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let out = s.run_aws(&call);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.json.unwrap_or_default()
}

fn group_named(w: &World, name: &str) -> TargetGroupId {
    w.target_groups().live().find(|(_, g)| g.name == name).map(|(tg, _)| tg).expect("the group")
}

#[test]
fn l10_an_http_health_check_of_a_path_the_web_server_answers_404_makes_the_target_unhealthy() {
    // L10: HTTP(S) checks ask HealthCheckPath (default /) and compare the answer with Matcher
    // (HttpCode, default 200-399): a mismatch makes the target unhealthy (Target.ResponseCodeMismatch);
    // a closed port or a blocked check: Target.FailedHealthChecks / Target.Timeout.
    let (mut s, _lab) = lab_groups(&[
        "      HealthCheckProtocol: HTTP\n      HealthCheckPath: /health",
        "      HealthCheckProtocol: HTTP",
        "      HealthCheckProtocol: HTTP\n      HealthCheckPath: /health\n      Matcher:\n        HttpCode: 200,404",
        "      HealthCheckProtocol: HTTP\n      HealthCheckPort: 22",
        "      HealthCheckPort: 8080",
        "      HealthCheckProtocol: HTTP\n      HealthCheckPath: /index.html\n      Matcher:\n        HttpCode: 300-399",
    ]);
    let states: Vec<_> = (0..6)
        .map(|i| {
            let t = &s.world[group_named(&s.world, &format!("g{i}"))].targets[0];
            (t.state, t.failure.map(|f| f.reason()))
        })
        .collect();
    use HealthState::{Healthy, Unhealthy};
    assert_eq!(
        states,
        [
            (Unhealthy, Some("Target.ResponseCodeMismatch")),
            (Healthy, None),
            (Healthy, None),
            (Unhealthy, Some("Target.FailedHealthChecks")),
            (Unhealthy, Some("Target.Timeout")),
            (Unhealthy, Some("Target.ResponseCodeMismatch")),
        ]
    );

    let arn = s.world[group_named(&s.world, "g0")].arn.clone();
    let health = aws(&mut s, &format!("aws elbv2 describe-target-health --target-group-arn {arn}"));
    let h = &health["TargetHealthDescriptions"][0]["TargetHealth"];
    assert_eq!(h["State"], "unhealthy");
    assert_eq!(h["Reason"], "Target.ResponseCodeMismatch");
    assert_eq!(h["Description"], "Health checks failed with these codes: [404]");
    let groups = aws(&mut s, &format!("aws elbv2 describe-target-groups --target-group-arns {arn}"));
    let g = &groups["TargetGroups"][0];
    assert_eq!(
        (&g["HealthCheckProtocol"], &g["HealthCheckPath"], &g["Matcher"]["HttpCode"]),
        (&"HTTP".into(), &"/health".into(), &"200-399".into())
    );
    let tcp = s.world[group_named(&s.world, "g4")].arn.clone();
    let groups = aws(&mut s, &format!("aws elbv2 describe-target-groups --target-group-arns {tcp}"));
    assert_eq!(groups["TargetGroups"][0]["HealthCheckProtocol"], "TCP");
    assert!(groups["TargetGroups"][0].get("HealthCheckPath").is_none());
}

#[test]
fn l10_templates_refuse_health_check_settings_aws_refuses() {
    // L10: protocol TCP, HTTP or HTTPS; a path and matcher belong to HTTP(S) checks; codes 200-599.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let vpc = lab.world[lab.custom_vpc].aws_id.clone();
    for (props, why) in [
        ("HealthCheckProtocol: UDP", "UDP health checks"),
        ("HealthCheckPath: /health", "HTTP and HTTPS health checks"),
        ("HealthCheckProtocol: HTTP\n      HealthCheckPath: health", "a path starts with /"),
        ("HealthCheckProtocol: HTTP\n      Matcher:\n        HttpCode: 200-199", "\"200-199\" is not a valid matcher"),
        ("HealthCheckProtocol: HTTP\n      Matcher:\n        HttpCode: '100'", "codes from 200 to 599"),
        ("TargetGroupAttributes:\n        - Key: stickiness.enabled\n          Value: 'true'", "stickiness.enabled = true is not modelled by vpcsim"),
        ("TargetGroupAttributes:\n        - Key: deregistration_delay.timeout_seconds\n          Value: '4000'", "0 to 3600 seconds"),
    ] {
        let text = format!(
            "Resources:\n  G:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Port: 80\n      Protocol: TCP\n      VpcId: {vpc}\n      {props}\n"
        );
        let mut w = lab.world.clone();
        let no = indexmap::IndexMap::new();
        let e = vpcsim::stack::create_stack(&mut w, "bad", "bad.yaml", &text, &no, &no)
            .err()
            .unwrap_or_else(|| panic!("{props} was accepted"));
        let shown = format!("{e}");
        assert!(shown.starts_with("error: bad.yaml:") && shown.contains(why), "{props}: {shown}");
    }
}

#[test]
fn l11_l12_target_group_attributes_come_from_templates_and_the_aws_cli() {
    // L11, L12: deregistration_delay.timeout_seconds and load_balancing.cross_zone.enabled as
    // TargetGroupAttributes and through modify- / describe-target-group-attributes.
    let (mut s, _lab) = lab_groups(&["      TargetGroupAttributes:\n        - Key: deregistration_delay.timeout_seconds\n          Value: '45'\n        - Key: load_balancing.cross_zone.enabled\n          Value: 'true'"]);
    let tg = group_named(&s.world, "g0");
    assert_eq!((s.world[tg].deregistration_delay_s, s.world[tg].cross_zone), (45, CrossZone::On));
    let arn = s.world[tg].arn.clone();
    let answer = aws(
        &mut s,
        &format!("aws elbv2 modify-target-group-attributes --target-group-arn {arn} --attributes Key=deregistration_delay.timeout_seconds,Value=10 Key=load_balancing.cross_zone.enabled,Value=use_load_balancer_configuration"),
    );
    let described =
        aws(&mut s, &format!("aws elbv2 describe-target-group-attributes --target-group-arn {arn}"));
    assert_eq!(answer, described);
    let value = |k: &str| {
        described["Attributes"].as_array().unwrap().iter().find(|a| a["Key"] == k).map(|a| a["Value"].clone())
    };
    assert_eq!(value("deregistration_delay.timeout_seconds"), Some("10".into()));
    assert_eq!(value("load_balancing.cross_zone.enabled"), Some("use_load_balancer_configuration".into()));
    assert_eq!(value("preserve_client_ip.enabled"), Some("true".into()));
    assert_eq!(s.world[tg].cross_zone, CrossZone::UseLoadBalancer);

    use vpcsim::scenario::Backend;
    let bad = vpcsim::command::aws::parse_line(&format!(
        "aws elbv2 modify-target-group-attributes --target-group-arn {arn} --attributes Key=stickiness.enabled,Value=true"
    ))
    .map(|c| s.run_aws(&c));
    let refused = match bad {
        Ok(out) => (out.exit_code, out.stderr),
        Err(e) => (255, e.to_string()),
    };
    assert_ne!(refused.0, 0);
    assert!(refused.1.contains("stickiness.enabled"), "{}", refused.1);
}

#[test]
fn l9_with_enforcement_off_the_nlbs_groups_do_not_filter_privatelink_traffic() {
    // L9: NLB security groups by default also apply to PrivateLink traffic, where the source they
    // see is the consumer's private IP; with EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic
    // off they do not apply to PrivateLink traffic.
    use vpcsim::ops::privatelink::CreateVpcEndpoint;
    let mut w = seoul(SEED);
    let provider = vpc(&mut w, "10.0.0.0/16");
    let p_subnet = subnet(&mut w, provider, "10.0.1.0/24", 0);
    let web_sg = group(&mut w, provider, "web", &[80], "0.0.0.0/0");
    let web = instance(&mut w, p_subnet, &[web_sg], false);
    w.serve_http(web, 80, "httpd", "web");
    let nlb_sg = group(&mut w, provider, "nlb", &[80], "10.0.0.0/16");
    let tg = target_group(&mut w, "web", provider, ListenerProtocol::Tcp, 80, TargetType::Instance);
    register(&mut w, tg, &[TargetRef::Instance(web)]);
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "service".into(),
            subnets: vec![p_subnet],
            internal: true,
            security_groups: vec![nlb_sg],
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    let svc = w.create_vpc_endpoint_service_configuration(&[lb], false, None, Tags::new()).unwrap();
    let consumer = vpc(&mut w, "10.1.0.0/16");
    let c_subnet = subnet(&mut w, consumer, "10.1.1.0/24", 0);
    let client = instance(&mut w, c_subnet, &[], false);
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(consumer),
            service_name: w[svc].service_name.clone(),
            subnets: vec![c_subnet],
            ..Default::default()
        })
        .unwrap();
    w.advance(Duration::from_secs(180));
    let from = eni(&w, client);
    let flow = tcp_from(&w, client, w[w[ep].enis[0]].private_ip, 80);
    assert!(w[lb].enforce_sg_on_privatelink);
    let t = w.trace(from, flow);
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, w[nlb_sg].aws_id.clone()));
    let seen = t.forward.iter().find(|h| h.kind == K::SecurityGroup).and_then(|h| h.inbound);
    assert_eq!(seen.map(|h| h.src), Some(private_ip(&w, client)), "the group sees the consumer's private IP");

    w.set_security_groups(lb, &[nlb_sg], Some(false)).unwrap();
    assert_eq!(reached(&w, from, flow), web);
    assert_eq!(
        vpcsim::describe::load_balancer(&w, lb)["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"],
        "off"
    );

    w.set_security_groups(lb, &[nlb_sg], Some(true)).unwrap();
    assert_eq!(w.verdict(from, flow).code(), Some(C::EniSgRulesMismatch));
    w.authorize_security_group(nlb_sg, Direction::Ingress, &[Permission::tcp(80, cidr("10.1.1.0/24"))])
        .unwrap();
    assert_eq!(reached(&w, from, flow), web);
}

#[test]
fn l9_the_enforcement_attribute_comes_from_templates_and_set_security_groups() {
    // L9: EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic (on by default); groups are only
    // settable on a load balancer created with some.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let (subnet_id, sg) =
        (lab.world[lab.custom_subnet].aws_id.clone(), lab.world[lab.custom_sg].aws_id.clone());
    let template = |value: &str| {
        format!("Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Type: network\n      Name: grouped\n      Scheme: internal\n      Subnets: [{subnet_id}]\n      SecurityGroups: [{sg}]\n      EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: {value}\n")
    };
    let no = indexmap::IndexMap::new();
    let mut s = vpcsim::session::Session::new(lab.world.clone());
    vpcsim::stack::create_stack(&mut s.world, "l", "l.yaml", &template("'off'"), &no, &no).unwrap();
    let lb = s.world.lbs().live().find(|(_, l)| l.name == "grouped").map(|(lb, _)| lb).unwrap();
    assert!(!s.world[lb].enforce_sg_on_privatelink);
    let mut w = lab.world.clone();
    assert!(vpcsim::stack::create_stack(&mut w, "l", "l.yaml", &template("maybe"), &no, &no).is_err());

    let arn = s.world[lb].arn.clone();
    let answer = aws(&mut s, &format!("aws elbv2 set-security-groups --load-balancer-arn {arn} --security-groups {sg} --enforce-security-group-inbound-rules-on-private-link-traffic on"));
    assert_eq!(answer["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"], "on");
    assert!(s.world[lb].enforce_sg_on_privatelink);

    use vpcsim::scenario::Backend;
    let lab_nlb = s.world[lab.nlb].arn.clone();
    let call = vpcsim::command::aws::parse_line(&format!(
        "aws elbv2 set-security-groups --load-balancer-arn {lab_nlb} --security-groups {sg}"
    ))
    .unwrap();
    let out = s.run_aws(&call);
    assert_ne!(out.exit_code, 0);
    assert!(out.stderr.contains("InvalidConfigurationRequest"), "{}", out.stderr);
}

#[test]
fn l10_an_http_health_check_asks_the_document_root_curl_asks() {
    // L10: HealthCheckPath is a GET of that path on the target's web server: 404 until the
    // server's document root holds the file, 200 (and healthy) once it does.
    use vpcsim::model::instance::{Answer, DocumentRoot, Service};
    let (mut s, lab) =
        lab_groups(&["      HealthCheckProtocol: HTTP\n      HealthCheckPath: /health.html\n      Matcher:\n        HttpCode: '200'"]);
    let g0 = group_named(&s.world, "g0");
    let t = &s.world[g0].targets[0];
    assert_eq!(
        (t.state, t.failure.map(|f| f.reason())),
        (HealthState::Unhealthy, Some("Target.ResponseCodeMismatch"))
    );
    let mut root = DocumentRoot::with_index("<h1>web1</h1>");
    root.files.insert("/health.html".into(), "ok".into());
    s.world.serve(lab.web1, Service::new(vpcsim::addr::Protocol::Tcp, 80, "httpd", Answer::Http(root)));
    s.world.advance(Duration::from_secs(180));
    let t = &s.world[g0].targets[0];
    assert_eq!((t.state, t.failure.map(|f| f.reason())), (HealthState::Healthy, None));
}
