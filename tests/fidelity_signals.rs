//! CreationPolicy, WaitConditionHandle and WaitCondition (C2): the stack waits on the
//! virtual clock for signals a UserData sends with `cfn-signal` or `curl -X PUT`, and a
//! signal counts only when the instance reaches CloudFormation (or S3, for a handle URL).

use vpcsim::error::FileError;
use vpcsim::session::Session;

#[path = "support/scenario_run.rs"]
mod scenario_run;
#[path = "support/two_instances.rs"]
mod two_instances;

/// The shared [`two_instances::network`] and a server (no client); `internet` makes the
/// subnet public (an internet gateway, a default route, public addresses at launch);
/// `extra` is more resources at resource indentation (and sections after them).
fn template(internet: bool, server: &str, extra: &str) -> String {
    let igw = if internet {
        r#"
      Igw: {Type: AWS::EC2::InternetGateway}
      Attach:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
      Rt:
        Type: AWS::EC2::RouteTable
        Properties: {VpcId: !Ref Vpc}
      Default:
        Type: AWS::EC2::Route
        DependsOn: Attach
        Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
      Assoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties: {RouteTableId: !Ref Rt, SubnetId: !Ref Subnet}"#
    } else {
        ""
    };
    let network = two_instances::network(internet);
    format!(
        "\n    Resources:{network}{igw}\n      Server:\n        Type: AWS::EC2::Instance\n{server}{extra}\n"
    )
}

fn scenario_text(internet: bool, server: &str, extra: &str) -> String {
    let steps = "  - run: aws cloudformation describe-stacks --stack-name web\n    expect: {output-contains: CREATE_COMPLETE}\n";
    two_instances::stack_scenario("signals", "web", &template(internet, server, extra), steps)
}

/// Creates the stack and runs the scenario; every expectation must hold.
fn created(internet: bool, server: &str, extra: &str) -> Session {
    created_from(scenario_text(internet, server, extra))
}

fn created_from(text: String) -> Session {
    scenario_run::passing("signals.yaml", &text)
}

/// The error the stack's creation ends in.
fn failed(internet: bool, server: &str, extra: &str) -> FileError {
    failed_from(scenario_text(internet, server, extra))
}

fn failed_from(text: String) -> FileError {
    scenario_run::refused("signals.yaml", &text)
}

/// A server with a CreationPolicy whose UserData runs `script` (lines of shell).
fn signalling_server(script: &str) -> String {
    let body: String = script.lines().map(|l| format!("              {l}\n")).collect();
    format!(
        "        CreationPolicy:\n          ResourceSignal: {{Count: 1, Timeout: PT10M}}\n        Properties:\n          SubnetId: !Ref Subnet\n          SecurityGroupIds: [!Ref Open]\n          UserData:\n            Fn::Base64: !Sub |\n              #!/bin/bash -xe\n{body}"
    )
}

const SIGNAL: &str = "yum install -y httpd\nsystemctl start httpd\n/opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Server --region ${AWS::Region}\n";

#[test]
fn c2_an_instance_with_a_route_to_the_internet_signals_its_creation_policy_and_the_stack_completes() {
    let session = created(true, &signalling_server(SIGNAL), "");
    assert_eq!(session.world.now_ms(), 60_000, "the stack waited for the instance to boot and signal");
}

#[test]
fn c2_a_private_instance_without_egress_never_signals_and_the_stack_fails_after_the_timeout() {
    let e = failed(false, &signalling_server(SIGNAL), "");
    let p = &e.problems[0];
    assert_eq!(p.message, "Failed to receive 1 resource signal(s) within the specified duration");
    let hint = p.hint.as_deref().unwrap_or_default();
    assert!(hint.contains("cannot reach cloudformation.us-east-1.amazonaws.com:443"), "{hint}");
    assert!(hint.contains("600 s"), "{hint}");
}

#[test]
fn c2_an_interface_endpoint_for_cloudformation_lets_a_private_instance_signal() {
    let endpoint = r#"
      CfnEndpoint:
        Type: AWS::EC2::VPCEndpoint
        Properties:
          VpcId: !Ref Vpc
          ServiceName: !Sub com.amazonaws.${AWS::Region}.cloudformation
          VpcEndpointType: Interface
          PrivateDnsEnabled: true
          SubnetIds: [!Ref Subnet]
          SecurityGroupIds: [!Ref Open]"#;
    created(false, &signalling_server(SIGNAL), endpoint);
}

#[test]
fn c2_a_failure_signal_from_a_cfn_init_that_could_not_run_fails_the_stack_at_once() {
    // `set +e` undoes the `#!/bin/bash -xe`, so the script goes on to signal cfn-init's status.
    let script = "set +e\n/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Server --region ${AWS::Region}\n/opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Server --region ${AWS::Region}\n";
    let e = failed(true, &signalling_server(script), "");
    let p = &e.problems[0];
    assert!(p.message.starts_with("Received FAILURE signal with UniqueId i-"), "{}", p.message);
}

#[test]
fn c2_m7_under_bash_e_a_cfn_init_that_could_not_run_ends_the_script_and_no_signal_is_sent() {
    // As in bash: `-e` ends the script at the failed cfn-init, before `cfn-signal -e $?`.
    let script = "/opt/aws/bin/cfn-init -v --stack ${AWS::StackName} --resource Server --region ${AWS::Region}\n/opt/aws/bin/cfn-signal -e $? --stack ${AWS::StackName} --resource Server --region ${AWS::Region}\n";
    let e = failed(true, &signalling_server(script), "");
    assert_eq!(e.problems[0].message, "Failed to receive 1 resource signal(s) within the specified duration");
}

#[test]
fn c2_a_wait_condition_gets_its_data_from_a_curl_put_to_its_handle_url() {
    let server = r#"        Properties:
          SubnetId: !Ref Subnet
          SecurityGroupIds: [!Ref Open]
          UserData:
            Fn::Base64: !Sub |
              #!/bin/bash
              curl -X PUT -H 'Content-Type:' --data-binary '{"Status" : "SUCCESS", "Reason" : "ok", "UniqueId" : "web1", "Data" : "ready"}' "${Handle}"
"#;
    let wait = r#"
      Handle: {Type: AWS::CloudFormation::WaitConditionHandle}
      Wait:
        Type: AWS::CloudFormation::WaitCondition
        DependsOn: Server
        Properties: {Handle: !Ref Handle, Timeout: "300", Count: 1}
    Outputs:
      Data: {Value: !GetAtt Wait.Data}"#;
    let session = created(true, server, wait);
    assert_eq!(session.stacks["web"].outputs["Data"], r#"{"web1":"ready"}"#);
    let e = failed(false, server, wait);
    assert_eq!(e.problems[0].message, "WaitCondition timed out. Received 0 conditions when expecting 1");
}

#[test]
fn c2_a_creation_policy_timeout_that_is_not_iso_8601_is_an_error_at_its_line() {
    let server = signalling_server(SIGNAL).replace("PT10M", "10 minutes");
    let e = failed(true, &server, "");
    assert!(e.problems[0].message.contains("`10 minutes` is not an ISO 8601 duration"), "{e}");
}

/// A launch template whose instances signal, and an Auto Scaling group of two of them whose
/// CreationPolicy counts `count` signals (`Count` on a line of its own), at resource indentation.
fn signalling_group(count: &str) -> String {
    format!(
        r#"
      Template:
        Type: AWS::EC2::LaunchTemplate
        Properties:
          LaunchTemplateData:
            SecurityGroupIds: [!Ref Open]
            UserData:
              Fn::Base64: !Sub |
                #!/bin/bash
                /opt/aws/bin/cfn-signal -e 0 --stack ${{AWS::StackName}} --resource Group --region ${{AWS::Region}}
      Group:
        Type: AWS::AutoScaling::AutoScalingGroup
        CreationPolicy:
          ResourceSignal:
            Count: {count}
            Timeout: PT15M
        Properties:
          LaunchTemplate: {{LaunchTemplateId: !Ref Template, Version: !GetAtt Template.LatestVersionNumber}}
          VPCZoneIdentifier: [!Ref Subnet]
          MinSize: "2"
          MaxSize: "2"
          DesiredCapacity: "2""#
    )
}

#[test]
fn c2_an_auto_scaling_groups_creation_policy_counts_the_signals_of_the_instances_it_launched() {
    created(true, &signalling_server(SIGNAL), &signalling_group("2"));
    let e = failed(true, &signalling_server(SIGNAL), &signalling_group("3"));
    assert_eq!(e.problems[0].message, "Failed to receive 3 resource signal(s) within the specified duration");
}

/// [`signalling_group`] counting `count` signals, in a template with a `Capacity` parameter
/// defaulting to `capacity`.
fn group_with_capacity(capacity: &str, count: &str) -> String {
    let params = format!(
        "      Parameters:\n        Capacity: {{Type: String, Default: '{capacity}'}}\n      Resources:"
    );
    scenario_text(true, &signalling_server(SIGNAL), &signalling_group(count)).replacen(
        "      Resources:",
        &params,
        1,
    )
}

#[test]
fn c2_a_creation_policy_count_given_by_ref_to_a_parameter_waits_for_that_many_signals() {
    created_from(group_with_capacity("2", "!Ref Capacity"));
    let e = failed_from(group_with_capacity("3", "!Ref Capacity"));
    assert_eq!(e.problems[0].message, "Failed to receive 3 resource signal(s) within the specified duration");
}

#[test]
fn c2_a_creation_policy_count_whose_parameter_is_no_number_is_an_error_at_the_counts_line() {
    let text = group_with_capacity("many", "!Ref Capacity");
    let line = text.lines().position(|l| l.contains("Count: !Ref Capacity")).unwrap() + 1;
    let e = failed_from(text);
    let p = &e.problems[0];
    assert_eq!(p.message, "ResourceSignal.Count must be a number, not `many`");
    assert_eq!(p.location.line, line);
    assert_eq!(p.context.as_deref(), Some("Resources.Group"));
}

#[test]
fn c2_a_creation_policy_count_that_is_a_list_is_refused_at_its_line() {
    let e = failed_from(group_with_capacity("2", "[2]"));
    assert!(
        e.problems[0].message.starts_with("ResourceSignal.Count must be a scalar or an intrinsic function"),
        "{e}"
    );
}

#[test]
fn c2_c4_describe_stack_events_shows_the_signal_received_and_the_instance_complete_a_minute_after_launch() {
    use vpcsim::scenario::Backend;
    let mut session = created(true, &signalling_server(SIGNAL), "");
    let call = vpcsim::command::aws::parse_line("aws cloudformation describe-stack-events --stack-name web")
        .unwrap();
    let out = session.run_aws(&call).json.unwrap_or_default();
    let events = out["StackEvents"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .take(3)
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default();
            (
                text("LogicalResourceId"),
                text("ResourceStatus"),
                text("ResourceStatusReason"),
                text("Timestamp"),
            )
        })
        .collect();
    let instance = events[1]["PhysicalResourceId"].as_str().unwrap();
    assert!(instance.starts_with("i-"), "{instance}");
    let signal = format!("Received SUCCESS signal with UniqueId {instance}");
    assert_eq!(
        seen,
        [
            ("web", "CREATE_COMPLETE", "", "2021-06-08T06:07:13.000Z"),
            ("Server", "CREATE_COMPLETE", "", "2021-06-08T06:07:13.000Z"),
            ("Server", "CREATE_IN_PROGRESS", signal.as_str(), "2021-06-08T06:07:13.000Z"),
        ]
    );
    let oldest = events.last().unwrap();
    assert_eq!(
        (
            oldest["ResourceStatus"].as_str(),
            oldest["ResourceStatusReason"].as_str(),
            oldest["Timestamp"].as_str()
        ),
        (Some("CREATE_IN_PROGRESS"), Some("User Initiated"), Some("2021-06-08T06:06:13.000Z"))
    );
}
