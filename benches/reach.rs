//! The reachability matrix (`vpcsim reach`) over generated regions like the lab's VPCs
//! (an internet gateway, one public subnet, a web group, N instances with public IPs
//! each): every source (the internet and every instance) against every instance on the
//! default 9 ports, computed over classes. Per-pair verdicts for the same cells would
//! be sources x destinations x 9 walks; the setup prints the cell and class counts and
//! the bytes the matrix holds, so the ratio can be read off.
//! `cargo bench --bench reach -- matrix/100x10 --warm-up-time 1 --measurement-time 3`;
//! `cargo bench --bench reach -- setup-only` times one computation of each size.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use vpcsim::analyzer::{select, Matrix, DEFAULT_PROBES};
use vpcsim::world::World;

fn matrix(w: &World) -> Matrix {
    Matrix::compute(w, select::sources(w, &[]), select::targets(w, &[]), DEFAULT_PROBES.to_vec())
}

fn reach(c: &mut Criterion) {
    let mut g = c.benchmark_group("reach");
    g.sample_size(10);
    let sizes = [(common::size(100, 10), 10), (common::size(1_000, 20), common::size(10, 2))];
    for (vpcs, instances) in sizes {
        let mut world = World::in_region("ap-northeast-2", 7).expect("known region");
        common::add_vpcs(&mut world, vpcs, instances);
        // One timed computation for the figures (a filter that matches no benchmark, such as
        // `-- setup-only`, prints these lines alone).
        let started = std::time::Instant::now();
        let m = matrix(&world);
        let once = started.elapsed();
        let cells = m.sources.len() * m.targets.len() * m.probes.len();
        let class_cells = m.source_classes.len() * m.target_classes.len() * m.probes.len();
        eprintln!(
            "reach {vpcs}x{instances}: {} sources in {} classes, {} destinations in {} classes; \
             {cells} cells, {class_cells} class cells; matrix {} bytes; one computation {once:?}",
            m.sources.len(),
            m.source_classes.len(),
            m.targets.len(),
            m.target_classes.len(),
            m.heap_bytes()
        );
        g.bench_with_input(BenchmarkId::new("matrix", format!("{vpcs}x{instances}")), &world, |b, w| {
            b.iter(|| matrix(w))
        });
    }
    g.finish();
}

criterion_group!(benches, reach);
criterion_main!(benches);
