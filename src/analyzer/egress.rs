//! The internet as a destination of Network Access Analyzer scopes (RA4): paths that
//! leave a VPC through an internet gateway, directly or around a NAT gateway or NAT
//! instance on the way.
//!
//! The internet is one representative host ([`representative`]), a host of the simulated
//! internet that answers (so a path to it is judged as every other cell: delivered, and
//! the response back through the NACLs, the NAT and the gateway): `8.8.8.8`, else
//! `1.1.1.1`, else checkip's address, whichever is outside every VPC, every public
//! address of the world and, when possible, every block a rule, route or subnet names
//! but `0.0.0.0/0`. No rule of the world tells such a host apart from any other host of
//! the general internet, so its verdict from each source class is theirs: one column,
//! walked once per source class, rather than one column per address block. A scope whose
//! destination addresses hold another of those hosts but not the representative adds
//! that host ([`hosts`]); a block that holds none of them (`203.0.113.0/24`) asks about
//! no host of the internet. `vpcsim reach` never lists these destinations: its matrix,
//! and its cost, stay what they were. A finding's path ends at the internet, its host named
//! by its address ([`name_as_internet`]), not by the service the simulator runs there.

use std::net::Ipv4Addr;

use crate::forward::internet_host_name;
use crate::region::{CHECKIP_ADDR, PUBLIC_RESOLVERS};
use crate::trace::{ComponentKind, Text, Trace};
use crate::world::World;

use super::classes::AddressBlocks;
use super::scope::Scope;
use super::select::{self, Target};

/// The hosts of the simulated internet a scope analysis may ask about, in order.
const CANDIDATES: [Ipv4Addr; 3] = [PUBLIC_RESOLVERS[0], PUBLIC_RESOLVERS[1], CHECKIP_ADDR];

/// Whether `ip` is a host of the internet for `w`: a host of the simulated internet
/// answers there, and it is in no VPC's blocks and no interface's public address.
pub fn on_internet(w: &World, ip: Ipv4Addr) -> bool {
    w.is_internet_host(ip)
        && w.eni_by_public_ip(ip).is_none()
        && !w.vpcs().live().any(|(_, v)| v.contains(ip))
}

/// The representative host of the internet in `w`: the first candidate on the internet
/// that no block of the world's rules, routes and subnets holds but `0.0.0.0/0`, else the
/// first on the internet at all, else `8.8.8.8`.
///
/// ```
/// use vpcsim::lab::{Lab, LabOptions};
///
/// let lab = Lab::ready(LabOptions::default()).unwrap();
/// let host = vpcsim::analyzer::egress::representative(&lab.world);
/// assert_eq!(host.to_string(), "8.8.8.8");
/// assert!(vpcsim::analyzer::egress::on_internet(&lab.world, host));
/// ```
pub fn representative(w: &World) -> Ipv4Addr {
    let blocks = AddressBlocks::of(w);
    let general = |ip: &Ipv4Addr| blocks.holding(*ip).iter().all(|(_, len)| *len == 0);
    let public: Vec<Ipv4Addr> = CANDIDATES.into_iter().filter(|ip| on_internet(w, *ip)).collect();
    public.iter().find(|ip| general(ip)).or(public.first()).copied().unwrap_or(CANDIDATES[0])
}

/// The internet hosts a scope analysis asks about: the [`representative`], then each
/// other candidate on the internet that a destination block (address or prefix list
/// entry) of a statement of `scopes` holds while holding no host already asked about.
pub fn hosts(w: &World, scopes: &[Scope]) -> Vec<Ipv4Addr> {
    let mut out = vec![representative(w)];
    let statements = scopes.iter().flat_map(|s| s.matches.iter().chain(&s.excludes));
    let blocks = statements.flat_map(|m| {
        let h = &m.headers;
        h.destination_addresses.iter().chain(h.destination_prefix_lists.iter().flat_map(|l| &l.blocks))
    });
    for block in blocks {
        if out.iter().any(|ip| block.contains(*ip)) {
            continue;
        }
        if let Some(ip) = CANDIDATES.iter().find(|ip| block.contains(**ip) && on_internet(w, **ip)) {
            out.push(*ip);
        }
    }
    out
}

/// Every destination of a scope analysis: the world's ([`select::targets`]), then the
/// internet's [`hosts`].
pub fn targets(w: &World, scopes: &[Scope]) -> Vec<Target> {
    let mut out = select::targets(w, &[]);
    out.extend(hosts(w, scopes).into_iter().map(Target::Internet));
    out
}

/// Names the hops of `trace` at `host` by its address: a scope's destination is the
/// internet, which the host stands for, not the service the simulator runs there (to
/// `dig @8.8.8.8` and `trace` it stays the public DNS resolver it is).
pub fn name_as_internet(w: &World, host: Ipv4Addr, trace: &mut Trace) {
    let service = internet_host_name(w, host);
    let address = Text::from(host.to_string().as_str());
    for h in trace.forward.iter_mut().chain(&mut trace.ret) {
        if h.kind == ComponentKind::Internet && *h.id == *service {
            h.id = address.clone();
        }
    }
}
