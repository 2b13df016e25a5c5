//! A traced flow drawn over the diagram: each hop found as the node it stands on, by the
//! hop's AWS id through the world's id index and the diagram's positions (no map of ids
//! of its own), the forward and return paths numbered, and where it was blocked.

use crate::model::eni::EniOwner;
use crate::trace::{ComponentKind, Hop, Trace};
use crate::world::Handle;

use super::{Diagram, EdgeEnd, EdgeKind, EdgeLabel, NodeRef};

impl<'w> Diagram<'w> {
    /// The node drawn for the resource with this AWS id (or ARN), if the diagram draws it:
    /// an instance, interface, NAT or internet gateway, gateway endpoint, endpoint service,
    /// peering connection, a load balancer's or endpoint's first node, or `internet`.
    pub fn node_by_aws_id(&self, id: &str) -> Option<NodeRef> {
        if id == "internet" {
            return Some(NodeRef::Internet);
        }
        let w = self.world;
        let p = &self.placed;
        let at = match w.find(id)? {
            // M4: an instance's secondary interface is drawn on its instance.
            Handle::Eni(e) => p.eni(e).or_else(|| match w[e].owner {
                EniOwner::Instance(i) => p.eni(w[i].eni),
                _ => None,
            }),
            Handle::Instance(i) => p.eni(w[i].eni),
            Handle::NatGateway(n) => p.eni(w[n].eni),
            Handle::Lb(lb) => p.eni(w[lb].nodes.first()?.eni),
            Handle::Endpoint(ep) => p.eni(*w[ep].enis.first()?),
            Handle::Igw(g) => p.igw(g),
            Handle::GatewayEndpoint(g) => p.gateway_endpoint(g),
            Handle::Service(s) => p.service(s),
            Handle::Peering(p2) => p.peering(p2),
            _ => None,
        }?;
        Some(self.nodes[at as usize].at)
    }

    /// The AWS ids (and ARNs) the diagram draws, each with its node, in the order drawn:
    /// an instance's interface then the instance, a load balancer's ARN before its first
    /// node's interface, an endpoint's id before its first interface, a NAT gateway's id
    /// before its interface.
    pub fn aws_ids(&self) -> Vec<(&'w str, NodeRef)> {
        let w = self.world;
        let mut ids = Vec::with_capacity(2 * self.nodes.len());
        for n in &self.nodes {
            let eni = n.eni.map(|e| w[e].aws_id.as_str());
            let (first, second) = match n.at {
                NodeRef::Internet => (Some("internet"), None),
                NodeRef::Instance(i) => (eni, Some(w[i].aws_id.as_str())),
                NodeRef::LoadBalancer(lb, k) => ((k == 0).then(|| w[lb].arn.as_str()), eni),
                NodeRef::Endpoint(ep, k) => ((k == 0).then(|| w[ep].aws_id.as_str()), eni),
                NodeRef::NatGateway(nat) => (Some(w[nat].aws_id.as_str()), eni),
                NodeRef::Gateway(g) => (Some(w[g].aws_id.as_str()), None),
                NodeRef::GatewayEndpoint(g) => (Some(w[g].aws_id.as_str()), None),
                NodeRef::Service(s) => (Some(w[s].service_id.as_str()), None),
                NodeRef::Peering(p) => (Some(w[p].aws_id.as_str()), None),
            };
            ids.extend(first.into_iter().chain(second).map(|id| (id, n.at)));
        }
        ids
    }

    /// The node a hop stands on, if the diagram draws it (`current` keeps a load balancer
    /// or endpoint on the node the path is already on).
    fn node_of_hop(&self, kind: ComponentKind, id: &str, current: Option<NodeRef>) -> Option<NodeRef> {
        match kind {
            ComponentKind::Internet => Some(NodeRef::Internet),
            ComponentKind::LoadBalancer | ComponentKind::VpcEndpoint => {
                let first = self.node_by_aws_id(id)?;
                match (current, first) {
                    (Some(c @ NodeRef::LoadBalancer(a, _)), NodeRef::LoadBalancer(b, _)) if a == b => Some(c),
                    (Some(c @ NodeRef::Endpoint(a, _)), NodeRef::Endpoint(b, _)) if a == b => Some(c),
                    _ => Some(first),
                }
            }
            ComponentKind::Instance
            | ComponentKind::NetworkInterface
            | ComponentKind::InternetGateway
            | ComponentKind::NatGateway
            | ComponentKind::VpcPeeringConnection
            | ComponentKind::VpcEndpointService => self.node_by_aws_id(id),
            _ => None,
        }
    }

    /// The nodes a list of hops passes, in order, each with the sequence number of the hop
    /// that reaches it (hops on components the diagram does not draw are passed over).
    pub fn path(&self, hops: &[Hop]) -> Vec<(NodeRef, u16)> {
        let mut nodes: Vec<(NodeRef, u16)> = Vec::new();
        for hop in hops {
            let current = nodes.last().map(|(n, _)| *n);
            let Some(node) = self.node_of_hop(hop.kind, &hop.id, current) else { continue };
            if current != Some(node) {
                nodes.push((node, hop.seq));
            }
        }
        nodes
    }

    /// Draws a path's hops as edges between the nodes they stand on, numbered from 1
    /// (`r1` ... on the return path); the node the path ends on.
    fn draw_path(&mut self, hops: &[Hop], kind: EdgeKind) -> Option<NodeRef> {
        let mut current: Option<NodeRef> = None;
        let mut number = 0;
        for hop in hops {
            let Some(node) = self.node_of_hop(hop.kind, &hop.id, current) else { continue };
            if current == Some(node) {
                continue;
            }
            if let Some(from) = current {
                number += 1;
                let label = match kind {
                    EdgeKind::Return => EdgeLabel::Return(number),
                    _ => EdgeLabel::Forward(number),
                };
                self.edge(from, EdgeEnd::Node(node), label, kind);
            }
            current = Some(node);
        }
        current
    }

    pub(super) fn overlay(&mut self, t: &Trace) {
        let current = self.draw_path(&t.forward, EdgeKind::Path);
        self.draw_path(&t.ret, EdgeKind::Return);
        let Some(x) = &t.explanation else { return };
        let at = self.node_of_hop(x.kind, &x.component_id, current).or(current);
        if let (Some(at), Some(cur)) = (at, current) {
            if at != cur {
                self.edge(cur, EdgeEnd::Node(at), EdgeLabel::Blocked, EdgeKind::Blocked);
            }
        }
        if let Some(at) = at {
            self.blocked = Some((at, x.code));
        }
    }
}
