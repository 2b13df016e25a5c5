//! Load balancers, endpoint services and endpoints: creating one costs what it creates,
//! not what the world already holds (L1, P1, P4). Before, CreateLoadBalancer and
//! CreateVpcEndpoint copied the whole world to be able to undo a failure, and the name
//! and service checks scanned every load balancer and service, so creating 10,000 of
//! them did not finish in four minutes.

use vpcsim::ids::{SubnetId, VpcId};
use vpcsim::ops::elbv2::CreateLoadBalancer;

use super::*;

/// A world of `vpcs` VPCs, each with one subnet.
fn world_of_vpcs(vpcs: usize) -> (World, Vec<(VpcId, SubnetId)>) {
    let mut w = World::in_region("ap-northeast-2", 11).unwrap();
    let mut made = Vec::new();
    for k in 0..vpcs {
        let block = Cidr::new(Ipv4Addr::new(10, (k % 250) as u8, 0, 0), 16);
        let vpc = w.create_vpc(CreateVpc { cidr: Some(block), ..Default::default() }).unwrap();
        let subnet = w
            .create_subnet(CreateSubnet {
                vpc: Some(vpc),
                cidr: Some(Cidr::new(block.network(), 24)),
                ..Default::default()
            })
            .unwrap();
        made.push((vpc, subnet));
    }
    (w, made)
}

/// In each VPC: an internal load balancer, an endpoint service on it and an endpoint to it.
fn front_each(w: &mut World, vpcs: &[(VpcId, SubnetId)]) {
    for &(vpc, subnet) in vpcs {
        let name = format!("nlb-{}", w.lbs().len());
        let req = CreateLoadBalancer { name, subnets: vec![subnet], internal: true, ..Default::default() };
        let lb = w.create_load_balancer(req).unwrap();
        let svc = w.create_vpc_endpoint_service_configuration(&[lb], false, None, Tags::new()).unwrap();
        let service_name = w[svc].service_name.clone();
        let req =
            CreateVpcEndpoint { vpc: Some(vpc), service_name, subnets: vec![subnet], ..Default::default() };
        w.create_vpc_endpoint(req).unwrap();
    }
}

/// The allocations made creating 5 more (load balancer, service, endpoint) in a world
/// already holding `existing` of them.
fn five_more_after(existing: usize) -> u64 {
    let (mut w, vpcs) = world_of_vpcs(existing + 5);
    front_each(&mut w, &vpcs[..existing]);
    let ((), usage) = measure(|| front_each(&mut w, &vpcs[existing..]));
    usage.allocations
}

#[test]
fn l1_p4_one_more_load_balancer_and_endpoint_cost_the_same_in_a_world_ten_times_larger() {
    let (small, large) = finishes(|| (five_more_after(20), five_more_after(200)));
    // A copy of the world per call made the large world's calls cost about 10 times more
    // (one allocation per string of every resource); an index growing takes one.
    assert!(large <= small + small / 5, "after 20: {small} allocations; after 200: {large}");
}

#[test]
fn l1_p4_creating_four_times_as_many_load_balancers_and_endpoints_costs_about_four_times_as_much() {
    let (n, four_n) = finishes(|| {
        let count = |k: usize| {
            let (mut w, vpcs) = world_of_vpcs(k);
            measure(|| front_each(&mut w, &vpcs)).1.allocations
        };
        (count(50), count(200))
    });
    assert!(four_n <= 4 * n + n / 2, "50: {n} allocations; 200: {four_n}");
}
