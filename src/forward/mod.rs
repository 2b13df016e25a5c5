//! The packet walk: a [`Flow`] from an interface in, an [`Outcome`] (verdict only,
//! no allocation) or a [`Trace`] (every hop explained) out. Pure: it reads the
//! [`World`] and never changes it; no clock, no I/O.
//!
//! A flow is walked as legs. A leg is one routed journey from an interface to the
//! interface (or internet host) that owns the destination address ([`leg`]). A
//! load balancer node or an endpoint ends a leg and starts the next ([`lb`]). The
//! response walks the legs back in reverse order, statefully (S2) but through the
//! NACLs and route tables again (N3, RA3).

mod lb;
mod leg;
mod nat;
mod nat_instance;
mod record;
mod rules;

use std::net::Ipv4Addr;

pub use record::{
    explain_block, internet_host_name, Consulted, ExplainRecorder, NullRecorder, Recorder, Why,
};
pub use rules::SgDecision;

use crate::ids::*;
use crate::model::aws_service::AwsService;
use crate::model::eni::EniOwner;
use crate::trace::{ExplanationCode, Flow, Header, Trace};
use crate::world::World;

/// The address of the client on the internet that scenario steps `on: internet` run from.
pub const INTERNET_CLIENT: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);

/// A component of a path, by typed handle (the recorder turns it into ids and names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// An instance.
    Instance(InstanceId),
    /// A network interface.
    Eni(EniId),
    /// A security group.
    Sg(SgId),
    /// A network ACL.
    Nacl(NaclId),
    /// A route table.
    RouteTable(RouteTableId),
    /// An internet gateway.
    Igw(IgwId),
    /// A load balancer.
    Lb(LbId),
    /// A listener.
    Listener(ListenerId),
    /// A target group.
    TargetGroup(TargetGroupId),
    /// A VPC endpoint.
    Endpoint(EndpointId),
    /// An endpoint service.
    Service(ServiceId),
    /// A NAT gateway.
    NatGateway(NatId),
    /// A VPC peering connection.
    Peering(PeeringId),
    /// A gateway endpoint.
    GatewayEndpoint(GatewayEndpointId),
    /// An AWS service answering at its interface endpoint (P13).
    AwsService(AwsService),
    /// The internet, or the host on it with this address.
    Internet(Option<Ipv4Addr>),
}

/// Why and where a flow stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    /// The RA2 code.
    pub code: ExplanationCode,
    /// The component that stopped it.
    pub at: Component,
    /// The packet as it was there.
    pub header: Header,
    /// Whether it stopped on the return path.
    pub on_return: bool,
}

/// Where a delivered flow ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An instance (through its interface).
    Instance(InstanceId),
    /// A host of the simulated internet at this address.
    Internet(Ipv4Addr),
    /// An interface nothing answers on (a detached ENI).
    Interface(EniId),
    /// An AWS service, answering at its interface endpoint in the VPC (P13).
    AwsService(AwsService),
}

/// The verdict of a walk: delivered (and answered), or blocked with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The flow got there and the response came back.
    Delivered {
        /// Who received it.
        to: Destination,
        /// The packet as the destination saw it.
        seen: Header,
    },
    /// The flow stopped.
    Blocked(Block),
}

impl Outcome {
    /// Whether the flow was delivered and answered.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered { .. })
    }

    /// The explanation code of a blocked flow.
    pub fn code(&self) -> Option<ExplanationCode> {
        match self {
            Outcome::Blocked(b) => Some(b.code),
            Outcome::Delivered { .. } => None,
        }
    }
}

/// Walking state that must not allocate: the legs walked so far, for the return path.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Legs {
    items: [Option<LegRecord>; 6],
    len: usize,
    /// The client on the internet that opened the flow, which its response may return to.
    client: Option<Ipv4Addr>,
}

/// One leg, remembered for its response.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LegRecord {
    /// A routed leg from an interface to an interface or internet host.
    Routed {
        /// Where it ended (None for an internet host).
        to: Option<EniId>,
        /// The packet as it arrived.
        arrived: Header,
        /// L8: the response goes to this address instead of the seen source (a load balancer node).
        reply_to: Option<Ipv4Addr>,
    },
    /// E1: a routed leg from an interface to an AWS service through a gateway endpoint.
    Gateway {
        /// The endpoint.
        endpoint: GatewayEndpointId,
        /// The interface the leg started at (the response returns to it).
        from: EniId,
        /// The packet as the service saw it.
        arrived: Header,
    },
    /// The PrivateLink hop from an endpoint interface to a load balancer node.
    PrivateLink {
        /// The endpoint.
        endpoint: EndpointId,
        /// The service.
        service: ServiceId,
        /// The load balancer.
        lb: LbId,
    },
    /// A NAT gateway's translation (G1): the packet before and after.
    Nat {
        /// The gateway.
        nat: NatId,
        /// The packet as it reached the gateway.
        inside: Header,
        /// The packet as it left.
        outside: Header,
    },
    /// A NAT instance's masquerade (G5): the packet before and after.
    NatInstance {
        /// The instance.
        instance: InstanceId,
        /// The packet as it reached the instance.
        inside: Header,
        /// The packet as it left.
        outside: Header,
    },
}

impl Legs {
    /// Whether no further leg can be remembered (a chain of gateways that long is a loop).
    fn is_full(&self) -> bool {
        self.len + 2 > self.items.len()
    }

    fn push(&mut self, leg: LegRecord) {
        if self.len < self.items.len() {
            self.items[self.len] = Some(leg);
            self.len += 1;
        }
    }
}

impl World {
    /// M5: the interface an instance's new flow to `dst` leaves from, as the instance's
    /// own routing table picks it: the interface whose subnet holds `dst` (the connected
    /// route each interface brings), else the primary one (the default route is on eth0).
    /// A reply leaves by the interface its request arrived on: the walk returns along the
    /// legs it recorded, as Amazon Linux's per-interface policy routing does.
    pub fn source_interface(&self, instance: InstanceId, dst: Ipv4Addr) -> EniId {
        let inst = &self[instance];
        inst.enis().find(|e| self[self[*e].subnet].cidr.contains(dst)).unwrap_or(inst.eni)
    }

    /// The verdict of a flow from interface `from`, allocating nothing (for benchmarks and bulk analysis).
    pub fn verdict(&self, from: EniId, flow: Flow) -> Outcome {
        self.walk(from, flow, &mut NullRecorder)
    }

    /// The explained path of a flow from interface `from`: every hop, forward and return.
    pub fn trace(&self, from: EniId, flow: Flow) -> Trace {
        self.trace_outcome(from, flow).0
    }

    /// The explained path and the verdict together.
    pub fn trace_outcome(&self, from: EniId, flow: Flow) -> (Trace, Outcome) {
        let mut rec = ExplainRecorder::new(self);
        let outcome = self.walk(from, flow, &mut rec);
        (rec.finish(flow.header, outcome), outcome)
    }

    /// The verdict of a flow from a client on the internet (its source is the client's public
    /// address, such as [`INTERNET_CLIENT`]), allocating nothing. The flow enters AWS through
    /// whatever its destination leads to: an interface's public address through its VPC's
    /// internet gateway (I3), an internet-facing load balancer's node the same way.
    ///
    /// ```
    /// use vpcsim::forward::INTERNET_CLIENT;
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::trace::{Flow, Header};
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let web = w.public_ip_of(w[lab.my_ec2].eni).unwrap();
    /// let header = Header { src: INTERNET_CLIENT, dst: web, protocol: vpcsim::addr::Protocol::Tcp, src_port: 40000, dst_port: 80 };
    /// assert!(w.verdict_from_internet(Flow { header, seq: 0 }).is_delivered());
    /// ```
    pub fn verdict_from_internet(&self, flow: Flow) -> Outcome {
        self.walk_from_internet(flow, &mut NullRecorder)
    }

    /// The explained path of a flow from a client on the internet, forward and return.
    pub fn trace_from_internet(&self, flow: Flow) -> Trace {
        self.trace_outcome_from_internet(flow).0
    }

    /// The explained path of a flow from a client on the internet and the verdict together.
    pub fn trace_outcome_from_internet(&self, flow: Flow) -> (Trace, Outcome) {
        let mut rec = ExplainRecorder::new(self);
        let outcome = self.walk_from_internet(flow, &mut rec);
        (rec.finish(flow.header, outcome), outcome)
    }

    /// Walk a flow from a client on the internet with any recorder.
    pub fn walk_from_internet<R: Recorder>(&self, flow: Flow, rec: &mut R) -> Outcome {
        self.walk_with(rec, |w, legs, rec| {
            legs.client = Some(flow.header.src);
            rec.hop(w, Component::Internet(Some(flow.header.src)), Why::Nothing, Some(flow.header), None);
            let end = w.across_internet(flow.header, leg::Mode::Forward, rec)?;
            legs.push(LegRecord::Routed { to: end.eni, arrived: end.header, reply_to: None });
            w.arrived(end, flow.seq, legs, rec)
        })
    }

    /// Walk a flow with any recorder.
    pub fn walk<R: Recorder>(&self, from: EniId, flow: Flow, rec: &mut R) -> Outcome {
        self.walk_with(rec, |w, legs, rec| w.walk_forward(from, flow, legs, rec))
    }

    /// The forward walk given, then the response through the legs it recorded.
    fn walk_with<R: Recorder>(
        &self,
        rec: &mut R,
        forward: impl FnOnce(&World, &mut Legs, &mut R) -> Result<(Destination, Header), Block>,
    ) -> Outcome {
        let mut legs = Legs::default();
        match forward(self, &mut legs, rec) {
            Err(block) => Outcome::Blocked(block),
            Ok((to, seen)) => {
                rec.start_return();
                match self.walk_return(&legs, rec) {
                    Ok(()) => Outcome::Delivered { to, seen },
                    Err(mut block) => {
                        block.on_return = true;
                        Outcome::Blocked(block)
                    }
                }
            }
        }
    }

    fn walk_forward<R: Recorder>(
        &self,
        from: EniId,
        flow: Flow,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        let src = &self[from];
        if let EniOwner::Instance(i) = src.owner {
            rec.hop(self, Component::Instance(i), Why::Nothing, Some(flow.header), None);
        }
        let end = self.routed_leg(from, flow.header, leg::Mode::Forward, rec)?;
        legs.push(match end.via {
            Some(endpoint) => LegRecord::Gateway { endpoint, from, arrived: end.header },
            None => LegRecord::Routed { to: end.eni, arrived: end.header, reply_to: None },
        });
        self.arrived(end, flow.seq, legs, rec)
    }

    /// A leg ended: at a host of the internet, an instance, or the next leg's start.
    #[inline(always)]
    fn arrived<R: Recorder>(
        &self,
        end: leg::LegEnd,
        seq: u32,
        legs: &mut Legs,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        let Some(eni) = end.eni else {
            rec.hop(self, Component::Internet(Some(end.header.dst)), Why::Delivered, Some(end.header), None);
            return Ok((Destination::Internet(end.header.dst), end.header));
        };
        match self[eni].owner {
            EniOwner::Instance(i) if !self[eni].holds(end.header.dst) => {
                self.through_nat_instance(i, eni, end.header, seq, legs, rec)
            }
            EniOwner::Instance(i) => self.deliver(i, end.header, rec),
            EniOwner::LoadBalancer(lb) => {
                self.through_load_balancer(lb, eni, end.header, seq, None, legs, rec)
            }
            EniOwner::Endpoint(ep) => self.through_endpoint(ep, eni, end.header, seq, legs, rec),
            EniOwner::NatGateway(nat) => self.through_nat_gateway(nat, end.header, seq, legs, rec),
            EniOwner::Detached => Ok((Destination::Interface(eni), end.header)),
        }
    }

    #[inline]
    fn deliver<R: Recorder>(
        &self,
        i: InstanceId,
        h: Header,
        rec: &mut R,
    ) -> Result<(Destination, Header), Block> {
        use crate::model::instance::InstanceState;
        if self[i].state != InstanceState::Running {
            return Err(Block {
                code: ExplanationCode::BadState,
                at: Component::Instance(i),
                header: h,
                on_return: false,
            });
        }
        rec.hop(self, Component::Instance(i), Why::Delivered, Some(h), None);
        Ok((Destination::Instance(i), h))
    }
}
