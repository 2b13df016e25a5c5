//! Fidelity tests for gateway endpoints and prefix lists (docs/aws-rules.md E1-E5):
//! AWS's S3 and DynamoDB lists with the region's published ranges, routes over a
//! list's entries, security group rules with lists, the S3 name resolving to a public
//! address inside its list, and traffic that reaches S3 without the internet gateway.

mod common;

use common::*;
use vpcsim::dns::View;
use vpcsim::ids::*;
use vpcsim::model::prefix_list::PrefixListEntry;
use vpcsim::model::security_group::Peer;
use vpcsim::ops::gateway_endpoint::CreateGatewayEndpoint;
use vpcsim::ops::prefix_list::CreateManagedPrefixList;
use vpcsim::ops::security::Permission;
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::trace::{ComponentKind as K, Direction, ExplanationCode as C, Trace};
use vpcsim::world::World;

/// A public subnet (0.0.0.0/0 to an IGW) with an instance that has a public IP.
struct Public {
    w: World,
    vpc: VpcId,
    rt: RouteTableId,
    i: InstanceId,
}

fn public() -> Public {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let igw = internet_gateway(&mut w, vpc);
    let s = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let rt = public_route_table(&mut w, vpc, igw, &[s]);
    let i = instance(&mut w, s, &[], true);
    Public { w, vpc, rt, i }
}

fn s3_name() -> &'static str {
    "s3.ap-northeast-2.amazonaws.com"
}

fn s3_endpoint(w: &mut World, vpc: VpcId, tables: &[RouteTableId]) -> GatewayEndpointId {
    w.create_gateway_endpoint(CreateGatewayEndpoint {
        vpc: Some(vpc),
        service_name: "com.amazonaws.ap-northeast-2.s3".into(),
        route_tables: tables.to_vec(),
        policy_document: None,
        tags: Default::default(),
    })
    .expect("gateway endpoint")
}

fn to_s3(w: &World, i: InstanceId) -> Trace {
    let s3 = w.resolve(View::Vpc(w[eni(w, i)].vpc), s3_name()).addrs[0];
    w.trace(eni(w, i), tcp_from(w, i, s3, 443))
}

#[test]
fn e1_aws_prefix_lists_hold_the_regions_published_s3_and_dynamodb_ranges() {
    // E1: the AWS-managed prefix list holds the service's public CIDRs in the region.
    let w = seoul(SEED);
    let s3 = w.aws_prefix_list("com.amazonaws.ap-northeast-2.s3").expect("S3's list");
    let blocks: Vec<String> = w[s3].cidrs().map(|c| c.to_string()).collect();
    assert_eq!(blocks.len(), 13);
    assert!(blocks.contains(&"52.219.56.0/22".to_string()), "{blocks:?}");
    let ddb = w.aws_prefix_list("com.amazonaws.ap-northeast-2.dynamodb").expect("DynamoDB's list");
    assert_eq!(w[ddb].cidrs().map(|c| c.to_string()).collect::<Vec<_>>(), ["35.71.109.0/24", "52.94.6.0/24"]);
    let other = seoul(SEED + 1);
    assert_eq!(other[s3].aws_id, w[s3].aws_id, "AWS's list ids do not depend on the seed");
}

#[test]
fn e3_the_s3_name_answers_a_public_address_inside_its_list_with_or_without_an_endpoint() {
    // E3: DNS is unchanged; s3.<region>.amazonaws.com resolves to public S3 addresses.
    let mut p = public();
    let s3 = p.w.aws_prefix_list("com.amazonaws.ap-northeast-2.s3").unwrap();
    let before = p.w.resolve(View::Vpc(p.vpc), s3_name()).addrs;
    assert_eq!(before.len(), 1);
    assert!(p.w[s3].contains(before[0]));
    s3_endpoint(&mut p.w, p.vpc, &[p.rt]);
    assert_eq!(p.w.resolve(View::Vpc(p.vpc), s3_name()).addrs, before);
    assert_eq!(p.w.resolve(View::Public, s3_name()).addrs, before);
}

#[test]
fn e1_e3_with_the_endpoint_s3_is_reached_through_it_and_sees_the_private_ip() {
    // E1: the list's /22 beats 0.0.0.0/0 to the IGW; E3: the service sees the private IP.
    let mut p = public();
    let t = to_s3(&p.w, p.i);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(kinds(&t.forward).contains(&K::InternetGateway));
    assert_eq!(t.delivered.unwrap().src, public_ip(&p.w, p.i), "through the IGW S3 sees the public IP");

    let g = s3_endpoint(&mut p.w, p.vpc, &[p.rt]);
    let t = to_s3(&p.w, p.i);
    assert!(t.reachable(), "{:?}", t.explanation);
    use K::*;
    assert_eq!(
        kinds(&t.forward),
        [Instance, NetworkInterface, SecurityGroup, NetworkAcl, RouteTable, VpcEndpoint, Internet]
    );
    assert_eq!(kinds(&t.ret), [Internet, VpcEndpoint, NetworkAcl, SecurityGroup, NetworkInterface]);
    assert_eq!(hops_of(&t.forward, VpcEndpoint)[0].id, p.w[g].aws_id);
    assert_eq!(t.delivered.unwrap().src, private_ip(&p.w, p.i));
    assert!(!kinds(&t.forward).contains(&InternetGateway));
}

#[test]
fn e1_describe_route_tables_shows_one_route_to_the_list_with_the_endpoint_as_gateway() {
    // E1: the route's destination is the prefix list, its target the endpoint.
    let mut p = public();
    let g = s3_endpoint(&mut p.w, p.vpc, &[p.rt]);
    let s3 = p.w.aws_prefix_list("com.amazonaws.ap-northeast-2.s3").unwrap();
    let doc = vpcsim::describe::route_tables(&p.w);
    let table = doc["RouteTables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["RouteTableId"] == p.w[p.rt].aws_id)
        .unwrap();
    let to_list: Vec<_> = table["Routes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("DestinationPrefixListId").is_some())
        .collect();
    assert_eq!(to_list.len(), 1);
    assert_eq!(to_list[0]["DestinationPrefixListId"], p.w[s3].aws_id);
    assert_eq!(to_list[0]["GatewayId"], p.w[g].aws_id);
    assert_eq!(to_list[0]["State"], "active");
    p.w.delete_gateway_endpoint(g);
    let t = to_s3(&p.w, p.i);
    assert!(kinds(&t.forward).contains(&K::InternetGateway), "deleting the endpoint takes its routes away");
}

#[test]
fn e2_no_security_group_at_the_endpoint_but_the_instances_egress_rules_apply() {
    // E2: the instance's outbound rules must admit the prefix list (or the addresses).
    let mut p = public();
    s3_endpoint(&mut p.w, p.vpc, &[p.rt]);
    let sg = p.w.create_security_group(p.vpc, "only-s3", "egress to S3 only", Default::default()).unwrap();
    p.w.revoke_security_group_egress_all(sg);
    p.w.authorize_security_group(sg, Direction::Egress, &[Permission::tcp(22, cidr("10.0.0.0/16"))]).unwrap();
    let s = p.w[eni(&p.w, p.i)].subnet;
    let i = instance(&mut p.w, s, &[sg], false);
    let t = to_s3(&p.w, i);
    assert_eq!(t.explanation.as_ref().map(|e| e.code), Some(C::EniSgRulesMismatch));
    let s3 = p.w.aws_prefix_list("com.amazonaws.ap-northeast-2.s3").unwrap();
    let rule = Permission { peer: Peer::PrefixList(s3), ..Permission::tcp(443, cidr("0.0.0.0/0")) };
    p.w.authorize_security_group(sg, Direction::Egress, &[rule]).unwrap();
    let t = to_s3(&p.w, i);
    assert!(t.reachable(), "{:?}", t.explanation);
    assert!(!kinds(&t.forward).contains(&K::InternetGateway), "an instance without a public IP reaches S3");
}

#[test]
fn e4_traffic_from_a_peered_vpc_does_not_use_the_endpoint() {
    // E4: only traffic that starts in the endpoint's VPC uses it (edge-to-edge, V2).
    let mut p = public();
    let main = p.w[p.vpc].main_route_table;
    s3_endpoint(&mut p.w, p.vpc, &[main]);
    let other = vpc(&mut p.w, "10.9.0.0/16");
    let s = subnet(&mut p.w, other, "10.9.1.0/24", 0);
    let j = instance(&mut p.w, s, &[], false);
    let pcx = p.w.create_vpc_peering_connection(other, p.vpc, Default::default()).unwrap();
    p.w.accept_vpc_peering_connection(pcx).unwrap();
    let table = p.w[other].main_route_table;
    let target = RouteTargetSpec::VpcPeeringConnection(p.w[pcx].aws_id.clone());
    p.w.create_route(table, cidr("0.0.0.0/0"), &target).unwrap();
    let t = to_s3(&p.w, j);
    let e = t.explanation.as_ref().expect("blocked");
    assert_eq!((e.code, e.kind), (C::PeeringEdgeToEdge, K::VpcPeeringConnection));
    assert!(!kinds(&t.forward).contains(&K::VpcEndpoint));
}

#[test]
fn e5_a_customer_list_bounds_its_entries_and_routes_and_rules_use_it() {
    // E5: a customer-managed prefix list names CIDRs with a max-entries bound.
    let mut p = public();
    let entry = |c: &str| PrefixListEntry { cidr: cidr(c), description: None };
    let too_many = CreateManagedPrefixList {
        name: "office".into(),
        max_entries: 1,
        entries: vec![entry("203.0.113.0/24"), entry("198.51.100.0/24")],
        tags: Default::default(),
    };
    assert_eq!(
        p.w.create_managed_prefix_list(too_many.clone()).unwrap_err().code,
        "PrefixListMaxEntriesExceeded"
    );
    let pl = p.w.create_managed_prefix_list(CreateManagedPrefixList { max_entries: 5, ..too_many }).unwrap();
    let web = group(&mut p.w, p.vpc, "web", &[], "0.0.0.0/0");
    let rule = Permission { peer: Peer::PrefixList(pl), ..Permission::tcp(80, cidr("0.0.0.0/0")) };
    p.w.authorize_security_group(web, Direction::Ingress, &[rule]).unwrap();
    let s = p.w[eni(&p.w, p.i)].subnet;
    let server = instance(&mut p.w, s, &[web], true);
    let to = public_ip(&p.w, server);
    let from_office = p.w.trace_from_internet(tcp(ip("198.51.100.7"), to, 80));
    assert!(from_office.reachable(), "{:?}", from_office.explanation);
    let from_elsewhere = p.w.trace_from_internet(tcp(ip("192.0.2.7"), to, 80));
    assert_eq!(from_elsewhere.explanation.as_ref().map(|e| e.code), Some(C::EniSgRulesMismatch));
    // A route to the list: one route per entry, longest match over them (R3).
    let eni_target = RouteTargetSpec::NetworkInterface(p.w[eni(&p.w, server)].aws_id.clone());
    p.w.create_prefix_list_route(p.rt, pl, &eni_target).unwrap();
    let r = p.w[p.rt].lookup(u32::from(ip("203.0.113.9"))).unwrap();
    assert_eq!((r.destination, r.prefix_list), (cidr("203.0.113.0/24"), Some(pl)));
}

const GATEWAY_TEMPLATE: &str = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Private:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24}
  Table:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  Assoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {RouteTableId: !Ref Table, SubnetId: !Ref Private}
  S3Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3
      RouteTableIds: [!Ref Table]
  Office:
    Type: AWS::EC2::PrefixList
    Properties:
      PrefixListName: office
      AddressFamily: IPv4
      MaxEntries: 2
      Entries: [{Cidr: 198.51.100.0/24, Description: hq}]
  Box:
    Type: AWS::EC2::Instance
    Properties: {SubnetId: !Ref Private, ImageId: ami-12345678}
Outputs:
  Endpoint: {Value: !Ref S3Endpoint}
  List: {Value: !GetAtt Office.PrefixListId}
  Box: {Value: !Ref Box}
"#;

#[test]
fn e1_e5_a_templates_gateway_endpoint_and_prefix_list_are_built_and_curl_gets_an_s3_answer_privately() {
    // E1: VpcEndpointType defaults to Gateway in CloudFormation; E5: AWS::EC2::PrefixList.
    let mut w = seoul(SEED);
    let stack = vpcsim::stack::create_stack(
        &mut w,
        "gw",
        "gw.yaml",
        GATEWAY_TEMPLATE,
        &Default::default(),
        &Default::default(),
    )
    .expect("the stack builds");
    let Some(vpcsim::world::Handle::GatewayEndpoint(_)) = w.find(&stack.outputs["Endpoint"]) else {
        panic!("no gateway endpoint")
    };
    let Some(vpcsim::world::Handle::PrefixList(pl)) = w.find(&stack.outputs["List"]) else {
        panic!("no list")
    };
    assert_eq!((w[pl].max_entries, w[pl].entries.len()), (2, 1));
    let Some(vpcsim::world::Handle::Instance(i)) = w.find(&stack.outputs["Box"]) else {
        panic!("no instance")
    };
    let req = vpcsim::apps::curl::Curl {
        host: s3_name().into(),
        port: 80,
        path: "/".into(),
        verbose: false,
        connect_timeout: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    };
    let out = w.curl(i, &req);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("<Code>AccessDenied</Code>"), "{}", out.stdout);
    let t = out.trace.expect("a trace");
    assert!(kinds(&t.forward).contains(&K::VpcEndpoint));
}

/// A private subnet whose table routes S3 to a gateway endpoint, an instance in it.
fn private_with_s3_endpoint() -> (Public, GatewayEndpointId) {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let rt = w.create_route_table(vpc, named("private"));
    w.associate_route_table(rt, s).unwrap();
    let i = instance(&mut w, s, &[], false);
    let g = s3_endpoint(&mut w, vpc, &[rt]);
    (Public { w, vpc, rt, i }, g)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn e2_a_policy_that_denies_every_request_ends_the_flow_at_the_endpoint_with_its_own_code() {
    let (mut p, g) = private_with_s3_endpoint();
    assert!(to_s3(&p.w, p.i).reachable(), "full access by default");
    let deny = json(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
            {"Sid":"Closed","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
    );
    p.w.modify_vpc_endpoint_policy(g, Some(&deny)).unwrap();
    let t = to_s3(&p.w, p.i);
    let e = t.explanation.as_ref().expect("blocked");
    assert_eq!(
        (e.code, e.kind, e.component_id.as_str()),
        (C::EndpointPolicyDenies, K::VpcEndpoint, p.w[g].aws_id.as_str())
    );
    assert!(e.message.contains("statement 2 (Sid \"Closed\") denies every request"), "{}", e.message);
    assert_eq!(kinds(&t.forward).last(), Some(&K::VpcEndpoint), "stopped at the endpoint");
    assert!(t.ret.is_empty());
    p.w.modify_vpc_endpoint_policy(g, None).unwrap();
    assert!(to_s3(&p.w, p.i).reachable(), "--reset-policy gives full access back");
}

#[test]
fn e2_a_policy_allowing_only_another_endpoint_or_vpc_allows_nothing_here() {
    let (mut p, g) = private_with_s3_endpoint();
    let other = json(
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}}}"#,
    );
    p.w.modify_vpc_endpoint_policy(g, Some(&other)).unwrap();
    let t = to_s3(&p.w, p.i);
    let e = t.explanation.as_ref().expect("blocked");
    assert_eq!(e.code, C::EndpointPolicyDenies);
    assert!(e.message.contains("no statement allows"), "{}", e.message);
    let this = json(&format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},
            {{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*",
              "Condition":{{"StringNotEquals":{{"aws:SourceVpc":"{}"}}}}}}]}}"#,
        p.w[p.vpc].aws_id
    ));
    p.w.modify_vpc_endpoint_policy(g, Some(&this)).unwrap();
    assert!(to_s3(&p.w, p.i).reachable(), "the deny holds only outside this VPC");
}

#[test]
fn e2_a_per_bucket_policy_passes_the_flow_and_the_cli_names_what_it_cannot_decide() {
    use vpcsim::scenario::Backend;
    let (mut p, g) = private_with_s3_endpoint();
    p.w.delete_gateway_endpoint(g);
    let mut s = vpcsim::session::Session::new(p.w.clone());
    let policy = r#"{"Statement":[{"Sid":"Repo","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::repo/*"}]}"#;
    let line = format!(
        "aws ec2 create-vpc-endpoint --vpc-id {} --service-name com.amazonaws.ap-northeast-2.s3 --route-table-ids {} --policy-document '{policy}'",
        p.w[p.vpc].aws_id, p.w[p.rt].aws_id
    );
    let run = |s: &mut vpcsim::session::Session, line: &str| {
        s.run_aws(&vpcsim::command::aws::parse_line(line).expect("a valid call"))
    };
    let out = run(&mut s, &line);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("statement 1 (Sid \"Repo\") covers only some requests (its Action is not \"*\" or \"s3:*\": s3:GetObject)"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("arn:aws:s3:::repo/*"), "describe shows the policy: {}", out.stdout);
    let t = to_s3(&s.world, p.i);
    assert!(t.reachable() && kinds(&t.forward).contains(&K::VpcEndpoint), "{:?}", t.explanation);
}

#[test]
fn e2_a_templates_policy_document_in_yaml_is_evaluated_and_curl_to_s3_stops_at_the_endpoint() {
    let template = GATEWAY_TEMPLATE.replace(
        "      RouteTableIds: [!Ref Table]\n",
        "      RouteTableIds: [!Ref Table]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Sid: OnlyTheOtherVpc
            Effect: Allow
            Principal: '*'
            Action: 's3:*'
            Resource: '*'
            Condition: {StringEquals: {'aws:SourceVpc': vpc-0123456789abcdef0}}
",
    );
    let mut w = seoul(SEED);
    let stack = vpcsim::stack::create_stack(
        &mut w,
        "gw",
        "gw.yaml",
        &template,
        &Default::default(),
        &Default::default(),
    )
    .expect("the stack builds");
    assert!(stack.warnings.iter().all(|x| !x.message.contains("PolicyDocument")), "{:?}", stack.warnings);
    let Some(vpcsim::world::Handle::Instance(i)) = w.find(&stack.outputs["Box"]) else {
        panic!("no instance")
    };
    let req = vpcsim::apps::curl::Curl {
        host: s3_name().into(),
        port: 80,
        path: "/".into(),
        verbose: false,
        connect_timeout: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    };
    let out = w.curl(i, &req);
    assert_ne!(out.exit_code, 0, "{}", out.stdout);
    let t = out.trace.expect("a trace");
    let e = t.explanation.expect("blocked");
    assert_eq!((e.code, e.kind), (C::EndpointPolicyDenies, K::VpcEndpoint));
    assert!(e.message.contains("no statement allows"), "{}", e.message);
}

#[test]
fn e2_an_unreadable_policy_is_refused_at_its_property_and_an_interface_endpoints_policy_warns() {
    let bad = GATEWAY_TEMPLATE.replace(
        "      RouteTableIds: [!Ref Table]\n",
        "      RouteTableIds: [!Ref Table]\n      PolicyDocument: {Statement: [{Effect: Maybe}]}\n",
    );
    let mut w = seoul(SEED);
    let err =
        vpcsim::stack::create_stack(&mut w, "gw", "gw.yaml", &bad, &Default::default(), &Default::default())
            .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("PolicyDocument") && text.contains("statement 1: Effect must be Allow or Deny"),
        "{text}"
    );
    let interface = GATEWAY_TEMPLATE.replace(
        "      ServiceName: !Sub com.amazonaws.${AWS::Region}.s3\n      RouteTableIds: [!Ref Table]\n",
        "      ServiceName: !Sub com.amazonaws.${AWS::Region}.ssm\n      VpcEndpointType: Interface\n      SubnetIds: [!Ref Private]\n      PolicyDocument: {Statement: [{Effect: Deny, Principal: '*', Action: '*', Resource: '*'}]}\n",
    );
    let mut w = seoul(SEED);
    let stack = vpcsim::stack::create_stack(
        &mut w,
        "i",
        "i.yaml",
        &interface,
        &Default::default(),
        &Default::default(),
    )
    .expect("the stack builds");
    assert!(
        stack.warnings.iter().any(|x| x.message.contains("evaluates the policies of Gateway endpoints only")),
        "{:?}",
        stack.warnings
    );
}
