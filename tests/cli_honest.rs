//! Honest success at the command line: the built binary never reports success for
//! something that did not happen. Empty substitutions, unbounded waits, invalid input
//! bytes, write errors and hostile text each end in an error that says what and where.

use std::io::Write;
use std::process::{Command, Stdio};

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vpcsim ARGS` in the crate's folder with `input` (any bytes) on standard input.
fn vpcsim_with_bytes(args: &[&str], input: &[u8]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input).expect("stdin takes the input");
    let out = child.wait_with_output().expect("the binary finishes");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn vpcsim(args: &[&str]) -> Ran {
    vpcsim_with_bytes(args, b"")
}

mod shell {
    use super::*;

    #[test]
    fn a_public_ip_that_does_not_exist_is_an_error_and_the_shell_ends_with_exit_0() {
        let ran = vpcsim_with_bytes(
            &["shell", "scenarios/lesson-no-public-ip.yaml"],
            b"${MyEC2.PublicIp}\ncurl http://${MyEC2.PublicIp}/\necho done\n",
        );
        assert_eq!(ran.code, 0, "never 101: {}", ran.stderr);
        assert!(
            ran.stdout
                .contains("vpcsim: line 1: `${MyEC2.PublicIp}` yields nothing: `MyEC2` has no `PublicIp`"),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("vpcsim: line 2: `${MyEC2.PublicIp}` yields nothing"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("curl: (6)"), "curl never ran with an empty host: {}", ran.stdout);
        assert!(ran.stdout.contains("unknown command echo"), "the session went on: {}", ran.stdout);
    }

    #[test]
    fn a_misspelt_instance_after_on_suggests_an_instance_never_a_security_group() {
        let ran = vpcsim_with_bytes(&["shell", "lab"], b"on custom-web-1\n");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let line =
            ran.stdout.lines().find(|l| l.contains("no instance named custom-web-1")).unwrap_or_default();
        assert!(line.ends_with("(did you mean Custom-WEB-1?)"), "{}", ran.stdout);
    }

    #[test]
    fn wait_is_bounded_like_a_scenario_s_naming_max_wait_and_max_total_wait() {
        let week = "wait 24h\n".repeat(7);
        let input = format!("wait 999999h\n{week}wait 1s\nwait-for CustomNLBTG healthy\n");
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("vpcsim: `wait`: `999999h` is longer than the limit of 24h (MAX_WAIT)"),
            "{}",
            ran.stdout
        );
        assert_eq!(ran.stdout.matches("the clock is now").count(), 7, "{}", ran.stdout);
        assert_eq!(ran.stdout.matches("(limit MAX_TOTAL_WAIT)").count(), 2, "{}", ran.stdout);
    }

    #[test]
    fn a_line_longer_than_max_line_bytes_is_skipped_naming_it_and_the_session_goes_on() {
        let long = format!("aws ec2 describe-vpcs --vpc-ids {}\n", "vpc-x ".repeat(20_000));
        let input = format!("help\n{long}describe vpcs\n{}", "x".repeat(200_000));
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let skipped = "longer than 65536 bytes (limit MAX_LINE_BYTES); the line is skipped";
        assert!(ran.stdout.contains(&format!("vpcsim: line 2: {skipped}")), "{}", &ran.stdout[..2000]);
        assert!(
            ran.stdout.contains(&format!("vpcsim: line 4: {skipped}")),
            "a last line with no newline too"
        );
        assert!(ran.stdout.contains("$ describe vpcs\n{"), "the session went on");
        assert!(!ran.stdout.contains("vpc-x vpc-x"), "the long line is neither echoed nor run");
        assert!(
            ran.stdout.len() < 200_000,
            "the output does not hold the long lines: {} bytes",
            ran.stdout.len()
        );
    }

    #[test]
    fn a_query_nested_deeper_than_max_query_operators_is_refused_never_a_stack_overflow() {
        let chains =
            ["a.".repeat(30_000) + "a", "!".repeat(30_000) + "a", "(".repeat(500) + "a" + &")".repeat(500)];
        let mut input: String =
            chains.iter().map(|q| format!("aws ec2 describe-vpcs --query \"{q}\"\n")).collect();
        input.push_str("aws ec2 describe-vpcs --query Vpcs[0].CidrBlock --output text\n");
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "never 134 (a stack overflow): {}", ran.stderr);
        assert_eq!(ran.stdout.matches("more than vpcsim evaluates (100, MAX_QUERY_OPERATORS)").count(), 3);
        assert!(ran.stdout.contains("\n10.0.0.0/16\n"), "the session went on: {}", ran.stdout);
    }

    #[test]
    fn run_instances_beyond_max_instances_is_refused_before_anything_is_launched() {
        let input = "aws ec2 run-instances --image-id ami-12345678 --count 10001 --subnet-id ${MyPublicSN}\n\
                     aws ec2 describe-instances --query 'length(Reservations[].Instances[])'\n";
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("An error occurred (InstanceLimitExceeded) when calling the RunInstances operation: You have requested more instances than your current instance limit of 10000 allows"),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("\n3\n"), "the lab's three, no more: {}", ran.stdout);
    }

    #[test]
    fn a_stack_parameter_given_twice_is_refused_never_one_value_silently_dropped() {
        let input = "aws cloudformation create-stack --stack-name twice --template-body file://scenarios/privatelink-lab.cfn.yaml \
                     --parameters ParameterKey=KeyName,ParameterValue=a ParameterKey=KeyName,ParameterValue=b\n\
                     aws cloudformation describe-stacks --stack-name twice\n";
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("'--parameters': ParameterKey KeyName is given twice"), "{}", ran.stdout);
        assert!(
            ran.stdout.contains("Stack with id twice does not exist"),
            "nothing was created: {}",
            ran.stdout
        );
    }

    #[test]
    fn a_tag_key_given_twice_or_reserved_by_aws_is_refused_never_one_value_silently_dropped() {
        let input = "aws ec2 create-vpc --cidr-block 10.5.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=a,Value=1},{Key=a,Value=2}]'\n\
                     aws ec2 create-vpc --cidr-block 10.6.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=aws:x,Value=1}]'\n\
                     aws elbv2 create-target-group --name t1 --protocol TCP --port 80 --vpc-id ${MyVPC} --tags Key=a,Value=1 Key=a,Value=2\n\
                     aws ec2 describe-vpcs --query 'length(Vpcs)'\n";
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        for says in [
            "(InvalidParameterValue) when calling the CreateVpc operation: Duplicate tag key 'a' specified.",
            "(InvalidParameterValue) when calling the CreateVpc operation: Tag keys starting with 'aws:' are reserved",
            "(DuplicateTagKeys) when calling the CreateTargetGroup operation: Tag key 'a' was specified more than once.",
        ] {
            assert!(ran.stdout.contains(says), "{says}: {}", ran.stdout);
        }
        assert!(ran.stdout.contains("\n2\n"), "the lab's two VPCs, no more: {}", ran.stdout);
    }

    #[test]
    fn a_target_group_name_aws_refuses_is_refused_as_a_load_balancer_s_is() {
        let vpc = "--protocol TCP --port 80 --vpc-id ${MyVPC}";
        let names = ["\"\"", "-web", "web-", "'a b'", &"a".repeat(33)];
        let input: String =
            names.iter().map(|n| format!("aws elbv2 create-target-group --name {n} {vpc}\n")).collect();
        let ran = vpcsim_with_bytes(
            &["shell", "lab"],
            format!("{input}aws elbv2 create-target-group --name web-2 {vpc}\n").as_bytes(),
        );
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let refused = "An error occurred (ValidationError) when calling the CreateTargetGroup operation: Target group name";
        assert_eq!(ran.stdout.matches(refused).count(), names.len(), "{}", ran.stdout);
        assert!(ran.stdout.contains("targetgroup/web-2/"), "a valid name is created: {}", ran.stdout);
    }

    #[test]
    fn a_line_of_invalid_utf8_is_an_error_naming_the_line_and_the_session_goes_on() {
        let ran = vpcsim_with_bytes(&["shell", "lab"], b"help\nwait \xff\xfe 1s\ndescribe vpcs\n");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("vpcsim: line 2: not valid UTF-8 (at byte 6); the line is skipped"),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("$ describe vpcs\n{"), "{}", ran.stdout);
    }
}

mod run {
    use super::*;

    #[test]
    fn a_step_with_an_empty_substitution_fails_at_its_step_even_when_it_expects_failure() {
        let ran = vpcsim(&["run", "tests/data/cli/empty-substitution.yaml"]);
        assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
        assert!(ran.stdout.contains("`${MyEC2.PublicIp}` yields nothing"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("Could not resolve host"), "curl never ran: {}", ran.stdout);
    }
}

mod write_errors {
    use super::*;

    /// Runs `vpcsim ARGS` with standard output (or standard error) on /dev/full.
    fn to_full(args: &[&str], stderr_too: bool) -> (i32, String) {
        let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(full())
            .stderr(if stderr_too { Stdio::from(full()) } else { Stdio::piped() })
            .output()
            .expect("the binary runs");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn every_command_writing_to_a_full_disk_exits_3_naming_standard_output() {
        let commands: [&[&str]; 6] = [
            &["lab"],
            &["run", "scenarios/privatelink-lab.yaml"],
            &["shell", "lab"],
            &["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB:80", "--until", "5"],
            &["describe", "lab"],
            &["graph", "lab"],
        ];
        for args in commands {
            let (code, stderr) = to_full(args, false);
            assert_eq!(code, 3, "{args:?}: {stderr}");
            assert!(
                stderr.contains("vpcsim: cannot write to standard output: No space left on device"),
                "{args:?}: {stderr}"
            );
        }
    }

    #[test]
    fn an_error_that_cannot_be_written_to_standard_error_still_exits_non_zero() {
        let (code, _) = to_full(&["describe", "no-such-file.yaml"], true);
        assert_eq!(code, 3);
    }

    #[test]
    fn graph_o_on_a_full_disk_exits_3_naming_the_file() {
        let ran = vpcsim(&["graph", "lab", "-o", "/dev/full"]);
        assert_eq!(ran.code, 3, "{}", ran.stderr);
        assert!(ran.stderr.contains("cannot write /dev/full"), "{}", ran.stderr);
    }
}

mod trace_destination {
    use super::*;

    #[test]
    fn ipv6_is_refused_as_unmodelled_and_a_signed_zero_or_large_port_is_refused() {
        for to in ["::1", "[::1]:80"] {
            let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", to]);
            assert_eq!(ran.code, 2, "{to}");
            assert!(ran.stderr.contains("vpcsim models IPv4 only"), "{to}: {}", ran.stderr);
        }
        for to in ["1.2.3.4:+80", "1.2.3.4:0", "1.2.3.4:65536"] {
            let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", to]);
            assert_eq!(ran.code, 2, "{to}: {}", ran.stdout);
            assert!(ran.stderr.contains("expected HOST or HOST:PORT"), "{to}: {}", ran.stderr);
        }
    }
}

mod trace_source {
    use super::*;

    #[test]
    fn internet_with_an_empty_address_is_refused_never_read_as_the_default_client() {
        let ran = vpcsim(&["trace", "lab", "--from", "internet:", "--to", "Custom-NLB:80"]);
        assert_eq!(ran.code, 2, "{}", ran.stdout);
        assert!(
            ran.stderr.contains("`internet:`: give the client's public address after `internet:`"),
            "{}",
            ran.stderr
        );
        assert!(!ran.stdout.contains("203.0.113.10"), "{}", ran.stdout);
    }
}

mod host_resolution {
    use super::*;

    /// The address in `(...)` after `marker` on the line that holds it.
    fn address_after(text: &str, marker: &str) -> Option<String> {
        let line = text.lines().find(|l| l.contains(marker))?;
        let rest = &line[line.find(marker)? + marker.len()..];
        let open = rest.find('(')?;
        let close = rest[open..].find(')')?;
        Some(rest[open + 1..open + close].to_string())
    }

    #[test]
    fn the_shell_s_trace_and_ping_resolve_a_host_to_the_same_address() {
        let hosts = ["Custom-WEB-1", "checkip.amazonaws.com", "20.0.0.10"];
        let mut input = String::new();
        for h in hosts {
            input.push_str(&format!("ping -c 1 {h}\ntrace {h}:80\n"));
        }
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        for h in ["checkip.amazonaws.com", "20.0.0.10"] {
            let pinged = address_after(&ran.stdout, &format!("PING {h} "));
            let traced = address_after(&ran.stdout, &format!("-> {h} "));
            assert!(pinged.is_some(), "{h}: {}", ran.stdout);
            assert_eq!(pinged, traced, "{h}");
        }
        // A resource name is trace's extension: ping, like the real one, does not know it.
        let lower = ran.stdout.to_lowercase();
        assert!(lower.contains("ping: custom-web-1: name or service not known"), "{}", ran.stdout);
        assert!(address_after(&ran.stdout, "-> Custom-WEB-1 ").is_some(), "{}", ran.stdout);
    }
}

mod graph_output {
    use super::*;

    #[test]
    fn graph_o_refuses_to_overwrite_its_scenario_or_template_by_any_path() {
        let scratch = tempfile::Builder::new().prefix("vpcsim-graph-o-").tempdir().expect("a scratch folder");
        let dir = scratch.path();
        let root = env!("CARGO_MANIFEST_DIR");
        for f in ["privatelink-lab.yaml", "privatelink-lab.cfn.yaml"] {
            std::fs::copy(format!("{root}/scenarios/{f}"), dir.join(f)).expect("a copy");
        }
        std::fs::hard_link(dir.join("privatelink-lab.cfn.yaml"), dir.join("linked.yaml"))
            .expect("a hard link");
        let scenario = dir.join("privatelink-lab.yaml");
        let before = std::fs::read(dir.join("privatelink-lab.cfn.yaml")).expect("the template");
        let spellings =
            [scenario.clone(), dir.join(".").join("privatelink-lab.cfn.yaml"), dir.join("linked.yaml")];
        for out in &spellings {
            let ran = vpcsim(&["graph", &scenario.display().to_string(), "-o", &out.display().to_string()]);
            assert_eq!(ran.code, 2, "{}: {}", out.display(), ran.stderr);
            assert!(
                ran.stderr.contains("an input of this diagram; refusing to overwrite it"),
                "{}",
                ran.stderr
            );
        }
        assert_eq!(std::fs::read(dir.join("privatelink-lab.cfn.yaml")).expect("the template"), before);
        let fresh = dir.join("lab.dot");
        let ran = vpcsim(&["graph", &scenario.display().to_string(), "-o", &fresh.display().to_string()]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(std::fs::read_to_string(&fresh).expect("the diagram").starts_with("digraph"));
    }
}

mod control_characters {
    use super::*;

    const FILE: &str = "tests/data/cli/control-characters.yaml";

    fn assert_no_raw_controls(what: &str, text: &str) {
        let raw: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n' && *c != '\t').collect();
        assert!(raw.is_empty(), "{what}: raw control characters {raw:?} in {text}");
    }

    #[test]
    fn run_trace_and_the_shell_escape_control_characters_from_the_file() {
        let ran = vpcsim(&["run", FILE]);
        assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
        assert_no_raw_controls("run", &ran.stdout);
        assert!(ran.stdout.contains("── step 1: describe \\x1b[2J them"), "{}", ran.stdout);
        let ran = vpcsim(&["trace", FILE, "--from", "A", "--to", "B:22"]);
        assert_no_raw_controls("trace", &ran.stdout);
        assert!(ran.stdout.contains("a\\x1b[2J\\x1b[Hb\\rc"), "{}", ran.stdout);
        let ran = vpcsim_with_bytes(&["shell", FILE], b"on B\ntrace A:22\ngraph\nnc -z ${A.PrivateIp} 22\n");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert_no_raw_controls("shell", &ran.stdout);
        assert!(ran.stdout.contains("web\\x1b]0;owned\\x07"), "{}", ran.stdout);
    }

    #[test]
    fn json_keeps_the_exact_names_through_json_escapes() {
        let ran = vpcsim(&["run", FILE, "--json"]);
        assert_no_raw_controls("run --json", &ran.stdout);
        let doc: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
        assert_eq!(doc[0]["steps"][0]["title"], "describe \x1b[2J them");
        let printed = doc[0]["steps"][0]["outcome"]["stdout"].as_str().expect("the step's output");
        let inner: serde_json::Value = serde_json::from_str(printed).expect("describe's JSON");
        let names: Vec<&str> = inner["Reservations"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["Instances"][0]["Tags"].as_array().into_iter().flatten())
            .filter_map(|t| t["Value"].as_str())
            .collect();
        assert!(names.contains(&"a\x1b[2J\x1b[Hb\rc"), "{names:?}");
        let ran = vpcsim(&["describe", FILE, "instances"]);
        assert_no_raw_controls("describe", &ran.stdout);
        assert!(ran.stdout.contains("web\\u001b]0;owned\\u0007"), "{}", ran.stdout);
    }
}

mod wait_for {
    use super::*;

    #[test]
    fn the_shell_and_a_scenario_step_wait_for_the_same_state_the_same_time() {
        let lab = vpcsim(&["lab"]);
        let shell = vpcsim_with_bytes(
            &["shell", "lab", "--from-start"],
            b"wait-for Custom-NLB-TG healthy\nwait-for Custom-NLB-TG gone\n",
        );
        let line = "Custom-NLB-TG is healthy after 2m10s\n";
        assert!(lab.stdout.contains(line), "{}", lab.stdout);
        assert!(shell.stdout.contains(line), "{}", shell.stdout);
        assert!(
            shell.stdout.contains("wait-for: "),
            "an unknown state is the backend's error: {}",
            shell.stdout
        );
    }
}

mod templates {
    use super::*;

    /// Writes `text` as `name` in a fresh folder and runs `vpcsim import` on it.
    fn import(name: &str, text: &str) -> Ran {
        let scratch = tempfile::Builder::new().prefix("vpcsim-import-").tempdir().expect("a scratch folder");
        let path = scratch.path().join(name);
        std::fs::write(&path, text).expect("the template is written");
        vpcsim(&["import", &path.display().to_string()])
    }

    fn subnet_in_az(az: &str) -> String {
        format!(
            "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: 10.0.0.0/16}}\n  S:\n    \
             Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref V\n      CidrBlock: 10.0.0.0/24\n      \
             AvailabilityZone: {az}\n"
        )
    }

    #[test]
    fn get_azs_of_a_region_vpcsim_does_not_know_is_refused_never_answered_with_made_up_zones() {
        let ran = import("t.cfn.yaml", &subnet_in_az("!Select [0, !GetAZs mars-1]"));
        assert_eq!(ran.code, 2, "{}{}", ran.stdout, ran.stderr);
        assert!(
            ran.stdout.contains("t.cfn.yaml:10:45: Fn::GetAZs: unknown region `mars-1`"),
            "{}",
            ran.stdout
        );
        assert!(!ran.stdout.contains("mars-1a"), "{}", ran.stdout);
    }

    #[test]
    fn parameter_attributes_cloudformation_refuses_are_refused_at_their_line_never_read_loosely() {
        let vpc = "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n";
        let cases = [
            (
                "P: {Type: String, Default: x, MinLength: -5}",
                "2:44: Parameters.P: MinLength must be a whole number from 0, not `-5`",
            ),
            ("P: {Type: Number, Default: inf}", "2:3: Parameters.P: value `inf` is not a number"),
            ("P: {Type: 'List<Number>', Default: '1,NaN'}", "2:3: Parameters.P: value `NaN` is not a number"),
            (
                "P: {Type: Number, Default: 1, MaxValue: inf}",
                "2:43: Parameters.P: MaxValue must be a number, not `inf`",
            ),
            (
                "P: {Type: String, Default: x, NoEcho: maybe}",
                "2:41: Parameters.P: NoEcho must be true or false, not `maybe`",
            ),
            ("V: {Type: String, Default: x}", "4:3: Resources.V: `V` is both a parameter and a resource"),
        ];
        for (parameter, says) in cases {
            let ran = import("t.cfn.yaml", &format!("Parameters:\n  {parameter}\n{vpc}"));
            assert_eq!(ran.code, 2, "{parameter}: {}", ran.stdout);
            assert!(ran.stderr.contains(&format!("t.cfn.yaml:{says}")), "{parameter}: {}", ran.stderr);
        }
    }

    #[test]
    fn get_azs_of_another_known_region_lists_that_region_s_own_zones() {
        let ran = import("t.cfn.yaml", &subnet_in_az("!Select [3, !GetAZs us-west-2]"));
        assert_eq!(ran.code, 2, "a us-east-1 stack has no subnet there: {}", ran.stdout);
        assert!(ran.stdout.contains("us-west-2d"), "the fourth zone of us-west-2: {}", ran.stdout);
    }
}

mod flags {
    use super::*;

    #[test]
    fn a_flag_that_would_change_nothing_beside_another_is_refused_never_accepted_and_ignored() {
        let lab = "scenarios/privatelink-lab.yaml";
        let explain = ["reach", "lab", "--explain", "My-EC2", "Custom-WEB-1", "tcp:80"];
        let cases: Vec<Vec<&str>> = vec![
            vec!["run", "--json", "--quiet", lab],
            vec!["run", "--json", "--wide", lab],
            vec!["run", "--quiet", "--wide", lab],
            vec!["lab", "--json", "--pause"],
            vec!["lab", "--json", "--wide"],
            vec!["lab", "--list", "--until", "3"],
            vec!["lab", "--list", "--from-start"],
            vec!["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB:80", "--json", "--wide"],
            [&explain[..], &["--port", "443"]].concat(),
            [&explain[..], &["--from", "internet"]].concat(),
            [&explain[..], &["--to", "My-EC2"]].concat(),
        ];
        for args in cases {
            let ran = vpcsim(&args);
            assert_eq!(ran.code, 2, "{args:?}: {}", ran.stdout);
            assert!(ran.stderr.contains("cannot be used with"), "{args:?}: {}", ran.stderr);
            assert!(ran.stdout.is_empty(), "{args:?}: nothing ran: {}", ran.stdout);
        }
    }

    #[test]
    fn a_quota_given_twice_is_refused_naming_it_never_one_value_silently_dropped() {
        let ran = vpcsim(&[
            "run",
            "--quota",
            "routes-per-table=200",
            "--quota",
            "routes-per-table=100",
            "scenarios/privatelink-lab.yaml",
        ]);
        assert_eq!(ran.code, 2, "{}", ran.stdout);
        assert!(ran.stderr.contains("--quota routes-per-table is given twice"), "{}", ran.stderr);
        assert!(ran.stdout.is_empty(), "nothing ran: {}", ran.stdout);
    }
}
