//! VPC endpoint connection notifications (`AWS::EC2::VPCEndpointConnectionNotification`
//! and the ec2 calls): accepted for a service or an endpoint, listed with the events
//! they send to their SNS topic as each event happens (P14; vpcsim models no SNS, so
//! `aws sns vpcsim-list-published-messages` lists them), deleted with their stack
//! or by the call; what AWS refuses is refused.

use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

const TEMPLATE: &str = r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Type: network, Scheme: internal, Subnets: [!Ref Subnet]}
  Service:
    Type: AWS::EC2::VPCEndpointService
    Properties: {NetworkLoadBalancerArns: [!Ref Nlb], AcceptanceRequired: true}
  Topic:
    Type: AWS::SNS::Topic
  Notify:
    Type: AWS::EC2::VPCEndpointConnectionNotification
    Properties:
      ServiceId: !Ref Service
      ConnectionNotificationArn: !Ref Topic
      ConnectionEvents: [Connect, Accept, Reject, Delete]
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      VpcId: !Ref Vpc
      ServiceName: !Sub 'com.amazonaws.vpce.${AWS::Region}.${Service}'
      SubnetIds: [!Ref Subnet]
"#;

fn run(steps: &str) -> Session {
    let body: String = TEMPLATE.lines().map(|l| format!("      {l}\n")).collect();
    let text = format!(
        "name: nfn\nregion: eu-west-1\nstacks:\n  - name: s\n    template-body:\n{body}\nsteps:\n{steps}"
    );
    let s = scenario::load_str("nfn.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", render::text(&report));
    session
}

#[test]
fn a_template_notification_on_a_service_is_listed_with_its_topic_and_events() {
    run(
        r#"  - run: aws ec2 describe-vpc-endpoint-connection-notifications --query "ConnectionNotificationSet[0].[ServiceId,ConnectionNotificationType,ConnectionNotificationState,join(',',ConnectionEvents)]" --output text
    expect: {output-matches: '^vpce-svc-[0-9a-f]{17}\s+Topic\s+Enabled\s+Connect,Accept,Reject,Delete$'}
  - run: aws ec2 describe-vpc-endpoint-connection-notifications --query "ConnectionNotificationSet[0].ConnectionNotificationArn" --output text
    expect: {output-matches: '^arn:aws:sns:eu-west-1:\d{12}:s-Topic-'}
"#,
    );
}

#[test]
fn the_calls_create_a_notification_for_one_endpoint_describe_it_by_id_and_delete_it() {
    let s = run(r#"  - run: >-
      aws ec2 create-vpc-endpoint-connection-notification --vpc-endpoint-id ${Endpoint}
      --connection-notification-arn arn:aws:sns:eu-west-1:123456789012:ops --connection-events Accept Reject
    save: n
    expect: {output-contains: '"VpcEndpointId"'}
  - run: aws ec2 describe-vpc-endpoint-connection-notifications --connection-notification-id ${n.ConnectionNotification.ConnectionNotificationId} --query "ConnectionNotificationSet[].ConnectionEvents[]" --output text
    expect: {output-matches: '^Accept\s+Reject$'}
  - run: aws ec2 delete-vpc-endpoint-connection-notifications --connection-notification-ids ${n.ConnectionNotification.ConnectionNotificationId} vpce-nfn-00000000000000000
    expect: {output-contains: InvalidConnectionNotification}
  - run: aws ec2 describe-vpc-endpoint-connection-notifications --query "length(ConnectionNotificationSet)"
    expect: {output-contains: "1"}
  - run: aws ec2 describe-vpc-endpoint-connection-notifications --connection-notification-id ${n.ConnectionNotification.ConnectionNotificationId}
    expect: {exit: 254, output-contains: InvalidConnectionNotification}
  - run: aws ec2 create-vpc-endpoint-connection-notification --service-id ${Service} --connection-notification-arn arn:aws:sns:eu-west-1:123456789012:ops --connection-events Open
    expect: {exit: 254, output-contains: "Invalid connection event Open"}
  - run: >-
      aws ec2 create-vpc-endpoint-connection-notification --service-id ${Service} --vpc-endpoint-id ${Endpoint}
      --connection-notification-arn arn:aws:sns:eu-west-1:123456789012:ops --connection-events Accept
    expect: {exit: 254, output-contains: Exactly one of ServiceId or VpcEndpointId}
  - run: aws cloudformation delete-stack --stack-name s
  - run: aws ec2 describe-vpc-endpoint-connection-notifications --query "length(ConnectionNotificationSet)"
    expect: {output-contains: "0"}
"#);
    assert!(s.stacks.is_empty());
}

/// Each published message, oldest first: event, endpoint state and timestamp.
fn published(s: &mut Session, topic: Option<&str>) -> Vec<(String, String, String)> {
    use vpcsim::scenario::Backend;
    let line = match topic {
        Some(t) => format!("aws sns vpcsim-list-published-messages --topic-arn {t}"),
        None => "aws sns vpcsim-list-published-messages".to_string(),
    };
    let out = s.run_aws(&vpcsim::command::aws::parse_line(&line).unwrap());
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    let json = out.json.unwrap_or_default();
    json["Messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| {
                    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
                    (
                        text(&m["Message"]["ConnectionEvent"]),
                        text(&m["Message"]["VpcEndpointState"]),
                        text(&m["Timestamp"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn ev(event: &str, state: &str, at: &str) -> (String, String, String) {
    (event.to_string(), state.to_string(), format!("2021-06-08T{at}.000Z"))
}

#[test]
fn p14_connect_accept_reject_and_delete_are_published_to_the_topic_when_they_happen_on_the_virtual_clock() {
    let mut s = run(r#"  - wait: 1m
  - run: aws ec2 accept-vpc-endpoint-connections --service-id ${Service} --vpc-endpoint-ids ${Endpoint}
  - run: >-
      aws ec2 create-vpc-endpoint-connection-notification --vpc-endpoint-id ${Endpoint}
      --connection-notification-arn arn:aws:sns:eu-west-1:123456789012:ops --connection-events Reject Delete Connect
  - wait: 5m
  - run: aws ec2 reject-vpc-endpoint-connections --service-id ${Service} --vpc-endpoint-ids ${Endpoint}
  - wait: 30s
  - run: aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${Endpoint}
"#);
    assert_eq!(
        published(&mut s, Some("arn:aws:sns:eu-west-1:123456789012:ops")),
        [ev("Reject", "rejected", "06:12:13"), ev("Delete", "deleting", "06:12:43")],
        "the endpoint's notification, made after the Connect, publishes only what came after"
    );
    let all = published(&mut s, None);
    let service_topic: Vec<_> =
        all.iter().filter(|(e, _, _)| e == "Connect" || e == "Accept").cloned().collect();
    assert_eq!(
        service_topic,
        [ev("Connect", "pendingAcceptance", "06:06:13"), ev("Accept", "pending", "06:07:13")]
    );
    assert_eq!(all.len(), 6, "Reject and Delete went to both topics: {all:?}");
}

#[test]
fn p14_a_notification_publishes_only_the_events_it_subscribes_to_and_nothing_after_it_is_deleted() {
    let mut s = run(r#"  - run: >-
      aws ec2 create-vpc-endpoint-connection-notification --service-id ${Service}
      --connection-notification-arn arn:aws:sns:eu-west-1:123456789012:ops --connection-events Reject
    save: n
  - run: aws ec2 accept-vpc-endpoint-connections --service-id ${Service} --vpc-endpoint-ids ${Endpoint}
  - run: aws ec2 delete-vpc-endpoint-connection-notifications --connection-notification-ids ${n.ConnectionNotification.ConnectionNotificationId}
  - run: aws ec2 reject-vpc-endpoint-connections --service-id ${Service} --vpc-endpoint-ids ${Endpoint}
"#);
    assert_eq!(published(&mut s, Some("arn:aws:sns:eu-west-1:123456789012:ops")), []);
}
