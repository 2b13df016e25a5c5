//! Fidelity tests for flow logs (docs/aws-rules.md F1): which interfaces a flow log on an
//! interface, a subnet or a VPC covers, the records a flow leaves at each interface it
//! crosses (ACCEPT both ways, REJECT where a security group or network ACL stops it), the
//! default and custom formats, TrafficType, and what is never logged; records delivered
//! to S3 as a gzip log file per 5-minute window, read with `aws s3 ls` and `aws s3 cp`.

mod common;

use common::*;
use std::time::Duration;
use vpcsim::addr::{PortRange, Protocol, RuleProtocol};
use vpcsim::apps::curl::Curl;
use vpcsim::apps::dig::Dig;
use vpcsim::apps::nc::Nc;
use vpcsim::apps::ping::Ping;
use vpcsim::apps::Client;
use vpcsim::ids::*;
use vpcsim::lab::{Lab, LabOptions};

use vpcsim::command::aws::parse_line;
use vpcsim::describe::s3::objects;
use vpcsim::model::flow_log::{FlowLogResource, LogDestination, LogFormat, S3Destination, TrafficType};
use vpcsim::model::instance::Service;
use vpcsim::model::nacl::{AclEntry, Action, IcmpTypeCode};
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::flow_log::CreateFlowLog;
use vpcsim::scenario::Backend;
use vpcsim::session::Session;
use vpcsim::trace::Direction;
use vpcsim::world::World;

/// Two instances in two subnets of one VPC; `b` admits tcp 22 from the VPC.
struct Pair {
    w: World,
    vpc: VpcId,
    a: InstanceId,
    b: InstanceId,
    b_subnet: SubnetId,
}

fn pair() -> Pair {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let sa = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let sb = subnet(&mut w, vpc, "10.0.2.0/24", 0);
    let ga = group(&mut w, vpc, "a", &[], "0.0.0.0/0");
    let gb = group(&mut w, vpc, "b", &[22], "10.0.0.0/16");
    let a = instance(&mut w, sa, &[ga], false);
    let b = instance(&mut w, sb, &[gb], false);
    Pair { w, vpc, a, b, b_subnet: sb }
}

fn flow_log(w: &mut World, resource: FlowLogResource, traffic: TrafficType, format: LogFormat) -> FlowLogId {
    w.create_flow_log(CreateFlowLog {
        resource,
        traffic,
        destination: LogDestination::CloudWatchLogs { group: "flows".into() },
        deliver_logs_permission_arn: Some("arn:aws:iam::123456789012:role/flow-logs".into()),
        format,
        max_aggregation_interval: None,
        tags: Tags::new(),
    })
    .expect("flow log")
}

/// The messages of group `flows`, each as (stream, message).
fn records(w: &World) -> Vec<(String, String)> {
    let Some(g) = w.log_group_named("flows") else { return Vec::new() };
    w[g].events.iter().map(|e| (e.stream.clone(), e.message.clone())).collect()
}

fn nc(w: &mut World, from: InstanceId, to: InstanceId, port: u16) -> i32 {
    let host = private_ip(w, to).to_string();
    w.nc(from, &Nc { host, ports: PortRange::single(port), zero_io: true, ..Default::default() }).exit_code
}

/// `src > dst sport dport protocol packets bytes ... action` of a default-format record.
fn summary(message: &str) -> String {
    let f: Vec<&str> = message.split(' ').collect();
    format!("{} {} > {} {} {} {} {} {}", f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[12])
}

#[test]
fn f1_an_accepted_connection_is_an_accept_record_each_way_at_each_interface() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::All, LogFormat::default());
    assert_eq!(nc(&mut p.w, p.a, p.b, 22), 0);
    let (ea, eb) = (p.w[eni(&p.w, p.a)].aws_id.clone(), p.w[eni(&p.w, p.b)].aws_id.clone());
    let (ia, ib) = (private_ip(&p.w, p.a), private_ip(&p.w, p.b));
    let got = records(&p.w);
    let port = got[0].1.split(' ').nth(5).unwrap().to_string();
    let want = [
        (&ea, format!("{ea} {ia} > {ib} {port} 22 6 5 ACCEPT")),
        (&eb, format!("{eb} {ia} > {ib} {port} 22 6 5 ACCEPT")),
        (&eb, format!("{eb} {ib} > {ia} 22 {port} 6 5 ACCEPT")),
        (&ea, format!("{ea} {ib} > {ia} 22 {port} 6 5 ACCEPT")),
    ];
    let got: Vec<(&String, String)> = got.iter().map(|(s, m)| (s, summary(m))).collect();
    assert_eq!(got, want.iter().map(|(s, m)| (*s, m.clone())).collect::<Vec<_>>());
}

#[test]
fn f1_a_record_has_the_default_format_version_2_with_the_virtual_clock() {
    let mut p = pair();
    let eb = FlowLogResource::Eni(eni(&p.w, p.b));
    flow_log(&mut p.w, eb, TrafficType::All, LogFormat::default());
    p.w.advance(std::time::Duration::from_secs(90));
    nc(&mut p.w, p.a, p.b, 22);
    let (_, first) = &records(&p.w)[0];
    let f: Vec<&str> = first.split(' ').collect();
    assert_eq!(f.len(), 14, "{first}");
    assert_eq!(f[0], "2");
    assert_eq!(f[1], p.w.account_id());
    assert_eq!(f[2], p.w[eni(&p.w, p.b)].aws_id);
    let start = vpcsim::apps::EPOCH_UNIX + 90;
    assert_eq!((f[9], f[10], f[11]), ("348", start.to_string().as_str(), start.to_string().as_str()));
    assert_eq!(&f[12..], ["ACCEPT", "OK"]);
}

#[test]
fn f1_a_flow_blocked_by_a_security_group_is_a_reject_record_at_that_interface() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::All, LogFormat::default());
    assert_ne!(nc(&mut p.w, p.a, p.b, 3306), 0);
    let (ea, eb) = (p.w[eni(&p.w, p.a)].aws_id.clone(), p.w[eni(&p.w, p.b)].aws_id.clone());
    let got: Vec<(String, String)> = records(&p.w).into_iter().map(|(s, m)| (s, summary(&m))).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, ea);
    assert!(got[0].1.ends_with("3306 6 1 ACCEPT"), "{got:?}");
    assert_eq!(got[1].0, eb);
    assert!(got[1].1.ends_with("3306 6 1 REJECT"), "{got:?}");
}

#[test]
fn f1_a_response_dropped_by_a_network_acl_is_a_reject_record_where_it_left() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::Reject, LogFormat::default());
    let acl = p.w[p.b_subnet].nacl;
    let deny = AclEntry {
        number: 50,
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports: PortRange { from: 1024, to: 65535 },
        icmp: IcmpTypeCode::ALL,
        cidr: cidr("0.0.0.0/0"),
        action: Action::Deny,
    };
    p.w.create_network_acl_entry(acl, Direction::Egress, deny).expect("deny entry");
    assert_ne!(nc(&mut p.w, p.a, p.b, 22), 0);
    let eb = p.w[eni(&p.w, p.b)].aws_id.clone();
    let (ia, ib) = (private_ip(&p.w, p.a), private_ip(&p.w, p.b));
    let got: Vec<(String, String)> = records(&p.w).into_iter().map(|(s, m)| (s, summary(&m))).collect();
    assert_eq!(got.len(), 1, "a REJECT flow log keeps only the REJECT record: {got:?}");
    assert_eq!(got[0].0, eb);
    assert!(got[0].1.starts_with(&format!("{eb} {ib} > {ia} 22 ")), "{got:?}");
    assert!(got[0].1.ends_with("REJECT"), "{got:?}");
}

#[test]
fn f1_a_subnet_flow_log_covers_only_the_interfaces_in_its_subnet() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Subnet(p.b_subnet), TrafficType::All, LogFormat::default());
    nc(&mut p.w, p.a, p.b, 22);
    let eb = p.w[eni(&p.w, p.b)].aws_id.clone();
    let got = records(&p.w);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|(stream, m)| *stream == eb && m.contains(&eb)));
}

#[test]
fn f1_ping_is_protocol_1_with_ports_0_and_84_bytes_a_packet() {
    let mut p = pair();
    let gb = p.w[eni(&p.w, p.b)].groups[0];
    let icmp = vpcsim::ops::security::Permission {
        protocol: RuleProtocol::One(Protocol::Icmp),
        ports: PortRange::ALL,
        peer: vpcsim::model::security_group::Peer::Cidr(cidr("10.0.0.0/16")),
        description: None,
    };
    p.w.authorize_security_group(gb, Direction::Ingress, &[icmp]).expect("icmp");
    let eb = FlowLogResource::Eni(eni(&p.w, p.b));
    flow_log(&mut p.w, eb, TrafficType::All, LogFormat::default());
    let host = private_ip(&p.w, p.b).to_string();
    assert_eq!(p.w.ping(p.a, &Ping { host, count: Some(4), ..Ping::default() }).exit_code, 0);
    let (_, first) = &records(&p.w)[0];
    let f: Vec<&str> = first.split(' ').collect();
    assert_eq!(&f[5..10], ["0", "0", "1", "4", "336"], "{first}");
    assert_eq!(f[11].parse::<i64>().unwrap() - f[10].parse::<i64>().unwrap(), 3, "{first}");
}

#[test]
fn f1_a_custom_format_writes_its_fields_in_order_with_the_highest_version() {
    let mut p = pair();
    let format =
        LogFormat::parse("${version} ${vpc-id} ${subnet-id} ${instance-id} ${action} ${az-id}").unwrap();
    let eb = FlowLogResource::Eni(eni(&p.w, p.b));
    flow_log(&mut p.w, eb, TrafficType::All, format);
    nc(&mut p.w, p.a, p.b, 22);
    let (_, first) = &records(&p.w)[0];
    let w = &p.w;
    let b = eni(w, p.b);
    let want =
        format!("4 {} {} {} ACCEPT apne2-az1", w[p.vpc].aws_id, w[p.b_subnet].aws_id, w.instance(p.b).aws_id);
    assert_eq!(*first, want);
    assert_eq!(w[b].subnet, p.b_subnet);
}

#[test]
fn f1_a_custom_format_with_an_unknown_or_unmodelled_field_is_refused() {
    assert!(LogFormat::parse("${version} ${bogus}").unwrap_err().to_string().contains("does not exist"));
    assert!(LogFormat::parse("${tcp-flags}").unwrap_err().to_string().contains("not modelled"));
    assert!(LogFormat::parse("version srcaddr").is_err());
}

#[test]
fn f1_without_a_flow_log_no_record_and_no_log_group_is_written() {
    let mut p = pair();
    nc(&mut p.w, p.a, p.b, 22);
    assert_eq!(p.w.log_groups().len(), 0);
}

#[test]
fn f1_a_deleted_flow_log_writes_nothing_more_and_what_it_wrote_stays() {
    let mut p = pair();
    let fl = flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::All, LogFormat::default());
    nc(&mut p.w, p.a, p.b, 22);
    p.w.delete_flow_log(fl).unwrap();
    nc(&mut p.w, p.a, p.b, 22);
    assert_eq!(records(&p.w).len(), 4);
}

#[test]
fn f1_the_instance_metadata_service_is_never_logged() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::All, LogFormat::default());
    let req = vpcsim::apps::curl::Curl {
        host: "169.254.169.254".into(),
        port: 80,
        path: "/latest/meta-data/instance-id".into(),
        ..Default::default()
    };
    assert_eq!(p.w.curl(Client::Instance(p.a), &req).exit_code, 0);
    assert!(records(&p.w).is_empty());
}

#[test]
fn f1_a_flow_log_to_cloudwatch_needs_a_delivery_role_and_an_interval_of_60_or_600() {
    let mut p = pair();
    let mut req = CreateFlowLog {
        resource: FlowLogResource::Vpc(p.vpc),
        traffic: TrafficType::All,
        destination: LogDestination::CloudWatchLogs { group: "flows".into() },
        deliver_logs_permission_arn: None,
        format: LogFormat::default(),
        max_aggregation_interval: None,
        tags: Tags::new(),
    };
    assert_eq!(p.w.create_flow_log(req.clone()).unwrap_err().code, "InvalidParameter");
    req.deliver_logs_permission_arn = Some("arn:aws:iam::1:role/r".into());
    req.max_aggregation_interval = Some(300);
    assert_eq!(p.w.create_flow_log(req.clone()).unwrap_err().code, "InvalidParameter");
    req.max_aggregation_interval = Some(60);
    assert!(p.w.create_flow_log(req).is_ok());
}

#[test]
fn f1_a_dns_query_to_a_server_on_an_instance_is_logged_like_any_other_flow() {
    let mut w = seoul(SEED);
    let vpc = vpc(&mut w, "10.0.0.0/16");
    let s = subnet(&mut w, vpc, "10.0.1.0/24", 0);
    let dns_sg = group(&mut w, vpc, "dns", &[], "0.0.0.0/0");
    let udp53 = vpcsim::ops::security::Permission {
        protocol: RuleProtocol::One(Protocol::Udp),
        ports: PortRange { from: 53, to: 53 },
        peer: vpcsim::model::security_group::Peer::Cidr(cidr("10.0.0.0/16")),
        description: None,
    };
    w.authorize_security_group(dns_sg, Direction::Ingress, &[udp53]).expect("udp 53");
    let named = Service {
        protocol: Protocol::Udp,
        port: 53,
        software: "named".into(),
        answer: vpcsim::model::instance::Answer::Dns,
    };
    let server = w
        .run_instance(RunInstance {
            subnet: Some(s),
            groups: vec![dns_sg],
            services: Some(vec![named]),
            ..Default::default()
        })
        .expect("dns server");
    let client = instance(&mut w, s, &[], false);
    flow_log(&mut w, FlowLogResource::Vpc(vpc), TrafficType::All, LogFormat::default());
    let q = Dig { name: "example.com".into(), short: true, server: Some(private_ip(&w, server)) };
    w.dig(client, &q);
    let got: Vec<String> = records(&w).iter().map(|(_, m)| summary(m)).collect();
    let (c, d) = (private_ip(&w, client), private_ip(&w, server));
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(got.iter().all(|r| r.contains(" 17 1 ") && r.ends_with("ACCEPT")), "{got:?}");
    assert!(got[0].contains(&format!("{c} > {d} ")) && got[0].contains(" 53 17 "), "{got:?}");
    assert!(got[2].contains(&format!("{d} > {c} 53 ")), "{got:?}");
}

#[test]
fn f1_the_vpc_resolver_is_never_logged() {
    let mut p = pair();
    flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), TrafficType::All, LogFormat::default());
    p.w.dig(p.a, &Dig { name: "example.com".into(), short: true, server: None });
    assert!(records(&p.w).is_empty());
}

#[test]
fn f1_a_flow_through_a_load_balancer_is_logged_at_the_node_and_at_the_target() {
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab");
    let w = &mut lab.world;
    flow_log(w, FlowLogResource::Vpc(lab.custom_vpc), TrafficType::All, LogFormat::default());
    let host = w[lab.nlb].dns_name.clone();
    let out = w.curl(lab.my_ec2, &Curl { host, port: 80, path: "/".into(), ..Default::default() });
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let node = w[lab.nlb].nodes[0].eni;
    let streams: Vec<String> = records(w).into_iter().map(|(s, _)| s).collect();
    assert!(streams.contains(&w[node].aws_id), "{streams:?}");
    let targets = [eni(w, lab.web1), eni(w, lab.web2)].map(|e| w[e].aws_id.clone());
    assert!(streams.iter().any(|s| targets.contains(s)), "{streams:?}");
}

/// The default-format records at `eni` whose source port is 40000 (the health checks'),
/// each as its fields.
fn health_check_records(w: &World, eni: EniId) -> Vec<Vec<String>> {
    let stream = w[eni].aws_id.clone();
    records(w)
        .into_iter()
        .filter(|(s, _)| *s == stream)
        .map(|(_, m)| m.split(' ').map(str::to_string).collect::<Vec<_>>())
        .filter(|f| f[5] == "40000" || f[6] == "40000")
        .collect()
}

#[test]
fn f1_nlb_health_checks_are_one_record_per_window_per_interface_and_direction_from_the_node() {
    // F1: the NLB's health checks are logged at the target's interface from the node's
    // private address, and at the node's, aggregated: one record per aggregation window
    // per interface and direction, whose packets count the window's checks.
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab");
    let w = &mut lab.world;
    flow_log(w, FlowLogResource::Vpc(lab.custom_vpc), TrafficType::All, LogFormat::default());
    w.advance(Duration::from_secs(1800));
    let interval = u64::from(w[lab.tg].health_check.interval_s);
    let (web, ip) = (eni(w, lab.web1), private_ip(w, lab.web1).to_string());
    let node_ips: Vec<String> = w[lab.nlb].nodes.iter().map(|n| w[n.eni].private_ip.to_string()).collect();
    let at_target = health_check_records(w, web);
    let requests: Vec<&Vec<String>> = at_target.iter().filter(|f| f[4] == ip).collect();
    let answers: Vec<&Vec<String>> = at_target.iter().filter(|f| f[3] == ip).collect();
    assert!(requests.len() >= 3 && requests.len() == answers.len(), "{at_target:?}");
    for f in &requests {
        assert!(node_ips.contains(&f[3]), "from a node of the NLB: {f:?}");
        assert_eq!((f[6].as_str(), f[7].as_str(), f[12].as_str()), ("80", "6", "ACCEPT"), "{f:?}");
    }
    let mut windows: Vec<u64> = requests.iter().map(|f| f[10].parse::<u64>().unwrap() / 600).collect();
    windows.dedup();
    assert_eq!(windows.len(), requests.len(), "one record per 600 s window: {requests:?}");
    for f in &requests {
        let [packets, start, end] = [8, 10, 11].map(|i| f[i].parse::<u64>().unwrap());
        assert_eq!(
            packets,
            5 * ((end - start) / interval + 1),
            "5 packets a check, one every {interval} s: {f:?}"
        );
        assert_eq!(start / 600, end / 600, "within one window: {f:?}");
    }
    let src = requests[0][3].clone();
    let node = w[lab.nlb].nodes.iter().find(|n| w[n.eni].private_ip.to_string() == src).expect("node").eni;
    let at_node: Vec<Vec<String>> =
        health_check_records(w, node).into_iter().filter(|f| f[4] == ip).collect();
    let same = |f: &Vec<String>| f[3..].to_vec();
    assert_eq!(
        at_node.iter().map(same).collect::<Vec<_>>(),
        requests.iter().map(|f| same(f)).collect::<Vec<_>>()
    );
}

#[test]
fn f1_a_health_check_the_targets_group_does_not_admit_is_a_reject_record_at_the_target() {
    // F1: when the target's security group does not admit the NLB's subnet, the check's
    // first packet is a REJECT record at the target's interface, one per window.
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab");
    let w = &mut lab.world;
    let http = vpcsim::ops::security::Permission::tcp(80, cidr("0.0.0.0/0"));
    w.revoke_security_group(lab.custom_sg, Direction::Ingress, &[http]).expect("revoke");
    flow_log(w, FlowLogResource::Vpc(lab.custom_vpc), TrafficType::Reject, LogFormat::default());
    w.advance(Duration::from_secs(1800));
    let at_target = health_check_records(w, eni(w, lab.web1));
    assert!(!at_target.is_empty());
    let ip = private_ip(w, lab.web1).to_string();
    for f in &at_target {
        assert_eq!((f[4].as_str(), f[6].as_str(), f[12].as_str()), (ip.as_str(), "80", "REJECT"), "{f:?}");
        let (packets, bytes): (u64, u64) = (f[8].parse().unwrap(), f[9].parse().unwrap());
        assert_eq!(bytes, 60 * packets, "a SYN of 60 bytes a check: {f:?}");
    }
    // The target turns unhealthy mid-window (the checks are applied in two runs); the
    // window is still one record counting every check in it.
    let interval = u64::from(w[lab.tg].health_check.interval_s);
    let mut windows: Vec<u64> = at_target.iter().map(|f| f[10].parse::<u64>().unwrap() / 600).collect();
    windows.dedup();
    assert_eq!(windows.len(), at_target.len(), "{at_target:?}");
    for f in &at_target {
        let [packets, start, end] = [8, 10, 11].map(|i| f[i].parse::<u64>().unwrap());
        assert_eq!(packets, (end - start) / interval + 1, "{f:?}");
    }
}

#[test]
fn f1_health_checks_write_nothing_without_a_flow_log() {
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab");
    let applied = lab.world.advance(Duration::from_secs(300));
    assert!(applied.events > 0, "health checks ran");
    assert_eq!(lab.world.log_groups().live().count(), 0);
}

fn s3_flow_log(w: &mut World, resource: FlowLogResource, arn: &str, hive: bool, per_hour: bool) -> FlowLogId {
    let mut dest = S3Destination::parse(arn).expect("a bucket ARN");
    dest.hive_compatible = hive;
    dest.per_hour = per_hour;
    w.create_flow_log(CreateFlowLog {
        resource,
        traffic: TrafficType::All,
        destination: LogDestination::S3(dest),
        deliver_logs_permission_arn: None,
        format: LogFormat::default(),
        max_aggregation_interval: None,
        tags: Tags::new(),
    })
    .expect("flow log")
}

#[test]
fn f1_records_sent_to_s3_are_one_log_file_per_5_minute_window_delivered_when_it_ends() {
    let mut p = pair();
    let vpc = FlowLogResource::Vpc(p.vpc);
    flow_log(&mut p.w, vpc, TrafficType::All, LogFormat::default());
    let fl = s3_flow_log(&mut p.w, vpc, "arn:aws:s3:::flow-bucket/vpc", false, false);
    // The virtual clock starts at 06:06:13 UTC on 2021-06-08: 90 s later is in the
    // 06:05-06:10 window, delivered at 06:10:00 (227 s after the start).
    p.w.advance(Duration::from_secs(90));
    assert_eq!(nc(&mut p.w, p.a, p.b, 22), 0);
    assert_eq!(objects(&p.w, "flow-bucket").expect("the bucket").len(), 0, "not delivered yet");
    p.w.advance(Duration::from_secs(137));
    let files = objects(&p.w, "flow-bucket").expect("the bucket");
    let (acct, fl_id) = (p.w.account_id().to_string(), p.w[fl].aws_id.clone());
    let dir = format!("vpc/AWSLogs/{acct}/vpcflowlogs/ap-northeast-2/2021/06/08/");
    let name = format!("{acct}_vpcflowlogs_ap-northeast-2_{fl_id}_20210608T0605Z_");
    assert_eq!(files.len(), 1);
    let key = &files[0].key;
    assert!(key.starts_with(&format!("{dir}{name}")) && key.ends_with(".log.gz"), "{key}");
    assert_eq!(key.len(), dir.len() + name.len() + 8 + ".log.gz".len(), "{key}");
    let mut lines: Vec<String> = files[0].text.lines().map(str::to_string).collect();
    assert_eq!(lines.remove(0), "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status");
    let cloudwatch: Vec<String> = records(&p.w).into_iter().map(|(_, m)| m).collect();
    assert_eq!(lines, cloudwatch, "the same records as the CloudWatch Logs flow log");
    assert_eq!(lines.len(), 4);
}

#[test]
fn f1_a_new_window_starts_a_new_log_file_and_what_was_delivered_stays_after_deletion() {
    let mut p = pair();
    let fl = s3_flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), "arn:aws:s3:::flow-bucket", false, false);
    nc(&mut p.w, p.a, p.b, 22);
    p.w.advance(Duration::from_secs(600));
    nc(&mut p.w, p.a, p.b, 22);
    p.w.delete_flow_log(fl).expect("delete");
    nc(&mut p.w, p.a, p.b, 22);
    p.w.advance(Duration::from_secs(600));
    let files = objects(&p.w, "flow-bucket").expect("the bucket stays known");
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f.key.starts_with("AWSLogs/") && f.text.lines().count() == 5), "{files:?}");
    assert!(files[0].key < files[1].key);
}

#[test]
fn f1_destination_options_shape_the_key_hive_compatible_and_per_hour() {
    let layouts = [
        (false, true, "AWSLogs/ACCT/vpcflowlogs/ap-northeast-2/2021/06/08/06/"),
        (true, false, "AWSLogs/aws-account-id=ACCT/aws-service=vpcflowlogs/aws-region=ap-northeast-2/year=2021/month=06/day=08/"),
        (true, true, "AWSLogs/aws-account-id=ACCT/aws-service=vpcflowlogs/aws-region=ap-northeast-2/year=2021/month=06/day=08/hour=06/"),
    ];
    for (hive, per_hour, dir) in layouts {
        let mut p = pair();
        s3_flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), "arn:aws:s3:::flow-bucket", hive, per_hour);
        nc(&mut p.w, p.a, p.b, 22);
        p.w.advance(Duration::from_secs(300));
        let files = objects(&p.w, "flow-bucket").expect("the bucket");
        let dir = dir.replace("ACCT", p.w.account_id());
        let rest = files[0].key.strip_prefix(&dir).unwrap_or_else(|| panic!("{} under {dir}", files[0].key));
        assert!(!rest.contains('/'), "{rest}");
    }
}

#[test]
fn f1_an_s3_destination_is_a_bucket_arn_not_awslogs_and_plain_text_only() {
    assert!(S3Destination::parse("arn:aws:s3:::my-logs/vpc/").is_ok());
    assert_eq!(S3Destination::parse("arn:aws:s3:::my-logs/vpc/").unwrap().arn(), "arn:aws:s3:::my-logs/vpc");
    for bad in [
        "arn:aws:s3:::",
        "arn:aws:s3:::My_Logs",
        "s3://my-logs",
        "arn:aws:s3:::ab",
        "arn:aws:s3:::my-logs/AWSLogs",
    ] {
        assert!(S3Destination::parse(bad).is_err(), "{bad}");
    }
    assert!(S3Destination::check_file_format("plain-text").is_ok());
    assert!(S3Destination::check_file_format("parquet").unwrap_err().to_string().contains("not modelled"));
}

/// Runs `line` in a session on `w`.
fn aws(s: &mut Session, line: &str) -> vpcsim::scenario::StepOutcome {
    s.run_aws(&parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}")))
}

#[test]
fn f1_aws_s3_ls_and_cp_through_gunzip_read_the_delivered_log_files_as_the_cli_prints_them() {
    let mut p = pair();
    s3_flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), "arn:aws:s3:::flow-bucket/vpc", false, false);
    nc(&mut p.w, p.a, p.b, 22);
    p.w.advance(Duration::from_secs(300));
    let key = objects(&p.w, "flow-bucket").expect("bucket")[0].key.clone();
    let text = objects(&p.w, "flow-bucket").expect("bucket")[0].text.clone();
    let mut s = Session::new(p.w);
    let buckets = aws(&mut s, "aws s3 ls");
    assert_eq!(buckets.stdout, "2021-06-08 06:06:13 flow-bucket\n");
    let top = aws(&mut s, "aws s3 ls s3://flow-bucket/vpc/");
    assert_eq!(top.stdout, format!("{:>30} AWSLogs/\n", "PRE"));
    let all = aws(&mut s, "aws s3 ls s3://flow-bucket/ --recursive");
    let line = all.stdout.lines().next().unwrap_or_default().to_string();
    let size: u64 = line[20..30].trim().parse().expect("a size");
    assert_eq!(line, format!("2021-06-08 06:10:00 {size:>10} {key}"));
    assert_eq!(size, vpcsim::describe::s3::gzip_size(&text));
    let cp = aws(&mut s, &format!("aws s3 cp s3://flow-bucket/{key} - | gunzip"));
    assert_eq!((cp.exit_code, cp.stdout.as_str()), (0, text.as_str()));
    let none = aws(&mut s, "aws s3 ls s3://flow-bucket/elsewhere/");
    assert_eq!((none.exit_code, none.stdout.as_str()), (1, ""));
    let missing = aws(&mut s, "aws s3 ls s3://no-such-bucket/");
    assert_eq!(missing.exit_code, 254);
    assert!(
        missing.stderr.contains("(NoSuchBucket) when calling the ListObjectsV2 operation"),
        "{}",
        missing.stderr
    );
    let gone = aws(&mut s, "aws s3 cp s3://flow-bucket/vpc/x.log.gz - | gunzip");
    assert_eq!(gone.exit_code, 1);
    assert!(
        gone.stderr.starts_with("fatal error: An error occurred (404) when calling the HeadObject operation"),
        "{}",
        gone.stderr
    );
}

#[test]
fn f1_create_flow_logs_to_s3_takes_destination_options_and_refuses_parquet() {
    let p = pair();
    let vpc = p.w[p.vpc].aws_id.clone();
    let mut s = Session::new(p.w);
    let base = format!("aws ec2 create-flow-logs --resource-ids {vpc} --resource-type VPC --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::flow-bucket");
    let ok = aws(&mut s, &format!("{base} --destination-options FileFormat=plain-text,HiveCompatiblePartitions=true,PerHourPartition=true"));
    assert_eq!(ok.exit_code, 0, "{}", ok.stderr);
    let described =
        aws(&mut s, "aws ec2 describe-flow-logs --query FlowLogs[0].DestinationOptions --output json");
    let want = "{\n    \"FileFormat\": \"plain-text\",\n    \"HiveCompatiblePartitions\": true,\n    \"PerHourPartition\": true\n}\n";
    assert_eq!(described.stdout, want);
    let parquet = parse_line(&format!("{base} --destination-options FileFormat=parquet")).unwrap_err();
    assert!(parquet.to_string().contains("parquet is not modelled"), "{parquet}");
}

#[test]
fn f1_aws_s3_ls_groups_keys_at_the_next_slash_after_a_prefix_with_or_without_one() {
    let mut p = pair();
    s3_flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), "arn:aws:s3:::flow-bucket/vpc", false, false);
    nc(&mut p.w, p.a, p.b, 22);
    p.w.advance(Duration::from_secs(300));
    let mut s = Session::new(p.w);
    let pre = |folder: &str| format!("{:>30} {folder}/\n", "PRE");
    assert_eq!(aws(&mut s, "aws s3 ls s3://flow-bucket").stdout, pre("vpc"));
    assert_eq!(aws(&mut s, "aws s3 ls s3://flow-bucket/vp").stdout, pre("vpc"));
    assert_eq!(aws(&mut s, "aws s3 ls s3://flow-bucket/vpc/AWSLogs/").stdout, pre(s.world.account_id()));
    let summary = aws(&mut s, "aws s3 ls s3://flow-bucket --recursive --summarize").stdout;
    assert!(summary.contains("\nTotal Objects: 1\n   Total Size: "), "{summary}");
}

#[test]
fn f1_a_template_flow_log_to_its_bucket_by_bucket_name_delivers_there_with_its_destination_options() {
    let template = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: ap-northeast-2a}
  Logs:
    Type: AWS::S3::Bucket
    Properties: {BucketName: my-flow-logs}
  Flows:
    Type: AWS::EC2::FlowLog
    Properties:
      ResourceId: !Ref Vpc
      ResourceType: VPC
      TrafficType: ALL
      LogDestinationType: s3
      LogDestination: !Sub '${Logs.Arn}/vpc'
      DestinationOptions: {FileFormat: plain-text, HiveCompatiblePartitions: true, PerHourPartition: false}
"#;
    let mut w = seoul(SEED);
    let stack = vpcsim::stack::create_stack(
        &mut w,
        "s",
        "t.cfn.yaml",
        template,
        &Default::default(),
        &Default::default(),
    )
    .expect("the stack");
    let subnet = match w.find(&stack.resources["Subnet"].1.physical_id) {
        Some(vpcsim::world::Handle::Subnet(s)) => s,
        other => panic!("{other:?}"),
    };
    let vpc = w[subnet].vpc;
    let g = group(&mut w, vpc, "g", &[22], "10.0.0.0/16");
    let (a, b) = (instance(&mut w, subnet, &[g], false), instance(&mut w, subnet, &[g], false));
    assert_eq!(nc(&mut w, a, b, 22), 0);
    w.advance(Duration::from_secs(300));
    let files = objects(&w, "my-flow-logs").expect("the template's bucket, by its BucketName");
    let dir = format!(
        "vpc/AWSLogs/aws-account-id={}/aws-service=vpcflowlogs/aws-region=ap-northeast-2/",
        w.account_id()
    );
    assert!(files.len() == 1 && files[0].key.starts_with(&dir), "{files:?}");
}

#[test]
fn f1_s3api_list_objects_v2_gives_the_delivered_keys_as_json_for_a_later_step() {
    let mut p = pair();
    s3_flow_log(&mut p.w, FlowLogResource::Vpc(p.vpc), "arn:aws:s3:::flow-bucket/vpc", false, false);
    nc(&mut p.w, p.a, p.b, 22);
    let mut s = Session::new(p.w);
    let none = aws(&mut s, "aws s3api list-objects-v2 --bucket flow-bucket --prefix vpc/");
    assert_eq!(
        none.stdout, "{\n    \"RequestCharged\": null,\n    \"Prefix\": \"vpc/\"\n}\n",
        "nothing delivered yet"
    );
    s.world.advance(Duration::from_secs(300));
    let key = objects(&s.world, "flow-bucket").expect("bucket")[0].key.clone();
    let listed = aws(&mut s, "aws s3api list-objects-v2 --bucket flow-bucket --query Contents[0].[Key,LastModified,StorageClass] --output text");
    assert_eq!(listed.stdout, format!("{key}\t2021-06-08T06:10:00+00:00\tSTANDARD\n"));
}
