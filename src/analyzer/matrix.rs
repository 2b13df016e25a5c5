//! The reachability matrix: sources x destinations x probes, computed once per pair of
//! classes ([`super::classes`]) and read per cell. A pair whose flows a load balancer
//! places by flow hash (L5) depends on each source's address, so such a pair keeps one
//! verdict per source of its class.
//!
//! The matrix also keeps what [`super::update`] needs to recompute only what a change
//! touched: each class's key, the blocks the keys were read against, and per class the
//! VPCs its walks entered beyond their two ends' own and the rule tables they read
//! ([`super::reads`]).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::ids::VpcId;
use crate::world::World;

use super::cell::{self, Beyond, Verdict};
use super::classes::{source_key, target_key, AddressBlocks, Partition, SourceKey, TargetKey};
use super::probe::Probe;
use super::reads::{Kept, Reads};
use super::select::{Source, Target};

/// Verdicts of every source, destination and probe, stored per class pair.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// The sources, in order.
    pub sources: Vec<Source>,
    /// The destinations, in order.
    pub targets: Vec<Target>,
    /// The probes, in order.
    pub probes: Vec<Probe>,
    /// Source classes.
    pub source_classes: Partition,
    /// Destination classes.
    pub target_classes: Partition,
    /// `verdicts[(sc * target classes + tc) * probes + p]`: the representatives' verdict.
    pub(super) verdicts: Vec<Verdict>,
    /// Pairs a flow hash decided (even for a class of one): one verdict per member of the
    /// source class, in member order (looked up, never listed in its order).
    pub(super) per_source: FxHashMap<(u32, u32, u16), Vec<Verdict>>,
    /// The class key of each source and destination, and the blocks they were read against.
    pub(super) source_keys: Vec<SourceKey>,
    pub(super) target_keys: Vec<TargetKey>,
    pub(super) blocks: AddressBlocks,
    /// Per source class, the VPCs its walks entered beyond their ends' (a superset).
    pub(super) row_beyond: Vec<Beyond>,
    /// Per destination class, the same.
    pub(super) column_beyond: Vec<Beyond>,
    /// Per source class, the rule tables its walks read ([`super::reads`]).
    pub(super) row_reads: Vec<Kept>,
    /// Per destination class, the same.
    pub(super) column_reads: Vec<Kept>,
    /// Whether every read was kept: the matrix was computed to be updated and no resource
    /// index was too large to pack. Walks record their reads only while it holds.
    pub(super) reads_complete: bool,
}

/// A set of probes by index: bit `n` for probe `n`, bit 63 for every probe from 63 on.
pub(super) type ProbeMask = u64;

/// Every probe.
pub(super) const ALL_PROBES: ProbeMask = u64::MAX;

/// The bit of probe `p` in a [`ProbeMask`].
pub(super) fn probe_bit(p: usize) -> ProbeMask {
    1 << p.min(63)
}

/// The verdicts of some cells of one source class: what [`Matrix::evaluate_row`] returns.
pub(super) struct RowCells {
    /// For each destination class asked, in order, one verdict per probe.
    pub verdicts: Vec<Verdict>,
    /// Pairs a flow hash decided, with one verdict per member.
    pub per_source: Vec<((u32, u16), Vec<Verdict>)>,
    /// Destination classes whose walks entered VPCs beyond the ends', with those VPCs.
    pub beyond: Vec<(u32, Beyond)>,
    /// The rule tables the row's walks read that the row did not keep yet (looked for
    /// here, on the row's thread, so that [`Matrix::store`] adds only those: after a change,
    /// walks read again mostly what they read before).
    pub row_rules: Vec<u64>,
    pub row_routes: Vec<u64>,
    /// Per destination class walked, in order, the end of its reads in `column_rules`
    /// and `column_routes` (those the column did not keep yet).
    pub column_ends: Vec<(u32, u32)>,
    pub column_rules: Vec<u64>,
    pub column_routes: Vec<u64>,
    /// Whether some read could not be kept.
    pub overflow: bool,
}

impl Matrix {
    /// The matrix of `sources` x `targets` x `probes` in `w`, on this thread.
    ///
    /// ```
    /// use vpcsim::analyzer::{matrix::Matrix, probe::DEFAULT_PROBES, select};
    /// use vpcsim::lab::{Lab, LabOptions};
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let m = Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
    /// assert!(m.source_classes.len() <= m.sources.len());
    /// ```
    pub fn compute(w: &World, sources: Vec<Source>, targets: Vec<Target>, probes: Vec<Probe>) -> Matrix {
        let mut m = Matrix::classify(w, sources, targets, probes, false);
        let all: Vec<u32> = (0..m.target_classes.len() as u32).collect();
        for sc in 0..m.source_classes.len() as u32 {
            let row = m.evaluate_row(w, sc, &all, ALL_PROBES);
            m.store(sc, &all, ALL_PROBES, row);
        }
        m.settle_reads(&all);
        m
    }

    /// The same matrix, its source classes spread over rayon's threads (the current pool:
    /// `rayon::ThreadPool::install` chooses how many). Same verdicts, same order.
    ///
    /// ```
    /// use vpcsim::analyzer::{matrix::Matrix, probe::DEFAULT_PROBES, select};
    /// use vpcsim::lab::{Lab, LabOptions};
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let (s, t) = (select::sources(w, &[]), select::targets(w, &[]));
    /// let one = Matrix::compute(w, s.clone(), t.clone(), DEFAULT_PROBES.to_vec());
    /// let many = Matrix::compute_parallel(w, s, t, DEFAULT_PROBES.to_vec());
    /// assert!(one.same_verdicts(&many));
    /// ```
    pub fn compute_parallel(
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        probes: Vec<Probe>,
    ) -> Matrix {
        Matrix::compute_spread(w, sources, targets, probes, false)
    }

    /// The same matrix (on rayon's threads), keeping what its walks read
    /// ([`super::reads`]) so that [`Matrix::update`] walks again only the cells a rule, NACL
    /// entry or route change touched; a matrix computed otherwise is updated at the grain
    /// of the VPC. Keeping them costs memory and time while computing.
    ///
    /// ```
    /// use vpcsim::analyzer::{matrix::Matrix, probe::DEFAULT_PROBES, select};
    /// use vpcsim::lab::{Lab, LabOptions};
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let (s, t) = (select::sources(w, &[]), select::targets(w, &[]));
    /// let plain = Matrix::compute(w, s.clone(), t.clone(), DEFAULT_PROBES.to_vec());
    /// let kept = Matrix::compute_updatable(w, s, t, DEFAULT_PROBES.to_vec());
    /// assert!(plain.same_verdicts(&kept));
    /// assert!(kept.heap_bytes() > plain.heap_bytes());
    /// ```
    pub fn compute_updatable(
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        probes: Vec<Probe>,
    ) -> Matrix {
        Matrix::compute_spread(w, sources, targets, probes, true)
    }

    /// The matrix on rayon's threads, keeping its walks' reads when `recording`.
    fn compute_spread(
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        probes: Vec<Probe>,
        recording: bool,
    ) -> Matrix {
        let mut m = Matrix::classify(w, sources, targets, probes, recording);
        let all: Vec<u32> = (0..m.target_classes.len() as u32).collect();
        let rows: Vec<RowCells> = (0..m.source_classes.len() as u32)
            .into_par_iter()
            .map(|sc| m.evaluate_row(w, sc, &all, ALL_PROBES))
            .collect();
        for (sc, row) in rows.into_iter().enumerate() {
            m.store(sc as u32, &all, ALL_PROBES, row);
        }
        m.settle_reads(&all);
        m
    }

    /// The classes of `sources` and `targets`, with every verdict still to compute.
    fn classify(
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        probes: Vec<Probe>,
        recording: bool,
    ) -> Matrix {
        let blocks = AddressBlocks::of(w);
        let source_keys: Vec<SourceKey> = sources.iter().map(|s| source_key(w, &blocks, *s)).collect();
        let target_keys: Vec<TargetKey> = targets.iter().map(|t| target_key(w, &blocks, *t)).collect();
        let mut m = Matrix::with_keys(sources, targets, probes, source_keys, target_keys, blocks);
        m.reads_complete = recording;
        m
    }

    /// A matrix whose classes follow `source_keys` and `target_keys`, every verdict still
    /// to compute (`NoAddress` until stored).
    pub(super) fn with_keys(
        sources: Vec<Source>,
        targets: Vec<Target>,
        probes: Vec<Probe>,
        source_keys: Vec<SourceKey>,
        target_keys: Vec<TargetKey>,
        blocks: AddressBlocks,
    ) -> Matrix {
        let source_classes = Partition::by_key(source_keys.iter());
        let target_classes = Partition::by_key(target_keys.iter());
        let cells = source_classes.len() * target_classes.len() * probes.len();
        Matrix {
            row_beyond: vec![Beyond::default(); source_classes.len()],
            column_beyond: vec![Beyond::default(); target_classes.len()],
            row_reads: vec![Kept::default(); source_classes.len()],
            column_reads: vec![Kept::default(); target_classes.len()],
            reads_complete: true,
            sources,
            targets,
            probes,
            source_classes,
            target_classes,
            verdicts: vec![Verdict::NoAddress; cells],
            per_source: FxHashMap::default(),
            source_keys,
            target_keys,
            blocks,
        }
    }

    /// Walks source class `sc` against the destination classes `tcs`, the probes of `mask`
    /// (the others' verdicts are left out of the row: [`Matrix::store`] keeps theirs).
    pub(super) fn evaluate_row(&self, w: &World, sc: u32, tcs: &[u32], mask: ProbeMask) -> RowCells {
        let walked: Vec<usize> = (0..self.probes.len()).filter(|&p| mask & probe_bit(p) != 0).collect();
        let mut out = RowCells {
            verdicts: Vec::with_capacity(tcs.len() * walked.len()),
            per_source: Vec::new(),
            beyond: Vec::new(),
            row_rules: Vec::new(),
            row_routes: Vec::new(),
            column_ends: Vec::with_capacity(tcs.len()),
            column_rules: Vec::new(),
            column_routes: Vec::new(),
            overflow: false,
        };
        let members = &self.source_classes.members[sc as usize];
        let mut reads = Reads::default();
        for &tc in tcs {
            let t = self.targets[self.target_classes.members[tc as usize][0] as usize];
            let mut beyond = Beyond::default();
            reads.pair_rules.clear();
            reads.pair_routes.clear();
            for &p in &walked {
                let probe = self.probes[p];
                reads.probe = p as u32;
                let recording = self.reads_complete;
                let mut walk = |s: Source| {
                    if !recording {
                        return cell::evaluate(w, s, t, probe);
                    }
                    (reads.source_eni, reads.source_acl) = cell::source_interface(w, s);
                    reads.away_from = cell::source_vpc(w, s).filter(|&v| Some(v) != cell::target_vpc(w, t));
                    cell::evaluate_noting(w, s, t, probe, Some(&mut reads))
                };
                let first = walk(self.sources[members[0] as usize]);
                beyond = beyond.union(first.beyond);
                if first.hashed {
                    let each = members[1..].iter().map(|&s| {
                        let e = walk(self.sources[s as usize]);
                        beyond = beyond.union(e.beyond);
                        e.verdict
                    });
                    out.per_source
                        .push(((tc, p as u16), std::iter::once(first.verdict).chain(each).collect()));
                }
                out.verdicts.push(first.verdict);
            }
            if beyond != Beyond::default() {
                out.beyond.push((tc, beyond));
            }
            reads.finish_pair();
            let kept = &self.column_reads[tc as usize];
            kept.retain_new_rules(&mut reads.pair_rules);
            kept.retain_new_routes(&mut reads.pair_routes);
            out.column_rules.extend_from_slice(&reads.pair_rules);
            out.column_routes.extend_from_slice(&reads.pair_routes);
            out.column_ends.push((out.column_rules.len() as u32, out.column_routes.len() as u32));
        }
        reads.finish_row();
        let kept = &self.row_reads[sc as usize];
        out.row_rules = reads.row_rules;
        kept.retain_new_rules(&mut out.row_rules);
        out.row_routes = reads.row_routes;
        kept.retain_new_routes(&mut out.row_routes);
        out.overflow = reads.overflow;
        out
    }

    /// Writes the cells of source class `sc` against `tcs` for the probes of `mask` in:
    /// their verdicts, per-source verdicts (replacing what the cells held), the VPCs their
    /// walks entered and the tables they read (added to what the row and the columns held;
    /// [`Matrix::settle_reads`] then sorts the columns' route reads).
    pub(super) fn store(&mut self, sc: u32, tcs: &[u32], mask: ProbeMask, row: RowCells) {
        let (width, probes) = (self.target_classes.len(), self.probes.len());
        let walked: Vec<usize> = (0..probes).filter(|&p| mask & probe_bit(p) != 0).collect();
        let had_per_source = !self.per_source.is_empty();
        for (&tc, verdicts) in tcs.iter().zip(row.verdicts.chunks_exact(walked.len().max(1))) {
            let at = (sc as usize * width + tc as usize) * probes;
            for (&p, v) in walked.iter().zip(verdicts) {
                self.verdicts[at + p] = *v;
                if had_per_source {
                    self.per_source.remove(&(sc, tc, p as u16));
                }
            }
        }
        for ((tc, p), each) in row.per_source {
            self.per_source.insert((sc, tc, p), each);
        }
        for (tc, b) in row.beyond {
            self.row_beyond[sc as usize] = self.row_beyond[sc as usize].union(b);
            self.column_beyond[tc as usize] = self.column_beyond[tc as usize].union(b);
        }
        let kept = &mut self.row_reads[sc as usize];
        kept.add_rules(&row.row_rules);
        kept.add_routes(&row.row_routes);
        kept.settle();
        let (mut rules, mut routes) = (0, 0);
        for (&tc, &(rules_end, routes_end)) in tcs.iter().zip(&row.column_ends) {
            let (rules_end, routes_end) = (rules_end as usize, routes_end as usize);
            let kept = &mut self.column_reads[tc as usize];
            kept.add_rules(&row.column_rules[rules..rules_end]);
            kept.add_routes(&row.column_routes[routes..routes_end]);
            (rules, routes) = (rules_end, routes_end);
        }
        self.reads_complete &= !row.overflow;
    }

    /// Sorts the route reads of columns `tcs` after rows were stored.
    pub(super) fn settle_reads(&mut self, tcs: &[u32]) {
        tcs.iter().for_each(|&tc| self.column_reads[tc as usize].settle());
    }

    /// The verdict of source `s`, destination `t` and probe `p` (indexes into the lists).
    pub fn verdict(&self, s: usize, t: usize, p: usize) -> Verdict {
        let sc = self.source_classes.class_of[s];
        let tc = self.target_classes.class_of[t];
        if let Some(each) = self.per_source.get(&(sc, tc, p as u16)) {
            let members = &self.source_classes.members[sc as usize];
            let at = members.iter().position(|&m| m as usize == s).unwrap_or(0);
            return each[at];
        }
        self.class_verdict(sc, tc, p)
    }

    /// The verdict of a class pair (its representatives') for probe `p`.
    pub fn class_verdict(&self, sc: u32, tc: u32, p: usize) -> Verdict {
        let at = (sc as usize * self.target_classes.len() + tc as usize) * self.probes.len() + p;
        self.verdicts[at]
    }

    /// Whether class pair (`sc`, `tc`) stands only for a source and destination with no
    /// path between them, such as an instance's flow to itself, which never leaves the
    /// instance ([`super::access::no_path`]): its verdict is what the network would say,
    /// which `check` and `diff` leave out.
    pub fn no_path(&self, sc: u32, tc: u32) -> bool {
        let (s, t) = (&self.source_classes.members[sc as usize], &self.target_classes.members[tc as usize]);
        s.len() == 1
            && t.len() == 1
            && super::access::no_path(self.sources[s[0] as usize], self.targets[t[0] as usize])
    }

    /// Whether a class pair's verdicts may differ by source (a flow hash decided them and
    /// the class has more than one member).
    pub fn varies_by_source(&self, sc: u32, tc: u32, p: usize) -> bool {
        self.per_source.get(&(sc, tc, p as u16)).is_some_and(|each| each.len() > 1)
    }

    /// Whether both matrices ask the same question and every cell has the same verdict
    /// (classes may be numbered alike or not: cells are compared one by one).
    pub fn same_verdicts(&self, other: &Matrix) -> bool {
        self.first_difference(other).is_none()
    }

    /// The first cell `(source, destination, probe)` whose verdict differs, or where the
    /// two matrices' sources, destinations or probes differ, `(0, 0, 0)`.
    pub fn first_difference(&self, other: &Matrix) -> Option<(usize, usize, usize)> {
        if self.sources != other.sources || self.targets != other.targets || self.probes != other.probes {
            return Some((0, 0, 0));
        }
        let (s, t, p) = (self.sources.len(), self.targets.len(), self.probes.len());
        (0..s)
            .flat_map(|si| (0..t).flat_map(move |ti| (0..p).map(move |pi| (si, ti, pi))))
            .find(|&(si, ti, pi)| self.verdict(si, ti, pi) != other.verdict(si, ti, pi))
    }

    /// The VPC of source class `sc` (none for the internet).
    pub(super) fn row_vpc(&self, w: &World, sc: u32) -> Option<VpcId> {
        cell::source_vpc(w, self.sources[self.source_classes.members[sc as usize][0] as usize])
    }

    /// The VPC of destination class `tc` (none for a host on the internet).
    pub(super) fn column_vpc(&self, w: &World, tc: u32) -> Option<VpcId> {
        cell::target_vpc(w, self.targets[self.target_classes.members[tc as usize][0] as usize])
    }

    /// The bytes the matrix holds on the heap (counted from its capacities; the class keys
    /// counted at their inline size plus their lists).
    pub fn heap_bytes(&self) -> usize {
        let v = std::mem::size_of::<Verdict>();
        let classes = |p: &Partition| {
            p.class_of.len() * 4 + p.members.iter().map(|m| m.capacity() * 4 + 24).sum::<usize>()
        };
        let keys = self.source_keys.iter().map(SourceKey::heap_bytes).sum::<usize>()
            + self.target_keys.iter().map(TargetKey::heap_bytes).sum::<usize>()
            + self.source_keys.capacity() * std::mem::size_of::<SourceKey>()
            + self.target_keys.capacity() * std::mem::size_of::<TargetKey>();
        self.verdicts.capacity() * v
            + self.per_source.values().map(|x| x.capacity() * v + 64).sum::<usize>()
            + classes(&self.source_classes)
            + classes(&self.target_classes)
            + self.sources.capacity() * std::mem::size_of::<Source>()
            + self.targets.capacity() * std::mem::size_of::<Target>()
            + keys
            + self.blocks.heap_bytes()
            + (self.row_beyond.capacity() + self.column_beyond.capacity()) * std::mem::size_of::<Beyond>()
            + self.row_reads.iter().chain(&self.column_reads).map(Kept::heap_bytes).sum::<usize>()
            + (self.row_reads.capacity() + self.column_reads.capacity()) * std::mem::size_of::<Kept>()
    }
}
