//! S1/S5 security group evaluation at one interface: 1 group x 5 rules and
//! 16 groups x 60 rules, vpcsim's compiled rule tables against a scan of every rule
//! of every group in order. Each iteration evaluates a batch of packets, half
//! allowed by a random rule, half allowed by none; throughput is evaluations per
//! second. `cargo bench --bench security_groups`.

mod common;

use std::net::Ipv4Addr;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::forward::SgDecision;
use vpcsim::ids::{EniId, SgId};
use vpcsim::model::security_group::{Peer, SgRule};
use vpcsim::model::Tags;
use vpcsim::ops::security::Permission;
use vpcsim::quota::Quota;
use vpcsim::trace::{Direction, Header};
use vpcsim::world::World;

/// A rule like real groups hold: mostly single TCP ports, some ranges, UDP, ICMP, and
/// an all-traffic rule from one admin host.
fn permission(i: usize, rng: &mut ChaCha8Rng) -> Permission {
    let cidr = Cidr::new(Ipv4Addr::from(rng.random::<u32>()), rng.random_range(8..=32));
    let (protocol, ports) = match i % 12 {
        0..=6 => (RuleProtocol::One(Protocol::Tcp), PortRange::single(rng.random_range(1..65535))),
        7 | 8 => {
            let from = rng.random_range(1024..60000);
            (RuleProtocol::One(Protocol::Tcp), PortRange { from, to: from + rng.random_range(1..2000) })
        }
        9 => (RuleProtocol::One(Protocol::Udp), PortRange::single(rng.random_range(1..65535))),
        10 => (RuleProtocol::One(Protocol::Icmp), PortRange::single(rng.random_range(0..16))),
        _ => (RuleProtocol::All, PortRange::ALL),
    };
    let cidr = if protocol == RuleProtocol::All { Cidr::host(cidr.network()) } else { cidr };
    Permission { protocol, ports, peer: Peer::Cidr(cidr), description: None }
}

/// An interface with `groups` groups of `rules` ingress rules each.
fn interface(groups: usize, rules: usize) -> (World, EniId) {
    let mut lab = common::lab_flow().lab;
    let w = &mut lab.world;
    let mut rng = ChaCha8Rng::seed_from_u64((groups * 100 + rules) as u64);
    let eni = w[lab.web1].eni;
    let mut ids: Vec<SgId> = Vec::new();
    for g in 0..groups {
        let sg = w.create_security_group(lab.custom_vpc, &format!("g{g}"), "bench", Tags::new()).unwrap();
        let mut perms: Vec<Permission> = Vec::new();
        while perms.len() < rules {
            let p = permission(perms.len(), &mut rng);
            if !perms.iter().any(|q| q.protocol == p.protocol && q.ports == p.ports && q.peer == p.peer) {
                perms.push(p);
            }
        }
        w.authorize_security_group(sg, Direction::Ingress, &perms).unwrap();
        ids.push(sg);
    }
    // AWS allows up to 16 groups per interface on request (Q1).
    w.request_service_quota_increase(Quota::GroupsPerInterface, groups.max(5)).unwrap();
    w.set_groups(eni, &ids).unwrap();
    (lab.world, eni)
}

/// Half the packets are allowed by a random rule of a random group; half by none.
fn packets(w: &World, eni: EniId, count: usize) -> Vec<Header> {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let dst = w[eni].private_ip;
    let groups = &w[eni].groups;
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                let sg = &w[groups[rng.random_range(0..groups.len())]];
                let r = &sg.ingress[rng.random_range(0..sg.ingress.len())];
                let Peer::Cidr(c) = r.peer else { unreachable!() };
                let protocol = match r.protocol {
                    RuleProtocol::One(p) => p,
                    RuleProtocol::All => Protocol::Tcp,
                };
                let port = rng.random_range(r.ports.from..=r.ports.to);
                Header { src: c.nth(rng.random()), dst, protocol, src_port: 40000, dst_port: port }
            } else {
                let src = Ipv4Addr::from(rng.random::<u32>());
                Header { src, dst, protocol: Protocol::Udp, src_port: 40000, dst_port: rng.random() }
            }
        })
        .collect()
}

/// The evaluation vpcsim did before rule tables: every rule of every group, in order.
fn scan<'w>(w: &'w World, eni: EniId, h: &Header) -> Option<(SgId, &'w SgRule)> {
    let e = &w[eni];
    for &g in &e.groups {
        for r in w[g].ingress.iter() {
            let peer = match &r.peer {
                Peer::Cidr(c) => c.contains(h.src),
                Peer::Group(x) => w.eni_by_private_ip(e.vpc, h.src).is_some_and(|m| w[m].groups.contains(x)),
                Peer::PrefixList(p) => w[p].contains(h.src),
            };
            if r.admits(h.protocol, h.dst_port) && peer {
                return Some((g, r));
            }
        }
    }
    None
}

fn security_groups(c: &mut Criterion) {
    let mut g = c.benchmark_group("security_groups");
    for (groups, rules) in [(1, 5), (16, 60)] {
        let (w, eni) = interface(groups, rules);
        let batch = packets(&w, eni, 256);
        // Senders in the interface's own VPC, so group peers would apply (S5, I6).
        let vpc = w[eni].vpc;
        for h in &batch {
            let fast = match w.evaluate_sgs(eni, Direction::Ingress, h, vpc) {
                SgDecision::Allowed(g, r) => Some((g, r as *const SgRule)),
                _ => None,
            };
            assert_eq!(fast, scan(&w, eni, h).map(|(g, r)| (g, r as *const SgRule)));
        }
        let size = format!("{groups}x{rules}");
        g.throughput(Throughput::Elements(batch.len() as u64));
        g.bench_with_input(BenchmarkId::new("vpcsim", &size), &batch, |b, batch| {
            b.iter(|| {
                for h in batch {
                    black_box(w.evaluate_sgs(eni, Direction::Ingress, black_box(h), vpc));
                }
            })
        });
        g.bench_with_input(BenchmarkId::new("linear-scan", &size), &batch, |b, batch| {
            b.iter(|| {
                for h in batch {
                    black_box(scan(&w, eni, black_box(h)));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, security_groups);
criterion_main!(benches);
