//! The reachability matrix (`vpcsim reach`) over a generated region of 1,000 VPCs of 10
//! instances each with peering, NAT gateways, load balancers and endpoints mixed
//! (`common::region`; 20 VPCs in the once-each test run): every source (the internet,
//! every instance, every load balancer node) against every destination (instances, load
//! balancers, endpoints) on the default 9 ports.
//!
//! - `reach/matrix/...`: the full matrix on one thread; `reach/matrix-2-threads/...` the
//!   same over a rayon pool of 2 threads.
//! - `reach/update/{sg-rule,route,acl-entry}/...`: one change in the middle VPC (an
//!   ingress rule authorized or revoked, the route to its peer deleted or created, a NACL
//!   deny entry created or deleted, in turn) and the matrix brought up to date, on 2 threads.
//! - `reach/scope/{internet-to-instances,database-ports}/...`: the findings of a ready
//!   scope of `scenarios/scopes/` over the region's matrix with the internet's
//!   representative host among its destinations, as scope analyses compute it (the
//!   matrix computed before).
//!
//! The setup prints, once: the counts of sources, destinations, classes and cells, the
//! bytes the matrix holds (counted by a global allocator that tracks live bytes), one
//! timed computation on 1 and 2 threads, one on 1 thread keeping what the walks read (as
//! updates need) with its bytes, the time per verdict of cells walked one by one
//! (a sample) and so the ratio to per-pair verdicts, and one update of each kind on one
//! thread with the pairs it walked. A filter that matches no benchmark prints these alone:
//! `cargo bench --bench reach -- setup-only`.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::analyzer::update::{Changes, Updated};
use vpcsim::analyzer::{access, cell, egress, scope, select, Matrix, DEFAULT_PROBES};
use vpcsim::ops::security::{acl_entry, Permission};
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::trace::Direction;
use vpcsim::world::World;

use common::region::{add_mixed_region, GenVpc};

#[path = "common/counting.rs"]
mod counting;

use counting::LIVE;

fn matrix(w: &World) -> Matrix {
    Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

/// The matrix an update starts from: it keeps what its walks read.
fn updatable(w: &World) -> Matrix {
    Matrix::compute_updatable(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

fn matrix_parallel(w: &World) -> Matrix {
    Matrix::compute_parallel(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

/// The matrix a scope analysis computes: the internet's representative host among the
/// destinations (one column more than `vpcsim reach`'s).
fn scope_matrix(w: &World) -> Matrix {
    Matrix::compute_parallel(w, select::sources(w, &[]), egress::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool")
}

/// One of the changes the update benchmarks make, in turn one way and back.
#[derive(Clone, Copy)]
enum Edit {
    SgRule,
    Route,
    AclEntry,
}

impl Edit {
    fn name(self) -> &'static str {
        match self {
            Edit::SgRule => "sg-rule",
            Edit::Route => "route",
            Edit::AclEntry => "acl-entry",
        }
    }

    /// Makes the change (`undo`: takes it back) in `v`, and names it.
    fn apply(self, w: &mut World, v: &GenVpc, peer: &GenVpc, undo: bool) -> Changes {
        let mut changes = Changes::new();
        match self {
            Edit::SgRule => {
                let rule = [Permission::tcp(8080, Cidr::ANY)];
                let done = if undo {
                    w.revoke_security_group(v.sg, Direction::Ingress, &rule)
                } else {
                    w.authorize_security_group(v.sg, Direction::Ingress, &rule)
                };
                done.expect("the rule changes");
                changes.sg_rule(w, v.sg, Direction::Ingress, rule[0].protocol, rule[0].ports);
            }
            Edit::Route => {
                if undo {
                    let pcx = w.active_peering(v.vpc, peer.vpc).expect("peered");
                    let spec = RouteTargetSpec::VpcPeeringConnection(w[pcx].aws_id.clone());
                    w.create_route(v.route_table, peer.block, &spec).expect("route");
                } else {
                    w.delete_route(v.route_table, peer.block).expect("route");
                }
                changes.route(w, v.route_table, peer.block);
            }
            Edit::AclEntry => {
                let (acl, _) = w.nacls().live().find(|(_, n)| n.vpc == v.vpc).expect("a NACL");
                let tcp = RuleProtocol::One(Protocol::Tcp);
                let entry = acl_entry(50, tcp, PortRange::single(22), Cidr::ANY, false);
                changes.acl_entry(w, acl, Direction::Ingress, &entry);
                let done = if undo {
                    w.delete_network_acl_entry(acl, Direction::Ingress, 50)
                } else {
                    w.create_network_acl_entry(acl, Direction::Ingress, entry)
                };
                done.expect("the entry changes");
            }
        }
        changes
    }
}

const EDITS: [Edit; 3] = [Edit::SgRule, Edit::Route, Edit::AclEntry];

/// Ready scopes the scope benchmarks use, by name.
const SCOPES: [(&str, &str); 2] = [
    ("internet-to-instances", "scenarios/scopes/internet-to-instances.json"),
    ("database-ports", "scenarios/scopes/database-ports-from-outside-the-app-tier.json"),
];

fn ready_scope(file: &str) -> scope::Scope {
    let text = std::fs::read_to_string(file).expect("a ready scope");
    scope::parse(file, &text).expect("a valid scope")
}

/// The change and the update, with the matrix's lists of sources and destinations.
fn change_and_update(
    w: &mut World,
    m: &mut Matrix,
    e: Edit,
    v: &GenVpc,
    peer: &GenVpc,
    undo: bool,
) -> Updated {
    let changes = e.apply(w, v, peer, undo);
    m.update(w, m.sources.clone(), m.targets.clone(), &changes)
}

/// The figures printed once (see the module doc).
fn report(w: &mut World, region: &[GenVpc], vpcs: usize) {
    let before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let plain = matrix(w);
    let one = started.elapsed();
    let plain_bytes = LIVE.load(Ordering::Relaxed) - before;
    let before = LIVE.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut m = pool(1).install(|| updatable(w));
    let kept = started.elapsed();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    assert!(plain.same_verdicts(&m), "the matrix keeping its reads has the same verdicts");
    drop(plain);
    eprintln!(
        "reach mixed-{vpcs}: keeping the reads for updates: {kept:?} on 1 thread (without: {one:?}, {:.2}x), \
         {bytes} bytes live (without: {plain_bytes})",
        kept.as_secs_f64() / one.as_secs_f64()
    );
    let started = Instant::now();
    let parallel = pool(2).install(|| matrix_parallel(w));
    let two = started.elapsed();
    assert!(parallel.same_verdicts(&m), "the parallel matrix has the same verdicts");
    drop(parallel);
    let cells = m.sources.len() * m.targets.len() * m.probes.len();
    let class_cells = m.source_classes.len() * m.target_classes.len() * m.probes.len();
    eprintln!(
        "reach mixed-{vpcs}: {} sources in {} classes, {} destinations in {} classes; {cells} cells, \
         {class_cells} class cells; matrix {plain_bytes} bytes live (keeping its reads {} counted by heap_bytes); \
         one computation {one:?} on 1 thread, {two:?} on 2 (speed-up {:.2})",
        m.sources.len(),
        m.source_classes.len(),
        m.targets.len(),
        m.target_classes.len(),
        m.heap_bytes(),
        one.as_secs_f64() / two.as_secs_f64()
    );
    let per_verdict = per_pair_verdict(w, &m);
    eprintln!(
        "reach mixed-{vpcs}: a cell walked alone {:.0} ns (a sample of 20,000 cells); per pair \
         {cells} cells would take {:.1} s, {:.0}x the matrix on 1 thread",
        per_verdict.as_nanos(),
        per_verdict.as_secs_f64() * cells as f64,
        per_verdict.as_secs_f64() * cells as f64 / one.as_secs_f64()
    );
    let (v, peer) = middle(region);
    for e in EDITS {
        for undo in [false, true] {
            let started = Instant::now();
            let u = pool(1).install(|| change_and_update(w, &mut m, e, &v, &peer, undo));
            eprintln!(
                "reach mixed-{vpcs}: update after {}{} on 1 thread {:?}: {} class pairs walked ({} class cells), {} kept, reclassified {}",
                e.name(),
                if undo { " (undone)" } else { "" },
                started.elapsed(),
                u.pairs_walked,
                u.cells_walked,
                u.pairs_kept,
                u.reclassified
            );
        }
    }
    assert!(m.same_verdicts(&matrix(w)), "the updated matrix equals a full computation");
    let started = Instant::now();
    let scoped = pool(2).install(|| scope_matrix(w));
    eprintln!(
        "reach mixed-{vpcs}: the matrix with the internet among the destinations, as scopes compute it: \
         {:?} on 2 threads (without: {two:?})",
        started.elapsed()
    );
    for (name, file) in SCOPES {
        let scope = ready_scope(file);
        for (over, matrix) in [("without the internet", &m), ("with the internet", &scoped)] {
            let started = Instant::now();
            let found = access::findings(w, matrix, &scope);
            let paths: usize = found.iter().map(|f| f.sources.len() * f.targets.len()).sum();
            eprintln!(
                "reach mixed-{vpcs}: scope {name} {over}: {} findings ({paths} paths) in {:?}",
                found.len(),
                started.elapsed()
            );
        }
    }
}

/// The time of one cell walked on its own, over a spread sample of cells.
fn per_pair_verdict(w: &World, m: &Matrix) -> Duration {
    let (s, t, p) = (m.sources.len(), m.targets.len(), m.probes.len());
    let sample = 20_000;
    let started = Instant::now();
    let mut reachable = 0;
    for n in 0..sample {
        let k = n * 7919;
        let v = cell::evaluate(w, m.sources[k % s], m.targets[(k / s) % t], m.probes[n % p]);
        reachable += usize::from(v.verdict.is_reachable());
    }
    std::hint::black_box(reachable);
    started.elapsed() / sample as u32
}

/// The middle load-balancer VPC (peered with the next, which sits behind a NAT gateway;
/// its service has an endpoint three VPCs on), and its peer.
fn middle(region: &[GenVpc]) -> (GenVpc, GenVpc) {
    let k = region.len() / 20 * 10;
    (region[k], region[k + 1])
}

fn reach(c: &mut Criterion) {
    let vpcs = common::size(1_000, 20);
    let mut world = World::in_region("ap-northeast-2", 7).expect("known region");
    let region = add_mixed_region(&mut world, vpcs);
    report(&mut world, &region, vpcs);
    let mut g = c.benchmark_group("reach");
    g.sample_size(10);
    g.bench_function(format!("matrix/mixed-{vpcs}"), |b| b.iter(|| matrix(&world)));
    let two = pool(2);
    g.bench_function(format!("matrix-2-threads/mixed-{vpcs}"), |b| {
        b.iter(|| two.install(|| matrix_parallel(&world)))
    });
    g.finish();
    let mut g = c.benchmark_group("reach");
    let mut m = updatable(&world);
    let (v, peer) = middle(&region);
    for e in EDITS {
        let mut undo = false;
        g.bench_function(format!("update/{}/mixed-{vpcs}", e.name()), |b| {
            b.iter(|| {
                let u = two.install(|| change_and_update(&mut world, &mut m, e, &v, &peer, undo));
                undo = !undo;
                u
            })
        });
        if undo {
            change_and_update(&mut world, &mut m, e, &v, &peer, true);
        }
    }
    let scoped = scope_matrix(&world);
    for (name, file) in SCOPES {
        let scope = ready_scope(file);
        g.bench_function(format!("scope/{name}/mixed-{vpcs}"), |b| {
            b.iter(|| access::findings(&world, &scoped, &scope))
        });
    }
    g.finish();
}

criterion_group!(benches, reach);
criterion_main!(benches);
