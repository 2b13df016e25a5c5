//! Fidelity tests for interface endpoints to AWS services (docs/aws-rules.md P13):
//! the region's catalog in describe-vpc-endpoint-services, endpoints created by the
//! CLI and by CloudFormation without acceptance, private DNS overriding the service's
//! public name inside the VPC only, the public path through the NAT gateway without
//! it, the endpoint's security groups, and the service answering HTTPS. Most tests are
//! steps over the three-tier template (scenarios/three-tier.cfn.yaml).

use std::path::Path;

use serde_json::Value;
use vpcsim::dns::View;
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc};
use vpcsim::scenario::{self, render, Backend};
use vpcsim::session::Session;
use vpcsim::world::World;

/// Runs `steps` (YAML list items) after building the three-tier stack; every expectation
/// must hold. The session is returned for further checks.
fn three_tier(steps: &str) -> Session {
    let text = format!(
        "name: p13\nregion: us-east-1\nseed: 31\nstacks:\n  - name: three-tier\n    template: three-tier.cfn.yaml\nsteps:\n{steps}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/p13-test.yaml");
    let s = scenario::load_str(path.to_str().unwrap(), &text).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::for_scenario(&s).unwrap_or_else(|e| panic!("{e}"));
    let report = scenario::run(&s, &mut session).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed, "{}", render::text(&report));
    session
}

fn aws_json(session: &mut Session, line: &str) -> Value {
    let call = vpcsim::command::aws::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let out = session.run_aws(&call);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.json.unwrap_or_default()
}

#[test]
fn p13_describe_vpc_endpoint_services_lists_the_regions_aws_services_with_their_private_dns_names() {
    let mut s = Session::new(World::in_region("eu-west-1", 3).unwrap());
    let v = aws_json(&mut s, "aws ec2 describe-vpc-endpoint-services");
    let details = v["ServiceDetails"].as_array().unwrap();
    let find = |name: &str, kind: &str| {
        details
            .iter()
            .find(|d| d["ServiceName"] == name && d["ServiceType"][0]["ServiceType"] == kind)
            .unwrap_or_else(|| panic!("{name} {kind} in {v}"))
    };
    for service in [
        "ssm",
        "ssmmessages",
        "ec2messages",
        "sts",
        "logs",
        "monitoring",
        "ecr.api",
        "ecr.dkr",
        "secretsmanager",
        "kms",
        "sqs",
        "sns",
        "cloudformation",
        "execute-api",
        "s3",
    ] {
        let d = find(&format!("com.amazonaws.eu-west-1.{service}"), "Interface");
        assert_eq!(d["Owner"], "amazon");
        assert_eq!(d["AcceptanceRequired"], false);
        assert_eq!(d["AvailabilityZones"], serde_json::json!(["eu-west-1a", "eu-west-1b", "eu-west-1c"]));
    }
    let ssm = find("com.amazonaws.eu-west-1.ssm", "Interface");
    assert_eq!(ssm["PrivateDnsName"], "ssm.eu-west-1.amazonaws.com");
    assert_eq!(ssm["BaseEndpointDnsNames"][0], "ssm.eu-west-1.vpce.amazonaws.com");
    assert_eq!(
        find("com.amazonaws.eu-west-1.s3", "Interface")["PrivateDnsName"],
        "*.s3.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        find("com.amazonaws.eu-west-1.ecr.api", "Interface")["PrivateDnsName"],
        "api.ecr.eu-west-1.amazonaws.com"
    );
    assert!(find("com.amazonaws.eu-west-1.s3", "Gateway")["PrivateDnsName"].is_null());
    let names = v["ServiceNames"].as_array().unwrap();
    let s3 = names.iter().filter(|n| *n == "com.amazonaws.eu-west-1.s3").count();
    assert_eq!(s3, 1, "S3 is one name offered as two types");
}

#[test]
fn p13_with_private_dns_the_service_name_answers_the_endpoint_inside_the_vpc_and_public_elsewhere() {
    let s = three_tier(
        r#"  - on: app-server-a
    run: dig +short ssm.us-east-1.amazonaws.com
    expect: {answers-in: [10.0.10.0/24, 10.0.11.0/24]}
  - run: aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${SsmEndpoint} --query 'VpcEndpoints[0].DnsEntries[-1].DnsName' --output text
    expect: {output-matches: '^ssm\.us-east-1\.amazonaws\.com$'}
"#,
    );
    let w = &s.world;
    let public = w.resolve(View::Public, "ssm.us-east-1.amazonaws.com").addrs;
    assert_eq!(public, [w.region().service_addr()], "outside the VPC the name stays public");
    assert!(w.region().is_amazon_public(public[0]));
    let inside =
        w.resolve(View::Vpc(w.vpcs().live().next().unwrap().0), "SSM.us-east-1.amazonaws.com.").addrs;
    assert_eq!(inside.len(), 2, "one address per endpoint subnet: {inside:?}");
    assert!(inside.iter().all(|a| a.octets()[..3] == [10, 0, 10] || a.octets()[..3] == [10, 0, 11]));
}

#[test]
fn p13_without_private_dns_the_name_answers_public_and_the_request_leaves_through_the_nat_gateway() {
    three_tier(
        r#"  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.sts --subnet-ids ${AppA} --security-group-ids ${EndpointSG}
    save: sts
    expect: {output-contains: '"State": "pending"'}
  - wait-for: ${sts.VpcEndpoint.VpcEndpointId} available
  - on: app-server-a
    run: dig +short sts.us-east-1.amazonaws.com
    expect: {answers-not-in: 10.0.0.0/16}
  - on: app-server-a
    run: curl https://sts.us-east-1.amazonaws.com/
    expect:
      output-contains: 'healthy: sts.us-east-1.amazonaws.com'
      via: [nat-gateway, internet-gateway, internet]
      not-via: [vpc-endpoint]
  - on: app-server-a
    run: curl https://${sts.VpcEndpoint.DnsEntries[0].DnsName}/
    expect:
      output-contains: healthy
      via: [vpc-endpoint, vpc-endpoint-service]
      not-via: [nat-gateway]
"#,
    );
}

#[test]
fn p13_an_aws_service_endpoint_needs_no_acceptance_and_carries_traffic_only_once_available() {
    three_tier(
        r#"  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.kms --subnet-ids ${AppA} ${AppB}
      --security-group-ids ${EndpointSG} --private-dns-enabled
    save: kms
  - on: app-server-b
    run: curl --connect-timeout 3 https://kms.us-east-1.amazonaws.com/
    expect: {fails: true, explanation: BAD_STATE}
  - run: aws ec2 describe-vpc-endpoint-connections
    expect: {output-not-contains: '${kms.VpcEndpoint.VpcEndpointId}'}
  - wait: 2m
  - on: app-server-b
    run: curl https://kms.us-east-1.amazonaws.com/
    expect:
      output-contains: 'healthy: kms.us-east-1.amazonaws.com'
      via: [vpc-endpoint]
      seen-source-in: 10.0.11.0/24
"#,
    );
}

#[test]
fn p13_the_endpoints_security_groups_apply_to_every_client_of_the_vpc() {
    // P13, S6: the endpoint's group admits only the app group; the bastion resolves the same
    // private addresses but is stopped at the endpoint's interface.
    three_tier(
        "  - on: bastion\n    run: dig +short ssm.us-east-1.amazonaws.com\n    expect: {answers-in: [10.0.10.0/24, 10.0.11.0/24]}\n  - on: bastion\n    run: curl --connect-timeout 3 https://ssm.us-east-1.amazonaws.com/\n    expect: {fails: true, explanation: ENI_SG_RULES_MISMATCH}\n",
    );
}

#[test]
fn p13_private_dns_needs_dns_support_and_hostnames_on_the_vpc() {
    // P11 holds for AWS services too.
    let mut w = World::in_region("us-east-1", 5).unwrap();
    let cidr = |c: &str| Some(c.parse().unwrap());
    let v = w.create_vpc(CreateVpc { cidr: cidr("10.9.0.0/16"), ..Default::default() }).unwrap();
    let sub = CreateSubnet { vpc: Some(v), cidr: cidr("10.9.1.0/24"), ..Default::default() };
    let sub = w.create_subnet(sub).unwrap();
    let (vpc, sub) = (w[v].aws_id.clone(), w[sub].aws_id.clone());
    let mut s = Session::new(w);
    let line = format!("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {vpc} --service-name com.amazonaws.us-east-1.ssm --subnet-ids {sub} --private-dns-enabled");
    let out = s.run_aws(&vpcsim::command::aws::parse_line(&line).unwrap());
    assert_ne!(out.exit_code, 0);
    assert!(
        out.stderr.contains("InvalidParameter") && out.stderr.contains("enableDnsHostnames"),
        "{}",
        out.stderr
    );
    let without = line.replace(" --private-dns-enabled", "");
    let ep = aws_json(&mut s, &without);
    assert_eq!(ep["VpcEndpoint"]["ServiceName"], "com.amazonaws.us-east-1.ssm");
    assert_eq!(ep["VpcEndpoint"]["PrivateDnsEnabled"], false);
    let dns = ep["VpcEndpoint"]["DnsEntries"][0]["DnsName"].as_str().unwrap();
    assert!(dns.ends_with(".ssm.us-east-1.vpce.amazonaws.com"), "{dns}");
}

#[test]
fn p13_a_service_of_another_region_or_unknown_to_the_catalog_is_refused() {
    let mut s = three_tier("");
    for name in [
        "com.amazonaws.eu-west-1.ssm",
        "com.amazonaws.us-east-1.nosuchservice",
        "com.amazonaws.us-east-1.dynamodb",
    ] {
        let line = format!("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {} --service-name {name} --subnet-ids {}",
            s.world.vpcs().live().next().unwrap().1.aws_id,
            s.world.subnets().live().next().unwrap().1.aws_id);
        let out = s.run_aws(&vpcsim::command::aws::parse_line(&line).unwrap());
        assert_ne!(out.exit_code, 0, "{name}");
        assert!(out.stderr.contains("InvalidServiceName"), "{name}: {}", out.stderr);
    }
}

#[test]
fn p13_a_wildcard_private_dns_name_answers_every_name_under_it() {
    // P13: ecr.dkr's private DNS name is *.dkr.ecr.<region>.amazonaws.com.
    three_tier(
        r#"  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.ecr.dkr --subnet-ids ${AppB}
      --security-group-ids ${EndpointSG} --private-dns-enabled
  - on: app-server-a
    run: dig +short 123456789012.dkr.ecr.us-east-1.amazonaws.com
    expect: {answers-in: 10.0.11.0/24}
  - on: app-server-a
    run: dig +short api.ecr.us-east-1.amazonaws.com
    expect: {answers-not-in: 10.0.0.0/16}
"#,
    );
}

#[test]
fn p13_an_s3_interface_endpoint_with_private_dns_needs_the_gateway_endpoint_and_keeps_s3_names_public() {
    // P13: AWS's default for S3 answers privately only for inbound resolver endpoints; the
    // VPC's own S3 traffic stays on the gateway endpoint.
    three_tier(
        r#"  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.s3 --subnet-ids ${AppA}
      --security-group-ids ${EndpointSG} --private-dns-enabled
  - on: app-server-a
    run: dig +short my-bucket.s3.us-east-1.amazonaws.com
    expect: {answers-in: 52.216.0.0/15}
  - run: aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${S3Endpoint}
  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.s3 --subnet-ids ${AppB} --private-dns-enabled
    expect: {fails: true, output-contains: Gateway endpoint}
"#,
    );
}

#[test]
fn p13_cloudformation_waits_for_the_endpoint_and_its_private_dns_is_off_by_default() {
    let text = r#"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.5.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}
  Sub:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.5.1.0/24}
  Logs:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      VpcId: !Ref Vpc
      ServiceName: com.amazonaws.us-east-1.logs
      SubnetIds: [!Ref Sub]
"#;
    let mut w = World::in_region("us-east-1", 9).unwrap();
    let stack =
        vpcsim::stack::create_stack(&mut w, "s", "t.yaml", text, &Default::default(), &Default::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
    let _ = stack;
    let (_, ep) = w.endpoints().iter().next().unwrap();
    assert_eq!(ep.state.as_str(), "available");
    assert!(!ep.private_dns_enabled);
    let vpc = ep.vpc;
    assert_eq!(w.resolve(View::Vpc(vpc), "logs.us-east-1.amazonaws.com").addrs, [w.region().service_addr()]);
}

#[test]
fn p13_the_service_answers_https_at_its_endpoint_and_refuses_other_ports() {
    // P13, S6: port 80 never reaches ssm's endpoint (its group admits 443 only); an sts
    // endpoint in the app group (which admits 80, not 443) takes the connection on 80 and
    // refuses it.
    three_tier(
        r#"  - on: app-server-a
    run: nc -z -w 3 ssm.us-east-1.amazonaws.com 443
  - on: app-server-a
    run: nc -z -w 3 ssm.us-east-1.amazonaws.com 80
    expect: {fails: true, explanation: ENI_SG_RULES_MISMATCH}
  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${Vpc}
      --service-name com.amazonaws.us-east-1.sts --subnet-ids ${AppA}
      --security-group-ids ${AppSG} --private-dns-enabled
  - wait: 2m
  - on: app-server-b
    run: nc -zv -w 3 sts.us-east-1.amazonaws.com 80
    expect: {fails: true, output-contains: Connection refused, via: [vpc-endpoint]}
  - on: app-server-b
    run: curl --connect-timeout 3 http://sts.us-east-1.amazonaws.com/
    expect: {exit: 7}
  - on: app-server-b
    run: curl --connect-timeout 3 https://sts.us-east-1.amazonaws.com/
    expect: {fails: true, explanation: ENI_SG_RULES_MISMATCH}
  - on: bastion
    run: nc -z -w 3 s3.us-east-1.amazonaws.com 443
"#,
    );
}
