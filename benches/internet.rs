//! Inbound from the internet (I1, I3): a client at 203.0.113.10 opens port 80 on an
//! instance's public address, in the lab (My-EC2) and into the last of 10,000
//! generated VPCs, each with its own internet gateway. The gateway of the
//! destination's VPC is an index lookup, so both cost the same. Throughput is flows
//! per second. `cargo bench --bench internet`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vpcsim::trace::Flow;
use vpcsim::world::World;

/// The flow from the internet to the last instance's public address, checked to be delivered.
fn flow_to_last_instance(w: &World) -> Flow {
    let (_, last) = w.instances().iter().last().expect("an instance");
    let dst = w.public_ip_of(last.eni).expect("a public address");
    let flow = Flow { header: common::from_internet(dst), seq: 1 };
    assert!(w.verdict_from_internet(flow).is_delivered(), "{:?}", w.trace_from_internet(flow));
    flow
}

fn internet(c: &mut Criterion) {
    let mut g = c.benchmark_group("internet_inbound");
    g.throughput(Throughput::Elements(1));
    let lab = common::lab_flow().lab;
    let mut big = common::lab_flow().lab;
    let vpcs = common::size(10_000, 300);
    common::add_vpcs(&mut big.world, vpcs, 1);
    let lab_flow = {
        let w = &lab.world;
        let dst = w.public_ip_of(w[lab.my_ec2].eni).expect("My-EC2 is public");
        let flow = Flow { header: common::from_internet(dst), seq: 1 };
        assert!(w.verdict_from_internet(flow).is_delivered());
        flow
    };
    let cases =
        [("lab", &lab.world, lab_flow), ("last-of-vpcs", &big.world, flow_to_last_instance(&big.world))];
    for (label, w, flow) in cases {
        let case = if label == "lab" { label.to_string() } else { format!("{label}-{vpcs}") };
        g.bench_with_input(BenchmarkId::new("verdict", &case), &flow, |b, &f| {
            b.iter(|| w.verdict_from_internet(black_box(f)))
        });
        g.bench_with_input(BenchmarkId::new("explained", &case), &flow, |b, &f| {
            b.iter(|| w.trace_from_internet(black_box(f)))
        });
    }
    g.finish();
}

criterion_group!(benches, internet);
criterion_main!(benches);
