//! Incremental recompute: after a change to a world, a [`Matrix`] walks again only the
//! class pairs the change could have touched, and its cells then equal those of a
//! matrix computed from scratch (a property test in `tests/reach.rs` checks it).
//!
//! The design, VPC by VPC:
//!
//! - A change is named by the resources it created, modified or deleted ([`Changes`]),
//!   each standing for the VPC (or VPCs) whose state it is part of: a security group, a
//!   route table, a NACL, a subnet, an interface, an instance, a load balancer, a target
//!   group, an endpoint, a NAT gateway belong to their VPC; a peering connection to both
//!   of its VPCs; an endpoint service to its load balancers' VPCs and its endpoints';
//!   an Elastic IP or an internet gateway to the VPC it is attached to (name it before
//!   detaching). A managed prefix list, shared by any VPC, stands for every VPC.
//! - A walk reads the state of the VPCs it enters, and names a component of each at a
//!   hop ([`super::cell::Beyond`] notes those other than its two ends' own). So a flow
//!   whose walk entered no changed VPC walks the same way after the change, and keeps
//!   its verdict.
//! - A class pair is walked again when its source's or its destination's VPC changed,
//!   or when some changed VPC is among those the walks of its row entered and among those
//!   the walks of its column entered (a superset of the pairs whose own walks entered it:
//!   a pair's walk that entered a VPC adds it to both its row's and its column's lists).
//! - Classes follow the keys of [`super::classes`]. Keys are read again for the sources
//!   and destinations in changed VPCs, and for those whose addresses a block added or
//!   removed by the change holds (every key when the interfaces routes send traffic to
//!   changed, or the lists of sources and destinations did). When no key changed, the
//!   verdicts are rewritten in place; else the classes are rebuilt as a full computation
//!   numbers them, and each untouched pair's verdicts are carried over member by member.
//!
//! The cost is the walks of the pairs touched (one VPC's row and column of classes, and
//! the pairs through it), plus a pass over the sources, destinations and rules of the
//! world to read its blocks.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::ids::VpcId;
use crate::world::{Handle, World};

use super::cell::Beyond;
use super::classes::{source_key, target_key, AddressBlocks, SourceKey, TargetKey};
use super::matrix::{Matrix, RowCells};
use super::select::{Source, Target};

/// What changed in a world since a matrix was computed: the VPCs whose state changed, or
/// everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    vpcs: BTreeSet<VpcId>,
    everything: bool,
}

impl Changes {
    /// No change yet.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Everything may have changed: the next update computes the matrix from scratch.
    pub fn everything() -> Changes {
        Changes { vpcs: BTreeSet::new(), everything: true }
    }

    /// A change to VPC `v` itself or to anything in it.
    pub fn vpc(&mut self, v: VpcId) -> &mut Changes {
        self.vpcs.insert(v);
        self
    }

    /// A change to the resource `h` (created, modified or deleted), read in `w`: the VPCs
    /// it is part of. An Elastic IP or internet gateway attached to nothing, and a managed
    /// prefix list, stand for everything; network insights resources for nothing.
    ///
    /// ```
    /// use vpcsim::analyzer::update::Changes;
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::world::Handle;
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let (sg, _) = w.sgs().live().next().unwrap();
    /// let mut changes = Changes::new();
    /// changes.resource(w, Handle::Sg(sg));
    /// assert_eq!(changes.vpcs().collect::<Vec<_>>(), vec![w[sg].vpc]);
    /// ```
    pub fn resource(&mut self, w: &World, h: Handle) -> &mut Changes {
        match h {
            Handle::Vpc(v) => self.vpc(v),
            Handle::Subnet(s) => self.vpc(w[s].vpc),
            Handle::RouteTable(r) => self.vpc(w[r].vpc),
            Handle::Sg(g) => self.vpc(w[g].vpc),
            Handle::Nacl(n) => self.vpc(w[n].vpc),
            Handle::Eni(e) => self.vpc(w[e].vpc),
            Handle::Instance(i) => self.vpc(w[w[i].eni].vpc),
            Handle::Lb(lb) => self.vpc(w[lb].vpc),
            Handle::Listener(l) => self.vpc(w[w[l].lb].vpc),
            Handle::TargetGroup(tg) => self.vpc(w[tg].vpc),
            Handle::Endpoint(ep) => self.vpc(w[ep].vpc),
            Handle::NatGateway(n) => self.vpc(w[n].vpc),
            Handle::GatewayEndpoint(g) => self.vpc(w[g].vpc),
            Handle::Peering(p) => self.vpc(w[p].requester).vpc(w[p].accepter),
            Handle::Igw(i) => match w[i].attached {
                Some(v) => self.vpc(v),
                None => self.all(),
            },
            Handle::Eip(e) => match w[e].eni {
                Some(eni) => self.vpc(w[eni].vpc),
                None => self.all(),
            },
            Handle::Service(s) => {
                let providers = w[s].nlbs.iter().map(|lb| w[*lb].vpc);
                let consumers =
                    w.endpoints().iter().filter(|(_, e)| e.service.provider() == Some(s)).map(|(_, e)| e.vpc);
                self.vpcs.extend(providers.chain(consumers));
                self
            }
            Handle::PrefixList(_) => self.all(),
            // A private hosted zone changes what names its VPCs resolve (Z1).
            Handle::HostedZone(z) => {
                self.vpcs.extend(w[z].vpcs.iter().copied());
                self
            }
            // A group launches and terminates instances in its subnets' VPC.
            Handle::AutoScalingGroup(g) => match w[g].subnets.first() {
                Some(s) => self.vpc(w[*s].vpc),
                None => self,
            },
            // A launch template changes no flow until a group or run-instances uses it.
            Handle::LaunchTemplate(_) => self,
            // A connection notification changes no flow (its SNS topic is not modelled).
            Handle::ConnectionNotification(_) => self,
            // A flow log records flows; it changes none (F1).
            Handle::FlowLog(_) | Handle::LogGroup(_) => self,
            // Network insights paths, analyses and scopes change no flow.
            Handle::InsightsPath(_)
            | Handle::InsightsAnalysis(_)
            | Handle::AccessScope(_)
            | Handle::AccessScopeAnalysis(_) => self,
        }
    }

    fn all(&mut self) -> &mut Changes {
        self.everything = true;
        self
    }

    /// The VPCs named (empty when [`Changes::is_everything`]).
    pub fn vpcs(&self) -> impl Iterator<Item = VpcId> + '_ {
        self.vpcs.iter().copied()
    }

    /// Whether the change stands for everything.
    pub fn is_everything(&self) -> bool {
        self.everything
    }

    fn has(&self, v: Option<VpcId>) -> bool {
        v.is_some_and(|v| self.vpcs.contains(&v))
    }

    /// Whether walks that entered `b` could have entered a changed VPC.
    fn meets(&self, b: &Beyond) -> bool {
        match b.vpcs() {
            None => true,
            Some(mut vpcs) => vpcs.any(|v| self.vpcs.contains(&v)),
        }
    }
}

/// What an update did, for tests and benchmarks that count work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Updated {
    /// Class pairs walked again (each for every probe).
    pub pairs_walked: usize,
    /// Class pairs whose verdicts were kept.
    pub pairs_kept: usize,
    /// Whether the classes were rebuilt (some key changed), or computed from scratch.
    pub reclassified: bool,
}

impl Matrix {
    /// Brings the matrix up to date with `w` after `changes`, for the sources and
    /// destinations `sources` and `targets` (chosen again by the caller, as for
    /// [`Matrix::compute`]; the probes stay). Walks only the class pairs the change could
    /// have touched (see the [module](self) doc); the cells then equal a full computation's.
    ///
    /// ```
    /// use vpcsim::analyzer::{matrix::Matrix, probe::DEFAULT_PROBES, select, update::Changes};
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::ops::security::Permission;
    /// use vpcsim::world::Handle;
    ///
    /// let mut lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let mut m = Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
    /// let (sg, _) = w.sgs().live().next().unwrap();
    /// lab.world.authorize_security_group(sg, vpcsim::trace::Direction::Ingress, &[Permission::tcp(5432, "0.0.0.0/0".parse().unwrap())]).unwrap();
    /// let w = &lab.world;
    /// m.update(w, select::sources(w, &[]), select::targets(w, &[]), Changes::new().resource(w, Handle::Sg(sg)));
    /// let full = Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
    /// assert!(m.same_verdicts(&full));
    /// ```
    pub fn update(
        &mut self,
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        changes: &Changes,
    ) -> Updated {
        if changes.everything {
            let probes = std::mem::take(&mut self.probes);
            *self = Matrix::compute_parallel(w, sources, targets, probes);
            let pairs = self.source_classes.len() * self.target_classes.len();
            return Updated { pairs_walked: pairs, pairs_kept: 0, reclassified: true };
        }
        let blocks = AddressBlocks::of(w);
        let same_lists = sources == self.sources && targets == self.targets;
        if same_lists && blocks.same_routed_to(&self.blocks) {
            let (s, t) = self.keys_read_again(w, &blocks, changes);
            let unchanged = s.iter().all(|(i, k)| self.source_keys[*i] == *k)
                && t.iter().all(|(i, k)| self.target_keys[*i] == *k);
            if unchanged {
                self.blocks = blocks;
                return self.update_in_place(w, changes);
            }
            let mut source_keys = self.source_keys.clone();
            let mut target_keys = self.target_keys.clone();
            s.into_iter().for_each(|(i, k)| source_keys[i] = k);
            t.into_iter().for_each(|(i, k)| target_keys[i] = k);
            return self.reclassify(w, sources, targets, source_keys, target_keys, blocks, changes);
        }
        let source_keys = sources.iter().map(|s| source_key(w, &blocks, *s)).collect();
        let target_keys = targets.iter().map(|t| target_key(w, &blocks, *t)).collect();
        self.reclassify(w, sources, targets, source_keys, target_keys, blocks, changes)
    }

    /// The keys that may have changed (sources and destinations in a changed VPC, or whose
    /// addresses the old and new blocks tell apart), read again.
    #[allow(clippy::type_complexity)]
    fn keys_read_again(
        &self,
        w: &World,
        blocks: &AddressBlocks,
        changes: &Changes,
    ) -> (Vec<(usize, SourceKey)>, Vec<(usize, TargetKey)>) {
        let moved = *blocks != self.blocks;
        let apart = |eni: crate::ids::EniId| {
            moved
                && (blocks.tells_apart(&self.blocks, w[eni].private_ip)
                    || w.public_ip_of(eni).is_some_and(|ip| blocks.tells_apart(&self.blocks, ip)))
        };
        let sources = self.sources.iter().enumerate().filter(|(_, s)| match **s {
            Source::Internet => false,
            Source::Instance(i) => changes.has(Some(w[w[i].eni].vpc)) || apart(w[i].eni),
            Source::LbNode(_, eni) => changes.has(Some(w[eni].vpc)) || apart(eni),
        });
        let targets = self.targets.iter().enumerate().filter(|(_, t)| match **t {
            Target::Instance(i) => changes.has(Some(w[w[i].eni].vpc)) || apart(w[i].eni),
            Target::Lb(_) | Target::Endpoint(_) => false,
        });
        (
            sources.map(|(n, s)| (n, source_key(w, blocks, *s))).collect(),
            targets.map(|(n, t)| (n, target_key(w, blocks, *t))).collect(),
        )
    }

    /// The destination classes to walk again for each source class, given which rows and
    /// columns are whole (their VPC changed) and what their walks entered.
    fn touched(&self, row_whole: &[bool], column_whole: &[bool], changes: &Changes) -> Vec<(u32, Vec<u32>)> {
        let all: Vec<u32> = (0..self.target_classes.len() as u32).collect();
        let whole_columns: Vec<u32> = all.iter().copied().filter(|&tc| column_whole[tc as usize]).collect();
        let entered_columns: Vec<u32> =
            all.iter().copied().filter(|&tc| changes.meets(&self.column_beyond[tc as usize])).collect();
        let mut out = Vec::new();
        for sc in 0..self.source_classes.len() as u32 {
            let tcs = if row_whole[sc as usize] {
                all.clone()
            } else if changes.meets(&self.row_beyond[sc as usize]) && !entered_columns.is_empty() {
                let mut tcs: Vec<u32> = whole_columns.iter().chain(&entered_columns).copied().collect();
                tcs.sort_unstable();
                tcs.dedup();
                tcs
            } else {
                whole_columns.clone()
            };
            if !tcs.is_empty() {
                out.push((sc, tcs));
            }
        }
        out
    }

    /// Walks the touched pairs again (spread over rayon's threads) and stores them.
    fn walk_again(&mut self, w: &World, jobs: Vec<(u32, Vec<u32>)>) -> usize {
        let rows: Vec<RowCells> = jobs.par_iter().map(|(sc, tcs)| self.evaluate_row(w, *sc, tcs)).collect();
        let mut walked = 0;
        for ((sc, tcs), row) in jobs.into_iter().zip(rows) {
            walked += tcs.len();
            self.store(sc, &tcs, row);
        }
        walked
    }

    /// The update when every class stays: the touched pairs' verdicts rewritten in place.
    fn update_in_place(&mut self, w: &World, changes: &Changes) -> Updated {
        let row_whole: Vec<bool> =
            (0..self.source_classes.len() as u32).map(|sc| changes.has(self.row_vpc(w, sc))).collect();
        let column_whole: Vec<bool> = (0..self.target_classes.len() as u32)
            .map(|tc| changes.has(Some(self.column_vpc(w, tc))))
            .collect();
        let jobs = self.touched(&row_whole, &column_whole, changes);
        let walked = self.walk_again(w, jobs);
        let pairs = self.source_classes.len() * self.target_classes.len();
        Updated { pairs_walked: walked, pairs_kept: pairs - walked, reclassified: false }
    }

    /// The update when some key changed: classes rebuilt from the keys, each untouched
    /// pair's verdicts carried over from the old matrix member by member, the rest walked.
    #[allow(clippy::too_many_arguments)]
    fn reclassify(
        &mut self,
        w: &World,
        sources: Vec<Source>,
        targets: Vec<Target>,
        source_keys: Vec<SourceKey>,
        target_keys: Vec<TargetKey>,
        blocks: AddressBlocks,
        changes: &Changes,
    ) -> Updated {
        let probes = self.probes.clone();
        let mut m = Matrix::with_keys(sources, targets, probes, source_keys, target_keys, blocks);
        let old_source: FxHashMap<Source, usize> =
            self.sources.iter().enumerate().map(|(n, s)| (*s, n)).collect();
        let old_target: FxHashMap<Target, usize> =
            self.targets.iter().enumerate().map(|(n, t)| (*t, n)).collect();
        // Each new class's members at their old places (none for a newcomer).
        let was_source: Vec<Vec<Option<usize>>> = m
            .source_classes
            .members
            .iter()
            .map(|ms| ms.iter().map(|&s| old_source.get(&m.sources[s as usize]).copied()).collect())
            .collect();
        let was_target: Vec<Vec<Option<usize>>> = m
            .target_classes
            .members
            .iter()
            .map(|ms| ms.iter().map(|&t| old_target.get(&m.targets[t as usize]).copied()).collect())
            .collect();
        let row_whole: Vec<bool> = (0..m.source_classes.len())
            .map(|sc| changes.has(m.row_vpc(w, sc as u32)) || was_source[sc].contains(&None))
            .collect();
        let column_whole: Vec<bool> = (0..m.target_classes.len())
            .map(|tc| changes.has(Some(m.column_vpc(w, tc as u32))) || was_target[tc].contains(&None))
            .collect();
        let beyond = |was: &[Option<usize>], class_of: &[u32], old: &[Beyond]| {
            was.iter().flatten().fold(Beyond::default(), |b, &n| b.union(old[class_of[n] as usize]))
        };
        m.row_beyond = was_source
            .iter()
            .map(|was| beyond(was, &self.source_classes.class_of, &self.row_beyond))
            .collect();
        m.column_beyond = was_target
            .iter()
            .map(|was| beyond(was, &self.target_classes.class_of, &self.column_beyond))
            .collect();
        let jobs = m.touched(&row_whole, &column_whole, changes);
        m.carry_over(self, &jobs, &was_source, &was_target);
        let walked = m.walk_again(w, jobs);
        let pairs = m.source_classes.len() * m.target_classes.len();
        *self = m;
        Updated { pairs_walked: walked, pairs_kept: pairs - walked, reclassified: true }
    }

    /// Copies every pair `jobs` does not walk again from `old`: the old verdict of the
    /// representatives, and per member when the old pair was decided by a flow hash.
    fn carry_over(
        &mut self,
        old: &Matrix,
        jobs: &[(u32, Vec<u32>)],
        was_source: &[Vec<Option<usize>>],
        was_target: &[Vec<Option<usize>>],
    ) {
        let (width, probes) = (self.target_classes.len(), self.probes.len());
        let mut next_job = jobs.iter().peekable();
        for (sc, members) in was_source.iter().enumerate() {
            let walked: &[u32] = match next_job.peek() {
                Some((j, tcs)) if *j as usize == sc => {
                    next_job.next();
                    tcs
                }
                _ => &[],
            };
            let Some(Some(rep)) = members.first().copied() else { continue };
            let osc = old.source_classes.class_of[rep];
            for (tc, targets) in was_target.iter().enumerate() {
                if walked.binary_search(&(tc as u32)).is_ok() {
                    continue;
                }
                let Some(Some(t)) = targets.first().copied() else { continue };
                let otc = old.target_classes.class_of[t];
                for p in 0..probes {
                    let at = (sc * width + tc) * probes + p;
                    if !old.per_source.contains_key(&(osc, otc, p as u16)) {
                        self.verdicts[at] = old.class_verdict(osc, otc, p);
                        continue;
                    }
                    let each: Vec<_> = members.iter().flatten().map(|&s| old.verdict(s, t, p)).collect();
                    self.verdicts[at] = each[0];
                    self.per_source.insert((sc as u32, tc as u32, p as u16), each);
                }
            }
        }
    }
}
