//! `vpcsim describe` and `vpcsim graph --format dot` at 10,000 and 50,000 resources
//! (the lab plus generated VPCs of 14 resources each: gateway, tables, groups, a
//! subnet and three instances with their interfaces). Both gather what each VPC,
//! subnet and table holds in one pass, so the cost per resource stays flat.
//! Throughput is resources per second. `cargo bench --bench describe_graph`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vpcsim::graph::Diagram;

/// Resources in one generated VPC with three instances.
const PER_VPC: usize = 14;

fn describe_graph(c: &mut Criterion) {
    let mut g = c.benchmark_group("describe_graph");
    g.sample_size(10);
    for resources in [common::size(10_000, 700), common::size(50_000, 3_500)] {
        let mut lab = common::lab_flow().lab;
        common::add_vpcs(&mut lab.world, resources / PER_VPC, 3);
        let w = &lab.world;
        g.throughput(Throughput::Elements(resources as u64));
        g.bench_with_input(BenchmarkId::new("describe", resources), w, |b, w| {
            b.iter(|| vpcsim::describe::pretty(&vpcsim::describe::everything(black_box(w))).len())
        });
        g.bench_with_input(BenchmarkId::new("graph-dot", resources), w, |b, w| {
            b.iter(|| Diagram::of(black_box(w), None).dot().len())
        });
    }
    g.finish();
}

criterion_group!(benches, describe_graph);
criterion_main!(benches);
