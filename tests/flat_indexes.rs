//! The indexes behind flat cost (the gateway of a VPC, the subnet holding an address,
//! the load balancer or endpoint behind a DNS name) agree with a plain scan of the
//! arenas, after creations, changes and deletions.

use std::net::Ipv4Addr;

use proptest::prelude::*;
use vpcsim::addr::Cidr;
use vpcsim::dns::{Rcode, View};
use vpcsim::ids::{IgwId, LbId, SubnetId, VpcId};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::endpoint_service::ServiceState;
use vpcsim::model::vpc_endpoint::{EndpointState, VpcEndpoint};
use vpcsim::model::Tags;
use vpcsim::ops::elbv2::CreateLoadBalancer;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc};
use vpcsim::world::World;

/// A change to the world the indexes must follow.
#[derive(Clone, Debug)]
enum Change {
    CreateSubnet { vpc: usize, third: u8, len: u8 },
    DeleteSubnet(usize),
    CreateIgw,
    Attach { igw: usize, vpc: usize },
    Detach(usize),
    DeleteIgw(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (0..3usize, 0..8u8, 22..=28u8).prop_map(|(vpc, third, len)| Change::CreateSubnet { vpc, third, len }),
        2 => (0..32usize).prop_map(Change::DeleteSubnet),
        1 => Just(Change::CreateIgw),
        2 => (0..6usize, 0..3usize).prop_map(|(igw, vpc)| Change::Attach { igw, vpc }),
        1 => (0..6usize).prop_map(Change::Detach),
        1 => (0..6usize).prop_map(Change::DeleteIgw),
    ]
}

/// Three VPCs with the same block, so an address alone does not say which subnet holds it.
fn three_vpcs() -> (World, Vec<VpcId>) {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    let vpcs = (0..3)
        .map(|_| w.create_vpc(CreateVpc { cidr: "10.0.0.0/16".parse().ok(), ..Default::default() }).unwrap())
        .collect();
    (w, vpcs)
}

/// Applies a change; refusals (overlapping blocks, a second gateway) are part of the test.
fn apply(w: &mut World, vpcs: &[VpcId], c: &Change) {
    match *c {
        Change::CreateSubnet { vpc, third, len } => {
            let cidr = Cidr::new(Ipv4Addr::new(10, 0, third, 0), len);
            let _ = w.create_subnet(CreateSubnet {
                vpc: Some(vpcs[vpc]),
                cidr: Some(cidr),
                ..Default::default()
            });
        }
        Change::DeleteSubnet(k) if k < w.subnets().len() => {
            let _ = w.delete_subnet(SubnetId(k as u32));
        }
        Change::CreateIgw => {
            w.create_internet_gateway(Tags::new());
        }
        Change::Attach { igw, vpc } if igw < w.igws().len() => {
            let _ = w.attach_internet_gateway(IgwId(igw as u32), vpcs[vpc]);
        }
        Change::Detach(igw) if igw < w.igws().len() => {
            let g = IgwId(igw as u32);
            if let Some(vpc) = w[g].attached {
                w.detach_internet_gateway(g, vpc).unwrap();
            }
        }
        Change::DeleteIgw(igw) if igw < w.igws().len() => {
            let _refused_while_attached = w.delete_internet_gateway(IgwId(igw as u32));
        }
        _ => {}
    }
}

fn scan_subnet(w: &World, vpc: VpcId, ip: Ipv4Addr) -> Option<SubnetId> {
    w.subnets().live().find(|(_, s)| s.vpc == vpc && s.cidr.contains(ip)).map(|(id, _)| id)
}

fn scan_igw(w: &World, vpc: VpcId) -> Option<IgwId> {
    w.igws().live().find(|(_, g)| g.attached == Some(vpc)).map(|(id, _)| id)
}

/// Addresses at and around every block ever created, and a few others.
fn probes(w: &World) -> Vec<Ipv4Addr> {
    let mut ips: Vec<Ipv4Addr> = ["10.0.0.0", "10.0.255.255", "10.1.0.0", "9.255.255.255"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    for s in w.subnets().values() {
        let (first, last) = (u32::from(s.cidr.network()), u32::from(s.cidr.last()));
        ips.extend([first.wrapping_sub(1), first, first + 1, last, last.wrapping_add(1)].map(Ipv4Addr::from));
    }
    ips
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_subnet_holding_an_address_and_the_gateway_of_a_vpc_are_those_a_scan_finds(
        changes in proptest::collection::vec(change(), 0..40)
    ) {
        let (mut w, vpcs) = three_vpcs();
        for c in &changes {
            apply(&mut w, &vpcs, c);
            for &vpc in &vpcs {
                prop_assert_eq!(w.igw_of(vpc), scan_igw(&w, vpc), "gateway of {:?} after {:?}", vpc, c);
            }
        }
        for ip in probes(&w) {
            for &vpc in &vpcs {
                prop_assert_eq!(w.subnet_containing(vpc, ip), scan_subnet(&w, vpc, ip), "{} in {:?}", ip, vpc);
            }
        }
    }
}

/// P6: an endpoint's names answer while its interfaces exist.
fn resolves(e: &VpcEndpoint) -> bool {
    !matches!(e.state, EndpointState::Deleting | EndpointState::Deleted | EndpointState::Failed)
}

fn endpoint_addresses(w: &World, e: &VpcEndpoint, az: Option<&str>) -> Vec<Ipv4Addr> {
    e.enis.iter().filter(|x| az.is_none_or(|a| w[w[**x].subnet].az == a)).map(|x| w[x].private_ip).collect()
}

/// The resolver as a scan of every load balancer and endpoint (L2, L6, P6, P9), for names of those kinds.
fn scan_resolve(w: &World, view: View, name: &str) -> Option<Vec<Ipv4Addr>> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if let View::Vpc(vpc) = view {
        let v = &w[vpc];
        let private = w.endpoints().values().find(|e| {
            let Some(svc) = e.service.provider().map(|s| &w[s]) else { return false };
            e.vpc == vpc
                && e.private_dns_enabled
                && resolves(e)
                && svc.state == ServiceState::Available
                && svc.private_dns.as_ref().is_some_and(|p| {
                    p.verified_at_ms.is_some_and(|at| at <= w.now_ms()) && p.name.eq_ignore_ascii_case(&name)
                })
        });
        if let Some(e) = private.filter(|_| v.dns_support && v.dns_hostnames) {
            return Some(endpoint_addresses(w, e, None));
        }
    }
    for (lb, l) in w.lbs().live() {
        let dns = l.dns_name.to_ascii_lowercase();
        if name == dns {
            return Some(w.lb_addresses(lb, None));
        }
        if let Some(az) = name.strip_suffix(&format!(".{dns}")) {
            if l.nodes.iter().any(|n| n.az == az) {
                return Some(w.lb_addresses(lb, Some(az)));
            }
        }
    }
    let (first, base) = name.split_once('.')?;
    for e in w.endpoints().values().filter(|e| resolves(e)) {
        if base != w.endpoint_base_dns_name(e.service) {
            continue;
        }
        let stem = format!("{}-{}", e.aws_id, e.dns_suffix);
        if first == stem {
            return Some(endpoint_addresses(w, e, None));
        }
        if let Some(az) = first.strip_prefix(&format!("{stem}-")) {
            return Some(endpoint_addresses(w, e, Some(az)));
        }
    }
    None
}

/// Every name a load balancer or endpoint has, in other cases and zones, and near misses.
fn names(w: &World) -> Vec<String> {
    let mut names = Vec::new();
    for l in w.lbs().values() {
        names.push(l.dns_name.clone());
        names.push(format!("{}.", l.dns_name.to_ascii_uppercase()));
        names.push(format!("x{}", l.dns_name));
        for az in w.region().azs.iter().chain(&["nowhere-1z"]) {
            names.push(format!("{az}.{}", l.dns_name));
        }
    }
    for (ep, e) in w.endpoints().iter() {
        names.extend(w.endpoint_dns_names(ep));
        let base = w.endpoint_base_dns_name(e.service);
        names.push(format!("{}-{}-nowhere-1z.{base}", e.aws_id, e.dns_suffix));
        names.push(format!("{}-{}.{base}", e.aws_id, e.dns_suffix).to_ascii_uppercase());
        names.push(format!("{}.{base}", e.aws_id));
    }
    for s in w.services().values() {
        names.extend(s.private_dns.iter().flat_map(|p| [p.name.clone(), p.name.to_ascii_uppercase()]));
    }
    names
}

fn assert_resolver_agrees_with_a_scan(w: &World, views: &[View]) {
    let names = names(w);
    assert!(names.len() > 20, "the world has names to resolve");
    for &view in views {
        for name in &names {
            let got = w.resolve(view, name);
            match scan_resolve(w, view, name) {
                Some(addrs) => {
                    assert_eq!((got.rcode, &got.addrs), (Rcode::NoError, &addrs), "{name} from {view:?}")
                }
                None => assert_eq!(got.rcode, Rcode::NxDomain, "{name} from {view:?}: {got:?}"),
            }
        }
    }
}

#[test]
fn load_balancer_and_endpoint_names_resolve_as_a_scan_does_l2_p6_p9_p12_before_verification_and_after_deletions(
) {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.connect_privatelink().unwrap();
    let w = &mut lab.world;
    w.modify_vpc_dns(lab.my_vpc, Some(true), Some(true));
    let extra: LbId = w
        .create_load_balancer(CreateLoadBalancer {
            name: "Extra-NLB".into(),
            subnets: vec![lab.custom_subnet],
            internal: true,
            ..Default::default()
        })
        .unwrap();
    let private_name = Some("API.Example.Internal".to_string());
    let svc =
        w.create_vpc_endpoint_service_configuration(&[extra], false, private_name, Tags::new()).unwrap();
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(lab.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![lab.my_subnet],
            private_dns_enabled: true,
            ..Default::default()
        })
        .unwrap();
    w.advance(std::time::Duration::from_secs(150));
    let views = [View::Public, View::Vpc(lab.my_vpc), View::Vpc(lab.custom_vpc)];
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), "api.example.internal").rcode, Rcode::NxDomain);
    assert_resolver_agrees_with_a_scan(w, &views);
    w.start_vpc_endpoint_service_private_dns_verification(svc).unwrap();
    w.advance(std::time::Duration::from_secs(60));
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), "api.example.internal").rcode, Rcode::NoError);
    assert_resolver_agrees_with_a_scan(w, &views);

    w.delete_vpc_endpoints(&[ep]).unwrap();
    w.delete_vpc_endpoint_service_configuration(svc).unwrap();
    w.delete_load_balancer(extra).unwrap();
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), "api.example.internal").rcode, Rcode::NxDomain);
    let extra_name = w[extra].dns_name.clone();
    assert_eq!(w.resolve(View::Public, &extra_name).rcode, Rcode::NxDomain);
    assert_resolver_agrees_with_a_scan(w, &views);
}
