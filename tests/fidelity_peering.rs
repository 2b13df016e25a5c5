//! Fidelity tests for VPC peering (docs/aws-rules.md V1-V5, S8): requests and their
//! states, routes across a connection, no transitive and no edge-to-edge routing,
//! security group references across it, its DNS option, and blackholes after delete.

mod common;

use common::*;
use indexmap::IndexMap;
use vpcsim::command::aws::parse_line;
use vpcsim::dns::View;
use vpcsim::ids::*;
use vpcsim::model::peering::{PeeringOptions, PeeringState};
use vpcsim::model::security_group::Peer;
use vpcsim::ops::peering::{PeeringSide, OVERLAP_MESSAGE};
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::{CreateVpc, RouteTargetSpec};
use vpcsim::region::CHECKIP_ADDR;
use vpcsim::scenario::Backend;
use vpcsim::session::Session;
use vpcsim::trace::{ComponentKind as K, Direction, ExplanationCode as C, Trace};
use vpcsim::world::World;

/// Three VPCs, each with one subnet and one instance (tcp 80 open to 10.0.0.0/8):
/// a 10.0.0.0/16, b 10.1.0.0/16, c 10.2.0.0/16; a-b and b-c peered and active.
struct Three {
    w: World,
    vpcs: [VpcId; 3],
    instances: [InstanceId; 3],
    ab: PeeringId,
    bc: PeeringId,
}

fn three() -> Three {
    let mut w = seoul(SEED);
    let mut vpcs = Vec::new();
    let mut instances = Vec::new();
    for n in 0..3 {
        let block = cidr(&format!("10.{n}.0.0/16"));
        let v = w
            .create_vpc(CreateVpc { cidr: Some(block), dns_hostnames: Some(true), ..Default::default() })
            .expect("vpc");
        let s = subnet(&mut w, v, &format!("10.{n}.1.0/24"), 0);
        let sg = group(&mut w, v, "web", &[80], "10.0.0.0/8");
        vpcs.push(v);
        instances.push(instance(&mut w, s, &[sg], false));
    }
    let ab = peer(&mut w, vpcs[0], vpcs[1]);
    let bc = peer(&mut w, vpcs[1], vpcs[2]);
    Three { w, vpcs: vpcs.try_into().unwrap(), instances: instances.try_into().unwrap(), ab, bc }
}

fn peer(w: &mut World, a: VpcId, b: VpcId) -> PeeringId {
    let p = w.create_vpc_peering_connection(a, b, Default::default()).expect("request");
    w.accept_vpc_peering_connection(p).expect("accept");
    p
}

/// A route in `vpc`'s main table to `dest` through `pcx`.
fn route(w: &mut World, vpc: VpcId, dest: &str, pcx: PeeringId) {
    let table = w[vpc].main_route_table;
    let target = RouteTargetSpec::VpcPeeringConnection(w[pcx].aws_id.clone());
    w.create_route(table, cidr(dest), &target).expect("route");
}

fn trace_ab(t: &Three, to: usize) -> Trace {
    let w = &t.w;
    w.trace(eni(w, t.instances[0]), tcp_from(w, t.instances[0], private_ip(w, t.instances[to]), 80))
}

fn blocked(t: &Trace) -> (C, K, String) {
    let e = t.explanation.as_ref().expect("the flow is blocked");
    (e.code, e.kind, e.component_id.clone())
}

#[test]
fn v2_a_flow_crosses_an_active_peering_with_a_route_in_each_direction() {
    // V2: traffic needs a route with the pcx- target in each direction.
    let mut t = three();
    let (a, b) = (t.vpcs[0], t.vpcs[1]);
    route(&mut t.w, a, "10.1.0.0/16", t.ab);
    route(&mut t.w, b, "10.0.0.0/16", t.ab);
    let tr = trace_ab(&t, 1);
    assert!(tr.reachable(), "{:?}", tr.explanation);
    use K::*;
    assert_eq!(
        kinds(&tr.forward),
        [
            Instance,
            NetworkInterface,
            SecurityGroup,
            NetworkAcl,
            RouteTable,
            VpcPeeringConnection,
            NetworkAcl,
            SecurityGroup,
            NetworkInterface,
            Instance
        ]
    );
    assert_eq!(
        kinds(&tr.ret),
        [
            NetworkInterface,
            SecurityGroup,
            NetworkAcl,
            RouteTable,
            VpcPeeringConnection,
            NetworkAcl,
            SecurityGroup,
            NetworkInterface
        ]
    );
    let pcx = hops_of(&tr.forward, VpcPeeringConnection);
    assert_eq!(pcx[0].id, t.w[t.ab].aws_id);
    let seen = tr.delivered.expect("delivered");
    assert_eq!(seen.src, private_ip(&t.w, t.instances[0]), "addresses cross a peering unchanged");
}

#[test]
fn v2_without_the_peers_return_route_the_response_is_dropped() {
    // V2: a route in each direction; only the forward one exists here.
    let mut t = three();
    route(&mut t.w, t.vpcs[0], "10.1.0.0/16", t.ab);
    let tr = trace_ab(&t, 1);
    let main_b = t.w[t.vpcs[1]].main_route_table;
    assert_eq!(blocked(&tr), (C::NoRouteToDestination, K::RouteTable, t.w[main_b].aws_id.clone()));
}

#[test]
fn v2_peering_is_not_transitive_through_a_peered_vpc_to_a_third() {
    // V2: no path through a peered VPC to a third VPC, even with routes all the way.
    let mut t = three();
    let [a, b, c] = t.vpcs;
    route(&mut t.w, a, "10.2.0.0/16", t.ab);
    route(&mut t.w, b, "10.2.0.0/16", t.bc);
    route(&mut t.w, b, "10.0.0.0/16", t.ab);
    route(&mut t.w, c, "10.0.0.0/16", t.bc);
    let tr = trace_ab(&t, 2);
    assert_eq!(blocked(&tr), (C::PeeringNotTransitive, K::VpcPeeringConnection, t.w[t.ab].aws_id.clone()));
    let message = &tr.explanation.as_ref().unwrap().message;
    assert!(message.contains(&t.w[t.bc].aws_id), "{message}");
}

#[test]
fn v2_no_edge_to_edge_routing_out_through_the_peers_internet_gateway() {
    // V2: traffic that crosses a peering cannot leave through the peer's IGW.
    let mut t = three();
    let [a, b, _] = t.vpcs;
    let igw = internet_gateway(&mut t.w, b);
    let main_b = t.w[b].main_route_table;
    t.w.create_route(main_b, cidr("0.0.0.0/0"), &RouteTargetSpec::Gateway(t.w[igw].aws_id.clone())).unwrap();
    route(&mut t.w, a, "0.0.0.0/0", t.ab);
    let w = &t.w;
    let tr = w.trace(eni(w, t.instances[0]), tcp_from(w, t.instances[0], CHECKIP_ADDR, 80));
    assert_eq!(blocked(&tr), (C::PeeringEdgeToEdge, K::VpcPeeringConnection, w[t.ab].aws_id.clone()));
    let message = &tr.explanation.as_ref().unwrap().message;
    assert!(message.contains(&w[igw].aws_id), "{message}");
    assert!(!kinds(&tr.forward).contains(&K::InternetGateway));
}

#[test]
fn v1_a_request_between_overlapping_vpcs_fails_with_awss_message() {
    // V1: a request between overlapping VPCs ends in state failed, saying the CIDRs overlap.
    let mut w = seoul(SEED);
    let a = vpc(&mut w, "10.0.0.0/16");
    let b = vpc(&mut w, "10.0.128.0/20");
    let p = w.create_vpc_peering_connection(a, b, Default::default()).expect("the call succeeds");
    assert_eq!(w[p].state, PeeringState::Failed);
    assert_eq!(w[p].message, OVERLAP_MESSAGE);
    let e = w.accept_vpc_peering_connection(p).unwrap_err();
    assert_eq!(e.code, "InvalidStateTransition");
}

#[test]
fn v1_a_pending_request_carries_nothing_until_it_is_accepted() {
    // V1: pending-acceptance until accept-vpc-peering-connection, then active.
    let mut w = seoul(SEED);
    let (a, b) = (vpc(&mut w, "10.0.0.0/16"), vpc(&mut w, "10.1.0.0/16"));
    let (sa, sb) = (subnet(&mut w, a, "10.0.1.0/24", 0), subnet(&mut w, b, "10.1.1.0/24", 0));
    let sg = group(&mut w, b, "web", &[80], "10.0.0.0/16");
    let (ia, ib) = (instance(&mut w, sa, &[], false), instance(&mut w, sb, &[sg], false));
    let p = w.create_vpc_peering_connection(a, b, Default::default()).unwrap();
    assert_eq!(w[p].state, PeeringState::PendingAcceptance);
    route(&mut w, a, "10.1.0.0/16", p);
    route(&mut w, b, "10.0.0.0/16", p);
    let flow = tcp_from(&w, ia, private_ip(&w, ib), 80);
    let tr = w.trace(eni(&w, ia), flow);
    assert_eq!(blocked(&tr).0, C::BadStateRoute);
    w.accept_vpc_peering_connection(p).unwrap();
    assert!(w.trace(eni(&w, ia), flow).reachable());
}

#[test]
fn v5_deleting_the_connection_turns_its_routes_into_blackholes() {
    // V5: deleting the connection turns its routes into blackholes.
    let mut t = three();
    route(&mut t.w, t.vpcs[0], "10.1.0.0/16", t.ab);
    route(&mut t.w, t.vpcs[1], "10.0.0.0/16", t.ab);
    assert!(trace_ab(&t, 1).reachable());
    t.w.delete_vpc_peering_connection(t.ab).unwrap();
    let tr = trace_ab(&t, 1);
    let main_a = t.w[t.vpcs[0]].main_route_table;
    assert_eq!(blocked(&tr), (C::BadStateRoute, K::RouteTable, t.w[main_a].aws_id.clone()));
    let json = vpcsim::describe::route_tables(&t.w);
    let routes = json["RouteTables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["RouteTableId"] == t.w[main_a].aws_id)
        .unwrap()["Routes"]
        .clone();
    let pcx_route =
        routes.as_array().unwrap().iter().find(|r| r["DestinationCidrBlock"] == "10.1.0.0/16").unwrap();
    assert_eq!(pcx_route["VpcPeeringConnectionId"], t.w[t.ab].aws_id);
    assert_eq!(pcx_route["State"], "blackhole");
}

#[test]
fn s8_v3_a_rule_may_reference_a_group_of_a_peered_vpc_and_matches_its_members_private_ips() {
    // S8/V3: a rule may reference a group of a VPC peered in the same region; before the
    // peering it is refused (InvalidGroup.NotFound).
    let mut w = seoul(SEED);
    let (a, b) = (vpc(&mut w, "10.0.0.0/16"), vpc(&mut w, "10.1.0.0/16"));
    let (sa, sb) = (subnet(&mut w, a, "10.0.1.0/24", 0), subnet(&mut w, b, "10.1.1.0/24", 0));
    let clients = group(&mut w, a, "clients", &[], "10.0.0.0/8");
    let server = group(&mut w, b, "server", &[], "10.0.0.0/8");
    let rule = Permission { peer: Peer::Group(clients), ..Permission::tcp(80, cidr("0.0.0.0/0")) };
    let e = w.authorize_security_group(server, Direction::Ingress, std::slice::from_ref(&rule)).unwrap_err();
    assert_eq!(e.code, "InvalidGroup.NotFound");
    let p = peer(&mut w, a, b);
    route(&mut w, a, "10.1.0.0/16", p);
    route(&mut w, b, "10.0.0.0/16", p);
    w.authorize_security_group(server, Direction::Ingress, &[rule])
        .expect("a peered VPC's group is accepted");
    let member = instance(&mut w, sa, &[clients], false);
    let stranger = instance(&mut w, sa, &[], false);
    let target = instance(&mut w, sb, &[server], false);
    let to = private_ip(&w, target);
    let tr = w.trace(eni(&w, member), tcp_from(&w, member, to, 80));
    assert!(tr.reachable(), "{:?}", tr.explanation);
    let tr = w.trace(eni(&w, stranger), tcp_from(&w, stranger, to, 80));
    assert_eq!(blocked(&tr).0, C::EniSgRulesMismatch);
}

#[test]
fn v4_public_names_answer_private_ips_across_a_peering_only_with_dns_resolution_allowed() {
    // V4: with AllowDnsResolutionFromRemoteVpc, the peer's public hostnames resolve to private IPs.
    let mut w = seoul(SEED);
    let mk = |w: &mut World, block: &str| {
        w.create_vpc(CreateVpc { cidr: Some(cidr(block)), dns_hostnames: Some(true), ..Default::default() })
            .unwrap()
    };
    let (a, b) = (mk(&mut w, "10.0.0.0/16"), mk(&mut w, "10.1.0.0/16"));
    internet_gateway(&mut w, b);
    let sb = subnet(&mut w, b, "10.1.1.0/24", 0);
    let ib = instance(&mut w, sb, &[], true);
    let public = public_ip(&w, ib);
    let o = public.octets();
    let name = format!("ec2-{}-{}-{}-{}.ap-northeast-2.compute.amazonaws.com", o[0], o[1], o[2], o[3]);
    let p = peer(&mut w, a, b);
    assert_eq!(w.resolve(View::Vpc(a), &name).addrs, [public]);
    let on = PeeringOptions { allow_dns_resolution_from_remote_vpc: true };
    w.modify_vpc_peering_connection_options(p, PeeringSide::Requester, on).unwrap();
    assert_eq!(w.resolve(View::Vpc(a), &name).addrs, [public], "the requester's option is for its own names");
    w.modify_vpc_peering_connection_options(p, PeeringSide::Accepter, on).unwrap();
    assert_eq!(w.resolve(View::Vpc(a), &name).addrs, [private_ip(&w, ib)]);
    assert_eq!(w.resolve(View::Public, &name).addrs, [public]);
}

const PEERED_TEMPLATE: &str = r#"
Resources:
  A:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  B:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16}
  Peering:
    Type: AWS::EC2::VPCPeeringConnection
    Properties:
      VpcId: !Ref A
      PeerVpcId: !Ref B
      Tags: [{Key: Name, Value: a-to-b}]
  TableA:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref A}
  ToB:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref TableA
      DestinationCidrBlock: 10.1.0.0/16
      VpcPeeringConnectionId: !Ref Peering
Outputs:
  Pcx:
    Value: !Ref Peering
"#;

#[test]
fn v1_a_cloudformation_peering_connection_in_one_account_is_active_at_once() {
    // V1: CloudFormation's AWS::EC2::VPCPeeringConnection in one account is active at once.
    let mut w = seoul(SEED);
    let stack = vpcsim::stack::create_stack(
        &mut w,
        "peered",
        "p.yaml",
        PEERED_TEMPLATE,
        &IndexMap::new(),
        &IndexMap::new(),
    )
    .expect("the stack builds");
    let id = stack.outputs.get("Pcx").expect("output").clone();
    let Some(vpcsim::world::Handle::Peering(p)) = w.find(&id) else { panic!("{id} is no peering") };
    assert_eq!(w[p].state, PeeringState::Active);
    assert_eq!(vpcsim::model::name_tag(&w[p].tags), Some("a-to-b"));
}

#[test]
fn v1_the_aws_cli_requests_accepts_describes_and_deletes_a_connection() {
    // V1, V4, V5 through `aws ec2 ...`.
    let mut w = seoul(SEED);
    let (a, b) = (vpc(&mut w, "10.0.0.0/16"), vpc(&mut w, "10.1.0.0/16"));
    let (a, b) = (w[a].aws_id.clone(), w[b].aws_id.clone());
    let mut s = Session::new(w);
    let mut run = |line: String| {
        let out = s.run_aws(&parse_line(&line).expect("parses"));
        (out.exit_code, out.json.unwrap_or_default(), out.stderr)
    };
    let (code, created, _) =
        run(format!("aws ec2 create-vpc-peering-connection --vpc-id {a} --peer-vpc-id {b}"));
    assert_eq!(code, 0);
    assert_eq!(created["VpcPeeringConnection"]["Status"]["Code"], "initiating-request");
    let pcx = created["VpcPeeringConnection"]["VpcPeeringConnectionId"].as_str().unwrap().to_string();
    let (_, pending, _) =
        run("aws ec2 describe-vpc-peering-connections --filters Name=status-code,Values=pending-acceptance"
            .into());
    assert_eq!(pending["VpcPeeringConnections"][0]["VpcPeeringConnectionId"], pcx.as_str());
    let (code, _, err) = run(format!("aws ec2 modify-vpc-peering-connection-options --vpc-peering-connection-id {pcx} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true"));
    assert_eq!(code, 254, "options need an active connection");
    assert!(err.contains("OperationNotPermitted"), "{err}");
    let (_, accepted, _) =
        run(format!("aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id {pcx}"));
    assert_eq!(accepted["VpcPeeringConnection"]["Status"]["Code"], "active");
    let (code, modified, _) = run(format!("aws ec2 modify-vpc-peering-connection-options --vpc-peering-connection-id {pcx} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true"));
    assert_eq!(code, 0);
    assert_eq!(modified["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"], true);
    let (_, d, _) =
        run(format!("aws ec2 describe-vpc-peering-connections --vpc-peering-connection-ids {pcx}"));
    let item = &d["VpcPeeringConnections"][0];
    assert_eq!(item["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"], true);
    assert_eq!(item["AccepterVpcInfo"]["CidrBlock"], "10.1.0.0/16");
    let (code, _, _) =
        run(format!("aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id {pcx}"));
    assert_eq!(code, 0);
    let (_, gone, _) =
        run("aws ec2 describe-vpc-peering-connections --filters Name=status-code,Values=deleted".into());
    let message = gone["VpcPeeringConnections"][0]["Status"]["Message"].as_str().unwrap();
    assert!(message.starts_with("Deleted by"), "{message}");
    let (code, _, err) = run(format!("aws ec2 create-route --route-table-id rtb-0 --destination-cidr-block 10.1.0.0/16 --vpc-peering-connection-id {pcx}"));
    assert_eq!(code, 254, "{err}");
}
