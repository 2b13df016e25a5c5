//! What each VPC, subnet and service holds, gathered once per diagram in one pass over
//! each arena, as flat lists grouped by owner.

use crate::ids::*;
use crate::world::World;

/// What each VPC, subnet and service holds, gathered in one pass over each arena so a
/// diagram is linear in the world (not a scan of every subnet per VPC), each kept in one
/// flat list rather than a small vector per owner.
pub(super) struct Members {
    /// Live subnets by VPC, in creation order.
    subnets: Grouped<SubnetId>,
    /// Live interfaces by subnet, in creation order.
    enis: Grouped<EniId>,
    /// Endpoints by provider's service, in creation order.
    endpoints: Grouped<EndpointId>,
    /// Gateway endpoints not deleted, by VPC, in creation order.
    gateway_endpoints: Grouped<GatewayEndpointId>,
}

impl Members {
    pub(super) fn of(w: &World) -> Members {
        let endpoints = w.endpoints().iter().filter_map(|(id, e)| Some((e.service.provider()?.0, id)));
        let gateway_endpoints =
            w.gateway_endpoints().iter().filter(|(_, g)| !g.deleted).map(|(id, g)| (g.vpc.0, id));
        Members {
            subnets: Grouped::of(w.vpcs().len(), w.subnets().live().map(|(id, s)| (s.vpc.0, id))),
            enis: Grouped::of(w.subnets().len(), w.enis().live().map(|(id, e)| (e.subnet.0, id))),
            endpoints: Grouped::of(w.services().len(), endpoints),
            gateway_endpoints: Grouped::of(w.vpcs().len(), gateway_endpoints),
        }
    }

    pub(super) fn gateway_endpoints(&self, vpc: VpcId) -> &[GatewayEndpointId] {
        self.gateway_endpoints.get(vpc.0)
    }

    pub(super) fn subnets(&self, vpc: VpcId) -> &[SubnetId] {
        self.subnets.get(vpc.0)
    }

    pub(super) fn enis(&self, subnet: SubnetId) -> &[EniId] {
        self.enis.get(subnet.0)
    }

    pub(super) fn endpoints(&self, service: ServiceId) -> &[EndpointId] {
        self.endpoints.get(service.0)
    }
}

/// Items grouped by their owner's position in its arena, in one list (a counting sort, so
/// each owner's items keep the order they came in).
struct Grouped<T> {
    /// Owner `k`'s items are `items[start[k]..start[k + 1]]`.
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Grouped<T> {
    /// Group `(owner, item)` pairs whose owners are below `owners`.
    fn of(owners: usize, pairs: impl Iterator<Item = (u32, T)> + Clone) -> Grouped<T> {
        let mut start = vec![0u32; owners + 1];
        let mut filler = None;
        for (k, t) in pairs.clone() {
            start[k as usize + 1] += 1;
            filler.get_or_insert(t);
        }
        for k in 0..owners {
            start[k + 1] += start[k];
        }
        let Some(filler) = filler else { return Grouped { start, items: Vec::new() } };
        let mut next = start.clone();
        let mut items = vec![filler; start[owners] as usize];
        for (k, t) in pairs {
            let at = &mut next[k as usize];
            items[*at as usize] = t;
            *at += 1;
        }
        Grouped { start, items }
    }

    fn get(&self, owner: u32) -> &[T] {
        let k = owner as usize;
        match (self.start.get(k), self.start.get(k + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_items_keep_their_order_per_owner_as_a_plain_scan_finds_them() {
        let pairs = [(2, 'a'), (0, 'b'), (2, 'c'), (3, 'd'), (0, 'e'), (2, 'f')];
        let g = Grouped::of(5, pairs.iter().copied());
        for owner in 0..6 {
            let scan: Vec<char> = pairs.iter().filter(|(k, _)| *k == owner).map(|(_, t)| *t).collect();
            assert_eq!(g.get(owner), scan.as_slice(), "owner {owner}");
        }
        assert!(Grouped::<char>::of(3, std::iter::empty()).get(1).is_empty());
    }
}
