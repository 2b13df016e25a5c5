//! Route 53 private hosted zones (Z1) built from CloudFormation: what `dig`, `curl` and the
//! resolver answer inside the associated VPC, and outside it.

use indexmap::IndexMap;
use vpcsim::apps::curl::Curl;
use vpcsim::apps::dig::Dig;
use vpcsim::dns::{Rcode, View};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::stack::create_stack;
use vpcsim::world::World;

/// The lab, its consumer VPC with both DNS attributes on, and a stack from `template`
/// given the consumer VPC (`Vpc`) and the NLB's DNS name (`NlbName`).
fn lab_with(template: &str) -> Lab {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    stack(&mut lab, template).unwrap_or_else(|e| panic!("{e}"));
    lab
}

fn stack(lab: &mut Lab, template: &str) -> Result<(), String> {
    let params = IndexMap::from([
        ("Vpc".to_string(), lab.world[lab.my_vpc].aws_id.clone()),
        ("NlbName".to_string(), lab.world[lab.nlb].dns_name.clone()),
    ]);
    create_stack(&mut lab.world, "dns", "dns.cfn.yaml", template, &params, &IndexMap::new())
        .map(drop)
        .map_err(|e| e.to_string())
}

const ZONE: &str = "
Parameters:
  Vpc: {Type: String}
  NlbName: {Type: String}
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties:
      Name: corp.internal
      VPCs: [{VPCId: !Ref Vpc, VPCRegion: !Ref 'AWS::Region'}]
  Web:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: web.corp.internal
      Type: A
      AliasTarget: {DNSName: !Ref NlbName, HostedZoneId: ZIBE1TIR4HY56}
  Records:
    Type: AWS::Route53::RecordSetGroup
    Properties:
      HostedZoneName: corp.internal.
      RecordSets:
        - {Name: db.corp.internal, Type: A, TTL: '300', ResourceRecords: [10.0.0.99]}
        - {Name: www.corp.internal, Type: CNAME, TTL: '120', ResourceRecords: [web.corp.internal]}
        - {Name: txt.corp.internal, Type: TXT, TTL: '60', ResourceRecords: ['\"hello\"']}
";

#[test]
fn z1_an_alias_to_the_nlb_answers_the_nlbs_node_addresses_inside_the_vpc_only() {
    let lab = lab_with(ZONE);
    let w = &lab.world;
    let inside = w.resolve(View::Vpc(lab.my_vpc), "web.corp.internal");
    assert_eq!(inside.rcode, Rcode::NoError);
    assert_eq!(inside.addrs, w.lb_addresses(lab.nlb, None));
    assert_eq!(w.resolve(View::Vpc(lab.custom_vpc), "web.corp.internal").rcode, Rcode::NxDomain);
    assert_eq!(w.resolve(View::Public, "web.corp.internal").rcode, Rcode::NxDomain);
}

#[test]
fn z1_a_records_answer_their_addresses_with_their_ttl_and_a_txt_only_name_answers_no_address() {
    let lab = lab_with(ZONE);
    let db = lab.world.resolve(View::Vpc(lab.my_vpc), "DB.corp.internal.");
    assert_eq!(
        (db.rcode, db.addrs, db.ttl),
        (Rcode::NoError, vec!["10.0.0.99".parse::<std::net::Ipv4Addr>().unwrap()], 300)
    );
    let txt = lab.world.resolve(View::Vpc(lab.my_vpc), "txt.corp.internal");
    assert_eq!((txt.rcode, txt.addrs.len()), (Rcode::NoError, 0));
}

#[test]
fn z1_dig_shows_the_cname_chain_in_the_answer_section_and_short_prints_target_then_addresses() {
    let mut lab = lab_with(ZONE);
    let nlb = lab.world.lb_addresses(lab.nlb, None);
    let full = lab.world.dig(lab.my_ec2, &Dig { name: "www.corp.internal".into(), ..Dig::default() });
    assert!(full.stdout.contains("status: NOERROR"), "{}", full.stdout);
    assert!(
        full.stdout.contains("www.corp.internal.\t120\tIN\tCNAME\tweb.corp.internal.\n"),
        "{}",
        full.stdout
    );
    assert!(full.stdout.contains(&format!("web.corp.internal.\t60\tIN\tA\t{}\n", nlb[0])), "{}", full.stdout);
    assert!(full.stdout.contains(&format!("ANSWER: {}", nlb.len() + 1)), "{}", full.stdout);
    let short =
        lab.world.dig(lab.my_ec2, &Dig { name: "www.corp.internal".into(), short: true, ..Dig::default() });
    let expected: String = std::iter::once("web.corp.internal.\n".to_string())
        .chain(nlb.iter().map(|ip| format!("{ip}\n")))
        .collect();
    assert_eq!(short.stdout, expected);
}

#[test]
fn z1_a_name_in_the_zone_without_a_record_is_nxdomain_even_when_public_dns_has_it() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let template = "
Parameters: {Vpc: {Type: String}, NlbName: {Type: String}}
Resources:
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: amazonaws.com, VPCs: [{VPCId: !Ref Vpc, VPCRegion: ap-northeast-2}]}
";
    stack(&mut lab, template).unwrap();
    assert_eq!(lab.world.resolve(View::Public, "checkip.amazonaws.com").rcode, Rcode::NoError);
    assert_eq!(lab.world.resolve(View::Vpc(lab.my_vpc), "checkip.amazonaws.com").rcode, Rcode::NxDomain);
    let dig = lab.world.dig(lab.my_ec2, &Dig { name: "checkip.amazonaws.com".into(), ..Dig::default() });
    assert!(dig.stdout.contains("status: NXDOMAIN"), "{}", dig.stdout);
    assert!(!dig.stdout.contains("ANSWER SECTION"), "{}", dig.stdout);
}

#[test]
fn z1_the_most_specific_zone_answers() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let template = "
Parameters: {Vpc: {Type: String}, NlbName: {Type: String}}
Resources:
  Outer:
    Type: AWS::Route53::HostedZone
    Properties: {Name: example.com, VPCs: [{VPCId: !Ref Vpc, VPCRegion: ap-northeast-2}]}
  Inner:
    Type: AWS::Route53::HostedZone
    Properties: {Name: app.example.com, VPCs: [{VPCId: !Ref Vpc, VPCRegion: ap-northeast-2}]}
  OuterApi:
    Type: AWS::Route53::RecordSet
    Properties: {HostedZoneId: !Ref Outer, Name: api.app.example.com, Type: A, TTL: 60, ResourceRecords: [10.0.0.1]}
  InnerApi:
    Type: AWS::Route53::RecordSet
    Properties: {HostedZoneId: !Ref Inner, Name: api.app.example.com, Type: A, TTL: 60, ResourceRecords: [10.0.0.2]}
  OuterOnly:
    Type: AWS::Route53::RecordSet
    Properties: {HostedZoneId: !Ref Outer, Name: other.app.example.com, Type: A, TTL: 60, ResourceRecords: [10.0.0.3]}
";
    stack(&mut lab, template).unwrap();
    let w = &lab.world;
    assert_eq!(
        w.resolve(View::Vpc(lab.my_vpc), "api.app.example.com").addrs,
        vec!["10.0.0.2".parse::<std::net::Ipv4Addr>().unwrap()]
    );
    // The inner zone holds every name under app.example.com: the outer zone's record is not seen.
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), "other.app.example.com").rcode, Rcode::NxDomain);
}

#[test]
fn z1_a_vpc_without_dns_hostnames_does_not_see_its_private_zone() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    stack(&mut lab, ZONE).unwrap();
    assert!(!lab.world[lab.my_vpc].dns_hostnames);
    assert_eq!(lab.world.resolve(View::Vpc(lab.my_vpc), "db.corp.internal").rcode, Rcode::NxDomain);
}

#[test]
fn z1_curl_by_the_friendly_name_sends_its_flow_to_an_nlb_node() {
    let mut lab = lab_with(ZONE);
    let nlb = lab.world.lb_addresses(lab.nlb, None);
    let req = Curl { host: "www.corp.internal".into(), port: 80, path: "/".into(), ..Curl::default() };
    let out = lab.world.curl(lab.my_ec2, &req);
    let dst = out.trace.expect("a flow was sent").flow.dst;
    assert!(nlb.contains(&dst), "{dst} not in {nlb:?}");
}

#[test]
fn z1_an_alias_to_an_endpoint_dns_entry_answers_the_endpoint_interfaces() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let w = &mut lab.world;
    let svc =
        w.create_vpc_endpoint_service_configuration(&[lab.nlb], false, None, Default::default()).unwrap();
    let params = IndexMap::from([
        ("Vpc".to_string(), w[lab.my_vpc].aws_id.clone()),
        ("Subnet".to_string(), w[lab.my_subnet].aws_id.clone()),
        ("Service".to_string(), w[svc].service_name.clone()),
    ]);
    let template = "
Parameters: {Vpc: {Type: String}, Subnet: {Type: String}, Service: {Type: String}}
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcEndpointType: Interface, VpcId: !Ref Vpc, SubnetIds: [!Ref Subnet], ServiceName: !Ref Service}
  Zone:
    Type: AWS::Route53::HostedZone
    Properties: {Name: corp.internal, VPCs: [{VPCId: !Ref Vpc, VPCRegion: !Ref 'AWS::Region'}]}
  Api:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneId: !Ref Zone
      Name: api.corp.internal
      Type: A
      AliasTarget:
        DNSName: !Select [1, !Split [':', !Select [0, !GetAtt Endpoint.DnsEntries]]]
        HostedZoneId: !Select [0, !Split [':', !Select [0, !GetAtt Endpoint.DnsEntries]]]
";
    let stack = create_stack(w, "dns", "dns.cfn.yaml", template, &params, &IndexMap::new()).unwrap();
    let ep_id = &stack.resources["Endpoint"].1.physical_id;
    let Some(vpcsim::world::Handle::Endpoint(ep)) = w.find(ep_id) else { panic!("no endpoint {ep_id}") };
    let enis: Vec<_> = w[ep].enis.iter().map(|e| w[e].private_ip).collect();
    assert!(!enis.is_empty());
    assert_eq!(w.resolve(View::Vpc(lab.my_vpc), "api.corp.internal").addrs, enis);
}

#[test]
fn z1_an_alias_to_a_name_that_is_no_load_balancer_or_endpoint_is_refused_at_its_property() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    let bad = ZONE.replace("DNSName: !Ref NlbName", "DNSName: nowhere.example.com");
    let err = stack(&mut lab, &bad).unwrap_err();
    assert!(err.contains("nowhere.example.com is not the DNS name of a load balancer"), "{err}");
    assert!(err.contains("dns.cfn.yaml:"), "{err}");
    assert!(lab.world.hosted_zones().live().next().is_none(), "the failed stack left a zone");
}

#[test]
fn z1_a_second_record_set_of_the_same_name_and_type_is_refused_as_route_53_does() {
    let mut w = World::in_region("ap-northeast-2", 3).unwrap();
    let zone = w
        .create_hosted_zone(vpcsim::ops::route53::CreateHostedZone {
            name: "corp.internal".into(),
            ..Default::default()
        })
        .unwrap();
    use vpcsim::model::hosted_zone::{RecordData, RecordSet};
    use vpcsim::ops::route53::{Change, ChangeAction};
    let a = |ip: &str| RecordSet {
        name: "x.corp.internal".into(),
        ttl: 60,
        data: RecordData::A(vec![ip.parse().unwrap()]),
    };
    let create = |r| vec![Change { action: ChangeAction::Create, record: r }];
    w.change_resource_record_sets(zone, create(a("10.0.0.1"))).unwrap();
    let err = w.change_resource_record_sets(zone, create(a("10.0.0.2"))).unwrap_err();
    assert_eq!(err.code, "InvalidChangeBatch");
    assert!(
        err.message.contains("[name='x.corp.internal.', type='A'] but it already exists"),
        "{}",
        err.message
    );
    let outside = RecordSet { name: "x.other.internal".into(), ..a("10.0.0.3") };
    assert!(w.change_resource_record_sets(zone, create(outside)).is_err());
    assert_eq!(w.delete_hosted_zone(zone).unwrap_err().code, "HostedZoneNotEmpty");
}
