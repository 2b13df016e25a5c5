//! A deliberately plain second implementation of the forwarding decision, written
//! from the rules of `docs/aws-rules.md` rather than from [`crate::forward`], to test
//! the fast walk against.
//!
//! It reads the same [`World`] but uses none of its indexes or helpers: every
//! lookup is a linear scan of the arenas (the owner of an address, the public
//! address of an interface, the longest matching route, the lowest matching NACL
//! entry), every loop has a fixed bound, and nothing is cached. It is slow on
//! purpose and short enough to check against the rules by eye.
//!
//! The order of the checks, where the rules leave it open, is Reachability
//! Analyzer's: the sender's security groups (egress), its subnet's NACL (egress),
//! the route table, the target, the receiver's NACL (ingress), the receiver's
//! security groups (ingress). The response walks each leg back, last leg first,
//! with security groups passing statefully (S2) and NACLs and routes checked again
//! (N3).
//!
//! A path is compared as a projection (see [`Step`] and [`project`]): the ids of
//! the instances, network interfaces, route tables, internet gateways, load
//! balancers, target groups, endpoints and endpoint services passed, consecutive
//! repeats merged, and the component that stopped the flow reported apart.

use std::net::Ipv4Addr;

use crate::addr::{is_rfc1918, Protocol, RuleProtocol};
use crate::ids::*;
use crate::model::aws_service::AwsService;
use crate::model::endpoint_policy::{ConditionKey, Effect, Scope};
use crate::model::endpoint_service::ServiceState;
use crate::model::eni::EniOwner;
use crate::model::instance::InstanceState;
use crate::model::nacl::Action;
use crate::model::nat_gateway::{NatState, PORT_HASH_SALT};
use crate::model::nlb::{flow_hash, CrossZone, HealthState, Target, TargetRef};
use crate::model::peering::PeeringState;
use crate::model::route_table::{Route, RouteTarget};
use crate::model::security_group::{Peer, SgRule};
use crate::model::vpc_endpoint::{EndpointState, ServiceRef};
use crate::region::{CHECKIP_ADDR, PUBLIC_RESOLVERS};
use crate::trace::{ComponentKind, Direction, ExplanationCode, Flow, Header, Trace};
use crate::world::{Handle, World};

/// Appliance interfaces one leg may pass before it counts as a routing loop.
pub const MAX_APPLIANCES: usize = 8;

/// Translations (NAT gateways and masquerading NAT instances) one flow may pass; the next is
/// a routing loop (vpcsim's bound).
pub const MAX_TRANSLATIONS: usize = 2;

/// One component of a projected path: its kind and AWS id (`internet` for the internet).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// The kind.
    pub kind: ComponentKind,
    /// The AWS id (ARN for load balancers and target groups).
    pub id: String,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.id)
    }
}

/// The kinds a projected path keeps.
pub const PATH_KINDS: [ComponentKind; 10] = [
    ComponentKind::Instance,
    ComponentKind::NetworkInterface,
    ComponentKind::RouteTable,
    ComponentKind::InternetGateway,
    ComponentKind::LoadBalancer,
    ComponentKind::TargetGroup,
    ComponentKind::VpcEndpoint,
    ComponentKind::VpcEndpointService,
    ComponentKind::NatGateway,
    ComponentKind::VpcPeeringConnection,
];

/// Who received a delivered flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reached {
    /// An instance.
    Instance(InstanceId),
    /// A host of the simulated internet.
    Internet(Ipv4Addr),
    /// An interface nothing answers on.
    Interface(EniId),
    /// An AWS service, at its interface endpoint (P13).
    AwsService(AwsService),
}

/// The reference verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered and answered.
    Delivered {
        /// Who got it.
        to: Reached,
        /// The packet as they saw it.
        seen: Header,
    },
    /// Stopped.
    Blocked {
        /// The RA2 code.
        code: ExplanationCode,
        /// The component that stopped it.
        at: Step,
        /// Whether the response was stopped (the forward packet got there).
        on_return: bool,
    },
}

/// What the reference model expects of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Delivered or blocked.
    pub verdict: Verdict,
    /// The projected forward path ([`normalise`]d).
    pub forward: Vec<Step>,
    /// The projected return path ([`normalise`]d).
    pub ret: Vec<Step>,
}

/// The reference decision for a flow sent from interface `from`.
pub fn evaluate(world: &World, from: EniId, flow: Flow) -> Expected {
    let mut walk = Walk {
        w: world,
        forward: Vec::new(),
        ret: Vec::new(),
        returning: false,
        gateway: None,
        client: None,
    };
    let outcome = walk.forward(from, flow);
    walk.finish(outcome)
}

/// The reference decision for a flow a client on the internet sends (its source is the
/// client's address): I3, I1 into a VPC through its internet gateway by a public address,
/// to an instance, a load balancer node or a NAT gateway (which takes nothing opened from
/// outside, G2); the response may leave to that client.
pub fn evaluate_from_internet(world: &World, flow: Flow) -> Expected {
    let client = Some(flow.header.src);
    let mut walk =
        Walk { w: world, forward: Vec::new(), ret: Vec::new(), returning: false, gateway: None, client };
    let outcome = walk.forward_from_internet(flow);
    walk.finish(outcome)
}

impl Walk<'_> {
    /// The response walked back after a forward walk that got there, and the verdict with both paths.
    fn finish(mut self, outcome: Result<(Reached, Header, Vec<Leg>), Stop>) -> Expected {
        let verdict = match outcome {
            Err((code, at)) => Verdict::Blocked { code, at, on_return: false },
            Ok((to, seen, legs)) => {
                self.returning = true;
                match self.back(&legs) {
                    Ok(()) => Verdict::Delivered { to, seen },
                    Err((code, at)) => Verdict::Blocked { code, at, on_return: true },
                }
            }
        };
        let (fwd_at, ret_at) = match &verdict {
            Verdict::Blocked { at, on_return: false, .. } => (Some(at), None),
            Verdict::Blocked { at, on_return: true, .. } => (None, Some(at)),
            Verdict::Delivered { .. } => (None, None),
        };
        let forward = normalise(std::mem::take(&mut self.forward), fwd_at);
        let ret = normalise(std::mem::take(&mut self.ret), ret_at);
        Expected { verdict, forward, ret }
    }
}

/// The projection of a trace's forward and return paths, comparable with [`Expected`].
pub fn project(trace: &Trace) -> (Vec<Step>, Vec<Step>) {
    let keep = |hops: &[crate::trace::Hop]| -> Vec<Step> {
        hops.iter()
            .filter(|h| PATH_KINDS.contains(&h.kind))
            .map(|h| Step { kind: h.kind, id: h.id.to_string() })
            .collect()
    };
    let at = trace.explanation.as_ref().map(|e| step_of_kind(e.kind, &e.component_id));
    let on_return = trace.explanation.is_some() && trace.delivered.is_none() && !trace.ret.is_empty();
    let (fwd_at, ret_at) = if on_return { (None, at.as_ref()) } else { (at.as_ref(), None) };
    (normalise(keep(&trace.forward), fwd_at), normalise(keep(&trace.ret), ret_at))
}

/// The step for a component named by kind and id (the internet's hosts all become `internet`).
pub fn step_of_kind(kind: ComponentKind, id: &str) -> Step {
    let id = if kind == ComponentKind::Internet { "internet".to_string() } else { id.to_string() };
    Step { kind, id }
}

/// Merge consecutive repeats, then drop a last step that is the component that stopped the flow
/// (whether a walk lists the blocking component before stopping is not part of the contract).
pub fn normalise(mut path: Vec<Step>, at: Option<&Step>) -> Vec<Step> {
    path.dedup();
    if at.is_some() && path.last() == at {
        path.pop();
    }
    path
}

type Stop = (ExplanationCode, Step);

/// How many translations (NAT gateways, NAT instances) the legs so far passed.
fn translations(legs: &[Leg]) -> usize {
    legs.iter().filter(|l| matches!(l, Leg::Nat(_) | Leg::NatInstance(_))).count()
}

/// Forward (security groups checked) or response (stateful, S2).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    Reply,
    /// Forward, from a sender in another VPC (PrivateLink at the NLB node): no group holds it (S5, I6).
    ForeignForward,
    /// Forward, from this load balancer node to a target: a target's rule naming one of the
    /// node's groups admits it, whatever its source address (L15).
    FromNode(EniId),
    /// A target's response to the client whose address it saw (L7): it is addressed to the
    /// node, but the target subnet's outbound NACL judges it by the client's address.
    ReplyToClient(Ipv4Addr),
}

/// One leg remembered for the response.
enum Leg {
    Routed {
        to: Option<EniId>,
        arrived: Header,
        reply_to: Option<Ipv4Addr>,
    },
    /// E1: to an AWS service through a gateway endpoint; the answer comes back the same way.
    Gateway {
        endpoint: GatewayEndpointId,
        from: EniId,
        arrived: Header,
    },
    Nat(NatId),
    /// G5: a NAT instance that masqueraded.
    NatInstance(InstanceId),
    PrivateLink {
        endpoint: EndpointId,
        service: ServiceId,
        lb: LbId,
    },
}

/// Where the next hop of a leg is.
enum Next {
    Arrived(Option<EniId>, Header),
    Appliance(EniId),
}

struct Walk<'w> {
    w: &'w World,
    forward: Vec<Step>,
    ret: Vec<Step>,
    returning: bool,
    /// The gateway endpoint the last leg left through, if it did.
    gateway: Option<GatewayEndpointId>,
    /// The client on the internet that opened the flow, whom the response may reach.
    client: Option<Ipv4Addr>,
}

fn step(w: &World, h: Handle) -> Step {
    let kind = match h {
        Handle::Instance(_) => ComponentKind::Instance,
        Handle::Eni(_) => ComponentKind::NetworkInterface,
        Handle::Sg(_) => ComponentKind::SecurityGroup,
        Handle::Nacl(_) => ComponentKind::NetworkAcl,
        Handle::RouteTable(_) => ComponentKind::RouteTable,
        Handle::Igw(_) => ComponentKind::InternetGateway,
        Handle::Lb(_) => ComponentKind::LoadBalancer,
        Handle::Listener(_) => ComponentKind::LoadBalancerListener,
        Handle::TargetGroup(_) => ComponentKind::TargetGroup,
        Handle::Endpoint(_) => ComponentKind::VpcEndpoint,
        Handle::Service(_) => ComponentKind::VpcEndpointService,
        Handle::NatGateway(_) => ComponentKind::NatGateway,
        Handle::Peering(_) => ComponentKind::VpcPeeringConnection,
        Handle::GatewayEndpoint(_) => ComponentKind::VpcEndpoint,
        Handle::Vpc(_)
        | Handle::Subnet(_)
        | Handle::Eigw(_)
        | Handle::Eip(_)
        | Handle::PrefixList(_)
        | Handle::LaunchTemplate(_)
        | Handle::AutoScalingGroup(_)
        | Handle::InsightsPath(_)
        | Handle::InsightsAnalysis(_)
        | Handle::AccessScope(_)
        | Handle::AccessScopeAnalysis(_)
        | Handle::HostedZone(_)
        | Handle::DhcpOptions(_)
        | Handle::ConnectionNotification(_)
        | Handle::FlowLog(_)
        | Handle::LogGroup(_) => {
            unreachable!("never a component of a path")
        }
    };
    Step { kind, id: w.aws_id(h).to_string() }
}

fn internet() -> Step {
    Step { kind: ComponentKind::Internet, id: "internet".into() }
}

/// A linear scan for the live interface holding `ip` in `vpc`.
fn owner_of_private(w: &World, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
    w.enis().ids().find(|e| {
        let x = &w[e];
        !x.deleted && x.vpc == vpc && x.private_ip == ip
    })
}

/// I1: an interface's public address: its Elastic IP, else its auto-assigned one.
fn public_of(w: &World, eni: EniId) -> Option<Ipv4Addr> {
    let e = &w[eni];
    e.eip.map(|x| w[x].public_ip).or(e.public_ip)
}

/// A linear scan for the live interface a public address maps to.
fn owner_of_public(w: &World, ip: Ipv4Addr) -> Option<EniId> {
    w.enis().ids().find(|e| !w[e].deleted && public_of(w, *e) == Some(ip))
}

/// R1: the explicit association, else the main table.
fn table_of(w: &World, subnet: SubnetId) -> RouteTableId {
    let s = &w[subnet];
    s.route_table.unwrap_or(w[s.vpc].main_route_table)
}

/// R3: of the routes containing `dst`, the one with the longest prefix (a brute-force scan).
pub fn longest_match(routes: &[Route], dst: Ipv4Addr) -> Option<&Route> {
    let mut best: Option<&Route> = None;
    for r in routes {
        if r.destination.contains(dst)
            && best.is_none_or(|b| r.destination.prefix_len() > b.destination.prefix_len())
        {
            best = Some(r);
        }
    }
    best
}

/// R5: a route whose target is gone (or detached) is a blackhole.
fn route_active(w: &World, table: RouteTableId, target: &RouteTarget) -> bool {
    match target {
        RouteTarget::Local => true,
        RouteTarget::Igw(g) => {
            let g = &w[g];
            !g.deleted && g.attached == Some(w[table].vpc)
        }
        RouteTarget::Eni(e) => !w[e].deleted,
        RouteTarget::Instance(i) => w[i].state == InstanceState::Running,
        RouteTarget::Nat(n) => matches!(w[n].state, NatState::Pending | NatState::Available),
        // V1, V5: only an active peering connection carries traffic.
        RouteTarget::Pcx(p) => w[p].state == PeeringState::Active,
        RouteTarget::GatewayEndpoint(g) => !w[g].deleted,
        _ => true,
    }
}

/// E2: a gateway endpoint's policy refuses every request when a statement that covers every
/// request, its conditions on the endpoint and VPC ids holding, denies; or when no statement
/// allows (one allowing only some requests lets the flow through).
fn policy_refuses(w: &World, g: GatewayEndpointId) -> bool {
    let e = &w[g];
    let (vpce, vpc) = (e.aws_id.as_str(), w[e.vpc].aws_id.as_str());
    let (mut denied, mut allowed) = (false, false);
    for s in &e.policy.statements {
        let covers = match &s.scope {
            Scope::Some(_) => s.effect == Effect::Allow,
            Scope::Every(conditions) => conditions.iter().all(|c| {
                let actual = if c.key == ConditionKey::SourceVpce { vpce } else { vpc };
                c.values.iter().any(|v| v == actual) != c.negated
            }),
        };
        match (covers, s.effect, &s.scope) {
            (true, Effect::Deny, Scope::Every(_)) => denied = true,
            (true, Effect::Allow, _) => allowed = true,
            _ => {}
        }
    }
    denied || !allowed
}

/// S5: whether a rule's protocol and ports admit the packet.
fn rule_admits(r: &SgRule, h: &Header) -> bool {
    match r.protocol {
        RuleProtocol::All => true,
        RuleProtocol::One(p) => p == h.protocol && r.ports.contains(h.dst_port),
    }
}

/// The hosts of the simulated internet.
fn is_internet_host(w: &World, ip: Ipv4Addr) -> bool {
    ip == CHECKIP_ADDR
        || PUBLIC_RESOLVERS.contains(&ip)
        || ip == w.region().service_addr()
        || ["s3", "dynamodb"].iter().any(|s| w.region().gateway_service_addr(s) == Some(ip))
}

/// The address and AZ of a target of a group in `vpc` (none when its instance's interface is
/// gone): an instance's primary address, or an address and the AZ of the subnet of that VPC
/// holding it (L4: ip targets lie in the group's VPC).
fn target_place(w: &World, vpc: VpcId, t: TargetRef) -> Option<(Ipv4Addr, &'static str)> {
    match t {
        TargetRef::Instance(i) => {
            let e = &w[w[i].eni];
            (!e.deleted).then(|| (e.private_ip, w[e.subnet].az))
        }
        TargetRef::Ip(ip) => {
            let s = w.subnets().values().find(|s| !s.deleted && s.vpc == vpc && s.cidr.contains(ip));
            s.map(|s| (ip, s.az))
        }
    }
}

impl Walk<'_> {
    fn pass(&mut self, s: Step) {
        if self.returning {
            self.ret.push(s);
        } else {
            self.forward.push(s);
        }
    }

    fn stop<T>(&self, code: ExplanationCode, h: Handle) -> Result<T, Stop> {
        Err((code, step(self.w, h)))
    }

    fn forward(&mut self, from: EniId, flow: Flow) -> Result<(Reached, Header, Vec<Leg>), Stop> {
        let w = self.w;
        if let EniOwner::Instance(i) = w[from].owner {
            self.pass(step(w, Handle::Instance(i)));
        }
        let mut legs = Vec::new();
        let (to, arrived) = self.leg(from, flow.header, Mode::Forward)?;
        match self.gateway.take() {
            Some(endpoint) => legs.push(Leg::Gateway { endpoint, from, arrived }),
            None => legs.push(Leg::Routed { to, arrived, reply_to: None }),
        }
        let (reached, seen) = self.reach(to, arrived, flow.seq, &mut legs)?;
        Ok((reached, seen, legs))
    }

    /// From a client on the internet: across the internet (a public address enters through its
    /// VPC's gateway), then whoever owns the interface reached.
    fn forward_from_internet(&mut self, flow: Flow) -> Result<(Reached, Header, Vec<Leg>), Stop> {
        let (to, arrived) = self.internet(flow.header, Mode::Forward)?;
        let mut legs = vec![Leg::Routed { to, arrived, reply_to: None }];
        let (reached, seen) = self.reach(to, arrived, flow.seq, &mut legs)?;
        Ok((reached, seen, legs))
    }

    /// Who owns the interface a leg ended at decides what happens next.
    fn reach(
        &mut self,
        to: Option<EniId>,
        arrived: Header,
        seq: u32,
        legs: &mut Vec<Leg>,
    ) -> Result<(Reached, Header), Stop> {
        let w = self.w;
        let Some(eni) = to else { return Ok((Reached::Internet(arrived.dst), arrived)) };
        match w[eni].owner {
            EniOwner::Instance(i) if arrived.dst != w[eni].private_ip => {
                self.nat_instance(i, eni, arrived, seq, legs)
            }
            EniOwner::Instance(i) => self.deliver(i, arrived),
            EniOwner::LoadBalancer(lb) => self.load_balancer(lb, eni, arrived, seq, None, legs),
            EniOwner::Endpoint(ep) => self.endpoint(ep, eni, arrived, seq, legs),
            EniOwner::NatGateway(n) => self.nat_gateway(n, arrived, seq, legs),
            EniOwner::Detached => Ok((Reached::Interface(eni), arrived)),
        }
    }

    /// G1, G2: a NAT gateway takes no connection for its own address; when available it gives the
    /// flow its private address and a port of 1024-65535 (the flow's hash) and sends it on.
    fn nat_gateway(
        &mut self,
        n: NatId,
        h: Header,
        seq: u32,
        legs: &mut Vec<Leg>,
    ) -> Result<(Reached, Header), Stop> {
        let w = self.w;
        let nat = &w[n];
        let own = w[nat.eni].private_ip;
        self.pass(step(w, Handle::NatGateway(n)));
        if h.dst == own {
            return self.stop(ExplanationCode::NatGatewayNoInbound, Handle::NatGateway(n));
        }
        if nat.state != NatState::Available {
            return self.stop(ExplanationCode::BadState, Handle::NatGateway(n));
        }
        if translations(legs) >= MAX_TRANSLATIONS {
            return self.stop(ExplanationCode::RoutingLoop, Handle::NatGateway(n));
        }
        let port = if h.protocol == Protocol::Icmp {
            h.src_port
        } else {
            let hash = flow_hash(
                w.flow_key() ^ PORT_HASH_SALT,
                h.protocol,
                h.src,
                h.dst,
                h.src_port,
                h.dst_port,
                seq,
            );
            (1024 + hash % 64512) as u16
        };
        legs.push(Leg::Nat(n));
        let (to, arrived) = self.leg(nat.eni, Header { src: own, src_port: port, ..h }, Mode::Forward)?;
        match self.gateway.take() {
            Some(endpoint) => legs.push(Leg::Gateway { endpoint, from: nat.eni, arrived }),
            None => legs.push(Leg::Routed { to, arrived, reply_to: None }),
        }
        self.reach(to, arrived, seq, legs)
    }

    /// G5: a masquerading NAT instance got a packet for someone else: it sends it on as its own,
    /// from its private address (the port kept), out of the same interface: a new leg, through
    /// its own groups and its subnet's table; the response is translated back.
    fn nat_instance(
        &mut self,
        i: InstanceId,
        eni: EniId,
        h: Header,
        seq: u32,
        legs: &mut Vec<Leg>,
    ) -> Result<(Reached, Header), Stop> {
        if translations(legs) >= MAX_TRANSLATIONS {
            return self.stop(ExplanationCode::RoutingLoop, Handle::Instance(i));
        }
        self.pass(step(self.w, Handle::Instance(i)));
        legs.push(Leg::NatInstance(i));
        let own = self.w[eni].private_ip;
        let (to, arrived) = self.leg(eni, Header { src: own, ..h }, Mode::Forward)?;
        match self.gateway.take() {
            Some(endpoint) => legs.push(Leg::Gateway { endpoint, from: eni, arrived }),
            None => legs.push(Leg::Routed { to, arrived, reply_to: None }),
        }
        self.reach(to, arrived, seq, legs)
    }

    /// The response: every leg walked back, last first (S2 for groups; NACLs and routes again, N3).
    fn back(&mut self, legs: &[Leg]) -> Result<(), Stop> {
        for leg in legs.iter().rev() {
            match *leg {
                Leg::Routed { to, arrived, reply_to } => {
                    let mut reply = arrived.reversed();
                    let mut mode = Mode::Reply;
                    if let Some(node) = reply_to {
                        if arrived.src != node {
                            mode = Mode::ReplyToClient(arrived.src); // L7: the client's address was kept.
                        }
                        reply.dst = node; // L8: targets answer the load balancer node.
                    }
                    match to {
                        Some(eni) => drop(self.leg(eni, reply, mode)?),
                        None => drop(self.internet(reply, Mode::Reply)?),
                    }
                }
                Leg::Nat(n) => self.pass(step(self.w, Handle::NatGateway(n))),
                Leg::NatInstance(i) => self.pass(step(self.w, Handle::Instance(i))),
                Leg::Gateway { endpoint, from, arrived } => {
                    let reply = arrived.reversed();
                    self.pass(step(self.w, Handle::GatewayEndpoint(endpoint)));
                    self.nacl(self.w[from].subnet, Direction::Ingress, &reply)?;
                    self.enter(from, reply, Mode::Reply)?;
                }
                Leg::PrivateLink { endpoint, service, lb } => {
                    self.pass(step(self.w, Handle::Lb(lb)));
                    self.pass(step(self.w, Handle::Service(service)));
                    self.pass(step(self.w, Handle::Endpoint(endpoint)));
                }
            }
        }
        Ok(())
    }

    /// One leg: from an interface to the owner of the destination, through at most
    /// [`MAX_APPLIANCES`] appliance interfaces; one met twice is a loop.
    fn leg(&mut self, from: EniId, h: Header, mode: Mode) -> Result<(Option<EniId>, Header), Stop> {
        self.pass(step(self.w, Handle::Eni(from)));
        self.security_groups(from, Direction::Egress, &h, mode)?;
        let mut passed = vec![from];
        let mut at = from;
        for _ in 0..=MAX_APPLIANCES {
            match self.next(at, h, mode)? {
                Next::Arrived(to, arrived) => return Ok((to, arrived)),
                Next::Appliance(t) => {
                    if passed.contains(&t) || passed.len() > MAX_APPLIANCES {
                        return self.stop(ExplanationCode::RoutingLoop, Handle::Eni(t));
                    }
                    passed.push(t);
                    self.security_groups(t, Direction::Egress, &h, mode)?;
                    at = t;
                }
            }
        }
        self.stop(ExplanationCode::RoutingLoop, Handle::Eni(at))
    }

    /// From interface `at`: same subnet directly (R7), else NACL, route table, target.
    fn next(&mut self, at: EniId, h: Header, mode: Mode) -> Result<Next, Stop> {
        let w = self.w;
        let e = &w[at];
        let same_subnet = w[e.subnet].cidr.contains(h.dst);
        if let Mode::ReplyToClient(client) = mode {
            // L7, N1: the response leaves the target's subnet for the client's address.
            if !w[e.subnet].cidr.contains(client) {
                self.nacl(e.subnet, Direction::Egress, &Header { dst: client, ..h })?;
            }
        } else if !same_subnet {
            self.nacl(e.subnet, Direction::Egress, &h)?;
        }
        if same_subnet {
            return self.local(e.vpc, e.subnet, h, mode, false);
        }
        let table = table_of(w, e.subnet);
        self.pass(step(w, Handle::RouteTable(table)));
        let Some(route) = longest_match(&w[table].routes, h.dst) else {
            return self.stop(ExplanationCode::NoRouteToDestination, Handle::RouteTable(table));
        };
        if !route_active(w, table, &route.target) {
            return self.stop(ExplanationCode::BadStateRoute, Handle::RouteTable(table));
        }
        match &route.target {
            RouteTarget::Local => self.local(e.vpc, e.subnet, h, mode, true),
            RouteTarget::Igw(g) => {
                let (to, arrived) = self.out_through_igw(*g, e.vpc, h, mode)?;
                Ok(Next::Arrived(to, arrived))
            }
            RouteTarget::Eni(t) => self.appliance(e.subnet, *t, h, mode),
            RouteTarget::Instance(i) => self.appliance(e.subnet, w[i].eni, h, mode),
            RouteTarget::Nat(n) if matches!(mode, Mode::Reply | Mode::ReplyToClient(_)) => {
                // G2: a response (a target's answer to a load balancer node included, L8)
                // meets a NAT gateway that never saw its connection open.
                self.stop(ExplanationCode::NatGatewayNoInbound, Handle::NatGateway(*n))
            }
            RouteTarget::Nat(n) => {
                let nat = &w[n];
                if nat.subnet != e.subnet {
                    self.nacl(nat.subnet, Direction::Ingress, &h)?;
                }
                Ok(Next::Arrived(Some(nat.eni), h))
            }
            RouteTarget::Pcx(p) => self.peering(*p, e.vpc, e.subnet, h, mode),
            RouteTarget::GatewayEndpoint(g) => self.gateway_endpoint(*g, h),
            _ => self.stop(ExplanationCode::TargetNotModelled, Handle::RouteTable(table)),
        }
    }

    /// V2: across the connection to the VPC on its other side, for that VPC's own addresses
    /// only; beyond it, the peer's main table says whether the packet wanted a third VPC (not
    /// transitive) or one of the peer's gateways (edge to edge).
    fn peering(
        &mut self,
        p: PeeringId,
        vpc: VpcId,
        from_subnet: SubnetId,
        h: Header,
        mode: Mode,
    ) -> Result<Next, Stop> {
        let w = self.w;
        let pcx = &w[p];
        self.pass(step(w, Handle::Peering(p)));
        let other = if pcx.requester == vpc { pcx.accepter } else { pcx.requester };
        if w[other].contains(h.dst) {
            return self.local(other, from_subnet, h, mode, true);
        }
        let peer_main = w[other].main_route_table;
        let code = match longest_match(&w[peer_main].routes, h.dst).map(|r| &r.target) {
            Some(RouteTarget::Igw(_) | RouteTarget::Nat(_) | RouteTarget::GatewayEndpoint(_)) => {
                ExplanationCode::PeeringEdgeToEdge
            }
            _ => ExplanationCode::PeeringNotTransitive,
        };
        self.stop(code, Handle::Peering(p))
    }

    /// E1-E3: the service behind a gateway endpoint gets the packet unchanged, unless (E2) the
    /// endpoint's policy refuses every request.
    fn gateway_endpoint(&mut self, g: GatewayEndpointId, h: Header) -> Result<Next, Stop> {
        self.pass(step(self.w, Handle::GatewayEndpoint(g)));
        if !is_internet_host(self.w, h.dst) {
            return Err((ExplanationCode::UnknownDestination, internet()));
        }
        if policy_refuses(self.w, g) {
            return self.stop(ExplanationCode::EndpointPolicyDenies, Handle::GatewayEndpoint(g));
        }
        self.gateway = Some(g);
        Ok(Next::Arrived(None, h))
    }

    /// Inside the VPC: the owner of the address, across its subnet's NACL when the subnet changes.
    fn local(
        &mut self,
        vpc: VpcId,
        from_subnet: SubnetId,
        h: Header,
        mode: Mode,
        routed: bool,
    ) -> Result<Next, Stop> {
        let Some(dst) = owner_of_private(self.w, vpc, h.dst) else {
            return self.stop(
                ExplanationCode::UnknownDestination,
                Handle::RouteTable(table_of(self.w, from_subnet)),
            );
        };
        let dst_subnet = self.w[dst].subnet;
        if routed && dst_subnet != from_subnet {
            self.nacl(dst_subnet, Direction::Ingress, &h)?;
        }
        self.enter(dst, h, mode)?;
        Ok(Next::Arrived(Some(dst), h))
    }

    /// A route to an appliance interface: it takes packets for others only with its check off.
    fn appliance(&mut self, from_subnet: SubnetId, t: EniId, h: Header, mode: Mode) -> Result<Next, Stop> {
        let target = &self.w[t];
        if target.subnet != from_subnet {
            self.nacl(target.subnet, Direction::Ingress, &h)?;
        }
        self.enter(t, h, mode)?;
        if target.private_ip == h.dst {
            return Ok(Next::Arrived(Some(t), h));
        }
        if target.source_dest_check {
            return self.stop(ExplanationCode::EniSourceDestCheckRestriction, Handle::Eni(t));
        }
        // G5: an instance's kernel drops what it would have to forward unless IP forwarding is on;
        // a masquerade rule for the packet's addresses makes it the packet's new sender (the leg
        // ends here); without one it routes the packet on unchanged.
        if let EniOwner::Instance(i) = target.owner {
            let kernel = &self.w[i].forwarding;
            if !kernel.ip_forward {
                return self.stop(ExplanationCode::IpForwardingDisabled, Handle::Instance(i));
            }
            let rewrites = kernel.masquerade.iter().any(|rule| {
                let from_ok = match rule.source {
                    Some(block) => block.contains(h.src),
                    None => true,
                };
                let to_ok = match rule.destination {
                    Some(block) => block.contains(h.dst),
                    None => true,
                };
                from_ok && to_ok
            });
            // A response is no connection opening: it passes unchanged.
            let response = matches!(mode, Mode::Reply | Mode::ReplyToClient(_));
            if rewrites && !response {
                return Ok(Next::Arrived(Some(t), h));
            }
        }
        Ok(Next::Appliance(t))
    }

    /// The packet enters an interface: its groups decide (S6).
    fn enter(&mut self, eni: EniId, h: Header, mode: Mode) -> Result<(), Stop> {
        self.security_groups(eni, Direction::Ingress, &h, mode)?;
        self.pass(step(self.w, Handle::Eni(eni)));
        Ok(())
    }

    /// I5, I2, I1: no RFC 1918 destinations, no sender without a public address; the source becomes public.
    fn out_through_igw(
        &mut self,
        g: IgwId,
        vpc: VpcId,
        h: Header,
        mode: Mode,
    ) -> Result<(Option<EniId>, Header), Stop> {
        if is_rfc1918(h.dst) {
            return self.stop(ExplanationCode::IgwDestinationAddressNotInRfc1918Egress, Handle::Igw(g));
        }
        self.pass(step(self.w, Handle::Igw(g)));
        let sender = owner_of_private(self.w, vpc, h.src);
        let Some(public) = sender.and_then(|e| public_of(self.w, e)) else {
            return self.stop(ExplanationCode::IgwPublicIpAssociationForEgress, Handle::Igw(g));
        };
        self.internet(Header { src: public, ..h }, mode)
    }

    /// The internet: a public address enters through its VPC's gateway (I3); a few hosts answer; nothing else does.
    fn internet(&mut self, h: Header, mode: Mode) -> Result<(Option<EniId>, Header), Stop> {
        let w = self.w;
        if let Some(dst) = owner_of_public(w, h.dst) {
            let e = &w[dst];
            let Some(g) = w.igws().values().position(|g| !g.deleted && g.attached == Some(e.vpc)) else {
                return Err((ExplanationCode::IgwPrivateIpAssociationForIngress, internet()));
            };
            let inside = Header { dst: e.private_ip, ..h };
            self.pass(step(w, Handle::Igw(IgwId(g as u32))));
            self.nacl(e.subnet, Direction::Ingress, &inside)?;
            self.enter(dst, inside, mode)?;
            return Ok((Some(dst), inside));
        }
        let to_client = self.returning && self.client == Some(h.dst);
        if to_client || is_internet_host(w, h.dst) {
            return Ok((None, h));
        }
        Err((ExplanationCode::UnknownDestination, internet()))
    }

    /// S1, S2, S5, I6: any rule of any of the interface's groups admits a new flow; responses pass.
    fn security_groups(&mut self, eni: EniId, dir: Direction, h: &Header, mode: Mode) -> Result<(), Stop> {
        let w = self.w;
        let e = &w[eni];
        if matches!(mode, Mode::Reply | Mode::ReplyToClient(_)) || e.groups.is_empty() {
            return Ok(());
        }
        let remote = if dir == Direction::Ingress { h.src } else { h.dst };
        let holds = |peer: &Peer| match peer {
            Peer::Cidr(c) => c.contains(remote),
            Peer::Group(g) => {
                // V3: a group of a peered VPC holds its members' private addresses, which
                // arrive unchanged across the peering.
                let group_vpc = w[g].vpc;
                let peered = w.peerings().values().any(|p| {
                    p.state == PeeringState::Active
                        && ((p.requester == e.vpc && p.accepter == group_vpc)
                            || (p.accepter == e.vpc && p.requester == group_vpc))
                });
                let member_vpc = if group_vpc == e.vpc {
                    Some(e.vpc)
                } else if peered && !w[e.vpc].contains(remote) && w[group_vpc].contains(remote) {
                    Some(group_vpc)
                } else {
                    None
                };
                let member = mode != Mode::ForeignForward
                    && member_vpc.is_some_and(|v| {
                        owner_of_private(w, v, remote).is_some_and(|m| w[m].groups.contains(g))
                    });
                let from_node = match mode {
                    Mode::FromNode(node) => dir == Direction::Ingress && w[node].groups.contains(g),
                    _ => false,
                };
                member || from_node
            }
            Peer::PrefixList(p) => w[p].entries.iter().any(|entry| entry.cidr.contains(remote)),
        };
        let rules = |g: &SgId| {
            let sg = &w[g];
            if dir == Direction::Ingress {
                sg.ingress.as_slice()
            } else {
                sg.egress.as_slice()
            }
        };
        if e.groups.iter().flat_map(rules).any(|r| rule_admits(r, h) && holds(&r.peer)) {
            return Ok(());
        }
        let none = e.groups.iter().all(|g| rules(g).is_empty());
        let code = if none { ExplanationCode::SgHasNoRules } else { ExplanationCode::EniSgRulesMismatch };
        self.stop(code, Handle::Sg(e.groups[0]))
    }

    /// N1, N4: the lowest-numbered matching entry decides; none is the final deny.
    fn nacl(&mut self, subnet: SubnetId, dir: Direction, h: &Header) -> Result<(), Stop> {
        let acl = self.w[subnet].nacl;
        let n = &self.w[acl];
        let entries = if dir == Direction::Ingress { &n.ingress } else { &n.egress };
        let remote = if dir == Direction::Ingress { h.src } else { h.dst };
        let matching = entries.iter().filter(|e| {
            e.cidr.contains(remote)
                && match e.protocol {
                    RuleProtocol::All => true,
                    RuleProtocol::One(Protocol::Icmp) => {
                        // N4: an ICMP entry names a type and a code (-1 for all); the
                        // header's destination port holds the type, the code is 0.
                        h.protocol == Protocol::Icmp
                            && e.icmp.icmp_type.is_none_or(|t| u16::from(t) == h.dst_port)
                            && matches!(e.icmp.code, None | Some(0))
                    }
                    RuleProtocol::One(p) => p == h.protocol && e.ports.contains(h.dst_port),
                }
        });
        match matching.min_by_key(|e| e.number) {
            Some(e) if e.action == Action::Allow => Ok(()),
            _ => self.stop(ExplanationCode::SubnetAclRestriction, Handle::Nacl(acl)),
        }
    }

    fn deliver(&mut self, i: InstanceId, h: Header) -> Result<(Reached, Header), Stop> {
        if self.w[i].state != InstanceState::Running {
            return self.stop(ExplanationCode::BadState, Handle::Instance(i));
        }
        self.pass(step(self.w, Handle::Instance(i)));
        Ok((Reached::Instance(i), h))
    }

    /// L3, L5-L7: listener, target by flow hash, the leg to the target from the node.
    fn load_balancer(
        &mut self,
        lb: LbId,
        node: EniId,
        h: Header,
        seq: u32,
        via: Option<EndpointId>,
        legs: &mut Vec<Leg>,
    ) -> Result<(Reached, Header), Stop> {
        let w = self.w;
        let l = &w[lb];
        self.pass(step(w, Handle::Lb(lb)));
        if h.protocol == Protocol::Icmp {
            return self.stop(ExplanationCode::ProtocolRestriction, Handle::Lb(lb));
        }
        let listener = l.listeners.iter().find(|x| {
            let x = &w[*x];
            !x.deleted && x.port == h.dst_port && x.protocol.carries(h.protocol)
        });
        let Some(&listener) = listener else {
            return self.stop(ExplanationCode::ElbListenerPortRestriction, Handle::Lb(lb));
        };
        let Some(tg) = w[listener].target_group else {
            return self.stop(ExplanationCode::Elbv2ListenerHasNoTg, Handle::Listener(listener));
        };
        let az = l.nodes.iter().find(|n| n.eni == node).map_or("", |n| n.az);
        let group = &w[tg];
        // L12: the group's own attribute wins over the load balancer's.
        let cross_zone = match group.cross_zone {
            CrossZone::On => true,
            CrossZone::Off => false,
            CrossZone::UseLoadBalancer => l.cross_zone,
        };
        let index = self.choose(tg, az, cross_zone, &h, seq)?;
        let target = &group.targets[index];
        let Some((addr, _)) = target_place(w, group.vpc, target.target) else {
            return self.stop(ExplanationCode::Elbv2NoTargetsInAz, Handle::TargetGroup(tg));
        };
        self.pass(step(w, Handle::TargetGroup(tg)));
        let node_ip = w[node].private_ip;
        let src = if via.is_none() && group.preserves_client_ip() { h.src } else { node_ip };
        if src == addr {
            // L14: the target is the client, and sees its own address as the source.
            return self.stop(ExplanationCode::NatLoopbackNotSupported, Handle::TargetGroup(tg));
        }
        let out = Header { src, dst: addr, dst_port: target.port, ..h };
        let (to, arrived) = self.leg(node, out, Mode::FromNode(node))?;
        legs.push(Leg::Routed { to, arrived, reply_to: Some(node_ip) });
        match to.map(|e| (e, w[e].owner)) {
            // R9, G5: the leg was routed to a NAT instance that masquerades it: it goes on from there.
            Some((e, EniOwner::Instance(i))) if arrived.dst != w[e].private_ip => {
                self.nat_instance(i, e, arrived, seq, legs)
            }
            Some((_, EniOwner::Instance(i))) => self.deliver(i, arrived),
            _ => self.stop(ExplanationCode::UnknownDestination, Handle::TargetGroup(tg)),
        }
    }

    /// L5, L6: healthy targets of the node's AZ (every AZ with cross-zone on); none healthy
    /// anywhere: fail open over the registered ones; the flow hash picks, in registration order.
    fn choose(
        &self,
        tg: TargetGroupId,
        az: &str,
        cross_zone: bool,
        h: &Header,
        seq: u32,
    ) -> Result<usize, Stop> {
        let w = self.w;
        let (targets, vpc) = (&w[tg].targets, w[tg].vpc);
        // L4: a target whose instance is gone (terminated) is `unused`, whatever its last check said.
        let exists = |t: &Target| target_place(w, vpc, t.target).is_some();
        let live =
            |t: &Target| exists(t) && t.state != HealthState::Draining && t.state != HealthState::Unused;
        let healthy = |t: &Target| exists(t) && t.state == HealthState::Healthy;
        let any_healthy = targets.iter().any(healthy);
        let near = |t: &Target| cross_zone || target_place(w, vpc, t.target).is_some_and(|(_, a)| a == az);
        let usable = |t: &Target| near(t) && if any_healthy { healthy(t) } else { live(t) };
        let pool: Vec<usize> = (0..targets.len()).filter(|i| usable(&targets[*i])).collect();
        if pool.is_empty() {
            let code = if any_healthy {
                ExplanationCode::ElbNotCrosszone
            } else {
                ExplanationCode::Elbv2NoTargetsInAz
            };
            return self.stop(code, Handle::TargetGroup(tg));
        }
        let hash = flow_hash(w.flow_key(), h.protocol, h.src, h.dst, h.src_port, h.dst_port, seq);
        Ok(pool[(hash % pool.len() as u64) as usize])
    }

    /// P7, P8, P5, L9: an available endpoint hands the packet to its service's node in the same AZ.
    fn endpoint(
        &mut self,
        ep: EndpointId,
        eni: EniId,
        h: Header,
        seq: u32,
        legs: &mut Vec<Leg>,
    ) -> Result<(Reached, Header), Stop> {
        let w = self.w;
        let e = &w[ep];
        self.pass(step(w, Handle::Endpoint(ep)));
        if e.state != EndpointState::Available {
            return self.stop(ExplanationCode::BadState, Handle::Endpoint(ep));
        }
        let service = match e.service {
            ServiceRef::Provider(s) => s,
            // P13: the AWS service itself answers at the endpoint.
            ServiceRef::Aws(a) => {
                let id = a.service_name(w.region().name);
                self.pass(Step { kind: ComponentKind::VpcEndpointService, id });
                return Ok((Reached::AwsService(a), h));
            }
        };
        let svc = &w[service];
        if svc.state == ServiceState::Deleted {
            return self.stop(ExplanationCode::BadState, Handle::Service(service));
        }
        self.pass(step(w, Handle::Service(service)));
        let az = w[w[eni].subnet].az;
        let node =
            svc.nlbs.iter().find_map(|lb| w[lb].nodes.iter().find(|n| n.az == az).map(|n| (*lb, n.eni)));
        let Some((lb, node)) = node else {
            return self.stop(ExplanationCode::VpceServiceNotInstalledInAz, Handle::Service(service));
        };
        let at_node = Header { dst: w[node].private_ip, ..h };
        legs.push(Leg::PrivateLink { endpoint: ep, service, lb });
        if w[lb].enforce_sg_on_privatelink {
            // L9: the node's groups see the consumer's private address, perhaps from another VPC.
            let mode = if e.vpc == w[lb].vpc { Mode::Forward } else { Mode::ForeignForward };
            self.security_groups(node, Direction::Ingress, &at_node, mode)?;
        }
        self.load_balancer(lb, node, at_node, seq, Some(ep), legs)
    }
}
