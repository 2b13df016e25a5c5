//! Route tables: routes with their targets, the implicit local route (R2), longest
//! prefix match (R3) and the blackhole state of routes whose target is gone (R5).
//!
//! [`Routes`] owns a table's routes, longest prefix first, and the structure that
//! answers R3: a scan for small tables (a VPC's usual handful), and, once a table
//! passes [`Routes::LINEAR_MAX`] routes, disjoint address intervals with a
//! first-level index on the top bits (module `lpm`). Routes change only through
//! `Routes`' methods, so the index never goes stale.

mod lpm;

use std::ops::Deref;

use crate::addr::Cidr;
use crate::ids::{EniId, GatewayEndpointId, IgwId, InstanceId, NatId, PeeringId, PrefixListId, VpcId};
use crate::model::Tags;

/// Where a route sends matching traffic (R4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RouteTarget {
    /// R2: within the VPC.
    Local,
    /// An internet gateway.
    Igw(IgwId),
    /// A network interface.
    Eni(EniId),
    /// An instance (its primary interface).
    Instance(InstanceId),
    /// A NAT gateway (G1).
    Nat(NatId),
    /// A VPC peering connection (V2).
    Pcx(PeeringId),
    /// A transit gateway (kept in the model; not simulated yet).
    Tgw(String),
    /// A gateway endpoint (E1).
    GatewayEndpoint(GatewayEndpointId),
}

/// Who made a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteOrigin {
    /// The implicit local route.
    CreateRouteTable,
    /// A CreateRoute call.
    CreateRoute,
}

/// One route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Destination block (for a prefix-list route, one of the list's entries).
    pub destination: Cidr,
    /// E1/E5: the prefix list this route stands for one entry of; a prefix-list route is
    /// kept as one route per entry, so longest prefix match runs over the entries (R3).
    pub prefix_list: Option<PrefixListId>,
    /// Target.
    pub target: RouteTarget,
    /// Origin.
    pub origin: RouteOrigin,
}

/// A table's routes, longest prefix first, with the lookup structure for R3.
///
/// Reads go through `Deref<Target = [Route]>` (`routes.len()`, `routes.iter()`,
/// `routes[0]`); changes through [`Routes::insert`], [`Routes::remove`] and
/// [`Routes::target_mut`], which keep the order and the index.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    list: Vec<Route>,
    index: Option<Box<lpm::Lpm>>,
}

impl Routes {
    /// Tables up to this many routes are scanned; larger ones get an interval index.
    pub const LINEAR_MAX: usize = 32;

    /// A table of these routes, sorted longest prefix first (stable); a repeated
    /// destination keeps its first route.
    pub fn from_routes(mut routes: Vec<Route>) -> Routes {
        let mut seen = rustc_hash::FxHashSet::default();
        routes.retain(|r| seen.insert(r.destination));
        routes.sort_by_key(|r| std::cmp::Reverse(r.destination.prefix_len()));
        let mut t = Routes { list: routes, index: None };
        t.reindex();
        t
    }

    /// The routes, longest prefix first.
    pub fn as_slice(&self) -> &[Route] {
        &self.list
    }

    /// R3: the route with the longest prefix that contains `dst`, if any (R6 when none).
    #[inline]
    pub fn lookup(&self, dst: u32) -> Option<&Route> {
        match &self.index {
            Some(index) => index.lookup(dst).map(|i| &self.list[i]),
            None => self.list.iter().find(|r| r.destination.contains_u32(dst)),
        }
    }

    /// Add a route, keeping the longest-first order. Returns false when the destination already has a route.
    pub fn insert(&mut self, route: Route) -> bool {
        if self.list.iter().any(|r| r.destination == route.destination) {
            return false;
        }
        let len = route.destination.prefix_len();
        let at = self.list.partition_point(|r| r.destination.prefix_len() >= len);
        self.list.insert(at, route);
        self.reindex();
        true
    }

    /// Remove and return the route at `pos` (panics when out of range, like `Vec::remove`).
    pub fn remove(&mut self, pos: usize) -> Route {
        let route = self.list.remove(pos);
        self.reindex();
        route
    }

    /// The target of the route for exactly this destination, to replace it.
    pub fn target_mut(&mut self, destination: Cidr) -> Option<&mut RouteTarget> {
        self.list.iter_mut().find(|r| r.destination == destination).map(|r| &mut r.target)
    }

    /// Heap bytes held by the lookup index (0 for scanned tables).
    pub fn index_bytes(&self) -> usize {
        self.index.as_ref().map_or(0, |i| i.heap_bytes())
    }

    fn reindex(&mut self) {
        // Routes change through control-plane calls, rarely; keep no spare capacity (most tables hold 1-3 routes).
        self.list.shrink_to_fit();
        self.index = (self.list.len() > Routes::LINEAR_MAX).then(|| {
            let prefixes = self.list.iter().map(|r| r.destination);
            Box::new(lpm::Lpm::build(prefixes))
        });
    }
}

impl Deref for Routes {
    type Target = [Route];

    fn deref(&self) -> &[Route] {
        &self.list
    }
}

impl<'a> IntoIterator for &'a Routes {
    type Item = &'a Route;
    type IntoIter = std::slice::Iter<'a, Route>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl From<Vec<Route>> for Routes {
    fn from(routes: Vec<Route>) -> Routes {
        Routes::from_routes(routes)
    }
}

impl PartialEq for Routes {
    fn eq(&self, other: &Routes) -> bool {
        self.list == other.list
    }
}

impl Eq for Routes {}

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// `rtb-...`.
    pub aws_id: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// R1: whether it is the VPC's main table.
    pub main: bool,
    /// Routes, kept sorted by prefix length, longest first (R3 is then the first match).
    pub routes: Routes,
    /// A8: IPv6 routes, beside the IPv4 lookup (never walked): local first, then by creation.
    pub ipv6_routes: Vec<crate::model::ipv6::Ipv6Route>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

impl RouteTable {
    /// R3: the route with the longest prefix that contains `dst`, if any (R6 when none).
    #[inline]
    pub fn lookup(&self, dst: u32) -> Option<&Route> {
        self.routes.lookup(dst)
    }

    /// Add a route, keeping the longest-first order. Returns false when the destination already has a route.
    pub fn insert(&mut self, route: Route) -> bool {
        self.routes.insert(route)
    }

    /// The target of the route for exactly this destination, to replace it.
    pub fn target_mut(&mut self, destination: Cidr) -> Option<&mut RouteTarget> {
        self.routes.target_mut(destination)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn route(c: Cidr) -> Route {
        Route {
            destination: c,
            prefix_list: None,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRoute,
        }
    }

    fn scan(routes: &[Route], dst: u32) -> Option<Cidr> {
        routes.iter().find(|r| r.destination.contains_u32(dst)).map(|r| r.destination)
    }

    #[test]
    fn r3_indexed_lookup_agrees_with_a_longest_first_scan() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [0, 1, 5, 33, 200, 3000] {
            let mut v = Vec::new();
            for _ in 0..n {
                let len = rng.random_range(0..=32u8);
                // Cluster half the prefixes in 10/8 so they nest.
                let base = if rng.random_bool(0.5) {
                    0x0a00_0000 | (rng.random::<u32>() >> 8)
                } else {
                    rng.random()
                };
                v.push(route(Cidr::new(base.into(), len)));
            }
            let t = Routes::from_routes(v);
            assert_eq!(t.index.is_some(), t.len() > Routes::LINEAR_MAX);
            let mut probes: Vec<u32> = (0..2000).map(|_| rng.random()).collect();
            for r in t.iter() {
                let c = r.destination;
                probes.extend([
                    c.base(),
                    u32::from(c.last()),
                    c.base().wrapping_sub(1),
                    u32::from(c.last()).wrapping_add(1),
                ]);
            }
            probes.extend([0, u32::MAX]);
            for dst in probes {
                assert_eq!(t.lookup(dst).map(|r| r.destination), scan(&t, dst), "n={n} dst={dst:#x}");
            }
        }
    }

    #[test]
    fn r3_index_follows_inserts_and_removals() {
        let mut t = Routes::default();
        for i in 0..40u32 {
            assert!(t.insert(route(Cidr::new((0x0a00_0000 + (i << 8)).into(), 24))));
        }
        assert!(t.insert(route(Cidr::new(0x0a00_0000.into(), 16))));
        assert!(!t.insert(route(Cidr::new(0x0a00_0000.into(), 16))));
        assert_eq!(t.lookup(0x0a00_0105).unwrap().destination.prefix_len(), 24);
        let pos = t.iter().position(|r| r.destination == Cidr::new(0x0a00_0100.into(), 24)).unwrap();
        t.remove(pos);
        assert_eq!(t.lookup(0x0a00_0105).unwrap().destination.prefix_len(), 16);
        assert_eq!(t.lookup(0x0b00_0000), None);
    }
}
