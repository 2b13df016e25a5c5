//! DNS from inside MyVPC (D1, P6, L2): the endpoint's regional and zonal names and
//! the NLB's name, through `World::resolve`, against a precomputed name table (a
//! hash map from every name to its answer), the structure an indexed resolver
//! would keep. Throughput is questions per second. `cargo bench --bench dns`.

mod common;

use std::net::Ipv4Addr;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rustc_hash::FxHashMap;
use vpcsim::dns::View;

fn dns(c: &mut Criterion) {
    let lab = common::lab_flow();
    let w = &lab.lab.world;
    let view = View::Vpc(lab.lab.my_vpc);
    let endpoint_names = w.endpoint_dns_names(lab.endpoint);
    let nlb = w[lab.lab.nlb].dns_name.clone();
    let questions = [
        ("endpoint", endpoint_names[0].clone()),
        ("endpoint-zonal", endpoint_names[1].clone()),
        ("nlb", nlb),
    ];
    let table: FxHashMap<String, Vec<Ipv4Addr>> =
        questions.iter().map(|(_, n)| (n.to_ascii_lowercase(), w.resolve(view, n).addrs)).collect();
    let mut g = c.benchmark_group("dns");
    g.throughput(Throughput::Elements(1));
    for (label, name) in &questions {
        let answer = w.resolve(view, name);
        assert!(!answer.addrs.is_empty(), "{name} resolves");
        g.bench_function(format!("{label}/vpcsim"), |b| b.iter(|| w.resolve(view, black_box(name))));
        g.bench_function(format!("{label}/name-table"), |b| {
            b.iter(|| {
                let key = black_box(name).trim_end_matches('.').to_ascii_lowercase();
                table.get(&key).cloned()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, dns);
criterion_main!(benches);
