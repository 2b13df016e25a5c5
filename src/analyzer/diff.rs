//! What a change changed: two matrices of the same question over two worlds (two
//! files, two steps of one scenario, a template and a changed copy), compared cell by
//! cell over the classes both share. Sources and destinations are matched by name
//! (their Name tag, a load balancer's name, else their id), so a changed template
//! whose ids moved still lines up.

use rustc_hash::FxHashMap;

use crate::trace::{Analysis, Trace};
use crate::world::World;

use super::cell::{self, Verdict};
use super::classes::Partition;
use super::matrix::Matrix;
use super::probe::Probe;
use super::select::{self, Source, Target};

/// One side of a diff: a world and its matrix.
pub struct Side<'a> {
    /// The world.
    pub world: &'a World,
    /// Its matrix.
    pub matrix: &'a Matrix,
}

/// Cells whose verdict changed the same way, for a set of sources, destinations and one probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The sources (names), in the earlier matrix's order.
    pub sources: Vec<String>,
    /// The destinations (names).
    pub targets: Vec<String>,
    /// The probe.
    pub probe: Probe,
    /// The verdict before.
    pub before: Verdict,
    /// The verdict after.
    pub after: Verdict,
    /// The decisive hop of the first source's flow to the first destination, before.
    pub before_hop: String,
    /// The same, after.
    pub after_hop: String,
    /// That flow before, as `vpcsim trace --json` shows a flow (none when the destination
    /// had no address the source could try).
    pub before_flow: Option<Analysis>,
    /// The same, after.
    pub after_flow: Option<Analysis>,
}

/// What the two matrices compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Cells whose verdict changed.
    pub changes: Vec<Change>,
    /// Sources only the earlier world has.
    pub sources_removed: Vec<String>,
    /// Sources only the later world has.
    pub sources_added: Vec<String>,
    /// Destinations only the earlier world has.
    pub targets_removed: Vec<String>,
    /// Destinations only the later world has.
    pub targets_added: Vec<String>,
}

impl Diff {
    /// Whether nothing changed (no cell, no source or destination added or removed).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.sources_removed.is_empty()
            && self.sources_added.is_empty()
            && self.targets_removed.is_empty()
            && self.targets_added.is_empty()
    }
}

/// Names that tell items apart: the label, then `#2`, `#3` for repeats.
fn unique_names(labels: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: FxHashMap<String, usize> = FxHashMap::default();
    labels
        .map(|l| {
            let n = seen.entry(l.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                l
            } else {
                format!("{l}#{n}")
            }
        })
        .collect()
}

/// Items of both lists, by name: (index before, index after), in the earlier order; and
/// the names only one side has.
fn matched(before: &[String], after: &[String]) -> (Vec<(usize, usize)>, Vec<String>, Vec<String>) {
    let at: FxHashMap<&str, usize> = after.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let pairs: Vec<(usize, usize)> =
        before.iter().enumerate().filter_map(|(i, n)| at.get(n.as_str()).map(|&j| (i, j))).collect();
    let kept: rustc_hash::FxHashSet<&str> = before.iter().map(String::as_str).collect();
    let removed = before.iter().filter(|n| !at.contains_key(n.as_str())).cloned().collect();
    let added = after.iter().filter(|n| !kept.contains(n.as_str())).cloned().collect();
    (pairs, removed, added)
}

/// The decisive hop of a trace, for people: the block and where, else where it was delivered.
pub fn decisive_hop(trace: Option<&Trace>) -> String {
    let Some(t) = trace else { return "no address to try".to_string() };
    if let Some(x) = &t.explanation {
        let name = x.component_name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        return format!("{} at {} {}{name}", x.code, x.kind, x.component_id);
    }
    match t.forward.last() {
        Some(h) => {
            let name = h.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
            format!("reachable, delivered at {} {}{name}", h.kind, h.id)
        }
        None => "reachable".to_string(),
    }
}

/// The decisive hop of the flow that decided a cell, and the flow itself.
fn hop(side: &Side<'_>, s: Source, t: Target, p: Probe) -> (String, Option<Analysis>) {
    let trace = cell::explain(side.world, s, t, p).1;
    (decisive_hop(trace.as_ref()), trace.map(|t| crate::trace::analysis(side.world, &t)))
}

/// Every cell whose verdict differs between `before` and `after`, for the sources,
/// destinations and probes both matrices have; grouped by joint class.
pub fn diff(before: &Side<'_>, after: &Side<'_>) -> Diff {
    let (bm, am) = (before.matrix, after.matrix);
    let bs = unique_names(bm.sources.iter().map(|s| select::source_label(before.world, *s)));
    let as_ = unique_names(am.sources.iter().map(|s| select::source_label(after.world, *s)));
    let bt = unique_names(bm.targets.iter().map(|t| select::target_label(before.world, *t)));
    let at = unique_names(am.targets.iter().map(|t| select::target_label(after.world, *t)));
    let (sources, sources_removed, sources_added) = matched(&bs, &as_);
    let (targets, targets_removed, targets_added) = matched(&bt, &at);
    let probes: Vec<(usize, usize)> = bm
        .probes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| am.probes.iter().position(|q| q == p).map(|j| (i, j)))
        .collect();
    // Joint classes: sources in one class on both sides (likewise destinations).
    let joint_sources = Partition::by_key(
        sources.iter().map(|&(i, j)| (bm.source_classes.class_of[i], am.source_classes.class_of[j])),
    );
    let joint_targets = Partition::by_key(
        targets.iter().map(|&(i, j)| (bm.target_classes.class_of[i], am.target_classes.class_of[j])),
    );
    let mut changes = Vec::new();
    for js in &joint_sources.members {
        for jt in &joint_targets.members {
            let (ti, tj) = targets[jt[0] as usize];
            for &(pi, pj) in &probes {
                // A pair a flow hash decided differs by source: compare each source alone.
                let varies = |m: &Matrix, s: usize, t: usize, p: usize| {
                    m.varies_by_source(m.source_classes.class_of[s], m.target_classes.class_of[t], p)
                };
                let (si, sj) = sources[js[0] as usize];
                let each = varies(bm, si, ti, pi) || varies(am, sj, tj, pj);
                let rows: Vec<Vec<u32>> =
                    if each { js.iter().map(|&m| vec![m]).collect() } else { vec![js.clone()] };
                for row in rows {
                    let (si, sj) = sources[row[0] as usize];
                    let (b, a) = (bm.verdict(si, ti, pi), am.verdict(sj, tj, pj));
                    // An instance's flow to itself never leaves it (AWS hands a packet to
                    // its own address back inside the instance): no path changed there.
                    let alone = row.len() == 1 && jt.len() == 1;
                    if b == a || (alone && super::access::no_path(bm.sources[si], bm.targets[ti])) {
                        continue;
                    }
                    let probe = bm.probes[pi];
                    let (before_hop, before_flow) = hop(before, bm.sources[si], bm.targets[ti], probe);
                    let (after_hop, after_flow) = hop(after, am.sources[sj], am.targets[tj], am.probes[pj]);
                    changes.push(Change {
                        sources: row.iter().map(|&m| bs[sources[m as usize].0].clone()).collect(),
                        targets: jt.iter().map(|&m| bt[targets[m as usize].0].clone()).collect(),
                        probe,
                        before: b,
                        after: a,
                        before_hop,
                        after_hop,
                        before_flow,
                        after_flow,
                    });
                }
            }
        }
    }
    Diff { changes: merged(changes), sources_removed, sources_added, targets_removed, targets_added }
}

/// Changes of the same sources, probe and verdicts merged into one (their destinations
/// joined; the decisive hops are the first one's), in the order first found.
fn merged(changes: Vec<Change>) -> Vec<Change> {
    let mut at: FxHashMap<(Vec<String>, Probe, Verdict, Verdict), usize> = FxHashMap::default();
    let mut out: Vec<Change> = Vec::new();
    for c in changes {
        let key = (c.sources.clone(), c.probe, c.before, c.after);
        match at.get(&key) {
            Some(&i) => out[i].targets.extend(c.targets),
            None => {
                at.insert(key, out.len());
                out.push(c);
            }
        }
    }
    out
}
