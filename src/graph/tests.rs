//! Unit tests of the diagram: clusters, node lookup through the world's index, labels.

use super::*;

/// A cluster's label lines.
fn label(d: &Diagram, c: &Cluster) -> Vec<String> {
    let mut lines = Vec::new();
    d.cluster_label(c, &mut lines);
    lines
}

#[test]
fn the_lab_has_a_cluster_per_vpc_and_subnets_inside_their_az() {
    let lab = crate::lab::Lab::build(Default::default()).unwrap();
    let d = Diagram::of(&lab.world, None);
    let vpcs: Vec<&Cluster> = d.clusters().collect();
    assert_eq!(vpcs.len(), 2);
    let zone = d.inner(vpcs[0]).next().expect("a zone");
    assert_eq!(label(&d, zone), ["ap-northeast-2a"]);
    assert_eq!(d.inner(zone).next().map(Cluster::level), Some("subnet"));
    assert_eq!(d.edges().iter().filter(|e| e.kind() == EdgeKind::Target).count(), 2);
}

#[test]
fn a_cluster_s_nodes_at_any_depth_are_one_run_of_the_diagram_s_nodes() {
    let lab = crate::lab::Lab::build(Default::default()).unwrap();
    let d = Diagram::of(&lab.world, None);
    fn all<'a>(d: &'a Diagram, c: &'a Cluster, out: &mut Vec<NodeRef>) {
        out.extend(d.nodes_in(c).iter().map(Node::id));
        for inner in d.inner(c) {
            all(d, inner, out);
        }
    }
    for c in d.clusters() {
        let mut walked = Vec::new();
        all(&d, c, &mut walked);
        let run: Vec<NodeRef> =
            d.nodes()[c.first_node as usize..c.nodes_end as usize].iter().map(Node::id).collect();
        assert_eq!(walked, run, "cluster {}", c.id());
        assert!(!run.is_empty());
    }
}

#[test]
fn a_traced_path_is_numbered_with_the_hops_sequence() {
    let mut lab = crate::lab::Lab::ready(Default::default()).unwrap();
    let ep = lab.connect_privatelink().unwrap();
    let w = &lab.world;
    let dst = w[w[ep].enis[0]].private_ip;
    let eni = w[lab.my_ec2].eni;
    let header = crate::trace::Header {
        src: w[eni].private_ip,
        dst,
        protocol: crate::addr::Protocol::Tcp,
        src_port: 40000,
        dst_port: 80,
    };
    let trace = w.trace(eni, crate::trace::Flow { header, seq: 1 });
    let d = Diagram::of(w, Some(&trace));
    let text = |e: &Edge| d.edge_label(e).map(|l| l.to_string());
    let path: Vec<&Edge> = d.edges().iter().filter(|e| e.kind() == EdgeKind::Path).collect();
    assert_eq!(path[0].from(), NodeRef::Instance(lab.my_ec2));
    assert!(path.iter().any(|e| matches!(e.to(), EdgeEnd::Node(NodeRef::Service(_)))));
    let numbers: Vec<String> = path.iter().filter_map(|e| text(e)).collect();
    let expected: Vec<String> = (1..=path.len()).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected, "forward hops are numbered without gaps");
    let ret: Vec<&Edge> = d.edges().iter().filter(|e| e.kind() == EdgeKind::Return).collect();
    assert!(!ret.is_empty(), "the return path is drawn");
    assert_eq!(text(ret[0]).as_deref(), Some("r1"));
    assert_eq!(
        ret.last().map(|e| e.to()),
        Some(EdgeEnd::Node(NodeRef::Instance(lab.my_ec2))),
        "it returns to My-EC2"
    );
    assert!(d.dot().contains("style=dashed, color=\"#1f6fd1\""), "return edges are dashed");
    assert!(d.blocked().is_none());
}

#[test]
fn a_load_balancer_s_edges_to_its_targets_name_the_target_port() {
    let lab = crate::lab::Lab::build(Default::default()).unwrap();
    let d = Diagram::of(&lab.world, None);
    let labels: Vec<String> = d
        .edges()
        .iter()
        .filter(|e| e.kind() == EdgeKind::Target)
        .filter_map(|e| d.edge_label(e).map(|l| l.to_string()))
        .collect();
    assert_eq!(labels, ["Custom-NLB-TG to port 80", "Custom-NLB-TG to port 80"]);
}

#[test]
fn every_drawn_aws_id_finds_its_node_through_the_world_s_index() {
    let mut lab = crate::lab::Lab::ready(Default::default()).unwrap();
    lab.connect_privatelink().unwrap();
    let d = Diagram::of(&lab.world, None);
    let ids = d.aws_ids();
    assert!(ids.len() > d.nodes().len(), "instances add their interface's id too");
    for (id, node) in ids {
        let found = d.node_by_aws_id(id);
        match node {
            // A load balancer's or endpoint's id finds its first node.
            NodeRef::LoadBalancer(lb, _) if id.starts_with("arn:") => {
                assert_eq!(found, Some(NodeRef::LoadBalancer(lb, 0)))
            }
            _ => assert_eq!(found, Some(node), "{id}"),
        }
    }
    assert_eq!(d.node_by_aws_id("vpc-00000000"), None);
}

#[test]
fn m4_an_instance_s_secondary_interface_is_found_on_its_instance() {
    let mut lab = crate::lab::Lab::build(Default::default()).unwrap();
    let w = &mut lab.world;
    let subnet = w[w[lab.my_ec2].eni].subnet;
    let spare = w
        .create_network_interface(crate::ops::ec2::CreateNetworkInterface {
            subnet: Some(subnet),
            ..Default::default()
        })
        .unwrap();
    w.attach_network_interface(spare, lab.my_ec2, 1, false).unwrap();
    let d = Diagram::of(&lab.world, None);
    assert_eq!(d.node_by_aws_id(&lab.world[spare].aws_id), Some(NodeRef::Instance(lab.my_ec2)));
}

#[test]
fn m6_an_interfaces_secondary_address_is_a_line_of_its_node_with_its_elastic_ip() {
    let mut lab = crate::lab::Lab::build(Default::default()).unwrap();
    let w = &mut lab.world;
    let eni = w[lab.my_ec2].eni;
    let ask = crate::ops::private_ip::AssignPrivateIps { count: 1, ..Default::default() };
    let secondary = w.assign_private_ip_addresses(eni, ask).unwrap()[0];
    let eip = w.allocate_address(Default::default());
    w.associate_address_with(eip, eni, Some(secondary)).unwrap();
    let public = w[eip].public_ip;
    let d = Diagram::of(&lab.world, None);
    let node = d.nodes().iter().find(|n| n.at == NodeRef::Instance(lab.my_ec2)).unwrap();
    let mut lines: Vec<String> = Vec::new();
    d.node_label(node, &mut lines);
    assert!(lines.contains(&format!("{secondary} | {public}")), "{lines:?}");
}
