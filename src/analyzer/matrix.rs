//! The reachability matrix: sources x destinations x probes, computed once per pair of
//! classes ([`super::classes`]) and read per cell. A pair whose flows a load balancer
//! places by flow hash (L5) depends on each source's address, so such a pair keeps one
//! verdict per source of its class.

use std::collections::BTreeMap;

use crate::world::World;

use super::cell::{self, Verdict};
use super::classes::{source_key, target_key, AddressBlocks, Partition};
use super::probe::Probe;
use super::select::{Source, Target};

/// Verdicts of every source, destination and probe, stored per class pair.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    verdicts: Vec<Verdict>,
    /// Pairs a flow hash decided: one verdict per member of the source class, in member order.
    per_source: BTreeMap<(u32, u32, u16), Vec<Verdict>>,
}

impl Matrix {
    /// The matrix of `sources` x `targets` x `probes` in `w`.
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
        let blocks = AddressBlocks::of(w);
        let source_classes = Partition::by_key(sources.iter().map(|s| source_key(w, &blocks, *s)));
        let target_classes = Partition::by_key(targets.iter().map(|t| target_key(w, &blocks, *t)));
        let cells = source_classes.len() * target_classes.len() * probes.len();
        let mut m = Matrix {
            sources,
            targets,
            probes,
            source_classes,
            target_classes,
            verdicts: Vec::with_capacity(cells),
            per_source: BTreeMap::new(),
        };
        for sc in 0..m.source_classes.len() as u32 {
            for tc in 0..m.target_classes.len() as u32 {
                for p in 0..m.probes.len() as u16 {
                    let v = m.evaluate_pair(w, sc, tc, p);
                    m.verdicts.push(v);
                }
            }
        }
        m
    }

    /// The representatives' verdict of a class pair; records per-source verdicts when hashed.
    fn evaluate_pair(&mut self, w: &World, sc: u32, tc: u32, p: u16) -> Verdict {
        let members = &self.source_classes.members[sc as usize];
        let t = self.targets[self.target_classes.members[tc as usize][0] as usize];
        let probe = self.probes[p as usize];
        let first = cell::evaluate(w, self.sources[members[0] as usize], t, probe);
        if first.hashed && members.len() > 1 {
            let each = members
                .iter()
                .map(|&s| cell::evaluate(w, self.sources[s as usize], t, probe).verdict)
                .collect();
            self.per_source.insert((sc, tc, p), each);
        }
        first.verdict
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

    /// Whether a class pair's verdicts differ by source (a flow hash decided them).
    pub fn varies_by_source(&self, sc: u32, tc: u32, p: usize) -> bool {
        self.per_source.contains_key(&(sc, tc, p as u16))
    }

    /// The bytes the matrix holds on the heap (counted from its capacities).
    pub fn heap_bytes(&self) -> usize {
        let v = std::mem::size_of::<Verdict>();
        let classes = |p: &Partition| {
            p.class_of.len() * 4 + p.members.iter().map(|m| m.capacity() * 4 + 24).sum::<usize>()
        };
        self.verdicts.capacity() * v
            + self.per_source.values().map(|x| x.capacity() * v + 64).sum::<usize>()
            + classes(&self.source_classes)
            + classes(&self.target_classes)
            + self.sources.capacity() * std::mem::size_of::<Source>()
            + self.targets.capacity() * std::mem::size_of::<Target>()
    }
}
