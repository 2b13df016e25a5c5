//! Equivalence classes: sources (and destinations) that no rule of the world tells
//! apart share one verdict per probe. Two interfaces are equivalent when they have the
//! same owner kind, subnet (so the same route table and NACL), security-group set,
//! source/destination check and instance state, when the same CIDR blocks of every
//! security-group rule, NACL entry, route and subnet hold their private address, and
//! when both have no public address or the same blocks hold their public addresses.
//! The internet, each load balancer, each endpoint and each internet address is a class
//! of its own.

use std::hash::Hash;
use std::mem::Discriminant;
use std::net::Ipv4Addr;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::addr::{mask, Cidr};
use crate::ids::*;
use crate::model::eni::EniOwner;
use crate::model::instance::InstanceState;
use crate::model::route_table::RouteTarget;
use crate::model::security_group::Peer;
use crate::world::World;

use super::select::{Source, Target};

/// Every CIDR block a rule of the world names, for telling addresses apart, and the
/// interfaces routes send traffic to (each of those is a class of its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressBlocks {
    blocks: FxHashSet<(u32, u8)>,
    routed_to: FxHashSet<EniId>,
    /// Bit `n` set when some block has prefix length `n`.
    lengths: u64,
}

impl AddressBlocks {
    /// The blocks of every live security-group rule, NACL entry, route, subnet and masquerade rule.
    pub fn of(w: &World) -> AddressBlocks {
        let mut out =
            AddressBlocks { blocks: FxHashSet::default(), routed_to: FxHashSet::default(), lengths: 0 };
        for (_, sg) in w.sgs().live() {
            for r in sg.ingress.as_slice().iter().chain(sg.egress.as_slice()) {
                if let Peer::Cidr(c) = r.peer {
                    out.add(c);
                }
            }
        }
        for (_, acl) in w.nacls().live() {
            acl.ingress.iter().chain(&acl.egress).for_each(|e| out.add(e.cidr));
        }
        for (_, rt) in w.route_tables().live() {
            for r in rt.routes.iter() {
                out.add(r.destination);
                match r.target {
                    RouteTarget::Eni(e) => {
                        out.routed_to.insert(e);
                    }
                    RouteTarget::Instance(i) => {
                        out.routed_to
                            .extend(std::iter::once(w[i].eni).chain(w[i].secondary_enis.iter().copied()));
                    }
                    _ => {}
                }
            }
        }
        for (_, s) in w.subnets().live() {
            out.add(s.cidr);
        }
        // G5: a NAT instance's masquerade rules tell sources (and destinations) apart.
        for (_, i) in w.instances().iter() {
            for m in &i.forwarding.masquerade {
                m.source.into_iter().chain(m.destination).for_each(|c| out.add(c));
            }
        }
        out
    }

    /// The bytes its sets hold on the heap (about: one entry per slot).
    pub fn heap_bytes(&self) -> usize {
        self.blocks.capacity() * (std::mem::size_of::<(u32, u8)>() + 1)
            + self.routed_to.capacity() * (std::mem::size_of::<EniId>() + 1)
    }

    /// Whether `ip` lies in a block one of the two sets has and the other has not.
    pub fn tells_apart(&self, other: &AddressBlocks, ip: Ipv4Addr) -> bool {
        let ip = u32::from(ip);
        (0..=32u8)
            .filter(|len| (self.lengths | other.lengths) & (1 << len) != 0)
            .map(|len| (ip & mask(len), len))
            .any(|b| self.blocks.contains(&b) != other.blocks.contains(&b))
    }

    /// Whether the interfaces routes send traffic to are the same in both.
    pub fn same_routed_to(&self, other: &AddressBlocks) -> bool {
        self.routed_to == other.routed_to
    }

    fn add(&mut self, c: Cidr) {
        self.blocks.insert((c.base(), c.prefix_len()));
        self.lengths |= 1 << c.prefix_len();
    }

    /// The blocks that hold `ip`, shortest first: equal lists, indistinguishable addresses.
    pub fn holding(&self, ip: Ipv4Addr) -> Vec<(u32, u8)> {
        let ip = u32::from(ip);
        (0..=32u8)
            .filter(|len| self.lengths & (1 << len) != 0)
            .map(|len| (ip & mask(len), len))
            .filter(|b| self.blocks.contains(b))
            .collect()
    }
}

/// What the walk can see of an interface.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InterfaceKey {
    owner: u8,
    subnet: SubnetId,
    groups: Vec<SgId>,
    source_dest_check: bool,
    state: Option<Discriminant<InstanceState>>,
    private: Vec<(u32, u8)>,
    public: Option<Vec<(u32, u8)>>,
    /// Set (to itself) when a route sends traffic to this interface.
    routed_to: Option<EniId>,
}

impl InterfaceKey {
    /// The bytes its lists hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        let block = std::mem::size_of::<(u32, u8)>();
        self.groups.capacity() * std::mem::size_of::<SgId>()
            + self.private.capacity() * block
            + self.public.as_ref().map_or(0, |p| p.capacity() * block)
    }

    /// The key of interface `eni`.
    pub fn of(w: &World, blocks: &AddressBlocks, eni: EniId) -> InterfaceKey {
        let e = &w[eni];
        let (owner, state) = match e.owner {
            EniOwner::Instance(i) => (0, Some(std::mem::discriminant(&w[i].state))),
            EniOwner::LoadBalancer(_) => (1, None),
            EniOwner::Endpoint(_) => (2, None),
            EniOwner::Detached => (3, None),
            EniOwner::NatGateway(_) => (4, None),
        };
        // A NAT gateway's interface translates to its own address: a class of its own (G1);
        // so is an instance with several interfaces, whose key (its primary's) cannot tell
        // its other interfaces apart (M4), and an interface with secondary addresses, whose
        // key (its primary address's blocks) cannot tell them apart (M6).
        let nat = !e.secondary_ips.is_empty()
            || match e.owner {
                EniOwner::NatGateway(_) => true,
                EniOwner::Instance(i) => !w[i].secondary_enis.is_empty(),
                _ => false,
            };
        let mut groups = e.groups.clone();
        groups.sort_unstable();
        groups.dedup();
        InterfaceKey {
            owner,
            subnet: e.subnet,
            groups,
            source_dest_check: e.source_dest_check,
            state,
            private: blocks.holding(e.private_ip),
            public: w.public_ip_of(eni).map(|ip| blocks.holding(ip)),
            routed_to: (nat || blocks.routed_to.contains(&eni)).then_some(eni),
        }
    }
}

/// The class key of a source.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SourceKey {
    /// The internet.
    Internet,
    /// An instance or a node, by its interface.
    Interface(InterfaceKey),
}

/// The class key of a destination.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetKey {
    /// An instance, by its primary interface.
    Instance(InterfaceKey),
    /// A load balancer (each its own class).
    Lb(LbId),
    /// An endpoint (each its own class).
    Endpoint(EndpointId),
    /// A host on the internet (each address its own class).
    Internet(Ipv4Addr),
}

impl SourceKey {
    /// The bytes its lists hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        match self {
            SourceKey::Internet => 0,
            SourceKey::Interface(k) => k.heap_bytes(),
        }
    }
}

impl TargetKey {
    /// The bytes its lists hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        match self {
            TargetKey::Instance(k) => k.heap_bytes(),
            TargetKey::Lb(_) | TargetKey::Endpoint(_) | TargetKey::Internet(_) => 0,
        }
    }
}

/// The key of a source.
pub fn source_key(w: &World, blocks: &AddressBlocks, s: Source) -> SourceKey {
    match s {
        Source::Internet => SourceKey::Internet,
        Source::Instance(i) => SourceKey::Interface(InterfaceKey::of(w, blocks, w[i].eni)),
        Source::LbNode(_, eni) => SourceKey::Interface(InterfaceKey::of(w, blocks, eni)),
    }
}

/// The key of a destination.
pub fn target_key(w: &World, blocks: &AddressBlocks, t: Target) -> TargetKey {
    match t {
        Target::Instance(i) => TargetKey::Instance(InterfaceKey::of(w, blocks, w[i].eni)),
        Target::Lb(lb) => TargetKey::Lb(lb),
        Target::Endpoint(ep) => TargetKey::Endpoint(ep),
        Target::Internet(ip) => TargetKey::Internet(ip),
    }
}

/// Items partitioned into classes: each item's class, and each class's members in item order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partition {
    /// The class of item `n`.
    pub class_of: Vec<u32>,
    /// The members of class `n`, in item order (the first is its representative).
    pub members: Vec<Vec<u32>>,
}

impl Partition {
    /// Groups items by key, classes numbered by their first member.
    pub fn by_key<K: Hash + Eq>(keys: impl IntoIterator<Item = K>) -> Partition {
        let mut index: FxHashMap<K, u32> = FxHashMap::default();
        let mut p = Partition::default();
        for (n, key) in keys.into_iter().enumerate() {
            let next = p.members.len() as u32;
            let class = *index.entry(key).or_insert(next);
            if class == next {
                p.members.push(Vec::new());
            }
            p.members[class as usize].push(n as u32);
            p.class_of.push(class);
        }
        p
    }

    /// How many classes.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}
