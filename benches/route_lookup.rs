//! R3 longest prefix match at 50, 1,000 and 1,000,000 routes: vpcsim's `Routes`
//! against the longest-first scan it replaced and against the `prefix-trie` crate.
//! Each iteration looks up a batch of addresses (half inside a random route, half
//! anywhere); throughput is lookups per second. `cargo bench --bench route_lookup`.

mod common;

use std::net::Ipv4Addr;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ipnet::Ipv4Net;
use prefix_trie::PrefixMap;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vpcsim::addr::Cidr;
use vpcsim::model::route_table::{Route, RouteOrigin, RouteTarget, Routes};

/// `n` distinct prefixes with lengths roughly like a BGP table (mostly /24, some /8-/23),
/// plus a VPC's local /16 and a default route.
fn table(n: usize, rng: &mut ChaCha8Rng) -> Routes {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut routes = vec![
        Route {
            destination: "10.0.0.0/16".parse().unwrap(),
            prefix_list: None,
            target: RouteTarget::Local,
            origin: RouteOrigin::CreateRouteTable,
        },
        Route {
            destination: Cidr::ANY,
            prefix_list: None,
            target: RouteTarget::Nat(vpcsim::ids::NatId(0)),
            origin: RouteOrigin::CreateRoute,
        },
    ];
    seen.extend(routes.iter().map(|r| r.destination));
    while routes.len() < n {
        let len = match rng.random_range(0..100) {
            0..=59 => 24,
            60..=74 => rng.random_range(20..24),
            75..=89 => rng.random_range(16..20),
            _ => rng.random_range(8..16),
        };
        let c = Cidr::new(Ipv4Addr::from(rng.random::<u32>()), len);
        if seen.insert(c) {
            let target = RouteTarget::Pcx(vpcsim::ids::PeeringId(routes.len() as u32));
            routes.push(Route {
                destination: c,
                prefix_list: None,
                target,
                origin: RouteOrigin::CreateRoute,
            });
        }
    }
    Routes::from_routes(routes)
}

fn probes(routes: &[Route], count: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                let c = routes[rng.random_range(0..routes.len())].destination;
                u32::from(c.nth(rng.random()))
            } else {
                rng.random()
            }
        })
        .collect()
}

fn route_lookup(c: &mut Criterion) {
    let mut g = c.benchmark_group("route_lookup");
    for n in [50, 1_000, common::size(1_000_000, 20_000)] {
        let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
        let routes = table(n, &mut rng);
        let trie: PrefixMap<Ipv4Net, u32> =
            routes.iter().enumerate().map(|(i, r)| (r.destination.to_ipnet(), i as u32)).collect();
        let batch = probes(&routes, 1024, &mut rng);
        for &a in &batch {
            let want = routes.iter().find(|r| r.destination.contains_u32(a)).map(|r| r.destination);
            assert_eq!(routes.lookup(a).map(|r| r.destination), want);
            let net = Ipv4Net::new(Ipv4Addr::from(a), 32).unwrap();
            assert_eq!(trie.get_lpm(&net).map(|(_, &i)| routes[i as usize].destination), want);
        }
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.bench_with_input(BenchmarkId::new("vpcsim", n), &batch, |b, batch| {
            b.iter(|| {
                for &a in batch {
                    black_box(routes.lookup(black_box(a)));
                }
            })
        });
        g.bench_with_input(BenchmarkId::new("prefix-trie", n), &batch, |b, batch| {
            b.iter(|| {
                for &a in batch {
                    let net = Ipv4Net::new(Ipv4Addr::from(black_box(a)), 32).unwrap();
                    black_box(trie.get_lpm(&net));
                }
            })
        });
        // The scan is slow at a million routes: look up fewer addresses per iteration.
        let scan_batch = &batch[..if n > 10_000 { 8 } else { batch.len() }];
        g.throughput(Throughput::Elements(scan_batch.len() as u64));
        g.bench_with_input(BenchmarkId::new("linear-scan", n), scan_batch, |b, batch| {
            b.iter(|| {
                for &a in batch {
                    let a = black_box(a);
                    black_box(routes.iter().find(|r| r.destination.contains_u32(a)));
                }
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default().sample_size(20)
}

criterion_group!(name = benches; config = config(); targets = route_lookup);
criterion_main!(benches);
