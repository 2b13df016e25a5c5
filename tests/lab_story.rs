//! The seed lab's whole story through the library API (the course's walkthrough):
//! the internet-gateway path before the endpoint, the PrivateLink path after, and
//! the reasons when a packet is dropped. Paths are asserted whole, forward and return.

use std::net::Ipv4Addr;

use vpcsim::addr::{Cidr, PortRange, RuleProtocol};
use vpcsim::apps::{curl::Curl, dig::Dig};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::endpoint_service::ServiceState;
use vpcsim::model::vpc_endpoint::EndpointState;
use vpcsim::model::Tags;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::trace::{
    ComponentKind as K, ExplanationCode, Hop, Matched, RouteState, RouteTarget, TargetId, Trace,
};
use vpcsim::world::World;

fn curl(host: &str) -> Curl {
    Curl {
        host: host.to_string(),
        port: 80,
        path: "/".into(),
        connect_timeout: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    }
}

fn dig(name: &str) -> Dig {
    Dig { name: name.to_string(), short: true, server: None }
}

fn kinds(hops: &[Hop]) -> Vec<K> {
    hops.iter().map(|h| h.kind).collect()
}

fn named<'a>(t: &'a Trace, kind: K, name: &str) -> &'a Hop {
    t.forward
        .iter()
        .find(|h| h.kind == kind && h.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no {kind} named {name} in {:#?}", kinds(&t.forward)))
}

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

fn public_ip(w: &World, instance: vpcsim::ids::InstanceId) -> Ipv4Addr {
    w.public_ip_of(w[instance].eni).expect("has a public ip")
}

#[test]
fn before_the_endpoint_my_ec2_reaches_the_nlb_through_both_internet_gateways() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let nlb_dns = lab.world[lab.nlb].dns_name.clone();
    let my_public = public_ip(&lab.world, lab.my_ec2);
    let w = &mut lab.world;

    let answer = w.dig(lab.my_ec2, &dig(&nlb_dns));
    assert_eq!(answer.answers.len(), 1, "one AZ, one address (L2)");
    let nlb_ip = answer.answers[0];
    assert!(w.region().is_amazon_public(nlb_ip), "A6: {nlb_ip} is in the region's ranges");
    assert_eq!(answer.stdout, format!("{nlb_ip}\n"));

    let out = w.curl(lab.my_ec2, &curl(&nlb_dns));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Endpoint Service Lab - CloudNeta Web Server"));
    let t = out.trace.unwrap();
    assert_eq!(
        kinds(&t.forward),
        vec![
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
            K::InternetGateway,
            K::NetworkAcl,
            K::NetworkInterface,
            K::LoadBalancer,
            K::LoadBalancerListener,
            K::TargetGroup,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance,
        ]
    );
    let egress = named(&t, K::SecurityGroup, "WebSG");
    assert!(matches!(&egress.matched, Some(Matched::SecurityGroupRule { protocol: RuleProtocol::All, .. })));
    let route = named(&t, K::RouteTable, "My-Public-RT");
    let my_igw_id = w[lab.my_igw].aws_id.clone();
    assert_eq!(
        route.matched,
        Some(Matched::Route {
            destination: Cidr::ANY,
            target: RouteTarget::InternetGateway(my_igw_id.into()),
            state: RouteState::Active
        })
    );
    let my_igw = named(&t, K::InternetGateway, "My-IGW");
    assert_eq!(my_igw.inbound.unwrap().src, w[w[lab.my_ec2].eni].private_ip);
    assert_eq!(my_igw.outbound.unwrap().src, my_public, "I1: source rewritten to My-EC2's public IP");
    let custom_igw = named(&t, K::InternetGateway, "Custom-IGW");
    assert_eq!(custom_igw.inbound.unwrap().dst, nlb_ip);
    assert!(
        cidr("20.0.0.0/24").contains(custom_igw.outbound.unwrap().dst),
        "I1: destination rewritten to the node's private IP"
    );
    assert!(matches!(&t.forward[11].matched, Some(Matched::Listener { port: 80, .. })));
    let Some(Matched::Target { target: TargetId::Instance(target), .. }) = &t.forward[12].matched else {
        panic!("no instance target chosen")
    };
    let chosen = [lab.web1, lab.web2].into_iter().find(|i| &w[i].aws_id == target).unwrap();
    let ingress = named(&t, K::SecurityGroup, "Custom-WebSG");
    assert!(
        matches!(&ingress.matched, Some(Matched::SecurityGroupRule { ports, .. }) if *ports == PortRange::single(80))
    );
    assert_eq!(t.forward.last().unwrap().id, w[chosen].aws_id);
    assert_eq!(t.seen_source(), Some(my_public), "L7: the target sees My-EC2's public IP");
    assert!(t.passes_in_order(&[K::InternetGateway, K::InternetGateway, K::LoadBalancer, K::TargetGroup]));
    assert!(!t.passes(K::VpcEndpoint));
    assert_eq!(
        kinds(&t.ret),
        vec![
            K::NetworkInterface,
            K::SecurityGroup,
            // L7, N1: the target's reply leaves its subnet towards My-EC2's preserved address.
            K::NetworkAcl,
            K::NetworkInterface,
            K::NetworkAcl,
            K::RouteTable,
            K::InternetGateway,
            K::Internet,
            K::InternetGateway,
            K::NetworkAcl,
            K::SecurityGroup,
            K::NetworkInterface,
        ],
        "RA3: the response passes the NACLs, the route to the IGW and both gateways"
    );
}

#[test]
fn a_pending_endpoint_has_two_names_but_refuses_traffic_with_bad_state() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = w.create_vpc_endpoint_service_configuration(&[lab.nlb], true, None, Tags::new()).unwrap();
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(lab.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![lab.my_subnet],
            groups: vec![lab.web_sg],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(w[ep].state, EndpointState::PendingAcceptance);
    let names = w.endpoint_dns_names(ep);
    assert_eq!(names.len(), 2, "P6: a regional and a zonal name");
    let out = w.curl(lab.my_ec2, &curl(&names[0]));
    assert_eq!(out.exit_code, 28);
    let why = out.trace.unwrap().explanation.unwrap();
    assert_eq!(why.code, ExplanationCode::BadState);
    assert_eq!(why.kind, K::VpcEndpoint);
    assert_eq!(why.component_id, w[ep].aws_id);
    assert!(why.message.contains("pendingAcceptance"));
}

#[test]
fn after_acceptance_curl_goes_privately_through_the_endpoint_and_the_nlb_node() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &mut lab.world;
    assert_eq!(w[ep].state, EndpointState::Available);
    let name = w.endpoint_dns_names(ep)[0].clone();

    let answer = w.dig(lab.my_ec2, &dig(&name));
    assert_eq!(answer.answers.len(), 1);
    let addr = answer.answers[0];
    assert!(cidr("10.0.0.0/24").contains(addr), "{addr} lies in My-Public-SN");
    assert!(w[lab.my_subnet].reserved(addr).is_none(), "A2: not a reserved address");

    let out = w.curl(lab.my_ec2, &curl(&name));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("CloudNeta Web Server"));
    let t = out.trace.unwrap();
    assert_eq!(
        kinds(&t.forward),
        vec![
            K::Instance,
            K::NetworkInterface,
            K::SecurityGroup,
            K::SecurityGroup,
            K::NetworkInterface,
            K::VpcEndpoint,
            K::VpcEndpointService,
            K::LoadBalancer,
            K::LoadBalancerListener,
            K::TargetGroup,
            K::NetworkInterface,
            K::SecurityGroup,
            K::NetworkInterface,
            K::Instance,
        ]
    );
    assert!(!t.passes(K::InternetGateway) && !t.ret.iter().any(|h| h.kind == K::InternetGateway));
    let endpoint_sg = &t.forward[3];
    assert_eq!(endpoint_sg.name.as_deref(), Some("WebSG"), "S6: the endpoint's group filters inbound");
    assert!(
        matches!(&endpoint_sg.matched, Some(Matched::SecurityGroupRule { ports, .. }) if *ports == PortRange::single(80))
    );
    let node = w[lab.nlb].nodes[0].clone();
    assert_eq!(node.az, w[lab.my_subnet].az, "P8: the node in the endpoint's AZ");
    let node_ip = w[node.eni].private_ip;
    assert_eq!(t.seen_source(), Some(node_ip), "L7/P8: the target sees the NLB node's private IP");
    assert!(cidr("20.0.0.0/24").contains(node_ip));
}

#[test]
fn without_a_public_ip_the_internet_path_fails_but_privatelink_still_works() {
    let mut lab = Lab::ready(LabOptions { my_ec2_public_ip: false, ..LabOptions::default() }).unwrap();
    let nlb_dns = lab.world[lab.nlb].dns_name.clone();
    let out = lab.world.curl(lab.my_ec2, &curl(&nlb_dns));
    assert_ne!(out.exit_code, 0);
    let why = out.trace.unwrap().explanation.unwrap();
    assert_eq!(why.code, ExplanationCode::IgwPublicIpAssociationForEgress);
    assert_eq!(why.component_name.as_deref(), Some("My-IGW"));

    let ep = lab.connect_privatelink().unwrap();
    let name = lab.world.endpoint_dns_names(ep)[0].clone();
    let out = lab.world.curl(lab.my_ec2, &curl(&name));
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.trace.unwrap().reachable());
}

#[test]
fn the_service_cannot_be_deleted_while_its_endpoint_is_connected() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &mut lab.world;
    let svc = w[ep].service.provider().expect("the lab endpoint is to its provider service");
    let err = w.delete_vpc_endpoint_service_configuration(svc).unwrap_err();
    assert_eq!(err.code, "ExistingVpcEndpointConnections");
    let err = w.delete_load_balancer(lab.nlb).unwrap_err();
    assert_eq!(err.code, "ResourceInUse", "P10: an NLB in use by a service cannot be deleted");
    w.delete_vpc_endpoints(&[ep]).unwrap();
    w.delete_vpc_endpoint_service_configuration(svc).unwrap();
    assert_eq!(w[svc].state, ServiceState::Deleted);
    w.delete_load_balancer(lab.nlb).unwrap();
}

#[test]
fn the_same_seed_gives_byte_identical_traces_and_another_seed_other_ids() {
    let run = |seed| {
        let mut lab = Lab::ready(LabOptions { seed, ..LabOptions::default() }).unwrap();
        let ep = lab.connect_privatelink().unwrap();
        let name = lab.world.endpoint_dns_names(ep)[0].clone();
        let a = lab.world.curl(lab.my_ec2, &curl(&name));
        let nlb = lab.world[lab.nlb].dns_name.clone();
        let b = lab.world.curl(lab.my_ec2, &curl(&nlb));
        format!("{a:?}{b:?}")
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    let vpc_id = |seed| {
        Lab::build(LabOptions { seed, ..LabOptions::default() })
            .unwrap()
            .world
            .vpcs()
            .first()
            .unwrap()
            .aws_id
            .clone()
    };
    assert_ne!(vpc_id(1), vpc_id(2));
}

// ---------------------------------------------------------------- one lab: API and template agree

/// `vpcsim describe lab --until N`, run where no file is called `lab` (the built-in lab).
fn describe_lab_cli(until: usize) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["describe", "lab", "--until", &until.to_string()])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("vpcsim runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn describe_lab_api(lab: &Lab) -> String {
    format!("{}\n", vpcsim::describe::pretty(&vpcsim::describe::everything(&lab.world)))
}

#[test]
fn the_lab_api_and_vpcsim_describe_lab_describe_the_same_world() {
    let built = Lab::build(LabOptions::default()).unwrap();
    assert_eq!(describe_lab_api(&built), describe_lab_cli(0));
    let ready = Lab::ready(LabOptions::default()).unwrap();
    assert_eq!(describe_lab_api(&ready), describe_lab_cli(1));
}

#[test]
fn the_lab_api_builds_the_embedded_template_and_finds_each_handle_by_logical_id() {
    let lab = Lab::build(LabOptions::default()).unwrap();
    assert_eq!(vpcsim::lab::TEMPLATE, include_str!("../scenarios/privatelink-lab.cfn.yaml"));
    let physical = |id: &str| lab.stack.resources[id].1.physical_id.clone();
    let w = &lab.world;
    let op = "DescribeStackResource";
    assert_eq!(w.vpc_id(op, &physical("MyVPC")), Ok(lab.my_vpc));
    assert_eq!(w.vpc_id(op, &physical("CustomVPC")), Ok(lab.custom_vpc));
    assert_eq!(w.subnet_id(op, &physical("MyPublicSN")), Ok(lab.my_subnet));
    assert_eq!(w.igw_id(op, &physical("CustomIGW")), Ok(lab.custom_igw));
    assert_eq!(w.route_table_id(op, &physical("MyPublicRT")), Ok(lab.my_rt));
    assert_eq!(w.sg_id(op, &physical("CustomWebSG")), Ok(lab.custom_sg));
    assert_eq!(w.instance_id(op, &physical("MyEC2")), Ok(lab.my_ec2));
    assert_eq!(w.instance_id(op, &physical("CustomWeb2EC2")), Ok(lab.web2));
    assert_eq!(w.lb_id(op, &physical("CustomNLB")), Ok(lab.nlb));
    assert_eq!(w.target_group_id(op, &physical("CustomNLBTG")), Ok(lab.tg));
}
