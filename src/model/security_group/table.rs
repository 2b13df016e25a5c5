//! A group's rules of one direction compiled by port and peer: for each
//! protocol the port space is cut into intervals on which the set of admitting
//! rules is constant, stored as a bit set (rule `i` is bit `i`). A first-level
//! table on the port's high byte answers most ports with one load; the few mixed
//! buckets search their intervals. The address space is cut the same way by the
//! rules' CIDR peers, indexed on the address's top byte. A packet's answer is the
//! lowest bit of (rules admitting its port) AND (rules whose peer holds its remote
//! address, or whose peer is a group): the bit-vector scheme of packet
//! classifiers, two lookups and an AND per group, whatever the rule count. Built by
//! asking [`SgRule::admits`] and `Cidr::contains` themselves at every interval
//! start, so it cannot disagree with the scan it replaces.

use std::net::Ipv4Addr;

use crate::addr::Protocol;

use super::{Peer, SgRule};

/// Rules one table can hold (one bit each; the top bit tags a mixed bucket).
pub(super) const MAX_RULES: usize = 63;

/// A bucket whose ports are not all admitted by the same rules.
const MIXED: u64 = 1 << 63;

const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];

/// The compiled rules of one direction.
#[derive(Clone, Debug)]
pub(super) struct RuleTable {
    /// Per protocol and port high byte: the admitting rules, or [`MIXED`].
    buckets: [[u64; 256]; 3],
    /// The rules whose peer is a group (checked against membership by the caller).
    group_peers: u64,
    /// Per protocol: the intervals mixed buckets search.
    intervals: [Intervals; 3],
    /// The rules whose CIDR peer holds an address.
    peers: Peers,
}

/// Address intervals on which the set of rules whose CIDR peer holds them is constant.
#[derive(Clone, Debug)]
struct Peers {
    /// Per top byte: the rules holding every address of the /8, or [`MIXED`].
    buckets: [u64; 256],
    /// Per top byte: the interval holding the /8's first address; entry 256 is the last.
    first: [u8; 257],
    /// Interval starts, ascending; `starts[0] == 0`.
    starts: Box<[u32]>,
    /// The rules holding each interval.
    masks: Box<[u64]>,
}

/// One protocol's port intervals.
#[derive(Clone, Debug)]
struct Intervals {
    /// For high byte `b`: the interval holding port `b << 8`; entry 256 is the last interval.
    first: [u8; 257],
    /// Interval starts, ascending; `starts[0] == 0`.
    starts: Box<[u16]>,
    /// The rules admitting each interval.
    masks: Box<[u64]>,
}

#[inline]
fn protocol_index(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Tcp => 0,
        Protocol::Udp => 1,
        Protocol::Icmp => 2,
    }
}

impl RuleTable {
    /// Compile at most [`MAX_RULES`] rules.
    pub(super) fn build(rules: &[SgRule]) -> RuleTable {
        debug_assert!(rules.len() <= MAX_RULES);
        let intervals = PROTOCOLS.map(|p| Intervals::build(rules, p));
        let buckets = [0, 1, 2].map(|i| intervals[i].buckets());
        let mut group_peers = 0;
        for (i, r) in rules.iter().enumerate() {
            if !matches!(r.peer, Peer::Cidr(_)) {
                group_peers |= 1 << i;
            }
        }
        RuleTable { buckets, group_peers, intervals, peers: Peers::build(rules) }
    }

    /// The first rule, in order, admitting `protocol` and `port` whose peer holds `remote`
    /// (CIDR peers here; group and prefix-list peers by `indirect_holds`).
    #[inline]
    pub(super) fn first_match(
        &self,
        rules: &[SgRule],
        protocol: Protocol,
        port: u16,
        remote: Ipv4Addr,
        mut indirect_holds: impl FnMut(&Peer) -> bool,
    ) -> Option<usize> {
        let admitting = self.candidates(protocol, port);
        if admitting == 0 {
            return None;
        }
        let mut hits = admitting & (self.peers.holding(u32::from(remote)) | self.group_peers);
        while hits != 0 {
            let i = hits.trailing_zeros() as usize;
            if self.group_peers & (1 << i) == 0 {
                return Some(i);
            }
            if indirect_holds(&rules[i].peer) {
                return Some(i);
            }
            hits &= hits - 1;
        }
        None
    }

    /// The rules admitting `protocol` and `port`, as a bit set in rule order.
    #[inline]
    fn candidates(&self, protocol: Protocol, port: u16) -> u64 {
        let p = protocol_index(protocol);
        let b = usize::from(port >> 8);
        let mask = self.buckets[p][b];
        if mask != MIXED {
            return mask;
        }
        self.intervals[p].candidates(b, port)
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<RuleTable>()
            + self.intervals.iter().map(|t| t.starts.len() * 2 + t.masks.len() * 8).sum::<usize>()
            + self.peers.starts.len() * 4
            + self.peers.masks.len() * 8
    }
}

impl Intervals {
    fn build(rules: &[SgRule], protocol: Protocol) -> Intervals {
        let mut points = vec![0u16];
        for r in rules {
            points.push(r.ports.from);
            if let Some(after) = r.ports.to.checked_add(1) {
                points.push(after);
            }
        }
        points.sort_unstable();
        points.dedup();
        let mut starts: Vec<u16> = Vec::new();
        let mut masks: Vec<u64> = Vec::new();
        for p in points {
            let admitting = rules.iter().enumerate().filter(|(_, r)| r.admits(protocol, p));
            let mask = admitting.fold(0, |m, (i, _)| m | 1 << i);
            if masks.last() != Some(&mask) {
                starts.push(p);
                masks.push(mask);
            }
        }
        let mut first = [0u8; 257];
        let mut i = 0;
        for (b, slot) in first.iter_mut().enumerate().take(256) {
            let at = (b as u16) << 8;
            while i + 1 < starts.len() && starts[i + 1] <= at {
                i += 1;
            }
            *slot = i as u8;
        }
        first[256] = (starts.len() - 1) as u8;
        Intervals { first, starts: starts.into(), masks: masks.into() }
    }

    /// Per high byte: the bucket's rules when one interval spans it, else [`MIXED`].
    fn buckets(&self) -> [u64; 256] {
        let mut out = [MIXED; 256];
        for (b, slot) in out.iter_mut().enumerate() {
            let lo = usize::from(self.first[b]);
            let next = self.starts.get(lo + 1).map_or(u32::MAX, |&s| u32::from(s));
            if next > ((b as u32) << 8 | 0xff) {
                *slot = self.masks[lo];
            }
        }
        out
    }

    #[inline]
    fn candidates(&self, b: usize, port: u16) -> u64 {
        let lo = usize::from(self.first[b]);
        let hi = usize::from(self.first[b + 1]);
        self.masks[lo + self.starts[lo + 1..=hi].partition_point(|&s| s <= port)]
    }
}

impl Peers {
    fn build(rules: &[SgRule]) -> Peers {
        let cidrs = rules.iter().filter_map(|r| match r.peer {
            Peer::Cidr(c) => Some(c),
            _ => None,
        });
        let mut points = vec![0u32];
        for c in cidrs {
            points.push(c.base());
            if let Some(after) = u32::from(c.last()).checked_add(1) {
                points.push(after);
            }
        }
        points.sort_unstable();
        points.dedup();
        let mut starts: Vec<u32> = Vec::new();
        let mut masks: Vec<u64> = Vec::new();
        for p in points {
            let holding = rules
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r.peer, Peer::Cidr(c) if c.contains_u32(p)));
            let mask = holding.fold(0, |m, (i, _)| m | 1 << i);
            if masks.last() != Some(&mask) {
                starts.push(p);
                masks.push(mask);
            }
        }
        let mut first = [0u8; 257];
        let mut buckets = [MIXED; 256];
        let mut i = 0;
        for b in 0..256 {
            let at = (b as u32) << 24;
            while i + 1 < starts.len() && starts[i + 1] <= at {
                i += 1;
            }
            first[b] = i as u8;
            if starts.get(i + 1).is_none_or(|&next| next > at | 0x00ff_ffff) {
                buckets[b] = masks[i];
            }
        }
        first[256] = (starts.len() - 1) as u8;
        Peers { buckets, first, starts: starts.into(), masks: masks.into() }
    }

    /// The rules whose CIDR peer holds `addr`.
    #[inline]
    fn holding(&self, addr: u32) -> u64 {
        let b = (addr >> 24) as usize;
        let mask = self.buckets[b];
        if mask != MIXED {
            return mask;
        }
        let lo = usize::from(self.first[b]);
        let hi = usize::from(self.first[b + 1]);
        self.masks[lo + self.starts[lo + 1..=hi].partition_point(|&s| s <= addr)]
    }
}
