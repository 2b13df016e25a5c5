//! Property testing support, compiled with the cargo feature `testing`: random
//! topologies and flows ([`strategies`], built into worlds by [`build`] and
//! summarised for people by [`summary`]), a plain reference model of the
//! forwarding decision ([`reference`]), and [`check_flow`], which compares the
//! fast walk ([`World::verdict`], [`World::trace`]) with it.
//!
//! A user's own property test over random worlds (in a test file, put `#[test]` above
//! the `fn`; here it is called directly):
//!
//! ```
//! use proptest::prelude::*;
//! use vpcsim::testing::{check_flow, strategies};
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(8))]
//!     fn the_fast_walk_agrees_with_the_reference(case in strategies::case()) {
//!         for (eni, flow) in &case.flows {
//!             if let Err(diff) = check_flow(&case.world, *eni, *flow) {
//!                 // `case` prints as a readable summary of the topology and its flows.
//!                 prop_assert!(false, "{diff}\n{case}");
//!             }
//!         }
//!     }
//! }
//! the_fast_walk_agrees_with_the_reference();
//! ```
//!
//! The crate's own properties are in `tests/properties.rs`.

pub mod build;
pub mod reference;
pub mod strategies;
pub mod summary;

use std::fmt;
use std::net::Ipv4Addr;

use crate::forward::{Destination, Outcome};
use crate::ids::EniId;
use crate::model::eni::EniOwner;
use crate::model::instance::InstanceState;
use crate::trace::{Flow, Header, Trace};
use crate::world::World;

use reference::{Expected, Reached, Verdict};
use strategies::{FlowPlan, Topology, FLOW_PORTS, FLOW_PROTOCOLS, VPC_BLOCKS};

/// A generated world, the plan it was built from, and flows resolved against it.
#[derive(Clone)]
pub struct Case {
    /// What was drawn (shrinks).
    pub topology: Topology,
    /// The flows as drawn.
    pub plans: Vec<FlowPlan>,
    /// The built world.
    pub world: World,
    /// Flows from interfaces of running instances.
    pub flows: Vec<(EniId, Flow)>,
}

impl Case {
    /// Build `topology` and resolve `plans` against it.
    pub fn new(topology: Topology, plans: Vec<FlowPlan>) -> Case {
        let world = topology.build();
        let sources = Case::sources(&world);
        let flows = if sources.is_empty() {
            Vec::new()
        } else {
            plans.iter().map(|p| resolve(&world, p, &sources)).collect()
        };
        Case { topology, plans, world, flows }
    }

    /// Interfaces flows start from: the primary interfaces of running instances.
    pub fn sources(w: &World) -> Vec<EniId> {
        w.instances().values().filter(|i| i.state == InstanceState::Running).map(|i| i.eni).collect()
    }

    /// Addresses flows go to from `src`, by kind: (0) every live interface's private and public
    /// address, the hosts of the simulated internet, an unused address of each VPC block and two
    /// nobody holds; (1) load balancer nodes; (2) endpoints; (3) interfaces of the source's VPC;
    /// (4) the public addresses of S3 and DynamoDB (E1: gateway endpoints or the internet).
    pub fn destinations(w: &World, src: EniId) -> [Vec<Ipv4Addr>; 5] {
        let mut all: Vec<Ipv4Addr> = Vec::new();
        let (mut nodes, mut endpoints, mut near) = (Vec::new(), Vec::new(), Vec::new());
        for (i, e) in w.enis().values().enumerate().filter(|(_, e)| !e.deleted) {
            let public = w.public_ip_of(EniId(i as u32));
            all.push(e.private_ip);
            all.extend(public);
            match e.owner {
                EniOwner::LoadBalancer(_) => nodes.extend(std::iter::once(e.private_ip).chain(public)),
                EniOwner::Endpoint(_) => endpoints.push(e.private_ip),
                _ => {}
            }
            if e.vpc == w[src].vpc {
                near.push(e.private_ip);
            }
        }
        all.push(crate::region::CHECKIP_ADDR);
        all.push(crate::region::PUBLIC_RESOLVERS[0]);
        all.push(w.region().service_addr());
        let services: Vec<Ipv4Addr> =
            ["s3", "dynamodb"].iter().filter_map(|s| w.region().gateway_service_addr(s)).collect();
        all.extend(&services);
        all.extend(VPC_BLOCKS.iter().map(|b| strategies::unowned(b, 10)));
        all.push(Ipv4Addr::new(93, 184, 216, 34));
        all.push(Ipv4Addr::new(192, 168, 1, 10));
        [all, nodes, endpoints, near, services]
    }
}

fn resolve(w: &World, p: &FlowPlan, sources: &[EniId]) -> (EniId, Flow) {
    use crate::addr::{Protocol, RuleProtocol};
    let eni = sources[p.src.index(sources.len())];
    let [all, nodes, endpoints, near, services] = Case::destinations(w, eni);
    let destinations = match p.aim {
        1 if !nodes.is_empty() => nodes,
        2 if !endpoints.is_empty() => endpoints,
        3 if !near.is_empty() => near,
        4 if !services.is_empty() => services,
        _ => all,
    };
    let dst = destinations[p.dst.index(destinations.len())];
    let protocol = match FLOW_PROTOCOLS[p.protocol % FLOW_PROTOCOLS.len()].parse().expect("a protocol") {
        RuleProtocol::One(p) => p,
        RuleProtocol::All => Protocol::Tcp,
    };
    let (protocol, dst_port) = match (protocol, listener_behind(w, dst, p.dst_port)) {
        (Protocol::Icmp, _) => (Protocol::Icmp, 8),
        (_, Some(l)) => {
            (if l.protocol.carries(Protocol::Tcp) { Protocol::Tcp } else { Protocol::Udp }, l.port)
        }
        (protocol, None) => (protocol, FLOW_PORTS[p.dst_port % FLOW_PORTS.len()]),
    };
    let src_port = if protocol == Protocol::Icmp { 0 } else { p.src_port };
    let header = Header { src: w[eni].private_ip, dst, protocol, src_port, dst_port };
    (eni, Flow { header, seq: p.seq })
}

/// For an even `pick`, a listener of the load balancer behind `dst` (a node's address, or an
/// endpoint's): flows to load balancers mostly aim at their listeners.
fn listener_behind(w: &World, dst: Ipv4Addr, pick: usize) -> Option<&crate::model::nlb::Listener> {
    if pick % 2 == 1 {
        return None;
    }
    let owner = w.enis().ids().find(|e| {
        let x = &w[e];
        !x.deleted
            && !matches!(x.owner, EniOwner::Instance(_))
            && (x.private_ip == dst || w.public_ip_of(*e) == Some(dst))
    })?;
    let lb = match w[owner].owner {
        EniOwner::LoadBalancer(lb) => lb,
        EniOwner::Endpoint(ep) => *w[w[ep].service.provider()?].nlbs.first()?,
        _ => return None,
    };
    let listeners: Vec<_> = w[lb].listeners.iter().map(|l| &w[l]).filter(|l| !l.deleted).collect();
    (!listeners.is_empty()).then(|| listeners[pick / 2 % listeners.len()])
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        summary::write(&mut s, &self.world, &self.flows)?;
        f.write_str(&s)
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seed {}\n{self}", self.topology.seed)
    }
}

/// How the fast walk and the reference model disagree on one flow.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The flow, as text.
    pub flow: String,
    /// What differs, one line per difference.
    pub differences: Vec<String>,
    /// The fast walk's trace, rendered.
    pub trace: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the fast walk and the reference model disagree on {}:", self.flow)?;
        for d in &self.differences {
            writeln!(f, "  {d}")?;
        }
        write!(f, "{}", self.trace)
    }
}

/// The reference verdict in the fast walk's terms.
fn as_outcome_text(e: &Expected) -> String {
    match &e.verdict {
        Verdict::Delivered { to, seen } => format!("delivered to {to:?} as {seen}"),
        Verdict::Blocked { code, at, on_return } => {
            format!("{code} at {at}{}", if *on_return { " (return)" } else { "" })
        }
    }
}

fn outcome_text(o: &Outcome, t: &Trace) -> String {
    match o {
        Outcome::Delivered { to, seen } => {
            let to = match *to {
                Destination::Instance(i) => Reached::Instance(i),
                Destination::Internet(a) => Reached::Internet(a),
                Destination::Interface(e) => Reached::Interface(e),
                Destination::AwsService(a) => Reached::AwsService(a),
            };
            format!("delivered to {to:?} as {seen}")
        }
        Outcome::Blocked(b) => {
            let at = t
                .explanation
                .as_ref()
                .map(|e| reference::step_of_kind(e.kind, &e.component_id).to_string())
                .unwrap_or_default();
            format!("{} at {at}{}", b.code, if b.on_return { " (return)" } else { "" })
        }
    }
}

/// A trace, one hop a line, for failure messages.
pub fn render(t: &Trace) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for (label, hops) in [("forward", &t.forward), ("return", &t.ret)] {
        let _ = writeln!(out, "  {label}:");
        for h in hops {
            let name = h.name.as_deref().map_or(String::new(), |n| format!(" ({n})"));
            let matched = h.matched.as_ref().map_or(String::new(), |m| format!(": {m}"));
            let packet = match (h.inbound, h.outbound) {
                (Some(i), Some(o)) => format!(" [{i} => {o}]"),
                (Some(i), None) => format!(" [{i}]"),
                _ => String::new(),
            };
            let _ = writeln!(out, "    {} {} {}{name}{matched}{packet}", h.seq, h.kind, h.id);
        }
    }
    if let Some(e) = &t.explanation {
        let _ = writeln!(out, "  explanation: {e}");
    }
    out
}

fn path_text(p: &[reference::Step]) -> String {
    p.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(" > ")
}

/// Compare the fast walk (verdict-only and explained) with the reference model on one flow:
/// verdict, explanation code and component, who received it and what they saw, and the
/// projected forward and return paths.
pub fn check_flow(w: &World, from: EniId, flow: Flow) -> Result<(), Mismatch> {
    let expected = reference::evaluate(w, from, flow);
    let fast = w.verdict(from, flow);
    let (trace, explained) = w.trace_outcome(from, flow);
    let text = format!("{} from {}", flow.header, w[from].aws_id);
    compare(&expected, fast, &trace, explained, text)
}

/// [`check_flow`] for a flow a client on the internet opens (its source is the client's
/// address): [`World::verdict_from_internet`] and [`World::trace_from_internet`] against
/// [`reference::evaluate_from_internet`].
pub fn check_flow_from_internet(w: &World, flow: Flow) -> Result<(), Mismatch> {
    let expected = reference::evaluate_from_internet(w, flow);
    let fast = w.verdict_from_internet(flow);
    let (trace, explained) = w.trace_outcome_from_internet(flow);
    compare(&expected, fast, &trace, explained, format!("{} from the internet", flow.header))
}

fn compare(
    expected: &Expected,
    fast: Outcome,
    trace: &Trace,
    explained: Outcome,
    flow: String,
) -> Result<(), Mismatch> {
    let (forward, ret) = reference::project(trace);
    let mut differences = Vec::new();
    let want = as_outcome_text(expected);
    for (what, got) in [("verdict", outcome_text(&fast, trace)), ("trace", outcome_text(&explained, trace))] {
        if got != want {
            differences.push(format!("{what}: fast walk says {got}; reference says {want}"));
        }
    }
    if forward != expected.forward {
        differences.push(format!(
            "forward path: fast walk {}; reference {}",
            path_text(&forward),
            path_text(&expected.forward)
        ));
    }
    if ret != expected.ret {
        differences.push(format!(
            "return path: fast walk {}; reference {}",
            path_text(&ret),
            path_text(&expected.ret)
        ));
    }
    if differences.is_empty() {
        return Ok(());
    }
    Err(Mismatch { flow, differences, trace: render(trace) })
}
