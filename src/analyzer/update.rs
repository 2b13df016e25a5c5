//! Incremental recompute: after a change to a world, a [`Matrix`] walks again only the
//! class cells the change could have touched, and its cells then equal those of a
//! matrix computed from scratch (a property test in `tests/reach.rs` checks it).
//!
//! A change is named two ways ([`Changes`]):
//!
//! - **Rules, NACL entries and routes, one by one** ([`Changes::sg_rule`],
//!   [`Changes::acl_entry`], [`Changes::route`]), found by what the walks read
//!   ([`super::reads`]): a group's rule meets only the cells whose walks evaluated that
//!   group in that direction for a protocol and port the rule admits, each on the probes
//!   whose walks did (any protocol and port when the group's rules may have gone from none
//!   to some or back: that turns a mismatch into "no rules"); a NACL entry meets only the
//!   cells whose walks evaluated that NACL in that direction for a packet the entry could
//!   decide (one it matches that no lower-numbered entry for every address matches first,
//!   N1), each on the probes whose walks did; a route for a block only the cells whose
//!   walks looked up an address of the block in that table, on every probe.
//! - **Any other resource, by VPC** ([`Changes::resource`]): each stands for the VPC (or
//!   VPCs) whose state it is part of: a security group, a route table, a NACL, a subnet,
//!   an interface, an instance, a load balancer, a target group, an endpoint, a NAT
//!   gateway belong to their VPC; a peering connection to both of its VPCs; an endpoint
//!   service to its load balancers' VPCs and its endpoints'; an Elastic IP or an internet
//!   gateway to the VPC it is attached to (name it before detaching). A managed prefix
//!   list, shared by any VPC, stands for every VPC. A walk reads the state of the VPCs it
//!   enters, and names a component of each at a hop ([`super::cell::Beyond`] notes those
//!   other than its two ends' own). A class pair is walked again when its source's or its
//!   destination's VPC changed, or when some changed VPC is among those the walks of its
//!   row entered and among those the walks of its column entered.
//!
//! Classes follow the keys of [`super::classes`]. Keys are read again for the sources
//! and destinations in changed VPCs, and for those whose addresses a block added or
//! removed by the change holds (every key when the interfaces routes send traffic to
//! changed, or the lists of sources and destinations did). When no key changed, the
//! verdicts are rewritten in place; else the classes are rebuilt as a full computation
//! numbers them, and each untouched cell's verdict is carried over member by member.
//!
//! The cost is the walks of the cells touched, plus a pass over the sources,
//! destinations and rules of the world to read its blocks, and over the classes' reads.
//! After rules, entries and routes alone, the pass over the blocks runs beside the walks
//! (on rayon's threads), whose results are kept when the blocks did not change.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use crate::ids::{NaclId, RouteTableId, SgId, VpcId};
use crate::model::nacl::{AclEntry, NetworkAcl};
use crate::model::route_table::RouteTable;
use crate::model::security_group::{Peer, SecurityGroup, SgRule};
use crate::trace::Direction;
use crate::world::watch::Watched;
use crate::world::{Handle, World};

use super::cell::Beyond;
use super::classes::{source_key, target_key, AddressBlocks, SourceKey, TargetKey};
use super::matrix::{probe_bit, Matrix, ProbeMask, RowCells, ALL_PROBES};
use super::reads::Kept;
use super::select::{Source, Target};

/// What changed in a world since a matrix was computed: the VPCs whose state changed, or
/// everything, and rules, NACL entries and routes named one by one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    vpcs: BTreeSet<VpcId>,
    everything: bool,
    /// Rules, entries and routes, found by what the walks read ([`super::reads`]).
    fine: Vec<Fine>,
    /// Their VPCs, which stand for them when a matrix could not keep every read.
    fine_vpcs: BTreeSet<VpcId>,
}

/// One rule, NACL entry or route added, removed or replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fine {
    /// A rule of group `sg` in `dir`: changes only evaluations of packets it admits.
    SgRule { sg: SgId, dir: Direction, rule: SgRule },
    /// An entry of NACL `acl` in `dir`: changes only evaluations of packets it matches.
    AclEntry { acl: NaclId, dir: Direction, entry: AclEntry },
    /// A route of `table` for `block`: changes only lookups of addresses inside it (R3).
    Route { table: RouteTableId, block: Cidr },
}

impl Changes {
    /// No change yet.
    pub fn new() -> Changes {
        Changes::default()
    }

    /// Everything may have changed: the next update computes the matrix from scratch.
    pub fn everything() -> Changes {
        Changes { everything: true, ..Changes::default() }
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
            // A DHCP option set changes what names resolve in the VPCs that use it (Z2).
            Handle::DhcpOptions(d) => {
                let users = w.vpcs().live().filter(|(_, v)| v.dhcp_options == Some(d)).map(|(id, _)| id);
                self.vpcs.extend(users);
                self
            }
            // A connection notification changes no flow (its SNS topic is not modelled).
            Handle::ConnectionNotification(_) => self,
            // An egress-only internet gateway carries IPv6 only, which is not simulated (A8).
            Handle::Eigw(_) => self,
            // A flow log records flows; it changes none (F1).
            Handle::FlowLog(_) | Handle::LogGroup(_) => self,
            // Network insights paths, analyses and scopes change no flow.
            Handle::InsightsPath(_)
            | Handle::InsightsAnalysis(_)
            | Handle::AccessScope(_)
            | Handle::AccessScopeAnalysis(_) => self,
        }
    }

    /// A rule of group `sg` in `dir` for `protocol` and `ports` authorized or revoked (its
    /// peer does not matter: only packets of that protocol and port can meet it).
    ///
    /// ```
    /// use vpcsim::addr::{PortRange, Protocol, RuleProtocol};
    /// use vpcsim::analyzer::update::Changes;
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::trace::Direction;
    ///
    /// let lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let (sg, _) = w.sgs().live().next().unwrap();
    /// let tcp = RuleProtocol::One(Protocol::Tcp);
    /// let mut changes = Changes::new();
    /// changes.sg_rule(w, sg, Direction::Ingress, tcp, PortRange::single(5432));
    /// assert!(changes.vpcs().next().is_none());
    /// ```
    pub fn sg_rule(
        &mut self,
        w: &World,
        sg: SgId,
        dir: Direction,
        protocol: RuleProtocol,
        ports: PortRange,
    ) -> &mut Changes {
        let rule = SgRule {
            rule_id: String::new(),
            protocol,
            ports,
            peer: Peer::Cidr(Cidr::ANY),
            description: None,
        };
        self.fine.push(Fine::SgRule { sg, dir, rule });
        self.fine_vpcs.insert(w[sg].vpc);
        self
    }

    /// An entry of NACL `acl` in `dir` created or deleted (name both the old and the new
    /// entry of a replacement).
    pub fn acl_entry(&mut self, w: &World, acl: NaclId, dir: Direction, entry: &AclEntry) -> &mut Changes {
        self.fine.push(Fine::AclEntry { acl, dir, entry: entry.clone() });
        self.fine_vpcs.insert(w[acl].vpc);
        self
    }

    /// A route of `table` for `block` created, deleted or replaced (a prefix-list route:
    /// one call per entry of the list).
    pub fn route(&mut self, w: &World, table: RouteTableId, block: Cidr) -> &mut Changes {
        self.fine.push(Fine::Route { table, block });
        self.fine_vpcs.insert(w[table].vpc);
        self
    }

    /// Everything the ops created or changed in `w` since [`World::watch`]: a security
    /// group's, NACL's or route table's rules, entries and routes added or removed one by
    /// one, any other resource (and a deletion) by [`Changes::resource`].
    ///
    /// ```
    /// use vpcsim::analyzer::{matrix::Matrix, probe::DEFAULT_PROBES, select, update::Changes};
    /// use vpcsim::lab::{Lab, LabOptions};
    /// use vpcsim::ops::security::Permission;
    ///
    /// let mut lab = Lab::ready(LabOptions::default()).unwrap();
    /// let w = &lab.world;
    /// let mut m = Matrix::compute_updatable(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
    /// let (sg, _) = w.sgs().live().next().unwrap();
    /// lab.world.watch();
    /// lab.world.authorize_security_group(sg, vpcsim::trace::Direction::Ingress, &[Permission::tcp(5432, "0.0.0.0/0".parse().unwrap())]).unwrap();
    /// let w = &lab.world;
    /// let changes = Changes::watched(w);
    /// assert!(changes.vpcs().next().is_none(), "one rule, not its VPC");
    /// m.update(w, select::sources(w, &[]), select::targets(w, &[]), &changes);
    /// let full = Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
    /// assert!(m.same_verdicts(&full));
    /// ```
    pub fn watched(w: &World) -> Changes {
        let mut out = Changes::new();
        for item in w.watched() {
            match item {
                Watched::Sg(g, old) => out.sg_since(w, g, old),
                Watched::Nacl(acl, old) => out.nacl_since(w, acl, old),
                Watched::RouteTable(t, old) => out.route_table_since(w, t, old),
                Watched::Other(h) => {
                    out.resource(w, h);
                }
            }
        }
        out
    }

    /// The rules group `g` gained or lost since it was `old` (the group itself when it was
    /// deleted or restored).
    pub(super) fn sg_since(&mut self, w: &World, g: SgId, old: &SecurityGroup) {
        let new = &w[g];
        if old.deleted != new.deleted || old.vpc != new.vpc {
            self.resource(w, Handle::Sg(g));
            return;
        }
        for dir in [Direction::Ingress, Direction::Egress] {
            let (before, after) = (old.rules(dir).as_slice(), new.rules(dir).as_slice());
            let gone = before.iter().filter(|r| !after.iter().any(|n| n.same_permission(r)));
            let came = after.iter().filter(|r| !before.iter().any(|o| o.same_permission(r)));
            for r in gone.chain(came) {
                self.sg_rule(w, g, dir, r.protocol, r.ports);
            }
        }
    }

    /// The entries NACL `acl` gained or lost since it was `old`.
    pub(super) fn nacl_since(&mut self, w: &World, acl: NaclId, old: &NetworkAcl) {
        let new = &w[acl];
        if old.deleted != new.deleted || old.vpc != new.vpc {
            self.resource(w, Handle::Nacl(acl));
            return;
        }
        for dir in [Direction::Ingress, Direction::Egress] {
            let (before, after) = (old.entries(dir), new.entries(dir));
            let gone = before.iter().filter(|e| !after.contains(e));
            let came = after.iter().filter(|e| !before.contains(e));
            for e in gone.chain(came) {
                self.acl_entry(w, acl, dir, e);
            }
        }
    }

    /// The routes table `t` gained, lost or retargeted since it was `old` (the table itself
    /// when it was deleted or became, or stopped being, the main one).
    pub(super) fn route_table_since(&mut self, w: &World, t: RouteTableId, old: &RouteTable) {
        let new = &w[t];
        if old.deleted != new.deleted || old.main != new.main || old.vpc != new.vpc {
            self.resource(w, Handle::RouteTable(t));
            return;
        }
        let (before, after) = (old.routes.as_slice(), new.routes.as_slice());
        let gone = before.iter().filter(|r| !after.contains(r));
        let came = after.iter().filter(|r| !before.contains(r));
        let blocks: BTreeSet<Cidr> = gone.chain(came).map(|r| r.destination).collect();
        for block in blocks {
            self.route(w, t, block);
        }
    }

    /// The same change at the grain of the VPC: each rule, entry and route stands for its VPC.
    fn coarse(&self) -> Changes {
        let mut vpcs = self.vpcs.clone();
        vpcs.extend(self.fine_vpcs.iter().copied());
        Changes { vpcs, everything: self.everything, fine: Vec::new(), fine_vpcs: BTreeSet::new() }
    }

    fn all(&mut self) -> &mut Changes {
        self.everything = true;
        self
    }

    /// The VPCs named (empty when [`Changes::is_everything`]).
    pub fn vpcs(&self) -> impl Iterator<Item = VpcId> + '_ {
        self.vpcs.iter().copied()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.everything && self.vpcs.is_empty() && self.fine.is_empty()
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
    /// Class pairs walked again (each for some probes or all).
    pub pairs_walked: usize,
    /// Class cells (a pair and a probe) walked again.
    pub cells_walked: usize,
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
    /// let mut m = Matrix::compute_updatable(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec());
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
        let coarse;
        let changes = if self.reads_complete {
            changes
        } else {
            coarse = changes.coarse();
            &coarse
        };
        if changes.everything {
            let probes = std::mem::take(&mut self.probes);
            *self = if self.reads_complete {
                Matrix::compute_updatable(w, sources, targets, probes)
            } else {
                Matrix::compute_parallel(w, sources, targets, probes)
            };
            let pairs = self.source_classes.len() * self.target_classes.len();
            let cells_walked = pairs * self.probes.len();
            return Updated { pairs_walked: pairs, cells_walked, pairs_kept: 0, reclassified: true };
        }
        let same_lists = sources == self.sources && targets == self.targets;
        let blocks = if same_lists && changes.vpcs.is_empty() {
            match self.update_fine(w, changes) {
                Ok(updated) => return updated,
                Err(blocks) => blocks,
            }
        } else {
            AddressBlocks::of(w)
        };
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
            Target::Lb(_) | Target::Endpoint(_) | Target::Internet(_) => false,
        });
        (
            sources.map(|(n, s)| (n, source_key(w, blocks, *s))).collect(),
            targets.map(|(n, t)| (n, target_key(w, blocks, *t))).collect(),
        )
    }

    /// The cells to walk again, given which rows and columns are whole (their VPC changed),
    /// what their walks entered and what they read.
    fn touched(&self, w: &World, row_whole: &[bool], column_whole: &[bool], changes: &Changes) -> Touched {
        let all: Vec<u32> = (0..self.target_classes.len() as u32).collect();
        let whole_columns: Vec<u32> = all.iter().copied().filter(|&tc| column_whole[tc as usize]).collect();
        let entered_columns: Vec<u32> =
            all.iter().copied().filter(|&tc| changes.meets(&self.column_beyond[tc as usize])).collect();
        let mut out: Touched = vec![Vec::new(); self.source_classes.len()];
        for (sc, cells) in out.iter_mut().enumerate() {
            let tcs: &mut dyn Iterator<Item = &u32> = if row_whole[sc] {
                &mut all.iter()
            } else if changes.meets(&self.row_beyond[sc]) {
                &mut whole_columns.iter().chain(&entered_columns)
            } else {
                &mut whole_columns.iter()
            };
            cells.extend(tcs.map(|&tc| (tc, ALL_PROBES)));
        }
        for f in &changes.fine {
            self.touched_by(w, f, changes, &mut out);
        }
        for cells in &mut out {
            cells.sort_unstable_by_key(|&(tc, _)| tc);
            cells.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 |= later.1;
                }
                same
            });
        }
        out
    }

    /// Adds the cells whose walks read what `f` (one of `changes`) changed.
    fn touched_by(&self, w: &World, f: &Fine, changes: &Changes, out: &mut Touched) {
        match f {
            Fine::SgRule { sg, dir, rule } => {
                // Whether the group's rules in `dir` may have gone from none to some or back
                // (every rule it has now may be one of the change's): that turns a mismatch
                // into "no rules" (or back) whatever the port.
                let named = changes
                    .fine
                    .iter()
                    .filter(|g| matches!(g, Fine::SgRule { sg: s, dir: d, .. } if s == sg && d == dir))
                    .count();
                let emptied = w[*sg].rules(*dir).len() <= named;
                self.touched_by_group(*sg, *dir, |p, port| emptied || rule.admits(p, port), out);
            }
            Fine::AclEntry { acl, dir, entry } => {
                let entries = w[*acl].entries(*dir);
                self.touched_by_reads(
                    |k| k.nacl_probes(*acl, *dir, |p, ports| may_decide(entry, entries, p, ports)),
                    out,
                );
            }
            Fine::Route { table, block } => {
                let rows =
                    (0..self.source_classes.len()).filter(|&sc| self.row_reads[sc].looked_up(*table, *block));
                let columns: Vec<u32> = (0..self.target_classes.len() as u32)
                    .filter(|&tc| self.column_reads[tc as usize].looked_up(*table, *block))
                    .collect();
                for sc in rows {
                    out[sc].extend(columns.iter().map(|&tc| (tc, ALL_PROBES)));
                }
            }
        }
    }

    /// Adds the cells whose walks evaluated group `g` in `dir` for a protocol and port
    /// `meets` holds for, each for the probes that did.
    fn touched_by_group(
        &self,
        g: SgId,
        dir: Direction,
        meets: impl Fn(Protocol, u16) -> bool,
        out: &mut Touched,
    ) {
        self.touched_by_reads(|k| k.sg_probes(g, dir, &meets), out);
    }

    /// Adds the cells whose walks made a read `probes` finds in what they kept, each for
    /// the probes it names: a row that did against every column, every row against a
    /// column that did.
    fn touched_by_reads(&self, probes: impl Fn(&Kept) -> ProbeMask, out: &mut Touched) {
        let width = self.target_classes.len() as u32;
        let columns: Vec<(u32, ProbeMask)> = (0..width)
            .map(|tc| (tc, probes(&self.column_reads[tc as usize])))
            .filter(|&(_, mask)| mask != 0)
            .collect();
        for (sc, cells) in out.iter_mut().enumerate() {
            let mask = probes(&self.row_reads[sc]);
            if mask != 0 {
                cells.extend((0..width).map(|tc| (tc, mask)));
            }
            cells.extend_from_slice(&columns);
        }
    }

    /// Walks the touched cells again (spread over rayon's threads) and stores them; returns
    /// the class pairs and the class cells walked.
    fn walk_again(&mut self, w: &World, touched: &Touched) -> (usize, usize) {
        let walked = self.walk_touched(w, touched);
        self.store_walked(walked)
    }

    /// Walks the touched cells again (spread over rayon's threads), changing nothing yet.
    fn walk_touched(&self, w: &World, touched: &Touched) -> Walked {
        let mut jobs: Vec<(u32, Vec<u32>, ProbeMask)> = Vec::new();
        for (sc, cells) in touched.iter().enumerate() {
            let mut by_probes: Vec<(ProbeMask, Vec<u32>)> = Vec::new();
            for &(tc, mask) in cells {
                match by_probes.iter_mut().find(|(m, _)| *m == mask) {
                    Some((_, tcs)) => tcs.push(tc),
                    None => by_probes.push((mask, vec![tc])),
                }
            }
            jobs.extend(by_probes.into_iter().map(|(mask, tcs)| (sc as u32, tcs, mask)));
        }
        let rows = jobs.par_iter().map(|(sc, tcs, mask)| self.evaluate_row(w, *sc, tcs, *mask)).collect();
        Walked { jobs, rows }
    }

    /// Stores what [`Matrix::walk_touched`] walked; returns the class pairs and the class
    /// cells walked.
    fn store_walked(&mut self, walked: Walked) -> (usize, usize) {
        let (mut pairs, mut cells) = (0, 0);
        let mut columns = Vec::new();
        for ((sc, tcs, mask), row) in walked.jobs.into_iter().zip(walked.rows) {
            pairs += tcs.len();
            cells += tcs.len() * (0..self.probes.len()).filter(|&p| mask & probe_bit(p) != 0).count();
            self.store(sc, &tcs, mask, row);
            columns.extend(tcs);
        }
        columns.sort_unstable();
        columns.dedup();
        self.settle_reads(&columns);
        (pairs, cells)
    }

    /// Which rows and which columns `changes` touches whole (their VPC changed).
    fn whole(&self, w: &World, changes: &Changes) -> (Vec<bool>, Vec<bool>) {
        let rows = (0..self.source_classes.len() as u32).map(|sc| changes.has(self.row_vpc(w, sc))).collect();
        let columns =
            (0..self.target_classes.len() as u32).map(|tc| changes.has(self.column_vpc(w, tc))).collect();
        (rows, columns)
    }

    /// The update when every class stays: the touched pairs' verdicts rewritten in place.
    fn update_in_place(&mut self, w: &World, changes: &Changes) -> Updated {
        let (row_whole, column_whole) = self.whole(w, changes);
        let touched = self.touched(w, &row_whole, &column_whole, changes);
        let walked = self.walk_touched(w, &touched);
        self.store_in_place(walked)
    }

    /// Stores the walks of an update in place.
    fn store_in_place(&mut self, walked: Walked) -> Updated {
        let (walked, cells_walked) = self.store_walked(walked);
        let pairs = self.source_classes.len() * self.target_classes.len();
        Updated { pairs_walked: walked, cells_walked, pairs_kept: pairs - walked, reclassified: false }
    }

    /// The update after rules, entries and routes named one by one, for the same sources
    /// and destinations: the classes stay unless a block the change added or removed
    /// tells addresses apart, or changes the interfaces routes send traffic to. Reading
    /// the world's blocks, which says so, takes a pass over all its rules, so it runs on
    /// one of rayon's threads while the touched cells are walked on the others; the walks
    /// are stored when the blocks are unchanged, else dropped and the blocks returned.
    fn update_fine(&mut self, w: &World, changes: &Changes) -> Result<Updated, AddressBlocks> {
        let (blocks, walked) = rayon::join(
            || AddressBlocks::of(w),
            || {
                let (row_whole, column_whole) = self.whole(w, changes);
                let touched = self.touched(w, &row_whole, &column_whole, changes);
                self.walk_touched(w, &touched)
            },
        );
        if blocks != self.blocks {
            return Err(blocks);
        }
        Ok(self.store_in_place(walked))
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
            .map(|tc| changes.has(m.column_vpc(w, tc as u32)) || was_target[tc].contains(&None))
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
        m.row_reads =
            was_source.iter().map(|was| kept(was, &self.source_classes.class_of, &self.row_reads)).collect();
        m.column_reads = was_target
            .iter()
            .map(|was| kept(was, &self.target_classes.class_of, &self.column_reads))
            .collect();
        m.reads_complete = self.reads_complete;
        let touched = m.touched(w, &row_whole, &column_whole, changes);
        m.carry_over(self, &touched, &was_source, &was_target);
        let (walked, cells_walked) = m.walk_again(w, &touched);
        let pairs = m.source_classes.len() * m.target_classes.len();
        *self = m;
        Updated { pairs_walked: walked, cells_walked, pairs_kept: pairs - walked, reclassified: true }
    }

    /// Copies every cell `touched` does not walk again from `old`: the old verdict of the
    /// representatives, and per member when the old pair was decided by a flow hash.
    fn carry_over(
        &mut self,
        old: &Matrix,
        touched: &Touched,
        was_source: &[Vec<Option<usize>>],
        was_target: &[Vec<Option<usize>>],
    ) {
        let (width, probes) = (self.target_classes.len(), self.probes.len());
        for (sc, members) in was_source.iter().enumerate() {
            let walked = &touched[sc];
            let Some(Some(rep)) = members.first().copied() else { continue };
            let osc = old.source_classes.class_of[rep];
            for (tc, targets) in was_target.iter().enumerate() {
                let mask = match walked.binary_search_by_key(&(tc as u32), |&(t, _)| t) {
                    Ok(at) => walked[at].1,
                    Err(_) => 0,
                };
                let Some(Some(t)) = targets.first().copied() else { continue };
                let otc = old.target_classes.class_of[t];
                for p in (0..probes).filter(|&p| mask & probe_bit(p) == 0) {
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

/// N1: whether NACL entry `entry` could decide a packet of `protocol` to one of `ports`
/// (an ICMP type, for ICMP) in a NACL whose entries in its direction are now `entries`:
/// it matches one, and no lower-numbered entry matching every remote address matches
/// every port of those it does (the lowest matching entry decides, so that one would
/// decide before it, with or without it). Said of the world after the change, it holds
/// for every entry whose adding or removing changed which entry decides such a packet.
fn may_decide(entry: &AclEntry, entries: &[AclEntry], protocol: Protocol, ports: PortRange) -> bool {
    let Some(met) = ports_matched(entry, protocol, ports) else { return false };
    !entries.iter().any(|e| e.number < entry.number && e.cidr == Cidr::ANY && covers(e, protocol, met))
}

/// The ports of `ports` that `entry` matches for `protocol`, as a range (all of them for
/// an ICMP entry that may match), or none.
fn ports_matched(entry: &AclEntry, protocol: Protocol, ports: PortRange) -> Option<PortRange> {
    if !entry.protocol.matches(protocol) {
        return None;
    }
    match entry.protocol {
        RuleProtocol::One(Protocol::Icmp) => {
            (ports.from != ports.to || entry.icmp.matches(ports.from)).then_some(ports)
        }
        RuleProtocol::One(_) => {
            let met = PortRange { from: ports.from.max(entry.ports.from), to: ports.to.min(entry.ports.to) };
            (met.from <= met.to).then_some(met)
        }
        RuleProtocol::All => Some(ports),
    }
}

/// Whether `entry` matches `protocol` at every port of `ports`.
fn covers(entry: &AclEntry, protocol: Protocol, ports: PortRange) -> bool {
    entry.protocol.matches(protocol)
        && match entry.protocol {
            RuleProtocol::One(Protocol::Icmp) => ports.from == ports.to && entry.icmp.matches(ports.from),
            RuleProtocol::One(_) => entry.ports.from <= ports.from && ports.to <= entry.ports.to,
            RuleProtocol::All => true,
        }
}

/// The cells to walk again: per source class, destination classes in order, each with
/// the probes to walk.
type Touched = Vec<Vec<(u32, ProbeMask)>>;

/// Touched cells walked, not stored yet: per job (a source class, the destination
/// classes walked with the same probes, those probes), the row's cells.
struct Walked {
    jobs: Vec<(u32, Vec<u32>, ProbeMask)>,
    rows: Vec<RowCells>,
}

/// What the old classes of a new class's members read, together (`was`: the members'
/// old places, none for a newcomer; `class_of`: the old classes; `old`: their reads).
fn kept(was: &[Option<usize>], class_of: &[u32], old: &[Kept]) -> Kept {
    let mut classes: Vec<u32> = was.iter().flatten().map(|&n| class_of[n]).collect();
    classes.sort_unstable();
    classes.dedup();
    match classes.as_slice() {
        [] => Kept::default(),
        [one] => old[*one as usize].clone(),
        [first, rest @ ..] => {
            rest.iter().fold(old[*first as usize].clone(), |k, &c| k.union(&old[c as usize]))
        }
    }
}
