//! Recorders: what the walk does with each hop. [`NullRecorder`] drops them (the
//! verdict-only path allocates nothing); [`ExplainRecorder`] turns typed hops into
//! the ids, names and matched rules of a [`Trace`], as typed values ([`Matched`]):
//! nothing is formatted while recording.

use std::borrow::Cow;

use crate::addr::{Cidr, PortRange, RuleProtocol};
use crate::ids::*;
use crate::model::nacl::{AclEntry, Action};
use crate::model::nlb::TargetRef;
use crate::model::route_table::{Route, RouteTarget as ModelTarget};
use crate::model::security_group::{Peer, SgRule};
use crate::trace::{
    ComponentKind, Direction, Explanation, ExplanationCode, FlowHashChoice, Header, Hop, Matched, RouteState,
    RouteTarget, SgPeer, TargetId, TargetPool, Text, Trace,
};
use crate::world::{Handle, World};

use super::{Block, Component, Outcome};

/// What matched at a hop, by reference: cheap to pass, turned into text only when explaining.
#[derive(Clone, Copy, Debug)]
pub enum Why<'a> {
    /// Nothing to say.
    Nothing,
    /// A security group rule allowed it.
    SgRule(SgId, Direction, &'a SgRule),
    /// A response allowed statefully (S2).
    Stateful(Direction),
    /// A NACL entry decided (None: the final `*` deny).
    Acl(Direction, Option<&'a AclEntry>),
    /// A route matched; the flag says whether it is active.
    Route(&'a Route, bool),
    /// A listener took it.
    Listener(ListenerId),
    /// A target was chosen: index in the group, hash, number of candidates, whether failing open.
    Target(TargetGroupId, usize, u64, u32, bool),
    /// A state (an endpoint's).
    State(&'static str),
    /// Delivered.
    Delivered,
}

/// A rule table the walk read to decide, named for analyses that must know what a
/// verdict depended on ([`crate::analyzer::update`]); a hop may or may not follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consulted {
    /// The groups of interface `eni` evaluated in `dir` for header `h` (every group of the
    /// interface counts: any may allow).
    Sgs {
        /// The interface.
        eni: EniId,
        /// The direction.
        dir: Direction,
        /// The packet.
        h: Header,
    },
    /// NACL `acl` evaluated in `dir` for header `h`.
    Nacl {
        /// The NACL.
        acl: NaclId,
        /// The direction.
        dir: Direction,
        /// The packet.
        h: Header,
    },
    /// Route table `table` looked up for address `dst` (longest prefix match, R3).
    Route {
        /// The table.
        table: RouteTableId,
        /// The address looked up.
        dst: std::net::Ipv4Addr,
    },
}

/// Receives the hops of a walk.
pub trait Recorder {
    /// One component passed.
    fn hop(
        &mut self,
        w: &World,
        c: Component,
        why: Why<'_>,
        inbound: Option<Header>,
        outbound: Option<Header>,
    );
    /// The response path starts.
    fn start_return(&mut self);
    /// A rule table was read to decide (nothing to do unless the recorder tracks
    /// dependencies).
    #[inline(always)]
    fn consulted(&mut self, _w: &World, _what: Consulted) {}
}

/// Drops every hop: the verdict-only walk.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullRecorder;

impl Recorder for NullRecorder {
    #[inline(always)]
    fn hop(&mut self, _: &World, _: Component, _: Why<'_>, _: Option<Header>, _: Option<Header>) {}
    #[inline(always)]
    fn start_return(&mut self) {}
}

/// Builds a [`Trace`].
#[derive(Debug)]
pub struct ExplainRecorder<'w> {
    world: &'w World,
    forward: Vec<Hop>,
    ret: Vec<Hop>,
    returning: bool,
}

impl<'w> ExplainRecorder<'w> {
    /// A recorder for walks over `world`.
    pub fn new(world: &'w World) -> ExplainRecorder<'w> {
        // The lab's longest path has 17 hops forward and 11 back: one allocation each.
        ExplainRecorder {
            world,
            forward: Vec::with_capacity(24),
            ret: Vec::with_capacity(16),
            returning: false,
        }
    }

    /// The trace of the walk that ended with `outcome`.
    pub fn finish(self, flow: Header, outcome: Outcome) -> Trace {
        let (explanation, delivered) = match outcome {
            Outcome::Delivered { seen, .. } => (None, Some(seen)),
            Outcome::Blocked(b) => (Some(explain_block(self.world, &b)), None),
        };
        Trace { flow, forward: self.forward, ret: self.ret, explanation, delivered }
    }
}

impl Recorder for ExplainRecorder<'_> {
    fn hop(
        &mut self,
        w: &World,
        c: Component,
        why: Why<'_>,
        inbound: Option<Header>,
        outbound: Option<Header>,
    ) {
        let (kind, handle) = classify(c);
        let host;
        let id = match handle {
            Some(h) => w.aws_id(h),
            None => {
                host = internet_id(w, c);
                &*host
            }
        };
        let path = if self.returning { &mut self.ret } else { &mut self.forward };
        let repeat = path.last().is_some_and(|last| last.kind == kind && last.id == id);
        if repeat && matches!(why, Why::Nothing) {
            return;
        }
        path.reserve(1);
        let len = path.len();
        let slot = path.spare_capacity_mut()[0].as_mut_ptr();
        // A hop is about 190 bytes: built on the stack and then pushed, it costs a `memcpy`
        // call per hop. Each field is written straight into the vector's spare slot instead.
        // SAFETY: `slot` points to the uninitialised slot at `path.len()`, inside the
        // capacity reserved above; every field is written exactly once before the length
        // covers the slot, and nothing reads it before then.
        unsafe {
            std::ptr::addr_of_mut!((*slot).seq).write(len as u16 + 1);
            std::ptr::addr_of_mut!((*slot).kind).write(kind);
            std::ptr::addr_of_mut!((*slot).id).write(Text::from(id));
            std::ptr::addr_of_mut!((*slot).name).write(handle.and_then(|h| w.name_of(h)).map(Text::from));
            std::ptr::addr_of_mut!((*slot).matched).write(matched(w, why));
            std::ptr::addr_of_mut!((*slot).inbound).write(inbound);
            std::ptr::addr_of_mut!((*slot).outbound).write(outbound);
            path.set_len(len + 1);
        }
    }

    fn start_return(&mut self) {
        self.returning = true;
    }
}

/// The kind, AWS id and name of a component.
pub fn describe(w: &World, c: Component) -> (ComponentKind, String, Option<String>) {
    let (kind, handle) = classify(c);
    let id = match handle {
        Some(h) => w.aws_id(h).to_string(),
        None => internet_id(w, c).into_owned(),
    };
    (kind, id, handle.and_then(|h| w.name_of(h)).map(str::to_string))
}

/// The kind and handle of a component (no handle for the internet).
#[inline]
fn classify(c: Component) -> (ComponentKind, Option<Handle>) {
    let (kind, handle) = match c {
        Component::Instance(x) => (ComponentKind::Instance, Handle::Instance(x)),
        Component::Eni(x) => (ComponentKind::NetworkInterface, Handle::Eni(x)),
        Component::Sg(x) => (ComponentKind::SecurityGroup, Handle::Sg(x)),
        Component::Nacl(x) => (ComponentKind::NetworkAcl, Handle::Nacl(x)),
        Component::RouteTable(x) => (ComponentKind::RouteTable, Handle::RouteTable(x)),
        Component::Igw(x) => (ComponentKind::InternetGateway, Handle::Igw(x)),
        Component::Lb(x) => (ComponentKind::LoadBalancer, Handle::Lb(x)),
        Component::Listener(x) => (ComponentKind::LoadBalancerListener, Handle::Listener(x)),
        Component::TargetGroup(x) => (ComponentKind::TargetGroup, Handle::TargetGroup(x)),
        Component::Endpoint(x) => (ComponentKind::VpcEndpoint, Handle::Endpoint(x)),
        Component::Service(x) => (ComponentKind::VpcEndpointService, Handle::Service(x)),
        Component::NatGateway(x) => (ComponentKind::NatGateway, Handle::NatGateway(x)),
        Component::Peering(x) => (ComponentKind::VpcPeeringConnection, Handle::Peering(x)),
        Component::GatewayEndpoint(x) => (ComponentKind::VpcEndpoint, Handle::GatewayEndpoint(x)),
        Component::Internet(_) => return (ComponentKind::Internet, None),
        Component::AwsService(_) => return (ComponentKind::VpcEndpointService, None),
    };
    (kind, Some(handle))
}

/// The id of a component the world holds no resource for: the internet, a host on it, or
/// an AWS service by its service name (allocated only for a host or a service).
fn internet_id(w: &World, c: Component) -> Cow<'static, str> {
    match c {
        Component::Internet(Some(addr)) => Cow::Owned(internet_host_name(w, addr)),
        Component::AwsService(a) => Cow::Owned(a.service_name(w.region().name)),
        _ => Cow::Borrowed("internet"),
    }
}

/// The name of a host of the simulated internet.
pub fn internet_host_name(w: &World, addr: std::net::Ipv4Addr) -> String {
    if addr == crate::region::CHECKIP_ADDR {
        "checkip.amazonaws.com".into()
    } else if crate::region::PUBLIC_RESOLVERS.contains(&addr) {
        format!("dns-resolver {addr}")
    } else if addr == w.region().service_addr() {
        format!("aws-services.{}.amazonaws.com", w.region().name)
    } else if let Some(service) = w.gateway_service_at(addr) {
        format!("{service}.{}.amazonaws.com", w.region().name)
    } else {
        addr.to_string()
    }
}

/// The peer a rule names, with a group by its id.
fn peer(w: &World, p: &Peer) -> SgPeer {
    match p {
        Peer::Cidr(c) => SgPeer::Cidr(*c),
        Peer::Group(g) => SgPeer::Group(Text::from(&w[g].aws_id)),
        Peer::PrefixList(p) => SgPeer::PrefixList(Text::from(&w[p].aws_id)),
    }
}

/// A route's target by the id the route table lists.
fn route_target(w: &World, target: &ModelTarget) -> RouteTarget {
    match target {
        ModelTarget::Local => RouteTarget::Local,
        ModelTarget::Igw(g) => RouteTarget::InternetGateway(Text::from(&w[g].aws_id)),
        ModelTarget::Eni(e) => RouteTarget::NetworkInterface(Text::from(&w[e].aws_id)),
        ModelTarget::Instance(i) => RouteTarget::Instance(Text::from(&w[i].aws_id)),
        ModelTarget::Nat(n) => RouteTarget::NatGateway(Text::from(&w[n].aws_id)),
        ModelTarget::Pcx(p) => RouteTarget::VpcPeeringConnection(Text::from(&w[p].aws_id)),
        ModelTarget::Tgw(id) => RouteTarget::TransitGateway(Text::from(id)),
        ModelTarget::GatewayEndpoint(g) => RouteTarget::GatewayEndpoint(Text::from(&w[g].aws_id)),
    }
}

/// A target by the id its group lists.
fn target_id(w: &World, t: TargetRef) -> TargetId {
    match t {
        TargetRef::Instance(i) => TargetId::Instance(Text::from(&w[i].aws_id)),
        TargetRef::Ip(ip) => TargetId::Ip(ip),
    }
}

fn matched(w: &World, why: Why<'_>) -> Option<Matched> {
    Some(match why {
        Why::Nothing => return None,
        Why::SgRule(sg, direction, r) => Matched::SecurityGroupRule {
            direction,
            group_id: Text::from(&w[sg].aws_id),
            protocol: r.protocol,
            ports: r.ports,
            peer: peer(w, &r.peer),
        },
        Why::Stateful(direction) => Matched::Stateful { direction },
        Why::Acl(direction, e) => match e {
            Some(e) => Matched::AclRule {
                direction,
                rule_number: Some(e.number),
                action: e.action,
                cidr: e.cidr,
                protocol: e.protocol,
                ports: e.ports,
            },
            None => Matched::AclRule {
                direction,
                rule_number: None,
                action: Action::Deny,
                cidr: Cidr::ANY,
                protocol: RuleProtocol::All,
                ports: PortRange::ALL,
            },
        },
        Why::Route(r, active) => Matched::Route {
            destination: r.destination,
            target: route_target(w, &r.target),
            state: if active { RouteState::Active } else { RouteState::Blackhole },
        },
        Why::Listener(l) => {
            let l = &w[l];
            Matched::Listener { protocol: l.protocol, port: l.port }
        }
        Why::Target(tg, i, hash, candidates, fail_open) => {
            let group = &w[tg];
            let t = &group.targets[i];
            let (address, az) =
                w.target_address(group.vpc, t.target).unwrap_or((std::net::Ipv4Addr::UNSPECIFIED, "?"));
            let pool = if fail_open { TargetPool::FailOpen } else { TargetPool::Healthy };
            Matched::Target {
                target: target_id(w, t.target),
                address,
                port: t.port,
                choice: FlowHashChoice { hash, candidates, pool, az },
            }
        }
        Why::State(s) => Matched::State { state: Text::from(s) },
        Why::Delivered => Matched::Delivered,
    })
}

/// The explanation of a block: its code, component and a sentence for people.
pub fn explain_block(w: &World, b: &Block) -> Explanation {
    let (kind, component_id, component_name) = describe(w, b.at);
    Explanation { code: b.code, kind, component_id, component_name, message: message(w, b) }
}

fn message(w: &World, b: &Block) -> String {
    use ExplanationCode as C;
    let h = b.header;
    let side = if b.on_return { "on the way back, " } else { "" };
    match b.code {
        C::NoRouteToDestination => format!("{side}no route in the table matches {}", h.dst),
        C::BadStateRoute => format!("{side}the route to {} is a blackhole: its target is gone or detached", h.dst),
        C::EniSgRulesMismatch => format!("no rule of the interface's security groups allows {h}"),
        C::SgHasNoRules => format!("the security groups have no rules in this direction, so {h} is denied"),
        C::SubnetAclRestriction if b.on_return => format!("{side}a network ACL rule denies {h} (NACLs are stateless: the return needs its own rule)"),
        C::SubnetAclRestriction => format!("a network ACL rule denies {h}"),
        C::EniSourceDestCheckRestriction => format!("the interface is not the source or destination of {h} and its source/destination check is on (a NAT instance or appliance needs it off: aws ec2 modify-instance-attribute --no-source-dest-check)"),
        C::IgwPublicIpAssociationForEgress => format!("{} has no public IP, so the internet gateway cannot translate it (from a private subnet, route 0.0.0.0/0 to a NAT gateway in a public subnet or to a NAT instance; PrivateLink reaches services without the internet)", h.src),
        C::IgwPrivateIpAssociationForIngress => format!("{} is not a public IP mapped to an interface of this VPC", h.dst),
        C::IgwDestinationAddressNotInRfc1918Egress => format!("{} is a private (RFC 1918) address; an internet gateway does not carry it", h.dst),
        C::ElbListenerPortRestriction => format!("the load balancer has no {} listener on port {}", h.protocol, h.dst_port),
        C::Elbv2ListenerHasNoTg => "the listener forwards to no target group".into(),
        C::Elbv2NoTargetsInAz => "the target group has no target in this node's Availability Zone".into(),
        C::ElbNotCrosszone => "the only healthy targets are in other Availability Zones and cross-zone load balancing is off".into(),
        C::TargetPortRestriction => format!("the target does not accept port {}", h.dst_port),
        C::NatLoopbackNotSupported => format!("the load balancer chose {}, the client itself, and preserves the client's address: the target gets its own packet back from {} and the connection times out (NAT loopback is not supported; use ip targets or turn client IP preservation off)", h.dst, h.src),
        C::VpceServiceNotInstalledInAz => "the endpoint service has no load balancer node in this Availability Zone".into(),
        C::VpceIntraVpcTraffic => "PrivateLink carries traffic only from the consumer to the service".into(),
        C::BadState => match b.at {
            Component::Endpoint(e) => {
                let ep = &w[e];
                format!("the VPC endpoint {} is {}, not available: traffic flows only once the service owner accepts it and it becomes available", ep.aws_id, ep.state.as_str())
            }
            Component::Service(_) => "the endpoint service is deleted".into(),
            Component::Instance(i) => format!("the instance is {}", w[i].state.as_str()),
            Component::NatGateway(n) => format!("the NAT gateway {} is {}, not available: it translates once available (about a minute after creation)", w[n].aws_id, w[n].state.as_str()),
            _ => "the component is not in a state that carries traffic".into(),
        },
        C::UnknownDestination => format!("nothing answers at {}", h.dst),
        C::ProtocolRestriction => format!("{} is not carried here (a Network Load Balancer does not answer ICMP)", h.protocol),
        C::RoutingLoop => format!("{side}the packet to {} came back to an interface it had already left: a routing loop", h.dst),
        C::PeeringNotTransitive => format!("peering is not transitive: {} is not in the peer VPC, and traffic that crosses a peering connection is delivered only to addresses of the VPC on the other side{}", h.dst, beyond_peer(w, b)),
        C::PeeringEdgeToEdge => format!("edge-to-edge routing through a peering connection is not supported: {} is not in the peer VPC{}; traffic that crosses a peering connection cannot leave through the peer's gateways", h.dst, beyond_peer(w, b)),
        C::TargetNotModelled => "the route's target kind (transit gateway, gateway endpoint) is not simulated yet".into(),
        C::NatGatewayNoInbound => format!("a NAT gateway admits no connection opened from outside: {h} was not opened from behind it (it translates only flows its subnets start)"),
        C::EndpointPolicyDenies => policy_refusal(w, b),
        C::IpForwardingDisabled => format!("the instance's kernel does not forward {h}: IP forwarding is off (a NAT instance runs `sysctl -w net.ipv4.ip_forward=1`; Reachability Analyzer does not see inside the instance and would report a path)"),
    }
}

/// E2: which statement of the gateway endpoint's policy refuses the flow's requests.
fn policy_refusal(w: &World, b: &Block) -> String {
    use crate::model::endpoint_policy::Decision;
    let super::Component::GatewayEndpoint(g) = b.at else {
        return "the endpoint's policy refuses the request".into();
    };
    let e = &w[g];
    let why = match e.policy.decide(&e.aws_id, &w[e.vpc].aws_id) {
        Decision::Refuses(Some(i)) => format!("{} denies every request", e.policy.statements[i].label(i)),
        _ => "no statement allows requests through it".into(),
    };
    format!("{} would refuse {}: the policy of {} ({why}); the connection is made, and every request gets Access Denied (Reachability Analyzer does not read endpoint policies)", e.service_name, b.header, e.aws_id)
}

/// V2: what the peer VPC's main route table would do with the destination of a packet
/// stopped at a peering connection (the explanation names the gateway it would have used).
fn beyond_peer(w: &World, b: &Block) -> String {
    let Component::Peering(p) = b.at else { return String::new() };
    let pcx = &w[p];
    let peer = if w[pcx.requester].contains(b.header.src) { pcx.accepter } else { pcx.requester };
    let table = w[peer].main_route_table;
    match w[table].lookup(u32::from(b.header.dst)).map(|r| &r.target) {
        Some(ModelTarget::Igw(g)) => format!(
            " (the peer VPC {} would send it out through its internet gateway {})",
            w[peer].aws_id, w[g].aws_id
        ),
        Some(ModelTarget::Pcx(q)) => format!(
            " (the peer VPC {} would send it on through its own peering connection {})",
            w[peer].aws_id, w[q].aws_id
        ),
        Some(t @ (ModelTarget::Nat(_) | ModelTarget::GatewayEndpoint(_))) => {
            format!(" (the peer VPC {} would send it to {})", w[peer].aws_id, w.route_target_id(t))
        }
        _ => format!(" (the peer VPC {} has no route for it in its main route table either)", w[peer].aws_id),
    }
}
