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
    let az = w.region.azs[1].to_string();
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
fn create_vpc_endpoint_failing_at_its_second_interface_changes_nothing() {
    let mut l = lab();
    let w = &mut l.world;
    // A second NLB in both AZs, so that an endpoint may take one subnet per AZ (P5).
    let az2 = w.region.azs[1].to_string();
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
    let service_name = w.services[svc.index()].service_name.clone();
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
    let mut session = Session {
        world: l.world,
        stacks: IndexMap::new(),
        delete_failed: IndexMap::new(),
        base_dir: Default::default(),
        embedded: Vec::new(),
    };
    let before = dump(&session.world);
    // The first instance exists and would be terminated; the second does not exist.
    let call = parse_line(&format!("aws ec2 terminate-instances --instance-ids {web1} i-0123456789abcdef0"))
        .unwrap();
    let out = session.run_aws(&call);
    assert_ne!(out.exit_code, 0);
    assert!(out.stderr.contains("InvalidInstanceID.NotFound"), "{}", out.stderr);
    assert!(before == dump(&session.world), "{}", first_difference(&before, &dump(&session.world)));
}
