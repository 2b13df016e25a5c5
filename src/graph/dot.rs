//! The diagram as Graphviz DOT, written into one buffer sized up front: every id and
//! label goes from the world straight into it, escaped on the way.

use std::fmt::{self, Write};

use super::label::Lines;
use super::{push_pad, Cluster, Diagram, EdgeEnd, EdgeKind, Node, NodeKind};

/// Bytes a node's, cluster's or edge's fixed text and style take at most, and about
/// what its ids and label add (a buffer that turns out short grows, as a `String` does).
const PER_NODE: usize = 200;
const PER_CLUSTER: usize = 160;
const PER_EDGE: usize = 150;

impl Diagram<'_> {
    /// The diagram as Graphviz DOT (`dot -Tsvg` draws it), written into one buffer sized
    /// for the diagram up front: no text is built per node or edge and then copied.
    pub fn dot(&self) -> String {
        let size = 512
            + self.title.len()
            + PER_NODE * self.nodes.len()
            + PER_CLUSTER * self.clusters.len()
            + PER_EDGE * self.edges.len();
        let mut out = String::with_capacity(size);
        out.push_str("digraph vpcsim {\n");
        out.push_str("  graph [fontname=\"Helvetica\", rankdir=LR, compound=true, label=\"");
        let mut title = DotLines::new(&mut out);
        for line in self.title.lines() {
            title.line(format_args!("{line}"));
        }
        out.push_str("\", labelloc=t];\n");
        out.push_str(
            "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        for n in self.top_nodes() {
            self.dot_node(&mut out, n, 1);
        }
        for c in self.clusters() {
            self.dot_cluster(&mut out, c, 1);
        }
        for e in &self.edges {
            // A peering edge ends at a VPC's cluster: DOT draws it to the cluster's first node.
            let (to, head) = match e.to {
                EdgeEnd::Vpc(v) => match self.first_node_of(v) {
                    Some(n) => (n, Some(v)),
                    None => continue,
                },
                EdgeEnd::Node(n) => (n, None),
            };
            let _ = write!(out, "  {} -> {to} [", e.from);
            out.push_str(dot_edge_style(e.kind));
            if let Some(label) = self.edge_label(e) {
                out.push_str(", label=\"");
                let _ = write!(Escaped(&mut out), "{label}");
                out.push('"');
            }
            if let Some(v) = head {
                let _ = write!(out, ", lhead=cluster_vpc{}", v.0);
            }
            out.push_str("];\n");
        }
        out.push_str("}\n");
        out
    }

    fn dot_node(&self, out: &mut String, n: &Node, depth: usize) {
        push_pad(out, depth);
        let _ = write!(out, "{} [label=\"", n.at);
        let mut lines = DotLines::new(out);
        self.node_label(n, &mut lines);
        let style = match self.blocked.filter(|(at, _)| *at == n.at) {
            Some((_, code)) => {
                lines.line(format_args!("blocked: {}", code.as_str()));
                "shape=box, style=\"rounded,filled,bold\", color=\"#d62728\", fillcolor=\"#f9c4c4\""
            }
            None => dot_node_style(n.kind()),
        };
        out.push_str("\", ");
        out.push_str(style);
        out.push_str("];\n");
    }

    fn dot_cluster(&self, out: &mut String, c: &Cluster, depth: usize) {
        let style = match c.level() {
            "vpc" => "style=rounded; color=\"#1b75bb\"; penwidth=2;",
            "az" => "style=dashed; color=\"#888888\";",
            _ => "style=\"rounded,filled\"; color=\"#9ccc9c\"; fillcolor=\"#f2faf2\";",
        };
        push_pad(out, depth);
        let _ = writeln!(out, "subgraph cluster_{} {{", c.at);
        push_pad(out, depth);
        out.push_str("  label=\"");
        self.cluster_label(c, &mut DotLines::new(out));
        out.push_str("\"; ");
        out.push_str(style);
        out.push('\n');
        for n in self.nodes_in(c) {
            self.dot_node(out, n, depth + 1);
        }
        for inner in self.inner(c) {
            self.dot_cluster(out, inner, depth + 1);
        }
        push_pad(out, depth);
        out.push_str("}\n");
    }
}

/// Label lines into DOT text: escaped, joined by DOT's `\n`.
struct DotLines<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> DotLines<'a> {
    fn new(out: &'a mut String) -> DotLines<'a> {
        DotLines { out, first: true }
    }
}

impl Lines for DotLines<'_> {
    fn line(&mut self, text: fmt::Arguments<'_>) {
        if !self.first {
            self.out.push_str("\\n");
        }
        self.first = false;
        let _ = Escaped(self.out).write_fmt(text);
    }
}

/// Text written with DOT's quoted-string escapes (backslash and double quote).
struct Escaped<'a>(&'a mut String);

impl Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some(at) = rest.find(['\\', '"']) {
            self.0.push_str(&rest[..at]);
            self.0.push('\\');
            self.0.push_str(&rest[at..at + 1]);
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        Ok(())
    }
}

fn dot_node_style(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Instance => "shape=box, style=\"rounded,filled\", fillcolor=\"#fff3d6\"",
        NodeKind::LoadBalancer => "shape=box, style=\"rounded,filled\", fillcolor=\"#e3d7f7\"",
        NodeKind::Endpoint => "shape=box, style=\"rounded,filled\", fillcolor=\"#d6f0ff\"",
        NodeKind::Service => "shape=component, style=filled, fillcolor=\"#d6f0ff\"",
        NodeKind::Gateway => "shape=cds, style=filled, fillcolor=\"#dff5df\"",
        NodeKind::NatGateway => "shape=cds, style=filled, fillcolor=\"#fde2c8\"",
        NodeKind::GatewayEndpoint => "shape=cds, style=filled, fillcolor=\"#d6f0ff\"",
        NodeKind::Peering => "shape=hexagon, style=filled, fillcolor=\"#f2e6ff\"",
        NodeKind::Internet => "shape=ellipse, style=filled, fillcolor=\"#eeeeee\"",
    }
}

fn dot_edge_style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Link => "dir=none, color=\"#4a8f4a\"",
        EdgeKind::Target => "color=\"#7a5cad\"",
        EdgeKind::PrivateLink => "style=dashed, color=\"#1b75bb\"",
        EdgeKind::Path => "color=\"#1f6fd1\", penwidth=2.5, fontcolor=\"#1f6fd1\", constraint=false",
        EdgeKind::Return => {
            "style=dashed, color=\"#1f6fd1\", penwidth=1.5, fontcolor=\"#1f6fd1\", constraint=false"
        }
        EdgeKind::Blocked => "color=\"#d62728\", penwidth=2.5, fontcolor=\"#d62728\", constraint=false",
        EdgeKind::Peering => "dir=none, style=bold, color=\"#8a5cc2\"",
    }
}
