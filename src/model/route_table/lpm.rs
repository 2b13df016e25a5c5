//! Longest prefix match for large tables: the address space cut into disjoint
//! intervals, each owned by the longest prefix covering it (or none), with a
//! first-level index on the top bits of the address so a lookup searches only the
//! few intervals of one bucket.

use crate::addr::Cidr;

/// No route owns the interval.
const NONE: u32 = u32::MAX;

/// Disjoint intervals with a first-level index.
#[derive(Clone, Debug)]
pub(super) struct Lpm {
    /// `32 - bits` of the first-level index.
    shift: u32,
    /// For bucket `b`: the interval holding the bucket's first address; entry `2^bits` is the last interval.
    first: Box<[u32]>,
    /// Interval starts, ascending; `starts[0] == 0`.
    starts: Box<[u32]>,
    /// The position (in the longest-first route list) owning each interval, or `NONE`.
    owner: Box<[u32]>,
}

impl Lpm {
    /// Build from the destinations of a longest-first route list (distinct prefixes).
    pub(super) fn build(prefixes: impl Iterator<Item = Cidr>) -> Lpm {
        let mut sorted: Vec<(u32, u8, u32)> =
            prefixes.enumerate().map(|(i, c)| (c.base(), c.prefix_len(), i as u32)).collect();
        sorted.sort_unstable();
        let (starts, owner) = intervals(&sorted);
        let bits = (usize::BITS - starts.len().leading_zeros() + 2).clamp(8, 16);
        let shift = 32 - bits;
        let mut first = Vec::with_capacity((1 << bits) + 1);
        let mut i = 0;
        for b in 0..(1u64 << bits) {
            let at = (b << shift) as u32;
            while i + 1 < starts.len() && starts[i + 1] <= at {
                i += 1;
            }
            first.push(i as u32);
        }
        first.push(starts.len() as u32 - 1);
        Lpm { shift, first: first.into(), starts: starts.into(), owner: owner.into() }
    }

    /// The route position owning `dst`.
    #[inline]
    pub(super) fn lookup(&self, dst: u32) -> Option<usize> {
        let b = (dst >> self.shift) as usize;
        let lo = self.first[b] as usize;
        let hi = self.first[b + 1] as usize;
        let i = lo + self.starts[lo + 1..=hi].partition_point(|&s| s <= dst);
        let o = self.owner[i];
        (o != NONE).then_some(o as usize)
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        4 * (self.first.len() + self.starts.len() + self.owner.len())
    }
}

/// Sweep prefixes sorted by (base, length): a stack of the prefixes enclosing the
/// sweep point; each start or end of a prefix starts an interval owned by the stack top.
fn intervals(sorted: &[(u32, u8, u32)]) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32];
    let mut owner = vec![NONE];
    let emit = |start: u64, who: u32, starts: &mut Vec<u32>, owner: &mut Vec<u32>| {
        if start > u64::from(u32::MAX) {
            return;
        }
        let start = start as u32;
        if *starts.last().expect("never empty") == start {
            *owner.last_mut().expect("never empty") = who;
        } else if *owner.last().expect("never empty") != who {
            starts.push(start);
            owner.push(who);
        }
    };
    let mut stack: Vec<(u64, u32)> = Vec::new();
    let end = |base: u32, len: u8| u64::from(base) + (1u64 << (32 - u32::from(len)));
    for &(base, len, who) in sorted {
        while let Some(&(top_end, _)) = stack.last() {
            if top_end > u64::from(base) {
                break;
            }
            stack.pop();
            emit(top_end, stack.last().map_or(NONE, |t| t.1), &mut starts, &mut owner);
        }
        emit(u64::from(base), who, &mut starts, &mut owner);
        stack.push((end(base, len), who));
    }
    while let Some((top_end, _)) = stack.pop() {
        emit(top_end, stack.last().map_or(NONE, |t| t.1), &mut starts, &mut owner);
    }
    (starts, owner)
}
