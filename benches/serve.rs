//! `vpcsim serve`'s handler, in process (no socket): a trace request on the lab
//! (`/api/trace`, the analysis, the hop list and the drawn path; target: under 10 ms)
//! on the world the page opens at (before clean-up),
//! and the world request the page makes at each step (describe JSON and topology).
//! `cargo bench --bench serve`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use vpcsim::serve::{Explorer, Request};

fn answer(explorer: &mut Explorer, target: &str) -> usize {
    let r = explorer.handle(&Request { method: "GET", target, body: b"" });
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.body.len()
}

fn serve(c: &mut Criterion) {
    let mut g = c.benchmark_group("serve");
    let mut explorer = vpcsim::serve::lab().expect("the lab builds");
    let trace = "/api/trace?from=My-EC2&to=Custom-NLB&port=80";
    let world = "/api/world";
    for target in [trace, world] {
        answer(&mut explorer, target);
    }
    g.bench_function("trace-request/lab", |b| b.iter(|| answer(&mut explorer, black_box(trace))));
    g.bench_function("world-request/lab", |b| b.iter(|| answer(&mut explorer, black_box(world))));
    g.finish();
}

criterion_group!(benches, serve);
criterion_main!(benches);
