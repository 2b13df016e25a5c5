//! Reachability Analyzer offline (RA1, RA4): one network insights path (a source, a
//! destination resource or address, a protocol and a port) analyzed by the one packet
//! walk. With an address, the flow is sent to it as given; with a resource only, the
//! flow is the reachability matrix's cell ([`super::cell::explain`]), so an analysis and
//! `vpcsim reach` agree on every pair.

use std::net::Ipv4Addr;

use crate::forward::INTERNET_CLIENT;
use crate::ids::EniId;
use crate::model::eni::EniOwner;
use crate::model::insights::{NetworkInsightsPath, PathEnd};
use crate::trace::{analysis, Analysis, Flow, Header};
use crate::world::World;

use super::cell::{self, SOURCE_PORT};
use super::probe::Probe;
use super::select::{Source, Target};

/// Where a path's flows leave from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// An interface, from its private address.
    Interface(EniId),
    /// The internet, from this address.
    Internet(Ipv4Addr),
}

/// The interface behind an end: an instance's primary one, or the interface itself.
fn interface_of(w: &World, end: PathEnd) -> Option<EniId> {
    match end {
        PathEnd::Instance(i) => Some(w[i].eni),
        PathEnd::Interface(e) => Some(e),
        _ => None,
    }
}

/// Where the path's flows start: the source's interface, or the internet behind a gateway
/// (from `--source-ip`, else [`INTERNET_CLIENT`]).
pub fn start(w: &World, p: &NetworkInsightsPath) -> Start {
    let source_ip = p.source_ip.or(p.filter_at_source.and_then(|f| f.source_address));
    match interface_of(w, p.source) {
        Some(eni) => Start::Interface(eni),
        None => Start::Internet(source_ip.unwrap_or(INTERNET_CLIENT)),
    }
}

/// The matrix's view of a source: an instance (or its interface), or the internet.
fn matrix_source(w: &World, end: PathEnd) -> Option<Source> {
    match end {
        PathEnd::Instance(i) => Some(Source::Instance(i)),
        PathEnd::Interface(e) => match w[e].owner {
            EniOwner::Instance(i) if w[i].eni == e => Some(Source::Instance(i)),
            _ => None,
        },
        PathEnd::InternetGateway(_) => Some(Source::Internet),
        PathEnd::LoadBalancer(_) | PathEnd::Endpoint(_) => None,
    }
}

/// The matrix's view of a destination: an instance, a load balancer or an endpoint.
fn matrix_target(w: &World, end: PathEnd) -> Option<Target> {
    match end {
        PathEnd::Instance(i) => Some(Target::Instance(i)),
        PathEnd::Interface(e) => match w[e].owner {
            EniOwner::Instance(i) if w[i].eni == e => Some(Target::Instance(i)),
            _ => None,
        },
        PathEnd::LoadBalancer(lb) => Some(Target::Lb(lb)),
        PathEnd::Endpoint(ep) => Some(Target::Endpoint(ep)),
        PathEnd::InternetGateway(_) => None,
    }
}

/// Why a path cannot be analyzed as given, or `None` when it can: checked when the path
/// is created, so that every path in the world can be analyzed (until its ends go away).
pub fn unanalyzable(w: &World, p: &NetworkInsightsPath) -> Option<String> {
    let filter = p.filter_at_source.unwrap_or_default();
    if p.destination_port.or(filter.destination_port).is_none() {
        return Some("give --destination-port (or a one-port DestinationPortRange in --filter-at-source): vpcsim analyzes one flow".into());
    }
    if p.destination_ip.or(filter.destination_address).is_some() {
        return None;
    }
    let Some(destination) = p.destination else {
        return Some("give --destination or --destination-ip".into());
    };
    if matrix_target(w, destination).is_none() {
        return Some(
            "this destination has no single address vpcsim would pick: give --destination-ip".into(),
        );
    }
    if matrix_source(w, p.source).is_none() {
        return Some("from this source, give --destination-ip".into());
    }
    let custom_source = p.source_ip.or(filter.source_address).is_some_and(|ip| ip != INTERNET_CLIENT)
        && matches!(p.source, PathEnd::InternetGateway(_));
    if custom_source || filter.source_port.is_some_and(|port| port != SOURCE_PORT) {
        return Some("with a source address or source port of your own, give the destination's address too (--destination-ip or DestinationAddress)".into());
    }
    None
}

/// Whether an end still exists.
fn live(w: &World, end: PathEnd) -> bool {
    match end {
        PathEnd::Instance(i) => w[i].state.as_str() != "terminated",
        PathEnd::Interface(e) => !w[e].deleted,
        PathEnd::InternetGateway(g) => !w[g].deleted,
        PathEnd::LoadBalancer(lb) => !w[lb].deleted,
        PathEnd::Endpoint(ep) => w[ep].state.as_str() != "deleted",
    }
}

/// RA1: the analysis of a path in the world as it is: the flow's forward and return
/// components and, when blocked, the explanation; `Err` with AWS-style status message
/// when it cannot run (an end is gone, or the destination has no address to reach).
pub fn analyze(w: &World, p: &NetworkInsightsPath) -> Result<Analysis, String> {
    if !live(w, p.source) || p.destination.is_some_and(|d| !live(w, d)) {
        return Err("The source or destination of the path no longer exists".into());
    }
    if let Some(why) = unanalyzable(w, p) {
        return Err(why);
    }
    let filter = p.filter_at_source.unwrap_or_default();
    let dst_port = p.destination_port.or(filter.destination_port).unwrap_or(0);
    match p.destination_ip.or(filter.destination_address) {
        Some(dst) => {
            let start = start(w, p);
            let src = match start {
                Start::Interface(eni) => w[eni].private_ip,
                Start::Internet(ip) => ip,
            };
            let src_port = filter.source_port.unwrap_or(SOURCE_PORT);
            let flow = Flow { header: Header { src, dst, protocol: p.protocol, src_port, dst_port }, seq: 0 };
            let trace = match start {
                Start::Interface(eni) => w.trace(eni, flow),
                Start::Internet(_) => w.trace_from_internet(flow),
            };
            Ok(analysis(w, &trace))
        }
        None => {
            let (Some(s), Some(t)) =
                (matrix_source(w, p.source), p.destination.and_then(|d| matrix_target(w, d)))
            else {
                return Err("give --destination-ip".into());
            };
            let (verdict, trace) = cell::explain(w, s, t, Probe { protocol: p.protocol, port: dst_port });
            let trace = trace.ok_or_else(|| {
                "The destination has no address the source can reach (a private-only destination from the internet)"
                    .to_string()
            })?;
            let mut a = analysis(w, &trace);
            a.network_path_found = verdict.is_reachable();
            Ok(a)
        }
    }
}
