//! Building a [`Diagram`] from a world in one pass over each arena: VPC clusters with
//! their gateways, zones, subnets and interfaces' owners, then endpoint services,
//! peering connections and load balancers' targets. Every list is sized up front.

use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::instance::InstanceState;
use crate::model::nlb::TargetRef;
use crate::trace::Trace;
use crate::world::World;

use super::members::Members;
use super::{Cluster, ClusterRef, Diagram, Edge, EdgeEnd, EdgeKind, EdgeLabel, Node, NodeRef};

/// Where each drawn resource sits, by its arena position: a node's position in the
/// diagram's nodes (a VPC's: its cluster's position), `NONE` when it is not drawn.
pub(super) struct Placed {
    vpcs: Vec<u32>,
    enis: Vec<u32>,
    igws: Vec<u32>,
    gateway_endpoints: Vec<u32>,
    services: Vec<u32>,
    peerings: Vec<u32>,
}

const NONE: u32 = u32::MAX;

/// The position stored for `id`, if it is drawn.
fn lookup<I: ArenaId>(at: &[u32], id: I) -> Option<u32> {
    at.get(id.index()).copied().filter(|&n| n != NONE)
}

fn place<I: ArenaId>(at: &mut [u32], id: I, position: usize) {
    if let Some(slot) = at.get_mut(id.index()) {
        *slot = position as u32;
    }
}

impl Placed {
    fn of(w: &World) -> Placed {
        Placed {
            vpcs: vec![NONE; w.vpcs().len()],
            enis: vec![NONE; w.enis().len()],
            igws: vec![NONE; w.igws().len()],
            gateway_endpoints: vec![NONE; w.gateway_endpoints().len()],
            services: vec![NONE; w.services().len()],
            peerings: vec![NONE; w.peerings().len()],
        }
    }

    /// The cluster of a VPC.
    pub(super) fn cluster_of(&self, vpc: VpcId) -> Option<u32> {
        lookup(&self.vpcs, vpc)
    }

    /// The node drawn on an interface.
    pub(super) fn eni(&self, eni: EniId) -> Option<u32> {
        lookup(&self.enis, eni)
    }

    pub(super) fn igw(&self, igw: IgwId) -> Option<u32> {
        lookup(&self.igws, igw)
    }

    pub(super) fn gateway_endpoint(&self, g: GatewayEndpointId) -> Option<u32> {
        lookup(&self.gateway_endpoints, g)
    }

    pub(super) fn service(&self, s: ServiceId) -> Option<u32> {
        lookup(&self.services, s)
    }

    pub(super) fn peering(&self, p: PeeringId) -> Option<u32> {
        lookup(&self.peerings, p)
    }
}

impl<'w> Diagram<'w> {
    /// The diagram of `w`, with `trace`'s forward path drawn over it when given.
    pub fn of(w: &'w World, trace: Option<&Trace>) -> Diagram<'w> {
        let members = Members::of(w);
        // At most a node per interface, gateway, gateway endpoint, service and peering.
        let nodes = w.enis().len()
            + w.igws().len()
            + w.gateway_endpoints().len()
            + w.services().len()
            + w.peerings().len()
            + 1;
        let clusters = w.vpcs().len() * (1 + w.region().azs.len()) + w.subnets().len();
        let mut d = Diagram {
            world: w,
            title: format!("vpcsim: {}", w.region().name),
            nodes: Vec::with_capacity(nodes),
            top_nodes: Vec::with_capacity(1 + w.services().len() + w.peerings().len()),
            clusters: Vec::with_capacity(clusters),
            edges: Vec::with_capacity(edge_bound(w, &members, trace)),
            blocked: None,
            placed: Placed::of(w),
        };
        let internet = d.add(NodeRef::Internet, None);
        d.top_nodes.push(internet);
        for (v, _) in w.vpcs().live() {
            d.vpc_cluster(&members, v);
        }
        d.service_nodes(&members);
        d.peering_nodes();
        d.target_edges();
        if let Some(t) = trace {
            d.overlay(t);
        }
        d
    }

    fn add(&mut self, at: NodeRef, eni: Option<EniId>) -> u32 {
        self.nodes.push(Node { at, eni });
        (self.nodes.len() - 1) as u32
    }

    pub(super) fn edge(&mut self, from: NodeRef, to: EdgeEnd, label: EdgeLabel, kind: EdgeKind) {
        self.edges.push(Edge { from, to, label, kind });
    }

    /// Opens a cluster: the nodes added next are directly inside it.
    fn open(&mut self, at: ClusterRef) -> usize {
        let position = self.clusters.len();
        let first = self.nodes.len() as u32;
        self.clusters.push(Cluster {
            at,
            position: position as u32,
            first_node: first,
            own_end: first,
            nodes_end: first,
            end: position as u32 + 1,
        });
        position
    }

    /// Ends the run of nodes directly inside cluster `c` (clusters inside it come next).
    fn own_nodes_added(&mut self, c: usize) {
        self.clusters[c].own_end = self.nodes.len() as u32;
    }

    /// Closes cluster `c`: everything added since it opened is inside it.
    fn close(&mut self, c: usize) {
        let (nodes, clusters) = (self.nodes.len() as u32, self.clusters.len() as u32);
        let cluster = &mut self.clusters[c];
        cluster.nodes_end = nodes;
        cluster.end = clusters;
    }

    fn vpc_cluster(&mut self, members: &Members, vpc: VpcId) {
        let w = self.world;
        let c = self.open(ClusterRef::Vpc(vpc));
        place(&mut self.placed.vpcs, vpc, c);
        if let Some(g) = w.igw_of(vpc) {
            let n = self.add(NodeRef::Gateway(g), None);
            place(&mut self.placed.igws, g, n as usize);
            let internet = EdgeEnd::Node(NodeRef::Internet);
            self.edge(NodeRef::Gateway(g), internet, EdgeLabel::None, EdgeKind::Link);
        }
        for &g in members.gateway_endpoints(vpc) {
            let n = self.add(NodeRef::GatewayEndpoint(g), None);
            place(&mut self.placed.gateway_endpoints, g, n as usize);
        }
        self.own_nodes_added(c);
        for (k, az) in w.region().azs.iter().enumerate() {
            let mut subnets = members.subnets(vpc).iter().filter(|s| w[**s].az == *az).peekable();
            if subnets.peek().is_none() {
                continue;
            }
            let zone = self.open(ClusterRef::Zone(vpc, k as u32));
            for &s in subnets {
                let subnet = self.open(ClusterRef::Subnet(s));
                for &e in members.enis(s) {
                    self.eni_node(e);
                }
                self.own_nodes_added(subnet);
                self.close(subnet);
            }
            self.close(zone);
        }
        self.close(c);
    }

    /// The node of an interface's owner (an instance's secondary interfaces add none).
    fn eni_node(&mut self, e: EniId) {
        let w = self.world;
        let at = match w[e].owner {
            EniOwner::Instance(i) => {
                let inst = &w[i];
                if inst.eni != e || inst.state == InstanceState::Terminated {
                    return;
                }
                NodeRef::Instance(i)
            }
            EniOwner::LoadBalancer(lb) => {
                let l = &w[lb];
                if l.deleted {
                    return;
                }
                NodeRef::LoadBalancer(lb, l.nodes.iter().position(|n| n.eni == e).unwrap_or(0) as u32)
            }
            EniOwner::Endpoint(ep) => {
                let x = &w[ep];
                if x.state.as_str() == "deleted" {
                    return;
                }
                NodeRef::Endpoint(ep, x.enis.iter().position(|n| *n == e).unwrap_or(0) as u32)
            }
            EniOwner::NatGateway(nat) => {
                if w[nat].state.as_str() == "deleted" {
                    return;
                }
                NodeRef::NatGateway(nat)
            }
            EniOwner::Detached => return,
        };
        let n = self.add(at, Some(e));
        place(&mut self.placed.enis, e, n as usize);
    }

    fn service_nodes(&mut self, members: &Members) {
        let w = self.world;
        for (sid, s) in w.services().iter() {
            if s.state.as_str() == "Deleted" {
                continue;
            }
            let n = self.add(NodeRef::Service(sid), None);
            self.top_nodes.push(n);
            place(&mut self.placed.services, sid, n as usize);
            let to = EdgeEnd::Node(NodeRef::Service(sid));
            for &ep in members.endpoints(sid) {
                let x = &w[ep];
                if x.state.as_str() == "deleted" {
                    continue;
                }
                for k in 0..x.enis.len() as u32 {
                    let from = NodeRef::Endpoint(ep, k);
                    self.edge(from, to, EdgeLabel::PrivateLink(ep), EdgeKind::PrivateLink);
                }
            }
            for &lb in s.nlbs.iter().filter(|l| !w[**l].deleted) {
                for k in 0..w[lb].nodes.len() as u32 {
                    let to = EdgeEnd::Node(NodeRef::LoadBalancer(lb, k));
                    self.edge(NodeRef::Service(sid), to, EdgeLabel::None, EdgeKind::PrivateLink);
                }
            }
        }
    }

    /// Each peering connection not deleted, outside the VPCs, with an edge to each of them.
    fn peering_nodes(&mut self) {
        let w = self.world;
        for (p, x) in w.peerings().iter() {
            if x.state.as_str() == "deleted" {
                continue;
            }
            let n = self.add(NodeRef::Peering(p), None);
            self.top_nodes.push(n);
            place(&mut self.placed.peerings, p, n as usize);
            for v in [x.requester, x.accepter] {
                if self.placed.cluster_of(v).is_some() {
                    self.edge(NodeRef::Peering(p), EdgeEnd::Vpc(v), EdgeLabel::None, EdgeKind::Peering);
                }
            }
        }
    }

    /// A load balancer node's edges to its listeners' targets (an ip target to the node
    /// drawn on the interface holding that address, if any).
    fn target_edges(&mut self) {
        let w = self.world;
        for (lb, l) in w.lbs().iter().filter(|(_, l)| !l.deleted) {
            for listener in l.listeners.iter().map(|x| &w[x]).filter(|x| !x.deleted) {
                let Some(group) = listener.target_group else { continue };
                let g = &w[group];
                for t in &g.targets {
                    let to = match t.target {
                        TargetRef::Instance(x) => NodeRef::Instance(x),
                        TargetRef::Ip(ip) => {
                            let Some(n) = w.eni_by_private_ip(g.vpc, ip).and_then(|e| self.placed.eni(e))
                            else {
                                continue;
                            };
                            self.nodes[n as usize].at
                        }
                    };
                    let label = EdgeLabel::Target { group, port: t.port };
                    for k in 0..l.nodes.len() as u32 {
                        self.edge(NodeRef::LoadBalancer(lb, k), EdgeEnd::Node(to), label, EdgeKind::Target);
                    }
                }
            }
        }
    }
}

/// At most how many edges [`Diagram::of`] draws: a link per gateway, the PrivateLink
/// edges of each service, two per peering connection, each target once per load
/// balancer node, and the traced paths.
fn edge_bound(w: &World, members: &Members, trace: Option<&Trace>) -> usize {
    let privatelink: usize = w
        .services()
        .iter()
        .map(|(sid, s)| {
            let endpoints: usize = members.endpoints(sid).iter().map(|&e| w[e].enis.len()).sum();
            endpoints + s.nlbs.iter().map(|&lb| w[lb].nodes.len()).sum::<usize>()
        })
        .sum();
    let targets: usize = w
        .lbs()
        .values()
        .filter(|l| !l.deleted)
        .map(|l| {
            let per_node: usize =
                l.listeners.iter().filter_map(|x| w[x].target_group).map(|g| w[g].targets.len()).sum();
            per_node * l.nodes.len()
        })
        .sum();
    let traced = trace.map_or(0, |t| t.forward.len() + t.ret.len() + 1);
    w.igws().len() + privatelink + 2 * w.peerings().len() + targets + traced
}
