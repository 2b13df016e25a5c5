//! What each box and line says, read from the world when the diagram is rendered: a
//! node's or cluster's label lines go to a [`Lines`] sink that escapes and joins them as
//! its format needs, so no label is built as text of its own first.

use std::fmt;

use crate::model::instance::InstanceState;
use crate::world::{Handle, World};

use super::{Cluster, ClusterRef, Diagram, Edge, EdgeLabel, Node, NodeRef};

/// Where a label's lines go: each renderer escapes and joins them its own way.
pub trait Lines {
    /// Appends one line.
    fn line(&mut self, text: fmt::Arguments<'_>);
}

impl Lines for Vec<String> {
    fn line(&mut self, text: fmt::Arguments<'_>) {
        self.push(text.to_string());
    }
}

impl<'w> Diagram<'w> {
    /// Writes the lines of a node's label (name, id, addresses, state, as it has them).
    pub fn node_label(&self, n: &Node, out: &mut impl Lines) {
        let w = self.world;
        match n.at {
            NodeRef::Internet => out.line(format_args!("Internet")),
            NodeRef::Instance(i) => {
                let inst = &w[i];
                out.line(format_args!("{}", w.name_of(Handle::Instance(i)).unwrap_or("instance")));
                out.line(format_args!("{}", inst.aws_id));
                addresses(w, n, out);
                if inst.state != InstanceState::Running {
                    out.line(format_args!("{}", inst.state.as_str()));
                }
            }
            NodeRef::LoadBalancer(lb, _) => {
                out.line(format_args!("{} (NLB node)", w[lb].name));
                addresses(w, n, out);
            }
            NodeRef::Endpoint(ep, _) => {
                let x = &w[ep];
                out.line(format_args!("endpoint {}", x.aws_id));
                addresses(w, n, out);
                out.line(format_args!("{}", x.state.as_str()));
            }
            NodeRef::NatGateway(nat) => {
                let x = &w[nat];
                out.line(format_args!("{}", w.name_of(Handle::NatGateway(nat)).unwrap_or("NAT gateway")));
                out.line(format_args!("{}", x.aws_id));
                addresses(w, n, out);
                out.line(format_args!("{}", x.state.as_str()));
            }
            NodeRef::Gateway(g) => {
                out.line(format_args!("{}", w.name_of(Handle::Igw(g)).unwrap_or("internet gateway")));
                out.line(format_args!("{}", w[g].aws_id));
            }
            NodeRef::GatewayEndpoint(g) => {
                let e = &w[g];
                let service = e.service_name.rsplit('.').next().unwrap_or(&e.service_name);
                out.line(format_args!("gateway endpoint ({service})"));
                out.line(format_args!("{}", e.aws_id));
                match e.route_tables.len() {
                    1 => out.line(format_args!("in 1 route table")),
                    n => out.line(format_args!("in {n} route tables")),
                }
            }
            NodeRef::Service(s) => {
                let x = &w[s];
                out.line(format_args!("endpoint service"));
                out.line(format_args!("{}", x.service_id));
                let names = Joined(x.nlbs.iter().map(|l| w[l].name.as_str()));
                out.line(format_args!("in front of {names}"));
            }
            NodeRef::Peering(p) => {
                let x = &w[p];
                let side = |v| w.name_of(Handle::Vpc(v)).unwrap_or(&w[v].aws_id);
                out.line(format_args!("{}", w.name_of(Handle::Peering(p)).unwrap_or("peering connection")));
                out.line(format_args!("{}", x.aws_id));
                out.line(format_args!("{} <-> {}", side(x.requester), side(x.accepter)));
                out.line(format_args!("{}", x.state.as_str()));
            }
        }
    }

    /// Writes the lines of a cluster's label: a VPC's name, block and id; a zone's name; a
    /// subnet's name, block and route table.
    pub fn cluster_label(&self, c: &Cluster, out: &mut impl Lines) {
        let w = self.world;
        match c.at {
            ClusterRef::Vpc(v) => {
                let name = w.name_of(Handle::Vpc(v)).unwrap_or("VPC");
                out.line(format_args!("{name} {}", w[v].cidr));
                out.line(format_args!("{}", w[v].aws_id));
            }
            ClusterRef::Zone(_, k) => {
                let az = w.region().azs.get(k as usize).copied().unwrap_or_default();
                out.line(format_args!("{az}"));
            }
            ClusterRef::Subnet(s) => {
                let name = w.name_of(Handle::Subnet(s)).unwrap_or("subnet");
                let rt = w.route_table_of(s);
                let table = w.name_of(Handle::RouteTable(rt)).unwrap_or(&w[rt].aws_id);
                out.line(format_args!("{name} {}", w[s].cidr));
                out.line(format_args!("route table {table}"));
            }
        }
    }

    /// An edge's label, if it has one.
    pub fn edge_label(&self, e: &Edge) -> Option<EdgeText<'w>> {
        (e.label != EdgeLabel::None).then_some(EdgeText { world: self.world, label: e.label })
    }
}

/// An interface's addresses, a line each, the primary first (M6): `PRIVATE | PUBLIC`, or
/// the private one alone.
fn addresses(w: &World, n: &Node, out: &mut impl Lines) {
    let Some(e) = n.eni else { return };
    for private in w[e].private_ips() {
        match w.public_ip_for(e, private) {
            Some(p) => out.line(format_args!("{private} | {p}")),
            None => out.line(format_args!("{private}")),
        }
    }
}

/// Names joined by `, `, written as they are read.
struct Joined<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> fmt::Display for Joined<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.clone().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// The text of an edge's label (`TG to port 80`, `PrivateLink (available)`, `3`, `r2`,
/// `✘`), written from the world.
#[derive(Clone, Copy)]
pub struct EdgeText<'w> {
    world: &'w World,
    label: EdgeLabel,
}

impl fmt::Display for EdgeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.world;
        match self.label {
            EdgeLabel::None => Ok(()),
            EdgeLabel::Target { group, port } => write!(f, "{} to port {port}", w[group].name),
            EdgeLabel::PrivateLink(ep) => write!(f, "PrivateLink ({})", w[ep].state.as_str()),
            EdgeLabel::Forward(n) => write!(f, "{n}"),
            EdgeLabel::Return(n) => write!(f, "r{n}"),
            EdgeLabel::Blocked => f.write_str("✘"),
        }
    }
}
