//! Stacks: creating a stack costs what the stack holds, not what the world already holds,
//! so N stacks of M resources cost O(NM) (before, each stack copied the whole world to
//! be able to roll back).

use super::*;

/// Ten resources: a public VPC with its gateway, routing, a group, an instance and an Elastic IP.
const BLOCK: &str = " V@: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
 G@: {Type: AWS::EC2::InternetGateway}
 A@: {Type: AWS::EC2::VPCGatewayAttachment, Properties: {InternetGatewayId: !Ref G@, VpcId: !Ref V@}}
 T@: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref V@}}
 R@: {Type: AWS::EC2::Route, DependsOn: A@, Properties: {RouteTableId: !Ref T@, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref G@}}
 S@: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref V@, CidrBlock: 10.0.0.0/24}}
 C@: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {RouteTableId: !Ref T@, SubnetId: !Ref S@}}
 W@: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: web, VpcId: !Ref V@}}
 I@: {Type: AWS::EC2::Instance, Properties: {SubnetId: !Ref S@, SecurityGroupIds: [!Ref W@]}}
 E@: {Type: AWS::EC2::EIP, Properties: {InstanceId: !Ref I@}}
";

/// A template of `blocks` blocks: 10 x `blocks` resources.
fn template(blocks: usize) -> String {
    let mut t = String::from("Resources:\n");
    for k in 0..blocks {
        t.push_str(&BLOCK.replace('@', &k.to_string()));
    }
    t
}

/// Creates stack `name` from `text`, counting the bytes it allocates.
fn create_counted(w: &mut World, name: &str, text: &str) -> u64 {
    let none = IndexMap::new();
    let (result, usage) = measure(|| vpcsim::stack::create_stack(w, name, "t.yaml", text, &none, &none));
    result.unwrap_or_else(|e| panic!("{e}"));
    usage.allocated
}

/// A world holding `stacks` stacks of `text`.
fn world_of(stacks: usize, text: &str) -> World {
    let mut w = World::in_region("ap-northeast-2", 7).unwrap();
    for s in 0..stacks {
        create_counted(&mut w, &format!("s{s}"), text);
    }
    w
}

#[test]
fn one_more_stack_costs_the_same_in_a_world_ten_times_larger() {
    let text = template(10);
    let (small, large) = finishes(move || {
        let mut small = world_of(4, &text);
        let mut large = world_of(40, &text);
        (create_counted(&mut small, "extra", &text), create_counted(&mut large, "extra", &text))
    });
    // Copying the world for a rollback made the large world's stack cost about 10 times more.
    assert!(large * 10 < small * 12, "4 stacks before: {small} bytes; 40 stacks before: {large} bytes");
}

#[test]
fn creating_n_stacks_of_m_resources_costs_o_of_n_times_m() {
    let text = template(10);
    let (ten, forty) = finishes(move || {
        let count = |n: usize| {
            let mut w = World::in_region("ap-northeast-2", 7).unwrap();
            (0..n).map(|s| create_counted(&mut w, &format!("s{s}"), &text)).sum::<u64>()
        };
        (count(10), count(40))
    });
    assert!(forty < ten * 4 * 12 / 10, "10 stacks: {ten} bytes; 40 stacks: {forty} bytes");
}

#[test]
fn a_failed_stack_in_a_large_world_costs_what_it_created_and_changes_nothing() {
    let text = template(10);
    let broken = format!(
        "{text} Bad: {{Type: AWS::EC2::Subnet, Properties: {{VpcId: !Ref V9, CidrBlock: 10.1.0.0/24}}}}\n"
    );
    let (before, after, bytes) = finishes(move || {
        let mut w = world_of(40, &text);
        let before = format!("{w:?}");
        let none = IndexMap::new();
        let (result, usage) =
            measure(|| vpcsim::stack::create_stack(&mut w, "broken", "t.yaml", &broken, &none, &none));
        let e = result.unwrap_err();
        assert!(e.to_string().contains("Resources.Bad"), "{e}");
        (before, format!("{w:?}"), usage.allocated)
    });
    assert!(before == after, "the failed stack changed the world");
    let one_stack = finishes(move || create_counted(&mut world_of(0, &template(10)), "s", &template(10)));
    assert!(bytes < 2 * one_stack, "the failed stack allocated {bytes} bytes; a whole stack {one_stack}");
}
