//! What the page draws: a world's [`Diagram`] (the same model as `vpcsim graph`) as
//! JSON, a trace's forward and return paths as the diagram nodes they pass, and each hop
//! as `vpcsim trace` prints it.

use serde_json::{json, Value};

use crate::graph::{Cluster, Diagram, EdgeKind, Node, NodeKind, NodeRef};
use crate::trace::{Hop, Trace};
use crate::world::World;

/// The topology of `w`: `{nodes: [{id, kind, label}], top: [id], clusters: [{id, level,
/// label, nodes: [id], clusters}], edges: [{from, to, kind, label}], ids: {aws id: node id}}`.
pub fn topology(w: &World) -> Value {
    let d = Diagram::of(w, None);
    let node = |n: &Node| {
        let mut label: Vec<String> = Vec::new();
        d.node_label(n, &mut label);
        json!({"id": n.id(), "kind": node_kind(n.kind()), "label": label})
    };
    let nodes: Vec<Value> = d.nodes().iter().map(node).collect();
    let top: Vec<NodeRef> = d.top_nodes().map(Node::id).collect();
    let clusters: Vec<Value> = d.clusters().map(|c| cluster(&d, c)).collect();
    let edges: Vec<Value> = d
        .edges()
        .iter()
        .map(|e| {
            let label = d.edge_label(e).map(|l| l.to_string());
            json!({"from": e.from(), "to": e.to().to_string(), "kind": edge_kind(e.kind()), "label": label})
        })
        .collect();
    let ids: serde_json::Map<String, Value> =
        d.aws_ids().into_iter().map(|(id, n)| (id.to_string(), Value::String(n.to_string()))).collect();
    json!({"nodes": nodes, "top": top, "clusters": clusters, "edges": edges, "ids": ids})
}

fn cluster(d: &Diagram, c: &Cluster) -> Value {
    let nodes: Vec<NodeRef> = d.nodes_in(c).iter().map(Node::id).collect();
    let inner: Vec<Value> = d.inner(c).map(|k| cluster(d, k)).collect();
    let mut label: Vec<String> = Vec::new();
    d.cluster_label(c, &mut label);
    json!({"id": c.id().to_string(), "level": c.level(), "label": label, "nodes": nodes, "clusters": inner})
}

fn node_kind(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Instance => "instance",
        NodeKind::LoadBalancer => "load-balancer",
        NodeKind::Endpoint => "vpc-endpoint",
        NodeKind::Service => "endpoint-service",
        NodeKind::Gateway => "internet-gateway",
        NodeKind::NatGateway => "nat-gateway",
        NodeKind::GatewayEndpoint => "gateway-endpoint",
        NodeKind::Peering => "vpc-peering-connection",
        NodeKind::Internet => "internet",
    }
}

fn edge_kind(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::Link => "link",
        EdgeKind::Target => "target",
        EdgeKind::PrivateLink => "privatelink",
        EdgeKind::Path => "path",
        EdgeKind::Return => "return",
        EdgeKind::Blocked => "blocked",
        EdgeKind::Peering => "peering",
    }
}

/// The nodes both paths of `t` pass, and where it was blocked: `{forward: [[node, seq]],
/// return: [[node, seq]], blocked: {node, code} | null}`.
pub fn drawn(w: &World, t: &Trace) -> Value {
    let d = Diagram::of(w, Some(t));
    let blocked = d.blocked().map(|(node, code)| json!({"node": node, "code": code.as_str()}));
    json!({"forward": d.path(&t.forward), "return": d.path(&t.ret), "blocked": blocked})
}

/// Each hop as the page lists it: `{seq, kind, id, name, matched, inbound, outbound}`, the
/// headers and what matched as `vpcsim trace` prints them.
pub fn hops(hops: &[Hop]) -> Value {
    let text = |h: &Option<crate::trace::Header>| h.map(|h| h.to_string());
    hops.iter()
        .map(|h| {
            json!({
                "seq": h.seq,
                "kind": h.kind.as_str(),
                "id": h.id.as_str(),
                "name": h.name.as_deref(),
                "matched": h.matched.as_ref().map(ToString::to_string),
                "inbound": text(&h.inbound),
                "outbound": text(&h.outbound),
            })
        })
        .collect()
}
