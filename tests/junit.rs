//! `--junit FILE` on `vpcsim run`, `check` and `reach`: the XML is read back with
//! quick-xml and its cases counted and named; escaping, determinism, and the files a
//! report must not overwrite.

use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn vpcsim(args: &[&str]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpcsim-junit-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// One `<testcase>`: its name, and its failure message or skip, if any.
#[derive(Debug, Default)]
struct Case {
    name: String,
    failure: Option<String>,
    skipped: bool,
}

/// The totals of `<testsuites>` (tests, failures, errors) with the suites' `skipped`
/// added up, and every case, read with quick-xml.
fn read(xml: &str) -> ([usize; 4], Vec<Case>) {
    let mut reader = Reader::from_str(xml);
    let mut totals = [0; 4];
    let mut cases: Vec<Case> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |key: &str| {
                    e.attributes()
                        .map(|a| a.expect("an attribute"))
                        .find(|a| a.key.as_ref() == key.as_bytes())
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .expect("escaped")
                                .into_owned()
                        })
                };
                match e.name().as_ref() {
                    b"testsuites" => {
                        for (i, k) in ["tests", "failures", "errors"].iter().enumerate() {
                            totals[i] = attr(k).and_then(|v| v.parse().ok()).expect("a count");
                        }
                    }
                    b"testsuite" => {
                        totals[3] += attr("skipped").and_then(|v| v.parse::<usize>().ok()).expect("a count")
                    }
                    b"testcase" => {
                        cases.push(Case { name: attr("name").expect("a name"), ..Case::default() })
                    }
                    b"failure" => cases.last_mut().expect("in a case").failure = attr("message"),
                    b"skipped" => cases.last_mut().expect("in a case").skipped = true,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (totals, cases)
}

fn junit_of(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the report was written")
}

#[test]
fn run_writes_one_case_per_step_and_a_failed_step_fails_with_its_expectations_message() {
    let dir = scratch("run");
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/privatelink-lab.cfn.yaml");
    let failing = dir.join("failing.yaml");
    std::fs::write(
        &failing,
        format!(
            "name: a <failing> scenario\nstacks:\n  - name: lab\n    template: {}\n    parameters: {{KeyName: k}}\nsteps:\n  - run: aws ec2 describe-vpcs\n  - run: aws ec2 describe-vpcs\n    expect: {{output-contains: '<no & \"such\">'}}\n  - wait: 1s\n",
            template.display()
        ),
    )
    .unwrap();
    let out = dir.join("run.xml");
    let args = ["run", "scenarios/lesson-no-public-ip.yaml", failing.to_str().unwrap(), "--quiet", "--junit"];
    let ran = vpcsim(&[&args[..], &[out.to_str().unwrap()]].concat());
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let xml = junit_of(&out);
    let (totals, cases) = read(&xml);
    assert_eq!(totals, [10, 1, 0, 1]);
    assert_eq!(cases.len(), 10);
    assert_eq!(cases[0].name, "step 1: wait for Custom-NLB-TG to be healthy");
    let failed: Vec<&Case> = cases.iter().filter(|c| c.failure.is_some()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "step 2: aws ec2 describe-vpcs");
    assert!(failed[0]
        .failure
        .as_deref()
        .unwrap()
        .starts_with(r#"output-contains: expected "<no & \"such\">""#));
    assert!(cases[9].skipped && cases[9].name == "step 3: wait 1s");
    assert!(xml.contains("name=\"a &lt;failing&gt; scenario\""));
    // The same run writes the same bytes.
    vpcsim(&[&args[..], &[out.to_str().unwrap()]].concat());
    assert_eq!(junit_of(&out), xml);
}

#[test]
fn check_writes_a_failing_case_per_finding_and_a_passing_one_for_a_scope_that_holds() {
    let dir = scratch("check");
    // No instance listens on port 1 (the internet's hosts are reached on any port).
    let holds = dir.join("no-instance-on-port-1.json");
    std::fs::write(
        &holds,
        r#"{"MatchPaths": [{"Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::Instance"]},
            "PacketHeaderStatement": {"DestinationPorts": ["1"]}}}]}"#,
    )
    .unwrap();
    let out = dir.join("check.xml");
    let scope = "scenarios/scopes/internet-to-instances.json";
    let holds_arg = holds.to_str().unwrap();
    let ran =
        vpcsim(&["check", "lab", "--scope", scope, "--scope", holds_arg, "--junit", out.to_str().unwrap()]);
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    let json: Value = serde_json::from_str(
        &vpcsim(&["check", "lab", "--scope", scope, "--scope", holds_arg, "--json"]).stdout,
    )
    .unwrap();
    let findings = json[0]["Findings"].as_array().unwrap().len();
    assert!(findings > 0 && json[1]["Findings"].as_array().unwrap().is_empty());
    let (totals, cases) = read(&junit_of(&out));
    assert_eq!(totals, [findings + 1, findings, 0, 0]);
    assert!(cases[..findings].iter().all(|c| c.name.starts_with("tcp:") && c.failure.is_some()));
    assert_eq!(cases[findings].name, "no findings: the scope holds");
    assert!(cases[findings].failure.is_none());
}

#[test]
fn reach_writes_a_case_per_class_pair_and_port_and_explain_fails_when_the_cell_is_blocked() {
    let dir = scratch("reach");
    let out = dir.join("reach.xml");
    let ran = vpcsim(&["reach", "lab", "--junit", out.to_str().unwrap()]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let matrix: Value = serde_json::from_str(&vpcsim(&["reach", "lab", "--json"]).stdout).unwrap();
    let cells = matrix["cells"].as_array().unwrap().len();
    let (totals, cases) = read(&junit_of(&out));
    assert_eq!(totals, [cells, 0, 0, 0]);
    assert!(
        cases
            .iter()
            .any(|c| c.name.starts_with("S1 internet -> ")
                && c.name.ends_with("tcp:443: ENI_SG_RULES_MISMATCH"))
    );

    let ran = vpcsim(&[
        "reach",
        "lab",
        "--explain",
        "internet",
        "Custom-WEB-1",
        "tcp:443",
        "--junit",
        out.to_str().unwrap(),
    ]);
    assert_eq!(ran.code, 1);
    let (totals, cases) = read(&junit_of(&out));
    assert_eq!(totals, [1, 1, 0, 0]);
    assert_eq!(cases[0].name, "internet -> Custom-WEB-1 tcp:443");
    assert_eq!(cases[0].failure.as_deref(), Some("internet -> Custom-WEB-1 tcp:443: ENI_SG_RULES_MISMATCH"));
}

#[test]
fn a_report_is_not_written_over_an_input_and_an_unwritable_one_exits_3() {
    let dir = scratch("refuse");
    let scope = dir.join("scope.json");
    let text = r#"{"MatchPaths": [{"Destination": {"PacketHeaderStatement": {"DestinationPorts": ["1"]}}}]}"#;
    std::fs::write(&scope, text).unwrap();
    let s = scope.to_str().unwrap();
    let ran = vpcsim(&["check", "lab", "--scope", s, "--junit", s]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("an input of this command"), "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(&scope).unwrap(), text);
    let lesson = "scenarios/lesson-no-public-ip.yaml";
    let before = std::fs::read_to_string(lesson).unwrap();
    let ran = vpcsim(&["run", lesson, "--quiet", "--junit", lesson]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(lesson).unwrap(), before);
    let nowhere = dir.join("missing-folder/report.xml");
    let ran = vpcsim(&["reach", "lab", "--junit", nowhere.to_str().unwrap()]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("cannot write"), "{}", ran.stderr);
}

/// One element as the JUnit schema declares it: the parents it may have (none: the
/// root), the attributes it requires and those it allows.
struct Declared {
    name: &'static str,
    parents: &'static [&'static str],
    required: &'static [&'static str],
    optional: &'static [&'static str],
}

const fn declared(
    name: &'static str,
    parents: &'static [&'static str],
    required: &'static [&'static str],
    optional: &'static [&'static str],
) -> Declared {
    Declared { name, parents, required, optional }
}

/// What the JUnit schema CI tools validate reports against (Jenkins' junit-10.xsd, also
/// used by pytest's tests) declares.
const SCHEMA: [Declared; 8] = [
    declared("testsuites", &[], &[], &["name", "time", "tests", "failures", "errors", "disabled"]),
    declared(
        "testsuite",
        &["testsuites", "testsuite"],
        &["name", "tests", "failures", "errors"],
        &[
            "group",
            "time",
            "skipped",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
            "log",
            "url",
            "version",
            "disabled",
        ],
    ),
    declared("testcase", &["testsuite"], &["name"], &["time", "classname", "group", "assertions", "status"]),
    declared("failure", &["testcase"], &[], &["type", "message"]),
    declared("error", &["testcase"], &[], &["type", "message"]),
    declared("skipped", &["testcase"], &[], &["type", "message"]),
    declared("system-out", &["testcase", "testsuite"], &[], &[]),
    declared("system-err", &["testcase", "testsuite"], &[], &[]),
];

/// Every way `xml` departs from [`SCHEMA`]: an element it does not declare or under
/// another parent, an attribute it does not declare, a required one missing, a count
/// that is not a number.
fn schema_departures(xml: &str) -> Vec<String> {
    let mut reader = Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    let mut out = Vec::new();
    loop {
        let (e, empty) = match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
        let parent = open.last().map_or("", String::as_str);
        match SCHEMA.iter().find(|d| d.name == name) {
            None => out.push(format!("<{name}> is not a JUnit element")),
            Some(Declared { parents, required, optional, .. }) => {
                if parents.is_empty() != parent.is_empty()
                    || (!parent.is_empty() && !parents.contains(&parent))
                {
                    out.push(format!("<{name}> inside <{parent}>"));
                }
                let keys: Vec<(String, String)> = e
                    .attributes()
                    .map(|a| a.expect("an attribute"))
                    .map(|a| {
                        let v = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).unwrap().into_owned();
                        (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), v)
                    })
                    .collect();
                for (k, v) in &keys {
                    if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
                        out.push(format!("<{name}> has {k}, which the schema does not declare"));
                    }
                    let counted = ["tests", "failures", "errors", "skipped"].contains(&k.as_str());
                    if counted && v.parse::<usize>().is_err() {
                        out.push(format!("<{name} {k}={v:?}> is not a count"));
                    }
                }
                for r in *required {
                    if !keys.iter().any(|(k, _)| k == r) {
                        out.push(format!("<{name}> lacks the required {r}"));
                    }
                }
            }
        }
        if !empty {
            open.push(name);
        }
    }
    out
}

#[test]
fn every_report_of_run_check_and_reach_on_the_lab_three_tier_and_nat_examples_has_only_what_the_junit_schema_declares(
) {
    let dir = scratch("schema");
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/privatelink-lab.cfn.yaml");
    let failing = dir.join("failing.yaml");
    std::fs::write(
        &failing,
        format!(
            "name: failing\nstacks:\n  - name: lab\n    template: {}\n    parameters: {{KeyName: k}}\nsteps:\n  - run: aws ec2 describe-vpcs\n    expect: {{output-contains: nothing-like-this}}\n  - wait: 1s\n",
            template.display()
        ),
    )
    .unwrap();
    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "name: broken\nsteps: [{run: }]\n").unwrap();
    let out = dir.join("report.xml");
    let o = out.to_str().unwrap();
    let (three_tier, nat) = ("scenarios/three-tier.yaml", "scenarios/network-insights-nat-gateway.yaml");
    let internet = "scenarios/scopes/internet-to-instances.json";
    let runs: [&[&str]; 8] = [
        &["run", failing.to_str().unwrap(), broken.to_str().unwrap(), "--quiet", "--junit", o],
        &["check", "lab", "--scope", internet, "--junit", o],
        &["reach", "lab", "--port", "22,80", "--junit", o],
        &["reach", "lab", "--explain", "internet", "Custom-WEB-1", "tcp:443", "--junit", o],
        // The three-tier and NAT examples.
        &["run", three_tier, nat, "--quiet", "--junit", o],
        &["check", three_tier, "--scope", internet, "--junit", o],
        &["check", nat, "--scope", internet, "--junit", o],
        &["reach", nat, "--junit", o],
    ];
    for args in runs {
        let ran = vpcsim(args);
        assert!(ran.code <= 2, "{args:?}: {}", ran.stderr);
        let xml = junit_of(&out);
        assert_eq!(schema_departures(&xml), Vec::<String>::new(), "{args:?}:\n{xml}");
        std::fs::remove_file(&out).unwrap();
    }
}
