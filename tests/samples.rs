//! The sample templates of scenarios/ (`sample-*.cfn.yaml`): CloudFormation written in
//! the style of public AWS samples, each with a scenario of the same name that checks
//! what the template is for. Through the binary, as a user runs them: `vpcsim import`
//! models every resource or skips it with a reason and refuses none (exit 0), and
//! `vpcsim run` holds every expectation of the scenario (exit 0).

use std::path::Path;

#[path = "support/cli.rs"]
mod cli;
use cli::vpcsim;

/// `vpcsim import` on the sample's template exits 0 and its report refuses nothing:
/// the summary line counts 0 refused and no resource line says `refused`.
fn assert_imports_with_nothing_refused(sample: &str) {
    assert_imports_with_nothing_refused_given(sample, &[]);
}

/// The same, with `--parameter KEY=VALUE` for each of `parameters` (a template whose
/// parameters have no default, as the Quick Start's `AvailabilityZones`).
fn assert_imports_with_nothing_refused_given(sample: &str, parameters: &[&str]) {
    let template = format!("scenarios/{sample}.cfn.yaml");
    let mut args = vec!["import", template.as_str()];
    for p in parameters {
        args.extend(["--parameter", p]);
    }
    let (code, out, err) = vpcsim(&args);
    assert_eq!(code, 0, "{out}{err}");
    let summary = out.lines().next().unwrap_or_default();
    assert!(summary.starts_with(&format!("{template}: ")), "{out}");
    assert!(summary.ends_with(" skipped, 0 refused"), "{summary}");
    assert!(!out.contains("refused "), "{out}");
    assert!(!out.lines().skip(1).any(|l| l.trim_start().starts_with("refused")), "{out}");
}

/// `vpcsim run` on the sample's scenario holds every expectation, one of which at
/// least is a flow that must fail for a named reason.
fn assert_scenario_passes(sample: &str) {
    let scenario = format!("scenarios/{sample}.yaml");
    let (code, out, err) = vpcsim(&["run", &scenario]);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("PASS: "), "{out}");
    assert!(out.contains("✔ explanation: "), "a sample shows a flow that fails for its reason:\n{out}");
}

#[test]
fn the_private_hub_with_ssm_and_sts_endpoints_imports_and_its_instance_reaches_both_by_name() {
    assert_imports_with_nothing_refused("sample-ssm-endpoints-hub");
    assert_scenario_passes("sample-ssm-endpoints-hub");
}

#[test]
fn the_two_vpcs_with_the_same_cidr_import_and_privatelink_joins_them_where_peering_fails() {
    // V1: the peering request between overlapping VPCs fails.
    assert_imports_with_nothing_refused("sample-overlapping-vpcs-privatelink");
    assert_scenario_passes("sample-overlapping-vpcs-privatelink");
}

#[test]
fn the_privatelink_provider_with_route53_aliases_imports_and_the_friendly_name_reaches_the_service() {
    // Z1: the private zone's alias answers the endpoint inside the consumer VPC only.
    assert_imports_with_nothing_refused("sample-privatelink-route53");
    assert_scenario_passes("sample-privatelink-route53");
}

#[test]
fn the_syslog_collector_imports_and_its_tcp_udp_listener_takes_both_protocols_from_the_app_subnets() {
    // L16: a TCP_UDP listener forwards UDP and TCP on the same port.
    assert_imports_with_nothing_refused("sample-syslog-collector");
    assert_scenario_passes("sample-syslog-collector");
}

#[test]
fn the_auto_scaling_web_tier_imports_and_serves_the_page_cfn_init_wrote_through_the_nlb() {
    // M2, M3, C2: the group's instances run cfn-init from the launch template's metadata
    // and signal the group's CreationPolicy; scaling out registers the new instances.
    assert_imports_with_nothing_refused("sample-autoscaling-web-cfn-init");
    assert_scenario_passes("sample-autoscaling-web-cfn-init");
}

#[test]
fn the_quickstart_vpc_imports_and_each_zone_leaves_through_its_own_nat_gateway() {
    // G1, G2, F1, Z2: a NAT gateway per AZ, none lets a connection in; the flow log
    // records the connection a security group rejected; the VPC has the DHCP options.
    assert_imports_with_nothing_refused_given(
        "sample-quickstart-vpc",
        &["AvailabilityZones=us-east-1a,us-east-1b"],
    );
    assert_scenario_passes("sample-quickstart-vpc");
}

#[test]
fn every_sample_template_has_a_scenario_and_a_test_here() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut samples: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios/ is readable")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_prefix("sample-")?.strip_suffix(".cfn.yaml").map(|s| format!("sample-{s}")))
        .collect();
    samples.sort();
    let this_file = include_str!("samples.rs");
    for sample in &samples {
        assert!(
            dir.join(format!("{sample}.yaml")).is_file(),
            "{sample}.cfn.yaml has no scenario {sample}.yaml"
        );
        assert!(this_file.contains(&format!("(\"{sample}\"")), "{sample} has no test in tests/samples.rs");
    }
    assert!(samples.len() >= 6, "{samples:?}");
}
