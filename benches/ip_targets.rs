//! A flow to ip targets (L1, L3, L5): a client on the internet reaches the lab's NLB
//! on a listener whose target group names its targets by address, so every packet
//! needs the subnet (and AZ) holding each target's address. Measured in the lab and
//! in the lab plus 10,000 generated subnets created before the targets' own subnet;
//! the subnet is an index lookup, so both cost the same. Throughput is flows per
//! second. `cargo bench --bench ip_targets`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vpcsim::addr::Cidr;
use vpcsim::lab::Lab;
use vpcsim::model::nlb::{HealthCheck, ListenerProtocol, TargetRef, TargetType};
use vpcsim::model::Tags;
use vpcsim::ops::ec2::RunInstance;
use vpcsim::ops::elbv2::{CreateTargetGroup, TargetSpec};
use vpcsim::ops::vpc::CreateSubnet;
use vpcsim::trace::Flow;

/// Two web instances in a new subnet of CustomVPC, registered by address behind the
/// lab's NLB on port 8080; the flow from the internet client to that listener.
fn ip_target_flow(lab: &mut Lab) -> Flow {
    let w = &mut lab.world;
    let vpc = lab.custom_vpc;
    let az = w[lab.custom_subnet].az.to_string();
    let cidr = Cidr::new(w[vpc].cidr.nth(200 * 256), 24);
    let subnet = w.create_subnet(CreateSubnet {
        vpc: Some(vpc),
        cidr: Some(cidr),
        az: Some(az),
        ..Default::default()
    });
    let subnet = subnet.expect("a free block in CustomVPC");
    let targets: Vec<TargetSpec> = (0..2)
        .map(|_| {
            let web = w
                .run_instance(RunInstance {
                    subnet: Some(subnet),
                    groups: vec![lab.custom_sg],
                    ..Default::default()
                })
                .expect("instance");
            w.serve_http(web, 80, "nginx", "ip target");
            TargetSpec { target: TargetRef::Ip(w[w[web].eni].private_ip), port: None }
        })
        .collect();
    let tg = w
        .create_target_group(CreateTargetGroup {
            name: "Ip-TG".into(),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc,
            target_type: TargetType::Ip,
            health_check: HealthCheck::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })
        .expect("target group");
    w.register_targets(tg, &targets).expect("register");
    w.create_listener(lab.nlb, ListenerProtocol::Tcp, 8080, Some(tg)).expect("listener");
    let nlb = w.lb_addresses(lab.nlb, None)[0];
    let mut header = common::from_internet(nlb);
    header.dst_port = 8080;
    let flow = Flow { header, seq: 1 };
    assert!(w.verdict_from_internet(flow).is_delivered(), "{:?}", w.trace_from_internet(flow));
    flow
}

fn ip_targets(c: &mut Criterion) {
    let mut g = c.benchmark_group("ip_targets");
    g.throughput(Throughput::Elements(1));
    let mut lab = common::lab_flow().lab;
    let lab_flow = ip_target_flow(&mut lab);
    let mut big = common::lab_flow().lab;
    let subnets = common::size(10_000, 300);
    common::add_vpcs(&mut big.world, subnets, 0);
    let big_flow = ip_target_flow(&mut big);
    let big_case = format!("after-{subnets}-subnets");
    for (case, w, flow) in [("lab", &lab.world, lab_flow), (big_case.as_str(), &big.world, big_flow)] {
        g.bench_with_input(BenchmarkId::new("verdict", case), &flow, |b, &f| {
            b.iter(|| w.verdict_from_internet(black_box(f)))
        });
        g.bench_with_input(BenchmarkId::new("explained", case), &flow, |b, &f| {
            b.iter(|| w.trace_from_internet(black_box(f)))
        });
    }
    g.finish();
}

criterion_group!(benches, ip_targets);
criterion_main!(benches);
