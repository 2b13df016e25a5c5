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

// ---------------------------------------------------------------- the aws route53 calls

mod calls {
    use super::*;
    use vpcsim::command::aws::parse_line;
    use vpcsim::scenario::run::Backend;
    use vpcsim::scenario::StepOutcome;
    use vpcsim::session::Session;

    /// The lab (its VPC with both DNS attributes on) as a session, and the VPC's id.
    fn session() -> (Session, String, vpcsim::ids::InstanceId) {
        let mut lab = Lab::ready(LabOptions::default()).unwrap();
        lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
        let vpc = lab.world[lab.my_vpc].aws_id.clone();
        (Session::new(lab.world), vpc, lab.my_ec2)
    }

    fn aws(s: &mut Session, line: &str) -> StepOutcome {
        s.run_aws(&parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}")))
    }

    fn ok(s: &mut Session, line: &str) -> serde_json::Value {
        let out = aws(s, line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.json.unwrap_or_default()
    }

    /// A private zone corp.internal for the lab's VPC; its id as printed (`/hostedzone/Z...`).
    fn zone(s: &mut Session, vpc: &str) -> String {
        let out = ok(
            s,
            &format!("aws route53 create-hosted-zone --name corp.internal --caller-reference r1 --vpc VPCRegion=ap-northeast-2,VPCId={vpc}"),
        );
        out["HostedZone"]["Id"].as_str().unwrap().to_string()
    }

    fn batch(action: &str, name: &str, ip: &str) -> String {
        format!(
            r#"'{{"Changes": [{{"Action": "{action}", "ResourceRecordSet": {{"Name": "{name}", "Type": "A", "TTL": 300, "ResourceRecords": [{{"Value": "{ip}"}}]}}}}]}}'"#
        )
    }

    /// A session with a zone and the change that creates `db.corp.internal` in it, just sent.
    fn a_pending_change() -> (Session, serde_json::Value) {
        let (mut s, vpc, _) = session();
        let id = zone(&mut s, &vpc);
        let change = ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch("CREATE", "db.corp.internal", "10.0.0.99")
            ),
        );
        (s, change)
    }

    #[test]
    fn z1_create_hosted_zone_with_a_vpc_is_private_and_prints_ids_as_aws_does() {
        let (mut s, vpc, _) = session();
        let out = ok(
            &mut s,
            &format!("aws route53 create-hosted-zone --name Corp.Internal. --caller-reference r1 --vpc VPCRegion=ap-northeast-2,VPCId={vpc} --hosted-zone-config Comment=corp"),
        );
        let id = out["HostedZone"]["Id"].as_str().unwrap();
        assert!(id.starts_with("/hostedzone/Z") && id.len() == "/hostedzone/Z".len() + 20, "{id}");
        assert!(out["ChangeInfo"]["Id"].as_str().unwrap().starts_with("/change/C"), "{out}");
        assert_eq!(out["HostedZone"]["Name"], "corp.internal.");
        assert_eq!(out["HostedZone"]["Config"], serde_json::json!({"Comment": "corp", "PrivateZone": true}));
        assert_eq!(out["HostedZone"]["ResourceRecordSetCount"], 2);
        assert_eq!(out["VPC"]["VPCId"], vpc.as_str());
        assert_eq!(
            out["Location"],
            format!("https://route53.amazonaws.com/2013-04-01/hostedzone/{}", &id[12..])
        );
        let again = ok(&mut session().0, &format!("aws route53 create-hosted-zone --name corp.internal --caller-reference r1 --vpc VPCRegion=ap-northeast-2,VPCId={vpc}"));
        assert_eq!(again["HostedZone"]["Id"], id, "the same seed draws the same id");
        let got = ok(&mut s, &format!("aws route53 get-hosted-zone --id {id}"));
        assert_eq!(got["VPCs"][0]["VPCId"], vpc.as_str());
        let by_vpc = ok(
            &mut s,
            &format!("aws route53 list-hosted-zones-by-vpc --vpc-id {vpc} --vpc-region ap-northeast-2"),
        );
        assert_eq!(by_vpc["HostedZoneSummaries"][0]["HostedZoneId"], &id[12..]);
    }

    #[test]
    fn z1_records_made_by_a_change_batch_answer_inside_the_vpc() {
        let (mut s, vpc, client) = session();
        let id = zone(&mut s, &vpc);
        ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch("CREATE", "db.corp.internal", "10.0.0.99")
            ),
        );
        let answer = s.world.dig(client, &Dig { name: "db.corp.internal".into(), short: true, server: None });
        assert_eq!(answer.stdout, "10.0.0.99\n");
        ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch("UPSERT", "db.corp.internal", "10.0.0.98")
            ),
        );
        assert_eq!(
            s.world.resolve(View::Vpc(s.world[s.world[client].eni].vpc), "db.corp.internal").addrs,
            ["10.0.0.98".parse::<std::net::Ipv4Addr>().unwrap()]
        );
        let listed = ok(&mut s, &format!("aws route53 list-resource-record-sets --hosted-zone-id {id}"));
        let types: Vec<&str> = listed["ResourceRecordSets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["NS", "SOA", "A"]);
        assert_eq!(listed["ResourceRecordSets"][2]["ResourceRecords"][0]["Value"], "10.0.0.98");
    }

    #[test]
    fn z1_create_of_an_existing_record_set_and_delete_of_a_missing_one_fail_in_route_53s_words() {
        let (mut s, vpc, _) = session();
        let id = zone(&mut s, &vpc);
        let line = |action: &str, ip: &str| {
            format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch(action, "db.corp.internal", ip)
            )
        };
        ok(&mut s, &line("CREATE", "10.0.0.99"));
        let exists = aws(&mut s, &line("CREATE", "10.0.0.99"));
        assert_eq!(exists.exit_code, 254);
        assert!(exists.stderr.contains("An error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [Tried to create resource record set [name='db.corp.internal.', type='A'] but it already exists]"), "{}", exists.stderr);
        let other = aws(&mut s, &line("DELETE", "10.0.0.1"));
        assert!(other.stderr.contains("[Tried to delete resource record set [name='db.corp.internal.', type='A'] but the values provided do not match the current values]"), "{}", other.stderr);
        ok(&mut s, &line("DELETE", "10.0.0.99"));
        let missing = aws(&mut s, &line("DELETE", "10.0.0.99"));
        assert!(missing.stderr.contains("[Tried to delete resource record set [name='db.corp.internal.', type='A'] but it was not found]"), "{}", missing.stderr);
    }

    #[test]
    fn z1_a_change_is_pending_then_insync_a_minute_later_on_the_virtual_clock() {
        let (mut s, change) = a_pending_change();
        let change_id = change["ChangeInfo"]["Id"].as_str().unwrap().to_string();
        assert_eq!(change["ChangeInfo"]["Status"], "PENDING");
        let status = |s: &mut Session| {
            ok(s, &format!("aws route53 get-change --id {change_id}"))["ChangeInfo"]["Status"].clone()
        };
        s.advance(std::time::Duration::from_secs(59));
        assert_eq!(status(&mut s), "PENDING");
        s.advance(std::time::Duration::from_secs(1));
        assert_eq!(status(&mut s), "INSYNC");
        let none = aws(&mut s, "aws route53 get-change --id /change/CNOSUCHCHANGE");
        assert!(none.stderr.contains("NoSuchChange"), "{}", none.stderr);
    }

    #[test]
    fn z1_wait_for_a_change_insync_waits_the_minute_route_53_takes_by_its_id_or_its_saved_path() {
        let (mut s, change) = a_pending_change();
        let saved = change["ChangeInfo"]["Id"].as_str().unwrap().to_string();
        let minute = std::time::Duration::from_secs(60);
        let bare = saved.strip_prefix("/change/").unwrap().to_string();
        let start = s.world.now_ms();
        let waited = vpcsim::scenario::wait::wait_for(&mut s, &bare, "INSYNC", 2 * minute);
        assert_eq!(
            (waited.exit_code, waited.stdout.as_str()),
            (0, format!("{bare} is INSYNC after 1m\n").as_str())
        );
        assert_eq!(s.world.now_ms() - start, 60_000, "the clock jumps to the change, not past it");
        let again = vpcsim::scenario::wait::wait_for(&mut s, &saved, "INSYNC", minute);
        assert_eq!(again.stdout, format!("{saved} is INSYNC after 0s\n"));
        let wrong = vpcsim::scenario::wait::wait_for(&mut s, &saved, "insync", minute);
        assert_eq!(wrong.exit_code, 1);
        assert!(wrong.stderr.contains("its states are: PENDING, INSYNC"), "{}", wrong.stderr);
    }

    #[test]
    fn z1_a_pending_change_times_out_a_wait_for_shorter_than_its_minute() {
        let (mut s, change) = a_pending_change();
        let saved = change["ChangeInfo"]["Id"].as_str().unwrap().to_string();
        let short =
            vpcsim::scenario::wait::wait_for(&mut s, &saved, "INSYNC", std::time::Duration::from_secs(30));
        assert_eq!(short.exit_code, 1);
        assert!(short.stderr.contains("timed out after 30s"), "{}", short.stderr);
    }

    #[test]
    fn z1_the_last_vpc_cannot_be_disassociated_and_a_public_zone_takes_no_vpc() {
        let (mut s, vpc, _) = session();
        let id = zone(&mut s, &vpc);
        let last = aws(&mut s, &format!("aws route53 disassociate-vpc-from-hosted-zone --hosted-zone-id {id} --vpc VPCRegion=ap-northeast-2,VPCId={vpc}"));
        assert!(last.stderr.contains("(LastVPCAssociation)"), "{}", last.stderr);
        let public = ok(&mut s, "aws route53 create-hosted-zone --name example.org --caller-reference r2");
        assert_eq!(public["HostedZone"]["Config"]["PrivateZone"], false);
        assert_eq!(public["DelegationSet"]["NameServers"].as_array().map(Vec::len), Some(4));
        let pid = public["HostedZone"]["Id"].as_str().unwrap();
        let refused = aws(&mut s, &format!("aws route53 associate-vpc-with-hosted-zone --hosted-zone-id {pid} --vpc VPCRegion=ap-northeast-2,VPCId={vpc}"));
        assert!(refused.stderr.contains("(PublicZoneVPCAssociation)"), "{}", refused.stderr);
        let other = aws(&mut s, &format!("aws route53 associate-vpc-with-hosted-zone --hosted-zone-id {id} --vpc VPCRegion=us-east-1,VPCId={vpc}"));
        assert!(other.stderr.contains("(InvalidVPCId)"), "{}", other.stderr);
        let private_only = ok(&mut s, "aws route53 list-hosted-zones --hosted-zone-type PrivateHostedZone");
        assert_eq!(private_only["HostedZones"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn z1_a_public_zone_answers_no_query_inside_a_vpc() {
        let (mut s, _, client) = session();
        let public = ok(&mut s, "aws route53 create-hosted-zone --name example.org --caller-reference r2");
        let pid = public["HostedZone"]["Id"].as_str().unwrap().to_string();
        ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {pid} --change-batch {}",
                batch("CREATE", "www.example.org", "192.0.2.10")
            ),
        );
        let answer = s.world.dig(client, &Dig { name: "www.example.org".into(), short: false, server: None });
        assert!(answer.stdout.contains("status: NXDOMAIN"), "{}", answer.stdout);
    }

    #[test]
    fn z1_delete_hosted_zone_refuses_a_zone_holding_record_sets_other_than_ns_and_soa() {
        let (mut s, vpc, _) = session();
        let id = zone(&mut s, &vpc);
        ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch("CREATE", "db.corp.internal", "10.0.0.99")
            ),
        );
        let refused = aws(&mut s, &format!("aws route53 delete-hosted-zone --id {id}"));
        assert!(refused.stderr.contains("(HostedZoneNotEmpty)"), "{}", refused.stderr);
        ok(
            &mut s,
            &format!(
                "aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch {}",
                batch("DELETE", "db.corp.internal", "10.0.0.99")
            ),
        );
        let deleted = ok(&mut s, &format!("aws route53 delete-hosted-zone --id {id}"));
        assert_eq!(deleted["ChangeInfo"]["Status"], "PENDING");
        let gone = aws(&mut s, &format!("aws route53 get-hosted-zone --id {id}"));
        assert!(gone.stderr.contains("(NoSuchHostedZone)"), "{}", gone.stderr);
    }

    #[test]
    fn z1_the_same_caller_reference_twice_is_refused() {
        let (mut s, vpc, _) = session();
        zone(&mut s, &vpc);
        let again = aws(&mut s, "aws route53 create-hosted-zone --name other.internal --caller-reference r1");
        assert!(again.stderr.contains("(HostedZoneAlreadyExists)"), "{}", again.stderr);
    }

    #[test]
    fn z1_an_alias_from_the_cli_must_name_a_load_balancer_or_an_endpoint() {
        let (mut s, vpc, _) = session();
        let id = zone(&mut s, &vpc);
        let lb = s.world.lbs().live().next().map(|(_, l)| l.dns_name.clone()).unwrap();
        let alias = |target: &str| {
            format!(
                r#"aws route53 change-resource-record-sets --hosted-zone-id {id} --change-batch '{{"Changes": [{{"Action": "CREATE", "ResourceRecordSet": {{"Name": "web.corp.internal", "Type": "A", "AliasTarget": {{"HostedZoneId": "ZIBE1TIR4HY56", "DNSName": "{target}", "EvaluateTargetHealth": false}}}}}}]}}'"#
            )
        };
        let refused = aws(&mut s, &alias("nowhere.example.com"));
        assert!(
            refused.stderr.contains("nowhere.example.com is not the DNS name of a load balancer"),
            "{}",
            refused.stderr
        );
        ok(&mut s, &alias(&lb));
        let listed = ok(&mut s, &format!("aws route53 list-resource-record-sets --hosted-zone-id {id}"));
        assert_eq!(
            listed["ResourceRecordSets"][2]["AliasTarget"]["DNSName"],
            format!("{}.", lb.to_ascii_lowercase())
        );
    }

    #[test]
    fn z1_a_change_batch_file_is_read_relative_to_the_scenario() {
        let dir = std::env::temp_dir().join(format!("vpcsim-route53-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("batch.json"),
            r#"{"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "app.corp.internal", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.30.1.80"}]}}]}"#,
        )
        .unwrap();
        let template = include_str!("../scenarios/route53-private-zone.cfn.yaml");
        std::fs::write(dir.join("z.cfn.yaml"), template).unwrap();
        let scenario = "name: batch from a file
stacks: [{name: z, template: z.cfn.yaml}]
steps:
  - run: aws route53 create-hosted-zone --name corp.internal --caller-reference f1 --vpc VPCRegion=us-east-1,VPCId=${Vpc}
    save: zone
  - run: aws route53 change-resource-record-sets --hosted-zone-id ${zone.HostedZone.Id} --change-batch file://batch.json
  - on: client
    run: dig +short app.corp.internal
    expect: {answers-in: 10.30.1.80/32}
";
        let path = dir.join("s.yaml");
        std::fs::write(&path, scenario).unwrap();
        let s = vpcsim::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut session = Session::for_scenario(&s).unwrap();
        let report = vpcsim::scenario::run(&s, &mut session).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(report.passed, "{}", vpcsim::scenario::render::text(&report));
    }
}

#[test]
fn z1_evaluate_target_health_on_an_alias_to_the_nlb_is_warned_about_once() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let params = IndexMap::from([
        ("Vpc".to_string(), lab.world[lab.my_vpc].aws_id.clone()),
        ("NlbName".to_string(), lab.world[lab.nlb].dns_name.clone()),
    ]);
    let evaluated = ZONE
        .replace("HostedZoneId: ZIBE1TIR4HY56}", "HostedZoneId: ZIBE1TIR4HY56, EvaluateTargetHealth: true}");
    let stack =
        create_stack(&mut lab.world, "dns", "dns.cfn.yaml", &evaluated, &params, &IndexMap::new()).unwrap();
    let about: Vec<_> =
        stack.warnings.iter().filter(|w| w.message.contains("EvaluateTargetHealth")).collect();
    assert_eq!(about.len(), 1, "{:?}", stack.warnings);
    assert!(about[0].message.contains("changes nothing here"), "{:?}", about[0]);
}

#[test]
fn z1_evaluate_target_health_false_is_aws_default_and_not_warned_about() {
    let mut lab = Lab::ready(LabOptions::default()).unwrap();
    lab.world.modify_vpc_dns(lab.my_vpc, None, Some(true));
    let params = IndexMap::from([
        ("Vpc".to_string(), lab.world[lab.my_vpc].aws_id.clone()),
        ("NlbName".to_string(), lab.world[lab.nlb].dns_name.clone()),
    ]);
    let quiet = ZONE
        .replace("HostedZoneId: ZIBE1TIR4HY56}", "HostedZoneId: ZIBE1TIR4HY56, EvaluateTargetHealth: false}");
    let stack =
        create_stack(&mut lab.world, "dns", "dns.cfn.yaml", &quiet, &params, &IndexMap::new()).unwrap();
    assert!(
        !stack.warnings.iter().any(|w| w.message.contains("EvaluateTargetHealth")),
        "{:?}",
        stack.warnings
    );
}

mod query_types {
    use super::*;
    use vpcsim::apps::dig::Query;
    use vpcsim::apps::dig_records::QueryType;
    use vpcsim::scenario::run::Backend;
    use vpcsim::session::Session;

    /// What `dig` prints on the lab's instance, the ZONE stack created, with `args` as typed.
    fn dig_line(args: &str) -> (i32, String, String) {
        let lab = lab_with(ZONE);
        let on = lab.world.instance(lab.my_ec2).aws_id.clone();
        let mut s = Session::new(lab.world);
        let cmd = vpcsim::command::app::parse_line(&format!("dig {args}"))
            .unwrap_or_else(|e| panic!("{args}: {e:?}"));
        let out = s.run_app(&on, &cmd);
        (out.exit_code, out.stdout, out.stderr)
    }

    fn dig(name: &str, qtype: QueryType, short: bool) -> String {
        let mut lab = lab_with(ZONE);
        let q = Dig { name: name.into(), short, ..Dig::default() };
        lab.world.dig_query(lab.my_ec2, &q, Query { qtype, ..Query::default() }).stdout
    }

    #[test]
    fn z1_dig_txt_answers_the_zones_txt_record_quoted_as_dig_prints_it() {
        for args in [
            "+short txt.corp.internal TXT",
            "+short -t TXT txt.corp.internal",
            "+short -ttxt txt.corp.internal",
        ] {
            assert_eq!(dig_line(args), (0, "\"hello\"\n".to_string(), String::new()), "dig {args}");
        }
        let full = dig("txt.corp.internal", QueryType::Txt, false);
        assert!(full.contains("<<>> txt.corp.internal TXT\n"), "{full}");
        assert!(full.contains("status: NOERROR"), "{full}");
        assert!(
            full.contains(";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n"),
            "{full}"
        );
        assert!(full.contains(";txt.corp.internal.\t\t\tIN\tTXT\n"), "{full}");
        assert!(full.contains(";; ANSWER SECTION:\ntxt.corp.internal.\t60\tIN\tTXT\t\"hello\"\n"), "{full}");
    }

    #[test]
    fn z1_a_txt_query_of_a_name_with_only_a_records_is_noerror_with_no_answer_not_its_addresses() {
        assert_eq!(dig_line("+short db.corp.internal TXT"), (0, String::new(), String::new()));
        let full = dig("db.corp.internal", QueryType::Txt, false);
        assert!(full.contains("status: NOERROR") && full.contains("ANSWER: 0,"), "{full}");
        assert!(!full.contains("10.0.0.99") && !full.contains("ANSWER SECTION"), "{full}");
    }

    #[test]
    fn z1_aaaa_of_a_name_without_aaaa_records_is_noerror_and_of_a_missing_name_nxdomain() {
        assert_eq!(dig("db.corp.internal", QueryType::Aaaa, true), "");
        assert_eq!(
            dig("web.corp.internal", QueryType::Aaaa, true),
            "",
            "an alias to an IPv4 NLB has no AAAA"
        );
        let full = dig("db.corp.internal", QueryType::Aaaa, false);
        assert!(full.contains("status: NOERROR") && full.contains("ANSWER: 0,"), "{full}");
        assert!(full.contains(";db.corp.internal.\t\t\tIN\tAAAA\n"), "{full}");
        let missing = dig("nope.corp.internal", QueryType::Aaaa, false);
        assert!(missing.contains("status: NXDOMAIN") && missing.contains("ANSWER: 0,"), "{missing}");
    }

    #[test]
    fn z1_a_cname_query_answers_the_cname_only_and_a_txt_query_follows_it() {
        assert_eq!(dig("www.corp.internal", QueryType::Cname, true), "web.corp.internal.\n");
        let full = dig("www.corp.internal", QueryType::Cname, false);
        assert!(full.contains("ANSWER: 1,"), "{full}");
        assert!(full.contains("www.corp.internal.\t120\tIN\tCNAME\tweb.corp.internal.\n"), "{full}");
        assert!(!full.contains("\tIN\tA\t"), "{full}");
        assert_eq!(dig("db.corp.internal", QueryType::Cname, true), "");
        assert_eq!(dig("www.corp.internal", QueryType::Txt, true), "web.corp.internal.\n");
    }

    #[test]
    fn z1_ns_and_soa_of_a_private_zone_apex_are_the_ones_route_53_makes() {
        assert_eq!(
            dig("corp.internal", QueryType::Ns, true),
            "ns-1536.awsdns-00.co.uk.\nns-0.awsdns-00.com.\nns-1024.awsdns-00.org.\nns-512.awsdns-00.net.\n"
        );
        assert_eq!(
            dig("corp.internal", QueryType::Soa, true),
            "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400\n"
        );
        let full = dig("corp.internal", QueryType::Soa, false);
        assert!(full.contains("corp.internal.\t900\tIN\tSOA\tns-1536.awsdns-00.co.uk. "), "{full}");
        assert_eq!(dig("db.corp.internal", QueryType::Ns, true), "");
    }

    #[test]
    fn z1_noall_answer_prints_the_answer_records_only() {
        let (code, out, _) = dig_line("+noall +answer txt.corp.internal TXT");
        assert_eq!((code, out.as_str()), (0, "txt.corp.internal.\t60\tIN\tTXT\t\"hello\"\n"));
        let (_, a, _) = dig_line("+noall +answer db.corp.internal");
        assert_eq!(a, "db.corp.internal.\t300\tIN\tA\t10.0.0.99\n");
    }

    #[test]
    fn z1_mx_ptr_and_any_queries_are_refused_rather_than_answered_with_addresses() {
        for args in ["db.corp.internal MX", "-t ANY db.corp.internal", "db.corp.internal PTR"] {
            let err = vpcsim::command::app::parse_line(&format!("dig {args}")).unwrap_err();
            assert!(err.message.starts_with("dig: vpcsim does not model "), "{args}: {}", err.message);
            assert!(err.message.contains("A, AAAA, CNAME, TXT, NS and SOA"), "{}", err.message);
        }
    }

    #[test]
    fn an_a_query_prints_as_it_did_before_query_types() {
        let a = dig("db.corp.internal", QueryType::A, false);
        assert!(a.contains(";db.corp.internal.\t\t\tIN\tA\n"), "{a}");
        assert!(a.contains("<<>> db.corp.internal\n"), "{a}");
        assert!(a.contains("db.corp.internal.\t300\tIN\tA\t10.0.0.99\n"), "{a}");
        assert!(a.contains(";; MSG SIZE  rcvd: 61\n"), "{a}");
    }
}
