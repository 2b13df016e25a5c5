//! Scenario files end to end: broken files and their messages, and the runner over a
//! small fake region (substitution, wait-for, save, every expect key, exit semantics).

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use vpcsim::addr::Protocol;
use vpcsim::command::app::{AppCommand, Host};
use vpcsim::command::aws::AwsCall;
use vpcsim::error::FileError;
use vpcsim::scenario::{self, render, Backend, Report, Resolution, Scenario, StepOutcome, StepStatus};
use vpcsim::trace::{ComponentKind, Explanation, ExplanationCode, Header, Hop, Trace};

// ---------------------------------------------------------------- a fake region

const NLB_DNS: &str = "custom-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com";
const VPCE_DNS: &str = "vpce-0aa-abcdefgh.vpce-svc-0bb.us-east-1.vpce.amazonaws.com";

/// A region that knows the lab's names, a clock, a target group that turns healthy
/// at 2m30s and an endpoint that turns available two minutes after acceptance.
#[derive(Default)]
struct Fake {
    clock: Duration,
    accepted_at: Option<Duration>,
    endpoint_created: bool,
    calls: Vec<String>,
    stacks_fail: bool,
}

impl Fake {
    fn endpoint_available(&self) -> bool {
        self.accepted_at.is_some_and(|t| self.clock >= t + Duration::from_secs(120))
    }
}

fn header(src: [u8; 4], dst: [u8; 4]) -> Header {
    Header {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        protocol: Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    }
}

fn trace(kinds: &[ComponentKind], delivered: Option<Header>, explanation: Option<ExplanationCode>) -> Trace {
    let forward = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| Hop {
            seq: i as u16 + 1,
            kind: *k,
            id: format!("{}-{}", k.as_str(), i).into(),
            name: None,
            matched: None,
            inbound: None,
            outbound: None,
        })
        .collect();
    let explanation = explanation.map(|code| Explanation {
        code,
        kind: ComponentKind::VpcEndpoint,
        component_id: "vpce-0aa".into(),
        component_name: None,
        message: "the endpoint is pendingAcceptance, not available".into(),
    });
    Trace { flow: header([10, 0, 0, 10], [10, 0, 0, 240]), forward, ret: Vec::new(), explanation, delivered }
}

impl Backend for Fake {
    fn create_stacks(&mut self, scenario: &Scenario) -> Result<(), FileError> {
        if self.stacks_fail {
            let problem = vpcsim::error::FileProblem {
                file: scenario.file.clone(),
                location: scenario.stacks[0].loc,
                context: Some("Resources.MyVPC".into()),
                message: "CidrBlock is not a CIDR".into(),
                hint: None,
            };
            return Err(FileError::one(problem));
        }
        Ok(())
    }

    fn resolve(&self, name: &str) -> Resolution {
        let found = |r: &str, kind: &str| Resolution::Found { ref_value: r.into(), kind: kind.into() };
        match name {
            "MyVPC" => found("vpc-0001", "AWS::EC2::VPC"),
            "My-EC2" | "MyEC2" | "i-0001" => found("i-0001", "AWS::EC2::Instance"),
            "Custom-NLB" => found(
                "arn:aws:elasticloadbalancing:nlb/Custom-NLB",
                "AWS::ElasticLoadBalancingV2::LoadBalancer",
            ),
            "Custom-NLB-TG" => found(
                "arn:aws:elasticloadbalancing:tg/Custom-NLB-TG",
                "AWS::ElasticLoadBalancingV2::TargetGroup",
            ),
            "vpce-0aa" if self.endpoint_created => found("vpce-0aa", "AWS::EC2::VPCEndpoint"),
            "Web" => Resolution::Ambiguous(vec!["Web1 (i-0002)".into(), "Web2 (i-0003)".into()]),
            "Custom-NBL" => Resolution::NotFound { suggestion: Some("Custom-NLB".into()) },
            _ => Resolution::NotFound { suggestion: None },
        }
    }

    fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
        match (name, attr) {
            ("Custom-NLB", "DNSName") => Ok(NLB_DNS.into()),
            _ => Err(format!("{name} has no attribute {attr}")),
        }
    }

    fn run_app(&mut self, on: &str, cmd: &AppCommand) -> StepOutcome {
        self.calls.push(format!("{on}: {cmd:?}"));
        match cmd {
            AppCommand::Dig(d) => dig(&d.name),
            AppCommand::Curl(c) => self.curl(&c.url.host),
            AppCommand::Ping(_) | AppCommand::Nc(_) => StepOutcome::ok(""),
        }
    }

    fn run_aws(&mut self, call: &AwsCall) -> StepOutcome {
        self.calls.push(format!("{} {:?}", call.operation, call.request));
        let out = match call.operation {
            "create-vpc-endpoint-service-configuration" => json!({"ServiceConfiguration": {
                "ServiceId": "vpce-svc-0bb", "ServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0bb"}}),
            "create-vpc-endpoint" => {
                self.endpoint_created = true;
                json!({"VpcEndpoint": {"VpcEndpointId": "vpce-0aa", "State": "pendingAcceptance",
                    "DnsEntries": [{"DnsName": VPCE_DNS}]}})
            }
            "describe-vpc-endpoint-connections" => return StepOutcome::ok(""),
            "accept-vpc-endpoint-connections" => {
                self.accepted_at = Some(self.clock);
                json!({"Unsuccessful": []})
            }
            _ => {
                return StepOutcome::failed(
                    254,
                    format!(
                        "An error occurred (InvalidAction) when calling the {} operation: not simulated",
                        call.operation
                    ),
                )
            }
        };
        StepOutcome {
            stdout: serde_json::to_string_pretty(&out).unwrap_or_default(),
            json: Some(out),
            ..StepOutcome::default()
        }
    }

    fn advance(&mut self, by: Duration) {
        self.clock += by;
    }

    fn state_of(&self, resource: &str, wanted: &str) -> Result<bool, String> {
        match (resource, wanted) {
            ("Custom-NLB-TG", "healthy") => Ok(self.clock >= Duration::from_secs(150)),
            ("vpce-0aa", "available") => Ok(self.endpoint_available()),
            _ => Err(format!("{resource} has no state {wanted}")),
        }
    }
}

fn dig(name: &str) -> StepOutcome {
    let answers: Vec<Ipv4Addr> = match name {
        NLB_DNS => vec![Ipv4Addr::new(15, 165, 14, 143)],
        VPCE_DNS => vec![Ipv4Addr::new(10, 0, 0, 240)],
        _ => vec![],
    };
    let stdout: String = answers.iter().map(|a| format!("{a}\n")).collect();
    StepOutcome { stdout, answers, ..StepOutcome::default() }
}

impl Fake {
    fn curl(&self, host: &Host) -> StepOutcome {
        use ComponentKind::*;
        let page = "<html><h1>Endpoint Service Lab - CloudNeta Web Server 2</h1></html>\n";
        match host {
            Host::Name(n) if n == NLB_DNS => StepOutcome {
                trace: Some(trace(
                    &[
                        Instance,
                        InternetGateway,
                        Internet,
                        InternetGateway,
                        LoadBalancer,
                        TargetGroup,
                        Instance,
                    ],
                    Some(header([3, 34, 1, 1], [20, 0, 0, 10])),
                    None,
                )),
                ..StepOutcome::ok(page)
            },
            Host::Name(n) if n == VPCE_DNS && self.endpoint_available() => StepOutcome {
                trace: Some(trace(
                    &[
                        Instance,
                        NetworkInterface,
                        VpcEndpoint,
                        VpcEndpointService,
                        LoadBalancer,
                        TargetGroup,
                        Instance,
                    ],
                    Some(header([20, 0, 0, 100], [20, 0, 0, 10])),
                    None,
                )),
                ..StepOutcome::ok(page)
            },
            _ => StepOutcome {
                trace: Some(trace(
                    &[Instance, NetworkInterface, VpcEndpoint],
                    None,
                    Some(ExplanationCode::BadState),
                )),
                ..StepOutcome::failed(28, "curl: (28) Connection timed out after 3001 milliseconds")
            },
        }
    }
}

fn run_text(text: &str) -> (Report, Fake) {
    let scenario = scenario::load_str("lab.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let mut fake = Fake::default();
    let report = scenario::run(&scenario, &mut fake).unwrap_or_else(|e| panic!("{e}"));
    (report, fake)
}

// ---------------------------------------------------------------- the seed lab

const LAB: &str = r#"
name: PrivateLink through an endpoint service
description: |
  The seed lab: IGW path first, then PrivateLink.
region: us-east-1
seed: 7
stacks:
  - name: privatelink-lab
    template-body: {Resources: {}}
    parameters: {KeyName: lab-key}
steps:
  - wait-for: Custom-NLB-TG healthy
  - on: My-EC2
    run: dig +short ${Custom-NLB.DNSName}
    expect:
      answers-not-in: [10.0.0.0/16, 20.0.0.0/16]
  - on: My-EC2
    run: curl http://${Custom-NLB.DNSName}/
    expect:
      output-contains: CloudNeta Web Server
      via: [internet-gateway, internet-gateway, load-balancer, target-group]
  - run: aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns ${Custom-NLB} --acceptance-required
    save: svc
  - run: >-
      aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id ${MyVPC}
      --service-name ${svc.ServiceConfiguration.ServiceName}
      --subnet-ids subnet-1 --security-group-ids sg-1
    save: vpce
    expect: {output-contains: pendingAcceptance}
  - on: My-EC2
    run: curl --connect-timeout 3 http://${vpce.VpcEndpoint.DnsEntries[0].DnsName}/
    expect: {fails: true, explanation: BAD_STATE}
  - run: aws ec2 accept-vpc-endpoint-connections --service-id ${svc.ServiceConfiguration.ServiceId} --vpc-endpoint-ids ${vpce.VpcEndpoint.VpcEndpointId}
  - wait-for: ${vpce.VpcEndpoint.VpcEndpointId} available
  - on: My-EC2
    run: curl http://${vpce.VpcEndpoint.DnsEntries[0].DnsName}/
    expect:
      output-contains: CloudNeta Web Server
      via: [vpc-endpoint, load-balancer, target-group]
      not-via: [internet-gateway]
      seen-source-in: 20.0.0.0/24
"#;

#[test]
fn the_seed_lab_from_the_contract_passes_end_to_end() {
    let (report, fake) = run_text(LAB);
    let failed: Vec<String> =
        report.steps.iter().flat_map(|s| s.failures()).map(|c| format!("{c:?}")).collect();
    assert!(report.passed, "{failed:?}");
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.steps.len(), 9);
    assert_eq!(fake.clock, Duration::from_secs(150 + 120));
}

#[test]
fn substitutions_reach_the_backend_as_values() {
    let (report, fake) = run_text(LAB);
    assert_eq!(report.steps[1].command, format!("dig +short {NLB_DNS}"));
    assert_eq!(report.steps[1].on.as_deref(), Some("My-EC2"));
    let accept = fake.calls.iter().find(|c| c.starts_with("accept-vpc-endpoint-connections")).unwrap();
    assert!(accept.contains(r#"service_id: "vpce-svc-0bb""#), "{accept}");
    assert!(accept.contains(r#"endpoint_ids: ["vpce-0aa"]"#), "{accept}");
    assert_eq!(report.steps[7].command, "wait-for vpce-0aa available");
}

#[test]
fn wait_for_advances_the_clock_until_the_state_holds() {
    let (report, fake) = run_text("name: w\nsteps:\n  - wait: 1m\n  - wait-for: Custom-NLB-TG healthy\n");
    assert_eq!(report.steps[1].outcome.as_ref().unwrap().stdout, "Custom-NLB-TG is healthy after 1m30s\n");
    assert_eq!(fake.clock, Duration::from_secs(150));
}

#[test]
fn wait_for_fails_once_its_timeout_has_passed() {
    let (report, fake) = run_text("name: w\nsteps:\n  - wait-for: Custom-NLB-TG healthy\n    timeout: 1m\n");
    assert!(!report.passed);
    let outcome = report.steps[0].outcome.as_ref().unwrap();
    assert_eq!(outcome.stderr, "timed out after 1m: Custom-NLB-TG is not healthy\n");
    assert_eq!(fake.clock, Duration::from_secs(60));
}

#[test]
fn wait_for_an_unknown_state_fails_with_the_backends_reason() {
    let (report, _) = run_text("name: w\nsteps:\n  - wait-for: Custom-NLB-TG sleepy\n");
    assert_eq!(report.steps[0].outcome.as_ref().unwrap().stderr, "Custom-NLB-TG has no state sleepy");
}

#[test]
fn a_step_without_expect_must_exit_zero_and_a_failure_skips_the_rest() {
    let text = "name: e\nsteps:\n  - run: aws ec2 describe-vpcs\n  - wait: 1m\n";
    let (report, fake) = run_text(text);
    assert!(!report.passed);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.steps[0].status, StepStatus::Failed);
    assert_eq!(report.steps[1].status, StepStatus::Skipped);
    assert_eq!(fake.clock, Duration::ZERO);
    let failure = report.steps[0].failures().next().unwrap();
    assert_eq!(failure.key, "exit");
    assert!(failure.actual.starts_with("254 (An error occurred (InvalidAction)"), "{}", failure.actual);
    assert!(failure.actual.ends_with("; add `fails: true` if the command should fail"));
}

#[test]
fn a_missing_saved_path_fails_the_step_naming_the_step_and_path() {
    let text = "name: s\nsteps:\n  - run: aws ec2 create-vpc-endpoint-service-configuration\n    save: svc\n  - run: aws ec2 describe-vpc-endpoint-service-permissions --service-id ${svc.ServiceConfiguration.Nope}\n";
    let (report, _) = run_text(text);
    let failure = report.steps[1].failures().next().unwrap();
    assert_eq!(failure.key, "substitution");
    assert_eq!(
        failure.actual,
        "`${svc.ServiceConfiguration.Nope}`: the output saved as `svc` by step 1 has no `Nope` under `ServiceConfiguration`"
    );
}

#[test]
fn saving_a_command_without_json_output_is_a_failure() {
    let text = "name: s\nsteps:\n  - run: aws ec2 describe-vpc-endpoint-connections\n    save: a\n";
    let (report, _) = run_text(text);
    let failure = report.steps[0].failures().next().unwrap();
    assert_eq!((failure.key.as_str(), failure.actual.as_str()), ("save", "the command printed no JSON"));
}

#[test]
fn a_command_malformed_after_substitution_fails_like_the_real_tool() {
    let text = "name: m\nsteps:\n  - on: My-EC2\n    run: curl http://${MyVPC}:99999/\n    expect: {exit: 3, output-contains: 'URL using bad/illegal format'}\n";
    let (report, _) = run_text(text);
    assert!(report.passed, "{:?}", report.steps[0].checks);
}

// ---------------------------------------------------------------- every expect key

/// Runs one curl or dig step on the fake with `expect`, returning the failing keys.
fn failing_keys(run: &str, expect: &str) -> Vec<String> {
    let text = format!("name: k\nsteps:\n  - on: My-EC2\n    run: {run}\n    expect: {expect}\n");
    let (report, _) = run_text(&text);
    report.steps[0].failures().map(|c| c.key.clone()).collect()
}

#[test]
fn every_expect_key_passes_when_it_holds() {
    let nlb = "curl http://${Custom-NLB.DNSName}/";
    let vpce = format!("curl http://{VPCE_DNS}/");
    let dig = "dig +short ${Custom-NLB.DNSName}";
    let cases = [
        (nlb, "{exit: 0, fails: false}"),
        (nlb, "{output-contains: [CloudNeta, Web Server 2], output-not-contains: Error}"),
        (nlb, "{output-matches: '^<html>.*Server \\d</h1></html>$', output-not-matches: '^Error'}"),
        (dig, "{answers-in: 15.165.0.0/16, answers-not-in: [10.0.0.0/8]}"),
        (nlb, "{via: [instance, internet, load-balancer], not-via: [vpc-endpoint, nat-gateway]}"),
        (nlb, "{seen-source-in: 3.34.0.0/15}"),
        (&vpce, "{fails: true, exit: 28, explanation: BAD_STATE, output-contains: timed out}"),
    ];
    for (run, expect) in cases {
        assert_eq!(failing_keys(run, expect), Vec::<String>::new(), "{run} / {expect}");
    }
}

#[test]
fn every_expect_key_fails_when_it_does_not_hold() {
    let nlb = "curl http://${Custom-NLB.DNSName}/";
    let vpce = format!("curl http://{VPCE_DNS}/");
    let dig = "dig +short ${Custom-NLB.DNSName}";
    let cases: [(&str, &str, &[&str]); 9] = [
        (nlb, "{fails: true}", &["fails"]),
        (nlb, "{exit: 7}", &["exit"]),
        (
            nlb,
            "{output-contains: [CloudNeta, Server 9], output-not-contains: CloudNeta}",
            &["output-contains", "output-not-contains"],
        ),
        (
            nlb,
            "{output-matches: '^Server', output-not-matches: 'Server \\d'}",
            &["output-matches", "output-not-matches"],
        ),
        (dig, "{answers-in: 10.0.0.0/16, answers-not-in: 15.0.0.0/8}", &["answers-in", "answers-not-in"]),
        (nlb, "{via: [load-balancer, internet-gateway], not-via: [internet]}", &["via", "not-via"]),
        (nlb, "{explanation: BAD_STATE, seen-source-in: 20.0.0.0/24}", &["explanation", "seen-source-in"]),
        (
            &vpce,
            "{fails: true, seen-source-in: 20.0.0.0/24, explanation: ENI_SG_RULES_MISMATCH}",
            &["explanation", "seen-source-in"],
        ),
        ("dig +short nothing.example", "{answers-in: 10.0.0.0/8}", &["answers-in"]),
    ];
    for (run, expect, keys) in cases {
        assert_eq!(failing_keys(run, expect), keys, "{run} / {expect}");
    }
}

#[test]
fn path_expectations_without_a_trace_say_so() {
    let (report, _) = run_text("name: t\nsteps:\n  - on: My-EC2\n    run: dig +short ${Custom-NLB.DNSName}\n    expect: {via: [load-balancer]}\n");
    let failure = report.steps[0].failures().next().unwrap();
    assert!(failure.actual.starts_with("no path to check"), "{}", failure.actual);
}

#[test]
fn a_failed_path_expectation_prints_the_path_it_saw() {
    let (report, _) = run_text("name: t\nsteps:\n  - on: My-EC2\n    run: curl http://${Custom-NLB.DNSName}/\n    expect: {via: [vpc-endpoint]}\n");
    let failure = report.steps[0].failures().next().unwrap();
    let path =
        "instance → internet-gateway → internet → internet-gateway → load-balancer → target-group → instance";
    assert_eq!(failure.path.as_deref(), Some(path));
    assert_eq!(failure.actual, format!("path was {path}"));
}

// ---------------------------------------------------------------- rendering

#[test]
fn the_text_report_shows_commands_output_paths_and_marks() {
    let (report, _) = run_text(LAB);
    let text = render::text(&report);
    assert!(text.starts_with("Scenario: PrivateLink through an endpoint service (lab.yaml)\n"));
    assert!(text.contains(&format!("[My-EC2]$ dig +short {NLB_DNS}\n15.165.14.143\n")), "{text}");
    assert!(text.contains("  ✔ exit: 0\n  ✔ answers-not-in: [10.0.0.0/16, 20.0.0.0/16]\n"), "{text}");
    assert!(
        text.contains("── step 1: wait for Custom-NLB-TG to be healthy\n# wait-for Custom-NLB-TG healthy\n"),
        "{text}"
    );
    assert!(text.contains("  ✔ fails: true (a non-zero exit status)\n"), "{text}");
    assert!(text
        .contains("\n$ aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns arn:"));
    assert!(
        text.contains("  path:\n    1  instance          instance-0          -\n    2  internet-gateway"),
        "{text}"
    );
    assert!(
        text.contains("  blocked: BAD_STATE at vpc-endpoint vpce-0aa: the endpoint is pendingAcceptance"),
        "{text}"
    );
    assert!(text.ends_with("\nPASS: 9 of 9 steps passed\n"));
}

#[test]
fn the_text_report_marks_failures_and_skipped_steps() {
    let (report, _) =
        run_text("name: f\nsteps:\n  - on: My-EC2\n    run: curl http://${Custom-NLB.DNSName}/\n    expect: {via: [vpc-endpoint]}\n  - wait: 1m\n");
    let text = render::text(&report);
    assert!(text.contains("  ✘ via: expected [vpc-endpoint], got path was instance → "), "{text}");
    assert!(text.contains("      path: instance → internet-gateway"), "{text}");
    assert!(text.contains("── step 2: wait 1m\n   skipped: an earlier step failed\n"), "{text}");
    assert!(text.ends_with("FAIL: 0 of 2 steps passed\n"));
}

/// A world for the analyses' ARNs (region and account); the fake backend has none.
fn arn_world() -> vpcsim::world::World {
    vpcsim::lab::Lab::build(Default::default()).unwrap().world
}

#[test]
fn the_json_report_has_the_documented_fields() {
    let (report, _) = run_text(LAB);
    let doc = render::json(&report, &arn_world());
    assert_eq!(doc["passed"], json!(true));
    let step = &doc["steps"][1];
    for field in ["index", "title", "on", "command", "status", "outcome", "checks"] {
        assert!(step.get(field).is_some(), "{field}");
    }
    assert_eq!(step["status"], json!("passed"));
    assert_eq!(step["outcome"]["answers"], json!(["15.165.14.143"]));
    assert_eq!(step["checks"][1]["key"], json!("answers-not-in"));
    let trace = &doc["steps"][2]["outcome"]["trace"];
    assert_eq!(trace["NetworkPathFound"], json!(true));
    assert_eq!(trace["ForwardPathComponents"][1]["Component"]["Id"], json!("internet-gateway-1"));
    assert_eq!(trace["ForwardPathComponents"][1]["SequenceNumber"], json!(2));
}

#[test]
fn a_flow_step_in_the_json_report_is_the_analysis_trace_json_prints() {
    let (report, _) = run_text(LAB);
    let w = arn_world();
    let doc = render::json(&report, &w);
    let trace = report.steps[2].outcome.as_ref().and_then(|o| o.trace.as_ref()).unwrap();
    let analysis = serde_json::to_value(vpcsim::trace::analysis(&w, trace)).unwrap();
    assert_eq!(doc["steps"][2]["outcome"]["trace"], analysis);
    assert_eq!(doc["steps"][0]["outcome"]["trace"], json!(null));
}

#[test]
fn the_same_scenario_gives_the_same_bytes() {
    let w = arn_world();
    let a = serde_json::to_string(&render::json(&run_text(LAB).0, &w)).unwrap();
    let b = serde_json::to_string(&render::json(&run_text(LAB).0, &w)).unwrap();
    assert_eq!(a, b);
}

// ---------------------------------------------------------------- invalid files

fn data(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/invalid/scenario").join(file)
}

/// The problems expected from a file, in order: (line, column, part of the message, part of the hint).
type Problems = &'static [(usize, usize, &'static str, &'static str)];

/// Each broken file: the problems expected, in order, as (line, column, message part, hint part).
const INVALID: &[(&str, Problems)] = &[
    (
        "unknown_step_key.yaml",
        &[(3, 5, "step 1: unknown key `wiat-for` in a step", "did you mean `wait-for`?")],
    ),
    (
        "two_actions.yaml",
        &[(
            5,
            11,
            "a step has exactly one of `run`, `wait`, `wait-for`; this one has `run` and `wait`",
            "one step per action",
        )],
    ),
    ("bad_duration.yaml", &[(3, 11, "`wait`: `5 minutes` is not a duration", "30s, 2m, 1h or 1m30s")]),
    ("bad_cidr.yaml", &[(6, 33, "`answers-in`: invalid CIDR block \"10.0.0.0/33\"", "")]),
    (
        "unknown_kind.yaml",
        &[(6, 31, "unknown component kind `load-balancr`: did you mean `load-balancer`?", "")],
    ),
    (
        "unknown_explanation.yaml",
        &[(7, 20, "unknown explanation code `BAD_STAT`: did you mean `BAD_STATE`?", "")],
    ),
    (
        "bad_regex.yaml",
        &[(6, 23, "`Web Server [12` is not a valid regular expression: unclosed character class", "")],
    ),
    ("missing_name.yaml", &[(1, 1, "missing key `name`", "")]),
    ("stack_without_template.yaml", &[(3, 5, "stacks[0]: a stack needs a template", "template-body")]),
    ("yaml_syntax_error.yaml", &[(5, 38, "not valid YAML: ", "")]),
    (
        "bad_substitution_syntax.yaml",
        &[(4, 10, "`${vpce.VpcEndpoint.DnsEntries[x].DnsName}` is not a name followed by", "$${")],
    ),
    ("dig_without_on.yaml", &[(3, 10, "`dig` runs on an instance: add `on: INSTANCE`", "")]),
    (
        "unknown_aws_operation.yaml",
        &[(3, 10, "aws: error: argument operation: Invalid choice, valid choices are: describe-vpcs |", "")],
    ),
    ("timeout_without_wait_for.yaml", &[(4, 14, "`timeout` belongs to a `wait-for` step", "")]),
    ("unknown_curl_option.yaml", &[(4, 10, "`run`: curl: option --bogus: is unknown", "")]),
    (
        "several_problems.yaml",
        &[
            (2, 1, "unknown key `regoin` in the scenario", "did you mean `region`?"),
            (4, 11, "step 1: `wait`: `30` is not a duration", ""),
            (8, 19, "step 2: `answers-in`: invalid CIDR block", ""),
        ],
    ),
];

fn assert_problems(file: &str, err: &FileError, want: &[(usize, usize, &str, &str)]) {
    assert_eq!(err.problems.len(), want.len(), "{file}: {err}");
    for (p, (line, column, message, hint)) in err.problems.iter().zip(want) {
        let shown = p.to_string();
        assert_eq!((p.location.line, p.location.column), (*line, *column), "{file}: {shown}");
        assert!(shown.contains(message), "{file}: {shown}");
        assert!(p.hint.as_deref().unwrap_or_default().contains(hint), "{file}: {shown}");
        assert!(p.file.ends_with(file));
    }
}

#[test]
fn each_broken_scenario_file_is_refused_with_its_line_and_message() {
    for (file, want) in INVALID {
        let err = scenario::load(&data(file)).expect_err(file);
        assert_problems(file, &err, want);
    }
}

/// Files that parse but name things the stacks do not create: refused before any step runs.
const UNRESOLVED: &[(&str, Problems)] = &[
    (
        "unknown_substitution.yaml",
        &[(
            4,
            10,
            "step 1: `${Custom-NBL.DNSName}` in `run`: unknown name `Custom-NBL`",
            "did you mean `Custom-NLB`?",
        )],
    ),
    (
        "save_used_before_defined.yaml",
        &[(3, 10, "`vpce` is saved by step 2, which runs after this one", "saved by the steps before it")],
    ),
    ("unknown_instance.yaml", &[(3, 9, "`on: My-EC3`: unknown name `My-EC3`", "")]),
    (
        "ambiguous_name.yaml",
        &[(
            3,
            15,
            "`Web` names more than one resource: Web1 (i-0002), Web2 (i-0003)",
            "logical id or its AWS id",
        )],
    ),
];

#[test]
fn names_that_resolve_to_no_single_resource_are_refused_before_the_first_step() {
    for (file, want) in UNRESOLVED {
        let scenario = scenario::load(&data(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut fake = Fake::default();
        let err = scenario::run(&scenario, &mut fake).expect_err(file);
        assert_problems(file, &err, want);
        assert!(fake.calls.is_empty() && fake.clock == Duration::ZERO, "{file}: something ran");
    }
}

#[test]
fn commands_run_only_on_instances() {
    let scenario =
        scenario::load_str("o.yaml", "name: o\nsteps:\n  - on: MyVPC\n    run: ping -c 1 10.0.0.5\n")
            .unwrap();
    let err = scenario::run(&scenario, &mut Fake::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "error: o.yaml:3:9: step 1: `on: MyVPC`: `MyVPC` is a AWS::EC2::VPC, not an instance\n  help: commands run on an EC2 instance: its Name tag, logical id or i- id"
    );
}

#[test]
fn a_stack_that_cannot_be_created_stops_the_run() {
    let scenario = scenario::load_str("s.yaml", LAB).unwrap();
    let mut fake = Fake { stacks_fail: true, ..Fake::default() };
    let err = scenario::run(&scenario, &mut fake).unwrap_err();
    assert_eq!(err.to_string(), "error: s.yaml:8:5: Resources.MyVPC: CidrBlock is not a CIDR");
}

#[test]
fn a_template_path_resolves_next_to_the_scenario_file() {
    let text = "name: t\nstacks:\n  - name: lab\n    template: lab.cfn.yaml\nsteps:\n  - wait: 1s\n";
    let s = scenario::load_str("scenarios/seed/lab.yaml", text).unwrap();
    assert_eq!(s.stacks[0].template, scenario::TemplateSource::File("scenarios/seed/lab.cfn.yaml".into()));
    assert_eq!(s.stacks[0].name, "lab");
}

// ---------------------------------------------------------------- no input panics

mod no_panic {
    use proptest::prelude::*;
    use vpcsim::command::{app, aws};
    use vpcsim::scenario::{self, subst::Template};

    const WORDS: &[&str] = &[
        "aws",
        "ec2",
        "elbv2",
        "curl",
        "dig",
        "ping",
        "nc",
        "-",
        "--",
        "-m",
        "-zv",
        "-c",
        "+short",
        "+time=",
        "@",
        "${",
        "}",
        "$${",
        "[0]",
        ".",
        "'",
        "\"",
        "\\",
        "=",
        "--service-id",
        "--targets",
        "Id=i-1,Port=80",
        "http://",
        "https://a:",
        ":99999",
        "µ",
        "10.0.0.300",
        "create-vpc-endpoint",
        "--acceptance-required",
        "--no-private-dns-enabled",
        "--region",
        "--query",
        "-t",
        "AAAA",
        "1.5",
        "-1",
        "0",
    ];

    const LINES: &[&str] = &[
        "name: n",
        "steps:",
        "  - wait: 1m30s",
        "  - on: A",
        "    run: dig x.y",
        "    expect:",
        "      via: [",
        "]",
        "      fails: true",
        "    save: s",
        "  - wait-for: ${s.A[0]} ok",
        "stacks:",
        "  - name: x",
        "    template-body: {}",
        "    timeout: 9h",
        "      answers-in: 1.2.3.4/40",
        "&a [*a, *a]",
        "\t",
        "- ",
        ": :",
        "{",
        "      output-matches: '(('",
        "region: x",
        "seed: 99999999999999999999999",
    ];

    fn soup(from: &'static [&'static str], sep: &'static str) -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(from), 0..14).prop_map(move |w| w.join(sep))
    }

    proptest! {
        #[test]
        fn command_parsers_never_panic(line in prop_oneof![soup(WORDS, " "), soup(WORDS, ""), "\\PC{0,60}"]) {
            let _ = app::parse_line(&line);
            let _ = aws::parse_line(&line);
            let _ = Template::parse(&line);
        }

        #[test]
        fn the_scenario_parser_never_panics(text in prop_oneof![soup(LINES, "\n"), "\\PC{0,120}"]) {
            let _ = scenario::load_str("p.yaml", &text);
        }
    }
}
