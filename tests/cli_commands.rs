//! The `vpcsim` binary end to end: every command run as a user runs it (the built
//! binary, arguments, standard input), its exit code and its output, with reviewed
//! snapshots in tests/snapshots/. Outputs are deterministic: same seed, same bytes.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vpcsim ARGS` in the crate's folder with `input` on standard input (and no
/// `COLUMNS`: output to a pipe keeps its lines whole).
fn vpcsim_with_input(args: &[&str], input: &str) -> Ran {
    vpcsim_at(args, input, None)
}

/// [`vpcsim_with_input`] with `COLUMNS` set to `columns` when given.
fn vpcsim_at(args: &[&str], input: &str, columns: Option<usize>) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpcsim"));
    match columns {
        Some(n) => cmd.env("COLUMNS", n.to_string()),
        None => cmd.env_remove("COLUMNS"),
    };
    let mut child = cmd
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("stdin takes the input");
    let out = child.wait_with_output().expect("the binary finishes");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn vpcsim(args: &[&str]) -> Ran {
    vpcsim_with_input(args, "")
}

/// Whether `tool` runs here (`tool ARG` exits 0). When it does not, a test that needs it
/// skips with a note, except under `CI=true`, where a missing tool fails the test: CI
/// installs every tool, so a skip there would be a pass that tested nothing.
fn tool_available(tool: &str, arg: &str, install: &str) -> bool {
    let runs = Command::new(tool).arg(arg).output().is_ok_and(|o| o.status.success());
    if !runs {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "`{tool}` is not on PATH and CI=true: this test would pass without testing anything ({install})"
        );
        eprintln!("`{tool}` is not on PATH; skipping ({install})");
    }
    runs
}

fn json(ran: &Ran) -> Value {
    serde_json::from_str(&ran.stdout).unwrap_or_else(|e| panic!("{e}: {}", ran.stdout))
}

/// The lab's steps: 5 is the curl through both internet gateways, 7 creates the endpoint
/// (pending acceptance), 10 waits until it is available.
const IGW_CURL: &str = "5";
const ENDPOINT_PENDING: &str = "7";
const ENDPOINT_AVAILABLE: &str = "10";

/// The regional DNS name of the lab's endpoint after the first `until` steps.
fn endpoint_dns(until: &str) -> String {
    let v = json(&vpcsim(&["describe", "lab", "vpc-endpoints", "--until", until]));
    v["VpcEndpoints"][0]["DnsEntries"][0]["DnsName"].as_str().expect("a DNS name").to_string()
}

mod help {
    use super::*;

    #[test]
    fn the_version_is_the_crates() {
        let ran = vpcsim(&["--version"]);
        assert_eq!((ran.code, ran.stdout.as_str()), (0, concat!("vpcsim ", env!("CARGO_PKG_VERSION"), "\n")));
    }

    #[test]
    fn the_top_level_help_lists_every_command() {
        let ran = vpcsim(&["--help"]);
        assert_eq!(ran.code, 0);
        insta::assert_snapshot!("help", ran.stdout);
    }

    #[test]
    fn every_command_has_help_with_an_example() {
        for cmd in ["lab", "run", "shell", "trace", "describe", "graph", "serve"] {
            let ran = vpcsim(&[cmd, "--help"]);
            assert_eq!(ran.code, 0, "{cmd}");
            assert!(ran.stdout.contains("Example"), "{cmd} --help has no example:\n{}", ran.stdout);
            assert!(ran.stdout.contains(&format!("vpcsim {cmd}")), "{cmd}");
        }
    }

    #[test]
    fn bad_arguments_exit_2_with_clap_s_message() {
        for args in [
            vec!["nonsense"],
            vec!["trace", "lab", "--from", "My-EC2"],
            vec!["trace", "lab", "--from", "My-EC2", "--to", "x", "--protocol", "sctp"],
            vec!["describe", "lab", "nat-gateways"],
            vec!["graph", "lab", "--format", "png"],
            vec!["run"],
        ] {
            let ran = vpcsim(&args);
            assert_eq!(ran.code, 2, "{args:?}");
            assert!(ran.stderr.starts_with("error:"), "{args:?}: {}", ran.stderr);
        }
    }
}

mod lab_and_run {
    use super::*;

    #[test]
    fn the_lab_holds_every_observation() {
        let ran = vpcsim(&["lab", "--until", "end"]);
        assert_eq!(ran.code, 0, "{}", ran.stdout);
        let n = lab_steps();
        assert!(ran.stdout.ends_with(&format!("PASS: {n} of {n} steps passed\n")), "{}", ran.stdout);
        insta::assert_snapshot!("lab", ran.stdout);
    }

    #[test]
    fn the_lab_says_in_words_what_a_rule_allows_and_how_a_target_was_chosen() {
        for columns in [Some(80), None] {
            let out = vpcsim_at(&["lab", "--until", "end"], "", columns).stdout;
            for jargon in ["-1 all", "mod 2", "flow hash 0", "allow -1"] {
                assert!(!out.contains(jargon), "COLUMNS={columns:?}: {jargon:?} is unexplained in:\n{out}");
            }
            let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(words.contains("allows all traffic (protocol -1) to 0.0.0.0/0"), "{out}");
            assert!(words.contains("chosen by flow hash of the connection among 2 healthy targets"), "{out}");
        }
    }

    #[test]
    fn lab_pause_without_a_terminal_prints_the_same_without_waiting() {
        let plain = vpcsim(&["lab"]);
        let paused = vpcsim_with_input(&["lab", "--pause"], "");
        assert_eq!((paused.code, paused.stdout), (0, plain.stdout));
        assert_eq!(paused.stderr, "");
    }

    #[test]
    fn lab_json_is_one_document_with_the_report() {
        let v = json(&vpcsim(&["lab", "--json"]));
        assert_eq!(v[0]["passed"], true);
        assert_eq!(v[0]["steps"].as_array().map(Vec::len), Some(lab_before_clean_up()));
    }

    #[test]
    fn run_exits_0_when_every_expectation_holds() {
        let ran = vpcsim(&["run", "--quiet", "scenarios/privatelink-lab.yaml"]);
        assert_eq!((ran.code, ran.stdout.as_str()), (0, "scenarios/privatelink-lab.yaml: passed\n"));
    }

    #[test]
    fn run_over_the_whole_scenarios_folder_passes_and_skips_the_templates() {
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .expect("scenarios/")
            .map(|e| format!("scenarios/{}", e.expect("an entry").file_name().to_string_lossy()))
            .filter(|f| f.ends_with(".yaml"))
            .collect();
        files.sort();
        let args: Vec<&str> =
            ["run", "--quiet"].into_iter().chain(files.iter().map(String::as_str)).collect();
        let ran = vpcsim(&args);
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        let templates = files.iter().filter(|f| f.ends_with(".cfn.yaml")).count();
        assert_eq!(ran.stdout.lines().filter(|l| l.ends_with(": passed")).count(), files.len() - templates);
        assert_eq!(ran.stderr.matches("a CloudFormation template, not a scenario").count(), templates);
    }

    #[test]
    fn run_with_only_a_template_creates_its_stack_and_needs_its_parameters() {
        let ran = vpcsim(&["run", "scenarios/privatelink-lab.cfn.yaml"]);
        assert_eq!(ran.code, 2);
        assert!(
            ran.stderr.contains(
                "scenarios/privatelink-lab.cfn.yaml:2:3: Parameters.KeyName: parameter `KeyName` has no value and no Default"
            ),
            "{}",
            ran.stderr
        );
        let ran = vpcsim(&[
            "run",
            "--quiet",
            "scenarios/privatelink-lab.cfn.yaml",
            "--parameter",
            "KeyName=lab-key",
        ]);
        assert_eq!(
            (ran.code, ran.stdout.as_str()),
            (0, "scenarios/privatelink-lab.cfn.yaml: passed\n"),
            "{}",
            ran.stderr
        );
    }

    #[test]
    fn run_exits_1_and_says_which_step_failed_why_and_the_path() {
        let ran = vpcsim(&["run", "tests/data/cli/expects-privatelink-too-early.yaml"]);
        assert_eq!(ran.code, 1);
        assert!(ran.stdout.contains("✘ via"), "{}", ran.stdout);
        insta::assert_snapshot!("run_failed", ran.stdout);
    }

    #[test]
    fn run_quiet_prints_only_the_failed_step() {
        let ran = vpcsim(&["run", "--quiet", "tests/data/cli/expects-privatelink-too-early.yaml"]);
        assert_eq!(ran.code, 1);
        assert!(ran
            .stdout
            .starts_with("tests/data/cli/expects-privatelink-too-early.yaml: FAILED\n── step 2:"));
        assert!(!ran.stdout.contains("step 1:"));
    }

    #[test]
    fn run_json_reports_the_failure() {
        let ran = vpcsim(&["run", "--json", "tests/data/cli/expects-privatelink-too-early.yaml"]);
        assert_eq!(ran.code, 1);
        let v = json(&ran);
        assert_eq!(v[0]["passed"], false);
        assert_eq!(v[0]["steps"][1]["status"], "failed");
        assert_eq!(v[0]["steps"][2]["status"], "skipped");
    }

    #[test]
    fn run_exits_2_for_an_invalid_file_naming_file_line_and_column() {
        let ran = vpcsim(&["run", "tests/data/cli/bad-key.yaml"]);
        assert_eq!(ran.code, 2);
        assert!(ran.stderr.contains("tests/data/cli/bad-key.yaml:3:"), "{}", ran.stderr);
        assert!(ran.stderr.contains("did you mean `wait`?"), "{}", ran.stderr);
    }

    #[test]
    fn run_exits_with_the_worst_code_of_its_files() {
        let ran = vpcsim(&[
            "run",
            "--quiet",
            "scenarios/privatelink-lab.yaml",
            "tests/data/cli/expects-privatelink-too-early.yaml",
            "no/such/file.yaml",
        ]);
        assert_eq!(ran.code, 2);
        assert!(ran.stdout.starts_with("scenarios/privatelink-lab.yaml: passed\n"));
        assert!(ran.stderr.contains("no/such/file.yaml"));
    }
}

mod describe {
    use super::*;

    #[test]
    fn each_describe_prints_the_aws_cli_s_top_level_key() {
        for (what, key) in [
            ("vpcs", "Vpcs"),
            ("subnets", "Subnets"),
            ("route-tables", "RouteTables"),
            ("security-groups", "SecurityGroups"),
            ("network-acls", "NetworkAcls"),
            ("instances", "Reservations"),
            ("load-balancers", "LoadBalancers"),
            ("target-health", "TargetHealthDescriptions"),
            ("vpc-endpoints", "VpcEndpoints"),
            ("vpc-endpoint-services", "ServiceConfigurations"),
        ] {
            let ran = vpcsim(&["describe", "lab", what, "--until", ENDPOINT_AVAILABLE]);
            assert_eq!(ran.code, 0, "{what}: {}", ran.stderr);
            let v = json(&ran);
            assert!(!v[key].as_array().expect(key).is_empty(), "{what}");
        }
    }

    #[test]
    fn route_tables_after_the_lab_s_stack_match_the_snapshot() {
        let ran = vpcsim(&["describe", "lab", "route-tables", "--until", IGW_CURL]);
        insta::assert_snapshot!("describe_route_tables", ran.stdout);
    }

    #[test]
    fn without_what_every_document_is_merged() {
        let v = json(&vpcsim(&["describe", "lab", "--until", ENDPOINT_AVAILABLE]));
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "Vpcs",
                "Subnets",
                "RouteTables",
                "SecurityGroups",
                "NetworkAcls",
                "Reservations",
                "LoadBalancers",
                "TargetHealthDescriptions",
                "VpcEndpoints",
                "ServiceConfigurations",
                "EgressOnlyInternetGateways"
            ]
        );
        assert_eq!(v["VpcEndpoints"][0]["State"], "available");
    }

    #[test]
    fn after_every_step_the_lab_s_stack_is_gone() {
        let v = json(&vpcsim(&["describe", "lab", "instances", "--until", "end"]));
        assert_eq!(
            v["Reservations"]
                .as_array()
                .map(|r| r.iter().all(|r| r["Instances"][0]["State"]["Name"] == "terminated")),
            Some(true)
        );
    }

    #[test]
    fn until_past_the_last_step_exits_2() {
        let ran = vpcsim(&["describe", "lab", "--until", "99"]);
        assert_eq!(ran.code, 2);
        assert!(ran.stderr.contains(&format!("has only {} steps", lab_steps())), "{}", ran.stderr);
    }
}

mod trace {
    use super::*;

    #[test]
    fn the_igw_path_is_a_table_forward_and_back() {
        let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB:80", "--until", IGW_CURL]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        insta::assert_snapshot!("trace_igw", ran.stdout);
    }

    #[test]
    fn a_flow_from_the_internet_enters_through_the_gateway_and_returns_to_the_client_i3() {
        let ran =
            vpcsim(&["trace", "lab", "--from", "internet", "--to", "Custom-WEB-1:80", "--until", IGW_CURL]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.starts_with("Trace internet (203.0.113.10) -> Custom-WEB-1"), "{}", ran.stdout);
        assert!(ran.stdout.contains("internet-gateway"), "{}", ran.stdout);
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "internet:198.51.100.7",
            "--to",
            "Custom-WEB-1:22",
            "--until",
            IGW_CURL,
        ]);
        assert!(ran.stdout.contains("198.51.100.7"), "{}", ran.stdout);
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "internet:10.0.0.9",
            "--to",
            "Custom-WEB-1:80",
            "--until",
            IGW_CURL,
        ]);
        assert_eq!(ran.code, 2, "{}", ran.stderr);
    }

    #[test]
    fn a_name_resolves_through_the_instance_s_vpc_dns() {
        let dns = endpoint_dns(ENDPOINT_AVAILABLE);
        let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", &dns, "--until", ENDPOINT_AVAILABLE]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("vpc-endpoint-service"));
        assert!(!ran.stdout.contains("internet-gateway"));
        insta::assert_snapshot!("trace_privatelink", ran.stdout);
    }

    fn components(v: &Value, key: &str) -> Vec<Value> {
        v[key].as_array().unwrap_or_else(|| panic!("{key}")).clone()
    }

    fn of_kind<'a>(components: &'a [Value], prefix: &str) -> Vec<&'a Value> {
        components.iter().filter(|c| c["Component"]["Id"].as_str().unwrap().starts_with(prefix)).collect()
    }

    /// Reachability Analyzer's field names on every component.
    fn assert_ra_shape(components: &[Value]) {
        for (i, c) in components.iter().enumerate() {
            assert_eq!(c["SequenceNumber"], i + 1);
            assert!(c["Component"]["Id"].is_string());
            let header = c.get("InboundHeader").or(c.get("OutboundHeader"));
            if let Some(h) = header {
                for field in [
                    "SourceAddresses",
                    "DestinationAddresses",
                    "SourcePortRanges",
                    "DestinationPortRanges",
                    "Protocol",
                ] {
                    assert!(h.get(field).is_some(), "{field} missing in {h}");
                }
            }
        }
    }

    #[test]
    fn json_before_the_endpoint_shows_the_igw_rewriting_the_source() {
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "My-EC2",
            "--to",
            "Custom-NLB",
            "--until",
            IGW_CURL,
            "--json",
        ]);
        assert_eq!(ran.code, 0);
        let v = json(&ran);
        assert_eq!(v["NetworkPathFound"], true);
        assert_eq!(v["Explanations"], serde_json::json!([]));
        let forward = components(&v, "ForwardPathComponents");
        let back = components(&v, "ReturnPathComponents");
        assert_ra_shape(&forward);
        assert_ra_shape(&back);
        for field in ["SecurityGroupRule", "AclRule", "RouteTableRoute", "ElasticLoadBalancerListener"] {
            assert!(forward.iter().any(|c| c.get(field).is_some()), "no component has {field}");
        }
        let my_igw = of_kind(&forward, "igw-")[0];
        let (inbound, outbound) = (&my_igw["InboundHeader"], &my_igw["OutboundHeader"]);
        let before = inbound["SourceAddresses"][0].as_str().unwrap();
        let after = outbound["SourceAddresses"][0].as_str().unwrap();
        assert!(before.starts_with("10.0.0."), "{before}");
        assert!(!after.starts_with("10."), "the IGW must NAT the source to the public IP: {after}");
        assert_eq!(inbound["DestinationAddresses"], outbound["DestinationAddresses"]);
        assert_eq!(my_igw["Component"]["Name"], "My-IGW");
        assert!(my_igw["Component"]["Arn"].as_str().unwrap().starts_with("arn:aws:ec2:ap-northeast-2:"));
        assert_eq!(of_kind(&forward, "vpce-").len(), 0);
    }

    #[test]
    fn json_after_the_endpoint_goes_through_privatelink_without_an_igw() {
        let dns = endpoint_dns(ENDPOINT_AVAILABLE);
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "My-EC2",
            "--to",
            &dns,
            "--until",
            ENDPOINT_AVAILABLE,
            "--json",
        ]);
        assert_eq!(ran.code, 0);
        let v = json(&ran);
        assert_eq!(v["NetworkPathFound"], true);
        let forward = components(&v, "ForwardPathComponents");
        assert_ra_shape(&forward);
        assert_eq!(of_kind(&forward, "igw-").len(), 0);
        assert!(of_kind(&forward, "vpce-svc-").len() == 1);
        let listener = forward.iter().find(|c| c.get("ElasticLoadBalancerListener").is_some()).unwrap();
        assert_eq!(
            listener["ElasticLoadBalancerListener"],
            serde_json::json!({"LoadBalancerPort": 80, "InstancePort": 80})
        );
        let last = forward.last().unwrap();
        let seen = last["InboundHeader"]["SourceAddresses"][0].as_str().unwrap();
        assert!(seen.starts_with("20.0.0."), "PrivateLink: the target sees the NLB node: {seen}");
    }

    #[test]
    fn a_pending_endpoint_is_not_reachable_exit_1_with_bad_state() {
        let dns = endpoint_dns(ENDPOINT_PENDING);
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "My-EC2",
            "--to",
            &dns,
            "--until",
            ENDPOINT_PENDING,
            "--json",
        ]);
        assert_eq!(ran.code, 1);
        let v = json(&ran);
        assert_eq!(v["NetworkPathFound"], false);
        assert_eq!(v["Explanations"][0]["ExplanationCode"], "BAD_STATE");
        assert!(v["Explanations"][0]["Component"]["Id"].as_str().unwrap().starts_with("vpce-"));
        let text = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", &dns, "--until", ENDPOINT_PENDING]);
        assert_eq!(text.code, 1);
        assert!(text.stdout.contains("NOT REACHABLE: BAD_STATE at vpc-endpoint"), "{}", text.stdout);
    }

    #[test]
    fn icmp_to_the_nlb_is_not_carried() {
        let ran = vpcsim(&[
            "trace",
            "lab",
            "--from",
            "My-EC2",
            "--to",
            "Custom-NLB",
            "--protocol",
            "icmp",
            "--until",
            IGW_CURL,
        ]);
        assert_eq!(ran.code, 1);
        assert!(ran.stdout.contains("icmp"), "{}", ran.stdout);
    }

    #[test]
    fn an_unknown_instance_exits_2_naming_it_and_the_closest_match() {
        let ran = vpcsim(&["trace", "lab", "--from", "My-EC3", "--to", "Custom-NLB", "--until", IGW_CURL]);
        assert_eq!(ran.code, 2);
        assert!(
            ran.stderr.ends_with("\nvpcsim: no instance named My-EC3 (did you mean My-EC2?)\n"),
            "{}",
            ran.stderr
        );
    }

    #[test]
    fn an_unknown_host_exits_2_naming_it_and_the_closest_match() {
        let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", "Custom-NBL:80", "--until", IGW_CURL]);
        assert_eq!(ran.code, 2);
        assert!(ran.stderr.contains("unknown host Custom-NBL"), "{}", ran.stderr);
        assert!(ran.stderr.contains("(did you mean Custom-NLB?)"), "{}", ran.stderr);
    }

    #[test]
    fn a_terminated_source_exits_2_and_says_so() {
        let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", "8.8.8.8", "--until", "end"]);
        assert_eq!(ran.code, 2);
        assert!(ran.stderr.contains("My-EC2 is terminated"), "{}", ran.stderr);
        assert!(ran.stderr.ends_with('\n'), "the message ends its line: {:?}", ran.stderr);
    }

    #[test]
    fn a_bad_port_exits_2() {
        let ran =
            vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB:http", "--until", IGW_CURL]);
        assert_eq!(ran.code, 2);
        assert!(ran.stderr.contains("HOST:PORT"), "{}", ran.stderr);
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let args = ["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB", "--until", IGW_CURL, "--json"];
        assert_eq!(vpcsim(&args).stdout, vpcsim(&args).stdout);
    }
}

mod graph {
    use super::*;

    #[test]
    fn the_lab_before_the_endpoint_as_dot() {
        let ran = vpcsim(&["graph", "lab", "--until", IGW_CURL, "--trace", "My-EC2", "Custom-NLB:80"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        insta::assert_snapshot!("graph_before", ran.stdout);
    }

    #[test]
    fn the_lab_after_the_endpoint_as_dot() {
        let ran = vpcsim(&["graph", "lab", "--until", ENDPOINT_AVAILABLE]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("PrivateLink (available)"));
        insta::assert_snapshot!("graph_after", ran.stdout);
    }

    #[test]
    fn a_blocked_path_is_marked_red_in_mermaid() {
        let dns = endpoint_dns(ENDPOINT_PENDING);
        let ran = vpcsim(&[
            "graph",
            "lab",
            "--until",
            ENDPOINT_PENDING,
            "--trace",
            "My-EC2",
            &dns,
            "--format",
            "mermaid",
        ]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.starts_with(&format!("---\ntitle: \"PrivateLink through an endpoint service (ap-northeast-2, after 7 of {} steps) / traced: My-EC2", lab_steps())));
        assert!(ran.stdout.contains("\nflowchart LR\n"));
        assert!(ran.stdout.contains("blocked: BAD_STATE"));
        insta::assert_snapshot!("graph_blocked_mermaid", ran.stdout);
    }

    /// The traced path's edges of a DOT diagram, forward then return: `from>to label`.
    fn path_edges(dot: &str) -> Vec<String> {
        dot.lines()
            .filter(|l| l.contains("constraint=false"))
            .filter_map(|l| {
                let (ends, attrs) = l.trim().split_once(" [")?;
                let (from, to) = ends.split_once(" -> ")?;
                let label = attrs.split("label=\"").nth(1)?.split('"').next()?;
                Some(format!("{from}>{to} {label}"))
            })
            .collect()
    }

    #[test]
    fn a_nat_gateway_is_drawn_in_its_subnet_and_the_path_passes_it_g1() {
        let ran = vpcsim(&[
            "graph",
            "scenarios/lesson-nat-gateway-egress.yaml",
            "--trace",
            "Private-EC2",
            "checkip.amazonaws.com:80",
        ]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains(r#"nat0 [label="NAT-GW\nnat-"#), "{}", ran.stdout);
        assert_eq!(
            path_edges(&ran.stdout),
            ["i0>nat0 1", "nat0>igw0 2", "igw0>internet 3", "internet>igw0 r1", "igw0>nat0 r2", "nat0>i0 r3"]
        );
    }

    #[test]
    fn a_peering_connection_joins_its_two_vpcs_and_the_path_crosses_it_v1() {
        let ran = vpcsim(&[
            "graph",
            "scenarios/lesson-peering-not-transitive.yaml",
            "--until",
            "1",
            "--trace",
            "client",
            "10.0.1.10:80",
        ]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let dot = &ran.stdout;
        assert!(dot.contains(r#"pcx0 [label="a-to-hub\npcx-"#), "{dot}");
        assert!(dot.contains(r#"\nspoke-a <-> hub\nactive", shape=hexagon"#), "{dot}");
        assert!(
            dot.contains("pcx0 -> i0 [dir=none, style=bold, color=\"#8a5cc2\", lhead=cluster_vpc0];"),
            "{dot}"
        );
        assert!(
            dot.contains("pcx0 -> i1 [dir=none, style=bold, color=\"#8a5cc2\", lhead=cluster_vpc1];"),
            "{dot}"
        );
        assert_eq!(path_edges(dot), ["i0>pcx0 1", "pcx0>i1 2", "i1>pcx0 r1", "pcx0>i0 r2"]);
        let mermaid =
            vpcsim(&["graph", "scenarios/lesson-peering-not-transitive.yaml", "--format", "mermaid"]);
        assert!(mermaid.stdout.contains("\n  pcx0 === vpc0\n  pcx0 === vpc1\n"), "{}", mermaid.stdout);
    }

    #[test]
    fn a_gateway_endpoint_is_drawn_in_its_vpc_and_s3_traffic_passes_it_e1() {
        let ran = vpcsim(&[
            "graph",
            "scenarios/lesson-s3-gateway-endpoint.yaml",
            "--until",
            "end",
            "--trace",
            "worker",
            "s3.ap-northeast-2.amazonaws.com:443",
        ]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains(r#"gwe0 [label="gateway endpoint (s3)\nvpce-"#), "{}", ran.stdout);
        assert_eq!(
            path_edges(&ran.stdout),
            ["i1>gwe0 1", "gwe0>internet 2", "internet>gwe0 r1", "gwe0>i1 r2"]
        );
    }

    #[test]
    fn a_blocked_path_is_marked_red_inside_its_box_in_dot() {
        let dns = endpoint_dns(ENDPOINT_PENDING);
        let ran = vpcsim(&["graph", "lab", "--until", ENDPOINT_PENDING, "--trace", "My-EC2", &dns]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("\\nblocked: BAD_STATE\", shape=box, style=\"rounded,filled,bold\""));
        insta::assert_snapshot!("graph_blocked_dot", ran.stdout);
    }

    #[test]
    fn graphviz_accepts_the_lab_s_dot() {
        if !tool_available("dot", "-V", "apt-get install graphviz") {
            return;
        }
        for until in [IGW_CURL, ENDPOINT_AVAILABLE] {
            let ran = vpcsim(&["graph", "lab", "--until", until, "--trace", "My-EC2", "Custom-WEB-1:80"]);
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(ran.stdout.as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "dot rejected it: {}", String::from_utf8_lossy(&out.stderr));
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        }
    }

    #[test]
    fn svg_is_written_to_a_file_with_o() {
        if !tool_available("dot", "-V", "apt-get install graphviz") {
            return;
        }
        let path = std::env::temp_dir().join(format!("vpcsim-cli-test-{}.svg", std::process::id()));
        let ran =
            vpcsim(&["graph", "lab", "--until", IGW_CURL, "--format", "svg", "-o", path.to_str().unwrap()]);
        assert_eq!((ran.code, ran.stdout.as_str()), (0, ""));
        let svg = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(svg.contains("<svg") && svg.contains("MyVPC"));
    }

    #[test]
    fn svg_without_graphviz_says_how_to_install_it() {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpcsim"));
        cmd.args(["graph", "lab", "--until", "0", "--format", "svg"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", "");
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("apt-get install graphviz"));
    }
}

mod shell {
    use super::*;

    #[test]
    fn help_answers_for_every_command_and_for_aws_operations() {
        let commands = [
            "on", "dig", "curl", "ping", "nc", "aws", "wait", "wait-for", "trace", "describe", "graph",
            "save", "help", "exit",
        ];
        let input: String = commands.iter().map(|c| format!("help {c}\n{c} --help\n")).collect();
        let ran = vpcsim_with_input(&["shell"], &input);
        assert!(!ran.stdout.contains("help: no command"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("unknown command"), "{}", ran.stdout);
        let aws = vpcsim_with_input(&["shell"], "aws ec2 help\naws ec2 create-vpc-endpoint help\naws help\n");
        assert!(aws.stdout.contains("aws ec2 operations:\n"), "{}", aws.stdout);
        assert!(aws.stdout.contains("  create-vpc-endpoint\n"), "{}", aws.stdout);
        assert!(aws.stdout.contains("aws ec2 create-vpc-endpoint flags:\n"), "{}", aws.stdout);
        assert!(aws.stdout.contains("  --service-name (required)\n"), "{}", aws.stdout);
    }

    #[test]
    fn a_redirect_writes_the_output_to_a_file_and_a_pipe_is_refused() {
        let dir = std::env::temp_dir().join(format!("vpcsim-redirect-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("vpcs.json");
        let input = format!("describe vpcs > {}\ndescribe vpcs | jq .\n", file.display());
        let ran = vpcsim_with_input(&["shell"], &input);
        let written = std::fs::read_to_string(&file).expect("the redirect wrote the file");
        assert!(written.starts_with("{\n    \"Vpcs\""), "{written}");
        assert!(!ran.stdout.contains("\"Vpcs\""), "the output went to the file: {}", ran.stdout);
        assert!(ran.stdout.contains("`|` is not supported in the shell"), "{}", ran.stdout);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn save_keeps_the_last_aws_output_for_substitution_and_trace_takes_json() {
        let input = "aws ec2 describe-vpc-endpoints\nsave eps\naws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${eps.VpcEndpoints[0].VpcEndpointId}\ntrace ${eps.VpcEndpoints[0].DnsEntries[0].DnsName} --json\n";
        let ran = vpcsim_with_input(&["shell"], input);
        assert!(ran.stdout.contains("saved as eps"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("vpcsim: line"), "every substitution resolved: {}", ran.stdout);
        assert!(ran.stdout.contains("\"NetworkPathFound\": true"), "{}", ran.stdout);
    }

    #[test]
    fn the_shell_opens_the_same_world_as_the_lab_same_ids() {
        let shell = vpcsim_with_input(&["shell", "lab"], "on Custom-WEB-1\non My-EC2\n");
        let lab = vpcsim(&["lab"]);
        for name in ["Custom-WEB-1", "My-EC2"] {
            let line = shell
                .stdout
                .lines()
                .find(|l| l.starts_with(&format!("now on {name} (")))
                .expect("on answers");
            let id = line.split(['(', ',']).nth(1).expect("an id");
            assert!(
                id.starts_with("i-") && lab.stdout.contains(id),
                "{name} is {id} in the shell, not in the lab"
            );
        }
    }

    const SESSION: &str = "\
help
dig +short ${CustomNLB.DNSName}
curl --connect-timeout 3 http://${CustomNLB.DNSName}/
wait-for CustomNLBTG healthy
curl http://${CustomNLB.DNSName}/
trace Custom-WEB-1:80
on Custom-WEB-9
on Custom-WEB-1
ping -c 1 Custom-WEB-2
nc -z -w 1 ${MyEC2.PrivateIp} 22
aws elbv2 describe-target-health --target-group-arn ${CustomNLBTG}
aws ec2 describe-vpcs --vpc-ids vpc-0
frobnicate
wait 30s
describe vpcz
graph mermaid Custom-NLB:80
exit
echo never
";

    #[test]
    fn a_session_driven_through_stdin_matches_the_snapshot() {
        let ran = vpcsim_with_input(&["shell", "lab"], SESSION);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(!ran.stdout.contains("echo never"), "exit ends the session");
        insta::assert_snapshot!("shell_session", ran.stdout);
    }

    #[test]
    fn errors_never_end_the_session() {
        let ran = vpcsim_with_input(
            &["shell"],
            "frobnicate\non nobody\naws ec2 frob\ncurl\ntrace\nwait soon\ndescribe vpcs\n",
        );
        assert_eq!(ran.code, 0);
        assert!(ran.stdout.contains("My-EC2$ describe vpcs\n{\n    \"Vpcs\""), "{}", ran.stdout);
    }

    #[test]
    fn until_applies_the_first_steps_before_the_prompt() {
        let ran = vpcsim_with_input(
            &["shell", "scenarios/privatelink-lab.yaml", "--until", ENDPOINT_AVAILABLE],
            "describe vpc-endpoints\n",
        );
        assert!(
            ran.stdout.starts_with(&format!(
                "vpcsim shell: scenarios/privatelink-lab.yaml after 10 of {} steps (--until 10)\n",
                lab_steps()
            )),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("\"State\": \"available\""));
    }

    #[test]
    fn an_invalid_file_exits_2_before_the_prompt() {
        let ran = vpcsim(&["shell", "tests/data/cli/bad-key.yaml"]);
        assert_eq!(ran.code, 2);
        assert!(ran.stdout.is_empty());
    }
}

/// The commands on a terminal: `script` (util-linux) gives them a pseudo-terminal.
mod terminal {
    use super::*;

    /// Runs `vpcsim ARGS` on a pseudo-terminal with `input` typed; everything it shows, or
    /// `None` when `script` is not available here.
    fn on_terminal(args: &str, input: &str, no_color: bool) -> Option<String> {
        on_terminal_with(args, input, no_color, &[])
    }

    /// [`on_terminal`] with more environment variables.
    fn on_terminal_with(args: &str, input: &str, no_color: bool, env: &[(&str, &str)]) -> Option<String> {
        if !tool_available("script", "--version", "apt-get install bsdutils")
            || !tool_available("timeout", "--version", "apt-get install coreutils")
        {
            return None;
        }
        let line = format!("stty cols 80 rows 24; {} {args}", env!("CARGO_BIN_EXE_vpcsim"));
        let mut cmd = Command::new("timeout");
        cmd.args(["60", "script", "-qec", &line, "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TERM", "xterm")
            .env_remove("COLUMNS")
            .env_remove("NO_COLOR")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        cmd.envs(env.iter().copied());
        let mut child = cmd.spawn().ok()?;
        child.stdin.take()?.write_all(input.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn the_shell_completes_names_with_tab_on_a_terminal() {
        let Some(screen) = on_terminal("shell", "on My-E\t\nexit\n", false) else { return };
        assert!(screen.contains("now on My-EC2 ("), "{screen}");
    }

    /// What a learner sees in the shell at 80 columns: tab completes a name curl can resolve,
    /// and the history is kept under XDG_DATA_HOME.
    #[test]
    fn the_shell_at_80_columns_completes_hosts_curl_resolves_and_keeps_its_history() {
        let data = std::env::temp_dir().join(format!("vpcsim-history-{}", std::process::id()));
        let data_str = data.to_str().expect("a UTF-8 path").to_string();
        let input = "curl http://Cus\t\nexit\n";
        let Some(screen) = on_terminal_with("shell", input, true, &[("XDG_DATA_HOME", &data_str)]) else {
            return;
        };
        assert!(screen.contains("CloudNeta Web Server"), "tab completed the NLB's DNS name: {screen}");
        assert!(screen.contains("My-EC2$ "), "{screen}");
        let history = std::fs::read_to_string(data.join("vpcsim/history")).expect("the history file");
        assert!(history.starts_with("curl http://Custom-NLB-"), "the completed line is kept: {history}");
        std::fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn tables_are_coloured_on_a_terminal_unless_no_color_is_set() {
        let args = "trace lab --from My-EC2 --to Custom-NLB --until 4";
        let Some(coloured) = on_terminal(args, "", false) else { return };
        assert!(coloured.contains("\x1b[32mREACHABLE:\x1b[0m"), "{coloured}");
        let plain = on_terminal(args, "", true).unwrap();
        assert!(plain.contains("REACHABLE:") && !plain.contains('\x1b'), "{plain}");
    }

    #[test]
    fn lab_pause_waits_for_enter_between_steps_on_a_terminal() {
        let Some(screen) = on_terminal("lab --pause", &"\n".repeat(30), false) else { return };
        let n = lab_before_clean_up();
        assert_eq!(screen.matches("-- Enter: next step, b: back, q: quit --").count(), n, "{screen}");
        assert!(screen.contains(&format!("PASS: {n} of {n} steps passed")));
    }

    /// What a learner sees at 80 columns: Enter twice (steps 1 and 2), `b` (step 1 again), `q`.
    #[test]
    fn lab_pause_at_80_columns_goes_back_with_b_and_quits_with_q_in_lines_that_fit() {
        let Some(screen) = on_terminal("lab --pause", "\n\nb\nq\n", true) else { return };
        let first = default_state_line("privatelink-lab.yaml").replace('\n', "\r\nScenario: ");
        assert!(screen.contains(&first), "the state comes first: {screen}");
        assert_eq!(screen.matches("── step 1: ").count(), 2, "b shows step 1 again: {screen}");
        assert_eq!(screen.matches("── step 2: ").count(), 1, "{screen}");
        assert!(!screen.contains("── step 3: "), "q stops: {screen}");
        assert!(!screen.contains("PASS:"), "{screen}");
        assert!(screen.contains("Walkthrough step 1."), "the step's description is shown: {screen}");
        // The input is typed before the lab reads it, so the terminal echoes it early and the
        // prompt has no Enter after it on this screen; a learner's Enter ends the prompt's line.
        let prompt = "-- Enter: next step, b: back, q: quit --";
        let screen = screen.replace(prompt, &format!("{prompt}\n"));
        let wide: Vec<&str> =
            screen.lines().filter(|l| l.trim_end_matches('\r').chars().count() > 80).collect();
        assert!(wide.is_empty(), "lines wider than 80 columns: {wide:#?}");
    }

    /// The NAT-instance lab on an 80-column terminal: every line of every step fits.
    #[test]
    fn the_nat_instance_lab_on_an_80_column_terminal_prints_lines_that_fit() {
        let Some(screen) = on_terminal("lab nat-instance --until end", "", true) else { return };
        assert!(screen.contains("PASS: "), "{screen}");
        assert!(screen.contains("── step 5: "), "{screen}");
        let wide: Vec<&str> =
            screen.lines().filter(|l| l.trim_end_matches('\r').chars().count() > 80).collect();
        assert!(wide.is_empty(), "lines wider than 80 columns: {wide:#?}");
    }
}

/// The lab scenario (read from the file, so adding a step keeps these tests true).
fn lab_scenario() -> vpcsim::scenario::Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/privatelink-lab.yaml");
    vpcsim::scenario::load(&path).expect("the lab scenario loads")
}

/// How many steps the lab scenario has.
fn lab_steps() -> usize {
    lab_scenario().steps.len()
}

/// How many steps come before the lab's clean-up (the default state of every command).
fn lab_before_clean_up() -> usize {
    lab_scenario().clean_up_starts().expect("the lab cleans up")
}

/// The first line every command prints about the lab's default state.
fn default_state_line(file: &str) -> String {
    format!(
        "{file} after {} of {} steps (before clean-up; --until end for all)\n",
        lab_before_clean_up(),
        lab_steps()
    )
}

/// The lessons and the glossary of explanation codes.
mod lessons {
    use super::*;

    /// Every scenario file in scenarios/ (not the CloudFormation templates beside them).
    fn scenario_files() -> Vec<String> {
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
            .expect("scenarios/")
            .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".yaml") && !f.ends_with(".cfn.yaml"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn lessons_lists_every_lab_and_lesson_with_its_title_and_how_to_run_it() {
        let ran = vpcsim(&["lessons"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran
            .stdout
            .contains("\n  PrivateLink through an endpoint service\n      vpcsim lab --pause\n"));
        for file in scenario_files().iter().filter(|f| *f != "privatelink-lab.yaml") {
            let s = vpcsim::scenario::load(&std::path::Path::new("scenarios").join(file)).expect("it loads");
            let run = match vpcsim::labs::by_file(file) {
                Some(lab) => format!("vpcsim lab {} --pause", lab.name),
                None => format!("vpcsim run {}", file.strip_suffix(".yaml").expect("a .yaml file")),
            };
            let entry = format!("\n  {}\n      {run}\n", s.name);
            assert!(ran.stdout.contains(&entry), "{file} is not listed:\n{}", ran.stdout);
        }
    }

    #[test]
    fn a_lesson_runs_by_name_from_a_folder_without_scenarios_as_after_cargo_install() {
        let dir = std::env::temp_dir().join(format!("vpcsim-no-checkout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp folder");
        let run = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_vpcsim"))
                .args(args)
                .current_dir(&dir)
                .env_remove("COLUMNS")
                .output()
                .expect("the binary runs")
        };
        assert!(!dir.join("scenarios").exists());
        let out = run(&["run", "lesson-nat-gateway-egress"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            stdout.starts_with(
                "Scenario: NAT gateway egress, and why the internet cannot come back in (lesson-nat-gateway-egress.yaml)\n"
            ),
            "{stdout}"
        );
        assert!(stdout.contains("aws cloudformation create-stack --stack-name nat-gateway-lab"), "{stdout}");
        assert!(stdout.ends_with("PASS: 9 of 9 steps passed\n"), "{stdout}");
        let described = run(&["describe", "lesson-nat-gateway-egress.yaml", "vpcs"]);
        assert_eq!(described.status.code(), Some(0), "{}", String::from_utf8_lossy(&described.stderr));
        assert!(String::from_utf8_lossy(&described.stdout).contains("\"CidrBlock\": \"10.40.0.0/16\""));
        let unknown = run(&["run", "lesson-nat-gateway"]);
        assert_eq!(unknown.status.code(), Some(2), "a name that is neither a file nor built in");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_lab_and_lesson_has_a_narrative_a_description_and_one_for_each_named_step() {
        for file in scenario_files() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(&file);
            let s = vpcsim::scenario::load(&path).expect("it loads");
            assert!(s.description.is_some(), "{file} has no description");
            for (i, step) in s.steps.iter().enumerate() {
                if let Some(name) = &step.name {
                    assert!(step.description.is_some(), "{file}: step {} ({name}) has no description", i + 1);
                }
            }
        }
    }

    #[test]
    fn explain_prints_the_glossary_s_paragraph_in_any_case() {
        let ran = vpcsim(&["explain", "bad_state"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.starts_with("BAD_STATE\n\n"), "{}", ran.stdout);
        assert!(ran.stdout.lines().all(|l| l.chars().count() <= 80), "{}", ran.stdout);
        let unknown = vpcsim(&["explain", "BAD_STAT"]);
        assert_eq!(unknown.code, 2);
        assert!(unknown.stderr.contains("(did you mean BAD_STATE?)"), "{}", unknown.stderr);
    }

    #[test]
    fn the_first_blocked_flow_of_a_run_is_explained_once() {
        let ran = vpcsim(&["run", "scenarios/lesson-nacl-return-traffic.yaml"]);
        assert_eq!(ran.code, 0, "{}", ran.stdout);
        assert_eq!(ran.stdout.matches("\n  why: ").count(), 1, "{}", ran.stdout);
        assert!(
            ran.stdout.contains("(vpcsim explain SUBNET_ACL_RESTRICTION says this again)"),
            "{}",
            ran.stdout
        );
    }
}

/// Output that fits: at `COLUMNS=80` paths are one hop a line and no line is wider.
mod narrow {
    use super::*;

    /// The lines of `text` wider than `width` characters.
    fn too_wide(text: &str, width: usize) -> Vec<&str> {
        text.lines().filter(|l| l.chars().count() > width).collect()
    }

    #[test]
    fn nothing_the_lab_prints_at_80_columns_is_wider_than_80() {
        for until in ["end", "3"] {
            let ran = vpcsim_at(&["lab", "--until", until], "", Some(80));
            assert_eq!(ran.code, 0, "{}", ran.stdout);
            assert_eq!(too_wide(&ran.stdout, 80), Vec::<&str>::new());
            assert_eq!(too_wide(&ran.stderr, 80), Vec::<&str>::new());
        }
        let wide = vpcsim(&["lab"]);
        assert!(!too_wide(&wide.stdout, 200).is_empty(), "a pipe without COLUMNS keeps the wide tables");
    }

    #[test]
    fn the_lab_at_80_columns_shows_one_hop_a_line_with_names_and_short_ids() {
        let ran = vpcsim_at(&["lab"], "", Some(80));
        assert!(ran.stdout.contains("\n   12  load-balancer-listener Custom-NLB ("), "{}", ran.stdout);
        assert!(ran.stdout.contains("\n    6  internet-gateway My-IGW (igw-"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("arn:aws:"), "ARNs are shortened: {}", ran.stdout);
        assert!(ran.stdout.contains("  the destination saw: 20.0.0."), "the address a target saw is printed");
    }

    #[test]
    fn nothing_trace_prints_at_80_columns_is_wider_and_wide_keeps_the_table() {
        let dns = endpoint_dns(ENDPOINT_AVAILABLE);
        for to in ["Custom-NLB", dns.as_str()] {
            let ran = vpcsim_at(&["trace", "lab", "--from", "My-EC2", "--to", to], "", Some(80));
            assert_eq!(ran.code, 0, "{}", ran.stderr);
            assert_eq!(too_wide(&ran.stdout, 80), Vec::<&str>::new());
            assert!(ran.stdout.contains("\nForward path\n  1  instance My-EC2 (i-"), "{}", ran.stdout);
        }
        let wide =
            vpcsim_at(&["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB", "--wide"], "", Some(80));
        assert!(wide.stdout.contains(" loadbalancer/net/Custom-NLB/"), "whole ids: {}", wide.stdout);
        assert!(wide.stdout.contains("MATCHED"), "{}", wide.stdout);
    }
}

/// One default state for every command that takes a scenario: the stacks, then every step
/// before the first that deletes or terminates anything, said on the first line.
mod default_state {
    use super::*;

    #[test]
    fn trace_uses_the_world_before_clean_up_and_says_so_on_its_first_line() {
        let dns = endpoint_dns(ENDPOINT_AVAILABLE);
        let ran = vpcsim(&["trace", "scenarios/privatelink-lab.yaml", "--from", "My-EC2", "--to", &dns]);
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        assert_eq!(ran.stderr, default_state_line("scenarios/privatelink-lab.yaml"));
        assert!(ran.stdout.contains("REACHABLE"), "{}", ran.stdout);
    }

    #[test]
    fn describe_shows_the_available_endpoint_by_default_and_nothing_from_the_start() {
        let ran = vpcsim(&["describe", "lab", "vpc-endpoints"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert_eq!(ran.stderr, default_state_line("privatelink-lab.yaml"));
        assert_eq!(json(&ran)["VpcEndpoints"][0]["State"], "available");
        let start = vpcsim(&["describe", "lab", "vpc-endpoints", "--from-start"]);
        assert_eq!(json(&start)["VpcEndpoints"].as_array().map(Vec::len), Some(0));
        assert!(start.stderr.starts_with("privatelink-lab.yaml after 0 of "), "{}", start.stderr);
    }

    #[test]
    fn until_takes_a_step_s_name_and_counts_positions() {
        let named = vpcsim(&[
            "describe",
            "lab",
            "vpc-endpoints",
            "--until",
            "create the interface endpoint in My-Public-SN with WebSG",
        ]);
        assert_eq!(named.code, 0, "{}", named.stderr);
        assert_eq!(json(&named)["VpcEndpoints"][0]["State"], "pendingAcceptance");
        let counted = vpcsim(&["describe", "lab", "vpc-endpoints", "--until", ENDPOINT_PENDING]);
        assert_eq!(named.stdout, counted.stdout, "the named step is step {ENDPOINT_PENDING}");
        let unknown = vpcsim(&["describe", "lab", "--until", "the zonal name answers"]);
        assert_eq!(unknown.code, 2);
        assert!(
            unknown.stderr.contains("did you mean \"the zonal name answers the same subnet\"?"),
            "{}",
            unknown.stderr
        );
    }

    #[test]
    fn graph_draws_the_world_before_clean_up() {
        let ran = vpcsim(&["graph", "lab"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert_eq!(ran.stderr, default_state_line("privatelink-lab.yaml"));
        for drawn in ["MyVPC", "CustomVPC", "Custom-NLB", "vpce-"] {
            assert!(ran.stdout.contains(drawn), "{drawn} is not drawn:\n{}", ran.stdout);
        }
        assert!(ran.stdout.contains(&format!("after {} of {} steps", lab_before_clean_up(), lab_steps())));
    }

    #[test]
    fn the_shell_opens_the_world_before_clean_up_with_its_saved_outputs() {
        let ran = vpcsim_with_input(
            &["shell", "lab"],
            "aws ec2 describe-vpc-endpoints --vpc-endpoint-ids ${vpce.VpcEndpoint.VpcEndpointId}\n",
        );
        assert!(
            ran.stdout.starts_with(&format!("vpcsim shell: {}", default_state_line("privatelink-lab.yaml"))),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("\"State\": \"available\""), "{}", ran.stdout);
    }

    #[test]
    fn the_lab_stops_before_clean_up_and_says_how_to_run_the_rest() {
        let ran = vpcsim(&["lab"]);
        assert_eq!(ran.code, 0, "{}", ran.stdout);
        let (n, total) = (lab_before_clean_up(), lab_steps());
        assert!(ran.stdout.starts_with(&default_state_line("privatelink-lab.yaml")), "{}", ran.stdout);
        assert!(ran.stdout.ends_with(&format!(
            "PASS: {n} of {n} steps passed\n{} more steps (clean-up): vpcsim lab --until end\n",
            total - n
        )));
        let three = vpcsim(&["lab", "--until", "3"]);
        assert!(three.stdout.starts_with("privatelink-lab.yaml after 3 of "), "{}", three.stdout);
        assert!(three.stdout.contains("PASS: 3 of 3 steps passed"));
    }
}

mod quotas {
    use super::*;

    /// A scenario whose stack holds a security group with `rules` inbound rules, in a
    /// folder removed when the returned guard drops.
    fn many_rules(rules: u16) -> (tempfile::TempDir, std::path::PathBuf) {
        let mut t = String::from("Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: many\n      VpcId: !Ref Vpc\n      SecurityGroupIngress:\n");
        for p in 0..rules {
            t.push_str(&format!(
                "        - {{IpProtocol: tcp, FromPort: {}, ToPort: {}, CidrIp: 0.0.0.0/0}}\n",
                1000 + p,
                1000 + p
            ));
        }
        let dir = tempfile::Builder::new()
            .prefix(&format!("vpcsim-quota-{rules}-"))
            .tempdir()
            .expect("a temporary folder");
        std::fs::write(dir.path().join("many.cfn.yaml"), t).expect("the template is written");
        let scenario =
            "name: many rules\nstacks:\n  - name: s\n    template: many.cfn.yaml\nsteps:\n  - wait: 1s\n";
        std::fs::write(dir.path().join("many.yaml"), scenario).expect("the scenario is written");
        let file = dir.path().join("many.yaml");
        (dir, file)
    }

    #[test]
    fn a_61st_rule_is_refused_until_the_quota_is_raised() {
        let (_dir, file) = many_rules(61);
        let path = file.to_str().expect("UTF-8 path");
        let refused = vpcsim(&["run", "--quiet", path]);
        assert_eq!(refused.code, 2, "{}", refused.stderr);
        assert!(refused.stderr.contains("RulesPerSecurityGroupLimitExceeded"), "{}", refused.stderr);
        let raised = vpcsim(&["run", "--quiet", "--quota", "rules-per-group=100", path]);
        assert_eq!(raised.code, 0, "{}", raised.stderr);
    }

    #[test]
    fn a_quota_above_its_maximum_or_unknown_is_an_argument_error() {
        let above = vpcsim(&["run", "--quota", "groups-per-interface=17", "scenarios/privatelink-lab.yaml"]);
        assert_eq!(above.code, 2);
        assert!(above.stderr.contains("above the maximum of 16"), "{}", above.stderr);
        let unknown = vpcsim(&["run", "--quota", "bogus=1", "scenarios/privatelink-lab.yaml"]);
        assert_eq!(unknown.code, 2);
        assert!(
            unknown.stderr.contains("unknown quota") && unknown.stderr.contains("routes-per-table"),
            "{}",
            unknown.stderr
        );
    }
}

mod warnings {
    use super::*;

    #[test]
    fn a_resource_type_outside_networking_is_skipped_with_a_warning_naming_it() {
        let ran = vpcsim(&["run", "--quiet", "scenarios/two-tier-internal-nlb.yaml"]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stderr.contains("warning: scenarios/two-tier-internal-nlb.cfn.yaml:")
                && ran.stderr.contains("Resources.AuditBucket")
                && ran.stderr.contains("AWS::S3::Bucket"),
            "{}",
            ran.stderr
        );
    }
}
