//! NAT instances (G5): the source/destination check, IP forwarding and masquerade,
//! each failure with its own explanation, the instance shown as a NAT hop with the
//! packet before and after, and the response translated back. The network is the
//! CloudNeta sibling lab's: VPC 10.40.0.0/16, the NAT instance at 10.40.1.100 in the
//! public subnet, a private instance at 10.40.2.101.

mod common;

use common::*;
use vpcsim::addr::Cidr;
use vpcsim::ids::*;
use vpcsim::model::nat_instance::{Forwarding, Masquerade};
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::region::CHECKIP_ADDR;
use vpcsim::trace::{ComponentKind as K, ExplanationCode as C, Flow, Header, Trace};
use vpcsim::world::World;

struct Net {
    w: World,
    nat: InstanceId,
    nat_sg: SgId,
    app: InstanceId,
}

/// The lab's network with the route to the NAT instance, which is set up as a NAT
/// instance (check off, forwarding on, masquerading the VPC) unless a test changes it.
fn net() -> Net {
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.40.0.0/16");
    let public = subnet(&mut w, v, "10.40.1.0/24", 0);
    let private = subnet(&mut w, v, "10.40.2.0/24", 0);
    let igw = internet_gateway(&mut w, v);
    public_route_table(&mut w, v, igw, &[public]);
    let nat_sg = group(&mut w, v, "nat", &[80, 443], "10.40.0.0/16");
    let nat = w
        .run_instance(RunInstance {
            subnet: Some(public),
            groups: vec![nat_sg],
            public_ip: Some(true),
            private_ip: Some(ip("10.40.1.100")),
            ..Default::default()
        })
        .unwrap();
    w.set_source_dest_check(eni(&w, nat), false);
    let rule = Masquerade { source: Some(cidr("10.40.0.0/16")), destination: None };
    w.set_forwarding(nat, Forwarding { ip_forward: true, masquerade: vec![rule] });
    let app_sg = group(&mut w, v, "app", &[22], "10.40.0.0/16");
    let app = w
        .run_instance(RunInstance {
            subnet: Some(private),
            groups: vec![app_sg],
            public_ip: Some(false),
            private_ip: Some(ip("10.40.2.101")),
            ..Default::default()
        })
        .unwrap();
    let rt = w.create_route_table(v, named("private"));
    w.associate_route_table(rt, private).unwrap();
    let to_nat = RouteTargetSpec::Instance(w[nat].aws_id.clone());
    w.create_route(rt, Cidr::ANY, &to_nat).unwrap();
    Net { w, nat, nat_sg, app }
}

fn checkip(n: &Net) -> Flow {
    tcp_from(&n.w, n.app, CHECKIP_ADDR, 80)
}

fn trace(n: &Net) -> Trace {
    n.w.trace(eni(&n.w, n.app), checkip(n))
}

fn blocked_at(t: &Trace) -> (C, K, String) {
    let e = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

/// The hops at the NAT instance that rewrite the packet: (before, after).
fn translations(hops: &[vpcsim::trace::Hop], nat_id: &str) -> Vec<(Header, Header)> {
    hops.iter()
        .filter(|h| h.kind == K::Instance && h.id == nat_id)
        .filter_map(|h| Some((h.inbound?, h.outbound?)))
        .collect()
}

#[test]
fn g5_a_nat_instance_rewrites_the_source_to_its_private_ip_and_the_igw_to_its_public_ip() {
    let n = net();
    let w = &n.w;
    let flow = checkip(&n);
    let t = trace(&n);
    assert!(t.reachable(), "{:?}", t.explanation);
    let nat_id = w[n.nat].aws_id.clone();
    let masqueraded = Header { src: ip("10.40.1.100"), ..flow.header };
    assert_eq!(translations(&t.forward, &nat_id), [(flow.header, masqueraded)]);
    let igw = hops_of(&t.forward, K::InternetGateway)[0];
    assert_eq!(igw.inbound, Some(masqueraded));
    assert_eq!(igw.outbound, Some(Header { src: public_ip(w, n.nat), ..flow.header }));
    assert_eq!(
        t.delivered.map(|h| h.src),
        Some(public_ip(w, n.nat)),
        "the web server sees the NAT instance's public IP"
    );
    assert_eq!(
        kinds(&t.forward),
        [
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
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
fn g5_the_response_is_translated_back_by_the_igw_and_then_by_the_nat_instance() {
    let n = net();
    let w = &n.w;
    let flow = checkip(&n);
    let t = trace(&n);
    assert!(t.reachable(), "{:?}", t.explanation);
    let nat_id = w[n.nat].aws_id.clone();
    let masqueraded = Header { src: ip("10.40.1.100"), ..flow.header };
    assert_eq!(translations(&t.ret, &nat_id), [(masqueraded.reversed(), flow.header.reversed())]);
    let igw = hops_of(&t.ret, K::InternetGateway)[0];
    assert_eq!(igw.outbound, Some(masqueraded.reversed()));
    let last = t.ret.last().unwrap();
    assert_eq!((last.kind, last.id.as_str()), (K::NetworkInterface, w[eni(w, n.app)].aws_id.as_str()));
}

#[test]
fn g5_with_the_source_dest_check_on_traffic_routed_through_the_instance_is_dropped() {
    let mut n = net();
    let nat_eni = eni(&n.w, n.nat);
    n.w.set_source_dest_check(nat_eni, true);
    let t = trace(&n);
    assert_eq!(
        blocked_at(&t),
        (C::EniSourceDestCheckRestriction, K::NetworkInterface, n.w[nat_eni].aws_id.clone())
    );
}

#[test]
fn g5_without_ip_forwarding_the_instance_drops_the_packet_with_its_own_code() {
    let mut n = net();
    n.w.set_forwarding(n.nat, Forwarding::default());
    let t = trace(&n);
    assert_eq!(blocked_at(&t), (C::IpForwardingDisabled, K::Instance, n.w[n.nat].aws_id.clone()));
    assert!(t.explanation.unwrap().message.contains("net.ipv4.ip_forward=1"));
}

#[test]
fn g5_forwarding_without_masquerade_passes_the_private_source_on_and_the_igw_drops_it() {
    // G5, I2: the instance forwards unchanged; the IGW has no public IP for 10.40.2.101.
    let mut n = net();
    n.w.set_forwarding(n.nat, Forwarding { ip_forward: true, masquerade: Vec::new() });
    let t = trace(&n);
    let (code, kind, _) = blocked_at(&t);
    assert_eq!((code, kind), (C::IgwPublicIpAssociationForEgress, K::InternetGateway));
    assert!(translations(&t.forward, &n.w[n.nat].aws_id).is_empty());
    assert_eq!(hops_of(&t.forward, K::InternetGateway)[0].inbound.map(|h| h.src), Some(ip("10.40.2.101")));
}

#[test]
fn g5_a_masquerade_rule_for_another_source_block_forwards_unchanged() {
    let mut n = net();
    let rule = Masquerade { source: Some(cidr("10.50.0.0/16")), destination: None };
    n.w.set_forwarding(n.nat, Forwarding { ip_forward: true, masquerade: vec![rule] });
    assert_eq!(blocked_at(&trace(&n)).0, C::IgwPublicIpAssociationForEgress);
}

#[test]
fn g5_the_nat_instances_security_group_must_admit_the_private_subnets_traffic() {
    let mut n = net();
    let sg = n.nat_sg;
    let http = vpcsim::ops::security::Permission::tcp(80, cidr("10.40.0.0/16"));
    n.w.revoke_security_group(sg, vpcsim::trace::Direction::Ingress, &[http]).unwrap();
    let t = trace(&n);
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, n.w[sg].aws_id.clone()));
    let stop = t.forward.last().unwrap();
    assert_eq!(stop.inbound.map(|h| h.dst), Some(CHECKIP_ADDR));
}

#[test]
fn g5_the_nat_instances_outbound_rules_apply_to_the_masqueraded_packet() {
    let mut n = net();
    let sg = n.nat_sg;
    n.w.revoke_security_group_egress_all(sg);
    let t = trace(&n);
    let (code, kind, id) = blocked_at(&t);
    assert_eq!((code, kind, id), (C::SgHasNoRules, K::SecurityGroup, n.w[sg].aws_id.clone()));
    assert_eq!(
        translations(&t.forward, &n.w[n.nat].aws_id).len(),
        1,
        "the packet was masqueraded before the outbound rules stopped it"
    );
}

#[test]
fn g5_the_reachability_matrix_tells_apart_sources_a_masquerade_rule_tells_apart() {
    use vpcsim::analyzer::{cell, select, Matrix, Source, Target, DEFAULT_PROBES};
    let mut n = net();
    let w = &mut n.w;
    let rule = Masquerade { source: Some(cidr("10.40.2.128/25")), destination: None };
    w.set_forwarding(n.nat, Forwarding { ip_forward: true, masquerade: vec![rule] });
    let private = w[eni(w, n.app)].subnet;
    let app_sg = w[eni(w, n.app)].groups.clone();
    let masqueraded = w
        .run_instance(RunInstance {
            subnet: Some(private),
            groups: app_sg,
            public_ip: Some(false),
            private_ip: Some(ip("10.40.2.200")),
            ..Default::default()
        })
        .unwrap();
    let other = vpc(w, "10.50.0.0/16");
    let web_subnet = subnet(w, other, "10.50.1.0/24", 0);
    let igw = internet_gateway(w, other);
    public_route_table(w, other, igw, &[web_subnet]);
    let web_sg = group(w, other, "web", &[80], "0.0.0.0/0");
    let web = instance(w, web_subnet, &[web_sg], true);
    let sources = vec![Source::Instance(n.app), Source::Instance(masqueraded)];
    let m = Matrix::compute(w, sources, vec![Target::Instance(web)], DEFAULT_PROBES.to_vec());
    let port_80 = m.probes.iter().position(|p| p.port == 80).unwrap();
    for (si, s) in m.sources.iter().enumerate() {
        let alone = cell::evaluate(w, *s, Target::Instance(web), m.probes[port_80]).verdict;
        assert_eq!(m.verdict(si, 0, port_80), alone, "{}", select::source_label(w, *s));
    }
    assert!(
        !m.verdict(0, 0, port_80).is_reachable(),
        "10.40.2.101 is forwarded unchanged and stops at the IGW"
    );
    assert!(m.verdict(1, 0, port_80).is_reachable(), "10.40.2.200 is masqueraded");
}

#[test]
fn g5_a_response_routed_through_a_nat_instance_passes_unchanged_because_it_opened_no_connection() {
    // G5, I1 (found by the property tests' reference model): the private subnet's 0.0.0.0/0 goes
    // to the NAT instance, and an internet client reaches the app at its Elastic IP; the answer
    // is routed through the NAT instance, which masquerades only connections it sees opening,
    // so the internet gateway maps the app's own address back and the client gets its answer.
    let mut n = net();
    let app_eni = eni(&n.w, n.app);
    let eip = n.w.allocate_address(named("app"));
    n.w.associate_address(eip, app_eni).unwrap();
    let app_sg = n.w[app_eni].groups[0];
    let ssh = vpcsim::ops::security::Permission::tcp(22, Cidr::ANY);
    n.w.authorize_security_group(app_sg, vpcsim::trace::Direction::Ingress, &[ssh]).unwrap();
    let w = &n.w;
    let client = ip("198.51.100.7");
    let flow = tcp(client, public_ip(w, n.app), 22);
    let t = w.trace_from_internet(flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(translations(&t.ret, &w[n.nat].aws_id).is_empty(), "the NAT instance rewrote the answer");
    let igw = hops_of(&t.ret, K::InternetGateway)[0];
    let answer = Header { src: ip("10.40.2.101"), dst: client, ..flow.header.reversed() };
    assert_eq!(igw.inbound, Some(answer));
    assert_eq!(igw.outbound, Some(flow.header.reversed()), "the client hears from the address it asked");
    assert_eq!(
        kinds(&t.ret),
        [
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
        ]
    );
}

/// An internal NLB in its own subnet (10.40.3.0/24) in front of the app on tcp 80, a client
/// next to its node, and R9 middlebox routing: the NLB subnet's table sends the app's subnet
/// (exactly its block, more specific than the local route) to the NAT instance.
struct Middlebox {
    n: Net,
    client: InstanceId,
    node: EniId,
}

fn load_balancer_through_the_nat_instance() -> Middlebox {
    use std::time::Duration;
    use vpcsim::model::nlb::{ListenerProtocol, TargetRef, TargetType};
    use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
    let mut n = net();
    let w = &mut n.w;
    let v = w[eni(w, n.app)].vpc;
    let nodes = subnet(w, v, "10.40.3.0/24", 0);
    let rt = w.create_route_table(v, named("nodes"));
    w.associate_route_table(rt, nodes).unwrap();
    w.create_route(rt, cidr("10.40.2.0/24"), &RouteTargetSpec::Instance(w[n.nat].aws_id.clone())).unwrap();
    let app_sg = w[eni(w, n.app)].groups[0];
    let http = vpcsim::ops::security::Permission::tcp(80, cidr("10.40.0.0/16"));
    w.authorize_security_group(app_sg, vpcsim::trace::Direction::Ingress, &[http]).unwrap();
    w.serve_http(n.app, 80, "httpd", "app");
    let client = instance(w, nodes, &[], false);
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: "app".into(),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc: v,
            target_type: TargetType::Instance,
            health_check: Default::default(),
            preserve_client_ip: None,
            tags: Default::default(),
        })
        .unwrap();
    w.register_targets(tg, &[TargetSpec { target: TargetRef::Instance(n.app), port: None }]).unwrap();
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "app".into(),
            subnets: vec![nodes],
            internal: true,
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    w.advance(Duration::from_secs(180));
    let node = w[lb].nodes[0].eni;
    Middlebox { n, client, node }
}

#[test]
fn g5_r9_a_load_balancers_leg_routed_through_a_masquerading_nat_instance_reaches_the_target_from_its_address()
{
    // R9: the node's subnet routes the target's subnet to the NAT instance, which (G5: check off,
    // forwarding on, a masquerade rule for the client's block) forwards the leg as its own: the
    // target sees the NAT instance, not the client (L7's preserved address is lost), and its
    // answer goes back to the NAT instance, which translates it back towards the node.
    let m = load_balancer_through_the_nat_instance();
    let w = &m.n.w;
    let flow = tcp_from(w, m.client, w[m.node].private_ip, 80);
    let from = eni(w, m.client);
    let t = w.trace(from, flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    let outcome = w.verdict(from, flow);
    assert!(
        matches!(outcome, vpcsim::forward::Outcome::Delivered { to: vpcsim::forward::Destination::Instance(i), .. } if i == m.n.app),
        "{outcome:?}"
    );
    let nat_ip = ip("10.40.1.100");
    assert_eq!(t.seen_source(), Some(nat_ip), "the app sees the NAT instance's private IP");
    let preserved =
        Header { src: private_ip(w, m.client), dst: ip("10.40.2.101"), dst_port: 80, ..flow.header };
    let masqueraded = Header { src: nat_ip, ..preserved };
    let nat_id = w[m.n.nat].aws_id.clone();
    assert_eq!(translations(&t.forward, &nat_id), [(preserved, masqueraded)]);
    assert_eq!(translations(&t.ret, &nat_id), [(masqueraded.reversed(), preserved.reversed())]);
    let last = t.forward.last().unwrap();
    assert_eq!((last.kind, last.id.as_str()), (K::Instance, w[m.n.app].aws_id.as_str()));
    assert!(t.passes_in_order(&[K::TargetGroup, K::RouteTable, K::Instance, K::RouteTable, K::Instance]));
    let node = w[m.node].aws_id.as_str();
    let at_node = t.ret.iter().position(|h| h.kind == K::NetworkInterface && h.id == node);
    let at_nat = t.ret.iter().position(|h| h.kind == K::Instance && h.id == nat_id);
    assert!(at_nat < at_node && at_nat.is_some(), "the answer reaches the node through the NAT instance");
    let last = t.ret.last().unwrap();
    assert_eq!((last.kind, last.id.as_str()), (K::NetworkInterface, w[from].aws_id.as_str()));
    // The plain reference model walks the same components both ways.
    let expected = vpcsim::testing::reference::evaluate(w, from, flow);
    assert_eq!(vpcsim::testing::reference::project(&t), (expected.forward.clone(), expected.ret.clone()));
    assert_eq!(
        expected.verdict,
        vpcsim::testing::reference::Verdict::Delivered {
            to: vpcsim::testing::reference::Reached::Instance(m.n.app),
            seen: masqueraded
        }
    );
}
