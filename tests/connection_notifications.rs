//! VPC endpoint connection notifications (`AWS::EC2::VPCEndpointConnectionNotification`
//! and the ec2 calls): accepted for a service or an endpoint, listed with the events
//! they would send to their SNS topic (vpcsim models no SNS), deleted with their stack
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
