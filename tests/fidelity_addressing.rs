//! Fidelity tests for addressing (docs/aws-rules.md A1-A5) and determinism.

mod common;

use std::collections::BTreeSet;

use common::*;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::Tags;
use vpcsim::ops::ec2::{CreateNetworkInterface, RunInstance};
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc};
use vpcsim::trace::{ComponentKind as K, ExplanationCode};

fn create_vpc(w: &mut vpcsim::world::World, block: &str) -> Result<vpcsim::ids::VpcId, String> {
    w.create_vpc(CreateVpc { cidr: Some(cidr(block)), ..Default::default() }).map_err(|e| e.code)
}

fn create_subnet(
    w: &mut vpcsim::world::World,
    v: vpcsim::ids::VpcId,
    block: &str,
) -> Result<vpcsim::ids::SubnetId, String> {
    w.create_subnet(CreateSubnet { vpc: Some(v), cidr: Some(cidr(block)), ..Default::default() })
        .map_err(|e| e.code)
}

#[test]
fn a1_blocks_are_stored_with_their_host_bits_cleared() {
    // A1: canonicalised (host bits cleared: 10.1.2.3/16 is stored as 10.1.0.0/16).
    let mut w = seoul(SEED);
    let v = create_vpc(&mut w, "10.1.2.3/16").unwrap();
    assert_eq!(w[v].cidr.to_string(), "10.1.0.0/16");
    let s = create_subnet(&mut w, v, "10.1.7.9/24").unwrap();
    assert_eq!(w[s].cidr.to_string(), "10.1.7.0/24");
}

#[test]
fn a1_vpc_and_subnet_blocks_must_be_16_to_28() {
    // A1: VPC and subnet IPv4 blocks are /16 to /28.
    let mut w = seoul(SEED);
    assert_eq!(create_vpc(&mut w, "10.0.0.0/15"), Err("InvalidVpc.Range".to_string()));
    assert_eq!(create_vpc(&mut w, "10.0.0.0/29"), Err("InvalidVpc.Range".to_string()));
    assert!(w.vpcs().is_empty(), "a refused CreateVpc creates nothing");
    let big = create_vpc(&mut w, "10.0.0.0/16").unwrap();
    create_vpc(&mut w, "10.1.0.0/28").unwrap();
    assert_eq!(create_subnet(&mut w, big, "10.0.0.0/29"), Err("InvalidSubnet.Range".to_string()));
    create_subnet(&mut w, big, "10.0.0.0/28").unwrap();
    create_subnet(&mut w, big, "10.0.128.0/17").unwrap();
    assert_eq!(w.subnets().len(), 2);
}

#[test]
fn a1_a_subnet_must_lie_inside_its_vpc_and_not_overlap_a_sibling() {
    // A1: Subnets of one VPC must not overlap and must lie inside a VPC CIDR.
    let mut w = seoul(SEED);
    let v = create_vpc(&mut w, "10.1.0.0/16").unwrap();
    let other = create_vpc(&mut w, "10.1.0.0/16").unwrap();
    assert_eq!(create_subnet(&mut w, v, "10.2.0.0/24"), Err("InvalidSubnet.Range".to_string()));
    create_subnet(&mut w, v, "10.1.0.0/24").unwrap();
    assert_eq!(create_subnet(&mut w, v, "10.1.0.128/25"), Err("InvalidSubnet.Conflict".to_string()));
    assert_eq!(create_subnet(&mut w, v, "10.1.0.0/23"), Err("InvalidSubnet.Conflict".to_string()));
    create_subnet(&mut w, v, "10.1.1.0/24").unwrap();
    // Overlap is a per-VPC rule: another VPC may use the same block.
    create_subnet(&mut w, other, "10.1.0.0/24").unwrap();
    assert_eq!(w.subnets().len(), 3);
}

#[test]
fn a2_the_reserved_addresses_of_10_0_0_0_24_are_refused_and_10_0_0_4_is_the_first_usable() {
    // A2: Five addresses of every subnet are reserved: network (.0), VPC router (.1), DNS (.2),
    // future (.3) and broadcast (last). The first address handed out in 10.0.0.0/24 is therefore 10.0.0.4.
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, v, "10.0.0.0/24", 0);
    let at = |w: &mut vpcsim::world::World, addr: &str| {
        w.create_network_interface(CreateNetworkInterface {
            subnet: Some(s),
            private_ip: Some(ip(addr)),
            ..Default::default()
        })
        .map_err(|e| e.code)
    };
    for reserved in ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.255"] {
        assert_eq!(at(&mut w, reserved), Err("InvalidParameterValue".to_string()), "{reserved}");
    }
    let first = at(&mut w, "10.0.0.4").unwrap();
    let last = at(&mut w, "10.0.0.254").unwrap();
    assert_eq!(w[first].private_ip, ip("10.0.0.4"));
    assert_eq!(w[last].private_ip, ip("10.0.0.254"));
}

#[test]
fn a2_a_28_hands_out_exactly_its_eleven_unreserved_addresses() {
    // A2: Five addresses of every subnet are reserved: network (.0), VPC router (.1), DNS (.2),
    // future (.3) and broadcast (last).
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, v, "10.0.0.0/28", 0);
    let mut got = BTreeSet::new();
    for _ in 0..11 {
        let e = w
            .create_network_interface(CreateNetworkInterface { subnet: Some(s), ..Default::default() })
            .unwrap();
        got.insert(w[e].private_ip);
    }
    let want: BTreeSet<_> = (4..=14).map(|n| ip(&format!("10.0.0.{n}"))).collect();
    assert_eq!(got, want);
    let twelfth =
        w.create_network_interface(CreateNetworkInterface { subnet: Some(s), ..Default::default() });
    assert_eq!(twelfth.unwrap_err().code, "InsufficientFreeAddressesInSubnet");
}

#[test]
fn a3_inside_a_vpc_using_a_public_range_the_real_hosts_of_that_range_are_unreachable() {
    // A3: Non-RFC1918 VPC ranges such as 20.0.0.0/16 are legal. Inside such a VPC the real
    // internet hosts of that range are unreachable, because the local route wins (inferred).
    // 169.254.0.0/16 is forbidden.
    let mut w = seoul(SEED);
    assert_eq!(create_vpc(&mut w, "169.254.0.0/16"), Err("InvalidVpc.Range".to_string()));
    let checkip = vpcsim::region::CHECKIP_ADDR;
    let v = create_vpc(&mut w, &format!("{}/16", checkip)).unwrap();
    let igw = internet_gateway(&mut w, v);
    let net = w[v].cidr;
    let s = subnet(&mut w, v, &format!("{}/24", net.network()), 0);
    let rt = public_route_table(&mut w, v, igw, &[s]);
    let i = instance(&mut w, s, &[], true);
    let t = w.trace(eni(&w, i), tcp_from(&w, i, checkip, 80));
    let why = t.explanation.expect("blocked");
    assert_eq!(why.code, ExplanationCode::UnknownDestination);
    assert_eq!((why.kind, why.component_id.as_str()), (K::RouteTable, w[rt].aws_id.as_str()));
    let route = t.forward.iter().find(|h| h.kind == K::RouteTable).and_then(|h| h.matched.clone());
    assert_eq!(
        route,
        Some(vpcsim::trace::Matched::Route {
            destination: net,
            target: vpcsim::trace::RouteTarget::Local,
            state: vpcsim::trace::RouteState::Active
        })
    );
}

#[test]
fn a4_an_explicit_address_outside_the_subnet_or_reserved_or_in_use_is_refused() {
    // A4: An IP asked for explicitly (PrivateIpAddress) must be inside the subnet, not reserved and
    // not in use; otherwise creation fails (API error InvalidParameterValue / InvalidIPAddress.InUse).
    let mut w = seoul(SEED);
    let v = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, v, "10.0.0.0/24", 0);
    let run = |w: &mut vpcsim::world::World, addr: &str| {
        w.run_instance(RunInstance { subnet: Some(s), private_ip: Some(ip(addr)), ..Default::default() })
            .map_err(|e| e.code)
    };
    assert_eq!(run(&mut w, "10.0.1.10"), Err("InvalidParameterValue".to_string()));
    assert_eq!(run(&mut w, "10.0.0.2"), Err("InvalidParameterValue".to_string()));
    assert!(w.instances().is_empty() && w.enis().is_empty(), "refused calls create nothing");
    let first = run(&mut w, "10.0.0.10").unwrap();
    assert_eq!(private_ip(&w, first), ip("10.0.0.10"));
    assert_eq!(run(&mut w, "10.0.0.10"), Err("InvalidIPAddress.InUse".to_string()));
    assert_eq!((w.instances().len(), w.enis().len()), (1, 1));
}

fn is_aws_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(|hex| {
        hex.len() == 17 && hex.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

#[test]
fn a5_ids_are_a_prefix_and_seventeen_lowercase_hex_digits() {
    // A5: IDs look like `vpc-` + 17 lowercase hex digits (also subnet-, rtb-, igw-, sg-, acl-, eni-, i-, vpce-, vpce-svc-).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let v = &w[lab.my_vpc];
    let e = &w[ep];
    let checks = [
        (v.aws_id.as_str(), "vpc"),
        (w[lab.my_subnet].aws_id.as_str(), "subnet"),
        (w[lab.my_rt].aws_id.as_str(), "rtb"),
        (w[lab.my_igw].aws_id.as_str(), "igw"),
        (w[lab.web_sg].aws_id.as_str(), "sg"),
        (w[v.default_nacl].aws_id.as_str(), "acl"),
        (w[eni(w, lab.my_ec2)].aws_id.as_str(), "eni"),
        (w.instance(lab.my_ec2).aws_id.as_str(), "i"),
        (e.aws_id.as_str(), "vpce"),
        (w[e.service.provider().unwrap()].service_id.as_str(), "vpce-svc"),
    ];
    for (id, prefix) in checks {
        assert!(is_aws_id(id, prefix), "{id} is not {prefix}- and 17 lowercase hex digits");
    }
}

#[test]
fn a5_the_same_seed_gives_byte_identical_traces_and_another_seed_other_ids() {
    // A5: A simulator should derive them from a seed so that runs repeat exactly.
    let run = |seed: u64| {
        let lab = Lab::ready(LabOptions { seed, ..Default::default() }).unwrap();
        let w = &lab.world;
        let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
        let trace = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, nlb_ip, 80));
        assert!(trace.reachable());
        assert!(trace.passes_in_order(&[K::InternetGateway, K::LoadBalancer, K::TargetGroup, K::Instance]));
        let json = serde_json::to_string(&trace).unwrap();
        (w[lab.my_vpc].aws_id.clone(), json, format!("{trace:?}"))
    };
    let (id_a, json_a, debug_a) = run(7);
    let (id_b, json_b, debug_b) = run(7);
    assert_eq!((&id_a, &json_a, &debug_a), (&id_b, &json_b, &debug_b));
    let (id_c, json_c, _) = run(8);
    assert_ne!(id_a, id_c);
    assert_ne!(json_a, json_c);
}

#[test]
fn i7_disassociating_an_elastic_ip_gives_the_instance_a_new_automatic_public_ip() {
    // I7: disassociating an Elastic IP from an instance's primary interface (one interface,
    // launched with an automatic public IP) gives it a new automatic public IP.
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    internet_gateway(&mut w, vpc);
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let public = instance(&mut w, a, &[], true);
    let private = instance(&mut w, a, &[], false);
    let first = public_ip(&w, public);
    let (eip, other) = (w.allocate_address(Tags::new()), w.allocate_address(Tags::new()));
    w.associate_address(eip, eni(&w, public)).unwrap();
    w.associate_address(other, eni(&w, private)).unwrap();
    assert_eq!(w.public_ip_of(eni(&w, public)), Some(w[eip].public_ip));
    w.disassociate_address(eip);
    let renewed = w.public_ip_of(eni(&w, public)).expect("a new automatic public IP");
    assert_ne!(renewed, w[eip].public_ip);
    assert_ne!(renewed, first, "a new address, not the one it had");
    w.disassociate_address(other);
    assert_eq!(w.public_ip_of(eni(&w, private)), None, "launched without a public IP, it gets none");
}

#[test]
fn i7_detaching_an_internet_gateway_while_public_addresses_are_mapped_fails_with_dependency_violation() {
    // I7: detaching an IGW while public addresses of the VPC are mapped (an automatic public
    // IP, an Elastic IP, an internet-facing load balancer node) fails with DependencyViolation.
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let igw = internet_gateway(&mut w, vpc);
    let a = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let vpc_id = w[vpc].aws_id.clone();
    let refused = |w: &mut vpcsim::world::World| {
        let e = w.detach_internet_gateway(igw, vpc).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("An error occurred (DependencyViolation) when calling the DetachInternetGateway operation: Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.")
        );
        assert_eq!(w[igw].attached, Some(vpc), "the gateway stays attached");
    };

    let automatic = instance(&mut w, a, &[], true);
    refused(&mut w);
    w.terminate_instance(automatic);

    let private = instance(&mut w, a, &[], false);
    let eip = w.allocate_address(Tags::new());
    w.associate_address(eip, eni(&w, private)).unwrap();
    refused(&mut w);
    w.disassociate_address(eip);

    let nlb = w
        .create_load_balancer(vpcsim::ops::elbv2::CreateLoadBalancer {
            name: "Public-NLB".into(),
            subnets: vec![a],
            internal: false,
            ..Default::default()
        })
        .unwrap();
    refused(&mut w);
    w.delete_load_balancer(nlb).unwrap();

    w.detach_internet_gateway(igw, vpc).unwrap();
    assert_eq!(w[igw].attached, None);
}
