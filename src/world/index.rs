//! The lookup tables the packet walk and the resolver use instead of scanning an
//! arena: the gateway attached to each VPC, the subnet holding an address within a
//! VPC, and the DNS names of load balancers and endpoints. Each table is updated by
//! the ops that create, change or delete what it indexes, and holds typed handles
//! only: a lookup returns candidates that the caller checks against the resource
//! itself, so a lookup never allocates and a deleted resource is never answered.

use std::hash::{Hash, Hasher};
use std::net::Ipv4Addr;

use rustc_hash::{FxHashMap, FxHasher};

use crate::addr::Cidr;
use crate::ids::*;

/// The 64-bit hash a name is filed under (names are compared in full on lookup).
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut h = FxHasher::default();
    name.hash(&mut h);
    h.finish()
}

/// The subnets of every VPC by the first address of their block: per VPC, a vector
/// sorted by base. Subnets of one VPC never overlap (create-subnet refuses it), so the
/// subnet holding an address is the one with the greatest base at or below it, if its
/// block reaches the address. A lookup is one hash probe and a binary search among the
/// VPC's own subnets (at most the subnets-per-VPC quota), however many VPCs the region has.
/// Its `Debug` lists the VPCs in order and skips empty lists, so two tables holding the
/// same subnets print the same whatever their history (a rolled-back transaction).
#[derive(Clone, Default)]
pub(crate) struct SubnetsByAddress {
    by_vpc: FxHashMap<u32, Vec<Filed>>,
    /// During a transaction: each change, to undo last first.
    log: Option<Vec<Change>>,
}

impl std::fmt::Debug for SubnetsByAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut vpcs: Vec<_> = self.by_vpc.iter().filter(|(_, list)| !list.is_empty()).collect();
        vpcs.sort_by_key(|(vpc, _)| **vpc);
        f.debug_map().entries(vpcs).finish()
    }
}

/// A subnet as filed: the first address of its block, its handle and its block.
type Filed = (u32, SubnetId, Cidr);

/// A change to [`SubnetsByAddress`], as a transaction logs it.
#[derive(Clone, Debug)]
enum Change {
    /// A subnet was filed in a VPC (possibly replacing one with the same base).
    Filed { vpc: u32, base: u32, replaced: Option<Filed> },
    /// A subnet was forgotten.
    Removed { vpc: u32, was: Filed },
}

impl SubnetsByAddress {
    /// Files a new subnet.
    pub(crate) fn insert(&mut self, vpc: VpcId, cidr: Cidr, subnet: SubnetId) {
        let base = cidr.base();
        let filed = (base, subnet, cidr);
        let list = self.by_vpc.entry(vpc.0).or_default();
        let replaced = match list.binary_search_by_key(&base, |f| f.0) {
            Ok(i) => Some(std::mem::replace(&mut list[i], filed)),
            Err(i) => {
                list.insert(i, filed);
                None
            }
        };
        if let Some(log) = &mut self.log {
            log.push(Change::Filed { vpc: vpc.0, base, replaced });
        }
    }

    /// Forgets a deleted subnet (and nothing filed later under the same block).
    pub(crate) fn remove(&mut self, vpc: VpcId, cidr: Cidr, subnet: SubnetId) {
        let Some(list) = self.by_vpc.get_mut(&vpc.0) else { return };
        let Ok(i) = list.binary_search_by_key(&cidr.base(), |f| f.0) else { return };
        if list[i].1 == subnet {
            let was = list.remove(i);
            if let Some(log) = &mut self.log {
                log.push(Change::Removed { vpc: vpc.0, was });
            }
        }
    }

    /// A transaction begins: log changes from now on.
    pub(crate) fn begin(&mut self) {
        self.log = Some(Vec::new());
    }

    /// The transaction succeeded: forget the log.
    pub(crate) fn commit(&mut self) {
        self.log = None;
    }

    /// The transaction failed: undo the logged changes, last first.
    pub(crate) fn rollback(&mut self) {
        for change in self.log.take().into_iter().flatten().rev() {
            match change {
                Change::Filed { vpc, base, replaced } => {
                    let list = self.by_vpc.entry(vpc).or_default();
                    if let Ok(i) = list.binary_search_by_key(&base, |f| f.0) {
                        match replaced {
                            Some(old) => list[i] = old,
                            None => {
                                list.remove(i);
                            }
                        }
                    }
                }
                Change::Removed { vpc, was } => {
                    let list = self.by_vpc.entry(vpc).or_default();
                    if let Err(i) = list.binary_search_by_key(&was.0, |f| f.0) {
                        list.insert(i, was);
                    }
                }
            }
        }
    }

    /// The subnet of `vpc` whose block holds `ip`.
    #[inline]
    pub(crate) fn lookup(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<SubnetId> {
        let list = self.by_vpc.get(&vpc.0)?;
        let ip = u32::from(ip);
        let after = list.partition_point(|f| f.0 <= ip);
        let &(_, subnet, cidr) = list[..after].last()?;
        cidr.contains(Ipv4Addr::from(ip)).then_some(subnet)
    }
}

/// What a public DNS name of the region may name; the resolver checks the candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DnsName {
    /// A load balancer's name (its zonal names are `<az>.` and this name).
    Lb(LbId),
    /// An endpoint's stem `<vpce-id>-<suffix>` (names are the stem, optionally `-<az>`,
    /// then `.` and the service's base name).
    Endpoint(EndpointId),
}

/// DNS names to what they name: public names by the hash of the name (or stem), and
/// services' private DNS names by the consumer VPC and the hash of the name.
#[derive(Clone, Debug, Default)]
pub(crate) struct DnsNames {
    public: FxHashMap<u64, Vec<DnsName>>,
    private: FxHashMap<(u32, u64), Vec<EndpointId>>,
    /// During a transaction: the lists appended to, in order (names are only ever added).
    log: Option<Vec<Appended>>,
}

/// A list of [`DnsNames`] that a transaction appended to.
#[derive(Clone, Copy, Debug)]
enum Appended {
    Public(u64),
    Private((u32, u64)),
}

/// No candidates.
const NONE: &[DnsName] = &[];

impl DnsNames {
    /// Files a load balancer under its DNS name (lowercase).
    pub(crate) fn insert_lb(&mut self, dns_name: &str, lb: LbId) {
        let key = name_hash(&dns_name.to_ascii_lowercase());
        self.public.entry(key).or_default().push(DnsName::Lb(lb));
        self.logged(Appended::Public(key));
    }

    /// Files an endpoint under its stem, and under its service's private DNS name in its VPC.
    pub(crate) fn insert_endpoint(&mut self, stem: &str, private: Option<(VpcId, &str)>, ep: EndpointId) {
        let key = name_hash(stem);
        self.public.entry(key).or_default().push(DnsName::Endpoint(ep));
        self.logged(Appended::Public(key));
        if let Some((vpc, name)) = private {
            let key = (vpc.0, name_hash(&name.to_ascii_lowercase()));
            self.private.entry(key).or_default().push(ep);
            self.logged(Appended::Private(key));
        }
    }

    fn logged(&mut self, appended: Appended) {
        if let Some(log) = &mut self.log {
            log.push(appended);
        }
    }

    /// A transaction begins: log changes from now on.
    pub(crate) fn begin(&mut self) {
        self.log = Some(Vec::new());
    }

    /// The transaction succeeded: forget the log.
    pub(crate) fn commit(&mut self) {
        self.log = None;
    }

    /// The transaction failed: remove what it appended, last first.
    pub(crate) fn rollback(&mut self) {
        for appended in self.log.take().into_iter().flatten().rev() {
            match appended {
                Appended::Public(key) => pop(&mut self.public, key),
                Appended::Private(key) => pop(&mut self.private, key),
            }
        }
    }

    /// What may be filed under `name` (a whole lowercase name, or an endpoint stem), oldest first.
    pub(crate) fn public(&self, name: &str) -> &[DnsName] {
        self.public.get(&name_hash(name)).map_or(NONE, Vec::as_slice)
    }

    /// The endpoints of `vpc` whose service's private DNS name may be `name` (lowercase), oldest first.
    pub(crate) fn private(&self, vpc: VpcId, name: &str) -> &[EndpointId] {
        self.private.get(&(vpc.0, name_hash(name))).map_or(&[], Vec::as_slice)
    }
}

/// Removes the last entry of the list under `key`, and the list once empty.
fn pop<K: std::hash::Hash + Eq, V>(map: &mut FxHashMap<K, Vec<V>>, key: K) {
    if let std::collections::hash_map::Entry::Occupied(mut list) = map.entry(key) {
        list.get_mut().pop();
        if list.get().is_empty() {
            list.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_finds_the_subnet_of_its_own_vpc_and_none_in_a_gap() {
        let mut t = SubnetsByAddress::default();
        t.insert(VpcId(0), cidr("10.0.0.0/24"), SubnetId(0));
        t.insert(VpcId(0), cidr("10.0.2.0/24"), SubnetId(1));
        t.insert(VpcId(1), cidr("10.0.1.0/24"), SubnetId(2));
        assert_eq!(t.lookup(VpcId(0), "10.0.0.9".parse().unwrap()), Some(SubnetId(0)));
        assert_eq!(t.lookup(VpcId(0), "10.0.1.9".parse().unwrap()), None);
        assert_eq!(t.lookup(VpcId(1), "10.0.1.9".parse().unwrap()), Some(SubnetId(2)));
        assert_eq!(t.lookup(VpcId(1), "10.0.0.9".parse().unwrap()), None);
        t.remove(VpcId(0), cidr("10.0.2.0/24"), SubnetId(1));
        assert_eq!(t.lookup(VpcId(0), "10.0.2.9".parse().unwrap()), None);
    }

    #[test]
    fn a_rolled_back_transaction_leaves_the_subnet_table_as_it_was() {
        let mut t = SubnetsByAddress::default();
        t.insert(VpcId(0), cidr("10.0.0.0/24"), SubnetId(0));
        t.insert(VpcId(0), cidr("10.0.4.0/24"), SubnetId(1));
        let before = format!("{t:?}");
        t.begin();
        t.remove(VpcId(0), cidr("10.0.0.0/24"), SubnetId(0));
        t.insert(VpcId(0), cidr("10.0.0.0/24"), SubnetId(2));
        t.insert(VpcId(0), cidr("10.0.2.0/24"), SubnetId(3));
        t.insert(VpcId(7), cidr("10.0.2.0/24"), SubnetId(4));
        assert_eq!(t.lookup(VpcId(0), "10.0.0.9".parse().unwrap()), Some(SubnetId(2)));
        t.rollback();
        assert_eq!(format!("{t:?}"), before);
        assert_eq!(t.lookup(VpcId(0), "10.0.0.9".parse().unwrap()), Some(SubnetId(0)));
        assert_eq!(t.lookup(VpcId(0), "10.0.2.9".parse().unwrap()), None);
        assert_eq!(t.lookup(VpcId(7), "10.0.2.9".parse().unwrap()), None);
    }
}
