//! Route tables: routes with their targets, the implicit local route (R2), longest
//! prefix match (R3) and the blackhole state of routes whose target is gone (R5).

use crate::addr::Cidr;
use crate::ids::{EniId, IgwId, InstanceId, VpcId};
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
    /// A NAT gateway (kept in the model; not simulated yet).
    Nat(String),
    /// A VPC peering connection (kept in the model; not simulated yet).
    Pcx(String),
    /// A transit gateway (kept in the model; not simulated yet).
    Tgw(String),
    /// A gateway endpoint (kept in the model; not simulated yet).
    GatewayEndpoint(String),
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
    /// Destination block.
    pub destination: Cidr,
    /// Target.
    pub target: RouteTarget,
    /// Origin.
    pub origin: RouteOrigin,
}

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
    pub routes: Vec<Route>,
    /// Tags.
    pub tags: Tags,
    /// Whether it was deleted.
    pub deleted: bool,
}

impl RouteTable {
    /// R3: the route with the longest prefix that contains `dst`, if any (R6 when none).
    #[inline]
    pub fn lookup(&self, dst: u32) -> Option<&Route> {
        self.routes.iter().find(|r| r.destination.contains_u32(dst))
    }

    /// Add a route, keeping the longest-first order. Returns false when the destination already has a route.
    pub fn insert(&mut self, route: Route) -> bool {
        if self.routes.iter().any(|r| r.destination == route.destination) {
            return false;
        }
        let at =
            self.routes.partition_point(|r| r.destination.prefix_len() >= route.destination.prefix_len());
        self.routes.insert(at, route);
        true
    }

    /// The route for exactly this destination.
    pub fn route_mut(&mut self, destination: Cidr) -> Option<&mut Route> {
        self.routes.iter_mut().find(|r| r.destination == destination)
    }
}
