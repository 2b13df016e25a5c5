//! Mutation fuzzing on stable, inside `cargo test`: proptest mutates every file in
//! scenarios/ (templates `*.cfn.yaml` are imported into a world, scenario files are
//! loaded and run) by deleting, duplicating and swapping lines, changing scalars and
//! their types, inserting unknown keys, intrinsics and YAML syntax, and truncating.
//!
//! For every mutant: no panic (caught), no runaway work (a mutant that allocates more than
//! [`WORK_BUDGET`] bytes fails: a budget by count, not by the wall clock), and either success or an error whose every problem has a line and column inside the
//! file it names (and a refused template leaves the world as it was). Templates that still import must keep the security invariant: a curl
//! from My-EC2 to the NLB that is delivered passes only security groups whose named rule
//! exists in the mutant's world and admits the packet.
//!
//! Cases per file: 150 by default; set `PROPTEST_CASES=5000` (for example) for a longer
//! run. Mutants that once failed live in tests/data/fuzz-regressions/ and run first.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use indexmap::IndexMap;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use vpcsim::apps::curl::Curl;
use vpcsim::cfn::AttrValue;
use vpcsim::error::FileError;
use vpcsim::model::security_group::Peer;
use vpcsim::scenario;
use vpcsim::session::Session;
use vpcsim::trace::{ComponentKind, Direction, Matched, Trace};
use vpcsim::world::{Handle, World};

/// The most bytes one mutant's work may allocate (freed ones included). The seed files
/// take a few megabytes; a loop simulating ticks, a quadratic blow-up or an unbounded step
/// crosses it and fails by count, whatever the machine's speed.
const WORK_BUDGET: u64 = 256 << 20;

/// Counts the bytes each thread allocates, so a mutant's cost is asserted by counting.
struct PerThreadCounting;

thread_local! {
    static ALLOCATED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

unsafe impl std::alloc::GlobalAlloc for PerThreadCounting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size() as u64));
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: PerThreadCounting = PerThreadCounting;

/// Outcomes seen, printed with `--nocapture` to show the mutants reach deep.
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
static DELIVERED: AtomicUsize = AtomicUsize::new(0);
/// The most bytes one mutant's work allocated.
static MOST_ALLOCATED: AtomicU64 = AtomicU64::new(0);

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(150)
}

// ---------------------------------------------------------------- mutations

/// Scalars and shapes put where a value was.
const VALUES: &[&str] = &[
    "",
    "~",
    "0",
    "-1",
    "65536",
    "99999999999999999999",
    "1e309",
    ".nan",
    "true",
    "[]",
    "{}",
    "[a, b]",
    "{k: v}",
    "'${Nope}'",
    "!Ref Nope",
    "!Ref AWS::NoValue",
    "!Ref AWS::Nope",
    "!GetAtt CustomNLB.Nope",
    "!GetAtt [CustomNLB]",
    "!Select [99, [a]]",
    "!Select [-1, []]",
    "!Select ['1', !GetAZs '']",
    "!Join [',', a]",
    "!Join ['', [!Ref AWS::NoValue, b]]",
    "!Split ['', x]",
    "!Cidr [10.0.0.0/16, 300, 40]",
    "!Cidr [10.0.0.0/33, 1, 1]",
    "!Cidr [10.0.0.0/16, 256, 8]",
    "!Sub '${AWS::Region}-${Nope.Attr}'",
    "!Sub ['${A}', {A: [x]}]",
    "!If [Nope, a, b]",
    "!FindInMap [A, B, C]",
    "!Base64 [a]",
    "!GetAZs 1",
    "!ImportValue x",
    "!Equals [a]",
    "!Not [a, b]",
    "!Foo bar",
    "{Fn::Nope: x}",
    "{Ref: [a]}",
    "10.0.0.0/8",
    "255.255.255.255/32",
    "0.0.0.0/0",
    "10.0.0.0/28",
    "20.0.0.0/16",
    "10.0.0.4",
    "ap-northeast-2z",
    "AWS::EC2::Nope",
    "Custom::Thing",
    "AWS::S3::Bucket",
    "*nope",
    "&anchor x",
    "\"unterminated",
    "'",
    "\t",
    "💥",
    "i-00000000000000000",
    "My-EC2",
    "${CustomNLB.DNSName}",
    "${svc.Nope[3]}",
    "${Nope",
    "curl",
    "curl -Z http://x/",
    "curl http://[::1/",
    "dig +short",
    "dig @999.1.1.1 x",
    "aws ec2 nope",
    "aws elbv2 describe-target-health --target-group-arn",
    "aws ec2 create-vpc-endpoint --vpc-id",
    "ping -c 0 x",
    "ping -c 99999999999 x",
    "nc -z host 70000",
    "nc -z host 0",
    "999999h",
    "0s",
    "-1s",
    "18446744073709551616",
    "tcp",
    "-1",
    "icmp",
];

/// Lines inserted as they are, indented like the line they precede.
const LINES: &[&str] = &[
    "Foo: bar",
    "Condition: Nope",
    "DependsOn: Nope",
    "DependsOn: [MyVPC, MyVPC]",
    "DependsOn: CustomNLB",
    "Type: AWS::EC2::VPC",
    "Properties: {}",
    "Metadata: {a: b}",
    "Fn::If: [a, b, c]",
    "Ref: MyVPC",
    "expect: {fails: maybe}",
    "timeout: 99999h",
    "on: Nobody",
    "save: x",
    "- wait: 1s",
    "- run: aws ec2 describe-vpcs --nope",
    "- wait-for: Nope available",
    "- {}",
    "- ",
    "? complex",
    "<<: *nope",
    "%YAML 1.2",
    "---",
    "...",
];

/// Single characters inserted anywhere.
const CHARS: &[&str] = &[
    "\t", "\"", "'", "{", "[", "]", ":", "&", "*", "!", "%", "|", ">", "#", "\0", "\u{feff}", " ", "\n",
    "- ", "\\",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(Index),
    Duplicate(Index),
    Swap(Index, Index),
    Value(Index, Index),
    InsertLine(Index, Index),
    InsertChar(Index, Index),
    Truncate(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Value(a, b)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::InsertLine(a, b)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::InsertChar(a, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Replaces the value of a `key: value` or `- value` line (or the whole line).
fn replace_value(line: &str, value: &str) -> String {
    if let Some(at) = line.find(": ") {
        return format!("{}: {value}", &line[..at]);
    }
    if let Some(rest) = line.trim_start().strip_prefix("- ") {
        let _ = rest;
        return format!("{}- {value}", indent_of(line));
    }
    if line.trim_end().ends_with(':') {
        return format!("{} {value}", line.trim_end());
    }
    format!("{}{value}", indent_of(line))
}

fn char_boundary(text: &str, i: usize) -> usize {
    (0..=i.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0)
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    match m {
        Mutation::Delete(i) => {
            lines.remove(i.index(n));
        }
        Mutation::Duplicate(i) => {
            let i = i.index(n);
            lines.insert(i, lines[i].clone());
        }
        Mutation::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
        Mutation::Value(i, v) => {
            let i = i.index(n);
            let long = "x".repeat(5000);
            let pool: Vec<&str> = VALUES.iter().copied().chain([long.as_str()]).collect();
            lines[i] = replace_value(&lines[i], pool[v.index(pool.len())]);
        }
        Mutation::InsertLine(i, l) => {
            let i = i.index(n);
            let indent = indent_of(&lines[i]).to_string();
            lines.insert(i, format!("{indent}{}", LINES[l.index(LINES.len())]));
        }
        Mutation::InsertChar(at, c) => {
            let at = char_boundary(text, at.index(text.len() + 1));
            return format!("{}{}{}", &text[..at], CHARS[c.index(CHARS.len())], &text[at..]);
        }
        Mutation::Truncate(at) => return text[..char_boundary(text, at.index(text.len() + 1))].to_string(),
    }
    lines.join("\n") + "\n"
}

/// Values each field of a security-group rule may hold, right or wrong.
const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "'-1'", "'6'", "'17'", "tcp"];
const PORTS: &[&str] = &["'80'", "80", "79", "81", "'22'", "0", "-1", "65535", "1", "'80'"];
const CIDRS: &[&str] = &[
    "0.0.0.0/0",
    "0.0.0.0/1",
    "128.0.0.0/1",
    "10.0.0.0/16",
    "20.0.0.0/16",
    "10.0.0.0/8",
    "1.2.3.4/32",
    "255.255.255.255/32",
    "20.0.0.0/24",
    "3.0.0.0/8",
    "15.0.0.0/8",
];

/// Lines that add, remove or widen rules, by where they go.
const GROUP_LINES: &[&str] = &[
    "SecurityGroupEgress: []",
    "SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 10.0.0.0/32}]",
    "SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0}]",
];
const ITEM_LINES: &[&str] = &[
    "- {IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 10.0.0.0/16}",
    "- {IpProtocol: tcp, FromPort: 80, ToPort: 80, SourceSecurityGroupId: !Ref CustomWebSG}",
    "- {IpProtocol: '-1', CidrIp: 20.0.0.0/16}",
    "- {IpProtocol: icmp, FromPort: -1, ToPort: -1, CidrIp: 0.0.0.0/0}",
    "- {IpProtocol: tcp, FromPort: 81, ToPort: 79, CidrIp: 0.0.0.0/0}",
];

/// A mutation of the security-group rules only: the template keeps importing more often,
/// so the security invariant is checked on many configurations.
fn rule_mutation() -> impl Strategy<Value = (Index, Index, u8)> {
    (any::<Index>(), any::<Index>(), 0u8..5)
}

fn mutate_rules(text: &str, (at, pick, kind): &(Index, Index, u8)) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let field = |l: &str| l.trim_start().trim_start_matches("- ").split(':').next().unwrap_or("").to_string();
    let rule_lines: Vec<usize> = (0..lines.len())
        .filter(|i| {
            ["IpProtocol", "FromPort", "ToPort", "CidrIp", "SecurityGroupIngress"]
                .contains(&field(&lines[*i]).as_str())
        })
        .collect();
    if rule_lines.is_empty() {
        return text.to_string(); // every rule is gone already
    }
    let i = rule_lines[at.index(rule_lines.len())];
    let pool = |p: &[&'static str]| p[pick.index(p.len())];
    let (line, indent) = (lines[i].clone(), indent_of(&lines[i]).to_string());
    let values = match field(&line).as_str() {
        "IpProtocol" => PROTOCOLS,
        "FromPort" | "ToPort" => PORTS,
        _ => CIDRS,
    };
    match kind {
        0 | 1 if field(&line) == "SecurityGroupIngress" => {
            lines.insert(i, format!("{indent}{}", pool(GROUP_LINES)))
        }
        2 if line.trim_start().starts_with("- ") => lines.insert(i, format!("{indent}{}", pool(ITEM_LINES))),
        3 if line.trim_start().starts_with("- ") || field(&line) == "SecurityGroupIngress" => {
            // Remove the rule (or every inbound rule) with the lines under it.
            let end = (i + 1..lines.len())
                .find(|j| lines[*j].trim().is_empty() || indent_of(&lines[*j]).len() <= indent.len())
                .unwrap_or(lines.len());
            lines.drain(i..end);
        }
        _ if field(&line) != "SecurityGroupIngress" => lines[i] = replace_value(&line, pool(values)),
        _ => {}
    }
    lines.join("\n") + "\n"
}

/// Whole steps a learner might add: plausible commands against the lab, waits of any length.
const STEPS: &[&str] = &[
    "- run: aws ec2 describe-vpcs",
    "- run: aws ec2 create-route --route-table-id ${MyPublicRT} --destination-cidr-block 1.0.0.0/8 --gateway-id ${MyIGW}",
    "- run: aws ec2 delete-route --route-table-id ${MyPublicRT} --destination-cidr-block 0.0.0.0/0",
    "- run: aws ec2 revoke-security-group-ingress --group-id ${CustomWebSG} --protocol tcp --port 80 --cidr 0.0.0.0/0",
    "- run: aws ec2 authorize-security-group-ingress --group-id ${WebSG} --protocol tcp --port 80 --cidr 0.0.0.0/0",
    "- run: aws ec2 authorize-security-group-egress --group-id ${WebSG} --protocol -1 --cidr 10.0.0.0/8",
    "- run: aws elbv2 deregister-targets --target-group-arn ${CustomNLBTG} --targets Id=${CustomWeb1EC2}",
    "- run: aws elbv2 register-targets --target-group-arn ${CustomNLBTG} --targets Id=${MyEC2}",
    "- run: aws ec2 terminate-instances --instance-ids ${CustomWeb2EC2}",
    "- run: aws ec2 detach-internet-gateway --internet-gateway-id ${CustomIGW} --vpc-id ${CustomVPC}",
    "- run: aws ec2 terminate-instances --instance-ids ${MyEC2}",
    "- run: aws ec2 detach-internet-gateway --internet-gateway-id ${MyIGW} --vpc-id ${MyVPC}",
    "- run: aws ec2 modify-instance-attribute --instance-id ${MyEC2} --groups ${WebSG} ${WebSG}",
    "- run: aws cloudformation delete-stack --stack-name privatelink-lab",
    "- run: aws ec2 reject-vpc-endpoint-connections --service-id ${svc.ServiceConfiguration.ServiceId} --vpc-endpoint-ids ${vpce.VpcEndpoint.VpcEndpointId}",
    "- run: aws ec2 delete-vpc-endpoints --vpc-endpoint-ids ${vpce.VpcEndpoint.VpcEndpointId}",
    "- {on: My-EC2, run: 'curl http://${CustomNLB.DNSName}/'}",
    "- {on: My-EC2, run: 'curl -m 1 http://${CustomNLB.DNSName}:81/', expect: {fails: true}}",
    "- {on: My-EC2, run: 'ping -c 2 ${CustomNLB.DNSName}'}",
    "- {on: Custom-WEB-1, run: 'nc -z -w 1 ${MyEC2.PrivateIp} 22'}",
    "- {on: My-EC2, run: 'dig +short ${CustomNLB.DNSName}', expect: {answers-in: 0.0.0.0/0}}",
    "- {on: My-EC2, run: 'curl http://${vpce.VpcEndpoint.DnsEntries[0].DnsName}/'}",
    "- {on: My-EC2, run: 'curl http://checkip.amazonaws.com/'}",
    "- wait: 0s",
    "- wait: 24h",
    "- wait: 25h",
    "- wait: 999999h",
    "- {wait-for: Custom-NLB-TG healthy, timeout: 24h}",
    "- {wait-for: Custom-NLB-TG healthy, timeout: 999999h}",
    "- {wait-for: CustomNLB deleted, timeout: 1s}",
    "- {wait-for: '${vpce.VpcEndpoint.VpcEndpointId} available'}",
];

/// Adds, removes or moves whole steps (lines `  - ` under `steps:` and what follows them).
fn mutate_steps(text: &str, (at, pick, kind): &(Index, Index, u8)) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let Some(first) = lines.iter().position(|l| l.starts_with("steps:")) else { return text.to_string() };
    let starts: Vec<usize> = (first + 1..lines.len()).filter(|i| lines[*i].starts_with("  - ")).collect();
    if starts.is_empty() {
        return text.to_string();
    }
    let k = at.index(starts.len());
    let end = starts.get(k + 1).copied().unwrap_or(lines.len());
    match kind {
        0 | 1 => lines.insert(starts[k], format!("  {}", STEPS[pick.index(STEPS.len())])),
        2 => {
            lines.drain(starts[k]..end);
        }
        _ => {
            let block: Vec<String> = lines.drain(starts[k]..end).collect();
            let to = starts[pick.index(starts.len())].min(lines.len());
            for (j, l) in block.into_iter().enumerate() {
                lines.insert(to + j, l);
            }
        }
    }
    lines.join("\n") + "\n"
}

fn mutate(text: &str, ms: &[Mutation]) -> String {
    ms.iter().fold(text.to_string(), |t, m| apply(&t, m))
}

// ---------------------------------------------------------------- the checks

fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

/// Every problem has a line and column inside the file it names.
fn check_located(err: &FileError, files: &BTreeMap<String, usize>) -> Result<(), String> {
    REFUSED.fetch_add(1, Relaxed);
    if std::env::var("VPCSIM_FUZZ_SHOW").is_ok() {
        eprintln!("refused: {}", err.problems[0]);
    }
    if err.problems.is_empty() {
        return Err("an error without any problem".into());
    }
    for p in &err.problems {
        let lines = files.get(&p.file).copied().ok_or_else(|| format!("problem in unknown file: {p}"))?;
        if p.location.line == 0 || p.location.column == 0 || p.location.line > lines {
            return Err(format!("location {} outside {} ({lines} lines): {p}", p.location, p.file));
        }
    }
    Ok(())
}

/// Runs `work` on its own thread; a panic, or more than [`WORK_BUDGET`] bytes allocated,
/// fails with `what`.
fn guarded(what: &str, work: impl FnOnce() -> Result<(), String> + Send) -> Result<(), String> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().stack_size(8 << 20).spawn_scoped(scope, || {
            let start = ALLOCATED.with(|a| a.get());
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            (r, ALLOCATED.with(|a| a.get()) - start)
        });
        let (r, allocated) =
            thread.map_err(|e| e.to_string())?.join().map_err(|_| format!("crashed ({what})"))?;
        let r = r.unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        });
        MOST_ALLOCATED.fetch_max(allocated, Relaxed);
        if allocated > WORK_BUDGET {
            return Err(format!("allocated {allocated} bytes, above the budget of {WORK_BUDGET} ({what})"));
        }
        r.map_err(|e| format!("{e}\n--- mutant ({what}) ---\n"))
    })
}

fn lab_params() -> IndexMap<String, String> {
    IndexMap::from([("KeyName".to_string(), "lab-key".to_string())])
}

/// A template mutant: import, and if it imports, the security invariant holds.
fn check_template(file: &str, text: &str) -> Result<(), String> {
    let mut world = World::in_region("ap-northeast-2", 7).expect("known region");
    let files = BTreeMap::from([(file.to_string(), line_count(text))]);
    let before = format!("{world:?}");
    let stack =
        match vpcsim::stack::create_stack(&mut world, "lab", file, text, &lab_params(), &IndexMap::new()) {
            Ok(s) => s,
            Err(e) if before != format!("{world:?}") => {
                return Err(format!("a refused stack changed the world: {e}"))
            }
            Err(e) => return check_located(&e, &files),
        };
    ACCEPTED.fetch_add(1, Relaxed);
    let Some((_, nlb)) = stack.resources.get("CustomNLB") else { return Ok(()) };
    let Some(AttrValue::Str(dns)) = nlb.attributes.get("DNSName") else { return Ok(()) };
    let Some(&client) = world.instances_named("My-EC2").first() else { return Ok(()) };
    world.advance(Duration::from_secs(600));
    let req = Curl {
        host: dns.clone(),
        port: 80,
        path: "/".into(),
        connect_timeout: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    };
    let out = world.curl(client, &req);
    match &out.trace {
        Some(trace) if trace.delivered.is_some() => {
            DELIVERED.fetch_add(1, Relaxed);
            every_group_hop_allows(&world, trace)
        }
        _ => Ok(()),
    }
}

/// The security invariant: each security-group hop of a delivered forward path names a
/// rule that exists in `world` and admits the packet as it arrived there.
fn every_group_hop_allows(world: &World, trace: &Trace) -> Result<(), String> {
    for hop in trace.forward.iter().filter(|h| h.kind == ComponentKind::SecurityGroup) {
        let Some(Matched::SecurityGroupRule { direction, group_id, .. }) = &hop.matched else {
            return Err(format!(
                "delivered, but security group hop {} names no allowing rule: {trace:?}",
                hop.id
            ));
        };
        let Some(Handle::Sg(sg)) = world.find(group_id) else {
            return Err(format!("hop names group {group_id}, which does not exist"));
        };
        let header = hop.inbound.unwrap_or(trace.flow);
        let group = &world[sg];
        let (rules, peer_addr) = match direction {
            Direction::Ingress => (&group.ingress, header.src),
            Direction::Egress => (&group.egress, header.dst),
        };
        let holds = |peer: &Peer| match peer {
            Peer::Cidr(c) => c.contains(peer_addr),
            Peer::Group(g) => {
                world.enis().values().any(|e| !e.deleted && e.private_ip == peer_addr && e.groups.contains(g))
            }
            Peer::PrefixList(p) => world[p].entries.iter().any(|entry| entry.cidr.contains(peer_addr)),
        };
        if !rules.iter().any(|r| r.admits(header.protocol, header.dst_port) && holds(&r.peer)) {
            return Err(format!("{group_id} {direction:?} has no rule admitting {header:?}: {trace:?}"));
        }
    }
    Ok(())
}

/// A scenario mutant: load, create stacks, run; errors are located in the file they name.
fn check_scenario(path: &Path, text: &str) -> Result<(), String> {
    let name = path.display().to_string();
    let mut files = BTreeMap::from([(name.clone(), line_count(text))]);
    let s = match scenario::load_str(&name, text) {
        Ok(s) => s,
        Err(e) => return check_located(&e, &files),
    };
    for stack in &s.stacks {
        if let scenario::TemplateSource::File(f) = &stack.template {
            let p = path.parent().unwrap_or(Path::new(".")).join(f);
            if let Ok(t) = std::fs::read_to_string(&p) {
                files.insert(p.display().to_string(), line_count(&t));
            }
        }
    }
    let mut session = match Session::for_scenario(&s) {
        Ok(session) => session,
        Err(e) => return check_located(&e, &files),
    };
    match scenario::run(&s, &mut session) {
        Ok(_) => {
            ACCEPTED.fetch_add(1, Relaxed);
            Ok(())
        }
        Err(e) => check_located(&e, &files),
    }
}

fn check_file(path: &Path, text: String) -> Result<(), String> {
    let what = path.display().to_string();
    if what.ends_with(".cfn.yaml") || what.ends_with(".json") {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        guarded(&what, move || check_template(&file, &text))
    } else {
        let p = path.to_path_buf();
        guarded(&what, move || check_scenario(&p, &text))
    }
}

// ---------------------------------------------------------------- the tests

fn fuzz_file(path: &Path) {
    let seed = std::fs::read_to_string(path).expect("readable scenario file");
    // The unmutated file must pass the same checks.
    check_file(path, seed.clone()).unwrap_or_else(|e| panic!("{e}"));
    let config =
        Config { cases: cases(), failure_persistence: None, max_shrink_iters: 20, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(mutation(), 1..4), |ms| {
        let text = mutate(&seed, &ms);
        check_file(path, text.clone()).map_err(|e| {
            save_failure(path, &text);
            TestCaseError::fail(format!("{e}\n{ms:?}\n{text}"))
        })
    });
    if let Err(e) = result {
        panic!("{}: {e}", path.display());
    }
    let (a, r, d) = (ACCEPTED.swap(0, Relaxed), REFUSED.swap(0, Relaxed), DELIVERED.swap(0, Relaxed));
    let most = MOST_ALLOCATED.swap(0, Relaxed);
    eprintln!(
        "{}: {a} accepted ({d} delivered curls), {r} refused with a location; at most {most} bytes allocated by one mutant",
        path.display()
    );
}

/// With `VPCSIM_FUZZ_SAVE=DIR`, a failing mutant is written there under its file's name
/// (to be minimised and committed to tests/data/fuzz-regressions/).
fn save_failure(path: &Path, text: &str) {
    if let (Ok(dir), Some(name)) = (std::env::var("VPCSIM_FUZZ_SAVE"), path.file_name()) {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(Path::new(&dir).join(name), text);
    }
}

fn files_ending(dir: &Path, pick: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.file_name().map(|n| pick(&n.to_string_lossy())).unwrap_or(false));
    v.sort();
    v
}

#[test]
fn template_mutants_import_or_fail_with_a_location_and_never_deliver_what_rules_block() {
    for path in files_ending(&scenarios_dir(), |n| n.ends_with(".cfn.yaml")) {
        fuzz_file(&path);
    }
}

#[test]
fn security_group_mutants_never_deliver_what_their_rules_block() {
    let path = scenarios_dir().join("privatelink-lab.cfn.yaml");
    let seed = std::fs::read_to_string(&path).expect("the seed template");
    let config =
        Config { cases: cases(), failure_persistence: None, max_shrink_iters: 20, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(rule_mutation(), 1..4), |ms| {
        let text = ms.iter().fold(seed.clone(), |t, m| mutate_rules(&t, m));
        check_file(&path, text.clone()).map_err(|e| {
            save_failure(&path, &text);
            TestCaseError::fail(format!("{e}\n{ms:?}\n{text}"))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (a, r, d) = (ACCEPTED.swap(0, Relaxed), REFUSED.swap(0, Relaxed), DELIVERED.swap(0, Relaxed));
    eprintln!("security-group mutants: {a} accepted ({d} delivered curls), {r} refused with a location");
}

#[test]
fn scenario_step_mutants_run_or_fail_with_a_location_and_never_hang() {
    for path in files_ending(&scenarios_dir(), |n| n.ends_with(".yaml") && !n.ends_with(".cfn.yaml")) {
        let seed = std::fs::read_to_string(&path).expect("readable scenario file");
        let config = Config {
            cases: cases() / 3 + 1,
            failure_persistence: None,
            max_shrink_iters: 20,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&prop::collection::vec(rule_mutation(), 1..5), |ms| {
            let text = ms.iter().fold(seed.clone(), |t, m| mutate_steps(&t, m));
            check_file(&path, text.clone()).map_err(|e| {
                save_failure(&path, &text);
                TestCaseError::fail(format!("{e}\n{ms:?}\n{text}"))
            })
        });
        if let Err(e) = result {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn scenario_mutants_run_or_fail_with_a_location_and_never_panic_or_hang() {
    for path in files_ending(&scenarios_dir(), |n| n.ends_with(".yaml") && !n.ends_with(".cfn.yaml")) {
        fuzz_file(&path);
    }
}

/// The seed template as JSON (short tags in their long forms), one value a line.
fn as_json(node: &vpcsim::yaml::Node) -> serde_json::Value {
    use serde_json::Value;
    use vpcsim::yaml::NodeValue;
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Int(i) => Value::from(*i),
        NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        NodeValue::Str(s) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::Array(items.iter().map(as_json).collect()),
        NodeValue::Map(entries) => {
            Value::Object(entries.iter().map(|(k, v)| (k.name.clone(), as_json(v))).collect())
        }
    }
}

/// JSON templates go through the same loader: the seed, as JSON, mutated line by line.
#[test]
fn json_template_mutants_import_or_fail_with_a_location() {
    let seed = std::fs::read_to_string(scenarios_dir().join("privatelink-lab.cfn.yaml")).expect("seed");
    let node = vpcsim::yaml::parse(&seed, &vpcsim::yaml::Limits::default()).expect("the seed parses");
    let node = vpcsim::cfn::intrinsic::normalize(node, &mut Vec::new());
    let json = serde_json::to_string_pretty(&as_json(&node)).expect("JSON") + "\n";
    let path = scenarios_dir().join("privatelink-lab.cfn.json");
    let mut world = World::in_region("ap-northeast-2", 7).expect("known region");
    let imported =
        vpcsim::stack::create_stack(&mut world, "lab", "t.json", &json, &lab_params(), &IndexMap::new());
    assert!(imported.is_ok(), "the JSON seed imports: {imported:?}");
    check_file(&path, json.clone()).unwrap_or_else(|e| panic!("the JSON seed itself: {e}"));
    let config =
        Config { cases: cases(), failure_persistence: None, max_shrink_iters: 20, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(mutation(), 1..3), |ms| {
        let text = mutate(&json, &ms);
        check_file(&path, text.clone()).map_err(|e| {
            save_failure(&path, &text);
            TestCaseError::fail(format!("{e}\n{ms:?}\n{text}"))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Arbitrary text (YAML-ish characters and any Unicode) is parsed, imported as a template
/// and loaded as a scenario without a panic, and refused with a location inside it.
#[test]
fn arbitrary_text_is_refused_with_a_location_or_accepted() {
    let config =
        Config { cases: cases() * 2, failure_persistence: None, max_shrink_iters: 20, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let text = prop_oneof!["[-\\[\\]{}:,&*!|>'\"#%@`?~ \n\ta-zA-Z0-9.]{0,200}", "\\PC{0,100}"];
    let result = runner.run(&text, |text| {
        let template = scenarios_dir().join("t.cfn.yaml");
        let scenario = scenarios_dir().join("s.yaml");
        for path in [template, scenario] {
            check_file(&path, text.clone()).map_err(|e| TestCaseError::fail(format!("{e}\n{text:?}")))?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Mutants that once failed: `*.cfn.yaml` are templates; other `*.yaml` are scenario
/// files, run as if they sat in scenarios/ (so their templates resolve there).
#[test]
fn past_fuzz_findings_stay_fixed() {
    for path in files_ending(&regressions_dir(), |n| n.ends_with(".yaml")) {
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = path.file_name().expect("a file name");
        let as_if = if name.to_string_lossy().ends_with(".cfn.yaml") {
            path.clone()
        } else {
            scenarios_dir().join(name)
        };
        check_file(&as_if, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn value_mutation_replaces_what_follows_the_key_or_the_dash() {
    assert_eq!(replace_value("  a: 1", "x"), "  a: x");
    assert_eq!(replace_value("  - c", "x"), "  - x");
    assert_eq!(replace_value("b:", "x"), "b: x");
    assert_eq!(char_boundary("é", 1), 0);
}
