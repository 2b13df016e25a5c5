//! `vpcsim graph` keeps its bytes: the DOT and Mermaid of every scenario, with and
//! without a traced path, and the page's topology JSON, compared with snapshots in
//! tests/snapshots/ that were written by the diagram code before its model became flat
//! (commit "graph: snapshots of every scenario's diagram, from the String-per-node
//! model"). A change to the model that changes a byte fails here.

use std::process::Command;

#[path = "../benches/common/mod.rs"]
mod bench;

use vpcsim::lab::{Lab, LabOptions};
use vpcsim::trace::{Flow, Header};

/// `vpcsim graph ARGS` from the crate's folder: its standard output, which must be a success.
fn graph(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .arg("graph")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "vpcsim graph {args:?} failed: {stderr}");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The scenarios whose diagrams were snapshotted (`graph_output_NAME_dot.snap`), by name,
/// in name order. A scenario added later has no snapshot and is not compared; one edited
/// later changes its snapshot, reviewed as any other.
fn snapshotted_scenarios() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("tests/snapshots/ reads")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| {
            Some(n.strip_prefix("graph_output__graph_output_")?.strip_suffix(".yaml_dot.snap")?.to_string())
        })
        .map(|n| format!("{n}.yaml"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_snapshotted_scenario_s_dot_and_mermaid_keep_their_bytes() {
    let names = snapshotted_scenarios();
    assert!(names.len() >= 19, "the snapshots are found ({})", names.len());
    for name in names {
        let file = format!("scenarios/{name}");
        insta::assert_snapshot!(format!("graph_output_{name}_dot"), graph(&[&file]));
        insta::assert_snapshot!(
            format!("graph_output_{name}_mermaid"),
            graph(&[&file, "--format", "mermaid"])
        );
    }
}

#[test]
fn traced_paths_over_scenarios_keep_their_bytes() {
    let cases: [(&str, &[&str]); 7] = [
        (
            "nat",
            &[
                "scenarios/lesson-nat-gateway-egress.yaml",
                "--trace",
                "Private-EC2",
                "checkip.amazonaws.com:80",
            ],
        ),
        (
            "peering",
            &[
                "scenarios/lesson-peering-not-transitive.yaml",
                "--until",
                "1",
                "--trace",
                "client",
                "10.0.1.10:80",
            ],
        ),
        (
            "peering_after_the_lesson",
            &["scenarios/lesson-peering-not-transitive.yaml", "--trace", "client", "10.2.1.10:80"],
        ),
        (
            "s3",
            &[
                "scenarios/lesson-s3-gateway-endpoint.yaml",
                "--trace",
                "worker",
                "s3.ap-northeast-2.amazonaws.com:443",
            ],
        ),
        (
            "no_public_ip",
            &[
                "scenarios/lesson-no-public-ip.yaml",
                "--until",
                "1",
                "--trace",
                "My-EC2",
                "checkip.amazonaws.com:80",
            ],
        ),
        ("lab_web", &["lab", "--trace", "My-EC2", "Custom-WEB-1:80"]),
        ("lab_nlb_mermaid", &["lab", "--trace", "My-EC2", "Custom-NLB:80", "--format", "mermaid"]),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("graph_output_trace_{name}"), graph(args));
    }
}

#[test]
fn the_page_s_topology_and_drawn_path_keep_their_json() {
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    let ep = lab.connect_privatelink().expect("the endpoint connects");
    let w = &lab.world;
    let topology = serde_json::to_string_pretty(&vpcsim::serve::topology::topology(w)).expect("JSON");
    insta::assert_snapshot!("graph_output_topology_lab", topology);
    let eni = w[lab.my_ec2].eni;
    let dst = w[w[ep].enis[0]].private_ip;
    let header = Header {
        src: w[eni].private_ip,
        dst,
        protocol: vpcsim::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    };
    let trace = w.trace(eni, Flow { header, seq: 1 });
    let drawn = serde_json::to_string_pretty(&vpcsim::serve::topology::drawn(w, &trace)).expect("JSON");
    insta::assert_snapshot!("graph_output_drawn_lab", drawn);
}

#[test]
fn the_benchmark_s_generated_region_keeps_its_dot() {
    let mut lab = bench::lab_flow().lab;
    bench::add_vpcs(&mut lab.world, 3, 3);
    insta::assert_snapshot!("graph_output_generated_dot", vpcsim::graph::Diagram::of(&lab.world, None).dot());
}

#[test]
fn the_reach_benchmark_s_mixed_region_keeps_its_dot_and_mermaid() {
    let mut lab = bench::lab_flow().lab;
    bench::region::add_mixed_region(&mut lab.world, 20);
    let d = vpcsim::graph::Diagram::of(&lab.world, None);
    insta::assert_snapshot!("graph_output_mixed_region_dot", d.dot());
    insta::assert_snapshot!("graph_output_mixed_region_mermaid", d.mermaid());
}
