//! Auto Scaling (M2): launch templates and configurations, groups that launch their
//! desired capacity balanced over AZs, register it with their target groups and copy
//! PropagateAtLaunch tags; `aws autoscaling` and `aws ec2 run-instances` by hand. Each
//! test runs a scenario end to end.

use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

/// A VPC with subnets A1 and A2 in the first AZ and B in the second, an internal NLB on
/// port 80 over A1 and B, and a web tier; `launch` and `group` are YAML at resource
/// indentation (the launch template or configuration, and the group).
fn template(launch: &str, group: &str) -> String {
    format!(
        r#"Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {{CidrBlock: 10.0.0.0/16}}
  A1:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a}}
  A2:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24, AvailabilityZone: us-east-1a}}
  B:
    Type: AWS::EC2::Subnet
    Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.3.0/24, AvailabilityZone: us-east-1b}}
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      VpcId: !Ref Vpc
      GroupDescription: web
      SecurityGroupIngress: [{{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/16}}]
  Client:
    Type: AWS::EC2::Instance
    Properties: {{SubnetId: !Ref A1, Tags: [{{Key: Name, Value: client}}]}}
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {{Name: web-tg, Protocol: TCP, Port: 80, VpcId: !Ref Vpc, HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2}}
  Nlb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {{Name: web-nlb, Type: network, Scheme: internal, Subnets: [!Ref A1, !Ref B]}}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      Port: 80
      Protocol: TCP
      DefaultActions: [{{Type: forward, TargetGroupArn: !Ref Tg}}]
{launch}{group}"#
    )
}

const LAUNCH_TEMPLATE: &str = r#"  WebLT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateName: web-lt
      LaunchTemplateData:
        ImageId: ami-0123456789abcdef0
        InstanceType: t3.micro
        SecurityGroupIds: [!Ref WebSG]
        Monitoring: {Enabled: false}
        TagSpecifications:
          - ResourceType: instance
            Tags: [{Key: Tier, Value: web}]
        UserData:
          Fn::Base64: |
            #!/bin/bash
            yum install -y httpd
            echo "web tier" > /var/www/html/index.html
            systemctl enable --now httpd
"#;

fn group(desired: u32, subnets: &str, launch: &str) -> String {
    format!(
        r#"  WebASG:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      AutoScalingGroupName: web-asg
      {launch}
      MinSize: '1'
      MaxSize: '4'
      DesiredCapacity: '{desired}'
      VPCZoneIdentifier: [{subnets}]
      TargetGroupARNs: [!Ref Tg]
      Tags:
        - {{Key: Name, Value: web, PropagateAtLaunch: true}}
        - {{Key: CostCenter, Value: lab, PropagateAtLaunch: false}}
"#
    )
}

const BY_TEMPLATE: &str =
    "LaunchTemplate: {LaunchTemplateId: !Ref WebLT, Version: !GetAtt WebLT.LatestVersionNumber}";

/// A scenario of one stack with this template and these steps (YAML list items).
fn scenario_text(template: &str, steps: &str) -> String {
    let body: String = template.lines().map(|l| format!("      {l}\n")).collect();
    format!("name: asg\nstacks:\n  - name: s\n    template-body:\n{body}\nsteps:\n{steps}")
}

fn run(template: &str, steps: &str) -> Session {
    let text = scenario_text(template, steps);
    let s = scenario::load_str("asg.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut session = Session::for_scenario(&s).unwrap();
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", render::text(&report));
    session
}

fn error(template: &str) -> String {
    let text = scenario_text(template, "  []\n");
    let s = scenario::load_str("asg.yaml", &text).unwrap();
    let mut session = Session::for_scenario(&s).unwrap();
    scenario::run(&s, &mut session).unwrap_err().to_string()
}

/// The AZ of each running instance tagged Name=web, sorted.
fn web_azs(s: &Session) -> Vec<&'static str> {
    let w = &s.world;
    let mut azs: Vec<&str> = w
        .instances()
        .values()
        .filter(|i| i.state.as_str() == "running" && vpcsim::model::name_tag(&i.tags) == Some("web"))
        .map(|i| w[w[i.eni].subnet].az)
        .collect();
    azs.sort_unstable();
    azs
}

#[test]
fn m2_desired_capacity_is_launched_balanced_over_azs_not_subnets() {
    let s = run(&template(LAUNCH_TEMPLATE, &group(3, "!Ref A1, !Ref A2, !Ref B", BY_TEMPLATE)), "  []\n");
    assert_eq!(web_azs(&s), ["us-east-1a", "us-east-1a", "us-east-1b"]);
}

#[test]
fn m2_instances_are_registered_with_the_target_groups_and_serve_through_the_nlb() {
    run(
        &template(LAUNCH_TEMPLATE, &group(2, "!Ref A1, !Ref B", BY_TEMPLATE)),
        r#"  - wait-for: web-tg healthy
  - on: client
    run: curl http://${Nlb.DNSName}/
    expect: {output-contains: web tier, via: [load-balancer, target-group, instance]}
  - run: aws elbv2 describe-target-health --target-group-arn ${Tg} --query "length(TargetHealthDescriptions)"
    expect: {output-contains: "2"}
"#,
    );
}

#[test]
fn m2_tags_marked_propagate_at_launch_and_the_templates_instance_tags_reach_the_instances() {
    let s = run(&template(LAUNCH_TEMPLATE, &group(1, "!Ref A1", BY_TEMPLATE)), "  []\n");
    let w = &s.world;
    let web = w.instances().values().find(|i| vpcsim::model::name_tag(&i.tags) == Some("web")).unwrap();
    let keys: Vec<&str> = web.tags.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["Tier", "Name", "aws:autoscaling:groupName"]);
    assert_eq!(&*web.instance_type, "t3.micro");
}

#[test]
fn m2_describe_auto_scaling_groups_shows_sizes_instances_and_tags() {
    run(
        &template(LAUNCH_TEMPLATE, &group(2, "!Ref A1, !Ref B", BY_TEMPLATE)),
        r#"  - run: aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names web-asg --query "AutoScalingGroups[0].[DesiredCapacity,length(Instances),Instances[0].LifecycleState,LaunchTemplate.LaunchTemplateName]" --output text
    expect: {output-matches: '^2\s+2\s+InService\s+web-lt$'}
  - run: aws autoscaling describe-auto-scaling-groups --query "AutoScalingGroups[0].Tags[?Key=='Name'].PropagateAtLaunch" --output text
    expect: {output-contains: "True"}
"#,
    );
}

#[test]
fn m2_set_desired_capacity_launches_and_terminates_registering_and_deregistering() {
    run(
        &template(LAUNCH_TEMPLATE, &group(1, "!Ref A1, !Ref B", BY_TEMPLATE)),
        r#"  - run: aws autoscaling set-desired-capacity --auto-scaling-group-name web-asg --desired-capacity 3
  - run: aws elbv2 describe-target-health --target-group-arn ${Tg} --query "length(TargetHealthDescriptions)"
    expect: {output-contains: "3"}
  - run: aws autoscaling set-desired-capacity --auto-scaling-group-name web-asg --desired-capacity 1
  - run: aws elbv2 describe-target-health --target-group-arn ${Tg} --query "TargetHealthDescriptions[?TargetHealth.State=='draining'] | length(@)"
    expect: {output-contains: "2"}
  - run: aws ec2 describe-instances --filters Name=tag:Name,Values=web Name=instance-state-name,Values=running --query "length(Reservations)"
    expect: {output-contains: "1"}
"#,
    );
}

#[test]
fn m2_a_desired_capacity_above_max_size_is_refused_in_auto_scalings_words() {
    run(
        &template(LAUNCH_TEMPLATE, &group(1, "!Ref A1", BY_TEMPLATE)),
        r#"  - run: aws autoscaling set-desired-capacity --auto-scaling-group-name web-asg --desired-capacity 5
    expect: {exit: 254, output-contains: "New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup."}
"#,
    );
    let err = error(&template(LAUNCH_TEMPLATE, &group(5, "!Ref A1", BY_TEMPLATE)));
    assert!(
        err.contains("Desired capacity:5 must be between the specified min size:1 and max size:4"),
        "{err}"
    );
    assert!(err.contains("asg.yaml:") && err.contains("Resources.WebASG"), "{err}");
}

#[test]
fn m2_a_terminated_group_instance_is_replaced() {
    run(
        &template(LAUNCH_TEMPLATE, &group(1, "!Ref A1", BY_TEMPLATE)),
        r#"  - run: aws autoscaling describe-auto-scaling-groups --query "AutoScalingGroups[0].Instances[0].InstanceId" --output text
    save: first
  - run: aws ec2 terminate-instances --instance-ids ${first}
  - run: aws autoscaling describe-auto-scaling-groups --query "AutoScalingGroups[0].Instances[0].InstanceId" --output text
    expect: {output-not-contains: "${first}", output-matches: '^i-'}
"#,
    );
}

#[test]
fn m2_a_launch_configuration_launches_like_a_template() {
    let lc = r#"  WebLC:
    Type: AWS::AutoScaling::LaunchConfiguration
    Properties:
      ImageId: ami-0123456789abcdef0
      InstanceType: t3.small
      SecurityGroups: [!Ref WebSG]
      UserData:
        Fn::Base64: |
          #!/bin/bash
          yum install -y nginx
          systemctl start nginx
"#;
    run(
        &template(lc, &group(2, "!Ref A1, !Ref B", "LaunchConfigurationName: !Ref WebLC")),
        r#"  - wait-for: web-tg healthy
  - on: client
    run: curl http://${Nlb.DNSName}/
    expect: {output-contains: Welcome to nginx}
"#,
    );
}

#[test]
fn m2_subnets_of_two_vpcs_and_an_unknown_template_version_are_located_errors() {
    let other = LAUNCH_TEMPLATE.to_string()
        + "  Other:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.9.0.0/16}\n  OtherSubnet:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref Other, CidrBlock: 10.9.1.0/24}\n";
    let err = error(&template(&other, &group(1, "!Ref A1, !Ref OtherSubnet", BY_TEMPLATE)));
    assert!(err.contains("share one VPC") && err.contains("Resources.WebASG"), "{err}");
    let v2 = group(1, "!Ref A1", "LaunchTemplate: {LaunchTemplateId: !Ref WebLT, Version: '2'}");
    let err = error(&template(LAUNCH_TEMPLATE, &v2));
    assert!(err.contains("version 2 does not exist") && err.contains("asg.yaml:"), "{err}");
}

#[test]
fn run_instances_by_hand_launches_with_its_flags_and_user_data() {
    run(
        &template(LAUNCH_TEMPLATE, ""),
        r#"  - run: >-
      aws ec2 run-instances --subnet-id ${B} --security-group-ids ${WebSG} --count 2
      --instance-type t3.nano --user-data "yum install -y httpd; systemctl start httpd"
    save: r
    expect: {output-contains: t3.nano}
  - on: client
    run: curl http://${r.Instances[1].PrivateIpAddress}/
    expect: {output-contains: It works}
  - run: aws ec2 run-instances --subnet-id ${A1} --launch-template LaunchTemplateName=web-lt
    save: t
  - on: client
    run: curl http://${t.Instances[0].PrivateIpAddress}/
    expect: {output-contains: web tier}
  - run: aws ec2 run-instances --image-id ami-0123456789abcdef0
    expect: {exit: 254, output-contains: SubnetId}
"#,
    );
}

#[test]
fn run_instances_user_data_that_stops_sshd_closes_port_22() {
    run(
        &template(LAUNCH_TEMPLATE, ""),
        r#"  - run: aws ec2 run-instances --subnet-id ${A1} --user-data 'systemctl stop sshd'
    save: r
  - on: client
    run: nc -zv ${r.Instances[0].PrivateIpAddress} 22
    expect: {fails: true, output-contains: Connection refused}
  - run: aws ec2 run-instances --subnet-id ${A1}
    save: plain
  - on: client
    run: nc -z ${plain.Instances[0].PrivateIpAddress} 22
"#,
    );
}

#[test]
fn m2_a_launch_template_and_a_group_created_with_the_aws_cli_serve_through_the_nlb() {
    // M2 without a template: create-launch-template (UserData in base64, as the CLI takes
    // it inside --launch-template-data), create-auto-scaling-group balanced over two AZs
    // and registered with the target group, then the group and template deleted.
    run(
        &template("", ""),
        r#"  - run: >-
      aws ec2 create-launch-template --launch-template-name cli-lt
      --launch-template-data '{"InstanceType": "t3.micro", "SecurityGroupIds": ["${WebSG}"], "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}], "UserData": "IyEvYmluL2Jhc2gKeXVtIGluc3RhbGwgLXkgaHR0cGQKZWNobyAiZnJvbSB0aGUgY2xpIiA+IC92YXIvd3d3L2h0bWwvaW5kZXguaHRtbApzeXN0ZW1jdGwgZW5hYmxlIC0tbm93IGh0dHBk"}'
    save: lt
    expect: {output-contains: '"LatestVersionNumber": 1'}
  - run: >-
      aws autoscaling create-auto-scaling-group --auto-scaling-group-name cli-asg
      --launch-template LaunchTemplateId=${lt.LaunchTemplate.LaunchTemplateId},Version='$Latest'
      --min-size 1 --max-size 4 --desired-capacity 2 --vpc-zone-identifier "${A1},${B}"
      --target-group-arns ${Tg} --health-check-type ELB --tags Key=Tier,Value=web,PropagateAtLaunch=true
  - run: aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names cli-asg --query "AutoScalingGroups[0].[DesiredCapacity,length(Instances),HealthCheckType,LaunchTemplate.LaunchTemplateName]" --output text
    expect: {output-matches: '^2\s+2\s+ELB\s+cli-lt$'}
  - run: aws ec2 describe-instances --filters Name=tag:Tier,Values=web Name=instance-state-name,Values=running --query "length(Reservations[].Instances[])"
    expect: {output-contains: "2"}
  - wait-for: web-tg healthy
  - on: client
    run: curl http://${Nlb.DNSName}/
    expect: {output-contains: from the cli, via: [load-balancer, target-group, instance]}
  - run: aws ec2 describe-launch-templates --launch-template-names cli-lt --query "LaunchTemplates[0].LaunchTemplateId" --output text
    expect: {output-contains: lt-}
  - run: aws autoscaling delete-auto-scaling-group --auto-scaling-group-name cli-asg
    expect: {exit: 254, output-contains: ResourceInUse}
  - run: aws autoscaling delete-auto-scaling-group --auto-scaling-group-name cli-asg --force-delete
  - run: aws autoscaling describe-auto-scaling-groups --query "length(AutoScalingGroups)"
    expect: {output-contains: "0"}
  - run: aws ec2 delete-launch-template --launch-template-name cli-lt
  - run: aws ec2 describe-launch-templates --launch-template-names cli-lt
    expect: {exit: 254, output-contains: InvalidLaunchTemplateName.NotFoundException}
"#,
    );
}

#[test]
fn m2_launch_template_data_vpcsim_does_not_model_and_bad_user_data_are_refused_by_the_cli() {
    for (data, why) in [
        (
            r#"{"Placement": {"Tenancy": "dedicated"}}"#,
            "LaunchTemplateData.Placement is not modelled by vpcsim",
        ),
        (r#"{"UserData": "not base64!"}"#, "Invalid BASE64 encoding of user data."),
        (
            r#"{"NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": "subnet-1"}]}"#,
            "LaunchTemplateData.NetworkInterfaces[0].SubnetId is not modelled by vpcsim",
        ),
        (
            r#"{"SecurityGroupIds": ["sg-1"], "NetworkInterfaces": [{"DeviceIndex": 0, "Groups": ["sg-2"]}]}"#,
            "may not be specified on the same request",
        ),
    ] {
        let line = format!(
            "aws ec2 create-launch-template --launch-template-name x --launch-template-data '{data}'"
        );
        let e = vpcsim::command::aws::parse_line(&line).expect_err(data);
        assert!(e.to_string().contains(why), "{data}: {e}");
    }
}

#[test]
fn m7_aws_calls_in_a_run_instances_user_data_are_not_made_and_a_warning_names_them() {
    run(
        &template(LAUNCH_TEMPLATE, ""),
        r#"  - run: aws ec2 run-instances --subnet-id ${A1} --user-data 'aws ec2 associate-address --allocation-id eipalloc-1 --instance-id i-1'
    expect: {output-contains: "vpcsim warning: UserData runs `aws ec2 associate-address`, which vpcsim does not run here"}
"#,
    );
}
