//! Fidelity tests for Network Load Balancers (docs/aws-rules.md L1-L3, L5-L7).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::dns::{Rcode, View};
use vpcsim::forward::{Destination, Outcome};
use vpcsim::ids::*;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::nlb::{HealthCheck, HealthState, ListenerProtocol, TargetRef, TargetType};
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
    assert!(w.region.is_amazon_public(node_public));
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
    for (i, az) in w.region.azs[..2].iter().enumerate() {
        let a = w.resolve(View::Vpc(vpc), &format!("{az}.{name}"));
        assert_eq!((a.rcode, a.addrs), (Rcode::NoError, vec![privates[i]]), "{az}");
    }
    let unused_az = w.region.azs[2];
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
    assert_eq!(choice.az, w.region.azs[0], "{choice}");
    assert_eq!(t.seen_source(), Some(node_private(&w, lb, 0)));
}
