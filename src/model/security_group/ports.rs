//! A group's rules of one direction compiled by protocol and port: for each
//! protocol the port space is cut into intervals on which the set of admitting
//! rules is constant, stored as a bit set (rule `i` is bit `i`), with a first-level
//! index on the port's high byte. Built by asking [`SgRule::admits`] itself at
//! every interval start, so it cannot disagree with the scan it replaces.

use crate::addr::Protocol;

use super::SgRule;

/// Rules one table can hold (one bit each).
pub(super) const MAX_RULES: usize = 64;

const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];

/// The compiled rules of one direction.
#[derive(Clone, Debug)]
pub(super) struct PortTable {
    by_protocol: [Intervals; 3],
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

impl PortTable {
    /// Compile at most [`MAX_RULES`] rules.
    pub(super) fn build(rules: &[SgRule]) -> PortTable {
        debug_assert!(rules.len() <= MAX_RULES);
        PortTable { by_protocol: PROTOCOLS.map(|p| Intervals::build(rules, p)) }
    }

    /// The rules admitting `protocol` and `port`, as a bit set in rule order.
    #[inline]
    pub(super) fn candidates(&self, protocol: Protocol, port: u16) -> u64 {
        let t = &self.by_protocol[match protocol {
            Protocol::Tcp => 0,
            Protocol::Udp => 1,
            Protocol::Icmp => 2,
        }];
        let b = usize::from(port >> 8);
        let lo = usize::from(t.first[b]);
        let hi = usize::from(t.first[b + 1]);
        let i = lo + t.starts[lo + 1..=hi].partition_point(|&s| s <= port);
        t.masks[i]
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        std::mem::size_of::<PortTable>()
            + self.by_protocol.iter().map(|t| t.starts.len() * 2 + t.masks.len() * 8).sum::<usize>()
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
            let mask = rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.admits(protocol, p))
                .fold(0, |m, (i, _)| m | 1 << i);
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
}
