//! Reachability Analyzer and Network Access Analyzer as `aws ec2` calls on the seed lab
//! (RA1-RA4): paths and their analyses on the virtual clock, whole component lists,
//! explanation codes, access scopes and their findings, and the paths vpcsim refuses.

use serde_json::Value;
use vpcsim::analyzer::{access, cell, scope, select, Matrix, Probe, Source, Target};
use vpcsim::command::aws::parse_line;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::scenario::{Backend, StepOutcome};
use vpcsim::session::Session;

struct Lab2 {
    s: Session,
    lab: Lab,
}

fn lab() -> Lab2 {
    let lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    Lab2 { s: Session::new(lab.world.clone()), lab }
}

fn run(s: &mut Session, line: &str) -> StepOutcome {
    let call = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    s.run_aws(&call)
}

fn ok(s: &mut Session, line: &str) -> Value {
    let out = run(s, line);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.json.unwrap_or_default()
}

/// Creates a path, starts its analysis, waits 30 s and returns the described analysis.
fn analyze(s: &mut Session, path_args: &str) -> Value {
    let p = ok(s, &format!("aws ec2 create-network-insights-path {path_args}"));
    let id = p["NetworkInsightsPath"]["NetworkInsightsPathId"].as_str().expect("a path id").to_string();
    let a = ok(s, &format!("aws ec2 start-network-insights-analysis --network-insights-path-id {id}"));
    let aid = a["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"].as_str().expect("an id").to_string();
    s.advance(std::time::Duration::from_secs(30));
    let d =
        ok(s, &format!("aws ec2 describe-network-insights-analyses --network-insights-analysis-ids {aid}"));
    d["NetworkInsightsAnalyses"][0].clone()
}

fn ids(components: &Value) -> Vec<String> {
    components
        .as_array()
        .expect("a list of components")
        .iter()
        .map(|c| c["Component"]["Id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn ra1_an_analysis_runs_thirty_seconds_then_shows_the_cells_forward_and_return_components() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let (my_ec2, web1) = (w[lab.my_ec2].aws_id.clone(), w[lab.web1].aws_id.clone());
    let p = ok(&mut s, &format!("aws ec2 create-network-insights-path --source {my_ec2} --destination {web1} --protocol tcp --destination-port 80"));
    let id = p["NetworkInsightsPath"]["NetworkInsightsPathId"].as_str().unwrap().to_string();
    let a = ok(&mut s, &format!("aws ec2 start-network-insights-analysis --network-insights-path-id {id}"));
    let aid = a["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"].as_str().unwrap().to_string();
    assert_eq!(a["NetworkInsightsAnalysis"]["Status"], "running");
    assert!(a["NetworkInsightsAnalysis"].get("NetworkPathFound").is_none());
    s.advance(std::time::Duration::from_secs(29));
    assert_eq!(s.state_of(&aid, "running"), Ok(true));
    s.advance(std::time::Duration::from_secs(1));
    assert_eq!(s.state_of(&aid, "succeeded"), Ok(true));
    let d = ok(
        &mut s,
        &format!("aws ec2 describe-network-insights-analyses --network-insights-analysis-ids {aid}"),
    );
    let got = &d["NetworkInsightsAnalyses"][0];
    assert_eq!(got["NetworkPathFound"], true);
    let (_, trace) =
        cell::explain(w, Source::Instance(lab.my_ec2), Target::Instance(lab.web1), Probe::tcp(80));
    let want = serde_json::to_value(vpcsim::trace::analysis(w, &trace.expect("a trace"))).unwrap();
    assert_eq!(got["ForwardPathComponents"], want["ForwardPathComponents"]);
    assert_eq!(got["ReturnPathComponents"], want["ReturnPathComponents"]);
    assert!(!ids(&got["ForwardPathComponents"]).is_empty() && !ids(&got["ReturnPathComponents"]).is_empty());
}

#[test]
fn ra2_a_path_the_security_group_stops_is_not_found_and_explained_at_the_group() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let (igw, web1) = (w[lab.custom_igw].aws_id.clone(), w[lab.web1].aws_id.clone());
    let got = analyze(
        &mut s,
        &format!("--source {igw} --destination {web1} --protocol tcp --destination-port 443"),
    );
    assert_eq!(got["NetworkPathFound"], false);
    assert_eq!(got["Explanations"][0]["ExplanationCode"], "ENI_SG_RULES_MISMATCH");
    assert_eq!(got["Explanations"][0]["Component"]["Id"], w[lab.custom_sg].aws_id);
    assert_eq!(got["ReturnPathComponents"], serde_json::json!([]));
}

#[test]
fn ra3_an_inbound_path_from_the_gateway_lists_gateway_acl_group_interface_instance_and_back() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let eni = w[lab.my_ec2].eni;
    let public = w.public_ip_of(eni).expect("My-EC2 has a public address").to_string();
    let private = w[eni].private_ip.to_string();
    let (igw, my_ec2) = (w[lab.my_igw].aws_id.clone(), w[lab.my_ec2].aws_id.clone());
    let acl = w.nacls().values().find(|n| n.vpc == lab.my_vpc).expect("an ACL").aws_id.clone();
    let (sg, rt, eni_id) = (w[lab.web_sg].aws_id.clone(), w[lab.my_rt].aws_id.clone(), w[eni].aws_id.clone());
    let got = analyze(
        &mut s,
        &format!("--source {igw} --destination {my_ec2} --destination-ip {public} --protocol tcp --destination-port 22"),
    );
    assert_eq!(got["NetworkPathFound"], true);
    let forward = &got["ForwardPathComponents"];
    assert_eq!(
        ids(forward),
        ["203.0.113.10", "internet", &igw, &acl, &sg, &eni_id, &my_ec2].map(String::from).to_vec()
    );
    // The gateway rewrites the destination from the public address to the private one.
    assert_eq!(forward[2]["InboundHeader"]["DestinationAddresses"][0], public);
    assert_eq!(forward[2]["OutboundHeader"]["DestinationAddresses"][0], private);
    assert_eq!(forward[3]["AclRule"]["Egress"], false);
    assert_eq!(forward[4]["SecurityGroupRule"]["Direction"], "ingress");
    let back = &got["ReturnPathComponents"];
    assert_eq!(ids(back), [&eni_id, &sg, &acl, &rt, &igw].map(String::from).to_vec());
    assert!(back[1].get("SecurityGroupRule").is_none(), "the return passes the stateful group with no rule");
    assert_eq!(back[2]["AclRule"]["Egress"], true);
    assert_eq!(back[3]["RouteTableRoute"]["DestinationCidr"], "0.0.0.0/0");
    assert_eq!(back[4]["OutboundHeader"]["SourceAddresses"][0], public);
}

#[test]
fn ra4_scope_findings_are_every_matched_source_destination_and_port_less_the_excluded() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let web1 = w[lab.web1].aws_id.clone();
    let from_internet =
        r#"[{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]"#;
    let but_web1 = format!(r#"[{{"Destination": {{"ResourceStatement": {{"Resources": ["{web1}"]}}}}}}]"#);
    let count = |s: &mut Session, args: &str| {
        let created = ok(s, &format!("aws ec2 create-network-insights-access-scope {args}"));
        let id = created["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
            .as_str()
            .unwrap()
            .to_string();
        let started =
            ok(s, &format!("aws ec2 start-network-insights-access-scope-analysis --network-insights-access-scope-id {id}"));
        let aid = started["NetworkInsightsAccessScopeAnalysis"]["NetworkInsightsAccessScopeAnalysisId"]
            .as_str()
            .unwrap()
            .to_string();
        let findings = format!(
            "aws ec2 get-network-insights-access-scope-analysis-findings --network-insights-access-scope-analysis-id {aid}"
        );
        assert_eq!(ok(s, &findings)["AnalysisStatus"], "running");
        assert_eq!(ok(s, &findings)["AnalysisFindings"], serde_json::json!([]));
        s.advance(std::time::Duration::from_secs(60));
        let done = ok(s, &findings);
        assert_eq!(done["AnalysisStatus"], "succeeded");
        done["AnalysisFindings"].as_array().unwrap().len()
    };
    let all = count(&mut s, &format!("--match-paths '{from_internet}'"));
    let fewer = count(&mut s, &format!("--match-paths '{from_internet}' --exclude-paths '{but_web1}'"));
    // Brute force over the matrix: every reachable (internet, destination, port) cell.
    let scope = scope::parse("s.json", &format!(r#"{{"MatchPaths": {from_internet}}}"#)).unwrap();
    let probes = access::probes_for(std::slice::from_ref(&scope));
    let m = Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), probes);
    let internet = m.sources.iter().position(|x| *x == Source::Internet).expect("the internet is a source");
    let cells = |skip: Option<Target>| {
        (0..m.targets.len())
            .filter(|&t| Some(m.targets[t]) != skip)
            .flat_map(|t| (0..m.probes.len()).map(move |p| (t, p)))
            .filter(|&(t, p)| m.verdict(internet, t, p).is_reachable())
            .count()
    };
    assert_eq!(all, cells(None));
    assert_eq!(fewer, cells(Some(Target::Instance(lab.web1))));
    assert!(fewer < all);
}

#[test]
fn ra4_a_paths_ends_may_be_named_by_their_arns_as_aws_takes_them() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let (my_ec2, web1) = (w[lab.my_ec2].aws_id.clone(), w[lab.web1].aws_id.clone());
    let by_id = ok(&mut s, &format!("aws ec2 create-network-insights-path --source {my_ec2} --destination {web1} --protocol tcp --destination-port 80"));
    let p = &by_id["NetworkInsightsPath"];
    let (src_arn, dst_arn) = (p["SourceArn"].as_str().unwrap(), p["DestinationArn"].as_str().unwrap());
    assert!(src_arn.starts_with("arn:aws:ec2:") && src_arn.ends_with(&format!(":instance/{my_ec2}")));
    let by_arn = ok(&mut s, &format!("aws ec2 create-network-insights-path --source {src_arn} --destination {dst_arn} --protocol tcp --destination-port 80"));
    for key in ["Source", "SourceArn", "Destination", "DestinationArn"] {
        assert_eq!(by_arn["NetworkInsightsPath"][key], p[key], "{key}");
    }
    // Another account's ARN names nothing here.
    let foreign = src_arn.replace(&format!(":{}:", w.account_id()), ":000000000000:");
    let out = run(&mut s, &format!("aws ec2 create-network-insights-path --source {foreign} --destination {web1} --protocol tcp --destination-port 80"));
    assert_ne!(out.exit_code, 0);
    assert!(out.stderr.contains("InvalidParameterValue"), "{}", out.stderr);
}

#[test]
fn ra4_paths_vpcsim_cannot_analyze_as_one_flow_are_refused_saying_why() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let (my_ec2, web1, igw) =
        (w[lab.my_ec2].aws_id.clone(), w[lab.web1].aws_id.clone(), w[lab.my_igw].aws_id.clone());
    let refused = [
        (format!("--source {my_ec2} --destination {web1} --protocol tcp"), "destination-port"),
        (format!("--source {my_ec2} --destination {igw} --protocol tcp --destination-port 443"), "--destination-ip"),
        (format!("--source {my_ec2} --destination {web1} --destination-ip 10.9.9.9 --protocol tcp --destination-port 80"), "not an address of the destination"),
        (format!("--source {my_ec2} --destination-ip 8.8.8.8 --protocol tcp --filter-at-source DestinationPortRange={{FromPort=80,ToPort=90}}"), "one port"),
        (format!("--source {my_ec2} --destination {web1} --protocol tcp --destination-port 80 --filter-at-destination DestinationAddress=10.0.0.1"), "not modelled"),
        (format!("--source {my_ec2} --destination {web1} --protocol icmp --destination-port 80"), "tcp or udp"),
    ];
    for (args, why) in refused {
        let line = format!("aws ec2 create-network-insights-path {args}");
        let message = match parse_line(&line) {
            Err(e) => e.to_string(),
            Ok(call) => {
                let out = s.run_aws(&call);
                assert_ne!(out.exit_code, 0, "{line}");
                out.stderr
            }
        };
        assert!(message.contains(why), "{line}: {message}");
    }
    assert_eq!(
        ok(&mut s, "aws ec2 describe-network-insights-paths")["NetworkInsightsPaths"],
        serde_json::json!([])
    );
}

/// Creates a scope from `args`, starts its analysis, waits and returns its findings.
fn scope_findings(s: &mut Session, args: &str) -> Vec<Value> {
    let created = ok(s, &format!("aws ec2 create-network-insights-access-scope {args}"));
    let id =
        created["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"].as_str().unwrap().to_string();
    let started = ok(
        s,
        &format!(
            "aws ec2 start-network-insights-access-scope-analysis --network-insights-access-scope-id {id}"
        ),
    );
    let aid = started["NetworkInsightsAccessScopeAnalysis"]["NetworkInsightsAccessScopeAnalysisId"]
        .as_str()
        .unwrap()
        .to_string();
    s.advance(std::time::Duration::from_secs(60));
    let done = ok(
        s,
        &format!("aws ec2 get-network-insights-access-scope-analysis-findings --network-insights-access-scope-analysis-id {aid}"),
    );
    done["AnalysisFindings"].as_array().unwrap().clone()
}

/// The address a finding's path ends at (its last component's destination address).
fn finding_end(f: &Value) -> std::net::Ipv4Addr {
    let components = f["FindingComponents"].as_array().expect("components");
    let last = components.last().expect("a component");
    last["InboundHeader"]["DestinationAddresses"][0]
        .as_str()
        .and_then(|a| a.parse().ok())
        .expect("an address")
}

#[test]
fn ra4_e5_a_customer_prefix_list_in_a_scope_matches_the_destinations_its_entries_hold() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let block = w[w[w[lab.web1].eni].subnet].cidr;
    let pl = ok(
        &mut s,
        &format!("aws ec2 create-managed-prefix-list --prefix-list-name web --max-entries 2 --entries Cidr={block}"),
    )["PrefixList"]["PrefixListId"]
        .as_str()
        .expect("a prefix list id")
        .to_string();
    let from_internet = r#"{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}"#;
    let to_list = format!(r#"{{"PacketHeaderStatement": {{"DestinationPrefixLists": ["{pl}"]}}}}"#);
    let all = scope_findings(&mut s, &format!(r#"--match-paths '[{{"Source": {from_internet}}}]'"#));
    let listed = scope_findings(
        &mut s,
        &format!(r#"--match-paths '[{{"Source": {from_internet}, "Destination": {to_list}}}]'"#),
    );
    let unlisted = scope_findings(
        &mut s,
        &format!(
            r#"--match-paths '[{{"Source": {from_internet}}}]' --exclude-paths '[{{"Destination": {to_list}}}]'"#
        ),
    );
    assert!(!listed.is_empty(), "the internet reaches web1, whose subnet the list holds");
    assert!(listed.iter().all(|f| block.contains(finding_end(f))));
    assert_eq!(listed.len() + unlisted.len(), all.len());
    assert!(unlisted.iter().all(|f| !block.contains(finding_end(f))));
}

#[test]
fn ra4_e1_aws_managed_prefix_lists_in_a_scope_hold_only_the_services_ranges() {
    let Lab2 { mut s, lab } = lab();
    let w = &lab.world;
    let s3 = w[w.aws_prefix_list(&format!("com.amazonaws.{}.s3", w.region().name)).expect("S3's list")]
        .aws_id
        .clone();
    let from_internet = r#"{"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}"#;
    let to_s3 = format!(r#"{{"PacketHeaderStatement": {{"DestinationPrefixLists": ["{s3}"]}}}}"#);
    let from_s3 = format!(r#"{{"PacketHeaderStatement": {{"SourcePrefixLists": ["{s3}"]}}}}"#);
    let all = scope_findings(&mut s, &format!(r#"--match-paths '[{{"Source": {from_internet}}}]'"#));
    assert!(!all.is_empty());
    // No destination in the lab has an S3 address, and the internet's client is not S3.
    let to = scope_findings(
        &mut s,
        &format!(r#"--match-paths '[{{"Source": {from_internet}, "Destination": {to_s3}}}]'"#),
    );
    assert_eq!(to, Vec::<Value>::new());
    let from = scope_findings(&mut s, &format!(r#"--match-paths '[{{"Source": {from_s3}}}]'"#));
    assert_eq!(from, Vec::<Value>::new());
    let excluded = scope_findings(
        &mut s,
        &format!(
            r#"--match-paths '[{{"Source": {from_internet}}}]' --exclude-paths '[{{"Destination": {to_s3}}}]'"#
        ),
    );
    assert_eq!(excluded.len(), all.len());
}

#[test]
fn ra4_an_unknown_prefix_list_in_a_scope_is_an_error_at_its_line_and_column() {
    let lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    let text = "{\"MatchPaths\": [\n  {\"Destination\": {\"PacketHeaderStatement\":\n    {\"DestinationPrefixLists\": [\"pl-0000dead\"]}}}\n]}";
    let e = scope::parse_in("s.json", text, &lab.world).expect_err("no such list");
    assert_eq!((e.file.as_str(), e.line, e.column), ("s.json", 3, 33), "{e}");
    assert!(e.message.contains("pl-0000dead") && e.message.contains("does not exist"), "{e}");
    // Without a world no list is known, and the aws call says so too.
    assert!(scope::parse("s.json", text).is_err());
    let mut s = Session::new(lab.world.clone());
    let out = run(
        &mut s,
        r#"aws ec2 create-network-insights-access-scope --match-paths '[{"Source": {"PacketHeaderStatement": {"SourcePrefixLists": ["pl-0000dead"]}}}]'"#,
    );
    assert_ne!(out.exit_code, 0);
    assert!(out.stderr.contains("pl-0000dead"), "{}", out.stderr);
}

#[test]
fn ra4_a_scope_analysis_on_many_threads_finds_what_one_thread_finds_in_the_same_order() {
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
        pool.install(|| {
            let Lab2 { mut s, .. } = lab();
            scope_findings(
                &mut s,
                r#"--match-paths '[{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]'"#,
            )
        })
    };
    let one = run_on(1);
    assert!(!one.is_empty());
    assert_eq!(one, run_on(4));
}
