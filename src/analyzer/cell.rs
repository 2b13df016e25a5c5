//! One cell of the matrix: a source, a destination and a probe, walked by the one
//! packet walk ([`World::walk`], [`World::walk_from_internet`]). A destination is
//! reached at every interface it has (an instance's primary interface, each node of a
//! load balancer, each interface of an endpoint): by its private address from its
//! own VPC, by its private then its public address from another VPC (its public one only
//! when its private address lies inside the source VPC's block), by its public address
//! from the internet; an interface's secondary addresses (M6) are tried the same way
//! after its primary one, so an instance is reached at any of them. A host on the internet ([`Target::Internet`]) is reached at its
//! address, through whatever the source's routes lead to (an internet gateway, a NAT
//! gateway or instance on the way).

use std::net::Ipv4Addr;

use crate::addr::Protocol;
use crate::forward::{
    Component, Consulted, Destination, ExplainRecorder, Outcome, Recorder, Why, INTERNET_CLIENT,
};
use crate::ids::*;
use crate::trace::{ExplanationCode, Flow, Header, Trace};
use crate::world::World;

use super::probe::Probe;
use super::reads::Reads;
use super::select::{Source, Target};

/// The source port flows of the matrix leave from (the first of Linux's ephemeral ports).
pub const SOURCE_PORT: u16 = 32768;

/// What one cell says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// Delivered at every interface of the destination, and answered.
    Reachable,
    /// Stopped, with the RA2 code of where.
    Blocked {
        /// Why.
        code: ExplanationCode,
        /// Whether the response was stopped (the request got there).
        on_return: bool,
    },
    /// The address reached something else (an overlapping block in the source's VPC).
    Elsewhere,
    /// The source has no address to use (a private-only destination from the internet).
    NoAddress,
}

impl Verdict {
    /// Whether the cell is reachable.
    pub fn is_reachable(self) -> bool {
        self == Verdict::Reachable
    }

    /// How the verdict is printed: `reachable`, the RA2 code (`+return` when the response
    /// stopped), `elsewhere`, `no-address`.
    pub fn label(self) -> String {
        match self {
            Verdict::Reachable => "reachable".to_string(),
            Verdict::Blocked { code, on_return: false } => code.as_str().to_string(),
            Verdict::Blocked { code, on_return: true } => format!("{}+return", code.as_str()),
            Verdict::Elsewhere => "elsewhere".to_string(),
            Verdict::NoAddress => "no-address".to_string(),
        }
    }
}

/// A cell's verdict and whether any flow of it was placed by a load balancer's flow hash
/// (whose choice depends on the source address, so the cell is not shared by a class),
/// and the VPCs its flows entered beyond its two ends' own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Evaluated {
    /// The verdict.
    pub verdict: Verdict,
    /// Whether a flow hash picked a target on the way.
    pub hashed: bool,
    /// The VPCs entered besides the source's and the destination's.
    pub beyond: Beyond,
}

/// The VPCs a walk entered besides its two ends' own (the source's and the
/// destination's): a service provider's behind an endpoint, a load balancer's targets'
/// across a peering. Holds [`Beyond::CAP`] VPCs, then says `all`; allocates nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Beyond {
    vpcs: [Option<VpcId>; Beyond::CAP],
    all: bool,
}

impl Beyond {
    /// How many VPCs are kept by name before `all`.
    pub const CAP: usize = 4;

    fn add(&mut self, v: VpcId) {
        if self.all || self.vpcs.contains(&Some(v)) {
            return;
        }
        match self.vpcs.iter_mut().find(|x| x.is_none()) {
            Some(free) => *free = Some(v),
            None => self.all = true,
        }
    }

    /// The VPCs entered, unless there were more than [`Beyond::CAP`] (`None`: count every VPC).
    pub fn vpcs(&self) -> Option<impl Iterator<Item = VpcId> + '_> {
        (!self.all).then(|| self.vpcs.iter().flatten().copied())
    }

    /// The union of two.
    pub fn union(mut self, other: Beyond) -> Beyond {
        self.all |= other.all;
        other.vpcs.iter().flatten().for_each(|v| self.add(*v));
        self
    }
}

/// Calls `each` with the VPC (or VPCs) whose state a hop at `c` read: a peering
/// connection reads both of its VPCs, an endpoint service the VPCs of its load balancers.
/// The internet and AWS's own services belong to none (the addresses the internet leads
/// to belong to their VPCs' resources; a service is answered at an endpoint of its VPC).
fn vpcs_of(w: &World, c: Component, mut each: impl FnMut(VpcId)) {
    match c {
        Component::Instance(i) => each(w[w[i].eni].vpc),
        Component::Eni(e) => each(w[e].vpc),
        Component::Sg(g) => each(w[g].vpc),
        Component::Nacl(n) => each(w[n].vpc),
        Component::RouteTable(r) => each(w[r].vpc),
        Component::Igw(i) => w[i].attached.into_iter().for_each(each),
        Component::Lb(lb) => each(w[lb].vpc),
        Component::Listener(l) => each(w[w[l].lb].vpc),
        Component::TargetGroup(tg) => each(w[tg].vpc),
        Component::Endpoint(ep) => each(w[ep].vpc),
        Component::Service(s) => w[s].nlbs.iter().for_each(|lb| each(w[*lb].vpc)),
        Component::NatGateway(n) => each(w[n].vpc),
        Component::Peering(p) => {
            each(w[p].requester);
            each(w[p].accepter);
        }
        Component::GatewayEndpoint(g) => each(w[g].vpc),
        Component::Internet(_) | Component::AwsService(_) => {}
    }
}

/// Notes what a matrix needs from a walk: a flow hash consulted, the load balancer and
/// endpoint passed, the VPCs entered beyond the two ends', and when given, the rule
/// tables read ([`Reads`]). Allocates nothing but those reads; wraps another recorder for
/// explanations.
struct Marks<'r, R> {
    inner: R,
    reads: Option<&'r mut Reads>,
    hashed: bool,
    lb: Option<LbId>,
    endpoint: Option<EndpointId>,
    /// The two ends' VPCs (none for the internet).
    home: [Option<VpcId>; 2],
    beyond: Beyond,
}

impl<R: Recorder> Recorder for Marks<'_, R> {
    #[inline]
    fn hop(
        &mut self,
        w: &World,
        c: Component,
        why: Why<'_>,
        inbound: Option<Header>,
        outbound: Option<Header>,
    ) {
        match c {
            Component::Lb(lb) if self.lb.is_none() => self.lb = Some(lb),
            Component::Endpoint(ep) if self.endpoint.is_none() => self.endpoint = Some(ep),
            _ => {}
        }
        self.hashed |= matches!(why, Why::Target(..));
        let (home, beyond) = (self.home, &mut self.beyond);
        vpcs_of(w, c, |v| {
            if !home.contains(&Some(v)) {
                beyond.add(v);
            }
        });
        self.inner.hop(w, c, why, inbound, outbound);
    }

    #[inline]
    fn start_return(&mut self) {
        if let Some(r) = self.reads.as_deref_mut() {
            r.returning = true;
        }
        self.inner.start_return();
    }

    #[inline]
    fn consulted(&mut self, w: &World, what: Consulted) {
        if let Some(r) = self.reads.as_deref_mut() {
            r.note(w, what);
        }
        self.inner.consulted(w, what);
    }
}

/// The address a source sends from to `dst`: an instance's is that of the interface its
/// routing picks (M5).
fn source_address(w: &World, s: Source, dst: Ipv4Addr) -> Ipv4Addr {
    match s {
        Source::Internet => INTERNET_CLIENT,
        Source::Instance(i) => w[w.source_interface(i, dst)].private_ip,
        Source::LbNode(_, eni) => w[eni].private_ip,
    }
}

/// The VPC a source is in (none for the internet).
pub fn source_vpc(w: &World, s: Source) -> Option<VpcId> {
    match s {
        Source::Internet => None,
        Source::Instance(i) => Some(w[w[i].eni].vpc),
        Source::LbNode(_, eni) => Some(w[eni].vpc),
    }
}

/// The VPC a destination is in (none for a host on the internet).
pub fn target_vpc(w: &World, t: Target) -> Option<VpcId> {
    match t {
        Target::Instance(i) => Some(w[w[i].eni].vpc),
        Target::Lb(lb) => Some(w[lb].vpc),
        Target::Endpoint(ep) => Some(w[ep].vpc),
        Target::Internet(_) => None,
    }
}

/// The interfaces a destination is reached at.
fn target_interfaces(w: &World, t: Target) -> impl Iterator<Item = EniId> + '_ {
    let (one, many): (Option<EniId>, &[EniId]) = match t {
        Target::Instance(i) => (Some(w[i].eni), &w[i].secondary_enis),
        Target::Endpoint(ep) => (None, &w[ep].enis),
        Target::Lb(_) | Target::Internet(_) => (None, &[]),
    };
    let nodes = match t {
        Target::Lb(lb) => w[lb].nodes.as_slice(),
        _ => &[],
    };
    one.into_iter().chain(many.iter().copied()).chain(nodes.iter().map(|n| n.eni)).filter(|e| !w[e].deleted)
}

/// The addresses tried for one interface, in order: its primary private address's, then
/// each secondary one's (M6), each as [`tried`] gives them. Allocates nothing.
fn addresses(w: &World, from: Option<VpcId>, eni: EniId) -> impl Iterator<Item = Ipv4Addr> + '_ {
    let e = &w[eni];
    e.private_ips().flat_map(move |ip| tried(w, from, e.vpc, ip, w.public_ip_for(eni, ip))).flatten()
}

/// The addresses tried for one private address of an interface in `vpc` and the public one
/// mapped to it (at most two). From another VPC the private address is tried only when it
/// lies outside the source VPC's own block (inside, the source's local route would keep it
/// at home).
fn tried(
    w: &World,
    from: Option<VpcId>,
    vpc: VpcId,
    private: Ipv4Addr,
    public: Option<Ipv4Addr>,
) -> [Option<Ipv4Addr>; 2] {
    match from {
        None => [public, None],
        Some(v) if v == vpc => [Some(private), None],
        Some(v) if w[v].contains(private) => [public, None],
        Some(_) => [Some(private), public],
    }
}

/// The header of a probe from `src` to `dst`.
pub fn header(src: Ipv4Addr, dst: Ipv4Addr, p: Probe) -> Header {
    let src_port = if p.protocol == Protocol::Icmp { 0 } else { SOURCE_PORT };
    Header { src, dst, protocol: p.protocol, src_port, dst_port: p.port }
}

/// Walks one flow with `rec` and judges it against the destination meant, noting what it
/// read in `reads` when given.
fn attempt<'r, R: Recorder>(
    w: &World,
    s: Source,
    t: Target,
    h: Header,
    rec: R,
    reads: Option<&'r mut Reads>,
) -> (Verdict, Outcome, Marks<'r, R>) {
    let home = [source_vpc(w, s), target_vpc(w, t)];
    let mut marks =
        Marks { inner: rec, reads, hashed: false, lb: None, endpoint: None, home, beyond: Beyond::default() };
    let flow = Flow { header: h, seq: 0 };
    let outcome = match s {
        Source::Internet => w.walk_from_internet(flow, &mut marks),
        Source::Instance(i) => w.walk(w.source_interface(i, h.dst), flow, &mut marks),
        Source::LbNode(_, eni) => w.walk(eni, flow, &mut marks),
    };
    let verdict = match outcome {
        Outcome::Blocked(b) => Verdict::Blocked { code: b.code, on_return: b.on_return },
        Outcome::Delivered { to, .. } => {
            let meant = match t {
                Target::Instance(i) => to == Destination::Instance(i),
                Target::Lb(lb) => marks.lb == Some(lb),
                Target::Endpoint(ep) => marks.endpoint == Some(ep),
                Target::Internet(ip) => to == Destination::Internet(ip),
            };
            if meant {
                Verdict::Reachable
            } else {
                Verdict::Elsewhere
            }
        }
    };
    (verdict, outcome, marks)
}

/// Runs every attempt a cell makes, stopping at the first interface not reached (at the
/// first reached, for an instance); `run` walks one header. The verdict is the last
/// attempt's, which is also the decisive one.
/// A host on the internet is tried once, at its address.
fn decide(w: &World, s: Source, t: Target, p: Probe, mut run: impl FnMut(Header) -> Verdict) -> Verdict {
    if let Target::Internet(dst) = t {
        return run(header(source_address(w, s, dst), dst, p));
    }
    let from = source_vpc(w, s);
    // M4, M6: an instance is reached when any of its interfaces is, at any of its
    // addresses; a load balancer or an endpoint when every node or interface is.
    let any = matches!(t, Target::Instance(_));
    let mut last = Verdict::NoAddress;
    for eni in target_interfaces(w, t) {
        let mut reached = false;
        for dst in addresses(w, from, eni) {
            last = run(header(source_address(w, s, dst), dst, p));
            if last.is_reachable() {
                reached = true;
                break;
            }
        }
        if reached == any {
            return last;
        }
    }
    last
}

/// The verdict of one cell, allocating nothing.
pub fn evaluate(w: &World, s: Source, t: Target, p: Probe) -> Evaluated {
    evaluate_noting(w, s, t, p, None)
}

/// The verdict of one cell, noting what its walks read in `reads` (whose source fields
/// the caller sets) when given.
pub(super) fn evaluate_noting(
    w: &World,
    s: Source,
    t: Target,
    p: Probe,
    mut reads: Option<&mut Reads>,
) -> Evaluated {
    let mut hashed = false;
    let mut beyond = Beyond::default();
    let verdict = decide(w, s, t, p, |h| {
        if let Some(r) = reads.as_deref_mut() {
            r.returning = false;
        }
        let (v, _, marks) = attempt(w, s, t, h, crate::forward::NullRecorder, reads.as_deref_mut());
        hashed |= marks.hashed;
        beyond = beyond.union(marks.beyond);
        v
    });
    Evaluated { verdict, hashed, beyond }
}

/// The source's interface and its subnet's NACL (none for the internet): an instance's
/// primary one. Rules an instance's other interfaces read (M5) are kept by the column.
pub(super) fn source_interface(w: &World, s: Source) -> (Option<EniId>, Option<NaclId>) {
    let eni = match s {
        Source::Internet => None,
        Source::Instance(i) => Some(w[i].eni),
        Source::LbNode(_, eni) => Some(eni),
    };
    (eni, eni.map(|e| w[w[e].subnet].nacl))
}

/// One cell with the full trace of its decisive flow (none when no address could be tried).
pub fn explain(w: &World, s: Source, t: Target, p: Probe) -> (Verdict, Option<Trace>) {
    let mut decisive = None;
    let verdict = decide(w, s, t, p, |h| {
        let (v, outcome, marks) = attempt(w, s, t, h, ExplainRecorder::new(w), None);
        decisive = Some(marks.inner.finish(h, outcome));
        v
    });
    (verdict, decisive)
}
