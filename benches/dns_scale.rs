//! DNS at scale (L2, P6): the name of a load balancer and the regional and zonal
//! names of an endpoint, resolved from inside a VPC, in the lab and in the lab plus
//! 10,000 generated load balancers, each fronted by an endpoint service with an
//! endpoint (the names asked are the last ones created). The name is an index
//! lookup, so both cost the same. Throughput is questions per second.
//! `cargo bench --bench dns_scale`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vpcsim::dns::{Rcode, View};
use vpcsim::ids::{EndpointId, LbId};
use vpcsim::model::Tags;
use vpcsim::ops::elbv2::CreateLoadBalancer;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::world::World;

/// In each generated VPC: an internal NLB, an endpoint service on it, an endpoint to it.
fn add_named(w: &mut World, first_vpc: usize) -> (LbId, EndpointId) {
    // Each generated VPC's first subnet, found in one pass (a search per VPC would make the
    // setup quadratic).
    let mut first_subnet = std::collections::HashMap::new();
    for (id, s) in w.subnets().live() {
        first_subnet.entry(s.vpc).or_insert(id);
    }
    let vpcs: Vec<_> = w.vpcs().ids().skip(first_vpc).collect();
    let mut last = None;
    for (k, vpc) in vpcs.into_iter().enumerate() {
        let subnet = first_subnet[&vpc];
        let lb = w
            .create_load_balancer(CreateLoadBalancer {
                name: format!("gen-nlb-{k}"),
                subnets: vec![subnet],
                internal: true,
                ..Default::default()
            })
            .expect("nlb");
        let svc =
            w.create_vpc_endpoint_service_configuration(&[lb], false, None, Tags::new()).expect("service");
        let ep = w
            .create_vpc_endpoint(CreateVpcEndpoint {
                vpc: Some(vpc),
                service_name: w[svc].service_name.clone(),
                subnets: vec![subnet],
                ..Default::default()
            })
            .expect("endpoint");
        last = Some((lb, ep));
    }
    w.advance(std::time::Duration::from_secs(150));
    last.expect("at least one generated VPC")
}

fn dns_scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("dns_scale");
    g.throughput(Throughput::Elements(1));
    let lab = common::lab_flow();
    let mut big = common::lab_flow();
    let n = common::size(10_000, 300);
    let first = big.lab.world.vpcs().len();
    common::add_vpcs(&mut big.lab.world, n, 0);
    let (last_lb, last_ep) = add_named(&mut big.lab.world, first);
    let lab_case = (&lab.lab.world, View::Vpc(lab.lab.my_vpc), lab.lab.nlb, lab.endpoint, "lab".to_string());
    let big_case = (&big.lab.world, View::Vpc(big.lab.my_vpc), last_lb, last_ep, format!("last-of-{n}"));
    for (w, view, lb, ep, case) in [lab_case, big_case] {
        let endpoint_names = w.endpoint_dns_names(ep);
        let questions = [
            ("nlb", w[lb].dns_name.clone()),
            ("endpoint", endpoint_names[0].clone()),
            ("endpoint-zonal", endpoint_names[1].clone()),
        ];
        for (kind, name) in questions {
            assert_eq!(w.resolve(view, &name).rcode, Rcode::NoError, "{name}");
            g.bench_with_input(BenchmarkId::new(kind, &case), &name, |b, name| {
                b.iter(|| w.resolve(view, black_box(name)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, dns_scale);
criterion_main!(benches);
