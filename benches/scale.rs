//! Scale: the lab's PrivateLink curl flow in regions grown by 1, 100 and 10,000
//! generated VPCs of 10 instances each (up to ~100,000 interfaces), to show the
//! cost per trace stays flat: every lookup on the path is an index, never a scan
//! of the region. Throughput is flows per second. `cargo bench --bench scale`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("scale");
    g.throughput(Throughput::Elements(1));
    for vpcs in [1, 100, common::size(10_000, 300)] {
        let mut lab = common::lab_flow();
        common::add_vpcs(&mut lab.lab.world, vpcs, 10);
        let w = &lab.lab.world;
        let (eni, flow) = (lab.from, lab.flow);
        assert!(w.verdict(eni, flow).is_delivered());
        g.bench_with_input(BenchmarkId::new("verdict", vpcs), &flow, |b, &f| {
            b.iter(|| w.verdict(eni, black_box(f)))
        });
        g.bench_with_input(BenchmarkId::new("explained", vpcs), &flow, |b, &f| {
            b.iter(|| w.trace(eni, black_box(f)))
        });
    }
    g.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
