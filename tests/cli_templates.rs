//! CloudFormation templates given directly to the commands that take a scenario (one
//! stack named after the file, no steps), `--parameter` and `--region`, and
//! `vpcsim import`'s report of what is modelled, skipped and refused.

#[path = "support/cli.rs"]
mod cli;
use cli::vpcsim;

const LAB: &str = "scenarios/privatelink-lab.cfn.yaml";
const TWO_TIER: &str = "scenarios/two-tier-internal-nlb.cfn.yaml";

#[test]
fn trace_takes_a_template_with_its_parameters_and_region() {
    let (code, out, err) = vpcsim(&[
        "trace",
        LAB,
        "--parameter",
        "KeyName=lab-key",
        "--region",
        "ap-northeast-2",
        "--from",
        "My-EC2",
        "--to",
        "Custom-NLB:80",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("REACHABLE"), "{out}");
    let (_, vpcs, err) =
        vpcsim(&["describe", LAB, "vpcs", "--parameter", "KeyName=lab-key", "--region", "ap-northeast-2"]);
    assert!(vpcs.contains("\"CidrBlock\": \"20.0.0.0/16\""), "{vpcs}{err}");
}

#[test]
fn describe_graph_and_shell_take_a_template_too() {
    let (code, out, err) = vpcsim(&["describe", TWO_TIER, "load-balancers"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"Scheme\": \"internal\""), "{out}");
    let (code, out, err) = vpcsim(&["graph", TWO_TIER, "--format", "mermaid"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("---\ntitle: \"the template scenarios/two-tier-internal-nlb.cfn.yaml"), "{out}");
    let (code, out, err) = vpcsim(&["shell", TWO_TIER, "--region", "eu-west-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Region eu-west-1"), "{out}");
}

#[test]
fn a_missing_or_unknown_parameter_and_an_unknown_region_are_located_errors() {
    let (code, _, err) = vpcsim(&["describe", LAB, "vpcs"]);
    assert_eq!(code, 2);
    assert!(err.contains("privatelink-lab.cfn.yaml:2:3: Parameters.KeyName: parameter `KeyName` has no value and no Default"), "{err}");
    let (code, _, err) = vpcsim(&["describe", LAB, "--parameter", "KeyName=k", "--parameter", "KeyNme=k"]);
    assert_eq!(code, 2);
    assert!(err.contains("privatelink-lab.cfn.yaml:1:1: parameter `KeyNme` was supplied but the template does not declare it"), "{err}");
    let (code, _, err) = vpcsim(&["describe", TWO_TIER, "--region", "eu-west-9"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("two-tier-internal-nlb.cfn.yaml:1:1: --region: unknown region `eu-west-9`"),
        "{err}"
    );
}

#[test]
fn parameters_given_with_a_scenario_file_are_refused_not_ignored() {
    let (code, _, err) = vpcsim(&["describe", "scenarios/privatelink-lab.yaml", "--parameter", "KeyName=k"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--parameter and --region apply to a CloudFormation template; this file is a scenario"),
        "{err}"
    );
    let (code, _, err) = vpcsim(&["run", "scenarios/privatelink-lab.yaml", LAB, "--parameter", "KeyName=k"]);
    assert_eq!(code, 2);
    assert!(err.contains("templates given with scenario files are passed over"), "{err}");
}

#[test]
fn import_lists_each_resource_modelled_or_skipped_and_exits_0() {
    let (code, out, err) = vpcsim(&["import", TWO_TIER]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("scenarios/two-tier-internal-nlb.cfn.yaml: 24 resources: 23 modelled, 1 skipped, 0 refused")
    );
    assert!(out.contains("\n  modelled  Vpc "), "{out}");
    assert!(out.contains("  skipped   AuditBucket        AWS::S3::Bucket                            not networking: it does not change what the network does\n"), "{out}");
    assert!(!out.contains("refused "), "{out}");
}

#[test]
fn m4_import_models_an_instance_with_two_interfaces_and_a_network_interface_attachment() {
    let (code, out, err) = vpcsim(&["import", "scenarios/two-interfaces.cfn.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "scenarios/two-interfaces.cfn.yaml: 19 resources: 19 modelled, 0 skipped, 0 refused\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("  modelled  AdminManagementAttachment  AWS::EC2::NetworkInterfaceAttachment\n"),
        "{out}"
    );
    assert!(!out.contains("refused "), "{out}");
}

#[test]
fn import_refuses_unmodelled_networking_types_and_rejected_values_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("vpcsim-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("edge.cfn.yaml");
    std::fs::write(
        &file,
        "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Tgw:\n    Type: AWS::EC2::TransitGateway\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let (code, out, _) = vpcsim(&["import", &path, "--json"]);
    assert_eq!(code, 2);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["Resources"][0]["Status"], "modelled");
    assert_eq!(report["Resources"][1]["Status"], "refused");
    assert_eq!(report["Resources"][1]["Reason"], "a networking type vpcsim does not model");

    std::fs::write(
        &file,
        "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  S:\n    Type: AWS::EC2::Subnet\n    Properties: {VpcId: !Ref V, CidrBlock: 10.1.0.0/24}\n",
    )
    .unwrap();
    let (code, out, _) = vpcsim(&["import", &path]);
    assert_eq!(code, 2);
    assert!(
        out.contains(&format!(
            "  refused   S  AWS::EC2::Subnet  {path}:7:44: The CIDR '10.1.0.0/24' is invalid"
        )),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_scenario_with_no_steps_builds_its_world() {
    let (code, out, err) = vpcsim(&["run", "--quiet", "tests/data/cli/no-steps.yaml"]);
    assert_eq!((code, out.as_str()), (0, "tests/data/cli/no-steps.yaml: passed\n"), "{err}");
}
