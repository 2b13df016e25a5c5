//! `vpcsim lab NAME` and `vpcsim lab --list`: the built-in labs other than the seed
//! lab (which tests/cli_commands.rs covers), run as a user runs them.

use std::process::Command;

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vpcsim ARGS` in the crate's folder, with `COLUMNS` set when given.
fn vpcsim_at(args: &[&str], columns: Option<usize>) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vpcsim"));
    match columns {
        Some(n) => cmd.env("COLUMNS", n.to_string()),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = cmd
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn vpcsim(args: &[&str]) -> Ran {
    vpcsim_at(args, None)
}

fn steps_of(lab: &str) -> usize {
    let lab = vpcsim::labs::find(lab).expect("a built-in lab");
    vpcsim::scenario::load_str(lab.file, lab.scenario).expect("it loads").steps.len()
}

fn too_wide(text: &str, width: usize) -> Vec<&str> {
    text.lines().filter(|l| l.chars().count() > width).collect()
}

#[test]
fn every_built_in_lab_holds_every_observation_to_the_end() {
    for lab in vpcsim::labs::LABS.iter().skip(1) {
        let ran = vpcsim(&["lab", lab.name, "--until", "end"]);
        let n = steps_of(lab.name);
        assert_eq!(ran.code, 0, "{}: {}", lab.name, ran.stdout);
        assert!(ran.stdout.ends_with(&format!("PASS: {n} of {n} steps passed\n")), "{}", ran.stdout);
    }
}

#[test]
fn every_built_in_lab_is_byte_for_byte_its_file_in_scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for lab in vpcsim::labs::LABS {
        assert_eq!(std::fs::read_to_string(dir.join(lab.file)).unwrap(), lab.scenario, "{}", lab.file);
        for (file, text) in lab.templates {
            assert_eq!(std::fs::read_to_string(dir.join(file)).unwrap(), *text, "{file}");
        }
    }
}

#[test]
fn the_nat_instance_lab_prints_the_nat_instances_public_ip_as_the_address_the_web_server_saw() {
    let ran = vpcsim(&["lab", "nat-instance"]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    let public = ran
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("[NAT-Instance]$ curl"))
        .nth(1)
        .expect("the NAT instance's own curl prints its public IP")
        .to_string();
    let after_route = ran.stdout.split("── step 5").nth(1).expect("step 5");
    assert!(after_route.contains(&format!("  the destination saw: {public}:")), "{after_route}");
}

#[test]
fn the_nat_instance_labs_trace_shows_the_private_ip_then_the_nat_instance_then_its_public_ip() {
    let ran = vpcsim(&[
        "trace",
        "scenarios/nat-instance-lab.yaml",
        "--from",
        "Private-EC2",
        "--to",
        "checkip.amazonaws.com:80",
        "--json",
    ]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let v: serde_json::Value = serde_json::from_str(&ran.stdout).expect("JSON");
    let text = v.to_string();
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle} not in {text}"));
    assert!(at("10.40.2.101") < at("10.40.1.100"), "{text}");
    let plain = vpcsim(&[
        "trace",
        "scenarios/nat-instance-lab.yaml",
        "--from",
        "Private-EC2",
        "--to",
        "checkip.amazonaws.com:80",
    ]);
    let instance_hop = plain
        .stdout
        .lines()
        .find(|l| l.contains("instance") && l.contains("NAT-Instance"))
        .expect("the NAT hop");
    assert!(
        instance_hop.contains("10.40.1.100:"),
        "the NAT instance's hop shows the masqueraded packet: {instance_hop}"
    );
    let igw_hop = plain.stdout.lines().find(|l| l.contains("internet-gateway")).expect("the IGW hop");
    assert!(!igw_hop.contains(" 10.40."), "after the gateway the source is public: {igw_hop}");
}

#[test]
fn nothing_the_nat_instance_lab_prints_at_80_columns_is_wider_than_80() {
    for until in ["end", "3"] {
        let ran = vpcsim_at(&["lab", "nat-instance", "--until", until], Some(80));
        assert_eq!(ran.code, 0, "{}", ran.stdout);
        assert_eq!(too_wide(&ran.stdout, 80), Vec::<&str>::new());
        assert_eq!(too_wide(&ran.stderr, 80), Vec::<&str>::new());
    }
}

#[test]
fn a_named_lab_takes_the_same_options_as_the_seed_lab() {
    let start = vpcsim(&["lab", "nat-instance", "--from-start"]);
    assert!(start.stdout.starts_with("nat-instance-lab.yaml after 0 of "), "{}", start.stdout);
    let two = vpcsim(&["lab", "nat-instance", "--until", "2", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&two.stdout).expect("one JSON document");
    assert_eq!(v[0]["steps"].as_array().map(Vec::len), Some(2));
    let rest = vpcsim(&["lab", "nat-instance"]);
    assert!(
        rest.stdout.ends_with("more steps (clean-up): vpcsim lab nat-instance --until end\n"),
        "{}",
        rest.stdout
    );
}

#[test]
fn lab_list_names_every_lab_and_how_to_run_it() {
    let ran = vpcsim(&["lab", "--list"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("\n  privatelink\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("      vpcsim lab\n"), "{}", ran.stdout);
    for lab in vpcsim::labs::LABS.iter().skip(1) {
        assert!(ran.stdout.contains(&format!("      vpcsim lab {}\n", lab.name)), "{}", ran.stdout);
    }
}

#[test]
fn an_unknown_lab_is_invalid_input_that_suggests_the_closest_name() {
    let ran = vpcsim(&["lab", "nat-instanse"]);
    assert_eq!(ran.code, 2, "{}", ran.stdout);
    assert!(ran.stderr.contains("(did you mean nat-instance?)"), "{}", ran.stderr);
    let ran = vpcsim(&["lab", "nat-instance", "--parameter", "KeyName=x"]);
    assert_eq!(ran.code, 2, "--parameter is refused, not ignored: {}", ran.stdout);
}
