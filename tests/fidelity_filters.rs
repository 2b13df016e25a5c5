//! Fidelity tests for security groups (docs/aws-rules.md S1-S6, S8) and network ACLs (N1-N4).

mod common;

use std::time::Duration;

use common::*;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::forward::{Block, Component, Outcome};
use vpcsim::ids::*;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::nacl::{AclEntry, Action, IcmpTypeCode};
use vpcsim::model::nlb::{HealthCheck, ListenerProtocol, TargetRef, TargetType};
use vpcsim::model::security_group::Peer;
use vpcsim::model::Tags;
use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::ops::security::{acl_entry, Permission};
use vpcsim::trace::{
    ComponentKind as K, Direction, ExplanationCode as C, Flow, Matched, SgPeer, Trace, EPHEMERAL,
};
use vpcsim::world::World;

fn blocked_at(t: &Trace) -> (C, K, String) {
    let e = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

fn sg_id(w: &World, sg: SgId) -> String {
    w[sg].aws_id.clone()
}

fn acl_id(w: &World, acl: NaclId) -> String {
    w[acl].aws_id.clone()
}

/// What the security-group hops of a path matched, with the group id.
fn sg_matches(hops: &[vpcsim::trace::Hop]) -> Vec<(String, Option<Matched>)> {
    hops_of(hops, K::SecurityGroup).into_iter().map(|h| (h.id.to_string(), h.matched.clone())).collect()
}

/// What the NACL hops of a path matched, with the ACL id.
fn acl_matches(hops: &[vpcsim::trace::Hop]) -> Vec<(String, Option<Matched>)> {
    hops_of(hops, K::NetworkAcl).into_iter().map(|h| (h.id.to_string(), h.matched.clone())).collect()
}

/// A rule's ports as the tables print them: `all`, `80` or `1024-2047`.
fn ports(text: &str) -> PortRange {
    if text == "all" {
        return PortRange::ALL;
    }
    let (from, to) = text.split_once('-').unwrap_or((text, text));
    PortRange { from: from.parse().unwrap(), to: to.parse().unwrap() }
}

/// A security group rule as expected: `peer` is a CIDR or a group id.
fn sg_rule(
    direction: Direction,
    group: &str,
    protocol: &str,
    port_range: &str,
    peer: &str,
) -> Option<Matched> {
    Some(Matched::SecurityGroupRule {
        direction,
        group_id: group.into(),
        protocol: protocol.parse().unwrap(),
        ports: ports(port_range),
        peer: peer.parse().map_or_else(|_| SgPeer::Group(peer.into()), SgPeer::Cidr),
    })
}

fn acl_rule(
    direction: Direction,
    n: Option<u16>,
    action: Action,
    protocol: &str,
    port_range: &str,
) -> Option<Matched> {
    Some(Matched::AclRule {
        direction,
        rule_number: n,
        action,
        cidr: Cidr::ANY,
        protocol: protocol.parse().unwrap(),
        ports: ports(port_range),
    })
}

fn perm(protocol: Protocol, from: u16, to: u16, peer: Peer) -> Permission {
    Permission {
        protocol: RuleProtocol::One(protocol),
        ports: PortRange { from, to },
        peer,
        description: None,
    }
}

/// A client, a protocol, a port, and the rule (protocol, ports, peer) that should allow it.
type Case<'a> = (InstanceId, Protocol, u16, Option<(&'a str, &'a str, &'a str)>);

/// One VPC 10.0.0.0/16 (no gateway) with subnets a 10.0.1.0/24 and b 10.0.2.0/24.
struct TwoSubnets {
    w: World,
    vpc: VpcId,
    a: SubnetId,
    b: SubnetId,
}

fn two_subnets() -> TwoSubnets {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let b = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    TwoSubnets { w, vpc, a, b }
}

#[test]
fn s2_a_response_is_allowed_whatever_the_rules_in_the_other_direction() {
    // S2: Stateful: a response to an allowed flow is allowed whatever the rules in the other direction.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let client_sg = group(&mut w, vpc, "client", &[], "0.0.0.0/0");
    let server_sg = group(&mut w, vpc, "server", &[80], "10.0.0.0/16");
    w.revoke_security_group(server_sg, Direction::Egress, &[Permission::all()]).unwrap();
    let client = instance(&mut w, a, &[client_sg], false);
    let server = instance(&mut w, b, &[server_sg], false);

    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        sg_matches(&t.ret),
        [
            (sg_id(&w, server_sg), Some(Matched::Stateful { direction: Direction::Egress })),
            (sg_id(&w, client_sg), Some(Matched::Stateful { direction: Direction::Ingress })),
        ]
    );
    // The same packets as a new flow are refused: neither rule set allows them.
    let t = w.trace(eni(&w, server), tcp(private_ip(&w, server), private_ip(&w, client), 40000));
    assert_eq!(blocked_at(&t), (C::SgHasNoRules, K::SecurityGroup, sg_id(&w, server_sg)));
}

#[test]
fn s3_a_new_group_allows_no_inbound_and_all_outbound() {
    // S3: A new group has no inbound rules and one outbound rule allowing everything.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let sg = w.create_security_group(vpc, "fresh", "fresh", Tags::new()).unwrap();
    let group = &w[sg];
    assert!(group.ingress.is_empty());
    let egress: Vec<_> = group.egress.iter().map(|r| (r.protocol, r.ports, r.peer.clone())).collect();
    assert_eq!(egress, [(RuleProtocol::All, PortRange::ALL, Peer::Cidr(Cidr::ANY))]);

    let fresh = instance(&mut w, a, &[sg], false);
    let open = w.create_security_group(vpc, "open", "open", Tags::new()).unwrap();
    w.authorize_security_group(open, Direction::Ingress, &[Permission::all()]).unwrap();
    let other = instance(&mut w, b, &[open], false);
    let t = w.trace(eni(&w, other), tcp_from(&w, other, private_ip(&w, fresh), 22));
    assert_eq!(blocked_at(&t), (C::SgHasNoRules, K::SecurityGroup, sg_id(&w, sg)));
    let t = w.trace(
        eni(&w, fresh),
        Flow {
            header: header(Protocol::Udp, private_ip(&w, fresh), 40000, private_ip(&w, other), 5353),
            seq: 0,
        },
    );
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        sg_matches(&t.forward)[0],
        (sg_id(&w, sg), sg_rule(Direction::Egress, &sg_id(&w, sg), "-1", "all", "0.0.0.0/0"))
    );
}

#[test]
fn s4_the_default_group_admits_its_members_only_and_is_given_to_interfaces_without_groups() {
    // S4: The VPC's default group allows all inbound from members of itself and all outbound.
    // An ENI created without groups gets the default group.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let default = w[vpc].default_sg;
    let member = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    assert_eq!(w[eni(&w, member)].groups, [default]);
    let outsider_sg = group(&mut w, vpc, "outsider", &[], "0.0.0.0/0");
    let outsider = instance(&mut w, a, &[outsider_sg], false);
    let d = sg_id(&w, default);

    for port in [22, 5432, 65000] {
        let t = w.trace(eni(&w, member), tcp_from(&w, member, private_ip(&w, server), port));
        assert!(t.reachable(), "{port}: {:?}", t.explanation);
        assert_eq!(
            sg_matches(&t.forward),
            [
                (d.clone(), sg_rule(Direction::Egress, &d, "-1", "all", "0.0.0.0/0")),
                (d.clone(), sg_rule(Direction::Ingress, &d, "-1", "all", &d)),
            ]
        );
    }
    let t = w.trace(eni(&w, outsider), tcp_from(&w, outsider, private_ip(&w, server), 22));
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, d));
}

#[test]
fn s5_a_rule_matches_its_protocol_its_port_range_and_its_peer() {
    // S5: A rule names protocol (tcp, udp, icmp, or -1 for all), a port range (FromPort..ToPort;
    // ICMP type/code; -1 for all) and a source/destination: CIDR, prefix list, or another group
    // (matches that group's members' private IPs).
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let c = subnet(&mut w, vpc, "10.0.3.0/24", 0);
    let admin = group(&mut w, vpc, "admin", &[], "0.0.0.0/0");
    let server_sg = w.create_security_group(vpc, "server", "server", Tags::new()).unwrap();
    let rules = [
        perm(Protocol::Tcp, 8000, 8080, Peer::Cidr(cidr("10.0.1.0/24"))),
        perm(Protocol::Udp, 53, 53, Peer::Cidr(cidr("10.0.0.0/16"))),
        perm(Protocol::Icmp, 8, 8, Peer::Cidr(cidr("10.0.1.0/24"))),
        perm(Protocol::Tcp, 22, 22, Peer::Group(admin)),
    ];
    w.authorize_security_group(server_sg, Direction::Ingress, &rules).unwrap();
    let server = instance(&mut w, c, &[server_sg], false);
    let in_a = instance(&mut w, a, &[admin], false);
    let in_b = instance(&mut w, b, &[], false);
    let s = sg_id(&w, server_sg);
    let admin_id = sg_id(&w, admin);
    let cases: [Case; 11] = [
        (in_a, Protocol::Tcp, 8000, Some(("tcp", "8000-8080", "10.0.1.0/24"))),
        (in_a, Protocol::Tcp, 8080, Some(("tcp", "8000-8080", "10.0.1.0/24"))),
        (in_a, Protocol::Tcp, 8081, None),
        (in_a, Protocol::Udp, 8080, None),
        (in_b, Protocol::Tcp, 8000, None),
        (in_b, Protocol::Udp, 53, Some(("udp", "53", "10.0.0.0/16"))),
        (in_a, Protocol::Icmp, 8, Some(("icmp", "8", "10.0.1.0/24"))),
        (in_a, Protocol::Icmp, 13, None),
        (in_b, Protocol::Icmp, 8, None),
        (in_a, Protocol::Tcp, 22, Some(("tcp", "22", admin_id.as_str()))),
        (in_b, Protocol::Tcp, 22, None),
    ];
    for (from, protocol, port, allowed) in cases {
        let sport = if protocol == Protocol::Icmp { 0 } else { 40000 };
        let flow = Flow {
            header: header(protocol, private_ip(&w, from), sport, private_ip(&w, server), port),
            seq: 0,
        };
        let t = w.trace(eni(&w, from), flow);
        match allowed {
            Some((p, ports, peer)) => {
                assert!(t.reachable(), "{protocol} {port}: {:?}", t.explanation);
                assert_eq!(
                    sg_matches(&t.forward)[1],
                    (s.clone(), sg_rule(Direction::Ingress, &s, p, ports, peer))
                );
            }
            None => assert_eq!(
                blocked_at(&t),
                (C::EniSgRulesMismatch, K::SecurityGroup, s.clone()),
                "{protocol} {port}"
            ),
        }
    }
}

#[test]
fn s6_an_interface_endpoints_groups_must_allow_the_clients_port() {
    // S6: Security groups are evaluated at every ENI the packet leaves or enters, including the
    // interface endpoint's ENI (the endpoint's groups must allow the client's inbound port).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let ep_sg = group(w, lab.my_vpc, "EndpointSG", &[], "0.0.0.0/0");
    let svc = w.create_vpc_endpoint_service_configuration(&[lab.nlb], false, None, Tags::new()).unwrap();
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(lab.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![lab.my_subnet],
            groups: vec![ep_sg],
            ..Default::default()
        })
        .unwrap();
    w.advance(Duration::from_secs(150));
    let ep_ip = w[w[ep].enis[0]].private_ip;
    let flow = tcp_from(w, lab.my_ec2, ep_ip, 80);
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&t), (C::SgHasNoRules, K::SecurityGroup, sg_id(w, ep_sg)));

    w.authorize_security_group(ep_sg, Direction::Ingress, &[Permission::tcp(80, cidr("10.0.0.0/16"))])
        .unwrap();
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    let e = sg_id(w, ep_sg);
    assert!(sg_matches(&t.forward)
        .contains(&(e.clone(), sg_rule(Direction::Ingress, &e, "tcp", "80", "10.0.0.0/16"))));
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, ep_ip, 443));
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, e));
}

#[test]
fn s6_a_load_balancer_with_groups_filters_client_traffic_at_its_nodes() {
    // S6: Security groups are evaluated at every ENI the packet leaves or enters, including ...
    // NLB nodes when the NLB has groups.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let nlb_sg = group(w, lab.custom_vpc, "NlbSG", &[80], "10.0.0.0/16");
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: "guarded-tg".into(),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc: lab.custom_vpc,
            target_type: TargetType::Instance,
            health_check: HealthCheck::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })
        .unwrap();
    w.register_targets(tg, &[TargetSpec { target: TargetRef::Instance(lab.web1), port: None }]).unwrap();
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "guarded".into(),
            subnets: vec![lab.custom_subnet],
            security_groups: vec![nlb_sg],
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    w.advance(Duration::from_secs(180));
    let flow = tcp_from(w, lab.my_ec2, w.lb_addresses(lb, None)[0], 80);
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, sg_id(w, nlb_sg)));

    let me = Cidr::host(public_ip(w, lab.my_ec2));
    w.authorize_security_group(nlb_sg, Direction::Ingress, &[Permission::tcp(80, me)]).unwrap();
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(t.passes_in_order(&[K::InternetGateway, K::SecurityGroup, K::NetworkInterface, K::LoadBalancer]));
}

/// A custom NACL on subnet b: ingress 100 deny tcp 22, 200 allow all; egress 100 allow all.
fn guarded_b(w: &mut World, vpc: VpcId, b: SubnetId) -> NaclId {
    let acl = w.create_network_acl(vpc, Tags::new());
    let all = RuleProtocol::All;
    let tcp = RuleProtocol::One(Protocol::Tcp);
    w.create_network_acl_entry(
        acl,
        Direction::Ingress,
        acl_entry(100, tcp, PortRange::single(22), Cidr::ANY, false),
    )
    .unwrap();
    w.create_network_acl_entry(acl, Direction::Ingress, acl_entry(200, all, PortRange::ALL, Cidr::ANY, true))
        .unwrap();
    w.create_network_acl_entry(acl, Direction::Egress, acl_entry(100, all, PortRange::ALL, Cidr::ANY, true))
        .unwrap();
    w.associate_network_acl(acl, b).unwrap();
    acl
}

#[test]
fn n1_the_lowest_numbered_matching_rule_wins_and_the_final_rule_denies() {
    // N1: Rules are numbered; the lowest matching number wins; a final `*` rule denies.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let acl = guarded_b(&mut w, vpc, b);
    let client = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    let ssh = tcp_from(&w, client, private_ip(&w, server), 22);
    let t = w.trace(eni(&w, client), ssh);
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, acl)));
    assert_eq!(
        t.forward.last().unwrap().matched,
        acl_rule(Direction::Ingress, Some(100), Action::Deny, "tcp", "22")
    );
    // Rule 200 lets the rest in.
    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 5432));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        acl_matches(&t.forward)[1],
        (acl_id(&w, acl), acl_rule(Direction::Ingress, Some(200), Action::Allow, "-1", "all"))
    );

    // A lower number that allows wins over the deny.
    let tcp = RuleProtocol::One(Protocol::Tcp);
    w.create_network_acl_entry(
        acl,
        Direction::Ingress,
        acl_entry(50, tcp, PortRange::single(22), Cidr::ANY, true),
    )
    .unwrap();
    let t = w.trace(eni(&w, client), ssh);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        acl_matches(&t.forward)[1],
        (acl_id(&w, acl), acl_rule(Direction::Ingress, Some(50), Action::Allow, "tcp", "22"))
    );

    // Without rule 200, anything no rule names meets the final `*` deny.
    w.delete_network_acl_entry(acl, Direction::Ingress, 200).unwrap();
    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 5432));
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, acl)));
    assert_eq!(
        t.forward.last().unwrap().matched,
        acl_rule(Direction::Ingress, None, Action::Deny, "-1", "all")
    );
}

#[test]
fn n1_a_nacl_is_not_evaluated_within_its_subnet() {
    // N1: Stateless, one per subnet, evaluated when traffic crosses the subnet boundary (not within a subnet).
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let deny_all = w.create_network_acl(vpc, Tags::new());
    w.associate_network_acl(deny_all, b).unwrap();
    let server = instance(&mut w, b, &[], false);
    let neighbour = instance(&mut w, b, &[], false);
    let outsider = instance(&mut w, a, &[], false);
    let t = w.trace(eni(&w, neighbour), tcp_from(&w, neighbour, private_ip(&w, server), 22));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(!t.passes(K::NetworkAcl) && t.ret.iter().all(|h| h.kind != K::NetworkAcl));
    let t = w.trace(eni(&w, outsider), tcp_from(&w, outsider, private_ip(&w, server), 22));
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, deny_all)));
}

#[test]
fn n2_the_default_nacl_allows_everything_both_ways_and_a_custom_one_denies_until_rules_are_added() {
    // N2: The default NACL allows everything in both directions. A custom NACL denies everything
    // until rules are added.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let default = acl_id(&w, w[vpc].default_nacl);
    let client = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    let flow = tcp_from(&w, client, private_ip(&w, server), 22);
    let t = w.trace(eni(&w, client), flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    let rule = |d| (default.clone(), acl_rule(d, Some(100), Action::Allow, "-1", "all"));
    assert_eq!(acl_matches(&t.forward), [rule(Direction::Egress), rule(Direction::Ingress)]);
    assert_eq!(acl_matches(&t.ret), [rule(Direction::Egress), rule(Direction::Ingress)]);

    let custom = w.create_network_acl(vpc, Tags::new());
    assert!(w[custom].ingress.is_empty() && w[custom].egress.is_empty());
    w.associate_network_acl(custom, a).unwrap();
    let t = w.trace(eni(&w, client), flow);
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, custom)));
    assert_eq!(
        t.forward.last().unwrap().matched,
        acl_rule(Direction::Egress, None, Action::Deny, "-1", "all")
    );
}

#[test]
fn n3_return_traffic_needs_its_own_rule_for_the_ephemeral_ports() {
    // N3: Because NACLs are stateless, return traffic needs its own rule for the ephemeral ports
    // (Linux clients 32768-60999).
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let acl = w.create_network_acl(vpc, Tags::new());
    let tcp = RuleProtocol::One(Protocol::Tcp);
    w.create_network_acl_entry(
        acl,
        Direction::Egress,
        acl_entry(100, tcp, PortRange::single(80), Cidr::ANY, true),
    )
    .unwrap();
    w.associate_network_acl(acl, a).unwrap();
    let client = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    let flow = tcp_from(&w, client, private_ip(&w, server), 80);
    assert!(EPHEMERAL.contains(flow.header.src_port));

    let (t, outcome) = w.trace_outcome(eni(&w, client), flow);
    assert_eq!(
        t.forward.last().map(|h| (h.kind, h.matched.clone())),
        Some((K::Instance, Some(Matched::Delivered)))
    );
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, acl)));
    assert_eq!(t.ret.last().unwrap().matched, acl_rule(Direction::Ingress, None, Action::Deny, "-1", "all"));
    assert!(matches!(
        outcome,
        Outcome::Blocked(Block { code: C::SubnetAclRestriction, at: Component::Nacl(x), on_return: true, .. }) if x == acl
    ));

    w.create_network_acl_entry(acl, Direction::Ingress, acl_entry(100, tcp, EPHEMERAL, Cidr::ANY, true))
        .unwrap();
    let t = w.trace(eni(&w, client), flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        acl_matches(&t.ret)[1],
        (acl_id(&w, acl), acl_rule(Direction::Ingress, Some(100), Action::Allow, "tcp", "32768-60999"))
    );
}

#[test]
fn s1_the_rules_of_all_an_interfaces_groups_are_combined() {
    // S1: Allow rules only; all rules of all the ENI's groups are combined; order does not matter.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let ssh = group(&mut w, vpc, "ssh", &[22], "10.0.0.0/16");
    let web = group(&mut w, vpc, "web", &[80], "10.0.0.0/16");
    let client = instance(&mut w, a, &[], false);
    for order in [[ssh, web], [web, ssh]] {
        let server = instance(&mut w, b, &order, false);
        for (port, by) in [(22, ssh), (80, web)] {
            let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), port));
            assert!(t.reachable(), "{port}: {:?}", t.explanation);
            let g = sg_id(&w, by);
            let want = sg_rule(Direction::Ingress, &g, "tcp", &port.to_string(), "10.0.0.0/16");
            assert_eq!(sg_matches(&t.forward)[1], (g, want));
        }
        let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 443));
        assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, sg_id(&w, order[0])));
    }
}

#[test]
fn i6_a_group_reference_matches_private_ips_only_not_traffic_through_the_igw() {
    // I6: Security-group references match private IPs only; traffic that arrived via a public IP
    // through an IGW does not match a rule that references the sender's group.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let igw = internet_gateway(&mut w, vpc);
    public_route_table(&mut w, vpc, igw, &[a, b]);
    let clients = w.create_security_group(vpc, "clients", "clients", Tags::new()).unwrap();
    let server_sg = w.create_security_group(vpc, "server", "server", Tags::new()).unwrap();
    w.authorize_security_group(
        server_sg,
        Direction::Ingress,
        &[perm(Protocol::Tcp, 80, 80, Peer::Group(clients))],
    )
    .unwrap();
    let client = instance(&mut w, a, &[clients], true);
    let server = instance(&mut w, b, &[server_sg], true);
    let s = sg_id(&w, server_sg);

    let t = w.trace(eni(&w, client), tcp_from(&w, client, private_ip(&w, server), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
    assert_eq!(
        sg_matches(&t.forward)[1],
        (s.clone(), sg_rule(Direction::Ingress, &s, "tcp", "80", &sg_id(&w, clients)))
    );

    let t = w.trace(eni(&w, client), tcp_from(&w, client, public_ip(&w, server), 80));
    assert_eq!(hops_of(&t.forward, K::InternetGateway).len(), 2);
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, s));
}

#[test]
fn s8_a_rule_referencing_a_group_of_an_unpeered_vpc_is_refused_with_invalid_group_not_found() {
    // S8: a rule may reference a group of the same VPC or of a VPC peered with it in the same
    // region; any other group is refused (InvalidGroup.NotFound).
    let TwoSubnets { mut w, vpc: home, .. } = two_subnets();
    let other_vpc = vpc(&mut w, "10.1.0.0/16");
    let server_sg = w.create_security_group(home, "server", "server", Tags::new()).unwrap();
    let same_vpc = w.create_security_group(home, "clients", "clients", Tags::new()).unwrap();
    let foreign = w.create_security_group(other_vpc, "clients", "clients", Tags::new()).unwrap();
    let before = format!("{w:?}");
    for direction in [Direction::Ingress, Direction::Egress] {
        let err = w
            .authorize_security_group(
                server_sg,
                direction,
                &[
                    perm(Protocol::Tcp, 80, 80, Peer::Group(same_vpc)),
                    perm(Protocol::Tcp, 80, 80, Peer::Group(foreign)),
                ],
            )
            .unwrap_err();
        let op = if direction == Direction::Ingress { "Ingress" } else { "Egress" };
        assert_eq!(
            err.to_string(),
            format!(
                "An error occurred (InvalidGroup.NotFound) when calling the AuthorizeSecurityGroup{op} operation: The security group '{}' does not exist in VPC '{}'",
                sg_id(&w, foreign),
                w[home].aws_id
            )
        );
    }
    assert_eq!(format!("{w:?}"), before, "a refused call authorises none of its rules");
    w.authorize_security_group(
        server_sg,
        Direction::Ingress,
        &[perm(Protocol::Tcp, 80, 80, Peer::Group(same_vpc))],
    )
    .unwrap();
}

#[test]
fn s8_protocol_icmp_with_port_minus_one_means_every_icmp_type_and_code() {
    // S8: `--protocol icmp --port -1` means all ICMP types and codes.
    use vpcsim::scenario::Backend;
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let sg = lab.web_sg;
    let line = format!(
        "aws ec2 authorize-security-group-ingress --group-id {} --protocol icmp --port -1 --cidr 10.99.0.0/16",
        lab.world[sg].aws_id
    );
    let mut s = vpcsim::session::Session::new(lab.world);
    let call = vpcsim::command::aws::parse_line(&line).unwrap();
    let out = s.run_aws(&call);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let peer = Peer::Cidr(cidr("10.99.0.0/16"));
    let rule = s.world[sg].ingress.iter().find(|r| r.peer == peer).expect("the rule was added");
    assert_eq!((rule.protocol, rule.ports), (RuleProtocol::One(Protocol::Icmp), PortRange::ALL));
    for icmp_type in [0, 3, 8, 11, 13] {
        assert!(rule.admits(Protocol::Icmp, icmp_type), "ICMP type {icmp_type}");
    }
}

#[test]
fn n4_an_acl_entry_for_icmp_type_8_does_not_admit_echo_replies() {
    // N4: an ICMP entry names a type and a code (-1 for all): an entry for type 8 (echo
    // request) does not admit type 0 (echo reply).
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let acl = w.create_network_acl(vpc, Tags::new());
    let icmp = RuleProtocol::One(Protocol::Icmp);
    let entry = |number, icmp_type| AclEntry {
        icmp: IcmpTypeCode { icmp_type, code: None },
        ..acl_entry(number, icmp, PortRange::ALL, Cidr::ANY, true)
    };
    w.create_network_acl_entry(acl, Direction::Egress, entry(100, Some(8))).unwrap();
    w.create_network_acl_entry(acl, Direction::Ingress, entry(100, Some(8))).unwrap();
    w.associate_network_acl(acl, a).unwrap();
    let client = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    let ping =
        Flow { header: header(Protocol::Icmp, private_ip(&w, client), 0, private_ip(&w, server), 8), seq: 0 };

    let (t, outcome) = w.trace_outcome(eni(&w, client), ping);
    assert_eq!(
        acl_matches(&t.forward)[0].1,
        acl_rule(Direction::Egress, Some(100), Action::Allow, "icmp", "all"),
        "the echo request leaves through the type 8 entry"
    );
    assert_eq!(blocked_at(&t), (C::SubnetAclRestriction, K::NetworkAcl, acl_id(&w, acl)));
    assert_eq!(t.ret.last().unwrap().matched, acl_rule(Direction::Ingress, None, Action::Deny, "-1", "all"));
    assert!(matches!(
        outcome,
        Outcome::Blocked(Block { code: C::SubnetAclRestriction, at: Component::Nacl(x), on_return: true, .. }) if x == acl
    ));

    w.create_network_acl_entry(acl, Direction::Ingress, entry(110, Some(0))).unwrap();
    let t = w.trace(eni(&w, client), ping);
    assert!(t.reachable(), "{:?}", t.explanation);
    w.delete_network_acl_entry(acl, Direction::Ingress, 110).unwrap();
    w.create_network_acl_entry(acl, Direction::Ingress, entry(110, None)).unwrap();
    assert!(w.trace(eni(&w, client), ping).reachable(), "type -1 admits every type");
}

#[test]
fn n4_a_stack_acl_entry_keeps_its_icmp_type_and_code() {
    // N4, through CloudFormation: `Icmp: {Type: 8, Code: -1}` is type 8, every code.
    let template = "\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: !Ref Vpc}
  Ping:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 1
      RuleAction: allow
      CidrBlock: 0.0.0.0/0
      Icmp: {Type: 8, Code: -1}
";
    let mut w = seoul(SEED);
    let none = indexmap::IndexMap::new();
    vpcsim::stack::create_stack(&mut w, "s", "acl.yaml", template, &none, &none).unwrap();
    let acl = w.nacls().values().find(|n| !n.is_default).expect("the stack's ACL");
    let entry = &acl.entries(Direction::Ingress)[0];
    assert_eq!(entry.icmp, IcmpTypeCode { icmp_type: Some(8), code: None });
    assert!(entry.matches(Protocol::Icmp, 8, ip("10.1.2.3")));
    assert!(!entry.matches(Protocol::Icmp, 0, ip("10.1.2.3")), "an echo reply is type 0");
}

#[test]
fn n3_only_a_denied_response_is_explained_as_needing_its_own_rule() {
    // N1/N3: a NACL deny on the way there is a plain deny; only a denied response says that
    // NACLs are stateless and the return needs its own rule.
    let TwoSubnets { mut w, vpc, a, b } = two_subnets();
    let acl = w.create_network_acl(vpc, Tags::new());
    w.associate_network_acl(acl, a).unwrap();
    let client = instance(&mut w, a, &[], false);
    let server = instance(&mut w, b, &[], false);
    let flow = tcp_from(&w, client, private_ip(&w, server), 80);
    let t = w.trace(eni(&w, client), flow);
    let message = &t.explanation.as_ref().expect("denied").message;
    assert!(message.starts_with("a network ACL rule denies"), "{message}");
    assert!(!message.contains("stateless"), "{message}");

    let tcp = RuleProtocol::One(Protocol::Tcp);
    w.create_network_acl_entry(
        acl,
        Direction::Egress,
        acl_entry(100, tcp, PortRange::single(80), Cidr::ANY, true),
    )
    .unwrap();
    let t = w.trace(eni(&w, client), flow);
    let message = &t.explanation.as_ref().expect("the response is denied").message;
    assert!(message.starts_with("on the way back, a network ACL rule denies"), "{message}");
    assert!(message.ends_with("(NACLs are stateless: the return needs its own rule)"), "{message}");
}

// ---------------------------------------------------------------- describe-network-acls

mod describe_network_acls {
    use super::*;
    use serde_json::{json, Value};
    use vpcsim::command::aws::parse_line;
    use vpcsim::scenario::run::Backend;
    use vpcsim::scenario::StepOutcome;
    use vpcsim::session::Session;

    fn aws(s: &mut Session, line: &str) -> StepOutcome {
        s.run_aws(&parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}")))
    }

    fn ok(s: &mut Session, line: &str) -> Value {
        let out = aws(s, line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.json.unwrap_or_default()
    }

    /// A VPC with two subnets; the second moved to a custom ACL with a TCP, a UDP and an
    /// ICMP entry. Returns the session, the VPC, both subnets and the custom ACL's ids.
    fn world() -> (Session, [String; 4]) {
        let mut w = seoul(3);
        let v = vpc(&mut w, "10.0.0.0/16");
        let a = subnet(&mut w, v, "10.0.1.0/24", 0);
        let b = subnet(&mut w, v, "10.0.2.0/24", 1);
        let ids = [w[v].aws_id.clone(), w[a].aws_id.clone(), w[b].aws_id.clone()];
        let mut s = Session::new(w);
        let acl = ok(&mut s, &format!("aws ec2 create-network-acl --vpc-id {}", ids[0]));
        let acl = acl["NetworkAcl"]["NetworkAclId"].as_str().unwrap().to_string();
        for entry in [
            "--rule-number 100 --protocol tcp --rule-action allow --ingress --cidr-block 10.9.0.0/16 --port-range From=80,To=443",
            "--rule-number 110 --protocol icmp --rule-action allow --ingress --cidr-block 0.0.0.0/0 --icmp-type-code Type=8,Code=-1",
            "--rule-number 120 --protocol udp --rule-action deny --egress --cidr-block 10.0.0.0/8 --port-range From=53,To=53",
            "--rule-number 130 --protocol -1 --rule-action allow --egress --cidr-block 0.0.0.0/0",
        ] {
            ok(&mut s, &format!("aws ec2 create-network-acl-entry --network-acl-id {acl} {entry}"));
        }
        let association = vpcsim::ops::security::nacl_association_id(&ids[2]);
        ok(
            &mut s,
            &format!(
                "aws ec2 replace-network-acl-association --association-id {association} --network-acl-id {acl}"
            ),
        );
        let [vpc, a, b] = ids;
        (s, [vpc, a, b, acl])
    }

    #[test]
    fn n1_n4_a_custom_acl_lists_its_entries_as_ec2_does_outbound_first_each_ending_in_rule_32767() {
        let (mut s, [vpc, _, b, acl]) = world();
        let out = ok(&mut s, &format!("aws ec2 describe-network-acls --network-acl-ids {acl}"));
        let owner = s.world.account_id().to_string();
        let deny_all = |egress: bool| json!({"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767});
        let expected = json!({"NetworkAcls": [{
            "Associations": [{
                "NetworkAclAssociationId": vpcsim::ops::security::nacl_association_id(&b),
                "NetworkAclId": acl,
                "SubnetId": b,
            }],
            "Entries": [
                {"CidrBlock": "10.0.0.0/8", "Egress": true, "Protocol": "17", "RuleAction": "deny", "RuleNumber": 120, "PortRange": {"From": 53, "To": 53}},
                {"CidrBlock": "0.0.0.0/0", "Egress": true, "Protocol": "-1", "RuleAction": "allow", "RuleNumber": 130},
                deny_all(true),
                {"CidrBlock": "10.9.0.0/16", "Egress": false, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100, "PortRange": {"From": 80, "To": 443}},
                {"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "1", "RuleAction": "allow", "RuleNumber": 110, "IcmpTypeCode": {"Code": -1, "Type": 8}},
                deny_all(false),
            ],
            "IsDefault": false,
            "NetworkAclId": acl,
            "Tags": [],
            "VpcId": vpc,
            "OwnerId": owner,
        }]});
        assert_eq!(out, expected);
    }

    #[test]
    fn n2_the_default_acl_allows_all_with_rule_100_and_keeps_the_subnets_not_moved() {
        let (mut s, [vpc, a, _, _]) = world();
        let out = ok(
            &mut s,
            &format!(
                "aws ec2 describe-network-acls --filters Name=vpc-id,Values={vpc} Name=default,Values=true"
            ),
        );
        let acls = out["NetworkAcls"].as_array().unwrap();
        assert_eq!(acls.len(), 1);
        let rules: Vec<(bool, u64, &str)> = acls[0]["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["Egress"].as_bool().unwrap(),
                    e["RuleNumber"].as_u64().unwrap(),
                    e["RuleAction"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rules,
            [(true, 100, "allow"), (true, 32767, "deny"), (false, 100, "allow"), (false, 32767, "deny")]
        );
        let subnets: Vec<&str> = acls[0]["Associations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["SubnetId"].as_str().unwrap())
            .collect();
        assert_eq!(subnets, [a.as_str()]);
    }

    #[test]
    fn n1_association_subnet_id_finds_the_acl_a_subnet_uses_and_an_unknown_id_is_ec2s_error() {
        let (mut s, [_, a, b, acl]) = world();
        let query = |subnet: &str| {
            format!("aws ec2 describe-network-acls --filters Name=association.subnet-id,Values={subnet} --query NetworkAcls[].NetworkAclId --output text")
        };
        assert_eq!(aws(&mut s, &query(&b)).stdout.trim(), acl);
        assert_ne!(aws(&mut s, &query(&a)).stdout.trim(), acl);
        let missing = aws(&mut s, "aws ec2 describe-network-acls --network-acl-ids acl-0123456789abcdef0");
        assert_eq!(missing.exit_code, 254);
        assert!(
            missing.stderr.contains("An error occurred (InvalidNetworkAclID.NotFound) when calling the DescribeNetworkAcls operation: The networkAcl ID 'acl-0123456789abcdef0' does not exist"),
            "{}",
            missing.stderr
        );
        let bogus = aws(&mut s, "aws ec2 describe-network-acls --filters Name=bogus,Values=x");
        assert_eq!(bogus.exit_code, 254, "{}", bogus.stderr);
    }
}
