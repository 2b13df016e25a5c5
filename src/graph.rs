//! A world as a diagram people can read: a cluster per VPC, its subnets inside
//! their Availability Zone, instances, load balancer nodes, endpoint interfaces and NAT
//! gateways in their subnets, internet gateways and gateway endpoints in their VPC (the
//! internet gateway joined to the internet), the load balancer's edges to its targets,
//! the PrivateLink edges from endpoint interfaces through the endpoint service to the
//! load balancer, and each VPC peering connection between the two VPCs it joins.
//!
//! A traced path can be drawn over it: the forward path's components in order, its
//! edges numbered 1, 2, 3 ... without gaps (hops the diagram does not draw, such as
//! route tables, are passed over), and the return path dashed, numbered r1, r2 ...; a
//! blocked flow marks where it stopped in red with its explanation code, inside the box.
//! A load balancer's edges to its targets name the target group and the target port.
//!
//! The diagram is built once as a small model ([`Diagram`]) and rendered as
//! Graphviz DOT ([`Diagram::dot`]) or Mermaid ([`Diagram::mermaid`]). Output is
//! deterministic: arena order, no hash-map iteration.
//!
//! ```
//! let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
//! let dot = vpcsim::graph::Diagram::of(&lab.world, None).dot();
//! assert!(dot.starts_with("digraph vpcsim {"));
//! assert!(dot.contains("My-Public-SN"));
//! ```

use std::fmt::Write;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;

use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::instance::InstanceState;
use crate::model::nlb::TargetRef;
use crate::trace::{ComponentKind, Hop, Trace};
use crate::world::{Handle, World};

/// What a node stands for; it decides the node's shape and colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An instance.
    Instance,
    /// A load balancer node (one per subnet).
    LoadBalancer,
    /// An interface endpoint's network interface.
    Endpoint,
    /// An endpoint service.
    Service,
    /// An internet gateway.
    Gateway,
    /// A NAT gateway (in its subnet).
    NatGateway,
    /// A gateway endpoint (S3, DynamoDB) in its VPC.
    GatewayEndpoint,
    /// A VPC peering connection, between its two VPCs.
    Peering,
    /// The internet.
    Internet,
}

/// One box of the diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Identifier in the diagram's text (`i0`, `lb0_0`, ...).
    pub id: String,
    /// Lines of its label.
    pub label: Vec<String>,
    /// What it stands for.
    pub kind: NodeKind,
}

/// A box around boxes: a VPC, an Availability Zone, a subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Identifier (`vpc0`, `vpc0_az0`, `subnet0`).
    pub id: String,
    /// Lines of its label.
    pub label: Vec<String>,
    /// `vpc`, `az` or `subnet`.
    pub level: &'static str,
    /// Nodes directly inside, by index into [`Diagram::nodes`].
    pub nodes: Vec<usize>,
    /// Clusters inside.
    pub clusters: Vec<Cluster>,
}

/// How an edge is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A gateway's link to the internet.
    Link,
    /// A load balancer node to a target.
    Target,
    /// PrivateLink: endpoint to service, service to load balancer.
    PrivateLink,
    /// A hop of the traced path.
    Path,
    /// A hop of the traced flow's return path (dashed).
    Return,
    /// The traced path's last hop, where it was blocked.
    Blocked,
    /// A peering connection to one of its VPCs (the edge ends on the VPC's cluster).
    Peering,
}

/// One line between two nodes (a [`EdgeKind::Peering`] edge ends on a VPC's cluster).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// From node id.
    pub from: String,
    /// To node id, or cluster id for a peering edge.
    pub to: String,
    /// Label, if any.
    pub label: Option<String>,
    /// How it is drawn.
    pub kind: EdgeKind,
}

/// The diagram model, ready to render.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    /// Title.
    pub title: String,
    /// Every node.
    pub nodes: Vec<Node>,
    /// Nodes outside any VPC, by index.
    pub top_nodes: Vec<usize>,
    /// VPC clusters.
    pub clusters: Vec<Cluster>,
    /// Edges, the traced path's last.
    pub edges: Vec<Edge>,
    /// The node where a traced flow was blocked, with the explanation code.
    pub blocked: Option<(String, String)>,
    /// AWS ids (instances, interfaces, gateways, endpoints, services, load balancers) to node ids.
    pub by_aws_id: IndexMap<String, String>,
}

impl Diagram {
    /// The diagram of `w`, with `trace`'s forward path drawn over it when given.
    pub fn of(w: &World, trace: Option<&Trace>) -> Diagram {
        let mut d = Diagram { title: format!("vpcsim: {}", w.region().name), ..Diagram::default() };
        let internet = d.add(None, "internet", vec!["Internet".into()], NodeKind::Internet);
        d.top_nodes.push(internet);
        d.by_aws_id.insert("internet".into(), "internet".into());
        let members = Members::of(w);
        for (v, _) in w.vpcs().live() {
            let cluster = d.vpc_cluster(w, &members, v);
            d.clusters.push(cluster);
        }
        d.service_nodes(w, &members);
        d.peering_nodes(w);
        d.target_edges(w);
        if let Some(t) = trace {
            d.overlay(t);
        }
        d
    }

    fn add(&mut self, aws_id: Option<&str>, id: &str, label: Vec<String>, kind: NodeKind) -> usize {
        if let Some(a) = aws_id {
            self.by_aws_id.insert(a.to_string(), id.to_string());
        }
        self.nodes.push(Node { id: id.to_string(), label, kind });
        self.nodes.len() - 1
    }

    fn vpc_cluster(&mut self, w: &World, members: &Members, vpc: VpcId) -> Cluster {
        let v = &w[vpc];
        let name = w.name_of(Handle::Vpc(vpc)).unwrap_or("VPC");
        let mut c = Cluster {
            id: format!("vpc{}", vpc.0),
            label: vec![format!("{name} {}", v.cidr), v.aws_id.clone()],
            level: "vpc",
            nodes: Vec::new(),
            clusters: Vec::new(),
        };
        if let Some(g) = w.igw_of(vpc) {
            let igw = &w[g];
            let name = w.name_of(Handle::Igw(g)).unwrap_or("internet gateway");
            let id = format!("igw{}", g.0);
            let n =
                self.add(Some(&igw.aws_id), &id, vec![name.into(), igw.aws_id.clone()], NodeKind::Gateway);
            c.nodes.push(n);
            self.edges.push(Edge { from: id, to: "internet".into(), label: None, kind: EdgeKind::Link });
        }
        for &g in members.gateway_endpoints(vpc) {
            let n = self.gateway_endpoint_node(w, g);
            c.nodes.push(n);
        }
        for (k, az) in w.region().azs.iter().enumerate() {
            let subnets: Vec<SubnetId> =
                members.subnets(vpc).iter().copied().filter(|s| w[s].az == *az).collect();
            if subnets.is_empty() {
                continue;
            }
            let mut zone = Cluster {
                id: format!("vpc{}_az{k}", vpc.0),
                label: vec![az.to_string()],
                level: "az",
                nodes: Vec::new(),
                clusters: Vec::new(),
            };
            for s in subnets {
                let cluster = self.subnet_cluster(w, members, s);
                zone.clusters.push(cluster);
            }
            c.clusters.push(zone);
        }
        c
    }

    fn subnet_cluster(&mut self, w: &World, members: &Members, subnet: SubnetId) -> Cluster {
        let s = &w[subnet];
        let name = w.name_of(Handle::Subnet(subnet)).unwrap_or("subnet");
        let rt = w.route_table_of(subnet);
        let rt_name = w.name_of(Handle::RouteTable(rt)).unwrap_or(&w[rt].aws_id);
        let mut c = Cluster {
            id: format!("subnet{}", subnet.0),
            label: vec![format!("{name} {}", s.cidr), format!("route table {rt_name}")],
            level: "subnet",
            nodes: Vec::new(),
            clusters: Vec::new(),
        };
        for &e in members.enis(subnet) {
            if let Some(n) = self.eni_node(w, e) {
                c.nodes.push(n);
            }
        }
        c
    }

    /// The node of an interface's owner (an instance's secondary interfaces add none).
    fn eni_node(&mut self, w: &World, e: EniId) -> Option<usize> {
        let eni = &w[e];
        let addrs = match w.public_ip_of(e) {
            Some(p) => format!("{} | {p}", eni.private_ip),
            None => eni.private_ip.to_string(),
        };
        match eni.owner {
            EniOwner::Instance(i) => {
                let inst = &w[i];
                if inst.eni != e || inst.state == InstanceState::Terminated {
                    return None;
                }
                let name = w.name_of(Handle::Instance(i)).unwrap_or("instance");
                let mut label = vec![name.to_string(), inst.aws_id.clone(), addrs];
                if inst.state != InstanceState::Running {
                    label.push(inst.state.as_str().into());
                }
                let id = format!("i{}", i.0);
                self.by_aws_id.insert(eni.aws_id.clone(), id.clone());
                Some(self.add(Some(&inst.aws_id), &id, label, NodeKind::Instance))
            }
            EniOwner::LoadBalancer(lb) => {
                let l = &w[lb];
                if l.deleted {
                    return None;
                }
                let k = l.nodes.iter().position(|n| n.eni == e).unwrap_or(0);
                let id = format!("lb{}_{k}", lb.0);
                if k == 0 {
                    self.by_aws_id.insert(l.arn.clone(), id.clone());
                }
                let label = vec![format!("{} (NLB node)", l.name), addrs];
                Some(self.add(Some(&eni.aws_id), &id, label, NodeKind::LoadBalancer))
            }
            EniOwner::Endpoint(ep) => {
                let x = &w[ep];
                if x.state.as_str() == "deleted" {
                    return None;
                }
                let k = x.enis.iter().position(|n| *n == e).unwrap_or(0);
                let id = format!("vpce{}_{k}", ep.0);
                if k == 0 {
                    self.by_aws_id.insert(x.aws_id.clone(), id.clone());
                }
                let label = vec![format!("endpoint {}", x.aws_id), addrs, x.state.as_str().to_string()];
                Some(self.add(Some(&eni.aws_id), &id, label, NodeKind::Endpoint))
            }
            EniOwner::NatGateway(nat) => {
                let n = &w[nat];
                if n.state.as_str() == "deleted" {
                    return None;
                }
                let id = format!("nat{}", nat.0);
                self.by_aws_id.insert(n.aws_id.clone(), id.clone());
                let name = w.name_of(Handle::NatGateway(nat)).unwrap_or("NAT gateway");
                let label = vec![name.to_string(), n.aws_id.clone(), addrs, n.state.as_str().to_string()];
                Some(self.add(Some(&eni.aws_id), &id, label, NodeKind::NatGateway))
            }
            EniOwner::Detached => None,
        }
    }

    fn service_nodes(&mut self, w: &World, members: &Members) {
        for (i, s) in w.services().values().enumerate() {
            if s.state.as_str() == "Deleted" {
                continue;
            }
            let id = format!("svc{i}");
            let lbs: Vec<&str> = s.nlbs.iter().map(|l| w[l].name.as_str()).collect();
            let label = vec![
                "endpoint service".into(),
                s.service_id.clone(),
                format!("in front of {}", lbs.join(", ")),
            ];
            let n = self.add(Some(&s.service_id), &id, label, NodeKind::Service);
            self.top_nodes.push(n);
            for &e in members.endpoints(ServiceId(i as u32)) {
                let ep = &w[e];
                let e = e.0;
                if ep.state.as_str() == "deleted" {
                    continue;
                }
                for k in 0..ep.enis.len() {
                    self.edges.push(Edge {
                        from: format!("vpce{e}_{k}"),
                        to: id.clone(),
                        label: Some(format!("PrivateLink ({})", ep.state.as_str())),
                        kind: EdgeKind::PrivateLink,
                    });
                }
            }
            for lb in s.nlbs.iter().filter(|l| !w[**l].deleted) {
                for k in 0..w[lb].nodes.len() {
                    self.edges.push(Edge {
                        from: id.clone(),
                        to: format!("lb{}_{k}", lb.0),
                        label: None,
                        kind: EdgeKind::PrivateLink,
                    });
                }
            }
        }
    }

    /// A gateway endpoint: its service's short name (`s3`), id and route tables' count.
    fn gateway_endpoint_node(&mut self, w: &World, g: GatewayEndpointId) -> usize {
        let e = &w[g];
        let service = e.service_name.rsplit('.').next().unwrap_or(&e.service_name);
        let tables = match e.route_tables.len() {
            1 => "in 1 route table".to_string(),
            n => format!("in {n} route tables"),
        };
        let label = vec![format!("gateway endpoint ({service})"), e.aws_id.clone(), tables];
        self.add(Some(&e.aws_id), &format!("gwe{}", g.0), label, NodeKind::GatewayEndpoint)
    }

    /// Each peering connection not deleted, outside the VPCs, with an edge to each of them.
    fn peering_nodes(&mut self, w: &World) {
        for (p, x) in w.peerings().iter() {
            if x.state.as_str() == "deleted" {
                continue;
            }
            let side = |v: VpcId| w.name_of(Handle::Vpc(v)).unwrap_or(&w[v].aws_id).to_string();
            let (a, b) = (side(x.requester), side(x.accepter));
            let name = w.name_of(Handle::Peering(p)).unwrap_or("peering connection");
            let label =
                vec![name.to_string(), x.aws_id.clone(), format!("{a} <-> {b}"), x.state.as_str().into()];
            let id = format!("pcx{}", p.0);
            let n = self.add(Some(&x.aws_id), &id, label, NodeKind::Peering);
            self.top_nodes.push(n);
            for v in [x.requester, x.accepter] {
                let to = format!("vpc{}", v.0);
                if self.clusters.iter().any(|c| c.id == to) {
                    self.edges.push(Edge { from: id.clone(), to, label: None, kind: EdgeKind::Peering });
                }
            }
        }
    }

    fn target_edges(&mut self, w: &World) {
        for (i, lb) in w.lbs().values().enumerate().filter(|(_, l)| !l.deleted) {
            for l in lb.listeners.iter().map(|l| &w[l]).filter(|l| !l.deleted) {
                let Some(tg) = l.target_group else { continue };
                let g = &w[tg];
                for t in &g.targets {
                    let to = match t.target {
                        TargetRef::Instance(x) => format!("i{}", x.0),
                        TargetRef::Ip(ip) => match w.eni_by_private_ip(g.vpc, ip) {
                            Some(e) => match self.by_aws_id.get(&w[e].aws_id) {
                                Some(n) => n.clone(),
                                None => continue,
                            },
                            None => continue,
                        },
                    };
                    for k in 0..lb.nodes.len() {
                        self.edges.push(Edge {
                            from: format!("lb{i}_{k}"),
                            to: to.clone(),
                            label: Some(format!("{} to port {}", g.name, t.port)),
                            kind: EdgeKind::Target,
                        });
                    }
                }
            }
        }
    }

    /// The node a hop stands on, if the diagram draws it (`current` keeps a load balancer on its node).
    fn node_of_hop(&self, kind: ComponentKind, id: &str, current: Option<&str>) -> Option<String> {
        match kind {
            ComponentKind::Internet => Some("internet".into()),
            ComponentKind::LoadBalancer | ComponentKind::VpcEndpoint => {
                let first = self.by_aws_id.get(id)?;
                let prefix = first.split('_').next().unwrap_or(first);
                match current {
                    Some(c) if c.split('_').next() == Some(prefix) => Some(c.to_string()),
                    _ => Some(first.clone()),
                }
            }
            ComponentKind::Instance
            | ComponentKind::NetworkInterface
            | ComponentKind::InternetGateway
            | ComponentKind::NatGateway
            | ComponentKind::VpcPeeringConnection
            | ComponentKind::VpcEndpointService => self.by_aws_id.get(id).cloned(),
            _ => None,
        }
    }

    /// The nodes a list of hops passes, in order, each with the sequence number of the hop
    /// that reaches it (hops on components the diagram does not draw are passed over).
    pub fn path(&self, hops: &[Hop]) -> Vec<(String, u16)> {
        let mut nodes: Vec<(String, u16)> = Vec::new();
        for hop in hops {
            let current = nodes.last().map(|(n, _)| n.as_str());
            let Some(node) = self.node_of_hop(hop.kind, &hop.id, current) else { continue };
            if current != Some(node.as_str()) {
                nodes.push((node, hop.seq));
            }
        }
        nodes
    }

    /// Draws a path's hops as edges between the nodes they stand on, numbered from 1 with
    /// `prefix`; the node the path ends on.
    fn draw_path(&mut self, hops: &[crate::trace::Hop], kind: EdgeKind, prefix: &str) -> Option<String> {
        let mut current: Option<String> = None;
        let mut number = 0;
        for hop in hops {
            let Some(node) = self.node_of_hop(hop.kind, &hop.id, current.as_deref()) else { continue };
            if current.as_deref() == Some(node.as_str()) {
                continue;
            }
            if let Some(from) = current.take() {
                number += 1;
                self.edges.push(Edge {
                    from,
                    to: node.clone(),
                    label: Some(format!("{prefix}{number}")),
                    kind,
                });
            }
            current = Some(node);
        }
        current
    }

    fn overlay(&mut self, t: &Trace) {
        let current = self.draw_path(&t.forward, EdgeKind::Path, "");
        self.draw_path(&t.ret, EdgeKind::Return, "r");
        if let Some(x) = &t.explanation {
            let at = self.node_of_hop(x.kind, &x.component_id, current.as_deref()).or(current.clone());
            if let (Some(at), Some(cur)) = (&at, &current) {
                if at != cur {
                    self.edges.push(Edge {
                        from: cur.clone(),
                        to: at.clone(),
                        label: Some("✘".into()),
                        kind: EdgeKind::Blocked,
                    });
                }
            }
            if let Some(at) = at {
                self.blocked = Some((at, x.code.as_str().to_string()));
            }
        }
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot_label(lines: &[String]) -> String {
    lines.iter().map(|l| dot_escape(l)).collect::<Vec<_>>().join("\\n")
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

impl Diagram {
    /// The diagram as Graphviz DOT (`dot -Tsvg` draws it).
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph vpcsim {\n");
        let _ = writeln!(
            out,
            "  graph [fontname=\"Helvetica\", rankdir=LR, compound=true, label=\"{}\", labelloc=t];",
            dot_label(&self.title.lines().map(str::to_string).collect::<Vec<_>>())
        );
        out.push_str(
            "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        for &n in &self.top_nodes {
            self.dot_node(&mut out, n, 1);
        }
        for c in &self.clusters {
            self.dot_cluster(&mut out, c, 1);
        }
        for e in &self.edges {
            let label =
                e.label.as_ref().map(|l| format!(", label=\"{}\"", dot_escape(l))).unwrap_or_default();
            let (to, head) = match self.cluster(&e.to) {
                Some(c) => match first_node(c) {
                    Some(n) => (self.nodes[n].id.as_str(), format!(", lhead=cluster_{}", c.id)),
                    None => continue,
                },
                None => (e.to.as_str(), String::new()),
            };
            let _ = writeln!(out, "  {} -> {to} [{}{label}{head}];", e.from, dot_edge_style(e.kind));
        }
        out.push_str("}\n");
        out
    }

    /// The VPC cluster with id `id`, if `id` names one (a peering edge's end).
    fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id)
    }

    fn dot_node(&self, out: &mut String, n: usize, depth: usize) {
        let node = &self.nodes[n];
        let pad = "  ".repeat(depth);
        let mut style = dot_node_style(node.kind).to_string();
        if let Some((at, code)) = &self.blocked {
            if *at == node.id {
                style = "shape=box, style=\"rounded,filled,bold\", color=\"#d62728\", fillcolor=\"#f9c4c4\""
                    .to_string();
                let mut label = node.label.clone();
                label.push(format!("blocked: {code}"));
                let _ = writeln!(out, "{pad}{} [label=\"{}\", {style}];", node.id, dot_label(&label));
                return;
            }
        }
        let _ = writeln!(out, "{pad}{} [label=\"{}\", {style}];", node.id, dot_label(&node.label));
    }

    fn dot_cluster(&self, out: &mut String, c: &Cluster, depth: usize) {
        let pad = "  ".repeat(depth);
        let style = match c.level {
            "vpc" => "style=rounded; color=\"#1b75bb\"; penwidth=2;",
            "az" => "style=dashed; color=\"#888888\";",
            _ => "style=\"rounded,filled\"; color=\"#9ccc9c\"; fillcolor=\"#f2faf2\";",
        };
        let _ = writeln!(out, "{pad}subgraph cluster_{} {{", c.id);
        let _ = writeln!(out, "{pad}  label=\"{}\"; {style}", dot_label(&c.label));
        for &n in &c.nodes {
            self.dot_node(out, n, depth + 1);
        }
        for inner in &c.clusters {
            self.dot_cluster(out, inner, depth + 1);
        }
        let _ = writeln!(out, "{pad}}}");
    }

    /// The diagram as a Mermaid flowchart with its title in front matter (GitHub renders it in Markdown).
    pub fn mermaid(&self) -> String {
        let title = self.title.lines().collect::<Vec<_>>().join(" / ");
        let mut out =
            format!("---\ntitle: \"{}\"\n---\nflowchart LR\n", title.replace('\\', "").replace('"', "'"));
        for &n in &self.top_nodes {
            self.mermaid_node(&mut out, n, 1);
        }
        for c in &self.clusters {
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
            let label = e.label.as_ref().map(|l| format!("|\"{}\"|", mermaid_escape(l))).unwrap_or_default();
            let _ = writeln!(out, "  {} {arrow}{label} {}", e.from, e.to);
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
        if let Some((at, _)) = &self.blocked {
            let _ = writeln!(out, "  style {at} fill:#f9c4c4,stroke:#d62728,stroke-width:3px");
        }
        out
    }

    fn mermaid_node(&self, out: &mut String, n: usize, depth: usize) {
        let node = &self.nodes[n];
        let pad = "  ".repeat(depth);
        let mut lines = node.label.clone();
        if let Some((at, code)) = &self.blocked {
            if *at == node.id {
                lines.push(format!("blocked: {code}"));
            }
        }
        let text = lines.iter().map(|l| mermaid_escape(l)).collect::<Vec<_>>().join("<br/>");
        let (open, close) = match node.kind {
            NodeKind::Internet => ("((", "))"),
            NodeKind::Gateway | NodeKind::NatGateway | NodeKind::GatewayEndpoint | NodeKind::Peering => {
                ("{{", "}}")
            }
            NodeKind::Service => ("[[", "]]"),
            _ => ("(", ")"),
        };
        let _ = writeln!(out, "{pad}{}{open}\"{text}\"{close}", node.id);
    }

    fn mermaid_cluster(&self, out: &mut String, c: &Cluster, depth: usize) {
        let pad = "  ".repeat(depth);
        let label = c.label.iter().map(|l| mermaid_escape(l)).collect::<Vec<_>>().join("<br/>");
        let _ = writeln!(out, "{pad}subgraph {}[\"{label}\"]", c.id);
        for &n in &c.nodes {
            self.mermaid_node(out, n, depth + 1);
        }
        for inner in &c.clusters {
            self.mermaid_cluster(out, inner, depth + 1);
        }
        let _ = writeln!(out, "{pad}end");
    }
}

/// The first node drawn inside `c` (DOT draws an edge to a cluster through one of its nodes).
fn first_node(c: &Cluster) -> Option<usize> {
    c.nodes.first().copied().or_else(|| c.clusters.iter().find_map(first_node))
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// What each VPC, subnet and service holds, gathered in one pass over each arena so a
/// diagram is linear in the world (not a scan of every subnet per VPC).
struct Members {
    /// Live subnets by VPC, in creation order.
    subnets: FxHashMap<VpcId, Vec<SubnetId>>,
    /// Live interfaces by subnet, in creation order.
    enis: FxHashMap<SubnetId, Vec<EniId>>,
    /// Endpoints by provider's service, in creation order.
    endpoints: FxHashMap<ServiceId, Vec<EndpointId>>,
    /// Gateway endpoints not deleted, by VPC, in creation order.
    gateway_endpoints: FxHashMap<VpcId, Vec<GatewayEndpointId>>,
}

impl Members {
    fn of(w: &World) -> Members {
        let mut m = Members {
            subnets: FxHashMap::default(),
            enis: FxHashMap::default(),
            endpoints: FxHashMap::default(),
            gateway_endpoints: FxHashMap::default(),
        };
        for (id, s) in w.subnets().live() {
            m.subnets.entry(s.vpc).or_default().push(id);
        }
        for (id, e) in w.enis().live() {
            m.enis.entry(e.subnet).or_default().push(id);
        }
        for (id, e) in w.endpoints().iter() {
            if let Some(service) = e.service.provider() {
                m.endpoints.entry(service).or_default().push(id);
            }
        }
        for (id, g) in w.gateway_endpoints().iter().filter(|(_, g)| !g.deleted) {
            m.gateway_endpoints.entry(g.vpc).or_default().push(id);
        }
        m
    }

    fn gateway_endpoints(&self, vpc: VpcId) -> &[GatewayEndpointId] {
        self.gateway_endpoints.get(&vpc).map_or(&[], Vec::as_slice)
    }

    fn subnets(&self, vpc: VpcId) -> &[SubnetId] {
        self.subnets.get(&vpc).map_or(&[], Vec::as_slice)
    }

    fn enis(&self, subnet: SubnetId) -> &[EniId] {
        self.enis.get(&subnet).map_or(&[], Vec::as_slice)
    }

    fn endpoints(&self, service: ServiceId) -> &[EndpointId] {
        self.endpoints.get(&service).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_has_a_cluster_per_vpc_and_subnets_inside_their_az() {
        let lab = crate::lab::Lab::build(Default::default()).unwrap();
        let d = Diagram::of(&lab.world, None);
        assert_eq!(d.clusters.len(), 2);
        assert_eq!(d.clusters[0].clusters[0].label, vec!["ap-northeast-2a".to_string()]);
        assert_eq!(d.clusters[0].clusters[0].clusters[0].level, "subnet");
        assert_eq!(d.edges.iter().filter(|e| e.kind == EdgeKind::Target).count(), 2);
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
        let path: Vec<&Edge> = d.edges.iter().filter(|e| e.kind == EdgeKind::Path).collect();
        assert_eq!(path[0].from, format!("i{}", lab.my_ec2.0));
        assert!(path.iter().any(|e| e.to.starts_with("svc")));
        let numbers: Vec<String> = path.iter().filter_map(|e| e.label.clone()).collect();
        let expected: Vec<String> = (1..=path.len()).map(|n| n.to_string()).collect();
        assert_eq!(numbers, expected, "forward hops are numbered without gaps");
        let ret: Vec<&Edge> = d.edges.iter().filter(|e| e.kind == EdgeKind::Return).collect();
        assert!(!ret.is_empty(), "the return path is drawn");
        assert_eq!(ret[0].label.as_deref(), Some("r1"));
        assert_eq!(
            ret.last().map(|e| e.to.clone()),
            Some(format!("i{}", lab.my_ec2.0)),
            "it returns to My-EC2"
        );
        assert!(d.dot().contains("style=dashed, color=\"#1f6fd1\""), "return edges are dashed");
        assert!(d.blocked.is_none());
    }

    #[test]
    fn a_load_balancer_s_edges_to_its_targets_name_the_target_port() {
        let lab = crate::lab::Lab::build(Default::default()).unwrap();
        let d = Diagram::of(&lab.world, None);
        let labels: Vec<&str> = d
            .edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Target)
            .filter_map(|e| e.label.as_deref())
            .collect();
        assert_eq!(labels, ["Custom-NLB-TG to port 80", "Custom-NLB-TG to port 80"]);
    }
}
