//! The reachability matrix (`vpcsim::analyzer`): computed over classes, it says for
//! every cell what the walk says for that one source, destination and probe.
//!
//! Case counts are sized for the debug build; a soak run:
//! `PROPTEST_CASES=2000 cargo test --test reach`.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use vpcsim::analyzer::cell;
use vpcsim::analyzer::group::Grouped;
use vpcsim::analyzer::{egress, select, Matrix, Verdict, DEFAULT_PROBES};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::testing::strategies;
use vpcsim::world::World;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

/// The reach benchmark's generated region.
#[path = "../benches/common/region.rs"]
#[allow(dead_code)]
mod region;

fn full_matrix(w: &World) -> Matrix {
    Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

/// Every cell of `m` against the cell walked on its own; the first difference.
fn first_difference(w: &World, m: &Matrix) -> Option<String> {
    for (si, s) in m.sources.iter().enumerate() {
        for (ti, t) in m.targets.iter().enumerate() {
            for (pi, p) in m.probes.iter().enumerate() {
                let alone = cell::evaluate(w, *s, *t, *p).verdict;
                let read = m.verdict(si, ti, pi);
                if alone != read {
                    return Some(format!(
                        "{} -> {} {p}: matrix {read:?}, walk {alone:?}",
                        select::source_label(w, *s),
                        select::target_label(w, *t)
                    ));
                }
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn the_matrix_over_classes_equals_every_cell_walked_alone(case in strategies::mixed_case()) {
        // The internet's representative host among the destinations, as scope analyses ask.
        let w = &case.world;
        let m = Matrix::compute(w, select::sources(w, &[]), egress::targets(w, &[]), DEFAULT_PROBES.to_vec());
        if let Some(diff) = first_difference(&case.world, &m) {
            prop_assert!(false, "{diff}\n{case}");
        }
    }

    #[test]
    fn grouped_rows_and_columns_keep_every_cell(case in strategies::mixed_case()) {
        let m = full_matrix(&case.world);
        let g = Grouped::of(&m);
        for (r, row) in g.rows.iter().enumerate() {
            for (c, col) in g.columns.iter().enumerate() {
                for p in 0..m.probes.len() {
                    for &s in row {
                        for &t in col {
                            prop_assert_eq!(g.verdict(r, c, p), m.verdict(s, t, p));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn the_seed_lab_matrix_reaches_the_web_servers_through_the_endpoint_on_port_80() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let m = full_matrix(w);
    let my_ec2 = m.sources.iter().position(|s| select::source_label(w, *s) == "My-EC2").unwrap();
    let endpoint = m.targets.iter().position(|t| *t == vpcsim::analyzer::Target::Endpoint(ep)).unwrap();
    let port_80 = m.probes.iter().position(|p| p.port == 80).unwrap();
    let port_22 = m.probes.iter().position(|p| p.port == 22).unwrap();
    assert_eq!(m.verdict(my_ec2, endpoint, port_80), Verdict::Reachable);
    assert!(!m.verdict(my_ec2, endpoint, port_22).is_reachable());
    assert_eq!(first_difference(w, &m), None);
}

mod scopes {
    use std::collections::BTreeSet;

    use proptest::prelude::*;
    use proptest::sample::Index;

    use vpcsim::addr::{PortRange, Protocol};
    use vpcsim::analyzer::access::{self, End};
    use vpcsim::analyzer::cell;
    use vpcsim::analyzer::scope::{
        Headers, PathMatch, PrefixListBlocks, ResourceType, Resources, Scope, RESOURCE_TYPES,
    };
    use vpcsim::analyzer::{egress, Matrix, Source, Target};
    use vpcsim::testing::{strategies, Case};
    use vpcsim::world::{Handle, World};

    /// A statement drawn as indexes, resolved against a world's ids when the world exists.
    #[derive(Clone, Debug)]
    struct Drawn {
        source: (Option<Index>, Option<Index>),
        destination: (Option<Index>, Option<Index>),
        through: Option<(Option<Index>, Option<Index>)>,
        port: Option<u16>,
        protocol: Option<bool>,
        block: Option<Index>,
        /// A prefix list (the world's, or one of subnet blocks), on the source side or not.
        list: Option<(Index, bool)>,
    }

    fn resources_drawn() -> impl Strategy<Value = (Option<Index>, Option<Index>)> {
        (proptest::option::weighted(0.4, any::<Index>()), proptest::option::weighted(0.4, any::<Index>()))
    }

    fn drawn() -> impl Strategy<Value = Drawn> {
        (
            resources_drawn(),
            resources_drawn(),
            proptest::option::weighted(0.3, resources_drawn()),
            proptest::option::weighted(0.4, prop::sample::select(vec![22u16, 80, 443, 53, 8])),
            proptest::option::weighted(0.3, any::<bool>()),
            proptest::option::weighted(0.2, any::<Index>()),
            proptest::option::weighted(0.3, (any::<Index>(), any::<bool>())),
        )
            .prop_map(|(source, destination, through, port, protocol, block, list)| Drawn {
                source,
                destination,
                through,
                port,
                protocol,
                block,
                list,
            })
    }

    /// Every id a scope could name in `w`.
    fn ids(w: &World) -> Vec<String> {
        let handles = w
            .vpcs()
            .ids()
            .map(Handle::Vpc)
            .chain(w.subnets().ids().map(Handle::Subnet))
            .chain(w.sgs().ids().map(Handle::Sg))
            .chain(w.instances().ids().map(Handle::Instance))
            .chain(w.igws().ids().map(Handle::Igw))
            .chain(w.enis().ids().map(Handle::Eni))
            .chain(w.lbs().ids().map(Handle::Lb))
            .chain(w.endpoints().ids().map(Handle::Endpoint));
        handles.map(|h| w.aws_id(h).to_string()).collect()
    }

    fn resolve(w: &World, d: &Drawn) -> PathMatch {
        let ids = ids(w);
        let res = |(id, ty): &(Option<Index>, Option<Index>)| Resources {
            ids: id.iter().map(|i| i.get(&ids).clone()).collect(),
            types: ty.iter().map(|i| i.get(&RESOURCE_TYPES).1).collect::<Vec<ResourceType>>(),
        };
        // Subnets' blocks, and the internet's: all of it, and blocks around its hosts.
        let mut blocks: Vec<vpcsim::addr::Cidr> = w.subnets().values().map(|s| s.cidr).collect();
        let internet = ["0.0.0.0/0", "8.8.8.0/24", "1.0.0.0/8"];
        blocks.extend(internet.iter().map(|b| b.parse::<vpcsim::addr::Cidr>().expect("a block")));
        // AWS's lists (S3, DynamoDB) and one of the first subnets' blocks.
        let mut lists: Vec<PrefixListBlocks> = w
            .prefix_lists()
            .live()
            .map(|(_, p)| PrefixListBlocks { id: p.aws_id.clone(), blocks: p.cidrs().collect() })
            .collect();
        lists.push(PrefixListBlocks {
            id: "pl-drawn".into(),
            blocks: blocks.iter().take(2).copied().collect(),
        });
        let list = |source: bool| -> Vec<PrefixListBlocks> {
            d.list.iter().filter(|(_, s)| *s == source).map(|(i, _)| i.get(&lists).clone()).collect()
        };
        PathMatch {
            source: res(&d.source),
            destination: res(&d.destination),
            headers: Headers {
                destination_addresses: d.block.iter().map(|i| *i.get(&blocks)).collect(),
                destination_ports: d.port.iter().map(|p| PortRange { from: *p, to: *p }).collect(),
                protocols: d
                    .protocol
                    .iter()
                    .map(|t| if *t { Protocol::Tcp } else { Protocol::Udp })
                    .collect(),
                source_prefix_lists: list(true),
                destination_prefix_lists: list(false),
                ..Headers::default()
            },
            through: d.through.iter().map(res).collect(),
        }
    }

    /// Every (source, destination, probe) a scope finds, walking every cell on its own.
    fn brute_force(w: &World, m: &Matrix, scope: &Scope) -> BTreeSet<(usize, usize, usize)> {
        let mut out = BTreeSet::new();
        for (si, s) in m.sources.iter().enumerate() {
            let src: End = access::source_end(w, *s);
            for (ti, t) in m.targets.iter().enumerate() {
                // An instance's path to itself never leaves its interface, the internet's to
                // the internet passes no VPC, and a load balancer node opens no flow to the
                // internet: no finding.
                match (s, t) {
                    (Source::Instance(a), Target::Instance(b)) if a == b => continue,
                    (Source::Internet | Source::LbNode(..), Target::Internet(_)) => continue,
                    _ => {}
                }
                for (pi, p) in m.probes.iter().enumerate() {
                    let (v, trace) = cell::explain(w, *s, *t, *p);
                    let (true, Some(trace)) = (v.is_reachable(), trace) else { continue };
                    let dst = access::path_end(w, *t, &trace);
                    let entered =
                        if src.ids.is_empty() { access::entered_through(&trace) } else { Vec::new() };
                    let passed = access::passed(&trace, &src, &dst);
                    let hit = |k: &PathMatch| {
                        access::source_ok(k, &src, &entered)
                            && access::target_ok(k, &dst)
                            && access::probe_ok(k, *p)
                            && access::through_ok(k, &passed)
                    };
                    if scope.matches.iter().any(hit) && !scope.excludes.iter().any(hit) {
                        out.insert((si, ti, pi));
                    }
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(super::config(24))]

        #[test]
        fn findings_of_random_scopes_equal_a_brute_force_filter_over_every_path(
            case in strategies::mixed_case(),
            matches in prop::collection::vec(drawn(), 1..3),
            excludes in prop::collection::vec(drawn(), 0..2),
        ) {
            let w: &World = &case.world;
            let scope = Scope {
                matches: matches.iter().map(|d| resolve(w, d)).collect(),
                excludes: excludes.iter().map(|d| resolve(w, d)).collect(),
            };
            let (fast, slow) = fast_and_slow(w, &scope);
            prop_assert_eq!(fast, slow, "{}", Case::clone(&case));
        }

        #[test]
        fn findings_of_random_scopes_about_the_internet_and_nat_gateways_equal_a_brute_force_filter(
            case in prop_oneof![strategies::nat_case(), strategies::nat_instance_case(), strategies::mixed_case()],
            matches in prop::collection::vec((drawn(), egress_drawn()), 1..3),
            excludes in prop::collection::vec((drawn(), egress_drawn()), 0..2),
        ) {
            let w: &World = &case.world;
            let scope = Scope {
                matches: matches.iter().map(|(d, e)| egress(resolve(w, d), *e)).collect(),
                excludes: excludes.iter().map(|(d, e)| egress(resolve(w, d), *e)).collect(),
            };
            let (fast, slow) = fast_and_slow(w, &scope);
            prop_assert_eq!(fast, slow, "{}", Case::clone(&case));
        }
    }

    /// How a statement about paths out is drawn: its destination the internet gateway by
    /// type (else every address, `0.0.0.0/0`), and whether it must pass a NAT gateway.
    fn egress_drawn() -> impl Strategy<Value = (bool, bool)> {
        (any::<bool>(), any::<bool>())
    }

    /// A drawn statement turned into one about paths out (paths to the internet gateway or
    /// to any address, through a NAT gateway or not).
    fn egress(mut k: PathMatch, (by_type, through_nat): (bool, bool)) -> PathMatch {
        if by_type {
            k.destination = Resources { ids: Vec::new(), types: vec![ResourceType::InternetGateway] };
        } else {
            k.headers.destination_addresses = vec!["0.0.0.0/0".parse().expect("a block")];
        }
        if through_nat {
            k.through = vec![Resources { ids: Vec::new(), types: vec![ResourceType::NatGateway] }];
        }
        k
    }

    /// The findings of `scope` over `w`'s matrix (the internet among its destinations), and
    /// those of the brute-force filter.
    #[allow(clippy::type_complexity)]
    fn fast_and_slow(
        w: &World,
        scope: &Scope,
    ) -> (BTreeSet<(usize, usize, usize)>, BTreeSet<(usize, usize, usize)>) {
        let probes = vpcsim::analyzer::DEFAULT_PROBES.to_vec();
        let targets = egress::targets(w, std::slice::from_ref(scope));
        let m = Matrix::compute(w, vpcsim::analyzer::select::sources(w, &[]), targets, probes);
        let fast = access::findings(w, &m, scope)
            .iter()
            .flat_map(|f| {
                f.sources.iter().flat_map(move |&s| f.targets.iter().map(move |&t| (s, t, f.probe)))
            })
            .collect();
        (fast, brute_force(w, &m, scope))
    }
}

mod incremental {
    use proptest::prelude::*;
    use proptest::sample::Index;

    use vpcsim::addr::{Cidr, PortRange, RuleProtocol};
    use vpcsim::analyzer::update::Changes;
    use vpcsim::analyzer::{select, Matrix};
    use vpcsim::ids::EniId;
    use vpcsim::model::instance::InstanceState;
    use vpcsim::model::nat_instance::Forwarding;
    use vpcsim::model::nlb::TargetRef;
    use vpcsim::ops::elbv2::TargetSpec;
    use vpcsim::ops::security::{acl_entry, Permission};
    use vpcsim::ops::vpc::RouteTargetSpec;
    use vpcsim::testing::{strategies, Case};
    use vpcsim::trace::Direction;
    use vpcsim::world::{Handle, World};

    /// A change drawn as indexes, applied through the ops when the world exists.
    #[derive(Clone, Debug)]
    enum Edit {
        /// Authorize (or revoke) tcp `port` in a group, ingress or egress, from a block.
        Rule { sg: Index, ingress: bool, revoke: bool, port: u16, block: Index },
        /// Revoke a group's rule, whichever it is.
        RevokeAny { sg: Index, ingress: bool, rule: Index },
        /// Create (or delete) a route in a table to a gateway, peering or NAT gateway.
        Route { table: Index, block: Index, target: Index, delete: bool },
        /// Create (or delete) a NACL entry.
        AclEntry {
            nacl: Index,
            ingress: bool,
            number: u16,
            allow: bool,
            protocol: RuleProtocol,
            ports: PortRange,
            block: Index,
            delete: bool,
        },
        /// Register (or deregister) an instance in a target group.
        Target { group: Index, instance: Index, deregister: bool },
        /// Terminate an instance.
        Terminate(Index),
        /// Give an interface another set of groups.
        Groups { eni: Index, sg: Index },
        /// Turn an instance's IP forwarding on or off (G5).
        Forwarding { instance: Index, on: bool },
        /// Turn an interface's source/destination check on or off.
        SourceDestCheck { eni: Index, on: bool },
        /// Delete a NAT gateway.
        DeleteNat(Index),
        /// Delete a peering connection.
        DeletePeering(Index),
        /// Accept or reject an endpoint's connection.
        Connection { endpoint: Index, accept: bool },
        /// Let the virtual clock run (health checks, endpoint and NAT gateway states).
        Wait(u16),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let port = prop::sample::select(vec![22u16, 80, 443, 5432, 8080, 53]);
        prop_oneof![
            3 => (any::<Index>(), any::<bool>(), any::<bool>(), port, any::<Index>())
                .prop_map(|(sg, ingress, revoke, port, block)| Edit::Rule { sg, ingress, revoke, port, block }),
            1 => (any::<Index>(), any::<bool>(), any::<Index>())
                .prop_map(|(sg, ingress, rule)| Edit::RevokeAny { sg, ingress, rule }),
            3 => (any::<Index>(), any::<Index>(), any::<Index>(), any::<bool>())
                .prop_map(|(table, block, target, delete)| Edit::Route { table, block, target, delete }),
            2 => (any::<Index>(), any::<bool>(), 1u16..120, any::<bool>(), acl_protocol(), acl_ports(), any::<Index>(), any::<bool>())
                .prop_map(|(nacl, ingress, number, allow, protocol, ports, block, delete)| Edit::AclEntry {
                    nacl, ingress, number, allow, protocol, ports, block, delete
                }),
            2 => (any::<Index>(), any::<Index>(), any::<bool>())
                .prop_map(|(group, instance, deregister)| Edit::Target { group, instance, deregister }),
            1 => any::<Index>().prop_map(Edit::Terminate),
            1 => (any::<Index>(), any::<Index>()).prop_map(|(eni, sg)| Edit::Groups { eni, sg }),
            1 => (any::<Index>(), any::<bool>()).prop_map(|(instance, on)| Edit::Forwarding { instance, on }),
            1 => (any::<Index>(), any::<bool>()).prop_map(|(eni, on)| Edit::SourceDestCheck { eni, on }),
            1 => any::<Index>().prop_map(Edit::DeleteNat),
            1 => any::<Index>().prop_map(Edit::DeletePeering),
            1 => (any::<Index>(), any::<bool>()).prop_map(|(endpoint, accept)| Edit::Connection { endpoint, accept }),
            1 => (1u16..600).prop_map(Edit::Wait),
        ]
    }

    /// Protocols a NACL entry is drawn with, TCP the most often.
    fn acl_protocol() -> impl Strategy<Value = RuleProtocol> {
        use vpcsim::addr::Protocol;
        let one = RuleProtocol::One;
        prop::sample::select(vec![
            one(Protocol::Tcp),
            one(Protocol::Tcp),
            one(Protocol::Udp),
            one(Protocol::Icmp),
            RuleProtocol::All,
        ])
    }

    /// Ports a NACL entry is drawn with: the probes', the matrix's source port (32768), the
    /// ports a NAT gateway translates to (1024-65535, G1), and ranges around them.
    fn acl_ports() -> impl Strategy<Value = PortRange> {
        let range = |from, to| PortRange { from, to };
        prop::sample::select(vec![
            PortRange::single(22),
            PortRange::single(80),
            PortRange::single(443),
            PortRange::single(53),
            PortRange::single(8080),
            PortRange::single(32768),
            range(1024, 65535),
            range(30000, 40000),
            range(0, 1023),
            range(40000, 65535),
        ])
    }

    /// Blocks a change can name: anywhere, every VPC's and subnet's, one interface's
    /// address, and a block no rule named before.
    fn blocks(w: &World) -> Vec<Cidr> {
        let mut out = vec![Cidr::ANY, "10.99.0.0/16".parse().unwrap()];
        out.extend(w.vpcs().live().map(|(_, v)| v.cidr));
        out.extend(w.subnets().live().map(|(_, s)| s.cidr));
        out.extend(w.enis().values().take(4).map(|e| Cidr::new(e.private_ip, 32)));
        out
    }

    fn direction(ingress: bool) -> Direction {
        if ingress {
            Direction::Ingress
        } else {
            Direction::Egress
        }
    }

    /// Applies `e` to `w` (a refused call changes nothing) and names what it changed,
    /// before and after (a deletion is named while its resource is still there).
    fn apply(w: &mut World, e: &Edit) -> Changes {
        let mut changes = Changes::new();
        let blocks = blocks(w);
        match e {
            Edit::Rule { sg, ingress, revoke, port, block } => {
                let Some(sg) = pick(w.sgs().live().map(|(id, _)| id), sg) else { return changes };
                let perm = Permission::tcp(*port, *block.get(&blocks));
                changes.sg_rule(w, sg, direction(*ingress), perm.protocol, perm.ports);
                let _ = if *revoke {
                    w.revoke_security_group(sg, direction(*ingress), &[perm])
                } else {
                    w.authorize_security_group(sg, direction(*ingress), &[perm])
                };
            }
            Edit::RevokeAny { sg, ingress, rule } => {
                let Some(sg) = pick(w.sgs().live().map(|(id, _)| id), sg) else { return changes };
                let g = &w[sg];
                let rules = if *ingress { g.ingress.as_slice() } else { g.egress.as_slice() };
                if rules.is_empty() {
                    return changes;
                }
                let r = rule.get(rules);
                let perm = Permission {
                    protocol: r.protocol,
                    ports: r.ports,
                    peer: r.peer.clone(),
                    description: None,
                };
                changes.sg_rule(w, sg, direction(*ingress), perm.protocol, perm.ports);
                let _ = w.revoke_security_group(sg, direction(*ingress), &[perm]);
            }
            Edit::Route { table, block, target, delete } => {
                let Some(rt) = pick(w.route_tables().live().map(|(id, _)| id), table) else { return changes };
                let block = *block.get(&blocks);
                changes.route(w, rt, block);
                if *delete {
                    let _ = w.delete_route(rt, block);
                    return changes;
                }
                let vpc = w[rt].vpc;
                let mut targets: Vec<RouteTargetSpec> = w
                    .igws()
                    .values()
                    .filter(|g| g.attached == Some(vpc))
                    .map(|g| RouteTargetSpec::Gateway(g.aws_id.clone()))
                    .collect();
                targets.extend(
                    w.peerings().values().map(|p| RouteTargetSpec::VpcPeeringConnection(p.aws_id.clone())),
                );
                targets
                    .extend(w.nat_gateways().values().map(|n| RouteTargetSpec::NatGateway(n.aws_id.clone())));
                targets.extend(
                    w.instances()
                        .values()
                        .filter(|i| w[i.eni].vpc == vpc)
                        .map(|i| RouteTargetSpec::Instance(i.aws_id.clone())),
                );
                if !targets.is_empty() {
                    let _ = w.create_route(rt, block, target.get(&targets));
                }
            }
            Edit::AclEntry { nacl, ingress, number, allow, protocol, ports, block, delete } => {
                let Some(acl) = pick(w.nacls().live().map(|(id, _)| id), nacl) else { return changes };
                let dir = direction(*ingress);
                let _ = if *delete {
                    if let Some(old) = w[acl].entries(dir).iter().find(|x| x.number == *number) {
                        changes.acl_entry(w, acl, dir, old);
                    }
                    w.delete_network_acl_entry(acl, dir, *number)
                } else {
                    let entry = acl_entry(*number, *protocol, *ports, *block.get(&blocks), *allow);
                    changes.acl_entry(w, acl, dir, &entry);
                    w.create_network_acl_entry(acl, dir, entry)
                };
            }
            Edit::Target { group, instance, deregister } => {
                let Some(tg) = pick(w.target_groups().ids(), group) else { return changes };
                let Some(i) = pick(w.instances().ids(), instance) else { return changes };
                let spec = [TargetSpec { target: TargetRef::Instance(i), port: None }];
                let _ =
                    if *deregister { w.deregister_targets(tg, &spec) } else { w.register_targets(tg, &spec) };
                changes.resource(w, Handle::TargetGroup(tg));
            }
            Edit::Terminate(i) => {
                let running = w.instances().iter().filter(|(_, x)| x.state == InstanceState::Running);
                let Some(i) = pick(running.map(|(id, _)| id), i) else { return changes };
                changes.resource(w, Handle::Instance(i));
                w.terminate_instance(i);
                changes.resource(w, Handle::Instance(i));
            }
            Edit::Groups { eni, sg } => {
                let Some(eni) = pick::<EniId>(w.enis().ids().filter(|e| !w[*e].deleted), eni) else {
                    return changes;
                };
                let same_vpc = w.sgs().live().filter(|(_, g)| g.vpc == w[eni].vpc).map(|(id, _)| id);
                let Some(sg) = pick(same_vpc, sg) else { return changes };
                let _ = w.set_groups(eni, &[sg]);
                changes.resource(w, Handle::Eni(eni));
            }
            Edit::Forwarding { instance, on } => {
                let Some(i) = pick(w.instances().ids(), instance) else { return changes };
                let forwarding = Forwarding { ip_forward: *on, masquerade: Vec::new() };
                w.set_forwarding(i, forwarding);
                changes.resource(w, Handle::Instance(i));
            }
            Edit::SourceDestCheck { eni, on } => {
                let Some(eni) = pick::<EniId>(w.enis().ids().filter(|e| !w[*e].deleted), eni) else {
                    return changes;
                };
                w.set_source_dest_check(eni, *on);
                changes.resource(w, Handle::Eni(eni));
            }
            Edit::DeleteNat(n) => {
                let Some(n) = pick(w.nat_gateways().ids(), n) else { return changes };
                let _ = w.delete_nat_gateway(n);
                changes.resource(w, Handle::NatGateway(n));
            }
            Edit::DeletePeering(p) => {
                let Some(p) = pick(w.peerings().ids(), p) else { return changes };
                let _ = w.delete_vpc_peering_connection(p);
                changes.resource(w, Handle::Peering(p));
            }
            Edit::Connection { endpoint, accept } => {
                let Some(ep) = pick(w.endpoints().ids(), endpoint) else { return changes };
                let Some(svc) = w[ep].service.provider() else { return changes };
                let _ = if *accept {
                    w.accept_vpc_endpoint_connections(svc, &[ep])
                } else {
                    w.reject_vpc_endpoint_connections(svc, &[ep])
                };
                changes.resource(w, Handle::Endpoint(ep));
            }
            Edit::Wait(secs) => {
                w.advance(std::time::Duration::from_secs(u64::from(*secs)));
                changes = Changes::everything();
            }
        }
        changes
    }

    fn pick<T>(items: impl Iterator<Item = T>, at: &Index) -> Option<T> {
        let mut items: Vec<T> = items.collect();
        if items.is_empty() {
            return None;
        }
        let n = at.index(items.len());
        Some(items.swap_remove(n))
    }

    fn compute(w: &World) -> Matrix {
        Matrix::compute(
            w,
            select::sources(w, &[]),
            select::targets(w, &[]),
            vpcsim::analyzer::DEFAULT_PROBES.to_vec(),
        )
    }

    proptest! {
        #![proptest_config(super::config(32))]

        #[test]
        fn the_matrix_updated_after_random_changes_equals_a_full_recompute(
            case in strategies::mixed_case(),
            edits in prop::collection::vec(edit(), 1..4),
            watched in any::<bool>(),
        ) {
            let mut w = case.world.clone();
            let mut m = Matrix::compute_updatable(
                &w,
                select::sources(&w, &[]),
                select::targets(&w, &[]),
                vpcsim::analyzer::DEFAULT_PROBES.to_vec(),
            );
            for e in &edits {
                w.watch();
                let named = apply(&mut w, e);
                // The changes the ops noted themselves, or those the test named.
                let changes = if watched { Changes::watched(&w) } else { named };
                m.update(&w, select::sources(&w, &[]), select::targets(&w, &[]), &changes);
                let full = compute(&w);
                if let Some((s, t, p)) = m.first_difference(&full) {
                    prop_assert!(
                        false,
                        "after {e:?}: {} -> {} {}: updated {:?}, full {:?}\n{}",
                        select::source_label(&w, m.sources[s]),
                        select::target_label(&w, m.targets[t]),
                        m.probes[p],
                        m.verdict(s, t, p),
                        full.verdict(s, t, p),
                        Case::clone(&case)
                    );
                }
                prop_assert_eq!(
                    vpcsim::analyzer::json::matrix(&w, &m),
                    vpcsim::analyzer::json::matrix(&w, &full),
                    "same JSON after {:?}", e
                );
            }
        }

        #[test]
        fn the_matrix_brought_to_a_later_state_by_comparing_worlds_equals_a_full_recompute(
            case in strategies::mixed_case(),
            edits in prop::collection::vec(edit(), 1..4),
        ) {
            // The changes are not named by the edits: they are found by comparing the worlds.
            let before = case.world.clone();
            let mut after = before.clone();
            for e in &edits {
                apply(&mut after, e);
            }
            let m = compute(&before);
            let (brought, _) = vpcsim::analyzer::steps::matrix_after(&before, &m, &after, &[], &[]);
            let full = compute(&after);
            prop_assert_eq!(brought.first_difference(&full), None, "after {:?}\n{}", edits, Case::clone(&case));
            // And back again.
            let (back, _) = vpcsim::analyzer::steps::matrix_after(&after, &full, &before, &[], &[]);
            prop_assert_eq!(back.first_difference(&m), None, "undoing {:?}\n{}", edits, Case::clone(&case));
        }
    }
}

mod nacl_entries {
    //! A NACL entry change walks again only the cells whose walks evaluated that NACL, in
    //! that direction, for a packet the entry could decide (N1), counted on the reach
    //! benchmark's generated region (20 VPCs); what it walks is still exact.

    use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
    use vpcsim::analyzer::update::{Changes, Updated};
    use vpcsim::analyzer::{select, Matrix, Verdict, DEFAULT_PROBES};
    use vpcsim::ids::NaclId;
    use vpcsim::ops::security::acl_entry;
    use vpcsim::trace::Direction;
    use vpcsim::world::World;

    use super::region::{add_mixed_region, GenVpc};

    pub(super) fn updatable(w: &World) -> Matrix {
        Matrix::compute_updatable(
            w,
            select::sources(w, &[]),
            select::targets(w, &[]),
            DEFAULT_PROBES.to_vec(),
        )
    }

    pub(super) fn region() -> (World, Vec<GenVpc>) {
        let mut w = World::in_region("ap-northeast-2", 7).expect("known region");
        let vpcs = add_mixed_region(&mut w, 20);
        (w, vpcs)
    }

    fn nacl_of(w: &World, v: &GenVpc) -> NaclId {
        w.nacls().live().find(|(_, n)| n.vpc == v.vpc).map(|(id, _)| id).expect("a NACL")
    }

    /// Creates an ingress entry denying tcp `ports` for every address in `v`'s NACL, brings
    /// `m` up to date from the watched change and checks it against a full recompute.
    fn deny_ingress(w: &mut World, m: &mut Matrix, v: &GenVpc, number: u16, ports: PortRange) -> Updated {
        let acl = nacl_of(w, v);
        let entry = acl_entry(number, RuleProtocol::One(Protocol::Tcp), ports, Cidr::ANY, false);
        w.watch();
        w.create_network_acl_entry(acl, Direction::Ingress, entry).expect("the entry is created");
        let u = m.update(w, select::sources(w, &[]), select::targets(w, &[]), &Changes::watched(w));
        assert_eq!(m.first_difference(&super::full_matrix(w)), None, "the update is exact");
        u
    }

    /// The destination classes in VPC `v`.
    pub(super) fn columns_in(w: &World, m: &Matrix, v: &GenVpc) -> usize {
        let in_vpc = |members: &Vec<u32>| {
            vpcsim::analyzer::cell::target_vpc(w, m.targets[members[0] as usize]) == Some(v.vpc)
        };
        m.target_classes.members.iter().filter(|ms| in_vpc(ms)).count()
    }

    #[test]
    fn a_nacl_entry_for_a_probe_s_port_walks_only_the_columns_whose_walks_evaluated_that_port_n1() {
        let (mut w, vpcs) = region();
        let v = vpcs[10];
        let mut m = updatable(&w);
        let before = m.clone();
        let u = deny_ingress(&mut w, &mut m, &v, 50, PortRange::single(22));
        assert!(!m.same_verdicts(&before), "denying ssh into the VPC changes verdicts");
        // Its own sources' walks evaluated its NACL inbound only on their way back, at
        // the matrix's source port: none of their rows is walked against every column.
        let budget = m.source_classes.len() * columns_in(&w, &m, &v);
        assert!(u.cells_walked > 0 && u.cells_walked <= budget, "{u:?}, budget {budget}");
        assert_eq!(u.cells_walked, u.pairs_walked, "one probe (tcp 22) a pair: {u:?}");
    }

    #[test]
    fn a_nacl_entry_below_one_that_matches_its_packets_from_everywhere_walks_nothing_n1() {
        let (mut w, vpcs) = region();
        let mut m = updatable(&w);
        // The default entry 100 allows everything from everywhere: entry 200 decides nothing.
        let u = deny_ingress(&mut w, &mut m, &vpcs[10], 200, PortRange::single(22));
        assert_eq!(u.cells_walked, 0, "{u:?}");
    }

    #[test]
    fn a_nacl_entry_on_the_ports_a_nat_gateway_chose_is_seen_on_the_way_back_g1() {
        let (mut w, vpcs) = region();
        let v = vpcs[1];
        let mut m = updatable(&w);
        let before = m.clone();
        // No probe's port and not the matrix's source port: only ports the gateway of
        // VPC 1 chose for its private instances' flows, coming back to its subnet.
        let u = deny_ingress(&mut w, &mut m, &v, 50, PortRange { from: 33_000, to: 65_535 });
        let stopped_on_return = (0..m.sources.len()).any(|s| {
            (0..m.targets.len()).any(|t| {
                (0..m.probes.len()).any(|p| {
                    before.verdict(s, t, p).is_reachable()
                        && matches!(m.verdict(s, t, p), Verdict::Blocked { on_return: true, .. })
                })
            })
        });
        assert!(stopped_on_return, "some response through the NAT gateway is now stopped: {u:?}");
    }
}

mod sg_rules {
    //! A security-group rule change walks again only the cells whose walks evaluated that
    //! group, in that direction, for a packet the rule admits (S1), counted on the reach
    //! benchmark's generated region (20 VPCs); what it walks is exact, and a rule that
    //! changes verdicts (a port refused before, a group as the peer, a group's first rule)
    //! is seen.

    use vpcsim::addr::{Cidr, Protocol};
    use vpcsim::analyzer::probe::Probe;
    use vpcsim::analyzer::update::{Changes, Updated};
    use vpcsim::analyzer::{select, Matrix, Verdict};
    use vpcsim::ids::SgId;
    use vpcsim::model::security_group::Peer;
    use vpcsim::ops::security::Permission;
    use vpcsim::trace::{Direction, ExplanationCode};
    use vpcsim::world::World;

    use super::nacl_entries::{columns_in, region, updatable};

    /// Authorizes (or revokes) `rules` in `sg`'s ingress, brings `m` up to date from the
    /// watched change and checks it against a full recompute.
    fn change(w: &mut World, m: &mut Matrix, sg: SgId, rules: &[Permission], revoke: bool) -> Updated {
        w.watch();
        let done = if revoke {
            w.revoke_security_group(sg, Direction::Ingress, rules)
        } else {
            w.authorize_security_group(sg, Direction::Ingress, rules)
        };
        done.expect("the rules change");
        let u = m.update(w, select::sources(w, &[]), select::targets(w, &[]), &Changes::watched(w));
        assert_eq!(m.first_difference(&super::full_matrix(w)), None, "the update is exact");
        u
    }

    /// Whether some cell of `probe` went from a verdict `was` holds for to one `is` holds for.
    fn some_cell_went(
        before: &Matrix,
        after: &Matrix,
        probe: Probe,
        was: impl Fn(Verdict) -> bool,
        is: impl Fn(Verdict) -> bool,
    ) -> bool {
        let p = after.probes.iter().position(|&q| q == probe).expect("a default probe");
        (0..after.sources.len()).any(|s| {
            (0..after.targets.len()).any(|t| was(before.verdict(s, t, p)) && is(after.verdict(s, t, p)))
        })
    }

    fn tcp(port: u16) -> Probe {
        Probe { protocol: Protocol::Tcp, port }
    }

    fn refused(code: ExplanationCode) -> impl Fn(Verdict) -> bool {
        move |v| matches!(v, Verdict::Blocked { code: c, .. } if c == code)
    }

    #[test]
    fn a_rule_for_a_probe_s_port_walks_only_the_columns_whose_walks_evaluated_that_group_s1() {
        let (mut w, vpcs) = region();
        let v = vpcs[10];
        let mut m = updatable(&w);
        let before = m.clone();
        let rule = [Permission::tcp(8080, Cidr::ANY)];
        let u = change(&mut w, &mut m, v.sg, &rule, false);
        let mismatch = refused(ExplanationCode::EniSgRulesMismatch);
        assert!(some_cell_went(&before, &m, tcp(8080), mismatch, Verdict::is_reachable), "8080 opens: {u:?}");
        // Only walks to the group's members evaluated its ingress rules at 8080: the
        // columns of its instances, one probe each (tcp 8080), against every row. The row
        // of its members is not walked whole: that one of them reached itself at 8080
        // is a read of that column.
        let members = |t: &vpcsim::analyzer::Target| match *t {
            vpcsim::analyzer::Target::Instance(i) => w[w[i].eni].groups.contains(&v.sg),
            _ => false,
        };
        let columns =
            m.target_classes.members.iter().filter(|ms| members(&m.targets[ms[0] as usize])).count();
        assert!(columns >= 1 && columns < columns_in(&w, &m, &v), "{columns} columns of members");
        let budget = m.source_classes.len() * columns;
        assert!(u.cells_walked > 0 && u.cells_walked <= budget, "{u:?}, budget {budget}");
        assert_eq!(u.cells_walked, u.pairs_walked, "one probe (tcp 8080) a pair: {u:?}");
        let undone = change(&mut w, &mut m, v.sg, &rule, true);
        assert_eq!(undone.cells_walked, u.cells_walked, "revoking walks what authorizing did");
        assert!(m.same_verdicts(&before), "revoking takes it back");
    }

    #[test]
    fn a_rule_on_a_port_no_probe_asks_walks_nothing_s1() {
        let (mut w, vpcs) = region();
        let mut m = updatable(&w);
        let u = change(&mut w, &mut m, vpcs[10].sg, &[Permission::tcp(9000, Cidr::ANY)], false);
        assert_eq!(u.cells_walked, 0, "{u:?}");
    }

    #[test]
    fn a_rule_from_a_group_opens_the_port_between_its_members_s5() {
        let (mut w, vpcs) = region();
        let v = vpcs[10];
        let mut m = updatable(&w);
        let before = m.clone();
        let rule = Permission { peer: Peer::Group(v.sg), ..Permission::tcp(8080, Cidr::ANY) };
        let u = change(&mut w, &mut m, v.sg, &[rule], false);
        let blocked = |v: Verdict| matches!(v, Verdict::Blocked { .. });
        assert!(some_cell_went(&before, &m, tcp(8080), blocked, Verdict::is_reachable), "{u:?}");
    }

    #[test]
    fn a_group_s_first_rule_turns_no_rules_into_a_mismatch_at_every_port_sg_has_no_rules() {
        let (mut w, vpcs) = region();
        let v = vpcs[10];
        let mut m = updatable(&w);
        let all: Vec<Permission> = w[v.sg]
            .ingress
            .as_slice()
            .iter()
            .map(|r| Permission {
                protocol: r.protocol,
                ports: r.ports,
                peer: r.peer.clone(),
                description: None,
            })
            .collect();
        change(&mut w, &mut m, v.sg, &all, true);
        let emptied = m.clone();
        let no_rules = refused(ExplanationCode::SgHasNoRules);
        assert!(some_cell_went(&emptied, &emptied, tcp(22), &no_rules, &no_rules), "the group has no rules");
        // A rule on a port no probe asks: every probe's code changes, none is reachable.
        let u = change(&mut w, &mut m, v.sg, &[Permission::tcp(9000, Cidr::ANY)], false);
        assert!(u.cells_walked > u.pairs_walked, "every probe of the pairs: {u:?}");
        let mismatch = refused(ExplanationCode::EniSgRulesMismatch);
        assert!(some_cell_went(&emptied, &m, tcp(22), no_rules, mismatch), "{u:?}");
    }
}

/// One test per kind of change an op makes that the matrix must hear of: the world
/// notes it ([`World::watch`]), and the matrix updated from what it noted equals a full
/// recompute where one not told of it would be stale.
mod watched {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    use vpcsim::analyzer::update::Changes;
    use vpcsim::analyzer::{select, Matrix};
    use vpcsim::model::nat_instance::Forwarding;
    use vpcsim::ops::elbv2::TargetSpec;
    use vpcsim::ops::vpc::RouteTargetSpec;
    use vpcsim::testing::strategies;
    use vpcsim::world::World;

    /// Draws worlds until `prepare` then `change` alter some verdict (`change` says whether
    /// it did anything), and checks the update from the watched changes there.
    fn stays_exact(kind: &str, prepare: impl Fn(&mut World), change: impl Fn(&mut World) -> bool) {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let case = strategies::mixed_case().new_tree(&mut runner).expect("a case").current();
            let mut w = case.world.clone();
            prepare(&mut w);
            let probes = vpcsim::analyzer::DEFAULT_PROBES.to_vec();
            let before =
                Matrix::compute_updatable(&w, select::sources(&w, &[]), select::targets(&w, &[]), probes);
            w.watch();
            if !change(&mut w) {
                continue;
            }
            let full = super::full_matrix(&w);
            if before.same_verdicts(&full) {
                continue;
            }
            let mut m: Matrix = before.clone();
            m.update(&w, select::sources(&w, &[]), select::targets(&w, &[]), &Changes::watched(&w));
            assert_eq!(
                m.first_difference(&full),
                None,
                "{kind}: the updated matrix differs from a full recompute"
            );
            return;
        }
        panic!("{kind}: no drawn world where the change alters a verdict");
    }

    /// Routes every table's 0.0.0.0/0 through the first running instance of its VPC (G5).
    fn through_instances(w: &mut World) {
        let tables: Vec<_> = w.route_tables().live().map(|(id, t)| (id, t.vpc)).collect();
        for (t, vpc) in tables {
            let first = w.instances().values().find(|i| w[i.eni].vpc == vpc).map(|i| i.aws_id.clone());
            if let Some(id) = first {
                let any = vpcsim::addr::Cidr::ANY;
                let _ = w.delete_route(t, any);
                let _ = w.create_route(t, any, &RouteTargetSpec::Instance(id));
            }
        }
    }

    /// [`through_instances`], the instances accepting packets not addressed to them.
    fn through_appliances(w: &mut World) {
        through_instances(w);
        let ids: Vec<_> = w.enis().ids().filter(|e| !w[*e].deleted).collect();
        ids.iter().for_each(|&e| w.set_source_dest_check(e, false));
    }

    #[test]
    fn turning_ip_forwarding_on_or_off_is_heard_by_the_matrix() {
        stays_exact("set_forwarding", through_appliances, |w| {
            let ids: Vec<_> = w.instances().ids().collect();
            for &i in &ids {
                let ip_forward = !w[i].forwarding.ip_forward;
                w.set_forwarding(i, Forwarding { ip_forward, masquerade: Vec::new() });
            }
            !ids.is_empty()
        });
    }

    #[test]
    fn turning_the_source_destination_check_off_is_heard_by_the_matrix() {
        stays_exact("set_source_dest_check", through_instances, |w| {
            let ids: Vec<_> = w.enis().ids().filter(|e| !w[*e].deleted).collect();
            ids.iter().for_each(|&e| w.set_source_dest_check(e, false));
            !ids.is_empty()
        });
    }

    #[test]
    fn deleting_a_nat_gateway_is_heard_by_the_matrix() {
        stays_exact(
            "delete_nat_gateway",
            |_| {},
            |w| {
                let ids: Vec<_> = w.nat_gateways().ids().collect();
                ids.iter().any(|&n| w.delete_nat_gateway(n).is_ok())
            },
        );
    }

    #[test]
    fn deleting_a_peering_connection_is_heard_by_the_matrix() {
        stays_exact(
            "delete_vpc_peering_connection",
            |_| {},
            |w| {
                let ids: Vec<_> = w.peerings().ids().collect();
                ids.iter().any(|&p| w.delete_vpc_peering_connection(p).is_ok())
            },
        );
    }

    #[test]
    fn rejecting_an_endpoint_connection_is_heard_by_the_matrix() {
        stays_exact(
            "reject_vpc_endpoint_connections",
            |_| {},
            |w| {
                let eps: Vec<_> = w
                    .endpoints()
                    .iter()
                    .filter_map(|(id, e)| e.service.provider().map(|s| (s, id)))
                    .collect();
                eps.iter().any(|&(s, ep)| w.reject_vpc_endpoint_connections(s, &[ep]).is_ok())
            },
        );
    }

    #[test]
    fn deregistering_targets_is_heard_by_the_matrix() {
        stays_exact(
            "deregister_targets",
            |_| {},
            |w| {
                let groups: Vec<_> = w.target_groups().ids().collect();
                groups.iter().any(|&tg| {
                    let targets: Vec<_> = w[tg]
                        .targets
                        .iter()
                        .map(|t| TargetSpec { target: t.target, port: Some(t.port) })
                        .collect();
                    !targets.is_empty() && w.deregister_targets(tg, &targets).is_ok()
                })
            },
        );
    }

    #[test]
    fn the_virtual_clock_running_is_heard_by_the_matrix() {
        stays_exact(
            "wait",
            |_| {},
            |w| {
                w.advance(std::time::Duration::from_secs(600));
                true
            },
        );
    }
}

mod steps {
    use std::path::{Path, PathBuf};

    use vpcsim::analyzer::diff::{self, Side};
    use vpcsim::analyzer::{select, steps, Matrix, DEFAULT_PROBES};
    use vpcsim::scenario;
    use vpcsim::session::Session;
    use vpcsim::world::World;

    /// The scenario files of scenarios/ (not the templates).
    fn scenario_files() -> Vec<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("scenarios/ is readable")
            .map(|e| e.expect("an entry").path())
            .filter(|p| {
                let n = p.file_name().unwrap_or_default().to_string_lossy();
                n.ends_with(".yaml") && !n.ends_with(".cfn.yaml")
            })
            .collect();
        files.sort();
        files
    }

    /// The world after each step of a scenario file (index 0: its stacks only).
    fn worlds(path: &Path) -> Vec<World> {
        let s = scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut session = Session::for_scenario(&s).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut out = Vec::new();
        scenario::run::run_each(&s, &mut session, &mut |now: &Session| out.push(now.world.clone()))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    }

    fn full(w: &World) -> Matrix {
        Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
    }

    #[test]
    fn diffs_between_steps_brought_up_to_date_equal_diffs_of_two_full_matrices_on_every_scenario() {
        let mut compared = 0;
        for path in scenario_files() {
            let ws = worlds(&path);
            if ws.len() < 3 {
                continue;
            }
            let ms: Vec<Matrix> = ws.iter().map(full).collect();
            let last = ws.len() - 1;
            // Each step, the whole run, and the whole run backwards.
            for (i, j) in (0..last).map(|k| (k, k + 1)).chain([(0, last), (last, 0)]) {
                let name = format!("{}: steps {i} -> {j}", path.display());
                let (brought, _) = steps::matrix_after(&ws[i], &ms[i], &ws[j], &[], &[]);
                assert_eq!(brought.first_difference(&ms[j]), None, "{name}");
                let before = Side { world: &ws[i], matrix: &ms[i] };
                let incremental = diff::diff(&before, &Side { world: &ws[j], matrix: &brought });
                assert_eq!(
                    incremental,
                    diff::diff(&before, &Side { world: &ws[j], matrix: &ms[j] }),
                    "{name}"
                );
                compared += 1;
            }
        }
        assert!(compared > 20, "only {compared} pairs of steps compared");
    }

    /// The matrix of `w` that keeps its walks' reads, as fine-grained updates need.
    fn updatable(w: &World) -> Matrix {
        Matrix::compute_updatable(
            w,
            select::sources(w, &[]),
            select::targets(w, &[]),
            DEFAULT_PROBES.to_vec(),
        )
    }

    #[test]
    fn a_step_that_changes_one_group_names_only_its_rules_and_walks_less_than_its_vpc() {
        // lesson-endpoint-sg-blocks: a step authorizes a rule in the endpoint's group.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lesson-endpoint-sg-blocks.yaml");
        let ws = worlds(&path);
        let (i, j) = (0..ws.len() - 1)
            .map(|k| (k, k + 1))
            .find(|&(i, j)| {
                let c = steps::changed(&ws[i], &ws[j]);
                c.len() == 1 && matches!(c[0].handle, vpcsim::world::Handle::Sg(_))
            })
            .expect("a step that changes one security group alone");
        let changes = steps::changes(&ws[i], &ws[j]);
        assert!(!changes.is_everything() && !changes.is_empty());
        assert_eq!(changes.vpcs().count(), 0, "its rules, not its VPC");
        let after = full(&ws[j]);
        // Without the reads kept, the group's VPC is walked again; with them, only the
        // cells that evaluated the group for the rule's port.
        let (coarse, by_vpc) = steps::matrix_after(&ws[i], &full(&ws[i]), &ws[j], &[], &[]);
        let (fine, by_rule) = steps::matrix_after(&ws[i], &updatable(&ws[i]), &ws[j], &[], &[]);
        assert_eq!(coarse.first_difference(&after), None);
        assert_eq!(fine.first_difference(&after), None);
        assert!(by_vpc.pairs_kept > 0, "{by_vpc:?}");
        assert!(by_rule.cells_walked < by_vpc.cells_walked, "{by_rule:?} {by_vpc:?}");
    }

    #[test]
    fn diffs_between_steps_of_the_three_tier_and_nat_examples_brought_up_rule_by_rule_equal_two_full_matrices(
    ) {
        let mut compared = 0;
        for file in [
            "three-tier.yaml",
            "network-insights-nat-gateway.yaml",
            "lesson-nat-gateway-egress.yaml",
            "nat-instance-lab.yaml",
        ] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file);
            let ws = worlds(&path);
            let last = ws.len() - 1;
            for (i, j) in (0..last).map(|k| (k, k + 1)).chain([(0, last), (last, 0)]) {
                let name = format!("{file}: steps {i} -> {j}");
                let (bm, am) = (full(&ws[i]), full(&ws[j]));
                let (brought, _) = steps::matrix_after(&ws[i], &updatable(&ws[i]), &ws[j], &[], &[]);
                assert_eq!(brought.first_difference(&am), None, "{name}");
                let before = Side { world: &ws[i], matrix: &bm };
                assert_eq!(
                    diff::diff(&before, &Side { world: &ws[j], matrix: &brought }),
                    diff::diff(&before, &Side { world: &ws[j], matrix: &am }),
                    "{name}"
                );
                compared += 1;
            }
        }
        assert!(compared > 20, "only {compared} pairs of steps compared");
    }
}

mod ready_scopes {
    //! Each ready scope of scenarios/scopes/ on a world where it finds something and on
    //! one where it finds nothing (RA4).

    use std::path::Path;

    use vpcsim::addr::Cidr;
    use vpcsim::analyzer::{access, egress, scope, select, Matrix, Target};
    use vpcsim::lab::{Lab, LabOptions};
    use vpcsim::ops::vpc::RouteTargetSpec;
    use vpcsim::scenario;
    use vpcsim::session::Session;
    use vpcsim::trace::ComponentKind;
    use vpcsim::world::{Handle, World};

    /// The world a template (or scenario file) leaves, its steps before clean-up applied.
    fn world(file: &str) -> World {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let mut s = scenario::load_with(&path, &Default::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        if let Some(k) = s.clean_up_starts() {
            s.steps.truncate(k);
        }
        let mut session = Session::for_scenario(&s).unwrap_or_else(|e| panic!("{file}: {e}"));
        let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(report.passed, "{file}");
        session.world
    }

    /// The world a scenario file leaves after its steps before the one named `step`.
    fn world_before(file: &str, step: &str) -> World {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let mut s = scenario::load_with(&path, &Default::default()).unwrap_or_else(|e| panic!("{file}: {e}"));
        let at = s.steps.iter().position(|x| x.name.as_deref() == Some(step)).expect("the step");
        s.steps.truncate(at);
        let mut session = Session::for_scenario(&s).unwrap_or_else(|e| panic!("{file}: {e}"));
        let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(report.passed, "{file}");
        session.world
    }

    fn lab() -> World {
        Lab::ready(LabOptions::default()).expect("the lab builds").world
    }

    /// The findings of the ready scope `name` in `w` (the internet among the destinations),
    /// its placeholder (`...-REPLACE-WITH-...`) replaced by the ids `ids` when given.
    fn findings(w: &World, name: &str, ids: &[String]) -> (Matrix, Vec<access::Finding>) {
        findings_of(w, name, &ready(name, ids))
    }

    /// The ready scope `name`, its placeholder replaced by `ids` when given.
    fn ready(name: &str, ids: &[String]) -> String {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/scopes").join(name);
        let mut text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        if !ids.is_empty() {
            let at = text.find("-REPLACE-WITH-").unwrap_or_else(|| panic!("{name} has no placeholder"));
            let start = text[..at].rfind('"').expect("a quoted placeholder") + 1;
            let end = at + text[at..].find('"').expect("a quoted placeholder");
            text.replace_range(start..end, &ids.join("\", \""));
        }
        text
    }

    /// The findings of scope `text` in `w`, the internet among the destinations.
    fn findings_of(w: &World, name: &str, text: &str) -> (Matrix, Vec<access::Finding>) {
        let sc = scope::parse_in(name, text, w).unwrap_or_else(|e| panic!("{e}"));
        let scopes = std::slice::from_ref(&sc);
        let m = Matrix::compute(
            w,
            select::sources(w, &[]),
            egress::targets(w, scopes),
            access::probes_for(scopes),
        );
        let found = access::findings(w, &m, &sc);
        (m, found)
    }

    /// How many paths the ready scope `name` finds in `w` ([`findings`]).
    fn found(w: &World, name: &str, ids: &[String]) -> usize {
        findings(w, name, ids).1.iter().map(|f| f.sources.len() * f.targets.len()).sum()
    }

    fn group(w: &World, part: &str) -> String {
        let (id, _) =
            w.sgs().live().find(|(_, g)| g.name.contains(part)).unwrap_or_else(|| panic!("no {part}"));
        w.aws_id(Handle::Sg(id)).to_string()
    }

    fn subnet(w: &World, name: &str) -> String {
        let (id, _) = w
            .subnets()
            .live()
            .find(|(id, _)| w.name_of(Handle::Subnet(*id)) == Some(name))
            .unwrap_or_else(|| panic!("no subnet {name}"));
        w.aws_id(Handle::Subnet(id)).to_string()
    }

    fn vpc(w: &World, name: &str) -> String {
        let (id, _) = w
            .vpcs()
            .live()
            .find(|(id, _)| w.name_of(Handle::Vpc(*id)) == Some(name))
            .unwrap_or_else(|| panic!("no VPC {name}"));
        w.aws_id(Handle::Vpc(id)).to_string()
    }

    #[test]
    fn internet_to_instances_finds_the_app_tier_behind_three_tiers_nlb_and_nothing_in_the_saas_provider() {
        assert_eq!(found(&world("scenarios/three-tier.cfn.yaml"), "internet-to-instances.json", &[]), 1);
        assert_eq!(found(&world("scenarios/saas-provider.cfn.yaml"), "internet-to-instances.json", &[]), 0);
    }

    #[test]
    fn internet_to_anything_but_web_finds_ssh_in_the_lab_and_nothing_in_three_tier() {
        assert!(found(&lab(), "internet-to-anything-but-web.json", &[]) > 0);
        assert_eq!(
            found(&world("scenarios/three-tier.cfn.yaml"), "internet-to-anything-but-web.json", &[]),
            0
        );
    }

    #[test]
    fn internet_to_private_subnets_finds_three_tiers_app_subnets_and_not_its_database_subnets() {
        let w = world("scenarios/three-tier.cfn.yaml");
        let name = "internet-to-private-subnets.json";
        assert_eq!(found(&w, name, &[subnet(&w, "app-a"), subnet(&w, "app-b")]), 1);
        assert_eq!(found(&w, name, &[subnet(&w, "db-a"), subnet(&w, "db-b")]), 0);
    }

    #[test]
    fn database_ports_from_outside_the_app_tier_hold_in_three_tier_and_find_the_app_tier_when_another_is_trusted(
    ) {
        let w = world("scenarios/three-tier.cfn.yaml");
        let name = "database-ports-from-outside-the-app-tier.json";
        assert_eq!(found(&w, name, &[group(&w, "AppSG")]), 0);
        assert!(found(&w, name, &[group(&w, "BastionSG")]) > 0);
    }

    #[test]
    fn privatelink_consumers_beyond_the_endpoint_hold_in_the_saas_consumer_and_find_the_labs_web_servers() {
        let name = "privatelink-consumers-beyond-the-endpoint.json";
        let w = world("scenarios/saas-privatelink.yaml");
        assert_eq!(found(&w, name, &[vpc(&w, "consumer")]), 0);
        // The lab's consumer also reaches the provider's web servers over the internet.
        let w = lab();
        assert!(found(&w, name, &[vpc(&w, "MyVPC")]) > 0);
    }

    /// The NAT gateway lab's private instance sent straight to the internet gateway: its
    /// subnet's default route replaced, and a public address of its own.
    fn around_the_nat_gateway(w: &mut World) {
        let table =
            w.route_tables().live().find(|(id, _)| w.name_of(Handle::RouteTable(*id)) == Some("Private-RT"));
        let table = table.expect("Private-RT").0;
        let igw =
            w.igws().live().next().map(|(id, _)| w.aws_id(Handle::Igw(id)).to_string()).expect("an IGW");
        let default: Cidr = "0.0.0.0/0".parse().unwrap();
        w.replace_route(table, default, &RouteTargetSpec::Gateway(igw)).expect("the route is replaced");
        let instance =
            w.instances().iter().find(|(id, _)| w.name_of(Handle::Instance(*id)) == Some("Private-EC2"));
        let eni = w[instance.expect("Private-EC2").0].eni;
        let eip = w.allocate_address(Default::default());
        w.associate_address(eip, eni).expect("the address is associated");
    }

    #[test]
    fn around_a_nat_gateway_holds_on_the_nat_lab_and_finds_the_private_instance_once_routed_straight_to_the_gateway(
    ) {
        // The NAT example before its own route change (made here through the ops).
        let mut w = world_before(
            "scenarios/network-insights-nat-gateway.yaml",
            "the private subnet sent straight to the internet gateway",
        );
        let name = "around-a-nat-gateway.json";
        let private = vec![subnet(&w, "Private-SN")];
        assert_eq!(found(&w, name, &private), 0);
        // The private instance does reach the internet, through the NAT gateway.
        let to_internet = format!(
            r#"{{"MatchPaths": [{{"Source": {{"ResourceStatement": {{"Resources": ["{}"]}}}},
                "Destination": {{"PacketHeaderStatement": {{"DestinationAddresses": ["0.0.0.0/0"]}}}}}}]}}"#,
            private[0]
        );
        let (m, through_nat) = findings_of(&w, "to-the-internet.json", &to_internet);
        assert!(!through_nat.is_empty());
        for f in &through_nat {
            assert!(f.targets.iter().all(|&t| matches!(m.targets[t], Target::Internet(_))));
            assert!(
                f.path.forward.iter().any(|h| h.kind == ComponentKind::NatGateway),
                "{:?}",
                f.path.forward
            );
        }
        around_the_nat_gateway(&mut w);
        let (m, around) = findings(&w, name, &private);
        assert!(!around.is_empty());
        for f in &around {
            let kinds: Vec<ComponentKind> = f.path.forward.iter().map(|h| h.kind).collect();
            assert_eq!(
                f.sources.iter().map(|&s| select::source_label(&w, m.sources[s])).collect::<Vec<_>>(),
                ["Private-EC2"]
            );
            assert!(matches!(m.targets[f.targets[0]], Target::Internet(_)));
            assert!(kinds.contains(&ComponentKind::InternetGateway), "{kinds:?}");
            assert!(!kinds.contains(&ComponentKind::NatGateway), "{kinds:?}");
        }
    }

    #[test]
    fn an_access_scope_analysis_around_the_nat_gateway_ends_each_finding_at_the_internet_not_at_a_dns_resolver(
    ) {
        // RA4: the findings get-network-insights-access-scope-analysis-findings lists.
        let mut w = world_before(
            "scenarios/network-insights-nat-gateway.yaml",
            "the private subnet sent straight to the internet gateway",
        );
        around_the_nat_gateway(&mut w);
        let name = "around-a-nat-gateway.json";
        let sc = scope::parse_in(name, &ready(name, &[subnet(&w, "Private-SN")]), &w).expect("the scope");
        let id = w.create_network_insights_access_scope(sc, Default::default(), Default::default());
        let analysis = w.start_network_insights_access_scope_analysis(id);
        let findings = &w[analysis].findings;
        assert!(!findings.is_empty());
        for f in findings {
            let ids: Vec<&str> = f.components.iter().map(|c| c.component.id.as_str()).collect();
            let n = ids.len();
            assert!(ids[n - 2].starts_with("igw-"), "{ids:?}");
            assert_eq!(ids[n - 1], "8.8.8.8", "{ids:?}");
        }
    }
}
