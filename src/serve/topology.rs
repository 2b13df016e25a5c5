//! What the page draws: a world's [`Diagram`] (the same model as `vpcsim graph`) as
//! JSON, a trace's forward and return paths as the diagram nodes they pass, and the
//! paragraph of docs/explanation-codes.md that explains a code.

use serde_json::{json, Value};

use crate::graph::{Cluster, Diagram, EdgeKind, NodeKind};
use crate::trace::{ExplanationCode, Hop, Trace};
use crate::world::World;

/// The explanation codes' page, built in: the page shows the paragraph of a blocked flow's code.
const EXPLANATION_CODES: &str = include_str!("../../docs/explanation-codes.md");

/// The topology of `w`: `{nodes: [{id, kind, label}], top: [id], clusters: [{id, level,
/// label, nodes: [id], clusters}], edges: [{from, to, kind, label}], ids: {aws id: node id}}`.
pub fn topology(w: &World) -> Value {
    let d = Diagram::of(w, None);
    let nodes: Vec<Value> =
        d.nodes.iter().map(|n| json!({"id": n.id, "kind": node_kind(n.kind), "label": n.label})).collect();
    let top: Vec<&str> = d.top_nodes.iter().map(|&i| d.nodes[i].id.as_str()).collect();
    let clusters: Vec<Value> = d.clusters.iter().map(|c| cluster(&d, c)).collect();
    let edges: Vec<Value> = d
        .edges
        .iter()
        .map(|e| json!({"from": e.from, "to": e.to, "kind": edge_kind(e.kind), "label": e.label}))
        .collect();
    json!({"nodes": nodes, "top": top, "clusters": clusters, "edges": edges, "ids": d.by_aws_id})
}

fn cluster(d: &Diagram, c: &Cluster) -> Value {
    let nodes: Vec<&str> = c.nodes.iter().map(|&i| d.nodes[i].id.as_str()).collect();
    let inner: Vec<Value> = c.clusters.iter().map(|k| cluster(d, k)).collect();
    json!({"id": c.id, "level": c.level, "label": c.label, "nodes": nodes, "clusters": inner})
}

fn node_kind(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Instance => "instance",
        NodeKind::LoadBalancer => "load-balancer",
        NodeKind::Endpoint => "vpc-endpoint",
        NodeKind::Service => "endpoint-service",
        NodeKind::Gateway => "internet-gateway",
        NodeKind::Internet => "internet",
    }
}

fn edge_kind(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::Link => "link",
        EdgeKind::Target => "target",
        EdgeKind::PrivateLink => "privatelink",
        EdgeKind::Path => "path",
        EdgeKind::Blocked => "blocked",
    }
}

/// The nodes both paths of `t` pass, and where it was blocked: `{forward: [[node, seq]],
/// return: [[node, seq]], blocked: {node, code} | null}`.
pub fn drawn(w: &World, t: &Trace) -> Value {
    let d = Diagram::of(w, Some(t));
    let blocked = d.blocked.as_ref().map(|(node, code)| json!({"node": node, "code": code}));
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

/// The paragraph that explains `code` in docs/explanation-codes.md, as plain text (links
/// keep their words, code spans lose their backticks); `None` for a code it lacks.
pub fn paragraph(code: ExplanationCode) -> Option<String> {
    let heading = format!("## {}\n", code.as_str());
    let start = EXPLANATION_CODES.find(&heading)? + heading.len();
    let rest = &EXPLANATION_CODES[start..];
    let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
    Some(plain(section.trim()))
}

/// Markdown links `[words](target)` as their words, without backticks; lines joined
/// within a paragraph, paragraphs kept apart.
fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](").and_then(|mid| after[mid..].find(')').map(|close| (mid, mid + close))) {
            Some((mid, close)) if !after[..mid].contains('[') => {
                out.push_str(&after[..mid]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    let out = out.replace('`', "");
    out.split("\n\n").map(|p| p.split('\n').collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_explanation_code_has_a_paragraph_in_the_docs() {
        for code in ExplanationCode::ALL {
            let p = paragraph(code).unwrap_or_default();
            assert!(p.len() > 40, "{code}: {p:?}");
            assert!(!p.contains("](") && !p.contains('`'), "{code}: {p}");
        }
    }

    #[test]
    fn links_keep_their_words_and_lose_their_targets() {
        assert_eq!(plain("see [the rules](aws-rules.md#r) and `x`\nnext"), "see the rules and x next");
        assert_eq!(plain("a [b] c"), "a [b] c");
    }
}
