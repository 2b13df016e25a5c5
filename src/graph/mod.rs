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
//! The diagram is a flat model borrowed from the world ([`Diagram`]): each node, cluster
//! and edge is a few typed handles, with no text of its own; ids and labels are written
//! from the world straight into the output by the renderers, Graphviz DOT
//! ([`Diagram::dot`]) and Mermaid ([`Diagram::mermaid`]). Building and writing are linear
//! in the world, with a fixed number of allocations. Output is deterministic: arena
//! order, no hash-map iteration.
//!
//! ```
//! let lab = vpcsim::lab::Lab::build(Default::default()).unwrap();
//! let dot = vpcsim::graph::Diagram::of(&lab.world, None).dot();
//! assert!(dot.starts_with("digraph vpcsim {"));
//! assert!(dot.contains("My-Public-SN"));
//! ```

mod build;
mod dot;
mod label;
mod members;
mod mermaid;
mod overlay;

use std::fmt;

use crate::ids::*;
use crate::trace::ExplanationCode;
use crate::world::World;

pub use label::Lines;

use build::Placed;

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

/// The resource a node stands for; its [`Display`](fmt::Display) is the node's id in the
/// diagram's text (`i0`, `lb0_1`, `vpce2_0`, `nat0`, `igw0`, `gwe0`, `svc0`, `pcx0`,
/// `internet`). An edge may name a node the diagram does not draw (a terminated target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// The internet.
    Internet,
    /// An instance (drawn on its primary interface).
    Instance(InstanceId),
    /// A load balancer's `k`th node.
    LoadBalancer(LbId, u32),
    /// An interface endpoint's `k`th interface.
    Endpoint(EndpointId, u32),
    /// A NAT gateway.
    NatGateway(NatId),
    /// An internet gateway.
    Gateway(IgwId),
    /// A gateway endpoint.
    GatewayEndpoint(GatewayEndpointId),
    /// An endpoint service.
    Service(ServiceId),
    /// A VPC peering connection.
    Peering(PeeringId),
}

impl NodeRef {
    /// What kind of box it is drawn as.
    pub fn kind(self) -> NodeKind {
        match self {
            NodeRef::Internet => NodeKind::Internet,
            NodeRef::Instance(_) => NodeKind::Instance,
            NodeRef::LoadBalancer(..) => NodeKind::LoadBalancer,
            NodeRef::Endpoint(..) => NodeKind::Endpoint,
            NodeRef::NatGateway(_) => NodeKind::NatGateway,
            NodeRef::Gateway(_) => NodeKind::Gateway,
            NodeRef::GatewayEndpoint(_) => NodeKind::GatewayEndpoint,
            NodeRef::Service(_) => NodeKind::Service,
            NodeRef::Peering(_) => NodeKind::Peering,
        }
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NodeRef::Internet => f.write_str("internet"),
            NodeRef::Instance(i) => write!(f, "i{}", i.0),
            NodeRef::LoadBalancer(lb, k) => write!(f, "lb{}_{k}", lb.0),
            NodeRef::Endpoint(ep, k) => write!(f, "vpce{}_{k}", ep.0),
            NodeRef::NatGateway(n) => write!(f, "nat{}", n.0),
            NodeRef::Gateway(g) => write!(f, "igw{}", g.0),
            NodeRef::GatewayEndpoint(g) => write!(f, "gwe{}", g.0),
            NodeRef::Service(s) => write!(f, "svc{}", s.0),
            NodeRef::Peering(p) => write!(f, "pcx{}", p.0),
        }
    }
}

impl serde::Serialize for NodeRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One box of the diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    at: NodeRef,
    /// The interface whose addresses the label shows (nodes drawn on an interface).
    eni: Option<EniId>,
}

impl Node {
    /// What it stands for (and its id, as text).
    pub fn id(&self) -> NodeRef {
        self.at
    }

    /// What it stands for.
    pub fn kind(&self) -> NodeKind {
        self.at.kind()
    }
}

/// What a cluster stands for; its [`Display`](fmt::Display) is the cluster's id
/// (`vpc0`, `vpc0_az1`, `subnet3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterRef {
    /// A VPC.
    Vpc(VpcId),
    /// The `k`th Availability Zone of the region, inside a VPC.
    Zone(VpcId, u32),
    /// A subnet.
    Subnet(SubnetId),
}

impl fmt::Display for ClusterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ClusterRef::Vpc(v) => write!(f, "vpc{}", v.0),
            ClusterRef::Zone(v, k) => write!(f, "vpc{}_az{k}", v.0),
            ClusterRef::Subnet(s) => write!(f, "subnet{}", s.0),
        }
    }
}

/// A box around boxes: a VPC, an Availability Zone, a subnet. Clusters are kept flat, in
/// the order they are drawn (a cluster, then everything inside it); the nodes of a
/// cluster and of everything inside it are one run of [`Diagram::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cluster {
    at: ClusterRef,
    /// Its position among the diagram's clusters.
    position: u32,
    /// Nodes directly inside: `nodes[first_node..own_end]`.
    first_node: u32,
    own_end: u32,
    /// Nodes inside at any depth: `nodes[first_node..nodes_end]`.
    nodes_end: u32,
    /// The clusters inside it are `clusters[position + 1..end]`.
    end: u32,
}

impl Cluster {
    /// What it stands for (and its id, as text).
    pub fn id(&self) -> ClusterRef {
        self.at
    }

    /// `vpc`, `az` or `subnet`.
    pub fn level(&self) -> &'static str {
        match self.at {
            ClusterRef::Vpc(_) => "vpc",
            ClusterRef::Zone(..) => "az",
            ClusterRef::Subnet(_) => "subnet",
        }
    }
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

/// Where an edge ends: a node, or a VPC's cluster (a peering edge).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeEnd {
    /// A node.
    Node(NodeRef),
    /// A VPC's cluster.
    Vpc(VpcId),
}

impl fmt::Display for EdgeEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EdgeEnd::Node(n) => n.fmt(f),
            EdgeEnd::Vpc(v) => ClusterRef::Vpc(*v).fmt(f),
        }
    }
}

/// What an edge's label says, written from the world when the diagram is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeLabel {
    None,
    /// `TG to port 80`.
    Target {
        group: TargetGroupId,
        port: u16,
    },
    /// `PrivateLink (available)`, the endpoint's state.
    PrivateLink(EndpointId),
    /// The forward path's `n`th hop.
    Forward(u32),
    /// The return path's `n`th hop (`rN`).
    Return(u32),
    /// `✘`, to where the path stopped.
    Blocked,
}

/// One line between two nodes (a [`EdgeKind::Peering`] edge ends on a VPC's cluster).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    from: NodeRef,
    to: EdgeEnd,
    label: EdgeLabel,
    kind: EdgeKind,
}

impl Edge {
    /// Where it starts.
    pub fn from(&self) -> NodeRef {
        self.from
    }

    /// Where it ends.
    pub fn to(&self) -> EdgeEnd {
        self.to
    }

    /// How it is drawn.
    pub fn kind(&self) -> EdgeKind {
        self.kind
    }
}

/// The diagram model of one world, ready to render: typed handles into the world it
/// borrows, in the order they are drawn.
pub struct Diagram<'w> {
    world: &'w World,
    title: String,
    nodes: Vec<Node>,
    /// Nodes outside any VPC, by position in `nodes`.
    top_nodes: Vec<u32>,
    clusters: Vec<Cluster>,
    /// Edges, the traced path's last.
    edges: Vec<Edge>,
    /// The node where a traced flow was blocked, with the explanation code.
    blocked: Option<(NodeRef, ExplanationCode)>,
    placed: Placed,
}

impl<'w> Diagram<'w> {
    /// The title (`vpcsim: REGION` unless set).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Replaces the title (its lines are joined as each format joins lines).
    pub fn set_title(&mut self, title: String) {
        self.title = title;
    }

    /// Every node, in the order drawn.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The nodes outside any VPC: the internet, endpoint services, peering connections.
    pub fn top_nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.top_nodes.iter().map(|&n| &self.nodes[n as usize])
    }

    /// The VPCs' clusters.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> + '_ {
        self.children(0, self.clusters.len())
    }

    /// The clusters directly inside `c`.
    pub fn inner(&self, c: &Cluster) -> impl Iterator<Item = &Cluster> + '_ {
        self.children(c.position as usize + 1, c.end as usize)
    }

    /// The nodes directly inside `c`.
    pub fn nodes_in(&self, c: &Cluster) -> &[Node] {
        &self.nodes[c.first_node as usize..c.own_end as usize]
    }

    /// The clusters from `start` up to `end`, skipping what is inside each.
    fn children(&self, start: usize, end: usize) -> impl Iterator<Item = &Cluster> + '_ {
        let mut at = start;
        std::iter::from_fn(move || {
            let c = self.clusters.get(at).filter(|_| at < end)?;
            at = c.end as usize;
            Some(c)
        })
    }

    /// The first node drawn inside the cluster of `vpc`, at any depth (DOT draws an edge
    /// to a cluster through one of its nodes).
    fn first_node_of(&self, vpc: VpcId) -> Option<NodeRef> {
        let c = &self.clusters[self.placed.cluster_of(vpc)? as usize];
        (c.first_node < c.nodes_end).then(|| self.nodes[c.first_node as usize].at)
    }

    /// Every edge, the traced path's last.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// Where a traced flow was blocked, and its explanation code.
    pub fn blocked(&self) -> Option<(NodeRef, ExplanationCode)> {
        self.blocked
    }
}

/// Two spaces per level of nesting.
fn push_pad(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests;
