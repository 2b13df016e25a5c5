//! Findings of a Network Access Analyzer scope (RA4): the reachable paths of a
//! matrix that match a `MatchPaths` statement and no `ExcludePaths` statement.
//! A statement's conditions split into the source's (its resources and address),
//! the destination's, the probe's (protocol and ports) and the path's (the
//! components it passes), so each is decided once per source, destination, probe
//! or class pair, and findings come out grouped.

use std::net::Ipv4Addr;

use crate::addr::Protocol;
use crate::forward::INTERNET_CLIENT;
use crate::model::eni::EniOwner;
use crate::trace::{ComponentKind, Trace};
use crate::world::{Handle, World};

use super::cell::{self, SOURCE_PORT};
use super::matrix::Matrix;
use super::probe::Probe;
use super::scope::{PathMatch, ResourceType, Scope};
use super::select::{Source, Target};

/// What a scope sees of one end of a path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct End {
    /// Its ids: its own, its interfaces', subnets', VPC's and security groups'.
    pub ids: Vec<String>,
    /// Its resource types.
    pub types: Vec<ResourceType>,
    /// Its addresses (private and public).
    pub addresses: Vec<Ipv4Addr>,
    /// The ids of itself and its interfaces: not counted as components passed through.
    pub own: Vec<String>,
}

impl End {
    fn add_interface(&mut self, w: &World, eni: crate::ids::EniId) {
        let e = &w[eni];
        self.ids.push(w.aws_id(Handle::Eni(eni)).to_string());
        self.ids.push(w.aws_id(Handle::Subnet(e.subnet)).to_string());
        self.ids.push(w.aws_id(Handle::Vpc(e.vpc)).to_string());
        self.ids.extend(e.groups.iter().map(|g| w.aws_id(Handle::Sg(*g)).to_string()));
        self.addresses.extend(e.private_ips());
        self.addresses.extend(w.public_ips_of(eni));
    }
}

/// The source end of a path.
pub fn source_end(w: &World, s: Source) -> End {
    let mut end = End::default();
    match s {
        Source::Internet => {
            end.types.push(ResourceType::InternetGateway);
            end.addresses.push(INTERNET_CLIENT);
        }
        Source::Instance(i) => {
            end.ids.push(w.aws_id(Handle::Instance(i)).to_string());
            end.add_interface(w, w[i].eni);
            end.types = vec![ResourceType::Instance, ResourceType::NetworkInterface, ResourceType::Subnet];
            end.own = vec![end.ids[0].clone(), end.ids[1].clone()];
        }
        Source::LbNode(lb, eni) => {
            end.ids.push(w.aws_id(Handle::Lb(lb)).to_string());
            end.add_interface(w, eni);
            end.types =
                vec![ResourceType::LoadBalancer, ResourceType::NetworkInterface, ResourceType::Subnet];
            end.own = vec![end.ids[1].clone()];
        }
    }
    end
}

/// The destination end of a path.
pub fn target_end(w: &World, t: Target) -> End {
    let mut end = End::default();
    match t {
        Target::Instance(i) => {
            end.ids.push(w.aws_id(Handle::Instance(i)).to_string());
            // M4: reached at every interface, the primary first.
            for e in w[i].enis() {
                end.add_interface(w, e);
            }
            end.types = vec![ResourceType::Instance, ResourceType::NetworkInterface, ResourceType::Subnet];
            end.own = vec![end.ids[0].clone(), end.ids[1].clone()];
        }
        Target::Lb(lb) => {
            end.ids.push(w.aws_id(Handle::Lb(lb)).to_string());
            for n in &w[lb].nodes {
                end.add_interface(w, n.eni);
            }
            end.ids.extend(w[lb].security_groups.iter().map(|g| w.aws_id(Handle::Sg(*g)).to_string()));
            end.types =
                vec![ResourceType::LoadBalancer, ResourceType::NetworkInterface, ResourceType::Subnet];
        }
        Target::Endpoint(ep) => {
            end.ids.push(w.aws_id(Handle::Endpoint(ep)).to_string());
            for eni in w[ep].enis.iter().filter(|e| matches!(w[**e].owner, EniOwner::Endpoint(_))) {
                end.add_interface(w, *eni);
            }
            end.types = vec![ResourceType::VpcEndpoint, ResourceType::NetworkInterface, ResourceType::Subnet];
        }
        Target::Internet(ip) => {
            end.types.push(ResourceType::InternetGateway);
            end.addresses.push(ip);
        }
    }
    end
}

/// The instance a path was delivered to, if it ended at one.
fn delivered_to(w: &World, trace: &Trace) -> Option<crate::ids::InstanceId> {
    let last = trace.forward.last().filter(|h| h.kind == ComponentKind::Instance)?;
    match w.find(&last.id) {
        Some(Handle::Instance(i)) => Some(i),
        _ => None,
    }
}

/// The destination end of a reachable path: its destination's ([`target_end`]), but for
/// a load balancer the target instance the walk delivered to, and for a host on the
/// internet the internet gateways the path left by. Network Access Analyzer's findings
/// start and end at network interfaces and gateways (and endpoints), never at a load
/// balancer, which a scope may name only among the resources a path passes through; so a
/// path from the internet through an internet-facing load balancer to an instance is a
/// finding of a scope whose destination is `AWS::EC2::Instance`, and the load balancer is
/// one of the components it passes. The load balancer's ARN, its type and its nodes'
/// addresses still match a destination statement too (vpcsim's addition). A path to the
/// internet ends at the internet gateway it leaves by: its id and type, and the host's
/// address, match a destination statement.
pub fn path_end(w: &World, t: Target, trace: &Trace) -> End {
    if let Target::Internet(_) = t {
        let mut end = target_end(w, t);
        end.ids = entered_through(trace);
        return end;
    }
    let Target::Lb(lb) = t else { return target_end(w, t) };
    let Some(instance) = delivered_to(w, trace) else { return target_end(w, t) };
    let mut end = target_end(w, Target::Instance(instance));
    end.ids.push(w.aws_id(Handle::Lb(lb)).to_string());
    end.types.push(ResourceType::LoadBalancer);
    for n in &w[lb].nodes {
        end.addresses.push(w[n.eni].private_ip);
        end.addresses.extend(w.public_ip_of(n.eni));
    }
    end
}

/// The components a path passes (its forward hops but the ends' own), by type and id.
pub fn passed(trace: &Trace, source: &End, target: &End) -> Vec<(Option<ResourceType>, String)> {
    trace
        .forward
        .iter()
        .filter(|h| !source.own.iter().chain(&target.own).any(|o| *o == *h.id))
        .map(|h| (ResourceType::of_component(h.kind), h.id.to_string()))
        .collect()
}

/// The internet gateways a path passes: those a path from the internet enters through (the
/// source's ids), those a path to the internet leaves by (the destination's).
pub fn entered_through(trace: &Trace) -> Vec<String> {
    trace
        .forward
        .iter()
        .filter(|h| h.kind == ComponentKind::InternetGateway)
        .map(|h| h.id.to_string())
        .collect()
}

/// Whether a statement's source conditions hold (`entered`: the gateways of a path from the internet).
pub fn source_ok(m: &PathMatch, end: &End, entered: &[String]) -> bool {
    let ids = end.ids.iter().chain(entered).map(String::as_str);
    m.source.matches(ids, &end.types) && end.addresses.first().is_some_and(|a| m.headers.source_ok(*a))
}

/// Whether a statement's destination conditions hold.
pub fn target_ok(m: &PathMatch, end: &End) -> bool {
    m.destination.matches(end.ids.iter().map(String::as_str), &end.types)
        && m.headers.destination_ok(&end.addresses)
}

/// Whether a statement's protocol and port conditions hold.
pub fn probe_ok(m: &PathMatch, p: Probe) -> bool {
    let src_port = if p.protocol == Protocol::Icmp { 0 } else { SOURCE_PORT };
    m.headers.probe_ok(p.protocol, src_port, p.port)
}

/// Whether a statement's through conditions hold: each passed by some component.
pub fn through_ok(m: &PathMatch, passed: &[(Option<ResourceType>, String)]) -> bool {
    m.through
        .iter()
        .all(|r| passed.iter().any(|(ty, id)| r.matches(std::iter::once(id.as_str()), ty.as_slice())))
}

/// The probes a scope analysis asks: the default set, and the first port of every
/// destination port range a scope names (for each protocol it names, TCP when none).
pub fn probes_for(scopes: &[Scope]) -> Vec<Probe> {
    let mut out = super::DEFAULT_PROBES.to_vec();
    add_scope_ports(&mut out, scopes);
    out
}

/// Adds to `out` the first port of every destination port range `scopes` name.
pub fn add_scope_ports(out: &mut Vec<Probe>, scopes: &[Scope]) {
    for m in scopes.iter().flat_map(|s| s.matches.iter().chain(&s.excludes)) {
        let protocols =
            if m.headers.protocols.is_empty() { vec![Protocol::Tcp] } else { m.headers.protocols.clone() };
        for r in &m.headers.destination_ports {
            for p in protocols.iter().filter(|p| **p != Protocol::Icmp) {
                let probe = Probe { protocol: *p, port: r.from.max(1) };
                if !out.contains(&probe) {
                    out.push(probe);
                }
            }
        }
    }
}

/// Reachable paths of one probe, for a set of sources and destinations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The sources (indexes into [`Matrix::sources`]).
    pub sources: Vec<usize>,
    /// The destinations (indexes into [`Matrix::targets`]).
    pub targets: Vec<usize>,
    /// The probe (index into [`Matrix::probes`]).
    pub probe: usize,
    /// The forward path of the first source to the first destination.
    pub path: Trace,
}

/// Every finding of `scope` over `m`, grouped per class pair and probe (per destination
/// for a load balancer: where its paths end depends on the target they reach). Paths to
/// the internet are found when `m`'s destinations hold its hosts ([`super::egress::targets`]).
pub fn findings(w: &World, m: &Matrix, scope: &Scope) -> Vec<Finding> {
    let statements: Vec<&PathMatch> = scope.matches.iter().chain(&scope.excludes).collect();
    let matches = scope.matches.len();
    let sources: Vec<End> = m.sources.iter().map(|s| source_end(w, *s)).collect();
    let targets: Vec<End> = m.targets.iter().map(|t| target_end(w, *t)).collect();
    let dst_bits: Vec<Vec<bool>> =
        targets.iter().map(|e| statements.iter().map(|k| target_ok(k, e)).collect()).collect();
    // Whether some member of a class could meet a match statement's end conditions: a
    // pair none could is not walked for its path. The internet's conditions depend on the
    // gateways its path enters by, a load balancer's on the target its path reaches and
    // the internet's on the gateways its path leaves by, so those always could.
    let source_could: Vec<Vec<bool>> = m
        .source_classes
        .members
        .iter()
        .map(|ms| {
            let ok = |k: usize, s: usize| {
                m.sources[s] == Source::Internet || source_ok(statements[k], &sources[s], &[])
            };
            (0..matches).map(|k| ms.iter().any(|&s| ok(k, s as usize))).collect()
        })
        .collect();
    let balanced: Vec<bool> = m
        .target_classes
        .members
        .iter()
        .map(|ms| ms.iter().any(|&t| path_dependent(m.targets[t as usize])))
        .collect();
    let target_could: Vec<Vec<bool>> = m
        .target_classes
        .members
        .iter()
        .zip(&balanced)
        .map(|(ms, lb)| (0..matches).map(|k| *lb || ms.iter().any(|&t| dst_bits[t as usize][k])).collect())
        .collect();
    let mut out = Vec::new();
    for (pi, probe) in m.probes.iter().enumerate() {
        let probe_bits: Vec<bool> = statements.iter().map(|k| probe_ok(k, *probe)).collect();
        if !probe_bits[..matches].iter().any(|b| *b) {
            continue;
        }
        for (sc, smembers) in m.source_classes.members.iter().enumerate() {
            for (tc, tmembers) in m.target_classes.members.iter().enumerate() {
                if !(0..matches).any(|k| probe_bits[k] && source_could[sc][k] && target_could[tc][k]) {
                    continue;
                }
                let rows: Vec<Vec<u32>> = if m.varies_by_source(sc as u32, tc as u32, pi) {
                    smembers.iter().map(|&s| vec![s]).collect()
                } else {
                    vec![smembers.clone()]
                };
                // A load balancer's paths are walked per destination; others once per class.
                let columns: Vec<Vec<u32>> = if balanced[tc] {
                    tmembers.iter().map(|&t| vec![t]).collect()
                } else {
                    vec![tmembers.clone()]
                };
                for row in &rows {
                    for column in &columns {
                        let cell = Cell {
                            m,
                            sources: &sources,
                            statements: &statements,
                            matches,
                            dst_bits: &dst_bits,
                        };
                        out.extend(cell.findings(w, row, column, pi, &probe_bits));
                    }
                }
            }
        }
    }
    out
}

/// Whether a destination's end conditions depend on the path walked (the target a load
/// balancer's flow reaches, the gateway a path to the internet leaves by).
fn path_dependent(t: Target) -> bool {
    matches!(t, Target::Lb(_) | Target::Internet(_))
}

/// Whether a source and destination have no path for Network Access Analyzer, which
/// reports paths through the network between resources: an instance to itself (its
/// packets never leave the interface), the internet to the internet (no VPC on the way),
/// a load balancer node to the internet (a node forwards flows to its targets and opens
/// none to the internet).
pub fn no_path(s: Source, t: Target) -> bool {
    match (s, t) {
        (Source::Instance(a), Target::Instance(b)) => a == b,
        (Source::Internet | Source::LbNode(..), Target::Internet(_)) => true,
        _ => false,
    }
}

/// What [`findings`] decides one walked path with.
struct Cell<'a> {
    m: &'a Matrix,
    sources: &'a [End],
    statements: &'a [&'a PathMatch],
    matches: usize,
    /// Per destination, whether it meets each statement's destination conditions.
    dst_bits: &'a [Vec<bool>],
}

impl Cell<'_> {
    /// The findings of sources `row` and destinations `column` for probe `pi`, walking the
    /// path of their first source and destination (a load balancer's destination
    /// conditions are met, or not, by the end of that path).
    fn findings(
        &self,
        w: &World,
        row: &[u32],
        column: &[u32],
        pi: usize,
        probe_bits: &[bool],
    ) -> Vec<Finding> {
        let m = self.m;
        let (s0, t0) = (row[0] as usize, column[0] as usize);
        if !m.verdict(s0, t0, pi).is_reachable() {
            return Vec::new();
        }
        let Some(trace) = path(w, m.sources[s0], m.targets[t0], m.probes[pi]) else {
            return Vec::new();
        };
        let entered = if m.sources[s0] == Source::Internet { entered_through(&trace) } else { Vec::new() };
        let end = path_end(w, m.targets[t0], &trace);
        let through = passed(&trace, &self.sources[s0], &end);
        let path_bits: Vec<bool> =
            self.statements.iter().zip(probe_bits).map(|(k, p)| *p && through_ok(k, &through)).collect();
        let end_bits: Vec<bool> = self.statements.iter().map(|k| target_ok(k, &end)).collect();
        let n = self.statements.len();
        pair_findings(row, column, pi, &trace, |s, t| {
            if no_path(m.sources[s], m.targets[t]) {
                return false;
            }
            let dst = |k: usize| match m.targets[t] {
                Target::Lb(_) | Target::Internet(_) => end_bits[k],
                _ => self.dst_bits[t][k],
            };
            let hit = |k: usize| {
                path_bits[k] && dst(k) && source_ok(self.statements[k], &self.sources[s], &entered)
            };
            (0..self.matches).any(hit) && !(self.matches..n).any(hit)
        })
    }
}

/// The forward and return path of one source to one destination for probe `p`, as a
/// finding shows it ([`cell::explain`]'s decisive flow): a path to the internet ends at
/// the internet, its host named by its address ([`super::egress::name_as_internet`]).
pub fn path(w: &World, s: Source, t: Target, p: Probe) -> Option<Trace> {
    let mut trace = cell::explain(w, s, t, p).1?;
    if let Target::Internet(host) = t {
        super::egress::name_as_internet(w, host, &mut trace);
    }
    Some(trace)
}

/// The findings of one class pair: its sources and destinations split by whether each
/// (source, destination) is found, grouped into rectangles by source.
fn pair_findings(
    sources: &[u32],
    targets: &[u32],
    probe: usize,
    trace: &Trace,
    found: impl Fn(usize, usize) -> bool,
) -> Vec<Finding> {
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for &s in sources {
        let hit: Vec<usize> = targets.iter().map(|&t| t as usize).filter(|&t| found(s as usize, t)).collect();
        if hit.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(_, t)| *t == hit) {
            Some((s_list, _)) => s_list.push(s as usize),
            None => groups.push((vec![s as usize], hit)),
        }
    }
    groups
        .into_iter()
        .map(|(sources, targets)| Finding { sources, targets, probe, path: trace.clone() })
        .collect()
}
