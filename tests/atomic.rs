//! Atomic operations: a control-plane call, a stack creation or an `aws` step that fails
//! leaves the world exactly as before: the same resources, indexes, id stream and clock.
//! Each test makes an operation fail after it has done part of its work and compares
//! `format!("{world:?}")` before and after (the world's hash maps iterate in the same
//! order for identical histories, and a restored world is a clone of the old one).

use indexmap::IndexMap;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::command::aws::parse_line;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::nlb::TargetRef;
use vpcsim::model::security_group::Peer;
use vpcsim::model::Tags;
use vpcsim::ops::ec2::{CreateNetworkInterface, RunInstance};
use vpcsim::ops::elbv2::{CreateLoadBalancer, TargetSpec};
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::CreateSubnet;
use vpcsim::scenario::Backend;
use vpcsim::session::Session;
use vpcsim::trace::Direction;
use vpcsim::world::World;

fn lab() -> Lab {
    Lab::ready(LabOptions::default()).expect("the lab builds")
}

fn dump(w: &World) -> String {
    format!("{w:?}")
}

/// Runs `op` on the world; it must fail and leave the world as it was.
fn fails_atomically<T: std::fmt::Debug, E: std::fmt::Display>(
    w: &mut World,
    op: impl FnOnce(&mut World) -> Result<T, E>,
) -> String {
    let before = dump(w);
    let err = op(w).expect_err("the operation fails").to_string();
    let after = dump(w);
    assert!(
        before == after,
        "the failed operation changed the world ({err}):\n{}",
        first_difference(&before, &after)
    );
    err
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(200);
    format!(
        "before: ...{}\nafter:  ...{}",
        &a[from..(at + 200).min(a.len())],
        &b[from..(at + 200).min(b.len())]
    )
}

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

/// A /28 subnet (11 usable addresses) in the second AZ with every address taken.
fn full_subnet(w: &mut World, vpc: vpcsim::ids::VpcId, block: &str) -> vpcsim::ids::SubnetId {
    let az = w.region().azs[1].to_string();
    let s = w
        .create_subnet(CreateSubnet {
            vpc: Some(vpc),
            cidr: Some(cidr(block)),
            az: Some(az),
            ..Default::default()
        })
        .unwrap();
    for _ in 0..11 {
        w.create_network_interface(CreateNetworkInterface { subnet: Some(s), ..Default::default() }).unwrap();
    }
    s
}

fn tcp(port: u16, from: &str) -> Permission {
    Permission {
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports: PortRange::single(port),
        peer: Peer::Cidr(cidr(from)),
        description: None,
    }
}

#[test]
fn create_network_interface_in_a_full_subnet_changes_nothing() {
    let mut l = lab();
    let full = full_subnet(&mut l.world, l.custom_vpc, "20.0.9.0/28");
    let e = fails_atomically(&mut l.world, |w| {
        w.create_network_interface(CreateNetworkInterface { subnet: Some(full), ..Default::default() })
    });
    assert!(e.contains("InsufficientFreeAddressesInSubnet"), "{e}");
}

#[test]
fn run_instance_in_a_full_subnet_changes_nothing() {
    let mut l = lab();
    let full = full_subnet(&mut l.world, l.custom_vpc, "20.0.9.0/28");
    fails_atomically(&mut l.world, |w| {
        w.run_instance(RunInstance { subnet: Some(full), ..Default::default() })
    });
}

#[test]
fn create_load_balancer_failing_at_its_second_node_changes_nothing() {
    let mut l = lab();
    let full = full_subnet(&mut l.world, l.custom_vpc, "20.0.9.0/28");
    let subnets = vec![l.custom_subnet, full];
    let e = fails_atomically(&mut l.world, |w| {
        w.create_load_balancer(CreateLoadBalancer { name: "two-az".into(), subnets, ..Default::default() })
    });
    assert!(e.contains("InsufficientFreeAddressesInSubnet"), "{e}");
}

#[test]
fn create_load_balancer_with_a_group_of_another_vpc_changes_nothing() {
    let mut l = lab();
    let az2 = l.world.region().azs[1].to_string();
    let c2 = l
        .world
        .create_subnet(CreateSubnet {
            vpc: Some(l.custom_vpc),
            cidr: Some(cidr("20.0.1.0/24")),
            az: Some(az2),
            ..Default::default()
        })
        .unwrap();
    let groups = vec![l.world[l.world[l.my_ec2].eni].groups[0]];
    let req = CreateLoadBalancer {
        name: "grouped".into(),
        subnets: vec![l.custom_subnet, c2],
        security_groups: groups,
        ..Default::default()
    };
    let e = fails_atomically(&mut l.world, |w| w.create_load_balancer(req));
    assert!(e.contains("different networks"), "{e}");
}

#[test]
fn deleting_an_instances_interface_is_refused_and_changes_nothing() {
    let mut l = lab();
    let eni = l.world[l.my_ec2].eni;
    let e = fails_atomically(&mut l.world, |w| w.delete_network_interface(eni));
    assert!(e.contains("InvalidNetworkInterface.InUse"), "{e}");
    let free = l
        .world
        .create_network_interface(CreateNetworkInterface { subnet: Some(l.my_subnet), ..Default::default() })
        .unwrap();
    l.world.delete_network_interface(free).unwrap();
    assert!(l.world[free].deleted);
}

#[test]
fn create_vpc_endpoint_failing_at_its_second_interface_changes_nothing() {
    let mut l = lab();
    let w = &mut l.world;
    // A second NLB in both AZs, so that an endpoint may take one subnet per AZ (P5).
    let az2 = w.region().azs[1].to_string();
    let c2 = w
        .create_subnet(CreateSubnet {
            vpc: Some(l.custom_vpc),
            cidr: Some(cidr("20.0.1.0/24")),
            az: Some(az2),
            ..Default::default()
        })
        .unwrap();
    let req =
        CreateLoadBalancer { name: "both".into(), subnets: vec![l.custom_subnet, c2], ..Default::default() };
    let nlb = w.create_load_balancer(req).unwrap();
    let svc = w.create_vpc_endpoint_service_configuration(&[nlb], false, None, Tags::new()).unwrap();
    let full = full_subnet(w, l.my_vpc, "10.0.9.0/28");
    let service_name = w[svc].service_name.clone();
    let e = fails_atomically(w, |w| {
        w.create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(l.my_vpc),
            service_name,
            subnets: vec![l.my_subnet, full],
            ..Default::default()
        })
    });
    assert!(e.contains("InsufficientFreeAddressesInSubnet"), "{e}");
}

#[test]
fn authorize_with_a_duplicate_last_permission_adds_none_of_them() {
    let mut l = lab();
    let sg = l.web_sg;
    l.world.authorize_security_group(sg, Direction::Ingress, &[tcp(8080, "10.0.0.0/8")]).unwrap();
    let perms = [tcp(81, "0.0.0.0/0"), tcp(82, "0.0.0.0/0"), tcp(8080, "10.0.0.0/8")];
    let e = fails_atomically(&mut l.world, |w| w.authorize_security_group(sg, Direction::Ingress, &perms));
    assert!(e.contains("InvalidPermission.Duplicate"), "{e}");
}

#[test]
fn register_targets_with_one_bad_target_registers_none() {
    let mut l = lab();
    let specs = [
        TargetSpec { target: TargetRef::Instance(l.web1), port: Some(8081) },
        TargetSpec { target: TargetRef::Instance(l.my_ec2), port: Some(80) }, // another VPC
    ];
    let tg = l.tg;
    let e = fails_atomically(&mut l.world, |w| w.register_targets(tg, &specs));
    assert!(e.contains("InvalidTarget"), "{e}");
}

#[test]
fn deregister_targets_with_one_unregistered_target_drains_none() {
    // Found by the random-call property below: the first target was left draining.
    let mut l = lab();
    let specs = [
        TargetSpec { target: TargetRef::Instance(l.web2), port: Some(80) },
        TargetSpec { target: TargetRef::Instance(l.web2), port: Some(81) },
    ];
    let tg = l.tg;
    let e = fails_atomically(&mut l.world, |w| w.deregister_targets(tg, &specs));
    assert!(e.contains("InvalidTarget"), "{e}");
}

fn seed_template() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/privatelink-lab.cfn.yaml");
    std::fs::read_to_string(path).expect("the seed template")
}

#[test]
fn a_stack_failing_at_its_last_resource_rolls_back_completely_and_names_it() {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    // Created last (it depends on the listener, the last of the seed), and invalid.
    let text = seed_template()
        + "\n  Broken:\n    Type: AWS::EC2::Subnet\n    DependsOn: NLBListener\n    Properties:\n      \
           VpcId: !Ref MyVPC\n      CidrBlock: 192.168.0.0/24\n";
    let params = IndexMap::from([("KeyName".to_string(), "k".to_string())]);
    let e = fails_atomically(&mut w, |w| {
        vpcsim::stack::create_stack(w, "lab", "lab.cfn.yaml", &text, &params, &IndexMap::new())
    });
    assert!(e.contains("Resources.Broken") && e.contains("InvalidSubnet.Range"), "{e}");
    // The same template without the broken resource creates everything.
    let ok = vpcsim::stack::create_stack(
        &mut w,
        "lab",
        "lab.cfn.yaml",
        &seed_template(),
        &params,
        &IndexMap::new(),
    );
    assert!(ok.is_ok());
}

#[test]
fn an_aws_step_failing_midway_changes_nothing() {
    let l = lab();
    let web1 = l.world.instance(l.web1).aws_id.clone();
    let mut session = Session::new(l.world);
    let before = dump(&session.world);
    // The first instance exists and would be terminated; the second does not exist.
    let call = parse_line(&format!("aws ec2 terminate-instances --instance-ids {web1} i-0123456789abcdef0"))
        .unwrap();
    let out = session.run_aws(&call);
    assert_ne!(out.exit_code, 0);
    assert!(out.stderr.contains("InvalidInstanceID.NotFound"), "{}", out.stderr);
    assert!(before == dump(&session.world), "{}", first_difference(&before, &dump(&session.world)));
}

// ---------------------------------------------------------------- any failing call

mod any_call {
    use proptest::prelude::*;
    use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
    use vpcsim::ids::*;
    use vpcsim::lab::Lab;
    use vpcsim::model::nlb::TargetRef;
    use vpcsim::model::security_group::Peer;
    use vpcsim::model::Tags;
    use vpcsim::ops::ec2::{CreateNetworkInterface, RunInstance};
    use vpcsim::ops::elbv2::TargetSpec;
    use vpcsim::ops::privatelink::CreateVpcEndpoint;
    use vpcsim::ops::security::{acl_entry, Permission};
    use vpcsim::ops::vpc::{CreateSubnet, RouteTargetSpec};
    use vpcsim::trace::Direction;
    use vpcsim::world::World;

    /// One control-plane call with arguments drawn from small pools, so that many
    /// calls collide (duplicates, full subnets, wrong VPCs, limits) and fail.
    #[derive(Clone, Debug)]
    enum Call {
        Route(u8, bool),
        DeleteRoute(u8),
        Authorize(Vec<u16>, bool),
        Revoke(Vec<u16>),
        AclEntry(u16, bool),
        DeleteAclEntry(u16),
        Subnet(u8, u8),
        Eni(u8, u8),
        Instance(u8),
        Register(Vec<(bool, u16)>),
        Deregister(Vec<(bool, u16)>),
        Endpoint(u8),
        Accept(Vec<u8>),
        DeleteEndpoints(Vec<u8>),
        SetGroups(u8),
        Service,
        Advance(u8),
    }

    fn call() -> impl Strategy<Value = Call> {
        let ports = prop::collection::vec(prop::sample::select(vec![22u16, 80, 81, 443, 8080]), 1..4);
        let targets =
            prop::collection::vec((any::<bool>(), prop::sample::select(vec![80u16, 81, 8080])), 1..4);
        let few = prop::collection::vec(0u8..4, 1..4);
        prop_oneof![
            (0u8..6, any::<bool>()).prop_map(|(d, eni)| Call::Route(d, eni)),
            (0u8..6).prop_map(Call::DeleteRoute),
            (ports.clone(), any::<bool>()).prop_map(|(p, e)| Call::Authorize(p, e)),
            ports.prop_map(Call::Revoke),
            (prop::sample::select(vec![1u16, 100, 200, 32766, 32767]), any::<bool>())
                .prop_map(|(n, e)| Call::AclEntry(n, e)),
            prop::sample::select(vec![1u16, 100, 32767]).prop_map(Call::DeleteAclEntry),
            (0u8..4, 0u8..3).prop_map(|(b, az)| Call::Subnet(b, az)),
            (0u8..4, 0u8..3).prop_map(|(s, g)| Call::Eni(s, g)),
            (0u8..4).prop_map(Call::Instance),
            targets.clone().prop_map(Call::Register),
            targets.prop_map(Call::Deregister),
            (0u8..4).prop_map(Call::Endpoint),
            few.clone().prop_map(Call::Accept),
            few.prop_map(Call::DeleteEndpoints),
            (0u8..8).prop_map(Call::SetGroups),
            Just(Call::Service),
            (0u8..4).prop_map(Call::Advance),
        ]
    }

    /// `PROPTEST_CASES` when set (a longer run), else `default`.
    fn cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
    }

    fn subnets(w: &World) -> Vec<SubnetId> {
        w.subnets().ids().collect()
    }

    fn perm(port: u16) -> Permission {
        let peer = Peer::Cidr("10.0.0.0/8".parse().unwrap());
        Permission {
            protocol: RuleProtocol::One(Protocol::Tcp),
            ports: PortRange::single(port),
            peer,
            description: None,
        }
    }

    /// Applies one call; `Err` with the error text when it was refused.
    fn apply(l: &Lab, w: &mut World, c: &Call) -> Result<(), String> {
        let e = |e: vpcsim::error::ApiError| e.to_string();
        let pick = |v: Vec<SubnetId>, i: u8| v[i as usize % v.len()];
        let endpoints = |w: &World, ix: &[u8]| -> Vec<EndpointId> {
            ix.iter().map(|i| EndpointId(u32::from(*i) % (w.endpoints().len() as u32).max(1))).collect()
        };
        match c {
            Call::Route(d, eni) => {
                let dest = Cidr::new(std::net::Ipv4Addr::new(100, *d, 0, 0), 16);
                let target = if *eni {
                    RouteTargetSpec::NetworkInterface(w[w.instance(l.web1).eni].aws_id.clone())
                } else {
                    RouteTargetSpec::Gateway(w[l.my_igw].aws_id.clone())
                };
                w.create_route(l.my_rt, dest, &target).map_err(e)
            }
            Call::DeleteRoute(d) => {
                w.delete_route(l.my_rt, Cidr::new(std::net::Ipv4Addr::new(100, *d, 0, 0), 16)).map_err(e)
            }
            Call::Authorize(p, egress) => {
                let dir = if *egress { Direction::Egress } else { Direction::Ingress };
                w.authorize_security_group(l.web_sg, dir, &p.iter().map(|p| perm(*p)).collect::<Vec<_>>())
                    .map_err(e)
            }
            Call::Revoke(p) => w
                .revoke_security_group(
                    l.web_sg,
                    Direction::Ingress,
                    &p.iter().map(|p| perm(*p)).collect::<Vec<_>>(),
                )
                .map_err(e),
            Call::AclEntry(n, egress) => {
                let acl = w[l.my_vpc].default_nacl;
                let dir = if *egress { Direction::Egress } else { Direction::Ingress };
                let entry =
                    acl_entry(*n, RuleProtocol::All, PortRange::ALL, "10.9.0.0/16".parse().unwrap(), false);
                w.create_network_acl_entry(acl, dir, entry).map_err(e)
            }
            Call::DeleteAclEntry(n) => {
                let acl = w[l.my_vpc].default_nacl;
                w.delete_network_acl_entry(acl, Direction::Ingress, *n).map_err(e)
            }
            Call::Subnet(b, az) => {
                let cidr = Cidr::new(std::net::Ipv4Addr::new(10, 0, 100 + b, 0), 28);
                let az = w.region().azs.get(*az as usize).map(|a| a.to_string()).or(Some("nope-1z".into()));
                w.create_subnet(CreateSubnet {
                    vpc: Some(l.my_vpc),
                    cidr: Some(cidr),
                    az,
                    ..Default::default()
                })
                .map(|_| ())
                .map_err(e)
            }
            Call::Eni(s, g) => {
                let groups = match g {
                    0 => vec![],
                    1 => vec![l.web_sg],
                    _ => vec![l.custom_sg],
                };
                let subnet = Some(pick(subnets(w), *s));
                w.create_network_interface(CreateNetworkInterface { subnet, groups, ..Default::default() })
                    .map(|_| ())
                    .map_err(e)
            }
            Call::Instance(s) => {
                let subnet = Some(pick(subnets(w), *s));
                w.run_instance(RunInstance { subnet, ..Default::default() }).map(|_| ()).map_err(e)
            }
            Call::Register(t) | Call::Deregister(t) => {
                let specs: Vec<TargetSpec> = t
                    .iter()
                    .map(|(mine, port)| TargetSpec {
                        target: TargetRef::Instance(if *mine { l.my_ec2 } else { l.web2 }),
                        port: Some(*port),
                    })
                    .collect();
                match c {
                    Call::Register(_) => w.register_targets(l.tg, &specs).map_err(e),
                    _ => w.deregister_targets(l.tg, &specs).map_err(e),
                }
            }
            Call::Endpoint(s) => {
                let Some(svc) = w.services().first() else { return Err("no service".into()) };
                let service_name = svc.service_name.clone();
                let subnets = vec![pick(subnets(w), *s)];
                let req =
                    CreateVpcEndpoint { vpc: Some(l.my_vpc), service_name, subnets, ..Default::default() };
                w.create_vpc_endpoint(req).map(|_| ()).map_err(e)
            }
            Call::Accept(ix) => {
                if w.services().is_empty() || w.endpoints().is_empty() {
                    return Err("no service or endpoint".into());
                }
                let ids = endpoints(w, ix);
                w.accept_vpc_endpoint_connections(ServiceId(0), &ids).map_err(e)
            }
            Call::DeleteEndpoints(ix) => {
                let ids = endpoints(w, ix);
                if w.endpoints().is_empty() {
                    return Err("no endpoint".into());
                }
                w.delete_vpc_endpoints(&ids).map_err(e)
            }
            Call::SetGroups(n) => {
                let eni = w.instance(l.my_ec2).eni;
                let groups = vec![l.web_sg; *n as usize];
                w.set_groups(eni, &groups).map_err(e)
            }
            Call::Service => w
                .create_vpc_endpoint_service_configuration(&[l.nlb], true, None, Tags::new())
                .map(|_| ())
                .map_err(e),
            Call::Advance(m) => {
                w.advance(std::time::Duration::from_secs(60 * u64::from(*m)));
                Ok(())
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

        /// Whatever the sequence, a refused call leaves the world exactly as it was.
        #[test]
        fn every_refused_call_leaves_the_world_unchanged(calls in prop::collection::vec(call(), 1..24)) {
            let l = super::lab();
            let mut w = l.world.clone();
            for c in &calls {
                let before = format!("{w:?}");
                if let Err(err) = apply(&l, &mut w, c) {
                    let after = format!("{w:?}");
                    prop_assert!(before == after, "{c:?} failed ({err}) but changed the world:\n{}",
                        super::first_difference(&before, &after));
                }
            }
        }
    }
}
