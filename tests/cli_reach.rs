//! `vpcsim reach`, `vpcsim diff` and `vpcsim check` end to end: the built binary, its
//! exit code and its output.

use std::process::Command;

use serde_json::Value;

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vpcsim ARGS` in the crate's folder.
fn vpcsim(args: &[&str]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

#[test]
fn reach_on_the_lab_merges_identical_rows_and_shows_the_endpoint_open_on_80_only() {
    let ran = vpcsim(&["reach", "lab"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("5 sources in 4 classes"), "{}", ran.stdout);
    assert!(ran.stdout.contains("Custom-WEB-1, Custom-WEB-2"), "{}", ran.stdout);
    let grid = ran.stdout.split("Reachable ports").nth(1).unwrap();
    let my_ec2_row = grid.lines().find(|l| l.trim_start().starts_with("S2")).unwrap();
    assert_eq!(my_ec2_row.split_whitespace().collect::<Vec<_>>(), ["S2", "self", "22,80", "80", "80"]);
}

#[test]
fn reach_shows_an_instance_to_itself_as_self_never_as_a_walked_verdict() {
    // My-EC2's packets to its own address never leave it, as `check` and `diff` count
    // them: the cell is `self`, in a column of its own, and JSON and JUnit say so too.
    let ran = vpcsim(&["reach", "lab"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let (legend, grid) = ran.stdout.split_once("Reachable ports").unwrap();
    assert!(legend.contains("D1  My-EC2\n"), "My-EC2 is a column of its own: {legend}");
    let cells = |class: &str| -> Vec<String> {
        let row = grid.lines().find(|l| l.trim_start().starts_with(class)).unwrap();
        row.split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(cells("S2")[1], "self", "{grid}");
    assert_eq!(cells("S1")[1], "22,80", "the internet still reaches My-EC2: {grid}");
    assert_eq!(grid.matches("self").count(), 2, "one cell and the note: {grid}");
    assert!(grid.contains("\nself: an instance to its own address"), "{grid}");

    let ran = vpcsim(&["reach", "lab", "--json"]);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let class_of = |side: &str, name: &str| {
        v[side].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap()["class"].clone()
    };
    let (sc, tc) = (class_of("sources", "My-EC2"), class_of("destinations", "My-EC2"));
    for cell in v["cells"].as_array().unwrap() {
        let to_itself = cell["source_class"] == sc && cell["destination_class"] == tc;
        assert_eq!(cell["no_path"] == true, to_itself, "{cell}");
    }

    let dir = std::env::temp_dir().join(format!("vpcsim-reach-self-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let junit = dir.join("reach.xml");
    let ran = vpcsim(&["reach", "lab", "--junit", junit.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let xml = std::fs::read_to_string(&junit).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        xml.matches("My-EC2 -&gt; D1 My-EC2 tcp:22: no path (an instance to itself)").count(),
        1,
        "{xml}"
    );
    assert_eq!(xml.matches("no path").count(), 9, "one case per port: {xml}");

    let ran = vpcsim(&["reach", "lab", "--explain", "S2", "D1", "22"]);
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    assert!(ran.stderr.contains("no path to explain: an instance to its own address"), "{}", ran.stderr);
}

#[test]
fn reach_json_lists_every_source_with_its_class_and_one_cell_per_class_pair_and_port() {
    let ran = vpcsim(&["reach", "lab", "--port", "80,icmp", "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let classes = |side: &str| {
        let mut c: Vec<u64> =
            v[side].as_array().unwrap().iter().map(|x| x["class"].as_u64().unwrap()).collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    assert_eq!(v["ports"], serde_json::json!(["tcp:80", "icmp"]));
    let cells = v["cells"].as_array().unwrap().len();
    assert_eq!(cells, classes("sources") * classes("destinations") * 2);
}

#[test]
fn reach_explain_prints_the_trace_of_a_blocked_cell_and_exits_1() {
    let ran = vpcsim(&["reach", "lab", "--explain", "My-EC2", "Custom-WEB-1", "tcp:443"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(
        ran.stdout.starts_with("Cell My-EC2 -> Custom-WEB-1 tcp:443: ENI_SG_RULES_MISMATCH"),
        "{}",
        ran.stdout
    );
    assert!(ran.stdout.contains("Forward path"));
}

#[test]
fn reach_refuses_a_port_it_cannot_read_and_filters_that_match_nothing() {
    let ran = vpcsim(&["reach", "lab", "--port", "sctp:9"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("invalid port `sctp:9`"), "{}", ran.stderr);
    let ran = vpcsim(&["reach", "lab", "--from", "vpc:nowhere"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("no source matches"), "{}", ran.stderr);
}

#[test]
fn diff_of_a_template_and_a_copy_that_moves_ssh_to_5432_prints_both_changes_and_exits_1() {
    let original = "scenarios/two-tier-internal-nlb.cfn.yaml";
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(original)).unwrap();
    let changed = text.replace(
        "FromPort: 22, ToPort: 22, SourceSecurityGroupId",
        "FromPort: 5432, ToPort: 5432, SourceSecurityGroupId",
    );
    assert_ne!(changed, text, "the template still has the rule this test changes");
    let copy = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("two-tier-ssh-moved.cfn.yaml");
    std::fs::write(&copy, changed).unwrap();
    let ran = vpcsim(&["diff", original, copy.to_str().unwrap(), "--json"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["port"].as_str().unwrap().into(),
                c["before"].as_str().unwrap().into(),
                c["after"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("tcp:22".into(), "reachable".into(), "ENI_SG_RULES_MISMATCH".into()),
            ("tcp:5432".into(), "ENI_SG_RULES_MISMATCH".into(), "reachable".into()),
        ]
    );
    assert_eq!(changes[0]["sources"], serde_json::json!(["bastion"]));
    assert_eq!(changes[0]["destinations"], serde_json::json!(["app-a", "app-b"]));
    assert!(changes[0]["after_hop"]
        .as_str()
        .unwrap()
        .starts_with("ENI_SG_RULES_MISMATCH at security-group sg-"));
}

#[test]
fn diff_of_two_steps_of_the_lab_names_the_endpoint_added_and_the_same_step_changes_nothing() {
    let ran = vpcsim(&["diff", "lab", "--before-step", "4"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.contains("destinations added: vpce-"), "{}", ran.stdout);
    let ran = vpcsim(&["diff", "lab", "--before-step", "9", "--after-step", "9"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("no verdict changed"), "{}", ran.stdout);
}

#[test]
fn diff_of_one_file_without_steps_is_refused() {
    let ran = vpcsim(&["diff", "lab"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("--before-step N and --after-step M"), "{}", ran.stderr);
}

#[test]
fn check_finds_ssh_from_the_internet_in_the_lab_and_exits_1() {
    let ran =
        vpcsim(&["check", "lab", "--scope", "scenarios/scopes/internet-to-anything-but-web.json", "--json"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let findings = v[0]["Findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f["Port"] != "tcp:80" && f["Port"] != "tcp:443"), "{findings:?}");
    assert!(findings.iter().any(|f| f["Port"] == "tcp:22"));
    let first = &findings[0]["FindingComponents"];
    assert_eq!(first[0]["Component"]["Id"], "203.0.113.10", "{first}");
}

#[test]
fn check_holds_when_no_database_port_is_open_and_exits_0() {
    // The ready scope with its placeholder replaced by the web servers' group.
    let groups: Value =
        serde_json::from_str(&vpcsim(&["describe", "lab", "security-groups"]).stdout).unwrap();
    let web = groups["SecurityGroups"].as_array().unwrap().iter().find(|g| g["GroupName"] == "CustomSG");
    let web = web.map(|g| g["GroupId"].as_str().unwrap()).expect("the lab's web group");
    let ready =
        std::fs::read_to_string("scenarios/scopes/database-ports-from-outside-the-app-tier.json").unwrap();
    assert!(ready.contains("sg-REPLACE-WITH-THE-APP-TIER-GROUP"));
    let scope = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("database-ports-in-the-lab.json");
    std::fs::write(&scope, ready.replace("sg-REPLACE-WITH-THE-APP-TIER-GROUP", web)).unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", scope.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("no findings: the scope holds"), "{}", ran.stdout);
}

#[test]
fn check_refuses_a_resource_type_it_does_not_model_naming_file_line_and_column() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let scope = dir.join("tgw-scope.json");
    std::fs::write(
        &scope,
        "{\n  \"MatchPaths\": [\n    {\"Source\": {\"ResourceStatement\": {\"ResourceTypes\": [\"AWS::EC2::TransitGateway\"]}}}\n  ]\n}\n",
    )
    .unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", scope.to_str().unwrap()]);
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("tgw-scope.json:3:57: resource type AWS::EC2::TransitGateway is not modelled"),
        "{}",
        ran.stderr
    );
    std::fs::write(&scope, "{\"MatchPaths\": [], \"Bogus\": 1}").unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", scope.to_str().unwrap()]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("unknown field `Bogus`"), "{}", ran.stderr);
}

#[test]
fn reach_check_and_diff_run_on_the_three_tier_template() {
    // The internet reaches only the NLB, on 80; the app tier reaches the interface endpoints on 443.
    let ran = vpcsim(&["reach", "scenarios/three-tier.yaml", "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s["name"] == "internet"), "{}", ran.stdout);
    let ran = vpcsim(&["reach", "scenarios/three-tier.yaml"]);
    let grid = ran.stdout.split("Reachable ports").nth(1).unwrap();
    let row = |class: &str| grid.lines().find(|l| l.trim_start().starts_with(class)).unwrap().to_string();
    assert_eq!(
        row("S1").split_whitespace().collect::<Vec<_>>(),
        ["S1", "-", "-", "-", "-", "80", "-"],
        "{grid}"
    );
    assert!(row("S3").split_whitespace().last() == Some("443"), "{grid}");
    let ran = vpcsim(&[
        "check",
        "scenarios/three-tier.yaml",
        "--scope",
        "scenarios/scopes/internet-to-anything-but-web.json",
    ]);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("no findings: the scope holds"), "{}", ran.stdout);
    // RA4: a finding ends at an interface, never at a load balancer, which a path passes
    // through: the internet reaching an app server through the NLB is a finding of a scope
    // whose destination is AWS::EC2::Instance.
    let ran = vpcsim(&[
        "check",
        "scenarios/three-tier.yaml",
        "--scope",
        "scenarios/scopes/internet-to-instances.json",
        "--json",
    ]);
    assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let findings = v[0]["Findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", ran.stdout);
    assert_eq!(findings[0]["Port"], "tcp:80");
    let kinds: Vec<&str> = findings[0]["Analysis"]["ForwardPathComponents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["Component"]["Name"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"three-tier-igw"), "{kinds:?}");
    assert!(kinds.contains(&"three-tier-web"), "the path passes the NLB: {kinds:?}");
    assert!(kinds.last().is_some_and(|n| n.starts_with("app-server-")), "{kinds:?}");
    // Opening the endpoints' group to the whole VPC lets the bastion reach them on 443.
    let original = "scenarios/three-tier.cfn.yaml";
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(original)).unwrap();
    let changed = text.replace(
        "FromPort: 443, ToPort: 443, SourceSecurityGroupId: !Ref AppSG",
        "FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/16",
    );
    assert_ne!(changed, text, "the template still has the rule this test changes");
    let copy = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("three-tier-endpoints-open.cfn.yaml");
    std::fs::write(&copy, changed).unwrap();
    let ran = vpcsim(&["diff", original, copy.to_str().unwrap(), "--json"]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let v: Value = serde_json::from_str(&ran.stdout).unwrap();
    let bastion = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sources"] == serde_json::json!(["bastion"]))
        .unwrap_or_else(|| panic!("{}", ran.stdout));
    assert_eq!(
        (bastion["port"].as_str(), bastion["before"].as_str()),
        (Some("tcp:443"), Some("ENI_SG_RULES_MISMATCH"))
    );
    assert_eq!(bastion["after"], "reachable");
}

/// The AWS id of the subnet named `name` in the world scenario `file` leaves.
fn subnet_id(file: &str, name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let s = vpcsim::scenario::load_with(&path, &Default::default()).expect("the scenario loads");
    let mut session = vpcsim::session::Session::for_scenario(&s).expect("the stacks build");
    vpcsim::scenario::run(&s, &mut session).expect("the scenario runs");
    let w = &session.world;
    let (id, _) = w
        .subnets()
        .live()
        .find(|(id, _)| w.name_of(vpcsim::world::Handle::Subnet(*id)) == Some(name))
        .expect("the subnet");
    w.aws_id(vpcsim::world::Handle::Subnet(id)).to_string()
}

#[test]
fn check_around_a_nat_gateway_holds_on_the_nat_example_and_exits_1_once_its_private_subnet_is_routed_to_the_gateway(
) {
    let file = "scenarios/network-insights-nat-gateway.yaml";
    let dir = tempfile::tempdir().unwrap();
    let path = &around_the_nat_gateway_scope(dir.path());
    let before =
        vpcsim(&["check", file, "--until", "the scope around the NAT gateway holds", "--scope", path]);
    assert_eq!(before.code, 0, "{}{}", before.stdout, before.stderr);
    assert!(before.stdout.contains("no findings: the scope holds"), "{}", before.stdout);
    let after = vpcsim(&["check", file, "--until", "end", "--scope", path]);
    assert_eq!(after.code, 1, "{}{}", after.stdout, after.stderr);
    assert!(after.stdout.contains("Private-EC2 -> internet (8.8.8.8)"), "{}", after.stdout);
    assert!(after.stdout.contains("> internet-gateway igw-"), "{}", after.stdout);
    assert!(!after.stdout.contains("> nat-gateway"), "{}", after.stdout);
}

/// The around-a-nat-gateway scope on the NAT example once Private-SN is routed straight to
/// the internet gateway, written out with the private subnet's id.
fn around_the_nat_gateway_scope(dir: &std::path::Path) -> String {
    let ready = std::fs::read_to_string("scenarios/scopes/around-a-nat-gateway.json").unwrap();
    let file = "scenarios/network-insights-nat-gateway.yaml";
    let scope = ready.replace("subnet-REPLACE-WITH-A-PRIVATE-SUBNET", &subnet_id(file, "Private-SN"));
    let path = dir.join("around-a-nat-gateway.json");
    std::fs::write(&path, scope).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_finding_of_the_around_a_nat_gateway_scope_ends_at_the_internet_not_at_a_dns_resolver() {
    // RA4: the path leaves by the internet gateway for the internet; the host it is walked to
    // stands for the whole internet, whatever the simulator happens to run there.
    let file = "scenarios/network-insights-nat-gateway.yaml";
    let dir = tempfile::tempdir().unwrap();
    let scope = around_the_nat_gateway_scope(dir.path());
    let text = vpcsim(&["check", file, "--until", "end", "--scope", &scope]);
    assert_eq!(text.code, 1, "{}{}", text.stdout, text.stderr);
    let paths: Vec<&str> = text.stdout.lines().filter_map(|l| l.trim().strip_prefix("path: ")).collect();
    assert!(!paths.is_empty(), "{}", text.stdout);
    for path in paths {
        let ends = path.rsplit(" > ").take(2).collect::<Vec<_>>();
        assert_eq!(ends[0], "internet (8.8.8.8)", "{path}");
        assert!(ends[1].starts_with("internet-gateway igw-"), "{path}");
    }
    assert!(!text.stdout.contains("dns-resolver"), "{}", text.stdout);
    let json = vpcsim(&["check", file, "--until", "end", "--scope", &scope, "--json"]);
    assert!(!json.stdout.contains("dns-resolver"), "{}", json.stdout);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    let finding = &v[0]["Findings"][0];
    assert_eq!(finding["Destinations"], serde_json::json!(["8.8.8.8"]));
    let last = finding["FindingComponents"].as_array().unwrap().last().unwrap();
    assert_eq!(last["Component"], serde_json::json!({"Id": "8.8.8.8"}));
}

#[test]
fn a_trace_to_the_public_resolver_still_names_it_a_dns_resolver() {
    let file = "scenarios/network-insights-nat-gateway.yaml";
    let args = ["trace", file, "--from", "Private-EC2", "--to", "8.8.8.8:53", "--protocol", "udp"];
    let ran = vpcsim(&args);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let forward = ran.stdout.split("Return path").next().unwrap();
    let last = forward.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(last.contains("internet") && last.contains("dns-resolver 8.8.8.8"), "{}", ran.stdout);
}

/// The JSON document `vpcsim shell lab` prints for `aws ec2 LINE`: what a user would save.
fn shell_output(line: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["shell", "lab"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the shell starts");
    child.stdin.take().unwrap().write_all(format!("aws ec2 {line}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().expect("the shell ends");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    let start = stdout.find("\n{").map(|i| i + 1).unwrap_or_else(|| panic!("no JSON in {stdout}"));
    let end = stdout[start..].find("\n}").map(|i| start + i + 2).expect("the document ends");
    serde_json::from_str(&stdout[start..end]).expect("the shell printed JSON")
}

/// `vpcsim check lab --scope FILE --json` with the file holding `text`: the findings.
fn findings_of_file(name: &str, text: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", path.to_str().unwrap(), "--json"]);
    assert_eq!(ran.code, 1, "{name}: {}", ran.stderr);
    let doc: Value = serde_json::from_str(&ran.stdout).unwrap();
    doc[0]["Findings"].clone()
}

#[test]
fn check_reads_a_scope_saved_as_a_match_paths_list_or_as_the_output_of_create_or_get_content_ra4() {
    let paths = concat!(
        r#"[{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}, "#,
        r#""Destination": {"PacketHeaderStatement": {"DestinationPorts": ["22"]}}}]"#
    );
    let created = shell_output(&format!("create-network-insights-access-scope --match-paths '{paths}'"));
    assert!(created["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeArn"].is_string(), "{created}");
    let content = json_text(&serde_json::json!({
        "NetworkInsightsAccessScopeContent": created["NetworkInsightsAccessScopeContent"].clone()
    }));
    let document = findings_of_file("scope-document.json", &format!(r#"{{"MatchPaths": {paths}}}"#));
    assert!(!document.as_array().unwrap().is_empty());
    assert_eq!(findings_of_file("scope-list.json", paths), document);
    assert_eq!(findings_of_file("scope-created.json", &json_text(&created)), document);
    assert_eq!(findings_of_file("scope-content.json", &content), document);
    let inner = json_text(&created["NetworkInsightsAccessScopeContent"]);
    assert_eq!(findings_of_file("scope-content-object.json", &inner), document);

    // The scope's own description holds no paths: said, not taken for an empty scope.
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("scope-described.json");
    let described =
        serde_json::json!({"NetworkInsightsAccessScope": created["NetworkInsightsAccessScope"].clone()});
    std::fs::write(&path, json_text(&described)).unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", path.to_str().unwrap()]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("scope-described.json:2:3: NetworkInsightsAccessScope describes a scope"),
        "{}",
        ran.stderr
    );
}

fn json_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

#[test]
fn check_refuses_a_resource_id_not_in_the_world_such_as_a_ready_scopes_placeholder_and_reads_ec2_arns() {
    let ran = vpcsim(&["check", "lab", "--scope", "scenarios/scopes/internet-to-private-subnets.json"]);
    assert_eq!(ran.code, 2, "{}{}", ran.stdout, ran.stderr);
    assert!(
        ran.stderr.contains(
            "scenarios/scopes/internet-to-private-subnets.json:5:59: resource subnet-REPLACE-WITH-A-PRIVATE-SUBNET is not in this world"
        ),
        "{}",
        ran.stderr
    );
    // An instance named by its ARN, as trace components carry it, is the instance.
    let flow: Value = serde_json::from_str(
        &vpcsim(&["reach", "lab", "--explain", "internet", "My-EC2", "22", "--json"]).stdout,
    )
    .unwrap();
    let last = flow["ForwardPathComponents"].as_array().unwrap().last().unwrap()["Component"].clone();
    let (id, arn) = (last["Id"].as_str().unwrap(), last["Arn"].as_str().unwrap());
    assert!(arn.starts_with("arn:aws:ec2:") && arn.ends_with(&format!("instance/{id}")), "{arn}");
    let scope = |r: &str| {
        format!(r#"{{"MatchPaths": [{{"Destination": {{"ResourceStatement": {{"Resources": ["{r}"]}}}}}}]}}"#)
    };
    let by_id = findings_of_file("scope-by-id.json", &scope(id));
    assert!(!by_id.as_array().unwrap().is_empty());
    assert_eq!(findings_of_file("scope-by-arn.json", &scope(arn)), by_id);
}

#[test]
fn a_typo_in_a_scope_is_reported_once_at_its_file_line_and_column() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("typo-scope.json");
    std::fs::write(&path, "{\n  \"MatchPaths\": [\n    {\"Sourse\": {}}\n  ]\n}\n").unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", path.to_str().unwrap()]);
    assert_eq!(ran.code, 2);
    let line = ran.stderr.lines().find(|l| l.contains("Sourse")).unwrap_or_else(|| panic!("{}", ran.stderr));
    assert!(line.contains("typo-scope.json:3:13: not an access scope: unknown field `Sourse`"), "{line}");
    assert!(!line.contains("at line"), "the place is said twice: {line}");
}

#[test]
fn reach_keeps_a_load_balancer_node_by_the_label_it_shows_its_interface_and_its_own_subnet() {
    let names = |args: &[&str]| -> Vec<String> {
        let ran = vpcsim(&[&["reach"], args, &["--port", "80", "--json"]].concat());
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
        let doc: Value = serde_json::from_str(&ran.stdout).unwrap();
        doc["sources"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(&["lab", "--from", "Custom-NLB@ap-northeast-2a"]), ["Custom-NLB@ap-northeast-2a"]);
    let doc: Value =
        serde_json::from_str(&vpcsim(&["reach", "lab", "--port", "80", "--json"]).stdout).unwrap();
    let node = doc["sources"].as_array().unwrap().iter().find(|s| s["kind"] == "load-balancer-node").unwrap();
    assert_eq!(names(&["lab", "--from", node["id"].as_str().unwrap()]), ["Custom-NLB@ap-northeast-2a"]);
    // The three-tier NLB has a node in each public subnet: a subnet keeps its own node only.
    let in_a = names(&["scenarios/three-tier.yaml", "--from", "subnet:public-a"]);
    assert!(in_a.contains(&"three-tier-web@us-east-1a".to_string()), "{in_a:?}");
    assert!(!in_a.contains(&"three-tier-web@us-east-1b".to_string()), "{in_a:?}");
}

#[test]
fn diff_names_the_step_flag_whose_step_is_out_of_range() {
    let ran = vpcsim(&["diff", "lab", "--before-step", "0", "--after-step", "99"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("--after-step 99: privatelink-lab.yaml has only"), "{}", ran.stderr);
    let ran = vpcsim(&["diff", "lab", "--before-step", "98", "--after-step", "1"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("--before-step 98:"), "{}", ran.stderr);
    assert!(!ran.stderr.contains("--until"), "{}", ran.stderr);
}

#[test]
fn bad_input_to_check_diff_and_reach_exits_2_naming_the_file_and_where_and_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let bad_port = dir.join("bad-port-scope.json");
    std::fs::write(
        &bad_port,
        "{\n  \"MatchPaths\": [\n    {\"Destination\": {\"PacketHeaderStatement\": {\"DestinationPorts\": [\"443-80\"]}}}\n  ]\n}\n",
    )
    .unwrap();
    let missing = dir.join("no-such-file.json");
    let cases: [(Vec<&str>, &str); 5] = [
        (
            vec!["check", "lab", "--scope", bad_port.to_str().unwrap()],
            "bad-port-scope.json:3:69: 443-80 is not a port or a range of ports",
        ),
        (vec!["check", "lab", "--scope", missing.to_str().unwrap()], "no-such-file.json"),
        (vec!["diff", "lab", missing.to_str().unwrap()], "no-such-file.json"),
        (vec!["reach", missing.to_str().unwrap()], "no-such-file.json"),
        (vec!["reach", "lab", "--port", "tcp:0"], "invalid port `tcp:0`"),
    ];
    for (args, says) in cases {
        let ran = vpcsim(&args);
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(says), "{args:?}: {}", ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{args:?}: {}", ran.stderr);
    }
}

#[test]
fn reach_explain_expands_a_cell_by_its_grid_labels_and_refuses_filters_it_would_not_use() {
    let grid = vpcsim(&["reach", "lab"]).stdout;
    assert!(grid.contains("S2  My-EC2") && grid.contains("D4  vpce-"), "{grid}");
    let ran = vpcsim(&["reach", "lab", "--explain", "S2", "D4", "80"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stdout.starts_with("Cell My-EC2 -> vpce-") && ran.stdout.contains("tcp:80: reachable"),
        "{}",
        ran.stdout
    );
    // The labels are those of the grid the same filters and ports print.
    let ran = vpcsim(&["reach", "lab", "--from", "internet", "--port", "22", "--explain", "S1", "D1", "22"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.starts_with("Cell internet -> My-EC2 tcp:22: reachable"), "{}", ran.stdout);
    let ran = vpcsim(&["reach", "lab", "--explain", "S9", "D1", "22"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("no row S9: the grid has 3 (S1-S3)"), "{}", ran.stderr);
    // With names, a filter or port list would choose nothing: refused, not ignored.
    let ran = vpcsim(&["reach", "lab", "--explain", "My-EC2", "Custom-WEB-1", "80", "--port", "22"]);
    assert_eq!(ran.code, 2);
    assert!(ran.stderr.contains("cannot be used with --from, --to or --port"), "{}", ran.stderr);
}

#[test]
fn diff_leaves_out_an_instances_flow_to_itself_which_never_leaves_it() {
    let template = std::fs::read_to_string("scenarios/three-tier.cfn.yaml").unwrap();
    let ssh = "CidrIp: 198.51.100.0/24}";
    assert!(template.contains(ssh), "the bastion's ssh rule");
    let changed = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("three-tier-bastion-open.cfn.yaml");
    std::fs::write(&changed, template.replace(ssh, "CidrIp: 0.0.0.0/0}")).unwrap();
    let ran = vpcsim(&["diff", "scenarios/three-tier.cfn.yaml", changed.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.contains("tcp:22  internet -> bastion"), "{}", ran.stdout);
    assert!(ran.stdout.contains("tcp:22  app-server-a -> bastion"), "{}", ran.stdout);
    assert!(!ran.stdout.contains("bastion -> bastion"), "{}", ran.stdout);
}

#[test]
fn diff_of_the_seed_lab_template_and_a_changed_copy_creates_both_with_the_parameters_given() {
    let template = std::fs::read_to_string("scenarios/privatelink-lab.cfn.yaml").unwrap();
    let ssh = "FromPort: '22'\n          ToPort: '22'";
    let at = template.rfind(ssh).expect("Custom-WebSG's ssh rule");
    let changed_text =
        format!("{}FromPort: '443'\n          ToPort: '443'{}", &template[..at], &template[at + ssh.len()..]);
    let changed = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("privatelink-lab-443.cfn.yaml");
    std::fs::write(&changed, changed_text).unwrap();
    let args = ["diff", "scenarios/privatelink-lab.cfn.yaml", changed.to_str().unwrap()];
    // KeyName has no default: without it neither template can be created.
    let ran = vpcsim(&args);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("KeyName") && ran.stderr.contains("--parameter"), "{}", ran.stderr);
    let ran = vpcsim(&[&args[..], &["--parameter", "KeyName=lab-key", "--port", "22,443"]].concat());
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.contains("tcp:22  internet -> Custom-WEB-1, Custom-WEB-2"), "{}", ran.stdout);
    assert!(ran.stdout.contains("tcp:443  internet -> Custom-WEB-1, Custom-WEB-2"), "{}", ran.stdout);
    // The NAT example, the same template on both sides: nothing changed.
    let nat = "scenarios/nat-gateway-lab.cfn.yaml";
    let ran = vpcsim(&["diff", nat, nat, "--parameter", "KeyName=lab-key"]);
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
}

#[test]
fn check_counts_one_path_found_in_the_singular() {
    let ran = vpcsim(&[
        "check",
        "scenarios/three-tier.yaml",
        "--scope",
        "scenarios/scopes/internet-to-instances.json",
    ]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stdout.contains("internet-to-instances.json: 1 path found\n"), "{}", ran.stdout);
}
