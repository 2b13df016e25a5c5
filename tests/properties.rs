//! Properties of the packet walk over random topologies (`vpcsim::testing`): the fast
//! walk agrees with the plain reference model, lookups agree with brute force, order
//! does not matter where AWS says it does not, responses come back unless a NACL or a
//! route says otherwise, loops end with a name, nobody gets in where they do not
//! belong, DNS answers lie where they should, and the same seed gives the same result.
//!
//! Case counts are sized for the debug build; a soak run:
//! `PROPTEST_CASES=10000 cargo test --test properties`.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use vpcsim::addr::{Cidr, RuleProtocol};
use vpcsim::dns::View;
use vpcsim::forward::Outcome;
use vpcsim::ids::*;
use vpcsim::model::eni::{EniOwner, NetworkInterface};
use vpcsim::model::instance::InstanceState;
use vpcsim::model::nat_instance::Forwarding;
use vpcsim::model::nlb::{CrossZone, HealthState, Scheme, TargetRef};
use vpcsim::model::route_table::{Route, RouteOrigin, RouteTable, RouteTarget};
use vpcsim::model::security_group::Peer;
use vpcsim::model::vpc_endpoint::EndpointState;
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::testing::reference::longest_match;
use vpcsim::testing::{check_flow, check_flow_from_internet, strategies, Case};
use vpcsim::trace::{ComponentKind as K, Direction, ExplanationCode as C, Flow, Header, Matched, Trace};
use vpcsim::world::{Handle, World};

/// `cases` unless PROPTEST_CASES says otherwise; failures saved in `proptest-regressions/`.
fn config(cases: u32, file: &'static str) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(file))),
        ..ProptestConfig::default()
    }
}

fn block(code: C) -> bool {
    matches!(code, C::EniSgRulesMismatch | C::SgHasNoRules)
}

proptest! {
    #![proptest_config(config(256, "proptest-regressions/properties/fast_walk_and_reference.txt"))]

    /// Verdict, explanation code and component, receiver, seen header, forward and return paths.
    #[test]
    fn the_fast_walk_agrees_with_the_reference_model(case in strategies::mixed_case()) {
        for (eni, flow) in &case.flows {
            if let Err(diff) = check_flow(&case.world, *eni, *flow) {
                prop_assert!(false, "{diff}\n{case}");
            }
        }
    }
}

fn route_table(destinations: &[(u32, u8)]) -> RouteTable {
    let mut rt = RouteTable {
        aws_id: "rtb-0".into(),
        vpc: VpcId(0),
        main: true,
        routes: Vec::new().into(),
        ipv6_routes: Vec::new(),
        tags: Tags::new(),
        deleted: false,
    };
    for (i, (addr, len)) in destinations.iter().enumerate() {
        let destination = Cidr::new(Ipv4Addr::from(*addr), *len);
        let target = RouteTarget::Eni(EniId(i as u32));
        rt.insert(Route { destination, prefix_list: None, target, origin: RouteOrigin::CreateRoute });
    }
    rt
}

proptest! {
    #![proptest_config(config(64, "proptest-regressions/properties/longest_prefix_match.txt"))]

    /// R3: `RouteTable::lookup` picks what a scan of every route for the longest containing prefix picks.
    #[test]
    fn longest_prefix_match_agrees_with_a_brute_force_scan(
        // Addresses from a narrow space so that prefixes nest and collide.
        routes in prop::collection::vec((0u32..64, 0u8..=32), 0..1000),
        probes in prop::collection::vec((0u32..64, any::<u32>()), 1..64),
    ) {
        let spread = |hi: u32| hi << 26 | hi << 20;
        let routes: Vec<(u32, u8)> = routes.into_iter().map(|(a, l)| (spread(a), l)).collect();
        let rt = route_table(&routes);
        for (hi, lo) in probes {
            let dst = spread(hi) | (lo & 0x000f_ffff);
            let fast = rt.lookup(dst).map(|r| r.destination);
            let slow = longest_match(&rt.routes, Ipv4Addr::from(dst)).map(|r| r.destination);
            prop_assert_eq!(fast, slow, "{} routes, lookup of {}", rt.routes.len(), Ipv4Addr::from(dst));
        }
    }
}

/// The world with every group's rules and every interface's groups in another order.
fn shuffled(w: &World, seed: u64) -> World {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut w = w.clone();
    let groups: Vec<SgId> = w.sgs().ids().collect();
    for sg in groups {
        for direction in [Direction::Ingress, Direction::Egress] {
            let mut perms: Vec<Permission> = w[sg]
                .rules(direction)
                .iter()
                .map(|r| Permission {
                    protocol: r.protocol,
                    ports: r.ports,
                    peer: r.peer.clone(),
                    description: r.description.clone(),
                })
                .collect();
            w.revoke_security_group(sg, direction, &perms).unwrap();
            perms.shuffle(&mut rng);
            w.authorize_security_group(sg, direction, &perms).unwrap();
        }
    }
    // An interface without groups (a load balancer node) keeps none; set_groups would give it the default.
    let enis: Vec<EniId> = w.enis().live().filter(|(_, e)| e.groups.len() > 1).map(|(e, _)| e).collect();
    for e in enis {
        let mut groups = w[e].groups.clone();
        groups.shuffle(&mut rng);
        w.set_groups(e, &groups).unwrap();
    }
    w
}

/// An outcome without the group that stopped it (the first of the interface's groups, which moves).
fn without_group(o: Outcome) -> Outcome {
    match o {
        Outcome::Blocked(mut b) if block(b.code) => {
            b.at = vpcsim::forward::Component::Eni(EniId(0));
            Outcome::Blocked(b)
        }
        o => o,
    }
}

proptest! {
    #![proptest_config(config(128, "proptest-regressions/properties/group_order.txt"))]

    /// S1: all rules of all groups together decide; order does not matter.
    #[test]
    fn security_group_verdicts_do_not_depend_on_rule_or_group_order(case in strategies::mixed_case(), seed in any::<u64>()) {
        let other = shuffled(&case.world, seed);
        for (eni, flow) in &case.flows {
            let a = without_group(case.world.verdict(*eni, *flow));
            let b = without_group(other.verdict(*eni, *flow));
            prop_assert_eq!(a, b, "{} from {:?}\n{}", flow.header, eni, case);
        }
    }
}

/// The world with every network ACL allowing everything both ways.
fn open_nacls(w: &World) -> World {
    let mut w = w.clone();
    let acls: Vec<NaclId> = w.nacls().ids().collect();
    for acl in acls {
        for direction in [Direction::Ingress, Direction::Egress] {
            let numbers: Vec<u16> = w[acl].entries(direction).iter().map(|e| e.number).collect();
            for number in numbers {
                w.delete_network_acl_entry(acl, direction, number).unwrap();
            }
            w.create_network_acl_entry(acl, direction, vpcsim::model::nacl::allow_all_entry()).unwrap();
        }
    }
    w
}

proptest! {
    #![proptest_config(config(192, "proptest-regressions/properties/responses.txt"))]

    /// S2, N3: a flow that got there is answered unless a NACL or a route on the way back
    /// refuses; with every NACL open, only routing can.
    #[test]
    fn a_delivered_flow_is_answered_unless_a_nacl_or_route_on_the_way_back_refuses(case in strategies::mixed_case()) {
        let open = open_nacls(&case.world);
        for (eni, flow) in &case.flows {
            for (w, nacls_open) in [(&case.world, false), (&open, true)] {
                let Outcome::Blocked(b) = w.verdict(*eni, *flow) else { continue };
                if !b.on_return {
                    continue;
                }
                prop_assert!(!block(b.code), "S2: response refused by a group ({}) for {}\n{}", b.code, flow.header, case);
                prop_assert!(
                    !(nacls_open && b.code == C::SubnetAclRestriction),
                    "a response refused by an open NACL for {}\n{}", flow.header, case
                );
                let t = w.trace(*eni, *flow);
                prop_assert!(t.delivered.is_none() && !t.ret.is_empty(), "a return block has a return path");
            }
        }
    }
}

/// A VPC whose appliances (source/destination check off), each alone in a subnet with its own
/// table, pass `dst` round a cycle of `cycle` after a tail of `tail`; on the way back when `on_return`.
fn loop_world(seed: u64, tail: usize, cycle: usize, on_return: bool) -> (World, EniId, Flow) {
    let mut w = World::in_region("ap-northeast-2", seed).unwrap();
    let vpc = w.create_vpc(CreateVpc { cidr: "10.0.0.0/16".parse().ok(), ..Default::default() }).unwrap();
    let subnet = |w: &mut World, i: u32| {
        let cidr = Cidr::new(Ipv4Addr::new(10, 0, i as u8, 0), 24);
        let s =
            w.create_subnet(CreateSubnet { vpc: Some(vpc), cidr: Some(cidr), ..Default::default() }).unwrap();
        let rt = w.create_route_table(vpc, Tags::new());
        w.associate_route_table(rt, s).unwrap();
        (s, rt)
    };
    let run = |w: &mut World, s: SubnetId| {
        w.run_instance(RunInstance { subnet: Some(s), ..Default::default() }).unwrap()
    };
    let (src_subnet, src_rt) = subnet(&mut w, 0);
    let src = run(&mut w, src_subnet);
    let (dst_subnet, dst_rt) = subnet(&mut w, 1);
    let dst = run(&mut w, dst_subnet);
    let mut hops = Vec::new();
    for k in 0..tail + cycle {
        let (s, rt) = subnet(&mut w, 2 + k as u32);
        let i = run(&mut w, s);
        w.set_source_dest_check(w[i].eni, false);
        // G5: an instance routes on only with IP forwarding on.
        w.set_forwarding(i, Forwarding { ip_forward: true, masquerade: Vec::new() });
        hops.push((i, rt));
    }
    let target = |w: &World, i: InstanceId| RouteTargetSpec::Instance(w[i].aws_id.clone());
    let (first_rt, toward) = if on_return {
        (dst_rt, Cidr::new(Ipv4Addr::new(10, 0, 0, 0), 24))
    } else {
        (src_rt, Cidr::new(Ipv4Addr::new(10, 0, 1, 0), 24))
    };
    w.create_route(first_rt, toward, &target(&w, hops[0].0)).unwrap();
    for k in 0..hops.len() {
        let next = if k + 1 < hops.len() { k + 1 } else { tail };
        w.create_route(hops[k].1, toward, &target(&w, hops[next].0)).unwrap();
    }
    let header = Header {
        src: w[w[src].eni].private_ip,
        dst: w[w[dst].eni].private_ip,
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 22,
    };
    let src = w[src].eni;
    (w, src, Flow { header, seq: 0 })
}

proptest! {
    #![proptest_config(config(64, "proptest-regressions/properties/loops.txt"))]

    /// A routing loop through appliance interfaces ends with ROUTING_LOOP, going or coming back.
    #[test]
    fn a_routing_loop_ends_with_a_named_reason(seed in 0..1000u64, tail in 0usize..4, cycle in 1usize..6, on_return in any::<bool>()) {
        let (w, src, flow) = loop_world(seed, tail, cycle, on_return);
        let Outcome::Blocked(b) = w.verdict(src, flow) else {
            return Err(TestCaseError::fail(format!("a loop of {cycle} after {tail} was delivered")));
        };
        prop_assert_eq!(b.code, C::RoutingLoop);
        prop_assert_eq!(b.on_return, on_return);
        let t = w.trace(src, flow);
        prop_assert_eq!(t.explanation.map(|e| e.code), Some(C::RoutingLoop));
        prop_assert!(check_flow(&w, src, flow).is_ok(), "{}", check_flow(&w, src, flow).unwrap_err());
    }

    /// Every walk of a random world ends, and within a bounded number of hops.
    #[test]
    fn every_walk_terminates_within_a_bounded_path(case in strategies::mixed_case()) {
        for (eni, flow) in &case.flows {
            let t = case.world.trace(*eni, *flow);
            prop_assert!(t.forward.len() + t.ret.len() < 400, "{} hops for {}\n{}", t.forward.len() + t.ret.len(), flow.header, case);
        }
    }
}

/// S5, I6: whether any ingress rule of the interface's groups admits `h` (a plain re-evaluation).
/// S5, I6, L15: whether some ingress rule of `eni`'s groups admits `h`; `node` is the load
/// balancer node that forwarded the packet, whose groups a target's rule may name.
fn ingress_admits(w: &World, eni: EniId, h: &Header, node: Option<EniId>) -> bool {
    let e = &w[eni];
    let node_groups = node.map(|n| w[n].groups.as_slice()).unwrap_or_default();
    e.groups.iter().flat_map(|g| &w[g].ingress).any(|r| {
        let proto = match r.protocol {
            RuleProtocol::All => true,
            RuleProtocol::One(p) => p == h.protocol && r.ports.contains(h.dst_port),
        };
        let peer = match &r.peer {
            Peer::Cidr(c) => c.contains(h.src),
            Peer::Group(g) => {
                w.enis()
                    .values()
                    .any(|m| !m.deleted && m.vpc == e.vpc && m.private_ip == h.src && m.groups.contains(g))
                    || node_groups.contains(g)
            }
            Peer::PrefixList(p) => w[p].entries.iter().any(|entry| entry.cidr.contains(h.src)),
        };
        proto && peer
    })
}

fn eni_of(w: &World, id: &str) -> EniId {
    match w.find(id) {
        Some(Handle::Eni(e)) => e,
        other => panic!("{id} is not an interface: {other:?}"),
    }
}

/// S6: every interface the packet entered admitted it by an ingress rule, named on the path.
fn entries_were_allowed(w: &World, t: &Trace) -> Result<(), String> {
    let hops = &t.forward;
    for (i, hop) in hops.iter().enumerate().filter(|(_, h)| h.kind == K::NetworkInterface) {
        let first = !hops[..i].iter().any(|h| h.kind == K::NetworkInterface);
        // A leg starts after a target group (L7) or a masquerading NAT instance (G5).
        let leg_start = i > 0 && matches!(hops[i - 1].kind, K::TargetGroup | K::Instance);
        let eni = eni_of(w, &hop.id);
        if first || leg_start || w[eni].groups.is_empty() {
            continue;
        }
        let h = hop.inbound.ok_or("an interface hop without its header")?;
        let named = hops[i - 1].kind == K::SecurityGroup
            && matches!(&hops[i - 1].matched, Some(Matched::SecurityGroupRule { direction, .. }) if *direction == vpcsim::trace::Direction::Ingress);
        // L15: the load balancer node whose leg to a target begins at the interface before
        // this one (a leg from a node starts right after the target group).
        let node = hops[..i]
            .iter()
            .rposition(|h| h.kind == K::NetworkInterface)
            .filter(|&j| j > 0 && hops[j - 1].kind == K::TargetGroup)
            .map(|j| eni_of(w, &hops[j].id))
            .filter(|&n| matches!(w[n].owner, EniOwner::LoadBalancer(_)));
        if !named || !ingress_admits(w, eni, &h, node) {
            return Err(format!("{} entered {} without an allowing ingress rule", h, hop.id));
        }
    }
    Ok(())
}

/// P5, P7: an endpoint passed was available, entered in an AZ its service is in; E1, E4: a
/// gateway endpoint passed exists, serves the sender's own VPC and its list holds the destination.
fn endpoints_were_open(w: &World, t: &Trace) -> Result<(), String> {
    for (i, hop) in t.forward.iter().enumerate().filter(|(_, h)| h.kind == K::VpcEndpoint) {
        let ep = match w.find(&hop.id) {
            Some(Handle::Endpoint(ep)) => ep,
            Some(Handle::GatewayEndpoint(g)) => {
                let sender =
                    t.forward[..i].iter().find(|h| h.kind == K::NetworkInterface).ok_or("no sender")?;
                let h = hop.inbound.ok_or("a gateway endpoint hop without its header")?;
                let e = &w[g];
                if e.deleted || w[eni_of(w, &sender.id)].vpc != e.vpc || !w[e.prefix_list].contains(h.dst) {
                    return Err(format!("{h} went through gateway endpoint {} from {}", e.aws_id, sender.id));
                }
                continue;
            }
            _ => return Err(format!("{} is no endpoint", hop.id)),
        };
        let e = &w[ep];
        if e.state != EndpointState::Available {
            return Err(format!("went through {} while {}", e.aws_id, e.state.as_str()));
        }
        let entered =
            t.forward[..i].iter().rev().find(|h| h.kind == K::NetworkInterface).ok_or("no interface")?;
        let eni = eni_of(w, &entered.id);
        let az = w[w[eni].subnet].az;
        if w[eni].owner != EniOwner::Endpoint(ep) || !w.endpoint_service_azs(e.service).contains(&az) {
            return Err(format!("went through {} from {} in {az}", e.aws_id, entered.id));
        }
    }
    Ok(())
}

/// I1, I2: an internet gateway translates a source only to the sender's own public address,
/// and a destination only from a public address to its interface's private one.
fn gateways_translated_truly(w: &World, t: &Trace) -> Result<(), String> {
    // The hops of a path that got through (a blocked return's gateway may be what refused).
    let ret = if t.delivered.is_some() { t.ret.as_slice() } else { &[] };
    for hop in t.forward.iter().chain(ret).filter(|h| h.kind == K::InternetGateway) {
        let Some(Handle::Igw(g)) = w.find(&hop.id) else { return Err(format!("{} is no gateway", hop.id)) };
        let vpc = w[g].attached.ok_or("passed a detached gateway")?;
        let (Some(i), Some(o)) = (hop.inbound, hop.outbound) else {
            return Err(format!("passed {} without translation", hop.id));
        };
        let (private, public) = if i.src != o.src { (i.src, o.src) } else { (o.dst, i.dst) };
        let holder = w.eni_by_private_ip(vpc, private).ok_or_else(|| format!("{private} holds nothing"))?;
        if w.public_ip_of(holder) != Some(public) {
            return Err(format!("{} translated {private} <-> {public}, not its own public address", hop.id));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(192, "proptest-regressions/properties/nobody_gets_in.txt"))]

    /// Nobody gets in where they do not belong: allowing ingress rules at every interface
    /// entered (S6), endpoints only when available in their service's AZs (P5, P7), internet
    /// gateways only for interfaces with public addresses (I1, I2).
    #[test]
    fn nobody_gets_in_where_they_do_not_belong(case in strategies::mixed_case()) {
        for (eni, flow) in &case.flows {
            let t = case.world.trace(*eni, *flow);
            if t.delivered.is_none() && t.ret.is_empty() {
                continue;
            }
            let checks = entries_were_allowed(&case.world, &t)
                .and_then(|_| endpoints_were_open(&case.world, &t))
                .and_then(|_| gateways_translated_truly(&case.world, &t));
            prop_assert!(checks.is_ok(), "{} for {}\n{}", checks.unwrap_err(), flow.header, case);
        }
    }
}

/// A client on the internet (not an AWS range, not a host of the simulated internet).
const INTERNET_CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);

/// I1, I2, I3, S6, written apart from the walk: the interface holding public address `dst`
/// may be entered from the internet only if its VPC has a live attached internet gateway
/// and one of its groups (when it has any) admits `h`; answering needs, in addition, a route
/// of its subnet's table (explicit, else the VPC's main one) sending the client to that
/// gateway (longest match over the table's routes).
fn internet_may_enter(w: &World, dst: Ipv4Addr, h: &Header, answered: bool) -> Result<(), String> {
    let holder = (0..w.enis().len() as u32)
        .map(EniId)
        .find(|e| !w[*e].deleted && w.public_ip_of(*e) == Some(dst))
        .ok_or_else(|| format!("{dst} is no interface's public address"))?;
    let e = &w[holder];
    let igw = w
        .igws()
        .values()
        .position(|g| !g.deleted && g.attached == Some(e.vpc))
        .ok_or_else(|| format!("{} has no internet gateway", e.aws_id))?;
    if !e.groups.is_empty() && !ingress_admits(w, holder, h, None) {
        return Err(format!("no ingress rule of {} admits {h}", e.aws_id));
    }
    if answered {
        return routes_back_to(w, e.subnet, h.src, igw);
    }
    Ok(())
}

/// R1, R3, G5: the answer to `client` leaves `subnet` by its table's longest match, through
/// appliances (instances or their interfaces, whose subnets' tables route it on) and must end
/// at internet gateway `igw`.
fn routes_back_to(w: &World, mut subnet: SubnetId, client: Ipv4Addr, igw: usize) -> Result<(), String> {
    for _ in 0..8 {
        let s = &w[subnet];
        let table = s.route_table.unwrap_or(w[s.vpc].main_route_table);
        let route = longest_match(w[table].routes.as_slice(), client);
        let appliance = match route.map(|r| &r.target) {
            Some(RouteTarget::Igw(g)) if g.index() == igw => return Ok(()),
            Some(RouteTarget::Instance(i)) => w[i].eni,
            Some(RouteTarget::Eni(e)) => *e,
            _ => return Err(format!("answered, but {} routes {client} to {route:?}", w[table].aws_id)),
        };
        subnet = w[appliance].subnet;
    }
    Err(format!("answered, but the way back to {client} passes more than eight appliances"))
}

proptest! {
    #![proptest_config(config(96, "proptest-regressions/properties/nobody_gets_in_from_the_internet.txt"))]

    /// Nobody gets in from the internet either: a flow from a client on the internet to any
    /// address of the world (every private and public address, load balancer nodes and NAT
    /// gateways included, on the web and SSH ports) gets the reference model's verdict,
    /// explanation and paths (I1-I3, I6, G2, L8), is delivered only to a public address whose
    /// interface has a gateway and open rules, and answered only when its subnet routes back
    /// to that gateway (I1, I2, I3, S6); private addresses are never reached from outside.
    #[test]
    fn nobody_gets_in_from_the_internet_unless_made_public(case in strategies::mixed_case()) {
        let w = &case.world;
        let mut targets: Vec<(Ipv4Addr, bool)> = Vec::new();
        for (i, e) in w.enis().values().enumerate().filter(|(_, e)| !e.deleted) {
            targets.push((e.private_ip, false));
            targets.extend(w.public_ip_of(EniId(i as u32)).map(|p| (p, true)));
        }
        for (dst, public) in targets {
            for dst_port in [80, 443, 22] {
                let header = Header {
                    src: INTERNET_CLIENT,
                    dst,
                    protocol: vpcsim::addr::Protocol::Tcp,
                    src_port: 40000,
                    dst_port,
                };
                let flow = Flow { header, seq: 0 };
                if let Err(diff) = check_flow_from_internet(w, flow) {
                    prop_assert!(false, "{diff}\n{case}");
                }
                let t = w.trace_from_internet(flow);
                if t.delivered.is_none() {
                    continue;
                }
                let answered = t.explanation.is_none();
                let check = if public {
                    internet_may_enter(w, dst, &header, answered)
                } else {
                    Err(format!("private address {dst} reached from the internet"))
                };
                prop_assert!(check.is_ok(), "{} for {}\n{}", check.unwrap_err(), header, case);
            }
        }
    }
}

/// L2, L6: the addresses an NLB's name should answer, computed from the health of its targets.
fn expected_lb_answer(w: &World, lb: LbId) -> Vec<Ipv4Addr> {
    let l = &w[lb];
    // L13: every group that keeps to its zones takes out the zones where it has no healthy target.
    let mut zones: Vec<&str> = l.nodes.iter().map(|n| n.az).collect();
    for x in l.listeners.iter().map(|x| &w[x]).filter(|x| !x.deleted) {
        let Some(group) = x.target_group.map(|tg| &w[tg]) else { continue };
        let mut healthy_azs = Vec::new();
        for t in group.targets.iter().filter(|t| t.state == HealthState::Healthy) {
            // The target's AZ: its instance's subnet's, or that of the subnet of the group's VPC holding the address.
            let subnet = match t.target {
                TargetRef::Instance(i) => {
                    let e = &w[w[i].eni];
                    (!e.deleted).then_some(e.subnet)
                }
                TargetRef::Ip(ip) => w.subnets().ids().find(|s| {
                    let s = &w[s];
                    s.vpc == group.vpc && s.cidr.contains(ip)
                }),
            };
            healthy_azs.extend(subnet.map(|s| w[s].az));
        }
        // L12: the group's own cross-zone attribute, else the load balancer's.
        let crosses = match group.cross_zone {
            CrossZone::On => true,
            CrossZone::Off => false,
            CrossZone::UseLoadBalancer => l.cross_zone,
        };
        // L6: a group with no healthy target anywhere fails open and takes no zone out.
        if !crosses && !healthy_azs.is_empty() {
            zones.retain(|z| healthy_azs.contains(z));
        }
    }
    let with_healthy: Vec<_> = l.nodes.iter().filter(|n| zones.contains(&n.az)).collect();
    let nodes = if with_healthy.is_empty() { l.nodes.iter().collect() } else { with_healthy };
    nodes
        .into_iter()
        .map(|n| match l.scheme {
            Scheme::InternetFacing => {
                w.public_ip_of(n.eni).expect("internet-facing nodes have public addresses")
            }
            Scheme::Internal => w[n.eni].private_ip,
        })
        .collect()
}

/// P13: what an AWS service's public name answers from `view`: inside a VPC holding a live
/// interface endpoint to it with private DNS on (the first such), that endpoint's addresses;
/// elsewhere, and for S3 (whose VPC traffic keeps the public answer), the public address.
fn expected_aws_service_answer(w: &World, service: &str, view: View) -> (Vec<Ipv4Addr>, &'static str) {
    let service_name = format!("com.amazonaws.{}.{service}", w.region().name);
    let endpoint = w.endpoints().values().find(|e| {
        View::Vpc(e.vpc) == view
            && service != "s3"
            && e.private_dns_enabled
            && !matches!(e.state, EndpointState::Deleting | EndpointState::Deleted)
            && w.endpoint_service_name(e.service) == service_name
    });
    match endpoint {
        Some(e) => (e.enis.iter().map(|x| w[x].private_ip).collect(), "private DNS of its endpoint"),
        None if service == "s3" => (w.region().gateway_service_addr("s3").into_iter().collect(), "public S3"),
        None => (vec![w.region().service_addr()], "public"),
    }
}

fn dashed(ip: Ipv4Addr) -> String {
    ip.to_string().replace('.', "-")
}

/// D3, D2: what an instance's private name and (if it has a public address) public name answer
/// from `view`: the private name inside a VPC where that address is held; the public name,
/// with DNS hostnames on, the private address inside its VPC and the public one elsewhere.
fn instance_answers(w: &World, e: &NetworkInterface, view: View) -> (Vec<Ipv4Addr>, Vec<Ipv4Addr>) {
    let held = |u: VpcId| w.enis().values().any(|m| !m.deleted && m.vpc == u && m.private_ip == e.private_ip);
    let private = match view {
        View::Vpc(u) if held(u) => vec![e.private_ip],
        _ => Vec::new(),
    };
    let eni = w.eni_by_private_ip(e.vpc, e.private_ip).expect("a live interface");
    let public = match w.public_ip_of(eni) {
        Some(_) if !w[e.vpc].dns_hostnames => Vec::new(),
        Some(_) if view == View::Vpc(e.vpc) => vec![e.private_ip],
        Some(p) => vec![p],
        None => Vec::new(),
    };
    (private, public)
}

proptest! {
    #![proptest_config(config(192, "proptest-regressions/properties/dns.txt"))]

    /// P6: an endpoint's names answer addresses of its own subnets (the zonal name, that AZ's);
    /// L2, L6, L12, L13: an NLB's name answers one address per AZ where every group that keeps to
    /// its zones has a healthy target, or all when none is left;
    /// D2, D3: instance names answer the private address inside, the public one elsewhere.
    #[test]
    fn dns_answers_lie_where_they_belong(case in strategies::mixed_case()) {
        let w = &case.world;
        let views: Vec<View> = w.vpcs().ids().map(View::Vpc).chain([View::Public]).collect();
        for (e, ep) in w.endpoints().values().enumerate() {
            if matches!(ep.state, EndpointState::Deleting | EndpointState::Deleted) {
                continue;
            }
            let names = w.endpoint_dns_names(EndpointId(e as u32));
            for (k, name) in names.iter().enumerate() {
                let subnets: Vec<_> = if k == 0 { ep.subnets.clone() } else { vec![ep.subnets[k - 1]] };
                for view in &views {
                    let answer = w.resolve(*view, name);
                    prop_assert_eq!(answer.addrs.len(), subnets.len(), "{} from {:?}\n{}", name, view, case);
                    for a in &answer.addrs {
                        prop_assert!(subnets.iter().any(|s| w[s].cidr.contains(*a)), "{name} answers {a} outside its subnets\n{case}");
                    }
                }
            }
        }
        for service in strategies::AWS_SERVICES {
            let name = format!("{service}.{}.amazonaws.com", w.region().name);
            for view in &views {
                let (want, why) = expected_aws_service_answer(w, service, *view);
                prop_assert_eq!(w.resolve(*view, &name).addrs, want, "{} from {:?} ({})\n{}", name, view, why, case);
            }
        }
        for e in w.instances().values().filter(|i| i.state == InstanceState::Running).map(|i| &w[i.eni]) {
            for view in &views {
                let (private, public) = instance_answers(w, e, *view);
                let name = format!("ip-{}.{}", dashed(e.private_ip), w.region().internal_suffix());
                prop_assert_eq!(w.resolve(*view, &name).addrs, private, "{} from {:?}\n{}", name, view, case);
                if let Some(p) = w.public_ip_of(w.eni_by_private_ip(e.vpc, e.private_ip).expect("live")) {
                    let name = format!("ec2-{}.{}", dashed(p), w.region().public_suffix());
                    prop_assert_eq!(w.resolve(*view, &name).addrs, public, "{} from {:?}\n{}", name, view, case);
                }
            }
        }
        for (l, lb) in w.lbs().values().enumerate().filter(|(_, l)| !l.deleted) {
            let want = expected_lb_answer(w, LbId(l as u32));
            for view in &views {
                prop_assert_eq!(&w.resolve(*view, &lb.dns_name).addrs, &want, "{} from {:?}\n{}", lb.dns_name, view, case);
            }
        }
    }
}

/// Everything observable about a case: its summary, every flow's trace, every name's answers.
fn observe(case: &Case) -> String {
    let mut out = case.to_string();
    for (eni, flow) in &case.flows {
        out.push_str(&serde_json::to_string(&case.world.trace(*eni, *flow)).expect("traces serialise"));
    }
    for lb in case.world.lbs().values() {
        out.push_str(&format!("{:?}", case.world.resolve(View::Public, &lb.dns_name)));
    }
    out
}

proptest! {
    #![proptest_config(config(32, "proptest-regressions/properties/same_seed.txt"))]

    /// A5: the same topology and seed give the same world, traces and answers.
    #[test]
    fn the_same_seed_gives_the_same_result(topology in strategies::topology(), flows in prop::collection::vec(strategies::flow(), 1..6)) {
        let a = Case::new(topology.clone(), flows.clone());
        let b = Case::new(topology, flows);
        prop_assert_eq!(observe(&a), observe(&b));
    }
}

/// The generators are worth running: over a fixed run of cases they reach every kind of path,
/// most explanation codes, every endpoint state and the target health states.
#[test]
fn the_generators_reach_every_kind_of_path_state_and_code() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeSet;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut seen, mut states) = (BTreeSet::new(), BTreeSet::new());
    for _ in 0..300 {
        let case = strategies::mixed_case().new_tree(&mut runner).expect("a case").current();
        let w = &case.world;
        states.extend(w.endpoints().values().map(|e| e.state.as_str()));
        let aws_private_dns = |e: &&vpcsim::model::vpc_endpoint::VpcEndpoint| {
            matches!(e.service, vpcsim::model::vpc_endpoint::ServiceRef::Aws(_))
                && e.private_dns_enabled
                && e.state == EndpointState::Available
        };
        if w.endpoints().values().any(|e| aws_private_dns(&e)) {
            states.insert("an AWS service's endpoint with private DNS, available");
        }
        states.extend(w.target_groups().values().flat_map(|g| &g.targets).map(|t| t.state.as_str()));
        for public in (0..w.enis().len() as u32).filter_map(|e| w.public_ip_of(EniId(e))) {
            let header = Header {
                src: INTERNET_CLIENT,
                dst: public,
                protocol: vpcsim::addr::Protocol::Tcp,
                src_port: 40000,
                dst_port: 80,
            };
            let t = w.trace_from_internet(Flow { header, seq: 0 });
            match (&t.delivered, &t.explanation) {
                (Some(_), None) => drop(seen.insert("answered from the internet".to_string())),
                (None, Some(e)) => drop(seen.insert(format!("from the internet: {}", e.code))),
                _ => {}
            }
        }
        for (eni, flow) in &case.flows {
            let (t, outcome) = w.trace_outcome(*eni, *flow);
            if stopped_short_of_a_peers_gateway_endpoint(w, *eni, &t) {
                seen.insert(
                    "E4: a peer's gateway endpoint carries nothing from across the peering".to_string(),
                );
            }
            if routed_around_a_gateway_endpoint(w, *eni, &t) {
                seen.insert("s3 routed around its gateway endpoint by a longer route".to_string());
            }
            match &t.explanation {
                Some(e) if t.ret.is_empty() => drop(seen.insert(e.code.to_string())),
                Some(_) => drop(seen.insert("blocked on return".into())),
                None => {
                    let kinds = [K::LoadBalancer, K::VpcEndpoint, K::InternetGateway, K::NatGateway];
                    seen.extend(
                        kinds.into_iter().filter(|k| t.passes(*k)).map(|k| format!("delivered via {k}")),
                    );
                    seen.extend(delivered_kinds(w, &t, outcome));
                }
            }
        }
    }
    let want_seen = [
        "delivered via load-balancer",
        "delivered via vpc-endpoint",
        "delivered via internet-gateway",
        "delivered via nat-gateway",
        "answered from the internet",
        "from the internet: ENI_SG_RULES_MISMATCH",
        "from the internet: NAT_GATEWAY_NO_INBOUND",
        "from the internet: IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
        "blocked on return",
        "NO_ROUTE_TO_DESTINATION",
        "BAD_STATE_ROUTE",
        "ENI_SG_RULES_MISMATCH",
        "SG_HAS_NO_RULES",
        "SUBNET_ACL_RESTRICTION",
        "ENI_SOURCE_DEST_CHECK_RESTRICTION",
        "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS",
        "ELBV2_LISTENER_PORT_RESTRICTION",
        "BAD_STATE",
        "UNKNOWN_DESTINATION",
        "PROTOCOL_RESTRICTION",
        "ROUTING_LOOP",
        // G5
        "delivered via a masquerading NAT instance",
        "delivered to the internet from a NAT instance's public address",
        "IP_FORWARDING_DISABLED",
        // E1-E4, P13
        "delivered via a gateway endpoint to s3",
        "delivered via a gateway endpoint to dynamodb",
        "s3 routed around its gateway endpoint by a longer route",
        "delivered to an AWS service at its interface endpoint",
        "PEERING_EDGE_TO_EDGE",
        "PEERING_NOT_TRANSITIVE",
        "E4: a peer's gateway endpoint carries nothing from across the peering",
        // E2
        "ENDPOINT_POLICY_DENIES",
    ];
    let missing: Vec<_> = want_seen.iter().filter(|s| !seen.contains(**s)).collect();
    assert!(missing.is_empty(), "never seen: {missing:?}; seen: {seen:?}");
    let want_states = [
        "pendingAcceptance",
        "pending",
        "available",
        "rejected",
        "deleting",
        "deleted",
        "initial",
        "healthy",
        "unhealthy",
        "an AWS service's endpoint with private DNS, available",
    ];
    let missing: Vec<_> = want_states.iter().filter(|s| !states.contains(**s)).collect();
    assert!(missing.is_empty(), "never seen: {missing:?}; seen: {states:?}");
}

/// What kinds of delivered path `t` shows, for the coverage test: G5 masquerade,
/// E1 gateway endpoints used or passed by a longer route, P13 AWS services.
fn delivered_kinds(w: &World, t: &Trace, outcome: Outcome) -> Vec<String> {
    let mut kinds = Vec::new();
    let masquerades = t.forward.iter().any(|h| h.kind == K::Instance && h.outbound.is_some());
    if masquerades {
        kinds.push("delivered via a masquerading NAT instance".to_string());
        let nat_public = t.forward.iter().any(|h| {
            h.kind == K::InternetGateway
                && h.inbound.zip(h.outbound).is_some_and(|(i, o)| i.src != t.flow.src && o.src != i.src)
        });
        if nat_public {
            kinds.push("delivered to the internet from a NAT instance's public address".to_string());
        }
    }
    for hop in t.forward.iter().filter(|h| h.kind == K::VpcEndpoint) {
        if let Some(Handle::GatewayEndpoint(g)) = w.find(&hop.id) {
            let service = w[g].service_name.rsplit('.').next().unwrap_or_default();
            kinds.push(format!("delivered via a gateway endpoint to {service}"));
        }
    }
    if let Outcome::Delivered { to: vpcsim::forward::Destination::AwsService(_), .. } = outcome {
        kinds.push("delivered to an AWS service at its interface endpoint".to_string());
    }
    kinds
}

/// E4, V2: whether `t` stopped at a peering connection, edge to edge, on its way to an address
/// that the peer VPC's main table sends to a gateway endpoint.
fn stopped_short_of_a_peers_gateway_endpoint(w: &World, eni: EniId, t: &Trace) -> bool {
    let Some(e) = t.explanation.as_ref().filter(|e| e.code == C::PeeringEdgeToEdge) else { return false };
    let Some(Handle::Peering(p)) = w.find(&e.component_id) else { return false };
    let Some(peer) = w[p].peer_of(w[eni].vpc) else { return false };
    let table = &w[w[peer].main_route_table];
    matches!(
        longest_match(table.routes.as_slice(), t.flow.dst).map(|r| &r.target),
        Some(RouteTarget::GatewayEndpoint(_))
    )
}

/// E1: whether `t` took the source's route table to S3's address, which a gateway endpoint's
/// route of that table covers, and went elsewhere (a longer route won).
fn routed_around_a_gateway_endpoint(w: &World, eni: EniId, t: &Trace) -> bool {
    let table = w.route_table_of(w[eni].subnet);
    let listed = w[table]
        .routes
        .iter()
        .any(|r| matches!(r.target, RouteTarget::GatewayEndpoint(_)) && r.destination.contains(t.flow.dst));
    w.region().gateway_service_addr("s3") == Some(t.flow.dst)
        && listed
        && t.forward.iter().any(|h| h.kind == K::RouteTable && h.id.as_str() == w[table].aws_id)
        && !t.passes(K::VpcEndpoint)
}

/// L4, L6 (found by the reference model): a terminated target is not chosen, even with
/// cross-zone on, and its stale `healthy` does not make the node blame other AZs.
#[test]
fn a_terminated_target_is_never_chosen() {
    let mut lab = vpcsim::lab::Lab::ready(vpcsim::lab::LabOptions::default()).unwrap();
    let w = &mut lab.world;
    w.terminate_instance(lab.web1);
    let from = w[lab.my_ec2].eni;
    let node = w[lab.nlb].nodes[0].eni;
    let header = Header {
        src: w[from].private_ip,
        dst: w.public_ip_of(node).expect("an internet-facing node"),
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    };
    for cross_zone in [false, true] {
        w.modify_load_balancer_cross_zone(lab.nlb, cross_zone);
        for seq in 0..16 {
            match w.verdict(from, Flow { header, seq }) {
                Outcome::Delivered { to, .. } => {
                    assert_eq!(to, vpcsim::forward::Destination::Instance(lab.web2), "seq {seq}")
                }
                Outcome::Blocked(b) => panic!("cross-zone {cross_zone}, seq {seq}: {}", b.code),
            }
        }
    }
    w.terminate_instance(lab.web2);
    assert_eq!(w.verdict(from, Flow { header, seq: 0 }).code(), Some(C::Elbv2NoTargetsInAz));
}

/// S5, I6, L9 (found writing the reference model): over PrivateLink, an NLB's
/// group that references a group of its own VPC does not admit a consumer in another VPC
/// that happens to hold the same private address as a member.
#[test]
fn a_group_reference_does_not_admit_a_consumer_of_another_vpc_with_a_members_address() {
    use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
    use vpcsim::ops::privatelink::CreateVpcEndpoint;
    use vpcsim::ops::security::Permission;
    let mut w = World::in_region("ap-northeast-2", 3).unwrap();
    let block: Cidr = "10.0.0.0/16".parse().unwrap();
    let sn: Cidr = "10.0.0.0/24".parse().unwrap();
    let vpc_and_subnet = |w: &mut World| {
        let vpc = w.create_vpc(CreateVpc { cidr: Some(block), ..Default::default() }).unwrap();
        let s =
            w.create_subnet(CreateSubnet { vpc: Some(vpc), cidr: Some(sn), ..Default::default() }).unwrap();
        (vpc, s)
    };
    let (provider, p_subnet) = vpc_and_subnet(&mut w);
    let (consumer, c_subnet) = vpc_and_subnet(&mut w);
    let same = Ipv4Addr::new(10, 0, 0, 10);
    let members = w.create_security_group(provider, "members", "members", Tags::new()).unwrap();
    let nlb_sg = w.create_security_group(provider, "nlb", "nlb", Tags::new()).unwrap();
    let from_members = Permission {
        protocol: RuleProtocol::All,
        ports: vpcsim::addr::PortRange::ALL,
        peer: Peer::Group(members),
        description: None,
    };
    w.authorize_security_group(nlb_sg, vpcsim::trace::Direction::Ingress, &[from_members]).unwrap();
    let run = |w: &mut World, subnet, groups| {
        w.run_instance(RunInstance {
            subnet: Some(subnet),
            groups,
            private_ip: Some(same),
            ..Default::default()
        })
        .unwrap()
    };
    let member = run(&mut w, p_subnet, vec![members]);
    let client = run(&mut w, c_subnet, Vec::new());
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: "tg".into(),
            protocol: vpcsim::model::nlb::ListenerProtocol::Tcp,
            port: 80,
            vpc: provider,
            target_type: vpcsim::model::nlb::TargetType::Instance,
            health_check: Default::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })
        .unwrap();
    w.register_targets(tg, &[TargetSpec { target: TargetRef::Instance(member), port: None }]).unwrap();
    let nlb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "nlb".into(),
            subnets: vec![p_subnet],
            internal: true,
            security_groups: vec![nlb_sg],
            ..Default::default()
        })
        .unwrap();
    w.create_listener(nlb, vpcsim::model::nlb::ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    let svc = w.create_vpc_endpoint_service_configuration(&[nlb], false, None, Tags::new()).unwrap();
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(consumer),
            service_name: w[svc].service_name.clone(),
            subnets: vec![c_subnet],
            ..Default::default()
        })
        .unwrap();
    w.advance(std::time::Duration::from_secs(150));
    let eni = w[client].eni;
    let dst = w[w[ep].enis[0]].private_ip;
    let header =
        Header { src: same, dst, protocol: vpcsim::addr::Protocol::Tcp, src_port: 40000, dst_port: 80 };
    let flow = Flow { header, seq: 0 };
    let outcome = w.verdict(eni, flow);
    assert_eq!(
        outcome.code(),
        Some(C::EniSgRulesMismatch),
        "{}",
        vpcsim::testing::render(&w.trace(eni, flow))
    );
    assert!(check_flow(&w, eni, flow).is_ok(), "{}", check_flow(&w, eni, flow).unwrap_err());
}

/// L4, L6 (found by the reference model): an ip target's AZ is that of the subnet of its
/// group's VPC, even when another VPC on the same block has a subnet holding its address.
#[test]
fn an_ip_target_is_placed_in_the_az_of_its_own_vpc() {
    use vpcsim::model::nlb::{ListenerProtocol, TargetType};
    use vpcsim::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
    let mut w = World::in_region("ap-northeast-2", 5).unwrap();
    let block: Cidr = "10.1.0.0/16".parse().unwrap();
    let subnet = |w: &mut World, vpc, cidr: &str, az: &str| {
        let cidr = Some(cidr.parse().unwrap());
        w.create_subnet(CreateSubnet { vpc: Some(vpc), cidr, az: Some(az.into()), ..Default::default() })
            .unwrap()
    };
    let other = w.create_vpc(CreateVpc { cidr: Some(block), ..Default::default() }).unwrap();
    subnet(&mut w, other, "10.1.1.0/24", "ap-northeast-2a");
    let vpc = w.create_vpc(CreateVpc { cidr: Some(block), ..Default::default() }).unwrap();
    let near = subnet(&mut w, vpc, "10.1.0.0/24", "ap-northeast-2a");
    let far = subnet(&mut w, vpc, "10.1.1.0/24", "ap-northeast-2b");
    let client = w.run_instance(RunInstance { subnet: Some(near), ..Default::default() }).unwrap();
    let target = w.run_instance(RunInstance { subnet: Some(far), ..Default::default() }).unwrap();
    let target_ip = w[w[target].eni].private_ip;
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: "tg".into(),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc,
            target_type: TargetType::Ip,
            health_check: Default::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })
        .unwrap();
    w.register_targets(tg, &[TargetSpec { target: TargetRef::Ip(target_ip), port: None }]).unwrap();
    let lb =
        CreateLoadBalancer { name: "nlb".into(), subnets: vec![near], internal: true, ..Default::default() };
    let nlb = w.create_load_balancer(lb).unwrap();
    w.create_listener(nlb, ListenerProtocol::Tcp, 80, Some(tg)).unwrap();
    assert_eq!(w.target_address(vpc, TargetRef::Ip(target_ip)).map(|(_, az)| az), Some("ap-northeast-2b"));
    let eni = w[client].eni;
    let node = w[nlb].nodes[0].eni;
    let header = Header {
        src: w[eni].private_ip,
        dst: w[node].private_ip,
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    };
    let flow = Flow { header, seq: 0 };
    // Cross-zone off: the node in 2a has no target in its AZ.
    assert_eq!(w.verdict(eni, flow).code(), Some(C::Elbv2NoTargetsInAz));
    assert!(check_flow(&w, eni, flow).is_ok(), "{}", check_flow(&w, eni, flow).unwrap_err());
}
