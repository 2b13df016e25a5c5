//! The diagram as a Mermaid flowchart, its title in front matter (GitHub renders it in
//! Markdown): nodes and subgraphs with their labels, then edges, then the styles of the
//! traced path's edges and of the node where it was blocked.

use std::fmt::{self, Write};

use super::label::Lines;
use super::{push_pad, Cluster, Diagram, EdgeKind, Node, NodeKind};

impl Diagram<'_> {
    /// The diagram as a Mermaid flowchart with its title in front matter (GitHub renders it in Markdown).
    pub fn mermaid(&self) -> String {
        let title = self.title.lines().collect::<Vec<_>>().join(" / ");
        let mut out =
            format!("---\ntitle: \"{}\"\n---\nflowchart LR\n", title.replace('\\', "").replace('"', "'"));
        for n in self.top_nodes() {
            self.mermaid_node(&mut out, n, 1);
        }
        for c in self.clusters() {
            self.mermaid_cluster(&mut out, c, 1);
        }
        let mut styles: Vec<(usize, &str)> = Vec::new();
        for (i, e) in self.edges.iter().enumerate() {
            let arrow = match e.kind {
                EdgeKind::Link => "---",
                EdgeKind::Target => "-->",
                EdgeKind::PrivateLink => "-.->",
                EdgeKind::Path | EdgeKind::Blocked => "==>",
                EdgeKind::Return => "-.->",
                EdgeKind::Peering => "===",
            };
            let _ = write!(out, "  {} {arrow}", e.from);
            if let Some(label) = self.edge_label(e) {
                out.push_str("|\"");
                let _ = write!(Escaped(&mut out), "{label}");
                out.push_str("\"|");
            }
            let _ = writeln!(out, " {}", e.to);
            match e.kind {
                EdgeKind::Path => styles.push((i, "stroke:#1f6fd1,stroke-width:3px")),
                EdgeKind::Return => styles.push((i, "stroke:#1f6fd1,stroke-width:2px,stroke-dasharray:5 5")),
                EdgeKind::Blocked => styles.push((i, "stroke:#d62728,stroke-width:3px")),
                _ => {}
            }
        }
        for (i, s) in styles {
            let _ = writeln!(out, "  linkStyle {i} {s}");
        }
        if let Some((at, _)) = self.blocked {
            let _ = writeln!(out, "  style {at} fill:#f9c4c4,stroke:#d62728,stroke-width:3px");
        }
        out
    }

    fn mermaid_node(&self, out: &mut String, n: &Node, depth: usize) {
        push_pad(out, depth);
        let (open, close) = match n.kind() {
            NodeKind::Internet => ("((", "))"),
            NodeKind::Gateway | NodeKind::NatGateway | NodeKind::GatewayEndpoint | NodeKind::Peering => {
                ("{{", "}}")
            }
            NodeKind::Service => ("[[", "]]"),
            _ => ("(", ")"),
        };
        let _ = write!(out, "{}{open}\"", n.at);
        let mut lines = MermaidLines { out, first: true };
        self.node_label(n, &mut lines);
        if let Some((_, code)) = self.blocked.filter(|(at, _)| *at == n.at) {
            lines.line(format_args!("blocked: {}", code.as_str()));
        }
        out.push('"');
        out.push_str(close);
        out.push('\n');
    }

    fn mermaid_cluster(&self, out: &mut String, c: &Cluster, depth: usize) {
        push_pad(out, depth);
        let _ = write!(out, "subgraph {}[\"", c.at);
        self.cluster_label(c, &mut MermaidLines { out, first: true });
        out.push_str("\"]\n");
        for n in self.nodes_in(c) {
            self.mermaid_node(out, n, depth + 1);
        }
        for inner in self.inner(c) {
            self.mermaid_cluster(out, inner, depth + 1);
        }
        push_pad(out, depth);
        out.push_str("end\n");
    }
}

/// Label lines into Mermaid text: escaped, joined by `<br/>`.
struct MermaidLines<'a> {
    out: &'a mut String,
    first: bool,
}

impl Lines for MermaidLines<'_> {
    fn line(&mut self, text: fmt::Arguments<'_>) {
        if !self.first {
            self.out.push_str("<br/>");
        }
        self.first = false;
        let _ = Escaped(self.out).write_fmt(text);
    }
}

/// Text with Mermaid's escape for a double quote inside a quoted label (`#quot;`).
struct Escaped<'a>(&'a mut String);

impl Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut parts = s.split('"');
        if let Some(first) = parts.next() {
            self.0.push_str(first);
        }
        for part in parts {
            self.0.push_str("#quot;");
            self.0.push_str(part);
        }
        Ok(())
    }
}
