//! NAT instances in the walk (G5): a route to an instance (or its interface) whose
//! source/destination check is off hands it packets addressed to others. Its kernel
//! decides what happens next ([`Forwarding::forward`]): without IP forwarding they are
//! dropped; with forwarding and no matching masquerade rule they are routed on unchanged
//! (and an internet gateway then finds no public address for the private source, I2);
//! with a masquerade rule the instance ends the leg, rewrites the source to its own
//! private IP and starts the next leg from its interface, through its own security
//! groups (outbound to the destination) and its subnet's route table. Responses are
//! translated back on the return path.
//!
//! [`Forwarding::forward`]: crate::model::nat_instance::Forwarding::forward

use crate::ids::*;
use crate::model::nat_instance::Forwarded;
use crate::trace::{ExplanationCode, Header};
use crate::world::World;

use super::leg::{LegEnd, Mode};
use super::{Block, Component, Destination, LegRecord, Legs, Recorder, Why};

/// What a NAT instance does with a packet routed to it that is not addressed to it.
pub(crate) enum Through {
    /// Routed on unchanged, within the leg.
    Routed,
    /// Masqueraded: the leg ends at the instance, which starts the next one.
    Masqueraded,
}

impl World {
    /// G5: the kernel of instance `i` got packet `h`, not addressed to it (its check is off):
    /// dropped without IP forwarding, else routed on, masqueraded when a rule matches.
    pub(crate) fn instance_forwards<R: Recorder>(
        &self,
        i: InstanceId,
        h: Header,
        rec: &mut R,
    ) -> Result<Through, Block> {
        match self[i].forwarding.forward(h.src, h.dst) {
            Forwarded::Dropped => {
                rec.hop(self, Component::Instance(i), Why::Nothing, Some(h), None);
                Err(Block {
                    code: ExplanationCode::IpForwardingDisabled,
                    at: Component::Instance(i),
                    header: h,
                    on_return: false,
                })
            }
            Forwarded::Routed => Ok(Through::Routed),
            Forwarded::Masqueraded => Ok(Through::Masqueraded),
        }
    }

    /// G5: at a NAT instance that masquerades: the source becomes the private IP of the interface
    /// the packet reached (the port is kept, as Linux keeps it when it is free), and the next leg
    /// leaves from that interface.
    pub(crate) fn through_nat_instance<R: Recorder>(
        &self,
        i: InstanceId,
        eni: EniId,
        h: Header,
        seq: u32,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        if legs.is_full() {
            return Err(Block {
                code: ExplanationCode::RoutingLoop,
                at: Component::Instance(i),
                header: h,
                on_return: false,
            });
        }
        let out = Header { src: self[eni].private_ip, ..h };
        rec.hop(self, Component::Instance(i), Why::Nothing, Some(h), Some(out));
        legs.push(LegRecord::NatInstance { instance: i, inside: h, outside: out });
        let end: LegEnd = self.routed_leg(eni, out, Mode::Forward, rec)?;
        legs.push(match end.via {
            Some(endpoint) => LegRecord::Gateway { endpoint, from: eni, arrived: end.header },
            None => LegRecord::Routed { to: end.eni, arrived: end.header, reply_to: None },
        });
        self.arrived(end, seq, legs, rec)
    }

    /// G5: the response reaches the NAT instance as `outside` reversed and leaves it as `inside` reversed.
    pub(crate) fn nat_instance_reply<R: Recorder>(
        &self,
        i: InstanceId,
        inside: Header,
        outside: Header,
        rec: &mut R,
    ) {
        rec.hop(
            self,
            Component::Instance(i),
            Why::Nothing,
            Some(outside.reversed()),
            Some(inside.reversed()),
        );
    }
}
