//! NAT gateways in the walk (G1-G4): a route to `nat-` ends a leg at the gateway,
//! which rewrites the source to its private IP and a port from 1024-65535 and
//! starts the next leg from its interface (its subnet's route table, then the
//! internet gateway's one-to-one mapping to the Elastic IP, I1). No security group
//! applies (G4); its subnet's NACLs do, both ways. Nothing opens a connection through
//! it or to it from outside (G2). Responses are translated back on the return path.

use crate::ids::*;
use crate::model::nat_gateway::{translated_port, PORT_HASH_SALT};
use crate::model::nlb::flow_hash;
use crate::trace::{Direction, ExplanationCode, Header};
use crate::world::World;

use super::{Block, Component, Destination, LegRecord, Legs, Recorder, Why};

fn block(code: ExplanationCode, nat: NatId, header: Header) -> Block {
    Block { code, at: Component::NatGateway(nat), header, on_return: false }
}

impl World {
    /// A route to NAT gateway `nat`: the packet crosses into its subnet (NACL inbound, N1) and
    /// reaches its interface; no security group is checked (G4).
    pub(crate) fn to_nat_gateway<R: Recorder>(
        &self,
        from_subnet: SubnetId,
        nat: NatId,
        h: Header,
        rec: &mut R,
    ) -> Result<super::leg::LegEnd, Block> {
        let n = &self[nat];
        if n.subnet != from_subnet {
            self.check_nacl(n.subnet, Direction::Ingress, h, rec)?;
        }
        Ok(super::leg::LegEnd { eni: Some(n.eni), header: h, via: None })
    }

    /// G1-G2: at the NAT gateway: a packet for its own address was not opened from inside and is
    /// dropped (G2); else, once available, the source becomes its private IP and a port of
    /// 1024-65535 chosen by the flow's hash, and the next leg leaves from its interface.
    #[inline(never)]
    pub(crate) fn through_nat_gateway<R: Recorder>(
        &self,
        nat: NatId,
        h: Header,
        seq: u32,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        let n = &self[nat];
        let inside = self[n.eni].private_ip;
        if h.dst == inside {
            rec.hop(self, Component::NatGateway(nat), Why::Nothing, Some(h), None);
            return Err(block(ExplanationCode::NatGatewayNoInbound, nat, h));
        }
        if !n.is_available() {
            rec.hop(self, Component::NatGateway(nat), Why::State(n.state.as_str()), Some(h), None);
            return Err(block(ExplanationCode::BadState, nat, h));
        }
        if legs.is_full() {
            return Err(block(ExplanationCode::RoutingLoop, nat, h));
        }
        let out = Header { src: inside, src_port: nat_port(self.flow_key(), h, seq), ..h };
        rec.hop(self, Component::NatGateway(nat), Why::Nothing, Some(h), Some(out));
        legs.push(LegRecord::Nat { nat, inside: h, outside: out });
        let end = self.routed_leg(n.eni, out, super::leg::Mode::Forward, rec)?;
        legs.push(match end.via {
            Some(endpoint) => LegRecord::Gateway { endpoint, from: n.eni, arrived: end.header },
            None => LegRecord::Routed { to: end.eni, arrived: end.header, reply_to: None },
        });
        self.arrived(end, seq, legs, rec)
    }

    /// G1: the response reaches the gateway as `outside` reversed and leaves it as `inside` reversed.
    pub(crate) fn nat_gateway_reply<R: Recorder>(
        &self,
        nat: NatId,
        inside: Header,
        outside: Header,
        rec: &mut R,
    ) {
        rec.hop(
            self,
            Component::NatGateway(nat),
            Why::Nothing,
            Some(outside.reversed()),
            Some(inside.reversed()),
        );
    }
}

/// G1: the translated source port of a flow (ICMP has none to translate).
fn nat_port(key: u64, h: Header, seq: u32) -> u16 {
    if h.protocol == crate::addr::Protocol::Icmp {
        return h.src_port;
    }
    translated_port(flow_hash(key ^ PORT_HASH_SALT, h.protocol, h.src, h.dst, h.src_port, h.dst_port, seq))
}
