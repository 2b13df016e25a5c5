//! The lab's flows from My-EC2: `curl` to the endpoint (PrivateLink) and to the
//! NLB's public address (internet), verdict-only (`World::verdict`, no allocation)
//! and explained (`World::trace`, every hop with ids, names and matched rules),
//! against the plain reference model (`vpcsim::testing::reference::evaluate`: linear
//! scans, the verdict and the projected path). Throughput is flows per second.
//! `cargo bench --bench trace`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vpcsim::testing::reference;
use vpcsim::trace::Flow;

fn lab_trace(c: &mut Criterion) {
    let lab = common::lab_flow();
    let w = &lab.lab.world;
    let (eni, privatelink) = (lab.from, lab.flow);
    let nlb_ip = w.lb_addresses(lab.lab.nlb, None)[0];
    let internet = Flow { header: common::header(w, eni, nlb_ip), seq: 1 };
    assert!(w.verdict(eni, internet).is_delivered());

    let mut g = c.benchmark_group("lab_trace");
    g.throughput(Throughput::Elements(1));
    g.bench_function("privatelink/verdict/vpcsim", |b| b.iter(|| w.verdict(eni, black_box(privatelink))));
    g.bench_function("privatelink/explained/vpcsim", |b| b.iter(|| w.trace(eni, black_box(privatelink))));
    g.bench_function("internet/verdict/vpcsim", |b| b.iter(|| w.verdict(eni, black_box(internet))));
    g.bench_function("internet/explained/vpcsim", |b| b.iter(|| w.trace(eni, black_box(internet))));
    for (name, flow) in [("privatelink", privatelink), ("internet", internet)] {
        let delivered =
            matches!(reference::evaluate(w, eni, flow).verdict, reference::Verdict::Delivered { .. });
        assert_eq!(delivered, w.verdict(eni, flow).is_delivered());
        g.bench_function(format!("{name}/explained/reference"), |b| {
            b.iter(|| reference::evaluate(w, eni, black_box(flow)))
        });
    }
    g.finish();
}

criterion_group!(benches, lab_trace);
criterion_main!(benches);
