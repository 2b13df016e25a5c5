//! `vpcsim serve`'s JSON API over real HTTP on an ephemeral port: the documented
//! routes answer the command line's `--json` schemas, and every bad request gets a 4xx
//! with a message while the server goes on answering.

mod serve_common;

use std::process::Command;

use serde_json::Value;
use serve_common::{get, lab, lab_server, raw, request, step_titled};

/// `vpcsim ARGS` in the crate's folder: its standard output as JSON.
fn cli_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    serde_json::from_slice(&out.stdout).expect("the command prints JSON")
}

#[test]
fn the_trace_route_answers_the_same_analysis_as_trace_json() {
    let addr = lab_server();
    let before = step_titled(addr, lab::THROUGH_GATEWAYS).to_string();
    let after = step_titled(addr, lab::THROUGH_ENDPOINT).to_string();
    for (step, to) in [(before.as_str(), "Custom-NLB"), (after.as_str(), "Custom-WEB-1:80")] {
        let (host, port) = to.split_once(':').unwrap_or((to, "80"));
        let web = get(addr, &format!("/api/trace?step={step}&from=My-EC2&to={host}&port={port}"));
        assert_eq!(web.status, 200, "{}", web.body);
        let cli = cli_json(&["trace", "lab", "--from", "My-EC2", "--to", to, "--until", step, "--json"]);
        assert_eq!(web.json()["analysis"], cli, "step {step}, to {to}");
    }
}

#[test]
fn before_the_endpoint_the_path_to_the_nlb_crosses_both_internet_gateways_and_after_it_the_endpoint() {
    let addr = lab_server();
    let step = step_titled(addr, lab::THROUGH_GATEWAYS);
    let before = get(addr, &format!("/api/trace?step={step}&from=My-EC2&to=Custom-NLB&port=80")).json();
    let nodes = |v: &Value, path: &str| -> Vec<String> {
        v["drawn"][path].as_array().unwrap().iter().map(|p| p[0].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(nodes(&before, "forward"), ["i0", "igw0", "internet", "igw1", "lb0_0", "i2"]);
    assert_eq!(nodes(&before, "return"), ["i2", "lb0_0", "igw1", "internet", "igw0", "i0"]);
    assert_eq!(before["flow"]["reachable"], true);
    let step = step_titled(addr, lab::THROUGH_ENDPOINT);
    let world = get(addr, &format!("/api/world?step={step}")).json();
    let endpoint = world["describe"]["VpcEndpoints"][0]["VpcEndpointId"].as_str().unwrap().to_string();
    let after = get(addr, &format!("/api/trace?step={step}&from=My-EC2&to={endpoint}&port=80")).json();
    assert_eq!(nodes(&after, "forward"), ["i0", "vpce0_0", "svc0", "lb0_0", "i1"]);
    assert!(after["hops"]["forward"].as_array().unwrap().iter().any(|h| h["kind"] == "vpc-endpoint"));
}

#[test]
fn a_blocked_flow_names_its_code_its_node_and_the_paragraph_that_explains_it_p2() {
    let addr = lab_server();
    // P2: before the provider accepts, the endpoint carries no traffic.
    let step = step_titled(addr, lab::ENDPOINT_PENDING);
    let world = get(addr, &format!("/api/world?step={step}")).json();
    let endpoint = world["describe"]["VpcEndpoints"][0]["VpcEndpointId"].as_str().unwrap().to_string();
    let t = get(addr, &format!("/api/trace?step={step}&from=My-EC2&to={endpoint}")).json();
    assert_eq!(t["flow"]["reachable"], false);
    assert_eq!(t["explanation"]["code"], "BAD_STATE");
    assert_eq!(t["drawn"]["blocked"]["code"], "BAD_STATE");
    assert_eq!(t["drawn"]["blocked"]["node"], "vpce0_0");
    assert!(t["explanation"]["paragraph"].as_str().unwrap().contains("pendingAcceptance"), "{t}");
}

#[test]
fn the_steps_route_is_the_run_report_with_where_the_page_opens() {
    let addr = lab_server();
    let cli = cli_json(&["run", "scenarios/privatelink-lab.yaml", "--json"]);
    let web = get(addr, "/api/steps").json();
    let (web_steps, cli_steps) = (web["steps"].as_array().unwrap(), cli[0]["steps"].as_array().unwrap());
    assert_eq!(web_steps.len(), cli_steps.len());
    for (w, c) in web_steps.iter().zip(cli_steps) {
        assert_eq!((&w["index"], &w["title"], &w["status"]), (&c["index"], &c["title"], &c["status"]));
        assert_eq!(w["outcome"]["stdout"], c["outcome"]["stdout"]);
    }
    assert!(web_steps.iter().any(|s| s["description"].is_string()), "the lab's steps have narratives");
    // The page opens where every command does: before the first step that deletes anything.
    let first_delete =
        web_steps.iter().position(|s| s["command"].as_str().unwrap_or("").contains(" delete-"));
    assert_eq!(web["default_step"].as_u64(), first_delete.map(|i| i as u64));
    assert_eq!(web["default_step"], step_titled(addr, lab::THROUGH_ENDPOINT));
    assert_eq!(web["last"].as_u64(), Some(web_steps.len() as u64));
}

#[test]
fn the_world_route_describes_the_world_and_draws_both_vpcs() {
    let addr = lab_server();
    let w = get(addr, "/api/world").json();
    assert_eq!(w["step"], get(addr, "/api/steps").json()["default_step"]);
    let vpcs: Vec<&str> = w["topology"]["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"][0].as_str().unwrap())
        .collect();
    assert_eq!(vpcs, ["MyVPC 10.0.0.0/16", "CustomVPC 20.0.0.0/16"]);
    assert_eq!(w["describe"]["Vpcs"].as_array().unwrap().len(), 2);
    assert_eq!(w["sources"], serde_json::json!(["My-EC2", "Custom-WEB-1", "Custom-WEB-2"]));
    let stacks_only = get(addr, "/api/world?step=0").json();
    assert!(stacks_only["describe"]["VpcEndpoints"].as_array().unwrap().is_empty());
}

#[test]
fn the_console_changes_only_its_steps_world_until_reset() {
    let addr = lab_server();
    let services = |step: u32| {
        let w = get(addr, &format!("/api/world?step={step}")).json();
        (w["edited"].clone(), w["topology"]["top"].as_array().unwrap().len())
    };
    assert_eq!(services(3), (Value::Bool(false), 1));
    let body = r#"{"step": 3, "command": "aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns ${CustomNLB}"}"#;
    let ran = request(addr, "POST", "/api/run", body);
    assert_eq!(ran.status, 200, "{}", ran.body);
    assert_eq!(ran.json()["exit_code"], 0, "{}", ran.body);
    assert_eq!(services(3), (Value::Bool(true), 2));
    assert_eq!(services(4), (Value::Bool(false), 1));
    let curl = request(
        addr,
        "POST",
        "/api/run",
        r#"{"step": 3, "on": "My-EC2", "command": "curl http://${CustomNLB.DNSName}/"}"#,
    );
    assert!(curl.json()["stdout"].as_str().unwrap().contains("CloudNeta Web Server"), "{}", curl.body);
    let reset = request(addr, "POST", "/api/reset", r#"{"step": 3}"#).json();
    assert_eq!(reset["reset"], true);
    assert_eq!(services(3), (Value::Bool(false), 1));
}

#[test]
fn wait_in_the_console_moves_that_world_s_clock_within_the_shell_s_limits() {
    let addr = lab_server();
    let clock = || get(addr, "/api/world?step=0").json()["clock"].as_str().unwrap().to_string();
    let run = |command: &str| {
        let body = serde_json::json!({"step": 0, "command": command}).to_string();
        let ran = request(addr, "POST", "/api/run", &body);
        assert_eq!(ran.status, 200, "{}", ran.body);
        ran.json()
    };
    let before = clock();
    let waited = run("wait 90s");
    assert_eq!(waited["exit_code"], 0, "{waited}");
    let after = clock();
    assert_ne!(after, before, "the clock moved");
    assert_eq!(waited["stdout"], format!("the clock is now {after}\n"));
    let too_long = run("wait 25h");
    assert_eq!(too_long["exit_code"], 2);
    assert!(too_long["stderr"].as_str().unwrap().contains("MAX_WAIT"), "{too_long}");
    assert_eq!(clock(), after, "a refused wait moves nothing");
    assert_eq!(run("wait soon")["exit_code"], 2);
    let healthy = run("wait-for Custom-NLB-TG healthy");
    assert_eq!(healthy["exit_code"], 0, "{healthy}");
    assert!(healthy["stdout"].as_str().unwrap().starts_with("Custom-NLB-TG is healthy after"), "{healthy}");
    assert_eq!(request(addr, "POST", "/api/reset", r#"{"step": 0}"#).json()["reset"], true);
    assert_eq!(clock(), before, "a reset puts the clock back");
}

#[test]
fn bad_requests_get_a_4xx_with_a_message_and_the_server_goes_on() {
    let addr = lab_server();
    let long = format!("/api/world?step={}", "1".repeat(3000));
    let cases: Vec<(&str, String, String, u16, &str)> = vec![
        ("GET", "/nowhere".into(), String::new(), 404, "no such path"),
        ("POST", "/api/world".into(), String::new(), 405, "takes GET only"),
        ("GET", "/api/run".into(), String::new(), 405, "takes POST only"),
        ("GET", "/api/world?step=99".into(), String::new(), 400, "the worlds go from 0 to"),
        ("GET", "/api/world?step=x".into(), String::new(), 400, "not a number"),
        ("GET", "/api/world?color=red".into(), String::new(), 400, "unknown parameter color"),
        ("GET", "/api/world?step=1&step=2".into(), String::new(), 400, "given twice"),
        ("GET", "/api/trace?to=Custom-NLB".into(), String::new(), 400, "give from="),
        ("GET", "/api/trace?from=My-EC2".into(), String::new(), 400, "give to="),
        ("GET", "/api/trace?from=My-EC3&to=Custom-NLB".into(), String::new(), 400, "did you mean My-EC2?"),
        ("GET", "/api/trace?from=My-EC2&to=nowhere.example".into(), String::new(), 400, "unknown host"),
        ("GET", "/api/trace?from=My-EC2&to=Custom-NLB&port=0".into(), String::new(), 400, "not a port"),
        ("GET", "/api/trace?from=My-EC2&to=Custom-NLB&port=%2B80".into(), String::new(), 400, "not a port"),
        (
            "GET",
            "/api/trace?from=My-EC2&to=Custom-NLB&protocol=sctp".into(),
            String::new(),
            400,
            "use tcp, udp or icmp",
        ),
        ("GET", "/api/trace?from=My-EC2&to=Custom-NLB&port=".into(), String::new(), 400, "port is empty"),
        ("GET", "/api/reach?ports=".into(), String::new(), 400, "ports is empty"),
        ("GET", "/api/steps?step=1".into(), String::new(), 400, "this path takes none"),
        ("GET", long, String::new(), 414, "longer than 2048"),
        ("POST", "/api/run".into(), "{".into(), 400, "not {step, on, command}"),
        ("POST", "/api/run".into(), r#"{"command": "curl x", "shell": 1}"#.into(), 400, "unknown field"),
        ("POST", "/api/run".into(), r#"{"command": "curl http://x/"}"#.into(), 400, "give on"),
        ("POST", "/api/run".into(), r#"{"command": "  "}"#.into(), 400, "empty"),
        (
            "POST",
            "/api/run".into(),
            r#"{"command": "describe vpcs", "on": "My-EC2"}"#.into(),
            400,
            "`describe` is not a command of the console",
        ),
        (
            "POST",
            "/api/run".into(),
            r#"{"command": "exit"}"#.into(),
            400,
            "it runs dig, curl, ping and nc (with on), aws",
        ),
        (
            "POST",
            "/api/run".into(),
            format!(r#"{{"command": "{}"}}"#, "x".repeat(17 * 1024)),
            413,
            "larger than 16384",
        ),
        ("GET", "/assets/../Cargo.toml".into(), String::new(), 404, "no such path"),
        ("GET", "/assets/%2e%2e/Cargo.toml".into(), String::new(), 404, "no such path"),
    ];
    for (method, target, body, status, says) in cases {
        let a = request(addr, method, &target, &body);
        assert_eq!(a.status, status, "{method} {target}: {}", a.body);
        let message = a.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(says), "{method} {target}: {message}");
    }
    let wrong_host =
        raw(addr, b"GET /api/steps HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n");
    assert_eq!(wrong_host.status, 400);
    let garbage = raw(addr, b"\x00\xff not http at all\r\n\r\n");
    assert!(garbage.status == 0 || garbage.status >= 400);
    assert_eq!(get(addr, "/api/steps").status, 200, "the server still answers");
}

#[test]
fn the_page_and_its_files_are_served_from_the_binary() {
    let addr = lab_server();
    let page = get(addr, "/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<script src=\"/assets/app.js\""), "{}", page.body);
    assert_eq!(get(addr, "/assets/app.js").status, 200);
    assert_eq!(get(addr, "/assets/style.css").status, 200);
}

#[test]
fn the_reach_route_answers_the_same_matrix_as_reach_json() {
    let addr = lab_server();
    let step = step_titled(addr, lab::THROUGH_ENDPOINT).to_string();
    let web = get(addr, &format!("/api/reach?step={step}&ports=tcp:80,tcp:22"));
    assert_eq!(web.status, 200, "{}", web.body);
    let mut matrix = web.json();
    assert_eq!(matrix["step"], step.parse::<u64>().unwrap());
    matrix.as_object_mut().unwrap().remove("step");
    let cli = cli_json(&["reach", "lab", "--until", &step, "--port", "tcp:80,tcp:22", "--json"]);
    assert_eq!(matrix, cli);
    let default = get(addr, &format!("/api/reach?step={step}")).json();
    assert_eq!(default["ports"][0], "tcp:22", "vpcsim reach's default ports");
    let bad = get(addr, "/api/reach?ports=tcp:99999");
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.json()["error"].as_str().unwrap().starts_with("ports: "), "{}", bad.body);
    assert_eq!(get(addr, "/api/reach?from=My-EC2").status, 400, "an unknown parameter is refused");
}
