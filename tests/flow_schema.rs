//! One JSON schema for a flow (RA1): `vpcsim trace --json`, a flow step of `vpcsim run
//! --json`, `vpcsim reach --explain --json`, each finding of `vpcsim check --json` and
//! both flows of each change of `vpcsim diff --json` all deserialize into the one library type, [`vpcsim::trace::Analysis`] (which refuses
//! unknown fields), and serialize back to the same bytes.

use std::process::Command;

use serde_json::Value;
use vpcsim::trace::Analysis;

/// Runs `vpcsim ARGS` in the crate's folder; its stdout as JSON.
fn json_of(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("vpcsim {args:?}: not JSON ({e}): {stdout}"))
}

/// The document as the shared type; it must come back unchanged.
fn as_flow(doc: &Value, from: &str) -> Analysis {
    let flow: Analysis =
        serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{from}: not the flow schema: {e}"));
    assert_eq!(&serde_json::to_value(&flow).unwrap(), doc, "{from}: lost or changed a field");
    flow
}

#[test]
fn trace_run_reach_explain_and_check_findings_print_the_same_flow_type() {
    let traced =
        json_of(&["trace", "lab", "--from", "My-EC2", "--to", "Custom-WEB-1:80", "--until", "4", "--json"]);
    let trace = as_flow(&traced, "trace --json");
    assert!(trace.network_path_found && !trace.forward_path_components.is_empty());

    let run = json_of(&["run", "scenarios/lesson-nacl-return-traffic.yaml", "--json"]);
    let steps = run[0]["steps"].as_array().expect("steps");
    let flows: Vec<Analysis> = steps
        .iter()
        .filter_map(|s| s.pointer("/outcome/trace").filter(|t| !t.is_null()))
        .map(|t| as_flow(t, "run --json"))
        .collect();
    assert!(!flows.is_empty(), "the lesson has flow steps");
    assert!(flows.iter().any(|f| !f.network_path_found && !f.explanations.is_empty()));

    let reach = json_of(&["reach", "lab", "--explain", "internet", "Custom-WEB-1", "tcp:443", "--json"]);
    let cell = as_flow(&reach, "reach --explain --json");
    assert!(!cell.network_path_found);
    assert_eq!(cell.explanations[0].explanation_code.as_str(), "ENI_SG_RULES_MISMATCH");

    let check =
        json_of(&["check", "lab", "--scope", "scenarios/scopes/internet-to-instances.json", "--json"]);
    let findings = check[0]["Findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        let flow = as_flow(&f["Analysis"], "check --json");
        assert!(flow.network_path_found);
        assert_eq!(serde_json::to_value(&flow.forward_path_components).unwrap(), f["FindingComponents"]);
    }
}

#[test]
fn diff_json_gives_both_flows_of_each_change_in_the_same_flow_type() {
    let template = std::fs::read_to_string("scenarios/three-tier.cfn.yaml").unwrap();
    let open = "CidrIp: 198.51.100.0/24}";
    assert!(template.contains(open), "the bastion's ssh rule");
    let changed = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("three-tier-ssh-open.cfn.yaml");
    std::fs::write(&changed, template.replace(open, "CidrIp: 0.0.0.0/0}")).unwrap();
    let doc = json_of(&["diff", "scenarios/three-tier.cfn.yaml", changed.to_str().unwrap(), "--json"]);
    let changes = doc["changes"].as_array().expect("changes");
    let ssh = changes
        .iter()
        .find(|c| c["sources"][0] == "internet" && c["port"] == "tcp:22")
        .unwrap_or_else(|| panic!("the internet reaches the bastion on ssh after: {doc}"));
    let before = as_flow(&ssh["before_flow"], "diff --json before_flow");
    let after = as_flow(&ssh["after_flow"], "diff --json after_flow");
    assert!(!before.network_path_found && after.network_path_found);
    assert_eq!(before.explanations[0].explanation_code.as_str(), "ENI_SG_RULES_MISMATCH");
    for c in changes {
        for key in ["before_flow", "after_flow"] {
            if !c[key].is_null() {
                as_flow(&c[key], key);
            }
        }
    }
}
