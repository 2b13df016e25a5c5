//! One routed leg: from an interface to the interface (or internet host) that owns
//! the destination. Same-subnet traffic is delivered directly (R7); otherwise the
//! NACLs at subnet boundaries (N1), the route table (R1, R3-R6), internet gateways
//! with their NAT (I1-I5) and appliance interfaces (source/destination check)
//! decide. Bounded: an interface met twice is a routing loop.

use std::net::Ipv4Addr;

use crate::addr::is_rfc1918;
use crate::ids::*;
use crate::model::endpoint_policy::Decision;
use crate::model::eni::EniOwner;
use crate::model::route_table::RouteTarget;
use crate::trace::{Direction, ExplanationCode, Header};
use crate::world::World;

use super::nat_instance::Through;
use super::{Block, Component, Consulted, Recorder, Why};

/// Forward (security groups checked) or response (stateful, S2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The first packet of a flow.
    Forward,
    /// The first packet of a flow a load balancer node (this interface) sends to a target:
    /// rules that reference the node's groups admit it, whatever its source (L15).
    FromNode(EniId),
    /// Its response.
    Reply,
    /// The response of a flow a client on the internet opened: it may leave AWS to that client.
    ReplyToClient(Ipv4Addr),
    /// The response of a target that saw the client's address (L7): the node takes it, but it
    /// leaves the target's subnet towards that address, which the subnet's NACL sees.
    ReplyTowards(Ipv4Addr),
}

impl Mode {
    /// Whether this is a response (stateful through security groups, S2).
    pub(crate) fn is_reply(self) -> bool {
        matches!(self, Mode::Reply | Mode::ReplyToClient(_) | Mode::ReplyTowards(_))
    }
}

/// Where a leg ended.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LegEnd {
    /// The interface that owns the destination, or None for a host of the internet.
    pub eni: Option<EniId>,
    /// The packet as it arrived there.
    pub header: Header,
    /// E1: the gateway endpoint it reached its service through, if any.
    pub via: Option<GatewayEndpointId>,
}

/// Appliance hops one leg may take before it is called a loop.
const MAX_APPLIANCES: usize = 8;

fn block(code: ExplanationCode, at: Component, header: Header) -> Block {
    Block { code, at, header, on_return: false }
}

impl World {
    /// Walk one leg from `from`, whose packet is `h`.
    #[inline(always)]
    pub(crate) fn routed_leg<R: Recorder>(
        &self,
        from: EniId,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        rec.hop(self, Component::Eni(from), Why::Nothing, Some(h), None);
        self.check_sgs(from, Direction::Egress, h, mode, rec)?;
        let mut at = from;
        let mut visited = [from; MAX_APPLIANCES + 1];
        let mut seen = 1;
        loop {
            match self.next_hop(at, h, mode, rec)? {
                Next::Arrived(end) => return Ok(end),
                Next::Appliance(eni) => {
                    if visited[..seen].contains(&eni) || seen > MAX_APPLIANCES {
                        return Err(block(ExplanationCode::RoutingLoop, Component::Eni(eni), h));
                    }
                    visited[seen] = eni;
                    seen += 1;
                    self.check_sgs(eni, Direction::Egress, h, mode, rec)?;
                    at = eni;
                }
            }
        }
    }

    /// From interface `at`, where does `h` go next?
    #[inline(always)]
    fn next_hop<R: Recorder>(&self, at: EniId, h: Header, mode: Mode, rec: &mut R) -> Result<Next, Block> {
        let e = &self[at];
        let subnet = e.subnet;
        let within = self[subnet].cidr.contains(h.dst);
        match mode {
            Mode::ReplyTowards(client) => self.leave_towards_client(subnet, h, client, rec)?,
            _ if !within => self.check_nacl(subnet, Direction::Egress, h, rec)?,
            _ => {}
        }
        if within {
            return self.arrive_local(e.vpc, subnet, h, mode, false, rec).map(Next::Arrived);
        }
        let table = self.route_table_of(subnet);
        let rt = &self[table];
        rec.consulted(self, Consulted::Route { table, dst: h.dst });
        let Some(route) = rt.lookup(u32::from(h.dst)) else {
            rec.hop(self, Component::RouteTable(table), Why::Nothing, Some(h), None);
            return Err(block(ExplanationCode::NoRouteToDestination, Component::RouteTable(table), h));
        };
        let active = self.route_is_active(table, &route.target);
        rec.hop(self, Component::RouteTable(table), Why::Route(route, active), Some(h), None);
        if !active {
            return Err(block(ExplanationCode::BadStateRoute, Component::RouteTable(table), h));
        }
        match route.target {
            RouteTarget::Local => self.arrive_local(e.vpc, subnet, h, mode, true, rec).map(Next::Arrived),
            RouteTarget::Igw(g) => self.out_through_igw(g, at, h, mode, rec).map(Next::Arrived),
            RouteTarget::Eni(t) => self.to_appliance(subnet, t, h, mode, rec),
            RouteTarget::Instance(i) => self.to_appliance(subnet, self[i].eni, h, mode, rec),
            RouteTarget::Nat(n) if mode.is_reply() => {
                Err(block(ExplanationCode::NatGatewayNoInbound, Component::NatGateway(n), h))
            }
            RouteTarget::Nat(n) => self.to_nat_gateway(subnet, n, h, rec).map(Next::Arrived),
            RouteTarget::Pcx(p) => self.across_peering(p, e.vpc, subnet, h, mode, rec).map(Next::Arrived),
            RouteTarget::GatewayEndpoint(g) => self.to_gateway_endpoint(g, h, rec).map(Next::Arrived),
            RouteTarget::Tgw(_) => {
                Err(block(ExplanationCode::TargetNotModelled, Component::RouteTable(table), h))
            }
        }
    }

    /// L7, N1: a target's reply to a client whose address it saw leaves the target's subnet
    /// towards that address (though the node takes it): the outbound NACL must admit the
    /// client's address and port, unless the client is in the same subnet.
    #[inline(never)]
    fn leave_towards_client<R: Recorder>(
        &self,
        subnet: SubnetId,
        h: Header,
        client: Ipv4Addr,
        rec: &mut R,
    ) -> Result<(), Block> {
        if self[subnet].cidr.contains(client) {
            return Ok(());
        }
        self.check_nacl(subnet, Direction::Egress, Header { dst: client, ..h }, rec)
    }

    /// Deliver inside the VPC: find the owner of the address; cross the NACL when the subnet changes.
    #[inline(always)]
    fn arrive_local<R: Recorder>(
        &self,
        vpc: VpcId,
        from_subnet: SubnetId,
        h: Header,
        mode: Mode,
        crossed: bool,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        let Some(dst) = self.eni_by_private_ip(vpc, h.dst) else {
            return Err(block(
                ExplanationCode::UnknownDestination,
                Component::RouteTable(self.route_table_of(from_subnet)),
                h,
            ));
        };
        let dst_subnet = self[dst].subnet;
        if crossed && dst_subnet != from_subnet {
            self.check_nacl(dst_subnet, Direction::Ingress, h, rec)?;
        }
        self.arrive_at(dst, h, mode, rec)?;
        Ok(LegEnd { eni: Some(dst), header: h, via: None })
    }

    /// The packet enters interface `dst`: its groups decide (S6), statefully for responses.
    #[inline(always)]
    pub(crate) fn arrive_at<R: Recorder>(
        &self,
        dst: EniId,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<(), Block> {
        self.check_sgs(dst, Direction::Ingress, h, mode, rec)?;
        rec.hop(self, Component::Eni(dst), Why::Nothing, Some(h), None);
        Ok(())
    }

    /// E1-E4: a route to a gateway endpoint hands the packet to its service unchanged: the
    /// service sees the private source (E3), no security group stands at the endpoint (E2:
    /// the sender's egress rules were checked), and only traffic of the endpoint's VPC gets
    /// here (E4: its routes are in that VPC's tables, and a peering carries nothing out, V2).
    /// E2: the endpoint's policy may refuse every request of the service.
    #[inline(never)]
    fn to_gateway_endpoint<R: Recorder>(
        &self,
        g: GatewayEndpointId,
        h: Header,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        rec.hop(self, Component::GatewayEndpoint(g), Why::Nothing, Some(h), None);
        if !self.is_internet_host(h.dst) {
            return Err(block(ExplanationCode::UnknownDestination, Component::Internet(Some(h.dst)), h));
        }
        let e = &self[g];
        if let Decision::Refuses(_) = e.policy.decide(&e.aws_id, &self[e.vpc].aws_id) {
            return Err(block(ExplanationCode::EndpointPolicyDenies, Component::GatewayEndpoint(g), h));
        }
        Ok(LegEnd { eni: None, header: h, via: Some(g) })
    }

    /// V2: across an active peering connection, into the VPC on the other side, and only to
    /// an address of that VPC: no transitive peering, no edge-to-edge routing (E4 included).
    #[inline(never)]
    fn across_peering<R: Recorder>(
        &self,
        p: PeeringId,
        from_vpc: VpcId,
        from_subnet: SubnetId,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        rec.hop(self, Component::Peering(p), Why::Nothing, Some(h), None);
        let Some(peer) = self[p].peer_of(from_vpc) else {
            return Err(block(ExplanationCode::BadStateRoute, Component::Peering(p), h));
        };
        if !self[peer].contains(h.dst) {
            rec.consulted(self, Consulted::Route { table: self[peer].main_route_table, dst: h.dst });
            return Err(block(self.beyond_peering(peer, h.dst), Component::Peering(p), h));
        }
        self.arrive_local(peer, from_subnet, h, mode, true, rec)
    }

    /// V2: why a packet for `dst`, outside the peer VPC, stops at the peering connection:
    /// the peer's main table would send it on through another peering (not transitive) or out
    /// through one of its gateways (edge to edge).
    fn beyond_peering(&self, peer: VpcId, dst: Ipv4Addr) -> ExplanationCode {
        let table = &self[self[peer].main_route_table];
        match table.lookup(u32::from(dst)).map(|r| &r.target) {
            Some(RouteTarget::Igw(_) | RouteTarget::Nat(_) | RouteTarget::GatewayEndpoint(_)) => {
                ExplanationCode::PeeringEdgeToEdge
            }
            _ => ExplanationCode::PeeringNotTransitive,
        }
    }

    /// A route to an interface or instance: the appliance must accept packets not addressed to it,
    /// and an instance's kernel must forward them (G5).
    #[inline(always)]
    fn to_appliance<R: Recorder>(
        &self,
        from_subnet: SubnetId,
        t: EniId,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<Next, Block> {
        let target = &self[t];
        if target.subnet != from_subnet {
            self.check_nacl(target.subnet, Direction::Ingress, h, rec)?;
        }
        self.arrive_at(t, h, mode, rec)?;
        if target.holds(h.dst) {
            return Ok(Next::Arrived(LegEnd { eni: Some(t), header: h, via: None }));
        }
        if target.source_dest_check {
            return Err(block(ExplanationCode::EniSourceDestCheckRestriction, Component::Eni(t), h));
        }
        if let EniOwner::Instance(i) = target.owner {
            // G5: masquerade rewrites connections the instance sees open; a response it never saw
            // open is routed on unchanged (its own connection's responses are addressed to it).
            let through = self.instance_forwards(i, h, rec)?;
            if let (Through::Masqueraded, false) = (through, mode.is_reply()) {
                return Ok(Next::Arrived(LegEnd { eni: Some(t), header: h, via: None }));
            }
        }
        Ok(Next::Appliance(t))
    }

    /// I1, I2, I5: out through an internet gateway from interface `at`, translated to the
    /// sender's public IP; then across the internet. The sender is `at` itself unless `at`
    /// forwards someone else's packet (an appliance), which the address index then finds.
    #[inline(always)]
    fn out_through_igw<R: Recorder>(
        &self,
        g: IgwId,
        at: EniId,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        if is_rfc1918(h.dst) {
            return Err(block(
                ExplanationCode::IgwDestinationAddressNotInRfc1918Egress,
                Component::Igw(g),
                h,
            ));
        }
        let e = &self[at];
        let sender =
            if e.holds(h.src) && !e.deleted { Some(at) } else { self.eni_by_private_ip(e.vpc, h.src) };
        let public = sender.and_then(|e| self.public_ip_for(e, h.src));
        let Some(public) = public else {
            rec.hop(self, Component::Igw(g), Why::Nothing, Some(h), None);
            return Err(block(ExplanationCode::IgwPublicIpAssociationForEgress, Component::Igw(g), h));
        };
        let out = Header { src: public, ..h };
        rec.hop(self, Component::Igw(g), Why::Nothing, Some(h), Some(out));
        self.across_internet(out, mode, rec)
    }

    /// The internet: a public address of an interface enters through its VPC's gateway; else a
    /// host of the simulated internet, or (for a response) the internet client that started the flow.
    #[inline(always)]
    pub(crate) fn across_internet<R: Recorder>(
        &self,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        if let Some((dst, private)) = self.public_target(h.dst) {
            rec.hop(self, Component::Internet(None), Why::Nothing, Some(h), None);
            return self.in_through_igw(dst, private, h, mode, rec);
        }
        if mode == Mode::ReplyToClient(h.dst) || self.is_internet_host(h.dst) {
            return Ok(LegEnd { eni: None, header: h, via: None });
        }
        Err(block(ExplanationCode::UnknownDestination, Component::Internet(Some(h.dst)), h))
    }

    /// Whether a host of the simulated internet answers at `addr`.
    pub fn is_internet_host(&self, addr: Ipv4Addr) -> bool {
        addr == crate::region::CHECKIP_ADDR
            || crate::region::PUBLIC_RESOLVERS.contains(&addr)
            || addr == self.region().service_addr()
            || self.gateway_service_at(addr).is_some()
    }

    /// I1, I3: inbound through the destination VPC's gateway, translated back to the private
    /// address the public one maps to (the primary, or a secondary one, M6).
    #[inline(always)]
    fn in_through_igw<R: Recorder>(
        &self,
        dst: EniId,
        private: Ipv4Addr,
        h: Header,
        mode: Mode,
        rec: &mut R,
    ) -> Result<LegEnd, Block> {
        let e = &self[dst];
        let Some(g) = self.igw_of(e.vpc) else {
            return Err(block(
                ExplanationCode::IgwPrivateIpAssociationForIngress,
                Component::Internet(None),
                h,
            ));
        };
        let inside = Header { dst: private, ..h };
        rec.hop(self, Component::Igw(g), Why::Nothing, Some(h), Some(inside));
        self.check_nacl(e.subnet, Direction::Ingress, inside, rec)?;
        self.arrive_at(dst, inside, mode, rec)?;
        Ok(LegEnd { eni: Some(dst), header: inside, via: None })
    }
}

/// Where a packet goes from an interface.
enum Next {
    /// It reached the owner of its destination.
    Arrived(LegEnd),
    /// An appliance interface forwards it on.
    Appliance(EniId),
}
