//! Resource limits and AWS quotas: hostile documents (alias bombs, deep nesting, long
//! scalars, huge files, tens of thousands of resources, long condition and dependency
//! chains) are processed in bounded memory and time or refused with an error that names
//! the limit; each quota of Q1 gives its AWS error code and can be raised up to its
//! maximum. Work runs on a default-sized (2 MiB) thread under a budget of bytes
//! allocated: a stack overflow or runaway work fails the test rather than passing by
//! luck, and no case asserts anything about the wall clock.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use indexmap::IndexMap;
use vpcsim::addr::{Cidr, PortRange, Protocol, RuleProtocol};
use vpcsim::cfn::{Created, ResourceSink, SinkError, StackContext};
use vpcsim::error::FileError;
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::model::nacl::Action;
use vpcsim::model::nlb::TargetRef;
use vpcsim::model::security_group::Peer;
use vpcsim::model::Tags;
use vpcsim::ops::ec2::CreateNetworkInterface;
use vpcsim::ops::elbv2::TargetSpec;
use vpcsim::ops::privatelink::CreateVpcEndpoint;
use vpcsim::ops::security::{acl_entry, Permission};
use vpcsim::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use vpcsim::quota::{Quota, QuotaError};
use vpcsim::trace::Direction;
use vpcsim::world::World;
use vpcsim::yaml::{self, Limits};

// ---------------------------------------------------------------- budgets

/// Counts the bytes each thread allocates, so that a case can assert a memory budget by
/// counting rather than by the wall clock (tests run in parallel: counts are per thread).
struct PerThreadCounting;

thread_local! {
    static ALLOCATED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static LIVE: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    static PEAK: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

unsafe impl std::alloc::GlobalAlloc for PerThreadCounting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let size = layout.size() as i64;
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + size as u64));
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        let _ = LIVE.try_with(|l| {
            l.set(l.get() + size);
            let _ = PEAK.try_with(|p| p.set(p.get().max(l.get())));
        });
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        let _ = LIVE.try_with(|l| l.set(l.get() - layout.size() as i64));
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: PerThreadCounting = PerThreadCounting;

/// What a piece of work cost on the thread that ran it.
#[derive(Clone, Copy, Debug)]
struct Usage {
    /// Bytes allocated in total (freed ones included).
    allocated: u64,
    /// The most bytes live at once above what was live when the work started.
    peak: u64,
    /// Allocations made (a copy of the world makes one per string it holds; a growing
    /// index, one per doubling).
    allocations: u64,
}

/// Runs `work` on this thread and counts what it allocates.
fn measure<T>(work: impl FnOnce() -> T) -> (T, Usage) {
    let start_alloc = ALLOCATED.with(|a| a.get());
    let start_count = ALLOCATIONS.with(|a| a.get());
    let start_live = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(start_live));
    let out = work();
    let allocated = ALLOCATED.with(|a| a.get()) - start_alloc;
    let peak = (PEAK.with(|p| p.get()) - start_live).max(0) as u64;
    let allocations = ALLOCATIONS.with(|a| a.get()) - start_count;
    (out, Usage { allocated, peak, allocations })
}

/// Cases for the total-cost findings of the foundations work, one file per layer.
#[path = "limits/creation.rs"]
mod creation;
#[path = "limits/files.rs"]
mod files;
#[path = "limits/health.rs"]
mod health;
#[path = "limits/scenarios.rs"]
mod scenarios;
#[path = "limits/stacks.rs"]
mod stacks;
#[path = "limits/templates.rs"]
mod templates;

// ---------------------------------------------------------------- helpers

/// The most bytes one case may allocate in total (freed ones included). Every case here
/// stays far below it; a runaway loop or a quadratic blow-up crosses it and fails by count.
const WORK_BUDGET: u64 = 1 << 30;

/// Runs `work` on a thread with the default 2 MiB stack, so that a recursion too deep
/// crashes the case instead of passing by luck on a larger stack, and fails it when the
/// work allocates more than [`WORK_BUDGET`]: a budget by count, not by the wall clock.
fn finishes<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(2 << 20).spawn_scoped(scope, || measure(work));
        let (out, usage) = thread.expect("a thread").join().expect("the work finished without crashing");
        assert!(
            usage.allocated <= WORK_BUDGET,
            "the work allocated {} bytes (budget {WORK_BUDGET})",
            usage.allocated
        );
        out
    })
}

/// A sink that creates any `AWS::EC2::*` resource and counts them.
#[derive(Default)]
struct Counting(usize);

impl ResourceSink for Counting {
    fn supports(&self, t: &str) -> bool {
        t.starts_with("AWS::EC2::")
    }
    fn create(
        &mut self,
        _: &str,
        _: &str,
        _: &yaml::Node,
        _: Option<&yaml::Node>,
    ) -> Result<Created, SinkError> {
        self.0 += 1;
        Ok(Created { physical_id: format!("x-{:017x}", self.0), attributes: IndexMap::new() })
    }
    fn delete(&mut self, _: &str, _: &str, _: &Created) -> Result<(), SinkError> {
        Ok(())
    }
}

fn ctx() -> StackContext {
    StackContext {
        stack_name: "s".into(),
        region: "ap-northeast-2".into(),
        account_id: "123456789012".into(),
        azs: vec!["ap-northeast-2a".into(), "ap-northeast-2c".into()],
    }
}

/// Imports a template into a counting sink, on a watched 2 MiB thread.
fn import(text: String) -> Result<usize, FileError> {
    finishes(move || {
        let mut sink = Counting::default();
        vpcsim::cfn::create_stack("t.yaml", &text, &IndexMap::new(), &ctx(), &IndexMap::new(), &mut sink)
            .map(|_| sink.0)
    })
}

fn message(e: &FileError) -> String {
    e.to_string()
}

fn parse(text: String) -> Result<yaml::Node, yaml::YamlError> {
    finishes(move || yaml::parse(&text, &Limits::default()))
}

// ---------------------------------------------------------------- YAML limits

#[test]
fn billion_laughs_is_refused_naming_max_nodes() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        writeln!(text, "a{i}: &a{i} [{refs}]").unwrap();
    }
    let e = parse(text.clone()).unwrap_err();
    assert!(e.message.contains("max_nodes"), "{e}");
    let e = import(format!("Resources: {{}}\nMetadata:\n  {}", text.replace('\n', "\n  "))).unwrap_err();
    assert!(message(&e).contains("max_nodes"), "{e}");
}

#[test]
fn aliases_of_a_long_scalar_are_refused_naming_max_expanded_bytes() {
    let long = "x".repeat(1 << 20);
    let text = format!("a: &a '{long}'\nb: [{}]\n", vec!["*a"; 100].join(", "));
    let e = parse(text).unwrap_err();
    assert!(e.message.contains("max_expanded_bytes"), "{e}");
    assert_eq!(e.loc.line, 2);
}

#[test]
fn nesting_100000_deep_is_refused_early_naming_max_depth() {
    let n = 100_000;
    let docs = [
        "[".repeat(n) + &"]".repeat(n),
        "{a: ".repeat(n) + "x" + &"}".repeat(n),
        "- ".repeat(n) + "x",
        "a: !Base64\n".to_string() + &"- ".repeat(n) + "x",
        "Resources: {R: {Type: AWS::EC2::VPC, Properties: {CidrBlock: ".to_string()
            + &"{\"Fn::Join\": [\"\", [".repeat(n)
            + "x"
            + &"]]}".repeat(n)
            + "}}}",
        "Resources: {R: {Type: AWS::EC2::VPC, Properties: {CidrBlock: ".to_string()
            + &"!If [C, ".repeat(n)
            + "x"
            + &", y]".repeat(n)
            + "}}}",
        "Resources: {R: {Type: AWS::EC2::VPC, Properties: {CidrBlock: ".to_string()
            + &"!Select [0, [".repeat(n)
            + "x"
            + &"]]".repeat(n)
            + "}}}",
    ];
    for doc in docs {
        let e = parse(doc.clone()).unwrap_err();
        assert!(e.message.contains("max_depth"), "{e}");
        assert!(message(&import(doc).unwrap_err()).contains("max_depth"));
    }
}

#[test]
fn the_deepest_intrinsics_the_depth_limit_allows_evaluate_without_overflow() {
    let mut joins = "x".to_string();
    let mut ifs = "x".to_string();
    let mut selects = "x".to_string();
    let mut subs = "x".to_string();
    for _ in 0..40 {
        joins = format!("{{\"Fn::Join\": [\"\", [{joins}]]}}");
        selects = format!("{{\"Fn::Select\": [0, [{selects}]]}}");
        subs = format!("{{\"Fn::Sub\": [\"${{V}}\", {{V: {subs}}}]}}");
    }
    for _ in 0..60 {
        ifs = format!("{{\"Fn::If\": [Yes, {ifs}, n]}}");
    }
    for value in [joins, ifs, selects, subs] {
        let text = format!(
            "Conditions: {{Yes: {{\"Fn::Equals\": [a, a]}}}}\n\
             Resources: {{R: {{Type: AWS::EC2::VPC, Properties: {{CidrBlock: {value}}}}}}}\n"
        );
        // Either evaluates (to "x") or is refused by the depth limit: never a crash.
        match import(text) {
            Ok(n) => assert_eq!(n, 1),
            Err(e) => assert!(message(&e).contains("max_depth"), "{e}"),
        }
    }
}

#[test]
fn a_scalar_over_one_mebibyte_is_refused_naming_max_scalar_bytes() {
    let e = parse(format!("a: {}\n", "x".repeat((1 << 20) + 1))).unwrap_err();
    assert!(e.message.contains("max_scalar_bytes"), "{e}");
}

#[test]
fn a_file_over_eight_mebibytes_is_refused_naming_max_bytes() {
    let text = "# padding\n".repeat(900_000);
    let e = parse(text.clone()).unwrap_err();
    assert!(e.message.contains("max_bytes"), "{e}");
    assert!(message(&import(text).unwrap_err()).contains("max_bytes"));
}

// ---------------------------------------------------------------- templates at scale

fn chain(n: usize, cycle: bool) -> String {
    let mut t = String::from("Resources:\n");
    for i in 0..n {
        let dep = match i {
            0 if cycle => format!("R{}", n - 1),
            0 => String::new(),
            _ => format!("R{}", i - 1),
        };
        write!(t, "  R{i}:\n    Type: AWS::EC2::VPC\n").unwrap();
        if !dep.is_empty() {
            writeln!(t, "    DependsOn: {dep}").unwrap();
        }
    }
    t
}

#[test]
fn a_50000_resource_dependency_chain_is_created_in_order_without_recursion() {
    assert_eq!(import(chain(50_000, false)).unwrap(), 50_000);
}

#[test]
fn a_50000_resource_dependency_cycle_is_reported_briefly_without_recursion() {
    let e = import(chain(50_000, true)).unwrap_err();
    let text = message(&e);
    assert!(text.contains("circular dependency: R0 -> R49999 -> R49998"), "{}", &text[..text.len().min(400)]);
    assert!(text.len() < 2_000, "the cycle is abridged: {} bytes", text.len());
}

#[test]
fn tens_of_thousands_of_broken_references_are_refused_in_bounded_time() {
    let mut t = String::from("Resources:\n");
    for i in 0..30_000 {
        write!(t, "  Res{i}:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: !Ref Nope{i}}}\n")
            .unwrap();
    }
    let e = import(t).unwrap_err();
    assert_eq!(e.problems.len(), 101, "at most 100 problems and a note");
    assert!(e.problems[100].message.contains("more problems not shown"), "{}", e.problems[100]);
}

#[test]
fn a_50000_condition_chain_is_refused_naming_the_nesting_limit() {
    // Each condition uses the next, so evaluating C0 would recurse 50,000 deep.
    let mut t = String::from("Conditions:\n");
    for i in 0..49_999 {
        writeln!(t, "  C{i}: {{Condition: C{}}}", i + 1).unwrap();
    }
    t.push_str(
        "  C49999: {\"Fn::Equals\": [a, a]}\nResources:\n  R:\n    Type: AWS::EC2::VPC\n    Condition: C0\n",
    );
    let e = import(t).unwrap_err();
    assert!(message(&e).contains("more than 256 deep"), "{}", e.problems[0]);
}

#[test]
fn repeating_a_long_parameter_is_refused_naming_max_eval_bytes() {
    let long = "x".repeat(1 << 20);
    let refs = vec!["!Ref P"; 100].join(", ");
    let t = format!(
        "Parameters:\n  P: {{Type: String, Default: '{long}'}}\n\
         Resources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Join ['', [{refs}]]\n"
    );
    let e = import(t).unwrap_err();
    assert!(message(&e).contains("MAX_EVAL_BYTES"), "{}", e.problems[0]);
    assert_eq!(e.problems[0].location.line, 7);
}

#[test]
fn scenario_waits_are_bounded_naming_max_wait_and_max_total_wait() {
    let e = vpcsim::scenario::load_str("s.yaml", "name: s\nsteps:\n  - wait: 999999h\n").unwrap_err();
    assert!(e.to_string().contains("MAX_WAIT"), "{e}");
    let e = vpcsim::scenario::load_str("s.yaml", "name: s\nsteps:\n  - {wait-for: x y, timeout: 25h}\n")
        .unwrap_err();
    assert!(e.to_string().contains("MAX_WAIT"), "{e}");
    let week = "  - wait: 24h\n".repeat(8);
    let e = vpcsim::scenario::load_str("s.yaml", &format!("name: s\nsteps:\n{week}")).unwrap_err();
    assert!(e.to_string().contains("MAX_TOTAL_WAIT"), "{e}");
    assert!(vpcsim::scenario::load_str("s.yaml", "name: s\nsteps:\n  - wait: 24h\n").is_ok());
}

#[test]
fn a_scenario_of_more_than_200_stacks_is_refused_naming_max_stacks() {
    let stacks = "  - {name: s, template: v.cfn.yaml}\n".repeat(201);
    let e =
        vpcsim::scenario::load_str("s.yaml", &format!("name: s\nstacks:\n{stacks}steps:\n  - wait: 1s\n"))
            .unwrap_err();
    assert!(e.to_string().contains("MAX_STACKS"), "{e}");
    assert_eq!(e.problems[0].location.line, 203);
}

#[test]
fn a_long_join_delimiter_or_sub_text_is_refused_before_it_is_built() {
    let long = "x".repeat(1 << 20);
    // Built first, these would be 100 GiB and 200 GiB of text.
    let items = vec!["a"; 100_000].join(", ");
    let join = format!(
        "Resources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Join ['{long}', [{items}]]\n"
    );
    assert!(message(&import(join).unwrap_err()).contains("MAX_EVAL_BYTES"));
    let vars = "${P}".repeat(200_000);
    let sub = format!(
        "Parameters:\n  P: {{Type: String, Default: '{}'}}\nResources:\n  R:\n    Type: AWS::EC2::VPC\n    \
         Properties:\n      CidrBlock: !Sub '{vars}'\n",
        "y".repeat(1 << 20)
    );
    assert!(message(&import(sub).unwrap_err()).contains("MAX_EVAL_BYTES"));
}

// ---------------------------------------------------------------- AWS quotas (Q1)

fn lab() -> Lab {
    Lab::build(LabOptions::default()).expect("the lab builds")
}

fn cidr(s: &str) -> Cidr {
    s.parse().unwrap()
}

fn tcp(port: u16) -> Permission {
    Permission {
        protocol: RuleProtocol::One(Protocol::Tcp),
        ports: PortRange::single(port),
        peer: Peer::Cidr(cidr("0.0.0.0/0")),
        description: None,
    }
}

#[test]
fn routes_per_table_stop_at_50_with_route_limit_exceeded_until_raised() {
    let mut l = lab();
    let w = &mut l.world;
    let igw = RouteTargetSpec::Gateway(w[l.my_igw].aws_id.clone());
    let own = w[l.my_rt].routes.iter().filter(|r| r.destination != cidr("10.0.0.0/16")).count();
    for i in own..50 {
        w.create_route(l.my_rt, Cidr::new(Ipv4Addr::new(100, i as u8, 0, 0), 16), &igw).unwrap();
    }
    let e = w.create_route(l.my_rt, cidr("100.200.0.0/16"), &igw).unwrap_err();
    assert_eq!(e.code, "RouteLimitExceeded");
    assert!(e.message.contains("Routes per route table") && e.message.contains("(50)"), "{e}");
    w.request_service_quota_increase(Quota::RoutesPerTable, 51).unwrap();
    w.create_route(l.my_rt, cidr("100.200.0.0/16"), &igw).unwrap();
}

#[test]
fn rules_per_group_stop_at_60_per_direction_until_raised() {
    let mut l = lab();
    let w = &mut l.world;
    let sg = w.create_security_group(l.my_vpc, "many", "many rules", Tags::new()).unwrap();
    let perms: Vec<Permission> = (1..=60).map(tcp).collect();
    w.authorize_security_group(sg, Direction::Ingress, &perms).unwrap();
    let e = w.authorize_security_group(sg, Direction::Ingress, &[tcp(61)]).unwrap_err();
    assert_eq!(e.code, "RulesPerSecurityGroupLimitExceeded");
    // The other direction counts separately (it holds the default allow-all rule).
    w.authorize_security_group(sg, Direction::Egress, &[tcp(443)]).unwrap();
    w.request_service_quota_increase(Quota::RulesPerGroup, 61).unwrap();
    w.authorize_security_group(sg, Direction::Ingress, &[tcp(61)]).unwrap();
}

#[test]
fn groups_per_interface_stop_at_5_and_can_be_raised_to_16_but_not_17() {
    let mut l = lab();
    let w = &mut l.world;
    let groups: Vec<_> = (0..6)
        .map(|i| w.create_security_group(l.my_vpc, &format!("g{i}"), "g", Tags::new()).unwrap())
        .collect();
    let req = |g: &[_]| CreateNetworkInterface {
        subnet: Some(l.my_subnet),
        groups: g.to_vec(),
        ..Default::default()
    };
    let e = w.create_network_interface(req(&groups)).unwrap_err();
    assert_eq!(e.code, "SecurityGroupsPerInterfaceLimitExceeded");
    w.create_network_interface(req(&groups[..5])).unwrap();
    w.request_service_quota_increase(Quota::GroupsPerInterface, 16).unwrap();
    w.create_network_interface(req(&groups)).unwrap();
    let e = w.request_service_quota_increase(Quota::GroupsPerInterface, 17).unwrap_err();
    assert!(matches!(e, QuotaError::AboveMaximum { maximum: 16, .. }), "{e}");
}

#[test]
fn nacl_entries_stop_at_20_per_direction_and_can_be_raised_to_40() {
    let mut l = lab();
    let w = &mut l.world;
    let acl = w.create_network_acl(l.my_vpc, Tags::new());
    let entry = |n: u16| acl_entry(n, RuleProtocol::All, PortRange::ALL, cidr("0.0.0.0/0"), true);
    for n in 1..=20 {
        w.create_network_acl_entry(acl, Direction::Ingress, entry(n)).unwrap();
    }
    let e = w.create_network_acl_entry(acl, Direction::Ingress, entry(21)).unwrap_err();
    assert_eq!(e.code, "NetworkAclEntryLimitExceeded");
    w.create_network_acl_entry(acl, Direction::Egress, entry(21)).unwrap();
    w.request_service_quota_increase(Quota::NaclRulesPerDirection, 40).unwrap();
    w.create_network_acl_entry(acl, Direction::Ingress, entry(21)).unwrap();
    assert!(w.request_service_quota_increase(Quota::NaclRulesPerDirection, 41).is_err());
    assert_eq!(w[acl].ingress.last().map(|e| e.action), Some(Action::Allow));
}

#[test]
fn subnets_per_vpc_stop_at_200_with_subnet_limit_exceeded_until_raised() {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    let vpc = w.create_vpc(CreateVpc { cidr: Some(cidr("10.0.0.0/16")), ..Default::default() }).unwrap();
    let subnet = |i: u32| CreateSubnet {
        vpc: Some(vpc),
        cidr: Some(Cidr::new(Ipv4Addr::from(0x0a00_0000 | (i << 4)), 28)),
        ..Default::default()
    };
    for i in 0..200 {
        w.create_subnet(subnet(i)).unwrap();
    }
    let e = w.create_subnet(subnet(200)).unwrap_err();
    assert_eq!(e.code, "SubnetLimitExceeded");
    w.request_service_quota_increase(Quota::SubnetsPerVpc, 201).unwrap();
    w.create_subnet(subnet(200)).unwrap();
}

#[test]
fn interface_endpoints_per_vpc_stop_at_50_with_vpc_endpoint_limit_exceeded_until_raised() {
    let mut l = lab();
    let w = &mut l.world;
    let svc = w.create_vpc_endpoint_service_configuration(&[l.nlb], false, None, Tags::new()).unwrap();
    let name = w[svc].service_name.clone();
    let req = || CreateVpcEndpoint {
        vpc: Some(l.my_vpc),
        service_name: name.clone(),
        subnets: vec![l.my_subnet],
        ..Default::default()
    };
    for _ in 0..50 {
        w.create_vpc_endpoint(req()).unwrap();
    }
    assert_eq!(w.create_vpc_endpoint(req()).unwrap_err().code, "VpcEndpointLimitExceeded");
    w.request_service_quota_increase(Quota::InterfaceEndpointsPerVpc, 51).unwrap();
    w.create_vpc_endpoint(req()).unwrap();
}

#[test]
fn targets_per_group_stop_at_1000_with_too_many_targets_until_raised() {
    let mut l = lab();
    let w = &mut l.world;
    let existing = w[l.tg].targets.len() as u16;
    let specs: Vec<TargetSpec> = (existing..1000)
        .map(|p| TargetSpec { target: TargetRef::Instance(l.web1), port: Some(2000 + p) })
        .collect();
    w.register_targets(l.tg, &specs).unwrap();
    let one = [TargetSpec { target: TargetRef::Instance(l.web2), port: Some(9999) }];
    assert_eq!(w.register_targets(l.tg, &one).unwrap_err().code, "TooManyTargets");
    w.request_service_quota_increase(Quota::TargetsPerGroup, 1001).unwrap();
    w.register_targets(l.tg, &one).unwrap();
}

#[test]
fn quotas_are_raised_not_lowered_and_rules_times_groups_stays_within_1000() {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    assert!(matches!(
        w.request_service_quota_increase(Quota::SubnetsPerVpc, 100),
        Err(QuotaError::BelowDefault { .. })
    ));
    w.request_service_quota_increase(Quota::RulesPerGroup, 200).unwrap();
    let e = w.request_service_quota_increase(Quota::GroupsPerInterface, 6).unwrap_err();
    assert!(e.to_string().contains("1000"), "{e}");
    assert_eq!(w.quotas().get(Quota::GroupsPerInterface), 5);
}
