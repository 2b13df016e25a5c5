//! The lab's flows from My-EC2: `curl` to the endpoint (PrivateLink), to the NLB's
//! public address (internet) and, with the lab's two VPCs peered (V2), to Custom-WEB-1's
//! private address across the peering connection; verdict-only (`World::verdict`, no allocation)
//! and explained (`World::trace`, every hop with ids, names and matched rules),
//! against the plain reference model (`vpcsim::testing::reference::evaluate`: linear
//! scans, the verdict and the projected path). Throughput is flows per second.
//! `cargo bench --bench trace`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vpcsim::ops::vpc::RouteTargetSpec;
use vpcsim::testing::reference;
use vpcsim::trace::Flow;
use vpcsim::world::World;

/// The lab with MyVPC and CustomVPC peered and a route each way (V1, V2), and the flow from
/// My-EC2 to Custom-WEB-1's private address on port 80.
fn peered(lab: &vpcsim::lab::Lab, from: vpcsim::ids::EniId) -> (World, Flow) {
    let mut w = lab.world.clone();
    let pcx = w.create_vpc_peering_connection(lab.my_vpc, lab.custom_vpc, Default::default()).unwrap();
    w.accept_vpc_peering_connection(pcx).unwrap();
    let target = RouteTargetSpec::VpcPeeringConnection(w[pcx].aws_id.clone());
    let custom_rt = w.route_table_of(lab.custom_subnet);
    w.create_route(lab.my_rt, w[lab.custom_vpc].cidr, &target).unwrap();
    w.create_route(custom_rt, w[lab.my_vpc].cidr, &target).unwrap();
    let web = w[w[lab.web1].eni].private_ip;
    let flow = Flow { header: common::header(&w, from, web), seq: 1 };
    (w, flow)
}

fn lab_trace(c: &mut Criterion) {
    let lab = common::lab_flow();
    let w = &lab.lab.world;
    let (eni, privatelink) = (lab.from, lab.flow);
    let nlb_ip = w.lb_addresses(lab.lab.nlb, None)[0];
    let internet = Flow { header: common::header(w, eni, nlb_ip), seq: 1 };
    assert!(w.verdict(eni, internet).is_delivered());
    let (pw, peering) = peered(&lab.lab, eni);
    assert!(pw.verdict(eni, peering).is_delivered());

    let mut g = c.benchmark_group("lab_trace");
    g.throughput(Throughput::Elements(1));
    g.bench_function("privatelink/verdict/vpcsim", |b| b.iter(|| w.verdict(eni, black_box(privatelink))));
    g.bench_function("privatelink/explained/vpcsim", |b| b.iter(|| w.trace(eni, black_box(privatelink))));
    g.bench_function("internet/verdict/vpcsim", |b| b.iter(|| w.verdict(eni, black_box(internet))));
    g.bench_function("internet/explained/vpcsim", |b| b.iter(|| w.trace(eni, black_box(internet))));
    g.bench_function("peering/verdict/vpcsim", |b| b.iter(|| pw.verdict(eni, black_box(peering))));
    g.bench_function("peering/explained/vpcsim", |b| b.iter(|| pw.trace(eni, black_box(peering))));
    for (name, world, flow) in
        [("privatelink", w, privatelink), ("internet", w, internet), ("peering", &pw, peering)]
    {
        let delivered =
            matches!(reference::evaluate(world, eni, flow).verdict, reference::Verdict::Delivered { .. });
        assert_eq!(delivered, world.verdict(eni, flow).is_delivered());
        g.bench_function(format!("{name}/explained/reference"), |b| {
            b.iter(|| reference::evaluate(world, eni, black_box(flow)))
        });
    }
    g.finish();
}

criterion_group!(benches, lab_trace);
criterion_main!(benches);
