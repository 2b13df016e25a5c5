//! Fidelity tests for PrivateLink (docs/aws-rules.md P1-P10) and DNS (D2, D3, D5).

mod common;

use std::time::Duration;

use common::*;
use vpcsim::apps::dig::Dig;
use vpcsim::dns::{Rcode, View};
use vpcsim::forward::{Destination, Outcome};
use vpcsim::ids::*;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::eni::EniOwner;
use vpcsim::model::nlb::ListenerProtocol;
use vpcsim::model::vpc_endpoint::EndpointState;
use vpcsim::model::Tags;
use vpcsim::ops::elbv2::CreateLoadBalancer;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::trace::{ComponentKind as K, ExplanationCode as C, Trace};
use vpcsim::world::World;

fn blocked_at(t: &Trace) -> (C, K, String) {
    let e = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

fn service(w: &mut World, nlb: LbId, acceptance: bool) -> ServiceId {
    w.create_vpc_endpoint_service_configuration(&[nlb], acceptance, None, Tags::new()).unwrap()
}

fn endpoint(
    w: &mut World,
    vpc: VpcId,
    svc: ServiceId,
    subnets: &[SubnetId],
    groups: &[SgId],
) -> Result<EndpointId, String> {
    w.create_vpc_endpoint(CreateVpcEndpoint {
        vpc: Some(vpc),
        service_name: w[svc].service_name.clone(),
        subnets: subnets.to_vec(),
        groups: groups.to_vec(),
        ..Default::default()
    })
    .map_err(|e| e.code)
}

fn endpoint_ip(w: &World, ep: EndpointId, i: usize) -> std::net::Ipv4Addr {
    w[w[ep].enis[i]].private_ip
}

fn state(w: &World, ep: EndpointId) -> EndpointState {
    w[ep].state
}

fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn p1_a_service_has_aws_shaped_ids_and_names() {
    // P1: ServiceId `vpce-svc-<17 hex>`; ServiceName `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`;
    // base DNS name `vpce-svc-<17 hex>.<region>.vpce.amazonaws.com`; state Available once created.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let svc = service(&mut lab.world, lab.nlb, true);
    let s = &lab.world[svc];
    assert!(s.service_id.strip_prefix("vpce-svc-").is_some_and(|h| is_hex(h, 17)), "{}", s.service_id);
    assert_eq!(s.service_name, format!("com.amazonaws.vpce.ap-northeast-2.{}", s.service_id));
    assert_eq!(s.base_dns_name, format!("{}.ap-northeast-2.vpce.amazonaws.com", s.service_id));
    assert_eq!(s.state.as_str(), "Available");
}

#[test]
fn p2_an_endpoint_waits_for_acceptance_then_becomes_available_two_minutes_later() {
    // P2: a new endpoint waits in `pendingAcceptance` until the service owner accepts
    // (AcceptVpcEndpointConnections). After acceptance the endpoint goes `pending`, then
    // `available` after a delay (about two minutes in the lab).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, true);
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[lab.web_sg]).unwrap();
    let ep_id = w[ep].aws_id.clone();
    let flow = tcp_from(w, lab.my_ec2, endpoint_ip(w, ep, 0), 80);
    let from = eni(w, lab.my_ec2);

    assert_eq!(state(w, ep), EndpointState::PendingAcceptance);
    w.advance(Duration::from_secs(3600));
    assert_eq!(state(w, ep), EndpointState::PendingAcceptance, "nothing happens without the owner");
    let t = w.trace(from, flow);
    assert_eq!(blocked_at(&t), (C::BadState, K::VpcEndpoint, ep_id.clone()));
    assert!(t.explanation.unwrap().message.contains("pendingAcceptance"));

    w.accept_vpc_endpoint_connections(svc, &[ep]).unwrap();
    assert_eq!(state(w, ep), EndpointState::Pending);
    w.advance(Duration::from_secs(119));
    assert_eq!(state(w, ep), EndpointState::Pending);
    assert_eq!(blocked_at(&w.trace(from, flow)), (C::BadState, K::VpcEndpoint, ep_id));
    w.advance(Duration::from_secs(1));
    assert_eq!(state(w, ep), EndpointState::Available);
    let t = w.trace(from, flow);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(t.passes_in_order(&[
        K::VpcEndpoint,
        K::VpcEndpointService,
        K::LoadBalancer,
        K::TargetGroup,
        K::Instance
    ]));
    assert_eq!(w.accept_vpc_endpoint_connections(svc, &[ep]).unwrap_err().code, "InvalidState");
}

#[test]
fn p2_without_acceptance_required_an_endpoint_goes_straight_to_pending() {
    // P2: AcceptanceRequired ...: a new endpoint waits in `pendingAcceptance` until the service owner accepts.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, false);
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[lab.web_sg]).unwrap();
    assert_eq!(state(w, ep), EndpointState::Pending);
    w.advance(Duration::from_secs(120));
    assert_eq!(state(w, ep), EndpointState::Available);
}

#[test]
fn p3_a_principal_of_another_account_is_refused_until_the_owner_allows_it() {
    // P3: Allowed principals: only listed principals (ARNs, or `*`) may create endpoints to the
    // service; others get an error at creation.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, true);
    let owner = w.caller().to_string();
    let stranger = "arn:aws:iam::012345678901:root".to_string();
    assert!(!owner.contains("012345678901"));
    let enis_before = w.enis().len();

    w.assume_principal(&stranger).unwrap();
    let refused = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[lab.web_sg]);
    assert_eq!(refused, Err("InvalidServiceName".to_string()));
    assert!(w.endpoints().is_empty() && w.enis().len() == enis_before, "a refused call creates nothing");

    w.assume_principal(&owner).unwrap();
    w.modify_vpc_endpoint_service_permissions(svc, std::slice::from_ref(&stranger), &[]).unwrap();
    assert_eq!(w[svc].allowed_principals, std::slice::from_ref(&stranger));
    w.assume_principal(&stranger).unwrap();
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[lab.web_sg]).unwrap();
    assert_eq!(w[ep].owner, stranger);
    assert_eq!(state(w, ep), EndpointState::PendingAcceptance);

    w.assume_principal(&owner).unwrap();
    w.modify_vpc_endpoint_service_permissions(svc, &[], std::slice::from_ref(&stranger)).unwrap();
    w.assume_principal(&stranger).unwrap();
    let other = subnet(w, lab.my_vpc, "10.0.9.0/24", 0);
    assert_eq!(endpoint(w, lab.my_vpc, svc, &[other], &[]), Err("InvalidServiceName".to_string()));
}

#[test]
fn p4_an_endpoint_has_one_interface_per_subnet_with_the_default_group_when_none_is_given() {
    // P4: An interface endpoint takes one subnet per AZ and gets one requester-managed ENI per
    // chosen subnet, with a private IP from that subnet. Its security groups (default group if
    // none given) apply to inbound traffic at those ENIs.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, false);
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[]).unwrap();
    let default = w[lab.my_vpc].default_sg;
    let e = &w[ep];
    assert_eq!((e.enis.len(), e.groups.clone()), (1, vec![default]));
    let nic = &w[e.enis[0]];
    assert_eq!(
        (nic.owner, nic.subnet, nic.groups.clone()),
        (EniOwner::Endpoint(ep), lab.my_subnet, vec![default])
    );
    assert!(w[lab.my_subnet].cidr.contains(nic.private_ip));
    // The default group admits only its members: My-EC2 (WebSG) is refused at the endpoint's interface.
    w.advance(Duration::from_secs(120));
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, endpoint_ip(w, ep, 0), 80));
    assert_eq!(blocked_at(&t), (C::EniSgRulesMismatch, K::SecurityGroup, w[default].aws_id.clone()));
}

#[test]
fn p5_an_endpoint_subnet_in_an_az_without_an_nlb_node_is_refused() {
    // P5: The service exists only in the AZs where its NLB has nodes; an endpoint subnet in another
    // AZ is refused at creation (RA code VPCE_SERVICE_NOT_INSTALLED_IN_AZ).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, true);
    assert_eq!(w.service_azs(svc), [w.region().azs[0]]);
    let elsewhere = subnet(w, lab.my_vpc, "10.0.1.0/24", 1);
    let enis_before = w.enis().len();
    for subnets in [vec![elsewhere], vec![lab.my_subnet, elsewhere]] {
        let err = w
            .create_vpc_endpoint(CreateVpcEndpoint {
                vpc: Some(lab.my_vpc),
                service_name: w[svc].service_name.clone(),
                subnets,
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
        assert!(err.message.contains("VPCE_SERVICE_NOT_INSTALLED_IN_AZ"), "{}", err.message);
        assert!(err.message.contains(w.region().azs[1]), "{}", err.message);
    }
    assert!(w.endpoints().is_empty() && w.enis().len() == enis_before);
    endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[]).unwrap();
}

/// The lab plus a second, cross-zone NLB in CustomVPC with nodes in the first two AZs, fronted
/// by a service without acceptance, and an available endpoint in MyVPC in both AZs.
struct TwoZoneService {
    lab: Lab,
    lb: LbId,
    ep: EndpointId,
}

fn two_zone_service() -> TwoZoneService {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let custom_b = subnet(w, lab.custom_vpc, "20.0.1.0/24", 1);
    let my_b = subnet(w, lab.my_vpc, "10.0.1.0/24", 1);
    let lb = w
        .create_load_balancer(CreateLoadBalancer {
            name: "two-zones".into(),
            subnets: vec![lab.custom_subnet, custom_b],
            cross_zone: true,
            ..Default::default()
        })
        .unwrap();
    w.create_listener(lb, ListenerProtocol::Tcp, 80, Some(lab.tg)).unwrap();
    let svc = service(w, lb, false);
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet, my_b], &[lab.web_sg]).unwrap();
    w.advance(Duration::from_secs(180));
    assert_eq!(state(w, ep), EndpointState::Available);
    TwoZoneService { lab, lb, ep }
}

#[test]
fn p6_an_endpoint_has_a_regional_name_for_all_its_interfaces_and_a_zonal_name_per_az() {
    // P6: a regional name `vpce-<17 hex>-<8 random lowercase>.vpce-svc-<17 hex>.<region>.vpce.amazonaws.com`
    // resolving to every endpoint ENI, and one zonal name per AZ, the same with `-<az>` after the
    // random part, resolving to that AZ's ENI.
    let TwoZoneService { lab, ep, .. } = two_zone_service();
    let w = &lab.world;
    let e = &w[ep];
    let svc = &w[e.service.provider().expect("a provider service")];
    let suffix = &e.dns_suffix;
    assert!(suffix.len() == 8 && suffix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert!(e.aws_id.strip_prefix("vpce-").is_some_and(|h| is_hex(h, 17)));
    let base = format!("{}.ap-northeast-2.vpce.amazonaws.com", svc.service_id);
    let regional = format!("{}-{suffix}.{base}", e.aws_id);
    let zonal: Vec<String> =
        w.region().azs[..2].iter().map(|az| format!("{}-{suffix}-{az}.{base}", e.aws_id)).collect();
    assert_eq!(w.endpoint_dns_names(ep), [regional.clone(), zonal[0].clone(), zonal[1].clone()]);
    let ips = [endpoint_ip(w, ep, 0), endpoint_ip(w, ep, 1)];
    // D4: endpoint names are public records that point at private IPs: the same answer everywhere.
    for view in [View::Vpc(lab.my_vpc), View::Vpc(lab.custom_vpc), View::Public] {
        let a = w.resolve(view, &regional);
        assert_eq!((a.rcode, a.addrs), (Rcode::NoError, ips.to_vec()), "{view:?}");
        for (i, name) in zonal.iter().enumerate() {
            assert_eq!(w.resolve(view, name).addrs, [ips[i]], "{name}");
        }
    }
}

#[test]
fn p6_with_one_subnet_there_are_two_names_as_in_the_lab() {
    // P6: With one subnet there are two names, as the lab shows.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let names = w.endpoint_dns_names(ep);
    assert_eq!(names.len(), 2);
    assert!(names[1].contains(&format!("-{}.vpce-svc-", w.region().azs[0])), "{}", names[1]);
    for n in &names {
        assert_eq!(w.resolve(View::Vpc(lab.my_vpc), n).addrs, [endpoint_ip(w, ep, 0)]);
    }
}

#[test]
fn p7_the_provider_has_no_path_back_through_the_endpoint() {
    // P7: It is one-way: consumers connect to the service; the service cannot open connections
    // back through the endpoint (RA VPCE_INTRA_VPC_TRAFFIC).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let igw = w[lab.custom_igw].aws_id.clone();
    for dst in [endpoint_ip(w, ep, 0), private_ip(w, lab.my_ec2)] {
        for from in [lab.web1, lab.web2] {
            let t = w.trace(eni(w, from), tcp_from(w, from, dst, 22));
            assert_eq!(
                blocked_at(&t),
                (C::IgwDestinationAddressNotInRfc1918Egress, K::InternetGateway, igw.clone())
            );
            assert!(!t.passes(K::VpcEndpoint) && !t.passes(K::VpcEndpointService));
        }
    }
    let t = w.trace(eni(w, lab.my_ec2), tcp_from(w, lab.my_ec2, endpoint_ip(w, ep, 0), 80));
    assert!(t.reachable(), "{:?}", t.explanation);
}

#[test]
fn p8_endpoint_traffic_enters_the_nlb_node_in_the_endpoint_interfaces_az() {
    // P8: Endpoint traffic enters the NLB node in the same AZ as the endpoint ENI, and reaches the
    // target from the NLB node's private IP (L7).
    let TwoZoneService { lab, lb, ep } = two_zone_service();
    let w = &lab.world;
    for i in 0..2 {
        let node = w[w[lb].nodes[i].eni].private_ip;
        let flow = tcp_from(w, lab.my_ec2, endpoint_ip(w, ep, i), 80);
        match w.verdict(eni(w, lab.my_ec2), flow) {
            Outcome::Delivered { to: Destination::Instance(_), seen } => {
                assert_eq!(seen.src, node, "zone {i}")
            }
            other => panic!("zone {i}: {other:?}"),
        }
    }
}

#[test]
fn p10_the_provider_may_reject_an_available_endpoint_and_traffic_stops() {
    // P10: The provider may reject an endpoint at any time, even when available.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &mut lab.world;
    let svc = w[ep].service.provider().expect("a provider service");
    let flow = tcp_from(w, lab.my_ec2, endpoint_ip(w, ep, 0), 80);
    assert!(w.trace(eni(w, lab.my_ec2), flow).reachable());
    w.reject_vpc_endpoint_connections(svc, &[ep]).unwrap();
    assert_eq!(state(w, ep), EndpointState::Rejected);
    let t = w.trace(eni(w, lab.my_ec2), flow);
    assert_eq!(blocked_at(&t), (C::BadState, K::VpcEndpoint, w[ep].aws_id.clone()));
    assert!(t.explanation.unwrap().message.contains("rejected"));
    assert_eq!(w.reject_vpc_endpoint_connections(svc, &[ep]).unwrap_err().code, "InvalidState");
}

#[test]
fn p10_a_service_with_live_connections_and_an_nlb_in_use_by_a_service_cannot_be_deleted() {
    // P10: An endpoint service with endpoint connections that are not rejected or deleted cannot
    // be deleted; an NLB in use by a service cannot be deleted.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, true);
    let ep = endpoint(w, lab.my_vpc, svc, &[lab.my_subnet], &[lab.web_sg]).unwrap();
    assert_eq!(state(w, ep), EndpointState::PendingAcceptance);
    assert_eq!(
        w.delete_vpc_endpoint_service_configuration(svc).unwrap_err().code,
        "ExistingVpcEndpointConnections"
    );
    w.accept_vpc_endpoint_connections(svc, &[ep]).unwrap();
    w.advance(Duration::from_secs(120));
    assert_eq!(
        w.delete_vpc_endpoint_service_configuration(svc).unwrap_err().code,
        "ExistingVpcEndpointConnections"
    );
    assert_eq!(w.delete_load_balancer(lab.nlb).unwrap_err().code, "ResourceInUse");
    assert!(!w[lab.nlb].deleted);

    w.reject_vpc_endpoint_connections(svc, &[ep]).unwrap();
    w.delete_vpc_endpoint_service_configuration(svc).unwrap();
    w.delete_load_balancer(lab.nlb).unwrap();
    assert!(w[lab.nlb].deleted);
}

#[test]
fn d2_public_ec2_names_need_dns_hostnames_and_answer_private_inside_public_elsewhere() {
    // D2: enableDnsHostnames defaults to false except in default VPCs. Instances with public IPs get
    // a public name `ec2-a-b-c-d.<region>.compute.amazonaws.com` that resolves to the private IP
    // from inside its VPC and to the public IP elsewhere.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    assert!(!w[lab.my_vpc].dns_hostnames);
    let public = public_ip(w, lab.my_ec2);
    let name = format!("ec2-{}.ap-northeast-2.compute.amazonaws.com", public.to_string().replace('.', "-"));
    let views = [View::Vpc(lab.my_vpc), View::Vpc(lab.custom_vpc), View::Public];
    for view in views {
        assert_eq!(w.resolve(view, &name).rcode, Rcode::NxDomain, "{view:?}");
    }
    w.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let private = private_ip(w, lab.my_ec2);
    let answers: Vec<_> = views.iter().map(|v| w.resolve(*v, &name).addrs).collect();
    assert_eq!(answers, [vec![private], vec![public], vec![public]]);

    let mut east = World::in_region("us-east-1", SEED).unwrap();
    let v = east
        .create_vpc(vpcsim::ops::vpc::CreateVpc {
            cidr: Some(cidr("10.0.0.0/16")),
            dns_hostnames: Some(true),
            ..Default::default()
        })
        .unwrap();
    internet_gateway(&mut east, v);
    let s = subnet(&mut east, v, "10.0.0.0/24", 0);
    let i = instance(&mut east, s, &[], true);
    let dashed = public_ip(&east, i).to_string().replace('.', "-");
    let a = east.resolve(View::Public, &format!("ec2-{dashed}.compute-1.amazonaws.com"));
    assert_eq!(a.addrs, [public_ip(&east, i)]);
    assert_eq!(
        east.resolve(View::Public, &format!("ec2-{dashed}.us-east-1.compute.amazonaws.com")).rcode,
        Rcode::NxDomain
    );
}

#[test]
fn d3_private_ec2_names_resolve_inside_their_vpc_only() {
    // D3: Private names `ip-a-b-c-d.<region>.compute.internal` (`ec2.internal` in us-east-1) resolve inside the VPC.
    let lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &lab.world;
    let private = private_ip(w, lab.my_ec2);
    let name = format!("ip-{}.ap-northeast-2.compute.internal", private.to_string().replace('.', "-"));
    let a = w.resolve(View::Vpc(lab.my_vpc), &name);
    assert_eq!((a.rcode, a.addrs), (Rcode::NoError, vec![private]));
    assert_eq!(w.resolve(View::Vpc(lab.custom_vpc), &name).rcode, Rcode::NxDomain);
    assert_eq!(w.resolve(View::Public, &name).rcode, Rcode::NxDomain);

    let mut east = World::in_region("us-east-1", SEED).unwrap();
    let v = vpc(&mut east, "10.0.0.0/16");
    let s = subnet(&mut east, v, "10.0.0.0/24", 0);
    let i = instance(&mut east, s, &[], false);
    let dashed = private_ip(&east, i).to_string().replace('.', "-");
    assert_eq!(
        east.resolve(View::Vpc(v), &format!("ip-{dashed}.ec2.internal")).addrs,
        [private_ip(&east, i)]
    );
}

#[test]
fn d5_dig_short_prints_one_address_a_line_and_nothing_for_an_unknown_name() {
    // D5: `dig +short NAME` prints one address a line, nothing else; an unknown name prints nothing
    // (status NXDOMAIN).
    let TwoZoneService { mut lab, ep, .. } = two_zone_service();
    let w = &mut lab.world;
    let me = lab.my_ec2;
    let short = |name: &str| Dig { name: name.to_string(), short: true, server: None };
    let nlb_name = w[lab.nlb].dns_name.clone();
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let out = w.dig(me, &short(&nlb_name));
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.exit_code),
        (format!("{nlb_ip}\n").as_str(), "", 0)
    );

    let regional = w.endpoint_dns_names(ep)[0].clone();
    let out = w.dig(me, &short(&regional));
    assert_eq!(out.stdout, format!("{}\n{}\n", endpoint_ip(w, ep, 0), endpoint_ip(w, ep, 1)));

    let unknown = "no-such-name.example.invalid";
    let out = w.dig(me, &short(unknown));
    assert_eq!((out.stdout.as_str(), out.exit_code), ("", 0));
    let full = w.dig(me, &Dig { short: false, ..short(unknown) });
    assert!(full.stdout.contains("status: NXDOMAIN") && full.stdout.contains("ANSWER: 0"), "{}", full.stdout);
}

#[test]
fn p9_a_services_private_dns_name_answers_the_endpoint_inside_a_consumer_vpc_with_both_attributes_on() {
    // P9: with PrivateDnsEnabled on the endpoint and enableDnsSupport and enableDnsHostnames on the
    // consumer VPC, that name resolves inside the consumer VPC to the endpoint ENIs.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let name = "shop.example.com";
    let svc = w
        .create_vpc_endpoint_service_configuration(&[lab.nlb], false, Some(name.into()), Tags::new())
        .unwrap();
    w.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(lab.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![lab.my_subnet],
            groups: vec![lab.web_sg],
            private_dns_enabled: true,
            ..Default::default()
        })
        .unwrap();
    w.start_vpc_endpoint_service_private_dns_verification(svc).unwrap();
    w.advance(Duration::from_secs(120));
    let a = w.resolve(View::Vpc(lab.my_vpc), name);
    assert_eq!((a.rcode, a.addrs), (Rcode::NoError, vec![endpoint_ip(w, ep, 0)]));
    assert_eq!(w.resolve(View::Vpc(lab.custom_vpc), name).rcode, Rcode::NxDomain);
    assert_eq!(w.resolve(View::Public, name).rcode, Rcode::NxDomain);
}

#[test]
fn p12_a_private_dns_name_starts_pending_verification_with_a_txt_record_and_answers_only_once_verified() {
    // P12: a service's private DNS name starts in pendingVerification with a TXT record name
    // and value to publish; it is usable by endpoints only once verified.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let name = "shop.example.com";
    let svc = w
        .create_vpc_endpoint_service_configuration(&[lab.nlb], false, Some(name.into()), Tags::new())
        .unwrap();
    w.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let ep = w
        .create_vpc_endpoint(CreateVpcEndpoint {
            vpc: Some(lab.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![lab.my_subnet],
            groups: vec![lab.web_sg],
            private_dns_enabled: true,
            ..Default::default()
        })
        .unwrap();
    w.advance(Duration::from_secs(120));
    assert_eq!(w[ep].state, EndpointState::Available);
    let config = vpcsim::describe::service(w, svc);
    let record = &config["PrivateDnsNameConfiguration"];
    assert_eq!(
        (record["State"].as_str(), record["Type"].as_str()),
        (Some("pendingVerification"), Some("TXT"))
    );
    let txt_name = record["Name"].as_str().unwrap();
    let txt_value = record["Value"].as_str().unwrap();
    assert!(txt_name.len() == 21 && txt_name.starts_with('_'), "{txt_name}");
    assert!(txt_value.len() == 25 && txt_value.starts_with("vpce:"), "{txt_value}");
    let listed = vpcsim::describe::endpoint_services(w);
    let ours = listed["ServiceDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ServiceName"] == w[svc].service_name.as_str())
        .expect("the service is listed");
    assert_eq!(ours["PrivateDnsNameVerificationState"], "pendingVerification");
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), name).rcode, Rcode::NxDomain);

    w.start_vpc_endpoint_service_private_dns_verification(svc).unwrap();
    w.advance(Duration::from_secs(59));
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), name).rcode, Rcode::NxDomain);
    w.advance(Duration::from_secs(1));
    let a = w.resolve(View::Vpc(lab.my_vpc), name);
    assert_eq!((a.rcode, a.addrs), (Rcode::NoError, vec![endpoint_ip(w, ep, 0)]));
    assert_eq!(vpcsim::describe::service(w, svc)["PrivateDnsNameConfiguration"]["State"], "verified");
    let listed = vpcsim::describe::endpoint_services(w);
    let ours = listed["ServiceDetails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ServiceName"] == w[svc].service_name.as_str())
        .expect("the service is listed");
    assert_eq!(ours["PrivateDnsNameVerificationState"], "verified");
    let again = w.start_vpc_endpoint_service_private_dns_verification(svc).unwrap_err();
    assert_eq!(again.code, "InvalidParameter");
}

#[test]
fn p12_verifying_a_service_without_a_private_dns_name_is_refused() {
    // P12: there is nothing to verify without a private DNS name.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = w.create_vpc_endpoint_service_configuration(&[lab.nlb], false, None, Tags::new()).unwrap();
    let e = w.start_vpc_endpoint_service_private_dns_verification(svc).unwrap_err();
    assert_eq!(e.code, "InvalidParameter");
    assert!(vpcsim::describe::service(w, svc).get("PrivateDnsNameConfiguration").is_none());
}

#[test]
fn d1_the_vpc_resolver_needs_dns_support_and_is_not_filtered_by_groups_or_acls() {
    // D1: The VPC resolver is at the VPC's base address + 2 and 169.254.169.253; it needs
    // enableDnsSupport (default true). Security groups and NACLs do not filter it.
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let name = w[lab.nlb].dns_name.clone();
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    assert_eq!(w[lab.my_vpc].resolver_addr(), ip("10.0.0.2"));
    let deny_all = w.create_network_acl(lab.my_vpc, Tags::new());
    w.associate_network_acl(deny_all, lab.my_subnet).unwrap();
    w.revoke_security_group(
        lab.web_sg,
        vpcsim::trace::Direction::Egress,
        &[vpcsim::ops::security::Permission::all()],
    )
    .unwrap();
    for server in [None, Some(ip("10.0.0.2")), Some(ip("169.254.169.253"))] {
        let out = w.dig(lab.my_ec2, &Dig { name: name.clone(), short: true, server });
        assert_eq!((out.stdout, out.exit_code), (format!("{nlb_ip}\n"), 0), "{server:?}");
    }
    w.modify_vpc_dns(lab.my_vpc, Some(false), None);
    let out = w.dig(lab.my_ec2, &Dig { name, short: true, server: None });
    assert_eq!(
        (out.stdout.as_str(), out.exit_code),
        (";; connection timed out; no servers could be reached\n", 9)
    );
}

#[test]
fn p11_an_endpoint_with_private_dns_needs_dns_hostnames_on_its_vpc() {
    // P11: creating an interface endpoint with private DNS in a VPC without both
    // enableDnsSupport and enableDnsHostnames fails (InvalidParameter).
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let w = &mut lab.world;
    let svc = service(w, lab.nlb, false);
    let request = CreateVpcEndpoint {
        vpc: Some(lab.my_vpc),
        service_name: w[svc].service_name.clone(),
        subnets: vec![lab.my_subnet],
        private_dns_enabled: true,
        ..Default::default()
    };
    let before = format!("{w:?}");
    let err = w.create_vpc_endpoint(request.clone()).unwrap_err();
    let vpc_id = w[lab.my_vpc].aws_id.clone();
    assert_eq!(
        err.to_string(),
        format!("An error occurred (InvalidParameter) when calling the CreateVpcEndpoint operation: Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for {vpc_id}")
    );
    assert_eq!(format!("{w:?}"), before, "a refused endpoint leaves the world as it was");
    w.modify_vpc_dns(lab.my_vpc, Some(false), Some(true));
    assert_eq!(
        w.create_vpc_endpoint(request.clone()).unwrap_err().code,
        "InvalidParameter",
        "DNS support off"
    );
    w.modify_vpc_dns(lab.my_vpc, Some(true), None);
    assert!(w.create_vpc_endpoint(request).is_ok(), "both attributes on");
}

#[test]
fn p11_a_stack_endpoint_with_private_dns_enabled_in_a_vpc_without_dns_hostnames_fails() {
    // P11, through CloudFormation: `PrivateDnsEnabled: true` on an endpoint whose VPC
    // leaves EnableDnsHostnames at its default (false) fails the stack.
    let template = "\
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Scheme: internal, Subnets: [!Ref Subnet]}
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties: {NetworkLoadBalancerArns: [!Ref Nlb]}
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      VpcId: !Ref Vpc
      ServiceName: !Sub 'com.amazonaws.vpce.${AWS::Region}.${Service}'
      SubnetIds: [!Ref Subnet]
      PrivateDnsEnabled: true
";
    let mut w = World::in_region("eu-west-1", 1).unwrap();
    let none = indexmap::IndexMap::new();
    let err = vpcsim::stack::create_stack(&mut w, "s", "endpoint.yaml", template, &none, &none).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("endpoint.yaml:"), "{shown}");
    assert!(shown.contains("Endpoint"), "{shown}");
    assert!(shown.contains("InvalidParameter"), "{shown}");
    assert!(shown.contains("enableDnsSupport and enableDnsHostnames"), "{shown}");
    let fixed =
        template.replace("CidrBlock: 10.0.0.0/16}", "CidrBlock: 10.0.0.0/16, EnableDnsHostnames: true}");
    vpcsim::stack::create_stack(&mut w, "s", "endpoint.yaml", &fixed, &none, &none).unwrap();
}
