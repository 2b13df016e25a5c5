//! Memory: heap bytes per network interface in a generated region of 10,000 VPCs
//! with 10 instances each (100,000 interfaces) plus the lab, counted by a global
//! allocator that tracks live bytes. Not a timing: it prints one line per region.
//! `cargo bench --bench memory` (a test run, `cargo test --benches`, uses 100 VPCs).

mod common;

use std::sync::atomic::Ordering;

#[path = "common/counting.rs"]
mod counting;

use counting::LIVE;

fn main() {
    let vpcs = common::size(10_000, 100);
    let before = LIVE.load(Ordering::Relaxed);
    let started = std::time::Instant::now();
    let mut lab = common::lab_flow().lab;
    common::add_vpcs(&mut lab.world, vpcs, 10);
    let built = started.elapsed();
    let bytes = LIVE.load(Ordering::Relaxed) - before;
    let w = &lab.world;
    let enis = w.enis().len();
    assert!(enis >= vpcs * 10, "every generated instance has its interface");
    println!(
        "memory/region/{vpcs}: {} VPCs, {enis} ENIs, {:.1} MiB live heap, {} bytes per ENI (built in {:.2} s)",
        w.vpcs().len(),
        bytes as f64 / (1024.0 * 1024.0),
        bytes / enis,
        built.as_secs_f64()
    );
    let tables: usize = w.route_tables().values().map(|t| t.routes.index_bytes()).sum();
    let groups: usize = w.sgs().values().map(|g| g.ingress.table_bytes() + g.egress.table_bytes()).sum();
    println!(
        "memory/region/{vpcs}: lookup indexes: route tables {tables} bytes, security groups {groups} bytes"
    );
}
