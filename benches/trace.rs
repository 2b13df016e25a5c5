//! The lab's PrivateLink curl flow: the explained trace and the verdict-only walk.
//! Run with `cargo bench --bench trace`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use vpcsim::addr::Protocol;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::trace::{Flow, Header};

fn lab_flows(c: &mut Criterion) {
    let mut lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    let ep = lab.connect_privatelink().expect("the endpoint connects");
    let w = &lab.world;
    let eni = w.instances[lab.my_ec2.index()].eni;
    let endpoint_ip = w.enis[w.endpoints[ep.index()].enis[0].index()].private_ip;
    let nlb_ip = w.lb_addresses(lab.nlb, None)[0];
    let header = |dst| Header { src: w.enis[eni.index()].private_ip, dst, protocol: Protocol::Tcp, src_port: 40000, dst_port: 80 };
    let privatelink = Flow { header: header(endpoint_ip), seq: 1 };
    let internet = Flow { header: header(nlb_ip), seq: 1 };
    assert!(w.verdict(eni, privatelink).is_delivered() && w.verdict(eni, internet).is_delivered());

    let mut g = c.benchmark_group("lab_trace");
    g.throughput(Throughput::Elements(1));
    g.bench_function("privatelink/verdict", |b| b.iter(|| w.verdict(eni, black_box(privatelink))));
    g.bench_function("privatelink/explained", |b| b.iter(|| w.trace(eni, black_box(privatelink))));
    g.bench_function("internet/verdict", |b| b.iter(|| w.verdict(eni, black_box(internet))));
    g.bench_function("internet/explained", |b| b.iter(|| w.trace(eni, black_box(internet))));
    g.finish();
}

criterion_group!(benches, lab_flows);
criterion_main!(benches);
