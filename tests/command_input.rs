//! Command input: the lines of scenario steps and of the shell (`aws`, `dig`, `curl`,
//! `ping`, `nc`) refuse unknown flags, missing values and malformed addresses with the
//! real tool's words and exit code, and no sequence of words reaches a panic, neither
//! while parsing nor when the parsed command runs on the seed lab.

use proptest::prelude::*;
use vpcsim::command::{app, aws};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::scenario::Backend;
use vpcsim::session::Session;

/// The tool's complaint about a line (exit code and stderr), which must fail.
fn app_error(line: &str) -> (i32, String) {
    let e = app::parse_line(line).expect_err(line);
    (e.exit_code, e.message)
}

fn aws_error(line: &str) -> (i32, String) {
    let e = aws::parse_line(line).expect_err(line);
    (e.exit_code(), e.to_string())
}

#[test]
fn curl_refuses_unknown_options_missing_values_and_bad_urls_as_curl_does() {
    let try_help = "curl: try 'curl --help' or 'curl --manual' for more information";
    assert_eq!(app_error("curl -Z http://x/"), (2, format!("curl: option -Z: is unknown\n{try_help}")));
    assert_eq!(app_error("curl --bogus x"), (2, format!("curl: option --bogus: is unknown\n{try_help}")));
    let missing = (2, format!("curl: option --connect-timeout: requires parameter\n{try_help}"));
    assert_eq!(app_error("curl http://x/ --connect-timeout"), missing);
    assert_eq!(app_error("curl"), (2, format!("curl: no URL specified!\n{try_help}")));
    let bad = (3, "curl: (3) URL using bad/illegal format or missing URL".to_string());
    for url in ["http://x:99999/", "http:///", "http://[::1/", "http://a@b/", "http://x:0/"] {
        assert_eq!(app_error(&format!("curl {url}")), bad, "{url}");
    }
    assert_eq!(app_error("curl ftp://x/"), (1, "curl: (1) Protocol \"ftp\" not supported".to_string()));
    let unresolved = app_error("curl http://10.0.0.300/");
    assert_eq!(unresolved, (6, "curl: (6) Could not resolve host: 10.0.0.300".to_string()));
}

#[test]
fn dig_refuses_unknown_options_and_bad_servers_as_dig_does() {
    let (code, msg) = app_error("dig -Z example.com");
    assert_eq!((code, msg.lines().next()), (1, Some("Invalid option: -Z")));
    assert!(msg.contains("Usage:  dig [@global-server]"), "{msg}");
    assert_eq!(app_error("dig +bogus x").1.lines().next(), Some("Invalid option: +bogus"));
    let server = app_error("dig @999.1.1.1 x");
    assert_eq!(server, (10, "dig: couldn't get address for '999.1.1.1': not found".to_string()));
    assert_eq!(app_error("dig -t BOGUS x"), (1, "dig: invalid type: BOGUS".to_string()));
}

#[test]
fn ping_refuses_unknown_options_missing_values_and_bad_counts_as_iputils_does() {
    assert_eq!(app_error("ping -Z x").1.lines().next(), Some("ping: invalid option -- 'Z'"));
    assert_eq!(app_error("ping -c").1.lines().next(), Some("ping: option requires an argument -- 'c'"));
    assert_eq!(app_error("ping"), (2, "ping: usage error: Destination address required".to_string()));
    for count in ["abc", "99999999999999999999"] {
        assert_eq!(app_error(&format!("ping -c {count} x")), (2, format!("ping: invalid count: '{count}'")));
    }
    for count in ["0", "-3", "1001"] {
        let message = format!("ping: invalid count: '{count}': out of range: 1 <= value <= 1000 (vpcsim sends at most 1000 echo requests, MAX_PING_COUNT)");
        assert_eq!(app_error(&format!("ping -c {count} x")), (2, message));
    }
    let unknown = app_error("ping 1.2.3.999");
    assert_eq!(unknown, (2, "ping: 1.2.3.999: Name or service not known".to_string()));
}

#[test]
fn nc_refuses_unknown_options_missing_values_and_bad_ports_as_openbsd_nc_does() {
    assert_eq!(app_error("nc -Q host 80").1.lines().next(), Some("nc: invalid option -- 'Q'"));
    assert_eq!(app_error("nc -w").1.lines().next(), Some("nc: option requires an argument -- 'w'"));
    assert!(app_error("nc -z host").1.starts_with("usage: nc [-46CDdFhklNnrStUuvZz]"));
    for port in ["70000", "0", "abc"] {
        assert_eq!(app_error(&format!("nc -z host {port}")), (1, format!("nc: port number invalid: {port}")));
    }
    assert_eq!(app_error("nc -z host 80-70"), (1, "nc: port range not valid".to_string()));
}

#[test]
fn aws_refuses_unknown_options_missing_values_and_unknown_operations_as_the_cli_does() {
    let (code, msg) = aws_error("aws ec2 create-route --route-table-id rtb-1 --bogus x");
    assert_eq!(code, 252);
    assert!(msg.ends_with("Unknown options: --bogus, x"), "{msg}");
    assert!(msg.starts_with("usage: aws [options] <command> <subcommand>"), "{msg:?}");
    let missing = aws_error("aws ec2 create-route --route-table-id").1;
    assert!(missing.ends_with("aws: error: argument --route-table-id: expected one argument"), "{missing}");
    let service = aws_error("aws lambda list-functions").1;
    assert!(
        service.ends_with(
            "Invalid choice, valid choices are: ec2 | elbv2 | cloudformation | route53 | autoscaling | sns | logs | s3api | s3"
        ),
        "{service}"
    );
    let op = aws_error("aws ec2 create-vpc-endpiont").1;
    assert!(op.contains("argument operation: Invalid choice") && op.contains("create-vpc-endpoint"), "{op}");
}

#[test]
fn unknown_programs_and_broken_quotes_are_the_shells_errors() {
    let (code, msg) = app_error("telnet x 80");
    assert_eq!(code, 127);
    assert!(msg.starts_with("bash: telnet: command not found"), "{msg}");
    assert_eq!(app_error("curl 'http://x/").0, 2);
}

// ---------------------------------------------------------------- no input panics

/// Words each program knows or nearly knows, values, and hostile text.
const WORDS: &[&str] = &[
    "-s",
    "-v",
    "-m",
    "-c",
    "-w",
    "-u",
    "-z",
    "-W",
    "-i",
    "-t",
    "-q",
    "-n",
    "-4",
    "-6",
    "-",
    "--",
    "-Z",
    "--connect-timeout",
    "--max-time",
    "--silent",
    "--verbose",
    "--bogus",
    "--",
    "+short",
    "+bogus",
    "+",
    "@",
    "@10.0.0.2",
    "@999.1.1.1",
    "@x",
    "A",
    "AAAA",
    "MX",
    "BOGUS",
    "0",
    "1",
    "-1",
    "3",
    "0.5",
    "nan",
    "inf",
    "1e400",
    "65535",
    "65536",
    "80",
    "80-90",
    "90-80",
    "1-65535",
    "x",
    "example.com",
    "10.0.0.4",
    "10.0.0.300",
    "1.2.3",
    "255.255.255.255",
    "0.0.0.0",
    "::1",
    "[::1]",
    "http://x/",
    "http://x:0/",
    "https://x:65536/",
    "http://[::1/",
    "http://a@b/",
    "ftp://x/",
    "http://",
    "://",
    "%",
    "é",
    "💥",
    "\0",
    "\t",
    "''",
    "\"",
    "a b",
    "ec2",
    "elbv2",
    "cloudformation",
    "s3",
    "create-vpc-endpoint",
    "describe-target-health",
    "authorize-security-group-ingress",
    "create-route",
    "delete-stack",
    "terminate-instances",
    "--vpc-id",
    "--group-id",
    "--protocol",
    "--port",
    "--cidr",
    "--ip-permissions",
    "--target-group-arn",
    "--targets",
    "Id=i-0123",
    "Id=,Port=",
    "--instance-ids",
    "--stack-name",
    "--route-table-id",
    "--destination-cidr-block",
    "--gateway-id",
    "--output",
    "text",
    "--query",
    "--region",
    "--acceptance-required",
    "--no-acceptance-required",
    "--max-results",
    "--dry-run",
    "IpProtocol=tcp,FromPort=80,ToPort=80,IpRanges=[{CidrIp=0.0.0.0/0}]",
    "[{\"IpProtocol\":\"-1\"}]",
    "{",
    "[[[[",
    "10.0.0.0/33",
    "0.0.0.0/0",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => "[ -~]{0,12}",
        1 => "\\PC{0,6}",
    ]
}

fn line(program: &'static str) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 0..7).prop_map(move |mut w| {
        w.insert(0, program.to_string());
        w
    })
}

fn any_line() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![line("dig"), line("curl"), line("ping"), line("nc"), line("aws"), line("telnet")]
}

/// `PROPTEST_CASES` when set (a longer run), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}

fn lab_session() -> Session {
    let lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    Session::new(lab.world)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    /// Parsing never panics; every refusal has words to show and a non-zero exit code.
    #[test]
    fn random_words_parse_or_are_refused_with_a_message(words in any_line()) {
        match app::parse(&words) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.exit_code != 0 && !e.message.is_empty(), "{e:?}"),
        }
        match aws::parse(&words) {
            Ok(_) => {}
            Err(e) => prop_assert!(e.exit_code() != 0 && !e.summary().is_empty(), "{e:?}"),
        }
        // The same words as one line, as a step's `run:` holds them.
        let joined = words.join(" ");
        let _ = app::parse_line(&joined);
        let _ = aws::parse_line(&joined);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Whatever parses also runs on the lab without a panic; a failed `aws` call changes nothing.
    #[test]
    fn random_commands_that_parse_run_on_the_lab_without_panic(lines in prop::collection::vec(any_line(), 1..6)) {
        let mut session = lab_session();
        for words in &lines {
            if let Ok(cmd) = app::parse(words) {
                let out = session.run_app("My-EC2", &cmd);
                // `curl -s` without `-S` that cannot resolve its host sends nothing and, as the
                // real curl, says nothing: its exit code 6 is the whole answer.
                let silent = matches!(&cmd, app::AppCommand::Curl(c) if c.silent && !c.show_error);
                if silent && out.exit_code == 6 {
                    prop_assert!(out.stdout.is_empty() && out.stderr.is_empty() && out.trace.is_none(), "{out:?}");
                } else {
                    prop_assert!(out.exit_code == 0 || !out.stderr.is_empty() || out.trace.is_some(), "{out:?}");
                }
            }
            if let Ok(call) = aws::parse(words) {
                let before = format!("{:?}", session.world);
                let out = session.run_aws(&call);
                if out.exit_code != 0 {
                    prop_assert!(before == format!("{:?}", session.world), "a failed call changed the world");
                }
            }
        }
    }
}
