//! CloudFormation import (`stack::create_stack`): the seed template verbatim, and a
//! generated template of 10,000 resources (1,000 copies of a 10-resource public
//! VPC with two instances). Alternatives in the same group: parsing the YAML alone
//! (the floor of any import). Throughput is resources per second.
//! The `import_scale` group is about totals: 100,000 resources in one template and
//! 200 stacks of 1,000 resources created one after another into one world (10,000
//! copies, and 200 x 100 copies, of a 10-resource block written compactly, which keeps
//! the big template under the 8 MiB file limit).
//! `cargo bench --bench import`.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use indexmap::IndexMap;
use vpcsim::stack::create_stack;
use vpcsim::world::World;
use vpcsim::yaml::{parse, Limits};

const SEED: &str = include_str!("../scenarios/privatelink-lab.cfn.yaml");

/// Ten resources per block: VPC, gateway and attachment, route table, default route,
/// subnet and its association, a web security group, two instances.
const BLOCK: &str = r"  Vpc@:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.B.0.0/16
      Tags:
        - Key: Name
          Value: vpc-@
  Igw@:
    Type: AWS::EC2::InternetGateway
  Att@:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      InternetGatewayId: !Ref Igw@
      VpcId: !Ref Vpc@
  Rt@:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc@
  Route@:
    Type: AWS::EC2::Route
    DependsOn: Att@
    Properties:
      RouteTableId: !Ref Rt@
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Igw@
  Sn@:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc@
      AvailabilityZone: !Select [0, !GetAZs '']
      CidrBlock: 10.B.0.0/24
  Assoc@:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      RouteTableId: !Ref Rt@
      SubnetId: !Ref Sn@
  Sg@:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc@
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          CidrIp: 0.0.0.0/0
  WebA@:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: t2.micro
      ImageId: ami-0123456789abcdef0
      NetworkInterfaces:
        - DeviceIndex: 0
          SubnetId: !Ref Sn@
          GroupSet:
            - !Ref Sg@
          AssociatePublicIpAddress: true
  WebB@:
    Type: AWS::EC2::Instance
    Properties:
      InstanceType: t2.micro
      ImageId: ami-0123456789abcdef0
      NetworkInterfaces:
        - DeviceIndex: 0
          SubnetId: !Ref Sn@
          GroupSet:
            - !Ref Sg@
          AssociatePublicIpAddress: true
";

fn generated(blocks: usize) -> String {
    let mut t = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    for k in 0..blocks {
        t.push_str(&BLOCK.replace('@', &k.to_string()).replace(".B.", &format!(".{}.", k % 250)));
    }
    t
}

fn import(c: &mut Criterion) {
    let params = IndexMap::from([("KeyName".to_string(), "lab-key".to_string())]);
    let none = IndexMap::new();
    let fresh = || World::in_region("ap-northeast-2", 7).unwrap();
    let blocks = common::size(1_000, 20);
    let big = generated(blocks);
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    for (label, text, resources, p) in
        [("seed", SEED, 22, &params), ("generated", big.as_str(), blocks * 10, &none)]
    {
        let mut w = fresh();
        let stack = create_stack(&mut w, "s", "t.yaml", text, p, &none).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stack.resources.len(), resources);
        g.throughput(Throughput::Elements(resources as u64));
        g.bench_with_input(BenchmarkId::new("vpcsim", label), text, |b, text| {
            b.iter_batched(
                fresh,
                |mut w| create_stack(&mut w, "s", "t.yaml", text, p, &none).map(|_| w),
                criterion::BatchSize::LargeInput,
            )
        });
        g.bench_with_input(BenchmarkId::new("yaml-parse-only", label), text, |b, text| {
            b.iter(|| parse(black_box(text), &Limits::default()).unwrap())
        });
    }
    g.finish();
}

/// Ten resources like [`BLOCK`]'s in flow style, with an Elastic IP for the second instance and
/// the default security group on the instance: about 834 bytes per block (8.34 MB at 10,000, under the
/// 8 MiB limit). Every VPC has the same block: VPCs may overlap.
const COMPACT: &str = "V@: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
G@: {Type: AWS::EC2::InternetGateway}
A@: {Type: AWS::EC2::VPCGatewayAttachment, Properties: {InternetGatewayId: !Ref G@, VpcId: !Ref V@}}
T@: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref V@}}
R@: {Type: AWS::EC2::Route, DependsOn: A@, Properties: {RouteTableId: !Ref T@, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref G@}}
S@: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref V@, CidrBlock: 10.0.0.0/24}}
C@: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {RouteTableId: !Ref T@, SubnetId: !Ref S@}}
W@: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: w, VpcId: !Ref V@}}
I@: {Type: AWS::EC2::Instance, Properties: {SubnetId: !Ref S@}}
E@: {Type: AWS::EC2::EIP}
";

/// `blocks` copies of [`COMPACT`] as a template, each line indented by one space.
fn compact(blocks: usize) -> String {
    let mut t = String::from("Resources:\n");
    for k in 0..blocks {
        for line in COMPACT.lines() {
            t.push(' ');
            t.push_str(&line.replace('@', &k.to_string()));
            t.push('\n');
        }
    }
    t
}

/// Creates `stacks` stacks of `text` one after another into a fresh world.
fn create_stacks(stacks: usize, text: &str) -> World {
    let none = IndexMap::new();
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    for s in 0..stacks {
        create_stack(&mut w, &format!("s{s}"), "t.yaml", text, &none, &none)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    w
}

fn import_scale(c: &mut Criterion) {
    let one = compact(common::size(10_000, 20));
    let (stacks, per_stack) = (common::size(200, 3), compact(common::size(100, 5)));
    let mut g = c.benchmark_group("import_scale");
    g.sample_size(10);
    g.throughput(Throughput::Elements(common::size(100_000, 200) as u64));
    g.bench_with_input(BenchmarkId::new("vpcsim", "one template of 100000"), &one, |b, text| {
        b.iter(|| create_stacks(1, text))
    });
    g.throughput(Throughput::Elements((stacks * common::size(1_000, 50)) as u64));
    g.bench_with_input(BenchmarkId::new("vpcsim", "200 stacks of 1000"), &per_stack, |b, text| {
        b.iter(|| create_stacks(stacks, text))
    });
    g.finish();
}

criterion_group!(benches, import, import_scale);
criterion_main!(benches);
